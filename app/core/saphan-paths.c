/* saphan-paths.c: where Saphan keeps its data.
 *
 * One data directory holds everything a kiosk owns: the database, its keys
 * and the receipts written when no printer is configured. The packaged kiosk
 * runs with --data-dir /var/lib/saphan; a developer's kiosk uses the XDG data
 * directory so that nothing needs root.
 */
#include "config.h"

#include "saphan-paths.h"
#include "saphan-error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

char *
saphan_paths_default_data_dir (void)
{
  const char *env = g_getenv ("SAPHAN_DATA_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "saphan", NULL);
}

gboolean
saphan_paths_ensure_data_dir (const char *data_dir, GError **error)
{
  g_return_val_if_fail (data_dir != NULL, FALSE);

  /* 0700: the data dir holds personal data and private keys. */
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, SAPHAN_ERROR,
                   saved == EACCES || saved == EPERM ? SAPHAN_ERROR_PERMISSION
                   : saved == ENOSPC                 ? SAPHAN_ERROR_DISK_FULL
                                                     : SAPHAN_ERROR_IO,
                   _("Cannot create the data folder %s: %s"), data_dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

char *
saphan_paths_database (const char *data_dir)
{
  return g_build_filename (data_dir, "saphan.db", NULL);
}

char *
saphan_paths_receipts_dir (const char *data_dir)
{
  return g_build_filename (data_dir, "receipts", NULL);
}

/* Installed assets, or the source tree's when running from a build folder
 * (the demo command and the tests run uninstalled). */
const char *
saphan_paths_assets_dir (void)
{
  const char *env = g_getenv ("SAPHAN_ASSETS_DIR");

  if (env != NULL && *env != '\0')
    return env;
  if (g_file_test (PKGDATADIR "/forms", G_FILE_TEST_IS_DIR))
    return PKGDATADIR;
  return SOURCE_ASSETS_DIR;
}
