/* test-sync-response.c: classification, Retry-After, back-off and dates,
 * without a network. The POST cases are data in classify.txt.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "saphan-error.h"
#include "saphan-sync-profile.h"
#include "saphan-sync-response.h"
#include "sync-test-util.h"

#define OPENROSA "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">" \
                 "<message nature=\"\">  full submission\nupload was successful!  </message></OpenRosaResponse>"

static GBytes *
make_body (const char *kind)
{
  if (strcmp (kind, "openrosa") == 0)
    return g_bytes_new_static (OPENROSA, strlen (OPENROSA));
  if (strcmp (kind, "html") == 0)
    return g_bytes_new_static ("<html><body>Login</body></html>", 31);
  if (strcmp (kind, "garbage") == 0)
    return g_bytes_new_static ("\x00\x01<<<", 5);
  if (strcmp (kind, "wrongns") == 0)
    return g_bytes_new_static ("<OpenRosaResponse xmlns=\"urn:x\"><message>x</message></OpenRosaResponse>", 71);
  if (strcmp (kind, "entity") == 0)
    {
      /* An external entity must never be fetched nor expanded. */
      static const char text[] = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                                 "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">"
                                 "<message>&x;ok</message></OpenRosaResponse>";
      return g_bytes_new_static (text, strlen (text));
    }
  return g_bytes_new_static ("", 0);
}

static void
test_classify_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "sync", "classify.txt", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) halves = NULL;
      g_auto (GStrv) in = NULL;
      g_auto (GStrv) out = NULL;
      g_autoptr (GBytes) body = NULL;
      g_autoptr (SaphanSyncVerdict) v = NULL;
      const char *retry_after;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      halves = g_strsplit (lines[i], "|", 2);
      g_assert_cmpint (g_strv_length (halves), ==, 2);
      in = g_strsplit_set (g_strstrip (halves[0]), " ", -1);
      out = g_strsplit_set (g_strstrip (halves[1]), " ", -1);
      {
        /* Drop the empty fields left by runs of spaces. */
        GStrvBuilder *b = g_strv_builder_new ();
        for (guint k = 0; in[k] != NULL; k++)
          if (in[k][0] != '\0')
            g_strv_builder_add (b, in[k]);
        g_strfreev (in);
        in = g_strv_builder_end (b);
        g_strv_builder_unref (b);
      }
      g_assert_cmpint (g_strv_length (in), ==, 4);
      body = make_body (in[2]);
      retry_after = strcmp (in[3], "-") == 0 ? NULL : in[3];
      v = saphan_sync_classify_post ((CURLcode) atoi (in[0]), atol (in[1]), body, strcmp (in[2], "huge") == 0,
                                     retry_after, 1700000000);
      g_test_message ("case: %s -> %s %s", lines[i], saphan_sync_outcome_to_string (v->outcome), v->reason);
      g_assert_cmpstr (saphan_sync_outcome_to_string (v->outcome), ==, out[0]);
      g_assert_cmpstr (v->reason, ==, out[1]);
      if (out[2] != NULL)
        g_assert_cmpint (v->retry_after, ==, g_ascii_strtoll (out[2], NULL, 10));
      if (v->outcome == SAPHAN_SYNC_OUTCOME_ACCEPTED && strcmp (in[2], "openrosa") == 0)
        g_assert_cmpstr (v->message, ==, "full submission upload was successful!");
      if (strcmp (in[2], "entity") == 0)
        g_assert_null (strstr (v->message != NULL ? v->message : "", "root:"));
      n++;
    }
  g_assert_cmpuint (n, >=, 30);
}

