/* test-staff.c: staff mode's lockdown, over a real store and real PINs.
 *
 * The PIN pad, the dashboard and the hidden corner are driven through
 * their actions, as a finger drives them. Accounts are made with the
 * security module's own calls, submissions with the store's finalize and
 * outbox moves, receipts with the kiosk key, so every count and verdict
 * the dashboard shows comes from the code that runs on a kiosk. The
 * lockout is checked against an injected clock, never with sleeps.
 */
#include "config.h"

#include "saphan-application.h"
#include "saphan-keyboard.h"
#include "saphan-kiosk-key.h"
#include "saphan-receipt-number.h"
#include "saphan-receipt-payload.h"
#include "saphan-receipt-print.h"
#include "saphan-staff-corner.h"
#include "saphan-staff-dashboard.h"
#include "saphan-staff-page.h"
#include "saphan-staff.h"
#include "saphan-window.h"
#include "ui-test-util.h"

#include <glib/gstdio.h>

#define STAFF_PIN "246810"
#define MAINTAINER_PIN "135790"
#define WRONG_PIN "999999"

/* How many submissions the store holds in each state, in the order they
 * are made: claiming takes the oldest queued one, so those left queued
 * come last. */
static const struct
{
  SaphanSubmissionState state;
  guint count;
} planned[] = {
  { SAPHAN_SUBMISSION_ACCEPTED, 3 },
  { SAPHAN_SUBMISSION_NEEDS_ATTENTION, 2 },
  { SAPHAN_SUBMISSION_SENDING, 1 },
  { SAPHAN_SUBMISSION_EXPORTED, 1 },
  { SAPHAN_SUBMISSION_QUEUED, 2 },
};

#define ATTENTION_REASON "The server does not know form version 7"

typedef struct
{
  char *tmp_dir;
  char *data_dir;
  SaphanStore *store;
  GPtrArray *receipts;  /* char *: the QR texts issued */
  GPtrArray *attention; /* char *: instance ids needing attention */
  GtkWindow *window;
  SaphanStaffPage *page;
  gint64 now;           /* the fake clock */
  guint checks;
  gboolean last_check;
  guint leaves;
  GHashTable *finished; /* operation -> "1" or "0", the last outcome */
  guint exits;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  return ((Fixture *)user_data)->now;
}

static void
add_submission (Fixture *f, SaphanKioskKey *key, guint n, SaphanSubmissionState state)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *instance_id = g_strdup_printf ("uuid:00000000-0000-4000-8000-%012u", n);
  g_autofree char *xml = g_strdup_printf ("<data id=\"welfare\"><n>%u</n></data>", n);
  g_autoptr (GBytes) payload = g_bytes_new (xml, strlen (xml));
  g_autofree char *number = NULL;
  g_autofree char *qr = NULL;
  SaphanFinalizeRequest request = { 0 };

  g_assert_true (saphan_receipt_issue (f->store, key, "welfare", "1", instance_id, payload,
                                       f->now, &number, &qr, &error));
  g_assert_no_error (error);
  request.instance_id = instance_id;
  request.form_id = "welfare";
  request.form_version = "1";
  request.payload = payload;
  request.receipt_number = number;
  request.receipt_qr = qr;
  request.finalized_at = f->now - 1000 + n;
  g_assert_true (saphan_store_finalize (f->store, &request, &error));
  g_assert_no_error (error);
  g_ptr_array_add (f->receipts, g_steal_pointer (&qr));

  if (state == SAPHAN_SUBMISSION_QUEUED)
    return;
  if (state == SAPHAN_SUBMISSION_EXPORTED)
    {
      g_assert_true (saphan_store_mark_exported (f->store, instance_id, &error));
      g_assert_no_error (error);
      return;
    }
  {
    g_autoptr (SaphanSubmissionInfo) claimed = saphan_store_claim_next (f->store, G_MAXINT64 / 2,
                                                                        &error);
    g_assert_no_error (error);
    g_assert_nonnull (claimed);
    g_assert_cmpstr (claimed->instance_id, ==, instance_id);
  }
  if (state == SAPHAN_SUBMISSION_ACCEPTED)
    g_assert_true (saphan_store_mark_accepted (f->store, instance_id, "OK", &error));
  else if (state == SAPHAN_SUBMISSION_NEEDS_ATTENTION)
    {
      g_assert_true (saphan_store_mark_needs_attention (f->store, instance_id, ATTENTION_REASON,
                                                        &error));
      g_ptr_array_add (f->attention, g_strdup (instance_id));
    }
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  static const char form[] = "<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"/>";
  g_autoptr (GBytes) xml = g_bytes_new_static (form, sizeof form - 1);
  guint n = 0;

  f->now = 1800000000;
  f->tmp_dir = g_dir_make_tmp ("saphan-staff-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp_dir, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->data_dir, 0700), ==, 0);
  f->store = saphan_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  f->receipts = g_ptr_array_new_with_free_func (g_free);
  f->attention = g_ptr_array_new_with_free_func (g_free);
  f->finished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_true (saphan_staff_add (f->store, "s01", "Somchai", SAPHAN_ROLE_STAFF, STAFF_PIN,
                                   &error));
  g_assert_no_error (error);
  g_assert_true (saphan_staff_add (f->store, "m01", "Malee", SAPHAN_ROLE_MAINTAINER,
                                   MAINTAINER_PIN, &error));
  g_assert_no_error (error);

  g_assert_true (saphan_store_install_form (f->store, "welfare", "1", "Welfare", xml, NULL,
                                            &error));
  g_assert_no_error (error);
  key = saphan_kiosk_key_load_or_create (f->data_dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (planned); i++)
    for (guint j = 0; j < planned[i].count; j++)
      add_submission (f, key, ++n, planned[i].state);
}

