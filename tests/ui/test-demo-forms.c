/* test-demo-forms.c: the service forms a new kiosk installs are valid,
 * bilingual XForms.
 *
 * For every form in assets/forms: the real form engine loads it with the
 * shared media folder; every bind and control points into the instance;
 * every itext reference exists in both Thai and English; the submission
 * gets a meta/instanceID; the title is bilingual; every secondary instance
 * is in the media folder. Then the answers in demo-form-values.txt go
 * through real sessions of the engine, which must accept or refuse each.
 */
#include "config.h"

#include "saphan-form.h"
#include "saphan-session.h"

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#define XFORMS_NS "http://www.w3.org/2002/xforms"
#define JR_NS "http://openrosa.org/javarosa"

/* The services every kiosk offers; more may be added to assets/forms. */
#define MIN_FORMS 5

static char *
forms_dir (void)
{
  return g_build_filename (SAPHAN_SOURCE_ASSETS, "forms", NULL);
}

static char *
media_dir (void)
{
  return g_build_filename (SAPHAN_SOURCE_ASSETS, "forms", "media", NULL);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/* The forms in assets/forms, sorted as the kiosk installs them. */
static GPtrArray *
list_forms (void)
{
  g_autofree char *dir_path = forms_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &error);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".xml"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, compare_names);
  return files;
}

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

/* Follows an absolute path such as /form_id/member/age through the
 * instance. */
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
      /* An itemset's label names its itext id by an expression, which the
       * engine's own load below checks. */
      if (ref != NULL && g_str_has_prefix (ref, "jr:itext("))
        {
          char *id = itext_id (ref);

          if (id != NULL)
            g_ptr_array_add (itext_refs, id);
        }
      else if (ref != NULL && !g_str_equal ((const char *)child->name, "value")
               && !g_str_equal ((const char *)child->name, "label") && resolve (doc, ref) == NULL)
        g_error ("%s: the control for %s has no instance node", file, ref);
      /* Itemsets read secondary instances; repeats must be in the primary. */
      if (nodeset != NULL && !g_str_has_prefix (nodeset, "instance(")
          && resolve (doc, nodeset) == NULL)
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
  g_autofree char *instance_id_path = NULL;
  g_autofree char *expected_id = g_strndup (file, strlen (file) - strlen (".xml"));
  g_auto (GStrv) title_parts = NULL;
  gboolean instance_id_bound = FALSE;

  title = (char *)xmlNodeGetContent (
      child_named (child_named (xmlDocGetRootElement (doc), "head"), "title"));
  g_assert_nonnull (title);
  g_strstrip (title);
  /* "ไทย · English": the start page shows both before a language is chosen. */
  title_parts = g_strsplit (title, " · ", -1);
  g_assert_cmpuint (g_strv_length (title_parts), ==, 2);
  g_assert_cmpuint (strlen (title_parts[0]), >, 0);
  g_assert_cmpuint (strlen (title_parts[1]), >, 0);
  g_assert_true (g_unichar_get_script (g_utf8_get_char (title_parts[0])) == G_UNICODE_SCRIPT_THAI);
  g_assert_true (g_ascii_isupper (title_parts[1][0]));

  g_assert_nonnull (root);
  g_assert_true (root->ns != NULL && g_str_equal ((const char *)root->ns->href, XFORMS_NS));
  id = prop (root, "id", NULL);
  version = prop (root, "version", NULL);
  /* The file is named after the form, as the kiosk's tools expect. */
  g_assert_cmpstr (id, ==, expected_id);
  g_assert_cmpstr ((const char *)root->name, ==, id);
  g_assert_nonnull (version);
  instance_id_path = g_strdup_printf ("/%s/meta/instanceID", id);
  g_assert_nonnull (resolve (doc, instance_id_path));

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
      if (g_str_equal (nodeset, instance_id_path) && g_strcmp0 (preload, "uid") == 0)
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

  /* Every secondary instance is a file of the shared media folder. */
  for (xmlNode *instance = model->children; instance != NULL; instance = instance->next)
    {
      g_autofree char *src = NULL;
      g_autofree char *media = NULL;
      g_autofree char *media_path = NULL;

      if (instance->type != XML_ELEMENT_NODE
          || !g_str_equal ((const char *)instance->name, "instance"))
        continue;
      src = prop (instance, "src", NULL);
      if (src == NULL)
        continue;
      g_assert_true (g_str_has_prefix (src, "jr://file-csv/") || g_str_has_prefix (src, "jr://file/"));
      media = media_dir ();
      media_path = g_build_filename (media, strrchr (src, '/') + 1, NULL);
      if (!g_file_test (media_path, G_FILE_TEST_IS_REGULAR))
        g_error ("%s: %s is not in assets/forms/media", file, src);
    }

  xmlFreeDoc (doc);
}

/* What the kiosk installs: the engine loads the form with its media and
 * reads the same id, version, title and languages. */
