/* bench-gtk-minimal.c: the smallest GTK 4 window, for the start-up floor.
 *
 * A label, an entry and a button, nothing else. With
 * BENCH_EXIT_AFTER_FIRST_FRAME=1 it prints the milliseconds from process
 * start to the end of its first painted frame and quits, exactly as
 * saphan-kiosk does with SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME=1, so the two
 * cold starts compare like for like. Without it the window stays up (for
 * memory measurements).
 */
#include <gtk/gtk.h>
#include <stdio.h>
#include <time.h>

static gboolean exit_after_first_frame;

/* Milliseconds since this process started, from /proc/self/stat's start
 * time (in clock ticks since boot) against CLOCK_BOOTTIME. */
static double
ms_since_process_start (void)
{
  g_autofree char *stat = NULL;
  struct timespec now;
  unsigned long long start_ticks = 0;
  const char *p;

  clock_gettime (CLOCK_BOOTTIME, &now);
  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      (p = strrchr (stat, ')')) == NULL)
    return -1;
  /* Field 22 is the start time; the fields after the command name begin at 3. */
  for (int field = 2; field < 22 && p != NULL; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL || sscanf (p + 1, "%llu", &start_ticks) != 1)
    return -1;
  return (now.tv_sec * 1000.0 + now.tv_nsec / 1e6) - start_ticks * 1000.0 / sysconf (_SC_CLK_TCK);
}

static void
after_paint_cb (GdkFrameClock *clock, GApplication *app)
{
  printf ("first frame after %.1f ms\n", ms_since_process_start ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, app);
  if (exit_after_first_frame)
    g_application_quit (app);
}

static void
realize_cb (GtkWidget *window, GApplication *app)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), app);
}

static void
activate_cb (GtkApplication *app, gpointer data)
{
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_box_append (GTK_BOX (box), gtk_label_new ("ชื่อ-นามสกุล"));
  gtk_box_append (GTK_BOX (box), gtk_entry_new ());
  gtk_box_append (GTK_BOX (box), gtk_button_new_with_label ("ถัดไป"));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.saphan.BenchMinimal",
                                                        G_APPLICATION_NON_UNIQUE);

  exit_after_first_frame = g_strcmp0 (g_getenv ("BENCH_EXIT_AFTER_FIRST_FRAME"), "1") == 0;
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
