/* saphan-sync-response.c: what an OpenRosa server's answer means. */
#include "config.h"

#include "saphan-sync-response.h"

#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#define OPENROSA_RESPONSE_NS "http://openrosa.org/http/response"
#define MESSAGE_MAX_CHARS 200

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

void
saphan_sync_verdict_free (SaphanSyncVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->reason);
  g_free (verdict->message);
  g_free (verdict);
}

const char *
saphan_sync_outcome_to_string (SaphanSyncOutcome outcome)
{
  switch (outcome)
    {
    case SAPHAN_SYNC_OUTCOME_ACCEPTED:
      return "accepted";
    case SAPHAN_SYNC_OUTCOME_NEEDS_ATTENTION:
      return "needs-attention";
    case SAPHAN_SYNC_OUTCOME_AUTH:
      return "auth";
    case SAPHAN_SYNC_OUTCOME_RETRY:
      return "retry";
    case SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED:
      return "not-accepted";
    default:
      return "unknown";
    }
}

static SaphanSyncVerdict *
verdict_new (SaphanSyncOutcome outcome, char *reason, char *message, gint64 retry_after)
{
  SaphanSyncVerdict *v = g_new0 (SaphanSyncVerdict, 1);

  v->outcome = outcome;
  v->reason = reason;
  v->message = message;
  v->retry_after = retry_after;
  return v;
}

/* Keeps only printable text: the message ends up in the store and on the
 * staff screen, and the server is not trusted to send clean UTF-8. */
static char *
clean_message (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint chars = 0;

  for (const char *p = valid; *p != '\0' && chars < MESSAGE_MAX_CHARS; p = g_utf8_next_char (p), chars++)
    {
      gunichar c = g_utf8_get_char (p);
      g_string_append_unichar (out, g_unichar_isprint (c) ? c : ' ');
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (out->len == 0)
    return (g_string_free (out, TRUE), NULL);
  return g_string_free (out, FALSE);
}

gboolean
saphan_sync_parse_openrosa (GBytes *body, char **out_message)
{
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode *root;
  gsize size = 0;
  const char *data;

  if (out_message != NULL)
    *out_message = NULL;
  if (body == NULL)
    return FALSE;
  data = g_bytes_get_data (body, &size);
  if (data == NULL || size == 0 || size > G_MAXINT)
    return FALSE;

  /* NONET: never fetch anything a body points at. Without NOENT entities
   * stay unexpanded, and without DTDLOAD no external subset is read. */
  doc = xmlReadMemory (data, (int) size, "openrosa-response.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
  if (doc == NULL || (root = xmlDocGetRootElement (doc)) == NULL)
    return FALSE;
  if (xmlStrcmp (root->name, BAD_CAST "OpenRosaResponse") != 0)
    return FALSE;
  if (root->ns != NULL && xmlStrcmp (root->ns->href, BAD_CAST OPENROSA_RESPONSE_NS) != 0)
    return FALSE;

  for (xmlNode *n = root->children; n != NULL && out_message != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrcmp (n->name, BAD_CAST "message") == 0)
      {
        xmlChar *text = xmlNodeGetContent (n);
        if (text != NULL)
          *out_message = clean_message ((const char *) text);
        xmlFree (text);
        break;
      }
  return TRUE;
}

gint64
saphan_sync_parse_retry_after (const char *value, gint64 now)
{
  guint64 seconds;
  gint64 delta = -1;

  if (value == NULL || *value == '\0')
    return -1;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &seconds, NULL))
    delta = (gint64) seconds;
  else
    {
      /* An HTTP date: "Sun, 06 Nov 1994 08:49:37 GMT". */
      static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
      char month[4] = { 0 };
      int day, year, h, m, s;

      if (sscanf (value, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &day, month, &year, &h, &m, &s) == 6)
        for (int i = 0; i < 12; i++)
          if (strcmp (month, months[i]) == 0)
            {
              g_autoptr (GDateTime) dt = g_date_time_new_utc (year, i + 1, day, h, m, s);
              if (dt != NULL)
                delta = MAX (0, g_date_time_to_unix (dt) - now);
            }
    }
  if (delta < 0)
    return -1;
  return MIN (delta, 24 * 3600);
}

gint64
saphan_sync_backoff (int attempt, gint64 base, gint64 cap, gint64 retry_after, guint32 random)
{
  gint64 ceiling = base;
  gint64 delay;

  for (int i = 1; i < attempt && ceiling < cap; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, cap);
  /* Full jitter spreads kiosks that lost the link together over the whole
   * window, so the server is not hit by all of them at once. */
  delay = ceiling > 0 ? (gint64) (((guint64) random * (guint64) (ceiling + 1)) >> 32) : 0;
  return MAX (delay, retry_after);
}

