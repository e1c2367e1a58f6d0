/* saphan-staff-dashboard.c: what staff see once their PIN is accepted.
 *
 * The dashboard holds no personal data: lists show form ids, receipt
 * numbers, dates and the server's reason, never answers. Every store,
 * CUPS, crypto and USB call runs in a worker thread or through the core's
 * own _async calls, and the widgets are only touched back on the UI
 * thread. Nothing here opens a file chooser, a print dialog or a browser:
 * USB sticks are found through GVolumeMonitor and printing goes to the
 * configured CUPS queue.
 */
#include "config.h"

#include "saphan-staff-style.h"
#include "saphan-staff-dashboard-private.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "saphan-keyboard.h"
#include "saphan-receipt-layout.h"
#include "saphan-sync-profile.h"

G_DEFINE_FINAL_TYPE (SaphanStaffDashboard, saphan_staff_dashboard, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_FINISHED,
  SIGNAL_ASSISTED_MODE,
  SIGNAL_EXIT_KIOSK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What one refresh reads, all in the worker. */
typedef struct
{
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];
  GPtrArray *submissions; /* of SaphanSubmissionInfo */
  char *last_success;
  char *auth_problem;
  char *printer_queue;
  SaphanPrinterStatus *printer;
  char *profile;
  char *kiosk_name;
  char *kiosk_location;
  char *staff_idle;
  gboolean maintainer;
} RefreshData;

#define LIST_LIMIT 200

static void
refresh_data_free (RefreshData *data)
{
  g_clear_pointer (&data->submissions, g_ptr_array_unref);
  g_free (data->last_success);
  g_free (data->auth_problem);
  g_free (data->printer_queue);
  g_clear_pointer (&data->printer, saphan_printer_status_free);
  g_free (data->profile);
  g_free (data->kiosk_name);
  g_free (data->kiosk_location);
  g_free (data->staff_idle);
  g_free (data);
}

/* ---- Helpers shared with the other dashboard file ------------------------ */

void
_saphan_staff_dashboard_finish (SaphanStaffDashboard *self, const char *operation,
                                gboolean success, const char *message)
{
  if (message != NULL)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      gtk_label_set_text (self->status_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      if (success)
        gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "staff-error");
      else
        gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "staff-error");
    }
  g_debug ("Staff operation %s: %s", operation, success ? "done" : "failed");
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, operation, success);
}

GTask *
_saphan_staff_dashboard_task (SaphanStaffDashboard *self, gpointer source_tag,
                              GAsyncReadyCallback callback)
{
  GTask *task = g_task_new (self, self->cancellable, callback, NULL);

  g_task_set_source_tag (task, source_tag);
  return task;
}

/* A finished task whose dashboard was disposed meanwhile is dropped. */
gboolean
_saphan_staff_dashboard_task_cancelled (GAsyncResult *result)
{
  return g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)));
}

/* One keyboard, across the whole width at the bottom: the kiosk's keyboard
 * needs the full width of the smallest screen. While it is out, the header
 * and the sidebar step aside so that the entry stays in view on 800×480;
 * the keyboard's "Done" brings them back. */
void
_saphan_staff_dashboard_update_keyboard (SaphanStaffDashboard *self)
{
  const char *section = gtk_stack_get_visible_child_name (self->sections);
  GtkEditable *target = saphan_keyboard_get_target (self->keyboard);
  gboolean wanted = FALSE;

  if (g_strcmp0 (section, "queue") == 0 && gtk_widget_get_visible (GTK_WIDGET (self->note_box)))
    wanted = target == GTK_EDITABLE (self->note_entry);
  else if (g_strcmp0 (section, "maintenance") == 0)
    wanted = target == GTK_EDITABLE (self->kiosk_name_entry) ||
             target == GTK_EDITABLE (self->kiosk_location_entry);

  self->typing = self->typing && wanted;
  gtk_widget_set_visible (GTK_WIDGET (self->keyboard_box), self->typing);
  gtk_widget_set_visible (GTK_WIDGET (self->header), !self->typing);
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar), !self->typing);
}

