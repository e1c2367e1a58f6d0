/* saphan-form-install.c: putting a checked form into the store.
 *
 * Kept apart from saphan-form.c so that programs that only fill forms do
 * not link the store.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "saphan-error.h"
#include "saphan-form-private.h"

/**
 * saphan_form_install:
 *
 * Checks XML as a form first: only a form that loads is handed to the
 * store, so a bad upload never replaces a good installed form.
 */
gboolean
saphan_form_install (SaphanStore *store, GBytes *xml, GHashTable *media, SaphanFormInfo **out_info,
                     GError **error)
{
  g_autoptr (SaphanForm) form = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (xml != NULL, FALSE);

  form = saphan_form_new_from_bytes (xml, "form.xml", media, error);
  if (form == NULL)
    return FALSE;
  if (form->id == NULL || *form->id == '\0')
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("The form has no id: its primary instance needs an “id” attribute"));
      return FALSE;
    }
  if (!saphan_store_install_form (store, form->id, form->version != NULL ? form->version : "",
                                  form->title != NULL ? form->title : form->id, xml, media, error))
    return FALSE;
  if (out_info != NULL)
    *out_info = saphan_store_get_form (store, form->id, error);
  return out_info == NULL || *out_info != NULL;
}

/**
 * saphan_form_add_media_from_dir:
 *
 * Adds to MEDIA (file name -> GBytes) the regular files of MEDIA_DIR whose
 * names the form's XML mentions (jr://images/…, jr://file-csv/…): a folder
 * shared by several forms gives each only what it uses. A missing folder
 * adds nothing.
 */
gboolean
saphan_form_add_media_from_dir (GHashTable *media, GBytes *xml, const char *media_dir,
                                GError **error)
{
  g_autoptr (GDir) dir = NULL;
  g_autofree char *text = NULL;
  const char *name;

  g_return_val_if_fail (media != NULL && xml != NULL, FALSE);

  if (media_dir == NULL || !g_file_test (media_dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  dir = g_dir_open (media_dir, 0, error);
  if (dir == NULL)
    return FALSE;
  text = g_strndup (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (media_dir, name, NULL);
      char *contents = NULL;
      gsize len = 0;

      if (strstr (text, name) == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
          g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (!g_file_get_contents (path, &contents, &len, error))
        return FALSE;
      g_hash_table_insert (media, g_strdup (name), g_bytes_new_take (contents, len));
    }
  return TRUE;
}

/**
 * saphan_form_install_file:
 *
 * Checks and installs the form at PATH with the media it names from
 * MEDIA_DIR, or from the folder "NAME-media" beside it (ODK's convention)
 * when MEDIA_DIR is NULL. Errors name the file.
 */
gboolean
saphan_form_install_file (SaphanStore *store, const char *path, const char *media_dir,
                          SaphanFormInfo **out_info, GError **error)
{
  g_autoptr (SaphanForm) form = NULL;
  g_autoptr (GHashTable) media = NULL;
  g_autofree char *guess = NULL;

  g_return_val_if_fail (store != NULL && path != NULL, FALSE);

  /* Loaded under its own file name first, so that messages name the file. */
  form = saphan_form_new_from_file (path, media_dir, error);
  if (form == NULL)
    return FALSE;
  if (media_dir == NULL)
    {
      g_autofree char *stem = g_str_has_suffix (path, ".xml") ? g_strndup (path, strlen (path) - 4)
                                                              : g_strdup (path);
      guess = g_strconcat (stem, "-media", NULL);
      media_dir = guess;
    }
  media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  if (!saphan_form_add_media_from_dir (media, saphan_form_get_xml (form), media_dir, error))
    return FALSE;
  return saphan_form_install (store, saphan_form_get_xml (form), media, out_info, error);
}
