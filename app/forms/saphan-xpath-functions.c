/* saphan-xpath-functions.c: the ODK XPath function library, its lookup
 * table, and the core, boolean and number functions.
 *
 * The library follows ODK Collect (JavaRosa) wherever the ODK XForms
 * specification leaves room, because the forms a kiosk runs are designed and
 * tested in Collect. Bad input gives the value Collect gives (NaN, the empty
 * string); errors are raised only where Collect raises them, always as
 * SAPHAN_ERROR_FORM_INVALID with a message naming the function.
 *
 * Where we knowingly differ from Collect, it is to keep a kiosk running on
 * input Collect would stop at: substr() clamps indices past the end, and date
 * functions accept a stored day number ("19782"). randomize() returns its node-set in the shuffled
 * order, the one exception to document order (see SaphanXPathValue).
 *
 * The other groups live in saphan-xpath-functions-string.c, -date.c and
 * -nodes.c. position(), last(), current() and instance() belong to the
 * evaluator, except position(node) with an argument, which is here (see the
 * table).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/saphan-error.h"
#include "saphan-xpath-functions-private.h"

/* ---- Helpers shared by the library -------------------------------------- */

void
_saphan_xfn_set_number (SaphanXPathValue *result, double number)
{
  result->type = SAPHAN_XPATH_NUMBER;
  result->number = number;
}

void
_saphan_xfn_set_boolean (SaphanXPathValue *result, gboolean boolean)
{
  result->type = SAPHAN_XPATH_BOOLEAN;
  result->boolean = boolean ? TRUE : FALSE;
}

void
_saphan_xfn_take_string (SaphanXPathValue *result, char *text)
{
  result->type = SAPHAN_XPATH_STRING;
  result->string = text != NULL ? text : g_strdup ("");
}

void
_saphan_xfn_set_string (SaphanXPathValue *result, const char *text)
{
  _saphan_xfn_take_string (result, g_strdup (text != NULL ? text : ""));
}

void
_saphan_xfn_copy_value (SaphanXPathValue *dest, const SaphanXPathValue *src)
{
  dest->type = src->type;
  switch (src->type)
    {
    case SAPHAN_XPATH_NODESET:
      dest->nodes = g_ptr_array_copy (src->nodes, NULL, NULL);
      break;
    case SAPHAN_XPATH_STRING:
      dest->string = g_strdup (src->string);
      break;
    case SAPHAN_XPATH_NUMBER:
      dest->number = src->number;
      break;
    case SAPHAN_XPATH_BOOLEAN:
      dest->boolean = src->boolean;
      break;
    }
}

char *
_saphan_xfn_string (const SaphanXPathValue *value)
{
  char *text = saphan_xpath_value_to_string (value);

  return text != NULL ? text : g_strdup ("");
}

double
_saphan_xfn_number (const SaphanXPathValue *value)
{
  return saphan_xpath_value_to_number (value);
}

gboolean
_saphan_xfn_boolean (const SaphanXPathValue *value)
{
  return saphan_xpath_value_to_boolean (value);
}

char *
_saphan_xfn_context_string (const SaphanXPathContext *ctx)
{
  if (ctx->node == NULL)
    return g_strdup ("");
  return saphan_node_string_value (ctx->node);
}

void
_saphan_xfn_error (GError **error, const char *function, const char *message)
{
  /* TRANSLATORS: the first %s is an XPath function name such as regex(),
   * the second says what was wrong with its arguments. */
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
               _("The form’s expression calls %s(): %s. Ask the form’s author to fix it."),
               function, message);
}

gboolean
_saphan_xfn_require_nodes (const char *function, const SaphanXPathValue *argv, guint index,
                           GError **error)
{
  if (argv[index].type == SAPHAN_XPATH_NODESET)
    return TRUE;
  _saphan_xfn_error (error, function, _("this argument must be a list of nodes"));
  return FALSE;
}

void
_saphan_xfn_flatten_strings (guint argc, const SaphanXPathValue *argv, GPtrArray *out)
{
  for (guint i = 0; i < argc; i++)
    {
      if (argv[i].type == SAPHAN_XPATH_NODESET)
        {
          for (guint n = 0; n < argv[i].nodes->len; n++)
            g_ptr_array_add (out, saphan_node_string_value (g_ptr_array_index (argv[i].nodes, n)));
        }
      else
        g_ptr_array_add (out, _saphan_xfn_string (&argv[i]));
    }
}

/* ---- Core conversions ---------------------------------------------------- */

