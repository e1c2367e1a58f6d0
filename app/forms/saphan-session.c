/* saphan-session.c: SaphanSession, one citizen filling one form. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "saphan-error.h"
#include "saphan-session-private.h"

G_DEFINE_FINAL_TYPE (SaphanSession, saphan_session, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

/* ---- Environment for expressions ------------------------------------------ */

static SaphanNode *
env_instance (gpointer data, const char *id)
{
  SaphanSession *self = data;
  return g_hash_table_lookup (self->form->secondary, id);
}

static char *
env_itext (gpointer data, const char *text_id)
{
  SaphanSession *self = data;
  ItextEntry *entry = _saphan_form_get_itext (self->form, self->language, text_id);

  if (entry == NULL || entry->parts == NULL)
    return NULL;
  return _saphan_session_eval_text (self, entry->parts, self->doc != NULL ? self->doc->first_child : NULL);
}


static char *
env_choice_name (gpointer data, SaphanNode *question, const char *value)
{
  SaphanSession *self = data;
  g_autofree char *path = saphan_node_generic_path (question);
  const SaphanFormControl *control = g_hash_table_lookup (self->form->controls, path);
  g_autoptr (GPtrArray) choices = NULL;

  if (control == NULL)
    return NULL;
  choices = _saphan_session_choices (self, control, question);
  for (guint i = 0; i < choices->len; i++)
    {
      SaphanChoice *c = choices->pdata[i];
      if (g_strcmp0 (c->value, value) == 0)
        return g_strdup (c->label);
    }
  return NULL;
}

static char *
env_property (gpointer data, const char *name)
{
  SaphanSession *self = data;

  if (g_strcmp0 (name, "deviceid") == 0)
    return g_strdup (self->device_id);
  if (g_strcmp0 (name, "version") == 0)
    return g_strdup (self->form->version);
  return NULL;
}

static GDateTime *
env_now (gpointer data)
{
  SaphanSession *self = data;

  if (self->now != NULL)
    return self->now (self->clock_data);
  return g_date_time_new_now_local ();
}

static double
env_random (gpointer data)
{
  SaphanSession *self = data;

  if (self->random != NULL)
    return self->random (self->clock_data);
  return g_random_double ();
}

void
_saphan_session_setup_env (SaphanSession *self)
{
  self->env.instance = env_instance;
  self->env.itext = env_itext;
  self->env.choice_name = env_choice_name;
  self->env.property = env_property;
  self->env.now = env_now;
  self->env.random = env_random;
  self->env.data = self;
}

/* ---- Texts --------------------------------------------------------------- */

char *
_saphan_session_eval_text (SaphanSession *self, GPtrArray *parts, SaphanNode *context)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; parts != NULL && i < parts->len; i++)
    {
      SaphanFormTextPart *part = parts->pdata[i];

      if (part->literal != NULL)
        g_string_append (out, part->literal);
      else if (part->expr != NULL && context != NULL)
        {
          SaphanXPathContext ctx = { .node = context, .current = context, .env = &self->env };
          g_autofree char *text = NULL;
          g_autoptr (GError) error = NULL;

          if (saphan_xpath_eval_string (part->expr, &ctx, &text, &error))
            g_string_append (out, text);
        }
    }
  return g_strstrip (g_string_free (g_steal_pointer (&out), FALSE));
}

static char *
text_at (SaphanSession *self, const SaphanFormText *text, SaphanNode *context)
{
  GPtrArray *parts;

  if (text == NULL)
    return NULL;
  parts = text->parts;
  if (text->itext_id != NULL)
    {
      ItextEntry *entry = _saphan_form_get_itext (self->form, self->language, text->itext_id);
      if (entry == NULL)
        return g_strdup (text->itext_id);
      parts = entry->parts;
    }
  if (context == NULL && self->doc != NULL)
    context = self->doc->first_child;
  return _saphan_session_eval_text (self, parts, context);
}

char *
_saphan_session_violation_message (SaphanSession *self, SaphanNode *node, SaphanViolationKind kind)
{
  NodeState *st = node->model;
  const SaphanFormText *msg = NULL;
  char *text = NULL;

  if (kind == SAPHAN_VIOLATION_NONE)
    return NULL;
  if (st != NULL && st->bind != NULL)
    msg = kind == SAPHAN_VIOLATION_REQUIRED ? st->bind->required_msg : st->bind->constraint_msg;
  if (msg != NULL)
    text = text_at (self, msg, node);
  if (text != NULL && *text != '\0')
    return text;
  g_free (text);
  return g_strdup (kind == SAPHAN_VIOLATION_REQUIRED ? _("This question needs an answer.")
                                                     : _("This answer is not accepted here."));
}

