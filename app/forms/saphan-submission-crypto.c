/* saphan-submission-crypto.c: ODK encrypted submissions with libcrypto.
 *
 * The format is fixed by what ODK Collect writes, so every choice below
 * follows it byte for byte: Bouncy Castle's OAEPWithSHA256AndMGF1Padding
 * (SHA-256 for the OAEP digest *and* for MGF1; Java's own provider would
 * use SHA-1 for MGF1, which ODK Central cannot read), AES-256 in CFB128 mode
 * with PKCS#7 padding, and a running IV seed in which every file bumps one
 * more byte. See saphan-submission-crypto.h for the outline.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "saphan-error.h"
#include "saphan-store.h"
#include "saphan-submission-crypto.h"

#define OPENROSA_XMLNS "http://openrosa.org/xforms"
#define SUBMISSION_XML "submission.xml"
#define MIN_RSA_BITS   1024

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY_CTX, EVP_PKEY_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* ---- Small helpers ------------------------------------------------------ */

static void
set_openssl_error (GError **error, const char *what)
{
  /* The queue may hold details that mean nothing to a person; they are
   * dropped so that a later, unrelated call does not report them. */
  ERR_clear_error ();
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
               _("The encryption library failed while %s."), what);
}

static SaphanAttachment *
attachment_new_take (char *name, GBytes *data)
{
  SaphanAttachment *attachment = g_new0 (SaphanAttachment, 1);

  attachment->name = name;
  attachment->data = data;
  return attachment;
}

/* A file name must stay a plain name: it becomes a multipart part name on
 * the wire and a file name on the server's disk. */
static gboolean
is_safe_file_name (const char *name)
{
  return name != NULL && *name != '\0' && strchr (name, '/') == NULL &&
         strchr (name, '\\') == NULL && strcmp (name, ".") != 0 &&
         strcmp (name, "..") != 0 && g_utf8_validate (name, -1, NULL);
}

static char *
md5_hex (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bytes);
}

/* ---- Public key --------------------------------------------------------- */

/* Keeps only the base64 body, refusing anything that is not base64: GLib's
 * decoder silently skips stray characters, which would turn a damaged key
 * into a different, still parseable, one. */
static guint8 *
decode_strict_base64 (const char *text, gsize *out_len)
{
  g_autoptr (GString) body = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gsize padding = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      /* ODK servers publish the bare body, but a pasted PEM file is common. */
      if (g_str_has_prefix (g_strstrip (lines[i]), "-----"))
        continue;
      for (const char *p = line; *p != '\0'; p++)
        {
          if (g_ascii_isspace (*p))
            continue;
          if (*p == '=')
            padding++;
          else if (padding > 0 || !(g_ascii_isalnum (*p) || *p == '+' || *p == '/'))
            return NULL;
          g_string_append_c (body, *p);
        }
    }

  if (body->len == 0 || body->len % 4 != 0 || padding > 2)
    return NULL;
  return g_base64_decode (body->str, out_len);
}

static EVP_PKEY *
parse_public_key (const char *base64_key, GError **error)
{
  g_autofree guint8 *der = NULL;
  const unsigned char *cursor;
  g_autoptr (EVP_PKEY) pkey = NULL;
  gsize der_len = 0;

  if (base64_key == NULL || (der = decode_strict_base64 (base64_key, &der_len)) == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("The form's encryption key (base64RsaPublicKey) is not valid base64. "
                     "Download the form again from the server."));
      return NULL;
    }

  cursor = der;
  pkey = d2i_PUBKEY (NULL, &cursor, (long) der_len);
  if (pkey == NULL || cursor != der + der_len)
    {
      ERR_clear_error ();
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("The form's encryption key (base64RsaPublicKey) is not a public key. "
                     "Download the form again from the server."));
      return NULL;
    }
  if (EVP_PKEY_get_base_id (pkey) != EVP_PKEY_RSA)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("The form's encryption key is not an RSA key; ODK encryption needs one. "
                     "Ask the form's owner to fix the form."));
      return NULL;
    }
  if (EVP_PKEY_get_bits (pkey) < MIN_RSA_BITS)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("The form's encryption key is only %d bits long, which is too weak to "
                     "protect answers. Ask the form's owner for a 2048-bit key."),
                   EVP_PKEY_get_bits (pkey));
      return NULL;
    }
  return g_steal_pointer (&pkey);
}

