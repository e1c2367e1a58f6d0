/* saphan-staff-dashboard.h: what staff see once their PIN is accepted.
 *
 * The outbox by state with actions on submissions that need attention,
 * sync, the printer, reprinting and verifying receipts, assisted mode, USB
 * updates and exports and, for maintainers, settings and leaving the kiosk.
 * Every control is an action in the "dash" group, so a test drives the
 * dashboard exactly as a finger does. Blocking work runs in worker threads.
 */
#pragma once

#include <gtk/gtk.h>

#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_TYPE_STAFF_DASHBOARD (saphan_staff_dashboard_get_type ())
G_DECLARE_FINAL_TYPE (SaphanStaffDashboard, saphan_staff_dashboard, SAPHAN, STAFF_DASHBOARD,
                      GtkWidget)

/* STAFF_ID is recorded with assisted submissions and in the audit log;
 * NAME is shown in the header; MAINTAINER unlocks settings and exit.
 * SETTINGS (may be NULL) receives the citizens' idle timeout. */
GtkWidget *saphan_staff_dashboard_new (SaphanStore *store, const char *data_dir,
                                       GSettings *settings, const char *staff_id,
                                       const char *name, gboolean maintainer);

const char *saphan_staff_dashboard_get_staff_id (SaphanStaffDashboard *self);
gboolean    saphan_staff_dashboard_get_maintainer (SaphanStaffDashboard *self);
/* Reloads counts, the list and statuses in a worker; "finished" follows
 * with "refresh". */
void        saphan_staff_dashboard_refresh (SaphanStaffDashboard *self);
/* The count shown for STATE, -1 before the first refresh. */
gint64      saphan_staff_dashboard_get_count (SaphanStaffDashboard *self,
                                              SaphanSubmissionState state);
/* The last message shown to staff, e.g. a verification verdict. */
const char *saphan_staff_dashboard_get_message (SaphanStaffDashboard *self);
/* Extra folders treated as mounted USB sticks, besides GVolumeMonitor's. */
void        saphan_staff_dashboard_set_extra_mounts (SaphanStaffDashboard *self,
                                                     const char *const   *paths);

/* Signals:
 *   "finished" (const char *operation, gboolean success)
 *       after each operation ("refresh", "retry", "resolve", "sync",
 *       "test-print", "reprint", "verify", "usb-apply", "usb-export",
 *       "save-settings") has shown its outcome.
 *   "assisted-mode" (const char *staff_id)
 *       staff chose to fill a form with or for a citizen.
 *   "exit-kiosk" ()
 *       a maintainer chose to leave the kiosk; the default handler quits
 *       the default GApplication.
 */

G_END_DECLS
