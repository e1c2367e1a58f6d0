/* test-store.c: the store's API on a real database file.
 *
 * Forms, settings, receipts, the outbox state machine (from the table in
 * outbox-transitions.txt), the audit chain, the frozen payload, finalize in
 * all its forms, and calls from several threads and processes at once.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "saphan-error.h"
#include "saphan-store-private.h"
#include "store-test-util.h"

typedef struct
{
  char        *dir;
  char        *path;
  SaphanStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = store_test_make_dir ();
  f->store = saphan_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->path = g_strdup (saphan_store_get_path (f->store));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->store);
  store_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
finalize_ok (Fixture *f, const char *instance_id)
{
  g_autoptr(StoreTestSubmission) s = store_test_submission_new (instance_id);
  g_autoptr(GError) error = NULL;

  g_assert_true (saphan_store_finalize (f->store, &s->request, &error));
  g_assert_no_error (error);
}

static gint64
raw_count (Fixture *f, const char *sql)
{
  sqlite3 *db = store_test_raw_open (f->path);
  gint64 value = store_test_raw_int (db, sql);

  sqlite3_close (db);
  return value;
}

/* ---- Forms ------------------------------------------------------------- */

static GHashTable *
media_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
}

static void
test_forms (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) xml_v1 = g_bytes_new_static ("<h:html>v1</h:html>", 19);
  g_autoptr(GBytes) xml_v2 = g_bytes_new_static ("<h:html>version two</h:html>", 28);
  g_autoptr(GBytes) other = g_bytes_new_static ("<h:html>other</h:html>", 22);
  g_autoptr(GHashTable) media_v1 = media_new ();
  g_autoptr(GHashTable) media_v2 = media_new ();
  g_autoptr(GHashTable) got_media = NULL;
  g_autoptr(GPtrArray) forms = NULL;
  g_autoptr(SaphanFormInfo) info = NULL;
  g_autoptr(GBytes) got_xml = NULL;
  g_autofree char *md5 = NULL;
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', 0, 0, 0xff, 0 };

  g_hash_table_insert (media_v1, g_strdup ("logo.png"), g_bytes_new_static (png, sizeof png));
  g_hash_table_insert (media_v1, g_strdup ("villages.csv"), g_bytes_new_static ("id,name\n1,บ้านนา\n", strlen ("id,name\n1,บ้านนา\n")));
  g_hash_table_insert (media_v1, g_strdup ("empty.txt"), g_bytes_new_static ("", 0));
  g_hash_table_insert (media_v2, g_strdup ("villages.csv"), g_bytes_new_static ("id,name\n2,x\n", 12));

  g_assert_true (saphan_store_install_form (f->store, "welfare", "1", "Welfare card", xml_v1, media_v1, &error));
  g_assert_no_error (error);
  g_assert_true (saphan_store_install_form (f->store, "address", "3", "Address change", other, NULL, &error));
  g_assert_no_error (error);

  /* Listed by title: "Address change" before "Welfare card". */
  forms = saphan_store_list_forms (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forms->len, ==, 2);
  g_assert_cmpstr (((SaphanFormInfo *) forms->pdata[0])->form_id, ==, "address");
  g_assert_cmpstr (((SaphanFormInfo *) forms->pdata[1])->form_id, ==, "welfare");
  g_clear_pointer (&forms, g_ptr_array_unref);

  info = saphan_store_get_form (f->store, "welfare", &error);
  g_assert_no_error (error);
  md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, xml_v1);
  g_assert_true (g_str_has_prefix (info->hash, "md5:"));
  g_assert_cmpstr (info->hash + 4, ==, md5);
  g_assert_cmpstr (info->version, ==, "1");
  g_assert_cmpstr (info->title, ==, "Welfare card");
  g_assert_true (info->active);
  g_assert_cmpint (info->installed_at, >, 1700000000);
  g_clear_pointer (&info, saphan_form_info_free);

  got_xml = saphan_store_get_form_xml (f->store, "welfare", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got_xml, xml_v1));
  g_clear_pointer (&got_xml, g_bytes_unref);

  /* Media come back byte for byte, including the empty file. */
  got_media = saphan_store_get_form_media (f->store, "welfare", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (got_media), ==, 3);
  g_assert_true (g_bytes_equal (g_hash_table_lookup (got_media, "logo.png"),
                                g_hash_table_lookup (media_v1, "logo.png")));
  g_assert_true (g_bytes_equal (g_hash_table_lookup (got_media, "villages.csv"),
                                g_hash_table_lookup (media_v1, "villages.csv")));
  g_assert_cmpuint (g_bytes_get_size (g_hash_table_lookup (got_media, "empty.txt")), ==, 0);
  g_clear_pointer (&got_media, g_hash_table_unref);

  /* A new version replaces the XML and the whole media set. */
  g_assert_true (saphan_store_install_form (f->store, "welfare", "2", "Welfare card (2)", xml_v2, media_v2, &error));
  g_assert_no_error (error);
  info = saphan_store_get_form (f->store, "welfare", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->version, ==, "2");
  g_assert_cmpstr (info->title, ==, "Welfare card (2)");
  g_free (md5);
  md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, xml_v2);
  g_assert_cmpstr (info->hash + 4, ==, md5);
  g_clear_pointer (&info, saphan_form_info_free);
  got_xml = saphan_store_get_form_xml (f->store, "welfare", &error);
  g_assert_true (g_bytes_equal (got_xml, xml_v2));
  got_media = saphan_store_get_form_media (f->store, "welfare", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (got_media), ==, 1);
  g_assert_true (g_bytes_equal (g_hash_table_lookup (got_media, "villages.csv"),
                                g_hash_table_lookup (media_v2, "villages.csv")));
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM forms"), ==, 2);

  /* Inactive forms are not offered but can still be read. */
  g_assert_true (saphan_store_set_form_active (f->store, "address", FALSE, &error));
  g_assert_no_error (error);
  forms = saphan_store_list_forms (f->store, &error);
  g_assert_cmpuint (forms->len, ==, 1);
  g_assert_cmpstr (((SaphanFormInfo *) forms->pdata[0])->form_id, ==, "welfare");
  info = saphan_store_get_form (f->store, "address", &error);
  g_assert_no_error (error);
  g_assert_false (info->active);

  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM audit_log WHERE event = 'form-install'"), ==, 3);
}

