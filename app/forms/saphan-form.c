/* saphan-form.c: SaphanForm, an XForm loaded once and shared by every fill. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libxml/parser.h>

#include "saphan-error.h"
#include "saphan-form-private.h"

G_DEFINE_FINAL_TYPE (SaphanForm, saphan_form, G_TYPE_OBJECT)

/* The parser's last error becomes the message the form author sees. */
static void
describe_xml_error (xmlParserCtxt *ctxt, GString *out)
{
  const xmlError *err = xmlCtxtGetLastError (ctxt);

  if (err == NULL || err->message == NULL)
    return;
  g_string_append_printf (out, "line %d: %s", err->line, err->message);
  while (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
}

static void
saphan_form_finalize (GObject *object)
{
  SaphanForm *self = SAPHAN_FORM (object);

  g_free (self->source_name);
  g_clear_pointer (&self->xml, g_bytes_unref);
  g_clear_pointer (&self->media, g_hash_table_unref);
  g_free (self->media_dir);
  g_free (self->id);
  g_free (self->version);
  g_free (self->title);
  g_free (self->public_key);
  g_clear_pointer (&self->namespaces, g_hash_table_unref);
  g_clear_pointer (&self->primary, saphan_node_free);
  g_clear_pointer (&self->templates, g_hash_table_unref);
  g_clear_pointer (&self->template_anchor, g_hash_table_unref);
  g_clear_pointer (&self->repeat_paths, g_hash_table_unref);
  g_clear_pointer (&self->secondary, g_hash_table_unref);
  g_clear_pointer (&self->binds, g_hash_table_unref);
  g_clear_pointer (&self->bind_list, g_ptr_array_unref);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  g_clear_pointer (&self->comps, g_ptr_array_unref);
  g_clear_pointer (&self->related_cache, g_hash_table_unref);
  g_mutex_clear (&self->related_lock);
  g_clear_pointer (&self->languages, g_ptr_array_unref);
  g_free (self->default_language);
  g_clear_pointer (&self->itext, g_hash_table_unref);
  g_clear_pointer (&self->body, _saphan_form_control_free);
  g_clear_pointer (&self->controls, g_hash_table_unref);
  /* Expressions last: texts and binds above only borrow them. */
  g_clear_pointer (&self->owned_exprs, g_ptr_array_unref);

  G_OBJECT_CLASS (saphan_form_parent_class)->finalize (object);
}

static void
saphan_form_class_init (SaphanFormClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = saphan_form_finalize;
}

static void
saphan_form_init (SaphanForm *self)
{
  self->namespaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->templates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) saphan_node_free);
  self->template_anchor = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->repeat_paths = g_hash_table_new (g_str_hash, g_str_equal);
  self->secondary = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) saphan_node_free);
  self->binds = g_hash_table_new (g_str_hash, g_str_equal);
  self->bind_list = g_ptr_array_new_with_free_func ((GDestroyNotify) _saphan_form_bind_free);
  self->actions = g_ptr_array_new_with_free_func ((GDestroyNotify) _saphan_form_action_free);
  self->related_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  g_mutex_init (&self->related_lock);
  self->languages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->languages, NULL);
  self->itext = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  self->controls = g_hash_table_new (g_str_hash, g_str_equal);
  self->owned_exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_xpath_expr_free);

  /* The prefixes ODK forms use, in case a form forgets to declare one. */
  g_hash_table_insert (self->namespaces, g_strdup ("jr"), g_strdup ("http://openrosa.org/javarosa"));
  g_hash_table_insert (self->namespaces, g_strdup ("odk"), g_strdup ("http://www.opendatakit.org/xforms"));
  g_hash_table_insert (self->namespaces, g_strdup ("orx"), g_strdup ("http://openrosa.org/xforms"));
}

/**
 * saphan_form_new_from_bytes:
 * @xml: the form's XML
 * @source_name: the name used in messages (usually the file name)
 * @media: (nullable): media files, name -> GBytes
 *
 * Loads and checks a form. Every problem is reported as
 * SAPHAN_ERROR_FORM_INVALID with a message naming the file, the node and the
 * expression.
 */
