/* test-keyboard.c - the on-screen keyboard typing into a real GtkEntry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keys are pressed through the keyboard's actions, the same path a tap on
 * a key takes. The keystroke cases live in keyboard-cases.ini; this file
 * holds the checks that are not about text: labels, sizes, focus,
 * feedback, and a screenshot of every layout for a person to look at.
 */

#include <gtk/gtk.h>

#include "saphan-keyboard.h"

/* Every layout and shift state a person can see, for the label, size and
 * screenshot checks. */
static const struct
{
  const char *name;
  SaphanKeyboardMode mode;
  guint shift_taps;
} views[] = {
  { "thai", SAPHAN_KEYBOARD_MODE_TEXT_TH, 0 },
  { "thai-shift", SAPHAN_KEYBOARD_MODE_TEXT_TH, 1 },
  { "english", SAPHAN_KEYBOARD_MODE_TEXT_EN, 0 },
  { "english-shift", SAPHAN_KEYBOARD_MODE_TEXT_EN, 1 },
  { "english-caps", SAPHAN_KEYBOARD_MODE_TEXT_EN, 2 },
  { "integer", SAPHAN_KEYBOARD_MODE_INTEGER, 0 },
  { "decimal", SAPHAN_KEYBOARD_MODE_DECIMAL, 0 },
  { "phone", SAPHAN_KEYBOARD_MODE_PHONE, 0 },
  { "national-id", SAPHAN_KEYBOARD_MODE_NATIONAL_ID, 0 },
};

/* The smallest screen the kiosk ships with. */
#define SCREEN_WIDTH 800

typedef struct
{
  GtkWindow *window;
  GtkWidget *entry;
  SaphanKeyboard *keyboard;
  guint rejected;
  guint done;
} Fixture;

static void
rejected_cb (SaphanKeyboard *keyboard, const char *key_id, Fixture *fixture)
{
  fixture->rejected++;
}

static void
done_cb (SaphanKeyboard *keyboard, Fixture *fixture)
{
  fixture->done++;
}

static void
wait_for (gboolean (*ready) (Fixture *), Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!ready (fixture) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (ready (fixture));
}

/* The keyboard's border box: gtk_widget_get_width() leaves out padding. */
static graphene_rect_t
keyboard_bounds (Fixture *fixture)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  GtkWidget *widget = GTK_WIDGET (fixture->keyboard);

  if (!gtk_widget_compute_bounds (widget, widget, &bounds))
    graphene_rect_init (&bounds, 0, 0, 0, 0);
  return bounds;
}

/* Ready once the keyboard spans the screen and the keys of the layout on
 * show, which a change of mode replaces, have been allocated too. */
static gboolean
keyboard_allocated (Fixture *fixture)
{
  graphene_rect_t bounds = keyboard_bounds (fixture);
  g_autoptr (GPtrArray) keys = saphan_keyboard_list_keys (fixture->keyboard);

  if (!gtk_widget_get_mapped (GTK_WIDGET (fixture->keyboard))
      || (int)bounds.size.width != SCREEN_WIDTH)
    return FALSE;

  for (guint i = 0; i < keys->len; i++)
    if (!gtk_widget_get_mapped (keys->pdata[i]) || gtk_widget_get_width (keys->pdata[i]) <= 0)
      return FALSE;

  return TRUE;
}

static void
fixture_setup (Fixture *fixture, SaphanKeyboardMode mode)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->entry = gtk_entry_new ();
  fixture->keyboard = SAPHAN_KEYBOARD (saphan_keyboard_new (mode));
  gtk_box_append (GTK_BOX (box), fixture->entry);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fixture->keyboard));
  gtk_window_set_child (fixture->window, box);
  /* Undecorated like the kiosk's full-screen window, so the keyboard gets
   * the whole screen width. */
  gtk_window_set_decorated (fixture->window, FALSE);
  gtk_window_set_default_size (fixture->window, SCREEN_WIDTH, -1);

  saphan_keyboard_set_target (fixture->keyboard, GTK_EDITABLE (fixture->entry));
  g_signal_connect (fixture->keyboard, "rejected", G_CALLBACK (rejected_cb), fixture);
  g_signal_connect (fixture->keyboard, "done", G_CALLBACK (done_cb), fixture);
}

