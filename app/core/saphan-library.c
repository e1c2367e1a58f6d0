/* saphan-library.c: a shared library opened at its first use. */
#include "config.h"

#include "saphan-library.h"

#include "saphan-error.h"

#include <dlfcn.h>
#include <glib/gi18n-lib.h>

enum
{
  STATE_LOADED = 1,
  STATE_FAILED = 2,
};

/* Opens the library and resolves every symbol; on failure returns why,
 * and the library is left open (a half-usable library is never used). */
static char *
open_library (SaphanLibrary *library)
{
  void *handle;

  dlerror ();
  /* RTLD_LOCAL: the library's symbols stay out of the global scope, where
   * they could be mistaken for the forwarders of the same names. */
  handle = dlopen (library->soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    return g_strdup (dlerror ());

  for (gsize i = 0; library->symbols[i] != NULL; i++)
    {
      dlerror ();
      library->slots[i] = dlsym (handle, library->symbols[i]);
      if (library->slots[i] == NULL)
        return g_strdup_printf ("%s: %s", library->soname, library->symbols[i]);
    }
  return NULL;
}

gboolean
saphan_library_load (SaphanLibrary *library, GError **error)
{
  g_return_val_if_fail (library != NULL && library->soname != NULL, FALSE);

  if (g_once_init_enter (&library->state))
    {
      library->failure = open_library (library);
      if (library->failure != NULL)
        g_warning ("Cannot load %s: %s", library->soname, library->failure);
      g_once_init_leave (&library->state,
                         library->failure == NULL ? STATE_LOADED : STATE_FAILED);
    }
  if (library->state == STATE_LOADED)
    return TRUE;

  /* TRANSLATORS: the first %s is a library file such as libcurl.so.4, the
   * second what it is needed for, the third the system's reason. */
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
               _("%s, which %s needs, cannot be loaded: %s. Reinstall Saphan’s packages."),
               library->soname, g_dgettext (GETTEXT_PACKAGE, library->needed_for),
               library->failure);
  return FALSE;
}
