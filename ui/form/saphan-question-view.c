/* saphan-question-view.c: one question of the form, drawn from the engine.
 *
 * The label, hint and image come from the form in the session's language,
 * the input from the control's kind, type and appearance: an entry (or a
 * wrapping text area) typed on the on-screen keyboard, the date picker, a
 * list of choices, a number between two bounds, choices to put in order,
 * an "OK" for an acknowledgement, or text alone for a note. What the kiosk cannot
 * serve (photos, signatures, GPS) says so and sends the citizen to staff
 * instead of breaking the form. Every answer goes to the session as it is
 * given, so nothing is lost when the screen or the language changes.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-choice-list.h"
#include "saphan-date-picker.h"
#include "saphan-question-view.h"
#include "saphan-range-control.h"
#include "saphan-rank-list.h"
#include "saphan-text-area.h"

struct _SaphanQuestionView
{
  GtkWidget parent_instance;

  /* Owned (children) */
  GtkWidget *heading;
  GtkWidget *label;
  GtkWidget *required_badge;
  GtkWidget *speaker_button;
  GtkWidget *hint;
  GtkWidget *image;
  GtkWidget *error;
  GtkWidget *input;
  GtkWidget *value_label;

  /* Borrowed */
  const SaphanFormControl *control;

  /* Owned */
  SaphanSession      *session;
  char               *ref;
  SaphanQuestionInput input_kind;
  gboolean            updating;
};

G_DEFINE_FINAL_TYPE (SaphanQuestionView, saphan_question_view, GTK_TYPE_WIDGET)

static const char *
language_code (SaphanSession *session)
{
  const char *language = saphan_session_get_language (session);

  if (language != NULL && (g_str_equal (language, "th") || strstr (language, "(th)") != NULL))
    return "th";
  return "en";
}

static gboolean
has_appearance (const SaphanFormControl *control, const char *token)
{
  g_auto (GStrv) tokens = NULL;

  if (control->appearance == NULL)
    return FALSE;
  tokens = g_strsplit_set (control->appearance, " \t", -1);
  return g_strv_contains ((const char *const *) tokens, token);
}

static SaphanQuestionInput
choose_input (const SaphanFormControl *control, SaphanNodeState *state)
{
  switch (control->kind)
    {
    case SAPHAN_FORM_CONTROL_SELECT1:
    case SAPHAN_FORM_CONTROL_SELECT:
      return SAPHAN_QUESTION_INPUT_CHOICES;
    case SAPHAN_FORM_CONTROL_TRIGGER:
      return SAPHAN_QUESTION_INPUT_TRIGGER;
    case SAPHAN_FORM_CONTROL_NOTE:
      return SAPHAN_QUESTION_INPUT_NOTE;
    case SAPHAN_FORM_CONTROL_RANGE:
      return state != NULL && state->readonly ? SAPHAN_QUESTION_INPUT_NOTE : SAPHAN_QUESTION_INPUT_RANGE;
    case SAPHAN_FORM_CONTROL_RANK:
      return state != NULL && state->readonly ? SAPHAN_QUESTION_INPUT_NOTE : SAPHAN_QUESTION_INPUT_RANK;
    case SAPHAN_FORM_CONTROL_INPUT:
      break;
    default:
      return SAPHAN_QUESTION_INPUT_STAFF;
    }

  if (state != NULL && state->readonly)
    return SAPHAN_QUESTION_INPUT_NOTE;
  switch (control->bind_type)
    {
    case SAPHAN_FORM_TYPE_DATE:
      return SAPHAN_QUESTION_INPUT_DATE;
    case SAPHAN_FORM_TYPE_GEOPOINT:
    case SAPHAN_FORM_TYPE_GEOTRACE:
    case SAPHAN_FORM_TYPE_GEOSHAPE:
    case SAPHAN_FORM_TYPE_BINARY:
    case SAPHAN_FORM_TYPE_BARCODE:
      return SAPHAN_QUESTION_INPUT_STAFF;
    default:
      return SAPHAN_QUESTION_INPUT_TEXT;
    }
}

