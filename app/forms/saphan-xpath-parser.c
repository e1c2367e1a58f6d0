/* saphan-xpath-parser.c: XPath 1.0 text to a syntax tree, once per form.
 *
 * A recursive-descent parser over the tokens of saphan-xpath-lexer.c. Every
 * recursion goes through parse_expr(), which counts the nesting depth, so a
 * hostile "((((...))))" is refused with a message instead of exhausting the
 * stack, and the tree the evaluator walks is shallow by construction.
 *
 * Function names are resolved here, not at evaluation time: an unknown
 * function or a wrong number of arguments is a form error found when the
 * form loads.
 */
#include "config.h"

#include "saphan-xpath-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "saphan-error.h"

typedef struct
{
  const char      *text;
  const XTok      *toks;
  guint            i;
  GHashTable      *namespaces;
  SaphanXPathExpr *expr;
  guint            depth;
  GError         **error;
} Parser;

static XNode *parse_expr (Parser *p);

static gpointer
palloc (Parser *p, gsize size)
{
  gpointer mem = g_malloc0 (size);

  g_ptr_array_add (p->expr->allocs, mem);
  return mem;
}

static const char *
pstrndup (Parser *p, const char *s, gsize len)
{
  char *copy = g_strndup (s, len);

  g_ptr_array_add (p->expr->allocs, copy);
  return copy;
}

/* Copies a GPtrArray of XNode* into tree-owned memory. */
static XNode **
pnodes (Parser *p, GPtrArray *list)
{
  XNode **out;

  if (list->len == 0)
    return NULL;
  out = palloc (p, list->len * sizeof (XNode *));
  memcpy (out, list->pdata, list->len * sizeof (XNode *));
  return out;
}

static XNode *
new_node (Parser *p, XNodeKind kind, guint pos)
{
  XNode *node = palloc (p, sizeof (XNode));

  node->kind = kind;
  node->pos = pos;
  return node;
}

static inline const XTok *
peek (Parser *p)
{
  return &p->toks[p->i];
}

static inline XTokKind
peek_kind (Parser *p)
{
  return p->toks[p->i].kind;
}

static inline const XTok *
advance (Parser *p)
{
  const XTok *tok = &p->toks[p->i];

  if (tok->kind != XTOK_EOF)
    p->i++;
  return tok;
}

static void
fail_at (Parser *p, guint pos, const char *what)
{
  if (p->error != NULL && *p->error != NULL)
    return;
  _saphan_xpath_set_error (p->error, p->text, pos, what);
}

static void
fail_unexpected (Parser *p)
{
  const XTok *tok = peek (p);
  g_autofree char *what = NULL;

  if (tok->kind == XTOK_EOF)
    what = g_strdup (_("unexpected end of expression"));
  else
    {
      const char *start = p->text + tok->start;
      guint len = MIN (tok->len, 40);

      while (len > 0 && len < tok->len && (start[len] & 0xC0) == 0x80)
        len--;
      what = g_strdup_printf (_("unexpected '%.*s'"), (int) len, start);
    }
  fail_at (p, tok->start, what);
}

static gboolean
expect (Parser *p, XTokKind kind)
{
  if (peek_kind (p) != kind)
    {
      fail_unexpected (p);
      return FALSE;
    }
  advance (p);
  return TRUE;
}

/* ---- Location steps ----------------------------------------------------- */

static const struct
{
  const char *name;
  XAxis       axis;
} axes[] = {
  { "child", XAXIS_CHILD },
  { "descendant", XAXIS_DESCENDANT },
  { "descendant-or-self", XAXIS_DESCENDANT_OR_SELF },
  { "parent", XAXIS_PARENT },
  { "ancestor", XAXIS_ANCESTOR },
  { "ancestor-or-self", XAXIS_ANCESTOR_OR_SELF },
  { "self", XAXIS_SELF },
  { "attribute", XAXIS_ATTRIBUTE },
  { "following-sibling", XAXIS_FOLLOWING_SIBLING },
  { "preceding-sibling", XAXIS_PRECEDING_SIBLING },
  { "following", XAXIS_FOLLOWING },
  { "preceding", XAXIS_PRECEDING },
  { "namespace", XAXIS_NAMESPACE },
};

static gboolean
starts_step (XTokKind kind)
{
  return kind == XTOK_NAMETEST || kind == XTOK_NODETYPE || kind == XTOK_AXIS ||
         kind == XTOK_AT || kind == XTOK_DOT || kind == XTOK_DOTDOT;
}

