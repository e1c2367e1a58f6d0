/* saphan-bundle.c: manifests, keys, durable file operations and creating
 * bundles. Staging lives in saphan-bundle-stage.c, installing in
 * saphan-bundle-install.c. */
#include "config.h"

#include "saphan-bundle-private.h"
#include "saphan-error.h"
#include "saphan-json-member.h"
#include "saphan-tar.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

void
saphan_bundle_file_free (SaphanBundleFile *file)
{
  g_free (file->path);
  g_free (file->sha256);
  g_free (file);
}

void
saphan_bundle_info_free (SaphanBundleInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->compatible);
  g_free (info->issued_at);
  g_free (info->key_id);
  g_clear_pointer (&info->files, g_ptr_array_unref);
  g_free (info);
}

gboolean
_saphan_bundle_refuse (GError **error, SaphanErrorCode code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_set_error_literal (error, SAPHAN_ERROR, code, "");
  if (error != NULL && *error != NULL)
    {
      g_free ((*error)->message);
      (*error)->message = g_strdup_vprintf (format, args);
    }
  va_end (args);
  return FALSE;
}

gboolean
_saphan_bundle_io_error (GError **error, const char *what, const char *path, int saved_errno)
{
  return _saphan_bundle_refuse (error,
                 saved_errno == ENOSPC                     ? SAPHAN_ERROR_DISK_FULL
                 : saved_errno == EACCES || saved_errno == EPERM ? SAPHAN_ERROR_PERMISSION
                                                            : SAPHAN_ERROR_IO,
                 "%s %s: %s", what, path, g_strerror (saved_errno));
}

/* ---- Paths and durable file operations ----------------------------------- */

char *
_saphan_bundle_content_dir (const char *data_dir)
{
  return g_build_filename (data_dir, "content", NULL);
}

char *
saphan_bundle_current_dir (const char *data_dir)
{
  g_autofree char *link = g_build_filename (data_dir, "content", "current", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);

  if (target == NULL)
    return NULL;
  return g_build_filename (data_dir, "content", target, NULL);
}

gboolean
_saphan_bundle_fsync_path (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return _saphan_bundle_io_error (error, _("Cannot open"), path, errno);
  if (fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      return _saphan_bundle_io_error (error, _("Cannot write to disk"), path, saved);
    }
  close (fd);
  return TRUE;
}

/* Every file and folder below PATH reaches the disk before the switch. */
gboolean
_saphan_bundle_fsync_tree (const char *path, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        {
          if (!_saphan_bundle_fsync_tree (child, error))
            return FALSE;
        }
      else if (!_saphan_bundle_fsync_path (child, error))
        return FALSE;
    }
  return _saphan_bundle_fsync_path (path, error);
}

gboolean
_saphan_bundle_rm_rf (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_unlink (path) == 0 || errno == ENOENT;
  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        _saphan_bundle_rm_rf (child);
      }
  return g_rmdir (path) == 0;
}

/* Points the symlink NAME in FOLDER at TARGET atomically: a new link under
 * a temporary name, renamed over the old one, the folder synced. */
gboolean
_saphan_bundle_switch_link (const char *folder, const char *name, const char *target,
                            GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.new", folder, name);
  g_autofree char *final = g_build_filename (folder, name, NULL);

  g_unlink (tmp);
  if (symlink (target, tmp) != 0)
    return _saphan_bundle_io_error (error, _("Cannot create a link in"), folder, errno);
  if (rename (tmp, final) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      return _saphan_bundle_io_error (error, _("Cannot switch the content in"), folder, saved);
    }
  return _saphan_bundle_fsync_path (folder, error);
}

/* ---- Manifest ------------------------------------------------------------- */

gboolean
_saphan_bundle_path_is_safe (const char *path)
{
  g_auto (GStrv) parts = NULL;
  gsize len = strlen (path);

  if (len == 0 || len > 240 || path[0] == '/' || !g_utf8_validate (path, -1, NULL))
    return FALSE;
  for (const char *p = path; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == '\\' || *p == 0x7f)
      return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (int i = 0; parts[i] != NULL; i++)
    if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0)
      return FALSE;
  return TRUE;
}

static gboolean
is_hex64 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

