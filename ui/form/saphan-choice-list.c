/* saphan-choice-list.c: a select's choices as large toggle buttons.
 *
 * select1 behaves like radio buttons and select like checkboxes, but every
 * choice is a whole-width button a finger cannot miss. Long lists (the
 * address cascades have hundreds of subdistricts) get a search field; the
 * labels are case-folded once, and only the first matches become buttons,
 * so each keystroke costs a string scan and a few dozen widgets at most.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-choice-list.h"
#include "saphan-session.h"

typedef struct
{
  char *value;
  char *label;
  char *folded;   /* label normalized and case-folded, for the search */
} Choice;

struct _SaphanChoiceList
{
  GtkWidget parent_instance;

  /* Owned (children) */
  GtkWidget *search;
  GtkWidget *count_label;
  GtkWidget *flow;

  /* Owned */
  GPtrArray  *choices;    /* of Choice * */
  GHashTable *selected;   /* value -> NULL */
  GHashTable *buttons;    /* value -> GtkToggleButton, borrowed from FLOW */
  GPtrArray  *pending;    /* Choice * (borrowed) still to get a button */
  guint       pending_source;
  gboolean    multiple;
  gboolean    updating;
};

G_DEFINE_FINAL_TYPE (SaphanChoiceList, saphan_choice_list, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
choice_free (Choice *choice)
{
  g_free (choice->value);
  g_free (choice->label);
  g_free (choice->folded);
  g_free (choice);
}

static char *
fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text != NULL ? text : "", -1, G_NORMALIZE_ALL);

  return g_utf8_casefold (normalized != NULL ? normalized : "", -1);
}

static void
sync_buttons (SaphanChoiceList *self)
{
  GHashTableIter iter;
  gpointer value, button;

  self->updating = TRUE;
  g_hash_table_iter_init (&iter, self->buttons);
  while (g_hash_table_iter_next (&iter, &value, &button))
    {
      gboolean active = g_hash_table_contains (self->selected, value);

      /* GtkToggleButton reports itself pressed or not to assistive
       * technology on its own. */
      gtk_toggle_button_set_active (button, active);
    }
  self->updating = FALSE;
}

static void
button_toggled_cb (GtkToggleButton *button, SaphanChoiceList *self)
{
  const char *value = g_object_get_data (G_OBJECT (button), "saphan-choice-value");
  gboolean active = gtk_toggle_button_get_active (button);

  if (self->updating)
    return;
  if (self->multiple)
    {
      if (active)
        g_hash_table_add (self->selected, g_strdup (value));
      else
        g_hash_table_remove (self->selected, value);
    }
  else if (active)
    {
      g_hash_table_remove_all (self->selected);
      g_hash_table_add (self->selected, g_strdup (value));
    }
  else
    {
      /* A radio stays on when tapped again; only another choice moves it. */
      sync_buttons (self);
      return;
    }
  sync_buttons (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static GtkWidget *
make_button (SaphanChoiceList *self, Choice *choice)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  /* The mark only draws the state the button already exposes as pressed:
   * a screen reader must not announce it as an image of its own. */
  GtkWidget *mark = g_object_new (GTK_TYPE_IMAGE, "accessible-role",
                                  GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
  GtkWidget *label = gtk_label_new (choice->label);

  gtk_widget_add_css_class (mark, self->multiple ? "choice-check" : "choice-radio");
  gtk_widget_add_css_class (mark, "choice-mark");
  gtk_widget_set_valign (mark, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (mark, GTK_ALIGN_CENTER);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), mark);
  gtk_box_append (GTK_BOX (box), label);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "choice");
  gtk_widget_set_hexpand (button, TRUE);
  g_object_set_data_full (G_OBJECT (button), "saphan-choice-value", g_strdup (choice->value),
                          g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  choice->label, -1);
  g_signal_connect (button, "toggled", G_CALLBACK (button_toggled_cb), self);
  return button;
}

static void
add_button (SaphanChoiceList *self, Choice *choice)
{
  GtkWidget *button = make_button (self, choice);

  gtk_box_append (GTK_BOX (self->flow), button);
  g_hash_table_insert (self->buttons, choice->value, button);
}

/* The buttons below the first screenful arrive after the first frame, so
 * that Next shows a long list without waiting for all of it. */
