/* saphan-bundle.c: staging, verifying and installing update bundles. */
#include "config.h"

#include "saphan-bundle.h"
#include "saphan-error.h"
#include "saphan-tar.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "saphan-form.h"

#define MANIFEST_NAME "manifest.json"
#define SIGNATURE_NAME "manifest.json.minisig"
#define FILES_PREFIX "files/"
#define MAX_SIGNATURE 16384

struct _SaphanStagedBundle
{
  char             *data_dir;
  char             *dir;        /* DATA_DIR/staging/incoming-XXXXXX */
  char             *tree;       /* DIR/tree: the unpacked files */
  GBytes           *manifest;
  GBytes           *signature;
  SaphanBundleInfo *info;
  gboolean          installed;
};

static void
bundle_file_free (SaphanBundleFile *file)
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

static gboolean
refuse (GError **error, SaphanErrorCode code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError **error, SaphanErrorCode code, const char *format, ...)
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

static gboolean
io_error (GError **error, const char *what, const char *path, int saved_errno)
{
  return refuse (error,
                 saved_errno == ENOSPC                     ? SAPHAN_ERROR_DISK_FULL
                 : saved_errno == EACCES || saved_errno == EPERM ? SAPHAN_ERROR_PERMISSION
                                                            : SAPHAN_ERROR_IO,
                 "%s %s: %s", what, path, g_strerror (saved_errno));
}

/* ---- Paths and durable file operations ----------------------------------- */

static char *
content_dir (const char *data_dir)
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

static gboolean
fsync_path (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return io_error (error, _("Cannot open"), path, errno);
  if (fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      return io_error (error, _("Cannot write to disk"), path, saved);
    }
  close (fd);
  return TRUE;
}

/* Every file and folder below PATH reaches the disk before the switch. */
static gboolean
fsync_tree (const char *path, GError **error)
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
          if (!fsync_tree (child, error))
            return FALSE;
        }
      else if (!fsync_path (child, error))
        return FALSE;
    }
  return fsync_path (path, error);
}

static gboolean
rm_rf (const char *path)
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
        rm_rf (child);
      }
  return g_rmdir (path) == 0;
}

/* Points the symlink NAME in FOLDER at TARGET atomically: a new link under
 * a temporary name, renamed over the old one, the folder synced. */
static gboolean
switch_link (const char *folder, const char *name, const char *target, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.new", folder, name);
  g_autofree char *final = g_build_filename (folder, name, NULL);

  g_unlink (tmp);
  if (symlink (target, tmp) != 0)
    return io_error (error, _("Cannot create a link in"), folder, errno);
  if (rename (tmp, final) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      return io_error (error, _("Cannot switch the content in"), folder, saved);
    }
  return fsync_path (folder, error);
}

/* ---- Manifest ------------------------------------------------------------- */

static gboolean
path_is_safe (const char *path)
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

