/* saphan-form-flow.c: one citizen filling one form.
 *
 * The flow owns the session and everything on screen from the first
 * question to the receipt number: the screens cut from the form's body,
 * Back and Next with validation, the on-screen keyboard under the field
 * being typed, the language switch, the speaker, and the privacy guard that
 * wipes an abandoned session. The review, consent, submit and finish pages
 * live in saphan-form-flow-pages.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-choice-list.h"
#include "saphan-date-picker.h"
#include "saphan-form-flow-private.h"
#include "saphan-form-resources.h"
#include "saphan-text-area.h"

G_DEFINE_FINAL_TYPE (SaphanFormFlow, saphan_form_flow, GTK_TYPE_WIDGET)

guint _saphan_form_flow_signals[N_FLOW_SIGNALS];
#define signals _saphan_form_flow_signals

static void describe_next_button (SaphanFormFlow *self);

typedef struct
{
  SaphanForm *form;
  char       *consent_text;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->form);
  g_free (result->consent_text);
  g_free (result);
}

/* Below this height the keyboard (five rows of 64 px keys) leaves no room
 * for the header and the big buttons as well: while typing, only the field
 * and the keyboard show, and the keyboard's own "Done" brings them back. */
#define COMPACT_BELOW_HEIGHT 760


/* ---- Loading, off the UI thread ------------------------------------------ */

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SaphanFormFlow *self = source;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) xml = NULL;
  g_autoptr (GHashTable) media = NULL;
  LoadResult *result = g_new0 (LoadResult, 1);

  /* The store blocks on the disk and parsing a form with its address
   * lists takes a while: neither may freeze the screen. */
  xml = saphan_store_get_form_xml (self->store, self->form_id, &error);
  if (xml != NULL)
    media = saphan_store_get_form_media (self->store, self->form_id, &error);
  if (xml != NULL && media != NULL)
    result->form = saphan_form_new_from_bytes (xml, self->form_id, media, &error);
  if (result->form == NULL)
    {
      load_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  result->consent_text = saphan_store_get_setting (self->store, "consent.text", NULL);
  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static void
session_changed_cb (SaphanSession *session, GStrv refs, SaphanFormFlow *self)
{
  gboolean any_error = FALSE;

  /* Outputs in labels ("Age: 66 years") follow the answers at once; the
   * inputs keep what the citizen is typing. */
  for (guint i = 0; i < self->views->len; i++)
    {
      SaphanQuestionView *view = self->views->pdata[i];

      saphan_question_view_refresh (view, FALSE);
      /* An error goes as soon as the answer is right; a new one waits for
       * Next, so that nobody is scolded halfway through typing. */
      if (saphan_question_view_get_error (view) != NULL)
        {
          g_autoptr (SaphanNodeState) state = saphan_session_get_state (
              session, saphan_question_view_get_ref (view), NULL);

          if (state == NULL || state->violation == SAPHAN_VIOLATION_NONE)
            saphan_question_view_set_error (view, NULL);
        }
      if (saphan_question_view_get_error (view) != NULL)
        any_error = TRUE;
    }
  if (!any_error)
    gtk_widget_set_visible (self->error_summary, FALSE);
  /* The question may have changed language, or an output in it. */
  describe_next_button (self);
}

static void
show_message (SaphanFormFlow *self, const char *page, const char *title, const char *body,
              gboolean spinner, gboolean retry)
{
  gtk_label_set_text (GTK_LABEL (self->message_title), title);
  gtk_label_set_text (GTK_LABEL (self->message_body), body != NULL ? body : "");
  gtk_widget_set_visible (self->message_spinner, spinner);
  gtk_spinner_set_spinning (GTK_SPINNER (self->message_spinner), spinner);
  gtk_widget_set_visible (self->retry_button, retry);
  gtk_button_set_label (GTK_BUTTON (self->retry_button), _("Try again"));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "message");
  _saphan_form_flow_set_page (self, page);
}

static void
load_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (source);
  g_autoptr (GError) error = NULL;
  LoadResult *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  if (loaded == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Cannot open form %s: %s", self->form_id, error->message);
      show_message (self, "failed", _("This service cannot be opened right now"),
                    _("Please ask a member of staff for help."), FALSE, FALSE);
      return;
    }

  self->form = g_steal_pointer (&loaded->form);
  self->consent_setting = g_steal_pointer (&loaded->consent_text);
  load_result_free (loaded);

  self->session = saphan_session_new (self->form, NULL, &error);
  if (self->session == NULL)
    {
      g_warning ("Cannot start form %s: %s", self->form_id, error->message);
      show_message (self, "failed", _("This service cannot be opened right now"),
                    _("Please ask a member of staff for help."), FALSE, FALSE);
      return;
    }
  /* A form in one language only keeps it whatever the kiosk shows. */
  if (!saphan_session_set_language (self->session, self->language, NULL))
    g_debug ("Form %s has no %s translation", self->form_id, self->language);
  self->changed_id = g_signal_connect (self->session, "changed",
                                       G_CALLBACK (session_changed_cb), self);
  _saphan_form_flow_show_screen (self, NULL, TRUE);
}

/* ---- Keyboard ------------------------------------------------------------ */

