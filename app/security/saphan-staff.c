/* saphan-staff.c: staff accounts, their PINs and the lockout.
 *
 * A PIN of six digits has only a million values, so two things protect it:
 * the hash is scrypt, memory-hard, so that a stolen database is expensive
 * to search; and the kiosk itself allows five wrong PINs before it locks
 * the pad for 30 s, then 60 s, 120 s and so on up to an hour. The lock is
 * kept in the database, so pulling the plug does not reset it.
 *
 * Hashes are encoded with their parameters ("$scrypt$ln=15,r=8,p=1$salt$
 * hash", base64), so the cost can grow in a later release while old hashes
 * still verify.
 */
#include "config.h"

#include "saphan-staff.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "saphan-error.h"

#define SCRYPT_LOG_N 15
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SCRYPT_SALT_LEN 16
#define SCRYPT_HASH_LEN 32
/* 128 * r * N bytes for N = 2^15, r = 8 is 32 MiB; leave room for more. */
#define SCRYPT_MAX_MEM ((guint64) 256 * 1024 * 1024)

#define LOCK_FIRST_SECONDS 30
#define LOCK_MAX_SECONDS 3600

void
saphan_staff_info_free (SaphanStaffInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->staff_id);
  g_free (info->name);
  g_free (info);
}

/* ---- Hashing ------------------------------------------------------------- */

static gboolean
scrypt_raw (const char *pin, const guint8 *salt, gsize salt_len, int log_n, int r, int p,
            guint8 *out, gsize out_len)
{
  return EVP_PBE_scrypt (pin, strlen (pin), salt, salt_len, (guint64) 1 << log_n,
                         (guint64) r, (guint64) p, SCRYPT_MAX_MEM, out, out_len) == 1;
}

static char *
hash_pin (const char *pin, GError **error)
{
  guint8 salt[SCRYPT_SALT_LEN];
  guint8 hash[SCRYPT_HASH_LEN];
  g_autofree char *salt_b64 = NULL;
  g_autofree char *hash_b64 = NULL;

  if (RAND_bytes (salt, sizeof salt) != 1 ||
      !scrypt_raw (pin, salt, sizeof salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, hash, sizeof hash))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                   _("The PIN could not be protected (the cryptography library failed). Nothing was changed."));
      return NULL;
    }
  salt_b64 = g_base64_encode (salt, sizeof salt);
  hash_b64 = g_base64_encode (hash, sizeof hash);
  OPENSSL_cleanse (hash, sizeof hash);
  return g_strdup_printf ("$scrypt$ln=%d,r=%d,p=%d$%s$%s", SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P,
                          salt_b64, hash_b64);
}

/* TRUE when PIN matches ENCODED. A malformed hash matches nothing. */
static gboolean
pin_matches (const char *pin, const char *encoded)
{
  g_auto(GStrv) parts = g_strsplit (encoded, "$", -1);
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  guint8 computed[64];
  gsize salt_len = 0, expected_len = 0;
  int log_n = 0, r = 0, p = 0;
  gboolean equal;

  /* "", "scrypt", "ln=..,r=..,p=..", salt, hash */
  if (g_strv_length (parts) != 5 || strcmp (parts[1], "scrypt") != 0 ||
      sscanf (parts[2], "ln=%d,r=%d,p=%d", &log_n, &r, &p) != 3 ||
      log_n < 10 || log_n > 22 || r < 1 || r > 32 || p < 1 || p > 16)
    return FALSE;
  salt = g_base64_decode (parts[3], &salt_len);
  expected = g_base64_decode (parts[4], &expected_len);
  if (salt_len < 8 || expected_len < 16 || expected_len > sizeof computed)
    return FALSE;
  if (!scrypt_raw (pin, salt, salt_len, log_n, r, p, computed, expected_len))
    return FALSE;
  /* Constant time, so the comparison leaks nothing about the hash. */
  equal = CRYPTO_memcmp (computed, expected, expected_len) == 0;
  OPENSSL_cleanse (computed, sizeof computed);
  return equal;
}

