/* torture-util.c: submissions with known bytes, folders and time boxes. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "saphan-error.h"
#include "torture-util.h"

static gint64 started_at;

static GBytes *
derive (const char *instance_id, const char *what, gsize size)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 *data = g_malloc (size);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) instance_id, -1);
  g_checksum_update (checksum, (const guchar *) what, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  /* Zero bytes included, as in a photo. */
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (digest[i % 32] ^ (i * 131));
  return g_bytes_new_take (data, size);
}

static GBytes *
payload_for (const char *instance_id)
{
  g_autofree char *xml = g_strdup_printf (
    "<?xml version='1.0'?><data id=\"torture\" version=\"1\"><name>ทดสอบ %s</name>"
    "<photo>photo.jpg</photo><meta><instanceID>%s</instanceID></meta></data>",
    instance_id, instance_id);

  return g_bytes_new (xml, strlen (xml));
}

TortureSubmission *
torture_submission_new (const char *instance_id)
{
  TortureSubmission *s = g_new0 (TortureSubmission, 1);
  SaphanAttachment *photo = g_new0 (SaphanAttachment, 1);

  s->instance_id = g_strdup (instance_id);
  s->receipt_number = g_strdup_printf ("T-%.10s", instance_id + strlen (instance_id) - MIN (strlen (instance_id), 10));
  s->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
  photo->name = g_strdup ("photo.jpg");
  photo->data = derive (instance_id, "photo", 6000);
  g_ptr_array_add (s->attachments, photo);

  s->request.instance_id = s->instance_id;
  s->request.form_id = "torture";
  s->request.form_version = "1";
  s->request.payload = payload_for (instance_id);
  s->request.attachments = s->attachments;
  s->request.receipt_number = s->receipt_number;
  s->request.receipt_qr = NULL;
  s->request.finalized_at = 1700000000;
  return s;
}

void
torture_submission_free (TortureSubmission *s)
{
  g_bytes_unref (s->request.payload);
  g_ptr_array_unref (s->attachments);
  g_free (s->instance_id);
  g_free (s->receipt_number);
  g_free (s);
}

int
torture_check_submission (SaphanStore *store, const char *instance_id, char **out_problem)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) info = saphan_store_get_submission (store, instance_id, &error);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GBytes) photo = NULL;

  if (info == NULL)
    {
      if (error != NULL && !g_error_matches (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND))
        {
          *out_problem = g_strdup_printf ("reading it back failed: %s", error->message);
          return -1;
        }
      return 0;
    }
  payload = saphan_store_get_payload (store, instance_id, &error);
  expected = payload_for (instance_id);
  if (payload == NULL || !g_bytes_equal (payload, expected))
    {
      *out_problem = g_strdup ("its payload differs from what was finalized");
      return -1;
    }
  attachments = saphan_store_get_attachments (store, instance_id, &error);
  photo = derive (instance_id, "photo", 6000);
  if (attachments == NULL || attachments->len != 1 ||
      !g_bytes_equal (((SaphanAttachment *) attachments->pdata[0])->data, photo))
    {
      *out_problem = g_strdup ("its attachment is missing or differs");
      return -1;
    }
  if (info->receipt_number == NULL)
    {
      *out_problem = g_strdup ("its receipt is missing");
      return -1;
    }
  return 1;
}

char *
torture_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpl = NULL;
  char *dir;

  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && g_access ("/dev/shm", W_OK) == 0)
    {
      tmpl = g_strdup ("/dev/shm/saphan-torture-XXXXXX");
      dir = g_mkdtemp (tmpl);
      if (dir != NULL)
        return g_steal_pointer (&tmpl);
    }
  dir = g_dir_make_tmp ("saphan-torture-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

void
torture_remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        torture_remove_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

gboolean
torture_soak (void)
{
  const char *soak = g_getenv ("SAPHAN_SOAK");

  return soak != NULL && soak[0] != '\0' && strcmp (soak, "0") != 0;
}

double
torture_elapsed (void)
{
  if (started_at == 0)
    started_at = g_get_monotonic_time ();
  return (g_get_monotonic_time () - started_at) / 1e6;
}

void
torture_reset_clock (void)
{
  started_at = g_get_monotonic_time ();
}

double
torture_budget (void)
{
  return torture_soak () ? 3600.0 : 25.0;
}

gboolean
torture_error_is_clean (const GError *error, char **out_problem)
{
  if (error == NULL)
    *out_problem = g_strdup ("failed without an error");
  else if (error->domain != SAPHAN_ERROR)
    *out_problem = g_strdup_printf ("error outside SAPHAN_ERROR (%s %d): %s",
                                    g_quark_to_string (error->domain), error->code, error->message);
  else if (error->message == NULL || error->message[0] == '\0')
    *out_problem = g_strdup ("error without a message");
  else
    return TRUE;
  return FALSE;
}