static void
scroll_focus_into_view (SaphanFormFlow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  double value, page, above;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, self->question_box))
    return;
  /* The whole entry, not the text inside it. */
  if (GTK_IS_TEXT (focus) && gtk_widget_get_parent (focus) != NULL)
    focus = gtk_widget_get_parent (focus);
  if (!gtk_widget_compute_bounds (focus, self->question_box, &bounds))
    return;

  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->question_scroller));
  value = gtk_adjustment_get_value (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  /* Show what is above the field (its label) as far as there is room. */
  above = MAX (0, MIN (96, page - bounds.size.height - 8));
  if (bounds.origin.y - above < value || bounds.origin.y + bounds.size.height > value + page)
    gtk_adjustment_set_value (adjustment, MAX (0, bounds.origin.y - above));
}

static void
after_paint_cb (GdkFrameClock *clock, SaphanFormFlow *self)
{
  g_clear_signal_handler (&self->scroll_handler, clock);
  scroll_focus_into_view (self);
}

static void
queue_scroll_into_view (SaphanFormFlow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  /* After the next layout: the keyboard appearing shrinks the page. */
  if (clock == NULL || self->scroll_handler != 0)
    return;
  self->scroll_clock = clock;
  self->scroll_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static GtkEditable *
editable_of (GtkWidget *focus)
{
  GtkWidget *outer = NULL;

  /* A multi-line answer's focus is on the text view inside the area,
   * which is the editable the keyboard types into. */
  if (GTK_IS_TEXT_VIEW (focus) && SAPHAN_IS_TEXT_AREA (gtk_widget_get_parent (focus)))
    focus = gtk_widget_get_parent (focus);
  /* The focus sits on the GtkText inside an entry: type into the entry. */
  for (GtkWidget *w = focus; w != NULL && GTK_IS_EDITABLE (w); w = gtk_widget_get_parent (w))
    outer = w;
  return outer != NULL ? GTK_EDITABLE (outer) : NULL;
}

static void
focus_changed_cb (GtkRoot *root, GParamSpec *pspec, SaphanFormFlow *self)
{
  GtkWidget *focus = gtk_root_get_focus (root);
  SaphanKeyboard *keyboard = SAPHAN_KEYBOARD (self->keyboard);
  GtkEditable *editable;
  GtkWidget *view;
  SaphanKeyboardMode mode;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    return;
  /* Keys do not take the focus, but tolerate one that does. */
  if (gtk_widget_is_ancestor (focus, self->keyboard))
    return;

  editable = editable_of (focus);
  if (editable == NULL || !gtk_widget_is_ancestor (GTK_WIDGET (editable), self->question_box))
    {
      _saphan_form_flow_hide_keyboard (self);
      return;
    }

  /* Text is typed in the kiosk's language (a form may have only one);
   * numbers get the keypad the question asks for. */
  mode = g_str_equal (self->language, "th") ? SAPHAN_KEYBOARD_MODE_TEXT_TH
                                            : SAPHAN_KEYBOARD_MODE_TEXT_EN;
  view = gtk_widget_get_ancestor (GTK_WIDGET (editable), SAPHAN_TYPE_QUESTION_VIEW);
  if (view != NULL && GTK_WIDGET (editable) == saphan_question_view_get_input (SAPHAN_QUESTION_VIEW (view)))
    {
      SaphanKeyboardMode wanted = saphan_question_view_get_keyboard_mode (SAPHAN_QUESTION_VIEW (view));

      if (wanted != SAPHAN_KEYBOARD_MODE_TEXT_TH && wanted != SAPHAN_KEYBOARD_MODE_TEXT_EN)
        mode = wanted;
    }
  /* A text field keeps the layout the citizen switched to (ABC/ไทย). */
  if (saphan_keyboard_get_target (keyboard) != editable
      || (mode != SAPHAN_KEYBOARD_MODE_TEXT_TH && mode != SAPHAN_KEYBOARD_MODE_TEXT_EN)
      || (saphan_keyboard_get_mode (keyboard) != SAPHAN_KEYBOARD_MODE_TEXT_TH
          && saphan_keyboard_get_mode (keyboard) != SAPHAN_KEYBOARD_MODE_TEXT_EN))
    saphan_keyboard_set_mode (keyboard, mode);
  /* Focus selects the whole text by default, and the first key would
   * replace an answer being corrected: put the cursor at the end instead. */
  if (saphan_keyboard_get_target (keyboard) != editable)
    gtk_editable_set_position (editable, -1);
  saphan_keyboard_set_target (keyboard, editable);
  gtk_widget_set_visible (self->keyboard, TRUE);
  self->compact = gtk_widget_get_height (GTK_WIDGET (self)) < COMPACT_BELOW_HEIGHT;
  /* The message under the field itself stays; the summary has done its job. */
  if (self->compact)
    gtk_widget_set_visible (self->error_summary, FALSE);
  _saphan_form_flow_update_chrome (self);
  queue_scroll_into_view (self);
}

static void
keyboard_done_cb (SaphanKeyboard *keyboard, SaphanFormFlow *self)
{
  /* "Done" on the keyboard is Enter: put the keyboard away and offer Next. */
  _saphan_form_flow_hide_keyboard (self);
  gtk_widget_grab_focus (self->next_button);
}

void
_saphan_form_flow_hide_keyboard (SaphanFormFlow *self)
{
  saphan_keyboard_set_target (SAPHAN_KEYBOARD (self->keyboard), NULL);
  gtk_widget_set_visible (self->keyboard, FALSE);
  if (self->compact)
    {
      self->compact = FALSE;
      _saphan_form_flow_update_chrome (self);
    }
}

/* ---- Screens ------------------------------------------------------------- */

/* A repeat usually has its label on the group around it (XLSForm writes
 * begin_repeat that way). */
static const SaphanFormText *
control_label (const SaphanFormControl *control)
{
  if (control == NULL)
    return NULL;
  if (control->label == NULL && control->kind == SAPHAN_FORM_CONTROL_REPEAT
      && control->parent != NULL && g_strcmp0 (control->parent->ref, control->ref) == 0)
    return control->parent->label;
  return control->label;
}

static char *
section_title (SaphanFormFlow *self, FlowScreen *screen)
{
  g_autofree char *text = NULL;
  const SaphanFormText *label = control_label (screen->section);

  if (label == NULL)
    return NULL;
  text = saphan_session_get_text (self->session, label, screen->section_ref);
  if (screen->instance > 0)
    return g_strdup_printf ("%s (%u)", text, screen->instance);
  return g_steal_pointer (&text);
}

static GtkWidget *
title_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, css_class);
  return label;
}

