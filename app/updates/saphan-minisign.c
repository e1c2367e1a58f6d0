/* saphan-minisign.c: minisign's file formats on OpenSSL's libcrypto. */
#include "config.h"

#include "saphan-minisign.h"
#include "saphan-error.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <openssl/evp.h>

#define COMMENT_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define MAX_COMMENT 8192

/* The secret key's encrypted part: key id, libsodium's 64-byte secret key
 * (seed followed by the public key) and a BLAKE2b-256 checksum. */
typedef struct
{
  guint8 key_id[8];
  guint8 sk[64];
  guint8 chk[32];
} KeynumSK;

struct _SaphanMinisignSecretKey
{
  KeynumSK keynum;
};

static gboolean
fail (GError **error, const char *message)
{
  g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE, message);
  return FALSE;
}

static int
fail_index (GError **error, const char *message)
{
  fail (error, message);
  return -1;
}

/* Returns the base64 line of a minisign file: the line after the untrusted
 * comment, or the text itself when it is a bare base64 string. */
static char *
payload_line (const char *text, const char **rest)
{
  const char *line = text;
  const char *end;

  if (g_str_has_prefix (line, COMMENT_PREFIX))
    {
      line = strchr (line, '\n');
      if (line == NULL)
        return NULL;
      line++;
    }
  end = line + strcspn (line, "\r\n");
  /* The line ends in "\n", "\r\n", a lone "\r" or the end of the text;
   * REST must never step over the terminating NUL. */
  if (rest != NULL)
    {
      const char *next = end;

      if (*next == '\r')
        next++;
      if (*next == '\n')
        next++;
      *rest = next;
    }
  return g_strndup (line, end - line);
}

static guint8 *
decode_exact (const char *b64, gsize want, gsize *out_len)
{
  gsize len = 0;
  guint8 *data;

  /* g_base64_decode accepts garbage silently; check the alphabet first. */
  for (const char *p = b64; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return NULL;
  if (strlen (b64) % 4 != 0)
    return NULL;
  data = g_base64_decode (b64, &len);
  if (want != 0 && len != want)
    {
      g_free (data);
      return NULL;
    }
  if (out_len != NULL)
    *out_len = len;
  return data;
}

/* The prehash of the "ED" format. */
static gboolean
blake2b_512 (const guint8 *data, gsize len, guint8 out[64])
{
  unsigned int written = 0;

  return EVP_Digest (data, len, out, &written, EVP_blake2b512 (), NULL) == 1 && written == 64;
}

static EVP_PKEY *
ed25519_private (const guint8 seed[32])
{
  return EVP_PKEY_new_raw_private_key (EVP_PKEY_ED25519, NULL, seed, 32);
}

static gboolean
ed25519_public_of (const guint8 seed[32], guint8 out[32])
{
  EVP_PKEY *pkey = ed25519_private (seed);
  size_t len = 32;
  gboolean ok = pkey != NULL && EVP_PKEY_get_raw_public_key (pkey, out, &len) == 1 && len == 32;

  EVP_PKEY_free (pkey);
  return ok;
}

static gboolean
ed25519_sign (const guint8 seed[32], const guint8 *msg, gsize len, guint8 sig[64])
{
  EVP_PKEY *pkey = ed25519_private (seed);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  size_t sig_len = 64;
  gboolean ok = pkey != NULL && ctx != NULL &&
                EVP_DigestSignInit (ctx, NULL, NULL, NULL, pkey) == 1 &&
                EVP_DigestSign (ctx, sig, &sig_len, msg, len) == 1 && sig_len == 64;

  EVP_MD_CTX_free (ctx);
  EVP_PKEY_free (pkey);
  return ok;
}

static gboolean
ed25519_verify (const guint8 pk[32], const guint8 *msg, gsize len, const guint8 sig[64])
{
  EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, pk, 32);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  gboolean ok = pkey != NULL && ctx != NULL &&
                EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, pkey) == 1 &&
                EVP_DigestVerify (ctx, sig, 64, msg, len) == 1;

  EVP_MD_CTX_free (ctx);
  EVP_PKEY_free (pkey);
  return ok;
}

