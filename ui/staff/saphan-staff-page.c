/* saphan-staff-page.c: staff mode inside the kiosk window.
 *
 * The PIN pad shows no names and no hint of which accounts exist: a PIN
 * alone opens staff mode, and the security module counts every failure
 * per device and locks the pad after five. The PIN is kept only in this
 * widget's memory while it is typed, wiped as soon as it is handed to the
 * worker, and never logged.
 */
#include "config.h"

#include "saphan-staff-style.h"
#include "saphan-staff-page.h"
#include "saphan-staff-dashboard-private.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <string.h>

#ifdef SAPHAN_HAVE_STAFF_SECURITY
#include "saphan-staff.h"
#endif
#include "saphan-error.h"

struct _SaphanStaffPage
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkStack *pages;
  GtkLabel *pin_dots;
  GtkLabel *pin_message;

  /* Borrowed */
  GtkWidget *dashboard; /* a child of the stack while a session is open */

  /* Owned */
  SaphanStore *store;
  GSettings *settings;
  GCancellable *cancellable;
  char *data_dir;
  char *staff_id;
  GString *pin;
  SaphanStaffClock clock;
  gpointer clock_data;
  gint64 locked_until;
  guint countdown_source;
  guint idle_source;
  guint idle_timeout; /* seconds */
  gboolean checking;
};

G_DEFINE_FINAL_TYPE (SaphanStaffPage, saphan_staff_page, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_PIN_CHECKED,
  SIGNAL_LEAVE,
  SIGNAL_ASSISTED_MODE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What a PIN check brings back from the worker. */
typedef struct
{
  char *staff_id;
  char *name;
  gboolean maintainer;
  guint idle_timeout;
  gint64 retry_after;
} CheckResult;

typedef struct
{
  SaphanStore *store;
  char *pin;
  gint64 now;
  gint64 retry_after; /* written by the worker when the pad is locked */
} CheckData;

static void end_session (SaphanStaffPage *self, gboolean announce);

static void
check_result_free (CheckResult *result)
{
  g_free (result->staff_id);
  g_free (result->name);
  g_free (result);
}

static void
check_data_free (CheckData *data)
{
  g_clear_object (&data->store);
  /* The PIN leaves memory as soon as it is no longer needed. */
  if (data->pin != NULL)
    explicit_bzero (data->pin, strlen (data->pin));
  g_free (data->pin);
  g_free (data);
}

static gint64
wall_clock (gpointer user_data)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
now (SaphanStaffPage *self)
{
  return self->clock (self->clock_data);
}

static void
wipe_pin (SaphanStaffPage *self)
{
  explicit_bzero (self->pin->str, self->pin->len);
  g_string_truncate (self->pin, 0);
}

static void
update_dots (SaphanStaffPage *self)
{
  g_autoptr (GString) dots = g_string_new (NULL);
  g_autofree char *accessible = NULL;

  for (gsize i = 0; i < self->pin->len; i++)
    g_string_append (dots, "●");
  gtk_label_set_text (self->pin_dots, self->pin->len > 0 ? dots->str : " ");
  accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u digit typed", "%u digits typed",
                                             (gulong)self->pin->len),
                                (guint)self->pin->len);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pin_dots), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
}

static void
set_message (SaphanStaffPage *self, const char *message, gboolean error)
{
  gtk_label_set_text (self->pin_message, message != NULL ? message : "");
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->pin_message), "staff-error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->pin_message), "staff-error");
}

static void
update_pad_sensitivity (SaphanStaffPage *self)
{
  gboolean open = !self->checking && self->locked_until == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.digit", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.erase", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.submit", open);
}

/* ---- Lockout countdown ---------------------------------------------------- */

static gboolean
countdown_cb (gpointer user_data)
{
  SaphanStaffPage *self = user_data;
  gint64 left = self->locked_until - now (self);
  g_autofree char *text = NULL;

  if (left <= 0)
    {
      self->countdown_source = 0;
      self->locked_until = 0;
      set_message (self, _ ("Type your PIN."), FALSE);
      update_pad_sensitivity (self);
      return G_SOURCE_REMOVE;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Too many wrong PINs. Try again in %" PRId64
                                       " second.",
                                       "Too many wrong PINs. Try again in %" PRId64
                                       " seconds.",
                                       (gulong)left),
                          left);
  set_message (self, text, TRUE);
  return G_SOURCE_CONTINUE;
}

