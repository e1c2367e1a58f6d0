/* saphan-usb-export.c: writing queued submissions to a stick. */
#include "config.h"

#include "saphan-usb-private.h"
#include "saphan-error.h"
#include "saphan-kiosk-key.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

void
saphan_usb_export_result_free (SaphanUsbExportResult *result)
{
  if (result == NULL)
    return;
  g_free (result->folder);
  g_free (result);
}

static gboolean
errno_error (GError **error, const char *path, int saved)
{
  g_set_error (error, SAPHAN_ERROR,
               saved == ENOSPC || saved == EFBIG || saved == EDQUOT ? SAPHAN_ERROR_DISK_FULL
               : saved == EACCES || saved == EPERM || saved == EROFS ? SAPHAN_ERROR_PERMISSION
                                                                     : SAPHAN_ERROR_IO,
               _("Cannot write %s: %s. Nothing was marked exported."), path, g_strerror (saved));
  return FALSE;
}

/* Creates PATH (which must not exist), writes DATA and makes it durable. */
char *
_saphan_usb_signature_text (SaphanKioskKey *key, const guint8 *manifest, gsize len,
                            GError **error)
{
  guint8 signature[SAPHAN_KIOSK_KEY_SIGNATURE_LEN];
  g_autofree char *encoded = NULL;

  if (!saphan_kiosk_key_sign (key, manifest, len, signature, error))
    return NULL;
  encoded = g_base64_encode (signature, sizeof signature);
  return g_strdup_printf ("%s %s %s\n", USB_SIGNATURE_SCHEME, saphan_kiosk_key_get_id (key),
                          encoded);
}

static gboolean
write_durable (const char *path, const guint8 *data, gsize len, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  gsize done = 0;

  if (fd < 0)
    return errno_error (error, path, errno);
  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          close (fd);
          return errno_error (error, path, saved);
        }
      done += n;
    }
  if (fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      return errno_error (error, path, saved);
    }
  if (close (fd) != 0)
    return errno_error (error, path, errno);
  return TRUE;
}

static gboolean
fsync_dir (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return errno_error (error, path, errno);
  /* Some stick file systems (vfat through FUSE) refuse fsync on folders;
   * the files themselves were synced, which is what matters there. */
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int saved = errno;
      close (fd);
      return errno_error (error, path, saved);
    }
  close (fd);
  return TRUE;
}

static char *
make_export_folder (const char *dest_dir, const char *kiosk_id, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  for (int attempt = 1; attempt < 100; attempt++)
    {
      g_autofree char *name = attempt == 1
        ? g_strdup_printf (SAPHAN_USB_EXPORT_PREFIX "%s-%s", kiosk_id, stamp)
        : g_strdup_printf (SAPHAN_USB_EXPORT_PREFIX "%s-%s-%d", kiosk_id, stamp, attempt);
      g_autofree char *path = g_build_filename (dest_dir, name, NULL);

      if (g_mkdir (path, 0755) == 0)
        return g_steal_pointer (&path);
      if (errno != EEXIST)
        {
          errno_error (error, path, errno);
          return NULL;
        }
    }
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS, _("Too many exports in %s this second."),
               dest_dir);
  return NULL;
}

/* Writes one file of a submission and describes it in the manifest. */
static gboolean
export_file (JsonBuilder *b, const char *folder, const char *rel, const char *role,
             const char *name, GBytes *plain, EVP_PKEY *recipient, GError **error)
{
  g_autofree char *path = g_build_filename (folder, rel, NULL);
  g_autoptr (GBytes) stored = NULL;
  g_autofree char *sha = NULL;
  gsize len;
  const guint8 *data;

  stored = recipient != NULL ? _saphan_usb_encrypt_for (recipient, rel, plain, error)
                             : g_bytes_ref (plain);
  if (stored == NULL)
    return FALSE;
  data = g_bytes_get_data (stored, &len);
  if (!write_durable (path, data, len, error))
    return FALSE;
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, role);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, rel);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, len);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  json_builder_end_object (b);
  return TRUE;
}

static gboolean
export_submission (JsonBuilder *b, SaphanStore *store, const char *folder, guint index,
                   const SaphanSubmissionInfo *info, EVP_PKEY *recipient, guint *n_files,
                   GError **error)
{
  g_autofree char *dir_rel = g_strdup_printf ("%04u", index);
  g_autofree char *dir = g_build_filename (folder, dir_rel, NULL);
  g_autofree char *payload_rel = g_build_filename (dir_rel, "submission.xml", NULL);
  g_autoptr (GBytes) payload = saphan_store_get_payload (store, info->instance_id, error);
  g_autoptr (GPtrArray) attachments = NULL;

  if (payload == NULL)
    return FALSE;
  attachments = saphan_store_get_attachments (store, info->instance_id, error);
  if (attachments == NULL)
    return FALSE;
  if (g_mkdir (dir, 0755) != 0)
    return errno_error (error, dir, errno);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "instance_id");
  json_builder_add_string_value (b, info->instance_id);
  json_builder_set_member_name (b, "form_id");
  json_builder_add_string_value (b, info->form_id);
  json_builder_set_member_name (b, "form_version");
  json_builder_add_string_value (b, info->form_version);
  json_builder_set_member_name (b, "created_at");
  json_builder_add_int_value (b, info->created_at);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  if (!export_file (b, folder, payload_rel, "payload", "submission.xml", payload, recipient, error))
    return FALSE;
  for (guint i = 0; i < attachments->len; i++)
    {
      SaphanAttachment *attachment = attachments->pdata[i];
      /* Attachment names come from the form's answers: the file on the stick
       * gets a plain numbered name and the manifest keeps the real one. */
      g_autofree char *rel = g_strdup_printf ("%s/attachment-%u", dir_rel, i + 1);
      if (!export_file (b, folder, rel, "attachment", attachment->name, attachment->data,
                        recipient, error))
        return FALSE;
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  *n_files += 1 + attachments->len;
  return fsync_dir (dir, error);
}

