/* saphan-question-view.h: one question of the form, drawn from the engine. */
#pragma once

#include <gtk/gtk.h>

#include "saphan-keyboard.h"
#include "saphan-session.h"

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_QUESTION_INPUT_TEXT,     /* an entry typed on the on-screen keyboard */
  SAPHAN_QUESTION_INPUT_DATE,
  SAPHAN_QUESTION_INPUT_CHOICES,
  SAPHAN_QUESTION_INPUT_TRIGGER,  /* an "OK" to acknowledge */
  SAPHAN_QUESTION_INPUT_NOTE,     /* text only */
  SAPHAN_QUESTION_INPUT_STAFF,    /* cannot be answered here: ask staff */
  SAPHAN_QUESTION_INPUT_RANGE,    /* a SaphanRangeControl */
  SAPHAN_QUESTION_INPUT_RANK,     /* a SaphanRankList */
} SaphanQuestionInput;

#define SAPHAN_TYPE_QUESTION_VIEW (saphan_question_view_get_type ())
G_DECLARE_FINAL_TYPE (SaphanQuestionView, saphan_question_view, SAPHAN, QUESTION_VIEW, GtkWidget)

GtkWidget          *saphan_question_view_new        (SaphanSession           *session,
                                                     const SaphanFormControl *control,
                                                     const char              *ref);
const char         *saphan_question_view_get_ref    (SaphanQuestionView *self);
const SaphanFormControl *saphan_question_view_get_control (SaphanQuestionView *self);
SaphanQuestionInput saphan_question_view_get_input_kind (SaphanQuestionView *self);
/* The widget taking the answer: a GtkEntry (a SaphanTextArea for
 * appearance "multiline"; both are GtkEditable), SaphanDatePicker,
 * SaphanChoiceList, SaphanRangeControl, SaphanRankList or
 * GtkToggleButton; NULL for notes. */
GtkWidget          *saphan_question_view_get_input  (SaphanQuestionView *self);
/* The keyboard layout for a text input, chosen by type and appearance. */
SaphanKeyboardMode  saphan_question_view_get_keyboard_mode (SaphanQuestionView *self);
GtkWidget          *saphan_question_view_get_speaker_button (SaphanQuestionView *self);
/* The label as shown, for the review and the speaker. */
char               *saphan_question_view_dup_label  (SaphanQuestionView *self);
/* Labels, hints, outputs and choices again from the session, in its
 * current language; the answer shown follows the session too. */
void                saphan_question_view_refresh    (SaphanQuestionView *self,
                                                     gboolean            with_value);
/* Shows MESSAGE under the label (NULL hides it). */
void                saphan_question_view_set_error  (SaphanQuestionView *self,
                                                     const char         *message);
/* The error shown, or NULL. */
const char         *saphan_question_view_get_error  (SaphanQuestionView *self);
gboolean            saphan_question_view_focus_input (SaphanQuestionView *self);
/* Clears every text this view holds: for the next citizen. */
void                saphan_question_view_wipe       (SaphanQuestionView *self);

G_END_DECLS
