/* saphan-staff-corner.c: the invisible corner that opens staff mode.
 *
 * Nothing on screen tells a citizen that staff mode exists: the corner is
 * an empty, transparent square. Holding it for three seconds is unlikely
 * to happen by chance and is easy for staff to learn. GtkGestureLongPress
 * measures the hold: its delay is the desktop's long-press time scaled by
 * "delay-factor", which GTK limits to 0.5-2, so when the scaled delay is
 * still shorter than three seconds a timer covers the rest of the hold and
 * is cancelled as soon as the finger lifts or moves away.
 */
#include "config.h"

#include "saphan-staff-corner.h"
#include "saphan-staff-style.h"

#include <glib/gi18n.h>

struct _SaphanStaffCorner
{
  GtkWidget parent_instance;

  /* Owned */
  GtkGesture *long_press;
  char *action_name;
  guint rest_source;
};

G_DEFINE_FINAL_TYPE (SaphanStaffCorner, saphan_staff_corner, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_ACTION_NAME,
  N_PROPS
};

enum
{
  SIGNAL_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* GTK's own default for gtk-long-press-time, in case a setting is missing. */
#define DEFAULT_LONG_PRESS_MS 500

static void
fire (SaphanStaffCorner *self)
{
  g_debug ("Staff corner held");
  g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0);
  if (self->action_name != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), self->action_name, NULL);
}

static gboolean
rest_elapsed_cb (gpointer user_data)
{
  SaphanStaffCorner *self = user_data;

  self->rest_source = 0;
  fire (self);
  return G_SOURCE_REMOVE;
}

static guint
long_press_ms (SaphanStaffCorner *self)
{
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (self));
  int ms = DEFAULT_LONG_PRESS_MS;

  if (settings != NULL)
    g_object_get (settings, "gtk-long-press-time", &ms, NULL);
  return ms > 0 ? (guint) ms : DEFAULT_LONG_PRESS_MS;
}

/* The gesture fires after long_press_ms × delay-factor; whatever is left
 * of the hold is timed here. */
static void
pressed_cb (GtkGestureLongPress *gesture, double x, double y, gpointer user_data)
{
  SaphanStaffCorner *self = user_data;
  double waited = long_press_ms (self) * gtk_gesture_long_press_get_delay_factor (gesture);
  double rest = SAPHAN_STAFF_CORNER_HOLD_MS - waited;

  g_clear_handle_id (&self->rest_source, g_source_remove);
  if (rest <= 0)
    fire (self);
  else
    self->rest_source = g_timeout_add ((guint) rest, rest_elapsed_cb, self);
}

static void
released_cb (GtkGesture *gesture, GdkEventSequence *sequence, gpointer user_data)
{
  SaphanStaffCorner *self = user_data;

  g_clear_handle_id (&self->rest_source, g_source_remove);
}

/* Chooses the factor that makes the gesture itself cover as much of the
 * hold as GTK allows. */
static void
update_delay_factor (SaphanStaffCorner *self)
{
  double factor = (double) SAPHAN_STAFF_CORNER_HOLD_MS / long_press_ms (self);

  gtk_gesture_long_press_set_delay_factor (GTK_GESTURE_LONG_PRESS (self->long_press),
                                           CLAMP (factor, 0.5, 2.0));
}

static void
saphan_staff_corner_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (saphan_staff_corner_parent_class)->root (widget);
  _saphan_staff_ensure_style (gtk_widget_get_display (widget));
  update_delay_factor (SAPHAN_STAFF_CORNER (widget));
}

static void
saphan_staff_corner_dispose (GObject *object)
{
  SaphanStaffCorner *self = SAPHAN_STAFF_CORNER (object);

  g_clear_handle_id (&self->rest_source, g_source_remove);
  self->long_press = NULL; /* owned by the widget's controllers */

  G_OBJECT_CLASS (saphan_staff_corner_parent_class)->dispose (object);
}

static void
saphan_staff_corner_finalize (GObject *object)
{
  SaphanStaffCorner *self = SAPHAN_STAFF_CORNER (object);

  g_free (self->action_name);

  G_OBJECT_CLASS (saphan_staff_corner_parent_class)->finalize (object);
}

static void
saphan_staff_corner_get_property (GObject *object, guint prop_id, GValue *value,
                                  GParamSpec *pspec)
{
  SaphanStaffCorner *self = SAPHAN_STAFF_CORNER (object);

  switch (prop_id)
    {
    case PROP_ACTION_NAME:
      g_value_set_string (value, self->action_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_staff_corner_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  SaphanStaffCorner *self = SAPHAN_STAFF_CORNER (object);

  switch (prop_id)
    {
    case PROP_ACTION_NAME:
      if (g_strcmp0 (self->action_name, g_value_get_string (value)) != 0)
        {
          g_free (self->action_name);
          self->action_name = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_staff_corner_class_init (SaphanStaffCornerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_staff_corner_dispose;
  object_class->finalize = saphan_staff_corner_finalize;
  object_class->get_property = saphan_staff_corner_get_property;
  object_class->set_property = saphan_staff_corner_set_property;

  widget_class->root = saphan_staff_corner_root;
  _saphan_staff_ensure_resources ();

  properties[PROP_ACTION_NAME]
      = g_param_spec_string ("action-name", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "staffcorner");
  /* Nothing a screen reader should announce to citizens. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
saphan_staff_corner_init (SaphanStaffCorner *self)
{
  self->long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (self->long_press), FALSE);
  g_signal_connect (self->long_press, "pressed", G_CALLBACK (pressed_cb), self);
  g_signal_connect (self->long_press, "end", G_CALLBACK (released_cb), self);
  g_signal_connect (self->long_press, "cancel", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->long_press));
  update_delay_factor (self);
}

GtkWidget *
saphan_staff_corner_new (void)
{
  return g_object_new (SAPHAN_TYPE_STAFF_CORNER, NULL);
}
