/* test-sync-crash.c: `saphanctl sync` killed with SIGKILL at random points.
 *
 * A child drains the queue while the test kills it after a random delay,
 * again and again; whenever the queue runs dry another 100 submissions are
 * finalized. The server also loses 2 % of its answers after storing the
 * submission. At the end one clean run finishes the queue, and every
 * submission must be accepted in the store and held by the server exactly
 * once with the frozen bytes: a kill may only ever cause a resend of
 * identical bytes.
 *
 * 200 rounds by default; SAPHAN_SOAK=1 runs 2,000.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "saphan-sync-profile.h"
#include "sync-test-util.h"

static const char *saphanctl;

static GSubprocess *
spawn_sync (const char *dir)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { saphanctl, "--data-dir", dir, "sync", "--once", "--timeout", "30", NULL };
  GSubprocess *p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                      &error);

  g_assert_no_error (error);
  return p;
}

static void
test_crash (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (JsonObject) q = NULL;
  TestServer *server = test_server_start (NULL, NULL, NULL);
  guint rounds = g_getenv ("SAPHAN_SOAK") != NULL ? 2000 : 200;
  guint batches = 0, killed = 0, finished = 0, mid_send = 0;
  gint64 startup_us, start;

  test_server_control (server, "{\"random_drop_after\": 0.02, \"max_length\": 30000}");
  test_configure (store, server->base_url, "testtoken");

  /* How long a child takes to start with nothing to do sets the range of
   * kill delays, so that kills land before, during and after sending
   * under a sanitizer as well as without. */
  start = g_get_monotonic_time ();
  {
    g_autoptr (GSubprocess) p = spawn_sync (dir);
    g_subprocess_wait (p, NULL, NULL);
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
  }
  startup_us = g_get_monotonic_time () - start;

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr (GSubprocess) p = NULL;
      gint64 delay_us;

      if (test_count (store, SAPHAN_SUBMISSION_QUEUED) + test_count (store, SAPHAN_SUBMISSION_SENDING) == 0)
        {
          g_autofree char *seed = g_strdup_printf ("crash-%u", batches);
          /* 90 plain ones and 10 with photos that need two POSTs each. */
          test_fill (store, "f1", batches * 100 + 1, 90, seed, 0, 0);
          test_fill (store, "f2", batches * 100 + 91, 10, seed, 2, 12000);
          batches++;
        }
      p = spawn_sync (dir);
      delay_us = g_random_int_range (0, (gint32) (startup_us + 80000));
      g_usleep (delay_us);
      if (g_subprocess_get_identifier (p) != NULL)
        {
          g_subprocess_send_signal (p, SIGKILL);
          g_subprocess_wait (p, NULL, NULL);
          if (g_subprocess_get_if_signaled (p))
            killed++;
          else
            finished++;
        }
      else
        {
          g_subprocess_wait (p, NULL, NULL);
          finished++;
        }
      if (test_count (store, SAPHAN_SUBMISSION_SENDING) > 0)
        mid_send++;
    }

  /* One clean run; it starts by putting the killed sends back. */
  {
    g_autoptr (GSubprocess) p = spawn_sync (dir);
    g_subprocess_wait (p, NULL, NULL);
    g_assert_true (g_subprocess_get_if_exited (p));
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
  }
  test_assert_agree (store, server, batches * 100);

  q = test_server_query (server);
  g_test_message ("%u rounds: %u killed (%u with a submission in flight), %u finished first; "
                  "%u submissions; server saw %" G_GINT64_FORMAT " POSTs, %" G_GINT64_FORMAT
                  " duplicates, %" G_GINT64_FORMAT " dropped answers",
                  rounds, killed, mid_send, finished, batches * 100,
                  json_object_get_int_member (json_object_get_object_member (q, "counters"), "post"),
                  json_object_get_int_member (json_object_get_object_member (q, "counters"), "duplicate"),
                  json_object_get_int_member (json_object_get_object_member (q, "counters"), "dropped"));
  /* The kills must have hit something, or the test proves nothing. */
  g_assert_cmpuint (killed, >=, rounds / 2);
  g_assert_cmpuint (mid_send, >, 0);

  test_server_stop (server);
  g_clear_object (&store);
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  saphanctl = argc > 1 ? argv[1] : "saphanctl";
  g_test_add_func ("/sync/crash/sigkill", test_crash);
  return g_test_run ();
}