static gboolean
parse_predicates (Parser *p, GPtrArray *preds)
{
  while (peek_kind (p) == XTOK_LBRACKET)
    {
      XNode *pred;

      advance (p);
      if ((pred = parse_expr (p)) == NULL || !expect (p, XTOK_RBRACKET))
        return FALSE;
      g_ptr_array_add (preds, pred);
    }
  return TRUE;
}

static gboolean
parse_node_test (Parser *p, XStep *step)
{
  const XTok *tok = peek (p);
  const char *start = p->text + tok->start;

  if (tok->kind == XTOK_NODETYPE)
    {
      advance (p);
      if (strncmp (start, "node", tok->len) == 0)
        step->test = XTEST_NODE;
      else if (strncmp (start, "text", tok->len) == 0)
        step->test = XTEST_TEXT;
      else
        step->test = XTEST_NEVER;
      if (!expect (p, XTOK_LPAREN))
        return FALSE;
      /* processing-instruction('name') may name its target. */
      if (step->test == XTEST_NEVER && peek_kind (p) == XTOK_LITERAL)
        advance (p);
      return expect (p, XTOK_RPAREN);
    }

  if (tok->kind != XTOK_NAMETEST)
    {
      fail_unexpected (p);
      return FALSE;
    }
  advance (p);

  if (tok->len == 1 && *start == '*')
    step->test = XTEST_ANY;
  else
    {
      const char *colon = memchr (start, ':', tok->len);
      const char *local = start;

      if (colon != NULL)
        {
          step->prefix = pstrndup (p, start, colon - start);
          local = colon + 1;
          if (p->namespaces != NULL)
            step->ns = g_hash_table_lookup (p->namespaces, step->prefix);
          if (step->ns != NULL)
            step->ns = pstrndup (p, step->ns, strlen (step->ns));
        }
      if (*local == '*')
        step->test = XTEST_NS_ANY;
      else
        {
          step->test = XTEST_NAME;
          step->local = pstrndup (p, local, start + tok->len - local);
        }
    }
  return TRUE;
}

static gboolean
parse_step (Parser *p, GArray *steps)
{
  XStep step = { 0 };
  g_autoptr (GPtrArray) preds = NULL;

  switch (peek_kind (p))
    {
    case XTOK_DOT:
      advance (p);
      step.axis = XAXIS_SELF;
      step.test = XTEST_NODE;
      g_array_append_val (steps, step);
      return TRUE;
    case XTOK_DOTDOT:
      advance (p);
      step.axis = XAXIS_PARENT;
      step.test = XTEST_NODE;
      g_array_append_val (steps, step);
      return TRUE;
    case XTOK_AT:
      advance (p);
      step.axis = XAXIS_ATTRIBUTE;
      break;
    case XTOK_AXIS:
      {
        const XTok *tok = advance (p);
        gboolean found = FALSE;

        for (guint i = 0; i < G_N_ELEMENTS (axes); i++)
          if (strlen (axes[i].name) == tok->len &&
              strncmp (p->text + tok->start, axes[i].name, tok->len) == 0)
            {
              step.axis = axes[i].axis;
              found = TRUE;
            }
        if (!found)
          {
            g_autofree char *what = g_strdup_printf (_("unknown axis “%.*s”"), (int) MIN (tok->len, 40),
                                                     p->text + tok->start);
            fail_at (p, tok->start, what);
            return FALSE;
          }
        if (!expect (p, XTOK_COLONCOLON))
          return FALSE;
        break;
      }
    default:
      step.axis = XAXIS_CHILD;
      break;
    }

  if (!parse_node_test (p, &step))
    return FALSE;
  preds = g_ptr_array_new ();
  if (!parse_predicates (p, preds))
    return FALSE;
  step.preds = pnodes (p, preds);
  step.n_preds = preds->len;
  step.first_pred_is_index = step.n_preds > 0 && step.preds[0]->kind == XNODE_NUMBER;
  g_array_append_val (steps, step);
  return TRUE;
}

static void
append_descendant_or_self (GArray *steps)
{
  XStep step = { 0 };

  step.axis = XAXIS_DESCENDANT_OR_SELF;
  step.test = XTEST_NODE;
  g_array_append_val (steps, step);
}

