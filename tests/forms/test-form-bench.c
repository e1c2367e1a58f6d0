/* test-form-bench.c: figures for the form engine, printed, never asserted.
 *
 * usage: test-form-bench [BENCH9.xml]
 *
 * Measures load plus first evaluation of performance__bench9.xml (from the
 * shared conformance cases) and of a generated form with 2,000 questions,
 * 500 calculations and 500 relevance conditions, and the p50/p99 time of
 * the recomputation that follows one answer, in wall time and in the
 * thread's CPU time (steady on a busy machine). Registered as a meson
 * benchmark: `meson test --benchmark --suite forms`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-glib/json-glib.h>

#include "saphan-form.h"
#include "saphan-session.h"

#define N_QUESTIONS 2000

static GBytes *
generated_form (void)
{
  GString *x = g_string_new ("<h:html xmlns=\"http://www.w3.org/2002/xforms\" "
                             "xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:head><h:title>Generated</h:title>"
                             "<model><instance><data id=\"generated\">");

  for (int i = 0; i < N_QUESTIONS; i++)
    g_string_append_printf (x, "<q%d/>", i);
  g_string_append (x, "<meta><instanceID/></meta></data></instance>");
  /* Every fourth question is calculated from the one before it and one
   * far away (never itself calculated), every fourth is relevant on the one
   * two before it: 500 of each. */
  for (int i = 0; i < N_QUESTIONS; i++)
    {
      g_string_append_printf (x, "<bind nodeset=\"/data/q%d\" type=\"int\"", i);
      if (i % 4 == 1)
        g_string_append_printf (x, " calculate=\"/data/q%d * 2 + /data/q%d\"", i - 1, (i + 1002) % N_QUESTIONS);
      if (i % 4 == 2)
        g_string_append_printf (x, " relevant=\"/data/q%d &gt; 3\"", i - 2);
      g_string_append (x, "/>");
    }
  g_string_append (x, "</model></h:head><h:body>");
  for (int i = 0; i < N_QUESTIONS; i++)
    g_string_append_printf (x, "<input ref=\"/data/q%d\"><label>Q%d</label></input>", i, i);
  g_string_append (x, "</h:body></h:html>");
  return g_string_free_to_bytes (x);
}

/* The thread's CPU time in ms: on a busy machine (CI runs builds beside
 * the benchmark) wall time also counts the moments the scheduler gave the
 * core to someone else, which says nothing about the engine. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
bench_load (const char *name, GBytes *xml, int rounds)
{
  double total = 0;

  for (int r = 0; r < rounds; r++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr (GError) error = NULL;
      g_autoptr (SaphanForm) form = saphan_form_new_from_bytes (xml, name, NULL, &error);
      g_autoptr (SaphanSession) session = NULL;

      if (form == NULL)
        {
          printf ("%s: does not load: %s\n", name, error->message);
          return;
        }
      session = saphan_session_new (form, NULL, &error);
      total += (g_get_monotonic_time () - start) / 1000.0;
    }
  printf ("%-28s load + first evaluation: %8.3f ms (mean of %d)\n", name, total / rounds, rounds);
}

/* REFS and VALUES: the answers to time, in order; VALUES NULL: digits. */
static void
bench_answers (const char *name, GBytes *xml, GPtrArray *refs, GPtrArray *values)
{
  g_autoptr (SaphanForm) form = saphan_form_new_from_bytes (xml, name, NULL, NULL);
  g_autoptr (SaphanSession) session = NULL;
  g_autofree double *times = NULL;
  g_autofree double *cpu = NULL;
  guint n = 0;

  if (form == NULL || refs->len == 0)
    return;
  session = saphan_session_new (form, NULL, NULL);
  times = g_new (double, refs->len * 4);
  cpu = g_new (double, refs->len * 4);
  for (int round = 0; round < (values != NULL ? 1 : 4); round++)
    for (guint i = 0; i < refs->len; i++)
      {
        char digits[16];
        const char *value = digits;
        gint64 start;
        double cpu_start;

        if (values != NULL)
          value = values->pdata[i];
        else
          g_snprintf (digits, sizeof digits, "%d", (int) ((i * 7 + round) % 10));
        start = g_get_monotonic_time ();
        cpu_start = cpu_ms ();
        if (saphan_session_answer (session, refs->pdata[i], value, NULL))
          {
            cpu[n] = cpu_ms () - cpu_start;
            times[n++] = (g_get_monotonic_time () - start) / 1000.0;
            /* SAPHAN_BENCH_VERBOSE=1 shows which answers are the slow ones. */
            if (g_getenv ("SAPHAN_BENCH_VERBOSE") != NULL)
              printf ("  %8.3f ms (cpu %8.3f)  %s = %s\n", times[n - 1], cpu[n - 1],
                      (const char *) refs->pdata[i], value);
          }
      }
  qsort (times, n, sizeof (double), compare_doubles);
  qsort (cpu, n, sizeof (double), compare_doubles);
  if (n > 0)
    printf ("%-28s one answer, recompute:  p50 %6.3f ms  p99 %6.3f ms  (%u answers; "
            "CPU time p50 %6.3f ms  p99 %6.3f ms)\n", name,
            times[n / 2], times[(n * 99) / 100], n, cpu[n / 2], cpu[(n * 99) / 100]);
}

int
main (int argc, char **argv)
{
  g_autoptr (GBytes) generated = generated_form ();
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  const char *bench9 = argc > 1 ? argv[1] : NULL;

  for (int i = 0; i < N_QUESTIONS; i += 4)
    g_ptr_array_add (refs, g_strdup_printf ("/data/q%d", i));
  bench_load ("generated-2000", generated, 10);
  bench_answers ("generated-2000", generated, refs, NULL);

  if (bench9 != NULL && g_file_test (bench9, G_FILE_TEST_EXISTS))
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_autoptr (GBytes) xml = NULL;
      g_autoptr (GPtrArray) bench_refs = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) bench_values = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autofree char *stem = g_strndup (bench9, strlen (bench9) - 4);
      g_autofree char *answers = g_strconcat (stem, ".answers.json", NULL);

      g_file_get_contents (bench9, &contents, &len, NULL);
      xml = g_bytes_new_take (g_steal_pointer (&contents), len);
      bench_load ("performance__bench9", xml, 20);
      /* The conformance fill script of bench9, answer by answer. */
      if (json_parser_load_from_file (parser, answers, NULL))
        {
          JsonArray *list = json_node_get_array (json_parser_get_root (parser));
          for (guint i = 0; i < json_array_get_length (list); i++)
            {
              JsonArray *pair = json_array_get_array_element (list, i);
              g_ptr_array_add (bench_refs, g_strdup (json_array_get_string_element (pair, 0)));
              g_ptr_array_add (bench_values, g_strdup (json_array_get_string_element (pair, 1)));
            }
        }
      bench_answers ("performance__bench9", xml, bench_refs, bench_values);
    }
  return 0;
}
