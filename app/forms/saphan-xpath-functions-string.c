/* saphan-xpath-functions-string.c: string, select, regex, digest and
 * identifier functions of the ODK function library.
 *
 * Every length and index counts Unicode characters (code points), never
 * bytes: a Thai name like "สะพาน" has length 5. Collect counts UTF-16 units,
 * which is the same for Thai and every other script in the Basic
 * Multilingual Plane.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <openssl/evp.h>
#include <string.h>

#include "saphan-xpath-functions-private.h"

/* XPath 1.0's whitespace (production [3] S of XML). */
#define XPATH_SPACE " \t\r\n"

static gboolean
is_xpath_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits a select's value into its items; runs of whitespace separate and
 * never produce empty items. */
static GPtrArray *
split_selection (const char *list)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  const char *p = list;

  while (*p != '\0')
    {
      const char *start;

      while (is_xpath_space (*p))
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && !is_xpath_space (*p))
        p++;
      g_ptr_array_add (items, g_strndup (start, p - start));
    }
  return items;
}

/* ---- XPath 1.0 string functions ----------------------------------------- */

/* concat() takes node-sets too and concatenates every node's value, as ODK
 * defines it (XPath 1.0 would take only the first node). */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_concat)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  _saphan_xfn_flatten_strings (argc, argv, parts);
  for (guint i = 0; i < parts->len; i++)
    g_string_append (out, g_ptr_array_index (parts, i));
  _saphan_xfn_take_string (result, g_string_free (out, FALSE));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_contains)
{
  g_autofree char *haystack = _saphan_xfn_string (&argv[0]);
  g_autofree char *needle = _saphan_xfn_string (&argv[1]);

  _saphan_xfn_set_boolean (result, strstr (haystack, needle) != NULL);
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_starts_with)
{
  g_autofree char *haystack = _saphan_xfn_string (&argv[0]);
  g_autofree char *needle = _saphan_xfn_string (&argv[1]);

  _saphan_xfn_set_boolean (result, g_str_has_prefix (haystack, needle));
  return TRUE;
}

/* A byte-wise suffix test is a character-wise one in UTF-8, whose lead
 * bytes never look like continuation bytes. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_ends_with)
{
  g_autofree char *haystack = _saphan_xfn_string (&argv[0]);
  g_autofree char *needle = _saphan_xfn_string (&argv[1]);

  _saphan_xfn_set_boolean (result, g_str_has_suffix (haystack, needle));
  return TRUE;
}

/* XPath 1.0 substring(): the characters at 1-based positions p with
 * round(start) <= p < round(start) + round(length), compared as doubles so
 * that NaN and infinities behave as the specification's examples say. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_substring)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);
  double start = _saphan_xfn_number (&argv[1]);
  double first, end = INFINITY;
  GString *out = g_string_new (NULL);
  double position = 1.0;

  first = isfinite (start) ? floor (start + 0.5) : start;
  if (argc == 3)
    {
      double length = _saphan_xfn_number (&argv[2]);

      end = first + (isfinite (length) ? floor (length + 0.5) : length);
    }
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p), position += 1.0)
    if (position >= first && position < end)
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
  _saphan_xfn_take_string (result, g_string_free (out, FALSE));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_substring_before)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);
  g_autofree char *needle = _saphan_xfn_string (&argv[1]);
  const char *found = strstr (text, needle);

  _saphan_xfn_take_string (result, found != NULL ? g_strndup (text, found - text) : NULL);
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_substring_after)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);
  g_autofree char *needle = _saphan_xfn_string (&argv[1]);
  const char *found = strstr (text, needle);

  _saphan_xfn_set_string (result, found != NULL ? found + strlen (needle) : "");
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_string_length)
{
  g_autofree char *text = argc == 0 ? _saphan_xfn_context_string (ctx)
                                    : _saphan_xfn_string (&argv[0]);

  _saphan_xfn_set_number (result, (double) g_utf8_strlen (text, -1));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_normalize_space)
{
  g_autofree char *text = argc == 0 ? _saphan_xfn_context_string (ctx)
                                    : _saphan_xfn_string (&argv[0]);
  g_auto (GStrv) words = g_strsplit_set (text, XPATH_SPACE, -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, words[i]);
    }
  _saphan_xfn_take_string (result, g_string_free (out, FALSE));
  return TRUE;
}

/* translate() maps characters, not bytes, so Thai vowels and tone marks
 * (which are separate code points) can be mapped or removed one by one. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_translate)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);
  g_autofree char *from_text = _saphan_xfn_string (&argv[1]);
  g_autofree char *to_text = _saphan_xfn_string (&argv[2]);
  glong n_from = 0, n_to = 0;
  g_autofree gunichar *from = g_utf8_to_ucs4_fast (from_text, -1, &n_from);
  g_autofree gunichar *to = g_utf8_to_ucs4_fast (to_text, -1, &n_to);
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      glong i;

      for (i = 0; i < n_from && from[i] != c; i++)
        ;
      if (i == n_from)
        g_string_append_unichar (out, c);
      else if (i < n_to)
        g_string_append_unichar (out, to[i]);
      /* A character in FROM past the end of TO is removed. */
    }
  _saphan_xfn_take_string (result, g_string_free (out, FALSE));
  return TRUE;
}