/* Parses "step (('/' | '//') step)*". */
static gboolean
parse_relative_steps (Parser *p, GArray *steps)
{
  if (!parse_step (p, steps))
    return FALSE;
  for (;;)
    {
      XTokKind kind = peek_kind (p);

      if (kind == XTOK_SLASHSLASH)
        append_descendant_or_self (steps);
      else if (kind != XTOK_SLASH)
        return TRUE;
      advance (p);
      if (!parse_step (p, steps))
        return FALSE;
    }
}

/* "//name" means descendant-or-self::node()/child::name; without a
 * predicate (whose positions would count per parent) that is simply
 * descendant::name, which avoids building the set of every node. */
static void
simplify_steps (GArray *steps)
{
  for (guint i = 0; i + 1 < steps->len; i++)
    {
      XStep *a = &g_array_index (steps, XStep, i);
      XStep *b = &g_array_index (steps, XStep, i + 1);

      if (a->axis == XAXIS_DESCENDANT_OR_SELF && a->test == XTEST_NODE && a->n_preds == 0 &&
          b->axis == XAXIS_CHILD && b->n_preds == 0)
        {
          b->axis = XAXIS_DESCENDANT;
          g_array_remove_index (steps, i);
        }
    }
}

static XNode *
finish_path (Parser *p, XNode *path, GArray *steps)
{
  simplify_steps (steps);
  for (guint i = 0; i < steps->len; i++)
    {
      XStep *step = &g_array_index (steps, XStep, i);

      if (step->axis == XAXIS_CHILD && step->test == XTEST_NAME)
        {
          step->cache_nodes = g_ptr_array_new ();
          g_ptr_array_add (p->expr->caches, step->cache_nodes);
        }
    }
  path->path.n_steps = steps->len;
  if (steps->len > 0)
    {
      path->path.steps = palloc (p, steps->len * sizeof (XStep));
      memcpy (path->path.steps, steps->data, steps->len * sizeof (XStep));
    }
  return path;
}

/* ---- Primary expressions ------------------------------------------------ */

static XNode *
parse_call (Parser *p)
{
  const XTok *tok = advance (p);
  g_autofree char *name = g_strndup (p->text + tok->start, tok->len);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const SaphanXPathFuncDef *def = NULL;
  XNodeKind kind = XNODE_CALL;
  int min_args = 0, max_args = 0;
  XNode *node;

  if (!expect (p, XTOK_LPAREN))
    return NULL;
  if (peek_kind (p) != XTOK_RPAREN)
    for (;;)
      {
        XNode *arg = parse_expr (p);

        if (arg == NULL)
          return NULL;
        g_ptr_array_add (args, arg);
        if (peek_kind (p) != XTOK_COMMA)
          break;
        advance (p);
      }
  if (!expect (p, XTOK_RPAREN))
    return NULL;

  /* The functions that need the evaluator's own state. position(node) with
   * an argument is the library's. */
  if (g_str_equal (name, "current"))
    {
      kind = XNODE_CURRENT;
      p->expr->uses_current = TRUE;
    }
  else if (g_str_equal (name, "last"))
    kind = XNODE_LAST;
  else if (g_str_equal (name, "position") && args->len == 0)
    kind = XNODE_POSITION;
  else if (g_str_equal (name, "instance"))
    {
      kind = XNODE_INSTANCE;
      min_args = max_args = 1;
    }
  else
    {
      def = saphan_xpath_function_lookup (name);
      if (def == NULL)
        {
          g_autofree char *what = g_strdup_printf (_("unknown function “%s”"), name);
          fail_at (p, tok->start, what);
          return NULL;
        }
      min_args = def->min_args;
      max_args = def->max_args;
      if (def->flags & SAPHAN_XPATH_FUNC_VOLATILE)
        p->expr->is_volatile = TRUE;
      if ((def->flags & SAPHAN_XPATH_FUNC_VOLATILE_UNSEEDED) && (int) args->len <= min_args)
        p->expr->is_volatile = TRUE;
    }

  if ((int) args->len < min_args || (max_args >= 0 && (int) args->len > max_args))
    {
      g_autofree char *what = NULL;

      if (max_args < 0)
        what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "function “%s” takes at least %d argument, not %u",
                                             "function “%s” takes at least %d arguments, not %u",
                                             min_args),
                                name, min_args, args->len);
      else if (min_args == max_args)
        what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "function “%s” takes %d argument, not %u",
                                             "function “%s” takes %d arguments, not %u",
                                             min_args),
                                name, min_args, args->len);
      else
        what = g_strdup_printf (_("function “%s” takes %d to %d arguments, not %u"), name,
                                min_args, max_args, args->len);
      fail_at (p, tok->start, what);
      return NULL;
    }

  node = new_node (p, kind, tok->start);
  node->call.def = def;
  node->call.args = pnodes (p, args);
  node->call.n = args->len;
  return node;
}