static void
start_countdown (SaphanStaffPage *self, gint64 retry_after)
{
  self->locked_until = now (self) + MAX (retry_after, 1);
  update_pad_sensitivity (self);
  countdown_cb (self);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  self->countdown_source = g_timeout_add_seconds (1, countdown_cb, self);
}

/* ---- Idle ----------------------------------------------------------------- */

static gboolean
idle_cb (gpointer user_data)
{
  SaphanStaffPage *self = user_data;

  self->idle_source = 0;
  g_debug ("Staff session idle for %u s: ending it", self->idle_timeout);
  end_session (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
restart_idle (SaphanStaffPage *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  /* The PIN pad times out too: a half-typed PIN must not wait for the
   * next person. */
  self->idle_source = g_timeout_add_seconds (self->idle_timeout, idle_cb, self);
}

static gboolean
input_event_cb (GtkEventControllerLegacy *controller, GdkEvent *event, gpointer user_data)
{
  switch (gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_KEY_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_SCROLL:
      restart_idle (SAPHAN_STAFF_PAGE (user_data));
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

/* ---- Sessions ------------------------------------------------------------- */

static void
logout_thread (GTask *task, gpointer source_object, gpointer task_data,
               GCancellable *cancellable)
{
  SaphanStore *store = source_object;
  g_autoptr (GError) error = NULL;

  if (!saphan_store_audit_append (store, "staff-logout", task_data, &error))
    g_warning ("Could not record the end of a staff session: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
end_session (SaphanStaffPage *self, gboolean announce)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  wipe_pin (self);
  update_dots (self);

  if (self->dashboard != NULL)
    {
      GtkWidget *dashboard = g_steal_pointer (&self->dashboard);
      g_autoptr (GTask) task = g_task_new (self->store, NULL, NULL, NULL);

      g_task_set_source_tag (task, end_session);
      g_task_set_task_data (task, g_strdup_printf ("staff=%s", self->staff_id), g_free);
      g_task_run_in_thread (task, logout_thread);
      gtk_stack_remove (self->pages, dashboard);
    }
  g_clear_pointer (&self->staff_id, g_free);
  gtk_stack_set_visible_child_name (self->pages, "pin");
  if (self->locked_until == 0)
    set_message (self, _ ("Type your PIN."), FALSE);

  if (announce)
    g_signal_emit (self, signals[SIGNAL_LEAVE], 0);
}

static void
assisted_mode_cb (SaphanStaffDashboard *dashboard, const char *staff_id, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_ASSISTED_MODE], 0, staff_id);
}

static void
open_session (SaphanStaffPage *self, CheckResult *result)
{
  self->staff_id = g_strdup (result->staff_id);
  self->idle_timeout = result->idle_timeout;
  self->dashboard = saphan_staff_dashboard_new (self->store, self->data_dir, self->settings,
                                                result->staff_id, result->name,
                                                result->maintainer);
  g_signal_connect_object (self->dashboard, "assisted-mode", G_CALLBACK (assisted_mode_cb), self,
                           0);
  gtk_stack_add_named (self->pages, self->dashboard, "dashboard");
  gtk_stack_set_visible_child (self->pages, self->dashboard);
  restart_idle (self);
}

/* ---- The PIN check -------------------------------------------------------- */

static guint
read_idle_timeout (SaphanStore *store)
{
  g_autofree char *text = saphan_store_get_setting (store, "staff.idle-timeout", NULL);
  gint64 value = text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;

  return value > 0 && value <= G_MAXUINT ? (guint)value : SAPHAN_STAFF_DEFAULT_IDLE_TIMEOUT;
}

static void
check_thread (GTask *task, gpointer source_object, gpointer task_data,
              GCancellable *cancellable)
{
#ifdef SAPHAN_HAVE_STAFF_SECURITY
  CheckData *data = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanStaffInfo) info = NULL;
  CheckResult *result;

  info = saphan_staff_authenticate (data->store, data->pin, data->now, &data->retry_after,
                                    &error);
  if (info == NULL)
    {
      /* The failure that reaches the limit locks the pad at once: say so
       * now rather than at the next attempt. */
      if (g_error_matches (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE))
        data->retry_after = saphan_staff_locked_for (data->store, data->now);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  result = g_new0 (CheckResult, 1);
  result->staff_id = g_strdup (info->staff_id);
  result->name = g_strdup (info->name);
  result->maintainer = info->role == SAPHAN_ROLE_MAINTAINER;
  result->idle_timeout = read_idle_timeout (data->store);
  g_task_return_pointer (task, result, (GDestroyNotify)check_result_free);
#else
  (void)read_idle_timeout;
  g_task_return_new_error (task, SAPHAN_ERROR, SAPHAN_ERROR_STATE, "%s",
                           _ ("Staff sign-in is not available on this kiosk."));
#endif
}

static void
check_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffPage *self = SAPHAN_STAFF_PAGE (source);
  g_autoptr (GError) error = NULL;
  CheckResult *check;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  self->checking = FALSE;
  check = g_task_propagate_pointer (G_TASK (result), &error);
  update_pad_sensitivity (self);

  if (check == NULL)
    {
      CheckData *data = g_task_get_task_data (G_TASK (result));

      if (g_error_matches (error, SAPHAN_ERROR, SAPHAN_ERROR_BUSY) || data->retry_after > 0)
        start_countdown (self, data->retry_after);
      else if (g_error_matches (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE))
        set_message (self, _ ("Wrong PIN. Please try again."), TRUE);
      else
        set_message (self, error->message, TRUE);
      g_signal_emit (self, signals[SIGNAL_PIN_CHECKED], 0, FALSE);
      return;
    }

  set_message (self, NULL, FALSE);
  open_session (self, check);
  check_result_free (check);
  g_signal_emit (self, signals[SIGNAL_PIN_CHECKED], 0, TRUE);
}

/* ---- Actions -------------------------------------------------------------- */

static void
digit_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffPage *self = SAPHAN_STAFF_PAGE (widget);
  const char *digit = g_variant_get_string (parameter, NULL);

  /* The pad's actions are disabled while locked; a key binding or a
   * stray activation must not get round that. */
  if (self->checking || self->locked_until != 0)
    return;
  if (strlen (digit) != 1 || !g_ascii_isdigit (digit[0]))
    return;
  if (self->pin->len >= SAPHAN_STAFF_PAGE_MAX_PIN)
    return;
  g_string_append_c (self->pin, digit[0]);
  set_message (self, NULL, FALSE);
  update_dots (self);
}

static void
erase_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffPage *self = SAPHAN_STAFF_PAGE (widget);

  if (self->pin->len > 0)
    {
      self->pin->str[self->pin->len - 1] = '\0';
      g_string_truncate (self->pin, self->pin->len - 1);
    }
  update_dots (self);
}