static void
fixture_show (Fixture *fixture)
{
  gtk_window_present (fixture->window);
  gtk_widget_grab_focus (fixture->entry);
  wait_for (keyboard_allocated, fixture);
}

static void
fixture_teardown (Fixture *fixture)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->keyboard), (gpointer *)&fixture->keyboard);
  gtk_window_destroy (fixture->window);
  /* The window held the only reference: the keyboard must be gone. */
  g_assert_null (fixture->keyboard);
}

static void
press (SaphanKeyboard *keyboard, const char *token)
{
  if (g_str_equal (token, "<shift>"))
    gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.shift", NULL);
  else if (g_str_equal (token, "<bksp>"))
    gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.backspace", NULL);
  else if (g_str_equal (token, "<switch>"))
    gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.switch-layout", NULL);
  else if (g_str_equal (token, "<done>"))
    gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.done", NULL);
  else if (g_str_equal (token, "<space>"))
    gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.press", "s", " ");
  else
    gtk_widget_activate_action (GTK_WIDGET (keyboard), "keyboard.press", "s", token);
}

static SaphanKeyboardMode
mode_from_nick (const char *nick)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (SAPHAN_TYPE_KEYBOARD_MODE);
  GEnumValue *value = g_enum_get_value_by_nick (klass, nick);

  g_assert_nonnull (value);
  return value->value;
}

/* Runs one group of keyboard-cases.ini. */
static void
test_case (gconstpointer data)
{
  const char *group = data;
  g_autoptr (GKeyFile) cases = g_key_file_new ();
  g_autofree char *path
      = g_test_build_filename (G_TEST_DIST, "ui", "keyboard", "keyboard-cases.ini", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *text = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *expect = NULL;
  g_autofree char *selection = NULL;
  g_autofree char *mode_after = NULL;
  g_auto (GStrv) tokens = NULL;
  Fixture fixture = { 0 };

  g_key_file_load_from_file (cases, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);

  mode = g_key_file_get_string (cases, group, "mode", &error);
  g_assert_no_error (error);
  keys = g_key_file_get_string (cases, group, "keys", &error);
  g_assert_no_error (error);
  expect = g_key_file_get_string (cases, group, "expect", &error);
  g_assert_no_error (error);
  text = g_key_file_get_string (cases, group, "text", NULL);
  selection = g_key_file_get_string (cases, group, "selection", NULL);
  mode_after = g_key_file_get_string (cases, group, "mode-after", NULL);

  fixture_setup (&fixture, mode_from_nick (mode));
  fixture_show (&fixture);

  gtk_editable_set_text (GTK_EDITABLE (fixture.entry), text != NULL ? text : "");
  if (g_key_file_has_key (cases, group, "cursor", NULL))
    gtk_editable_set_position (GTK_EDITABLE (fixture.entry),
                               g_key_file_get_integer (cases, group, "cursor", NULL));
  else
    gtk_editable_set_position (GTK_EDITABLE (fixture.entry), -1);
  if (selection != NULL)
    {
      int start, end;

      g_assert_cmpint (sscanf (selection, "%d,%d", &start, &end), ==, 2);
      gtk_editable_select_region (GTK_EDITABLE (fixture.entry), start, end);
    }

  tokens = g_strsplit (keys, " ", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    if (tokens[i][0] != '\0')
      press (fixture.keyboard, tokens[i]);

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (fixture.entry)), ==, expect);
  g_assert_cmpuint (fixture.rejected, ==,
                    (guint)g_key_file_get_integer (cases, group, "rejected", NULL));
  g_assert_cmpuint (fixture.done, ==, (guint)g_key_file_get_integer (cases, group, "done", NULL));
  g_assert_cmpint (saphan_keyboard_get_mode (fixture.keyboard), ==,
                   mode_from_nick (mode_after != NULL ? mode_after : mode));

  fixture_teardown (&fixture);
}

