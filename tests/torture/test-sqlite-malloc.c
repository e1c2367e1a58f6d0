/* test-sqlite-malloc.c: every allocation SQLite makes may fail.
 *
 * SQLite's allocator is replaced (SQLITE_CONFIG_MALLOC) by one that fails
 * the Nth allocation, and the store then opens a fresh database, finalizes
 * one submission and runs the outbox's claim and mark. This repeats for
 * N = 1, 2, 3, … until a run makes fewer than N allocations, so every
 * allocation of that path has failed once. Each call must either succeed or
 * return a clean SAPHAN_ERROR, and afterwards, with the normal allocator,
 * the database must reopen, pass integrity_check, and hold the submission
 * complete or not at all. A second test keeps failing every allocation from
 * the Nth on, as a process that has really run out of memory sees.
 *
 * Under CI each test is time-boxed (torture_budget()); SAPHAN_SOAK=1 runs
 * every N however long it takes.
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "saphan-error.h"
#include "torture-util.h"

static sqlite3_mem_methods real_methods;
static gint64 n_allocations;     /* counted while armed */
static gint64 fail_at = -1;      /* the allocation to fail, 1-based; -1 never */
static gboolean fail_after;      /* also fail every allocation after FAIL_AT */
static gint64 n_failed;

static gboolean
should_fail (void)
{
  gint64 n;

  if (__atomic_load_n (&fail_at, __ATOMIC_SEQ_CST) < 0)
    return FALSE;
  n = __atomic_add_fetch (&n_allocations, 1, __ATOMIC_SEQ_CST);
  if (n == fail_at || (fail_after && n > fail_at))
    {
      __atomic_add_fetch (&n_failed, 1, __ATOMIC_SEQ_CST);
      return TRUE;
    }
  return FALSE;
}

static void *
faulty_malloc (int size)
{
  return should_fail () ? NULL : real_methods.xMalloc (size);
}

static void *
faulty_realloc (void *old, int size)
{
  return should_fail () ? NULL : real_methods.xRealloc (old, size);
}

