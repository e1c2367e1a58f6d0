/* saphan-submission-crypto.h: ODK encrypted submissions.
 *
 * A form whose <submission> element carries base64RsaPublicKey is sent in
 * ODK's encrypted-submission format, the one ODK Collect writes and ODK
 * Central and ODK Briefcase decrypt:
 *
 *  - a random 256-bit AES key, wrapped with RSA-OAEP (SHA-256 for both the
 *    OAEP digest and MGF1, as Bouncy Castle's OAEPWithSHA256AndMGF1Padding
 *    does) and sent base64-encoded in the manifest;
 *  - each file encrypted with AES-256-CFB128 and PKCS#7 padding; the IVs
 *    start from md5(instanceID || key) and each file bumps one more byte of
 *    that running seed: media files first, in order, submission.xml last;
 *  - a manifest that replaces submission.xml, naming the encrypted files
 *    and carrying an RSA-wrapped MD5 "element signature" over the form id,
 *    version, wrapped key, instanceID and "name::md5" of each plaintext file.
 *
 * Nothing here knows about forms or sessions: callers pass strings and
 * bytes. Only OpenSSL's libcrypto is used.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The manifest's namespace, as ODK Collect writes it. */
#define SAPHAN_ENCRYPTED_XMLNS "http://www.opendatakit.org/xforms/encrypted"

#define SAPHAN_SUBMISSION_KEY_BYTES 32
#define SAPHAN_SUBMISSION_IV_BYTES  16

/* Checks a form's base64RsaPublicKey (a base64 SubjectPublicKeyInfo, as ODK
 * forms carry it; whitespace and a PEM envelope are tolerated). Returns FALSE
 * with SAPHAN_ERROR_FORM_INVALID and a message a person can act on when the
 * key is malformed, not RSA or too short. OUT_BITS may be NULL. */
gboolean saphan_submission_check_public_key (const char *base64_rsa_public_key,
                                             guint      *out_bits,
                                             GError    **error);

/* Encrypts one finalized submission. ATTACHMENTS is a GPtrArray of
 * SaphanAttachment * (saphan-store.h) with plain file names, or NULL.
 * FORM_VERSION may be NULL or empty when the form has none.
 *
 * On success *OUT_MANIFEST_XML holds the manifest, to be stored and sent
 * as the submission's XML part, and *OUT_ENCRYPTED_ATTACHMENTS a new
 * GPtrArray of SaphanAttachment * (free function set) holding
 * "submission.xml.enc" first and then "<name>.enc" for each attachment in
 * the given order. Fails with SAPHAN_ERROR_FORM_INVALID for a bad key,
 * SAPHAN_ERROR_INVALID for bad arguments (duplicate or unsafe file names,
 * an empty instance id) and SAPHAN_ERROR_FAILED if OpenSSL fails. */
gboolean saphan_submission_encrypt (const char *form_id,
                                    const char *form_version,
                                    const char *instance_id,
                                    const char *base64_rsa_public_key,
                                    GBytes     *submission_xml,
                                    GPtrArray  *attachments,
                                    GBytes    **out_manifest_xml,
                                    GPtrArray **out_encrypted_attachments,
                                    GError    **error);

/* What decryption recovers. */
typedef struct
{
  char      *form_id;
  char      *form_version;    /* NULL when the manifest has none */
  char      *instance_id;
  GBytes    *submission_xml;
  GPtrArray *attachments;     /* of SaphanAttachment *, plain names, manifest order */
} SaphanDecryptedSubmission;

void saphan_decrypted_submission_free (SaphanDecryptedSubmission *submission);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanDecryptedSubmission, saphan_decrypted_submission_free)

/* Decrypts a submission with the server's private key (PEM, PKCS#1 or
 * PKCS#8, unencrypted) for staff tools and tests. ENCRYPTED_FILES holds the
 * SaphanAttachment * named as the manifest names them ("x.jpg.enc").
 * The element signature is always checked: a changed, missing or swapped
 * file fails with SAPHAN_ERROR_SIGNATURE; a malformed manifest with
 * SAPHAN_ERROR_INVALID; a key that does not fit with SAPHAN_ERROR_SIGNATURE. */
SaphanDecryptedSubmission *saphan_submission_decrypt (const char *private_key_pem,
                                                      GBytes     *manifest_xml,
                                                      GPtrArray  *encrypted_files,
                                                      GError    **error);

/* Building blocks, exposed for staff tools that decrypt file by file and
 * for known-answer tests. */

/* Unwraps the base64 RSA-encrypted AES key; returns 32 bytes. */
GBytes  *saphan_submission_unwrap_key (const char *private_key_pem,
                                       const char *base64_encrypted_key,
                                       GError    **error);
/* The IV of the file at INDEX (0-based, in encryption order). */
void     saphan_submission_file_iv    (const char *instance_id,
                                       GBytes     *key,
                                       guint       index,
                                       guint8      out_iv[SAPHAN_SUBMISSION_IV_BYTES]);
/* Decrypts one file and removes its padding. */
GBytes  *saphan_submission_decrypt_file (GBytes       *key,
                                         const guint8  iv[SAPHAN_SUBMISSION_IV_BYTES],
                                         GBytes       *ciphertext,
                                         GError      **error);

G_END_DECLS
