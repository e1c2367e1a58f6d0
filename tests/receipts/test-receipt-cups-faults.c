/* test-receipt-cups-faults.c: what the citizen and staff see when printing
 * fails, with a real cupsd: queue paused, queue rejecting jobs, job
 * cancelled, printer switched off, cupsd not running. Each time the
 * receipt must be marked unprinted, no job may linger, and a reprint must
 * work once the fault is gone. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "cups-harness.h"
#include "receipt-test-util.h"
#include "saphan-error.h"
#include "saphan-printer.h"
#include "saphan-receipt-print.h"

static CupsHarness *harness;

typedef struct
{
  char           *dir;
  SaphanStore    *store;
  SaphanKioskKey *key;
  char           *number;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("saphan-fault-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rtu_store_new (f->dir);
  f->key = saphan_kiosk_key_load_or_create (f->dir, &error);
  g_assert_no_error (error);
  g_assert_true (saphan_store_set_setting (f->store, "printer.queue", HARNESS_QUEUE_ROLL80, &error));
  g_assert_true (saphan_store_set_setting (f->store, "printer.media", "80mm", &error));
  g_assert_no_error (error);
  f->number = rtu_finalize (f->store, f->key, NULL, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->key);
  g_clear_object (&f->store);
  rtu_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->number);
}

static void
assert_printed (Fixture *f, gboolean printed, int count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanReceiptInfo) info = saphan_store_get_receipt (f->store, f->number, &error);

  g_assert_no_error (error);
  g_assert_cmpint (info->printed, ==, printed);
  g_assert_cmpint (info->print_count, ==, count);
}

/* The print fails with PROBLEM, error CODE and a message naming the cause;
 * the receipt is unprinted and nothing waits in the queue. */
static void
expect_failure (Fixture *f, const char *queue, SaphanPrintProblem problem, int code, const char *word)
{
  g_autoptr (GError) error = NULL;
  SaphanReceiptPrintResult result = { 0 };

  g_assert_false (saphan_receipt_print (f->store, f->number, NULL, NULL, &result, &error));
  g_assert_cmpstr (saphan_print_problem_to_string (result.problem), ==, saphan_print_problem_to_string (problem));
  g_assert_error (error, SAPHAN_ERROR, code);
  g_assert_nonnull (strstr (error->message, word));
  g_assert_nonnull (strstr (error->message, "submission is saved"));
  g_test_message ("%s: %s", saphan_print_problem_to_string (problem), error->message);
  assert_printed (f, FALSE, 0);
  if (problem != SAPHAN_PRINT_SERVER_UNAVAILABLE)
    g_assert_cmpuint (cups_harness_active_jobs (harness, queue), ==, 0);
  saphan_receipt_print_result_clear (&result);
}

