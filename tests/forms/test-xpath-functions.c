/* test-xpath-functions.c: the ODK XPath function library, driven through
 * compiled expressions.
 *
 * The cases live in functions/cases.tsv (expression, expected string, and
 * optionally the context node's path); each becomes one TAP test. They run
 * over functions/instance.xml with a fixed environment: the clock stands at
 * 2024-02-29T10:00:00.123 in Asia/Bangkok, random() is 0.25, and the label,
 * translation, property and secondary-instance callbacks answer from small
 * tables below. A second group checks the lookup table itself.
 */
#include "config.h"

#include <locale.h>
#include <openssl/evp.h>
#include <math.h>
#include <string.h>

#include "core/saphan-error.h"
#include "saphan-xpath-functions-private.h"
#include "saphan-xpath.h"

typedef struct
{
  char *expression;
  char *expected;
  char *context_path; /* NULL: /data/calc */
  guint line;
} Case;

typedef struct
{
  SaphanNode *primary;   /* document */
  SaphanNode *cities;    /* document of instance('cities') */
  GHashTable *namespaces;
  GPtrArray  *cases;     /* of Case * */
} Fixture;

static Fixture fixture;

/* ---- A small XML loader into SaphanNode trees ----------------------------- */

typedef struct
{
  GQueue   stack;       /* of SaphanNode *, innermost first */
  GString *text;
  GSList  *ns_scopes;   /* of GHashTable * prefix -> URI, innermost first */
} Loader;

static const char *
resolve_prefix (Loader *loader, const char *prefix)
{
  if (g_strcmp0 (prefix, "xml") == 0)
    return "http://www.w3.org/XML/1998/namespace";
  for (GSList *l = loader->ns_scopes; l != NULL; l = l->next)
    {
      const char *uri = g_hash_table_lookup (l->data, prefix != NULL ? prefix : "");

      if (uri != NULL)
        return uri;
    }
  return NULL;
}

static void
split_qname (const char *qname, char **prefix, char **local)
{
  const char *colon = strchr (qname, ':');

  *prefix = colon != NULL ? g_strndup (qname, colon - qname) : NULL;
  *local = g_strdup (colon != NULL ? colon + 1 : qname);
}

static void
loader_start (GMarkupParseContext *context, const char *element_name, const char **names,
              const char **values, gpointer user_data, GError **error)
{
  Loader *loader = user_data;
  GHashTable *scope = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *prefix = NULL;
  g_autofree char *local = NULL;
  SaphanNode *element;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "xmlns:"))
        g_hash_table_insert (scope, g_strdup (names[i] + 6), g_strdup (values[i]));
      else if (g_str_equal (names[i], "xmlns"))
        g_hash_table_insert (scope, g_strdup (""), g_strdup (values[i]));
    }
  loader->ns_scopes = g_slist_prepend (loader->ns_scopes, scope);

  split_qname (element_name, &prefix, &local);
  element = saphan_node_new_element (prefix, local, resolve_prefix (loader, prefix));
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *aprefix = NULL;
      g_autofree char *alocal = NULL;

      if (g_str_has_prefix (names[i], "xmlns"))
        continue;
      split_qname (names[i], &aprefix, &alocal);
      saphan_node_set_attr (element, aprefix, alocal,
                            aprefix != NULL ? resolve_prefix (loader, aprefix) : NULL, values[i]);
    }
  saphan_node_append (g_queue_peek_head (&loader->stack), element);
  g_queue_push_head (&loader->stack, element);
  g_string_truncate (loader->text, 0);
}

static void
loader_end (GMarkupParseContext *context, const char *element_name, gpointer user_data,
            GError **error)
{
  Loader *loader = user_data;
  SaphanNode *element = g_queue_pop_head (&loader->stack);

  /* Instances have no mixed content: only a leaf keeps its text. */
  if (element->first_child == NULL && loader->text->len > 0)
    saphan_node_set_value (element, loader->text->str);
  g_string_truncate (loader->text, 0);
  g_hash_table_unref (loader->ns_scopes->data);
  loader->ns_scopes = g_slist_delete_link (loader->ns_scopes, loader->ns_scopes);
}

static void
loader_text (GMarkupParseContext *context, const char *text, gsize len, gpointer user_data,
             GError **error)
{
  Loader *loader = user_data;

  g_string_append_len (loader->text, text, len);
}