/* ---- ODK string functions ------------------------------------------------ */

SAPHAN_XPATH_FUNCTION (_saphan_xfn_join)
{
  g_autofree char *separator = _saphan_xfn_string (&argv[0]);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  _saphan_xfn_flatten_strings (argc - 1, argv + 1, parts);
  g_ptr_array_add (parts, NULL);
  _saphan_xfn_take_string (result, g_strjoinv (separator, (char **) parts->pdata));
  return TRUE;
}

/* Java's (int) cast: truncation towards zero, NaN as 0, saturating. */
static glong
java_int (double x)
{
  if (isnan (x))
    return 0;
  if (x >= (double) G_MAXINT)
    return G_MAXINT;
  if (x <= (double) G_MININT)
    return G_MININT;
  return (glong) trunc (x);
}

/* substr(s, start, end) uses 0-based indices and an exclusive end, as
 * Collect does; negative indices count from the end, like JavaScript's
 * slice(), and out-of-range indices are clamped instead of failing. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_substr)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);
  glong length = g_utf8_strlen (text, -1);
  glong start = java_int (_saphan_xfn_number (&argv[1]));
  glong end = argc == 3 ? java_int (_saphan_xfn_number (&argv[2])) : length;
  const char *from, *to;

  if (start < 0)
    start += length;
  if (end < 0)
    end += length;
  start = CLAMP (start, 0, length);
  end = CLAMP (end, 0, length);
  if (start >= end)
    {
      _saphan_xfn_set_string (result, "");
      return TRUE;
    }
  from = g_utf8_offset_to_pointer (text, start);
  to = g_utf8_offset_to_pointer (from, end - start);
  _saphan_xfn_take_string (result, g_strndup (from, to - from));
  return TRUE;
}

/* Compiled patterns are kept, because a constraint runs its regex on every
 * change of its question. The cache is bounded so that computed patterns
 * cannot grow it without limit. */
#define REGEX_CACHE_MAX 64

G_LOCK_DEFINE_STATIC (regex_cache);
static GHashTable *regex_cache;

static GRegex *
compile_whole_string_regex (const char *pattern, GError **error)
{
  g_autoptr (GRegex) plain = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *anchored = NULL;
  GRegex *regex;

  G_LOCK (regex_cache);
  if (regex_cache != NULL && (regex = g_hash_table_lookup (regex_cache, pattern)) != NULL)
    {
      g_regex_ref (regex);
      G_UNLOCK (regex_cache);
      return regex;
    }
  G_UNLOCK (regex_cache);

  /* The pattern is compiled alone first so that a pattern that only
   * compiles once wrapped (such as "a)|(b") is refused. */
  plain = g_regex_new (pattern, 0, 0, &local_error);
  if (plain == NULL)
    {
      _saphan_xfn_error (error, "regex", _("the regular expression is not valid"));
      return NULL;
    }
  /* Collect (JavaRosa) tests the whole value, as if the pattern were
   * written ^...$, while Web Forms and Enketo find the pattern anywhere in
   * the value. Forms are written and tested in Collect, so we follow it.
   * The anchors go inside the pattern so that backtracking can still pick a
   * longer alternative ("a|ab" matches "ab"). */
  anchored = g_strdup_printf ("\\A(?:%s)\\z", pattern);
  regex = g_regex_new (anchored, 0, 0, &local_error);
  if (regex == NULL)
    {
      _saphan_xfn_error (error, "regex", _("the regular expression is not valid"));
      return NULL;
    }

  G_LOCK (regex_cache);
  if (regex_cache == NULL)
    regex_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_regex_unref);
  if (g_hash_table_size (regex_cache) >= REGEX_CACHE_MAX)
    g_hash_table_remove_all (regex_cache);
  g_hash_table_replace (regex_cache, g_strdup (pattern), g_regex_ref (regex));
  G_UNLOCK (regex_cache);
  return regex;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_regex)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);
  g_autofree char *pattern = _saphan_xfn_string (&argv[1]);
  g_autoptr (GRegex) regex = compile_whole_string_regex (pattern, error);
  g_autoptr (GError) match_error = NULL;
  gboolean matched;

  if (regex == NULL)
    return FALSE;
  matched = g_regex_match_full (regex, text, -1, 0, 0, NULL, &match_error);
  if (match_error != NULL)
    {
      /* PCRE gives up on patterns that backtrack without end. */
      _saphan_xfn_error (error, "regex", _("the regular expression took too long to test"));
      return FALSE;
    }
  _saphan_xfn_set_boolean (result, matched);
  return TRUE;
}

