/* saphan-range-control.c: a number picked by touch between two bounds.
 *
 * ODK's range question ("how satisfied, 1 to 5", "how many hours, 0 to 12
 * by 0.5") drawn for a finger: the value in large digits between big −
 * and + buttons, which are easier for an unsteady hand than a slider, and
 * a slider under them where it fits, for the citizen who prefers to drag.
 * The slider counts steps rather than values, so that a decimal step never
 * drifts off the form's grid (0.1 + 0.2), and the value is written as
 * ODK Collect writes it: "7" for an int, "2.5" or "3.0" for a decimal.
 * Until the first touch there is no value, as in Collect: a required range
 * is not answered just by being shown.
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "saphan-range-control.h"

/* More steps than this would draw the ticks as a grey smear. */
#define MAX_TICKS 20

struct _SaphanRangeControl
{
  GtkWidget parent_instance;

  /* Owned (children) */
  GtkWidget *box;

  /* Borrowed (inside box) */
  GtkWidget *less_button;
  GtkWidget *more_button;
  GtkWidget *value_label;
  GtkWidget *scale;

  /* Owned */
  double            start, step;
  int               direction;   /* +1 when start < end, else -1 */
  int               n_steps;     /* the last index; values are start + i * step * direction */
  int               decimals;
  gboolean          decimal;
  SaphanRangeLayout layout;
  int               index;       /* -1: no value yet */
  gboolean          updating;
};

G_DEFINE_FINAL_TYPE (SaphanRangeControl, saphan_range_control, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Digits after the point in X as a form writes it: 0.5 has one, 0.25 two. */
static int
count_decimals (double x)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  const char *point;
  int n;

  g_ascii_formatd (buffer, sizeof buffer, "%.10f", fabs (x));
  point = strchr (buffer, '.');
  if (point == NULL)
    return 0;
  n = strlen (point + 1);
  while (n > 0 && point[n] == '0')
    n--;
  return n;
}

static double
value_at (SaphanRangeControl *self, int index)
{
  return self->start + self->direction * index * self->step;
}

static char *
format_index (SaphanRangeControl *self, int index)
{
  char format[16], buffer[G_ASCII_DTOSTR_BUF_SIZE];
  double value = value_at (self, index);
  char *text;
  gsize len;

  if (!self->decimal)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) llround (value));
  g_snprintf (format, sizeof format, "%%.%df", MAX (self->decimals, 1));
  g_ascii_formatd (buffer, sizeof buffer, format, value);
  /* Java's Double.toString, which Collect's answers go through, keeps one
   * digit after the point and drops the zeros after it. */
  text = g_strdup (strcmp (buffer, "-0.0") == 0 ? "0.0" : buffer);
  len = strlen (text);
  while (len > 2 && text[len - 1] == '0' && text[len - 2] != '.')
    text[--len] = '\0';
  return text;
}

static void
show_index (SaphanRangeControl *self)
{
  g_autofree char *text = self->index >= 0 ? format_index (self, self->index) : NULL;

  self->updating = TRUE;
  /* "–" says "not chosen yet" without looking like a value. */
  gtk_label_set_text (GTK_LABEL (self->value_label), text != NULL ? text : "–");
  if (self->scale != NULL)
    {
      gtk_range_set_value (GTK_RANGE (self->scale), MAX (self->index, 0));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->scale), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT,
                                      text != NULL ? text : _("No value chosen"), -1);
    }
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                    GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, (double) self->n_steps,
                                    GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, (double) MAX (self->index, 0),
                                    GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT,
                                    text != NULL ? text : _("No value chosen"), -1);
  if (self->index < 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "unset");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unset");
  gtk_widget_set_sensitive (self->less_button, self->index != 0);
  gtk_widget_set_sensitive (self->more_button, self->index != self->n_steps);
  self->updating = FALSE;
}

