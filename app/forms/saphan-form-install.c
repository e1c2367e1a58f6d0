/* saphan-form-install.c: putting a checked form into the store.
 *
 * Kept apart from saphan-form.c so that programs that only fill forms do
 * not link the store.
 */
#include "config.h"

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
