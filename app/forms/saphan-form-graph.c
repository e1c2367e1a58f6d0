/* saphan-form-graph.c: the dependency graph of a form's expressions.
 *
 * Every bind expression becomes a computation at a generic path ("/data/rep/q"
 * stands for the q of every repeat instance). A computation depends on the
 * generic paths its expression reads. Calculations are ordered so that each
 * comes after the calculations it reads; a calculation that ends up reading
 * itself, directly or through others, is a cycle and the form is refused.
 * A session then recomputes after an answer only the computations that read
 * what changed, in this order.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "saphan-error.h"
#include "saphan-form-private.h"

static void
comp_free (FormComp *comp)
{
  g_free (comp->path);
  g_clear_pointer (&comp->refs, g_ptr_array_unref);
  g_free (comp);
}

static gboolean
is_under (const char *path, const char *ancestor)
{
  gsize n = strlen (ancestor);

  if (strcmp (ancestor, "/") == 0)
    return path[0] == '/' && path[1] != '\0';
  return strncmp (path, ancestor, n) == 0 && path[n] == '/';
}

/* A computation reading R must rerun when the node at P changes if R is P,
 * a node inside P (a repeat added or removed) or an ancestor of P (whose
 * string value includes P's). */
static gboolean
reads (const FormComp *comp, const char *path)
{
  for (guint i = 0; i < comp->refs->len; i++)
    {
      const char *r = comp->refs->pdata[i];
      if (strcmp (r, path) == 0 || is_under (r, path) || is_under (path, r))
        return TRUE;
    }
  return FALSE;
}

/* The edges used for ordering and cycles: only exact reads and reads of
 * nodes inside, so that "position(..)" in a repeat is not a cycle. */
static gboolean
depends_on (const FormComp *comp, const char *path)
{
  for (guint i = 0; i < comp->refs->len; i++)
    {
      const char *r = comp->refs->pdata[i];
      if (strcmp (r, path) == 0 || is_under (r, path))
        return TRUE;
    }
  return FALSE;
}

/* A calculation that names its own node by its absolute path is ODK's
 * default-value idiom ("coalesce(/data/geo, /data/default)"): it reads the
 * answer it replaces, which is not a cycle. A relative self-reference
 * ("../a + 1" at /data/group/a) is. */
static gboolean
is_named_self_reference (const FormComp *comp)
{
  const char *text = saphan_xpath_expr_get_text (comp->expr);
  const char *hit = strstr (text, comp->path);
  gsize n = strlen (comp->path);

  for (; hit != NULL; hit = strstr (hit + 1, comp->path))
    if (!g_ascii_isalnum (hit[n]) && hit[n] != '_' && hit[n] != '-' && hit[n] != '/' && hit[n] != ':')
      return TRUE;
  return FALSE;
}

static FormComp *
comp_new (CompKind kind, const char *path, SaphanXPathExpr *expr, FormBind *bind)
{
  FormComp *comp = g_new0 (FormComp, 1);

  comp->kind = kind;
  comp->path = g_strdup (path);
  comp->expr = expr;
  comp->bind = bind;
  comp->refs = g_ptr_array_new_with_free_func (g_free);
  if (expr != NULL)
    saphan_xpath_expr_collect_refs (expr, path, comp->refs);
  return comp;
}

/* Calculation B must come after calculation A. */
static gboolean
edge (GPtrArray *calcs, guint a, guint b)
{
  FormComp *ca = calcs->pdata[a], *cb = calcs->pdata[b];

  if (a == b && is_named_self_reference (ca))
    return FALSE;
  return depends_on (cb, ca->path);
}

static int
depth_of (const char *path)
{
  int d = 0;
  for (; *path != '\0'; path++)
    if (*path == '/')
      d++;
  return d;
}

/* Whether EXPR, evaluated at a node PATH inside repeat REPEAT, can only
 * read nodes of the same repeat instance: it never names the repeat by an
 * absolute path, never searches with "//" or walks a sibling, ancestor or
 * descendant axis, and never climbs with ".." out of the instance. Then a change inside one instance needs the computation
 * in that instance only. Anything uncertain counts as not local. */
