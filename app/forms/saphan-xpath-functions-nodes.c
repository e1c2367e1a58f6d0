/* saphan-xpath-functions-nodes.c: node-set, repeat, checklist, translation,
 * secondary-instance and geographic functions of the ODK function library.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "saphan-xpath-functions-private.h"

#define XML_NAMESPACE "http://www.w3.org/XML/1998/namespace"

/* ---- Counting and aggregating ------------------------------------------- */

SAPHAN_XPATH_FUNCTION (_saphan_xfn_count)
{
  if (!_saphan_xfn_require_nodes ("count", argv, 0, error))
    return FALSE;
  _saphan_xfn_set_number (result, argv[0].nodes->len);
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_count_non_empty)
{
  guint n = 0;

  if (!_saphan_xfn_require_nodes ("count-non-empty", argv, 0, error))
    return FALSE;
  for (guint i = 0; i < argv[0].nodes->len; i++)
    {
      g_autofree char *text = saphan_node_string_value (g_ptr_array_index (argv[0].nodes, i));

      if (*text != '\0')
        n++;
    }
  _saphan_xfn_set_number (result, n);
  return TRUE;
}

/* sum() of an empty node-set is 0; one non-numeric node makes it NaN, as
 * XPath 1.0 says (so an unanswered question in a repeat shows as NaN, the
 * same as in Collect). */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_sum)
{
  double total = 0.0;

  if (!_saphan_xfn_require_nodes ("sum", argv, 0, error))
    return FALSE;
  for (guint i = 0; i < argv[0].nodes->len; i++)
    {
      g_autofree char *text = saphan_node_string_value (g_ptr_array_index (argv[0].nodes, i));

      total += saphan_xpath_string_to_number (text);
    }
  _saphan_xfn_set_number (result, total);
  return TRUE;
}

/* min() and max() take any mix of node-sets and values, as XPath 3.0's
 * sequences; nothing at all gives NaN, and so does any NaN item. */
static void
extreme (guint argc, const SaphanXPathValue *argv, SaphanXPathValue *result, gboolean want_max)
{
  double best = NAN;
  gboolean any = FALSE;

  for (guint i = 0; i < argc; i++)
    {
      guint n = argv[i].type == SAPHAN_XPATH_NODESET ? argv[i].nodes->len : 1;

      for (guint k = 0; k < n; k++)
        {
          double x;

          if (argv[i].type == SAPHAN_XPATH_NODESET)
            {
              g_autofree char *text = saphan_node_string_value (g_ptr_array_index (argv[i].nodes, k));

              x = saphan_xpath_string_to_number (text);
            }
          else
            x = _saphan_xfn_number (&argv[i]);

          if (isnan (x))
            {
              _saphan_xfn_set_number (result, NAN);
              return;
            }
          if (!any || (want_max ? x > best : x < best))
            best = x;
          any = TRUE;
        }
    }
  _saphan_xfn_set_number (result, best);
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_min)
{
  extreme (argc, argv, result, FALSE);
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_max)
{
  extreme (argc, argv, result, TRUE);
  return TRUE;
}

/* ---- Names ------------------------------------------------------------------ */

/* The node name() and friends look at: the context node without an
 * argument, else the first node of the node-set (NULL when it is empty). */
static gboolean
name_subject (const char *function, const SaphanXPathContext *ctx, guint argc,
              const SaphanXPathValue *argv, SaphanNode **node, GError **error)
{
  if (argc == 0)
    {
      *node = ctx->node;
      return TRUE;
    }
  if (!_saphan_xfn_require_nodes (function, argv, 0, error))
    return FALSE;
  *node = argv[0].nodes->len > 0 ? g_ptr_array_index (argv[0].nodes, 0) : NULL;
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_name)
{
  SaphanNode *node;

  if (!name_subject ("name", ctx, argc, argv, &node, error))
    return FALSE;
  if (node == NULL || node->local == NULL)
    _saphan_xfn_set_string (result, "");
  else if (node->prefix != NULL && *node->prefix != '\0')
    _saphan_xfn_take_string (result, g_strconcat (node->prefix, ":", node->local, NULL));
  else
    _saphan_xfn_set_string (result, node->local);
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_local_name)
{
  SaphanNode *node;

  if (!name_subject ("local-name", ctx, argc, argv, &node, error))
    return FALSE;
  _saphan_xfn_set_string (result, node != NULL ? node->local : "");
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_namespace_uri)
{
  SaphanNode *node;

  if (!name_subject ("namespace-uri", ctx, argc, argv, &node, error))
    return FALSE;
  _saphan_xfn_set_string (result, node != NULL ? node->ns : "");
  return TRUE;
}

