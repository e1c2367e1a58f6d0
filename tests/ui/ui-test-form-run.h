/* ui-test-form-run.h: plays a citizen's run from tests/ui/form/form-runs.txt
 * on a form flow wherever it is shown.
 *
 * The runs are written for the flow's own tests; the kiosk window's tests
 * replay the same lines on the flow the window opened from a tile, so both
 * exercise one script. Only the steps a finger takes and the checks on the
 * flow itself are played here; the caller plays the steps that need the
 * store or the window ("stored", "done").
 */
#pragma once

#include <gtk/gtk.h>

#include "saphan-form-flow.h"

G_BEGIN_DECLS

typedef struct
{
  char **argv;  /* the line split on spaces */
  guint  line;  /* its line number in the file */
} UiTestFormStep;

/* The steps of run NAME in PATH, in order; fails the test when there is no
 * such run. Free with g_ptr_array_unref(). */
GPtrArray *ui_test_form_run_read (const char *path, const char *name);

/* Plays STEP on FLOW, then lets the flow settle. Returns FALSE, having done
 * nothing, for a step this player leaves to its caller. */
gboolean   ui_test_form_run_play (SaphanFormFlow *flow, const UiTestFormStep *step);

G_END_DECLS