static void
fixture_tear_down (Fixture *f, gconstpointer user_data)
{
  if (f->window != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *)&f->window);
      gtk_window_destroy (f->window);
      while (f->window != NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  /* Workers still running hold the store: let them finish first. */
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (G_OBJECT (f->store)->ref_count > 1 && g_get_monotonic_time () < deadline)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
  g_assert_finalize_object (f->store);
  ui_test_remove_tree (f->tmp_dir);
  g_free (f->tmp_dir);
  g_free (f->data_dir);
  g_ptr_array_unref (f->receipts);
  g_ptr_array_unref (f->attention);
  g_hash_table_unref (f->finished);
}

/* ---- Helpers --------------------------------------------------------------- */

static void
pin_checked_cb (SaphanStaffPage *page, gboolean success, Fixture *f)
{
  f->checks++;
  f->last_check = success;
}

static void
leave_cb (SaphanStaffPage *page, Fixture *f)
{
  f->leaves++;
}

static void
open_page (Fixture *f, int width, int height)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_widget_add_css_class (GTK_WIDGET (f->window), "saphan");
  gtk_window_set_default_size (f->window, width, height);
  f->page = SAPHAN_STAFF_PAGE (saphan_staff_page_new (f->store, f->data_dir, NULL));
  saphan_staff_page_set_clock (f->page, fake_clock, f);
  g_signal_connect (f->page, "pin-checked", G_CALLBACK (pin_checked_cb), f);
  g_signal_connect (f->page, "leave", G_CALLBACK (leave_cb), f);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  saphan_staff_page_reset (f->page);
  ui_test_wait_for_paint (GTK_WIDGET (f->window));
}

typedef struct
{
  Fixture *f;
  guint target;
} CountWait;

static gboolean
checks_reached (gpointer user_data)
{
  CountWait *wait = user_data;
  return wait->f->checks >= wait->target;
}

/* Types PIN on the pad, one touch per digit, and waits for the verdict. */
static gboolean
enter_pin (Fixture *f, const char *pin)
{
  CountWait wait = { f, f->checks + 1 };

  for (const char *p = pin; *p != '\0'; p++)
    {
      char digit[2] = { *p, '\0' };
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.digit", "s", digit));
    }
  g_assert_cmpuint (saphan_staff_page_get_pin_length (f->page), ==, strlen (pin));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.submit", NULL));
  /* The PIN left the widget the moment it went to the worker. */
  g_assert_cmpuint (saphan_staff_page_get_pin_length (f->page), ==, 0);
  ui_test_wait_for (checks_reached, &wait, 30000, "a PIN check");
  return f->last_check;
}

static void
finished_cb (SaphanStaffDashboard *dashboard, const char *operation, gboolean success, Fixture *f)
{
  g_hash_table_replace (f->finished, g_strdup (operation), GINT_TO_POINTER (success ? 1 : 2));
}

static void
exit_cb (SaphanStaffDashboard *dashboard, Fixture *f)
{
  f->exits++;
  /* No application to quit in this test process. */
  g_signal_stop_emission_by_name (dashboard, "exit-kiosk");
}

typedef struct
{
  Fixture *f;
  const char *operation;
} OpWait;

static gboolean
operation_finished (gpointer user_data)
{
  OpWait *wait = user_data;
  return g_hash_table_contains (wait->f->finished, wait->operation);
}

/* Runs ACTION on the dashboard and waits for OPERATION's outcome. */
static gboolean
run_operation (Fixture *f, const char *action, GVariant *target, const char *operation)
{
  GtkWidget *dashboard = saphan_staff_page_get_dashboard (f->page);
  OpWait wait = { f, operation };

  g_hash_table_remove (f->finished, operation);
  g_assert_true (gtk_widget_activate_action_variant (dashboard, action, target));
  ui_test_wait_for (operation_finished, &wait, 30000, operation);
  return GPOINTER_TO_INT (g_hash_table_lookup (f->finished, operation)) == 1;
}

static SaphanStaffDashboard *
sign_in (Fixture *f, const char *pin)
{
  SaphanStaffDashboard *dashboard;
  OpWait wait = { f, "refresh" };

  g_assert_true (enter_pin (f, pin));
  g_assert_cmpstr (saphan_staff_page_get_view (f->page), ==, "dashboard");
  dashboard = SAPHAN_STAFF_DASHBOARD (saphan_staff_page_get_dashboard (f->page));
  g_assert_nonnull (dashboard);
  g_signal_connect (dashboard, "finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (dashboard, "exit-kiosk", G_CALLBACK (exit_cb), f);
  ui_test_wait_for (operation_finished, &wait, 30000, "the first refresh");
  return dashboard;
}

static GtkWidget *
find_named (GtkWidget *root, const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return child;
      if ((found = find_named (child, name)) != NULL)
        return found;
    }
  return NULL;
}

static void
save_screenshot (Fixture *f, const char *name)
{
  GtkWidget *widget = GTK_WIDGET (f->window);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL
                                               ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                           "ui", "staff", "screenshots", NULL);
  g_autofree char *file = g_strdup_printf ("%s-%dx%d.png", name, width, height);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  ui_test_wait_for_paint (widget);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

