/* test-xpath.c: the XPath engine against the cases in xpath-cases.txt, plus
 * conversions, limits, the instance tree's ordering and a benchmark. */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <string.h>

#include "saphan-error.h"
#include "saphan-node.h"
#include "saphan-xpath.h"

static const char primary_xml[] =
  "<data xmlns='http://www.w3.org/2002/xforms' xmlns:orx='http://openrosa.org/xforms'"
  "      id='f1' version='3'>"
  "  <name>สมชาย ใจดี</name>"
  "  <age>42</age>"
  "  <dob>1982-05-17</dob>"
  "  <start>2024-02-29T01:00:00.000+07:00</start>"
  "  <empty/>"
  "  <region>n</region>"
  "  <grp><a>1</a><b>2</b><c>hello</c><div>4</div><mod>3</mod></grp>"
  "  <rep pos='1'><q>10</q><w>x</w></rep>"
  "  <rep pos='2'><q>20</q><w>y</w></rep>"
  "  <rep pos='3'><q>30</q><w>x</w></rep>"
  "  <orx:meta><orx:instanceID>uuid:1234</orx:instanceID></orx:meta>"
  "  <ชื่อ>ทดสอบ</ชื่อ>"
  "</data>";

static const char cities_xml[] =
  "<root>"
  "  <item><name>bkk</name><label>กรุงเทพ</label><region>c</region></item>"
  "  <item><name>cnx</name><label>เชียงใหม่</label><region>n</region></item>"
  "  <item><name>kkc</name><label>ขอนแก่น</label><region>ne</region></item>"
  "</root>";

static SaphanNode *primary;
static SaphanNode *cities;
static GHashTable *namespaces;

/* ---- Building instances from XML ---------------------------------------- */

static void
convert_element (xmlNode *xml, SaphanNode *parent)
{
  SaphanNode *node = saphan_node_new_element (
    xml->ns != NULL ? (const char *) xml->ns->prefix : NULL, (const char *) xml->name,
    xml->ns != NULL ? (const char *) xml->ns->href : NULL);
  gboolean has_elements = FALSE;

  saphan_node_append (parent, node);
  for (xmlAttr *a = xml->properties; a != NULL; a = a->next)
    {
      xmlChar *value = xmlNodeGetContent ((xmlNode *) a);

      saphan_node_set_attr (node, a->ns != NULL ? (const char *) a->ns->prefix : NULL,
                            (const char *) a->name,
                            a->ns != NULL ? (const char *) a->ns->href : NULL,
                            (const char *) value);
      xmlFree (value);
    }
  for (xmlNode *c = xml->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      {
        has_elements = TRUE;
        convert_element (c, node);
      }
  if (!has_elements)
    {
      xmlChar *text = xmlNodeGetContent (xml);

      saphan_node_set_value (node, (const char *) text);
      xmlFree (text);
    }
}

static SaphanNode *
instance_from_xml (const char *xml)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), NULL, "UTF-8", XML_PARSE_NONET);
  SaphanNode *root;

  g_assert_nonnull (doc);
  root = saphan_node_new_document ();
  convert_element (xmlDocGetRootElement (doc), root);
  xmlFreeDoc (doc);
  return root;
}

static SaphanNode *
env_instance (gpointer data, const char *id)
{
  return g_str_equal (id, "cities") ? cities : NULL;
}

static const SaphanXPathEnv test_env = { .instance = env_instance };

/* Evaluates PATH, which must select exactly one node. */
static SaphanNode *
select_one (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (path, namespaces, &error);
  SaphanXPathContext ctx = { .node = primary, .env = &test_env };
  SaphanXPathValue v;
  SaphanNode *node;

  g_assert_no_error (error);
  g_assert_true (saphan_xpath_eval (expr, &ctx, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v.type, ==, SAPHAN_XPATH_NODESET);
  g_assert_cmpuint (v.nodes->len, ==, 1);
  node = v.nodes->pdata[0];
  saphan_xpath_value_clear (&v);
  return node;
}

/* ---- The declarative cases ---------------------------------------------- */

typedef struct
{
  guint line;
  char *context;
  char *expression;
  char *expected;
} Case;

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->context);
  g_free (c->expression);
  g_free (c->expected);
  g_free (c);
}