gboolean
saphan_submission_check_public_key (const char *base64_rsa_public_key,
                                    guint      *out_bits,
                                    GError    **error)
{
  g_autoptr (EVP_PKEY) pkey = parse_public_key (base64_rsa_public_key, error);

  if (pkey == NULL)
    return FALSE;
  if (out_bits != NULL)
    *out_bits = (guint) EVP_PKEY_get_bits (pkey);
  return TRUE;
}

/* ---- RSA-OAEP ----------------------------------------------------------- */

static gboolean
setup_oaep (EVP_PKEY_CTX *ctx)
{
  /* Both digests are SHA-256, as Bouncy Castle does for the name Collect
   * asks for; OpenSSL would otherwise default MGF1 to the OAEP digest too,
   * but the format is too important to leave to a default. */
  return EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_oaep_md (ctx, EVP_sha256 ()) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, EVP_sha256 ()) > 0;
}

static char *
rsa_encrypt_base64 (EVP_PKEY *pkey, const guint8 *data, gsize len, GError **error)
{
  g_autoptr (EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new (pkey, NULL);
  g_autofree guint8 *out = NULL;
  size_t out_len = 0;

  if (ctx == NULL || EVP_PKEY_encrypt_init (ctx) <= 0 || !setup_oaep (ctx) ||
      EVP_PKEY_encrypt (ctx, NULL, &out_len, data, len) <= 0)
    {
      set_openssl_error (error, _("wrapping the submission key"));
      return NULL;
    }
  out = g_malloc (out_len);
  if (EVP_PKEY_encrypt (ctx, out, &out_len, data, len) <= 0)
    {
      set_openssl_error (error, _("wrapping the submission key"));
      return NULL;
    }
  return g_base64_encode (out, out_len);
}

static EVP_PKEY *
parse_private_key (const char *pem, GError **error)
{
  g_autoptr (BIO) bio = NULL;
  EVP_PKEY *pkey;

  if (pem == NULL || (bio = BIO_new_mem_buf (pem, -1)) == NULL ||
      (pkey = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL)) == NULL)
    {
      ERR_clear_error ();
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The private key could not be read. Give an unencrypted PEM "
                     "private key."));
      return NULL;
    }
  if (EVP_PKEY_get_base_id (pkey) != EVP_PKEY_RSA)
    {
      EVP_PKEY_free (pkey);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The private key is not an RSA key."));
      return NULL;
    }
  return pkey;
}

static GBytes *
rsa_decrypt_base64 (EVP_PKEY *pkey, const char *base64, GError **error)
{
  g_autoptr (EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new (pkey, NULL);
  g_autofree guint8 *in = NULL;
  g_autofree guint8 *out = NULL;
  gsize in_len = 0;
  size_t out_len = 0;

  in = base64 != NULL ? decode_strict_base64 (base64, &in_len) : NULL;
  if (in == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The submission manifest holds a damaged encrypted key or signature."));
      return NULL;
    }
  if (ctx == NULL || EVP_PKEY_decrypt_init (ctx) <= 0 || !setup_oaep (ctx) ||
      EVP_PKEY_decrypt (ctx, NULL, &out_len, in, in_len) <= 0)
    {
      set_openssl_error (error, _("unwrapping the submission key"));
      return NULL;
    }
  out = g_malloc (out_len);
  if (EVP_PKEY_decrypt (ctx, out, &out_len, in, in_len) <= 0)
    {
      ERR_clear_error ();
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The submission was not encrypted for this private key, or its "
                     "manifest was changed."));
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&out), out_len);
}

