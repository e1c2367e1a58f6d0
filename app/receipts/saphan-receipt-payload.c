/* saphan-receipt-payload.c: CBOR, COSE_Sign1 and Base45 for receipt QR codes.
 *
 * The decoder faces text typed by a barcode scanner or decoded from a photo,
 * so it trusts nothing: the text length is capped before anything is
 * allocated, Base45 groups are range-checked, CBOR must be definite-length
 * and exactly consume its input, every field has a type and a length bound,
 * and duplicate or unknown keys are refused.
 */
#include "config.h"

#include "saphan-receipt-payload.h"
#include "saphan-receipt-number.h"
#include "saphan-error.h"

#include <cbor.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* COSE constants (RFC 9052/9053). */
#define COSE_TAG_SIGN1   18
#define COSE_HEADER_ALG  1
#define COSE_HEADER_KID  4
#define COSE_ALG_EDDSA   (-8)

/* Payload map keys; small integers keep the QR code small. */
enum
{
  KEY_VERSION = 0,
  KEY_NUMBER = 1,
  KEY_KIOSK = 2,
  KEY_FORM_ID = 3,
  KEY_FORM_VERSION = 4,
  KEY_INSTANCE = 5,
  KEY_ISSUED_AT = 6,
  KEY_SHA256 = 7,
  N_KEYS
};

#define PAYLOAD_VERSION 1
#define MAX_FIELD_LEN 128

static const char base45_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* ---- Base45 ------------------------------------------------------------- */

char *
saphan_base45_encode (const guint8 *data, gsize len)
{
  GString *out = g_string_sized_new (len / 2 * 3 + 3);
  gsize i;

  for (i = 0; i + 1 < len; i += 2)
    {
      guint n = data[i] * 256u + data[i + 1];
      g_string_append_c (out, base45_alphabet[n % 45]);
      g_string_append_c (out, base45_alphabet[(n / 45) % 45]);
      g_string_append_c (out, base45_alphabet[n / 2025]);
    }
  if (i < len)
    {
      guint n = data[i];
      g_string_append_c (out, base45_alphabet[n % 45]);
      g_string_append_c (out, base45_alphabet[n / 45]);
    }
  return g_string_free (out, FALSE);
}

static int
base45_value (char c)
{
  const char *p;

  if (c == '\0' || (p = strchr (base45_alphabet, c)) == NULL)
    return -1;
  return (int) (p - base45_alphabet);
}

guint8 *
saphan_base45_decode (const char *text, gsize text_len, gsize *out_len)
{
  g_autofree guint8 *out = NULL;
  gsize n = 0;

  g_return_val_if_fail (text != NULL && out_len != NULL, NULL);

  /* A lone trailing character cannot encode anything. */
  if (text_len % 3 == 1)
    return NULL;
  out = g_malloc (text_len / 3 * 2 + 2);
  for (gsize i = 0; i < text_len; i += 3)
    {
      int c = base45_value (text[i]);
      int d = base45_value (text[i + 1]);
      guint value;

      if (c < 0 || d < 0)
        return NULL;
      if (i + 2 < text_len)
        {
          int e = base45_value (text[i + 2]);
          if (e < 0)
            return NULL;
          value = (guint) c + (guint) d * 45 + (guint) e * 2025;
          if (value > 0xffff)
            return NULL;
          out[n++] = value >> 8;
          out[n++] = value & 0xff;
        }
      else
        {
          value = (guint) c + (guint) d * 45;
          if (value > 0xff)
            return NULL;
          out[n++] = value;
        }
    }
  *out_len = n;
  return g_steal_pointer (&out);
}

/* ---- Payload ------------------------------------------------------------ */

void
saphan_receipt_payload_free (SaphanReceiptPayload *payload)
{
  if (payload == NULL)
    return;
  g_free (payload->number);
  g_free (payload->kiosk_id);
  g_free (payload->form_id);
  g_free (payload->form_version);
  g_free (payload->instance_id);
  g_free (payload->key_id);
  g_free (payload);
}