/* Once the keyboard has taken its space, brings the entry being typed
 * into view: on 800×480 little of the section is left above it. */
static gboolean
scroll_to_target_cb (gpointer user_data)
{
  SaphanStaffDashboard *self = user_data;
  GtkWidget *entry = GTK_WIDGET (saphan_keyboard_get_target (self->keyboard));
  GtkWidget *scroller = entry != NULL ? gtk_widget_get_ancestor (entry, GTK_TYPE_SCROLLED_WINDOW)
                                      : NULL;
  graphene_point_t top;

  self->scroll_source = 0;
  if (scroller != NULL &&
      gtk_widget_compute_point (entry, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                &GRAPHENE_POINT_INIT (0, 0), &top))
    {
      GtkAdjustment *adjustment
          = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

      /* The label above the entry stays in view too. */
      gtk_adjustment_set_value (adjustment, top.y - 40);
    }
  return G_SOURCE_REMOVE;
}

/* Brings the keyboard out typing into ENTRY, and ENTRY into view. */
static void
start_typing (SaphanStaffDashboard *self, GtkWidget *entry)
{
  saphan_keyboard_set_target (self->keyboard, GTK_EDITABLE (entry));
  self->typing = TRUE;
  _saphan_staff_dashboard_update_keyboard (self);
  /* After the relayout the keyboard causes. */
  g_clear_handle_id (&self->scroll_source, g_source_remove);
  self->scroll_source = g_idle_add_full (G_PRIORITY_LOW, scroll_to_target_cb, self, NULL);
}

static void
entry_focus_cb (GtkEventControllerFocus *focus, gpointer user_data)
{
  SaphanStaffDashboard *self = user_data;

  start_typing (self, gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (focus)));
}

static void
keyboard_done_cb (SaphanKeyboard *keyboard, gpointer user_data)
{
  SaphanStaffDashboard *self = user_data;

  self->typing = FALSE;
  _saphan_staff_dashboard_update_keyboard (self);
}

static void
section_changed_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (user_data);

  /* A USB barcode scanner types into whatever has the focus: on "Verify"
   * that must be the receipt entry, without a touch first. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->sections), "verify") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->verify_entry));
  _saphan_staff_dashboard_update_keyboard (self);
}

static void
watch_entry (SaphanStaffDashboard *self, GtkEntry *entry)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect (focus, "enter", G_CALLBACK (entry_focus_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (entry), focus);
}

/* ---- The queue ----------------------------------------------------------- */

static const char *
state_title (SaphanSubmissionState state)
{
  switch (state)
    {
    case SAPHAN_SUBMISSION_QUEUED:
      return _ ("Queued");
    case SAPHAN_SUBMISSION_SENDING:
      return _ ("Sending");
    case SAPHAN_SUBMISSION_ACCEPTED:
      return _ ("Accepted");
    case SAPHAN_SUBMISSION_NEEDS_ATTENTION:
      return _ ("Needs attention");
    case SAPHAN_SUBMISSION_EXPORTED:
      return _ ("Exported");
    case SAPHAN_SUBMISSION_N_STATES:
    default:
      g_assert_not_reached ();
    }
}

static GtkWidget *
make_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
make_action_button (const char *label, const char *action, const char *target)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (target));
  gtk_widget_add_css_class (button, "staff-button");
  return button;
}

