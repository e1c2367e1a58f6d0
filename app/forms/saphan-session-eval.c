/* saphan-session-eval.c: keeping a session's bind states up to date.
 *
 * The form's computations come in dependency order. After an answer, only
 * the computations that read the changed node run, and each calculation
 * whose value changes schedules its own readers further down the order.
 * Structural changes (a repeat instance added or removed) rerun everything,
 * which is rare and bounded by the form's size.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "saphan-error.h"
#include "saphan-session-private.h"

#define MAX_DEPTH        16
#define MAX_REPEAT_COUNT 1000

enum { CHANGED_VALUE = 1, CHANGED_FLAGS = 2 };

NodeState *
_saphan_session_state (SaphanNode *node)
{
  return node != NULL ? node->model : NULL;
}

static void
attach_rec (SaphanSession *self, SaphanNode *node, GString *path)
{
  gsize len = path->len;

  g_string_append_c (path, '/');
  g_string_append (path, node->local);
  if (node->model == NULL)
    {
      NodeState *st = g_new0 (NodeState, 1);
      st->bind = _saphan_form_get_bind (self->form, path->str);
      st->relevant_self = st->shown_relevant = 1;
      st->constraint_ok = 1;
      node->model = st;
    }
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    attach_rec (self, c, path);
  g_string_truncate (path, len);
}

void
_saphan_session_attach_states (SaphanSession *self, SaphanNode *node)
{
  g_autoptr (GString) path = g_string_new (NULL);
  g_autofree char *parent_path = NULL;

  if (node->kind == SAPHAN_NODE_DOCUMENT)
    {
      for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
        attach_rec (self, c, path);
      return;
    }
  parent_path = saphan_node_generic_path (node->parent);
  if (strcmp (parent_path, "/") != 0)
    g_string_append (path, parent_path);
  attach_rec (self, node, path);
}

/* Values are overwritten before they are freed: a kiosk is shared, and a
 * citizen's answers must not linger in freed memory. */
static void
zero_string (char *text)
{
  if (text != NULL)
    {
      volatile char *p = text;
      while (*p != '\0')
        *p++ = '\0';
    }
}

gboolean
_saphan_session_replace_value (SaphanNode *node, const char *value)
{
  if (g_strcmp0 (saphan_node_get_value (node), value != NULL ? value : "") == 0)
    return FALSE;
  zero_string (node->value);
  saphan_node_set_value (node, value);
  return TRUE;
}

void
_saphan_session_free_states (SaphanNode *node, gboolean wipe)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    _saphan_session_free_states (c, wipe);
  if (node->model != NULL)
    {
      NodeState *st = node->model;
      if (wipe)
        zero_string (st->stash);
      g_clear_pointer (&st->stash, g_free);
    }
  if (wipe)
    {
      zero_string (node->value);
      for (SaphanNode *a = node->first_attr; a != NULL; a = a->next)
        zero_string (a->value);
    }
  g_clear_pointer (&node->model, g_free);
}

static void
index_rec (GHashTable *index, SaphanNode *node, GString *path)
{
  gsize len = path->len;
  GPtrArray *list;

  g_string_append_c (path, '/');
  g_string_append (path, node->local);
  list = g_hash_table_lookup (index, path->str);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (index, g_strdup (path->str), list);
    }
  g_ptr_array_add (list, node);
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    index_rec (index, c, path);
  g_string_truncate (path, len);
}

GPtrArray *
_saphan_session_nodes_at (SaphanSession *self, const char *generic_path)
{
  if (self->index_stale || self->by_path == NULL)
    {
      g_autoptr (GString) path = g_string_new (NULL);

      if (self->by_path == NULL)
        self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_ptr_array_unref);
      g_hash_table_remove_all (self->by_path);
      if (self->doc != NULL)
        for (SaphanNode *c = self->doc->first_child; c != NULL; c = c->next)
          index_rec (self->by_path, c, path);
      self->index_stale = FALSE;
    }
  return g_hash_table_lookup (self->by_path, generic_path);
}

/* Steps match by local name: refs may write orx:meta or meta for the same
 * node, as generic paths do. */
static gboolean
step_matches (SaphanNode *node, const char *name)
{
  const char *colon = strchr (name, ':');

  if (node->kind != SAPHAN_NODE_ELEMENT)
    return FALSE;
  return g_strcmp0 (node->local, colon != NULL ? colon + 1 : name) == 0;
}

