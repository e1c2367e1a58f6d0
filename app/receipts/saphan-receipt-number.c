/* saphan-receipt-number.c: Crockford base32 receipt numbers with a check symbol. */
#include "config.h"

#include "saphan-receipt-number.h"

#include <openssl/rand.h>
#include <string.h>

/* The 32 symbols leave out I, L, O and U so that nothing reads as 1, 0 or an
 * obscenity; the five extra symbols are used only for the check value. */
static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";

static int
symbol_value (char c)
{
  c = g_ascii_toupper (c);
  if (c == 'O')
    c = '0';
  else if (c == 'I' || c == 'L')
    c = '1';
  for (int i = 0; i < 37; i++)
    if (alphabet[i] == c)
      return i;
  return -1;
}

static char
check_symbol (const char *data)
{
  guint64 value = 0;

  for (const char *p = data; *p != '\0'; p++)
    value = value * 32 + (guint64) symbol_value (*p);
  return alphabet[value % 37];
}

static char *
format_number (const char *data)
{
  return g_strdup_printf ("%.4s-%.4s-%c", data, data + 4, check_symbol (data));
}

char *
saphan_receipt_number_new (void)
{
  guint8 bytes[5];
  char data[SAPHAN_RECEIPT_NUMBER_DATA_LEN + 1];
  guint64 bits = 0;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    g_error ("The system random number generator failed");
  for (gsize i = 0; i < sizeof bytes; i++)
    bits = (bits << 8) | bytes[i];
  for (int i = SAPHAN_RECEIPT_NUMBER_DATA_LEN - 1; i >= 0; i--)
    {
      data[i] = alphabet[bits & 31];
      bits >>= 5;
    }
  data[SAPHAN_RECEIPT_NUMBER_DATA_LEN] = '\0';
  return format_number (data);
}

char *
saphan_receipt_number_normalize (const char *text)
{
  char data[SAPHAN_RECEIPT_NUMBER_DATA_LEN + 2];
  gsize n = 0;

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      int v;

      if (*p == '-' || *p == ' ')
        continue;
      v = symbol_value (*p);
      /* Data symbols come from the first 32; only the last may be a check-only symbol. */
      if (v < 0 || n >= sizeof data - 1 || (v >= 32 && n < SAPHAN_RECEIPT_NUMBER_DATA_LEN))
        return NULL;
      data[n++] = alphabet[v];
    }
  if (n != SAPHAN_RECEIPT_NUMBER_DATA_LEN + 1)
    return NULL;
  data[n] = '\0';
  {
    char check = data[SAPHAN_RECEIPT_NUMBER_DATA_LEN];
    data[SAPHAN_RECEIPT_NUMBER_DATA_LEN] = '\0';
    if (check_symbol (data) != check)
      return NULL;
  }
  return format_number (data);
}

gboolean
saphan_receipt_number_is_valid (const char *text)
{
  g_autofree char *canonical = saphan_receipt_number_normalize (text);
  return canonical != NULL;
}