/* What names a repeat instance in its row, so that the citizen knows which
 * one a Remove button removes: the first text answered in it (a member's
 * name, say), else the first choice made (a plot's crop, shown by its
 * label), else the first other answer. A title chosen before a name thus
 * does not name a household member. */
static char *
instance_name (SaphanFormFlow *self, const SaphanFormControl *repeat, const char *instance)
{
  enum { TEXT, CHOICE, ANY, N_PASSES };

  for (int pass = TEXT; pass < N_PASSES; pass++)
    for (guint i = 0; repeat->children != NULL && i < repeat->children->len; i++)
      {
        const SaphanFormControl *child = repeat->children->pdata[i];
        gboolean choice = child->kind == SAPHAN_FORM_CONTROL_SELECT1
                          || child->kind == SAPHAN_FORM_CONTROL_SELECT;
        gboolean text = !choice && child->bind_type == SAPHAN_FORM_TYPE_STRING;
        g_autofree char *ref = NULL;
        g_autofree char *value = NULL;

        if (child->ref == NULL || !g_str_has_prefix (child->ref, repeat->ref)
            || (pass == TEXT && !text) || (pass == CHOICE && !choice))
          continue;
        ref = g_strconcat (instance, child->ref + strlen (repeat->ref), NULL);
        value = saphan_session_get_value (self->session, ref);
        if (value != NULL && *value != '\0')
          return _saphan_form_flow_answer_text (self, child, ref);
      }
  return NULL;
}

static void
build_repeat_screen (SaphanFormFlow *self, FlowScreen *screen)
{
  guint count = saphan_session_repeat_count (self->session, screen->group_ref);
  g_autofree char *title = NULL;
  g_autofree char *counted = NULL;
  GtkWidget *add;

  if (control_label (screen->group) != NULL)
    title = saphan_session_get_text (self->session, control_label (screen->group),
                                     screen->group_ref);
  if (title != NULL && *title != '\0')
    gtk_box_append (GTK_BOX (self->question_box), title_label (title, "page-title"));
  counted = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "You have added %u.",
                                          "You have added %u.", count), count);
  gtk_box_append (GTK_BOX (self->question_box), title_label (counted, "repeat-count"));

  for (guint n = 1; n <= count; n++)
    {
      g_autofree char *instance = g_strdup_printf ("%s[%u]", screen->group_ref, n);
      g_autofree char *first = instance_name (self, screen->group, instance);
      g_autofree char *name = first != NULL ? g_strdup_printf ("%u. %s", n, first)
                                            : g_strdup_printf (_("Number %u"), n);
      g_autofree char *remove_label = g_strdup_printf (_("Remove number %u"), n);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *remove = gtk_button_new_with_label (_("Remove"));

      gtk_widget_add_css_class (row, "repeat-row");
      gtk_box_append (GTK_BOX (row), title_label (name, "repeat-name"));
      gtk_widget_set_hexpand (gtk_widget_get_first_child (row), TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "flow.repeat-remove");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", instance);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      remove_label, -1);
      gtk_widget_add_css_class (remove, "destructive");
      gtk_box_append (GTK_BOX (row), remove);
      gtk_box_append (GTK_BOX (self->question_box), row);
    }

  add = gtk_button_new_with_label (count == 0 ? _("Add one") : _("Add another"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "flow.repeat-add");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (add), "s", screen->group_ref);
  gtk_widget_add_css_class (add, "repeat-add");
  gtk_box_append (GTK_BOX (self->question_box), add);
  gtk_box_append (GTK_BOX (self->question_box),
                  title_label (_("When you have added everyone, press Next."), "question-hint"));
}

