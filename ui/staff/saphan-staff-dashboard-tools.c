/* saphan-staff-dashboard-tools.c: the dashboard's printer, receipt, USB
 * and settings actions.
 *
 * A USB barcode scanner is a keyboard that types the QR text and presses
 * Enter, so verifying needs nothing but an entry whose "activate" runs the
 * check. USB sticks are whatever GVolumeMonitor has mounted: staff choose
 * one from a list, never from a file chooser that could browse the disk.
 */
#include "config.h"

#include "saphan-staff-dashboard-private.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <string.h>

#include "saphan-bundle.h"
#include "saphan-receipt-number.h"
#include "saphan-receipt-payload.h"
#include "saphan-receipt-print.h"
#include "saphan-usb.h"

#define USB_FOLDER "saphan"
#define TEST_PRINT_TIMEOUT_MS 60000

/* ---- Test print ---------------------------------------------------------- */

static void
test_print_thread (GTask *task, gpointer source_object, gpointer task_data,
                   GCancellable *cancellable)
{
  SaphanStore *store = task_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *queue = saphan_store_get_setting (store, "printer.queue", NULL);
  g_autofree char *media_text = saphan_store_get_setting (store, "printer.media", NULL);
  g_autofree char *kiosk_name = saphan_store_get_setting (store, "kiosk.name", NULL);
  g_autofree char *media_name = NULL;
  g_autoptr (GBytes) pdf = NULL;
  SaphanMedia media = SAPHAN_MEDIA_ROLL_80;
  SaphanReceiptLayoutInfo info = { 0 };
  SaphanPrintJobResult job = { 0 };
  SaphanPrintProblem problem = SAPHAN_PRINT_OK;
  SaphanReceiptContent content = {
    .number = "TEST-PRINT",
    .qr_text = "SP1:TEST",
    .service_name = _ ("Test print"),
    .kiosk_name = kiosk_name,
    .issued_at = g_get_real_time () / G_USEC_PER_SEC,
  };

  if (queue == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _ ("No printer is set up, so there is nothing to test. "
                                  "Receipts are saved as PDF files."));
      return;
    }
  if (media_text != NULL)
    saphan_media_from_string (media_text, &media);

  /* The same page a receipt has, so a test proves the media and the QR
   * code print as the citizens' receipts will. */
  pdf = saphan_receipt_layout_render (&content, media, SAPHAN_RECEIPT_DEFAULT_DPI, &info, &error);
  if (pdf == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (saphan_media_is_roll (media))
    media_name = g_strdup_printf ("custom_%.0fx%.0fmm_%.0fx%.0fmm", info.width_mm, info.height_mm,
                                  info.width_mm, info.height_mm);
  else
    media_name = g_strdup ("iso_a4_210x297mm");

  if (!saphan_printer_print_pdf (queue, pdf, media_name, "Saphan test print",
                                 TEST_PRINT_TIMEOUT_MS, cancellable, &job, &problem, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
test_print_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (source);
  g_autoptr (GError) error = NULL;

  if (_saphan_staff_dashboard_task_cancelled (result))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    _saphan_staff_dashboard_finish (self, "test-print", FALSE, error->message);
  else
    _saphan_staff_dashboard_finish (self, "test-print", TRUE, _ ("The test page was printed."));
  saphan_staff_dashboard_refresh (self);
}

static void
test_print_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autoptr (GTask) task = _saphan_staff_dashboard_task (self, test_print_activated,
                                                         test_print_cb);

  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, test_print_thread);
}

/* ---- Reprint ------------------------------------------------------------- */

static void
reprint_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanStaffDashboard) self = user_data;
  g_autoptr (GError) error = NULL;
  SaphanReceiptPrintResult print = { 0 };
  g_autofree char *text = NULL;

  if (!saphan_receipt_print_finish (SAPHAN_STORE (source), result, &print, &error))
    {
      saphan_receipt_print_result_clear (&print);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      _saphan_staff_dashboard_finish (self, "reprint", FALSE, error->message);
      return;
    }
  if (print.pdf_path != NULL)
    text = g_strdup (_ ("No printer is set up: the receipt was saved as a PDF file."));
  else
    text = g_strdup (_ ("The receipt was printed again."));
  saphan_receipt_print_result_clear (&print);
  gtk_editable_set_text (GTK_EDITABLE (self->reprint_entry), "");
  _saphan_staff_dashboard_finish (self, "reprint", TRUE, text);
}

