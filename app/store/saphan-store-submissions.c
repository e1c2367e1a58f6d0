/* saphan-store-submissions.c: finalize and reading submissions back.
 *
 * Finalize is the moment a citizen's answers become a record: the
 * submission, its attachments, its receipt and the audit entry are written
 * in one transaction, so after a power cut either all of them exist or
 * none. The payload is frozen from then on (a trigger in the schema refuses
 * any UPDATE of it), so what is sent later is exactly what was saved.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "saphan-error.h"

void
saphan_submission_info_free (SaphanSubmissionInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->instance_id);
  g_free (info->form_id);
  g_free (info->form_version);
  g_free (info->last_error);
  g_free (info->server_message);
  g_free (info->assisted_by);
  g_free (info->receipt_number);
  g_free (info->resolved_by);
  g_free (info->resolution_note);
  g_free (info);
}

void
saphan_attachment_free (SaphanAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free ((char *) attachment->name);
  g_clear_pointer (&attachment->data, g_bytes_unref);
  g_free (attachment);
}

void
_saphan_store_set_submission_not_found (const char *instance_id, GError **error)
{
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
               _("There is no submission %s in this kiosk."), instance_id);
}

/* Binds BYTES as a blob; an empty payload is still a blob, never NULL. */
static void
bind_bytes (sqlite3_stmt *stmt, int index, GBytes *bytes)
{
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  sqlite3_bind_blob64 (stmt, index, size > 0 ? data : "", size, SQLITE_STATIC);
}

gboolean
_saphan_store_row_exists (SaphanStore *self, const char *sql, const char *key, gboolean *out_exists, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = _saphan_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

/* ---- Finalize ----------------------------------------------------------- */

static gboolean
validate_request (const SaphanFinalizeRequest *request, GError **error)
{
  if (request->instance_id == NULL || *request->instance_id == '\0' ||
      request->form_id == NULL || *request->form_id == '\0' ||
      request->form_version == NULL || request->payload == NULL ||
      g_bytes_get_size (request->payload) == 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("A submission needs an instance id, a form id, a form version and its answers."));
      return FALSE;
    }
  if (request->receipt_number != NULL && *request->receipt_number == '\0')
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("A receipt needs a number."));
      return FALSE;
    }
  for (guint i = 0; request->attachments != NULL && i < request->attachments->len; i++)
    {
      const SaphanAttachment *attachment = g_ptr_array_index (request->attachments, i);

      if (attachment == NULL || attachment->name == NULL || *attachment->name == '\0' ||
          attachment->data == NULL)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("An attachment of submission %s has no name or no contents."),
                       request->instance_id);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
insert_submission (SaphanStore *self, const SaphanFinalizeRequest *request, gint64 at, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;

  /* The answers are sealed before SQLite sees them, so no page of the
   * database, its log or a temporary file ever holds them in clear. */
  sealed = _saphan_store_seal (self, request->instance_id, "payload", NULL, request->payload, error);
  if (sealed == NULL)
    return FALSE;
  stmt = _saphan_store_prepare (self,
                                "INSERT INTO submissions (instance_id, form_id, form_version, state, "
                                "  payload, created_at, updated_at, attempts, next_attempt_at, assisted_by, "
                                "  sealed) "
                                "VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?5, 0, 0, ?6, 1)",
                                error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, request->instance_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, request->form_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, request->form_version, -1, SQLITE_STATIC);
  bind_bytes (stmt, 4, sealed);
  sqlite3_bind_int64 (stmt, 5, at);
  sqlite3_bind_text (stmt, 6, request->assisted_by, -1, SQLITE_STATIC);
  return _saphan_store_step_done (self, stmt, error);
}

