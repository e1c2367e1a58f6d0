/* saphan-form-private.h: what the loader builds and the session reads.
 *
 * Everything here is filled once while the form loads and read-only after,
 * so sessions on several threads may share one form.
 */
#pragma once

#include <libxml/tree.h>

#include "saphan-form.h"

G_BEGIN_DECLS

typedef enum
{
  COMP_CALCULATE,
  COMP_RELEVANT,
  COMP_READONLY,
  COMP_REQUIRED,
  COMP_CONSTRAINT,
  COMP_COUNT,        /* a repeat's jr:count, evaluated at the repeat's parent */
  COMP_CHOICES,      /* a select's value kept to the choices it offers */
  COMP_N_KINDS,
} CompKind;

typedef struct _FormBind FormBind;

/* One expression attached to a generic path, a vertex of the dependency
 * graph. Computations are kept in evaluation order: calculates sorted so
 * that each comes after the ones it reads, then everything else. */
typedef struct
{
  CompKind         kind;
  char            *path;       /* generic path of the nodes it is evaluated at */
  SaphanXPathExpr *expr;       /* borrowed from the bind or control */
  GPtrArray       *refs;       /* generic paths it reads */
  guint            index;      /* position in evaluation order */
  FormBind        *bind;       /* borrowed, NULL for COMP_COUNT */
  SaphanFormControl *control;  /* borrowed, COMP_CHOICES only */
  /* The repeat whose instance bounds what this computation reads (see
   * saphan-form-graph.c), or NULL when it may read anywhere. */
  const char      *scope_repeat;
} FormComp;

struct _FormBind
{
  char            *path;
  char            *id;
  SaphanFormType   type;
  char            *type_name;
  SaphanXPathExpr *exprs[COMP_N_KINDS];
  SaphanFormText  *constraint_msg;
  SaphanFormText  *required_msg;
  char            *preload;
  char            *preload_params;
};

typedef enum
{
  ACTION_FIRST_LOAD    = 1 << 0,
  ACTION_NEW_REPEAT    = 1 << 1,
  ACTION_VALUE_CHANGED = 1 << 2,
} ActionEvents;

typedef struct
{
  ActionEvents     events;
  char            *ref;          /* generic path of the node set */
  SaphanXPathExpr *value;        /* or NULL: LITERAL is set */
  char            *literal;
  char            *source;       /* value-changed: the control's path; new-repeat: the repeat's */
  gboolean         geopoint;     /* odk:setgeopoint: no location source on a kiosk */
} FormAction;

typedef struct
{
  GPtrArray *parts;   /* of SaphanFormTextPart * */
  char      *image;
  char      *audio;
  char      *video;
} ItextEntry;

struct _SaphanForm
{
  GObject parent_instance;

  /* Owned */
  char       *source_name;
  GBytes     *xml;
  GHashTable *media;           /* name -> GBytes */
  char       *media_dir;
  char       *id;
  char       *version;
  char       *title;
  char       *public_key;      /* <submission base64RsaPublicKey>: encrypt at finalize */
  GHashTable *namespaces;      /* prefix -> URI, for expressions */
  SaphanNode *primary;         /* the instance as written, templates removed */
  GHashTable *templates;       /* generic repeat path -> SaphanNode (detached element) */
  GHashTable *template_anchor; /* generic repeat path -> name of the sibling before it ("" first) */
  GHashTable *repeat_paths;    /* generic path -> SaphanFormControl (borrowed) */
  GHashTable *secondary;       /* instance id -> SaphanNode document */
  GHashTable *binds;           /* generic path -> FormBind */
  GPtrArray  *bind_list;       /* of FormBind *, owned */
  GPtrArray  *actions;         /* of FormAction * */
  GPtrArray  *comps;           /* of FormComp *, in evaluation order */
  GHashTable *related_cache;   /* generic path -> GArray of guint comp indices */
  GMutex      related_lock;
  GPtrArray  *languages;       /* of char *, NULL-terminated */
  char       *default_language;
  GHashTable *itext;           /* language -> (id -> ItextEntry) */
  SaphanFormControl *body;
  GHashTable *controls;        /* generic path -> SaphanFormControl (borrowed) */
  guint       question_count;
  gboolean    added_instance_id; /* the form had no meta/instanceID: one is made */
  GPtrArray  *owned_exprs;     /* every compiled expression, freed with the form */
};

/* saphan-form-parse.c */
gboolean  _saphan_form_parse (SaphanForm *self, xmlDoc *doc, GError **error);
/* Joins REF (absolute or relative, "..", ".") onto the generic path BASE. */
char     *_saphan_form_resolve_path (const char *base, const char *ref);
SaphanFormType _saphan_form_type_from_name (const char *name);
void      _saphan_form_text_free (SaphanFormText *text);
void      _saphan_form_control_free (SaphanFormControl *control);
void      _saphan_form_bind_free (FormBind *bind);
void      _saphan_form_action_free (FormAction *action);
void      _saphan_form_itext_entry_free (ItextEntry *entry);

/* saphan-form-graph.c */
gboolean  _saphan_form_build_graph (SaphanForm *self, GError **error);
/* Indices (ascending) of the computations that must rerun when a node at
 * generic path PATH changes. The array belongs to the form. */
GArray   *_saphan_form_related (SaphanForm *self, const char *path);

FormBind *_saphan_form_get_bind (SaphanForm *self, const char *path);
ItextEntry *_saphan_form_get_itext (SaphanForm *self, const char *lang, const char *id);

/* Error helper: a SAPHAN_ERROR_FORM_INVALID naming the form's file. */
void      _saphan_form_set_error (SaphanForm *self, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

G_END_DECLS