/* The page fits the screen: its minimum size is no larger than the window
 * and every visible button inside is a finger-sized target. */
static void
assert_layout (Fixture *f, int width, int height)
{
  int min_width = 0, min_height = 0;
  g_autoptr (GPtrArray) buttons = ui_test_find_all_of_type (GTK_WIDGET (f->page), GTK_TYPE_BUTTON);

  gtk_widget_measure (GTK_WIDGET (f->page), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL,
                      NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (f->page), GTK_ORIENTATION_VERTICAL, width, &min_height, NULL,
                      NULL, NULL);
  g_assert_cmpint (min_width, <=, width);
  g_assert_cmpint (min_height, <=, height);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (!gtk_widget_is_drawable (button) || gtk_widget_get_ancestor (button, g_type_from_name ("SaphanKeyboard")) != NULL)
        continue;
      /* Spin buttons' steppers and buttons in GTK internals are not ours. */
      if (gtk_widget_get_ancestor (button, GTK_TYPE_SPIN_BUTTON) != NULL)
        continue;
      {
        graphene_rect_t bounds;

        g_assert_true (gtk_widget_compute_bounds (button, button, &bounds));
        if (bounds.size.height < 64 || bounds.size.width < 64)
          g_error ("Button “%s” is %.0f×%.0f px", gtk_button_get_label (GTK_BUTTON (button)),
                   bounds.size.width, bounds.size.height);
      }
    }
}

/* ---- Cases ----------------------------------------------------------------- */

/* The pad: one button per digit named by its digit, dots for what is
 * typed, and no account name anywhere. */
static void
test_pin_pad (Fixture *f, gconstpointer user_data)
{
  g_autoptr (GPtrArray) buttons = NULL;
  g_autoptr (GPtrArray) labels = NULL;
  guint digits = 0;

  open_page (f, 1280, 800);
  g_assert_cmpstr (saphan_staff_page_get_view (f->page), ==, "pin");

  buttons = ui_test_find_all_of_type (GTK_WIDGET (f->page), GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);
      GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "staff.digit") != 0)
        continue;
      g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==,
                       g_variant_get_string (target, NULL));
      digits++;
    }
  g_assert_cmpuint (digits, ==, 10);

  for (const char *p = "1234"; *p != '\0'; p++)
    {
      char digit[2] = { *p, '\0' };
      gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.digit", "s", digit);
    }
  gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.erase", NULL);
  g_assert_cmpuint (saphan_staff_page_get_pin_length (f->page), ==, 3);

  labels = ui_test_find_all_of_type (GTK_WIDGET (f->page), GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    {
      const char *text = gtk_label_get_text (g_ptr_array_index (labels, i));

      g_assert_null (strstr (text, "Somchai"));
      g_assert_null (strstr (text, "Malee"));
      g_assert_null (strstr (text, "123"));
    }
}

/* Five wrong PINs lock the pad; the countdown follows the injected clock
 * and the pad opens again when the clock passes the lock. */
static void
test_lockout (Fixture *f, gconstpointer user_data)
{
  gint64 locked_for;
  g_autofree char *expected = NULL;

  open_page (f, 1280, 800);
  for (guint i = 0; i < SAPHAN_STAFF_MAX_FAILURES; i++)
    {
      if (i > 0)
        f->now += 2;
      g_assert_cmpstr (saphan_staff_page_get_message (f->page), !=, "");
      g_assert_false (enter_pin (f, WRONG_PIN));
    }
  locked_for = saphan_staff_locked_for (f->store, f->now);
  g_assert_cmpint (locked_for, >, 0);

  /* The fifth failure locks the pad at once, with the seconds left; not
   * even a digit can be typed until the lock ends. */
  expected = g_strdup_printf ("Try again in %" G_GINT64_FORMAT " seconds", locked_for);
  g_assert_nonnull (strstr (saphan_staff_page_get_message (f->page), expected));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.digit", "s", "1");
  g_assert_cmpuint (saphan_staff_page_get_pin_length (f->page), ==, 0);

  /* The clock moves on; the next tick of the countdown opens the pad. */
  f->now += locked_for;
  {
    gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

    while (strstr (saphan_staff_page_get_message (f->page), "Try again") != NULL &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_null (strstr (saphan_staff_page_get_message (f->page), "Try again"));
  g_assert_true (enter_pin (f, STAFF_PIN));
  g_assert_cmpstr (saphan_staff_page_get_view (f->page), ==, "dashboard");
}

/* A wrong PIN says so and keeps the pad. */
static void
test_wrong_pin (Fixture *f, gconstpointer user_data)
{
  open_page (f, 1280, 800);
  g_assert_false (enter_pin (f, WRONG_PIN));
  g_assert_cmpstr (saphan_staff_page_get_view (f->page), ==, "pin");
  g_assert_cmpstr (saphan_staff_page_get_message (f->page), ==, "Wrong PIN. Please try again.");
  g_assert_null (saphan_staff_page_get_dashboard (f->page));
}

/* The right PIN opens the dashboard with the store's counts; a retry puts
 * a submission that needed attention back in the queue. */
static void
test_dashboard_retry (Fixture *f, gconstpointer user_data)
{
  SaphanStaffDashboard *dashboard;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSubmissionInfo) info = NULL;
  g_autoptr (GPtrArray) labels = NULL;
  const char *instance_id = g_ptr_array_index (f->attention, 0);
  gboolean reason_shown = FALSE;

  open_page (f, 1280, 800);
  dashboard = sign_in (f, STAFF_PIN);
  for (guint i = 0; i < G_N_ELEMENTS (planned); i++)
    g_assert_cmpint (saphan_staff_dashboard_get_count (dashboard, planned[i].state), ==,
                     planned[i].count);

  /* The list opens on what needs attention, with the server's reason. */
  labels = ui_test_find_all_of_type (GTK_WIDGET (dashboard), GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_text (g_ptr_array_index (labels, i)), ATTENTION_REASON) != NULL)
      reason_shown = TRUE;
  g_assert_true (reason_shown);

  g_assert_true (run_operation (f, "dash.retry", g_variant_new_string (instance_id), "retry"));
  info = saphan_store_get_submission (f->store, instance_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_QUEUED);

  g_hash_table_remove (f->finished, "refresh");
  {
    OpWait wait = { f, "refresh" };
    ui_test_wait_for (operation_finished, &wait, 30000, "the refresh after a retry");
  }
  g_assert_cmpint (saphan_staff_dashboard_get_count (dashboard, SAPHAN_SUBMISSION_QUEUED), ==, 3);
  g_assert_cmpint (saphan_staff_dashboard_get_count (dashboard, SAPHAN_SUBMISSION_NEEDS_ATTENTION),
                   ==, 1);

  /* A second retry of the same submission is refused by the store. */
  g_assert_false (run_operation (f, "dash.retry", g_variant_new_string (instance_id), "retry"));
}

