/* fuzz-bundle.c: update bundles, their manifests and their tar streams.
 *
 * A bundle arrives on a USB stick that anyone may have prepared, so every
 * layer is fed hostile bytes. The first byte of an input picks the layer:
 *
 *   0  the rest is a whole bundle file, staged as the kiosk stages it;
 *   1  the rest is a manifest, signed here with the trusted test key and
 *      packed with its signature and one small file, so that the manifest
 *      parser and the unpacker are reached past the signature check;
 *   2  the rest is a tar stream walked with the tar reader directly;
 *   3  the rest is the manifest of a USB export of submissions, signed here
 *      with a kiosk key the import is told to trust and written beside one
 *      small payload file, so that an import reads it past the signature;
 *   4  the rest is a bundle's settings.json, read as staging reads it.
 *
 * The data folder trusts keys/fuzz.pub, a key made only for these tests.
 * With FUZZ_MAKE_SEEDS=DIR set, the target writes one seed of each kind into
 * DIR instead (a real bundle, its manifest, its tar stream, an export
 * manifest), which is how corpus/bundle/ was made.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "saphan-bundle.h"
#include "saphan-bundle-private.h"
#include "saphan-kiosk-key.h"
#include "saphan-minisign.h"
#include "saphan-store.h"
#include "saphan-tar.h"
#include "saphan-usb-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

const char *const fuzz_dictionary[] = {
  "\"format\": 1", "\"version\": ", "\"compatible\": \"saphan-kiosk/1\"",
  "\"issued_at\": \"2024-01-01T00:00:00Z\"", "\"files\": [", "\"path\": \"",
  "\"size\": ", "\"sha256\": \"", "../", "/etc/passwd", "forms/a.xml", "ustar",
  "18446744073709551615", "-1", "null", "{}", "[]", "\\u0000", "\"submissions\": [",
  "\"instance_id\": \"uuid:", "\"form_id\": \"", "\"role\": \"payload\"", "\"role\": \"attachment\"",
  "\"name\": \"submission.xml\"", "\"encryption\": \"", "\"created_at\": ",
  "\"kiosk.name\": ", "\"bundle.version\": ", "\"sync.server.url\": ", NULL,
};

static char *data_dir;
static char *work_dir;
static SaphanMinisignSecretKey *secret_key;
static SaphanKioskKey *kiosk_key;
static char *kiosk_public_text;
static SaphanStore *store;

/* The payload file every fuzzed export manifest may name. */
static const char export_payload[] = "<data id=\"a\"><name>ข้อมูล</name></data>\n";

static char *
read_key_file (const char *name)
{
  const char *srcdir = g_getenv ("FUZZ_SRCDIR");
  g_autofree char *path = g_build_filename (srcdir != NULL ? srcdir : FUZZ_SRCDIR,
                                            "keys", name, NULL);
  char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("cannot read the fuzz key: %s", error->message);
  return text;
}

/* libFuzzer ends a run with exit(): the two folders go with it, instead of
 * piling up in /tmp run after run. */
static void
remove_folders (void)
{
  g_clear_object (&store);
  _saphan_bundle_rm_rf (data_dir);
  _saphan_bundle_rm_rf (work_dir);
}

static void
write_seed (const char *dir, const char *name, char kind, const guint8 *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint8 *buf = g_malloc (len + 1);

  buf[0] = (guint8) kind;
  memcpy (buf + 1, data, len);
  g_assert (g_file_set_contents (path, (const char *) buf, (gssize) len + 1, NULL));
}