/* libsodium's choice of scrypt parameters from minisign's opslimit and
 * memlimit (crypto_pwhash_scryptsalsa208sha256), which the key file stores. */
static void
scrypt_params (guint64 opslimit, guint64 memlimit, guint64 *n, guint64 *r, guint64 *p)
{
  guint n_log2;
  guint64 max_n;

  if (opslimit < 32768)
    opslimit = 32768;
  *r = 8;
  if (opslimit < memlimit / 32)
    {
      *p = 1;
      max_n = opslimit / (*r * 4);
    }
  else
    max_n = memlimit / (*r * 128);
  for (n_log2 = 1; n_log2 < 63; n_log2++)
    if (((guint64) 1 << n_log2) > max_n / 2)
      break;
  *n = (guint64) 1 << n_log2;
  if (!(opslimit < memlimit / 32))
    {
      guint64 max_rp = (opslimit / 4) / *n;
      if (max_rp > 0x3fffffff)
        max_rp = 0x3fffffff;
      *p = max_rp / *r;
    }
}

/* ---- Public keys ---------------------------------------------------------- */

gboolean
saphan_minisign_public_key_parse (const char *text, SaphanMinisignPublicKey *out, GError **error)
{
  g_autofree char *line = NULL;
  g_autofree guint8 *raw = NULL;

  g_return_val_if_fail (text != NULL && out != NULL, FALSE);

  line = payload_line (text, NULL);
  if (line == NULL || (raw = decode_exact (g_strstrip (line), 42, NULL)) == NULL)
    return fail (error, _("This is not a minisign public key."));
  if (memcmp (raw, "Ed", 2) != 0)
    return fail (error, _("This public key is not an Ed25519 minisign key."));
  memcpy (out->key_id, raw + 2, 8);
  memcpy (out->public_key, raw + 10, 32);
  return TRUE;
}

char *
saphan_minisign_key_id_to_string (const guint8 *key_id)
{
  /* minisign stores the id little-endian and prints it as a number. */
  return g_strdup_printf ("%02X%02X%02X%02X%02X%02X%02X%02X", key_id[7], key_id[6], key_id[5],
                          key_id[4], key_id[3], key_id[2], key_id[1], key_id[0]);
}

char *
saphan_minisign_public_key_to_text (const SaphanMinisignPublicKey *key, const char *comment)
{
  guint8 raw[42];
  g_autofree char *b64 = NULL;
  g_autofree char *id = saphan_minisign_key_id_to_string (key->key_id);

  memcpy (raw, "Ed", 2);
  memcpy (raw + 2, key->key_id, 8);
  memcpy (raw + 10, key->public_key, 32);
  b64 = g_base64_encode (raw, sizeof raw);
  return g_strdup_printf (COMMENT_PREFIX "%s %s\n%s\n",
                          comment != NULL ? comment : "minisign public key", id, b64);
}

/* ---- Secret keys ---------------------------------------------------------- */

/* Layout: sig_alg[2] kdf_alg[2] chk_alg[2] salt[32] opslimit[8] memlimit[8] keynum_sk[104]. */
#define SK_RAW_LEN (2 + 2 + 2 + 32 + 8 + 8 + sizeof (KeynumSK))

gboolean
saphan_minisign_secret_key_is_encrypted (const char *text)
{
  g_autofree char *line = payload_line (text, NULL);
  g_autofree guint8 *raw = line != NULL ? decode_exact (g_strstrip (line), SK_RAW_LEN, NULL) : NULL;

  return raw != NULL && memcmp (raw + 2, "Sc", 2) == 0;
}