/* The "Resolve with a note" buttons on screen, by the instance id each
 * one resolves. */
static gboolean
resolve_button_shown (GtkWidget *dashboard, const char *instance_id)
{
  g_autoptr (GPtrArray) buttons = ui_test_find_all_of_type (dashboard, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkActionable *button = g_ptr_array_index (buttons, i);
      GVariant *target = gtk_actionable_get_action_target_value (button);

      if (g_strcmp0 (gtk_actionable_get_action_name (button), "dash.resolve") == 0 &&
          target != NULL && g_str_equal (g_variant_get_string (target, NULL), instance_id) &&
          gtk_widget_is_visible (GTK_WIDGET (button)))
        return TRUE;
    }
  return FALSE;
}

/* "Resolve with a note": the note is typed on the dashboard's keyboard,
 * the store records the resolution with the signed-in staff id, the
 * submission leaves the needs-attention list and count, and the audit log
 * names the submission and the staff member but never the note. */
static void
test_dashboard_resolve (Fixture *f, gconstpointer user_data)
{
  GtkWidget *dashboard;
  GtkWidget *entry;
  SaphanKeyboard *keyboard;
  g_autoptr (GPtrArray) keyboards = NULL;
  g_autoptr (GPtrArray) audit = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSubmissionInfo) info = NULL;
  g_autoptr (SaphanSubmissionInfo) other = NULL;
  g_autofree char *expected_detail = NULL;
  const char *instance_id = g_ptr_array_index (f->attention, 0);
  const char *keys[] = { "ส", "ม", "ช", "า", "ย" };
  const char *note = "สมชาย";
  gint64 audit_seq = 0;
  guint n_resolved = 0;

  open_page (f, 800, 480);
  dashboard = GTK_WIDGET (sign_in (f, STAFF_PIN));
  g_assert_cmpint (saphan_staff_dashboard_get_count (SAPHAN_STAFF_DASHBOARD (dashboard),
                                                     SAPHAN_SUBMISSION_NEEDS_ATTENTION), ==, 2);
  g_assert_true (resolve_button_shown (dashboard, instance_id));
  g_assert_true (saphan_store_audit_head (f->store, &audit_seq, NULL, &error));
  g_assert_no_error (error);

  keyboards = ui_test_find_all_of_type (dashboard, SAPHAN_TYPE_KEYBOARD);
  g_assert_cmpuint (keyboards->len, ==, 1);
  keyboard = g_ptr_array_index (keyboards, 0);
  entry = find_named (dashboard, "note-entry");
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (keyboard)));

  /* The note box opens with the keyboard out, typing into the note. */
  g_assert_true (gtk_widget_activate_action (dashboard, "dash.resolve", "s", instance_id));
  g_assert_true (gtk_widget_is_visible (entry));
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (keyboard)));
  g_assert_true (saphan_keyboard_get_target (keyboard) == GTK_EDITABLE (entry));
  ui_test_wait_for_paint (GTK_WIDGET (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ui_test_wait_for_paint (GTK_WIDGET (f->window));
  save_screenshot (f, "dashboard-resolve");
  assert_layout (f, 800, 480);
  /* On the smallest screen the note's text line (its middle, where the
   * caret is) stays in view above the keyboard; the keyboard's edge may
   * cover the entry's bottom border. */
  {
    graphene_rect_t note_bounds, keyboard_bounds;

    g_assert_true (gtk_widget_compute_bounds (entry, GTK_WIDGET (f->window), &note_bounds));
    g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (keyboard), GTK_WIDGET (f->window),
                                              &keyboard_bounds));
    g_assert_cmpfloat (note_bounds.origin.y, >=, 0);
    g_assert_cmpfloat (note_bounds.origin.y + note_bounds.size.height / 2, <=,
                       keyboard_bounds.origin.y);
  }

  /* An empty note is refused and nothing is recorded. */
  g_assert_false (run_operation (f, "dash.resolve-save", NULL, "resolve"));
  info = saphan_store_get_submission (f->store, instance_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->resolved_at, ==, 0);
  g_clear_pointer (&info, saphan_submission_info_free);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.press", "s",
                                               keys[i]));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, note);

  g_hash_table_remove (f->finished, "refresh");
  g_assert_true (run_operation (f, "dash.resolve-save", NULL, "resolve"));
  info = saphan_store_get_submission (f->store, instance_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_NEEDS_ATTENTION);
  g_assert_cmpint (info->resolved_at, >, 0);
  g_assert_cmpstr (info->resolved_by, ==, "s01");
  g_assert_cmpstr (info->resolution_note, ==, note);
  g_assert_cmpstr (info->last_error, ==, ATTENTION_REASON);
  other = saphan_store_get_submission (f->store, g_ptr_array_index (f->attention, 1), &error);
  g_assert_cmpint (other->resolved_at, ==, 0);

  /* The box and the keyboard are put away. */
  g_assert_false (gtk_widget_is_visible (entry));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (keyboard)));

  {
    OpWait wait = { f, "refresh" };
    ui_test_wait_for (operation_finished, &wait, 30000, "the refresh after a resolution");
  }
  g_assert_cmpint (saphan_staff_dashboard_get_count (SAPHAN_STAFF_DASHBOARD (dashboard),
                                                     SAPHAN_SUBMISSION_NEEDS_ATTENTION), ==, 1);
  g_assert_false (resolve_button_shown (dashboard, instance_id));
  g_assert_true (resolve_button_shown (dashboard, g_ptr_array_index (f->attention, 1)));

  /* One audit entry for the resolution, without the note. */
  expected_detail = g_strdup_printf ("instance=%s staff=s01", instance_id);
  audit = saphan_store_audit_list (f->store, audit_seq + 1, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    {
      SaphanAuditEntry *entry_i = g_ptr_array_index (audit, i);

      g_assert_null (strstr (entry_i->detail, note));
      if (g_str_equal (entry_i->event, "resolved"))
        {
          g_assert_cmpstr (entry_i->detail, ==, expected_detail);
          n_resolved++;
        }
    }
  g_assert_cmpuint (n_resolved, ==, 1);

  /* A resolution is final: resolving or retrying it again is refused. */
  g_assert_true (gtk_widget_activate_action (dashboard, "dash.resolve", "s", instance_id));
  gtk_editable_set_text (GTK_EDITABLE (entry), "again");
  g_assert_false (run_operation (f, "dash.resolve-save", NULL, "resolve"));
  g_assert_true (gtk_widget_activate_action (dashboard, "dash.resolve-cancel", NULL));
  g_assert_false (run_operation (f, "dash.retry", g_variant_new_string (instance_id), "retry"));
  g_clear_pointer (&info, saphan_submission_info_free);
  info = saphan_store_get_submission (f->store, instance_id, &error);
  g_assert_cmpstr (info->resolution_note, ==, note);
}