static void
answer (SaphanQuestionView *self, const char *value)
{
  g_autoptr (GError) error = NULL;

  if (self->updating)
    return;
  /* A value the type cannot hold (half a decimal) is caught by the
   * validation on Next; nothing of it goes to the log. */
  if (!saphan_session_answer (self->session, self->ref, value != NULL ? value : "", &error))
    g_debug ("An answer was refused: %s", error->message);
}

static void
entry_changed_cb (GtkEditable *editable, SaphanQuestionView *self)
{
  answer (self, gtk_editable_get_text (editable));
}

static void
entry_activate_cb (GtkEntry *entry, SaphanQuestionView *self)
{
  /* Enter on a hardware keyboard is the big Next button. */
  gtk_widget_activate_action (GTK_WIDGET (self), "flow.next", NULL);
}

static void
date_changed_cb (SaphanDatePicker *picker, SaphanQuestionView *self)
{
  g_autofree char *value = saphan_date_picker_get_value (picker);

  answer (self, value);
}

static void
choices_changed_cb (SaphanChoiceList *list, SaphanQuestionView *self)
{
  g_autofree char *value = saphan_choice_list_get_value (list);

  answer (self, value);
}

static void
range_changed_cb (SaphanRangeControl *range, SaphanQuestionView *self)
{
  g_autofree char *value = saphan_range_control_get_value (range);

  answer (self, value);
}

static void
rank_changed_cb (SaphanRankList *list, SaphanQuestionView *self)
{
  g_autofree char *value = saphan_rank_list_get_value (list);

  answer (self, value);
}

static SaphanRangeLayout
range_layout (const SaphanFormControl *control)
{
  /* "picker" in Collect is a spinner of values: the −/+ stepper is the
   * touch form of it. */
  if (has_appearance (control, "picker"))
    return SAPHAN_RANGE_LAYOUT_PICKER;
  if (has_appearance (control, "vertical"))
    return SAPHAN_RANGE_LAYOUT_VERTICAL;
  if (has_appearance (control, "no-ticks"))
    return SAPHAN_RANGE_LAYOUT_NO_TICKS;
  return SAPHAN_RANGE_LAYOUT_SLIDER;
}

static void
trigger_toggled_cb (GtkToggleButton *button, SaphanQuestionView *self)
{
  answer (self, gtk_toggle_button_get_active (button) ? "OK" : "");
}

static GdkTexture *
load_image (SaphanQuestionView *self)
{
  g_autofree char *media = NULL;
  GBytes *bytes;

  if (self->control->label == NULL)
    return NULL;
  media = saphan_session_get_text_media (self->session, self->control->label, "image");
  if (media == NULL || *media == '\0')
    return NULL;
  if (g_path_is_absolute (media))
    return gdk_texture_new_from_filename (media, NULL);
  /* Borrowed from the form. */
  bytes = saphan_form_get_media (saphan_session_get_form (self->session), media);
  return bytes != NULL ? gdk_texture_new_from_bytes (bytes, NULL) : NULL;
}

