/* test-form.c: loading XForms, filling them and serializing submissions.
 *
 * The forms live in tests/forms/cases: household.xml exercises most of the
 * model (itext in two languages, preloads, actions, a counted repeat,
 * secondary instances inline and from CSV media, inherited relevance and
 * read-only state), and bad/ holds forms that must be refused, each naming
 * in its first comment the words its message must contain.
 */
#include "config.h"

#include <string.h>

#include "saphan-error.h"
#include "saphan-form.h"
#include "saphan-session.h"

/* 2024-02-29 10:00:00.250 at +07:00: a leap day, in Thailand's zone. */
static GDateTime *
fixed_now (gpointer data)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("+07:00");
  return g_date_time_new (tz, 2024, 2, 29, 10, 0, 0.25);
}

static char *
case_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "forms", "cases", name, NULL);
}

static SaphanForm *
load_case (const char *name)
{
  g_autofree char *path = case_path (name);
  g_autoptr (GError) error = NULL;
  SaphanForm *form = saphan_form_new_from_file (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static SaphanSession *
new_session (SaphanForm *form)
{
  SaphanSessionOptions options = { .device_id = "kiosk-7", .now = fixed_now };
  g_autoptr (GError) error = NULL;
  SaphanSession *session = saphan_session_new (form, &options, &error);

  g_assert_no_error (error);
  return session;
}

static void
answer (SaphanSession *session, const char *ref, const char *value)
{
  g_autoptr (GError) error = NULL;

  saphan_session_answer (session, ref, value, &error);
  g_assert_no_error (error);
}

static void
assert_value (SaphanSession *session, const char *ref, const char *expected)
{
  g_autofree char *value = saphan_session_get_value (session, ref);
  g_assert_cmpstr (value, ==, expected);
}

static SaphanNodeState *
state (SaphanSession *session, const char *ref)
{
  g_autoptr (GError) error = NULL;
  SaphanNodeState *s = saphan_session_get_state (session, ref, &error);

  g_assert_no_error (error);
  return s;
}

/* ---- Loading ----------------------------------------------------------- */

static void
test_load_summary (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  const char *const *langs = saphan_form_get_languages (form);
  const SaphanFormControl *body = saphan_form_get_body (form);
  const SaphanFormControl *c;
  GBytes *map;

  g_assert_cmpstr (saphan_form_get_id (form), ==, "household");
  g_assert_cmpstr (saphan_form_get_version (form), ==, "2024-01");
  g_assert_cmpstr (saphan_form_get_title (form), ==, "Household registration");
  g_assert_cmpuint (g_strv_length ((char **) langs), ==, 2);
  g_assert_cmpstr (langs[0], ==, "English");
  g_assert_cmpstr (langs[1], ==, "ไทย (th)");
  g_assert_cmpstr (saphan_form_get_default_language (form), ==, "English");
  g_assert_cmpuint (saphan_form_get_question_count (form), ==, 13);

  /* The body tree the kiosk draws. */
  g_assert_cmpuint (body->children->len, ==, 11);
  c = saphan_form_get_control (form, "/data/has_children");
  g_assert_nonnull (c);
  g_assert_cmpint (c->kind, ==, SAPHAN_FORM_CONTROL_SELECT1);
  g_assert_cmpstr (c->appearance, ==, "minimal");
  g_assert_cmpuint (c->items->len, ==, 2);
  g_assert_null (c->label->itext_id);
  c = saphan_form_get_control (form, "/data/child");
  g_assert_nonnull (c);
  g_assert_cmpint (c->kind, ==, SAPHAN_FORM_CONTROL_REPEAT);
  g_assert_nonnull (c->count);
  g_assert_true (c->no_add_remove);
  g_assert_cmpint (c->parent->kind, ==, SAPHAN_FORM_CONTROL_GROUP);
  c = saphan_form_get_control (form, "/data/health");
  g_assert_true (c->field_list);
  c = saphan_form_get_control (form, "/data/district");
  g_assert_nonnull (c->itemset);
  g_assert_nonnull (c->itemset_value);
  c = saphan_form_get_control (form, "/data/photo");
  g_assert_cmpint (c->kind, ==, SAPHAN_FORM_CONTROL_UPLOAD);
  g_assert_cmpint (c->bind_type, ==, SAPHAN_FORM_TYPE_BINARY);
  g_assert_cmpstr (c->mediatype, ==, "image/*");
  c = saphan_form_get_control (form, "/data/age");
  g_assert_cmpint (c->bind_type, ==, SAPHAN_FORM_TYPE_INT);
  g_assert_cmpstr (c->label->itext_id, ==, "/data/age:label");

  /* The media folder beside the form was found by ODK's naming rule. */
  map = saphan_form_get_media (form, "jr://images/map.png");
  g_assert_nonnull (map);
  g_assert_cmpuint (g_bytes_get_size (map), ==, 3);
}

/* Each form in cases/bad is refused, with a message naming its file and
 * the words its "expect:" comment lists. */
static void
test_bad_forms (void)
{
  g_autofree char *dir_path = case_path ("bad");
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *text = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanForm) form = NULL;
      g_auto (GStrv) words = NULL;
      const char *expect, *end;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      expect = strstr (text, "<!-- expect: ");
      g_assert_nonnull (expect);
      expect += strlen ("<!-- expect: ");
      end = strstr (expect, " -->");
      {
        g_autofree char *list = g_strndup (expect, end - expect);
        words = g_strsplit (list, "|", -1);
      }
      form = saphan_form_new_from_file (path, NULL, &error);
      g_assert_null (form);
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, name));
      for (char **w = words; *w != NULL; w++)
        if (strstr (error->message, *w) == NULL)
          g_error ("%s: message “%s” lacks “%s”", name, error->message, *w);
      n++;
    }
  g_assert_cmpuint (n, >=, 9);
}