static XNode *
parse_primary (Parser *p)
{
  const XTok *tok = peek (p);
  XNode *node;

  switch (tok->kind)
    {
    case XTOK_LPAREN:
      advance (p);
      if ((node = parse_expr (p)) == NULL || !expect (p, XTOK_RPAREN))
        return NULL;
      return node;
    case XTOK_LITERAL:
      advance (p);
      node = new_node (p, XNODE_STRING, tok->start);
      node->string = pstrndup (p, p->text + tok->start + 1, tok->len - 2);
      return node;
    case XTOK_NUMBER:
      advance (p);
      node = new_node (p, XNODE_NUMBER, tok->start);
      node->number = tok->number;
      return node;
    case XTOK_FUNCNAME:
      return parse_call (p);
    case XTOK_VARIABLE:
      {
        g_autofree char *what = g_strdup_printf (_("variables such as “%.*s” are not supported"),
                                                 (int) MIN (tok->len, 40), p->text + tok->start);
        fail_at (p, tok->start, what);
        return NULL;
      }
    default:
      fail_unexpected (p);
      return NULL;
    }
}

/* ---- Paths and operators ------------------------------------------------ */

static XNode *
parse_path (Parser *p)
{
  const XTok *tok = peek (p);
  g_autoptr (GArray) steps = g_array_new (FALSE, TRUE, sizeof (XStep));
  XNode *path;

  if (tok->kind == XTOK_SLASH || tok->kind == XTOK_SLASHSLASH)
    {
      path = new_node (p, XNODE_PATH, tok->start);
      path->path.absolute = TRUE;
      advance (p);
      if (tok->kind == XTOK_SLASHSLASH)
        {
          append_descendant_or_self (steps);
          if (!parse_relative_steps (p, steps))
            return NULL;
        }
      else if (starts_step (peek_kind (p)) && !parse_relative_steps (p, steps))
        return NULL;
      return finish_path (p, path, steps);
    }

  if (starts_step (tok->kind))
    {
      path = new_node (p, XNODE_PATH, tok->start);
      if (!parse_relative_steps (p, steps))
        return NULL;
      return finish_path (p, path, steps);
    }

  {
    XNode *primary = parse_primary (p);
    g_autoptr (GPtrArray) preds = g_ptr_array_new ();

    if (primary == NULL || !parse_predicates (p, preds))
      return NULL;
    if (preds->len == 0 && peek_kind (p) != XTOK_SLASH && peek_kind (p) != XTOK_SLASHSLASH)
      return primary;

    path = new_node (p, XNODE_PATH, tok->start);
    path->path.filter = primary;
    path->path.filter_preds = pnodes (p, preds);
    path->path.n_filter_preds = preds->len;
    if (peek_kind (p) == XTOK_SLASH || peek_kind (p) == XTOK_SLASHSLASH)
      {
        if (advance (p)->kind == XTOK_SLASHSLASH)
          append_descendant_or_self (steps);
        if (!parse_relative_steps (p, steps))
          return NULL;
      }
    return finish_path (p, path, steps);
  }
}

static XNode *
parse_union (Parser *p)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  guint pos = peek (p)->start;
  XNode *first, *node;

  if ((first = parse_path (p)) == NULL)
    return NULL;
  if (peek_kind (p) != XTOK_PIPE)
    return first;
  g_ptr_array_add (args, first);
  while (peek_kind (p) == XTOK_PIPE)
    {
      XNode *next;

      advance (p);
      if ((next = parse_path (p)) == NULL)
        return NULL;
      g_ptr_array_add (args, next);
    }
  node = new_node (p, XNODE_UNION, pos);
  node->chain.args = pnodes (p, args);
  node->chain.n = args->len;
  return node;
}