SaphanNode *
_saphan_session_resolve (SaphanSession *self, const char *ref)
{
  g_auto (GStrv) steps = NULL;
  SaphanNode *node = self->doc;

  if (ref == NULL || ref[0] != '/' || node == NULL)
    return NULL;
  steps = g_strsplit (ref + 1, "/", -1);
  for (char **s = steps; *s != NULL && node != NULL; s++)
    {
      char *bracket = strchr (*s, '[');
      guint index = 1, seen = 0;
      SaphanNode *next = NULL;

      if (bracket != NULL)
        {
          char *end = NULL;
          index = (guint) strtoul (bracket + 1, &end, 10);
          if (end == NULL || *end != ']' || index == 0)
            return NULL;
          *bracket = '\0';
        }
      for (SaphanNode *c = node->first_child; c != NULL && next == NULL; c = c->next)
        if (step_matches (c, *s) && ++seen == index)
          next = c;
      node = next;
    }
  return node;
}

SaphanNode *
_saphan_session_resolve_near (SaphanSession *self, SaphanNode *from, const char *generic_path)
{
  SaphanNode *anchor = from;
  const char *rest = NULL;

  for (; anchor != NULL && anchor->kind == SAPHAN_NODE_ELEMENT; anchor = anchor->parent)
    {
      g_autofree char *p = saphan_node_generic_path (anchor);
      gsize n = strlen (p);

      if (strcmp (p, generic_path) == 0)
        return anchor;
      if (strncmp (generic_path, p, n) == 0 && generic_path[n] == '/')
        {
          rest = generic_path + n + 1;
          break;
        }
    }
  if (anchor == NULL || anchor->kind != SAPHAN_NODE_ELEMENT)
    {
      anchor = self->doc;
      rest = generic_path + 1;
    }
  {
    g_auto (GStrv) steps = g_strsplit (rest, "/", -1);
    for (char **s = steps; *s != NULL && anchor != NULL; s++)
      {
        SaphanNode *next = NULL;
        for (SaphanNode *c = anchor->first_child; c != NULL && next == NULL; c = c->next)
          if (step_matches (c, *s))
            next = c;
        anchor = next;
      }
  }
  return anchor;
}

static gboolean
has_namesake (SaphanNode *node)
{
  for (SaphanNode *s = node->parent != NULL ? node->parent->first_child : NULL; s != NULL; s = s->next)
    if (s != node && g_strcmp0 (s->local, node->local) == 0)
      return TRUE;
  return FALSE;
}

static void
ref_rec (SaphanSession *self, SaphanNode *node, GString *out, GString *generic)
{
  if (node == NULL || node->kind != SAPHAN_NODE_ELEMENT)
    return;
  ref_rec (self, node->parent, out, generic);
  g_string_append_c (generic, '/');
  g_string_append (generic, node->local);
  g_string_append_c (out, '/');
  if (node->prefix != NULL)
    g_string_append_printf (out, "%s:", node->prefix);
  g_string_append (out, node->local);
  if (g_hash_table_contains (self->form->repeat_paths, generic->str) || has_namesake (node))
    g_string_append_printf (out, "[%u]", saphan_node_sibling_index (node));
}

/* Refs as ODK writes them: prefixes as in the form, an index on every
 * repeat step ("/data/orx:meta", "/data/rep[2]/q"). */