static void
reprint_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autofree char *number
      = saphan_receipt_number_normalize (gtk_editable_get_text (GTK_EDITABLE (self->reprint_entry)));
  SaphanReceiptPrintOptions options = { 0 };

  if (number == NULL)
    {
      _saphan_staff_dashboard_finish (self, "reprint", FALSE,
                                      _ ("This is not a receipt number. Check each letter and "
                                         "digit, for example K7QM-2XD9-R."));
      return;
    }
  saphan_receipt_print_async (self->store, number, &options, self->cancellable, reprint_cb,
                              g_object_ref (self));
}

/* The symbols of a receipt number: Crockford's base 32 and, for the
 * check symbol only, its five extra check symbols. A keypad of 37 keys
 * fits beside the sidebar where a whole keyboard would not. */
static const char receipt_symbols[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
#define RECEIPT_KEYS_PER_ROW 8

static void
receipt_key_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  GtkEditable *entry = GTK_EDITABLE (self->reprint_entry);
  const char *symbol = g_variant_get_string (parameter, NULL);
  int position = -1;

  if (strlen (symbol) != 1 || strchr (receipt_symbols, symbol[0]) == NULL)
    return;
  position = gtk_editable_get_position (entry);
  gtk_editable_insert_text (entry, symbol, 1, &position);
  gtk_editable_set_position (entry, position);
}

static void
receipt_erase_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  GtkEditable *entry = GTK_EDITABLE (self->reprint_entry);
  int length = g_utf8_strlen (gtk_editable_get_text (entry), -1);

  if (length > 0)
    gtk_editable_delete_text (entry, length - 1, length);
}

void
_saphan_staff_dashboard_build_receipt_keypad (SaphanStaffDashboard *self)
{
  for (guint i = 0; receipt_symbols[i] != '\0'; i++)
    {
      char symbol[2] = { receipt_symbols[i], '\0' };
      GtkWidget *key = gtk_button_new_with_label (symbol);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (key), "dash.receipt-key");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (key), g_variant_new_string (symbol));
      gtk_widget_add_css_class (key, "staff-key");
      gtk_grid_attach (self->receipt_keys, key, i % RECEIPT_KEYS_PER_ROW,
                       i / RECEIPT_KEYS_PER_ROW, 1, 1);
    }
}

/* ---- Verify -------------------------------------------------------------- */

typedef struct
{
  SaphanReceiptVerdict verdict;
  SaphanReceiptPayload *payload; /* verified or, failing that, what it claims */
  char *reason;
} VerifyResult;

static void
verify_result_free (VerifyResult *result)
{
  g_clear_pointer (&result->payload, saphan_receipt_payload_free);
  g_free (result->reason);
  g_free (result);
}

static void
verify_thread (GTask *task, gpointer source_object, gpointer task_data,
               GCancellable *cancellable)
{
  SaphanStaffDashboard *self = source_object;
  const char *text = task_data;
  g_autoptr (GError) error = NULL;
  SaphanReceiptPayload *unverified = NULL;
  VerifyResult *result = g_new0 (VerifyResult, 1);

  result->payload = saphan_receipt_payload_verify (text, self->data_dir, &result->verdict,
                                                   &unverified, &error);
  if (result->payload == NULL)
    {
      result->payload = unverified;
      result->reason = g_strdup (error != NULL ? error->message : _ ("The receipt is not valid."));
    }
  else
    {
      result->verdict = SAPHAN_RECEIPT_VALID;
      g_clear_pointer (&unverified, saphan_receipt_payload_free);
    }
  g_task_return_pointer (task, result, (GDestroyNotify)verify_result_free);
}

