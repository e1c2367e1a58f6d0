/* saphan-store-migrations.c: the schema, as a list of forward-only steps.
 *
 * A kiosk in the field may skip many releases, so every step must apply to
 * a database written by any older Saphan: steps are only ever appended,
 * never edited once released. Each runs in its own transaction together
 * with the bump of PRAGMA user_version, so a power cut leaves the database
 * at the old or the new version, never between.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <glib/gi18n-lib.h>

#include "saphan-error.h"

static const SaphanStoreMigration migrations[] = {
  {
    1, "initial tables",
    /* The application id makes the file recognisably ours; it is set in
     * the same transaction as the tables so that no half-made database is
     * ever claimed. 1396789320 is SAPHAN_STORE_APPLICATION_ID ("SAPH"). */
    "PRAGMA application_id = 1396789320;"
    "CREATE TABLE forms ("
    "  id           TEXT PRIMARY KEY,"
    "  version      TEXT NOT NULL,"
    "  title        TEXT NOT NULL,"
    "  hash         TEXT NOT NULL,"
    "  xml          BLOB NOT NULL,"
    "  installed_at INTEGER NOT NULL,"
    "  active       INTEGER NOT NULL DEFAULT 1"
    ");"
    "CREATE TABLE form_media ("
    "  form_id TEXT NOT NULL REFERENCES forms (id) ON DELETE CASCADE,"
    "  name    TEXT NOT NULL,"
    "  data    BLOB NOT NULL,"
    "  hash    TEXT NOT NULL,"
    "  PRIMARY KEY (form_id, name)"
    ");"
    "CREATE TABLE submissions ("
    "  instance_id     TEXT PRIMARY KEY,"
    "  form_id         TEXT NOT NULL,"
    "  form_version    TEXT NOT NULL,"
    "  state           TEXT NOT NULL CHECK (state IN"
    "                    ('queued', 'sending', 'accepted', 'needs-attention', 'exported')),"
    "  payload         BLOB NOT NULL,"
    "  created_at      INTEGER NOT NULL,"
    "  updated_at      INTEGER NOT NULL,"
    "  attempts        INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    "  last_error      TEXT,"
    "  server_message  TEXT"
    ");"
    /* What a citizen submitted is evidence: the payload is never changed
     * after finalize, whatever code runs against this file. */
    "CREATE TRIGGER submissions_payload_frozen BEFORE UPDATE OF payload ON submissions "
    "BEGIN SELECT RAISE (ABORT, 'a finalized payload is frozen'); END;"
    "CREATE TABLE attachments ("
    "  instance_id TEXT NOT NULL REFERENCES submissions (instance_id),"
    "  name        TEXT NOT NULL,"
    "  data        BLOB NOT NULL,"
    "  PRIMARY KEY (instance_id, name)"
    ");"
    "CREATE TABLE receipts ("
    "  number      TEXT PRIMARY KEY,"
    "  instance_id TEXT NOT NULL UNIQUE REFERENCES submissions (instance_id),"
    "  form_id     TEXT NOT NULL,"
    "  qr_text     TEXT,"
    "  issued_at   INTEGER NOT NULL,"
    "  printed     INTEGER NOT NULL DEFAULT 0,"
    "  print_count INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE audit_log ("
    "  seq       INTEGER PRIMARY KEY,"
    "  at        INTEGER NOT NULL,"
    "  event     TEXT NOT NULL,"
    "  detail    TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash      TEXT NOT NULL"
    ");"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
    "CREATE TABLE settings ("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ");"
  },
  {
    2, "submissions.assisted_by",
    /* Staff who helped a citizen fill a form are recorded with it. */
    "ALTER TABLE submissions ADD COLUMN assisted_by TEXT;"
  },
  {
    3, "outbox and listing indexes",
    /* claim_next() looks for the oldest due submission in a given state;
     * the kiosk's history screen lists the newest first. */
    "CREATE INDEX submissions_outbox ON submissions (state, next_attempt_at, created_at);"
    "CREATE INDEX submissions_created ON submissions (created_at);"
    "CREATE INDEX attachments_instance ON attachments (instance_id);"
  },
  {
    4, "staff accounts, PIN lockout, sealed payloads, retention",
    /* Staff accounts hold only scrypt hashes of PINs. The lockout is one
     * row for the whole device, kept here so that a restart does not give
     * an attacker a fresh set of tries. */
    "CREATE TABLE staff ("
    "  id         TEXT PRIMARY KEY,"
    "  name       TEXT NOT NULL,"
    "  role       INTEGER NOT NULL CHECK (role IN (1, 2)),"
    "  pin_hash   TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE staff_lockout ("
    "  id           INTEGER PRIMARY KEY CHECK (id = 1),"
    "  failures     INTEGER NOT NULL DEFAULT 0,"
    "  locks        INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0"
    ");"
    "INSERT INTO staff_lockout (id) VALUES (1);"
    /* sealed = 1 marks a blob encrypted at rest; rows written before this
     * step stay plaintext (0) and readable, and leave with retention. */
    "ALTER TABLE submissions ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE submissions ADD COLUMN accepted_at INTEGER;"
    "ALTER TABLE submissions ADD COLUMN purged_at INTEGER;"
    "ALTER TABLE attachments ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;"
    "UPDATE submissions SET accepted_at = updated_at WHERE state = 'accepted';"
    /* The payload stays frozen except for the one move retention makes: an
     * accepted, not yet purged payload replaced by an empty blob together
     * with the time of the purge. Nothing can undo a purge or re-seal. */
    "DROP TRIGGER submissions_payload_frozen;"
    "CREATE TRIGGER submissions_payload_frozen "
    "BEFORE UPDATE OF payload, sealed, purged_at ON submissions "
    "WHEN NOT (OLD.state = 'accepted' AND OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL"
    "          AND length (NEW.payload) = 0 AND NEW.sealed = OLD.sealed) "
    "BEGIN SELECT RAISE (ABORT, 'a finalized payload is frozen'); END;"
    "CREATE INDEX submissions_retention ON submissions (state, purged_at, accepted_at);"
  },
  {
    5, "staff resolution of submissions that need attention",
    /* A resolution is recorded beside the outbox state rather than as a new
     * state. The state keeps saying what happened on the wire (the server
     * never took the submission), and the resolution says what staff did
     * about it. A new state would also need a wider CHECK on
     * submissions.state, which SQLite can only get by rebuilding the table;
     * attachments and receipts reference it, and foreign_keys cannot be
     * switched off inside the migration's transaction, so a rebuild would
     * cascade into those rows. Three added columns cannot. The payload
     * trigger of step 4 names payload, sealed and purged_at only, so it
     * never fires for these columns. */
    "ALTER TABLE submissions ADD COLUMN resolved_at INTEGER;"
    "ALTER TABLE submissions ADD COLUMN resolved_by TEXT;"
    "ALTER TABLE submissions ADD COLUMN resolution_note TEXT;"
    /* A resolution is final: it can only be made on a submission that
     * needs attention, is never rewritten, and the outbox state of a
     * resolved submission no longer moves, whatever code runs against
     * this file. */
    "CREATE TRIGGER submissions_resolution_needs_attention "
    "BEFORE UPDATE OF resolved_at ON submissions "
    "WHEN OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL "
    "     AND OLD.state IS NOT 'needs-attention' "
    "BEGIN SELECT RAISE (ABORT, 'only a submission that needs attention can be resolved'); END;"
    "CREATE TRIGGER submissions_resolution_final "
    "BEFORE UPDATE OF state, resolved_at, resolved_by, resolution_note ON submissions "
    "WHEN OLD.resolved_at IS NOT NULL "
    "BEGIN SELECT RAISE (ABORT, 'a resolution is final'); END;"
  },
  {
    6, "running counts of open submissions by state",
    /* The queue screens ask for these counts every few seconds; counting
     * the rows grew with the store (6 ms at 100,000 submissions). The
     * counts are kept by triggers in the same statement as the change, so
     * they cannot drift from the rows whatever code writes the file, and
     * this step starts them from the rows already there. Only submissions
     * without a resolution count, as before. */
    "CREATE TABLE submission_counts ("
    "  state TEXT PRIMARY KEY,"
    "  n     INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO submission_counts (state, n) "
    "  SELECT state, count(*) FROM submissions WHERE resolved_at IS NULL GROUP BY state;"
    "CREATE TRIGGER submission_counts_insert AFTER INSERT ON submissions "
    "WHEN NEW.resolved_at IS NULL "
    "BEGIN"
    "  INSERT INTO submission_counts (state, n) VALUES (NEW.state, 1)"
    "    ON CONFLICT (state) DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER submission_counts_delete AFTER DELETE ON submissions "
    "WHEN OLD.resolved_at IS NULL "
    "BEGIN"
    "  UPDATE submission_counts SET n = n - 1 WHERE state = OLD.state;"
    "END;"
    "CREATE TRIGGER submission_counts_update AFTER UPDATE OF state, resolved_at ON submissions "
    "WHEN OLD.state IS NOT NEW.state "
    "     OR (OLD.resolved_at IS NULL) IS NOT (NEW.resolved_at IS NULL) "
    "BEGIN"
    "  UPDATE submission_counts SET n = n - 1"
    "    WHERE OLD.resolved_at IS NULL AND state = OLD.state;"
    "  INSERT INTO submission_counts (state, n) SELECT NEW.state, 1 WHERE NEW.resolved_at IS NULL"
    "    ON CONFLICT (state) DO UPDATE SET n = n + 1;"
    "END;"
  },
};

