/* test-receipt-payload.c: kiosk keys, Base45, COSE_Sign1 receipts, and a
 * bounded fuzz of the decoder. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <cbor.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "saphan-error.h"
#include "saphan-kiosk-key.h"
#include "saphan-receipt-layout.h"
#include "saphan-receipt-number.h"
#include "saphan-receipt-payload.h"

typedef struct
{
  char           *dir;        /* this kiosk's data dir */
  char           *other_dir;  /* another kiosk's */
  SaphanKioskKey *key;
  char           *number;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("saphan-payload-XXXXXX", &error);
  g_assert_no_error (error);
  f->other_dir = g_dir_make_tmp ("saphan-payload-other-XXXXXX", &error);
  g_assert_no_error (error);
  f->key = saphan_kiosk_key_load_or_create (f->dir, &error);
  g_assert_no_error (error);
  f->number = saphan_receipt_number_new ();
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->key);
  remove_tree (f->dir);
  remove_tree (f->other_dir);
  g_free (f->dir);
  g_free (f->other_dir);
  g_free (f->number);
}

/* A realistic receipt: the longest ids the demo forms use and a kiosk id
 * of the form central services assign. */
static SaphanReceiptPayload
sample_payload (Fixture *f)
{
  SaphanReceiptPayload p = { 0 };

  p.number = f->number;
  p.kiosk_id = (char *) "nakhonsawan-banphot-0001";
  p.form_id = (char *) "demo-elderly-allowance";
  p.form_version = (char *) "2026112401";
  p.instance_id = (char *) "uuid:6f1c2a4e-9b3d-4c7a-8e21-5d0f7a9b3c11";
  p.issued_at = 1795504188;
  for (int i = 0; i < 32; i++)
    p.submission_sha256[i] = (guint8) (i * 7 + 1);
  return p;
}

static char *
sample_text (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  SaphanReceiptPayload p = sample_payload (f);
  char *text = saphan_receipt_payload_encode (&p, f->key, &error);

  g_assert_no_error (error);
  return text;
}

/* ---- Keys --------------------------------------------------------------- */

