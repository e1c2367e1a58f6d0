/* test-store-migrations.c: every older schema version opens and keeps its
 * rows.
 *
 * For each version v from 0 (an empty file) to latest-1 the test builds a
 * database exactly as an older Saphan left it, by running the migration
 * steps 1..v from the store's own table, fills it with the rows that
 * version could hold, and opens it with saphan_store_open().
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "saphan-error.h"
#include "saphan-store-private.h"
#include "store-test-util.h"

/* Representative rows, each valid from schema version MIN_VERSION on. */
static const struct
{
  int         min_version;
  const char *sql;
} fixtures[] = {
  { 1, "INSERT INTO forms VALUES ('household', '2024010101', 'Household survey', "
       "'md5:0123456789abcdef0123456789abcdef', CAST ('<h:html/>' AS BLOB), 1700000000, 1)" },
  { 1, "INSERT INTO forms VALUES ('retired', '1', 'Retired form', "
       "'md5:ffffffffffffffffffffffffffffffff', CAST ('<h:html/>' AS BLOB), 1600000000, 0)" },
  { 1, "INSERT INTO form_media VALUES ('household', 'logo.png', x'89504e470d0a1a0a00', 'md5:x')" },
  { 1, "INSERT INTO submissions (instance_id, form_id, form_version, state, payload, created_at, "
       "  updated_at, attempts, next_attempt_at, last_error) VALUES ('uuid:old-queued', "
       "  'household', '2024010101', 'queued', CAST ('<data>queued</data>' AS BLOB), "
       "  1700000001, 1700000001, 2, 0, 'timeout')" },
  { 1, "INSERT INTO submissions (instance_id, form_id, form_version, state, payload, created_at, "
       "  updated_at, attempts, next_attempt_at, server_message) VALUES ('uuid:old-accepted', "
       "  'household', '2024010101', 'accepted', CAST ('<data>accepted</data>' AS BLOB), "
       "  1700000002, 1700000003, 1, 0, 'Thank you')" },
  { 1, "INSERT INTO attachments (instance_id, name, data) VALUES ('uuid:old-queued', 'photo.jpg', x'ffd8ffe000104a464946')" },
  { 1, "INSERT INTO receipts VALUES ('R-OLD-1', 'uuid:old-queued', 'household', 'SAPHAN1:old', "
       "  1700000001, 1, 1)" },
  { 1, "INSERT INTO settings VALUES ('kiosk.name', 'Ban Nong Khai office')" },
  { 2, "INSERT INTO submissions (instance_id, form_id, form_version, state, payload, created_at, "
       "  updated_at, attempts, next_attempt_at, assisted_by) VALUES ('uuid:old-assisted', "
       "  'household', '2024010101', 'exported', CAST ('<data>assisted</data>' AS BLOB), "
       "  1700000004, 1700000004, 0, 0, 'staff-3')" },
  { 4, "INSERT INTO submissions (instance_id, form_id, form_version, state, payload, created_at, "
       "  updated_at, attempts, next_attempt_at, last_error, sealed) VALUES ('uuid:old-attention', "
       "  'household', '2024010101', 'needs-attention', CAST ('<data>attention</data>' AS BLOB), "
       "  1700000005, 1700000006, 3, 0, 'HTTP 400 form closed', 0)" },
  { 4, "INSERT INTO submissions (instance_id, form_id, form_version, state, payload, created_at, "
       "  updated_at, attempts, next_attempt_at, server_message, sealed, accepted_at) VALUES "
       "  ('uuid:old-accepted-v4', 'household', '2024010101', 'accepted', "
       "  CAST ('<data>accepted v4</data>' AS BLOB), 1700000007, 1700000008, 1, 0, 'OK', 0, 1700000008)" },
};

/* The audit chain, computed here independently of the store's code, so a
 * change in the canonical encoding is caught by old rows failing to verify. */
static void
append_field (GString *text, const char *field)
{
  g_string_append_printf (text, "%s%zu:%s", text->len > 0 ? "|" : "", strlen (field), field);
}

static char *
audit_hash (const char *prev, gint64 seq, gint64 at, const char *event, const char *detail)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
  g_autofree char *at_text = g_strdup_printf ("%" G_GINT64_FORMAT, at);

  append_field (text, prev);
  append_field (text, seq_text);
  append_field (text, at_text);
  append_field (text, event);
  append_field (text, detail);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, (gssize) text->len);
}

static void
insert_audit (sqlite3 *db, int n_entries)
{
  g_autofree char *prev = g_strnfill (64, '0');

  for (int seq = 1; seq <= n_entries; seq++)
    {
      g_autofree char *detail = g_strdup_printf ("form=household instance=uuid:old-%d receipt=-", seq);
      g_autofree char *hash = audit_hash (prev, seq, 1700000000 + seq, "finalize", detail);
      g_autofree char *sql = g_strdup_printf ("INSERT INTO audit_log VALUES (%d, %d, 'finalize', '%s', '%s', '%s')",
                                              seq, 1700000000 + seq, detail, prev, hash);

      store_test_raw_exec (db, sql);
      g_free (prev);
      prev = g_steal_pointer (&hash);
    }
}

