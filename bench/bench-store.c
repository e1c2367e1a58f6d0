/* bench-store.c: finalize latency against the disk's own floor, and scaling.
 *
 * usage: bench-store finalize DIR N
 *        bench-store scaling DIR STORED M
 *
 * "finalize" opens a fresh store in DIR (on the disk being measured) and
 * times N finalizes of a 2 KB submission with a 20 KB attachment, then times
 * N rounds of writing 4 KB to a small file in the same folder and fsync()ing
 * it: the physical floor of any durable write there. The ratio of the two
 * medians says how close the store comes to that floor.
 *
 * "scaling" builds a store with STORED submissions (on /dev/shm when it
 * exists, so the build does not take an hour of fsyncs; all but the newest
 * 1,000 already accepted, as after a normal sync), copies the database into
 * DIR, and there times M finalizes and M of each queue query: count by
 * state, list of the queued (50), and claim_next followed by mark_accepted.
 * Prints one JSON object; times in milliseconds.
 */
#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "saphan-store.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (const double *sorted, guint n, double p)
{
  guint rank = (guint) (p / 100.0 * n + 0.999999);

  return sorted[MIN (MAX (rank, 1), n) - 1];
}

static double
print_series (const char *name, double *values, guint n, gboolean last)
{
  double median;

  qsort (values, n, sizeof *values, compare_doubles);
  median = percentile (values, n, 50);
  printf ("  \"%s\": {\"n\": %u, \"min\": %.4f, \"p50\": %.4f, \"p99\": %.4f, \"max\": %.4f}%s\n",
          name, n, values[0], median, percentile (values, n, 99), values[n - 1], last ? "" : ",");
  return median;
}

typedef struct
{
  SaphanFinalizeRequest request;
  char *instance_id;
  char *receipt;
  GPtrArray *attachments;
} Submission;

static Submission *
submission_new (guint64 serial, gboolean with_attachment)
{
  Submission *s = g_new0 (Submission, 1);
  GString *xml = g_string_new ("<?xml version='1.0'?><data id=\"elderly_allowance\" version=\"1\">");

  s->instance_id = g_strdup_printf ("uuid:bench-%016" G_GINT64_MODIFIER "x", serial);
  s->receipt = g_strdup_printf ("B-%08" G_GINT64_MODIFIER "u", serial);
  /* About 2 KB of answers, Thai text included, as a real form gives. */
  for (guint i = 0; i < 24; i++)
    g_string_append_printf (xml, "<q%u>คำตอบ %u ของแบบฟอร์ม %" G_GUINT64_FORMAT "</q%u>", i, i,
                            serial, i);
  g_string_append_printf (xml, "<meta><instanceID>%s</instanceID></meta></data>", s->instance_id);
  s->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_attachment_free);
  if (with_attachment)
    {
      SaphanAttachment *photo = g_new0 (SaphanAttachment, 1);
      guint8 *data = g_malloc (20 * 1024);

      for (guint i = 0; i < 20 * 1024; i++)
        data[i] = (guint8) (i * 2654435761u >> 13) ^ (guint8) serial;
      photo->name = g_strdup ("photo.jpg");
      photo->data = g_bytes_new_take (data, 20 * 1024);
      g_ptr_array_add (s->attachments, photo);
    }
  s->request.instance_id = s->instance_id;
  s->request.form_id = "elderly_allowance";
  s->request.form_version = "1";
  s->request.payload = g_string_free_to_bytes (xml);
  s->request.attachments = s->attachments;
  s->request.receipt_number = s->receipt;
  s->request.finalized_at = 1700000000 + (gint64) serial;
  return s;
}

static void
submission_free (Submission *s)
{
  g_bytes_unref (s->request.payload);
  g_ptr_array_unref (s->attachments);
  g_free (s->instance_id);
  g_free (s->receipt);
  g_free (s);
}

static void
finalize_or_die (SaphanStore *store, guint64 serial, gboolean with_attachment)
{
  g_autoptr(GError) error = NULL;
  Submission *s = submission_new (serial, with_attachment);

  if (!saphan_store_finalize (store, &s->request, &error))
    g_error ("finalize failed: %s", error->message);
  submission_free (s);
}

static void
time_finalizes (SaphanStore *store, guint64 first_serial, guint n, double *out)
{
  for (guint i = 0; i < n; i++)
    {
      Submission *s = submission_new (first_serial + i, TRUE);
      g_autoptr(GError) error = NULL;
      double t0 = now_ms ();

      if (!saphan_store_finalize (store, &s->request, &error))
        g_error ("finalize failed: %s", error->message);
      out[i] = now_ms () - t0;
      submission_free (s);
    }
}

