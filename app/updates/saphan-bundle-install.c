/* saphan-bundle-install.c: switching the content, keeping the previous
 * version, and bringing the store in line. */
#include "config.h"

#include "saphan-bundle-private.h"
#include "saphan-error.h"
#include "saphan-json-member.h"

#include <inttypes.h>
#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "saphan-form.h"

/* ---- Installing -------------------------------------------------------------- */

/* The version in the manifest of the content that DATA_DIR/content/LINK
 * names; 0 when there is none or it cannot be read. */
static guint64
linked_version (const char *data_dir, const char *link_name)
{
  g_autofree char *link = g_build_filename (data_dir, "content", link_name, NULL);
  g_autofree char *target = g_file_read_link (link, NULL);
  g_autofree char *path = NULL;
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;

  if (target == NULL)
    return 0;
  path = g_build_filename (data_dir, "content", target, MANIFEST_NAME, NULL);
  parser = json_parser_new ();
  if (!json_parser_load_from_mapped_file (parser, path, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  return (guint64) MAX (0, saphan_json_member_int_or (json_node_get_object (root), "version", 0));
}

guint64
saphan_bundle_installed_version (const char *data_dir)
{
  return linked_version (data_dir, "current");
}

guint64
saphan_bundle_previous_version (const char *data_dir)
{
  return linked_version (data_dir, "previous");
}

/* Reads every form under FILES_DIR/forms (each with the media folder
 * FORM-media/ and the shared media/ files it names) and parses it; with a
 * STORE, also installs it there and appends its id to IDS. Staging calls
 * this without a store, so that a form the engine cannot load refuses the
 * bundle before anything is switched. */
gboolean
_saphan_bundle_process_forms (const char *files_dir, SaphanStore *store, GString *ids,
                              GError **error)
{
  g_autofree char *forms_dir = g_build_filename (files_dir, "forms", NULL);
  g_autofree char *shared_media = g_build_filename (forms_dir, "media", NULL);
  g_autoptr (GDir) dir = g_dir_open (forms_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL, *base = NULL, *own_media = NULL, *xml_text = NULL;
      g_autoptr (GHashTable) media = NULL;
      g_autoptr (GBytes) xml = NULL;
      g_autoptr (SaphanFormInfo) info = NULL;
      g_autoptr (SaphanForm) form = NULL;
      gsize len;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      path = g_build_filename (forms_dir, name, NULL);
      if (!g_file_get_contents (path, &xml_text, &len, error))
        return FALSE;
      base = g_strndup (name, strlen (name) - 4);
      own_media = g_strdup_printf ("%s/%s-media", forms_dir, base);
      media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_bytes_unref);
      xml = g_bytes_new_take (g_steal_pointer (&xml_text), len);
      /* A shared media file goes with the forms that name it. */
      if (!saphan_form_add_media_from_dir (media, xml, shared_media, NULL) ||
          !saphan_form_add_media_from_dir (media, xml, own_media, NULL))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_IO,
                                      _("Cannot read the media of %s."), name);
      if (store == NULL)
        {
          form = saphan_form_new_from_bytes (xml, name, media, error);
          if (form == NULL)
            {
              g_prefix_error (error, _("The bundle's form %s cannot be loaded: "), name);
              return FALSE;
            }
          continue;
        }
      if (!saphan_form_install (store, xml, media, &info, error))
        {
          g_prefix_error (error, "%s: ", name);
          return FALSE;
        }
      g_string_append_printf (ids, "%s%s", ids->len > 0 ? " " : "", info->form_id);
    }
  return TRUE;
}

/* A setting's name: dotted words of lower-case letters, digits and dashes,
 * as "kiosk.name" or "sync.server.url". */
static gboolean
setting_name_is_valid (const char *name)
{
  gboolean dot = FALSE;

  if (!g_ascii_islower (name[0]) || strlen (name) > SETTINGS_MAX_NAME)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (p[1] == '\0' || p[1] == '.')
            return FALSE;
          dot = TRUE;
        }
      else if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
        return FALSE;
    }
  return dot;
}

