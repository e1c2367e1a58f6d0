/* saphan-store-staff.c: the rows behind staff accounts and the PIN lockout.
 *
 * The store keeps what app/security decides: accounts with their encoded
 * PIN hashes, and one device-wide lockout row. Each change is written in
 * the same transaction as its audit entry, so the log never misses an
 * account that was added or a lock that was set.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <glib/gi18n-lib.h>

#include "saphan-error.h"

void
saphan_staff_record_free (SaphanStaffRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->staff_id);
  g_free (record->name);
  g_free (record->pin_hash);
  g_free (record);
}

static void
set_staff_not_found (const char *staff_id, GError **error)
{
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
               _("There is no staff account %s on this kiosk. “saphanctl staff list” shows the accounts."),
               staff_id);
}

gboolean
saphan_store_staff_insert (SaphanStore *self, const SaphanStaffRecord *record, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *detail = NULL;
  gboolean exists = FALSE;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL && record->staff_id != NULL && record->pin_hash != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;
  if (!_saphan_store_row_exists (self, "SELECT 1 FROM staff WHERE id = ?1", record->staff_id,
                                 &exists, error))
    goto fail;
  if (exists)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS,
                   _("A staff account %s already exists. Choose another id or change its PIN with “saphanctl staff passwd”."),
                   record->staff_id);
      goto fail;
    }
  stmt = _saphan_store_prepare (self,
                                "INSERT INTO staff (id, name, role, pin_hash, created_at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)",
                                error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, record->staff_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record->name != NULL ? record->name : "", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, record->role);
  sqlite3_bind_text (stmt, 4, record->pin_hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, record->created_at);
  if (!_saphan_store_step_done (self, stmt, error))
    goto fail;

  /* The name is personal data and stays out of the log; the id does not. */
  detail = g_strdup_printf ("staff=%s role=%d", record->staff_id, record->role);
  if (!_saphan_store_audit_append_locked (self, "staff-added", detail, record->created_at, error))
    goto fail;
  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}

static gboolean
change_one (SaphanStore *self, const char *sql, const char *staff_id, const char *value,
            const char *event, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *detail = NULL;

  if (!_saphan_store_begin (self, error))
    return FALSE;
  stmt = _saphan_store_prepare (self, sql, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_STATIC);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  if (!_saphan_store_step_done (self, stmt, error))
    goto fail;
  if (sqlite3_changes (self->db) == 0)
    {
      set_staff_not_found (staff_id, error);
      goto fail;
    }
  detail = g_strdup_printf ("staff=%s", staff_id);
  if (!_saphan_store_audit_append_locked (self, event, detail, _saphan_store_now (), error))
    goto fail;
  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}

gboolean
saphan_store_staff_delete (SaphanStore *self, const char *staff_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return change_one (self, "DELETE FROM staff WHERE id = ?1", staff_id, NULL, "staff-removed", error);
}

gboolean
saphan_store_staff_set_pin_hash (SaphanStore *self, const char *staff_id, const char *pin_hash,
                                 GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (staff_id != NULL && pin_hash != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return change_one (self, "UPDATE staff SET pin_hash = ?2 WHERE id = ?1", staff_id, pin_hash,
                     "staff-pin-changed", error);
}

GPtrArray *
saphan_store_staff_records (SaphanStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT id, name, role, pin_hash, created_at FROM staff ORDER BY id",
                                error);
  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_staff_record_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SaphanStaffRecord *record = g_new0 (SaphanStaffRecord, 1);

      record->staff_id = _saphan_store_column_text (stmt, 0);
      record->name = _saphan_store_column_text (stmt, 1);
      record->role = sqlite3_column_int (stmt, 2);
      record->pin_hash = _saphan_store_column_text (stmt, 3);
      record->created_at = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (list, record);
    }
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

gboolean
saphan_store_staff_get_lockout (SaphanStore *self, SaphanStaffLockout *out_lockout, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_lockout != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT failures, locks, locked_until FROM staff_lockout WHERE id = 1",
                                error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *out_lockout = (SaphanStaffLockout) { 0, 0, 0 };
  if (rc == SQLITE_ROW)
    {
      out_lockout->failures = sqlite3_column_int (stmt, 0);
      out_lockout->locks = sqlite3_column_int (stmt, 1);
      out_lockout->locked_until = sqlite3_column_int64 (stmt, 2);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;
  _saphan_store_set_error (self, rc, error);
  return FALSE;
}

gboolean
saphan_store_staff_set_lockout (SaphanStore *self, const SaphanStaffLockout *lockout,
                                const char *event, const char *detail, gint64 at, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (lockout != NULL && event != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;
  /* An upsert, so that a row removed by hand cannot switch the lock off. */
  stmt = _saphan_store_prepare (self,
                                "INSERT INTO staff_lockout (id, failures, locks, locked_until) "
                                "VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET "
                                "failures = excluded.failures, locks = excluded.locks, "
                                "locked_until = excluded.locked_until",
                                error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int (stmt, 1, lockout->failures);
  sqlite3_bind_int (stmt, 2, lockout->locks);
  sqlite3_bind_int64 (stmt, 3, lockout->locked_until);
  if (!_saphan_store_step_done (self, stmt, error) ||
      !_saphan_store_audit_append_locked (self, event, detail != NULL ? detail : "", at, error))
    goto fail;
  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}
