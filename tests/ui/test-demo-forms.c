/* test-demo-forms.c: the demo services are valid, bilingual XForms.
 *
 * Until the form engine validates installs, nothing else checks these
 * hand-written files: every bind and control must point into the
 * instance, every itext reference must exist in both Thai and English,
 * the submission must get a meta/instanceID, and the constraints must
 * accept and refuse the values in demo-form-values.txt.
 */
#include "config.h"

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

#define XFORMS_NS "http://www.w3.org/2002/xforms"
#define JR_NS "http://openrosa.org/javarosa"

static const char *const demo_forms[] = {
  "demo-complaint.xml",
  "demo-elderly-allowance.xml",
  "demo-household.xml",
};

static xmlDoc *
load_form (const char *file)
{
  g_autofree char *path = g_build_filename (SAPHAN_SOURCE_ASSETS, "forms", file, NULL);
  xmlDoc *doc = xmlReadFile (path, NULL, XML_PARSE_NONET);

  if (doc == NULL)
    g_error ("%s is not well-formed", path);
  return doc;
}

static xmlNode *
child_named (xmlNode *parent, const char *name)
{
  for (xmlNode *child = parent != NULL ? parent->children : NULL; child != NULL;
       child = child->next)
    if (child->type == XML_ELEMENT_NODE && g_str_equal ((const char *)child->name, name))
      return child;
  return NULL;
}

static xmlNode *
model_of (xmlDoc *doc)
{
  return child_named (child_named (xmlDocGetRootElement (doc), "head"), "model");
}

static xmlNode *
instance_root (xmlDoc *doc)
{
  xmlNode *instance = child_named (model_of (doc), "instance");

  for (xmlNode *child = instance != NULL ? instance->children : NULL; child; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      return child;
  return NULL;
}

/* Follows an absolute path such as /data/member/age through the instance. */
static xmlNode *
resolve (xmlDoc *doc, const char *path)
{
  g_auto (GStrv) steps = g_strsplit (path, "/", -1);
  xmlNode *node = instance_root (doc);

  g_assert_nonnull (node);
  if (steps[0] == NULL || steps[0][0] != '\0' || steps[1] == NULL
      || !g_str_equal (steps[1], (const char *)node->name))
    return NULL;
  for (guint i = 2; steps[i] != NULL && node != NULL; i++)
    node = child_named (node, steps[i]);
  return node;
}

static char *
prop (xmlNode *node, const char *name, const char *ns)
{
  xmlChar *value = ns != NULL ? xmlGetNsProp (node, (const xmlChar *)name, (const xmlChar *)ns)
                              : xmlGetProp (node, (const xmlChar *)name);
  char *copy = g_strdup ((const char *)value);

  xmlFree (value);
  return copy;
}

/* The itext id inside jr:itext('...'), or NULL. */
static char *
itext_id (const char *ref)
{
  if (ref == NULL || !g_str_has_prefix (ref, "jr:itext('") || !g_str_has_suffix (ref, "')"))
    return NULL;
  return g_strndup (ref + strlen ("jr:itext('"), strlen (ref) - strlen ("jr:itext('')"));
}

static void
collect_refs (xmlDoc *doc, xmlNode *node, GPtrArray *itext_refs, const char *file)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      g_autofree char *ref = NULL;
      g_autofree char *nodeset = NULL;

      if (child->type != XML_ELEMENT_NODE)
        continue;
      ref = prop (child, "ref", NULL);
      nodeset = prop (child, "nodeset", NULL);
      if (ref != NULL && g_str_has_prefix (ref, "jr:itext("))
        g_ptr_array_add (itext_refs, itext_id (ref));
      else if (ref != NULL && resolve (doc, ref) == NULL)
        g_error ("%s: the control for %s has no instance node", file, ref);
      if (nodeset != NULL && resolve (doc, nodeset) == NULL)
        g_error ("%s: the repeat over %s has no instance node", file, nodeset);
      collect_refs (doc, child, itext_refs, file);
    }
}