static gboolean
validate_pin (const char *pin, GError **error)
{
  gsize len = pin != NULL ? strlen (pin) : 0;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      len = 0;
  if (len < SAPHAN_STAFF_MIN_PIN_LENGTH || len > 32)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("A PIN must have %d to 32 digits and nothing else."), SAPHAN_STAFF_MIN_PIN_LENGTH);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_staff_id (const char *staff_id, GError **error)
{
  gsize len = staff_id != NULL ? strlen (staff_id) : 0;

  /* The id goes into audit entries and submissions: keep it short and plain. */
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (staff_id[i]) && staff_id[i] != '-' && staff_id[i] != '_' && staff_id[i] != '.')
      len = 0;
  if (len == 0 || len > 32)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("A staff id has 1 to 32 letters, digits, “-”, “_” or “.”."));
      return FALSE;
    }
  return TRUE;
}

/* The kiosk is opened by PIN alone, so a PIN must name one account. Costs
 * one scrypt per other account. */
static gboolean
check_pin_unused (SaphanStore *store, const char *pin, const char *except_id, GError **error)
{
  g_autoptr(GPtrArray) records = saphan_store_staff_records (store, error);

  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    {
      SaphanStaffRecord *record = records->pdata[i];

      if (g_strcmp0 (record->staff_id, except_id) != 0 && pin_matches (pin, record->pin_hash))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_EXISTS,
                       _("Another account already uses this PIN. Choose a different PIN."));
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- Accounts ------------------------------------------------------------ */

gboolean
saphan_staff_add (SaphanStore *store, const char *staff_id, const char *name,
                  SaphanRole role, const char *pin, GError **error)
{
  SaphanStaffRecord record = { 0 };
  g_autofree char *hash = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_staff_id (staff_id, error) || !validate_pin (pin, error))
    return FALSE;
  if (role != SAPHAN_ROLE_STAFF && role != SAPHAN_ROLE_MAINTAINER)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("Unknown staff role."));
      return FALSE;
    }
  if (!check_pin_unused (store, pin, NULL, error) || (hash = hash_pin (pin, error)) == NULL)
    return FALSE;

  record.staff_id = (char *) staff_id;
  record.name = (char *) (name != NULL ? name : "");
  record.role = role;
  record.pin_hash = hash;
  record.created_at = g_get_real_time () / G_USEC_PER_SEC;
  return saphan_store_staff_insert (store, &record, error);
}

gboolean
saphan_staff_remove (SaphanStore *store, const char *staff_id, GError **error)
{
  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  return saphan_store_staff_delete (store, staff_id, error);
}

gboolean
saphan_staff_set_pin (SaphanStore *store, const char *staff_id, const char *pin, GError **error)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_pin (pin, error) ||
      !check_pin_unused (store, pin, staff_id, error) ||
      (hash = hash_pin (pin, error)) == NULL)
    return FALSE;
  return saphan_store_staff_set_pin_hash (store, staff_id, hash, error);
}

GPtrArray *
saphan_staff_list (SaphanStore *store, GError **error)
{
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *list;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);

  records = saphan_store_staff_records (store, error);
  if (records == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) saphan_staff_info_free);
  for (guint i = 0; i < records->len; i++)
    {
      SaphanStaffRecord *record = records->pdata[i];
      SaphanStaffInfo *info = g_new0 (SaphanStaffInfo, 1);

      info->staff_id = g_strdup (record->staff_id);
      info->name = g_strdup (record->name);
      info->role = record->role == SAPHAN_ROLE_MAINTAINER ? SAPHAN_ROLE_MAINTAINER : SAPHAN_ROLE_STAFF;
      info->created_at = record->created_at;
      g_ptr_array_add (list, info);
    }
  return list;
}

/* ---- Authentication and lockout -------------------------------------------- */

/* 30 s for the first lock, doubling with each further lock, at most 1 h. */
gint64
saphan_staff_lock_delay (int n_locks)
{
  gint64 delay = LOCK_FIRST_SECONDS;

  for (int i = 1; i < n_locks && delay < LOCK_MAX_SECONDS; i++)
    delay *= 2;
  return MIN (delay, LOCK_MAX_SECONDS);
}

gint64
saphan_staff_locked_for (SaphanStore *store, gint64 now)
{
  SaphanStaffLockout lockout;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), 0);

  /* When the lock cannot be read, the pad stays shut for a minute rather
   * than open: failing closed is the safe side on a public device. */
  if (!saphan_store_staff_get_lockout (store, &lockout, &error))
    {
      g_warning ("Cannot read the PIN lockout: %s", error->message);
      return 60;
    }
  return lockout.locked_until > now ? lockout.locked_until - now : 0;
}

