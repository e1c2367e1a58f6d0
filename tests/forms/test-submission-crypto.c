/* test-submission-crypto.c: ODK encrypted submissions.
 *
 * What Saphan encrypts is decrypted here along a second, independent path:
 * the openssl command line unwraps the key and signature (OAEP with SHA-256
 * for both the digest and MGF1) and decrypts each file with aes-256-cfb,
 * while the IVs, the padding removal and the signature source are rebuilt
 * in this file from the format's description, not from the library. A
 * known-answer vector from ODK Collect, as published in ODK Central's test
 * suite, proves the library reads what Collect writes.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "saphan-error.h"
#include "saphan-store.h"
#include "saphan-submission-crypto.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

#define INSTANCE_ID "uuid:5b0c6c1e-8f7a-4d3e-9a52-0d2b7c1f9e41"

/* One key pair for the whole run: RSA-2048 generation is the slow part. */
static char *tmp_dir;
static char *private_pem_path;
static char *private_pem;
static char *public_b64;

/* ---- Helpers ------------------------------------------------------------ */

static char *
spki_base64 (EVP_PKEY *pkey)
{
  unsigned char *der = NULL;
  int len = i2d_PUBKEY (pkey, &der);
  char *b64;

  g_assert_cmpint (len, >, 0);
  b64 = g_base64_encode (der, (gsize) len);
  OPENSSL_free (der);
  return b64;
}

static char *
fresh_key_base64 (const char *type, guint bits)
{
  EVP_PKEY *pkey = strcmp (type, "EC") == 0 ? EVP_EC_gen ("P-256") : EVP_RSA_gen (bits);
  char *b64 = spki_base64 (pkey);

  EVP_PKEY_free (pkey);
  return b64;
}

