/* saphan-sync-profile.h: which server the kiosk sends to, and how.
 *
 * A profile lives in the store's settings under "sync.server.*" and the
 * transfer limits under "sync.*". It is loaded at the start of every sync
 * run, so a change made with `saphanctl server set` applies to the next run.
 */
#pragma once

#include <curl/curl.h>
#include <glib.h>

#include "saphan-store.h"

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_SERVER_NONE,      /* nothing configured yet */
  SAPHAN_SERVER_CENTRAL,   /* ODK Central app user: /v1/key/{token}/projects/{id}/ */
  SAPHAN_SERVER_KOBO,      /* KoboToolbox's OpenRosa endpoints, user and password */
  SAPHAN_SERVER_OPENROSA,  /* any OpenRosa server: none, Basic (HTTPS only) or Digest */
} SaphanServerKind;

typedef enum
{
  SAPHAN_AUTH_NONE,
  SAPHAN_AUTH_BASIC,
  SAPHAN_AUTH_DIGEST,
  SAPHAN_AUTH_ANY,         /* let the server's challenge decide (Basic only over HTTPS) */
} SaphanAuthMethod;

typedef struct
{
  SaphanServerKind kind;
  char            *url;          /* the server's base URL, no trailing slash */
  char            *token;        /* Central app-user token */
  char            *project;      /* Central project id */
  char            *user;
  char            *password;
  SaphanAuthMethod auth;

  /* Transport, from settings with sensible defaults for slow rural links. */
  char   *proxy;                 /* NULL: libcurl reads the environment */
  char   *pinned_keys;           /* "sha256//…;sha256//…" or NULL */
  char   *ca_file;               /* extra trust anchor or NULL */
  long    connect_timeout;       /* seconds */
  long    total_timeout;         /* seconds for one request */
  long    low_speed_limit;       /* bytes per second … */
  long    low_speed_time;        /* … for this many seconds aborts a stalled transfer */
  gint64  backoff_base;          /* seconds */
  gint64  backoff_cap;           /* seconds */
} SaphanSyncProfile;

/* Setting keys shared with the CLI and the kiosk. */
#define SAPHAN_SETTING_SERVER_KIND      "sync.server.kind"
#define SAPHAN_SETTING_SERVER_URL       "sync.server.url"
#define SAPHAN_SETTING_SERVER_TOKEN     "sync.server.token"
#define SAPHAN_SETTING_SERVER_PROJECT   "sync.server.project"
#define SAPHAN_SETTING_SERVER_USER      "sync.server.user"
#define SAPHAN_SETTING_SERVER_PASSWORD  "sync.server.password"
#define SAPHAN_SETTING_SERVER_AUTH      "sync.server.auth"
#define SAPHAN_SETTING_PROXY            "sync.proxy"
#define SAPHAN_SETTING_PINNED_KEYS      "sync.pinned-keys"
#define SAPHAN_SETTING_CA_FILE          "sync.ca-file"
#define SAPHAN_SETTING_CONNECT_TIMEOUT  "sync.connect-timeout"
#define SAPHAN_SETTING_TOTAL_TIMEOUT    "sync.total-timeout"
#define SAPHAN_SETTING_LOW_SPEED_LIMIT  "sync.low-speed-limit"
#define SAPHAN_SETTING_LOW_SPEED_TIME   "sync.low-speed-time"
#define SAPHAN_SETTING_BACKOFF_BASE     "sync.backoff-base"
#define SAPHAN_SETTING_BACKOFF_CAP      "sync.backoff-cap"
#define SAPHAN_SETTING_INTERVAL         "sync.interval"
/* Set when the server refused our credentials; the queue stays paused
 * until staff change the server profile, which clears it. */
#define SAPHAN_SETTING_AUTH_PROBLEM     "sync.auth-problem"
#define SAPHAN_SETTING_LAST_SUCCESS     "sync.last-success"

void saphan_sync_profile_free (SaphanSyncProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanSyncProfile, saphan_sync_profile_free)

const char *saphan_server_kind_to_string   (SaphanServerKind kind);
gboolean    saphan_server_kind_from_string (const char *text, SaphanServerKind *out_kind);

/* Reads the profile; SAPHAN_ERROR_STATE when no server is configured. */
SaphanSyncProfile *saphan_sync_profile_load (SaphanStore *store, GError **error);
/* Checks PROFILE (URL scheme, credentials that fit the kind, Basic only
 * over HTTPS, pins come in pairs) and writes it, clearing any recorded auth
 * problem. Transport settings are left as they are. */
gboolean saphan_sync_profile_save (SaphanStore *store, const SaphanSyncProfile *profile,
                                   GError **error);
gboolean saphan_sync_profile_validate (const SaphanSyncProfile *profile, GError **error);

char *saphan_sync_profile_submission_url (const SaphanSyncProfile *profile);
char *saphan_sync_profile_form_list_url  (const SaphanSyncProfile *profile);
/* The URL with any secret (the Central token) replaced, for logs. */
char *saphan_sync_profile_describe       (const SaphanSyncProfile *profile);

/* Makes EASY a request for URL with HEADERS (kept by the caller until the
 * transfer ends) under every transport and authentication option: TLS
 * always verified, timeouts, low-speed abort, proxy, pins, no redirects
 * followed. Fails (SAPHAN_ERROR_NETWORK) when libcurl cannot store an
 * option, which happens only when it runs out of memory, or when EASY or
 * HEADERS is NULL (their allocation failed), so that callers check once. */
gboolean saphan_sync_profile_apply (const SaphanSyncProfile *profile, CURL *easy, const char *url,
                                    struct curl_slist *headers, GError **error);

/* The headers every OpenRosa request carries (version and date), plus an
 * empty Expect: for SMALL_BODY. NULL when libcurl runs out of memory. */
struct curl_slist *saphan_sync_openrosa_headers (gboolean small_body);

/* "Date: …" in RFC 9110's IMF-fixdate, independent of the locale. */
char *saphan_sync_http_date (gint64 unix_seconds);

G_END_DECLS
