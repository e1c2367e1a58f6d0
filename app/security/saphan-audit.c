/* saphan-audit.c: signed checkpoints and the verification of the audit log.
 *
 * A checkpoint entry's detail is
 *   "head=<seq> hash=<hex> key=<key id> sig=<base64>"
 * where the Ed25519 signature covers "saphan-audit-checkpoint-v1\n<seq>\n
 * <hex>\n": the seq and hash of the entry just before the checkpoint. The
 * checkpoint itself is chained like any other entry.
 *
 * Verification walks the log once and stops at the first problem. When an
 * entry's hash does not match its contents it tries the entry's fields at
 * every other position, which tells a moved entry (inserted before it, or
 * reordered) from an edited one.
 */
#include "config.h"

#include "saphan-audit.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "saphan-error.h"

static const char *zero_hash =
  "0000000000000000000000000000000000000000000000000000000000000000";

const char *
saphan_audit_problem_to_string (SaphanAuditProblem problem)
{
  switch (problem)
    {
    case SAPHAN_AUDIT_OK: return "ok";
    case SAPHAN_AUDIT_EDITED: return "edited";
    case SAPHAN_AUDIT_DELETED: return "deleted";
    case SAPHAN_AUDIT_INSERTED: return "inserted";
    case SAPHAN_AUDIT_REORDERED: return "reordered";
    case SAPHAN_AUDIT_REPLACED: return "replaced";
    case SAPHAN_AUDIT_BAD_CHECKPOINT: return "bad-checkpoint";
    case SAPHAN_AUDIT_TRUNCATED: return "truncated";
    default: return "unknown";
    }
}

static char *
checkpoint_message (gint64 head_seq, const char *head_hash)
{
  return g_strdup_printf ("saphan-audit-checkpoint-v1\n%" G_GINT64_FORMAT "\n%s\n", head_seq, head_hash);
}

static char *
anchor_path (SaphanStore *store)
{
  return g_build_filename (saphan_store_get_data_dir (store), "keys", "audit-anchor", NULL);
}

/* ---- Signing --------------------------------------------------------------- */

static char *
sign_checkpoint_cb (gint64 head_seq, const char *head_hash, gpointer user_data, GError **error)
{
  SaphanKioskKey *key = user_data;
  g_autofree char *message = checkpoint_message (head_seq, head_hash);
  g_autofree char *sig_b64 = NULL;
  guint8 signature[SAPHAN_KIOSK_KEY_SIGNATURE_LEN];

  if (!saphan_kiosk_key_sign (key, (const guint8 *) message, strlen (message), signature, error))
    return NULL;
  sig_b64 = g_base64_encode (signature, sizeof signature);
  return g_strdup_printf ("head=%" G_GINT64_FORMAT " hash=%s key=%s sig=%s", head_seq, head_hash,
                          saphan_kiosk_key_get_id (key), sig_b64);
}

void
saphan_audit_attach_key (SaphanStore *store, SaphanKioskKey *key)
{
  g_return_if_fail (SAPHAN_IS_STORE (store));
  g_return_if_fail (SAPHAN_IS_KIOSK_KEY (key));
  g_return_if_fail (saphan_kiosk_key_has_private (key));

  saphan_store_set_audit_signer (store, SAPHAN_AUDIT_CHECKPOINT_INTERVAL, sign_checkpoint_cb,
                                 g_object_ref (key), g_object_unref);
}

static gboolean
read_anchor (SaphanStore *store, gint64 *out_seq, char **out_hash)
{
  g_autofree char *path = anchor_path (store);
  g_autofree char *contents = NULL;
  char hash[65];
  long long seq = 0;

  *out_seq = 0;
  *out_hash = NULL;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  if (sscanf (contents, "%lld %64s", &seq, hash) != 2 || seq <= 0)
    return FALSE;
  *out_seq = seq;
  *out_hash = g_strdup (hash);
  return TRUE;
}

gboolean
saphan_audit_checkpoint (SaphanStore *store, gint64 *out_seq, GError **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *path = NULL;
  g_autofree char *old_hash = NULL;
  g_autofree char *line = NULL;
  SaphanAuditEntry *checkpoint;
  gint64 seq = 0, old_seq = 0;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!saphan_store_audit_checkpoint (store, &seq, error))
    return FALSE;
  entries = saphan_store_audit_list (store, seq, 1, error);
  if (entries == NULL)
    return FALSE;
  if (entries->len == 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FAILED,
                   _("The audit checkpoint just written cannot be read back."));
      return FALSE;
    }
  checkpoint = entries->pdata[0];

  /* The anchor only moves forward, so two processes checkpointing at once
   * never leave it pointing at the older checkpoint. */
  read_anchor (store, &old_seq, &old_hash);
  if (old_seq < checkpoint->seq)
    {
      path = anchor_path (store);
      line = g_strdup_printf ("%" G_GINT64_FORMAT " %s\n", checkpoint->seq, checkpoint->hash);
      if (!saphan_write_file_atomic (path, (const guint8 *) line, strlen (line), 0600, error))
        return FALSE;
    }
  if (out_seq != NULL)
    *out_seq = checkpoint->seq;
  return TRUE;
}