SAPHAN_XPATH_FUNCTION (_saphan_xfn_string_fn)
{
  _saphan_xfn_take_string (result, argc == 0 ? _saphan_xfn_context_string (ctx)
                                             : _saphan_xfn_string (&argv[0]));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_number_fn)
{
  if (argc == 0)
    {
      g_autofree char *text = _saphan_xfn_context_string (ctx);

      _saphan_xfn_set_number (result, saphan_xpath_string_to_number (text));
    }
  else
    _saphan_xfn_set_number (result, _saphan_xfn_number (&argv[0]));
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_boolean)
{
  _saphan_xfn_set_boolean (result, _saphan_xfn_boolean (&argv[0]));
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_not)
{
  _saphan_xfn_set_boolean (result, !_saphan_xfn_boolean (&argv[0]));
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_true)
{
  _saphan_xfn_set_boolean (result, TRUE);
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_false)
{
  _saphan_xfn_set_boolean (result, FALSE);
  return TRUE;
}

/* ---- ODK control functions ---------------------------------------------- */

/* if() evaluates both branches (as Collect does) and returns the chosen one
 * unconverted, so if(c, /a/b, 0) can still be used as a node-set. */
static SAPHAN_XPATH_FUNCTION (fn_if)
{
  _saphan_xfn_copy_value (result, _saphan_xfn_boolean (&argv[0]) ? &argv[1] : &argv[2]);
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_coalesce)
{
  for (guint i = 0; i < argc; i++)
    {
      char *text = _saphan_xfn_string (&argv[i]);

      if (*text != '\0')
        {
          _saphan_xfn_take_string (result, text);
          return TRUE;
        }
      g_free (text);
    }
  _saphan_xfn_set_string (result, "");
  return TRUE;
}

/* once() keeps a value that was already computed: the bind's node (current()
 * when the evaluator provides it, else the context node) wins if non-empty. */
static SAPHAN_XPATH_FUNCTION (fn_once)
{
  SaphanNode *node = ctx->current != NULL ? ctx->current : ctx->node;
  const char *value = node != NULL ? saphan_node_get_value (node) : "";

  if (value != NULL && *value != '\0')
    _saphan_xfn_set_string (result, value);
  else
    _saphan_xfn_copy_value (result, &argv[0]);
  return TRUE;
}

static gboolean
lookup_property (const SaphanXPathContext *ctx, const char *function, const char *name,
                 SaphanXPathValue *result, GError **error)
{
  const SaphanXPathEnv *env = ctx->env;

  if (env == NULL || env->property == NULL)
    {
      _saphan_xfn_error (error, function, _("device properties are not available here"));
      return FALSE;
    }
  _saphan_xfn_take_string (result, env->property (env->data, name));
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_version)
{
  return lookup_property (ctx, "version", "version", result, error);
}

static SAPHAN_XPATH_FUNCTION (fn_property)
{
  g_autofree char *name = _saphan_xfn_string (&argv[0]);

  return lookup_property (ctx, "property", name, result, error);
}

/* ---- Numbers ------------------------------------------------------------- */

/* XPath 1.0 round(): halves go towards positive infinity, and -0.5 <= x < 0
 * gives negative zero. Computed without x + 0.5, which misrounds
 * 0.49999999999999994. */
static double
round_half_up (double x)
{
  double down;

  if (!isfinite (x))
    return x;
  down = floor (x);
  if (x - down >= 0.5)
    return down == -1.0 ? -0.0 : down + 1.0;
  return down;
}

/* round(x, digits) as Collect computes it: the exact binary value of X is
 * rounded half away from zero (Java's BigDecimal with HALF_UP), so
 * round(2.675, 2) is 2.67 because 2.675 is stored as 2.67499999... */
static double
round_digits (double x, double digits_number)
{
  int digits;

  if (!isfinite (x) || isnan (digits_number))
    return isnan (digits_number) ? NAN : x;
  digits = (int) CLAMP (trunc (digits_number), -400.0, 400.0);

  if (digits >= 0)
    {
      double scale = pow (10.0, digits);
      double y = x * scale;
      g_autofree char *text = NULL;

      if (fabs (x) >= 4503599627370496.0 || digits > 350)
        return x; /* Already whole, or finer than any double's digits. */
      /* A tie can only be exact when the product is exact (10^22 is the
       * largest exact power of ten); printf rounds ties to even, so they
       * are handled here and the rest by printf, which rounds the exact
       * binary value correctly. */
      if (digits <= 22 && fma (x, scale, -y) == 0.0 && fabs (y - trunc (y)) == 0.5)
        return (trunc (y) + copysign (1.0, y)) / scale;
      text = g_strdup_printf ("%.*f", digits, x);
      return g_ascii_strtod (text, NULL);
    }
  else
    {
      double scale = pow (10.0, -digits);
      double y;

      if (!isfinite (scale))
        return copysign (0.0, x);
      y = x / scale;
      if (fma (y, scale, -x) == 0.0 && fabs (y - trunc (y)) == 0.5)
        return (trunc (y) + copysign (1.0, y)) * scale;
      return round (y) * scale;
    }
}

