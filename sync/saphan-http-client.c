/* saphan-http-client.c: libcurl's multi interface on the GLib main loop.
 *
 * curl's socket callback says which file descriptors it wants watched for
 * which events; each becomes a GSource from g_unix_fd_source_new(). Its timer
 * callback asks to be woken after some milliseconds; that becomes a
 * g_timeout source. Both only schedule work: curl_multi_socket_action() is
 * never called from inside a curl callback.
 */
#include "config.h"

#include "saphan-http-client.h"

#include <string.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "saphan-curl-loader.h"
#include "saphan-error.h"

typedef struct
{
  SaphanHttpClient *client;   /* borrowed */
  curl_socket_t     fd;
  GSource          *source;
  int               what;
} SocketWatch;

typedef struct
{
  CURL               *easy;
  GTask              *task;          /* owns the Transfer through its task data */
  SaphanHttpResponse *response;
  GByteArray         *body;
  gsize               body_cap;
  gpointer            keep_alive;
  GDestroyNotify      keep_alive_free;
  gulong              cancel_id;
  gint64              started_at;
  char                error_buffer[CURL_ERROR_SIZE];
} Transfer;

struct _SaphanHttpClient
{
  GObject parent_instance;

  /* Borrowed */
  GMainContext *context;

  /* Owned */
  CURLM      *multi;       /* made by the first send: see ensure_multi() */
  GSource    *timer;
  GHashTable *transfers;   /* CURL * -> Transfer *, borrowed from their tasks */
};

G_DEFINE_TYPE (SaphanHttpClient, saphan_http_client, G_TYPE_OBJECT)

static void check_finished (SaphanHttpClient *self);
static void fail_all (SaphanHttpClient *self, CURLMcode code);

void
saphan_http_response_free (SaphanHttpResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->error_text);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->content_type);
  g_free (response->location);
  g_free (response->retry_after);
  g_free (response->openrosa_version);
  g_free (response);
}

static void
transfer_free (Transfer *t)
{
  if (t->easy != NULL)
    curl_easy_cleanup (t->easy);
  if (t->keep_alive_free != NULL && t->keep_alive != NULL)
    t->keep_alive_free (t->keep_alive);
  if (t->body != NULL)
    g_byte_array_unref (t->body);
  saphan_http_response_free (t->response);
  g_free (t);
}

/* ---- curl callbacks ----------------------------------------------------- */

static size_t
write_cb (char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *t = user_data;
  gsize n = size * nmemb;

  /* A captive portal or a broken proxy may send anything: keep only what
   * an OpenRosa answer could need and abort the rest. */
  if (t->body->len + n > t->body_cap)
    {
      t->response->body_too_large = TRUE;
      return 0;
    }
  g_byte_array_append (t->body, (const guint8 *) data, n);
  return n;
}

static char *
header_value (const char *line, gsize len, const char *name)
{
  gsize name_len = strlen (name);

  if (len <= name_len + 1 || g_ascii_strncasecmp (line, name, name_len) != 0 || line[name_len] != ':')
    return NULL;
  return g_strstrip (g_strndup (line + name_len + 1, len - name_len - 1));
}

static size_t
header_cb (char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *t = user_data;
  gsize n = size * nmemb;
  char *value;

  /* Each response of a redirect chain or a 100-continue starts over. */
  if (n >= 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      g_clear_pointer (&t->response->retry_after, g_free);
      g_clear_pointer (&t->response->openrosa_version, g_free);
      t->response->accept_content_length = -1;
      return n;
    }
  if ((value = header_value (data, n, "Retry-After")) != NULL)
    g_free (g_steal_pointer (&t->response->retry_after)), t->response->retry_after = value;
  else if ((value = header_value (data, n, "X-OpenRosa-Version")) != NULL)
    g_free (g_steal_pointer (&t->response->openrosa_version)), t->response->openrosa_version = value;
  else if ((value = header_value (data, n, "X-OpenRosa-Accept-Content-Length")) != NULL)
    {
      gint64 v = g_ascii_strtoll (value, NULL, 10);
      t->response->accept_content_length = v > 0 ? v : -1;
      g_free (value);
    }
  return n;
}

