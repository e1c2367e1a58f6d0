/* test-form-flow.c: citizens filling the real service forms by touch.
 *
 * Each run in form-runs.txt opens a form from a real store in a temporary
 * folder, types on the on-screen keyboard through its actions, taps the
 * choice buttons and steppers as a finger would, and checks the stored
 * submission. After every step the screen must fit 800x480 with nothing
 * cut off, and every control must have an accessible name. The other tests
 * cover the idle guard, the wipe, listening and the long choice lists.
 */
#include <gtk/gtk.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "saphan-choice-list.h"
#include "saphan-date-picker.h"
#include "saphan-form-flow.h"
#include "saphan-keyboard.h"
#include "saphan-question-view.h"
#include "saphan-range-control.h"
#include "saphan-rank-list.h"
#include "saphan-speaker.h"
#include "saphan-text-area.h"

#define SMALL_WIDTH 800
#define SMALL_HEIGHT 480

typedef struct
{
  char           *dir;
  SaphanStore    *store;
  GtkWindow      *window;
  SaphanFormFlow *flow;
  char           *finished_receipt;
  guint           n_finished;
  guint           n_cancelled;
  guint           n_submitted;
  /* Figures for the report. */
  GArray         *transitions_ms;
} Fixture;

/* ---- Helpers ------------------------------------------------------------- */

static void
wait_until (gboolean (*ready) (Fixture *), Fixture *f, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (!ready (f) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!ready (f))
    g_error ("Timed out waiting for %s (page %s)", what,
             f->flow != NULL ? saphan_form_flow_get_page (f->flow) : "none");
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
flow_loaded (Fixture *f)
{
  return g_strcmp0 (saphan_form_flow_get_page (f->flow), "loading") != 0;
}

static gboolean
flow_not_submitting (Fixture *f)
{
  return g_strcmp0 (saphan_form_flow_get_page (f->flow), "submitting") != 0;
}

static GHashTable *
load_media (void)
{
  g_autofree char *dir_path = g_build_filename (SAPHAN_FORMS_DIR, "media", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  GHashTable *media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_bytes_unref);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *data = NULL;
      gsize len;

      if (g_str_has_suffix (name, ".md"))
        continue;
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_hash_table_insert (media, g_strdup (name), g_bytes_new_take (g_steal_pointer (&data), len));
    }
  return media;
}

static void
install_form (Fixture *f, const char *form)
{
  g_autofree char *file = g_strdup_printf ("%s.xml", form);
  g_autofree char *local = g_test_build_filename (G_TEST_DIST, "ui", "form", file, NULL);
  /* The test's own forms sit next to form-runs.txt; the services' forms
   * are the kiosk's. */
  g_autofree char *path = g_file_test (local, G_FILE_TEST_EXISTS)
                            ? g_strdup (local)
                            : g_strdup_printf ("%s/%s.xml", SAPHAN_FORMS_DIR, form);
  g_autofree char *data = NULL;
  g_autoptr (GBytes) xml = NULL;
  g_autoptr (GHashTable) media = load_media ();
  g_autoptr (GError) error = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  xml = g_bytes_new_take (g_steal_pointer (&data), len);
  if (!saphan_form_install (f->store, xml, media, NULL, &error))
    g_error ("Cannot install %s: %s", form, error->message);
}

static void
finished_cb (SaphanFormFlow *flow, const char *receipt, Fixture *f)
{
  f->n_finished++;
  g_free (f->finished_receipt);
  f->finished_receipt = g_strdup (receipt);
  /* What the kiosk window does: the flow leaves the screen. */
  gtk_window_set_child (f->window, NULL);
}

static void
submitted_cb (SaphanFormFlow *flow, const char *receipt, Fixture *f)
{
  g_assert_cmpstr (receipt, ==, saphan_form_flow_get_receipt_number (flow));
  g_assert_cmpstr (saphan_form_flow_get_page (flow), ==, "finish");
  f->n_submitted++;
}

static void
cancelled_cb (SaphanFormFlow *flow, Fixture *f)
{
  f->n_cancelled++;
  gtk_window_set_child (f->window, NULL);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("saphan-form-ui-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = saphan_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->transitions_ms = g_array_new (FALSE, FALSE, sizeof (double));
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, SMALL_WIDTH, SMALL_HEIGHT);
  gtk_window_set_resizable (f->window, TRUE);
  gtk_window_set_decorated (f->window, FALSE);
}

static void
open_flow (Fixture *f, const char *form, const char *language)
{
  install_form (f, form);
  f->flow = SAPHAN_FORM_FLOW (saphan_form_flow_new (f->store, form, language));
  g_object_add_weak_pointer (G_OBJECT (f->flow), (gpointer *) &f->flow);
  g_signal_connect (f->flow, "finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (f->flow, "cancelled", G_CALLBACK (cancelled_cb), f);
  g_signal_connect (f->flow, "submitted", G_CALLBACK (submitted_cb), f);
  gtk_window_set_child (f->window, GTK_WIDGET (f->flow));
  gtk_window_present (f->window);
  wait_until (flow_loaded, f, "the form to load");
  g_assert_cmpstr (saphan_form_flow_get_page (f->flow), ==, "question");
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
  gtk_window_destroy (f->window);
  drain ();
  g_assert_null (f->flow);
  g_assert_finalize_object (f->store);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->finished_receipt);
  g_array_unref (f->transitions_ms);
}

/* A tap on a button: what its click gesture emits. (gtk_widget_activate()
 * would animate a keyboard press and click a quarter second later.) */
static gboolean
tap (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  if (!gtk_widget_is_sensitive (button))
    return FALSE;
  g_signal_emit_by_name (button, "clicked");
  return TRUE;
}