char *
_saphan_session_ref (SaphanSession *self, SaphanNode *node)
{
  g_autoptr (GString) generic = g_string_new (NULL);
  GString *out = g_string_new (NULL);

  ref_rec (self, node, out, generic);
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

gboolean
_saphan_session_relevant (SaphanNode *node)
{
  for (; node != NULL; node = node->parent)
    {
      NodeState *st = node->model;
      if (st != NULL && !st->relevant_self)
        return FALSE;
    }
  return TRUE;
}

gboolean
_saphan_session_readonly (SaphanNode *node)
{
  for (; node != NULL; node = node->parent)
    {
      NodeState *st = node->model;
      if (st != NULL && st->readonly_self)
        return TRUE;
    }
  return FALSE;
}

SaphanViolationKind
_saphan_session_violation (SaphanNode *node)
{
  NodeState *st = node->model;
  const char *value = saphan_node_get_value (node);

  if (st == NULL || node->first_child != NULL || !_saphan_session_relevant (node))
    return SAPHAN_VIOLATION_NONE;
  if (*value == '\0')
    return st->required ? SAPHAN_VIOLATION_REQUIRED : SAPHAN_VIOLATION_NONE;
  return st->constraint_ok ? SAPHAN_VIOLATION_NONE : SAPHAN_VIOLATION_CONSTRAINT;
}

/* ---- Values -------------------------------------------------------------- */

static gboolean
is_integer_text (const char *s)
{
  if (*s == '-' || *s == '+')
    s++;
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

char *
_saphan_session_normalize (SaphanFormType type, const char *value, GError **error)
{
  g_autofree char *text = g_strstrip (g_strdup (value != NULL ? value : ""));
  char *end = NULL;

  if (*text == '\0')
    return g_steal_pointer (&text);
  switch (type)
    {
    case SAPHAN_FORM_TYPE_INT:
      if (!is_integer_text (text))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("“%s” is not a whole number"), text);
          return NULL;
        }
      return g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (text, NULL, 10));
    case SAPHAN_FORM_TYPE_DECIMAL:
      g_ascii_strtod (text, &end);
      if (end == NULL || *end != '\0')
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("“%s” is not a number"), text);
          return NULL;
        }
      return g_steal_pointer (&text);
    case SAPHAN_FORM_TYPE_DATE:
      {
        int y, m, d;
        if (sscanf (text, "%d-%d-%d", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
          {
            g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("“%s” is not a date (YYYY-MM-DD)"), text);
            return NULL;
          }
        return g_steal_pointer (&text);
      }
    case SAPHAN_FORM_TYPE_TIME:
      if (!g_regex_match_simple ("^\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?(Z|[+-]\\d\\d(:?\\d\\d)?)?$", text, 0, 0))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("“%s” is not a time (HH:MM:SS)"), text);
          return NULL;
        }
      return g_steal_pointer (&text);
    case SAPHAN_FORM_TYPE_DATETIME:
      if (!g_regex_match_simple ("^-?\\d{4,}-\\d\\d-\\d\\d(T\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?(Z|[+-]\\d\\d(:?\\d\\d)?)?)?$",
                                 text, 0, 0))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("“%s” is not a date and time (YYYY-MM-DDTHH:MM:SS)"), text);
          return NULL;
        }
      return g_steal_pointer (&text);
    case SAPHAN_FORM_TYPE_BOOLEAN:
      if (strcmp (text, "true") != 0 && strcmp (text, "false") != 0 && strcmp (text, "1") != 0 &&
          strcmp (text, "0") != 0)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("“%s” is not true or false"), text);
          return NULL;
        }
      return g_steal_pointer (&text);
    case SAPHAN_FORM_TYPE_SELECT:
      {
        g_auto (GStrv) words = g_strsplit_set (text, " \t\n\r", -1);
        g_autoptr (GString) out = g_string_new (NULL);
        for (char **w = words; *w != NULL; w++)
          if (**w != '\0')
            {
              if (out->len > 0)
                g_string_append_c (out, ' ');
              g_string_append (out, *w);
            }
        return g_string_free (g_steal_pointer (&out), FALSE);
      }
    default:
      /* Strings keep their inner whitespace exactly as typed. */
      return g_strdup (value);
    }
}

/* A calculation's result, written the way its type is written. */
static char *
calc_result_text (SaphanFormType type, SaphanXPathValue *v)
{
  switch (type)
    {
    case SAPHAN_FORM_TYPE_INT:
      {
        double d = saphan_xpath_value_to_number (v);
        if (isnan (d) || isinf (d))
          return g_strdup ("");
        return g_strdup_printf ("%.0f", trunc (d));
      }
    case SAPHAN_FORM_TYPE_DECIMAL:
      {
        double d = saphan_xpath_value_to_number (v);
        if (isnan (d) || isinf (d))
          return g_strdup ("");
        return saphan_xpath_number_to_string (d);
      }
    case SAPHAN_FORM_TYPE_DATE:
      {
        /* date() keeps the time of a dateTime; a date node keeps only the
         * (local) day it starts with, as Collect and Web Forms store it. */
        char *text = saphan_xpath_value_to_string (v);
        char *t = strchr (text, 'T');

        if (v->type == SAPHAN_XPATH_NUMBER && isnan (v->number))
          text[0] = '\0';
        else if (t != NULL && t - text >= 10 && g_ascii_isdigit (t[1]))
          *t = '\0';
        return text;
      }
    default:
      /* A failed computation (NaN) leaves the node blank, as in ODK. */
      if (v->type == SAPHAN_XPATH_NUMBER && isnan (v->number))
        return g_strdup ("");
      return saphan_xpath_value_to_string (v);
    }
}

static void
init_ctx (SaphanSession *self, SaphanXPathContext *ctx, SaphanNode *node)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->node = node;
  ctx->current = node;
  ctx->env = &self->env;
}

static void
mark_changed (SaphanSession *self, SaphanNode *node, int what)
{
  int old = GPOINTER_TO_INT (g_hash_table_lookup (self->changed, node));
  g_hash_table_insert (self->changed, node, GINT_TO_POINTER (old | what));
}

GArray *
_saphan_session_dirty_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (DirtyMark));
}

static void
add_related (SaphanSession *self, SaphanNode *node, GArray *dirty)
{
  g_autofree char *path = saphan_node_generic_path (node);
  GArray *related = _saphan_form_related (self->form, path);

  if (dirty == NULL)
    return;
  for (guint r = 0; r < related->len; r++)
    {
      DirtyMark mark = { g_array_index (related, guint, r), node };
      g_array_append_val (dirty, mark);
    }
}

static void run_actions (SaphanSession *self, ActionEvents event, const char *source, SaphanNode *origin,
                         GArray *dirty);

