/* saphan-form-parse.c: reading an XForm document into a SaphanForm.
 *
 * The loader refuses anything it cannot run faithfully: a bind to a node the
 * instance does not have, an expression that does not compile, an event
 * nobody raises. Every message names the form's file, the node and the
 * expression, so the form author can find the problem without the kiosk.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <libxml/parser.h>

#include "saphan-error.h"
#include "saphan-form-private.h"
#include "saphan-submission-crypto.h"

typedef struct
{
  SaphanForm *form;
  guint       n_nodes;
  GHashTable *paths;          /* every generic path of the primary instance and templates */
  GPtrArray  *marked_templates; /* of SaphanNode * with jr:template */
} ParseState;

static const char *const known_events[] = {
  "odk-instance-first-load", "odk-instance-load", "odk-new-repeat",
  "xforms-value-changed", "xforms-ready", NULL,
};

static gboolean
is_named (xmlNode *node, const char *local)
{
  return node != NULL && node->type == XML_ELEMENT_NODE && strcmp ((const char *) node->name, local) == 0;
}

/* Attributes are matched by local name: forms in the wild disagree on which
 * prefix (jr:, odk:, none) some attributes carry. */
static char *
get_attr (xmlNode *node, const char *local)
{
  for (xmlAttr *a = node->properties; a != NULL; a = a->next)
    if (strcmp ((const char *) a->name, local) == 0)
      {
        xmlChar *v = xmlNodeListGetString (node->doc, a->children, 1);
        char *copy = g_strdup (v != NULL ? (const char *) v : "");
        xmlFree (v);
        return copy;
      }
  return NULL;
}

static char *
element_text (xmlNode *node)
{
  xmlChar *v = xmlNodeGetContent (node);
  char *copy = g_strdup (v != NULL ? (const char *) v : "");
  xmlFree (v);
  return copy;
}

void
_saphan_form_set_error (SaphanForm *self, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID, "%s: %s",
               self->source_name != NULL ? self->source_name : "form", text);
}

SaphanFormType
_saphan_form_type_from_name (const char *name)
{
  static const struct { const char *name; SaphanFormType type; } types[] = {
    { "int", SAPHAN_FORM_TYPE_INT }, { "integer", SAPHAN_FORM_TYPE_INT },
    { "decimal", SAPHAN_FORM_TYPE_DECIMAL }, { "double", SAPHAN_FORM_TYPE_DECIMAL },
    { "date", SAPHAN_FORM_TYPE_DATE }, { "time", SAPHAN_FORM_TYPE_TIME },
    { "dateTime", SAPHAN_FORM_TYPE_DATETIME }, { "boolean", SAPHAN_FORM_TYPE_BOOLEAN },
    { "select1", SAPHAN_FORM_TYPE_SELECT1 }, { "select", SAPHAN_FORM_TYPE_SELECT },
    { "geopoint", SAPHAN_FORM_TYPE_GEOPOINT }, { "geotrace", SAPHAN_FORM_TYPE_GEOTRACE },
    { "geoshape", SAPHAN_FORM_TYPE_GEOSHAPE }, { "binary", SAPHAN_FORM_TYPE_BINARY },
    { "barcode", SAPHAN_FORM_TYPE_BARCODE },
  };
  const char *colon;

  if (name == NULL)
    return SAPHAN_FORM_TYPE_STRING;
  colon = strchr (name, ':');
  if (colon != NULL)
    name = colon + 1;
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (strcmp (types[i].name, name) == 0)
      return types[i].type;
  return SAPHAN_FORM_TYPE_STRING;
}

/* Paths in binds and the body are simple location paths; predicates do not
 * occur in them, so plain string work is enough to make them absolute. */
char *
_saphan_form_resolve_path (const char *base, const char *ref)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) steps = g_ptr_array_new ();
  g_auto (GStrv) base_parts = NULL;
  GString *out;
  g_autofree char *trimmed = g_strstrip (g_strdup (ref));

  /* "current()/name" in a body ref means the same as "./name". */
  if (g_str_has_prefix (trimmed, "current()"))
    trimmed[0] = '.', memmove (trimmed + 1, trimmed + strlen ("current()"), strlen (trimmed + strlen ("current()")) + 1);

  if (trimmed[0] != '/' && base != NULL)
    {
      base_parts = g_strsplit (base, "/", -1);
      for (char **p = base_parts; *p != NULL; p++)
        if (**p != '\0')
          g_ptr_array_add (steps, *p);
    }
  parts = g_strsplit (trimmed, "/", -1);
  for (char **p = parts; *p != NULL; p++)
    {
      g_strstrip (*p);
      if (**p == '\0' || strcmp (*p, ".") == 0)
        continue;
      if (strcmp (*p, "..") == 0)
        {
          if (steps->len > 0)
            g_ptr_array_remove_index (steps, steps->len - 1);
          continue;
        }
      /* Generic paths use local names, whatever prefix the form wrote. */
      g_ptr_array_add (steps, strchr (*p, ':') != NULL ? strchr (*p, ':') + 1 : *p);
    }
  out = g_string_new (NULL);
  for (guint i = 0; i < steps->len; i++)
    {
      g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (steps, i));
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

static SaphanXPathExpr *
compile (ParseState *st, const char *text, const char *what, const char *node_path, GError **error)
{
  g_autoptr (GError) local = NULL;
  SaphanXPathExpr *expr = saphan_xpath_compile (text, st->form->namespaces, &local);

  if (expr == NULL)
    {
      _saphan_form_set_error (st->form, error, _("%s of “%s”: the expression “%s” is not valid: %s"),
                              what, node_path != NULL ? node_path : "/", text, local->message);
      return NULL;
    }
  g_ptr_array_add (st->form->owned_exprs, expr);
  return expr;
}

