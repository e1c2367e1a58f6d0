/* cups-harness.c: a private cupsd and two ippeveprinter printers for tests.
 *
 * Nothing here is a stand-in: cupsd schedules real jobs, its ipp backend
 * sends them over IPP to ippeveprinter, and ippeveprinter stores the
 * document exactly as it arrived, which the tests then take apart.
 */
#include "config.h"

#include "cups-harness.h"
#include "receipt-test-util.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cups/cups.h>
#include <glib/gstdio.h>

#define START_TIMEOUT_USEC (20 * G_USEC_PER_SEC)

static const char *const printer_names[HARNESS_N_PRINTERS] = { "roll80", "a4" };

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "receipts", "data", name, NULL);
}

static int
free_port (void)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_open (int port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;

  g_socket_client_set_timeout (client, 1);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, NULL);
  return conn != NULL;
}

static void
wait_for_port (int port, GSubprocess *process, const char *what, const char *log)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_USEC;

  while (!port_open (port))
    {
      if (g_get_monotonic_time () > deadline || g_subprocess_get_identifier (process) == NULL)
        {
          g_autofree char *text = NULL;
          g_file_get_contents (log, &text, NULL, NULL);
          g_error ("%s did not start on port %d. Its log:\n%s", what, port, text != NULL ? text : "(none)");
        }
      g_usleep (50 * 1000);
    }
}

static gboolean
spawn_ok (const char *const *argv, char **out_stderr)
{
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, out_stderr, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

/* ippeveprinter registers with avahi over the system bus. Both are system
 * daemons: they are started when missing and left running afterwards, as
 * other programs on the machine may come to rely on them. */
static void
ensure_dns_sd (void)
{
  const char *check_bus[] = { "dbus-send", "--system", "--dest=org.freedesktop.DBus", "--print-reply",
                              "/org/freedesktop/DBus", "org.freedesktop.DBus.GetId", NULL };
  const char *start_bus[] = { "dbus-daemon", "--system", "--fork", NULL };
  const char *check_avahi[] = { "avahi-daemon", "--check", NULL };
  const char *start_avahi[] = { "avahi-daemon", "--daemonize", NULL };

  if (!spawn_ok (check_bus, NULL))
    {
      /* A pid file left by a bus that died keeps a new one from starting. */
      g_mkdir_with_parents ("/run/dbus", 0755);
      g_unlink ("/run/dbus/pid");
      if (!spawn_ok (start_bus, NULL))
        g_test_message ("cannot start the system D-Bus (not root?); ippeveprinter may not announce itself");
    }
  if (!spawn_ok (check_avahi, NULL))
    {
      g_unlink ("/run/avahi-daemon/pid");
      if (!spawn_ok (start_avahi, NULL))
        g_test_message ("cannot start avahi-daemon (not root?); ippeveprinter may not announce itself");
      else
        for (int i = 0; i < 50 && !spawn_ok (check_avahi, NULL); i++)
          g_usleep (100 * 1000);
    }
}

/* A failed assertion aborts the test without tearing anything down; the
 * kernel then ends the daemons so that none outlives its test. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn_logged (const char *log, const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

void
cups_harness_start_printer (CupsHarness *h, HarnessPrinter which)
{
  g_autofree char *conf = g_strdup_printf ("ippeve-%s.conf", printer_names[which]);
  g_autofree char *conf_path = data_path (conf);
  g_autofree char *port = g_strdup_printf ("%d", h->printer_port[which]);
  g_autofree char *log = g_strdup_printf ("%s/ippeveprinter-%s.log", h->dir, printer_names[which]);
  g_autofree char *name = g_strdup_printf ("Saphan test %s %d", printer_names[which], (int) getpid ());
  /* -c /bin/true: the printer "prints" at once instead of simulating a
   * page time; -k keeps every received document for the tests. */
  const char *argv[] = { "ippeveprinter", "-n", "localhost", "-p", port, "-a", conf_path,
                         "-d", h->spool[which], "-k", "-c", "/bin/true", name, NULL };

  g_assert_null (h->printer[which]);
  h->printer[which] = spawn_logged (log, argv);
  wait_for_port (h->printer_port[which], h->printer[which], "ippeveprinter", log);
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

void
cups_harness_stop_printer (CupsHarness *h, HarnessPrinter which)
{
  stop_process (&h->printer[which]);
}

void
cups_harness_start_cupsd (CupsHarness *h)
{
  g_autofree char *conf = g_build_filename (h->dir, "cupsd.conf", NULL);
  g_autofree char *files = g_build_filename (h->dir, "cups-files.conf", NULL);
  g_autofree char *log = g_build_filename (h->dir, "cupsd.out", NULL);
  const char *argv[] = { "cupsd", "-f", "-c", conf, "-s", files, NULL };

  g_assert_null (h->cupsd);
  h->cupsd = spawn_logged (log, argv);
  wait_for_port (h->cupsd_port, h->cupsd, "cupsd", log);
}

void
cups_harness_stop_cupsd (CupsHarness *h)
{
  stop_process (&h->cupsd);
}

static void
write_configs (CupsHarness *h)
{
  g_autofree char *conf = g_strdup_printf (
      "# A private scheduler for tests: loopback only, no browsing, no auth.\n"
      "LogLevel info\n"
      "Listen 127.0.0.1:%d\n"
      "Browsing No\n"
      "DefaultAuthType None\n"
      "WebInterface No\n"
      "PreserveJobHistory Yes\n"
      "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
      "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
      h->cupsd_port);
  g_autofree char *files = g_strdup_printf (
      "ServerRoot %1$s/cups\n"
      "RequestRoot %1$s/cups/spool\n"
      "CacheDir %1$s/cups/cache\n"
      "StateDir %1$s/cups/state\n"
      "TempDir %1$s/cups/tmp\n"
      "AccessLog %1$s/cups/log/access_log\n"
      "ErrorLog %1$s/cups/log/error_log\n"
      "PageLog %1$s/cups/log/page_log\n"
      "DataDir /usr/share/cups\n"
      "ServerBin /usr/lib/cups\n"
      "Printcap\n",
      h->dir);
  g_autofree char *conf_path = g_build_filename (h->dir, "cupsd.conf", NULL);
  g_autofree char *files_path = g_build_filename (h->dir, "cups-files.conf", NULL);
  const char *const subdirs[] = { "cups", "cups/spool", "cups/cache", "cups/state", "cups/tmp", "cups/log" };

  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (h->dir, subdirs[i], NULL);
      g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
    }
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
  g_assert_true (g_file_set_contents (files_path, files, -1, NULL));
}

