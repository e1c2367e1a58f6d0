/* test-receipt-cups.c: receipts printed through a real cupsd onto real IPP
 * printers, read back from what the printer received, and saphanctl's
 * receipt and printer commands end to end. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cups-harness.h"
#include "receipt-test-util.h"
#include "saphan-error.h"
#include "saphan-printer.h"
#include "saphan-receipt-payload.h"
#include "saphan-receipt-print.h"

static CupsHarness *harness;

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

  f->dir = g_dir_make_tmp ("saphan-print-XXXXXX", &error);
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

static void
use_printer (Fixture *f, const char *queue, const char *media)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (saphan_store_set_setting (f->store, "printer.queue", queue, &error));
  g_assert_true (saphan_store_set_setting (f->store, "printer.media", media, &error));
  g_assert_no_error (error);
}

/* ---- Status ------------------------------------------------------------- */

static void
test_status (void)
{
  g_autoptr (SaphanPrinterStatus) roll = saphan_printer_get_status (HARNESS_QUEUE_ROLL80);
  g_autoptr (SaphanPrinterStatus) missing = saphan_printer_get_status ("no-such-queue");

  g_assert_true (roll->reachable);
  g_assert_true (roll->exists);
  g_assert_true (roll->accepting);
  g_assert_cmpint (roll->state, !=, 5);
  g_assert_cmpint (roll->problem, ==, SAPHAN_PRINT_OK);
  g_assert_cmpuint (roll->media_count, >, 0);
  g_assert_cmpstr (roll->make_and_model, ==, "Saphan Test Roll 80");

  g_assert_true (missing->reachable);
  g_assert_false (missing->exists);
  g_assert_cmpint (missing->problem, ==, SAPHAN_PRINT_QUEUE_NOT_FOUND);
}

/* ---- Printing ------------------------------------------------------------ */

typedef struct
{
  const char     *queue;
  HarnessPrinter  printer;
  const char     *media;
  double          width_mm;
  double          height_mm;  /* 0 for a roll: fitted to the content */
} PrintCase;

static const PrintCase case_80mm = { HARNESS_QUEUE_ROLL80, HARNESS_ROLL80, "80mm", 80, 0 };
static const PrintCase case_58mm = { HARNESS_QUEUE_ROLL80, HARNESS_ROLL80, "58mm", 58, 0 };
static const PrintCase case_a4 = { HARNESS_QUEUE_A4, HARNESS_A4, "a4", 210, 297 };

