/* saphan-xpath-lexer.c: XPath 1.0 tokens and compile-time messages.
 *
 * XPath's grammar is ambiguous at the token level: "*" is a multiplication
 * or a name test, "div" an operator or an element name. The rules of XPath
 * 1.0 section 3.7 decide by looking at the previous token and, for names,
 * at the next non-space character; they are applied here so that the parser
 * sees unambiguous tokens.
 */
#include "config.h"

#include "saphan-xpath-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "saphan-error.h"

/* Messages quote the expression; a hostile 64 KiB one is cut short. */
#define QUOTE_MAX_CHARS 120

char *
_saphan_xpath_quote (const char *text)
{
  const char *cut;

  if (g_utf8_strlen (text, -1) <= QUOTE_MAX_CHARS)
    return g_strdup (text);
  cut = g_utf8_offset_to_pointer (text, QUOTE_MAX_CHARS);
  return g_strdup_printf ("%.*s…", (int) (cut - text), text);
}

void
_saphan_xpath_set_error (GError **error, const char *text, guint byte_pos, const char *what)
{
  g_autofree char *quoted = _saphan_xpath_quote (text);
  glong character = g_utf8_pointer_to_offset (text, text + byte_pos) + 1;

  /* TRANSLATORS: the first %s says what is wrong ("unexpected ')'"), the
   * number is a 1-based character position, the last %s the expression. */
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
               _("%s at character %ld in %s"), what, character, quoted);
}

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* NCName characters. Every byte of a multi-byte UTF-8 sequence counts as a
 * name character, so element names in Thai or any other script work
 * without a full table of XML name characters. */
static inline gboolean
is_name_start (unsigned char c)
{
  return g_ascii_isalpha (c) || c == '_' || c >= 0x80;
}

static inline gboolean
is_name_char (unsigned char c)
{
  return is_name_start (c) || g_ascii_isdigit (c) || c == '-' || c == '.';
}

/* Whether the previous token lets the next "*" or name be an operator. */
static gboolean
operator_expected (const GArray *tokens)
{
  XTokKind prev;

  if (tokens->len == 0)
    return FALSE;
  prev = g_array_index (tokens, XTok, tokens->len - 1).kind;
  switch (prev)
    {
    case XTOK_AT:
    case XTOK_COLONCOLON:
    case XTOK_LPAREN:
    case XTOK_LBRACKET:
    case XTOK_COMMA:
    case XTOK_AND:
    case XTOK_OR:
    case XTOK_MOD:
    case XTOK_DIV:
    case XTOK_MULTIPLY:
    case XTOK_SLASH:
    case XTOK_SLASHSLASH:
    case XTOK_PIPE:
    case XTOK_PLUS:
    case XTOK_MINUS:
    case XTOK_EQ:
    case XTOK_NEQ:
    case XTOK_LT:
    case XTOK_LTE:
    case XTOK_GT:
    case XTOK_GTE:
      return FALSE;
    default:
      return TRUE;
    }
}

static const char *
skip_space (const char *p)
{
  while (is_space (*p))
    p++;
  return p;
}

static gboolean
name_is (const char *start, gsize len, const char *word)
{
  return strlen (word) == len && strncmp (start, word, len) == 0;
}