static void
add_queue (CupsHarness *h, const char *queue, HarnessPrinter which, const char *ppd)
{
  g_autofree char *ppd_path = data_path (ppd);
  /* waitjob=false: the job is done once the printer has the whole
   * document, which is what the tests wait for. abort-job: a failing job
   * must not stop the queue for the next test (the kiosk's queue should
   * be set up the same way). */
  g_autofree char *uri = g_strdup_printf ("ipp://localhost:%d/ipp/print?waitjob=false",
                                          h->printer_port[which]);
  const char *argv[] = { "lpadmin", "-p", queue, "-E", "-v", uri, "-P", ppd_path,
                         "-o", "printer-error-policy=abort-job", NULL };
  cups_harness_run (h, argv);
}

CupsHarness *
cups_harness_start (char **out_skip_reason)
{
  const char *const tools[] = { "cupsd", "ippeveprinter", "lpadmin", "cupsdisable", "cancel", "pdftoppm" };
  g_autoptr (GError) error = NULL;
  g_autofree char *cups_server = NULL;
  CupsHarness *h;

  /* The CUPS daemons and admin tools live in sbin, which a non-root PATH
   * may lack. */
  {
    g_autofree char *path = g_strdup_printf ("%s:/usr/sbin:/sbin", g_getenv ("PATH") != NULL ? g_getenv ("PATH") : "/usr/bin:/bin");
    g_setenv ("PATH", path, TRUE);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autofree char *found = g_find_program_in_path (tools[i]);
      if (found == NULL)
        {
          *out_skip_reason = g_strdup_printf ("%s is not installed (packages cups-daemon, "
                                              "cups-ipp-utils, cups-client, poppler-utils)", tools[i]);
          return NULL;
        }
    }

  ensure_dns_sd ();
  h = g_new0 (CupsHarness, 1);
  h->dir = g_dir_make_tmp ("saphan-cups-XXXXXX", &error);
  g_assert_no_error (error);
  /* cupsd runs its backends as the lp user, who must reach the spool. */
  g_assert_cmpint (g_chmod (h->dir, 0755), ==, 0);

  for (int i = 0; i < HARNESS_N_PRINTERS; i++)
    {
      h->printer_port[i] = free_port ();
      h->spool[i] = g_strdup_printf ("%s/received-%s", h->dir, printer_names[i]);
      g_assert_cmpint (g_mkdir_with_parents (h->spool[i], 0755), ==, 0);
      cups_harness_start_printer (h, i);
    }
  h->cupsd_port = free_port ();
  cups_server = g_strdup_printf ("127.0.0.1:%d", h->cupsd_port);
  g_setenv ("CUPS_SERVER", cups_server, TRUE);
  cupsSetServer (NULL);
  write_configs (h);
  cups_harness_start_cupsd (h);
  add_queue (h, HARNESS_QUEUE_ROLL80, HARNESS_ROLL80, "roll80.ppd");
  add_queue (h, HARNESS_QUEUE_A4, HARNESS_A4, "a4.ppd");
  return h;
}