static SaphanNode *
load_instance (const char *name)
{
  static const GMarkupParser parser = { loader_start, loader_end, loader_text, NULL, NULL };
  g_autofree char *path = g_build_filename (FUNCTIONS_DIR, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMarkupParseContext) context = NULL;
  Loader loader = { G_QUEUE_INIT, g_string_new (NULL), NULL };
  SaphanNode *doc = saphan_node_new_document ();

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_queue_push_head (&loader.stack, doc);
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &loader, NULL);
  g_markup_parse_context_parse (context, contents, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
  g_string_free (loader.text, TRUE);
  g_queue_clear (&loader.stack);
  return doc;
}

/* ---- The fixed environment --------------------------------------------------- */

static SaphanNode *
env_instance (gpointer data, const char *id)
{
  return g_str_equal (id, "cities") ? fixture.cities : NULL;
}

static char *
env_itext (gpointer data, const char *text_id)
{
  return g_str_equal (text_id, "greeting") ? g_strdup ("สวัสดี") : NULL;
}

static char *
env_choice_name (gpointer data, SaphanNode *question, const char *value)
{
  if (g_strcmp0 (question->local, "fruit") != 0)
    return NULL;
  if (g_str_equal (value, "a"))
    return g_strdup ("Apple");
  if (g_str_equal (value, "b"))
    return g_strdup ("กล้วย");
  return NULL;
}

static char *
env_property (gpointer data, const char *name)
{
  if (g_str_equal (name, "version"))
    return g_strdup ("2024022901");
  if (g_str_equal (name, "deviceid"))
    return g_strdup ("saphan:kiosk-01");
  return NULL;
}

static GDateTime *
env_now (gpointer data)
{
  g_autoptr (GTimeZone) bangkok = g_time_zone_new_identifier ("Asia/Bangkok");

  g_assert_nonnull (bangkok);
  return g_date_time_new (bangkok, 2024, 2, 29, 10, 0, 0.123);
}

static double
env_random (gpointer data)
{
  return 0.25;
}

static const SaphanXPathEnv test_env = {
  env_instance, env_itext, env_choice_name, env_property, env_now, env_random, NULL,
};

/* ---- Cases ------------------------------------------------------------------------ */

static SaphanNode *
find_node (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (path, fixture.namespaces, &error);
  SaphanXPathContext ctx = { fixture.primary, fixture.primary, 1, 1, &test_env };
  SaphanXPathValue value = { .type = SAPHAN_XPATH_BOOLEAN };
  SaphanNode *node;

  g_assert_no_error (error);
  g_assert_true (saphan_xpath_eval (expr, &ctx, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value.type, ==, SAPHAN_XPATH_NODESET);
  g_assert_cmpuint (value.nodes->len, ==, 1);
  node = g_ptr_array_index (value.nodes, 0);
  saphan_xpath_value_clear (&value);
  return node;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = NULL;
  g_autofree char *result = NULL;
  SaphanNode *node = find_node (c->context_path != NULL ? c->context_path : "/data/calc");
  SaphanXPathContext ctx = { node, node, 1, 1, &test_env };
  gboolean ok;

  g_test_message ("cases.tsv:%u: %s", c->line, c->expression);
  expr = saphan_xpath_compile (c->expression, fixture.namespaces, &error);
  ok = expr != NULL && saphan_xpath_eval_string (expr, &ctx, &result, &error);

  if (g_str_has_prefix (c->expected, "!error"))
    {
      g_autofree char *function = g_strstrip (g_strdup (c->expected + strlen ("!error")));

      g_assert_false (ok);
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
      /* The message must say which function is at fault. */
      if (error != NULL && strstr (error->message, function) == NULL)
        {
          g_test_message ("cases.tsv:%u: the error “%s” does not name %s", c->line,
                          error->message, function);
          g_test_fail ();
        }
      return;
    }

  g_assert_no_error (error);
  g_assert_true (ok);
  if (c->expected[0] == '~')
    {
      g_autofree char *whole = g_strconcat ("\\A(?:", c->expected + 1, ")\\z", NULL);

      if (!g_regex_match_simple (whole, result, 0, 0))
        {
          g_test_message ("cases.tsv:%u: %s gave “%s”, which does not match %s", c->line,
                          c->expression, result, c->expected + 1);
          g_test_fail ();
        }
      return;
    }
  if (g_strcmp0 (result, c->expected) != 0)
    {
      g_test_message ("cases.tsv:%u: %s gave “%s”, expected “%s”", c->line, c->expression,
                      result, c->expected);
      g_test_fail ();
    }
}

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->expression);
  g_free (c->expected);
  g_free (c->context_path);
  g_free (c);
}