/* ---- Instances ---------------------------------------------------------- */

static gboolean
convert_element (ParseState *st, xmlNode *xml, SaphanNode *parent, GError **error)
{
  SaphanNode *node;
  gboolean has_children = FALSE;

  if (++st->n_nodes > SAPHAN_FORM_MAX_NODES)
    {
      _saphan_form_set_error (st->form, error,
                              _("the form has more than %d instance nodes; split it into smaller forms"),
                              SAPHAN_FORM_MAX_NODES);
      return FALSE;
    }
  node = saphan_node_new_element (xml->ns != NULL ? (const char *) xml->ns->prefix : NULL,
                                  (const char *) xml->name,
                                  xml->ns != NULL ? (const char *) xml->ns->href : NULL);
  saphan_node_append (parent, node);

  for (xmlAttr *a = xml->properties; a != NULL; a = a->next)
    {
      xmlChar *v = xmlNodeListGetString (xml->doc, a->children, 1);
      if (strcmp ((const char *) a->name, "template") == 0 && a->ns != NULL)
        {
          if (st->marked_templates != NULL)
            g_ptr_array_add (st->marked_templates, node);
        }
      else
        saphan_node_set_attr (node, a->ns != NULL ? (const char *) a->ns->prefix : NULL,
                              (const char *) a->name, a->ns != NULL ? (const char *) a->ns->href : NULL,
                              (const char *) v);
      xmlFree (v);
    }

  for (xmlNode *c = xml->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      {
        has_children = TRUE;
        if (!convert_element (st, c, node, error))
          return FALSE;
      }
  if (!has_children)
    {
      g_autofree char *text = element_text (xml);
      saphan_node_set_value (node, text);
    }
  return TRUE;
}

static SaphanNode *
convert_document (ParseState *st, xmlNode *root, GError **error)
{
  g_autoptr (SaphanNode) doc = saphan_node_new_document ();

  if (!convert_element (st, root, doc, error))
    return NULL;
  return g_steal_pointer (&doc);
}

static void
collect_paths (SaphanNode *node, GHashTable *paths)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    {
      g_hash_table_add (paths, saphan_node_generic_path (c));
      collect_paths (c, paths);
    }
}

/* CSV files become <root><item><col>…</col></item></root>, the header row
 * naming the elements, as ODK does for jr://file-csv. */
static SaphanNode *
csv_to_instance (const char *text, gsize len)
{
  SaphanNode *doc = saphan_node_new_document ();
  SaphanNode *root = saphan_node_new_element (NULL, "root", NULL);
  g_autoptr (GPtrArray) header = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) row = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) field = g_string_new (NULL);
  gboolean quoted = FALSE, first_row = TRUE;
  gsize i = 0;

  saphan_node_append (doc, root);
  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  for (; i <= len; i++)
    {
      char c = i < len ? text[i] : '\n';

      if (quoted)
        {
          if (c == '"' && i + 1 < len && text[i + 1] == '"')
            g_string_append_c (field, text[++i]);
          else if (c == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, c);
          continue;
        }
      if (c == '"')
        quoted = TRUE;
      else if (c == ',')
        g_ptr_array_add (row, g_strdup (field->str)), g_string_truncate (field, 0);
      else if (c == '\r')
        continue;
      else if (c == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          if (!(row->len == 1 && *(char *) row->pdata[0] == '\0'))
            {
              if (first_row)
                {
                  for (guint k = 0; k < row->len; k++)
                    g_ptr_array_add (header, g_strstrip (g_strdup (row->pdata[k])));
                  first_row = FALSE;
                }
              else
                {
                  SaphanNode *item = saphan_node_new_element (NULL, "item", NULL);
                  saphan_node_append (root, item);
                  for (guint k = 0; k < header->len; k++)
                    {
                      SaphanNode *col;
                      if (*(char *) header->pdata[k] == '\0')
                        continue;
                      col = saphan_node_new_element (NULL, header->pdata[k], NULL);
                      saphan_node_set_value (col, k < row->len ? row->pdata[k] : "");
                      saphan_node_append (item, col);
                    }
                }
            }
          g_ptr_array_set_size (row, 0);
        }
      else
        g_string_append_c (field, c);
    }
  return doc;
}