/* Builds DATA_DIR/saphan.db at schema VERSION as an older Saphan would. */
static int
build_database (const char *data_dir, int version)
{
  g_autofree char *path = g_build_filename (data_dir, "saphan.db", NULL);
  const SaphanStoreMigration *migrations;
  guint n_migrations;
  int n_rows = 0;
  sqlite3 *db;

  if (version == 0)
    {
      g_assert_true (g_file_set_contents (path, "", 0, NULL));
      return 0;
    }

  migrations = _saphan_store_get_migrations (&n_migrations);
  db = store_test_raw_open (path);
  store_test_raw_exec (db, "PRAGMA journal_mode=WAL");
  for (int i = 0; i < version; i++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", migrations[i].version);

      store_test_raw_exec (db, "BEGIN");
      store_test_raw_exec (db, migrations[i].sql);
      store_test_raw_exec (db, bump);
      store_test_raw_exec (db, "COMMIT");
    }
  for (gsize i = 0; i < G_N_ELEMENTS (fixtures); i++)
    if (fixtures[i].min_version <= version)
      {
        store_test_raw_exec (db, fixtures[i].sql);
        n_rows++;
      }
  insert_audit (db, 3);
  g_assert_cmpint (store_test_raw_int (db, "PRAGMA user_version"), ==, version);
  sqlite3_close (db);
  return n_rows;
}

/* Rows written before step 5 come out unresolved and can be resolved; the
 * frozen-payload trigger of step 4 still holds and still lets retention
 * purge an accepted row. */
static void
check_resolution (SaphanStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) before = NULL;
  g_autoptr(SaphanSubmissionInfo) after = NULL;
  g_autoptr(GPtrArray) attention = NULL;
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];
  gint64 n_purged = 0;
  sqlite3 *db;
  int rc;

  before = saphan_store_get_submission (store, "uuid:old-attention", &error);
  g_assert_no_error (error);
  g_assert_cmpint (before->state, ==, SAPHAN_SUBMISSION_NEEDS_ATTENTION);
  g_assert_cmpint (before->resolved_at, ==, 0);
  g_assert_null (before->resolved_by);
  g_assert_null (before->resolution_note);
  attention = saphan_store_list_submissions (store, SAPHAN_SUBMISSION_NEEDS_ATTENTION, 0, &error);
  g_assert_cmpuint (attention->len, ==, 1);
  g_clear_pointer (&attention, g_ptr_array_unref);

  db = store_test_raw_open (saphan_store_get_path (store));
  rc = sqlite3_exec (db, "UPDATE submissions SET payload = x'00' WHERE instance_id = 'uuid:old-attention'",
                     NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);

  g_assert_true (saphan_store_mark_resolved (store, "uuid:old-attention", "staff-3", "Sent on paper", &error));
  g_assert_no_error (error);
  after = saphan_store_get_submission (store, "uuid:old-attention", &error);
  g_assert_cmpstr (after->resolved_by, ==, "staff-3");
  g_assert_cmpstr (after->resolution_note, ==, "Sent on paper");
  g_assert_cmpint (after->attempts, ==, 3);
  attention = saphan_store_list_submissions (store, SAPHAN_SUBMISSION_NEEDS_ATTENTION, 0, &error);
  g_assert_cmpuint (attention->len, ==, 0);
  g_assert_true (saphan_store_count_by_state (store, counts, &error));
  g_assert_cmpint (counts[SAPHAN_SUBMISSION_NEEDS_ATTENTION], ==, 0);

  /* Retention still purges the accepted rows of old databases. */
  g_assert_true (saphan_store_purge_expired (store, G_MAXINT32, &n_purged, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_purged, >=, 1);
}

