/* saphan-bundle.h: signed update bundles carried in on USB sticks.
 *
 * A bundle is one gzip-compressed ustar file: manifest.json (every file
 * with its size and SHA-256, a version that only grows, the device class it
 * is for, when it was issued), manifest.json.minisig (a minisign prehashed
 * signature of the manifest) and the files under files/.
 *
 * Nothing is trusted where it lies: the bundle is first copied into a
 * private staging folder and only that copy is read, once. Installing
 * switches the kiosk's content folder by renaming a symbolic link, so a
 * power cut leaves the old or the new content whole, never a mix.
 *
 * DATA_DIR/content/current   -> versions/V-XXXXXX  the content in force
 * DATA_DIR/content/previous  -> versions/U-XXXXXX  kept for rollback
 * DATA_DIR/keys/bundle-root.pub                     may rotate release keys, downgrade
 * DATA_DIR/keys/bundle-release/ID.pub               sign ordinary bundles
 */
#pragma once

#include <gio/gio.h>

#include "saphan-minisign.h"
#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_BUNDLE_DEFAULT_COMPATIBLE "saphan-kiosk/1"
/* Bounds checked before anything is read, so a hostile stick cannot fill
 * the disk or the memory. */
#define SAPHAN_BUNDLE_MAX_SIZE      (G_GUINT64_CONSTANT (1) << 30)
#define SAPHAN_BUNDLE_MAX_MANIFEST  (1 << 20)
#define SAPHAN_BUNDLE_MAX_FILES     10000
#define SAPHAN_BUNDLE_MAX_FILE_SIZE (G_GUINT64_CONSTANT (256) << 20)

typedef struct
{
  char   *path;      /* relative, checked: no "..", no absolute paths */
  guint64 size;
  char   *sha256;    /* lowercase hex */
} SaphanBundleFile;

void saphan_bundle_file_free (SaphanBundleFile *file);

typedef struct
{
  guint64    version;
  char      *compatible;
  char      *issued_at;
  GPtrArray *files;          /* of SaphanBundleFile * */
  gboolean   signed_by_root;
  char      *key_id;         /* the signer's minisign key id */
} SaphanBundleInfo;

void saphan_bundle_info_free (SaphanBundleInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanBundleInfo, saphan_bundle_info_free)

typedef struct _SaphanStagedBundle SaphanStagedBundle;

/* Builds a bundle of every regular file under SRC_DIR, signed with KEY. */
gboolean saphan_bundle_create (const char *src_dir, const char *out_path,
                               const SaphanMinisignSecretKey *key, guint64 version,
                               const char *compatible, GError **error);

/* Copies BUNDLE_PATH into staging, verifies the copy completely (signature,
 * version, device class, every file's size and hash, archive hygiene) and
 * unpacks it there. Nothing installed is touched. */
SaphanStagedBundle     *saphan_bundle_stage (const char *data_dir, const char *bundle_path,
                                             GError **error);
const SaphanBundleInfo *saphan_staged_bundle_get_info (SaphanStagedBundle *staged);
/* Removes the staging folder unless the bundle was installed. */
void                    saphan_staged_bundle_free (SaphanStagedBundle *staged);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanStagedBundle, saphan_staged_bundle_free)

/* Switches the content to STAGED, then brings the store in line (forms,
 * settings). STORE may be NULL to switch the content only. */
gboolean saphan_bundle_install  (SaphanStagedBundle *staged, SaphanStore *store, GError **error);
/* Stage and install in one go, with an audit entry either way. */
gboolean saphan_bundle_apply    (const char *data_dir, SaphanStore *store, const char *bundle_path,
                                 SaphanBundleInfo **out_info, GError **error);
/* The same off the caller's thread, for the kiosk's staff screen: the
 * result's SaphanBundleInfo comes from _finish (free it). */
void     saphan_bundle_apply_async  (const char *data_dir, SaphanStore *store,
                                     const char *bundle_path, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
SaphanBundleInfo *saphan_bundle_apply_finish (GAsyncResult *result, GError **error);
/* Goes back to the previous content. */
gboolean saphan_bundle_rollback (const char *data_dir, SaphanStore *store, GError **error);
/* At start-up, before any bundle is staged: removes what a cut-off apply
 * left behind and, after a crash between the switch and the store update,
 * installs the current content's forms and settings into the store. */
gboolean saphan_bundle_reconcile (const char *data_dir, SaphanStore *store, GError **error);
/* The installed content's version, 0 when none. */
guint64  saphan_bundle_installed_version (const char *data_dir);
/* The version a rollback would go back to, 0 when none. */
guint64  saphan_bundle_previous_version (const char *data_dir);
char    *saphan_bundle_current_dir (const char *data_dir);

/* First setup only: trusts a release (or, with ROOT, the root) public key.
 * Refused once a key of that kind is trusted: later keys come in bundles
 * signed by the root key. */
gboolean saphan_bundle_trust (const char *data_dir, const char *public_key_text, gboolean root,
                              GError **error);

G_END_DECLS