static void
time_fsync (const char *dir, guint n, double *out)
{
  g_autofree char *path = g_build_filename (dir, "fsync-probe", NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  char block[4096];

  memset (block, 'x', sizeof block);
  g_assert (fd >= 0);
  for (guint i = 0; i < n; i++)
    {
      double t0 = now_ms ();

      if (pwrite (fd, block, sizeof block, (off_t) (i % 16) * sizeof block) != sizeof block ||
          fsync (fd) != 0)
        g_error ("write or fsync failed");
      out[i] = now_ms () - t0;
    }
  close (fd);
  g_unlink (path);
}

static int
bench_finalize (const char *dir, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_build_filename (dir, "finalize", NULL);
  g_autoptr(SaphanStore) store = NULL;
  g_autofree double *fin = g_new (double, n);
  g_autofree double *sync = g_new (double, n);
  double fin_p50, sync_p50;

  g_mkdir_with_parents (data_dir, 0700);
  store = saphan_store_open (data_dir, &error);
  g_assert_no_error (error);
  time_finalizes (store, 1, n, fin);
  time_fsync (data_dir, n, sync);
  printf ("{\n  \"bench\": \"finalize\",\n  \"dir\": \"%s\",\n", dir);
  fin_p50 = print_series ("finalize_ms", fin, n, FALSE);
  sync_p50 = print_series ("fsync_ms", sync, n, FALSE);
  printf ("  \"ratio_p50\": %.3f\n}\n", fin_p50 / sync_p50);
  return 0;
}

static char *
build_store (guint stored)
{
  g_autoptr(GError) error = NULL;
  const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  g_autofree char *tmpl = g_build_filename (base, "saphan-bench-XXXXXX", NULL);
  char *dir = g_mkdtemp (tmpl) != NULL ? g_steal_pointer (&tmpl) : NULL;
  g_autoptr(SaphanStore) store = NULL;
  guint queued = MIN (stored, 1000);

  g_assert (dir != NULL);
  store = saphan_store_open (dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < stored; i++)
    {
      finalize_or_die (store, 1000000 + i, (i % 10) == 0);
      /* Everything but the newest thousand has been delivered already. */
      if (i < stored - queued)
        {
          g_autoptr(SaphanSubmissionInfo) claimed = saphan_store_claim_next (store, 2000000000, &error);

          g_assert_no_error (error);
          g_assert (claimed != NULL);
          g_assert (saphan_store_mark_accepted (store, claimed->instance_id, "ok", &error));
        }
    }
  return dir;
}

static void
copy_file (const char *from, const char *to)
{
  g_autoptr(GFile) a = g_file_new_for_path (from);
  g_autoptr(GFile) b = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  if (!g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
    g_error ("copy failed: %s", error->message);
}

static int
bench_scaling (const char *dir, guint stored, guint m)
{
  g_autoptr(GError) error = NULL;
  double t_build = now_ms ();
  g_autofree char *built = build_store (stored);
  g_autofree char *from = g_build_filename (built, "saphan.db", NULL);
  g_autofree char *data_dir = g_strdup_printf ("%s/scaling-%u", dir, stored);
  g_autofree char *to = g_build_filename (data_dir, "saphan.db", NULL);
  g_autoptr(SaphanStore) store = NULL;
  g_autofree double *fin = g_new (double, m);
  g_autofree double *count = g_new (double, m);
  g_autofree double *list = g_new (double, m);
  g_autofree double *claim = g_new (double, m);
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];
  struct stat st;

  t_build = now_ms () - t_build;
  g_mkdir_with_parents (data_dir, 0700);
  copy_file (from, to);
  g_unlink (from);
  g_rmdir (built);
  g_stat (to, &st);
  store = saphan_store_open (data_dir, &error);
  g_assert_no_error (error);

  time_finalizes (store, 5000000, m, fin);
  for (guint i = 0; i < m; i++)
    {
      double t0 = now_ms ();

      g_assert (saphan_store_count_by_state (store, counts, &error));
      count[i] = now_ms () - t0;
    }
  for (guint i = 0; i < m; i++)
    {
      double t0 = now_ms ();
      g_autoptr(GPtrArray) queued = saphan_store_list_submissions (store, SAPHAN_SUBMISSION_QUEUED,
                                                                   50, &error);

      g_assert (queued != NULL);
      list[i] = now_ms () - t0;
    }
  for (guint i = 0; i < m; i++)
    {
      double t0 = now_ms ();
      g_autoptr(SaphanSubmissionInfo) claimed = saphan_store_claim_next (store, 2000000000, &error);

      g_assert (claimed != NULL);
      g_assert (saphan_store_mark_accepted (store, claimed->instance_id, "ok", &error));
      claim[i] = now_ms () - t0;
    }
  printf ("{\n  \"bench\": \"scaling\",\n  \"stored\": %u,\n  \"db_bytes\": %" G_GINT64_FORMAT
          ",\n  \"build_s\": %.1f,\n", stored, (gint64) st.st_size, t_build / 1000);
  print_series ("finalize_ms", fin, m, FALSE);
  print_series ("count_by_state_ms", count, m, FALSE);
  print_series ("list_queued_ms", list, m, FALSE);
  print_series ("claim_and_mark_ms", claim, m, TRUE);
  printf ("}\n");
  g_clear_object (&store);
  g_unlink (to);
  return 0;
}

static void
drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main (int argc, char **argv)
{
  g_log_set_handler ("saphan-store", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
  if (argc == 4 && strcmp (argv[1], "finalize") == 0)
    return bench_finalize (argv[2], (guint) atoi (argv[3]));
  if (argc == 5 && strcmp (argv[1], "scaling") == 0)
    return bench_scaling (argv[2], (guint) atoi (argv[3]), (guint) atoi (argv[4]));
  fprintf (stderr, "usage: %s finalize DIR N | scaling DIR STORED M\n", argv[0]);
  return 2;
}