static void
test_forms_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) xml = g_bytes_new_static ("<h:html/>", 9);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GHashTable) bad_media = media_new ();

  g_assert_null (saphan_store_get_form (f->store, "nope", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (saphan_store_get_form_xml (f->store, "nope", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (saphan_store_get_form_media (f->store, "nope", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (saphan_store_set_form_active (f->store, "nope", TRUE, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (saphan_store_install_form (f->store, "f", "1", "F", empty, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);

  /* A bad media entry undoes the whole install: all or nothing. */
  g_hash_table_insert (bad_media, g_strdup (""), g_bytes_new_static ("x", 1));
  g_assert_false (saphan_store_install_form (f->store, "f", "1", "F", xml, bad_media, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM forms"), ==, 0);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM audit_log"), ==, 0);
}

/* ---- Settings ---------------------------------------------------------- */

static void
test_settings (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  value = saphan_store_get_setting (f->store, "server.url", &error);
  g_assert_no_error (error);
  g_assert_null (value);

  g_assert_true (saphan_store_set_setting (f->store, "server.url", "https://central.example/v1", &error));
  g_assert_no_error (error);
  value = saphan_store_get_setting (f->store, "server.url", &error);
  g_assert_cmpstr (value, ==, "https://central.example/v1");
  g_clear_pointer (&value, g_free);

  g_assert_true (saphan_store_set_setting (f->store, "server.url", "https://kobo.example", &error));
  value = saphan_store_get_setting (f->store, "server.url", &error);
  g_assert_cmpstr (value, ==, "https://kobo.example");
  g_clear_pointer (&value, g_free);

  g_assert_true (saphan_store_set_setting (f->store, "kiosk.name", "สำนักงาน", &error));
  g_assert_true (saphan_store_set_setting (f->store, "server.url", NULL, &error));
  g_assert_no_error (error);
  value = saphan_store_get_setting (f->store, "server.url", &error);
  g_assert_no_error (error);
  g_assert_null (value);
  value = saphan_store_get_setting (f->store, "kiosk.name", &error);
  g_assert_cmpstr (value, ==, "สำนักงาน");
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM settings"), ==, 1);
}

/* ---- The outbox, from the table -------------------------------------- */

typedef struct
{
  char *start;
  char *operation;
  char *result;
  char *event;
} TransitionCase;

static void
transition_case_free (gpointer data)
{
  TransitionCase *c = data;

  g_free (c->start);
  g_free (c->operation);
  g_free (c->result);
  g_free (c->event);
  g_free (c);
}

static void
drive_to (Fixture *f, const char *id, const char *state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) claimed = NULL;

  finalize_ok (f, id);
  if (g_str_equal (state, "queued"))
    return;
  if (g_str_equal (state, "exported"))
    {
      g_assert_true (saphan_store_mark_exported (f->store, id, &error));
      g_assert_no_error (error);
      return;
    }
  claimed = saphan_store_claim_next (f->store, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claimed->instance_id, ==, id);
  if (g_str_equal (state, "accepted"))
    g_assert_true (saphan_store_mark_accepted (f->store, id, "Received", &error));
  else if (g_str_equal (state, "needs-attention") || g_str_equal (state, "resolved"))
    g_assert_true (saphan_store_mark_needs_attention (f->store, id, "Form not found on server", &error));
  g_assert_no_error (error);
  if (g_str_equal (state, "resolved"))
    {
      g_assert_true (saphan_store_mark_resolved (f->store, id, "staff-1", "Filed on paper", &error));
      g_assert_no_error (error);
    }
}

/* The table's state names, with "resolved" for a resolved needs-attention
 * submission. */
static const char *
table_state (const SaphanSubmissionInfo *info)
{
  if (info->resolved_at != 0)
    {
      g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_NEEDS_ATTENTION);
      return "resolved";
    }
  return saphan_submission_state_to_string (info->state);
}

static gboolean
apply_operation (Fixture *f, const char *id, const char *operation, GError **error)
{
  if (g_str_equal (operation, "claim"))
    {
      g_autoptr(SaphanSubmissionInfo) claimed = saphan_store_claim_next (f->store, G_MAXINT64, error);

      return claimed != NULL || (error == NULL || *error == NULL);
    }
  if (g_str_equal (operation, "accepted"))
    return saphan_store_mark_accepted (f->store, id, "Received", error);
  if (g_str_equal (operation, "needs-attention"))
    return saphan_store_mark_needs_attention (f->store, id, "HTTP 400", error);
  if (g_str_equal (operation, "retry"))
    return saphan_store_mark_retry (f->store, id, "timeout", 0, error);
  if (g_str_equal (operation, "exported"))
    return saphan_store_mark_exported (f->store, id, error);
  if (g_str_equal (operation, "recover"))
    return saphan_store_recover_sending (f->store, error) >= 0;
  if (g_str_equal (operation, "resolve"))
    return saphan_store_mark_resolved (f->store, id, "staff-2", "Citizen Somchai came back", error);
  g_error ("Unknown operation %s in outbox-transitions.txt", operation);
}

static void
test_transition (Fixture *f, gconstpointer data)
{
  const TransitionCase *c = data;
  const char *id = "uuid:transition";
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) after = NULL;
  g_autoptr(SaphanSubmissionInfo) before = NULL;
  gint64 audit_before, audit_after;
  gboolean ok;

  drive_to (f, id, c->start);
  before = saphan_store_get_submission (f->store, id, NULL);
  g_assert_cmpstr (table_state (before), ==, c->start);
  audit_before = raw_count (f, "SELECT count(*) FROM audit_log");

  ok = apply_operation (f, id, c->operation, &error);
  after = saphan_store_get_submission (f->store, id, NULL);
  audit_after = raw_count (f, "SELECT count(*) FROM audit_log");

  if (g_str_equal (c->result, "error"))
    {
      g_assert_false (ok);
      g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_STATE);
      g_assert_cmpstr (table_state (after), ==, c->start);
      g_assert_cmpint (after->updated_at, ==, before->updated_at);
      g_assert_cmpint (after->resolved_at, ==, before->resolved_at);
      g_assert_cmpstr (after->resolution_note, ==, before->resolution_note);
      g_assert_cmpint (audit_after, ==, audit_before);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (table_state (after), ==, c->result);
  if (g_str_equal (c->event, "-"))
    g_assert_cmpint (audit_after, ==, audit_before);
  else
    {
      sqlite3 *db = store_test_raw_open (f->path);
      g_autofree char *event = store_test_raw_text (db, "SELECT event FROM audit_log ORDER BY seq DESC LIMIT 1");
      g_autofree char *detail = store_test_raw_text (db, "SELECT detail FROM audit_log ORDER BY seq DESC LIMIT 1");

      sqlite3_close (db);
      g_assert_cmpint (audit_after, ==, audit_before + 1);
      g_assert_cmpstr (event, ==, c->event);
      /* The reason a server gave is kept with the submission, not logged. */
      g_assert_null (strstr (detail, "HTTP 400"));
      g_assert_null (strstr (detail, "timeout"));
      /* Nor is a staff member's note, which may name a citizen. */
      g_assert_null (strstr (detail, "Somchai"));
      g_assert_nonnull (strstr (detail, id));
    }

  if (g_str_equal (c->operation, "accepted"))
    g_assert_cmpstr (after->server_message, ==, "Received");
  if (g_str_equal (c->operation, "needs-attention"))
    g_assert_cmpstr (after->last_error, ==, "HTTP 400");
  if (g_str_equal (c->operation, "retry"))
    g_assert_cmpstr (after->last_error, ==, "timeout");
  if (g_str_equal (c->operation, "resolve"))
    {
      g_assert_cmpstr (after->resolution_note, ==, "Citizen Somchai came back");
      g_assert_cmpstr (after->resolved_by, ==, "staff-2");
      g_assert_cmpint (after->resolved_at, >, 0);
      /* The server's reason stays for whoever looks at it later. */
      g_assert_cmpstr (after->last_error, ==, "Form not found on server");
    }
}

static GPtrArray *
load_transition_cases (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "store", "outbox-transitions.txt", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *cases = g_ptr_array_new_with_free_func (transition_case_free);
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      TransitionCase *c;

      if (lines[i][0] == '#' || g_strstrip (lines[i])[0] == '\0')
        continue;
      fields = g_strsplit_set (lines[i], " \t", -1);
      for (guint j = 0; fields[j] != NULL; j++)
        if (fields[j][0] != '\0')
          g_ptr_array_add (words, fields[j]);
      g_assert_cmpuint (words->len, ==, 4);

      c = g_new0 (TransitionCase, 1);
      c->start = g_strdup (words->pdata[0]);
      c->operation = g_strdup (words->pdata[1]);
      c->result = g_strdup (words->pdata[2]);
      c->event = g_strdup (words->pdata[3]);
      g_ptr_array_add (cases, c);
    }
  /* Every operation from every state: five states and "resolved", seven
   * operations. */
  g_assert_cmpuint (cases->len, ==, 42);
  return cases;
}

static void
test_transition_not_found (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (saphan_store_mark_accepted (f->store, "uuid:nope", "x", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
}

static void
test_claim_order (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *ids[] = { "uuid:c", "uuid:a", "uuid:b" };
  gint64 times[] = { 1700000300, 1700000100, 1700000200 };
  SaphanSubmissionInfo *claimed;

  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(StoreTestSubmission) s = store_test_submission_new (ids[i]);

      s->request.finalized_at = times[i];
      g_assert_true (saphan_store_finalize (f->store, &s->request, &error));
    }

  /* Oldest first; attempts counted. */
  claimed = saphan_store_claim_next (f->store, 1700000500, &error);
  g_assert_cmpstr (claimed->instance_id, ==, "uuid:a");
  g_assert_cmpint (claimed->attempts, ==, 1);
  g_assert_cmpint (claimed->state, ==, SAPHAN_SUBMISSION_SENDING);
  saphan_submission_info_free (claimed);

  /* A retry in the future is not due yet. */
  g_assert_true (saphan_store_mark_retry (f->store, "uuid:a", "timeout", 1700001000, &error));
  claimed = saphan_store_claim_next (f->store, 1700000500, &error);
  g_assert_cmpstr (claimed->instance_id, ==, "uuid:b");
  saphan_submission_info_free (claimed);
  claimed = saphan_store_claim_next (f->store, 1700000500, &error);
  g_assert_cmpstr (claimed->instance_id, ==, "uuid:c");
  saphan_submission_info_free (claimed);
  claimed = saphan_store_claim_next (f->store, 1700000500, &error);
  g_assert_no_error (error);
  g_assert_null (claimed);

  claimed = saphan_store_claim_next (f->store, 1700001000, &error);
  g_assert_cmpstr (claimed->instance_id, ==, "uuid:a");
  g_assert_cmpint (claimed->attempts, ==, 2);
  g_assert_cmpint (claimed->next_attempt_at, ==, 1700001000);
  saphan_submission_info_free (claimed);

  /* After a crash all three in flight go back to the queue. */
  g_assert_cmpint (saphan_store_recover_sending (f->store, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (saphan_store_recover_sending (f->store, &error), ==, 0);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM submissions WHERE state = 'queued'"), ==, 3);
}

/* ---- Submissions, receipts --------------------------------------------- */

static void
test_list_and_count (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) limited = NULL;
  g_autoptr(GPtrArray) exported = NULL;
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];

  for (int i = 0; i < 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("uuid:list-%d", i);
      g_autoptr(StoreTestSubmission) s = store_test_submission_new (id);

      s->request.finalized_at = 1700000000 + i;
      g_assert_true (saphan_store_finalize (f->store, &s->request, &error));
    }
  g_assert_true (saphan_store_mark_exported (f->store, "uuid:list-2", &error));
  g_assert_true (saphan_store_mark_exported (f->store, "uuid:list-4", &error));

  all = saphan_store_list_submissions (f->store, -1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 6);
  /* Newest first. */
  g_assert_cmpstr (((SaphanSubmissionInfo *) all->pdata[0])->instance_id, ==, "uuid:list-5");
  g_assert_cmpstr (((SaphanSubmissionInfo *) all->pdata[5])->instance_id, ==, "uuid:list-0");
  limited = saphan_store_list_submissions (f->store, -1, 2, &error);
  g_assert_cmpuint (limited->len, ==, 2);
  exported = saphan_store_list_submissions (f->store, SAPHAN_SUBMISSION_EXPORTED, 0, &error);
  g_assert_cmpuint (exported->len, ==, 2);
  g_assert_cmpstr (((SaphanSubmissionInfo *) exported->pdata[0])->instance_id, ==, "uuid:list-4");

  g_assert_true (saphan_store_count_by_state (f->store, counts, &error));
  g_assert_cmpint (counts[SAPHAN_SUBMISSION_QUEUED], ==, 4);
  g_assert_cmpint (counts[SAPHAN_SUBMISSION_EXPORTED], ==, 2);
  g_assert_cmpint (counts[SAPHAN_SUBMISSION_SENDING], ==, 0);
  g_assert_cmpint (counts[SAPHAN_SUBMISSION_ACCEPTED], ==, 0);

  for (guint i = 0; i < all->len; i++)
    g_assert_null (store_test_compare_submission (f->store, ((SaphanSubmissionInfo *) all->pdata[i])->instance_id));
}

/* Drives ID to needs-attention with the server's reason. */
static void
make_needs_attention (Fixture *f, const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SaphanSubmissionInfo) claimed = NULL;

  finalize_ok (f, id);
  claimed = saphan_store_claim_next (f->store, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claimed->instance_id, ==, id);
  g_assert_true (saphan_store_mark_needs_attention (f->store, id, "HTTP 400 form closed", &error));
  g_assert_no_error (error);
}

/* Returns TRUE when SQL, run outside the store, is refused by a trigger. */
static gboolean
raw_refused (Fixture *f, const char *sql)
{
  sqlite3 *db = store_test_raw_open (f->path);
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  sqlite3_close (db);
  return rc == SQLITE_CONSTRAINT;
}

/* The running counts of migration 6 against the rows themselves, through a
 * few hundred random moves of the outbox and staff resolutions, a crash
 * recovery and a purge: the counts are what the queue screens show, and a
 * drift would show staff a queue that is not there. */
static void
test_counts_follow_rows (Fixture *f, gconstpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261124);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = store_test_raw_open (f->path);

  (void) data;
  for (guint step = 0; step < 400; step++)
    {
      guint move = g_rand_int_range (rand, 0, 8);
      const char *id = ids->len > 0 ? ids->pdata[g_rand_int_range (rand, 0, ids->len)] : NULL;
      gint64 counts[SAPHAN_SUBMISSION_N_STATES];

      if (move <= 1 || id == NULL)
        {
          g_autofree char *fresh = g_strdup_printf ("uuid:count-%u", step);
          g_autoptr(StoreTestSubmission) s = store_test_submission_new (fresh);

          g_assert_true (saphan_store_finalize (f->store, &s->request, &error));
          g_ptr_array_add (ids, g_steal_pointer (&fresh));
        }
      else if (move == 2)
        {
          g_autoptr(SaphanSubmissionInfo) claimed = saphan_store_claim_next (f->store, G_MAXINT64,
                                                                             &error);
          g_assert_no_error (error);
          g_assert_true (claimed == NULL || claimed->state == SAPHAN_SUBMISSION_SENDING);
        }
      /* Moves the store refuses (a resolved submission, a state that does
       * not allow the move) must leave the counts alone as well. */
      else if (move == 3)
        saphan_store_mark_accepted (f->store, id, "ok", NULL);
      else if (move == 4)
        saphan_store_mark_needs_attention (f->store, id, "rejected", NULL);
      else if (move == 5)
        saphan_store_mark_retry (f->store, id, "offline", 0, NULL);
      else if (move == 6)
        saphan_store_mark_exported (f->store, id, NULL);
      else
        saphan_store_mark_resolved (f->store, id, "staff-1", "filed on paper", NULL);
      g_assert_no_error (error);
      if (step == 300)
        {
          gint64 purged = 0;

          g_assert_cmpint (saphan_store_recover_sending (f->store, &error), >=, 0);
          g_assert_true (saphan_store_purge_expired (f->store, G_MAXINT32, &purged, &error));
        }

      g_assert_true (saphan_store_count_by_state (f->store, counts, &error));
      for (int state = 0; state < SAPHAN_SUBMISSION_N_STATES; state++)
        {
          g_autofree char *sql = g_strdup_printf (
            "SELECT count(*) FROM submissions WHERE resolved_at IS NULL AND state = '%s'",
            saphan_submission_state_to_string (state));

          if (counts[state] != store_test_raw_int (db, sql))
            g_error ("after step %u (move %u) the count of %s is %" G_GINT64_FORMAT
                     ", the rows say %" G_GINT64_FORMAT, step, move,
                     saphan_submission_state_to_string (state), counts[state],
                     store_test_raw_int (db, sql));
        }
    }
  /* Every state was reached, or the loop above proved less than it says. */
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(DISTINCT state) FROM submissions"), ==,
                   SAPHAN_SUBMISSION_N_STATES);
  g_assert_cmpint (store_test_raw_int (db, "SELECT count(*) FROM submissions "
                                           "WHERE resolved_at IS NOT NULL"), >, 0);
  sqlite3_close (db);
}

static void
test_resolve (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) attention = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(SaphanSubmissionInfo) info = NULL;
  g_autofree char *detail = NULL;
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];
  gint64 n_audit = 0;
  sqlite3 *db;

  make_needs_attention (f, "uuid:resolve-a");
  make_needs_attention (f, "uuid:resolve-b");
  make_needs_attention (f, "uuid:resolve-c");

  /* A resolution without a note is refused and changes nothing. */
  g_assert_false (saphan_store_mark_resolved (f->store, "uuid:resolve-a", "staff-1", "  \n ", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (saphan_store_mark_resolved (f->store, "uuid:resolve-a", "staff-1", NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (saphan_store_mark_resolved (f->store, "uuid:nope", "staff-1", "x", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM submissions WHERE resolved_at IS NOT NULL"), ==, 0);

  /* The note is trimmed; a resolution without a staff id is allowed (the
   * command line run by a maintainer). */
  g_assert_true (saphan_store_mark_resolved (f->store, "uuid:resolve-a", "staff-7",
                                             " Filed on paper for Mrs Malee \n", &error));
  g_assert_no_error (error);
  g_assert_true (saphan_store_mark_resolved (f->store, "uuid:resolve-b", NULL, "Duplicate", &error));
  g_assert_no_error (error);

  info = saphan_store_get_submission (f->store, "uuid:resolve-a", &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_NEEDS_ATTENTION);
  g_assert_cmpstr (info->resolution_note, ==, "Filed on paper for Mrs Malee");
  g_assert_cmpstr (info->resolved_by, ==, "staff-7");
  g_assert_cmpint (info->resolved_at, >, 0);
  g_assert_cmpint (info->resolved_at, ==, info->updated_at);
  g_assert_cmpstr (info->last_error, ==, "HTTP 400 form closed");
  g_clear_pointer (&info, saphan_submission_info_free);
  info = saphan_store_get_submission (f->store, "uuid:resolve-b", &error);
  g_assert_null (info->resolved_by);
  g_assert_cmpstr (info->resolution_note, ==, "Duplicate");

  /* Resolved submissions leave the needs-attention listing and count but
   * stay in the full listing. */
  attention = saphan_store_list_submissions (f->store, SAPHAN_SUBMISSION_NEEDS_ATTENTION, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attention->len, ==, 1);
  g_assert_cmpstr (((SaphanSubmissionInfo *) attention->pdata[0])->instance_id, ==, "uuid:resolve-c");
  all = saphan_store_list_submissions (f->store, -1, 0, &error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_true (saphan_store_count_by_state (f->store, counts, &error));
  g_assert_cmpint (counts[SAPHAN_SUBMISSION_NEEDS_ATTENTION], ==, 1);
  g_assert_cmpint (saphan_store_count_resolved (f->store, &error), ==, 2);
  g_assert_no_error (error);

  /* The audit entry names the submission and the staff member only. */
  db = store_test_raw_open (f->path);
  detail = store_test_raw_text (db, "SELECT detail FROM audit_log WHERE event = 'resolved' ORDER BY seq LIMIT 1");
  sqlite3_close (db);
  g_assert_cmpstr (detail, ==, "instance=uuid:resolve-a staff=staff-7");
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM audit_log WHERE event = 'resolved'"), ==, 2);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM audit_log WHERE detail LIKE '%Malee%' "
                                 "OR detail LIKE '%Duplicate%'"), ==, 0);
  g_assert_true (saphan_store_audit_verify (f->store, &n_audit, &error));
  g_assert_no_error (error);

  /* The schema itself keeps a resolution final and confined to
   * submissions that need attention, whatever code writes the file. */
  g_assert_true (raw_refused (f, "UPDATE submissions SET state = 'queued' WHERE instance_id = 'uuid:resolve-a'"));
  g_assert_true (raw_refused (f, "UPDATE submissions SET resolution_note = 'x' WHERE instance_id = 'uuid:resolve-a'"));
  g_assert_true (raw_refused (f, "UPDATE submissions SET resolved_at = NULL WHERE instance_id = 'uuid:resolve-b'"));
  finalize_ok (f, "uuid:resolve-queued");
  g_assert_true (raw_refused (f, "UPDATE submissions SET resolved_at = 1 WHERE instance_id = 'uuid:resolve-queued'"));
  /* The payload stays frozen on a needs-attention row, and resolving does
   * not count as touching it. */
  g_assert_true (raw_refused (f, "UPDATE submissions SET payload = x'00' WHERE instance_id = 'uuid:resolve-c'"));
  g_assert_null (store_test_compare_submission (f->store, "uuid:resolve-a"));
}

static void
test_receipts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreTestSubmission) s = store_test_submission_new ("uuid:receipt");
  g_autoptr(SaphanReceiptInfo) receipt = NULL;

  s->request.finalized_at = 1700000042;
  g_assert_true (saphan_store_finalize (f->store, &s->request, &error));
  receipt = saphan_store_get_receipt (f->store, s->receipt_number, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (receipt->instance_id, ==, "uuid:receipt");
  g_assert_cmpstr (receipt->form_id, ==, "test-form");
  g_assert_cmpint (receipt->issued_at, ==, 1700000042);
  g_assert_false (receipt->printed);
  g_assert_cmpint (receipt->print_count, ==, 0);
  g_clear_pointer (&receipt, saphan_receipt_info_free);

  g_assert_true (saphan_store_mark_receipt_printed (f->store, s->receipt_number, TRUE, &error));
  g_assert_true (saphan_store_mark_receipt_printed (f->store, s->receipt_number, TRUE, &error));
  g_assert_true (saphan_store_mark_receipt_printed (f->store, s->receipt_number, FALSE, &error));
  g_assert_no_error (error);
  receipt = saphan_store_get_receipt (f->store, s->receipt_number, &error);
  g_assert_false (receipt->printed);
  g_assert_cmpint (receipt->print_count, ==, 2);

  g_assert_null (saphan_store_get_receipt (f->store, "R-NOPE", &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (saphan_store_mark_receipt_printed (f->store, "R-NOPE", TRUE, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NOT_FOUND);
}

/* ---- Finalize ---------------------------------------------------------- */

static void
test_finalize_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreTestSubmission) first = store_test_submission_new ("uuid:dup");
  g_autoptr(StoreTestSubmission) second = store_test_submission_new ("uuid:dup");
  g_autoptr(StoreTestSubmission) same_receipt = store_test_submission_new ("uuid:other");

  g_assert_true (saphan_store_finalize (f->store, &first->request, &error));
  g_assert_no_error (error);

  /* Same instance id with other answers: refused, the first stays. */
  g_bytes_unref (second->request.payload);
  second->request.payload = g_bytes_new_static ("<data>changed</data>", 20);
  g_free (second->receipt_number);
  second->receipt_number = g_strdup ("R-SECOND");
  second->request.receipt_number = second->receipt_number;
  g_assert_false (saphan_store_finalize (f->store, &second->request, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (store_test_compare_submission (f->store, "uuid:dup"));

  /* Another submission reusing the receipt number: refused whole. */
  g_free (same_receipt->receipt_number);
  same_receipt->receipt_number = g_strdup (first->receipt_number);
  same_receipt->request.receipt_number = same_receipt->receipt_number;
  g_assert_false (saphan_store_finalize (f->store, &same_receipt->request, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM submissions"), ==, 1);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM receipts"), ==, 1);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM attachments WHERE instance_id <> 'uuid:dup'"), ==, 0);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM audit_log WHERE event = 'finalize'"), ==, 1);
}

static void
test_finalize_invalid (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreTestSubmission) s = store_test_submission_new ("uuid:invalid");
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  GBytes *payload = s->request.payload;
  SaphanAttachment duplicate = { "photo.jpg", empty };

  s->request.payload = empty;
  g_assert_false (saphan_store_finalize (f->store, &s->request, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  s->request.payload = payload;

  /* Two attachments of the same name: the database refuses, nothing stays. */
  g_ptr_array_set_size (s->attachments, 0);
  g_ptr_array_set_free_func (s->attachments, NULL);
  g_ptr_array_add (s->attachments, &duplicate);
  g_ptr_array_add (s->attachments, &duplicate);
  g_assert_false (saphan_store_finalize (f->store, &s->request, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID);
  g_clear_error (&error);
  g_ptr_array_set_size (s->attachments, 0);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM submissions"), ==, 0);
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM audit_log"), ==, 0);
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint      succeeded;
  GError    *last_error;
} AsyncState;

static void
finalize_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncState *state = user_data;
  GError *error = NULL;

  /* Results arrive on the thread that started them: the main loop. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  if (saphan_store_finalize_finish (SAPHAN_STORE (source), result, &error))
    state->succeeded++;
  else
    {
      g_clear_error (&state->last_error);
      state->last_error = error;
    }
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
test_finalize_async (Fixture *f, gconstpointer data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  AsyncState state = { loop, 0, 0, NULL };

  /* Eight at once from the main thread; the requests are freed right after
   * the call, as a UI would do. */
  for (int i = 0; i < 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("uuid:async-%d", i);
      g_autoptr(StoreTestSubmission) s = store_test_submission_new (id);

      saphan_store_finalize_async (f->store, &s->request, NULL, finalize_done_cb, &state);
      state.pending++;
    }
  g_main_loop_run (loop);
  g_assert_no_error (state.last_error);
  g_assert_cmpuint (state.succeeded, ==, 8);
  for (int i = 0; i < 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("uuid:async-%d", i);

      g_assert_null (store_test_compare_submission (f->store, id));
    }

  /* A duplicate fails through the same path with the same code. */
  {
    g_autoptr(StoreTestSubmission) dup = store_test_submission_new ("uuid:async-3");

    saphan_store_finalize_async (f->store, &dup->request, NULL, finalize_done_cb, &state);
    state.pending++;
    g_main_loop_run (loop);
    g_assert_error (state.last_error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS);
    g_clear_error (&state.last_error);
  }

  /* Cancelled before it starts: nothing written. */
  {
    g_autoptr(StoreTestSubmission) s = store_test_submission_new ("uuid:async-cancelled");

    g_cancellable_cancel (cancelled);
    saphan_store_finalize_async (f->store, &s->request, cancelled, finalize_done_cb, &state);
    state.pending++;
    g_main_loop_run (loop);
    g_assert_error (state.last_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&state.last_error);
  }
  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM submissions"), ==, 8);

  /* A GTask's worker thread lets go of the task (and of its reference to
   * the store) only after the callback was queued, so wait for it before
   * the fixture checks that the store is finalized. */
  for (int i = 0; i < 5000 && G_OBJECT (f->store)->ref_count > 1; i++)
    g_usleep (1000);
}

/* ---- Integrity rules in the schema ------------------------------------ */

static void
test_payload_frozen (Fixture *f, gconstpointer data)
{
  sqlite3 *db;
  int rc;

  finalize_ok (f, "uuid:frozen");
  db = store_test_raw_open (f->path);

  /* Even a program that bypasses the store cannot change a payload... */
  rc = sqlite3_exec (db, "UPDATE submissions SET payload = CAST ('x' AS BLOB)", NULL, NULL, NULL);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_nonnull (strstr (sqlite3_errmsg (db), "frozen"));
  rc = sqlite3_exec (db, "UPDATE submissions SET payload = payload, state = 'accepted'", NULL, NULL, NULL);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  /* ...while the rest of the row still moves through the outbox. */
  rc = sqlite3_exec (db, "UPDATE submissions SET attempts = 5", NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_null (store_test_compare_submission (f->store, "uuid:frozen"));
}

static void
append_field (GString *text, const char *field)
{
  g_string_append_printf (text, "%s%zu:%s", text->len > 0 ? "|" : "", strlen (field), field);
}

static void
test_audit_chain (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prev = g_strnfill (64, '0');
  sqlite3_stmt *stmt = NULL;
  gint64 n_entries = 0, seq = 0;
  sqlite3 *db;
  int rc;

  g_assert_true (saphan_store_audit_append (f->store, "staff-login", "staff=7", &error));
  finalize_ok (f, "uuid:audit-1");
  g_assert_true (saphan_store_audit_append (f->store, "detail|with|bars", "a:b|c", &error));
  g_assert_true (saphan_store_audit_append (f->store, "empty-detail", NULL, &error));
  finalize_ok (f, "uuid:audit-2");
  g_assert_no_error (error);

  g_assert_true (saphan_store_audit_verify (f->store, &n_entries, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_entries, ==, 5);

  /* Recomputed here from the documented encoding: each entry's prev_hash
   * is the previous hash, and the hash covers prev|seq|at|event|detail. */
  db = store_test_raw_open (f->path);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq, at, event, detail, prev_hash, hash FROM audit_log ORDER BY seq",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 0));
      g_autofree char *at_text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 1));
      g_autofree char *hash = NULL;

      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, ++seq);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 4), ==, prev);
      append_field (text, prev);
      append_field (text, seq_text);
      append_field (text, at_text);
      append_field (text, (const char *) sqlite3_column_text (stmt, 2));
      append_field (text, (const char *) sqlite3_column_text (stmt, 3));
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, (gssize) text->len);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 5), ==, hash);
      g_free (prev);
      prev = g_steal_pointer (&hash);

      /* A finalize entry names the record, never the answers. */
      if (g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "finalize"))
        g_assert_null (strstr ((const char *) sqlite3_column_text (stmt, 3), "ชื่อ"));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  /* Append-only, enforced by the file itself. */
  rc = sqlite3_exec (db, "UPDATE audit_log SET detail = 'x' WHERE seq = 2", NULL, NULL, NULL);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  rc = sqlite3_exec (db, "DELETE FROM audit_log WHERE seq = 5", NULL, NULL, NULL);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);

  /* Someone who drops the trigger and edits an entry is caught. */
  store_test_raw_exec (db, "DROP TRIGGER audit_log_no_update;"
                           "UPDATE audit_log SET detail = 'staff=8' WHERE seq = 1");
  sqlite3_close (db);
  g_assert_false (saphan_store_audit_verify (f->store, NULL, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "entry 1"));
}