static void
submit_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffPage *self = SAPHAN_STAFF_PAGE (widget);
  g_autoptr (GTask) task = NULL;
  CheckData *data;

  if (self->checking || self->locked_until != 0 || self->pin->len == 0)
    return;

  data = g_new0 (CheckData, 1);
  data->store = g_object_ref (self->store);
  data->pin = g_strndup (self->pin->str, self->pin->len);
  data->now = now (self);
  wipe_pin (self);
  update_dots (self);

  self->checking = TRUE;
  update_pad_sensitivity (self);
  set_message (self, _ ("Checking…"), FALSE);

  task = g_task_new (self, self->cancellable, check_cb, NULL);
  g_task_set_source_tag (task, submit_activated);
  g_task_set_task_data (task, data, (GDestroyNotify)check_data_free);
  g_task_run_in_thread (task, check_thread);
}

static void
leave_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  end_session (SAPHAN_STAFF_PAGE (widget), TRUE);
}

/* ---- Overrides ------------------------------------------------------------ */

static void
saphan_staff_page_unmap (GtkWidget *widget)
{
  SaphanStaffPage *self = SAPHAN_STAFF_PAGE (widget);

  GTK_WIDGET_CLASS (saphan_staff_page_parent_class)->unmap (widget);
  /* Hidden by the window (Escape, the citizens' idle reset): the session
   * must not survive off screen. */
  if (self->dashboard != NULL || self->pin->len > 0)
    end_session (self, FALSE);
  g_clear_handle_id (&self->idle_source, g_source_remove);
}

