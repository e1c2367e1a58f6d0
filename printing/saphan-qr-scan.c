/* saphan-qr-scan.c: QR codes from images, with zbar. */
#include "config.h"

#include "saphan-qr-scan.h"
#include "saphan-error.h"

#include <string.h>
#include <cairo.h>
#include <zbar.h>
#include <glib/gi18n-lib.h>

GPtrArray *
saphan_qr_scan_gray (const guint8 *pixels, int width, int height, int stride)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  zbar_image_scanner_t *scanner;
  zbar_image_t *image;
  guint8 *packed;

  g_return_val_if_fail (pixels != NULL && width > 0 && height > 0 && stride >= width, texts);

  /* zbar wants rows without padding; the buffer is freed by zbar through
   * zbar_image_free_data when the image is destroyed. */
  packed = g_malloc ((gsize) width * height);
  for (int y = 0; y < height; y++)
    memcpy (packed + (gsize) y * width, pixels + (gsize) y * stride, width);

  scanner = zbar_image_scanner_create ();
  /* Only QR codes: anything else on a receipt is noise. */
  zbar_image_scanner_set_config (scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config (scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
  image = zbar_image_create ();
  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, (unsigned) width, (unsigned) height);
  zbar_image_set_data (image, packed, (unsigned long) width * height, zbar_image_free_data);

  if (zbar_scan_image (scanner, image) > 0)
    for (const zbar_symbol_t *s = zbar_image_first_symbol (image); s != NULL;
         s = zbar_symbol_next (s))
      {
        const char *data = zbar_symbol_get_data (s);
        unsigned len = zbar_symbol_get_data_length (s);
        g_ptr_array_add (texts, g_strndup (data, len));
      }

  zbar_image_destroy (image);
  zbar_image_scanner_destroy (scanner);
  return texts;
}

GPtrArray *
saphan_qr_scan_png (const char *path, GError **error)
{
  cairo_surface_t *surface;
  cairo_surface_t *rgb;
  guint8 *gray;
  cairo_t *cr;
  GPtrArray *texts;
  int width, height;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND, _("There is no image %s."), path);
      return NULL;
    }
  surface = cairo_image_surface_create_from_png (path);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("Cannot read %s as a PNG image: %s"), path,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);

  /* Paint on white first so transparent pixels read as paper, then reduce
   * the colours to one grey byte a pixel (ITU-R BT.601 weights). */
  rgb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (rgb);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (rgb);

  gray = g_malloc ((gsize) width * height);
  for (int y = 0; y < height; y++)
    {
      const guint32 *src = (const guint32 *) (cairo_image_surface_get_data (rgb) +
                                              (gsize) y * cairo_image_surface_get_stride (rgb));
      for (int x = 0; x < width; x++)
        {
          guint32 p = src[x];
          guint r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
          gray[(gsize) y * width + x] = (guint8) ((r * 299 + g * 587 + b * 114) / 1000);
        }
    }
  cairo_surface_destroy (rgb);
  cairo_surface_destroy (surface);

  texts = saphan_qr_scan_gray (gray, width, height, width);
  g_free (gray);
  return texts;
}
