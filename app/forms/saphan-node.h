/* saphan-node.h: the instance tree the form engine evaluates XPath over.
 *
 * Primary and secondary instances are both trees of SaphanNode. The tree is
 * deliberately plain (no GObject): a form with thousands of questions has
 * thousands of nodes, and XPath walks them on every recompute.
 *
 * Only elements and attributes are nodes. An element either has element
 * children or a text value (instances do not use mixed content); a leaf's
 * text lives in VALUE. NULL VALUE reads as "".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_NODE_DOCUMENT,   /* the root of one instance; its one child is the instance's element */
  SAPHAN_NODE_ELEMENT,
  SAPHAN_NODE_ATTRIBUTE,
} SaphanNodeKind;

typedef struct _SaphanNode SaphanNode;

struct _SaphanNode
{
  SaphanNodeKind kind;
  char       *local;       /* local name; NULL for the document node */
  char       *prefix;      /* as written in the form, for serialization; may be NULL */
  char       *ns;          /* namespace URI or NULL */
  char       *value;       /* leaf text or attribute value; NULL reads as "" */

  SaphanNode *parent;      /* an attribute's parent is its element */
  SaphanNode *first_child; /* element children, in document order */
  SaphanNode *last_child;
  SaphanNode *prev;        /* siblings (for attributes: the attribute chain) */
  SaphanNode *next;
  SaphanNode *first_attr;
  guint       n_children;

  /* Document order: ORDER is valid while the document's ORDER_SERIAL equals
   * the serial this node was numbered in. Structural changes bump the
   * document's serial; numbering is redone lazily on the next comparison. */
  guint32     order;
  guint32     order_serial;

  /* For the form model: per-node bind state. Not touched by the tree code. */
  gpointer    model;
};

SaphanNode *saphan_node_new_document  (void);
SaphanNode *saphan_node_new_element   (const char *prefix, const char *local, const char *ns);
/* Frees NODE and its subtree; NODE must already be detached. */
void        saphan_node_free          (SaphanNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanNode, saphan_node_free)

void        saphan_node_append        (SaphanNode *parent, SaphanNode *child);
void        saphan_node_insert_after  (SaphanNode *parent, SaphanNode *sibling, SaphanNode *child);
void        saphan_node_detach        (SaphanNode *node);
SaphanNode *saphan_node_deep_copy     (const SaphanNode *node);

SaphanNode *saphan_node_set_attr      (SaphanNode *element, const char *prefix, const char *local,
                                       const char *ns, const char *value);
SaphanNode *saphan_node_get_attr      (const SaphanNode *element, const char *local);

const char *saphan_node_get_value     (const SaphanNode *node);
/* Returns TRUE when the value changed. */
gboolean    saphan_node_set_value     (SaphanNode *node, const char *value);
/* XPath string-value: a leaf's text, or the concatenated text of descendants. */
char       *saphan_node_string_value  (const SaphanNode *node);

SaphanNode *saphan_node_document      (const SaphanNode *node);
SaphanNode *saphan_node_first_child_named (const SaphanNode *node, const char *local);
/* 1-based position among siblings with the same local name (repeat index). */
guint       saphan_node_sibling_index (const SaphanNode *node);
/* "/data/grp/rep[2]/q": absolute path with an index on every repeated step
 * (every step whose element has same-named siblings or is in REPEAT_PATHS).
 * REPEAT_PATHS is a set of generic paths ("/data/grp/rep") or NULL.
 * Both kinds of path use LOCAL names only, without prefixes: <orx:meta> is
 * "/data/meta". That is the form saphan_xpath_expr_collect_refs() produces,
 * and it is still an XPath expression that selects the node. */
char       *saphan_node_path          (const SaphanNode *node, GHashTable *repeat_paths);
/* "/data/grp/rep/q": the same without indices. */
char       *saphan_node_generic_path  (const SaphanNode *node);
/* <0, 0, >0 in document order; nodes of different documents compare by
 * document, consistently. */
int         saphan_node_compare_order (const SaphanNode *a, const SaphanNode *b);

G_END_DECLS