static SaphanBundleInfo *
parse_manifest (GBytes *bytes, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (SaphanBundleInfo) info = g_new0 (SaphanBundleInfo, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) local = NULL;
  JsonObject *root;
  JsonArray *files;
  JsonNode *node;
  guint64 total = 0;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, len, &local) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      refuse (error, SAPHAN_ERROR_INVALID, _("The bundle's manifest is not valid JSON."));
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "format", 0) != 1)
    {
      refuse (error, SAPHAN_ERROR_INVALID, _("The bundle's manifest has an unknown format."));
      return NULL;
    }
  node = json_object_get_member (root, "version");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) <= 0)
    {
      refuse (error, SAPHAN_ERROR_INVALID, _("The bundle's manifest has no valid version."));
      return NULL;
    }
  info->version = json_node_get_int (node);
  info->compatible = g_strdup (json_object_get_string_member_with_default (root, "compatible", ""));
  info->issued_at = g_strdup (json_object_get_string_member_with_default (root, "issued_at", ""));
  if (*info->compatible == '\0' || *info->issued_at == '\0')
    {
      refuse (error, SAPHAN_ERROR_INVALID,
              _("The bundle's manifest lacks its device class or issue time."));
      return NULL;
    }

  node = json_object_get_member (root, "files");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      refuse (error, SAPHAN_ERROR_INVALID, _("The bundle's manifest has no file list."));
      return NULL;
    }
  files = json_node_get_array (node);
  if (json_array_get_length (files) > SAPHAN_BUNDLE_MAX_FILES)
    {
      refuse (error, SAPHAN_ERROR_INVALID, _("The bundle lists more than %d files."),
              SAPHAN_BUNDLE_MAX_FILES);
      return NULL;
    }
  info->files = g_ptr_array_new_with_free_func ((GDestroyNotify) bundle_file_free);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *item = json_array_get_element (files, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      const char *path = obj != NULL ? json_object_get_string_member_with_default (obj, "path", NULL)
                                     : NULL;
      const char *sha = obj != NULL ? json_object_get_string_member_with_default (obj, "sha256", NULL)
                                    : NULL;
      gint64 size = obj != NULL ? json_object_get_int_member_with_default (obj, "size", -1) : -1;
      SaphanBundleFile *file;

      if (path == NULL || !path_is_safe (path))
        {
          refuse (error, SAPHAN_ERROR_INVALID,
                  _("The bundle lists an unsafe file name (absolute, “..” or control characters): "
                    "%s"), path != NULL ? path : "?");
          return NULL;
        }
      if (!is_hex64 (sha) || size < 0)
        {
          refuse (error, SAPHAN_ERROR_INVALID, _("The bundle lists %s without a valid size and "
                                                 "SHA-256."), path);
          return NULL;
        }
      if ((guint64) size > SAPHAN_BUNDLE_MAX_FILE_SIZE || total + size > SAPHAN_BUNDLE_MAX_SIZE)
        {
          refuse (error, SAPHAN_ERROR_INVALID, _("The bundle claims sizes beyond what a kiosk "
                                                 "accepts (%s)."), path);
          return NULL;
        }
      if (!g_hash_table_add (seen, (gpointer) path))
        {
          refuse (error, SAPHAN_ERROR_INVALID, _("The bundle lists %s twice."), path);
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
              refuse (error, SAPHAN_ERROR_INVALID,
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

typedef struct
{
  GArray *keys;   /* of SaphanMinisignPublicKey; index 0 is the root key if ROOT_PRESENT */
  gboolean root_present;
} Keyring;

static void
keyring_clear (Keyring *ring)
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

static void
keyring_load (const char *data_dir, Keyring *ring)
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
  Keyring ring = { 0 };
  g_autofree char *keys_dir = g_build_filename (data_dir, "keys", NULL);
  g_autofree char *release_dir = g_build_filename (keys_dir, "bundle-release", NULL);
  g_autofree char *id = NULL, *path = NULL, *text = NULL;
  gboolean have_release;

  if (!saphan_minisign_public_key_parse (public_key_text, &key, error))
    return FALSE;
  keyring_load (data_dir, &ring);
  have_release = ring.keys->len > (ring.root_present ? 1u : 0u);
  keyring_clear (&ring);
  if ((root && ring.root_present) || (!root && have_release))
    return refuse (error, SAPHAN_ERROR_STATE,
                   root ? _("A root key is already trusted; it cannot be replaced from here.")
                        : _("A release key is already trusted; new release keys come only in a "
                            "bundle signed by the root key."));

  if (g_mkdir_with_parents (release_dir, 0700) != 0)
    return io_error (error, _("Cannot create"), release_dir, errno);
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
        return io_error (error, _("Cannot read"), child, errno);
      if (S_ISDIR (st.st_mode))
        {
          if (!collect_files (root, child_rel, out, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        g_ptr_array_add (out, g_steal_pointer (&child_rel));
      else
        return refuse (error, SAPHAN_ERROR_INVALID,
                       _("%s is not a regular file; bundles carry regular files only."), child);
    }
  return TRUE;
}

gboolean
saphan_bundle_create (const char *src_dir, const char *out_path,
                      const SaphanMinisignSecretKey *key, guint64 version, const char *compatible,
                      GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) bundle_file_free);
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
    return refuse (error, SAPHAN_ERROR_INVALID, _("A bundle's version must be above 0."));
  if (!collect_files (src_dir, NULL, names, error))
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (src_dir, names->pdata[i], NULL);
      g_autofree char *text = NULL;
      SaphanBundleFile *file;
      gsize size;

      if (!path_is_safe (names->pdata[i]))
        return refuse (error, SAPHAN_ERROR_INVALID, _("%s has a name a bundle cannot carry."), path);
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
    g_autofree char *comment = g_strdup_printf ("saphan bundle version %" G_GUINT64_FORMAT, version);
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
    return io_error (error, _("Cannot write"), out_path, errno);
  return TRUE;
}

/* ---- Staging and verifying ------------------------------------------------ */

static char *
make_staging_dir (const char *data_dir, GError **error)
{
  g_autofree char *staging = g_build_filename (data_dir, "staging", NULL);
  g_autofree char *template = NULL;
  char *dir;

  if (g_mkdir_with_parents (staging, 0700) != 0)
    {
      io_error (error, _("Cannot create"), staging, errno);
      return NULL;
    }
  template = g_build_filename (staging, "incoming-XXXXXX", NULL);
  dir = g_mkdtemp_full (template, 0700);
  if (dir == NULL)
    {
      io_error (error, _("Cannot create a staging folder in"), staging, errno);
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

  info = g_file_query_info (src, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                            NULL, error);
  if (info == NULL)
    return FALSE;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return refuse (error, SAPHAN_ERROR_INVALID, _("%s is not a regular file."), source);
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
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle is larger than a kiosk accepts."));
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buffer, n, NULL, NULL, error))
        return FALSE;
    }
  if (n < 0)
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

static gboolean
check_version (const char *data_dir, SaphanBundleInfo *info, GError **error)
{
  guint64 installed = saphan_bundle_installed_version (data_dir);

  if (info->version > installed)
    return TRUE;
  if (info->signed_by_root && info->version != installed)
    return TRUE;  /* a downgrade, which only the root key may order */
  if (info->version == installed)
    return refuse (error, SAPHAN_ERROR_STATE,
                   _("Bundle version %" G_GUINT64_FORMAT " is already installed."), info->version);
  return refuse (error, SAPHAN_ERROR_STATE,
                 _("Bundle version %" G_GUINT64_FORMAT " is older than the installed version %"
                   G_GUINT64_FORMAT "; only a bundle signed by the root key may go back."),
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
  guint64 budget = 2 * 512 * 3;  /* the two headers read already and the end marker */
  SaphanTarEntry entry;
  gboolean end = FALSE;

  for (guint i = 0; i < staged->info->files->len; i++)
    {
      SaphanBundleFile *file = staged->info->files->pdata[i];
      g_hash_table_insert (expected, file->path, file);
      budget += 512 + (file->size + 511) / 512 * 512;
    }
  /* Bound what the decompressor may produce by what the manifest declares
   * (plus tar's own block padding): a bomb stops here, not on the disk. */
  saphan_tar_reader_set_limit (reader, budget + g_bytes_get_size (staged->manifest) +
                                         g_bytes_get_size (staged->signature) + 4 * 512 + 20480);

  while (saphan_tar_reader_next (reader, &entry, &end, error))
    {
      const char *rel;
      SaphanBundleFile *file;
      g_autofree char *path = NULL, *dir = NULL, *sha = NULL;
      g_autoptr (GFile) gfile = NULL;
      g_autoptr (GFileOutputStream) out = NULL;

      if (entry.type == SAPHAN_TAR_SYMLINK || entry.type == SAPHAN_TAR_HARDLINK)
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle contains a link (%s); bundles "
                                                      "carry regular files only."), entry.name);
      if (entry.type == SAPHAN_TAR_DEVICE)
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle contains a device file (%s)."),
                       entry.name);
      if (entry.type != SAPHAN_TAR_REGULAR)
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle contains an entry of a kind "
                                                      "bundles do not use (%s)."), entry.name);
      if (!g_str_has_prefix (entry.name, FILES_PREFIX))
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle contains %s, which is not in "
                                                      "its manifest."), entry.name);
      rel = entry.name + strlen (FILES_PREFIX);
      if (g_hash_table_contains (done, rel))
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle contains %s twice."), rel);
      file = g_hash_table_lookup (expected, rel);
      if (file == NULL)
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle contains %s, which is not in "
                                                      "its manifest."), rel);
      /* The size is checked before a single byte of the file is read. */
      if (entry.size != file->size)
        return refuse (error, SAPHAN_ERROR_SIGNATURE, _("%s in the bundle is %" G_GUINT64_FORMAT
                                                        " bytes, but the signed manifest says %"
                                                        G_GUINT64_FORMAT "."),
                       rel, entry.size, file->size);

      path = g_build_filename (staged->tree, rel, NULL);
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        return io_error (error, _("Cannot create"), dir, errno);
      gfile = g_file_new_for_path (path);
      out = g_file_create (gfile, G_FILE_CREATE_PRIVATE, NULL, error);
      if (out == NULL ||
          !saphan_tar_reader_copy_data (reader, G_OUTPUT_STREAM (out), &sha, error) ||
          !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error))
        return FALSE;
      if (strcmp (sha, file->sha256) != 0)
        return refuse (error, SAPHAN_ERROR_SIGNATURE, _("%s in the bundle does not match the "
                                                        "signed manifest: it was altered."), rel);
      g_hash_table_add (done, g_strdup (rel));
    }
  if (!end)
    return FALSE;

  for (guint i = 0; i < staged->info->files->len; i++)
    {
      SaphanBundleFile *file = staged->info->files->pdata[i];
      if (!g_hash_table_contains (done, file->path))
        return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle lacks %s, which its manifest "
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
  Keyring ring = { 0 };
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
      io_error (error, _("Cannot create"), staged->tree, errno);
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
        refuse (error, SAPHAN_ERROR_INVALID, _("The bundle is empty."));
      return NULL;
    }
  if (strcmp (entry.name, MANIFEST_NAME) != 0 || entry.type != SAPHAN_TAR_REGULAR)
    {
      refuse (error, SAPHAN_ERROR_INVALID, _("The bundle does not start with its manifest."));
      return NULL;
    }
  staged->manifest = saphan_tar_reader_read_data (reader, SAPHAN_BUNDLE_MAX_MANIFEST, error);
  if (staged->manifest == NULL)
    return NULL;
  if (!saphan_tar_reader_next (reader, &entry, &end, error) ||
      strcmp (entry.name, SIGNATURE_NAME) != 0 || entry.type != SAPHAN_TAR_REGULAR)
    {
      g_clear_error (error);
      refuse (error, SAPHAN_ERROR_SIGNATURE, _("The bundle is not signed."));
      return NULL;
    }
  staged->signature = saphan_tar_reader_read_data (reader, MAX_SIGNATURE, error);
  if (staged->signature == NULL)
    return NULL;
  signature_text = g_strndup (g_bytes_get_data (staged->signature, NULL),
                              g_bytes_get_size (staged->signature));

  keyring_load (data_dir, &ring);
  if (ring.keys->len == 0)
    {
      keyring_clear (&ring);
      refuse (error, SAPHAN_ERROR_STATE, _("No bundle key is trusted yet; a maintainer must run "
                                           "“saphanctl bundle trust KEY.pub” first."));
      return NULL;
    }
  data = g_bytes_get_data (staged->manifest, &len);
  signer = saphan_minisign_verify (signature_text, data, len, (SaphanMinisignPublicKey *) ring.keys->data,
                                   ring.keys->len, &trusted_comment, error);
  if (signer < 0)
    {
      keyring_clear (&ring);
      return NULL;
    }

  staged->info = parse_manifest (staged->manifest, error);
  if (staged->info == NULL)
    {
      keyring_clear (&ring);
      return NULL;
    }
  staged->info->signed_by_root = ring.root_present && signer == 0;
  staged->info->key_id = saphan_minisign_key_id_to_string (
    g_array_index (ring.keys, SaphanMinisignPublicKey, signer).key_id);
  keyring_clear (&ring);

  wanted_class = device_class (data_dir);
  if (strcmp (staged->info->compatible, wanted_class) != 0)
    {
      refuse (error, SAPHAN_ERROR_INVALID, _("The bundle is for “%s” devices; this kiosk is “%s”."),
              staged->info->compatible, wanted_class);
      return NULL;
    }
  if (!check_version (data_dir, staged->info, error))
    return NULL;
  if (!unpack_files (staged, reader, error))
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
    rm_rf (staged->dir);
  g_free (staged->data_dir);
  g_free (staged->dir);
  g_free (staged->tree);
  g_clear_pointer (&staged->manifest, g_bytes_unref);
  g_clear_pointer (&staged->signature, g_bytes_unref);
  saphan_bundle_info_free (staged->info);
  g_free (staged);
}

