/* bundle-crash-child.c: applies bundles in a loop until it is killed.
 *
 * Usage: bundle-crash-child DATA_DIR SECRET_KEY SCRATCH_DIR
 *
 * Each bundle's version is the installed one plus one; odd versions carry
 * variant X of the content and even ones variant Y (see crash_variant_files),
 * so the parent can tell from the version alone what every file must be.
 */
#include "bundle-test-util.h"
#include "bundle-crash-variants.h"

#include <stdio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanStore) store = NULL;
  g_autoptr (SaphanMinisignSecretKey) key = NULL;
  g_autofree char *key_text = NULL;

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s DATA_DIR SECRET_KEY SCRATCH_DIR\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[2], &key_text, NULL, &error) ||
      (key = saphan_minisign_secret_key_load (key_text, NULL, &error)) == NULL ||
      (store = saphan_store_open (argv[1], &error)) == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  /* The parent times its kill from here, whatever start-up cost. */
  printf ("ready\n");
  fflush (stdout);

  for (guint round = 0;; round++)
    {
      guint64 version = saphan_bundle_installed_version (argv[1]) + 1;
      g_autofree char *src = g_strdup_printf ("%s/src-%u", argv[3], round % 2);
      g_autofree char *bundle = g_strdup_printf ("%s/b-%u.bundle", argv[3], round % 2);

      crash_variant_write (src, version);
      if (!saphan_bundle_create (src, bundle, key, version, NULL, &error) ||
          !saphan_bundle_apply (argv[1], store, bundle, NULL, &error))
        {
          fprintf (stderr, "round %u: %s\n", round, error->message);
          return 1;
        }
      /* Tells the parent how far it got, for its statistics. */
      printf ("%" G_GUINT64_FORMAT "\n", version);
      fflush (stdout);
    }
}
