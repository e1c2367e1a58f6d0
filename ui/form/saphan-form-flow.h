/* saphan-form-flow.h: one citizen filling one form, from the first
 * question to the receipt number.
 *
 * The flow loads the form from the store off the UI thread, shows one
 * question (or one field-list group) per screen, reviews the answers, asks
 * for consent, finalizes into the store and shows the receipt number. It
 * wipes itself when the citizen walks away or presses "Done"; the window
 * then removes it on "finished" or "cancelled". "submitted" says when the
 * store has the submission: the moment to print the receipt.
 */
#pragma once

#include <gtk/gtk.h>

#include "saphan-session.h"
#include "saphan-store.h"

G_BEGIN_DECLS

#define SAPHAN_TYPE_FORM_FLOW (saphan_form_flow_get_type ())
G_DECLARE_FINAL_TYPE (SaphanFormFlow, saphan_form_flow, SAPHAN, FORM_FLOW, GtkWidget)

/* The seconds of warning before an idle session is wiped: WCAG 2.2.1 asks
 * for at least 20. */
#define SAPHAN_FORM_FLOW_WARNING_SECONDS 30
#define SAPHAN_FORM_FLOW_DEFAULT_IDLE_SECONDS 90

GtkWidget     *saphan_form_flow_new              (SaphanStore *store,
                                                  const char  *form_id,
                                                  const char  *language);

/* Seconds without a touch before the warning; the GSettings key
 * "idle-timeout" of org.saphan.Kiosk sets it when that schema is installed. */
void           saphan_form_flow_set_idle_timeout (SaphanFormFlow *self,
                                                  guint           seconds);
guint          saphan_form_flow_get_idle_timeout (SaphanFormFlow *self);
/* Millisecond timing for tests: IDLE_MS before the warning, WARNING_MS of
 * countdown. */
void           saphan_form_flow_set_idle_timing_ms (SaphanFormFlow *self,
                                                    guint           idle_ms,
                                                    guint           warning_ms);

void           saphan_form_flow_set_large_text   (SaphanFormFlow *self,
                                                  gboolean        large_text);
gboolean       saphan_form_flow_get_large_text   (SaphanFormFlow *self);
const char    *saphan_form_flow_get_language     (SaphanFormFlow *self);
const char    *saphan_form_flow_get_form_id      (SaphanFormFlow *self);

/* "loading", "question", "review", "consent", "submitting", "error",
 * "finish", "failed" (the form could not be opened) or "wiped". */
const char    *saphan_form_flow_get_page         (SaphanFormFlow *self);
gboolean       saphan_form_flow_get_idle_warning_shown (SaphanFormFlow *self);
/* The receipt number once the submission is stored, else NULL. */
const char    *saphan_form_flow_get_receipt_number (SaphanFormFlow *self);
void           saphan_form_flow_set_assisted_by    (SaphanFormFlow *self, const char *staff_id);
void           saphan_form_flow_set_print_problem  (SaphanFormFlow *self, const char *reason);
char          *saphan_form_flow_dup_next_steps     (SaphanFormFlow *self);
/* Borrowed, NULL before loading and after the wipe. */
SaphanSession *saphan_form_flow_get_session      (SaphanFormFlow *self);
GtkWidget     *saphan_form_flow_get_keyboard     (SaphanFormFlow *self);
/* The object playing prompts (a SaphanSpeaker), borrowed. */
GObject       *saphan_form_flow_get_speaker      (SaphanFormFlow *self);
/* The SaphanQuestionView widgets of the screen shown, in order. */
GPtrArray     *saphan_form_flow_list_questions   (SaphanFormFlow *self);
/* Position on the current question screen: 1-based index and count. */
void           saphan_form_flow_get_progress     (SaphanFormFlow *self,
                                                  guint          *out_index,
                                                  guint          *out_count);

G_END_DECLS
