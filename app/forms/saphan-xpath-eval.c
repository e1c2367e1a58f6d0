/* saphan-xpath-eval.c: evaluating a compiled expression over instance trees.
 *
 * The recursion follows the syntax tree, whose depth the parser bounds, so
 * evaluation cannot run away on the stack. Node-sets are GPtrArrays of
 * borrowed nodes; the axis walks are iterative and compare names with
 * strcmp, allocating nothing but the arrays themselves.
 *
 * Semantics chosen where XPath 1.0 leaves room or ODK differs:
 *  - An absolute path ("/data/q") always starts at the primary instance,
 *    the document of current(), even inside a predicate that is filtering a
 *    secondary instance (instance('c')/root/item[name = /data/q]), as
 *    JavaRosa does.
 *  - instance('id') is the document node of that instance, so that
 *    instance('id')/root/item names the instance's root element.
 */
#include "config.h"

#include "saphan-xpath-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "saphan-error.h"

static void
eval_error (GError **error, const SaphanXPathExpr *expr, const char *what)
{
  g_autofree char *quoted = _saphan_xpath_quote (expr->text);

  /* TRANSLATORS: %s is what went wrong, then the expression. */
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID, _("%s in %s"), what, quoted);
}

/* ---- Predicates --------------------------------------------------------- */

/* Filters NODES (in proximity order) through PREDS in place. */
static gboolean
apply_predicates (const SaphanXPathExpr *expr, XNode *const *preds, guint n_preds,
                  gboolean first_is_index, const SaphanXPathContext *ctx, GPtrArray *nodes,
                  GError **error)
{
  for (guint i = 0; i < n_preds && nodes->len > 0; i++)
    {
      guint size = nodes->len, out = 0;

      if (i == 0 && first_is_index)
        {
          double index = preds[0]->number;

          if (index >= 1 && index <= size && index == floor (index))
            {
              nodes->pdata[0] = nodes->pdata[(guint) index - 1];
              g_ptr_array_set_size (nodes, 1);
            }
          else
            g_ptr_array_set_size (nodes, 0);
          continue;
        }

      for (guint j = 0; j < size; j++)
        {
          XEvalContext inner = *(const XEvalContext *) ctx;
          SaphanXPathValue v = { 0 };
          gboolean keep;

          inner.base.node = nodes->pdata[j];
          inner.base.position = j + 1;
          inner.base.size = size;
          inner.in_predicate = TRUE;
          if (!_saphan_xpath_eval_node (expr, preds[i], &inner.base, &v, error))
            return FALSE;
          if (v.type == SAPHAN_XPATH_NUMBER)
            keep = v.number == (double) (j + 1);
          else
            keep = saphan_xpath_value_to_boolean (&v);
          saphan_xpath_value_clear (&v);
          if (keep)
            nodes->pdata[out++] = nodes->pdata[j];
        }
      g_ptr_array_set_size (nodes, out);
    }
  return TRUE;
}

/* ---- Paths -------------------------------------------------------------- */

/* Applies STEP to every node of *NODES, replacing it with the result in
 * document order. *DISJOINT tracks whether no node of the set is an
 * ancestor of another, which lets child steps skip sorting. */
