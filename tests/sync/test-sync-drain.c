/* test-sync-drain.c: 100 submissions through a flaky server, in process and
 * through saphanctl, and the store and the server agree afterwards.
 */
#include "config.h"

#include <string.h>

#include "saphan-error.h"
#include "saphan-sync-profile.h"
#include "saphan-sync-monitor.h"
#include "saphan-sync.h"
#include "sync-test-util.h"

static const char *saphanctl;

static void
test_drain_flaky (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (SaphanSync) sync = saphan_sync_new (store);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) q = NULL;
  TestServer *server = test_server_start (NULL, NULL, NULL);
  SaphanSyncSummary summary = { 0 };
  JsonObject *counters;

  /* 5 % server errors and 5 % answers lost after the server stored the
   * submission, and a limit that splits the submissions with photos. */
  test_server_control (server, "{\"random_status\": 0.05, \"random_drop_after\": 0.05, \"max_length\": 50000}");
  test_configure (store, server->base_url, "testtoken");
  test_fill (store, "f1", 1, 90, "drain", 0, 0);
  test_fill (store, "f2", 91, 10, "drain", 3, 20000);

  g_assert_true (saphan_sync_run (sync, 60, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.accepted, ==, 100);
  g_assert_cmpint (summary.remaining, ==, 0);
  test_assert_agree (store, server, 100);

  q = test_server_query (server);
  counters = json_object_get_object_member (q, "counters");
  g_test_message ("100 submissions: %u requests, %u deferred, %" G_GINT64_FORMAT " faults, %" G_GINT64_FORMAT
                  " duplicates, %" G_GINT64_FORMAT " bytes in %.2f s",
                  summary.requests, summary.deferred, json_object_get_int_member (counters, "faults"),
                  json_object_get_int_member (counters, "duplicate"), summary.bytes_sent, summary.elapsed_us / 1e6);
  g_assert_cmpint (json_object_get_int_member (q, "dates_missing"), ==, 0);
  saphan_sync_summary_clear (&summary);
  test_server_stop (server);
  g_clear_object (&sync);
  g_clear_object (&store);
  test_remove_dir (dir);
}