static GtkWidget *
submission_row (const SaphanSubmissionInfo *info)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  g_autoptr (GDateTime) created = g_date_time_new_from_unix_local (info->created_at);
  g_autofree char *when = created != NULL ? g_date_time_format (created, "%Y-%m-%d %H:%M")
                                          : g_strdup ("");
  g_autofree char *title = NULL;

  /* Receipt numbers and form ids identify a submission for staff without
   * showing anything a citizen answered. */
  title = g_strdup_printf ("%s · %s · %s", info->receipt_number != NULL ? info->receipt_number : "—",
                           info->form_id, when);
  gtk_widget_add_css_class (box, "staff-row");
  gtk_box_append (GTK_BOX (box), make_label (title, "staff-row-title"));

  if (info->assisted_by != NULL)
    {
      g_autofree char *assisted = g_strdup_printf (_ ("Assisted by staff %s"), info->assisted_by);
      gtk_box_append (GTK_BOX (box), make_label (assisted, "staff-row-detail"));
    }

  if (info->state == SAPHAN_SUBMISSION_NEEDS_ATTENTION)
    {
      GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree char *reason
          = g_strdup_printf (_ ("Server’s reason: %s"),
                             info->last_error != NULL ? info->last_error : _ ("none given"));

      gtk_box_append (GTK_BOX (box), make_label (reason, "staff-row-reason"));
      gtk_box_append (GTK_BOX (actions),
                      make_action_button (_ ("Retry"), "dash.retry", info->instance_id));
      gtk_box_append (GTK_BOX (actions), make_action_button (_ ("Resolve with a note"),
                                                             "dash.resolve", info->instance_id));
      gtk_box_append (GTK_BOX (box), actions);
    }
  return box;
}

static void
rebuild_queue_list (SaphanStaffDashboard *self)
{
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->queue_list))) != NULL)
    gtk_list_box_remove (self->queue_list, child);

  gtk_label_set_text (self->queue_title, state_title (self->shown_state));
  for (guint i = 0; self->submissions != NULL && i < self->submissions->len; i++)
    {
      const SaphanSubmissionInfo *info = g_ptr_array_index (self->submissions, i);

      /* A resolved submission keeps its outbox state but needs nobody's
       * attention any more; the store leaves it out of the count too. */
      if (info->state != self->shown_state || info->resolved_at != 0)
        continue;
      gtk_list_box_append (self->queue_list, submission_row (info));
      shown++;
    }
  if (shown == 0)
    gtk_list_box_append (self->queue_list,
                         make_label (_ ("Nothing in this state."), "staff-row-detail"));
}

static void
update_state_buttons (SaphanStaffDashboard *self)
{
  for (guint s = 0; s < SAPHAN_SUBMISSION_N_STATES; s++)
    {
      g_autofree char *text = NULL;

      if (self->counts[s] < 0)
        text = g_strdup (state_title (s));
      else
        text = g_strdup_printf ("%s: %" G_GINT64_FORMAT, state_title (s), self->counts[s]);
      gtk_button_set_label (self->state_buttons[s], text);
      if (s == self->shown_state)
        gtk_widget_add_css_class (GTK_WIDGET (self->state_buttons[s]), "staff-selected");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->state_buttons[s]), "staff-selected");
    }
}

/* ---- Refresh ------------------------------------------------------------- */

static char *
setting_or_null (SaphanStore *store, const char *key)
{
  g_autoptr (GError) error = NULL;
  char *value = saphan_store_get_setting (store, key, &error);

  if (error != NULL)
    g_warning ("Could not read setting %s: %s", key, error->message);
  return value;
}