static gboolean
eval_step (const SaphanXPathExpr *expr, const XStep *step, const SaphanXPathContext *ctx,
           GPtrArray **nodes, gboolean *disjoint, GError **error)
{
  GPtrArray *input = *nodes;
  g_autoptr (GPtrArray) output = g_ptr_array_new ();
  g_autoptr (GPtrArray) scratch = NULL;
  gboolean reverse = _saphan_xpath_is_reverse_axis (step->axis);
  gboolean ordered_walk;

  if (input->len == 1 && step->cache_nodes != NULL)
    {
      SaphanNode *parent = input->pdata[0];
      guint32 serial = saphan_node_document (parent)->order_serial;
      GMutex *lock = (GMutex *) &expr->cache_lock;

      g_mutex_lock (lock);
      if (step->cache_parent != parent || step->cache_serial != serial)
        {
          XStep *mutable_step = (XStep *) step;

          g_ptr_array_set_size (step->cache_nodes, 0);
          _saphan_xpath_collect_axis (step, parent, step->cache_nodes);
          mutable_step->cache_parent = parent;
          mutable_step->cache_serial = serial;
        }
      for (guint i = 0; i < step->cache_nodes->len; i++)
        g_ptr_array_add (output, step->cache_nodes->pdata[i]);
      g_mutex_unlock (lock);
      if (!apply_predicates (expr, step->preds, step->n_preds, step->first_pred_is_index, ctx,
                             output, error))
        return FALSE;
    }
  else if (input->len == 1 && step->n_preds == 0)
    _saphan_xpath_collect_axis (step, input->pdata[0], output);
  else
    {
      scratch = g_ptr_array_new ();
      for (guint i = 0; i < input->len; i++)
        {
          g_ptr_array_set_size (scratch, 0);
          _saphan_xpath_collect_axis (step, input->pdata[i], scratch);
          if (!apply_predicates (expr, step->preds, step->n_preds, step->first_pred_is_index, ctx,
                                 scratch, error))
            return FALSE;
          for (guint j = 0; j < scratch->len; j++)
            g_ptr_array_add (output, scratch->pdata[j]);
        }
    }

  if (input->len == 1)
    {
      if (reverse)
        for (guint i = 0, j = output->len; i + 1 < j; i++, j--)
          {
            gpointer tmp = output->pdata[i];
            output->pdata[i] = output->pdata[j - 1];
            output->pdata[j - 1] = tmp;
          }
    }
  else
    {
      ordered_walk = *disjoint &&
                     (step->axis == XAXIS_CHILD || step->axis == XAXIS_ATTRIBUTE ||
                      step->axis == XAXIS_SELF || step->axis == XAXIS_DESCENDANT ||
                      step->axis == XAXIS_DESCENDANT_OR_SELF) && step->test != XTEST_TEXT;
      if (!ordered_walk)
        _saphan_xpath_sort_nodes (output);
    }

  *disjoint = output->len <= 1 ||
              (*disjoint && (step->axis == XAXIS_CHILD || step->axis == XAXIS_ATTRIBUTE ||
                             step->axis == XAXIS_SELF));
  g_ptr_array_unref (input);
  *nodes = g_steal_pointer (&output);
  return TRUE;
}

static gboolean
eval_path (const SaphanXPathExpr *expr, const XNode *node, const SaphanXPathContext *ctx,
           SaphanXPathValue *out, GError **error)
{
  GPtrArray *nodes;
  gboolean disjoint = TRUE;

  if (node->path.filter != NULL)
    {
      SaphanXPathValue start = { 0 };

      if (!_saphan_xpath_eval_node (expr, node->path.filter, ctx, &start, error))
        return FALSE;
      if (start.type != SAPHAN_XPATH_NODESET)
        {
          saphan_xpath_value_clear (&start);
          eval_error (error, expr, _("a predicate or path step applied to a value that is not a node-set"));
          return FALSE;
        }
      nodes = g_steal_pointer (&start.nodes);
      disjoint = nodes->len <= 1;
      if (!apply_predicates (expr, node->path.filter_preds, node->path.n_filter_preds, FALSE, ctx,
                             nodes, error))
        {
          g_ptr_array_unref (nodes);
          return FALSE;
        }
    }
  else
    {
      SaphanNode *start = node->path.absolute ? saphan_node_document (ctx->current) : ctx->node;

      nodes = g_ptr_array_sized_new (1);
      g_ptr_array_add (nodes, start);
    }

  for (guint i = 0; i < node->path.n_steps && nodes->len > 0; i++)
    if (!eval_step (expr, &node->path.steps[i], ctx, &nodes, &disjoint, error))
      {
        g_ptr_array_unref (nodes);
        return FALSE;
      }

  out->type = SAPHAN_XPATH_NODESET;
  out->nodes = nodes;
  return TRUE;
}

