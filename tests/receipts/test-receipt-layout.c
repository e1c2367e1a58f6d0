/* test-receipt-layout.c: receipts as PDF pages of the media's exact size,
 * with Thai text, dot-aligned QR codes that scan back, and the PDF fallback
 * when no printer is configured. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "receipt-test-util.h"
#include "saphan-error.h"
#include "saphan-receipt-layout.h"
#include "saphan-receipt-payload.h"
#include "saphan-receipt-print.h"

typedef struct
{
  char           *dir;
  SaphanStore    *store;
  SaphanKioskKey *key;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("saphan-layout-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rtu_store_new (f->dir);
  f->key = saphan_kiosk_key_load_or_create (f->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->key);
  g_clear_object (&f->store);
  rtu_remove_tree (f->dir);
  g_free (f->dir);
}

/* Date cases: Buddhist Era is CE + 543 with Thai month names. The time
 * zone is fixed so the cases hold anywhere. */
static void
test_dates (void)
{
  static const struct { gint64 t; const char *thai; const char *ce; } cases[] = {
    { 1795504188, "24 พฤศจิกายน พ.ศ. 2569 เวลา 14:09 น.", "2026-11-24 14:09" },
    { 1704067200, "1 มกราคม พ.ศ. 2567 เวลา 07:00 น.", "2024-01-01 07:00" },
    { 1709139600, "29 กุมภาพันธ์ พ.ศ. 2567 เวลา 00:00 น.", "2024-02-29 00:00" },
    { 1767200340, "31 ธันวาคม พ.ศ. 2568 เวลา 23:59 น.", "2025-12-31 23:59" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *thai = saphan_receipt_format_date_thai (cases[i].t);
      g_autofree char *ce = saphan_receipt_format_date_ce (cases[i].t);
      g_assert_cmpstr (thai, ==, cases[i].thai);
      g_assert_cmpstr (ce, ==, cases[i].ce);
    }
}

static void
test_mask_name (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "สมชาย ใจดี", "ส*** ใ***" },
    { "Somchai Jaidee", "S*** J***" },
    { "  เอ  ", "เ***" },
    { "", "" },
    { "นางสาว มาลี ศรีสุข", "น*** ม*** ศ***" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = saphan_receipt_mask_name (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

/* A Thai-capable font must be installed, or receipts print boxes. */
static void
test_thai_font_installed (void)
{
  g_autofree char *out = NULL;
  const char *argv[] = { "fc-list", ":lang=th", "family", NULL };
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                               &status, NULL));
  g_assert_cmpuint (strlen (out), >, 0);
}

typedef struct
{
  SaphanMedia media;
  double      width_mm;
  double      height_mm;  /* 0: fitted to content */
} MediaCase;

static const MediaCase media_cases[] = {
  { SAPHAN_MEDIA_ROLL_58, 58.0, 0 },
  { SAPHAN_MEDIA_ROLL_80, 80.0, 0 },
  { SAPHAN_MEDIA_A4, 210.0, 297.0 },
};

static gboolean
pdf_contains (GBytes *pdf, const char *needle)
{
  return memmem (g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), needle, strlen (needle)) != NULL;
}

static void
test_render_media (Fixture *f, gconstpointer data)
{
  g_autofree char *qr = NULL;
  g_autofree char *number = rtu_finalize (f->store, f->key, &qr, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (media_cases); i++)
    {
      const MediaCase *mc = &media_cases[i];
      SaphanReceiptPrintOptions options = { .citizen_name = "สมชาย ใจดี" };
      SaphanReceiptLayoutInfo info = { 0 };
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) pdf = NULL;
      g_autoptr (GPtrArray) texts = NULL;
      g_autoptr (SaphanReceiptPayload) payload = NULL;
      g_autofree char *text = NULL;
      double w = 0, h = 0, dots_per_mm = 203 / 25.4;
      gint64 start = g_get_monotonic_time ();
      gint64 usec;

      pdf = saphan_receipt_render (f->store, number, mc->media, &options, &info, &error);
      usec = g_get_monotonic_time () - start;
      g_assert_no_error (error);
      g_assert_nonnull (pdf);
      g_test_message ("%s: %.0f x %.0f mm, QR version %d, %d dots per module, rendered in %.1f ms, %zu bytes",
                      saphan_media_to_string (mc->media), info.width_mm, info.height_mm, info.qr_version,
                      info.module_dots, usec / 1000.0, g_bytes_get_size (pdf));

      /* The page is exactly the media: width always, length fitted to a
       * whole millimetre on rolls. */
      g_assert_true (rtu_pdf_media_box_mm (pdf, &w, &h));
      g_assert_cmpfloat_with_epsilon (w, mc->width_mm, 0.01);
      if (mc->height_mm > 0)
        g_assert_cmpfloat_with_epsilon (h, mc->height_mm, 0.01);
      else
        {
          g_assert_cmpfloat_with_epsilon (h, round (h), 0.01);
          g_assert_cmpfloat (h, >, 60);
          g_assert_cmpfloat (h, <, 400);
        }
      g_assert_cmpfloat_with_epsilon (h, info.height_mm, 0.01);

      /* QR modules on whole 203-dpi dots, at least four each. */
      g_assert_cmpint (info.module_dots, >=, 4);
      g_assert_cmpint (info.qr_version, <=, 13);
      g_assert_cmpfloat_with_epsilon (info.qr_x_mm * dots_per_mm, round (info.qr_x_mm * dots_per_mm), 1e-6);
      g_assert_cmpfloat_with_epsilon (info.qr_y_mm * dots_per_mm, round (info.qr_y_mm * dots_per_mm), 1e-6);
      g_assert_cmpfloat (info.qr_x_mm + info.qr_size_mm, <=, info.width_mm);

      /* Thai needs a Thai font: Pango must have embedded one. */
      g_assert_true (pdf_contains (pdf, "Garuda") || pdf_contains (pdf, "Loma") ||
                     pdf_contains (pdf, "NotoSansThai"));

      /* The text is really there, Thai included, and the citizen's name
       * only masked. */
      text = rtu_pdf_text (pdf, f->dir);
      g_assert_true (rtu_text_contains (text, number));
      g_assert_true (rtu_text_contains (text, "ที่ว่าการอำเภอบรรพตพิสัย"));
      g_assert_true (rtu_text_contains (text, "ขอรับ"));
      g_assert_true (rtu_text_contains (text, "สูงอายุ"));
      g_assert_true (rtu_text_contains (text, "พ.ศ."));
      g_assert_true (rtu_text_contains (text, "ส*** ใ***"));
      g_assert_true (rtu_text_contains (text, "15 วันทำการ"));
      g_assert_false (rtu_text_contains (text, "สมชาย"));

      /* Printed at the roll printer's resolution, the code scans back and
       * verifies. */
      texts = rtu_scan_pdf (pdf, f->dir, 203);
      g_assert_cmpuint (texts->len, ==, 1);
      g_assert_cmpstr (texts->pdata[0], ==, qr);
      payload = saphan_receipt_payload_verify (texts->pdata[0], f->dir, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (payload->number, ==, number);
    }
}

