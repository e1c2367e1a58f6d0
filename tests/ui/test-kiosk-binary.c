/* test-kiosk-binary.c: the real saphan-kiosk program under the test's X
 * display and a private session bus.
 *
 * These tests prove what only a separate process shows: the program starts
 * on an empty data folder, installs the five service forms, presents its first
 * frame, honours SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME for benchmarks, stops
 * cleanly on SIGTERM, drops GTK_DEBUG in kiosk mode, and leaves libcurl, the
 * server's probe and the retention purge until its services are on the
 * display.
 */
#include "config.h"

#include "saphan-store.h"
#include "saphan-sync-profile.h"
#include "store-test-util.h"
#include "ui-test-util.h"

#include <signal.h>
#include <stdlib.h>

#define TIMEOUT_MS 60000

typedef struct
{
  GMainLoop *loop;
  GSubprocess *process;
  GDataInputStream *stderr_lines;
  GString *stderr_text;
  const char *signal_after; /* send SIGTERM once this line was seen */
  gboolean signalled;
  gboolean eof;
  gboolean exited;
  gboolean timed_out;
} Run;

static char *
make_data_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("saphan-kiosk-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void read_next_line (Run *run);

static void
maybe_quit (Run *run)
{
  if ((run->eof && run->exited) || run->timed_out)
    g_main_loop_quit (run->loop);
}

static void
line_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      run->eof = TRUE;
      maybe_quit (run);
      return;
    }

  g_string_append_printf (run->stderr_text, "%s\n", line);
  if (run->signal_after != NULL && !run->signalled && strstr (line, run->signal_after) != NULL)
    {
      run->signalled = TRUE;
      g_subprocess_send_signal (run->process, SIGTERM);
    }
  read_next_line (run);
}

static void
read_next_line (Run *run)
{
  g_data_input_stream_read_line_async (run->stderr_lines, G_PRIORITY_DEFAULT, NULL, line_read_cb,
                                       run);
}

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  run->exited = TRUE;
  maybe_quit (run);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Run *run = user_data;

  run->timed_out = TRUE;
  g_subprocess_force_exit (run->process);
  maybe_quit (run);
  return G_SOURCE_REMOVE;
}

/* Runs the kiosk with ARGV and extra environment ENV (NULL-terminated
 * pairs); returns everything it printed. OUT_STATUS gets the wait status. */
static char *
run_kiosk (const char *const *argv, const char *const *env, const char *signal_after,
           int *out_status)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  Run run = { 0 };
  guint timeout;

  /* GLib prints debug messages on standard output and the rest on
   * standard error: read both as one stream. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_unsetenv (launcher, "SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME");
  g_subprocess_launcher_unsetenv (launcher, "GTK_DEBUG");
  /* The private test bus has no AT-SPI service to hand out. */
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);

  g_ptr_array_add (args, (gpointer)SAPHAN_KIOSK_PATH);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)argv[i]);
  g_ptr_array_add (args, NULL);

  run.process = g_subprocess_launcher_spawnv (launcher, (const char *const *)args->pdata, &error);
  g_assert_no_error (error);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.stderr_text = g_string_new (NULL);
  run.signal_after = signal_after;
  run.stderr_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run.process));

  read_next_line (&run);
  g_subprocess_wait_async (run.process, NULL, wait_cb, &run);
  timeout = g_timeout_add (TIMEOUT_MS, timeout_cb, &run);
  g_main_loop_run (run.loop);

  if (run.timed_out)
    g_error ("saphan-kiosk did not finish within %d ms; it printed:\n%s", TIMEOUT_MS,
             run.stderr_text->str);
  g_source_remove (timeout);
  if (signal_after != NULL && !run.signalled)
    g_error ("saphan-kiosk never printed “%s”; it printed:\n%s", signal_after,
             run.stderr_text->str);

  *out_status = g_subprocess_get_status (run.process);
  g_object_unref (run.stderr_lines);
  g_object_unref (run.process);
  g_main_loop_unref (run.loop);
  return g_string_free (run.stderr_text, FALSE);
}

static void
assert_exited_cleanly (int status, const char *output)
{
  g_autoptr (GError) error = NULL;

  if (!g_spawn_check_wait_status (status, &error))
    g_error ("saphan-kiosk failed (%s); it printed:\n%s", error->message, output);
}

static double
first_frame_ms (const char *output)
{
  const char *marker = "first frame presented after ";
  const char *found = strstr (output, marker);

  if (found == NULL)
    g_error ("No first-frame line in:\n%s", output);
  return g_ascii_strtod (found + strlen (marker), NULL);
}