static gboolean
insert_attachments (SaphanStore *self, const SaphanFinalizeRequest *request, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (request->attachments == NULL || request->attachments->len == 0)
    return TRUE;

  stmt = _saphan_store_prepare (self,
                                "INSERT INTO attachments (instance_id, name, data, sealed) "
                                "VALUES (?1, ?2, ?3, 1)",
                                error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < request->attachments->len; i++)
    {
      const SaphanAttachment *attachment = g_ptr_array_index (request->attachments, i);
      g_autoptr(GBytes) sealed = NULL;

      sealed = _saphan_store_seal (self, request->instance_id, "attachment", attachment->name,
                                   attachment->data, error);
      if (sealed == NULL)
        return FALSE;
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, request->instance_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, attachment->name, -1, SQLITE_STATIC);
      bind_bytes (stmt, 3, sealed);
      if (!_saphan_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
insert_receipt (SaphanStore *self, const SaphanFinalizeRequest *request, gint64 at, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _saphan_store_prepare (self,
                                "INSERT INTO receipts (number, instance_id, form_id, qr_text, issued_at, "
                                "  printed, print_count) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
                                error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, request->receipt_number, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, request->instance_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, request->form_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, request->receipt_qr, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, at);
  return _saphan_store_step_done (self, stmt, error);
}

gboolean
saphan_store_finalize (SaphanStore                 *self,
                       const SaphanFinalizeRequest *request,
                       GError                     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *detail = NULL;
  gboolean exists = FALSE;
  gint64 at;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_request (request, error))
    return FALSE;
  at = request->finalized_at > 0 ? request->finalized_at : _saphan_store_now ();

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;

  /* A finalize may be retried after a crash or a timeout; the first one
   * wins and the frozen payload is never replaced. */
  if (!_saphan_store_row_exists (self, "SELECT 1 FROM submissions WHERE instance_id = ?1",
                   request->instance_id, &exists, error))
    goto fail;
  if (exists)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS,
                   _("The submission %s was already saved; it was not saved a second time."),
                   request->instance_id);
      goto fail;
    }
  if (request->receipt_number != NULL)
    {
      if (!_saphan_store_row_exists (self, "SELECT 1 FROM receipts WHERE number = ?1",
                       request->receipt_number, &exists, error))
        goto fail;
      if (exists)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS,
                       _("The receipt number %s was already issued; nothing was saved."),
                       request->receipt_number);
          goto fail;
        }
    }

  /* The audit entry names the record, never the answers in it. */
  detail = g_strdup_printf ("form=%s instance=%s receipt=%s", request->form_id,
                            request->instance_id,
                            request->receipt_number != NULL ? request->receipt_number : "-");
  if (!insert_submission (self, request, at, error) ||
      !insert_attachments (self, request, error) ||
      (request->receipt_number != NULL && !insert_receipt (self, request, at, error)) ||
      !_saphan_store_audit_append_locked (self, "finalize", detail, at, error))
    goto fail;

  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}

/* The caller's request borrows its strings; the worker thread needs its own
 * copy that lives as long as the task. */
typedef struct
{
  SaphanFinalizeRequest request;
  GPtrArray *attachments;
} FinalizeData;

static void
finalize_data_free (FinalizeData *data)
{
  g_free ((char *) data->request.instance_id);
  g_free ((char *) data->request.form_id);
  g_free ((char *) data->request.form_version);
  g_clear_pointer (&data->request.payload, g_bytes_unref);
  g_free ((char *) data->request.assisted_by);
  g_free ((char *) data->request.receipt_number);
  g_free ((char *) data->request.receipt_qr);
  g_clear_pointer (&data->attachments, g_ptr_array_unref);
  g_free (data);
}

static FinalizeData *
finalize_data_new (const SaphanFinalizeRequest *request)
{
  FinalizeData *data = g_new0 (FinalizeData, 1);

  data->request.instance_id = g_strdup (request->instance_id);
  data->request.form_id = g_strdup (request->form_id);
  data->request.form_version = g_strdup (request->form_version);
  data->request.payload = request->payload != NULL ? g_bytes_ref (request->payload) : NULL;
  data->request.assisted_by = g_strdup (request->assisted_by);
  data->request.receipt_number = g_strdup (request->receipt_number);
  data->request.receipt_qr = g_strdup (request->receipt_qr);
  data->request.finalized_at = request->finalized_at;

  if (request->attachments != NULL)
    {
      data->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
      for (guint i = 0; i < request->attachments->len; i++)
        {
          const SaphanAttachment *source = g_ptr_array_index (request->attachments, i);
          SaphanAttachment *copy = g_new0 (SaphanAttachment, 1);

          if (source != NULL)
            {
              copy->name = g_strdup (source->name);
              copy->data = source->data != NULL ? g_bytes_ref (source->data) : NULL;
            }
          g_ptr_array_add (data->attachments, copy);
        }
      data->request.attachments = data->attachments;
    }
  return data;
}

