/* test-sqlite-ioerr.c: every write, sync and truncate of a finalize may fail.
 *
 * A VFS wrapping the default one counts xWrite, xSync and xTruncate calls
 * once armed and makes the Nth fail with SQLITE_IOERR_*, as a failing SD
 * card or USB disk does. The store holds three submissions finalized before;
 * then, for N = 1, 2, 3, … until a finalize makes fewer than N such calls,
 * one more finalize runs with the Nth call failing. It must succeed or
 * return a clean SAPHAN_ERROR. With the fault gone, the same open store must
 * accept a further finalize (a transient fault does not wedge the kiosk);
 * and after a reopen the database must pass integrity_check, hold the three
 * earlier submissions byte for byte, and the faulted one complete or not at
 * all (complete whenever its finalize said it succeeded).
 *
 * A second test fails the Nth call while the store closes, which is when
 * the write-ahead log is checkpointed into the main file: every submission
 * finalized before must survive.
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "saphan-error.h"
#include "torture-util.h"

#define IOERR_VFS_NAME "saphan-torture-ioerr"

typedef struct
{
  sqlite3_file  base;
  sqlite3_file *real;
} IoerrFile;

static sqlite3_vfs ioerr_vfs;
static sqlite3_vfs *real_vfs;
static gint64 n_calls;
static gint64 fail_at = -1;
static gint64 n_failed;

/* Counts one write-like call and says whether it is the one to fail. */
static gboolean
should_fail (void)
{
  if (__atomic_load_n (&fail_at, __ATOMIC_SEQ_CST) < 0)
    return FALSE;
  if (__atomic_add_fetch (&n_calls, 1, __ATOMIC_SEQ_CST) == fail_at)
    {
      __atomic_add_fetch (&n_failed, 1, __ATOMIC_SEQ_CST);
      return TRUE;
    }
  return FALSE;
}

#define REAL(f) (((IoerrFile *) (f))->real)

static int
ioerr_close (sqlite3_file *f)
{
  int rc = REAL (f)->pMethods->xClose (REAL (f));

  sqlite3_free (REAL (f));
  return rc;
}

static int
ioerr_read (sqlite3_file *f, void *buf, int amount, sqlite3_int64 offset)
{
  return REAL (f)->pMethods->xRead (REAL (f), buf, amount, offset);
}

static int
ioerr_write (sqlite3_file *f, const void *buf, int amount, sqlite3_int64 offset)
{
  if (should_fail ())
    return SQLITE_IOERR_WRITE;
  return REAL (f)->pMethods->xWrite (REAL (f), buf, amount, offset);
}

static int
ioerr_truncate (sqlite3_file *f, sqlite3_int64 size)
{
  if (should_fail ())
    return SQLITE_IOERR_TRUNCATE;
  return REAL (f)->pMethods->xTruncate (REAL (f), size);
}

static int
ioerr_sync (sqlite3_file *f, int flags)
{
  if (should_fail ())
    return SQLITE_IOERR_FSYNC;
  return REAL (f)->pMethods->xSync (REAL (f), flags);
}

static int
ioerr_file_size (sqlite3_file *f, sqlite3_int64 *size)
{
  return REAL (f)->pMethods->xFileSize (REAL (f), size);
}

static int
ioerr_lock (sqlite3_file *f, int level)
{
  return REAL (f)->pMethods->xLock (REAL (f), level);
}

static int
ioerr_unlock (sqlite3_file *f, int level)
{
  return REAL (f)->pMethods->xUnlock (REAL (f), level);
}

static int
ioerr_check_reserved (sqlite3_file *f, int *out)
{
  return REAL (f)->pMethods->xCheckReservedLock (REAL (f), out);
}

static int
ioerr_file_control (sqlite3_file *f, int op, void *arg)
{
  return REAL (f)->pMethods->xFileControl (REAL (f), op, arg);
}

static int
ioerr_sector_size (sqlite3_file *f)
{
  return REAL (f)->pMethods->xSectorSize (REAL (f));
}

static int
ioerr_device_characteristics (sqlite3_file *f)
{
  return REAL (f)->pMethods->xDeviceCharacteristics (REAL (f));
}

static int
ioerr_shm_map (sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
  return REAL (f)->pMethods->xShmMap (REAL (f), page, size, extend, out);
}

static int
ioerr_shm_lock (sqlite3_file *f, int offset, int n, int flags)
{
  return REAL (f)->pMethods->xShmLock (REAL (f), offset, n, flags);
}

static void
ioerr_shm_barrier (sqlite3_file *f)
{
  REAL (f)->pMethods->xShmBarrier (REAL (f));
}

static int
ioerr_shm_unmap (sqlite3_file *f, int delete_flag)
{
  return REAL (f)->pMethods->xShmUnmap (REAL (f), delete_flag);
}