static void
set_index (SaphanRangeControl *self, int index, gboolean emit)
{
  index = CLAMP (index, 0, self->n_steps);
  if (index == self->index)
    return;
  self->index = index;
  show_index (self);
  if (emit)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* "change-value" rather than "value-changed": it comes only from the
 * citizen (a tap, a drag, an arrow key), and also when the tap lands on
 * the value the slider already shows, which before the first touch is the
 * start and must still become the answer. */
static gboolean
scale_change_value_cb (GtkRange *range, GtkScrollType scroll, double value, SaphanRangeControl *self)
{
  if (!self->updating)
    set_index (self, (int) lround (CLAMP (value, 0, self->n_steps)), TRUE);
  return FALSE;
}

static void
step_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  saphan_range_control_step (SAPHAN_RANGE_CONTROL (widget), g_variant_get_int32 (parameter));
}

static GtkWidget *
make_button (const char *icon, const char *name, int amount)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_add_css_class (button, "range-step");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "range.step");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "i", amount);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_widget_set_tooltip_text (button, name);
  return button;
}

static void
build (SaphanRangeControl *self)
{
  gboolean vertical = self->layout == SAPHAN_RANGE_LAYOUT_VERTICAL;
  GtkWidget *stepper;

  self->less_button = make_button ("list-remove-symbolic", _("Less"), -1);
  self->more_button = make_button ("list-add-symbolic", _("More"), 1);
  self->value_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->value_label, "range-value");
  gtk_widget_set_hexpand (self->value_label, !vertical);
  /* Screen readers hear the value from the slider or spin button. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->value_label), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);

  stepper = gtk_box_new (vertical ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (stepper, "range-stepper");
  /* Up is more on a vertical control, as on a thermometer. */
  gtk_box_append (GTK_BOX (stepper), vertical ? self->more_button : self->less_button);
  gtk_box_append (GTK_BOX (stepper), self->value_label);
  gtk_box_append (GTK_BOX (stepper), vertical ? self->less_button : self->more_button);

  self->box = gtk_box_new (vertical ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL, 16);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  if (self->layout != SAPHAN_RANGE_LAYOUT_PICKER)
    {
      GtkAdjustment *adjustment = gtk_adjustment_new (0, 0, self->n_steps, 1, 1, 0);

      self->scale = gtk_scale_new (vertical ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL,
                                   adjustment);
      gtk_scale_set_draw_value (GTK_SCALE (self->scale), FALSE);
      gtk_scale_set_digits (GTK_SCALE (self->scale), 0);
      gtk_range_set_round_digits (GTK_RANGE (self->scale), 0);
      gtk_range_set_inverted (GTK_RANGE (self->scale), vertical);
      gtk_widget_set_hexpand (self->scale, !vertical);
      gtk_widget_add_css_class (self->scale, "range-scale");
      if (self->layout != SAPHAN_RANGE_LAYOUT_NO_TICKS && self->n_steps <= MAX_TICKS)
        for (int i = 0; i <= self->n_steps; i++)
          gtk_scale_add_mark (GTK_SCALE (self->scale), i, vertical ? GTK_POS_LEFT : GTK_POS_BOTTOM, NULL);
      g_signal_connect (self->scale, "change-value", G_CALLBACK (scale_change_value_cb), self);
    }

  if (vertical)
    {
      gtk_widget_set_halign (self->box, GTK_ALIGN_START);
      gtk_box_append (GTK_BOX (self->box), self->scale);
      gtk_box_append (GTK_BOX (self->box), stepper);
    }
  else
    {
      gtk_box_append (GTK_BOX (self->box), stepper);
      if (self->scale != NULL)
        {
          GtkWidget *ends = gtk_center_box_new ();
          g_autofree char *first = format_index (self, 0);
          g_autofree char *last = format_index (self, self->n_steps);
          GtkWidget *first_label = gtk_label_new (first);
          GtkWidget *last_label = gtk_label_new (last);

          /* The bounds under the slider's ends tell what the ends mean. */
          gtk_widget_add_css_class (first_label, "range-bound");
          gtk_widget_add_css_class (last_label, "range-bound");
          gtk_center_box_set_start_widget (GTK_CENTER_BOX (ends), first_label);
          gtk_center_box_set_end_widget (GTK_CENTER_BOX (ends), last_label);
          gtk_box_append (GTK_BOX (self->box), self->scale);
          gtk_box_append (GTK_BOX (self->box), ends);
        }
      else
        gtk_widget_set_halign (stepper, GTK_ALIGN_START);
    }
}

