/* saphan-sync-profile.c: the server profile and the transport settings. */
#include "config.h"

#include "saphan-sync-profile.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "saphan-curl-loader.h"
#include "saphan-error.h"

static const char *const kind_names[] = {
  [SAPHAN_SERVER_NONE] = "none",
  [SAPHAN_SERVER_CENTRAL] = "central",
  [SAPHAN_SERVER_KOBO] = "kobo",
  [SAPHAN_SERVER_OPENROSA] = "openrosa",
};

static const char *const auth_names[] = {
  [SAPHAN_AUTH_NONE] = "none",
  [SAPHAN_AUTH_BASIC] = "basic",
  [SAPHAN_AUTH_DIGEST] = "digest",
  [SAPHAN_AUTH_ANY] = "any",
};

void
saphan_sync_profile_free (SaphanSyncProfile *profile)
{
  if (profile == NULL)
    return;
  g_free (profile->url);
  g_free (profile->token);
  g_free (profile->project);
  g_free (profile->user);
  if (profile->password != NULL)
    memset (profile->password, 0, strlen (profile->password));
  g_free (profile->password);
  g_free (profile->proxy);
  g_free (profile->pinned_keys);
  g_free (profile->ca_file);
  g_free (profile);
}

const char *
saphan_server_kind_to_string (SaphanServerKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_names) ? kind_names[kind] : "none";
}

gboolean
saphan_server_kind_from_string (const char *text, SaphanServerKind *out_kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *out_kind = i;
        return TRUE;
      }
  return FALSE;
}

/* Reads a setting; a missing one is NULL and not an error. */
static gboolean
get_text (SaphanStore *store, const char *key, char **out, GError **error)
{
  GError *local = NULL;

  *out = saphan_store_get_setting (store, key, &local);
  if (local != NULL)
    {
      if (g_error_matches (local, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND))
        {
          g_error_free (local);
          return TRUE;
        }
      g_propagate_error (error, local);
      return FALSE;
    }
  if (*out != NULL && **out == '\0')
    g_clear_pointer (out, g_free);
  return TRUE;
}

static gboolean
get_number (SaphanStore *store, const char *key, gint64 fallback, gint64 min, gint64 *out,
            GError **error)
{
  g_autofree char *text = NULL;
  gint64 v;

  if (!get_text (store, key, &text, error))
    return FALSE;
  *out = fallback;
  if (text != NULL && g_ascii_string_to_signed (text, 10, min, G_MAXINT32, &v, NULL))
    *out = v;
  return TRUE;
}

SaphanSyncProfile *
saphan_sync_profile_load (SaphanStore *store, GError **error)
{
  g_autoptr (SaphanSyncProfile) p = g_new0 (SaphanSyncProfile, 1);
  g_autofree char *kind = NULL;
  g_autofree char *auth = NULL;
  gint64 n;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);

  if (!get_text (store, SAPHAN_SETTING_SERVER_KIND, &kind, error) ||
      !get_text (store, SAPHAN_SETTING_SERVER_URL, &p->url, error) ||
      !get_text (store, SAPHAN_SETTING_SERVER_TOKEN, &p->token, error) ||
      !get_text (store, SAPHAN_SETTING_SERVER_PROJECT, &p->project, error) ||
      !get_text (store, SAPHAN_SETTING_SERVER_USER, &p->user, error) ||
      !get_text (store, SAPHAN_SETTING_SERVER_PASSWORD, &p->password, error) ||
      !get_text (store, SAPHAN_SETTING_SERVER_AUTH, &auth, error) ||
      !get_text (store, SAPHAN_SETTING_PROXY, &p->proxy, error) ||
      !get_text (store, SAPHAN_SETTING_PINNED_KEYS, &p->pinned_keys, error) ||
      !get_text (store, SAPHAN_SETTING_CA_FILE, &p->ca_file, error))
    return NULL;

  if (kind == NULL || p->url == NULL || !saphan_server_kind_from_string (kind, &p->kind) ||
      p->kind == SAPHAN_SERVER_NONE)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("No server is configured. Set one with “saphanctl server set”."));
      return NULL;
    }
  p->auth = SAPHAN_AUTH_NONE;
  for (guint i = 0; auth != NULL && i < G_N_ELEMENTS (auth_names); i++)
    if (strcmp (auth, auth_names[i]) == 0)
      p->auth = i;

  /* Defaults are for a 64 kbit/s link: a 1 MB photo takes about two
   * minutes, so only a transfer that makes no progress at all is cut. */
  if (!get_number (store, SAPHAN_SETTING_CONNECT_TIMEOUT, 20, 1, &n, error))
    return NULL;
  p->connect_timeout = n;
  if (!get_number (store, SAPHAN_SETTING_TOTAL_TIMEOUT, 600, 1, &n, error))
    return NULL;
  p->total_timeout = n;
  if (!get_number (store, SAPHAN_SETTING_LOW_SPEED_LIMIT, 100, 1, &n, error))
    return NULL;
  p->low_speed_limit = n;
  if (!get_number (store, SAPHAN_SETTING_LOW_SPEED_TIME, 60, 1, &n, error))
    return NULL;
  p->low_speed_time = n;
  if (!get_number (store, SAPHAN_SETTING_BACKOFF_BASE, 30, 0, &p->backoff_base, error) ||
      !get_number (store, SAPHAN_SETTING_BACKOFF_CAP, 3600, 0, &p->backoff_cap, error))
    return NULL;
  return g_steal_pointer (&p);
}