static void
refresh_thread (GTask *task, gpointer source_object, gpointer task_data,
                GCancellable *cancellable)
{
  SaphanStore *store = task_data;
  SaphanStaffDashboard *self = source_object;
  g_autoptr (GError) error = NULL;
  RefreshData *data = g_new0 (RefreshData, 1);

  data->maintainer = self->maintainer;
  if (!saphan_store_count_by_state (store, data->counts, &error) ||
      (data->submissions = saphan_store_list_submissions (store, -1, LIST_LIMIT, &error)) == NULL)
    {
      refresh_data_free (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->last_success = setting_or_null (store, SAPHAN_SETTING_LAST_SUCCESS);
  data->auth_problem = setting_or_null (store, SAPHAN_SETTING_AUTH_PROBLEM);
  data->printer_queue = setting_or_null (store, "printer.queue");
  data->kiosk_name = setting_or_null (store, "kiosk.name");
  data->kiosk_location = setting_or_null (store, "kiosk.location");
  data->staff_idle = setting_or_null (store, "staff.idle-timeout");
  /* Without a queue receipts become PDF files and there is no printer to
   * ask; asking CUPS for its default would report a printer not in use. */
  if (data->printer_queue != NULL)
    data->printer = saphan_printer_get_status (data->printer_queue);

  if (data->maintainer)
    {
      g_autoptr (SaphanSyncProfile) profile = saphan_sync_profile_load (store, NULL);

      if (profile != NULL)
        {
          g_autofree char *described = saphan_sync_profile_describe (profile);

          data->profile = g_strdup_printf ("%s — %s",
                                           saphan_server_kind_to_string (profile->kind), described);
        }
    }
  g_task_return_pointer (task, data, (GDestroyNotify)refresh_data_free);
}

static char *
format_last_sync (const char *stamp)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *when = NULL;

  if (stamp == NULL)
    return g_strdup (_ ("Last successful sync: never"));
  utc = g_date_time_new_from_iso8601 (stamp, NULL);
  if (utc == NULL)
    return g_strdup_printf (_ ("Last successful sync: %s"), stamp);
  local = g_date_time_to_local (utc);
  when = g_date_time_format (local, "%Y-%m-%d %H:%M");
  return g_strdup_printf (_ ("Last successful sync: %s"), when);
}

static void
show_connectivity (SaphanStaffDashboard *self, const RefreshData *data)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  g_autofree char *last = format_last_sync (data->last_success);

  if (data->auth_problem != NULL)
    gtk_label_set_text (self->online_label,
                        _ ("The server refused the kiosk’s credentials: sending is paused "
                           "until a maintainer updates the server profile."));
  else if (g_network_monitor_get_network_available (monitor))
    gtk_label_set_text (self->online_label, _ ("Network: connected"));
  else
    gtk_label_set_text (self->online_label,
                        _ ("Network: not connected. Submissions wait safely in the queue."));
  gtk_label_set_text (self->last_sync_label, last);
}

static void
show_printer (SaphanStaffDashboard *self, const RefreshData *data)
{
  g_autofree char *text = NULL;

  if (data->printer_queue == NULL)
    text = g_strdup (_ ("No printer is set up: receipts are saved as PDF files."));
  else if (data->printer != NULL && data->printer->problem == SAPHAN_PRINT_OK)
    text = g_strdup_printf (_ ("Printer %s is ready."), data->printer_queue);
  else
    text = g_strdup_printf (_ ("Printer %s: %s"), data->printer_queue,
                            data->printer != NULL && data->printer->problem_message != NULL
                                ? data->printer->problem_message
                                : _ ("not available"));
  gtk_label_set_text (self->printer_label, text);
}

static void
show_settings (SaphanStaffDashboard *self, const RefreshData *data)
{
  gint64 staff_idle = data->staff_idle != NULL ? g_ascii_strtoll (data->staff_idle, NULL, 10) : 0;

  gtk_editable_set_text (GTK_EDITABLE (self->kiosk_name_entry),
                         data->kiosk_name != NULL ? data->kiosk_name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->kiosk_location_entry),
                         data->kiosk_location != NULL ? data->kiosk_location : "");
  gtk_spin_button_set_value (self->staff_idle_spin,
                             staff_idle > 0 ? staff_idle : SAPHAN_STAFF_DEFAULT_IDLE_TIMEOUT);
  if (self->settings != NULL)
    gtk_spin_button_set_value (self->kiosk_idle_spin,
                               g_settings_get_uint (self->settings, "idle-timeout"));
  gtk_label_set_text (self->profile_label,
                      data->profile != NULL ? data->profile : _ ("No server is configured."));
}

