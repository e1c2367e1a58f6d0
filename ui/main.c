/* main.c: saphan-kiosk, the citizen service kiosk. */
#include "config.h"

#include "saphan-application.h"

#include <glib/gi18n.h>
#include <locale.h>

int
main (int argc, char *argv[])
{
  g_autoptr (SaphanApplication) application = NULL;

  /* Kiosk boxes are small machines, often without a working GPU driver,
   * where GTK's GL renderer runs on Mesa's llvmpipe: some 60 MB more memory
   * than the Cairo renderer and more CPU, for screens of text and buttons
   * (BENCHMARKS.md). Cairo is the default, with GL never loaded; on a box
   * with a real GPU the service's environment sets GSK_RENDERER=gl. GTK
   * reads both variables when it initializes, after this. */
  if (g_getenv ("GSK_RENDERER") == NULL)
    {
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
      if (g_getenv ("GDK_DEBUG") == NULL)
        g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
    }

  saphan_application_prepare_environment ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = saphan_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