GArray *
_saphan_xpath_lex (const char *text, GError **error)
{
  g_autoptr (GArray) tokens = g_array_sized_new (FALSE, TRUE, sizeof (XTok), 16);
  const char *p = text;

  for (;;)
    {
      XTok tok = { 0 };
      unsigned char c;

      p = skip_space (p);
      tok.start = p - text;
      c = *p;

      if (c == '\0')
        {
          tok.kind = XTOK_EOF;
          g_array_append_val (tokens, tok);
          break;
        }

      if (g_ascii_isdigit (c) || (c == '.' && g_ascii_isdigit (p[1])))
        {
          const char *end = p;

          while (g_ascii_isdigit (*end))
            end++;
          if (*end == '.')
            for (end++; g_ascii_isdigit (*end); end++)
              ;
          /* strtod alone would also read "1e5" or "0x10", which XPath
           * lexes as a number followed by a name; only the digits count. */
          {
            g_autofree char *digits = g_strndup (p, end - p);

            tok.kind = XTOK_NUMBER;
            tok.number = g_ascii_strtod (digits, NULL);
            tok.len = end - p;
          }
        }
      else if (c == '"' || c == '\'')
        {
          const char *end = strchr (p + 1, c);

          if (end == NULL)
            {
              _saphan_xpath_set_error (error, text, tok.start, _("unterminated string literal"));
              return NULL;
            }
          tok.kind = XTOK_LITERAL;
          tok.len = end + 1 - p;
        }
      else if (c == '*' && operator_expected (tokens))
        {
          tok.kind = XTOK_MULTIPLY;
          tok.len = 1;
        }
      else if (c == '*')
        {
          tok.kind = XTOK_NAMETEST;
          tok.len = 1;
        }
      else if (is_name_start (c) || (c == '$'))
        {
          const char *start = c == '$' ? p + 1 : p;
          const char *end = start;
          const char *after;

          if (!is_name_start (*start))
            {
              _saphan_xpath_set_error (error, text, tok.start, _("a variable needs a name"));
              return NULL;
            }
          while (is_name_char (*end))
            end++;
          /* A QName "prefix:local" or a wildcard "prefix:*"; "::" is an axis. */
          if (end[0] == ':' && end[1] != ':')
            {
              if (end[1] == '*')
                end += 2;
              else if (is_name_start (end[1]))
                for (end++; is_name_char (*end); end++)
                  ;
            }
          tok.len = end - p;
          after = skip_space (end);

          if (c == '$')
            tok.kind = XTOK_VARIABLE;
          else if (operator_expected (tokens))
            {
              if (name_is (p, tok.len, "and"))
                tok.kind = XTOK_AND;
              else if (name_is (p, tok.len, "or"))
                tok.kind = XTOK_OR;
              else if (name_is (p, tok.len, "mod"))
                tok.kind = XTOK_MOD;
              else if (name_is (p, tok.len, "div"))
                tok.kind = XTOK_DIV;
              else
                {
                  g_autofree char *what = g_strdup_printf (_("unexpected “%.*s”, expected an operator"),
                                                           (int) tok.len, p);
                  _saphan_xpath_set_error (error, text, tok.start, what);
                  return NULL;
                }
            }
          else if (after[0] == ':' && after[1] == ':')
            tok.kind = XTOK_AXIS;
          else if (after[0] == '(')
            {
              if (name_is (p, tok.len, "node") || name_is (p, tok.len, "text") ||
                  name_is (p, tok.len, "comment") ||
                  name_is (p, tok.len, "processing-instruction"))
                tok.kind = XTOK_NODETYPE;
              else
                tok.kind = XTOK_FUNCNAME;
            }
          else
            tok.kind = XTOK_NAMETEST;
        }
      else
        {
          tok.len = 1;
          switch (c)
            {
            case '(': tok.kind = XTOK_LPAREN; break;
            case ')': tok.kind = XTOK_RPAREN; break;
            case '[': tok.kind = XTOK_LBRACKET; break;
            case ']': tok.kind = XTOK_RBRACKET; break;
            case '@': tok.kind = XTOK_AT; break;
            case ',': tok.kind = XTOK_COMMA; break;
            case '|': tok.kind = XTOK_PIPE; break;
            case '+': tok.kind = XTOK_PLUS; break;
            case '-': tok.kind = XTOK_MINUS; break;
            case '=': tok.kind = XTOK_EQ; break;
            case '.':
              tok.kind = p[1] == '.' ? XTOK_DOTDOT : XTOK_DOT;
              tok.len = p[1] == '.' ? 2 : 1;
              break;
            case '/':
              tok.kind = p[1] == '/' ? XTOK_SLASHSLASH : XTOK_SLASH;
              tok.len = p[1] == '/' ? 2 : 1;
              break;
            case ':':
              if (p[1] != ':')
                goto unexpected;
              tok.kind = XTOK_COLONCOLON;
              tok.len = 2;
              break;
            case '!':
              if (p[1] != '=')
                goto unexpected;
              tok.kind = XTOK_NEQ;
              tok.len = 2;
              break;
            case '<':
              tok.kind = p[1] == '=' ? XTOK_LTE : XTOK_LT;
              tok.len = p[1] == '=' ? 2 : 1;
              break;
            case '>':
              tok.kind = p[1] == '=' ? XTOK_GTE : XTOK_GT;
              tok.len = p[1] == '=' ? 2 : 1;
              break;
            default:
            unexpected:
              {
                const char *next = g_utf8_find_next_char (p, NULL);
                g_autofree char *what = g_strdup_printf (_("unexpected character “%.*s”"),
                                                         (int) (next - p), p);
                _saphan_xpath_set_error (error, text, tok.start, what);
                return NULL;
              }
            }
        }

      g_array_append_val (tokens, tok);
      p += tok.len;
    }

  return g_steal_pointer (&tokens);
}
