/* bundle-test-util.c: making bundles, good and bad, and fingerprinting state. */
#include "bundle-test-util.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static void
entry_free (BtEntry *entry)
{
  g_free (entry->name);
  g_free (entry->link);
  g_clear_pointer (&entry->data, g_bytes_unref);
  g_free (entry);
}

void
bt_bundle_free (BtBundle *bundle)
{
  if (bundle == NULL)
    return;
  g_free (bundle->compatible);
  g_ptr_array_unref (bundle->listed);
  g_ptr_array_unref (bundle->entries);
  g_free (bundle->manifest);
  g_free (bundle->signature);
  g_free (bundle);
}

void
bt_bundle_add_entry (BtBundle *bundle, const char *name, char type, const void *data, gsize len,
                     const char *link, gint64 size_field)
{
  BtEntry *entry = g_new0 (BtEntry, 1);

  entry->name = g_strdup (name);
  entry->type = type;
  entry->data = g_bytes_new (data, len);
  entry->link = g_strdup (link);
  entry->size_field = size_field;
  g_ptr_array_add (bundle->entries, entry);
}

BtEntry *
bt_bundle_find (BtBundle *bundle, const char *name)
{
  for (guint i = 0; i < bundle->entries->len; i++)
    {
      BtEntry *entry = bundle->entries->pdata[i];
      if (strcmp (entry->name, name) == 0)
        return entry;
    }
  return NULL;
}

void
bt_bundle_resign (BtBundle *bundle, const SaphanMinisignSecretKey *key)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, bundle->version);
  json_builder_set_member_name (b, "compatible");
  json_builder_add_string_value (b, bundle->compatible);
  json_builder_set_member_name (b, "issued_at");
  json_builder_add_string_value (b, "2026-01-01T00:00:00Z");
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < bundle->listed->len; i++)
    {
      SaphanBundleFile *file = bundle->listed->pdata[i];
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
  g_free (bundle->manifest);
  bundle->manifest = json_generator_to_data (gen, NULL);
  g_free (bundle->signature);
  bundle->signature = saphan_minisign_sign (key, (const guint8 *) bundle->manifest,
                                            strlen (bundle->manifest), "test bundle", &error);
  g_assert_no_error (error);
}

BtBundle *
bt_bundle_new (const SaphanMinisignSecretKey *key, guint64 version, const char *compatible,
               const char *const *files)
{
  BtBundle *bundle = g_new0 (BtBundle, 1);

  bundle->version = version;
  bundle->compatible =
    g_strdup (compatible != NULL ? compatible : SAPHAN_BUNDLE_DEFAULT_COMPATIBLE);
  bundle->listed = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_bundle_file_free);
  bundle->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  for (int i = 0; files[i] != NULL; i += 2)
    {
      SaphanBundleFile *file = g_new0 (SaphanBundleFile, 1);
      g_autofree char *name = g_strconcat ("files/", files[i], NULL);
      gsize len = strlen (files[i + 1]);

      file->path = g_strdup (files[i]);
      file->size = len;
      file->sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, files[i + 1], len);
      g_ptr_array_add (bundle->listed, file);
      bt_bundle_add_entry (bundle, name, '0', files[i + 1], len, NULL, -1);
    }
  if (key != NULL)
    bt_bundle_resign (bundle, key);
  return bundle;
}

/* A ustar header with every field under the test's control. */
static void
append_header (GByteArray *out, const char *name, char type, guint64 size, const char *link)
{
  guint8 block[512] = { 0 };
  char *h = (char *) block;
  guint sum = 0;
  gsize name_len = strlen (name);

  if (name_len <= 100)
    memcpy (h, name, name_len);
  else
    {
      const char *slash = strrchr (name, '/');
      g_assert_nonnull (slash);
      memcpy (h + 345, name, slash - name);
      memcpy (h, slash + 1, strlen (slash + 1));
    }
  g_snprintf (h + 100, 8, "%07o", 0644);
  g_snprintf (h + 108, 8, "%07o", 0);
  g_snprintf (h + 116, 8, "%07o", 0);
  g_snprintf (h + 124, 12, "%011" G_GINT64_MODIFIER "o", size);
  g_snprintf (h + 136, 12, "%011o", 0);
  h[156] = type;
  if (link != NULL)
    memcpy (h + 157, link, MIN (strlen (link), 100));
  memcpy (h + 257, "ustar", 6);
  memcpy (h + 263, "00", 2);
  memset (h + 148, ' ', 8);
  for (int i = 0; i < 512; i++)
    sum += block[i];
  g_snprintf (h + 148, 8, "%06o", sum);
  h[155] = ' ';
  g_byte_array_append (out, block, 512);
}

static void
append_file (GByteArray *out, const char *name, char type, const guint8 *data, gsize len,
             guint64 size_field, const char *link)
{
  static const guint8 zeros[512] = { 0 };

  append_header (out, name, type, size_field, link);
  g_byte_array_append (out, data, len);
  g_byte_array_append (out, zeros, (512 - len % 512) % 512);
}

