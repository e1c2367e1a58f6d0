/* test-store-diskfull.c: a full or failing disk refuses a finalize and
 * loses nothing.
 *
 * Mounting a tiny file system needs privileges a test does not have, so the
 * disk fills up in a SQLite VFS instead: it wraps the default VFS and, once
 * a byte budget is spent, writes what still fits and then fails the write
 * with SQLITE_FULL, as a real disk filling up mid-write does.
 */
#include "config.h"

#include <string.h>

#include "saphan-error.h"
#include "saphan-store-private.h"
#include "store-test-util.h"

#define FULL_VFS_NAME "saphan-test-full"

typedef struct
{
  sqlite3_file  base;
  sqlite3_file *real;
} FullFile;

static sqlite3_vfs full_vfs;
static sqlite3_vfs *real_vfs;
/* Bytes that may still be written; negative means no limit. The store may
 * call from its own lock only, so plain access is safe here. */
static gint64 budget = -1;
static guint n_refused_writes;
/* What a write past the budget fails with: a full disk, or a failing one. */
static int failure_code = SQLITE_FULL;

static int
full_close (sqlite3_file *file)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xClose (self->real);
}

static int
full_read (sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xRead (self->real, buffer, amount, offset);
}

static int
full_write (sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset)
{
  FullFile *self = (FullFile *) file;

  if (budget >= 0 && budget < amount)
    {
      /* The part that fits lands on the disk, like a short write would. */
      if (budget > 0)
        self->real->pMethods->xWrite (self->real, buffer, (int) budget, offset);
      budget = 0;
      n_refused_writes++;
      return failure_code;
    }
  if (budget >= 0)
    budget -= amount;
  return self->real->pMethods->xWrite (self->real, buffer, amount, offset);
}

static int
full_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xTruncate (self->real, size);
}

static int
full_sync (sqlite3_file *file, int flags)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xSync (self->real, flags);
}

static int
full_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xFileSize (self->real, size);
}

static int
full_lock (sqlite3_file *file, int level)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xLock (self->real, level);
}

static int
full_unlock (sqlite3_file *file, int level)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xUnlock (self->real, level);
}

static int
full_check_reserved_lock (sqlite3_file *file, int *out)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xCheckReservedLock (self->real, out);
}

static int
full_file_control (sqlite3_file *file, int op, void *arg)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xFileControl (self->real, op, arg);
}

static int
full_sector_size (sqlite3_file *file)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xSectorSize (self->real);
}

static int
full_device_characteristics (sqlite3_file *file)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xDeviceCharacteristics (self->real);
}

static int
full_shm_map (sqlite3_file *file, int page, int page_size, int extend, void volatile **out)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xShmMap (self->real, page, page_size, extend, out);
}

static int
full_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xShmLock (self->real, offset, n, flags);
}

static void
full_shm_barrier (sqlite3_file *file)
{
  FullFile *self = (FullFile *) file;

  self->real->pMethods->xShmBarrier (self->real);
}

static int
full_shm_unmap (sqlite3_file *file, int delete_flag)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xShmUnmap (self->real, delete_flag);
}

static int
full_fetch (sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xFetch (self->real, offset, amount, out);
}

static int
full_unfetch (sqlite3_file *file, sqlite3_int64 offset, void *pointer)
{
  FullFile *self = (FullFile *) file;

  return self->real->pMethods->xUnfetch (self->real, offset, pointer);
}

static const sqlite3_io_methods full_io_methods = {
  .iVersion = 3,
  .xClose = full_close,
  .xRead = full_read,
  .xWrite = full_write,
  .xTruncate = full_truncate,
  .xSync = full_sync,
  .xFileSize = full_file_size,
  .xLock = full_lock,
  .xUnlock = full_unlock,
  .xCheckReservedLock = full_check_reserved_lock,
  .xFileControl = full_file_control,
  .xSectorSize = full_sector_size,
  .xDeviceCharacteristics = full_device_characteristics,
  .xShmMap = full_shm_map,
  .xShmLock = full_shm_lock,
  .xShmBarrier = full_shm_barrier,
  .xShmUnmap = full_shm_unmap,
  .xFetch = full_fetch,
  .xUnfetch = full_unfetch,
};

static int
full_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  FullFile *self = (FullFile *) file;
  int rc;

  /* The real file lives right behind ours, in the space szOsFile asked for. */
  self->real = (sqlite3_file *) (self + 1);
  rc = real_vfs->xOpen (real_vfs, name, self->real, flags, out_flags);
  /* SQLite calls xClose only when pMethods is set, so it must be set
   * exactly when the real file needs closing. */
  self->base.pMethods = self->real->pMethods != NULL ? &full_io_methods : NULL;
  return rc;
}

static void
register_full_vfs (void)
{
  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);
  g_assert_cmpint (real_vfs->iVersion, >=, 2);

  full_vfs = *real_vfs;
  full_vfs.zName = FULL_VFS_NAME;
  full_vfs.szOsFile = (int) sizeof (FullFile) + real_vfs->szOsFile;
  full_vfs.xOpen = full_open;
  full_vfs.pNext = NULL;
  g_assert_cmpint (sqlite3_vfs_register (&full_vfs, 0), ==, SQLITE_OK);
}

