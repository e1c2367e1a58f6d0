/* saphan-sync-forms.h: keeps the kiosk's forms current from the server.
 *
 * Reads the server's OpenRosa formList, downloads every form whose md5
 * hash differs from the installed one (with its manifest's media files),
 * checks each hash, and hands the files to an install function, by default
 * a well-formedness check followed by the store's atomic install. A form
 * no longer listed stops being offered.
 *
 * Form downloads are rare and small, so they run with blocking libcurl
 * calls in a GTask worker thread rather than on the main loop.
 */
#pragma once

#include <gio/gio.h>

#include "saphan-store.h"

G_BEGIN_DECLS

/* Validates and installs one downloaded form; MEDIA maps file names
 * (char *) to contents (GBytes *). The kiosk passes the form engine's full
 * validation here, the same as for a USB update. */
typedef gboolean (*SaphanFormInstallFunc) (SaphanStore *store,
                                           const char  *form_id,
                                           const char  *version,
                                           const char  *title,
                                           GBytes      *xml,
                                           GHashTable  *media,
                                           gpointer     user_data,
                                           GError     **error);

typedef struct
{
  guint listed;
  guint installed;
  guint unchanged;
  guint deactivated;
  guint failed;       /* a download, hash or validation failed; the old form stays */
} SaphanFormsSummary;

void     saphan_sync_forms_update_async  (SaphanStore          *store,
                                          SaphanFormInstallFunc install,
                                          gpointer              install_data,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean saphan_sync_forms_update_finish (GAsyncResult       *result,
                                          SaphanFormsSummary *out_summary,
                                          GError            **error);
/* Blocking, for the CLI and tests. INSTALL may be NULL for the default. */
gboolean saphan_sync_forms_update        (SaphanStore          *store,
                                          SaphanFormInstallFunc install,
                                          gpointer              install_data,
                                          GCancellable         *cancellable,
                                          SaphanFormsSummary   *out_summary,
                                          GError              **error);

G_END_DECLS
