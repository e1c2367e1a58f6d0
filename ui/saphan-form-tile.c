/* saphan-form-tile.c: one service on the start page.
 *
 * A tile is a plain button so that touch, keyboard and assistive
 * technologies all reach the service the same way: through the
 * "win.open-form" action with the form id as its target.
 */
#include "config.h"

#include "saphan-form-tile.h"

#include "saphan-column.h"

struct _SaphanFormTile
{
  GtkButton parent_instance;

  /* Template widgets */
  GtkLabel *title_label;

  /* Owned */
  char *form_id;
  char *title;
};

G_DEFINE_FINAL_TYPE (SaphanFormTile, saphan_form_tile, GTK_TYPE_BUTTON)

enum
{
  PROP_0,
  PROP_FORM_ID,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
saphan_form_tile_constructed (GObject *object)
{
  SaphanFormTile *self = SAPHAN_FORM_TILE (object);

  G_OBJECT_CLASS (saphan_form_tile_parent_class)->constructed (object);

  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self),
                                          g_variant_new_string (self->form_id));
  gtk_label_set_text (self->title_label, self->title);

  /* The icon is decoration; the title alone names the button for screen
   * readers, without the icon's file name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->title,
                                  -1);
}

static void
saphan_form_tile_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanFormTile *self = SAPHAN_FORM_TILE (object);

  switch (prop_id)
    {
    case PROP_FORM_ID:
      g_value_set_string (value, self->form_id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_form_tile_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  SaphanFormTile *self = SAPHAN_FORM_TILE (object);

  switch (prop_id)
    {
    case PROP_FORM_ID:
      g_free (self->form_id);
      self->form_id = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_form_tile_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SAPHAN_TYPE_FORM_TILE);

  G_OBJECT_CLASS (saphan_form_tile_parent_class)->dispose (object);
}

static void
saphan_form_tile_finalize (GObject *object)
{
  SaphanFormTile *self = SAPHAN_FORM_TILE (object);

  g_free (self->form_id);
  g_free (self->title);

  G_OBJECT_CLASS (saphan_form_tile_parent_class)->finalize (object);
}

static void
saphan_form_tile_class_init (SaphanFormTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = saphan_form_tile_constructed;
  object_class->get_property = saphan_form_tile_get_property;
  object_class->set_property = saphan_form_tile_set_property;
  object_class->dispose = saphan_form_tile_dispose;
  object_class->finalize = saphan_form_tile_finalize;

  properties[PROP_FORM_ID]
      = g_param_spec_string ("form-id", NULL, NULL, "",
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string (
      "title", NULL, NULL, "", G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The template builds SaphanColumns by type name. */
  g_type_ensure (SAPHAN_TYPE_COLUMN);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/saphan/Kiosk/saphan-form-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, SaphanFormTile, title_label);
}

static void
saphan_form_tile_init (SaphanFormTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
saphan_form_tile_new (const char *form_id, const char *title)
{
  g_return_val_if_fail (form_id != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);

  return g_object_new (SAPHAN_TYPE_FORM_TILE, "form-id", form_id, "title", title, NULL);
}

const char *
saphan_form_tile_get_form_id (SaphanFormTile *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_TILE (self), NULL);

  return self->form_id;
}

const char *
saphan_form_tile_get_title (SaphanFormTile *self)
{
  g_return_val_if_fail (SAPHAN_IS_FORM_TILE (self), NULL);

  return self->title;
}