static gboolean
socket_ready_cb (int fd, GIOCondition condition, gpointer user_data)
{
  SocketWatch *watch = user_data;
  SaphanHttpClient *self = watch->client;
  int mask = 0;
  int running = 0;
  CURLMcode rc;

  if (condition & G_IO_IN)
    mask |= CURL_CSELECT_IN;
  if (condition & G_IO_OUT)
    mask |= CURL_CSELECT_OUT;
  if (condition & (G_IO_ERR | G_IO_HUP))
    mask |= CURL_CSELECT_ERR;

  /* The watch may be freed inside socket_action: keep a strong reference to
   * the client and never touch WATCH afterwards. */
  g_object_ref (self);
  rc = curl_multi_socket_action (self->multi, fd, mask, &running);
  check_finished (self);
  if (rc != CURLM_OK)
    fail_all (self, rc);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static void
socket_watch_free (SocketWatch *watch)
{
  if (watch->source != NULL)
    {
      g_source_destroy (watch->source);
      g_source_unref (watch->source);
    }
  g_free (watch);
}

static int
socket_cb (CURL *easy, curl_socket_t fd, int what, void *user_data, void *socket_data)
{
  SaphanHttpClient *self = user_data;
  SocketWatch *watch = socket_data;
  GIOCondition condition = 0;

  if (what == CURL_POLL_REMOVE)
    {
      if (watch != NULL)
        {
          curl_multi_assign (self->multi, fd, NULL);
          socket_watch_free (watch);
        }
      return 0;
    }

  if (watch == NULL)
    {
      watch = g_new0 (SocketWatch, 1);
      watch->client = self;
      watch->fd = fd;
      curl_multi_assign (self->multi, fd, watch);
    }
  if (watch->source != NULL && watch->what == what)
    return 0;

  if (watch->source != NULL)
    {
      g_source_destroy (watch->source);
      g_clear_pointer (&watch->source, g_source_unref);
    }
  watch->what = what;
  if (what & CURL_POLL_IN)
    condition |= G_IO_IN;
  if (what & CURL_POLL_OUT)
    condition |= G_IO_OUT;
  watch->source = g_unix_fd_source_new (fd, condition | G_IO_ERR | G_IO_HUP);
  g_source_set_callback (watch->source, G_SOURCE_FUNC (socket_ready_cb), watch, NULL);
  g_source_set_name (watch->source, "[saphan] curl socket");
  g_source_attach (watch->source, self->context);
  return 0;
}

static gboolean
timer_fired_cb (gpointer user_data)
{
  SaphanHttpClient *self = user_data;
  int running = 0;
  CURLMcode rc;

  g_clear_pointer (&self->timer, g_source_unref);
  g_object_ref (self);
  rc = curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_finished (self);
  if (rc != CURLM_OK)
    fail_all (self, rc);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static int
timer_cb (CURLM *multi, long timeout_ms, void *user_data)
{
  SaphanHttpClient *self = user_data;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (timeout_ms < 0)
    return 0;
  self->timer = g_timeout_source_new ((guint) timeout_ms);
  g_source_set_callback (self->timer, timer_fired_cb, self, NULL);
  g_source_set_name (self->timer, "[saphan] curl timer");
  g_source_attach (self->timer, self->context);
  return 0;
}

/* ---- completion ----------------------------------------------------------- */

static void
complete_transfer (SaphanHttpClient *self, Transfer *t, CURLcode result)
{
  g_autoptr (GTask) task = t->task;
  SaphanHttpResponse *r = t->response;
  curl_off_t uploaded = 0;
  char *content_type = NULL;
  char *location = NULL;

  curl_multi_remove_handle (self->multi, t->easy);
  g_hash_table_remove (self->transfers, t->easy);
  if (t->cancel_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), t->cancel_id);
  t->cancel_id = 0;

  r->result = result;
  if (result != CURLE_OK)
    r->error_text = g_strdup (t->error_buffer[0] != '\0' ? t->error_buffer : curl_easy_strerror (result));
  curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &r->status);
  if (curl_easy_getinfo (t->easy, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type != NULL)
    r->content_type = g_strdup (content_type);
  if (curl_easy_getinfo (t->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != NULL)
    r->location = g_strdup (location);
  if (curl_easy_getinfo (t->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded) == CURLE_OK)
    r->bytes_sent = uploaded;
  r->elapsed_us = g_get_monotonic_time () - t->started_at;
  r->body = g_byte_array_free_to_bytes (g_steal_pointer (&t->body));

  g_task_return_pointer (task, g_steal_pointer (&t->response), (GDestroyNotify) saphan_http_response_free);
}

static void
check_finished (SaphanHttpClient *self)
{
  CURLMsg *msg;
  int pending = 0;

  while ((msg = curl_multi_info_read (self->multi, &pending)) != NULL)
    {
      Transfer *t;

      if (msg->msg != CURLMSG_DONE)
        continue;
      t = g_hash_table_lookup (self->transfers, msg->easy_handle);
      if (t != NULL)
        complete_transfer (self, t, msg->data.result);
    }
}

/* When curl_multi_socket_action() itself fails (out of memory, most
 * likely) curl may have lost track of its sockets and timers, so a transfer
 * still listed here might never be driven to an end again. Every such
 * transfer ends with a network error; the caller retries later. */
static void
fail_all (SaphanHttpClient *self, CURLMcode code)
{
  GHashTableIter iter;
  gpointer value;
  GPtrArray *tasks;

  if (self->transfers == NULL || g_hash_table_size (self->transfers) == 0)
    return;
  tasks = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->transfers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Transfer *t = value;

      curl_multi_remove_handle (self->multi, t->easy);
      if (t->cancel_id != 0)
        g_cancellable_disconnect (g_task_get_cancellable (t->task), t->cancel_id);
      t->cancel_id = 0;
      g_hash_table_iter_remove (&iter);
      g_ptr_array_add (tasks, g_steal_pointer (&t->task));
    }
  /* Return only after the table is consistent: a callback may start the
   * next transfer at once. */
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = tasks->pdata[i];

      g_task_return_new_error (task, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK,
                               _("The network transfer failed inside libcurl: %s"), curl_multi_strerror (code));
      g_object_unref (task);
    }
  g_ptr_array_unref (tasks);
}

