/* saphan-kiosk-key.c: the kiosk's Ed25519 key and its keyring.
 *
 * All cryptography goes through OpenSSL's EVP interface. The private key is
 * stored as PKCS#8 PEM so that standard tools can inspect it; the public key
 * travels as a short text file with the raw 32 bytes in base64, which is
 * easy to read aloud, mail or copy on a USB stick.
 */
#include "config.h"

#include "saphan-kiosk-key.h"
#include "saphan-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

struct _SaphanKioskKey
{
  GObject parent_instance;

  /* Owned */
  EVP_PKEY *pkey;
  gboolean  has_private;
  guint8    public_raw[SAPHAN_KIOSK_KEY_PUBLIC_LEN];
  guint8    id_bytes[SAPHAN_KIOSK_KEY_ID_LEN];
  char      id[SAPHAN_KIOSK_KEY_ID_LEN * 2 + 1];
};

G_DEFINE_FINAL_TYPE (SaphanKioskKey, saphan_kiosk_key, G_TYPE_OBJECT)

#define PUBLIC_FILE_MAGIC "saphan-kiosk-public-key 1"

/* ---- Helpers ------------------------------------------------------------ */

static int
errno_to_code (int saved)
{
  switch (saved)
    {
    case EACCES:
    case EPERM:
    case EROFS:
      return SAPHAN_ERROR_PERMISSION;
    case ENOSPC:
    case EDQUOT:
      return SAPHAN_ERROR_DISK_FULL;
    case ENOENT:
      return SAPHAN_ERROR_NOT_FOUND;
    default:
      return SAPHAN_ERROR_IO;
    }
}

static char *
keys_dir (const char *data_dir)
{
  return g_build_filename (data_dir, "keys", NULL);
}

static char *
trusted_dir (const char *data_dir)
{
  return g_build_filename (data_dir, "keys", "trusted", NULL);
}

static char *
private_key_path (const char *data_dir)
{
  return g_build_filename (data_dir, "keys", "kiosk.key", NULL);
}

