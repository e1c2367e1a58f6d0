/* saphan-staff-corner.h: the invisible corner that opens staff mode. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_STAFF_CORNER (saphan_staff_corner_get_type ())
G_DECLARE_FINAL_TYPE (SaphanStaffCorner, saphan_staff_corner, SAPHAN, STAFF_CORNER, GtkWidget)

/* How long a finger must stay on the corner. */
#define SAPHAN_STAFF_CORNER_HOLD_MS 3000

GtkWidget *saphan_staff_corner_new (void);

/* Signals:
 *   "activated" ()  the corner was held for SAPHAN_STAFF_CORNER_HOLD_MS.
 * Properties:
 *   "action-name" (char *)  an action activated at the same time, e.g.
 *                           "win.staff".
 */

G_END_DECLS