gboolean
_saphan_session_set_value (SaphanSession *self, SaphanNode *node, const char *value, GArray *dirty)
{
  g_autofree char *path = NULL;
  NodeState *st = node->model;

  if (st != NULL && st->stashed)
    {
      zero_string (st->stash);
      g_free (st->stash);
      st->stash = (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
      return FALSE;
    }
  if (!_saphan_session_replace_value (node, value))
    return FALSE;
  mark_changed (self, node, CHANGED_VALUE);
  add_related (self, node, dirty);
  path = saphan_node_generic_path (node);
  run_actions (self, ACTION_VALUE_CHANGED, path, node, dirty);
  return TRUE;
}

static char *
action_value (SaphanSession *self, FormAction *action, SaphanNode *target)
{
  SaphanXPathContext ctx;
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  if (action->value == NULL)
    return g_strdup (action->literal != NULL ? action->literal : "");
  init_ctx (self, &ctx, target);
  if (!saphan_xpath_eval_string (action->value, &ctx, &text, &error))
    {
      g_debug ("setvalue on %s failed: %s", action->ref, error->message);
      return g_strdup ("");
    }
  return text;
}

static void
run_actions (SaphanSession *self, ActionEvents event, const char *source, SaphanNode *origin, GArray *dirty)
{
  if (self->depth >= MAX_DEPTH)
    return;
  self->depth++;
  for (guint i = 0; i < self->form->actions->len; i++)
    {
      FormAction *action = self->form->actions->pdata[i];
      SaphanNode *target;
      g_autofree char *value = NULL;
      NodeState *st;

      if (!(action->events & event) || action->geopoint)
        continue;
      if (source != NULL && g_strcmp0 (action->source, source) != 0)
        continue;
      target = _saphan_session_resolve_near (self, origin, action->ref);
      if (target == NULL)
        continue;
      value = action_value (self, action, target);
      st = target->model;
      if (st != NULL && st->bind != NULL)
        {
          g_autofree char *norm = _saphan_session_normalize (st->bind->type, value, NULL);
          if (norm != NULL)
            g_free (value), value = g_steal_pointer (&norm);
        }
      _saphan_session_set_value (self, target, value, dirty);
    }
  self->depth--;
}

/* ---- Repeats ------------------------------------------------------------- */

static gboolean
same_name (SaphanNode *node, const char *qname)
{
  return step_matches (node, qname);
}

SaphanNode *
_saphan_session_add_instance (SaphanSession *self, SaphanNode *parent, const char *repeat_path)
{
  SaphanNode *template = g_hash_table_lookup (self->form->templates, repeat_path);
  const char *name = strrchr (repeat_path, '/') + 1;
  SaphanNode *after = NULL, *copy;
  g_autoptr (GArray) dirty = NULL;

  if (template == NULL)
    return NULL;
  for (SaphanNode *c = parent->first_child; c != NULL; c = c->next)
    if (same_name (c, name))
      after = c;
  if (after == NULL)
    {
      const char *anchor = g_hash_table_lookup (self->form->template_anchor, repeat_path);
      if (anchor != NULL && *anchor != '\0')
        for (SaphanNode *c = parent->first_child; c != NULL; c = c->next)
          if (same_name (c, anchor))
            after = c;
    }
  copy = saphan_node_deep_copy (template);
  saphan_node_insert_after (parent, after, copy);
  _saphan_session_attach_states (self, copy);
  self->index_stale = TRUE;
  self->structure_changed = TRUE;
  mark_changed (self, copy, CHANGED_VALUE);

  /* Nested repeats without a template element start with their instances
   * as the template holds them; odk-new-repeat actions see the new node. */
  dirty = _saphan_session_dirty_new ();
  run_actions (self, ACTION_NEW_REPEAT, repeat_path, copy, dirty);
  return copy;
}

void
_saphan_session_remove_instance (SaphanSession *self, SaphanNode *instance)
{
  g_hash_table_remove (self->changed, instance);
  {
    /* Forget pending change marks inside the removed subtree. */
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init (&iter, self->changed);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        SaphanNode *n = key;
        for (; n != NULL && n != instance; n = n->parent)
          ;
        if (n == instance)
          g_hash_table_iter_remove (&iter);
      }
  }
  if (instance->parent != NULL)
    mark_changed (self, instance->parent, CHANGED_VALUE);
  saphan_node_detach (instance);
  _saphan_session_free_states (instance, TRUE);
  saphan_node_free (instance);
  self->index_stale = TRUE;
  self->structure_changed = TRUE;
}

static guint
count_instances (SaphanNode *parent, const char *name, SaphanNode **last)
{
  guint n = 0;

  *last = NULL;
  for (SaphanNode *c = parent->first_child; c != NULL; c = c->next)
    if (same_name (c, name))
      n++, *last = c;
  return n;
}

/* jr:count: the number of instances follows an expression. It is evaluated
 * at the repeat's first instance, or at a placeholder when there is none,
 * so that relative paths and current() mean what they mean in the form. */
