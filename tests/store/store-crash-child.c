/* store-crash-child.c: finalizes submissions into a database until killed.
 *
 * Usage: store-crash-child DATABASE PREFIX [--shared]
 *
 * The submissions are "uuid:PREFIX-0", "uuid:PREFIX-1", ... derived from
 * their ids (store-test-util.c), so the test that kills this process can
 * check every byte that reached the disk. Every fourth submission is also
 * claimed and accepted, so the kill may land in an outbox update too.
 * With --shared another writer uses the database at the same time: the
 * child leaves "sending" rows alone, as it must while another process may
 * be sending, and pauses between submissions as people do, so that the
 * other writer's busy handler gets its turn instead of being starved by a
 * loop that holds the write lock almost all the time.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>

#include <unistd.h>

#include "saphan-store.h"
#include "store-test-util.h"

int
main (int argc, char **argv)
{
  g_autoptr(SaphanStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (argc < 3 || argc > 4 || (argc == 4 && g_strcmp0 (argv[3], "--shared") != 0))
    {
      g_printerr ("Usage: %s DATABASE PREFIX [--shared]\n", argv[0]);
      return 2;
    }
  /* Never outlive a test that failed before it could kill this process. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    return 1;

  store = saphan_store_open_file (argv[1], &error);
  if (store == NULL)
    {
      g_printerr ("open: %s\n", error->message);
      return 1;
    }
  /* A previous child was killed in the middle of sending, perhaps. */
  if (argc == 3 && saphan_store_recover_sending (store, &error) < 0)
    {
      g_printerr ("recover: %s\n", error->message);
      return 1;
    }

  /* The parent waits for this line before it starts its random delay. */
  fputs ("ready\n", stdout);
  fflush (stdout);

  for (guint i = 0;; i++)
    {
      g_autofree char *instance_id = g_strdup_printf ("uuid:%s-%u", argv[2], i);
      g_autoptr(StoreTestSubmission) submission = store_test_submission_new (instance_id);

      if (argc == 4)
        g_usleep (2000);
      if (!saphan_store_finalize (store, &submission->request, &error))
        {
          g_printerr ("finalize: %s\n", error->message);
          return 1;
        }
      if (i % 4 == 3)
        {
          g_autoptr(SaphanSubmissionInfo) claimed = saphan_store_claim_next (store, G_MAXINT64, &error);

          if (claimed == NULL && error != NULL)
            {
              g_printerr ("claim: %s\n", error->message);
              return 1;
            }
          if (claimed != NULL &&
              !saphan_store_mark_accepted (store, claimed->instance_id, "Accepted", &error))
            {
              g_printerr ("accept: %s\n", error->message);
              return 1;
            }
        }
    }
  return 0;
}
