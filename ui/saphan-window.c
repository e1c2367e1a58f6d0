/* saphan-window.c: the kiosk's one window.
 *
 * A stack of pages: "loading" while the store opens in a worker thread
 * (blank at first, then a spinner if that takes long),
 * "error" when it cannot, "start" with the services, and "form" while a
 * citizen fills in a service's form. In kiosk mode the window is
 * full screen, undecorated and refuses to close or open the inspector, so
 * that a citizen cannot leave the kiosk by accident or on purpose.
 */
#include "config.h"

#include "saphan-window.h"
#include "saphan-column.h"
#include "saphan-start-page.h"
#include "saphan-staff-corner.h"
#include "saphan-staff-page.h"
#include "saphan-form-flow.h"
#include "saphan-receipt-print.h"

#include <glib/gi18n.h>

struct _SaphanWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets */
  GtkStack *stack;
  GtkLabel *error_label;
  GtkWidget *loading_spinner;
  GtkWidget *loading_label;

  /* Borrowed */
  GtkWidget *start_page; /* a child of the stack, rebuilt per language */
  GtkWidget *staff_page; /* a child of the stack once staff mode was opened */
  GtkWidget *form_flow;  /* a child of the stack while a citizen fills a form */

  /* Owned */
  GCancellable *cancellable;
  GPtrArray *forms; /* of SaphanFormInfo; NULL until loaded */
  char *assisted_by; /* staff id for the next form, in assisted mode */
  gulong after_paint_handler;
  guint retranslate_source;
  guint loading_indicator_source;
  guint idle_source;
  guint idle_timeout; /* seconds */
  GdkFrameClock *frame_clock;

  gboolean kiosk;
  gboolean presented;
  guint initial_form_source;
};