static void
clear_screen (SaphanFormFlow *self)
{
  GtkWidget *child;

  saphan_speaker_stop (self->speaker);
  _saphan_form_flow_hide_keyboard (self);
  g_ptr_array_set_size (self->views, 0);
  while ((child = gtk_widget_get_first_child (self->question_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->question_box), child);
  gtk_widget_set_visible (self->error_summary, FALSE);
}

void
_saphan_form_flow_show_screen (SaphanFormFlow *self, const char *key_in, gboolean focus_first)
{
  /* KEY may belong to the screens about to be recomputed. */
  g_autofree char *key = g_strdup (key_in);
  FlowScreen *screen;
  g_autofree char *section = NULL;
  int index;

  g_clear_pointer (&self->screens, g_ptr_array_unref);
  self->screens = _saphan_flow_compute_screens (self->session, &self->consent_control);
  g_clear_pointer (&self->consent_ref, g_free);
  if (self->consent_control != NULL)
    self->consent_ref = g_strdup (self->consent_control->ref);

  if (self->screens->len == 0)
    {
      _saphan_form_flow_show_review (self);
      return;
    }
  index = MAX (0, _saphan_flow_find_screen (self->screens, key));
  screen = self->screens->pdata[index];
  g_free (self->current_key);
  self->current_key = g_strdup (screen->key);

  clear_screen (self);
  section = screen->kind == FLOW_SCREEN_QUESTIONS ? section_title (self, screen) : NULL;
  if (section != NULL)
    gtk_box_append (GTK_BOX (self->question_box), title_label (section, "section-title"));

  if (screen->kind == FLOW_SCREEN_REPEAT)
    build_repeat_screen (self, screen);
  else
    {
      if (screen->group != NULL && screen->group->label != NULL)
        {
          g_autofree char *group = saphan_session_get_text (self->session, screen->group->label,
                                                            screen->group_ref);

          gtk_box_append (GTK_BOX (self->question_box), title_label (group, "page-title"));
        }
      for (guint i = 0; i < screen->items->len; i++)
        {
          FlowItem *item = screen->items->pdata[i];
          GtkWidget *view = saphan_question_view_new (self->session, item->control, item->ref);

          g_ptr_array_add (self->views, view);
          gtk_box_append (GTK_BOX (self->question_box), view);
        }
    }

  gtk_adjustment_set_value (
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->question_scroller)), 0);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "question");
  _saphan_form_flow_set_page (self, "question");

  /* A text question opens the keyboard straight away; anything else
   * leaves the focus on Next, one tab away from the first choice. */
  if (focus_first && self->views->len > 0
      && saphan_question_view_get_input_kind (self->views->pdata[0]) == SAPHAN_QUESTION_INPUT_TEXT)
    saphan_question_view_focus_input (self->views->pdata[0]);
  else
    gtk_widget_grab_focus (self->next_button);
}

/* Shows the form's own messages on the screen's invalid answers; TRUE when
 * there were none. */
static gboolean
validate_screen (SaphanFormFlow *self)
{
  SaphanQuestionView *first = NULL;

  for (guint i = 0; i < self->views->len; i++)
    {
      SaphanQuestionView *view = self->views->pdata[i];
      g_autoptr (SaphanNodeState) state = NULL;
      SaphanQuestionInput kind = saphan_question_view_get_input_kind (view);

      /* What the kiosk cannot take is left for staff to complete. */
      if (kind == SAPHAN_QUESTION_INPUT_STAFF || kind == SAPHAN_QUESTION_INPUT_NOTE)
        continue;
      state = saphan_session_get_state (self->session, saphan_question_view_get_ref (view), NULL);
      if (state != NULL && state->relevant && state->violation != SAPHAN_VIOLATION_NONE)
        {
          saphan_question_view_set_error (view, state->message != NULL
                                                  ? state->message
                                                  : _("Please answer this question."));
          if (first == NULL)
            first = view;
        }
      else
        saphan_question_view_set_error (view, NULL);
    }

  gtk_widget_set_visible (self->error_summary, first != NULL && !self->compact);
  if (first == NULL)
    return TRUE;
  gtk_label_set_text (GTK_LABEL (self->error_summary),
                      _("There is a problem. Please look at the answer marked below."));
  saphan_question_view_focus_input (first);
  queue_scroll_into_view (self);
  return FALSE;
}

/* ---- Actions ------------------------------------------------------------- */

static void
next_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  int index;

  if (g_strcmp0 (self->page, "review") == 0)
    {
      _saphan_form_flow_show_consent (self);
      return;
    }
  if (g_strcmp0 (self->page, "consent") == 0)
    {
      _saphan_form_flow_submit (self);
      return;
    }
  if (g_strcmp0 (self->page, "question") != 0 || !validate_screen (self))
    return;

  if (self->return_to_review)
    {
      _saphan_form_flow_show_review (self);
      return;
    }
  g_clear_pointer (&self->screens, g_ptr_array_unref);
  self->screens = _saphan_flow_compute_screens (self->session, NULL);
  index = _saphan_flow_find_screen (self->screens, self->current_key);
  if (index + 1 < (int) self->screens->len)
    _saphan_form_flow_show_screen (self, ((FlowScreen *) self->screens->pdata[index + 1])->key, TRUE);
  else
    _saphan_form_flow_show_review (self);
}

static void
back_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  int index;

  if (g_strcmp0 (self->page, "consent") == 0)
    {
      _saphan_form_flow_show_review (self);
      return;
    }
  g_clear_pointer (&self->screens, g_ptr_array_unref);
  self->screens = _saphan_flow_compute_screens (self->session, NULL);
  if (g_strcmp0 (self->page, "review") == 0)
    {
      self->return_to_review = FALSE;
      if (self->screens->len > 0)
        _saphan_form_flow_show_screen (
            self, ((FlowScreen *) g_ptr_array_index (self->screens, self->screens->len - 1))->key,
            FALSE);
      return;
    }
  if (g_strcmp0 (self->page, "question") != 0)
    return;
  index = _saphan_flow_find_screen (self->screens, self->current_key);
  if (index > 0)
    _saphan_form_flow_show_screen (self, ((FlowScreen *) self->screens->pdata[index - 1])->key, FALSE);
}

static void
change_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);

  /* After a change, Next goes straight back to the review. */
  self->return_to_review = TRUE;
  _saphan_form_flow_show_screen (self, g_variant_get_string (parameter, NULL), TRUE);
}

