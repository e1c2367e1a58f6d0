/* bench-sync.c: figures, never pass or fail.
 *
 *   bench-sync [SAPHANCTL] [N]
 *
 * Drains N (default 1,000) queued submissions to the reference server over
 * loopback and compares the rate with a bare libcurl loop that uploads the
 * same bytes with a reused connection and nothing else: no store, no HEAD,
 * no classification. The ratio is what the outbox bookkeeping costs.
 *
 * As root, it then drains submissions with photos over a 64 kbit/s tc tbf
 * link between two network namespaces and prints the goodput (payload
 * bytes per second) as a fraction of the link rate.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <curl/curl.h>

#include "saphan-sync.h"
#include "sync-test-util.h"

static size_t
discard_cb (char *data, size_t size, size_t n, void *user_data)
{
  return size * n;
}

static double
bare_curl_loop (TestServer *server, SaphanStore *store, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = saphan_store_list_submissions (store, -1, 0, &error);
  g_autofree char *url = g_strdup_printf ("%s/v1/key/testtoken/projects/1/submission", server->base_url);
  struct curl_slist *headers = curl_slist_append (NULL, "X-OpenRosa-Version: 1.0");
  CURL *easy = curl_easy_init ();
  gint64 start;

  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, discard_cb);
  curl_easy_setopt (easy, CURLOPT_NOPROXY, "*");
  start = g_get_monotonic_time ();
  for (guint i = 0; i < all->len && i < n; i++)
    {
      SaphanSubmissionInfo *s = all->pdata[i];
      g_autoptr (GBytes) payload = saphan_store_get_payload (store, s->instance_id, NULL);
      curl_mime *mime = curl_mime_init (easy);
      curl_mimepart *part = curl_mime_addpart (mime);
      gsize size;
      const char *data = g_bytes_get_data (payload, &size);

      curl_mime_name (part, "xml_submission_file");
      curl_mime_filename (part, "submission.xml");
      curl_mime_type (part, "text/xml");
      curl_mime_data (part, data, size);
      curl_easy_setopt (easy, CURLOPT_MIMEPOST, mime);
      curl_easy_perform (easy);
      curl_mime_free (mime);
    }
  curl_easy_cleanup (easy);
  curl_slist_free_all (headers);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
bench_slow_link (const char *saphanctl)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  const char *prefix[] = { "ip", "netns", "exec", NULL, NULL };
  TestLink *link;
  TestServer *server;
  JsonObject *summary;
  gint64 payload_bytes = 0;
  double seconds;

  if (!test_link_possible () || (link = test_link_new (0, 0)) == NULL)
    {
      printf ("64 kbit/s link: skipped (needs root, ip, tc and nft)\n");
      return;
    }
  prefix[3] = link->ns_srv;
  server = test_server_start (prefix, "10.200.0.1", NULL);
  store = test_store_new (&dir);
  test_configure (store, server->base_url, "testtoken");
  test_fill (store, "f2", 1, 8, "goodput", 1, 12000);
  all = saphan_store_list_submissions (store, -1, 0, NULL);
  for (guint i = 0; i < all->len; i++)
    {
      SaphanSubmissionInfo *s = all->pdata[i];
      g_autoptr (GPtrArray) atts = saphan_store_get_attachments (store, s->instance_id, NULL);
      payload_bytes += s->payload_size;
      for (guint a = 0; a < atts->len; a++)
        payload_bytes += g_bytes_get_size (((SaphanAttachment *) atts->pdata[a])->data);
    }
  {
    const char *argv[] = { "ip", "netns", "exec", link->ns_cli, saphanctl, "--json", "--data-dir", dir,
                           "sync", "--once", "--timeout", "120", NULL };
    out = test_run_ok (argv);
  }
  json_parser_load_from_data (parser, out, -1, NULL);
  summary = json_node_get_object (json_parser_get_root (parser));
  seconds = json_object_get_double_member (summary, "seconds");
  printf ("64 kbit/s link: %" G_GINT64_FORMAT " accepted, %" G_GINT64_FORMAT " payload bytes "
          "(%" G_GINT64_FORMAT " bytes of HTTP bodies) in %.1f s\n",
          json_object_get_int_member (summary, "accepted"), payload_bytes,
          json_object_get_int_member (summary, "bytes_sent"), seconds);
  printf ("goodput: %.0f B/s = %.2f of the 8000 B/s link rate\n", payload_bytes / seconds,
          payload_bytes / seconds / 8000.0);
  test_server_stop (server);
  g_clear_object (&store);
  test_remove_dir (dir);
  test_link_free (link);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = NULL;
  g_autoptr (SaphanSync) sync = NULL;
  g_autoptr (GError) error = NULL;
  SaphanSyncSummary summary = { 0 };
  TestServer *server;
  guint n = argc > 2 ? (guint) atoi (argv[2]) : 1000;
  double engine_s, bare_s;

  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  store = test_store_new (&dir);
  server = test_server_start (NULL, NULL, NULL);
  test_configure (store, server->base_url, "testtoken");
  test_fill (store, "f1", 1, n, "bench", 0, 0);

  sync = saphan_sync_new (store);
  if (!saphan_sync_run (sync, 0, NULL, &summary, &error))
    g_error ("%s", error->message);
  engine_s = summary.elapsed_us / 1e6;
  printf ("engine: %u submissions accepted in %.2f s = %.0f/s (%u requests)\n", summary.accepted, engine_s,
          summary.accepted / engine_s, summary.requests);

  /* The same bytes again: the server answers 201 duplicate, the same work
   * for it as a new submission minus one dictionary insert. */
  bare_s = bare_curl_loop (server, store, n);
  printf ("bare curl loop: %u uploads in %.2f s = %.0f/s\n", n, bare_s, n / bare_s);
  printf ("engine / bare rate: %.2f\n", (summary.accepted / engine_s) / (n / bare_s));

  bench_slow_link (argc > 1 ? argv[1] : "saphanctl");

  saphan_sync_summary_clear (&summary);
  test_server_stop (server);
  g_clear_object (&sync);
  g_clear_object (&store);
  test_remove_dir (dir);
  return 0;
}
