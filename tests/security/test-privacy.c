/* test-privacy.c: answers encrypted at rest, retention, and what the CLI
 * and the audit log show.
 *
 * The leak test searches every byte of every file under the data folder
 * (database, -wal, -shm, journals, temporary files) for a known answer in
 * UTF-8 and UTF-16, while the store is open and after it closed.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "saphan-error.h"
#include "saphan-store.h"
#include "store-test-util.h"

#define SECRET "ลับมาก-SECRET-4711"
#define DAY ((gint64) 86400)

typedef struct
{
  char        *dir;
  char        *path;
  SaphanStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = store_test_make_dir ();
  f->path = g_build_filename (f->dir, "saphan.db", NULL);
  f->store = saphan_store_open (f->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->store != NULL)
    g_assert_finalize_object (f->store);
  store_test_remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->store);
  f->store = saphan_store_open (f->dir, &error);
  g_assert_no_error (error);
}

static GBytes *
secret_payload (const char *instance_id)
{
  char *xml = g_strdup_printf ("<data id=\"household\"><name>%s</name>"
                               "<meta><instanceID>%s</instanceID></meta></data>",
                               SECRET, instance_id);

  return g_bytes_new_take (xml, strlen (xml));
}

static void
finalize_secret (Fixture *f, const char *instance_id, const char *receipt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = secret_payload (instance_id);
  g_autoptr(GBytes) photo = g_bytes_new_static ("JPEG " SECRET " photo", strlen ("JPEG " SECRET " photo"));
  g_autoptr(GPtrArray) attachments = g_ptr_array_new ();
  SaphanAttachment attachment = { "photo.jpg", photo };
  SaphanFinalizeRequest request = {
    .instance_id = instance_id, .form_id = "household", .form_version = "1",
    .payload = payload, .attachments = attachments, .receipt_number = receipt,
  };

  g_ptr_array_add (attachments, &attachment);
  g_assert_true (saphan_store_finalize (f->store, &request, &error));
  g_assert_no_error (error);
}

/* Counts files under DIR holding NEEDLE; names them in the test log. */
static guint
files_holding (const char *dir, const guint8 *needle, gsize needle_len)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint found = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          found += files_holding (path, needle, needle_len);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      if (memmem (contents, len, needle, needle_len) != NULL)
        {
          g_test_message ("found in %s", path);
          found++;
        }
    }
  return found;
}

static void
assert_no_file_holds_secret (const char *dir)
{
  g_autofree gunichar2 *utf16 = NULL;
  glong n_units = 0;
  g_autofree guint8 *utf16be = NULL;

  utf16 = g_utf8_to_utf16 (SECRET, -1, NULL, &n_units, NULL);
  utf16be = g_malloc (n_units * 2);
  for (glong i = 0; i < n_units; i++)
    {
      utf16be[2 * i] = utf16[i] >> 8;
      utf16be[2 * i + 1] = utf16[i] & 0xff;
    }
  g_assert_cmpuint (files_holding (dir, (const guint8 *) SECRET, strlen (SECRET)), ==, 0);
  g_assert_cmpuint (files_holding (dir, (const guint8 *) utf16, (gsize) n_units * 2), ==, 0);
  g_assert_cmpuint (files_holding (dir, utf16be, (gsize) n_units * 2), ==, 0);
  /* The Thai part alone, too, so that no partial copy hides. */
  g_assert_cmpuint (files_holding (dir, (const guint8 *) "ลับมาก", strlen ("ลับมาก")), ==, 0);
}

static void
assert_payload_is_secret (Fixture *f, const char *instance_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = saphan_store_get_payload (f->store, instance_id, &error);
  g_autoptr(GPtrArray) attachments = NULL;
  SaphanAttachment *attachment;

  g_assert_no_error (error);
  g_assert_nonnull (memmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                            SECRET, strlen (SECRET)));
  attachments = saphan_store_get_attachments (f->store, instance_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attachments->len, ==, 1);
  attachment = attachments->pdata[0];
  g_assert_cmpmem (g_bytes_get_data (attachment->data, NULL), g_bytes_get_size (attachment->data),
                   "JPEG " SECRET " photo", strlen ("JPEG " SECRET " photo"));
}