static GtkWidget *
make_input (SaphanQuestionView *self)
{
  GtkWidget *input = NULL;

  switch (self->input_kind)
    {
    case SAPHAN_QUESTION_INPUT_TEXT:
      if (has_appearance (self->control, "multiline"))
        {
          /* A long answer wraps in a text area that is an editable, so the
           * on-screen keyboard types into it as into an entry. Enter makes a
           * new line there; Next is the big button. */
          input = saphan_text_area_new ();
          gtk_widget_add_css_class (input, "answer-entry");
          gtk_widget_add_css_class (input, "multiline");
          g_signal_connect (input, "changed", G_CALLBACK (entry_changed_cb), self);
          break;
        }
      input = gtk_entry_new ();
      gtk_widget_add_css_class (input, "answer-entry");
      switch (saphan_question_view_get_keyboard_mode (self))
        {
        case SAPHAN_KEYBOARD_MODE_NATIONAL_ID:
          gtk_entry_set_max_length (GTK_ENTRY (input), SAPHAN_KEYBOARD_NATIONAL_ID_DIGITS);
          G_GNUC_FALLTHROUGH;
        case SAPHAN_KEYBOARD_MODE_INTEGER:
          gtk_entry_set_input_purpose (GTK_ENTRY (input), GTK_INPUT_PURPOSE_DIGITS);
          break;
        case SAPHAN_KEYBOARD_MODE_DECIMAL:
          gtk_entry_set_input_purpose (GTK_ENTRY (input), GTK_INPUT_PURPOSE_NUMBER);
          break;
        case SAPHAN_KEYBOARD_MODE_PHONE:
          gtk_entry_set_input_purpose (GTK_ENTRY (input), GTK_INPUT_PURPOSE_PHONE);
          break;
        default:
          break;
        }
      g_signal_connect (input, "changed", G_CALLBACK (entry_changed_cb), self);
      g_signal_connect (input, "activate", G_CALLBACK (entry_activate_cb), self);
      break;

    case SAPHAN_QUESTION_INPUT_DATE:
      input = saphan_date_picker_new ();
      g_signal_connect (input, "changed", G_CALLBACK (date_changed_cb), self);
      break;

    case SAPHAN_QUESTION_INPUT_CHOICES:
      input = saphan_choice_list_new (self->control->kind == SAPHAN_FORM_CONTROL_SELECT);
      g_signal_connect (input, "changed", G_CALLBACK (choices_changed_cb), self);
      break;

    case SAPHAN_QUESTION_INPUT_RANGE:
      input = saphan_range_control_new (self->control->range_start, self->control->range_end,
                                        self->control->range_step,
                                        self->control->bind_type == SAPHAN_FORM_TYPE_DECIMAL,
                                        range_layout (self->control));
      g_signal_connect (input, "changed", G_CALLBACK (range_changed_cb), self);
      break;

    case SAPHAN_QUESTION_INPUT_RANK:
      input = saphan_rank_list_new ();
      g_signal_connect (input, "changed", G_CALLBACK (rank_changed_cb), self);
      break;

    case SAPHAN_QUESTION_INPUT_TRIGGER:
      input = gtk_toggle_button_new ();
      gtk_widget_add_css_class (input, "choice");
      gtk_widget_add_css_class (input, "trigger");
      g_signal_connect (input, "toggled", G_CALLBACK (trigger_toggled_cb), self);
      break;

    case SAPHAN_QUESTION_INPUT_STAFF:
      input = gtk_label_new (NULL);
      gtk_widget_add_css_class (input, "ask-staff");
      gtk_label_set_wrap (GTK_LABEL (input), TRUE);
      gtk_label_set_xalign (GTK_LABEL (input), 0);
      break;

    case SAPHAN_QUESTION_INPUT_NOTE:
    default:
      break;
    }
  return input;
}

static void
set_label_text (GtkWidget *label, const char *text)
{
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL && *text != '\0');
}

static void
saphan_question_view_dispose (GObject *object)
{
  SaphanQuestionView *self = SAPHAN_QUESTION_VIEW (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->heading = self->label = self->required_badge = self->speaker_button = NULL;
  self->hint = self->image = self->error = self->input = self->value_label = NULL;
  g_clear_object (&self->session);
  G_OBJECT_CLASS (saphan_question_view_parent_class)->dispose (object);
}

static void
saphan_question_view_finalize (GObject *object)
{
  SaphanQuestionView *self = SAPHAN_QUESTION_VIEW (object);

  g_free (self->ref);
  G_OBJECT_CLASS (saphan_question_view_parent_class)->finalize (object);
}

static void
saphan_question_view_class_init (SaphanQuestionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_question_view_dispose;
  object_class->finalize = saphan_question_view_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "question");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_question_view_init (SaphanQuestionView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 8);
}

