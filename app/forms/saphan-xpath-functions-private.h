/* saphan-xpath-functions-private.h: shared by the files of the ODK function
 * library (saphan-xpath-functions*.c). Nothing here is public API. */
#pragma once

#include "saphan-xpath.h"

G_BEGIN_DECLS

/* Every function of the library has this signature. */
#define SAPHAN_XPATH_FUNCTION(name)                                        \
  gboolean name (const SaphanXPathContext *ctx, guint argc,               \
                 SaphanXPathValue *argv, SaphanXPathValue *result,         \
                 GError **error)

/* ---- Result and argument helpers (saphan-xpath-functions.c) ------------ */

void      _saphan_xfn_set_number  (SaphanXPathValue *result, double number);
void      _saphan_xfn_set_boolean (SaphanXPathValue *result, gboolean boolean);
/* Takes ownership of TEXT (NULL gives ""). */
void      _saphan_xfn_take_string (SaphanXPathValue *result, char *text);
void      _saphan_xfn_set_string  (SaphanXPathValue *result, const char *text);
/* A deep copy: strings are duplicated and node arrays copied. */
void      _saphan_xfn_copy_value  (SaphanXPathValue *dest, const SaphanXPathValue *src);

char     *_saphan_xfn_string      (const SaphanXPathValue *value);
double    _saphan_xfn_number      (const SaphanXPathValue *value);
gboolean  _saphan_xfn_boolean     (const SaphanXPathValue *value);
/* The context node's string-value, for functions whose argument is
 * optional (string(), string-length(), normalize-space()). */
char     *_saphan_xfn_context_string (const SaphanXPathContext *ctx);

/* Fails unless ARGV[INDEX] is a node-set, naming FUNCTION in the error. */
gboolean  _saphan_xfn_require_nodes (const char *function, const SaphanXPathValue *argv,
                                     guint index, GError **error);
/* Appends the string values of every argument to OUT: a node-set gives one
 * string per node, anything else one string. */
void      _saphan_xfn_flatten_strings (guint argc, const SaphanXPathValue *argv, GPtrArray *out);

/* Sets ERROR to SAPHAN_ERROR_FORM_INVALID with a message naming FUNCTION. */
void      _saphan_xfn_error (GError **error, const char *function, const char *message);

/* ---- Dates (saphan-xpath-functions-date.c) ------------------------------ */

/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]" or, when
 * ALLOW_TIME_ONLY, "HH:MM[:SS[.fff]][Z|+HH:MM]" into local wall-clock days
 * since 1970-01-01 (see saphan-xpath-functions-date.c for why local). */
gboolean  _saphan_xfn_parse_date (const char *text, gboolean allow_time_only, double *days);

/* The whole table, in lookup order, for the test suite. */
const SaphanXPathFuncDef *_saphan_xpath_function_table (guint *n_functions);

/* ---- The functions, one group per file ---------------------------------- */

/* saphan-xpath-functions.c: core, boolean, number, misc. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_string_fn);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_number_fn);

/* saphan-xpath-functions-string.c */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_concat);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_contains);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_starts_with);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_ends_with);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_substring);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_substring_before);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_substring_after);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_string_length);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_normalize_space);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_translate);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_join);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_substr);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_regex);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_selected);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_selected_at);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_count_selected);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_boolean_from_string);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_digest);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_base64_decode);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_extract_signed);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_uuid);

/* saphan-xpath-functions-date.c */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_today);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_now);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_date);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_date_time);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_decimal_date);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_decimal_date_time);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_decimal_time);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_format_date);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_format_date_time);

/* saphan-xpath-functions-nodes.c: node-sets, repeats, selects, geo. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_count);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_count_non_empty);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_sum);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_min);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_max);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_name);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_local_name);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_namespace_uri);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_lang);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_position);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_indexed_repeat);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_checklist);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_weighted_checklist);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_choice_name);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_itext);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_pulldata);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_area);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_distance);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_geofence);
SAPHAN_XPATH_FUNCTION (_saphan_xfn_randomize);

G_END_DECLS