SaphanMinisignSecretKey *
saphan_minisign_secret_key_load (const char *text, const char *password, GError **error)
{
  g_autofree char *line = NULL;
  g_autofree guint8 *raw = NULL;
  g_autofree SaphanMinisignSecretKey *key = NULL;
  guint8 derived_pk[32];

  g_return_val_if_fail (text != NULL, NULL);

  line = payload_line (text, NULL);
  if (line == NULL || (raw = decode_exact (g_strstrip (line), SK_RAW_LEN, NULL)) == NULL)
    {
      fail (error, _("This is not a minisign secret key file."));
      return NULL;
    }
  if (memcmp (raw, "Ed", 2) != 0 || memcmp (raw + 4, "B2", 2) != 0)
    {
      fail (error, _("This secret key uses an algorithm minisign does not make."));
      return NULL;
    }

  key = g_new0 (SaphanMinisignSecretKey, 1);
  memcpy (&key->keynum, raw + 54, sizeof (KeynumSK));

  if (memcmp (raw + 2, "Sc", 2) == 0)
    {
      guint64 opslimit, memlimit;
      guint64 n, r, p;
      guint8 stream[sizeof (KeynumSK)];
      guint8 *bytes = (guint8 *) &key->keynum;

      /* The limits lie unaligned in the decoded key: copy, never cast. */
      memcpy (&opslimit, raw + 38, sizeof opslimit);
      memcpy (&memlimit, raw + 46, sizeof memlimit);
      opslimit = GUINT64_FROM_LE (opslimit);
      memlimit = GUINT64_FROM_LE (memlimit);
      if (password == NULL)
        {
          g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                               _("This secret key is protected by a password; give the password."));
          return NULL;
        }
      scrypt_params (opslimit, memlimit, &n, &r, &p);
      /* minisign's keys ask for up to 1 GiB; refuse anything beyond that. */
      if (n * r * 128 > ((guint64) 1 << 31) || p == 0)
        {
          fail (error, _("This secret key asks for more memory than allowed to decrypt it."));
          return NULL;
        }
      if (EVP_PBE_scrypt (password, strlen (password), raw + 6, 32, n, r, p,
                          n * r * 128 + ((guint64) 64 << 20), stream, sizeof stream) != 1)
        {
          g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                               _("Could not derive the key from the password (out of memory?)."));
          return NULL;
        }
      for (gsize i = 0; i < sizeof stream; i++)
        bytes[i] ^= stream[i];
      OPENSSL_cleanse (stream, sizeof stream);
    }
  else if (memcmp (raw + 2, "\0\0", 2) != 0)
    {
      fail (error, _("This secret key uses an unknown key derivation."));
      return NULL;
    }

  /* libsodium's secret key is the seed followed by the public key: deriving
   * the public key again proves the password (and the file) right, without
   * relying on the checksum, which minisign leaves empty for keys made
   * with -W. */
  if (!ed25519_public_of (key->keynum.sk, derived_pk) ||
      memcmp (derived_pk, key->keynum.sk + 32, 32) != 0)
    {
      OPENSSL_cleanse (key, sizeof *key);
      fail (error, _("Wrong password for this secret key, or the key file is damaged."));
      return NULL;
    }
  return g_steal_pointer (&key);
}

void
saphan_minisign_secret_key_free (SaphanMinisignSecretKey *key)
{
  if (key == NULL)
    return;
  OPENSSL_cleanse (key, sizeof *key);
  g_free (key);
}

void
saphan_minisign_secret_key_get_public (const SaphanMinisignSecretKey *key,
                                       SaphanMinisignPublicKey *out)
{
  memcpy (out->key_id, key->keynum.key_id, 8);
  memcpy (out->public_key, key->keynum.sk + 32, 32);
}

/* ---- Signatures ------------------------------------------------------------ */

