/* saphan-receipt-layout.h: a receipt drawn with cairo and Pango into a PDF
 * page of exactly the printer's media size.
 *
 * Rolls (58 mm, 80 mm) get a page as long as the content, rounded up to a
 * whole millimetre, so the matching CUPS media name is
 * custom_WxHmm_WxHmm. The QR code's modules fall on whole printer dots.
 */
#pragma once

#include <glib.h>
#include <qrencode.h>

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_MEDIA_ROLL_58,
  SAPHAN_MEDIA_ROLL_80,
  SAPHAN_MEDIA_A4,
} SaphanMedia;

/* "58mm", "80mm", "a4". */
const char *saphan_media_to_string   (SaphanMedia media);
gboolean    saphan_media_from_string (const char *text, SaphanMedia *out_media);
gboolean    saphan_media_is_roll     (SaphanMedia media);
double      saphan_media_width_mm    (SaphanMedia media);

/* What a receipt shows. Strings are UTF-8; optional ones may be NULL. */
typedef struct
{
  const char *number;          /* required */
  const char *qr_text;         /* required: the signed payload */
  const char *service_name;    /* the form's title */
  const char *kiosk_name;
  const char *kiosk_location;
  const char *next_steps;      /* what happens next, from the form or settings */
  const char *citizen_name;    /* already masked, or NULL */
  gint64      issued_at;       /* unix seconds */
  gboolean    copy;            /* a reprint: marked as a copy */
} SaphanReceiptContent;

typedef struct
{
  double width_mm;
  double height_mm;
  int    qr_version;
  int    qr_modules;           /* modules per side, without the quiet zone */
  int    module_dots;          /* printer dots per QR module */
  double qr_x_mm;              /* top-left of the quiet zone */
  double qr_y_mm;
  double qr_size_mm;           /* the quiet zone included */
} SaphanReceiptLayoutInfo;

/* The lowest resolution a receipt is laid out for; thermal roll printers. */
#define SAPHAN_RECEIPT_DEFAULT_DPI 203
#define SAPHAN_RECEIPT_MIN_MODULE_DOTS 4
#define SAPHAN_RECEIPT_QUIET_ZONE 4

/* Renders CONTENT as a one-page PDF for MEDIA at DPI printer dots per inch. */
GBytes  *saphan_receipt_layout_render (const SaphanReceiptContent *content,
                                       SaphanMedia                 media,
                                       int                         dpi,
                                       SaphanReceiptLayoutInfo    *out_info,
                                       GError                    **error);

/* Encodes TEXT in QR alphanumeric mode at level M, the smallest version
 * that fits. Free with QRcode_free(). */
QRcode  *saphan_receipt_encode_qr     (const char *text, GError **error);

/* "24 พฤศจิกายน พ.ศ. 2569 เวลา 14:05 น." in the kiosk's time zone. */
char    *saphan_receipt_format_date_thai (gint64 unix_seconds);
/* "2026-11-24 14:05". */
char    *saphan_receipt_format_date_ce   (gint64 unix_seconds);
/* Keeps the first letter of each word: "สมชาย ใจดี" -> "ส*** ใ***". The
 * number of stars is fixed so the length of the name is not revealed. */
char    *saphan_receipt_mask_name        (const char *full_name);

G_END_DECLS