static void
refresh_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (source);
  g_autoptr (GError) error = NULL;
  RefreshData *data;

  if (_saphan_staff_dashboard_task_cancelled (result))
    return;
  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (data == NULL)
    {
      _saphan_staff_dashboard_finish (self, "refresh", FALSE, error->message);
      return;
    }

  memcpy (self->counts, data->counts, sizeof self->counts);
  g_clear_pointer (&self->submissions, g_ptr_array_unref);
  self->submissions = g_steal_pointer (&data->submissions);
  update_state_buttons (self);
  rebuild_queue_list (self);
  show_connectivity (self, data);
  show_printer (self, data);
  if (self->maintainer && !self->settings_loaded)
    {
      /* Loaded once, so a refresh never overwrites what is being typed. */
      show_settings (self, data);
      self->settings_loaded = TRUE;
    }
  refresh_data_free (data);
  _saphan_staff_dashboard_finish (self, "refresh", TRUE, NULL);
}

/* ---- Actions: the queue -------------------------------------------------- */

static void
refresh_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  saphan_staff_dashboard_refresh (SAPHAN_STAFF_DASHBOARD (widget));
}

static void
show_state_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  SaphanSubmissionState state;

  if (!saphan_submission_state_from_string (g_variant_get_string (parameter, NULL), &state))
    return;
  self->shown_state = state;
  update_state_buttons (self);
  rebuild_queue_list (self);
}

static void
retry_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  SaphanStaffDashboard *self = source_object;
  const char *instance_id = task_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *detail = g_strdup_printf ("instance=%s staff=%s", instance_id, self->staff_id);

  /* The retry is due at once: staff press it after fixing the cause. */
  if (!saphan_store_mark_retry (self->store, instance_id, NULL, 0, &error) ||
      !saphan_store_audit_append (self->store, "staff-retry", detail, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
retry_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (source);
  g_autoptr (GError) error = NULL;

  if (_saphan_staff_dashboard_task_cancelled (result))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _saphan_staff_dashboard_finish (self, "retry", FALSE, error->message);
      return;
    }
  _saphan_staff_dashboard_finish (self, "retry", TRUE,
                                  _ ("The submission is back in the queue and will be sent again."));
  saphan_staff_dashboard_refresh (self);
}

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autoptr (GTask) task = _saphan_staff_dashboard_task (self, retry_activated, retry_cb);

  g_task_set_task_data (task, g_variant_dup_string (parameter, NULL), g_free);
  g_task_run_in_thread (task, retry_thread);
}

static void
resolve_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autofree char *prompt = NULL;

  g_free (self->resolving);
  self->resolving = g_variant_dup_string (parameter, NULL);
  prompt = g_strdup_printf (_ ("Note for submission %s"), self->resolving);
  gtk_label_set_text (self->note_prompt, prompt);
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  gtk_widget_set_visible (GTK_WIDGET (self->note_box), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
  /* The note is typed on the dashboard's own keyboard, which comes out at
   * once: a kiosk has no physical keyboard, and focus alone may not follow
   * before the box is mapped. */
  start_typing (self, GTK_WIDGET (self->note_entry));
}

static void
resolve_cancel_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);

  g_clear_pointer (&self->resolving, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->note_box), FALSE);
  _saphan_staff_dashboard_update_keyboard (self);
}

/* What the worker needs to record a resolution, copied from the widgets
 * so that nothing in the thread touches them. */
typedef struct
{
  char *instance_id;
  char *note;
} ResolveData;

static void
resolve_data_free (ResolveData *data)
{
  g_free (data->instance_id);
  g_free (data->note);
  g_free (data);
}

