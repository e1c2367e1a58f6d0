/* saphan-column.c: a column of widgets whose width does not depend on its height.
 *
 * The kiosk's screens are laid out height-for-width: text wraps to the width
 * it is given and the page scrolls if it must. A GtkBox, though, asks its
 * children how wide they would be for a given height whenever its parent
 * does, and a wrapping GtkLabel answers that by laying its text out again
 * and again in a binary search over widths. On the start screen that was
 * some 400 layouts of Thai text (each one shaped and broken into words
 * anew) for a question nobody needs answered: a tile or a heading is as
 * wide as its text wants, whatever height it gets.
 *
 * SaphanColumn stacks its children from the top, each as wide as the
 * column, and measures their width for no particular height. Its height
 * for a width is theirs for that width, plus the spacing between them.
 */
#include "config.h"

#include "saphan-column.h"

struct _SaphanColumn
{
  GtkWidget parent_instance;

  int spacing;
};

G_DEFINE_FINAL_TYPE (SaphanColumn, saphan_column, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
saphan_column_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                       int *natural, int *minimum_baseline, int *natural_baseline)
{
  SaphanColumn *self = SAPHAN_COLUMN (widget);
  int n_visible = 0;

  *minimum = *natural = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_minimum, child_natural;

      if (!gtk_widget_should_layout (child))
        continue;
      n_visible++;
      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          /* The point of the column: no height is passed down. */
          gtk_widget_measure (child, orientation, -1, &child_minimum, &child_natural, NULL, NULL);
          *minimum = MAX (*minimum, child_minimum);
          *natural = MAX (*natural, child_natural);
        }
      else
        {
          gtk_widget_measure (child, orientation, for_size, &child_minimum, &child_natural, NULL,
                              NULL);
          *minimum += child_minimum;
          *natural += child_natural;
        }
    }

  if (orientation == GTK_ORIENTATION_VERTICAL && n_visible > 1)
    {
      *minimum += self->spacing * (n_visible - 1);
      *natural += self->spacing * (n_visible - 1);
    }
}

static void
saphan_column_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  SaphanColumn *self = SAPHAN_COLUMN (widget);
  int y = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_minimum, child_natural;

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &child_minimum, &child_natural,
                          NULL, NULL);
      gtk_widget_size_allocate (child, &(GtkAllocation){ 0, y, width, child_natural }, -1);
      y += child_natural + self->spacing;
    }
}

static GtkSizeRequestMode
saphan_column_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
saphan_column_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (saphan_column_parent_class)->dispose (object);
}

static void
saphan_column_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanColumn *self = SAPHAN_COLUMN (object);

  switch (prop_id)
    {
    case PROP_SPACING:
      g_value_set_int (value, self->spacing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_column_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SaphanColumn *self = SAPHAN_COLUMN (object);

  switch (prop_id)
    {
    case PROP_SPACING:
      saphan_column_set_spacing (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_column_class_init (SaphanColumnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_column_dispose;
  object_class->get_property = saphan_column_get_property;
  object_class->set_property = saphan_column_set_property;

  widget_class->measure = saphan_column_measure;
  widget_class->size_allocate = saphan_column_size_allocate;
  widget_class->get_request_mode = saphan_column_get_request_mode;

  properties[PROP_SPACING]
      = g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 0,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "column");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_column_init (SaphanColumn *self)
{
}

GtkWidget *
saphan_column_new (int spacing)
{
  return g_object_new (SAPHAN_TYPE_COLUMN, "spacing", spacing, NULL);
}

int
saphan_column_get_spacing (SaphanColumn *self)
{
  g_return_val_if_fail (SAPHAN_IS_COLUMN (self), 0);

  return self->spacing;
}

void
saphan_column_set_spacing (SaphanColumn *self, int spacing)
{
  g_return_if_fail (SAPHAN_IS_COLUMN (self));
  g_return_if_fail (spacing >= 0);

  if (self->spacing == spacing)
    return;
  self->spacing = spacing;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPACING]);
}
