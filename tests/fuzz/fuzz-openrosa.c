/* fuzz-openrosa.c: what an OpenRosa server sends back.
 *
 * Servers, proxies and captive portals on rural links answer with anything.
 * The input's first two bytes pick an HTTP status; the rest is the body,
 * classified as the answer to a submission POST, parsed as an
 * OpenRosaResponse, and (up to its first newline) read as a Retry-After
 * header. Whatever the bytes, the verdict must be one of the outcomes with a
 * short reason, and an accepted verdict needs a 201 or 202.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "saphan-sync-response.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

const char *const fuzz_dictionary[] = {
  "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">", "</OpenRosaResponse>",
  "<message nature=\"submit_success\">", "</message>", "<?xml version=\"1.0\"?>",
  "Wed, 21 Oct 2015 07:28:00 GMT", "120", "-1", "99999999999999999999", "<!DOCTYPE",
  "<!ENTITY x SYSTEM \"file:///etc/passwd\">", "&x;", "xmlns=\"\"", NULL,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const long statuses[] = { 200, 201, 202, 204, 301, 400, 401, 403, 404, 408,
                                   409, 413, 429, 500, 502, 503, 504, 0, 999, -1 };
  const gint64 now = 1700000000;
  long status = size > 0 ? statuses[data[0] % G_N_ELEMENTS (statuses)] : 201;
  CURLcode result = size > 1 && (data[1] & 0x80) != 0 ? (CURLcode) (data[1] & 0x3f) : CURLE_OK;
  const guint8 *body = size > 2 ? data + 2 : data + size;
  gsize body_len = size > 2 ? size - 2 : 0;
  g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);
  const guint8 *newline = memchr (body, '\n', body_len);
  g_autofree char *header = g_strndup ((const char *) body,
                                       newline != NULL ? (gsize) (newline - body) : MIN (body_len, 64));
  g_autoptr(SaphanSyncVerdict) verdict = NULL;
  g_autoptr(SaphanSyncVerdict) head = NULL;
  g_autofree char *message = NULL;
  gint64 retry_after;
  guint32 random = 7;

  (void) saphan_sync_parse_openrosa (bytes, &message);
  retry_after = saphan_sync_parse_retry_after (header, now);
  g_assert (retry_after >= -1);

  verdict = saphan_sync_classify_post (result, status, bytes, size > 1 && (data[1] & 1) != 0,
                                       header, now);
  g_assert (verdict != NULL && verdict->reason != NULL);
  g_assert (strlen (verdict->reason) < 256);
  g_assert (saphan_sync_outcome_to_string (verdict->outcome) != NULL);
  if (verdict->outcome == SAPHAN_SYNC_OUTCOME_ACCEPTED)
    g_assert (result == CURLE_OK && (status == 201 || status == 202));

  head = saphan_sync_classify_head (result, status, header, header, now);
  g_assert (head != NULL && head->reason != NULL);

  if (size >= sizeof random)
    memcpy (&random, data, sizeof random);
  (void) saphan_sync_backoff ((int) (size % 40), 5, 3600, retry_after, random);
  return 0;
}
