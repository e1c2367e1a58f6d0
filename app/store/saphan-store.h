/* saphan-store.h: the kiosk's one SQLite database.
 *
 * The store owns everything that must survive a power cut: installed forms,
 * finalized submissions with their outbox state, receipts, the audit log and
 * settings. All calls here block on disk and must not run on the UI thread;
 * the kiosk uses the _async variants, the CLI and tests the blocking ones.
 * One SaphanStore may be used from several threads: calls are serialized.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_STORE (saphan_store_get_type ())
G_DECLARE_FINAL_TYPE (SaphanStore, saphan_store, SAPHAN, STORE, GObject)

/* The outbox state machine: queued -> sending -> accepted | needs-attention,
 * and queued -> exported (carried out on USB; still resent when online). */
typedef enum
{
  SAPHAN_SUBMISSION_QUEUED,
  SAPHAN_SUBMISSION_SENDING,
  SAPHAN_SUBMISSION_ACCEPTED,
  SAPHAN_SUBMISSION_NEEDS_ATTENTION,
  SAPHAN_SUBMISSION_EXPORTED,
  SAPHAN_SUBMISSION_N_STATES
} SaphanSubmissionState;

const char *saphan_submission_state_to_string   (SaphanSubmissionState state);
gboolean    saphan_submission_state_from_string (const char *text, SaphanSubmissionState *out_state);

/* ---- Opening ------------------------------------------------------------ */

/* Opens (creating if needed) DATA_DIR/saphan.db and applies pending
 * migrations. Refuses with SAPHAN_ERROR_NOT_A_DATABASE or SAPHAN_ERROR_TOO_NEW
 * without touching the file. */
SaphanStore *saphan_store_open          (const char *data_dir, GError **error);
/* Opens a database file at an explicit path (tests). */
SaphanStore *saphan_store_open_file     (const char *db_path, GError **error);
const char  *saphan_store_get_data_dir  (SaphanStore *self);
const char  *saphan_store_get_path      (SaphanStore *self);
int          saphan_store_schema_version (SaphanStore *self);
int          saphan_store_latest_schema_version (void);

/* ---- Forms -------------------------------------------------------------- */

typedef struct
{
  char   *form_id;
  char   *version;
  char   *title;       /* the form's h:title */
  char   *hash;        /* "md5:<hex>" of the XML bytes, as OpenRosa lists it */
  gint64  installed_at; /* unix seconds */
  gboolean active;     /* offered at the kiosk */
} SaphanFormInfo;

void saphan_form_info_free (SaphanFormInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanFormInfo, saphan_form_info_free)

/* Installs or replaces form FORM_ID at VERSION. MEDIA maps file names
 * (char *) to contents (GBytes *) and may be NULL. Atomic: all or nothing. */
gboolean   saphan_store_install_form (SaphanStore *self,
                                      const char  *form_id,
                                      const char  *version,
                                      const char  *title,
                                      GBytes      *xml,
                                      GHashTable  *media,
                                      GError     **error);
/* Active forms, ordered by title: a GPtrArray of SaphanFormInfo. */
GPtrArray *saphan_store_list_forms   (SaphanStore *self, GError **error);
SaphanFormInfo *saphan_store_get_form (SaphanStore *self, const char *form_id, GError **error);
GBytes    *saphan_store_get_form_xml (SaphanStore *self, const char *form_id, GError **error);
/* The form's media files: name (char *) -> GBytes *. */
GHashTable *saphan_store_get_form_media (SaphanStore *self, const char *form_id, GError **error);
gboolean   saphan_store_set_form_active (SaphanStore *self, const char *form_id,
                                         gboolean active, GError **error);

/* ---- Finalize ----------------------------------------------------------- */

typedef struct
{
  const char *name;     /* file name as referenced by the submission XML */
  GBytes     *data;
} SaphanAttachment;