static GtkWidget *
find_by_class (GtkWidget *root, const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The mapped button bound to ACTION with TARGET (any target when NULL). */
static GtkWidget *
find_by_action (GtkWidget *root, const char *action, const char *target)
{
  if (GTK_IS_ACTIONABLE (root) && gtk_widget_get_mapped (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    {
      GVariant *value = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (root));

      if (target == NULL
          || (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
              && g_str_equal (g_variant_get_string (value, NULL), target)))
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_action (child, action, target);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_by_action (GtkWidget *root, const char *action)
{
  guint n = 0;

  if (GTK_IS_ACTIONABLE (root) && gtk_widget_get_mapped (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_by_action (child, action);
  return n;
}

/* The texts of the mapped repeat rows' names, each without its "N. " and
 * joined with "|". */
static void
collect_repeat_names (GtkWidget *root, GString *out)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && gtk_widget_has_css_class (root, "repeat-name"))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (root));
      const char *dot = strstr (text, ". ");

      if (out->len > 0)
        g_string_append_c (out, '|');
      g_string_append (out, dot != NULL ? dot + 2 : text);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_repeat_names (child, out);
}

static SaphanQuestionView *
find_view (Fixture *f, const char *ref)
{
  g_autoptr (GPtrArray) views = saphan_form_flow_list_questions (f->flow);

  for (guint i = 0; i < views->len; i++)
    if (g_strcmp0 (saphan_question_view_get_ref (views->pdata[i]), ref) == 0)
      return views->pdata[i];
  return NULL;
}

static SaphanQuestionView *
need_view (Fixture *f, const char *ref)
{
  SaphanQuestionView *view = find_view (f, ref);

  if (view == NULL)
    {
      g_autoptr (GPtrArray) views = saphan_form_flow_list_questions (f->flow);
      g_autoptr (GString) shown = g_string_new (NULL);

      for (guint i = 0; i < views->len; i++)
        g_string_append_printf (shown, " %s", saphan_question_view_get_ref (views->pdata[i]));
      g_error ("%s is not on the screen (page %s, showing%s)", ref,
               saphan_form_flow_get_page (f->flow), shown->str);
    }
  return view;
}

static SaphanKeyboardMode
mode_from_name (const char *name)
{
  static const char *const names[] = { "text-th", "text-en", "integer", "decimal", "phone",
                                       "national-id" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i], name))
      return (SaphanKeyboardMode) i;
  g_error ("Unknown keyboard mode %s", name);
}

/* Taps the keys on the on-screen keyboard, which types into its target. */
static void
press_keys (Fixture *f, char **keys)
{
  GtkWidget *keyboard = saphan_form_flow_get_keyboard (f->flow);

  g_assert_true (gtk_widget_get_visible (keyboard));
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *key = keys[i];
      gboolean ok;

      if (g_str_equal (key, "<shift>"))
        ok = gtk_widget_activate_action (keyboard, "keyboard.shift", NULL);
      else if (g_str_equal (key, "<bksp>"))
        ok = gtk_widget_activate_action (keyboard, "keyboard.backspace", NULL);
      else if (g_str_equal (key, "<switch>"))
        ok = gtk_widget_activate_action (keyboard, "keyboard.switch-layout", NULL);
      else if (g_str_equal (key, "<done>"))
        ok = gtk_widget_activate_action (keyboard, "keyboard.done", NULL);
      else
        ok = gtk_widget_activate_action (keyboard, "keyboard.press", "s",
                                         g_str_equal (key, "<space>") ? " " : key);
      g_assert_true (ok);
    }
  drain ();
}

/* A key pressed on a hardware keyboard while the focus is inside WIDGET:
 * runs the first of its class's shortcuts bound to KEY, as GTK's shortcut
 * controller would. */
static gboolean
press_shortcut (GtkWidget *widget, guint key)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (w);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;
          for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
            {
              g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
              GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

              if (GTK_IS_KEYVAL_TRIGGER (trigger)
                  && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == key
                  && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == 0)
                return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, w,
                                                     gtk_shortcut_get_arguments (shortcut));
            }
        }
    }
  return FALSE;
}

static void
dump_sizes (GtkWidget *widget, int depth)
{
  int minw, minh;

  if (!gtk_widget_get_visible (widget))
    return;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minw, NULL, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, &minh, NULL, NULL, NULL);
  if (depth < 12)
    g_printerr ("%*s%s.%s min %dx%d\n", depth * 2, "", G_OBJECT_TYPE_NAME (widget),
                gtk_widget_get_css_name (widget), minw, minh);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    dump_sizes (child, depth + 1);
}

/* The widget lies inside the window, horizontally always and vertically
 * unless it scrolls. */
static void
check_fits (Fixture *f, GtkWidget *widget, gboolean in_scroller)
{
  graphene_rect_t bounds;
  int min, nat, width, height;

  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (GTK_IS_STACK (widget))
    {
      GtkWidget *page = gtk_stack_get_visible_child (GTK_STACK (widget));

      if (page != NULL)
        check_fits (f, page, in_scroller);
      return;
    }
  /* GTK's internal parts (scrollbar sliders, check marks) round their
   * sizes on their own. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkGizmo"))
    return;
  if (gtk_widget_get_width (widget) > 0 && gtk_widget_compute_bounds (widget, GTK_WIDGET (f->window), &bounds))
    {
      if (bounds.origin.x < -1 || bounds.origin.x + bounds.size.width > SMALL_WIDTH + 1
          || (!in_scroller && bounds.origin.y + bounds.size.height > SMALL_HEIGHT + 1))
        if (g_getenv ("SAPHAN_DUMP_SIZES") != NULL)
          dump_sizes (GTK_WIDGET (f->window), 0);
      if (bounds.origin.x < -1 || bounds.origin.x + bounds.size.width > SMALL_WIDTH + 1
          || (!in_scroller && bounds.origin.y + bounds.size.height > SMALL_HEIGHT + 1))
        g_error ("%s (%s) lies outside the %dx%d window: %g,%g %gx%g",
                 G_OBJECT_TYPE_NAME (widget), gtk_widget_get_css_name (widget),
                 SMALL_WIDTH, SMALL_HEIGHT, bounds.origin.x, bounds.origin.y,
                 bounds.size.width, bounds.size.height);
      /* The allocation and gtk_widget_measure() both count the CSS box
       * and margins, which gtk_widget_get_width() leaves out. */
      width = gtk_widget_get_allocated_width (widget);
      height = gtk_widget_get_allocated_height (widget);
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      if (width < min)
        g_error ("A %s is %d px wide, narrower than its minimum %d", G_OBJECT_TYPE_NAME (widget),
                 width, min);
      gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
      /* A viewport is meant to be smaller than what it scrolls. */
      if (height < min && !GTK_IS_VIEWPORT (widget) && !GTK_IS_SCROLLED_WINDOW (widget)
          && g_getenv ("SAPHAN_DUMP_SIZES") != NULL)
        dump_sizes (GTK_WIDGET (f->window), 0);
      if (height < min && !GTK_IS_VIEWPORT (widget) && !GTK_IS_SCROLLED_WINDOW (widget))
        g_error ("A %s is cut off: %d of %d px high", G_OBJECT_TYPE_NAME (widget), height, min);
      /* A label shorter than its natural height at its width lost text. */
      if (GTK_IS_LABEL (widget) && height < nat)
        g_error ("Label “%s” is cut off: %d of %d px", gtk_label_get_text (GTK_LABEL (widget)),
                 height, nat);
    }
  /* Inside, the keyboard is checked by its own tests. */
  if (SAPHAN_IS_KEYBOARD (widget))
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_fits (f, child, in_scroller || GTK_IS_SCROLLED_WINDOW (widget));
}

static gboolean
has_accessible_name (GtkWidget *widget)
{
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL)
      || gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                           GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (GTK_IS_BUTTON (widget))
    {
      const char *label = gtk_button_get_label (GTK_BUTTON (widget));
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));

      return (label != NULL && *label != '\0') || GTK_IS_LABEL (child);
    }
  return FALSE;
}

/* Every control on the screen a finger or a screen reader can reach has a
 * name and a touch target at least 64 px high. */
