/* bench-forms.c: form load, first evaluation and incremental recompute.
 *
 * usage: bench-forms FORM.xml ITERATIONS [REF DEPENDENT... --answers M]
 *
 * Loads FORM.xml ITERATIONS times from memory (parse, compile, dependency
 * graph) and opens a session on it (the first evaluation of every bind),
 * timing the two together as a kiosk does when a citizen picks a service.
 * With REF, it then answers REF M times with alternating values on one
 * session and times each answer together with reading the DEPENDENT nodes'
 * values back, which is the incremental recompute a touch causes. Prints one
 * JSON object; times in milliseconds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saphan-form.h"
#include "saphan-session.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double
percentile (const double *sorted, guint n, double p)
{
  guint rank = (guint) (p / 100.0 * n + 0.999999);

  return sorted[MIN (MAX (rank, 1), n) - 1];
}

static void
print_series (const char *name, double *values, guint n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  printf ("  \"%s\": {\"n\": %u, \"min\": %.4f, \"p50\": %.4f, \"p99\": %.4f, \"max\": %.4f}",
          name, n, values[0], percentile (values, n, 50), percentile (values, n, 99), values[n - 1]);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GBytes) xml = NULL;
  guint iterations;
  g_autofree double *load = NULL;
  g_autofree double *parse = NULL;
  guint n_questions = 0;
  const char *ref = NULL;
  GPtrArray *dependents = g_ptr_array_new ();
  guint n_answers = 1000;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s FORM.xml ITERATIONS [REF DEPENDENT... --answers M]\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &contents, &length, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  xml = g_bytes_new_take (g_steal_pointer (&contents), length);
  iterations = (guint) MAX (1, atoi (argv[2]));
  for (int i = 3; i < argc; i++)
    {
      if (strcmp (argv[i], "--answers") == 0 && i + 1 < argc)
        {
          int n = atoi (argv[++i]);

          n_answers = (guint) MAX (1, n);
        }
      else if (ref == NULL)
        ref = argv[i];
      else
        g_ptr_array_add (dependents, argv[i]);
    }

  load = g_new (double, iterations);
  parse = g_new (double, iterations);
  for (guint i = 0; i < iterations; i++)
    {
      double t0 = now_ms (), t1;
      g_autoptr(SaphanForm) form = saphan_form_new_from_bytes (xml, argv[1], NULL, &error);
      g_autoptr(SaphanSession) session = NULL;

      if (form == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      t1 = now_ms ();
      session = saphan_session_new (form, NULL, &error);
      if (session == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      load[i] = now_ms () - t0;
      parse[i] = t1 - t0;
      n_questions = saphan_form_get_question_count (form);
    }

  printf ("{\n  \"engine\": \"saphan\",\n  \"form\": \"%s\",\n  \"questions\": %u,\n",
          g_path_get_basename (argv[1]), n_questions);
  print_series ("load_first_eval_ms", load, iterations);
  printf (",\n");
  print_series ("load_only_ms", parse, iterations);

  if (ref != NULL)
    {
      g_autoptr(SaphanForm) form = saphan_form_new_from_bytes (xml, argv[1], NULL, &error);
      g_autoptr(SaphanSession) session = saphan_session_new (form, NULL, &error);
      g_autofree double *answer = g_new (double, n_answers);
      gsize checksum = 0;

      g_assert_no_error (error);
      for (guint i = 0; i < n_answers; i++)
        {
          char value[16];
          double t0;

          g_snprintf (value, sizeof value, "%u", (i % 2) == 0 ? 0u : 1u + i % 7);
          t0 = now_ms ();
          if (!saphan_session_answer (session, ref, value, &error))
            {
              fprintf (stderr, "%s\n", error->message);
              return 1;
            }
          /* Read the dependents back, as the screen does after a touch. */
          for (guint d = 0; d < dependents->len; d++)
            {
              g_autoptr(SaphanNodeState) state = saphan_session_get_state (session,
                                                                           dependents->pdata[d], NULL);
              checksum += state != NULL && state->relevant ? strlen (state->value ? state->value : "") : 1;
            }
          answer[i] = now_ms () - t0;
        }
      printf (",\n");
      print_series ("recompute_ms", answer, n_answers);
      printf (",\n  \"recompute_ref\": \"%s\",\n  \"recompute_dependents\": %u,\n  \"checksum\": %zu",
              ref, dependents->len, checksum);
    }
  printf ("\n}\n");
  g_ptr_array_unref (dependents);
  return 0;
}
