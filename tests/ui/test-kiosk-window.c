/* test-kiosk-window.c: the real kiosk window over a real store.
 *
 * Each test starts the real SaphanApplication on a private D-Bus and a
 * fresh data folder, with a copy of the five service forms and their shared
 * media as the kiosk's forms folder, so the first-start install, the
 * worker-thread load, the start page and the citizen's form flow are all
 * exercised exactly as a kiosk runs them. The language switch is checked
 * against a small Thai test catalogue (th-test.po).
 */
#include "config.h"

#include "saphan-application.h"
#include "saphan-column.h"
#include "saphan-form-flow.h"
#include "saphan-form-tile.h"
#include "saphan-receipt-payload.h"
#include "saphan-start-page.h"
#include "saphan-window.h"
#include "store-test-util.h"
#include "ui-test-form-run.h"
#include "ui-test-util.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>

#define STAFF_HELP_EN "Staff can help you — please ask"
#define STAFF_HELP_TH "มีเจ้าหน้าที่คอยช่วยเหลือ สอบถามได้เลย"

/* The services a new kiosk offers, with the titles their XForms give; the
 * start page shows them in the store's order. */
static const struct
{
  const char *form_id;
  const char *title;
} expected_tiles[] = {
  { "complaint", "เรื่องร้องเรียน / ร้องทุกข์ · Complaint or petition" },
  { "disability_allowance", "ลงทะเบียนเบี้ยความพิการ · Disability allowance registration" },
  { "elderly_allowance", "ลงทะเบียนเบี้ยยังชีพผู้สูงอายุ · Elderly allowance registration" },
  { "farmer_registration",
    "ขึ้นทะเบียนเกษตรกรและแจ้งปลูกพืช · Farmer registration and crop report" },
  { "welfare_card", "ลงทะเบียนบัตรสวัสดิการแห่งรัฐ · State welfare card registration" },
};

static const char *
expected_title_for (const char *form_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (expected_tiles); i++)
    if (g_str_equal (expected_tiles[i].form_id, form_id))
      return expected_tiles[i].title;
  g_error ("Unexpected service %s", form_id);
}

typedef struct
{
  char *tmp_dir;
  char *data_dir;
  SaphanApplication *app;
  SaphanWindow *window;
  guint app_refs;
  /* Layout faults that a test found and reported without failing, one a
   * line; see run_case(). */
} Fixture;

static char *locale_dir;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *assets = NULL;
  g_autofree char *forms_dir = NULL;
  g_autofree char *source_forms = g_build_filename (SAPHAN_SOURCE_ASSETS, "forms", NULL);
  gboolean kiosk = GPOINTER_TO_INT (user_data);

  /* A copy of the shipped forms folder, media included, so that a test
   * can never change the source tree. */
  fixture->tmp_dir = g_dir_make_tmp ("saphan-ui-XXXXXX", &error);
  g_assert_no_error (error);
  assets = g_build_filename (fixture->tmp_dir, "assets", NULL);
  g_assert_cmpint (g_mkdir (assets, 0700), ==, 0);
  forms_dir = g_build_filename (assets, "forms", NULL);
  ui_test_copy_tree (source_forms, forms_dir);
  g_setenv ("SAPHAN_ASSETS_DIR", assets, TRUE);
  fixture->data_dir = g_build_filename (fixture->tmp_dir, "data", NULL);

  fixture->app = saphan_application_new ();
  /* Every test registers its own instance of the same application id. */
  g_application_set_flags (G_APPLICATION (fixture->app), G_APPLICATION_NON_UNIQUE);
  saphan_application_set_data_dir (fixture->app, fixture->data_dir);
  saphan_application_set_kiosk (fixture->app, kiosk);
  g_application_register (G_APPLICATION (fixture->app), NULL, &error);
  g_assert_no_error (error);
  fixture->app_refs = G_OBJECT (fixture->app)->ref_count;
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  if (fixture->window != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *)&fixture->window);
      gtk_window_destroy (GTK_WINDOW (fixture->window));
      while (fixture->window != NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  /* A registered GApplication stays referenced by its D-Bus export until
   * the process ends, so the check is that the window and the load tasks
   * gave back every reference they took. */
  g_assert_cmpuint (G_OBJECT (fixture->app)->ref_count, ==, fixture->app_refs);
  g_object_unref (fixture->app);
  ui_test_remove_tree (fixture->tmp_dir);
  g_free (fixture->tmp_dir);
  g_free (fixture->data_dir);
}

static gboolean
start_page_showing (gpointer user_data)
{
  return g_strcmp0 (saphan_window_get_page_name (user_data), "start") == 0;
}

static void
open_window (Fixture *fixture)
{
  fixture->window = saphan_window_new (fixture->app);
  /* The store opens in a worker thread: the window shows the loading page
   * first and never blocks on the disk. */
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "loading");
  gtk_window_present (GTK_WINDOW (fixture->window));
  ui_test_wait_for (start_page_showing, fixture->window, 20000, "the start page");
  ui_test_wait_for_paint (GTK_WIDGET (fixture->window));
}

static GPtrArray *
get_tiles (Fixture *fixture)
{
  GtkWidget *page = saphan_window_get_start_page (fixture->window);

  g_assert_nonnull (page);
  return ui_test_find_all_of_type (page, SAPHAN_TYPE_FORM_TILE);
}

static const char *
staff_help_text (Fixture *fixture)
{
  GtkWidget *page = saphan_window_get_start_page (fixture->window);
  GtkWidget *label = ui_test_find_by_class (page, "staff-help-label");

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

/* Whether a label (a button's included) showing TEXT is on screen. */
static gboolean
find_drawable_label (Fixture *fixture, const char *text)
{
  g_autoptr (GPtrArray) labels
      = ui_test_find_all_of_type (GTK_WIDGET (fixture->window), GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_is_drawable (g_ptr_array_index (labels, i))
        && g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), text) == 0)
      return TRUE;
  return FALSE;
}

/* The start page's icons, every one, are symbolic PNGs from the kiosk's
 * resources, drawn in the colours of the style sheet: drawing them needs no
 * SVG renderer (librsvg, loaded through gdk-pixbuf, cost the first frame
 * some 8 ms). */