const char *
_saphan_session_kind_name (SaphanSession *self, SaphanNode *node)
{
  g_autofree char *path = saphan_node_generic_path (node);
  const SaphanFormControl *control;
  static const char *const names[] = {
    "input", "select1", "select", "trigger", "range", "upload", "rank", "group", "repeat", "note",
  };

  if (node->parent != NULL && node->parent->kind == SAPHAN_NODE_DOCUMENT)
    return "root";
  if (g_hash_table_contains (self->form->repeat_paths, path))
    return "repeat-instance";
  if (node->first_child != NULL)
    return "group";
  control = g_hash_table_lookup (self->form->controls, path);
  if (control == NULL)
    return "model-value";
  return names[control->kind];
}

/* ---- "changed" ------------------------------------------------------------ */

static void
add_subtree (GHashTable *set, SaphanNode *node)
{
  g_hash_table_add (set, node);
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    add_subtree (set, c);
}

static int
compare_nodes (gconstpointer a, gconstpointer b)
{
  return saphan_node_compare_order (*(SaphanNode *const *) a, *(SaphanNode *const *) b);
}

static gboolean
sync_shown (SaphanNode *node)
{
  NodeState *st = node->model;
  gboolean relevant = _saphan_session_relevant (node);
  gboolean readonly = _saphan_session_readonly (node);
  SaphanViolationKind violation = _saphan_session_violation (node);
  gboolean differs;

  if (st == NULL)
    return FALSE;
  differs = st->shown_relevant != (guint) relevant || st->shown_readonly != (guint) readonly ||
            st->shown_required != st->required || st->shown_violation != (guint) violation;
  st->shown_relevant = relevant;
  st->shown_readonly = readonly;
  st->shown_required = st->required;
  st->shown_violation = violation;
  return differs;
}

static void
sync_all (SaphanNode *node)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    {
      sync_shown (c);
      sync_all (c);
    }
}

void
_saphan_session_emit_changed (SaphanSession *self)
{
  g_autoptr (GHashTable) candidates = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  /* A group's relevance and read-only state reach everything inside it. */
  g_hash_table_iter_init (&iter, self->changed);
  while (g_hash_table_iter_next (&iter, &key, &value))
    add_subtree (candidates, key);
  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (nodes, key);
  g_ptr_array_sort (nodes, compare_nodes);
  for (guint i = 0; i < nodes->len; i++)
    {
      SaphanNode *node = g_ptr_array_index (nodes, i);
      int what = GPOINTER_TO_INT (g_hash_table_lookup (self->changed, node));
      gboolean differs = sync_shown (node);

      if (differs || (what & 1))
        g_ptr_array_add (refs, _saphan_session_ref (self, node));
    }
  g_hash_table_remove_all (self->changed);
  if (refs->len == 0)
    return;
  g_ptr_array_add (refs, NULL);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, (const char *const *) refs->pdata);
}

/* ---- GObject -------------------------------------------------------------- */

static void
saphan_session_finalize (GObject *object)
{
  SaphanSession *self = SAPHAN_SESSION (object);

  saphan_session_wipe (self);
  g_clear_pointer (&self->changed, g_hash_table_unref);
  g_clear_pointer (&self->relevance_roots, g_ptr_array_unref);
  g_clear_object (&self->form);
  g_free (self->language);
  g_free (self->device_id);

  G_OBJECT_CLASS (saphan_session_parent_class)->finalize (object);
}

