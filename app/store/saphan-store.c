/* saphan-store.c: opening the database, the helpers every part of the store
 * shares, and settings.
 *
 * The database is one SQLite file in WAL mode with synchronous=FULL: a
 * finalize that returned TRUE survives a power cut. Every public call takes
 * self->lock, so one connection serves the kiosk's worker threads in turn;
 * other processes (saphanctl) wait on SQLite's busy timeout.
 *
 * Opening is careful not to harm a file that is not ours: the header is read
 * with plain read(2) and checked before SQLite sees the file, and the
 * switch to WAL mode, the first write, only happens once the application id
 * and schema version are known to be acceptable. When a write-ahead log
 * beside the file may hold a newer header, SQLite reads it, with the
 * checkpoint on close turned off so that a refused file keeps its log.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "saphan-error.h"
#include "saphan-paths.h"

G_DEFINE_FINAL_TYPE (SaphanStore, saphan_store, G_TYPE_OBJECT)

/* The fixed part of a SQLite database header (the file format document,
 * section 1.3): a magic string, then big-endian fields at fixed offsets. */
#define SQLITE_HEADER_SIZE          100
#define SQLITE_HEADER_SCHEMA_COOKIE 40
#define SQLITE_HEADER_USER_VERSION  60
#define SQLITE_HEADER_APPLICATION   68

static const char sqlite_magic[16] = "SQLite format 3";

/* ---- Errors ------------------------------------------------------------- */

static void
set_error_for_path (const char *path, int rc, const char *detail, GError **error)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_BUSY,
                   _("The database %s is in use by another program. Wait a moment and try again."),
                   path);
      break;
    case SQLITE_FULL:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_DISK_FULL,
                   _("The disk holding %s is full, so nothing was saved. Free some space and try again."),
                   path);
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION,
                   _("Saphan may not open or write the database %s (%s). Check the owner and permissions of the data folder."),
                   path, detail);
      break;
    case SQLITE_IOERR:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_IO,
                   _("Reading or writing the database %s failed (%s). Check the disk."),
                   path, detail);
      break;
    case SQLITE_CORRUPT:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_IO,
                   _("The database %s is damaged (%s). Restore it from a backup."),
                   path, detail);
      break;
    case SQLITE_NOTADB:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_A_DATABASE,
                   _("%s is not a Saphan database. It was left untouched; move it away or choose another data folder."),
                   path);
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The database refused the change: %s."), detail);
      break;
    case SQLITE_NOMEM:
    default:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                   _("The database %s reported an internal error (%s)."), path, detail);
      break;
    }
}

void
_saphan_store_set_error (SaphanStore *self, int rc, GError **error)
{
  /* sqlite3_errmsg() describes the last failure on this connection; it holds
   * SQLite's wording (a constraint name, an I/O step), never row values. */
  set_error_for_path (self->path, rc, sqlite3_errmsg (self->db), error);
}

/* ---- Statement helpers -------------------------------------------------- */

