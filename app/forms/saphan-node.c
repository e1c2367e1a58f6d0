/* saphan-node.c: the instance tree. */
#include "config.h"

#include "saphan-node.h"

#include <string.h>

/* Each document node keeps its current order serial in ORDER_SERIAL; a
 * structural change gives it a new one, which invalidates every node's
 * ORDER at once. Serials come from one process-wide counter: a subtree built
 * on its own (a new repeat instance) counts serials too, and per-tree
 * counters could make a moved node's stale serial equal its new document's,
 * so that its old ORDER would be trusted. */
static guint32
next_serial (void)
{
  static gint counter = 0;
  guint32 serial;

  do
    serial = (guint32) g_atomic_int_add (&counter, 1) + 1;
  while (serial == 0);
  return serial;
}

static void
invalidate_order (SaphanNode *node)
{
  SaphanNode *doc = saphan_node_document (node);

  doc->order_serial = next_serial ();
}

SaphanNode *
saphan_node_new_document (void)
{
  SaphanNode *node = g_new0 (SaphanNode, 1);

  node->kind = SAPHAN_NODE_DOCUMENT;
  node->order_serial = next_serial ();
  return node;
}

SaphanNode *
saphan_node_new_element (const char *prefix, const char *local, const char *ns)
{
  SaphanNode *node;

  g_return_val_if_fail (local != NULL, NULL);

  node = g_new0 (SaphanNode, 1);
  node->kind = SAPHAN_NODE_ELEMENT;
  node->prefix = g_strdup (prefix);
  node->local = g_strdup (local);
  node->ns = g_strdup (ns);
  return node;
}

void
saphan_node_free (SaphanNode *node)
{
  SaphanNode *child, *next;

  if (node == NULL)
    return;

  for (child = node->first_child; child != NULL; child = next)
    {
      next = child->next;
      child->parent = NULL;
      saphan_node_free (child);
    }
  for (child = node->first_attr; child != NULL; child = next)
    {
      next = child->next;
      saphan_node_free (child);
    }
  g_free (node->local);
  g_free (node->prefix);
  g_free (node->ns);
  g_free (node->value);
  g_free (node);
}

void
saphan_node_insert_after (SaphanNode *parent, SaphanNode *sibling, SaphanNode *child)
{
  g_return_if_fail (parent != NULL && child != NULL);
  g_return_if_fail (child->parent == NULL && child->kind == SAPHAN_NODE_ELEMENT);
  g_return_if_fail (sibling == NULL || sibling->parent == parent);

  child->parent = parent;
  child->prev = sibling;
  child->next = sibling != NULL ? sibling->next : parent->first_child;
  if (child->next != NULL)
    child->next->prev = child;
  else
    parent->last_child = child;
  if (sibling != NULL)
    sibling->next = child;
  else
    parent->first_child = child;
  parent->n_children++;
  invalidate_order (parent);
}

void
saphan_node_append (SaphanNode *parent, SaphanNode *child)
{
  saphan_node_insert_after (parent, parent->last_child, child);
}

void
saphan_node_detach (SaphanNode *node)
{
  SaphanNode *parent = node->parent;

  g_return_if_fail (node->kind == SAPHAN_NODE_ELEMENT);
  if (parent == NULL)
    return;

  invalidate_order (parent);
  if (node->prev != NULL)
    node->prev->next = node->next;
  else
    parent->first_child = node->next;
  if (node->next != NULL)
    node->next->prev = node->prev;
  else
    parent->last_child = node->prev;
  parent->n_children--;
  node->parent = node->prev = node->next = NULL;
}

SaphanNode *
saphan_node_deep_copy (const SaphanNode *node)
{
  SaphanNode *copy, *child;

  g_return_val_if_fail (node != NULL, NULL);

  if (node->kind == SAPHAN_NODE_DOCUMENT)
    copy = saphan_node_new_document ();
  else
    {
      copy = g_new0 (SaphanNode, 1);
      copy->kind = node->kind;
      copy->local = g_strdup (node->local);
      copy->prefix = g_strdup (node->prefix);
      copy->ns = g_strdup (node->ns);
    }
  copy->value = g_strdup (node->value);

  for (child = node->first_attr; child != NULL; child = child->next)
    saphan_node_set_attr (copy, child->prefix, child->local, child->ns, child->value);
  for (child = node->first_child; child != NULL; child = child->next)
    saphan_node_append (copy, saphan_node_deep_copy (child));
  return copy;
}

SaphanNode *
saphan_node_get_attr (const SaphanNode *element, const char *local)
{
  for (SaphanNode *a = element->first_attr; a != NULL; a = a->next)
    if (g_strcmp0 (a->local, local) == 0)
      return a;
  return NULL;
}

SaphanNode *
saphan_node_set_attr (SaphanNode *element, const char *prefix, const char *local,
                      const char *ns, const char *value)
{
  SaphanNode *attr, *last = NULL;

  g_return_val_if_fail (element != NULL && local != NULL, NULL);

  for (attr = element->first_attr; attr != NULL; attr = attr->next)
    {
      if (g_strcmp0 (attr->local, local) == 0 && g_strcmp0 (attr->ns, ns) == 0)
        {
          saphan_node_set_value (attr, value);
          return attr;
        }
      last = attr;
    }

  attr = g_new0 (SaphanNode, 1);
  attr->kind = SAPHAN_NODE_ATTRIBUTE;
  attr->local = g_strdup (local);
  attr->prefix = g_strdup (prefix);
  attr->ns = g_strdup (ns);
  attr->value = g_strdup (value != NULL ? value : "");
  attr->parent = element;
  attr->prev = last;
  if (last != NULL)
    last->next = attr;
  else
    element->first_attr = attr;
  invalidate_order (element);
  return attr;
}

