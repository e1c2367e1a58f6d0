/* saphan-sync-private.h: what the sync engine's files share.
 *
 * Nothing outside sync/ and tests/sync/ includes this header.
 */
#pragma once

#include <curl/curl.h>
#include <gio/gio.h>

#include "saphan-store.h"
#include "saphan-sync.h"
#include "saphan-sync-profile.h"
#include "saphan-sync-response.h"

G_BEGIN_DECLS

/* The state of one run, kept as its GTask's task data. Worker threads read
 * and write only the fields of the step they run, while the main loop
 * waits for them. */
typedef struct
{
  int                lock_fd;
  SaphanSyncProfile *profile;
  char              *submission_url;
  gint64             accept_length;   /* from the HEAD; -1: HEAD again first */
  gint64             started_us;
  gint64             deadline_us;     /* monotonic; 0: one pass, never wait */
  int                head_failures;
  void             (*after_wait) (GTask *task);
  GError            *pending_error;
  SaphanSyncSummary  summary;

  /* The submission in flight. */
  SaphanSubmissionInfo *current;
  GBytes               *payload;
  GPtrArray            *attachments;  /* of SaphanAttachment *, owned */
  GPtrArray            *batches;      /* of GPtrArray of borrowed SaphanAttachment * */
  guint                 batch;
  SaphanSyncVerdict    *verdict;
  gint64                next_attempt_at;
  long                  last_status;
  gint64                last_bytes;
  gint64                last_elapsed_us;

  /* When nothing was due at a claim. */
  gint64 queued;
  gint64 next_due;
} SyncRun;

typedef enum
{
  SYNC_OP_PREPARE,      /* lock, load the profile, recover "sending" rows */
  SYNC_OP_CLAIM,        /* claim the next due submission with its bytes */
  SYNC_OP_MARK,         /* record run->verdict for run->current */
  SYNC_OP_RELEASE,      /* put run->current back after a cancellation */
  SYNC_OP_RECORD_AUTH,  /* pause the queue after 401/403 on the HEAD */
  SYNC_OP_FINISH,       /* count what is left */
} SyncOp;

/* One multipart POST body and the headers that go with it. */
typedef struct
{
  curl_mime         *mime;
  struct curl_slist *headers;
  gsize              size;
} SyncPost;

SaphanStore *_saphan_sync_get_store (SaphanSync *self);
void         _saphan_sync_clear_current (SyncRun *run);

/* Runs OP in a worker thread; takes over the caller's reference to TASK and
 * hands it to CALLBACK as user data. */
void     _saphan_sync_store_op        (GTask *task, SyncOp op, GAsyncReadyCallback callback);
gboolean _saphan_sync_store_op_finish (GAsyncResult *result, GError **error);

/* Audit entries that need no answer: written in a worker thread. */
void _saphan_sync_audit_attempt      (GTask *task, const SaphanSyncVerdict *verdict);
void _saphan_sync_audit_head_failure (GTask *task, const char *reason);

/* Splits ATTACHMENTS into batches that each fit into LIMIT bytes together
 * with PAYLOAD. NULL with *OUT_REASON set when one attachment alone cannot
 * fit. Always at least one (possibly empty) batch. */
GPtrArray *_saphan_sync_plan_batches (GBytes *payload, GPtrArray *attachments, gint64 limit,
                                      char **out_reason);

/* Builds the multipart body on EASY: the frozen XML as xml_submission_file,
 * each attachment as a part named by its file name, and "*isIncomplete*"
 * when more batches follow. The parts read from the GBytes without copies. */
SyncPost *_saphan_sync_post_new  (CURL *easy, GBytes *payload, GPtrArray *batch, gboolean incomplete,
                                  GError **error);
void      _saphan_sync_post_free (SyncPost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyncPost, _saphan_sync_post_free)

G_END_DECLS