static void
test_state_strings (void)
{
  for (int i = 0; i < SAPHAN_SUBMISSION_N_STATES; i++)
    {
      SaphanSubmissionState state;

      g_assert_true (saphan_submission_state_from_string (saphan_submission_state_to_string (i), &state));
      g_assert_cmpint (state, ==, i);
    }
  g_assert_false (saphan_submission_state_from_string ("lost", NULL));
  g_assert_false (saphan_submission_state_from_string (NULL, NULL));
}

/* ---- Threads and processes -------------------------------------------- */

typedef struct
{
  SaphanStore *store;
  int          thread;
} WorkerData;

static gpointer
worker_thread (gpointer user_data)
{
  WorkerData *data = user_data;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("uuid:thread-%d-%d", data->thread, i);
      g_autoptr(StoreTestSubmission) s = store_test_submission_new (id);
      g_autoptr(SaphanSubmissionInfo) claimed = NULL;
      g_autoptr(GError) error = NULL;

      if (!saphan_store_finalize (data->store, &s->request, &error))
        return g_strdup (error->message);
      claimed = saphan_store_claim_next (data->store, G_MAXINT64, &error);
      if (error != NULL)
        return g_strdup (error->message);
      if (claimed != NULL && !saphan_store_mark_accepted (data->store, claimed->instance_id, "ok", &error))
        return g_strdup (error->message);
    }
  return NULL;
}

