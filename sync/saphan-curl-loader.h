/* saphan-curl-loader.h: libcurl, opened at the first call into it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Opens libcurl now if it is not yet open. FALSE, with an error naming the
 * library and the system's reason, when it cannot be: every curl_*()
 * function then fails as libcurl does when it cannot start. */
gboolean saphan_curl_load (GError **error);

G_END_DECLS