static void
check_controls (Fixture *f, GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (SAPHAN_IS_KEYBOARD (widget))
    return; /* checked by the keyboard's own tests */
  if (GTK_IS_BUTTON (widget) || GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget))
    {
      if (!has_accessible_name (widget))
        g_error ("A %s has no accessible name", G_OBJECT_TYPE_NAME (widget));
      if (gtk_widget_get_mapped (widget) && gtk_widget_get_allocated_height (widget) < 64)
        g_error ("A %s is only %d px high", G_OBJECT_TYPE_NAME (widget), gtk_widget_get_height (widget));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_controls (f, child);
}

static gboolean
window_is (Fixture *f, int width, int height)
{
  return f->flow != NULL && gtk_widget_get_width (GTK_WIDGET (f->flow)) == width
         && gtk_widget_get_height (GTK_WIDGET (f->flow)) == height;
}

static void
resize (Fixture *f, int width, int height)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  gtk_window_set_default_size (f->window, width, height);
  while (!window_is (f, width, height) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!window_is (f, width, height))
    g_error ("The window did not become %dx%d but %dx%d", width, height,
             gtk_widget_get_width (GTK_WIDGET (f->flow)), gtk_widget_get_height (GTK_WIDGET (f->flow)));
  drain ();
}

static void wait_for_frame (Fixture *f);

static void
save_screenshot (Fixture *f, const char *name)
{
  static const int sizes[][2] = { { 800, 480 }, { 1280, 800 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      GtkWidget *widget = GTK_WIDGET (f->flow);
      g_autoptr (GdkPaintable) paintable = NULL;
      g_autoptr (GskRenderNode) node = NULL;
      g_autoptr (GdkTexture) texture = NULL;
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;
      GtkSnapshot *snapshot;
      int width = sizes[s][0], height = sizes[s][1];

      resize (f, width, height);
      /* Let the layout that follows a resize (the header coming back, the
       * field scrolled into view) settle. */
      wait_for_frame (f);
      wait_for_frame (f);
      paintable = gtk_widget_paintable_new (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      g_assert_nonnull (node);
      texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (f->window)), node,
                                             &GRAPHENE_RECT_INIT (0, 0, width, height));
      file = g_strdup_printf ("form-%s-%dx%d.png", name, width, height);
      path = g_test_build_filename (G_TEST_BUILT, "ui", "form", file, NULL);
      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("Saved %s", path);
    }
  resize (f, SMALL_WIDTH, SMALL_HEIGHT);
}

static void
after_paint_cb (GdkFrameClock *clock, gboolean *painted)
{
  *painted = TRUE;
}

/* Iterates until the window has drawn a new frame: new widgets get their
 * sizes in the frame's layout phase. */
static void
wait_for_frame (Fixture *f)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  gboolean painted = FALSE;
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  gtk_widget_queue_draw (GTK_WIDGET (f->window));
  while (!painted && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
  drain ();
}

/* A long choice list adds its buttons below the first screenful a moment
 * after the first frame: let that happen before sizes are checked. */
static void
settle_choice_lists (Fixture *f)
{
  g_autoptr (GPtrArray) views = saphan_form_flow_list_questions (f->flow);
  gboolean any = FALSE;
  gint64 until;

  for (guint i = 0; i < views->len; i++)
    any |= SAPHAN_IS_CHOICE_LIST (saphan_question_view_get_input (views->pdata[i]));
  if (!any)
    return;
  until = g_get_monotonic_time () + 80 * 1000;
  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  wait_for_frame (f);
}

/* When a new screen leaves the focus on Next (a question that is not
 * typed), a screen reader announces Next: it must carry the question. */
static void
assert_focused_next_describes_question (Fixture *f, GPtrArray *views)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_autofree char *question = NULL;

  if (focus == NULL || views->len == 0 || !GTK_IS_BUTTON (focus))
    return;
  for (guint i = 0; i < views->len; i++)
    if (gtk_widget_is_ancestor (focus, views->pdata[i]))
      return; /* a choice or other control of the question itself */
  question = saphan_question_view_dup_label (views->pdata[0]);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (focus), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       question != NULL ? question : "");
}

/* Next, timed from the tap to the frame that shows the next screen. */
static void
tap_next (Fixture *f)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  gboolean painted = FALSE;
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + 5 * G_USEC_PER_SEC;
  double ms;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.next", NULL));
  while (!painted && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  g_signal_handler_disconnect (clock, id);
  if (painted && g_strcmp0 (saphan_form_flow_get_page (f->flow), "question") == 0)
    {
      g_autoptr (GPtrArray) views = saphan_form_flow_list_questions (f->flow);

      g_array_append_val (f->transitions_ms, ms);
      if (g_getenv ("SAPHAN_SHOW_TIMES") != NULL && views->len > 0)
        g_test_message ("%.1f ms to %s", ms, saphan_question_view_get_ref (views->pdata[0]));
      assert_focused_next_describes_question (f, views);
    }
  drain ();
}

static gboolean flow_gone (Fixture *f);

/* ---- The runs ------------------------------------------------------------ */

