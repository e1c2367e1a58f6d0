/* saphan-xpath-value.c: XPath values and their conversions.
 *
 * The conversions are XPath 1.0's, with ODK's extension that a date or
 * dateTime string converts to a number of days since 1970-01-01:
 *
 *  - "2024-02-29" (a date) is the whole number of calendar days, 19782.
 *    ODK Collect reads a date as midnight local time and counts local days,
 *    which gives the same whole number on any kiosk whatever its time zone.
 *  - "2024-02-29T10:00:00.000+07:00" (a dateTime with an offset) is the
 *    instant in fractional days since 1970-01-01T00:00Z, i.e. in UTC:
 *    19782.125.
 *  - A dateTime without an offset ("2024-02-29T10:00:00") is a wall-clock
 *    time and counts like a date plus the fraction of its day: 19782.41666.
 *
 * Anything else that is not an XPath number ("12", " -3.5 ") is NaN.
 */
#include "config.h"

#include "saphan-xpath-private.h"

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

static gboolean
read_digits (const char **p, int count, int *out)
{
  int value = 0;

  for (int i = 0; i < count; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      value = value * 10 + ((*p)[i] - '0');
    }
  *p += count;
  *out = value;
  return TRUE;
}

/* Days from 1970-01-01 to the given proleptic Gregorian date. */
static gint64
days_from_civil (int y, int m, int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Parses an ODK date or dateTime; FALSE when TEXT is neither. */
static gboolean
parse_date_number (const char *text, double *out)
{
  const char *p = text;
  int year, month, day, hour = 0, minute = 0, tz_h, tz_m;
  double second = 0, days;
  gboolean negative_year = FALSE;

  if (*p == '-')
    {
      negative_year = TRUE;
      p++;
    }
  if (!read_digits (&p, 4, &year) || *p++ != '-' || !read_digits (&p, 2, &month) ||
      *p++ != '-' || !read_digits (&p, 2, &day))
    return FALSE;
  if (negative_year)
    year = -year;
  if (year == 0 || !g_date_valid_dmy (day, month, ABS (year)))
    return FALSE;
  if (month == 2 && day == 29 && !g_date_is_leap_year (ABS (year)))
    return FALSE;
  days = (double) days_from_civil (year, month, day);

  if (*p == '\0')
    {
      *out = days;
      return TRUE;
    }
  if (*p++ != 'T' || !read_digits (&p, 2, &hour) || *p++ != ':' || !read_digits (&p, 2, &minute))
    return FALSE;
  if (*p == ':')
    {
      int whole;

      p++;
      if (!read_digits (&p, 2, &whole))
        return FALSE;
      second = whole;
      if (*p == '.')
        {
          double scale = 0.1;

          p++;
          if (!g_ascii_isdigit (*p))
            return FALSE;
          for (; g_ascii_isdigit (*p); p++, scale /= 10)
            second += (*p - '0') * scale;
        }
    }
  if (hour > 24 || minute > 59 || second >= 61)
    return FALSE;
  days += (hour * 3600 + minute * 60 + second) / 86400.0;

  if (*p == 'Z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int sign = *p++ == '-' ? -1 : 1;

      if (!read_digits (&p, 2, &tz_h))
        return FALSE;
      if (*p == ':')
        p++;
      if (!read_digits (&p, 2, &tz_m) || tz_h > 14 || tz_m > 59)
        return FALSE;
      days -= sign * (tz_h * 60 + tz_m) / 1440.0;
    }
  if (*p != '\0')
    return FALSE;
  *out = days;
  return TRUE;
}

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
  if (parse_date_number (p, &date))
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
