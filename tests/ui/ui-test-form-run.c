/* ui-test-form-run.c: plays a citizen's run from form-runs.txt on a form
 * flow, through the flow's and the on-screen keyboard's actions, as a
 * finger would. */
#include "ui-test-form-run.h"

#include "saphan-choice-list.h"
#include "saphan-date-picker.h"
#include "saphan-keyboard.h"
#include "saphan-question-view.h"
#include "ui-test-util.h"

#include <stdlib.h>
#include <string.h>

static void
step_free (UiTestFormStep *step)
{
  g_strfreev (step->argv);
  g_free (step);
}

GPtrArray *
ui_test_form_run_read (const char *path, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *steps = NULL;
  gboolean ended = FALSE;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && !ended; i++)
    {
      g_auto (GStrv) argv = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      argv = g_strsplit (lines[i], " ", -1);
      if (steps == NULL)
        {
          /* "run NAME FORM LANGUAGE" opens the run we want. */
          if (g_str_equal (argv[0], "run") && g_strv_length (argv) == 4
              && g_str_equal (argv[1], name))
            steps = g_ptr_array_new_with_free_func ((GDestroyNotify)step_free);
          continue;
        }
      if (g_str_equal (argv[0], "end"))
        ended = TRUE;
      else
        {
          UiTestFormStep *step = g_new0 (UiTestFormStep, 1);

          step->argv = g_steal_pointer (&argv);
          step->line = i + 1;
          g_ptr_array_add (steps, step);
        }
    }
  if (steps == NULL || !ended)
    g_error ("%s has no complete run %s", path, name);
  return steps;
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
not_submitting (gpointer user_data)
{
  return g_strcmp0 (saphan_form_flow_get_page (user_data), "submitting") != 0;
}

static SaphanQuestionView *
need_view (SaphanFormFlow *flow, const char *ref, guint line)
{
  g_autoptr (GPtrArray) views = saphan_form_flow_list_questions (flow);
  g_autoptr (GString) shown = g_string_new (NULL);

  for (guint i = 0; i < views->len; i++)
    {
      if (g_strcmp0 (saphan_question_view_get_ref (views->pdata[i]), ref) == 0)
        return views->pdata[i];
      g_string_append_printf (shown, " %s", saphan_question_view_get_ref (views->pdata[i]));
    }
  g_error ("line %u: %s is not on the screen (page %s, showing%s)", line, ref,
           saphan_form_flow_get_page (flow), shown->str);
}

static SaphanKeyboardMode
mode_from_name (const char *name)
{
  static const char *const names[]
      = { "text-th", "text-en", "integer", "decimal", "phone", "national-id" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i], name))
      return (SaphanKeyboardMode)i;
  g_error ("Unknown keyboard mode %s", name);
}

/* Focuses EDITABLE as a tap at its end does, checks that the keyboard now
 * types into it (in MODE unless NULL), then taps KEYS on the keyboard. */
static void
type_into (SaphanFormFlow *flow, GtkWidget *editable, const char *mode, char **keys)
{
  SaphanKeyboard *keyboard = SAPHAN_KEYBOARD (saphan_form_flow_get_keyboard (flow));

  g_assert_true (gtk_widget_grab_focus (editable));
  gtk_editable_set_position (GTK_EDITABLE (editable), -1);
  drain ();
  g_assert_true (saphan_keyboard_get_target (keyboard) == GTK_EDITABLE (editable));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (keyboard)));
  if (mode != NULL)
    g_assert_cmpint (saphan_keyboard_get_mode (keyboard), ==, mode_from_name (mode));
  for (guint i = 0; keys[i] != NULL; i++)
    {
      static const struct
      {
        const char *key, *action;
      } special[] = {
        { "<shift>", "keyboard.shift" },
        { "<bksp>", "keyboard.backspace" },
        { "<switch>", "keyboard.switch-layout" },
        { "<done>", "keyboard.done" },
      };
      const char *action = NULL;

      for (guint k = 0; k < G_N_ELEMENTS (special); k++)
        if (g_str_equal (keys[i], special[k].key))
          action = special[k].action;
      if (action != NULL)
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (keyboard), action, NULL));
      else
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.press", "s",
                                                   g_str_equal (keys[i], "<space>") ? " "
                                                                                    : keys[i]));
    }
  drain ();
}

static gboolean
button_shown (gpointer user_data)
{
  gpointer *list_and_value = user_data;

  return saphan_choice_list_get_button (list_and_value[0], list_and_value[1]) != NULL;
}

/* A long choice list adds its buttons a moment after it is shown. */
static GtkWidget *
wait_for_choice (SaphanChoiceList *list, const char *value)
{
  gpointer list_and_value[] = { list, (gpointer)value };

  ui_test_wait_for (button_shown, list_and_value, 5000, "a choice button");
  return saphan_choice_list_get_button (list, value);
}