const char *
saphan_receipt_verdict_to_string (SaphanReceiptVerdict verdict)
{
  switch (verdict)
    {
    case SAPHAN_RECEIPT_VALID: return "valid";
    case SAPHAN_RECEIPT_WRONG_PREFIX: return "wrong-prefix";
    case SAPHAN_RECEIPT_BAD_BASE45: return "bad-base45";
    case SAPHAN_RECEIPT_MALFORMED: return "malformed";
    case SAPHAN_RECEIPT_UNKNOWN_KIOSK: return "unknown-kiosk";
    case SAPHAN_RECEIPT_BAD_SIGNATURE: return "bad-signature";
    default: return "unknown";
    }
}

/* "uuid:" followed by a canonical UUID travels as 16 bytes instead of 41
 * characters; anything else travels as text. */
static gboolean
uuid_to_bytes (const char *instance_id, guint8 out[16])
{
  const char *p;
  int n = 0;

  if (!g_str_has_prefix (instance_id, "uuid:") || strlen (instance_id) != 41)
    return FALSE;
  p = instance_id + 5;
  for (int i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (p[i] != '-')
            return FALSE;
          continue;
        }
      /* Upper-case hex would not survive the round trip unchanged. */
      if (!g_ascii_isxdigit (p[i]) || g_ascii_isupper (p[i]))
        return FALSE;
    }
  for (int i = 0; i < 36; i++)
    {
      if (p[i] == '-')
        continue;
      if (n % 2 == 0)
        out[n / 2] = g_ascii_xdigit_value (p[i]) << 4;
      else
        out[n / 2] |= g_ascii_xdigit_value (p[i]);
      n++;
    }
  return TRUE;
}