static void
set_view (SaphanKeyboard *keyboard, guint view)
{
  saphan_keyboard_set_mode (keyboard, views[view].mode);
  while (saphan_keyboard_get_shift (keyboard) != SAPHAN_KEYBOARD_SHIFT_OFF)
    press (keyboard, "<shift>");
  for (guint i = 0; i < views[view].shift_taps; i++)
    press (keyboard, "<shift>");
}

/* Every key of every view carries an accessible label and an action, can
 * be reached with Tab and does not take the focus on a tap. */
static void
test_keys_accessible (void)
{
  Fixture fixture = { 0 };
  guint n_keys = 0;

  fixture_setup (&fixture, SAPHAN_KEYBOARD_MODE_TEXT_TH);

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      g_autoptr (GPtrArray) keys = NULL;

      set_view (fixture.keyboard, v);
      keys = saphan_keyboard_list_keys (fixture.keyboard);
      g_assert_cmpuint (keys->len, >=, 12);

      for (guint i = 0; i < keys->len; i++)
        {
          GtkWidget *key = keys->pdata[i];

          g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (key),
                                                           GTK_ACCESSIBLE_PROPERTY_LABEL));
          g_assert_nonnull (gtk_actionable_get_action_name (GTK_ACTIONABLE (key)));
          g_assert_true (gtk_widget_get_focusable (key));
          g_assert_false (gtk_widget_get_focus_on_click (key));
          n_keys++;
        }
    }

  /* Thai 47 character keys + 6 others in two views, English the same in
   * three, then the integer, decimal, phone and national-id keypads. */
  g_assert_cmpuint (n_keys, ==, 53 * 2 + 53 * 3 + 13 + 14 + 14 + 12);

  set_view (fixture.keyboard, 0);
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "ก"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "ก");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "่"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Mai Ek");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, " "),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Space");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "shift"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Shift");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "backspace"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Backspace");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "switch"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Switch to English");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "done"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Done");
  gtk_test_accessible_assert_state (saphan_keyboard_get_key (fixture.keyboard, "shift"),
                                    GTK_ACCESSIBLE_STATE_PRESSED, GTK_ACCESSIBLE_TRISTATE_FALSE);

  /* Labels follow the shift layer. */
  set_view (fixture.keyboard, 1);
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "ก"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "ฏ");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "่"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Mai Chattawa");
  gtk_test_accessible_assert_state (saphan_keyboard_get_key (fixture.keyboard, "shift"),
                                    GTK_ACCESSIBLE_STATE_PRESSED, GTK_ACCESSIBLE_TRISTATE_TRUE);

  set_view (fixture.keyboard, 2);
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "switch"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Switch to Thai");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "q"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "q");
  set_view (fixture.keyboard, 4);
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "q"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Q");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "1"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "1");

  set_view (fixture.keyboard, 6);
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "-"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Minus");
  gtk_test_accessible_assert_property (saphan_keyboard_get_key (fixture.keyboard, "."),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Decimal point");
  g_assert_null (saphan_keyboard_get_key (fixture.keyboard, "shift"));
  g_assert_null (saphan_keyboard_get_key (fixture.keyboard, "switch"));

  fixture_teardown (&fixture);
}

/* A tap ends in the button's "clicked", which activates its action. */
static void
tap (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

/* Taps reach the keyboard through the buttons' actions and leave the
 * focus in the entry, so the cursor keeps blinking where the text goes. */
static void
test_tap_keeps_focus (void)
{
  Fixture fixture = { 0 };
  GtkWidget *focus;

  fixture_setup (&fixture, SAPHAN_KEYBOARD_MODE_TEXT_TH);
  fixture_show (&fixture);
  focus = gtk_root_get_focus (GTK_ROOT (fixture.window));
  g_assert_true (focus == fixture.entry || gtk_widget_is_ancestor (focus, fixture.entry));

  tap (saphan_keyboard_get_key (fixture.keyboard, "ก"));
  tap (saphan_keyboard_get_key (fixture.keyboard, "shift"));
  tap (saphan_keyboard_get_key (fixture.keyboard, "ก"));
  tap (saphan_keyboard_get_key (fixture.keyboard, "backspace"));
  tap (saphan_keyboard_get_key (fixture.keyboard, "ข"));
  tap (saphan_keyboard_get_key (fixture.keyboard, "done"));

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (fixture.entry)), ==, "กข");
  g_assert_cmpuint (fixture.done, ==, 1);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (fixture.window)) == focus);

  /* People who use a physical keyboard or switch access reach the keys
   * with Tab: moving the focus into the keyboard lands on a key. */
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture.keyboard), GTK_DIR_TAB_FORWARD));
  focus = gtk_root_get_focus (GTK_ROOT (fixture.window));
  g_assert_true (GTK_IS_BUTTON (focus));
  g_assert_true (gtk_widget_has_css_class (focus, "key"));

  fixture_teardown (&fixture);
}

