/* fuzz-driver.c: runs a libFuzzer target without libFuzzer.
 *
 * Under gcc (and in every build, for the regression inputs) each target links
 * this driver instead of libFuzzer's. It replays every file of the folders
 * given on the command line, then feeds the target a fixed number of
 * deterministic mutations of those inputs, so that the fuzz suite always
 * exercises the parsers under ASan/UBSan even where libFuzzer is missing.
 * The mutations are reproducible: the same corpus gives the same inputs, and
 * a crash names the mutation's number so it can be written out again with
 * FUZZ_WRITE_MUTATION=N.
 *
 * Output is TAP: one line per folder replayed and one for the mutations.
 */
#include <glib.h>
#include <signal.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

/* Words a target may want spliced into its inputs, NULL-terminated. */
extern const char *const fuzz_dictionary[] __attribute__ ((weak));

#define FUZZ_MAX_INPUT (1024 * 1024)

typedef struct
{
  guint64 state;
} Rng;

static guint64
rng_next (Rng *rng)
{
  /* splitmix64: small, fast and the same on every machine. */
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static gsize
rng_below (Rng *rng, gsize n)
{
  return n == 0 ? 0 : (gsize) (rng_next (rng) % n);
}

static void
run_one (const guint8 *data, gsize size)
{
  /* Copy into an exact-size heap block, so ASan sees any read past the end. */
  guint8 *copy = g_malloc (size > 0 ? size : 1);

  if (size > 0)
    memcpy (copy, data, size);
  LLVMFuzzerTestOneInput (copy, size);
  g_free (copy);
}

/* Inserts LEN bytes at AT, moving the tail. */
static void
insert_bytes (GByteArray *buf, gsize at, const guint8 *data, guint len)
{
  gsize tail = buf->len - at;

  g_byte_array_set_size (buf, buf->len + len);
  memmove (buf->data + at + len, buf->data + at, tail);
  memmove (buf->data + at, data, len);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Which input is running, for the message when the process dies. */
static volatile sig_atomic_t current_mutation = -1;

static void
death_handler (int signum)
{
  char line[96];
  int n;

  if (current_mutation >= 0)
    n = snprintf (line, sizeof line,
                  "fuzz-driver: died on mutation %d (rerun with FUZZ_WRITE_MUTATION=%d)\n",
                  (int) current_mutation, (int) current_mutation);
  else
    n = snprintf (line, sizeof line, "fuzz-driver: died replaying a stored input\n");
  if (n > 0 && write (2, line, (size_t) n) < 0)
    (void) 0;
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
collect_folder (const char *path, GPtrArray *inputs, guint *out_count)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  *out_count = 0;
  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  /* Sorted, so that the mutations below do not depend on readdir's order. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (path, names->pdata[i], NULL);
      char *contents;
      gsize len;

      if (g_file_test (file, G_FILE_TEST_IS_DIR) ||
          !g_file_get_contents (file, &contents, &len, NULL))
        continue;
      run_one ((const guint8 *) contents, len);
      g_ptr_array_add (inputs, g_bytes_new_take (contents, len));
      (*out_count)++;
    }
}

static void
mutate (Rng *rng, GByteArray *buf, GPtrArray *inputs)
{
  static const guint8 interesting[] = {
    0, 0xff, 0x7f, 0x80, '<', '>', '/', '"', '\'', '(', ')', '[', ']', '@', '$',
    '=', '-', '.', '0', '9', ' ', '\n', ':', 0xe0, 0xb8,
  };
  guint n_ops = 1 + (guint) rng_below (rng, 4);

  for (guint op = 0; op < n_ops; op++)
    {
      gsize len = buf->len;
      gsize at = rng_below (rng, len + 1);

      switch (rng_below (rng, 9))
        {
        case 0: /* flip one bit */
          if (len > 0)
            buf->data[rng_below (rng, len)] ^= (guint8) (1u << rng_below (rng, 8));
          break;
        case 1: /* overwrite with an interesting byte */
          if (len > 0)
            buf->data[rng_below (rng, len)] = interesting[rng_below (rng, sizeof interesting)];
          break;
        case 2: /* insert a byte */
          {
            guint8 b = interesting[rng_below (rng, sizeof interesting)];
            insert_bytes (buf, at, &b, 1);
          }
          break;
        case 3: /* delete a range */
          if (len > 0 && at < len)
            g_byte_array_remove_range (buf, (guint) at,
                                       (guint) (1 + rng_below (rng, MIN (len - at, 64))));
          break;
        case 4: /* duplicate a range in place */
          if (len > 0 && at < len && len < FUZZ_MAX_INPUT / 2)
            {
              gsize n = 1 + rng_below (rng, MIN (len - at, 256));
              g_autofree guint8 *chunk = g_memdup2 (buf->data + at, n);
              insert_bytes (buf, at, chunk, (guint) n);
            }
          break;
        case 5: /* splice a range of another input */
          if (inputs->len > 0)
            {
              GBytes *other = inputs->pdata[rng_below (rng, inputs->len)];
              gsize olen;
              const guint8 *odata = g_bytes_get_data (other, &olen);

              if (olen > 0)
                {
                  gsize from = rng_below (rng, olen);
                  gsize n = 1 + rng_below (rng, MIN (olen - from, 512));
                  insert_bytes (buf, at, odata + from, (guint) n);
                }
            }
          break;
        case 6: /* truncate */
          if (len > 0)
            g_byte_array_set_size (buf, (guint) rng_below (rng, len));
          break;
        case 7: /* insert a dictionary word */
          if (fuzz_dictionary != NULL && fuzz_dictionary[0] != NULL)
            {
              gsize n_words = 0;
              const char *word;

              while (fuzz_dictionary[n_words] != NULL)
                n_words++;
              word = fuzz_dictionary[rng_below (rng, n_words)];
              insert_bytes (buf, at, (const guint8 *) word, (guint) strlen (word));
            }
          break;
        default: /* change a digit-like byte by a small amount */
          if (len > 0)
            buf->data[rng_below (rng, len)] += (guint8) (rng_below (rng, 5) - 2);
          break;
        }
      if (buf->len > FUZZ_MAX_INPUT)
        g_byte_array_set_size (buf, FUZZ_MAX_INPUT);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *env = g_getenv ("FUZZ_MUTATIONS");
  const char *write_env = g_getenv ("FUZZ_WRITE_MUTATION");
  guint n_mutations = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 2000;
  gint64 write_index = write_env != NULL ? g_ascii_strtoll (write_env, NULL, 10) : -1;
  Rng rng = { G_GUINT64_CONSTANT (0x5a9a4a5a9a4a) };
  guint test = 0;

  signal (SIGABRT, death_handler);
  signal (SIGSEGV, death_handler);
  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  printf ("1..%d\n", argc);
  for (int i = 1; i < argc; i++)
    {
      guint count = 0;

      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        collect_folder (argv[i], inputs, &count);
      else
        {
          char *contents;
          gsize len;

          if (g_file_get_contents (argv[i], &contents, &len, NULL))
            {
              run_one ((const guint8 *) contents, len);
              g_ptr_array_add (inputs, g_bytes_new_take (contents, len));
              count = 1;
            }
        }
      printf ("ok %u - replayed %u inputs from %s\n", ++test, count, argv[i]);
      fflush (stdout);
    }

  if (inputs->len == 0)
    g_ptr_array_add (inputs, g_bytes_new_static ("", 0));
  for (guint m = 0; m < n_mutations; m++)
    {
      GBytes *base = inputs->pdata[m % inputs->len];
      gsize len;
      const guint8 *data = g_bytes_get_data (base, &len);
      g_autoptr(GByteArray) buf = g_byte_array_sized_new ((guint) len + 64);

      g_byte_array_append (buf, data, (guint) len);
      mutate (&rng, buf, inputs);
      if ((gint64) m == write_index)
        {
          fwrite (buf->data, 1, buf->len, stderr);
          return 0;
        }
      current_mutation = (sig_atomic_t) m;
      run_one (buf->data, buf->len);
    }
  current_mutation = -1;
  printf ("ok %u - %u deterministic mutations of %u inputs\n", ++test, n_mutations, inputs->len);
  return 0;
}