static gboolean
numbers_match (double got, double want)
{
  if (isnan (want))
    return isnan (got);
  if (isinf (want))
    return got == want;
  return fabs (got - want) <= 1e-9 * MAX (1.0, fabs (want));
}

static int
compare_strings_cb (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* "a b c" as a sorted, duplicate-free list joined by spaces. */
static char *
canonical_set (GPtrArray *items)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (sorted, items->pdata[i]);
  g_ptr_array_sort (sorted, compare_strings_cb);
  for (guint i = 0; i < sorted->len; i++)
    if (i == 0 || strcmp (sorted->pdata[i], sorted->pdata[i - 1]) != 0)
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", (char *) sorted->pdata[i]);
  return g_strdup (out->str);
}

static void
run_refs_case (const Case *c, const SaphanXPathExpr *expr, SaphanNode *context)
{
  g_autofree char *context_path = saphan_node_generic_path (context);
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) want = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) parts = g_strsplit (c->expected + strlen ("refs"), " ", -1);
  g_autofree char *got_set = NULL, *want_set = NULL;

  saphan_xpath_expr_collect_refs (expr, context_path, got);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (want, g_strdup (parts[i]));
  got_set = canonical_set (got);
  want_set = canonical_set (want);
  g_assert_cmpstr (got_set, ==, want_set);
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = NULL;
  SaphanNode *context = select_one (c->context);
  SaphanXPathContext ctx = { .node = context, .current = context, .env = &test_env };
  SaphanXPathValue v = { 0 };
  const char *want = c->expected;

  g_test_message ("line %u: %s => %s", c->line, c->expression, c->expected);
  expr = saphan_xpath_compile (c->expression, namespaces, &error);

  if (g_str_has_prefix (want, "error "))
    {
      if (expr != NULL)
        g_assert_false (saphan_xpath_eval (expr, &ctx, &v, &error));
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
      if (strstr (error->message, want + strlen ("error ")) == NULL)
        g_error ("line %u: message “%s” lacks “%s”", c->line, error->message, want + 6);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (expr);

  if (g_str_has_prefix (want, "refs"))
    {
      run_refs_case (c, expr, context);
      return;
    }

  if (!saphan_xpath_eval (expr, &ctx, &v, &error))
    g_error ("line %u: %s", c->line, error->message);

  if (g_str_equal (want, "true") || g_str_equal (want, "false"))
    {
      g_assert_cmpint (v.type, ==, SAPHAN_XPATH_BOOLEAN);
      g_assert_cmpint (v.boolean, ==, g_str_equal (want, "true"));
    }
  else if (want[0] == '"')
    {
      g_autofree char *text = g_strndup (want + 1, strlen (want) - 2);

      g_assert_cmpint (v.type, ==, SAPHAN_XPATH_STRING);
      g_assert_cmpstr (v.string, ==, text);
    }
  else if (g_str_has_prefix (want, "nodes("))
    {
      g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *joined = NULL, *inner = g_strndup (want + 6, strlen (want) - 7);

      g_assert_cmpint (v.type, ==, SAPHAN_XPATH_NODESET);
      for (guint i = 0; i < v.nodes->len; i++)
        g_ptr_array_add (paths, saphan_node_path (v.nodes->pdata[i], NULL));
      g_ptr_array_add (paths, NULL);
      joined = g_strjoinv (" ", (char **) paths->pdata);
      g_assert_cmpstr (joined, ==, inner);
    }
  else
    {
      double number = g_str_equal (want, "NaN") ? NAN
                    : g_str_equal (want, "Infinity") ? INFINITY
                    : g_str_equal (want, "-Infinity") ? -INFINITY
                    : g_ascii_strtod (want, NULL);

      g_assert_cmpint (v.type, ==, SAPHAN_XPATH_NUMBER);
      if (!numbers_match (v.number, number))
        g_error ("line %u: got %.17g, want %s", c->line, v.number, want);
    }
  saphan_xpath_value_clear (&v);
}