/* Builds a real bundle of two small files and writes it three ways. */
static void
make_seeds (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = g_build_filename (work_dir, "src", NULL);
  g_autofree char *forms = g_build_filename (src, "forms", NULL);
  g_autofree char *form = g_build_filename (forms, "a.xml", NULL);
  g_autofree char *note = g_build_filename (src, "notes.txt", NULL);
  g_autofree char *out = g_build_filename (work_dir, "seed.bundle", NULL);
  g_autofree char *bundle = NULL;
  gsize bundle_len;
  g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) raw = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(SaphanTarReader) reader = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GByteArray) tar = g_byte_array_new ();
  SaphanTarEntry entry;
  gboolean end = FALSE;
  guint8 chunk[4096];
  gssize n;

  g_mkdir_with_parents (dir, 0755);
  g_mkdir_with_parents (forms, 0755);
  g_assert (g_file_set_contents (form, "<h:html/>\n", -1, NULL));
  g_assert (g_file_set_contents (note, "ข้อมูล\n", -1, NULL));
  if (!saphan_bundle_create (src, out, secret_key, 7, NULL, &error))
    g_error ("cannot make a seed bundle: %s", error->message);
  g_assert (g_file_get_contents (out, &bundle, &bundle_len, NULL));
  write_seed (dir, "bundle", 0, (const guint8 *) bundle, bundle_len);

  /* The uncompressed tar stream, and the manifest that is its first entry. */
  raw = g_memory_input_stream_new_from_data (bundle, (gssize) bundle_len, NULL);
  in = g_converter_input_stream_new (raw, G_CONVERTER (gunzip));
  while ((n = g_input_stream_read (in, chunk, sizeof chunk, NULL, &error)) > 0)
    g_byte_array_append (tar, chunk, (guint) n);
  g_assert_no_error (error);
  write_seed (dir, "tar", 2, tar->data, tar->len);

  g_clear_object (&raw);
  raw = g_memory_input_stream_new_from_data (tar->data, tar->len, NULL);
  reader = saphan_tar_reader_new (raw, 1 << 20);
  g_assert (saphan_tar_reader_next (reader, &entry, &end, &error));
  manifest = saphan_tar_reader_read_data (reader, 1 << 20, &error);
  g_assert_no_error (error);
  write_seed (dir, "manifest", 1, g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest));

  {
    g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, export_payload, -1);
    g_autofree char *export_manifest = g_strdup_printf (
      "{\"format\": 1, \"kind\": \"saphan-submissions\", \"kiosk_key_id\": \"%s\", "
      "\"created_at\": \"2024-01-01T00:00:00Z\", \"encryption\": null, \"submissions\": "
      "[{\"instance_id\": \"uuid:5f0c2a4e-1d5b-4b8e-9a43-0c7d2f1e6b10\", \"form_id\": \"a\", "
      "\"form_version\": \"1\", \"created_at\": 1700000000, \"files\": [{\"role\": "
      "\"payload\", \"name\": \"submission.xml\", \"path\": \"a/submission.xml\", "
      "\"size\": %zu, \"sha256\": \"%s\"}]}]}\n",
      saphan_kiosk_key_get_id (kiosk_key), strlen (export_payload), sha);
    write_seed (dir, "export-manifest", 3, (const guint8 *) export_manifest,
                strlen (export_manifest));
  }
  {
    static const char settings[] = "{\"kiosk.name\": \"ตำบลบ้านใหม่\", "
                                   "\"sync.server.url\": \"https://odk.example/v1/projects/1\", "
                                   "\"retention.days\": \"90\"}\n";

    write_seed (dir, "settings", 4, (const guint8 *) settings, strlen (settings));
  }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *public_text = read_key_file ("fuzz.pub");
  g_autofree char *secret_text = read_key_file ("fuzz.key");
  g_autoptr(GError) error = NULL;

  data_dir = g_dir_make_tmp ("saphan-fuzz-bundle-XXXXXX", &error);
  g_assert_no_error (error);
  work_dir = g_dir_make_tmp ("saphan-fuzz-input-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (remove_folders);
  if (!saphan_bundle_trust (data_dir, public_text, FALSE, &error))
    g_error ("cannot trust the fuzz key: %s", error->message);
  secret_key = saphan_minisign_secret_key_load (secret_text, NULL, &error);
  g_assert_no_error (error);
  /* The test kiosk key of keys/kiosk.key signs the export manifests, so
   * that the seeds stay valid, and a real store in the data folder receives
   * what an import accepts. */
  {
    g_autofree char *pem = read_key_file ("kiosk.key");
    g_autofree char *keys = g_build_filename (work_dir, "keys", NULL);
    g_autofree char *target = g_build_filename (keys, "kiosk.key", NULL);

    g_assert (g_mkdir_with_parents (keys, 0700) == 0);
    g_assert (g_file_set_contents (target, pem, -1, NULL));
    kiosk_key = saphan_kiosk_key_load_or_create (work_dir, &error);
    g_assert_no_error (error);
  }
  kiosk_public_text = saphan_kiosk_key_export_public (kiosk_key, "fuzz");
  store = saphan_store_open (data_dir, &error);
  g_assert_no_error (error);
  if (g_getenv ("FUZZ_MAKE_SEEDS") != NULL)
    {
      make_seeds (g_getenv ("FUZZ_MAKE_SEEDS"));
      exit (0);
    }
  return 0;
}

static void
stage_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  SaphanStagedBundle *staged = saphan_bundle_stage (data_dir, path, &error);

  if (staged == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  g_assert (saphan_staged_bundle_get_info (staged) != NULL);
  saphan_staged_bundle_free (staged);
}