static gboolean
load_secondary (ParseState *st, xmlNode *instance, const char *id, GError **error)
{
  SaphanForm *self = st->form;
  g_autofree char *src = get_attr (instance, "src");
  SaphanNode *doc = NULL;

  if (g_hash_table_contains (self->secondary, id))
    {
      _saphan_form_set_error (self, error, _("two instances have the id “%s”"), id);
      return FALSE;
    }
  if (src != NULL && g_str_has_prefix (src, "jr://instance/last-saved"))
    {
      /* The answers of the previous citizen are never offered to the next
       * one: on a shared kiosk "last-saved" is always empty. */
      doc = saphan_node_new_document ();
    }
  else if (src != NULL && *src != '\0')
    {
      const char *name = strrchr (src, '/') != NULL ? strrchr (src, '/') + 1 : src;
      GBytes *bytes = self->media != NULL ? g_hash_table_lookup (self->media, name) : NULL;
      gsize len = 0;
      const char *data;

      if (bytes == NULL)
        {
          _saphan_form_set_error (self, error,
                                  _("instance “%s” needs the media file “%s”, which is missing; "
                                    "put it in the form’s media folder"), id, name);
          return FALSE;
        }
      data = g_bytes_get_data (bytes, &len);
      if (g_str_has_prefix (src, "jr://file-csv/") || g_str_has_suffix (name, ".csv"))
        doc = csv_to_instance (data != NULL ? data : "", len);
      else
        {
          xmlDoc *ext = xmlReadMemory (data != NULL ? data : "", (int) len, name, NULL,
                                       XML_PARSE_NONET | XML_PARSE_NOBLANKS);
          xmlNode *root = ext != NULL ? xmlDocGetRootElement (ext) : NULL;

          if (root == NULL)
            {
              if (ext != NULL)
                xmlFreeDoc (ext);
              _saphan_form_set_error (self, error, _("media file “%s” of instance “%s” is not well-formed XML"),
                                      name, id);
              return FALSE;
            }
          doc = convert_document (st, root, error);
          xmlFreeDoc (ext);
          if (doc == NULL)
            return FALSE;
        }
    }
  else
    {
      xmlNode *root = NULL;
      for (xmlNode *c = instance->children; c != NULL && root == NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
          root = c;
      if (root == NULL)
        doc = saphan_node_new_document ();
      else if ((doc = convert_document (st, root, error)) == NULL)
        return FALSE;
    }
  g_hash_table_insert (self->secondary, g_strdup (id), doc);
  return TRUE;
}

/* ---- Texts -------------------------------------------------------------- */

static void
text_part_free (SaphanFormTextPart *part)
{
  g_free (part->literal);
  g_free (part);
}

void
_saphan_form_text_free (SaphanFormText *text)
{
  if (text == NULL)
    return;
  g_free (text->itext_id);
  g_clear_pointer (&text->parts, g_ptr_array_unref);
  g_free (text);
}

void
_saphan_form_itext_entry_free (ItextEntry *entry)
{
  g_clear_pointer (&entry->parts, g_ptr_array_unref);
  g_free (entry->image);
  g_free (entry->audio);
  g_free (entry->video);
  g_free (entry);
}

/* "jr:itext('id')" or "jr:itext(\"id\")" gives "id"; anything else NULL. */
static char *
itext_id_of (const char *ref)
{
  const char *open, *close;
  g_autofree char *inner = NULL;

  if (ref == NULL || !g_str_has_prefix (g_strchug ((char *) ref), "jr:itext("))
    return NULL;
  open = strchr (ref, '(');
  close = strrchr (ref, ')');
  if (close == NULL || close < open)
    return NULL;
  inner = g_strstrip (g_strndup (open + 1, close - open - 1));
  if (*inner == '\'' || *inner == '"')
    {
      gsize n = strlen (inner);
      if (n >= 2 && inner[n - 1] == inner[0])
        return g_strndup (inner + 1, n - 2);
    }
  return NULL;
}

static gboolean
parse_parts (ParseState *st, xmlNode *node, const char *context, GPtrArray *parts, GError **error)
{
  for (xmlNode *c = node->children; c != NULL; c = c->next)
    {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
        {
          SaphanFormTextPart *part = g_new0 (SaphanFormTextPart, 1);
          part->literal = g_strdup ((const char *) c->content);
          g_ptr_array_add (parts, part);
        }
      else if (is_named (c, "output"))
        {
          g_autofree char *value = get_attr (c, "value");
          SaphanFormTextPart *part;

          if (value == NULL)
            value = get_attr (c, "ref");
          if (value == NULL)
            continue;
          part = g_new0 (SaphanFormTextPart, 1);
          part->expr = compile (st, value, _("an output"), context, error);
          g_ptr_array_add (parts, part);
          if (part->expr == NULL)
            return FALSE;
        }
      else if (c->type == XML_ELEMENT_NODE)
        {
          if (!parse_parts (st, c, context, parts, error))
            return FALSE;
        }
    }
  return TRUE;
}

static SaphanFormText *
parse_text (ParseState *st, xmlNode *node, const char *context, GError **error)
{
  SaphanFormText *text = g_new0 (SaphanFormText, 1);
  g_autofree char *ref = get_attr (node, "ref");

  if (ref != NULL && (text->itext_id = itext_id_of (ref)) != NULL)
    return text;
  text->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) text_part_free);
  if (ref != NULL)
    {
      /* A label whose ref is an expression: shown as an output. */
      SaphanFormTextPart *part = g_new0 (SaphanFormTextPart, 1);
      g_ptr_array_add (text->parts, part);
      if ((part->expr = compile (st, ref, _("a label"), context, error)) == NULL)
        return (_saphan_form_text_free (text), NULL);
      return text;
    }
  if (!parse_parts (st, node, context, text->parts, error))
    return (_saphan_form_text_free (text), NULL);
  return text;
}

static SaphanFormText *
message_text (const char *attr)
{
  SaphanFormText *text;
  SaphanFormTextPart *part;

  if (attr == NULL)
    return NULL;
  text = g_new0 (SaphanFormText, 1);
  if ((text->itext_id = itext_id_of (attr)) != NULL)
    return text;
  text->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) text_part_free);
  part = g_new0 (SaphanFormTextPart, 1);
  part->literal = g_strdup (attr);
  g_ptr_array_add (text->parts, part);
  return text;
}

