/* bundle-crash-variants.c: two contents that differ in every way a torn
 * switch could show: files only in X, files only in Y, and files in both
 * with different bytes, plus a form and a setting each. */
#include "bundle-crash-variants.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define N_SHARED 12
#define N_OWN 8

static GPtrArray *variants[2];

static char *
read_form (const char *name)
{
  /* Small forms of the tests' own: each variant brings a different one. */
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "updates", "forms", name,
                                            NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    g_error ("cannot read %s", path);
  return text;
}

static GPtrArray *
build_variant (int which)
{
  GPtrArray *files = g_ptr_array_new ();
  const char *tag = which == 0 ? "X" : "Y";

  for (int i = 0; i < N_SHARED; i++)
    {
      g_ptr_array_add (files, g_strdup_printf ("shared/%02d.txt", i));
      /* Sizes differ too, so a mix cannot pass by length alone. */
      g_ptr_array_add (files, g_strnfill (100 + i * 37 + which * 11, tag[0]));
    }
  for (int i = 0; i < N_OWN; i++)
    {
      g_ptr_array_add (files, g_strdup_printf ("%s/%02d.txt", tag, i));
      g_ptr_array_add (files, g_strdup_printf ("%s file %d\n", tag, i));
    }
  g_ptr_array_add (files, g_strdup ("settings.json"));
  g_ptr_array_add (files, g_strdup_printf ("{\"content.variant\": \"%s\"}", tag));
  g_ptr_array_add (files, g_strdup (which == 0 ? "forms/variant-x.xml" : "forms/variant-y.xml"));
  g_ptr_array_add (files, read_form (which == 0 ? "variant-x.xml" : "variant-y.xml"));
  g_ptr_array_add (files, NULL);
  return files;
}

const char *const *
crash_variant_files (guint64 version)
{
  int which = version % 2 == 1 ? 0 : 1;

  if (variants[which] == NULL)
    variants[which] = build_variant (which);
  return (const char *const *) variants[which]->pdata;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
crash_variant_write (const char *src_dir, guint64 version)
{
  const char *const *files = crash_variant_files (version);

  remove_tree (src_dir);
  for (int i = 0; files[i] != NULL; i += 2)
    {
      g_autofree char *path = g_build_filename (src_dir, files[i], NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      g_mkdir_with_parents (dir, 0700);
      if (!g_file_set_contents (path, files[i + 1], -1, NULL))
        g_error ("cannot write %s", path);
    }
}

static void
collect (const char *root, const char *rel, GHashTable *out)
{
  g_autofree char *path = rel != NULL ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel =
        rel != NULL ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        collect (root, child_rel, out);
      else
        g_hash_table_add (out, g_steal_pointer (&child_rel));
    }
}

char *
crash_variant_check (const char *data_dir)
{
  g_autofree char *link = g_build_filename (data_dir, "content", "current", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);
  g_autofree char *current = NULL, *files_dir = NULL, *manifest_path = NULL;
  g_autoptr (GHashTable) present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *const *expected;
  JsonObject *root;
  JsonArray *listed;
  guint64 version;
  guint n_expected = 0;

  if (target == NULL)
    return NULL;  /* nothing installed yet: a valid state */
  current = g_build_filename (data_dir, "content", target, NULL);
  files_dir = g_build_filename (current, "files", NULL);
  manifest_path = g_build_filename (current, "manifest.json", NULL);
  if (!json_parser_load_from_file (parser, manifest_path, NULL))
    return g_strdup_printf ("%s has no readable manifest", target);
  root = json_node_get_object (json_parser_get_root (parser));
  version = json_object_get_int_member (root, "version");
  expected = crash_variant_files (version);

  collect (files_dir, NULL, present);
  for (int i = 0; expected[i] != NULL; i += 2)
    {
      g_autofree char *path = g_build_filename (files_dir, expected[i], NULL);
      g_autofree char *text = NULL;

      n_expected++;
      if (!g_file_get_contents (path, &text, NULL, NULL))
        return g_strdup_printf ("version %" G_GUINT64_FORMAT " lacks %s", version, expected[i]);
      if (strcmp (text, expected[i + 1]) != 0)
        return g_strdup_printf ("version %" G_GUINT64_FORMAT ": %s has the other variant's bytes",
                                version, expected[i]);
    }
  if (g_hash_table_size (present) != n_expected)
    return g_strdup_printf ("version %" G_GUINT64_FORMAT " has %u files, expected %u", version,
                            g_hash_table_size (present), n_expected);
  listed = json_object_get_array_member (root, "files");
  if (json_array_get_length (listed) != n_expected)
    return g_strdup_printf ("version %" G_GUINT64_FORMAT "'s manifest lists %u files", version,
                            json_array_get_length (listed));
  for (guint i = 0; i < json_array_get_length (listed); i++)
    {
      JsonObject *file = json_array_get_object_element (listed, i);
      if (!g_hash_table_contains (present, json_object_get_string_member (file, "path")))
        return g_strdup_printf ("version %" G_GUINT64_FORMAT "'s manifest lists %s, absent",
                                version, json_object_get_string_member (file, "path"));
    }
  return NULL;
}
