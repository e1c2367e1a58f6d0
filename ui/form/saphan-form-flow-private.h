/* saphan-form-flow-private.h: shared between the flow's source files. */
#pragma once

#include "saphan-form-flow.h"
#include "saphan-keyboard.h"
#include "saphan-question-view.h"
#include "saphan-speaker.h"

G_BEGIN_DECLS

/* ---- Screens: the form's body cut into what fits one screen ------------- */

typedef struct
{
  const SaphanFormControl *control;
  char                    *ref;      /* the instance path: "/data/rep[2]/q" */
} FlowItem;

typedef enum
{
  FLOW_SCREEN_QUESTIONS,
  FLOW_SCREEN_REPEAT,  /* add, count and remove instances of a repeat */
} FlowScreenKind;

typedef struct
{
  FlowScreenKind           kind;
  char                    *key;      /* stable name of the screen while answers change */
  GPtrArray               *items;    /* of FlowItem * */
  const SaphanFormControl *group;    /* the field-list group or the repeat, or NULL */
  char                    *group_ref;
  const SaphanFormControl *section;  /* the nearest enclosing group with a label, or NULL */
  char                    *section_ref;
  guint                    instance; /* 1-based repeat instance of the section, or 0 */
} FlowScreen;

void       _saphan_flow_screen_free     (FlowScreen *screen);
/* The screens as the answers make them now; OUT_CONSENT receives the
 * trigger named "consent" (shown on the consent page instead), if any. */
GPtrArray *_saphan_flow_compute_screens (SaphanSession            *session,
                                         const SaphanFormControl **out_consent);
/* Index of the screen with KEY in SCREENS, or -1. */
int        _saphan_flow_find_screen     (GPtrArray *screens, const char *key);
/* The last component of a path: "/data/g/consent" -> "consent". */
const char *_saphan_flow_ref_name       (const char *ref);

/* ---- The flow object, shared with saphan-form-flow-pages.c -------------- */

enum
{
  SIGNAL_FINISHED,
  SIGNAL_CANCELLED,
  SIGNAL_SUBMITTED,
  N_FLOW_SIGNALS
};

extern guint _saphan_form_flow_signals[N_FLOW_SIGNALS];

struct _SaphanFormFlow
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *overlay;
  GtkWidget *header_title;
  GtkWidget *language_button;
  GtkWidget *large_text_button;
  GtkWidget *cancel_button;
  GtkWidget *progress_label;
  GtkWidget *progress_bar;
  GtkWidget *stack;
  GtkWidget *question_scroller;
  GtkWidget *question_box;
  GtkWidget *error_summary;
  GtkWidget *review_scroller;
  GtkWidget *review_box;
  GtkWidget *consent_scroller;
  GtkWidget *consent_label;
  GtkWidget *consent_toggle;
  GtkWidget *consent_toggle_label;
  GtkWidget *message_box;
  GtkWidget *message_title;
  GtkWidget *message_body;
  GtkWidget *message_spinner;
  GtkWidget *retry_button;
  GtkWidget *finish_box;
  GtkWidget *finish_title;
  GtkWidget *receipt_caption;
  GtkWidget *receipt_label;
  GtkWidget *next_steps_label;
  GtkWidget *done_button;
  GtkWidget *nav_box;
  GtkWidget *back_button;
  GtkWidget *next_button;
  GtkWidget *keyboard;
  GtkWidget *idle_warning;
  GtkWidget *idle_title;
  GtkWidget *idle_body;
  GtkWidget *idle_countdown;
  GtkWidget *continue_button;

  /* Owned */
  SaphanStore   *store;
  char          *form_id;
  char          *language;      /* "th" or "en" */
  SaphanForm    *form;
  SaphanSession *session;
  char          *consent_setting; /* the store's "consent.text", or NULL */
  const SaphanFormControl *consent_control;
  char          *consent_ref;
  GCancellable  *cancellable;
  SaphanSpeaker *speaker;
  GSettings     *settings;
  GPtrArray     *screens;       /* of FlowScreen *, as last computed */
  GPtrArray     *views;         /* of SaphanQuestionView *, the screen shown */
  char          *current_key;   /* the question screen shown or last shown */
  char          *page;
  char          *receipt_number;
  char          *assisted_by;     /* staff id in assisted mode, else NULL */
  gboolean       return_to_review;
  gboolean       consent_given;
  gboolean       large_text;
  gboolean       compact;        /* typing on a short screen: keyboard and field only */
  gulong         changed_id;
  gulong         scroll_handler; /* on SCROLL_CLOCK's "after-paint" */
  GdkFrameClock *scroll_clock;   /* borrowed */

  /* Idle */
  guint          idle_ms;
  guint          warning_ms;
  gint64         last_activity;  /* monotonic microseconds */
  gint64         warning_started;
  guint          idle_source;
  gboolean       warning_shown;
};

/* saphan-form-flow.c */
void _saphan_form_flow_set_page        (SaphanFormFlow *self, const char *page);
void _saphan_form_flow_show_screen     (SaphanFormFlow *self, const char *key, gboolean focus_first);
void _saphan_form_flow_wipe            (SaphanFormFlow *self);
void _saphan_form_flow_update_chrome   (SaphanFormFlow *self);
void _saphan_form_flow_hide_keyboard   (SaphanFormFlow *self);
/* Wipes, then emits "finished" (FINISHED) or "cancelled". */
void _saphan_form_flow_finish          (SaphanFormFlow *self, gboolean finished);

/* saphan-form-flow-privacy.c: the idle guard and the wipe. */
void     _saphan_form_flow_arm_idle            (SaphanFormFlow *self);
void     _saphan_form_flow_continue_activated  (GtkWidget      *widget,
                                                const char     *action_name,
                                                GVariant       *parameter);
gboolean _saphan_form_flow_activity_cb         (GtkEventControllerLegacy *controller,
                                                GdkEvent                 *event,
                                                SaphanFormFlow           *self);
/* saphan-form-flow-pages.c: review, consent, submit, finish. */
void _saphan_form_flow_show_review     (SaphanFormFlow *self);
/* The answer at REF as the citizen gave it: choice labels, dates in their
 * calendar, "Not answered" for nothing. */
char *_saphan_form_flow_answer_text    (SaphanFormFlow *self, const SaphanFormControl *control,
                                        const char *ref);
void _saphan_form_flow_show_consent    (SaphanFormFlow *self);
void _saphan_form_flow_submit          (SaphanFormFlow *self);
void _saphan_form_flow_show_finish     (SaphanFormFlow *self);
char *_saphan_form_flow_itext          (SaphanFormFlow *self, const char *itext_id);

G_END_DECLS