/* ---- Verification ------------------------------------------------------------ */

typedef struct
{
  SaphanStore       *store;
  SaphanKioskKey    *key;
  GHashTable        *keys;      /* key id (char *) -> SaphanKioskKey *, looked up once */
  GPtrArray         *entries;
  SaphanAuditReport *report;
  char              *message;   /* what is wrong, in words */
} Verify;

static void
fail_at (Verify *v, SaphanAuditProblem problem, gint64 seq, char *message)
{
  v->report->problem = problem;
  v->report->bad_seq = seq;
  g_free (v->message);
  v->message = message;
}

static SaphanKioskKey *
key_for_id (Verify *v, const char *key_id)
{
  SaphanKioskKey *key;
  guint8 raw[SAPHAN_KIOSK_KEY_ID_LEN];

  if (g_hash_table_lookup_extended (v->keys, key_id, NULL, (gpointer *) &key))
    return key;
  key = NULL;
  if (v->key != NULL && g_strcmp0 (saphan_kiosk_key_get_id (v->key), key_id) == 0)
    key = g_object_ref (v->key);
  else if (strlen (key_id) == SAPHAN_KIOSK_KEY_ID_LEN * 2)
    {
      gboolean hex = TRUE;

      for (gsize i = 0; i < SAPHAN_KIOSK_KEY_ID_LEN && hex; i++)
        {
          int hi = g_ascii_xdigit_value (key_id[2 * i]), lo = g_ascii_xdigit_value (key_id[2 * i + 1]);

          hex = hi >= 0 && lo >= 0;
          raw[i] = (guint8) (hi << 4 | lo);
        }
      /* A kiosk whose key was replaced still verifies checkpoints by its
       * old key, once that key is in its keyring. */
      if (hex)
        key = saphan_keyring_lookup (saphan_store_get_data_dir (v->store), raw, sizeof raw, NULL);
    }
  g_hash_table_insert (v->keys, g_strdup (key_id), key);
  return key;
}

static gboolean
checkpoint_valid (Verify *v, const SaphanAuditEntry *entry, const char *head_hash)
{
  long long head = 0;
  char hash[65], key_id[33], sig_b64[129];
  g_autofree guint8 *signature = NULL;
  g_autofree char *message = NULL;
  SaphanKioskKey *key;
  gsize sig_len = 0;

  if (sscanf (entry->detail, "head=%lld hash=%64s key=%32s sig=%128s", &head, hash, key_id, sig_b64) != 4)
    return FALSE;
  if (head != entry->seq - 1 || strcmp (hash, head_hash) != 0)
    return FALSE;
  key = key_for_id (v, key_id);
  if (key == NULL)
    return FALSE;
  signature = g_base64_decode (sig_b64, &sig_len);
  message = checkpoint_message (head, hash);
  return saphan_kiosk_key_verify (key, (const guint8 *) message, strlen (message), signature, sig_len);
}

/* The position ENTRY was written at, found by recomputing its hash at every
 * position; 0 when none matches (its contents were changed). */
static gint64
original_position (Verify *v, const SaphanAuditEntry *entry)
{
  gint64 last = v->entries->len > 0
    ? ((SaphanAuditEntry *) g_ptr_array_index (v->entries, v->entries->len - 1))->seq : 0;

  for (gint64 seq = 1; seq <= last + 1; seq++)
    {
      g_autofree char *hash = NULL;

      if (seq == entry->seq)
        continue;
      hash = saphan_audit_compute_hash (entry->prev_hash, seq, entry->at, entry->event, entry->detail);
      if (strcmp (hash, entry->hash) == 0)
        return seq;
    }
  return 0;
}

