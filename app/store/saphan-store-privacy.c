/* saphan-store-privacy.c: answers encrypted at rest, and their retention.
 *
 * A kiosk stands in a public room and its disk can be carried away, so the
 * answers citizens give are sealed with AES-256-GCM before they reach the
 * database. The key lives outside the database file: in a systemd
 * credential when the service has one, else in DATA_DIR/keys/store.key,
 * readable by the kiosk user only. A copy of saphan.db alone reveals
 * nothing; a copy of the whole data folder does, which is why the service
 * should use a credential bound to the machine's TPM where it can.
 *
 * The additional authenticated data names the row (instance id) and the
 * column (payload, or the attachment's file name), so sealed blobs moved
 * between rows by someone with access to the file fail to open instead of
 * showing one citizen's answers under another's record.
 *
 * Retention: answers are needed until the server accepted them, and for a
 * while after to settle disputes; after retention.days they are replaced by
 * an empty blob. The receipt and the row's metadata stay.
 */
#include "config.h"

#include "saphan-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "saphan-error.h"

#define DAY_SECONDS ((gint64) 24 * 60 * 60)

/* ---- The key ------------------------------------------------------------- */

char *
saphan_store_key_path (SaphanStore *self)
{
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");

  g_return_val_if_fail (SAPHAN_IS_STORE (self), NULL);

  if (credentials != NULL && *credentials != '\0')
    return g_build_filename (credentials, SAPHAN_STORE_KEY_CREDENTIAL, NULL);
  return g_build_filename (self->data_dir, "keys", "store.key", NULL);
}

static void
set_key_error (const char *path, const char *why, GError **error)
{
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION,
               _("The key that protects stored answers (%s) cannot be used: %s. Restore the key file or the service's credential; without it the saved answers cannot be read."),
               path, why);
}

/* Accepts the 32 raw bytes, or 64 hex digits with an optional newline, so
 * that a credential can be made with "systemd-creds encrypt" from either. */
