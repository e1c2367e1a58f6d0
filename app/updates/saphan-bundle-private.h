/* saphan-bundle-private.h: what the bundle module's files share. */
#pragma once

#include "saphan-bundle.h"
#include "saphan-error.h"

G_BEGIN_DECLS

#define MANIFEST_NAME "manifest.json"
#define SIGNATURE_NAME "manifest.json.minisig"
#define FILES_PREFIX "files/"
#define MAX_SIGNATURE 16384
#define SETTINGS_MAX_COUNT 256
#define SETTINGS_MAX_NAME 64
#define SETTINGS_MAX_VALUE (64 * 1024)

struct _SaphanStagedBundle
{
  char             *data_dir;
  char             *dir;        /* DATA_DIR/staging/incoming-XXXXXX */
  char             *tree;       /* DIR/tree: the unpacked files */
  GBytes           *manifest;
  GBytes           *signature;
  SaphanBundleInfo *info;
  gboolean          installed;
};

typedef struct
{
  GArray  *keys;   /* of SaphanMinisignPublicKey; index 0 is the root key if ROOT_PRESENT */
  gboolean root_present;
} SaphanBundleKeyring;

/* Sets ERROR (when not NULL) to CODE with an already translated FORMAT. */
gboolean _saphan_bundle_refuse   (GError **error, SaphanErrorCode code, const char *format,
                                  ...) G_GNUC_PRINTF (3, 4);
/* An errno failure on PATH, with the code a CLI maps to an exit status. */
gboolean _saphan_bundle_io_error (GError **error, const char *what, const char *path,
                                  int saved_errno);

/* Durable file operations. */
char    *_saphan_bundle_content_dir (const char *data_dir);
gboolean _saphan_bundle_fsync_path  (const char *path, GError **error);
gboolean _saphan_bundle_fsync_tree  (const char *path, GError **error);
gboolean _saphan_bundle_rm_rf       (const char *path);
gboolean _saphan_bundle_switch_link (const char *folder, const char *name, const char *target,
                                     GError **error);

/* Relative, no "..", no "." and no control characters. */
gboolean          _saphan_bundle_path_is_safe    (const char *path);
SaphanBundleInfo *_saphan_bundle_parse_manifest  (GBytes *bytes, GError **error);
void              _saphan_bundle_keyring_load    (const char *data_dir, SaphanBundleKeyring *ring);
void              _saphan_bundle_keyring_clear   (SaphanBundleKeyring *ring);
/* Anti-rollback: INFO's version against the installed one. */
gboolean          _saphan_bundle_check_version   (const char *data_dir, SaphanBundleInfo *info,
                                                  GError **error);
/* Parses (and with STORE, installs) every form under FILES_DIR/forms. */
gboolean          _saphan_bundle_process_forms   (const char *files_dir, SaphanStore *store,
                                                  GString *ids, GError **error);

/* Reads and checks FILES_DIR/settings.json into a table of name → text (empty
 * when the bundle has none); staging calls it so that a bad file refuses the
 * bundle before anything is switched. */
gboolean          _saphan_bundle_read_settings   (const char *files_dir, GHashTable **out_settings,
                                                  GError **error);

G_END_DECLS