SaphanBundleInfo *
_saphan_bundle_parse_manifest (GBytes *bytes, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (SaphanBundleInfo) info = g_new0 (SaphanBundleInfo, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) local = NULL;
  JsonObject *root;
  JsonArray *files;
  JsonNode *node;
  guint64 total = 0;
  gint64 version;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, len, &local) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                             _("The bundle's manifest is not valid JSON."));
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (saphan_json_member_int_or (root, "format", 0) != 1)
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                             _("The bundle's manifest has an unknown format."));
      return NULL;
    }
  if (!saphan_json_member_int (root, "version", &version) || version <= 0)
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                             _("The bundle's manifest has no valid version."));
      return NULL;
    }
  info->version = version;
  info->compatible = g_strdup (saphan_json_member_string (root, "compatible"));
  info->issued_at = g_strdup (saphan_json_member_string (root, "issued_at"));
  if (info->compatible == NULL || *info->compatible == '\0' || info->issued_at == NULL ||
      *info->issued_at == '\0')
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                             _("The bundle's manifest lacks its device class or issue time."));
      return NULL;
    }

  node = json_object_get_member (root, "files");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                             _("The bundle's manifest has no file list."));
      return NULL;
    }
  files = json_node_get_array (node);
  if (json_array_get_length (files) > SAPHAN_BUNDLE_MAX_FILES)
    {
      _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID, _("The bundle lists more than %d files."),
              SAPHAN_BUNDLE_MAX_FILES);
      return NULL;
    }
  info->files = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_bundle_file_free);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *item = json_array_get_element (files, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      const char *path = saphan_json_member_string (obj, "path");
      const char *sha = saphan_json_member_string (obj, "sha256");
      /* Only a JSON integer is a size: a string or a float must not turn
       * into a silent 0. */
      gint64 size = saphan_json_member_int_or (obj, "size", -1);
      SaphanBundleFile *file;

      if (path == NULL || !_saphan_bundle_path_is_safe (path))
        {
          _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                 _("The bundle lists an unsafe file name (absolute, “..” or "
                                   "control characters): %s"), path != NULL ? path : "?");
          return NULL;
        }
      if (!is_hex64 (sha) || size < 0)
        {
          _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                 _("The bundle lists %s without a valid size and "
                                   "SHA-256."), path);
          return NULL;
        }
      if ((guint64) size > SAPHAN_BUNDLE_MAX_FILE_SIZE || total + size > SAPHAN_BUNDLE_MAX_SIZE)
        {
          _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                 _("The bundle claims sizes beyond what a kiosk "
                                   "accepts (%s)."), path);
          return NULL;
        }
      if (!g_hash_table_add (seen, (gpointer) path))
        {
          _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                 _("The bundle lists %s twice."), path);
          return NULL;
        }
      total += size;
      file = g_new0 (SaphanBundleFile, 1);
      file->path = g_strdup (path);
      file->sha256 = g_strdup (sha);
      file->size = size;
      g_ptr_array_add (info->files, file);
    }

  /* A name that is both a file and a folder ("a" and "a/b") cannot unpack. */
  for (guint i = 0; i < info->files->len; i++)
    {
      SaphanBundleFile *file = info->files->pdata[i];
      g_autofree char *dir = g_path_get_dirname (file->path);
      while (strcmp (dir, ".") != 0)
        {
          char *up;
          if (g_hash_table_contains (seen, dir))
            {
              _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                     _("The bundle lists %s both as a file and as a folder."), dir);
              return NULL;
            }
          up = g_path_get_dirname (dir);
          g_free (dir);
          dir = up;
        }
    }
  return g_steal_pointer (&info);
}

static GBytes *
build_manifest (GPtrArray *files, guint64 version, const char *compatible)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *issued = g_date_time_format_iso8601 (now);
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, version);
  json_builder_set_member_name (b, "compatible");
  json_builder_add_string_value (b, compatible);
  json_builder_set_member_name (b, "issued_at");
  json_builder_add_string_value (b, issued);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < files->len; i++)
    {
      SaphanBundleFile *file = files->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, file->path);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, file->size);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, file->sha256);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return g_bytes_new_take (text, strlen (text));
}

/* ---- Keys ------------------------------------------------------------------ */

void
_saphan_bundle_keyring_clear (SaphanBundleKeyring *ring)
{
  g_clear_pointer (&ring->keys, g_array_unref);
}

static gboolean
load_key_file (const char *path, GArray *into)
{
  g_autofree char *text = NULL;
  SaphanMinisignPublicKey key;

  if (!g_file_get_contents (path, &text, NULL, NULL) ||
      !saphan_minisign_public_key_parse (text, &key, NULL))
    return FALSE;
  g_array_append_val (into, key);
  return TRUE;
}

void
_saphan_bundle_keyring_load (const char *data_dir, SaphanBundleKeyring *ring)
{
  g_autofree char *root = g_build_filename (data_dir, "keys", "bundle-root.pub", NULL);
  g_autofree char *release = g_build_filename (data_dir, "keys", "bundle-release", NULL);
  g_autoptr (GDir) dir = NULL;
  const char *name;

  ring->keys = g_array_new (FALSE, TRUE, sizeof (SaphanMinisignPublicKey));
  ring->root_present = load_key_file (root, ring->keys);
  dir = g_dir_open (release, 0, NULL);
  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_suffix (name, ".pub"))
        {
          g_autofree char *path = g_build_filename (release, name, NULL);
          load_key_file (path, ring->keys);
        }
}