G_DEFINE_FINAL_TYPE (SaphanWindow, saphan_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_IDLE_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_IDLE_TIMEOUT 90

/* The loading page stays blank for this long: the store usually opens in
 * a few milliseconds, and a spinner and a title flashed on the screen for
 * one frame are noise to a citizen. Laying out and drawing them also cost
 * the first frame a font of its own. */
#define LOADING_INDICATOR_DELAY_MS 500

static void start_loading (SaphanWindow *self);

static SaphanApplication *
get_application (SaphanWindow *self)
{
  return SAPHAN_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static const SaphanFormInfo *
find_form (SaphanWindow *self, const char *form_id)
{
  for (guint i = 0; self->forms != NULL && i < self->forms->len; i++)
    {
      const SaphanFormInfo *info = g_ptr_array_index (self->forms, i);

      if (g_strcmp0 (info->form_id, form_id) == 0)
        return info;
    }
  return NULL;
}

/* Replaces the start page with a fresh one, so that its template's
 * strings are translated into the language now in force. */
static void
rebuild_start_page (SaphanWindow *self)
{
  gboolean was_visible
      = self->start_page != NULL && gtk_stack_get_visible_child (self->stack) == self->start_page;
  GtkWidget *page;

  g_assert (self->forms != NULL);

  page = saphan_start_page_new ();
  {
    g_autoptr (GVariant) language
        = g_action_group_get_action_state (G_ACTION_GROUP (get_application (self)), "language");
    saphan_start_page_set_forms (SAPHAN_START_PAGE (page), self->forms,
                                 language != NULL ? g_variant_get_string (language, NULL) : "th");
  }

  if (self->start_page != NULL)
    gtk_stack_remove (self->stack, self->start_page);
  self->start_page = page;
  gtk_stack_page_set_title (gtk_stack_add_named (self->stack, page, "start"), _ ("Services"));

  if (was_visible)
    gtk_stack_set_visible_child (self->stack, page);
}

static void
after_paint_cb (GdkFrameClock *frame_clock, gpointer user_data)
{
  SaphanWindow *self = user_data;

  g_clear_signal_handler (&self->after_paint_handler, self->frame_clock);
  g_clear_object (&self->frame_clock);
  saphan_application_start_page_presented (get_application (self));
}

/* Reports the first frame that shows the start page, which is when a
 * citizen can first touch a service: the figure start-up benchmarks use. */
static void
watch_first_frame (SaphanWindow *self)
{
  GdkFrameClock *frame_clock;

  if (self->presented)
    return;
  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (frame_clock == NULL)
    return; /* retried from map */

  self->presented = TRUE;
  self->frame_clock = g_object_ref (frame_clock);
  self->after_paint_handler
      = g_signal_connect (frame_clock, "after-paint", G_CALLBACK (after_paint_cb), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
open_initial_form_cb (gpointer user_data)
{
  SaphanWindow *self = user_data;
  g_autofree char *form_id = saphan_application_take_initial_form (get_application (self));

  self->initial_form_source = 0;
  if (form_id != NULL && find_form (self, form_id) == NULL)
    g_message ("There is no active service “%s” to open; showing all services", form_id);
  else if (form_id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-form", "s", form_id);
  return G_SOURCE_REMOVE;
}

static void
set_loading_indicator_visible (SaphanWindow *self, gboolean visible)
{
  gtk_widget_set_visible (self->loading_spinner, visible);
  gtk_widget_set_visible (self->loading_label, visible);
}

static gboolean
show_loading_indicator_cb (gpointer user_data)
{
  SaphanWindow *self = user_data;

  self->loading_indicator_source = 0;
  set_loading_indicator_visible (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
load_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanWindow) self = user_data;
  g_autoptr (GPtrArray) forms = NULL;
  g_autoptr (GError) error = NULL;

  forms = saphan_application_load_finish (SAPHAN_APPLICATION (source), result, &error);
  /* A cancelled load was replaced by a newer one, which owns the
   * indicator now. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_handle_id (&self->loading_indicator_source, g_source_remove);
  set_loading_indicator_visible (self, FALSE);
  if (forms == NULL)
    {
      /* The message is the store's own, translated, without personal data. */
      g_warning ("The store could not be opened: %s", error->message);
      gtk_label_set_text (self->error_label, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  g_clear_pointer (&self->forms, g_ptr_array_unref);
  self->forms = g_steal_pointer (&forms);
  g_debug ("Showing %u services", self->forms->len);

  rebuild_start_page (self);
  gtk_stack_set_visible_child (self->stack, self->start_page);
  watch_first_frame (self);

  /* A kiosk set up for one service opens its form once the services are
   * on screen; after Done it shows the services like any other. */
  if (self->initial_form_source == 0)
    self->initial_form_source = g_idle_add (open_initial_form_cb, self);
}

static void
start_loading (SaphanWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  set_loading_indicator_visible (self, FALSE);
  g_clear_handle_id (&self->loading_indicator_source, g_source_remove);
  self->loading_indicator_source
      = g_timeout_add (LOADING_INDICATOR_DELAY_MS, show_loading_indicator_cb, self);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  saphan_application_load_async (get_application (self), self->cancellable, load_cb,
                                 g_object_ref (self));
}

static gboolean
retranslate_cb (gpointer user_data)
{
  SaphanWindow *self = user_data;

  self->retranslate_source = 0;
  if (self->forms == NULL)
    return G_SOURCE_REMOVE;

  rebuild_start_page (self);
  return G_SOURCE_REMOVE;
}

static void
language_changed_cb (GActionGroup *group, const char *action_name, GVariant *state,
                     gpointer user_data)
{
  SaphanWindow *self = user_data;

  /* The language button that was touched lives on the page about to be
   * replaced: let its click finish before the page goes away. */
  if (self->retranslate_source == 0)
    self->retranslate_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, retranslate_cb, self, NULL);
}

static void
update_large_text (SaphanWindow *self)
{
  GSettings *settings = saphan_application_get_settings (get_application (self));

  if (settings != NULL && g_settings_get_boolean (settings, "large-text"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "large-text");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "large-text");
}

static void
large_text_changed_cb (GSettings *settings, const char *key, gpointer user_data)
{
  update_large_text (SAPHAN_WINDOW (user_data));
}

static void
close_form_flow (SaphanWindow *self)
{
  if (self->form_flow == NULL)
    return;
  if (self->start_page != NULL)
    gtk_stack_set_visible_child (self->stack, self->start_page);
  gtk_stack_remove (self->stack, self->form_flow);
  self->form_flow = NULL;
}

static void
receipt_printed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanFormFlow) flow = user_data;
  g_autoptr (GError) error = NULL;
  SaphanReceiptPrintResult print = { 0 };

  /* A printing problem never touches the submission: the receipt stays
   * marked unprinted for staff to reprint, and the citizen is told. */
  if (!saphan_receipt_print_finish (SAPHAN_STORE (source), result, &print, &error))
    {
      g_message ("Receipt not printed: %s", error->message);
      saphan_form_flow_set_print_problem (flow, error->message);
    }
  saphan_receipt_print_result_clear (&print);
}

static void
form_submitted_cb (SaphanFormFlow *flow, const char *receipt_number, gpointer user_data)
{
  SaphanWindow *self = user_data;
  SaphanStore *store = saphan_application_get_store (get_application (self));

  g_autofree char *next_steps = saphan_form_flow_dup_next_steps (flow);
  SaphanReceiptPrintOptions options = { .next_steps = next_steps };

  /* The options are read before the call returns; only the flow is kept. */
  saphan_receipt_print_async (store, receipt_number, &options, self->cancellable,
                              receipt_printed_cb, g_object_ref (flow));
}

static void
form_done_cb (SaphanFormFlow *flow, gpointer user_data)
{
  close_form_flow (SAPHAN_WINDOW (user_data));
}

static void
form_finished_cb (SaphanFormFlow *flow, const char *receipt_number, gpointer user_data)
{
  close_form_flow (SAPHAN_WINDOW (user_data));
}

/* Opens FORM_ID for a citizen, or for staff in assisted mode when
 * ASSISTED_BY names the staff member. */
static void
open_form_flow (SaphanWindow *self, const char *form_id, const char *assisted_by)
{
  SaphanApplication *application = get_application (self);
  const SaphanFormInfo *info = find_form (self, form_id);
  g_autoptr (GVariant) language = NULL;
  g_autofree char *title = NULL;
  const char *code;

  close_form_flow (self);
  language = g_action_group_get_action_state (G_ACTION_GROUP (application), "language");
  code = language != NULL ? g_variant_get_string (language, NULL) : "th";
  self->form_flow = saphan_form_flow_new (saphan_application_get_store (application), form_id,
                                          code);
  saphan_form_flow_set_assisted_by (SAPHAN_FORM_FLOW (self->form_flow), assisted_by);
  g_signal_connect_object (self->form_flow, "submitted", G_CALLBACK (form_submitted_cb), self, 0);
  g_signal_connect_object (self->form_flow, "finished", G_CALLBACK (form_finished_cb), self, 0);
  g_signal_connect_object (self->form_flow, "cancelled", G_CALLBACK (form_done_cb), self, 0);
  /* A screen reader names the service as the citizen enters its form. */
  title = info != NULL ? saphan_service_title_for_language (info->title, code) : NULL;
  gtk_stack_page_set_title (gtk_stack_add_named (self->stack, self->form_flow, "form"), title);
  gtk_stack_set_visible_child (self->stack, self->form_flow);
}

static void
open_form_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanWindow *self = SAPHAN_WINDOW (widget);
  const char *form_id = g_variant_get_string (parameter, NULL);
  const SaphanFormInfo *info = find_form (self, form_id);

  if (info == NULL)
    {
      g_debug ("No service with id %s", form_id);
      return;
    }

  /* In assisted mode the form opened next records the staff member. */
  open_form_flow (self, form_id, self->assisted_by);
  g_clear_pointer (&self->assisted_by, g_free);
}

static void
back_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanWindow *self = SAPHAN_WINDOW (widget);

  if (self->start_page == NULL)
    return;
  /* Leaving a form by Back or Escape cancels it, which wipes the answers:
   * a hidden flow would keep one citizen's answers for the next. */
  if (self->form_flow != NULL)
    {
      gtk_widget_activate_action (self->form_flow, "flow.cancel", NULL);
      close_form_flow (self);
      return;
    }
  gtk_stack_set_visible_child (self->stack, self->start_page);
}

/* Staff chose assisted mode: the services are shown and the form picked
 * next is filled by staff with or for the citizen. */
static void
staff_assisted_cb (SaphanStaffPage *page, const char *staff_id, gpointer user_data)
{
  SaphanWindow *self = user_data;

  g_free (self->assisted_by);
  self->assisted_by = g_strdup (staff_id);
  if (self->start_page != NULL)
    gtk_stack_set_visible_child (self->stack, self->start_page);
}

static void
staff_leave_cb (SaphanStaffPage *page, gpointer user_data)
{
  gtk_widget_activate_action (GTK_WIDGET (user_data), "win.back", NULL);
}

/* The hidden corner's action: the PIN pad, once the store is open. */
static void
staff_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanWindow *self = SAPHAN_WINDOW (widget);
  SaphanApplication *application = get_application (self);

  if (saphan_application_get_store (application) == NULL)
    return;
  if (self->staff_page == NULL)
    {
      self->staff_page = saphan_staff_page_new (saphan_application_get_store (application),
                                                saphan_application_get_data_dir (application),
                                                saphan_application_get_settings (application));
      g_signal_connect_object (self->staff_page, "leave", G_CALLBACK (staff_leave_cb), self, 0);
      g_signal_connect_object (self->staff_page, "assisted-mode", G_CALLBACK (staff_assisted_cb),
                               self, 0);
      gtk_stack_page_set_title (gtk_stack_add_named (self->stack, self->staff_page, "staff"),
                                _ ("Staff"));
    }
  saphan_staff_page_reset (SAPHAN_STAFF_PAGE (self->staff_page));
  gtk_stack_set_visible_child (self->stack, self->staff_page);
}

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start_loading (SAPHAN_WINDOW (widget));
}

