/* sync-test-util.c: the reference OpenRosa server and filled stores. */
#include "config.h"

#include "sync-test-util.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <curl/curl.h>
#include <glib/gstdio.h>

#include "saphan-sync-profile.h"

static void
die_with_parent (gpointer user_data)
{
  /* A failed assertion aborts the test: the server must not outlive it
   * and keep the test runner waiting on its output. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

TestServer *
test_server_start (const char *const *prefix_argv, const char *bind, const char *const *extra_args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "openrosa-server", "openrosa-server.py", NULL);
  g_autofree char *line = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  TestServer *server = g_new0 (TestServer, 1);
  static const char *const proxy_vars[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };

  /* libcurl honours these; a proxy from the machine running the tests must
   * not sit between the kiosk and the server on loopback. */
  for (guint i = 0; i < G_N_ELEMENTS (proxy_vars); i++)
    g_unsetenv (proxy_vars[i]);

  for (guint i = 0; prefix_argv != NULL && prefix_argv[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) prefix_argv[i]);
  g_ptr_array_add (argv, (char *) "python3");
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *) "--bind");
  g_ptr_array_add (argv, (char *) (bind != NULL ? bind : "127.0.0.1"));
  g_ptr_array_add (argv, (char *) "--form");
  g_ptr_array_add (argv, (char *) "f1");
  g_ptr_array_add (argv, (char *) "--form");
  g_ptr_array_add (argv, (char *) "f2");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  server->port = (guint16) atoi (line + 5);
  server->host = g_strdup (bind != NULL ? bind : "127.0.0.1");
  server->base_url = g_strdup_printf ("http://%s:%u", server->host, server->port);
  return server;
}

void
test_server_stop (TestServer *server)
{
  if (server == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  g_free (server->host);
  g_free (server->base_url);
  g_free (server->netns);
  g_free (server);
}

static size_t
collect_cb (char *data, size_t size, size_t n, void *user_data)
{
  g_string_append_len (user_data, data, size * n);
  return size * n;
}

/* From the test's own namespace the server in another one is out of reach:
 * talk to it from inside its namespace over its own address, which never
 * crosses the faulty link. */
static char *
http_in_netns (TestServer *server, const char *url, const char *post_body)
{
  const char *argv[] = { "ip", "netns", "exec", server->netns, "python3", "-c",
                         "import sys, urllib.request\n"
                         "data = sys.argv[2].encode() if len(sys.argv) > 2 else None\n"
                         "sys.stdout.write(urllib.request.urlopen(sys.argv[1], data, timeout=30).read().decode())\n",
                         url, post_body, NULL };

  return test_run_ok (argv);
}

static char *
http_simple (TestServer *server, const char *path, const char *post_body)
{
  g_autofree char *url = g_strdup_printf ("%s%s", server->base_url, path);
  GString *out = g_string_new (NULL);
  CURL *easy = curl_easy_init ();
  CURLcode rc;
  long status = 0;

  if (server->netns != NULL)
    {
      curl_easy_cleanup (easy);
      g_string_free (out, TRUE);
      return http_in_netns (server, url, post_body);
    }
  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, collect_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, out);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt (easy, CURLOPT_NOPROXY, "*");
  if (post_body != NULL)
    curl_easy_setopt (easy, CURLOPT_POSTFIELDS, post_body);
  rc = curl_easy_perform (easy);
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (easy);
  g_assert_cmpint (rc, ==, CURLE_OK);
  g_assert_cmpint (status, ==, 200);
  return g_string_free (out, FALSE);
}

void
test_server_control (TestServer *server, const char *json)
{
  /* http_simple() checks the status; the body says nothing more. */
  g_free (http_simple (server, "/control", json));
}

JsonObject *
test_server_query (TestServer *server)
{
  g_autofree char *text = http_simple (server, "/query", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

guint
test_server_count_instances (TestServer *server)
{
  JsonObject *q = test_server_query (server);
  guint n = json_object_get_size (json_object_get_object_member (q, "instances"));

  json_object_unref (q);
  return n;
}

GSocket *
test_refusing_port (guint16 *out_port)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any_port, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

SaphanStore *
test_store_new (char **out_dir)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("saphan-sync-XXXXXX", &error);
  SaphanStore *store;

  g_assert_no_error (error);
  store = saphan_store_open (dir, &error);
  g_assert_no_error (error);
  *out_dir = dir;
  return store;
}

void
test_remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        test_remove_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

char *
test_instance_id (guint n, const char *seed)
{
  /* A UUID-shaped id that is stable for (N, SEED) across processes. */
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_MD5, seed != NULL ? seed : "", -1);

  return g_strdup_printf ("uuid:%.8s-%.4s-4%.3s-8%.3s-%012u", hash, hash + 8, hash + 12, hash + 15, n);
}

