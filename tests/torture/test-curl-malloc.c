/* test-curl-malloc.c: every allocation libcurl makes during a drain may fail.
 *
 * libcurl's allocator is replaced through curl_global_init_mem() by one that
 * fails the Nth allocation. For each N, one new submission is finalized and
 * the sync library drains it to the reference OpenRosa server
 * (tests/openrosa-server) over loopback with the fault armed; the drain
 * must finish or fail with a clean error, never crash. A second drain
 * without faults must then deliver whatever is left, and store and server
 * must agree: every submission accepted, each held by the server exactly
 * once, byte for byte (nothing lost, nothing duplicated).
 *
 * Right after each faulty drain, before anything is retried, the store must
 * pass SQLite's integrity check and the new submission must be either
 * accepted (and then held by the server) or back in the queue: never left
 * "sending", never gone. Each drain runs under a watchdog, so a drain that
 * never returns fails the test instead of hanging it.
 *
 * A first drain without faults counts the allocations of one drain, and
 * every N from 1 to a little past that count is tried in turn. One drain of
 * one submission makes fewer than two hundred allocations, so the whole
 * range normally fits in the time box (40 s, an hour under SAPHAN_SOAK=1);
 * the closing message says how far it got.
 */
#include "config.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "saphan-error.h"
#include "saphan-sync.h"
#include "sync-test-util.h"
#include "torture-util.h"

static gint64 n_allocations;
static gint64 fail_at = -1;
static gint64 n_failed;

static gboolean
should_fail (void)
{
  gint64 n;

  if (__atomic_load_n (&fail_at, __ATOMIC_SEQ_CST) < 0)
    return FALSE;
  n = __atomic_add_fetch (&n_allocations, 1, __ATOMIC_SEQ_CST);
  if (n == fail_at)
    {
      __atomic_add_fetch (&n_failed, 1, __ATOMIC_SEQ_CST);
      return TRUE;
    }
  return FALSE;
}

static void *
faulty_malloc (size_t size)
{
  return should_fail () ? NULL : malloc (size);
}

static void
plain_free (void *p)
{
  free (p);
}

static void *
faulty_realloc (void *p, size_t size)
{
  return should_fail () ? NULL : realloc (p, size);
}

static char *
faulty_strdup (const char *s)
{
  return should_fail () ? NULL : strdup (s);
}

static void *
faulty_calloc (size_t n, size_t size)
{
  return should_fail () ? NULL : calloc (n, size);
}

static void
arm (gint64 n)
{
  __atomic_store_n (&n_allocations, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n (&n_failed, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n (&fail_at, n, __ATOMIC_SEQ_CST);
}

static void
disarm (void)
{
  __atomic_store_n (&fail_at, -1, __ATOMIC_SEQ_CST);
}

/* A drain that never ends is a failure too: the watchdog names it. */
static volatile sig_atomic_t watched_n;

static void
watchdog_cb (int signum)
{
  char line[128];
  int len = snprintf (line, sizeof line,
                      "not ok - the drain with libcurl allocation %d failing never finished\n",
                      (int) watched_n);

  if (len > 0 && write (1, line, (size_t) len) < 0)
    (void) 0;
  _exit (1);
}

/* The time box for the loop: generous, since each drain is a few
 * milliseconds, yet under a minute on a slow sanitizer build. */
static double
budget (void)
{
  return torture_soak () ? 3600.0 : 40.0;
}

/* Checks the submission of a faulty drain before anything retries it: the
 * store is sound, and it is either accepted and on the server exactly once,
 * or queued again. Returns whether it was accepted. */
static gboolean
assert_accepted_or_queued (SaphanStore *store, TestServer *server, guint index, gint64 n)
{
  g_autofree char *id = test_instance_id (index, "curl-malloc");
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSubmissionInfo) info = NULL;
  g_autoptr (JsonObject) q = NULL;
  JsonObject *instances;

  if (!saphan_store_check_integrity (store, &error))
    g_error ("N=%" G_GINT64_FORMAT ": the store is damaged: %s", n, error->message);
  info = saphan_store_get_submission (store, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  if (info->state == SAPHAN_SUBMISSION_QUEUED)
    return FALSE;
  if (info->state != SAPHAN_SUBMISSION_ACCEPTED)
    g_error ("N=%" G_GINT64_FORMAT ": the submission was left in state %d", n, (int) info->state);
  q = test_server_query (server);
  instances = json_object_get_object_member (q, "instances");
  g_assert_true (json_object_has_member (instances, id));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (instances, id), "stored"), ==, 1);
  return TRUE;
}

