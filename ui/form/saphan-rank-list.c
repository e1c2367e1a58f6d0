/* saphan-rank-list.c: the choices of an odk:rank question put in order by touch.
 *
 * Dragging is hard for an unsteady finger and impossible for a switch or
 * screen-reader user, so every choice has its place number and two large
 * buttons, "move up" and "move down". As in ODK Collect, the question has
 * no answer until the citizen has ranked: the value stays empty (a required
 * rank stays unanswered) until a move, or until "Keep this order" accepts
 * the order shown. The answer is the choice values in rank order,
 * separated by spaces, which is what the engine and ODK servers expect.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-rank-list.h"
#include "saphan-session.h"

typedef struct
{
  char *value;
  char *label;
} RankItem;

struct _SaphanRankList
{
  GtkWidget parent_instance;

  /* Owned (children) */
  GtkWidget *rows;
  GtkWidget *keep_button;

  /* Owned */
  GPtrArray *items;     /* of RankItem *, in rank order */
  gboolean   ranked;    /* touched or kept: the order is an answer */
};

G_DEFINE_FINAL_TYPE (SaphanRankList, saphan_rank_list, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
rank_item_free (RankItem *item)
{
  g_free (item->value);
  g_free (item->label);
  g_free (item);
}

static int
find_item (SaphanRankList *self, const char *value)
{
  for (guint i = 0; i < self->items->len; i++)
    if (g_strcmp0 (((RankItem *) self->items->pdata[i])->value, value) == 0)
      return i;
  return -1;
}

static GtkWidget *
make_move_button (const char *icon, const char *name, const char *value, const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_add_css_class (button, "rank-move");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return button;
}

/* Rebuilds the rows: a handful of choices, so rebuilding is cheaper to
 * reason about than moving widgets, and the focus is put back on the
 * button that was pressed so a keyboard user can keep moving the item. */
static void
rebuild (SaphanRankList *self, const char *focus_value, gboolean focus_up)
{
  GtkWidget *child;
  GtkWidget *focus = NULL;

  while ((child = gtk_widget_get_first_child (self->rows)) != NULL)
    gtk_box_remove (GTK_BOX (self->rows), child);

  for (guint i = 0; i < self->items->len; i++)
    {
      RankItem *item = self->items->pdata[i];
      GtkWidget *row = g_object_new (GTK_TYPE_BOX, "orientation", GTK_ORIENTATION_HORIZONTAL,
                                     "spacing", 12, "accessible-role", GTK_ACCESSIBLE_ROLE_LIST_ITEM,
                                     NULL);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      GtkWidget *position = gtk_label_new (number);
      GtkWidget *label = gtk_label_new (item->label);
      g_autofree char *up_name = g_strdup_printf (_("Move up: %s"), item->label);
      g_autofree char *down_name = g_strdup_printf (_("Move down: %s"), item->label);
      g_autofree char *row_name = g_strdup_printf (_("%u: %s"), i + 1, item->label);
      GtkWidget *up = make_move_button ("go-up-symbolic", up_name, item->value, "rank.up");
      GtkWidget *down = make_move_button ("go-down-symbolic", down_name, item->value, "rank.down");

      gtk_widget_add_css_class (row, "rank-item");
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, row_name, -1);
      gtk_widget_add_css_class (position, "rank-position");
      gtk_widget_set_valign (position, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (label, "rank-label");
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_set_valign (up, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (down, GTK_ALIGN_CENTER);
      gtk_widget_set_sensitive (up, i > 0);
      gtk_widget_set_sensitive (down, i + 1 < self->items->len);
      gtk_box_append (GTK_BOX (row), position);
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (row), up);
      gtk_box_append (GTK_BOX (row), down);
      gtk_box_append (GTK_BOX (self->rows), row);
      if (focus_value != NULL && g_str_equal (focus_value, item->value))
        focus = focus_up ? up : down;
    }

  if (self->ranked)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ranked");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "ranked");
  gtk_button_set_label (GTK_BUTTON (self->keep_button),
                        self->ranked ? _("Order kept") : _("Keep this order"));
  gtk_widget_set_sensitive (self->keep_button, !self->ranked);
  if (focus != NULL && gtk_widget_get_sensitive (focus))
    gtk_widget_grab_focus (focus);
  else if (focus != NULL)
    gtk_widget_grab_focus (focus_up ? gtk_widget_get_next_sibling (focus)
                                    : gtk_widget_get_prev_sibling (focus));
}

static void
move (SaphanRankList *self, const char *value, int by)
{
  int from = find_item (self, value);
  int to = from + by;
  gpointer item;

  if (from < 0 || to < 0 || to >= (int) self->items->len)
    return;
  item = g_ptr_array_steal_index (self->items, from);
  g_ptr_array_insert (self->items, to, item);
  self->ranked = TRUE;
  rebuild (self, value, by < 0);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
move_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  move (SAPHAN_RANK_LIST (widget), g_variant_get_string (parameter, NULL),
        g_str_equal (action_name, "rank.up") ? -1 : 1);
}

static void
keep_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanRankList *self = SAPHAN_RANK_LIST (widget);

  if (self->ranked || self->items->len == 0)
    return;
  self->ranked = TRUE;
  rebuild (self, NULL, FALSE);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
saphan_rank_list_dispose (GObject *object)
{
  SaphanRankList *self = SAPHAN_RANK_LIST (object);

  g_clear_pointer (&self->rows, gtk_widget_unparent);
  g_clear_pointer (&self->keep_button, gtk_widget_unparent);
  G_OBJECT_CLASS (saphan_rank_list_parent_class)->dispose (object);
}

static void
saphan_rank_list_finalize (GObject *object)
{
  SaphanRankList *self = SAPHAN_RANK_LIST (object);

  g_ptr_array_unref (self->items);
  G_OBJECT_CLASS (saphan_rank_list_parent_class)->finalize (object);
}

static void
saphan_rank_list_class_init (SaphanRankListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_rank_list_dispose;
  object_class->finalize = saphan_rank_list_finalize;

  /* Emitted when a move or "Keep this order" changes the answer. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "rank.up", "s", move_action);
  gtk_widget_class_install_action (widget_class, "rank.down", "s", move_action);
  gtk_widget_class_install_action (widget_class, "rank.keep", NULL, keep_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ranklist");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_rank_list_init (SaphanRankList *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) rank_item_free);
  /* A screen reader announces "list, 4 items" and each place. */
  self->rows = g_object_new (GTK_TYPE_BOX, "orientation", GTK_ORIENTATION_VERTICAL, "spacing", 8,
                             "accessible-role", GTK_ACCESSIBLE_ROLE_LIST, NULL);
  gtk_widget_set_parent (self->rows, GTK_WIDGET (self));
  self->keep_button = gtk_button_new_with_label (_("Keep this order"));
  gtk_widget_add_css_class (self->keep_button, "rank-keep");
  gtk_widget_set_halign (self->keep_button, GTK_ALIGN_START);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->keep_button), "rank.keep");
  gtk_widget_set_parent (self->keep_button, GTK_WIDGET (self));
}

