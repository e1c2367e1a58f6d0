/* test-store-crash.c: kill -9 during finalize, then check the database.
 *
 * A child process (store-crash-child) finalizes submissions in a loop; the
 * test kills it with SIGKILL after a random delay, sometimes before it has
 * even finished opening, and then checks that SQLite's integrity check
 * passes and that every submission is either complete and byte-exact or
 * absent: never a submission without its receipt, attachments or audit
 * entry, never a receipt or audit entry without its submission.
 */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "saphan-store.h"
#include "store-test-util.h"

/* Rows that exist without the rest of their transaction. Each query counts
 * one kind of orphan; all must be zero. */
static const char *partial_queries[] = {
  "SELECT count(*) FROM submissions s "
  "WHERE NOT EXISTS (SELECT 1 FROM receipts r WHERE r.instance_id = s.instance_id)",
  "SELECT count(*) FROM receipts r "
  "WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.instance_id = r.instance_id)",
  "SELECT count(*) FROM attachments a "
  "WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.instance_id = a.instance_id)",
  "SELECT count(*) FROM submissions s WHERE NOT EXISTS (SELECT 1 FROM audit_log l "
  "  WHERE l.event = 'finalize' AND instr (l.detail, ' instance=' || s.instance_id || ' ') > 0)",
  "SELECT count(*) FROM audit_log l WHERE l.event = 'finalize' AND NOT EXISTS ("
  "  SELECT 1 FROM submissions s WHERE instr (l.detail, ' instance=' || s.instance_id || ' ') > 0)",
  "SELECT count(*) FROM submissions WHERE payload IS NULL OR length (payload) = 0",
};

static GPid
spawn_child (const char *db_path, const char *prefix, gboolean recover, int *out_stdout)
{
  const char *argv[] = { STORE_CRASH_CHILD, db_path, prefix, recover ? NULL : "--shared", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, NULL, out_stdout, NULL, &error);
  g_assert_no_error (error);
  return pid;
}

static void
wait_ready (int fd)
{
  char buffer[16];
  gsize got = 0;

  while (got < 6)
    {
      gssize n = read (fd, buffer + got, sizeof buffer - got);

      if (n <= 0)
        g_error ("The crash child exited before it was ready");
      got += (gsize) n;
    }
  g_assert_true (g_str_has_prefix (buffer, "ready\n"));
}