static SAPHAN_XPATH_FUNCTION (fn_round)
{
  double x = _saphan_xfn_number (&argv[0]);

  if (argc == 1)
    _saphan_xfn_set_number (result, round_half_up (x));
  else
    _saphan_xfn_set_number (result, round_digits (x, _saphan_xfn_number (&argv[1])));
  return TRUE;
}

/* One-argument math functions share a single body through this macro. */
static double exp10_func (double x) { return pow (10.0, x); }

#define MATH_FUNCTION(fname, cfunc)                                        \
  static SAPHAN_XPATH_FUNCTION (fname)                                     \
  {                                                                        \
    _saphan_xfn_set_number (result, cfunc (_saphan_xfn_number (&argv[0]))); \
    return TRUE;                                                           \
  }

MATH_FUNCTION (fn_floor, floor)
MATH_FUNCTION (fn_ceiling, ceil)
MATH_FUNCTION (fn_abs, fabs)
MATH_FUNCTION (fn_int, trunc)
MATH_FUNCTION (fn_log, log)
MATH_FUNCTION (fn_log10, log10)
MATH_FUNCTION (fn_exp, exp)
MATH_FUNCTION (fn_exp10, exp10_func)
MATH_FUNCTION (fn_sqrt, sqrt)
MATH_FUNCTION (fn_sin, sin)
MATH_FUNCTION (fn_cos, cos)
MATH_FUNCTION (fn_tan, tan)
MATH_FUNCTION (fn_asin, asin)
MATH_FUNCTION (fn_acos, acos)
MATH_FUNCTION (fn_atan, atan)

static SAPHAN_XPATH_FUNCTION (fn_pow)
{
  _saphan_xfn_set_number (result, pow (_saphan_xfn_number (&argv[0]),
                                       _saphan_xfn_number (&argv[1])));
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_atan2)
{
  _saphan_xfn_set_number (result, atan2 (_saphan_xfn_number (&argv[0]),
                                         _saphan_xfn_number (&argv[1])));
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_pi)
{
  _saphan_xfn_set_number (result, G_PI);
  return TRUE;
}

static SAPHAN_XPATH_FUNCTION (fn_random)
{
  const SaphanXPathEnv *env = ctx->env;

  if (env != NULL && env->random != NULL)
    _saphan_xfn_set_number (result, env->random (env->data));
  else
    _saphan_xfn_set_number (result, g_random_double ());
  return TRUE;
}

/* ---- The table ----------------------------------------------------------- */

#define VOLATILE SAPHAN_XPATH_FUNC_VOLATILE
#define VOLATILE_UNSEEDED SAPHAN_XPATH_FUNC_VOLATILE_UNSEEDED

/* Sorted by strcmp() on the name, for bsearch(); the test suite checks the
 * order. "position" needs its argument here: position() without one is the
 * evaluator's, which must look at its own functions before this table. */