static gboolean
verify_text (Fixture *f, const char *text)
{
  GtkWidget *entry = find_named (saphan_staff_page_get_dashboard (f->page), "verify-entry");
  OpWait wait = { f, "verify" };

  g_assert_nonnull (entry);
  g_hash_table_remove (f->finished, "verify");
  /* What a USB scanner does: type the text, then press Enter. */
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_signal_emit_by_name (entry, "activate");
  ui_test_wait_for (operation_finished, &wait, 30000, "a verification");
  return GPOINTER_TO_INT (g_hash_table_lookup (f->finished, "verify")) == 1;
}

/* A receipt this kiosk signed verifies; a changed one and one signed by
 * an unknown kiosk do not, each with its reason. */
static void
test_verify (Fixture *f, gconstpointer user_data)
{
  const char *valid = g_ptr_array_index (f->receipts, 0);
  g_autofree char *tampered = g_strdup (valid);
  g_autofree char *other_dir = g_build_filename (f->tmp_dir, "other", NULL);
  g_autoptr (SaphanKioskKey) other_key = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *number = saphan_receipt_number_new ();
  SaphanReceiptPayload payload = { 0 };
  gsize len = strlen (tampered);

  open_page (f, 1280, 800);
  sign_in (f, STAFF_PIN);

  /* Opening "Verify" puts the focus where the scanner types. */
  {
    GtkWidget *entry = find_named (saphan_staff_page_get_dashboard (f->page), "verify-entry");
    GtkWidget *focus;

    gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (entry, GTK_TYPE_STACK)),
                                      "verify");
    focus = gtk_root_get_focus (GTK_ROOT (f->window));
    g_assert_nonnull (focus);
    g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));
  }

  g_assert_true (verify_text (f, valid));
  g_assert_cmpstr (saphan_staff_dashboard_get_message (SAPHAN_STAFF_DASHBOARD (
                       saphan_staff_page_get_dashboard (f->page))),
                   ==, "The receipt is valid.");

  /* One Base45 symbol changed near the end, inside the signature. */
  tampered[len - 3] = tampered[len - 3] == 'A' ? 'B' : 'A';
  g_assert_false (verify_text (f, tampered));
  g_assert_true (g_str_has_prefix (saphan_staff_dashboard_get_message (SAPHAN_STAFF_DASHBOARD (
                                       saphan_staff_page_get_dashboard (f->page))),
                                   "Not valid: "));

  g_assert_cmpint (g_mkdir_with_parents (other_dir, 0700), ==, 0);
  other_key = saphan_kiosk_key_load_or_create (other_dir, &error);
  g_assert_no_error (error);
  payload.number = number;
  payload.kiosk_id = (char *)"forger";
  payload.form_id = (char *)"welfare";
  payload.form_version = (char *)"1";
  payload.instance_id = (char *)"uuid:00000000-0000-4000-8000-000000000001";
  payload.issued_at = f->now;
  foreign = saphan_receipt_payload_encode (&payload, other_key, &error);
  g_assert_no_error (error);
  g_assert_false (verify_text (f, foreign));
  g_assert_false (verify_text (f, "SP1:NOT-A-RECEIPT"));
  g_assert_false (verify_text (f, "hello"));
}

