/* The sd_notify protocol against a real datagram socket, as systemd reads it. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "saphan-sd-notify.h"

typedef struct
{
  char *dir;
  char *path;
  int   fd;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  f->dir = g_dir_make_tmp ("saphan-notify-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "notify", NULL);
  g_assert_cmpuint (strlen (f->path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, f->path);
  f->fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (f->fd, >=, 0);
  g_assert_cmpint (bind (f->fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_setenv ("NOTIFY_SOCKET", f->path, TRUE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  close (f->fd);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
  g_unsetenv ("NOTIFY_SOCKET");
  g_unsetenv ("WATCHDOG_USEC");
}

static char *
receive (Fixture *f, int timeout_ms)
{
  char buffer[256];
  ssize_t n;
  struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

  setsockopt (f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  n = recv (f->fd, buffer, sizeof buffer - 1, 0);
  if (n < 0)
    return NULL;
  buffer[n] = '\0';
  return g_strdup (buffer);
}

static void
test_ready (Fixture *f, gconstpointer data)
{
  g_autofree char *message = NULL;

  g_assert_true (saphan_sd_notify ("READY=1"));
  message = receive (f, 1000);
  g_assert_cmpstr (message, ==, "READY=1");
}

static void
test_no_socket (Fixture *f, gconstpointer data)
{
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_false (saphan_sd_notify ("READY=1"));
  g_setenv ("NOTIFY_SOCKET", "relative/path", TRUE);
  g_assert_false (saphan_sd_notify ("READY=1"));
  g_assert_cmpuint (saphan_sd_watchdog_start (), ==, 0);
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
test_watchdog_pings_from_main_loop (Fixture *f, gconstpointer data)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint id, pings = 0;
  char *message;

  /* 100 ms watchdog: pings every 50 ms while the loop runs. */
  g_setenv ("WATCHDOG_USEC", "100000", TRUE);
  id = saphan_sd_watchdog_start ();
  g_assert_cmpuint (id, !=, 0);
  g_timeout_add (400, quit_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (id);

  while ((message = receive (f, 100)) != NULL)
    {
      g_assert_cmpstr (message, ==, "WATCHDOG=1");
      pings++;
      g_free (message);
    }
  /* One at start and about eight more; a loose bound keeps a slow machine green. */
  g_assert_cmpuint (pings, >=, 3);
  g_test_message ("%u watchdog pings in 400 ms", pings);
}

static void
test_watchdog_stops_with_loop (Fixture *f, gconstpointer data)
{
  guint id;
  g_autofree char *first = NULL;
  char *message;

  /* A main loop that does not run must not ping: that is the point. */
  g_setenv ("WATCHDOG_USEC", "20000", TRUE);
  id = saphan_sd_watchdog_start ();
  first = receive (f, 500);
  g_assert_cmpstr (first, ==, "WATCHDOG=1");
  g_usleep (100000);
  message = receive (f, 50);
  g_assert_null (message);
  g_source_remove (id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sd-notify/ready", Fixture, NULL, fixture_set_up, test_ready, fixture_tear_down);
  g_test_add ("/sd-notify/no-socket", Fixture, NULL, fixture_set_up, test_no_socket,
              fixture_tear_down);
  g_test_add ("/sd-notify/watchdog", Fixture, NULL, fixture_set_up,
              test_watchdog_pings_from_main_loop, fixture_tear_down);
  g_test_add ("/sd-notify/watchdog-needs-loop", Fixture, NULL, fixture_set_up,
              test_watchdog_stops_with_loop, fixture_tear_down);
  return g_test_run ();
}