static int
ioerr_fetch (sqlite3_file *f, sqlite3_int64 offset, int amount, void **out)
{
  return REAL (f)->pMethods->xFetch (REAL (f), offset, amount, out);
}

static int
ioerr_unfetch (sqlite3_file *f, sqlite3_int64 offset, void *p)
{
  return REAL (f)->pMethods->xUnfetch (REAL (f), offset, p);
}

static const sqlite3_io_methods ioerr_methods = {
  3, ioerr_close, ioerr_read, ioerr_write, ioerr_truncate, ioerr_sync, ioerr_file_size,
  ioerr_lock, ioerr_unlock, ioerr_check_reserved, ioerr_file_control, ioerr_sector_size,
  ioerr_device_characteristics, ioerr_shm_map, ioerr_shm_lock, ioerr_shm_barrier,
  ioerr_shm_unmap, ioerr_fetch, ioerr_unfetch,
};

static int
ioerr_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  IoerrFile *self = (IoerrFile *) file;
  int rc;

  self->real = sqlite3_malloc (real_vfs->szOsFile);
  if (self->real == NULL)
    return SQLITE_NOMEM;
  memset (self->real, 0, real_vfs->szOsFile);
  rc = real_vfs->xOpen (real_vfs, name, self->real, flags, out_flags);
  if (rc != SQLITE_OK || self->real->pMethods == NULL)
    {
      /* SQLite does not call xClose on a file whose open failed. */
      if (self->real->pMethods != NULL)
        self->real->pMethods->xClose (self->real);
      sqlite3_free (self->real);
      self->real = NULL;
      self->base.pMethods = NULL;
      return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
  self->base.pMethods = &ioerr_methods;
  return SQLITE_OK;
}

static void
install_vfs (void)
{
  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);
  /* Everything but the file size and xOpen passes straight through. */
  ioerr_vfs = *real_vfs;
  ioerr_vfs.zName = IOERR_VFS_NAME;
  ioerr_vfs.szOsFile = sizeof (IoerrFile);
  ioerr_vfs.xOpen = ioerr_open;
  ioerr_vfs.pNext = NULL;
  g_assert_cmpint (sqlite3_vfs_register (&ioerr_vfs, 1), ==, SQLITE_OK);
}

typedef struct
{
  gint64 runs, succeeded, refused, stored, recovered;
  GPtrArray *problems;
} Tally;

static void
note (Tally *tally, gint64 n, const char *step, char *problem)
{
  if (tally->problems->len < 20)
    g_ptr_array_add (tally->problems, g_strdup_printf ("N=%" G_GINT64_FORMAT " %s: %s",
                                                       n, step, problem));
  g_free (problem);
}

