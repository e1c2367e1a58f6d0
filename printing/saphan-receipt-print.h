/* saphan-receipt-print.h: from a receipt in the store to paper or PDF.
 *
 * Settings used (all optional):
 *   printer.queue        CUPS queue; none means PDF into DATA_DIR/receipts/
 *   printer.media        58mm, 80mm (default) or a4
 *   printer.dpi          printer resolution, default 203
 *   printer.timeout      seconds to wait for the job, default 60
 *   kiosk.id             the kiosk's name in receipts, default the key id
 *   kiosk.name, kiosk.location, receipt.next-steps
 *   receipt.citizen-name none (default) or masked: whether the citizen's
 *                        name, masked, is printed at all
 * The submission is never touched: a failed print only marks the receipt
 * unprinted so staff can reprint it.
 */
#pragma once

#include <gio/gio.h>

#include "saphan-store.h"
#include "saphan-kiosk-key.h"
#include "saphan-printer.h"
#include "saphan-receipt-layout.h"

G_BEGIN_DECLS

typedef struct
{
  const char *citizen_name;   /* the full name or NULL; printed only masked,
                               * and only when receipt.citizen-name is masked */
  const char *next_steps;     /* overrides the setting receipt.next-steps */
  gboolean    have_media;     /* use MEDIA instead of printer.media */
  SaphanMedia media;
} SaphanReceiptPrintOptions;

typedef struct
{
  SaphanPrintProblem problem;
  int                job_id;        /* 0 when saved as PDF */
  char              *pdf_path;      /* set when saved as PDF */
  gint64             render_usec;
  gint64             accepted_usec; /* render + submission until CUPS accepted the job */
  gint64             completed_usec;
  SaphanReceiptLayoutInfo layout;
} SaphanReceiptPrintResult;

void saphan_receipt_print_result_clear (SaphanReceiptPrintResult *result);

/* Makes the receipt number and signed QR text for a finalize request. */
gboolean saphan_receipt_issue (SaphanStore    *store,
                               SaphanKioskKey *key,
                               const char     *form_id,
                               const char     *form_version,
                               const char     *instance_id,
                               GBytes         *frozen_submission,
                               gint64          issued_at,
                               char          **out_number,
                               char          **out_qr_text,
                               GError        **error);

/* The same with a given receipt NUMBER (a retried finalize keeps the number
 * the citizen may already have written down); NULL makes a new one. */
gboolean saphan_receipt_issue_with_number (SaphanStore    *store,
                                           SaphanKioskKey *key,
                                           const char     *number,
                                           const char     *form_id,
                                           const char     *form_version,
                                           const char     *instance_id,
                                           GBytes         *frozen_submission,
                                           gint64          issued_at,
                                           char          **out_number,
                                           char          **out_qr_text,
                                           GError        **error);

/* Renders receipt NUMBER from the store as a PDF for MEDIA. */
GBytes  *saphan_receipt_render   (SaphanStore                     *store,
                                  const char                      *number,
                                  SaphanMedia                      media,
                                  const SaphanReceiptPrintOptions *options,
                                  SaphanReceiptLayoutInfo         *out_info,
                                  GError                         **error);

/* Prints receipt NUMBER on the configured queue, or saves it as PDF when
 * none is configured, and marks it printed or unprinted in the store. */
gboolean saphan_receipt_print    (SaphanStore                     *store,
                                  const char                      *number,
                                  const SaphanReceiptPrintOptions *options,
                                  GCancellable                    *cancellable,
                                  SaphanReceiptPrintResult        *out_result,
                                  GError                         **error);

void     saphan_receipt_print_async  (SaphanStore                     *store,
                                      const char                      *number,
                                      const SaphanReceiptPrintOptions *options,
                                      GCancellable                    *cancellable,
                                      GAsyncReadyCallback              callback,
                                      gpointer                         user_data);
gboolean saphan_receipt_print_finish (SaphanStore              *store,
                                      GAsyncResult             *result,
                                      SaphanReceiptPrintResult *out_result,
                                      GError                  **error);

G_END_DECLS
