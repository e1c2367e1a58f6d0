/* saphan-xpath.h: XPath 1.0 with the ODK function library, compiled once.
 *
 * Expressions are compiled when a form loads and evaluated many times. The
 * compiled form also answers which instance nodes an expression reads, so
 * the form model can build its dependency graph.
 *
 * Values follow ODK: dates, times and dateTimes travel as strings
 * ("2024-02-29", "2024-02-29T10:00:00.000+07:00"); converting such a string
 * to a number gives days since 1970-01-01 (fractional for dateTimes), which
 * is what date arithmetic and comparison use.
 *
 * For the form model, the semantics the evaluator settles:
 *
 *  - Paths are LOCAL names only. saphan_xpath_expr_collect_refs() and
 *    saphan_node_generic_path()/saphan_node_path() drop prefixes, so
 *    "/data/meta/instanceID" in an expression and <orx:meta><orx:instanceID>
 *    in the instance give the same string; compare them with strcmp. Any
 *    path the model builds itself (bind nodesets, indexes of nodes by path)
 *    must drop prefixes too: saphan_xpath_generic_path() does that for a
 *    path written in a form.
 *  - A reference R covers the node(s) at R, their attributes and everything
 *    below them. A change at generic path P concerns the expression when R
 *    equals P or is an ancestor of P; adding or removing a repeat instance
 *    at P also concerns every R below P (count(), position(), sums).
 *    Unexpressible steps end a reference early: "/data/grp//q" reads
 *    "/data/grp", a child wildcard reads the parent.
 *  - Name tests: an unprefixed name matches that local name in any
 *    namespace (JavaRosa's rule); "orx:x" matches the URI the namespace map
 *    gives orx, or, for a prefix the map lacks, the prefix written in the
 *    instance.
 *  - An absolute path always starts at the primary instance (the document
 *    of current()), even inside instance('x')/...[...] predicates.
 *  - instance('id') returns the document node env->instance gives, so
 *    instance('id')/root/item names the instance's root element <root>;
 *    an unknown id is an evaluation error naming it.
 *  - text() selects a leaf element with a non-empty value, standing for its
 *    text node (instances have no text nodes).
 *  - Comparisons are XPath 1.0's: an EMPTY node-set compared with anything
 *    but a boolean is false, so /data/missing = '' is false (JavaRosa would
 *    say true); a non-relevant but present node with an empty value = ''
 *    is true.
 *  - Dates count local wall-clock days (see saphan-xpath-value.c): "2024-02-29"
 *    is 19782, "2024-02-29T10:00:00+07:00" is 19782 + 10/24 in Bangkok.
 *  - The evaluator fills every context field before functions see it:
 *    node and current are both set (each defaults to the other), position
 *    and size are at least 1.
 *  - Function arguments belong to the evaluator, which clears them after
 *    the call; a function may move a string or node array out of ARGV into
 *    RESULT if it sets the argument's pointer to NULL.
 *  - A compiled expression may be evaluated from several threads at once.
 *    It caches child-step lookups per document structure, which is correct
 *    as long as the tree is changed only through the saphan_node_*()
 *    calls (they renumber the document).
 */
#pragma once

#include <glib.h>

#include "saphan-node.h"

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_XPATH_NODESET,
  SAPHAN_XPATH_BOOLEAN,
  SAPHAN_XPATH_NUMBER,
  SAPHAN_XPATH_STRING,
} SaphanXPathType;

typedef struct
{
  SaphanXPathType type;
  union
  {
    gboolean   boolean;
    double     number;
    char      *string;   /* owned */
    /* Of SaphanNode *, borrowed, no duplicates; owned array. Document order,
     * except the result of randomize(), which keeps its shuffled order so
     * that an itemset lists its choices in that order; a path step or a
     * union over it sorts again. */
    GPtrArray *nodes;
  };
} SaphanXPathValue;

void     saphan_xpath_value_clear      (SaphanXPathValue *value);
/* Conversions as XPath 1.0 defines them, with ODK's date extension for
 * numbers. The returned string is owned by the caller. */
char    *saphan_xpath_value_to_string  (const SaphanXPathValue *value);
double   saphan_xpath_value_to_number  (const SaphanXPathValue *value);
gboolean saphan_xpath_value_to_boolean (const SaphanXPathValue *value);
double   saphan_xpath_string_to_number (const char *text);
/* XPath number to string: integers without ".0", NaN as "NaN", and so on. */
char    *saphan_xpath_number_to_string (double number);

/* What the form model provides to a running expression. Every callback may
 * be NULL; a function that needs a missing one fails with a clear error. */
typedef struct
{
  /* instance('ID'): the document node of secondary instance ID, or NULL. */
  SaphanNode *(*instance) (gpointer data, const char *id);
  /* jr:itext('ID') in the current language, newly allocated, or NULL. */
  char       *(*itext) (gpointer data, const char *text_id);
  /* jr:choice-name(VALUE, NODE's question): the label of that choice. */
  char       *(*choice_name) (gpointer data, SaphanNode *question, const char *value);
  /* property('deviceid') and friends; version() is property "version". */
  char       *(*property) (gpointer data, const char *name);
  /* The clock, for now() and today(); the result is owned by the caller.
   * NULL callback: g_date_time_new_now_local(). */
  GDateTime  *(*now) (gpointer data);
  /* random(): a number in [0, 1). NULL callback: g_random_double(). */
  double      (*random) (gpointer data);
  gpointer    data;
} SaphanXPathEnv;

