/* saphan-form-flow-pages.c: review, consent, submit and finish.
 *
 * After the last question the citizen sees every answer with a "Change"
 * button back to its screen, then the consent statement, which must be
 * accepted before the form is sent. Sending finalizes the session into the
 * store on the store's worker thread; a full disk or any other store error
 * keeps the answers in memory and offers to try again.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-date-picker.h"
#include "saphan-error.h"
#include "saphan-form-flow-private.h"
#include "saphan-submit.h"

typedef struct
{
  SaphanFormFlow *flow;       /* strong */
  char           *instance_id;
  char           *form_id;
  char           *form_version;
  GBytes         *payload;
  GPtrArray      *attachments;
} SubmitData;

static void
submit_data_free (SubmitData *data)
{
  g_clear_object (&data->flow);
  g_free (data->instance_id);
  g_free (data->form_id);
  g_free (data->form_version);
  g_clear_pointer (&data->payload, g_bytes_unref);
  g_clear_pointer (&data->attachments, g_ptr_array_unref);
  g_free (data);
}

char *
_saphan_form_flow_itext (SaphanFormFlow *self, const char *itext_id)
{
  SaphanFormText text = { (char *) itext_id, NULL };
  g_autofree char *value = NULL;

  if (self->session == NULL)
    return NULL;
  /* The engine answers an unknown id with the id itself. */
  value = saphan_session_get_text (self->session, &text, NULL);
  if (value == NULL || *value == '\0' || g_str_equal (value, itext_id))
    return NULL;
  return g_steal_pointer (&value);
}

static GtkWidget *
wrapped_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, css_class);
  return label;
}

char *
_saphan_form_flow_answer_text (SaphanFormFlow *self, const SaphanFormControl *control,
                               const char *ref)
{
  g_autofree char *value = saphan_session_get_value (self->session, ref);

  if (value == NULL || *value == '\0')
    return g_strdup (_("Not answered"));
  if (control->kind == SAPHAN_FORM_CONTROL_SELECT1 || control->kind == SAPHAN_FORM_CONTROL_SELECT
      || control->kind == SAPHAN_FORM_CONTROL_RANK)
    {
      guint rank = 0;

      g_autoptr (GPtrArray) choices = saphan_session_get_choices (self->session, ref, NULL);
      g_auto (GStrv) values = g_strsplit (value, " ", -1);
      GString *out = g_string_new (NULL);

      for (guint v = 0; values[v] != NULL; v++)
        {
          const char *shown = values[v];

          for (guint i = 0; choices != NULL && i < choices->len; i++)
            {
              SaphanChoice *choice = choices->pdata[i];

              if (g_strcmp0 (choice->value, values[v]) == 0 && choice->label != NULL)
                shown = choice->label;
            }
          if (*values[v] == '\0')
            continue;
          if (out->len > 0)
            g_string_append (out, ", ");
          /* A ranking reads as places: "1. water, 2. roads". */
          if (control->kind == SAPHAN_FORM_CONTROL_RANK)
            g_string_append_printf (out, "%u. ", ++rank);
          g_string_append (out, shown);
        }
      return g_string_free (out, FALSE);
    }
  if (control->bind_type == SAPHAN_FORM_TYPE_DATE)
    return saphan_date_picker_format (value, self->language);
  return g_steal_pointer (&value);
}

static gboolean
is_answerable (const SaphanFormControl *control)
{
  switch (control->kind)
    {
    case SAPHAN_FORM_CONTROL_INPUT:
    case SAPHAN_FORM_CONTROL_SELECT1:
    case SAPHAN_FORM_CONTROL_SELECT:
    case SAPHAN_FORM_CONTROL_RANGE:
    case SAPHAN_FORM_CONTROL_RANK:
      return TRUE;
    default:
      return FALSE;
    }
}