static gboolean
cancel_idle_cb (gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Transfer *t = g_task_get_task_data (task);
  SaphanHttpClient *self = g_task_get_source_object (task);

  /* The transfer may have finished between the cancellation and now. */
  if (t->easy == NULL || g_hash_table_lookup (self->transfers, t->easy) != t)
    return G_SOURCE_REMOVE;
  curl_multi_remove_handle (self->multi, t->easy);
  g_hash_table_remove (self->transfers, t->easy);
  g_cancellable_disconnect (g_task_get_cancellable (task), t->cancel_id);
  t->cancel_id = 0;
  g_task_return_new_error (t->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", "Cancelled");
  g_clear_object (&t->task);
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  SaphanHttpClient *self = g_task_get_source_object (task);
  GSource *idle = g_idle_source_new ();

  /* The signal may come from any thread and from inside a curl callback:
   * finish the cancellation from our own context. */
  g_source_set_callback (idle, cancel_idle_cb, g_object_ref (task), NULL);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* ---- GObject ------------------------------------------------------------- */

static void
saphan_http_client_dispose (GObject *object)
{
  SaphanHttpClient *self = SAPHAN_HTTP_CLIENT (object);

  if (self->transfers != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->transfers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Transfer *t = value;
          curl_multi_remove_handle (self->multi, t->easy);
          if (t->cancel_id != 0)
            g_cancellable_disconnect (g_task_get_cancellable (t->task), t->cancel_id);
          t->cancel_id = 0;
          g_hash_table_iter_remove (&iter);
          g_task_return_new_error (t->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", "Cancelled");
          g_clear_object (&t->task);
        }
      g_clear_pointer (&self->transfers, g_hash_table_unref);
    }
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  G_OBJECT_CLASS (saphan_http_client_parent_class)->dispose (object);
}

static void
saphan_http_client_finalize (GObject *object)
{
  SaphanHttpClient *self = SAPHAN_HTTP_CLIENT (object);

  /* Cleaning the multi handle closes its sockets and fires CURL_POLL_REMOVE
   * for each, which frees the watches. */
  g_clear_pointer (&self->multi, curl_multi_cleanup);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (saphan_http_client_parent_class)->finalize (object);
}

static void
saphan_http_client_class_init (SaphanHttpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = saphan_http_client_dispose;
  object_class->finalize = saphan_http_client_finalize;
}

static void
saphan_http_client_init (SaphanHttpClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->transfers = g_hash_table_new (NULL, NULL);
}

/* The multi handle, and with it libcurl itself, comes with the first
 * transfer: a kiosk makes its clients while it starts, and libcurl with
 * its TLS library costs milliseconds a citizen would wait for. */
static gboolean
ensure_multi (SaphanHttpClient *self, GError **error)
{
  if (self->multi != NULL)
    return TRUE;
  if (!saphan_curl_load (error))
    return FALSE;
  self->multi = curl_multi_init ();
  if (self->multi == NULL)
    {
      g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK,
                           _("Could not start a network transfer: out of memory"));
      return FALSE;
    }
  curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
  curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
  /* One kiosk talks to one server: a few connections are plenty. */
  curl_multi_setopt (self->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
  return TRUE;
}

/* ---- public API ----------------------------------------------------------- */

SaphanHttpClient *
saphan_http_client_new (void)
{
  return g_object_new (SAPHAN_TYPE_HTTP_CLIENT, NULL);
}

void
saphan_http_client_send_async (SaphanHttpClient   *self,
                               CURL               *easy,
                               gsize               body_cap,
                               gpointer            keep_alive,
                               GDestroyNotify      keep_alive_free,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  Transfer *t;
  GTask *task;
  GError *error = NULL;
  CURLMcode rc;

  g_return_if_fail (SAPHAN_IS_HTTP_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, saphan_http_client_send_async);

  t = g_new0 (Transfer, 1);
  t->easy = easy;
  t->body = g_byte_array_new ();
  t->body_cap = body_cap;
  t->keep_alive = keep_alive;
  t->keep_alive_free = keep_alive_free;
  t->response = g_new0 (SaphanHttpResponse, 1);
  t->response->accept_content_length = -1;
  t->started_at = g_get_monotonic_time ();
  t->task = task;
  g_task_set_task_data (task, t, (GDestroyNotify) transfer_free);

  if (!ensure_multi (self, &error))
    {
      /* No libcurl, or no memory: the caller learns it the same way as
       * any other failed transfer. */
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (easy == NULL)
    {
      /* curl_easy_init() ran out of memory. */
      g_task_return_new_error (task, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK, "%s",
                               _("Could not start a network transfer: out of memory"));
      g_object_unref (task);
      return;
    }

  /* These options only store pointers and cannot fail. */
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, t);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, t->error_buffer);
  curl_easy_setopt (easy, CURLOPT_PRIVATE, t);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  /* The task reference now belongs to the transfer until it completes. */
  g_hash_table_insert (self->transfers, easy, t);
  if (cancellable != NULL)
    t->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);
  rc = curl_multi_add_handle (self->multi, easy);
  if (rc != CURLM_OK)
    {
      /* A transfer that never started would otherwise be waited for
       * forever. */
      g_hash_table_remove (self->transfers, easy);
      if (t->cancel_id != 0)
        g_cancellable_disconnect (cancellable, t->cancel_id);
      t->cancel_id = 0;
      g_task_return_new_error (task, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK,
                               _("Could not start a network transfer: %s"), curl_multi_strerror (rc));
      g_clear_object (&t->task);
    }
}

SaphanHttpResponse *
saphan_http_client_send_finish (SaphanHttpClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
saphan_http_client_get_n_active (SaphanHttpClient *self)
{
  g_return_val_if_fail (SAPHAN_IS_HTTP_CLIENT (self), 0);
  return g_hash_table_size (self->transfers);
}
