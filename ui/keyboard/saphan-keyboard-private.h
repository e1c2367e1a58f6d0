/* saphan-keyboard-private.h - layout data and input rules shared by the
 * keyboard's source files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "saphan-keyboard.h"

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_KEY_CHAR,
  SAPHAN_KEY_SHIFT,
  SAPHAN_KEY_BACKSPACE,
  SAPHAN_KEY_SWITCH,
  SAPHAN_KEY_DONE,
  SAPHAN_KEY_GAP,
} SaphanKeyKind;

/* One row of a layout as written in saphan-keyboard-layouts.c. @base lists
 * the keys separated by single spaces; a token in braces is either a
 * function key ("{shift:5}", "{backspace:4}", "{switch:6}", "{done:6}",
 * "{space:18}", "{gap:2}") or a character key with a width ("{0:4}").
 * @shifted lists the shift-layer character of every character key of the
 * row in the same order, braces and function keys left out. Widths count
 * half keys, so an ordinary key is 2 wide. */
typedef struct
{
  const char *base;
  const char *shifted;
} SaphanKeyRowDef;

typedef struct
{
  SaphanKeyboardMode mode;
  /* The CSS class the keyboard carries for this layout. */
  const char *css_class;
  /* A locked shift applies to every key (Thai typewriter shift lock) rather
   * than only to letters that have a capital (English caps lock). */
  gboolean lock_whole_layer;
  /* Keypads are centred at their natural width instead of filling it. */
  gboolean keypad;
  const SaphanKeyRowDef *rows;
  guint n_rows;
} SaphanKeyLayout;

/* One parsed key of the layout on screen. */
typedef struct
{
  SaphanKeyKind kind;
  /* The key id passed to "keyboard.press": the base character for
   * character keys, the function name otherwise. */
  char *id;
  char *base;
  char *shifted;
  /* Whether a locked shift types the shifted character. */
  gboolean follows_lock;
  guint row;
  guint column;
  guint width;
  /* Borrowed: the grid owns the button. NULL for gaps. */
  GtkWidget *button;
} SaphanKey;

const SaphanKeyLayout *_saphan_keyboard_layout_for_mode (SaphanKeyboardMode mode);
GPtrArray *_saphan_keyboard_layout_parse (const SaphanKeyLayout *layout, guint *n_columns);
void _saphan_key_free (SaphanKey *key);

const char *_saphan_keyboard_mark_name (gunichar c);
char *_saphan_keyboard_display_text (const char *text);

gboolean _saphan_keyboard_accepts (SaphanKeyboardMode mode, const char *current, int start, int end,
                                   const char *insert);

G_END_DECLS