static void
add_case_tests (void)
{
  const char *path = XPATH_CASES_FILE;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *context = g_strdup ("/data");

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      const char *arrow;
      g_autofree char *test_path = NULL;
      Case *c;

      if (*line == '\0' || *line == '#')
        continue;
      if (g_str_has_prefix (line, "@context "))
        {
          g_free (context);
          context = g_strstrip (g_strdup (line + strlen ("@context ")));
          continue;
        }
      arrow = g_strrstr (line, " => ");
      if (arrow == NULL)
        g_error ("xpath-cases.txt:%u: no “ => ”", i + 1);
      c = g_new0 (Case, 1);
      c->line = i + 1;
      c->context = g_strdup (context);
      c->expression = g_strstrip (g_strndup (line, arrow - line));
      c->expected = g_strstrip (g_strdup (arrow + 4));
      test_path = g_strdup_printf ("/xpath/cases/line-%04u", c->line);
      g_test_add_data_func_full (test_path, c, run_case, case_free);
    }
}

/* ---- Conversions -------------------------------------------------------- */

static void
test_number_to_string (void)
{
  static const struct { double number; const char *text; } cases[] = {
    { 0, "0" }, { -0.0, "0" }, { 1, "1" }, { -1, "-1" }, { 2.5, "2.5" },
    { 0.1, "0.1" }, { -123.456, "-123.456" }, { 1e-7, "0.0000001" },
    { 1e15, "1000000000000000" }, { 1e16, "10000000000000000" },
    { 1.5e21, "1500000000000000000000" }, { 9007199254740993.0, "9007199254740992" },
    { 19782.416666666668, "19782.416666666668" }, { 1.0 / 3, "0.3333333333333333" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = saphan_xpath_number_to_string (cases[i].number);
      g_assert_cmpstr (text, ==, cases[i].text);
    }

  {
    g_autofree char *nan = saphan_xpath_number_to_string (NAN);
    g_autofree char *inf = saphan_xpath_number_to_string (INFINITY);
    g_autofree char *ninf = saphan_xpath_number_to_string (-INFINITY);
    g_autofree char *tiny = saphan_xpath_number_to_string (5e-324);
    g_autofree char *huge = saphan_xpath_number_to_string (1.5e300);

    g_assert_cmpstr (nan, ==, "NaN");
    g_assert_cmpstr (inf, ==, "Infinity");
    g_assert_cmpstr (ninf, ==, "-Infinity");
    /* No exponent ever: "0." then 323 zeros then the digit. */
    g_assert_cmpuint (strlen (tiny), ==, 2 + 323 + 1);
    g_assert_true (g_str_has_prefix (tiny, "0.000") && g_str_has_suffix (tiny, "05"));
    g_assert_cmpuint (strlen (huge), ==, 301);
    g_assert_true (g_str_has_prefix (huge, "15000"));
    /* Every printed number reads back as itself. */
    g_assert_cmpfloat (saphan_xpath_string_to_number (tiny), ==, 5e-324);
    g_assert_cmpfloat (saphan_xpath_string_to_number (huge), ==, 1.5e300);
  }
}

static void
test_string_to_number (void)
{
  static const struct { const char *text; double number; } cases[] = {
    { "12", 12 }, { " 12 ", 12 }, { "\t-3.5\n", -3.5 }, { ".5", 0.5 }, { "5.", 5 },
    { "-0", 0 }, { "007", 7 }, { "+3", NAN }, { "1e3", NAN }, { "0x10", NAN },
    { "", NAN }, { " ", NAN }, { "-", NAN }, { ".", NAN }, { "1 2", NAN },
    { "Infinity", NAN }, { "NaN", NAN }, { "๑๒", NAN },
    { "1970-01-01", 0 }, { "1969-12-31", -1 }, { "2024-02-29", 19782 },
    { "2023-02-29", NAN }, { "2024-13-01", NAN }, { "2024-02-29T07:00:00Z", 19782 + 14.0 / 24 },
    { "2024-02-29T00:00:00.000+07:00", 19782 }, { "2024-02-29T12:00:00-05:00", 19783 + 0.0 / 24 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double got = saphan_xpath_string_to_number (cases[i].text);

      if (!numbers_match (got, cases[i].number))
        g_error ("“%s”: got %.17g, want %.17g", cases[i].text, got, cases[i].number);
    }
}

/* ---- Limits --------------------------------------------------------------- */

static void
assert_compile_fails (const char *text, const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (text, NULL, &error);

  g_assert_null (expr);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
  if (strstr (error->message, message_part) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, message_part);
  /* Messages quote at most about 120 characters of the expression. */
  g_assert_cmpint (g_utf8_strlen (error->message, -1), <, 400);
}

static double
eval_number (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (text, namespaces, &error);
  SaphanXPathContext ctx = { .node = primary, .env = &test_env };
  double number = 0;

  g_assert_no_error (error);
  g_assert_true (saphan_xpath_eval_number (expr, &ctx, &number, &error));
  g_assert_no_error (error);
  return number;
}

static void
test_limits (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *ok_parens = NULL;
  g_autofree char *open = g_strnfill (SAPHAN_XPATH_MAX_DEPTH - 1, '(');
  g_autofree char *close = g_strnfill (SAPHAN_XPATH_MAX_DEPTH - 1, ')');

  /* Too long: one byte over the limit, refused before lexing. */
  while (text->len <= SAPHAN_XPATH_MAX_LENGTH)
    g_string_append (text, "1+");
  g_string_append (text, "1");
  assert_compile_fails (text->str, "longer than the limit of 65536");

  /* Too deep, whichever construct nests. */
  g_string_truncate (text, 0);
  for (int i = 0; i <= SAPHAN_XPATH_MAX_DEPTH; i++)
    g_string_append_c (text, '(');
  g_string_append (text, "1");
  for (int i = 0; i <= SAPHAN_XPATH_MAX_DEPTH; i++)
    g_string_append_c (text, ')');
  assert_compile_fails (text->str, "nested more than 200 levels deep at character 201");

  g_string_truncate (text, 0);
  for (int i = 0; i < 1000; i++)
    g_string_append (text, "not(");
  assert_compile_fails (text->str, "nested more than 200 levels deep");

  g_string_truncate (text, 0);
  for (int i = 0; i < 1000; i++)
    g_string_append (text, "a[");
  assert_compile_fails (text->str, "nested more than 200 levels deep");

  /* Just inside the limit compiles and evaluates. */
  ok_parens = g_strdup_printf ("%s7%s", open, close);
  g_assert_cmpfloat (eval_number (ok_parens), ==, 7);

  /* Long flat chains are not nesting: a calculate summing 5,000 fields is
   * fine, and so are thousands of minus signs. */
  g_string_truncate (text, 0);
  for (int i = 0; i < 5000; i++)
    g_string_append (text, "/data/age + ");
  g_string_append (text, "0");
  g_assert_cmpfloat (eval_number (text->str), ==, 5000 * 42);

  g_string_truncate (text, 0);
  for (int i = 0; i < 10001; i++)
    g_string_append_c (text, '-');
  g_string_append (text, "2");
  g_assert_cmpfloat (eval_number (text->str), ==, -2);

  assert_compile_fails ("", "empty expression");
  assert_compile_fails ("   ", "empty expression");
  assert_compile_fails ("\xff", "not valid UTF-8");
}

/* ---- Compiled properties and references --------------------------------- */

static void
test_volatile (void)
{
  static const struct { const char *text; gboolean is_volatile; } cases[] = {
    { "now()", TRUE }, { "today() + 1", TRUE }, { "concat('a', uuid())", TRUE },
    { "if(random() < 0.5, 1, 2)", TRUE }, { "1 + /data/age", FALSE },
    { "instance('cities')/root/item[name = current()]", FALSE }, { "position()", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (cases[i].text, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (saphan_xpath_expr_is_volatile (expr), ==, cases[i].is_volatile);
      g_assert_cmpstr (saphan_xpath_expr_get_text (expr), ==, cases[i].text);
    }
}

static void
test_refs_context_normalized (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (". + ../b + current()/@id", NULL, &error);
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  g_assert_no_error (error);
  /* Indices and prefixes in the context path are dropped: paths are
   * generic and made of local names. */
  saphan_xpath_expr_collect_refs (expr, "/data/orx:meta/rep[2]/q", refs);
  g_ptr_array_add (refs, NULL);
  joined = g_strjoinv (" ", (char **) refs->pdata);
  g_assert_cmpstr (joined, ==, "/data/meta/rep/q /data/meta/rep/b /data/meta/rep/q/@id");

  {
    static const struct { const char *path; const char *generic; } cases[] = {
      { "/data/orx:meta/orx:instanceID", "/data/meta/instanceID" },
      { "/data/rep[2]/q", "/data/rep/q" },
      { " /data/rep[q/x = '/a[1]']/@jr:id ", "/data/rep/@id" },
      { "/data/@version", "/data/@version" },
      { "/", "/" },
      { "", "/" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *generic = saphan_xpath_generic_path (cases[i].path);
        g_assert_cmpstr (generic, ==, cases[i].generic);
      }
  }
}

/* ---- The instance tree -------------------------------------------------- */

static void
test_node_paths_and_order (void)
{
  SaphanNode *instance_id = select_one ("/data/orx:meta/orx:instanceID");
  SaphanNode *rep3 = select_one ("/data/rep[3]");
  SaphanNode *copy;
  g_autofree char *generic = saphan_node_generic_path (instance_id);
  g_autofree char *indexed = saphan_node_path (select_one ("/data/rep[2]/q"), NULL);
  g_autofree char *copy_path = NULL;

  g_assert_cmpstr (generic, ==, "/data/meta/instanceID");
  g_assert_cmpstr (indexed, ==, "/data/rep[2]/q");

  /* A repeat instance built on its own, then inserted: its nodes must be
   * renumbered, whatever serials the separate tree went through. */
  /* One compiled expression across structural changes: the child-step
   * cache must notice each of them. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SaphanXPathExpr) count_reps = saphan_xpath_compile ("count(/data/rep)", NULL, &error);
    g_autoptr (SaphanXPathExpr) own_q = saphan_xpath_compile ("string(q)", NULL, &error);
    SaphanXPathContext ctx = { .node = primary };
    SaphanNode *extra = saphan_node_new_element (NULL, "rep", NULL);
    g_autofree char *q1 = NULL, *q2 = NULL;
    double n = 0;

    g_assert_no_error (error);
    g_assert_true (saphan_xpath_eval_number (count_reps, &ctx, &n, NULL));
    g_assert_cmpfloat (n, ==, 3);
    saphan_node_append (rep3->parent, extra);
    g_assert_true (saphan_xpath_eval_number (count_reps, &ctx, &n, NULL));
    g_assert_cmpfloat (n, ==, 4);
    saphan_node_detach (extra);
    saphan_node_free (extra);
    g_assert_true (saphan_xpath_eval_number (count_reps, &ctx, &n, NULL));
    g_assert_cmpfloat (n, ==, 3);

    ctx.node = select_one ("/data/rep[1]");
    g_assert_true (saphan_xpath_eval_string (own_q, &ctx, &q1, NULL));
    ctx.node = select_one ("/data/rep[2]");
    g_assert_true (saphan_xpath_eval_string (own_q, &ctx, &q2, NULL));
    g_assert_cmpstr (q1, ==, "10");
    g_assert_cmpstr (q2, ==, "20");
  }

  copy = saphan_node_deep_copy (select_one ("/data/rep[1]"));
  for (int i = 0; i < 5; i++)
    saphan_node_set_attr (copy, NULL, "n", NULL, "x");
  saphan_node_insert_after (rep3->parent, rep3, copy);
  g_assert_cmpint (saphan_node_compare_order (copy->first_child, rep3->first_child), >, 0);
  g_assert_cmpint (saphan_node_compare_order (rep3->first_child, copy->first_child), <, 0);
  g_assert_cmpfloat (eval_number ("count(/data/rep)"), ==, 4);
  g_assert_true (select_one ("(/data/rep/q)[last()]") == copy->first_child);
  g_assert_true (select_one ("/data/rep[4]/q/preceding::q[1]") == rep3->first_child);
  copy_path = saphan_node_path (copy->first_child, NULL);
  g_assert_cmpstr (copy_path, ==, "/data/rep[4]/q");

  saphan_node_detach (copy);
  saphan_node_free (copy);
  g_assert_cmpfloat (eval_number ("count(/data/rep)"), ==, 3);
  g_assert_cmpint (saphan_node_compare_order (select_one ("/data/ชื่อ"), rep3), >, 0);
}

/* ---- Evaluation errors -------------------------------------------------- */

static void
test_eval_errors (void)
{
  static const struct { const char *text; const char *message_part; } cases[] = {
    { "instance('cities')/root", "no instance with id “cities” in instance('cities')/root" },
    { "property('deviceid')", "property('deviceid')" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (cases[i].text, NULL, &error);
      SaphanXPathContext ctx = { .node = primary };  /* no environment at all */
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      g_assert_false (saphan_xpath_eval_string (expr, &ctx, &text, &error));
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
      g_assert_null (text);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("message “%s” lacks “%s”", error->message, cases[i].message_part);
    }
}

/* ---- Hostile input ---------------------------------------------------------- */

/* Longer runs on request: SAPHAN_SOAK=1 or "-m slow". */
static gboolean
soak (void)
{
  return g_test_slow () || g_getenv ("SAPHAN_SOAK") != NULL;
}

/* Random token soup: whatever compiles must evaluate without crashing, and
 * whatever fails must fail with a form error that says something. Under
 * ASan this is what catches a parser that reads past a token. */
static void
test_token_soup (void)
{
  static const char *const tokens[] = {
    "/", "//", ".", "..", "@", "*", "(", ")", "[", "]", ",", "|", "+", "-", "=", "!=",
    "<", "<=", ">", ">=", "and", "or", "div", "mod", "rep", "q", "grp", "orx:meta",
    "x:*", "child::", "ancestor::", "following::", "preceding-sibling::", "node()",
    "text()", "'ก'", "\"s\"", "1", "2.5", ".5", "count(", "concat(", "current()",
    "position()", "last()", "instance('cities')", "instance(", "not(", "$v", "::", ":",
  };
  guint rounds = soak () ? 400000 : 20000;
  guint compiled = 0;

  for (guint n = 0; n < rounds; n++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanXPathExpr) expr = NULL;
      guint len = g_test_rand_int_range (1, 12);

      for (guint i = 0; i < len; i++)
        g_string_append (text, tokens[g_test_rand_int_range (0, G_N_ELEMENTS (tokens))]);
      expr = saphan_xpath_compile (text->str, namespaces, &error);
      if (expr == NULL)
        {
          g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
          g_assert_cmpuint (strlen (error->message), >, 10);
          continue;
        }
      compiled++;
      {
        SaphanXPathContext ctx = { .node = select_one ("/data/rep[2]"), .env = &test_env };
        SaphanXPathValue v = { 0 };
        g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);

        if (saphan_xpath_eval (expr, &ctx, &v, &error))
          saphan_xpath_value_clear (&v);
        else
          g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
        saphan_xpath_expr_collect_refs (expr, "/data/rep", refs);
        for (guint i = 0; i < refs->len; i++)
          g_assert_true (((char *) refs->pdata[i])[0] == '/');
      }
    }
  g_test_message ("token soup: %u of %u expressions compiled", compiled, rounds);
  g_assert_cmpuint (compiled, >, 0);
}

/* ---- Benchmark ------------------------------------------------------------ */

/* A 2,000-question form with the dependents one answer typically has. */
static void
test_benchmark (void)
{
  static const char *const dependents[] = {
    "/data/q0 > 5",
    "/data/q0 = 'yes' and /data/q1500 != ''",
    ". >= 0 and . <= 120",
    "if(/data/q0 > 18, 'adult', 'child')",
    "selected(/data/q0, 'a')",
    "/data/q0 * 2 + /data/q1999",
    "string-length(/data/q0) > 0",
    "count(/data/rep[w != ''])",
    "../q1 + ../q2 + ../q3",
    "/data/q0 + sum(/data/rep/w)",
    "instance('cities')/root/item[name = current()]/label",
    "not(/data/q0 = /data/q1999)",
  };
  g_autoptr (SaphanNode) doc = saphan_node_new_document ();
  SaphanNode *data = saphan_node_new_element (NULL, "data", NULL);
  SaphanXPathExpr *exprs[G_N_ELEMENTS (dependents)];
  SaphanXPathContext ctx = { .env = &test_env };
  guint iterations = soak () ? 20000 : 2000;
  gint64 start, elapsed;
  double per_recompute_us, per_expr_us;

  saphan_node_append (doc, data);
  for (int i = 0; i < 2000; i++)
    {
      g_autofree char *name = g_strdup_printf ("q%d", i);
      SaphanNode *q = saphan_node_new_element (NULL, name, NULL);
      g_autofree char *value = g_strdup_printf ("%d", i % 50);

      saphan_node_append (data, q);
      saphan_node_set_value (q, value);
    }
  for (int i = 0; i < 20; i++)
    {
      SaphanNode *rep = saphan_node_new_element (NULL, "rep", NULL);
      SaphanNode *w = saphan_node_new_element (NULL, "w", NULL);

      saphan_node_append (data, rep);
      saphan_node_append (rep, w);
      saphan_node_set_value (w, "3");
    }
  ctx.node = ctx.current = data->first_child;

  for (guint i = 0; i < G_N_ELEMENTS (dependents); i++)
    {
      g_autoptr (GError) error = NULL;

      exprs[i] = saphan_xpath_compile (dependents[i], NULL, &error);
      g_assert_no_error (error);
    }

  start = g_get_monotonic_time ();
  for (guint n = 0; n < iterations; n++)
    {
      /* The answer changes, then every dependent is recomputed. */
      saphan_node_set_value (data->first_child, n % 2 ? "7" : "30");
      for (guint i = 0; i < G_N_ELEMENTS (dependents); i++)
        {
          g_autoptr (GError) error = NULL;
          SaphanXPathValue v;

          if (!saphan_xpath_eval (exprs[i], &ctx, &v, &error))
            g_error ("%s: %s", dependents[i], error->message);
          saphan_xpath_value_clear (&v);
        }
    }
  elapsed = g_get_monotonic_time () - start;
  per_recompute_us = (double) elapsed / iterations;
  per_expr_us = per_recompute_us / G_N_ELEMENTS (dependents);
  g_test_message ("benchmark: 2,000-question form, %u dependents of one answer: "
                  "%.1f us per recompute, %.2f us per expression (%u rounds)",
                  (guint) G_N_ELEMENTS (dependents), per_recompute_us, per_expr_us, iterations);

  for (guint i = 0; i < G_N_ELEMENTS (dependents); i++)
    saphan_xpath_expr_free (exprs[i]);
}

int
main (int argc, char **argv)
{
  /* Dates count local days; the cases are written for Bangkok. */
  g_setenv ("TZ", "Asia/Bangkok", TRUE);
  g_test_init (&argc, &argv, NULL);

  primary = instance_from_xml (primary_xml);
  cities = instance_from_xml (cities_xml);
  namespaces = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (namespaces, "x", "http://www.w3.org/2002/xforms");
  g_hash_table_insert (namespaces, "orx", "http://openrosa.org/xforms");
  g_hash_table_insert (namespaces, "other", "urn:example:other");

  add_case_tests ();
  g_test_add_func ("/xpath/number-to-string", test_number_to_string);
  g_test_add_func ("/xpath/string-to-number", test_string_to_number);
  g_test_add_func ("/xpath/limits", test_limits);
  g_test_add_func ("/xpath/volatile", test_volatile);
  g_test_add_func ("/xpath/refs-context-normalized", test_refs_context_normalized);
  g_test_add_func ("/xpath/node-paths-and-order", test_node_paths_and_order);
  g_test_add_func ("/xpath/eval-errors", test_eval_errors);
  g_test_add_func ("/xpath/token-soup", test_token_soup);
  g_test_add_func ("/xpath/benchmark", test_benchmark);

  {
    int status = g_test_run ();

    saphan_node_free (primary);
    saphan_node_free (cities);
    g_hash_table_unref (namespaces);
    xmlCleanupParser ();
    return status;
  }
}