static GPtrArray *
load_cases (void)
{
  g_autofree char *path = g_build_filename (FUNCTIONS_DIR, "cases.tsv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *cases = g_ptr_array_new_with_free_func (case_free);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      Case *c;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (fields) < 2 || g_strv_length (fields) > 3)
        g_error ("cases.tsv:%u: expected 2 or 3 tab-separated fields", i + 1);
      c = g_new0 (Case, 1);
      c->expression = g_strdup (fields[0]);
      c->expected = g_strdup (fields[1]);
      c->context_path = g_strdup (fields[2]);
      c->line = i + 1;
      g_ptr_array_add (cases, c);
    }
  return cases;
}

/* ---- The table itself ---------------------------------------------------------------- */

/* Every function of the ODK XForms specification's table that is not the
 * evaluator's own (position(), last(), current(), instance()), plus the
 * XPath 1.0 core. */
static const char *const required_functions[] = {
  "abs", "acos", "area", "asin", "atan", "atan2", "base64-decode", "boolean",
  "boolean-from-string", "ceiling", "checklist", "coalesce", "concat", "contains", "cos",
  "count", "count-non-empty", "count-selected", "date", "date-time", "decimal-date",
  "decimal-date-time", "decimal-time", "digest", "distance", "ends-with", "exp", "exp10",
  "extract-signed", "geofence", "randomize",
  "false", "floor", "format-date", "format-date-time", "if", "indexed-repeat", "int", "join",
  "jr:choice-name", "jr:itext", "lang", "local-name", "log", "log10", "max", "min", "name",
  "normalize-space", "not", "now", "number", "once", "pi", "position", "pow", "property",
  "pulldata", "random", "regex", "round", "selected", "selected-at", "sin", "sqrt",
  "starts-with", "string", "string-length", "substr", "substring", "substring-after",
  "substring-before", "sum", "tan", "today", "translate", "true", "uuid", "version",
  "weighted-checklist",
};

static void
test_table_sorted (void)
{
  guint n = 0;
  const SaphanXPathFuncDef *table = _saphan_xpath_function_table (&n);

  g_assert_cmpuint (n, >=, G_N_ELEMENTS (required_functions));
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_assert_cmpint (strcmp (table[i - 1].name, table[i].name), <, 0);
      g_assert_nonnull (table[i].func);
      g_assert_cmpint (table[i].min_args, >=, 0);
      g_assert_true (table[i].max_args == -1 || table[i].max_args >= table[i].min_args);
      /* Every entry is found by lookup, at its own address. */
      g_assert_true (saphan_xpath_function_lookup (table[i].name) == &table[i]);
    }
}

static void
test_table_coverage (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (required_functions); i++)
    if (saphan_xpath_function_lookup (required_functions[i]) == NULL)
      g_error ("function %s() is missing", required_functions[i]);

  g_assert_null (saphan_xpath_function_lookup ("no-such-function"));
  g_assert_null (saphan_xpath_function_lookup (""));
  g_assert_null (saphan_xpath_function_lookup ("choice-name"));
  /* The evaluator's own functions are not shadowed. */
  g_assert_null (saphan_xpath_function_lookup ("last"));
  g_assert_null (saphan_xpath_function_lookup ("current"));
  g_assert_null (saphan_xpath_function_lookup ("instance"));
  g_assert_cmpint (saphan_xpath_function_lookup ("position")->min_args, ==, 1);
}