gboolean
_saphan_bundle_read_settings (const char *files_dir, GHashTable **out_settings, GError **error)
{
  g_autofree char *path = g_build_filename (files_dir, "settings.json", NULL);
  g_autoptr (GHashTable) settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GList) members = NULL;
  JsonObject *obj;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      *out_settings = g_steal_pointer (&settings);
      return TRUE;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_mapped_file (parser, path, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                  _("settings.json in the bundle is not a JSON object."));
  obj = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_size (obj) > SETTINGS_MAX_COUNT)
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                  _("settings.json in the bundle has more than %d settings."),
                                  SETTINGS_MAX_COUNT);
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const char *text = saphan_json_member_string (obj, name);

      if (!g_utf8_validate (name, -1, NULL) || !setting_name_is_valid (name))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("settings.json in the bundle names a setting “%s” "
                                        "that is not a dotted lower-case name."),
                                      g_utf8_validate (name, -1, NULL) ? name : "?");
      /* The kiosk keeps its own records under bundle.; a bundle that could
       * write them could lie about what is installed. */
      if (g_str_has_prefix (name, "bundle."))
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("settings.json in the bundle sets %s, which only the "
                                        "kiosk itself writes."), name);
      if (text == NULL)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("Setting %s in the bundle is not a string."), name);
      if (strlen (text) > SETTINGS_MAX_VALUE)
        return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                      _("Setting %s in the bundle is longer than %d bytes."),
                                      name, SETTINGS_MAX_VALUE);
      g_hash_table_insert (settings, g_strdup (name), g_strdup (text));
    }
  *out_settings = g_steal_pointer (&settings);
  return TRUE;
}

/* Brings the store in line with a content folder: its forms, its settings,
 * and the list of forms the bundle provides. */
static gboolean
apply_to_store (SaphanStore *store, const char *version_dir, guint64 version, GError **error)
{
  g_autofree char *files_dir = g_build_filename (version_dir, "files", NULL);
  g_autofree char *previous_forms = saphan_store_get_setting (store, "bundle.forms", NULL);
  g_autofree char *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, version);
  g_autoptr (GString) ids = g_string_new (NULL);
  g_autoptr (GHashTable) settings = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!_saphan_bundle_process_forms (files_dir, store, ids, error))
    return FALSE;

  /* Forms an earlier bundle brought and this one does not stop being offered. */
  if (previous_forms != NULL)
    {
      g_auto (GStrv) old = g_strsplit (previous_forms, " ", -1);
      g_auto (GStrv) now = g_strsplit (ids->str, " ", -1);
      for (int i = 0; old[i] != NULL; i++)
        if (*old[i] != '\0' && !g_strv_contains ((const char *const *) now, old[i]))
          saphan_store_set_form_active (store, old[i], FALSE, NULL);
    }

  if (!_saphan_bundle_read_settings (files_dir, &settings, error))
    return FALSE;
  g_hash_table_iter_init (&iter, settings);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!saphan_store_set_setting (store, key, value, error))
      return FALSE;

  return saphan_store_set_setting (store, "bundle.forms", ids->str, error) &&
         saphan_store_set_setting (store, "bundle.version", version_text, error);
}

