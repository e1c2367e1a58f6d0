/* saphan-keyboard.c - the kiosk's on-screen keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The kiosk runs under a compositor without input methods, so the keyboard
 * is part of the application: it types into a GtkEditable it is pointed
 * at, and never takes the focus away from it. Every key goes through a
 * widget action, so the tests press keys exactly as a finger does.
 */

#define G_LOG_DOMAIN "saphan-keyboard"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "saphan-keyboard-private.h"
#include "saphan-keyboard-resources.h"

/* Long enough to be seen on a touch screen, short enough not to linger
 * into the next keystroke. */
#define FEEDBACK_MS 400

#define STYLE_DATA_KEY "saphan-keyboard-style"
#define STYLE_RESOURCE "/org/saphan/Kiosk/keyboard/saphan-keyboard.css"

struct _SaphanKeyboard
{
  GtkWidget parent_instance;

  /* Owned */
  GtkWidget *grid;
  GPtrArray *keys;
  guint feedback_source;

  /* Borrowed */
  GtkEditable *target;
  GtkWidget *rejected_button;

  SaphanKeyboardMode mode;
  SaphanKeyboardShift shift;
};

G_DEFINE_FINAL_TYPE (SaphanKeyboard, saphan_keyboard, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MODE,
  PROP_TARGET,
  PROP_SHIFT,
  N_PROPS
};

