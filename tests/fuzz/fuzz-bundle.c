/* fuzz-bundle.c: update bundles, their manifests and their tar streams.
 *
 * A bundle arrives on a USB stick that anyone may have prepared, so every
 * layer is fed hostile bytes. The first byte of an input picks the layer:
 *
 *   0  the rest is a whole bundle file, staged as the kiosk stages it;
 *   1  the rest is a manifest, signed here with the trusted test key and
 *      packed with its signature and one small file, so that the manifest
 *      parser and the unpacker are reached past the signature check;
 *   2  the rest is a tar stream walked with the tar reader directly.
 *
 * The data folder trusts keys/fuzz.pub, a key made only for these tests.
 * With FUZZ_MAKE_SEEDS=DIR set, the target writes one seed of each kind into
 * DIR instead (a real bundle, its manifest, its tar stream), which is how
 * corpus/bundle/ was made.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "saphan-bundle.h"
#include "saphan-minisign.h"
#include "saphan-tar.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

const char *const fuzz_dictionary[] = {
  "\"format\": 1", "\"version\": ", "\"compatible\": \"saphan-kiosk/1\"",
  "\"issued_at\": \"2024-01-01T00:00:00Z\"", "\"files\": [", "\"path\": \"",
  "\"size\": ", "\"sha256\": \"", "../", "/etc/passwd", "forms/a.xml", "ustar",
  "18446744073709551615", "-1", "null", "{}", "[]", "\\u0000", NULL,
};

static char *data_dir;
static char *work_dir;
static SaphanMinisignSecretKey *secret_key;

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
  if (!saphan_bundle_trust (data_dir, public_text, FALSE, &error))
    g_error ("cannot trust the fuzz key: %s", error->message);
  secret_key = saphan_minisign_secret_key_load (secret_text, NULL, &error);
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

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (data_dir == NULL)
    LLVMFuzzerInitialize (NULL, NULL);
  if (size == 0)
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      fuzz_bundle_file (data + 1, size - 1);
      break;
    case 1:
      fuzz_signed_manifest (data + 1, size - 1);
      break;
    default:
      fuzz_tar (data + 1, size - 1);
      break;
    }
  return 0;
}
