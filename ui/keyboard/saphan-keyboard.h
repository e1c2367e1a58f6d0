/* saphan-keyboard.h - the kiosk's on-screen keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * SaphanKeyboardMode:
 * @SAPHAN_KEYBOARD_MODE_TEXT_TH: Thai Kedmanee layout with input-sequence checking.
 * @SAPHAN_KEYBOARD_MODE_TEXT_EN: English QWERTY layout.
 * @SAPHAN_KEYBOARD_MODE_INTEGER: digits and a leading minus sign.
 * @SAPHAN_KEYBOARD_MODE_DECIMAL: digits, a leading minus sign and one decimal point.
 * @SAPHAN_KEYBOARD_MODE_PHONE: digits, a leading plus sign and spaces.
 * @SAPHAN_KEYBOARD_MODE_NATIONAL_ID: at most 13 digits, nothing else.
 *
 * Which keys the keyboard shows and which text it lets through. The form
 * code picks the mode from the field type of the question on screen.
 */
typedef enum
{
  SAPHAN_KEYBOARD_MODE_TEXT_TH,
  SAPHAN_KEYBOARD_MODE_TEXT_EN,
  SAPHAN_KEYBOARD_MODE_INTEGER,
  SAPHAN_KEYBOARD_MODE_DECIMAL,
  SAPHAN_KEYBOARD_MODE_PHONE,
  SAPHAN_KEYBOARD_MODE_NATIONAL_ID,
} SaphanKeyboardMode;

/**
 * SaphanKeyboardShift:
 * @SAPHAN_KEYBOARD_SHIFT_OFF: keys type their base character.
 * @SAPHAN_KEYBOARD_SHIFT_ONCE: the next key types its shifted character.
 * @SAPHAN_KEYBOARD_SHIFT_LOCKED: shift stays on (caps lock for English letters).
 */
typedef enum
{
  SAPHAN_KEYBOARD_SHIFT_OFF,
  SAPHAN_KEYBOARD_SHIFT_ONCE,
  SAPHAN_KEYBOARD_SHIFT_LOCKED,
} SaphanKeyboardShift;

#define SAPHAN_KEYBOARD_NATIONAL_ID_DIGITS 13

#define SAPHAN_TYPE_KEYBOARD_MODE (saphan_keyboard_mode_get_type ())
#define SAPHAN_TYPE_KEYBOARD_SHIFT (saphan_keyboard_shift_get_type ())
#define SAPHAN_TYPE_KEYBOARD (saphan_keyboard_get_type ())

GType saphan_keyboard_mode_get_type (void) G_GNUC_CONST;
GType saphan_keyboard_shift_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (SaphanKeyboard, saphan_keyboard, SAPHAN, KEYBOARD, GtkWidget)

GtkWidget *saphan_keyboard_new (SaphanKeyboardMode mode);

void saphan_keyboard_set_target (SaphanKeyboard *self, GtkEditable *target);
GtkEditable *saphan_keyboard_get_target (SaphanKeyboard *self);

void saphan_keyboard_set_mode (SaphanKeyboard *self, SaphanKeyboardMode mode);
SaphanKeyboardMode saphan_keyboard_get_mode (SaphanKeyboard *self);

SaphanKeyboardShift saphan_keyboard_get_shift (SaphanKeyboard *self);

GtkWidget *saphan_keyboard_get_key (SaphanKeyboard *self, const char *key_id);
GPtrArray *saphan_keyboard_list_keys (SaphanKeyboard *self);

G_END_DECLS
