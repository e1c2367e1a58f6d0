/* saphan-sync-monitor.c: when to sync. */
#include "config.h"

#include "saphan-sync-monitor.h"

#include "saphan-curl-loader.h"
#include "saphan-http-client.h"
#include "saphan-sync-profile.h"
#include "saphan-sync-response.h"

/* A probe must be cheap and quick: a slow answer counts as offline. */
#define PROBE_TIMEOUT_SECONDS 15
#define DEFAULT_INTERVAL_SECONDS 900

struct _SaphanSyncMonitor
{
  GObject parent_instance;

  /* Owned */
  SaphanStore      *store;
  SaphanHttpClient *http;
  GCancellable     *probing;
  guint             schedule_id;
  gulong            changed_id;
  gboolean          online;
};

G_DEFINE_TYPE (SaphanSyncMonitor, saphan_sync_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ONLINE,
  N_PROPS
};

enum
{
  SIGNAL_SYNC_DUE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_online (SaphanSyncMonitor *self, gboolean online)
{
  gboolean was = self->online;

  if (was == online)
    return;
  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

static void
probe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanSyncMonitor) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanHttpResponse) response = NULL;
  g_autoptr (SaphanSyncVerdict) verdict = NULL;
  gboolean was_online = self->online;

  response = saphan_http_client_send_finish (SAPHAN_HTTP_CLIENT (source), result, &error);
  g_clear_object (&self->probing);
  if (response == NULL)
    return;
  verdict = saphan_sync_classify_head (response->result, response->status, response->openrosa_version,
                                       response->retry_after, g_get_real_time () / G_USEC_PER_SEC);
  /* A refused credential still proves the server is reachable; the run
   * that follows records the problem for staff. */
  set_online (self, verdict->outcome == SAPHAN_SYNC_OUTCOME_ACCEPTED ||
                      verdict->outcome == SAPHAN_SYNC_OUTCOME_AUTH);
  g_debug ("Probe: %s (%s)", saphan_sync_outcome_to_string (verdict->outcome), verdict->reason);
  if (self->online && !was_online)
    g_signal_emit (self, signals[SIGNAL_SYNC_DUE], 0);
}

static gboolean
schedule_cb (gpointer user_data)
{
  SaphanSyncMonitor *self = user_data;

  if (self->online)
    g_signal_emit (self, signals[SIGNAL_SYNC_DUE], 0);
  else
    saphan_sync_monitor_probe (self);
  return G_SOURCE_CONTINUE;
}

static void
network_changed_cb (GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
  SaphanSyncMonitor *self = user_data;

  if (!available)
    set_online (self, FALSE);
  else
    saphan_sync_monitor_probe (self);
}

static void
saphan_sync_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanSyncMonitor *self = SAPHAN_SYNC_MONITOR (object);

  switch (prop_id)
    {
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_sync_monitor_dispose (GObject *object)
{
  SaphanSyncMonitor *self = SAPHAN_SYNC_MONITOR (object);

  saphan_sync_monitor_stop (self);
  G_OBJECT_CLASS (saphan_sync_monitor_parent_class)->dispose (object);
}

static void
saphan_sync_monitor_finalize (GObject *object)
{
  SaphanSyncMonitor *self = SAPHAN_SYNC_MONITOR (object);

  g_clear_object (&self->http);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (saphan_sync_monitor_parent_class)->finalize (object);
}

static void
saphan_sync_monitor_class_init (SaphanSyncMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = saphan_sync_monitor_get_property;
  object_class->dispose = saphan_sync_monitor_dispose;
  object_class->finalize = saphan_sync_monitor_finalize;

  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                    G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SYNC_DUE] = g_signal_new ("sync-due", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
saphan_sync_monitor_init (SaphanSyncMonitor *self)
{
}

SaphanSyncMonitor *
saphan_sync_monitor_new (SaphanStore *store)
{
  SaphanSyncMonitor *self;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  self = g_object_new (SAPHAN_TYPE_SYNC_MONITOR, NULL);
  self->store = g_object_ref (store);
  self->http = saphan_http_client_new ();
  return self;
}

void
saphan_sync_monitor_start (SaphanSyncMonitor *self)
{
  g_autofree char *interval_text = NULL;
  guint64 interval = DEFAULT_INTERVAL_SECONDS;

  g_return_if_fail (SAPHAN_IS_SYNC_MONITOR (self));
  if (self->schedule_id != 0)
    return;
  interval_text = saphan_store_get_setting (self->store, SAPHAN_SETTING_INTERVAL, NULL);
  if (interval_text != NULL)
    g_ascii_string_to_unsigned (interval_text, 10, 10, 7 * 24 * 3600, &interval, NULL);
  self->changed_id = g_signal_connect (g_network_monitor_get_default (), "network-changed",
                                       G_CALLBACK (network_changed_cb), self);
  self->schedule_id = g_timeout_add_seconds ((guint) interval, schedule_cb, self);
  saphan_sync_monitor_probe (self);
}

void
saphan_sync_monitor_prepare (SaphanStore *store)
{
  g_autoptr (SaphanSyncProfile) profile = NULL;

  g_return_if_fail (SAPHAN_IS_STORE (store));
  profile = saphan_sync_profile_load (store, NULL);
  if (profile != NULL)
    saphan_curl_load (NULL);
}

void
saphan_sync_monitor_stop (SaphanSyncMonitor *self)
{
  g_return_if_fail (SAPHAN_IS_SYNC_MONITOR (self));
  g_clear_handle_id (&self->schedule_id, g_source_remove);
  g_clear_signal_handler (&self->changed_id, g_network_monitor_get_default ());
  if (self->probing != NULL)
    g_cancellable_cancel (self->probing);
}

void
saphan_sync_monitor_probe (SaphanSyncMonitor *self)
{
  g_autoptr (SaphanSyncProfile) profile = NULL;
  g_autofree char *url = NULL;
  struct curl_slist *headers = NULL;
  CURL *easy;

  g_return_if_fail (SAPHAN_IS_SYNC_MONITOR (self));
  if (self->probing != NULL)
    return;
  /* Settings are a small indexed read; the probe itself never blocks. */
  profile = saphan_sync_profile_load (self->store, NULL);
  if (profile == NULL)
    {
      set_online (self, FALSE);
      return;
    }
  url = saphan_sync_profile_submission_url (profile);
  headers = saphan_sync_openrosa_headers (TRUE);
  easy = curl_easy_init ();
  if (!saphan_sync_profile_apply (profile, easy, url, headers, NULL)
      || curl_easy_setopt (easy, CURLOPT_NOBODY, 1L) != CURLE_OK
      || curl_easy_setopt (easy, CURLOPT_TIMEOUT, (long) PROBE_TIMEOUT_SECONDS) != CURLE_OK
      || curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT, (long) PROBE_TIMEOUT_SECONDS) != CURLE_OK)
    {
      /* Out of memory: a probe that cannot even be made says nothing
       * about the link, so the state is left as it was and the next
       * scheduled probe tries again. */
      if (easy != NULL)
        curl_easy_cleanup (easy);
      curl_slist_free_all (headers);
      return;
    }
  self->probing = g_cancellable_new ();
  saphan_http_client_send_async (self->http, easy, 4096, headers, (GDestroyNotify) curl_slist_free_all,
                                 self->probing, probe_done_cb, g_object_ref (self));
}

gboolean
saphan_sync_monitor_get_online (SaphanSyncMonitor *self)
{
  g_return_val_if_fail (SAPHAN_IS_SYNC_MONITOR (self), FALSE);
  return self->online;
}
