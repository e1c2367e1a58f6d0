/* test-bundle.c: signed update bundles against real files and real minisign.
 *
 * Every bad bundle is built by the test from a valid one, and each must be
 * refused with its own reason while the installed state (content, keys,
 * the store's forms) stays byte-identical.
 */
#include "bundle-test-util.h"

#include <pty.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "saphan-error.h"

typedef struct
{
  char                    *dir;        /* everything of one test */
  char                    *data_dir;
  char                    *keys;       /* minisign key files */
  SaphanMinisignSecretKey *release;
  SaphanMinisignSecretKey *root;
  SaphanStore             *store;
} Fixture;

static const char *const base_files[] = {
  "a.txt", "alpha\n",
  "b.txt", "bravo\n",
  "translations/th.txt", "สวัสดี\n",
  NULL,
};

/* Key generation by the real minisign costs a process each; the test
 * program makes its -W keys once and shares them. */
static char *shared_keys;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  f->dir = bt_make_dir ();
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  g_assert_cmpint (g_mkdir (f->data_dir, 0700), ==, 0);
  f->keys = g_strdup (shared_keys);
  f->release = bt_load_secret (f->keys, "release", NULL);
  f->root = bt_load_secret (f->keys, "root", NULL);
  bt_trust (f->data_dir, f->keys, "release", FALSE);
  bt_trust (f->data_dir, f->keys, "root", TRUE);
  f->store = saphan_store_open (f->data_dir, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  (void) data;
  g_clear_object (&f->store);
  saphan_minisign_secret_key_free (f->release);
  saphan_minisign_secret_key_free (f->root);
  bt_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
  g_free (f->keys);
}

static char *
write_bundle (Fixture *f, BtBundle *bundle, const char *name)
{
  char *path = g_build_filename (f->dir, name, NULL);
  bt_bundle_write (bundle, path, TRUE);
  return path;
}

static void
apply_ok (Fixture *f, BtBundle *bundle)
{
  g_autofree char *path = write_bundle (f, bundle, "good.bundle");
  g_autoptr (GError) error = NULL;

  saphan_bundle_apply (f->data_dir, f->store, path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saphan_bundle_installed_version (f->data_dir), ==, bundle->version);
}

static void
apply_refused (Fixture *f, const char *path, const char *reason)
{
  g_autofree char *before = bt_state_hash (f->data_dir, f->store);
  g_autofree char *again = bt_state_hash (f->data_dir, f->store);
  g_autofree char *after = NULL;

  g_assert_cmpstr (before, ==, again);
  g_autoptr (GError) error = NULL;

  g_assert_false (saphan_bundle_apply (f->data_dir, f->store, path, NULL, &error));
  g_assert_nonnull (error);
  if (strstr (error->message, reason) == NULL)
    g_error ("expected a refusal saying “%s”, got “%s”", reason, error->message);
  after = bt_state_hash (f->data_dir, f->store);
  g_assert_cmpstr (before, ==, after);
}

static SaphanBundleFile *
listed (BtBundle *bundle, const char *path)
{
  for (guint i = 0; i < bundle->listed->len; i++)
    {
      SaphanBundleFile *file = bundle->listed->pdata[i];
      if (strcmp (file->path, path) == 0)
        return file;
    }
  g_assert_not_reached ();
}

static void
add_listed (BtBundle *bundle, const char *path, const char *text)
{
  SaphanBundleFile *file = g_new0 (SaphanBundleFile, 1);
  file->path = g_strdup (path);
  file->size = strlen (text);
  file->sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  g_ptr_array_add (bundle->listed, file);
}

/* Replaces the first base64 line of the signature after XORing byte AT with
 * MASK. A mask, not a new value: the keys are made afresh on every run, so a
 * fixed value would match the byte already there once in 256 runs and leave
 * the signature valid. */
static void
flip_signature_byte (BtBundle *bundle, gsize at, guint8 mask)
{
  g_auto (GStrv) lines = g_strsplit (bundle->signature, "\n", -1);
  gsize len;
  g_autofree guint8 *raw = g_base64_decode (lines[1], &len);

  g_assert_cmpuint (at, <, len);
  g_assert_cmpuint (mask, !=, 0);
  raw[at] ^= mask;
  g_free (lines[1]);
  lines[1] = g_base64_encode (raw, len);
  g_free (bundle->signature);
  bundle->signature = g_strjoinv ("\n", lines);
}

/* Builds the bad bundle NAME at PATH from a valid one; returns FALSE for an
 * unknown name, so the data file and this switch cannot drift apart. */