static void
assert_start_icons_are_symbolic_pngs (Fixture *fixture)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  g_autoptr (GPtrArray) images
      = ui_test_find_all_of_type (saphan_window_get_start_page (fixture->window), GTK_TYPE_IMAGE);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < images->len; i++)
    {
      const char *name = gtk_image_get_icon_name (images->pdata[i]);
      g_autoptr (GtkIconPaintable) icon = NULL;
      g_autoptr (GFile) file = NULL;
      g_autofree char *uri = NULL;

      g_assert_nonnull (name);
      g_hash_table_add (names, (gpointer) name);
      icon = gtk_icon_theme_lookup_icon (theme, name, NULL, 64, 1, GTK_TEXT_DIR_LTR, 0);
      file = gtk_icon_paintable_get_file (icon);
      g_assert_nonnull (file);
      uri = g_file_get_uri (file);
      g_assert_true (g_str_has_prefix (uri, "resource:///org/saphan/Kiosk/icons/"));
      g_assert_true (g_str_has_suffix (uri, ".symbolic.png"));
      g_assert_true (gtk_icon_paintable_is_symbolic (icon));
    }
  /* The tiles' icon and the staff-help icon. */
  g_assert_cmpuint (g_hash_table_size (names), ==, 2);
}

static void
test_tiles (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) tiles = NULL;
  g_autoptr (GPtrArray) forms = NULL;
  g_autoptr (GError) error = NULL;
  SaphanStore *store;

  open_window (fixture);

  /* The first start installed the demo services into the real store. */
  store = saphan_application_get_store (fixture->app);
  g_assert_nonnull (store);
  forms = saphan_store_list_forms (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forms->len, ==, G_N_ELEMENTS (expected_tiles));

  tiles = get_tiles (fixture);
  g_assert_cmpuint (tiles->len, ==, G_N_ELEMENTS (expected_tiles));
  g_assert_cmpuint (saphan_start_page_get_n_tiles (
                        SAPHAN_START_PAGE (saphan_window_get_start_page (fixture->window))),
                    ==, G_N_ELEMENTS (expected_tiles));

  for (guint i = 0; i < tiles->len; i++)
    {
      SaphanFormTile *tile = g_ptr_array_index (tiles, i);
      GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (tile));
      GtkWidget *title = ui_test_find_by_class (GTK_WIDGET (tile), "form-tile-title");

      const SaphanFormInfo *info = g_ptr_array_index (forms, i);
      const char *expected_title = expected_title_for (info->form_id);
      /* The tile shows the Thai half of "ไทย · English" in Thai, the default. */
      g_autofree char *thai_title = g_strndup (expected_title,
                                               strstr (expected_title, " · ") - expected_title);

      /* Same order as the store, and the title read from the XForm. */
      g_assert_cmpstr (saphan_form_tile_get_form_id (tile), ==, info->form_id);
      g_assert_cmpstr (info->title, ==, expected_title);
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, thai_title);
      g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (tile)), ==, "win.open-form");
      g_assert_cmpstr (g_variant_get_string (target, NULL), ==, info->form_id);

      /* What a screen reader announces: a button named by the title. */
      gtk_test_accessible_assert_role (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_ROLE_BUTTON);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                           thai_title);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tile)));
      g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (tile)));
    }

  assert_start_icons_are_symbolic_pngs (fixture);
}

static void
test_second_start_keeps_forms (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) tiles = NULL;
  g_autoptr (GError) error = NULL;
  SaphanStore *store;

  open_window (fixture);
  store = saphan_application_get_store (fixture->app);

  /* Staff switch every service off: the shipped ones must not come back. */
  for (guint i = 0; i < G_N_ELEMENTS (expected_tiles); i++)
    {
      saphan_store_set_form_active (store, expected_tiles[i].form_id, FALSE, &error);
      g_assert_no_error (error);
    }

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.retry", NULL);
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "loading");
  ui_test_wait_for (start_page_showing, fixture->window, 20000, "the start page");

  tiles = get_tiles (fixture);
  g_assert_cmpuint (tiles->len, ==, 0);
  g_assert_true (gtk_widget_get_visible (
      ui_test_find_by_class (saphan_window_get_start_page (fixture->window), "start-empty")));
}

/* The form flow the window shows, or NULL; there is never more than one. */
static SaphanFormFlow *
find_flow (Fixture *fixture)
{
  g_autoptr (GPtrArray) flows
      = ui_test_find_all_of_type (GTK_WIDGET (fixture->window), SAPHAN_TYPE_FORM_FLOW);

  g_assert_cmpuint (flows->len, <=, 1);
  return flows->len > 0 ? g_ptr_array_index (flows, 0) : NULL;
}

static gboolean
flow_loaded (gpointer user_data)
{
  return g_strcmp0 (saphan_form_flow_get_page (user_data), "loading") != 0;
}

/* Checks that the "form" page shows a loaded flow for FORM_ID and returns
 * it, watched by a weak pointer in *FLOW so that its end can be seen. */
static void
expect_flow (Fixture *fixture, const char *form_id, SaphanFormFlow **flow)
{
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "form");
  *flow = find_flow (fixture);
  g_assert_nonnull (*flow);
  g_object_add_weak_pointer (G_OBJECT (*flow), (gpointer *)flow);
  g_assert_cmpstr (saphan_form_flow_get_form_id (*flow), ==, form_id);
  ui_test_wait_for (flow_loaded, *flow, 20000, "the form to load");
  g_assert_cmpstr (saphan_form_flow_get_page (*flow), ==, "question");
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (*flow)));
  /* The start page is out of sight, not gone. */
  g_assert_false (gtk_widget_is_drawable (saphan_window_get_start_page (fixture->window)));
}

static gboolean
flow_gone (gpointer user_data)
{
  return *(SaphanFormFlow **)user_data == NULL;
}

static gboolean
form_page_showing (gpointer user_data)
{
  return g_strcmp0 (saphan_window_get_page_name (user_data), "form") == 0;
}

/* --form: a kiosk set up for one service opens its form once ready, once;
 * cancelling it shows all the services, and an unknown id only those. */
static void
test_initial_form (Fixture *fixture, gconstpointer user_data)
{
  SaphanFormFlow *flow = NULL;

  saphan_application_set_initial_form (fixture->app, "elderly_allowance");
  fixture->window = saphan_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  ui_test_wait_for (form_page_showing, fixture->window, 20000, "the elderly allowance form");
  expect_flow (fixture, "elderly_allowance", &flow);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (flow), "flow.cancel", NULL));
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
  ui_test_wait_for (flow_gone, &flow, 5000, "the cancelled flow to be finalized");
  g_assert_null (saphan_application_take_initial_form (fixture->app));

  saphan_application_set_initial_form (fixture->app, "no-such-service");
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (fixture->window != NULL)
    g_main_context_iteration (NULL, TRUE);
  open_window (fixture);
  g_assert_null (find_flow (fixture));
}