gboolean
_saphan_store_exec (SaphanStore *self, const char *sql, GError **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
_saphan_store_prepare (SaphanStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _saphan_store_set_error (self, rc, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
_saphan_store_step_done (SaphanStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_saphan_store_begin (SaphanStore *self, GError **error)
{
  /* IMMEDIATE takes the write lock now, so a transaction never fails half
   * way with SQLITE_BUSY after it has read what it is about to change. */
  return _saphan_store_exec (self, "BEGIN IMMEDIATE", error);
}

void
_saphan_store_rollback (SaphanStore *self)
{
  /* After SQLITE_FULL or an I/O error SQLite may already have rolled back
   * on its own; a second ROLLBACK would only add a confusing error. */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
_saphan_store_commit (SaphanStore *self, GError **error)
{
  int rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _saphan_store_set_error (self, rc, error);
      _saphan_store_rollback (self);
      return FALSE;
    }

  /* SQLite's automatic checkpoint runs inside COMMIT and reports its own
   * failure (say, a full disk while copying pages back) as the failure of
   * a COMMIT that did in fact succeed. Checkpointing here instead keeps the
   * answer honest: the transaction is durable in the log either way. */
  if (self->wal_frames >= SAPHAN_STORE_CHECKPOINT_FRAMES)
    {
      rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      if (rc == SQLITE_OK)
        self->wal_frames = 0;
      else
        g_debug ("Checkpoint postponed: %s", sqlite3_errstr (rc));
    }
  return TRUE;
}

gint64
_saphan_store_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

GBytes *
_saphan_store_column_bytes (sqlite3_stmt *stmt, int column)
{
  const void *data = sqlite3_column_blob (stmt, column);
  int size = sqlite3_column_bytes (stmt, column);

  return g_bytes_new (data, (gsize) size);
}

char *
_saphan_store_column_text (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static int
wal_hook_cb (void *user_data, sqlite3 *db, const char *db_name, int n_frames)
{
  SaphanStore *self = user_data;

  self->wal_frames = n_frames;
  return SQLITE_OK;
}

/* ---- Opening ------------------------------------------------------------ */

static guint32
read_be32 (const guint8 *bytes)
{
  return ((guint32) bytes[0] << 24) | ((guint32) bytes[1] << 16) |
         ((guint32) bytes[2] << 8) | (guint32) bytes[3];
}

static gboolean
refuse_foreign (const char  *path,
                guint32      application_id,
                gboolean     has_schema,
                gint64       user_version,
                GError     **error)
{
  /* A file with no application id and no schema is an empty database that
   * nobody has claimed yet (e.g. made by "sqlite3 saphan.db .quit"). */
  if (application_id != SAPHAN_STORE_APPLICATION_ID &&
      (application_id != 0 || has_schema || user_version != 0))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_A_DATABASE,
                   _("%s is a database of another program, not of Saphan. It was left untouched; move it away or choose another data folder."),
                   path);
      return TRUE;
    }
  if (user_version > saphan_store_latest_schema_version ())
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_TOO_NEW,
                   _("The database %s has schema version %lld, but this version of Saphan knows versions up to %d. It was left untouched; install a newer Saphan."),
                   path, (long long) user_version, saphan_store_latest_schema_version ());
      return TRUE;
    }
  return FALSE;
}

static void
set_errno_error (const char *path, int saved, GError **error)
{
  g_set_error (error, SAPHAN_ERROR,
               saved == EACCES || saved == EPERM ? SAPHAN_ERROR_PERMISSION : SAPHAN_ERROR_IO,
               _("Cannot read the database %s: %s. Check the disk and the permissions of the data folder."),
               path, g_strerror (saved));
}

/* Checks the header of an existing file with plain reads, before SQLite
 * opens it and perhaps creates -wal and -shm files beside it. */
static gboolean
precheck_file (const char *path, gboolean *out_exists, GError **error)
{
  guint8 header[SQLITE_HEADER_SIZE];
  g_autofree char *wal_path = NULL;
  struct stat st;
  gboolean hot_wal;
  gssize n_read = 0;
  int fd;

  *out_exists = FALSE;
  if (g_stat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      set_errno_error (path, errno, error);
      return FALSE;
    }
  *out_exists = TRUE;

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_A_DATABASE,
                   _("%s is not a Saphan database. It was left untouched; move it away or choose another data folder."),
                   path);
      return FALSE;
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (path, errno, error);
      return FALSE;
    }
  while (n_read < SQLITE_HEADER_SIZE)
    {
      gssize n = read (fd, header + n_read, sizeof header - (gsize) n_read);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          set_errno_error (path, saved, error);
          return FALSE;
        }
      if (n == 0)
        break;
      n_read += n;
    }
  close (fd);

  /* SQLite treats an empty file as an empty database; so do we. */
  if (n_read == 0)
    return TRUE;

  if (n_read < SQLITE_HEADER_SIZE || memcmp (header, sqlite_magic, sizeof sqlite_magic) != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_A_DATABASE,
                   _("%s is not a Saphan database. It was left untouched; move it away or choose another data folder."),
                   path);
      return FALSE;
    }

  /* With committed transactions still in the write-ahead log the header in
   * the main file may be stale. SQLite's own reading, below, decides then. */
  wal_path = g_strconcat (path, "-wal", NULL);
  hot_wal = g_stat (wal_path, &st) == 0 && st.st_size > 0;
  if (!hot_wal &&
      refuse_foreign (path,
                      read_be32 (header + SQLITE_HEADER_APPLICATION),
                      read_be32 (header + SQLITE_HEADER_SCHEMA_COOKIE) != 0,
                      (gint32) read_be32 (header + SQLITE_HEADER_USER_VERSION),
                      error))
    return FALSE;

  return TRUE;
}

