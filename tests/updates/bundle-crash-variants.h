/* bundle-crash-variants.h: the two contents the crash test alternates. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Path -> text pairs, NULL-terminated, of the content for VERSION. */
const char *const *crash_variant_files (guint64 version);
/* Writes that content into a fresh SRC_DIR (removing what was there). */
void               crash_variant_write (const char *src_dir, guint64 version);
/* Checks DATA_DIR's current content: every file of one variant, nothing
 * else, and the manifest agreeing. Returns a description of the first
 * problem, or NULL. */
char              *crash_variant_check (const char *data_dir);

G_END_DECLS