/* lang('th') is true when the nearest xml:lang is "th" or "th-TH" and so
 * on, ignoring case. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_lang)
{
  g_autofree char *wanted = _saphan_xfn_string (&argv[0]);
  size_t wanted_len = strlen (wanted);

  for (SaphanNode *node = ctx->node; node != NULL; node = node->parent)
    {
      for (SaphanNode *attr = node->first_attr; attr != NULL; attr = attr->next)
        {
          const char *lang;

          if (g_strcmp0 (attr->local, "lang") != 0
              || (g_strcmp0 (attr->ns, XML_NAMESPACE) != 0 && g_strcmp0 (attr->prefix, "xml") != 0))
            continue;
          lang = saphan_node_get_value (attr);
          _saphan_xfn_set_boolean (result,
                                   g_ascii_strncasecmp (lang, wanted, wanted_len) == 0
                                   && (lang[wanted_len] == '\0' || lang[wanted_len] == '-'));
          return TRUE;
        }
    }
  _saphan_xfn_set_boolean (result, FALSE);
  return TRUE;
}

/* ---- Repeats ------------------------------------------------------------------ */

/* position(node): the node's 1-based index among its same-named siblings,
 * which is its repeat instance's number. Collect refuses an empty node-set. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_position)
{
  if (!_saphan_xfn_require_nodes ("position", argv, 0, error))
    return FALSE;
  if (argv[0].nodes->len == 0)
    {
      _saphan_xfn_error (error, "position", _("the node does not exist"));
      return FALSE;
    }
  _saphan_xfn_set_number (result, saphan_node_sibling_index (g_ptr_array_index (argv[0].nodes, 0)));
  return TRUE;
}

static gboolean
is_inside (const SaphanNode *node, const SaphanNode *ancestor)
{
  for (; node != NULL; node = node->parent)
    if (node == ancestor)
      return TRUE;
  return FALSE;
}

/* indexed-repeat(target, repeat1, index1[, repeat2, index2[, repeat3, index3]]):
 * picks the INDEX1-th node of REPEAT1, then the INDEX2-th of the REPEAT2
 * nodes inside it, and so on, and returns the value of the first TARGET node
 * inside the last pick. An index out of range gives "". */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_indexed_repeat)
{
  SaphanNode *scope = NULL;

  if (argc % 2 == 0)
    {
      _saphan_xfn_error (error, "indexed-repeat", _("each repeat needs an index"));
      return FALSE;
    }
  if (!_saphan_xfn_require_nodes ("indexed-repeat", argv, 0, error))
    return FALSE;

  for (guint level = 1; level + 1 < argc; level += 2)
    {
      double index = _saphan_xfn_number (&argv[level + 1]);
      double seen = 0.0;
      SaphanNode *pick = NULL;

      if (!_saphan_xfn_require_nodes ("indexed-repeat", argv, level, error))
        return FALSE;
      for (guint i = 0; i < argv[level].nodes->len && pick == NULL; i++)
        {
          SaphanNode *candidate = g_ptr_array_index (argv[level].nodes, i);

          if (scope != NULL && !is_inside (candidate, scope))
            continue;
          seen += 1.0;
          if (seen == index)
            pick = candidate;
        }
      if (pick == NULL)
        {
          _saphan_xfn_set_string (result, "");
          return TRUE;
        }
      scope = pick;
    }

  for (guint i = 0; i < argv[0].nodes->len; i++)
    {
      SaphanNode *node = g_ptr_array_index (argv[0].nodes, i);

      if (is_inside (node, scope))
        {
          _saphan_xfn_take_string (result, saphan_node_string_value (node));
          return TRUE;
        }
    }
  _saphan_xfn_set_string (result, "");
  return TRUE;
}