static gboolean
parse_key (const guint8 *data, gsize len, guint8 *out_key)
{
  if (len == SAPHAN_STORE_KEY_LEN)
    {
      memcpy (out_key, data, SAPHAN_STORE_KEY_LEN);
      return TRUE;
    }
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;
  if (len != SAPHAN_STORE_KEY_LEN * 2)
    return FALSE;
  for (gsize i = 0; i < SAPHAN_STORE_KEY_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (data[2 * i]);
      int lo = g_ascii_xdigit_value (data[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out_key[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/* Makes the key file atomically: written whole under a temporary name,
 * synced, then linked to its final name. link(2) fails when another
 * process made the key first, and then that key is the one used, so two
 * processes starting together never seal with different keys. */
static gboolean
create_key_file (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_strdup_printf ("%s.tmp.%d", path, (int) getpid ());
  guint8 key[SAPHAN_STORE_KEY_LEN];
  gssize written = 0;
  int saved = 0;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      set_key_error (path, g_strerror (errno), error);
      return FALSE;
    }
  if (RAND_bytes (key, sizeof key) != 1)
    {
      set_key_error (path, _("no random numbers are available"), error);
      return FALSE;
    }

  g_unlink (tmp);
  fd = g_open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      OPENSSL_cleanse (key, sizeof key);
      set_key_error (path, g_strerror (errno), error);
      return FALSE;
    }
  while (written < (gssize) sizeof key)
    {
      gssize n = write (fd, key + written, sizeof key - (gsize) written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved = errno;
          break;
        }
      written += n;
    }
  OPENSSL_cleanse (key, sizeof key);
  if (saved == 0 && fsync (fd) != 0)
    saved = errno;
  close (fd);
  if (saved == 0 && link (tmp, path) != 0 && errno != EEXIST)
    saved = errno;
  g_unlink (tmp);
  if (saved != 0)
    {
      set_key_error (path, g_strerror (saved), error);
      return FALSE;
    }

  /* The folder entry must survive a power cut too, or the next start would
   * make a new key and lose every answer sealed with this one. */
  fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
  return TRUE;
}

static gboolean
ensure_key (SaphanStore *self, gboolean create, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree guint8 *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  gboolean from_credential;

  if (self->seal_key != NULL)
    return TRUE;

  path = saphan_store_key_path (self);
  from_credential = g_getenv ("CREDENTIALS_DIRECTORY") != NULL &&
                    *g_getenv ("CREDENTIALS_DIRECTORY") != '\0';

  if (!g_file_get_contents (path, (char **) &contents, &len, &local_error))
    {
      /* A credential is provisioned by the service; making one up here
       * would hide a broken installation behind a fresh, unknown key. */
      if (!create || from_credential ||
          !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          set_key_error (path, local_error->message, error);
          return FALSE;
        }
      if (!create_key_file (path, error))
        return FALSE;
      g_clear_error (&local_error);
      if (!g_file_get_contents (path, (char **) &contents, &len, &local_error))
        {
          set_key_error (path, local_error->message, error);
          return FALSE;
        }
    }

  self->seal_key = g_malloc (SAPHAN_STORE_KEY_LEN);
  if (!parse_key (contents, len, self->seal_key))
    {
      OPENSSL_cleanse (contents, len);
      _saphan_store_forget_key (self);
      set_key_error (path, _("it is not a 256-bit key"), error);
      return FALSE;
    }
  OPENSSL_cleanse (contents, len);
  return TRUE;
}

void
_saphan_store_forget_key (SaphanStore *self)
{
  if (self->seal_key != NULL)
    OPENSSL_cleanse (self->seal_key, SAPHAN_STORE_KEY_LEN);
  g_clear_pointer (&self->seal_key, g_free);
}

/* ---- Sealing --------------------------------------------------------------- */

static GByteArray *
make_aad (const char *instance_id, const char *kind, const char *name)
{
  GByteArray *aad = g_byte_array_new ();

  /* NUL separators keep "a" + "bc" apart from "ab" + "c". */
  g_byte_array_append (aad, (const guint8 *) "saphan-seal-v1", sizeof "saphan-seal-v1");
  g_byte_array_append (aad, (const guint8 *) instance_id, strlen (instance_id) + 1);
  g_byte_array_append (aad, (const guint8 *) kind, strlen (kind) + 1);
  if (name != NULL)
    g_byte_array_append (aad, (const guint8 *) name, strlen (name) + 1);
  return aad;
}

GBytes *
_saphan_store_seal (SaphanStore *self, const char *instance_id, const char *kind,
                    const char *name, GBytes *plain, GError **error)
{
  g_autoptr(GByteArray) aad = NULL;
  EVP_CIPHER_CTX *ctx = NULL;
  gsize plain_len = 0;
  const guint8 *plain_data = g_bytes_get_data (plain, &plain_len);
  guint8 *out;
  gsize out_len = plain_len + SAPHAN_SEAL_OVERHEAD;
  int n = 0, final_n = 0;
  gboolean ok = FALSE;

  if (plain_len > G_MAXINT - SAPHAN_SEAL_OVERHEAD)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The submission %s is too large to be saved."), instance_id);
      return NULL;
    }
  if (!ensure_key (self, TRUE, error))
    return NULL;

  aad = make_aad (instance_id, kind, name);
  out = g_malloc (out_len);
  out[0] = SAPHAN_SEAL_VERSION;
  ctx = EVP_CIPHER_CTX_new ();
  /* A random nonce per blob: with at most millions of blobs per key the
   * chance of a repeat stays far below GCM's 2^-32 bound. */
  if (ctx != NULL &&
      RAND_bytes (out + 1, SAPHAN_SEAL_NONCE_LEN) == 1 &&
      EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1 &&
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, SAPHAN_SEAL_NONCE_LEN, NULL) == 1 &&
      EVP_EncryptInit_ex (ctx, NULL, NULL, self->seal_key, out + 1) == 1 &&
      EVP_EncryptUpdate (ctx, NULL, &n, aad->data, (int) aad->len) == 1 &&
      EVP_EncryptUpdate (ctx, out + 1 + SAPHAN_SEAL_NONCE_LEN, &n,
                         plain_len > 0 ? plain_data : (const guint8 *) "", (int) plain_len) == 1 &&
      EVP_EncryptFinal_ex (ctx, out + 1 + SAPHAN_SEAL_NONCE_LEN + n, &final_n) == 1 &&
      (gsize) (n + final_n) == plain_len &&
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, SAPHAN_SEAL_TAG_LEN,
                           out + 1 + SAPHAN_SEAL_NONCE_LEN + plain_len) == 1)
    ok = TRUE;
  EVP_CIPHER_CTX_free (ctx);

  if (!ok)
    {
      g_free (out);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                   _("The answers of submission %s could not be encrypted; nothing was saved."),
                   instance_id);
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}