static XNode *
parse_unary (Parser *p)
{
  guint pos = peek (p)->start;
  guint minus = 0;
  XNode *operand;

  while (peek_kind (p) == XTOK_MINUS)
    {
      advance (p);
      minus++;
    }
  if ((operand = parse_union (p)) == NULL || minus == 0)
    return operand;

  /* "--x" is number(x): two negations, however many minus signs. */
  for (guint i = 0; i < (minus % 2 == 1 ? 1u : 2u); i++)
    {
      XNode *neg = new_node (p, XNODE_NEGATE, pos);

      neg->operand = operand;
      operand = neg;
    }
  return operand;
}

/* Precedence levels, loosest first. */
enum { LEVEL_OR, LEVEL_AND, LEVEL_EQUALITY, LEVEL_RELATIONAL, LEVEL_ADDITIVE,
       LEVEL_MULTIPLICATIVE, N_LEVELS };

static gboolean
level_op (guint level, XTokKind kind, XOp *op)
{
  static const struct { guint level; XTokKind tok; XOp op; } table[] = {
    { LEVEL_OR, XTOK_OR, XOP_OR },
    { LEVEL_AND, XTOK_AND, XOP_AND },
    { LEVEL_EQUALITY, XTOK_EQ, XOP_EQ },
    { LEVEL_EQUALITY, XTOK_NEQ, XOP_NEQ },
    { LEVEL_RELATIONAL, XTOK_LT, XOP_LT },
    { LEVEL_RELATIONAL, XTOK_LTE, XOP_LTE },
    { LEVEL_RELATIONAL, XTOK_GT, XOP_GT },
    { LEVEL_RELATIONAL, XTOK_GTE, XOP_GTE },
    { LEVEL_ADDITIVE, XTOK_PLUS, XOP_ADD },
    { LEVEL_ADDITIVE, XTOK_MINUS, XOP_SUB },
    { LEVEL_MULTIPLICATIVE, XTOK_MULTIPLY, XOP_MUL },
    { LEVEL_MULTIPLICATIVE, XTOK_DIV, XOP_DIV },
    { LEVEL_MULTIPLICATIVE, XTOK_MOD, XOP_MOD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].level == level && table[i].tok == kind)
      {
        *op = table[i].op;
        return TRUE;
      }
  return FALSE;
}

static XNode *
parse_level (Parser *p, guint level)
{
  g_autoptr (GPtrArray) args = NULL;
  g_autoptr (GArray) ops = NULL;
  guint pos = peek (p)->start;
  XNode *first, *node;
  XOp op;

  first = level + 1 < N_LEVELS ? parse_level (p, level + 1) : parse_unary (p);
  if (first == NULL || !level_op (level, peek_kind (p), &op))
    return first;

  args = g_ptr_array_new ();
  ops = g_array_new (FALSE, FALSE, sizeof (XOp));
  g_ptr_array_add (args, first);
  while (level_op (level, peek_kind (p), &op))
    {
      XNode *next;

      advance (p);
      next = level + 1 < N_LEVELS ? parse_level (p, level + 1) : parse_unary (p);
      if (next == NULL)
        return NULL;
      g_ptr_array_add (args, next);
      g_array_append_val (ops, op);
    }

  node = new_node (p, XNODE_CHAIN, pos);
  node->chain.args = pnodes (p, args);
  node->chain.n = args->len;
  node->chain.ops = palloc (p, ops->len * sizeof (XOp));
  memcpy (node->chain.ops, ops->data, ops->len * sizeof (XOp));
  return node;
}

static XNode *
parse_expr (Parser *p)
{
  XNode *node;

  if (++p->depth > SAPHAN_XPATH_MAX_DEPTH)
    {
      g_autofree char *what = g_strdup_printf (_("expression nested more than %d levels deep"),
                                               SAPHAN_XPATH_MAX_DEPTH);
      fail_at (p, peek (p)->start, what);
      return NULL;
    }
  node = parse_level (p, LEVEL_OR);
  p->depth--;
  return node;
}

/* ---- Public API --------------------------------------------------------- */

