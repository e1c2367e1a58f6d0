/* saphan-application.h: the kiosk's GtkApplication.
 *
 * The application owns what outlives a window: the data directory, the one
 * store, the citizen's language and the kiosk lockdown flag. Windows ask it
 * to load the store off the UI thread and follow its "app.language" action.
 */
#pragma once

#include <gtk/gtk.h>

#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_TYPE_APPLICATION (saphan_application_get_type ())
G_DECLARE_FINAL_TYPE (SaphanApplication, saphan_application, SAPHAN, APPLICATION, GtkApplication)

/* To be called once, before GTK initializes: GTK starts threads that read
 * the environment (fontconfig's loader among them), and the application
 * later switches the citizen's language through LANGUAGE. Adding a
 * variable may move the whole environment under such a reader; replacing
 * one's value does not, so this makes sure LANGUAGE is already there. */
void saphan_application_prepare_environment (void);
SaphanApplication *saphan_application_new (void);

const char *saphan_application_get_data_dir (SaphanApplication *self);
void saphan_application_set_data_dir (SaphanApplication *self, const char *data_dir);
gboolean saphan_application_get_kiosk (SaphanApplication *self);
void saphan_application_set_kiosk (SaphanApplication *self, gboolean kiosk);
/* The service whose form the window opens once the kiosk is ready (the
 * --form option): for a kiosk set up for one service. The window takes it
 * once, so that Done still leads to the list of services. */
void  saphan_application_set_initial_form  (SaphanApplication *self, const char *form_id);
char *saphan_application_take_initial_form (SaphanApplication *self);
/* "th" or "en": the state of the "app.language" action. */
const char *saphan_application_get_language (SaphanApplication *self);
/* The org.saphan.Kiosk settings, or NULL when the schema is not installed
 * (an uninstalled build without GSETTINGS_SCHEMA_DIR). */
GSettings *saphan_application_get_settings (SaphanApplication *self);
/* NULL until a load has finished. */
SaphanStore *saphan_application_get_store (SaphanApplication *self);

/* Opens the store in a worker thread, installs the demo services on first
 * start and lists the active forms. The finish call returns a GPtrArray of
 * SaphanFormInfo. */
void saphan_application_load_async (SaphanApplication *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *saphan_application_load_finish (SaphanApplication *self, GAsyncResult *result,
                                           GError **error);

/* Called by a window once the start page has been drawn for the first
 * time: logs the start-up time and, for tests and benchmarks, quits when
 * SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME=1. */
void saphan_application_start_page_presented (SaphanApplication *self);

G_END_DECLS
