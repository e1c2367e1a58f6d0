/* saphan-xpath-functions-date.c: today(), now() and the date conversion and
 * formatting functions of the ODK function library.
 *
 * ODK dates travel as strings ("2024-02-29", "2024-02-29T10:00:00.000+07:00")
 * and as numbers of days since 1970-01-01. Like Collect and Enketo, the day
 * numbers count the LOCAL wall clock: "2024-02-29T10:00:00.000+07:00" on a
 * kiosk in Bangkok is 19782 + 10/24, and 2024-02-29T03:00:00Z is the same
 * instant and so the same number there. That keeps date(decimal-date-time(x))
 * equal to the local date of X, and today() + 1 a whole number, which forms
 * rely on. Dates before 1970 are negative numbers; the calendar is the
 * proleptic Gregorian one, leap days included.
 *
 * "Local" is the time zone of the process (TZ), the same one the form
 * model's clock reports in.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "saphan-xpath-functions-private.h"

#define MS_PER_DAY 86400000.0
/* GDate's Julian day number of 1970-01-01 (day 1 is 0001-01-01). */
#define JULIAN_EPOCH 719163

static const char *const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun",
  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const weekday_names[] = {
  "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};

/* Broken-down local wall-clock time. */
typedef struct
{
  int year, month, day;
  int hour, minute, second, millisecond;
  GDateWeekday weekday;
} WallTime;

/* ---- Parsing --------------------------------------------------------------- */

static gboolean
parse_digits (const char **p, int min_digits, int max_digits, int *out)
{
  int value = 0, n = 0;

  while (n < max_digits && g_ascii_isdigit ((*p)[n]))
    {
      value = value * 10 + ((*p)[n] - '0');
      n++;
    }
  if (n < min_digits)
    return FALSE;
  *p += n;
  *out = value;
  return TRUE;
}

static gboolean
expect (const char **p, char c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* "HH:MM[:SS[.fff]]" into milliseconds since midnight. */
static gboolean
parse_time_of_day (const char **p, double *ms)
{
  int hour, minute, second = 0;
  double fraction = 0.0;

  if (!parse_digits (p, 2, 2, &hour) || !expect (p, ':') || !parse_digits (p, 2, 2, &minute))
    return FALSE;
  if (expect (p, ':'))
    {
      if (!parse_digits (p, 2, 2, &second))
        return FALSE;
      if (expect (p, '.'))
        {
          double scale = 0.1;

          if (!g_ascii_isdigit (**p))
            return FALSE;
          for (; g_ascii_isdigit (**p); (*p)++, scale /= 10.0)
            fraction += (**p - '0') * scale;
        }
    }
  if (hour > 23 || minute > 59 || second > 59)
    return FALSE;
  *ms = ((hour * 60.0 + minute) * 60.0 + second + fraction) * 1000.0;
  return TRUE;
}

/* An offset "Z", "+07:00", "+0700" or "+07" into seconds east of UTC; no
 * offset at all leaves HAS_OFFSET FALSE. */
static gboolean
parse_offset (const char **p, gboolean *has_offset, int *offset)
{
  int sign, hours, minutes = 0;

  *has_offset = FALSE;
  *offset = 0;
  if (**p == '\0')
    return TRUE;
  if (expect (p, 'Z'))
    {
      *has_offset = TRUE;
      return TRUE;
    }
  if (**p != '+' && **p != '-')
    return FALSE;
  sign = **p == '-' ? -1 : 1;
  (*p)++;
  if (!parse_digits (p, 2, 2, &hours))
    return FALSE;
  if (**p != '\0')
    {
      expect (p, ':');
      if (!parse_digits (p, 2, 2, &minutes))
        return FALSE;
    }
  if (hours > 14 || minutes > 59)
    return FALSE;
  *has_offset = TRUE;
  *offset = sign * (hours * 3600 + minutes * 60);
  return TRUE;
}

/* The local zone's offset at the instant whose UTC wall clock is
 * UTC_SECONDS since the epoch. */
static int
local_offset_at (double utc_seconds)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_local ();
  gint64 t = (gint64) floor (utc_seconds);
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, t);

  return interval < 0 ? 0 : g_time_zone_get_offset (zone, interval);
}

