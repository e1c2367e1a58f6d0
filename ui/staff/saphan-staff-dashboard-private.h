/* saphan-staff-dashboard-private.h: shared by the dashboard's two files. */
#pragma once

#include "saphan-staff-dashboard.h"

#include "saphan-keyboard.h"
#include "saphan-printer.h"
#include "saphan-sync.h"

G_BEGIN_DECLS

/* Seconds without a touch before staff mode ends, when the store has no
 * "staff.idle-timeout" setting. */
#define SAPHAN_STAFF_DEFAULT_IDLE_TIMEOUT 120

struct _SaphanStaffDashboard
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkLabel *staff_name;
  GtkLabel *status_label;
  GtkStack *sections;
  GtkWidget *maintenance_page;
  GtkLabel *queue_title;
  GtkListBox *queue_list;
  GtkButton *state_buttons[SAPHAN_SUBMISSION_N_STATES];
  GtkBox *note_box;
  GtkLabel *note_prompt;
  GtkEntry *note_entry;
  GtkLabel *online_label;
  GtkLabel *last_sync_label;
  GtkLabel *sync_result_label;
  GtkLabel *printer_label;
  GtkBox *keyboard_box;
  GtkWidget *header;
  GtkWidget *sidebar;
  GtkGrid *receipt_keys;
  GtkEntry *reprint_entry;
  GtkEntry *verify_entry;
  GtkLabel *verify_verdict;
  GtkLabel *verify_fields;
  GtkListBox *usb_bundles;
  GtkListBox *usb_targets;
  GtkBox *usb_confirm_box;
  GtkLabel *usb_confirm_label;
  GtkSpinButton *staff_idle_spin;
  GtkSpinButton *kiosk_idle_spin;
  GtkEntry *kiosk_name_entry;
  GtkEntry *kiosk_location_entry;
  GtkLabel *profile_label;

  /* Borrowed */
  SaphanKeyboard *keyboard; /* in keyboard_box */

  /* Owned */
  SaphanStore *store;
  GSettings *settings;
  SaphanSync *sync;
  GCancellable *cancellable;
  GVolumeMonitor *volume_monitor;
  GPtrArray *submissions; /* of SaphanSubmissionInfo, from the last refresh */
  char **extra_mounts;
  char *data_dir;
  char *staff_id;
  char *resolving;        /* the instance id whose note is being written */
  char *pending_bundle;   /* the bundle path awaiting confirmation */
  char *message;
  guint scroll_source;
  gint64 counts[SAPHAN_SUBMISSION_N_STATES];
  SaphanSubmissionState shown_state;
  gboolean maintainer;
  gboolean settings_loaded;
  gboolean typing;        /* the keyboard is out */
};

void   _saphan_staff_dashboard_finish (SaphanStaffDashboard *self, const char *operation,
                                       gboolean success, const char *message);
GTask *_saphan_staff_dashboard_task (SaphanStaffDashboard *self, gpointer source_tag,
                                     GAsyncReadyCallback callback);
gboolean _saphan_staff_dashboard_task_cancelled (GAsyncResult *result);
/* Shows the keyboard for the section on screen, or hides it. */
void   _saphan_staff_dashboard_update_keyboard (SaphanStaffDashboard *self);

/* saphan-staff-dashboard-tools.c: printing, receipts, USB and settings. */
void _saphan_staff_dashboard_class_init_tools (GtkWidgetClass *widget_class);
void _saphan_staff_dashboard_build_receipt_keypad (SaphanStaffDashboard *self);
void _saphan_staff_dashboard_usb_scan (SaphanStaffDashboard *self);
void _saphan_staff_dashboard_usb_dispose (SaphanStaffDashboard *self);

G_END_DECLS
