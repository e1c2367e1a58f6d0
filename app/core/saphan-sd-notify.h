/* saphan-sd-notify.h: readiness and watchdog pings for systemd. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends STATE ("READY=1", "STOPPING=1", …) to $NOTIFY_SOCKET. Returns FALSE
 * when there is no socket (not run by systemd) or the send failed. */
gboolean saphan_sd_notify          (const char *state);
/* Starts pinging the watchdog from the thread-default main loop at half of
 * $WATCHDOG_USEC, so a hung main loop stops the pings and systemd restarts
 * the kiosk. Returns the source id, or 0 when no watchdog is configured. */
guint    saphan_sd_watchdog_start  (void);

G_END_DECLS
