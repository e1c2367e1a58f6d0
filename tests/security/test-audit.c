/* test-audit.c: the audit log against an attacker with the database file.
 *
 * One log is built through the store with real signed checkpoints; each
 * case in tamper-cases.txt copies the data folder, attacks the copy with
 * raw SQLite (dropping the append-only triggers first, as an attacker with
 * file access would) and checks that verification names the right problem
 * at the right entry.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "saphan-audit.h"
#include "saphan-error.h"
#include "saphan-kiosk-key.h"
#include "store-test-util.h"

static const char *zero_hash =
  "0000000000000000000000000000000000000000000000000000000000000000";

static char *pristine_dir;

typedef struct
{
  char  *line;
  char  *action;
  gint64 seq;
  gint64 count;
  char  *problem;
  gint64 bad_seq;
} TamperCase;

/* ---- Building the log ------------------------------------------------------ */

static void
append_events (SaphanStore *store, int n, int first)
{
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *detail = g_strdup_printf ("form=household instance=uuid:%04d", first + i);

      g_assert_true (saphan_store_audit_append (store, "finalize", detail, &error));
      g_assert_no_error (error);
    }
}

static void
build_pristine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(SaphanKioskKey) key = NULL;
  gint64 seq = 0;

  pristine_dir = store_test_make_dir ();
  store = saphan_store_open (pristine_dir, &error);
  g_assert_no_error (error);
  key = saphan_kiosk_key_load_or_create (pristine_dir, &error);
  g_assert_no_error (error);
  saphan_audit_attach_key (store, key);

  append_events (store, 100, 1);
  append_events (store, 50, 101);
  g_assert_true (saphan_audit_checkpoint (store, &seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, 152);
  saphan_store_set_audit_signer (store, 0, NULL, NULL, NULL);
  append_events (store, 3, 151);
}

/* ---- Raw attacks ------------------------------------------------------------- */

static char *
raw_hash_of (sqlite3 *db, gint64 seq)
{
  g_autofree char *sql = g_strdup_printf ("SELECT hash FROM audit_log WHERE seq = %" G_GINT64_FORMAT, seq);

  return seq < 1 ? g_strdup (zero_hash) : store_test_raw_text (db, sql);
}

/* Recomputes prev_hash and hash of every entry from FROM on, as an attacker
 * who knows the (public) chaining rule would. */
static void
rechain (sqlite3 *db, gint64 from, gint64 only_to)
{
  gint64 last = store_test_raw_int (db, "SELECT max(seq) FROM audit_log");

  for (gint64 seq = from; seq <= MIN (last, only_to); seq++)
    {
      g_autofree char *prev = raw_hash_of (db, seq - 1);
      g_autofree char *at_sql = g_strdup_printf ("SELECT at FROM audit_log WHERE seq = %" G_GINT64_FORMAT, seq);
      g_autofree char *ev_sql = g_strdup_printf ("SELECT event FROM audit_log WHERE seq = %" G_GINT64_FORMAT, seq);
      g_autofree char *de_sql = g_strdup_printf ("SELECT detail FROM audit_log WHERE seq = %" G_GINT64_FORMAT, seq);
      g_autofree char *event = store_test_raw_text (db, ev_sql);
      g_autofree char *detail = store_test_raw_text (db, de_sql);
      g_autofree char *hash = saphan_audit_compute_hash (prev, seq, store_test_raw_int (db, at_sql), event, detail);
      g_autofree char *update = g_strdup_printf ("UPDATE audit_log SET prev_hash = '%s', hash = '%s' "
                                                 "WHERE seq = %" G_GINT64_FORMAT, prev, hash, seq);

      store_test_raw_exec (db, update);
    }
}

static void
edit_detail (sqlite3 *db, gint64 seq)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE audit_log SET detail = detail || ' forged' "
                                          "WHERE seq = %" G_GINT64_FORMAT, seq);
  store_test_raw_exec (db, sql);
}

