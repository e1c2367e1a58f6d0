/* saphan-store-outbox.c: the outbox state machine and receipts.
 *
 * The outbox transitions are a table of legal moves; anything else is
 * refused with SAPHAN_ERROR_STATE so that a confused caller cannot, say,
 * send an accepted submission twice. Every move appends an audit entry
 * naming the submission, never its answers or the server's reason.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "saphan-error.h"

static const char *state_names[SAPHAN_SUBMISSION_N_STATES] = {
  [SAPHAN_SUBMISSION_QUEUED] = "queued",
  [SAPHAN_SUBMISSION_SENDING] = "sending",
  [SAPHAN_SUBMISSION_ACCEPTED] = "accepted",
  [SAPHAN_SUBMISSION_NEEDS_ATTENTION] = "needs-attention",
  [SAPHAN_SUBMISSION_EXPORTED] = "exported",
};

#define STATE_BIT(s) (1u << (s))

/* One legal move of the outbox. The SQL binds ?1 instance id, ?2 now,
 * ?3 a reason, server message or note, ?4 the next attempt time, ?5 a
 * staff id. */
typedef struct
{
  const char            *event;   /* the audit event, also named in errors */
  guint                  from;    /* mask of the states it may start from */
  SaphanSubmissionState  to;
  const char            *sql;
} Transition;

enum
{
  TRANSITION_CLAIM,
  TRANSITION_ACCEPTED,
  TRANSITION_NEEDS_ATTENTION,
  TRANSITION_RETRY,
  TRANSITION_EXPORTED,
  TRANSITION_RECOVER,
  TRANSITION_RESOLVE,
};

static const Transition transitions[] = {
  [TRANSITION_CLAIM] = {
    "sending", STATE_BIT (SAPHAN_SUBMISSION_QUEUED) | STATE_BIT (SAPHAN_SUBMISSION_EXPORTED),
    SAPHAN_SUBMISSION_SENDING,
    "UPDATE submissions SET state = 'sending', updated_at = ?2, attempts = attempts + 1 "
    "WHERE instance_id = ?1" },
  [TRANSITION_ACCEPTED] = {
    "accepted", STATE_BIT (SAPHAN_SUBMISSION_SENDING),
    SAPHAN_SUBMISSION_ACCEPTED,
    "UPDATE submissions SET state = 'accepted', updated_at = ?2, accepted_at = ?2, "
    "server_message = ?3, last_error = NULL WHERE instance_id = ?1" },
  [TRANSITION_NEEDS_ATTENTION] = {
    "needs-attention", STATE_BIT (SAPHAN_SUBMISSION_SENDING),
    SAPHAN_SUBMISSION_NEEDS_ATTENTION,
    "UPDATE submissions SET state = 'needs-attention', updated_at = ?2, last_error = ?3 "
    "WHERE instance_id = ?1" },
  /* Staff may also put a submission that needed attention back in line. */
  [TRANSITION_RETRY] = {
    "retry", STATE_BIT (SAPHAN_SUBMISSION_SENDING) | STATE_BIT (SAPHAN_SUBMISSION_NEEDS_ATTENTION),
    SAPHAN_SUBMISSION_QUEUED,
    "UPDATE submissions SET state = 'queued', updated_at = ?2, last_error = ?3, "
    "next_attempt_at = ?4 WHERE instance_id = ?1" },
  /* Exporting again (a second USB stick) is harmless and allowed. */
  [TRANSITION_EXPORTED] = {
    "exported", STATE_BIT (SAPHAN_SUBMISSION_QUEUED) | STATE_BIT (SAPHAN_SUBMISSION_EXPORTED),
    SAPHAN_SUBMISSION_EXPORTED,
    "UPDATE submissions SET state = 'exported', updated_at = ?2 WHERE instance_id = ?1" },
  [TRANSITION_RECOVER] = {
    "recover", STATE_BIT (SAPHAN_SUBMISSION_SENDING),
    SAPHAN_SUBMISSION_QUEUED,
    "UPDATE submissions SET state = 'queued', updated_at = ?2 WHERE instance_id = ?1" },
  /* Staff closes a submission the server refused; the state stays, and the
   * resolution columns record who did so, when and why. */
  [TRANSITION_RESOLVE] = {
    "resolved", STATE_BIT (SAPHAN_SUBMISSION_NEEDS_ATTENTION),
    SAPHAN_SUBMISSION_NEEDS_ATTENTION,
    "UPDATE submissions SET updated_at = ?2, resolved_at = ?2, resolution_note = ?3, "
    "resolved_by = ?5 WHERE instance_id = ?1" },
};

const char *
saphan_submission_state_to_string (SaphanSubmissionState state)
{
  g_return_val_if_fail (state < SAPHAN_SUBMISSION_N_STATES, NULL);
  return state_names[state];
}