static void
repeat_add_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  const char *repeat_ref = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *instance = NULL;
  guint count;

  if (!saphan_session_repeat_add (self->session, repeat_ref, &error))
    {
      g_warning ("Cannot add to a repeat: %s", error->message);
      return;
    }
  count = saphan_session_repeat_count (self->session, repeat_ref);
  instance = g_strdup_printf ("%s[%u]", repeat_ref, count);

  /* Go to the first question of the new one. */
  g_clear_pointer (&self->screens, g_ptr_array_unref);
  self->screens = _saphan_flow_compute_screens (self->session, NULL);
  for (guint i = 0; i < self->screens->len; i++)
    {
      FlowScreen *screen = self->screens->pdata[i];

      if (screen->kind == FLOW_SCREEN_QUESTIONS && g_strcmp0 (screen->section_ref, instance) == 0)
        {
          _saphan_form_flow_show_screen (self, screen->key, TRUE);
          return;
        }
    }
  _saphan_form_flow_show_screen (self, self->current_key, FALSE);
}

static void
repeat_remove_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  g_autoptr (GError) error = NULL;

  if (!saphan_session_repeat_remove (self->session, g_variant_get_string (parameter, NULL), &error))
    g_warning ("Cannot remove from a repeat: %s", error->message);
  _saphan_form_flow_show_screen (self, self->current_key, FALSE);
}

static void
speak_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  const char *ref = g_variant_get_string (parameter, NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GBytes) wav = NULL;
  SaphanQuestionView *view = NULL;
  const SaphanFormControl *control;

  for (guint i = 0; i < self->views->len && view == NULL; i++)
    if (g_strcmp0 (saphan_question_view_get_ref (self->views->pdata[i]), ref) == 0)
      view = self->views->pdata[i];
  if (view == NULL)
    return;
  control = saphan_question_view_get_control (view);

  /* The form's own recording first: it says the question as a person would. */
  if (control->label != NULL)
    {
      g_autofree char *audio = saphan_session_get_text_media (self->session, control->label, "audio");

      if (audio != NULL && *audio != '\0')
        {
          if (g_path_is_absolute (audio))
            {
              g_autoptr (GFile) file = g_file_new_for_path (audio);

              wav = g_file_load_bytes (file, NULL, NULL, NULL);
            }
          else if (saphan_form_get_media (self->form, audio) != NULL)
            /* The form lends its media: take a reference of our own. */
            wav = g_bytes_ref (saphan_form_get_media (self->form, audio));
        }
    }

  /* Else the label and the choices, never the answers. */
  g_string_append (text, gtk_label_get_text (GTK_LABEL (
      gtk_widget_get_first_child (gtk_widget_get_first_child (GTK_WIDGET (view))))));
  if (control->kind == SAPHAN_FORM_CONTROL_SELECT1 || control->kind == SAPHAN_FORM_CONTROL_SELECT)
    {
      g_autoptr (GPtrArray) choices = saphan_session_get_choices (self->session, ref, NULL);

      for (guint i = 0; choices != NULL && i < choices->len && i < 12; i++)
        {
          SaphanChoice *choice = choices->pdata[i];

          g_string_append_printf (text, "\n%s", choice->label != NULL ? choice->label : "");
        }
    }
  saphan_speaker_toggle (self->speaker, ref, wav, text->str, self->language);
}

static void
toggle_language_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  const char *language = g_str_equal (self->language, "th") ? "en" : "th";

  gtk_widget_activate_action (widget, "flow.language", "s", language);
}

static void
language_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  const char *language = g_variant_get_string (parameter, NULL);

  if (!g_str_equal (language, "th") && !g_str_equal (language, "en"))
    return;
  g_free (self->language);
  self->language = g_strdup (language);
  /* The kiosk's own strings follow the application's language, if any. */
  gtk_widget_activate_action (widget, "app.language", "s", language);
  if (self->session == NULL)
    {
      _saphan_form_flow_update_chrome (self);
      return;
    }
  saphan_session_set_language (self->session, language, NULL);

  /* The answers live in the session: redrawing the page loses nothing. */
  if (g_strcmp0 (self->page, "question") == 0)
    _saphan_form_flow_show_screen (self, self->current_key, FALSE);
  else if (g_strcmp0 (self->page, "review") == 0)
    _saphan_form_flow_show_review (self);
  else if (g_strcmp0 (self->page, "consent") == 0)
    _saphan_form_flow_show_consent (self);
  else if (g_strcmp0 (self->page, "finish") == 0)
    _saphan_form_flow_show_finish (self);
  else
    _saphan_form_flow_update_chrome (self);
}

static void
large_text_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);

  saphan_form_flow_set_large_text (self, !self->large_text);
}

void
_saphan_form_flow_finish (SaphanFormFlow *self, gboolean finished)
{
  g_autofree char *receipt = g_strdup (self->receipt_number);

  g_object_ref (self);
  _saphan_form_flow_wipe (self);
  if (finished)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0, receipt);
  else
    g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
  g_object_unref (self);
}

static void
done_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _saphan_form_flow_finish (SAPHAN_FORM_FLOW (widget), TRUE);
}

static void
cancel_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);

  /* While the store is writing, leaving would lose the receipt: wait. */
  if (g_strcmp0 (self->page, "submitting") == 0)
    return;
  _saphan_form_flow_finish (self, self->receipt_number != NULL);
}

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _saphan_form_flow_submit (SAPHAN_FORM_FLOW (widget));
}

/* ---- Chrome and pages ---------------------------------------------------- */

/* A screen reader announces what has the focus, and on a question that is
 * not typed that is Next. Described by the screen's first question, Next
 * is announced with it ("Next, button, Are you registered...?") rather
 * than alone; the question's own group is only announced when the focus
 * enters it. */