/* Everything a finalize writes, in one transaction. */
typedef struct
{
  const char *instance_id;   /* "uuid:..." from the form's meta/instanceID */
  const char *form_id;
  const char *form_version;
  GBytes     *payload;       /* the submission XML, frozen: never regenerated */
  GPtrArray  *attachments;   /* of SaphanAttachment *, may be NULL */
  const char *assisted_by;   /* staff id or NULL */
  /* Receipt made in the same transaction. */
  const char *receipt_number;
  const char *receipt_qr;    /* the signed QR text, may be NULL */
  gint64      finalized_at;  /* unix seconds; 0 means now */
} SaphanFinalizeRequest;

gboolean saphan_store_finalize        (SaphanStore                 *self,
                                       const SaphanFinalizeRequest *request,
                                       GError                     **error);
void     saphan_store_finalize_async  (SaphanStore                 *self,
                                       const SaphanFinalizeRequest *request,
                                       GCancellable                *cancellable,
                                       GAsyncReadyCallback          callback,
                                       gpointer                     user_data);
gboolean saphan_store_finalize_finish (SaphanStore  *self,
                                       GAsyncResult *result,
                                       GError      **error);

/* ---- Submissions and the outbox ----------------------------------------- */

typedef struct
{
  char   *instance_id;
  char   *form_id;
  char   *form_version;
  SaphanSubmissionState state;
  gint64  created_at;
  gint64  updated_at;
  gint64  next_attempt_at;  /* unix seconds; 0 = as soon as possible */
  int     attempts;
  char   *last_error;       /* the server's or transport's reason, no personal data */
  char   *server_message;   /* the OpenRosa response message once accepted */
  char   *assisted_by;
  char   *receipt_number;
  gsize   payload_size;     /* of the plaintext answers; 0 once purged */
  guint   n_attachments;
  gint64  accepted_at;      /* unix seconds; 0 until accepted */
  gint64  purged_at;        /* unix seconds; 0 while the answers are kept */
  /* Set once staff resolved a submission that needs attention (see
   * saphan_store_mark_resolved()); 0 and NULL until then. */
  gint64  resolved_at;      /* unix seconds */
  char   *resolved_by;      /* staff id, NULL when resolved without one */
  char   *resolution_note;  /* staff's words; may name a citizen, never logged */
} SaphanSubmissionInfo;

void saphan_submission_info_free (SaphanSubmissionInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanSubmissionInfo, saphan_submission_info_free)

/* STATE < 0 lists all states. Newest first. A GPtrArray of SaphanSubmissionInfo.
 * SAPHAN_SUBMISSION_NEEDS_ATTENTION lists only the unresolved ones. */
GPtrArray *saphan_store_list_submissions (SaphanStore *self, int state, guint limit, GError **error);
SaphanSubmissionInfo *saphan_store_get_submission (SaphanStore *self, const char *instance_id,
                                                   GError **error);
GBytes    *saphan_store_get_payload      (SaphanStore *self, const char *instance_id, GError **error);
/* A GPtrArray of SaphanAttachment * (owned, free with saphan_attachment_free). */
GPtrArray *saphan_store_get_attachments  (SaphanStore *self, const char *instance_id, GError **error);
void       saphan_attachment_free        (SaphanAttachment *attachment);
/* Counts per state: OUT_COUNTS has SAPHAN_SUBMISSION_N_STATES entries.
 * Resolved submissions are left out of the needs-attention count; they are
 * counted by saphan_store_count_resolved(). */
gboolean   saphan_store_count_by_state   (SaphanStore *self, gint64 *out_counts, GError **error);
gint64     saphan_store_count_resolved   (SaphanStore *self, GError **error);

/* Sync's side of the outbox. Claim moves the oldest due queued (or
 * exported) submission to sending and returns it; NULL with no error when
 * nothing is due. */
SaphanSubmissionInfo *saphan_store_claim_next (SaphanStore *self, gint64 now, GError **error);
gboolean saphan_store_mark_accepted        (SaphanStore *self, const char *instance_id,
                                            const char *server_message, GError **error);
gboolean saphan_store_mark_needs_attention (SaphanStore *self, const char *instance_id,
                                            const char *reason, GError **error);
