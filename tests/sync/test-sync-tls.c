/* test-sync-tls.c: certificate verification, public-key pins with a backup
 * pin, and Basic authentication inside TLS, against the reference server
 * serving HTTPS with a throwaway self-signed certificate.
 */
#include "config.h"

#include <string.h>

#include "saphan-sync-profile.h"
#include "saphan-sync.h"
#include "sync-test-util.h"

static char *work_dir;
static char *cert_path;
static char *key_path;
static char *good_pin;
static TestServer *server;
static char *https_url;

#define WRONG_PIN "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static char *
sh_out (const char *script)
{
  const char *argv[] = { "sh", "-c", script, NULL };
  char *out = test_run_ok (argv);

  return g_strstrip (out);
}

static void
make_certificate (void)
{
  g_autofree char *gen = NULL;
  g_autofree char *pin_cmd = NULL;
  g_autofree char *out = NULL;
  g_autofree char *pin = NULL;

  cert_path = g_build_filename (work_dir, "cert.pem", NULL);
  key_path = g_build_filename (work_dir, "key.pem", NULL);
  gen = g_strdup_printf ("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                         "-keyout '%s' -out '%s' -days 2 -subj /CN=127.0.0.1 "
                         "-addext subjectAltName=IP:127.0.0.1 2>&1",
                         key_path, cert_path);
  out = sh_out (gen);
  /* The pin is the SHA-256 of the DER SubjectPublicKeyInfo, as libcurl
   * expects it. */
  pin_cmd = g_strdup_printf ("openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin -outform der | "
                             "openssl dgst -sha256 -binary | base64",
                             cert_path);
  pin = sh_out (pin_cmd);
  good_pin = g_strdup_printf ("sha256//%s", pin);
}

static SaphanSyncSummary
run_with (const char *ca_file, const char *pins, const char *user, gboolean expect_accepted)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (SaphanSync) sync = saphan_sync_new (store);
  g_autoptr (GError) error = NULL;
  SaphanSyncSummary summary = { 0 };
  SaphanSyncProfile p = { 0 };

  test_configure (store, https_url, "testtoken");
  if (user != NULL)
    {
      p.kind = SAPHAN_SERVER_OPENROSA;
      p.url = https_url;
      p.user = (char *) user;
      p.password = (char *) "pw";
      p.auth = SAPHAN_AUTH_BASIC;
      g_assert_true (saphan_sync_profile_save (store, &p, &error));
      g_assert_no_error (error);
    }
  if (ca_file != NULL)
    g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_CA_FILE, ca_file, &error));
  if (pins != NULL)
    g_assert_true (saphan_store_set_setting (store, SAPHAN_SETTING_PINNED_KEYS, pins, &error));
  g_assert_no_error (error);
  test_fill (store, "f1", 1, 2, "tls", 0, 0);

  g_assert_true (saphan_sync_run (sync, 0, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.accepted, ==, expect_accepted ? 2 : 0);
  g_assert_cmpint (test_count (store, SAPHAN_SUBMISSION_SENDING), ==, 0);
  g_clear_object (&sync);
  g_clear_object (&store);
  test_remove_dir (dir);
  return summary;
}

static void
test_unknown_ca (void)
{
  /* A self-signed certificate the system does not trust: refused, never
   * "just this once". */
  SaphanSyncSummary s = run_with (NULL, NULL, NULL, FALSE);

  g_assert_cmpstr (s.last_reason, ==, "tls");
  saphan_sync_summary_clear (&s);
}

static void
test_trusted (void)
{
  SaphanSyncSummary s = run_with (cert_path, NULL, NULL, TRUE);

  saphan_sync_summary_clear (&s);
}

static void
test_pins (void)
{
  g_autofree char *backup_matches = g_strdup_printf ("%s;%s", WRONG_PIN, good_pin);
  g_autofree char *primary_matches = g_strdup_printf ("%s;%s", good_pin, WRONG_PIN);
  SaphanSyncSummary s;

  /* Neither pin matches: a trusted certificate is still refused. */
  s = run_with (cert_path, WRONG_PIN ";sha256//BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=", NULL, FALSE);
  g_assert_cmpstr (s.last_reason, ==, "tls-pin");
  saphan_sync_summary_clear (&s);

  /* The server moved to the backup key: still accepted. */
  s = run_with (cert_path, backup_matches, NULL, TRUE);
  saphan_sync_summary_clear (&s);
  s = run_with (cert_path, primary_matches, NULL, TRUE);
  saphan_sync_summary_clear (&s);
}

static void
test_basic_inside_tls (void)
{
  SaphanSyncSummary s = run_with (cert_path, NULL, "kiosk", TRUE);

  saphan_sync_summary_clear (&s);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!g_find_program_in_path ("openssl"))
    {
      g_test_skip ("needs the openssl tool to make a certificate");
      return g_test_run ();
    }
  work_dir = g_dir_make_tmp ("saphan-tls-XXXXXX", &error);
  g_assert_no_error (error);
  make_certificate ();
  {
    const char *args[] = { "--tls-cert", cert_path, "--tls-key", key_path, "--user", "kiosk",
                           "--password", "pw", "--auth", "basic", NULL };
    server = test_server_start (NULL, NULL, args);
  }
  /* The Central URL ignores the Basic credentials; the generic profile
   * uses them. */
  https_url = g_strdup_printf ("https://127.0.0.1:%u", server->port);
  g_test_add_func ("/sync/tls/unknown-ca", test_unknown_ca);
  g_test_add_func ("/sync/tls/trusted", test_trusted);
  g_test_add_func ("/sync/tls/pins", test_pins);
  g_test_add_func ("/sync/tls/basic-inside-tls", test_basic_inside_tls);
  status = g_test_run ();
  test_server_stop (server);
  test_remove_dir (work_dir);
  g_free (work_dir);
  g_free (cert_path);
  g_free (key_path);
  g_free (good_pin);
  g_free (https_url);
  return status;
}
