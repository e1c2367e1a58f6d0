/* test-usb.c: queued submissions out to a folder and in on another kiosk.
 *
 * Two real data folders, each with its own store and kiosk key. Kiosk A
 * exports to a "stick" folder; kiosk B imports. The bytes B queues must be
 * the very bytes A froze, and a failed export must leave A's outbox as it
 * was.
 */
#include "bundle-test-util.h"
#include "store-test-util.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "saphan-error.h"
#include "saphan-kiosk-key.h"
#include "saphan-usb.h"

#define N_SUBMISSIONS 12

typedef struct
{
  char        *dir;
  char        *a_dir;
  char        *b_dir;
  char        *stick;
  SaphanStore *a;
  SaphanStore *b;
  GPtrArray   *ids;       /* instance ids queued in A */
  char        *a_public;  /* A's kiosk public key file text */
} Fixture;

static void
open_dir (const char *path)
{
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
}

static void
finalize (SaphanStore *store, const char *instance_id, gsize extra_attachment)
{
  g_autoptr (StoreTestSubmission) s = store_test_submission_new (instance_id);
  g_autoptr (GError) error = NULL;

  if (extra_attachment > 0)
    {
      SaphanAttachment *big = g_new0 (SaphanAttachment, 1);
      guint8 *data = g_malloc (extra_attachment);
      for (gsize i = 0; i < extra_attachment; i++)
        data[i] = (guint8) (i * 7 + 3);
      big->name = g_strdup ("photo-large.jpg");
      big->data = g_bytes_new_take (data, extra_attachment);
      g_ptr_array_add (s->attachments, big);
      s->request.attachments = s->attachments;
    }
  saphan_store_finalize (store, &s->request, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (SaphanSubmissionInfo) claimed = NULL;

  (void) data;
  f->dir = bt_make_dir ();
  f->a_dir = g_build_filename (f->dir, "kiosk-a", NULL);
  f->b_dir = g_build_filename (f->dir, "kiosk-b", NULL);
  f->stick = g_build_filename (f->dir, "stick", NULL);
  open_dir (f->a_dir);
  open_dir (f->b_dir);
  open_dir (f->stick);
  f->a = saphan_store_open (f->a_dir, &error);
  g_assert_no_error (error);
  f->b = saphan_store_open (f->b_dir, &error);
  g_assert_no_error (error);

  /* The oldest submission is already accepted by the server: never exported. */
  finalize (f->a, "uuid:usb-accepted", 0);
  claimed = saphan_store_claim_next (f->a, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claimed->instance_id, ==, "uuid:usb-accepted");
  saphan_store_mark_accepted (f->a, claimed->instance_id, "ok", &error);
  g_assert_no_error (error);

  f->ids = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < N_SUBMISSIONS; i++)
    {
      char *id = g_strdup_printf ("uuid:usb-%04d-%s", i, f->dir + strlen (f->dir) - 6);
      /* The last one carries a large photo, so a small write limit fails
       * the export half-way rather than at its first file. */
      finalize (f->a, id, i == N_SUBMISSIONS - 1 ? 300000 : 0);
      g_ptr_array_add (f->ids, id);
    }

  key = saphan_kiosk_key_load_or_create (f->a_dir, &error);
  g_assert_no_error (error);
  f->a_public = saphan_kiosk_key_export_public (key, "kiosk A");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  (void) data;
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  g_ptr_array_unref (f->ids);
  bt_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->a_dir);
  g_free (f->b_dir);
  g_free (f->stick);
  g_free (f->a_public);
}

static gint64
count_state (SaphanStore *store, SaphanSubmissionState state)
{
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];
  g_autoptr (GError) error = NULL;

  saphan_store_count_by_state (store, counts, &error);
  g_assert_no_error (error);
  return counts[state];
}

