/* saphan-error.h: the project's error domain.
 *
 * Every error a person may see carries a translatable message that says what
 * happened and what to do. The codes are few and specific so that callers
 * (the CLI's exit codes, the kiosk's messages) can act on them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAPHAN_ERROR (saphan_error_quark ())

typedef enum
{
  /* Bad input: refused, nothing changed. CLI exit code 1. */
  SAPHAN_ERROR_INVALID = 1,
  SAPHAN_ERROR_NOT_FOUND,
  SAPHAN_ERROR_EXISTS,
  SAPHAN_ERROR_FORM_INVALID,
  SAPHAN_ERROR_STATE,          /* an operation not allowed in the current state */
  SAPHAN_ERROR_NOT_A_DATABASE, /* the file is not a Saphan database */
  SAPHAN_ERROR_TOO_NEW,        /* the database has a newer schema than this program */
  SAPHAN_ERROR_SIGNATURE,      /* a signature or checksum does not verify */
  /* The environment: the request was fine but the machine could not do it.
   * CLI exit code 3. */
  SAPHAN_ERROR_BUSY,           /* the database is locked by another process */
  SAPHAN_ERROR_DISK_FULL,
  SAPHAN_ERROR_PERMISSION,
  SAPHAN_ERROR_IO,
  SAPHAN_ERROR_NETWORK,
  SAPHAN_ERROR_FAILED,         /* an internal failure; a bug if it is ever seen */
} SaphanErrorCode;

GQuark       saphan_error_quark       (void);
gboolean     saphan_error_is_environment (const GError *error);
const char  *saphan_error_code_name   (SaphanErrorCode code);
int          saphan_error_exit_code   (const GError *error);

G_END_DECLS