static void
attack (const char *path, const TamperCase *c)
{
  sqlite3 *db = store_test_raw_open (path);
  g_autofree char *sql = NULL;

  store_test_raw_exec (db, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");

  if (strcmp (c->action, "edit") == 0)
    edit_detail (db, c->seq);
  else if (strcmp (c->action, "delete") == 0)
    {
      sql = g_strdup_printf ("DELETE FROM audit_log WHERE seq BETWEEN %" G_GINT64_FORMAT
                             " AND %" G_GINT64_FORMAT, c->seq, c->seq + c->count - 1);
      store_test_raw_exec (db, sql);
    }
  else if (strcmp (c->action, "insert") == 0)
    {
      g_autofree char *prev = raw_hash_of (db, c->seq - 1);
      const char *detail = "staff=mallory role=2";
      g_autofree char *hash = saphan_audit_compute_hash (prev, c->seq, 1800000000, "staff-login", detail);

      sql = g_strdup_printf ("UPDATE audit_log SET seq = -seq WHERE seq >= %" G_GINT64_FORMAT ";"
                             "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0;"
                             "INSERT INTO audit_log VALUES (%" G_GINT64_FORMAT ", 1800000000, "
                             "'staff-login', '%s', '%s', '%s');",
                             c->seq, c->seq, detail, prev, hash);
      store_test_raw_exec (db, sql);
    }
  else if (strcmp (c->action, "swap") == 0)
    {
      sql = g_strdup_printf ("UPDATE audit_log SET seq = -1 WHERE seq = %" G_GINT64_FORMAT ";"
                             "UPDATE audit_log SET seq = %" G_GINT64_FORMAT " WHERE seq = %" G_GINT64_FORMAT ";"
                             "UPDATE audit_log SET seq = %" G_GINT64_FORMAT " WHERE seq = -1;",
                             c->seq, c->seq, c->seq + 1, c->seq + 1);
      store_test_raw_exec (db, sql);
    }
  else if (strcmp (c->action, "truncate") == 0)
    {
      sql = g_strdup_printf ("DELETE FROM audit_log WHERE seq >= %" G_GINT64_FORMAT, c->seq);
      store_test_raw_exec (db, sql);
    }
  else if (strcmp (c->action, "rehash") == 0)
    {
      edit_detail (db, c->seq);
      rechain (db, c->seq, c->seq);
    }
  else if (strcmp (c->action, "rewrite") == 0)
    {
      edit_detail (db, c->seq);
      rechain (db, c->seq, G_MAXINT64);
    }
  else if (strcmp (c->action, "forge") == 0)
    {
      g_autofree char *prev = raw_hash_of (db, c->seq - 1);
      guint8 fake[SAPHAN_KIOSK_KEY_SIGNATURE_LEN] = { 0 };
      g_autofree char *sig = g_base64_encode (fake, sizeof fake);

      sql = g_strdup_printf ("UPDATE audit_log SET event = 'checkpoint', detail = "
                             "'head=%" G_GINT64_FORMAT " hash=%s key=0123456789abcdef sig=%s' "
                             "WHERE seq = %" G_GINT64_FORMAT,
                             c->seq - 1, prev, sig, c->seq);
      store_test_raw_exec (db, sql);
      rechain (db, c->seq, G_MAXINT64);
    }
  else
    g_error ("unknown tamper action %s", c->action);
  sqlite3_close (db);
}

/* ---- Tests --------------------------------------------------------------------- */

static char *
copy_pristine (void)
{
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *command = g_strdup_printf ("cp -a %s/. %s/", pristine_dir, dir);
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&dir);
}

static void
verify_dir (const char *dir, SaphanAuditReport *report, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SaphanStore) store = saphan_store_open (dir, &local_error);
  g_autoptr(SaphanKioskKey) key = NULL;

  g_assert_no_error (local_error);
  key = saphan_kiosk_key_load_or_create (dir, &local_error);
  g_assert_no_error (local_error);
  saphan_audit_verify (store, key, report, error);
}

static void
test_intact (void)
{
  g_autoptr(GError) error = NULL;
  SaphanAuditReport report;
  g_autofree char *dir = copy_pristine ();

  verify_dir (dir, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpint (report.problem, ==, SAPHAN_AUDIT_OK);
  g_assert_cmpint (report.n_entries, ==, 155);
  g_assert_cmpint (report.n_checkpoints, ==, 2);
  g_assert_cmpint (report.last_checkpoint, ==, 152);
  g_assert_cmpint (report.anchor, ==, 152);
  store_test_remove_dir (dir);
}

static void
test_tamper (gconstpointer data)
{
  const TamperCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = copy_pristine ();
  g_autofree char *path = g_build_filename (dir, "saphan.db", NULL);
  g_autofree char *seq_text = g_strdup_printf ("entry %" G_GINT64_FORMAT " ", c->bad_seq);
  SaphanAuditReport report;

  g_test_message ("%s", c->line);
  attack (path, c);
  verify_dir (dir, &report, &error);
  g_assert_cmpstr (saphan_audit_problem_to_string (report.problem), ==, c->problem);
  g_assert_cmpint (report.bad_seq, ==, c->bad_seq);
  if (report.problem == SAPHAN_AUDIT_OK)
    g_assert_no_error (error);
  else
    {
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, seq_text));
    }
  store_test_remove_dir (dir);
}

