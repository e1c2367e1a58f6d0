/* saphan-session-submission.c: validation, the submission XML, and wiping.
 *
 * The submission is the primary instance as ODK defines it: the instance's
 * root element with its attributes (id, version) and the namespace
 * declarations its nodes need, non-relevant nodes left out, repeat
 * templates never present. The same answers always give the same bytes,
 * because these bytes are what the store freezes and signs.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "saphan-error.h"
#include "saphan-session-private.h"

#define XFORMS_NS "http://www.w3.org/2002/xforms"

static void
escape (GString *out, const char *text, gboolean attribute)
{
  for (const char *p = text; *p != '\0'; p++)
    switch (*p)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '"':
        if (attribute)
          g_string_append (out, "&quot;");
        else
          g_string_append_c (out, '"');
        break;
      case '\r': g_string_append (out, "&#13;"); break;
      default: g_string_append_c (out, *p); break;
      }
}

static void
collect_prefixes (SaphanNode *node, GTree *prefixes)
{
  if (node->prefix != NULL && node->ns != NULL)
    g_tree_insert (prefixes, node->prefix, node->ns);
  for (SaphanNode *a = node->first_attr; a != NULL; a = a->next)
    if (a->prefix != NULL && a->ns != NULL)
      g_tree_insert (prefixes, a->prefix, a->ns);
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    collect_prefixes (c, prefixes);
}

static void
append_qname (GString *out, SaphanNode *node)
{
  if (node->prefix != NULL)
    {
      g_string_append (out, node->prefix);
      g_string_append_c (out, ':');
    }
  g_string_append (out, node->local);
}

static gboolean
add_ns_decl (gpointer key, gpointer value, gpointer data)
{
  GString *out = data;

  g_string_append_printf (out, " xmlns:%s=\"", (const char *) key);
  escape (out, value, TRUE);
  g_string_append_c (out, '"');
  return FALSE;
}

static void
write_element (SaphanNode *node, GString *out, GTree *root_decls)
{
  NodeState *st = node->model;

  if (st != NULL && !st->relevant_self)
    return;
  g_string_append_c (out, '<');
  append_qname (out, node);
  if (root_decls != NULL)
    {
      if (node->ns != NULL && node->prefix == NULL && strcmp (node->ns, XFORMS_NS) != 0)
        {
          g_string_append (out, " xmlns=\"");
          escape (out, node->ns, TRUE);
          g_string_append_c (out, '"');
        }
      g_tree_foreach (root_decls, add_ns_decl, out);
    }
  for (SaphanNode *a = node->first_attr; a != NULL; a = a->next)
    {
      g_string_append_c (out, ' ');
      append_qname (out, a);
      g_string_append (out, "=\"");
      escape (out, saphan_node_get_value (a), TRUE);
      g_string_append_c (out, '"');
    }
  if (node->first_child == NULL)
    {
      const char *value = saphan_node_get_value (node);
      if (*value == '\0')
        {
          g_string_append (out, "/>");
          return;
        }
      g_string_append_c (out, '>');
      escape (out, value, FALSE);
    }
  else
    {
      g_string_append_c (out, '>');
      for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
        write_element (c, out, NULL);
    }
  g_string_append (out, "</");
  append_qname (out, node);
  g_string_append_c (out, '>');
}

GBytes *
_saphan_session_serialize (SaphanSession *self)
{
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  SaphanNode *root = self->doc != NULL ? self->doc->first_child : NULL;

  if (root != NULL)
    {
      g_autoptr (GTree) prefixes = g_tree_new ((GCompareFunc) strcmp);
      collect_prefixes (root, prefixes);
      write_element (root, out, prefixes);
    }
  g_string_append_c (out, '\n');
  return g_string_free_to_bytes (out);
}

GBytes *
saphan_session_serialize (SaphanSession *self)
{
  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  return _saphan_session_serialize (self);
}

static void
validate_rec (SaphanSession *self, SaphanNode *node, GPtrArray *out)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    {
      NodeState *st = c->model;
      SaphanViolationKind kind;

      if (st != NULL && !st->relevant_self)
        continue;
      kind = _saphan_session_violation (c);
      if (kind != SAPHAN_VIOLATION_NONE)
        {
          SaphanNodeState *s = g_new0 (SaphanNodeState, 1);
          s->ref = _saphan_session_ref (self, c);
          s->kind = _saphan_session_kind_name (self, c);
          s->relevant = TRUE;
          s->required = st != NULL && st->required;
          s->readonly = _saphan_session_readonly (c);
          s->is_leaf = TRUE;
          s->value = g_strdup (saphan_node_get_value (c));
          s->violation = kind;
          s->message = _saphan_session_violation_message (self, c, kind);
          g_ptr_array_add (out, s);
        }
      validate_rec (self, c, out);
    }
}

GPtrArray *
saphan_session_validate (SaphanSession *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_node_state_free);

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), out);
  if (self->doc != NULL)
    validate_rec (self, self->doc, out);
  return out;
}

static SaphanNode *
find_instance_id (SaphanSession *self)
{
  SaphanNode *root = self->doc != NULL ? self->doc->first_child : NULL;
  SaphanNode *meta;

  if (root == NULL || (meta = saphan_node_first_child_named (root, "meta")) == NULL)
    return NULL;
  return saphan_node_first_child_named (meta, "instanceID");
}

static void
collect_attachments (SaphanNode *node, GPtrArray *out)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    {
      NodeState *st = c->model;

      if (st != NULL && !st->relevant_self)
        continue;
      if (c->first_child == NULL && st != NULL && st->bind != NULL && st->bind->type == SAPHAN_FORM_TYPE_BINARY &&
          *saphan_node_get_value (c) != '\0' && !g_ptr_array_find_with_equal_func (out, c->value, g_str_equal, NULL))
        g_ptr_array_add (out, g_strdup (c->value));
      collect_attachments (c, out);
    }
}

GBytes *
saphan_session_finalize_bytes (SaphanSession *self, char **out_instance_id, GPtrArray **out_attachments,
                               GError **error)
{
  g_autoptr (GPtrArray) violations = NULL;
  SaphanNode *id_node;

  g_return_val_if_fail (SAPHAN_IS_SESSION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->doc == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE, _("The answers were wiped; start a new session"));
      return NULL;
    }
  violations = saphan_session_validate (self);
  if (violations->len > 0)
    {
      g_autoptr (GString) text = g_string_new (NULL);

      for (guint i = 0; i < violations->len; i++)
        {
          SaphanNodeState *s = violations->pdata[i];
          g_string_append_printf (text, "\n  %s: %s", s->ref, s->message);
        }
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The form cannot be finished; answers missing or not accepted (%u):%s"),
                   violations->len, text->str);
      return NULL;
    }

  /* The end timestamp is taken now; an empty instanceID gets one. */
  {
    g_autoptr (GArray) dirty = _saphan_session_dirty_new ();
    for (guint i = 0; i < self->form->bind_list->len; i++)
      {
        FormBind *bind = self->form->bind_list->pdata[i];
        GPtrArray *nodes;

        if (g_strcmp0 (bind->preload, "timestamp") != 0 || g_strcmp0 (bind->preload_params, "end") != 0 ||
            (nodes = _saphan_session_nodes_at (self, bind->path)) == NULL)
          continue;
        for (guint k = 0; k < nodes->len; k++)
          {
            g_autoptr (GDateTime) now = self->env.now (self->env.data);
            g_autofree char *head = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
            g_autofree char *zone = g_date_time_format (now, "%:z");
            g_autofree char *value = g_strdup_printf ("%s.%03d%s", head, g_date_time_get_microsecond (now) / 1000, zone);
            _saphan_session_set_value (self, nodes->pdata[k], value, dirty);
          }
      }
    id_node = find_instance_id (self);
    if (id_node != NULL && *saphan_node_get_value (id_node) == '\0')
      {
        g_autofree char *random = g_uuid_string_random ();
        g_autofree char *uuid = g_strconcat ("uuid:", random, NULL);
        _saphan_session_set_value (self, id_node, uuid, dirty);
      }
    if (dirty->len > 0)
      _saphan_session_recompute (self, dirty, FALSE);
    g_hash_table_remove_all (self->changed);
  }

  if (out_instance_id != NULL)
    {
      g_autofree char *random = g_uuid_string_random ();
      *out_instance_id = id_node != NULL ? g_strdup (saphan_node_get_value (id_node))
                                         : g_strconcat ("uuid:", random, NULL);
    }
  if (out_attachments != NULL)
    {
      *out_attachments = g_ptr_array_new_with_free_func (g_free);
      collect_attachments (self->doc, *out_attachments);
    }
  return _saphan_session_serialize (self);
}

void
saphan_session_wipe (SaphanSession *self)
{
  g_return_if_fail (SAPHAN_IS_SESSION (self));

  g_hash_table_remove_all (self->changed);
  g_clear_pointer (&self->by_path, g_hash_table_unref);
  if (self->doc != NULL)
    {
      _saphan_session_free_states (self->doc, TRUE);
      g_clear_pointer (&self->doc, saphan_node_free);
    }
}
