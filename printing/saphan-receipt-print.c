/* saphan-receipt-print.c: from a receipt in the store to paper or PDF. */
#include "config.h"

#include "saphan-receipt-print.h"
#include "saphan-receipt-number.h"
#include "saphan-receipt-payload.h"
#include "saphan-error.h"
#include "saphan-paths.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>

#define DEFAULT_TIMEOUT_SECONDS 60

void
saphan_receipt_print_result_clear (SaphanReceiptPrintResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->pdf_path, g_free);
}

static char *
setting (SaphanStore *store, const char *key)
{
  g_autoptr (GError) error = NULL;
  char *value = saphan_store_get_setting (store, key, &error);

  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static int
setting_int (SaphanStore *store, const char *key, int fallback, int min, int max)
{
  g_autofree char *text = setting (store, key);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    return fallback;
  return (int) value;
}

gboolean
saphan_receipt_issue (SaphanStore *store, SaphanKioskKey *key, const char *form_id,
                      const char *form_version, const char *instance_id,
                      GBytes *frozen_submission, gint64 issued_at, char **out_number,
                      char **out_qr_text, GError **error)
{
  g_return_val_if_fail (out_number != NULL, FALSE);

  *out_number = NULL;
  return saphan_receipt_issue_with_number (store, key, NULL, form_id, form_version, instance_id,
                                           frozen_submission, issued_at, out_number, out_qr_text,
                                           error);
}

gboolean
saphan_receipt_issue_with_number (SaphanStore *store, SaphanKioskKey *key, const char *number_in,
                                  const char *form_id, const char *form_version,
                                  const char *instance_id, GBytes *frozen_submission,
                                  gint64 issued_at, char **out_number, char **out_qr_text,
                                  GError **error)
{
  g_autofree char *kiosk_id = NULL;
  g_autofree char *number = NULL;
  SaphanReceiptPayload payload = { 0 };
  unsigned int digest_len = 0;
  gsize len;
  const guint8 *data;
  char *qr;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (SAPHAN_IS_KIOSK_KEY (key), FALSE);
  g_return_val_if_fail (frozen_submission != NULL && out_number != NULL && out_qr_text != NULL, FALSE);

  kiosk_id = setting (store, "kiosk.id");
  if (kiosk_id == NULL)
    kiosk_id = g_strdup (saphan_kiosk_key_get_id (key));
  number = number_in != NULL ? g_strdup (number_in) : saphan_receipt_number_new ();

  data = g_bytes_get_data (frozen_submission, &len);
  if (EVP_Digest (data, len, payload.submission_sha256, &digest_len, EVP_sha256 (), NULL) != 1)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED, _("Cannot hash the submission."));
      return FALSE;
    }
  payload.number = number;
  payload.kiosk_id = kiosk_id;
  payload.form_id = (char *) form_id;
  payload.form_version = (char *) form_version;
  payload.instance_id = (char *) instance_id;
  payload.issued_at = issued_at > 0 ? issued_at : g_get_real_time () / G_USEC_PER_SEC;
  qr = saphan_receipt_payload_encode (&payload, key, error);
  if (qr == NULL)
    return FALSE;
  *out_number = g_steal_pointer (&number);
  *out_qr_text = qr;
  return TRUE;
}

GBytes *
saphan_receipt_render (SaphanStore *store, const char *number, SaphanMedia media,
                       const SaphanReceiptPrintOptions *options, SaphanReceiptLayoutInfo *out_info,
                       GError **error)
{
  g_autoptr (SaphanReceiptInfo) receipt = NULL;
  g_autoptr (SaphanFormInfo) form = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *kiosk_name = NULL;
  g_autofree char *kiosk_location = NULL;
  g_autofree char *next_steps = NULL;
  g_autofree char *name_policy = NULL;
  g_autofree char *masked_name = NULL;
  SaphanReceiptContent content = { 0 };

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  g_return_val_if_fail (number != NULL, NULL);

  canonical = saphan_receipt_number_normalize (number);
  if (canonical == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("“%s” is not a receipt number; check it for typing mistakes."), number);
      return NULL;
    }
  receipt = saphan_store_get_receipt (store, canonical, error);
  if (receipt == NULL)
    return NULL;
  if (receipt->qr_text == NULL || *receipt->qr_text == '\0')
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE,
                   _("Receipt %s has no signed code and cannot be printed."), canonical);
      return NULL;
    }
  /* A form removed since is no reason to refuse a receipt. */
  form = saphan_store_get_form (store, receipt->form_id, NULL);
  kiosk_name = setting (store, "kiosk.name");
  kiosk_location = setting (store, "kiosk.location");
  next_steps = setting (store, "receipt.next-steps");

  content.number = receipt->number;
  content.qr_text = receipt->qr_text;
  content.service_name = form != NULL ? form->title : receipt->form_id;
  content.kiosk_name = kiosk_name;
  content.kiosk_location = kiosk_location;
  content.next_steps = options != NULL && options->next_steps != NULL ? options->next_steps : next_steps;
  /* The name is personal data: it is printed masked or not at all, and
   * only when the kiosk is set up to, never in full. */
  name_policy = setting (store, "receipt.citizen-name");
  if (options != NULL && options->citizen_name != NULL && g_strcmp0 (name_policy, "masked") == 0)
    masked_name = saphan_receipt_mask_name (options->citizen_name);
  content.citizen_name = masked_name;
  content.issued_at = receipt->issued_at;
  content.copy = receipt->print_count > 0;
  return saphan_receipt_layout_render (&content, media,
                                       setting_int (store, "printer.dpi", SAPHAN_RECEIPT_DEFAULT_DPI,
                                                    150, 1200),
                                       out_info, error);
}