static void
drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

static void
test_curl_malloc (void)
{
  TestServer *server = test_server_start (NULL, NULL, NULL);
  g_autofree char *dir = NULL;
  g_autoptr(SaphanStore) store = test_store_new (&dir);
  g_autoptr(SaphanSync) sync = saphan_sync_new (store);
  SaphanSyncSummary summary = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 per_drain, last_n, n;
  guint delivered = 0, refused = 0, queued = 0, hit = 0, runs = 0;
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);

  test_configure (store, server->base_url, "testtoken");

  /* Count one clean drain's allocations (fail_at beyond reach). */
  test_fill (store, "f1", 1, 1, "curl-malloc", 1, 3000);
  arm (G_MAXINT64);
  g_assert_true (saphan_sync_run (sync, 0, NULL, &summary, &error));
  disarm ();
  per_drain = n_allocations;
  if (g_getenv ("TORTURE_VERBOSE") != NULL)
    g_printerr ("one drain makes %" G_GINT64_FORMAT " libcurl allocations\n", per_drain);
  saphan_sync_summary_clear (&summary);
  test_assert_agree (store, server, 1);
  g_assert_cmpint (per_drain, >, 10);

  /* A few N past the count: a drain may allocate a little more than the
   * first one did (a new connection, a longer date). */
  last_n = per_drain + 20;
  torture_reset_clock ();
  for (n = 1; n <= last_n && torture_elapsed () < budget (); n++)
    {
      guint index = 2 + runs;
      gboolean ok;
      gboolean accepted;

      test_fill (store, "f1", index, 1, "curl-malloc", (index % 3) == 0 ? 1 : 0, 3000);
      if (g_getenv ("TORTURE_VERBOSE") != NULL)
        g_printerr ("drain with allocation %" G_GINT64_FORMAT " failing\n", n);
      watched_n = (sig_atomic_t) n;
      alarm (20);
      arm (n);
      ok = saphan_sync_run (sync, 0, NULL, &summary, &error);
      disarm ();
      alarm (0);
      runs++;
      if (n_failed > 0)
        hit++;
      accepted = assert_accepted_or_queued (store, server, index, n);
      if (!ok)
        {
          char *problem = NULL;

          refused++;
          if (!torture_error_is_clean (error, &problem) && problems->len < 20)
            g_ptr_array_add (problems, g_strdup_printf ("N=%" G_GINT64_FORMAT ": %s", n, problem));
          g_free (problem);
        }
      else if (summary.accepted > 0)
        delivered++;
      /* The summary must not claim a delivery the store does not hold. */
      if (ok && summary.accepted > 0)
        g_assert_true (accepted);
      if (!accepted)
        queued++;
      g_clear_error (&error);
      saphan_sync_summary_clear (&summary);

      /* Without faults, whatever is left goes out; then both sides agree. */
      alarm (20);
      g_assert_true (saphan_sync_run (sync, 10, NULL, &summary, &error));
      alarm (0);
      g_assert_no_error (error);
      saphan_sync_summary_clear (&summary);
      test_assert_agree (store, server, index);
    }

  g_test_message ("N = 1..%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " covered (one drain makes %"
                  G_GINT64_FORMAT " libcurl allocations; %u drains hit their failure) in %.1f s: "
                  "%u delivered anyway, %u left queued (%u of them with an error); "
                  "store and server agree on all %u; %u problems",
                  n - 1, last_n, per_drain, hit, torture_elapsed (), delivered, queued, refused, runs + 1,
                  problems->len);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *) problems->pdata[i]);
  /* The whole range, or at least a fair share of it, must have been
   * tried for the test to mean anything. */
  g_assert_cmpint (n - 1, >=, MIN (last_n, 50));
  g_assert_cmpuint (problems->len, ==, 0);
  g_ptr_array_unref (problems);
  g_clear_object (&sync);
  g_clear_object (&store);
  test_server_stop (server);
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  /* Before anything else touches libcurl: its allocator is fixed at init. */
  g_assert_cmpint (curl_global_init_mem (CURL_GLOBAL_DEFAULT, faulty_malloc, plain_free,
                                         faulty_realloc, faulty_strdup, faulty_calloc), ==, CURLE_OK);
  g_test_init (&argc, &argv, NULL);
  signal (SIGALRM, watchdog_cb);
  g_log_set_handler ("saphan-store", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
  g_log_set_handler ("saphan-sync", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
  g_test_add_func ("/torture/curl-malloc/drain", test_curl_malloc);
  return g_test_run ();
}
