/* receipt-test-util.c: shared helpers for the receipt tests. */
#include "config.h"

#include "receipt-test-util.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "saphan-qr-scan.h"
#include "saphan-receipt-print.h"

void
rtu_remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rtu_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

SaphanStore *
rtu_store_new (const char *data_dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) xml = g_bytes_new_static ("<h:html/>", 9);
  SaphanStore *store = saphan_store_open (data_dir, &error);

  g_assert_no_error (error);
  g_assert_true (saphan_store_install_form (store, "demo-elderly-allowance", "2026112401",
                                            "ขอรับเบี้ยยังชีพผู้สูงอายุ", xml, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (saphan_store_set_setting (store, "kiosk.name", "ที่ว่าการอำเภอบรรพตพิสัย", &error));
  g_assert_true (saphan_store_set_setting (store, "kiosk.location", "จังหวัดนครสวรรค์", &error));
  g_assert_true (saphan_store_set_setting (store, "kiosk.id", "nakhonsawan-banphot-0001", &error));
  g_assert_true (saphan_store_set_setting (store, "receipt.citizen-name", "masked", &error));
  g_assert_true (saphan_store_set_setting (store, "receipt.next-steps",
                                           "เจ้าหน้าที่จะตรวจสอบคำร้องภายใน 15 วันทำการ "
                                           "และแจ้งผลทางโทรศัพท์", &error));
  g_assert_no_error (error);
  return store;
}

char *
rtu_finalize (SaphanStore *store, SaphanKioskKey *key, char **out_qr_text, gint64 *out_finalize_usec)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *instance_id = g_strconcat ("uuid:", uuid, NULL);
  g_autofree char *xml = g_strdup_printf ("<data id=\"demo-elderly-allowance\"><meta>"
                                          "<instanceID>%s</instanceID></meta></data>", instance_id);
  char *number = NULL;
  char *qr = NULL;
  SaphanFinalizeRequest request = { 0 };
  gint64 start = g_get_monotonic_time ();

  payload = g_bytes_new (xml, strlen (xml));
  g_assert_true (saphan_receipt_issue (store, key, "demo-elderly-allowance", "2026112401",
                                       instance_id, payload, 0, &number, &qr, &error));
  g_assert_no_error (error);
  request.instance_id = instance_id;
  request.form_id = "demo-elderly-allowance";
  request.form_version = "2026112401";
  request.payload = payload;
  request.receipt_number = number;
  request.receipt_qr = qr;
  g_assert_true (saphan_store_finalize (store, &request, &error));
  g_assert_no_error (error);
  if (out_finalize_usec != NULL)
    *out_finalize_usec = g_get_monotonic_time () - start;
  if (out_qr_text != NULL)
    *out_qr_text = qr;
  else
    g_free (qr);
  return number;
}

gboolean
rtu_pdf_media_box_mm (GBytes *pdf, double *out_width, double *out_height)
{
  g_autoptr (GRegex) re = g_regex_new ("/MediaBox\\s*\\[\\s*([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s*\\]",
                                       G_REGEX_RAW, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  double v[4];

  /* The PDF is searched as raw bytes with an explicit length: its streams
   * may hold NUL bytes. */
  if (!g_regex_match_full (re, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), 0, 0, &match, NULL))
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *s = g_match_info_fetch (match, i + 1);
      v[i] = g_ascii_strtod (s, NULL);
    }
  *out_width = (v[2] - v[0]) * 25.4 / 72.0;
  *out_height = (v[3] - v[1]) * 25.4 / 72.0;
  return TRUE;
}

GPtrArray *
rtu_scan_pdf (GBytes *pdf, const char *work_dir, int dpi)
{
  g_autofree char *pdf_path = g_build_filename (work_dir, "scan.pdf", NULL);
  g_autofree char *prefix = g_build_filename (work_dir, "scan", NULL);
  g_autofree char *png = g_build_filename (work_dir, "scan.png", NULL);
  g_autofree char *dpi_text = g_strdup_printf ("%d", dpi);
  g_autoptr (GError) error = NULL;
  int status = 0;
  const char *argv[] = { "pdftoppm", "-r", dpi_text, "-gray", "-png", "-singlefile", pdf_path, prefix, NULL };
  GPtrArray *texts;

  g_assert_true (g_file_set_contents (pdf_path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  texts = saphan_qr_scan_png (png, &error);
  g_assert_no_error (error);
  return texts;
}

static char *
strip_space (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));
  return g_string_free (out, FALSE);
}

char *
rtu_pdf_text (GBytes *pdf, const char *work_dir)
{
  g_autofree char *pdf_path = g_build_filename (work_dir, "text.pdf", NULL);
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf_path, "-", NULL };
  int status = 0;

  g_assert_true (g_file_set_contents (pdf_path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return strip_space (out);
}

gboolean
rtu_text_contains (const char *text, const char *needle)
{
  g_autofree char *bare = strip_space (needle);
  return strstr (text, bare) != NULL;
}