GtkWidget *
saphan_question_view_new (SaphanSession *session, const SaphanFormControl *control, const char *ref)
{
  SaphanQuestionView *self;
  g_autoptr (SaphanNodeState) state = NULL;
  GtkWidget *widget;

  g_return_val_if_fail (SAPHAN_IS_SESSION (session), NULL);
  g_return_val_if_fail (control != NULL && ref != NULL, NULL);

  self = g_object_new (SAPHAN_TYPE_QUESTION_VIEW, NULL);
  widget = GTK_WIDGET (self);
  self->session = g_object_ref (session);
  self->control = control;
  self->ref = g_strdup (ref);
  state = saphan_session_get_state (session, ref, NULL);
  self->input_kind = choose_input (control, state);

  self->heading = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->heading, "question-heading");
  self->label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->label, self->input_kind == SAPHAN_QUESTION_INPUT_NOTE
                                           ? "note-label" : "question-label");
  gtk_label_set_wrap (GTK_LABEL (self->label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (self->label), 0);
  gtk_widget_set_hexpand (self->label, TRUE);
  self->required_badge = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->required_badge, "required-badge");
  gtk_widget_set_valign (self->required_badge, GTK_ALIGN_START);
  self->speaker_button = gtk_button_new_from_icon_name ("audio-volume-high-symbolic");
  gtk_widget_add_css_class (self->speaker_button, "speaker");
  gtk_widget_set_valign (self->speaker_button, GTK_ALIGN_START);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->speaker_button), "flow.speak");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->speaker_button), "s", ref);
  gtk_box_append (GTK_BOX (self->heading), self->label);
  gtk_box_append (GTK_BOX (self->heading), self->required_badge);
  gtk_box_append (GTK_BOX (self->heading), self->speaker_button);
  gtk_widget_set_parent (self->heading, widget);

  self->hint = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->hint, "question-hint");
  gtk_label_set_wrap (GTK_LABEL (self->hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->hint), 0);
  gtk_widget_set_parent (self->hint, widget);

  self->image = gtk_picture_new ();
  gtk_widget_add_css_class (self->image, "question-image");
  gtk_picture_set_can_shrink (GTK_PICTURE (self->image), TRUE);
  gtk_widget_set_parent (self->image, widget);

  self->error = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->error, "error-message");
  gtk_label_set_wrap (GTK_LABEL (self->error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error), 0);
  gtk_widget_set_visible (self->error, FALSE);
  gtk_widget_set_parent (self->error, widget);

  self->value_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->value_label, "note-value");
  gtk_label_set_wrap (GTK_LABEL (self->value_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->value_label), 0);
  gtk_widget_set_parent (self->value_label, widget);

  self->input = make_input (self);
  if (self->input != NULL)
    gtk_widget_set_parent (self->input, widget);

  saphan_question_view_refresh (self, TRUE);
  return widget;
}

const char *
saphan_question_view_get_ref (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), NULL);
  return self->ref;
}

const SaphanFormControl *
saphan_question_view_get_control (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), NULL);
  return self->control;
}

SaphanQuestionInput
saphan_question_view_get_input_kind (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), SAPHAN_QUESTION_INPUT_NOTE);
  return self->input_kind;
}

GtkWidget *
saphan_question_view_get_input (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), NULL);
  return self->input_kind == SAPHAN_QUESTION_INPUT_STAFF ? NULL : self->input;
}

GtkWidget *
saphan_question_view_get_speaker_button (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), NULL);
  return self->speaker_button;
}

SaphanKeyboardMode
saphan_question_view_get_keyboard_mode (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), SAPHAN_KEYBOARD_MODE_TEXT_TH);

  /* The form's custom appearances pick the keypad before the type does. */
  if (has_appearance (self->control, "thai-national-id"))
    return SAPHAN_KEYBOARD_MODE_NATIONAL_ID;
  if (has_appearance (self->control, "tel"))
    return SAPHAN_KEYBOARD_MODE_PHONE;
  if (self->control->bind_type == SAPHAN_FORM_TYPE_INT)
    return SAPHAN_KEYBOARD_MODE_INTEGER;
  if (self->control->bind_type == SAPHAN_FORM_TYPE_DECIMAL)
    return SAPHAN_KEYBOARD_MODE_DECIMAL;
  if (has_appearance (self->control, "numbers"))
    return SAPHAN_KEYBOARD_MODE_INTEGER;
  return g_str_equal (language_code (self->session), "th") ? SAPHAN_KEYBOARD_MODE_TEXT_TH
                                                            : SAPHAN_KEYBOARD_MODE_TEXT_EN;
}

