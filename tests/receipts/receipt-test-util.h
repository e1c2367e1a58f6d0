/* receipt-test-util.h: shared helpers for the receipt tests. */
#pragma once

#include <glib.h>

#include "saphan-store.h"
#include "saphan-kiosk-key.h"

G_BEGIN_DECLS

/* Removes a folder and everything below it. */
void         rtu_remove_tree     (const char *path);

/* A fresh data dir with a store, the demo form installed and kiosk
 * settings filled in. */
SaphanStore *rtu_store_new       (const char *data_dir);

/* Finalizes a submission with a signed receipt; returns the number. */
char        *rtu_finalize        (SaphanStore    *store,
                                  SaphanKioskKey *key,
                                  char          **out_qr_text,
                                  gint64         *out_finalize_usec);

/* The first page's MediaBox of PDF, in millimetres. */
gboolean     rtu_pdf_media_box_mm (GBytes *pdf, double *out_width, double *out_height);

/* Rasterizes the PDF with pdftoppm at DPI and returns every QR text on it. */
GPtrArray   *rtu_scan_pdf        (GBytes *pdf, const char *work_dir, int dpi);

/* The PDF's text as pdftotext extracts it, with all white space removed
 * (Pango breaks lines where it likes). */
char        *rtu_pdf_text        (GBytes *pdf, const char *work_dir);
/* Whether TEXT, white space removed, contains NEEDLE, white space removed. */
gboolean     rtu_text_contains   (const char *text, const char *needle);

G_END_DECLS
