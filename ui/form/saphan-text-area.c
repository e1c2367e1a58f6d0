/* saphan-text-area.c: a multi-line answer the on-screen keyboard types into.
 *
 * A long answer ("describe what happened") needs a text area that wraps,
 * but SaphanKeyboard types into a GtkEditable and GtkTextView is not one;
 * GtkEditable's delegation only forwards to another GtkEditable. So this
 * widget implements the interface itself over a GtkTextView's buffer:
 * offsets are characters, as in an entry, so the keyboard's numeric and
 * Thai input-sequence rules see the same text and cursor as they would in
 * a GtkEntry. Text typed on a hardware keyboard goes straight into the
 * view and reaches the form through the same "changed".
 */
#include "config.h"

#include "saphan-text-area.h"

struct _SaphanTextArea
{
  GtkWidget parent_instance;

  /* Owned (children) */
  GtkWidget *view;

  /* Borrowed */
  GtkTextBuffer *buffer;

  /* Owned */
  char *text;   /* the last text handed out by get_text */
};

static void saphan_text_area_editable_init (GtkEditableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SaphanTextArea, saphan_text_area, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_EDITABLE,
                                                      saphan_text_area_editable_init))

enum
{
  PROP_0,
  N_PROPS
};

static void
iter_at (SaphanTextArea *self, GtkTextIter *iter, int offset)
{
  if (offset < 0)
    gtk_text_buffer_get_end_iter (self->buffer, iter);
  else
    gtk_text_buffer_get_iter_at_offset (self->buffer, iter, offset);
}

static void
buffer_changed_cb (GtkTextBuffer *buffer, SaphanTextArea *self)
{
  g_signal_emit_by_name (self, "changed");
  g_object_notify (G_OBJECT (self), "text");
}

static void
mark_set_cb (GtkTextBuffer *buffer, const GtkTextIter *location, GtkTextMark *mark,
             SaphanTextArea *self)
{
  if (mark == gtk_text_buffer_get_insert (buffer))
    g_object_notify (G_OBJECT (self), "cursor-position");
  else if (mark == gtk_text_buffer_get_selection_bound (buffer))
    g_object_notify (G_OBJECT (self), "selection-bound");
}

/* ---- GtkEditable ---------------------------------------------------------- */

static const char *
saphan_text_area_get_text (GtkEditable *editable)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (editable);
  GtkTextIter start, end;

  /* The interface returns a borrowed string: keep the copy until the next
   * call. The old one is zeroed, as it may hold a citizen's words. */
  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  if (self->text != NULL)
    {
      memset (self->text, 0, strlen (self->text));
      g_free (self->text);
    }
  self->text = gtk_text_buffer_get_text (self->buffer, &start, &end, TRUE);
  return self->text;
}

static void
saphan_text_area_do_insert_text (GtkEditable *editable, const char *text, int length, int *position)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (editable);
  GtkTextIter iter;

  if (length < 0)
    length = strlen (text);
  iter_at (self, &iter, *position);
  gtk_text_buffer_insert (self->buffer, &iter, text, length);
  /* The iter now sits after the inserted text. */
  *position = gtk_text_iter_get_offset (&iter);
}

static void
saphan_text_area_do_delete_text (GtkEditable *editable, int start_pos, int end_pos)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (editable);
  GtkTextIter start, end;

  iter_at (self, &start, start_pos);
  iter_at (self, &end, end_pos);
  gtk_text_buffer_delete (self->buffer, &start, &end);
}

static gboolean
saphan_text_area_get_selection_bounds (GtkEditable *editable, int *start_pos, int *end_pos)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (editable);
  GtkTextIter insert, bound;

  gtk_text_buffer_get_iter_at_mark (self->buffer, &insert, gtk_text_buffer_get_insert (self->buffer));
  gtk_text_buffer_get_iter_at_mark (self->buffer, &bound,
                                    gtk_text_buffer_get_selection_bound (self->buffer));
  /* As in GtkText, the cursor is the end and the bound the start, so
   * gtk_editable_get_position() (the end) is where the cursor is. */
  *start_pos = gtk_text_iter_get_offset (&bound);
  *end_pos = gtk_text_iter_get_offset (&insert);
  return *start_pos != *end_pos;
}

static void
saphan_text_area_set_selection_bounds (GtkEditable *editable, int start_pos, int end_pos)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (editable);
  GtkTextIter insert, bound;

  iter_at (self, &bound, start_pos);
  iter_at (self, &insert, end_pos);
  gtk_text_buffer_select_range (self->buffer, &insert, &bound);
  gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (self->view), gtk_text_buffer_get_insert (self->buffer));
}

static void
saphan_text_area_editable_init (GtkEditableInterface *iface)
{
  iface->get_text = saphan_text_area_get_text;
  iface->do_insert_text = saphan_text_area_do_insert_text;
  iface->do_delete_text = saphan_text_area_do_delete_text;
  iface->get_selection_bounds = saphan_text_area_get_selection_bounds;
  iface->set_selection_bounds = saphan_text_area_set_selection_bounds;
}