static void
saphan_staff_page_dispose (GObject *object)
{
  SaphanStaffPage *self = SAPHAN_STAFF_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->dashboard = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), SAPHAN_TYPE_STAFF_PAGE);
  /* Template children without an id are not bound, so not cleared. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (saphan_staff_page_parent_class)->dispose (object);
}

static void
saphan_staff_page_finalize (GObject *object)
{
  SaphanStaffPage *self = SAPHAN_STAFF_PAGE (object);

  wipe_pin (self);
  g_string_free (self->pin, TRUE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_free (self->data_dir);
  g_free (self->staff_id);

  G_OBJECT_CLASS (saphan_staff_page_parent_class)->finalize (object);
}

static void
saphan_staff_page_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (saphan_staff_page_parent_class)->root (widget);
  _saphan_staff_ensure_style (gtk_widget_get_display (widget));
}

static void
saphan_staff_page_class_init (SaphanStaffPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_staff_page_dispose;
  object_class->finalize = saphan_staff_page_finalize;
  widget_class->unmap = saphan_staff_page_unmap;

  signals[SIGNAL_PIN_CHECKED]
      = g_signal_new ("pin-checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[SIGNAL_LEAVE] = g_signal_new ("leave", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ASSISTED_MODE]
      = g_signal_new ("assisted-mode", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  widget_class->root = saphan_staff_page_root;

  _saphan_staff_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/saphan/Kiosk/staff/saphan-staff-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "staffpage");
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffPage, pages);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffPage, pin_dots);
  gtk_widget_class_bind_template_child (widget_class, SaphanStaffPage, pin_message);

  gtk_widget_class_install_action (widget_class, "staff.digit", "s", digit_activated);
  gtk_widget_class_install_action (widget_class, "staff.erase", NULL, erase_activated);
  gtk_widget_class_install_action (widget_class, "staff.submit", NULL, submit_activated);
  gtk_widget_class_install_action (widget_class, "staff.leave", NULL, leave_activated);

  /* A USB keyboard or a PIN typed on a numeric keypad works too. */
  for (guint i = 0; i < 10; i++)
    {
      char digit[2] = { (char)('0' + i), '\0' };

      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0 + i, 0, "staff.digit", "s",
                                           digit);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0 + i, 0, "staff.digit", "s",
                                           digit);
    }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "staff.erase", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "staff.submit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "staff.submit", NULL);
}

static void
saphan_staff_page_init (SaphanStaffPage *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->pin = g_string_sized_new (SAPHAN_STAFF_PAGE_MAX_PIN + 1);
  self->cancellable = g_cancellable_new ();
  self->clock = wall_clock;
  self->idle_timeout = SAPHAN_STAFF_DEFAULT_IDLE_TIMEOUT;

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (input_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  update_dots (self);
  set_message (self, _ ("Type your PIN."), FALSE);
}

/* ---- Public API ----------------------------------------------------------- */

GtkWidget *
saphan_staff_page_new (SaphanStore *store, const char *data_dir, GSettings *settings)
{
  SaphanStaffPage *self;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SAPHAN_TYPE_STAFF_PAGE, NULL);
  self->store = g_object_ref (store);
  self->data_dir = g_strdup (data_dir);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  return GTK_WIDGET (self);
}

void
saphan_staff_page_set_clock (SaphanStaffPage *self, SaphanStaffClock clock, gpointer user_data)
{
  g_return_if_fail (SAPHAN_IS_STAFF_PAGE (self));

  self->clock = clock != NULL ? clock : wall_clock;
  self->clock_data = user_data;
}

void
saphan_staff_page_reset (SaphanStaffPage *self)
{
  g_return_if_fail (SAPHAN_IS_STAFF_PAGE (self));

  end_session (self, FALSE);
  /* The PIN pad itself closes after the default idle time. */
  self->idle_timeout = SAPHAN_STAFF_DEFAULT_IDLE_TIMEOUT;
  restart_idle (self);
}

const char *
saphan_staff_page_get_view (SaphanStaffPage *self)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_PAGE (self), NULL);

  if (self->checking)
    return "checking";
  return gtk_stack_get_visible_child_name (self->pages);
}

const char *
saphan_staff_page_get_message (SaphanStaffPage *self)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_PAGE (self), NULL);

  return gtk_label_get_text (self->pin_message);
}

guint
saphan_staff_page_get_pin_length (SaphanStaffPage *self)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_PAGE (self), 0);

  return self->pin->len;
}

GtkWidget *
saphan_staff_page_get_dashboard (SaphanStaffPage *self)
{
  g_return_val_if_fail (SAPHAN_IS_STAFF_PAGE (self), NULL);

  return self->dashboard;
}