char *
saphan_minisign_sign (const SaphanMinisignSecretKey *key, const guint8 *data, gsize len,
                      const char *trusted_comment, GError **error)
{
  guint8 hash[64], sig_blob[74], global[64];
  g_autofree guint8 *global_msg = NULL;
  g_autofree char *sig_b64 = NULL, *global_b64 = NULL;
  gsize tc_len;

  if (trusted_comment == NULL)
    trusted_comment = "";
  if (strchr (trusted_comment, '\n') != NULL || strlen (trusted_comment) > MAX_COMMENT)
    {
      g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                           _("A trusted comment must be one line."));
      return NULL;
    }
  memcpy (sig_blob, "ED", 2);
  memcpy (sig_blob + 2, key->keynum.key_id, 8);
  if (!blake2b_512 (data, len, hash) || !ed25519_sign (key->keynum.sk, hash, 64, sig_blob + 10))
    {
      g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED, _("Signing failed."));
      return NULL;
    }
  /* The global signature covers the signature and the trusted comment. */
  tc_len = strlen (trusted_comment);
  global_msg = g_malloc (64 + tc_len);
  memcpy (global_msg, sig_blob + 10, 64);
  memcpy (global_msg + 64, trusted_comment, tc_len);
  if (!ed25519_sign (key->keynum.sk, global_msg, 64 + tc_len, global))
    {
      g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED, _("Signing failed."));
      return NULL;
    }
  sig_b64 = g_base64_encode (sig_blob, sizeof sig_blob);
  global_b64 = g_base64_encode (global, sizeof global);
  return g_strdup_printf (COMMENT_PREFIX "signature from saphanctl secret key\n%s\n"
                          TRUSTED_PREFIX "%s\n%s\n", sig_b64, trusted_comment, global_b64);
}

int
saphan_minisign_verify (const char *signature_text, const guint8 *data, gsize len,
                        const SaphanMinisignPublicKey *keys, guint n_keys,
                        char **out_trusted_comment, GError **error)
{
  const char *rest = NULL, *rest2 = NULL;
  g_autofree char *sig_line = NULL, *tc_line = NULL, *global_line = NULL;
  g_autofree guint8 *sig_blob = NULL, *global = NULL, *global_msg = NULL;
  const char *trusted;
  guint8 hash[64];
  gsize tc_len;
  int found = -1;

  g_return_val_if_fail (signature_text != NULL, -1);

  if (strlen (signature_text) > 4 * MAX_COMMENT)
    return fail_index (error, _("The signature file is too large to be a minisign signature."));
  if (!g_str_has_prefix (signature_text, COMMENT_PREFIX))
    return fail_index (error, _("The signature is not in minisign's format."));
  sig_line = payload_line (signature_text, &rest);
  if (sig_line == NULL || (sig_blob = decode_exact (sig_line, 74, NULL)) == NULL)
    return fail_index (error, _("The signature is malformed."));
  if (memcmp (sig_blob, "Ed", 2) == 0)
    return fail_index (error, _("The signature uses minisign's legacy format; sign with a current "
                          "minisign (prehashed signatures)."));
  if (memcmp (sig_blob, "ED", 2) != 0)
    return fail_index (error, _("The signature uses an unknown algorithm."));

  tc_line = g_strndup (rest, strcspn (rest, "\r\n"));
  if (!g_str_has_prefix (tc_line, TRUSTED_PREFIX))
    return fail_index (error, _("The signature has no trusted comment."));
  rest2 = rest + strlen (tc_line);
  rest2 += strspn (rest2, "\r\n");
  global_line = g_strndup (rest2, strcspn (rest2, "\r\n"));
  if ((global = decode_exact (global_line, 64, NULL)) == NULL)
    return fail_index (error, _("The signature's trusted comment is not signed."));

  for (guint i = 0; i < n_keys; i++)
    if (memcmp (keys[i].key_id, sig_blob + 2, 8) == 0)
      {
        found = (int) i;
        break;
      }
  if (found < 0)
    {
      g_autofree char *id = saphan_minisign_key_id_to_string (sig_blob + 2);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("Signed by key %s, which this kiosk does not trust."), id);
      return -1;
    }
  if (!blake2b_512 (data, len, hash) ||
      !ed25519_verify (keys[found].public_key, hash, 64, sig_blob + 10))
    return fail_index (error, _("The signature does not match the signed file: it was altered or "
                          "signed by someone else."));

  trusted = tc_line + strlen (TRUSTED_PREFIX);
  tc_len = strlen (trusted);
  global_msg = g_malloc (64 + tc_len);
  memcpy (global_msg, sig_blob + 10, 64);
  memcpy (global_msg + 64, trusted, tc_len);
  if (!ed25519_verify (keys[found].public_key, global_msg, 64 + tc_len, global))
    return fail_index (error, _("The signature's trusted comment was altered."));

  if (out_trusted_comment != NULL)
    *out_trusted_comment = g_strdup (trusted);
  return found;
}