static void
test_threads (Fixture *f, gconstpointer data)
{
  WorkerData workers[4];
  GThread *threads[4];
  g_autoptr(GError) error = NULL;
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];

  for (int i = 0; i < 4; i++)
    {
      workers[i] = (WorkerData) { f->store, i };
      threads[i] = g_thread_new ("store-worker", worker_thread, &workers[i]);
    }
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *failure = g_thread_join (threads[i]);

      g_assert_null (failure);
    }
  g_assert_true (saphan_store_count_by_state (f->store, counts, &error));
  g_assert_cmpint (counts[SAPHAN_SUBMISSION_ACCEPTED], ==, 80);
  g_assert_true (saphan_store_audit_verify (f->store, NULL, &error));
  g_assert_no_error (error);
}

typedef struct
{
  char *path;
  gulong hold_us;
  gint locked;    /* set once the write lock is held */
} HolderData;

static gpointer
hold_write_lock (gpointer user_data)
{
  HolderData *data = user_data;
  sqlite3 *db = store_test_raw_open (data->path);

  /* Another process (saphanctl, say) in the middle of a write. */
  store_test_raw_exec (db, "BEGIN IMMEDIATE");
  g_atomic_int_set (&data->locked, 1);
  g_usleep (data->hold_us);
  store_test_raw_exec (db, "COMMIT");
  sqlite3_close (db);
  return NULL;
}