/* A bundle signed by the root key may carry the new set of release keys. */
static gboolean
rotate_release_keys (const char *data_dir, const char *version_dir, GError **error)
{
  g_autofree char *source = g_build_filename (version_dir, "files", "keys", "release", NULL);
  g_autofree char *keys_dir = g_build_filename (data_dir, "keys", NULL);
  g_autofree char *fresh = g_build_filename (keys_dir, "bundle-release.new", NULL);
  g_autofree char *live = g_build_filename (keys_dir, "bundle-release", NULL);
  g_autofree char *old = g_build_filename (keys_dir, "bundle-release.old", NULL);
  g_autoptr (GDir) dir = NULL;
  const char *name;
  guint count = 0;

  if (!g_file_test (source, G_FILE_TEST_IS_DIR))
    return TRUE;
  _saphan_bundle_rm_rf (fresh);
  if (g_mkdir_with_parents (fresh, 0700) != 0)
    return _saphan_bundle_io_error (error, _("Cannot create"), fresh, errno);
  dir = g_dir_open (source, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (source, name, NULL);
      g_autofree char *text = NULL, *out = NULL, *id = NULL, *dest = NULL;
      SaphanMinisignPublicKey key;

      if (!g_file_get_contents (path, &text, NULL, error))
        return FALSE;
      if (!saphan_minisign_public_key_parse (text, &key, error))
        {
          g_prefix_error (error, "keys/release/%s: ", name);
          return FALSE;
        }
      id = saphan_minisign_key_id_to_string (key.key_id);
      dest = g_strdup_printf ("%s/%s.pub", fresh, id);
      out = saphan_minisign_public_key_to_text (&key, "Saphan bundle release key");
      if (!g_file_set_contents_full (dest, out, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
        return FALSE;
      count++;
    }
  if (count == 0)
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_INVALID,
                                  _("The bundle's keys/release folder is empty; a "
                                    "kiosk must keep at least one release key."));
  _saphan_bundle_rm_rf (old);
  if (g_file_test (live, G_FILE_TEST_IS_DIR) && g_rename (live, old) != 0)
    return _saphan_bundle_io_error (error, _("Cannot replace"), live, errno);
  if (g_rename (fresh, live) != 0)
    return _saphan_bundle_io_error (error, _("Cannot replace"), live, errno);
  _saphan_bundle_rm_rf (old);
  return _saphan_bundle_fsync_path (keys_dir, error);
}

/* Hands verified packages (the .deb files in FILES_DIR/packages) to the system's
 * package manager. */
static gboolean
install_packages (const char *files_dir, GError **error)
{
  g_autofree char *dir_path = g_build_filename (files_dir, "packages", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GPtrArray) argv = NULL;
  g_auto (GStrv) command = NULL;
  const char *name, *configured = g_getenv ("SAPHAN_PACKAGE_INSTALL_COMMAND");
  int status = 0;

  if (dir == NULL)
    return TRUE;
  if (!g_shell_parse_argv (configured != NULL ? configured : "apt-get install -y", NULL, &command,
                           error))
    return FALSE;
  argv = g_ptr_array_new ();
  for (int i = 0; command[i] != NULL; i++)
    g_ptr_array_add (argv, command[i]);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".deb"))
      g_ptr_array_add (argv, g_build_filename (dir_path, name, NULL));
  if (argv->len == g_strv_length (command))
    return TRUE;
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, error) ||
      !g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, _("The package manager refused the bundle's package: "));
      return FALSE;
    }
  return TRUE;
}

static void
remove_stale_versions (const char *data_dir)
{
  g_autofree char *versions = g_build_filename (data_dir, "content", "versions", NULL);
  g_autofree char *current_link = g_build_filename (data_dir, "content", "current", NULL);
  g_autofree char *previous_link = g_build_filename (data_dir, "content", "previous", NULL);
  g_autofree char *current = g_file_read_link (current_link, NULL);
  g_autofree char *previous = g_file_read_link (previous_link, NULL);
  g_autoptr (GDir) dir = g_dir_open (versions, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = g_build_filename ("versions", name, NULL);
      g_autofree char *path = g_build_filename (versions, name, NULL);
      if (g_strcmp0 (rel, current) != 0 && g_strcmp0 (rel, previous) != 0)
        _saphan_bundle_rm_rf (path);
    }
}