static void
run_step (Fixture *f, char **argv, guint line)
{
  const char *cmd = argv[0];
  guint argc = g_strv_length (argv);

  if (g_str_equal (cmd, "next"))
    tap_next (f);
  else if (g_str_equal (cmd, "back"))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.back", NULL));
  else if (g_str_equal (cmd, "type") && argc >= 3)
    {
      SaphanQuestionView *view = need_view (f, argv[1]);
      GtkWidget *entry = saphan_question_view_get_input (view);
      SaphanKeyboard *keyboard = SAPHAN_KEYBOARD (saphan_form_flow_get_keyboard (f->flow));

      /* An entry, or the text area of a multi-line answer. */
      g_assert_true (GTK_IS_EDITABLE (entry));
      /* A tap at the end of the field: focus, with the cursor there. */
      g_assert_true (gtk_widget_grab_focus (entry));
      gtk_editable_set_position (GTK_EDITABLE (entry), -1);
      drain ();
      g_assert_true (saphan_keyboard_get_target (keyboard) == GTK_EDITABLE (entry));
      g_assert_cmpint (saphan_keyboard_get_mode (keyboard), ==, mode_from_name (argv[2]));
      press_keys (f, argv + 3);
    }
  else if (g_str_equal (cmd, "search") && argc >= 2)
    {
      GtkWidget *list = saphan_question_view_get_input (need_view (f, argv[1]));
      GtkWidget *search = saphan_choice_list_get_search (SAPHAN_CHOICE_LIST (list));
      SaphanKeyboard *keyboard = SAPHAN_KEYBOARD (saphan_form_flow_get_keyboard (f->flow));

      g_assert_nonnull (search);
      g_assert_true (gtk_widget_grab_focus (search));
      drain ();
      g_assert_true (saphan_keyboard_get_target (keyboard) == GTK_EDITABLE (search));
      press_keys (f, argv + 2);
    }
  else if (g_str_equal (cmd, "choose") && argc == 3)
    {
      GtkWidget *list = saphan_question_view_get_input (need_view (f, argv[1]));
      GtkWidget *button = saphan_choice_list_get_button (SAPHAN_CHOICE_LIST (list), argv[2]);

      if (button == NULL)
        g_error ("line %u: no button for %s", line, argv[2]);
      g_assert_true (tap (button));
      g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
    }
  else if (g_str_equal (cmd, "step") && argc == 5)
    {
      GtkWidget *picker = saphan_question_view_get_input (need_view (f, argv[1]));
      int amount = atoi (argv[3]), times = atoi (argv[4]);

      g_assert_true (SAPHAN_IS_DATE_PICKER (picker));
      for (int i = 0; i < times; i++)
        g_assert_true (gtk_widget_activate_action (picker, "date.step", "(si)", argv[2], amount));
    }
  else if (g_str_equal (cmd, "range") && argc == 4)
    {
      GtkWidget *range = saphan_question_view_get_input (need_view (f, argv[1]));
      int amount = atoi (argv[2]), times = atoi (argv[3]);
      GtkWidget *button;

      g_assert_true (SAPHAN_IS_RANGE_CONTROL (range));
      button = saphan_range_control_get_step_button (SAPHAN_RANGE_CONTROL (range), amount > 0);
      for (int i = 0; i < times; i++)
        if (!tap (button))
          g_error ("line %u: the %s button is off", line, amount > 0 ? "+" : "−");
    }
  else if (g_str_equal (cmd, "slide") && argc == 3)
    {
      GtkWidget *range = saphan_question_view_get_input (need_view (f, argv[1]));
      GtkWidget *scale = saphan_range_control_get_scale (SAPHAN_RANGE_CONTROL (range));
      int steps = atoi (argv[2]);
      gboolean ret;

      /* What the slider's arrow keys emit. */
      g_assert_nonnull (scale);
      for (int i = 0; i < ABS (steps); i++)
        g_signal_emit_by_name (scale, "move-slider",
                               steps > 0 ? GTK_SCROLL_STEP_FORWARD : GTK_SCROLL_STEP_BACKWARD, &ret);
    }
  else if (g_str_equal (cmd, "range-key") && argc == 3)
    {
      GtkWidget *range = saphan_question_view_get_input (need_view (f, argv[1]));
      guint key = g_str_equal (argv[2], "up") ? GDK_KEY_Up : g_str_equal (argv[2], "down") ? GDK_KEY_Down
                  : g_str_equal (argv[2], "left") ? GDK_KEY_Left : GDK_KEY_Right;

      g_assert_true (SAPHAN_IS_RANGE_CONTROL (range));
      g_assert_true (press_shortcut (range, key));
    }
  else if (g_str_equal (cmd, "rank") && argc == 4)
    {
      GtkWidget *list = saphan_question_view_get_input (need_view (f, argv[1]));
      GtkWidget *button;

      g_assert_true (SAPHAN_IS_RANK_LIST (list));
      button = saphan_rank_list_get_button (SAPHAN_RANK_LIST (list), argv[2], g_str_equal (argv[3], "up"));
      if (button == NULL || !tap (button))
        g_error ("line %u: cannot move %s %s", line, argv[2], argv[3]);
    }
  else if (g_str_equal (cmd, "rank-keep") && argc == 2)
    {
      GtkWidget *list = saphan_question_view_get_input (need_view (f, argv[1]));

      g_assert_true (tap (saphan_rank_list_get_keep_button (SAPHAN_RANK_LIST (list))));
    }
  else if (g_str_equal (cmd, "expect-wrapped") && argc == 2)
    {
      GtkWidget *area = saphan_question_view_get_input (need_view (f, argv[1]));
      GtkTextView *view = GTK_TEXT_VIEW (saphan_text_area_get_view (SAPHAN_TEXT_AREA (area)));
      GtkTextIter end;
      GdkRectangle where;

      /* The last character sits below the first line: the text wrapped
       * instead of running off the right edge. */
      gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (view), &end);
      gtk_text_view_get_iter_location (view, &end, &where);
      if (where.y <= 0)
        g_error ("line %u: the text of %s is on one line (%d,%d in %d px): %s", line, argv[1],
                 where.x, where.y, gtk_widget_get_width (GTK_WIDGET (view)),
                 gtk_editable_get_text (GTK_EDITABLE (area)));
    }
  else if (g_str_equal (cmd, "expect-screen") && argc == 2)
    need_view (f, argv[1]);
  else if (g_str_equal (cmd, "expect-error") && argc >= 2)
    {
      SaphanQuestionView *view = need_view (f, argv[1]);
      const char *error = saphan_question_view_get_error (view);
      g_autofree char *text = argc > 2 ? g_strjoinv (" ", argv + 2) : NULL;
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));

      g_assert_cmpstr (saphan_form_flow_get_page (f->flow), ==, "question");
      if (error == NULL)
        g_error ("line %u: %s shows no error", line, argv[1]);
      if (text != NULL && strstr (error, text) == NULL)
        g_error ("line %u: error “%s” lacks “%s”", line, error, text);
      g_assert_nonnull (focus);
      g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (view)));
    }
  else if (g_str_equal (cmd, "expect-page") && argc == 2)
    {
      wait_until (flow_not_submitting, f, "the store");
      if (g_strcmp0 (saphan_form_flow_get_page (f->flow), argv[1]) != 0)
        {
          g_autoptr (GPtrArray) views = saphan_form_flow_list_questions (f->flow);
          g_autoptr (GString) shown = g_string_new (NULL);

          for (guint i = 0; i < views->len; i++)
            g_string_append_printf (shown, " %s (%s)", saphan_question_view_get_ref (views->pdata[i]),
                                    saphan_question_view_get_error (views->pdata[i]));
          g_error ("line %u: page %s, not %s; showing%s", line, saphan_form_flow_get_page (f->flow),
                   argv[1], shown->str);
        }
    }
  else if (g_str_equal (cmd, "expect-value") && argc >= 2)
    {
      g_autofree char *value = saphan_session_get_value (saphan_form_flow_get_session (f->flow), argv[1]);
      g_autofree char *expected = g_strjoinv (" ", argv + 2);

      /* Without a value: not answered. */
      g_assert_cmpstr (value != NULL ? value : "", ==, expected);
    }
  else if (g_str_equal (cmd, "expect-text") && argc >= 3)
    {
      g_autofree char *text = g_strjoinv (" ", argv + 2);

      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (saphan_question_view_get_input (
                           need_view (f, argv[1])))), ==, text);
    }
  else if (g_str_equal (cmd, "expect-label") && argc >= 3)
    {
      g_autofree char *label = saphan_question_view_dup_label (need_view (f, argv[1]));
      g_autofree char *text = g_strjoinv (" ", argv + 2);

      if (strstr (label, text) == NULL)
        g_error ("line %u: label “%s” lacks “%s”", line, label, text);
    }
  else if (g_str_equal (cmd, "expect-shown") && argc == 3)
    g_assert_cmpuint (saphan_choice_list_get_n_shown (SAPHAN_CHOICE_LIST (
                          saphan_question_view_get_input (need_view (f, argv[1])))),
                      ==, atoi (argv[2]));
  else if (g_str_equal (cmd, "language") && argc == 2)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.language", "s", argv[1]));
      g_assert_cmpstr (saphan_form_flow_get_language (f->flow), ==, argv[1]);
    }
  else if (g_str_equal (cmd, "change") && argc == 2)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.change", "s", argv[1]));
      need_view (f, argv[1]);
    }
  else if (g_str_equal (cmd, "repeat-add") && argc == 2)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.repeat-add", "s", argv[1]));
  else if (g_str_equal (cmd, "repeat-remove") && argc == 2)
    {
      GtkWidget *button = find_by_action (GTK_WIDGET (f->flow), "flow.repeat-remove", argv[1]);

      if (button == NULL)
        g_error ("line %u: no Remove button for %s", line, argv[1]);
      g_assert_true (tap (button));
    }
  else if (g_str_equal (cmd, "expect-repeat") && (argc == 3 || argc == 4))
    {
      guint count = saphan_session_repeat_count (saphan_form_flow_get_session (f->flow), argv[1]);
      guint removes = count_by_action (GTK_WIDGET (f->flow), "flow.repeat-remove");

      /* The count screen: one Remove per instance, and Add. */
      g_assert_cmpuint (count, ==, atoi (argv[2]));
      g_assert_cmpuint (removes, ==, count);
      g_assert_nonnull (find_by_action (GTK_WIDGET (f->flow), "flow.repeat-add", argv[1]));
      /* The names the rows show, "1. NAME", in order. */
      if (argc == 4)
        {
          g_autoptr (GString) shown = g_string_new (NULL);

          collect_repeat_names (GTK_WIDGET (f->flow), shown);
          g_assert_cmpstr (shown->str, ==, argv[3]);
        }
    }
  else if (g_str_equal (cmd, "consent"))
    {
      GtkWidget *toggle = find_by_class (GTK_WIDGET (f->flow), "consent-toggle");

      g_assert_true (tap (toggle));
    }
  else if (g_str_equal (cmd, "large-text") && argc == 2)
    {
      gboolean on = g_str_equal (argv[1], "on");

      if (saphan_form_flow_get_large_text (f->flow) != on)
        g_assert_true (tap (find_by_action (GTK_WIDGET (f->flow), "flow.large-text", NULL)));
      g_assert_cmpint (saphan_form_flow_get_large_text (f->flow), ==, on);
      g_assert_cmpint (gtk_widget_has_css_class (GTK_WIDGET (f->flow), "large-text"), ==, on);
    }
  else if (g_str_equal (cmd, "screenshot") && argc == 2)
    save_screenshot (f, argv[1]);
  else if (g_str_equal (cmd, "stored") && argc >= 2)
    {
      g_autoptr (GPtrArray) rows = saphan_store_list_submissions (f->store, -1, 10, NULL);
      g_autofree char *text = g_strjoinv (" ", argv + 1);
      SaphanSubmissionInfo *info;
      g_autoptr (GBytes) payload = NULL;
      g_autofree char *xml = NULL;
      g_autoptr (SaphanReceiptInfo) receipt = NULL;

      g_assert_nonnull (rows);
      g_assert_cmpuint (rows->len, ==, 1);
      info = rows->pdata[0];
      g_assert_cmpint (info->state, ==, SAPHAN_SUBMISSION_QUEUED);
      g_assert_cmpstr (info->receipt_number, ==, saphan_form_flow_get_receipt_number (f->flow));
      receipt = saphan_store_get_receipt (f->store, info->receipt_number, NULL);
      g_assert_nonnull (receipt);
      g_assert_cmpstr (receipt->instance_id, ==, info->instance_id);
      payload = saphan_store_get_payload (f->store, info->instance_id, NULL);
      g_assert_nonnull (payload);
      xml = g_strndup (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
      if (strstr (xml, text) == NULL)
        g_error ("line %u: the stored submission lacks %s", line, text);
    }
  else if (g_str_equal (cmd, "done"))
    {
      g_autofree char *receipt = g_strdup (saphan_form_flow_get_receipt_number (f->flow));

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.done", NULL));
      drain ();
      g_assert_cmpuint (f->n_finished, ==, 1);
      g_assert_cmpuint (f->n_submitted, ==, 1);
      g_assert_cmpstr (f->finished_receipt, ==, receipt);
      /* A queued scroll of the last field may hold the flow a moment. */
      wait_until (flow_gone, f, "the flow to go");
    }
  else
    g_error ("form-runs.txt:%u: cannot read “%s”", line, cmd);
  drain ();

  if (f->flow != NULL && !g_str_equal (cmd, "screenshot"))
    {
      settle_choice_lists (f);
      wait_for_frame (f);
      check_fits (f, GTK_WIDGET (f->flow), FALSE);
      check_controls (f, GTK_WIDGET (f->flow));
    }
}

