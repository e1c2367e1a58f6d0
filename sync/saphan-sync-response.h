/* saphan-sync-response.h: what an OpenRosa server's answer means.
 *
 * Pure functions, no I/O: the classification matrix is tested on its own
 * and against the reference server.
 */
#pragma once

#include <curl/curl.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_SYNC_OUTCOME_ACCEPTED,        /* 201/202 with an OpenRosaResponse */
  SAPHAN_SYNC_OUTCOME_NEEDS_ATTENTION, /* 404, 409: never retried by itself */
  SAPHAN_SYNC_OUTCOME_AUTH,            /* 401, 403: pause the queue, tell staff */
  SAPHAN_SYNC_OUTCOME_RETRY,           /* 408, 429, 5xx, timeouts, transport errors */
  SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED,    /* 200, redirects, anything not OpenRosa */
} SaphanSyncOutcome;

typedef struct
{
  SaphanSyncOutcome outcome;
  char   *reason;       /* short, stable, without personal data: "http-503", "timeout" */
  char   *message;      /* the server's OpenRosa message, or NULL */
  gint64  retry_after;  /* seconds the server asked us to wait, -1 if it did not */
} SaphanSyncVerdict;

void saphan_sync_verdict_free (SaphanSyncVerdict *verdict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanSyncVerdict, saphan_sync_verdict_free)

const char *saphan_sync_outcome_to_string (SaphanSyncOutcome outcome);

/* Classifies the answer to a submission POST. */
SaphanSyncVerdict *saphan_sync_classify_post (CURLcode    result,
                                              long        status,
                                              GBytes     *body,
                                              gboolean    body_too_large,
                                              const char *retry_after,
                                              gint64      now);
/* Classifies the answer to the HEAD before a batch: ACCEPTED means the
 * server is an OpenRosa server that will take submissions. */
SaphanSyncVerdict *saphan_sync_classify_head (CURLcode    result,
                                              long        status,
                                              const char *openrosa_version,
                                              const char *retry_after,
                                              gint64      now);

/* Parses BODY as an OpenRosaResponse without touching the network or
 * expanding entities. Returns FALSE if it is not one; *OUT_MESSAGE gets the
 * <message> text (trimmed, at most 200 characters) when there is one. */
gboolean saphan_sync_parse_openrosa (GBytes *body, char **out_message);

/* Retry-After as delta-seconds or an HTTP date; -1 if absent or invalid.
 * Capped at a day so a hostile value cannot park the queue for years. */
gint64 saphan_sync_parse_retry_after (const char *value, gint64 now);

/* Exponential backoff with full jitter: a uniform delay in
 * [0, min(CAP, BASE * 2^(ATTEMPT-1))], never less than RETRY_AFTER. RANDOM is
 * a uniform 32-bit number (g_random_int() outside tests). */
gint64 saphan_sync_backoff (int attempt, gint64 base, gint64 cap, gint64 retry_after, guint32 random);

G_END_DECLS