static void
resolve_thread (GTask *task, gpointer source_object, gpointer task_data,
                GCancellable *cancellable)
{
  SaphanStaffDashboard *self = source_object;
  ResolveData *data = task_data;
  g_autoptr (GError) error = NULL;

  /* The store records who resolved it and the note with the submission,
   * and appends an audit entry naming only the submission and the staff
   * member: the note may name a citizen and the log is kept for years. */
  if (!saphan_store_mark_resolved (self->store, data->instance_id, self->staff_id, data->note,
                                   &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
resolve_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (source);
  g_autoptr (GError) error = NULL;

  if (_saphan_staff_dashboard_task_cancelled (result))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _saphan_staff_dashboard_finish (self, "resolve", FALSE, error->message);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->note_box), FALSE);
  g_clear_pointer (&self->resolving, g_free);
  _saphan_staff_dashboard_update_keyboard (self);
  _saphan_staff_dashboard_finish (self, "resolve", TRUE,
                                  _ ("The submission is resolved and the note is recorded."));
  saphan_staff_dashboard_refresh (self);
}

static void
resolve_save_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_entry))));
  g_autoptr (GTask) task = NULL;
  ResolveData *data;

  if (self->resolving == NULL)
    return;
  if (note[0] == '\0')
    {
      _saphan_staff_dashboard_finish (self, "resolve", FALSE,
                                      _ ("Write a short note saying how the problem was solved."));
      return;
    }
  data = g_new0 (ResolveData, 1);
  data->instance_id = g_strdup (self->resolving);
  data->note = g_steal_pointer (&note);
  task = _saphan_staff_dashboard_task (self, resolve_save_activated, resolve_cb);
  g_task_set_task_data (task, data, (GDestroyNotify)resolve_data_free);
  g_task_run_in_thread (task, resolve_thread);
}

/* ---- Actions: sync ------------------------------------------------------- */

static void
sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanStaffDashboard) self = user_data;
  g_autoptr (GError) error = NULL;
  SaphanSyncSummary summary = { 0 };
  g_autofree char *text = NULL;
  gboolean ok = saphan_sync_run_finish (SAPHAN_SYNC (source), result, &summary, &error);

  saphan_sync_summary_clear (&summary);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_label_set_text (self->sync_result_label, error->message);
      _saphan_staff_dashboard_finish (self, "sync", FALSE, error->message);
      return;
    }
  text = g_strdup_printf (_ ("Sent: %u accepted, %u need attention, %" PRId64
                             " still waiting."),
                          summary.accepted, summary.needs_attention, summary.remaining);
  gtk_label_set_text (self->sync_result_label, text);
  _saphan_staff_dashboard_finish (self, "sync", TRUE, text);
  saphan_staff_dashboard_refresh (self);
}

static void
sync_now_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);

  if (self->sync == NULL)
    self->sync = saphan_sync_new (self->store);
  if (saphan_sync_get_running (self->sync))
    return;
  gtk_label_set_text (self->sync_result_label, _ ("Sending…"));
  saphan_sync_run_async (self->sync, 0, self->cancellable, sync_cb, g_object_ref (self));
}

/* ---- Actions: assisted mode and exit ------------------------------------- */

static void
assisted_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);

  g_signal_emit (self, signals[SIGNAL_ASSISTED_MODE], 0, self->staff_id);
}

static void
exit_kiosk_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autofree char *detail = NULL;
  g_autoptr (GError) error = NULL;

  /* The action is disabled for staff; this guards a stray activation. */
  if (!self->maintainer)
    return;
  detail = g_strdup_printf ("staff=%s", self->staff_id);
  /* A short write: the kiosk is about to stop, and the entry must land. */
  if (!saphan_store_audit_append (self->store, "kiosk-exit", detail, &error))
    g_warning ("Could not record the exit: %s", error->message);
  g_signal_emit (self, signals[SIGNAL_EXIT_KIOSK], 0);
}

static void
saphan_staff_dashboard_real_exit_kiosk (SaphanStaffDashboard *self)
{
  GApplication *application = g_application_get_default ();

  if (application != NULL)
    g_application_quit (application);
}

/* ---- Overrides ----------------------------------------------------------- */