static void
test_open_form (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) tiles = NULL;

  open_window (fixture);
  tiles = get_tiles (fixture);

  /* Every tile opens its own service. Touching a tile is a click on a
   * button bound to "win.open-form"; the flow's own "Cancel" hands the
   * kiosk back to the services and the window lets the flow go. */
  for (guint i = 0; i < tiles->len; i++)
    {
      SaphanFormTile *tile = g_ptr_array_index (tiles, i);
      SaphanFormFlow *flow = NULL;

      g_signal_emit_by_name (tile, "clicked");
      expect_flow (fixture, saphan_form_tile_get_form_id (tile), &flow);
      g_assert_cmpstr (saphan_form_flow_get_language (flow), ==, "th");

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (flow), "flow.cancel", NULL));
      g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
      ui_test_wait_for (flow_gone, &flow, 5000, "the cancelled flow to be finalized");
      g_assert_null (find_flow (fixture));
    }

  /* An unknown form id changes nothing: the same flow stays on screen. */
  {
    SaphanFormFlow *flow = NULL;

    g_signal_emit_by_name (g_ptr_array_index (tiles, 1), "clicked");
    expect_flow (fixture, saphan_form_tile_get_form_id (g_ptr_array_index (tiles, 1)), &flow);
    gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-form", "s",
                                "no-such-form");
    g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "form");
    g_assert_true (find_flow (fixture) == flow);
    g_assert_cmpstr (saphan_form_flow_get_page (flow), ==, "question");

    /* Back (the Escape key too) cancels the form: the flow and the answers
     * it held are gone, not merely hidden. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.back", NULL));
    g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
    ui_test_wait_for (flow_gone, &flow, 5000, "the flow left by Back to be finalized");
    g_assert_null (find_flow (fixture));
  }

  /* From the start page an unknown id opens nothing either. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-form", "s", "no-such-form");
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
}

static gboolean
receipt_printed (gpointer user_data)
{
  Fixture *fixture = user_data;
  SaphanStore *store = saphan_application_get_store (fixture->app);
  const char *number = g_object_get_data (G_OBJECT (fixture->window), "receipt-number");
  g_autoptr (SaphanReceiptInfo) receipt = saphan_store_get_receipt (store, number, NULL);

  return receipt != NULL && receipt->printed;
}

static void
assert_stored (Fixture *fixture, SaphanFormFlow *flow, const char *text, guint line)
{
  SaphanStore *store = saphan_application_get_store (fixture->app);
  g_autoptr (GPtrArray) rows = saphan_store_list_submissions (store, -1, 10, NULL);
  const SaphanSubmissionInfo *info;
  g_autoptr (GBytes) payload = NULL;
  g_autofree char *xml = NULL;

  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 1);
  info = g_ptr_array_index (rows, 0);
  g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_QUEUED);
  g_assert_cmpstr (info->form_id, ==, "complaint");
  g_assert_cmpstr (info->receipt_number, ==, saphan_form_flow_get_receipt_number (flow));
  payload = saphan_store_get_payload (store, info->instance_id, NULL);
  g_assert_nonnull (payload);
  xml = g_strndup (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  if (strstr (xml, text) == NULL)
    g_error ("form-runs.txt:%u: the stored submission lacks %s", line, text);
}

/* The receipt of the one submission: signed by this kiosk's key over this
 * submission, saved as a PDF (no printer queue is configured) and marked
 * printed. */
