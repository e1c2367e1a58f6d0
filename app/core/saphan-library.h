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

/* For a loader, the .c file that defines one library's functions. LIST is
 * an X-macro naming them: LIST (X) expands to X (name) for each. This
 * declares the static SaphanLibrary VARIABLE with a slot per function; one
 * per file, as the slots are named by function. */
#define SAPHAN_LIBRARY_DEFINE(variable, soname_, needed_for_, LIST) \
  enum { LIST (SAPHAN_LIBRARY_INDEX_) SAPHAN_LIBRARY_N_SYMBOLS_ }; \
  static const char *const variable##_symbols[] = { LIST (SAPHAN_LIBRARY_NAME_) NULL }; \
  static gpointer variable##_slots[SAPHAN_LIBRARY_N_SYMBOLS_]; \
  static SaphanLibrary variable = { \
    .soname = soname_, \
    .needed_for = needed_for_, \
    .symbols = variable##_symbols, \
    .slots = variable##_slots, \
  }
#define SAPHAN_LIBRARY_INDEX_(name) SAPHAN_LIBRARY_SYMBOL_##name,
#define SAPHAN_LIBRARY_NAME_(name) #name,

/* The library's own function NAME, with the prototype its header declares. */
#define SAPHAN_LIBRARY_REAL(variable, name) \
  ((__typeof__ (name) *) variable##_slots[SAPHAN_LIBRARY_SYMBOL_##name])

/* Defines NAME (PARAMS), returning FAILED if the library cannot be loaded
 * and otherwise what the library's NAME ARGS returns. */
#define SAPHAN_LIBRARY_FORWARD(variable, type, name, params, args, failed) \
  type name params \
  { \
    if (!saphan_library_load (&variable, NULL)) \
      return failed; \
    return SAPHAN_LIBRARY_REAL (variable, name) args; \
  }

#define SAPHAN_LIBRARY_FORWARD_VOID(variable, name, params, args) \
  void name params \
  { \
    if (saphan_library_load (&variable, NULL)) \
      SAPHAN_LIBRARY_REAL (variable, name) args; \
  }

G_END_DECLS