static gboolean
parse_itext (ParseState *st, xmlNode *itext, GError **error)
{
  SaphanForm *self = st->form;

  for (xmlNode *tr = itext->children; tr != NULL; tr = tr->next)
    {
      g_autofree char *lang = NULL;
      g_autofree char *is_default = NULL;
      GHashTable *texts;

      if (!is_named (tr, "translation"))
        continue;
      lang = get_attr (tr, "lang");
      if (lang == NULL)
        lang = g_strdup ("default");
      is_default = get_attr (tr, "default");
      texts = g_hash_table_lookup (self->itext, lang);
      if (texts == NULL)
        {
          texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) _saphan_form_itext_entry_free);
          g_hash_table_insert (self->itext, g_strdup (lang), texts);
          g_ptr_array_insert (self->languages, self->languages->len - 1, g_strdup (lang));
        }
      if (is_default != NULL && self->default_language == NULL)
        self->default_language = g_strdup (lang);

      for (xmlNode *t = tr->children; t != NULL; t = t->next)
        {
          g_autofree char *id = NULL;
          ItextEntry *entry;

          if (!is_named (t, "text") || (id = get_attr (t, "id")) == NULL)
            continue;
          entry = g_new0 (ItextEntry, 1);
          for (xmlNode *v = t->children; v != NULL; v = v->next)
            {
              g_autofree char *form = NULL;

              if (!is_named (v, "value"))
                continue;
              form = get_attr (v, "form");
              if (form == NULL || strcmp (form, "long") == 0 || strcmp (form, "short") == 0)
                {
                  /* The plain form wins over long and short. */
                  if (entry->parts != NULL && form != NULL)
                    continue;
                  g_clear_pointer (&entry->parts, g_ptr_array_unref);
                  entry->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) text_part_free);
                  if (!parse_parts (st, v, id, entry->parts, error))
                    {
                      _saphan_form_itext_entry_free (entry);
                      return FALSE;
                    }
                }
              else if (strcmp (form, "image") == 0)
                g_free (entry->image), entry->image = g_strstrip (element_text (v));
              else if (strcmp (form, "audio") == 0)
                g_free (entry->audio), entry->audio = g_strstrip (element_text (v));
              else if (strcmp (form, "video") == 0)
                g_free (entry->video), entry->video = g_strstrip (element_text (v));
            }
          g_hash_table_replace (texts, g_steal_pointer (&id), entry);
        }
    }
  return TRUE;
}

/* ---- Binds and actions --------------------------------------------------- */

void
_saphan_form_bind_free (FormBind *bind)
{
  g_free (bind->path);
  g_free (bind->id);
  g_free (bind->type_name);
  _saphan_form_text_free (bind->constraint_msg);
  _saphan_form_text_free (bind->required_msg);
  g_free (bind->preload);
  g_free (bind->preload_params);
  g_free (bind);
}

void
_saphan_form_action_free (FormAction *action)
{
  g_free (action->ref);
  g_free (action->literal);
  g_free (action->source);
  g_free (action);
}

static gboolean
parse_bind (ParseState *st, xmlNode *node, GError **error)
{
  static const struct { const char *attr; CompKind kind; const char *what; } exprs[] = {
    { "calculate", COMP_CALCULATE, N_("the calculation") },
    { "relevant", COMP_RELEVANT, N_("the relevance condition") },
    { "readonly", COMP_READONLY, N_("the read-only condition") },
    { "required", COMP_REQUIRED, N_("the required condition") },
    { "constraint", COMP_CONSTRAINT, N_("the constraint") },
  };
  SaphanForm *self = st->form;
  g_autofree char *nodeset = get_attr (node, "nodeset");
  g_autofree char *msg = NULL;
  FormBind *bind;

  if (nodeset == NULL)
    nodeset = get_attr (node, "ref");
  if (nodeset == NULL)
    {
      _saphan_form_set_error (self, error, _("a bind has no nodeset (line %ld)"), xmlGetLineNo (node));
      return FALSE;
    }
  bind = g_new0 (FormBind, 1);
  g_ptr_array_add (self->bind_list, bind);
  bind->path = _saphan_form_resolve_path (NULL, nodeset);
  if (!g_hash_table_contains (st->paths, bind->path))
    {
      _saphan_form_set_error (self, error, _("a bind refers to “%s”, which is not in the instance"),
                              nodeset);
      return FALSE;
    }
  bind->id = get_attr (node, "id");
  bind->type_name = get_attr (node, "type");
  bind->type = _saphan_form_type_from_name (bind->type_name);
  for (gsize i = 0; i < G_N_ELEMENTS (exprs); i++)
    {
      g_autofree char *text = get_attr (node, exprs[i].attr);
      if (text == NULL || *g_strstrip (text) == '\0')
        continue;
      bind->exprs[exprs[i].kind] = compile (st, text, _(exprs[i].what), bind->path, error);
      if (bind->exprs[exprs[i].kind] == NULL)
        return FALSE;
    }
  msg = get_attr (node, "constraintMsg");
  bind->constraint_msg = message_text (msg);
  g_clear_pointer (&msg, g_free);
  msg = get_attr (node, "requiredMsg");
  bind->required_msg = message_text (msg);
  bind->preload = get_attr (node, "preload");
  bind->preload_params = get_attr (node, "preloadParams");

  /* Several binds on one node add up; a later attribute wins. */
  {
    FormBind *prev = g_hash_table_lookup (self->binds, bind->path);
    if (prev != NULL)
      {
        for (int k = 0; k < COMP_N_KINDS; k++)
          if (bind->exprs[k] == NULL)
            bind->exprs[k] = prev->exprs[k];
        if (bind->type_name == NULL && prev->type_name != NULL)
          {
            bind->type_name = g_strdup (prev->type_name);
            bind->type = prev->type;
          }
      }
    g_hash_table_insert (self->binds, bind->path, bind);
  }
  return TRUE;
}

