/* store-test-util.c: deterministic submissions and small helpers shared by
 * the store's tests and the crash child. */
#include "config.h"

#include "store-test-util.h"

#include <string.h>

#include <glib/gstdio.h>

/* Every random choice of a submission comes from a generator seeded with
 * the SHA-256 of its instance id. */
static GRand *
rand_for (const char *instance_id, const char *purpose)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint32 seed[8];

  g_checksum_update (checksum, (const guchar *) instance_id, -1);
  g_checksum_update (checksum, (const guchar *) purpose, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  memcpy (seed, digest, sizeof seed);
  return g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
}

GBytes *
store_test_derive_payload (const char *instance_id)
{
  g_autoptr(GRand) rand = rand_for (instance_id, "payload");
  GString *xml = g_string_new (NULL);
  guint length;

  /* Mostly small like real answers, sometimes large enough to span many
   * database pages and overflow chains. */
  if (g_rand_int_range (rand, 0, 10) == 0)
    length = (guint) g_rand_int_range (rand, 20000, 120000);
  else
    length = (guint) g_rand_int_range (rand, 50, 6000);

  g_string_append_printf (xml,
                          "<?xml version='1.0' encoding='UTF-8'?>"
                          "<data id=\"test-form\" version=\"1\"><meta><instanceID>%s</instanceID></meta>"
                          "<name>ชื่อ สมชาย</name><notes>",
                          instance_id);
  /* Four letters per draw: the crash test derives thousands of these. */
  for (guint i = 0; i < length; i += 4)
    {
      guint32 r = g_rand_int (rand);

      for (guint j = 0; j < 4 && i + j < length; j++, r >>= 8)
        g_string_append_c (xml, (char) ('a' + (r & 0xff) % 26));
    }
  g_string_append (xml, "</notes></data>");
  return g_string_free_to_bytes (xml);
}

StoreTestSubmission *
store_test_submission_new (const char *instance_id)
{
  g_autoptr(GRand) rand = rand_for (instance_id, "attachments");
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  StoreTestSubmission *s = g_new0 (StoreTestSubmission, 1);
  int n_attachments = g_rand_int_range (rand, 0, 3);

  g_checksum_update (checksum, (const guchar *) instance_id, -1);
  s->instance_id = g_strdup (instance_id);
  s->receipt_number = g_strdup_printf ("R-%.12s", g_checksum_get_string (checksum));
  s->receipt_qr = g_strdup_printf ("SAPHAN1:%s", instance_id);
  s->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);

  for (int i = 0; i < n_attachments; i++)
    {
      SaphanAttachment *attachment = g_new0 (SaphanAttachment, 1);
      guint size = (guint) g_rand_int_range (rand, 10, 40000);
      guint8 *data = g_malloc (size);

      /* Binary data with zero bytes, like a photo. */
      for (guint j = 0; j < size; j += 4)
        {
          guint32 r = g_rand_int (rand);

          memcpy (data + j, &r, MIN (4, size - j));
        }
      attachment->name = g_strdup_printf ("photo-%d.jpg", i);
      attachment->data = g_bytes_new_take (data, size);
      g_ptr_array_add (s->attachments, attachment);
    }

  s->request.instance_id = s->instance_id;
  s->request.form_id = "test-form";
  s->request.form_version = "1";
  s->request.payload = store_test_derive_payload (instance_id);
  s->request.attachments = s->attachments;
  s->request.assisted_by = g_rand_boolean (rand) ? "staff-7" : NULL;
  s->request.receipt_number = s->receipt_number;
  s->request.receipt_qr = s->receipt_qr;
  return s;
}

void
store_test_submission_free (StoreTestSubmission *s)
{
  if (s == NULL)
    return;
  g_free (s->instance_id);
  g_free (s->receipt_number);
  g_free (s->receipt_qr);
  g_clear_pointer (&s->attachments, g_ptr_array_unref);
  g_clear_pointer (&s->request.payload, g_bytes_unref);
  g_free (s);
}

char *
store_test_compare_submission (SaphanStore *store, const char *instance_id)
{
  g_autoptr(StoreTestSubmission) expected = store_test_submission_new (instance_id);
  g_autoptr(SaphanSubmissionInfo) info = NULL;
  g_autoptr(SaphanReceiptInfo) receipt = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GError) error = NULL;

  info = saphan_store_get_submission (store, instance_id, &error);
  if (info == NULL)
    return g_strdup_printf ("submission missing: %s", error->message);
  payload = saphan_store_get_payload (store, instance_id, &error);
  if (payload == NULL || !g_bytes_equal (payload, expected->request.payload))
    return g_strdup ("payload differs");
  if (info->payload_size != g_bytes_get_size (payload))
    return g_strdup ("payload size differs");
  if (g_strcmp0 (info->assisted_by, expected->request.assisted_by) != 0)
    return g_strdup ("assisted_by differs");

  attachments = saphan_store_get_attachments (store, instance_id, &error);
  if (attachments == NULL || attachments->len != expected->attachments->len ||
      info->n_attachments != expected->attachments->len)
    return g_strdup ("attachment count differs");
  for (guint i = 0; i < attachments->len; i++)
    {
      SaphanAttachment *got = g_ptr_array_index (attachments, i);
      SaphanAttachment *want = g_ptr_array_index (expected->attachments, i);

      if (g_strcmp0 (got->name, want->name) != 0 || !g_bytes_equal (got->data, want->data))
        return g_strdup_printf ("attachment %u differs", i);
    }

  if (g_strcmp0 (info->receipt_number, expected->receipt_number) != 0)
    return g_strdup ("receipt number differs");
  receipt = saphan_store_get_receipt (store, expected->receipt_number, &error);
  if (receipt == NULL)
    return g_strdup ("receipt missing");
  if (g_strcmp0 (receipt->instance_id, instance_id) != 0 ||
      g_strcmp0 (receipt->qr_text, expected->receipt_qr) != 0)
    return g_strdup ("receipt differs");
  return NULL;
}

char *
store_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("saphan-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
store_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        store_test_remove_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

sqlite3 *
store_test_raw_open (const char *path)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

  if (rc != SQLITE_OK)
    g_error ("Cannot open %s: %s", path, sqlite3_errstr (rc));
  sqlite3_busy_timeout (db, 5000);
  return db;
}

gint64
store_test_raw_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

char *
store_test_raw_text (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

void
store_test_raw_exec (sqlite3 *db, const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

gboolean
store_test_soak (void)
{
  const char *soak = g_getenv ("SAPHAN_SOAK");

  return soak != NULL && *soak != '\0' && g_strcmp0 (soak, "0") != 0;
}
