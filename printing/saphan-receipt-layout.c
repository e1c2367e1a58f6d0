/* saphan-receipt-layout.c: receipts as PDF, laid out with cairo and Pango.
 *
 * The page is built in two passes on one cairo PDF surface: every block is
 * measured first (Pango needs a cairo context for that, and measuring draws
 * nothing), then the page size is set to fit and the blocks are drawn. A
 * PDF page's size can change until the first drawing operation, so no
 * second surface is needed.
 *
 * Receipt labels are printed in Thai and English at once on purpose: the
 * citizen reads Thai, an auditor from elsewhere may not. They are therefore
 * not run through gettext.
 */
#include "config.h"

#include "saphan-receipt-layout.h"
#include "saphan-error.h"

#include <math.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <glib/gi18n-lib.h>

#define MM_TO_PT(mm) ((mm) * 72.0 / 25.4)
#define PT_TO_MM(pt) ((pt) * 25.4 / 72.0)

#define FONT_TEXT "Garuda, Loma, Noto Sans Thai, Sans"
#define FONT_NUMBER "Tlwg Mono, Noto Sans Mono, Monospace"

typedef enum
{
  BLOCK_TEXT,
  BLOCK_QR,
  BLOCK_RULE,
  BLOCK_SPACE,
} BlockKind;

typedef struct
{
  BlockKind    kind;
  PangoLayout *layout;   /* BLOCK_TEXT */
  double       height;   /* points */
} Block;

typedef struct
{
  double width_mm;
  double margin_mm;       /* left and right */
  double top_mm;
  double scale;           /* font size factor */
  int    max_module_dots;
} MediaGeometry;

static const char *const thai_months[12] = {
  "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
  "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
};

/* ---- Media -------------------------------------------------------------- */

const char *
saphan_media_to_string (SaphanMedia media)
{
  switch (media)
    {
    case SAPHAN_MEDIA_ROLL_58: return "58mm";
    case SAPHAN_MEDIA_ROLL_80: return "80mm";
    case SAPHAN_MEDIA_A4: return "a4";
    default: return "80mm";
    }
}

gboolean
saphan_media_from_string (const char *text, SaphanMedia *out_media)
{
  g_return_val_if_fail (out_media != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "58mm") == 0 || g_ascii_strcasecmp (text, "58") == 0)
    *out_media = SAPHAN_MEDIA_ROLL_58;
  else if (g_ascii_strcasecmp (text, "80mm") == 0 || g_ascii_strcasecmp (text, "80") == 0)
    *out_media = SAPHAN_MEDIA_ROLL_80;
  else if (g_ascii_strcasecmp (text, "a4") == 0)
    *out_media = SAPHAN_MEDIA_A4;
  else
    return FALSE;
  return TRUE;
}

gboolean
saphan_media_is_roll (SaphanMedia media)
{
  return media != SAPHAN_MEDIA_A4;
}

double
saphan_media_width_mm (SaphanMedia media)
{
  return media == SAPHAN_MEDIA_ROLL_58 ? 58.0 : media == SAPHAN_MEDIA_ROLL_80 ? 80.0 : 210.0;
}

/* Roll printers print 48 mm of a 58 mm roll and 72 mm of an 80 mm roll. */
static MediaGeometry
media_geometry (SaphanMedia media)
{
  switch (media)
    {
    case SAPHAN_MEDIA_ROLL_58:
      return (MediaGeometry) { 58.0, 5.0, 4.0, 0.85, 6 };
    case SAPHAN_MEDIA_ROLL_80:
      return (MediaGeometry) { 80.0, 4.0, 4.0, 1.0, 6 };
    case SAPHAN_MEDIA_A4:
    default:
      return (MediaGeometry) { 210.0, 45.0, 25.0, 1.25, 8 };
    }
}

/* ---- Text helpers ------------------------------------------------------- */

char *
saphan_receipt_format_date_thai (gint64 unix_seconds)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (unix_seconds);

  if (dt == NULL)
    return g_strdup ("-");
  /* The Buddhist Era counts from 543 BCE: พ.ศ. = ค.ศ. + 543. */
  return g_strdup_printf ("%d %s พ.ศ. %d เวลา %02d:%02d น.",
                          g_date_time_get_day_of_month (dt),
                          thai_months[g_date_time_get_month (dt) - 1],
                          g_date_time_get_year (dt) + 543,
                          g_date_time_get_hour (dt), g_date_time_get_minute (dt));
}

char *
saphan_receipt_format_date_ce (gint64 unix_seconds)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (unix_seconds);

  if (dt == NULL)
    return g_strdup ("-");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