/* ---- Operators ---------------------------------------------------------- */

static inline gboolean
compare_numbers (XOp op, double a, double b)
{
  switch (op)
    {
    case XOP_EQ: return a == b;
    case XOP_NEQ: return a != b;
    case XOP_LT: return a < b;
    case XOP_LTE: return a <= b;
    case XOP_GT: return a > b;
    case XOP_GTE: return a >= b;
    default: g_assert_not_reached ();
    }
}

static inline gboolean
compare_strings (XOp op, const char *a, const char *b)
{
  if (op == XOP_EQ || op == XOP_NEQ)
    return (strcmp (a, b) == 0) == (op == XOP_EQ);
  return compare_numbers (op, saphan_xpath_string_to_number (a), saphan_xpath_string_to_number (b));
}

static XOp
mirror (XOp op)
{
  switch (op)
    {
    case XOP_LT: return XOP_GT;
    case XOP_LTE: return XOP_GTE;
    case XOP_GT: return XOP_LT;
    case XOP_GTE: return XOP_LTE;
    default: return op;
    }
}

/* Node-set against a string, number or boolean: true when some node's
 * string-value compares true (XPath 1.0 section 3.4). */
static gboolean
compare_set_value (XOp op, const GPtrArray *set, const SaphanXPathValue *other)
{
  if (other->type == SAPHAN_XPATH_BOOLEAN)
    {
      gboolean a = set->len > 0;
      return op == XOP_EQ || op == XOP_NEQ
               ? (a == other->boolean) == (op == XOP_EQ)
               : compare_numbers (op, a ? 1 : 0, other->boolean ? 1 : 0);
    }
  for (guint i = 0; i < set->len; i++)
    {
      g_autofree char *tmp = NULL;
      const char *text = _saphan_xpath_node_text (set->pdata[i], &tmp);
      gboolean hit;

      if (other->type == SAPHAN_XPATH_NUMBER)
        hit = compare_numbers (op, saphan_xpath_string_to_number (text), other->number);
      else
        hit = compare_strings (op, text, other->string);
      if (hit)
        return TRUE;
    }
  return FALSE;
}

static gboolean
compare_values (XOp op, const SaphanXPathValue *a, const SaphanXPathValue *b)
{
  gboolean equality = op == XOP_EQ || op == XOP_NEQ;

  if (a->type == SAPHAN_XPATH_NODESET && b->type == SAPHAN_XPATH_NODESET)
    {
      g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

      for (guint j = 0; j < b->nodes->len; j++)
        g_ptr_array_add (texts, saphan_node_string_value (b->nodes->pdata[j]));
      for (guint i = 0; i < a->nodes->len; i++)
        {
          g_autofree char *tmp = NULL;
          const char *text = _saphan_xpath_node_text (a->nodes->pdata[i], &tmp);

          for (guint j = 0; j < texts->len; j++)
            if (compare_strings (op, text, texts->pdata[j]))
              return TRUE;
        }
      return FALSE;
    }
  if (a->type == SAPHAN_XPATH_NODESET)
    return compare_set_value (op, a->nodes, b);
  if (b->type == SAPHAN_XPATH_NODESET)
    return compare_set_value (mirror (op), b->nodes, a);

  if (equality && (a->type == SAPHAN_XPATH_BOOLEAN || b->type == SAPHAN_XPATH_BOOLEAN))
    return (saphan_xpath_value_to_boolean (a) == saphan_xpath_value_to_boolean (b)) == (op == XOP_EQ);
  if (equality && a->type == SAPHAN_XPATH_STRING && b->type == SAPHAN_XPATH_STRING)
    return compare_strings (op, a->string, b->string);
  return compare_numbers (op, saphan_xpath_value_to_number (a), saphan_xpath_value_to_number (b));
}

