/* store-test-util.h: what the store's tests share.
 *
 * Submissions in these tests are derived deterministically from their
 * instance id, so a process that wrote them and a process that checks them
 * after a crash agree on every byte without talking to each other.
 */
#pragma once

#include <sqlite3.h>

#include "saphan-store.h"

G_BEGIN_DECLS

/* A finalize request together with the memory it points to. */
typedef struct
{
  SaphanFinalizeRequest request;
  char      *instance_id;
  char      *receipt_number;
  char      *receipt_qr;
  GPtrArray *attachments;   /* of SaphanAttachment *, owned */
} StoreTestSubmission;

StoreTestSubmission *store_test_submission_new  (const char *instance_id);
void                 store_test_submission_free (StoreTestSubmission *submission);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreTestSubmission, store_test_submission_free)

/* The payload alone, as store_test_submission_new() makes it. */
GBytes *store_test_derive_payload (const char *instance_id);

/* Checks, without asserting, that the stored submission matches what its
 * instance id derives: payload, attachments, receipt. Returns a short
 * description of the first difference, or NULL when it matches. */
char *store_test_compare_submission (SaphanStore *store, const char *instance_id);

/* A fresh temporary folder, and its removal with everything inside. */
char *store_test_make_dir   (void);
void  store_test_remove_dir (const char *dir);

/* Raw SQLite helpers for looking under the store. */
sqlite3 *store_test_raw_open      (const char *path);
gint64   store_test_raw_int       (sqlite3 *db, const char *sql);
char    *store_test_raw_text      (sqlite3 *db, const char *sql);
void     store_test_raw_exec      (sqlite3 *db, const char *sql);

/* True when SAPHAN_SOAK is set: loops run longer. */
gboolean store_test_soak (void);

G_END_DECLS