/* The same checks as precheck_file(), through SQLite and therefore right
 * even when the log holds a newer header. Only reads. */
static gboolean
check_identity (SaphanStore *self, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 application_id, user_version, n_schema;
  int rc;

  /* One statement, so the three values come from one snapshot even while
   * another process is creating the database. */
  stmt = _saphan_store_prepare (self,
                                "SELECT (SELECT application_id FROM pragma_application_id), "
                                "  (SELECT user_version FROM pragma_user_version), "
                                "  (SELECT count(*) FROM sqlite_master)",
                                error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  application_id = sqlite3_column_int64 (stmt, 0);
  user_version = sqlite3_column_int64 (stmt, 1);
  n_schema = sqlite3_column_int64 (stmt, 2);

  if (refuse_foreign (self->path, (guint32) application_id, n_schema > 0, user_version, error))
    return FALSE;
  return TRUE;
}

static gboolean
configure_connection (SaphanStore *self, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *mode;
  int rc;

  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION,
                   _("Saphan may not write the database %s. Check the owner and permissions of the file and of the data folder."),
                   self->path);
      return FALSE;
    }

  stmt = _saphan_store_prepare (self, "PRAGMA journal_mode=WAL", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  mode = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_IO,
                   _("The database %s cannot use a write-ahead log on this file system. Put the data folder on a local disk."),
                   self->path);
      return FALSE;
    }

  /* synchronous=FULL also syncs the log at every commit: a finalize that
   * returned is on the disk, not in a cache. secure_delete overwrites freed
   * pages so that deleted personal data does not linger in the file. */
  if (!_saphan_store_exec (self,
                           "PRAGMA synchronous=FULL;"
                           "PRAGMA foreign_keys=ON;"
                           "PRAGMA secure_delete=ON;",
                           error))
    return FALSE;

  sqlite3_wal_hook (self->db, wal_hook_cb, self);
  return TRUE;
}

/* Checks the file, switches it to WAL mode and migrates it. Two processes
 * opening a new database at once race for the switch to WAL mode, and
 * SQLite reports the loser's SQLITE_BUSY at once instead of through the
 * busy handler; every step here is idempotent, so a busy step is retried
 * until the busy timeout has passed. */
static gboolean
prepare_database (SaphanStore *self, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) SAPHAN_STORE_BUSY_TIMEOUT_MS * 1000;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      /* Until the file is known to be ours, closing must not checkpoint a
       * write-ahead log found beside it into the main file. */
      sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
      if (check_identity (self, &local_error))
        {
          sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
          if (configure_connection (self, &local_error) &&
              _saphan_store_migrate (self, &local_error))
            return TRUE;
        }

      if (!g_error_matches (local_error, SAPHAN_ERROR, SAPHAN_ERROR_BUSY) ||
          g_get_monotonic_time () >= deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_usleep ((gulong) g_random_int_range (5000, 50000));
    }
}

