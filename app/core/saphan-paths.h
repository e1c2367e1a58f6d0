/* saphan-paths.h: where Saphan keeps its data. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char       *saphan_paths_default_data_dir (void);
gboolean    saphan_paths_ensure_data_dir  (const char *data_dir, GError **error);
char       *saphan_paths_database         (const char *data_dir);
char       *saphan_paths_receipts_dir     (const char *data_dir);
const char *saphan_paths_assets_dir       (void);

G_END_DECLS
