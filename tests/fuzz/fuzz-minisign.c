/* fuzz-minisign.c: minisign public keys and signatures as text.
 *
 * The input is split at its first NUL byte (or used whole): the first part
 * is parsed as a public key file and verified against as a signature file;
 * the second part, when present, is the signed data. The verification keys
 * are the fuzz key and, when the input parsed as a key, that key too, so a
 * mutated key id still reaches the signature arithmetic.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "saphan-minisign.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

const char *const fuzz_dictionary[] = {
  "untrusted comment: ", "trusted comment: ", "RWQ", "RWS", "RUS", "Ed", "ED",
  "==", "\n", "\r\n", "timestamp:1700000000\tfile:manifest.json", NULL,
};

/* keys/fuzz.pub, so that the seeds signed with keys/fuzz.key verify. */
static const char fuzz_public[] =
  "untrusted comment: minisign public key 2F58BD3B57172C8C\n"
  "RWSMLBdXO71YL3zbHpMGL31f6vfcpkzxMNtOL2Nj9KIQdRlmT/9kNKQs\n";

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const guint8 *nul = memchr (data, '\0', size);
  gsize text_len = nul != NULL ? (gsize) (nul - data) : size;
  const guint8 *signed_data = nul != NULL ? nul + 1 : (const guint8 *) "";
  gsize signed_len = nul != NULL ? size - text_len - 1 : 0;
  g_autofree char *text = g_strndup ((const char *) data, text_len);
  SaphanMinisignPublicKey keys[2];
  guint n_keys = 1;
  g_autoptr(GError) error = NULL;
  g_autofree char *comment = NULL;
  int index;

  g_assert (saphan_minisign_public_key_parse (fuzz_public, &keys[0], NULL));
  if (saphan_minisign_public_key_parse (text, &keys[1], &error))
    {
      g_autofree char *id = saphan_minisign_key_id_to_string (keys[1].key_id);
      g_autofree char *round_trip = saphan_minisign_public_key_to_text (&keys[1], "fuzz");
      SaphanMinisignPublicKey again;

      /* A key that parses must print to a text that parses to itself. */
      g_assert (saphan_minisign_public_key_parse (round_trip, &again, NULL));
      g_assert (memcmp (&again, &keys[1], sizeof again) == 0);
      g_assert (strlen (id) == 16);
      n_keys = 2;
    }
  else
    g_assert (error != NULL);
  g_clear_error (&error);

  index = saphan_minisign_verify (text, signed_data, signed_len, keys, n_keys, &comment, &error);
  if (index < 0)
    g_assert (error != NULL);
  else
    g_assert ((guint) index < n_keys);
  return 0;
}