char *
test_submission_xml (const char *form_id, guint n, const char *seed)
{
  g_autofree char *id = test_instance_id (n, seed);

  return g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                          "<data xmlns:jr=\"http://openrosa.org/javarosa\" id=\"%s\" version=\"1\">"
                          "<service>passport</service><village>Ban Nong %u</village><note>%s</note>"
                          "<meta><instanceID>%s</instanceID></meta></data>\n",
                          form_id, n, seed != NULL ? seed : "", id);
}

void
test_fill (SaphanStore *store, const char *form_id, guint first, guint n, const char *seed, guint n_attach,
           gsize attach_size)
{
  for (guint i = first; i < first + n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *xml = test_submission_xml (form_id, i, seed);
      g_autofree char *id = test_instance_id (i, seed);
      g_autofree char *receipt = g_strdup_printf ("R-%s-%06u", seed != NULL ? seed : "", i);
      g_autoptr (GBytes) payload = g_bytes_new (xml, strlen (xml));
      g_autoptr (GPtrArray) attachments = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) datas = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      SaphanFinalizeRequest request = { 0 };

      for (guint a = 0; a < n_attach; a++)
        {
          SaphanAttachment *att = g_new0 (SaphanAttachment, 1);
          guint8 *data = g_malloc (attach_size);
          for (gsize b = 0; b < attach_size; b++)
            data[b] = (guint8) (b * 31 + a * 7 + i);
          g_ptr_array_add (names, g_strdup_printf ("photo-%u.jpg", a));
          g_ptr_array_add (datas, g_bytes_new_take (data, attach_size));
          att->name = names->pdata[a];
          att->data = datas->pdata[a];
          g_ptr_array_add (attachments, att);
        }
      request.instance_id = id;
      request.form_id = form_id;
      request.form_version = "1";
      request.payload = payload;
      request.attachments = n_attach > 0 ? attachments : NULL;
      request.receipt_number = receipt;
      g_assert_true (saphan_store_finalize (store, &request, &error));
      g_assert_no_error (error);
    }
}

void
test_configure (SaphanStore *store, const char *base_url, const char *token)
{
  g_autoptr (GError) error = NULL;
  SaphanSyncProfile p = { 0 };

  p.kind = SAPHAN_SERVER_CENTRAL;
  p.url = (char *) base_url;
  p.token = (char *) token;
  p.project = (char *) "1";
  g_assert_true (saphan_sync_profile_save (store, &p, &error));
  g_assert_no_error (error);
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_BACKOFF_BASE, "0", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_BACKOFF_CAP, "1", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_CONNECT_TIMEOUT, "5", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_TOTAL_TIMEOUT, "20", &error));
  g_assert_no_error (error);
}

gint64
test_count (SaphanStore *store, SaphanSubmissionState state)
{
  g_autoptr (GError) error = NULL;
  gint64 counts[SAPHAN_SUBMISSION_N_STATES] = { 0 };

  g_assert_true (saphan_store_count_by_state (store, counts, &error));
  g_assert_no_error (error);
  return counts[state];
}

char *
test_run_ok (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;

  p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (p) || g_subprocess_get_exit_status (p) != 0)
    g_error ("%s failed: %s%s", argv[0], out, err);
  return out;
}

/* Every submission in STORE is accepted and held by the server exactly
 * once, with the very bytes the store froze at finalize. */
void
test_assert_agree (SaphanStore *store, TestServer *server, guint expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = saphan_store_list_submissions (store, -1, 0, &error);
  g_autoptr (JsonObject) q = test_server_query (server);
  JsonObject *instances = json_object_get_object_member (q, "instances");

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, expected);
  g_assert_cmpuint (json_object_get_size (instances), ==, expected);
  g_assert_cmpint (test_count (store, SAPHAN_SUBMISSION_ACCEPTED), ==, expected);
  g_assert_cmpint (test_count (store, SAPHAN_SUBMISSION_SENDING), ==, 0);
  g_assert_cmpint (test_count (store, SAPHAN_SUBMISSION_QUEUED), ==, 0);
  for (guint i = 0; i < all->len; i++)
    {
      SaphanSubmissionInfo *s = all->pdata[i];
      g_autoptr (GBytes) payload = saphan_store_get_payload (store, s->instance_id, &error);
      g_autoptr (GPtrArray) attachments = saphan_store_get_attachments (store, s->instance_id, &error);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, payload);
      JsonObject *rec;
      JsonObject *files;

      g_assert_no_error (error);
      g_assert_true (json_object_has_member (instances, s->instance_id));
      rec = json_object_get_object_member (instances, s->instance_id);
      g_assert_cmpint (json_object_get_int_member (rec, "stored"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (rec, "conflicts"), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (rec, "sha256"), ==, sha);
      files = json_object_get_object_member (rec, "files");
      g_assert_cmpuint (json_object_get_size (files), ==, attachments->len);
      for (guint a = 0; a < attachments->len; a++)
        {
          SaphanAttachment *att = attachments->pdata[a];
          g_autofree char *asha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, att->data);
          g_assert_cmpstr (json_object_get_string_member (files, att->name), ==, asha);
        }
    }
}

/* ---- network namespaces ------------------------------------------------ */