/* ---- Encryption at rest --------------------------------------------------------- */

static void
test_no_plaintext_on_disk (Fixture *f, gconstpointer data)
{
  g_autofree char *key_path = saphan_store_key_path (f->store);
  g_autoptr(SaphanSubmissionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("uuid:secret-%d", i);
      g_autofree char *receipt = g_strdup_printf ("R-%d", i);

      finalize_secret (f, id, receipt);
    }
  /* While open: the log and shared memory files exist now. */
  assert_no_file_holds_secret (f->dir);
  assert_payload_is_secret (f, "uuid:secret-7");
  info = saphan_store_get_submission (f->store, "uuid:secret-7", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) expected = secret_payload ("uuid:secret-7");

    g_assert_cmpuint (info->payload_size, ==, g_bytes_get_size (expected));
  }

  /* The key sits outside the database, readable by the kiosk user only. */
  g_assert_true (g_str_has_prefix (key_path, f->dir));
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, SAPHAN_STORE_KEY_LEN);

  reopen (f);
  assert_payload_is_secret (f, "uuid:secret-3");
  g_clear_object (&f->store);
  assert_no_file_holds_secret (f->dir);
}

static void
test_wrong_key (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = saphan_store_key_path (f->store);
  g_autofree char *good = NULL;
  gsize good_len = 0;
  guint8 other[SAPHAN_STORE_KEY_LEN];
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GPtrArray) attachments = NULL;

  finalize_secret (f, "uuid:key", "R-KEY");
  g_assert_true (g_file_get_contents (key_path, &good, &good_len, NULL));

  memset (other, 0x42, sizeof other);
  g_assert_true (g_file_set_contents (key_path, (const char *) other, sizeof other, NULL));
  reopen (f);
  payload = saphan_store_get_payload (f->store, "uuid:key", &error);
  g_assert_null (payload);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "key"));
  g_clear_error (&error);
  attachments = saphan_store_get_attachments (f->store, "uuid:key", &error);
  g_assert_null (attachments);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_clear_error (&error);

  /* A key that is no key at all, and a missing key, are named as such. */
  g_assert_true (g_file_set_contents (key_path, "short", 5, NULL));
  reopen (f);
  g_assert_null (saphan_store_get_payload (f->store, "uuid:key", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (key_path), ==, 0);
  reopen (f);
  g_assert_null (saphan_store_get_payload (f->store, "uuid:key", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (key_path, good, (gssize) good_len, NULL));
  reopen (f);
  assert_payload_is_secret (f, "uuid:key");
}

static void
test_tampered_ciphertext (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  finalize_secret (f, "uuid:a", "R-A");
  finalize_secret (f, "uuid:b", "R-B");
  g_clear_object (&f->store);

  db = store_test_raw_open (f->path);
  store_test_raw_exec (db, "DROP TRIGGER submissions_payload_frozen");
  /* One flipped byte in the middle of a's ciphertext... */
  store_test_raw_exec (db, "UPDATE submissions SET payload = substr (payload, 1, 40) || "
                           "CASE WHEN substr (payload, 41, 1) = x'00' THEN x'01' ELSE x'00' END || "
                           "substr (payload, 42) WHERE instance_id = 'uuid:a'");
  /* ...and b's attachment moved under a different name. */
  store_test_raw_exec (db, "UPDATE attachments SET name = 'other.jpg' WHERE instance_id = 'uuid:b'");
  sqlite3_close (db);

  reopen (f);
  g_assert_null (saphan_store_get_payload (f->store, "uuid:a", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_assert_null (saphan_store_get_attachments (f->store, "uuid:b", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_clear_error (&error);

  /* Whole payloads swapped between rows do not open either. */
  g_clear_object (&f->store);
  db = store_test_raw_open (f->path);
  store_test_raw_exec (db, "UPDATE submissions SET payload = (SELECT payload FROM submissions "
                           "WHERE instance_id = 'uuid:b') WHERE instance_id = 'uuid:a'");
  sqlite3_close (db);
  reopen (f);
  g_assert_null (saphan_store_get_payload (f->store, "uuid:a", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_clear_error (&error);
}

static void
test_credential (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *creds = store_test_make_dir ();
  g_autofree char *cred_path = g_build_filename (creds, SAPHAN_STORE_KEY_CREDENTIAL, NULL);
  g_autofree char *file_key = g_build_filename (f->dir, "keys", "store.key", NULL);
  g_autofree char *key_path = NULL;

  g_setenv ("CREDENTIALS_DIRECTORY", creds, TRUE);
  key_path = saphan_store_key_path (f->store);
  g_assert_cmpstr (key_path, ==, cred_path);

  /* No credential: refused, and no key is made up in its place. */
  {
    g_autoptr(GBytes) payload = secret_payload ("uuid:cred");
    SaphanFinalizeRequest request = { .instance_id = "uuid:cred", .form_id = "household",
                                      .form_version = "1", .payload = payload };

    g_assert_false (saphan_store_finalize (f->store, &request, &error));
    g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION);
    g_clear_error (&error);
  }

  g_assert_true (g_file_set_contents (cred_path,
                                      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
                                      -1, NULL));
  finalize_secret (f, "uuid:cred", "R-CRED");
  assert_payload_is_secret (f, "uuid:cred");
  g_assert_false (g_file_test (file_key, G_FILE_TEST_EXISTS));

  g_unsetenv ("CREDENTIALS_DIRECTORY");
  store_test_remove_dir (creds);
}

/* secure_delete is on: purged ciphertext is overwritten, not left in free
 * pages of the file. */
static void
test_purge_overwrites (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) claimed = NULL;
  sqlite3 *db;
  g_autofree char *hex = NULL;
  g_autofree guint8 *blob = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0, blob_len = 0;
  gint64 n = 0;

  finalize_secret (f, "uuid:gone", "R-GONE");
  claimed = saphan_store_claim_next (f->store, G_MAXINT32, &error);
  g_assert_no_error (error);
  g_assert_true (saphan_store_mark_accepted (f->store, "uuid:gone", "ok", &error));
  g_assert_no_error (error);

  db = store_test_raw_open (f->path);
  hex = store_test_raw_text (db, "SELECT hex (substr (payload, 14, 24)) FROM submissions");
  sqlite3_close (db);
  blob_len = strlen (hex) / 2;
  blob = g_malloc (blob_len);
  for (gsize i = 0; i < blob_len; i++)
    blob[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));

  g_assert_true (saphan_store_purge_expired (f->store, g_get_real_time () / G_USEC_PER_SEC + 31 * DAY,
                                             &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 1);
  g_clear_object (&f->store);

  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  g_assert_null (memmem (contents, len, blob, blob_len));
}

/* ---- Retention ------------------------------------------------------------------ */

static void
accept (Fixture *f, const char *instance_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) claimed = saphan_store_claim_next (f->store, G_MAXINT32, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (claimed->instance_id, ==, instance_id);
  g_assert_true (saphan_store_mark_accepted (f->store, instance_id, "Thank you", &error));
  g_assert_no_error (error);
}

static void
test_retention (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) info = NULL;
  g_autoptr(SaphanReceiptInfo) receipt = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 accepted_at, n = -1;
  sqlite3 *db;
  int rc;

  finalize_secret (f, "uuid:r1", "R-1");
  finalize_secret (f, "uuid:r2", "R-2");
  finalize_secret (f, "uuid:r3", "R-3");
  accept (f, "uuid:r1");
  accept (f, "uuid:r2");
  info = saphan_store_get_submission (f->store, "uuid:r1", &error);
  accepted_at = info->accepted_at;
  g_assert_cmpint (accepted_at, >=, now);
  g_clear_pointer (&info, saphan_submission_info_free);

  /* The default is 30 days after acceptance, to the second. */
  g_assert_true (saphan_store_purge_expired (f->store, accepted_at + 30 * DAY - 1, &n, &error));
  g_assert_cmpint (n, ==, 0);
  g_assert_true (saphan_store_purge_expired (f->store, accepted_at + 30 * DAY + 2, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);
  g_assert_true (saphan_store_purge_expired (f->store, accepted_at + 60 * DAY, &n, &error));
  g_assert_cmpint (n, ==, 0);

  g_assert_null (saphan_store_get_payload (f->store, "uuid:r1", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  g_clear_error (&error);
  attachments = saphan_store_get_attachments (f->store, "uuid:r2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attachments->len, ==, 0);

  /* The record and the receipt stay; the queued one keeps its answers. */
  info = saphan_store_get_submission (f->store, "uuid:r2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_ACCEPTED);
  g_assert_cmpint (info->purged_at, ==, accepted_at + 30 * DAY + 2);
  g_assert_cmpuint (info->payload_size, ==, 0);
  receipt = saphan_store_get_receipt (f->store, "R-2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (receipt->instance_id, ==, "uuid:r2");
  assert_payload_is_secret (f, "uuid:r3");

  /* A setting shortens the period; 0 purges at once. */
  accept (f, "uuid:r3");
  g_assert_true (saphan_store_set_setting (f->store, SAPHAN_STORE_RETENTION_SETTING, "0", &error));
  /* "At once" is measured from now, not from the test's start: a slow
   * machine may well have taken seconds to get here. */
  g_assert_true (saphan_store_purge_expired (f->store, g_get_real_time () / G_USEC_PER_SEC + 5,
                                             &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 1);

  /* The trigger allows only that one move, even to raw SQL. */
  db = store_test_raw_open (f->path);
  rc = sqlite3_exec (db, "UPDATE submissions SET payload = x'01', purged_at = NULL "
                         "WHERE instance_id = 'uuid:r1'", NULL, NULL, NULL);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  rc = sqlite3_exec (db, "UPDATE submissions SET payload = x'', purged_at = 1 "
                         "WHERE state <> 'accepted'", NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM submissions WHERE purged_at IS NULL"), ==, 0);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE event = 'retention-purge'"), ==, 2);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE event = 'setting-changed' "
                                           "AND detail = 'key=retention.days'"), ==, 1);
  sqlite3_close (db);
}

/* A queued or sending submission is never purged by raw SQL either. */
static void
test_frozen_unless_accepted (Fixture *f, gconstpointer data)
{
  sqlite3 *db;
  int rc;

  finalize_secret (f, "uuid:q", "R-Q");
  db = store_test_raw_open (f->path);
  rc = sqlite3_exec (db, "UPDATE submissions SET payload = x'', purged_at = 1", NULL, NULL, NULL);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  rc = sqlite3_exec (db, "UPDATE submissions SET sealed = 0", NULL, NULL, NULL);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
  assert_payload_is_secret (f, "uuid:q");
}

/* ---- Audit events and the CLI ---------------------------------------------------- */

static void
test_events (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  finalize_secret (f, "uuid:ev", "R-EV");
  g_assert_true (saphan_store_mark_receipt_printed (f->store, "R-EV", TRUE, &error));
  g_assert_true (saphan_store_mark_receipt_printed (f->store, "R-EV", TRUE, &error));
  g_assert_true (saphan_store_set_setting (f->store, "kiosk.name", "คุณสมชาย ใจดี", &error));
  g_assert_true (saphan_store_set_setting (f->store, "kiosk.name", NULL, &error));
  g_assert_true (saphan_store_set_setting (f->store, "sync.last-success", "2026-01-01", &error));
  g_assert_no_error (error);

  db = store_test_raw_open (f->path);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE event = 'receipt-printed'"), ==, 1);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE event = 'receipt-reprinted'"), ==, 1);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE event = 'setting-changed'"), ==, 2);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE detail = 'key=kiosk.name removed'"), ==, 1);
  /* Values never enter the log, nor bookkeeping keys. */
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE detail LIKE '%สมชาย%' "
                                           "OR detail LIKE '%sync.last%' OR detail LIKE '%" SECRET "%'"), ==, 0);
  sqlite3_close (db);
}

static char *
run_ctl (Fixture *f, const char *input, int *out_status, const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  va_list ap;

  g_ptr_array_add (args, (char *) SAPHANCTL);
  g_ptr_array_add (args, (char *) "--data-dir");
  g_ptr_array_add (args, f->dir);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  *out_status = g_subprocess_get_exit_status (process);
  return out;
}

static void
test_cli (Fixture *f, gconstpointer data)
{
  g_autofree char *show = NULL, *show_json = NULL, *add = NULL, *list = NULL, *verify = NULL;
  g_autofree char *audit = NULL, *bad = NULL, *purge = NULL;
  int status = -1;
  sqlite3 *db;

  finalize_secret (f, "uuid:cli", "R-CLI");
  g_clear_object (&f->store);

  show = run_ctl (f, NULL, &status, "submissions", "show", "uuid:cli", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (show, "uuid:cli"));
  g_assert_null (strstr (show, SECRET));
  g_assert_null (strstr (show, "ลับ"));
  show_json = run_ctl (f, NULL, &status, "--json", "submissions", "show", "uuid:cli", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (show_json, "ลับ"));

  add = run_ctl (f, "482916\n", &status, "staff", "add", "nok", "--name", "Nok", "--maintainer", NULL);
  g_assert_cmpint (status, ==, 0);
  g_free (add);
  add = run_ctl (f, "12\n", &status, "staff", "add", "pim", "--name", "Pim", NULL);
  g_assert_cmpint (status, ==, 1);
  list = run_ctl (f, NULL, &status, "staff", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (list, "nok"));
  g_assert_nonnull (strstr (list, "maintainer"));
  g_assert_null (strstr (list, "482916"));

  verify = run_ctl (f, NULL, &status, "audit", "verify", NULL);
  g_assert_cmpint (status, ==, 0);
  audit = run_ctl (f, NULL, &status, "audit", "show", "--limit", "2", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (audit, "checkpoint"));
  g_assert_null (strstr (audit, "482916"));
  purge = run_ctl (f, NULL, &status, "purge", NULL);
  g_assert_cmpint (status, ==, 0);

  /* Tampering makes "audit verify" fail with the first bad entry. */
  db = store_test_raw_open (f->path);
  store_test_raw_exec (db, "DROP TRIGGER audit_log_no_update;"
                           "UPDATE audit_log SET detail = 'staff=eve role=2' WHERE seq = 2");
  sqlite3_close (db);
  bad = run_ctl (f, NULL, &status, "audit", "verify", NULL);
  g_test_message ("%s", bad);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (bad, "entry 2 "));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/privacy/at-rest/no-plaintext", test_no_plaintext_on_disk);
  ADD ("/privacy/at-rest/wrong-key", test_wrong_key);
  ADD ("/privacy/at-rest/tampered", test_tampered_ciphertext);
  ADD ("/privacy/at-rest/credential", test_credential);
  ADD ("/privacy/at-rest/purge-overwrites", test_purge_overwrites);
  ADD ("/privacy/retention/purge", test_retention);
  ADD ("/privacy/retention/frozen", test_frozen_unless_accepted);
  ADD ("/privacy/audit-events", test_events);
  ADD ("/privacy/cli", test_cli);
#undef ADD

  return g_test_run ();
}
