/* saphan-date-picker.h: a touch date picker with Buddhist Era years. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* พ.ศ. = ค.ศ. + 543 */
#define SAPHAN_BUDDHIST_ERA_OFFSET 543

#define SAPHAN_TYPE_DATE_PICKER (saphan_date_picker_get_type ())
G_DECLARE_FINAL_TYPE (SaphanDatePicker, saphan_date_picker, SAPHAN, DATE_PICKER, GtkWidget)

GtkWidget *saphan_date_picker_new          (void);
/* "th": Thai month names and Buddhist Era years; anything else: English
 * and the Common Era. */
void       saphan_date_picker_set_language (SaphanDatePicker *self,
                                            const char       *language);
/* An ISO date ("2509-..." never: the stored year is always CE), or NULL
 * or "" for no date yet. */
void       saphan_date_picker_set_value    (SaphanDatePicker *self,
                                            const char       *iso_date);
/* The ISO date chosen, or NULL while none is. */
char      *saphan_date_picker_get_value    (SaphanDatePicker *self);
/* The date as the citizen reads it in LANGUAGE: "15 มิถุนายน พ.ศ. 2509". */
char      *saphan_date_picker_format       (const char *iso_date,
                                            const char *language);

G_END_DECLS