enum
{
  DONE,
  REJECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GType
saphan_keyboard_mode_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { SAPHAN_KEYBOARD_MODE_TEXT_TH, "SAPHAN_KEYBOARD_MODE_TEXT_TH", "text-th" },
        { SAPHAN_KEYBOARD_MODE_TEXT_EN, "SAPHAN_KEYBOARD_MODE_TEXT_EN", "text-en" },
        { SAPHAN_KEYBOARD_MODE_INTEGER, "SAPHAN_KEYBOARD_MODE_INTEGER", "integer" },
        { SAPHAN_KEYBOARD_MODE_DECIMAL, "SAPHAN_KEYBOARD_MODE_DECIMAL", "decimal" },
        { SAPHAN_KEYBOARD_MODE_PHONE, "SAPHAN_KEYBOARD_MODE_PHONE", "phone" },
        { SAPHAN_KEYBOARD_MODE_NATIONAL_ID, "SAPHAN_KEYBOARD_MODE_NATIONAL_ID", "national-id" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("SaphanKeyboardMode"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

GType
saphan_keyboard_shift_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { SAPHAN_KEYBOARD_SHIFT_OFF, "SAPHAN_KEYBOARD_SHIFT_OFF", "off" },
        { SAPHAN_KEYBOARD_SHIFT_ONCE, "SAPHAN_KEYBOARD_SHIFT_ONCE", "once" },
        { SAPHAN_KEYBOARD_SHIFT_LOCKED, "SAPHAN_KEYBOARD_SHIFT_LOCKED", "locked" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("SaphanKeyboardShift"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

static gboolean
mode_is_text (SaphanKeyboardMode mode)
{
  return mode == SAPHAN_KEYBOARD_MODE_TEXT_TH || mode == SAPHAN_KEYBOARD_MODE_TEXT_EN;
}

static const char *
key_output (SaphanKeyboard *self, const SaphanKey *key)
{
  if (key->shifted == NULL)
    return key->base;

  switch (self->shift)
    {
    case SAPHAN_KEYBOARD_SHIFT_ONCE:
      return key->shifted;
    case SAPHAN_KEYBOARD_SHIFT_LOCKED:
      return key->follows_lock ? key->shifted : key->base;
    case SAPHAN_KEYBOARD_SHIFT_OFF:
    default:
      return key->base;
    }
}

static const char *
keypad_symbol_name (const char *output)
{
  if (g_str_equal (output, "-"))
    return _ ("Minus");
  if (g_str_equal (output, "+"))
    return _ ("Plus");
  if (g_str_equal (output, "."))
    return _ ("Decimal point");

  return NULL;
}

static SaphanKey *
find_key (SaphanKeyboard *self, const char *id)
{
  for (guint i = 0; i < self->keys->len; i++)
    {
      SaphanKey *key = self->keys->pdata[i];

      if (key->button != NULL && g_strcmp0 (key->id, id) == 0)
        return key;
    }

  return NULL;
}

static void
set_accessible_label (GtkWidget *button, const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
update_key (SaphanKeyboard *self, SaphanKey *key)
{
  GtkWidget *button = key->button;

  switch (key->kind)
    {
    case SAPHAN_KEY_CHAR:
      {
        const char *output = key_output (self, key);
        g_autofree char *display = NULL;
        const char *name;

        if (g_strcmp0 (output, " ") == 0)
          {
            gtk_button_set_label (GTK_BUTTON (button), _ ("Space"));
            set_accessible_label (button, _ ("Space"));
            break;
          }

        if (!mode_is_text (self->mode) && keypad_symbol_name (output) != NULL)
          {
            /* On a keypad the signs stand alone, so they get a true minus
             * sign and a spoken name rather than a bare punctuation mark. */
            gtk_button_set_label (GTK_BUTTON (button),
                                  g_str_equal (output, "-") ? "\u2212" : output);
            set_accessible_label (button, keypad_symbol_name (output));
            break;
          }

        display = _saphan_keyboard_display_text (output);
        gtk_button_set_label (GTK_BUTTON (button), display);
        name = _saphan_keyboard_mark_name (g_utf8_get_char (output));
        set_accessible_label (button, name != NULL ? name : output);
      }
      break;

    case SAPHAN_KEY_SHIFT:
      /* The arrow is drawn hollow while off and the key is tinted by CSS
       * while latched or locked; the accessible state says the same. */
      gtk_button_set_label (GTK_BUTTON (button), "\u21E7");
      set_accessible_label (button, _ ("Shift"));
      if (self->shift == SAPHAN_KEYBOARD_SHIFT_ONCE)
        gtk_widget_add_css_class (button, "latched");
      else
        gtk_widget_remove_css_class (button, "latched");
      if (self->shift == SAPHAN_KEYBOARD_SHIFT_LOCKED)
        gtk_widget_add_css_class (button, "locked");
      else
        gtk_widget_remove_css_class (button, "locked");
      gtk_accessible_update_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_PRESSED,
                                   self->shift == SAPHAN_KEYBOARD_SHIFT_OFF
                                       ? GTK_ACCESSIBLE_TRISTATE_FALSE
                                       : GTK_ACCESSIBLE_TRISTATE_TRUE,
                                   -1);
      break;

    case SAPHAN_KEY_BACKSPACE:
      gtk_button_set_label (GTK_BUTTON (button), "\u232B");
      set_accessible_label (button, _ ("Backspace"));
      break;

    case SAPHAN_KEY_SWITCH:
      /* The key names the layout it leads to, in that layout's script, so
       * that a person who cannot read the current one still finds it. */
      if (self->mode == SAPHAN_KEYBOARD_MODE_TEXT_TH)
        {
          gtk_button_set_label (GTK_BUTTON (button), "ABC");
          set_accessible_label (button, _ ("Switch to English"));
        }
      else
        {
          gtk_button_set_label (GTK_BUTTON (button), "ไทย");
          set_accessible_label (button, _ ("Switch to Thai"));
        }
      break;

    case SAPHAN_KEY_DONE:
      gtk_button_set_label (GTK_BUTTON (button), _ ("Done"));
      set_accessible_label (button, _ ("Done"));
      break;

    case SAPHAN_KEY_GAP:
    default:
      g_assert_not_reached ();
    }
}

static void
update_keys (SaphanKeyboard *self)
{
  for (guint i = 0; i < self->keys->len; i++)
    {
      SaphanKey *key = self->keys->pdata[i];

      if (key->button != NULL)
        update_key (self, key);
    }
}

static void
set_shift (SaphanKeyboard *self, SaphanKeyboardShift shift)
{
  if (self->shift == shift)
    return;

  self->shift = shift;
  update_keys (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHIFT]);
}

static void
clear_feedback (SaphanKeyboard *self)
{
  g_clear_handle_id (&self->feedback_source, g_source_remove);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "rejected");
  if (self->rejected_button != NULL)
    gtk_widget_remove_css_class (self->rejected_button, "rejected");
  self->rejected_button = NULL;
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_INVALID);
}

static gboolean
feedback_done_cb (gpointer user_data)
{
  SaphanKeyboard *self = user_data;

  self->feedback_source = 0;
  clear_feedback (self);
  return G_SOURCE_REMOVE;
}

/* A refused key does nothing to the text. The key and the keyboard flash
 * through a CSS class, and the keyboard is marked invalid for assistive
 * technology for the same moment, so that the refusal is noticed without
 * a sound or a dialog in a public office. */
static void
reject (SaphanKeyboard *self, const char *key_id, GtkWidget *button)
{
  clear_feedback (self);

  gtk_widget_add_css_class (GTK_WIDGET (self), "rejected");
  if (button != NULL)
    {
      gtk_widget_add_css_class (button, "rejected");
      self->rejected_button = button;
    }
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_INVALID,
                               GTK_ACCESSIBLE_INVALID_TRUE, -1);
  self->feedback_source = g_timeout_add (FEEDBACK_MS, feedback_done_cb, self);

  g_signal_emit (self, signals[REJECTED], 0, key_id);
}

static void
target_bounds (GtkEditable *target, int *start, int *end)
{
  if (!gtk_editable_get_selection_bounds (target, start, end))
    *start = *end = gtk_editable_get_position (target);
}

static gboolean
insert_text (SaphanKeyboard *self, const char *text)
{
  GtkEditable *target = self->target;
  int start, end, position;

  if (target == NULL || !gtk_editable_get_editable (target))
    return FALSE;

  target_bounds (target, &start, &end);
  if (!_saphan_keyboard_accepts (self->mode, gtk_editable_get_text (target), start, end, text))
    return FALSE;

  if (start != end)
    gtk_editable_delete_text (target, start, end);
  position = start;
  gtk_editable_insert_text (target, text, -1, &position);
  gtk_editable_set_position (target, position);
  return TRUE;
}

static void
rebuild (SaphanKeyboard *self)
{
  const SaphanKeyLayout *layout = _saphan_keyboard_layout_for_mode (self->mode);
  const SaphanKeyLayout *old_layout;
  guint n_columns = 0;

  clear_feedback (self);
  g_clear_pointer (&self->grid, gtk_widget_unparent);
  g_clear_pointer (&self->keys, g_ptr_array_unref);

  /* Only one layout class is on the widget at a time. */
  for (int m = SAPHAN_KEYBOARD_MODE_TEXT_TH; m <= SAPHAN_KEYBOARD_MODE_NATIONAL_ID; m++)
    {
      old_layout = _saphan_keyboard_layout_for_mode (m);
      gtk_widget_remove_css_class (GTK_WIDGET (self), old_layout->css_class);
    }
  gtk_widget_add_css_class (GTK_WIDGET (self), layout->css_class);
  if (layout->keypad)
    gtk_widget_add_css_class (GTK_WIDGET (self), "keypad");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "keypad");

