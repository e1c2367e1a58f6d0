/* saphan-xpath-refs.c: which primary-instance nodes an expression reads.
 *
 * The form model builds its dependency graph from these paths once per
 * form, so this walks the syntax tree statically, without any instance.
 * Paths are generic (no indices) and made of LOCAL names only, the same
 * form saphan_node_generic_path() produces, so "/data/meta/instanceID" in an
 * expression and an instance written with "orx:" prefixes meet.
 *
 * A reference stands for the node(s) at that path and everything below
 * them. Steps a generic path cannot express (descendant axes, wildcards,
 * following::) end the path at the deepest node that still covers every
 * node the step could reach; e.g. "/data/grp//q" gives "/data/grp".
 */
#include "config.h"

#include "saphan-xpath-private.h"

#include <string.h>

typedef struct
{
  const char *current;   /* current()'s generic path */
  GPtrArray  *out;
} Refs;

static void collect (Refs *refs, const XNode *node, const char *context);

/* Removes the last "/segment" of PATH. */
static void
pop_segment (GString *path)
{
  const char *slash = strrchr (path->str, '/');

  g_string_truncate (path, slash != NULL ? (gsize) (slash - path->str) : 0);
}

/* Keeps only the first segment ("/data"), which covers the whole instance. */
static void
keep_top (GString *path)
{
  const char *second = path->len > 0 ? strchr (path->str + 1, '/') : NULL;

  if (second != NULL)
    g_string_truncate (path, second - path->str);
}

/* Truncates PATH after its last segment named LOCAL, skipping the final
 * segment unless OR_SELF. Returns FALSE when there is none. */
static gboolean
truncate_to_ancestor (GString *path, const char *local, gboolean or_self)
{
  g_auto (GStrv) parts = g_strsplit (path->str, "/", -1);
  int n = g_strv_length (parts);

  for (int i = or_self ? n - 1 : n - 2; i >= 1; i--)
    if (g_str_equal (parts[i], local))
      {
        g_string_truncate (path, 0);
        for (int j = 1; j <= i; j++)
          g_string_append_printf (path, "/%s", parts[j]);
        return TRUE;
      }
  return FALSE;
}

/* Moves PATH along STEP. Returns FALSE when the result can no longer be
 * written as a generic path; PATH then covers everything STEP can reach. */
static gboolean
apply_step (GString *path, const XStep *step)
{
  gboolean named = step->test == XTEST_NAME;

  switch (step->axis)
    {
    case XAXIS_SELF:
      return step->test != XTEST_NEVER;
    case XAXIS_PARENT:
      pop_segment (path);
      return TRUE;
    case XAXIS_CHILD:
      if (step->test == XTEST_TEXT)
        return TRUE;
      if (!named)
        return FALSE;
      g_string_append_printf (path, "/%s", step->local);
      return TRUE;
    case XAXIS_ATTRIBUTE:
      if (!named)
        return FALSE;
      g_string_append_printf (path, "/@%s", step->local);
      return TRUE;
    case XAXIS_FOLLOWING_SIBLING:
    case XAXIS_PRECEDING_SIBLING:
      pop_segment (path);
      if (!named)
        return FALSE;
      g_string_append_printf (path, "/%s", step->local);
      return TRUE;
    case XAXIS_ANCESTOR:
    case XAXIS_ANCESTOR_OR_SELF:
      if (named && truncate_to_ancestor (path, step->local, step->axis == XAXIS_ANCESTOR_OR_SELF))
        return TRUE;
      keep_top (path);
      return FALSE;
    case XAXIS_FOLLOWING:
    case XAXIS_PRECEDING:
      keep_top (path);
      return FALSE;
    case XAXIS_DESCENDANT:
    case XAXIS_DESCENDANT_OR_SELF:
    case XAXIS_NAMESPACE:
    default:
      return FALSE;
    }
}

static void
collect_all (Refs *refs, XNode *const *nodes, guint n, const char *context)
{
  for (guint i = 0; i < n; i++)
    collect (refs, nodes[i], context);
}

static void
emit (Refs *refs, const GString *path)
{
  g_ptr_array_add (refs->out, g_strdup (path->len > 0 ? path->str : "/"));
}