static gboolean
make_bad_bundle (Fixture *f, const char *name, const char *path)
{
  g_autoptr (BtBundle) b = bt_bundle_new (f->release, 11, NULL, base_files);
  g_autoptr (SaphanMinisignSecretKey) stranger = NULL;

  if (strcmp (name, "wrong-key") == 0)
    {
      stranger = bt_load_secret (f->keys, "stranger", NULL);
      bt_bundle_resign (b, stranger);
    }
  else if (strcmp (name, "bad-signature") == 0)
    flip_signature_byte (b, 20, 0x5a);
  else if (strcmp (name, "trusted-comment") == 0)
    {
      char *tc = strstr (b->signature, "test bundle");
      tc[0] = 'T';
    }
  else if (strcmp (name, "legacy-signature") == 0)
    flip_signature_byte (b, 1, 0x20); /* "ED" becomes "Ed" */
  else if (strcmp (name, "unsigned") == 0)
    b->signature_name = "unsigned.txt";
  else if (strcmp (name, "edited-file") == 0)
    {
      BtEntry *e = bt_bundle_find (b, "files/b.txt");
      g_bytes_unref (e->data);
      e->data = g_bytes_new_static ("BRAVO\n", 6);
    }
  else if (strcmp (name, "resized-file") == 0)
    {
      BtEntry *e = bt_bundle_find (b, "files/b.txt");
      g_bytes_unref (e->data);
      e->data = g_bytes_new_static ("bravo!\n", 7);
    }
  else if (strcmp (name, "missing-file") == 0)
    g_ptr_array_remove (b->entries, bt_bundle_find (b, "files/b.txt"));
  else if (strcmp (name, "extra-file") == 0)
    bt_bundle_add_entry (b, "files/extra.txt", '0', "x", 1, NULL, -1);
  else if (strcmp (name, "older-version") == 0)
    {
      b->version = 9;
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "same-version") == 0)
    {
      b->version = 10;
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "wrong-device") == 0)
    {
      g_free (b->compatible);
      b->compatible = g_strdup ("toaster/1");
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "traversal-manifest") == 0 || strcmp (name, "absolute-manifest") == 0)
    {
      const char *evil = name[0] == 't' ? "../evil.txt" : "/etc/evil";
      add_listed (b, evil, "evil\n");
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "traversal-entry") == 0)
    bt_bundle_add_entry (b, "files/../evil.txt", '0', "evil\n", 5, NULL, -1);
  else if (strcmp (name, "absolute-entry") == 0)
    bt_bundle_add_entry (b, "/etc/evil", '0', "evil\n", 5, NULL, -1);
  else if (strcmp (name, "symlink-entry") == 0)
    bt_bundle_add_entry (b, "files/link", '2', "", 0, "/etc/passwd", -1);
  else if (strcmp (name, "hardlink-entry") == 0)
    bt_bundle_add_entry (b, "files/hard", '1', "", 0, "files/a.txt", -1);
  else if (strcmp (name, "device-entry") == 0)
    bt_bundle_add_entry (b, "files/dev", '3', "", 0, NULL, -1);
  else if (strcmp (name, "directory-entry") == 0)
    bt_bundle_add_entry (b, "files/dir", '5', "", 0, NULL, -1);
  else if (strcmp (name, "duplicate-entry") == 0)
    bt_bundle_add_entry (b, "files/a.txt", '0', "alpha\n", 6, NULL, -1);
  else if (strcmp (name, "duplicate-manifest") == 0)
    {
      add_listed (b, "a.txt", "alpha\n");
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "file-folder-clash") == 0)
    {
      add_listed (b, "a.txt/inner.txt", "inner\n");
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "huge-size-claim") == 0)
    {
      listed (b, "b.txt")->size = G_GUINT64_CONSTANT (1) << 40;
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "huge-manifest") == 0)
    {
      /* A manifest entry whose header claims 2 MiB: refused before reading. */
      g_autoptr (GBytes) tar = bt_bundle_tar (b, TRUE);
      gsize len = g_bytes_get_size (tar);
      guint8 *data = g_memdup2 (g_bytes_get_data (tar, NULL), len);
      guint sum = 0;
      g_snprintf ((char *) data + 124, 12, "%011o", 2 << 20);
      memset (data + 148, ' ', 8);
      for (int i = 0; i < 512; i++)
        sum += data[i];
      g_snprintf ((char *) data + 148, 8, "%06o", sum);
      data[155] = ' ';
      bt_write_gzip (path, data, len);
      g_free (data);
      return TRUE;
    }
  else if (strcmp (name, "truncated") == 0)
    {
      g_autofree char *data = NULL;
      gsize len;
      {
        /* Random-looking content compresses badly, so the cut lands in
         * the middle of a file's data. */
        g_autoptr (GRand) rand = g_rand_new_with_seed (7);
        g_autofree char *noise = g_malloc (65536);
        for (int i = 0; i < 65536; i++)
          noise[i] = 'a' + g_rand_int_range (rand, 0, 26);
        noise[65535] = '\0';
        add_listed (b, "noise.txt", noise);
        bt_bundle_add_entry (b, "files/noise.txt", '0', noise, 65535, NULL, -1);
        bt_bundle_resign (b, f->release);
      }
      bt_bundle_write (b, path, TRUE);
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_assert_true (g_file_set_contents (path, data, len / 2, NULL));
      return TRUE;
    }
  else if (strcmp (name, "missing-end") == 0)
    {
      bt_bundle_write (b, path, FALSE);
      return TRUE;
    }
  else if (strcmp (name, "garbage") == 0)
    {
      g_autoptr (GBytes) tar = bt_bundle_tar (b, TRUE);
      /* A gzip magic number followed by an uncompressed tar. */
      g_autoptr (GByteArray) junk = g_byte_array_new ();
      g_byte_array_append (junk, (const guint8 *) "\x1f\x8b\x08\x00\0\0\0\0\0\x03", 10);
      g_byte_array_append (junk, g_bytes_get_data (tar, NULL), g_bytes_get_size (tar));
      g_assert_true (g_file_set_contents (path, (const char *) junk->data, junk->len, NULL));
      return TRUE;
    }
  else if (strcmp (name, "bomb") == 0)
    {
      /* 100 MiB of zeros (about 100 KiB compressed) where the signed
       * manifest declares 10 bytes. */
      gsize big = 100 << 20;
      g_autofree guint8 *zeros = g_malloc0 (big);
      add_listed (b, "zeros.bin", "0123456789");
      bt_bundle_resign (b, f->release);
      bt_bundle_add_entry (b, "files/zeros.bin", '0', zeros, big, NULL, -1);
    }
  else if (strcmp (name, "bad-form") == 0)
    {
      add_listed (b, "forms/broken.xml", "<not-a-form/>");
      bt_bundle_add_entry (b, "files/forms/broken.xml", '0', "<not-a-form/>", 13, NULL, -1);
      bt_bundle_resign (b, f->release);
    }
  else if (g_str_has_prefix (name, "settings-"))
    {
      static const char *const settings[][2] = {
        { "settings-not-object", "[\"kiosk.name\", \"x\"]" },
        { "settings-not-string", "{\"kiosk.name\": \"Tambon\", \"sync.interval\": 60}" },
        { "settings-nested", "{\"kiosk.name\": {\"th\": \"ตำบล\"}}" },
        { "settings-reserved", "{\"bundle.version\": \"999\"}" },
        { "settings-bad-name", "{\"Kiosk Name\": \"x\"}" },
      };
      const char *text = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
        if (strcmp (name, settings[i][0]) == 0)
          text = settings[i][1];
      if (text == NULL)
        return FALSE;
      add_listed (b, "settings.json", text);
      bt_bundle_add_entry (b, "files/settings.json", '0', text, strlen (text), NULL, -1);
      bt_bundle_resign (b, f->release);
    }
  else if (strcmp (name, "manifest-wrong-types") == 0)
    {
      /* A member of the wrong JSON type reads as missing, never as a crash. */
      g_free (b->manifest);
      b->manifest = g_strdup ("{\"format\": 1, \"version\": 11, \"compatible\": [1], "
                              "\"issued_at\": {}, \"files\": []}");
      g_free (b->signature);
      b->signature = saphan_minisign_sign (f->release, (const guint8 *) b->manifest,
                                           strlen (b->manifest), "x", NULL);
    }
  else if (strcmp (name, "not-json") == 0)
    {
      g_free (b->manifest);
      b->manifest = g_strdup ("{\"format\": 1, \"version\": 11,");
      g_free (b->signature);
      b->signature = saphan_minisign_sign (f->release, (const guint8 *) b->manifest,
                                           strlen (b->manifest), "x", NULL);
    }
  else
    return FALSE;

  bt_bundle_write (b, path, TRUE);
  return TRUE;
}