  self->grid = gtk_grid_new ();
  gtk_widget_add_css_class (self->grid, "keys");
  gtk_grid_set_row_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_widget_set_halign (self->grid, layout->keypad ? GTK_ALIGN_CENTER : GTK_ALIGN_FILL);
  gtk_widget_set_valign (self->grid, GTK_ALIGN_END);

  self->keys = _saphan_keyboard_layout_parse (layout, &n_columns);
  for (guint i = 0; i < self->keys->len; i++)
    {
      SaphanKey *key = self->keys->pdata[i];
      GtkWidget *button;

      if (key->kind == SAPHAN_KEY_GAP)
        continue;

      button = gtk_button_new ();
      /* Keys stay reachable with Tab for people who navigate by keyboard,
       * but a tap never moves the focus out of the field being typed in. */
      gtk_widget_set_focus_on_click (button, FALSE);
      gtk_widget_add_css_class (button, "key");

      switch (key->kind)
        {
        case SAPHAN_KEY_CHAR:
          if (g_str_equal (key->id, " "))
            gtk_widget_add_css_class (button, "space");
          else if (g_unichar_isalnum (g_utf8_get_char (key->id))
                   || g_unichar_ismark (g_utf8_get_char (key->id)))
            gtk_widget_add_css_class (button, "char");
          else
            gtk_widget_add_css_class (button, "symbol");
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "keyboard.press");
          gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                                  g_variant_new_string (key->id));
          break;
        case SAPHAN_KEY_SHIFT:
          gtk_widget_add_css_class (button, "function");
          gtk_widget_add_css_class (button, "shift");
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "keyboard.shift");
          break;
        case SAPHAN_KEY_BACKSPACE:
          gtk_widget_add_css_class (button, "function");
          gtk_widget_add_css_class (button, "backspace");
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "keyboard.backspace");
          break;
        case SAPHAN_KEY_SWITCH:
          gtk_widget_add_css_class (button, "function");
          gtk_widget_add_css_class (button, "switch");
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "keyboard.switch-layout");
          break;
        case SAPHAN_KEY_DONE:
          gtk_widget_add_css_class (button, "done");
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "keyboard.done");
          break;
        case SAPHAN_KEY_GAP:
        default:
          g_assert_not_reached ();
        }

      key->button = button;
      gtk_grid_attach (GTK_GRID (self->grid), button, (int)key->column, (int)key->row,
                       (int)key->width, 1);
    }

  gtk_widget_set_parent (self->grid, GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "keyboard.shift", mode_is_text (self->mode));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "keyboard.switch-layout",
                                 mode_is_text (self->mode));
  update_keys (self);
}

