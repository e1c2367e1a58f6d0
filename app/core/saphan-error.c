/* saphan-error.c: the project's error domain. */
#include "config.h"

#include "saphan-error.h"

#include <gio/gio.h>

G_DEFINE_QUARK (saphan-error-quark, saphan_error)

/* The names are stable identifiers used in --json output and in tests; they
 * are not shown to people and are therefore not translated. */
static const struct
{
  SaphanErrorCode code;
  const char *name;
  gboolean environment;
} error_table[] = {
  { SAPHAN_ERROR_INVALID, "invalid", FALSE },
  { SAPHAN_ERROR_NOT_FOUND, "not-found", FALSE },
  { SAPHAN_ERROR_EXISTS, "exists", FALSE },
  { SAPHAN_ERROR_FORM_INVALID, "form-invalid", FALSE },
  { SAPHAN_ERROR_STATE, "state", FALSE },
  { SAPHAN_ERROR_NOT_A_DATABASE, "not-a-database", FALSE },
  { SAPHAN_ERROR_TOO_NEW, "too-new", FALSE },
  { SAPHAN_ERROR_SIGNATURE, "signature", FALSE },
  { SAPHAN_ERROR_BUSY, "busy", TRUE },
  { SAPHAN_ERROR_DISK_FULL, "disk-full", TRUE },
  { SAPHAN_ERROR_PERMISSION, "permission", TRUE },
  { SAPHAN_ERROR_IO, "io", TRUE },
  { SAPHAN_ERROR_NETWORK, "network", TRUE },
  { SAPHAN_ERROR_FAILED, "failed", TRUE },
};

const char *
saphan_error_code_name (SaphanErrorCode code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (error_table[i].code == code)
      return error_table[i].name;
  return "unknown";
}

gboolean
saphan_error_is_environment (const GError *error)
{
  g_return_val_if_fail (error != NULL, FALSE);

  /* Errors from GIO about files are the machine's doing, not the user's. */
  if (error->domain == G_IO_ERROR)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (error->domain == G_FILE_ERROR)
    return error->code != G_FILE_ERROR_NOENT && error->code != G_FILE_ERROR_INVAL;
  if (error->domain != SAPHAN_ERROR)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (error_table); i++)
    if ((int) error_table[i].code == error->code)
      return error_table[i].environment;
  return TRUE;
}

/* The CLI contract: 0 ok, 1 refused or bad input, 2 usage, 3 environment. */
int
saphan_error_exit_code (const GError *error)
{
  if (error == NULL)
    return 0;
  return saphan_error_is_environment (error) ? 3 : 1;
}