GBytes *
saphan_submission_unwrap_key (const char *private_key_pem,
                              const char *base64_encrypted_key,
                              GError    **error)
{
  g_autoptr (EVP_PKEY) pkey = parse_private_key (private_key_pem, error);
  g_autoptr (GBytes) key = NULL;

  if (pkey == NULL)
    return NULL;
  key = rsa_decrypt_base64 (pkey, base64_encrypted_key, error);
  if (key == NULL)
    return NULL;
  if (g_bytes_get_size (key) != SAPHAN_SUBMISSION_KEY_BYTES)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The submission's encrypted key has the wrong length."));
      return NULL;
    }
  return g_steal_pointer (&key);
}

/* ---- AES-256-CFB with PKCS#7 -------------------------------------------- */

void
saphan_submission_file_iv (const char *instance_id,
                           GBytes     *key,
                           guint       index,
                           guint8      out_iv[SAPHAN_SUBMISSION_IV_BYTES])
{
  g_autoptr (GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = SAPHAN_SUBMISSION_IV_BYTES;
  gsize key_len = 0;
  const guint8 *key_data = g_bytes_get_data (key, &key_len);

  g_return_if_fail (instance_id != NULL && key != NULL);

  g_checksum_update (md5, (const guchar *) instance_id, (gssize) strlen (instance_id));
  g_checksum_update (md5, key_data, (gssize) key_len);
  g_checksum_get_digest (md5, out_iv, &len);
  g_assert (len == SAPHAN_SUBMISSION_IV_BYTES);

  /* Collect keeps one seed per submission and, before each file, adds one
   * to the next byte in turn (wrapping at 256 and after byte 15). */
  for (guint i = 0; i <= index; i++)
    out_iv[i % SAPHAN_SUBMISSION_IV_BYTES]++;
}

static GBytes *
aes_cfb (gboolean encrypt, GBytes *key, const guint8 *iv, const guint8 *in, gsize len,
         GError **error)
{
  g_autoptr (EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  g_autofree guint8 *out = g_malloc (len + 1);
  int n = 0, tail = 0;

  g_assert (g_bytes_get_size (key) == SAPHAN_SUBMISSION_KEY_BYTES);
  if (len > G_MAXINT || ctx == NULL ||
      !EVP_CipherInit_ex (ctx, EVP_aes_256_cfb128 (), NULL,
                          g_bytes_get_data (key, NULL), iv, encrypt ? 1 : 0) ||
      !EVP_CipherUpdate (ctx, out, &n, in, (int) len) ||
      !EVP_CipherFinal_ex (ctx, out + n, &tail))
    {
      set_openssl_error (error, encrypt ? _("encrypting a file") : _("decrypting a file"));
      return NULL;
    }
  g_assert ((gsize) (n + tail) == len);
  return g_bytes_new_take (g_steal_pointer (&out), len);
}

static GBytes *
encrypt_file (GBytes *key, const guint8 *iv, GBytes *plain, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (plain, &len);
  /* CFB is a stream mode, so OpenSSL pads nothing; Java's PKCS5Padding
   * still pads to a whole block, always adding 1 to 16 bytes. */
  guint pad = SAPHAN_SUBMISSION_IV_BYTES - (len % SAPHAN_SUBMISSION_IV_BYTES);
  g_autofree guint8 *padded = g_malloc (len + pad);

  if (len > 0)
    memcpy (padded, data, len);
  memset (padded + len, (int) pad, pad);
  return aes_cfb (TRUE, key, iv, padded, len + pad, error);
}

GBytes *
saphan_submission_decrypt_file (GBytes       *key,
                                const guint8  iv[SAPHAN_SUBMISSION_IV_BYTES],
                                GBytes       *ciphertext,
                                GError      **error)
{
  g_autoptr (GBytes) padded = NULL;
  const guint8 *data;
  gsize len = 0;
  guint pad, bad = 0;

  g_return_val_if_fail (key != NULL && iv != NULL && ciphertext != NULL, NULL);

  if (g_bytes_get_size (key) != SAPHAN_SUBMISSION_KEY_BYTES ||
      g_bytes_get_size (ciphertext) == 0 ||
      g_bytes_get_size (ciphertext) % SAPHAN_SUBMISSION_IV_BYTES != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("An encrypted file has been cut short or changed."));
      return NULL;
    }
  padded = aes_cfb (FALSE, key, iv, g_bytes_get_data (ciphertext, NULL),
                    g_bytes_get_size (ciphertext), error);
  if (padded == NULL)
    return NULL;

  data = g_bytes_get_data (padded, &len);
  pad = data[len - 1];
  if (pad == 0 || pad > SAPHAN_SUBMISSION_IV_BYTES)
    bad = 1;
  else
    for (guint i = 0; i < pad; i++)
      bad |= data[len - 1 - i] ^ pad;
  if (bad != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("An encrypted file does not decrypt with the submission's key: it "
                     "was changed, or belongs to another submission."));
      return NULL;
    }
  return g_bytes_new_from_bytes (padded, 0, len - pad);
}