/* The services of assets/forms, installed once and active. */
static void
assert_service_forms (const char *data_dir)
{
  static const char *const ids[] = {
    "complaint", "disability_allowance", "elderly_allowance", "farmer_registration", "welfare_card",
  };
  g_autoptr (SaphanStore) store = NULL;
  g_autoptr (GPtrArray) forms = NULL;
  g_autoptr (GError) error = NULL;

  store = saphan_store_open (data_dir, &error);
  g_assert_no_error (error);
  forms = saphan_store_list_forms (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forms->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr (SaphanFormInfo) info = saphan_store_get_form (store, ids[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (info);
      g_assert_true (info->active);
      g_assert_cmpstr (info->version, ==, "2026112401");
      /* The bilingual title from the XForm's h:title. */
      g_assert_nonnull (strstr (info->title, " · "));
      /* Every service asks for an address: the shared address lists came
       * along from assets/forms/media. */
      {
        g_autoptr (GHashTable) media = saphan_store_get_form_media (store, ids[i], &error);

        g_assert_no_error (error);
        g_assert_true (g_hash_table_contains (media, "provinces.csv"));
        g_assert_true (g_hash_table_contains (media, "subdistricts.csv"));
      }
    }
}

static void
test_version (void)
{
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  int status;
  const char *argv[] = { SAPHAN_KIOSK_PATH, "--version", NULL };

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "saphan-kiosk " PACKAGE_VERSION "\n");
}

static void
test_first_frame (void)
{
  g_autofree char *data_dir = make_data_dir ();
  const char *argv[] = { "--data-dir", data_dir, "--kiosk", NULL };
  const char *env[] = { "SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME", "1", NULL };
  int status;

  /* The first start creates the store and installs the service forms;
   * the second only opens them. */
  for (int round = 0; round < 2; round++)
    {
      g_autofree char *output = run_kiosk (argv, env, NULL, &status);
      double ms;

      assert_exited_cleanly (status, output);
      ms = first_frame_ms (output);
      g_test_message ("%s start: first frame after %.1f ms", round == 0 ? "first" : "second", ms);
      g_assert_cmpfloat (ms, >, 0.0);
      g_assert_cmpfloat (ms, <, TIMEOUT_MS);
      g_assert_cmpint (strstr (output, "Installed") != NULL, ==, round == 0);
      assert_service_forms (data_dir);
    }

  ui_test_remove_tree (data_dir);
}

static void
test_sigterm (void)
{
  g_autofree char *data_dir = make_data_dir ();
  g_autofree char *output = NULL;
  const char *argv[] = { "--data-dir", data_dir, NULL };
  const char *env[] = { "G_MESSAGES_DEBUG", "saphan-ui", NULL };
  int status;

  /* Runs until the start page is on screen, then gets what systemd sends. */
  output = run_kiosk (argv, env, "Start page presented", &status);
  assert_exited_cleanly (status, output);
  g_assert_nonnull (strstr (output, "Stopping on a signal"));
  assert_service_forms (data_dir);

  ui_test_remove_tree (data_dir);
}

/* Where OUTPUT, the kiosk's messages, says NEEDLE; the line must come after
 * the start page was presented, the point start-up work waits for. */
static const char *
find_after_start_page (const char *output, const char *needle)
{
  const char *presented = strstr (output, "Start page presented");
  const char *found = strstr (output, needle);

  if (presented == NULL || found == NULL || found < presented)
    g_error ("“%s” did not follow the start page; the kiosk printed:\n%s", needle, output);
  return found;
}

/* A listener on loopback that answers every request as an OpenRosa
 * server's HEAD does, and keeps the request lines it read. */
static gboolean
openrosa_incoming_cb (GSocketService *service, GSocketConnection *connection,
                      GObject *source_object, gpointer user_data)
{
  GPtrArray *requests = user_data;
  g_autoptr (GDataInputStream) in = NULL;
  const char answer[] = "HTTP/1.1 204 No Content\r\n"
                        "X-OpenRosa-Version: 1.0\r\n"
                        "X-OpenRosa-Accept-Content-Length: 10485760\r\n"
                        "Content-Length: 0\r\n"
                        "Connection: close\r\n\r\n";
  char *line;

  /* The kiosk sends its request as soon as it has connected: reading it
   * here, blocking, takes a moment. */
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  if (line != NULL)
    g_ptr_array_add (requests, line);
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL && *line != '\0')
    g_free (line);
  g_free (line);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), answer,
                             strlen (answer), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* libcurl and libcups, with the thirty libraries they bring, are not linked
 * but opened at their first use. A kiosk with a server opens libcurl in a
 * worker once the start page is on the display, then probes the server.
 * The dynamic loader reports each library it opens (LD_DEBUG=files) on the
 * same stream as the kiosk's own messages, so their order is the order
 * things happened in. */