char *
saphan_question_view_dup_label (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), NULL);
  return g_strdup (gtk_label_get_text (GTK_LABEL (self->label)));
}

void
saphan_question_view_refresh (SaphanQuestionView *self, gboolean with_value)
{
  g_autoptr (SaphanNodeState) state = NULL;
  g_autofree char *label = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *value = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *listen = NULL;

  g_return_if_fail (SAPHAN_IS_QUESTION_VIEW (self));

  state = saphan_session_get_state (self->session, self->ref, NULL);
  if (self->control->label != NULL)
    label = saphan_session_get_text (self->session, self->control->label, self->ref);
  if (label == NULL || *label == '\0')
    {
      g_free (label);
      /* A question without a label still needs a name to be read out. */
      label = g_strdup (strrchr (self->ref, '/') != NULL ? strrchr (self->ref, '/') + 1 : self->ref);
    }
  if (self->control->hint != NULL)
    hint = saphan_session_get_text (self->session, self->control->hint, self->ref);
  set_label_text (self->label, label);
  set_label_text (self->hint, hint);
  set_label_text (self->required_badge,
                  state != NULL && state->required && self->input_kind != SAPHAN_QUESTION_INPUT_NOTE
                    ? _("required") : NULL);
  listen = g_strdup_printf (_("Listen: %s"), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->speaker_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, listen, -1);
  gtk_widget_set_tooltip_text (self->speaker_button, _("Listen"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  texture = load_image (self);
  gtk_picture_set_paintable (GTK_PICTURE (self->image), GDK_PAINTABLE (texture));
  gtk_widget_set_visible (self->image, texture != NULL);

  /* A read-only node with a value (a total the form computes) shows it. */
  value = saphan_session_get_value (self->session, self->ref);
  set_label_text (self->value_label,
                  self->input_kind == SAPHAN_QUESTION_INPUT_NOTE ? value : NULL);

  if (self->input != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->input), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    label, -1);
  /* Where the focus really lands inside the input, name that too. */
  if (SAPHAN_IS_TEXT_AREA (self->input))
    gtk_accessible_update_property (GTK_ACCESSIBLE (saphan_text_area_get_view (SAPHAN_TEXT_AREA (self->input))),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (SAPHAN_IS_RANGE_CONTROL (self->input)
      && saphan_range_control_get_scale (SAPHAN_RANGE_CONTROL (self->input)) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (saphan_range_control_get_scale (SAPHAN_RANGE_CONTROL (self->input))),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  self->updating = TRUE;
  switch (self->input_kind)
    {
    case SAPHAN_QUESTION_INPUT_TEXT:
      if (with_value)
        gtk_editable_set_text (GTK_EDITABLE (self->input), value != NULL ? value : "");
      break;
    case SAPHAN_QUESTION_INPUT_DATE:
      saphan_date_picker_set_language (SAPHAN_DATE_PICKER (self->input),
                                       language_code (self->session));
      if (with_value)
        saphan_date_picker_set_value (SAPHAN_DATE_PICKER (self->input), value);
      break;
    case SAPHAN_QUESTION_INPUT_CHOICES:
      if (with_value)
        {
          g_autoptr (GPtrArray) choices = saphan_session_get_choices (self->session, self->ref, NULL);

          saphan_choice_list_set_choices (SAPHAN_CHOICE_LIST (self->input), choices);
          saphan_choice_list_set_value (SAPHAN_CHOICE_LIST (self->input), value);
        }
      break;
    case SAPHAN_QUESTION_INPUT_RANGE:
      if (with_value)
        saphan_range_control_set_value (SAPHAN_RANGE_CONTROL (self->input), value);
      break;
    case SAPHAN_QUESTION_INPUT_RANK:
      {
        g_autoptr (GPtrArray) choices = saphan_session_get_choices (self->session, self->ref, NULL);

        /* Labels follow the language; the order shown is the citizen's. */
        saphan_rank_list_set_choices (SAPHAN_RANK_LIST (self->input), choices);
        if (with_value)
          saphan_rank_list_set_value (SAPHAN_RANK_LIST (self->input), value);
      }
      break;
    case SAPHAN_QUESTION_INPUT_TRIGGER:
      gtk_button_set_label (GTK_BUTTON (self->input), _("OK, I have read this"));
      if (with_value)
        gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->input),
                                      value != NULL && *value != '\0');
      break;
    case SAPHAN_QUESTION_INPUT_STAFF:
      gtk_label_set_text (GTK_LABEL (self->input),
                          _("This question needs a camera, a signature or a location, which this "
                            "kiosk cannot take. Please ask a member of staff to help you with it, "
                            "or press Next to go on."));
      break;
    case SAPHAN_QUESTION_INPUT_NOTE:
    default:
      break;
    }
  self->updating = FALSE;
}

void
saphan_question_view_set_error (SaphanQuestionView *self, const char *message)
{
  g_return_if_fail (SAPHAN_IS_QUESTION_VIEW (self));

  set_label_text (self->error, message);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), "invalid");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "invalid");
  /* The message becomes the input's description, so that a screen reader
   * says it when the focus moves there. */
  if (self->input != NULL)
    {
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->input), GTK_ACCESSIBLE_STATE_INVALID,
                                   message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE
                                                   : GTK_ACCESSIBLE_INVALID_FALSE, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->input),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      message != NULL ? message : "", -1);
    }
}