typedef struct
{
  char   *name;
  char   *form;
  char   *language;
  GPtrArray *lines;   /* of GStrv */
  GArray *numbers;    /* line numbers */
} Run;

static void
run_free (Run *run)
{
  g_free (run->name);
  g_free (run->form);
  g_free (run->language);
  g_ptr_array_unref (run->lines);
  g_array_unref (run->numbers);
  g_free (run);
}

static GPtrArray *
read_runs (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "ui", "form", "form-runs.txt", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  Run *run = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    g_error ("Cannot read %s", path);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) argv = NULL;
      guint number = i + 1;

      g_strstrip (lines[i]);
      if (*lines[i] == '\0' || *lines[i] == '#')
        continue;
      argv = g_strsplit (lines[i], " ", -1);
      if (g_str_equal (argv[0], "run"))
        {
          g_assert_cmpuint (g_strv_length (argv), ==, 4);
          run = g_new0 (Run, 1);
          run->name = g_strdup (argv[1]);
          run->form = g_strdup (argv[2]);
          run->language = g_strdup (argv[3]);
          run->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
          run->numbers = g_array_new (FALSE, FALSE, sizeof (guint));
        }
      else if (g_str_equal (argv[0], "end"))
        {
          g_assert_nonnull (run);
          g_ptr_array_add (runs, g_steal_pointer (&run));
        }
      else
        {
          g_assert_nonnull (run);
          g_ptr_array_add (run->lines, g_steal_pointer (&argv));
          g_array_append_val (run->numbers, number);
        }
    }
  g_assert_null (run);
  return runs;
}

static void
test_run (Fixture *f, gconstpointer data)
{
  const Run *run = data;
  double total = 0, worst = 0;

  open_flow (f, run->form, run->language);
  check_fits (f, GTK_WIDGET (f->flow), FALSE);
  for (guint i = 0; i < run->lines->len; i++)
    run_step (f, run->lines->pdata[i], g_array_index (run->numbers, guint, i));

  for (guint i = 0; i < f->transitions_ms->len; i++)
    {
      double ms = g_array_index (f->transitions_ms, double, i);

      total += ms;
      worst = MAX (worst, ms);
    }
  if (f->transitions_ms->len > 0)
    g_test_message ("%s: Next to the next question's frame: mean %.1f ms, worst %.1f ms over %u",
                    run->name, total / f->transitions_ms->len, worst, f->transitions_ms->len);
}

/* ---- Idle guard and wipe ------------------------------------------------- */