static void
assert_receipt (Fixture *fixture, const char *number)
{
  SaphanStore *store = saphan_application_get_store (fixture->app);
  g_autoptr (GPtrArray) rows = saphan_store_list_submissions (store, -1, 10, NULL);
  const SaphanSubmissionInfo *info = g_ptr_array_index (rows, 0);
  g_autoptr (SaphanReceiptInfo) receipt = NULL;
  g_autoptr (SaphanReceiptPayload) payload = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *pdf_name = g_strconcat (number, ".pdf", NULL);
  g_autofree char *pdf_path = g_build_filename (fixture->data_dir, "receipts", pdf_name, NULL);
  g_autofree char *pdf = NULL;
  SaphanReceiptVerdict verdict = SAPHAN_RECEIPT_MALFORMED;
  gsize pdf_len = 0;

  receipt = saphan_store_get_receipt (store, number, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_cmpstr (receipt->instance_id, ==, info->instance_id);
  g_assert_cmpstr (receipt->form_id, ==, "complaint");
  g_assert_true (receipt->printed);
  g_assert_nonnull (receipt->qr_text);
  g_assert_cmpuint (strlen (receipt->qr_text), >, strlen (SAPHAN_RECEIPT_PAYLOAD_PREFIX));

  payload = saphan_receipt_payload_verify (receipt->qr_text, fixture->data_dir, &verdict, NULL,
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpint (verdict, ==, SAPHAN_RECEIPT_VALID);
  g_assert_nonnull (payload);
  g_assert_cmpstr (payload->number, ==, number);
  g_assert_cmpstr (payload->form_id, ==, "complaint");
  g_assert_cmpstr (payload->form_version, ==, "2026112401");
  g_assert_cmpstr (payload->instance_id, ==, info->instance_id);

  g_file_get_contents (pdf_path, &pdf, &pdf_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pdf_len, >, 1000);
  g_assert_true (g_str_has_prefix (pdf, "%PDF-"));
  g_printerr ("Receipt %s: %zu characters of QR text, a %zu-byte PDF\n", number,
              strlen (receipt->qr_text), pdf_len);
}

static void
test_complaint_end_to_end (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *runs = g_build_filename (SAPHAN_TEST_SRCDIR, "form", "form-runs.txt", NULL);
  g_autoptr (GPtrArray) steps = ui_test_form_run_read (runs, "complaint");
  g_autoptr (GPtrArray) tiles = NULL;
  g_autofree char *number = NULL;
  SaphanFormFlow *flow = NULL;
  GtkWidget *tile = NULL;
  guint n_played = 0, n_stored = 0;

  open_window (fixture);
  tiles = get_tiles (fixture);
  for (guint i = 0; i < tiles->len; i++)
    if (g_str_equal (saphan_form_tile_get_form_id (g_ptr_array_index (tiles, i)), "complaint"))
      tile = g_ptr_array_index (tiles, i);
  g_assert_nonnull (tile);
  g_signal_emit_by_name (tile, "clicked");
  expect_flow (fixture, "complaint", &flow);

  /* The citizen's run from the flow's own tests, on the flow the window
   * opened; "done" comes last and is played below. */
  for (guint i = 0; i < steps->len; i++)
    {
      const UiTestFormStep *step = g_ptr_array_index (steps, i);

      g_assert_nonnull (flow);
      if (ui_test_form_run_play (flow, step))
        n_played++;
      else if (g_str_equal (step->argv[0], "stored") && step->argv[1] != NULL)
        {
          g_autofree char *text = g_strjoinv (" ", step->argv + 1);

          assert_stored (fixture, flow, text, step->line);
          n_stored++;
        }
      else if (g_str_equal (step->argv[0], "done"))
        g_assert_cmpuint (i, ==, steps->len - 1);
      else if (!g_str_equal (step->argv[0], "screenshot"))
        g_error ("form-runs.txt:%u: cannot play “%s” in the window", step->line, step->argv[0]);
    }
  /* The cases run in child processes, whose test messages are not shown. */
  g_printerr ("%u steps played, %u stored values checked\n", n_played, n_stored);
  g_assert_cmpuint (n_played, >=, 30);
  g_assert_cmpuint (n_stored, >, 0);

  /* Submitted: the window prints the receipt while the finish page shows
   * its number. */
  g_assert_cmpstr (saphan_form_flow_get_page (flow), ==, "finish");
  number = g_strdup (saphan_form_flow_get_receipt_number (flow));
  g_assert_nonnull (number);
  g_object_set_data_full (G_OBJECT (fixture->window), "receipt-number", g_strdup (number), g_free);
  ui_test_wait_for (receipt_printed, fixture, 30000, "the receipt to be printed");
  assert_receipt (fixture, number);

  /* "Done": the start page is back and the flow, with the answers, gone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (flow), "flow.done", NULL));
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
  ui_test_wait_for (flow_gone, &flow, 5000, "the finished flow to be finalized");
  g_assert_null (find_flow (fixture));
  g_assert_true (gtk_widget_is_drawable (saphan_window_get_start_page (fixture->window)));
}

static gboolean
start_page_replaced (gpointer user_data)
{
  return saphan_window_get_start_page (user_data) != g_object_get_data (user_data, "old-page");
}

static void
test_language (Fixture *fixture, gconstpointer user_data)
{
  GActionGroup *actions;
  g_autoptr (GVariant) state = NULL;
  g_autoptr (GPtrArray) toggles = NULL;
  GtkWidget *english = NULL;
  GtkWidget *old_page;

  open_window (fixture);
  actions = G_ACTION_GROUP (fixture->app);

  /* Thai is the default. */
  state = g_action_group_get_action_state (actions, "language");
  g_assert_cmpstr (g_variant_get_string (state, NULL), ==, "th");
  g_clear_pointer (&state, g_variant_unref);
  g_assert_cmpstr (saphan_application_get_language (fixture->app), ==, "th");
  g_assert_cmpstr (staff_help_text (fixture), ==, STAFF_HELP_TH);

  /* Touch "English" on the switch. */
  toggles = ui_test_find_all_of_type (saphan_window_get_start_page (fixture->window),
                                      GTK_TYPE_TOGGLE_BUTTON);
  g_assert_cmpuint (toggles->len, ==, 2);
  for (guint i = 0; i < toggles->len; i++)
    {
      GtkToggleButton *toggle = g_ptr_array_index (toggles, i);
      GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (toggle));

      /* The switch shows which language is in force. */
      g_assert_cmpint (gtk_toggle_button_get_active (toggle), ==,
                       g_str_equal (g_variant_get_string (target, NULL), "th"));
      if (g_str_equal (g_variant_get_string (target, NULL), "en"))
        english = GTK_WIDGET (toggle);
    }
  g_assert_nonnull (english);

  old_page = saphan_window_get_start_page (fixture->window);
  g_signal_emit_by_name (english, "clicked");
  g_object_set_data (G_OBJECT (fixture->window), "old-page", old_page);
  ui_test_wait_for (start_page_replaced, fixture->window, 5000, "the page in English");

  state = g_action_group_get_action_state (actions, "language");
  g_assert_cmpstr (g_variant_get_string (state, NULL), ==, "en");
  g_clear_pointer (&state, g_variant_unref);
  /* The page was rebuilt in English and is the one showing. */
  g_assert_true (saphan_window_get_start_page (fixture->window) != old_page);
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
  g_assert_cmpstr (staff_help_text (fixture), ==, STAFF_HELP_EN);
  g_assert_cmpuint (saphan_start_page_get_n_tiles (
                        SAPHAN_START_PAGE (saphan_window_get_start_page (fixture->window))),
                    ==, G_N_ELEMENTS (expected_tiles));
  /* The tiles name the services in English now: the half after " · ". */
  g_assert_true (find_drawable_label (fixture, strstr (expected_tiles[0].title, " · ") + strlen (" · ")));

  /* A language the kiosk does not offer is refused. */
  g_test_expect_message ("saphan-ui", G_LOG_LEVEL_WARNING, "*unsupported language*");
  g_action_group_change_action_state (actions, "language", g_variant_new_string ("fr"));
  g_test_assert_expected_messages ();
  g_assert_cmpstr (saphan_application_get_language (fixture->app), ==, "en");

  /* A service chosen now opens in English. */
  {
    SaphanFormFlow *flow = NULL;

    gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-form", "s",
                                expected_tiles[0].form_id);
    expect_flow (fixture, expected_tiles[0].form_id, &flow);
    g_assert_cmpstr (saphan_form_flow_get_language (flow), ==, "en");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (flow), "flow.cancel", NULL));
    ui_test_wait_for (flow_gone, &flow, 5000, "the cancelled flow to be finalized");
  }

  /* Back on the start page, the switch still works: Thai again. */
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
  g_object_set_data (G_OBJECT (fixture->window), "old-page",
                     saphan_window_get_start_page (fixture->window));
  g_action_group_change_action_state (actions, "language", g_variant_new_string ("th"));
  ui_test_wait_for (start_page_replaced, fixture->window, 5000, "the page in Thai");
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");
  g_assert_cmpstr (staff_help_text (fixture), ==, STAFF_HELP_TH);
  {
    g_autofree char *thai = g_strndup (expected_tiles[0].title,
                                       strstr (expected_tiles[0].title, " · ") - expected_tiles[0].title);
    g_assert_true (find_drawable_label (fixture, thai));
  }
}

