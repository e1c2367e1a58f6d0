/* test-usb-sync.c: export → import → sync against the reference OpenRosa
 * server (tests/openrosa-server/), over a real socket.
 *
 * Kiosk A has no connection: its queue goes out on a stick, kiosk B imports
 * it and syncs, and every submission must reach the server exactly once
 * with A's exact bytes. When A later gets its own connection it resends
 * what it only exported; the server sees identical duplicates, never a
 * conflict, and still holds each submission once.
 */
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "saphan-kiosk-key.h"
#include "saphan-sync.h"
#include "saphan-usb.h"
#include "sync-test-util.h"

#define N 20

static void
test_export_import_sync (void)
{
  g_autofree char *a_dir = NULL, *b_dir = NULL, *stick = NULL, *public_text = NULL;
  g_autoptr (SaphanStore) a = test_store_new (&a_dir);
  g_autoptr (SaphanStore) b = test_store_new (&b_dir);
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (SaphanUsbExportResult) exported = NULL;
  g_autoptr (SaphanSync) sync_b = NULL, sync_a = NULL;
  g_autoptr (GError) error = NULL;
  SaphanUsbImportResult imported = { 0 };
  SaphanSyncSummary summary = { 0 };
  TestServer *server = test_server_start (NULL, NULL, NULL);
  JsonObject *query, *instances;

  stick = g_build_filename (a_dir, "stick", NULL);
  g_assert_cmpint (g_mkdir (stick, 0700), ==, 0);
  test_fill (a, "f1", 1, N, "usb", 2, 3000);
  key = saphan_kiosk_key_load_or_create (a_dir, &error);
  g_assert_no_error (error);
  public_text = saphan_kiosk_key_export_public (key, NULL);

  exported = saphan_usb_export (a, stick, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exported->n_submissions, ==, N);
  saphan_usb_import (b, stick, public_text, NULL, &imported, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported.n_queued, ==, N);

  test_configure (b, server->base_url, "testtoken");
  sync_b = saphan_sync_new (b);
  saphan_sync_run (sync_b, 20, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary.accepted, ==, N);
  saphan_sync_summary_clear (&summary);

  query = test_server_query (server);
  instances = json_object_get_object_member (query, "instances");
  g_assert_cmpuint (json_object_get_size (instances), ==, N);
  for (guint i = 1; i <= N; i++)
    {
      g_autofree char *id = test_instance_id (i, "usb");
      g_autoptr (GBytes) payload = saphan_store_get_payload (a, id, &error);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, payload);
      JsonObject *rec = json_object_get_object_member (instances, id);

      g_assert_nonnull (rec);
      g_assert_cmpint (json_object_get_int_member (rec, "posts"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (rec, "duplicates"), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (rec, "sha256"), ==, sha);
      g_assert_cmpuint (json_object_get_size (json_object_get_object_member (rec, "files")), ==, 2);
    }
  json_object_unref (query);

  /* A's own connection: the exported-but-unconfirmed items go again and
   * are accepted as identical duplicates. */
  test_configure (a, server->base_url, "testtoken");
  sync_a = saphan_sync_new (a);
  saphan_sync_run (sync_a, 20, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary.accepted, ==, N);
  saphan_sync_summary_clear (&summary);
  g_assert_cmpint (test_count (a, SAPHAN_SUBMISSION_ACCEPTED), ==, N);
  query = test_server_query (server);
  instances = json_object_get_object_member (query, "instances");
  g_assert_cmpuint (json_object_get_size (instances), ==, N);
  {
    g_autoptr (GList) values = json_object_get_values (instances);
    for (GList *it = values; it != NULL; it = it->next)
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (it->data), "conflicts"),
                       ==, 0);
  }
  json_object_unref (query);

  test_server_stop (server);
  g_clear_object (&sync_a);
  g_clear_object (&sync_b);
  g_clear_object (&a);
  g_clear_object (&b);
  test_remove_dir (a_dir);
  test_remove_dir (b_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/usb/export-import-sync", test_export_import_sync);
  return g_test_run ();
}
