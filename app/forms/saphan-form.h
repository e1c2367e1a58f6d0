/* saphan-form.h: an ODK XForm, loaded once and shared by every fill.
 *
 * A SaphanForm is immutable after loading: the primary instance as the form
 * defines it, the secondary instances, the binds with their expressions
 * compiled, the actions, the translations and the body tree the kiosk draws.
 * Any number of SaphanSession objects fill it at the same time.
 */
#pragma once

#include <gio/gio.h>

#include "saphan-store.h"
#include "saphan-xpath.h"

G_BEGIN_DECLS

/* Limits that keep a hostile or broken form from exhausting the kiosk. */
#define SAPHAN_FORM_MAX_BYTES  (8 * 1024 * 1024)
#define SAPHAN_FORM_MAX_NODES  50000

typedef enum
{
  SAPHAN_FORM_CONTROL_INPUT,
  SAPHAN_FORM_CONTROL_SELECT1,
  SAPHAN_FORM_CONTROL_SELECT,
  SAPHAN_FORM_CONTROL_TRIGGER,
  SAPHAN_FORM_CONTROL_RANGE,
  SAPHAN_FORM_CONTROL_UPLOAD,
  SAPHAN_FORM_CONTROL_RANK,
  SAPHAN_FORM_CONTROL_GROUP,
  SAPHAN_FORM_CONTROL_REPEAT,
  SAPHAN_FORM_CONTROL_NOTE,     /* an input bound to a read-only node: text only */
} SaphanFormControlKind;

typedef enum
{
  SAPHAN_FORM_TYPE_STRING,
  SAPHAN_FORM_TYPE_INT,
  SAPHAN_FORM_TYPE_DECIMAL,
  SAPHAN_FORM_TYPE_DATE,
  SAPHAN_FORM_TYPE_TIME,
  SAPHAN_FORM_TYPE_DATETIME,
  SAPHAN_FORM_TYPE_BOOLEAN,
  SAPHAN_FORM_TYPE_SELECT1,
  SAPHAN_FORM_TYPE_SELECT,
  SAPHAN_FORM_TYPE_GEOPOINT,
  SAPHAN_FORM_TYPE_GEOTRACE,
  SAPHAN_FORM_TYPE_GEOSHAPE,
  SAPHAN_FORM_TYPE_BINARY,
  SAPHAN_FORM_TYPE_BARCODE,
} SaphanFormType;

/* One piece of a label: literal text, or an <output value="..."/>. */
typedef struct
{
  char            *literal;  /* NULL for an output */
  SaphanXPathExpr *expr;     /* the output's expression, or NULL */
} SaphanFormTextPart;

/* A label, hint or message: either an itext id (translated at run time) or
 * text written in place, possibly with outputs. */
typedef struct
{
  char      *itext_id;   /* NULL when PARTS holds the text */
  GPtrArray *parts;      /* of SaphanFormTextPart *, or NULL */
} SaphanFormText;

typedef struct
{
  char           *value;
  SaphanFormText *label;
} SaphanFormItem;

typedef struct _SaphanFormControl SaphanFormControl;

/* A node of the body tree. Read-only for everyone but the loader. */
struct _SaphanFormControl
{
  SaphanFormControlKind kind;
  char              *ref;          /* generic absolute path of the bound node; NULL for a bare group */
  char              *appearance;   /* as written, or NULL */
  char              *mediatype;    /* upload only */
  SaphanFormText    *label;        /* may be NULL */
  SaphanFormText    *hint;         /* may be NULL */
  SaphanFormType     bind_type;
  gboolean           field_list;   /* a group shown on one screen */

  /* Repeats. */
  SaphanXPathExpr   *count;        /* jr:count, or NULL */
  gboolean           no_add_remove;

  /* Selects: static items, or an itemset. */
  GPtrArray         *items;        /* of SaphanFormItem *, or NULL */
  SaphanXPathExpr   *itemset;      /* nodeset, evaluated at the select's node */
  SaphanXPathExpr   *itemset_value;
  SaphanXPathExpr   *itemset_label;
  gboolean           itemset_label_is_itext; /* the label is jr:itext(EXPR) */
  SaphanXPathExpr   *itemset_label_id;       /* that EXPR: the item's itext id */

  /* Ranges. */
  double             range_start, range_end, range_step;

  SaphanFormControl *parent;       /* borrowed */
  GPtrArray         *children;     /* of SaphanFormControl *, owned */
};

#define SAPHAN_TYPE_FORM (saphan_form_get_type ())
G_DECLARE_FINAL_TYPE (SaphanForm, saphan_form, SAPHAN, FORM, GObject)

SaphanForm *saphan_form_new_from_bytes (GBytes      *xml,
                                        const char  *source_name,
                                        GHashTable  *media,
                                        GError     **error);
SaphanForm *saphan_form_new_from_file  (const char  *path,
                                        const char  *media_dir,
                                        GError     **error);

const char *saphan_form_get_id               (SaphanForm *self);
const char *saphan_form_get_version          (SaphanForm *self);
const char *saphan_form_get_title            (SaphanForm *self);
const char *saphan_form_get_public_key       (SaphanForm *self);
const char *saphan_form_get_source_name      (SaphanForm *self);
/* The itext languages in the form's order; empty when the form has none. */
const char *const *saphan_form_get_languages (SaphanForm *self);
const char *saphan_form_get_default_language (SaphanForm *self);
/* Controls that take an answer (everything but groups, repeats and triggers). */
guint       saphan_form_get_question_count   (SaphanForm *self);
/* The body's root: a GROUP without ref whose children are the body. */
const SaphanFormControl *saphan_form_get_body (SaphanForm *self);
/* The control bound to generic path REF, or NULL. */
const SaphanFormControl *saphan_form_get_control (SaphanForm *self, const char *ref);
/* A media file of the form ("jr://images/a.png" or "a.png"), or NULL.
 * The bytes belong to the form. */
GBytes     *saphan_form_get_media            (SaphanForm *self, const char *name);
/* Where media NAME lives on disk when the form was loaded from a file with
 * a media folder ("jr://images/a.png" -> "/…/form-media/a.png"), else
 * NULL; newly allocated. */
char       *saphan_form_get_media_path       (SaphanForm *self, const char *name);
/* The XML the form was loaded from; belongs to the form. */
GBytes     *saphan_form_get_xml              (SaphanForm *self);

/* Validates XML as a form, then installs it with MEDIA into STORE. A bad
 * form is refused and the forms already installed stay as they were. */
gboolean    saphan_form_install (SaphanStore     *store,
                                 GBytes          *xml,
                                 GHashTable      *media,
                                 SaphanFormInfo **out_info,
                                 GError         **error);
/* Adds to MEDIA (name -> GBytes) the files of MEDIA_DIR that XML names. */
gboolean    saphan_form_add_media_from_dir (GHashTable  *media,
                                            GBytes      *xml,
                                            const char  *media_dir,
                                            GError     **error);
/* Checks and installs the form file PATH with the media it names from
 * MEDIA_DIR (NULL: the "NAME-media" folder beside it). */
gboolean    saphan_form_install_file (SaphanStore     *store,
                                      const char      *path,
                                      const char      *media_dir,
                                      SaphanFormInfo **out_info,
                                      GError         **error);

G_END_DECLS