static void
test_kiosk_lockdown (Fixture *fixture, gconstpointer user_data)
{
  gboolean handled = FALSE;
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n_toplevels;

  open_window (fixture);
  g_assert_true (saphan_application_get_kiosk (fixture->app));
  g_assert_false (gtk_window_get_decorated (GTK_WINDOW (fixture->window)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fixture->window), "kiosk"));

  /* Alt+F4 and the window manager arrive as a close request: refused. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (fixture->window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  /* Ctrl+Shift+I / Ctrl+Shift+D are swallowed without an inspector. */
  n_toplevels = g_list_model_get_n_items (toplevels);
  g_signal_emit_by_name (fixture->window, "enable-debugging", TRUE, &handled);
  g_assert_true (handled);
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, n_toplevels);

  /* Escape only goes back to the services. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-form", "s",
                              expected_tiles[1].form_id);
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "form");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.back", NULL));
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");

  /* The quit action is off in kiosk mode. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->app), "quit"));
}

static void
test_close_outside_kiosk (Fixture *fixture, gconstpointer user_data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n_toplevels;
  gboolean handled = FALSE;

  open_window (fixture);
  g_assert_true (gtk_window_get_decorated (GTK_WINDOW (fixture->window)));

  /* Outside kiosk mode the inspector keys work as in any GTK program,
   * which shows that the kiosk-mode check above really blocks them. */
  n_toplevels = g_list_model_get_n_items (toplevels);
  g_signal_emit_by_name (fixture->window, "enable-debugging", FALSE, &handled);
  g_assert_true (handled);
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), >, n_toplevels);
  gtk_window_set_interactive_debugging (FALSE);
  /* The inspector keeps a reference to the application it inspected. */
  fixture->app_refs++;

  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *)&fixture->window);
  gtk_window_close (GTK_WINDOW (fixture->window));
  for (int i = 0; i < 10 && fixture->window != NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (fixture->window);
}

/* Fails unless WIDGET is wholly visible: inside the window and, when it
 * sits in a scrolled window, inside the part that shows without
 * scrolling, since a citizen may not know to scroll. */
static gboolean
is_inside (GtkWidget *widget, GtkWidget *window, graphene_rect_t *bounds, graphene_rect_t *area)
{
  GtkWidget *clip = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);

  if (clip == NULL)
    clip = window;
  g_assert_true (gtk_widget_compute_bounds (widget, window, bounds));
  g_assert_true (gtk_widget_compute_bounds (clip, window, area));
  return graphene_rect_intersection (
             area,
             &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (window),
                                  gtk_widget_get_height (window)),
             area)
         && bounds->origin.x >= area->origin.x - 0.5 && bounds->origin.y >= area->origin.y - 0.5
         && bounds->origin.x + bounds->size.width <= area->origin.x + area->size.width + 0.5
         && bounds->origin.y + bounds->size.height <= area->origin.y + area->size.height + 0.5;
}

static void
assert_inside (GtkWidget *widget, GtkWidget *window, const char *what)
{
  graphene_rect_t bounds, area;

  if (!is_inside (widget, window, &bounds, &area))
    g_error ("%s is cut off: %.0f,%.0f %.0fx%.0f outside %.0f,%.0f %.0fx%.0f", what,
             bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height, area.origin.x,
             area.origin.y, area.size.width, area.size.height);
}

/* A tile below the first screenful is acceptable only when the scroll bar
 * is on screen, wide enough for a finger, and scrolling brings the whole
 * tile into view. Returns whether the tile needed scrolling. */
static gboolean
assert_tile_reachable (Fixture *fixture, GtkWidget *tile, GtkWidget *window, const char *where)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (tile, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds, area;
  GtkAdjustment *adjustment;
  GtkWidget *bar;
  double value, overflow;

  if (is_inside (tile, window, &bounds, &area))
    return FALSE;
  g_assert_nonnull (scroller);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >,
                     gtk_adjustment_get_page_size (adjustment));
  bar = gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (scroller));
  g_assert_true (gtk_widget_is_drawable (bar));
  g_assert_cmpint (gtk_widget_get_width (bar), >=, 24);
  assert_inside (bar, window, "the services' scroll bar");

  /* A tile taller than the part of the page that scrolls could never be
   * seen whole, whatever the citizen does. */
  g_assert_cmpfloat (bounds.size.height, <=, area.size.height + 0.5);

  /* Scroll by the amount the tile sticks out below, as a finger would. */
  overflow = (bounds.origin.y + bounds.size.height) - (area.origin.y + area.size.height);
  value = gtk_adjustment_get_value (adjustment);
  gtk_adjustment_set_value (adjustment, value + overflow);
  ui_test_wait_for_paint (window);
  assert_inside (tile, window, "a service tile scrolled into view");
  gtk_adjustment_set_value (adjustment, value);
  ui_test_wait_for_paint (window);
  return TRUE;
}

static void
assert_touch_target (GtkWidget *widget, const char *what)
{
  /* 64 px is about 17 mm on a 96 dpi panel: a finger, not a fingertip. */
  if (gtk_widget_get_width (widget) < 64 || gtk_widget_get_height (widget) < 64)
    g_error ("%s is only %dx%d px", what, gtk_widget_get_width (widget),
             gtk_widget_get_height (widget));
}

static double
font_size_px (GtkWidget *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  const PangoFontDescription *font = pango_context_get_font_description (context);
  double size = (double)pango_font_description_get_size (font) / PANGO_SCALE;

  /* GTK hands CSS pixels to Pango as points at 96 dpi unless absolute. */
  return pango_font_description_get_size_is_absolute (font) ? size : size * 96.0 / 72.0;
}

static void
save_screenshot (GtkWidget *window, const char *name)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);

  path = g_test_build_filename (G_TEST_BUILT, "ui", name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s", path);
}

