/* saphan-choice-list.h: a select's choices as large toggle buttons. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Lists longer than this get a search field. */
#define SAPHAN_CHOICE_LIST_SEARCH_THRESHOLD 12
/* At most this many buttons exist at once: a filter narrows the rest. */
#define SAPHAN_CHOICE_LIST_MAX_SHOWN 60

#define SAPHAN_TYPE_CHOICE_LIST (saphan_choice_list_get_type ())
G_DECLARE_FINAL_TYPE (SaphanChoiceList, saphan_choice_list, SAPHAN, CHOICE_LIST, GtkWidget)

/* MULTIPLE: checkbox-like (select); else radio-like (select1). */
GtkWidget  *saphan_choice_list_new          (gboolean          multiple);
/* CHOICES: SaphanChoice * as the session returns them (copied). */
void        saphan_choice_list_set_choices  (SaphanChoiceList *self,
                                             GPtrArray        *choices);
/* The answer: one value, or space-separated values for a select. */
void        saphan_choice_list_set_value    (SaphanChoiceList *self,
                                             const char       *value);
char       *saphan_choice_list_get_value    (SaphanChoiceList *self);
/* The search field, or NULL for a short list. */
GtkWidget  *saphan_choice_list_get_search   (SaphanChoiceList *self);
/* The toggle button shown for VALUE, or NULL when filtered out. */
GtkWidget  *saphan_choice_list_get_button   (SaphanChoiceList *self,
                                             const char       *value);
guint       saphan_choice_list_get_n_shown  (SaphanChoiceList *self);
/* The label of VALUE in the current language, or NULL. */
const char *saphan_choice_list_get_label    (SaphanChoiceList *self,
                                             const char       *value);
void        saphan_choice_list_set_accessible_label (SaphanChoiceList *self,
                                                     const char       *label);

G_END_DECLS