static SaphanStore *
open_internal (const char  *db_path,
               const char  *data_dir,
               const char  *vfs_name,
               GError     **error)
{
  g_autoptr(SaphanStore) self = NULL;
  gboolean exists = FALSE;
  int flags;
  int rc;

  if (!precheck_file (db_path, &exists, error))
    return NULL;

  self = g_object_new (SAPHAN_TYPE_STORE, NULL);
  self->path = g_strdup (db_path);
  self->data_dir = data_dir != NULL ? g_strdup (data_dir) : g_path_get_dirname (db_path);

  /* No CREATE for an existing file: if it vanished in between, failing is
   * better than silently starting an empty database. */
  flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (exists ? 0 : SQLITE_OPEN_CREATE);
  rc = sqlite3_open_v2 (db_path, &self->db, flags, vfs_name);
  if (rc != SQLITE_OK)
    {
      set_error_for_path (db_path, rc,
                          self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc),
                          error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, SAPHAN_STORE_BUSY_TIMEOUT_MS);

  if (!prepare_database (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
saphan_store_finalize_object (GObject *object)
{
  SaphanStore *self = SAPHAN_STORE (object);

  if (self->db != NULL)
    {
      int rc = sqlite3_close (self->db);

      /* Every statement is finalized where it is used, so BUSY here means
       * a leak in this file, not a state a caller can cause. */
      if (rc != SQLITE_OK)
        g_critical ("Closing the database failed: %s", sqlite3_errstr (rc));
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  _saphan_store_forget_key (self);
  if (self->audit_sign_destroy != NULL)
    self->audit_sign_destroy (self->audit_sign_data);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (saphan_store_parent_class)->finalize (object);
}

static void
saphan_store_class_init (SaphanStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = saphan_store_finalize_object;
}

static void
saphan_store_init (SaphanStore *self)
{
  g_mutex_init (&self->lock);
}

/* ---- Public API: opening ------------------------------------------------ */

SaphanStore *
saphan_store_open (const char *data_dir, GError **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!saphan_paths_ensure_data_dir (data_dir, error))
    return NULL;
  path = saphan_paths_database (data_dir);
  return open_internal (path, data_dir, NULL, error);
}

SaphanStore *
saphan_store_open_file (const char *db_path, GError **error)
{
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_internal (db_path, NULL, NULL, error);
}

SaphanStore *
saphan_store_open_file_with_vfs (const char *db_path, const char *vfs_name, GError **error)
{
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_internal (db_path, NULL, vfs_name, error);
}

const char *
saphan_store_get_data_dir (SaphanStore *self)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  return self->data_dir;
}

const char *
saphan_store_get_path (SaphanStore *self)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  return self->path;
}

int
saphan_store_schema_version (SaphanStore *self)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), -1);
  return self->schema_version;
}

int
saphan_store_latest_schema_version (void)
{
  guint n_migrations;
  const SaphanStoreMigration *migrations = _saphan_store_get_migrations (&n_migrations);

  return migrations[n_migrations - 1].version;
}

gboolean
saphan_store_check_integrity (SaphanStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *result;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);

  stmt = _saphan_store_prepare (self, "PRAGMA integrity_check(1)", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  result = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (result, "ok") != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_IO,
                   _("The database %s is damaged (%s). Restore it from a backup."),
                   self->path, result);
      return FALSE;
    }
  return TRUE;
}

/* ---- Settings ------------------------------------------------------------ */

char *
saphan_store_get_setting (SaphanStore *self, const char *key, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self, "SELECT value FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _saphan_store_column_text (stmt, 0);
  if (rc != SQLITE_DONE)
    _saphan_store_set_error (self, rc, error);
  return NULL;
}

/* Keys the program writes for its own bookkeeping; every other key is a
 * choice someone made and is audited (by key, never by value). */
static gboolean
setting_is_internal (const char *key)
{
  static const char *const prefixes[] = { "sync.last-", "ui.", "bundle.", "audit.", "state." };

  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (key, prefixes[i]))
      return TRUE;
  return FALSE;
}

gboolean
saphan_store_set_setting (SaphanStore *self, const char *key, const char *value, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && *key != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;
  /* A NULL value removes the key, so that get_setting() reports it unset. */
  if (value != NULL)
    stmt = _saphan_store_prepare (self,
                                  "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                  error);
  else
    stmt = _saphan_store_prepare (self, "DELETE FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  if (!_saphan_store_step_done (self, stmt, error))
    goto fail;

  /* The value stays out of the log: a kiosk name or a server address may
   * name a person, and the log is meant to be shown to auditors. */
  if (!setting_is_internal (key))
    {
      g_autofree char *detail = g_strdup_printf ("key=%s%s", key, value != NULL ? "" : " removed");

      if (!_saphan_store_audit_append_locked (self, "setting-changed", detail,
                                              _saphan_store_now (), error))
        goto fail;
    }
  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}