static gboolean
has_size (gpointer user_data)
{
  const int *size = g_object_get_data (user_data, "expected-size");

  return gtk_widget_get_width (user_data) == size[0]
         && gtk_widget_get_height (user_data) == size[1];
}

static void
test_screenshots (Fixture *fixture, gconstpointer user_data)
{
  static const int sizes[][2] = { { 800, 480 }, { 1280, 800 } };
  static const char *const languages[] = { "th", "en" };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
      {
        g_autofree char *name
            = g_strdup_printf ("start-%dx%d-%s.png", sizes[s][0], sizes[s][1], languages[l]);
        g_autoptr (GPtrArray) tiles = NULL;
        g_autoptr (GPtrArray) toggles = NULL;
        GtkWidget *window, *page, *staff_help, *staff_label;
        SaphanFormFlow *flow = NULL;
        guint n_scrolled = 0;

        g_action_group_change_action_state (G_ACTION_GROUP (fixture->app), "language",
                                            g_variant_new_string (languages[l]));

        /* Undecorated as in kiosk mode, so the picture is what a citizen
         * sees on a panel of that size. */
        fixture->window = saphan_window_new (fixture->app);
        window = GTK_WIDGET (fixture->window);
        gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
        gtk_window_set_default_size (GTK_WINDOW (window), sizes[s][0], sizes[s][1]);
        g_object_set_data (G_OBJECT (window), "expected-size", (gpointer)sizes[s]);
        gtk_window_present (GTK_WINDOW (window));
        ui_test_wait_for (start_page_showing, window, 20000, "the start page");
        ui_test_wait_for (has_size, window, 10000, "the window size");
        ui_test_wait_for_paint (window);

        /* Saved first, so that a failing layout check can be looked at. */
        save_screenshot (window, name);

        page = saphan_window_get_start_page (fixture->window);
        tiles = ui_test_find_all_of_type (page, SAPHAN_TYPE_FORM_TILE);
        g_assert_cmpuint (tiles->len, ==, G_N_ELEMENTS (expected_tiles));
        /* The first services are on screen without scrolling, at least
         * a touch target's height of them; the rest are a visible scroll
         * bar away. */
        {
          graphene_rect_t bounds, area;

          is_inside (g_ptr_array_index (tiles, 0), window, &bounds, &area);
          g_assert_cmpfloat (bounds.origin.y, >=, area.origin.y - 0.5);
          g_assert_cmpfloat (bounds.origin.y + 64, <=, area.origin.y + area.size.height);
        }
        for (guint i = 0; i < tiles->len; i++)
          {
            if (assert_tile_reachable (fixture, g_ptr_array_index (tiles, i), window, name))
              n_scrolled++;
            assert_touch_target (g_ptr_array_index (tiles, i), "a service tile");
          }
        g_printerr ("%dx%d %s: %u of %u tiles need scrolling\n", sizes[s][0], sizes[s][1],
                    languages[l], n_scrolled, tiles->len);
        toggles = ui_test_find_all_of_type (page, GTK_TYPE_TOGGLE_BUTTON);
        for (guint i = 0; i < toggles->len; i++)
          {
            assert_inside (g_ptr_array_index (toggles, i), window, "a language button");
            assert_touch_target (g_ptr_array_index (toggles, i), "a language button");
          }
        staff_help = ui_test_find_by_class (page, "staff-help");
        assert_inside (staff_help, window, "the staff help line");
        staff_label = ui_test_find_by_class (page, "staff-help-label");
        g_assert_cmpfloat (font_size_px (staff_label), >=, 20.0);
        g_assert_cmpfloat (font_size_px (ui_test_find_by_class (page, "form-tile-title")), >=,
                           20.0);

        /* A chosen service fills the window with its form; the flow's
         * own tests check its screens, this checks that the window gives
         * it all the room and that its big buttons are on screen. */
        gtk_widget_activate_action (window, "win.open-form", "s", expected_tiles[2].form_id);
        expect_flow (fixture, expected_tiles[2].form_id, &flow);
        ui_test_wait_for_paint (window);
        {
          g_autofree char *form_name
              = g_strdup_printf ("form-%dx%d-%s.png", sizes[s][0], sizes[s][1], languages[l]);
          g_autoptr (GPtrArray) buttons = ui_test_find_all_of_type (window, GTK_TYPE_BUTTON);
          guint n_flow_buttons = 0;

          save_screenshot (window, form_name);
          g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (flow)), ==, sizes[s][0]);
          g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (flow)), ==, sizes[s][1]);
          for (guint i = 0; i < buttons->len; i++)
            {
              GtkWidget *button = g_ptr_array_index (buttons, i);
              const char *action = gtk_actionable_get_action_name (GTK_ACTIONABLE (button));

              if (gtk_widget_is_drawable (button) && g_strcmp0 (action, "flow.next") == 0)
                {
                  assert_inside (button, window, "the Next button");
                  assert_touch_target (button, "the Next button");
                  n_flow_buttons++;
                }
            }
          g_assert_cmpuint (n_flow_buttons, ==, 1);
        }

        g_object_add_weak_pointer (G_OBJECT (window), (gpointer *)&fixture->window);
        gtk_window_destroy (GTK_WINDOW (window));
        while (fixture->window != NULL)
          g_main_context_iteration (NULL, TRUE);
        /* The form went with its window. */
        g_assert_null (flow);
      }
}

static gboolean
widget_visible (gpointer user_data)
{
  return gtk_widget_get_visible (user_data);
}