static char *
uuid_from_bytes (const guint8 *b)
{
  return g_strdup_printf ("uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
                          b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void
map_put (cbor_item_t *map, int key, cbor_item_t *value)
{
  struct cbor_pair pair = {
    .key = cbor_move (cbor_build_uint8 ((guint8) key)),
    .value = cbor_move (value),
  };
  if (!cbor_map_add (map, pair))
    g_error ("Out of memory building a receipt");
}

static cbor_item_t *
build_string (const char *text)
{
  return cbor_build_stringn (text, strlen (text));
}

/* Serializes ITEM and drops the caller's reference. */
static GBytes *
serialize_take (cbor_item_t *item)
{
  unsigned char *buffer = NULL;
  size_t buffer_size = 0;
  size_t len = cbor_serialize_alloc (item, &buffer, &buffer_size);
  GBytes *bytes;

  cbor_decref (&item);
  if (len == 0)
    g_error ("Out of memory serializing a receipt");
  bytes = g_bytes_new (buffer, len);
  free (buffer);
  return bytes;
}

static GBytes *
sig_structure (GBytes *protected_bytes, GBytes *payload_bytes)
{
  cbor_item_t *array = cbor_new_definite_array (4);
  gsize plen, ylen;
  const guint8 *p = g_bytes_get_data (protected_bytes, &plen);
  const guint8 *y = g_bytes_get_data (payload_bytes, &ylen);

  (void) cbor_array_push (array, cbor_move (build_string ("Signature1")));
  (void) cbor_array_push (array, cbor_move (cbor_build_bytestring (p, plen)));
  (void) cbor_array_push (array, cbor_move (cbor_build_bytestring (NULL, 0)));
  (void) cbor_array_push (array, cbor_move (cbor_build_bytestring (y, ylen)));
  return serialize_take (array);
}

static gboolean
field_ok (const char *text)
{
  return text != NULL && *text != '\0' && strlen (text) <= MAX_FIELD_LEN &&
         g_utf8_validate (text, -1, NULL);
}

char *
saphan_receipt_payload_encode (const SaphanReceiptPayload *payload, SaphanKioskKey *key,
                               GError **error)
{
  g_autoptr (GBytes) payload_bytes = NULL;
  g_autoptr (GBytes) protected_bytes = NULL;
  g_autoptr (GBytes) to_sign = NULL;
  g_autoptr (GBytes) cose = NULL;
  g_autofree char *b45 = NULL;
  guint8 signature[SAPHAN_KIOSK_KEY_SIGNATURE_LEN];
  guint8 uuid[16];
  cbor_item_t *map;
  cbor_item_t *array;
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (key), NULL);

  if (!field_ok (payload->number) || !field_ok (payload->kiosk_id) ||
      !field_ok (payload->form_id) || !field_ok (payload->form_version) ||
      !field_ok (payload->instance_id) || payload->issued_at < 0 ||
      !saphan_receipt_number_is_valid (payload->number))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("A receipt needs a number, kiosk, form, version, instance and time."));
      return NULL;
    }
  /* Only the canonical spelling is signed, since that is what the decoder
   * accepts and what the citizen reads on paper. */
  {
    g_autofree char *canonical = saphan_receipt_number_normalize (payload->number);

    if (g_strcmp0 (canonical, payload->number) != 0)
      {
        g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                     _("Receipt number %s is not in its canonical form (%s)."), payload->number,
                     canonical);
        return NULL;
      }
  }

  map = cbor_new_definite_map (N_KEYS);
  map_put (map, KEY_VERSION, cbor_build_uint8 (PAYLOAD_VERSION));
  map_put (map, KEY_NUMBER, build_string (payload->number));
  map_put (map, KEY_KIOSK, build_string (payload->kiosk_id));
  map_put (map, KEY_FORM_ID, build_string (payload->form_id));
  map_put (map, KEY_FORM_VERSION, build_string (payload->form_version));
  if (uuid_to_bytes (payload->instance_id, uuid))
    map_put (map, KEY_INSTANCE, cbor_build_bytestring (uuid, sizeof uuid));
  else
    map_put (map, KEY_INSTANCE, build_string (payload->instance_id));
  map_put (map, KEY_ISSUED_AT, cbor_build_uint64 ((guint64) payload->issued_at));
  map_put (map, KEY_SHA256, cbor_build_bytestring (payload->submission_sha256, 32));
  payload_bytes = serialize_take (map);

  map = cbor_new_definite_map (2);
  {
    struct cbor_pair alg = {
      .key = cbor_move (cbor_build_uint8 (COSE_HEADER_ALG)),
      .value = cbor_move (cbor_build_negint8 ((guint8) (-1 - COSE_ALG_EDDSA))),
    };
    struct cbor_pair kid = {
      .key = cbor_move (cbor_build_uint8 (COSE_HEADER_KID)),
      .value = cbor_move (cbor_build_bytestring (saphan_kiosk_key_get_id_bytes (key),
                                                 SAPHAN_KIOSK_KEY_ID_LEN)),
    };
    (void) cbor_map_add (map, alg);
    (void) cbor_map_add (map, kid);
  }
  protected_bytes = serialize_take (map);

  to_sign = sig_structure (protected_bytes, payload_bytes);
  data = g_bytes_get_data (to_sign, &len);
  if (!saphan_kiosk_key_sign (key, data, len, signature, error))
    return NULL;

  array = cbor_new_definite_array (4);
  data = g_bytes_get_data (protected_bytes, &len);
  (void) cbor_array_push (array, cbor_move (cbor_build_bytestring (data, len)));
  (void) cbor_array_push (array, cbor_move (cbor_new_definite_map (0)));
  data = g_bytes_get_data (payload_bytes, &len);
  (void) cbor_array_push (array, cbor_move (cbor_build_bytestring (data, len)));
  (void) cbor_array_push (array, cbor_move (cbor_build_bytestring (signature, sizeof signature)));
  cose = serialize_take (cbor_build_tag (COSE_TAG_SIGN1, cbor_move (array)));

  data = g_bytes_get_data (cose, &len);
  b45 = saphan_base45_encode (data, len);
  return g_strconcat (SAPHAN_RECEIPT_PAYLOAD_PREFIX, b45, NULL);
}