static gboolean
parse_action (ParseState *st, xmlNode *node, const char *context, const char *source, GError **error)
{
  SaphanForm *self = st->form;
  g_autofree char *event = get_attr (node, "event");
  g_autofree char *ref = get_attr (node, "ref");
  g_autofree char *value = get_attr (node, "value");
  g_auto (GStrv) events = NULL;
  FormAction *action;

  if (ref == NULL)
    {
      g_autofree char *bind_id = get_attr (node, "bind");
      for (guint i = 0; bind_id != NULL && i < self->bind_list->len; i++)
        {
          FormBind *b = self->bind_list->pdata[i];
          if (g_strcmp0 (b->id, bind_id) == 0)
            ref = g_strdup (b->path);
        }
    }
  if (event == NULL || ref == NULL)
    {
      _saphan_form_set_error (self, error, _("an action “%s” needs both an event and a ref (line %ld)"),
                              (const char *) node->name, xmlGetLineNo (node));
      return FALSE;
    }
  action = g_new0 (FormAction, 1);
  g_ptr_array_add (self->actions, action);
  action->geopoint = strcmp ((const char *) node->name, "setgeopoint") == 0;
  action->ref = _saphan_form_resolve_path (context, ref);
  action->source = g_strdup (source);
  events = g_strsplit_set (event, " \t\n", -1);
  for (char **e = events; *e != NULL; e++)
    {
      if (**e == '\0')
        continue;
      if (!g_strv_contains (known_events, *e))
        {
          _saphan_form_set_error (self, error, _("the action on “%s” listens to the unknown event “%s”"),
                                  action->ref, *e);
          return FALSE;
        }
      /* A new fill is loaded for the first time: both load events fire. */
      if (strcmp (*e, "odk-instance-first-load") == 0 || strcmp (*e, "odk-instance-load") == 0 ||
          strcmp (*e, "xforms-ready") == 0)
        action->events |= ACTION_FIRST_LOAD;
      else if (strcmp (*e, "odk-new-repeat") == 0)
        action->events |= ACTION_NEW_REPEAT;
      else if (strcmp (*e, "xforms-value-changed") == 0)
        action->events |= ACTION_VALUE_CHANGED;
    }
  if (!g_hash_table_contains (st->paths, action->ref))
    {
      _saphan_form_set_error (self, error, _("an action sets “%s”, which is not in the instance"), ref);
      return FALSE;
    }
  if (value != NULL)
    {
      action->value = compile (st, value, _("the action value"), action->ref, error);
      if (action->value == NULL)
        return FALSE;
    }
  else if (!action->geopoint)
    action->literal = element_text (node);
  return TRUE;
}

/* ---- Body --------------------------------------------------------------- */

void
_saphan_form_control_free (SaphanFormControl *control)
{
  if (control == NULL)
    return;
  g_free (control->ref);
  g_free (control->appearance);
  g_free (control->mediatype);
  _saphan_form_text_free (control->label);
  _saphan_form_text_free (control->hint);
  g_clear_pointer (&control->items, g_ptr_array_unref);
  g_clear_pointer (&control->children, g_ptr_array_unref);
  g_free (control);
}

static void
item_free (SaphanFormItem *item)
{
  g_free (item->value);
  _saphan_form_text_free (item->label);
  g_free (item);
}

static gboolean
parse_number (const char *text, double *out)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  errno = 0;
  *out = g_ascii_strtod (text, &end);
  while (end != NULL && g_ascii_isspace (*end))
    end++;
  return errno == 0 && end != NULL && *end == '\0';
}

static gboolean
truthy (const char *text)
{
  return text != NULL && (strcmp (text, "true()") == 0 || strcmp (text, "true") == 0);
}

static gboolean parse_body_children (ParseState *st, xmlNode *xml, SaphanFormControl *parent,
                                     const char *context, GError **error);