static void
test_volatile (void)
{
  static const char *const volatile_names[] = { "now", "today", "random", "uuid" };
  static const struct { const char *text; gboolean is_volatile; } exprs[] = {
    { "today()", TRUE },
    { "format-date(now(), '%Y')", TRUE },
    { "once(uuid())", TRUE },
    { "concat('a', random())", TRUE },
    { "date('2024-02-29')", FALSE },
    { "randomize(/data/nums/v)", TRUE },
    { "randomize(/data/nums/v, 42)", FALSE },
    { "digest('abc', 'MD5')", FALSE },
  };
  guint n = 0;
  const SaphanXPathFuncDef *table = _saphan_xpath_function_table (&n);
  guint n_volatile = 0;

  for (guint i = 0; i < G_N_ELEMENTS (volatile_names); i++)
    g_assert_true (saphan_xpath_function_lookup (volatile_names[i])->flags & SAPHAN_XPATH_FUNC_VOLATILE);
  for (guint i = 0; i < n; i++)
    if (table[i].flags & SAPHAN_XPATH_FUNC_VOLATILE)
      n_volatile++;
  g_assert_cmpuint (n_volatile, ==, G_N_ELEMENTS (volatile_names));

  for (guint i = 0; i < G_N_ELEMENTS (exprs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (exprs[i].text, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (saphan_xpath_expr_is_volatile (expr), ==, exprs[i].is_volatile);
    }
}

/* uuid() must not repeat: two kiosks' instanceIDs must never collide. */
static void
test_uuid_unique (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile ("uuid()", NULL, NULL);
  SaphanXPathContext ctx = { fixture.primary, fixture.primary, 1, 1, &test_env };

  for (guint i = 0; i < 1000; i++)
    {
      char *text = NULL;

      g_assert_true (saphan_xpath_eval_string (expr, &ctx, &text, NULL));
      g_assert_true (g_hash_table_add (seen, text));
    }
}

/* Without a clock callback, today() is the machine's local date. */
static void
test_default_clock (void)
{
  static const SaphanXPathEnv bare_env = { 0 };
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile ("today()", NULL, NULL);
  SaphanXPathContext ctx = { fixture.primary, fixture.primary, 1, 1, &bare_env };
  g_autoptr (GDateTime) before = g_date_time_new_now_local ();
  g_autofree char *expected = g_date_time_format (before, "%Y-%m-%d");
  g_autofree char *text = NULL;

  g_assert_true (saphan_xpath_eval_string (expr, &ctx, &text, NULL));
  /* Tolerates a run that crosses midnight. */
  if (g_strcmp0 (text, expected) != 0)
    {
      g_autoptr (GDateTime) after = g_date_time_new_now_local ();
      g_autofree char *later = g_date_time_format (after, "%Y-%m-%d");

      g_assert_cmpstr (text, ==, later);
    }
}

/* Every function, called directly with every kind of argument (empty and
 * non-empty node-sets, odd strings, NaN, huge numbers), must either give a
 * value or fail with SAPHAN_ERROR_FORM_INVALID naming itself; under the
 * sanitizers this also proves there is no bad memory access or leak. */
static void
test_hostile_arguments (void)
{
  g_autoptr (GPtrArray) all_nodes = g_ptr_array_new ();
  SaphanNode *data = fixture.primary->first_child;
  SaphanNode *calc = saphan_node_first_child_named (data, "calc");
  SaphanXPathContext ctx = { calc, calc, 1, 1, &test_env };
  SaphanXPathValue pool[14];
  guint n_pool = 0, n_calls = 0, n_errors = 0, n = 0;
  const SaphanXPathFuncDef *table = _saphan_xpath_function_table (&n);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240229);

  for (SaphanNode *child = data->first_child; child != NULL; child = child->next)
    g_ptr_array_add (all_nodes, child);

  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_NODESET, .nodes = g_ptr_array_new () };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_NODESET, .nodes = g_ptr_array_ref (all_nodes) };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_STRING, .string = g_strdup ("") };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_STRING, .string = g_strdup ("abc") };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_STRING, .string = g_strdup ("2024-02-29") };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_STRING, .string = g_strdup ("สะพาน น้ำ") };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_STRING, .string = g_strdup ("1 2;3 4;((") };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_STRING, .string = g_strdup ("%Y%") };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_NUMBER, .number = NAN };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_NUMBER, .number = -1 };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_NUMBER, .number = 1e300 };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_NUMBER, .number = -INFINITY };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_NUMBER, .number = 2.5 };
  pool[n_pool++] = (SaphanXPathValue) { .type = SAPHAN_XPATH_BOOLEAN, .boolean = TRUE };
  g_assert_cmpuint (n_pool, ==, G_N_ELEMENTS (pool));

  for (guint f = 0; f < n; f++)
    {
      int max_args = table[f].max_args < 0 ? table[f].min_args + 4 : table[f].max_args;

      g_assert_cmpint (max_args, <=, 9);

      for (int argc = table[f].min_args; argc <= max_args; argc++)
        for (guint trial = 0; trial < 60; trial++)
          {
            SaphanXPathValue argv[9];
            SaphanXPathValue result = { .type = SAPHAN_XPATH_BOOLEAN };
            g_autoptr (GError) error = NULL;

            for (int a = 0; a < argc; a++)
              argv[a] = pool[g_rand_int_range (rand, 0, n_pool)];
            n_calls++;
            if (table[f].func (&ctx, argc, argv, &result, &error))
              {
                g_assert_no_error (error);
                g_assert_cmpint (result.type, <=, SAPHAN_XPATH_STRING);
                if (result.type == SAPHAN_XPATH_STRING)
                  g_assert_true (g_utf8_validate (result.string, -1, NULL));
                saphan_xpath_value_clear (&result);
              }
            else
              {
                n_errors++;
                g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
                g_assert_nonnull (strstr (error->message, table[f].name));
              }
          }
    }
  g_test_message ("%u calls, %u refused", n_calls, n_errors);
  g_assert_cmpuint (n_errors, >, 0);
  g_assert_cmpuint (n_errors, <, n_calls);

  for (guint i = 0; i < n_pool; i++)
    saphan_xpath_value_clear (&pool[i]);
}