/* ---- Decoding ----------------------------------------------------------- */

static gboolean
fail (GError **error, SaphanReceiptVerdict *out_verdict, SaphanReceiptVerdict verdict,
      int code, const char *message)
{
  *out_verdict = verdict;
  g_set_error_literal (error, SAPHAN_ERROR, code, message);
  return FALSE;
}

static gboolean
malformed (GError **error, SaphanReceiptVerdict *out_verdict, const char *what)
{
  *out_verdict = SAPHAN_RECEIPT_MALFORMED;
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
               _("This receipt code is damaged (%s). Scan it again or type the receipt number."),
               what);
  return FALSE;
}

/* Reads one item's head at *POS: major type and argument. Indefinite
 * lengths and reserved encodings are refused. */
static gboolean
read_head (const guint8 *data, gsize len, gsize *pos, int *out_major, guint64 *out_arg)
{
  guint8 first;
  int info, extra;
  guint64 arg = 0;

  if (*pos >= len)
    return FALSE;
  first = data[(*pos)++];
  *out_major = first >> 5;
  info = first & 0x1f;
  if (info < 24)
    {
      *out_arg = (guint64) info;
      return TRUE;
    }
  if (info > 27)
    return FALSE;
  extra = 1 << (info - 24);
  if (len - *pos < (gsize) extra)
    return FALSE;
  for (int i = 0; i < extra; i++)
    arg = (arg << 8) | data[(*pos)++];
  *out_arg = arg;
  return TRUE;
}

/* Walks one item without building it, checking that every declared length
 * fits in the bytes that remain. libcbor allocates arrays and maps at their
 * declared size before reading them, so a 20-byte input claiming four
 * billion elements would otherwise allocate gigabytes. */
static gboolean
well_formed (const guint8 *data, gsize len, gsize *pos, int depth)
{
  int major;
  guint64 arg;

  if (depth > 8 || !read_head (data, len, pos, &major, &arg))
    return FALSE;
  switch (major)
    {
    case 0: /* unsigned */
    case 1: /* negative */
    case 7: /* simple values and floats: the argument was the payload */
      return TRUE;
    case 2: /* byte string */
    case 3: /* text string */
      if (arg > len - *pos)
        return FALSE;
      *pos += (gsize) arg;
      return TRUE;
    case 4: /* array: each element needs at least one byte */
      if (arg > len - *pos)
        return FALSE;
      for (guint64 i = 0; i < arg; i++)
        if (!well_formed (data, len, pos, depth + 1))
          return FALSE;
      return TRUE;
    case 5: /* map: each pair needs at least two bytes */
      if (arg > (len - *pos) / 2)
        return FALSE;
      for (guint64 i = 0; i < 2 * arg; i++)
        if (!well_formed (data, len, pos, depth + 1))
          return FALSE;
      return TRUE;
    case 6: /* tag: receipts use none inside the structure */
    default:
      return FALSE;
    }
}

/* Parses exactly LEN bytes as one CBOR item. */
static cbor_item_t *
load_exact (const guint8 *data, gsize len)
{
  struct cbor_load_result result;
  cbor_item_t *item;
  gsize pos = 0;

  if (len == 0 || !well_formed (data, len, &pos, 0) || pos != len)
    return NULL;
  item = cbor_load (data, len, &result);
  if (item == NULL)
    return NULL;
  if (result.error.code != CBOR_ERR_NONE || result.read != len)
    {
      cbor_decref (&item);
      return NULL;
    }
  return item;
}

static gboolean
get_uint (const cbor_item_t *item, guint64 *out)
{
  if (!cbor_isa_uint (item))
    return FALSE;
  *out = cbor_get_int (item);
  return TRUE;
}