static void
test_loading_indicator (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *db_path = g_build_filename (fixture->data_dir, "saphan.db", NULL);
  g_autoptr (GError) error = NULL;
  SaphanStore *store;
  sqlite3 *holder;
  GtkWidget *spinner, *title;

  store = saphan_store_open (fixture->data_dir, &error);
  g_assert_no_error (error);
  g_object_unref (store);

  /* Another process holding the database (saphanctl in the middle of an
   * export, say): in WAL mode with exclusive locking, even reading waits
   * until it lets go, so the kiosk's load cannot finish before that. */
  holder = store_test_raw_open (db_path);
  store_test_raw_exec (holder, "PRAGMA locking_mode=EXCLUSIVE");
  g_assert_cmpint (store_test_raw_int (holder, "SELECT count(*) FROM sqlite_master"), >, 0);

  fixture->window = saphan_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  spinner = ui_test_find_by_class (GTK_WIDGET (fixture->window), "status-spinner");
  title = gtk_widget_get_next_sibling (spinner);
  g_assert_true (GTK_IS_LABEL (title));

  /* Blank at first: the usual load is over long before a citizen could
   * read "Getting ready". */
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "loading");
  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_false (gtk_widget_get_visible (title));

  /* A load that takes long says so. */
  ui_test_wait_for (widget_visible, spinner, 4000, "the loading spinner");
  g_assert_true (gtk_widget_get_visible (title));
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "loading");
  ui_test_wait_for_paint (GTK_WIDGET (fixture->window));
  save_screenshot (GTK_WIDGET (fixture->window), "loading-1280x800.png");

  /* Once the other process lets go, the services come, and the loading
   * page is blank again for the next time it shows. */
  sqlite3_close (holder);
  ui_test_wait_for (start_page_showing, fixture->window, 20000, "the start page");
  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_false (gtk_widget_get_visible (title));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.retry", NULL);
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "loading");
  g_assert_false (gtk_widget_get_visible (spinner));
  ui_test_wait_for (start_page_showing, fixture->window, 20000, "the start page again");
}

static gboolean
error_page_showing (gpointer user_data)
{
  return g_strcmp0 (saphan_window_get_page_name (user_data), "error") == 0;
}

static void
test_error_page (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *db = g_build_filename (fixture->data_dir, "saphan.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  GtkWidget *message;

  /* A file that is not a Saphan database where the store should be: the
   * kiosk must say so on screen, offer to try again, and leave the file
   * alone for staff to look at. */
  g_assert_cmpint (g_mkdir_with_parents (fixture->data_dir, 0700), ==, 0);
  g_file_set_contents (db, "This is a text file, not a database; keep it as it is.", -1, &error);
  g_assert_no_error (error);

  g_test_expect_message ("saphan-ui", G_LOG_LEVEL_WARNING, "The store could not be opened*");
  fixture->window = saphan_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  ui_test_wait_for (error_page_showing, fixture->window, 20000, "the error page");
  g_test_assert_expected_messages ();
  g_assert_null (saphan_window_get_start_page (fixture->window));

  message = ui_test_find_by_class (GTK_WIDGET (fixture->window), "status-message");
  g_assert_nonnull (message);
  g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (message))), >, 0);
  ui_test_wait_for_paint (GTK_WIDGET (fixture->window));
  save_screenshot (GTK_WIDGET (fixture->window), "error-1280x800-th.png");

  /* Try again: still refused, still on the error page, file untouched. */
  g_test_expect_message ("saphan-ui", G_LOG_LEVEL_WARNING, "The store could not be opened*");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.retry", NULL);
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "loading");
  ui_test_wait_for (error_page_showing, fixture->window, 20000, "the error page again");
  g_test_assert_expected_messages ();

  g_file_get_contents (db, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "This is a text file"));
}

static gboolean
reset_to_start (gpointer user_data)
{
  Fixture *fixture = user_data;

  return g_strcmp0 (saphan_window_get_page_name (fixture->window), "start") == 0
         && g_strcmp0 (saphan_application_get_language (fixture->app), "th") == 0;
}

static gboolean
start_page_in_thai (gpointer user_data)
{
  Fixture *fixture = user_data;

  return start_page_showing (fixture->window)
         && g_strcmp0 (staff_help_text (fixture), STAFF_HELP_TH) == 0;
}

static gboolean
start_page_in_english (gpointer user_data)
{
  Fixture *fixture = user_data;

  return start_page_showing (fixture->window)
         && g_strcmp0 (staff_help_text (fixture), STAFF_HELP_EN) == 0;
}