static GBytes *
read_data_file (const char *name)
{
  g_autofree char *path = g_build_filename (CRYPTO_DIR, name, NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;
  gsize len = 0;

  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (text, len);
}

static SaphanAttachment *
attachment_new (const char *name, GBytes *data)
{
  SaphanAttachment *attachment = g_new0 (SaphanAttachment, 1);

  attachment->name = g_strdup (name);
  attachment->data = g_bytes_ref (data);
  return attachment;
}

static GBytes *
find_attachment (GPtrArray *files, const char *name)
{
  for (guint i = 0; i < files->len; i++)
    {
      SaphanAttachment *file = g_ptr_array_index (files, i);
      if (strcmp (file->name, name) == 0)
        return file->data;
    }
  return NULL;
}

/* Runs openssl with ARGV, input from IN_DATA through a file, output read
 * back from a file; returns NULL when openssl fails. */
static GBytes *
run_openssl (const char *const *args, GBytes *in_data)
{
  g_autofree char *in_path = g_build_filename (tmp_dir, "in.bin", NULL);
  g_autofree char *out_path = g_build_filename (tmp_dir, "out.bin", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err_text = NULL;
  char *out = NULL;
  gsize out_len = 0;
  int status = 0;

  g_file_set_contents (in_path, g_bytes_get_data (in_data, NULL),
                       (gssize) g_bytes_get_size (in_data), &error);
  g_assert_no_error (error);
  g_unlink (out_path);

  g_ptr_array_add (argv, (gpointer) "openssl");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "-in");
  g_ptr_array_add (argv, in_path);
  g_ptr_array_add (argv, (gpointer) "-out");
  g_ptr_array_add (argv, out_path);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err_text, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    return NULL;
  g_file_get_contents (out_path, &out, &out_len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (out, out_len);
}

/* RSA-OAEP decryption by the command line. MGF1 is a parameter so that a
 * test can show SHA-1 (Java's default) would not read what we wrote. */
static GBytes *
cli_rsa_decrypt (const char *base64, const char *mgf1_md)
{
  g_autofree char *mgf1 = g_strdup_printf ("rsa_mgf1_md:%s", mgf1_md);
  const char *args[] = { "pkeyutl", "-decrypt", "-inkey", private_pem_path,
                         "-pkeyopt", "rsa_padding_mode:oaep",
                         "-pkeyopt", "rsa_oaep_md:sha256",
                         "-pkeyopt", mgf1, NULL };
  gsize len = 0;
  guchar *raw = g_base64_decode (base64, &len);
  g_autoptr (GBytes) in = g_bytes_new_take (raw, len);

  return run_openssl (args, in);
}

static char *
hex (const guint8 *data, gsize len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* The IV rule restated from the format: md5(instanceID || key), then one
 * more byte bumped per file. */
static void
expected_iv (GBytes *key, guint index, guint8 iv[16])
{
  g_autoptr (GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = 16;

  g_checksum_update (md5, (const guchar *) INSTANCE_ID, -1);
  g_checksum_update (md5, g_bytes_get_data (key, NULL), (gssize) g_bytes_get_size (key));
  g_checksum_get_digest (md5, iv, &len);
  for (guint i = 0; i <= index; i++)
    iv[i % 16]++;
}

/* AES-256-CFB by the command line; openssl applies no padding in CFB mode,
 * so the PKCS#7 bytes Java adds are checked and removed here. */
static GBytes *
cli_aes_decrypt (GBytes *key, const guint8 iv[16], GBytes *ciphertext)
{
  g_autofree char *key_hex = hex (g_bytes_get_data (key, NULL), g_bytes_get_size (key));
  g_autofree char *iv_hex = hex (iv, 16);
  const char *args[] = { "enc", "-d", "-aes-256-cfb", "-nopad", "-K", key_hex, "-iv", iv_hex, NULL };
  g_autoptr (GBytes) padded = run_openssl (args, ciphertext);
  const guint8 *data;
  gsize len = 0;
  guint pad;

  g_assert_nonnull (padded);
  data = g_bytes_get_data (padded, &len);
  g_assert_cmpuint (len % 16, ==, 0);
  g_assert_cmpuint (len, >, 0);
  pad = data[len - 1];
  g_assert_cmpuint (pad, >=, 1);
  g_assert_cmpuint (pad, <=, 16);
  for (guint i = 0; i < pad; i++)
    g_assert_cmpuint (data[len - 1 - i], ==, pad);
  return g_bytes_new_from_bytes (padded, 0, len - pad);
}

static char *
xml_child_text (xmlNode *parent, const char *name, const char *ns)
{
  for (xmlNode *n = parent->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && strcmp ((const char *) n->name, name) == 0)
      {
        xmlChar *content = xmlNodeGetContent (n);
        char *text = g_strdup ((const char *) content);

        g_assert_nonnull (n->ns);
        g_assert_cmpstr ((const char *) n->ns->href, ==, ns);
        xmlFree (content);
        return text;
      }
  return NULL;
}

/* ---- The submission used by most tests ---------------------------------- */

typedef struct
{
  GBytes    *xml;
  GPtrArray *attachments;
  GBytes    *manifest;
  GPtrArray *encrypted;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  guint8 photo[5000];
  /* Exactly one block, so the padding is a whole extra block. */
  static const guint8 sign[16] = "PNG-sixteen-byte";
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < sizeof photo; i++)
    photo[i] = (guint8) g_test_rand_int_range (0, 256);
  f->xml = read_data_file ("submission-th.xml");
  f->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
  g_ptr_array_add (f->attachments, attachment_new ("photo.jpg", g_bytes_new (photo, sizeof photo)));
  g_bytes_unref (((SaphanAttachment *) f->attachments->pdata[0])->data);
  g_ptr_array_add (f->attachments, attachment_new ("sign.png", g_bytes_new_static (sign, 16)));
  g_bytes_unref (((SaphanAttachment *) f->attachments->pdata[1])->data);

  g_assert_true (saphan_submission_encrypt ("welfare_card", data, INSTANCE_ID, public_b64,
                                            f->xml, f->attachments, &f->manifest, &f->encrypted,
                                            &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_bytes_unref (f->xml);
  g_ptr_array_unref (f->attachments);
  g_bytes_unref (f->manifest);
  g_ptr_array_unref (f->encrypted);
}

/* ---- Tests -------------------------------------------------------------- */

static void
test_independent_decrypt (Fixture *f, gconstpointer data)
{
  const char *version = data;
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode *root, *meta = NULL;
  g_autofree char *wrapped = NULL, *signature = NULL, *instance = NULL, *xml_file = NULL;
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GBytes) key_sha1 = NULL;
  g_autoptr (GBytes) signed_md5 = NULL;
  g_autoptr (GString) source = g_string_new (NULL);
  g_autoptr (GPtrArray) media = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) ivs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  xmlChar *attr;

  /* The manifest is XML in Collect's namespace with the OpenRosa meta block. */
  doc = xmlReadMemory (g_bytes_get_data (f->manifest, NULL), (int) g_bytes_get_size (f->manifest),
                       "manifest.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (doc);
  root = xmlDocGetRootElement (doc);
  g_assert_cmpstr ((const char *) root->name, ==, "data");
  g_assert_cmpstr ((const char *) root->ns->href, ==, "http://www.opendatakit.org/xforms/encrypted");
  attr = xmlGetNoNsProp (root, (const xmlChar *) "id");
  g_assert_cmpstr ((const char *) attr, ==, "welfare_card");
  xmlFree (attr);
  attr = xmlGetNoNsProp (root, (const xmlChar *) "version");
  g_assert_cmpstr ((const char *) attr, ==, version);
  xmlFree (attr);
  attr = xmlGetNoNsProp (root, (const xmlChar *) "encrypted");
  g_assert_cmpstr ((const char *) attr, ==, "yes");
  xmlFree (attr);

  wrapped = xml_child_text (root, "base64EncryptedKey", SAPHAN_ENCRYPTED_XMLNS);
  signature = xml_child_text (root, "base64EncryptedElementSignature", SAPHAN_ENCRYPTED_XMLNS);
  xml_file = xml_child_text (root, "encryptedXmlFile", SAPHAN_ENCRYPTED_XMLNS);
  g_assert_cmpstr (xml_file, ==, "submission.xml.enc");
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      if (n->type != XML_ELEMENT_NODE)
        continue;
      if (strcmp ((const char *) n->name, "meta") == 0)
        meta = n;
      if (strcmp ((const char *) n->name, "media") == 0)
        g_ptr_array_add (media, xml_child_text (n, "file", SAPHAN_ENCRYPTED_XMLNS));
    }
  g_assert_nonnull (meta);
  g_assert_cmpstr ((const char *) meta->ns->href, ==, "http://openrosa.org/xforms");
  instance = xml_child_text (meta, "instanceID", "http://openrosa.org/xforms");
  g_assert_cmpstr (instance, ==, INSTANCE_ID);
  g_assert_cmpuint (media->len, ==, 2);
  g_assert_cmpstr (media->pdata[0], ==, "photo.jpg.enc");
  g_assert_cmpstr (media->pdata[1], ==, "sign.png.enc");

  /* The output files: submission.xml.enc first, then the media in order. */
  g_assert_cmpuint (f->encrypted->len, ==, 3);
  g_assert_cmpstr (((SaphanAttachment *) f->encrypted->pdata[0])->name, ==, "submission.xml.enc");
  g_assert_cmpstr (((SaphanAttachment *) f->encrypted->pdata[1])->name, ==, "photo.jpg.enc");
  g_assert_cmpstr (((SaphanAttachment *) f->encrypted->pdata[2])->name, ==, "sign.png.enc");

  /* The key: OAEP with SHA-256 and MGF1-SHA-256 reads it; MGF1-SHA-1, the
   * Java provider's default, must not, or Central could not read it. */
  key = cli_rsa_decrypt (wrapped, "sha256");
  g_assert_nonnull (key);
  g_assert_cmpuint (g_bytes_get_size (key), ==, 32);
  key_sha1 = cli_rsa_decrypt (wrapped, "sha1");
  g_assert_null (key_sha1);

  /* Every file, with its IV restated here: media 0, 1, then the XML at 2. */
  g_string_append_printf (source, "welfare_card\n");
  if (version != NULL)
    g_string_append_printf (source, "%s\n", version);
  g_string_append_printf (source, "%s\n%s\n", wrapped, INSTANCE_ID);
  for (guint i = 0; i <= 2; i++)
    {
      const char *enc_name = i < 2 ? media->pdata[i] : "submission.xml.enc";
      g_autofree char *plain_name = g_strndup (enc_name, strlen (enc_name) - 4);
      GBytes *original = i < 2 ? ((SaphanAttachment *) f->attachments->pdata[i])->data : f->xml;
      GBytes *ciphertext = find_attachment (f->encrypted, enc_name);
      g_autoptr (GBytes) plain = NULL;
      g_autofree char *md5 = NULL;
      guint8 iv[16];

      g_assert_nonnull (ciphertext);
      expected_iv (key, i, iv);
      g_hash_table_add (ivs, hex (iv, 16));
      plain = cli_aes_decrypt (key, iv, ciphertext);
      g_assert_true (g_bytes_equal (plain, original));
      /* PKCS#7 always adds 1 to 16 bytes. */
      g_assert_cmpuint (g_bytes_get_size (ciphertext), ==,
                        (g_bytes_get_size (original) / 16 + 1) * 16);
      md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, original);
      g_string_append_printf (source, "%s::%s\n", plain_name, md5);
    }
  g_assert_cmpuint (g_hash_table_size (ivs), ==, 3);
  g_assert_nonnull (strstr (g_bytes_get_data (f->xml, NULL), "บ้านหนองบัว"));

  /* The element signature is the RSA-wrapped MD5 of that source. */
  signed_md5 = cli_rsa_decrypt (signature, "sha256");
  g_assert_nonnull (signed_md5);
  {
    g_autoptr (GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
    guint8 digest[16];
    gsize len = 16;

    g_checksum_update (md5, (const guchar *) source->str, (gssize) source->len);
    g_checksum_get_digest (md5, digest, &len);
    g_assert_cmpmem (g_bytes_get_data (signed_md5, NULL), g_bytes_get_size (signed_md5),
                     digest, 16);
  }
}

static void
test_library_decrypt (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanDecryptedSubmission) plain = NULL;

  plain = saphan_submission_decrypt (private_pem, f->manifest, f->encrypted, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain->form_id, ==, "welfare_card");
  g_assert_cmpstr (plain->form_version, ==, data);
  g_assert_cmpstr (plain->instance_id, ==, INSTANCE_ID);
  g_assert_true (g_bytes_equal (plain->submission_xml, f->xml));
  g_assert_cmpuint (plain->attachments->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      SaphanAttachment *got = g_ptr_array_index (plain->attachments, i);
      SaphanAttachment *want = g_ptr_array_index (f->attachments, i);

      g_assert_cmpstr (got->name, ==, want->name);
      g_assert_true (g_bytes_equal (got->data, want->data));
    }
}

/* Each tamper case changes one thing after encryption; all must be caught. */
typedef enum
{
  TAMPER_MEDIA_BYTE,
  TAMPER_XML_BYTE,
  TAMPER_XML_TRUNCATED,
  TAMPER_SWAP_MEDIA,
  TAMPER_MANIFEST_FORM_ID,
  TAMPER_MANIFEST_INSTANCE,
  TAMPER_MANIFEST_SIGNATURE,
  TAMPER_MISSING_FILE,
  N_TAMPER
} Tamper;

static void
replace_in_manifest (Fixture *f, const char *from, const char *to)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (f->manifest, NULL),
                                     g_bytes_get_size (f->manifest));
  g_autoptr (GString) s = g_string_new (text);

  g_assert_nonnull (strstr (text, from));
  g_string_replace (s, from, to, 1);
  g_bytes_unref (f->manifest);
  f->manifest = g_string_free_to_bytes (g_steal_pointer (&s));
}