/* Where an expression is evaluated: the context node (a bind's node, or the
 * node a predicate is testing), and current() (the bind's node). */
typedef struct
{
  SaphanNode            *node;
  SaphanNode            *current;
  guint                  position; /* 1-based; 0 = 1 */
  guint                  size;     /* 0 = 1 */
  const SaphanXPathEnv  *env;
} SaphanXPathContext;

/* Namespace prefixes the expression may use (prefix -> URI), from the form's
 * root element. NULL is allowed. */
typedef struct _SaphanXPathExpr SaphanXPathExpr;

/* Limits that keep hostile forms from exhausting the kiosk. */
#define SAPHAN_XPATH_MAX_LENGTH  (64 * 1024)
#define SAPHAN_XPATH_MAX_DEPTH   200

SaphanXPathExpr *saphan_xpath_compile (const char *text, GHashTable *namespaces, GError **error);
void             saphan_xpath_expr_free (SaphanXPathExpr *expr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanXPathExpr, saphan_xpath_expr_free)
const char      *saphan_xpath_expr_get_text (const SaphanXPathExpr *expr);
/* TRUE when the value may change without any node changing (now(), today(),
 * random(), uuid()). */
gboolean         saphan_xpath_expr_is_volatile (const SaphanXPathExpr *expr);
/* TRUE when EXPR has the same value at every context node, in one state of
 * the instances: it reads no relative path from the context, no current(),
 * position() or last(), and no volatile function. The itemset
 * instance('c')/root/item[country = /data/rep/country] is one, so every
 * select of the repeat is offered the same choices. */
gboolean         saphan_xpath_expr_is_context_free (const SaphanXPathExpr *expr);
/* TRUE when EXPR calls current(). */
gboolean         saphan_xpath_expr_uses_current (const SaphanXPathExpr *expr);

gboolean saphan_xpath_eval         (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                                    SaphanXPathValue *out, GError **error);
gboolean saphan_xpath_eval_boolean (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                                    gboolean *out, GError **error);
gboolean saphan_xpath_eval_number  (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                                    double *out, GError **error);
/* *OUT newly allocated. */
gboolean saphan_xpath_eval_string  (const SaphanXPathExpr *expr, const SaphanXPathContext *ctx,
                                    char **out, GError **error);

/* The primary-instance paths EXPR reads, as generic absolute paths without
 * indices ("/data/rep/q"), resolved against CONTEXT_PATH (the generic path
 * of the node the expression is evaluated at; current() resolves there too).
 * Paths into secondary instances are left out, but paths inside their
 * predicates that go through current() or absolute paths are included.
 * Relative paths in a predicate of a primary-instance path resolve against
 * the step the predicate filters. Every path is made of local names (any
 * prefix and index in CONTEXT_PATH is dropped too), and each covers its
 * subtree, as described at the top of this file.
 * Appends newly allocated strings to OUT (duplicates possible). */
void     saphan_xpath_expr_collect_refs (const SaphanXPathExpr *expr, const char *context_path,
                                         GPtrArray *out);
/* PATH as a generic path of local names: "/data/orx:meta/rep[2]/@jr:x"
 * gives "/data/meta/rep/@x", "" gives "/". Newly allocated. */
char    *saphan_xpath_generic_path (const char *path);

/* ---- Function library --------------------------------------------------- */

typedef gboolean (*SaphanXPathFunc) (const SaphanXPathContext *ctx,
                                     guint                     argc,
                                     SaphanXPathValue         *argv,
                                     SaphanXPathValue         *result,
                                     GError                  **error);

typedef enum
{
  SAPHAN_XPATH_FUNC_VOLATILE = 1 << 0, /* now(), today(), random(), uuid() */
  /* Volatile only when called without its optional arguments: randomize()
   * without a seed shuffles differently each time, with one it does not. */
  SAPHAN_XPATH_FUNC_VOLATILE_UNSEEDED = 1 << 1,
} SaphanXPathFuncFlags;

typedef struct
{
  const char     *name;      /* as written, with its prefix: "jr:choice-name" */
  int             min_args;
  int             max_args;  /* -1: any number */
  SaphanXPathFuncFlags flags;
  SaphanXPathFunc func;
} SaphanXPathFuncDef;

/* Looks up a function by its name as written in the expression. Core XPath
 * functions that need the evaluator itself (position(), last(), current(),
 * instance()) are handled in the evaluator and are not in this table.
 * saphan_xpath_compile() resolves every other name here, once: an unknown
 * name or a wrong number of arguments is a compile error naming it, and a
 * SAPHAN_XPATH_FUNC_VOLATILE entry makes the expression volatile.
 * position(ARG) with an argument is looked up here too. */
const SaphanXPathFuncDef *saphan_xpath_function_lookup (const char *name);

G_END_DECLS