const char *
saphan_question_view_get_error (SaphanQuestionView *self)
{
  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), NULL);
  return gtk_widget_get_visible (self->error) ? gtk_label_get_text (GTK_LABEL (self->error)) : NULL;
}

gboolean
saphan_question_view_focus_input (SaphanQuestionView *self)
{
  GtkWidget *target = NULL;

  g_return_val_if_fail (SAPHAN_IS_QUESTION_VIEW (self), FALSE);

  switch (self->input_kind)
    {
    case SAPHAN_QUESTION_INPUT_CHOICES:
      target = saphan_choice_list_get_search (SAPHAN_CHOICE_LIST (self->input));
      if (target == NULL)
        target = self->input;
      break;
    case SAPHAN_QUESTION_INPUT_NOTE:
    case SAPHAN_QUESTION_INPUT_STAFF:
      target = self->speaker_button;
      break;
    default:
      target = self->input;
      break;
    }
  /* A choice list or date picker is not focusable itself: its first button is. */
  if (!gtk_widget_grab_focus (target) && !gtk_widget_child_focus (target, GTK_DIR_TAB_FORWARD))
    return FALSE;
  /* Focus selects all the text: keep it, and add at the end. */
  if (GTK_IS_EDITABLE (target))
    gtk_editable_set_position (GTK_EDITABLE (target), -1);
  return TRUE;
}

static void
wipe_tree (GtkWidget *widget)
{
  if (GTK_IS_EDITABLE (widget) && !GTK_IS_TEXT (widget))
    gtk_editable_set_text (GTK_EDITABLE (widget), "");
  else if (GTK_IS_LABEL (widget))
    gtk_label_set_text (GTK_LABEL (widget), "");
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    wipe_tree (child);
}

void
saphan_question_view_wipe (SaphanQuestionView *self)
{
  g_return_if_fail (SAPHAN_IS_QUESTION_VIEW (self));

  /* The session is wiped already: no answer may be written back. */
  self->updating = TRUE;
  wipe_tree (GTK_WIDGET (self));
}
