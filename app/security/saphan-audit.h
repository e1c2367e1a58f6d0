/* saphan-audit.h: signed checkpoints in the audit log, and its verification.
 *
 * The store chains audit entries by SHA-256, which finds an entry changed
 * by someone who did not recompute the chain. Checkpoints, entries whose
 * detail holds an Ed25519 signature by the kiosk key over the chain head,
 * find the rest: an attacker who recomputes every hash after an edit
 * cannot sign the new head. The newest checkpoint is also recorded outside
 * the database (DATA_DIR/keys/audit-anchor), so that cutting entries off
 * the end of the log, checkpoints included, is found.
 *
 * What cannot be found: entries after the newest checkpoint can be cut off
 * without a trace, and an attacker who also holds the kiosk's private key
 * (it lives in the same data folder) can re-sign a forged log. Checkpoints
 * are therefore made often: every SAPHAN_AUDIT_CHECKPOINT_INTERVAL entries,
 * at each kiosk start, each staff logout and each verification.
 */
#pragma once

#include <glib.h>

#include "saphan-kiosk-key.h"
#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_AUDIT_CHECKPOINT_INTERVAL 100

typedef enum
{
  SAPHAN_AUDIT_OK,
  SAPHAN_AUDIT_EDITED,          /* the entry's contents do not match its hash */
  SAPHAN_AUDIT_DELETED,         /* one or more entries before it are missing */
  SAPHAN_AUDIT_INSERTED,        /* the entry was slipped in between two others */
  SAPHAN_AUDIT_REORDERED,       /* the entry was written at another position */
  SAPHAN_AUDIT_REPLACED,        /* the entry was rewritten with a fresh hash */
  SAPHAN_AUDIT_BAD_CHECKPOINT,  /* a checkpoint's signature does not verify */
  SAPHAN_AUDIT_TRUNCATED,       /* entries a checkpoint vouched for are gone */
} SaphanAuditProblem;

typedef struct
{
  gint64             n_entries;
  gint64             n_checkpoints;
  gint64             last_checkpoint;  /* seq of the newest valid checkpoint; 0 if none */
  gint64             anchor;           /* seq recorded outside the database; 0 if none */
  SaphanAuditProblem problem;
  gint64             bad_seq;          /* the first bad entry; 0 when the log is sound */
} SaphanAuditReport;

const char *saphan_audit_problem_to_string (SaphanAuditProblem problem);

/* Lets STORE sign checkpoints with KEY (which must hold the private key)
 * every SAPHAN_AUDIT_CHECKPOINT_INTERVAL entries. */
void     saphan_audit_attach_key (SaphanStore *store, SaphanKioskKey *key);

/* Appends a signed checkpoint now and records it outside the database.
 * Needs saphan_audit_attach_key() first. OUT_SEQ may be NULL. */
gboolean saphan_audit_checkpoint (SaphanStore *store, gint64 *out_seq, GError **error);

/* Checks every entry's hash and link, every checkpoint's signature (by KEY
 * or a key in the kiosk's keyring) and the anchor. On tampering returns
 * FALSE with SAPHAN_ERROR_SIGNATURE naming the first bad entry; REPORT
 * (may be NULL) is filled either way. */
gboolean saphan_audit_verify     (SaphanStore       *store,
                                  SaphanKioskKey    *key,
                                  SaphanAuditReport *report,
                                  GError           **error);

G_END_DECLS