static void
verify_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (source);
  VerifyResult *verify;
  g_autoptr (GString) fields = g_string_new (NULL);
  gboolean valid;

  if (_saphan_staff_dashboard_task_cancelled (result))
    return;
  verify = g_task_propagate_pointer (G_TASK (result), NULL);
  valid = verify->verdict == SAPHAN_RECEIPT_VALID;

  if (verify->payload != NULL)
    {
      g_autoptr (GDateTime) issued = g_date_time_new_from_unix_local (verify->payload->issued_at);
      g_autofree char *when = issued != NULL ? g_date_time_format (issued, "%Y-%m-%d %H:%M")
                                             : g_strdup ("?");

      g_string_append_printf (fields, _ ("Receipt: %s\n"), verify->payload->number);
      g_string_append_printf (fields, _ ("Service: %s (version %s)\n"), verify->payload->form_id,
                              verify->payload->form_version);
      g_string_append_printf (fields, _ ("Kiosk: %s\n"), verify->payload->kiosk_id);
      g_string_append_printf (fields, _ ("Issued: %s"), when);
    }
  gtk_label_set_text (self->verify_fields, fields->str);

  if (valid)
    {
      gtk_label_set_text (self->verify_verdict, _ ("Valid: this receipt was issued by a trusted kiosk."));
      gtk_widget_remove_css_class (GTK_WIDGET (self->verify_verdict), "staff-error");
      _saphan_staff_dashboard_finish (self, "verify", TRUE, _ ("The receipt is valid."));
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_ ("Not valid: %s"), verify->reason);

      gtk_label_set_text (self->verify_verdict, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_verdict), "staff-error");
      _saphan_staff_dashboard_finish (self, "verify", FALSE, text);
    }
  /* Ready for the next scan. */
  gtk_editable_set_text (GTK_EDITABLE (self->verify_entry), "");
  verify_result_free (verify);
}

static void
verify_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autofree char *text
      = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->verify_entry))));
  g_autoptr (GTask) task = NULL;

  if (text[0] == '\0')
    return;
  task = _saphan_staff_dashboard_task (self, verify_activated, verify_cb);
  g_task_set_task_data (task, g_steal_pointer (&text), g_free);
  g_task_run_in_thread (task, verify_thread);
}

/* The scanner's Enter. */
static void
verify_entry_activate_cb (GtkEntry *entry, gpointer user_data)
{
  gtk_widget_activate_action (GTK_WIDGET (user_data), "dash.verify", NULL);
}

/* ---- USB ----------------------------------------------------------------- */

typedef struct
{
  GPtrArray *roots;   /* char *: mounted folders */
  GPtrArray *bundles; /* char *: files in ROOT/saphan/ */
} UsbScan;

static void
usb_scan_free (UsbScan *scan)
{
  g_ptr_array_unref (scan->roots);
  g_clear_pointer (&scan->bundles, g_ptr_array_unref);
  g_free (scan);
}

static void
usb_scan_thread (GTask *task, gpointer source_object, gpointer task_data,
                 GCancellable *cancellable)
{
  UsbScan *scan = task_data;

  scan->bundles = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < scan->roots->len; i++)
    {
      g_autofree char *folder = g_build_filename (g_ptr_array_index (scan->roots, i), USB_FOLDER,
                                                  NULL);
      g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
      const char *name;

      /* Only the regular files directly in saphan/: staging verifies the
       * rest, and nothing else on the stick is looked at. */
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, name, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
            g_ptr_array_add (scan->bundles, g_steal_pointer (&path));
        }
    }
  g_ptr_array_sort (scan->bundles, (GCompareFunc)g_strcmp0);
  g_task_return_boolean (task, TRUE);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
usb_row (const char *text, const char *button_label, const char *action, const char *target)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *button = gtk_button_new_with_label (button_label);
  g_autofree char *accessible = g_strdup_printf ("%s: %s", button_label, text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (target));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  gtk_widget_add_css_class (button, "staff-button");
  gtk_widget_add_css_class (box, "staff-row");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static void
usb_scan_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (source);
  UsbScan *scan = g_task_get_task_data (G_TASK (result));

  if (_saphan_staff_dashboard_task_cancelled (result))
    return;
  clear_list (self->usb_bundles);
  clear_list (self->usb_targets);
  for (guint i = 0; i < scan->bundles->len; i++)
    {
      const char *path = g_ptr_array_index (scan->bundles, i);
      g_autofree char *name = g_path_get_basename (path);

      gtk_list_box_append (self->usb_bundles,
                           usb_row (name, _ ("Apply"), "dash.usb-apply", path));
    }
  for (guint i = 0; i < scan->roots->len; i++)
    {
      const char *root = g_ptr_array_index (scan->roots, i);

      gtk_list_box_append (self->usb_targets,
                           usb_row (root, _ ("Export here"), "dash.usb-export", root));
    }
  if (scan->bundles->len == 0)
    gtk_list_box_append (self->usb_bundles,
                         gtk_label_new (_ ("No update on the USB sticks.")));
  if (scan->roots->len == 0)
    gtk_list_box_append (self->usb_targets, gtk_label_new (_ ("No USB stick is plugged in.")));
  _saphan_staff_dashboard_finish (self, "usb-scan", TRUE, NULL);
}