static void
test_corpus (Fixture *f, gconstpointer data)
{
  g_autofree char *corpus_path =
    g_test_build_filename (G_TEST_DIST, "updates", "bad-bundles.txt", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (BtBundle) good = bt_bundle_new (f->release, 10, NULL, base_files);
  guint cases = 0;

  (void) data;
  g_assert_true (g_file_get_contents (corpus_path, &text, NULL, NULL));
  apply_ok (f, good);

  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) parts = NULL;
      g_autofree char *path = NULL;

      if (*g_strstrip (lines[i]) == '\0' || lines[i][0] == '#')
        continue;
      parts = g_strsplit (lines[i], "|", 2);
      g_assert_nonnull (parts[1]);
      g_strstrip (parts[0]);
      g_strstrip (parts[1]);
      g_test_message ("case %s", parts[0]);
      path = g_strdup_printf ("%s/%s.bundle", f->dir, parts[0]);
      if (!make_bad_bundle (f, parts[0], path))
        g_error ("bad-bundles.txt names an unknown case %s", parts[0]);
      apply_refused (f, path, parts[1]);
      cases++;
    }
  g_assert_cmpuint (cases, >=, 30);

  /* After all that, a valid bundle still goes in. */
  {
    g_autoptr (BtBundle) next = bt_bundle_new (f->release, 11, NULL, base_files);
    apply_ok (f, next);
  }
}