/* Staff reprint once the fault is fixed, and the printer gets it. */
static void
expect_reprint (Fixture *f, HarnessPrinter printer)
{
  g_autoptr (GError) error = NULL;
  SaphanReceiptPrintResult result = { 0 };
  guint before = cups_harness_count_documents (harness, printer);

  g_assert_true (saphan_receipt_print (f->store, f->number, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.problem, ==, SAPHAN_PRINT_OK);
  assert_printed (f, TRUE, 1);
  g_bytes_unref (cups_harness_take_document (harness, printer, before));
  saphan_receipt_print_result_clear (&result);
}

/* ---- printer-state-reasons ---------------------------------------------- */

static void
test_reasons (void)
{
  static const struct { const char *reasons; SaphanPrintProblem problem; } cases[] = {
    { NULL, SAPHAN_PRINT_OK },
    { "none", SAPHAN_PRINT_OK },
    { "media-low-warning", SAPHAN_PRINT_OK },
    { "media-empty", SAPHAN_PRINT_OUT_OF_PAPER },
    { "media-empty-error", SAPHAN_PRINT_OUT_OF_PAPER },
    { "media-needed-report", SAPHAN_PRINT_OUT_OF_PAPER },
    { "paused", SAPHAN_PRINT_STOPPED },
    { "offline-report", SAPHAN_PRINT_OFFLINE },
    { "cover-open-error", SAPHAN_PRINT_ABORTED },
    { "media-jam", SAPHAN_PRINT_ABORTED },
    { "paused,media-empty-error", SAPHAN_PRINT_OUT_OF_PAPER },
    { "toner-low-warning,offline", SAPHAN_PRINT_OFFLINE },
    { "connecting-to-device", SAPHAN_PRINT_OK },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (saphan_print_problem_to_string (saphan_printer_problem_from_reasons (cases[i].reasons)), ==,
                     saphan_print_problem_to_string (cases[i].problem));
}

/* ---- Faults -------------------------------------------------------------- */

static void
test_paused (Fixture *f, gconstpointer data)
{
  g_autoptr (SaphanPrinterStatus) status = NULL;

  cups_harness_run (harness, (const char *[]) { "cupsdisable", HARNESS_QUEUE_ROLL80, NULL });
  status = saphan_printer_get_status (HARNESS_QUEUE_ROLL80);
  g_assert_cmpint (status->state, ==, 5);
  g_assert_cmpint (status->problem, ==, SAPHAN_PRINT_STOPPED);
  expect_failure (f, HARNESS_QUEUE_ROLL80, SAPHAN_PRINT_STOPPED, SAPHAN_ERROR_STATE, "paused");
  cups_harness_run (harness, (const char *[]) { "cupsenable", HARNESS_QUEUE_ROLL80, NULL });
  expect_reprint (f, HARNESS_ROLL80);
}

static void
test_rejecting (Fixture *f, gconstpointer data)
{
  cups_harness_run (harness, (const char *[]) { "cupsreject", HARNESS_QUEUE_ROLL80, NULL });
  expect_failure (f, HARNESS_QUEUE_ROLL80, SAPHAN_PRINT_NOT_ACCEPTING, SAPHAN_ERROR_STATE, "does not accept");
  cups_harness_run (harness, (const char *[]) { "cupsaccept", HARNESS_QUEUE_ROLL80, NULL });
  expect_reprint (f, HARNESS_ROLL80);
}

/* Cancels once the kiosk's job is in the queue; a slow (sanitized) build
 * may take a while to get it there. */
static gboolean
cancel_all_cb (gpointer data)
{
  if (cups_harness_active_jobs (harness, HARNESS_QUEUE_ROLL80) == 0)
    return G_SOURCE_CONTINUE;
  cups_harness_run (harness, (const char *[]) { "cancel", "-a", HARNESS_QUEUE_ROLL80, NULL });
  return G_SOURCE_REMOVE;
}

static void
print_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError **out_error = user_data;
  SaphanReceiptPrintResult r = { 0 };

  g_assert_false (saphan_receipt_print_finish (SAPHAN_STORE (source), result, &r, out_error));
  g_assert_nonnull (*out_error);
  g_assert_cmpint (r.problem, ==, SAPHAN_PRINT_CANCELED);
  g_assert_cmpint (r.job_id, >, 0);
  saphan_receipt_print_result_clear (&r);
}

/* Staff cancel the job at the CUPS queue while the kiosk follows it: jobs
 * are held so that the cancel surely comes first. The print runs on a
 * worker thread, as in the kiosk. */
static void
test_cancelled (Fixture *f, gconstpointer data)
{
  GError *error = NULL;

  cups_harness_run (harness, (const char *[]) { "lpadmin", "-p", HARNESS_QUEUE_ROLL80, "-o",
                                                "job-hold-until-default=indefinite", NULL });
  saphan_receipt_print_async (f->store, f->number, NULL, NULL, print_done_cb, &error);
  g_timeout_add (250, cancel_all_cb, NULL);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "cancelled"));
  g_clear_error (&error);
  assert_printed (f, FALSE, 0);
  g_assert_cmpuint (cups_harness_active_jobs (harness, HARNESS_QUEUE_ROLL80), ==, 0);

  cups_harness_run (harness, (const char *[]) { "lpadmin", "-p", HARNESS_QUEUE_ROLL80, "-o",
                                                "job-hold-until-default=no-hold", NULL });
  expect_reprint (f, HARNESS_ROLL80);
}

/* The printer is switched off: CUPS keeps trying to connect and the kiosk
 * gives up after printer.timeout, cancelling its job. */
static void
test_printer_off (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (saphan_store_set_setting (f->store, "printer.queue", HARNESS_QUEUE_A4, &error));
  g_assert_true (saphan_store_set_setting (f->store, "printer.media", "a4", &error));
  g_assert_true (saphan_store_set_setting (f->store, "printer.timeout", "8", &error));
  cups_harness_stop_printer (harness, HARNESS_A4);
  expect_failure (f, HARNESS_QUEUE_A4, SAPHAN_PRINT_OFFLINE, SAPHAN_ERROR_NETWORK, "switched off");
  cups_harness_start_printer (harness, HARNESS_A4);
  expect_reprint (f, HARNESS_A4);
}

static void
test_cupsd_down (Fixture *f, gconstpointer data)
{
  g_autoptr (SaphanPrinterStatus) status = NULL;

  cups_harness_stop_cupsd (harness);
  status = saphan_printer_get_status (HARNESS_QUEUE_ROLL80);
  g_assert_false (status->reachable);
  g_assert_cmpint (status->problem, ==, SAPHAN_PRINT_SERVER_UNAVAILABLE);
  expect_failure (f, HARNESS_QUEUE_ROLL80, SAPHAN_PRINT_SERVER_UNAVAILABLE, SAPHAN_ERROR_NETWORK,
                  "not running");
  cups_harness_start_cupsd (harness);
  expect_reprint (f, HARNESS_ROLL80);
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

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/receipts/cups-faults/reasons", test_reasons);
  harness = cups_harness_start (&skip_reason);
  if (harness == NULL)
    {
      g_test_add_data_func ("/receipts/cups-faults/skipped", skip_reason, skip_all);
      return g_test_run ();
    }
  g_test_add ("/receipts/cups-faults/paused", Fixture, NULL, fixture_set_up, test_paused, fixture_tear_down);
  g_test_add ("/receipts/cups-faults/rejecting", Fixture, NULL, fixture_set_up, test_rejecting, fixture_tear_down);
  g_test_add ("/receipts/cups-faults/cancelled", Fixture, NULL, fixture_set_up, test_cancelled, fixture_tear_down);
  g_test_add ("/receipts/cups-faults/printer-off", Fixture, NULL, fixture_set_up, test_printer_off,
              fixture_tear_down);
  g_test_add ("/receipts/cups-faults/cupsd-down", Fixture, NULL, fixture_set_up, test_cupsd_down,
              fixture_tear_down);
  status = g_test_run ();
  cups_harness_stop (harness);
  return status;
}
