/* saphan-column.h: a column of widgets whose width does not depend on its height. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_COLUMN (saphan_column_get_type ())
G_DECLARE_FINAL_TYPE (SaphanColumn, saphan_column, SAPHAN, COLUMN, GtkWidget)

GtkWidget *saphan_column_new (int spacing);

int saphan_column_get_spacing (SaphanColumn *self);
void saphan_column_set_spacing (SaphanColumn *self, int spacing);

G_END_DECLS