gboolean
saphan_bundle_trust (const char *data_dir, const char *public_key_text, gboolean root,
                     GError **error)
{
  SaphanMinisignPublicKey key;
  SaphanBundleKeyring ring = { 0 };
  g_autofree char *keys_dir = g_build_filename (data_dir, "keys", NULL);
  g_autofree char *release_dir = g_build_filename (keys_dir, "bundle-release", NULL);
  g_autofree char *id = NULL, *path = NULL, *text = NULL;
  gboolean have_release;

  if (!saphan_minisign_public_key_parse (public_key_text, &key, error))
    return FALSE;
  _saphan_bundle_keyring_load (data_dir, &ring);
  have_release = ring.keys->len > (ring.root_present ? 1u : 0u);
  _saphan_bundle_keyring_clear (&ring);
  if ((root && ring.root_present) || (!root && have_release))
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_STATE,
                   root ? _("A root key is already trusted; it cannot be replaced from here.")
                        : _("A release key is already trusted; new release keys come only in a "
                            "bundle signed by the root key."));

  if (g_mkdir_with_parents (release_dir, 0700) != 0)
    return _saphan_bundle_io_error (error, _("Cannot create"), release_dir, errno);
  id = saphan_minisign_key_id_to_string (key.key_id);
  path = root ? g_build_filename (keys_dir, "bundle-root.pub", NULL)
              : g_strdup_printf ("%s/%s.pub", release_dir, id);
  text = saphan_minisign_public_key_to_text (&key, root ? "Saphan bundle root key"
                                                        : "Saphan bundle release key");
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* ---- Creating ---------------------------------------------------------------- */

/* g_ptr_array_sort passes pointers to the elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
collect_files (const char *root, const char *rel, GPtrArray *out, GError **error)
{
  g_autofree char *path = rel != NULL ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr (GDir) dir = g_dir_open (path, 0, error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child_rel = rel != NULL ? g_build_filename (rel, names->pdata[i], NULL)
                                               : g_strdup (names->pdata[i]);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        return _saphan_bundle_io_error (error, _("Cannot read"), child, errno);
      if (S_ISDIR (st.st_mode))
        {
          if (!collect_files (root, child_rel, out, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        g_ptr_array_add (out, g_steal_pointer (&child_rel));
      else
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("%s is not a regular file; bundles carry regular "
                                        "files only."), child);
    }
  return TRUE;
}

gboolean
saphan_bundle_create (const char *src_dir, const char *out_path,
                      const SaphanMinisignSecretKey *key, guint64 version, const char *compatible,
                      GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_bundle_file_free);
  g_autoptr (GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GBytes) manifest = NULL;
  g_autofree char *signature = NULL, *tmp_path = NULL;
  g_autoptr (GFile) tmp_file = NULL;
  g_autoptr (GFileOutputStream) file_out = NULL;
  g_autoptr (GConverter) gzip = NULL;
  g_autoptr (GOutputStream) out = NULL;
  gsize len;
  const guint8 *data;

  if (version == 0)
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                  _("A bundle's version must be above 0."));
  if (!collect_files (src_dir, NULL, names, error))
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (src_dir, names->pdata[i], NULL);
      g_autofree char *text = NULL;
      SaphanBundleFile *file;
      gsize size;

      if (!_saphan_bundle_path_is_safe (names->pdata[i]))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("%s has a name a bundle cannot carry."), path);
      if (!g_file_get_contents (path, &text, &size, error))
        return FALSE;
      file = g_new0 (SaphanBundleFile, 1);
      file->path = g_strdup (names->pdata[i]);
      file->size = size;
      file->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guint8 *) text, size);
      g_ptr_array_add (files, file);
      g_ptr_array_add (contents, g_bytes_new_take (g_steal_pointer (&text), size));
    }

  manifest = build_manifest (files, version, compatible != NULL ? compatible
                                                                : SAPHAN_BUNDLE_DEFAULT_COMPATIBLE);
  data = g_bytes_get_data (manifest, &len);
  {
    g_autofree char *comment = g_strdup_printf ("saphan bundle version %" G_GUINT64_FORMAT,
                                                version);
    signature = saphan_minisign_sign (key, data, len, comment, error);
  }
  if (signature == NULL)
    return FALSE;

  /* Written under a temporary name and renamed: a half-written bundle never
   * carries the final name. */
  tmp_path = g_strdup_printf ("%s.part", out_path);
  tmp_file = g_file_new_for_path (tmp_path);
  file_out = g_file_replace (tmp_file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (file_out == NULL)
    return FALSE;
  gzip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9));
  out = g_converter_output_stream_new (G_OUTPUT_STREAM (file_out), gzip);
  if (!saphan_tar_write_file (out, MANIFEST_NAME, data, len, error) ||
      !saphan_tar_write_file (out, SIGNATURE_NAME, (guint8 *) signature, strlen (signature), error))
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      SaphanBundleFile *file = files->pdata[i];
      g_autofree char *name = g_strconcat (FILES_PREFIX, file->path, NULL);
      const guint8 *bytes = g_bytes_get_data (contents->pdata[i], &len);
      if (!saphan_tar_write_file (out, name, bytes, len, error))
        return FALSE;
    }
  if (!saphan_tar_write_end (out, error) || !g_output_stream_close (out, NULL, error))
    return FALSE;
  if (g_rename (tmp_path, out_path) != 0)
    return _saphan_bundle_io_error (error, _("Cannot write"), out_path, errno);
  return TRUE;
}