/* After IDLE_TIMEOUT seconds without a touch or a key, the kiosk goes back
 * to the services in the default language, so that the next citizen does
 * not find the previous one's choices on screen. */
static gboolean
idle_timeout_cb (gpointer user_data)
{
  SaphanWindow *self = user_data;
  SaphanApplication *application = get_application (self);
  GSettings *settings = saphan_application_get_settings (application);
  g_autofree char *language = NULL;

  self->idle_source = 0;
  /* Staff mode keeps its own, longer idle time, and the form flow warns the
   * citizen before it wipes their answers. */
  if (g_strcmp0 (saphan_window_get_page_name (self), "staff") == 0 ||
      g_strcmp0 (saphan_window_get_page_name (self), "form") == 0)
    return G_SOURCE_REMOVE;
  g_debug ("Idle for %u s: back to the start page", self->idle_timeout);

  language = settings != NULL ? g_settings_get_string (settings, "language") : g_strdup ("th");
  g_action_group_change_action_state (G_ACTION_GROUP (application), "language",
                                      g_variant_new_string (language));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.back", NULL);
  return G_SOURCE_REMOVE;
}

static void
restart_idle_timer (SaphanWindow *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->idle_timeout > 0)
    self->idle_source = g_timeout_add_seconds (self->idle_timeout, idle_timeout_cb, self);
}

