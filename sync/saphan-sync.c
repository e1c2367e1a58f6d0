/* saphan-sync.c: drains the store's outbox to the configured OpenRosa server.
 *
 * A run is a chain of small steps on the main loop:
 *
 *   prepare (thread) -> head -> claim (thread) -> post x batches -> mark (thread)
 *                        ^                                                |
 *                        +---------- hold (back-off timer) <--------------+
 *
 * Store calls go to a worker thread through GTask; HTTP goes through
 * SaphanHttpClient. Only one submission is in flight at a time: the link is
 * the bottleneck, and one at a time keeps the outbox order and the audit
 * log easy to follow.
 */
#include "config.h"

#include "saphan-sync.h"

#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "saphan-error.h"
#include "saphan-http-client.h"
#include "saphan-sync-private.h"
#include "saphan-sync-profile.h"

/* An OpenRosa answer is a few hundred bytes; anything beyond this is not
 * one and is not read further. */
#define BODY_CAP (64 * 1024)
/* OpenRosa's default when a server does not announce its limit. */
#define DEFAULT_ACCEPT_LENGTH (10 * 1024 * 1024)

struct _SaphanSync
{
  GObject parent_instance;

  /* Owned */
  SaphanStore      *store;
  SaphanHttpClient *http;
  gboolean          running;
};

G_DEFINE_TYPE (SaphanSync, saphan_sync, G_TYPE_OBJECT)

enum
{
  SIGNAL_ATTEMPT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void step_head  (GTask *task);
static void step_claim (GTask *task);
static void step_post  (GTask *task);
static void finish_run (GTask *task, GError *error);

void
saphan_sync_summary_clear (SaphanSyncSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->last_reason, g_free);
  memset (summary, 0, sizeof *summary);
}

static void
run_free (SyncRun *run)
{
  if (run->lock_fd >= 0)
    close (run->lock_fd);
  g_clear_pointer (&run->profile, saphan_sync_profile_free);
  g_free (run->submission_url);
  _saphan_sync_clear_current (run);
  saphan_sync_summary_clear (&run->summary);
  g_free (run);
}

void
_saphan_sync_clear_current (SyncRun *run)
{
  g_clear_pointer (&run->current, saphan_submission_info_free);
  g_clear_pointer (&run->payload, g_bytes_unref);
  g_clear_pointer (&run->attachments, g_ptr_array_unref);
  g_clear_pointer (&run->batches, g_ptr_array_unref);
  g_clear_pointer (&run->verdict, saphan_sync_verdict_free);
  run->batch = 0;
}

/* ---- helpers ------------------------------------------------------------- */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
note_reason (SyncRun *run, const char *reason)
{
  g_free (run->summary.last_reason);
  run->summary.last_reason = g_strdup (reason);
}

static gboolean
wait_fired_cb (gpointer user_data)
{
  GTask *task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  void (*next) (GTask *) = run->after_wait;

  run->after_wait = NULL;
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  /* NEXT takes over the reference the wait held. */
  next (task);
  return G_SOURCE_REMOVE;
}

/* Runs NEXT at unix time WHEN, or finishes the run if that is beyond the
 * run's deadline. A cancellation wakes the wait at once. */
static void
wait_until (GTask *task, gint64 when, void (*next) (GTask *))
{
  SyncRun *run = g_task_get_task_data (task);
  gint64 now_us = g_get_real_time ();
  gint64 delay_ms = MAX (0, (when * G_USEC_PER_SEC - now_us) / 1000);
  GSource *timeout;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (run->deadline_us == 0 || g_get_monotonic_time () + delay_ms * 1000 > run->deadline_us)
    {
      finish_run (task, NULL);
      return;
    }
  run->after_wait = next;
  timeout = g_timeout_source_new ((guint) MIN (delay_ms, G_MAXUINT));
  g_source_set_callback (timeout, wait_fired_cb, task, NULL);
  if (cancellable != NULL)
    {
      GSource *cancel = g_cancellable_source_new (cancellable);
      g_source_set_dummy_callback (cancel);
      g_source_add_child_source (timeout, cancel);
      g_source_unref (cancel);
    }
  g_source_set_name (timeout, "[saphan] sync back-off");
  g_source_attach (timeout, g_task_get_context (task));
  g_source_unref (timeout);
}