gboolean
_saphan_xfn_parse_date (const char *text, gboolean allow_time_only, double *days)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *p = copy;
  double day_number = 0.0, ms = 0.0;
  gboolean has_time = FALSE, has_offset = FALSE;
  int offset = 0;

  if (allow_time_only && g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[1]) && p[2] == ':')
    has_time = TRUE;
  else
    {
      int year, month, day;
      GDate date;

      if (!parse_digits (&p, 4, 6, &year) || !expect (&p, '-')
          || !parse_digits (&p, 2, 2, &month) || !expect (&p, '-')
          || !parse_digits (&p, 2, 2, &day))
        return FALSE;
      if (year < 1 || year > 9999 || !g_date_valid_dmy (day, month, year))
        return FALSE;
      g_date_clear (&date, 1);
      g_date_set_dmy (&date, day, month, year);
      day_number = (double) g_date_get_julian (&date) - JULIAN_EPOCH;
      has_time = expect (&p, 'T');
    }

  if (has_time)
    {
      if (!parse_time_of_day (&p, &ms) || !parse_offset (&p, &has_offset, &offset))
        return FALSE;
    }
  if (*p != '\0')
    return FALSE;

  if (has_offset)
    {
      /* Move the written wall clock to UTC, then to the local wall clock of
       * that same instant (which may fall on another day). */
      double utc_seconds = day_number * 86400.0 + ms / 1000.0 - offset;

      day_number = 0.0;
      ms = (utc_seconds + local_offset_at (utc_seconds)) * 1000.0;
    }
  *days = day_number + ms / MS_PER_DAY;
  return TRUE;
}

/* ---- Days to wall time ----------------------------------------------------- */

static gboolean
days_to_wall (double days, WallTime *wall)
{
  double whole = floor (days);
  double ms = round ((days - whole) * MS_PER_DAY);
  GDate date;

  /* GDate and GDateTime cover years 1 to 9999: day -719162 (0001-01-01) to
   * day 2932896 (9999-12-31). */
  if (!isfinite (days) || whole < 1.0 - JULIAN_EPOCH || whole > 2932896.0)
    return FALSE;
  if (ms >= MS_PER_DAY)
    {
      whole += 1.0;
      ms -= MS_PER_DAY;
    }
  g_date_clear (&date, 1);
  g_date_set_julian (&date, (guint32) (whole + JULIAN_EPOCH));
  if (!g_date_valid (&date))
    return FALSE;
  wall->year = g_date_get_year (&date);
  wall->month = g_date_get_month (&date);
  wall->day = g_date_get_day (&date);
  wall->weekday = g_date_get_weekday (&date);
  wall->millisecond = (int) fmod (ms, 1000.0);
  ms = floor (ms / 1000.0);
  wall->second = (int) fmod (ms, 60.0);
  ms = floor (ms / 60.0);
  wall->minute = (int) fmod (ms, 60.0);
  wall->hour = (int) floor (ms / 60.0);
  return TRUE;
}

static char *
format_date_string (const WallTime *wall)
{
  return g_strdup_printf ("%04d-%02d-%02d", wall->year, wall->month, wall->day);
}

/* A local wall time as an ODK dateTime with milliseconds and the local
 * offset in force at that time. */
static char *
format_date_time_string (const WallTime *wall)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr (GDateTime) dt = g_date_time_new (zone, wall->year, wall->month, wall->day,
                                               wall->hour, wall->minute, wall->second);
  g_autofree char *base = NULL;
  g_autofree char *offset = NULL;

  if (dt == NULL)
    return g_strdup ("");
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  offset = g_date_time_format (dt, "%:z");
  return g_strdup_printf ("%s.%03d%s", base, wall->millisecond, offset);
}

/* ---- Argument to days -------------------------------------------------------- */

typedef enum
{
  DATE_EMPTY,   /* "" or NaN: the functions give "" or NaN */
  DATE_OK,
  DATE_INVALID, /* a string that is neither a date nor a number: Collect errors */
} DateArg;