/* The store's own chain check also sees a plain edit, without the key. */
static void
test_store_chain_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = copy_pristine ();
  g_autofree char *path = g_build_filename (dir, "saphan.db", NULL);
  TamperCase c = { NULL, (char *) "edit", 77, 1, NULL, 0 };
  g_autoptr(SaphanStore) store = NULL;

  attack (path, &c);
  store = saphan_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_false (saphan_store_audit_verify (store, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "77"));
  g_clear_object (&store);
  store_test_remove_dir (dir);
}

static char *
failing_signer_cb (gint64 head_seq, const char *head_hash, gpointer user_data, GError **error)
{
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION, "the key is unreadable");
  return NULL;
}

/* A key that cannot sign never costs a citizen's record: the event that
 * would have been followed by a checkpoint is still written. */
static void
test_signer_failure (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = store_test_make_dir ();
  g_autoptr(SaphanStore) store = saphan_store_open (dir, &error);
  SaphanAuditReport report;
  gint64 head = 0;

  g_assert_no_error (error);
  saphan_store_set_audit_signer (store, 10, failing_signer_cb, NULL, NULL);
  g_test_expect_message ("saphan-store", G_LOG_LEVEL_WARNING, "Skipping an audit checkpoint*");
  append_events (store, 10, 1);
  g_test_assert_expected_messages ();
  g_assert_true (saphan_store_audit_head (store, &head, NULL, &error));
  g_assert_cmpint (head, ==, 10);

  /* Asked for explicitly, the failure is reported. */
  g_assert_false (saphan_store_audit_checkpoint (store, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_true (saphan_audit_verify (store, NULL, &report, &error));
  g_assert_cmpint (report.n_entries, ==, 10);
  g_assert_cmpint (report.n_checkpoints, ==, 0);
  g_clear_object (&store);
  store_test_remove_dir (dir);
}

static GPtrArray *
load_cases (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "security", "tamper-cases.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *cases = g_ptr_array_new ();

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      TamperCase *c;
      char action[32], problem[32];
      long long seq = 0, count = 1, bad = 0;
      const char *line = lines[i];

      if (*line == '#' || *line == '\0')
        continue;
      c = g_new0 (TamperCase, 1);
      if (sscanf (line, "%31s %lld %lld -> %31s %lld", action, &seq, &count, problem, &bad) != 5)
        {
          count = 1;
          g_assert_cmpint (sscanf (line, "%31s %lld -> %31s %lld", action, &seq, problem, &bad), ==, 4);
        }
      c->line = g_strdup (line);
      c->action = g_strdup (action);
      c->seq = seq;
      c->count = count;
      c->problem = g_strdup (problem);
      c->bad_seq = bad;
      g_ptr_array_add (cases, c);
    }
  return cases;
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) cases = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);

  build_pristine ();
  cases = load_cases ();
  g_test_add_func ("/audit/intact", test_intact);
  g_test_add_func ("/audit/store-chain-check", test_store_chain_check);
  g_test_add_func ("/audit/signer-failure", test_signer_failure);
  for (guint i = 0; i < cases->len; i++)
    {
      TamperCase *c = cases->pdata[i];
      g_autofree char *name = g_strdup_printf ("/audit/tamper/%s-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                               c->action, c->seq, c->count);

      g_test_add_data_func (name, c, test_tamper);
    }

  result = g_test_run ();

  for (guint i = 0; i < cases->len; i++)
    {
      TamperCase *c = cases->pdata[i];

      g_free (c->line);
      g_free (c->action);
      g_free (c->problem);
      g_free (c);
    }
  store_test_remove_dir (pristine_dir);
  g_free (pristine_dir);
  return result;
}