/* ---- finish ------------------------------------------------------------- */

static void
finish_counted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!_saphan_sync_store_op_finish (result, &error))
    g_debug ("Could not count the queue: %s", error->message);
  run->summary.elapsed_us = g_get_monotonic_time () - run->started_us;
  if (run->pending_error != NULL)
    g_task_return_error (task, g_steal_pointer (&run->pending_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
finish_run (GTask *task, GError *error)
{
  SyncRun *run = g_task_get_task_data (task);

  run->pending_error = error;
  _saphan_sync_store_op (task, SYNC_OP_FINISH, finish_counted_cb);
}

/* ---- mark ------------------------------------------------------------------ */

static void
marked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  SaphanSync *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  SaphanSyncOutcome outcome = run->verdict->outcome;
  gint64 hold_until = run->next_attempt_at;

  if (!_saphan_sync_store_op_finish (result, &error))
    {
      _saphan_sync_clear_current (run);
      finish_run (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  switch (outcome)
    {
    case SAPHAN_SYNC_OUTCOME_ACCEPTED:
      run->summary.accepted++;
      break;
    case SAPHAN_SYNC_OUTCOME_NEEDS_ATTENTION:
      run->summary.needs_attention++;
      note_reason (run, run->verdict->reason);
      break;
    case SAPHAN_SYNC_OUTCOME_AUTH:
      run->summary.auth_problem = TRUE;
      run->summary.deferred++;
      note_reason (run, run->verdict->reason);
      break;
    case SAPHAN_SYNC_OUTCOME_RETRY:
    case SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED:
    default:
      run->summary.deferred++;
      note_reason (run, run->verdict->reason);
      break;
    }
  g_signal_emit (self, signals[SIGNAL_ATTEMPT], 0, run->current->instance_id, outcome,
                 run->verdict->reason, run->batch + 1, run->batches != NULL ? run->batches->len : 1);
  _saphan_sync_clear_current (run);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (outcome == SAPHAN_SYNC_OUTCOME_AUTH)
    {
      finish_run (g_steal_pointer (&task), NULL);
      return;
    }
  if (outcome == SAPHAN_SYNC_OUTCOME_RETRY || outcome == SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED)
    {
      /* The server or the link is in trouble: the whole queue waits, not
       * only this submission, and the server is asked again first. */
      run->accept_length = -1;
      wait_until (g_steal_pointer (&task), hold_until, step_head);
      return;
    }
  step_claim (g_steal_pointer (&task));
}

static void
record_verdict (GTask *task, SaphanSyncVerdict *verdict)
{
  SyncRun *run = g_task_get_task_data (task);
  int attempt = MAX (1, run->current->attempts);

  g_clear_pointer (&run->verdict, saphan_sync_verdict_free);
  run->verdict = verdict;
  run->next_attempt_at = now_seconds ();
  if (verdict->outcome == SAPHAN_SYNC_OUTCOME_RETRY || verdict->outcome == SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED)
    run->next_attempt_at += saphan_sync_backoff (attempt, run->profile->backoff_base,
                                                 run->profile->backoff_cap, verdict->retry_after,
                                                 g_random_int ());
  _saphan_sync_store_op (task, SYNC_OP_MARK, marked_cb);
}

/* ---- post ------------------------------------------------------------------ */

static void
released_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!_saphan_sync_store_op_finish (result, &error))
    g_warning ("Could not put a cancelled submission back in the queue: %s", error->message);
  _saphan_sync_clear_current (run);
  g_task_return_error (task, g_steal_pointer (&run->pending_error));
  g_object_unref (task);
}

/* Ends the run with ERROR after putting the claimed submission back in the
 * queue, exactly as after a crash: nothing is marked, nothing is lost, and
 * the next run tries it again. */
static void
release_current (GTask *task, GError *error)
{
  SyncRun *run = g_task_get_task_data (task);
  SaphanSyncVerdict *verdict = g_new0 (SaphanSyncVerdict, 1);

  verdict->outcome = SAPHAN_SYNC_OUTCOME_RETRY;
  verdict->reason = g_strdup ("cancelled");
  verdict->retry_after = -1;
  g_clear_pointer (&run->verdict, saphan_sync_verdict_free);
  g_clear_error (&run->pending_error);
  run->pending_error = error;
  run->verdict = verdict;
  run->next_attempt_at = now_seconds ();
  _saphan_sync_store_op (task, SYNC_OP_RELEASE, released_cb);
}

static void
post_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanHttpResponse) response = NULL;
  SaphanSyncVerdict *verdict;

  response = saphan_http_client_send_finish (SAPHAN_HTTP_CLIENT (source), result, &error);
  if (response == NULL)
    {
      /* Cancelled mid-transfer, or the transfer could not be driven at
       * all: the submission goes back to the queue untouched. */
      release_current (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }
  run->summary.requests++;
  run->summary.bytes_sent += response->bytes_sent;
  verdict = saphan_sync_classify_post (response->result, response->status, response->body,
                                       response->body_too_large, response->retry_after, now_seconds ());
  run->last_status = response->status;
  run->last_bytes = response->bytes_sent;
  run->last_elapsed_us = response->elapsed_us;

  if (verdict->outcome == SAPHAN_SYNC_OUTCOME_ACCEPTED && run->batch + 1 < run->batches->len)
    {
      /* Not the last batch: the rest of the attachments follow with the
       * same XML, and only the last answer marks the submission. */
      _saphan_sync_audit_attempt (task, verdict);
      saphan_sync_verdict_free (verdict);
      run->batch++;
      step_post (g_steal_pointer (&task));
      return;
    }
  record_verdict (g_steal_pointer (&task), verdict);
}