void
_saphan_form_flow_show_review (SaphanFormFlow *self)
{
  GtkWidget *child;

  self->return_to_review = FALSE;
  g_clear_pointer (&self->screens, g_ptr_array_unref);
  self->screens = _saphan_flow_compute_screens (self->session, &self->consent_control);

  while ((child = gtk_widget_get_first_child (self->review_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->review_box), child);
  gtk_box_append (GTK_BOX (self->review_box),
                  wrapped_label (_("Check your answers before sending"), "page-title"));

  for (guint s = 0; s < self->screens->len; s++)
    {
      FlowScreen *screen = self->screens->pdata[s];

      for (guint i = 0; screen->kind == FLOW_SCREEN_QUESTIONS && i < screen->items->len; i++)
        {
          FlowItem *item = screen->items->pdata[i];
          g_autoptr (SaphanNodeState) state = saphan_session_get_state (self->session, item->ref,
                                                                        NULL);
          g_autofree char *label = NULL;
          g_autofree char *answer = NULL;
          g_autofree char *change_name = NULL;
          GtkWidget *row, *texts, *change;

          if (!is_answerable (item->control) || (state != NULL && state->readonly))
            continue;
          if (item->control->label != NULL)
            label = saphan_session_get_text (self->session, item->control->label, item->ref);
          if (label == NULL)
            label = g_strdup (_saphan_flow_ref_name (item->ref));
          answer = _saphan_form_flow_answer_text (self, item->control, item->ref);

          row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
          gtk_widget_add_css_class (row, "review-row");
          texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
          gtk_widget_set_hexpand (texts, TRUE);
          gtk_box_append (GTK_BOX (texts), wrapped_label (label, "review-question"));
          gtk_box_append (GTK_BOX (texts), wrapped_label (answer, "review-answer"));
          gtk_box_append (GTK_BOX (row), texts);

          change = gtk_button_new_with_label (_("Change"));
          gtk_widget_set_valign (change, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (change, "review-change");
          change_name = g_strdup_printf (_("Change: %s"), label);
          gtk_accessible_update_property (GTK_ACCESSIBLE (change), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          change_name, -1);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (change), "flow.change");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (change), "s", screen->key);
          gtk_box_append (GTK_BOX (row), change);
          gtk_box_append (GTK_BOX (self->review_box), row);
        }
    }

  gtk_adjustment_set_value (
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->review_scroller)), 0);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "review");
  _saphan_form_flow_set_page (self, "review");
  gtk_widget_grab_focus (self->next_button);
}

void
_saphan_form_flow_show_consent (SaphanFormFlow *self)
{
  g_autofree char *text = NULL;

  /* The statement comes from the form (a "consent" acknowledgement), else
   * from the kiosk's settings, else a plain default. */
  if (self->consent_control != NULL && self->consent_control->label != NULL)
    text = saphan_session_get_text (self->session, self->consent_control->label,
                                    self->consent_control->ref);
  if ((text == NULL || *text == '\0') && self->consent_setting != NULL)
    {
      g_free (text);
      text = g_strdup (self->consent_setting);
    }
  if (text == NULL || *text == '\0')
    {
      g_free (text);
      text = g_strdup (_("Your answers are used only for this service and are sent only to the "
                         "office that provides it. They are removed from this kiosk once the "
                         "office has received them."));
    }

  gtk_label_set_text (GTK_LABEL (self->consent_label), text);
  gtk_label_set_text (GTK_LABEL (self->consent_toggle_label), _("I agree"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->consent_toggle),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("I agree"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "consent");
  _saphan_form_flow_set_page (self, "consent");
  gtk_widget_grab_focus (self->consent_toggle);
}

static void
show_submit_error (SaphanFormFlow *self, const GError *error)
{
  g_autofree char *body = NULL;

  if (g_error_matches (error, SAPHAN_ERROR, SAPHAN_ERROR_DISK_FULL))
    body = g_strdup (_("The kiosk's storage is full. Your answers are still here and nothing "
                       "is lost. Please ask a member of staff, then press Try again."));
  else
    body = g_strdup_printf (_("%s\nYour answers are still here and nothing is lost. Press Try "
                              "again, or ask a member of staff for help."),
                            error->message);
  gtk_label_set_text (GTK_LABEL (self->message_title), _("Your form could not be saved"));
  gtk_label_set_text (GTK_LABEL (self->message_body), body);
  gtk_widget_set_visible (self->message_spinner, FALSE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->message_spinner), FALSE);
  gtk_button_set_label (GTK_BUTTON (self->retry_button), _("Try again"));
  gtk_widget_set_visible (self->retry_button, TRUE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "message");
  _saphan_form_flow_set_page (self, "error");
  gtk_widget_grab_focus (self->retry_button);
}

static void
finalize_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SubmitData *data = user_data;
  SaphanFormFlow *self = data->flow;
  g_autoptr (GError) error = NULL;

  g_autofree char *number = NULL;

  if (!saphan_submit_finish (SAPHAN_STORE (source), result, &number, &error))
    {
      /* A flow wiped while the store wrote has no page to show. */
      if (!g_str_equal (self->page, "wiped"))
        {
          g_message ("Cannot store a submission of %s: %s", data->form_id, error->message);
          show_submit_error (self, error);
        }
      submit_data_free (data);
      return;
    }
  /* The number is the one signed into the receipt's QR code. */
  g_free (self->receipt_number);
  self->receipt_number = g_steal_pointer (&number);
  if (!g_str_equal (self->page, "wiped"))
    {
      _saphan_form_flow_show_finish (self);
      g_signal_emit (self, _saphan_form_flow_signals[SIGNAL_SUBMITTED], 0, self->receipt_number);
    }
  submit_data_free (data);
}