static gboolean
walk (Verify *v)
{
  const char *expected_prev = zero_hash;
  gint64 expected_seq = 1;
  gint64 last_checkpoint = 0;

  for (guint i = 0; i < v->entries->len; i++)
    {
      SaphanAuditEntry *entry = v->entries->pdata[i];
      g_autofree char *computed = NULL;

      if (entry->seq != expected_seq)
        {
          fail_at (v, SAPHAN_AUDIT_DELETED, expected_seq,
                   g_strdup_printf (_("entries %lld to %lld are missing (deleted)"),
                                    (long long) expected_seq, (long long) entry->seq - 1));
          return FALSE;
        }

      computed = saphan_audit_compute_hash (entry->prev_hash, entry->seq, entry->at, entry->event,
                                            entry->detail);
      if (strcmp (computed, entry->hash) != 0)
        {
          gint64 was = original_position (v, entry);

          if (was == 0)
            fail_at (v, SAPHAN_AUDIT_EDITED, entry->seq,
                     g_strdup_printf (_("entry %lld was changed: its contents do not match its hash"),
                                      (long long) entry->seq));
          else if (was == entry->seq - 1 && i > 0 &&
                   strcmp (entry->prev_hash,
                           ((SaphanAuditEntry *) v->entries->pdata[i - 1])->prev_hash) == 0)
            /* This entry was written right after entry seq-2, like the one
             * now before it: that one was slipped in between. */
            fail_at (v, SAPHAN_AUDIT_INSERTED, entry->seq - 1,
                     g_strdup_printf (_("entry %lld was inserted: the entry after it was written as entry %lld"),
                                      (long long) entry->seq - 1, (long long) was));
          else if (was < entry->seq)
            fail_at (v, SAPHAN_AUDIT_INSERTED, entry->seq,
                     g_strdup_printf (_("entry %lld was written as entry %lld: entries were inserted before it"),
                                      (long long) entry->seq, (long long) was));
          else
            fail_at (v, SAPHAN_AUDIT_REORDERED, entry->seq,
                     g_strdup_printf (_("entry %lld is out of order: it was written as entry %lld"),
                                      (long long) entry->seq, (long long) was));
          return FALSE;
        }

      if (strcmp (entry->prev_hash, expected_prev) != 0)
        {
          /* The entry is whole but does not follow the one before: that one
           * was rewritten with a recomputed hash, or put in its place. */
          fail_at (v, SAPHAN_AUDIT_REPLACED, entry->seq - 1,
                   g_strdup_printf (_("entry %lld was replaced: entry %lld recorded a different hash for it"),
                                    (long long) entry->seq - 1, (long long) entry->seq));
          return FALSE;
        }

      if (strcmp (entry->event, SAPHAN_AUDIT_CHECKPOINT_EVENT) == 0)
        {
          if (!checkpoint_valid (v, entry, expected_prev))
            {
              fail_at (v, SAPHAN_AUDIT_BAD_CHECKPOINT, entry->seq,
                       g_strdup_printf (_("the signed checkpoint at entry %lld does not verify: entries %lld to %lld were rewritten with recomputed hashes, or the checkpoint was forged"),
                                        (long long) entry->seq, (long long) last_checkpoint + 1,
                                        (long long) entry->seq - 1));
              return FALSE;
            }
          last_checkpoint = entry->seq;
          v->report->n_checkpoints++;
        }

      expected_prev = entry->hash;
      expected_seq++;
    }
  v->report->n_entries = expected_seq - 1;
  v->report->last_checkpoint = last_checkpoint;
  return TRUE;
}

static gboolean
check_anchor (Verify *v)
{
  g_autofree char *hash = NULL;
  gint64 seq = 0;
  gint64 n = v->report->n_entries;

  if (!read_anchor (v->store, &seq, &hash))
    return TRUE;
  v->report->anchor = seq;
  if (seq > n)
    {
      fail_at (v, SAPHAN_AUDIT_TRUNCATED, n + 1,
               g_strdup_printf (_("entries from %lld on were cut off: the log ends at entry %lld, but its checkpoint at entry %lld was recorded outside the database"),
                                (long long) n + 1, (long long) n, (long long) seq));
      return FALSE;
    }
  if (strcmp (((SaphanAuditEntry *) v->entries->pdata[seq - 1])->hash, hash) != 0)
    {
      fail_at (v, SAPHAN_AUDIT_REPLACED, seq,
               g_strdup_printf (_("entry %lld is not the checkpoint recorded outside the database: the log was replaced"),
                                (long long) seq));
      return FALSE;
    }
  return TRUE;
}

/* Unknown key ids are remembered as NULL, so the table's values may be NULL. */
static void
unref_key (gpointer key)
{
  if (key != NULL)
    g_object_unref (key);
}

gboolean
saphan_audit_verify (SaphanStore       *store,
                     SaphanKioskKey    *key,
                     SaphanAuditReport *report,
                     GError           **error)
{
  SaphanAuditReport local_report = { 0 };
  Verify v = { 0 };
  gboolean ok;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);
  g_return_val_if_fail (key == NULL || SAPHAN_IS_KIOSK_KEY (key), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  v.store = store;
  v.key = key;
  v.report = report != NULL ? report : &local_report;
  *v.report = (SaphanAuditReport) { 0 };
  v.entries = saphan_store_audit_list (store, 1, 0, error);
  if (v.entries == NULL)
    return FALSE;
  v.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unref_key);

  ok = walk (&v) && check_anchor (&v);
  if (!ok && v.report->n_entries == 0)
    v.report->n_entries = v.entries->len;
  if (!ok)
    g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                 _("The audit log of %s was tampered with at entry %lld (%s): %s. Keep the file for the investigation and report it."),
                 saphan_store_get_path (store), (long long) v.report->bad_seq,
                 saphan_audit_problem_to_string (v.report->problem), v.message);

  g_free (v.message);
  g_hash_table_unref (v.keys);
  g_ptr_array_unref (v.entries);
  return ok;
}