static void
press_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanKeyboard *self = SAPHAN_KEYBOARD (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  SaphanKey *key = find_key (self, id);

  if (key == NULL || key->kind != SAPHAN_KEY_CHAR)
    {
      /* The key id is not logged: it could be part of a person's data. */
      g_debug ("A key that is not on the current layout was pressed");
      reject (self, id, NULL);
      return;
    }

  if (!insert_text (self, key_output (self, key)))
    {
      /* The shift stays latched so that the corrected key is shifted. */
      reject (self, id, key->button);
      return;
    }

  if (self->shift == SAPHAN_KEYBOARD_SHIFT_ONCE)
    set_shift (self, SAPHAN_KEYBOARD_SHIFT_OFF);
}

static void
shift_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanKeyboard *self = SAPHAN_KEYBOARD (widget);

  /* One tap shifts the next key, a second locks, a third releases. */
  switch (self->shift)
    {
    case SAPHAN_KEYBOARD_SHIFT_OFF:
      set_shift (self, SAPHAN_KEYBOARD_SHIFT_ONCE);
      break;
    case SAPHAN_KEYBOARD_SHIFT_ONCE:
      set_shift (self, SAPHAN_KEYBOARD_SHIFT_LOCKED);
      break;
    case SAPHAN_KEYBOARD_SHIFT_LOCKED:
    default:
      set_shift (self, SAPHAN_KEYBOARD_SHIFT_OFF);
      break;
    }
}

/* Deletes one code point, not one grapheme: Thai typists correct a wrong
 * tone mark or vowel by deleting just that mark, the way Thai keyboards
 * on every desktop behave. */
static void
backspace_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanKeyboard *self = SAPHAN_KEYBOARD (widget);
  GtkEditable *target = self->target;
  int start, end;

  if (target == NULL || !gtk_editable_get_editable (target))
    {
      reject (self, "backspace", NULL);
      return;
    }

  target_bounds (target, &start, &end);
  if (start == end)
    {
      if (start == 0)
        return;
      start--;
    }

  gtk_editable_delete_text (target, start, end);
  gtk_editable_set_position (target, start);
}