GBytes *
bt_bundle_tar (BtBundle *bundle, gboolean end_marker)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  static const guint8 zeros[1024] = { 0 };

  append_file (out, "manifest.json", '0', (const guint8 *) bundle->manifest,
               strlen (bundle->manifest), strlen (bundle->manifest), NULL);
  append_file (out,
               bundle->signature_name != NULL ? bundle->signature_name : "manifest.json.minisig",
               '0', (const guint8 *) bundle->signature,
               strlen (bundle->signature), strlen (bundle->signature), NULL);
  for (guint i = 0; i < bundle->entries->len; i++)
    {
      BtEntry *entry = bundle->entries->pdata[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (entry->data, &len);
      append_file (out, entry->name, entry->type, data, len,
                   entry->size_field >= 0 ? (guint64) entry->size_field : len, entry->link);
    }
  if (end_marker)
    g_byte_array_append (out, zeros, sizeof zeros);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

void
bt_write_gzip (const char *path, const guint8 *data, gsize len)
{
  g_autoptr (GConverter) gzip =
    G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6));
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) fout = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GError) error = NULL;

  fout = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  out = g_converter_output_stream_new (G_OUTPUT_STREAM (fout), gzip);
  g_output_stream_write_all (out, data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
}

void
bt_bundle_write (BtBundle *bundle, const char *path, gboolean end_marker)
{
  g_autoptr (GBytes) tar = bt_bundle_tar (bundle, end_marker);

  bt_write_gzip (path, g_bytes_get_data (tar, NULL), g_bytes_get_size (tar));
}

int
bt_run (const char *const *argv, const char *stdin_text, char **out, char **err)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;

  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text != NULL ? stdin_text : "", NULL, &o, &e, &error);
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

void
bt_minisign_keygen (const char *dir, const char *name, const char *password)
{
  g_autofree char *pub = g_strdup_printf ("%s/%s.pub", dir, name);
  g_autofree char *sec = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *input = password != NULL ? g_strdup_printf ("%s\n%s\n", password, password)
                                            : NULL;
  g_autofree char *err = NULL;
  const char *argv_w[] = { "minisign", "-G", "-W", "-f", "-p", pub, "-s", sec, NULL };
  const char *argv_p[] = { "minisign", "-G", "-f", "-p", pub, "-s", sec, NULL };
  int status = bt_run (password != NULL ? argv_p : argv_w, input, NULL, &err);

  if (status != 0)
    g_error ("minisign -G failed: %s", err);
}

SaphanMinisignSecretKey *
bt_load_secret (const char *dir, const char *name, const char *password)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  SaphanMinisignSecretKey *key;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  key = saphan_minisign_secret_key_load (text, password, &error);
  g_assert_no_error (error);
  return key;
}

void
bt_trust (const char *data_dir, const char *key_dir, const char *name, gboolean root)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.pub", key_dir, name);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  saphan_bundle_trust (data_dir, text, root, &error);
  g_assert_no_error (error);
}

/* g_ptr_array_sort passes pointers to the elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Feeds a folder into CHECKSUM in name order, links as their targets. */
static void
hash_tree (GChecksum *checksum, const char *root, const char *rel)
{
  g_autofree char *path = rel != NULL ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child_rel = rel != NULL ? g_build_filename (rel, names->pdata[i], NULL)
                                               : g_strdup (names->pdata[i]);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (child, &st), ==, 0);
      g_checksum_update (checksum, (const guchar *) child_rel, -1);
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (child, NULL);
          g_checksum_update (checksum, (const guchar *) "L", 1);
          g_checksum_update (checksum, (const guchar *) target, -1);
        }
      else if (S_ISDIR (st.st_mode))
        {
          g_checksum_update (checksum, (const guchar *) "D", 1);
          hash_tree (checksum, root, child_rel);
        }
      else
        {
          g_autofree char *data = NULL;
          gsize len;
          g_assert_true (g_file_get_contents (child, &data, &len, NULL));
          g_checksum_update (checksum, (const guchar *) "F", 1);
          g_checksum_update (checksum, (const guchar *) data, len);
        }
    }
}

char *
bt_state_hash (const char *data_dir, SaphanStore *store)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *content = g_build_filename (data_dir, "content", NULL);
  g_autofree char *keys = g_build_filename (data_dir, "keys", NULL);

  g_checksum_update (checksum, (const guchar *) "content", -1);
  hash_tree (checksum, content, NULL);
  g_checksum_update (checksum, (const guchar *) "keys", -1);
  hash_tree (checksum, keys, NULL);
  if (store != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) forms = saphan_store_list_forms (store, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < forms->len; i++)
        {
          SaphanFormInfo *info = forms->pdata[i];
          g_autoptr (GBytes) xml = saphan_store_get_form_xml (store, info->form_id, &error);
          g_autoptr (GHashTable) media = saphan_store_get_form_media (store, info->form_id, &error);
          g_autoptr (GList) names = NULL;
          g_autofree char *row = g_strdup_printf ("%s|%s|%s|%d", info->form_id, info->version,
                                                  info->hash, info->active);

          g_assert_no_error (error);
          g_checksum_update (checksum, (const guchar *) row, -1);
          g_checksum_update (checksum, g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
          names = g_list_sort (g_hash_table_get_keys (media), (GCompareFunc) g_strcmp0);
          for (GList *l = names; l != NULL; l = l->next)
            {
              GBytes *data = g_hash_table_lookup (media, l->data);
              g_checksum_update (checksum, l->data, -1);
              g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
            }
        }
    }
  return g_strdup (g_checksum_get_string (checksum));
}

char *
bt_make_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("saphan-updates-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      /* A test may have made a folder unwritable on purpose. */
      g_chmod (path, 0700);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
bt_remove_dir (const char *dir)
{
  if (dir != NULL && g_getenv ("SAPHAN_KEEP_TEST_DIRS") == NULL)
    remove_tree (dir);
}
