/* saphan-store-forms.c: installed forms and their media files.
 *
 * A form is kept by id; installing a new version replaces the old one and
 * its media in one transaction, so the kiosk never offers a form whose
 * media belong to another version. Submissions keep the version they were
 * filled with, so nothing else refers to an old version.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <glib/gi18n-lib.h>

#include "saphan-error.h"

void
saphan_form_info_free (SaphanFormInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->form_id);
  g_free (info->version);
  g_free (info->title);
  g_free (info->hash);
  g_free (info);
}

/* OpenRosa form lists give the hash as "md5:" and the hex digest. */
static char *
md5_hash (GBytes *bytes)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bytes);

  return g_strconcat ("md5:", hex, NULL);
}

static void
set_form_not_found (const char *form_id, GError **error)
{
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
               _("The form “%s” is not installed. Install it first."), form_id);
}

static gboolean
insert_media (SaphanStore *self, const char *form_id, GHashTable *media, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GHashTableIter iter;
  gpointer key, value;

  stmt = _saphan_store_prepare (self,
                                "INSERT INTO form_media (form_id, name, data, hash) "
                                "VALUES (?1, ?2, ?3, ?4)",
                                error);
  if (stmt == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, media);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      GBytes *data = value;
      g_autofree char *hash = NULL;
      gsize size = 0;
      gconstpointer bytes;

      if (name == NULL || *name == '\0' || data == NULL)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("A media file of the form “%s” has no name or no contents."), form_id);
          return FALSE;
        }
      bytes = g_bytes_get_data (data, &size);
      hash = md5_hash (data);
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
      /* A zero-length blob must still be a blob, not NULL. */
      sqlite3_bind_blob64 (stmt, 3, size > 0 ? bytes : "", size, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, hash, -1, SQLITE_STATIC);
      if (!_saphan_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
saphan_store_install_form (SaphanStore  *self,
                           const char   *form_id,
                           const char   *version,
                           const char   *title,
                           GBytes       *xml,
                           GHashTable   *media,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *detail = NULL;
  gint64 now = _saphan_store_now ();
  gconstpointer data;
  gsize size = 0;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (form_id == NULL || *form_id == '\0' || version == NULL || xml == NULL ||
      g_bytes_get_size (xml) == 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("A form needs an id, a version and its XML to be installed."));
      return FALSE;
    }

  data = g_bytes_get_data (xml, &size);
  hash = md5_hash (xml);
  detail = g_strdup_printf ("form=%s version=%s %s", form_id, version, hash);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;

  stmt = _saphan_store_prepare (self,
                                "INSERT INTO forms (id, version, title, hash, xml, installed_at, active) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1) "
                                "ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
                                "  title = excluded.title, hash = excluded.hash, xml = excluded.xml, "
                                "  installed_at = excluded.installed_at, active = 1",
                                error);
  clear = _saphan_store_prepare (self, "DELETE FROM form_media WHERE form_id = ?1", error);
  if (stmt == NULL || clear == NULL)
    goto fail;

  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, version, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, title != NULL && *title != '\0' ? title : form_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, hash, -1, SQLITE_STATIC);
  sqlite3_bind_blob64 (stmt, 5, data, size, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_text (clear, 1, form_id, -1, SQLITE_STATIC);

  /* Media of the previous version go; the new set comes in whole. */
  if (!_saphan_store_step_done (self, stmt, error) ||
      !_saphan_store_step_done (self, clear, error) ||
      (media != NULL && !insert_media (self, form_id, media, error)) ||
      !_saphan_store_audit_append_locked (self, "form-install", detail, now, error))
    goto fail;

  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}

static SaphanFormInfo *
form_info_from_row (sqlite3_stmt *stmt)
{
  SaphanFormInfo *info = g_new0 (SaphanFormInfo, 1);

  info->form_id = _saphan_store_column_text (stmt, 0);
  info->version = _saphan_store_column_text (stmt, 1);
  info->title = _saphan_store_column_text (stmt, 2);
  info->hash = _saphan_store_column_text (stmt, 3);
  info->installed_at = sqlite3_column_int64 (stmt, 4);
  info->active = sqlite3_column_int (stmt, 5) != 0;
  return info;
}

#define FORM_COLUMNS "id, version, title, hash, installed_at, active"

GPtrArray *
saphan_store_list_forms (SaphanStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) forms = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self,
                                "SELECT " FORM_COLUMNS " FROM forms WHERE active "
                                "ORDER BY title, id",
                                error);
  if (stmt == NULL)
    return NULL;

  forms = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_form_info_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (forms, form_info_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&forms);
}

SaphanFormInfo *
saphan_store_get_form (SaphanStore *self, const char *form_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (form_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self, "SELECT " FORM_COLUMNS " FROM forms WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return form_info_from_row (stmt);
  if (rc == SQLITE_DONE)
    set_form_not_found (form_id, error);
  else
    _saphan_store_set_error (self, rc, error);
  return NULL;
}

GBytes *
saphan_store_get_form_xml (SaphanStore *self, const char *form_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (form_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = _saphan_store_prepare (self, "SELECT xml FROM forms WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _saphan_store_column_bytes (stmt, 0);
  if (rc == SQLITE_DONE)
    set_form_not_found (form_id, error);
  else
    _saphan_store_set_error (self, rc, error);
  return NULL;
}

static gboolean
form_exists_locked (SaphanStore *self, const char *form_id, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = _saphan_store_prepare (self, "SELECT 1 FROM forms WHERE id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    set_form_not_found (form_id, error);
  else
    _saphan_store_set_error (self, rc, error);
  return FALSE;
}

GHashTable *
saphan_store_get_form_media (SaphanStore *self, const char *form_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) media = NULL;
  int rc;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);
  g_return_val_if_fail (form_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!form_exists_locked (self, form_id, error))
    return NULL;

  stmt = _saphan_store_prepare (self, "SELECT name, data FROM form_media WHERE form_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);

  media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (media, _saphan_store_column_text (stmt, 0),
                         _saphan_store_column_bytes (stmt, 1));
  if (rc != SQLITE_DONE)
    {
      _saphan_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&media);
}

gboolean
saphan_store_set_form_active (SaphanStore *self, const char *form_id, gboolean active, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (form_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;
  if (!form_exists_locked (self, form_id, error))
    goto fail;

  stmt = _saphan_store_prepare (self, "UPDATE forms SET active = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, active ? 1 : 0);
  detail = g_strdup_printf ("form=%s", form_id);
  if (!_saphan_store_step_done (self, stmt, error) ||
      !_saphan_store_audit_append_locked (self, active ? "form-activate" : "form-deactivate",
                                          detail, _saphan_store_now (), error))
    goto fail;
  return _saphan_store_commit (self, error);

fail:
  _saphan_store_rollback (self);
  return FALSE;
}