static void
fuzz_bundle_file (const guint8 *data, gsize size)
{
  g_autofree char *path = g_build_filename (work_dir, "input.bundle", NULL);

  g_assert (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  stage_file (path);
  g_unlink (path);
}

static void
fuzz_signed_manifest (const guint8 *data, gsize size)
{
  static const char payload[] = "<h:html/>\n";
  g_autofree char *path = g_build_filename (work_dir, "signed.bundle", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *signature = saphan_minisign_sign (secret_key, data, size, "fuzz", &error);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) file_out = NULL;
  g_autoptr(GConverter) gzip = NULL;
  g_autoptr(GOutputStream) out = NULL;

  g_assert_no_error (error);
  file_out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  gzip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1));
  out = g_converter_output_stream_new (G_OUTPUT_STREAM (file_out), gzip);
  g_assert (saphan_tar_write_file (out, "manifest.json", data, size, &error));
  g_assert (saphan_tar_write_file (out, "manifest.json.minisig", (const guint8 *) signature,
                                   strlen (signature), &error));
  g_assert (saphan_tar_write_file (out, "forms/a.xml", (const guint8 *) payload,
                                   sizeof payload - 1, &error));
  g_assert (saphan_tar_write_end (out, &error));
  g_assert (g_output_stream_close (out, NULL, &error));
  stage_file (path);
  g_unlink (path);
}

static void
fuzz_tar (const guint8 *data, gsize size)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, (gssize) size, NULL);
  g_autoptr(SaphanTarReader) reader = saphan_tar_reader_new (in, 1 << 20);
  g_autoptr(GError) error = NULL;
  SaphanTarEntry entry;
  gboolean end = FALSE;
  guint n = 0;

  while (n++ < 64 && saphan_tar_reader_next (reader, &entry, &end, &error) && !end)
    {
      g_autoptr(GBytes) bytes = NULL;

      g_assert (strlen (entry.name) < sizeof entry.name);
      /* Every entry's data is read, since the reader wants it consumed. */
      bytes = saphan_tar_reader_read_data (reader, 64 * 1024, &error);
      if (bytes == NULL)
        break;
    }
}

static void
fuzz_export_manifest (const guint8 *data, gsize size)
{
  g_autofree char *folder = g_build_filename (work_dir, "saphan-export-fuzz", NULL);
  g_autofree char *sub_dir = g_build_filename (folder, "a", NULL);
  g_autofree char *payload = g_build_filename (sub_dir, "submission.xml", NULL);
  g_autofree char *manifest = g_build_filename (folder, USB_MANIFEST_NAME, NULL);
  g_autofree char *sig_path = g_build_filename (folder, USB_SIGNATURE_NAME, NULL);
  g_autofree char *sig_text = NULL;
  g_autoptr(GError) error = NULL;
  SaphanUsbImportResult result = { 0 };

  g_assert (g_mkdir_with_parents (sub_dir, 0700) == 0);
  g_assert (g_file_set_contents (payload, export_payload, -1, NULL));
  g_assert (g_file_set_contents (manifest, (const char *) data, (gssize) size, NULL));
  sig_text = _saphan_usb_signature_text (kiosk_key, data, size, &error);
  g_assert (sig_text != NULL);
  g_assert (g_file_set_contents (sig_path, sig_text, -1, NULL));
  if (!saphan_usb_import (store, folder, kiosk_public_text, NULL, &result, &error))
    g_assert (error != NULL);
  else
    g_assert (result.n_exports == 1);
  g_unlink (payload);
  g_unlink (manifest);
  g_unlink (sig_path);
}

static void
fuzz_settings (const guint8 *data, gsize size)
{
  g_autofree char *path = g_build_filename (work_dir, "settings.json", NULL);
  g_autoptr(GHashTable) settings = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  if (_saphan_bundle_read_settings (work_dir, &settings, &error))
    {
      GHashTableIter iter;
      gpointer name, value;

      /* What is accepted is what the store may be given: dotted names
       * outside bundle., string values. */
      g_hash_table_iter_init (&iter, settings);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_assert (strchr (name, '.') != NULL && !g_str_has_prefix (name, "bundle.") &&
                  value != NULL);
    }
  else
    g_assert (error != NULL);
  g_unlink (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (data_dir == NULL)
    LLVMFuzzerInitialize (NULL, NULL);
  if (size == 0)
    return 0;
  switch (data[0] % 5)
    {
    case 0:
      fuzz_bundle_file (data + 1, size - 1);
      break;
    case 1:
      fuzz_signed_manifest (data + 1, size - 1);
      break;
    case 2:
      fuzz_tar (data + 1, size - 1);
      break;
    case 3:
      fuzz_export_manifest (data + 1, size - 1);
      break;
    default:
      fuzz_settings (data + 1, size - 1);
      break;
    }
  return 0;
}
