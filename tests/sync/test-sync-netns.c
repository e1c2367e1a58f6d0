/* test-sync-netns.c: a bad rural link between two network namespaces.
 *
 * The server lives in one namespace, `saphanctl sync` in another, joined
 * by a veth pair on a private /30 that exists only inside them. The link is
 * shaped to 64 kbit/s with tc tbf (this kernel has no netem), nft drops 7 %
 * of the client's packets and 5 % of the server's, and a thread keeps
 * black-holing the route and taking the link down and up. The first sync
 * is killed with SIGKILL half-way; later runs must drain the queue with no
 * duplicate and no row left "sending".
 *
 * Needs root (CAP_NET_ADMIN) and the ip, tc and nft tools; skipped
 * otherwise. The namespaces go away when the test ends, however it ends
 * (see test_link_new()).
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "saphan-sync-profile.h"
#include "sync-test-util.h"

static const char *saphanctl;
static TestLink *link_;
static volatile gboolean faults_stop;

#define ns_srv (link_->ns_srv)
#define ns_cli (link_->ns_cli)
#define veth_cli (link_->veth_cli)
#define sh test_sh

/* Blackholes and link flaps, one after the other, until told to stop. */
static gpointer
fault_thread (gpointer data)
{
  guint *count = data;

  while (!faults_stop)
    {
      g_autofree char *on = NULL;
      g_autofree char *off = NULL;

      g_usleep (g_random_int_range (1500, 3000) * 1000);
      if (faults_stop)
        break;
      if (g_random_boolean ())
        {
          on = g_strdup_printf ("ip -n %s route add blackhole 10.200.0.1/32", ns_cli);
          off = g_strdup_printf ("ip -n %s route del blackhole 10.200.0.1/32", ns_cli);
        }
      else
        {
          on = g_strdup_printf ("ip -n %s link set %s down", ns_cli, veth_cli);
          off = g_strdup_printf ("ip -n %s link set %s up", ns_cli, veth_cli);
        }
      sh (on);
      g_usleep (g_random_int_range (500, 2500) * 1000);
      sh (off);
      (*count)++;
    }
  return NULL;
}

static GSubprocess *
spawn_sync (const char *dir, const char *timeout)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "ip", "netns", "exec", ns_cli, saphanctl, "--data-dir", dir, "sync", "--once",
                         "--timeout", timeout, NULL };
  GSubprocess *p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);

  g_assert_no_error (error);
  return p;
}

static void
test_bad_link (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) q = NULL;
  const char *prefix[] = { "ip", "netns", "exec", NULL, NULL };
  TestServer *server;
  GThread *faults;
  guint n_faults = 0, runs = 0;
  gint64 start, deadline;

  if (!test_link_possible ())
    {
      g_test_skip ("needs root and the ip, tc and nft tools to build network namespaces");
      return;
    }
  link_ = test_link_new (7, 5);
  if (link_ == NULL)
    {
      g_test_skip ("could not create network namespaces, veth, tbf or nft rules here");
      return;
    }

  prefix[3] = ns_srv;
  server = test_server_start (prefix, "10.200.0.1", NULL);
  server->netns = g_strdup (ns_srv);
  store = test_store_new (&dir);
  test_configure (store, server->base_url, "testtoken");
  /* Timeouts for a link that drops out for seconds at a time. */
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_CONNECT_TIMEOUT, "4", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_TOTAL_TIMEOUT, "30", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_LOW_SPEED_LIMIT, "100", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_LOW_SPEED_TIME, "6", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_BACKOFF_BASE, "1", &error));
  g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_BACKOFF_CAP, "2", &error));
  g_assert_no_error (error);
  test_fill (store, "f1", 1, 30, "netns", 0, 0);
  test_fill (store, "f2", 31, 5, "netns", 1, 4000);

  faults = g_thread_new ("faults", fault_thread, &n_faults);
  start = g_get_monotonic_time ();

  /* A run killed half-way, in the middle of the faults. */
  {
    g_autoptr (GSubprocess) p = spawn_sync (dir, "60");
    g_usleep (5 * G_USEC_PER_SEC);
    g_subprocess_send_signal (p, SIGKILL);
    g_subprocess_wait (p, NULL, NULL);
    runs++;
  }
  /* Then runs until the queue is empty, faults still going. */
  deadline = start + 150 * G_USEC_PER_SEC;
  while (test_count (store, SAPHAN_SUBMISSION_QUEUED) + test_count (store, SAPHAN_SUBMISSION_SENDING) > 0 &&
         g_get_monotonic_time () < deadline)
    {
      g_autoptr (GSubprocess) p = spawn_sync (dir, "40");
      g_subprocess_wait (p, NULL, NULL);
      runs++;
    }
  faults_stop = TRUE;
  g_thread_join (faults);

  g_test_message ("35 submissions over 64 kbit/s with 7 %%/5 %% loss: %u runs (one killed), %u blackholes or "
                  "flaps, %.1f s",
                  runs, n_faults, (g_get_monotonic_time () - start) / 1e6);
  test_assert_agree (store, server, 35);
  q = test_server_query (server);
  g_test_message ("server: %" G_GINT64_FORMAT " POSTs, %" G_GINT64_FORMAT " duplicates",
                  json_object_get_int_member (json_object_get_object_member (q, "counters"), "post"),
                  json_object_get_int_member (json_object_get_object_member (q, "counters"), "duplicate"));

  test_server_stop (server);
  g_clear_object (&store);
  test_remove_dir (dir);
  {
    g_autofree char *cli = g_strdup (ns_cli);
    g_autofree char *srv = g_strdup (ns_srv);
    g_autofree char *list = NULL;

    g_clear_pointer (&link_, test_link_free);
    g_spawn_command_line_sync ("ip netns list", &list, NULL, NULL, NULL);
    g_assert_null (strstr (list != NULL ? list : "", cli));
    g_assert_null (strstr (list != NULL ? list : "", srv));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  saphanctl = argc > 1 ? argv[1] : "saphanctl";
  g_test_add_func ("/sync/netns/bad-link", test_bad_link);
  return g_test_run ();
}