/* However slow the machine, the holder has the lock before the test writes. */
static void
wait_for_lock (HolderData *data)
{
  while (!g_atomic_int_get (&data->locked))
    g_usleep (1000);
}

static void
test_busy (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreTestSubmission) waits = store_test_submission_new ("uuid:busy-waits");
  g_autoptr(StoreTestSubmission) fails = store_test_submission_new ("uuid:busy-fails");
  HolderData short_hold = { f->path, 300 * 1000, 0 };
  HolderData long_hold = { f->path, (SAPHAN_STORE_BUSY_TIMEOUT_MS + 1500) * 1000, 0 };
  GThread *holder;
  gint64 start;

  /* A short hold is waited out. */
  holder = g_thread_new ("holder", hold_write_lock, &short_hold);
  wait_for_lock (&short_hold);
  g_assert_true (saphan_store_finalize (f->store, &waits->request, &error));
  g_assert_no_error (error);
  g_thread_join (holder);

  /* A hold longer than the timeout ends in SAPHAN_ERROR_BUSY, not a hang. */
  holder = g_thread_new ("holder", hold_write_lock, &long_hold);
  wait_for_lock (&long_hold);
  start = g_get_monotonic_time ();
  g_assert_false (saphan_store_finalize (f->store, &fails->request, &error));
  g_assert_error (error, SAPHAN_ERROR, SAPHAN_ERROR_BUSY);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, (SAPHAN_STORE_BUSY_TIMEOUT_MS - 500) * 1000);
  g_assert_true (saphan_error_is_environment (error));
  g_thread_join (holder);
  g_clear_error (&error);

  g_assert_cmpint (raw_count (f, "SELECT count(*) FROM submissions"), ==, 1);
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) cases = NULL;

  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/forms/install-list-get", test_forms);
  ADD ("/store/forms/errors", test_forms_errors);
  ADD ("/store/settings", test_settings);
  ADD ("/store/counts-follow-rows", test_counts_follow_rows);
  ADD ("/store/outbox/not-found", test_transition_not_found);
  ADD ("/store/outbox/claim-order", test_claim_order);
  ADD ("/store/submissions/list-count", test_list_and_count);
  ADD ("/store/submissions/resolve", test_resolve);
  ADD ("/store/receipts", test_receipts);
  ADD ("/store/finalize/duplicate", test_finalize_duplicate);
  ADD ("/store/finalize/invalid", test_finalize_invalid);
  ADD ("/store/finalize/async", test_finalize_async);
  ADD ("/store/schema/payload-frozen", test_payload_frozen);
  ADD ("/store/audit/chain", test_audit_chain);
  ADD ("/store/threads", test_threads);
  ADD ("/store/busy", test_busy);
#undef ADD
  g_test_add_func ("/store/state-strings", test_state_strings);

  cases = load_transition_cases ();
  for (guint i = 0; i < cases->len; i++)
    {
      TransitionCase *c = g_ptr_array_index (cases, i);
      g_autofree char *name = g_strdup_printf ("/store/outbox/%s/%s", c->start, c->operation);

      g_test_add (name, Fixture, c, fixture_set_up, test_transition, fixture_tear_down);
    }
  return g_test_run ();
}