gboolean
saphan_submission_state_from_string (const char *text, SaphanSubmissionState *out_state)
{
  for (guint i = 0; i < SAPHAN_SUBMISSION_N_STATES; i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        if (out_state != NULL)
          *out_state = i;
        return TRUE;
      }
  return FALSE;
}

void
saphan_receipt_info_free (SaphanReceiptInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->number);
  g_free (info->instance_id);
  g_free (info->form_id);
  g_free (info->qr_text);
  g_free (info);
}

/* ---- The outbox ----------------------------------------------------------- */

/* Applies transition T to INSTANCE_ID inside the caller's transaction. */
static gboolean
transition_locked (SaphanStore      *self,
                   const char       *instance_id,
                   const Transition *t,
                   const char       *text,
                   gint64            next_attempt_at,
                   const char       *staff_id,
                   gint64            now,
                   GError          **error)
{
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autofree char *detail = NULL;
  SaphanSubmissionState state = SAPHAN_SUBMISSION_QUEUED;
  int rc;

  select = _saphan_store_prepare (self, "SELECT state, attempts, resolved_at IS NOT NULL FROM submissions "
                                  "WHERE instance_id = ?1",
                                  error);
  if (select == NULL)
    return FALSE;
  sqlite3_bind_text (select, 1, instance_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (select);
  if (rc == SQLITE_DONE)
    {
      _saphan_store_set_submission_not_found (instance_id, error);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  saphan_submission_state_from_string ((const char *) sqlite3_column_text (select, 0), &state);
  /* A resolution closes the submission for good, so that a sync run or a
   * second staff member cannot reopen what someone already dealt with. */
  if (sqlite3_column_int (select, 2) != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("The submission %s was already resolved by staff and cannot change any more."),
                   instance_id);
      return FALSE;
    }
  if (t == &transitions[TRANSITION_RESOLVE] && (t->from & STATE_BIT (state)) == 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("The submission %s is “%s”; only a submission that needs attention can be resolved."),
                   instance_id, state_names[state]);
      return FALSE;
    }
  if ((t->from & STATE_BIT (state)) == 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("The submission %s is “%s” and cannot be marked “%s”."),
                   instance_id, state_names[state], state_names[t->to]);
      return FALSE;
    }

  /* The reason stays in the submission row, not in the audit log: the log
   * is kept for years and a server's message may quote an answer. */
  if (t == &transitions[TRANSITION_RESOLVE])
    detail = g_strdup_printf ("instance=%s staff=%s", instance_id,
                              staff_id != NULL ? staff_id : "-");
  else
    detail = g_strdup_printf ("instance=%s from=%s attempts=%d", instance_id, state_names[state],
                              sqlite3_column_int (select, 1) + (t == &transitions[TRANSITION_CLAIM]));

  update = _saphan_store_prepare (self, t->sql, error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_text (update, 1, instance_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (update, 2, now);
  if (sqlite3_bind_parameter_count (update) >= 3)
    sqlite3_bind_text (update, 3, text, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count (update) >= 4)
    sqlite3_bind_int64 (update, 4, next_attempt_at);
  if (sqlite3_bind_parameter_count (update) >= 5)
    sqlite3_bind_text (update, 5, staff_id, -1, SQLITE_STATIC);

  return _saphan_store_step_done (self, update, error) &&
         _saphan_store_audit_append_locked (self, t->event, detail, now, error);
}

static gboolean
transition (SaphanStore  *self,
            const char   *instance_id,
            guint         which,
            const char   *text,
            gint64        next_attempt_at,
            const char   *staff_id,
            GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;
  if (!transition_locked (self, instance_id, &transitions[which], text, next_attempt_at,
                          staff_id, _saphan_store_now (), error))
    {
      _saphan_store_rollback (self);
      return FALSE;
    }
  return _saphan_store_commit (self, error);
}

SaphanSubmissionInfo *
saphan_store_claim_next (SaphanStore *self, gint64 now, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *instance_id = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return NULL;

  stmt = _saphan_store_prepare (self,
                                "SELECT instance_id FROM submissions "
                                "WHERE state IN ('queued', 'exported') AND next_attempt_at <= ?1 "
                                "ORDER BY created_at, rowid LIMIT 1",
                                error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      _saphan_store_rollback (self);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      goto fail;
    }
  instance_id = _saphan_store_column_text (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!transition_locked (self, instance_id, &transitions[TRANSITION_CLAIM], NULL, 0, NULL, now,
                          error) ||
      !_saphan_store_commit (self, error))
    goto fail;
  return _saphan_store_get_submission_locked (self, instance_id, error);

fail:
  _saphan_store_rollback (self);
  return NULL;
}

gboolean
saphan_store_mark_accepted (SaphanStore *self, const char *instance_id,
                            const char *server_message, GError **error)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (instance_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return transition (self, instance_id, TRANSITION_ACCEPTED, server_message, 0, NULL, error);
}

gboolean
saphan_store_mark_needs_attention (SaphanStore *self, const char *instance_id,
                                   const char *reason, GError **error)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (instance_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return transition (self, instance_id, TRANSITION_NEEDS_ATTENTION, reason, 0, NULL, error);
}

gboolean
saphan_store_mark_retry (SaphanStore *self, const char *instance_id, const char *reason,
                         gint64 next_attempt_at, GError **error)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (instance_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return transition (self, instance_id, TRANSITION_RETRY, reason, next_attempt_at, NULL, error);
}

gboolean
saphan_store_mark_exported (SaphanStore *self, const char *instance_id, GError **error)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (instance_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return transition (self, instance_id, TRANSITION_EXPORTED, NULL, 0, NULL, error);
}

gboolean
saphan_store_mark_resolved (SaphanStore *self, const char *instance_id, const char *staff_id,
                            const char *note, GError **error)
{
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (instance_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The note is the only record of what was done outside the kiosk, so a
   * resolution without one is refused rather than stored empty. */
  trimmed = g_strstrip (g_strdup (note != NULL ? note : ""));
  if (trimmed[0] == '\0')
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("A resolution needs a note saying what was done about the submission %s."),
                   instance_id);
      return FALSE;
    }
  if (staff_id != NULL && staff_id[0] == '\0')
    staff_id = NULL;

  return transition (self, instance_id, TRANSITION_RESOLVE, trimmed, 0, staff_id, error);
}