static DateArg
value_to_days (const SaphanXPathValue *value, gboolean allow_time_only, double *days)
{
  g_autofree char *text = NULL;
  double number;

  if (value->type == SAPHAN_XPATH_NUMBER)
    {
      *days = value->number;
      return isfinite (*days) ? DATE_OK : DATE_EMPTY;
    }
  if (value->type == SAPHAN_XPATH_BOOLEAN)
    return DATE_INVALID;

  text = _saphan_xfn_string (value);
  g_strstrip (text);
  if (*text == '\0')
    return DATE_EMPTY;
  if (_saphan_xfn_parse_date (text, allow_time_only, days))
    return DATE_OK;
  /* A stored day number ("19782") is accepted too, as Enketo does. */
  number = saphan_xpath_string_to_number (text);
  if (isnan (number))
    return DATE_INVALID;
  *days = number;
  return isfinite (number) ? DATE_OK : DATE_EMPTY;
}

static gboolean
date_arg (const char *function, const SaphanXPathValue *value, gboolean allow_time_only,
          double *days, gboolean *empty, GError **error)
{
  switch (value_to_days (value, allow_time_only, days))
    {
    case DATE_OK:
      *empty = FALSE;
      return TRUE;
    case DATE_EMPTY:
      *empty = TRUE;
      return TRUE;
    case DATE_INVALID:
    default:
      _saphan_xfn_error (error, function, _("the value is not a date"));
      return FALSE;
    }
}

/* ---- Clock ------------------------------------------------------------------ */

static GDateTime *
clock_now (const SaphanXPathContext *ctx)
{
  const SaphanXPathEnv *env = ctx->env;
  g_autoptr (GDateTime) now = NULL;

  if (env != NULL && env->now != NULL)
    now = env->now (env->data);
  if (now == NULL)
    return g_date_time_new_now_local ();
  /* The clock may answer in any zone; dates are always local. */
  return g_date_time_to_local (now);
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_today)
{
  g_autoptr (GDateTime) now = clock_now (ctx);

  _saphan_xfn_take_string (result, g_date_time_format (now, "%Y-%m-%d"));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_now)
{
  g_autoptr (GDateTime) now = clock_now (ctx);
  g_autofree char *base = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *offset = g_date_time_format (now, "%:z");

  _saphan_xfn_take_string (result, g_strdup_printf ("%s.%03d%s", base,
                                                    g_date_time_get_microsecond (now) / 1000,
                                                    offset));
  return TRUE;
}

/* ---- Conversions -------------------------------------------------------------- */

/* An instant as ODK's reference engine writes the dateTime that date()
 * keeps: the local wall clock with its offset, the fraction of a second
 * without trailing zeros and left out when zero ("…T10:20:30.4+07:00"). */
static char *
format_instant_string (const WallTime *wall)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr (GDateTime) dt = g_date_time_new (zone, wall->year, wall->month, wall->day,
                                               wall->hour, wall->minute, wall->second);
  g_autofree char *base = NULL;
  g_autofree char *offset = NULL;
  char fraction[8] = "";

  if (dt == NULL)
    return g_strdup ("");
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  offset = g_date_time_format (dt, "%:z");
  if (wall->millisecond != 0)
    {
      g_snprintf (fraction, sizeof fraction, ".%03d", wall->millisecond);
      for (gsize len = strlen (fraction); fraction[len - 1] == '0'; len--)
        fraction[len - 1] = '\0';
    }
  return g_strdup_printf ("%s%s%s", base, fraction, offset);
}

/* Whether VALUE is written as a dateTime ("2018-01-01T10:20:30.400"), not
 * as a date or a day number. */
static gboolean
is_date_time_text (const SaphanXPathValue *value)
{
  g_autofree char *text = NULL;

  if (value->type == SAPHAN_XPATH_NUMBER || value->type == SAPHAN_XPATH_BOOLEAN)
    return FALSE;
  text = _saphan_xfn_string (value);
  return strchr (text, 'T') != NULL;
}