/* B holds every exported submission with A's exact bytes, queued. */
static void
assert_same_bytes (Fixture *f)
{
  for (guint i = 0; i < f->ids->len; i++)
    {
      const char *id = f->ids->pdata[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) pa = saphan_store_get_payload (f->a, id, &error);
      g_autoptr (GBytes) pb = saphan_store_get_payload (f->b, id, &error);
      g_autoptr (GPtrArray) aa = saphan_store_get_attachments (f->a, id, &error);
      g_autoptr (GPtrArray) ab = saphan_store_get_attachments (f->b, id, &error);
      g_autoptr (SaphanSubmissionInfo) info = saphan_store_get_submission (f->b, id, &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (pa, pb));
      g_assert_cmpuint (aa->len, ==, ab->len);
      for (guint j = 0; j < aa->len; j++)
        {
          SaphanAttachment *x = aa->pdata[j], *y = NULL;
          for (guint k = 0; k < ab->len; k++)
            if (strcmp (((SaphanAttachment *) ab->pdata[k])->name, x->name) == 0)
              y = ab->pdata[k];
          g_assert_nonnull (y);
          g_assert_true (g_bytes_equal (x->data, y->data));
        }
      g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_QUEUED);
    }
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanUsbExportResult) result = NULL, again = NULL;
  SaphanUsbImportResult imported = { 0 };
  g_autofree char *manifest = NULL;

  (void) data;
  result = saphan_usb_export (f->a, f->stick, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_submissions, ==, N_SUBMISSIONS);
  g_assert_true (g_str_has_prefix (strrchr (result->folder, '/') + 1, "saphan-export-"));
  manifest = g_build_filename (result->folder, "manifest.json", NULL);
  g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));
  /* Exported, not accepted; the accepted one stays as it was. */
  g_assert_cmpint (count_state (f->a, SAPHAN_SUBMISSION_EXPORTED), ==, N_SUBMISSIONS);
  g_assert_cmpint (count_state (f->a, SAPHAN_SUBMISSION_ACCEPTED), ==, 1);

  /* An unknown kiosk is refused, and nothing is queued. */
  g_assert_false (saphan_usb_import (f->b, f->stick, NULL, NULL, &imported, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "is not trusted here"));
  g_clear_error (&error);
  g_assert_cmpint (count_state (f->b, SAPHAN_SUBMISSION_QUEUED), ==, 0);

  saphan_usb_import (f->b, f->stick, f->a_public, NULL, &imported, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported.n_queued, ==, N_SUBMISSIONS);
  g_assert_cmpuint (imported.n_skipped, ==, 0);
  assert_same_bytes (f);

  /* Exported-but-unconfirmed items go out again on the next stick; the
   * importer skips what it has. */
  again = saphan_usb_export (f->a, f->stick, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_submissions, ==, N_SUBMISSIONS);
  saphan_usb_import (f->b, f->stick, f->a_public, NULL, &imported, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported.n_exports, ==, 2);
  g_assert_cmpuint (imported.n_queued, ==, 0);
  g_assert_cmpuint (imported.n_skipped, ==, 2 * N_SUBMISSIONS);
}

static void
test_tampered (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanUsbExportResult) result = NULL;
  SaphanUsbImportResult imported = { 0 };
  g_autofree char *payload = NULL, *manifest = NULL, *text = NULL;

  (void) data;
  result = saphan_usb_export (f->a, f->stick, &error);
  g_assert_no_error (error);

  /* One answer changed on the stick. */
  payload = g_build_filename (result->folder, "0003", "submission.xml", NULL);
  g_assert_true (g_file_get_contents (payload, &text, NULL, NULL));
  text[strlen (text) - 10] ^= 1;
  g_assert_true (g_file_set_contents (payload, text, -1, NULL));
  g_assert_false (saphan_usb_import (f->b, f->stick, f->a_public, NULL, &imported, &error));
  g_assert_nonnull (strstr (error->message,
                            "0003/submission.xml does not match the signed manifest"));
  g_clear_error (&error);
  g_assert_cmpint (count_state (f->b, SAPHAN_SUBMISSION_QUEUED), ==, 0);

  /* The manifest edited to match: its signature no longer does. */
  g_clear_pointer (&text, g_free);
  manifest = g_build_filename (result->folder, "manifest.json", NULL);
  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  *strstr (text, "usb-0001") = 'U';
  g_assert_true (g_file_set_contents (manifest, text, -1, NULL));
  g_assert_false (saphan_usb_import (f->b, f->stick, f->a_public, NULL, &imported, &error));
  g_assert_nonnull (strstr (error->message, "does not match its signature"));
  g_assert_cmpint (count_state (f->b, SAPHAN_SUBMISSION_QUEUED), ==, 0);
}