static gboolean
run_close (gint64 n, Tally *tally)
{
  static const char *const ids[] = { "uuid:close-1", "uuid:close-2", "uuid:close-3" };
  g_autofree char *dir = torture_make_dir ();
  g_autoptr(GError) error = NULL;
  SaphanStore *store = saphan_store_open (dir, &error);
  gboolean injected;
  char *problem = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(TortureSubmission) sub = torture_submission_new (ids[i]);

      g_assert_true (saphan_store_finalize (store, &sub->request, &error));
    }
  __atomic_store_n (&n_calls, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n (&n_failed, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n (&fail_at, n, __ATOMIC_SEQ_CST);
  g_object_unref (store);
  __atomic_store_n (&fail_at, -1, __ATOMIC_SEQ_CST);
  injected = n_failed > 0;
  tally->runs++;

  store = saphan_store_open (dir, &error);
  if (store == NULL)
    note (tally, n, "reopen", g_strdup_printf ("the database no longer opens: %s", error->message));
  else
    {
      if (!saphan_store_check_integrity (store, &error))
        note (tally, n, "integrity", g_strdup (error->message));
      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        if (torture_check_submission (store, ids[i], &problem) != 1)
          note (tally, n, "after close",
                problem != NULL ? problem : g_strdup_printf ("%s was lost", ids[i]));
        else
          tally->stored++;
      g_object_unref (store);
    }
  torture_remove_dir (dir);
  return injected;
}

static void
test_ioerr_close (void)
{
  Tally tally = { 0 };
  gint64 n;

  tally.problems = g_ptr_array_new_with_free_func (g_free);
  for (n = 1; run_close (n, &tally); n++)
    ;
  g_test_message ("%" G_GINT64_FORMAT " closes (checkpoints) with one failing call: "
                  "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " earlier submissions intact; %u problems",
                  tally.runs, tally.stored, tally.runs * 3, tally.problems->len);
  for (guint i = 0; i < tally.problems->len; i++)
    g_test_message ("problem: %s", (char *) tally.problems->pdata[i]);
  g_assert_cmpuint (tally.problems->len, ==, 0);
  g_assert_cmpint (tally.runs, >=, 2);
  g_ptr_array_unref (tally.problems);
}

static gboolean
run_once (gint64 n, Tally *tally)
{
  static const char *const before[] = { "uuid:before-1", "uuid:before-2", "uuid:before-3" };
  g_autofree char *dir = torture_make_dir ();
  g_autofree char *faulted_id = g_strdup_printf ("uuid:ioerr-%" G_GINT64_FORMAT, n);
  g_autoptr(TortureSubmission) faulted = torture_submission_new (faulted_id);
  g_autoptr(TortureSubmission) after = torture_submission_new ("uuid:after-the-fault");
  g_autoptr(GError) error = NULL;
  SaphanStore *store = saphan_store_open (dir, &error);
  gboolean finalized, injected, after_ok;
  char *problem = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (before); i++)
    {
      g_autoptr(TortureSubmission) sub = torture_submission_new (before[i]);

      g_assert_true (saphan_store_finalize (store, &sub->request, &error));
    }

  __atomic_store_n (&n_calls, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n (&n_failed, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n (&fail_at, n, __ATOMIC_SEQ_CST);
  finalized = saphan_store_finalize (store, &faulted->request, &error);
  __atomic_store_n (&fail_at, -1, __ATOMIC_SEQ_CST);
  injected = n_failed > 0;
  tally->runs++;
  if (finalized)
    tally->succeeded++;
  else
    {
      tally->refused++;
      if (!torture_error_is_clean (error, &problem))
        note (tally, n, "finalize", problem);
    }
  g_clear_error (&error);

  /* The fault was transient: the same store must go on working. */
  after_ok = saphan_store_finalize (store, &after->request, &error);
  if (after_ok)
    tally->recovered++;
  else
    note (tally, n, "finalize after the fault",
          g_strdup_printf ("the store stays broken: %s", error->message));
  g_clear_error (&error);
  g_object_unref (store);

  store = saphan_store_open (dir, &error);
  if (store == NULL)
    note (tally, n, "reopen", g_strdup_printf ("the database no longer opens: %s", error->message));
  else
    {
      int found;

      if (!saphan_store_check_integrity (store, &error))
        note (tally, n, "integrity", g_strdup (error->message));
      for (guint i = 0; i < G_N_ELEMENTS (before); i++)
        if (torture_check_submission (store, before[i], &problem) != 1)
          note (tally, n, "earlier submission",
                problem != NULL ? problem : g_strdup_printf ("%s was lost", before[i]));
      found = torture_check_submission (store, faulted_id, &problem);
      if (found < 0)
        note (tally, n, "faulted submission", problem);
      else if (found == 0 && finalized)
        note (tally, n, "faulted submission", g_strdup ("a finalize that succeeded was lost"));
      else if (found == 1)
        tally->stored++;
      if (after_ok && torture_check_submission (store, "uuid:after-the-fault", &problem) != 1)
        note (tally, n, "later submission",
              problem != NULL ? problem : g_strdup ("a finalize that succeeded was lost"));
      g_object_unref (store);
    }
  torture_remove_dir (dir);
  return injected;
}

static void
test_ioerr_finalize (void)
{
  Tally tally = { 0 };
  gboolean finished = FALSE;

  tally.problems = g_ptr_array_new_with_free_func (g_free);
  torture_reset_clock ();
  for (gint64 n = 1; ; n++)
    {
      if (!run_once (n, &tally))
        {
          finished = TRUE;
          break;
        }
      if (torture_elapsed () > torture_budget ())
        break;
    }
  g_test_message ("%" G_GINT64_FORMAT " finalizes with one failing write/sync/truncate in %.1f s"
                  " (%s): %" G_GINT64_FORMAT " succeeded anyway, %" G_GINT64_FORMAT
                  " refused cleanly, %" G_GINT64_FORMAT " stored, store usable again after %"
                  G_GINT64_FORMAT "; %u problems",
                  tally.runs, torture_elapsed (), finished ? "every call failed once" : "time box",
                  tally.succeeded, tally.refused, tally.stored, tally.recovered,
                  tally.problems->len);
  for (guint i = 0; i < tally.problems->len; i++)
    g_test_message ("problem: %s", (char *) tally.problems->pdata[i]);
  g_assert_cmpuint (tally.problems->len, ==, 0);
  g_assert_cmpint (tally.runs, >=, 3);
  g_ptr_array_unref (tally.problems);
}

static void
drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_handler ("saphan-store", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
  install_vfs ();
  g_test_add_func ("/torture/sqlite-ioerr/finalize", test_ioerr_finalize);
  g_test_add_func ("/torture/sqlite-ioerr/close", test_ioerr_close);
  return g_test_run ();
}
