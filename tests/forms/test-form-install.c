/* test-form-install.c: installing forms into a real store.
 *
 * A form is checked before the store sees it: a bad upload is refused with
 * the loader's message and the form already installed under that id stays
 * exactly as it was.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "saphan-error.h"
#include "saphan-form.h"

typedef struct
{
  char        *dir;
  SaphanStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("saphan-form-install-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = saphan_store_open (f->dir, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->dir);
}

static GBytes *
read_case (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "forms", "cases", name, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static GHashTable *
household_media (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "forms", "cases", "household-media",
                                                 "districts.csv", NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  GHashTable *media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_hash_table_insert (media, g_strdup ("districts.csv"), g_bytes_new_take (g_steal_pointer (&contents), len));
  g_free (path);
  path = g_test_build_filename (G_TEST_DIST, "forms", "cases", "household-media", "villages.xml", NULL);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_hash_table_insert (media, g_strdup ("villages.xml"), g_bytes_new_take (g_steal_pointer (&contents), len));
  return media;
}

static void
test_install_and_refuse (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) xml = read_case ("household.xml");
  g_autoptr (GHashTable) media = household_media ();
  g_autoptr (SaphanFormInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) stored = NULL;
  g_autoptr (GString) broken = NULL;
  g_autoptr (GBytes) broken_bytes = NULL;

  g_assert_true (saphan_form_install (f->store, xml, media, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info->form_id, ==, "household");
  g_assert_cmpstr (info->version, ==, "2024-01");
  g_assert_cmpstr (info->title, ==, "Household registration");

  /* The same id with a calculation cycle: refused, the old one kept. */
  broken = g_string_new_len (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  g_string_replace (broken, "version=\"2024-01\"", "version=\"2024-02\"", 1);
  g_string_replace (broken, "<bind nodeset=\"/data/age\" type=\"int\"",
                    "<bind nodeset=\"/data/age\" type=\"int\" calculate=\"string-length(/data/adult)\"", 1);
  broken_bytes = g_bytes_new (broken->str, broken->len);
  g_assert_false (saphan_form_install (f->store, broken_bytes, media, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
  g_assert_nonnull (strstr (error->message, "cycle"));
  g_assert_nonnull (strstr (error->message, "/data/adult"));
  g_clear_error (&error);

  stored = saphan_store_get_form_xml (f->store, "household", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (stored, xml));
  g_clear_pointer (&info, saphan_form_info_free);
  info = saphan_store_get_form (f->store, "household", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->version, ==, "2024-01");

  /* Without its CSV media the form cannot run: refused too. */
  g_assert_false (saphan_form_install (f->store, xml, NULL, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID);
  g_assert_nonnull (strstr (error->message, "districts.csv"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/form/install/refuse-keeps-installed", Fixture, NULL, fixture_setup,
              test_install_and_refuse, fixture_teardown);
  return g_test_run ();
}