static gboolean
is_https (const char *url)
{
  return url != NULL && g_ascii_strncasecmp (url, "https://", 8) == 0;
}

gboolean
saphan_sync_profile_validate (const SaphanSyncProfile *p, GError **error)
{
  g_autoptr (GUri) uri = NULL;

  g_return_val_if_fail (p != NULL, FALSE);

  if (p->url == NULL || (uri = g_uri_parse (p->url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The server address must be a full http:// or https:// URL."));
      return FALSE;
    }
  if (g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("Give the server address without a query or credentials; use the options for those."));
      return FALSE;
    }
  switch (p->kind)
    {
    case SAPHAN_SERVER_CENTRAL:
      if (p->token == NULL || *p->token == '\0' || strchr (p->token, '/') != NULL ||
          p->project == NULL || !g_ascii_string_to_unsigned (p->project, 10, 1, G_MAXINT32, NULL, NULL))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("ODK Central needs an app-user token and a numeric project ID."));
          return FALSE;
        }
      break;
    case SAPHAN_SERVER_KOBO:
    case SAPHAN_SERVER_OPENROSA:
      if ((p->user == NULL) != (p->password == NULL))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("Give both a user and a password, or neither."));
          return FALSE;
        }
      if (p->kind == SAPHAN_SERVER_KOBO && p->user == NULL)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("KoboToolbox needs a user and a password."));
          return FALSE;
        }
      /* Basic sends the password in clear: only inside TLS. */
      if (p->user != NULL && p->auth != SAPHAN_AUTH_DIGEST && !is_https (p->url))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("A password is only sent over https://; use an https:// address or Digest authentication."));
          return FALSE;
        }
      break;
    case SAPHAN_SERVER_NONE:
    default:
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("Unknown server kind."));
      return FALSE;
    }
  if (p->pinned_keys != NULL)
    {
      g_auto (GStrv) pins = g_strsplit (p->pinned_keys, ";", -1);
      if (g_strv_length (pins) < 2)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("Pin at least two public keys (the current one and a backup), or none."));
          return FALSE;
        }
      for (guint i = 0; pins[i] != NULL; i++)
        if (!g_str_has_prefix (pins[i], "sha256//") || strlen (pins[i]) != strlen ("sha256//") + 44)
          {
            g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                         _("A pinned key must look like sha256//<44 base64 characters>."));
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
saphan_sync_profile_save (SaphanStore *store, const SaphanSyncProfile *p, GError **error)
{
  g_autofree char *url = NULL;
  const char *auth = p->user != NULL ? auth_names[p->auth == SAPHAN_AUTH_NONE ? SAPHAN_AUTH_ANY : p->auth]
                                     : auth_names[SAPHAN_AUTH_NONE];

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  if (!saphan_sync_profile_validate (p, error))
    return FALSE;

  url = g_strdup (p->url);
  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';

  /* Each key is written on its own; the profile only counts once the kind
   * is written last, so a half-written profile is never used. */
  return saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_KIND, "none", error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_URL, url, error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_TOKEN, p->token != NULL ? p->token : "", error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_PROJECT, p->project != NULL ? p->project : "", error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_USER, p->user != NULL ? p->user : "", error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_PASSWORD, p->password != NULL ? p->password : "", error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_AUTH, auth, error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_PINNED_KEYS, p->pinned_keys != NULL ? p->pinned_keys : "", error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_AUTH_PROBLEM, "", error) &&
         saphan_store_set_setting (store, SAPHAN_SETTING_SERVER_KIND, saphan_server_kind_to_string (p->kind), error) &&
         saphan_store_audit_append (store, "server-set", saphan_server_kind_to_string (p->kind), error);
}

static char *
endpoint (const SaphanSyncProfile *p, const char *what, gboolean hide_secret)
{
  switch (p->kind)
    {
    case SAPHAN_SERVER_CENTRAL:
      return g_strdup_printf ("%s/v1/key/%s/projects/%s/%s", p->url,
                              hide_secret ? "…" : p->token, p->project, what);
    case SAPHAN_SERVER_KOBO:
    case SAPHAN_SERVER_OPENROSA:
      return g_strdup_printf ("%s/%s", p->url, what);
    case SAPHAN_SERVER_NONE:
    default:
      return NULL;
    }
}

char *
saphan_sync_profile_submission_url (const SaphanSyncProfile *p)
{
  return endpoint (p, "submission", FALSE);
}