static gboolean
eval_chain (const SaphanXPathExpr *expr, const XNode *node, const SaphanXPathContext *ctx,
            SaphanXPathValue *out, GError **error)
{
  SaphanXPathValue acc = { 0 };

  if (node->chain.ops[0] == XOP_OR || node->chain.ops[0] == XOP_AND)
    {
      gboolean stop_on = node->chain.ops[0] == XOP_OR;

      for (guint i = 0; i < node->chain.n; i++)
        {
          gboolean b;

          if (!_saphan_xpath_eval_node (expr, node->chain.args[i], ctx, &acc, error))
            return FALSE;
          b = saphan_xpath_value_to_boolean (&acc);
          saphan_xpath_value_clear (&acc);
          if (b == stop_on)
            {
              _saphan_xpath_set_boolean (out, stop_on);
              return TRUE;
            }
        }
      _saphan_xpath_set_boolean (out, !stop_on);
      return TRUE;
    }

  if (!_saphan_xpath_eval_node (expr, node->chain.args[0], ctx, &acc, error))
    return FALSE;
  for (guint i = 1; i < node->chain.n; i++)
    {
      SaphanXPathValue rhs = { 0 };
      XOp op = node->chain.ops[i - 1];

      if (!_saphan_xpath_eval_node (expr, node->chain.args[i], ctx, &rhs, error))
        {
          saphan_xpath_value_clear (&acc);
          return FALSE;
        }
      if (op <= XOP_GTE)
        {
          gboolean b = compare_values (op, &acc, &rhs);

          saphan_xpath_value_clear (&acc);
          _saphan_xpath_set_boolean (&acc, b);
        }
      else
        {
          double x = saphan_xpath_value_to_number (&acc);
          double y = saphan_xpath_value_to_number (&rhs);
          double r;

          switch (op)
            {
            case XOP_ADD: r = x + y; break;
            case XOP_SUB: r = x - y; break;
            case XOP_MUL: r = x * y; break;
            case XOP_DIV: r = x / y; break;
            case XOP_MOD: r = fmod (x, y); break;
            default: g_assert_not_reached ();
            }
          saphan_xpath_value_clear (&acc);
          _saphan_xpath_set_number (&acc, r);
        }
      saphan_xpath_value_clear (&rhs);
    }
  *out = acc;
  return TRUE;
}

static gboolean
eval_union (const SaphanXPathExpr *expr, const XNode *node, const SaphanXPathContext *ctx,
            SaphanXPathValue *out, GError **error)
{
  GPtrArray *all = g_ptr_array_new ();

  for (guint i = 0; i < node->chain.n; i++)
    {
      SaphanXPathValue v = { 0 };

      if (!_saphan_xpath_eval_node (expr, node->chain.args[i], ctx, &v, error))
        {
          g_ptr_array_unref (all);
          return FALSE;
        }
      if (v.type != SAPHAN_XPATH_NODESET)
        {
          saphan_xpath_value_clear (&v);
          g_ptr_array_unref (all);
          eval_error (error, expr, _("“|” joins a value that is not a node-set"));
          return FALSE;
        }
      for (guint j = 0; j < v.nodes->len; j++)
        g_ptr_array_add (all, v.nodes->pdata[j]);
      saphan_xpath_value_clear (&v);
    }
  _saphan_xpath_sort_nodes (all);
  out->type = SAPHAN_XPATH_NODESET;
  out->nodes = all;
  return TRUE;
}

/* ---- Functions ---------------------------------------------------------- */

#define MAX_STACK_ARGS 8

