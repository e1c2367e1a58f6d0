/* fuzz-xpath.c: XPath compile and evaluate on hostile expressions.
 *
 * Each input is one expression, as a form would carry it in a bind, an
 * itemset or an output. It is compiled with the prefixes forms declare, and
 * when it compiles it is evaluated at three context nodes of a small instance
 * with a secondary instance, Thai text and a repeat, so that every axis and
 * function has something to walk over. Any result is fine; a crash, a leak,
 * a sanitizer report or a GLib critical is a bug.
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <string.h>

#include "saphan-node.h"
#include "saphan-xpath.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

const char *const fuzz_dictionary[] = {
  "/data/", "../", "..", "@", "[1]", "[last()]", "instance('cities')/root/item",
  "current()/", "count(", "concat(", "if(", "selected(", "coalesce(", "format-date(",
  "date(", "decimal-date-time(", "substr(", "regex(", "jr:choice-name(", "jr:itext(",
  "indexed-repeat(", "position()", "sum(", "once(", "uuid(", "random()", "today()",
  "now()", " div ", " mod ", " and ", " or ", " = ", " != ", " <= ", "'ก'", "\"x\"",
  "1e308", "-0", "NaN", "1 div 0", "string-length(", "boolean-from-string(", "ancestor::",
  "following-sibling::", "preceding::", "descendant-or-self::node()", "text()", "|",
  "translate(", "normalize-space(", "pow(", "area(", "distance(", "digest(", "base64-decode(",
  "join(", "max(", "min(", "round(", "int(", "number(", "true()", "not(", "checklist(",
  "weighted-checklist(", "count-selected(", "selected-at(", "ends-with(", "contains(",
  NULL,
};

static const char primary_xml[] =
  "<data xmlns='http://www.w3.org/2002/xforms' xmlns:orx='http://openrosa.org/xforms'"
  " id='fuzz' version='1'>"
  "<name>สมศรี มีสุข</name><age>67</age><dob>1957-02-28</dob>"
  "<when>2024-02-29T23:30:00.000+07:00</when><t>10:15:00.000+07:00</t><empty/>"
  "<choices>a b c</choices><loc>13.75 100.5 0 5;13.76 100.6 0 5;13.75 100.5 0 5</loc>"
  "<grp><a>1</a><b>2.5</b><c>hello</c><d>-0</d></grp>"
  "<rep><q>1</q><w>x</w></rep><rep><q>2</q><w>y</w></rep><rep><q/><w>x</w></rep>"
  "<orx:meta><orx:instanceID>uuid:0000</orx:instanceID></orx:meta>"
  "</data>";

static const char cities_xml[] =
  "<root><item><name>bkk</name><label>กรุงเทพ</label><n>1</n></item>"
  "<item><name>cnx</name><label>เชียงใหม่</label><n>2</n></item></root>";

static SaphanNode *primary;
static SaphanNode *cities;
static GHashTable *namespaces;
static GDateTime *fixed_now;

static void
add_element (xmlNode *xml, SaphanNode *parent)
{
  SaphanNode *node = saphan_node_new_element (
    xml->ns != NULL ? (const char *) xml->ns->prefix : NULL, (const char *) xml->name,
    xml->ns != NULL ? (const char *) xml->ns->href : NULL);
  gboolean leaf = TRUE;

  saphan_node_append (parent, node);
  for (xmlAttr *a = xml->properties; a != NULL; a = a->next)
    {
      xmlChar *value = xmlNodeGetContent ((xmlNode *) a);

      saphan_node_set_attr (node, NULL, (const char *) a->name, NULL, (const char *) value);
      xmlFree (value);
    }
  for (xmlNode *c = xml->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      {
        leaf = FALSE;
        add_element (c, node);
      }
  if (leaf)
    {
      xmlChar *text = xmlNodeGetContent (xml);

      saphan_node_set_value (node, (const char *) text);
      xmlFree (text);
    }
}

static SaphanNode *
document_from_xml (const char *text)
{
  xmlDoc *doc = xmlReadMemory (text, (int) strlen (text), "fuzz.xml", "UTF-8", XML_PARSE_NONET);
  SaphanNode *document = saphan_node_new_document ();

  g_assert (doc != NULL);
  add_element (xmlDocGetRootElement (doc), document);
  xmlFreeDoc (doc);
  return document;
}

static SaphanNode *
env_instance (gpointer data, const char *id)
{
  return g_strcmp0 (id, "cities") == 0 ? cities : NULL;
}

static char *
env_itext (gpointer data, const char *id)
{
  return g_strcmp0 (id, "missing") == 0 ? NULL : g_strconcat ("label ", id, NULL);
}

static char *
env_choice_name (gpointer data, SaphanNode *question, const char *value)
{
  return g_strdup (value);
}

static char *
env_property (gpointer data, const char *name)
{
  return g_strcmp0 (name, "deviceid") == 0 ? g_strdup ("fuzz-kiosk") : NULL;
}

static GDateTime *
env_now (gpointer data)
{
  return g_date_time_ref (fixed_now);
}

static double
env_random (gpointer data)
{
  return 0.25;
}

static const SaphanXPathEnv env = {
  env_instance, env_itext, env_choice_name, env_property, env_now, env_random, NULL,
};

/* The node PATH names, walking local names only (no predicates but [N]). */
static SaphanNode *
find (const char *path)
{
  g_auto(GStrv) steps = g_strsplit (path + 1, "/", -1);
  SaphanNode *node = primary;

  for (guint i = 0; steps[i] != NULL && node != NULL; i++)
    {
      guint index = 1;
      char *bracket = strchr (steps[i], '[');

      if (bracket != NULL)
        {
          index = (guint) g_ascii_strtoull (bracket + 1, NULL, 10);
          *bracket = '\0';
        }
      node = saphan_node_first_child_named (node, steps[i]);
      while (node != NULL && index > 1)
        {
          SaphanNode *next = node;

          /* Repeats are siblings of the same name: skip the others. */
          do
            next = next->next;
          while (next != NULL && g_strcmp0 (next->local, steps[i]) != 0);
          node = next;
          index--;
        }
    }
  g_assert (node != NULL);
  return node;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  primary = document_from_xml (primary_xml);
  cities = document_from_xml (cities_xml);
  namespaces = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (namespaces, (gpointer) "x", (gpointer) "http://www.w3.org/2002/xforms");
  g_hash_table_insert (namespaces, (gpointer) "orx", (gpointer) "http://openrosa.org/xforms");
  g_hash_table_insert (namespaces, (gpointer) "jr", (gpointer) "http://openrosa.org/javarosa");
  g_hash_table_insert (namespaces, (gpointer) "odk", (gpointer) "http://www.opendatakit.org/xforms");
  fixed_now = g_date_time_new_utc (2024, 2, 29, 16, 30, 0);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const contexts[] = { "/data", "/data/rep[2]/q", "/data/grp/c" };
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanXPathExpr) expr = NULL;

  if (primary == NULL)
    LLVMFuzzerInitialize (NULL, NULL);

  expr = saphan_xpath_compile (text, namespaces, &error);
  if (expr == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  g_assert (error == NULL);
  (void) saphan_xpath_expr_is_volatile (expr);

  for (guint i = 0; i < G_N_ELEMENTS (contexts); i++)
    {
      SaphanNode *node = find (contexts[i]);
      SaphanXPathContext ctx = { node, node, 1, 1, &env };
      SaphanXPathValue value = { 0 };
      g_autoptr(GError) eval_error = NULL;
      g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *path = saphan_node_generic_path (node);

      if (saphan_xpath_eval (expr, &ctx, &value, &eval_error))
        {
          g_autofree char *as_string = saphan_xpath_value_to_string (&value);

          (void) saphan_xpath_value_to_number (&value);
          (void) saphan_xpath_value_to_boolean (&value);
          g_assert (as_string != NULL);
          saphan_xpath_value_clear (&value);
        }
      else
        g_assert (eval_error != NULL);
      saphan_xpath_expr_collect_refs (expr, path, refs);
    }
  return 0;
}
