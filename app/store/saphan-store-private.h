/* saphan-store-private.h: what the store's files share, and the hooks its
 * tests need (a fault-injecting VFS, the migration steps as data).
 *
 * Nothing outside app/store/ and tests/store/ includes this header.
 */
#pragma once

#include <sqlite3.h>

#include "saphan-store.h"

G_BEGIN_DECLS

/* "SAPH" in ASCII: written to the database header by the first migration so
 * that another program's SQLite file is never mistaken for ours. */
#define SAPHAN_STORE_APPLICATION_ID ((guint32) 0x53415048)

/* How long a call waits for another process (the CLI while the kiosk runs)
 * to release the database before giving up with SAPHAN_ERROR_BUSY. */
#define SAPHAN_STORE_BUSY_TIMEOUT_MS 5000

/* A checkpoint is run by hand once the write-ahead log holds this many
 * frames; see _saphan_store_commit() for why not automatically. */
#define SAPHAN_STORE_CHECKPOINT_FRAMES 1000

/* One forward-only schema step. SQL is run in one transaction together with
 * "PRAGMA user_version = VERSION". Steps are kept as data so that tests can
 * build a database at every older version. */
typedef struct
{
  int         version;
  const char *summary;
  const char *sql;
} SaphanStoreMigration;

struct _SaphanStore
{
  GObject parent_instance;

  /* Owned */
  sqlite3 *db;
  char    *path;
  char    *data_dir;
  GMutex   lock;
  int      schema_version;
  int      wal_frames;

  /* The key that seals payloads, loaded on first use and wiped on close. */
  guint8  *seal_key;

  /* The audit checkpoint signer, see saphan_store_set_audit_signer(). */
  guint               audit_interval;
  SaphanAuditSignFunc audit_sign;
  gpointer            audit_sign_data;
  GDestroyNotify      audit_sign_destroy;
};

/* A sealed blob: a version byte, a 12-byte nonce, the ciphertext and the
 * 16-byte GCM tag. */
#define SAPHAN_SEAL_VERSION 1
#define SAPHAN_SEAL_NONCE_LEN 12
#define SAPHAN_SEAL_TAG_LEN 16
#define SAPHAN_SEAL_OVERHEAD (1 + SAPHAN_SEAL_NONCE_LEN + SAPHAN_SEAL_TAG_LEN)

/* saphan-store-privacy.c. KIND ("payload" or "attachment") and NAME (the
 * attachment's file name, or NULL) join the instance id in the additional
 * data, so a blob only opens in the row and column it was written for. */
GBytes *_saphan_store_seal   (SaphanStore *self, const char *instance_id, const char *kind,
                              const char *name, GBytes *plain, GError **error);
GBytes *_saphan_store_unseal (SaphanStore *self, const char *instance_id, const char *kind,
                              const char *name, const void *sealed, gsize len, GError **error);
void    _saphan_store_forget_key (SaphanStore *self);

/* Test hook: like saphan_store_open_file() but through the SQLite VFS named
 * VFS_NAME (NULL for the default). */
SaphanStore *saphan_store_open_file_with_vfs (const char  *db_path,
                                              const char  *vfs_name,
                                              GError     **error);

/* saphan-store-migrations.c */
const SaphanStoreMigration *_saphan_store_get_migrations (guint *n_migrations);
gboolean _saphan_store_migrate (SaphanStore *self, GError **error);

/* saphan-store.c and saphan-store-audit.c: helpers for the other files.
 * All expect self->lock held. */
void          _saphan_store_set_error  (SaphanStore *self, int rc, GError **error);
gboolean      _saphan_store_exec       (SaphanStore *self, const char *sql, GError **error);
sqlite3_stmt *_saphan_store_prepare    (SaphanStore *self, const char *sql, GError **error);
gboolean      _saphan_store_step_done  (SaphanStore *self, sqlite3_stmt *stmt, GError **error);
gboolean      _saphan_store_begin      (SaphanStore *self, GError **error);
gboolean      _saphan_store_commit     (SaphanStore *self, GError **error);
void          _saphan_store_rollback   (SaphanStore *self);
gint64        _saphan_store_now        (void);
GBytes       *_saphan_store_column_bytes (sqlite3_stmt *stmt, int column);
char         *_saphan_store_column_text  (sqlite3_stmt *stmt, int column);
gboolean      _saphan_store_audit_append_locked (SaphanStore *self,
                                                 const char  *event,
                                                 const char  *detail,
                                                 gint64       at,
                                                 GError     **error);

/* saphan-store-submissions.c, for the outbox's use. */
void     _saphan_store_set_submission_not_found (const char *instance_id, GError **error);
gboolean _saphan_store_row_exists (SaphanStore  *self,
                                   const char   *sql,
                                   const char   *key,
                                   gboolean     *out_exists,
                                   GError      **error);
SaphanSubmissionInfo *_saphan_store_get_submission_locked (SaphanStore  *self,
                                                           const char   *instance_id,
                                                           GError      **error);

/* The SHA-256 hex of an audit entry; saphan-store-audit.c documents the
 * canonical encoding, which the tests recompute on their own. */
char *_saphan_store_audit_hash (const char *prev_hash,
                                gint64      seq,
                                gint64      at,
                                const char *event,
                                const char *detail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