/* date(x): a date string. Numbers are days and are floored, so -0.5
 * (1969-12-31T12:00) is 1969-12-31. "" and NaN give "". A dateTime string
 * keeps its time: ODK's engines turn it into that instant, not midnight, so
 * date('2018-01-01T10:20:30.400') formats back to 10:20:30.400. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_date)
{
  double days;
  gboolean empty;
  WallTime wall;

  if (!date_arg ("date", &argv[0], FALSE, &days, &empty, error))
    return FALSE;
  if (empty || !days_to_wall (days, &wall))
    _saphan_xfn_set_string (result, "");
  else if (is_date_time_text (&argv[0]))
    _saphan_xfn_take_string (result, format_instant_string (&wall));
  else
    _saphan_xfn_take_string (result, format_date_string (&wall));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_date_time)
{
  double days;
  gboolean empty;
  WallTime wall;

  if (!date_arg ("date-time", &argv[0], FALSE, &days, &empty, error))
    return FALSE;
  if (empty || !days_to_wall (days, &wall))
    _saphan_xfn_set_string (result, "");
  else
    _saphan_xfn_take_string (result, format_date_time_string (&wall));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_decimal_date)
{
  double days;
  gboolean empty;

  if (!date_arg ("decimal-date", &argv[0], FALSE, &days, &empty, error))
    return FALSE;
  _saphan_xfn_set_number (result, empty ? NAN : floor (days));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_decimal_date_time)
{
  double days;
  gboolean empty;

  if (!date_arg ("decimal-date-time", &argv[0], FALSE, &days, &empty, error))
    return FALSE;
  _saphan_xfn_set_number (result, empty ? NAN : days);
  return TRUE;
}

/* decimal-time(): the fraction of the local day, so noon is 0.5. A time
 * with an offset is first moved to the local zone, on 1970-01-01. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_decimal_time)
{
  double days;
  gboolean empty;

  if (!date_arg ("decimal-time", &argv[0], TRUE, &days, &empty, error))
    return FALSE;
  _saphan_xfn_set_number (result, empty ? NAN : days - floor (days));
  return TRUE;
}

/* ---- Formatting ------------------------------------------------------------------ */

static gboolean
format_wall (const char *function, const WallTime *wall, const char *format, GString *out,
             GError **error)
{
  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      switch (*++p)
        {
        case 'Y': g_string_append_printf (out, "%04d", wall->year); break;
        case 'y': g_string_append_printf (out, "%02d", wall->year % 100); break;
        case 'm': g_string_append_printf (out, "%02d", wall->month); break;
        case 'n': g_string_append_printf (out, "%d", wall->month); break;
        case 'b': g_string_append (out, month_names[wall->month - 1]); break;
        case 'd': g_string_append_printf (out, "%02d", wall->day); break;
        case 'e': g_string_append_printf (out, "%d", wall->day); break;
        case 'a': g_string_append (out, weekday_names[wall->weekday - 1]); break;
        case 'H': g_string_append_printf (out, "%02d", wall->hour); break;
        case 'h': g_string_append_printf (out, "%d", wall->hour); break;
        case 'M': g_string_append_printf (out, "%02d", wall->minute); break;
        case 'S': g_string_append_printf (out, "%02d", wall->second); break;
        case '3': g_string_append_printf (out, "%03d", wall->millisecond); break;
        case '%': g_string_append_c (out, '%'); break;
        default:
          /* Collect refuses unknown escapes rather than printing them. */
          _saphan_xfn_error (error, function, _("the format has an unknown %-code"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
format_common (const char *function, gboolean allow_time_only, const SaphanXPathValue *argv,
               SaphanXPathValue *result, GError **error)
{
  g_autofree char *format = _saphan_xfn_string (&argv[1]);
  g_autoptr (GString) out = g_string_new (NULL);
  double days;
  gboolean empty;
  WallTime wall;

  if (!date_arg (function, &argv[0], allow_time_only, &days, &empty, error))
    return FALSE;
  if (empty || !days_to_wall (days, &wall))
    {
      _saphan_xfn_set_string (result, "");
      return TRUE;
    }
  if (!format_wall (function, &wall, format, out, error))
    return FALSE;
  _saphan_xfn_take_string (result, g_string_free (g_steal_pointer (&out), FALSE));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_format_date)
{
  return format_common ("format-date", FALSE, argv, result, error);
}

/* format-date-time() also takes a bare time ("10:30:00.000+07:00"), which
 * time questions store; its date is 1970-01-01. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_format_date_time)
{
  return format_common ("format-date-time", TRUE, argv, result, error);
}