static void
finalize_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  FinalizeData *data = task_data;
  GError *error = NULL;

  /* Cancelling is honoured only before the transaction starts: once it
   * runs, the citizen's record is written whole. */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (saphan_store_finalize (SAPHAN_STORE (source_object), &data->request, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
saphan_store_finalize_async (SaphanStore                 *self,
                             const SaphanFinalizeRequest *request,
                             GCancellable                *cancellable,
                             GAsyncReadyCallback          callback,
                             gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SAPHAN_IS_STORE (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, saphan_store_finalize_async);
  g_task_set_task_data (task, finalize_data_new (request), (GDestroyNotify) finalize_data_free);
  g_task_run_in_thread (task, finalize_thread);
}

gboolean
saphan_store_finalize_finish (SaphanStore   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == saphan_store_finalize_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Submissions ---------------------------------------------------------- */

#define SUBMISSION_SELECT                                                             \
  "SELECT s.instance_id, s.form_id, s.form_version, s.state, s.created_at, "          \
  "  s.updated_at, s.next_attempt_at, s.attempts, s.last_error, s.server_message, "   \
  "  s.assisted_by, r.number, "                                                       \
  "  max (0, length (s.payload) - CASE WHEN s.sealed THEN " G_STRINGIFY (SAPHAN_SEAL_OVERHEAD) " ELSE 0 END), " \
  "  (SELECT count(*) FROM attachments a WHERE a.instance_id = s.instance_id), "      \
  "  s.accepted_at, s.purged_at, s.resolved_at, s.resolved_by, s.resolution_note "    \
  "FROM submissions s LEFT JOIN receipts r ON r.instance_id = s.instance_id "

static SaphanSubmissionInfo *
submission_info_from_row (sqlite3_stmt *stmt)
{
  SaphanSubmissionInfo *info = g_new0 (SaphanSubmissionInfo, 1);
  SaphanSubmissionState state = SAPHAN_SUBMISSION_QUEUED;

  info->instance_id = _saphan_store_column_text (stmt, 0);
  info->form_id = _saphan_store_column_text (stmt, 1);
  info->form_version = _saphan_store_column_text (stmt, 2);
  /* The CHECK constraint on the column keeps the text one of ours. */
  saphan_submission_state_from_string ((const char *) sqlite3_column_text (stmt, 3), &state);
  info->state = state;
  info->created_at = sqlite3_column_int64 (stmt, 4);
  info->updated_at = sqlite3_column_int64 (stmt, 5);
  info->next_attempt_at = sqlite3_column_int64 (stmt, 6);
  info->attempts = sqlite3_column_int (stmt, 7);
  info->last_error = _saphan_store_column_text (stmt, 8);
  info->server_message = _saphan_store_column_text (stmt, 9);
  info->assisted_by = _saphan_store_column_text (stmt, 10);
  info->receipt_number = _saphan_store_column_text (stmt, 11);
  info->payload_size = (gsize) sqlite3_column_int64 (stmt, 12);
  info->n_attachments = (guint) sqlite3_column_int (stmt, 13);
  info->accepted_at = sqlite3_column_int64 (stmt, 14);
  info->purged_at = sqlite3_column_int64 (stmt, 15);
  info->resolved_at = sqlite3_column_int64 (stmt, 16);
  info->resolved_by = _saphan_store_column_text (stmt, 17);
  info->resolution_note = _saphan_store_column_text (stmt, 18);
  return info;
}

SaphanSubmissionInfo *
_saphan_store_get_submission_locked (SaphanStore *self, const char *instance_id, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _saphan_store_prepare (self, SUBMISSION_SELECT "WHERE s.instance_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, instance_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return submission_info_from_row (stmt);
  if (rc == SQLITE_DONE)
    _saphan_store_set_submission_not_found (instance_id, error);
  else
    _saphan_store_set_error (self, rc, error);
  return NULL;
}

GPtrArray *
saphan_store_list_submissions (SaphanStore *self, int state, guint limit, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (state < SAPHAN_SUBMISSION_N_STATES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                SUBMISSION_SELECT
                                /* Resolved submissions need no more attention. */
                                "WHERE ?1 IS NULL OR (s.state = ?1 AND (s.state IS NOT 'needs-attention' "
                                "                                      OR s.resolved_at IS NULL)) "
                                "ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?2",
                                error);
  if (stmt == NULL)
    return NULL;
  if (state >= 0)
    sqlite3_bind_text (stmt, 1, saphan_submission_state_to_string (state), -1, SQLITE_STATIC);
  /* A negative LIMIT means no limit in SQLite. */
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_submission_info_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, submission_info_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

SaphanSubmissionInfo *
saphan_store_get_submission (SaphanStore *self, const char *instance_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (instance_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return _saphan_store_get_submission_locked (self, instance_id, error);
}

GBytes *
saphan_store_get_payload (SaphanStore *self, const char *instance_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (instance_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT payload, sealed, purged_at FROM submissions WHERE instance_id = ?1",
                                error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, instance_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("The answers of submission %s were deleted after the retention period; only its receipt and record remain."),
                   instance_id);
      return NULL;
    }
  /* Rows saved before encryption at rest (sealed = 0) are read as they
   * are; they leave the database with the retention purge. */
  if (rc == SQLITE_ROW && sqlite3_column_int (stmt, 1) == 0)
    return _saphan_store_column_bytes (stmt, 0);
  if (rc == SQLITE_ROW)
    return _saphan_store_unseal (self, instance_id, "payload", NULL,
                                 sqlite3_column_blob (stmt, 0),
                                 (gsize) sqlite3_column_bytes (stmt, 0), error);
  if (rc == SQLITE_DONE)
    _saphan_store_set_submission_not_found (instance_id, error);
  else
    _saphan_store_set_error (self, rc, error);
  return NULL;
}

GPtrArray *
saphan_store_get_attachments (SaphanStore *self, const char *instance_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gboolean exists = FALSE;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (instance_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_row_exists (self, "SELECT 1 FROM submissions WHERE instance_id = ?1", instance_id,
                   &exists, error))
    return NULL;
  if (!exists)
    {
      _saphan_store_set_submission_not_found (instance_id, error);
      return NULL;
    }

  stmt = _saphan_store_prepare (self,
                                "SELECT name, data, sealed FROM attachments WHERE instance_id = ?1 "
                                "ORDER BY name",
                                error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, instance_id, -1, SQLITE_STATIC);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SaphanAttachment *attachment = g_new0 (SaphanAttachment, 1);

      attachment->name = _saphan_store_column_text (stmt, 0);
      g_ptr_array_add (list, attachment);
      if (sqlite3_column_int (stmt, 2) == 0)
        attachment->data = _saphan_store_column_bytes (stmt, 1);
      else
        attachment->data = _saphan_store_unseal (self, instance_id, "attachment", attachment->name,
                                                 sqlite3_column_blob (stmt, 1),
                                                 (gsize) sqlite3_column_bytes (stmt, 1), error);
      if (attachment->data == NULL)
        return NULL;
    }
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

gboolean
saphan_store_count_by_state (SaphanStore *self, gint64 *out_counts, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT state, n FROM submission_counts",
                                error);
  if (stmt == NULL)
    return FALSE;

  memset (out_counts, 0, sizeof (gint64) * SAPHAN_SUBMISSION_N_STATES);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SaphanSubmissionState state;

      if (saphan_submission_state_from_string ((const char *) sqlite3_column_text (stmt, 0), &state))
        out_counts[state] = sqlite3_column_int64 (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

gint64
saphan_store_count_resolved (SaphanStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self, "SELECT count(*) FROM submissions WHERE resolved_at IS NOT NULL",
                                error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}