static char *
media_name_for (SaphanMedia media, const SaphanReceiptLayoutInfo *info)
{
  int w = (int) (info->width_mm + 0.5);
  int h = (int) (info->height_mm + 0.5);

  if (!saphan_media_is_roll (media))
    return g_strdup ("iso_a4_210x297mm");
  return g_strdup_printf ("custom_%dx%dmm_%dx%dmm", w, h, w, h);
}

static gboolean
save_pdf (SaphanStore *store, const char *number, GBytes *pdf, char **out_path, GError **error)
{
  g_autofree char *dir = saphan_paths_receipts_dir (saphan_store_get_data_dir (store));
  g_autofree char *path = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, SAPHAN_ERROR, saved == ENOSPC ? SAPHAN_ERROR_DISK_FULL : SAPHAN_ERROR_IO,
                   _("Cannot create the receipts folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  path = g_strdup_printf ("%s/%s.pdf", dir, number);
  if (!saphan_write_file_atomic (path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), 0600, error))
    return FALSE;
  *out_path = g_steal_pointer (&path);
  return TRUE;
}

gboolean
saphan_receipt_print (SaphanStore *store, const char *number, const SaphanReceiptPrintOptions *options,
                      GCancellable *cancellable, SaphanReceiptPrintResult *out_result, GError **error)
{
  SaphanReceiptPrintResult local = { 0 };
  SaphanReceiptPrintResult *result = out_result != NULL ? out_result : &local;
  g_autofree char *canonical = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *media_text = NULL;
  g_autofree char *media_name = NULL;
  g_autofree char *title = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autoptr (GError) mark_error = NULL;
  SaphanPrintJobResult job = { 0 };
  SaphanMedia media = SAPHAN_MEDIA_ROLL_80;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);

  memset (result, 0, sizeof *result);
  canonical = saphan_receipt_number_normalize (number);
  queue = setting (store, "printer.queue");
  media_text = setting (store, "printer.media");
  if (options != NULL && options->have_media)
    media = options->media;
  else if (media_text != NULL && !saphan_media_from_string (media_text, &media))
    media = SAPHAN_MEDIA_ROLL_80;

  pdf = saphan_receipt_render (store, number, media, options, &result->layout, error);
  result->render_usec = g_get_monotonic_time () - start;
  if (pdf == NULL)
    {
      result->problem = SAPHAN_PRINT_FAILED;
      return FALSE;
    }

  if (queue == NULL)
    {
      ok = save_pdf (store, canonical, pdf, &result->pdf_path, error);
      result->accepted_usec = result->completed_usec = g_get_monotonic_time () - start;
      result->problem = ok ? SAPHAN_PRINT_OK : SAPHAN_PRINT_FAILED;
    }
  else
    {
      media_name = media_name_for (media, &result->layout);
      title = g_strdup_printf ("receipt %s", canonical);
      ok = saphan_printer_print_pdf (queue, pdf, media_name, title,
                                     (guint) setting_int (store, "printer.timeout", DEFAULT_TIMEOUT_SECONDS,
                                                          1, 3600) * 1000,
                                     cancellable, &job, &result->problem, error);
      result->job_id = job.job_id;
      if (job.accepted_usec > 0)
        result->accepted_usec = result->render_usec + job.accepted_usec;
      if (ok)
        result->completed_usec = result->render_usec + job.completed_usec;
    }

  /* The store records the outcome; failing to record it must not hide the
   * print error, and must not turn a printed receipt into an error. */
  if (!saphan_store_mark_receipt_printed (store, canonical, ok, &mark_error))
    g_warning ("Cannot record the print state of a receipt: %s", mark_error->message);
  return ok;
}

/* ---- Async -------------------------------------------------------------- */

typedef struct
{
  char                     *number;
  char                     *citizen_name;
  char                     *next_steps;
  SaphanReceiptPrintOptions options;
  SaphanReceiptPrintResult  result;
} PrintData;

static void
print_data_free (gpointer data)
{
  PrintData *d = data;

  g_free (d->number);
  g_free (d->citizen_name);
  g_free (d->next_steps);
  saphan_receipt_print_result_clear (&d->result);
  g_free (d);
}

static void
print_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PrintData *d = task_data;
  GError *error = NULL;

  if (saphan_receipt_print (source, d->number, &d->options, cancellable, &d->result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
saphan_receipt_print_async (SaphanStore *store, const char *number,
                            const SaphanReceiptPrintOptions *options, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  PrintData *d;

  g_return_if_fail (SAPHAN_IS_STORE (store));
  g_return_if_fail (number != NULL);

  d = g_new0 (PrintData, 1);
  d->number = g_strdup (number);
  if (options != NULL)
    {
      d->options = *options;
      d->citizen_name = g_strdup (options->citizen_name);
      d->next_steps = g_strdup (options->next_steps);
    }
  d->options.citizen_name = d->citizen_name;
  d->options.next_steps = d->next_steps;

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, saphan_receipt_print_async);
  g_task_set_task_data (task, d, print_data_free);
  g_task_run_in_thread (task, print_thread);
}

gboolean
saphan_receipt_print_finish (SaphanStore *store, GAsyncResult *result,
                             SaphanReceiptPrintResult *out_result, GError **error)
{
  PrintData *d;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == saphan_receipt_print_async, FALSE);

  d = g_task_get_task_data (G_TASK (result));
  if (out_result != NULL)
    {
      *out_result = d->result;
      out_result->pdf_path = g_strdup (d->result.pdf_path);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}
