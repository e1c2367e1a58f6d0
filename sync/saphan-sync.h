/* saphan-sync.h: drains the store's outbox to the configured OpenRosa server.
 *
 * One run: take the sync lock, put submissions left "sending" by a crash
 * back in the queue, HEAD the submission URL for the server's size limit,
 * then claim, POST and mark one submission after another. Everything runs
 * on the caller's main loop (HTTP through libcurl's multi interface, store
 * calls in worker threads), so the kiosk's screen never waits for it.
 *
 * Exactly once: the XML frozen at finalize is sent byte for byte, always.
 * Whatever is cut (the link, the power, the process) leads at most to the
 * same bytes being sent again, which OpenRosa servers accept as a duplicate
 * of what they already hold.
 */
#pragma once

#include <gio/gio.h>

#include "saphan-store.h"
#include "saphan-sync-response.h"

G_BEGIN_DECLS

#define SAPHAN_TYPE_SYNC (saphan_sync_get_type ())
G_DECLARE_FINAL_TYPE (SaphanSync, saphan_sync, SAPHAN, SYNC, GObject)

typedef struct
{
  guint   accepted;
  guint   needs_attention;
  guint   deferred;        /* sent back to the queue for a later attempt */
  guint   requests;        /* HTTP requests made, HEAD included */
  gint64  bytes_sent;
  gint64  elapsed_us;
  gint64  remaining;       /* queued after the run */
  gint64  recovered;       /* "sending" rows put back at the start */
  gboolean auth_problem;   /* the server refused the credentials: queue paused */
  char   *last_reason;     /* the last failure's reason, or NULL */
} SaphanSyncSummary;

void saphan_sync_summary_clear (SaphanSyncSummary *summary);

SaphanSync *saphan_sync_new (SaphanStore *store);

/* Delivers what is due. With WAIT_SECONDS = 0 it makes one pass and stops
 * at the first transient failure; otherwise it also waits (up to that many
 * seconds in total) for retries that back-off has scheduled, so a run ends
 * early only when the queue is empty, the deadline passed or the server
 * refused the credentials. Fails with SAPHAN_ERROR_BUSY when another
 * process is syncing the same store, SAPHAN_ERROR_STATE when no server is
 * configured or an auth problem is pending. */
void     saphan_sync_run_async  (SaphanSync         *self,
                                 guint               wait_seconds,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
gboolean saphan_sync_run_finish (SaphanSync        *self,
                                 GAsyncResult      *result,
                                 SaphanSyncSummary *out_summary,
                                 GError           **error);

/* Blocking convenience for the CLI and tests: runs a private main loop. */
gboolean saphan_sync_run (SaphanSync        *self,
                          guint              wait_seconds,
                          GCancellable      *cancellable,
                          SaphanSyncSummary *out_summary,
                          GError           **error);

gboolean saphan_sync_get_running (SaphanSync *self);

/* Signals:
 *   "attempt" (const char *instance_id, SaphanSyncOutcome outcome,
 *              const char *reason, guint batch, guint n_batches)
 *       after each POST's answer is classified and recorded.
 */

G_END_DECLS