gboolean
test_sh (const char *command)
{
  g_autoptr (GError) error = NULL;
  int status = 0;
  g_autofree char *err = NULL;

  if (!g_spawn_command_line_sync (command, NULL, &err, &status, &error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("“%s” failed: %s", command, err);
      return FALSE;
    }
  return TRUE;
}

/* Forks `sh` that waits for its stdin to close, which happens when this
 * process exits for any reason, crash and abort included, and then removes
 * everything the test created. */
static void
start_guardian (TestLink *link)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = g_strdup_printf ("read x; ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; "
                                             "ip link del %s 2>/dev/null; exit 0",
                                             link->ns_srv, link->ns_cli, link->veth_srv);
  const char *argv[] = { "sh", "-c", script, NULL };

  link->guardian = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
}

static void
stop_guardian (TestLink *link)
{
  g_output_stream_close (g_subprocess_get_stdin_pipe (link->guardian), NULL, NULL);
  g_subprocess_wait (link->guardian, NULL, NULL);
  g_clear_object (&link->guardian);
}

static gboolean
setup_link (TestLink *link, int loss_cli, int loss_srv)
{
  char *cmds[] = {
    g_strdup_printf ("ip netns add %s", link->ns_srv),
    g_strdup_printf ("ip netns add %s", link->ns_cli),
    g_strdup_printf ("ip link add %s type veth peer name %s", link->veth_srv, link->veth_cli),
    g_strdup_printf ("ip link set %s netns %s", link->veth_srv, link->ns_srv),
    g_strdup_printf ("ip link set %s netns %s", link->veth_cli, link->ns_cli),
    g_strdup_printf ("ip -n %s addr add 10.200.0.1/30 dev %s", link->ns_srv, link->veth_srv),
    g_strdup_printf ("ip -n %s addr add 10.200.0.2/30 dev %s", link->ns_cli, link->veth_cli),
    g_strdup_printf ("ip -n %s link set lo up", link->ns_srv),
    g_strdup_printf ("ip -n %s link set lo up", link->ns_cli),
    g_strdup_printf ("ip -n %s link set %s up", link->ns_srv, link->veth_srv),
    g_strdup_printf ("ip -n %s link set %s up", link->ns_cli, link->veth_cli),
    /* 64 kbit/s each way, with a queue of about half a second. */
    g_strdup_printf ("ip netns exec %s tc qdisc add dev %s root tbf rate 64kbit burst 4kb latency 500ms",
                     link->ns_cli, link->veth_cli),
    g_strdup_printf ("ip netns exec %s tc qdisc add dev %s root tbf rate 64kbit burst 4kb latency 500ms",
                     link->ns_srv, link->veth_srv),
    g_strdup_printf ("ip netns exec %s nft add table inet saphan", link->ns_cli),
    g_strdup_printf ("ip netns exec %s nft add chain inet saphan out { type filter hook output priority 0 ; }",
                     link->ns_cli),
    g_strdup_printf ("ip netns exec %s nft add rule inet saphan out oifname %s numgen random mod 100 < %d drop",
                     link->ns_cli, link->veth_cli, loss_cli),
    g_strdup_printf ("ip netns exec %s nft add table inet saphan", link->ns_srv),
    g_strdup_printf ("ip netns exec %s nft add chain inet saphan out { type filter hook output priority 0 ; }",
                     link->ns_srv),
    g_strdup_printf ("ip netns exec %s nft add rule inet saphan out oifname %s numgen random mod 100 < %d drop",
                     link->ns_srv, link->veth_srv, loss_srv),
    NULL,
  };
  gboolean ok = TRUE;

  for (guint i = 0; ok && cmds[i] != NULL; i++)
    ok = test_sh (cmds[i]);
  for (guint i = 0; cmds[i] != NULL; i++)
    g_free (cmds[i]);
  return ok;
}

gboolean
test_link_possible (void)
{
  g_autofree char *ip = g_find_program_in_path ("ip");
  g_autofree char *tc = g_find_program_in_path ("tc");
  g_autofree char *nft = g_find_program_in_path ("nft");

  return getuid () == 0 && ip != NULL && tc != NULL && nft != NULL;
}

TestLink *
test_link_new (int loss_cli, int loss_srv)
{
  TestLink *link = g_new0 (TestLink, 1);

  g_snprintf (link->ns_srv, sizeof link->ns_srv, "saphan-srv-%d", (int) getpid ());
  g_snprintf (link->ns_cli, sizeof link->ns_cli, "saphan-cli-%d", (int) getpid ());
  g_snprintf (link->veth_srv, sizeof link->veth_srv, "sph%da", (int) getpid () % 1000000);
  g_snprintf (link->veth_cli, sizeof link->veth_cli, "sph%db", (int) getpid () % 1000000);
  start_guardian (link);
  if (!setup_link (link, loss_cli, loss_srv))
    {
      test_link_free (link);
      return NULL;
    }
  return link;
}

void
test_link_free (TestLink *link)
{
  if (link == NULL)
    return;
  stop_guardian (link);
  g_free (link);
}