gboolean
saphan_bundle_install (SaphanStagedBundle *staged, SaphanStore *store, GError **error)
{
  g_autofree char *content = _saphan_bundle_content_dir (staged->data_dir);
  g_autofree char *versions = g_build_filename (content, "versions", NULL);
  g_autofree char *package = g_build_filename (staged->dir, "package", NULL);
  g_autofree char *files = g_build_filename (package, "files", NULL);
  g_autofree char *manifest = g_build_filename (package, MANIFEST_NAME, NULL);
  g_autofree char *signature = g_build_filename (package, SIGNATURE_NAME, NULL);
  g_autofree char *suffix = g_path_get_basename (staged->dir);
  g_autofree char *rel = NULL, *target = NULL, *old_current = NULL, *current_link = NULL;

  g_return_val_if_fail (!staged->installed, FALSE);

  /* Re-check against what is installed now: another bundle may have gone in
   * since this one was staged. */
  if (!_saphan_bundle_check_version (staged->data_dir, staged->info, error))
    return FALSE;

  /* An application package goes to the package manager first, from the
   * verified staging copy: should it refuse, nothing installed changed. */
  if (!install_packages (staged->tree, error))
    return FALSE;

  if (g_mkdir_with_parents (versions, 0700) != 0)
    return _saphan_bundle_io_error (error, _("Cannot create"), versions, errno);
  if (g_mkdir (package, 0700) != 0)
    return _saphan_bundle_io_error (error, _("Cannot create"), package, errno);
  if (!g_file_set_contents (manifest, g_bytes_get_data (staged->manifest, NULL),
                            g_bytes_get_size (staged->manifest), error) ||
      !g_file_set_contents (signature, g_bytes_get_data (staged->signature, NULL),
                            g_bytes_get_size (staged->signature), error))
    return FALSE;
  if (g_rename (staged->tree, files) != 0)
    return _saphan_bundle_io_error (error, _("Cannot move"), staged->tree, errno);
  if (!_saphan_bundle_fsync_tree (package, error))
    return FALSE;

  rel = g_strdup_printf ("versions/%" G_GUINT64_FORMAT "-%s", staged->info->version,
                         suffix + strlen ("incoming-"));
  target = g_build_filename (content, rel, NULL);
  if (g_rename (package, target) != 0)
    return _saphan_bundle_io_error (error, _("Cannot move the new content into"), versions, errno);
  if (!_saphan_bundle_fsync_path (versions, error))
    return FALSE;

  /* New release keys take effect before the switch: should the power fail
   * in between, the root key's decision stands and the content switch is
   * merely repeated by applying the bundle again. */
  if (staged->info->signed_by_root && !rotate_release_keys (staged->data_dir, target, error))
    return FALSE;

  /* The switch: "previous" first, so that at every instant "current" names
   * one complete version and "previous" another. */
  current_link = g_build_filename (content, "current", NULL);
  old_current = g_file_read_link (current_link, NULL);
  if (old_current != NULL && !_saphan_bundle_switch_link (content, "previous", old_current, error))
    return FALSE;
  if (!_saphan_bundle_switch_link (content, "current", rel, error))
    return FALSE;
  staged->installed = TRUE;
  remove_stale_versions (staged->data_dir);

  if (store != NULL && !apply_to_store (store, target, staged->info->version, error))
    {
      g_prefix_error (error, _("The content was switched to version %" PRIu64 ", but the "
                               "store could not follow; it is retried at the next start: "),
                      staged->info->version);
      return FALSE;
    }
  return TRUE;
}

