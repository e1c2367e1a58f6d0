/* saphan-http-client.h: libcurl's multi interface on the GLib main loop.
 *
 * Transfers run inside the thread-default main context of the thread that
 * created the client: curl tells us which sockets to watch and when to wake
 * up, and GLib does the waiting. Nothing here ever blocks the caller.
 */
#pragma once

#include <curl/curl.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_HTTP_CLIENT (saphan_http_client_get_type ())
G_DECLARE_FINAL_TYPE (SaphanHttpClient, saphan_http_client, SAPHAN, HTTP_CLIENT, GObject)

/* What came back from one transfer. A transport failure is not an error of
 * the call: it is reported in RESULT so that the caller can classify it. */
typedef struct
{
  CURLcode  result;
  char     *error_text;            /* curl's explanation when RESULT is not CURLE_OK */
  long      status;                /* HTTP status, 0 if no answer arrived */
  GBytes   *body;                  /* at most the body cap; never NULL */
  gboolean  body_too_large;        /* the answer was longer than the cap */
  char     *content_type;
  char     *location;
  char     *retry_after;           /* the raw Retry-After header */
  char     *openrosa_version;      /* the X-OpenRosa-Version header */
  gint64    accept_content_length; /* X-OpenRosa-Accept-Content-Length, -1 if absent */
  gint64    bytes_sent;
  gint64    elapsed_us;
} SaphanHttpResponse;

void saphan_http_response_free (SaphanHttpResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanHttpResponse, saphan_http_response_free)

SaphanHttpClient *saphan_http_client_new (void);

/* Runs EASY, which the client now owns. KEEP_ALIVE (e.g. the curl_mime the
 * request reads its body from) is released with KEEP_ALIVE_FREE once the
 * transfer is over. At most BODY_CAP bytes of the answer are kept; a longer
 * answer aborts the transfer with body_too_large set. */
void saphan_http_client_send_async (SaphanHttpClient   *self,
                                    CURL               *easy,
                                    gsize               body_cap,
                                    gpointer            keep_alive,
                                    GDestroyNotify      keep_alive_free,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
/* Fails only with G_IO_ERROR_CANCELLED. */
SaphanHttpResponse *saphan_http_client_send_finish (SaphanHttpClient *self,
                                                    GAsyncResult     *result,
                                                    GError          **error);

/* The number of transfers in flight. */
guint saphan_http_client_get_n_active (SaphanHttpClient *self);

G_END_DECLS