const SaphanStoreMigration *
_saphan_store_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

static gboolean
read_user_version (SaphanStore *self, int *out_version, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = _saphan_store_prepare (self, "PRAGMA user_version", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  *out_version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

gboolean
_saphan_store_migrate (SaphanStore *self, GError **error)
{
  int latest = migrations[G_N_ELEMENTS (migrations) - 1].version;

  for (;;)
    {
      g_autofree char *bump = NULL;
      const SaphanStoreMigration *step = NULL;
      int version;

      /* The version is read inside the write transaction: when the CLI and
       * the kiosk start together, the second one waits and then finds the
       * work done instead of applying a step twice. */
      if (!_saphan_store_begin (self, error))
        return FALSE;
      if (!read_user_version (self, &version, error))
        {
          _saphan_store_rollback (self);
          return FALSE;
        }
      if (version > latest)
        {
          _saphan_store_rollback (self);
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_TOO_NEW,
                       _("The database %s has schema version %d, but this version of Saphan knows versions up to %d. It was left untouched; install a newer Saphan."),
                       self->path, version, latest);
          return FALSE;
        }
      if (version == latest)
        {
          _saphan_store_rollback (self);
          break;
        }

      for (gsize i = 0; i < G_N_ELEMENTS (migrations); i++)
        if (migrations[i].version == version + 1)
          step = &migrations[i];
      g_assert (step != NULL);

      g_debug ("Migrating the database to schema version %d (%s)", step->version, step->summary);
      bump = g_strdup_printf ("PRAGMA user_version = %d", step->version);
      if (!_saphan_store_exec (self, step->sql, error) ||
          !_saphan_store_exec (self, bump, error))
        {
          _saphan_store_rollback (self);
          return FALSE;
        }
      if (!_saphan_store_commit (self, error))
        return FALSE;
    }

  self->schema_version = latest;
  return TRUE;
}