static void
apply_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanBundleInfo **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = saphan_bundle_apply_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_apply_async (Fixture *f, gconstpointer data)
{
  g_autoptr (BtBundle) good = bt_bundle_new (f->release, 15, NULL, base_files);
  g_autofree char *path = write_bundle (f, good, "async.bundle");
  g_autoptr (SaphanBundleInfo) info = NULL;

  (void) data;
  saphan_bundle_apply_async (f->data_dir, f->store, path, NULL, apply_done_cb, &info);
  while (info == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (info->version, ==, 15);
  g_assert_cmpuint (info->files->len, ==, 3);
  g_assert_cmpuint (saphan_bundle_installed_version (f->data_dir), ==, 15);
}

static void
test_toctou (Fixture *f, gconstpointer data)
{
  g_autoptr (BtBundle) good = bt_bundle_new (f->release, 20, NULL, base_files);
  g_autoptr (BtBundle) evil = bt_bundle_new (f->release, 20, NULL, base_files);
  g_autofree char *stick = write_bundle (f, good, "stick.bundle");
  g_autoptr (SaphanStagedBundle) staged = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *current = NULL, *b_path = NULL, *b_text = NULL;
  BtEntry *e;

  (void) data;
  staged = saphan_bundle_stage (f->data_dir, stick, &error);
  g_assert_no_error (error);

  /* The stick's file is swapped for one whose b.txt differs after the check. */
  e = bt_bundle_find (evil, "files/b.txt");
  g_bytes_unref (e->data);
  e->data = g_bytes_new_static ("EVIL!\n", 6);
  bt_bundle_write (evil, stick, TRUE);

  saphan_bundle_install (staged, f->store, &error);
  g_assert_no_error (error);
  current = saphan_bundle_current_dir (f->data_dir);
  b_path = g_build_filename (current, "files", "b.txt", NULL);
  g_assert_true (g_file_get_contents (b_path, &b_text, NULL, NULL));
  g_assert_cmpstr (b_text, ==, "bravo\n");
}

static void
test_downgrade_root_only (Fixture *f, gconstpointer data)
{
  g_autoptr (BtBundle) v30 = bt_bundle_new (f->release, 30, NULL, base_files);
  g_autoptr (BtBundle) v25 = bt_bundle_new (f->release, 25, NULL, base_files);
  g_autofree char *path = NULL;

  (void) data;
  apply_ok (f, v30);
  path = write_bundle (f, v25, "older.bundle");
  apply_refused (f, path, "only a bundle signed by the root key may go back");
  bt_bundle_resign (v25, f->root);
  apply_ok (f, v25);
}

static void
test_rotation (Fixture *f, gconstpointer data)
{
  g_autoptr (SaphanMinisignSecretKey) next = bt_load_secret (f->keys, "stranger", NULL);
  g_autofree char *next_pub_path = g_build_filename (f->keys, "stranger.pub", NULL);
  g_autofree char *next_pub = NULL, *path = NULL;
  g_autoptr (BtBundle) rotate = NULL, old_key = NULL, new_key = NULL;
  const char *files[] = { "a.txt", "alpha\n", "keys/release/next.pub", NULL, NULL };

  (void) data;
  g_assert_true (g_file_get_contents (next_pub_path, &next_pub, NULL, NULL));
  files[3] = next_pub;

  /* A release key cannot rotate keys: its keys/release is ordinary content. */
  {
    g_autoptr (BtBundle) by_release = bt_bundle_new (f->release, 39, NULL, files);
    g_autoptr (BtBundle) too_early = bt_bundle_new (next, 40, NULL, base_files);
    g_autofree char *early_path = NULL;

    apply_ok (f, by_release);
    early_path = write_bundle (f, too_early, "too-early.bundle");
    apply_refused (f, early_path, "which this kiosk does not trust");
  }

  /* The root key can. */
  rotate = bt_bundle_new (f->root, 40, NULL, files);
  apply_ok (f, rotate);

  old_key = bt_bundle_new (f->release, 41, NULL, base_files);
  path = write_bundle (f, old_key, "old-key.bundle");
  apply_refused (f, path, "which this kiosk does not trust");
  new_key = bt_bundle_new (next, 41, NULL, base_files);
  apply_ok (f, new_key);
}

static void
test_trust_once (Fixture *f, gconstpointer data)
{
  g_autofree char *pub_path = g_build_filename (f->keys, "stranger.pub", NULL);
  g_autofree char *pub = NULL, *before = bt_state_hash (f->data_dir, NULL);
  g_autofree char *after = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_true (g_file_get_contents (pub_path, &pub, NULL, NULL));
  g_assert_false (saphan_bundle_trust (f->data_dir, pub, FALSE, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "only in a bundle signed by the root key"));
  g_clear_error (&error);
  g_assert_false (saphan_bundle_trust (f->data_dir, pub, TRUE, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  after = bt_state_hash (f->data_dir, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_rollback (Fixture *f, gconstpointer data)
{
  const char *v2_files[] = { "a.txt", "alpha two\n", "c.txt", "charlie\n", NULL };
  g_autoptr (BtBundle) v1 = bt_bundle_new (f->release, 50, NULL, base_files);
  g_autoptr (BtBundle) v2 = bt_bundle_new (f->release, 51, NULL, v2_files);
  g_autoptr (GError) error = NULL;
  g_autofree char *current = NULL, *c_path = NULL;

  (void) data;
  g_assert_false (saphan_bundle_rollback (f->data_dir, f->store, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  g_clear_error (&error);

  apply_ok (f, v1);
  g_assert_cmpuint (saphan_bundle_previous_version (f->data_dir), ==, 0);
  current = saphan_bundle_current_dir (f->data_dir);
  apply_ok (f, v2);
  g_assert_cmpuint (saphan_bundle_previous_version (f->data_dir), ==, 50);
  saphan_bundle_rollback (f->data_dir, f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saphan_bundle_installed_version (f->data_dir), ==, 50);
  g_assert_cmpuint (saphan_bundle_previous_version (f->data_dir), ==, 51);
  g_free (current);
  current = saphan_bundle_current_dir (f->data_dir);
  c_path = g_build_filename (current, "files", "c.txt", NULL);
  g_assert_false (g_file_test (c_path, G_FILE_TEST_EXISTS));
  /* And forward again. */
  saphan_bundle_rollback (f->data_dir, f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saphan_bundle_installed_version (f->data_dir), ==, 51);
}

/* An application package is handed to the package manager after
 * verification; a refusal by the package manager leaves everything as it was. */
static void
test_package (Fixture *f, gconstpointer data)
{
  const char *files[] = { "packages/saphan_9.9_all.deb", "!<arch>\ndebian-binary   ", NULL };
  g_autoptr (BtBundle) good = bt_bundle_new (f->release, 65, NULL, files);
  g_autoptr (BtBundle) refused = bt_bundle_new (f->release, 66, NULL, files);
  g_autofree char *handed = g_build_filename (f->dir, "handed", NULL);
  g_autofree char *command = g_strdup_printf ("cp -t '%s'", handed);
  g_autofree char *deb = g_build_filename (handed, "saphan_9.9_all.deb", NULL);
  g_autofree char *deb_text = NULL, *path = NULL;

  (void) data;
  g_assert_cmpint (g_mkdir (handed, 0700), ==, 0);
  g_setenv ("SAPHAN_PACKAGE_INSTALL_COMMAND", command, TRUE);
  apply_ok (f, good);
  g_assert_true (g_file_get_contents (deb, &deb_text, NULL, NULL));
  g_assert_cmpstr (deb_text, ==, files[1]);

  g_setenv ("SAPHAN_PACKAGE_INSTALL_COMMAND", "false", TRUE);
  path = write_bundle (f, refused, "refused.bundle");
  apply_refused (f, path, "The package manager refused the bundle's package");
  g_unsetenv ("SAPHAN_PACKAGE_INSTALL_COMMAND");
  g_assert_cmpuint (saphan_bundle_installed_version (f->data_dir), ==, 65);
}

static char *
read_asset_form (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("SAPHAN_ASSETS_DIR"), "forms", name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
test_forms_into_store (Fixture *f, gconstpointer data)
{
  /* Two of the real services with the address data they share. */
  g_autofree char *farmer = read_asset_form ("farmer_registration.xml");
  g_autofree char *complaint = read_asset_form ("complaint.xml");
  g_autofree char *provinces = read_asset_form ("media/provinces.csv");
  g_autofree char *districts = read_asset_form ("media/districts.csv");
  g_autofree char *subdistricts = read_asset_form ("media/subdistricts.csv");
  const char *v1_files[] = { "forms/farmer_registration.xml", farmer,
                             "forms/complaint.xml", complaint,
                             "forms/media/provinces.csv", provinces,
                             "forms/media/districts.csv", districts,
                             "forms/media/subdistricts.csv", subdistricts,
                             "settings.json", "{\"kiosk.office\": \"Tambon Test\"}", NULL };
  const char *v2_files[] = { "forms/complaint.xml", complaint,
                             "forms/media/provinces.csv", provinces,
                             "forms/media/districts.csv", districts,
                             "forms/media/subdistricts.csv", subdistricts, NULL };
  g_autoptr (BtBundle) v1 = bt_bundle_new (f->release, 60, NULL, v1_files);
  g_autoptr (BtBundle) v2 = bt_bundle_new (f->release, 61, NULL, v2_files);
  g_autoptr (GPtrArray) forms = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *office = NULL;

  (void) data;
  apply_ok (f, v1);
  forms = saphan_store_list_forms (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forms->len, ==, 2);
  office = saphan_store_get_setting (f->store, "kiosk.office", &error);
  g_assert_cmpstr (office, ==, "Tambon Test");
  g_clear_pointer (&forms, g_ptr_array_unref);

  /* A form the next bundle no longer carries stops being offered. */
  apply_ok (f, v2);
  forms = saphan_store_list_forms (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forms->len, ==, 1);
}

/* ---- Real minisign, both ways --------------------------------------------- */

static void
check_minisign_verifies (Fixture *f, const char *bundle_path, const char *pub)
{
  g_autofree char *out_dir = g_build_filename (f->dir, "unpacked", NULL);
  g_autofree char *manifest = g_build_filename (out_dir, "manifest.json", NULL);
  g_autofree char *sig = g_build_filename (out_dir, "manifest.json.minisig", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *tar_argv[] = { "tar", "-xzf", bundle_path, "-C", out_dir, NULL };
  const char *verify_argv[] = { "minisign", "-V", "-p", pub, "-m", manifest, "-x", sig, NULL };

  g_mkdir_with_parents (out_dir, 0700);
  /* The system's tar reads our bundles too. */
  g_assert_cmpint (bt_run (tar_argv, NULL, NULL, &err), ==, 0);
  g_assert_cmpint (bt_run (verify_argv, NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Signature and comment signature verified"));
}

/* A bundle whose manifest the real minisign signed, with PASSWORD piped in. */
static char *
bundle_signed_by_minisign (Fixture *f, const char *key_dir, const char *key_name,
                           const char *password, guint64 version)
{
  g_autoptr (BtBundle) b = bt_bundle_new (f->release, version, NULL, base_files);
  g_autofree char *manifest = g_build_filename (f->dir, "m.json", NULL);
  g_autofree char *sig_path = g_build_filename (f->dir, "m.json.minisig", NULL);
  g_autofree char *sec = g_strdup_printf ("%s/%s.key", key_dir, key_name);
  g_autofree char *err = NULL, *input = NULL;
  g_autofree char *path = g_strdup_printf ("%s/minisign-%" G_GUINT64_FORMAT ".bundle", f->dir,
                                           version);
  const char *argv_w[] = { "minisign", "-S", "-W", "-s", sec, "-m", manifest, "-x", sig_path,
                           "-t", "signed by minisign", NULL };
  const char *argv_p[] = { "minisign", "-S", "-s", sec, "-m", manifest, "-x", sig_path,
                           "-t", "signed by minisign", NULL };

  g_assert_true (g_file_set_contents (manifest, b->manifest, -1, NULL));
  input = password != NULL ? g_strdup_printf ("%s\n", password) : NULL;
  g_assert_cmpint (bt_run (password != NULL ? argv_p : argv_w, input, NULL, &err), ==, 0);
  g_free (b->signature);
  g_assert_true (g_file_get_contents (sig_path, &b->signature, NULL, NULL));
  bt_bundle_write (b, path, TRUE);
  return g_steal_pointer (&path);
}

static void
test_minisign_interop (Fixture *f, gconstpointer data)
{
  g_autofree char *src = g_build_filename (f->dir, "src", NULL);
  g_autofree char *hello = g_build_filename (src, "hello.txt", NULL);
  g_autofree char *ours = g_build_filename (f->dir, "ours.bundle", NULL);
  g_autofree char *theirs = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  /* Ours verify with minisign -V, and the system's tar reads them. */
  g_assert_cmpint (g_mkdir_with_parents (src, 0700), ==, 0);
  g_assert_true (g_file_set_contents (hello, "hi\n", -1, NULL));
  saphan_bundle_create (src, ours, f->release, 70, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *pub = g_build_filename (f->keys, "release.pub", NULL);
    check_minisign_verifies (f, ours, pub);
  }
  saphan_bundle_apply (f->data_dir, f->store, ours, NULL, &error);
  g_assert_no_error (error);

  /* Theirs (minisign -S with a -W key) verify with ours. */
  theirs = bundle_signed_by_minisign (f, f->keys, "release", NULL, 71);
  saphan_bundle_apply (f->data_dir, f->store, theirs, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saphan_bundle_installed_version (f->data_dir), ==, 71);
}

static int
saphanctl (Fixture *f, const char *stdin_text, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *) SAPHANCTL);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, f->data_dir);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  status = bt_run ((const char *const *) argv->pdata, stdin_text, out, err);
  g_test_message ("saphanctl %s → %d: %s", (char *) argv->pdata[3], status, *err);
  return status;
}

/* Runs saphanctl on a pseudo-terminal, types PASSWORD once the prompt shows
 * and returns everything the terminal displayed. */
static char *
saphanctl_on_terminal (Fixture *f, const char *password, int *out_status, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  GString *screen = g_string_new (NULL);
  gboolean typed = FALSE;
  const char *arg;
  va_list args;
  char buffer[512];
  int master = -1, status;
  pid_t pid;

  g_ptr_array_add (argv, (char *) SAPHANCTL);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, f->data_dir);
  va_start (args, out_status);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  pid = forkpty (&master, NULL, NULL, NULL);
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execv (SAPHANCTL, (char **) argv->pdata);
      _exit (127);
    }
  for (;;)
    {
      ssize_t n = read (master, buffer, sizeof buffer);
      if (n <= 0)
        break;  /* EIO once the child closed the terminal */
      g_string_append_len (screen, buffer, n);
      if (!typed && strstr (screen->str, "Password") != NULL)
        {
          g_autofree char *line = g_strdup_printf ("%s\n", password);
          struct termios now;

          /* Typed the moment the prompt shows: echo is already off. */
          g_assert_cmpint (tcgetattr (master, &now), ==, 0);
          g_assert_false (now.c_lflag & ECHO);
          g_assert_cmpint (write (master, line, strlen (line)), ==, (gssize) strlen (line));
          typed = TRUE;
        }
    }
  close (master);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  *out_status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  g_test_message ("terminal showed: %s", screen->str);
  return g_string_free (screen, FALSE);
}

/* Password-protected keys: minisign signs with the password piped in, and
 * saphanctl reads the password from stdin when it is not a terminal. Key
 * derivation takes seconds (scrypt, 1 GiB), so each such test makes one key. */
static void
test_password_pipe (Fixture *f, gconstpointer data)
{
  g_autofree char *pw_dir = g_build_filename (f->dir, "pw", NULL);
  g_autofree char *src = g_build_filename (f->dir, "src", NULL);
  g_autofree char *hello = g_build_filename (src, "hello.txt", NULL);
  g_autofree char *bundle = g_build_filename (f->dir, "pw.bundle", NULL);
  g_autofree char *sec = NULL, *theirs = NULL, *out = NULL, *err = NULL;
  g_autofree char *data_dir2 = g_build_filename (f->dir, "data2", NULL);
  g_autofree char *pub = NULL;
  g_autoptr (SaphanStore) store2 = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_cmpint (g_mkdir_with_parents (pw_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (src, 0700), ==, 0);
  g_assert_true (g_file_set_contents (hello, "hi\n", -1, NULL));
  bt_minisign_keygen (pw_dir, "pw", "correct horse");
  sec = g_build_filename (pw_dir, "pw.key", NULL);
  pub = g_build_filename (pw_dir, "pw.pub", NULL);

  g_assert_cmpint (saphanctl (f, "correct horse\n", &out, &err, "bundle", "create", src, "-o",
                              bundle, "-s", sec, "--version", "80", NULL), ==, 0);
  check_minisign_verifies (f, bundle, pub);

  /* A second kiosk trusting the password key accepts both bundles. */
  g_assert_cmpint (g_mkdir_with_parents (data_dir2, 0700), ==, 0);
  g_free (f->data_dir);
  f->data_dir = g_strdup (data_dir2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (saphanctl (f, NULL, &out, &err, "bundle", "trust", pub, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (saphanctl (f, NULL, &out, &err, "bundle", "apply", bundle, NULL), ==, 0);
  theirs = bundle_signed_by_minisign (f, pw_dir, "pw", "correct horse", 81);
  store2 = saphan_store_open (data_dir2, &error);
  g_assert_no_error (error);
  saphan_bundle_apply (data_dir2, store2, theirs, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saphan_bundle_installed_version (data_dir2), ==, 81);
}

/* The same key type used by a person at a terminal, and a mistyped password. */
static void
test_password_terminal (Fixture *f, gconstpointer data)
{
  g_autofree char *src = g_build_filename (f->dir, "src", NULL);
  g_autofree char *hello = g_build_filename (src, "hello.txt", NULL);
  g_autofree char *bundle = g_build_filename (f->dir, "pw.bundle", NULL);
  g_autofree char *sec = g_build_filename (f->dir, "pw.key", NULL);
  g_autofree char *out = NULL, *err = NULL;

  (void) data;
  g_assert_cmpint (g_mkdir_with_parents (src, 0700), ==, 0);
  g_assert_true (g_file_set_contents (hello, "hi\n", -1, NULL));
  bt_minisign_keygen (f->dir, "pw", "correct horse");

  /* A wrong password is refused with its reason. */
  g_assert_cmpint (saphanctl (f, "wrong\n", &out, &err, "bundle", "create", src, "-o", bundle,
                              "-s", sec, "--version", "80", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Wrong password"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_false (g_file_test (bundle, G_FILE_TEST_EXISTS));

  /* On a terminal the password is asked for and never shown. */
  {
    g_autofree char *screen = NULL;
    int status = -1;

    screen = saphanctl_on_terminal (f, "correct horse", &status, "bundle", "create", src, "-o",
                                    bundle, "-s", sec, "--version", "79", NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (screen, "Password for the secret key"));
    g_assert_nonnull (strstr (screen, "Wrote"));
    g_assert_null (strstr (screen, "correct horse"));
    g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_cli (Fixture *f, gconstpointer data)
{
  g_autofree char *src = g_build_filename (f->dir, "src", NULL);
  g_autofree char *hello = g_build_filename (src, "hello.txt", NULL);
  g_autofree char *b1 = g_build_filename (f->dir, "one.bundle", NULL);
  g_autofree char *b2 = g_build_filename (f->dir, "two.bundle", NULL);
  g_autofree char *sec = g_build_filename (f->keys, "release.key", NULL);
  g_autofree char *stranger = g_build_filename (f->keys, "stranger.pub", NULL);
  g_autofree char *out = NULL, *err = NULL;

  (void) data;
  g_clear_object (&f->store);
  g_assert_cmpint (g_mkdir_with_parents (src, 0700), ==, 0);
  g_assert_true (g_file_set_contents (hello, "hi\n", -1, NULL));

#define RUN(expect, ...)                                                       \
  G_STMT_START {                                                               \
    g_clear_pointer (&out, g_free);                                            \
    g_clear_pointer (&err, g_free);                                            \
    g_assert_cmpint (saphanctl (f, NULL, &out, &err, __VA_ARGS__, NULL), ==, expect); \
  } G_STMT_END

  RUN (2, "bundle", "create", src);
  RUN (0, "bundle", "create", src, "-o", b1, "-s", sec, "--version", "90");
  RUN (0, "bundle", "create", src, "-o", b2, "-s", sec);
  RUN (0, "bundle", "verify", b1);
  g_assert_nonnull (strstr (out, "90"));
  g_assert_nonnull (strstr (out, "release"));
  g_assert_nonnull (strstr (out, "files:      1"));
  RUN (0, "bundle", "status");
  g_assert_nonnull (strstr (out, "installed: none"));
  RUN (0, "bundle", "apply", b1);
  RUN (1, "bundle", "apply", b1);
  g_assert_nonnull (strstr (err, "is already installed"));
  RUN (1, "bundle", "verify", b1);
  g_assert_nonnull (strstr (err, "is already installed"));
  RUN (0, "bundle", "apply", b2);
  RUN (0, "--json", "bundle", "status");
  g_assert_nonnull (strstr (out, "\"previous\" : 90"));
  RUN (0, "bundle", "rollback");
  RUN (0, "bundle", "status");
  g_assert_nonnull (strstr (out, "installed: 90"));
  RUN (1, "bundle", "trust", stranger);
  g_assert_nonnull (strstr (err, "already trusted"));
#undef RUN
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  shared_keys = bt_make_dir ();
  bt_minisign_keygen (shared_keys, "release", NULL);
  bt_minisign_keygen (shared_keys, "root", NULL);
  bt_minisign_keygen (shared_keys, "stranger", NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/bundle/corpus", test_corpus);
  ADD ("/bundle/toctou", test_toctou);
  ADD ("/bundle/apply-async", test_apply_async);
  ADD ("/bundle/downgrade-root-only", test_downgrade_root_only);
  ADD ("/bundle/rotation", test_rotation);
  ADD ("/bundle/trust-once", test_trust_once);
  ADD ("/bundle/rollback", test_rollback);
  ADD ("/bundle/forms-into-store", test_forms_into_store);
  ADD ("/bundle/package", test_package);
  ADD ("/bundle/minisign-interop", test_minisign_interop);
  ADD ("/bundle/password-pipe", test_password_pipe);
  ADD ("/bundle/password-terminal", test_password_terminal);
  ADD ("/bundle/cli", test_cli);
  status = g_test_run ();
  bt_remove_dir (shared_keys);
  g_free (shared_keys);
  return status;
}
