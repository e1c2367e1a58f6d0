/* saphan-staff-style.c: the staff UI's resources and its one style sheet. */
#include "config.h"

#include "saphan-staff-style.h"
#include "saphan-staff-resources.h"

#define STYLE_RESOURCE "/org/saphan/Kiosk/staff/saphan-staff.css"
#define STYLE_DATA_KEY "saphan-staff-style"

void
_saphan_staff_ensure_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      saphan_staff_res_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

void
_saphan_staff_ensure_style (GdkDisplay *display)
{
  g_autoptr (GtkCssProvider) provider = NULL;

  if (display == NULL || g_object_get_data (G_OBJECT (display), STYLE_DATA_KEY) != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, STYLE_RESOURCE);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  /* The display keeps the provider for as long as it lives. */
  g_object_set_data_full (G_OBJECT (display), STYLE_DATA_KEY, g_steal_pointer (&provider),
                          g_object_unref);
}