static void
mounts_changed_cb (GVolumeMonitor *monitor, GMount *mount, gpointer user_data)
{
  _saphan_staff_dashboard_usb_scan (SAPHAN_STAFF_DASHBOARD (user_data));
}

void
_saphan_staff_dashboard_usb_scan (SaphanStaffDashboard *self)
{
  g_autoptr (GTask) task = NULL;
  GList *mounts;
  UsbScan *scan = g_new0 (UsbScan, 1);

  if (self->volume_monitor == NULL)
    {
      self->volume_monitor = g_volume_monitor_get ();
      g_signal_connect_object (self->volume_monitor, "mount-added",
                               G_CALLBACK (mounts_changed_cb), self, 0);
      g_signal_connect_object (self->volume_monitor, "mount-removed",
                               G_CALLBACK (mounts_changed_cb), self, 0);
    }

  scan->roots = g_ptr_array_new_with_free_func (g_free);
  mounts = self->volume_monitor != NULL ? g_volume_monitor_get_mounts (self->volume_monitor) : NULL;
  for (GList *l = mounts; l != NULL; l = l->next)
    {
      g_autoptr (GFile) root = g_mount_get_root (l->data);
      char *path = g_file_get_path (root);

      /* Only local folders: a network share is not a stick in hand. */
      if (path != NULL)
        g_ptr_array_add (scan->roots, path);
    }
  g_list_free_full (mounts, g_object_unref);
  for (guint i = 0; self->extra_mounts != NULL && self->extra_mounts[i] != NULL; i++)
    g_ptr_array_add (scan->roots, g_strdup (self->extra_mounts[i]));

  task = _saphan_staff_dashboard_task (self, _saphan_staff_dashboard_usb_scan, usb_scan_cb);
  g_task_set_task_data (task, scan, (GDestroyNotify)usb_scan_free);
  g_task_run_in_thread (task, usb_scan_thread);
}

void
_saphan_staff_dashboard_usb_dispose (SaphanStaffDashboard *self)
{
  g_clear_object (&self->volume_monitor);
  g_clear_pointer (&self->extra_mounts, g_strfreev);
  g_clear_pointer (&self->pending_bundle, g_free);
}

static void
usb_scan_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _saphan_staff_dashboard_usb_scan (SAPHAN_STAFF_DASHBOARD (widget));
}

static void
usb_apply_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  g_free (self->pending_bundle);
  self->pending_bundle = g_variant_dup_string (parameter, NULL);
  name = g_path_get_basename (self->pending_bundle);
  text = g_strdup_printf (_ ("Apply the update “%s”? The kiosk checks its signature first; "
                             "the services may change."),
                          name);
  gtk_label_set_text (self->usb_confirm_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->usb_confirm_box), TRUE);
}

static void
usb_apply_cancel_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);

  g_clear_pointer (&self->pending_bundle, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->usb_confirm_box), FALSE);
}

static void
usb_apply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanStaffDashboard) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanBundleInfo) info = saphan_bundle_apply_finish (result, &error);
  g_autofree char *text = NULL;

  if (info == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      _saphan_staff_dashboard_finish (self, "usb-apply", FALSE, error->message);
      return;
    }
  text = g_strdup_printf (_ ("Update version %" PRIu64 " is installed."), info->version);
  _saphan_staff_dashboard_finish (self, "usb-apply", TRUE, text);
  saphan_staff_dashboard_refresh (self);
}

static void
usb_apply_confirm_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autofree char *path = g_steal_pointer (&self->pending_bundle);

  gtk_widget_set_visible (GTK_WIDGET (self->usb_confirm_box), FALSE);
  if (path == NULL || !self->maintainer)
    return;
  saphan_bundle_apply_async (self->data_dir, self->store, path, self->cancellable, usb_apply_cb,
                             g_object_ref (self));
}