static void
flip_byte (SaphanAttachment *file, gsize at)
{
  gsize len = 0;
  guint8 *copy = g_bytes_unref_to_data (file->data, &len);

  copy[at % len] ^= 0x01;
  file->data = g_bytes_new_take (copy, len);
}

static void
test_tamper (Fixture *f, gconstpointer data)
{
  for (guint t = 0; t < N_TAMPER; t++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanDecryptedSubmission) plain = NULL;
      g_autoptr (GBytes) manifest = g_bytes_ref (f->manifest);
      g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
      SaphanAttachment *xml, *photo, *sign;

      for (guint i = 0; i < f->encrypted->len; i++)
        {
          SaphanAttachment *src = g_ptr_array_index (f->encrypted, i);
          g_ptr_array_add (files, attachment_new (src->name, src->data));
        }
      xml = files->pdata[0], photo = files->pdata[1], sign = files->pdata[2];

      switch ((Tamper) t)
        {
        case TAMPER_MEDIA_BYTE: flip_byte (photo, 2500); break;
        case TAMPER_XML_BYTE: flip_byte (xml, 40); break;
        case TAMPER_XML_TRUNCATED:
          {
            GBytes *cut = g_bytes_new_from_bytes (xml->data, 0, g_bytes_get_size (xml->data) - 16);
            g_bytes_unref (xml->data);
            xml->data = cut;
          }
          break;
        case TAMPER_SWAP_MEDIA:
          {
            GBytes *tmp = photo->data;
            photo->data = sign->data;
            sign->data = tmp;
          }
          break;
        case TAMPER_MANIFEST_FORM_ID: replace_in_manifest (f, "id=\"welfare_card\"", "id=\"welfare_cart\""); break;
        case TAMPER_MANIFEST_INSTANCE: replace_in_manifest (f, "9e41<", "9e42<"); break;
        case TAMPER_MANIFEST_SIGNATURE: replace_in_manifest (f, "<base64EncryptedElementSignature>", "<base64EncryptedElementSignature>AAAA"); break;
        case TAMPER_MISSING_FILE: g_ptr_array_remove_index (files, 2); break;
        case N_TAMPER: g_assert_not_reached ();
        }

      plain = saphan_submission_decrypt (private_pem, f->manifest, files, &error);
      g_test_message ("tamper case %u: %s", t, error != NULL ? error->message : "(accepted)");
      g_assert_null (plain);
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);

      g_bytes_unref (f->manifest);
      f->manifest = g_steal_pointer (&manifest);
    }
}

