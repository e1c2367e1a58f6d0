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
 * A first drain without faults counts the allocations of one drain. In CI
 * the N are spread over that range so the test stays within its time box;
 * SAPHAN_SOAK=1 tries every N.
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
  gint64 per_drain, step, n;
  guint delivered = 0, refused = 0, runs = 0;
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
  step = torture_soak () ? 1 : MAX (1, per_drain / 400);

  torture_reset_clock ();
  for (n = 1; n <= per_drain + 5 && torture_elapsed () < torture_budget (); n += step)
    {
      guint index = 2 + runs;
      gboolean ok;

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
      g_clear_error (&error);
      saphan_sync_summary_clear (&summary);

      /* Without faults, whatever is left goes out; then both sides agree. */
      g_assert_true (saphan_sync_run (sync, 10, NULL, &summary, &error));
      g_assert_no_error (error);
      saphan_sync_summary_clear (&summary);
      test_assert_agree (store, server, index);
    }

  g_test_message ("%u drains with one failing libcurl allocation (N = 1..%" G_GINT64_FORMAT
                  " step %" G_GINT64_FORMAT ", %.1f s): %u delivered anyway, %u refused; "
                  "store and server agree on all %u; %u problems",
                  runs, per_drain, step, torture_elapsed (), delivered, refused, runs + 1,
                  problems->len);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *) problems->pdata[i]);
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
