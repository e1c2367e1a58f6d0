/* saphan-window.h: the kiosk's one window. */
#pragma once

#include <gtk/gtk.h>

#include "saphan-application.h"

G_BEGIN_DECLS

#define SAPHAN_TYPE_WINDOW (saphan_window_get_type ())
G_DECLARE_FINAL_TYPE (SaphanWindow, saphan_window, SAPHAN, WINDOW, GtkApplicationWindow)

/* The window starts loading the store at once and shows the start page
 * when it is ready. */
SaphanWindow *saphan_window_new (SaphanApplication *application);
/* "loading", "error", "start" or "pending": which page is showing. */
const char *saphan_window_get_page_name (SaphanWindow *self);
/* The start page, or NULL while loading. */
GtkWidget *saphan_window_get_start_page (SaphanWindow *self);

G_END_DECLS