static char *
transport_reason (CURLcode result)
{
  switch (result)
    {
    case CURLE_OPERATION_TIMEDOUT:
      return g_strdup ("timeout");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return g_strdup ("dns");
    case CURLE_COULDNT_CONNECT:
      return g_strdup ("connect");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      return g_strdup ("tls");
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return g_strdup ("tls-pin");
    case CURLE_GOT_NOTHING:
      return g_strdup ("empty-reply");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
      return g_strdup ("connection-lost");
    default:
      return g_strdup_printf ("curl-%d", (int) result);
    }
}

SaphanSyncVerdict *
saphan_sync_classify_post (CURLcode    result,
                           long        status,
                           GBytes     *body,
                           gboolean    body_too_large,
                           const char *retry_after,
                           gint64      now)
{
  g_autofree char *message = NULL;
  gboolean openrosa;

  /* An answer too big to be an OpenRosa response is not trusted, even if
   * its status said 201: it is resent later and the server's duplicate
   * handling makes that harmless. */
  if (body_too_large)
    return verdict_new (SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED, g_strdup_printf ("http-%ld-oversized", status),
                        NULL, -1);
  if (result != CURLE_OK)
    return verdict_new (SAPHAN_SYNC_OUTCOME_RETRY, transport_reason (result), NULL, -1);

  openrosa = saphan_sync_parse_openrosa (body, &message);
  switch (status)
    {
    case 201:
    case 202:
      if (!openrosa)
        return verdict_new (SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED, g_strdup_printf ("http-%ld-not-openrosa", status),
                            NULL, -1);
      return verdict_new (SAPHAN_SYNC_OUTCOME_ACCEPTED, g_strdup_printf ("http-%ld", status),
                          g_steal_pointer (&message), -1);
    case 404:
    case 409:
      return verdict_new (SAPHAN_SYNC_OUTCOME_NEEDS_ATTENTION, g_strdup_printf ("http-%ld", status),
                          openrosa ? g_steal_pointer (&message) : NULL, -1);
    case 401:
    case 403:
      return verdict_new (SAPHAN_SYNC_OUTCOME_AUTH, g_strdup_printf ("http-%ld", status),
                          openrosa ? g_steal_pointer (&message) : NULL, -1);
    case 408:
    case 429:
      return verdict_new (SAPHAN_SYNC_OUTCOME_RETRY, g_strdup_printf ("http-%ld", status), NULL,
                          saphan_sync_parse_retry_after (retry_after, now));
    default:
      if (status >= 500 && status <= 599)
        return verdict_new (SAPHAN_SYNC_OUTCOME_RETRY, g_strdup_printf ("http-%ld", status), NULL,
                            saphan_sync_parse_retry_after (retry_after, now));
      /* 200 (a captive portal's page), 3xx (a login redirect) and every
       * other answer: the server did not say it took the submission. */
      return verdict_new (SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED, g_strdup_printf ("http-%ld", status), NULL,
                          saphan_sync_parse_retry_after (retry_after, now));
    }
}

SaphanSyncVerdict *
saphan_sync_classify_head (CURLcode    result,
                           long        status,
                           const char *openrosa_version,
                           const char *retry_after,
                           gint64      now)
{
  if (result != CURLE_OK)
    return verdict_new (SAPHAN_SYNC_OUTCOME_RETRY, transport_reason (result), NULL, -1);
  if (status == 401 || status == 403)
    return verdict_new (SAPHAN_SYNC_OUTCOME_AUTH, g_strdup_printf ("http-%ld", status), NULL, -1);
  if (status == 408 || status == 429 || (status >= 500 && status <= 599))
    return verdict_new (SAPHAN_SYNC_OUTCOME_RETRY, g_strdup_printf ("http-%ld", status), NULL,
                        saphan_sync_parse_retry_after (retry_after, now));
  /* OpenRosa asks for 204; a captive portal answers 200 without the
   * OpenRosa header, which is how it is told apart. */
  if ((status == 204 || status == 200) && openrosa_version != NULL)
    return verdict_new (SAPHAN_SYNC_OUTCOME_ACCEPTED, g_strdup_printf ("http-%ld", status), NULL, -1);
  return verdict_new (SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED, g_strdup_printf ("head-http-%ld", status), NULL,
                      saphan_sync_parse_retry_after (retry_after, now));
}
