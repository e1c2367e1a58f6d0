/* saphan-sync-ops.c: the sync engine's store calls, run off the main loop,
 * and the multipart bodies it sends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "saphan-error.h"
#include "saphan-sync-private.h"

/* Room for one part's boundary and headers in a multipart body. */
#define PART_OVERHEAD 512

/* ---- store operations ---------------------------------------------------- */

static gboolean
take_lock (SaphanStore *store, SyncRun *run, GError **error)
{
  const char *data_dir = saphan_store_get_data_dir (store);
  g_autofree char *dir = data_dir != NULL ? g_strdup (data_dir) : g_path_get_dirname (saphan_store_get_path (store));
  g_autofree char *path = g_build_filename (dir, "sync.lock", NULL);
  int fd;

  /* One sender per store: a second one would put the first one's
   * in-flight submissions back in the queue. The kernel drops the lock
   * with the process, so a killed sync never leaves it behind. */
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_IO, _("Could not open the sync lock %s: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_BUSY,
                   _("Another sync is already running for this kiosk. Wait for it to finish."));
      return FALSE;
    }
  run->lock_fd = fd;
  return TRUE;
}

static gboolean
op_prepare (SaphanStore *store, SyncRun *run, GError **error)
{
  g_autofree char *problem = NULL;
  g_autofree char *detail = NULL;
  gint64 recovered;

  if (!take_lock (store, run, error))
    return FALSE;
  run->profile = saphan_sync_profile_load (store, error);
  if (run->profile == NULL)
    return FALSE;
  problem = saphan_store_get_setting (store, SAPHAN_SETTING_AUTH_PROBLEM, NULL);
  if (problem != NULL && *problem != '\0')
    {
      run->summary.auth_problem = TRUE;
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("Sending is paused: the server refused the kiosk’s credentials (%s). "
                     "Check the server settings with “saphanctl server set”."),
                   problem);
      return FALSE;
    }
  recovered = saphan_store_recover_sending (store, error);
  if (recovered < 0)
    return FALSE;
  run->summary.recovered = recovered;
  detail = g_strdup_printf ("server=%s recovered=%" G_GINT64_FORMAT,
                            saphan_server_kind_to_string (run->profile->kind), recovered);
  return saphan_store_audit_append (store, "sync-start", detail, error);
}