/* ---- GObject and GtkWidget ------------------------------------------------ */

static void
saphan_text_area_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (object);
  int start, end;

  switch (prop_id - N_PROPS)
    {
    case GTK_EDITABLE_PROP_TEXT:
      g_value_set_string (value, saphan_text_area_get_text (GTK_EDITABLE (self)));
      break;
    case GTK_EDITABLE_PROP_CURSOR_POSITION:
      saphan_text_area_get_selection_bounds (GTK_EDITABLE (self), &start, &end);
      g_value_set_int (value, end);
      break;
    case GTK_EDITABLE_PROP_SELECTION_BOUND:
      saphan_text_area_get_selection_bounds (GTK_EDITABLE (self), &start, &end);
      g_value_set_int (value, start);
      break;
    case GTK_EDITABLE_PROP_EDITABLE:
      g_value_set_boolean (value, gtk_text_view_get_editable (GTK_TEXT_VIEW (self->view)));
      break;
    case GTK_EDITABLE_PROP_WIDTH_CHARS:
    case GTK_EDITABLE_PROP_MAX_WIDTH_CHARS:
      g_value_set_int (value, -1);
      break;
    case GTK_EDITABLE_PROP_XALIGN:
      g_value_set_float (value, 0);
      break;
    case GTK_EDITABLE_PROP_ENABLE_UNDO:
      g_value_set_boolean (value, gtk_text_buffer_get_enable_undo (self->buffer));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_text_area_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (object);

  switch (prop_id - N_PROPS)
    {
    case GTK_EDITABLE_PROP_TEXT:
      gtk_text_buffer_set_text (self->buffer, g_value_get_string (value) != NULL
                                                ? g_value_get_string (value) : "", -1);
      break;
    case GTK_EDITABLE_PROP_EDITABLE:
      gtk_text_view_set_editable (GTK_TEXT_VIEW (self->view), g_value_get_boolean (value));
      g_object_notify_by_pspec (object, pspec);
      break;
    case GTK_EDITABLE_PROP_ENABLE_UNDO:
      gtk_text_buffer_set_enable_undo (self->buffer, g_value_get_boolean (value));
      break;
    case GTK_EDITABLE_PROP_WIDTH_CHARS:
    case GTK_EDITABLE_PROP_MAX_WIDTH_CHARS:
    case GTK_EDITABLE_PROP_XALIGN:
      /* The area fills its width and wraps: nothing to size by. */
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
saphan_text_area_grab_focus (GtkWidget *widget)
{
  /* The view takes the keys; the focus rectangle is drawn around the area. */
  return gtk_widget_grab_focus (SAPHAN_TEXT_AREA (widget)->view);
}

static void
saphan_text_area_dispose (GObject *object)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (object);

  if (self->buffer != NULL)
    g_signal_handlers_disconnect_by_data (self->buffer, self);
  self->buffer = NULL;
  g_clear_pointer (&self->view, gtk_widget_unparent);
  G_OBJECT_CLASS (saphan_text_area_parent_class)->dispose (object);
}

static void
saphan_text_area_finalize (GObject *object)
{
  SaphanTextArea *self = SAPHAN_TEXT_AREA (object);

  if (self->text != NULL)
    memset (self->text, 0, strlen (self->text));
  g_free (self->text);
  G_OBJECT_CLASS (saphan_text_area_parent_class)->finalize (object);
}

static void
saphan_text_area_class_init (SaphanTextAreaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = saphan_text_area_get_property;
  object_class->set_property = saphan_text_area_set_property;
  object_class->dispose = saphan_text_area_dispose;
  object_class->finalize = saphan_text_area_finalize;
  widget_class->grab_focus = saphan_text_area_grab_focus;

  gtk_editable_install_properties (object_class, N_PROPS);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "textarea");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_text_area_init (SaphanTextArea *self)
{
  self->view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self->view), FALSE);
  gtk_widget_set_hexpand (self->view, TRUE);
  gtk_widget_set_parent (self->view, GTK_WIDGET (self));
  self->buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));
  /* The kiosk offers no undo, and an undo stack would keep the words of
   * a citizen after the wipe has emptied the buffer. */
  gtk_text_buffer_set_enable_undo (self->buffer, FALSE);
  g_signal_connect (self->buffer, "changed", G_CALLBACK (buffer_changed_cb), self);
  g_signal_connect (self->buffer, "mark-set", G_CALLBACK (mark_set_cb), self);
}

GtkWidget *
saphan_text_area_new (void)
{
  return g_object_new (SAPHAN_TYPE_TEXT_AREA, NULL);
}

GtkWidget *
saphan_text_area_get_view (SaphanTextArea *self)
{
  g_return_val_if_fail (SAPHAN_IS_TEXT_AREA (self), NULL);
  return self->view;
}
