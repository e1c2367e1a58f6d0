/* saphan-form-tile.h: one service on the start page. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_FORM_TILE (saphan_form_tile_get_type ())
G_DECLARE_FINAL_TYPE (SaphanFormTile, saphan_form_tile, SAPHAN, FORM_TILE, GtkButton)

/* A large button that activates "win.open-form" with FORM_ID. */
GtkWidget *saphan_form_tile_new (const char *form_id, const char *title);
const char *saphan_form_tile_get_form_id (SaphanFormTile *self);
const char *saphan_form_tile_get_title (SaphanFormTile *self);

G_END_DECLS