static int
run_ctl (const char *dir, char **out, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) saphanctl);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, (char *) dir);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_newv ((const char *const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("saphanctl %s: %s", first, err);
  return g_subprocess_get_exit_status (p);
}

static void
test_cli (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  TestServer *server = test_server_start (NULL, NULL, NULL);
  g_autofree char *out = NULL;
  g_autofree char *pwfile = g_build_filename (dir, "password", NULL);

  test_fill (store, "f1", 1, 20, "cli", 0, 0);

  /* Refusals: usage errors, and a password over plain HTTP. */
  g_assert_cmpint (run_ctl (dir, &out, "server", "set", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, &out, "sync", "--once", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_file_set_contents (pwfile, "secret\n", -1, NULL);
  g_assert_cmpint (run_ctl (dir, &out, "server", "set", "--url", server->base_url, "--user", "kiosk",
                            "--password-file", pwfile, "--auth", "basic", NULL), ==, 1);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_ctl (dir, &out, "server", "set", "--url", server->base_url, "--central-token",
                            "testtoken", "--project", "1", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, &out, "--json", "server", "show", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"central\""));
  /* The token is a secret and never shown. */
  g_assert_null (strstr (out, "testtoken"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_ctl (dir, &out, "sync", "--once", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "20 accepted"));
  g_clear_pointer (&out, g_free);
  test_assert_agree (store, server, 20);

  /* A refused token pauses the queue and says so; setting the server
   * again lifts the pause. */
  test_fill (store, "f1", 21, 1, "cli", 0, 0);
  g_assert_cmpint (run_ctl (dir, &out, "server", "set", "--url", server->base_url, "--central-token",
                            "revoked", "--project", "1", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, &out, "sync", "--once", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, &out, "server", "show", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "PAUSED"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, &out, "server", "set", "--url", server->base_url, "--central-token",
                            "testtoken", "--project", "1", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, &out, "--json", "sync", "--once", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"accepted\" : 1"));
  g_clear_pointer (&out, g_free);
  test_assert_agree (store, server, 21);

  test_server_stop (server);
  g_clear_object (&store);
  test_remove_dir (dir);
}

static void
test_digest (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (SaphanSync) sync = saphan_sync_new (store);
  g_autoptr (GError) error = NULL;
  const char *args[] = { "--user", "kiosk", "--password", "s3cret", "--auth", "digest", NULL };
  TestServer *server = test_server_start (NULL, NULL, args);
  SaphanSyncSummary summary = { 0 };
  SaphanSyncProfile p = { 0 };

  /* A generic OpenRosa server behind Digest over plain HTTP: the password
   * itself never crosses the wire. */
  p.kind = SAPHAN_SERVER_OPENROSA;
  p.url = server->base_url;
  p.user = (char *) "kiosk";
  p.password = (char *) "s3cret";
  p.auth = SAPHAN_AUTH_DIGEST;
  g_assert_true (saphan_sync_profile_save (store, &p, &error));
  g_assert_no_error (error);
  test_fill (store, "f1", 1, 5, "digest", 1, 3000);
  g_assert_true (saphan_sync_run (sync, 10, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.accepted, ==, 5);
  test_assert_agree (store, server, 5);
  saphan_sync_summary_clear (&summary);

  test_server_stop (server);
  g_clear_object (&sync);
  g_clear_object (&store);
  test_remove_dir (dir);
}

static void
test_proxy (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (SaphanSync) sync = saphan_sync_new (store);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) q = NULL;
  g_autofree char *proxy = NULL;
  TestServer *server = test_server_start (NULL, NULL, NULL);
  SaphanSyncSummary summary = { 0 };

  /* The server's address is unreachable (TEST-NET-1); only the proxy from
   * the settings can deliver, and the reference server plays the proxy. */
  test_configure (store, "http://192.0.2.1:9", "testtoken");
  proxy = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  g_assert_true (saphan_store_set_setting (store, "sync.proxy", proxy, &error));
  g_assert_no_error (error);
  test_fill (store, "f1", 1, 4, "proxy", 0, 0);
  g_assert_true (saphan_sync_run (sync, 10, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.accepted, ==, 4);
  test_assert_agree (store, server, 4);
  q = test_server_query (server);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (q, "counters"), "proxied"), >=, 5);
  saphan_sync_summary_clear (&summary);

  test_server_stop (server);
  g_clear_object (&sync);
  g_clear_object (&store);
  test_remove_dir (dir);
}

static void
run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_cancel (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (SaphanSync) sync = saphan_sync_new (store);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TestServer *server = test_server_start (NULL, NULL, NULL);
  SaphanSyncSummary summary = { 0 };
  gint64 start;

  /* The kiosk shuts down while a POST waits for a slow server: the run
   * ends at once and the submission is back in the queue, not "sending". */
  test_server_control (server, "{\"faults\": [{\"on\": \"post\", \"kind\": \"delay\", \"seconds\": 3}]}");
  test_configure (store, server->base_url, "testtoken");
  test_fill (store, "f1", 1, 3, "cancel", 0, 0);
  saphan_sync_run_async (sync, 30, cancellable, run_done_cb, &result);
  g_assert_true (saphan_sync_get_running (sync));
  /* However slow the machine is to get there, the POST is under way... */
  start = g_get_monotonic_time ();
  while (test_count (store, SAPHAN_SUBMISSION_SENDING) == 0 && g_get_monotonic_time () - start < 30 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (test_count (store, SAPHAN_SUBMISSION_SENDING), >, 0);
  /* ... and the run ends well before the server's 3 s delay would. */
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (saphan_sync_run_finish (sync, result, &summary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_false (saphan_sync_get_running (sync));
  g_assert_cmpint (test_count (store, SAPHAN_SUBMISSION_SENDING), ==, 0);
  g_assert_cmpint (test_count (store, SAPHAN_SUBMISSION_QUEUED), ==, 3);
  saphan_sync_summary_clear (&summary);
  g_clear_error (&error);

  /* The next run delivers all three, the interrupted one exactly once. */
  g_assert_true (saphan_sync_run (sync, 30, NULL, &summary, &error));
  g_assert_no_error (error);
  g_usleep (3 * G_USEC_PER_SEC);
  test_assert_agree (store, server, 3);
  saphan_sync_summary_clear (&summary);

  test_server_stop (server);
  g_clear_object (&sync);
  g_clear_object (&store);
  test_remove_dir (dir);
}

static void
due_cb (SaphanSyncMonitor *monitor, gpointer user_data)
{
  guint *n = user_data;

  (*n)++;
}

static gboolean
wait_online (SaphanSyncMonitor *monitor, gboolean online)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (saphan_sync_monitor_get_online (monitor) != online && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return saphan_sync_monitor_get_online (monitor) == online;
}

static void
test_monitor (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (SaphanSyncMonitor) monitor = saphan_sync_monitor_new (store);
  g_autofree char *dead = NULL;
  g_autoptr (GSocket) refusing = NULL;
  guint16 dead_port = 0;
  TestServer *server = test_server_start (NULL, NULL, NULL);
  guint due = 0;

  g_signal_connect (monitor, "sync-due", G_CALLBACK (due_cb), &due);
  test_configure (store, server->base_url, "testtoken");
  saphan_sync_monitor_start (monitor);
  g_assert_true (wait_online (monitor, TRUE));
  /* Coming online is when a sync is due. */
  g_assert_cmpuint (due, ==, 1);

  /* A captive portal answers, but it is not the server: offline. */
  test_server_control (server, "{\"faults\": [{\"on\": \"head\", \"kind\": \"captive\"}]}");
  saphan_sync_monitor_probe (monitor);
  g_assert_true (wait_online (monitor, FALSE));

  saphan_sync_monitor_probe (monitor);
  g_assert_true (wait_online (monitor, TRUE));
  g_assert_cmpuint (due, ==, 2);

  /* Nobody listening: offline again. */
  refusing = test_refusing_port (&dead_port);
  dead = g_strdup_printf ("http://127.0.0.1:%u", dead_port);
  test_configure (store, dead, "testtoken");
  saphan_sync_monitor_probe (monitor);
  g_assert_true (wait_online (monitor, FALSE));
  saphan_sync_monitor_stop (monitor);

  test_server_stop (server);
  g_clear_object (&monitor);
  g_clear_object (&store);
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  saphanctl = argc > 1 ? argv[1] : "saphanctl";
  g_test_add_func ("/sync/drain/flaky-100", test_drain_flaky);
  g_test_add_func ("/sync/drain/cli", test_cli);
  g_test_add_func ("/sync/drain/digest", test_digest);
  g_test_add_func ("/sync/drain/monitor", test_monitor);
  g_test_add_func ("/sync/drain/cancel", test_cancel);
  g_test_add_func ("/sync/drain/proxy", test_proxy);
  return g_test_run ();
}
