/* ui-test-util.c: helpers shared by the kiosk's UI tests. */
#include "ui-test-util.h"

#include <glib/gstdio.h>
#include <unistd.h>

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
ui_test_wait_for (UiTestCondition condition, gpointer user_data, guint timeout_ms, const char *what)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!condition (user_data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", timeout_ms, what);
  g_source_remove (source);
}

static void
after_paint_cb (GdkFrameClock *clock, gpointer user_data)
{
  guint *n_paints = user_data;

  (*n_paints)++;
}

static gboolean
painted (gpointer user_data)
{
  return *(guint *)user_data > 0;
}

void
ui_test_wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  guint n_paints = 0;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &n_paints);
  gtk_widget_queue_draw (widget);
  ui_test_wait_for (painted, &n_paints, 10000, "a frame to be painted");
  g_signal_handler_disconnect (clock, handler);
}

GtkWidget *
ui_test_find_by_class (GtkWidget *root, const char *class_name)
{
  if (gtk_widget_has_css_class (root, class_name))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_test_find_by_class (child, class_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_of_type (GtkWidget *root, GType type, GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_of_type (child, type, found);
}

GPtrArray *
ui_test_find_all_of_type (GtkWidget *root, GType type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_of_type (root, type, found);
  return found;
}

void
ui_test_copy_file (const char *src, const char *dest)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (src, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (dest, contents, (gssize)length, &error);
  g_assert_no_error (error);
}

void
ui_test_copy_tree (const char *src, const char *dest)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (src, 0, &error);
  const char *name;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (dest, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (src, name, NULL);
      g_autofree char *to = g_build_filename (dest, name, NULL);

      if (g_file_test (from, G_FILE_TEST_IS_DIR))
        ui_test_copy_tree (from, to);
      else
        ui_test_copy_file (from, to);
    }
}

void
ui_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          ui_test_remove_tree (child);
        }
    }
  g_remove (path);
}

void
ui_test_avoid_gl_under_asan (void)
{
#ifdef __SANITIZE_ADDRESS__
  /* The GL driver that GTK probes at start-up leaks a block from a module
   * that is unloaded before LeakSanitizer reports, so no library name is
   * left for tests/lsan.supp to match (a plain gtk_init() shows it), and
   * slow unwinding makes GTK too slow to test. The sanitizer build
   * therefore draws with GTK's Cairo renderer. */
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
#endif
}

GTestDBus *
ui_test_session_bus_up (int argc, char **argv)
{
  g_autofree char *display = NULL;
  GTestDBus *bus;

  /* g_test_subprocess() is only known after g_test_init(), which is too
   * late: read GLib's marker from the arguments instead. */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--GTestSubprocess"))
      return NULL;

  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  /* GTestDBus clears DISPLAY so that nothing autolaunches a bus on X;
   * the tests need the X display back. */
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  return bus;
}

gboolean ui_test_leaks_checked_in_subprocesses = FALSE;

static pid_t test_main_pid;

__attribute__ ((constructor)) static void
remember_test_main_pid (void)
{
  test_main_pid = getpid ();
}

/* LeakSanitizer's hook, asked before its exit-time check. That check stops
 * every thread under the allocator's lock, and in a process made by fork()
 * from a threaded one (such as GTestDBus's watcher, which exits through
 * exit(), were the bus started after GTK) the lock may be held by a thread
 * that no longer exists: the check then waits forever, holding the test's
 * output open until meson's timeout. Such a forked helper runs none of the code
 * under test, so its check is skipped; so is the check of a parent that only
 * starts subprocesses (ui_test_leaks_checked_in_subprocesses), whose own
 * check was seen to hang stopping GTK's and GDBus's threads. */
int __lsan_is_turned_off (void);

int
__lsan_is_turned_off (void)
{
  if (getpid () != test_main_pid)
    return 1;
  return ui_test_leaks_checked_in_subprocesses && !g_test_subprocess ();
}