static void
usb_export_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanStaffDashboard) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanUsbExportResult) export
      = saphan_usb_export_finish (SAPHAN_STORE (source), result, &error);
  g_autofree char *text = NULL;

  if (export == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      _saphan_staff_dashboard_finish (self, "usb-export", FALSE, error->message);
      return;
    }
  if (export->n_submissions == 0)
    text = g_strdup (_ ("Nothing to export: no submission is waiting."));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u submission exported.",
                                         "%u submissions exported.", export->n_submissions),
                            export->n_submissions);
  _saphan_staff_dashboard_finish (self, "usb-export", TRUE, text);
  saphan_staff_dashboard_refresh (self);
}

static void
usb_export_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);

  saphan_usb_export_async (self->store, g_variant_get_string (parameter, NULL), self->cancellable,
                           usb_export_cb, g_object_ref (self));
}

/* ---- Settings ------------------------------------------------------------ */

static void
settings_thread (GTask *task, gpointer source_object, gpointer task_data,
                 GCancellable *cancellable)
{
  SaphanStaffDashboard *self = source_object;
  char **pairs = task_data;
  g_autoptr (GError) error = NULL;

  /* The store audits each changed key itself, by name only. */
  for (guint i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
    if (!saphan_store_set_setting (self->store, pairs[i], pairs[i + 1][0] != '\0' ? pairs[i + 1] : NULL,
                                   &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  g_task_return_boolean (task, TRUE);
}

static void
settings_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (source);
  g_autoptr (GError) error = NULL;

  if (_saphan_staff_dashboard_task_cancelled (result))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    _saphan_staff_dashboard_finish (self, "save-settings", FALSE, error->message);
  else
    _saphan_staff_dashboard_finish (self, "save-settings", TRUE, _ ("The settings are saved."));
}

static void
save_settings_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanStaffDashboard *self = SAPHAN_STAFF_DASHBOARD (widget);
  g_autoptr (GTask) task = NULL;
  char **pairs;

  if (!self->maintainer)
    return;
  pairs = g_new0 (char *, 7);
  pairs[0] = g_strdup ("staff.idle-timeout");
  pairs[1] = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->staff_idle_spin));
  pairs[2] = g_strdup ("kiosk.name");
  pairs[3] = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->kiosk_name_entry))));
  pairs[4] = g_strdup ("kiosk.location");
  pairs[5] = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->kiosk_location_entry))));
  if (self->settings != NULL)
    g_settings_set_uint (self->settings, "idle-timeout",
                         gtk_spin_button_get_value_as_int (self->kiosk_idle_spin));

  task = _saphan_staff_dashboard_task (self, save_settings_activated, settings_cb);
  g_task_set_task_data (task, pairs, (GDestroyNotify)g_strfreev);
  g_task_run_in_thread (task, settings_thread);
}

/* ---- Class --------------------------------------------------------------- */

void
_saphan_staff_dashboard_class_init_tools (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "dash.test-print", NULL, test_print_activated);
  gtk_widget_class_install_action (widget_class, "dash.reprint", NULL, reprint_activated);
  gtk_widget_class_install_action (widget_class, "dash.receipt-key", "s", receipt_key_activated);
  gtk_widget_class_install_action (widget_class, "dash.receipt-erase", NULL,
                                   receipt_erase_activated);
  gtk_widget_class_install_action (widget_class, "dash.verify", NULL, verify_activated);
  gtk_widget_class_install_action (widget_class, "dash.usb-scan", NULL, usb_scan_activated);
  gtk_widget_class_install_action (widget_class, "dash.usb-apply", "s", usb_apply_activated);
  gtk_widget_class_install_action (widget_class, "dash.usb-apply-confirm", NULL,
                                   usb_apply_confirm_activated);
  gtk_widget_class_install_action (widget_class, "dash.usb-apply-cancel", NULL,
                                   usb_apply_cancel_activated);
  gtk_widget_class_install_action (widget_class, "dash.usb-export", "s", usb_export_activated);
  gtk_widget_class_install_action (widget_class, "dash.save-settings", NULL,
                                   save_settings_activated);
  gtk_widget_class_bind_template_callback (widget_class, verify_entry_activate_cb);
}

void
saphan_staff_dashboard_set_extra_mounts (SaphanStaffDashboard *self, const char *const *paths)
{
  g_return_if_fail (SAPHAN_IS_STAFF_DASHBOARD (self));

  g_strfreev (self->extra_mounts);
  self->extra_mounts = g_strdupv ((char **)paths);
  _saphan_staff_dashboard_usb_scan (self);
}
