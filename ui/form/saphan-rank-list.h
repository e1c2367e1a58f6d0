/* saphan-rank-list.h: the choices of an odk:rank question put in order by touch. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_RANK_LIST (saphan_rank_list_get_type ())
G_DECLARE_FINAL_TYPE (SaphanRankList, saphan_rank_list, SAPHAN, RANK_LIST, GtkWidget)

GtkWidget *saphan_rank_list_new         (void);
/* CHOICES: SaphanChoice * from saphan_session_get_choices(); copied. */
void       saphan_rank_list_set_choices (SaphanRankList *self,
                                         GPtrArray      *choices);
/* The choice values in rank order, space-separated, or NULL while the
 * citizen has not touched the list nor kept its order. */
char      *saphan_rank_list_get_value   (SaphanRankList *self);
/* Orders the list by VALUE (choices it leaves out follow in the form's
 * order); NULL or "" shows the form's order, not yet ranked. */
void       saphan_rank_list_set_value   (SaphanRankList *self,
                                         const char     *value);
/* The "move up" (UP) or "move down" button of the choice VALUE. */
GtkWidget *saphan_rank_list_get_button  (SaphanRankList *self,
                                         const char     *value,
                                         gboolean        up);
/* "Keep this order". */
GtkWidget *saphan_rank_list_get_keep_button (SaphanRankList *self);

G_END_DECLS
