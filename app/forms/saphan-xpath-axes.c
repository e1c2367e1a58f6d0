/* saphan-xpath-axes.c: node tests and the thirteen axes over SaphanNode.
 *
 * The walks are iterative (parent and sibling pointers, no recursion) and
 * allocate nothing beyond appending to the caller's array.
 *
 *  - An unprefixed name test matches the local name in any namespace: ODK
 *    instances inherit the XForms default namespace. A prefixed name test
 *    matches the namespace URI the form's map gives the prefix, or, when the
 *    map does not know the prefix, the prefix as written in the instance.
 *  - Instances have no text nodes: text() selects a leaf element with a
 *    non-empty value in place of its text node, on the child and
 *    descendant axes.
 */
#include "config.h"

#include "saphan-xpath-private.h"

#include <string.h>

/* ---- Node tests and axes ------------------------------------------------ */

static inline gboolean
namespace_matches (const XStep *step, const SaphanNode *node)
{
  if (step->ns != NULL)
    {
      if (node->ns != NULL)
        return strcmp (node->ns, step->ns) == 0;
      return node->prefix != NULL && strcmp (node->prefix, step->prefix) == 0;
    }
  return node->prefix != NULL && strcmp (node->prefix, step->prefix) == 0;
}

static inline gboolean
node_matches (const XStep *step, const SaphanNode *node)
{
  SaphanNodeKind principal =
    step->axis == XAXIS_ATTRIBUTE ? SAPHAN_NODE_ATTRIBUTE : SAPHAN_NODE_ELEMENT;

  switch (step->test)
    {
    case XTEST_NODE:
      return TRUE;
    case XTEST_ANY:
      return node->kind == principal;
    case XTEST_NAME:
      if (node->kind != principal || node->local[0] != step->local[0] ||
          strcmp (node->local, step->local) != 0)
        return FALSE;
      return step->prefix == NULL || namespace_matches (step, node);
    case XTEST_NS_ANY:
      return node->kind == principal && namespace_matches (step, node);
    case XTEST_TEXT:
      return node->kind == SAPHAN_NODE_ELEMENT && node->first_child == NULL &&
             node->value != NULL && node->value[0] != '\0';
    case XTEST_NEVER:
    default:
      return FALSE;
    }
}

static inline void
add_if (const XStep *step, SaphanNode *node, GPtrArray *out)
{
  if (node_matches (step, node))
    g_ptr_array_add (out, node);
}

/* The next element after NODE in document order within ROOT's subtree. */
static inline SaphanNode *
next_preorder (SaphanNode *node, const SaphanNode *root)
{
  if (node->first_child != NULL)
    return node->first_child;
  while (node != root)
    {
      if (node->next != NULL)
        return node->next;
      node = node->parent;
    }
  return NULL;
}

static void
add_descendants (const XStep *step, SaphanNode *root, GPtrArray *out)
{
  for (SaphanNode *n = root->first_child; n != NULL; n = next_preorder (n, root))
    add_if (step, n, out);
}

static inline SaphanNode *
deepest_last (SaphanNode *node)
{
  while (node->last_child != NULL)
    node = node->last_child;
  return node;
}

/* Appends the nodes of NODE's axis that pass the node test, in proximity
 * order: document order for forward axes, reverse for the others. */
void
_saphan_xpath_collect_axis (const XStep *step, SaphanNode *node, GPtrArray *out)
{
  gboolean is_attr = node->kind == SAPHAN_NODE_ATTRIBUTE;

  if (step->test == XTEST_TEXT)
    {
      /* A leaf stands for its own text node, which is its child. */
      if (step->axis == XAXIS_CHILD || step->axis == XAXIS_DESCENDANT ||
          step->axis == XAXIS_DESCENDANT_OR_SELF)
        {
          add_if (step, node, out);
          if (step->axis != XAXIS_CHILD)
            add_descendants (step, node, out);
        }
      return;
    }

  switch (step->axis)
    {
    case XAXIS_CHILD:
      for (SaphanNode *c = node->first_child; c != NULL; c = c->next)
        add_if (step, c, out);
      break;
    case XAXIS_DESCENDANT_OR_SELF:
      add_if (step, node, out);
      G_GNUC_FALLTHROUGH;
    case XAXIS_DESCENDANT:
      add_descendants (step, node, out);
      break;
    case XAXIS_PARENT:
      if (node->parent != NULL)
        add_if (step, node->parent, out);
      break;
    case XAXIS_ANCESTOR_OR_SELF:
      add_if (step, node, out);
      G_GNUC_FALLTHROUGH;
    case XAXIS_ANCESTOR:
      for (SaphanNode *a = node->parent; a != NULL; a = a->parent)
        add_if (step, a, out);
      break;
    case XAXIS_SELF:
      add_if (step, node, out);
      break;
    case XAXIS_ATTRIBUTE:
      for (SaphanNode *a = node->first_attr; a != NULL; a = a->next)
        add_if (step, a, out);
      break;
    case XAXIS_FOLLOWING_SIBLING:
      if (!is_attr)
        for (SaphanNode *s = node->next; s != NULL; s = s->next)
          add_if (step, s, out);
      break;
    case XAXIS_PRECEDING_SIBLING:
      if (!is_attr)
        for (SaphanNode *s = node->prev; s != NULL; s = s->prev)
          add_if (step, s, out);
      break;
    case XAXIS_FOLLOWING:
      {
        SaphanNode *start = node;

        /* What follows an attribute starts with its element's content. */
        if (is_attr)
          {
            start = node->parent;
            add_descendants (step, start, out);
          }
        for (SaphanNode *a = start; a != NULL; a = a->parent)
          for (SaphanNode *s = a->next; s != NULL; s = s->next)
            {
              add_if (step, s, out);
              add_descendants (step, s, out);
            }
        break;
      }
    case XAXIS_PRECEDING:
      {
        SaphanNode *start = is_attr ? node->parent : node;

        for (SaphanNode *a = start; a != NULL; a = a->parent)
          for (SaphanNode *s = a->prev; s != NULL; s = s->prev)
            for (SaphanNode *n = deepest_last (s);; n = n->prev != NULL ? deepest_last (n->prev) : n->parent)
              {
                add_if (step, n, out);
                if (n == s)
                  break;
              }
        break;
      }
    case XAXIS_NAMESPACE:
    default:
      break;
    }
}

gboolean
_saphan_xpath_is_reverse_axis (XAxis axis)
{
  return axis == XAXIS_ANCESTOR || axis == XAXIS_ANCESTOR_OR_SELF ||
         axis == XAXIS_PRECEDING || axis == XAXIS_PRECEDING_SIBLING;
}
