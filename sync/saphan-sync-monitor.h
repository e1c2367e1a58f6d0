/* saphan-sync-monitor.h: when to sync.
 *
 * Watches GNetworkMonitor, confirms with a cheap HEAD of the submission URL
 * (a captive portal or a dead uplink look "connected" to the system), and
 * keeps a schedule. The kiosk shows the "online" property and starts a
 * sync run on "sync-due"; the monitor itself never sends anything.
 */
#pragma once

#include <gio/gio.h>

#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_TYPE_SYNC_MONITOR (saphan_sync_monitor_get_type ())
G_DECLARE_FINAL_TYPE (SaphanSyncMonitor, saphan_sync_monitor, SAPHAN, SYNC_MONITOR, GObject)

SaphanSyncMonitor *saphan_sync_monitor_new (SaphanStore *store);

/* Starts watching; the schedule's interval (seconds) is read from the
 * "sync.interval" setting, 900 by default. */
void     saphan_sync_monitor_start      (SaphanSyncMonitor *self);
void     saphan_sync_monitor_stop       (SaphanSyncMonitor *self);
/* Opens libcurl and its TLS library, some milliseconds of work, when the
 * kiosk has a server to probe: for a worker thread to call before
 * saphan_sync_monitor_start(), whose first probe would otherwise open them
 * on the UI thread. Does nothing without a server, and leaves a failure
 * for the probe to report. */
void     saphan_sync_monitor_prepare    (SaphanStore *store);
/* Probes now, e.g. after a staff member pressed "send now". */
void     saphan_sync_monitor_probe      (SaphanSyncMonitor *self);
gboolean saphan_sync_monitor_get_online (SaphanSyncMonitor *self);

/* Signals:
 *   "sync-due" ()  the server answered a probe after being unreachable, or
 *                  the schedule came round while online.
 * Properties:
 *   "online" (gboolean)  the last probe reached an OpenRosa server.
 */

G_END_DECLS