const char *
saphan_node_get_value (const SaphanNode *node)
{
  return node->value != NULL ? node->value : "";
}

gboolean
saphan_node_set_value (SaphanNode *node, const char *value)
{
  if (g_strcmp0 (saphan_node_get_value (node), value != NULL ? value : "") == 0)
    return FALSE;
  g_free (node->value);
  node->value = (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
  return TRUE;
}

static void
append_text (const SaphanNode *node, GString *out)
{
  if (node->first_child == NULL)
    {
      if (node->value != NULL)
        g_string_append (out, node->value);
      return;
    }
  for (const SaphanNode *c = node->first_child; c != NULL; c = c->next)
    append_text (c, out);
}

char *
saphan_node_string_value (const SaphanNode *node)
{
  GString *out;

  if (node->kind == SAPHAN_NODE_ATTRIBUTE || node->first_child == NULL)
    return g_strdup (saphan_node_get_value (node));
  out = g_string_new (NULL);
  append_text (node, out);
  return g_string_free (out, FALSE);
}

SaphanNode *
saphan_node_document (const SaphanNode *node)
{
  while (node->parent != NULL)
    node = node->parent;
  return (SaphanNode *) node;
}

SaphanNode *
saphan_node_first_child_named (const SaphanNode *node, const char *local)
{
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    if (g_strcmp0 (c->local, local) == 0)
      return c;
  return NULL;
}

guint
saphan_node_sibling_index (const SaphanNode *node)
{
  guint index = 1;

  if (node->kind != SAPHAN_NODE_ELEMENT)
    return 1;
  for (const SaphanNode *s = node->prev; s != NULL; s = s->prev)
    if (g_strcmp0 (s->local, node->local) == 0)
      index++;
  return index;
}

static gboolean
has_same_named_sibling (const SaphanNode *node)
{
  if (node->parent == NULL)
    return FALSE;
  for (const SaphanNode *s = node->parent->first_child; s != NULL; s = s->next)
    if (s != node && g_strcmp0 (s->local, node->local) == 0)
      return TRUE;
  return FALSE;
}

static void
build_path (const SaphanNode *node, GString *out, GString *generic, GHashTable *repeat_paths)
{
  if (node == NULL || node->kind == SAPHAN_NODE_DOCUMENT)
    return;
  build_path (node->parent, out, generic, repeat_paths);

  if (node->kind == SAPHAN_NODE_ATTRIBUTE)
    {
      g_string_append (generic, "/@");
      g_string_append (generic, node->local);
      if (out != NULL)
        g_string_append_printf (out, "/@%s", node->local);
      return;
    }

  /* Local names only, as saphan_xpath_expr_collect_refs() writes them: an
   * expression may say /data/meta/instanceID for an instance written with
   * orx: prefixes, and an unprefixed name test matches any namespace, so the
   * path also stays a valid expression that finds this node again. */
  g_string_append_c (generic, '/');
  g_string_append (generic, node->local);
  if (out == NULL)
    return;

  g_string_append_c (out, '/');
  g_string_append (out, node->local);
  if ((repeat_paths != NULL && g_hash_table_contains (repeat_paths, generic->str)) ||
      has_same_named_sibling (node))
    g_string_append_printf (out, "[%u]", saphan_node_sibling_index (node));
}

char *
saphan_node_path (const SaphanNode *node, GHashTable *repeat_paths)
{
  g_autoptr (GString) generic = g_string_new (NULL);
  GString *out = g_string_new (NULL);

  build_path (node, out, generic, repeat_paths);
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

char *
saphan_node_generic_path (const SaphanNode *node)
{
  GString *generic = g_string_new (NULL);

  build_path (node, NULL, generic, NULL);
  if (generic->len == 0)
    g_string_append_c (generic, '/');
  return g_string_free (generic, FALSE);
}

static guint32
number_subtree (SaphanNode *node, guint32 next, guint32 serial)
{
  node->order = next++;
  node->order_serial = serial;
  for (SaphanNode *a = node->first_attr; a != NULL; a = a->next)
    {
      a->order = next++;
      a->order_serial = serial;
    }
  for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
    next = number_subtree (c, next, serial);
  return next;
}

/* Renumbers DOC when any of its nodes is stale. Nodes are numbered all at
 * once, so one node carrying the document's serial means all of them do. */
static void
ensure_order (SaphanNode *doc, const SaphanNode *a, const SaphanNode *b)
{
  if (a->order_serial == doc->order_serial && b->order_serial == doc->order_serial)
    return;
  /* The root carries the serial and is always numbered 0. */
  number_subtree (doc, 0, doc->order_serial);
}

int
saphan_node_compare_order (const SaphanNode *a, const SaphanNode *b)
{
  SaphanNode *da, *db;

  if (a == b)
    return 0;
  da = saphan_node_document (a);
  db = saphan_node_document (b);
  if (da != db)
    return da < db ? -1 : 1;

  ensure_order (da, a, b);
  return a->order < b->order ? -1 : a->order > b->order ? 1 : 0;
}