gboolean
saphan_bundle_apply (const char *data_dir, SaphanStore *store, const char *bundle_path,
                     SaphanBundleInfo **out_info, GError **error)
{
  g_autoptr (SaphanStagedBundle) staged = NULL;
  g_autofree char *detail = NULL;
  g_autoptr (GError) local = NULL;

  staged = saphan_bundle_stage (data_dir, bundle_path, &local);
  if (staged != NULL && saphan_bundle_install (staged, store, &local))
    {
      detail = g_strdup_printf ("version=%" G_GUINT64_FORMAT " key=%s%s", staged->info->version,
                                staged->info->key_id, staged->info->signed_by_root ? " root" : "");
      if (store != NULL)
        saphan_store_audit_append (store, "bundle-applied", detail, NULL);
      if (out_info != NULL)
        {
          *out_info = staged->info;
          staged->info = NULL;
        }
      return TRUE;
    }

  if (store != NULL)
    {
      detail = g_strdup_printf ("reason=%s", local->message);
      saphan_store_audit_append (store, "bundle-refused", detail, NULL);
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

typedef struct
{
  char        *data_dir;
  SaphanStore *store;
  char        *bundle_path;
} ApplyData;

static void
apply_data_free (ApplyData *data)
{
  g_free (data->data_dir);
  g_clear_object (&data->store);
  g_free (data->bundle_path);
  g_free (data);
}

static void
apply_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ApplyData *data = task_data;
  SaphanBundleInfo *info = NULL;
  GError *error = NULL;

  if (saphan_bundle_apply (data->data_dir, data->store, data->bundle_path, &info, &error))
    g_task_return_pointer (task, info, (GDestroyNotify) saphan_bundle_info_free);
  else
    g_task_return_error (task, error);
}

void
saphan_bundle_apply_async (const char *data_dir, SaphanStore *store, const char *bundle_path,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ApplyData *data = g_new0 (ApplyData, 1);

  g_return_if_fail (data_dir != NULL && bundle_path != NULL);

  data->data_dir = g_strdup (data_dir);
  data->store = store != NULL ? g_object_ref (store) : NULL;
  data->bundle_path = g_strdup (bundle_path);
  g_task_set_source_tag (task, saphan_bundle_apply_async);
  g_task_set_task_data (task, data, (GDestroyNotify) apply_data_free);
  /* Once copying has begun the apply runs to its end: a half-done switch
   * is what the whole design avoids, so cancelling is only honoured before. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, apply_thread);
}

SaphanBundleInfo *
saphan_bundle_apply_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == saphan_bundle_apply_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
saphan_bundle_rollback (const char *data_dir, SaphanStore *store, GError **error)
{
  g_autofree char *content = _saphan_bundle_content_dir (data_dir);
  g_autofree char *current_link = g_build_filename (content, "current", NULL);
  g_autofree char *previous_link = g_build_filename (content, "previous", NULL);
  g_autofree char *current = g_file_read_link (current_link, NULL);
  g_autofree char *previous = g_file_read_link (previous_link, NULL);
  g_autofree char *target = NULL;

  if (previous == NULL || current == NULL)
    return _saphan_bundle_refuse (error, SAPHAN_ERROR_STATE,
                                  _("There is no previous content to go back to."));
  if (!_saphan_bundle_switch_link (content, "current", previous, error) ||
      !_saphan_bundle_switch_link (content, "previous", current, error))
    return FALSE;
  if (store == NULL)
    return TRUE;
  target = g_build_filename (content, previous, NULL);
  if (!apply_to_store (store, target, saphan_bundle_installed_version (data_dir), error))
    return FALSE;
  saphan_store_audit_append (store, "bundle-rollback", previous, NULL);
  return TRUE;
}

gboolean
saphan_bundle_reconcile (const char *data_dir, SaphanStore *store, GError **error)
{
  guint64 installed = saphan_bundle_installed_version (data_dir);
  g_autofree char *recorded = NULL, *current = NULL;
  g_autofree char *staging = g_build_filename (data_dir, "staging", NULL);
  g_autoptr (GDir) dir = g_dir_open (staging, 0, NULL);
  const char *name;

  /* Staging folders and unpacked versions a cut-off apply left behind are
   * never in use at start-up; they only take space. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "incoming-"))
      {
        g_autofree char *path = g_build_filename (staging, name, NULL);
        _saphan_bundle_rm_rf (path);
      }
  remove_stale_versions (data_dir);

  if (installed == 0)
    return TRUE;
  recorded = saphan_store_get_setting (store, "bundle.version", NULL);
  if (recorded != NULL && g_ascii_strtoull (recorded, NULL, 10) == installed)
    return TRUE;
  current = saphan_bundle_current_dir (data_dir);
  return apply_to_store (store, current, installed, error);
}
