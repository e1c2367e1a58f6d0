/* saphan-library.h: a shared library opened at its first use.
 *
 * The kiosk needs libcurl only to send and libcups only to print, and the
 * two bring some thirty libraries with them (TLS, Kerberos, LDAP, Avahi).
 * Linked, they are all loaded and relocated before main() runs, which is
 * time a citizen waits for the first screen. Instead, sync/ and printing/
 * each define the library's functions they call as small forwarders
 * (saphan-curl-loader.c, saphan-cups-loader.c) that open the library through
 * this loader on the first call, after the start screen is up.
 *
 * A library is described by a static SaphanLibrary; loading it is
 * thread-safe and happens once. All its symbols are resolved at that moment,
 * so a library too old to have one fails there, with a message naming it,
 * rather than at some later call.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *soname;          /* e.g. "libcurl.so.4" */
  const char *needed_for;      /* translatable: what cannot work without it */
  const char *const *symbols;  /* NULL-terminated */
  gpointer *slots;             /* one per symbol, filled by the load */

  /* Private */
  gsize state;
  char *failure;
} SaphanLibrary;

gboolean saphan_library_load (SaphanLibrary *library, GError **error);

G_END_DECLS