static void
test_engine_load (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = g_build_filename (SAPHAN_SOURCE_ASSETS, "forms", file, NULL);
  g_autofree char *media = media_dir ();
  g_autofree char *expected_id = g_strndup (file, strlen (file) - strlen (".xml"));
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanForm) form = saphan_form_new_from_file (path, media, &error);
  g_autoptr (SaphanSession) session = NULL;
  const char *const *languages;

  g_assert_no_error (error);
  g_assert_cmpstr (saphan_form_get_id (form), ==, expected_id);
  g_assert_cmpstr (saphan_form_get_version (form), ==, "2026112401");
  g_assert_nonnull (strstr (saphan_form_get_title (form), " · "));
  languages = saphan_form_get_languages (form);
  g_assert_cmpuint (g_strv_length ((char **)languages), ==, 2);
  g_assert_cmpuint (saphan_form_get_question_count (form), >=, 5);

  /* An empty fill is refused: every service asks for something. */
  session = saphan_session_new (form, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GPtrArray) invalid = saphan_session_validate (session);

    g_assert_cmpuint (invalid->len, >, 0);
  }
}

static void
test_every_form_listed (void)
{
  g_autoptr (GPtrArray) files = list_forms ();

  g_assert_cmpuint (files->len, >=, MIN_FORMS);
}

/* One session per form, kept for the whole values file. */
static SaphanSession *
session_for (GHashTable *sessions, const char *file)
{
  SaphanSession *session = g_hash_table_lookup (sessions, file);
  g_autofree char *path = NULL;
  g_autofree char *media = NULL;
  g_autoptr (SaphanForm) form = NULL;
  g_autoptr (GError) error = NULL;

  if (session != NULL)
    return session;
  path = g_build_filename (SAPHAN_SOURCE_ASSETS, "forms", file, NULL);
  media = media_dir ();
  form = saphan_form_new_from_file (path, media, &error);
  g_assert_no_error (error);
  session = saphan_session_new (form, NULL, &error);
  g_assert_no_error (error);
  g_hash_table_insert (sessions, g_strdup (file), session);
  return session;
}

/* Answers REF with VALUE; returns whether the engine then holds it as
 * valid. A value the type refuses counts as invalid. */
static gboolean
answer_is_valid (SaphanSession *session, const char *ref, const char *value, const char *where)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanNodeState) state = NULL;
  g_autofree char *old_value = saphan_session_get_value (session, ref);

  /* A mistyped REF must not pass as a refused value. */
  if (old_value == NULL)
    g_error ("%s: the form has no node %s", where, ref);
  if (!saphan_session_answer (session, ref, value, &error))
    {
      g_test_message ("%s: refused by the type: %s", where, error->message);
      return FALSE;
    }
  state = saphan_session_get_state (session, ref, &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);
  if (state->violation == SAPHAN_VIOLATION_CONSTRAINT)
    {
      /* The citizen is told why, in the form's language. */
      if (state->message == NULL || state->message[0] == '\0')
        g_error ("%s: refused without a message", where);
      return FALSE;
    }
  return state->violation == SAPHAN_VIOLATION_NONE;
}

static void
test_constraints (void)
{
  g_autofree char *path = g_build_filename (SAPHAN_TEST_SRCDIR, "demo-form-values.txt", NULL);
  g_autoptr (GHashTable) sessions
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
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
      g_autofree char *where = NULL;
      SaphanSession *session;
      gboolean expected, accepted;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit_set (lines[i], " ", 4);
      where = g_strdup_printf ("demo-form-values.txt:%u", i + 1);
      if (g_strv_length (fields) != 4)
        g_error ("%s: expected FORM REF valid|invalid|set|add VALUE", where);
      session = session_for (sessions, fields[0]);
      if (g_str_equal (fields[2], "set"))
        {
          saphan_session_answer (session, fields[1], fields[3], &error);
          g_assert_no_error (error);
          continue;
        }
      if (g_str_equal (fields[2], "add"))
        {
          for (int n = atoi (fields[3]); n > 0; n--)
            {
              saphan_session_repeat_add (session, fields[1], &error);
              g_assert_no_error (error);
            }
          continue;
        }
      g_assert_true (g_str_equal (fields[2], "valid") || g_str_equal (fields[2], "invalid"));
      expected = g_str_equal (fields[2], "valid");
      accepted = answer_is_valid (session, fields[1], fields[3], where);
      if (accepted != expected)
        g_error ("%s: %s “%s” was %s", where, fields[1], fields[3],
                 accepted ? "accepted" : "refused");
      n_cases++;
      n_refused += !accepted;
    }
  g_test_message ("%u values checked in %u forms, %u refused", n_cases,
                  g_hash_table_size (sessions), n_refused);
  g_assert_cmpuint (n_cases, >=, 40);
  g_assert_cmpuint (n_refused, >, 0);
  g_assert_cmpuint (n_refused, <, n_cases);
  /* Every service form has its checks exercised. */
  {
    g_autoptr (GPtrArray) files = list_forms ();

    g_assert_cmpuint (g_hash_table_size (sessions), ==, files->len);
  }
}

int
main (int argc, char *argv[])
{
  g_autoptr (GPtrArray) files = NULL;

  g_test_init (&argc, &argv, NULL);

  files = list_forms ();
  g_test_add_func ("/ui/service-forms/listed", test_every_form_listed);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *structure = g_strdup_printf ("/ui/service-forms/structure/%s", file);
      g_autofree char *engine = g_strdup_printf ("/ui/service-forms/engine-load/%s", file);

      g_test_add_data_func (structure, file, test_structure);
      g_test_add_data_func (engine, file, test_engine_load);
    }
  g_test_add_func ("/ui/service-forms/constraints", test_constraints);

  return g_test_run ();
}


