/* test-store-refuse.c: files that are not ours are refused and left alone.
 *
 * Each case puts a file at DATA_DIR/saphan.db, dates it in the past, and
 * opens the store. A refusal must carry the right code and a message naming
 * the file (or the versions), and leave the file's bytes, its mtime and the
 * folder's listing exactly as they were: no -wal, -shm or -journal file.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "saphan-error.h"
#include "saphan-store-private.h"
#include "store-test-util.h"

typedef void (*MakeFile) (const char *path);

static void
write_bytes (const char *path, const void *data, gsize size)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
}

static void
make_text (const char *path)
{
  const char *text = "name,phone\nSomchai,0812345678\n";

  write_bytes (path, text, strlen (text));
}

static void
make_random (const char *path, gsize size, gboolean with_magic)
{
  g_autofree guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_test_rand_int_range (0, 256);
  if (with_magic)
    memcpy (data, "SQLite format 3", 16);
  write_bytes (path, data, size);
}

static void
make_short_garbage (const char *path)
{
  make_random (path, 50, FALSE);
}

static void
make_random_8k (const char *path)
{
  make_random (path, 8192, FALSE);
}

static void
make_magic_garbage (const char *path)
{
  make_random (path, 4096, TRUE);
}

static void
make_short_magic (const char *path)
{
  make_random (path, 60, TRUE);
}

static void
make_sqlite (const char *path, const char *sql)
{
  sqlite3 *db = store_test_raw_open (path);

  store_test_raw_exec (db, sql);
  sqlite3_close (db);
}

static void
make_other_app (const char *path)
{
  make_sqlite (path, "PRAGMA application_id = 305419896;"
                     "CREATE TABLE contacts (name TEXT, phone TEXT);"
                     "INSERT INTO contacts VALUES ('Somchai', '0812345678');");
}

static void
make_other_app_no_id (const char *path)
{
  make_sqlite (path, "CREATE TABLE contacts (name TEXT, phone TEXT);"
                     "INSERT INTO contacts VALUES ('Somchai', '0812345678');");
}

static void
make_other_app_wal (const char *path)
{
  make_sqlite (path, "PRAGMA journal_mode = WAL;"
                     "PRAGMA application_id = 1263485519;"
                     "CREATE TABLE contacts (name TEXT, phone TEXT);"
                     "INSERT INTO contacts VALUES ('Somchai', '0812345678');");
}

static void
make_unclaimed_with_version (const char *path)
{
  make_sqlite (path, "PRAGMA user_version = 2;");
}

static void
make_saphan (const char *path, gboolean wal, int user_version)
{
  const SaphanStoreMigration *migrations;
  g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", user_version);
  guint n_migrations;
  sqlite3 *db = store_test_raw_open (path);

  if (wal)
    store_test_raw_exec (db, "PRAGMA journal_mode = WAL");
  migrations = _saphan_store_get_migrations (&n_migrations);
  for (guint i = 0; i < n_migrations; i++)
    store_test_raw_exec (db, migrations[i].sql);
  store_test_raw_exec (db, "INSERT INTO settings VALUES ('kiosk.name', 'future')");
  store_test_raw_exec (db, bump);
  sqlite3_close (db);
}

static void
make_too_new (const char *path)
{
  make_saphan (path, FALSE, saphan_store_latest_schema_version () + 5);
}

static void
make_too_new_wal (const char *path)
{
  make_saphan (path, TRUE, saphan_store_latest_schema_version () + 1);
}

static void
make_directory (const char *path)
{
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
}

static const struct
{
  const char *name;
  MakeFile    make;
  int         code;
} cases[] = {
  { "text", make_text, SAPHAN_ERROR_NOT_A_DATABASE },
  { "short-garbage", make_short_garbage, SAPHAN_ERROR_NOT_A_DATABASE },
  { "random-8k", make_random_8k, SAPHAN_ERROR_NOT_A_DATABASE },
  { "magic-then-garbage", make_magic_garbage, SAPHAN_ERROR_NOT_A_DATABASE },
  { "truncated-header", make_short_magic, SAPHAN_ERROR_NOT_A_DATABASE },
  { "other-app", make_other_app, SAPHAN_ERROR_NOT_A_DATABASE },
  { "other-app-no-id", make_other_app_no_id, SAPHAN_ERROR_NOT_A_DATABASE },
  { "other-app-wal", make_other_app_wal, SAPHAN_ERROR_NOT_A_DATABASE },
  { "unclaimed-with-version", make_unclaimed_with_version, SAPHAN_ERROR_NOT_A_DATABASE },
  { "too-new", make_too_new, SAPHAN_ERROR_TOO_NEW },
  { "too-new-wal", make_too_new_wal, SAPHAN_ERROR_TOO_NEW },
  { "directory", make_directory, SAPHAN_ERROR_NOT_A_DATABASE },
};

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
test_refuse (gconstpointer data)
{
  gsize index = GPOINTER_TO_SIZE (data);
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "saphan.db", NULL);
  g_autofree char *listing_before = NULL;
  g_autofree char *listing_after = NULL;
  g_autofree char *bytes_before = NULL;
  g_autofree char *bytes_after = NULL;
  gsize size_before = 0, size_after = 0;
  struct timespec past[2] = { { 1577836800, 0 }, { 1577836800, 0 } };
  struct stat before, after;
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean is_file;

  cases[index].make (path);
  is_file = g_file_test (path, G_FILE_TEST_IS_REGULAR);
  /* A date in the past makes any write, even of identical bytes, visible. */
  g_assert_cmpint (utimensat (AT_FDCWD, path, past, 0), ==, 0);
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  if (is_file)
    g_assert_true (g_file_get_contents (path, &bytes_before, &size_before, NULL));
  listing_before = list_dir (dir);

  store = saphan_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, SAPHAN_ERROR, cases[index].code);
  g_test_message ("%s: %s", cases[index].name, error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (cases[index].code == SAPHAN_ERROR_TOO_NEW)
    {
      g_autofree char *latest = g_strdup_printf ("%d", saphan_store_latest_schema_version ());
      const guint8 *header = (const guint8 *) bytes_before;
      g_autofree char *found = NULL;

      /* The user version sits big-endian at offset 60 of the header. */
      g_assert_cmpuint (size_before, >=, 100);
      found = g_strdup_printf ("%u", (guint) header[60] << 24 | (guint) header[61] << 16 |
                                     (guint) header[62] << 8 | header[63]);
      g_assert_nonnull (strstr (error->message, found));
      g_assert_nonnull (strstr (error->message, latest));
    }

  listing_after = list_dir (dir);
  g_assert_cmpstr (listing_after, ==, listing_before);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpint (after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
  g_assert_cmpint (after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
  g_assert_cmpint (after.st_size, ==, before.st_size);
  if (is_file)
    {
      g_assert_true (g_file_get_contents (path, &bytes_after, &size_after, NULL));
      g_assert_cmpmem (bytes_after, size_after, bytes_before, size_before);
    }
  store_test_remove_dir (dir);
}

/* A database whose last transactions are still in its write-ahead log, as
 * a crash or a copy taken while it was open leaves it: the header in the
 * main file is stale, so only SQLite can tell whose it is. */
static void
make_hot_wal (const char *path, const char *sql)
{
  g_autofree char *source_dir = store_test_make_dir ();
  g_autofree char *source = g_build_filename (source_dir, "source.db", NULL);
  g_autofree char *source_wal = g_strconcat (source, "-wal", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *bytes = NULL;
  gsize size = 0;
  sqlite3 *db = store_test_raw_open (source);

  store_test_raw_exec (db, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
  store_test_raw_exec (db, sql);
  g_assert_true (g_file_get_contents (source, &bytes, &size, NULL));
  write_bytes (path, bytes, size);
  g_clear_pointer (&bytes, g_free);
  g_assert_true (g_file_get_contents (source_wal, &bytes, &size, NULL));
  g_assert_cmpuint (size, >, 0);
  write_bytes (wal, bytes, size);
  sqlite3_close (db);
  store_test_remove_dir (source_dir);
}

static void
make_hot_wal_other_app (const char *path)
{
  make_hot_wal (path, "PRAGMA application_id = 305419896;"
                      "CREATE TABLE contacts (name TEXT, phone TEXT);"
                      "INSERT INTO contacts VALUES ('Somchai', '0812345678');");
}

static void
make_hot_wal_too_new (const char *path)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  const SaphanStoreMigration *migrations;
  guint n_migrations;

  migrations = _saphan_store_get_migrations (&n_migrations);
  for (guint i = 0; i < n_migrations; i++)
    g_string_append (sql, migrations[i].sql);
  g_string_append_printf (sql, "PRAGMA user_version = %d;", saphan_store_latest_schema_version () + 1);
  make_hot_wal (path, sql->str);
}

static const struct
{
  const char *name;
  MakeFile    make;
  int         code;
} hot_cases[] = {
  { "hot-wal-other-app", make_hot_wal_other_app, SAPHAN_ERROR_NOT_A_DATABASE },
  { "hot-wal-too-new", make_hot_wal_too_new, SAPHAN_ERROR_TOO_NEW },
};

static void
test_refuse_hot_wal (gconstpointer data)
{
  gsize index = GPOINTER_TO_SIZE (data);
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "saphan.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *db_before = NULL, *db_after = NULL, *wal_before = NULL, *wal_after = NULL;
  gsize db_size_before, db_size_after, wal_size_before, wal_size_after;
  struct timespec past[2] = { { 1577836800, 0 }, { 1577836800, 0 } };
  struct stat before, after;
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GError) error = NULL;

  hot_cases[index].make (path);
  g_assert_cmpint (utimensat (AT_FDCWD, path, past, 0), ==, 0);
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  g_assert_true (g_file_get_contents (path, &db_before, &db_size_before, NULL));
  g_assert_true (g_file_get_contents (wal, &wal_before, &wal_size_before, NULL));

  store = saphan_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, SAPHAN_ERROR, hot_cases[index].code);
  g_assert_nonnull (strstr (error->message, path));

  /* SQLite may leave its shared-memory index; the data files must be as
   * they were, the log not folded into the main file. */
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpint (after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
  g_assert_cmpint (after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
  g_assert_true (g_file_get_contents (path, &db_after, &db_size_after, NULL));
  g_assert_cmpmem (db_after, db_size_after, db_before, db_size_before);
  g_assert_true (g_file_get_contents (wal, &wal_after, &wal_size_after, NULL));
  g_assert_cmpmem (wal_after, wal_size_after, wal_before, wal_size_before);
  store_test_remove_dir (dir);
}

/* The counterpart: files that are fine to take over are taken over. */
static void
make_empty_file (const char *path)
{
  write_bytes (path, "", 0);
}

static void
make_unclaimed (const char *path)
{
  /* Writing user_version 0 makes SQLite write a header page and nothing
   * else: an empty database with no application id. */
  make_sqlite (path, "PRAGMA user_version = 0;");
  g_assert_cmpint (g_file_test (path, G_FILE_TEST_EXISTS), ==, TRUE);
}

static void
make_nothing (const char *path)
{
}

static const struct
{
  const char *name;
  MakeFile    make;
} accepted[] = {
  { "missing", make_nothing },
  { "empty-file", make_empty_file },
  { "unclaimed-sqlite", make_unclaimed },
};

static void
test_accept (gconstpointer data)
{
  gsize index = GPOINTER_TO_SIZE (data);
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "saphan.db", NULL);
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  accepted[index].make (path);
  store = saphan_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saphan_store_get_path (store), ==, path);
  g_assert_cmpstr (saphan_store_get_data_dir (store), ==, dir);
  g_assert_cmpint (saphan_store_schema_version (store), ==, saphan_store_latest_schema_version ());

  /* The settings the brief of the store promises, as another process sees them. */
  db = store_test_raw_open (path);
  g_assert_cmpint (store_test_raw_int (db, "PRAGMA application_id"), ==, SAPHAN_STORE_APPLICATION_ID);
  {
    g_autofree char *mode = store_test_raw_text (db, "PRAGMA journal_mode");
    g_assert_cmpstr (mode, ==, "wal");
  }
  sqlite3_close (db);
  g_clear_object (&store);
  store_test_remove_dir (dir);
}

/* A data folder that cannot be written is a permission problem, named. */
static void
test_permission (void)
{
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *sub = g_build_filename (dir, "locked", NULL);
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root ignores file permissions");
      store_test_remove_dir (dir);
      return;
    }
  g_assert_cmpint (g_mkdir (sub, 0500), ==, 0);
  store = saphan_store_open (sub, &error);
  g_assert_null (store);
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION);
  g_chmod (sub, 0700);
  store_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/store/refuse/%s", cases[i].name);

      g_test_add_data_func (name, GSIZE_TO_POINTER (i), test_refuse);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (hot_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/store/refuse/%s", hot_cases[i].name);

      g_test_add_data_func (name, GSIZE_TO_POINTER (i), test_refuse_hot_wal);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *name = g_strdup_printf ("/store/accept/%s", accepted[i].name);

      g_test_add_data_func (name, GSIZE_TO_POINTER (i), test_accept);
    }
  g_test_add_func ("/store/refuse/permission", test_permission);
  return g_test_run ();
}