/* CONTEXT is the generic path relative paths start from, or NULL where the
 * context node is in a secondary instance (inside instance('x')/...[...]):
 * there only absolute paths and current() read the primary instance. */
static void
collect_path (Refs *refs, const XNode *node, const char *context)
{
  g_autoptr (GString) path = NULL;
  const XNode *filter = node->path.filter;
  gboolean open = TRUE;

  if (node->path.absolute)
    path = g_string_new (NULL);
  else if (filter == NULL)
    path = context != NULL ? g_string_new (context) : NULL;
  else if (filter->kind == XNODE_CURRENT)
    path = g_string_new (refs->current);
  else if (filter->kind != XNODE_INSTANCE)
    {
      /* A general filter ("(a | b)/c", "if(c, /a, /b)/d"): its own refs
       * cover the nodes it yields and, being subtrees, what lies below. */
      collect (refs, filter, context);
    }
  if (path != NULL && path->len == 1 && path->str[0] == '/')
    g_string_truncate (path, 0);

  collect_all (refs, node->path.filter_preds, node->path.n_filter_preds,
               path != NULL ? (path->len > 0 ? path->str : "/") : NULL);

  for (guint i = 0; i < node->path.n_steps; i++)
    {
      const XStep *step = &node->path.steps[i];

      if (path != NULL && open)
        open = apply_step (path, step);
      collect_all (refs, step->preds, step->n_preds,
                   path != NULL ? (path->len > 0 ? path->str : "/") : NULL);
    }

  if (path != NULL)
    emit (refs, path);
}

static void
collect (Refs *refs, const XNode *node, const char *context)
{
  switch (node->kind)
    {
    case XNODE_NUMBER:
    case XNODE_STRING:
    case XNODE_POSITION:
    case XNODE_LAST:
      break;
    case XNODE_CHAIN:
    case XNODE_UNION:
      collect_all (refs, node->chain.args, node->chain.n, context);
      break;
    case XNODE_NEGATE:
      collect (refs, node->operand, context);
      break;
    case XNODE_CALL:
    case XNODE_INSTANCE:
      collect_all (refs, node->call.args, node->call.n, context);
      break;
    case XNODE_CURRENT:
      g_ptr_array_add (refs->out, g_strdup (refs->current));
      break;
    case XNODE_PATH:
      collect_path (refs, node, context);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Appends one step ("orx:meta[2]", "@jr:x") as "/meta" or "/@x". */
static void
append_generic_step (GString *out, const char *step, gsize len)
{
  const char *end = step + len, *colon = NULL, *p;
  gboolean attr;

  while (len > 0 && g_ascii_isspace (*step))
    step++, len--;
  for (p = step; p < end && *p != '['; p++)
    if (*p == ':')
      colon = p;
  end = p;
  while (end > step && g_ascii_isspace (end[-1]))
    end--;
  if (end == step)
    return;
  attr = *step == '@';
  g_string_append (out, attr ? "/@" : "/");
  if (colon != NULL)
    step = colon + 1;
  else if (attr)
    step++;
  g_string_append_len (out, step, end - step);
}

char *
saphan_xpath_generic_path (const char *path)
{
  GString *out = g_string_new (NULL);
  const char *segment;
  int depth = 0;

  if (path == NULL)
    path = "";

  /* Slashes inside predicates ("rep[q/x = 1]") do not separate steps. */
  segment = path;
  for (const char *p = path;; p++)
    {
      if (*p == '[')
        depth++;
      else if (*p == ']' && depth > 0)
        depth--;
      else if ((*p == '/' && depth == 0) || *p == '\0')
        {
          append_generic_step (out, segment, p - segment);
          if (*p == '\0')
            break;
          segment = p + 1;
        }
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

void
saphan_xpath_expr_collect_refs (const SaphanXPathExpr *expr, const char *context_path,
                                GPtrArray *out)
{
  g_autofree char *context = NULL;
  Refs refs;

  g_return_if_fail (expr != NULL && out != NULL);

  context = saphan_xpath_generic_path (context_path);
  refs.current = context;
  refs.out = out;
  collect (&refs, expr->root, g_str_equal (context, "/") ? "" : context);
}
