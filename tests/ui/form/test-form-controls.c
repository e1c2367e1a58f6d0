/* test-form-controls.c: the touch controls on their own.
 *
 * The range's values against what ODK Collect writes, and the multi-line
 * text area as the on-screen keyboard sees it: an editable counting in
 * characters, where the Thai input-sequence checks hold as in an entry.
 * The flow's runs (test-form-flow.c) use the same controls inside a form.
 */
#include <gtk/gtk.h>

#include "saphan-keyboard.h"
#include "saphan-range-control.h"
#include "saphan-text-area.h"

/* Values a range writes after some taps on + (positive) or − (negative),
 * as ODK Collect writes them: whole numbers for int, and for decimal the
 * shortest form with at least one digit after the point, never a binary
 * fraction's tail (0.1 three times is 0.3). */
static const struct
{
  double      start, end, step;
  gboolean    decimal;
  int         taps;
  const char *expected;
} range_cases[] = {
  { 1, 5, 1, FALSE, 1, "1" },
  { 1, 5, 1, FALSE, 9, "5" },            /* stops at the end */
  { 1, 5, 1, FALSE, -1, "5" },           /* − first starts from the top */
  { 0, 1, 0.1, TRUE, 4, "0.3" },
  { 0, 1, 0.1, TRUE, 11, "1.0" },
  { 0, 6, 0.5, TRUE, 4, "1.5" },
  { -2, 2, 0.25, TRUE, 2, "-1.75" },
  { -2, 2, 0.25, TRUE, 9, "0.0" },       /* no "-0.0" */
  { 10, 0, 2, FALSE, 2, "8" },           /* a range may run downwards */
  { 0, 10, 3, FALSE, 9, "9" },           /* the last whole step, not 10 */
  { 0, 100, 5, FALSE, -3, "90" },
  { 1.5, 3, 0.5, TRUE, 1, "1.5" },
  { 0, 0.03, 0.01, TRUE, 3, "0.02" },
};

static void
test_range_values (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (range_cases); i++)
    {
      GtkWidget *range = saphan_range_control_new (range_cases[i].start, range_cases[i].end,
                                                   range_cases[i].step, range_cases[i].decimal,
                                                   SAPHAN_RANGE_LAYOUT_SLIDER);
      g_autofree char *value = NULL;
      g_autofree char *again = NULL;
      int taps = range_cases[i].taps;

      g_object_ref_sink (range);
      g_assert_null (saphan_range_control_get_value (SAPHAN_RANGE_CONTROL (range)));
      for (int t = 0; t < ABS (taps); t++)
        g_assert_true (gtk_widget_activate_action (range, "range.step", "i", taps > 0 ? 1 : -1));
      value = saphan_range_control_get_value (SAPHAN_RANGE_CONTROL (range));
      g_assert_cmpstr (value, ==, range_cases[i].expected);
      /* What the form holds shows again as the same value (back, language). */
      saphan_range_control_set_value (SAPHAN_RANGE_CONTROL (range), value);
      again = saphan_range_control_get_value (SAPHAN_RANGE_CONTROL (range));
      g_assert_cmpstr (again, ==, value);
      saphan_range_control_set_value (SAPHAN_RANGE_CONTROL (range), "");
      g_assert_null (saphan_range_control_get_value (SAPHAN_RANGE_CONTROL (range)));
      g_assert_finalize_object (range);
    }
}

/* The text area is an editable as the keyboard sees it: characters for
 * offsets, the cursor as the end of the selection, "changed" per edit. */
static void
test_text_area (void)
{
  GtkWidget *area = g_object_ref_sink (saphan_text_area_new ());
  GtkWidget *keyboard = g_object_ref_sink (saphan_keyboard_new (SAPHAN_KEYBOARD_MODE_TEXT_TH));
  const char *keys[] = { "ก", "ี", "ี", "่", "เ", "เ", NULL };
  int start, end, pos = 0;

  gtk_editable_set_text (GTK_EDITABLE (area), "ไทย");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (area)), ==, "ไทย");
  gtk_editable_set_position (GTK_EDITABLE (area), 1);
  g_assert_cmpint (gtk_editable_get_position (GTK_EDITABLE (area)), ==, 1);
  gtk_editable_insert_text (GTK_EDITABLE (area), "ab", -1, &pos);
  g_assert_cmpint (pos, ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (area)), ==, "abไทย");
  gtk_editable_select_region (GTK_EDITABLE (area), 0, 2);
  g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (area), &start, &end));
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, 2);
  gtk_editable_delete_selection (GTK_EDITABLE (area));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (area)), ==, "ไทย");
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (area)));

  /* The keyboard's Thai checks hold in the area: a second SARA I and a
   * second leading SARA E are refused; Backspace takes one code point. */
  gtk_editable_set_position (GTK_EDITABLE (area), -1);
  saphan_keyboard_set_target (SAPHAN_KEYBOARD (keyboard), GTK_EDITABLE (area));
  for (guint i = 0; keys[i] != NULL; i++)
    g_assert_true (gtk_widget_activate_action (keyboard, "keyboard.press", "s", keys[i]));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (area)), ==, "ไทยกี่เ");
  g_assert_true (gtk_widget_activate_action (keyboard, "keyboard.backspace", NULL));
  g_assert_true (gtk_widget_activate_action (keyboard, "keyboard.backspace", NULL));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (area)), ==, "ไทยกี");

  saphan_keyboard_set_target (SAPHAN_KEYBOARD (keyboard), NULL);
  g_assert_finalize_object (keyboard);
  g_assert_finalize_object (area);
}

int
main (int argc, char **argv)
{
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  /* No accessibility bus: the accessible tree is kept in memory. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/form-ui/controls/range-values", test_range_values);
  g_test_add_func ("/form-ui/controls/text-area", test_text_area);
  return g_test_run ();
}