static GPtrArray *
exportable_submissions (SaphanStore *store, GError **error)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (
    (GDestroyNotify) saphan_submission_info_free);
  const SaphanSubmissionState states[] = { SAPHAN_SUBMISSION_QUEUED, SAPHAN_SUBMISSION_EXPORTED };

  for (gsize s = 0; s < G_N_ELEMENTS (states); s++)
    {
      g_autoptr (GPtrArray) some = saphan_store_list_submissions (store, states[s], 0, error);
      if (some == NULL)
        return NULL;
      /* Oldest first, so that the stick's order matches the kiosk's. */
      for (guint i = some->len; i > 0; i--)
        g_ptr_array_add (all, g_ptr_array_steal_index (some, i - 1));
    }
  return g_steal_pointer (&all);
}

SaphanUsbExportResult *
saphan_usb_export (SaphanStore *store, const char *dest_dir, GError **error)
{
  g_autoptr (SaphanUsbExportResult) result = g_new0 (SaphanUsbExportResult, 1);
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (EVP_PKEY) recipient = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *public_pem = NULL, *created = g_date_time_format_iso8601 (now);
  g_autofree char *manifest = NULL, *sig_text = NULL;
  g_autofree char *manifest_path = NULL, *manifest_tmp = NULL, *sig_path = NULL, *detail = NULL;
  const char *data_dir;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  g_return_val_if_fail (dest_dir != NULL, NULL);

  data_dir = saphan_store_get_data_dir (store);
  if (!g_file_test (dest_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                   _("%s is not a folder; mount the stick and give its folder."), dest_dir);
      return NULL;
    }
  items = exportable_submissions (store, error);
  if (items == NULL)
    return NULL;
  if (items->len == 0)
    return g_steal_pointer (&result);

  key = saphan_kiosk_key_load_or_create (data_dir, error);
  if (key == NULL)
    return NULL;
  public_pem = saphan_store_get_setting (store, SAPHAN_USB_SETTING_PUBLIC_KEY, NULL);
  if (public_pem != NULL && *public_pem != '\0' &&
      (recipient = _saphan_usb_load_pem_key (public_pem, FALSE, error)) == NULL)
    return NULL;

  result->folder = make_export_folder (dest_dir, saphan_kiosk_key_get_id (key), error);
  if (result->folder == NULL)
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "saphan-submissions");
  json_builder_set_member_name (b, "kiosk_key_id");
  json_builder_add_string_value (b, saphan_kiosk_key_get_id (key));
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "encryption");
  if (recipient != NULL)
    json_builder_add_string_value (b, USB_ENCRYPTION_SCHEME);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "submissions");
  json_builder_begin_array (b);
  for (guint i = 0; i < items->len; i++)
    if (!export_submission (b, store, result->folder, i + 1, items->pdata[i], recipient,
                            &result->n_files, error))
      return NULL;
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  manifest = json_generator_to_data (gen, NULL);

  /* The signature goes first and the manifest last, under a temporary name
   * renamed when complete: an import finds a whole export or none. */
  sig_text = _saphan_usb_signature_text (key, (const guint8 *) manifest, strlen (manifest), error);
  if (sig_text == NULL)
    return NULL;
  sig_path = g_build_filename (result->folder, USB_SIGNATURE_NAME, NULL);
  manifest_tmp = g_build_filename (result->folder, USB_MANIFEST_NAME ".part", NULL);
  manifest_path = g_build_filename (result->folder, USB_MANIFEST_NAME, NULL);
  if (!write_durable (sig_path, (const guint8 *) sig_text, strlen (sig_text), error) ||
      !write_durable (manifest_tmp, (const guint8 *) manifest, strlen (manifest), error))
    return NULL;
  if (g_rename (manifest_tmp, manifest_path) != 0)
    return errno_error (error, manifest_path, errno), NULL;
  if (!fsync_dir (result->folder, error) || !fsync_dir (dest_dir, error))
    return NULL;

  /* Only now is the export real. Exported is not accepted: the kiosk still
   * sends these itself when it gets a connection. */
  for (guint i = 0; i < items->len; i++)
    {
      SaphanSubmissionInfo *info = items->pdata[i];
      if (!saphan_store_mark_exported (store, info->instance_id, error))
        return NULL;
    }
  result->n_submissions = items->len;
  detail = g_strdup_printf ("count=%u encrypted=%s", items->len, recipient != NULL ? "yes" : "no");
  saphan_store_audit_append (store, "usb-export", detail, NULL);
  return g_steal_pointer (&result);
}

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SaphanUsbExportResult *result;
  GError *error = NULL;

  result = saphan_usb_export (SAPHAN_STORE (source), task_data, &error);
  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) saphan_usb_export_result_free);
  else
    g_task_return_error (task, error);
}

void
saphan_usb_export_async (SaphanStore *store, const char *dest_dir, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (SAPHAN_IS_STORE (store));
  g_return_if_fail (dest_dir != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, saphan_usb_export_async);
  g_task_set_task_data (task, g_strdup (dest_dir), g_free);
  g_task_run_in_thread (task, export_thread);
}

SaphanUsbExportResult *
saphan_usb_export_finish (SaphanStore *store, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == saphan_usb_export_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
