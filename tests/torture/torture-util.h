/* torture-util.h: what the torture tests share.
 *
 * Each torture run works in a fresh folder on a RAM-backed file system when
 * there is one (the faults tested are allocation and I/O errors, not the
 * disk's speed), finalizes one known submission, and afterwards checks with
 * the normal allocator and VFS that nothing is damaged.
 */
#pragma once

#include "saphan-store.h"

G_BEGIN_DECLS

/* A finalize request for INSTANCE_ID with a payload and one attachment
 * derived from the id, so a later check knows the exact bytes to expect. */
typedef struct
{
  SaphanFinalizeRequest request;
  char      *instance_id;
  char      *receipt_number;
  GPtrArray *attachments;
} TortureSubmission;

TortureSubmission *torture_submission_new  (const char *instance_id);
void               torture_submission_free (TortureSubmission *submission);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TortureSubmission, torture_submission_free)

/* Whether INSTANCE_ID is stored: 1 complete and byte-identical, 0 absent,
 * and -1 (with *OUT_PROBLEM set) when it is there but damaged or partial. */
int torture_check_submission (SaphanStore *store, const char *instance_id, char **out_problem);

char    *torture_make_dir   (void);
void     torture_remove_dir (const char *dir);
/* SAPHAN_SOAK is set: run the long version. */
gboolean torture_soak       (void);
/* Seconds since the test began, for time-boxed loops. */
double   torture_elapsed    (void);
/* Starts the clock of torture_elapsed() again, for the next test. */
void     torture_reset_clock (void);
/* The time box for one test: 25 s, or an hour under SAPHAN_SOAK. */
double   torture_budget     (void);

/* Asserts that ERROR is a clean refusal: set, in the SAPHAN_ERROR domain,
 * with a message to show. Returns FALSE (and says why) otherwise. */
gboolean torture_error_is_clean (const GError *error, char **out_problem);

G_END_DECLS