/* A new page is a new start for the timer: it stands aside on a form and in
 * staff mode, and must run again once the services are back, even if
 * nobody touches the screen after a form wiped itself. */
static void
visible_page_cb (GtkStack *stack, GParamSpec *pspec, gpointer user_data)
{
  restart_idle_timer (SAPHAN_WINDOW (user_data));
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
      restart_idle_timer (SAPHAN_WINDOW (user_data));
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

/* Called once the window belongs to its application: GtkWindow sets its
 * "application" property only after construction. */
static void
attach_to_application (SaphanWindow *self)
{
  SaphanApplication *application = get_application (self);
  GSettings *settings;

  self->kiosk = saphan_application_get_kiosk (application);
  if (self->kiosk)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
      gtk_window_set_decorated (GTK_WINDOW (self), FALSE);
      gtk_window_fullscreen (GTK_WINDOW (self));
    }

  settings = saphan_application_get_settings (application);
  if (settings != NULL)
    g_settings_bind (settings, "idle-timeout", self, "idle-timeout", G_SETTINGS_BIND_GET);
  if (settings != NULL)
    g_signal_connect_object (settings, "changed::large-text", G_CALLBACK (large_text_changed_cb),
                             self, 0);
  update_large_text (self);

  g_signal_connect_object (application, "action-state-changed::language",
                           G_CALLBACK (language_changed_cb), self, 0);
  start_loading (self);
}

static gboolean
saphan_window_close_request (GtkWindow *window)
{
  SaphanWindow *self = SAPHAN_WINDOW (window);

  /* Alt+F4, a window manager's close button or a stray gesture must not
   * leave a citizen at a bare desktop. Staff stop the kiosk as a service. */
  if (self->kiosk)
    {
      g_debug ("Refusing to close in kiosk mode");
      return TRUE;
    }
  return GTK_WINDOW_CLASS (saphan_window_parent_class)->close_request (window);
}

