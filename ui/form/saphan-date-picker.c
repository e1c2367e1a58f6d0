/* saphan-date-picker.c: a touch date picker with Buddhist Era years.
 *
 * Three columns (day, month, year) with large steppers; the year also
 * steps by ten, since a birth year is often sixty or more years back.
 * Thai shows Thai month names and the Buddhist Era year (พ.ศ.), which is
 * what every Thai document and ID card uses; English shows the Common Era.
 * The stored value is always an ISO date. Until a stepper is touched there
 * is no answer: the picker shows today as a starting point and says so.
 *
 * The steppers are bound to the "date.step" action ("(si)": the field
 * "day", "month" or "year" and the amount), which tests drive too.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-date-picker.h"

struct _SaphanDatePicker
{
  GtkWidget parent_instance;

  /* Owned (children) */
  GtkWidget *summary;
  GtkWidget *columns;
  GtkWidget *day_label;
  GtkWidget *month_label;
  GtkWidget *year_label;

  /* Owned */
  int       year, month, day;   /* CE */
  gboolean  chosen;
  char     *language;
};

G_DEFINE_FINAL_TYPE (SaphanDatePicker, saphan_date_picker, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const thai_months[] = {
  "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
  "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
};

static const char *const english_months[] = {
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
};

static gboolean
is_thai (const char *language)
{
  return g_strcmp0 (language, "th") == 0;
}

static const char *
month_name (int month, const char *language)
{
  g_assert (month >= 1 && month <= 12);
  return is_thai (language) ? thai_months[month - 1] : english_months[month - 1];
}

static char *
year_text (int year, const char *language)
{
  if (is_thai (language))
    return g_strdup_printf ("พ.ศ. %d", year + SAPHAN_BUDDHIST_ERA_OFFSET);
  return g_strdup_printf ("%d", year);
}

static void
update_labels (SaphanDatePicker *self)
{
  g_autofree char *day = g_strdup_printf ("%d", self->day);
  g_autofree char *year = year_text (self->year, self->language);
  g_autofree char *iso = g_strdup_printf ("%04d-%02d-%02d", self->year, self->month, self->day);
  g_autofree char *full = saphan_date_picker_format (iso, self->language);
  g_autofree char *summary = NULL;

  gtk_label_set_text (GTK_LABEL (self->day_label), day);
  gtk_label_set_text (GTK_LABEL (self->month_label), month_name (self->month, self->language));
  gtk_label_set_text (GTK_LABEL (self->year_label), year);

  if (self->chosen)
    summary = g_strdup (full);
  else
    /* Translators: shown above the date picker before a date is chosen. */
    summary = g_strdup_printf (_("Not chosen yet. Use the buttons to set %s."), full);
  gtk_label_set_text (GTK_LABEL (self->summary), summary);
  gtk_widget_set_visible (self->summary, TRUE);
  if (self->chosen)
    gtk_widget_remove_css_class (self->summary, "date-unset");
  else
    gtk_widget_add_css_class (self->summary, "date-unset");
}

static void
clamp_day (SaphanDatePicker *self)
{
  int last = g_date_get_days_in_month ((GDateMonth) self->month, (GDateYear) self->year);

  self->day = CLAMP (self->day, 1, last);
}

static void
step (SaphanDatePicker *self, const char *field, int amount)
{
  if (g_str_equal (field, "day"))
    {
      int last = g_date_get_days_in_month ((GDateMonth) self->month, (GDateYear) self->year);

      /* Days and months wrap around, as on a wheel. */
      self->day = ((self->day - 1 + amount) % last + last) % last + 1;
    }
  else if (g_str_equal (field, "month"))
    {
      self->month = ((self->month - 1 + amount) % 12 + 12) % 12 + 1;
      clamp_day (self);
    }
  else if (g_str_equal (field, "year"))
    {
      self->year = CLAMP (self->year + amount, 1900, 2200);
      clamp_day (self);
    }
  else
    return;

  self->chosen = TRUE;
  update_labels (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
step_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  const char *field;
  int amount;

  g_variant_get (parameter, "(&si)", &field, &amount);
  step (SAPHAN_DATE_PICKER (widget), field, amount);
}

static GtkWidget *
stepper_button (const char *text, const char *accessible, const char *field, int amount)
{
  GtkWidget *button = gtk_button_new_with_label (text);

  gtk_widget_add_css_class (button, "date-step");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "date.step");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(si)", field, amount);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  return button;
}

/* One column: the "later" buttons above the value, "earlier" below. */
static GtkWidget *
make_column (const char *field, const char *caption, GtkWidget **out_label, gboolean tens)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *up = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *down = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (caption);
  g_autofree char *later = g_strdup_printf (_("%s: one later"), caption);
  g_autofree char *earlier = g_strdup_printf (_("%s: one earlier"), caption);

  gtk_widget_add_css_class (column, "date-column");
  gtk_widget_add_css_class (title, "date-caption");
  gtk_box_set_homogeneous (GTK_BOX (up), TRUE);
  gtk_box_set_homogeneous (GTK_BOX (down), TRUE);
  gtk_box_append (GTK_BOX (up), stepper_button ("+", later, field, 1));
  gtk_box_append (GTK_BOX (down), stepper_button ("−", earlier, field, -1));
  if (tens)
    {
      g_autofree char *later10 = g_strdup_printf (_("%s: ten later"), caption);
      g_autofree char *earlier10 = g_strdup_printf (_("%s: ten earlier"), caption);

      gtk_box_append (GTK_BOX (up), stepper_button ("+10", later10, field, 10));
      gtk_box_append (GTK_BOX (down), stepper_button ("−10", earlier10, field, -10));
    }

  *out_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (*out_label, "date-value");
  gtk_accessible_update_property (GTK_ACCESSIBLE (*out_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  caption, -1);
  /* The caption is for screen readers: the value ("มกราคม", "พ.ศ. 2509")
   * says on screen what it is, and a short screen has no row to spare. */
  gtk_widget_set_visible (title, FALSE);
  gtk_box_append (GTK_BOX (column), title);
  gtk_box_append (GTK_BOX (column), up);
  gtk_box_append (GTK_BOX (column), *out_label);
  gtk_box_append (GTK_BOX (column), down);
  gtk_widget_set_hexpand (column, TRUE);
  return column;
}

static void
build_columns (SaphanDatePicker *self)
{
  if (self->columns != NULL)
    gtk_widget_unparent (self->columns);

  self->columns = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (self->columns), make_column ("day", _("Day"), &self->day_label, FALSE));
  gtk_box_append (GTK_BOX (self->columns),
                  make_column ("month", _("Month"), &self->month_label, FALSE));
  gtk_box_append (GTK_BOX (self->columns), make_column ("year", _("Year"), &self->year_label, TRUE));
  gtk_widget_insert_after (self->columns, GTK_WIDGET (self), self->summary);
  update_labels (self);
}