static gboolean
warning_shown (Fixture *f)
{
  return f->flow != NULL && saphan_form_flow_get_idle_warning_shown (f->flow);
}

static gboolean
flow_gone (Fixture *f)
{
  return f->flow == NULL;
}

static void
type_first_name (Fixture *f)
{
  char *name[] = { "ส", "ม", "ช", "า", "ย", NULL };
  char *id[] = { "1", "1", "0", "1", "7", "0", "0", "2", "0", "3", "4", "5", "0", NULL };
  SaphanQuestionView *view;

  tap_next (f);
  view = need_view (f, "/elderly_allowance/applicant/first_name");
  gtk_widget_grab_focus (saphan_question_view_get_input (view));
  drain ();
  press_keys (f, name);
  tap (saphan_choice_list_get_button (
      SAPHAN_CHOICE_LIST (saphan_question_view_get_input (need_view (f, "/elderly_allowance/applicant/title"))),
      "mrs"));
  view = need_view (f, "/elderly_allowance/applicant/last_name");
  gtk_widget_grab_focus (saphan_question_view_get_input (view));
  drain ();
  press_keys (f, name);
  tap_next (f);
  view = need_view (f, "/elderly_allowance/national_id");
  gtk_widget_grab_focus (saphan_question_view_get_input (view));
  drain ();
  press_keys (f, id);
}

static void
test_idle_continue (Fixture *f, gconstpointer data)
{
  g_autofree char *value = NULL;
  gint64 start;

  open_flow (f, "elderly_allowance", "th");
  type_first_name (f);
  saphan_form_flow_set_idle_timing_ms (f->flow, 150, 5000);
  start = g_get_monotonic_time ();
  wait_until (warning_shown, f, "the idle warning");
  g_test_message ("Idle warning after %.0f ms of a 150 ms timeout",
                  (g_get_monotonic_time () - start) / 1000.0);
  save_screenshot (f, "idle-warning");
  g_assert_true (warning_shown (f));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.continue", NULL));
  g_assert_false (saphan_form_flow_get_idle_warning_shown (f->flow));
  value = saphan_session_get_value (saphan_form_flow_get_session (f->flow),
                                    "/elderly_allowance/national_id");
  g_assert_cmpstr (value, ==, "1101700203450");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (saphan_question_view_get_input (
                       need_view (f, "/elderly_allowance/national_id")))), ==, "1101700203450");
  g_assert_cmpuint (f->n_cancelled, ==, 0);
  saphan_form_flow_set_idle_timing_ms (f->flow, 60000, 30000);
}

static void
check_no_text (GtkWidget *widget, const char *const *secrets)
{
  const char *text = NULL;

  if (GTK_IS_EDITABLE (widget))
    text = gtk_editable_get_text (GTK_EDITABLE (widget));
  else if (GTK_IS_LABEL (widget))
    text = gtk_label_get_text (GTK_LABEL (widget));
  for (guint i = 0; text != NULL && secrets[i] != NULL; i++)
    if (strstr (text, secrets[i]) != NULL)
      g_error ("A %s still shows an answer after the wipe", G_OBJECT_TYPE_NAME (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_no_text (child, secrets);
}

static void
test_idle_wipe (Fixture *f, gconstpointer data)
{
  const char *const secrets[] = { "สมชาย", "1101700203450", NULL };
  GdkClipboard *clipboard;
  g_autoptr (GtkWidget) entry = NULL;
  SaphanSession *session;

  open_flow (f, "elderly_allowance", "th");
  type_first_name (f);

  /* Hold on to a field and the session to look at them after the wipe. */
  entry = g_object_ref (saphan_question_view_get_input (need_view (f, "/elderly_allowance/national_id")));
  session = g_object_ref (saphan_form_flow_get_session (f->flow));
  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->flow));
  gdk_clipboard_set_text (clipboard, "1101700203450");
  g_assert_nonnull (gdk_clipboard_get_content (clipboard));

  saphan_form_flow_set_idle_timing_ms (f->flow, 100, 300);
  wait_until (flow_gone, f, "the idle wipe");
  g_assert_cmpuint (f->n_cancelled, ==, 1);
  g_assert_cmpuint (f->n_finished, ==, 0);

  g_assert_null (gdk_clipboard_get_content (clipboard));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  check_no_text (entry, secrets);
  check_no_text (GTK_WIDGET (f->window), secrets);
  g_assert_null (gtk_window_get_child (f->window));
  g_assert_cmpuint (saphan_session_repeat_count (session, "/elderly_allowance"), <=, 1);
  {
    g_autofree char *value = saphan_session_get_value (session, "/elderly_allowance/national_id");

    g_assert_true (value == NULL || *value == '\0');
  }
  g_clear_object (&entry);
  g_assert_finalize_object (session);
  /* Nothing of the session reached the disk. */
  {
    g_autoptr (GPtrArray) rows = saphan_store_list_submissions (f->store, -1, 10, NULL);

    g_assert_cmpuint (rows->len, ==, 0);
  }
}

/* ---- Listening ------------------------------------------------------------ */

static void
test_speaker (Fixture *f, gconstpointer data)
{
  SaphanSpeaker *speaker;
  SaphanQuestionView *view;
  GtkWidget *button;

  open_flow (f, "elderly_allowance", "th");
  speaker = SAPHAN_SPEAKER (saphan_form_flow_get_speaker (f->flow));
  view = need_view (f, "/elderly_allowance/intro");
  button = saphan_question_view_get_speaker_button (view);
  g_assert_true (has_accessible_name (button));

  {
    g_autofree char *espeak = g_find_program_in_path ("espeak-ng");

    if (espeak == NULL)
      {
        g_test_skip ("espeak-ng is not installed");
        return;
      }
  }
  /* Checked at once: without a sound card the player may end quickly. */
  g_assert_true (tap (button));
  g_assert_true (saphan_speaker_get_playing (speaker));
  g_test_message ("The intro plays with %s", saphan_speaker_get_program (speaker));
  g_assert_cmpstr (saphan_speaker_get_key (speaker), ==, "/elderly_allowance/intro");
  {
    g_autofree char *player = NULL;

    /* The form has a recording of the intro: a WAV player plays it, and
     * only without one does espeak-ng read the text. */
    for (guint i = 0; player == NULL && i < 3; i++)
      player = g_find_program_in_path ((const char *[]) { "pw-play", "paplay", "aplay" }[i]);
    if (player == NULL)
      g_assert_cmpstr (saphan_speaker_get_program (speaker), ==, "espeak-ng");
    else
      g_assert_cmpstr (saphan_speaker_get_program (speaker), !=, "espeak-ng");
  }

  /* A second tap stops it at once (unless it has finished already). */
  if (saphan_speaker_get_playing (speaker))
    {
      g_assert_true (tap (button));
      g_assert_false (saphan_speaker_get_playing (speaker));
    }

  /* Leaving the screen stops it too. */
  g_assert_true (tap (button));
  g_assert_true (saphan_speaker_get_playing (speaker));
  tap_next (f);
  g_assert_false (saphan_speaker_get_playing (speaker));
}

