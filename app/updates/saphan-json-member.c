/* saphan-json-member.c: typed reads of JSON members from untrusted files. */
#include "config.h"

#include "saphan-json-member.h"

static JsonNode *
value_member (JsonObject *obj, const char *name, GType type)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

const char *
saphan_json_member_string (JsonObject *obj, const char *name)
{
  JsonNode *node = value_member (obj, name, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

const char *
saphan_json_member_string_or (JsonObject *obj, const char *name, const char *fallback)
{
  const char *value = saphan_json_member_string (obj, name);

  return value != NULL ? value : fallback;
}

gboolean
saphan_json_member_int (JsonObject *obj, const char *name, gint64 *out)
{
  JsonNode *node = value_member (obj, name, G_TYPE_INT64);

  if (node == NULL)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

gint64
saphan_json_member_int_or (JsonObject *obj, const char *name, gint64 fallback)
{
  gint64 value;

  return saphan_json_member_int (obj, name, &value) ? value : fallback;
}