static void
saphan_date_picker_dispose (GObject *object)
{
  SaphanDatePicker *self = SAPHAN_DATE_PICKER (object);

  g_clear_pointer (&self->summary, gtk_widget_unparent);
  g_clear_pointer (&self->columns, gtk_widget_unparent);
  G_OBJECT_CLASS (saphan_date_picker_parent_class)->dispose (object);
}

static void
saphan_date_picker_finalize (GObject *object)
{
  SaphanDatePicker *self = SAPHAN_DATE_PICKER (object);

  g_free (self->language);
  G_OBJECT_CLASS (saphan_date_picker_parent_class)->finalize (object);
}

static void
saphan_date_picker_class_init (SaphanDatePickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_date_picker_dispose;
  object_class->finalize = saphan_date_picker_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "date.step", "(si)", step_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "datepicker");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_date_picker_init (SaphanDatePicker *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 8);

  self->year = g_date_time_get_year (now);
  self->month = g_date_time_get_month (now);
  self->day = g_date_time_get_day_of_month (now);
  self->language = g_strdup ("th");

  self->summary = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->summary, "date-summary");
  gtk_label_set_wrap (GTK_LABEL (self->summary), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->summary), 0);
  gtk_widget_set_parent (self->summary, GTK_WIDGET (self));
  build_columns (self);
}

GtkWidget *
saphan_date_picker_new (void)
{
  return g_object_new (SAPHAN_TYPE_DATE_PICKER, NULL);
}

void
saphan_date_picker_set_language (SaphanDatePicker *self, const char *language)
{
  g_return_if_fail (SAPHAN_IS_DATE_PICKER (self));

  if (g_strcmp0 (self->language, language) == 0)
    return;
  g_free (self->language);
  self->language = g_strdup (language);
  /* The captions are translated strings: rebuild them. */
  build_columns (self);
}

void
saphan_date_picker_set_value (SaphanDatePicker *self, const char *iso_date)
{
  int year, month, day;

  g_return_if_fail (SAPHAN_IS_DATE_PICKER (self));

  if (iso_date != NULL && sscanf (iso_date, "%d-%d-%d", &year, &month, &day) == 3
      && g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      self->year = year;
      self->month = month;
      self->day = day;
      self->chosen = TRUE;
    }
  else
    self->chosen = FALSE;
  update_labels (self);
}

char *
saphan_date_picker_get_value (SaphanDatePicker *self)
{
  g_return_val_if_fail (SAPHAN_IS_DATE_PICKER (self), NULL);

  if (!self->chosen)
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", self->year, self->month, self->day);
}

char *
saphan_date_picker_format (const char *iso_date, const char *language)
{
  int year, month, day;
  g_autofree char *year_part = NULL;

  if (iso_date == NULL || sscanf (iso_date, "%d-%d-%d", &year, &month, &day) != 3
      || month < 1 || month > 12)
    return g_strdup (iso_date != NULL ? iso_date : "");
  year_part = year_text (year, language);
  return g_strdup_printf ("%d %s %s", day, month_name (month, language), year_part);
}