GBytes *
_saphan_store_unseal (SaphanStore *self, const char *instance_id, const char *kind,
                      const char *name, const void *sealed, gsize len, GError **error)
{
  g_autoptr(GByteArray) aad = NULL;
  const guint8 *in = sealed;
  EVP_CIPHER_CTX *ctx = NULL;
  guint8 tag[SAPHAN_SEAL_TAG_LEN];
  guint8 *out;
  gsize out_len;
  int n = 0, final_n = 0;
  gboolean ok = FALSE;

  if (len < SAPHAN_SEAL_OVERHEAD || in[0] != SAPHAN_SEAL_VERSION)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The stored answers of submission %s are damaged or in an unknown format; they were not used."),
                   instance_id);
      return NULL;
    }
  if (!ensure_key (self, FALSE, error))
    return NULL;

  out_len = len - SAPHAN_SEAL_OVERHEAD;
  out = g_malloc (out_len + 1);
  memcpy (tag, in + len - SAPHAN_SEAL_TAG_LEN, sizeof tag);
  aad = make_aad (instance_id, kind, name);
  ctx = EVP_CIPHER_CTX_new ();
  if (ctx != NULL &&
      EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1 &&
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, SAPHAN_SEAL_NONCE_LEN, NULL) == 1 &&
      EVP_DecryptInit_ex (ctx, NULL, NULL, self->seal_key, in + 1) == 1 &&
      EVP_DecryptUpdate (ctx, NULL, &n, aad->data, (int) aad->len) == 1 &&
      EVP_DecryptUpdate (ctx, out, &n, in + 1 + SAPHAN_SEAL_NONCE_LEN, (int) out_len) == 1 &&
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, SAPHAN_SEAL_TAG_LEN, tag) == 1 &&
      EVP_DecryptFinal_ex (ctx, out + n, &final_n) == 1)
    ok = TRUE;
  EVP_CIPHER_CTX_free (ctx);

  if (!ok)
    {
      /* Nothing decrypted leaves this function when the tag fails. */
      OPENSSL_cleanse (out, out_len);
      g_free (out);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The stored answers of submission %s cannot be decrypted with this kiosk's key: the key is not the one they were saved with, or the database was changed outside Saphan."),
                   instance_id);
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}

/* ---- Retention --------------------------------------------------------------- */

static gint64
retention_days_locked (SaphanStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 days = SAPHAN_STORE_RETENTION_DEFAULT_DAYS;

  stmt = _saphan_store_prepare (self, "SELECT value FROM settings WHERE key = ?1", NULL);
  if (stmt == NULL)
    return days;
  sqlite3_bind_text (stmt, 1, SAPHAN_STORE_RETENTION_SETTING, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);
      guint64 parsed = 0;

      /* A bad value keeps the default rather than purging everything now. */
      if (text != NULL && g_ascii_string_to_unsigned (text, 10, 0, 36500, &parsed, NULL))
        days = (gint64) parsed;
      else
        g_warning ("Ignoring the setting %s: not a number of days", SAPHAN_STORE_RETENTION_SETTING);
    }
  return days;
}

gboolean
saphan_store_purge_expired (SaphanStore *self, gint64 now, gint64 *out_n_purged, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) purge = NULL;
  g_autoptr(sqlite3_stmt) drop = NULL;
  g_autofree char *detail = NULL;
  gint64 days, cutoff, n;

  g_return_val_if_fail (SAPHAN_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!_saphan_store_begin (self, error))
    return FALSE;

  days = retention_days_locked (self);
  cutoff = now - days * DAY_SECONDS;

  /* Attachments first, while the rows still say which ones to drop. With
   * secure_delete on, SQLite overwrites the freed pages. */
  drop = _saphan_store_prepare (self,
                                "DELETE FROM attachments WHERE instance_id IN ("
                                "  SELECT instance_id FROM submissions WHERE state = 'accepted'"
                                "  AND purged_at IS NULL AND accepted_at <= ?1)",
                                error);
  if (drop == NULL)
    goto fail;
  sqlite3_bind_int64 (drop, 1, cutoff);
  if (!_saphan_store_step_done (self, drop, error))
    goto fail;

  purge = _saphan_store_prepare (self,
                                 "UPDATE submissions SET payload = x'', purged_at = ?2 "
                                 "WHERE state = 'accepted' AND purged_at IS NULL AND accepted_at <= ?1",
                                 error);
  if (purge == NULL)
    goto fail;
  sqlite3_bind_int64 (purge, 1, cutoff);
  sqlite3_bind_int64 (purge, 2, now);
  if (!_saphan_store_step_done (self, purge, error))
    goto fail;
  n = sqlite3_changes64 (self->db);

  if (n > 0)
    {
      detail = g_strdup_printf ("purged=%" G_GINT64_FORMAT " retention-days=%" G_GINT64_FORMAT,
                                n, days);
      if (!_saphan_store_audit_append_locked (self, "retention-purge", detail, now, error))
        goto fail;
    }
  if (!_saphan_store_commit (self, error))
    return FALSE;

  if (out_n_purged != NULL)
    *out_n_purged = n;
  return TRUE;

fail:
  _saphan_store_rollback (self);
  return FALSE;
}