/* The node limit stops a hostile form before it eats the kiosk's memory. */
static void
test_too_many_nodes (void)
{
  g_autoptr (GString) xml = g_string_new ("<h:html xmlns=\"http://www.w3.org/2002/xforms\" "
                                          "xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:head><model>"
                                          "<instance><data id=\"big\">");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanForm) form = NULL;

  for (int i = 0; i < SAPHAN_FORM_MAX_NODES + 1; i++)
    g_string_append (xml, "<q/>");
  g_string_append (xml, "</data></instance></model></h:head><h:body/></h:html>");
  bytes = g_bytes_new (xml->str, xml->len);
  form = saphan_form_new_from_bytes (bytes, "big.xml", NULL, &error);
  g_assert_null (form);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
  g_assert_nonnull (strstr (error->message, "big.xml"));
  g_assert_nonnull (strstr (error->message, "50000"));
}

/* Damaged copies of a real form (cut short, bytes flipped, tags dropped)
 * either load or are refused with an error; none crashes, and every form
 * that loads can be filled and serialized. SAPHAN_SOAK=1 runs longer. */
static void
test_damaged_forms (void)
{
  g_autofree char *path = case_path ("household.xml");
  g_autofree char *text = NULL;
  gsize len = 0;
  guint rounds = g_getenv ("SAPHAN_SOAK") != NULL ? 20000 : 300;
  guint loaded = 0, refused = 0;
  GRand *rand = g_rand_new_with_seed (20240229);

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  for (guint r = 0; r < rounds; r++)
    {
      g_autofree char *copy = g_memdup2 (text, len);
      gsize n = len;
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanForm) form = NULL;

      switch (r % 3)
        {
        case 0:
          n = g_rand_int_range (rand, 1, len);
          break;
        case 1:
          for (int k = 0; k < 4; k++)
            copy[g_rand_int_range (rand, 0, len)] = "<>/=\"' x(\n"[g_rand_int_range (rand, 0, 11)];
          break;
        default:
          {
            gsize at = g_rand_int_range (rand, 0, len - 40);
            gsize cut = g_rand_int_range (rand, 1, 40);
            memmove (copy + at, copy + at + cut, len - at - cut);
            n = len - cut;
          }
        }
      bytes = g_bytes_new (copy, n);
      form = saphan_form_new_from_bytes (bytes, "damaged.xml", NULL, &error);
      if (form == NULL)
        {
          g_assert_nonnull (error);
          g_assert_nonnull (strstr (error->message, "damaged.xml"));
          refused++;
          continue;
        }
      loaded++;
      {
        g_autoptr (SaphanSession) session = new_session (form);
        g_autoptr (GBytes) xml = saphan_session_serialize (session);
        g_autoptr (GPtrArray) states = saphan_session_list_states (session);
        saphan_session_answer (session, "/data/age", "40", NULL);
        saphan_session_answer (session, "/data/children_count", "2", NULL);
        g_assert_nonnull (xml);
        g_assert_nonnull (states);
      }
    }
  g_rand_free (rand);
  g_test_message ("%u loaded, %u refused", loaded, refused);
  g_assert_cmpuint (refused, >, 0);
}