/* ---- Installing -------------------------------------------------------------- */

guint64
saphan_bundle_installed_version (const char *data_dir)
{
  g_autofree char *current = saphan_bundle_current_dir (data_dir);
  g_autofree char *path = NULL;
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;

  if (current == NULL)
    return 0;
  path = g_build_filename (current, MANIFEST_NAME, NULL);
  parser = json_parser_new ();
  if (!json_parser_load_from_mapped_file (parser, path, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  return (guint64) MAX (0, json_object_get_int_member_with_default (json_node_get_object (root),
                                                                    "version", 0));
}

static gboolean
read_dir_files (const char *dir, GHashTable *into, const char *only_if_in)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return TRUE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      char *data = NULL;
      gsize len;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      /* A shared media file goes with the forms that name it. */
      if (only_if_in != NULL && strstr (only_if_in, name) == NULL)
        continue;
      if (!g_file_get_contents (path, &data, &len, NULL))
        return FALSE;
      g_hash_table_insert (into, g_strdup (name), g_bytes_new_take (data, len));
    }
  return TRUE;
}

/* Brings the store in line with a content folder: its forms (each with the
 * media folder FORM-media/ and the shared media/ files it names), its
 * settings, and the list of forms the bundle provides. */
static gboolean
apply_to_store (SaphanStore *store, const char *version_dir, guint64 version, GError **error)
{
  g_autofree char *forms_dir = g_build_filename (version_dir, "files", "forms", NULL);
  g_autofree char *shared_media = g_build_filename (forms_dir, "media", NULL);
  g_autofree char *settings_path = g_build_filename (version_dir, "files", "settings.json", NULL);
  g_autofree char *previous_forms = saphan_store_get_setting (store, "bundle.forms", NULL);
  g_autofree char *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, version);
  g_autoptr (GString) ids = g_string_new (NULL);
  g_autoptr (GDir) dir = g_dir_open (forms_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL, *base = NULL, *own_media = NULL, *xml_text = NULL;
      g_autoptr (GHashTable) media = NULL;
      g_autoptr (GBytes) xml = NULL;
      g_autoptr (SaphanFormInfo) info = NULL;
      gsize len;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      path = g_build_filename (forms_dir, name, NULL);
      if (!g_file_get_contents (path, &xml_text, &len, error))
        return FALSE;
      base = g_strndup (name, strlen (name) - 4);
      own_media = g_strdup_printf ("%s/%s-media", forms_dir, base);
      media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
      if (!read_dir_files (shared_media, media, xml_text) || !read_dir_files (own_media, media, NULL))
        return refuse (error, SAPHAN_ERROR_IO, _("Cannot read the media of %s."), name);
      xml = g_bytes_new_take (g_steal_pointer (&xml_text), len);
      if (!saphan_form_install (store, xml, media, &info, error))
        {
          g_prefix_error (error, "%s: ", name);
          return FALSE;
        }
      g_string_append_printf (ids, "%s%s", ids->len > 0 ? " " : "", info->form_id);
    }

  /* Forms an earlier bundle brought and this one does not stop being offered. */
  if (previous_forms != NULL)
    {
      g_auto (GStrv) old = g_strsplit (previous_forms, " ", -1);
      g_auto (GStrv) now = g_strsplit (ids->str, " ", -1);
      for (int i = 0; old[i] != NULL; i++)
        if (*old[i] != '\0' && !g_strv_contains ((const char *const *) now, old[i]))
          saphan_store_set_form_active (store, old[i], FALSE, NULL);
    }

  if (g_file_test (settings_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *obj;
      g_autoptr (GList) members = NULL;

      if (!json_parser_load_from_mapped_file (parser, settings_path, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return refuse (error, SAPHAN_ERROR_INVALID, _("settings.json in the bundle is not a JSON "
                                                      "object."));
      obj = json_node_get_object (json_parser_get_root (parser));
      members = json_object_get_members (obj);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (obj, l->data);
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            return refuse (error, SAPHAN_ERROR_INVALID, _("Setting %s in the bundle is not a "
                                                          "string."), (char *) l->data);
          if (!saphan_store_set_setting (store, l->data, json_node_get_string (value), error))
            return FALSE;
        }
    }

  return saphan_store_set_setting (store, "bundle.forms", ids->str, error) &&
         saphan_store_set_setting (store, "bundle.version", version_text, error);
}

/* A bundle signed by the root key may carry the new set of release keys. */
static gboolean
rotate_release_keys (const char *data_dir, const char *version_dir, GError **error)
{
  g_autofree char *source = g_build_filename (version_dir, "files", "keys", "release", NULL);
  g_autofree char *keys_dir = g_build_filename (data_dir, "keys", NULL);
  g_autofree char *fresh = g_build_filename (keys_dir, "bundle-release.new", NULL);
  g_autofree char *live = g_build_filename (keys_dir, "bundle-release", NULL);
  g_autofree char *old = g_build_filename (keys_dir, "bundle-release.old", NULL);
  g_autoptr (GDir) dir = NULL;
  const char *name;
  guint count = 0;

  if (!g_file_test (source, G_FILE_TEST_IS_DIR))
    return TRUE;
  rm_rf (fresh);
  if (g_mkdir_with_parents (fresh, 0700) != 0)
    return io_error (error, _("Cannot create"), fresh, errno);
  dir = g_dir_open (source, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (source, name, NULL);
      g_autofree char *text = NULL, *out = NULL, *id = NULL, *dest = NULL;
      SaphanMinisignPublicKey key;

      if (!g_file_get_contents (path, &text, NULL, error))
        return FALSE;
      if (!saphan_minisign_public_key_parse (text, &key, error))
        {
          g_prefix_error (error, "keys/release/%s: ", name);
          return FALSE;
        }
      id = saphan_minisign_key_id_to_string (key.key_id);
      dest = g_strdup_printf ("%s/%s.pub", fresh, id);
      out = saphan_minisign_public_key_to_text (&key, "Saphan bundle release key");
      if (!g_file_set_contents_full (dest, out, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
        return FALSE;
      count++;
    }
  if (count == 0)
    return refuse (error, SAPHAN_ERROR_INVALID, _("The bundle's keys/release folder is empty; a "
                                                  "kiosk must keep at least one release key."));
  rm_rf (old);
  if (g_file_test (live, G_FILE_TEST_IS_DIR) && g_rename (live, old) != 0)
    return io_error (error, _("Cannot replace"), live, errno);
  if (g_rename (fresh, live) != 0)
    return io_error (error, _("Cannot replace"), live, errno);
  rm_rf (old);
  return fsync_path (keys_dir, error);
}

/* Hands verified packages to the system's package manager. */
static gboolean
install_packages (const char *version_dir, GError **error)
{
  g_autofree char *dir_path = g_build_filename (version_dir, "files", "packages", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GPtrArray) argv = NULL;
  g_auto (GStrv) command = NULL;
  const char *name, *configured = g_getenv ("SAPHAN_PACKAGE_INSTALL_COMMAND");
  int status = 0;

  if (dir == NULL)
    return TRUE;
  if (!g_shell_parse_argv (configured != NULL ? configured : "apt-get install -y", NULL, &command,
                           error))
    return FALSE;
  argv = g_ptr_array_new ();
  for (int i = 0; command[i] != NULL; i++)
    g_ptr_array_add (argv, command[i]);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".deb"))
      g_ptr_array_add (argv, g_build_filename (dir_path, name, NULL));
  if (argv->len == g_strv_length (command))
    return TRUE;
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, error) ||
      !g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, _("The package manager refused the bundle's package: "));
      return FALSE;
    }
  return TRUE;
}