static void
check_rows (SaphanStore *store, int version)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) queued = NULL;
  g_autoptr(SaphanSubmissionInfo) accepted = NULL;
  g_autoptr(SaphanFormInfo) form = NULL;
  g_autoptr(SaphanReceiptInfo) receipt = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GHashTable) media = NULL;
  g_autoptr(GPtrArray) forms = NULL;
  g_autofree char *setting = NULL;
  gint64 n_audit = 0;
  GBytes *logo;

  queued = saphan_store_get_submission (store, "uuid:old-queued", &error);
  g_assert_no_error (error);
  g_assert_cmpint (queued->state, ==, SAPHAN_SUBMISSION_QUEUED);
  g_assert_cmpint (queued->attempts, ==, 2);
  g_assert_cmpstr (queued->last_error, ==, "timeout");
  g_assert_cmpstr (queued->receipt_number, ==, "R-OLD-1");
  g_assert_cmpuint (queued->n_attachments, ==, 1);
  g_assert_null (queued->assisted_by);
  payload = saphan_store_get_payload (store, "uuid:old-queued", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                   "<data>queued</data>", 19);

  accepted = saphan_store_get_submission (store, "uuid:old-accepted", &error);
  g_assert_no_error (error);
  g_assert_cmpint (accepted->state, ==, SAPHAN_SUBMISSION_ACCEPTED);
  g_assert_cmpstr (accepted->server_message, ==, "Thank you");

  if (version >= 2)
    {
      g_autoptr(SaphanSubmissionInfo) assisted = saphan_store_get_submission (store, "uuid:old-assisted", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (assisted->assisted_by, ==, "staff-3");
      g_assert_cmpint (assisted->state, ==, SAPHAN_SUBMISSION_EXPORTED);
    }

  form = saphan_store_get_form (store, "household", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (form->title, ==, "Household survey");
  g_assert_cmpstr (form->version, ==, "2024010101");
  forms = saphan_store_list_forms (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forms->len, ==, 1);
  media = saphan_store_get_form_media (store, "household", &error);
  g_assert_no_error (error);
  logo = g_hash_table_lookup (media, "logo.png");
  g_assert_nonnull (logo);
  g_assert_cmpmem (g_bytes_get_data (logo, NULL), g_bytes_get_size (logo),
                   "\x89PNG\r\n\x1a\n\0", 9);

  receipt = saphan_store_get_receipt (store, "R-OLD-1", &error);
  g_assert_no_error (error);
  g_assert_true (receipt->printed);
  g_assert_cmpint (receipt->print_count, ==, 1);

  setting = saphan_store_get_setting (store, "kiosk.name", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (setting, ==, "Ban Nong Khai office");

  g_assert_true (saphan_store_audit_verify (store, &n_audit, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_audit, ==, 3);

  if (version >= 4)
    check_resolution (store);
}

static void
test_migrate_from (gconstpointer data)
{
  int version = GPOINTER_TO_INT (data);
  int latest = saphan_store_latest_schema_version ();
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "saphan.db", NULL);
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreTestSubmission) fresh = store_test_submission_new ("uuid:after-migration");
  g_autoptr(SaphanSubmissionInfo) claimed = NULL;
  int n_rows = build_database (dir, version);
  sqlite3 *db;

  g_test_message ("schema version %d with %d rows, migrating to %d", version, n_rows, latest);
  store = saphan_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (saphan_store_schema_version (store), ==, latest);

  if (version > 0)
    check_rows (store, version);

  /* The migrated database works like a new one: a finalize with every
   * column of the newest schema, and the outbox finds the oldest row. */
  fresh->request.assisted_by = "staff-9";
  g_assert_true (saphan_store_finalize (store, &fresh->request, &error));
  g_assert_no_error (error);
  claimed = saphan_store_claim_next (store, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_nonnull (claimed);
  g_assert_cmpstr (claimed->instance_id, ==, version > 0 ? "uuid:old-queued" : "uuid:after-migration");
  g_clear_object (&store);

  /* Opening again applies nothing and changes nothing. */
  store = saphan_store_open (dir, &error);
  g_assert_no_error (error);
  if (version > 0)
    {
      g_autoptr(SaphanSubmissionInfo) again = saphan_store_get_submission (store, "uuid:old-accepted", &error);
      g_assert_no_error (error);
      g_assert_nonnull (again);
    }
  {
    g_autoptr(SaphanSubmissionInfo) info = saphan_store_get_submission (store, "uuid:after-migration", &error);
    g_autoptr(GBytes) payload = saphan_store_get_payload (store, "uuid:after-migration", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (info->assisted_by, ==, "staff-9");
    g_assert_true (g_bytes_equal (payload, fresh->request.payload));
  }
  g_clear_object (&store);

  db = store_test_raw_open (path);
  g_assert_cmpint (store_test_raw_int (db, "PRAGMA user_version"), ==, latest);
  g_assert_cmpint (store_test_raw_int (db, "PRAGMA application_id"), ==, SAPHAN_STORE_APPLICATION_ID);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  sqlite3_close (db);
  store_test_remove_dir (dir);
}

static void
test_migration_table (void)
{
  guint n_migrations;
  const SaphanStoreMigration *migrations = _saphan_store_get_migrations (&n_migrations);

  /* Versions are 1..N without gaps: the loop in the store relies on it. */
  g_assert_cmpuint (n_migrations, >=, 2);
  for (guint i = 0; i < n_migrations; i++)
    {
      g_assert_cmpint (migrations[i].version, ==, (int) i + 1);
      g_assert_true (sqlite3_complete (migrations[i].sql));
    }
  g_assert_cmpint (saphan_store_latest_schema_version (), ==, (int) n_migrations);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/migrations/table", test_migration_table);
  for (int v = 0; v < saphan_store_latest_schema_version (); v++)
    {
      g_autofree char *name = g_strdup_printf ("/store/migrations/from-v%d", v);

      g_test_add_data_func (name, GINT_TO_POINTER (v), test_migrate_from);
    }
  return g_test_run ();
}