static void
test_head (void)
{
  struct
  {
    CURLcode result;
    long status;
    const char *version;
    SaphanSyncOutcome outcome;
  } cases[] = {
    { CURLE_OK, 204, "1.0", SAPHAN_SYNC_OUTCOME_ACCEPTED },
    { CURLE_OK, 200, NULL, SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED },   /* captive portal */
    { CURLE_OK, 302, NULL, SAPHAN_SYNC_OUTCOME_NOT_ACCEPTED },
    { CURLE_OK, 403, "1.0", SAPHAN_SYNC_OUTCOME_AUTH },
    { CURLE_OK, 401, NULL, SAPHAN_SYNC_OUTCOME_AUTH },
    { CURLE_OK, 503, NULL, SAPHAN_SYNC_OUTCOME_RETRY },
    { CURLE_COULDNT_CONNECT, 0, NULL, SAPHAN_SYNC_OUTCOME_RETRY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (SaphanSyncVerdict) v = saphan_sync_classify_head (cases[i].result, cases[i].status,
                                                                   cases[i].version, NULL, 0);
      g_assert_cmpint (v->outcome, ==, cases[i].outcome);
    }
}

static void
test_retry_after_date (void)
{
  /* 2023-11-14 22:13:20 UTC is 1700000000. */
  g_assert_cmpint (saphan_sync_parse_retry_after ("Tue, 14 Nov 2023 22:15:00 GMT", 1700000000), ==, 100);
  g_assert_cmpint (saphan_sync_parse_retry_after ("Tue, 14 Nov 2023 22:00:00 GMT", 1700000000), ==, 0);
  g_assert_cmpint (saphan_sync_parse_retry_after ("garbage", 1700000000), ==, -1);
  g_assert_cmpint (saphan_sync_parse_retry_after ("-5", 1700000000), ==, -1);
  g_assert_cmpint (saphan_sync_parse_retry_after (NULL, 1700000000), ==, -1);
}

static void
test_backoff (void)
{
  /* Full jitter: the delay is spread over [0, ceiling] and the ceiling
   * doubles per attempt up to the cap. */
  g_assert_cmpint (saphan_sync_backoff (1, 30, 3600, -1, 0), ==, 0);
  g_assert_cmpint (saphan_sync_backoff (1, 30, 3600, -1, G_MAXUINT32), ==, 30);
  g_assert_cmpint (saphan_sync_backoff (3, 30, 3600, -1, G_MAXUINT32), ==, 120);
  g_assert_cmpint (saphan_sync_backoff (30, 30, 3600, -1, G_MAXUINT32), ==, 3600);
  g_assert_cmpint (saphan_sync_backoff (30, 30, 3600, -1, G_MAXUINT32 / 2), <=, 1800);
  g_assert_cmpint (saphan_sync_backoff (30, 30, 3600, -1, G_MAXUINT32 / 2), >=, 1799);
  /* Retry-After is a floor, even above the cap. */
  g_assert_cmpint (saphan_sync_backoff (1, 30, 60, 7200, 0), ==, 7200);
  g_assert_cmpint (saphan_sync_backoff (5, 0, 0, -1, G_MAXUINT32), ==, 0);
  {
    /* The spread is roughly uniform. */
    gint64 sum = 0;
    for (int i = 0; i < 10000; i++)
      sum += saphan_sync_backoff (4, 10, 1000, -1, g_random_int ());
    g_assert_cmpint (sum / 10000, >, 30);
    g_assert_cmpint (sum / 10000, <, 50);
  }
}

static void
test_date (void)
{
  g_autofree char *d = saphan_sync_http_date (1700000000);
  g_assert_cmpstr (d, ==, "Date: Tue, 14 Nov 2023 22:13:20 GMT");
}

static void
test_profile (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (SaphanStore) store = test_store_new (&dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSyncProfile) loaded = NULL;
  g_autofree char *url = NULL;
  g_autofree char *shown = NULL;
  SaphanSyncProfile p = { 0 };

  /* Nothing configured yet. */
  g_assert_null (saphan_sync_profile_load (store, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
  g_clear_error (&error);

  /* Basic over plain HTTP is refused; Digest is allowed. */
  p.kind = SAPHAN_SERVER_OPENROSA;
  p.url = (char *) "http://example.org/aggregate";
  p.user = (char *) "kiosk";
  p.password = (char *) "secret";
  p.auth = SAPHAN_AUTH_BASIC;
  g_assert_false (saphan_sync_profile_save (store, &p, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  p.auth = SAPHAN_AUTH_DIGEST;
  g_assert_true (saphan_sync_profile_save (store, &p, &error));
  g_assert_no_error (error);

  /* A single pin is refused: a key rollover would lock the kiosk out. */
  p.url = (char *) "https://example.org";
  p.pinned_keys = (char *) "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  g_assert_false (saphan_sync_profile_validate (&p, &error));
  g_clear_error (&error);
  p.pinned_keys = (char *) "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;"
                           "sha256//BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
  g_assert_true (saphan_sync_profile_validate (&p, &error));

  /* Central: the token is part of the URL but never of its description. */
  memset (&p, 0, sizeof p);
  p.kind = SAPHAN_SERVER_CENTRAL;
  p.url = (char *) "https://central.example.org/";
  p.token = (char *) "SeCrEtToKeN";
  p.project = (char *) "7";
  g_assert_true (saphan_sync_profile_save (store, &p, &error));
  loaded = saphan_sync_profile_load (store, &error);
  g_assert_no_error (error);
  url = saphan_sync_profile_submission_url (loaded);
  g_assert_cmpstr (url, ==, "https://central.example.org/v1/key/SeCrEtToKeN/projects/7/submission");
  shown = saphan_sync_profile_describe (loaded);
  g_assert_null (strstr (shown, "SeCrEtToKeN"));
  p.project = (char *) "seven";
  g_assert_false (saphan_sync_profile_validate (&p, &error));
  g_clear_error (&error);

  g_clear_object (&store);
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/response/classify", test_classify_file);
  g_test_add_func ("/sync/response/head", test_head);
  g_test_add_func ("/sync/response/retry-after-date", test_retry_after_date);
  g_test_add_func ("/sync/response/backoff", test_backoff);
  g_test_add_func ("/sync/response/date", test_date);
  g_test_add_func ("/sync/response/profile", test_profile);
  return g_test_run ();
}