SaphanXPathExpr *
saphan_xpath_compile (const char *text, GHashTable *namespaces, GError **error)
{
  g_autoptr (SaphanXPathExpr) expr = NULL;
  g_autoptr (GArray) tokens = NULL;
  g_autoptr (GError) local_error = NULL;
  Parser p = { 0 };
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);
  if (len > SAPHAN_XPATH_MAX_LENGTH)
    {
      g_autofree char *quoted = _saphan_xpath_quote (text);

      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("expression of %zu bytes is longer than the limit of %d: %s"),
                   len, SAPHAN_XPATH_MAX_LENGTH, quoted);
      return NULL;
    }
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("expression is not valid UTF-8 text"));
      return NULL;
    }

  expr = g_new0 (SaphanXPathExpr, 1);
  expr->text = g_strdup (text);
  expr->allocs = g_ptr_array_new_with_free_func (g_free);
  expr->caches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_mutex_init (&expr->cache_lock);

  if ((tokens = _saphan_xpath_lex (expr->text, error)) == NULL)
    return NULL;

  p.text = expr->text;
  p.toks = (const XTok *) tokens->data;
  p.namespaces = namespaces;
  p.expr = expr;
  p.error = &local_error;

  if (peek_kind (&p) == XTOK_EOF)
    {
      fail_at (&p, 0, _("empty expression"));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  expr->root = parse_expr (&p);
  if (expr->root != NULL && peek_kind (&p) != XTOK_EOF)
    {
      fail_unexpected (&p);
      expr->root = NULL;
    }
  if (expr->root == NULL)
    {
      if (local_error == NULL)
        fail_at (&p, peek (&p)->start, _("invalid expression"));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  _saphan_xpath_mark_invariant (expr->root);
  return g_steal_pointer (&expr);
}

static void
mark_steps_invariant (XStep *steps, guint n_steps)
{
  for (guint i = 0; i < n_steps; i++)
    for (guint k = 0; k < steps[i].n_preds; k++)
      _saphan_xpath_mark_invariant (steps[i].preds[k]);
}

gboolean
_saphan_xpath_mark_invariant (XNode *node)
{
  gboolean all = TRUE;

  switch (node->kind)
    {
    case XNODE_NUMBER:
    case XNODE_STRING:
    case XNODE_CURRENT:
      node->invariant = TRUE;
      break;
    case XNODE_POSITION:
    case XNODE_LAST:
      node->invariant = FALSE;
      break;
    case XNODE_NEGATE:
      node->invariant = _saphan_xpath_mark_invariant (node->operand);
      break;
    case XNODE_CHAIN:
    case XNODE_UNION:
      for (guint i = 0; i < node->chain.n; i++)
        all &= _saphan_xpath_mark_invariant (node->chain.args[i]);
      node->invariant = all;
      break;
    case XNODE_PATH:
      /* Predicates are evaluated at the nodes they filter, so only where
       * the path starts decides. */
      mark_steps_invariant (node->path.steps, node->path.n_steps);
      for (guint i = 0; i < node->path.n_filter_preds; i++)
        _saphan_xpath_mark_invariant (node->path.filter_preds[i]);
      if (node->path.filter != NULL)
        node->invariant = _saphan_xpath_mark_invariant (node->path.filter);
      else
        node->invariant = node->path.absolute;
      break;
    case XNODE_INSTANCE:
      node->invariant = _saphan_xpath_mark_invariant (node->call.args[0]);
      break;
    case XNODE_CALL:
      for (guint i = 0; i < node->call.n; i++)
        all &= _saphan_xpath_mark_invariant (node->call.args[i]);
      /* Without arguments most functions read the context node; lang()
       * reads it even with one; volatile ones must draw anew each time. */
      node->invariant = all && node->call.n > 0 &&
                        !(node->call.def->flags & (SAPHAN_XPATH_FUNC_VOLATILE |
                                                   SAPHAN_XPATH_FUNC_VOLATILE_UNSEEDED)) &&
                        strcmp (node->call.def->name, "lang") != 0;
      break;
    default:
      g_assert_not_reached ();
    }
  return node->invariant;
}

gboolean
saphan_xpath_expr_is_context_free (const SaphanXPathExpr *expr)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  return expr->root->invariant && !expr->uses_current;
}

gboolean
saphan_xpath_expr_uses_current (const SaphanXPathExpr *expr)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  return expr->uses_current;
}

void
saphan_xpath_expr_free (SaphanXPathExpr *expr)
{
  if (expr == NULL)
    return;
  g_clear_pointer (&expr->allocs, g_ptr_array_unref);
  g_clear_pointer (&expr->caches, g_ptr_array_unref);
  g_mutex_clear (&expr->cache_lock);
  g_free (expr->text);
  g_free (expr);
}

const char *
saphan_xpath_expr_get_text (const SaphanXPathExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);
  return expr->text;
}

gboolean
saphan_xpath_expr_is_volatile (const SaphanXPathExpr *expr)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  return expr->is_volatile;
}
