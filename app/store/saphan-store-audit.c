/* saphan-store-audit.c: the append-only, hash-chained audit log.
 *
 * Each entry carries the SHA-256 of the previous one, so an entry edited or
 * removed outside Saphan breaks the chain and saphan_store_audit_verify()
 * names where. Triggers in the schema refuse UPDATE and DELETE as well.
 * Entries name records (form, instance and receipt ids), never answers.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "saphan-error.h"

static const char *zero_hash =
  "0000000000000000000000000000000000000000000000000000000000000000";

/* ---- Audit log ----------------------------------------------------------- */

/* The canonical encoding: each field as "<byte length>:<bytes>", joined by
 * '|', in the order prev_hash, seq, at, event, detail; numbers in decimal.
 * Length prefixes make the encoding unambiguous whatever a detail holds. */
char *
_saphan_store_audit_hash (const char *prev_hash,
                          gint64      seq,
                          gint64      at,
                          const char *event,
                          const char *detail)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
  g_autofree char *at_text = g_strdup_printf ("%" G_GINT64_FORMAT, at);
  const char *fields[] = { prev_hash, seq_text, at_text, event, detail };

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("%s%zu:", i > 0 ? "|" : "", strlen (fields[i]));

      g_checksum_update (checksum, (const guchar *) prefix, -1);
      g_checksum_update (checksum, (const guchar *) fields[i], (gssize) strlen (fields[i]));
    }
  return g_strdup (g_checksum_get_string (checksum));
}

/* Signs the head and appends the checkpoint. A failure of the signer goes
 * to SIGN_ERROR and still returns TRUE; ERROR and FALSE mean the database
 * refused the write. Callers decide differently on the two. */
static gboolean
append_checkpoint_locked (SaphanStore *self, gint64 head_seq, const char *head_hash,
                          gint64 at, GError **sign_error, GError **error)
{
  g_autofree char *detail = NULL;

  detail = self->audit_sign (head_seq, head_hash, self->audit_sign_data, sign_error);
  if (detail == NULL)
    return TRUE;
  return _saphan_store_audit_append_locked (self, SAPHAN_AUDIT_CHECKPOINT_EVENT, detail, at, error);
}

gboolean
_saphan_store_audit_append_locked (SaphanStore *self,
                                   const char  *event,
                                   const char  *detail,
                                   gint64       at,
                                   GError     **error)
{
  g_autoptr(sqlite3_stmt) last = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autofree char *prev_hash = NULL;
  g_autofree char *hash = NULL;
  gint64 seq = 1;
  int rc;

  g_assert (!sqlite3_get_autocommit (self->db));

  last = _saphan_store_prepare (self, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", error);
  if (last == NULL)
    return FALSE;
  rc = sqlite3_step (last);
  if (rc == SQLITE_ROW)
    {
      seq = sqlite3_column_int64 (last, 0) + 1;
      prev_hash = _saphan_store_column_text (last, 1);
    }
  else if (rc == SQLITE_DONE)
    prev_hash = g_strdup (zero_hash);
  else
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }

  hash = _saphan_store_audit_hash (prev_hash, seq, at, event, detail);
  insert = _saphan_store_prepare (self,
                                  "INSERT INTO audit_log (seq, at, event, detail, prev_hash, hash) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                  error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, seq);
  sqlite3_bind_int64 (insert, 2, at);
  sqlite3_bind_text (insert, 3, event, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, detail, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, prev_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 6, hash, -1, SQLITE_STATIC);
  if (!_saphan_store_step_done (self, insert, error))
    return FALSE;

  /* Periodic checkpoints keep a signature close to the head, so that an
   * attacker who rewrites the whole chain is caught by the next one. */
  if (self->audit_sign != NULL && self->audit_interval > 0 &&
      seq % self->audit_interval == 0 && strcmp (event, SAPHAN_AUDIT_CHECKPOINT_EVENT) != 0)
    {
      g_autoptr(GError) sign_error = NULL;

      if (!append_checkpoint_locked (self, seq, hash, at, &sign_error, error))
        return FALSE;
      /* The event itself (a citizen's finalize, say) must not be lost
       * because the key could not be used; the next checkpoint covers it. */
      if (sign_error != NULL)
        g_warning ("Skipping an audit checkpoint: %s", sign_error->message);
    }
  return TRUE;
}

gboolean
saphan_store_audit_append (SaphanStore  *self,
                           const char   *event,
                           const char   *detail,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (event != NULL && *event != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;
  if (!_saphan_store_audit_append_locked (self, event, detail != NULL ? detail : "",
                                          _saphan_store_now (), error))
    {
      _saphan_store_rollback (self);
      return FALSE;
    }
  return _saphan_store_commit (self, error);
}

gboolean
saphan_store_audit_verify (SaphanStore  *self,
                           gint64       *out_n_entries,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *expected_prev = g_strdup (zero_hash);
  gint64 expected_seq = 1;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT seq, at, event, detail, prev_hash, hash "
                                "FROM audit_log ORDER BY seq",
                                error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *event = (const char *) sqlite3_column_text (stmt, 2);
      const char *detail = (const char *) sqlite3_column_text (stmt, 3);
      const char *prev_hash = (const char *) sqlite3_column_text (stmt, 4);
      const char *hash = (const char *) sqlite3_column_text (stmt, 5);
      g_autofree char *computed = NULL;

      computed = _saphan_store_audit_hash (prev_hash != NULL ? prev_hash : "", seq,
                                           sqlite3_column_int64 (stmt, 1),
                                           event != NULL ? event : "",
                                           detail != NULL ? detail : "");
      if (seq != expected_seq || g_strcmp0 (prev_hash, expected_prev) != 0 ||
          g_strcmp0 (hash, computed) != 0)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                       _("The audit log of %s is broken at entry %lld: it was changed outside Saphan. Keep the file for the investigation and report it."),
                       self->path, (long long) seq);
          return FALSE;
        }
      g_free (expected_prev);
      expected_prev = g_strdup (hash);
      expected_seq++;
    }
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  if (out_n_entries != NULL)
    *out_n_entries = expected_seq - 1;
  return TRUE;
}