char *
saphan_sync_profile_form_list_url (const SaphanSyncProfile *p)
{
  return endpoint (p, "formList", FALSE);
}

char *
saphan_sync_profile_describe (const SaphanSyncProfile *p)
{
  return endpoint (p, "submission", TRUE);
}

/* Sets one option unless an earlier one already failed. */
#define APPLY(easy, ...)                                       \
  G_STMT_START                                                 \
  {                                                            \
    if (rc == CURLE_OK)                                        \
      rc = curl_easy_setopt (easy, __VA_ARGS__);               \
  }                                                            \
  G_STMT_END

gboolean
saphan_sync_profile_apply (const SaphanSyncProfile *p, CURL *easy, const char *url,
                           struct curl_slist *headers, GError **error)
{
  /* Each string option is copied by libcurl and may fail for want of
   * memory: the first failure is kept and reported once at the end. */
  CURLcode rc = easy != NULL && headers != NULL ? CURLE_OK : CURLE_OUT_OF_MEMORY;

  /* Without libcurl nothing was made at all: say so, not "out of memory". */
  if (!saphan_curl_load (error))
    return FALSE;
  APPLY (easy, CURLOPT_URL, url);
  APPLY (easy, CURLOPT_HTTPHEADER, headers);

  /* Verification is never optional: a kiosk on a hotel-style network must
   * not hand citizens' data to whoever answers. */
  APPLY (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  APPLY (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  APPLY (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  APPLY (easy, CURLOPT_FOLLOWLOCATION, 0L);
  APPLY (easy, CURLOPT_NOSIGNAL, 1L);
  APPLY (easy, CURLOPT_CONNECTTIMEOUT, p->connect_timeout);
  APPLY (easy, CURLOPT_TIMEOUT, p->total_timeout);
  APPLY (easy, CURLOPT_LOW_SPEED_LIMIT, p->low_speed_limit);
  APPLY (easy, CURLOPT_LOW_SPEED_TIME, p->low_speed_time);
  APPLY (easy, CURLOPT_TCP_KEEPALIVE, 1L);
  APPLY (easy, CURLOPT_USERAGENT, "Saphan/" PACKAGE_VERSION);
  if (p->ca_file != NULL)
    APPLY (easy, CURLOPT_CAINFO, p->ca_file);
  if (p->pinned_keys != NULL)
    APPLY (easy, CURLOPT_PINNEDPUBLICKEY, p->pinned_keys);
  /* Without a proxy in the settings libcurl honours https_proxy and
   * no_proxy from the environment by itself. */
  if (p->proxy != NULL)
    APPLY (easy, CURLOPT_PROXY, p->proxy);

  if (p->user != NULL && p->kind != SAPHAN_SERVER_CENTRAL)
    {
      long methods = CURLAUTH_DIGEST;

      if (p->auth == SAPHAN_AUTH_BASIC)
        methods = CURLAUTH_BASIC;
      else if (p->auth == SAPHAN_AUTH_ANY)
        methods = CURLAUTH_BASIC | CURLAUTH_DIGEST;
      /* Never Basic over plain HTTP, whatever the settings say. */
      if (p->url == NULL || !is_https (p->url))
        methods = CURLAUTH_DIGEST;
      APPLY (easy, CURLOPT_HTTPAUTH, methods);
      APPLY (easy, CURLOPT_USERNAME, p->user);
      APPLY (easy, CURLOPT_PASSWORD, p->password);
    }

  if (rc != CURLE_OK)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK, _("Could not prepare a network transfer: %s"),
                   curl_easy_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

static gboolean
append_header (struct curl_slist **headers, const char *line)
{
  struct curl_slist *longer = curl_slist_append (*headers, line);

  /* On failure curl_slist_append() leaves the list as it was, so the
   * caller would leak it and send a request without the header. */
  if (longer == NULL)
    {
      g_clear_pointer (headers, curl_slist_free_all);
      return FALSE;
    }
  *headers = longer;
  return TRUE;
}

struct curl_slist *
saphan_sync_openrosa_headers (gboolean small_body)
{
  g_autofree char *date = saphan_sync_http_date (g_get_real_time () / G_USEC_PER_SEC);
  struct curl_slist *headers = NULL;

  if (!append_header (&headers, "X-OpenRosa-Version: 1.0") || !append_header (&headers, date))
    return NULL;
  /* A small body costs less than the 100-continue round trip it would
   * wait for on a slow link. */
  if (small_body && !append_header (&headers, "Expect:"))
    return NULL;
  return headers;
}

char *
saphan_sync_http_date (gint64 unix_seconds)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  /* Day and month names must be English whatever the kiosk's locale. */
  return g_strdup_printf ("Date: %s, %02d %s %04d %02d:%02d:%02d GMT",
                          days[g_date_time_get_day_of_week (dt) - 1], g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1], g_date_time_get_year (dt),
                          g_date_time_get_hour (dt), g_date_time_get_minute (dt),
                          g_date_time_get_second (dt));
}