/* Sets ERROR when the option a request adds to the profile's failed (RC). */
static void
prepare_failed (CURLcode rc, GError **error)
{
  if (rc != CURLE_OK)
    g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK,
                 _("Could not prepare a network transfer: %s"), curl_easy_strerror (rc));
}

static void
step_post (GTask *task)
{
  SaphanSync *self = g_task_get_source_object (task);
  SyncRun *run = g_task_get_task_data (task);
  GPtrArray *batch = run->batches->pdata[run->batch];
  gboolean last = run->batch + 1 == run->batches->len;
  CURL *easy = curl_easy_init ();
  SyncPost *post = NULL;
  GError *error = NULL;

  /* The run's HEAD came first and opened libcurl: NULL is out of memory. */
  if (easy == NULL)
    g_set_error (&error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK, "%s",
                 _("Could not start a network transfer: out of memory"));
  else
    post = _saphan_sync_post_new (easy, run->payload, batch, !last, &error);
  if (post != NULL)
    {
      post->headers = saphan_sync_openrosa_headers (post->size < 64 * 1024);
      if (post->headers == NULL)
        g_set_error (&error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK, "%s",
                     _("Could not build the request headers: out of memory"));
    }
  if (error == NULL
      && saphan_sync_profile_apply (run->profile, easy, run->submission_url, post->headers, &error))
    prepare_failed (curl_easy_setopt (easy, CURLOPT_MIMEPOST, post->mime), &error);
  if (error != NULL)
    {
      /* The same order as a finished transfer: the handle, then what it
       * pointed to. */
      if (easy != NULL)
        curl_easy_cleanup (easy);
      _saphan_sync_post_free (post);
      release_current (task, error);
      return;
    }
  saphan_http_client_send_async (self->http, easy, BODY_CAP, post, (GDestroyNotify) _saphan_sync_post_free,
                                 g_task_get_cancellable (task), post_done_cb, task);
}

/* ---- claim ------------------------------------------------------------- */