typedef struct
{
  gint64 budget;        /* bytes written before the failure */
  int    sqlite_code;   /* what the VFS returns then */
  int    expected;      /* the SaphanErrorCode finalize must report */
} FullCase;

/* Budgets after which the disk is full: nothing at all, less than a page,
 * one page, a few pages, more than one large submission; then the same for
 * a disk that fails with an I/O error instead. */
static const FullCase cases[] = {
  { 0, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 1, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 100, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 4096, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 4097, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 12345, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 20000, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 65536, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 150000, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 400000, SQLITE_FULL, SAPHAN_ERROR_DISK_FULL },
  { 0, SQLITE_IOERR_WRITE, SAPHAN_ERROR_IO },
  { 4097, SQLITE_IOERR_WRITE, SAPHAN_ERROR_IO },
  { 65536, SQLITE_IOERR_WRITE, SAPHAN_ERROR_IO },
};
static FullCase random_cases[200];

static void
test_disk_full (gconstpointer data)
{
  const FullCase *full_case = data;
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "saphan.db", NULL);
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *failed_id = NULL;
  gint64 n_audit = 0;
  guint i;

  budget = -1;
  n_refused_writes = 0;
  failure_code = full_case->sqlite_code;
  store = saphan_store_open_file_with_vfs (path, FULL_VFS_NAME, &error);
  g_assert_no_error (error);

  for (i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("uuid:before-%u", i);
      g_autoptr(StoreTestSubmission) s = store_test_submission_new (id);

      g_assert_true (saphan_store_finalize (store, &s->request, &error));
      g_assert_no_error (error);
      g_ptr_array_add (saved, g_steal_pointer (&id));
    }

  /* Now the disk fills up: finalize until one is refused. */
  budget = full_case->budget;
  for (i = 0; failed_id == NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("uuid:during-%u", i);
      g_autoptr(StoreTestSubmission) s = store_test_submission_new (id);

      g_assert_cmpuint (i, <, 1000);
      if (saphan_store_finalize (store, &s->request, &error))
        g_ptr_array_add (saved, g_steal_pointer (&id));
      else
        failed_id = g_steal_pointer (&id);
    }
  g_assert_error (error, SAPHAN_ERROR, full_case->expected);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_true (saphan_error_is_environment (error));
  g_assert_cmpuint (n_refused_writes, >, 0);
  g_test_message ("budget %" G_GINT64_FORMAT ": %u saved before the disk failed: %s",
                  full_case->budget, saved->len, error->message);
  g_clear_error (&error);

  /* The connection stays usable for reading while the disk is full, and a
   * second attempt fails the same way instead of half-succeeding. */
  {
    g_autoptr(StoreTestSubmission) again = store_test_submission_new (failed_id);
    g_autoptr(SaphanSubmissionInfo) missing = NULL;

    g_assert_false (saphan_store_finalize (store, &again->request, &error));
    g_assert_error (error, SAPHAN_ERROR, full_case->expected);
    g_clear_error (&error);
    missing = saphan_store_get_submission (store, failed_id, &error);
    g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  g_clear_object (&store);

  /* Space is back: the normal VFS sees every saved submission byte for
   * byte, and nothing of the refused one. */
  budget = -1;
  store = saphan_store_open_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (saphan_store_check_integrity (store, &error));
  g_assert_no_error (error);
  for (i = 0; i < saved->len; i++)
    g_assert_null (store_test_compare_submission (store, g_ptr_array_index (saved, i)));
  {
    g_autoptr(SaphanSubmissionInfo) missing = saphan_store_get_submission (store, failed_id, &error);
    g_autoptr(GPtrArray) all = saphan_store_list_submissions (store, -1, 0, NULL);

    g_assert_null (missing);
    g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_cmpuint (all->len, ==, saved->len);
  }
  g_assert_true (saphan_store_audit_verify (store, &n_audit, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_audit, ==, saved->len);

  /* And the refused submission can now be saved. */
  {
    g_autoptr(StoreTestSubmission) retry = store_test_submission_new (failed_id);

    g_assert_true (saphan_store_finalize (store, &retry->request, &error));
    g_assert_no_error (error);
    g_assert_null (store_test_compare_submission (store, failed_id));
  }
  g_clear_object (&store);
  store_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  register_full_vfs ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/store/%s/budget-%" G_GINT64_FORMAT,
                                               cases[i].sqlite_code == SQLITE_FULL ? "disk-full" : "io-error",
                                               cases[i].budget);

      g_test_add_data_func (name, &cases[i], test_disk_full);
    }
  /* A soak run adds random budgets, to land in every kind of write. */
  if (store_test_soak ())
    for (gsize i = 0; i < G_N_ELEMENTS (random_cases); i++)
      {
        g_autofree char *name = NULL;

        random_cases[i] = cases[i % 2 == 0 ? 0 : G_N_ELEMENTS (cases) - 1];
        random_cases[i].budget = g_test_rand_int_range (0, 600000);
        name = g_strdup_printf ("/store/random-%zu/budget-%" G_GINT64_FORMAT, i, random_cases[i].budget);
        g_test_add_data_func (name, &random_cases[i], test_disk_full);
      }
  return g_test_run ();
}
