/* saphan-submit.h: the finalize step shared by the kiosk and saphanctl.
 *
 * A session's frozen submission becomes, in one store transaction, a queued
 * submission with its attachments, a receipt whose QR code is signed with
 * the kiosk's key, and an audit entry. Everything here blocks on disk; the
 * kiosk uses the _async pair.
 */
#pragma once

#include <gio/gio.h>

#include "saphan-store.h"

G_BEGIN_DECLS

typedef struct
{
  const char *form_id;
  const char *form_version;
  const char *instance_id;
  GBytes     *payload;         /* the frozen submission XML */
  GPtrArray  *attachments;     /* of SaphanAttachment *, may be NULL */
  const char *assisted_by;     /* staff id in assisted mode, else NULL */
  const char *receipt_number;  /* kept when a failed finalize is retried; NULL: a new one */
  const char *encrypt_for;     /* the form's base64RsaPublicKey, or NULL: then the payload
                                * is stored encrypted in ODK's format, for the server only */
} SaphanSubmitRequest;

gboolean saphan_submit        (SaphanStore               *store,
                               const SaphanSubmitRequest *request,
                               char                     **out_receipt_number,
                               GError                   **error);
void     saphan_submit_async  (SaphanStore               *store,
                               const SaphanSubmitRequest *request,
                               GCancellable              *cancellable,
                               GAsyncReadyCallback        callback,
                               gpointer                   user_data);
gboolean saphan_submit_finish (SaphanStore  *store,
                               GAsyncResult *result,
                               char        **out_receipt_number,
                               GError      **error);

G_END_DECLS