/* ---- Element signature -------------------------------------------------- */

/* The signature source, newline-terminated entries in Collect's order:
 * form id, version (only when there is one), the base64 wrapped key, the
 * instanceID, then "name::md5hex" for every plaintext file under its plain
 * name, media first and submission.xml last. */
static GString *
signature_source_new (const char *form_id, const char *form_version,
                      const char *base64_key, const char *instance_id)
{
  GString *source = g_string_new (NULL);

  g_string_append_printf (source, "%s\n", form_id);
  if (form_version != NULL && *form_version != '\0')
    g_string_append_printf (source, "%s\n", form_version);
  g_string_append_printf (source, "%s\n%s\n", base64_key, instance_id);
  return source;
}

static void
signature_source_add_file (GString *source, const char *name, GBytes *plain)
{
  g_autofree char *hex = md5_hex (plain);

  g_string_append_printf (source, "%s::%s\n", name, hex);
}

static void
signature_digest (GString *source, guint8 out[16])
{
  g_autoptr (GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = 16;

  g_checksum_update (md5, (const guchar *) source->str, (gssize) source->len);
  g_checksum_get_digest (md5, out, &len);
}

/* ---- Encrypt ------------------------------------------------------------ */

gboolean
saphan_submission_encrypt (const char *form_id,
                           const char *form_version,
                           const char *instance_id,
                           const char *base64_rsa_public_key,
                           GBytes     *submission_xml,
                           GPtrArray  *attachments,
                           GBytes    **out_manifest_xml,
                           GPtrArray **out_encrypted_attachments,
                           GError    **error)
{
  g_autoptr (EVP_PKEY) pkey = NULL;
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GPtrArray) media = NULL;
  g_autoptr (GString) source = NULL;
  g_autoptr (GString) manifest = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *base64_key = NULL;
  g_autofree char *signature = NULL;
  g_autoptr (GBytes) xml_enc = NULL;
  guint8 raw_key[SAPHAN_SUBMISSION_KEY_BYTES];
  guint8 iv[SAPHAN_SUBMISSION_IV_BYTES];
  guint8 digest[16];
  guint n_media = attachments != NULL ? attachments->len : 0;
  gboolean has_version = form_version != NULL && *form_version != '\0';

  g_return_val_if_fail (submission_xml != NULL, FALSE);
  g_return_val_if_fail (out_manifest_xml != NULL && out_encrypted_attachments != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (form_id == NULL || *form_id == '\0' || instance_id == NULL || *instance_id == '\0' ||
      !g_utf8_validate (form_id, -1, NULL) || !g_utf8_validate (instance_id, -1, NULL) ||
      (has_version && !g_utf8_validate (form_version, -1, NULL)))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("An encrypted submission needs a form id and an instance id."));
      return FALSE;
    }
  g_hash_table_add (seen, (gpointer) SUBMISSION_XML);
  for (guint i = 0; i < n_media; i++)
    {
      const SaphanAttachment *attachment = g_ptr_array_index (attachments, i);

      if (attachment == NULL || attachment->data == NULL || !is_safe_file_name (attachment->name) ||
          !g_hash_table_add (seen, (gpointer) attachment->name))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("An attachment of the submission has a missing, unsafe or repeated "
                         "file name."));
          return FALSE;
        }
    }

  pkey = parse_public_key (base64_rsa_public_key, error);
  if (pkey == NULL)
    return FALSE;

  /* A fresh key per submission: the IVs are derived from it, so a repeated
   * key with a repeated instanceID would repeat the key stream. */
  if (RAND_bytes (raw_key, sizeof raw_key) != 1)
    {
      set_openssl_error (error, _("making a random key"));
      return FALSE;
    }
  key = g_bytes_new (raw_key, sizeof raw_key);
  OPENSSL_cleanse (raw_key, sizeof raw_key);

  base64_key = rsa_encrypt_base64 (pkey, g_bytes_get_data (key, NULL), g_bytes_get_size (key),
                                   error);
  if (base64_key == NULL)
    return FALSE;

  source = signature_source_new (form_id, form_version, base64_key, instance_id);
  media = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
  for (guint i = 0; i < n_media; i++)
    {
      const SaphanAttachment *attachment = g_ptr_array_index (attachments, i);
      GBytes *encrypted;

      signature_source_add_file (source, attachment->name, attachment->data);
      saphan_submission_file_iv (instance_id, key, i, iv);
      encrypted = encrypt_file (key, iv, attachment->data, error);
      if (encrypted == NULL)
        return FALSE;
      g_ptr_array_add (media, attachment_new_take (g_strconcat (attachment->name, ".enc", NULL),
                                                   encrypted));
    }

  /* submission.xml is always the last file encrypted, so its IV index is
   * the number of media files, which is what Central assumes. */
  signature_source_add_file (source, SUBMISSION_XML, submission_xml);
  saphan_submission_file_iv (instance_id, key, n_media, iv);
  xml_enc = encrypt_file (key, iv, submission_xml, error);
  if (xml_enc == NULL)
    return FALSE;

  signature_digest (source, digest);
  signature = rsa_encrypt_base64 (pkey, digest, sizeof digest, error);
  if (signature == NULL)
    return FALSE;

  /* The manifest mirrors Collect's layout: one <media> per file, and the
   * orx:meta block that lets servers find the instanceID without keys. */
  manifest = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  {
    g_autofree char *id = g_markup_escape_text (form_id, -1);
    g_autofree char *iid = g_markup_escape_text (instance_id, -1);

    g_string_append_printf (manifest, "<data xmlns=\"%s\" id=\"%s\"", SAPHAN_ENCRYPTED_XMLNS, id);
    if (has_version)
      {
        g_autofree char *version = g_markup_escape_text (form_version, -1);
        g_string_append_printf (manifest, " version=\"%s\"", version);
      }
    g_string_append_printf (manifest,
                            " encrypted=\"yes\"><base64EncryptedKey>%s</base64EncryptedKey>"
                            "<orx:meta xmlns:orx=\"%s\"><orx:instanceID>%s</orx:instanceID>"
                            "</orx:meta>\n",
                            base64_key, OPENROSA_XMLNS, iid);
  }
  for (guint i = 0; i < media->len; i++)
    {
      const SaphanAttachment *encrypted = g_ptr_array_index (media, i);
      g_autofree char *name = g_markup_escape_text (encrypted->name, -1);

      g_string_append_printf (manifest, "<media><file>%s</file></media>\n", name);
    }
  g_string_append_printf (manifest,
                          "<encryptedXmlFile>" SUBMISSION_XML ".enc</encryptedXmlFile>"
                          "<base64EncryptedElementSignature>%s</base64EncryptedElementSignature>"
                          "</data>\n",
                          signature);

  g_ptr_array_insert (media, 0, attachment_new_take (g_strdup (SUBMISSION_XML ".enc"),
                                                     g_steal_pointer (&xml_enc)));
  *out_manifest_xml = g_string_free_to_bytes (g_steal_pointer (&manifest));
  *out_encrypted_attachments = g_steal_pointer (&media);
  return TRUE;
}