/* ---- Checklists ------------------------------------------------------------------ */

/* Whether one checklist answer counts: booleans as they are, numbers when
 * non-zero, strings when "true" or a non-zero number (the values a
 * yes/no select or a boolean calculate stores). */
static gboolean
answer_counts (const char *text)
{
  double number;

  if (g_ascii_strcasecmp (text, "true") == 0)
    return TRUE;
  number = saphan_xpath_string_to_number (text);
  return !isnan (number) && number != 0.0;
}

static void
flatten_answers (guint argc, const SaphanXPathValue *argv, GArray *out)
{
  for (guint i = 0; i < argc; i++)
    {
      gboolean yes;

      switch (argv[i].type)
        {
        case SAPHAN_XPATH_NODESET:
          for (guint n = 0; n < argv[i].nodes->len; n++)
            {
              g_autofree char *text = saphan_node_string_value (g_ptr_array_index (argv[i].nodes, n));

              yes = answer_counts (text);
              g_array_append_val (out, yes);
            }
          continue;
        case SAPHAN_XPATH_BOOLEAN:
          yes = argv[i].boolean;
          break;
        case SAPHAN_XPATH_NUMBER:
          yes = !isnan (argv[i].number) && argv[i].number != 0.0;
          break;
        case SAPHAN_XPATH_STRING:
        default:
          yes = answer_counts (argv[i].string);
          break;
        }
      g_array_append_val (out, yes);
    }
}

static gboolean
within (double total, double min, double max)
{
  /* -1 (any negative) means "no bound", as in Collect. */
  return (min < 0 || total >= min) && (max < 0 || total <= max);
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_checklist)
{
  g_autoptr (GArray) answers = g_array_new (FALSE, FALSE, sizeof (gboolean));
  double count = 0;

  flatten_answers (argc - 2, argv + 2, answers);
  for (guint i = 0; i < answers->len; i++)
    if (g_array_index (answers, gboolean, i))
      count += 1.0;
  _saphan_xfn_set_boolean (result, within (count, trunc (_saphan_xfn_number (&argv[0])),
                                           trunc (_saphan_xfn_number (&argv[1]))));
  return TRUE;
}

/* weighted-checklist(min, max, v1, w1, v2, w2, ...); two node-sets of equal
 * length pair up node by node (v from the first, w from the second). */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_weighted_checklist)
{
  g_autoptr (GArray) answers = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr (GPtrArray) weights = g_ptr_array_new_with_free_func (g_free);
  double total = 0.0;

  if (argc == 4 && argv[2].type == SAPHAN_XPATH_NODESET && argv[3].type == SAPHAN_XPATH_NODESET)
    {
      flatten_answers (1, argv + 2, answers);
      _saphan_xfn_flatten_strings (1, argv + 3, weights);
    }
  else
    {
      for (guint i = 2; i + 1 < argc; i += 2)
        {
          flatten_answers (1, argv + i, answers);
          _saphan_xfn_flatten_strings (1, argv + i + 1, weights);
        }
    }
  if ((argc - 2) % 2 != 0 || answers->len != weights->len)
    {
      _saphan_xfn_error (error, "weighted-checklist", _("each answer needs a weight"));
      return FALSE;
    }
  for (guint i = 0; i < answers->len; i++)
    if (g_array_index (answers, gboolean, i))
      total += saphan_xpath_string_to_number (g_ptr_array_index (weights, i));
  _saphan_xfn_set_boolean (result, within (total, trunc (_saphan_xfn_number (&argv[0])),
                                           trunc (_saphan_xfn_number (&argv[1]))));
  return TRUE;
}

/* ---- Labels and secondary instances ------------------------------------------- */