/* ---- Selects --------------------------------------------------------------- */

/* selected(list, value): the value is trimmed, as Collect does, so that
 * selected(., ' b ') finds "b". */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_selected)
{
  g_autofree char *list = _saphan_xfn_string (&argv[0]);
  g_autofree char *value = _saphan_xfn_string (&argv[1]);
  g_autoptr (GPtrArray) items = split_selection (list);
  gboolean found = FALSE;

  g_strstrip (value);
  for (guint i = 0; i < items->len && !found; i++)
    found = strcmp (g_ptr_array_index (items, i), value) == 0;
  _saphan_xfn_set_boolean (result, found);
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_selected_at)
{
  g_autofree char *list = _saphan_xfn_string (&argv[0]);
  double index = _saphan_xfn_number (&argv[1]);
  g_autoptr (GPtrArray) items = split_selection (list);

  if (isnan (index) || index < 0 || trunc (index) >= (double) items->len)
    _saphan_xfn_set_string (result, "");
  else
    _saphan_xfn_set_string (result, g_ptr_array_index (items, (guint) trunc (index)));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_count_selected)
{
  g_autofree char *list = _saphan_xfn_string (&argv[0]);
  g_autoptr (GPtrArray) items = split_selection (list);

  _saphan_xfn_set_number (result, items->len);
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_boolean_from_string)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);

  _saphan_xfn_set_boolean (result, g_ascii_strcasecmp (text, "true") == 0 || strcmp (text, "1") == 0);
  return TRUE;
}

/* ---- Digests, base64, identifiers ---------------------------------------- */

SAPHAN_XPATH_FUNCTION (_saphan_xfn_digest)
{
  static const struct { const char *name; const EVP_MD *(*md) (void); } algorithms[] = {
    { "MD5", EVP_md5 },
    { "SHA-1", EVP_sha1 },
    { "SHA-256", EVP_sha256 },
    { "SHA-384", EVP_sha384 },
    { "SHA-512", EVP_sha512 },
  };
  g_autofree char *data = _saphan_xfn_string (&argv[0]);
  g_autofree char *algorithm = _saphan_xfn_string (&argv[1]);
  g_autofree char *encoding = argc == 3 ? _saphan_xfn_string (&argv[2]) : g_strdup ("base64");
  const EVP_MD *md = NULL;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;

  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (g_ascii_strcasecmp (algorithm, algorithms[i].name) == 0)
      md = algorithms[i].md ();
  if (md == NULL)
    {
      _saphan_xfn_error (error, "digest",
                         _("the algorithm must be MD5, SHA-1, SHA-256, SHA-384 or SHA-512"));
      return FALSE;
    }
  if (g_ascii_strcasecmp (encoding, "base64") != 0 && g_ascii_strcasecmp (encoding, "hex") != 0)
    {
      _saphan_xfn_error (error, "digest", _("the encoding must be base64 or hex"));
      return FALSE;
    }
  if (EVP_Digest (data, strlen (data), digest, &digest_len, md, NULL) != 1)
    {
      _saphan_xfn_error (error, "digest", _("the digest could not be computed"));
      return FALSE;
    }

  if (g_ascii_strcasecmp (encoding, "hex") == 0)
    {
      GString *hex = g_string_sized_new (digest_len * 2);

      for (guint i = 0; i < digest_len; i++)
        g_string_append_printf (hex, "%02x", digest[i]);
      _saphan_xfn_take_string (result, g_string_free (hex, FALSE));
    }
  else
    _saphan_xfn_take_string (result, g_base64_encode (digest, digest_len));
  return TRUE;
}

