/* saphan-json-member.h: typed reads of JSON members from untrusted files.
 *
 * json-glib's *_member_with_default () getters log a critical warning when a
 * member exists but holds an array or an object, and quietly turn a string
 * into 0 when an integer is wanted. A manifest on a USB stick may hold
 * anything, so the updates module reads members only through these, which
 * treat a member of the wrong type exactly like a missing one.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* OBJ's member NAME when it is a JSON string, else NULL; OBJ may be NULL. */
const char *saphan_json_member_string    (JsonObject *obj, const char *name);
/* OBJ's member NAME when it is a JSON string, else FALLBACK. */
const char *saphan_json_member_string_or (JsonObject *obj, const char *name,
                                          const char *fallback);
/* TRUE and *OUT set when OBJ's member NAME is a JSON integer. */
gboolean    saphan_json_member_int    (JsonObject *obj, const char *name, gint64 *out);
/* OBJ's member NAME when it is a JSON integer, else FALLBACK. */
gint64      saphan_json_member_int_or (JsonObject *obj, const char *name, gint64 fallback);

G_END_DECLS
