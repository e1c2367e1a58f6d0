/* test-receipt-number.c: receipt numbers people read out and type. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "saphan-receipt-number.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Every case in data/receipt-numbers.tsv: what a person typed and the
 * canonical number it must give, or INVALID. */
static void
test_cases_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "receipts", "data", "receipt-numbers.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      g_autofree char *got = NULL;

      if (lines[i][0] == '#' || (lines[i][0] == '\0' && lines[i + 1] == NULL))
        continue;
      fields = g_strsplit (lines[i], "\t", 2);
      g_assert_nonnull (fields[1]);
      got = saphan_receipt_number_normalize (fields[0]);
      if (g_str_equal (fields[1], "INVALID"))
        {
          if (got != NULL)
            g_error ("“%s” should be refused, got %s", fields[0], got);
        }
      else
        g_assert_cmpstr (got, ==, fields[1]);
      g_assert_cmpint (saphan_receipt_number_is_valid (fields[0]), ==, got != NULL);
      n++;
    }
  g_assert_cmpuint (n, >=, 30);
  g_test_message ("%u declarative cases", n);
}

static void
test_new_numbers (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 2000; i++)
    {
      char *number = saphan_receipt_number_new ();
      g_autofree char *again = NULL;

      g_assert_cmpuint (strlen (number), ==, 11);
      g_assert_cmpint (number[4], ==, '-');
      g_assert_cmpint (number[9], ==, '-');
      for (int k = 0; k < 9; k++)
        if (k != 4)
          g_assert_nonnull (strchr (crockford, number[k]));
      again = saphan_receipt_number_normalize (number);
      g_assert_cmpstr (again, ==, number);
      /* 40 random bits: 2000 numbers never collide in practice. */
      g_assert_false (g_hash_table_contains (seen, number));
      g_hash_table_add (seen, number);
    }
}

/* The mod-37 check symbol catches every single wrong symbol and every swap
 * of two neighbouring different symbols: the errors people make. */
static void
test_check_catches_typos (void)
{
  guint substitutions = 0, transpositions = 0;

  for (int round = 0; round < 200; round++)
    {
      g_autofree char *number = saphan_receipt_number_new ();
      char data[10];

      /* "K7QM-2XD9-R" without dashes: eight data symbols and the check. */
      memcpy (data, number, 4);
      memcpy (data + 4, number + 5, 4);
      data[8] = number[10];
      data[9] = '\0';

      for (int pos = 0; pos < 8; pos++)
        {
          for (int s = 0; s < 32; s++)
            {
              char typo[10];

              if (crockford[s] == data[pos])
                continue;
              memcpy (typo, data, sizeof typo);
              typo[pos] = crockford[s];
              g_assert_false (saphan_receipt_number_is_valid (typo));
              substitutions++;
            }
          if (pos < 7 && data[pos] != data[pos + 1])
            {
              char swapped[10];

              memcpy (swapped, data, sizeof swapped);
              swapped[pos] = data[pos + 1];
              swapped[pos + 1] = data[pos];
              g_assert_false (saphan_receipt_number_is_valid (swapped));
              transpositions++;
            }
        }
    }
  g_test_message ("%u substitutions and %u transpositions all caught", substitutions, transpositions);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/receipts/number/cases-file", test_cases_file);
  g_test_add_func ("/receipts/number/new", test_new_numbers);
  g_test_add_func ("/receipts/number/check-catches-typos", test_check_catches_typos);
  return g_test_run ();
}
