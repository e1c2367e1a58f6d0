/* test-staff.c: staff accounts, PIN hashes and the lockout, on a real
 * database with a fake clock.
 *
 * Every time is passed in, so the lockout's timing is checked to the
 * second without sleeping. The database is closed and reopened where a
 * restart must not reset anything.
 */
#include "config.h"

#include <string.h>

#include "saphan-error.h"
#include "saphan-staff.h"
#include "store-test-util.h"

#define T0 ((gint64) 1800000000)

typedef struct
{
  char        *dir;
  char        *path;
  SaphanStore *store;
} Fixture;

static void
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->store);
  f->store = saphan_store_open (f->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = store_test_make_dir ();
  f->path = g_build_filename (f->dir, "saphan.db", NULL);
  reopen (f);
  g_assert_true (saphan_staff_add (f->store, "somchai", "Somchai P.", SAPHAN_ROLE_STAFF, "246810", &error));
  g_assert_no_error (error);
  /* Each wrong PIN costs one scrypt per account, so the lockout tests,
   * which make many, run with one account. */
  if (data != NULL)
    {
      g_assert_true (saphan_staff_add (f->store, "malee", "Malee K.", SAPHAN_ROLE_MAINTAINER, "97531024", &error));
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->store);
  store_test_remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* One wrong PIN at NOW; asserts the outcome and returns the retry time. */
static gint64
try_pin (Fixture *f, const char *pin, gint64 now, int expected_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanStaffInfo) info = NULL;
  gint64 retry = -1;

  info = saphan_staff_authenticate (f->store, pin, now, &retry, &error);
  g_assert_null (info);
  g_assert_error (error, SAPHAN_ERROR, expected_code);
  if (expected_code == SAPHAN_ERROR_SIGNATURE)
    g_assert_cmpint (retry, ==, 0);
  return retry;
}

static void
login_ok (Fixture *f, const char *pin, gint64 now, const char *expected_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanStaffInfo) info = NULL;
  gint64 retry = -1;

  info = saphan_staff_authenticate (f->store, pin, now, &retry, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->staff_id, ==, expected_id);
  g_assert_cmpint (retry, ==, 0);
}

static gint64
count_events (Fixture *f, const char *event)
{
  sqlite3 *db = store_test_raw_open (f->path);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE event = '%s'", event);
  gint64 n = store_test_raw_int (db, sql);

  sqlite3_close (db);
  return n;
}

