/* saphan-xpath-private.h: the compiled form of an expression, shared by the
 * lexer, parser, evaluator and reference collector.
 *
 * An expression compiles into a small tree of XNode. Chains of binary
 * operators of one precedence level ("a + b - c + d") become one n-ary node,
 * so a long sum over hundreds of fields stays shallow: the tree depth, which
 * is what recursion follows at evaluation time, only grows with real nesting
 * (parentheses, predicates, function arguments).
 */
#pragma once

#include "saphan-xpath.h"

G_BEGIN_DECLS

/* ---- Tokens ------------------------------------------------------------- */

typedef enum
{
  XTOK_EOF,
  XTOK_LPAREN,
  XTOK_RPAREN,
  XTOK_LBRACKET,
  XTOK_RBRACKET,
  XTOK_DOT,
  XTOK_DOTDOT,
  XTOK_AT,
  XTOK_COMMA,
  XTOK_COLONCOLON,
  XTOK_SLASH,
  XTOK_SLASHSLASH,
  XTOK_PIPE,
  XTOK_PLUS,
  XTOK_MINUS,
  XTOK_EQ,
  XTOK_NEQ,
  XTOK_LT,
  XTOK_LTE,
  XTOK_GT,
  XTOK_GTE,
  XTOK_MULTIPLY,   /* "*" where an operator is expected */
  XTOK_AND,
  XTOK_OR,
  XTOK_MOD,
  XTOK_DIV,
  XTOK_NAMETEST,   /* "name", "prefix:name", "prefix:*" or "*" */
  XTOK_NODETYPE,   /* node, text, comment or processing-instruction before "(" */
  XTOK_FUNCNAME,   /* a (possibly prefixed) name before "(" */
  XTOK_AXIS,       /* a name before "::" */
  XTOK_LITERAL,
  XTOK_NUMBER,
  XTOK_VARIABLE,
} XTokKind;

typedef struct
{
  XTokKind kind;
  guint    start;   /* byte offset into the expression text */
  guint    len;     /* bytes */
  double   number;  /* XTOK_NUMBER */
} XTok;

/* ---- Syntax tree -------------------------------------------------------- */

typedef enum
{
  XOP_OR,
  XOP_AND,
  XOP_EQ,
  XOP_NEQ,
  XOP_LT,
  XOP_LTE,
  XOP_GT,
  XOP_GTE,
  XOP_ADD,
  XOP_SUB,
  XOP_MUL,
  XOP_DIV,
  XOP_MOD,
} XOp;

typedef enum
{
  XAXIS_CHILD,
  XAXIS_DESCENDANT,
  XAXIS_DESCENDANT_OR_SELF,
  XAXIS_PARENT,
  XAXIS_ANCESTOR,
  XAXIS_ANCESTOR_OR_SELF,
  XAXIS_SELF,
  XAXIS_ATTRIBUTE,
  XAXIS_FOLLOWING_SIBLING,
  XAXIS_PRECEDING_SIBLING,
  XAXIS_FOLLOWING,
  XAXIS_PRECEDING,
  XAXIS_NAMESPACE,  /* parsed for completeness; instances carry no namespace nodes */
} XAxis;

typedef enum
{
  XTEST_NAME,       /* local name, optionally with a prefix */
  XTEST_NS_ANY,     /* prefix:* */
  XTEST_ANY,        /* * */
  XTEST_NODE,       /* node() */
  XTEST_TEXT,       /* text(): a leaf element with a value stands for its text node */
  XTEST_NEVER,      /* comment(), processing-instruction(): instances have none */
} XTestKind;

typedef enum
{
  XNODE_NUMBER,
  XNODE_STRING,
  XNODE_CHAIN,      /* n operands joined by n-1 operators of one level */
  XNODE_NEGATE,
  XNODE_UNION,
  XNODE_PATH,
  XNODE_CALL,       /* a library function */
  XNODE_CURRENT,
  XNODE_INSTANCE,
  XNODE_POSITION,
  XNODE_LAST,
} XNodeKind;

typedef struct _XNode XNode;

typedef struct
{
  XAxis      axis;
  XTestKind  test;
  const char *prefix;  /* as written, or NULL */
  const char *local;   /* XTEST_NAME only */
  const char *ns;      /* the prefix's URI from the namespace map, or NULL */
  XNode     **preds;
  guint       n_preds;
  /* A predicate that is a plain number literal ("[2]") is answered by
   * position without evaluating anything. */
  gboolean    first_pred_is_index;

  /* A child step with a name test, taken from a single context node, keeps
   * its matches until the document's structure changes (its order serial
   * moves). Finding /data/q1999 among 2,000 siblings then costs a lookup
   * instead of 2,000 string comparisons on every recompute. Guarded by the
   * expression's CACHE_LOCK; NULL for other steps. */
  SaphanNode *cache_parent;
  guint32     cache_serial;
  GPtrArray  *cache_nodes;
} XStep;