static gboolean
reads_only_its_instance (const char *text, const char *path, const char *repeat)
{
  const char *last = strrchr (repeat, '/') + 1;
  g_autofree char *step = g_strconcat ("/", last, NULL);
  gsize n = strlen (step);
  int room = depth_of (path) - depth_of (repeat);

  /* Searches and the axes that walk to other repeat instances. */
  if (strstr (text, "//") != NULL || strstr (text, "sibling") != NULL || strstr (text, "preceding") != NULL ||
      strstr (text, "following") != NULL || strstr (text, "ancestor") != NULL ||
      strstr (text, "descendant") != NULL)
    return FALSE;
  for (const char *hit = strstr (text, step); hit != NULL; hit = strstr (hit + 1, step))
    {
      char c = hit[n];
      if (!g_ascii_isalnum (c) && c != '_' && c != '-' && c != '.' && c != ':')
        return FALSE;
    }
  for (const char *p = text; *p != '\0'; p++)
    {
      int run = 0;
      while (p[0] == '.' && p[1] == '.')
        {
          run++;
          p += 2;
          while (*p == ' ')
            p++;
          if (*p != '/')
            break;
          p++;
          while (*p == ' ')
            p++;
        }
      if (run > room)
        return FALSE;
      if (*p == '\0')
        break;
    }
  return TRUE;
}

static void
find_scopes (SaphanForm *self)
{
  for (guint i = 0; i < self->comps->len; i++)
    {
      FormComp *comp = self->comps->pdata[i];
      GHashTableIter iter;
      gpointer key;
      const char *deepest = NULL;

      if (comp->kind == COMP_COUNT)
        continue;
      g_hash_table_iter_init (&iter, self->repeat_paths);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if ((strcmp (comp->path, key) == 0 || is_under (comp->path, key)) &&
            (deepest == NULL || strlen (key) > strlen (deepest)))
          deepest = key;
      if (deepest != NULL &&
          (comp->expr == NULL ||
           reads_only_its_instance (saphan_xpath_expr_get_text (comp->expr), comp->path, deepest)))
        comp->scope_repeat = deepest;
    }
}

/* For each calculation A, the calculations that must come after it. The
 * producers are indexed by their path and every ancestor of it, so that a
 * reader of "/data/g" finds the calculations inside that group at once. */
static GPtrArray *
find_edges (GPtrArray *calcs)
{
  g_autoptr (GHashTable) producers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            (GDestroyNotify) g_array_unref);
  GPtrArray *edges = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint a = 0; a < calcs->len; a++)
    {
      g_autofree char *path = g_strdup (((FormComp *) calcs->pdata[a])->path);
      char *slash;

      g_ptr_array_add (edges, g_array_new (FALSE, FALSE, sizeof (guint)));
      for (;;)
        {
          GArray *list = g_hash_table_lookup (producers, path);
          if (list == NULL)
            {
              list = g_array_new (FALSE, FALSE, sizeof (guint));
              g_hash_table_insert (producers, g_strdup (path), list);
            }
          g_array_append_val (list, a);
          slash = strrchr (path, '/');
          if (slash == NULL || slash == path)
            break;
          *slash = '\0';
        }
    }
  for (guint b = 0; b < calcs->len; b++)
    {
      FormComp *cb = calcs->pdata[b];
      g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);

      for (guint r = 0; r < cb->refs->len; r++)
        {
          GArray *list = g_hash_table_lookup (producers, cb->refs->pdata[r]);
          for (guint k = 0; list != NULL && k < list->len; k++)
            {
              guint a = g_array_index (list, guint, k);
              if (g_hash_table_contains (seen, GUINT_TO_POINTER (a + 1)) || !edge (calcs, a, b))
                continue;
              g_hash_table_add (seen, GUINT_TO_POINTER (a + 1));
              g_array_append_val ((GArray *) edges->pdata[a], b);
            }
        }
    }
  return edges;
}