static void
test_accounts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  SaphanStaffInfo *first;
  sqlite3 *db;
  g_autofree char *hash = NULL;

  list = saphan_staff_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  first = list->pdata[0];
  g_assert_cmpstr (first->staff_id, ==, "malee");
  g_assert_cmpint (first->role, ==, SAPHAN_ROLE_MAINTAINER);
  g_assert_cmpstr (first->name, ==, "Malee K.");

  /* Only the encoded scrypt hash is stored, with its parameters. */
  db = store_test_raw_open (f->path);
  hash = store_test_raw_text (db, "SELECT pin_hash FROM staff WHERE id = 'somchai'");
  g_assert_true (g_str_has_prefix (hash, "$scrypt$ln=15,r=8,p=1$"));
  g_assert_null (strstr (hash, "246810"));
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM staff WHERE pin_hash LIKE '%246810%'"), ==, 0);
  /* Two accounts, two different salts: equal PINs would not look equal. */
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(DISTINCT substr (pin_hash, 1, 45)) FROM staff"), ==, 2);
  sqlite3_close (db);

  /* Bad PINs and ids are refused before anything is written. */
  g_assert_false (saphan_staff_add (f->store, "short", "S", SAPHAN_ROLE_STAFF, "12345", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (saphan_staff_add (f->store, "letters", "L", SAPHAN_ROLE_STAFF, "12345a", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (saphan_staff_add (f->store, "bad id", "B", SAPHAN_ROLE_STAFF, "123456", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (saphan_staff_add (f->store, "somchai", "Again", SAPHAN_ROLE_STAFF, "11223344", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS);
  g_clear_error (&error);
  /* A PIN opens one account only, because the pad asks for no name. */
  g_assert_false (saphan_staff_add (f->store, "twin", "Twin", SAPHAN_ROLE_STAFF, "246810", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS);
  g_clear_error (&error);

  /* A new PIN replaces the old one. */
  g_assert_true (saphan_staff_set_pin (f->store, "somchai", "13579135", &error));
  g_assert_no_error (error);
  try_pin (f, "246810", T0, SAPHAN_ERROR_SIGNATURE);
  login_ok (f, "13579135", T0 + 1, "somchai");
  g_assert_false (saphan_staff_set_pin (f->store, "nobody", "80808080", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (saphan_staff_remove (f->store, "somchai", &error));
  g_assert_no_error (error);
  try_pin (f, "13579135", T0 + 2, SAPHAN_ERROR_SIGNATURE);
  g_assert_false (saphan_staff_remove (f->store, "somchai", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (count_events (f, "staff-added"), ==, 2);
  g_assert_cmpint (count_events (f, "staff-pin-changed"), ==, 1);
  g_assert_cmpint (count_events (f, "staff-removed"), ==, 1);
}

/* Five wrong PINs lock for exactly 30 s; a right PIN is refused inside the
 * lock and accepted on its last second's end. */
static void
test_lockout_timing (Fixture *f, gconstpointer data)
{
  gint64 retry;

  for (int i = 0; i < SAPHAN_STAFF_MAX_FAILURES - 1; i++)
    try_pin (f, "000000", T0 + i, SAPHAN_ERROR_SIGNATURE);
  g_assert_cmpint (saphan_staff_locked_for (f->store, T0 + 4), ==, 0);

  /* The fifth failure is itself answered with the lock. */
  retry = try_pin (f, "000000", T0 + 4, SAPHAN_ERROR_BUSY);
  g_assert_cmpint (retry, ==, 30);
  g_assert_cmpint (saphan_staff_locked_for (f->store, T0 + 4), ==, 30);
  g_assert_cmpint (saphan_staff_locked_for (f->store, T0 + 33), ==, 1);
  g_assert_cmpint (saphan_staff_locked_for (f->store, T0 + 34), ==, 0);

  retry = try_pin (f, "246810", T0 + 33, SAPHAN_ERROR_BUSY);
  g_assert_cmpint (retry, ==, 1);
  login_ok (f, "246810", T0 + 34, "somchai");
}

/* Five wrong PINs in a row; returns the lock they caused. */
static gint64
five_wrong (Fixture *f, gint64 now)
{
  for (int i = 0; i < SAPHAN_STAFF_MAX_FAILURES - 1; i++)
    try_pin (f, "111111", now, SAPHAN_ERROR_SIGNATURE);
  return try_pin (f, "111111", now, SAPHAN_ERROR_BUSY);
}

static void
test_lockout_growth (Fixture *f, gconstpointer data)
{
  static const gint64 expected[] = { 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600 };
  SaphanStaffLockout many = { 0, 7, 0 };
  g_autoptr(GError) error = NULL;
  gint64 now = T0;

  for (gsize lock = 0; lock < G_N_ELEMENTS (expected); lock++)
    g_assert_cmpint (saphan_staff_lock_delay ((int) lock + 1), ==, expected[lock]);

  for (gsize lock = 0; lock < 4; lock++)
    {
      g_assert_cmpint (five_wrong (f, now), ==, expected[lock]);
      g_assert_cmpint (saphan_staff_locked_for (f->store, now + expected[lock] - 1), ==, 1);
      now += expected[lock];
      g_assert_cmpint (saphan_staff_locked_for (f->store, now), ==, 0);
    }

  /* After seven locks, as after a long night of guessing, the cap holds. */
  g_assert_true (saphan_store_staff_set_lockout (f->store, &many, "test", "", now, &error));
  g_assert_no_error (error);
  g_assert_cmpint (five_wrong (f, now), ==, 3600);
  now += 3600;
  g_assert_cmpint (five_wrong (f, now), ==, 3600);
  now += 3600;

  /* Success forgives everything: the next lock is short again. */
  login_ok (f, "246810", now, "somchai");
  g_assert_cmpint (five_wrong (f, now), ==, 30);
}

/* Failures below the limit are forgotten after a success, not kept. */
static void
test_lockout_reset (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < SAPHAN_STAFF_MAX_FAILURES - 1; i++)
    try_pin (f, "222222", T0, SAPHAN_ERROR_SIGNATURE);
  login_ok (f, "246810", T0, "somchai");
  for (int i = 0; i < SAPHAN_STAFF_MAX_FAILURES - 1; i++)
    try_pin (f, "222222", T0, SAPHAN_ERROR_SIGNATURE);
  g_assert_cmpint (saphan_staff_locked_for (f->store, T0), ==, 0);
}

/* Pulling the plug neither unlocks the pad nor forgets failures. */
static void
test_lockout_persists (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < 3; i++)
    try_pin (f, "333333", T0, SAPHAN_ERROR_SIGNATURE);
  reopen (f);
  try_pin (f, "333333", T0, SAPHAN_ERROR_SIGNATURE);
  g_assert_cmpint (try_pin (f, "333333", T0, SAPHAN_ERROR_BUSY), ==, 30);
  reopen (f);
  g_assert_cmpint (saphan_staff_locked_for (f->store, T0 + 10), ==, 20);
  g_assert_cmpint (try_pin (f, "246810", T0 + 10, SAPHAN_ERROR_BUSY), ==, 20);

  /* The second lock, after a restart, still grows. */
  for (int i = 0; i < SAPHAN_STAFF_MAX_FAILURES - 1; i++)
    try_pin (f, "333333", T0 + 30, SAPHAN_ERROR_SIGNATURE);
  reopen (f);
  g_assert_cmpint (try_pin (f, "333333", T0 + 30, SAPHAN_ERROR_BUSY), ==, 60);
}

/* Every outcome is in the audit log, and no PIN is, right or wrong. */
static void
test_audit_entries (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db;
  gint64 n;

  try_pin (f, "864209", T0, SAPHAN_ERROR_SIGNATURE);
  login_ok (f, "246810", T0 + 1, "somchai");
  g_assert_true (saphan_staff_logout (f->store, "somchai", "idle", T0 + 100, &error));
  g_assert_no_error (error);
  for (int i = 0; i < SAPHAN_STAFF_MAX_FAILURES; i++)
    try_pin (f, "864209", T0 + 200, i < 4 ? SAPHAN_ERROR_SIGNATURE : SAPHAN_ERROR_BUSY);
  try_pin (f, "97531024", T0 + 201, SAPHAN_ERROR_BUSY);

  g_assert_cmpint (count_events (f, "staff-pin-failed"), ==, 5);
  g_assert_cmpint (count_events (f, "staff-pin-locked"), ==, 1);
  g_assert_cmpint (count_events (f, "staff-login-locked"), ==, 1);
  g_assert_cmpint (count_events (f, "staff-login"), ==, 1);
  g_assert_cmpint (count_events (f, "staff-logout"), ==, 1);

  db = store_test_raw_open (f->path);
  g_assert_cmpint (store_test_raw_int (db, "SELECT at FROM audit_log WHERE event = 'staff-logout'"), ==, T0 + 100);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE event = 'staff-login' "
                                           "AND detail = 'staff=somchai role=1'"), ==, 1);
  n = store_test_raw_int (db, "SELECT count(*) FROM audit_log WHERE detail LIKE '%864209%' "
                              "OR detail LIKE '%246810%' OR detail LIKE '%97531024%' "
                              "OR detail GLOB '*Somchai*' OR detail GLOB '*Malee*'");
  g_assert_cmpint (n, ==, 0);
  sqlite3_close (db);

  g_assert_true (saphan_store_audit_verify (f->store, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, two_accounts) \
  g_test_add (path, Fixture, two_accounts ? "two" : NULL, fixture_setup, func, fixture_teardown)
  ADD ("/staff/accounts", test_accounts, TRUE);
  ADD ("/staff/lockout/timing", test_lockout_timing, FALSE);
  ADD ("/staff/lockout/growth", test_lockout_growth, FALSE);
  ADD ("/staff/lockout/reset", test_lockout_reset, FALSE);
  ADD ("/staff/lockout/persists", test_lockout_persists, FALSE);
  ADD ("/staff/audit", test_audit_entries, TRUE);
#undef ADD

  return g_test_run ();
}
