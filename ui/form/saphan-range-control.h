/* saphan-range-control.h: a number picked by touch between two bounds. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_RANGE_CONTROL (saphan_range_control_get_type ())
G_DECLARE_FINAL_TYPE (SaphanRangeControl, saphan_range_control, SAPHAN, RANGE_CONTROL, GtkWidget)

typedef enum
{
  SAPHAN_RANGE_LAYOUT_SLIDER,    /* value, big −/+ and a horizontal slider with ticks */
  SAPHAN_RANGE_LAYOUT_NO_TICKS,  /* the same slider without tick marks */
  SAPHAN_RANGE_LAYOUT_VERTICAL,  /* a vertical slider, + above − */
  SAPHAN_RANGE_LAYOUT_PICKER,    /* value and −/+ only */
} SaphanRangeLayout;

/* From START to END (either way round) by STEP > 0; DECIMAL writes the
 * value as ODK does for a decimal ("2.5", "3.0"), else as a whole number. */
GtkWidget *saphan_range_control_new       (double            start,
                                           double            end,
                                           double            step,
                                           gboolean          decimal,
                                           SaphanRangeLayout layout);
/* The value as the form stores it, or NULL before the first touch. */
char      *saphan_range_control_get_value (SaphanRangeControl *self);
/* Shows VALUE (NULL or "" for none); a value off the steps snaps to the
 * nearest one on screen, the form keeps what it has. */
void       saphan_range_control_set_value (SaphanRangeControl *self,
                                           const char         *value);
/* Moves by AMOUNT steps, as the buttons and arrow keys do. */
void       saphan_range_control_step      (SaphanRangeControl *self,
                                           int                 amount);
/* The slider, or NULL for the picker layout. */
GtkWidget *saphan_range_control_get_scale (SaphanRangeControl *self);
/* The + button (MORE) or the − button. */
GtkWidget *saphan_range_control_get_step_button (SaphanRangeControl *self,
                                                 gboolean            more);

G_END_DECLS