static gboolean
eval_call (const SaphanXPathExpr *expr, const XNode *node, const SaphanXPathContext *ctx,
           SaphanXPathValue *out, GError **error)
{
  SaphanXPathValue stack_args[MAX_STACK_ARGS];
  g_autofree SaphanXPathValue *heap_args = NULL;
  SaphanXPathValue *argv = stack_args;
  guint n = node->call.n, done = 0;
  gboolean ok = TRUE;

  if (n > MAX_STACK_ARGS)
    argv = heap_args = g_new0 (SaphanXPathValue, n);
  else
    memset (stack_args, 0, sizeof stack_args);

  for (; done < n && ok; done++)
    ok = _saphan_xpath_eval_node (expr, node->call.args[done], ctx, &argv[done], error);

  if (ok)
    {
      g_autoptr (GError) local_error = NULL;

      _saphan_xpath_set_boolean (out, FALSE);
      ok = node->call.def->func (ctx, n, argv, out, &local_error);
      if (!ok)
        {
          g_autofree char *quoted = _saphan_xpath_quote (expr->text);

          saphan_xpath_value_clear (out);
          if (local_error == NULL)
            g_set_error (&local_error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                         _("function “%s” failed"), node->call.def->name);
          g_prefix_error (&local_error, _("In %s: "), quoted);
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
    }
  for (guint i = 0; i < done; i++)
    saphan_xpath_value_clear (&argv[i]);
  return ok;
}

static gboolean
eval_instance (const SaphanXPathExpr *expr, const XNode *node, const SaphanXPathContext *ctx,
               SaphanXPathValue *out, GError **error)
{
  SaphanXPathValue arg = { 0 };
  g_autofree char *id = NULL;
  SaphanNode *doc = NULL;

  if (!_saphan_xpath_eval_node (expr, node->call.args[0], ctx, &arg, error))
    return FALSE;
  id = saphan_xpath_value_to_string (&arg);
  saphan_xpath_value_clear (&arg);

  if (ctx->env != NULL && ctx->env->instance != NULL)
    doc = ctx->env->instance (ctx->env->data, id);
  if (doc == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("no instance with id “%s”"), id);
      eval_error (error, expr, what);
      return FALSE;
    }
  out->type = SAPHAN_XPATH_NODESET;
  out->nodes = g_ptr_array_sized_new (1);
  g_ptr_array_add (out->nodes, doc);
  return TRUE;
}

/* ---- Memo of invariant values --------------------------------------------- */

static void
copy_value (SaphanXPathValue *dest, const SaphanXPathValue *src)
{
  *dest = *src;
  if (src->type == SAPHAN_XPATH_STRING)
    dest->string = g_strdup (src->string);
  else if (src->type == SAPHAN_XPATH_NODESET)
    {
      dest->nodes = g_ptr_array_sized_new (src->nodes->len);
      for (guint i = 0; i < src->nodes->len; i++)
        g_ptr_array_add (dest->nodes, src->nodes->pdata[i]);
    }
}

static void
free_memo_value (gpointer data)
{
  saphan_xpath_value_clear (data);
  g_free (data);
}

/* Whether NODE is worth remembering: invariant, inside a predicate (which
 * runs once per node it filters), and costlier than a literal. */
static inline gboolean
memo_applies (const XNode *node, const SaphanXPathContext *ctx)
{
  const XEvalContext *ectx = (const XEvalContext *) ctx;

  return node->invariant && ectx->in_predicate && node->kind != XNODE_NUMBER &&
         node->kind != XNODE_STRING && node->kind != XNODE_CURRENT;
}

static gboolean eval_node_direct (const SaphanXPathExpr *expr, const XNode *node,
                                  const SaphanXPathContext *ctx, SaphanXPathValue *out,
                                  GError **error);

gboolean
_saphan_xpath_eval_node (const SaphanXPathExpr *expr, const XNode *node,
                         const SaphanXPathContext *ctx, SaphanXPathValue *out, GError **error)
{
  XMemo *memo = ((const XEvalContext *) ctx)->memo;
  const SaphanXPathValue *known;
  SaphanXPathValue *kept;

  if (!memo_applies (node, ctx))
    return eval_node_direct (expr, node, ctx, out, error);
  if (memo->values != NULL && (known = g_hash_table_lookup (memo->values, node)) != NULL)
    {
      copy_value (out, known);
      return TRUE;
    }
  if (!eval_node_direct (expr, node, ctx, out, error))
    return FALSE;
  if (memo->values == NULL)
    memo->values = g_hash_table_new_full (NULL, NULL, NULL, free_memo_value);
  kept = g_new0 (SaphanXPathValue, 1);
  copy_value (kept, out);
  g_hash_table_insert (memo->values, (gpointer) node, kept);
  return TRUE;
}