static gboolean
get_bytes (const cbor_item_t *item, const guint8 **out, gsize *out_len)
{
  if (!cbor_isa_bytestring (item) || !cbor_bytestring_is_definite (item))
    return FALSE;
  *out = cbor_bytestring_handle (item);
  *out_len = cbor_bytestring_length (item);
  return *out_len == 0 || *out != NULL;
}

static char *
get_text (const cbor_item_t *item)
{
  const char *data;
  gsize len;

  if (!cbor_isa_string (item) || !cbor_string_is_definite (item))
    return NULL;
  len = cbor_string_length (item);
  data = (const char *) cbor_string_handle (item);
  if (len == 0 || len > MAX_FIELD_LEN || data == NULL || memchr (data, '\0', len) != NULL ||
      !g_utf8_validate_len (data, len, NULL))
    return NULL;
  return g_strndup (data, len);
}

/* Reads the protected header: alg must be EdDSA, kid 8 bytes. */
static gboolean
parse_protected (const guint8 *data, gsize len, guint8 kid[SAPHAN_KIOSK_KEY_ID_LEN])
{
  cbor_item_t *map = load_exact (data, len);
  gboolean have_alg = FALSE, have_kid = FALSE, ok = TRUE;

  if (map == NULL || !cbor_isa_map (map) || !cbor_map_is_definite (map))
    ok = FALSE;
  for (gsize i = 0; ok && i < cbor_map_size (map); i++)
    {
      struct cbor_pair *pair = cbor_map_handle (map) + i;
      guint64 key;
      const guint8 *bytes;
      gsize blen;

      if (!get_uint (pair->key, &key))
        ok = FALSE;
      else if (key == COSE_HEADER_ALG && !have_alg)
        {
          have_alg = TRUE;
          ok = cbor_isa_negint (pair->value) &&
               cbor_get_int (pair->value) == (guint64) (-1 - COSE_ALG_EDDSA);
        }
      else if (key == COSE_HEADER_KID && !have_kid)
        {
          have_kid = TRUE;
          ok = get_bytes (pair->value, &bytes, &blen) && blen == SAPHAN_KIOSK_KEY_ID_LEN;
          if (ok)
            memcpy (kid, bytes, blen);
        }
      else
        ok = FALSE;
    }
  if (map != NULL)
    cbor_decref (&map);
  return ok && have_alg && have_kid;
}