static gboolean
ensure_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, SAPHAN_ERROR, errno_to_code (saved),
                   _("Cannot create the key folder %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  /* An existing folder made by hand may be too open; the private key must
   * not be listable by others. */
  if (g_chmod (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, SAPHAN_ERROR, errno_to_code (saved),
                   _("Cannot protect the key folder %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Fills the public key, its id and the hex id from SELF->pkey. */
static gboolean
derive_public (SaphanKioskKey *self, GError **error)
{
  size_t len = sizeof self->public_raw;
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;

  if (EVP_PKEY_get_raw_public_key (self->pkey, self->public_raw, &len) != 1 ||
      len != SAPHAN_KIOSK_KEY_PUBLIC_LEN ||
      EVP_Digest (self->public_raw, len, digest, &digest_len, EVP_sha256 (), NULL) != 1)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The key is not an Ed25519 key."));
      return FALSE;
    }
  memcpy (self->id_bytes, digest, SAPHAN_KIOSK_KEY_ID_LEN);
  for (int i = 0; i < SAPHAN_KIOSK_KEY_ID_LEN; i++)
    g_snprintf (self->id + 2 * i, 3, "%02x", self->id_bytes[i]);
  return TRUE;
}

static SaphanKioskKey *
key_new_take (EVP_PKEY *pkey, gboolean has_private, GError **error)
{
  g_autoptr (SaphanKioskKey) self = g_object_new (SAPHAN_TYPE_KIOSK_KEY, NULL);

  self->pkey = pkey;
  self->has_private = has_private;
  if (!derive_public (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
saphan_write_file_atomic (const char *path, const guint8 *contents, gsize len, int mode,
                          GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-%d", path, (int) getpid ());
  g_autofree char *dir = g_path_get_dirname (path);
  gsize done = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    goto fail;
  /* The umask may have removed bits, never added any; fchmod makes the mode
   * exact even when a stale temporary file existed. */
  if (fchmod (fd, mode) != 0)
    goto fail_close;
  while (done < len)
    {
      ssize_t n = write (fd, contents + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail_close;
      done += (gsize) n;
    }
  if (fsync (fd) != 0)
    goto fail_close;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (rename (tmp, path) != 0)
    goto fail;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      /* Some file systems refuse fsync on folders; the data is safe anyway. */
      (void) fsync (fd);
      close (fd);
    }
  return TRUE;

fail_close:
  {
    int saved = errno;
    close (fd);
    errno = saved;
  }
fail:
  {
    int saved = errno;
    g_unlink (tmp);
    g_set_error (error, SAPHAN_ERROR, errno_to_code (saved),
                 _("Cannot write %s: %s"), path, g_strerror (saved));
    return FALSE;
  }
}

/* ---- GObject ------------------------------------------------------------ */

static void
saphan_kiosk_key_finalize (GObject *object)
{
  SaphanKioskKey *self = SAPHAN_KIOSK_KEY (object);

  g_clear_pointer (&self->pkey, EVP_PKEY_free);
  G_OBJECT_CLASS (saphan_kiosk_key_parent_class)->finalize (object);
}

static void
saphan_kiosk_key_class_init (SaphanKioskKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = saphan_kiosk_key_finalize;
}

static void
saphan_kiosk_key_init (SaphanKioskKey *self)
{
}

/* ---- Public API --------------------------------------------------------- */

SaphanKioskKey *
saphan_kiosk_key_load_or_create (const char *data_dir, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *pem = NULL;
  gsize pem_len = 0;
  g_autoptr (GError) local_error = NULL;
  EVP_PKEY *pkey = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  dir = keys_dir (data_dir);
  path = private_key_path (data_dir);
  if (!ensure_dir (dir, error))
    return NULL;

  if (g_file_get_contents (path, &pem, &pem_len, &local_error))
    {
      BIO *bio = BIO_new_mem_buf (pem, (int) pem_len);

      pkey = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
      BIO_free (bio);
      if (pkey == NULL || EVP_PKEY_get_id (pkey) != EVP_PKEY_ED25519)
        {
          g_clear_pointer (&pkey, EVP_PKEY_free);
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("The kiosk key %s is damaged. Restore it from a backup; "
                         "a new key makes old receipts unverifiable."), path);
          return NULL;
        }
      /* A key copied in by hand may be readable by others: close that. */
      if (g_chmod (path, 0600) != 0)
        {
          int saved = errno;
          EVP_PKEY_free (pkey);
          g_set_error (error, SAPHAN_ERROR, errno_to_code (saved),
                       _("Cannot protect the kiosk key %s: %s"), path, g_strerror (saved));
          return NULL;
        }
      return key_new_take (pkey, TRUE, error);
    }
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION,
                   _("Cannot read the kiosk key: %s"), local_error->message);
      return NULL;
    }

  /* First start: make the key and write it before anyone can use it. */
  pkey = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  if (pkey == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                   _("Cannot generate the kiosk key."));
      return NULL;
    }
  {
    BIO *bio = BIO_new (BIO_s_mem ());
    char *data = NULL;
    long len;
    gboolean ok;

    if (PEM_write_bio_PrivateKey (bio, pkey, NULL, NULL, 0, NULL, NULL) != 1)
      {
        BIO_free (bio);
        EVP_PKEY_free (pkey);
        g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                     _("Cannot encode the kiosk key."));
        return NULL;
      }
    len = BIO_get_mem_data (bio, &data);
    ok = saphan_write_file_atomic (path, (const guint8 *) data, (gsize) len, 0600, error);
    OPENSSL_cleanse (data, (size_t) len);
    BIO_free (bio);
    if (!ok)
      {
        EVP_PKEY_free (pkey);
        return NULL;
      }
  }
  g_message ("Generated a new kiosk key");
  return key_new_take (pkey, TRUE, error);
}

SaphanKioskKey *
saphan_kiosk_key_new_from_public (const guint8 *raw, gsize len, GError **error)
{
  EVP_PKEY *pkey;

  g_return_val_if_fail (raw != NULL || len == 0, NULL);

  if (len != SAPHAN_KIOSK_KEY_PUBLIC_LEN ||
      (pkey = EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, raw, len)) == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("This is not an Ed25519 public key (it must be 32 bytes)."));
      return NULL;
    }
  return key_new_take (pkey, FALSE, error);
}