/* With "staff.idle-timeout" at one second, an untouched session ends by
 * itself and takes the dashboard with it. */
static gboolean
left (gpointer user_data)
{
  return ((Fixture *)user_data)->leaves > 0;
}

static void
test_idle (Fixture *f, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (saphan_store_set_setting (f->store, "staff.idle-timeout", "1", &error));
  g_assert_no_error (error);
  open_page (f, 1280, 800);
  sign_in (f, STAFF_PIN);
  g_assert_cmpuint (f->leaves, ==, 0);
  ui_test_wait_for (left, f, 5000, "the idle session to end");
  g_assert_cmpstr (saphan_staff_page_get_view (f->page), ==, "pin");
  g_assert_null (saphan_staff_page_get_dashboard (f->page));
}

/* "Leave staff mode" ends the session at once. */
static void
test_leave (Fixture *f, gconstpointer user_data)
{
  open_page (f, 1280, 800);
  sign_in (f, STAFF_PIN);
  g_assert_true (gtk_widget_activate_action (saphan_staff_page_get_dashboard (f->page),
                                             "staff.leave", NULL));
  g_assert_cmpuint (f->leaves, ==, 1);
  g_assert_null (saphan_staff_page_get_dashboard (f->page));
}

static GtkWidget *
find_button (GtkWidget *root, const char *action)
{
  g_autoptr (GPtrArray) buttons = ui_test_find_all_of_type (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (g_ptr_array_index (buttons, i)), action) == 0)
      return g_ptr_array_index (buttons, i);
  g_error ("No button for %s", action);
}

/* Staff can neither see nor run "Exit the kiosk"; maintainers can. */
static void
test_exit_maintainer_only (Fixture *f, gconstpointer user_data)
{
  GtkWidget *dashboard;

  open_page (f, 1280, 800);
  dashboard = GTK_WIDGET (sign_in (f, STAFF_PIN));
  g_assert_false (saphan_staff_dashboard_get_maintainer (SAPHAN_STAFF_DASHBOARD (dashboard)));
  g_assert_false (gtk_widget_get_sensitive (find_button (dashboard, "dash.exit-kiosk")));
  g_assert_false (gtk_widget_get_sensitive (find_button (dashboard, "dash.save-settings")));
  gtk_widget_activate_action (dashboard, "dash.exit-kiosk", NULL);
  gtk_widget_activate_action (dashboard, "dash.save-settings", NULL);
  g_assert_cmpuint (f->exits, ==, 0);
  g_assert_false (g_hash_table_contains (f->finished, "save-settings"));
  {
    GtkStack *sections = GTK_STACK (gtk_widget_get_ancestor (
        find_named (dashboard, "verify-entry"), GTK_TYPE_STACK));
    GtkWidget *maintenance = gtk_stack_get_child_by_name (sections, "maintenance");
    g_assert_false (gtk_stack_page_get_visible (gtk_stack_get_page (sections, maintenance)));
  }

  gtk_widget_activate_action (dashboard, "staff.leave", NULL);
  dashboard = GTK_WIDGET (sign_in (f, MAINTAINER_PIN));
  g_assert_true (saphan_staff_dashboard_get_maintainer (SAPHAN_STAFF_DASHBOARD (dashboard)));
  g_assert_true (gtk_widget_get_sensitive (find_button (dashboard, "dash.exit-kiosk")));
  g_assert_true (gtk_widget_activate_action (dashboard, "dash.exit-kiosk", NULL));
  g_assert_cmpuint (f->exits, ==, 1);
}

static void
assisted_cb (SaphanStaffDashboard *dashboard, const char *staff_id, guint *count)
{
  /* Assisted submissions carry the id of whoever signed in. */
  g_assert_cmpstr (staff_id, ==, "m01");
  (*count)++;
}

/* Every button a maintainer has, pressed; afterwards the only window is
 * the kiosk's: no file chooser, print dialog or browser was opened. */