/* Manifests that are not what they claim are refused before any key is
 * used, including file names that would escape a staff tool's folder. */
static void
test_malformed_manifest (Fixture *f, gconstpointer data)
{
  static const struct { const char *from, *to; } cases[] = {
    { "encrypted=\"yes\"", "encrypted=\"no\"" },
    { "<file>photo.jpg.enc</file>", "<file>../photo.jpg.enc</file>" },
    { "<file>photo.jpg.enc</file>", "<file>photo.jpg</file>" },
    { "submission.xml.enc</encryptedXmlFile>", "sub/mission.xml.enc</encryptedXmlFile>" },
    { "<orx:instanceID>", "<orx:instanceId>" },
    { "</data>", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) saved = g_bytes_ref (f->manifest);
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanDecryptedSubmission) plain = NULL;

      replace_in_manifest (f, cases[i].from, cases[i].to);
      plain = saphan_submission_decrypt (private_pem, f->manifest, f->encrypted, &error);
      g_assert_null (plain);
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
      g_bytes_unref (f->manifest);
      f->manifest = g_steal_pointer (&saved);
    }
}

static void
test_fresh_key_each_time (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) manifest = NULL;
  g_autoptr (GPtrArray) encrypted = NULL;
  g_autoptr (GError) error = NULL;
  SaphanAttachment *a, *b;

  g_assert_true (saphan_submission_encrypt ("welfare_card", data, INSTANCE_ID, public_b64, f->xml,
                                            f->attachments, &manifest, &encrypted, &error));
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (manifest, f->manifest));
  a = g_ptr_array_index (encrypted, 0);
  b = g_ptr_array_index (f->encrypted, 0);
  g_assert_false (g_bytes_equal (a->data, b->data));
}