static void
test_sync_after_first_frame (void)
{
  g_autofree char *data_dir = make_data_dir ();
  g_autofree char *output = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (GPtrArray) requests = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "--data-dir", data_dir, NULL };
  const char *env[]
      = { "G_MESSAGES_DEBUG", "saphan-ui saphan-sync", "LD_DEBUG", "files", NULL };
  guint16 port;
  int status;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (openrosa_incoming_cb), requests);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  {
    g_autoptr (SaphanStore) store = saphan_store_open (data_dir, &error);
    SaphanSyncProfile profile = { .kind = SAPHAN_SERVER_OPENROSA, .url = url };

    g_assert_no_error (error);
    g_assert_true (saphan_sync_profile_save (store, &profile, &error));
    g_assert_no_error (error);
  }

  output = run_kiosk (argv, env, "Probe: ", &status);
  g_socket_service_stop (service);
  assert_exited_cleanly (status, output);
  find_after_start_page (output, "file=libcurl.so.4");
  /* The server answered as an OpenRosa server does: reachable. */
  if (!g_str_has_prefix (find_after_start_page (output, "Probe: "), "Probe: accepted"))
    g_error ("The probe did not find the server; the kiosk printed:\n%s", output);
  /* The probe's HEAD came first. Finding the server online makes sync due,
   * and that run's requests (the forms list, say) may follow before the
   * kiosk stops. */
  g_assert_cmpuint (requests->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (requests, 0), ==, "HEAD /submission HTTP/1.1");
  /* Nothing was printed, so nothing needed CUPS. */
  g_assert_null (strstr (output, "file=libcups.so.2"));

  ui_test_remove_tree (data_dir);
}

/* Answers past retention go at start, once the services are shown: here an
 * accepted submission with a retention of 0 days. */
static void
test_retention_at_start (void)
{
  g_autofree char *data_dir = make_data_dir ();
  g_autofree char *output = NULL;
  g_autoptr (SaphanStore) store = NULL;
  g_autoptr (SaphanSubmissionInfo) claimed = NULL;
  g_autoptr (SaphanSubmissionInfo) info = NULL;
  g_autoptr (StoreTestSubmission) submission = store_test_submission_new ("uuid:retention");
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "--data-dir", data_dir, NULL };
  const char *env[] = { "G_MESSAGES_DEBUG", "saphan-ui", NULL };
  int status;

  store = saphan_store_open (data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (saphan_store_finalize (store, &submission->request, &error));
  g_assert_no_error (error);
  claimed = saphan_store_claim_next (store, G_MAXINT32, &error);
  g_assert_no_error (error);
  g_assert_true (saphan_store_mark_accepted (store, "uuid:retention", "Thank you", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_STORE_RETENTION_SETTING, "0", &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  output = run_kiosk (argv, env, "Removed the answers of 1 submissions", &status);
  assert_exited_cleanly (status, output);
  find_after_start_page (output, "Removed the answers of 1 submissions");

  store = saphan_store_open (data_dir, &error);
  g_assert_no_error (error);
  info = saphan_store_get_submission (store, "uuid:retention", &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpint (info->purged_at, >, 0);
  g_clear_object (&store);

  ui_test_remove_tree (data_dir);
}

static void
test_gtk_debug_ignored (void)
{
  g_autofree char *data_dir = make_data_dir ();
  g_autofree char *output = NULL;
  const char *argv[] = { "--data-dir", data_dir, "--kiosk", NULL };
  const char *env[]
      = { "SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME", "1", "GTK_DEBUG", "interactive", NULL };
  int status;

  output = run_kiosk (argv, env, NULL, &status);
  assert_exited_cleanly (status, output);
  g_assert_nonnull (strstr (output, "Ignoring GTK_DEBUG in kiosk mode"));
  first_frame_ms (output);

  ui_test_remove_tree (data_dir);
}

static void
test_bad_data_dir (void)
{
  g_autofree char *data_dir = make_data_dir ();
  g_autofree char *db = g_build_filename (data_dir, "saphan.db", NULL);
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "--data-dir", data_dir, NULL };
  const char *env[] = { "G_MESSAGES_DEBUG", "saphan-ui", "G_DEBUG", "", NULL };
  g_autofree char *output = NULL;
  int status;

  /* Not a database: the kiosk must say so on screen rather than crash or
   * overwrite the file. It keeps running on its error page until stopped. */
  g_file_set_contents (db, "this is not a database, it is a text file that is long enough", -1,
                       &error);
  g_assert_no_error (error);
  output = run_kiosk (argv, env, "The store could not be opened", &status);
  assert_exited_cleanly (status, output);
  {
    g_autofree char *contents = NULL;

    g_file_get_contents (db, &contents, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (contents, "this is not a database"));
  }
  ui_test_remove_tree (data_dir);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GTestDBus) bus = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  ui_test_avoid_gl_under_asan ();
  g_setenv ("GSETTINGS_SCHEMA_DIR", SAPHAN_SCHEMAS_DIR, TRUE);

  bus = ui_test_session_bus_up (argc, argv);

  g_test_add_func ("/ui/binary/version", test_version);
  g_test_add_func ("/ui/binary/first-frame", test_first_frame);
  g_test_add_func ("/ui/binary/sigterm", test_sigterm);
  g_test_add_func ("/ui/binary/gtk-debug-ignored", test_gtk_debug_ignored);
  g_test_add_func ("/ui/binary/sync-after-first-frame", test_sync_after_first_frame);
  g_test_add_func ("/ui/binary/retention-at-start", test_retention_at_start);
  g_test_add_func ("/ui/binary/bad-data-dir", test_bad_data_dir);

  status = g_test_run ();
  if (bus != NULL)
    g_test_dbus_down (bus);
  return status;
}