static void
describe_next_button (SaphanFormFlow *self)
{
  if (g_strcmp0 (self->page, "question") == 0 && self->views->len > 0)
    {
      g_autofree char *question = saphan_question_view_dup_label (self->views->pdata[0]);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->next_button),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      question != NULL ? question : "", -1);
    }
  else
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->next_button),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

void
_saphan_form_flow_set_page (SaphanFormFlow *self, const char *page)
{
  g_free (self->page);
  self->page = g_strdup (page);
  if (!g_str_equal (page, "question"))
    {
      _saphan_form_flow_hide_keyboard (self);
      saphan_speaker_stop (self->speaker);
    }
  describe_next_button (self);
  _saphan_form_flow_update_chrome (self);
}

void
_saphan_form_flow_update_chrome (SaphanFormFlow *self)
{
  gboolean question = g_strcmp0 (self->page, "question") == 0;
  gboolean review = g_strcmp0 (self->page, "review") == 0;
  gboolean consent = g_strcmp0 (self->page, "consent") == 0;
  g_autofree char *title = NULL;
  guint index = 0, count = 0;

  if (self->session != NULL)
    title = _saphan_form_flow_itext (self, "saphan:title");
  if (title == NULL && self->form != NULL)
    title = g_strdup (saphan_form_get_title (self->form));
  gtk_label_set_text (GTK_LABEL (self->header_title), title != NULL ? title : "");

  /* Each language's name is written in that language, so that a citizen
   * who cannot read the other one still finds their own. */
  gtk_button_set_label (GTK_BUTTON (self->language_button),
                        g_str_equal (self->language, "th") ? "English" : "ไทย");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  g_str_equal (self->language, "th") ? "Switch to English"
                                                                     : "เปลี่ยนเป็นภาษาไทย", -1);
  gtk_button_set_label (GTK_BUTTON (self->large_text_button), g_str_equal (self->language, "th")
                                                                ? "ก+" : "A+");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->large_text_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Larger text"), -1);
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("Cancel"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cancel and clear my answers"), -1);
  gtk_widget_set_visible (self->cancel_button, g_strcmp0 (self->page, "finish") != 0);

  gtk_button_set_label (GTK_BUTTON (self->back_button), _("Back"));
  gtk_button_set_label (GTK_BUTTON (self->next_button),
                        consent ? _("Send") : review ? _("Continue") : _("Next"));
  gtk_widget_set_visible (gtk_widget_get_parent (self->header_title), !self->compact);
  gtk_widget_set_visible (self->nav_box, (question || review || consent) && !self->compact);
  gtk_widget_set_sensitive (self->next_button, !consent || self->consent_given);

  saphan_form_flow_get_progress (self, &index, &count);
  gtk_widget_set_sensitive (self->back_button, !question || index > 1);
  if (question && count > 0)
    {
      g_autofree char *progress = g_strdup_printf (_("Step %u of %u"), index, count);

      gtk_label_set_text (GTK_LABEL (self->progress_label), progress);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar),
                                     (double) index / (count + 1));
    }
  else if (review || consent)
    {
      gtk_label_set_text (GTK_LABEL (self->progress_label),
                          review ? _("Check your answers") : _("Your consent"));
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar),
                                     (double) count / (count + 1));
    }
  gtk_widget_set_visible (gtk_widget_get_parent (self->progress_label),
                          (question || review || consent) && !self->compact);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Progress"), -1);
}

static void
load_css (GdkDisplay *display)
{
  g_autoptr (GtkCssProvider) provider = NULL;

  if (g_object_get_data (G_OBJECT (display), "saphan-form-css") != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/org/saphan/Kiosk/form/saphan-form.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "saphan-form-css", g_object_ref (provider),
                          g_object_unref);
}

/* ---- GObject ------------------------------------------------------------- */

static int
min_height_of (GtkWidget *widget, int for_width)
{
  int min = 0;

  if (gtk_widget_get_visible (widget))
    gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, for_width, &min, NULL, NULL, NULL);
  return min;
}

/* The flow lays out its one child itself (rather than with a GtkBinLayout)
 * so that it sees every change of size: while typing on a short screen the
 * header, progress and big buttons give their room to the keyboard, and a
 * window may shrink to that size in the first place. */
static void
saphan_form_flow_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);

  gtk_widget_measure (self->overlay, orientation, for_size, minimum, natural, minimum_baseline,
                      natural_baseline);
  if (orientation == GTK_ORIENTATION_VERTICAL && gtk_widget_get_visible (self->keyboard)
      && !self->compact)
    {
      /* The main box stacks its children without spacing. */
      int spare = min_height_of (gtk_widget_get_parent (self->header_title), for_size)
                  + min_height_of (gtk_widget_get_parent (self->progress_label), for_size)
                  + min_height_of (self->nav_box, for_size)
                  + min_height_of (self->error_summary, for_size);

      *minimum = MAX (0, *minimum - spare);
    }
}

static void
saphan_form_flow_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);
  gboolean compact = gtk_widget_get_visible (self->keyboard) && height < COMPACT_BELOW_HEIGHT;

  if (compact != self->compact)
    {
      self->compact = compact;
      if (compact)
        gtk_widget_set_visible (self->error_summary, FALSE);
      _saphan_form_flow_update_chrome (self);
      queue_scroll_into_view (self);
    }
  gtk_widget_allocate (self->overlay, width, height, baseline, NULL);
}

static void
saphan_form_flow_root (GtkWidget *widget)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);

  GTK_WIDGET_CLASS (saphan_form_flow_parent_class)->root (widget);
  load_css (gtk_widget_get_display (widget));
  g_signal_connect_object (gtk_widget_get_root (widget), "notify::focus-widget",
                           G_CALLBACK (focus_changed_cb), self, 0);
}