static void
apply_count (SaphanSession *self, FormComp *comp)
{
  g_autofree char *parent_path = g_path_get_dirname (comp->path);
  const char *name = strrchr (comp->path, '/') + 1;
  g_autoptr (GPtrArray) parents = g_ptr_array_new ();
  GPtrArray *at;

  if (strcmp (parent_path, "/") == 0)
    return;
  at = _saphan_session_nodes_at (self, parent_path);
  if (at != NULL)
    g_ptr_array_extend (parents, at, NULL, NULL);
  for (guint i = 0; i < parents->len; i++)
    {
      SaphanNode *parent = parents->pdata[i];
      SaphanNode *last = NULL, *context, *placeholder = NULL;
      SaphanXPathContext ctx;
      double wanted = 0;
      guint have = count_instances (parent, name, &last), target;
      g_autoptr (GError) error = NULL;

      context = last;
      if (context == NULL)
        {
          placeholder = saphan_node_new_element (NULL, name, NULL);
          saphan_node_append (parent, placeholder);
          context = placeholder;
        }
      init_ctx (self, &ctx, context);
      if (!saphan_xpath_eval_number (comp->expr, &ctx, &wanted, &error))
        wanted = 0;
      if (placeholder != NULL)
        {
          saphan_node_detach (placeholder);
          saphan_node_free (placeholder);
        }
      /* A count that is not a number leaves the instances as they are. */
      if (isnan (wanted))
        continue;
      target = wanted < 0 ? 0 : wanted > MAX_REPEAT_COUNT ? MAX_REPEAT_COUNT : (guint) wanted;
      while (have < target)
        {
          if (_saphan_session_add_instance (self, parent, comp->path) == NULL)
            break;
          have++;
        }
      while (have > target && last != NULL)
        {
          _saphan_session_remove_instance (self, last);
          have = count_instances (parent, name, &last);
        }
    }
}

/* ---- Recomputation ------------------------------------------------------- */

/* One recomputation: which computations still have to run, and where. */
typedef struct
{
  guint8      *pending;
  SaphanNode **scope;    /* per computation: the repeat instance it is limited to, or NULL */
  guint        n;
} Pass;

/* The instance of REPEAT_PATH that holds TRIGGER, or NULL. */
static SaphanNode *
instance_of (SaphanNode *trigger, const char *repeat_path)
{
  g_autofree char *path = NULL;
  gsize n;
  int up = 0;

  if (trigger == NULL || repeat_path == NULL)
    return NULL;
  path = saphan_node_generic_path (trigger);
  n = strlen (repeat_path);
  if (strncmp (path, repeat_path, n) != 0 || (path[n] != '\0' && path[n] != '/'))
    return NULL;
  for (const char *p = path + n; *p != '\0'; p++)
    if (*p == '/')
      up++;
  while (up-- > 0 && trigger != NULL)
    trigger = trigger->parent;
  return trigger;
}

static void
mark_pending (SaphanSession *self, Pass *pass, guint j, SaphanNode *trigger)
{
  FormComp *comp;
  SaphanNode *scope;

  if (j >= pass->n)
    return;
  comp = self->form->comps->pdata[j];
  scope = instance_of (trigger, comp->scope_repeat);
  if (!pass->pending[j])
    {
      pass->pending[j] = 1;
      pass->scope[j] = scope;
    }
  else if (pass->scope[j] != scope)
    pass->scope[j] = NULL;
}

/* Marks the computations reading NODE, after computation FROM. */
static void
mark_readers (SaphanSession *self, Pass *pass, FormComp *from, SaphanNode *node)
{
  GArray *related = _saphan_form_related (self->form, from->path);

  for (guint r = 0; r < related->len; r++)
    {
      guint j = g_array_index (related, guint, r);
      if (j > from->index)
        mark_pending (self, pass, j, node);
    }
}

/* The nodes COMP runs at in this pass, in document order. */
static GPtrArray *
comp_nodes (SaphanSession *self, FormComp *comp, Pass *pass)
{
  GPtrArray *nodes = g_ptr_array_new ();
  GPtrArray *at = _saphan_session_nodes_at (self, comp->path);
  SaphanNode *scope = pass->scope[comp->index];

  for (guint k = 0; at != NULL && k < at->len; k++)
    {
      SaphanNode *n = at->pdata[k];
      if (scope != NULL)
        {
          SaphanNode *a = n;
          while (a != NULL && a != scope)
            a = a->parent;
          if (a == NULL)
            continue;
        }
      g_ptr_array_add (nodes, n);
    }
  return nodes;
}

/* The values CONTROL offers at NODE now, as a set of owned strings. Only
 * the values are computed: labels and media do not decide what is kept. */