/* ---- Decrypt ------------------------------------------------------------ */

void
saphan_decrypted_submission_free (SaphanDecryptedSubmission *submission)
{
  if (submission == NULL)
    return;
  g_free (submission->form_id);
  g_free (submission->form_version);
  g_free (submission->instance_id);
  g_clear_pointer (&submission->submission_xml, g_bytes_unref);
  g_clear_pointer (&submission->attachments, g_ptr_array_unref);
  g_free (submission);
}

/* What the manifest says, by local names: servers accept both the namespace
 * Collect writes and the one in the specification's example. */
typedef struct
{
  char      *form_id;
  char      *form_version;
  char      *base64_key;
  char      *instance_id;
  char      *xml_file;
  char      *signature;
  GPtrArray *media;  /* of char *, ".enc" names in order */
} Manifest;

static void
manifest_clear (Manifest *manifest)
{
  g_free (manifest->form_id);
  g_free (manifest->form_version);
  g_free (manifest->base64_key);
  g_free (manifest->instance_id);
  g_free (manifest->xml_file);
  g_free (manifest->signature);
  g_clear_pointer (&manifest->media, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Manifest, manifest_clear)

static char *
node_text (xmlNode *node)
{
  xmlChar *content = xmlNodeGetContent (node);
  char *text = g_strstrip (g_strdup ((const char *) content));

  xmlFree (content);
  return text;
}

static char *
node_attribute (xmlNode *node, const char *name)
{
  xmlChar *value = xmlGetNoNsProp (node, (const xmlChar *) name);
  char *copy = value != NULL ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

/* A repeated element keeps its last value, as a DOM lookup would. */
static void
replace_text (char **slot, xmlNode *node)
{
  g_free (*slot);
  *slot = node_text (node);
}

static gboolean
is_element (xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && strcmp ((const char *) node->name, name) == 0;
}

static gboolean
parse_manifest (GBytes *manifest_xml, Manifest *out, GError **error)
{
  g_autoptr (xmlDoc) doc = NULL;
  g_autofree char *encrypted = NULL;
  xmlNode *root;
  gsize len = 0;
  const char *data = g_bytes_get_data (manifest_xml, &len);

  /* No network, no entity expansion: the manifest came from outside. */
  if (len <= G_MAXINT)
    doc = xmlReadMemory (data, (int) len, SUBMISSION_XML, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  if (root != NULL && is_element (root, "data"))
    encrypted = node_attribute (root, "encrypted");
  if (encrypted == NULL || strcmp (encrypted, "yes") != 0)
    goto malformed;

  out->form_id = node_attribute (root, "id");
  out->form_version = node_attribute (root, "version");
  out->media = g_ptr_array_new_with_free_func (g_free);
  for (xmlNode *child = root->children; child != NULL; child = child->next)
    {
      if (is_element (child, "base64EncryptedKey"))
        replace_text (&out->base64_key, child);
      else if (is_element (child, "encryptedXmlFile"))
        replace_text (&out->xml_file, child);
      else if (is_element (child, "base64EncryptedElementSignature"))
        replace_text (&out->signature, child);
      else if (is_element (child, "meta"))
        {
          for (xmlNode *m = child->children; m != NULL; m = m->next)
            if (is_element (m, "instanceID"))
              replace_text (&out->instance_id, m);
        }
      else if (is_element (child, "media"))
        {
          for (xmlNode *f = child->children; f != NULL; f = f->next)
            if (is_element (f, "file"))
              g_ptr_array_add (out->media, node_text (f));
        }
    }

  if (out->form_id == NULL || *out->form_id == '\0' || out->base64_key == NULL ||
      out->instance_id == NULL || *out->instance_id == '\0' || out->xml_file == NULL ||
      !g_str_has_suffix (out->xml_file, ".enc") || out->signature == NULL)
    goto malformed;
  /* Staff tools write the decrypted files under these names, so a name
   * must not reach outside the folder it is written to. */
  if (!is_safe_file_name (out->xml_file))
    goto malformed;
  for (guint i = 0; i < out->media->len; i++)
    {
      const char *name = g_ptr_array_index (out->media, i);

      if (!g_str_has_suffix (name, ".enc") || strlen (name) == strlen (".enc") ||
          !is_safe_file_name (name))
        goto malformed;
    }
  return TRUE;

malformed:
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
               _("This is not an ODK encrypted-submission manifest, or it is damaged."));
  return FALSE;
}

static GBytes *
find_file (GPtrArray *files, const char *name)
{
  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      const SaphanAttachment *file = g_ptr_array_index (files, i);

      if (file != NULL && file->name != NULL && strcmp (file->name, name) == 0)
        return file->data;
    }
  return NULL;
}

static GBytes *
decrypt_named (GPtrArray *files, const char *name, GBytes *key, const char *instance_id,
               guint index, GError **error)
{
  GBytes *ciphertext = find_file (files, name);
  guint8 iv[SAPHAN_SUBMISSION_IV_BYTES];

  if (ciphertext == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The encrypted file “%s” named in the manifest is missing."), name);
      return NULL;
    }
  saphan_submission_file_iv (instance_id, key, index, iv);
  return saphan_submission_decrypt_file (key, iv, ciphertext, error);
}

SaphanDecryptedSubmission *
saphan_submission_decrypt (const char *private_key_pem,
                           GBytes     *manifest_xml,
                           GPtrArray  *encrypted_files,
                           GError    **error)
{
  g_auto (Manifest) manifest = { 0 };
  g_autoptr (SaphanDecryptedSubmission) result = NULL;
  g_autoptr (EVP_PKEY) pkey = NULL;
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GBytes) signed_digest = NULL;
  g_autoptr (GString) source = NULL;
  guint8 digest[16];

  g_return_val_if_fail (manifest_xml != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_manifest (manifest_xml, &manifest, error))
    return NULL;
  pkey = parse_private_key (private_key_pem, error);
  if (pkey == NULL)
    return NULL;
  key = rsa_decrypt_base64 (pkey, manifest.base64_key, error);
  if (key == NULL)
    return NULL;
  if (g_bytes_get_size (key) != SAPHAN_SUBMISSION_KEY_BYTES)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The submission's encrypted key has the wrong length."));
      return NULL;
    }

  result = g_new0 (SaphanDecryptedSubmission, 1);
  result->form_id = g_strdup (manifest.form_id);
  result->form_version = g_strdup (manifest.form_version);
  result->instance_id = g_strdup (manifest.instance_id);
  result->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);

  source = signature_source_new (manifest.form_id, manifest.form_version, manifest.base64_key,
                                 manifest.instance_id);
  for (guint i = 0; i < manifest.media->len; i++)
    {
      const char *name = g_ptr_array_index (manifest.media, i);
      char *plain_name = g_strndup (name, strlen (name) - strlen (".enc"));
      GBytes *plain = decrypt_named (encrypted_files, name, key, manifest.instance_id, i, error);

      if (plain == NULL)
        {
          g_free (plain_name);
          return NULL;
        }
      signature_source_add_file (source, plain_name, plain);
      g_ptr_array_add (result->attachments, attachment_new_take (plain_name, plain));
    }
  result->submission_xml = decrypt_named (encrypted_files, manifest.xml_file, key,
                                          manifest.instance_id, manifest.media->len, error);
  if (result->submission_xml == NULL)
    return NULL;
  {
    g_autofree char *xml_name = g_strndup (manifest.xml_file,
                                           strlen (manifest.xml_file) - strlen (".enc"));
    signature_source_add_file (source, xml_name, result->submission_xml);
  }

  /* The signature binds the manifest's fields to the plaintext files, so a
   * swapped key, a reordered or replaced file is caught even when its
   * padding happens to look right. */
  signature_digest (source, digest);
  signed_digest = rsa_decrypt_base64 (pkey, manifest.signature, error);
  if (signed_digest == NULL)
    return NULL;
  if (g_bytes_get_size (signed_digest) != sizeof digest ||
      CRYPTO_memcmp (g_bytes_get_data (signed_digest, NULL), digest, sizeof digest) != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The submission's signature does not match its files: something was "
                     "changed after it was encrypted."));
      return NULL;
    }
  return g_steal_pointer (&result);
}
