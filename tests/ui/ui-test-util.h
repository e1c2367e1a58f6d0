/* ui-test-util.h: helpers shared by the kiosk's UI tests. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*UiTestCondition) (gpointer user_data);

/* Iterates the default main context until CONDITION holds; fails the test
 * after TIMEOUT_MS. */
void ui_test_wait_for (UiTestCondition condition, gpointer user_data, guint timeout_ms,
                       const char *what);
/* Iterates until WIDGET's frame clock has painted at least once more. */
void ui_test_wait_for_paint (GtkWidget *widget);
/* The first descendant of ROOT (or ROOT) with CSS class CLASS_NAME. */
GtkWidget *ui_test_find_by_class (GtkWidget *root, const char *class_name);
/* All descendants of ROOT of TYPE, in tree order. */
GPtrArray *ui_test_find_all_of_type (GtkWidget *root, GType type);
/* Copies SRC to DEST, failing the test on error. */
void ui_test_copy_file (const char *src, const char *dest);
/* Copies the folder SRC and everything below it to DEST, which must not
 * exist yet. */
void ui_test_copy_tree (const char *src, const char *dest);
/* Removes PATH and everything below it. */
void ui_test_remove_tree (const char *path);

/* Set by a test whose parent process only starts its cases, each in a
 * subprocess where the kiosk's code runs and leaks are checked: the parent's
 * own exit-time leak check is then skipped (see ui-test-util.c). */
extern gboolean ui_test_leaks_checked_in_subprocesses;

/* Under AddressSanitizer, keeps GTK (and the programs a test starts) off
 * OpenGL; does nothing otherwise. */
void ui_test_avoid_gl_under_asan (void);

/* Starts the private session bus that GtkApplication needs, keeping the
 * X display that GTestDBus clears. Call it before gtk_test_init(): it
 * changes the environment, which is only safe while no other thread can
 * be reading it (GTK starts fontconfig's loader in a thread as it
 * initializes). Returns NULL in a test's subprocess, which shares its
 * parent's bus; ARGC and ARGV are main()'s. */
GTestDBus *ui_test_session_bus_up (int argc, char **argv);

G_END_DECLS