static void
claimed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;

  if (!_saphan_sync_store_op_finish (result, &error))
    {
      finish_run (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }
  if (run->current == NULL)
    {
      /* Nothing due now: wait for the earliest scheduled retry if the run
       * may wait, otherwise stop here. */
      if (run->queued == 0)
        finish_run (g_steal_pointer (&task), NULL);
      else
        wait_until (g_steal_pointer (&task), run->next_due, step_claim);
      return;
    }

  run->batches = _saphan_sync_plan_batches (run->payload, run->attachments, run->accept_length, &reason);
  if (run->batches == NULL)
    {
      SaphanSyncVerdict *verdict = g_new0 (SaphanSyncVerdict, 1);
      verdict->outcome = SAPHAN_SYNC_OUTCOME_NEEDS_ATTENTION;
      verdict->reason = g_steal_pointer (&reason);
      verdict->retry_after = -1;
      record_verdict (g_steal_pointer (&task), verdict);
      return;
    }
  step_post (g_steal_pointer (&task));
}

static void
step_claim (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (run->accept_length < 0)
    {
      step_head (task);
      return;
    }
  _saphan_sync_store_op (task, SYNC_OP_CLAIM, claimed_cb);
}

/* ---- head ------------------------------------------------------------------ */

static void
auth_recorded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  _saphan_sync_store_op_finish (result, &error);
  finish_run (g_steal_pointer (&task), g_steal_pointer (&error));
}

static void
head_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanHttpResponse) response = NULL;
  g_autoptr (SaphanSyncVerdict) verdict = NULL;
  gint64 delay;

  response = saphan_http_client_send_finish (SAPHAN_HTTP_CLIENT (source), result, &error);
  if (response == NULL)
    {
      finish_run (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }
  run->summary.requests++;
  verdict = saphan_sync_classify_head (response->result, response->status, response->openrosa_version,
                                       response->retry_after, now_seconds ());
  switch (verdict->outcome)
    {
    case SAPHAN_SYNC_OUTCOME_ACCEPTED:
      run->head_failures = 0;
      run->accept_length = response->accept_content_length > 0 ? response->accept_content_length
                                                                : DEFAULT_ACCEPT_LENGTH;
      step_claim (g_steal_pointer (&task));
      return;
    case SAPHAN_SYNC_OUTCOME_AUTH:
      run->summary.auth_problem = TRUE;
      note_reason (run, verdict->reason);
      run->verdict = g_steal_pointer (&verdict);
      _saphan_sync_store_op (g_steal_pointer (&task), SYNC_OP_RECORD_AUTH, auth_recorded_cb);
      return;
    case SAPHAN_SYNC_OUTCOME_NEEDS_ATTENTION:
    case SAPHAN_SYNC_OUTCOME_RETRY:
    case SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED:
    default:
      /* Offline, behind a captive portal or a busy server: nothing is
       * claimed, the whole queue waits. */
      note_reason (run, verdict->reason);
      run->head_failures++;
      _saphan_sync_audit_head_failure (task, verdict->reason);
      delay = saphan_sync_backoff (run->head_failures, run->profile->backoff_base, run->profile->backoff_cap,
                                   verdict->retry_after, g_random_int ());
      wait_until (g_steal_pointer (&task), now_seconds () + delay, step_head);
      return;
    }
}

static void
step_head (GTask *task)
{
  SaphanSync *self = g_task_get_source_object (task);
  SyncRun *run = g_task_get_task_data (task);
  CURL *easy;
  struct curl_slist *headers;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  easy = curl_easy_init ();
  headers = saphan_sync_openrosa_headers (TRUE);
  if (saphan_sync_profile_apply (run->profile, easy, run->submission_url, headers, &error))
    prepare_failed (curl_easy_setopt (easy, CURLOPT_NOBODY, 1L), &error);
  if (error != NULL)
    {
      /* Nothing is claimed yet: the run simply ends with the error and
       * the whole queue waits for the next one. */
      if (easy != NULL)
        curl_easy_cleanup (easy);
      curl_slist_free_all (headers);
      finish_run (task, error);
      return;
    }
  saphan_http_client_send_async (self->http, easy, BODY_CAP, headers, (GDestroyNotify) curl_slist_free_all,
                                 g_task_get_cancellable (task), head_done_cb, task);
}