static gboolean
op_claim (SaphanStore *store, SyncRun *run, GError **error)
{
  GError *local = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  static const SaphanSubmissionState waiting[] = { SAPHAN_SUBMISSION_QUEUED, SAPHAN_SUBMISSION_EXPORTED };

  run->current = saphan_store_claim_next (store, now, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (run->current != NULL)
    {
      run->payload = saphan_store_get_payload (store, run->current->instance_id, error);
      if (run->payload == NULL)
        return FALSE;
      run->attachments = saphan_store_get_attachments (store, run->current->instance_id, error);
      return run->attachments != NULL;
    }

  /* Nothing due: find out when the next retry is, for the caller's wait. */
  run->queued = 0;
  run->next_due = G_MAXINT64;
  for (guint w = 0; w < G_N_ELEMENTS (waiting); w++)
    {
      g_autoptr (GPtrArray) list = saphan_store_list_submissions (store, waiting[w], 0, error);
      if (list == NULL)
        return FALSE;
      run->queued += list->len;
      for (guint i = 0; i < list->len; i++)
        {
          SaphanSubmissionInfo *s = list->pdata[i];
          run->next_due = MIN (run->next_due, MAX (s->next_attempt_at, now));
        }
    }
  return TRUE;
}

static char *
attempt_detail (SyncRun *run, const SaphanSyncVerdict *verdict)
{
  /* Identifiers and figures only: the instance ID is a random UUID and
   * the server's message is not included, as it may echo answers. */
  return g_strdup_printf ("instance=%s form=%s attempt=%d batch=%u/%u outcome=%s reason=%s status=%ld "
                          "bytes=%" G_GINT64_FORMAT " ms=%" G_GINT64_FORMAT,
                          run->current->instance_id, run->current->form_id, MAX (1, run->current->attempts),
                          run->batch + 1, run->batches != NULL ? run->batches->len : 1,
                          saphan_sync_outcome_to_string (verdict->outcome), verdict->reason, run->last_status,
                          run->last_bytes, run->last_elapsed_us / 1000);
}

static gboolean
record_auth_problem (SaphanStore *store, const char *reason, GError **error)
{
  return saphan_store_set_setting (store, SAPHAN_SETTING_AUTH_PROBLEM, reason, error) &&
         saphan_store_audit_append (store, "sync-auth-problem", reason, error);
}

static gboolean
op_mark (SaphanStore *store, SyncRun *run, GError **error)
{
  const SaphanSyncVerdict *v = run->verdict;
  const char *id = run->current->instance_id;
  g_autofree char *detail = attempt_detail (run, v);
  g_autofree char *reason = NULL;
  gboolean ok;

  switch (v->outcome)
    {
    case SAPHAN_SYNC_OUTCOME_ACCEPTED:
      ok = saphan_store_mark_accepted (store, id, v->message, error);
      break;
    case SAPHAN_SYNC_OUTCOME_NEEDS_ATTENTION:
      reason = v->message != NULL ? g_strdup_printf ("%s: %s", v->reason, v->message) : g_strdup (v->reason);
      ok = saphan_store_mark_needs_attention (store, id, reason, error);
      break;
    case SAPHAN_SYNC_OUTCOME_AUTH:
      /* The submission is fine; the credentials are not. It waits in the
       * queue, and so does everything else until staff act. */
      ok = saphan_store_mark_retry (store, id, v->reason, run->next_attempt_at, error) &&
           record_auth_problem (store, v->reason, error);
      break;
    case SAPHAN_SYNC_OUTCOME_RETRY:
    case SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED:
    default:
      ok = saphan_store_mark_retry (store, id, v->reason, run->next_attempt_at, error);
      break;
    }
  /* The store logs every transition (claim, accept, retry) itself; a
   * plain success adds nothing to that, and each entry is a commit. A
   * failure adds the reason code, the status and the timings. */
  if (v->outcome == SAPHAN_SYNC_OUTCOME_ACCEPTED && (run->batches == NULL || run->batches->len == 1))
    return ok;
  return ok && saphan_store_audit_append (store, "sync-attempt", detail, error);
}

static void
store_op_thread (GTask *op_task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GTask *task = task_data;
  SaphanSync *sync = g_task_get_source_object (task);
  SaphanStore *store = _saphan_sync_get_store (sync);
  SyncRun *run = g_task_get_task_data (task);
  SyncOp op = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (op_task), "sync-op"));
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (op)
    {
    case SYNC_OP_PREPARE:
      ok = op_prepare (store, run, &error);
      break;
    case SYNC_OP_CLAIM:
      ok = op_claim (store, run, &error);
      break;
    case SYNC_OP_MARK:
      ok = op_mark (store, run, &error);
      break;
    case SYNC_OP_RELEASE:
      ok = saphan_store_mark_retry (store, run->current->instance_id, "cancelled", run->next_attempt_at, &error);
      break;
    case SYNC_OP_RECORD_AUTH:
      ok = record_auth_problem (store, run->verdict->reason, &error);
      break;
    case SYNC_OP_FINISH:
      {
        gint64 counts[SAPHAN_SUBMISSION_N_STATES] = { 0 };
        ok = saphan_store_count_by_state (store, counts, &error);
        run->summary.remaining = counts[SAPHAN_SUBMISSION_QUEUED] + counts[SAPHAN_SUBMISSION_SENDING] +
                                 counts[SAPHAN_SUBMISSION_EXPORTED];
        /* Once per run rather than per submission: each setting is a
         * commit, and commits are what a drain spends its time on. */
        if (ok && run->summary.accepted > 0)
          {
            g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
            g_autofree char *stamp = g_date_time_format_iso8601 (now);
            ok = saphan_store_set_setting (store, SAPHAN_SETTING_LAST_SUCCESS, stamp, &error);
          }
        if (ok && (run->summary.auth_problem || run->summary.accepted > 0 || run->summary.deferred > 0))
          {
            g_autofree char *detail = g_strdup_printf (
              "accepted=%u needs-attention=%u deferred=%u remaining=%" G_GINT64_FORMAT,
              run->summary.accepted, run->summary.needs_attention, run->summary.deferred, run->summary.remaining);
            ok = ok && saphan_store_audit_append (store, "sync-end", detail, &error);
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    g_task_return_boolean (op_task, TRUE);
  else
    g_task_return_error (op_task, error);
}

void
_saphan_sync_store_op (GTask *task, SyncOp op, GAsyncReadyCallback callback)
{
  g_autoptr (GTask) op_task = NULL;

  /* The operation's source object is the run's task, handed to CALLBACK
   * as user data: the reference the caller held travels with it. */
  op_task = g_task_new (NULL, NULL, callback, task);
  g_task_set_source_tag (op_task, _saphan_sync_store_op);
  g_task_set_task_data (op_task, task, NULL);
  g_object_set_data (G_OBJECT (op_task), "sync-op", GINT_TO_POINTER (op));
  g_task_run_in_thread (op_task, store_op_thread);
}

gboolean
_saphan_sync_store_op_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- detached audit entries ------------------------------------------------ */

typedef struct
{
  SaphanStore *store;
  char        *event;
  char        *detail;
} AuditEntry;

static void
audit_entry_free (AuditEntry *entry)
{
  g_object_unref (entry->store);
  g_free (entry->event);
  g_free (entry->detail);
  g_free (entry);
}

static void
audit_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AuditEntry *entry = task_data;
  g_autoptr (GError) error = NULL;

  if (!saphan_store_audit_append (entry->store, entry->event, entry->detail, &error))
    g_warning ("Could not write to the audit log: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
audit_detached (SaphanStore *store, const char *event, char *detail)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  AuditEntry *entry = g_new0 (AuditEntry, 1);

  entry->store = g_object_ref (store);
  entry->event = g_strdup (event);
  entry->detail = detail;
  g_task_set_source_tag (task, audit_detached);
  g_task_set_task_data (task, entry, (GDestroyNotify) audit_entry_free);
  g_task_run_in_thread (task, audit_thread);
}

void
_saphan_sync_audit_attempt (GTask *task, const SaphanSyncVerdict *verdict)
{
  SyncRun *run = g_task_get_task_data (task);

  audit_detached (_saphan_sync_get_store (g_task_get_source_object (task)), "sync-attempt",
                  attempt_detail (run, verdict));
}

void
_saphan_sync_audit_head_failure (GTask *task, const char *reason)
{
  audit_detached (_saphan_sync_get_store (g_task_get_source_object (task)), "sync-offline",
                  g_strdup_printf ("reason=%s", reason));
}

/* ---- multipart bodies ------------------------------------------------------ */

GPtrArray *
_saphan_sync_plan_batches (GBytes *payload, GPtrArray *attachments, gint64 limit, char **out_reason)
{
  g_autoptr (GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gint64 base = (gint64) g_bytes_get_size (payload) + 2 * PART_OVERHEAD;
  GPtrArray *current = g_ptr_array_new ();
  gint64 used = base;

  g_ptr_array_add (batches, current);
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      SaphanAttachment *a = attachments->pdata[i];
      gint64 size = (gint64) g_bytes_get_size (a->data) + PART_OVERHEAD;

      if (base + size > limit)
        {
          *out_reason = g_strdup_printf ("attachment-too-large:%" G_GINT64_FORMAT ">%" G_GINT64_FORMAT,
                                         size, limit);
          return NULL;
        }
      if (used + size > limit)
        {
          current = g_ptr_array_new ();
          g_ptr_array_add (batches, current);
          used = base;
        }
      g_ptr_array_add (current, a);
      used += size;
    }
  return g_steal_pointer (&batches);
}

typedef struct
{
  GBytes *bytes;
  gsize   offset;
} PartReader;

static size_t
part_read_cb (char *buffer, size_t size, size_t nitems, void *arg)
{
  PartReader *r = arg;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (r->bytes, &len);
  gsize n = MIN (size * nitems, len - r->offset);

  memcpy (buffer, data + r->offset, n);
  r->offset += n;
  return n;
}

static int
part_seek_cb (void *arg, curl_off_t offset, int origin)
{
  PartReader *r = arg;

  /* curl rewinds a part when it must send the body again, e.g. after a
   * Digest challenge. */
  if (origin != SEEK_SET || offset < 0 || (gsize) offset > g_bytes_get_size (r->bytes))
    return CURL_SEEKFUNC_FAIL;
  r->offset = (gsize) offset;
  return CURL_SEEKFUNC_OK;
}

static void
part_free_cb (void *arg)
{
  PartReader *r = arg;

  g_bytes_unref (r->bytes);
  g_free (r);
}

static gboolean
add_bytes_part (curl_mime *mime, const char *name, const char *filename, const char *type, GBytes *bytes)
{
  curl_mimepart *part = curl_mime_addpart (mime);
  PartReader *r;

  if (part == NULL)
    return FALSE;
  if (curl_mime_name (part, name) != CURLE_OK
      || (filename != NULL && curl_mime_filename (part, filename) != CURLE_OK)
      || curl_mime_type (part, type) != CURLE_OK)
    return FALSE;
  /* Once handed over, the reader belongs to the part, which frees it with
   * the whole MIME structure. */
  r = g_new0 (PartReader, 1);
  r->bytes = g_bytes_ref (bytes);
  if (curl_mime_data_cb (part, (curl_off_t) g_bytes_get_size (bytes), part_read_cb, part_seek_cb, part_free_cb, r)
      != CURLE_OK)
    {
      part_free_cb (r);
      return FALSE;
    }
  return TRUE;
}

SyncPost *
_saphan_sync_post_new (CURL *easy, GBytes *payload, GPtrArray *batch, gboolean incomplete, GError **error)
{
  g_autoptr (SyncPost) post = g_new0 (SyncPost, 1);
  gboolean ok;

  /* Every libcurl call below copies strings or allocates parts; any of
   * them can run out of memory, and then nothing may be sent at all. */
  post->mime = curl_mime_init (easy);
  ok = post->mime != NULL && add_bytes_part (post->mime, "xml_submission_file", "submission.xml", "text/xml", payload);
  post->size = g_bytes_get_size (payload);
  for (guint i = 0; ok && i < batch->len; i++)
    {
      SaphanAttachment *a = batch->pdata[i];
      g_autofree char *base = g_path_get_basename (a->name);
      g_autofree char *content_type = g_content_type_guess (base, NULL, 0, NULL);
      g_autofree char *mime_type = g_content_type_get_mime_type (content_type);

      ok = add_bytes_part (post->mime, base, base, mime_type != NULL ? mime_type : "application/octet-stream",
                           a->data);
      post->size += g_bytes_get_size (a->data);
    }
  if (ok && incomplete)
    {
      /* ODK's convention for "more attachments follow in another POST". */
      curl_mimepart *part = curl_mime_addpart (post->mime);

      ok = part != NULL && curl_mime_name (part, "*isIncomplete*") == CURLE_OK
           && curl_mime_data (part, "yes", CURL_ZERO_TERMINATED) == CURLE_OK;
    }
  if (!ok)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK, "%s",
                   _("Could not build the submission request: out of memory"));
      return NULL;
    }
  return g_steal_pointer (&post);
}

void
_saphan_sync_post_free (SyncPost *post)
{
  if (post == NULL)
    return;
  curl_mime_free (post->mime);
  curl_slist_free_all (post->headers);
  g_free (post);
}
