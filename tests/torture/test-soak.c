/* test-soak.c: finalize + sync cycles against a server that misbehaves.
 *
 * Each cycle finalizes one submission (every fifth with a photo) and runs
 * one sync pass against the reference OpenRosa server, which answers a
 * random 5% of requests with an error status and drops the connection
 * after storing another 5% (the client cannot know those arrived). At the
 * end a last drain delivers what is left, and store and server must agree:
 * every submission accepted, each stored exactly once with the same bytes.
 * The process's resident memory is sampled after a warm-up and at the end;
 * it must stay flat (outside AddressSanitizer, whose quarantine grows by
 * design). 300 cycles in CI; SAPHAN_SOAK=1 runs 10,000.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "saphan-sync.h"
#include "sync-test-util.h"
#include "torture-util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static double
rss_mib (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return -1;
  return resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static void
drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

static void
test_soak (void)
{
  TestServer *server = test_server_start (NULL, NULL, NULL);
  g_autofree char *dir = NULL;
  g_autoptr(SaphanStore) store = test_store_new (&dir);
  g_autoptr(SaphanSync) sync = saphan_sync_new (store);
  SaphanSyncSummary summary = { 0 };
  g_autoptr(GError) error = NULL;
  guint cycles = torture_soak () ? 10000 : 300;
  guint warmup = MIN (50u, cycles / 4);
  guint deferred = 0, failed_runs = 0;
  double rss_start = 0, rss_end;

  test_configure (store, server->base_url, "testtoken");
  test_server_control (server, "{\"random_status\": 0.05, \"random_drop_after\": 0.05}");
  torture_reset_clock ();
  for (guint i = 1; i <= cycles; i++)
    {
      test_fill (store, "f1", i, 1, "soak", (i % 5) == 0 ? 1 : 0, 20000);
      if (!saphan_sync_run (sync, 0, NULL, &summary, &error))
        {
          /* A pass may fail as a whole on a fault; the queue keeps the work. */
          failed_runs++;
          g_clear_error (&error);
        }
      deferred += summary.deferred;
      saphan_sync_summary_clear (&summary);
      if (i == warmup)
        rss_start = rss_mib ();
    }
  test_server_control (server, "{\"random_status\": 0, \"random_drop_after\": 0}");
  g_assert_true (saphan_sync_run (sync, 60, NULL, &summary, &error));
  g_assert_no_error (error);
  saphan_sync_summary_clear (&summary);
  rss_end = rss_mib ();
  test_assert_agree (store, server, cycles);

  g_test_message ("%u finalize + sync cycles in %.1f s with 5%% error answers and 5%% dropped "
                  "connections: %u deferred and retried, %u passes failed as a whole, "
                  "0 lost, 0 duplicated; RSS %.1f MiB after %u cycles, %.1f MiB at the end%s",
                  cycles, torture_elapsed (), deferred, failed_runs, rss_start, warmup, rss_end,
                  UNDER_ASAN ? " (not judged under ASan)" : "");
  if (!UNDER_ASAN)
    g_assert_cmpfloat (rss_end - rss_start, <, 8.0 + cycles / 1000.0);

  g_clear_object (&sync);
  g_clear_object (&store);
  test_server_stop (server);
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_handler ("saphan-store", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
  g_log_set_handler ("saphan-sync", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
  g_test_add_func ("/torture/soak/finalize-and-sync", test_soak);
  return g_test_run ();
}
