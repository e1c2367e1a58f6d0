/* saphan-staff.h: staff and maintainer accounts and the PIN that opens
 * staff mode on a public kiosk.
 *
 * PINs are stored only as salted scrypt hashes. A kiosk is opened by PIN
 * alone (the gesture is hidden, the PIN pad shows no names), so a PIN is
 * checked against each account; failures are counted per device, and five
 * in a row lock the PIN pad with a delay that grows with each lock. Time
 * comes from the caller so that lockout is tested with a fake clock.
 */
#pragma once

#include <glib.h>

#include "saphan-store.h"

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_ROLE_STAFF = 1,       /* dashboard, assisted mode, reprint, verify, sync now */
  SAPHAN_ROLE_MAINTAINER = 2,  /* everything staff can do, plus settings, updates, exit */
} SaphanRole;

typedef struct
{
  char      *staff_id;   /* short id recorded in assisted submissions and the audit log */
  char      *name;       /* shown on the dashboard only */
  SaphanRole role;
  gint64     created_at;
} SaphanStaffInfo;

void saphan_staff_info_free (SaphanStaffInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanStaffInfo, saphan_staff_info_free)

#define SAPHAN_STAFF_MAX_FAILURES 5
#define SAPHAN_STAFF_MIN_PIN_LENGTH 6

gboolean         saphan_staff_add      (SaphanStore *store, const char *staff_id, const char *name,
                                        SaphanRole role, const char *pin, GError **error);
gboolean         saphan_staff_remove   (SaphanStore *store, const char *staff_id, GError **error);
gboolean         saphan_staff_set_pin  (SaphanStore *store, const char *staff_id, const char *pin,
                                        GError **error);
/* A GPtrArray of SaphanStaffInfo, ordered by id. */
GPtrArray       *saphan_staff_list     (SaphanStore *store, GError **error);

/* Checks PIN at time NOW (unix seconds). Returns the account on success.
 * On a wrong PIN: NULL with SAPHAN_ERROR_SIGNATURE; while locked: NULL with
 * SAPHAN_ERROR_BUSY and *OUT_RETRY_AFTER set to the seconds left. Every
 * outcome is written to the audit log (without the PIN). Blocks for the
 * scrypt work: call it off the UI thread. */
SaphanStaffInfo *saphan_staff_authenticate (SaphanStore *store, const char *pin, gint64 now,
                                            gint64 *out_retry_after, GError **error);
/* Seconds until the PIN pad unlocks at NOW; 0 when it is open. */
gint64           saphan_staff_locked_for   (SaphanStore *store, gint64 now);

/* The lock after the N_LOCKS-th run of five wrong PINs: 30 s, doubling
 * with each further lock, at most one hour. */
gint64           saphan_staff_lock_delay   (int n_locks);
/* Records that STAFF_ID left staff mode at NOW (REASON e.g. "user" or
 * "idle") and, when the store has an audit signer, appends a signed
 * checkpoint so that the session's entries are sealed. */
gboolean         saphan_staff_logout       (SaphanStore *store, const char *staff_id,
                                            const char *reason, gint64 now, GError **error);

G_END_DECLS
