/* bundle-test-util.h: what the update tests share.
 *
 * Bad bundles are made here byte by byte (tar headers with any type, size
 * or name, manifests with any claim), so that every refusal the kiosk makes
 * is provoked by a real file on disk.
 */
#pragma once

#include "saphan-bundle.h"
#include "saphan-store.h"

G_BEGIN_DECLS

/* One archive entry. TYPE is the ustar type flag ('0' file, '2' symlink,
 * '1' hard link, '3' device, '5' folder). SIZE_FIELD, when not -1, is
 * written into the header instead of the data's real length. */
typedef struct
{
  char       *name;
  char        type;
  GBytes     *data;
  char       *link;
  gint64      size_field;
} BtEntry;

typedef struct
{
  guint64    version;
  char      *compatible;
  GPtrArray *listed;          /* of SaphanBundleFile *: what the manifest lists */
  GPtrArray *entries;         /* of BtEntry *, in archive order */
  char      *manifest;        /* manifest.json's text */
  char      *signature;       /* manifest.json.minisig's text */
  const char *signature_name; /* NULL: manifest.json.minisig */
} BtBundle;

void      bt_bundle_free       (BtBundle *bundle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BtBundle, bt_bundle_free)

/* A bundle of FILES (path -> text, NULL-terminated pairs) at VERSION,
 * manifest built like saphan_bundle_create's, signed with KEY. */
BtBundle *bt_bundle_new        (const SaphanMinisignSecretKey *key, guint64 version,
                                const char *compatible, const char *const *files);
/* Rebuilds the manifest from VERSION, COMPATIBLE and LISTED and signs it. */
void      bt_bundle_resign     (BtBundle *bundle, const SaphanMinisignSecretKey *key);
void      bt_bundle_add_entry  (BtBundle *bundle, const char *name, char type, const void *data,
                                gsize len, const char *link, gint64 size_field);
BtEntry  *bt_bundle_find       (BtBundle *bundle, const char *name);
/* Writes the gzip-compressed tar: manifest, signature, then the entries.
 * END_MARKER FALSE leaves the two zero blocks out. */
void      bt_bundle_write      (BtBundle *bundle, const char *path, gboolean end_marker);
/* Gzip-compresses DATA into PATH. */
void      bt_write_gzip        (const char *path, const guint8 *data, gsize len);
/* The uncompressed tar, for tests that corrupt the compression. */
GBytes   *bt_bundle_tar        (BtBundle *bundle, gboolean end_marker);

/* Runs minisign -G (real minisign). PASSWORD NULL makes a -W key. */
void      bt_minisign_keygen   (const char *dir, const char *name, const char *password);
SaphanMinisignSecretKey *bt_load_secret (const char *dir, const char *name, const char *password);
void      bt_trust             (const char *data_dir, const char *key_dir, const char *name,
                                gboolean root);

/* SHA-256 over everything the installed state consists of: the content
 * folder (names, link targets, bytes), the keys folder and, with STORE,
 * every form in the store with its XML, media and active flag. */
char     *bt_state_hash        (const char *data_dir, SaphanStore *store);

/* Runs ARGV, feeding STDIN_TEXT; returns the exit status, output in OUT/ERR. */
int       bt_run               (const char *const *argv, const char *stdin_text, char **out,
                                char **err);

char     *bt_make_dir          (void);
void      bt_remove_dir        (const char *dir);

G_END_DECLS