gboolean
ui_test_form_run_play (SaphanFormFlow *flow, const UiTestFormStep *step)
{
  char **argv = step->argv;
  const char *cmd = argv[0];
  guint argc = g_strv_length (argv);
  GtkWidget *widget = GTK_WIDGET (flow);

  if (g_str_equal (cmd, "next") || g_str_equal (cmd, "back"))
    g_assert_true (gtk_widget_activate_action (
        widget, g_str_equal (cmd, "next") ? "flow.next" : "flow.back", NULL));
  else if (g_str_equal (cmd, "type") && argc >= 3)
    {
      GtkWidget *entry = saphan_question_view_get_input (need_view (flow, argv[1], step->line));

      /* An entry, or the text area of a multi-line answer. */
      g_assert_true (GTK_IS_EDITABLE (entry));
      type_into (flow, entry, argv[2], argv + 3);
    }
  else if (g_str_equal (cmd, "search") && argc >= 2)
    {
      GtkWidget *list = saphan_question_view_get_input (need_view (flow, argv[1], step->line));

      type_into (flow, saphan_choice_list_get_search (SAPHAN_CHOICE_LIST (list)), NULL, argv + 2);
    }
  else if (g_str_equal (cmd, "choose") && argc == 3)
    {
      GtkWidget *list = saphan_question_view_get_input (need_view (flow, argv[1], step->line));
      GtkWidget *button = wait_for_choice (SAPHAN_CHOICE_LIST (list), argv[2]);

      /* A tap is what the button's click gesture emits. */
      g_assert_true (gtk_widget_is_sensitive (button));
      g_signal_emit_by_name (button, "clicked");
      g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
    }
  else if (g_str_equal (cmd, "step") && argc == 5)
    {
      GtkWidget *picker = saphan_question_view_get_input (need_view (flow, argv[1], step->line));

      g_assert_true (SAPHAN_IS_DATE_PICKER (picker));
      for (int i = 0; i < atoi (argv[4]); i++)
        g_assert_true (
            gtk_widget_activate_action (picker, "date.step", "(si)", argv[2], atoi (argv[3])));
    }
  else if (g_str_equal (cmd, "expect-screen") && argc == 2)
    need_view (flow, argv[1], step->line);
  else if (g_str_equal (cmd, "expect-error") && argc >= 2)
    {
      const char *error = saphan_question_view_get_error (need_view (flow, argv[1], step->line));
      g_autofree char *text = argc > 2 ? g_strjoinv (" ", argv + 2) : NULL;

      if (error == NULL || (text != NULL && strstr (error, text) == NULL))
        g_error ("line %u: %s shows the error “%s”, not “%s”", step->line, argv[1], error, text);
    }
  else if (g_str_equal (cmd, "expect-page") && argc == 2)
    {
      ui_test_wait_for (not_submitting, flow, 20000, "the store to take the answers");
      if (g_strcmp0 (saphan_form_flow_get_page (flow), argv[1]) != 0)
        g_error ("line %u: page %s, not %s", step->line, saphan_form_flow_get_page (flow), argv[1]);
    }
  else if (g_str_equal (cmd, "expect-value") && argc >= 3)
    {
      g_autofree char *value = saphan_session_get_value (saphan_form_flow_get_session (flow), argv[1]);
      g_autofree char *expected = g_strjoinv (" ", argv + 2);

      g_assert_cmpstr (value, ==, expected);
    }
  else if (g_str_equal (cmd, "expect-label") && argc >= 3)
    {
      g_autofree char *label = saphan_question_view_dup_label (need_view (flow, argv[1], step->line));
      g_autofree char *text = g_strjoinv (" ", argv + 2);

      if (strstr (label, text) == NULL)
        g_error ("line %u: label “%s” lacks “%s”", step->line, label, text);
    }
  else if (g_str_equal (cmd, "language") && argc == 2)
    {
      g_assert_true (gtk_widget_activate_action (widget, "flow.language", "s", argv[1]));
      g_assert_cmpstr (saphan_form_flow_get_language (flow), ==, argv[1]);
    }
  else if (g_str_equal (cmd, "change") && argc == 2)
    {
      g_assert_true (gtk_widget_activate_action (widget, "flow.change", "s", argv[1]));
      need_view (flow, argv[1], step->line);
    }
  else if (g_str_equal (cmd, "consent"))
    {
      GtkWidget *toggle = ui_test_find_by_class (widget, "consent-toggle");

      g_assert_true (GTK_IS_BUTTON (toggle));
      g_signal_emit_by_name (toggle, "clicked");
    }
  else
    return FALSE;

  drain ();
  return TRUE;
}