static void
saphan_session_class_init (SaphanSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = saphan_session_finalize;

  /**
   * SaphanSession::changed:
   * @refs: the refs ("/data/rep[2]/q") whose value or state changed
   *
   * Emitted after an answer or a repeat change, so that a screen redraws
   * only what changed.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);
}

static void
saphan_session_init (SaphanSession *self)
{
  self->changed = g_hash_table_new (NULL, NULL);
  self->relevance_roots = g_ptr_array_new ();
  _saphan_session_setup_env (self);
}

/* ---- Public API ------------------------------------------------------------ */

SaphanSession *
saphan_session_new (SaphanForm *form, const SaphanSessionOptions *options, GError **error)
{
  SaphanSession *self;

  g_return_val_if_fail (SAPHAN_IS_FORM (form), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SAPHAN_TYPE_SESSION, NULL);
  self->form = g_object_ref (form);
  self->language = g_strdup (form->default_language);
  if (options != NULL)
    {
      self->device_id = g_strdup (options->device_id);
      self->now = options->now;
      self->random = options->random;
      self->clock_data = options->data;
    }
  _saphan_session_load (self);
  sync_all (self->doc);
  return self;
}

SaphanForm *
saphan_session_get_form (SaphanSession *self)
{
  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  return self->form;
}

const char *
saphan_session_get_language (SaphanSession *self)
{
  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  return self->language;
}

gboolean
saphan_session_set_language (SaphanSession *self, const char *language, GError **error)
{
  g_return_val_if_fail (SAPHAN_IS_SESSION (self), FALSE);
  g_return_val_if_fail (language != NULL, FALSE);

  /* "th" also names "ไทย (th)", as XLSForm writes language columns. */
  if (!g_hash_table_contains (self->form->itext, language))
    {
      g_autofree char *suffix = g_strdup_printf ("(%s)", language);
      for (guint i = 0; i + 1 < self->form->languages->len; i++)
        if (g_str_has_suffix (self->form->languages->pdata[i], suffix))
          language = self->form->languages->pdata[i];
    }
  if (!g_hash_table_contains (self->form->itext, language))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                   _("The form has no language “%s”"), language);
      return FALSE;
    }
  if (g_strcmp0 (self->language, language) == 0)
    return TRUE;
  g_free (self->language);
  self->language = g_strdup (language);
  /* Calculations may read jr:itext(); they follow the language. */
  if (self->doc != NULL)
    {
      _saphan_session_recompute (self, NULL, TRUE);
      _saphan_session_emit_changed (self);
    }
  return TRUE;
}

static SaphanNode *
resolve_or_fail (SaphanSession *self, const char *ref, GError **error)
{
  SaphanNode *node = _saphan_session_resolve (self, ref);

  if (node == NULL)
    g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                 _("The form has no node “%s”"), ref);
  return node;
}

gboolean
saphan_session_answer (SaphanSession *self, const char *ref, const char *value, GError **error)
{
  SaphanNode *node;
  NodeState *st;
  g_autofree char *norm = NULL;
  g_autoptr (GArray) dirty = NULL;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), FALSE);
  g_return_val_if_fail (ref != NULL, FALSE);

  if ((node = resolve_or_fail (self, ref, error)) == NULL)
    return FALSE;
  if (node->first_child != NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("“%s” is a group, not a question"), ref);
      return FALSE;
    }
  st = node->model;
  norm = _saphan_session_normalize (st->bind != NULL ? st->bind->type : SAPHAN_FORM_TYPE_STRING,
                                    value, error);
  if (norm == NULL)
    return FALSE;
  dirty = _saphan_session_dirty_new ();
  if (_saphan_session_set_value (self, node, norm, dirty))
    _saphan_session_recompute (self, dirty, FALSE);
  _saphan_session_emit_changed (self);
  return TRUE;
}

char *
saphan_session_get_value (SaphanSession *self, const char *ref)
{
  SaphanNode *node;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  node = _saphan_session_resolve (self, ref);
  return node != NULL ? saphan_node_string_value (node) : NULL;
}

void
saphan_node_state_free (SaphanNodeState *state)
{
  if (state == NULL)
    return;
  g_free (state->ref);
  g_free (state->value);
  g_free (state->message);
  g_free (state);
}

static SaphanNodeState *
state_of (SaphanSession *self, SaphanNode *node)
{
  SaphanNodeState *s = g_new0 (SaphanNodeState, 1);
  NodeState *st = node->model;

  s->ref = _saphan_session_ref (self, node);
  s->kind = _saphan_session_kind_name (self, node);
  s->relevant = _saphan_session_relevant (node);
  s->readonly = _saphan_session_readonly (node);
  s->required = st != NULL && st->required;
  s->is_leaf = node->first_child == NULL && strcmp (s->kind, "repeat-instance") != 0 && strcmp (s->kind, "root") != 0;
  if (s->is_leaf)
    s->value = g_strdup (s->relevant ? saphan_node_get_value (node) : "");
  s->violation = _saphan_session_violation (node);
  s->message = _saphan_session_violation_message (self, node, s->violation);
  s->volatile_value = st != NULL && st->volatile_value;
  return s;
}