static gboolean
add_pending_cb (gpointer user_data)
{
  SaphanChoiceList *self = user_data;

  for (guint i = 0; i < self->pending->len; i++)
    add_button (self, self->pending->pdata[i]);
  g_ptr_array_set_size (self->pending, 0);
  sync_buttons (self);
  self->pending_source = 0;
  return G_SOURCE_REMOVE;
}

/* Rebuilds the buttons for the choices matching the search: selected
 * choices always stay, so the answer is visible whatever was typed. */
static void
refilter (SaphanChoiceList *self)
{
  g_autofree char *needle = NULL;
  GtkWidget *child;
  guint shown = 0, matches = 0;

  if (self->search != NULL)
    needle = fold (gtk_editable_get_text (GTK_EDITABLE (self->search)));

  g_clear_handle_id (&self->pending_source, g_source_remove);
  g_ptr_array_set_size (self->pending, 0);
  g_hash_table_remove_all (self->buttons);
  while ((child = gtk_widget_get_first_child (self->flow)) != NULL)
    gtk_box_remove (GTK_BOX (self->flow), child);

  for (guint i = 0; i < self->choices->len; i++)
    {
      Choice *choice = self->choices->pdata[i];
      gboolean selected = g_hash_table_contains (self->selected, choice->value);
      gboolean match = needle == NULL || *needle == '\0' || strstr (choice->folded, needle) != NULL;

      if (!match && !selected)
        continue;
      matches++;
      if (shown >= SAPHAN_CHOICE_LIST_MAX_SHOWN && !selected)
        continue;
      if (shown < SAPHAN_CHOICE_LIST_SEARCH_THRESHOLD)
        add_button (self, choice);
      else
        g_ptr_array_add (self->pending, choice);
      shown++;
    }
  sync_buttons (self);
  /* A short delay lets the first frame through before the rest is built. */
  if (self->pending->len > 0)
    self->pending_source = g_timeout_add (40, add_pending_cb, self);

  if (self->count_label != NULL)
    {
      g_autofree char *text = NULL;

      if (matches == 0)
        text = g_strdup (_("Nothing matches. Try fewer letters."));
      else if (matches > shown)
        text = g_strdup_printf (_("Showing %u of %u. Type more letters to narrow the list."),
                                shown, matches);
      else
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u choice", "%u choices", matches),
                                matches);
      gtk_label_set_text (GTK_LABEL (self->count_label), text);
    }
}

static void
search_changed_cb (GtkEditable *editable, SaphanChoiceList *self)
{
  refilter (self);
}

static void
saphan_choice_list_dispose (GObject *object)
{
  SaphanChoiceList *self = SAPHAN_CHOICE_LIST (object);
  GtkWidget *child;

  g_clear_handle_id (&self->pending_source, g_source_remove);
  g_clear_pointer (&self->buttons, g_hash_table_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->search = self->count_label = self->flow = NULL;
  G_OBJECT_CLASS (saphan_choice_list_parent_class)->dispose (object);
}

static void
saphan_choice_list_finalize (GObject *object)
{
  SaphanChoiceList *self = SAPHAN_CHOICE_LIST (object);

  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->choices, g_ptr_array_unref);
  g_clear_pointer (&self->selected, g_hash_table_unref);
  G_OBJECT_CLASS (saphan_choice_list_parent_class)->finalize (object);
}

static void
saphan_choice_list_class_init (SaphanChoiceListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = saphan_choice_list_dispose;
  object_class->finalize = saphan_choice_list_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "choicelist");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_choice_list_init (SaphanChoiceList *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 8);

  self->choices = g_ptr_array_new_with_free_func ((GDestroyNotify) choice_free);
  self->selected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->buttons = g_hash_table_new (g_str_hash, g_str_equal);
  self->pending = g_ptr_array_new ();

  /* One column, as GOV.UK lays out radios: a flow box of wrapping labels
   * measures every child at many widths and made long lists slow. */
  self->flow = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_set_parent (self->flow, GTK_WIDGET (self));
}

GtkWidget *
saphan_choice_list_new (gboolean multiple)
{
  SaphanChoiceList *self = g_object_new (SAPHAN_TYPE_CHOICE_LIST, NULL);

  self->multiple = multiple;
  return GTK_WIDGET (self);
}