static gboolean
feedback_cleared (Fixture *fixture)
{
  return !gtk_widget_has_css_class (GTK_WIDGET (fixture->keyboard), "rejected");
}

/* A refused key flashes the key and marks the keyboard invalid for
 * assistive technology, then both return to normal on their own. */
static void
test_rejection_feedback (void)
{
  Fixture fixture = { 0 };
  GtkWidget *mai_ek;

  fixture_setup (&fixture, SAPHAN_KEYBOARD_MODE_TEXT_TH);
  mai_ek = saphan_keyboard_get_key (fixture.keyboard, "่");

  press (fixture.keyboard, "่");
  g_assert_cmpuint (fixture.rejected, ==, 1);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fixture.keyboard), "rejected"));
  g_assert_true (gtk_widget_has_css_class (mai_ek, "rejected"));
  gtk_test_accessible_assert_state (fixture.keyboard, GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_TRUE);

  wait_for (feedback_cleared, &fixture);
  g_assert_false (gtk_widget_has_css_class (mai_ek, "rejected"));
  g_assert_false (gtk_test_accessible_has_state (GTK_ACCESSIBLE (fixture.keyboard),
                                                 GTK_ACCESSIBLE_STATE_INVALID));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (fixture.entry)), ==, "");

  fixture_teardown (&fixture);
}

/* Without a target, or with a target that went away, nothing is typed and
 * nothing crashes. */
static void
test_target_lifetime (void)
{
  g_autoptr (GtkWidget) entry = g_object_ref_sink (gtk_entry_new ());
  SaphanKeyboard *keyboard
      = SAPHAN_KEYBOARD (g_object_ref_sink (saphan_keyboard_new (SAPHAN_KEYBOARD_MODE_TEXT_EN)));
  guint rejected = 0;

  g_signal_connect_swapped (keyboard, "rejected", G_CALLBACK (g_atomic_int_inc), &rejected);

  press (keyboard, "a");
  g_assert_cmpuint (rejected, ==, 1);

  saphan_keyboard_set_target (keyboard, GTK_EDITABLE (entry));
  g_assert_true (saphan_keyboard_get_target (keyboard) == GTK_EDITABLE (entry));
  press (keyboard, "a");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "a");

  gtk_editable_set_editable (GTK_EDITABLE (entry), FALSE);
  press (keyboard, "b");
  press (keyboard, "<bksp>");
  g_assert_cmpuint (rejected, ==, 3);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "a");

  g_assert_finalize_object (g_steal_pointer (&entry));
  g_assert_null (saphan_keyboard_get_target (keyboard));
  press (keyboard, "c");
  g_assert_cmpuint (rejected, ==, 4);

  g_assert_finalize_object (keyboard);
}

static gboolean
rect_inside (const graphene_rect_t *inner, const graphene_rect_t *outer)
{
  return inner->origin.x >= outer->origin.x - 0.5 && inner->origin.y >= outer->origin.y - 0.5
         && inner->origin.x + inner->size.width <= outer->origin.x + outer->size.width + 0.5
         && inner->origin.y + inner->size.height <= outer->origin.y + outer->size.height + 0.5;
}

/* Renders every view at the narrowest screen width, checks that every key
 * is a large touch target lying wholly on the keyboard, and saves the
 * picture next to the test for a person to look at. */