SaphanKioskKey *
saphan_kiosk_key_new_from_public_text (const char *text, GError **error)
{
  g_auto (GStrv) lines = NULL;
  g_autofree guint8 *raw = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  gsize raw_len = 0;
  const char *claimed_id = NULL;
  const char *b64 = NULL;
  gboolean magic = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  lines = g_strsplit (text, "\n", 64);
  for (int i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (g_str_equal (line, PUBLIC_FILE_MAGIC))
        magic = TRUE;
      else if (g_str_has_prefix (line, "key-id:"))
        claimed_id = g_strstrip (line + strlen ("key-id:"));
      else if (g_str_has_prefix (line, "ed25519:"))
        b64 = g_strstrip (line + strlen ("ed25519:"));
    }
  if (!magic || b64 == NULL || strlen (b64) != 44)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("This is not a Saphan kiosk public key file."));
      return NULL;
    }
  raw = g_base64_decode (b64, &raw_len);
  key = saphan_kiosk_key_new_from_public (raw, raw_len, error);
  if (key == NULL)
    return NULL;
  /* The id is redundant; a mismatch means the file was edited or damaged. */
  if (claimed_id != NULL && g_ascii_strcasecmp (claimed_id, key->id) != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The key file says key %s but holds key %s; it was altered."),
                   claimed_id, key->id);
      return NULL;
    }
  return g_steal_pointer (&key);
}

gboolean
saphan_kiosk_key_has_private (SaphanKioskKey *self)
{
  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), FALSE);
  return self->has_private;
}

const char *
saphan_kiosk_key_get_id (SaphanKioskKey *self)
{
  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), NULL);
  return self->id;
}

const guint8 *
saphan_kiosk_key_get_id_bytes (SaphanKioskKey *self)
{
  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), NULL);
  return self->id_bytes;
}

const guint8 *
saphan_kiosk_key_get_public_raw (SaphanKioskKey *self)
{
  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), NULL);
  return self->public_raw;
}

char *
saphan_kiosk_key_get_public_base64 (SaphanKioskKey *self)
{
  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), NULL);
  return g_base64_encode (self->public_raw, sizeof self->public_raw);
}

char *
saphan_kiosk_key_export_public (SaphanKioskKey *self, const char *label)
{
  g_autofree char *b64 = NULL;
  GString *out;

  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), NULL);

  b64 = saphan_kiosk_key_get_public_base64 (self);
  out = g_string_new (PUBLIC_FILE_MAGIC "\n");
  if (label != NULL && *label != '\0' && strchr (label, '\n') == NULL)
    g_string_append_printf (out, "label: %s\n", label);
  g_string_append_printf (out, "key-id: %s\n", self->id);
  g_string_append_printf (out, "ed25519: %s\n", b64);
  return g_string_free (out, FALSE);
}

gboolean
saphan_kiosk_key_sign (SaphanKioskKey *self, const guint8 *data, gsize len,
                       guint8 *out_signature, GError **error)
{
  EVP_MD_CTX *ctx;
  size_t sig_len = SAPHAN_KIOSK_KEY_SIGNATURE_LEN;
  gboolean ok;

  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), FALSE);
  g_return_val_if_fail (out_signature != NULL, FALSE);

  if (!self->has_private)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("Only the kiosk's own key can sign receipts."));
      return FALSE;
    }
  ctx = EVP_MD_CTX_new ();
  /* Ed25519 hashes internally, so no digest is named (the "pure" mode). */
  ok = ctx != NULL &&
       EVP_DigestSignInit (ctx, NULL, NULL, NULL, self->pkey) == 1 &&
       EVP_DigestSign (ctx, out_signature, &sig_len, data, len) == 1 &&
       sig_len == SAPHAN_KIOSK_KEY_SIGNATURE_LEN;
  EVP_MD_CTX_free (ctx);
  if (!ok)
    g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED, _("Cannot sign the receipt."));
  return ok;
}