static SaphanReceiptPayload *
parse_payload (const guint8 *data, gsize len)
{
  g_autoptr (SaphanReceiptPayload) p = g_new0 (SaphanReceiptPayload, 1);
  cbor_item_t *map = load_exact (data, len);
  guint seen = 0;
  gboolean ok = TRUE;

  if (map == NULL || !cbor_isa_map (map) || !cbor_map_is_definite (map) ||
      cbor_map_size (map) != N_KEYS)
    ok = FALSE;
  for (gsize i = 0; ok && i < cbor_map_size (map); i++)
    {
      struct cbor_pair *pair = cbor_map_handle (map) + i;
      const guint8 *bytes;
      gsize blen;
      guint64 key, value = 0;

      if (!get_uint (pair->key, &key) || key >= N_KEYS || (seen & (1u << key)) != 0)
        {
          ok = FALSE;
          break;
        }
      seen |= 1u << key;
      switch (key)
        {
        case KEY_VERSION:
          ok = get_uint (pair->value, &value) && value == PAYLOAD_VERSION;
          break;
        case KEY_NUMBER:
          ok = (p->number = get_text (pair->value)) != NULL &&
               saphan_receipt_number_is_valid (p->number);
          break;
        case KEY_KIOSK:
          ok = (p->kiosk_id = get_text (pair->value)) != NULL;
          break;
        case KEY_FORM_ID:
          ok = (p->form_id = get_text (pair->value)) != NULL;
          break;
        case KEY_FORM_VERSION:
          ok = (p->form_version = get_text (pair->value)) != NULL;
          break;
        case KEY_INSTANCE:
          if (cbor_isa_bytestring (pair->value))
            {
              ok = get_bytes (pair->value, &bytes, &blen) && blen == 16;
              if (ok)
                p->instance_id = uuid_from_bytes (bytes);
            }
          else
            ok = (p->instance_id = get_text (pair->value)) != NULL;
          break;
        case KEY_ISSUED_AT:
          ok = get_uint (pair->value, &value) && value <= G_MAXINT64;
          p->issued_at = (gint64) value;
          break;
        case KEY_SHA256:
          ok = get_bytes (pair->value, &bytes, &blen) && blen == 32;
          if (ok)
            memcpy (p->submission_sha256, bytes, 32);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (map != NULL)
    cbor_decref (&map);
  if (!ok || seen != (1u << N_KEYS) - 1)
    return NULL;
  return g_steal_pointer (&p);
}

SaphanReceiptPayload *
saphan_receipt_payload_decode (const char *text, SaphanReceiptKeyLookup lookup,
                               gpointer lookup_data, SaphanReceiptVerdict *out_verdict,
                               SaphanReceiptPayload **out_unverified, GError **error)
{
  g_autofree guint8 *cose_bytes = NULL;
  g_autoptr (SaphanReceiptPayload) payload = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (GBytes) protected_bytes = NULL;
  g_autoptr (GBytes) payload_bytes = NULL;
  g_autoptr (GBytes) to_sign = NULL;
  g_autoptr (GError) lookup_error = NULL;
  SaphanReceiptVerdict verdict_storage;
  SaphanReceiptVerdict *verdict = out_verdict != NULL ? out_verdict : &verdict_storage;
  guint8 kid[SAPHAN_KIOSK_KEY_ID_LEN];
  cbor_item_t *array = NULL;
  cbor_item_t **items;
  const guint8 *prot, *body, *sig;
  gsize prot_len, body_len, sig_len, cose_len = 0, start, end, text_len;
  gboolean shape_ok;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (lookup != NULL, NULL);

  if (out_unverified != NULL)
    *out_unverified = NULL;

  /* Scanners may add a newline or spaces; nothing else is forgiven. */
  text_len = strlen (text);
  for (start = 0; start < text_len && g_ascii_isspace (text[start]); start++)
    ;
  for (end = text_len; end > start && g_ascii_isspace (text[end - 1]); end--)
    ;
  if (end - start < strlen (SAPHAN_RECEIPT_PAYLOAD_PREFIX) ||
      strncmp (text + start, SAPHAN_RECEIPT_PAYLOAD_PREFIX,
               strlen (SAPHAN_RECEIPT_PAYLOAD_PREFIX)) != 0)
    {
      fail (error, verdict, SAPHAN_RECEIPT_WRONG_PREFIX, SAPHAN_ERROR_INVALID,
            _("This is not a Saphan receipt code (it does not start with “SP1:”)."));
      return NULL;
    }
  start += strlen (SAPHAN_RECEIPT_PAYLOAD_PREFIX);
  if (end - start > SAPHAN_RECEIPT_PAYLOAD_MAX_TEXT)
    {
      malformed (error, verdict, _("too long"));
      return NULL;
    }
  cose_bytes = saphan_base45_decode (text + start, end - start, &cose_len);
  if (cose_bytes == NULL)
    {
      fail (error, verdict, SAPHAN_RECEIPT_BAD_BASE45, SAPHAN_ERROR_INVALID,
            _("This receipt code is damaged (not valid Base45). Scan it again."));
      return NULL;
    }

  /* The COSE_Sign1 tag (18, the single byte 0xD2) is optional on the wire.
   * It is stripped by hand: libcbor 0.8 refuses a tag around a definite
   * array, and any other tag is not a receipt anyway. */
  if (cose_len > 0 && cose_bytes[0] == 0xd2)
    array = load_exact (cose_bytes + 1, cose_len - 1);
  else if (cose_len > 0 && (cose_bytes[0] & 0xe0) == 0xc0)
    {
      malformed (error, verdict, _("wrong COSE tag"));
      return NULL;
    }
  else
    array = load_exact (cose_bytes, cose_len);
  if (array == NULL)
    {
      malformed (error, verdict, _("not CBOR"));
      return NULL;
    }

  shape_ok = cbor_isa_array (array) && cbor_array_is_definite (array) &&
             cbor_array_size (array) == 4;
  items = shape_ok ? cbor_array_handle (array) : NULL;
  shape_ok = shape_ok &&
             get_bytes (items[0], &prot, &prot_len) &&
             cbor_isa_map (items[1]) &&
             get_bytes (items[2], &body, &body_len) &&
             get_bytes (items[3], &sig, &sig_len);
  if (!shape_ok)
    {
      cbor_decref (&array);
      malformed (error, verdict, _("not a COSE_Sign1 structure"));
      return NULL;
    }
  if (!parse_protected (prot, prot_len, kid))
    {
      cbor_decref (&array);
      malformed (error, verdict, _("unsupported COSE header"));
      return NULL;
    }
  payload = parse_payload (body, body_len);
  if (payload == NULL)
    {
      cbor_decref (&array);
      malformed (error, verdict, _("missing or invalid fields"));
      return NULL;
    }
  payload->key_id = g_malloc (SAPHAN_KIOSK_KEY_ID_LEN * 2 + 1);
  for (int i = 0; i < SAPHAN_KIOSK_KEY_ID_LEN; i++)
    g_snprintf (payload->key_id + 2 * i, 3, "%02x", kid[i]);

  protected_bytes = g_bytes_new (prot, prot_len);
  payload_bytes = g_bytes_new (body, body_len);
  {
    guint8 sig_copy[SAPHAN_KIOSK_KEY_SIGNATURE_LEN];
    gsize sig_copy_len = MIN (sig_len, sizeof sig_copy);

    memcpy (sig_copy, sig, sig_copy_len);
    cbor_decref (&array);

    key = lookup (kid, sizeof kid, lookup_data, &lookup_error);
    if (key == NULL)
      {
        *verdict = SAPHAN_RECEIPT_UNKNOWN_KIOSK;
        if (g_error_matches (lookup_error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND))
          g_propagate_error (error, g_steal_pointer (&lookup_error));
        else
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND,
                       _("Unknown kiosk %s: %s"), payload->key_id,
                       lookup_error != NULL ? lookup_error->message : "-");
        if (out_unverified != NULL)
          *out_unverified = g_steal_pointer (&payload);
        return NULL;
      }
    to_sign = sig_structure (protected_bytes, payload_bytes);
    if (sig_len != SAPHAN_KIOSK_KEY_SIGNATURE_LEN ||
        !saphan_kiosk_key_verify (key, g_bytes_get_data (to_sign, NULL),
                                  g_bytes_get_size (to_sign), sig_copy, sig_copy_len))
      {
        fail (error, verdict, SAPHAN_RECEIPT_BAD_SIGNATURE, SAPHAN_ERROR_SIGNATURE,
              _("The signature does not match: this receipt was altered or not issued "
                "by the kiosk it names."));
        if (out_unverified != NULL)
          *out_unverified = g_steal_pointer (&payload);
        return NULL;
      }
  }
  *verdict = SAPHAN_RECEIPT_VALID;
  return g_steal_pointer (&payload);
}

static SaphanKioskKey *
keyring_lookup_cb (const guint8 *key_id, gsize key_id_len, gpointer user_data, GError **error)
{
  return saphan_keyring_lookup (user_data, key_id, key_id_len, error);
}

SaphanReceiptPayload *
saphan_receipt_payload_verify (const char *text, const char *data_dir,
                               SaphanReceiptVerdict *out_verdict,
                               SaphanReceiptPayload **out_unverified, GError **error)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  return saphan_receipt_payload_decode (text, keyring_lookup_cb, (gpointer) data_dir,
                                        out_verdict, out_unverified, error);
}
