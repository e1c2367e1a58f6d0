/* saphan-bundle-stage.c: copying a bundle off the stick and verifying it. */
#include "config.h"

#include "saphan-bundle-private.h"
#include "saphan-error.h"
#include "saphan-tar.h"

#include <inttypes.h>
#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

/* ---- Staging and verifying ------------------------------------------------ */

static char *
make_staging_dir (const char *data_dir, GError **error)
{
  g_autofree char *staging = g_build_filename (data_dir, "staging", NULL);
  g_autofree char *template = NULL;
  char *dir;

  if (g_mkdir_with_parents (staging, 0700) != 0)
    {
      _saphan_bundle_io_error (error, _("Cannot create"), staging, errno);
      return NULL;
    }
  template = g_build_filename (staging, "incoming-XXXXXX", NULL);
  dir = g_mkdtemp_full (template, 0700);
  if (dir == NULL)
    {
      _saphan_bundle_io_error (error, _("Cannot create a staging folder in"), staging, errno);
      return NULL;
    }
  g_steal_pointer (&template);
  return dir;
}

/* Copies the bundle once from the stick, bounded in size; everything after
 * reads only this copy, so changing the stick's file later changes nothing. */
static gboolean
copy_in (const char *source, const char *dest, GError **error)
{
  g_autoptr (GFile) src = g_file_new_for_path (source);
  g_autoptr (GFile) dst = g_file_new_for_path (dest);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GFileOutputStream) out = NULL;
  g_autoptr (GFileInfo) info = NULL;
  guint8 buffer[64 * 1024];
  guint64 total = 0;
  gssize n;

  info = g_file_query_info (src, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                            NULL, error);
  if (info == NULL)
    return FALSE;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                  _("%s is not a regular file."), source);
  in = g_file_read (src, NULL, error);
  if (in == NULL)
    return FALSE;
  out = g_file_create (dst, G_FILE_CREATE_PRIVATE, NULL, error);
  if (out == NULL)
    return FALSE;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buffer, sizeof buffer, NULL, error)) > 0)
    {
      total += n;
      if (total > SAPHAN_BUNDLE_MAX_SIZE)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle is larger than a kiosk accepts."));
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buffer, n, NULL, NULL, error))
        return FALSE;
    }
  if (n < 0)
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

gboolean
_saphan_bundle_check_version (const char *data_dir, SaphanBundleInfo *info, GError **error)
{
  guint64 installed = saphan_bundle_installed_version (data_dir);

  if (info->version > installed)
    return TRUE;
  if (info->signed_by_root && info->version != installed)
    return TRUE;  /* a downgrade, which only the root key may order */
  if (info->version == installed)
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_STATE,
                                  _("Bundle version %" PRIu64 " is already installed."),
                                  info->version);
  return _saphan_bundle_refuse (error, SAPHAN_ERROR_STATE,
                                _("Bundle version %" PRIu64 " is older than the "
                                  "installed version %" PRIu64 "; only a bundle "
                                  "signed by the root key may go back."),
                                info->version, installed);
}

static char *
device_class (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "device-class", NULL);
  char *text = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    return g_strstrip (text);
  return g_strdup (SAPHAN_BUNDLE_DEFAULT_COMPATIBLE);
}

