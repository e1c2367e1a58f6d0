/* saphan-cups-loader.h: libcups, opened at the first call into it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Opens libcups now if it is not yet open. FALSE, with an error naming the
 * library and the system's reason, when it cannot be: every CUPS function
 * then fails as it does when the server cannot be reached. */
gboolean saphan_cups_load (GError **error);

G_END_DECLS
