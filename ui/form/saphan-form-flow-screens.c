/* saphan-form-flow-screens.c: the form's body cut into screens.
 *
 * One question per screen, a field-list group on one screen, and after the
 * instances of an open repeat a screen to add or remove one. The screens
 * are recomputed from the session after every step, so that relevance and
 * repeat counts always follow the answers; a screen keeps its key (the path
 * of its first node) while they change, which is how the flow finds its
 * place again.
 */
#include "config.h"

#include "saphan-form-flow-private.h"

typedef struct
{
  SaphanSession            *session;
  GPtrArray                *screens;
  const SaphanFormControl **consent;
} Walk;

static void walk_children (Walk                    *walk,
                           const SaphanFormControl *parent,
                           const char              *generic_prefix,
                           const char              *instance_prefix,
                           const SaphanFormControl *section,
                           const char              *section_ref,
                           guint                    instance);

static void
flow_item_free (FlowItem *item)
{
  g_free (item->ref);
  g_free (item);
}

void
_saphan_flow_screen_free (FlowScreen *screen)
{
  g_free (screen->key);
  g_clear_pointer (&screen->items, g_ptr_array_unref);
  g_free (screen->group_ref);
  g_free (screen->section_ref);
  g_free (screen);
}

const char *
_saphan_flow_ref_name (const char *ref)
{
  const char *slash;

  if (ref == NULL)
    return NULL;
  slash = strrchr (ref, '/');
  return slash != NULL ? slash + 1 : ref;
}

/* Maps a generic path to the instance being walked: inside the second
 * instance of /data/rep, /data/rep/q is /data/rep[2]/q. */
static char *
map_ref (const char *ref, const char *generic_prefix, const char *instance_prefix)
{
  gsize len;

  if (ref == NULL)
    return NULL;
  if (generic_prefix == NULL)
    return g_strdup (ref);
  len = strlen (generic_prefix);
  if (strncmp (ref, generic_prefix, len) == 0 && (ref[len] == '/' || ref[len] == '\0'))
    return g_strconcat (instance_prefix, ref + len, NULL);
  return g_strdup (ref);
}

/* A node the session does not know (a group without a node of its own) is
 * taken as relevant: only a bind can make something irrelevant. */
static gboolean
is_relevant (SaphanSession *session, const char *ref)
{
  g_autoptr (SaphanNodeState) state = NULL;

  if (ref == NULL)
    return TRUE;
  state = saphan_session_get_state (session, ref, NULL);
  return state == NULL || state->relevant;
}

static FlowScreen *
screen_new (FlowScreenKind kind, const SaphanFormControl *section, const char *section_ref,
            guint instance)
{
  FlowScreen *screen = g_new0 (FlowScreen, 1);

  screen->kind = kind;
  screen->items = g_ptr_array_new_with_free_func ((GDestroyNotify) flow_item_free);
  screen->section = section;
  screen->section_ref = g_strdup (section_ref);
  screen->instance = instance;
  return screen;
}

static void
add_item (FlowScreen *screen, const SaphanFormControl *control, char *ref)
{
  FlowItem *item = g_new0 (FlowItem, 1);

  item->control = control;
  item->ref = ref;
  g_ptr_array_add (screen->items, item);
  if (screen->key == NULL)
    screen->key = g_strdup (ref);
}

/* Every relevant leaf under a field-list group, in body order. */
static void
collect_leaves (Walk *walk, FlowScreen *screen, const SaphanFormControl *parent,
                const char *generic_prefix, const char *instance_prefix)
{
  for (guint i = 0; parent->children != NULL && i < parent->children->len; i++)
    {
      const SaphanFormControl *child = parent->children->pdata[i];
      g_autofree char *ref = map_ref (child->ref, generic_prefix, instance_prefix);

      if (!is_relevant (walk->session, ref))
        continue;
      if (child->kind == SAPHAN_FORM_CONTROL_GROUP || child->kind == SAPHAN_FORM_CONTROL_REPEAT)
        collect_leaves (walk, screen, child, generic_prefix, instance_prefix);
      else
        add_item (screen, child, g_steal_pointer (&ref));
    }
}

