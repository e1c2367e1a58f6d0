/* ctl-receipt.c: kiosk keys, receipt verification and the receipt printer. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ctl.h"
#include "saphan-error.h"
#include "saphan-kiosk-key.h"
#include "saphan-paths.h"
#include "saphan-printer.h"
#include "saphan-qr-scan.h"
#include "saphan-receipt-layout.h"
#include "saphan-receipt-number.h"
#include "saphan-receipt-payload.h"
#include "saphan-receipt-print.h"

static void
json_member_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static gboolean
parse_media_option (const char *command, const char *text, SaphanMedia *out_media)
{
  if (text == NULL)
    return TRUE;
  if (!saphan_media_from_string (text, out_media))
    {
      ctl_usage (command, _("--media must be 58mm, 80mm or a4, not “%s”"), text);
      return FALSE;
    }
  return TRUE;
}

/* ---- keys --------------------------------------------------------------- */

static int
cmd_keys_show (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (GPtrArray) trusted = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *label = NULL;
  g_autofree char *exported = NULL;
  SaphanStore *store;

  if (!ctl_parse ("keys show", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (!saphan_paths_ensure_data_dir (ctx->data_dir, &error) ||
      (key = saphan_kiosk_key_load_or_create (ctx->data_dir, &error)) == NULL ||
      (trusted = saphan_keyring_list (ctx->data_dir, &error)) == NULL)
    return ctl_fail (ctx, error);
  store = ctl_store (ctx, NULL);
  if (store != NULL)
    label = saphan_store_get_setting (store, "kiosk.name", NULL);
  b64 = saphan_kiosk_key_get_public_base64 (key);
  exported = saphan_kiosk_key_export_public (key, label);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_member_string (b, "key_id", saphan_kiosk_key_get_id (key));
      json_member_string (b, "algorithm", "Ed25519");
      json_member_string (b, "public_key", b64);
      json_member_string (b, "public_key_file", exported);
      json_builder_set_member_name (b, "trusted");
      json_builder_begin_array (b);
      for (guint i = 0; i < trusted->len; i++)
        json_builder_add_string_value (b, trusted->pdata[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }
  printf (_("Key ID:      %s\n"), saphan_kiosk_key_get_id (key));
  printf (_("Algorithm:   Ed25519\n"));
  printf (_("Public key:  %s\n"), b64);
  printf (_("Trusted keys (%u):\n"), trusted->len);
  for (guint i = 0; i < trusted->len; i++)
    printf ("  %s%s\n", (char *) trusted->pdata[i],
            g_str_equal (trusted->pdata[i], saphan_kiosk_key_get_id (key)) ? _(" (this kiosk)") : "");
  printf ("\n%s\n", _("Public key file (save it and import it elsewhere with “saphanctl keys trust FILE”):"));
  printf ("%s", exported);
  return CTL_EXIT_OK;
}

static int
cmd_keys_trust (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;

  if (!ctl_parse ("keys trust", "FILE", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("keys trust", _("needs exactly one public key file"));
  if (!saphan_paths_ensure_data_dir (ctx->data_dir, &error) ||
      (id = saphan_keyring_trust_file (ctx->data_dir, argv[1], &error)) == NULL)
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_member_string (b, "trusted", id);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    printf (_("Trusted kiosk key %s.\n"), id);
  return CTL_EXIT_OK;
}

/* ---- receipt ------------------------------------------------------------ */

static void
print_payload (CtlContext *ctx, const SaphanReceiptPayload *p, SaphanReceiptVerdict verdict,
               const char *message)
{
  g_autofree char *sha = NULL;
  g_autofree char *issued = NULL;

  if (p != NULL)
    {
      GString *hex = g_string_new (NULL);
      for (int i = 0; i < 32; i++)
        g_string_append_printf (hex, "%02x", p->submission_sha256[i]);
      sha = g_string_free (hex, FALSE);
      issued = ctl_format_time (p->issued_at);
    }

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, verdict == SAPHAN_RECEIPT_VALID);
      json_member_string (b, "verdict", saphan_receipt_verdict_to_string (verdict));
      json_member_string (b, "message", message);
      if (p != NULL)
        {
          json_member_string (b, "number", p->number);
          json_member_string (b, "kiosk_id", p->kiosk_id);
          json_member_string (b, "key_id", p->key_id);
          json_member_string (b, "form_id", p->form_id);
          json_member_string (b, "form_version", p->form_version);
          json_member_string (b, "instance_id", p->instance_id);
          json_builder_set_member_name (b, "issued_at");
          json_builder_add_int_value (b, p->issued_at);
          json_member_string (b, "submission_sha256", sha);
        }
      json_builder_end_object (b);
      ctl_print_json (b);
      return;
    }
  if (p != NULL)
    {
      printf (_("Receipt:     %s\n"), p->number);
      printf (_("Kiosk:       %s (key %s)\n"), p->kiosk_id, p->key_id);
      printf (_("Form:        %s (version %s)\n"), p->form_id, p->form_version);
      printf (_("Instance ID: %s\n"), p->instance_id);
      printf (_("Issued:      %s\n"), issued);
      printf (_("SHA-256:     %s\n"), sha);
    }
  if (verdict == SAPHAN_RECEIPT_VALID)
    printf (_("valid, signed by kiosk %s\n"), p->key_id);
  else
    printf (_("NOT valid (%s): %s\n"), saphan_receipt_verdict_to_string (verdict), message);
}

static int
cmd_receipt_verify (CtlContext *ctx, int argc, char **argv)
{
  g_autofree char *image = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) texts = NULL;
  g_autoptr (SaphanReceiptPayload) payload = NULL;
  g_autoptr (SaphanReceiptPayload) unverified = NULL;
  SaphanReceiptVerdict verdict = SAPHAN_RECEIPT_MALFORMED;
  const char *text;
  GOptionEntry entries[] = {
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image, N_("Read the QR code from a PNG image"), "FILE.png" },
    { NULL },
  };

  if (!ctl_parse ("receipt verify", "TEXT | --image FILE.png", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if ((image == NULL && argc != 2) || (image != NULL && argc != 1))
    return ctl_usage ("receipt verify", _("needs the receipt code text or --image FILE.png"));

  if (image != NULL)
    {
      texts = saphan_qr_scan_png (image, &error);
      if (texts == NULL)
        return ctl_fail (ctx, error);
      if (texts->len == 0)
        {
          g_set_error (&error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("No QR code was found in %s. Take a sharper, straighter photo."), image);
          return ctl_fail (ctx, error);
        }
      text = texts->pdata[0];
    }
  else
    text = argv[1];

  payload = saphan_receipt_payload_verify (text, ctx->data_dir, &verdict, &unverified, &error);
  print_payload (ctx, payload != NULL ? payload : unverified, verdict,
                 error != NULL ? error->message : NULL);
  return payload != NULL ? CTL_EXIT_OK : CTL_EXIT_REFUSED;
}

static void
print_result (CtlContext *ctx, const char *number, const SaphanReceiptPrintResult *r,
              const GError *error)
{
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_member_string (b, "number", number);
      json_builder_set_member_name (b, "printed");
      json_builder_add_boolean_value (b, error == NULL);
      json_member_string (b, "problem", saphan_print_problem_to_string (r->problem));
      json_member_string (b, "message", error != NULL ? error->message : NULL);
      json_builder_set_member_name (b, "job_id");
      json_builder_add_int_value (b, r->job_id);
      json_member_string (b, "pdf", r->pdf_path);
      json_builder_set_member_name (b, "render_ms");
      json_builder_add_double_value (b, r->render_usec / 1000.0);
      json_builder_set_member_name (b, "accepted_ms");
      json_builder_add_double_value (b, r->accepted_usec / 1000.0);
      json_builder_set_member_name (b, "height_mm");
      json_builder_add_double_value (b, r->layout.height_mm);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (error == NULL && r->pdf_path != NULL)
    printf (_("No printer is set up; receipt %s saved as %s\n"), number, r->pdf_path);
  else if (error == NULL)
    printf (_("Receipt %s printed (job %d).\n"), number, r->job_id);
}

static int
cmd_receipt_print (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *media_text = NULL;
  SaphanReceiptPrintOptions options = { 0 };
  SaphanReceiptPrintResult result = { 0 };
  SaphanStore *store;
  gboolean ok;
  GOptionEntry entries[] = {
    { "media", 0, 0, G_OPTION_ARG_STRING, &media_text, N_("Paper: 58mm, 80mm or a4"), "MEDIA" },
    { NULL },
  };

  if (!ctl_parse ("receipt print", "NUMBER", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("receipt print", _("needs exactly one receipt number"));
  if (!parse_media_option ("receipt print", media_text, &options.media))
    return CTL_EXIT_USAGE;
  options.have_media = media_text != NULL;
  store = ctl_store (ctx, &error);
  if (store == NULL)
    return ctl_fail (ctx, error);
  ok = saphan_receipt_print (store, argv[1], &options, NULL, &result, &error);
  print_result (ctx, argv[1], &result, error);
  saphan_receipt_print_result_clear (&result);
  if (!ok)
    return ctx->json ? saphan_error_exit_code (error) : ctl_fail (ctx, error);
  return CTL_EXIT_OK;
}

static int
cmd_receipt_render (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *media_text = NULL;
  g_autofree char *output = NULL;
  g_autoptr (GBytes) pdf = NULL;
  SaphanReceiptPrintOptions options = { 0 };
  SaphanReceiptLayoutInfo info = { 0 };
  SaphanMedia media = SAPHAN_MEDIA_ROLL_80;
  SaphanStore *store;
  gint64 start;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the PDF here"), "FILE.pdf" },
    { "media", 0, 0, G_OPTION_ARG_STRING, &media_text, N_("Paper: 58mm, 80mm or a4"), "MEDIA" },
    { NULL },
  };

  if (!ctl_parse ("receipt render", "NUMBER -o FILE.pdf", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2 || output == NULL)
    return ctl_usage ("receipt render", _("needs a receipt number and -o FILE.pdf"));
  if (!parse_media_option ("receipt render", media_text, &media))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL)
    return ctl_fail (ctx, error);
  start = g_get_monotonic_time ();
  pdf = saphan_receipt_render (store, argv[1], media, &options, &info, &error);
  if (pdf == NULL)
    return ctl_fail (ctx, error);
  if (!g_file_set_contents (output, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_member_string (b, "pdf", output);
      json_member_string (b, "media", saphan_media_to_string (media));
      json_builder_set_member_name (b, "width_mm");
      json_builder_add_double_value (b, info.width_mm);
      json_builder_set_member_name (b, "height_mm");
      json_builder_add_double_value (b, info.height_mm);
      json_builder_set_member_name (b, "qr_version");
      json_builder_add_int_value (b, info.qr_version);
      json_builder_set_member_name (b, "module_dots");
      json_builder_add_int_value (b, info.module_dots);
      json_builder_set_member_name (b, "render_ms");
      json_builder_add_double_value (b, (g_get_monotonic_time () - start) / 1000.0);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    printf (_("Wrote %s (%s, %.0f × %.0f mm, QR version %d).\n"), output,
            saphan_media_to_string (media), info.width_mm, info.height_mm, info.qr_version);
  return CTL_EXIT_OK;
}

/* ---- printer ------------------------------------------------------------ */

static int
cmd_printer_set (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *media_text = NULL;
  SaphanMedia media = SAPHAN_MEDIA_ROLL_80;
  SaphanStore *store;
  const char *queue;
  GOptionEntry entries[] = {
    { "media", 0, 0, G_OPTION_ARG_STRING, &media_text, N_("Paper: 58mm, 80mm or a4"), "MEDIA" },
    { NULL },
  };

  if (!ctl_parse ("printer set", "QUEUE|none [--media 58mm|80mm|a4]", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("printer set", _("needs a CUPS queue name, or “none” for PDF files"));
  if (!parse_media_option ("printer set", media_text, &media))
    return CTL_EXIT_USAGE;
  /* "none" removes the setting: receipts then go to PDF files. */
  queue = g_str_equal (argv[1], "none") ? NULL : argv[1];
  store = ctl_store (ctx, &error);
  if (store == NULL || !saphan_store_set_setting (store, "printer.queue", queue, &error) ||
      (media_text != NULL &&
       !saphan_store_set_setting (store, "printer.media", saphan_media_to_string (media), &error)))
    return ctl_fail (ctx, error);
  if (!ctx->json)
    {
      if (queue == NULL)
        printf (_("No printer: receipts are saved as PDF files.\n"));
      else
        printf (_("Receipts print on %s.\n"), queue);
    }
  return CTL_EXIT_OK;
}

static int
cmd_printer_status (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *media = NULL;
  g_autoptr (SaphanPrinterStatus) status = NULL;
  SaphanStore *store;

  if (!ctl_parse ("printer status", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL)
    return ctl_fail (ctx, error);
  queue = saphan_store_get_setting (store, "printer.queue", NULL);
  media = saphan_store_get_setting (store, "printer.media", NULL);
  if (queue != NULL && *queue != '\0')
    status = saphan_printer_get_status (queue);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autofree char *dir = saphan_paths_receipts_dir (ctx->data_dir);

      json_builder_begin_object (b);
      json_member_string (b, "queue", status != NULL ? status->queue : NULL);
      json_member_string (b, "media", media != NULL && *media != '\0' ? media : "80mm");
      json_member_string (b, "pdf_folder", dir);
      if (status != NULL)
        {
          json_member_string (b, "server", status->server);
          json_builder_set_member_name (b, "reachable");
          json_builder_add_boolean_value (b, status->reachable);
          json_builder_set_member_name (b, "state");
          json_builder_add_int_value (b, status->state);
          json_builder_set_member_name (b, "accepting");
          json_builder_add_boolean_value (b, status->accepting);
          json_member_string (b, "reasons", status->reasons);
          json_member_string (b, "make_and_model", status->make_and_model);
          json_builder_set_member_name (b, "media_count");
          json_builder_add_int_value (b, status->media_count);
          json_member_string (b, "problem", saphan_print_problem_to_string (status->problem));
          json_member_string (b, "message", status->problem_message);
        }
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (status == NULL)
    {
      g_autofree char *dir = saphan_paths_receipts_dir (ctx->data_dir);
      printf (_("No printer is set up; receipts are saved as PDF in %s\n"), dir);
    }
  else
    {
      printf (_("Queue:    %s on %s\n"), status->queue, status->server != NULL ? status->server : "-");
      printf (_("Media:    %s\n"), media != NULL && *media != '\0' ? media : "80mm");
      if (status->exists)
        {
          printf (_("Printer:  %s\n"), status->make_and_model != NULL ? status->make_and_model : "-");
          printf (_("State:    %s%s\n"),
                  status->state == 5 ? _("stopped") : status->state == 4 ? _("printing") : _("idle"),
                  status->accepting ? "" : _(", not accepting jobs"));
          printf (_("Reasons:  %s\n"), status->reasons != NULL ? status->reasons : "none");
        }
      printf (_("Status:   %s — %s\n"), saphan_print_problem_to_string (status->problem),
              status->problem_message);
    }
  return status == NULL || status->problem == SAPHAN_PRINT_OK ? CTL_EXIT_OK : CTL_EXIT_ENVIRONMENT;
}

static int
cmd_printer_test (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *media_text = NULL;
  g_autofree char *qr = NULL;
  g_autofree char *number = saphan_receipt_number_new ();
  g_autofree char *kiosk_name = NULL;
  g_autofree char *media_name = NULL;
  SaphanReceiptPayload payload = { 0 };
  SaphanReceiptContent content = { 0 };
  SaphanReceiptLayoutInfo info = { 0 };
  SaphanPrintJobResult job = { 0 };
  SaphanPrintProblem problem = SAPHAN_PRINT_OK;
  SaphanMedia media = SAPHAN_MEDIA_ROLL_80;
  SaphanStore *store;

  if (!ctl_parse ("printer test", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL || (key = saphan_kiosk_key_load_or_create (ctx->data_dir, &error)) == NULL)
    return ctl_fail (ctx, error);
  queue = saphan_store_get_setting (store, "printer.queue", NULL);
  media_text = saphan_store_get_setting (store, "printer.media", NULL);
  if (media_text != NULL && !saphan_media_from_string (media_text, &media))
    media = SAPHAN_MEDIA_ROLL_80;
  kiosk_name = saphan_store_get_setting (store, "kiosk.name", NULL);

  /* A real signed code, so the test page also proves the scan path; it
   * belongs to no submission and is not stored. */
  payload.number = number;
  payload.kiosk_id = (char *) saphan_kiosk_key_get_id (key);
  payload.form_id = (char *) "printer-test";
  payload.form_version = (char *) "1";
  payload.instance_id = (char *) "uuid:00000000-0000-4000-8000-000000000000";
  payload.issued_at = g_get_real_time () / G_USEC_PER_SEC;
  qr = saphan_receipt_payload_encode (&payload, key, &error);
  if (qr == NULL)
    return ctl_fail (ctx, error);
  content.number = number;
  content.qr_text = qr;
  content.service_name = _("Printer test");
  content.kiosk_name = kiosk_name;
  content.next_steps = _("This page only tests the printer. It is not a receipt.");
  content.issued_at = payload.issued_at;
  pdf = saphan_receipt_layout_render (&content, media, SAPHAN_RECEIPT_DEFAULT_DPI, &info, &error);
  if (pdf == NULL)
    return ctl_fail (ctx, error);

  if (queue == NULL || *queue == '\0')
    {
      g_autofree char *dir = saphan_paths_receipts_dir (ctx->data_dir);
      g_autofree char *path = g_build_filename (dir, "printer-test.pdf", NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0 ||
          !saphan_write_file_atomic (path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf),
                                     0600, &error))
        {
          if (error == NULL)
            g_set_error (&error, SAPHAN_ERROR, SAPHAN_ERROR_IO, _("Cannot create %s"), dir);
          return ctl_fail (ctx, error);
        }
      printf (_("No printer is set up; the test page was saved as %s\n"), path);
      return CTL_EXIT_OK;
    }
  media_name = saphan_media_is_roll (media)
                   ? g_strdup_printf ("custom_%.0fx%.0fmm_%.0fx%.0fmm", info.width_mm, info.height_mm,
                                      info.width_mm, info.height_mm)
                   : g_strdup ("iso_a4_210x297mm");
  if (!saphan_printer_print_pdf (queue, pdf, media_name, "printer test", 60000, NULL, &job,
                                 &problem, &error))
    {
      if (!ctx->json)
        fprintf (stderr, "%s: %s\n", saphan_print_problem_to_string (problem), error->message);
      return ctl_fail (ctx, error);
    }
  printf (_("Test page printed on %s (job %d, accepted in %.0f ms).\n"), queue, job.job_id,
          job.accepted_usec / 1000.0);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_receipt_commands[] = {
  { "keys", "show", "", N_("The kiosk's public key, its id and the trusted keys"), cmd_keys_show },
  { "keys", "trust", "FILE", N_("Trust another kiosk's public key file"), cmd_keys_trust },
  { "receipt", "verify", "TEXT | --image FILE.png", N_("Check a receipt's QR code offline"),
    cmd_receipt_verify },
  { "receipt", "print", "NUMBER [--media M]", N_("Print (or reprint) a receipt"), cmd_receipt_print },
  { "receipt", "render", "NUMBER -o FILE.pdf [--media M]", N_("Write a receipt as PDF"),
    cmd_receipt_render },
  { "printer", "set", "QUEUE|none [--media M]", N_("Choose the receipt printer and paper"),
    cmd_printer_set },
  { "printer", "status", "", N_("Whether the receipt printer is ready"), cmd_printer_status },
  { "printer", "test", "", N_("Print a test page"), cmd_printer_test },
  { NULL, NULL, NULL, NULL, NULL },
};