void
saphan_choice_list_set_choices (SaphanChoiceList *self, GPtrArray *choices)
{
  g_return_if_fail (SAPHAN_IS_CHOICE_LIST (self));

  g_ptr_array_set_size (self->choices, 0);
  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      SaphanChoice *source = choices->pdata[i];
      Choice *choice = g_new0 (Choice, 1);

      choice->value = g_strdup (source->value);
      choice->label = g_strdup (source->label != NULL && *source->label != '\0' ? source->label
                                                                                : source->value);
      choice->folded = fold (choice->label);
      g_ptr_array_add (self->choices, choice);
    }

  /* The search field comes and goes with the length of the list: an
   * itemset filtered by an earlier answer may shrink or grow. */
  if (self->choices->len > SAPHAN_CHOICE_LIST_SEARCH_THRESHOLD && self->search == NULL)
    {
      self->search = gtk_search_entry_new ();
      gtk_widget_add_css_class (self->search, "choice-search");
      g_object_set (self->search, "placeholder-text", _("Type to find in the list"), NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->search),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search the list"), -1);
      gtk_widget_insert_after (self->search, GTK_WIDGET (self), NULL);
      self->count_label = gtk_label_new (NULL);
      gtk_widget_add_css_class (self->count_label, "choice-count");
      gtk_label_set_xalign (GTK_LABEL (self->count_label), 0);
      gtk_label_set_wrap (GTK_LABEL (self->count_label), TRUE);
      gtk_widget_insert_after (self->count_label, GTK_WIDGET (self), self->search);
      g_signal_connect (self->search, "changed", G_CALLBACK (search_changed_cb), self);
    }
  else if (self->choices->len <= SAPHAN_CHOICE_LIST_SEARCH_THRESHOLD && self->search != NULL)
    {
      g_clear_pointer (&self->search, gtk_widget_unparent);
      g_clear_pointer (&self->count_label, gtk_widget_unparent);
    }
  refilter (self);
}

void
saphan_choice_list_set_value (SaphanChoiceList *self, const char *value)
{
  g_auto (GStrv) values = NULL;

  g_return_if_fail (SAPHAN_IS_CHOICE_LIST (self));

  g_hash_table_remove_all (self->selected);
  values = g_strsplit_set (value != NULL ? value : "", " ", -1);
  for (guint i = 0; values[i] != NULL; i++)
    if (*values[i] != '\0')
      g_hash_table_add (self->selected, g_strdup (values[i]));
  refilter (self);
}

char *
saphan_choice_list_get_value (SaphanChoiceList *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (SAPHAN_IS_CHOICE_LIST (self), NULL);

  /* In the order of the choices, as ODK writes a select's answer. */
  for (guint i = 0; i < self->choices->len; i++)
    {
      Choice *choice = self->choices->pdata[i];

      if (!g_hash_table_contains (self->selected, choice->value))
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, choice->value);
    }
  return g_string_free (out, FALSE);
}

GtkWidget *
saphan_choice_list_get_search (SaphanChoiceList *self)
{
  g_return_val_if_fail (SAPHAN_IS_CHOICE_LIST (self), NULL);
  return self->search;
}

GtkWidget *
saphan_choice_list_get_button (SaphanChoiceList *self, const char *value)
{
  g_return_val_if_fail (SAPHAN_IS_CHOICE_LIST (self), NULL);
  return g_hash_table_lookup (self->buttons, value);
}

guint
saphan_choice_list_get_n_shown (SaphanChoiceList *self)
{
  g_return_val_if_fail (SAPHAN_IS_CHOICE_LIST (self), 0);
  return g_hash_table_size (self->buttons) + self->pending->len;
}

const char *
saphan_choice_list_get_label (SaphanChoiceList *self, const char *value)
{
  g_return_val_if_fail (SAPHAN_IS_CHOICE_LIST (self), NULL);

  for (guint i = 0; i < self->choices->len; i++)
    {
      Choice *choice = self->choices->pdata[i];

      if (g_strcmp0 (choice->value, value) == 0)
        return choice->label;
    }
  return NULL;
}

void
saphan_choice_list_set_accessible_label (SaphanChoiceList *self, const char *label)
{
  g_return_if_fail (SAPHAN_IS_CHOICE_LIST (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}
