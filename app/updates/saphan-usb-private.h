/* saphan-usb-private.h: what the export and import files share. */
#pragma once

#include <openssl/evp.h>

#include "saphan-kiosk-key.h"
#include "saphan-usb.h"

G_BEGIN_DECLS

#define USB_MANIFEST_NAME "manifest.json"
#define USB_SIGNATURE_NAME "manifest.json.sig"
#define USB_SIGNATURE_SCHEME "saphan-ed25519"
#define USB_ENCRYPTION_SCHEME "rsa-oaep-sha256+aes-256-gcm"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

/* The text of USB_SIGNATURE_NAME for MANIFEST: the scheme, KEY's id and KEY's
 * signature of the manifest's bytes, in base64, on one line. */
char     *_saphan_usb_signature_text (SaphanKioskKey *key, const guint8 *manifest, gsize len,
                                      GError **error);
/* PLAIN sealed for RECIPIENT (an RSA public key); AAD binds it to its name. */
GBytes   *_saphan_usb_encrypt_for  (EVP_PKEY *recipient, const char *aad, GBytes *plain,
                                    GError **error);
GBytes   *_saphan_usb_decrypt_with (EVP_PKEY *private_key, const char *aad, GBytes *sealed,
                                    GError **error);
/* An RSA key from PEM text: the private key with PRIVATE_KEY, else the public. */
EVP_PKEY *_saphan_usb_load_pem_key (const char *pem, gboolean private_key, GError **error);

G_END_DECLS
