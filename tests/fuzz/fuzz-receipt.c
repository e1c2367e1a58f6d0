/* fuzz-receipt.c: the text inside a receipt's QR code.
 *
 * A citizen brings a printed receipt back, and staff scan it: the scanner
 * reads whatever was printed, so the decoder sees hostile text. The input
 * is decoded and verified against the kiosk key in keys/kiosk.key (made only
 * for these tests); Base45 is also fed the input directly. With
 * FUZZ_MAKE_SEEDS=DIR set, the target instead writes valid receipts signed
 * with that key into DIR, which is how corpus/receipt/ was made.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "saphan-kiosk-key.h"
#include "saphan-receipt-number.h"
#include "saphan-receipt-payload.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

const char *const fuzz_dictionary[] = {
  "SP1:", "00", "ZZ", "::", "%", "*", "+", "-", ".", "/", " ", NULL,
};

static SaphanKioskKey *kiosk_key;

static SaphanKioskKey *
lookup_key (const guint8 *key_id, gsize key_id_len, gpointer user_data, GError **error)
{
  const guint8 *ours = saphan_kiosk_key_get_id_bytes (kiosk_key);

  /* Key ids are compared over the length the payload carries, up to 8. */
  if (key_id_len > 0 && key_id_len <= 8 && memcmp (key_id, ours, key_id_len) == 0)
    return g_object_ref (kiosk_key);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "unknown kiosk");
  return NULL;
}

static void
make_seeds (const char *dir)
{
  g_mkdir_with_parents (dir, 0755);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *number = saphan_receipt_number_new ();
      SaphanReceiptPayload payload = {
        .number = number,
        .kiosk_id = (char *) (i == 0 ? "kiosk-1" : "อบต-บ้านนา"),
        .form_id = (char *) "elderly_allowance",
        .form_version = (char *) "2024010101",
        .instance_id = (char *) "uuid:6f1c2d3e-0000-4000-8000-00000000000a",
        .issued_at = 1700000000 + i,
      };
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *name = g_strdup_printf ("%s/valid-%u.txt", dir, i);

      memset (payload.submission_sha256, (int) (0x11 * (i + 1)), sizeof payload.submission_sha256);
      text = saphan_receipt_payload_encode (&payload, kiosk_key, &error);
      g_assert_no_error (error);
      g_assert (g_file_set_contents (name, text, -1, NULL));
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *srcdir = g_getenv ("FUZZ_SRCDIR");
  g_autofree char *source = g_build_filename (srcdir != NULL ? srcdir : FUZZ_SRCDIR,
                                              "keys", "kiosk.key", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_dir_make_tmp ("saphan-fuzz-receipt-XXXXXX", &error);
  g_autofree char *keys = g_build_filename (data_dir, "keys", NULL);
  g_autofree char *target = g_build_filename (keys, "kiosk.key", NULL);
  g_autofree char *pem = NULL;
  gsize len;

  g_assert_no_error (error);
  g_assert (g_file_get_contents (source, &pem, &len, NULL));
  g_assert (g_mkdir_with_parents (keys, 0700) == 0);
  g_assert (g_file_set_contents (target, pem, (gssize) len, NULL));
  kiosk_key = saphan_kiosk_key_load_or_create (data_dir, &error);
  g_assert_no_error (error);
  g_unlink (target);
  g_rmdir (keys);
  g_rmdir (data_dir);

  if (g_getenv ("FUZZ_MAKE_SEEDS") != NULL)
    {
      make_seeds (g_getenv ("FUZZ_MAKE_SEEDS"));
      exit (0);
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(SaphanReceiptPayload) payload = NULL;
  g_autoptr(SaphanReceiptPayload) unverified = NULL;
  g_autoptr(GError) error = NULL;
  SaphanReceiptVerdict verdict = SAPHAN_RECEIPT_VALID;
  gsize decoded_len = 0;
  g_autofree guint8 *decoded = NULL;

  if (kiosk_key == NULL)
    LLVMFuzzerInitialize (NULL, NULL);

  payload = saphan_receipt_payload_decode (text, lookup_key, NULL, &verdict, &unverified, &error);
  if (payload != NULL)
    {
      g_assert (verdict == SAPHAN_RECEIPT_VALID);
      g_assert (payload->number != NULL && payload->instance_id != NULL);
    }
  else
    {
      g_assert (error != NULL);
      g_assert (verdict != SAPHAN_RECEIPT_VALID);
      g_assert (saphan_receipt_verdict_to_string (verdict) != NULL);
    }

  /* Base45 must refuse or decode, and what it decodes must encode back. */
  decoded = saphan_base45_decode (text, strlen (text), &decoded_len);
  if (decoded != NULL)
    {
      g_autofree char *again = saphan_base45_encode (decoded, decoded_len);
      g_autofree guint8 *twice = NULL;
      gsize twice_len = 0;

      twice = saphan_base45_decode (again, strlen (again), &twice_len);
      g_assert (twice != NULL && twice_len == decoded_len);
      g_assert (decoded_len == 0 || memcmp (twice, decoded, decoded_len) == 0);
    }
  return 0;
}