static void
test_layout_sizes_and_screenshots (void)
{
  Fixture fixture = { 0 };
  GtkWidget *widget;

  fixture_setup (&fixture, SAPHAN_KEYBOARD_MODE_TEXT_TH);
  fixture_show (&fixture);
  widget = GTK_WIDGET (fixture.keyboard);

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      g_autoptr (GPtrArray) keys = NULL;
      g_autoptr (GdkPaintable) paintable = NULL;
      g_autoptr (GskRenderNode) node = NULL;
      g_autoptr (GdkTexture) texture = NULL;
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;
      GtkSnapshot *snapshot;
      gint64 deadline;
      graphene_rect_t bounds;
      int min_width;

      set_view (fixture.keyboard, v);
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      g_assert_cmpint (min_width, <=, SCREEN_WIDTH);

      /* Let the new layout be allocated and drawn. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      wait_for (keyboard_allocated, &fixture);
      bounds = keyboard_bounds (&fixture);

      keys = saphan_keyboard_list_keys (fixture.keyboard);
      for (guint i = 0; i < keys->len; i++)
        {
          graphene_rect_t key;

          g_assert_true (gtk_widget_compute_bounds (keys->pdata[i], widget, &key));
          if (key.size.height < 64 || key.size.width < 44 || !rect_inside (&key, &bounds))
            g_error ("Key %u of view %s is %gx%g at %g,%g", i, views[v].name, key.size.width,
                     key.size.height, key.origin.x, key.origin.y);
        }

      paintable = gtk_widget_paintable_new (widget);
      /* A widget that has not been drawn since its last change snapshots to
       * nothing: wait for the frame that paints it (a few at most, but a
       * loaded machine may take a while to get there). */
      node = NULL;
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (node == NULL && g_get_monotonic_time () < deadline)
        {
          snapshot = gtk_snapshot_new ();
          gdk_paintable_snapshot (paintable, snapshot, bounds.size.width, bounds.size.height);
          node = gtk_snapshot_free_to_node (snapshot);
          if (node == NULL)
            {
              g_main_context_iteration (NULL, FALSE);
              g_usleep (5000);
            }
        }
      g_assert_nonnull (node);
      texture = gsk_renderer_render_texture (
          gtk_native_get_renderer (GTK_NATIVE (fixture.window)), node,
          &GRAPHENE_RECT_INIT (0, 0, bounds.size.width, bounds.size.height));
      g_assert_cmpint (gdk_texture_get_width (texture), ==, SCREEN_WIDTH);

      file = g_strdup_printf ("keyboard-%s.png", views[v].name);
      path = g_test_build_filename (G_TEST_BUILT, "ui", "keyboard", file, NULL);
      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("Saved %s (%gx%g)", path, bounds.size.width, bounds.size.height);
    }

  fixture_teardown (&fixture);
}

int
main (int argc, char **argv)
{
  g_autoptr (GKeyFile) cases = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_auto (GStrv) groups = NULL;

  /* The software renderer draws the same pixels on every machine and
   * needs no GL under Xvfb. GL stays off altogether: Mesa's EGL keeps a
   * one-time allocation whose stack the sanitizer's fast unwinder cannot
   * follow into the suppressed library, so it would be reported as a
   * leak of this test. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  /* The test accessibility backend records every property and state for
   * the assertions below and needs no session bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  path = g_test_build_filename (G_TEST_DIST, "ui", "keyboard", "keyboard-cases.ini", NULL);
  if (!g_key_file_load_from_file (cases, path, G_KEY_FILE_NONE, &error))
    g_error ("Cannot read %s: %s", path, error->message);

  groups = g_key_file_get_groups (cases, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("/keyboard/cases/%s", groups[i]);

      g_test_add_data_func_full (name, g_strdup (groups[i]), test_case, g_free);
    }

  g_test_add_func ("/keyboard/keys-accessible", test_keys_accessible);
  g_test_add_func ("/keyboard/tap-keeps-focus", test_tap_keeps_focus);
  g_test_add_func ("/keyboard/rejection-feedback", test_rejection_feedback);
  g_test_add_func ("/keyboard/target-lifetime", test_target_lifetime);
  g_test_add_func ("/keyboard/layout-sizes-and-screenshots", test_layout_sizes_and_screenshots);

  return g_test_run ();
}
