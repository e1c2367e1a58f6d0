/* saphan-keyboard-layouts.c - the key layouts of the on-screen keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "saphan-keyboard"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "saphan-keyboard-private.h"

/* Thai Kedmanee, the layout of the Thai typewriter and of every Thai PC
 * keyboard (TIS 820-2538). The rows follow the physical keys from the
 * key left of 1 to the key right of the brackets, so a typist finds every
 * character where the fingers expect it; the shift layer is the one
 * printed on the upper half of the same keys. The only departure is that
 * the shift key locks on a second tap, like the typewriter's shift lock. */
static const SaphanKeyRowDef thai_rows[] = {
  { "_ ๅ / - ภ ถ ุ ึ ค ต จ ข ช {backspace:4}", "% + ๑ ๒ ๓ ๔ ู ฿ ๕ ๖ ๗ ๘ ๙" },
  { "ๆ ไ ำ พ ะ ั ี ร น ย บ ล ฃ", "๐ \" ฎ ฑ ธ ํ ๊ ณ ฯ ญ ฐ , ฅ" },
  { "ฟ ห ก ด เ ้ ่ า ส ว ง", "ฤ ฆ ฏ โ ฌ ็ ๋ ษ ศ ซ ." },
  { "{shift:5} ผ ป แ อ ิ ื ท ม ใ ฝ {shift:5}", "( ) ฉ ฮ ฺ ์ ? ฒ ฬ ฦ" },
  { "{switch:6} {space:18} {done:6}", "" },
};

/* US English QWERTY with the US shift layer, so that e-mail addresses and
 * web addresses can be typed without hunting for symbols. */
static const SaphanKeyRowDef english_rows[] = {
  { "` 1 2 3 4 5 6 7 8 9 0 - = {backspace:4}", "~ ! @ # $ % ^ & * ( ) _ +" },
  { "q w e r t y u i o p [ ] \\", "Q W E R T Y U I O P { } |" },
  { "a s d f g h j k l ; '", "A S D F G H J K L : \"" },
  { "{shift:5} z x c v b n m , . / {shift:5}", "Z X C V B N M < > ?" },
  { "{switch:6} {space:18} {done:6}", "" },
};

/* The keypads put the digits in telephone order, which is what people who
 * rarely use computers know best, and carry only the symbols that the
 * field type can hold. */
static const SaphanKeyRowDef integer_rows[] = {
  { "1 2 3", NULL },
  { "4 5 6", NULL },
  { "7 8 9", NULL },
  { "- {0:4}", NULL },
  { "{backspace:3} {done:3}", NULL },
};

static const SaphanKeyRowDef decimal_rows[] = {
  { "1 2 3", NULL },
  { "4 5 6", NULL },
  { "7 8 9", NULL },
  { "- 0 .", NULL },
  { "{backspace:3} {done:3}", NULL },
};

static const SaphanKeyRowDef phone_rows[] = {
  { "1 2 3", NULL },
  { "4 5 6", NULL },
  { "7 8 9", NULL },
  { "+ 0 {space:2}", NULL },
  { "{backspace:3} {done:3}", NULL },
};

static const SaphanKeyRowDef national_id_rows[] = {
  { "1 2 3", NULL },
  { "4 5 6", NULL },
  { "7 8 9", NULL },
  { "{0:6}", NULL },
  { "{backspace:3} {done:3}", NULL },
};

static const SaphanKeyLayout layouts[] = {
  { SAPHAN_KEYBOARD_MODE_TEXT_TH, "thai", TRUE, FALSE, thai_rows, G_N_ELEMENTS (thai_rows) },
  { SAPHAN_KEYBOARD_MODE_TEXT_EN, "english", FALSE, FALSE, english_rows,
    G_N_ELEMENTS (english_rows) },
  { SAPHAN_KEYBOARD_MODE_INTEGER, "integer", FALSE, TRUE, integer_rows,
    G_N_ELEMENTS (integer_rows) },
  { SAPHAN_KEYBOARD_MODE_DECIMAL, "decimal", FALSE, TRUE, decimal_rows,
    G_N_ELEMENTS (decimal_rows) },
  { SAPHAN_KEYBOARD_MODE_PHONE, "phone", FALSE, TRUE, phone_rows, G_N_ELEMENTS (phone_rows) },
  { SAPHAN_KEYBOARD_MODE_NATIONAL_ID, "national-id", FALSE, TRUE, national_id_rows,
    G_N_ELEMENTS (national_id_rows) },
};

/* Screen readers speak a lone combining mark badly or not at all, so each
 * Thai mark on a key gets its name as the key's accessible label. */
static const struct
{
  gunichar c;
  const char *name;
} mark_names[] = {
  { 0x0E31, N_ ("Mai Han-Akat") }, { 0x0E34, N_ ("Sara I") },      { 0x0E35, N_ ("Sara Ii") },
  { 0x0E36, N_ ("Sara Ue") },      { 0x0E37, N_ ("Sara Uee") },    { 0x0E38, N_ ("Sara U") },
  { 0x0E39, N_ ("Sara Uu") },      { 0x0E3A, N_ ("Phinthu") },     { 0x0E47, N_ ("Maitaikhu") },
  { 0x0E48, N_ ("Mai Ek") },       { 0x0E49, N_ ("Mai Tho") },     { 0x0E4A, N_ ("Mai Tri") },
  { 0x0E4B, N_ ("Mai Chattawa") }, { 0x0E4C, N_ ("Thanthakhat") }, { 0x0E4D, N_ ("Nikhahit") },
};

