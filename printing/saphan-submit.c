/* saphan-submit.c: sign the receipt and finalize in one transaction. */
#include "config.h"

#include "saphan-submit.h"
#include "saphan-kiosk-key.h"
#include "saphan-receipt-print.h"
#include "saphan-submission-crypto.h"

#include <glib/gi18n-lib.h>

gboolean
saphan_submit (SaphanStore *store, const SaphanSubmitRequest *request, char **out_receipt_number,
               GError **error)
{
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (GBytes) manifest = NULL;
  g_autoptr (GPtrArray) encrypted = NULL;
  g_autofree char *number = NULL, *qr = NULL;
  GBytes *payload = request->payload;
  GPtrArray *attachments = request->attachments;
  SaphanFinalizeRequest finalize = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (request != NULL && request->payload != NULL, FALSE);

  /* An encrypted form's answers are frozen as ODK's encrypted submission:
   * the manifest becomes the payload and every file travels as .enc, so the
   * kiosk keeps nothing it could read. Encrypting gives new random bytes
   * each time, which is why it happens once, here, before anything is
   * signed or stored. */
  if (request->encrypt_for != NULL && *request->encrypt_for != '\0')
    {
      if (!saphan_submission_encrypt (request->form_id,
                                      request->form_version != NULL ? request->form_version : "",
                                      request->instance_id, request->encrypt_for, request->payload,
                                      request->attachments, &manifest, &encrypted, error))
        return FALSE;
      payload = manifest;
      attachments = encrypted;
    }

  /* The key is made on the kiosk's first finalize if it does not exist yet. */
  key = saphan_kiosk_key_load_or_create (saphan_store_get_data_dir (store), error);
  if (key == NULL)
    return FALSE;
  if (!saphan_receipt_issue_with_number (store, key, request->receipt_number, request->form_id,
                                         request->form_version, request->instance_id,
                                         payload, now, &number, &qr, error))
    return FALSE;

  finalize.instance_id = request->instance_id;
  finalize.form_id = request->form_id;
  finalize.form_version = request->form_version;
  finalize.payload = payload;
  finalize.attachments = attachments;
  finalize.assisted_by = request->assisted_by;
  finalize.receipt_number = number;
  finalize.receipt_qr = qr;
  finalize.finalized_at = now;
  if (!saphan_store_finalize (store, &finalize, error))
    return FALSE;

  if (out_receipt_number != NULL)
    *out_receipt_number = g_steal_pointer (&number);
  return TRUE;
}

/* The request's strings and bytes are copied so the caller may free its own. */
typedef struct
{
  char      *form_id, *form_version, *instance_id, *assisted_by, *receipt_number, *encrypt_for;
  GBytes    *payload;
  GPtrArray *attachments;
} SubmitTaskData;

static void
submit_task_data_free (SubmitTaskData *data)
{
  g_free (data->form_id);
  g_free (data->form_version);
  g_free (data->instance_id);
  g_free (data->assisted_by);
  g_free (data->receipt_number);
  g_free (data->encrypt_for);
  g_clear_pointer (&data->payload, g_bytes_unref);
  g_clear_pointer (&data->attachments, g_ptr_array_unref);
  g_free (data);
}

static void
submit_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SubmitTaskData *data = task_data;
  SaphanSubmitRequest request = {
    .form_id = data->form_id,
    .form_version = data->form_version,
    .instance_id = data->instance_id,
    .payload = data->payload,
    .attachments = data->attachments,
    .assisted_by = data->assisted_by,
    .receipt_number = data->receipt_number,
    .encrypt_for = data->encrypt_for,
  };
  char *number = NULL;
  GError *error = NULL;

  if (saphan_submit (SAPHAN_STORE (source), &request, &number, &error))
    g_task_return_pointer (task, number, g_free);
  else
    g_task_return_error (task, error);
}

void
saphan_submit_async (SaphanStore *store, const SaphanSubmitRequest *request,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  SubmitTaskData *data = g_new0 (SubmitTaskData, 1);

  g_task_set_source_tag (task, saphan_submit_async);
  data->form_id = g_strdup (request->form_id);
  data->form_version = g_strdup (request->form_version);
  data->instance_id = g_strdup (request->instance_id);
  data->assisted_by = g_strdup (request->assisted_by);
  data->receipt_number = g_strdup (request->receipt_number);
  data->encrypt_for = g_strdup (request->encrypt_for);
  data->payload = g_bytes_ref (request->payload);
  if (request->attachments != NULL)
    data->attachments = g_ptr_array_ref (request->attachments);
  g_task_set_task_data (task, data, (GDestroyNotify) submit_task_data_free);
  g_task_run_in_thread (task, submit_thread);
}

gboolean
saphan_submit_finish (SaphanStore *store, GAsyncResult *result, char **out_receipt_number,
                      GError **error)
{
  char *number;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == saphan_submit_async, FALSE);

  number = g_task_propagate_pointer (G_TASK (result), error);
  if (number == NULL)
    return FALSE;
  if (out_receipt_number != NULL)
    *out_receipt_number = number;
  else
    g_free (number);
  return TRUE;
}