static GHashTable *
offered_values (SaphanSession *self, const SaphanFormControl *control, SaphanNode *node)
{
  GHashTable *offered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  SaphanXPathContext ctx = { .node = node, .current = node, .env = &self->env };
  SaphanXPathValue set = { 0 };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; control->items != NULL && i < control->items->len; i++)
    g_hash_table_add (offered, g_strdup (((SaphanFormItem *) control->items->pdata[i])->value));
  if (control->itemset == NULL)
    return offered;
  if (!saphan_xpath_eval (control->itemset, &ctx, &set, &error) || set.type != SAPHAN_XPATH_NODESET)
    {
      g_debug ("itemset of %s failed: %s", control->ref, error != NULL ? error->message : "not a node-set");
      saphan_xpath_value_clear (&set);
      return offered;
    }
  for (guint i = 0; i < set.nodes->len; i++)
    {
      SaphanXPathContext ictx = { .node = set.nodes->pdata[i], .current = node, .position = i + 1,
                                  .size = set.nodes->len, .env = &self->env };
      char *value = NULL;

      if (!saphan_xpath_eval_string (control->itemset_value, &ictx, &value, NULL))
        value = g_strdup ("");
      g_hash_table_add (offered, value);
    }
  saphan_xpath_value_clear (&set);
  return offered;
}

/* Keeps each select's value to the values its choices offer now. A choice
 * filter that does not depend on the select's own node (absolute paths
 * into a repeat, as in instance('c')/root/item[country = /data/rep/q]) is
 * evaluated once for all the repeat's selects instead of once per select. */
static void
apply_choices (SaphanSession *self, FormComp *comp, Pass *pass)
{
  g_autoptr (GPtrArray) nodes = comp_nodes (self, comp, pass);
  const SaphanFormControl *control = comp->control;
  g_autoptr (GHashTable) shared = NULL;
  gboolean context_free = control->itemset == NULL ||
                          (saphan_xpath_expr_is_context_free (control->itemset) &&
                           !saphan_xpath_expr_uses_current (control->itemset_value));

  for (guint k = 0; k < nodes->len; k++)
    {
      SaphanNode *node = nodes->pdata[k];
      const char *value = saphan_node_get_value (node);
      g_autoptr (GHashTable) own = NULL;
      GHashTable *offered;
      g_autoptr (GString) kept = NULL;
      g_auto (GStrv) words = NULL;

      if (*value == '\0' || node->first_child != NULL)
        continue;
      if (!context_free)
        offered = own = offered_values (self, control, node);
      else
        {
          if (shared == NULL)
            shared = offered_values (self, control, node);
          offered = shared;
        }
      kept = g_string_new (NULL);
      words = g_strsplit_set (value, " \t\n\r", -1);
      for (char **w = words; *w != NULL; w++)
        if (**w != '\0' && g_hash_table_contains (offered, *w))
          {
            if (control->kind == SAPHAN_FORM_CONTROL_SELECT1 && kept->len > 0)
              break;
            if (kept->len > 0)
              g_string_append_c (kept, ' ');
            g_string_append (kept, *w);
          }
      if (strcmp (kept->str, value) != 0)
        {
          g_autoptr (GArray) dirty = _saphan_session_dirty_new ();
          _saphan_session_set_value (self, node, kept->str, dirty);
          for (guint d = 0; d < dirty->len; d++)
            {
              DirtyMark *m = &g_array_index (dirty, DirtyMark, d);
              if (m->index > comp->index)
                mark_pending (self, pass, m->index, m->trigger);
            }
          /* A changed value may feed the filter itself (a select whose
           * choices depend on a sibling select of another repeat
           * instance): compute the shared set again for the next node. */
          g_clear_pointer (&shared, g_hash_table_unref);
        }
    }
}

static gboolean
is_once_only (FormComp *comp)
{
  /* uuid() calculations (meta/instanceID) are computed once and kept, as
   * ODK does: an instance keeps its identity for its whole life. */
  return comp->kind == COMP_CALCULATE && saphan_xpath_expr_is_volatile (comp->expr) &&
         strstr (saphan_xpath_expr_get_text (comp->expr), "uuid") != NULL;
}

