/* saphan-receipt-payload.h: the signed text inside a receipt's QR code.
 *
 * Built the way signed health certificates are: a CBOR map with small
 * integer keys, signed as a COSE_Sign1 structure with the kiosk's Ed25519
 * key (alg EdDSA, kid = the key id), written as Base45 text (RFC 9285) after
 * the prefix "SP1:". Base45's alphabet is QR's alphanumeric mode, so the QR
 * code stays small. The payload carries no personal data: only numbers,
 * identifiers and a hash of the frozen submission.
 */
#pragma once

#include <glib.h>

#include "saphan-kiosk-key.h"

G_BEGIN_DECLS

#define SAPHAN_RECEIPT_PAYLOAD_PREFIX "SP1:"
/* Decoding refuses anything longer: a version 13 QR code at level M holds
 * 450 alphanumeric characters, so no real receipt comes close. */
#define SAPHAN_RECEIPT_PAYLOAD_MAX_TEXT 1200

typedef struct
{
  char   *number;        /* receipt number, canonical form */
  char   *kiosk_id;      /* the kiosk's name for itself (setting kiosk.id) */
  char   *form_id;
  char   *form_version;
  char   *instance_id;   /* "uuid:..." */
  gint64  issued_at;     /* unix seconds */
  guint8  submission_sha256[32];
  /* Filled by decoding: the signing key's id, 16 hex digits. */
  char   *key_id;
} SaphanReceiptPayload;

void saphan_receipt_payload_free (SaphanReceiptPayload *payload);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanReceiptPayload, saphan_receipt_payload_free)

/* Why a text is or is not a valid receipt, for people and for tests. */
typedef enum
{
  SAPHAN_RECEIPT_VALID,
  SAPHAN_RECEIPT_WRONG_PREFIX,
  SAPHAN_RECEIPT_BAD_BASE45,
  SAPHAN_RECEIPT_MALFORMED,
  SAPHAN_RECEIPT_UNKNOWN_KIOSK,
  SAPHAN_RECEIPT_BAD_SIGNATURE,
} SaphanReceiptVerdict;

const char *saphan_receipt_verdict_to_string (SaphanReceiptVerdict verdict);

/* Finds the key for KEY_ID; returns NULL with an error when it is unknown. */
typedef SaphanKioskKey *(*SaphanReceiptKeyLookup) (const guint8 *key_id,
                                                   gsize         key_id_len,
                                                   gpointer      user_data,
                                                   GError      **error);

/* Signs PAYLOAD with KEY and returns the QR text. */
char                 *saphan_receipt_payload_encode (const SaphanReceiptPayload *payload,
                                                     SaphanKioskKey             *key,
                                                     GError                    **error);
/* Decodes and verifies TEXT. Nothing in TEXT is trusted: every length is
 * checked. On failure OUT_VERDICT says why and ERROR carries the message
 * (SAPHAN_ERROR_INVALID for damaged text, SAPHAN_ERROR_NOT_FOUND for an
 * unknown kiosk, SAPHAN_ERROR_SIGNATURE for a bad signature). When the
 * signature is bad or the kiosk unknown, OUT_UNVERIFIED (optional) still
 * receives the decoded fields so staff can see what the receipt claims. */
SaphanReceiptPayload *saphan_receipt_payload_decode (const char             *text,
                                                     SaphanReceiptKeyLookup  lookup,
                                                     gpointer                lookup_data,
                                                     SaphanReceiptVerdict   *out_verdict,
                                                     SaphanReceiptPayload  **out_unverified,
                                                     GError                **error);
/* Decodes TEXT against the keyring of DATA_DIR (the kiosk's own key and
 * DATA_DIR/keys/trusted/). */
SaphanReceiptPayload *saphan_receipt_payload_verify (const char             *text,
                                                     const char             *data_dir,
                                                     SaphanReceiptVerdict   *out_verdict,
                                                     SaphanReceiptPayload  **out_unverified,
                                                     GError                **error);

/* Base45 (RFC 9285). Decoding returns NULL for any invalid input. */
char   *saphan_base45_encode (const guint8 *data, gsize len);
guint8 *saphan_base45_decode (const char *text, gsize text_len, gsize *out_len);

G_END_DECLS
