/* saphan-start-page.c: the services a citizen can choose from.
 *
 * The page is rebuilt whenever the language changes: GtkBuilder translates
 * a template's strings once, when it is instantiated, so a fresh page is
 * the simplest way to show every string in the new language.
 */
#include "config.h"

#include <string.h>

#include "saphan-start-page.h"

#include "saphan-column.h"
#include "saphan-form-tile.h"
#include "saphan-store.h"

struct _SaphanStartPage
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkStack *content_stack;
  GtkFlowBox *tiles;

  guint n_tiles;
};

G_DEFINE_FINAL_TYPE (SaphanStartPage, saphan_start_page, GTK_TYPE_WIDGET)

static void
remove_all_tiles (SaphanStartPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tiles))) != NULL)
    gtk_flow_box_remove (self->tiles, child);
  self->n_tiles = 0;
}

static void
saphan_start_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), SAPHAN_TYPE_START_PAGE);

  /* The template's unnamed boxes are children too, and a plain GtkWidget
   * does not unparent its children by itself. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (saphan_start_page_parent_class)->dispose (object);
}

static void
saphan_start_page_class_init (SaphanStartPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_start_page_dispose;

  /* The template builds SaphanColumns by type name. */
  g_type_ensure (SAPHAN_TYPE_COLUMN);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/saphan/Kiosk/saphan-start-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SaphanStartPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, SaphanStartPage, tiles);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "startpage");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_start_page_init (SaphanStartPage *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
}

GtkWidget *
saphan_start_page_new (void)
{
  return g_object_new (SAPHAN_TYPE_START_PAGE, NULL);
}

char *
saphan_service_title_for_language (const char *title, const char *language)
{
  const char *separator = strstr (title, " · ");

  if (separator == NULL)
    return g_strdup (title);
  if (g_strcmp0 (language, "en") == 0)
    return g_strdup (separator + strlen (" · "));
  return g_strndup (title, separator - title);
}

void
saphan_start_page_set_forms (SaphanStartPage *self, GPtrArray *forms, const char *language)
{
  g_return_if_fail (SAPHAN_IS_START_PAGE (self));
  g_return_if_fail (forms != NULL);

  remove_all_tiles (self);

  for (guint i = 0; i < forms->len; i++)
    {
      const SaphanFormInfo *info = g_ptr_array_index (forms, i);
      g_autofree char *title = saphan_service_title_for_language (info->title, language);
      GtkWidget *tile = saphan_form_tile_new (info->form_id, title);
      GtkWidget *child;

      gtk_flow_box_append (self->tiles, tile);

      /* The tile itself takes the focus; the flow box child around it
       * would only add a second, invisible stop for keyboard users. */
      child = gtk_widget_get_parent (tile);
      gtk_widget_set_focusable (child, FALSE);
      self->n_tiles++;
    }

  gtk_stack_set_visible_child_name (self->content_stack, self->n_tiles > 0 ? "tiles" : "empty");
}

guint
saphan_start_page_get_n_tiles (SaphanStartPage *self)
{
  g_return_val_if_fail (SAPHAN_IS_START_PAGE (self), 0);

  return self->n_tiles;
}
