/* saphan-usb-import.c: verifying exports and queuing their submissions. */
#include "config.h"

#include "saphan-usb-private.h"
#include "saphan-error.h"
#include "saphan-json-member.h"
#include "saphan-kiosk-key.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

typedef struct
{
  char      *instance_id;
  char      *form_id;
  char      *form_version;
  gint64     created_at;
  GBytes    *payload;
  GPtrArray *attachments;   /* of SaphanAttachment * */
} ImportItem;

static void
import_item_free (ImportItem *item)
{
  g_free (item->instance_id);
  g_free (item->form_id);
  g_free (item->form_version);
  g_clear_pointer (&item->payload, g_bytes_unref);
  g_clear_pointer (&item->attachments, g_ptr_array_unref);
  g_free (item);
}

static gboolean
refuse_export (GError **error, SaphanErrorCode code, const char *folder, const char *reason)
{
  g_autofree char *base = g_path_get_basename (folder);
  g_set_error (error, SAPHAN_ERROR, code, _("The export %s is refused: %s"), base, reason);
  return FALSE;
}

/* Reads a file of at most MAX bytes without following a link. */
static GBytes *
read_bounded (const char *path, guint64 max, GError **error)
{
  GStatBuf st;
  char *data = NULL;
  gsize len;

  if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("%s is missing or not a regular "
                                                               "file."), path);
      return NULL;
    }
  if ((guint64) st.st_size > max)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("%s is larger than allowed."),
                   path);
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return g_bytes_new_take (data, len);
}

static gboolean
rel_path_is_safe (const char *rel)
{
  g_auto (GStrv) parts = NULL;

  if (rel == NULL || *rel == '\0' || rel[0] == '/' || strchr (rel, '\\') != NULL)
    return FALSE;
  parts = g_strsplit (rel, "/", -1);
  for (int i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0)
      return FALSE;
  return TRUE;
}

static SaphanKioskKey *
signer_key (const char *data_dir, const char *key_id_hex, const char *trust_key_text,
            GError **error)
{
  guint8 id[SAPHAN_KIOSK_KEY_ID_LEN];

  if (trust_key_text != NULL)
    {
      g_autoptr (SaphanKioskKey) key = NULL;

      key = saphan_kiosk_key_new_from_public_text (trust_key_text, error);
      if (key == NULL)
        return NULL;
      if (g_strcmp0 (saphan_kiosk_key_get_id (key), key_id_hex) != 0)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                       _("it was signed by kiosk key %s, not by the key given"), key_id_hex);
          return NULL;
        }
      return g_steal_pointer (&key);
    }
  if (strlen (key_id_hex) != 2 * SAPHAN_KIOSK_KEY_ID_LEN)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE, _("its signer is unreadable"));
      return NULL;
    }
  for (int i = 0; i < SAPHAN_KIOSK_KEY_ID_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (key_id_hex[2 * i]);
      int lo = g_ascii_xdigit_value (key_id_hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE, _("its signer is unreadable"));
          return NULL;
        }
      id[i] = hi << 4 | lo;
    }
  return saphan_keyring_lookup (data_dir, id, sizeof id, error);
}