static char *
make_rsa_key (const char *dir, char **out_public_pem)
{
  g_autofree char *priv = g_build_filename (dir, "central.pem", NULL);
  g_autofree char *pub = g_build_filename (dir, "central.pub.pem", NULL);
  g_autofree char *err = NULL;
  char *priv_text = NULL;
  const char *gen[] = { "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", priv, NULL };
  const char *pubout[] = { "openssl", "pkey", "-in", priv, "-pubout", "-out", pub, NULL };

  g_assert_cmpint (bt_run (gen, NULL, NULL, &err), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (bt_run (pubout, NULL, NULL, &err), ==, 0);
  g_assert_true (g_file_get_contents (priv, &priv_text, NULL, NULL));
  g_assert_true (g_file_get_contents (pub, out_public_pem, NULL, NULL));
  return priv_text;
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  return memmem (text, len, needle, strlen (needle)) != NULL;
}

static void
test_encrypted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanUsbExportResult) result = NULL;
  g_autofree char *public_pem = NULL, *private_pem = make_rsa_key (f->dir, &public_pem);
  g_autofree char *payload = NULL, *other_pem = NULL, *other_public = NULL;
  g_autofree char *other_dir = g_build_filename (f->dir, "other", NULL);
  SaphanUsbImportResult imported = { 0 };

  (void) data;
  saphan_store_set_setting (f->a, SAPHAN_USB_SETTING_PUBLIC_KEY, public_pem, &error);
  g_assert_no_error (error);
  result = saphan_usb_export (f->a, f->stick, &error);
  g_assert_no_error (error);

  /* Nothing readable on the stick: the name in every payload is gone. */
  payload = g_build_filename (result->folder, "0001", "submission.xml", NULL);
  g_assert_false (file_contains (payload, "instanceID"));

  g_assert_false (saphan_usb_import (f->b, f->stick, f->a_public, NULL, &imported, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "give its private key"));
  g_clear_error (&error);

  /* Another deployment's key cannot open it. */
  open_dir (other_dir);
  other_pem = make_rsa_key (other_dir, &other_public);
  g_assert_false (saphan_usb_import (f->b, f->stick, f->a_public, other_pem, &imported, &error));
  g_assert_nonnull (strstr (error->message, "cannot be decrypted with this private key"));
  g_clear_error (&error);
  g_assert_cmpint (count_state (f->b, SAPHAN_SUBMISSION_QUEUED), ==, 0);

  saphan_usb_import (f->b, f->stick, f->a_public, private_pem, &imported, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported.n_queued, ==, N_SUBMISSIONS);
  assert_same_bytes (f);
}

/* The stick fills up (or is pulled) half-way: a child process exports with
 * a file-size limit, so its writes fail part of the way through. */
