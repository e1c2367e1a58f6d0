/* saphan-session-private.h: the session's state, shared by its files. */
#pragma once

#include "saphan-form-private.h"
#include "saphan-session.h"

G_BEGIN_DECLS

/* Bind state of one instance node, hung on SaphanNode.model. */
typedef struct
{
  FormBind *bind;            /* borrowed, may be NULL */
  /* A non-relevant leaf reads as empty in expressions, as in ODK; its
   * answer waits here until the node is relevant again. */
  char     *stash;
  guint     stashed : 1;
  guint     relevant_self : 1;
  guint     readonly_self : 1;
  guint     required : 1;
  guint     constraint_ok : 1;
  guint     volatile_value : 1;
  guint     calculated : 1;  /* a once-only calculation has run */
  /* What "changed" last reported, to report only real changes. */
  guint     shown_relevant : 1;
  guint     shown_readonly : 1;
  guint     shown_required : 1;
  guint     shown_violation : 2;
} NodeState;

struct _SaphanSession
{
  GObject parent_instance;

  /* Owned */
  SaphanForm     *form;
  SaphanNode     *doc;           /* the answers: a copy of the primary instance */
  GHashTable     *by_path;       /* generic path -> GPtrArray of SaphanNode, document order */
  gboolean        index_stale;
  char           *language;
  char           *device_id;
  SaphanXPathEnv  env;
  GDateTime    *(*now) (gpointer data);
  double        (*random) (gpointer data);
  gpointer        clock_data;
  GHashTable     *changed;       /* SaphanNode * set, collected for "changed" */
  gboolean        structure_changed;
  GPtrArray      *relevance_roots; /* nodes whose own relevance changed in this recompute */
  guint           depth;         /* nesting of recomputes, against runaway actions */
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS,
};

/* What must be recomputed: a computation and the node whose change asks
 * for it, so that work inside a repeat stays inside that repeat instance. */
typedef struct
{
  guint       index;
  SaphanNode *trigger;  /* NULL: everywhere */
} DirtyMark;

/* saphan-session-eval.c */
GArray     *_saphan_session_dirty_new  (void);
void        _saphan_session_setup_env  (SaphanSession *self);
NodeState  *_saphan_session_state      (SaphanNode *node);
void        _saphan_session_attach_states (SaphanSession *self, SaphanNode *node);
void        _saphan_session_free_states (SaphanNode *node, gboolean wipe);
GPtrArray  *_saphan_session_nodes_at   (SaphanSession *self, const char *generic_path);
/* Resolves "/data/rep[2]/q" (index 1 when left out) to a node, or NULL. */
SaphanNode *_saphan_session_resolve    (SaphanSession *self, const char *ref);
/* The node at GENERIC_PATH nearest to FROM: in the same repeat instances. */
SaphanNode *_saphan_session_resolve_near (SaphanSession *self, SaphanNode *from, const char *generic_path);
char       *_saphan_session_ref        (SaphanSession *self, SaphanNode *node);
gboolean    _saphan_session_relevant   (SaphanNode *node);
/* Sets a value, overwriting the old one in memory first. */
gboolean    _saphan_session_replace_value (SaphanNode *node, const char *value);
gboolean    _saphan_session_readonly   (SaphanNode *node);
/* Normalizes VALUE for TYPE; NULL with ERROR when it is not a value of TYPE. */
char       *_saphan_session_normalize  (SaphanFormType type, const char *value, GError **error);
/* Runs the computations at the given indices and everything that depends on
 * what they change. ALL: every computation. */
void        _saphan_session_recompute  (SaphanSession *self, GArray *seeds, gboolean all);
void        _saphan_session_load       (SaphanSession *self);
/* Sets NODE's value as an answer or action would, recording the change and
 * running the xforms-value-changed actions it triggers. */
gboolean    _saphan_session_set_value  (SaphanSession *self, SaphanNode *node, const char *value,
                                        GArray *dirty);
SaphanNode *_saphan_session_add_instance (SaphanSession *self, SaphanNode *parent, const char *repeat_path);
void        _saphan_session_remove_instance (SaphanSession *self, SaphanNode *instance);
void        _saphan_session_emit_changed (SaphanSession *self);
char       *_saphan_session_eval_text  (SaphanSession *self, GPtrArray *parts, SaphanNode *context);
char       *_saphan_session_violation_message (SaphanSession *self, SaphanNode *node, SaphanViolationKind kind);
SaphanViolationKind _saphan_session_violation (SaphanNode *node);
const char *_saphan_session_kind_name  (SaphanSession *self, SaphanNode *node);

GPtrArray  *_saphan_session_choices    (SaphanSession *self, const SaphanFormControl *control, SaphanNode *node);

/* saphan-session-submission.c */
GBytes     *_saphan_session_serialize  (SaphanSession *self);

G_END_DECLS
