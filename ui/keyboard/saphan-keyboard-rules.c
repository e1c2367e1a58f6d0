/* saphan-keyboard-rules.c - which keystrokes the keyboard lets through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "saphan-keyboard"

#include "config.h"

#include <string.h>
#include <thai/thinp.h>
#include <thai/thwchar.h>

#include "saphan-keyboard-private.h"

/* Thai input-sequence checking follows WTT 2.0 as implemented by libthai,
 * at its strict level. The basic level only refuses what cannot be drawn
 * (a mark with nothing under it, two tone marks on one consonant); the
 * strict level also refuses sequences that can be drawn but are never
 * Thai spelling, above all a leading vowel followed by anything but a
 * consonant. That catches the most common misspelling on public forms,
 * SARA E typed twice instead of SARA AE ("เเ" for "แ"), which looks right
 * on screen and then fails every search and comparison later. */
#define SAPHAN_KEYBOARD_THAI_STRICTNESS ISC_STRICT

static gboolean
is_thai (gunichar c)
{
  return c >= 0x0E00 && c <= 0x0E7F;
}

static gboolean
is_following_vowel (gunichar c)
{
  /* SARA A, SARA AA, SARA AM and LAKKHANGYAO. */
  return c == 0x0E30 || c == 0x0E32 || c == 0x0E33 || c == 0x0E45;
}

/* WTT 2.0 accepts any following vowel after another one, leaving that to
 * spelling. A few pairs can never occur in a Thai word, and a typist who
 * produces one has hit a neighbouring key: nothing follows SARA A or SARA
 * AM, and the only vowel that follows SARA AA is SARA A (as in "เกาะ"). */
static gboolean
following_vowels_accept (gunichar prev, gunichar next)
{
  if (!is_following_vowel (prev) || !is_following_vowel (next))
    return TRUE;

  return prev == 0x0E32 && next == 0x0E30;
}

static gboolean
thai_pair_accepts (gunichar prev, gunichar next)
{
  thchar_t tis_prev = 0;
  thchar_t tis_next;

  /* Checks apply only where a Thai character is involved: Latin text and
   * digits are never held back by Thai spelling rules. */
  if (!is_thai (next) && !is_thai (prev))
    return TRUE;

  if (prev != 0)
    tis_prev = th_uni2tis (prev);
  tis_next = th_uni2tis (next);

  if (!th_isaccept (tis_prev, tis_next, SAPHAN_KEYBOARD_THAI_STRICTNESS))
    return FALSE;

  return following_vowels_accept (prev, next);
}

/* Checks each inserted Thai character against the one before it, and the
 * last inserted character against the one after the cursor, so that
 * typing into the middle of a word cannot stack two tone marks either. */
static gboolean
thai_accepts (const char *current, int start, int end, const char *insert)
{
  gunichar prev = 0;
  gunichar after = 0;
  const char *p;

  if (start > 0)
    prev = g_utf8_get_char (g_utf8_offset_to_pointer (current, start - 1));
  if (end < (int)g_utf8_strlen (current, -1))
    after = g_utf8_get_char (g_utf8_offset_to_pointer (current, end));

  for (p = insert; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* A Thai character that follows Latin text is checked as if it
       * started the text: a tone mark on "a" is as wrong as one alone. */
      if (is_thai (c) && !thai_pair_accepts (prev, c))
        return FALSE;
      prev = c;
    }

  /* The character after the cursor only matters when it is a Thai
   * combining mark, which now sits on the inserted text. */
  if (after != 0 && is_thai (after) && g_unichar_ismark (after) && !thai_pair_accepts (prev, after))
    return FALSE;

  return TRUE;
}

/* The numeric grammars, checked against the whole text as it would be
 * after the key, so that an existing selection, the cursor position and
 * text typed earlier all count. Each accepts every prefix of a valid
 * value, because the person is still typing. */
static gboolean
number_accepts (const char *text, gboolean allow_point)
{
  gboolean seen_point = FALSE;
  const char *p = text;

  if (*p == '-')
    p++;

  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        continue;
      if (*p == '.' && allow_point && !seen_point)
        {
          seen_point = TRUE;
          continue;
        }
      return FALSE;
    }

  return TRUE;
}

static gboolean
phone_accepts (const char *text)
{
  const char *p = text;

  if (*p == '+')
    p++;

  for (; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != ' ')
      return FALSE;

  return TRUE;
}

static gboolean
national_id_accepts (const char *text)
{
  size_t len = strlen (text);

  if (len > SAPHAN_KEYBOARD_NATIONAL_ID_DIGITS)
    return FALSE;

  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;

  return TRUE;
}

static char *
splice (const char *current, int start, int end, const char *insert)
{
  const char *start_p = g_utf8_offset_to_pointer (current, start);
  const char *end_p = g_utf8_offset_to_pointer (current, end);
  GString *out = g_string_new_len (current, start_p - current);

  g_string_append (out, insert);
  g_string_append (out, end_p);
  return g_string_free (out, FALSE);
}

/* Decides whether replacing the characters [start, end) of @current by
 * @insert is allowed in @mode. Offsets count characters, as GtkEditable
 * positions do. */
gboolean
_saphan_keyboard_accepts (SaphanKeyboardMode mode, const char *current, int start, int end,
                          const char *insert)
{
  g_autofree char *result = NULL;
  int length;

  g_return_val_if_fail (current != NULL, FALSE);
  g_return_val_if_fail (insert != NULL, FALSE);

  length = (int)g_utf8_strlen (current, -1);
  start = CLAMP (start, 0, length);
  end = CLAMP (end, start, length);

  switch (mode)
    {
    case SAPHAN_KEYBOARD_MODE_TEXT_TH:
    case SAPHAN_KEYBOARD_MODE_TEXT_EN:
      return thai_accepts (current, start, end, insert);

    case SAPHAN_KEYBOARD_MODE_INTEGER:
      result = splice (current, start, end, insert);
      return number_accepts (result, FALSE);

    case SAPHAN_KEYBOARD_MODE_DECIMAL:
      result = splice (current, start, end, insert);
      return number_accepts (result, TRUE);

    case SAPHAN_KEYBOARD_MODE_PHONE:
      result = splice (current, start, end, insert);
      return phone_accepts (result);

    case SAPHAN_KEYBOARD_MODE_NATIONAL_ID:
      result = splice (current, start, end, insert);
      return national_id_accepts (result);

    default:
      g_return_val_if_reached (FALSE);
    }
}
