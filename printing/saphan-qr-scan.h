/* saphan-qr-scan.h: reading receipt QR codes back from images.
 *
 * Staff verify a photo or scan of a receipt with "saphanctl receipt verify
 * --image FILE.png"; the tests read back what the printer received. Both
 * use the zbar library.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The text of every QR code in the PNG at PATH, in reading order (char *).
 * An image without a code gives an empty array, not an error. */
GPtrArray *saphan_qr_scan_png  (const char *path, GError **error);

/* The same for an 8-bit grey image, one byte a pixel, STRIDE bytes a row. */
GPtrArray *saphan_qr_scan_gray (const guint8 *pixels,
                                int           width,
                                int           height,
                                int           stride);

G_END_DECLS
