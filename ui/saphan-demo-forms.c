/* saphan-demo-forms.c: the services a new kiosk shows.
 *
 * On first start a kiosk installs the service forms shipped in
 * saphan_paths_assets_dir()/forms, each checked by the form engine and
 * stored with the media it names from the shared forms/media folder.
 */
#include "config.h"

#include "saphan-demo-forms.h"
#include "saphan-error.h"
#include "saphan-form.h"

#include <glib/gi18n.h>

/* Recorded once the demo services have been offered, so that a kiosk whose
 * staff deactivated every form does not get the demos back on restart. */
#define DEMO_FORMS_SETTING "ui.demo-forms-installed"

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

gboolean
saphan_demo_forms_install_first_start (SaphanStore *store, const char *forms_dir,
                                       guint *out_n_installed, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GPtrArray) forms = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autofree char *done = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autofree char *media_dir = NULL;
  const char *name;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (forms_dir != NULL, FALSE);

  if (out_n_installed != NULL)
    *out_n_installed = 0;

  done = saphan_store_get_setting (store, DEMO_FORMS_SETTING, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (done != NULL)
    return TRUE;

  forms = saphan_store_list_forms (store, error);
  if (forms == NULL)
    return FALSE;
  if (forms->len > 0)
    return TRUE;

  dir = g_dir_open (forms_dir, 0, &local_error);
  if (dir == NULL)
    {
      /* A kiosk installed without the demo services simply starts empty. */
      g_debug ("No demo services: %s", local_error->message);
      return TRUE;
    }

  /* Sorted, so that every kiosk installs in the same order. */
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".xml"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  media_dir = g_build_filename (forms_dir, "media", NULL);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (forms_dir, g_ptr_array_index (names, i), NULL);

      if (!saphan_form_install_file (store, path, media_dir, NULL, error))
        return FALSE;
      if (out_n_installed != NULL)
        (*out_n_installed)++;
    }

  return saphan_store_set_setting (store, DEMO_FORMS_SETTING, "1", error);
}