/* ---- prepare -------------------------------------------------------------- */

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!_saphan_sync_store_op_finish (result, &error))
    {
      /* Nothing was claimed: no count to take, return at once. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run->submission_url = saphan_sync_profile_submission_url (run->profile);
  step_head (g_steal_pointer (&task));
}

/* ---- GObject -------------------------------------------------------------- */

static void
saphan_sync_finalize (GObject *object)
{
  SaphanSync *self = SAPHAN_SYNC (object);

  g_clear_object (&self->http);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (saphan_sync_parent_class)->finalize (object);
}

static void
saphan_sync_class_init (SaphanSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = saphan_sync_finalize;

  signals[SIGNAL_ATTEMPT] =
    g_signal_new ("attempt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, G_TYPE_STRING, G_TYPE_INT, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
}

static void
saphan_sync_init (SaphanSync *self)
{
}

/* ---- public API ------------------------------------------------------------ */

SaphanSync *
saphan_sync_new (SaphanStore *store)
{
  SaphanSync *self;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  self = g_object_new (SAPHAN_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->http = saphan_http_client_new ();
  return self;
}

SaphanStore *
_saphan_sync_get_store (SaphanSync *self)
{
  return self->store;
}

static void
task_completed_cb (GTask *task, GParamSpec *pspec, gpointer user_data)
{
  SaphanSync *self = g_task_get_source_object (task);
  SyncRun *run = g_task_get_task_data (task);

  /* The caller may keep the result around; the lock must not wait for it. */
  if (run->lock_fd >= 0)
    close (run->lock_fd);
  run->lock_fd = -1;
  self->running = FALSE;
}

void
saphan_sync_run_async (SaphanSync         *self,
                       guint               wait_seconds,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  GTask *task;
  SyncRun *run;

  g_return_if_fail (SAPHAN_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, saphan_sync_run_async);
  if (self->running)
    {
      g_task_return_new_error (task, SAPHAN_ERROR, SAPHAN_ERROR_BUSY, _("Sync is already running."));
      g_object_unref (task);
      return;
    }
  self->running = TRUE;
  g_signal_connect (task, "notify::completed", G_CALLBACK (task_completed_cb), NULL);

  run = g_new0 (SyncRun, 1);
  run->lock_fd = -1;
  run->accept_length = -1;
  run->started_us = g_get_monotonic_time ();
  run->deadline_us = wait_seconds > 0 ? run->started_us + (gint64) wait_seconds * G_USEC_PER_SEC : 0;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  _saphan_sync_store_op (task, SYNC_OP_PREPARE, prepared_cb);
}

gboolean
saphan_sync_run_finish (SaphanSync *self, GAsyncResult *result, SaphanSyncSummary *out_summary, GError **error)
{
  SyncRun *run;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (out_summary != NULL)
    {
      *out_summary = run->summary;
      out_summary->last_reason = g_strdup (run->summary.last_reason);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  GMainLoop         *loop;
  GAsyncResult      *result;
} SyncWait;

static void
run_sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

gboolean
saphan_sync_run (SaphanSync *self, guint wait_seconds, GCancellable *cancellable,
                 SaphanSyncSummary *out_summary, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (SaphanHttpClient) own_http = NULL;
  SaphanHttpClient *saved_http;
  SyncWait wait = { 0 };
  gboolean ok;

  g_return_val_if_fail (SAPHAN_IS_SYNC (self), FALSE);

  /* The HTTP client belongs to the context it was made in: use one made in
   * this private context for the duration. */
  g_main_context_push_thread_default (context);
  wait.loop = g_main_loop_new (context, FALSE);
  own_http = saphan_http_client_new ();
  saved_http = self->http;
  self->http = own_http;
  saphan_sync_run_async (self, wait_seconds, cancellable, run_sync_cb, &wait);
  g_main_loop_run (wait.loop);
  ok = saphan_sync_run_finish (self, wait.result, out_summary, error);
  self->http = saved_http;
  g_object_unref (wait.result);
  /* Let the completion notification and any idle cleanup run. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_loop_unref (wait.loop);
  g_main_context_pop_thread_default (context);
  return ok;
}

gboolean
saphan_sync_get_running (SaphanSync *self)
{
  g_return_val_if_fail (SAPHAN_IS_SYNC (self), FALSE);
  return self->running;
}
