/* saphan-form-flow-privacy.c: the flow's guard for a shared kiosk.
 *
 * A citizen may walk away in the middle of a form. After the idle time a
 * full-screen warning counts down (WCAG 2.2.1 asks for at least 20 s) with
 * "Continue"; when it runs out, or on Cancel or Done, the session is wiped:
 * the answers in memory are overwritten, every entry and label is emptied,
 * the screen's widgets are destroyed and the clipboards are cleared.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-form-flow-private.h"

/* ---- Idle guard ---------------------------------------------------------- */

static void
update_countdown (SaphanFormFlow *self, gint64 remaining_us)
{
  guint seconds = (guint) ((MAX (remaining_us, 0) + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second",
                                                        "%u seconds", seconds), seconds);

  gtk_label_set_text (GTK_LABEL (self->idle_countdown), text);
}

static void
show_warning (SaphanFormFlow *self)
{
  self->warning_shown = TRUE;
  self->warning_started = g_get_monotonic_time ();
  saphan_speaker_stop (self->speaker);
  gtk_label_set_text (GTK_LABEL (self->idle_title), _("Are you still there?"));
  gtk_label_set_text (GTK_LABEL (self->idle_body),
                      _("To protect your information, your answers will be cleared soon. "
                        "Press Continue to keep going."));
  gtk_button_set_label (GTK_BUTTON (self->continue_button), _("Continue"));
  update_countdown (self, (gint64) self->warning_ms * 1000);
  gtk_widget_set_visible (self->idle_warning, TRUE);
  gtk_widget_grab_focus (self->continue_button);
}

static gboolean
idle_tick_cb (gpointer user_data)
{
  SaphanFormFlow *self = user_data;
  gint64 now = g_get_monotonic_time ();

  /* Nothing to wait for while the store writes the submission. */
  if (g_strcmp0 (self->page, "submitting") == 0)
    self->last_activity = now;

  if (!self->warning_shown)
    {
      if (now - self->last_activity >= (gint64) self->idle_ms * 1000)
        show_warning (self);
      return G_SOURCE_CONTINUE;
    }

  if (now - self->warning_started >= (gint64) self->warning_ms * 1000)
    {
      self->idle_source = 0;
      _saphan_form_flow_finish (self, self->receipt_number != NULL);
      return G_SOURCE_REMOVE;
    }
  update_countdown (self, (gint64) self->warning_ms * 1000 - (now - self->warning_started));
  return G_SOURCE_CONTINUE;
}

void
_saphan_form_flow_arm_idle (SaphanFormFlow *self)
{
  guint period = CLAMP (MIN (self->idle_ms, self->warning_ms) / 5, 10, 500);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->last_activity = g_get_monotonic_time ();
  self->idle_source = g_timeout_add (period, idle_tick_cb, self);
}

void
_saphan_form_flow_continue_activated (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  SaphanFormFlow *self = SAPHAN_FORM_FLOW (widget);

  self->warning_shown = FALSE;
  gtk_widget_set_visible (self->idle_warning, FALSE);
  self->last_activity = g_get_monotonic_time ();
  gtk_widget_grab_focus (self->next_button);
}

gboolean
_saphan_form_flow_activity_cb (GtkEventControllerLegacy *controller,
                               GdkEvent                 *event,
                               SaphanFormFlow           *self)
{
  /* Any touch, click or key counts, except that the warning asks for
   * "Continue" itself rather than any stray touch. */
  if (!self->warning_shown)
    self->last_activity = g_get_monotonic_time ();
  return GDK_EVENT_PROPAGATE;
}

/* ---- Wipe ---------------------------------------------------------------- */

static void
wipe_widget_tree (GtkWidget *widget)
{
  if (GTK_IS_EDITABLE (widget) && !GTK_IS_TEXT (widget))
    gtk_editable_set_text (GTK_EDITABLE (widget), "");
  else if (GTK_IS_LABEL (widget))
    gtk_label_set_text (GTK_LABEL (widget), "");
  else if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), "", 0);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    wipe_widget_tree (child);
}

void
_saphan_form_flow_wipe (SaphanFormFlow *self)
{
  GtkWidget *child;

  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  saphan_speaker_stop (self->speaker);
  _saphan_form_flow_hide_keyboard (self);

  /* Widgets first, while nothing writes to the session any more. */
  for (guint i = 0; i < self->views->len; i++)
    saphan_question_view_wipe (self->views->pdata[i]);
  g_ptr_array_set_size (self->views, 0);
  while ((child = gtk_widget_get_first_child (self->question_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->question_box), child);
  while ((child = gtk_widget_get_first_child (self->review_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->review_box), child);
  wipe_widget_tree (GTK_WIDGET (self));
  gtk_widget_set_visible (self->idle_warning, FALSE);
  self->warning_shown = FALSE;

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->session);
      saphan_session_wipe (self->session);
      g_clear_object (&self->session);
    }
  g_clear_pointer (&self->screens, g_ptr_array_unref);
  g_clear_pointer (&self->current_key, g_free);

  /* Whatever the citizen may have copied leaves with them. */
  gdk_clipboard_set_content (gtk_widget_get_clipboard (GTK_WIDGET (self)), NULL);
  gdk_clipboard_set_content (gtk_widget_get_primary_clipboard (GTK_WIDGET (self)), NULL);

  g_free (self->page);
  self->page = g_strdup ("wiped");
}