GtkWidget *
saphan_rank_list_new (void)
{
  return g_object_new (SAPHAN_TYPE_RANK_LIST, NULL);
}

void
saphan_rank_list_set_choices (SaphanRankList *self, GPtrArray *choices)
{
  g_autofree char *value = NULL;

  g_return_if_fail (SAPHAN_IS_RANK_LIST (self));

  /* A new language relabels the same choices: keep the citizen's order. */
  value = self->ranked ? saphan_rank_list_get_value (self) : NULL;
  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      SaphanChoice *choice = choices->pdata[i];
      RankItem *item = g_new0 (RankItem, 1);

      item->value = g_strdup (choice->value);
      item->label = g_strdup (choice->label != NULL && *choice->label != '\0' ? choice->label
                                                                              : choice->value);
      g_ptr_array_add (self->items, item);
    }
  saphan_rank_list_set_value (self, value);
}

char *
saphan_rank_list_get_value (SaphanRankList *self)
{
  GString *value;

  g_return_val_if_fail (SAPHAN_IS_RANK_LIST (self), NULL);

  if (!self->ranked)
    return NULL;
  value = g_string_new (NULL);
  for (guint i = 0; i < self->items->len; i++)
    {
      if (i > 0)
        g_string_append_c (value, ' ');
      g_string_append (value, ((RankItem *) self->items->pdata[i])->value);
    }
  return g_string_free (value, FALSE);
}

void
saphan_rank_list_set_value (SaphanRankList *self, const char *value)
{
  g_auto (GStrv) values = NULL;
  guint placed = 0;

  g_return_if_fail (SAPHAN_IS_RANK_LIST (self));

  self->ranked = value != NULL && *value != '\0';
  values = g_strsplit_set (value != NULL ? value : "", " \t\n", -1);
  for (char **v = values; *v != NULL; v++)
    {
      int at = **v != '\0' ? find_item (self, *v) : -1;

      if (at >= (int) placed)
        {
          gpointer item = g_ptr_array_steal_index (self->items, at);

          g_ptr_array_insert (self->items, placed++, item);
        }
    }
  rebuild (self, NULL, FALSE);
}

GtkWidget *
saphan_rank_list_get_button (SaphanRankList *self, const char *value, gboolean up)
{
  int at;
  GtkWidget *row;

  g_return_val_if_fail (SAPHAN_IS_RANK_LIST (self), NULL);

  at = find_item (self, value);
  if (at < 0)
    return NULL;
  row = gtk_widget_get_first_child (self->rows);
  for (int i = 0; i < at; i++)
    row = gtk_widget_get_next_sibling (row);
  /* Position, label, up, down. */
  return up ? gtk_widget_get_prev_sibling (gtk_widget_get_last_child (row))
            : gtk_widget_get_last_child (row);
}

GtkWidget *
saphan_rank_list_get_keep_button (SaphanRankList *self)
{
  g_return_val_if_fail (SAPHAN_IS_RANK_LIST (self), NULL);
  return self->keep_button;
}