static void
run_comp (SaphanSession *self, FormComp *comp, Pass *pass)
{
  g_autoptr (GPtrArray) nodes = NULL;

  if (comp->kind == COMP_COUNT)
    {
      apply_count (self, comp);
      return;
    }
  if (comp->kind == COMP_CHOICES)
    {
      apply_choices (self, comp, pass);
      return;
    }
  nodes = comp_nodes (self, comp, pass);
  for (guint k = 0; k < nodes->len; k++)
    {
      SaphanNode *node = nodes->pdata[k];
      NodeState *st = node->model;
      SaphanXPathContext ctx;
      g_autoptr (GError) error = NULL;
      gboolean b = FALSE;

      init_ctx (self, &ctx, node);
      switch (comp->kind)
        {
        case COMP_CALCULATE:
          {
            SaphanXPathValue v = { 0 };
            g_autofree char *text = NULL;

            if (is_once_only (comp) && st->calculated)
              break;
            if (!saphan_xpath_eval (comp->expr, &ctx, &v, &error))
              {
                g_debug ("calculate at %s failed: %s", comp->path, error->message);
                text = g_strdup ("");
              }
            else
              text = calc_result_text (comp->bind != NULL ? comp->bind->type : SAPHAN_FORM_TYPE_STRING, &v);
            saphan_xpath_value_clear (&v);
            st->calculated = 1;
            if (saphan_xpath_expr_is_volatile (comp->expr))
              st->volatile_value = 1;
            if (st->stashed)
              {
                g_free (st->stash);
                st->stash = *text != '\0' ? g_strdup (text) : NULL;
              }
            else if (_saphan_session_replace_value (node, text))
              {
                mark_changed (self, node, CHANGED_VALUE);
                mark_readers (self, pass, comp, node);
              }
          }
          break;
        case COMP_RELEVANT:
        case COMP_READONLY:
        case COMP_REQUIRED:
        case COMP_CONSTRAINT:
          if (!saphan_xpath_eval_boolean (comp->expr, &ctx, &b, &error))
            {
              g_debug ("bind expression at %s failed: %s", comp->path, error->message);
              b = comp->kind == COMP_RELEVANT || comp->kind == COMP_CONSTRAINT;
            }
          if (comp->kind == COMP_RELEVANT && st->relevant_self != (guint) b)
            {
              st->relevant_self = b;
              mark_changed (self, node, CHANGED_FLAGS);
              g_ptr_array_add (self->relevance_roots, node);
            }
          else if (comp->kind == COMP_READONLY && st->readonly_self != (guint) b)
            st->readonly_self = b, mark_changed (self, node, CHANGED_FLAGS);
          else if (comp->kind == COMP_REQUIRED && st->required != (guint) b)
            st->required = b, mark_changed (self, node, CHANGED_FLAGS);
          else if (comp->kind == COMP_CONSTRAINT && st->constraint_ok != (guint) b)
            st->constraint_ok = b, mark_changed (self, node, CHANGED_FLAGS);
          break;
        default:
          break;
        }
    }
}

/* Hides the values of leaves that stopped being relevant and brings back
 * those that became relevant again; returns what reads them in DIRTY. */
static void
apply_relevance (SaphanSession *self, SaphanNode *node, GArray *dirty)
{
  NodeState *st = node->model;

  if (node->first_child != NULL)
    {
      for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
        apply_relevance (self, c, dirty);
      return;
    }
  if (st == NULL || node->kind != SAPHAN_NODE_ELEMENT)
    return;
  if (!_saphan_session_relevant (node))
    {
      if (st->stashed)
        return;
      st->stashed = 1;
      st->stash = g_steal_pointer (&node->value);
    }
  else
    {
      if (!st->stashed)
        return;
      st->stashed = 0;
      g_free (node->value);
      node->value = g_steal_pointer (&st->stash);
    }
  if (node->value != NULL || st->stash != NULL)
    {
      mark_changed (self, node, CHANGED_VALUE);
      add_related (self, node, dirty);
    }
}

void
_saphan_session_recompute (SaphanSession *self, GArray *seeds, gboolean all)
{
  g_autoptr (GArray) dirty = NULL;

  GPtrArray *comps = self->form->comps;
  guint n = comps->len;
  g_autofree guint8 *pending = g_new0 (guint8, n + 1);
  g_autofree SaphanNode **scope = g_new0 (SaphanNode *, n + 1);
  Pass pass = { pending, scope, n };

  if (self->depth >= MAX_DEPTH)
    return;
  self->depth++;
  self->structure_changed = FALSE;
  if (all)
    memset (pending, 1, n);
  for (guint i = 0; seeds != NULL && i < seeds->len; i++)
    {
      DirtyMark *m = &g_array_index (seeds, DirtyMark, i);
      mark_pending (self, &pass, m->index, m->trigger);
    }
  for (guint i = 0; i < n; i++)
    if (pending[i])
      run_comp (self, comps->pdata[i], &pass);
  /* New repeat instances need every computation at their nodes. */
  if (self->structure_changed)
    {
      g_ptr_array_set_size (self->relevance_roots, 0);
      _saphan_session_recompute (self, NULL, TRUE);
      self->depth--;
      return;
    }
  dirty = _saphan_session_dirty_new ();
  if (all)
    {
      if (self->doc != NULL)
        apply_relevance (self, self->doc, dirty);
    }
  else
    for (guint i = 0; i < self->relevance_roots->len; i++)
      apply_relevance (self, self->relevance_roots->pdata[i], dirty);
  g_ptr_array_set_size (self->relevance_roots, 0);
  if (dirty->len > 0)
    _saphan_session_recompute (self, dirty, FALSE);
  self->depth--;
}

/* ---- Loading ------------------------------------------------------------- */