/* ---- Filling ------------------------------------------------------------ */

static void
test_preloads_and_first_load (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autofree char *id = saphan_session_get_value (session, "/data/meta/instanceID");
  g_autoptr (SaphanNodeState) s = state (session, "/data/start");

  assert_value (session, "/data/start", "2024-02-29T10:00:00.250+07:00");
  assert_value (session, "/data/today", "2024-02-29");
  assert_value (session, "/data/deviceid", "kiosk-7");
  assert_value (session, "/data/first_load_note", "loaded once");
  g_assert_true (g_str_has_prefix (id, "uuid:"));
  g_assert_cmpuint (strlen (id), ==, 41);
  g_assert_true (s->volatile_value);
}

static void
test_binds_and_violations (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GError) error = NULL;
  SaphanNodeState *s;

  s = state (session, "/data/name");
  g_assert_true (s->required);
  g_assert_cmpint (s->violation, ==, SAPHAN_VIOLATION_REQUIRED);
  g_assert_cmpstr (s->message, ==, "Please give a name");
  saphan_node_state_free (s);

  answer (session, "/data/age", "150");
  s = state (session, "/data/age");
  g_assert_cmpint (s->violation, ==, SAPHAN_VIOLATION_CONSTRAINT);
  g_assert_cmpstr (s->message, ==, "Age must be under 130");
  saphan_node_state_free (s);
  assert_value (session, "/data/adult", "yes");
  assert_value (session, "/data/touched", "age 150");

  answer (session, "/data/age", "12");
  s = state (session, "/data/age");
  g_assert_cmpint (s->violation, ==, SAPHAN_VIOLATION_NONE);
  g_assert_null (s->message);
  saphan_node_state_free (s);
  assert_value (session, "/data/adult", "no");

  /* Types are enforced on answers. */
  g_assert_false (saphan_session_answer (session, "/data/age", "twelve", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  assert_value (session, "/data/age", "12");
  g_clear_error (&error);
  answer (session, "/data/age", " 0012 ");
  assert_value (session, "/data/age", "12");
  g_assert_false (saphan_session_answer (session, "/data/nope", "1", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
}

/* Relevance and read-only reach inside a group; required does not. */
static void
test_inheritance (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  SaphanNodeState *s;

  answer (session, "/data/age", "10");
  s = state (session, "/data/health/smoker");
  g_assert_false (s->relevant);
  g_assert_true (s->required);
  g_assert_cmpint (s->violation, ==, SAPHAN_VIOLATION_NONE);
  saphan_node_state_free (s);

  answer (session, "/data/age", "30");
  answer (session, "/data/consent", "no");
  s = state (session, "/data/health/smoker");
  g_assert_true (s->relevant);
  g_assert_true (s->readonly);
  g_assert_cmpint (s->violation, ==, SAPHAN_VIOLATION_REQUIRED);
  saphan_node_state_free (s);
  s = state (session, "/data/health");
  g_assert_false (s->required);
  g_assert_null (s->value);
  saphan_node_state_free (s);

  answer (session, "/data/health/smoker", "yes");
  s = state (session, "/data/health/cigarettes");
  g_assert_true (s->relevant);
  saphan_node_state_free (s);
  answer (session, "/data/health/smoker", "no");
  s = state (session, "/data/health/cigarettes");
  g_assert_false (s->relevant);
  saphan_node_state_free (s);
}

static void
test_repeat_count_and_actions (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GError) error = NULL;
  SaphanNodeState *s;

  /* The template is not an instance. */
  g_assert_cmpuint (saphan_session_repeat_count (session, "/data/child"), ==, 0);
  answer (session, "/data/has_children", "yes");
  answer (session, "/data/children_count", "3");
  g_assert_cmpuint (saphan_session_repeat_count (session, "/data/child"), ==, 3);
  /* odk-new-repeat set child_age to 1 in every new instance. */
  assert_value (session, "/data/child[3]/child_age", "1");
  assert_value (session, "/data/child[2]/pos", "2");
  s = state (session, "/data/child[2]/child_name");
  g_assert_cmpint (s->violation, ==, SAPHAN_VIOLATION_REQUIRED);
  saphan_node_state_free (s);

  answer (session, "/data/child[2]/child_name", "Malee");
  answer (session, "/data/children_count", "2");
  g_assert_cmpuint (saphan_session_repeat_count (session, "/data/child"), ==, 2);
  assert_value (session, "/data/child[2]/child_name", "Malee");
  g_assert_null (saphan_session_get_value (session, "/data/child[3]/child_name"));

  /* jr:count and noAddRemove fix the number of entries. */
  g_assert_false (saphan_session_repeat_add (session, "/data/child", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (saphan_session_repeat_remove (session, "/data/child[1]", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
}

static void
test_repeat_add_remove (void)
{
  g_autoptr (SaphanForm) form = load_case ("repeat.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GError) error = NULL;

  /* Without jr:template the first instance is both template and entry. */
  g_assert_cmpuint (saphan_session_repeat_count (session, "/data/person"), ==, 1);
  assert_value (session, "/data/total", "1");
  answer (session, "/data/person[1]/name", "Ann");
  g_assert_true (saphan_session_repeat_add (session, "/data/person", &error));
  g_assert_no_error (error);
  g_assert_true (saphan_session_repeat_add (session, "/data/person", &error));
  g_assert_cmpuint (saphan_session_repeat_count (session, "/data/person"), ==, 3);
  assert_value (session, "/data/person[3]/name", "");
  assert_value (session, "/data/person[3]/stamp", "new");
  assert_value (session, "/data/total", "3");
  answer (session, "/data/person[2]/name", "Bee");
  answer (session, "/data/person[3]/name", "Cee");
  assert_value (session, "/data/names", "Ann Bee Cee");

  g_assert_true (saphan_session_repeat_remove (session, "/data/person[2]", &error));
  g_assert_no_error (error);
  assert_value (session, "/data/person[2]/name", "Cee");
  assert_value (session, "/data/total", "2");
  assert_value (session, "/data/names", "Ann Cee");
  g_assert_false (saphan_session_repeat_remove (session, "/data/total", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
}

/* An answer in one repeat instance recomputes what reads it: in that
 * instance only when an expression stays inside its instance, in every
 * instance when it reaches across (absolute paths, sibling axes, "../.."). */
static void
test_repeat_scopes (void)
{
  g_autoptr (SaphanForm) form = load_case ("scope.xml");
  g_autoptr (SaphanSession) session = new_session (form);

  answer (session, "/data/rep[1]/q", "a");
  answer (session, "/data/rep[2]/q", "b");
  assert_value (session, "/data/rep[1]/own", "own:a");
  assert_value (session, "/data/rep[2]/own", "own:b");
  assert_value (session, "/data/rep[3]/own", "own:");
  assert_value (session, "/data/rep[2]/prev", "prev:a");
  assert_value (session, "/data/rep[3]/prev", "prev:b");
  assert_value (session, "/data/rep[3]/all", "2");
  assert_value (session, "/data/rep[3]/up", "2");

  answer (session, "/data/rep[1]/q", "");
  assert_value (session, "/data/rep[1]/own", "own:");
  assert_value (session, "/data/rep[2]/own", "own:b");
  assert_value (session, "/data/rep[2]/prev", "prev:");
  assert_value (session, "/data/rep[1]/all", "1");
  assert_value (session, "/data/rep[3]/all", "1");
  assert_value (session, "/data/rep[2]/up", "1");
}

static void
test_itext_switching (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GError) error = NULL;
  const SaphanFormControl *age = saphan_form_get_control (form, "/data/age");
  const SaphanFormControl *province = saphan_form_get_control (form, "/data/province");
  g_autofree char *en = NULL;
  g_autofree char *th = NULL;
  g_autofree char *image = NULL;
  g_autofree char *audio = NULL;
  SaphanNodeState *s;

  answer (session, "/data/name", "สมชาย");
  en = saphan_session_get_text (session, age->label, "/data/age");
  g_assert_cmpstr (en, ==, "Age of สมชาย");
  image = saphan_session_get_text_media (session, province->label, "image");
  g_assert_true (g_str_has_suffix (image, "household-media" G_DIR_SEPARATOR_S "map.png"));
  /* The audio file is not in the media folder: its name is given as is. */
  audio = saphan_session_get_text_media (session, province->label, "audio");
  g_assert_cmpstr (audio, ==, "jr://audio/province.mp3");

  g_assert_true (saphan_session_set_language (session, "ไทย (th)", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (saphan_session_get_language (session), ==, "ไทย (th)");
  th = saphan_session_get_text (session, age->label, "/data/age");
  g_assert_cmpstr (th, ==, "อายุของ สมชาย");
  answer (session, "/data/age", "200");
  s = state (session, "/data/age");
  g_assert_cmpstr (s->message, ==, "อายุต้องน้อยกว่า 130");
  saphan_node_state_free (s);

  g_assert_false (saphan_session_set_language (session, "Klingon", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
}

static void
test_choices (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GPtrArray) choices = NULL;
  g_autoptr (GError) error = NULL;

  choices = saphan_session_get_choices (session, "/data/has_children", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (choices->len, ==, 2);
  g_assert_cmpstr (((SaphanChoice *) choices->pdata[0])->label, ==, "Yes");
  g_clear_pointer (&choices, g_ptr_array_unref);
  g_assert_true (saphan_session_set_language (session, "ไทย (th)", NULL));
  choices = saphan_session_get_choices (session, "/data/has_children", NULL);
  g_assert_cmpstr (((SaphanChoice *) choices->pdata[1])->label, ==, "ไม่ใช่");
  g_clear_pointer (&choices, g_ptr_array_unref);

  /* The CSV instance, filtered by the province answer. */
  choices = saphan_session_get_choices (session, "/data/district", NULL);
  g_assert_cmpuint (choices->len, ==, 0);
  g_clear_pointer (&choices, g_ptr_array_unref);
  answer (session, "/data/province", "cm");
  choices = saphan_session_get_choices (session, "/data/district", NULL);
  g_assert_cmpuint (choices->len, ==, 2);
  g_assert_cmpstr (((SaphanChoice *) choices->pdata[1])->value, ==, "san-sai");
  g_assert_cmpstr (((SaphanChoice *) choices->pdata[1])->label, ==, "San Sai");
  g_clear_pointer (&choices, g_ptr_array_unref);
  answer (session, "/data/district", "san-sai");
  answer (session, "/data/province", "kk");
  choices = saphan_session_get_choices (session, "/data/district", NULL);
  g_assert_cmpuint (choices->len, ==, 1);
  g_assert_cmpstr (((SaphanChoice *) choices->pdata[0])->label, ==, "Mueang Khon Kaen, city");
  /* The district no longer offered is dropped, as ODK does. */
  assert_value (session, "/data/district", "");

  g_clear_pointer (&choices, g_ptr_array_unref);

  /* An external XML instance from the media folder. */
  choices = saphan_session_get_choices (session, "/data/village", NULL);
  g_assert_cmpuint (choices->len, ==, 2);
  g_assert_cmpstr (((SaphanChoice *) choices->pdata[1])->value, ==, "v2");
  g_assert_cmpstr (((SaphanChoice *) choices->pdata[1])->label, ==, "บ้านใหม่");

  g_assert_null (saphan_session_get_choices (session, "/data/name", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
}

static void
changed_cb (SaphanSession *session, const char *const *refs, GPtrArray *seen)
{
  for (const char *const *r = refs; *r != NULL; r++)
    g_ptr_array_add (seen, g_strdup (*r));
}

static gboolean
seen_ref (GPtrArray *seen, const char *ref)
{
  return g_ptr_array_find_with_equal_func (seen, ref, g_str_equal, NULL);
}

/* "changed" names what an answer changed, and only that. */
static void
test_changed_signal (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (session, "changed", G_CALLBACK (changed_cb), seen);
  answer (session, "/data/age", "40");
  g_assert_true (seen_ref (seen, "/data/age"));
  g_assert_true (seen_ref (seen, "/data/adult"));
  g_assert_true (seen_ref (seen, "/data/touched"));
  g_assert_true (seen_ref (seen, "/data/health"));
  /* The group became relevant: so did its questions. */
  g_assert_true (seen_ref (seen, "/data/health/smoker"));
  g_assert_false (seen_ref (seen, "/data/name"));
  g_assert_false (seen_ref (seen, "/data/province"));

  g_ptr_array_set_size (seen, 0);
  answer (session, "/data/age", "41");
  g_assert_true (seen_ref (seen, "/data/age"));
  g_assert_true (seen_ref (seen, "/data/touched"));
  g_assert_false (seen_ref (seen, "/data/adult"));
  g_assert_false (seen_ref (seen, "/data/health"));

  g_ptr_array_set_size (seen, 0);
  answer (session, "/data/age", "41");
  g_assert_cmpuint (seen->len, ==, 0);
}

/* Values are normalized for their type, or refused: cases/types-answers.txt. */
static void
test_type_normalization (void)
{
  g_autoptr (SaphanForm) form = load_case ("types.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autofree char *path = case_path ("types-answers.txt");
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto (GStrv) f = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *before = NULL;
      gboolean ok;

      if (**l == '\0' || **l == '#')
        continue;
      f = g_strsplit (*l, "\t", 3);
      g_assert_cmpuint (g_strv_length (f), ==, 3);
      before = saphan_session_get_value (session, f[0]);
      ok = saphan_session_answer (session, f[0], f[1], &error);
      if (strcmp (f[2], "!") == 0)
        {
          g_assert_false (ok);
          g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
          assert_value (session, f[0], before);
        }
      else
        {
          g_assert_no_error (error);
          assert_value (session, f[0], f[2]);
        }
      n++;
    }
  g_assert_cmpuint (n, >=, 20);

  /* Calculations are written the way their type is written. */
  answer (session, "/data/d", "2.5");
  assert_value (session, "/data/calc_i", "7");
  assert_value (session, "/data/calc_d", "0.625");
  assert_value (session, "/data/calc_nan", "");
}

/* A language is found by its name or by the code XLSForm puts in it. */
static void
test_language_by_code (void)
{
  g_autoptr (SaphanForm) form = load_case ("types.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  const SaphanFormControl *s = saphan_form_get_control (form, "/data/s");
  g_autofree char *th = NULL;
  g_autofree char *en = NULL;

  g_assert_cmpstr (saphan_form_get_default_language (form), ==, "ไทย (th)");
  th = saphan_session_get_text (session, s->label, "/data/s");
  g_assert_cmpstr (th, ==, "ข้อความ");
  g_assert_true (saphan_session_set_language (session, "en", NULL));
  g_assert_cmpstr (saphan_session_get_language (session), ==, "English (en)");
  en = saphan_session_get_text (session, s->label, "/data/s");
  g_assert_cmpstr (en, ==, "Text");
}

/* ---- Submission ---------------------------------------------------------- */

static void
fill_household (SaphanSession *session)
{
  answer (session, "/data/name", "Somchai & <Co>");
  answer (session, "/data/age", "16");
  answer (session, "/data/has_children", "no");
  answer (session, "/data/province", "cm");
  answer (session, "/data/district", "mueang-cm");
  answer (session, "/data/photo", "1700000000.jpg");
}

static void
test_submission (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  g_autofree char *instance_id = NULL;
  g_autofree char *id_value = NULL;
  g_autofree char *expected = NULL;
  const char *xml;

  /* Not finished while a relevant question is invalid. */
  g_assert_null (saphan_session_finalize_bytes (session, NULL, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "/data/name: Please give a name"));
  g_clear_error (&error);

  fill_household (session);
  bytes = saphan_session_finalize_bytes (session, &instance_id, &attachments, &error);
  g_assert_no_error (error);
  id_value = saphan_session_get_value (session, "/data/meta/instanceID");
  g_assert_cmpstr (instance_id, ==, id_value);
  g_assert_cmpuint (attachments->len, ==, 1);
  g_assert_cmpstr (attachments->pdata[0], ==, "1700000000.jpg");

  xml = g_bytes_get_data (bytes, NULL);
  expected = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<data id=\"household\" version=\"2024-01\">"
                              "<start>2024-02-29T10:00:00.250+07:00</start><today>2024-02-29</today>"
                              "<deviceid>kiosk-7</deviceid><name>Somchai &amp; &lt;Co&gt;</name><age>16</age>"
                              "<adult>no</adult><has_children>no</has_children>"
                              "<province>cm</province><district>mueang-cm</district><village/><consent/>"
                              "<touched>age 16</touched><first_load_note>loaded once</first_load_note>"
                              "<photo>1700000000.jpg</photo>"
                              "<meta><instanceID>%s</instanceID></meta></data>\n", instance_id);
  /* Non-relevant nodes (children_count, the health group) are left out. */
  g_assert_cmpstr (xml, ==, expected);

  /* Byte-stable: the same state serializes to the same bytes. */
  again = saphan_session_serialize (session);
  g_assert_true (g_bytes_equal (bytes, again));
}

/* Two sessions given the same answers produce the same bytes, apart from
 * the instanceID that identifies each. */
static void
test_submission_stable (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autofree char *first = NULL;

  for (int round = 0; round < 2; round++)
    {
      g_autoptr (SaphanSession) session = new_session (form);
      g_autoptr (GBytes) bytes = NULL;
      g_autofree char *id = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) text = NULL;

      fill_household (session);
      bytes = saphan_session_finalize_bytes (session, &id, NULL, &error);
      g_assert_no_error (error);
      text = g_string_new_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_string_replace (text, id, "ID", 0);
      if (first == NULL)
        first = g_strdup (text->str);
      else
        g_assert_cmpstr (text->str, ==, first);
    }
}

/* meta/instanceID from concat('uuid:', uuid()) is computed once only. */
static void
test_instance_id_calculate (void)
{
  g_autoptr (SaphanForm) form = load_case ("repeat.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autofree char *before = saphan_session_get_value (session, "/data/meta/instanceID");
  g_autofree char *after = NULL;

  g_assert_true (g_str_has_prefix (before, "uuid:"));
  answer (session, "/data/person[1]/name", "Ann");
  g_assert_true (saphan_session_repeat_add (session, "/data/person", NULL));
  after = saphan_session_get_value (session, "/data/meta/instanceID");
  g_assert_cmpstr (before, ==, after);
}

static void
test_wipe (void)
{
  g_autoptr (SaphanForm) form = load_case ("household.xml");
  g_autoptr (SaphanSession) session = new_session (form);
  g_autoptr (GError) error = NULL;

  fill_household (session);
  saphan_session_wipe (session);
  g_assert_null (saphan_session_get_value (session, "/data/name"));
  g_assert_null (saphan_session_finalize_bytes (session, NULL, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  /* The form itself is untouched and serves the next citizen. */
  {
    g_autoptr (SaphanSession) next = new_session (form);
    assert_value (next, "/data/name", "");
  }
}

/* randomize() in an itemset: the choices come in the shuffled order, the
 * same for the same seed (Park-Miller, as in Collect and Web Forms), and a
 * seed read from the instance reorders them when it changes. */
static const char randomize_form[] =
  "<h:html xmlns='http://www.w3.org/2002/xforms' xmlns:h='http://www.w3.org/1999/xhtml'>"
  "<h:head><h:title>r</h:title><model>"
  "<instance><data id='r'><seed>42</seed><fixed/><by_seed/><top/></data></instance>"
  "<instance id='fruits'><root>"
  "<item><name>a</name></item><item><name>b</name></item><item><name>c</name></item>"
  "<item><name>d</name></item><item><name>e</name></item><item><name>f</name></item>"
  "</root></instance>"
  "<bind nodeset='/data/seed' type='int'/>"
  "<bind nodeset='/data/top' calculate=\"randomize(instance('fruits')/root/item, 42)[1]/name\"/>"
  "</model></h:head><h:body>"
  "<select1 ref='/data/fixed'><itemset nodeset=\"randomize(instance('fruits')/root/item, 42)\">"
  "<value ref='name'/><label ref='name'/></itemset></select1>"
  "<select1 ref='/data/by_seed'><itemset nodeset=\"randomize(instance('fruits')/root/item, /data/seed)\">"
  "<value ref='name'/><label ref='name'/></itemset></select1>"
  "</h:body></h:html>";

static char *
choice_values (SaphanSession *session, const char *ref)
{
  g_autoptr (GPtrArray) choices = saphan_session_get_choices (session, ref, NULL);
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_nonnull (choices);
  for (guint i = 0; i < choices->len; i++)
    g_string_append (out, ((SaphanChoice *) choices->pdata[i])->value);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_randomize_choices (void)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (randomize_form, strlen (randomize_form));
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanForm) form = saphan_form_new_from_bytes (bytes, "randomize.xml", NULL, &error);
  g_autoptr (SaphanSession) session = NULL;
  g_autofree char *fixed = NULL;
  g_autofree char *by_seed = NULL;
  g_autofree char *reseeded = NULL;

  g_assert_no_error (error);
  session = new_session (form);
  fixed = choice_values (session, "/data/fixed");
  by_seed = choice_values (session, "/data/by_seed");
  g_assert_cmpstr (fixed, ==, "bdfeca");
  g_assert_cmpstr (by_seed, ==, "bdfeca");
  /* A positional predicate counts in the shuffled order. */
  assert_value (session, "/data/top", "b");
  answer (session, "/data/seed", "1");
  reseeded = choice_values (session, "/data/by_seed");
  g_assert_cmpstr (reseeded, ==, "ecbdfa");
  /* An answer among the shuffled choices is kept. */
  answer (session, "/data/by_seed", "c");
  assert_value (session, "/data/by_seed", "c");
}

/* date() of a dateTime keeps the time, but a date-typed node stores only
 * the day, as Collect and Web Forms store it. */
static const char date_calc_form[] =
  "<h:html xmlns='http://www.w3.org/2002/xforms' xmlns:h='http://www.w3.org/1999/xhtml'>"
  "<h:head><h:title>d</h:title><model>"
  "<instance><data id='d'><day/><text/><leap/></data></instance>"
  "<bind nodeset='/data/day' type='date' calculate=\"date('2018-01-01T10:20:30.400')\"/>"
  "<bind nodeset='/data/text' type='string' calculate=\"date('2018-01-01T10:20:30.400')\"/>"
  "<bind nodeset='/data/leap' type='date' calculate=\"date('2024-02-29')\"/>"
  "</model></h:head><h:body><input ref='/data/day'><label>d</label></input></h:body></h:html>";

static void
test_date_calculations (void)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (date_calc_form, strlen (date_calc_form));
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanForm) form = saphan_form_new_from_bytes (bytes, "dates.xml", NULL, &error);
  g_autoptr (SaphanSession) session = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  session = new_session (form);
  assert_value (session, "/data/day", "2018-01-01");
  assert_value (session, "/data/leap", "2024-02-29");
  text = saphan_session_get_value (session, "/data/text");
  g_assert_true (g_str_has_prefix (text, "2018-01-01T10:20:30.4"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/form/load/summary", test_load_summary);
  g_test_add_func ("/form/load/bad-forms", test_bad_forms);
  g_test_add_func ("/form/load/too-many-nodes", test_too_many_nodes);
  g_test_add_func ("/form/load/damaged", test_damaged_forms);
  g_test_add_func ("/form/session/preloads", test_preloads_and_first_load);
  g_test_add_func ("/form/session/binds", test_binds_and_violations);
  g_test_add_func ("/form/session/inheritance", test_inheritance);
  g_test_add_func ("/form/session/repeat-count", test_repeat_count_and_actions);
  g_test_add_func ("/form/session/repeat-add-remove", test_repeat_add_remove);
  g_test_add_func ("/form/session/repeat-scopes", test_repeat_scopes);
  g_test_add_func ("/form/session/itext", test_itext_switching);
  g_test_add_func ("/form/session/choices", test_choices);
  g_test_add_func ("/form/session/randomize-choices", test_randomize_choices);
  g_test_add_func ("/form/session/date-calculations", test_date_calculations);
  g_test_add_func ("/form/session/changed", test_changed_signal);
  g_test_add_func ("/form/session/types", test_type_normalization);
  g_test_add_func ("/form/session/language-code", test_language_by_code);
  g_test_add_func ("/form/submission/xml", test_submission);
  g_test_add_func ("/form/submission/stable", test_submission_stable);
  g_test_add_func ("/form/submission/instance-id-once", test_instance_id_calculate);
  g_test_add_func ("/form/session/wipe", test_wipe);
  return g_test_run ();
}