SaphanNodeState *
saphan_session_get_state (SaphanSession *self, const char *ref, GError **error)
{
  SaphanNode *node;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  if ((node = resolve_or_fail (self, ref, error)) == NULL)
    return NULL;
  return state_of (self, node);
}

static void
list_rec (SaphanSession *self, SaphanNode *node, GPtrArray *out)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    {
      g_ptr_array_add (out, state_of (self, c));
      list_rec (self, c, out);
    }
}

GPtrArray *
saphan_session_list_states (SaphanSession *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_node_state_free);

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), out);
  if (self->doc != NULL)
    list_rec (self, self->doc, out);
  return out;
}

/* ---- Repeats -------------------------------------------------------------- */

/* "/data/outer[2]/inner" → the parent node "/data/outer[2]" and the generic
 * path "/data/outer/inner". */
static SaphanNode *
repeat_parent (SaphanSession *self, const char *repeat_ref, char **out_generic, GError **error)
{
  g_autofree char *parent_ref = g_path_get_dirname (repeat_ref);
  SaphanNode *parent = strcmp (parent_ref, "/") == 0 ? NULL : _saphan_session_resolve (self, parent_ref);
  g_autofree char *generic = NULL;
  const char *name = strrchr (repeat_ref, '/');

  if (parent == NULL || name == NULL || strchr (name, '[') != NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND, _("The form has no repeat “%s”"), repeat_ref);
      return NULL;
    }
  {
    g_autofree char *parent_generic = saphan_node_generic_path (parent);
    generic = g_strconcat (parent_generic, name, NULL);
  }
  if (!g_hash_table_contains (self->form->repeat_paths, generic))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND, _("The form has no repeat “%s”"), repeat_ref);
      return NULL;
    }
  *out_generic = g_steal_pointer (&generic);
  return parent;
}

guint
saphan_session_repeat_count (SaphanSession *self, const char *repeat_ref)
{
  g_autofree char *generic = NULL;
  SaphanNode *parent;
  guint n = 0;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), 0);
  if ((parent = repeat_parent (self, repeat_ref, &generic, NULL)) == NULL)
    return 0;
  for (SaphanNode *c = parent->first_child; c != NULL; c = c->next)
    {
      g_autofree char *p = saphan_node_generic_path (c);
      if (strcmp (p, generic) == 0)
        n++;
    }
  return n;
}

gboolean
saphan_session_repeat_add (SaphanSession *self, const char *repeat_ref, GError **error)
{
  g_autofree char *generic = NULL;
  SaphanNode *parent;
  SaphanFormControl *control;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), FALSE);
  if ((parent = repeat_parent (self, repeat_ref, &generic, error)) == NULL)
    return FALSE;
  control = g_hash_table_lookup (self->form->repeat_paths, generic);
  if (control->count != NULL || control->no_add_remove)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("The repeat “%s” has a fixed number of entries"), repeat_ref);
      return FALSE;
    }
  if (saphan_session_repeat_count (self, repeat_ref) >= 1000 ||
      _saphan_session_add_instance (self, parent, generic) == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE, _("No more entries can be added to “%s”"),
                   repeat_ref);
      return FALSE;
    }
  _saphan_session_recompute (self, NULL, TRUE);
  _saphan_session_emit_changed (self);
  return TRUE;
}

gboolean
saphan_session_repeat_remove (SaphanSession *self, const char *instance_ref, GError **error)
{
  SaphanNode *node;
  g_autofree char *generic = NULL;
  SaphanFormControl *control;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), FALSE);
  if ((node = resolve_or_fail (self, instance_ref, error)) == NULL)
    return FALSE;
  generic = saphan_node_generic_path (node);
  control = g_hash_table_lookup (self->form->repeat_paths, generic);
  if (control == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("“%s” is not a repeat entry"), instance_ref);
      return FALSE;
    }
  if (control->count != NULL || control->no_add_remove)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("The repeat “%s” has a fixed number of entries"), generic);
      return FALSE;
    }
  _saphan_session_remove_instance (self, node);
  _saphan_session_recompute (self, NULL, TRUE);
  _saphan_session_emit_changed (self);
  return TRUE;
}