/* Without a queue the receipt goes to DATA_DIR/receipts/NUMBER.pdf and is
 * marked printed; the async variant runs off the calling thread. */
static void
print_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanReceiptPrintResult *out = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (saphan_receipt_print_finish (SAPHAN_STORE (source), result, out, &error));
  g_assert_no_error (error);
}

static void
test_pdf_fallback (Fixture *f, gconstpointer data)
{
  g_autofree char *number = rtu_finalize (f->store, f->key, NULL, NULL);
  g_autofree char *expected = g_strdup_printf ("%s/receipts/%s.pdf", f->dir, number);
  g_autoptr (SaphanReceiptInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  SaphanReceiptPrintResult result = { 0 };

  info = saphan_store_get_receipt (f->store, number, &error);
  g_assert_no_error (error);
  g_assert_false (info->printed);
  g_clear_pointer (&info, saphan_receipt_info_free);

  saphan_receipt_print_async (f->store, number, NULL, NULL, print_done_cb, &result);
  while (result.pdf_path == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (result.pdf_path, ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_test_message ("render %.1f ms, PDF saved %.1f ms after the call", result.render_usec / 1000.0,
                  result.accepted_usec / 1000.0);
  saphan_receipt_print_result_clear (&result);

  info = saphan_store_get_receipt (f->store, number, &error);
  g_assert_no_error (error);
  g_assert_true (info->printed);

  /* A mistyped number is refused before anything is drawn. */
  g_assert_false (saphan_receipt_print (f->store, "K7QM-2XD9-0", NULL, NULL, &result, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  saphan_receipt_print_result_clear (&result);
}

/* Render time over many receipts: the kiosk renders while the citizen
 * waits, so it must stay far below the one-second budget. */
static void
test_render_benchmark (Fixture *f, gconstpointer data)
{
  g_autofree char *number = rtu_finalize (f->store, f->key, NULL, NULL);
  int rounds = g_getenv ("SAPHAN_SOAK") != NULL ? 500 : 20;
  gint64 start = g_get_monotonic_time ();
  double ms;

  for (int i = 0; i < rounds; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) pdf = saphan_receipt_render (f->store, number, SAPHAN_MEDIA_ROLL_80, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (pdf);
    }
  ms = (g_get_monotonic_time () - start) / 1000.0 / rounds;
  g_test_message ("receipt render time (80 mm): %.1f ms on average over %d", ms, rounds);
  g_assert_cmpfloat (ms, <, 1000.0);
}

int
main (int argc, char **argv)
{
  /* Dates are checked in the kiosk's own zone, Asia/Bangkok (UTC+7). */
  g_setenv ("TZ", "ICT-7", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/receipts/layout/dates", test_dates);
  g_test_add_func ("/receipts/layout/mask-name", test_mask_name);
  g_test_add_func ("/receipts/layout/thai-font-installed", test_thai_font_installed);
  g_test_add ("/receipts/layout/media", Fixture, NULL, fixture_set_up, test_render_media, fixture_tear_down);
  g_test_add ("/receipts/layout/pdf-fallback", Fixture, NULL, fixture_set_up, test_pdf_fallback,
              fixture_tear_down);
  g_test_add ("/receipts/layout/benchmark", Fixture, NULL, fixture_set_up, test_render_benchmark,
              fixture_tear_down);
  return g_test_run ();
}
