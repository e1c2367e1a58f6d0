/* main.c: saphan-kiosk, the citizen service kiosk. */
#include "config.h"

#include "saphan-application.h"

#include <glib/gi18n.h>
#include <locale.h>

int
main (int argc, char *argv[])
{
  g_autoptr (SaphanApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = saphan_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