static void
switch_layout_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SaphanKeyboard *self = SAPHAN_KEYBOARD (widget);

  saphan_keyboard_set_mode (self, self->mode == SAPHAN_KEYBOARD_MODE_TEXT_TH
                                      ? SAPHAN_KEYBOARD_MODE_TEXT_EN
                                      : SAPHAN_KEYBOARD_MODE_TEXT_TH);
}

static void
done_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[DONE], 0);
}

/* The keyboard brings its own style sheet, once per display, so that any
 * window embedding it gets the large touch targets without extra wiring. */
static void
ensure_style (GdkDisplay *display)
{
  static GtkCssProvider *provider;

  if (display == NULL || g_object_get_data (G_OBJECT (display), STYLE_DATA_KEY) != NULL)
    return;

  if (provider == NULL)
    {
      provider = gtk_css_provider_new ();
      gtk_css_provider_load_from_resource (provider, STYLE_RESOURCE);
    }

  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data (G_OBJECT (display), STYLE_DATA_KEY, provider);
}

static void
saphan_keyboard_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (saphan_keyboard_parent_class)->root (widget);
  ensure_style (gtk_widget_get_display (widget));
}

static void
saphan_keyboard_dispose (GObject *object)
{
  SaphanKeyboard *self = SAPHAN_KEYBOARD (object);

  g_clear_handle_id (&self->feedback_source, g_source_remove);
  self->rejected_button = NULL;
  g_clear_pointer (&self->grid, gtk_widget_unparent);
  g_clear_pointer (&self->keys, g_ptr_array_unref);
  g_clear_weak_pointer (&self->target);

  G_OBJECT_CLASS (saphan_keyboard_parent_class)->dispose (object);
}