static gboolean
saphan_window_enable_debugging (GtkWindow *window, gboolean toggle)
{
  SaphanWindow *self = SAPHAN_WINDOW (window);

  /* GTK binds Ctrl+Shift+I and Ctrl+Shift+D to the inspector, which can
   * change anything on screen; on a citizen's kiosk the keys do nothing. */
  if (self->kiosk)
    return TRUE;
  return GTK_WINDOW_CLASS (saphan_window_parent_class)->enable_debugging (window, toggle);
}

static void
saphan_window_map (GtkWidget *widget)
{
  SaphanWindow *self = SAPHAN_WINDOW (widget);

  GTK_WIDGET_CLASS (saphan_window_parent_class)->map (widget);

  if (self->start_page != NULL)
    watch_first_frame (self);
}

/* The frame clock goes with the window's surface, and its handlers with
 * it: a window closed before the start page's first paint stops watching
 * here, and watches again should it be shown again. */
static void
stop_watching_first_frame (SaphanWindow *self)
{
  if (self->frame_clock == NULL)
    return;
  g_clear_signal_handler (&self->after_paint_handler, self->frame_clock);
  g_clear_object (&self->frame_clock);
  self->presented = FALSE;
}

static void
saphan_window_unrealize (GtkWidget *widget)
{
  stop_watching_first_frame (SAPHAN_WINDOW (widget));
  GTK_WIDGET_CLASS (saphan_window_parent_class)->unrealize (widget);
}

static void
saphan_window_dispose (GObject *object)
{
  SaphanWindow *self = SAPHAN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retranslate_source, g_source_remove);
  g_clear_handle_id (&self->loading_indicator_source, g_source_remove);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_handle_id (&self->initial_form_source, g_source_remove);
  stop_watching_first_frame (self);
  self->start_page = NULL;
  self->staff_page = NULL;

  /* The stack is both the window's child and a template child: detach it
   * from the window first, or GtkWindow would unparent it a second time. */
  gtk_window_set_child (GTK_WINDOW (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SAPHAN_TYPE_WINDOW);

  G_OBJECT_CLASS (saphan_window_parent_class)->dispose (object);
}

static void
saphan_window_finalize (GObject *object)
{
  SaphanWindow *self = SAPHAN_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->forms, g_ptr_array_unref);
  g_free (self->assisted_by);

  G_OBJECT_CLASS (saphan_window_parent_class)->finalize (object);
}

static void
saphan_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanWindow *self = SAPHAN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SaphanWindow *self = SAPHAN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      if (self->idle_timeout != g_value_get_uint (value))
        {
          self->idle_timeout = g_value_get_uint (value);
          restart_idle_timer (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_window_class_init (SaphanWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = saphan_window_get_property;
  object_class->set_property = saphan_window_set_property;
  object_class->dispose = saphan_window_dispose;
  object_class->finalize = saphan_window_finalize;

  widget_class->map = saphan_window_map;
  widget_class->unrealize = saphan_window_unrealize;

  window_class->close_request = saphan_window_close_request;
  window_class->enable_debugging = saphan_window_enable_debugging;

  /* Seconds without input before the kiosk resets; 0 never resets. */
  properties[PROP_IDLE_TIMEOUT]
      = g_param_spec_uint ("idle-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_IDLE_TIMEOUT,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SAPHAN_TYPE_STAFF_CORNER);
  g_type_ensure (SAPHAN_TYPE_COLUMN);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/saphan/Kiosk/saphan-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SaphanWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SaphanWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SaphanWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, SaphanWindow, loading_label);

  gtk_widget_class_install_action (widget_class, "win.open-form", "s", open_form_activated);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "win.staff", NULL, staff_activated);

  /* Escape goes back to the services; it never closes the window. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
}

static void
saphan_window_init (SaphanWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Sees every event before any widget does, and lets it through. */
  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (input_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  restart_idle_timer (self);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (visible_page_cb),
                           self, G_CONNECT_DEFAULT);
}

SaphanWindow *
saphan_window_new (SaphanApplication *application)
{
  SaphanWindow *self;

  g_return_val_if_fail (SAPHAN_IS_APPLICATION (application), NULL);

  self = g_object_new (SAPHAN_TYPE_WINDOW, "application", application, NULL);
  attach_to_application (self);
  return self;
}

const char *
saphan_window_get_page_name (SaphanWindow *self)
{
  g_return_val_if_fail (SAPHAN_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
saphan_window_get_start_page (SaphanWindow *self)
{
  g_return_val_if_fail (SAPHAN_IS_WINDOW (self), NULL);

  return self->start_page;
}