gboolean
_saphan_form_build_graph (SaphanForm *self, GError **error)
{
  g_autoptr (GPtrArray) calcs = g_ptr_array_new ();
  g_autoptr (GPtrArray) others = g_ptr_array_new ();
  g_autofree guint *indegree = NULL;
  g_autoptr (GPtrArray) edges = NULL;
  g_autofree gboolean *done = NULL;
  guint n_done = 0;

  self->comps = g_ptr_array_new_with_free_func ((GDestroyNotify) comp_free);

  for (guint i = 0; i < self->bind_list->len; i++)
    {
      FormBind *bind = self->bind_list->pdata[i];

      /* Only the last bind of a path counts; it carries the merged exprs. */
      if (g_hash_table_lookup (self->binds, bind->path) != bind)
        continue;
      for (int k = 0; k < COMP_N_KINDS; k++)
        if (bind->exprs[k] != NULL)
          g_ptr_array_add (k == COMP_CALCULATE ? calcs : others,
                           comp_new (k, bind->path, bind->exprs[k], bind));
    }
  {
    GHashTableIter iter;
    gpointer key, value;
    g_autoptr (GList) keys = NULL;

    /* Repeat counts in a stable order, so that runs are reproducible. */
    g_hash_table_iter_init (&iter, self->repeat_paths);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (((SaphanFormControl *) value)->count != NULL)
        keys = g_list_prepend (keys, key);
    keys = g_list_sort (keys, (GCompareFunc) strcmp);
    for (GList *l = keys; l != NULL; l = l->next)
      {
        SaphanFormControl *rep = g_hash_table_lookup (self->repeat_paths, l->data);
        g_ptr_array_add (others, comp_new (COMP_COUNT, rep->ref, rep->count, NULL));
      }
  }

  /* A select's value only holds values its choices offer (ODK drops the
   * others when a choice filter changes). It runs when the select itself
   * or what its itemset reads changes. */
  {
    GHashTableIter iter;
    gpointer key, value;
    g_autoptr (GList) keys = NULL;

    g_hash_table_iter_init (&iter, self->controls);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        SaphanFormControl *c = value;
        if ((c->kind == SAPHAN_FORM_CONTROL_SELECT1 || c->kind == SAPHAN_FORM_CONTROL_SELECT) &&
            (c->items != NULL || c->itemset != NULL))
          keys = g_list_prepend (keys, key);
      }
    keys = g_list_sort (keys, (GCompareFunc) strcmp);
    for (GList *l = keys; l != NULL; l = l->next)
      {
        SaphanFormControl *c = g_hash_table_lookup (self->controls, l->data);
        FormComp *comp = comp_new (COMP_CHOICES, c->ref, c->itemset, g_hash_table_lookup (self->binds, c->ref));
        comp->control = c;
        g_ptr_array_add (comp->refs, g_strdup (c->ref));
        g_ptr_array_add (others, comp);
      }
  }

  /* Kahn's algorithm over the calculations, keeping the form's order among
   * independent ones. */
  indegree = g_new0 (guint, calcs->len + 1);
  done = g_new0 (gboolean, calcs->len + 1);
  edges = find_edges (calcs);
  for (guint a = 0; a < calcs->len; a++)
    {
      GArray *out = edges->pdata[a];
      for (guint k = 0; k < out->len; k++)
        indegree[g_array_index (out, guint, k)]++;
    }
  while (n_done < calcs->len)
    {
      guint pick = G_MAXUINT;

      for (guint a = 0; a < calcs->len && pick == G_MAXUINT; a++)
        if (!done[a] && indegree[a] == 0)
          pick = a;
      if (pick == G_MAXUINT)
        break;
      done[pick] = TRUE;
      n_done++;
      g_ptr_array_add (self->comps, calcs->pdata[pick]);
      {
        GArray *out = edges->pdata[pick];
        for (guint k = 0; k < out->len; k++)
          indegree[g_array_index (out, guint, k)]--;
      }
    }
  if (n_done < calcs->len)
    {
      g_autoptr (GString) names = g_string_new (NULL);
      guint listed = 0, left = 0;

      /* Name a few of the nodes: enough to find the loop, short enough to read. */
      for (guint a = 0; a < calcs->len; a++)
        {
          FormComp *c = calcs->pdata[a];
          if (done[a])
            continue;
          if (listed == 6)
            {
              left++;
              continue;
            }
          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append_printf (names, "“%s” (calculate=“%s”)", c->path,
                                  saphan_xpath_expr_get_text (c->expr));
          listed++;
        }
      if (left > 0)
        g_string_append_printf (names, _(" and %u more"), left);
      for (guint a = 0; a < calcs->len; a++)
        if (!done[a])
          comp_free (calcs->pdata[a]);
      for (guint a = 0; a < others->len; a++)
        comp_free (others->pdata[a]);
      _saphan_form_set_error (self, error, _("the calculations form a dependency cycle: %s"), names->str);
      return FALSE;
    }
  for (guint a = 0; a < others->len; a++)
    g_ptr_array_add (self->comps, others->pdata[a]);
  for (guint i = 0; i < self->comps->len; i++)
    ((FormComp *) self->comps->pdata[i])->index = i;
  find_scopes (self);
  return TRUE;
}

GArray *
_saphan_form_related (SaphanForm *self, const char *path)
{
  GArray *related;

  g_mutex_lock (&self->related_lock);
  related = g_hash_table_lookup (self->related_cache, path);
  if (related == NULL)
    {
      related = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; i < self->comps->len; i++)
        if (reads (self->comps->pdata[i], path))
          g_array_append_val (related, i);
      g_hash_table_insert (self->related_cache, g_strdup (path), related);
    }
  g_mutex_unlock (&self->related_lock);
  return related;
}