/* Returns the number of partial submissions; asserts the file is sound. */
static guint
check_database (const char *db_path, guint *out_n_submissions)
{
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *integrity = NULL;
  sqlite3 *db;
  guint partial = 0;

  /* The check runs on a raw connection first, so that it sees the file as
   * the crash left it plus SQLite's own recovery, nothing of ours. */
  db = store_test_raw_open (db_path);
  integrity = store_test_raw_text (db, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  if (store_test_raw_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'submissions'") == 1)
    for (gsize i = 0; i < G_N_ELEMENTS (partial_queries); i++)
      partial += (guint) store_test_raw_int (db, partial_queries[i]);
  sqlite3_close (db);

  store = saphan_store_open_file (db_path, &error);
  g_assert_no_error (error);
  g_assert_true (saphan_store_audit_verify (store, NULL, &error));
  g_assert_no_error (error);

  list = saphan_store_list_submissions (store, -1, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      SaphanSubmissionInfo *info = g_ptr_array_index (list, i);
      g_autofree char *difference = store_test_compare_submission (store, info->instance_id);

      if (difference != NULL)
        {
          g_test_message ("%s: %s", info->instance_id, difference);
          partial++;
        }
    }
  *out_n_submissions = list->len;
  return partial;
}

static void
test_crash_finalize (void)
{
  g_autofree char *dir = store_test_make_dir ();
  guint rounds = store_test_soak () ? 2000 : 200;
  guint rounds_per_database = 25;
  guint n_partial = 0, n_total = 0, n_early = 0;
  gint64 check_us = 0;

  for (guint round = 0; round < rounds; round++)
    {
      g_autofree char *db_path = g_strdup_printf ("%s/crash-%u.db", dir, round / rounds_per_database);
      g_autofree char *prefix = g_strdup_printf ("r%u", round);
      gboolean early = g_test_rand_int_range (0, 8) == 0;
      guint n_submissions = 0;
      int status = 0;
      int out_fd = -1;
      GPid pid;

      pid = spawn_child (db_path, prefix, TRUE, &out_fd);
      /* One kill in eight lands while the child opens the database, which
       * includes creating it and running the migrations. */
      if (early)
        {
          g_usleep ((gulong) g_test_rand_int_range (0, 20000));
          n_early++;
        }
      else
        {
          wait_ready (out_fd);
          g_usleep ((gulong) g_test_rand_int_range (0, 40000));
        }
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_spawn_close_pid (pid);
      close (out_fd);
      /* A child that failed on its own would hide the crash being tested. */
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

      if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
        continue;
      check_us -= g_get_monotonic_time ();
      n_partial += check_database (db_path, &n_submissions);
      check_us += g_get_monotonic_time ();
      if (round % rounds_per_database == rounds_per_database - 1 || round == rounds - 1)
        n_total += n_submissions;
    }

  g_test_message ("%u kill points (%u during open), %u submissions survived, %u partial submissions found (summed over all checks)",
                  rounds, n_early, n_total, n_partial);
  g_test_message ("checking after the kills took %.1f s", check_us / 1e6);
  g_assert_cmpuint (n_partial, ==, 0);
  /* The test is only meaningful if the child got to write something. */
  g_assert_cmpuint (n_total, >, 0);
  store_test_remove_dir (dir);
}

/* The kiosk and saphanctl write at the same time: two processes on one
 * file, each waiting out the other's lock, both killed at a random moment. */
static void
test_crash_two_processes (void)
{
  g_autofree char *dir = store_test_make_dir ();
  guint rounds = store_test_soak () ? 200 : 20;
  guint n_partial = 0, n_submissions = 0, round_submissions = 0;

  for (guint round = 0; round < rounds; round++)
    {
      g_autofree char *db_path = g_strdup_printf ("%s/shared-%u.db", dir, round / 5);
      GPid pids[2];
      int fds[2];

      for (int i = 0; i < 2; i++)
        {
          g_autofree char *prefix = g_strdup_printf ("p%u-%d", round, i);

          pids[i] = spawn_child (db_path, prefix, FALSE, &fds[i]);
        }
      for (int i = 0; i < 2; i++)
        wait_ready (fds[i]);
      g_usleep ((gulong) g_test_rand_int_range (5000, 60000));

      for (int i = 0; i < 2; i++)
        {
          int status = 0;

          kill (pids[i], SIGKILL);
          g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
          g_spawn_close_pid (pids[i]);
          close (fds[i]);
          /* Exiting on its own would mean a write failed, e.g. as busy. */
          g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
        }
      n_partial += check_database (db_path, &round_submissions);
      if (round % 5 == 4 || round == rounds - 1)
        n_submissions += round_submissions;

      /* What a sync process does at start, done here while no writer runs:
       * either child may have been killed while sending. */
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(SaphanStore) store = saphan_store_open_file (db_path, &error);

        g_assert_no_error (error);
        g_assert_cmpint (saphan_store_recover_sending (store, &error), >=, 0);
        g_assert_no_error (error);
      }
    }

  g_test_message ("%u rounds of two writers, %u submissions survived, %u partial submissions found",
                  rounds, n_submissions, n_partial);
  g_assert_cmpuint (n_partial, ==, 0);
  g_assert_cmpuint (n_submissions, >, 0);
  store_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/crash/finalize", test_crash_finalize);
  g_test_add_func ("/store/crash/two-processes", test_crash_two_processes);
  return g_test_run ();
}