static gboolean
unpack_files (SaphanStagedBundle *staged, SaphanTarReader *reader, GError **error)
{
  g_autoptr (GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint64 budget = 2 * 512;  /* the end marker */
  SaphanTarEntry entry;
  gboolean end = FALSE;

  for (guint i = 0; i < staged->info->files->len; i++)
    {
      SaphanBundleFile *file = staged->info->files->pdata[i];
      g_hash_table_insert (expected, file->path, file);
      budget += 512 + (file->size + 511) / 512 * 512;
    }
  /* Bound what the decompressor may produce by what the signed manifest
   * declares (plus tar's own headers and padding): a bomb stops here, not
   * on the disk. */
  saphan_tar_reader_set_limit (reader, saphan_tar_reader_get_offset (reader) + budget);

  while (saphan_tar_reader_next (reader, &entry, &end, error))
    {
      const char *rel;
      SaphanBundleFile *file;
      g_autofree char *path = NULL, *dir = NULL, *sha = NULL;
      g_autoptr (GFile) gfile = NULL;
      g_autoptr (GFileOutputStream) out = NULL;

      /* The name is judged before the kind, so that a link pointing out of
       * the tree is reported as the traversal it attempts. */
      if (!_saphan_bundle_path_is_safe (entry.name))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains an entry with an unsafe name "
                                        "(absolute, “..” or control characters): %s"),
                                      entry.name);
      if (entry.type == SAPHAN_TAR_SYMLINK)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains a symbolic link (%s); "
                                        "bundles carry regular files only."),
                                      entry.name);
      if (entry.type == SAPHAN_TAR_HARDLINK)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains a hard link (%s); "
                                        "bundles carry regular files only."),
                                      entry.name);
      if (entry.type == SAPHAN_TAR_DEVICE)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains a device file (%s)."),
                                      entry.name);
      if (entry.type != SAPHAN_TAR_REGULAR)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains an entry of a kind "
                                        "bundles do not use (%s)."), entry.name);
      if (!g_str_has_prefix (entry.name, FILES_PREFIX))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains %s, which is not in "
                                        "its manifest."), entry.name);
      rel = entry.name + strlen (FILES_PREFIX);
      if (g_hash_table_contains (done, rel))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains %s twice."), rel);
      file = g_hash_table_lookup (expected, rel);
      if (file == NULL)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle contains %s, which is not in "
                                        "its manifest."), rel);
      /* The size is checked before a single byte of the file is read. */
      if (entry.size != file->size)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_SIGNATURE,
                                      _("%s in the bundle is %" PRIu64
                                        " bytes, but the signed manifest says %"
                                        PRIu64 "."),
                                      rel, entry.size, file->size);

      path = g_build_filename (staged->tree, rel, NULL);
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        return _saphan_bundle_io_error (error, _("Cannot create"), dir, errno);
      gfile = g_file_new_for_path (path);
      out = g_file_create (gfile, G_FILE_CREATE_PRIVATE, NULL, error);
      if (out == NULL ||
          !saphan_tar_reader_copy_data (reader, G_OUTPUT_STREAM (out), &sha, error) ||
          !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error))
        return FALSE;
      if (strcmp (sha, file->sha256) != 0)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_SIGNATURE,
                                      _("%s in the bundle does not match the "
                                        "signed manifest: it was altered."), rel);
      g_hash_table_add (done, g_strdup (rel));
    }
  if (!end)
    return FALSE;

  for (guint i = 0; i < staged->info->files->len; i++)
    {
      SaphanBundleFile *file = staged->info->files->pdata[i];
      if (!g_hash_table_contains (done, file->path))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("The bundle lacks %s, which its manifest "
                                        "lists."), file->path);
    }
  return TRUE;
}