static void
saphan_range_control_dispose (GObject *object)
{
  SaphanRangeControl *self = SAPHAN_RANGE_CONTROL (object);

  self->less_button = self->more_button = self->value_label = self->scale = NULL;
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (saphan_range_control_parent_class)->dispose (object);
}

static void
saphan_range_control_class_init (SaphanRangeControlClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_range_control_dispose;

  /* Emitted when a touch or key changes the value. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "range.step", "i", step_action);
  /* Arrows step wherever the focus is inside (the slider handles its own). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "range.step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "range.step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "range.step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "range.step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "range.step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "range.step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "range.step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "range.step", "i", -1);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rangecontrol");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_range_control_init (SaphanRangeControl *self)
{
  self->index = -1;
}

GtkWidget *
saphan_range_control_new (double start, double end, double step, gboolean decimal,
                          SaphanRangeLayout layout)
{
  SaphanRangeControl *self;

  g_return_val_if_fail (step > 0, NULL);

  /* Without a slider the control is a spin button for assistive technology. */
  self = g_object_new (SAPHAN_TYPE_RANGE_CONTROL, "accessible-role",
                       layout == SAPHAN_RANGE_LAYOUT_PICKER ? GTK_ACCESSIBLE_ROLE_SPIN_BUTTON
                                                            : GTK_ACCESSIBLE_ROLE_GROUP,
                       NULL);
  self->start = start;
  self->step = step;
  self->direction = end >= start ? 1 : -1;
  /* A step that does not divide the range stops at the last whole step,
   * as Collect does; the small slack absorbs binary fractions. */
  self->n_steps = (int) floor (fabs (end - start) / step + 1e-9);
  self->decimal = decimal;
  self->decimals = MAX (count_decimals (start), count_decimals (step));
  self->layout = layout;
  build (self);
  show_index (self);
  return GTK_WIDGET (self);
}

char *
saphan_range_control_get_value (SaphanRangeControl *self)
{
  g_return_val_if_fail (SAPHAN_IS_RANGE_CONTROL (self), NULL);
  return self->index >= 0 ? format_index (self, self->index) : NULL;
}

void
saphan_range_control_set_value (SaphanRangeControl *self, const char *value)
{
  char *end = NULL;
  double number;

  g_return_if_fail (SAPHAN_IS_RANGE_CONTROL (self));

  if (value == NULL || *value == '\0')
    {
      self->index = -1;
      show_index (self);
      return;
    }
  number = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !isfinite (number))
    return;
  self->index = -2;   /* whatever the index, show it again */
  set_index (self, (int) lround ((number - self->start) * self->direction / self->step), FALSE);
}

void
saphan_range_control_step (SaphanRangeControl *self, int amount)
{
  g_return_if_fail (SAPHAN_IS_RANGE_CONTROL (self));

  /* The first touch starts at the end its button points from: − from the
   * top, + from the bottom, as a finger expects. */
  if (self->index < 0)
    set_index (self, amount > 0 ? 0 : self->n_steps, TRUE);
  else
    set_index (self, self->index + amount, TRUE);
}

GtkWidget *
saphan_range_control_get_scale (SaphanRangeControl *self)
{
  g_return_val_if_fail (SAPHAN_IS_RANGE_CONTROL (self), NULL);
  return self->scale;
}

GtkWidget *
saphan_range_control_get_step_button (SaphanRangeControl *self, gboolean more)
{
  g_return_val_if_fail (SAPHAN_IS_RANGE_CONTROL (self), NULL);
  return more ? self->more_button : self->less_button;
}
