/* saphan-staff-page.h: staff mode inside the kiosk window.
 *
 * A PIN pad, then the dashboard. The PIN is checked in a worker thread
 * (scrypt is slow on purpose); the session ends with "Leave staff mode",
 * when the page is hidden, or by itself after the "staff.idle-timeout"
 * setting's seconds without a touch (120 by default).
 */
#pragma once

#include <gtk/gtk.h>

#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_TYPE_STAFF_PAGE (saphan_staff_page_get_type ())
G_DECLARE_FINAL_TYPE (SaphanStaffPage, saphan_staff_page, SAPHAN, STAFF_PAGE, GtkWidget)

/* Unix seconds; the PIN lockout is computed from this clock. */
typedef gint64 (*SaphanStaffClock) (gpointer user_data);

/* The longest PIN the pad accepts. */
#define SAPHAN_STAFF_PAGE_MAX_PIN 12

/* SETTINGS (may be NULL) is handed to the dashboard for the citizens'
 * idle timeout. */
GtkWidget  *saphan_staff_page_new (SaphanStore *store, const char *data_dir, GSettings *settings);

/* Replaces the wall clock, for tests of the lockout countdown. */
void        saphan_staff_page_set_clock (SaphanStaffPage *self, SaphanStaffClock clock,
                                         gpointer user_data);
/* Ends any session and shows an empty PIN pad. */
void        saphan_staff_page_reset (SaphanStaffPage *self);
/* "pin", "checking" or "dashboard". */
const char *saphan_staff_page_get_view (SaphanStaffPage *self);
/* The message under the PIN dots: wrong PIN, locked, and so on. */
const char *saphan_staff_page_get_message (SaphanStaffPage *self);
/* The number of digits typed so far. */
guint       saphan_staff_page_get_pin_length (SaphanStaffPage *self);
/* The dashboard while a session is open, otherwise NULL. */
GtkWidget  *saphan_staff_page_get_dashboard (SaphanStaffPage *self);

/* Signals:
 *   "pin-checked" (gboolean success)  after each PIN check has been shown.
 *   "leave" ()                        the session ended; the window goes
 *                                     back to the citizens' start page.
 *   "assisted-mode" (const char *staff_id)
 *                                     staff want to fill a form with a
 *                                     citizen; the window opens the form
 *                                     flow with assisted_by = STAFF_ID.
 */

G_END_DECLS