static void
remove_stale_versions (const char *data_dir)
{
  g_autofree char *versions = g_build_filename (data_dir, "content", "versions", NULL);
  g_autofree char *current_link = g_build_filename (data_dir, "content", "current", NULL);
  g_autofree char *previous_link = g_build_filename (data_dir, "content", "previous", NULL);
  g_autofree char *current = g_file_read_link (current_link, NULL);
  g_autofree char *previous = g_file_read_link (previous_link, NULL);
  g_autoptr (GDir) dir = g_dir_open (versions, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = g_build_filename ("versions", name, NULL);
      g_autofree char *path = g_build_filename (versions, name, NULL);
      if (g_strcmp0 (rel, current) != 0 && g_strcmp0 (rel, previous) != 0)
        rm_rf (path);
    }
}

gboolean
saphan_bundle_install (SaphanStagedBundle *staged, SaphanStore *store, GError **error)
{
  g_autofree char *content = content_dir (staged->data_dir);
  g_autofree char *versions = g_build_filename (content, "versions", NULL);
  g_autofree char *package = g_build_filename (staged->dir, "package", NULL);
  g_autofree char *files = g_build_filename (package, "files", NULL);
  g_autofree char *manifest = g_build_filename (package, MANIFEST_NAME, NULL);
  g_autofree char *signature = g_build_filename (package, SIGNATURE_NAME, NULL);
  g_autofree char *suffix = g_path_get_basename (staged->dir);
  g_autofree char *rel = NULL, *target = NULL, *old_current = NULL, *current_link = NULL;

  g_return_val_if_fail (!staged->installed, FALSE);

  /* Re-check against what is installed now: another bundle may have gone in
   * since this one was staged. */
  if (!check_version (staged->data_dir, staged->info, error))
    return FALSE;

  if (g_mkdir_with_parents (versions, 0700) != 0)
    return io_error (error, _("Cannot create"), versions, errno);
  if (g_mkdir (package, 0700) != 0)
    return io_error (error, _("Cannot create"), package, errno);
  if (!g_file_set_contents (manifest, g_bytes_get_data (staged->manifest, NULL),
                            g_bytes_get_size (staged->manifest), error) ||
      !g_file_set_contents (signature, g_bytes_get_data (staged->signature, NULL),
                            g_bytes_get_size (staged->signature), error))
    return FALSE;
  if (g_rename (staged->tree, files) != 0)
    return io_error (error, _("Cannot move"), staged->tree, errno);
  if (!fsync_tree (package, error))
    return FALSE;

  rel = g_strdup_printf ("versions/%" G_GUINT64_FORMAT "-%s", staged->info->version,
                         suffix + strlen ("incoming-"));
  target = g_build_filename (content, rel, NULL);
  if (g_rename (package, target) != 0)
    return io_error (error, _("Cannot move the new content into"), versions, errno);
  if (!fsync_path (versions, error))
    return FALSE;

  /* The switch: "previous" first, so that at every instant "current" names
   * one complete version and "previous" another. */
  current_link = g_build_filename (content, "current", NULL);
  old_current = g_file_read_link (current_link, NULL);
  if (old_current != NULL && !switch_link (content, "previous", old_current, error))
    return FALSE;
  if (!switch_link (content, "current", rel, error))
    return FALSE;
  staged->installed = TRUE;
  remove_stale_versions (staged->data_dir);

  if (staged->info->signed_by_root && !rotate_release_keys (staged->data_dir, target, error))
    return FALSE;
  if (!install_packages (target, error))
    return FALSE;
  if (store != NULL && !apply_to_store (store, target, staged->info->version, error))
    return FALSE;
  return TRUE;
}