static void
saphan_form_flow_unroot (GtkWidget *widget)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);

  if (self->scroll_handler != 0)
    g_clear_signal_handler (&self->scroll_handler, self->scroll_clock);
  g_signal_handlers_disconnect_by_func (gtk_widget_get_root (widget), focus_changed_cb, widget);
  GTK_WIDGET_CLASS (saphan_form_flow_parent_class)->unroot (widget);
}

static void
saphan_form_flow_dispose (GObject *object)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (object);

  if (self->session != NULL || self->views->len > 0)
    _saphan_form_flow_wipe (self);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPHAN_TYPE_FORM_FLOW);
  g_clear_object (&self->speaker);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (saphan_form_flow_parent_class)->dispose (object);
}

static void
saphan_form_flow_finalize (GObject *object)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->form);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->views, g_ptr_array_unref);
  g_clear_pointer (&self->screens, g_ptr_array_unref);
  g_free (self->form_id);
  g_free (self->language);
  g_free (self->consent_setting);
  g_free (self->consent_ref);
  g_free (self->current_key);
  g_free (self->page);
  g_free (self->receipt_number);
  g_free (self->assisted_by);
  G_OBJECT_CLASS (saphan_form_flow_parent_class)->finalize (object);
}

static void
saphan_form_flow_class_init (SaphanFormFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_form_flow_dispose;
  object_class->finalize = saphan_form_flow_finalize;
  widget_class->root = saphan_form_flow_root;
  widget_class->measure = saphan_form_flow_measure;
  widget_class->size_allocate = saphan_form_flow_size_allocate;
  widget_class->unroot = saphan_form_flow_unroot;

  /**
   * SaphanFormFlow::finished:
   * @receipt_number: the receipt number of the stored submission
   *
   * Emitted after "Done" (or the idle timeout on the finish page), once
   * the session is wiped: the window goes back to the start page.
   */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * SaphanFormFlow::submitted:
   * @receipt_number: the receipt number of the stored submission
   *
   * Emitted when the store has the submission and the finish page shows:
   * the moment to print the receipt.
   */
  signals[SIGNAL_SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * SaphanFormFlow::cancelled:
   *
   * Emitted after "Cancel" or the idle timeout, once the session is wiped.
   */
  signals[SIGNAL_CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  saphan_form_ui_register_resource ();
  g_type_ensure (SAPHAN_TYPE_KEYBOARD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/saphan/Kiosk/form/saphan-form-flow.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, SaphanFormFlow, name)
  BIND (overlay);
  BIND (header_title);
  BIND (language_button);
  BIND (large_text_button);
  BIND (cancel_button);
  BIND (progress_label);
  BIND (progress_bar);
  BIND (stack);
  BIND (question_scroller);
  BIND (question_box);
  BIND (error_summary);
  BIND (review_scroller);
  BIND (review_box);
  BIND (consent_scroller);
  BIND (consent_label);
  BIND (consent_toggle);
  BIND (message_box);
  BIND (message_title);
  BIND (message_body);
  BIND (message_spinner);
  BIND (retry_button);
  BIND (finish_box);
  BIND (finish_title);
  BIND (receipt_caption);
  BIND (receipt_label);
  BIND (next_steps_label);
  BIND (done_button);
  BIND (nav_box);
  BIND (back_button);
  BIND (next_button);
  BIND (keyboard);
  BIND (idle_warning);
  BIND (idle_title);
  BIND (idle_body);
  BIND (idle_countdown);
  BIND (continue_button);
#undef BIND

  gtk_widget_class_install_action (widget_class, "flow.next", NULL, next_activated);
  gtk_widget_class_install_action (widget_class, "flow.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "flow.change", "s", change_activated);
  gtk_widget_class_install_action (widget_class, "flow.repeat-add", "s", repeat_add_activated);
  gtk_widget_class_install_action (widget_class, "flow.repeat-remove", "s",
                                   repeat_remove_activated);
  gtk_widget_class_install_action (widget_class, "flow.speak", "s", speak_activated);
  gtk_widget_class_install_action (widget_class, "flow.language", "s", language_activated);
  gtk_widget_class_install_action (widget_class, "flow.toggle-language", NULL,
                                   toggle_language_activated);
  gtk_widget_class_install_action (widget_class, "flow.large-text", NULL, large_text_activated);
  gtk_widget_class_install_action (widget_class, "flow.done", NULL, done_activated);
  gtk_widget_class_install_action (widget_class, "flow.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "flow.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "flow.continue", NULL, _saphan_form_flow_continue_activated);

  gtk_widget_class_set_css_name (widget_class, "formflow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
consent_toggled_cb (GtkToggleButton *button, SaphanFormFlow *self)
{
  self->consent_given = gtk_toggle_button_get_active (button);
  _saphan_form_flow_update_chrome (self);
}

static void
saphan_form_flow_init (SaphanFormFlow *self)
{
  GtkEventController *legacy;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->views = g_ptr_array_new_with_free_func (NULL);
  self->cancellable = g_cancellable_new ();
  self->speaker = saphan_speaker_new ();
  self->page = g_strdup ("loading");
  self->language = g_strdup ("th");
  self->idle_ms = SAPHAN_FORM_FLOW_DEFAULT_IDLE_SECONDS * 1000;
  self->warning_ms = SAPHAN_FORM_FLOW_WARNING_SECONDS * 1000;

  /* The kiosk's settings, when its schema is installed. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (APP_ID);
      self->idle_ms = g_settings_get_uint (self->settings, "idle-timeout") * 1000;
      saphan_form_flow_set_large_text (self, g_settings_get_boolean (self->settings, "large-text"));
    }

  legacy = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (_saphan_form_flow_activity_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);

  g_signal_connect (self->keyboard, "done", G_CALLBACK (keyboard_done_cb), self);
  g_signal_connect (self->consent_toggle, "toggled", G_CALLBACK (consent_toggled_cb), self);
  /* Consent looks like the checkbox choices: a mark, then the words. */
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
    GtkWidget *mark = g_object_new (GTK_TYPE_IMAGE, "accessible-role",
                                    GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);

    gtk_widget_add_css_class (mark, "choice-mark");
    gtk_widget_add_css_class (mark, "choice-check");
    gtk_widget_set_valign (mark, GTK_ALIGN_CENTER);
    self->consent_toggle_label = gtk_label_new (NULL);
    gtk_label_set_wrap (GTK_LABEL (self->consent_toggle_label), TRUE);
    gtk_label_set_xalign (GTK_LABEL (self->consent_toggle_label), 0);
    gtk_widget_set_hexpand (self->consent_toggle_label, TRUE);
    gtk_box_append (GTK_BOX (box), mark);
    gtk_box_append (GTK_BOX (box), self->consent_toggle_label);
    gtk_button_set_child (GTK_BUTTON (self->consent_toggle), box);
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->keyboard), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("On-screen keyboard"), -1);
}

/* ---- Public API ---------------------------------------------------------- */

GtkWidget *
saphan_form_flow_new (SaphanStore *store, const char *form_id, const char *language)
{
  SaphanFormFlow *self;
  g_autoptr (GTask) task = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  g_return_val_if_fail (form_id != NULL, NULL);

  self = g_object_new (SAPHAN_TYPE_FORM_FLOW, NULL);
  self->store = g_object_ref (store);
  self->form_id = g_strdup (form_id);
  g_free (self->language);
  self->language = g_strdup (g_strcmp0 (language, "en") == 0 ? "en" : "th");

  show_message (self, "loading", _("Opening the form…"), NULL, TRUE, FALSE);
  task = g_task_new (self, self->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, saphan_form_flow_new);
  g_task_run_in_thread (task, load_thread);
  _saphan_form_flow_arm_idle (self);
  return GTK_WIDGET (self);
}

void
saphan_form_flow_set_idle_timeout (SaphanFormFlow *self, guint seconds)
{
  g_return_if_fail (SAPHAN_IS_FORM_FLOW (self));
  saphan_form_flow_set_idle_timing_ms (self, seconds * 1000, SAPHAN_FORM_FLOW_WARNING_SECONDS * 1000);
}

guint
saphan_form_flow_get_idle_timeout (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), 0);
  return self->idle_ms / 1000;
}

void
saphan_form_flow_set_idle_timing_ms (SaphanFormFlow *self, guint idle_ms, guint warning_ms)
{
  g_return_if_fail (SAPHAN_IS_FORM_FLOW (self));
  g_return_if_fail (idle_ms > 0 && warning_ms > 0);

  self->idle_ms = idle_ms;
  self->warning_ms = warning_ms;
  if (self->idle_source != 0)
    _saphan_form_flow_arm_idle (self);
}

void
saphan_form_flow_set_large_text (SaphanFormFlow *self, gboolean large_text)
{
  g_return_if_fail (SAPHAN_IS_FORM_FLOW (self));

  self->large_text = !!large_text;
  if (self->large_text)
    gtk_widget_add_css_class (GTK_WIDGET (self), "large-text");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "large-text");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->large_text_button), self->large_text);
}