/* Verifies one export folder completely and appends its submissions to ITEMS. */
static gboolean
read_export (const char *folder, const char *data_dir, const char *trust_key_text,
             EVP_PKEY *private_key, GPtrArray *items, GError **error)
{
  g_autofree char *manifest_path = g_build_filename (folder, USB_MANIFEST_NAME, NULL);
  g_autofree char *sig_path = g_build_filename (folder, USB_SIGNATURE_NAME, NULL);
  g_autoptr (GBytes) manifest = NULL, sig = NULL;
  g_autofree char *sig_text = NULL;
  g_auto (GStrv) sig_parts = NULL;
  g_autofree guint8 *raw_sig = NULL;
  gsize raw_len = 0, manifest_len;
  const guint8 *manifest_data;
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  JsonObject *root;
  JsonArray *subs;
  gboolean encrypted;

  if (!g_file_test (manifest_path, G_FILE_TEST_EXISTS))
    return refuse_export (error, SAPHAN_ERROR_INVALID, folder,
                          _("it has no manifest; the export was interrupted. Export again."));
  manifest = read_bounded (manifest_path, SAPHAN_USB_MAX_MANIFEST, &local);
  sig = manifest != NULL ? read_bounded (sig_path, 4096, &local) : NULL;
  if (sig == NULL)
    return refuse_export (error, SAPHAN_ERROR_SIGNATURE, folder, local->message);

  sig_text = g_strndup (g_bytes_get_data (sig, NULL), g_bytes_get_size (sig));
  sig_parts = g_strsplit (g_strstrip (sig_text), " ", -1);
  if (g_strv_length (sig_parts) != 3 || strcmp (sig_parts[0], USB_SIGNATURE_SCHEME) != 0 ||
      (raw_sig = g_base64_decode (sig_parts[2], &raw_len)) == NULL ||
      raw_len != SAPHAN_KIOSK_KEY_SIGNATURE_LEN)
    return refuse_export (error, SAPHAN_ERROR_SIGNATURE, folder, _("its signature is malformed"));
  key = signer_key (data_dir, sig_parts[1], trust_key_text, &local);
  if (key == NULL)
    return refuse_export (error, SAPHAN_ERROR_SIGNATURE, folder, local->message);
  manifest_data = g_bytes_get_data (manifest, &manifest_len);
  if (!saphan_kiosk_key_verify (key, manifest_data, manifest_len, raw_sig, raw_len))
    return refuse_export (error, SAPHAN_ERROR_SIGNATURE, folder,
                          _("its manifest does not match its signature (altered)"));

  if (!json_parser_load_from_data (parser, (const char *) manifest_data, manifest_len, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return refuse_export (error, SAPHAN_ERROR_INVALID, folder, _("its manifest is not JSON"));
  root = json_node_get_object (json_parser_get_root (parser));
  if (saphan_json_member_int_or (root, "format", 0) != 1 ||
      !json_object_has_member (root, "submissions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "submissions")))
    return refuse_export (error, SAPHAN_ERROR_INVALID, folder, _("its manifest has an unknown "
                                                                 "format"));
  /* An encryption member of any type means encrypted; only the known
   * scheme, as a string, can be read. */
  encrypted = json_object_has_member (root, "encryption") &&
              !JSON_NODE_HOLDS_NULL (json_object_get_member (root, "encryption"));
  if (encrypted
      && g_strcmp0 (saphan_json_member_string (root, "encryption"), USB_ENCRYPTION_SCHEME) != 0)
    return refuse_export (error, SAPHAN_ERROR_INVALID, folder, _("it uses an unknown encryption"));
  if (encrypted && private_key == NULL)
    return refuse_export (error, SAPHAN_ERROR_STATE, folder,
                          _("it is encrypted for the central service; give its private key"));

  subs = json_object_get_array_member (root, "submissions");
  for (guint i = 0; i < json_array_get_length (subs); i++)
    {
      JsonNode *node = json_array_get_element (subs, i);
      JsonObject *sub = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *files_node = sub != NULL ? json_object_get_member (sub, "files") : NULL;
      JsonArray *files;
      ImportItem *item;

      if (files_node == NULL || !JSON_NODE_HOLDS_ARRAY (files_node) ||
          saphan_json_member_string (sub, "instance_id") == NULL ||
          saphan_json_member_string (sub, "form_id") == NULL)
        return refuse_export (error, SAPHAN_ERROR_INVALID, folder,
                              _("a submission in its manifest is incomplete"));
      item = g_new0 (ImportItem, 1);
      g_ptr_array_add (items, item);
      item->instance_id = g_strdup (saphan_json_member_string (sub, "instance_id"));
      item->form_id = g_strdup (saphan_json_member_string (sub, "form_id"));
      item->form_version = g_strdup (saphan_json_member_string_or (sub, "form_version", ""));
      item->created_at = saphan_json_member_int_or (sub, "created_at", 0);
      item->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);

      files = json_node_get_array (files_node);
      for (guint f = 0; f < json_array_get_length (files); f++)
        {
          JsonNode *fnode = json_array_get_element (files, f);
          JsonObject *file = JSON_NODE_HOLDS_OBJECT (fnode) ? json_node_get_object (fnode) : NULL;
          const char *rel = saphan_json_member_string (file, "path");
          const char *role = saphan_json_member_string_or (file, "role", "");
          const char *name = saphan_json_member_string (file, "name");
          const char *want = saphan_json_member_string_or (file, "sha256", "");
          g_autofree char *path = NULL, *sha = NULL;
          g_autoptr (GBytes) data = NULL;

          if (!rel_path_is_safe (rel) || name == NULL)
            return refuse_export (error, SAPHAN_ERROR_INVALID, folder,
                                  _("its manifest names a file outside the export"));
          path = g_build_filename (folder, rel, NULL);
          data = read_bounded (path, SAPHAN_USB_MAX_FILE, &local);
          if (data == NULL)
            return refuse_export (error, SAPHAN_ERROR_INVALID, folder, local->message);
          sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
          if (strcmp (sha, want) != 0)
            {
              g_autofree char *why = g_strdup_printf (_("%s does not match the signed manifest "
                                                        "(altered or damaged)"), rel);
              return refuse_export (error, SAPHAN_ERROR_SIGNATURE, folder, why);
            }
          if (encrypted)
            {
              GBytes *plain = _saphan_usb_decrypt_with (private_key, rel, data, &local);
              if (plain == NULL)
                return refuse_export (error, SAPHAN_ERROR_SIGNATURE, folder, local->message);
              g_bytes_unref (data);
              data = plain;
            }
          if (strcmp (role, "payload") == 0 && item->payload == NULL)
            item->payload = g_steal_pointer (&data);
          else if (strcmp (role, "attachment") == 0)
            {
              SaphanAttachment *attachment = g_new0 (SaphanAttachment, 1);
              attachment->name = g_strdup (name);
              attachment->data = g_steal_pointer (&data);
              g_ptr_array_add (item->attachments, attachment);
            }
          else
            return refuse_export (error, SAPHAN_ERROR_INVALID, folder,
                                  _("its manifest lists a file of an unknown kind"));
        }
      if (item->payload == NULL)
        return refuse_export (error, SAPHAN_ERROR_INVALID, folder,
                              _("a submission in it has no payload"));
    }
  return TRUE;
}

/* g_ptr_array_sort passes pointers to the elements. */
static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
find_exports (const char *src_dir, GError **error)
{
  g_autofree char *direct = g_build_filename (src_dir, USB_MANIFEST_NAME, NULL);
  g_autoptr (GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_file_test (direct, G_FILE_TEST_EXISTS))
    {
      g_ptr_array_add (folders, g_strdup (src_dir));
      return g_steal_pointer (&folders);
    }
  dir = g_dir_open (src_dir, 0, error);
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, SAPHAN_USB_EXPORT_PREFIX))
      g_ptr_array_add (folders, g_build_filename (src_dir, name, NULL));
  if (folders->len == 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                   _("%s holds no Saphan export."), src_dir);
      return NULL;
    }
  g_ptr_array_sort (folders, compare_paths);
  return g_steal_pointer (&folders);
}