static void
saphan_staff_dashboard_dispose (GObject *object)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->scroll_source, g_source_remove);
  _saphan_staff_dashboard_usb_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPHAN_TYPE_STAFF_DASHBOARD);
  /* Template children without an id are not bound, so not cleared. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (saphan_staff_dashboard_parent_class)->dispose (object);
}

static void
saphan_staff_dashboard_finalize (GObject *object)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->sync);
  g_clear_pointer (&self->submissions, g_ptr_array_unref);
  g_free (self->data_dir);
  g_free (self->staff_id);
  g_free (self->resolving);
  g_free (self->message);

  G_OBJECT_CLASS (saphan_staff_dashboard_parent_class)->finalize (object);
}

static void
saphan_staff_dashboard_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (saphan_staff_dashboard_parent_class)->root (widget);
  _saphan_staff_ensure_style (gtk_widget_get_display (widget));
}

static void
saphan_staff_dashboard_class_init (SaphanStaffDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_staff_dashboard_dispose;
  object_class->finalize = saphan_staff_dashboard_finalize;

  signals[SIGNAL_FINISHED]
      = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_ASSISTED_MODE]
      = g_signal_new ("assisted-mode", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_EXIT_KIOSK]
      = g_signal_new_class_handler ("exit-kiosk", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    G_CALLBACK (saphan_staff_dashboard_real_exit_kiosk), NULL,
                                    NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (SAPHAN_TYPE_KEYBOARD);
  widget_class->root = saphan_staff_dashboard_root;

  _saphan_staff_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/saphan/Kiosk/staff/saphan-staff-dashboard.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "staffdashboard");

  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, staff_name);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, status_label);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, sections);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, maintenance_page);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, queue_title);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, queue_list);
  gtk_widget_class_bind_template_child_full (widget_class, "state_queued", FALSE,
                                             G_STRUCT_OFFSET (SaphanStaffDashboard,
                                                              state_buttons[SAPHAN_SUBMISSION_QUEUED]));
  gtk_widget_class_bind_template_child_full (widget_class, "state_sending", FALSE,
                                             G_STRUCT_OFFSET (SaphanStaffDashboard,
                                                              state_buttons[SAPHAN_SUBMISSION_SENDING]));
  gtk_widget_class_bind_template_child_full (widget_class, "state_accepted", FALSE,
                                             G_STRUCT_OFFSET (SaphanStaffDashboard,
                                                              state_buttons[SAPHAN_SUBMISSION_ACCEPTED]));
  gtk_widget_class_bind_template_child_full (
      widget_class, "state_needs_attention", FALSE,
      G_STRUCT_OFFSET (SaphanStaffDashboard, state_buttons[SAPHAN_SUBMISSION_NEEDS_ATTENTION]));
  gtk_widget_class_bind_template_child_full (widget_class, "state_exported", FALSE,
                                             G_STRUCT_OFFSET (SaphanStaffDashboard,
                                                              state_buttons[SAPHAN_SUBMISSION_EXPORTED]));
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, note_box);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, note_prompt);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, note_entry);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, online_label);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, last_sync_label);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, sync_result_label);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, printer_label);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, keyboard_box);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, header);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, receipt_keys);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, reprint_entry);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, verify_entry);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, verify_verdict);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, verify_fields);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, usb_bundles);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, usb_targets);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, usb_confirm_box);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, usb_confirm_label);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, staff_idle_spin);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, kiosk_idle_spin);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, kiosk_name_entry);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, kiosk_location_entry);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffDashboard, profile_label);

  gtk_widget_class_install_action (widget_class, "dash.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "dash.show-state", "s", show_state_activated);
  gtk_widget_class_install_action (widget_class, "dash.retry", "s", retry_activated);
  gtk_widget_class_install_action (widget_class, "dash.resolve", "s", resolve_activated);
  gtk_widget_class_install_action (widget_class, "dash.resolve-save", NULL,
                                   resolve_save_activated);
  gtk_widget_class_install_action (widget_class, "dash.resolve-cancel", NULL,
                                   resolve_cancel_activated);
  gtk_widget_class_install_action (widget_class, "dash.sync-now", NULL, sync_now_activated);
  gtk_widget_class_install_action (widget_class, "dash.assisted", NULL, assisted_activated);
  gtk_widget_class_install_action (widget_class, "dash.exit-kiosk", NULL, exit_kiosk_activated);
  _saphan_staff_dashboard_class_init_tools (widget_class);
}

static void
saphan_staff_dashboard_init (SaphanStaffDashboard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->shown_state = SAPHAN_SUBMISSION_NEEDS_ATTENTION;
  for (guint s = 0; s < SAPHAN_SUBMISSION_N_STATES; s++)
    {
      self->counts[s] = -1;
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->state_buttons[s]),
                                              g_variant_new_string (
                                                  saphan_submission_state_to_string (s)));
    }
  update_state_buttons (self);

  self->keyboard = SAPHAN_KEYBOARD (saphan_keyboard_new (SAPHAN_KEYBOARD_MODE_TEXT_TH));
  gtk_box_append (self->keyboard_box, GTK_WIDGET (self->keyboard));
  watch_entry (self, self->note_entry);
  g_signal_connect_object (self->keyboard, "done", G_CALLBACK (keyboard_done_cb), self, 0);
  _saphan_staff_dashboard_build_receipt_keypad (self);
  watch_entry (self, self->kiosk_name_entry);
  watch_entry (self, self->kiosk_location_entry);
  g_signal_connect_object (self->sections, "notify::visible-child-name",
                           G_CALLBACK (section_changed_cb), self, 0);
  _saphan_staff_dashboard_update_keyboard (self);
}

/* ---- Public API ---------------------------------------------------------- */