static void
test_structure (gconstpointer data)
{
  const char *file = data;
  xmlDoc *doc = load_form (file);
  xmlNode *model = model_of (doc);
  xmlNode *root = instance_root (doc);
  xmlNode *itext = child_named (model, "itext");
  g_autoptr (GPtrArray) itext_refs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) languages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) first_ids = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  gboolean instance_id_bound = FALSE;

  title = (char *)xmlNodeGetContent (
      child_named (child_named (xmlDocGetRootElement (doc), "head"), "title"));
  g_assert_nonnull (title);
  g_assert_cmpuint (strlen (g_strstrip (title)), >, 0);
  g_assert_nonnull (root);
  g_assert_true (root->ns != NULL && g_str_equal ((const char *)root->ns->href, XFORMS_NS));
  id = prop (root, "id", NULL);
  version = prop (root, "version", NULL);
  g_assert_nonnull (id);
  g_assert_true (g_str_has_prefix (id, "demo_"));
  g_assert_nonnull (version);
  g_assert_nonnull (resolve (doc, "/data/meta/instanceID"));

  /* Binds point into the instance; constraint messages are itext. */
  for (xmlNode *bind = model->children; bind != NULL; bind = bind->next)
    {
      g_autofree char *nodeset = NULL;
      g_autofree char *preload = NULL;
      g_autofree char *message = NULL;

      if (bind->type != XML_ELEMENT_NODE || !g_str_equal ((const char *)bind->name, "bind"))
        continue;
      nodeset = prop (bind, "nodeset", NULL);
      if (resolve (doc, nodeset) == NULL)
        g_error ("%s: bind %s has no instance node", file, nodeset);
      preload = prop (bind, "preload", JR_NS);
      if (g_str_equal (nodeset, "/data/meta/instanceID") && g_strcmp0 (preload, "uid") == 0)
        instance_id_bound = TRUE;
      message = prop (bind, "constraintMsg", JR_NS);
      if (message != NULL)
        g_ptr_array_add (itext_refs, itext_id (message));
    }
  g_assert_true (instance_id_bound);

  collect_refs (doc, child_named (xmlDocGetRootElement (doc), "body"), itext_refs, file);
  g_assert_cmpuint (itext_refs->len, >, 3);

  /* Thai first and default, English second, with the same texts. */
  for (xmlNode *translation = itext->children; translation; translation = translation->next)
    {
      g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autofree char *lang = NULL;

      if (translation->type != XML_ELEMENT_NODE)
        continue;
      lang = prop (translation, "lang", NULL);
      for (xmlNode *text = translation->children; text != NULL; text = text->next)
        if (text->type == XML_ELEMENT_NODE)
          {
            g_autofree char *value = (char *)xmlNodeGetContent (text);

            g_assert_cmpuint (strlen (g_strstrip (value)), >, 0);
            g_hash_table_add (ids, prop (text, "id", NULL));
          }
      for (guint i = 0; i < itext_refs->len; i++)
        if (!g_hash_table_contains (ids, g_ptr_array_index (itext_refs, i)))
          g_error ("%s: %s has no text %s", file, lang, (char *)g_ptr_array_index (itext_refs, i));
      if (first_ids == NULL)
        {
          g_autofree char *is_default = prop (translation, "default", NULL);

          g_assert_cmpstr (is_default, ==, "true()");
          first_ids = g_steal_pointer (&ids);
        }
      else
        {
          g_assert_cmpuint (g_hash_table_size (ids), ==, g_hash_table_size (first_ids));
        }
      g_ptr_array_add (languages, g_steal_pointer (&lang));
    }
  g_assert_cmpuint (languages->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (languages, 0), ==, "Thai (th)");
  g_assert_cmpstr (g_ptr_array_index (languages, 1), ==, "English (en)");

  xmlFreeDoc (doc);
}

/* ODK's regex(value, pattern). */
static void
xpath_regex (xmlXPathParserContextPtr ctxt, int nargs)
{
  xmlChar *pattern, *value;
  gboolean matches;

  CHECK_ARITY (2);
  pattern = xmlXPathPopString (ctxt);
  value = xmlXPathPopString (ctxt);
  matches = g_regex_match_simple ((const char *)pattern, (const char *)value, 0, 0);
  xmlFree (pattern);
  xmlFree (value);
  xmlXPathReturnBoolean (ctxt, matches);
}