gint64
saphan_store_recover_sending (SaphanStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gint64 now = _saphan_store_now ();
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return -1;

  stmt = _saphan_store_prepare (self, "SELECT instance_id FROM submissions WHERE state = 'sending'",
                                error);
  if (stmt == NULL)
    goto fail;
  ids = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, _saphan_store_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < ids->len; i++)
    if (!transition_locked (self, g_ptr_array_index (ids, i), &transitions[TRANSITION_RECOVER],
                            NULL, 0, NULL, now, error))
      goto fail;

  if (!_saphan_store_commit (self, error))
    return -1;
  return ids->len;

fail:
  _saphan_store_rollback (self);
  return -1;
}

/* ---- Receipts ------------------------------------------------------------- */

SaphanReceiptInfo *
saphan_store_get_receipt (SaphanStore *self, const char *number, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  SaphanReceiptInfo *info;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT number, instance_id, form_id, qr_text, issued_at, printed, "
                                "  print_count FROM receipts WHERE number = ?1",
                                error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, number, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                   _("There is no receipt %s in this kiosk. Check the number."), number);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _saphan_store_set_error (self, rc, error);
      return NULL;
    }

  info = g_new0 (SaphanReceiptInfo, 1);
  info->number = _saphan_store_column_text (stmt, 0);
  info->instance_id = _saphan_store_column_text (stmt, 1);
  info->form_id = _saphan_store_column_text (stmt, 2);
  info->qr_text = _saphan_store_column_text (stmt, 3);
  info->issued_at = sqlite3_column_int64 (stmt, 4);
  info->printed = sqlite3_column_int (stmt, 5) != 0;
  info->print_count = sqlite3_column_int (stmt, 6);
  return info;
}

gboolean
saphan_store_mark_receipt_printed (SaphanStore *self, const char *number, gboolean printed,
                                   GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *detail = NULL;
  const char *event = printed ? "receipt-printed" : "receipt-print-failed";

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;

  /* Every successful print counts, so a reprint shows on the receipt's
   * record; a failed print only clears the printed flag. */
  stmt = _saphan_store_prepare (self,
                                "UPDATE receipts SET printed = ?2, "
                                "  print_count = print_count + ?2 WHERE number = ?1",
                                error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, number, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, printed ? 1 : 0);
  if (!_saphan_store_step_done (self, stmt, error))
    goto fail;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                   _("There is no receipt %s in this kiosk. Check the number."), number);
      goto fail;
    }

  detail = g_strdup_printf ("receipt=%s", number);
  if (printed)
    {
      g_autoptr(sqlite3_stmt) count = NULL;

      /* The second and later prints are reprints, which auditors look for. */
      count = _saphan_store_prepare (self, "SELECT print_count FROM receipts WHERE number = ?1", error);
      if (count == NULL)
        goto fail;
      sqlite3_bind_text (count, 1, number, -1, SQLITE_STATIC);
      if (sqlite3_step (count) == SQLITE_ROW && sqlite3_column_int (count, 0) > 1)
        event = "receipt-reprinted";
    }
  if (!_saphan_store_audit_append_locked (self, event, detail, _saphan_store_now (), error))
    goto fail;
  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}