SaphanStagedBundle *
saphan_bundle_stage (const char *data_dir, const char *bundle_path, GError **error)
{
  g_autoptr (SaphanStagedBundle) staged = g_new0 (SaphanStagedBundle, 1);
  g_autofree char *copy = NULL, *trusted_comment = NULL, *wanted_class = NULL;
  g_autoptr (GFile) copy_file = NULL;
  g_autoptr (GFileInputStream) file_in = NULL;
  g_autoptr (GConverter) gunzip = NULL;
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (SaphanTarReader) reader = NULL;
  g_autofree char *signature_text = NULL;
  SaphanTarEntry entry;
  gboolean end;
  SaphanBundleKeyring ring = { 0 };
  g_autoptr (GHashTable) settings = NULL;
  int signer;
  gsize len;
  const guint8 *data;

  staged->data_dir = g_strdup (data_dir);
  staged->dir = make_staging_dir (data_dir, error);
  if (staged->dir == NULL)
    return NULL;
  staged->tree = g_build_filename (staged->dir, "tree", NULL);
  if (g_mkdir (staged->tree, 0700) != 0)
    {
      _saphan_bundle_io_error (error, _("Cannot create"), staged->tree, errno);
      return NULL;
    }
  copy = g_build_filename (staged->dir, "bundle", NULL);
  if (!copy_in (bundle_path, copy, error))
    return NULL;

  copy_file = g_file_new_for_path (copy);
  file_in = g_file_read (copy_file, NULL, error);
  if (file_in == NULL)
    return NULL;
  gunzip = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  in = g_converter_input_stream_new (G_INPUT_STREAM (file_in), gunzip);
  /* Until the manifest is verified, only it and its signature may be read. */
  reader = saphan_tar_reader_new (in, 2 * 512 + SAPHAN_BUNDLE_MAX_MANIFEST + MAX_SIGNATURE + 1024);

  if (!saphan_tar_reader_next (reader, &entry, &end, error))
    {
      if (end)
        _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID, _("The bundle is empty."));
      return NULL;
    }
  if (strcmp (entry.name, MANIFEST_NAME) != 0 || entry.type != SAPHAN_TAR_REGULAR)
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                             _("The bundle does not start with its manifest."));
      return NULL;
    }
  staged->manifest = saphan_tar_reader_read_data (reader, SAPHAN_BUNDLE_MAX_MANIFEST, error);
  if (staged->manifest == NULL)
    return NULL;
  if (!saphan_tar_reader_next (reader, &entry, &end, error) ||
      strcmp (entry.name, SIGNATURE_NAME) != 0 || entry.type != SAPHAN_TAR_REGULAR)
    {
      g_clear_error (error);
      _saphan_bundle_refuse (error, SAPHAN_ERROR_SIGNATURE, _("The bundle is not signed."));
      return NULL;
    }
  staged->signature = saphan_tar_reader_read_data (reader, MAX_SIGNATURE, error);
  if (staged->signature == NULL)
    return NULL;
  signature_text = g_strndup (g_bytes_get_data (staged->signature, NULL),
                              g_bytes_get_size (staged->signature));

  _saphan_bundle_keyring_load (data_dir, &ring);
  if (ring.keys->len == 0)
    {
      _saphan_bundle_keyring_clear (&ring);
      _saphan_bundle_refuse (error, SAPHAN_ERROR_STATE,
                             _("No bundle key is trusted yet; a maintainer must run "
                               "“saphanctl bundle trust KEY.pub” first."));
      return NULL;
    }
  data = g_bytes_get_data (staged->manifest, &len);
  signer = saphan_minisign_verify (signature_text, data, len,
                                   (SaphanMinisignPublicKey *) ring.keys->data, ring.keys->len,
                                   &trusted_comment, error);
  if (signer < 0)
    {
      _saphan_bundle_keyring_clear (&ring);
      return NULL;
    }

  staged->info = _saphan_bundle_parse_manifest (staged->manifest, error);
  if (staged->info == NULL)
    {
      _saphan_bundle_keyring_clear (&ring);
      return NULL;
    }
  staged->info->signed_by_root = ring.root_present && signer == 0;
  staged->info->key_id = saphan_minisign_key_id_to_string (
    g_array_index (ring.keys, SaphanMinisignPublicKey, signer).key_id);
  _saphan_bundle_keyring_clear (&ring);

  wanted_class = device_class (data_dir);
  if (strcmp (staged->info->compatible, wanted_class) != 0)
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                             _("The bundle is for “%s” devices; this kiosk is “%s”."),
                             staged->info->compatible, wanted_class);
      return NULL;
    }
  if (!_saphan_bundle_check_version (data_dir, staged->info, error))
    return NULL;
  if (!unpack_files (staged, reader, error) ||
      !_saphan_bundle_process_forms (staged->tree, NULL, NULL, error) ||
      !_saphan_bundle_read_settings (staged->tree, &settings, error))
    return NULL;
  return g_steal_pointer (&staged);
}

const SaphanBundleInfo *
saphan_staged_bundle_get_info (SaphanStagedBundle *staged)
{
  return staged->info;
}

void
saphan_staged_bundle_free (SaphanStagedBundle *staged)
{
  if (staged == NULL)
    return;
  if (staged->dir != NULL)
    _saphan_bundle_rm_rf (staged->dir);
  g_free (staged->data_dir);
  g_free (staged->dir);
  g_free (staged->tree);
  g_clear_pointer (&staged->manifest, g_bytes_unref);
  g_clear_pointer (&staged->signature, g_bytes_unref);
  saphan_bundle_info_free (staged->info);
  g_free (staged);
}
