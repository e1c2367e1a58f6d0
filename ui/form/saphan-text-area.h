/* saphan-text-area.h: a multi-line answer the on-screen keyboard types into. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_TEXT_AREA (saphan_text_area_get_type ())
G_DECLARE_FINAL_TYPE (SaphanTextArea, saphan_text_area, SAPHAN, TEXT_AREA, GtkWidget)

/* A wrapping GtkTextView that is a GtkEditable: "changed", the text,
 * the cursor and the selection in characters, as a GtkEntry has them. */
GtkWidget *saphan_text_area_new      (void);
/* The text view inside, which takes the focus. */
GtkWidget *saphan_text_area_get_view (SaphanTextArea *self);

G_END_DECLS