static void
set_locked_error (gint64 seconds, GError **error)
{
  g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_BUSY,
               g_dngettext (GETTEXT_PACKAGE,
                            "Too many wrong PINs. Try again in %lld second.",
                            "Too many wrong PINs. Try again in %lld seconds.",
                            (gulong) seconds),
               (long long) seconds);
}

SaphanStaffInfo *
saphan_staff_authenticate (SaphanStore *store, const char *pin, gint64 now,
                           gint64 *out_retry_after, GError **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *detail = NULL;
  SaphanStaffLockout lockout;
  SaphanStaffRecord *match = NULL;
  SaphanStaffInfo *info;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_retry_after != NULL)
    *out_retry_after = 0;
  if (!saphan_store_staff_get_lockout (store, &lockout, error))
    return NULL;

  /* While locked not even the right PIN opens, and no hash is computed:
   * guessing gains nothing and costs the kiosk nothing. */
  if (lockout.locked_until > now)
    {
      gint64 left = lockout.locked_until - now;

      detail = g_strdup_printf ("locked-for=%" G_GINT64_FORMAT, left);
      if (!saphan_store_staff_set_lockout (store, &lockout, "staff-login-locked", detail, now, error))
        return NULL;
      if (out_retry_after != NULL)
        *out_retry_after = left;
      set_locked_error (left, error);
      return NULL;
    }

  records = saphan_store_staff_records (store, error);
  if (records == NULL)
    return NULL;
  /* Every account is tried even after a match, so the time taken does not
   * tell which position in the list a PIN belongs to. */
  for (guint i = 0; pin != NULL && i < records->len; i++)
    {
      SaphanStaffRecord *record = records->pdata[i];

      if (pin_matches (pin, record->pin_hash) && match == NULL)
        match = record;
    }

  if (match == NULL)
    {
      const char *event = "staff-pin-failed";

      lockout.failures++;
      if (lockout.failures >= SAPHAN_STAFF_MAX_FAILURES)
        {
          lockout.locks++;
          lockout.failures = 0;
          lockout.locked_until = now + saphan_staff_lock_delay (lockout.locks);
          event = "staff-pin-locked";
          detail = g_strdup_printf ("locks=%d locked-for=%" G_GINT64_FORMAT, lockout.locks,
                                    lockout.locked_until - now);
        }
      else
        detail = g_strdup_printf ("failures=%d", lockout.failures);
      if (!saphan_store_staff_set_lockout (store, &lockout, event, detail, now, error))
        return NULL;

      if (lockout.locked_until > now)
        {
          if (out_retry_after != NULL)
            *out_retry_after = lockout.locked_until - now;
          set_locked_error (lockout.locked_until - now, error);
        }
      else
        g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                     _("Wrong PIN. Try again."));
      return NULL;
    }

  lockout = (SaphanStaffLockout) { 0, 0, 0 };
  detail = g_strdup_printf ("staff=%s role=%d", match->staff_id, match->role);
  if (!saphan_store_staff_set_lockout (store, &lockout, "staff-login", detail, now, error))
    return NULL;

  info = g_new0 (SaphanStaffInfo, 1);
  info->staff_id = g_strdup (match->staff_id);
  info->name = g_strdup (match->name);
  info->role = match->role == SAPHAN_ROLE_MAINTAINER ? SAPHAN_ROLE_MAINTAINER : SAPHAN_ROLE_STAFF;
  info->created_at = match->created_at;
  return info;
}

gboolean
saphan_staff_logout (SaphanStore *store, const char *staff_id, const char *reason, gint64 now,
                     GError **error)
{
  SaphanStaffLockout lockout;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The lockout row is rewritten unchanged: it is the store's one call that
   * writes an event at the caller's time in a transaction. */
  if (!saphan_store_staff_get_lockout (store, &lockout, error))
    return FALSE;
  detail = g_strdup_printf ("staff=%s reason=%s", staff_id, reason != NULL ? reason : "user");
  if (!saphan_store_staff_set_lockout (store, &lockout, "staff-logout", detail, now, error))
    return FALSE;

  /* A checkpoint at every logout keeps the signed part of the log close to
   * its head: what a staff member did is sealed when they leave. */
  if (saphan_store_has_audit_signer (store))
    {
      g_autoptr(GError) local_error = NULL;

      if (!saphan_store_audit_checkpoint (store, NULL, &local_error))
        g_warning ("No audit checkpoint at logout: %s", local_error->message);
    }
  return TRUE;
}