char *
saphan_receipt_mask_name (const char *full_name)
{
  g_auto (GStrv) words = NULL;
  GString *out = g_string_new (NULL);

  if (full_name == NULL || !g_utf8_validate (full_name, -1, NULL))
    return g_string_free (out, FALSE);
  words = g_strsplit_set (full_name, " \t", -1);
  for (int i = 0; words[i] != NULL; i++)
    {
      const char *next;

      if (*words[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      next = g_utf8_next_char (words[i]);
      g_string_append_len (out, words[i], next - words[i]);
      g_string_append (out, "***");
    }
  return g_string_free (out, FALSE);
}

/* ---- QR ----------------------------------------------------------------- */

QRcode *
saphan_receipt_encode_qr (const char *text, GError **error)
{
  QRinput *input;
  QRcode *code = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  /* Appending in QR_MODE_AN forces alphanumeric mode (5.5 bits a
   * character), which Base45 was designed for; it fails for any character
   * outside that alphabet instead of silently switching to byte mode. */
  input = QRinput_new2 (0, QR_ECLEVEL_M);
  if (input != NULL &&
      QRinput_append (input, QR_MODE_AN, (int) strlen (text), (const unsigned char *) text) == 0)
    code = QRcode_encodeInput (input);
  QRinput_free (input);
  if (code == NULL)
    g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                 _("The receipt code cannot be drawn as a QR code."));
  return code;
}

/* ---- Layout ------------------------------------------------------------- */

static void
block_clear (gpointer data)
{
  Block *block = data;
  g_clear_object (&block->layout);
}

/* Adds a block of text. FIT shrinks the font until the text stands on one
 * line: a receipt number broken over two lines is easily misread. MARKUP
 * text may use Pango spans (for the number in a monospace face). */
static void
add_text_full (GArray *blocks, cairo_t *cr, double width_pt, const char *text, const char *font,
               double size_pt, gboolean bold, PangoAlignment align, gboolean markup, gboolean fit)
{
  PangoFontDescription *desc;
  Block block = { BLOCK_TEXT, NULL, 0 };
  int w, h;

  if (text == NULL || *text == '\0')
    return;
  block.layout = pango_cairo_create_layout (cr);
  desc = pango_font_description_from_string (font);
  pango_font_description_set_weight (desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  if (markup)
    pango_layout_set_markup (block.layout, text, -1);
  else
    pango_layout_set_text (block.layout, text, -1);
  for (;;)
    {
      pango_font_description_set_size (desc, (int) (size_pt * PANGO_SCALE));
      pango_layout_set_font_description (block.layout, desc);
      pango_layout_set_width (block.layout, -1);
      pango_layout_get_size (block.layout, &w, &h);
      if (!fit || w <= width_pt * PANGO_SCALE || size_pt <= 6)
        break;
      size_pt *= 0.92;
    }
  pango_font_description_free (desc);
  pango_layout_set_width (block.layout, (int) (width_pt * PANGO_SCALE));
  /* Thai has no spaces between words; Pango breaks it with libthai's
   * dictionary, and WORD_CHAR falls back to characters for long codes. */
  pango_layout_set_wrap (block.layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (block.layout, align);
  pango_layout_get_size (block.layout, &w, &h);
  block.height = (double) h / PANGO_SCALE;
  g_array_append_val (blocks, block);
}

static void
add_text (GArray *blocks, cairo_t *cr, double width_pt, const char *text, const char *font,
          double size_pt, gboolean bold, PangoAlignment align)
{
  add_text_full (blocks, cr, width_pt, text, font, size_pt, bold, align, FALSE, FALSE);
}

static void
add_space (GArray *blocks, double height_pt, BlockKind kind)
{
  Block block = { kind, NULL, height_pt };
  g_array_append_val (blocks, block);
}

/* Draws the QR symbol's dark modules; ORIGIN_X/Y are in printer dots so
 * that every module edge lands on a dot boundary. */
static void
draw_qr (cairo_t *cr, const QRcode *code, int origin_x, int origin_y, int module_dots,
         double dot_pt)
{
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int y = 0; y < code->width; y++)
    {
      int x = 0;
      while (x < code->width)
        {
          int run;

          if ((code->data[y * code->width + x] & 1) == 0)
            {
              x++;
              continue;
            }
          /* Runs of dark modules become one rectangle: smaller PDFs and no
           * hairline gaps between neighbours in any rasterizer. */
          for (run = 1; x + run < code->width && (code->data[y * code->width + x + run] & 1); run++)
            ;
          cairo_rectangle (cr,
                           (origin_x + (SAPHAN_RECEIPT_QUIET_ZONE + x) * module_dots) * dot_pt,
                           (origin_y + (SAPHAN_RECEIPT_QUIET_ZONE + y) * module_dots) * dot_pt,
                           run * module_dots * dot_pt, module_dots * dot_pt);
          x += run;
        }
    }
  cairo_fill (cr);
}

static cairo_status_t
write_to_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
saphan_receipt_layout_render (const SaphanReceiptContent *content, SaphanMedia media, int dpi,
                              SaphanReceiptLayoutInfo *out_info, GError **error)
{
  MediaGeometry geo = media_geometry (media);
  g_autoptr (GByteArray) pdf = g_byte_array_new ();
  g_autoptr (GArray) blocks = g_array_new (FALSE, TRUE, sizeof (Block));
  g_autofree char *thai_date = NULL;
  g_autofree char *ce_date = NULL;
  g_autofree char *name_line = NULL;
  g_autofree char *number_line = NULL;
  QRcode *code;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  double width_pt = MM_TO_PT (geo.width_mm);
  double text_width_pt = MM_TO_PT (geo.width_mm - 2 * geo.margin_mm);
  double dot_pt, total_pt, height_pt, y;
  int qr_dots_wide, module_dots, page_dots_wide, qr_origin_x = 0, qr_origin_y = 0;
  double s = geo.scale;

  g_return_val_if_fail (content != NULL, NULL);
  g_return_val_if_fail (content->number != NULL && content->qr_text != NULL, NULL);

  if (dpi < 72 || dpi > 2400)
    dpi = SAPHAN_RECEIPT_DEFAULT_DPI;
  dot_pt = 72.0 / dpi;

  code = saphan_receipt_encode_qr (content->qr_text, error);
  if (code == NULL)
    return NULL;

  /* The largest whole number of dots per module that fits the printable
   * width, capped so the code stays a comfortable size for phones. */
  qr_dots_wide = code->width + 2 * SAPHAN_RECEIPT_QUIET_ZONE;
  module_dots = (int) floor (MM_TO_PT (geo.width_mm - 2 * geo.margin_mm) / dot_pt / qr_dots_wide);
  module_dots = MIN (module_dots, geo.max_module_dots * dpi / SAPHAN_RECEIPT_DEFAULT_DPI);
  if (module_dots < SAPHAN_RECEIPT_MIN_MODULE_DOTS)
    {
      QRcode_free (code);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The receipt code is too long for %s paper."), saphan_media_to_string (media));
      return NULL;
    }

  surface = cairo_pdf_surface_create_for_stream (write_to_bytes, pdf, width_pt, MM_TO_PT (297));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, content->number);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Saphan " PACKAGE_VERSION);
  cr = cairo_create (surface);
  g_array_set_clear_func (blocks, block_clear);

  /* Pass 1: measure. */
  add_text (blocks, cr, text_width_pt, content->kiosk_name, FONT_TEXT, 10 * s, TRUE, PANGO_ALIGN_CENTER);
  add_text (blocks, cr, text_width_pt, content->kiosk_location, FONT_TEXT, 8 * s, FALSE, PANGO_ALIGN_CENTER);
  add_space (blocks, MM_TO_PT (2), BLOCK_RULE);
  add_text (blocks, cr, text_width_pt,
            content->copy ? "ใบรับเรื่อง (สำเนา) / Receipt (copy)" : "ใบรับเรื่อง / Receipt",
            FONT_TEXT, 9 * s, FALSE, PANGO_ALIGN_CENTER);
  add_text_full (blocks, cr, text_width_pt, content->number, FONT_NUMBER, 22 * s, TRUE,
                 PANGO_ALIGN_CENTER, FALSE, TRUE);
  add_text (blocks, cr, text_width_pt, content->service_name, FONT_TEXT, 11 * s, TRUE, PANGO_ALIGN_CENTER);
  thai_date = saphan_receipt_format_date_thai (content->issued_at);
  ce_date = saphan_receipt_format_date_ce (content->issued_at);
  add_text_full (blocks, cr, text_width_pt, thai_date, FONT_TEXT, 9 * s, FALSE, PANGO_ALIGN_CENTER,
                 FALSE, TRUE);
  add_text (blocks, cr, text_width_pt, ce_date, FONT_TEXT, 8 * s, FALSE, PANGO_ALIGN_CENTER);
  if (content->citizen_name != NULL && *content->citizen_name != '\0')
    {
      name_line = g_strdup_printf ("ผู้ยื่น / Applicant: %s", content->citizen_name);
      add_text (blocks, cr, text_width_pt, name_line, FONT_TEXT, 9 * s, FALSE, PANGO_ALIGN_CENTER);
    }
  add_space (blocks, MM_TO_PT (1), BLOCK_SPACE);
  add_space (blocks, qr_dots_wide * module_dots * dot_pt, BLOCK_QR);
  /* Thermal paper fades: the number under the code can still be typed. */
  number_line = g_markup_printf_escaped ("เลขที่ / No. <span font_family=\"%s\">%s</span>",
                                         FONT_NUMBER, content->number);
  add_text_full (blocks, cr, text_width_pt, number_line, FONT_TEXT, 11 * s, TRUE,
                 PANGO_ALIGN_CENTER, TRUE, TRUE);
  add_space (blocks, MM_TO_PT (2), BLOCK_RULE);
  if (content->next_steps != NULL && *content->next_steps != '\0')
    {
      add_text (blocks, cr, text_width_pt, "ขั้นตอนต่อไป / What happens next", FONT_TEXT, 9 * s,
                TRUE, PANGO_ALIGN_LEFT);
      add_text (blocks, cr, text_width_pt, content->next_steps, FONT_TEXT, 9 * s, FALSE, PANGO_ALIGN_LEFT);
    }
  add_text (blocks, cr, text_width_pt,
            "ตรวจสอบใบรับได้โดยสแกน QR / Scan the QR code to verify this receipt",
            FONT_TEXT, 7 * s, FALSE, PANGO_ALIGN_CENTER);

  total_pt = MM_TO_PT (geo.top_mm);
  for (guint i = 0; i < blocks->len; i++)
    total_pt += g_array_index (blocks, Block, i).height + MM_TO_PT (1);
  total_pt += MM_TO_PT (geo.top_mm);

  if (saphan_media_is_roll (media))
    /* Whole millimetres, so that the CUPS media name matches exactly. */
    height_pt = MM_TO_PT (ceil (PT_TO_MM (total_pt)));
  else
    height_pt = MM_TO_PT (297.0);
  if (total_pt > height_pt + 0.01)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The receipt text does not fit on one page."));
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
      QRcode_free (code);
      return NULL;
    }
  cairo_pdf_surface_set_size (surface, width_pt, height_pt);

  /* Pass 2: draw. */
  page_dots_wide = (int) floor (width_pt / dot_pt);
  y = MM_TO_PT (geo.top_mm);
  for (guint i = 0; i < blocks->len; i++)
    {
      Block *block = &g_array_index (blocks, Block, i);

      switch (block->kind)
        {
        case BLOCK_TEXT:
          cairo_set_source_rgb (cr, 0, 0, 0);
          cairo_move_to (cr, MM_TO_PT (geo.margin_mm), y);
          pango_cairo_show_layout (cr, block->layout);
          break;
        case BLOCK_RULE:
          cairo_set_source_rgb (cr, 0, 0, 0);
          cairo_set_line_width (cr, 0.5);
          cairo_set_dash (cr, (double[]) { 2.0, 2.0 }, 2, 0);
          cairo_move_to (cr, MM_TO_PT (geo.margin_mm), y + block->height / 2);
          cairo_line_to (cr, width_pt - MM_TO_PT (geo.margin_mm), y + block->height / 2);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          break;
        case BLOCK_QR:
          qr_origin_x = (page_dots_wide - qr_dots_wide * module_dots) / 2;
          qr_origin_y = (int) ceil (y / dot_pt);
          draw_qr (cr, code, qr_origin_x, qr_origin_y, module_dots, dot_pt);
          /* The block was measured in whole dots; rounding its top down to a
           * dot may push it by less than one dot, which the spacing absorbs. */
          break;
        case BLOCK_SPACE:
        default:
          break;
        }
      y += block->height + MM_TO_PT (1);
    }

  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      QRcode_free (code);
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                   _("Cannot draw the receipt: %s"), cairo_status_to_string (status));
      return NULL;
    }

  if (out_info != NULL)
    {
      out_info->width_mm = geo.width_mm;
      out_info->height_mm = PT_TO_MM (height_pt);
      out_info->qr_version = code->version;
      out_info->qr_modules = code->width;
      out_info->module_dots = module_dots;
      out_info->qr_x_mm = qr_origin_x * 25.4 / dpi;
      out_info->qr_y_mm = qr_origin_y * 25.4 / dpi;
      out_info->qr_size_mm = qr_dots_wide * module_dots * 25.4 / dpi;
    }
  QRcode_free (code);
  return g_byte_array_free_to_bytes (g_steal_pointer (&pdf));
}