static char *
eval_with_node_context (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (text, fixture.namespaces, &error);
  SaphanXPathContext ctx = { fixture.primary, fixture.primary, 1, 1, &test_env };
  char *out = NULL;

  g_assert_no_error (error);
  g_assert_true (saphan_xpath_eval_string (expr, &ctx, &out, &error));
  g_assert_no_error (error);
  return out;
}

/* A Thai message signed with a fresh Ed25519 key, as a QR code on a
 * citizen's document would carry it: it verifies with its own key only, and
 * one flipped byte anywhere makes it "". */
static void
test_extract_signed_thai (void)
{
  static const char message[] = "เลขประจำตัว|1234567890123|สมชาย";
  EVP_PKEY *key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  EVP_PKEY *other = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  guchar signed_bytes[64 + sizeof message];
  guchar public_key[32], other_key[32];
  size_t sig_len = 64, key_len = sizeof public_key, other_len = sizeof other_key;
  g_autofree char *signed_b64 = NULL;
  g_autofree char *key_b64 = NULL;
  g_autofree char *other_b64 = NULL;

  g_assert_nonnull (key);
  g_assert_cmpint (EVP_DigestSignInit (md, NULL, NULL, NULL, key), ==, 1);
  g_assert_cmpint (EVP_DigestSign (md, signed_bytes, &sig_len, (const guchar *) message,
                                   strlen (message)), ==, 1);
  g_assert_cmpuint (sig_len, ==, 64);
  memcpy (signed_bytes + 64, message, strlen (message));
  g_assert_cmpint (EVP_PKEY_get_raw_public_key (key, public_key, &key_len), ==, 1);
  g_assert_cmpint (EVP_PKEY_get_raw_public_key (other, other_key, &other_len), ==, 1);
  key_b64 = g_base64_encode (public_key, key_len);
  other_b64 = g_base64_encode (other_key, other_len);
  signed_b64 = g_base64_encode (signed_bytes, 64 + strlen (message));

  {
    g_autofree char *text = g_strdup_printf ("extract-signed('%s', '%s')", signed_b64, key_b64);
    g_autofree char *out = eval_with_node_context (text);

    g_assert_cmpstr (out, ==, message);
  }
  {
    g_autofree char *text = g_strdup_printf ("extract-signed('%s', '%s')", signed_b64, other_b64);
    g_autofree char *out = eval_with_node_context (text);

    g_assert_cmpstr (out, ==, "");
  }
  for (gsize i = 0; i < 64 + strlen (message); i += 7)
    {
      g_autofree char *tampered_b64 = NULL;
      g_autofree char *text = NULL;
      g_autofree char *out = NULL;

      signed_bytes[i] ^= 0x01;
      tampered_b64 = g_base64_encode (signed_bytes, 64 + strlen (message));
      signed_bytes[i] ^= 0x01;
      text = g_strdup_printf ("extract-signed('%s', '%s')", tampered_b64, key_b64);
      out = eval_with_node_context (text);
      g_assert_cmpstr (out, ==, "");
    }

  EVP_MD_CTX_free (md);
  EVP_PKEY_free (key);
  EVP_PKEY_free (other);
}