static void
test_no_dialogs (Fixture *f, gconstpointer user_data)
{
  GtkWidget *dashboard;
  g_autofree char *stick = g_build_filename (f->tmp_dir, "stick", NULL);
  g_autofree char *bundle_dir = g_build_filename (stick, "saphan", NULL);
  g_autofree char *bundle = g_build_filename (bundle_dir, "update.saphan", NULL);
  const char *mounts[] = { stick, NULL };
  GListModel *toplevels; /* owned by GTK */
  guint assisted = 0;

  g_assert_cmpint (g_mkdir_with_parents (bundle_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (bundle, "not a bundle", -1, NULL));

  open_page (f, 1280, 800);
  dashboard = GTK_WIDGET (sign_in (f, MAINTAINER_PIN));
  g_signal_connect (dashboard, "assisted-mode", G_CALLBACK (assisted_cb), &assisted);
  saphan_staff_dashboard_set_extra_mounts (SAPHAN_STAFF_DASHBOARD (dashboard), mounts);

  g_assert_true (run_operation (f, "dash.refresh", NULL, "refresh"));
  for (guint s = 0; s < SAPHAN_SUBMISSION_N_STATES; s++)
    g_assert_true (gtk_widget_activate_action (dashboard, "dash.show-state", "s",
                                               saphan_submission_state_to_string (s)));
  /* No server configured: refused with a reason, nothing sent. */
  g_assert_false (run_operation (f, "dash.sync-now", NULL, "sync"));
  /* No printer configured. */
  g_assert_false (run_operation (f, "dash.test-print", NULL, "test-print"));
  g_assert_false (run_operation (f, "dash.reprint", NULL, "reprint"));
  {
    GtkWidget *entry = find_named (dashboard, "reprint-entry");
    g_autoptr (SaphanSubmissionInfo) info
        = saphan_store_get_submission (f->store, g_ptr_array_index (f->attention, 0), NULL);

    /* Typed on the receipt keypad, dashes left out as people do. */
    for (const char *p = info->receipt_number; *p != '\0'; p++)
      if (*p != '-')
        {
          char symbol[2] = { *p, '\0' };
          g_assert_true (gtk_widget_activate_action (dashboard, "dash.receipt-key", "s", symbol));
        }
    g_assert_cmpuint (strlen (gtk_editable_get_text (GTK_EDITABLE (entry))), ==,
                      strlen (info->receipt_number) - 2);
    /* Without a queue the receipt becomes a PDF in the data folder. */
    g_assert_true (run_operation (f, "dash.reprint", NULL, "reprint"));
  }
  g_assert_true (gtk_widget_activate_action (dashboard, "dash.resolve", "s",
                                             (const char *)g_ptr_array_index (f->attention, 1)));
  gtk_editable_set_text (GTK_EDITABLE (find_named (dashboard, "note-entry")),
                         "Called the district office");
  g_assert_true (run_operation (f, "dash.resolve-save", NULL, "resolve"));
  g_assert_true (gtk_widget_activate_action (dashboard, "dash.assisted", NULL));
  g_assert_cmpuint (assisted, ==, 1);
  g_assert_true (run_operation (f, "dash.usb-scan", NULL, "usb-scan"));
  g_assert_true (gtk_widget_activate_action (dashboard, "dash.usb-apply", "s", bundle));
  /* A file that is not a signed bundle is refused after confirmation. */
  g_assert_false (run_operation (f, "dash.usb-apply-confirm", NULL, "usb-apply"));
  g_assert_true (run_operation (f, "dash.usb-export", g_variant_new_string (stick), "usb-export"));
  g_assert_true (run_operation (f, "dash.save-settings", NULL, "save-settings"));

  toplevels = gtk_window_get_toplevels ();
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, 1);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      const char *type = G_OBJECT_TYPE_NAME (window);

      g_assert_true (window == G_OBJECT (f->window));
      g_assert_null (strstr (type, "Dialog"));
      g_assert_null (strstr (type, "FileChooser"));
      g_assert_null (strstr (type, "Print"));
    }
  /* The export really reached the stick. */
  {
    g_autoptr (GDir) dir = g_dir_open (stick, 0, NULL);
    const char *name;
    gboolean exported = FALSE;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (name, "saphan-export-"))
        exported = TRUE;
    g_assert_true (exported);
  }
}

/* The PIN pad and the dashboard at the two screen sizes the kiosk ships
 * with, checked for fit and saved for a person to look at. */
static void
test_screenshots (Fixture *f, gconstpointer user_data)
{
  static const int sizes[][2] = { { 800, 480 }, { 1280, 800 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      open_page (f, sizes[i][0], sizes[i][1]);
      gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.digit", "s", "4");
      gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.digit", "s", "2");
      ui_test_wait_for_paint (GTK_WIDGET (f->window));
      save_screenshot (f, "pin");
      assert_layout (f, sizes[i][0], sizes[i][1]);
      gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.erase", NULL);
      gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.erase", NULL);

      sign_in (f, MAINTAINER_PIN);
      ui_test_wait_for_paint (GTK_WIDGET (f->window));
      save_screenshot (f, "dashboard");
      assert_layout (f, sizes[i][0], sizes[i][1]);

      /* With the keyboard out, for typing a receipt number. */
      {
        GtkWidget *entry = find_named (saphan_staff_page_get_dashboard (f->page), "reprint-entry");

        gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (entry, GTK_TYPE_STACK)),
                                          "reprint");
        ui_test_wait_for_paint (GTK_WIDGET (f->window));
        save_screenshot (f, "dashboard-reprint");
        assert_layout (f, sizes[i][0], sizes[i][1]);

        /* Typing the kiosk's name: the keyboard takes the full width and
         * the header and sidebar step aside until "Done". */
        gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (entry, GTK_TYPE_STACK)),
                                          "maintenance");
        g_assert_true (gtk_widget_grab_focus (
            find_named (saphan_staff_page_get_dashboard (f->page), "kiosk-name-entry")));
        ui_test_wait_for_paint (GTK_WIDGET (f->window));
        while (g_main_context_iteration (NULL, FALSE))
          ;
        ui_test_wait_for_paint (GTK_WIDGET (f->window));
        save_screenshot (f, "dashboard-typing");
        assert_layout (f, sizes[i][0], sizes[i][1]);
      }

      g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *)&f->window);
      gtk_window_destroy (f->window);
      while (f->window != NULL)
        g_main_context_iteration (NULL, TRUE);
      g_hash_table_remove_all (f->finished);
    }
}

/* ---- The hidden corner in the real kiosk window --------------------------- */