struct _XNode
{
  XNodeKind kind;
  guint     pos;    /* byte offset of the construct, for messages */
  /* The value is the same wherever in one evaluation the node is reached:
   * it reads neither the context node, nor position() or last(), nor a
   * volatile function (an absolute path, current(), instance('x')/root,
   * and operators or functions over those). Set by the parser. */
  gboolean  invariant;
  union
  {
    double      number;
    const char *string;
    struct
    {
      XNode **args;
      XOp    *ops;     /* n - 1 operators */
      guint   n;
    } chain;           /* XNODE_CHAIN and XNODE_UNION (ops unused) */
    XNode *operand;    /* XNODE_NEGATE */
    struct
    {
      gboolean absolute;
      XNode   *filter;     /* a primary expression the path starts from, or NULL */
      XNode  **filter_preds;
      guint    n_filter_preds;
      XStep   *steps;
      guint    n_steps;
    } path;
    struct
    {
      const SaphanXPathFuncDef *def;
      XNode **args;
      guint   n;
    } call;            /* also XNODE_INSTANCE (one argument) */
  };
};

struct _SaphanXPathExpr
{
  char      *text;
  XNode     *root;
  gboolean   is_volatile;
  gboolean   uses_current;
  /* Every node, array and string of the tree: freed together. */
  GPtrArray *allocs;
  /* The steps' CACHE_NODES arrays, and the lock that lets several threads
   * evaluate one expression. */
  GPtrArray *caches;
  GMutex     cache_lock;
};

/* ---- Internal API ------------------------------------------------------- */

/* Splits TEXT into tokens, ending with XTOK_EOF; NULL with ERROR set on a
 * lexical error. */
GArray *_saphan_xpath_lex (const char *text, GError **error);

/* A message naming the expression and the 1-based character position. */
void _saphan_xpath_set_error (GError **error, const char *text, guint byte_pos,
                              const char *what);
/* The expression text shortened for messages. */
char *_saphan_xpath_quote (const char *text);

/* Values of invariant nodes computed inside predicates, kept for the rest
 * of one top-level evaluation: instance('c')/root/item[name = /data/q]
 * then walks /data/q once, not once per item. */
typedef struct
{
  GHashTable *values; /* const XNode * -> SaphanXPathValue *; created on first use */
} XMemo;

/* The context the evaluator passes down: the public one plus its memo.
 * Every context inside the evaluator is one of these (see
 * saphan_xpath_eval() and apply_predicates()); library functions see only
 * the public part. */
typedef struct
{
  SaphanXPathContext base;
  XMemo             *memo;
  gboolean           in_predicate;
} XEvalContext;

/* Marks the invariant nodes of the tree under NODE; returns NODE's flag. */
gboolean _saphan_xpath_mark_invariant (XNode *node);

/* Evaluates NODE; used by the evaluator recursively. */
gboolean _saphan_xpath_eval_node (const SaphanXPathExpr *expr, const XNode *node,
                                  const SaphanXPathContext *ctx, SaphanXPathValue *out,
                                  GError **error);

/* A node's string-value without allocating for leaves and attributes:
 * returns the value, or fills *TMP and returns it for inner elements. */
const char *_saphan_xpath_node_text (const SaphanNode *node, char **tmp);

/* Appends the nodes of NODE's STEP axis that pass STEP's node test, in
 * proximity order: document order for forward axes, reverse for the rest. */
void _saphan_xpath_collect_axis (const XStep *step, SaphanNode *node, GPtrArray *out);
gboolean _saphan_xpath_is_reverse_axis (XAxis axis);

/* Sorts NODES into document order and drops duplicates. */
void _saphan_xpath_sort_nodes (GPtrArray *nodes);

/* Values. */
static inline void
_saphan_xpath_set_number (SaphanXPathValue *value, double number)
{
  value->type = SAPHAN_XPATH_NUMBER;
  value->number = number;
}

static inline void
_saphan_xpath_set_boolean (SaphanXPathValue *value, gboolean b)
{
  value->type = SAPHAN_XPATH_BOOLEAN;
  value->boolean = b ? TRUE : FALSE;
}

static inline void
_saphan_xpath_take_string (SaphanXPathValue *value, char *string)
{
  value->type = SAPHAN_XPATH_STRING;
  value->string = string;
}

G_END_DECLS