static void
test_idle_reset (Fixture *fixture, gconstpointer user_data)
{
  GSettings *settings;
  SaphanFormFlow *flow = NULL;
  guint timeout = 0;
  gint64 started;

  open_window (fixture);

  /* The timeout follows the org.saphan.Kiosk idle-timeout key. */
  settings = saphan_application_get_settings (fixture->app);
  g_assert_nonnull (settings);
  g_object_get (fixture->window, "idle-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 90);
  g_settings_set_uint (settings, "idle-timeout", 45);
  g_object_get (fixture->window, "idle-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 45);

  /* A citizen switches to English and walks away from the services. */
  g_action_group_change_action_state (G_ACTION_GROUP (fixture->app), "language",
                                      g_variant_new_string ("en"));
  ui_test_wait_for (start_page_in_english, fixture, 5000, "the start page in English");
  g_assert_false (reset_to_start (fixture));

  /* One second is below the key's range, so the property is set here.
   * The bound only tells this one-second timer from the 45-second one
   * above, with room for a slow machine. */
  started = g_get_monotonic_time ();
  g_object_set (fixture->window, "idle-timeout", 1, NULL);
  ui_test_wait_for (reset_to_start, fixture, 10000, "the idle reset");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 8 * G_USEC_PER_SEC);
  ui_test_wait_for (start_page_in_thai, fixture, 5000, "the start page in Thai");

  /* On a form the window's timer stands aside: the flow warns the citizen
   * first and wipes the answers itself (here after 0.3 s and 0.3 s), and
   * only then does the window show the services again. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-form", "s",
                              expected_tiles[0].form_id);
  expect_flow (fixture, expected_tiles[0].form_id, &flow);
  g_object_set (fixture->window, "idle-timeout", 1, NULL);
  {
    gint64 until = g_get_monotonic_time () + 2500 * 1000;

    while (g_get_monotonic_time () < until)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10000);
      }
  }
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "form");
  g_assert_nonnull (flow);
  g_assert_false (saphan_form_flow_get_idle_warning_shown (flow));

  saphan_form_flow_set_idle_timing_ms (flow, 300, 300);
  ui_test_wait_for (flow_gone, &flow, 10000, "the flow's idle wipe");
  g_assert_cmpstr (saphan_window_get_page_name (fixture->window), ==, "start");

  /* Back on the services the window's timer runs again without a touch:
   * the next citizen who switches to English and walks away leaves the
   * kiosk in Thai once more. */
  g_action_group_change_action_state (G_ACTION_GROUP (fixture->app), "language",
                                      g_variant_new_string ("en"));
  ui_test_wait_for (start_page_in_english, fixture, 5000, "the start page in English");
  ui_test_wait_for (start_page_in_thai, fixture, 10000, "the idle reset after a form");
}

/* A column answers how wide it is without regard to the height offered:
 * a wrapping label in a GtkBox would be searched for the narrowest width
 * that fits each height, laying its text out again at every step. */
static void
test_column (void)
{
  const char *long_text = "ลงทะเบียนเบี้ยยังชีพผู้สูงอายุ สำหรับผู้ที่มีอายุหกสิบปีขึ้นไป";
  GtkWidget *window = gtk_window_new ();
  GtkWidget *column = saphan_column_new (10);
  GtkWidget *first = gtk_label_new (long_text);
  GtkWidget *hidden = gtk_label_new ("hidden");
  GtkWidget *second = gtk_label_new (long_text);
  int free_min, free_nat, low_min, low_nat, first_height, second_height, min, nat;
  graphene_rect_t bounds;

  gtk_label_set_wrap (GTK_LABEL (first), TRUE);
  gtk_label_set_wrap (GTK_LABEL (second), TRUE);
  gtk_widget_set_visible (hidden, FALSE);
  gtk_widget_set_parent (first, column);
  gtk_widget_set_parent (hidden, column);
  gtk_widget_set_parent (second, column);
  gtk_window_set_child (GTK_WINDOW (window), column);

  /* The same width for any height, and the widest child's. */
  gtk_widget_measure (column, GTK_ORIENTATION_HORIZONTAL, -1, &free_min, &free_nat, NULL, NULL);
  gtk_widget_measure (column, GTK_ORIENTATION_HORIZONTAL, 40, &low_min, &low_nat, NULL, NULL);
  g_assert_cmpint (low_min, ==, free_min);
  g_assert_cmpint (low_nat, ==, free_nat);
  gtk_widget_measure (first, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_assert_cmpint (free_min, ==, min);
  g_assert_cmpint (free_nat, ==, nat);

  /* The height for a width: the visible children's, and the spacing between. */
  gtk_widget_measure (first, GTK_ORIENTATION_VERTICAL, 200, &first_height, NULL, NULL, NULL);
  gtk_widget_measure (second, GTK_ORIENTATION_VERTICAL, 200, &second_height, NULL, NULL, NULL);
  gtk_widget_measure (column, GTK_ORIENTATION_VERTICAL, 200, &min, &nat, NULL, NULL);
  g_assert_cmpint (first_height, >, 40); /* wrapped at 200 px */
  g_assert_cmpint (min, ==, first_height + 10 + second_height);

  /* Stacked from the top, each as wide as the column. */
  gtk_widget_size_allocate (column, &(GtkAllocation){ 0, 0, 200, min }, -1);
  g_assert_true (gtk_widget_compute_bounds (second, column, &bounds));
  g_assert_cmpfloat (bounds.origin.y, ==, first_height + 10);
  g_assert_cmpfloat (bounds.size.width, ==, 200);
  g_assert_cmpfloat (bounds.size.height, ==, second_height);

  saphan_column_set_spacing (SAPHAN_COLUMN (column), 0);
  gtk_widget_measure (column, GTK_ORIENTATION_VERTICAL, 200, &min, NULL, NULL, NULL);
  g_assert_cmpint (min, ==, first_height + second_height);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  const char *path;
  gboolean kiosk;
  void (*body) (Fixture *fixture, gconstpointer user_data);
} UiCase;

static const UiCase ui_cases[] = {
  { "/ui/window/tiles", FALSE, test_tiles },
  { "/ui/window/second-start-keeps-forms", FALSE, test_second_start_keeps_forms },
  { "/ui/window/open-form", FALSE, test_open_form },
  { "/ui/window/initial-form", FALSE, test_initial_form },
  { "/ui/window/complaint-end-to-end", FALSE, test_complaint_end_to_end },
  { "/ui/window/language", FALSE, test_language },
  { "/ui/window/kiosk-lockdown", TRUE, test_kiosk_lockdown },
  { "/ui/window/close-outside-kiosk", FALSE, test_close_outside_kiosk },
  { "/ui/window/error-page", FALSE, test_error_page },
  { "/ui/window/loading-indicator", FALSE, test_loading_indicator },
  { "/ui/window/idle-reset", FALSE, test_idle_reset },
  { "/ui/window/screenshots", FALSE, test_screenshots },
};

/* Each case runs in a process of its own: a registered GApplication keeps
 * its D-Bus object path until the process ends, and a kiosk has exactly
 * one application per process too. */
static void
run_case (gconstpointer data)
{
  const UiCase *ui_case = data;
  Fixture fixture = { 0 };

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                              G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  fixture_set_up (&fixture, GINT_TO_POINTER (ui_case->kiosk));
  ui_case->body (&fixture, NULL);
  fixture_tear_down (&fixture, NULL);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GTestDBus) bus = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *mo_dir = NULL;
  g_autofree char *mo_path = NULL;
  int status;

  /* The test Thai catalogue, laid out as gettext looks for it. */
  locale_dir = g_dir_make_tmp ("saphan-ui-locale-XXXXXX", &error);
  g_assert_no_error (error);
  mo_dir = g_build_filename (locale_dir, "th", "LC_MESSAGES", NULL);
  g_assert_cmpint (g_mkdir_with_parents (mo_dir, 0700), ==, 0);
  mo_path = g_build_filename (mo_dir, GETTEXT_PACKAGE ".mo", NULL);
  ui_test_copy_file (SAPHAN_TEST_MO, mo_path);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_setenv ("GSETTINGS_SCHEMA_DIR", SAPHAN_SCHEMAS_DIR, TRUE);
  g_unsetenv ("LANGUAGE");
  saphan_application_prepare_environment ();

  /* The test accessibility backend records what a screen reader would be
   * told, without needing an AT-SPI bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  ui_test_avoid_gl_under_asan ();
  ui_test_leaks_checked_in_subprocesses = TRUE;
  /* GtkApplication needs a session bus; a private one, shared by the
   * cases' processes one after the other, keeps the tests apart from any
   * desktop. */
  bus = ui_test_session_bus_up (argc, argv);
  gtk_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (ui_cases); i++)
    g_test_add_data_func (ui_cases[i].path, &ui_cases[i], run_case);
  g_test_add_func ("/ui/column", test_column);

  status = g_test_run ();

  if (bus != NULL)
    g_test_dbus_down (bus);
  ui_test_remove_tree (locale_dir);
  g_free (locale_dir);
  return status;
}
