/* saphan-demo-forms.c: the demo services a new kiosk shows.
 *
 * TEMPORARY: to be replaced by the form engine's validating install
 * (saphan_form_install() in app/forms). Until then this reads the form id,
 * version and title straight from the XML and trusts the rest, which is
 * acceptable only because the demo forms ship with the kiosk itself.
 */
#include "config.h"

#include "saphan-demo-forms.h"
#include "saphan-error.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* Recorded once the demo services have been offered, so that a kiosk whose
 * staff deactivated every form does not get the demos back on restart. */
#define DEMO_FORMS_SETTING "ui.demo-forms-installed"

static xmlNode *
first_child_named (xmlNode *parent, const char *name)
{
  for (xmlNode *child = parent != NULL ? parent->children : NULL; child != NULL;
       child = child->next)
    if (child->type == XML_ELEMENT_NODE && g_str_equal ((const char *)child->name, name))
      return child;
  return NULL;
}

static xmlNode *
first_element (xmlNode *parent)
{
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      return child;
  return NULL;
}

/* The primary instance is the model's first <instance> without an id. */
static xmlNode *
primary_instance_root (xmlNode *model)
{
  for (xmlNode *child = model->children; child != NULL; child = child->next)
    {
      if (child->type != XML_ELEMENT_NODE || !g_str_equal ((const char *)child->name, "instance"))
        continue;
      if (xmlHasProp (child, (const xmlChar *)"id") == NULL)
        return first_element (child);
    }
  return NULL;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

static gboolean
read_form_header (const char *path, GBytes *xml, char **out_id, char **out_version,
                  char **out_title, GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (xml, &size);
  xmlDoc *doc;
  xmlNode *head, *model, *root;
  xmlChar *id = NULL, *version = NULL, *title = NULL;
  gboolean ok = FALSE;

  doc = xmlReadMemory (data, (int)size, path, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _ ("The form %s is not well-formed XML."), path);
      return FALSE;
    }

  head = first_child_named (xmlDocGetRootElement (doc), "head");
  model = first_child_named (head, "model");
  root = model != NULL ? primary_instance_root (model) : NULL;
  if (root != NULL)
    {
      id = xmlGetProp (root, (const xmlChar *)"id");
      version = xmlGetProp (root, (const xmlChar *)"version");
    }
  if (first_child_named (head, "title") != NULL)
    title = xmlNodeGetContent (first_child_named (head, "title"));

  if (id == NULL || *id == '\0' || title == NULL || *title == '\0')
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _ ("The form %s has no id or no title."), path);
    }
  else
    {
      *out_id = g_strdup ((const char *)id);
      *out_version = g_strdup (version != NULL ? (const char *)version : "");
      *out_title = g_strstrip (g_strdup ((const char *)title));
      ok = TRUE;
    }

  xmlFree (id);
  xmlFree (version);
  xmlFree (title);
  xmlFreeDoc (doc);
  return ok;
}

static gboolean
install_one (SaphanStore *store, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  g_autofree char *title = NULL;
  g_autoptr (GBytes) xml = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  xml = g_bytes_new_take (g_steal_pointer (&contents), length);

  if (!read_form_header (path, xml, &id, &version, &title, error))
    return FALSE;

  return saphan_store_install_form (store, id, version, title, xml, NULL, error);
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

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (forms_dir, g_ptr_array_index (names, i), NULL);

      if (!install_one (store, path, error))
        return FALSE;
      if (out_n_installed != NULL)
        (*out_n_installed)++;
    }

  return saphan_store_set_setting (store, DEMO_FORMS_SETTING, "1", error);
}
