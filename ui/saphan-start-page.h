/* saphan-start-page.h: the services a citizen can choose from. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_START_PAGE (saphan_start_page_get_type ())
G_DECLARE_FINAL_TYPE (SaphanStartPage, saphan_start_page, SAPHAN, START_PAGE, GtkWidget)

GtkWidget *saphan_start_page_new (void);
/* FORMS is a GPtrArray of SaphanFormInfo, in the order to show them. */
void saphan_start_page_set_forms (SaphanStartPage *self, GPtrArray *forms, const char *language);
guint saphan_start_page_get_n_tiles (SaphanStartPage *self);

/* Service titles are written "ไทย · English", as ODK forms have one title
 * for every language; the kiosk shows the part for LANGUAGE, so that a
 * long title fits a small screen. A title without the separator shows
 * whole. */
char *saphan_service_title_for_language (const char *title, const char *language);

G_END_DECLS
