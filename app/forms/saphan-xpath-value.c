/* saphan-xpath-value.c: XPath values and their conversions.
 *
 * The conversions are XPath 1.0's, with ODK's extension that a date or
 * dateTime string converts to a number of days since 1970-01-01, counted on
 * the kiosk's LOCAL wall clock as ODK Collect counts them:
 *
 *  - "2024-02-29" (a date, i.e. local midnight) is 19782, a whole number,
 *    whatever the time zone.
 *  - "2024-02-29T10:00:00.000+07:00" is that instant on the local wall
 *    clock: 19782 + 10/24 in Bangkok, 19782 + 3/24 on a kiosk set to UTC.
 *  - A dateTime without an offset is already a local wall-clock time.
 *
 * Local days (not UTC) keep dates and dateTimes comparable: a dateTime
 * answered at 01:00 in Bangkok must not count as the day before today().
 * Strings that are neither an XPath number nor a date or dateTime give NaN.
 */
#include "config.h"

#include "saphan-xpath-private.h"
#include "saphan-xpath-functions-private.h"

#include <math.h>
#include <string.h>

void
saphan_xpath_value_clear (SaphanXPathValue *value)
{
  if (value == NULL)
    return;
  if (value->type == SAPHAN_XPATH_STRING)
    g_clear_pointer (&value->string, g_free);
  else if (value->type == SAPHAN_XPATH_NODESET)
    g_clear_pointer (&value->nodes, g_ptr_array_unref);
  value->type = SAPHAN_XPATH_BOOLEAN;
  value->boolean = FALSE;
}

const char *
_saphan_xpath_node_text (const SaphanNode *node, char **tmp)
{
  *tmp = NULL;
  if (node->kind == SAPHAN_NODE_ATTRIBUTE || node->first_child == NULL)
    return saphan_node_get_value (node);
  *tmp = saphan_node_string_value (node);
  return *tmp;
}

static int
compare_nodes_cb (gconstpointer a, gconstpointer b)
{
  const SaphanNode *na = *(SaphanNode *const *) a;
  const SaphanNode *nb = *(SaphanNode *const *) b;

  return saphan_node_compare_order (na, nb);
}

void
_saphan_xpath_sort_nodes (GPtrArray *nodes)
{
  guint out = 0;

  if (nodes->len < 2)
    return;
  g_ptr_array_sort (nodes, compare_nodes_cb);
  for (guint i = 0; i < nodes->len; i++)
    if (out == 0 || nodes->pdata[out - 1] != nodes->pdata[i])
      nodes->pdata[out++] = nodes->pdata[i];
  g_ptr_array_set_size (nodes, out);
}

/* ---- Numbers to strings ------------------------------------------------- */

char *
saphan_xpath_number_to_string (double number)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[32];
  const char *mantissa, *e;
  int exponent, n_digits = 0;
  GString *out;

  if (isnan (number))
    return g_strdup ("NaN");
  if (isinf (number))
    return g_strdup (number > 0 ? "Infinity" : "-Infinity");
  if (number == 0)
    return g_strdup ("0");
  if (fabs (number) < 1e15 && number == trunc (number))
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) number);

  /* XPath asks for as many digits as needed to tell the number apart from
   * every other double, and never an exponent. g_ascii_dtostr gives the
   * shortest round-trip digits, locale-independently; the digits and the
   * exponent are then laid out as a plain decimal. */
  g_ascii_formatd (buf, sizeof buf, "%.17e", number);
  for (int precision = 1; precision <= 17; precision++)
    {
      char fmt[16];

      g_snprintf (fmt, sizeof fmt, "%%.%de", precision - 1);
      g_ascii_formatd (buf, sizeof buf, fmt, number);
      if (g_ascii_strtod (buf, NULL) == number)
        break;
    }

  mantissa = buf[0] == '-' ? buf + 1 : buf;
  e = strchr (mantissa, 'e');
  g_assert (e != NULL);
  exponent = atoi (e + 1);
  for (const char *p = mantissa; p < e; p++)
    if (g_ascii_isdigit (*p) && n_digits < (int) sizeof digits - 1)
      digits[n_digits++] = *p;
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;
  digits[n_digits] = '\0';

  out = g_string_new (number < 0 ? "-" : NULL);
  if (exponent < 0)
    {
      g_string_append (out, "0.");
      for (int i = -1; i > exponent; i--)
        g_string_append_c (out, '0');
      g_string_append (out, digits);
    }
  else
    {
      for (int i = 0; i <= exponent || i < n_digits; i++)
        {
          if (i == exponent + 1)
            g_string_append_c (out, '.');
          g_string_append_c (out, i < n_digits ? digits[i] : '0');
        }
    }
  return g_string_free (out, FALSE);
}