/* jr:choice-name(value, question): XLSForm writes the question as a string
 * holding its path (jr:choice-name(${q}, '${q}')), which is evaluated here
 * in the same context; a node-set is accepted too. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_choice_name)
{
  const SaphanXPathEnv *env = ctx->env;
  g_autofree char *value = _saphan_xfn_string (&argv[0]);
  SaphanNode *question = NULL;

  if (env == NULL || env->choice_name == NULL)
    {
      _saphan_xfn_error (error, "jr:choice-name", _("choice labels are not available here"));
      return FALSE;
    }
  if (argv[1].type == SAPHAN_XPATH_NODESET)
    question = argv[1].nodes->len > 0 ? g_ptr_array_index (argv[1].nodes, 0) : NULL;
  else
    {
      g_autofree char *path = _saphan_xfn_string (&argv[1]);
      g_autoptr (SaphanXPathExpr) expr = saphan_xpath_compile (path, NULL, NULL);
      SaphanXPathValue found = { .type = SAPHAN_XPATH_BOOLEAN };

      if (expr == NULL || !saphan_xpath_eval (expr, ctx, &found, NULL)
          || found.type != SAPHAN_XPATH_NODESET)
        {
          saphan_xpath_value_clear (&found);
          _saphan_xfn_error (error, "jr:choice-name", _("the second argument is not a question’s path"));
          return FALSE;
        }
      question = found.nodes->len > 0 ? g_ptr_array_index (found.nodes, 0) : NULL;
      saphan_xpath_value_clear (&found);
    }
  if (question == NULL)
    {
      _saphan_xfn_set_string (result, "");
      return TRUE;
    }
  _saphan_xfn_take_string (result, env->choice_name (env->data, question, value));
  return TRUE;
}

SAPHAN_XPATH_FUNCTION (_saphan_xfn_itext)
{
  const SaphanXPathEnv *env = ctx->env;
  g_autofree char *id = _saphan_xfn_string (&argv[0]);

  if (env == NULL || env->itext == NULL)
    {
      _saphan_xfn_error (error, "jr:itext", _("translations are not available here"));
      return FALSE;
    }
  _saphan_xfn_take_string (result, env->itext (env->data, id));
  return TRUE;
}

/* pulldata(instance, desired, query_element, query): shorthand for
 * instance(ID)/root/item[query_element = query]/desired, first match. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_pulldata)
{
  const SaphanXPathEnv *env = ctx->env;
  g_autofree char *id = _saphan_xfn_string (&argv[0]);
  g_autofree char *desired = _saphan_xfn_string (&argv[1]);
  g_autofree char *key = _saphan_xfn_string (&argv[2]);
  g_autofree char *query = _saphan_xfn_string (&argv[3]);
  SaphanNode *doc, *root;

  if (env == NULL || env->instance == NULL)
    {
      _saphan_xfn_error (error, "pulldata", _("secondary instances are not available here"));
      return FALSE;
    }
  doc = env->instance (env->data, id);
  if (doc == NULL)
    {
      _saphan_xfn_error (error, "pulldata", _("the form has no instance with that id"));
      return FALSE;
    }
  root = doc->kind == SAPHAN_NODE_DOCUMENT ? doc->first_child : doc;
  for (SaphanNode *item = root != NULL ? root->first_child : NULL; item != NULL; item = item->next)
    {
      SaphanNode *key_node = saphan_node_first_child_named (item, key);
      g_autofree char *key_value = key_node != NULL ? saphan_node_string_value (key_node) : NULL;
      SaphanNode *wanted;

      if (key_value == NULL || strcmp (key_value, query) != 0)
        continue;
      wanted = saphan_node_first_child_named (item, desired);
      _saphan_xfn_take_string (result, wanted != NULL ? saphan_node_string_value (wanted) : NULL);
      return TRUE;
    }
  _saphan_xfn_set_string (result, "");
  return TRUE;
}

/* ---- Geography --------------------------------------------------------------------- */

/* The Earth as a sphere of 6,378,100 m, the radius Collect and Web Forms
 * both use, and results rounded to the centimetre (square centimetre for
 * area) as they round them, so a form's stored value is the same text. */
#define EARTH_RADIUS 6378100.0
#define ROUND_CM(x) (round ((x) * 100.0) / 100.0)
#define RADIANS(d) ((d) * G_PI / 180.0)

