/* test-bundle-crash.c: a power cut during apply, simulated by SIGKILL.
 *
 * A child applies bundles in a loop, alternating two contents; the test
 * kills it at a random moment, then checks that content/current is
 * entirely one version (every file matching that version's manifest and
 * variant, nothing extra) and that saphan_bundle_reconcile brings the store
 * in line with it. 100 rounds by default, 1000 with SAPHAN_SOAK=1.
 */
#include "bundle-test-util.h"
#include "bundle-crash-variants.h"

#include <signal.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reconcile leaves no staging folder and no version but current and previous. */
static void
count_entries (const char *data_dir, const char *sub, guint at_most)
{
  g_autofree char *path = g_build_filename (data_dir, sub, NULL);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  g_assert_cmpuint (n, <=, at_most);
}

/* Returns whether the kill interrupted an apply: a staging folder was left
 * behind, or the store lagged behind the content. */
static gboolean
check_store (const char *data_dir, guint64 version)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanStore) store = saphan_store_open (data_dir, &error);
  g_autofree char *recorded = NULL, *variant = NULL;
  g_autoptr (GPtrArray) forms = NULL;
  const char *want_form = version % 2 == 1 ? "variant_x" : "variant_y";
  g_autofree char *staging = g_build_filename (data_dir, "staging", NULL);
  g_autoptr (GDir) dir = g_dir_open (staging, 0, NULL);
  g_autofree char *before = NULL;
  gboolean interrupted = dir != NULL && g_dir_read_name (dir) != NULL;

  g_assert_no_error (error);
  before = saphan_store_get_setting (store, "bundle.version", NULL);
  if (version > 0 && g_ascii_strtoull (before != NULL ? before : "0", NULL, 10) != version)
    interrupted = TRUE;
  saphan_bundle_reconcile (data_dir, store, &error);
  g_assert_no_error (error);
  count_entries (data_dir, "staging", 0);
  count_entries (data_dir, "content/versions", version > 1 ? 2 : version);
  if (version == 0)
    return interrupted;
  recorded = saphan_store_get_setting (store, "bundle.version", &error);
  g_assert_cmpuint (g_ascii_strtoull (recorded, NULL, 10), ==, version);
  variant = saphan_store_get_setting (store, "content.variant", &error);
  g_assert_cmpstr (variant, ==, version % 2 == 1 ? "X" : "Y");
  forms = saphan_store_list_forms (store, &error);
  g_assert_no_error (error);
  /* Exactly the current variant's form is offered. */
  g_assert_cmpuint (forms->len, ==, 1);
  g_assert_nonnull (strstr (((SaphanFormInfo *) forms->pdata[0])->form_id,
                            want_form + strlen ("demo_")));
  return interrupted;
}

/* Reads one line from FD byte by byte (the child's lines are short). */
static char *
read_line (int fd)
{
  GString *line = g_string_new (NULL);
  char c;

  while (read (fd, &c, 1) == 1 && c != '\n')
    g_string_append_c (line, c);
  return g_string_free (line, FALSE);
}

static GPid
spawn_child (const char *data_dir, const char *secret, const char *scratch, int *out_fd)
{
  const char *argv[] = { BUNDLE_CRASH_CHILD, data_dir, secret, scratch, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *ready = NULL;
  GPid pid;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &pid, NULL, out_fd, NULL, &error);
  g_assert_no_error (error);
  /* The kill is timed from here, whatever the start-up cost. */
  ready = read_line (*out_fd);
  g_assert_cmpstr (ready, ==, "ready");
  return pid;
}

static void
kill_child (GPid pid, int fd)
{
  int status;

  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  /* Killed by us, not stopped on its own or by an assertion. */
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  g_spawn_close_pid (pid);
  close (fd);
}

static void
test_kill_during_apply (void)
{
  g_autofree char *dir = bt_make_dir ();
  g_autofree char *keys = g_build_filename (dir, "keys", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *scratch = g_build_filename (dir, "scratch", NULL);
  g_autofree char *secret = NULL;
  g_autoptr (GRand) rand = g_rand_new ();
  guint rounds = g_getenv ("SAPHAN_SOAK") != NULL ? 1000 : 100;
  guint64 last = 0;
  guint switched = 0, interrupted = 0;
  int apply_us;

  g_assert_cmpint (g_mkdir (keys, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (data_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (scratch, 0700), ==, 0);
  bt_minisign_keygen (keys, "release", NULL);
  bt_trust (data_dir, keys, "release", FALSE);
  secret = g_build_filename (keys, "release.key", NULL);

  /* How long one apply takes here (a sanitizer build is ten times slower):
   * the child applies five bundles while the test watches. */
  {
    int fd = -1;
    GPid pid = spawn_child (data_dir, secret, scratch, &fd);
    gint64 start = g_get_monotonic_time ();
    for (int i = 0; i < 5; i++)
      g_free (read_line (fd));
    apply_us = MAX (1000, (g_get_monotonic_time () - start) / 5);
    kill_child (pid, fd);
    last = saphan_bundle_installed_version (data_dir);
    g_test_message ("one apply takes about %d ms", apply_us / 1000);
    g_assert_null (crash_variant_check (data_dir));
    check_store (data_dir, last);
  }

  for (guint round = 0; round < rounds; round++)
    {
      g_autofree char *problem = NULL;
      guint64 version;
      int out_fd = -1;
      GPid pid = spawn_child (data_dir, secret, scratch, &out_fd);

      /* Let it apply for a random while, up to about two applies, so the
       * kill lands anywhere in an apply, the first one included. */
      g_usleep (g_rand_int_range (rand, 0, 2 * apply_us));
      kill_child (pid, out_fd);

      problem = crash_variant_check (data_dir);
      if (problem != NULL)
        g_error ("round %u: torn content: %s", round, problem);
      version = saphan_bundle_installed_version (data_dir);
      g_assert_cmpuint (version, >=, last);
      if (version != last)
        switched++;
      last = version;
      if (check_store (data_dir, version))
        interrupted++;
    }
  g_test_message ("%u rounds, %u saw a new version, %u interrupted an apply, reached version %"
                  G_GUINT64_FORMAT, rounds, switched, interrupted, last);
  /* The kills did not all land before the first apply, and many landed
   * in the middle of one. */
  g_assert_cmpuint (switched, >=, 10);
  g_assert_cmpuint (interrupted, >=, 10);
  bt_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bundle/kill-during-apply", test_kill_during_apply);
  return g_test_run ();
}