static void
test_bad_arguments (void)
{
  g_autoptr (GBytes) xml = g_bytes_new_static ("<data/>", 7);
  const char *bad_names[] = { "submission.xml", "../etc/passwd", "a/b.jpg", "", "dup.jpg" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
      g_autoptr (GBytes) manifest = NULL;
      g_autoptr (GPtrArray) encrypted = NULL;
      g_autoptr (GError) error = NULL;

      g_ptr_array_add (files, attachment_new (bad_names[i], xml));
      if (strcmp (bad_names[i], "dup.jpg") == 0)
        g_ptr_array_add (files, attachment_new (bad_names[i], xml));
      g_assert_false (saphan_submission_encrypt ("f", NULL, INSTANCE_ID, public_b64, xml, files,
                                                 &manifest, &encrypted, &error));
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
      g_assert_null (manifest);
    }
}

/* ---- Public keys from the declarative cases ----------------------------- */

static char *
wrap64 (const char *b64)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0, n = strlen (b64); i < n; i += 64)
    {
      g_string_append_len (s, b64 + i, (gssize) MIN (64, n - i));
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static char *
expand_key (const char *text)
{
  g_autoptr (GString) s = g_string_new (text);
  g_autofree char *good = g_strdup (public_b64);
  gsize len = strlen (good);
  g_autofree char *wrapped = wrap64 (good);
  g_autofree char *badchar = g_strdup (good);
  g_autofree char *midpad = g_strdup (good);
  g_autofree char *truncated = g_strndup (good, len - 8);
  g_autofree char *trailing = NULL;
  g_autofree char *pkcs1 = NULL;

  badchar[len / 2] = '*';
  midpad[len / 2] = '=';
  {
    gsize der_len = 0;
    g_autofree guchar *der = g_base64_decode (good, &der_len);
    g_autofree guchar *longer = g_malloc (der_len + 3);
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY (NULL, &p, (long) der_len);
    unsigned char *raw = NULL;
    int raw_len = i2d_PublicKey (pkey, &raw);

    memcpy (longer, der, der_len);
    memcpy (longer + der_len, "xyz", 3);
    trailing = g_base64_encode (longer, der_len + 3);
    pkcs1 = g_base64_encode (raw, (gsize) raw_len);
    OPENSSL_free (raw);
    EVP_PKEY_free (pkey);
  }

  g_string_replace (s, "\\n", "\n", 0);
  g_string_replace (s, "@GOOD_WRAPPED@", wrapped, 0);
  g_string_replace (s, "@GOOD_BADCHAR@", badchar, 0);
  g_string_replace (s, "@GOOD_MIDPAD@", midpad, 0);
  g_string_replace (s, "@GOOD_TRUNCATED@", truncated, 0);
  g_string_replace (s, "@GOOD_TRAILING@", trailing, 0);
  g_string_replace (s, "@GOOD_PKCS1@", pkcs1, 0);
  g_string_replace (s, "@GOOD@", good, 0);
  if (strstr (s->str, "@EC@") != NULL)
    {
      g_autofree char *ec = fresh_key_base64 ("EC", 0);
      g_string_replace (s, "@EC@", ec, 0);
    }
  if (strstr (s->str, "@RSA512@") != NULL)
    {
      g_autofree char *small = fresh_key_base64 ("RSA", 512);
      g_string_replace (s, "@RSA512@", small, 0);
    }
  if (strstr (s->str, "@RSA1024@") != NULL)
    {
      g_autofree char *old = fresh_key_base64 ("RSA", 1024);
      g_string_replace (s, "@RSA1024@", old, 0);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_public_keys (void)
{
  g_autoptr (GBytes) cases = read_data_file ("public-keys.txt");
  g_autofree char *text = g_strndup (g_bytes_get_data (cases, NULL), g_bytes_get_size (cases));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_ok = 0, n_refused = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      g_autofree char *key = NULL;
      g_autoptr (GError) error = NULL;
      guint bits = 0;
      gboolean ok;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", 3);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      key = expand_key (fields[2]);
      ok = saphan_submission_check_public_key (key, &bits, &error);
      g_test_message ("%s: %s", fields[1], ok ? "accepted" : error->message);
      if (strcmp (fields[0], "ok") == 0)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (bits, >=, 1024);
          n_ok++;
        }
      else
        {
          g_autoptr (GBytes) manifest = NULL;
          g_autoptr (GPtrArray) encrypted = NULL;
          g_autoptr (GError) encrypt_error = NULL;
          g_autoptr (GBytes) xml = g_bytes_new_static ("<data/>", 7);

          g_assert_cmpstr (fields[0], ==, "refused");
          g_assert_false (ok);
          g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
          /* Encryption refuses the same key with the same error. */
          g_assert_false (saphan_submission_encrypt ("f", "1", INSTANCE_ID, key, xml, NULL,
                                                     &manifest, &encrypted, &encrypt_error));
          g_assert_error (encrypt_error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
          n_refused++;
        }
    }
  g_assert_cmpuint (n_ok, >=, 5);
  g_assert_cmpuint (n_refused, >=, 10);
}

/* ---- Known answers from ODK Collect, via ODK Central's test suite ------- */

static void
test_collect_vector (void)
{
  g_autoptr (GBytes) vector = read_data_file ("central-collect-vector.txt");
  g_autoptr (GBytes) pem_bytes = read_data_file ("central-test-priv.pem");
  g_autofree char *pem = g_strndup (g_bytes_get_data (pem_bytes, NULL), g_bytes_get_size (pem_bytes));
  g_autofree char *text = g_strndup (g_bytes_get_data (vector, NULL), g_bytes_get_size (vector));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GBytes) expected_key = NULL;
  g_autoptr (GBytes) xml_key = NULL;
  g_autoptr (GBytes) ciphertext = NULL;
  g_autoptr (GBytes) plain = NULL;
  g_autoptr (GBytes) cut = NULL;
  g_autoptr (GError) error = NULL;
  guint8 iv[16];
  guint n_ivs = 0;
  gsize len = 0;
  guchar *raw;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *space = strchr (lines[i], ' ');

      if (lines[i][0] == '#' || space == NULL)
        continue;
      *space = '\0';
      if (strcmp (lines[i], "iv") == 0)
        continue;
      g_hash_table_insert (values, g_strdup (lines[i]), g_strdup (space + 1));
    }

  /* The unwrapped key is the one Collect made. */
  key = saphan_submission_unwrap_key (pem, g_hash_table_lookup (values, "wrapped-key"), &error);
  g_assert_no_error (error);
  raw = g_base64_decode (g_hash_table_lookup (values, "aes-key"), &len);
  expected_key = g_bytes_new_take (raw, len);
  g_assert_true (g_bytes_equal (key, expected_key));

  /* The IVs are the ones Central computes. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = NULL;
      g_autofree char *got = NULL;

      if (strcmp (lines[i], "iv") != 0)
        continue;
      f = g_strsplit (lines[i] + 3, " ", 2);
      saphan_submission_file_iv (g_hash_table_lookup (values, "iv-instance"), key,
                                 (guint) g_ascii_strtoull (f[0], NULL, 10), iv);
      got = hex (iv, 16);
      g_assert_cmpstr (got, ==, f[1]);
      n_ivs++;
    }
  g_assert_cmpuint (n_ivs, ==, 6);

  /* Collect's encrypted submission.xml decrypts to its plaintext. */
  xml_key = saphan_submission_unwrap_key (pem, g_hash_table_lookup (values, "encrypted-key"), &error);
  g_assert_no_error (error);
  raw = g_base64_decode (g_hash_table_lookup (values, "ciphertext"), &len);
  ciphertext = g_bytes_new_take (raw, len);
  saphan_submission_file_iv (g_hash_table_lookup (values, "instance"), xml_key,
                             (guint) g_ascii_strtoull (g_hash_table_lookup (values, "xml-index"), NULL, 10),
                             iv);
  plain = saphan_submission_decrypt_file (xml_key, iv, ciphertext, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                   g_hash_table_lookup (values, "plaintext"),
                   strlen (g_hash_table_lookup (values, "plaintext")));

  /* Without its last block the padding is wrong and decryption refuses. */
  cut = g_bytes_new_from_bytes (ciphertext, 0, g_bytes_get_size (ciphertext) - 16);
  g_clear_pointer (&plain, g_bytes_unref);
  plain = saphan_submission_decrypt_file (xml_key, iv, cut, &error);
  g_assert_null (plain);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_clear_error (&error);

  /* Our own key cannot unwrap it. */
  g_clear_pointer (&key, g_bytes_unref);
  key = saphan_submission_unwrap_key (private_pem, g_hash_table_lookup (values, "wrapped-key"), &error);
  g_assert_null (key);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  EVP_PKEY *pkey;
  BIO *bio;
  char *pem_data = NULL;
  long pem_len;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* The server's key pair, made fresh for this run. */
  tmp_dir = g_dir_make_tmp ("saphan-crypt-XXXXXX", &error);
  g_assert_no_error (error);
  pkey = EVP_RSA_gen (2048);
  g_assert_nonnull (pkey);
  public_b64 = spki_base64 (pkey);
  bio = BIO_new (BIO_s_mem ());
  g_assert_true (PEM_write_bio_PrivateKey (bio, pkey, NULL, NULL, 0, NULL, NULL));
  pem_len = BIO_get_mem_data (bio, &pem_data);
  private_pem = g_strndup (pem_data, (gsize) pem_len);
  BIO_free (bio);
  EVP_PKEY_free (pkey);
  private_pem_path = g_build_filename (tmp_dir, "server.pem", NULL);
  g_file_set_contents_full (private_pem_path, private_pem, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);

  g_test_add ("/submission-crypto/independent-decrypt", Fixture, "2026-11",
              fixture_setup, test_independent_decrypt, fixture_teardown);
  g_test_add ("/submission-crypto/independent-decrypt-no-version", Fixture, NULL,
              fixture_setup, test_independent_decrypt, fixture_teardown);
  g_test_add ("/submission-crypto/library-decrypt", Fixture, "2026-11",
              fixture_setup, test_library_decrypt, fixture_teardown);
  g_test_add ("/submission-crypto/library-decrypt-no-version", Fixture, NULL,
              fixture_setup, test_library_decrypt, fixture_teardown);
  g_test_add ("/submission-crypto/tamper", Fixture, "2026-11",
              fixture_setup, test_tamper, fixture_teardown);
  g_test_add ("/submission-crypto/malformed-manifest", Fixture, "2026-11",
              fixture_setup, test_malformed_manifest, fixture_teardown);
  g_test_add ("/submission-crypto/fresh-key-each-time", Fixture, "2026-11",
              fixture_setup, test_fresh_key_each_time, fixture_teardown);
  g_test_add_func ("/submission-crypto/bad-arguments", test_bad_arguments);
  g_test_add_func ("/submission-crypto/public-keys", test_public_keys);
  g_test_add_func ("/submission-crypto/collect-known-answer", test_collect_vector);

  status = g_test_run ();

  remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (private_pem_path);
  g_free (private_pem);
  g_free (public_b64);
  return status;
}