/* Reads geopoints from a node-set of geopoints or from one geotrace or
 * geoshape value ("lat lon alt acc; lat lon ..."): both come down to
 * semicolon-separated points. Altitude and accuracy are ignored. */
static gboolean
read_points (const char *function, const SaphanXPathValue *arg, GArray *points, GError **error)
{
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  _saphan_xfn_flatten_strings (1, arg, values);
  for (guint v = 0; v < values->len; v++)
    {
      g_auto (GStrv) parts = g_strsplit (g_ptr_array_index (values, v), ";", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_auto (GStrv) fields = NULL;
          double point[2];
          guint n = 0;
          gboolean ok = TRUE;

          g_strstrip (parts[i]);
          if (*parts[i] == '\0')
            continue;
          fields = g_strsplit_set (parts[i], " \t", -1);
          for (guint f = 0; fields[f] != NULL && n < 2; f++)
            {
              char *end;

              if (*fields[f] == '\0')
                continue;
              point[n] = g_ascii_strtod (fields[f], &end);
              if (*end != '\0' || !isfinite (point[n]))
                {
                  ok = FALSE;
                  break;
                }
              n++;
            }
          if (!ok || n < 2 || fabs (point[0]) > 90.0 || fabs (point[1]) > 180.0)
            {
              _saphan_xfn_error (error, function, _("a point is not a valid geopoint"));
              return FALSE;
            }
          g_array_append_val (points, point[0]);
          g_array_append_val (points, point[1]);
        }
    }
  return TRUE;
}

/* The area of a polygon on the sphere (Chamberlain and Duquette, the
 * formula Collect and Enketo use); the ring closes itself. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_area)
{
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (double));
  double sum = 0.0;
  guint n;

  if (!read_points ("area", &argv[0], points, error))
    return FALSE;
  n = points->len / 2;
  if (n >= 3)
    {
      const double *p = (const double *) points->data;

      for (guint i = 0; i < n; i++)
        {
          guint j = (i + 1) % n;

          sum += RADIANS (p[2 * j + 1] - p[2 * i + 1])
                 * (2.0 + sin (RADIANS (p[2 * i])) + sin (RADIANS (p[2 * j])));
        }
    }
  _saphan_xfn_set_number (result, ROUND_CM (fabs (sum * EARTH_RADIUS * EARTH_RADIUS / 2.0)));
  return TRUE;
}

/* The length of the path through the points, by the haversine formula.
 * Every argument adds its points in order: a node-set of geopoints, a
 * geotrace or geoshape, or single geopoints as several arguments, mixed
 * freely, as the ODK specification allows. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_distance)
{
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (double));
  double total = 0.0;
  const double *p;

  for (guint a = 0; a < argc; a++)
    if (!read_points ("distance", &argv[a], points, error))
      return FALSE;
  p = (const double *) points->data;
  for (guint i = 1; i < points->len / 2; i++)
    {
      double lat1 = RADIANS (p[2 * (i - 1)]), lat2 = RADIANS (p[2 * i]);
      double dlat = lat2 - lat1;
      double dlon = RADIANS (p[2 * i + 1] - p[2 * (i - 1) + 1]);
      double h = sin (dlat / 2) * sin (dlat / 2)
                 + cos (lat1) * cos (lat2) * sin (dlon / 2) * sin (dlon / 2);

      total += 2.0 * EARTH_RADIUS * asin (sqrt (MIN (1.0, h)));
    }
  _saphan_xfn_set_number (result, ROUND_CM (total));
  return TRUE;
}

/* geofence(point, shape): whether the point lies inside the polygon, by
 * casting a ray along the latitude and counting the edges it crosses
 * (longitude and latitude taken as plane coordinates, as Collect and Web
 * Forms do). An empty point or a shape of fewer than three points is
 * outside, so a constraint with geofence() fails rather than errs. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_geofence)
{
  g_autoptr (GArray) point = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) shape = g_array_new (FALSE, FALSE, sizeof (double));
  const double *s;
  double lat, lon;
  gboolean inside = FALSE;
  guint n;

  if (!read_points ("geofence", &argv[0], point, error) ||
      !read_points ("geofence", &argv[1], shape, error))
    return FALSE;
  if (point->len != 2)
    {
      if (point->len > 2)
        {
          _saphan_xfn_error (error, "geofence", _("the first argument must be one geopoint"));
          return FALSE;
        }
      _saphan_xfn_set_boolean (result, FALSE);
      return TRUE;
    }
  lat = g_array_index (point, double, 0);
  lon = g_array_index (point, double, 1);
  s = (const double *) shape->data;
  n = shape->len / 2;
  /* A closed shape repeats its first point; the ring closes itself anyway. */
  if (n > 1 && s[0] == s[2 * (n - 1)] && s[1] == s[2 * (n - 1) + 1])
    n--;
  for (guint i = 0, j = n - 1; n >= 3 && i < n; j = i++)
    {
      double lat_i = s[2 * i], lon_i = s[2 * i + 1];
      double lat_j = s[2 * j], lon_j = s[2 * j + 1];

      if ((lat_i > lat) != (lat_j > lat) &&
          lon < (lon_j - lon_i) * (lat - lat_i) / (lat_j - lat_i) + lon_i)
        inside = !inside;
    }
  _saphan_xfn_set_boolean (result, inside);
  return TRUE;
}