static void
walk_repeat (Walk *walk, const SaphanFormControl *repeat, const char *generic_prefix,
             const char *instance_prefix)
{
  g_autofree char *repeat_ref = map_ref (repeat->ref, generic_prefix, instance_prefix);
  guint count = saphan_session_repeat_count (walk->session, repeat_ref);
  FlowScreen *screen;

  for (guint n = 1; n <= count; n++)
    {
      g_autofree char *instance_ref = g_strdup_printf ("%s[%u]", repeat_ref, n);

      walk_children (walk, repeat, repeat->ref, instance_ref, repeat, instance_ref, n);
    }

  /* A repeat whose count the form computes has nothing to add or remove. */
  if (repeat->no_add_remove || repeat->count != NULL)
    return;
  screen = screen_new (FLOW_SCREEN_REPEAT, repeat, repeat_ref, 0);
  screen->group = repeat;
  screen->group_ref = g_strdup (repeat_ref);
  screen->key = g_strconcat ("repeat:", repeat_ref, NULL);
  g_ptr_array_add (walk->screens, screen);
}

static void
walk_children (Walk *walk, const SaphanFormControl *parent, const char *generic_prefix,
               const char *instance_prefix, const SaphanFormControl *section,
               const char *section_ref, guint instance)
{
  for (guint i = 0; parent->children != NULL && i < parent->children->len; i++)
    {
      const SaphanFormControl *child = parent->children->pdata[i];
      g_autofree char *ref = map_ref (child->ref, generic_prefix, instance_prefix);
      FlowScreen *screen;

      if (child->kind == SAPHAN_FORM_CONTROL_TRIGGER
          && g_strcmp0 (_saphan_flow_ref_name (child->ref), "consent") == 0)
        {
          if (walk->consent != NULL)
            *walk->consent = child;
          continue;
        }
      if (!is_relevant (walk->session, ref))
        continue;

      switch (child->kind)
        {
        case SAPHAN_FORM_CONTROL_GROUP:
          if (child->field_list)
            {
              screen = screen_new (FLOW_SCREEN_QUESTIONS, section, section_ref, instance);
              screen->group = child;
              screen->group_ref = g_strdup (ref);
              collect_leaves (walk, screen, child, generic_prefix, instance_prefix);
              if (screen->items->len > 0)
                g_ptr_array_add (walk->screens, screen);
              else
                _saphan_flow_screen_free (screen);
            }
          else if (child->label != NULL)
            walk_children (walk, child, generic_prefix, instance_prefix, child, ref, instance);
          else
            walk_children (walk, child, generic_prefix, instance_prefix, section, section_ref,
                           instance);
          break;

        case SAPHAN_FORM_CONTROL_REPEAT:
          walk_repeat (walk, child, generic_prefix, instance_prefix);
          break;

        default:
          screen = screen_new (FLOW_SCREEN_QUESTIONS, section, section_ref, instance);
          add_item (screen, child, g_steal_pointer (&ref));
          g_ptr_array_add (walk->screens, screen);
          break;
        }
    }
}

GPtrArray *
_saphan_flow_compute_screens (SaphanSession *session, const SaphanFormControl **out_consent)
{
  SaphanForm *form = saphan_session_get_form (session);
  Walk walk = { session, NULL, out_consent };

  walk.screens = g_ptr_array_new_with_free_func ((GDestroyNotify) _saphan_flow_screen_free);
  if (out_consent != NULL)
    *out_consent = NULL;
  walk_children (&walk, saphan_form_get_body (form), NULL, NULL, NULL, NULL, 0);
  return walk.screens;
}

int
_saphan_flow_find_screen (GPtrArray *screens, const char *key)
{
  for (guint i = 0; key != NULL && screens != NULL && i < screens->len; i++)
    {
      FlowScreen *screen = screens->pdata[i];

      if (g_strcmp0 (screen->key, key) == 0)
        return (int) i;
    }
  return -1;
}