static char *
format_now (SaphanSession *self, gboolean date_only)
{
  g_autoptr (GDateTime) now = self->env.now (self->env.data);

  if (date_only)
    return g_date_time_format (now, "%Y-%m-%d");
  {
    g_autofree char *head = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
    g_autofree char *zone = g_date_time_format (now, "%:z");
    return g_strdup_printf ("%s.%03d%s", head, g_date_time_get_microsecond (now) / 1000, zone);
  }
}

static void
preload (SaphanSession *self, gboolean at_end)
{
  for (guint i = 0; i < self->form->bind_list->len; i++)
    {
      FormBind *bind = self->form->bind_list->pdata[i];
      GPtrArray *nodes;
      const char *params = bind->preload_params != NULL ? bind->preload_params : "";

      if (bind->preload == NULL || (nodes = _saphan_session_nodes_at (self, bind->path)) == NULL)
        continue;
      if (at_end != (strcmp (bind->preload, "timestamp") == 0 && strcmp (params, "end") == 0))
        continue;
      for (guint k = 0; k < nodes->len; k++)
        {
          SaphanNode *node = nodes->pdata[k];
          NodeState *st = node->model;
          g_autofree char *value = NULL;

          if (!at_end && *saphan_node_get_value (node) != '\0')
            continue;
          if (strcmp (bind->preload, "uid") == 0)
            {
              g_autofree char *random = g_uuid_string_random ();
              value = g_strconcat ("uuid:", random, NULL);
            }
          else if (strcmp (bind->preload, "timestamp") == 0)
            value = format_now (self, FALSE);
          else if (strcmp (bind->preload, "date") == 0)
            value = format_now (self, TRUE);
          else if (strcmp (bind->preload, "property") == 0)
            value = self->env.property (self->env.data, params);
          if (value == NULL)
            continue;
          st->volatile_value = 1;
          saphan_node_set_value (node, value);
        }
    }
}

/* Default values are normalized like answers: a date default written as a
 * dateTime keeps its date. A form without meta/instanceID gets one. */
static void
normalize_defaults (SaphanSession *self)
{
  SaphanNode *root = self->doc->first_child;
  SaphanNode *meta, *id;

  for (guint i = 0; i < self->form->bind_list->len; i++)
    {
      FormBind *bind = self->form->bind_list->pdata[i];
      GPtrArray *nodes;

      if (bind->type != SAPHAN_FORM_TYPE_DATE || (nodes = _saphan_session_nodes_at (self, bind->path)) == NULL)
        continue;
      for (guint k = 0; k < nodes->len; k++)
        {
          SaphanNode *node = nodes->pdata[k];
          const char *t = strchr (saphan_node_get_value (node), 'T');
          if (t != NULL)
            {
              g_autofree char *date = g_strndup (node->value, t - node->value);
              saphan_node_set_value (node, date);
            }
        }
    }
  if (self->form->added_instance_id && root != NULL &&
      (meta = saphan_node_first_child_named (root, "meta")) != NULL &&
      (id = saphan_node_first_child_named (meta, "instanceID")) != NULL)
    {
      g_autofree char *random = g_uuid_string_random ();
      g_autofree char *uuid = g_strconcat ("uuid:", random, NULL);
      saphan_node_set_value (id, uuid);
      ((NodeState *) id->model)->volatile_value = 1;
    }
}

void
_saphan_session_load (SaphanSession *self)
{
  g_autoptr (GArray) dirty = _saphan_session_dirty_new ();

  self->doc = saphan_node_deep_copy (self->form->primary);
  _saphan_session_attach_states (self, self->doc);
  self->index_stale = TRUE;

  preload (self, FALSE);
  normalize_defaults (self);
  _saphan_session_recompute (self, NULL, TRUE);

  /* odk-instance-first-load: once for every node the action targets. */
  for (guint i = 0; i < self->form->actions->len; i++)
    {
      FormAction *action = self->form->actions->pdata[i];
      g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
      GPtrArray *at;

      if (!(action->events & ACTION_FIRST_LOAD) || action->geopoint)
        continue;
      if ((at = _saphan_session_nodes_at (self, action->ref)) == NULL)
        continue;
      g_ptr_array_extend (nodes, at, NULL, NULL);
      for (guint k = 0; k < nodes->len; k++)
        {
          g_autofree char *value = action_value (self, action, nodes->pdata[k]);
          NodeState *st = ((SaphanNode *) nodes->pdata[k])->model;
          if (st != NULL && st->bind != NULL)
            {
              g_autofree char *norm = _saphan_session_normalize (st->bind->type, value, NULL);
              if (norm != NULL)
                g_free (value), value = g_steal_pointer (&norm);
            }
          _saphan_session_set_value (self, nodes->pdata[k], value, dirty);
        }
    }
  if (dirty->len > 0)
    _saphan_session_recompute (self, dirty, FALSE);
  g_hash_table_remove_all (self->changed);
}