static const SaphanXPathFuncDef function_table[] = {
  { "abs",                 1,  1, 0, fn_abs },
  { "acos",                1,  1, 0, fn_acos },
  { "area",                1,  1, 0, _saphan_xfn_area },
  { "asin",                1,  1, 0, fn_asin },
  { "atan",                1,  1, 0, fn_atan },
  { "atan2",               2,  2, 0, fn_atan2 },
  { "base64-decode",       1,  1, 0, _saphan_xfn_base64_decode },
  { "boolean",             1,  1, 0, fn_boolean },
  { "boolean-from-string", 1,  1, 0, _saphan_xfn_boolean_from_string },
  { "ceiling",             1,  1, 0, fn_ceiling },
  { "checklist",           2, -1, 0, _saphan_xfn_checklist },
  { "coalesce",            2, -1, 0, fn_coalesce },
  { "concat",              0, -1, 0, _saphan_xfn_concat },
  { "contains",            2,  2, 0, _saphan_xfn_contains },
  { "cos",                 1,  1, 0, fn_cos },
  { "count",               1,  1, 0, _saphan_xfn_count },
  { "count-non-empty",     1,  1, 0, _saphan_xfn_count_non_empty },
  { "count-selected",      1,  1, 0, _saphan_xfn_count_selected },
  { "date",                1,  1, 0, _saphan_xfn_date },
  { "date-time",           1,  1, 0, _saphan_xfn_date_time },
  { "decimal-date",        1,  1, 0, _saphan_xfn_decimal_date },
  { "decimal-date-time",   1,  1, 0, _saphan_xfn_decimal_date_time },
  { "decimal-time",        1,  1, 0, _saphan_xfn_decimal_time },
  { "digest",              2,  3, 0, _saphan_xfn_digest },
  { "distance",            1, -1, 0, _saphan_xfn_distance },
  { "ends-with",           2,  2, 0, _saphan_xfn_ends_with },
  { "exp",                 1,  1, 0, fn_exp },
  { "exp10",               1,  1, 0, fn_exp10 },
  { "extract-signed",      2,  2, 0, _saphan_xfn_extract_signed },
  { "false",               0,  0, 0, fn_false },
  { "floor",               1,  1, 0, fn_floor },
  { "format-date",         2,  2, 0, _saphan_xfn_format_date },
  { "format-date-time",    2,  2, 0, _saphan_xfn_format_date_time },
  { "geofence",            2,  2, 0, _saphan_xfn_geofence },
  { "if",                  3,  3, 0, fn_if },
  { "indexed-repeat",      3,  9, 0, _saphan_xfn_indexed_repeat },
  { "int",                 1,  1, 0, fn_int },
  { "join",                1, -1, 0, _saphan_xfn_join },
  { "jr:choice-name",      2,  2, 0, _saphan_xfn_choice_name },
  { "jr:itext",            1,  1, 0, _saphan_xfn_itext },
  { "lang",                1,  1, 0, _saphan_xfn_lang },
  { "local-name",          0,  1, 0, _saphan_xfn_local_name },
  { "log",                 1,  1, 0, fn_log },
  { "log10",               1,  1, 0, fn_log10 },
  { "max",                 1, -1, 0, _saphan_xfn_max },
  { "min",                 1, -1, 0, _saphan_xfn_min },
  { "name",                0,  1, 0, _saphan_xfn_name },
  { "namespace-uri",       0,  1, 0, _saphan_xfn_namespace_uri },
  { "normalize-space",     0,  1, 0, _saphan_xfn_normalize_space },
  { "not",                 1,  1, 0, fn_not },
  { "now",                 0,  0, VOLATILE, _saphan_xfn_now },
  { "number",              0,  1, 0, _saphan_xfn_number_fn },
  { "once",                1,  1, 0, fn_once },
  { "pi",                  0,  0, 0, fn_pi },
  { "position",            1,  1, 0, _saphan_xfn_position },
  { "pow",                 2,  2, 0, fn_pow },
  { "property",            1,  1, 0, fn_property },
  { "pulldata",            4,  4, 0, _saphan_xfn_pulldata },
  { "random",              0,  0, VOLATILE, fn_random },
  { "randomize",           1,  2, VOLATILE_UNSEEDED, _saphan_xfn_randomize },
  { "regex",               2,  2, 0, _saphan_xfn_regex },
  { "round",               1,  2, 0, fn_round },
  { "selected",            2,  2, 0, _saphan_xfn_selected },
  { "selected-at",         2,  2, 0, _saphan_xfn_selected_at },
  { "sin",                 1,  1, 0, fn_sin },
  { "sqrt",                1,  1, 0, fn_sqrt },
  { "starts-with",         2,  2, 0, _saphan_xfn_starts_with },
  { "string",              0,  1, 0, _saphan_xfn_string_fn },
  { "string-length",       0,  1, 0, _saphan_xfn_string_length },
  { "substr",              2,  3, 0, _saphan_xfn_substr },
  { "substring",           2,  3, 0, _saphan_xfn_substring },
  { "substring-after",     2,  2, 0, _saphan_xfn_substring_after },
  { "substring-before",    2,  2, 0, _saphan_xfn_substring_before },
  { "sum",                 1,  1, 0, _saphan_xfn_sum },
  { "tan",                 1,  1, 0, fn_tan },
  { "today",               0,  0, VOLATILE, _saphan_xfn_today },
  { "translate",           3,  3, 0, _saphan_xfn_translate },
  { "true",                0,  0, 0, fn_true },
  { "uuid",                0,  1, VOLATILE, _saphan_xfn_uuid },
  { "version",             0,  0, 0, fn_version },
  { "weighted-checklist",  2, -1, 0, _saphan_xfn_weighted_checklist },
};

static int
compare_name (const void *key, const void *member)
{
  return strcmp (key, ((const SaphanXPathFuncDef *) member)->name);
}

/* The table is constant, so lookups need no lock and no initialization. */
const SaphanXPathFuncDef *
saphan_xpath_function_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return bsearch (name, function_table, G_N_ELEMENTS (function_table),
                  sizeof function_table[0], compare_name);
}

/* For the test suite: the whole table, to check its order and coverage. */
const SaphanXPathFuncDef *
_saphan_xpath_function_table (guint *n_functions)
{
  *n_functions = G_N_ELEMENTS (function_table);
  return function_table;
}