/* ---- A full disk ---------------------------------------------------------- */

/* A VFS that passes everything to the real one but refuses writes with
 * SQLITE_FULL while DISK_FULL is set, as a full SD card would. */
static sqlite3_vfs full_vfs;
static sqlite3_vfs *real_vfs;
/* The real VFS gives different files different methods (the WAL's are not
 * the database's): each gets a copy whose xWrite can refuse. */
static struct
{
  const sqlite3_io_methods *real;
  sqlite3_io_methods        full;
} io_table[8];
static gboolean disk_full;
static guint n_refused;

static const sqlite3_io_methods *
real_methods_of (sqlite3_file *file)
{
  for (guint i = 0; i < G_N_ELEMENTS (io_table); i++)
    if (file->pMethods == &io_table[i].full)
      return io_table[i].real;
  g_assert_not_reached ();
}

static int
full_write (sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset)
{
  if (disk_full)
    {
      n_refused++;
      return SQLITE_FULL;
    }
  return real_methods_of (file)->xWrite (file, data, amount, offset);
}

static int
full_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  int rc = real_vfs->xOpen (real_vfs, name, file, flags, out_flags);

  if (rc != SQLITE_OK || file->pMethods == NULL)
    return rc;
  for (guint i = 0; i < G_N_ELEMENTS (io_table); i++)
    {
      if (io_table[i].real == NULL)
        {
          io_table[i].real = file->pMethods;
          io_table[i].full = *file->pMethods;
          io_table[i].full.xWrite = full_write;
        }
      if (io_table[i].real == file->pMethods)
        {
          file->pMethods = &io_table[i].full;
          return rc;
        }
    }
  g_assert_not_reached ();
}

static void
install_full_vfs (void)
{
  if (real_vfs != NULL)
    return;
  real_vfs = sqlite3_vfs_find (NULL);
  full_vfs = *real_vfs;
  full_vfs.zName = "saphan-test-full";
  full_vfs.xOpen = full_open;
  g_assert_cmpint (sqlite3_vfs_register (&full_vfs, 1), ==, SQLITE_OK);
}

static const char feedback_form[] =
  "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\""
  " xmlns:jr=\"http://openrosa.org/javarosa\"><h:head><h:title>Feedback</h:title><model>"
  "<instance><feedback id=\"feedback\" version=\"1\"><comment/><meta><instanceID/></meta>"
  "</feedback></instance>"
  "<bind nodeset=\"/feedback/comment\" type=\"string\" required=\"true()\"/>"
  "<bind nodeset=\"/feedback/meta/instanceID\" type=\"string\" readonly=\"true()\""
  " jr:preload=\"uid\"/></model></h:head>"
  "<h:body><input ref=\"/feedback/comment\"><label>Comment</label></input></h:body></h:html>";

static gboolean
page_is_error (Fixture *f)
{
  return g_strcmp0 (saphan_form_flow_get_page (f->flow), "error") == 0;
}

static gboolean
page_is_finish (Fixture *f)
{
  return g_strcmp0 (saphan_form_flow_get_page (f->flow), "finish") == 0;
}

static void
test_disk_full (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) xml = g_bytes_new_static (feedback_form, strlen (feedback_form));
  g_autoptr (GError) error = NULL;
  char *keys[] = { "ด", "ี", NULL };
  g_autofree char *value = NULL;
  SaphanQuestionView *view;

  g_assert_true (saphan_form_install (f->store, xml, NULL, NULL, &error));
  g_assert_no_error (error);
  f->flow = SAPHAN_FORM_FLOW (saphan_form_flow_new (f->store, "feedback", "th"));
  g_object_add_weak_pointer (G_OBJECT (f->flow), (gpointer *) &f->flow);
  g_signal_connect (f->flow, "finished", G_CALLBACK (finished_cb), f);
  gtk_window_set_child (f->window, GTK_WIDGET (f->flow));
  gtk_window_present (f->window);
  wait_until (flow_loaded, f, "the form to load");

  view = need_view (f, "/feedback/comment");
  gtk_widget_grab_focus (saphan_question_view_get_input (view));
  drain ();
  press_keys (f, keys);
  tap_next (f);
  if (saphan_question_view_get_error (view) != NULL)
    g_error ("Refused: %s; text %zu bytes; value %s", saphan_question_view_get_error (view),
             strlen (gtk_editable_get_text (GTK_EDITABLE (saphan_question_view_get_input (view)))),
             saphan_session_get_value (saphan_form_flow_get_session (f->flow), "/feedback/comment"));
  g_assert_cmpstr (saphan_form_flow_get_page (f->flow), ==, "review");
  tap_next (f);
  /* No consent question in this form: the kiosk's default statement. */
  g_assert_cmpstr (saphan_form_flow_get_page (f->flow), ==, "consent");
  g_assert_true (tap (find_by_class (GTK_WIDGET (f->flow), "consent-toggle")));

  disk_full = TRUE;
  tap_next (f);
  wait_until (page_is_error, f, "the store's refusal");
  g_assert_cmpuint (n_refused, >, 0);
  save_screenshot (f, "disk-full");
  value = saphan_session_get_value (saphan_form_flow_get_session (f->flow), "/feedback/comment");
  g_assert_cmpstr (value, ==, "ดี");
  {
    g_autoptr (GPtrArray) rows = saphan_store_list_submissions (f->store, -1, 10, NULL);

    g_assert_cmpuint (rows->len, ==, 0);
  }

  /* Staff frees some space; the citizen taps Try again. */
  disk_full = FALSE;
  g_assert_true (tap (find_by_action (GTK_WIDGET (f->flow), "flow.retry", NULL)));
  wait_until (page_is_finish, f, "the retry");
  {
    g_autoptr (GPtrArray) rows = saphan_store_list_submissions (f->store, -1, 10, NULL);
    SaphanSubmissionInfo *info;

    g_assert_cmpuint (rows->len, ==, 1);
    info = rows->pdata[0];
    g_assert_cmpstr (info->receipt_number, ==, saphan_form_flow_get_receipt_number (f->flow));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->flow), "flow.done", NULL));
  wait_until (flow_gone, f, "the flow to go");
}

/* ---- A long form ----------------------------------------------------------- */

/* The benchmark: Next to the next question's frame on a form of 200
 * questions, where every screen change recomputes relevance for all. */
