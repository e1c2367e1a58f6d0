/* fuzz-form.c: the form loader on hostile XForms.
 *
 * Each input is a whole form's XML. When it loads, a session is opened on
 * it, the first few questions are answered, a repeat is added where there is
 * one, and the submission is serialized and validated, because a form that
 * loads is trusted by everything after the loader. A clean GError is the
 * right answer to a broken form; a crash, a leak, a sanitizer report, a
 * GLib critical or an unbounded run is a bug.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "saphan-form.h"
#include "saphan-session.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

const char *const fuzz_dictionary[] = {
  "<bind nodeset=\"/data/q\" calculate=\"../a + 1\"/>", " relevant=\"", " constraint=\"",
  " required=\"true()\"", " type=\"int\"", " type=\"date\"", " type=\"select1\"",
  " jr:count=\"", "<repeat nodeset=\"", "</repeat>", "<group>", "</group>",
  "<input ref=\"", "<select1 ref=\"", "<itemset nodeset=\"", "<value ref=\"name\"/>",
  "<label ref=\"jr:itext('", "<output value=\"", "<setvalue event=\"", "odk-new-repeat",
  "xforms-value-changed", "odk-instance-first-load", "<instance id=\"", "jr://file/",
  "jr://file-csv/", "<text id=\"", "<translation lang=\"", "<value form=\"image\">",
  "jr:preload=\"uid\"", "jr:preload=\"timestamp\"", "<meta><instanceID/></meta>",
  "<!DOCTYPE x [<!ENTITY e \"&e;&e;\">]>", "&amp;", "<![CDATA[", "]]>", "xmlns:jr=\"",
  NULL,
};

static GDateTime *
fixed_now (gpointer data)
{
  return g_date_time_new_utc (2024, 2, 29, 3, 0, 0);
}

static double
fixed_random (gpointer data)
{
  return 0.5;
}

static void
exercise_session (SaphanForm *form)
{
  SaphanSessionOptions options = { "fuzz-kiosk", fixed_now, fixed_random, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSession) session = saphan_session_new (form, &options, &error);
  g_autoptr(GPtrArray) states = NULL;
  g_autoptr(GPtrArray) violations = NULL;
  g_autoptr(GBytes) xml = NULL;
  guint answered = 0;

  if (session == NULL)
    {
      g_assert (error != NULL);
      return;
    }

  states = saphan_session_list_states (session);
  for (guint i = 0; i < states->len && answered < 8; i++)
    {
      SaphanNodeState *state = states->pdata[i];
      g_autoptr(GError) answer_error = NULL;

      if (g_strcmp0 (state->kind, "repeat-instance") == 0)
        {
          g_autofree char *repeat_ref = g_strdup (state->ref);
          char *bracket = strrchr (repeat_ref, '[');

          if (bracket != NULL)
            *bracket = '\0';
          if (!saphan_session_repeat_add (session, repeat_ref, &answer_error))
            g_assert (answer_error != NULL);
          continue;
        }
      if (!state->is_leaf || state->readonly)
        continue;
      /* Values that exercise number, date and choice parsing alike. */
      if (!saphan_session_answer (session, state->ref,
                                  (answered % 3) == 0 ? "1" :
                                  (answered % 3) == 1 ? "2024-02-29" : "a b",
                                  &answer_error))
        g_assert (answer_error != NULL);
      answered++;
    }
  for (guint i = 0; i < states->len && i < 16; i++)
    {
      SaphanNodeState *state = states->pdata[i];
      g_autoptr(GPtrArray) choices = NULL;
      g_autoptr(GError) choice_error = NULL;

      if (g_strcmp0 (state->kind, "select1") == 0 || g_strcmp0 (state->kind, "select") == 0)
        {
          choices = saphan_session_get_choices (session, state->ref, &choice_error);
          if (choices == NULL)
            g_assert (choice_error != NULL);
        }
    }

  violations = saphan_session_validate (session);
  xml = saphan_session_serialize (session);
  g_assert (xml != NULL);
  if (form != NULL && saphan_form_get_languages (form)[0] != NULL)
    {
      const char *const *languages = saphan_form_get_languages (form);
      g_autoptr(GError) language_error = NULL;

      if (languages[1] != NULL &&
          !saphan_session_set_language (session, languages[1], &language_error))
        g_assert (language_error != NULL);
    }
  saphan_session_wipe (session);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) xml = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanForm) form = saphan_form_new_from_bytes (xml, "fuzz.xml", NULL, &error);

  if (form == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  g_assert (error == NULL);
  (void) saphan_form_get_question_count (form);
  (void) saphan_form_get_body (form);
  exercise_session (form);
  return 0;
}
