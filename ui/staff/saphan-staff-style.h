/* saphan-staff-style.h: the staff UI's resources and its one style sheet. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Registers the staff UI's GResource; called from each class_init,
 * because a static library's resource constructor would be dropped by the
 * linker when nothing references its object file. */
void _saphan_staff_ensure_resources (void);
/* Adds the staff style sheet to DISPLAY once. */
void _saphan_staff_ensure_style (GdkDisplay *display);

G_END_DECLS