const SaphanKeyLayout *
_saphan_keyboard_layout_for_mode (SaphanKeyboardMode mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    if (layouts[i].mode == mode)
      return &layouts[i];

  g_return_val_if_reached (&layouts[0]);
}

const char *
_saphan_keyboard_mark_name (gunichar c)
{
  for (guint i = 0; i < G_N_ELEMENTS (mark_names); i++)
    if (mark_names[i].c == c)
      return _ (mark_names[i].name);

  return NULL;
}

/* A combining mark drawn alone lands on whatever precedes it, or on
 * nothing; drawing it on a dotted circle is how Thai keyboards show it. */
char *
_saphan_keyboard_display_text (const char *text)
{
  gunichar c = g_utf8_get_char (text);

  if (g_unichar_ismark (c))
    return g_strconcat ("\u25CC", text, NULL);

  return g_strdup (text);
}

void
_saphan_key_free (SaphanKey *key)
{
  g_free (key->id);
  g_free (key->base);
  g_free (key->shifted);
  g_free (key);
}

static SaphanKeyKind
kind_from_name (const char *name, const char **text)
{
  *text = NULL;

  if (strcmp (name, "shift") == 0)
    return SAPHAN_KEY_SHIFT;
  if (strcmp (name, "backspace") == 0)
    return SAPHAN_KEY_BACKSPACE;
  if (strcmp (name, "switch") == 0)
    return SAPHAN_KEY_SWITCH;
  if (strcmp (name, "done") == 0)
    return SAPHAN_KEY_DONE;
  if (strcmp (name, "gap") == 0)
    return SAPHAN_KEY_GAP;

  *text = strcmp (name, "space") == 0 ? " " : name;
  return SAPHAN_KEY_CHAR;
}

/* Whether caps lock, as opposed to a full shift lock, applies to a key:
 * only letters whose shifted form is their capital follow it. */
static gboolean
is_cased_letter (const char *base, const char *shifted)
{
  gunichar b = g_utf8_get_char (base);

  return shifted != NULL && g_unichar_isalpha (b) && g_unichar_toupper (b) != b
         && g_unichar_toupper (b) == g_utf8_get_char (shifted);
}

/* Turns the compact row strings into keys placed on a grid of half-key
 * columns, each row centred on the widest one. The layout tables are
 * constants, so a malformed row is a programming error caught by the
 * tests that build every layout. */
GPtrArray *
_saphan_keyboard_layout_parse (const SaphanKeyLayout *layout, guint *n_columns)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify)_saphan_key_free);
  g_autofree guint *row_widths = g_new0 (guint, layout->n_rows);
  guint max_width = 0;

  for (guint r = 0; r < layout->n_rows; r++)
    {
      g_auto (GStrv) tokens = g_strsplit (layout->rows[r].base, " ", -1);
      g_auto (GStrv) shifted = NULL;
      guint n_shifted = 0;
      guint next_shifted = 0;

      if (layout->rows[r].shifted != NULL && layout->rows[r].shifted[0] != '\0')
        {
          shifted = g_strsplit (layout->rows[r].shifted, " ", -1);
          n_shifted = g_strv_length (shifted);
        }

      for (guint t = 0; tokens[t] != NULL; t++)
        {
          const char *token = tokens[t];
          SaphanKey *key = g_new0 (SaphanKey, 1);
          const char *text = token;

          key->kind = SAPHAN_KEY_CHAR;
          key->width = 2;

          if (token[0] == '{' && token[1] != '\0' && g_str_has_suffix (token, "}"))
            {
              g_autofree char *inner = g_strndup (token + 1, strlen (token) - 2);
              char *colon = strrchr (inner, ':');

              if (colon != NULL)
                {
                  key->width = (guint)g_ascii_strtoull (colon + 1, NULL, 10);
                  *colon = '\0';
                }
              key->kind = kind_from_name (inner, &text);
              key->id = g_strdup (key->kind == SAPHAN_KEY_CHAR ? text : inner);
              if (text != NULL)
                key->base = g_strdup (text);
            }
          else
            {
              key->id = g_strdup (token);
              key->base = g_strdup (token);
              /* Only plain character tokens have a shift-layer partner. */
              if (next_shifted < n_shifted)
                key->shifted = g_strdup (shifted[next_shifted++]);
            }

          g_assert (key->width > 0);
          key->follows_lock = layout->lock_whole_layer
                              || (key->base != NULL && is_cased_letter (key->base, key->shifted));
          key->row = r;
          key->column = row_widths[r];
          row_widths[r] += key->width;
          g_ptr_array_add (keys, key);
        }

      g_assert (next_shifted == n_shifted);
      max_width = MAX (max_width, row_widths[r]);
    }

  /* Centre every row on the widest one. */
  for (guint i = 0; i < keys->len; i++)
    {
      SaphanKey *key = keys->pdata[i];
      guint offset = (max_width - row_widths[key->row]) / 2;

      key->column += offset;
    }

  *n_columns = max_width;
  return g_steal_pointer (&keys);
}