GtkWidget *
saphan_staff_dashboard_new (SaphanStore *store, const char *data_dir, GSettings *settings,
                            const char *staff_id, const char *name, gboolean maintainer)
{
  SaphanStaffDashboard *self;
  g_autofree char *header = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (staff_id != NULL, NULL);

  self = g_object_new (SAPHAN_TYPE_STAFF_DASHBOARD, NULL);
  self->store = g_object_ref (store);
  self->data_dir = g_strdup (data_dir);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->staff_id = g_strdup (staff_id);
  self->maintainer = maintainer;

  header = g_strdup_printf (maintainer ? _ ("%s · maintainer") : _ ("%s · staff"),
                            name != NULL ? name : staff_id);
  gtk_label_set_text (self->staff_name, header);
  gtk_stack_page_set_visible (gtk_stack_get_page (self->sections, self->maintenance_page),
                              maintainer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dash.exit-kiosk", maintainer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dash.save-settings", maintainer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dash.usb-apply", maintainer);

  saphan_staff_dashboard_refresh (self);
  _saphan_staff_dashboard_usb_scan (self);
  return GTK_WIDGET (self);
}

const char *
saphan_staff_dashboard_get_staff_id (SaphanStaffDashboard *self)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_DASHBOARD (self), NULL);

  return self->staff_id;
}

gboolean
saphan_staff_dashboard_get_maintainer (SaphanStaffDashboard *self)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_DASHBOARD (self), FALSE);

  return self->maintainer;
}

void
saphan_staff_dashboard_refresh (SaphanStaffDashboard *self)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (SAPHAN_IS_STAFF_DASHBOARD (self));

  task = _saphan_staff_dashboard_task (self, saphan_staff_dashboard_refresh, refresh_cb);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, refresh_thread);
}

gint64
saphan_staff_dashboard_get_count (SaphanStaffDashboard *self, SaphanSubmissionState state)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_DASHBOARD (self), -1);
  g_return_val_if_fail (state < SAPHAN_SUBMISSION_N_STATES, -1);

  return self->counts[state];
}

const char *
saphan_staff_dashboard_get_message (SaphanStaffDashboard *self)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_DASHBOARD (self), NULL);

  return self->message;
}