/* ---- Shuffling ---------------------------------------------------------------------- */

/* The Park-Miller "minimal standard" generator (multiplier 16807, modulus
 * 2^31 - 1), which the ODK specification names for a seeded randomize() so
 * that Collect, Enketo and Web Forms shuffle a list the same way for the
 * same seed. The state is kept as a double, as those engines keep it. */
#define PARK_MILLER_MODULUS 2147483647.0
#define PARK_MILLER_MULTIPLIER 16807.0

typedef struct
{
  double state;
} ParkMiller;

static void
park_miller_init (ParkMiller *rng, double seed)
{
  rng->state = fmod (seed, PARK_MILLER_MODULUS);
  if (rng->state <= 0)
    rng->state += PARK_MILLER_MODULUS - 1;
}

/* A number in [0, 1). */
static double
park_miller_next (ParkMiller *rng)
{
  rng->state = fmod (rng->state * PARK_MILLER_MULTIPLIER, PARK_MILLER_MODULUS);
  return (rng->state - 1) / (PARK_MILLER_MODULUS - 1);
}

static double
unseeded_next (const SaphanXPathContext *ctx)
{
  const SaphanXPathEnv *env = ctx->env;

  if (env != NULL && env->random != NULL)
    return env->random (env->data);
  return g_random_double ();
}

/* randomize(nodes[, seed]): the nodes in a shuffled order (Fisher-Yates,
 * drawing from the last place down, the order the ODK engines draw in). The
 * seed is truncated to an integer, as Collect reads it; a seed that is not a
 * number is an error there too. Without a seed the form's random() source
 * draws, so the result is volatile. */
SAPHAN_XPATH_FUNCTION (_saphan_xfn_randomize)
{
  ParkMiller rng = { 0 };
  GPtrArray *nodes;

  if (!_saphan_xfn_require_nodes ("randomize", argv, 0, error))
    return FALSE;
  if (argc > 1)
    {
      double seed = _saphan_xfn_number (&argv[1]);

      if (!isfinite (seed))
        {
          _saphan_xfn_error (error, "randomize", _("the seed is not a number"));
          return FALSE;
        }
      park_miller_init (&rng, trunc (seed));
    }
  _saphan_xfn_copy_value (result, &argv[0]);
  nodes = result->nodes;
  for (guint i = nodes->len; i > 1; i--)
    {
      double draw = argc > 1 ? park_miller_next (&rng) : unseeded_next (ctx);
      guint j = MIN ((guint) floor (draw * i), i - 1);
      gpointer tmp = nodes->pdata[i - 1];

      nodes->pdata[i - 1] = nodes->pdata[j];
      nodes->pdata[j] = tmp;
    }
  return TRUE;
}