/* ---- Strings to numbers ------------------------------------------------- */

static inline gboolean
is_xml_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

double
saphan_xpath_string_to_number (const char *text)
{
  const char *p, *end;
  gboolean any_digit = FALSE;
  double date;

  g_return_val_if_fail (text != NULL, NAN);

  /* XPath's Number production only: no exponent, no "+", no hex, no
   * "inf"; strtod accepts all of those, so the syntax is checked first. */
  for (p = text; is_xml_space (*p); p++)
    ;
  end = p;
  if (*end == '-')
    end++;
  for (; g_ascii_isdigit (*end); end++)
    any_digit = TRUE;
  if (*end == '.')
    for (end++; g_ascii_isdigit (*end); end++)
      any_digit = TRUE;
  if (any_digit)
    {
      const char *rest = end;

      while (is_xml_space (*rest))
        rest++;
      if (*rest == '\0')
        return g_ascii_strtod (p, NULL);
    }
  /* The date extension shares its parser with the date functions, so that
   * number('2024-02-29T10:00:00+07:00') and decimal-date-time() agree. */
  if (_saphan_xfn_parse_date (p, FALSE, &date))
    return date;
  return NAN;
}

/* ---- Conversions -------------------------------------------------------- */

char *
saphan_xpath_value_to_string (const SaphanXPathValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  switch (value->type)
    {
    case SAPHAN_XPATH_STRING:
      return g_strdup (value->string != NULL ? value->string : "");
    case SAPHAN_XPATH_BOOLEAN:
      return g_strdup (value->boolean ? "true" : "false");
    case SAPHAN_XPATH_NUMBER:
      return saphan_xpath_number_to_string (value->number);
    case SAPHAN_XPATH_NODESET:
      if (value->nodes == NULL || value->nodes->len == 0)
        return g_strdup ("");
      return saphan_node_string_value (value->nodes->pdata[0]);
    default:
      g_assert_not_reached ();
    }
}

double
saphan_xpath_value_to_number (const SaphanXPathValue *value)
{
  g_return_val_if_fail (value != NULL, NAN);

  switch (value->type)
    {
    case SAPHAN_XPATH_NUMBER:
      return value->number;
    case SAPHAN_XPATH_BOOLEAN:
      return value->boolean ? 1 : 0;
    case SAPHAN_XPATH_STRING:
      return saphan_xpath_string_to_number (value->string != NULL ? value->string : "");
    case SAPHAN_XPATH_NODESET:
      {
        g_autofree char *tmp = NULL;

        if (value->nodes == NULL || value->nodes->len == 0)
          return NAN;
        return saphan_xpath_string_to_number (_saphan_xpath_node_text (value->nodes->pdata[0], &tmp));
      }
    default:
      g_assert_not_reached ();
    }
}

gboolean
saphan_xpath_value_to_boolean (const SaphanXPathValue *value)
{
  g_return_val_if_fail (value != NULL, FALSE);

  switch (value->type)
    {
    case SAPHAN_XPATH_BOOLEAN:
      return value->boolean;
    case SAPHAN_XPATH_NUMBER:
      return value->number != 0 && !isnan (value->number);
    case SAPHAN_XPATH_STRING:
      return value->string != NULL && value->string[0] != '\0';
    case SAPHAN_XPATH_NODESET:
      return value->nodes != NULL && value->nodes->len > 0;
    default:
      g_assert_not_reached ();
    }
}