/* ---- Dispatch ----------------------------------------------------------- */

static gboolean
eval_node_direct (const SaphanXPathExpr *expr, const XNode *node,
                  const SaphanXPathContext *ctx, SaphanXPathValue *out, GError **error)
{
  switch (node->kind)
    {
    case XNODE_NUMBER:
      _saphan_xpath_set_number (out, node->number);
      return TRUE;
    case XNODE_STRING:
      _saphan_xpath_take_string (out, g_strdup (node->string));
      return TRUE;
    case XNODE_CHAIN:
      return eval_chain (expr, node, ctx, out, error);
    case XNODE_NEGATE:
      {
        SaphanXPathValue v = { 0 };
        double number;

        if (!_saphan_xpath_eval_node (expr, node->operand, ctx, &v, error))
          return FALSE;
        number = saphan_xpath_value_to_number (&v);
        saphan_xpath_value_clear (&v);
        _saphan_xpath_set_number (out, -number);
        return TRUE;
      }
    case XNODE_UNION:
      return eval_union (expr, node, ctx, out, error);
    case XNODE_PATH:
      return eval_path (expr, node, ctx, out, error);
    case XNODE_CALL:
      return eval_call (expr, node, ctx, out, error);
    case XNODE_CURRENT:
      out->type = SAPHAN_XPATH_NODESET;
      out->nodes = g_ptr_array_sized_new (1);
      g_ptr_array_add (out->nodes, ctx->current);
      return TRUE;
    case XNODE_INSTANCE:
      return eval_instance (expr, node, ctx, out, error);
    case XNODE_POSITION:
      _saphan_xpath_set_number (out, ctx->position);
      return TRUE;
    case XNODE_LAST:
      _saphan_xpath_set_number (out, ctx->size);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* ---- Public API --------------------------------------------------------- */

gboolean
saphan_xpath_eval (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                   SaphanXPathValue *out, GError **error)
{
  XMemo memo = { NULL };
  XEvalContext top = { .memo = &memo };
  SaphanXPathContext normal;
  gboolean ok;

  g_return_val_if_fail (expr != NULL && ctx != NULL && out != NULL, FALSE);
  g_return_val_if_fail (ctx->node != NULL || ctx->current != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Inside the evaluator every field is filled in, so that functions and
   * predicates never have to interpret zeros. */
  normal = *ctx;
  if (normal.node == NULL)
    normal.node = normal.current;
  if (normal.current == NULL)
    normal.current = normal.node;
  if (normal.position == 0)
    normal.position = 1;
  if (normal.size == 0)
    normal.size = MAX (normal.position, 1);

  out->type = SAPHAN_XPATH_BOOLEAN;
  out->boolean = FALSE;
  top.base = normal;
  ok = _saphan_xpath_eval_node (expr, expr->root, &top.base, out, error);
  g_clear_pointer (&memo.values, g_hash_table_unref);
  return ok;
}

gboolean
saphan_xpath_eval_boolean (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                           gboolean *out, GError **error)
{
  SaphanXPathValue v;

  if (!saphan_xpath_eval (expr, ctx, &v, error))
    return FALSE;
  *out = saphan_xpath_value_to_boolean (&v);
  saphan_xpath_value_clear (&v);
  return TRUE;
}

gboolean
saphan_xpath_eval_number (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                          double *out, GError **error)
{
  SaphanXPathValue v;

  if (!saphan_xpath_eval (expr, ctx, &v, error))
    return FALSE;
  *out = saphan_xpath_value_to_number (&v);
  saphan_xpath_value_clear (&v);
  return TRUE;
}

gboolean
saphan_xpath_eval_string (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                          char **out, GError **error)
{
  SaphanXPathValue v;

  if (!saphan_xpath_eval (expr, ctx, &v, error))
    return FALSE;
  *out = saphan_xpath_value_to_string (&v);
  saphan_xpath_value_clear (&v);
  return TRUE;
}