SaphanForm *
saphan_form_new_from_bytes (GBytes *xml, const char *source_name, GHashTable *media, GError **error)
{
  g_autoptr (SaphanForm) self = NULL;
  g_autoptr (GString) xml_error = g_string_new (NULL);
  xmlParserCtxt *ctxt;
  xmlDoc *doc;
  gsize len = 0;
  const char *data;
  gboolean ok;

  g_return_val_if_fail (xml != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SAPHAN_TYPE_FORM, NULL);
  self->source_name = g_strdup (source_name != NULL ? source_name : "form.xml");
  self->xml = g_bytes_ref (xml);
  if (media != NULL)
    self->media = g_hash_table_ref (media);

  data = g_bytes_get_data (xml, &len);
  if (len > SAPHAN_FORM_MAX_BYTES)
    {
      _saphan_form_set_error (self, error, _("the form is %zu bytes, more than the %d allowed"),
                              len, SAPHAN_FORM_MAX_BYTES);
      return NULL;
    }
  if (len == 0)
    {
      _saphan_form_set_error (self, error, _("the form is empty"));
      return NULL;
    }

  /* No network, no external entities, no DTD loading: a form is data. */
  ctxt = xmlNewParserCtxt ();
  doc = xmlCtxtReadMemory (ctxt, data, (int) len, self->source_name, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL || ctxt->wellFormed == 0)
    {
      describe_xml_error (ctxt, xml_error);
      _saphan_form_set_error (self, error, _("the form is not well-formed XML: %s"),
                              xml_error->len > 0 ? xml_error->str : _("unreadable"));
      if (doc != NULL)
        xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  xmlFreeParserCtxt (ctxt);

  ok = _saphan_form_parse (self, doc, error) && _saphan_form_build_graph (self, error);
  xmlFreeDoc (doc);
  if (!ok)
    return NULL;
  return g_steal_pointer (&self);
}

static GHashTable *
read_media_dir (const char *dir, GError **error)
{
  g_autoptr (GHashTable) media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_bytes_unref);
  g_autoptr (GDir) d = g_dir_open (dir, 0, error);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!g_file_get_contents (path, &contents, &len, error))
        return NULL;
      g_hash_table_insert (media, g_strdup (name), g_bytes_new_take (g_steal_pointer (&contents), len));
    }
  return g_steal_pointer (&media);
}

SaphanForm *
saphan_form_new_from_file (const char *path, const char *media_dir, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *base = NULL;
  g_autofree char *guessed = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GHashTable) media = NULL;
  g_autoptr (GError) local = NULL;
  SaphanForm *form;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND, _("Cannot read the form %s: %s"),
                   path, local->message);
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  base = g_path_get_basename (path);
  if (media_dir == NULL)
    {
      /* ODK's convention: "form.xml" keeps its files in "form-media". */
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *stem = g_str_has_suffix (base, ".xml") ? g_strndup (base, strlen (base) - 4)
                                                               : g_strdup (base);
      g_autofree char *name = g_strconcat (stem, "-media", NULL);
      guessed = g_build_filename (dir, name, NULL);
      if (g_file_test (guessed, G_FILE_TEST_IS_DIR))
        media_dir = guessed;
    }
  if (media_dir != NULL && (media = read_media_dir (media_dir, &local)) == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND, _("Cannot read the media folder %s: %s"),
                   media_dir, local->message);
      return NULL;
    }
  form = saphan_form_new_from_bytes (bytes, base, media, error);
  if (form != NULL && media_dir != NULL)
    form->media_dir = g_strdup (media_dir);
  return form;
}

const char *
saphan_form_get_id (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->id;
}

const char *
saphan_form_get_version (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->version;
}

const char *
saphan_form_get_title (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->title;
}

const char *
saphan_form_get_source_name (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->source_name;
}

const char *const *
saphan_form_get_languages (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return (const char *const *) self->languages->pdata;
}

const char *
saphan_form_get_default_language (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->default_language;
}

guint
saphan_form_get_question_count (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), 0);
  return self->question_count;
}

const SaphanFormControl *
saphan_form_get_body (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->body;
}

const SaphanFormControl *
saphan_form_get_control (SaphanForm *self, const char *ref)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return g_hash_table_lookup (self->controls, ref);
}

GBytes *
saphan_form_get_media (SaphanForm *self, const char *name)
{
  const char *slash;

  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  if (self->media == NULL || name == NULL)
    return NULL;
  /* "jr://images/a.png", "jr://audio/a.mp3" and "a.png" all name a.png. */
  slash = strrchr (name, '/');
  return g_hash_table_lookup (self->media, slash != NULL ? slash + 1 : name);
}

char *
saphan_form_get_media_path (SaphanForm *self, const char *name)
{
  const char *slash;

  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  if (self->media_dir == NULL || name == NULL || saphan_form_get_media (self, name) == NULL)
    return NULL;
  slash = strrchr (name, '/');
  return g_build_filename (self->media_dir, slash != NULL ? slash + 1 : name, NULL);
}

GBytes *
saphan_form_get_xml (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->xml;
}

FormBind *
_saphan_form_get_bind (SaphanForm *self, const char *path)
{
  return g_hash_table_lookup (self->binds, path);
}

ItextEntry *
_saphan_form_get_itext (SaphanForm *self, const char *lang, const char *id)
{
  GHashTable *texts;
  ItextEntry *entry = NULL;

  if (lang != NULL && (texts = g_hash_table_lookup (self->itext, lang)) != NULL)
    entry = g_hash_table_lookup (texts, id);
  /* A text missing in one language falls back to the default language. */
  if (entry == NULL && self->default_language != NULL &&
      (texts = g_hash_table_lookup (self->itext, self->default_language)) != NULL)
    entry = g_hash_table_lookup (texts, id);
  if (entry == NULL && self->languages->len > 1)
    {
      texts = g_hash_table_lookup (self->itext, self->languages->pdata[0]);
      if (texts != NULL)
        entry = g_hash_table_lookup (texts, id);
    }
  return entry;
}

/* The server's RSA public key (base64 SubjectPublicKeyInfo) when the form
 * asks for encrypted submissions, else NULL. */
const char *
saphan_form_get_public_key (SaphanForm *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM (self), NULL);
  return self->public_key;
}