static gboolean
page_is (gpointer user_data)
{
  SaphanWindow *window = ((gpointer *)user_data)[0];
  const char *name = ((gpointer *)user_data)[1];

  return g_strcmp0 (saphan_window_get_page_name (window), name) == 0;
}

static GtkGesture *
find_long_press (GtkWidget *widget)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_LONG_PRESS (controller))
        return GTK_GESTURE (controller);
    }
  return NULL;
}

static void
test_corner_gesture (Fixture *f, gconstpointer user_data)
{
  g_autoptr (SaphanApplication) app = saphan_application_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) corners = NULL;
  SaphanWindow *window;
  GtkWidget *corner;
  GtkGesture *gesture;
  graphene_rect_t bounds;
  gpointer wait_start[2], wait_staff[2];
  gint64 pressed_at, elapsed_ms;
  int long_press_ms = 0;

  /* A registered application keeps its bus connection until the process
   * ends, so the window runs in a child process of its own. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                              G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* The window's load opens DATA_DIR's store itself. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  saphan_application_set_data_dir (app, f->data_dir);
  saphan_application_set_kiosk (app, TRUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = saphan_window_new (app);
  f->window = GTK_WINDOW (window);
  gtk_window_present (f->window);
  wait_start[0] = wait_staff[0] = window;
  wait_start[1] = "start";
  wait_staff[1] = "staff";
  ui_test_wait_for (page_is, wait_start, 20000, "the start page");
  ui_test_wait_for_paint (GTK_WIDGET (window));

  corners = ui_test_find_all_of_type (GTK_WIDGET (window), SAPHAN_TYPE_STAFF_CORNER);
  g_assert_cmpuint (corners->len, ==, 1);
  corner = g_ptr_array_index (corners, 0);
  g_assert_true (gtk_widget_compute_bounds (corner, GTK_WIDGET (window), &bounds));
  g_assert_cmpfloat (bounds.origin.x, ==, 0);
  g_assert_cmpfloat (bounds.origin.y, ==, 0);
  g_assert_cmpfloat (bounds.size.width, >=, 64);
  g_assert_cmpfloat (bounds.size.height, >=, 64);

  gesture = find_long_press (corner);
  g_assert_nonnull (gesture);
  g_object_get (gtk_widget_get_settings (corner), "gtk-long-press-time", &long_press_ms, NULL);
  g_assert_cmpfloat (gtk_gesture_long_press_get_delay_factor (GTK_GESTURE_LONG_PRESS (gesture)),
                     >=, 1.0);

  /* A press let go before three seconds opens nothing. */
  g_signal_emit_by_name (gesture, "pressed", 10.0, 10.0);
  g_signal_emit_by_name (gesture, "cancel", NULL);
  {
    gint64 until = g_get_monotonic_time () + 3500 * 1000;
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE), g_usleep (10000);
  }
  g_assert_cmpstr (saphan_window_get_page_name (window), ==, "start");

  /* Held: the gesture's own delay plus the rest makes three seconds. */
  pressed_at = g_get_monotonic_time ();
  g_signal_emit_by_name (gesture, "pressed", 10.0, 10.0);
  ui_test_wait_for (page_is, wait_staff, 10000, "the PIN pad");
  elapsed_ms = (g_get_monotonic_time () - pressed_at) / 1000;
  g_assert_cmpint (elapsed_ms + long_press_ms * gtk_gesture_long_press_get_delay_factor (
                                                    GTK_GESTURE_LONG_PRESS (gesture)),
                   >=, SAPHAN_STAFF_CORNER_HOLD_MS - 50);
  {
    g_autoptr (GPtrArray) pages = ui_test_find_all_of_type (GTK_WIDGET (window),
                                                            SAPHAN_TYPE_STAFF_PAGE);
    g_assert_cmpuint (pages->len, ==, 1);
    f->page = g_ptr_array_index (pages, 0);
    g_assert_cmpstr (saphan_staff_page_get_view (f->page), ==, "pin");
  }

  /* Back to the services from the pad. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "staff.leave", NULL));
  g_assert_cmpstr (saphan_window_get_page_name (window), ==, "start");
}

int
main (int argc, char *argv[])
{
  g_autoptr (GTestDBus) bus = NULL;
  int status;

  /* Drawn with Cairo: Mesa's GL driver leaks under AddressSanitizer in a
   * way LeakSanitizer cannot attribute. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_unsetenv ("LANGUAGE");
  saphan_application_prepare_environment ();
  /* The kiosk window's GtkApplication needs a session bus of its own. */
  bus = ui_test_session_bus_up (argc, argv);
  gtk_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/staff/pin-pad", test_pin_pad);
  ADD ("/staff/wrong-pin", test_wrong_pin);
  ADD ("/staff/lockout", test_lockout);
  ADD ("/staff/dashboard-retry", test_dashboard_retry);
  ADD ("/staff/dashboard-resolve", test_dashboard_resolve);
  ADD ("/staff/verify", test_verify);
  ADD ("/staff/idle", test_idle);
  ADD ("/staff/leave", test_leave);
  ADD ("/staff/exit-maintainer-only", test_exit_maintainer_only);
  ADD ("/staff/no-dialogs", test_no_dialogs);
  ADD ("/staff/screenshots", test_screenshots);
  ADD ("/staff/corner-gesture", test_corner_gesture);
#undef ADD

  status = g_test_run ();
  if (bus != NULL)
    g_test_dbus_down (bus);
  return status;
}