gboolean
saphan_bundle_apply (const char *data_dir, SaphanStore *store, const char *bundle_path,
                     SaphanBundleInfo **out_info, GError **error)
{
  g_autoptr (SaphanStagedBundle) staged = NULL;
  g_autofree char *detail = NULL;
  g_autoptr (GError) local = NULL;

  staged = saphan_bundle_stage (data_dir, bundle_path, &local);
  if (staged != NULL && saphan_bundle_install (staged, store, &local))
    {
      detail = g_strdup_printf ("version=%" G_GUINT64_FORMAT " key=%s%s", staged->info->version,
                                staged->info->key_id, staged->info->signed_by_root ? " root" : "");
      if (store != NULL)
        saphan_store_audit_append (store, "bundle-applied", detail, NULL);
      if (out_info != NULL)
        {
          *out_info = staged->info;
          staged->info = NULL;
        }
      return TRUE;
    }

  if (store != NULL)
    {
      detail = g_strdup_printf ("reason=%s", local->message);
      saphan_store_audit_append (store, "bundle-refused", detail, NULL);
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

gboolean
saphan_bundle_rollback (const char *data_dir, SaphanStore *store, GError **error)
{
  g_autofree char *content = content_dir (data_dir);
  g_autofree char *current_link = g_build_filename (content, "current", NULL);
  g_autofree char *previous_link = g_build_filename (content, "previous", NULL);
  g_autofree char *current = g_file_read_link (current_link, NULL);
  g_autofree char *previous = g_file_read_link (previous_link, NULL);
  g_autofree char *target = NULL;

  if (previous == NULL || current == NULL)
    return refuse (error, SAPHAN_ERROR_STATE, _("There is no previous content to go back to."));
  if (!switch_link (content, "current", previous, error) ||
      !switch_link (content, "previous", current, error))
    return FALSE;
  if (store == NULL)
    return TRUE;
  target = g_build_filename (content, previous, NULL);
  if (!apply_to_store (store, target, saphan_bundle_installed_version (data_dir), error))
    return FALSE;
  saphan_store_audit_append (store, "bundle-rollback", previous, NULL);
  return TRUE;
}

gboolean
saphan_bundle_reconcile (const char *data_dir, SaphanStore *store, GError **error)
{
  guint64 installed = saphan_bundle_installed_version (data_dir);
  g_autofree char *recorded = NULL, *current = NULL;

  if (installed == 0)
    return TRUE;
  recorded = saphan_store_get_setting (store, "bundle.version", NULL);
  if (recorded != NULL && g_ascii_strtoull (recorded, NULL, 10) == installed)
    return TRUE;
  current = saphan_bundle_current_dir (data_dir);
  return apply_to_store (store, current, installed, error);
}