static void
test_fails_midway (Fixture *f, gconstpointer data)
{
  g_autofree char *a_dir = g_strdup (f->a_dir);
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  SaphanUsbImportResult imported = { 0 };
  const char *name;
  guint folders = 0, files = 0;
  pid_t pid;
  int status;

  (void) data;
  /* The child opens its own connection. */
  g_clear_object (&f->a);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct rlimit limit = { 100000, 100000 };
      g_autoptr (SaphanStore) store = saphan_store_open (a_dir, NULL);
      g_autoptr (SaphanUsbExportResult) result = NULL;
      g_autoptr (GError) child_error = NULL;

      /* Writes past the limit fail with EFBIG instead of killing us. */
      signal (SIGXFSZ, SIG_IGN);
      setrlimit (RLIMIT_FSIZE, &limit);
      if (store == NULL)
        _exit (10);
      result = saphan_usb_export (store, f->stick, &child_error);
      if (result != NULL)
        _exit (11);
      _exit (g_error_matches (child_error, SAPHAN_ERROR, SAPHAN_ERROR_DISK_FULL) ? 0 : 12);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  f->a = saphan_store_open (f->a_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_state (f->a, SAPHAN_SUBMISSION_EXPORTED), ==, 0);
  g_assert_cmpint (count_state (f->a, SAPHAN_SUBMISSION_QUEUED), ==, N_SUBMISSIONS);

  /* It really failed midway: an export folder with some files, no manifest. */
  dir = g_dir_open (f->stick, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *folder = g_build_filename (f->stick, name, NULL);
      g_autofree char *manifest = g_build_filename (folder, "manifest.json", NULL);
      g_autofree char *first = g_build_filename (folder, "0001", "submission.xml", NULL);
      folders++;
      g_assert_false (g_file_test (manifest, G_FILE_TEST_EXISTS));
      if (g_file_test (first, G_FILE_TEST_EXISTS))
        files++;
    }
  g_assert_cmpuint (folders, ==, 1);
  g_assert_cmpuint (files, ==, 1);

  g_assert_false (saphan_usb_import (f->b, f->stick, f->a_public, NULL, &imported, &error));
  g_assert_nonnull (strstr (error->message, "has no manifest"));
  g_clear_error (&error);

  /* With room again, the same submissions go out whole. */
  {
    g_autoptr (SaphanUsbExportResult) result = saphan_usb_export (f->a, f->stick, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->n_submissions, ==, N_SUBMISSIONS);
  }
}

static void
export_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaphanUsbExportResult **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = saphan_usb_export_finish (SAPHAN_STORE (source), result, &error);
  g_assert_no_error (error);
}

/* The staff button's path: the export runs in a worker thread while the
 * main loop stays free. */
static void
test_export_async (Fixture *f, gconstpointer data)
{
  g_autoptr (SaphanUsbExportResult) result = NULL;

  (void) data;
  saphan_usb_export_async (f->a, f->stick, NULL, export_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (result->n_submissions, ==, N_SUBMISSIONS);
  g_assert_cmpint (count_state (f->a, SAPHAN_SUBMISSION_EXPORTED), ==, N_SUBMISSIONS);
}

static int
saphanctl (const char *data_dir, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *) SAPHANCTL);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, (char *) data_dir);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  status = bt_run ((const char *const *) argv->pdata, NULL, out, err);
  g_test_message ("saphanctl → %d: %s", status, *err);
  return status;
}

static void
test_cli (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *key_file = g_build_filename (f->dir, "kiosk-a.pub", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty", NULL);

  (void) data;
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  g_assert_true (g_file_set_contents (key_file, f->a_public, -1, NULL));
  open_dir (empty);

  g_assert_cmpint (saphanctl (f->a_dir, &out, &err, "usb", "export", f->stick, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Exported 12 submissions"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (saphanctl (f->b_dir, &out, &err, "usb", "import", f->stick, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "is not trusted here"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (saphanctl (f->b_dir, &out, &err, "usb", "import", empty, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "holds no Saphan export"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (saphanctl (f->b_dir, &out, &err, "usb", "import", f->stick, "--trust-key",
                              key_file, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Queued 12 submissions from 1 exports; 0 were"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (saphanctl (f->b_dir, &out, &err, "usb", "export", "/nonexistent/stick", NULL),
                   ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/usb/round-trip", test_round_trip);
  ADD ("/usb/tampered", test_tampered);
  ADD ("/usb/encrypted", test_encrypted);
  ADD ("/usb/fails-midway", test_fails_midway);
  ADD ("/usb/export-async", test_export_async);
  ADD ("/usb/cli", test_cli);
  return g_test_run ();
}
