/* saphan-kiosk-key.h: the kiosk's Ed25519 signing key and the keyring of
 * kiosks it trusts.
 *
 * The private key lives in DATA_DIR/keys/kiosk.key (mode 0600, folder 0700)
 * and is made on first use. Its public half is exported as a small text file
 * that staff devices and central services import with "saphanctl keys trust";
 * imported keys live in DATA_DIR/keys/trusted/. A kiosk always trusts its
 * own key.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SAPHAN_KIOSK_KEY_PUBLIC_LEN 32
#define SAPHAN_KIOSK_KEY_SIGNATURE_LEN 64
/* The key id is the first 8 bytes of SHA-256 over the raw public key. */
#define SAPHAN_KIOSK_KEY_ID_LEN 8

#define SAPHAN_TYPE_KIOSK_KEY (saphan_kiosk_key_get_type ())
G_DECLARE_FINAL_TYPE (SaphanKioskKey, saphan_kiosk_key, SAPHAN, KIOSK_KEY, GObject)

/* Loads DATA_DIR/keys/kiosk.key, generating and saving it atomically when
 * it does not exist yet. */
SaphanKioskKey *saphan_kiosk_key_load_or_create  (const char *data_dir, GError **error);
/* A verify-only key from the 32 raw public key bytes. */
SaphanKioskKey *saphan_kiosk_key_new_from_public (const guint8 *raw, gsize len, GError **error);
/* Parses the text written by saphan_kiosk_key_export_public(). */
SaphanKioskKey *saphan_kiosk_key_new_from_public_text (const char *text, GError **error);

gboolean        saphan_kiosk_key_has_private     (SaphanKioskKey *self);
/* Sixteen lower-case hex digits. */
const char     *saphan_kiosk_key_get_id          (SaphanKioskKey *self);
const guint8   *saphan_kiosk_key_get_id_bytes    (SaphanKioskKey *self);
const guint8   *saphan_kiosk_key_get_public_raw  (SaphanKioskKey *self);
/* The raw public key in base64, as shown by "saphanctl keys show". */
char           *saphan_kiosk_key_get_public_base64 (SaphanKioskKey *self);
/* The public key file others import; LABEL (e.g. the kiosk name) may be NULL. */
char           *saphan_kiosk_key_export_public   (SaphanKioskKey *self, const char *label);

/* Ed25519 signature over DATA; OUT_SIGNATURE has SAPHAN_KIOSK_KEY_SIGNATURE_LEN bytes. */
gboolean        saphan_kiosk_key_sign            (SaphanKioskKey *self,
                                                  const guint8   *data,
                                                  gsize           len,
                                                  guint8         *out_signature,
                                                  GError        **error);
gboolean        saphan_kiosk_key_verify          (SaphanKioskKey *self,
                                                  const guint8   *data,
                                                  gsize           len,
                                                  const guint8   *signature,
                                                  gsize           signature_len);

/* ---- Keyring ------------------------------------------------------------ */

/* Copies the public key file at PATH into DATA_DIR/keys/trusted/ under its
 * key id. Returns the key id (owned) or NULL. */
char           *saphan_keyring_trust_file        (const char *data_dir,
                                                  const char *path,
                                                  GError    **error);
/* The trusted key with the given 8-byte id, the kiosk's own included.
 * NULL with SAPHAN_ERROR_NOT_FOUND when no trusted key has that id. */
SaphanKioskKey *saphan_keyring_lookup            (const char   *data_dir,
                                                  const guint8 *key_id,
                                                  gsize         key_id_len,
                                                  GError      **error);
/* Trusted key ids (char *), the kiosk's own first when it exists. */
GPtrArray      *saphan_keyring_list              (const char *data_dir, GError **error);

/* Writes CONTENTS to PATH through a temporary file, fsync and rename, with
 * MODE; the folder is fsynced too so the rename survives a power cut. */
gboolean        saphan_write_file_atomic         (const char   *path,
                                                  const guint8 *contents,
                                                  gsize         len,
                                                  int           mode,
                                                  GError      **error);

G_END_DECLS
