/* test-sync-forms.c: forms down from the reference server's formList. */
#include "config.h"

#include <string.h>

#include "saphan-error.h"
#include "saphan-sync-forms.h"
#include "sync-test-util.h"

static guint
count_active (SaphanStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) forms = saphan_store_list_forms (store, &error);

  g_assert_no_error (error);
  return forms->len;
}

static SaphanFormsSummary
update (SaphanStore *store, gboolean expect_ok)
{
  g_autoptr (GError) error = NULL;
  SaphanFormsSummary s = { 0 };
  gboolean ok = saphan_sync_forms_update (store, NULL, NULL, NULL, &s, &error);

  if (expect_ok)
    g_assert_no_error (error);
  g_assert_true (ok == expect_ok);
  return s;
}

static void
test_forms (void)
{
  g_autofree char *forms_dir = g_test_build_filename (G_TEST_DIST, "sync", "forms", NULL);
  g_autofree char *passport_path = g_build_filename (forms_dir, "passport.xml", NULL);
  g_autofree char *passport = NULL;
  g_autofree char *expected_hash = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (SaphanFormInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  const char *args[] = { "--forms-dir", forms_dir, NULL };
  TestServer *server = test_server_start (NULL, NULL, args);
  SaphanFormsSummary s;

  test_configure (store, server->base_url, "testtoken");

  /* First contact: both forms are downloaded, checked and installed. */
  s = update (store, TRUE);
  g_assert_cmpuint (s.listed, ==, 2);
  g_assert_cmpuint (s.installed, ==, 2);
  g_assert_cmpuint (count_active (store), ==, 2);
  g_file_get_contents (passport_path, &passport, NULL, &error);
  g_assert_no_error (error);
  expected_hash = g_strdup_printf ("md5:%s", g_compute_checksum_for_string (G_CHECKSUM_MD5, passport, -1));
  info = saphan_store_get_form (store, "passport", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->hash, ==, expected_hash);
  g_assert_cmpstr (info->title, ==, "Passport appointment");

  /* Nothing changed: nothing downloaded again. */
  s = update (store, TRUE);
  g_assert_cmpuint (s.unchanged, ==, 2);
  g_assert_cmpuint (s.installed, ==, 0);

  /* A new version on the server replaces the installed one. */
  {
    g_autoptr (GString) v4 = g_string_new (passport);
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *json = NULL;

    g_string_replace (v4, "version=\"3\"", "version=\"4\"", 0);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "form_xml");
    json_builder_add_string_value (b, v4->str);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    json = json_generator_to_data (gen, NULL);
    test_server_control (server, json);
  }
  s = update (store, TRUE);
  g_assert_cmpuint (s.installed, ==, 1);
  g_assert_cmpuint (s.unchanged, ==, 1);
  g_clear_pointer (&info, saphan_form_info_free);
  info = saphan_store_get_form (store, "passport", &error);
  g_assert_cmpstr (info->version, ==, "4");

  /* A damaged download (hash mismatch) is refused; the installed form stays. */
  test_server_control (server, "{\"corrupt_hash\": \"welfare\"}");
  s = update (store, TRUE);
  g_assert_cmpuint (s.failed, ==, 1);
  g_assert_cmpuint (count_active (store), ==, 2);

  /* A captive portal's page is not a form list: nothing disappears. */
  test_server_control (server, "{\"faults\": [{\"on\": \"get\", \"kind\": \"captive\"}]}");
  update (store, FALSE);
  g_assert_cmpuint (count_active (store), ==, 2);

  /* A form removed on the server stops being offered. */
  test_server_control (server, "{\"remove_form\": \"welfare\"}");
  s = update (store, TRUE);
  g_assert_cmpuint (s.deactivated, ==, 1);
  g_assert_cmpuint (count_active (store), ==, 1);

  test_server_stop (server);
  g_clear_object (&store);
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/forms/update", test_forms);
  return g_test_run ();
}
