/* saphan-usb-crypto.c: transport encryption for exports, on OpenSSL's
 * libcrypto only: AES-256-GCM under a random key per file, the key wrapped
 * with RSA-OAEP (SHA-256) for the deployment's central key. */
#include "config.h"

#include "saphan-usb-private.h"
#include "saphan-error.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

/* An encrypted file: magic, wrapped key length (2 bytes, big-endian), the
 * wrapped key, the 12-byte nonce, the ciphertext and the 16-byte tag. */
#define ENC_MAGIC "SAPHENC1"
#define ENC_MAGIC_LEN 8
#define IV_LEN 12
#define TAG_LEN 16

static gboolean
crypto_error (GError **error, const char *what)
{
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED, _("Encryption failed: %s"), what);
  return FALSE;
}

GBytes *
_saphan_usb_encrypt_for (EVP_PKEY *recipient, const char *aad, GBytes *plain, GError **error)
{
  guint8 key[32], iv[IV_LEN], tag[TAG_LEN];
  g_autoptr (GByteArray) out = g_byte_array_new ();
  EVP_PKEY_CTX *pctx = NULL;
  EVP_CIPHER_CTX *cctx = NULL;
  g_autofree guint8 *wrapped = NULL, *cipher = NULL;
  size_t wrapped_len = 0;
  gsize plain_len;
  const guint8 *plain_data = g_bytes_get_data (plain, &plain_len);
  int len = 0, final_len = 0;
  guint8 len_be[2];
  gboolean ok = FALSE;

  if (RAND_bytes (key, sizeof key) != 1 || RAND_bytes (iv, sizeof iv) != 1)
    return crypto_error (error, "random"), NULL;

  pctx = EVP_PKEY_CTX_new (recipient, NULL);
  if (pctx == NULL || EVP_PKEY_encrypt_init (pctx) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding (pctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md (pctx, EVP_sha256 ()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md (pctx, EVP_sha256 ()) != 1 ||
      EVP_PKEY_encrypt (pctx, NULL, &wrapped_len, key, sizeof key) != 1 || wrapped_len > 0xffff)
    goto out;
  wrapped = g_malloc (wrapped_len);
  if (EVP_PKEY_encrypt (pctx, wrapped, &wrapped_len, key, sizeof key) != 1)
    goto out;

  cctx = EVP_CIPHER_CTX_new ();
  cipher = g_malloc (plain_len + 16);
  if (cctx == NULL || EVP_EncryptInit_ex (cctx, EVP_aes_256_gcm (), NULL, key, iv) != 1 ||
      EVP_EncryptUpdate (cctx, NULL, &len, (const guint8 *) aad, strlen (aad)) != 1 ||
      EVP_EncryptUpdate (cctx, cipher, &len, plain_data, plain_len) != 1 ||
      EVP_EncryptFinal_ex (cctx, cipher + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl (cctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
    goto out;

  len_be[0] = wrapped_len >> 8;
  len_be[1] = wrapped_len & 0xff;
  g_byte_array_append (out, (const guint8 *) ENC_MAGIC, ENC_MAGIC_LEN);
  g_byte_array_append (out, len_be, 2);
  g_byte_array_append (out, wrapped, wrapped_len);
  g_byte_array_append (out, iv, IV_LEN);
  g_byte_array_append (out, cipher, len + final_len);
  g_byte_array_append (out, tag, TAG_LEN);
  ok = TRUE;

out:
  OPENSSL_cleanse (key, sizeof key);
  EVP_PKEY_CTX_free (pctx);
  EVP_CIPHER_CTX_free (cctx);
  if (!ok)
    return crypto_error (error, _("the central public key cannot be used")), NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
_saphan_usb_decrypt_with (EVP_PKEY *private_key, const char *aad, GBytes *sealed, GError **error)
{
  gsize sealed_len;
  const guint8 *p = g_bytes_get_data (sealed, &sealed_len);
  gsize wrapped_len, body_len;
  /* RSA decryption wants room for a whole modulus, whatever the result. */
  guint8 key[1024];
  size_t key_len = sizeof key;
  EVP_PKEY_CTX *pctx = NULL;
  EVP_CIPHER_CTX *cctx = NULL;
  g_autofree guint8 *plain = NULL;
  int len = 0, final_len = 0;
  gboolean ok = FALSE;

  if (sealed_len < ENC_MAGIC_LEN + 2 || memcmp (p, ENC_MAGIC, ENC_MAGIC_LEN) != 0)
    goto out;
  wrapped_len = (p[ENC_MAGIC_LEN] << 8) | p[ENC_MAGIC_LEN + 1];
  if (sealed_len < ENC_MAGIC_LEN + 2 + wrapped_len + IV_LEN + TAG_LEN)
    goto out;
  body_len = sealed_len - (ENC_MAGIC_LEN + 2 + wrapped_len + IV_LEN + TAG_LEN);

  pctx = EVP_PKEY_CTX_new (private_key, NULL);
  if (pctx == NULL || EVP_PKEY_decrypt_init (pctx) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding (pctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md (pctx, EVP_sha256 ()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md (pctx, EVP_sha256 ()) != 1 ||
      EVP_PKEY_decrypt (pctx, key, &key_len, p + ENC_MAGIC_LEN + 2, wrapped_len) != 1 ||
      key_len != 32)
    goto out;

  p += ENC_MAGIC_LEN + 2 + wrapped_len;
  plain = g_malloc (body_len + 16);
  cctx = EVP_CIPHER_CTX_new ();
  if (cctx == NULL || EVP_DecryptInit_ex (cctx, EVP_aes_256_gcm (), NULL, key, p) != 1 ||
      EVP_DecryptUpdate (cctx, NULL, &len, (const guint8 *) aad, strlen (aad)) != 1 ||
      EVP_DecryptUpdate (cctx, plain, &len, p + IV_LEN, body_len) != 1 ||
      EVP_CIPHER_CTX_ctrl (cctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                           (guint8 *) p + IV_LEN + body_len) != 1 ||
      EVP_DecryptFinal_ex (cctx, plain + len, &final_len) != 1)
    goto out;
  ok = TRUE;

out:
  OPENSSL_cleanse (key, sizeof key);
  EVP_PKEY_CTX_free (pctx);
  EVP_CIPHER_CTX_free (cctx);
  if (!ok)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("%s cannot be decrypted with this private key: it is meant for another "
                     "key, or it was altered."), aad);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&plain), len + final_len);
}

EVP_PKEY *
_saphan_usb_load_pem_key (const char *pem, gboolean private_key, GError **error)
{
  BIO *bio = BIO_new_mem_buf (pem, -1);
  EVP_PKEY *pkey = NULL;

  if (bio != NULL)
    pkey = private_key ? PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL)
                       : PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
  BIO_free (bio);
  if (pkey == NULL || EVP_PKEY_get_base_id (pkey) != EVP_PKEY_RSA)
    {
      EVP_PKEY_free (pkey);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   private_key ? _("The private key is not an RSA private key in PEM format.")
                               : _("The setting export.public-key is not an RSA public key in "
                                   "PEM format."));
      return NULL;
    }
  return pkey;
}
