/* saphan-usb.h: queued submissions carried out on a USB stick, and in again.
 *
 * An export is one folder, DIR/saphan-export-KIOSK-TIME/, holding each
 * submission's frozen payload and attachments as files, manifest.json (the
 * instanceID, form id and version and the SHA-256 of every file) and
 * manifest.json.sig, the manifest signed with the kiosk's Ed25519 key.
 *
 * When the deployment configures a central RSA public key (setting
 * "export.public-key", PEM), every file is encrypted for transport:
 * AES-256-GCM under a random key per file, the key wrapped with RSA-OAEP
 * (SHA-256). Only the holder of the private key can import such an export.
 *
 * The manifest is renamed into place last, after every file reached the
 * disk, and only then are the submissions marked exported: a stick pulled
 * out half-way leaves a folder an import refuses and a store unchanged.
 */
#pragma once

#include <gio/gio.h>

#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_USB_EXPORT_PREFIX "saphan-export-"
#define SAPHAN_USB_SETTING_PUBLIC_KEY "export.public-key"
/* Bounds an import checks before reading, as for bundles. */
#define SAPHAN_USB_MAX_MANIFEST (16 << 20)
#define SAPHAN_USB_MAX_FILE     (G_GUINT64_CONSTANT (256) << 20)

typedef struct
{
  char  *folder;       /* the export folder written */
  guint  n_submissions;
  guint  n_files;
} SaphanUsbExportResult;

void saphan_usb_export_result_free (SaphanUsbExportResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanUsbExportResult, saphan_usb_export_result_free)

/* Writes every queued and exported-but-unconfirmed submission of STORE
 * into a new folder under DEST_DIR and marks them exported. With nothing
 * to export, writes nothing and returns a result with n_submissions 0. */
SaphanUsbExportResult *saphan_usb_export (SaphanStore *store, const char *dest_dir,
                                          GError **error);

/* The same off the caller's thread, for the kiosk's staff button. */
void                   saphan_usb_export_async  (SaphanStore *store, const char *dest_dir,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data);
SaphanUsbExportResult *saphan_usb_export_finish (SaphanStore *store, GAsyncResult *result,
                                                 GError **error);

typedef struct
{
  guint n_exports;     /* export folders read */
  guint n_queued;      /* submissions queued for sync */
  guint n_skipped;     /* already present in the store */
} SaphanUsbImportResult;

/* Verifies and queues the exports in SRC_DIR (an export folder, or a
 * folder holding several). The manifest's signer must be a kiosk trusted
 * in DATA_DIR's keyring, or the key in TRUST_KEY_TEXT (a kiosk public key
 * file's text) when given. PRIVATE_KEY_PEM decrypts encrypted exports and
 * may be NULL otherwise. Every file of every export is verified before
 * anything is queued. */
gboolean saphan_usb_import (SaphanStore *store, const char *src_dir, const char *trust_key_text,
                            const char *private_key_pem, SaphanUsbImportResult *out_result,
                            GError **error);

G_END_DECLS