void
cups_harness_stop (CupsHarness *h)
{
  if (h == NULL)
    return;
  cups_harness_stop_cupsd (h);
  for (int i = 0; i < HARNESS_N_PRINTERS; i++)
    {
      cups_harness_stop_printer (h, i);
      g_free (h->spool[i]);
    }
  if (g_getenv ("SAPHAN_KEEP_CUPS") == NULL)
    rtu_remove_tree (h->dir);
  else
    g_test_message ("CUPS harness kept in %s", h->dir);
  g_free (h->dir);
  g_free (h);
}

void
cups_harness_run (CupsHarness *h, const char *const *argv)
{
  g_autofree char *err = NULL;

  if (!spawn_ok (argv, &err))
    g_error ("%s failed: %s", argv[0], err != NULL ? err : "(no output)");
}

static int
compare_mtime (gconstpointer a, gconstpointer b)
{
  const char *pa = *(const char *const *) a;
  const char *pb = *(const char *const *) b;
  struct stat sa, sb;

  if (g_stat (pa, &sa) != 0 || g_stat (pb, &sb) != 0)
    return g_strcmp0 (pa, pb);
  if (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec)
    return sa.st_mtim.tv_sec < sb.st_mtim.tv_sec ? -1 : 1;
  if (sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec)
    return sa.st_mtim.tv_nsec < sb.st_mtim.tv_nsec ? -1 : 1;
  return g_strcmp0 (pa, pb);
}

static GPtrArray *
list_documents (CupsHarness *h, HarnessPrinter which)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (h->spool[which], 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".pdf"))
      g_ptr_array_add (paths, g_build_filename (h->spool[which], name, NULL));
  g_ptr_array_sort (paths, compare_mtime);
  return paths;
}

guint
cups_harness_count_documents (CupsHarness *h, HarnessPrinter which)
{
  g_autoptr (GPtrArray) paths = list_documents (h, which);
  return paths->len;
}

GBytes *
cups_harness_take_document (CupsHarness *h, HarnessPrinter which, guint index)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_USEC;

  for (;;)
    {
      g_autoptr (GPtrArray) paths = list_documents (h, which);

      if (index < paths->len)
        {
          g_autofree char *data = NULL;
          gsize len = 0;

          /* The file is complete once its end-of-file marker is in. */
          if (g_file_get_contents (paths->pdata[index], &data, &len, NULL) && len > 6 &&
              g_strstr_len (data + len - MIN (len, 32), MIN (len, 32), "%%EOF") != NULL)
            return g_bytes_new_take (g_steal_pointer (&data), len);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("printer %s received no document number %u", printer_names[which], index + 1);
      g_usleep (50 * 1000);
    }
}

guint
cups_harness_active_jobs (CupsHarness *h, const char *queue)
{
  cups_job_t *jobs = NULL;
  int n;

  cupsSetServer (NULL);
  n = cupsGetJobs2 (CUPS_HTTP_DEFAULT, &jobs, queue, 0, CUPS_WHICHJOBS_ACTIVE);
  cupsFreeJobs (n, jobs);
  return n < 0 ? 0 : (guint) n;
}