void
_saphan_form_flow_submit (SaphanFormFlow *self)
{
  g_autoptr (GError) error = NULL;
  SaphanSubmitRequest request = { 0 };
  SubmitData *data;

  if (self->session == NULL || !self->consent_given)
    return;
  if (self->consent_ref != NULL
      && !saphan_session_answer (self->session, self->consent_ref, "OK", &error))
    {
      g_warning ("Cannot record the consent: %s", error->message);
      g_clear_error (&error);
    }

  data = g_new0 (SubmitData, 1);
  data->flow = g_object_ref (self);
  data->payload = saphan_session_finalize_bytes (self->session, &data->instance_id,
                                                 &data->attachments, &error);
  if (data->payload == NULL)
    {
      GPtrArray *screens;

      submit_data_free (data);
      /* An answer turned invalid (today() moved past midnight, say): take
       * the citizen to the first problem. */
      g_debug ("Finalize refused: %s", error->message);
      screens = _saphan_flow_compute_screens (self->session, NULL);
      for (guint s = 0; s < screens->len; s++)
        {
          FlowScreen *screen = screens->pdata[s];

          for (guint i = 0; screen->kind == FLOW_SCREEN_QUESTIONS && i < screen->items->len; i++)
            {
              g_autoptr (SaphanNodeState) state = saphan_session_get_state (
                  self->session, ((FlowItem *) screen->items->pdata[i])->ref, NULL);

              if (state != NULL && state->relevant && state->violation != SAPHAN_VIOLATION_NONE)
                {
                  g_autofree char *key = g_strdup (screen->key);

                  g_ptr_array_unref (screens);
                  self->return_to_review = TRUE;
                  _saphan_form_flow_show_screen (self, key, FALSE);
                  gtk_widget_activate_action (GTK_WIDGET (self), "flow.next", NULL);
                  return;
                }
            }
        }
      g_ptr_array_unref (screens);
      show_submit_error (self, error);
      return;
    }

  data->form_id = g_strdup (saphan_form_get_id (self->form));
  data->form_version = g_strdup (saphan_form_get_version (self->form));
  request.instance_id = data->instance_id;
  request.form_id = data->form_id;
  request.form_version = data->form_version;
  request.payload = data->payload;
  request.attachments = data->attachments;
  request.assisted_by = self->assisted_by;
  request.encrypt_for = saphan_form_get_public_key (self->form);
  /* A retry keeps the number: the citizen may have written it down. */
  request.receipt_number = self->receipt_number;
  gtk_label_set_text (GTK_LABEL (self->message_title), _("Sending your form…"));
  gtk_label_set_text (GTK_LABEL (self->message_body), _("This takes a moment."));
  gtk_widget_set_visible (self->message_spinner, TRUE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->message_spinner), TRUE);
  gtk_widget_set_visible (self->retry_button, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "message");
  _saphan_form_flow_set_page (self, "submitting");

  /* The request's strings live in DATA until the store is done. */
  /* Signing the receipt and the store transaction both run off the UI thread. */
  saphan_submit_async (self->store, &request, NULL, finalize_cb, data);
}

void
_saphan_form_flow_show_finish (SaphanFormFlow *self)
{
  g_autofree char *next_steps = _saphan_form_flow_itext (self, "saphan:next-steps");

  gtk_label_set_text (GTK_LABEL (self->finish_title), _("Your form has been received"));
  gtk_label_set_text (GTK_LABEL (self->receipt_caption), _("Your receipt number"));
  gtk_label_set_text (GTK_LABEL (self->receipt_label), self->receipt_number);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->receipt_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Your receipt number"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->receipt_number, -1);
  gtk_label_set_text (GTK_LABEL (self->next_steps_label), next_steps != NULL ? next_steps : "");
  gtk_widget_set_visible (self->next_steps_label, next_steps != NULL);
  gtk_button_set_label (GTK_BUTTON (self->done_button), _("Done"));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "finish");
  _saphan_form_flow_set_page (self, "finish");
  gtk_widget_grab_focus (self->done_button);
}

/* The receipt is printed after the finish page shows; when the printer
 * fails, the citizen is told while the page is still there. The submission
 * itself is already stored and staff can reprint the receipt. */
void
saphan_form_flow_set_print_problem (SaphanFormFlow *self, const char *reason)
{
  GtkWidget *label;
  g_autofree char *text = NULL;

  g_return_if_fail (SAPHAN_IS_FORM_FLOW (self));

  if (!g_str_equal (self->page, "finish"))
    return;
  text = g_strdup_printf (_("Your receipt could not be printed: %s Your form is saved. Please "
                            "write down the receipt number above; staff can print the receipt "
                            "for you."), reason);
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "print-problem");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_box_append (GTK_BOX (self->finish_box), label);
}

/* The form's "what happens next" (itext saphan:next-steps) in the flow's
 * language, for the printed receipt; NULL when the form has none. */
char *
saphan_form_flow_dup_next_steps (SaphanFormFlow *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_FLOW (self), NULL);

  if (self->session == NULL)
    return NULL;
  return _saphan_form_flow_itext (self, "saphan:next-steps");
}
