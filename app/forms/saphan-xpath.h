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
    GPtrArray *nodes;    /* of SaphanNode *, borrowed nodes, document order, no duplicates; owned array */
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
 * Appends newly allocated strings to OUT (duplicates possible). */
void     saphan_xpath_expr_collect_refs (const SaphanXPathExpr *expr, const char *context_path,
                                         GPtrArray *out);

/* ---- Function library --------------------------------------------------- */

typedef gboolean (*SaphanXPathFunc) (const SaphanXPathContext *ctx,
                                     guint                     argc,
                                     SaphanXPathValue         *argv,
                                     SaphanXPathValue         *result,
                                     GError                  **error);

typedef enum
{
  SAPHAN_XPATH_FUNC_VOLATILE = 1 << 0, /* now(), today(), random(), uuid() */
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
 * instance()) are handled in the evaluator and are not in this table. */
const SaphanXPathFuncDef *saphan_xpath_function_lookup (const char *name);

G_END_DECLS
