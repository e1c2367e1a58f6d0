/* saphan-session.h: one citizen filling one form.
 *
 * A session holds the answers (a copy of the form's primary instance), keeps
 * every bind state up to date as answers arrive, recomputing only what an
 * answer affects, and produces the submission XML when the fill is
 * finalized. It never touches the disk: the store freezes the bytes.
 */
#pragma once

#include "saphan-form.h"

G_BEGIN_DECLS

typedef struct
{
  const char *device_id;   /* property('deviceid') and jr:preload="property" */
  /* A fixed clock for tests; NULL: the real local time. The callback
   * returns a new reference. */
  GDateTime *(*now) (gpointer data);
  double     (*random) (gpointer data);
  gpointer    data;
} SaphanSessionOptions;

typedef enum
{
  SAPHAN_VIOLATION_NONE,
  SAPHAN_VIOLATION_REQUIRED,
  SAPHAN_VIOLATION_CONSTRAINT,
} SaphanViolationKind;

typedef struct
{
  char               *ref;        /* "/data/rep[2]/q" */
  const char         *kind;       /* "root", "group", "repeat-instance", "input", "select1", …, "model-value" */
  gboolean            relevant;   /* inherited from ancestors */
  gboolean            required;
  gboolean            readonly;   /* inherited from ancestors */
  gboolean            is_leaf;
  char               *value;      /* NULL for groups; "" when not relevant */
  SaphanViolationKind violation;
  char               *message;    /* the violation's message in the current language, or NULL */
  gboolean            volatile_value; /* from uuid(), now(), today(), random() or a preload */
} SaphanNodeState;

void saphan_node_state_free (SaphanNodeState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanNodeState, saphan_node_state_free)

typedef struct
{
  char  *value;
  char  *label;   /* in the current language, outputs substituted */
  char  *image;   /* resolved media path or name, or NULL */
  char  *audio;
} SaphanChoice;

void saphan_choice_free (SaphanChoice *choice);

#define SAPHAN_TYPE_SESSION (saphan_session_get_type ())
G_DECLARE_FINAL_TYPE (SaphanSession, saphan_session, SAPHAN, SESSION, GObject)

SaphanSession *saphan_session_new (SaphanForm                 *form,
                                   const SaphanSessionOptions *options,
                                   GError                    **error);
SaphanForm    *saphan_session_get_form     (SaphanSession *self);

const char    *saphan_session_get_language (SaphanSession *self);
gboolean       saphan_session_set_language (SaphanSession *self, const char *language, GError **error);

/* Sets the node at REF ("/data/g/q", "/data/rep[2]/q"; an index defaults
 * to 1) to VALUE, normalized for its type, then recomputes what depends on
 * it and emits "changed". */
gboolean       saphan_session_answer      (SaphanSession *self, const char *ref, const char *value,
                                           GError **error);
/* The node's current value (newly allocated), or NULL when there is no such node. */
char          *saphan_session_get_value   (SaphanSession *self, const char *ref);
SaphanNodeState *saphan_session_get_state (SaphanSession *self, const char *ref, GError **error);
/* Every node of the primary instance in document order: SaphanNodeState *. */
GPtrArray     *saphan_session_list_states (SaphanSession *self);

/* Repeats. REPEAT_REF names the repeat ("/data/rep", "/data/outer[2]/inner");
 * INSTANCE_REF one of its instances ("/data/rep[3]"). */
guint          saphan_session_repeat_count  (SaphanSession *self, const char *repeat_ref);
gboolean       saphan_session_repeat_add    (SaphanSession *self, const char *repeat_ref, GError **error);
gboolean       saphan_session_repeat_remove (SaphanSession *self, const char *instance_ref, GError **error);

/* The choices of the select at REF as they are now (choice filters
 * evaluated), labels in the current language: SaphanChoice *. */
GPtrArray     *saphan_session_get_choices (SaphanSession *self, const char *ref, GError **error);
/* A label, hint or message in the current language, outputs evaluated at
 * the node REF. */
char          *saphan_session_get_text    (SaphanSession *self, const SaphanFormText *text, const char *ref);
/* A text's media ("image", "audio", "video") in the current language:
 * a file path when the form has a media folder, else the media name. */
char          *saphan_session_get_text_media (SaphanSession *self, const SaphanFormText *text,
                                              const char *form);

/* Every relevant node that is invalid now: SaphanNodeState * with a violation. */
GPtrArray     *saphan_session_validate    (SaphanSession *self);
/* The submission XML, byte-stable. Fails with SAPHAN_ERROR_INVALID listing
 * the violations while a relevant node is invalid. OUT_ATTACHMENTS receives
 * the file names the binary questions refer to. */
GBytes        *saphan_session_finalize_bytes (SaphanSession *self,
                                              char         **out_instance_id,
                                              GPtrArray    **out_attachments,
                                              GError       **error);
/* The submission XML as it is now, without validation or end timestamps. */
GBytes        *saphan_session_serialize   (SaphanSession *self);

/* Overwrites every answer in memory, then drops them: for the next citizen
 * at a shared kiosk. The session is empty afterwards. */
void           saphan_session_wipe        (SaphanSession *self);

G_END_DECLS