/* ---- Choices and texts ----------------------------------------------------- */

void
saphan_choice_free (SaphanChoice *choice)
{
  if (choice == NULL)
    return;
  g_free (choice->value);
  g_free (choice->label);
  g_free (choice->image);
  g_free (choice->audio);
  g_free (choice);
}

static char *
media_of (SaphanSession *self, const SaphanFormText *text, const char *form)
{
  ItextEntry *entry;
  const char *name;

  if (text == NULL || text->itext_id == NULL)
    return NULL;
  entry = _saphan_form_get_itext (self->form, self->language, text->itext_id);
  if (entry == NULL)
    return NULL;
  name = strcmp (form, "image") == 0 ? entry->image : strcmp (form, "audio") == 0 ? entry->audio
       : strcmp (form, "video") == 0 ? entry->video : NULL;
  if (name == NULL)
    return NULL;
  {
    char *path = saphan_form_get_media_path (self->form, name);
    return path != NULL ? path : g_strdup (name);
  }
}

GPtrArray *
_saphan_session_choices (SaphanSession *self, const SaphanFormControl *control, SaphanNode *node)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_choice_free);

  for (guint i = 0; control->items != NULL && i < control->items->len; i++)
    {
      SaphanFormItem *item = control->items->pdata[i];
      SaphanChoice *c = g_new0 (SaphanChoice, 1);

      c->value = g_strdup (item->value);
      c->label = item->label != NULL ? text_at (self, item->label, node) : g_strdup (item->value);
      c->image = media_of (self, item->label, "image");
      c->audio = media_of (self, item->label, "audio");
      g_ptr_array_add (out, c);
    }
  if (control->itemset != NULL && node != NULL)
    {
      SaphanXPathContext ctx = { .node = node, .current = node, .env = &self->env };
      SaphanXPathValue set = { 0 };
      g_autoptr (GError) error = NULL;

      if (!saphan_xpath_eval (control->itemset, &ctx, &set, &error) || set.type != SAPHAN_XPATH_NODESET)
        {
          g_debug ("itemset of %s failed: %s", control->ref, error != NULL ? error->message : "not a node-set");
          saphan_xpath_value_clear (&set);
          return out;
        }
      for (guint i = 0; i < set.nodes->len; i++)
        {
          SaphanNode *item = set.nodes->pdata[i];
          SaphanXPathContext ictx = { .node = item, .current = node, .position = i + 1,
                                      .size = set.nodes->len, .env = &self->env };
          SaphanChoice *c = g_new0 (SaphanChoice, 1);

          if (!saphan_xpath_eval_string (control->itemset_value, &ictx, &c->value, NULL))
            c->value = g_strdup ("");
          if (control->itemset_label == NULL ||
              !saphan_xpath_eval_string (control->itemset_label, &ictx, &c->label, NULL))
            c->label = g_strdup (c->value);
          if (control->itemset_label_id != NULL)
            {
              SaphanFormText text = { 0 };
              if (saphan_xpath_eval_string (control->itemset_label_id, &ictx, &text.itext_id, NULL))
                {
                  c->image = media_of (self, &text, "image");
                  c->audio = media_of (self, &text, "audio");
                }
              g_free (text.itext_id);
            }
          g_ptr_array_add (out, c);
        }
      saphan_xpath_value_clear (&set);
    }
  return out;
}

GPtrArray *
saphan_session_get_choices (SaphanSession *self, const char *ref, GError **error)
{
  SaphanNode *node;
  g_autofree char *generic = NULL;
  const SaphanFormControl *control;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  if ((node = resolve_or_fail (self, ref, error)) == NULL)
    return NULL;
  generic = saphan_node_generic_path (node);
  control = g_hash_table_lookup (self->form->controls, generic);
  if (control == NULL || (control->items == NULL && control->itemset == NULL))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("“%s” is not a question with choices"), ref);
      return NULL;
    }
  return _saphan_session_choices (self, control, node);
}

char *
saphan_session_get_text (SaphanSession *self, const SaphanFormText *text, const char *ref)
{
  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  return text_at (self, text, ref != NULL ? _saphan_session_resolve (self, ref) : NULL);
}

char *
saphan_session_get_text_media (SaphanSession *self, const SaphanFormText *text, const char *form)
{
  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  g_return_val_if_fail (form != NULL, NULL);
  return media_of (self, text, form);
}