/* Back to queued with a reason and the time of the next attempt. */
gboolean saphan_store_mark_retry           (SaphanStore *self, const char *instance_id,
                                            const char *reason, gint64 next_attempt_at,
                                            GError **error);
gboolean saphan_store_mark_exported        (SaphanStore *self, const char *instance_id,
                                            GError **error);
/* Staff closes a submission that needs attention with NOTE (not empty),
 * e.g. "filed again on paper". The state stays needs-attention, for that is
 * what happened on the wire; resolved_at, resolved_by (STAFF_ID, may be
 * NULL) and the note are recorded, and the submission leaves the
 * needs-attention listing and count. A resolution is final: a resolved
 * submission refuses every later move with SAPHAN_ERROR_STATE. A blank
 * note is refused with SAPHAN_ERROR_INVALID. The audit entry ("resolved")
 * names the submission and the staff id, never the note. */
gboolean saphan_store_mark_resolved        (SaphanStore *self, const char *instance_id,
                                            const char *staff_id, const char *note,
                                            GError **error);
/* After a crash: every "sending" row goes back to "queued". Returns the count. */
gint64   saphan_store_recover_sending      (SaphanStore *self, GError **error);

/* ---- Receipts ------------------------------------------------------------ */

typedef struct
{
  char    *number;
  char    *instance_id;
  char    *form_id;
  char    *qr_text;
  gint64   issued_at;
  gboolean printed;
  int      print_count;
} SaphanReceiptInfo;

void saphan_receipt_info_free (SaphanReceiptInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanReceiptInfo, saphan_receipt_info_free)

SaphanReceiptInfo *saphan_store_get_receipt (SaphanStore *self, const char *number, GError **error);
gboolean saphan_store_mark_receipt_printed  (SaphanStore *self, const char *number,
                                             gboolean printed, GError **error);

/* ---- Audit log ----------------------------------------------------------- */

/* Appends an event (e.g. "finalize", "staff-login") with DETAIL, a short
 * text without personal data. Each entry holds the hash of the previous. */
gboolean saphan_store_audit_append (SaphanStore *self, const char *event,
                                    const char *detail, GError **error);
/* Recomputes every entry's hash and link; SAPHAN_ERROR_SIGNATURE names the
 * first entry that does not verify. OUT_N_ENTRIES may be NULL. */
gboolean saphan_store_audit_verify (SaphanStore *self, gint64 *out_n_entries, GError **error);

/* One entry of the audit log, as stored. */
typedef struct
{
  gint64  seq;
  gint64  at;
  char   *event;
  char   *detail;
  char   *prev_hash;
  char   *hash;
} SaphanAuditEntry;

void saphan_audit_entry_free (SaphanAuditEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanAuditEntry, saphan_audit_entry_free)

/* The hash an entry with these fields must carry (SHA-256 hex of the
 * canonical encoding documented in saphan-store-audit.c). */
char *saphan_audit_compute_hash (const char *prev_hash, gint64 seq, gint64 at,
                                 const char *event, const char *detail);

/* The event name of signed checkpoints (see saphan_store_set_audit_signer). */
#define SAPHAN_AUDIT_CHECKPOINT_EVENT "checkpoint"

/* Entries with seq >= FROM_SEQ in order, at most LIMIT (0: all): a
 * GPtrArray of SaphanAuditEntry. */
GPtrArray *saphan_store_audit_list (SaphanStore *self, gint64 from_seq, guint limit, GError **error);
/* The last entry's seq and hash; 0 and NULL when the log is empty. */
gboolean   saphan_store_audit_head (SaphanStore *self, gint64 *out_seq, char **out_hash,
                                    GError **error);

/* Returns the detail text of a checkpoint entry that vouches for the chain
 * up to HEAD_SEQ, whose hash is HEAD_HASH (e.g. a signature over both). */
typedef char *(*SaphanAuditSignFunc) (gint64      head_seq,
                                      const char *head_hash,
                                      gpointer    user_data,
                                      GError    **error);