gboolean
saphan_form_flow_get_large_text (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), FALSE);
  return self->large_text;
}

const char *
saphan_form_flow_get_language (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  return self->language;
}

const char *
saphan_form_flow_get_form_id (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  return self->form_id;
}

const char *
saphan_form_flow_get_page (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  return self->page;
}

gboolean
saphan_form_flow_get_idle_warning_shown (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), FALSE);
  return self->warning_shown;
}

/* Assisted mode: the submission records that staff STAFF_ID filled the form
 * with or for the citizen. */
void
saphan_form_flow_set_assisted_by (SaphanFormFlow *self, const char *staff_id)
{
  g_return_if_fail (SAPHAN_IS_FORM_FLOW (self));

  g_free (self->assisted_by);
  self->assisted_by = g_strdup (staff_id);
}

const char *
saphan_form_flow_get_receipt_number (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  return self->receipt_number;
}

SaphanSession *
saphan_form_flow_get_session (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  return self->session;
}

GtkWidget *
saphan_form_flow_get_keyboard (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  return self->keyboard;
}

GObject *
saphan_form_flow_get_speaker (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  return G_OBJECT (self->speaker);
}

GPtrArray *
saphan_form_flow_list_questions (SaphanFormFlow *self)
{
  GPtrArray *views;

  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);
  views = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->views->len; i++)
    g_ptr_array_add (views, g_object_ref (self->views->pdata[i]));
  return views;
}

void
saphan_form_flow_get_progress (SaphanFormFlow *self, guint *out_index, guint *out_count)
{
  int index;

  g_return_if_fail (SAPHAN_IS_FORM_FLOW (self));

  index = _saphan_flow_find_screen (self->screens, self->current_key);
  if (out_index != NULL)
    *out_index = index >= 0 ? (guint) index + 1 : 0;
  if (out_count != NULL)
    *out_count = self->screens != NULL ? self->screens->len : 0;
}