static void
saphan_keyboard_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanKeyboard *self = SAPHAN_KEYBOARD (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_TARGET:
      g_value_set_object (value, self->target);
      break;
    case PROP_SHIFT:
      g_value_set_enum (value, self->shift);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_keyboard_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  SaphanKeyboard *self = SAPHAN_KEYBOARD (object);

  switch (prop_id)
    {
    case PROP_MODE:
      saphan_keyboard_set_mode (self, g_value_get_enum (value));
      break;
    case PROP_TARGET:
      saphan_keyboard_set_target (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_keyboard_class_init (SaphanKeyboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  saphan_keyboard_res_register_resource ();

  object_class->dispose = saphan_keyboard_dispose;
  object_class->get_property = saphan_keyboard_get_property;
  object_class->set_property = saphan_keyboard_set_property;
  widget_class->root = saphan_keyboard_root;

  properties[PROP_MODE] = g_param_spec_enum (
      "mode", NULL, NULL, SAPHAN_TYPE_KEYBOARD_MODE, SAPHAN_KEYBOARD_MODE_TEXT_TH,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TARGET]
      = g_param_spec_object ("target", NULL, NULL, GTK_TYPE_EDITABLE,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHIFT] = g_param_spec_enum (
      "shift", NULL, NULL, SAPHAN_TYPE_KEYBOARD_SHIFT, SAPHAN_KEYBOARD_SHIFT_OFF,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SaphanKeyboard::done:
   *
   * Emitted when the Done key is pressed: the person has finished the
   * field and the keyboard can be hidden.
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 0);

  /**
   * SaphanKeyboard::rejected:
   * @key_id: the id of the refused key
   *
   * Emitted when a key was refused because the field cannot take it.
   */
  signals[REJECTED] = g_signal_new ("rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "keyboard.press", "s", press_action);
  gtk_widget_class_install_action (widget_class, "keyboard.shift", NULL, shift_action);
  gtk_widget_class_install_action (widget_class, "keyboard.backspace", NULL, backspace_action);
  gtk_widget_class_install_action (widget_class, "keyboard.switch-layout", NULL,
                                   switch_layout_action);
  gtk_widget_class_install_action (widget_class, "keyboard.done", NULL, done_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "keyboard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
saphan_keyboard_init (SaphanKeyboard *self)
{
  self->mode = SAPHAN_KEYBOARD_MODE_TEXT_TH;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("On-screen keyboard"), -1);
  rebuild (self);
}

/**
 * saphan_keyboard_new:
 * @mode: the layout to show first
 *
 * Returns: (transfer full): a new keyboard with no target
 */
GtkWidget *
saphan_keyboard_new (SaphanKeyboardMode mode)
{
  return g_object_new (SAPHAN_TYPE_KEYBOARD, "mode", mode, NULL);
}

/**
 * saphan_keyboard_set_target:
 * @self: a keyboard
 * @target: (nullable): the editable to type into; held weakly
 *
 * Keys type into @target at its cursor, replacing its selection. With no
 * target every key is refused.
 */
void
saphan_keyboard_set_target (SaphanKeyboard *self, GtkEditable *target)
{
  g_return_if_fail (SAPHAN_IS_KEYBOARD (self));
  g_return_if_fail (target == NULL || GTK_IS_EDITABLE (target));

  if (g_set_weak_pointer (&self->target, target))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
}

GtkEditable *
saphan_keyboard_get_target (SaphanKeyboard *self)
{
  g_return_val_if_fail (SAPHAN_IS_KEYBOARD (self), NULL);

  return self->target;
}

/**
 * saphan_keyboard_set_mode:
 * @self: a keyboard
 * @mode: the layout to show and the rules to apply
 *
 * Changing the mode releases shift, because a shift latched for one field
 * would surprise the person in the next.
 */
void
saphan_keyboard_set_mode (SaphanKeyboard *self, SaphanKeyboardMode mode)
{
  g_return_if_fail (SAPHAN_IS_KEYBOARD (self));
  g_return_if_fail (mode <= SAPHAN_KEYBOARD_MODE_NATIONAL_ID);

  if (self->mode == mode)
    return;

  self->mode = mode;
  self->shift = SAPHAN_KEYBOARD_SHIFT_OFF;
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHIFT]);
}

SaphanKeyboardMode
saphan_keyboard_get_mode (SaphanKeyboard *self)
{
  g_return_val_if_fail (SAPHAN_IS_KEYBOARD (self), SAPHAN_KEYBOARD_MODE_TEXT_TH);

  return self->mode;
}

SaphanKeyboardShift
saphan_keyboard_get_shift (SaphanKeyboard *self)
{
  g_return_val_if_fail (SAPHAN_IS_KEYBOARD (self), SAPHAN_KEYBOARD_SHIFT_OFF);

  return self->shift;
}

/**
 * saphan_keyboard_get_key:
 * @self: a keyboard
 * @key_id: a character key's base character, or "shift", "backspace",
 *   "switch" or "done"
 *
 * Returns: (transfer none) (nullable): the first button on the current
 *   layout with that id
 */
GtkWidget *
saphan_keyboard_get_key (SaphanKeyboard *self, const char *key_id)
{
  SaphanKey *key;

  g_return_val_if_fail (SAPHAN_IS_KEYBOARD (self), NULL);
  g_return_val_if_fail (key_id != NULL, NULL);

  key = find_key (self, key_id);
  return key != NULL ? key->button : NULL;
}

/**
 * saphan_keyboard_list_keys:
 * @self: a keyboard
 *
 * Returns: (transfer container) (element-type GtkWidget): every button of
 *   the current layout, in reading order
 */
GPtrArray *
saphan_keyboard_list_keys (SaphanKeyboard *self)
{
  GPtrArray *buttons;

  g_return_val_if_fail (SAPHAN_IS_KEYBOARD (self), NULL);

  buttons = g_ptr_array_new ();
  for (guint i = 0; i < self->keys->len; i++)
    {
      SaphanKey *key = self->keys->pdata[i];

      if (key->button != NULL)
        g_ptr_array_add (buttons, key->button);
    }

  return buttons;
}