static void
test_print (Fixture *f, gconstpointer data)
{
  const PrintCase *pc = data;
  g_autofree char *qr = NULL;
  g_autofree char *number = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GPtrArray) texts = NULL;
  g_autoptr (SaphanReceiptPayload) payload = NULL;
  g_autoptr (SaphanReceiptInfo) info = NULL;
  SaphanReceiptPrintResult result = { 0 };
  SaphanReceiptPrintOptions options = { .citizen_name = "สมชาย ใจดี" };
  guint before = cups_harness_count_documents (harness, pc->printer);
  gint64 finalize_usec = 0;
  double w = 0, h = 0;

  use_printer (f, pc->queue, pc->media);
  number = rtu_finalize (f->store, f->key, &qr, &finalize_usec);
  g_assert_true (saphan_receipt_print (f->store, number, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.problem, ==, SAPHAN_PRINT_OK);
  g_assert_cmpint (result.job_id, >, 0);
  g_assert_null (result.pdf_path);
  g_test_message ("%s on %s: finalize %.1f ms, render %.1f ms, finalize to job accepted %.1f ms, "
                  "job completed after %.1f ms",
                  pc->media, pc->queue, finalize_usec / 1000.0, result.render_usec / 1000.0,
                  (finalize_usec + result.accepted_usec) / 1000.0, result.completed_usec / 1000.0);
  /* The target is a second from finalize to the job accepted, and the
   * message above gives the figure; the assertion only catches a hang, so
   * that a slow machine (or the sanitizer build) does not fail it. */
  g_assert_cmpint (finalize_usec + result.accepted_usec, <=, 30 * G_USEC_PER_SEC);

  /* What the printer got is a page of exactly the media's size. */
  received = cups_harness_take_document (harness, pc->printer, before);
  g_assert_true (rtu_pdf_media_box_mm (received, &w, &h));
  g_assert_cmpfloat_with_epsilon (w, pc->width_mm, 0.01);
  g_assert_cmpfloat_with_epsilon (h, pc->height_mm > 0 ? pc->height_mm : result.layout.height_mm, 0.01);

  /* Rasterized at the roll printer's 203 dpi, its QR code scans and
   * verifies offline. */
  texts = rtu_scan_pdf (received, f->dir, 203);
  g_assert_cmpuint (texts->len, ==, 1);
  g_assert_cmpstr (texts->pdata[0], ==, qr);
  payload = saphan_receipt_payload_verify (texts->pdata[0], f->dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (payload->number, ==, number);
  g_assert_cmpstr (payload->form_id, ==, "demo-elderly-allowance");

  info = saphan_store_get_receipt (f->store, number, &error);
  g_assert_no_error (error);
  g_assert_true (info->printed);
  g_assert_cmpint (info->print_count, ==, 1);
  g_assert_cmpuint (cups_harness_active_jobs (harness, pc->queue), ==, 0);
  saphan_receipt_print_result_clear (&result);
}

/* ---- saphanctl ---------------------------------------------------------- */

static char *
run_ctl (Fixture *f, int expect_status, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) SAPHANCTL);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, f->dir);
  for (int i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, 0, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != expect_status)
    g_error ("saphanctl %s exited with %d, expected %d\nstdout: %s\nstderr: %s", args[0],
             WIFEXITED (status) ? WEXITSTATUS (status) : -1, expect_status, out, err);
  return g_steal_pointer (&out);
}