/* With a signer set, the store appends a checkpoint entry whenever an
 * entry's seq is a multiple of INTERVAL, in the same transaction. A signer
 * that fails never fails the event it follows; the checkpoint is skipped. */
void     saphan_store_set_audit_signer (SaphanStore        *self,
                                        guint               interval,
                                        SaphanAuditSignFunc func,
                                        gpointer            user_data,
                                        GDestroyNotify      destroy);
gboolean saphan_store_has_audit_signer (SaphanStore *self);
/* Appends a checkpoint now; SAPHAN_ERROR_STATE without a signer. OUT_SEQ
 * (may be NULL) receives the checkpoint's seq. */
gboolean saphan_store_audit_checkpoint (SaphanStore *self, gint64 *out_seq, GError **error);

/* PRAGMA integrity_check; SAPHAN_ERROR_IO with SQLite's finding if damaged. */
gboolean saphan_store_check_integrity (SaphanStore *self, GError **error);

/* ---- Settings ------------------------------------------------------------ */

/* get_setting returns NULL without an error when KEY is not set;
 * set_setting with a NULL VALUE removes KEY. */
char    *saphan_store_get_setting (SaphanStore *self, const char *key, GError **error);
gboolean saphan_store_set_setting (SaphanStore *self, const char *key,
                                   const char *value, GError **error);

/* ---- Staff accounts ------------------------------------------------------ */

/* The rows behind app/security/saphan-staff.h; PIN_HASH is the encoded
 * scrypt hash, never a PIN. Each change appends an audit entry. */
typedef struct
{
  char   *staff_id;
  char   *name;
  int     role;
  char   *pin_hash;
  gint64  created_at;
} SaphanStaffRecord;

void saphan_staff_record_free (SaphanStaffRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanStaffRecord, saphan_staff_record_free)

gboolean   saphan_store_staff_insert       (SaphanStore *self, const SaphanStaffRecord *record,
                                            GError **error);
gboolean   saphan_store_staff_delete       (SaphanStore *self, const char *staff_id, GError **error);
gboolean   saphan_store_staff_set_pin_hash (SaphanStore *self, const char *staff_id,
                                            const char *pin_hash, GError **error);
/* A GPtrArray of SaphanStaffRecord, ordered by id. */
GPtrArray *saphan_store_staff_records      (SaphanStore *self, GError **error);

/* The device-wide PIN lockout, one row. */
typedef struct
{
  int    failures;      /* wrong PINs since the last lock or success */
  int    locks;         /* locks since the last success; sets the delay */
  gint64 locked_until;  /* unix seconds */
} SaphanStaffLockout;

gboolean saphan_store_staff_get_lockout (SaphanStore *self, SaphanStaffLockout *out_lockout,
                                         GError **error);
/* Writes LOCKOUT and appends EVENT with DETAIL at AT in one transaction. */
gboolean saphan_store_staff_set_lockout (SaphanStore *self, const SaphanStaffLockout *lockout,
                                         const char *event, const char *detail, gint64 at,
                                         GError **error);

/* ---- Privacy: encryption at rest and retention ---------------------------- */

/* Payloads and attachments are sealed with AES-256-GCM under a key kept
 * outside the database: $CREDENTIALS_DIRECTORY/saphan-store-key when that
 * is set (a systemd credential), else DATA_DIR/keys/store.key, made on
 * first use. */
#define SAPHAN_STORE_KEY_CREDENTIAL "saphan-store-key"
#define SAPHAN_STORE_KEY_LEN 32

#define SAPHAN_STORE_RETENTION_SETTING "retention.days"
#define SAPHAN_STORE_RETENTION_DEFAULT_DAYS 30

/* Where the key is read from (owned). */
char    *saphan_store_key_path (SaphanStore *self);
/* Purges the answers and attachments of submissions accepted more than
 * retention.days before NOW, keeping their metadata and receipt.
 * OUT_N_PURGED may be NULL. */
gboolean saphan_store_purge_expired (SaphanStore *self, gint64 now, gint64 *out_n_purged,
                                     GError **error);

G_END_DECLS