static void
test_key_files (Fixture *f, gconstpointer data)
{
  g_autofree char *keys = g_build_filename (f->dir, "keys", NULL);
  g_autofree char *path = g_build_filename (keys, "kiosk.key", NULL);
  g_autoptr (SaphanKioskKey) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = NULL;
  struct stat st;
  const char *name;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (keys, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  /* No temporary file is left behind by the atomic write. */
  d = g_dir_open (keys, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_cmpstr (name, ==, "kiosk.key");

  /* Loading again gives the same key, and repairs a too-open mode. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  again = saphan_kiosk_key_load_or_create (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saphan_kiosk_key_get_id (again), ==, saphan_kiosk_key_get_id (f->key));
  g_assert_true (saphan_kiosk_key_has_private (again));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (strlen (saphan_kiosk_key_get_id (again)), ==, 16);

  /* A damaged key is refused, never silently replaced. */
  g_assert_true (g_file_set_contents (path, "garbage", -1, NULL));
  g_clear_object (&again);
  again = saphan_kiosk_key_load_or_create (f->dir, &error);
  g_assert_null (again);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
}

static void
test_key_export_and_trust (Fixture *f, gconstpointer data)
{
  g_autofree char *exported = saphan_kiosk_key_export_public (f->key, "Ban Phot office");
  g_autofree char *file = g_build_filename (f->other_dir, "kiosk-a.pub", NULL);
  g_autofree char *id = NULL;
  g_autofree char *tampered = NULL;
  g_autoptr (SaphanKioskKey) parsed = NULL;
  g_autoptr (SaphanKioskKey) found = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GError) error = NULL;

  parsed = saphan_kiosk_key_new_from_public_text (exported, &error);
  g_assert_no_error (error);
  g_assert_false (saphan_kiosk_key_has_private (parsed));
  g_assert_cmpmem (saphan_kiosk_key_get_public_raw (parsed), 32, saphan_kiosk_key_get_public_raw (f->key), 32);

  /* A key file whose id does not match its key was edited. */
  tampered = g_strdup (exported);
  {
    char *p = strstr (tampered, "key-id: ") + strlen ("key-id: ");
    p[0] = p[0] == '0' ? '1' : '0';
  }
  g_assert_null (saphan_kiosk_key_new_from_public_text (tampered, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_assert_null (saphan_kiosk_key_new_from_public_text ("ed25519: AAAA\n", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);

  /* The other kiosk does not know this key until it is imported. */
  found = saphan_keyring_lookup (f->other_dir, saphan_kiosk_key_get_id_bytes (f->key), 8, &error);
  g_assert_null (found);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (file, exported, -1, NULL));
  id = saphan_keyring_trust_file (f->other_dir, file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, saphan_kiosk_key_get_id (f->key));
  found = saphan_keyring_lookup (f->other_dir, saphan_kiosk_key_get_id_bytes (f->key), 8, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saphan_kiosk_key_get_id (found), ==, id);
  ids = saphan_keyring_list (f->other_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);

  /* The kiosk trusts itself without an import. */
  g_clear_object (&found);
  found = saphan_keyring_lookup (f->dir, saphan_kiosk_key_get_id_bytes (f->key), 8, &error);
  g_assert_no_error (error);
  g_assert_true (saphan_kiosk_key_has_private (found));
}

/* ---- Base45 ------------------------------------------------------------- */

static void
test_base45_cases (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "receipts", "data", "base45.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], "\t", 3);
      gsize len = 0;

      if (fields[0] == NULL || fields[0][0] == '#' || fields[0][0] == '\0')
        continue;
      if (g_str_equal (fields[0], "encode"))
        {
          g_autofree char *encoded = saphan_base45_encode ((const guint8 *) fields[1], strlen (fields[1]));
          g_autofree guint8 *decoded = NULL;

          g_assert_cmpstr (encoded, ==, fields[2]);
          decoded = saphan_base45_decode (fields[2], strlen (fields[2]), &len);
          g_assert_nonnull (decoded);
          g_assert_cmpmem (decoded, len, fields[1], strlen (fields[1]));
        }
      else
        {
          g_autofree guint8 *decoded = saphan_base45_decode (fields[1], strlen (fields[1]), &len);
          if (decoded != NULL)
            g_error ("Base45 “%s” should be refused", fields[1]);
        }
      n++;
    }
  g_assert_cmpuint (n, >=, 12);
}

/* ---- Payload ------------------------------------------------------------ */

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *text = sample_text (f);
  g_autoptr (SaphanReceiptPayload) p = NULL;
  g_autoptr (GError) error = NULL;
  SaphanReceiptPayload want = sample_payload (f);
  SaphanReceiptVerdict verdict = SAPHAN_RECEIPT_MALFORMED;

  g_assert_true (g_str_has_prefix (text, "SP1:"));
  p = saphan_receipt_payload_verify (text, f->dir, &verdict, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (verdict, ==, SAPHAN_RECEIPT_VALID);
  g_assert_cmpstr (p->number, ==, want.number);
  g_assert_cmpstr (p->kiosk_id, ==, want.kiosk_id);
  g_assert_cmpstr (p->form_id, ==, want.form_id);
  g_assert_cmpstr (p->form_version, ==, want.form_version);
  g_assert_cmpstr (p->instance_id, ==, want.instance_id);
  g_assert_cmpint (p->issued_at, ==, want.issued_at);
  g_assert_cmpmem (p->submission_sha256, 32, want.submission_sha256, 32);
  g_assert_cmpstr (p->key_id, ==, saphan_kiosk_key_get_id (f->key));

  /* A scanner's trailing newline is forgiven. */
  {
    g_autofree char *typed = g_strconcat (text, "\r\n", NULL);
    g_autoptr (SaphanReceiptPayload) q = saphan_receipt_payload_verify (typed, f->dir, &verdict, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (q);
  }
  /* A receipt number without a valid check symbol is never signed. */
  {
    SaphanReceiptPayload bad = sample_payload (f);
    g_autoptr (GError) encode_error = NULL;
    g_autofree char *none = NULL;

    bad.number = (char *) "A-000001";
    none = saphan_receipt_payload_encode (&bad, f->key, &encode_error);
    g_assert_null (none);
    g_assert_error (encode_error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  }
  /* An instance id that is not a UUID travels as text. */
  {
    SaphanReceiptPayload odd = sample_payload (f);
    g_autofree char *odd_text = NULL;
    g_autoptr (SaphanReceiptPayload) q = NULL;

    odd.instance_id = (char *) "uuid:NOT-A-UUID";
    odd_text = saphan_receipt_payload_encode (&odd, f->key, &error);
    g_assert_no_error (error);
    q = saphan_receipt_payload_verify (odd_text, f->dir, &verdict, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (q->instance_id, ==, "uuid:NOT-A-UUID");
  }
}

/* Re-encodes COSE bytes as receipt text. */
static char *
text_from_bytes (const guint8 *bytes, gsize len)
{
  g_autofree char *b45 = saphan_base45_encode (bytes, len);
  return g_strconcat ("SP1:", b45, NULL);
}

static guint8 *
bytes_from_text (const char *text, gsize *len)
{
  return saphan_base45_decode (text + 4, strlen (text) - 4, len);
}

static void
expect_verdict (Fixture *f, const char *dir, const char *text, SaphanReceiptVerdict want, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanReceiptPayload) p = NULL;
  SaphanReceiptVerdict verdict = SAPHAN_RECEIPT_VALID;

  p = saphan_receipt_payload_verify (text, dir, &verdict, NULL, &error);
  g_assert_null (p);
  g_assert_cmpstr (saphan_receipt_verdict_to_string (verdict), ==, saphan_receipt_verdict_to_string (want));
  g_assert_error (error, SAPHAN_ERROR, code);
  g_assert_cmpuint (strlen (error->message), >, 10);
}

/* A COSE_Sign1 built by hand, for shapes the encoder never makes. */
static char *
hand_built (Fixture *f, cbor_item_t *payload_map, gboolean with_kid)
{
  cbor_item_t *prot = cbor_new_definite_map (2);
  cbor_item_t *array = cbor_new_definite_array (4);
  unsigned char *pbuf = NULL, *ybuf = NULL, *cbuf = NULL;
  size_t psize = 0, ysize = 0, csize = 0, plen, ylen, clen;
  guint8 sig[64] = { 0 };
  char *text;

  cbor_map_add (prot, (struct cbor_pair) { cbor_move (cbor_build_uint8 (1)), cbor_move (cbor_build_negint8 (7)) });
  if (with_kid)
    cbor_map_add (prot, (struct cbor_pair) { cbor_move (cbor_build_uint8 (4)),
                                             cbor_move (cbor_build_bytestring (saphan_kiosk_key_get_id_bytes (f->key), 8)) });
  plen = cbor_serialize_alloc (prot, &pbuf, &psize);
  ylen = cbor_serialize_alloc (payload_map, &ybuf, &ysize);
  cbor_array_push (array, cbor_move (cbor_build_bytestring (pbuf, plen)));
  cbor_array_push (array, cbor_move (cbor_new_definite_map (0)));
  cbor_array_push (array, cbor_move (cbor_build_bytestring (ybuf, ylen)));
  cbor_array_push (array, cbor_move (cbor_build_bytestring (sig, sizeof sig)));
  clen = cbor_serialize_alloc (array, &cbuf, &csize);
  text = text_from_bytes (cbuf, clen);
  free (pbuf);
  free (ybuf);
  free (cbuf);
  cbor_decref (&prot);
  cbor_decref (&array);
  cbor_decref (&payload_map);
  return text;
}

static void
test_verdicts (Fixture *f, gconstpointer data)
{
  g_autofree char *text = sample_text (f);
  g_autofree guint8 *bytes = NULL;
  gsize len = 0;

  expect_verdict (f, f->dir, "", SAPHAN_RECEIPT_WRONG_PREFIX, SAPHAN_ERROR_INVALID);
  expect_verdict (f, f->dir, "HC1:6BFOXN", SAPHAN_RECEIPT_WRONG_PREFIX, SAPHAN_ERROR_INVALID);
  expect_verdict (f, f->dir, "sp1:BB8", SAPHAN_RECEIPT_WRONG_PREFIX, SAPHAN_ERROR_INVALID);
  expect_verdict (f, f->dir, "SP1:bb8", SAPHAN_RECEIPT_BAD_BASE45, SAPHAN_ERROR_INVALID);
  expect_verdict (f, f->dir, "SP1:GGW", SAPHAN_RECEIPT_BAD_BASE45, SAPHAN_ERROR_INVALID);
  expect_verdict (f, f->dir, "SP1:A", SAPHAN_RECEIPT_BAD_BASE45, SAPHAN_ERROR_INVALID);
  expect_verdict (f, f->dir, "SP1:", SAPHAN_RECEIPT_MALFORMED, SAPHAN_ERROR_INVALID);
  expect_verdict (f, f->dir, "SP1:BB8", SAPHAN_RECEIPT_MALFORMED, SAPHAN_ERROR_INVALID);

  /* Truncated: valid Base45 of an incomplete structure. */
  bytes = bytes_from_text (text, &len);
  {
    g_autofree char *cut = text_from_bytes (bytes, len - 10);
    expect_verdict (f, f->dir, cut, SAPHAN_RECEIPT_MALFORMED, SAPHAN_ERROR_INVALID);
  }
  /* Trailing garbage after a complete structure. */
  {
    g_autofree guint8 *longer = g_malloc (len + 1);
    g_autofree char *t = NULL;
    memcpy (longer, bytes, len);
    longer[len] = 0;
    t = text_from_bytes (longer, len + 1);
    expect_verdict (f, f->dir, t, SAPHAN_RECEIPT_MALFORMED, SAPHAN_ERROR_INVALID);
  }
  /* Too long to be a receipt at all. */
  {
    g_autofree char *huge = g_strnfill (3000, '0');
    g_autofree char *t = g_strconcat ("SP1:", huge, NULL);
    expect_verdict (f, f->dir, t, SAPHAN_RECEIPT_MALFORMED, SAPHAN_ERROR_INVALID);
  }
  /* A payload without the hash, and one without a kid. */
  {
    cbor_item_t *map = cbor_new_definite_map (1);
    cbor_map_add (map, (struct cbor_pair) { cbor_move (cbor_build_uint8 (0)), cbor_move (cbor_build_uint8 (1)) });
    g_autofree char *t = hand_built (f, map, TRUE);
    expect_verdict (f, f->dir, t, SAPHAN_RECEIPT_MALFORMED, SAPHAN_ERROR_INVALID);
  }
  {
    cbor_item_t *map = cbor_new_definite_map (0);
    g_autofree char *t = hand_built (f, map, FALSE);
    expect_verdict (f, f->dir, t, SAPHAN_RECEIPT_MALFORMED, SAPHAN_ERROR_INVALID);
  }

  /* A signature byte flipped. */
  {
    g_autofree guint8 *copy = g_memdup2 (bytes, len);
    g_autofree char *t = NULL;
    copy[len - 1] ^= 0x01;
    t = text_from_bytes (copy, len);
    expect_verdict (f, f->dir, t, SAPHAN_RECEIPT_BAD_SIGNATURE, SAPHAN_ERROR_SIGNATURE);
  }
  /* The payload altered so that it still parses: another form version. */
  {
    g_autofree guint8 *copy = g_memdup2 (bytes, len);
    g_autofree char *t = NULL;
    guint8 *hit = memmem (copy, len, "2026112401", 10);
    g_autoptr (GError) error = NULL;
    g_autoptr (SaphanReceiptPayload) unverified = NULL;
    SaphanReceiptVerdict verdict;

    g_assert_nonnull (hit);
    hit[9] = '2';
    t = text_from_bytes (copy, len);
    expect_verdict (f, f->dir, t, SAPHAN_RECEIPT_BAD_SIGNATURE, SAPHAN_ERROR_SIGNATURE);
    /* What the forged receipt claims is still shown to staff. */
    g_assert_null (saphan_receipt_payload_verify (t, f->dir, &verdict, &unverified, &error));
    g_assert_nonnull (unverified);
    g_assert_cmpstr (unverified->form_version, ==, "2026112402");
  }
  /* Another kiosk that has not imported this key. */
  expect_verdict (f, f->other_dir, text, SAPHAN_RECEIPT_UNKNOWN_KIOSK, SAPHAN_ERROR_NOT_FOUND);
}

/* The payload must fit QR version 13 at level M, in alphanumeric mode. */
static void
test_qr_capacity (Fixture *f, gconstpointer data)
{
  g_autofree char *text = sample_text (f);
  g_autoptr (GError) error = NULL;
  QRcode *code;
  QRcode *automatic;
  QRinput *byte_mode;
  QRcode *as_bytes = NULL;

  for (const char *p = text; *p != '\0'; p++)
    g_assert_nonnull (strchr ("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", *p));
  code = saphan_receipt_encode_qr (text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (code->version, <=, 13);
  g_test_message ("receipt text: %zu characters; QR version %d at level M (%d modules)",
                  strlen (text), code->version, code->width);

  /* qrencode's own mode choice agrees, and byte mode would be larger: the
   * alphanumeric encoding is really what makes the code small. */
  automatic = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_assert_nonnull (automatic);
  g_assert_cmpint (automatic->version, ==, code->version);
  byte_mode = QRinput_new2 (0, QR_ECLEVEL_M);
  g_assert_cmpint (QRinput_append (byte_mode, QR_MODE_8, (int) strlen (text), (const unsigned char *) text), ==, 0);
  as_bytes = QRcode_encodeInput (byte_mode);
  g_assert_nonnull (as_bytes);
  g_assert_cmpint (as_bytes->version, >, code->version);
  g_test_message ("the same text in byte mode would need version %d", as_bytes->version);
  QRinput_free (byte_mode);
  QRcode_free (as_bytes);
  QRcode_free (automatic);
  QRcode_free (code);
}

/* ---- Fuzz --------------------------------------------------------------- */

static char *
mutate (GRand *rand, const char *text)
{
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  g_autofree guint8 *bytes = NULL;
  gsize len = 0;
  GString *s;
  int kind = g_rand_int_range (rand, 0, 4);

  /* Half of the mutations act on the decoded bytes so that they reach the
   * CBOR and COSE parsers instead of stopping at Base45. */
  if (kind < 2 && (bytes = bytes_from_text (text, &len)) != NULL && len > 0)
    {
      int n = g_rand_int_range (rand, 1, 5);
      for (int i = 0; i < n; i++)
        {
          gsize at = g_rand_int_range (rand, 0, (gint32) len);
          if (kind == 0)
            bytes[at] ^= 1u << g_rand_int_range (rand, 0, 8);
          else
            bytes[at] = (guint8) g_rand_int_range (rand, 0, 256);
        }
      if (g_rand_int_range (rand, 0, 8) == 0)
        len = g_rand_int_range (rand, 0, (gint32) len + 1);
      return text_from_bytes (bytes, len);
    }
  s = g_string_new (text);
  for (int i = g_rand_int_range (rand, 1, 4); i > 0 && s->len > 0; i--)
    {
      gsize at = g_rand_int_range (rand, 0, (gint32) s->len);
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          s->str[at] = alphabet[g_rand_int_range (rand, 0, 45)];
          break;
        case 1:
          g_string_erase (s, at, 1);
          break;
        default:
          g_string_insert_c (s, at, (char) g_rand_int_range (rand, 1, 256));
          break;
        }
    }
  return g_string_free (s, FALSE);
}

static void
test_fuzz (Fixture *f, gconstpointer data)
{
  g_autofree char *text = sample_text (f);
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint iterations = g_getenv ("SAPHAN_SOAK") != NULL ? 500000 : 20000;
  guint counts[SAPHAN_RECEIPT_BAD_SIGNATURE + 1] = { 0 };
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < iterations; i++)
    {
      g_autofree char *m = mutate (rand, text);
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanReceiptPayload) p = NULL;
      SaphanReceiptVerdict verdict = SAPHAN_RECEIPT_VALID;

      p = saphan_receipt_payload_verify (m, f->dir, &verdict, NULL, &error);
      if (p != NULL)
        {
          /* Only a mutation that changed nothing the signature covers may
           * pass, and then every field is the original. */
          g_assert_no_error (error);
          g_assert_cmpint (verdict, ==, SAPHAN_RECEIPT_VALID);
          g_assert_cmpstr (p->number, ==, f->number);
          g_assert_cmpstr (p->form_version, ==, "2026112401");
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == SAPHAN_ERROR);
          g_assert_cmpint (verdict, !=, SAPHAN_RECEIPT_VALID);
        }
      counts[verdict]++;
    }
  g_test_message ("%u mutations in %.1f s: valid %u, wrong-prefix %u, bad-base45 %u, malformed %u, "
                  "unknown-kiosk %u, bad-signature %u",
                  iterations, (g_get_monotonic_time () - start) / 1e6, counts[0], counts[1], counts[2],
                  counts[3], counts[4], counts[5]);
  /* The mutations must have reached the deep checks too. */
  g_assert_cmpuint (counts[SAPHAN_RECEIPT_MALFORMED], >, 0);
  g_assert_cmpuint (counts[SAPHAN_RECEIPT_BAD_SIGNATURE], >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/receipts/key/files", Fixture, NULL, fixture_set_up, test_key_files, fixture_tear_down);
  g_test_add ("/receipts/key/export-and-trust", Fixture, NULL, fixture_set_up, test_key_export_and_trust,
              fixture_tear_down);
  g_test_add_func ("/receipts/base45/cases-file", test_base45_cases);
  g_test_add ("/receipts/payload/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/receipts/payload/verdicts", Fixture, NULL, fixture_set_up, test_verdicts, fixture_tear_down);
  g_test_add ("/receipts/payload/qr-capacity", Fixture, NULL, fixture_set_up, test_qr_capacity,
              fixture_tear_down);
  g_test_add ("/receipts/payload/fuzz", Fixture, NULL, fixture_set_up, test_fuzz, fixture_tear_down);
  return g_test_run ();
}