static JsonObject *
parse_object (const char *text, JsonParser **out_parser)
{
  g_autoptr (GError) error = NULL;
  JsonParser *parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  *out_parser = parser;
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_cli (Fixture *f, gconstpointer data)
{
  g_autofree char *qr = NULL;
  g_autofree char *number = NULL;
  g_autofree char *out = NULL;
  g_autofree char *pdf_path = g_build_filename (f->dir, "rendered.pdf", NULL);
  g_autofree char *png_prefix = g_build_filename (f->dir, "photo", NULL);
  g_autofree char *png_path = g_build_filename (f->dir, "photo.png", NULL);
  g_autofree char *expect_valid = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *pdf_data = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GBytes) pdf = NULL;
  JsonObject *obj;
  gsize pdf_len = 0;
  guint before;
  double w = 0, h = 0;

  number = rtu_finalize (f->store, f->key, &qr, NULL);

  out = run_ctl (f, 0, (const char *[]) { "--json", "keys", "show", NULL });
  obj = parse_object (out, &parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "key_id"), ==, saphan_kiosk_key_get_id (f->key));
  g_clear_object (&parser);
  g_clear_pointer (&out, g_free);

  /* printer set and status. */
  g_free (run_ctl (f, 0, (const char *[]) { "printer", "set", HARNESS_QUEUE_ROLL80, "--media", "80mm", NULL }));
  out = run_ctl (f, 0, (const char *[]) { "printer", "status", "--json", NULL });
  obj = parse_object (out, &parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "queue"), ==, HARNESS_QUEUE_ROLL80);
  g_assert_cmpstr (json_object_get_string_member (obj, "problem"), ==, "ok");
  g_assert_true (json_object_get_boolean_member (obj, "reachable"));
  g_clear_object (&parser);
  g_clear_pointer (&out, g_free);

  /* A reprint by number, typed in lower case without dashes. */
  before = cups_harness_count_documents (harness, HARNESS_ROLL80);
  {
    g_autofree char *typed = g_ascii_strdown (number, -1);
    char *p, *q;
    for (p = q = typed; *p != '\0'; p++)
      if (*p != '-')
        *q++ = *p;
    *q = '\0';
    out = run_ctl (f, 0, (const char *[]) { "receipt", "print", typed, NULL });
  }
  g_assert_nonnull (strstr (out, "printed (job"));
  g_clear_pointer (&out, g_free);
  g_bytes_unref (cups_harness_take_document (harness, HARNESS_ROLL80, before));

  out = run_ctl (f, 0, (const char *[]) { "printer", "test", NULL });
  g_assert_nonnull (strstr (out, "Test page printed"));
  g_clear_pointer (&out, g_free);
  g_bytes_unref (cups_harness_take_document (harness, HARNESS_ROLL80, before + 1));

  /* Render to a file, photograph it (a PNG at 203 dpi), verify the photo. */
  g_free (run_ctl (f, 0, (const char *[]) { "receipt", "render", number, "-o", pdf_path, "--media", "58mm", NULL }));
  g_assert_true (g_file_get_contents (pdf_path, &pdf_data, &pdf_len, NULL));
  pdf = g_bytes_new_take (g_steal_pointer (&pdf_data), pdf_len);
  g_assert_true (rtu_pdf_media_box_mm (pdf, &w, &h));
  g_assert_cmpfloat_with_epsilon (w, 58.0, 0.01);
  {
    const char *argv[] = { "pdftoppm", "-r", "203", "-png", "-singlefile", pdf_path, png_prefix, NULL };
    int status = 0;
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                 &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  expect_valid = g_strdup_printf ("valid, signed by kiosk %s", saphan_kiosk_key_get_id (f->key));
  out = run_ctl (f, 0, (const char *[]) { "receipt", "verify", "--image", png_path, NULL });
  g_assert_nonnull (strstr (out, expect_valid));
  g_assert_nonnull (strstr (out, number));
  g_clear_pointer (&out, g_free);

  out = run_ctl (f, 0, (const char *[]) { "receipt", "verify", qr, NULL });
  g_assert_nonnull (strstr (out, expect_valid));
  g_clear_pointer (&out, g_free);

  /* A forged receipt: one character of the code changed. */
  forged = g_strdup (qr);
  forged[40] = forged[40] == 'A' ? 'B' : 'A';
  out = run_ctl (f, 1, (const char *[]) { "--json", "receipt", "verify", forged, NULL });
  obj = parse_object (out, &parser);
  g_assert_false (json_object_get_boolean_member (obj, "valid"));
  g_assert_cmpstr (json_object_get_string_member (obj, "verdict"), !=, "valid");
  g_clear_object (&parser);
  g_clear_pointer (&out, g_free);

  out = run_ctl (f, 1, (const char *[]) { "receipt", "verify", "HELLO", NULL });
  g_assert_nonnull (strstr (out, "wrong-prefix"));
}

static void
skip_all (gconstpointer reason)
{
  g_test_skip (reason);
}

int
main (int argc, char **argv)
{
  g_autofree char *skip_reason = NULL;
  int status;

  g_setenv ("TZ", "ICT-7", TRUE);
  g_test_init (&argc, &argv, NULL);
  harness = cups_harness_start (&skip_reason);
  if (harness == NULL)
    {
      g_test_add_data_func ("/receipts/cups/skipped", skip_reason, skip_all);
      return g_test_run ();
    }
  g_test_add_func ("/receipts/cups/status", test_status);
  g_test_add ("/receipts/cups/print/80mm", Fixture, &case_80mm, fixture_set_up, test_print, fixture_tear_down);
  g_test_add ("/receipts/cups/print/58mm", Fixture, &case_58mm, fixture_set_up, test_print, fixture_tear_down);
  g_test_add ("/receipts/cups/print/a4", Fixture, &case_a4, fixture_set_up, test_print, fixture_tear_down);
  g_test_add ("/receipts/cups/saphanctl", Fixture, NULL, fixture_set_up, test_cli, fixture_tear_down);
  status = g_test_run ();
  cups_harness_stop (harness);
  return status;
}