static void
arm (gint64 n, gboolean after)
{
  __atomic_store_n (&n_allocations, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n (&n_failed, 0, __ATOMIC_SEQ_CST);
  fail_after = after;
  __atomic_store_n (&fail_at, n, __ATOMIC_SEQ_CST);
}

static void
disarm (void)
{
  __atomic_store_n (&fail_at, -1, __ATOMIC_SEQ_CST);
}

static void
install_allocator (void)
{
  static gboolean installed;
  sqlite3_mem_methods faulty;

  /* Once per process: a second GETMALLOC would return the faulty methods. */
  if (installed)
    return;
  installed = TRUE;
  /* The allocator can only change while SQLite is shut down. */
  g_assert_cmpint (sqlite3_shutdown (), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_config (SQLITE_CONFIG_GETMALLOC, &real_methods), ==, SQLITE_OK);
  faulty = real_methods;
  faulty.xMalloc = faulty_malloc;
  faulty.xRealloc = faulty_realloc;
  g_assert_cmpint (sqlite3_config (SQLITE_CONFIG_MALLOC, &faulty), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_initialize (), ==, SQLITE_OK);
}

typedef struct
{
  gint64 runs;
  gint64 succeeded;        /* the whole path went through despite the fault */
  gint64 refused;          /* a step returned a clean error */
  gint64 stored;           /* the submission was there afterwards */
  gint64 total_allocations;
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

/* One run with the Nth allocation failing; returns FALSE when no fault was
 * injected (the path makes fewer than N allocations). */
static gboolean
run_once (gint64 n, gboolean after, Tally *tally)
{
  g_autofree char *dir = torture_make_dir ();
  g_autofree char *instance_id = g_strdup_printf ("uuid:malloc-%" G_GINT64_FORMAT, n);
  g_autoptr(TortureSubmission) sub = torture_submission_new (instance_id);
  g_autoptr(GError) error = NULL;
  SaphanStore *store;
  gboolean finalized = FALSE, marked = FALSE, complete_run = FALSE;
  gboolean injected;
  char *problem = NULL;
  int found;

  arm (n, after);
  store = saphan_store_open (dir, &error);
  if (store != NULL)
    {
      finalized = saphan_store_finalize (store, &sub->request, &error);
      if (finalized)
        {
          g_autoptr(SaphanSubmissionInfo) claimed = saphan_store_claim_next (store, 1800000000, &error);

          if (claimed != NULL)
            {
              if (g_strcmp0 (claimed->instance_id, instance_id) != 0)
                note (tally, n, "claim", g_strdup ("claimed another submission"));
              marked = saphan_store_mark_accepted (store, instance_id, "ok", &error);
              complete_run = marked;
            }
          else if (error == NULL)
            note (tally, n, "claim", g_strdup ("nothing due right after a finalize"));
        }
    }
  if (error != NULL || !complete_run)
    {
      tally->refused++;
      if (!torture_error_is_clean (error, &problem))
        note (tally, n, store == NULL ? "open" : !finalized ? "finalize" : "outbox", problem);
    }
  g_clear_object (&store);
  injected = __atomic_load_n (&n_failed, __ATOMIC_SEQ_CST) > 0;
  tally->total_allocations = n_allocations;
  disarm ();
  tally->runs++;
  if (complete_run)
    tally->succeeded++;

  /* Afterwards, with the normal allocator: nothing damaged. */
  g_clear_error (&error);
  store = saphan_store_open (dir, &error);
  if (store == NULL)
    note (tally, n, "reopen", g_strdup_printf ("the database no longer opens: %s", error->message));
  else
    {
      if (!saphan_store_check_integrity (store, &error))
        note (tally, n, "integrity", g_strdup (error->message));
      found = torture_check_submission (store, instance_id, &problem);
      if (found < 0)
        note (tally, n, "contents", problem);
      else if (found == 0 && finalized)
        note (tally, n, "contents", g_strdup ("a finalize that succeeded was lost"));
      else if (found == 1)
        {
          g_autoptr(SaphanSubmissionInfo) info = saphan_store_get_submission (store, instance_id, NULL);

          tally->stored++;
          if (marked && info->state != SAPHAN_SUBMISSION_ACCEPTED)
            note (tally, n, "contents", g_strdup ("an accepted mark was lost"));
        }
      g_object_unref (store);
    }
  torture_remove_dir (dir);
  return injected;
}

static void
torture (gboolean after)
{
  Tally tally = { 0 };
  gint64 n;
  gboolean finished = FALSE;

  tally.problems = g_ptr_array_new_with_free_func (g_free);
  install_allocator ();
  torture_reset_clock ();
  for (n = 1; ; n++)
    {
      if (!run_once (n, after, &tally))
        {
          finished = TRUE;
          break;
        }
      if (torture_elapsed () > torture_budget ())
        break;
    }
  g_test_message ("%s: %" G_GINT64_FORMAT " runs in %.1f s, %s; %" G_GINT64_FORMAT
                  " went through, %" G_GINT64_FORMAT " refused cleanly, submission stored in %"
                  G_GINT64_FORMAT "; %u problems",
                  after ? "fail from N on" : "fail only N", tally.runs, torture_elapsed (),
                  finished ? "every allocation of the path failed once"
                           : "stopped by the time box (SAPHAN_SOAK=1 for all)",
                  tally.succeeded, tally.refused, tally.stored, tally.problems->len);
  for (guint i = 0; i < tally.problems->len; i++)
    g_test_message ("problem: %s", (char *) tally.problems->pdata[i]);
  g_assert_cmpuint (tally.problems->len, ==, 0);
  g_assert_cmpint (tally.runs, >=, 20);
  g_ptr_array_unref (tally.problems);
}

static void
test_fail_once (void)
{
  torture (FALSE);
}

static void
test_fail_from_n (void)
{
  torture (TRUE);
}

static void
drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Thousands of fresh databases: their migration messages are noise here. */
  g_log_set_handler ("saphan-store", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
  g_test_add_func ("/torture/sqlite-malloc/fail-once", test_fail_once);
  g_test_add_func ("/torture/sqlite-malloc/fail-from-n", test_fail_from_n);
  return g_test_run ();
}