/* ODK's substr(value, start[, end]): zero-based, end excluded. */
static void
xpath_substr (xmlXPathParserContextPtr ctxt, int nargs)
{
  double start, end = G_MAXINT;
  xmlChar *value;
  glong length;
  g_autofree char *result = NULL;

  if (nargs != 2 && nargs != 3)
    {
      xmlXPathErr (ctxt, XPATH_INVALID_ARITY);
      return;
    }
  if (nargs == 3)
    end = xmlXPathPopNumber (ctxt);
  start = xmlXPathPopNumber (ctxt);
  value = xmlXPathPopString (ctxt);
  length = g_utf8_strlen ((const char *)value, -1);
  start = CLAMP (start, 0, length);
  end = CLAMP (end, start, length);
  result = g_utf8_substring ((const char *)value, (glong)start, (glong)end);
  xmlFree (value);
  xmlXPathReturnString (ctxt, xmlStrdup ((const xmlChar *)result));
}

static gboolean
constraint_accepts (const char *constraint, const char *value)
{
  xmlDoc *doc = xmlNewDoc ((const xmlChar *)"1.0");
  xmlNode *node = xmlNewDocNode (doc, NULL, (const xmlChar *)"v", (const xmlChar *)value);
  xmlXPathContext *context;
  xmlXPathObject *result;
  gboolean accepted;

  xmlDocSetRootElement (doc, node);
  context = xmlXPathNewContext (doc);
  context->node = node;
  xmlXPathRegisterFunc (context, (const xmlChar *)"regex", xpath_regex);
  xmlXPathRegisterFunc (context, (const xmlChar *)"substr", xpath_substr);
  result = xmlXPathEvalExpression ((const xmlChar *)constraint, context);
  if (result == NULL)
    g_error ("Cannot evaluate the constraint %s", constraint);
  accepted = xmlXPathCastToBoolean (result);
  xmlXPathFreeObject (result);
  xmlXPathFreeContext (context);
  xmlFreeDoc (doc);
  return accepted;
}

static char *
constraint_of (const char *file, const char *field)
{
  xmlDoc *doc = load_form (file);
  char *constraint = NULL;

  for (xmlNode *bind = model_of (doc)->children; bind != NULL; bind = bind->next)
    {
      g_autofree char *nodeset = NULL;

      if (bind->type != XML_ELEMENT_NODE || !g_str_equal ((const char *)bind->name, "bind"))
        continue;
      nodeset = prop (bind, "nodeset", NULL);
      if (g_str_has_suffix (nodeset, field)
          && nodeset[strlen (nodeset) - strlen (field) - 1] == '/')
        constraint = prop (bind, "constraint", NULL);
    }
  xmlFreeDoc (doc);
  if (constraint == NULL)
    g_error ("%s: no constraint on %s", file, field);
  return constraint;
}

static void
test_constraints (void)
{
  g_autofree char *path = g_build_filename (SAPHAN_TEST_SRCDIR, "demo-form-values.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_cases = 0, n_refused = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      g_autofree char *constraint = NULL;
      gboolean expected, accepted;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit_set (lines[i], " ", 4);
      g_assert_cmpuint (g_strv_length (fields), ==, 4);
      expected = g_str_equal (fields[2], "valid");
      constraint = constraint_of (fields[0], fields[1]);
      accepted = constraint_accepts (constraint, fields[3]);
      if (accepted != expected)
        g_error ("%s %s: “%s” was %s", fields[0], fields[1], fields[3],
                 accepted ? "accepted" : "refused");
      n_cases++;
      n_refused += !accepted;
    }
  g_test_message ("%u values checked, %u refused", n_cases, n_refused);
  g_assert_cmpuint (n_cases, >=, 20);
  g_assert_cmpuint (n_refused, >, 0);
  g_assert_cmpuint (n_refused, <, n_cases);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (demo_forms); i++)
    {
      g_autofree char *name = g_strdup_printf ("/ui/demo-forms/structure/%s", demo_forms[i]);

      g_test_add_data_func (name, demo_forms[i], test_structure);
    }
  g_test_add_func ("/ui/demo-forms/constraints", test_constraints);

  return g_test_run ();
}
