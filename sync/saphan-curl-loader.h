/* saphan-curl-loader.h: libcurl, opened at the first call into it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Opens libcurl and runs its curl_global_init() now, once, if that was not
 * yet done: the one place either happens. FALSE, with an error naming the
 * library and the system's reason, when it cannot be opened: every
 * curl_*() function then fails as libcurl does when it cannot start. */
gboolean saphan_curl_load (GError **error);

G_END_DECLS