/* The same instants seen from other kiosk time zones: UTC, and New York on
 * the day its clocks went forward (2024-03-10, -05:00 to -04:00). */
static void
test_other_time_zones (void)
{
  static const struct { const char *zone, *expression, *expected; } cases[] = {
    { "UTC", "today()", "2024-02-29" },
    { "UTC", "now()", "2024-02-29T03:00:00.123+00:00" },
    { "UTC", "decimal-date-time('2024-02-29T10:00:00+07:00')", "19782.125" },
    { "UTC", "date('2024-02-29T20:00:00Z')", "2024-02-29T20:00:00+00:00" },
    { "UTC", "date('2024-02-29T23:30:00.250-01:00')", "2024-03-01T00:30:00.25+00:00" },
    { "UTC", "format-date(date('2024-02-29T23:30:00-01:00'), '%Y-%m-%d')", "2024-03-01" },
    { "UTC", "date-time(19782.5)", "2024-02-29T12:00:00.000+00:00" },
    { "UTC", "format-date-time('2024-02-29T23:30:00+07:00', '%H:%M')", "16:30" },
    { "UTC", "decimal-time('10:00:00+07:00')", "0.125" },
    { "America/New_York", "date-time(number('2024-03-10') + 0.5)", "2024-03-10T12:00:00.000-04:00" },
    { "America/New_York", "date-time(number('2024-03-09') + 0.5)", "2024-03-09T12:00:00.000-05:00" },
    { "America/New_York", "decimal-date-time('2024-03-10T16:00:00Z')", "19792.5" },
    { "America/New_York", "decimal-date-time('2024-03-09T17:00:00Z')", "19791.5" },
    { "America/New_York", "today()", "2024-02-28" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;

      g_setenv ("TZ", cases[i].zone, TRUE);
      out = eval_with_node_context (cases[i].expression);
      if (g_strcmp0 (out, cases[i].expected) != 0)
        {
          g_test_message ("TZ=%s: %s gave “%s”, expected “%s”", cases[i].zone,
                          cases[i].expression, out, cases[i].expected);
          g_test_fail ();
        }
    }
  g_setenv ("TZ", "Asia/Bangkok", TRUE);
}

int
main (int argc, char **argv)
{
  /* Dates are local: the cases are written for Bangkok (+07:00, no DST). */
  g_setenv ("TZ", "Asia/Bangkok", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* One failing case must not hide the others. */
  g_test_set_nonfatal_assertions ();

  fixture.primary = load_instance ("instance.xml");
  fixture.cities = load_instance ("cities.xml");
  fixture.namespaces = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (fixture.namespaces, "orx", "http://openrosa.org/xforms");
  g_hash_table_insert (fixture.namespaces, "jr", "http://openrosa.org/javarosa");
  fixture.cases = load_cases ();

  g_test_add_func ("/xpath-functions/table/sorted", test_table_sorted);
  g_test_add_func ("/xpath-functions/table/coverage", test_table_coverage);
  g_test_add_func ("/xpath-functions/table/volatile", test_volatile);
  g_test_add_func ("/xpath-functions/uuid-unique", test_uuid_unique);
  g_test_add_func ("/xpath-functions/default-clock", test_default_clock);
  g_test_add_func ("/xpath-functions/hostile-arguments", test_hostile_arguments);
  g_test_add_func ("/xpath-functions/extract-signed-thai", test_extract_signed_thai);
  g_test_add_func ("/xpath-functions/other-time-zones", test_other_time_zones);
  for (guint i = 0; i < fixture.cases->len; i++)
    {
      const Case *c = g_ptr_array_index (fixture.cases, i);
      g_autofree char *name = g_strdup_printf ("/xpath-functions/case/line-%03u", c->line);

      g_test_add_data_func (name, c, test_case);
    }

  {
    int status = g_test_run ();

    g_ptr_array_unref (fixture.cases);
    g_hash_table_unref (fixture.namespaces);
    saphan_node_free (fixture.primary);
    saphan_node_free (fixture.cities);
    return status;
  }
}