gboolean
saphan_usb_import (SaphanStore *store, const char *src_dir, const char *trust_key_text,
                   const char *private_key_pem, SaphanUsbImportResult *out_result,
                   GError **error)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) import_item_free);
  g_autoptr (EVP_PKEY) private_key = NULL;
  g_autofree char *detail = NULL;
  SaphanUsbImportResult result = { 0 };

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (src_dir != NULL, FALSE);

  if (private_key_pem != NULL &&
      (private_key = _saphan_usb_load_pem_key (private_key_pem, TRUE, error)) == NULL)
    return FALSE;
  folders = find_exports (src_dir, error);
  if (folders == NULL)
    return FALSE;
  for (guint i = 0; i < folders->len; i++)
    if (!read_export (folders->pdata[i], saphan_store_get_data_dir (store), trust_key_text,
                      private_key, items, error))
      return FALSE;
  result.n_exports = folders->len;

  for (guint i = 0; i < items->len; i++)
    {
      ImportItem *item = items->pdata[i];
      SaphanFinalizeRequest request = {
        .instance_id = item->instance_id,
        .form_id = item->form_id,
        .form_version = item->form_version,
        .payload = item->payload,
        .attachments = item->attachments,
        .finalized_at = item->created_at,
      };
      g_autoptr (GError) local = NULL;

      /* The instanceID makes delivery idempotent: an item seen before (from
       * another stick, or this kiosk's own) is skipped, never replaced. */
      if (saphan_store_finalize (store, &request, &local))
        result.n_queued++;
      else if (g_error_matches (local, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS))
        result.n_skipped++;
      else
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  detail = g_strdup_printf ("exports=%u queued=%u skipped=%u", result.n_exports, result.n_queued,
                            result.n_skipped);
  saphan_store_audit_append (store, "usb-import", detail, NULL);
  if (out_result != NULL)
    *out_result = result;
  return TRUE;
}