static gboolean
parse_select_parts (ParseState *st, xmlNode *xml, SaphanFormControl *control, GError **error)
{
  for (xmlNode *c = xml->children; c != NULL; c = c->next)
    {
      if (is_named (c, "item"))
        {
          SaphanFormItem *item = g_new0 (SaphanFormItem, 1);

          if (control->items == NULL)
            control->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
          g_ptr_array_add (control->items, item);
          for (xmlNode *p = c->children; p != NULL; p = p->next)
            {
              if (is_named (p, "value"))
                {
                  g_free (item->value);
                  item->value = g_strstrip (element_text (p));
                }
              else if (is_named (p, "label"))
                {
                  _saphan_form_text_free (item->label);
                  if ((item->label = parse_text (st, p, control->ref, error)) == NULL)
                    return FALSE;
                }
            }
          if (item->value == NULL)
            item->value = g_strdup ("");
        }
      else if (is_named (c, "itemset"))
        {
          g_autofree char *nodeset = get_attr (c, "nodeset");

          if (nodeset == NULL)
            {
              _saphan_form_set_error (st->form, error, _("the itemset of “%s” has no nodeset"), control->ref);
              return FALSE;
            }
          if ((control->itemset = compile (st, nodeset, _("the itemset"), control->ref, error)) == NULL)
            return FALSE;
          for (xmlNode *p = c->children; p != NULL; p = p->next)
            {
              g_autofree char *ref = NULL;

              if (!is_named (p, "value") && !is_named (p, "label"))
                continue;
              ref = get_attr (p, "ref");
              if (ref == NULL)
                continue;
              if (is_named (p, "value"))
                control->itemset_value = compile (st, ref, _("the itemset value"), control->ref, error);
              else
                control->itemset_label = compile (st, ref, _("the itemset label"), control->ref, error);
              if ((is_named (p, "value") ? control->itemset_value : control->itemset_label) == NULL)
                return FALSE;
              if (is_named (p, "label") && g_str_has_prefix (g_strchug (ref), "jr:itext(") &&
                  strrchr (ref, ')') != NULL)
                {
                  /* The id expression alone, to find the item's media too. */
                  g_autofree char *inner = g_strndup (ref + strlen ("jr:itext("),
                                                      strrchr (ref, ')') - ref - strlen ("jr:itext("));
                  control->itemset_label_is_itext = TRUE;
                  control->itemset_label_id = compile (st, inner, _("the itemset label"), control->ref, error);
                  if (control->itemset_label_id == NULL)
                    return FALSE;
                }
            }
          if (control->itemset_value == NULL)
            {
              _saphan_form_set_error (st->form, error, _("the itemset of “%s” has no value ref"), control->ref);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
parse_control (ParseState *st, xmlNode *xml, SaphanFormControl *parent, const char *context,
               GError **error)
{
  static const struct { const char *name; SaphanFormControlKind kind; } kinds[] = {
    { "input", SAPHAN_FORM_CONTROL_INPUT }, { "select1", SAPHAN_FORM_CONTROL_SELECT1 },
    { "select", SAPHAN_FORM_CONTROL_SELECT }, { "trigger", SAPHAN_FORM_CONTROL_TRIGGER },
    { "range", SAPHAN_FORM_CONTROL_RANGE }, { "upload", SAPHAN_FORM_CONTROL_UPLOAD },
    { "rank", SAPHAN_FORM_CONTROL_RANK }, { "group", SAPHAN_FORM_CONTROL_GROUP },
    { "repeat", SAPHAN_FORM_CONTROL_REPEAT },
  };
  SaphanForm *self = st->form;
  SaphanFormControl *control;
  g_autofree char *ref = NULL;
  g_autofree char *bind_id = NULL;
  const char *name = (const char *) xml->name;
  gsize k;

  if (strcmp (name, "setvalue") == 0 || strcmp (name, "setgeopoint") == 0)
    {
      /* An action in the body listens to its parent control. */
      return parse_action (st, xml, context, parent->ref, error);
    }
  for (k = 0; k < G_N_ELEMENTS (kinds); k++)
    if (strcmp (kinds[k].name, name) == 0)
      break;
  if (k == G_N_ELEMENTS (kinds))
    return TRUE; /* label, hint and unknown presentation elements */

  control = g_new0 (SaphanFormControl, 1);
  control->kind = kinds[k].kind;
  control->parent = parent;
  control->children = g_ptr_array_new_with_free_func ((GDestroyNotify) _saphan_form_control_free);
  g_ptr_array_add (parent->children, control);

  ref = get_attr (xml, control->kind == SAPHAN_FORM_CONTROL_REPEAT ? "nodeset" : "ref");
  if (ref == NULL && (bind_id = get_attr (xml, "bind")) != NULL)
    for (guint i = 0; i < self->bind_list->len; i++)
      {
        FormBind *b = self->bind_list->pdata[i];
        if (g_strcmp0 (b->id, bind_id) == 0)
          ref = g_strdup (b->path);
      }
  if (ref != NULL)
    {
      control->ref = _saphan_form_resolve_path (context, ref);
      if (!g_hash_table_contains (st->paths, control->ref))
        {
          _saphan_form_set_error (self, error, _("the %s control refers to “%s”, which is not in the instance"),
                                  name, ref);
          return FALSE;
        }
      g_hash_table_insert (self->controls, control->ref, control);
    }
  else if (control->kind != SAPHAN_FORM_CONTROL_GROUP)
    {
      _saphan_form_set_error (self, error, _("a %s control has no ref (line %ld)"), name, xmlGetLineNo (xml));
      return FALSE;
    }
  control->appearance = get_attr (xml, "appearance");
  control->mediatype = get_attr (xml, "mediatype");
  control->field_list = control->appearance != NULL && strstr (control->appearance, "field-list") != NULL;
  if (control->ref != NULL)
    {
      FormBind *bind = g_hash_table_lookup (self->binds, control->ref);
      control->bind_type = bind != NULL ? bind->type : SAPHAN_FORM_TYPE_STRING;
      if (control->kind == SAPHAN_FORM_CONTROL_INPUT && bind != NULL &&
          bind->exprs[COMP_READONLY] != NULL &&
          strcmp (saphan_xpath_expr_get_text (bind->exprs[COMP_READONLY]), "true()") == 0)
        control->kind = SAPHAN_FORM_CONTROL_NOTE;
    }

  for (xmlNode *c = xml->children; c != NULL; c = c->next)
    {
      SaphanFormText **slot = is_named (c, "label") ? &control->label : is_named (c, "hint") ? &control->hint : NULL;
      if (slot == NULL)
        continue;
      _saphan_form_text_free (*slot);
      if ((*slot = parse_text (st, c, control->ref != NULL ? control->ref : context, error)) == NULL)
        return FALSE;
    }

  switch (control->kind)
    {
    case SAPHAN_FORM_CONTROL_SELECT1:
    case SAPHAN_FORM_CONTROL_SELECT:
    case SAPHAN_FORM_CONTROL_RANK:
      if (!parse_select_parts (st, xml, control, error))
        return FALSE;
      break;
    case SAPHAN_FORM_CONTROL_RANGE:
      {
        g_autofree char *start = get_attr (xml, "start");
        g_autofree char *end = get_attr (xml, "end");
        g_autofree char *step = get_attr (xml, "step");

        control->range_start = 0, control->range_end = 10, control->range_step = 1;
        if ((start != NULL && !parse_number (start, &control->range_start)) ||
            (end != NULL && !parse_number (end, &control->range_end)) ||
            (step != NULL && (!parse_number (step, &control->range_step) || control->range_step <= 0)))
          {
            _saphan_form_set_error (self, error,
                                    _("the range “%s” is malformed: start “%s”, end “%s” and step “%s” "
                                      "must be numbers with a positive step"),
                                    control->ref, start != NULL ? start : "", end != NULL ? end : "",
                                    step != NULL ? step : "");
            return FALSE;
          }
      }
      break;
    case SAPHAN_FORM_CONTROL_REPEAT:
      {
        g_autofree char *count = get_attr (xml, "count");
        g_autofree char *no_add_remove = get_attr (xml, "noAddRemove");

        g_hash_table_insert (self->repeat_paths, control->ref, control);
        control->no_add_remove = truthy (no_add_remove);
        if (count != NULL && *count != '\0' &&
            (control->count = compile (st, count, _("the repeat count"), control->ref, error)) == NULL)
          return FALSE;
      }
      break;
    default:
      break;
    }

  if (control->kind == SAPHAN_FORM_CONTROL_GROUP || control->kind == SAPHAN_FORM_CONTROL_REPEAT)
    return parse_body_children (st, xml, control, control->ref != NULL ? control->ref : context, error);

  /* Actions nested in a question listen to that question. */
  for (xmlNode *c = xml->children; c != NULL; c = c->next)
    if (is_named (c, "setvalue") || is_named (c, "setgeopoint"))
      if (!parse_action (st, c, context, control->ref, error))
        return FALSE;
  if (control->kind != SAPHAN_FORM_CONTROL_TRIGGER)
    self->question_count++;
  return TRUE;
}

static gboolean
parse_body_children (ParseState *st, xmlNode *xml, SaphanFormControl *parent, const char *context,
                     GError **error)
{
  for (xmlNode *c = xml->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE && !parse_control (st, c, parent, context, error))
      return FALSE;
  return TRUE;
}

/* ---- Repeats: templates -------------------------------------------------- */

static void
find_nodes (SaphanNode *node, const char *path, GPtrArray *out)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    {
      g_autofree char *p = saphan_node_generic_path (c);
      if (strcmp (p, path) == 0)
        g_ptr_array_add (out, c);
      else if (g_str_has_prefix (path, p) && path[strlen (p)] == '/')
        find_nodes (c, path, out);
    }
}

static void
find_in_template (SaphanNode *node, const char *node_path, const char *path, GPtrArray *out)
{
  for (SaphanNode *c = node->first_child; c != NULL && out->len == 0; c = c->next)
    {
      g_autofree char *p = g_strconcat (node_path, "/", c->local, NULL);
      if (strcmp (p, path) == 0)
        g_ptr_array_add (out, c);
      else if (g_str_has_prefix (path, p) && path[strlen (p)] == '/')
        find_in_template (c, p, path, out);
    }
}

/* Remembers which sibling a repeat follows, so that a first instance added
 * to an empty repeat lands where the form put the repeat. */
static void
remember_anchor (SaphanForm *self, const char *path, SaphanNode *node)
{
  SaphanNode *prev = node->prev;

  if (g_hash_table_contains (self->template_anchor, path))
    return;
  while (prev != NULL && g_strcmp0 (prev->local, node->local) == 0 && g_strcmp0 (prev->prefix, node->prefix) == 0)
    prev = prev->prev;
  g_hash_table_insert (self->template_anchor, g_strdup (path),
                       prev == NULL ? g_strdup ("")
                       : prev->prefix != NULL ? g_strconcat (prev->prefix, ":", prev->local, NULL)
                                              : g_strdup (prev->local));
}

/* Each repeat gets a template: its jr:template element when the form has
 * one (then it is not an instance), otherwise a copy of its first instance. */
static void
setup_templates (ParseState *st, GPtrArray *marked_paths)
{
  SaphanForm *self = st->form;
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < st->marked_templates->len; i++)
    {
      SaphanNode *node = st->marked_templates->pdata[i];
      const char *path = marked_paths->pdata[i];

      if (node->parent != NULL)
        {
          remember_anchor (self, path, node);
          saphan_node_detach (node);
        }
      if (!g_hash_table_contains (self->templates, path))
        g_hash_table_insert (self->templates, g_strdup (path), node);
      else
        saphan_node_free (node);
    }
  g_hash_table_iter_init (&iter, self->repeat_paths);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr (GPtrArray) found = NULL;

      if (g_hash_table_contains (self->templates, key))
        continue;
      found = g_ptr_array_new ();
      find_nodes (self->primary, key, found);
      /* A repeat nested in a templated repeat has its first instance in
       * the outer template only. */
      if (found->len == 0)
        {
          GHashTableIter titer;
          gpointer tpath, tnode;

          g_hash_table_iter_init (&titer, self->templates);
          while (found->len == 0 && g_hash_table_iter_next (&titer, &tpath, &tnode))
            if (g_str_has_prefix (key, tpath) && ((char *) key)[strlen (tpath)] == '/')
              find_in_template (tnode, tpath, key, found);
        }
      if (found->len > 0)
        {
          remember_anchor (self, key, found->pdata[0]);
          SaphanNode *copy = saphan_node_deep_copy (found->pdata[0]);
          g_hash_table_insert (self->templates, g_strdup (key), copy);
        }
    }
}

/* ---- Entry point --------------------------------------------------------- */

static void
collect_namespaces (SaphanForm *self, xmlNode *node)
{
  for (; node != NULL; node = node->parent)
    if (node->type == XML_ELEMENT_NODE)
      for (xmlNs *ns = node->nsDef; ns != NULL; ns = ns->next)
        if (ns->prefix != NULL && !g_hash_table_contains (self->namespaces, ns->prefix))
          g_hash_table_insert (self->namespaces, g_strdup ((const char *) ns->prefix),
                               g_strdup ((const char *) ns->href));
}

/* Every submission needs meta/instanceID; ODK engines add it to forms that
 * lack it, in the OpenRosa namespace when the form declares a prefix for it. */
static void
ensure_instance_id (SaphanForm *self, xmlNode *primary)
{
  SaphanNode *root = self->primary->first_child;
  SaphanNode *meta = saphan_node_first_child_named (root, "meta");
  const char *prefix = NULL, *ns = NULL;

  if (meta != NULL && saphan_node_first_child_named (meta, "instanceID") != NULL)
    return;
  if (meta != NULL)
    prefix = meta->prefix, ns = meta->ns;
  else
    for (xmlNode *n = primary; n != NULL && prefix == NULL; n = n->parent)
      for (xmlNs *d = n->type == XML_ELEMENT_NODE ? n->nsDef : NULL; d != NULL; d = d->next)
        if (d->prefix != NULL && g_strcmp0 ((const char *) d->href, "http://openrosa.org/xforms") == 0)
          {
            prefix = (const char *) d->prefix;
            ns = (const char *) d->href;
            break;
          }
  if (meta == NULL)
    {
      meta = saphan_node_new_element (prefix, "meta", ns);
      saphan_node_append (root, meta);
    }
  saphan_node_append (meta, saphan_node_new_element (prefix, "instanceID", ns));
  self->added_instance_id = TRUE;
}

gboolean
_saphan_form_parse (SaphanForm *self, xmlDoc *doc, GError **error)
{
  ParseState st = { .form = self };
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *head = NULL, *body = NULL, *model = NULL, *primary = NULL;
  g_autoptr (GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) marked = g_ptr_array_new ();
  g_autoptr (GPtrArray) marked_paths = g_ptr_array_new_with_free_func (g_free);

  st.paths = paths;
  st.marked_templates = marked;
  if (!is_named (root, "html"))
    {
      _saphan_form_set_error (self, error, _("this is not an XForm: the root element is “%s”, not “h:html”"),
                              root != NULL ? (const char *) root->name : "");
      return FALSE;
    }
  for (xmlNode *c = root->children; c != NULL; c = c->next)
    if (is_named (c, "head"))
      head = c;
    else if (is_named (c, "body"))
      body = c;
  for (xmlNode *c = head != NULL ? head->children : NULL; c != NULL; c = c->next)
    if (is_named (c, "title"))
      {
        g_free (self->title);
        self->title = g_strstrip (element_text (c));
      }
    else if (is_named (c, "model") && model == NULL)
      model = c; /* ODK reads the first model only */
  if (model == NULL)
    {
      _saphan_form_set_error (self, error, _("the form has no model"));
      return FALSE;
    }
  collect_namespaces (self, model);

  /* The primary instance first, so binds can be checked against it. */
  for (xmlNode *c = model->children; c != NULL && primary == NULL; c = c->next)
    if (is_named (c, "instance"))
      for (xmlNode *e = c->children; e != NULL && primary == NULL; e = e->next)
        if (e->type == XML_ELEMENT_NODE)
          primary = e;
  if (primary == NULL)
    {
      _saphan_form_set_error (self, error, _("the form has no primary instance"));
      return FALSE;
    }
  if ((self->primary = convert_document (&st, primary, error)) == NULL)
    return FALSE;
  ensure_instance_id (self, primary);
  self->id = get_attr (primary, "id");
  self->version = get_attr (primary, "version");
  collect_paths (self->primary, paths);
  for (guint i = 0; i < marked->len; i++)
    g_ptr_array_add (marked_paths, saphan_node_generic_path (marked->pdata[i]));

  st.marked_templates = NULL;
  {
    gboolean first = TRUE;
    for (xmlNode *c = model->children; c != NULL; c = c->next)
      if (is_named (c, "instance"))
        {
          g_autofree char *id = get_attr (c, "id");
          if (first)
            {
              first = FALSE;
              continue;
            }
          if (id == NULL)
            {
              _saphan_form_set_error (self, error, _("a secondary instance has no id (line %ld)"),
                                      xmlGetLineNo (c));
              return FALSE;
            }
          if (!load_secondary (&st, c, id, error))
            return FALSE;
        }
  }

  for (xmlNode *c = model->children; c != NULL; c = c->next)
    if (is_named (c, "itext") && !parse_itext (&st, c, error))
      return FALSE;
  if (self->default_language == NULL && self->languages->len > 1)
    self->default_language = g_strdup (self->languages->pdata[0]);

  for (xmlNode *c = model->children; c != NULL; c = c->next)
    if (is_named (c, "bind") && !parse_bind (&st, c, error))
      return FALSE;

  /* An encrypted form names the server's RSA key; a key that cannot be used
   * is refused now, at install, rather than in front of a citizen. */
  for (xmlNode *c = model->children; c != NULL; c = c->next)
    if (is_named (c, "submission"))
      {
        g_autofree char *key = get_attr (c, "base64RsaPublicKey");
        g_autoptr (GError) key_error = NULL;

        if (key == NULL || *g_strstrip (key) == '\0')
          continue;
        if (!saphan_submission_check_public_key (key, NULL, &key_error))
          {
            g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                         _("%s: the submission's base64RsaPublicKey cannot be used: %s"),
                         self->source_name, key_error->message);
            return FALSE;
          }
        g_free (self->public_key);
        self->public_key = g_steal_pointer (&key);
      }
  for (xmlNode *c = model->children; c != NULL; c = c->next)
    if ((is_named (c, "setvalue") || is_named (c, "setgeopoint")) &&
        !parse_action (&st, c, NULL, NULL, error))
      return FALSE;

  self->body = g_new0 (SaphanFormControl, 1);
  self->body->kind = SAPHAN_FORM_CONTROL_GROUP;
  self->body->children = g_ptr_array_new_with_free_func ((GDestroyNotify) _saphan_form_control_free);
  if (body != NULL && !parse_body_children (&st, body, self->body, NULL, error))
    return FALSE;

  st.marked_templates = marked;
  setup_templates (&st, marked_paths);
  return TRUE;
}