/* ---- Reading and checkpoints ------------------------------------------- */

char *
saphan_audit_compute_hash (const char *prev_hash, gint64 seq, gint64 at,
                           const char *event, const char *detail)
{
  g_return_val_if_fail (prev_hash != NULL && event != NULL && detail != NULL, NULL);
  return _saphan_store_audit_hash (prev_hash, seq, at, event, detail);
}

static char *
column_text_or_empty (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return g_strdup (text != NULL ? (const char *) text : "");
}

void
saphan_audit_entry_free (SaphanAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->event);
  g_free (entry->detail);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

GPtrArray *
saphan_store_audit_list (SaphanStore *self, gint64 from_seq, guint limit, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT seq, at, event, detail, prev_hash, hash FROM audit_log "
                                "WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
                                error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_seq);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_audit_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SaphanAuditEntry *entry = g_new0 (SaphanAuditEntry, 1);

      /* Text columns are read as text even where a forger stored NULL or
       * a blob, so that verification reports them instead of crashing. */
      entry->seq = sqlite3_column_int64 (stmt, 0);
      entry->at = sqlite3_column_int64 (stmt, 1);
      entry->event = column_text_or_empty (stmt, 2);
      entry->detail = column_text_or_empty (stmt, 3);
      entry->prev_hash = column_text_or_empty (stmt, 4);
      entry->hash = column_text_or_empty (stmt, 5);
      g_ptr_array_add (list, entry);
    }
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

gboolean
saphan_store_audit_head (SaphanStore *self, gint64 *out_seq, char **out_hash, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return FALSE;
    }
  if (out_seq != NULL)
    *out_seq = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (out_hash != NULL)
    *out_hash = rc == SQLITE_ROW ? _saphan_store_column_text (stmt, 1) : NULL;
  return TRUE;
}

void
saphan_store_set_audit_signer (SaphanStore        *self,
                               guint               interval,
                               SaphanAuditSignFunc func,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (SAPHAN_IS_STORE (self));

  g_mutex_lock (&self->lock);
  old_destroy = self->audit_sign_destroy;
  old_data = self->audit_sign_data;
  self->audit_interval = interval;
  self->audit_sign = func;
  self->audit_sign_data = user_data;
  self->audit_sign_destroy = destroy;
  g_mutex_unlock (&self->lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

gboolean
saphan_store_has_audit_signer (SaphanStore *self)
{
  gboolean has;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_mutex_lock (&self->lock);
  has = self->audit_sign != NULL;
  g_mutex_unlock (&self->lock);
  return has;
}

gboolean
saphan_store_audit_checkpoint (SaphanStore *self, gint64 *out_seq, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) last = NULL;
  g_autofree char *head_hash = NULL;
  gint64 head_seq = 0;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (self->audit_sign == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("The audit log cannot be signed: the kiosk key is not loaded."));
      return FALSE;
    }
  if (!_saphan_store_begin (self, error))
    return FALSE;
  last = _saphan_store_prepare (self, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", error);
  if (last == NULL)
    goto fail;
  rc = sqlite3_step (last);
  if (rc == SQLITE_ROW)
    {
      head_seq = sqlite3_column_int64 (last, 0);
      head_hash = _saphan_store_column_text (last, 1);
    }
  else if (rc == SQLITE_DONE)
    head_hash = g_strdup (zero_hash);
  else
    {
      _saphan_store_set_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&last, sqlite3_finalize);

  {
    GError *sign_error = NULL;

    if (!append_checkpoint_locked (self, head_seq, head_hash, _saphan_store_now (), &sign_error, error))
      goto fail;
    if (sign_error != NULL)
      {
        g_propagate_error (error, sign_error);
        goto fail;
      }
  }
  if (!_saphan_store_commit (self, error))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = head_seq + 1;
  return TRUE;

fail:
  _saphan_store_rollback (self);
  return FALSE;
}
