/* saphan-minisign.h: minisign keys and signatures, so that bundles signed
 * with Debian's standard minisign tool verify, and bundles we sign verify
 * with minisign -V.
 *
 * Only the prehashed "ED" signature format is made and accepted: the file is
 * hashed with BLAKE2b-512 and the hash is signed with Ed25519. The legacy
 * "Ed" format (signing the whole file) is refused.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAPHAN_MINISIGN_KEY_ID_LEN 8

typedef struct
{
  guint8 key_id[SAPHAN_MINISIGN_KEY_ID_LEN];
  guint8 public_key[32];
} SaphanMinisignPublicKey;

typedef struct _SaphanMinisignSecretKey SaphanMinisignSecretKey;

/* Parses a public key file's text ("untrusted comment: …\nRW…\n") or the
 * bare base64 line. */
gboolean saphan_minisign_public_key_parse (const char *text, SaphanMinisignPublicKey *out,
                                           GError **error);
/* The key id as minisign prints it: 16 hex digits, most significant first. */
char    *saphan_minisign_key_id_to_string (const guint8 *key_id);
/* The public key file's text for KEY. */
char    *saphan_minisign_public_key_to_text (const SaphanMinisignPublicKey *key,
                                             const char *comment);

/* Loads a secret key file made by minisign -G. PASSWORD is used only for an
 * encrypted key (may be NULL for a -W key); a wrong password is a clear error. */
SaphanMinisignSecretKey *saphan_minisign_secret_key_load (const char *text, const char *password,
                                                          GError **error);
gboolean saphan_minisign_secret_key_is_encrypted (const char *text);
void     saphan_minisign_secret_key_free (SaphanMinisignSecretKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanMinisignSecretKey, saphan_minisign_secret_key_free)
void     saphan_minisign_secret_key_get_public (const SaphanMinisignSecretKey *key,
                                                SaphanMinisignPublicKey *out);

/* Signs DATA; returns the .minisig file's text with TRUSTED_COMMENT. */
char    *saphan_minisign_sign (const SaphanMinisignSecretKey *key, const guint8 *data, gsize len,
                               const char *trusted_comment, GError **error);

/* Verifies SIGNATURE_TEXT over DATA against KEYS (an array of n keys). On
 * success returns the index of the key that signed, and the trusted comment
 * if OUT_TRUSTED_COMMENT is non-NULL; -1 with an error naming the reason
 * otherwise (malformed, legacy format, unknown key id, bad signature, bad
 * trusted comment signature). */
int      saphan_minisign_verify (const char *signature_text, const guint8 *data, gsize len,
                                 const SaphanMinisignPublicKey *keys, guint n_keys,
                                 char **out_trusted_comment, GError **error);

G_END_DECLS