/* Decodes strict base64 (whitespace allowed, padding required); NULL when
 * TEXT is not base64, which g_base64_decode() would silently accept. */
static guchar *
decode_base64_strict (const char *text, gsize *n_bytes)
{
  gsize n_data = 0, n_pad = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '+' || *p == '/')
        {
          if (n_pad > 0)
            return NULL;
          n_data++;
        }
      else if (*p == '=')
        n_pad++;
      else if (!is_xpath_space (*p))
        return NULL;
    }
  if (n_pad > 2 || (n_data + n_pad) % 4 != 0)
    return NULL;
  return g_base64_decode (text, n_bytes);
}

/* base64-decode() gives "" for input that is not base64 and replaces bytes
 * that are not UTF-8, since the result must be a valid XML string. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_base64_decode)
{
  g_autofree char *text = _saphan_xfn_string (&argv[0]);
  gsize n_bytes = 0;
  g_autofree guchar *bytes = decode_base64_strict (text, &n_bytes);

  if (bytes == NULL)
    _saphan_xfn_set_string (result, "");
  else
    _saphan_xfn_take_string (result, g_utf8_make_valid ((const char *) bytes, n_bytes));
  return TRUE;
}

/* extract-signed(signed, public_key): SIGNED is base64 of an Ed25519
 * signature followed by the message (libsodium's combined form), KEY the
 * base64 of a raw 32-byte Ed25519 public key. The message comes back only
 * when the signature verifies; anything else gives "", so a form can
 * refuse a forged QR code with a plain constraint. */
#define ED25519_SIGNATURE_SIZE 64
#define ED25519_KEY_SIZE 32

SAPHAN_XPATH_FUNCTION (_saphan_xfn_extract_signed)
{
  g_autofree char *signed_text = _saphan_xfn_string (&argv[0]);
  g_autofree char *key_text = _saphan_xfn_string (&argv[1]);
  gsize n_signed = 0, n_key = 0;
  g_autofree guchar *signed_bytes = decode_base64_strict (signed_text, &n_signed);
  g_autofree guchar *key_bytes = decode_base64_strict (key_text, &n_key);
  EVP_PKEY *key = NULL;
  EVP_MD_CTX *md = NULL;
  gboolean verified = FALSE;

  if (signed_bytes != NULL && key_bytes != NULL && n_key == ED25519_KEY_SIZE
      && n_signed >= ED25519_SIGNATURE_SIZE)
    {
      key = EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, key_bytes, n_key);
      md = EVP_MD_CTX_new ();
      verified = key != NULL && md != NULL
                 && EVP_DigestVerifyInit (md, NULL, NULL, NULL, key) == 1
                 && EVP_DigestVerify (md, signed_bytes, ED25519_SIGNATURE_SIZE,
                                      signed_bytes + ED25519_SIGNATURE_SIZE,
                                      n_signed - ED25519_SIGNATURE_SIZE) == 1;
      EVP_MD_CTX_free (md);
      EVP_PKEY_free (key);
    }
  if (verified)
    _saphan_xfn_take_string (result,
                             g_utf8_make_valid ((const char *) signed_bytes + ED25519_SIGNATURE_SIZE,
                                                n_signed - ED25519_SIGNATURE_SIZE));
  else
    _saphan_xfn_set_string (result, "");
  return TRUE;
}

/* uuid() gives an RFC 4122 version 4 UUID; uuid(n) gives n random letters
 * and digits, as Collect does. The length is capped so that a bad
 * expression cannot exhaust memory. */
#define UUID_MAX_LENGTH 4096

SAPHAN_XPATH_FUNCTION (_saphan_xfn_uuid)
{
  static const char alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  double length;
  GString *out;

  if (argc == 0)
    {
      _saphan_xfn_take_string (result, g_uuid_string_random ());
      return TRUE;
    }
  length = _saphan_xfn_number (&argv[0]);
  if (isnan (length) || length < 0 || length > UUID_MAX_LENGTH)
    {
      _saphan_xfn_error (error, "uuid", _("the length must be a number from 0 to 4096"));
      return FALSE;
    }
  out = g_string_sized_new ((gsize) length);
  for (guint i = 0; i < (guint) length; i++)
    g_string_append_c (out, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  _saphan_xfn_take_string (result, g_string_free (out, FALSE));
  return TRUE;
}