static void
test_long_form (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) xml = g_string_new (NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  double total = 0, worst = 0;
  guint n = 200, steps = 60;

  g_string_append (xml, "<h:html xmlns=\"http://www.w3.org/2002/xforms\""
                        " xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:head><h:title>Long</h:title>"
                        "<model><instance><long id=\"long\" version=\"1\">");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (xml, "<q%u/>", i);
  g_string_append (xml, "</long></instance>");
  /* Every other question depends on the one before, as real forms do. */
  for (guint i = 1; i < n; i += 2)
    g_string_append_printf (xml, "<bind nodeset=\"/long/q%u\" type=\"string\""
                                 " relevant=\"../q%u != 'skip'\"/>", i, i - 1);
  g_string_append (xml, "</model></h:head><h:body>");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (xml, "<select1 ref=\"/long/q%u\"><label>Question %u</label>"
                                 "<item><label>Yes</label><value>yes</value></item>"
                                 "<item><label>No</label><value>no</value></item></select1>",
                            i, i + 1);
  g_string_append (xml, "</h:body></h:html>");
  bytes = g_bytes_new (xml->str, xml->len);
  g_assert_true (saphan_form_install (f->store, bytes, NULL, NULL, &error));
  g_assert_no_error (error);

  f->flow = SAPHAN_FORM_FLOW (saphan_form_flow_new (f->store, "long", "en"));
  g_object_add_weak_pointer (G_OBJECT (f->flow), (gpointer *) &f->flow);
  gtk_window_set_child (f->window, GTK_WIDGET (f->flow));
  gtk_window_present (f->window);
  wait_until (flow_loaded, f, "the form to load");

  for (guint i = 0; i < steps; i++)
    {
      g_autoptr (GPtrArray) views = saphan_form_flow_list_questions (f->flow);
      GtkWidget *list = saphan_question_view_get_input (views->pdata[0]);
      guint index, count;

      g_assert_true (tap (saphan_choice_list_get_button (SAPHAN_CHOICE_LIST (list), "yes")));
      tap_next (f);
      saphan_form_flow_get_progress (f->flow, &index, &count);
      g_assert_cmpuint (index, ==, i + 2);
      g_assert_cmpuint (count, ==, n);
    }
  for (guint i = 0; i < f->transitions_ms->len; i++)
    {
      double ms = g_array_index (f->transitions_ms, double, i);

      total += ms;
      worst = MAX (worst, ms);
    }
  g_assert_cmpuint (f->transitions_ms->len, ==, steps);
  g_test_message ("%u-question form: Next to the next question's frame: mean %.1f ms, "
                  "worst %.1f ms over %u", n, total / steps, worst, steps);
  gtk_window_set_child (f->window, NULL);
}

/* ---- Long choice lists ---------------------------------------------------- */

static void
free_choice (gpointer data)
{
  saphan_choice_free (data);
}

static void
test_long_list (void)
{
  g_autofree char *path = g_build_filename (SAPHAN_FORMS_DIR, "media", "subdistricts.csv", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) choices = g_ptr_array_new_with_free_func (free_choice);
  GtkWidget *list = g_object_ref_sink (saphan_choice_list_new (FALSE));
  GtkWidget *search;
  const char *typed[] = { "แ", "แม", "แม่", "แม่แ", "แม่แด", "แม่แดด" };
  gint64 start;
  double worst = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ",", 4);
      SaphanChoice *choice;

      if (g_strv_length (fields) < 2)
        continue;
      choice = g_new0 (SaphanChoice, 1);
      choice->value = g_strdup (fields[0]);
      choice->label = g_strdup (fields[1]);
      g_ptr_array_add (choices, choice);
    }
  g_assert_cmpuint (choices->len, >, 7000);

  start = g_get_monotonic_time ();
  saphan_choice_list_set_choices (SAPHAN_CHOICE_LIST (list), choices);
  g_test_message ("%u subdistricts loaded into a list in %.1f ms", choices->len,
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (saphan_choice_list_get_n_shown (SAPHAN_CHOICE_LIST (list)), ==,
                    SAPHAN_CHOICE_LIST_MAX_SHOWN);
  search = saphan_choice_list_get_search (SAPHAN_CHOICE_LIST (list));
  g_assert_nonnull (search);

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      double ms;

      start = g_get_monotonic_time ();
      gtk_editable_set_text (GTK_EDITABLE (search), typed[i]);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      worst = MAX (worst, ms);
    }
  g_test_message ("Filtering %u subdistricts per keystroke: worst %.1f ms", choices->len, worst);
  /* Every shown button matches; "แม่แดด" exists in several districts. */
  g_assert_cmpuint (saphan_choice_list_get_n_shown (SAPHAN_CHOICE_LIST (list)), >=, 1);
  g_assert_nonnull (saphan_choice_list_get_button (SAPHAN_CHOICE_LIST (list), "p14d01s03"));
  g_assert_null (saphan_choice_list_get_button (SAPHAN_CHOICE_LIST (list), "p01d01s01"));

  /* The answer stays visible whatever is typed. */
  saphan_choice_list_set_value (SAPHAN_CHOICE_LIST (list), "p01d01s01");
  g_assert_nonnull (saphan_choice_list_get_button (SAPHAN_CHOICE_LIST (list), "p01d01s01"));
  g_assert_cmpfloat (worst, <, 200);
  g_assert_finalize_object (list);
}

/* ---- Dates ---------------------------------------------------------------- */

static void
test_date_format (void)
{
  g_autofree char *th = saphan_date_picker_format ("1966-06-15", "th");
  g_autofree char *en = saphan_date_picker_format ("1966-06-15", "en");
  GtkWidget *picker = g_object_ref_sink (saphan_date_picker_new ());
  g_autofree char *value = NULL;

  g_assert_cmpstr (th, ==, "15 มิถุนายน พ.ศ. 2509");
  g_assert_cmpstr (en, ==, "15 June 1966");

  g_assert_null (saphan_date_picker_get_value (SAPHAN_DATE_PICKER (picker)));
  saphan_date_picker_set_value (SAPHAN_DATE_PICKER (picker), "2024-02-29");
  g_assert_true (gtk_widget_activate_action (picker, "date.step", "(si)", "year", 1));
  value = saphan_date_picker_get_value (SAPHAN_DATE_PICKER (picker));
  /* No 29 February in 2025: the day follows the month's length. */
  g_assert_cmpstr (value, ==, "2025-02-28");
  g_assert_finalize_object (picker);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) runs = NULL;

  /* The software renderer draws the same pixels everywhere; GL stays off,
   * as in the keyboard's tests, so the sanitizer sees no Mesa allocation. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  install_full_vfs ();

  runs = read_runs ();
  for (guint i = 0; i < runs->len; i++)
    {
      Run *run = runs->pdata[i];
      g_autofree char *name = g_strdup_printf ("/form-ui/run/%s", run->name);

      g_test_add (name, Fixture, run, fixture_setup, test_run, fixture_teardown);
    }
  g_test_add ("/form-ui/idle/continue-keeps-answers", Fixture, NULL, fixture_setup,
              test_idle_continue, fixture_teardown);
  g_test_add ("/form-ui/idle/timeout-wipes", Fixture, NULL, fixture_setup, test_idle_wipe,
              fixture_teardown);
  g_test_add ("/form-ui/disk-full-keeps-answers", Fixture, NULL, fixture_setup, test_disk_full,
              fixture_teardown);
  g_test_add ("/form-ui/long-form", Fixture, NULL, fixture_setup, test_long_form,
              fixture_teardown);
  g_test_add ("/form-ui/speaker", Fixture, NULL, fixture_setup, test_speaker, fixture_teardown);
  g_test_add_func ("/form-ui/long-list", test_long_list);
  g_test_add_func ("/form-ui/date-format", test_date_format);
  return g_test_run ();
}