gboolean
saphan_kiosk_key_verify (SaphanKioskKey *self, const guint8 *data, gsize len,
                         const guint8 *signature, gsize signature_len)
{
  EVP_MD_CTX *ctx;
  gboolean ok;

  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (self), FALSE);

  if (signature == NULL || signature_len != SAPHAN_KIOSK_KEY_SIGNATURE_LEN)
    return FALSE;
  ctx = EVP_MD_CTX_new ();
  ok = ctx != NULL &&
       EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, self->pkey) == 1 &&
       EVP_DigestVerify (ctx, signature, signature_len, data, len) == 1;
  EVP_MD_CTX_free (ctx);
  return ok;
}

/* ---- Keyring ------------------------------------------------------------ */

char *
saphan_keyring_trust_file (const char *data_dir, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *exported = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  gsize len = 0;

  g_return_val_if_fail (data_dir != NULL && path != NULL, NULL);

  if (!g_file_get_contents (path, &text, &len, &local_error))
    {
      g_set_error (error, SAPHAN_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                       ? SAPHAN_ERROR_NOT_FOUND : SAPHAN_ERROR_IO,
                   _("Cannot read the key file: %s"), local_error->message);
      return NULL;
    }
  if (len > 4096 || memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("This is not a Saphan kiosk public key file."));
      return NULL;
    }
  key = saphan_kiosk_key_new_from_public_text (text, error);
  if (key == NULL)
    return NULL;

  dir = trusted_dir (data_dir);
  if (!ensure_dir (dir, error))
    return NULL;
  /* The stored copy is re-exported so that a stray line in the imported
   * file can never confuse a later reader. */
  exported = saphan_kiosk_key_export_public (key, NULL);
  dest = g_strdup_printf ("%s/%s.pub", dir, key->id);
  if (!saphan_write_file_atomic (dest, (const guint8 *) exported, strlen (exported), 0644, error))
    return NULL;
  return g_strdup (key->id);
}

SaphanKioskKey *
saphan_keyring_lookup (const char *data_dir, const guint8 *key_id, gsize key_id_len,
                       GError **error)
{
  g_autofree char *own_path = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  char hex[SAPHAN_KIOSK_KEY_ID_LEN * 2 + 1];

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (key_id == NULL || key_id_len != SAPHAN_KIOSK_KEY_ID_LEN)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                   _("The receipt names no known kiosk key."));
      return NULL;
    }
  for (gsize i = 0; i < key_id_len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", key_id[i]);

  /* The kiosk's own key is trusted without being imported, but it is never
   * created here: verifying must not have side effects. */
  own_path = private_key_path (data_dir);
  if (g_file_test (own_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (SaphanKioskKey) own = saphan_kiosk_key_load_or_create (data_dir, NULL);
      if (own != NULL && memcmp (own->id_bytes, key_id, key_id_len) == 0)
        return g_steal_pointer (&own);
    }

  path = g_strdup_printf ("%s/keys/trusted/%s.pub", data_dir, hex);
  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      g_autoptr (SaphanKioskKey) key = saphan_kiosk_key_new_from_public_text (text, error);
      if (key == NULL)
        return NULL;
      if (memcmp (key->id_bytes, key_id, key_id_len) != 0)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                       _("The trusted key file %s holds a different key."), path);
          return NULL;
        }
      return g_steal_pointer (&key);
    }

  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
               _("Unknown kiosk: key %s is not trusted here. Import the kiosk's "
                 "public key with “saphanctl keys trust FILE”."), hex);
  return NULL;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
saphan_keyring_list (const char *data_dir, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *own_path = private_key_path (data_dir);
  g_autofree char *dir = trusted_dir (data_dir);
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) others = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (g_file_test (own_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (SaphanKioskKey) own = saphan_kiosk_key_load_or_create (data_dir, error);
      if (own == NULL)
        return NULL;
      g_ptr_array_add (ids, g_strdup (own->id));
    }
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".pub") && strlen (name) == SAPHAN_KIOSK_KEY_ID_LEN * 2 + 4)
      g_ptr_array_add (others, g_strndup (name, SAPHAN_KIOSK_KEY_ID_LEN * 2));
  g_ptr_array_sort (others, compare_strings);
  for (guint i = 0; i < others->len; i++)
    if (ids->len == 0 || g_strcmp0 (ids->pdata[0], others->pdata[i]) != 0)
      g_ptr_array_add (ids, g_strdup (others->pdata[i]));
  return g_steal_pointer (&ids);
}
