/* saphanctl: the command line for staff, maintainers and tests.
 *
 * Every command runs on the same libraries as the kiosk. Global options
 * (--data-dir, --json) may stand anywhere on the line.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ctl.h"
#include "saphan-error.h"
#include "saphan-paths.h"

/* Each group file exports a table ending in an all-NULL row. */
static const CtlCommand *const command_tables[] = {
  ctl_store_commands,
  ctl_form_commands,
  ctl_sync_commands,
  ctl_bundle_commands,
  ctl_usb_commands,
  ctl_receipt_commands,
  ctl_staff_commands,
};

SaphanStore *
ctl_store (CtlContext *ctx, GError **error)
{
  if (ctx->store == NULL)
    ctx->store = saphan_store_open (ctx->data_dir, error);
  return ctx->store;
}

int
ctl_fail (CtlContext *ctx, const GError *error)
{
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->domain == SAPHAN_ERROR
                                            ? saphan_error_code_name (error->code)
                                            : "failed");
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
      json_builder_end_object (b);
      {
        g_autoptr (JsonGenerator) gen = json_generator_new ();
        g_autoptr (JsonNode) root = json_builder_get_root (b);
        g_autofree char *text = NULL;
        json_generator_set_root (gen, root);
        text = json_generator_to_data (gen, NULL);
        fprintf (stderr, "%s\n", text);
      }
    }
  else
    fprintf (stderr, "saphanctl: %s\n", error->message);
  return saphan_error_exit_code (error);
}

int
ctl_usage (const char *command, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "saphanctl %s: %s\n", command, text);
  fprintf (stderr, _("Run “saphanctl --help” for usage.\n"));
  return CTL_EXIT_USAGE;
}

gboolean
ctl_parse (const char *command, const char *params, GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) octx = g_option_context_new (params);
  g_autoptr (GError) error = NULL;

  g_option_context_set_help_enabled (octx, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries (octx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (octx, argc, argv, &error))
    {
      ctl_usage (command, "%s", error->message);
      return FALSE;
    }
  /* A command without positional parameters refuses any. */
  if (*params == '\0' && *argc > 1)
    {
      ctl_usage (command, _("unexpected argument “%s”"), (*argv)[1]);
      return FALSE;
    }
  return TRUE;
}

void
ctl_print_json (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

char *
ctl_format_time (gint64 unix_seconds)
{
  g_autoptr (GDateTime) dt = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (unix_seconds);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("-");
}

static void
print_help (void)
{
  printf ("%s\n\n", _("Usage: saphanctl [--data-dir DIR] [--json] COMMAND [ARGS…]"));
  printf ("%s\n", _("Commands:"));
  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const CtlCommand *c = command_tables[t]; c->name != NULL; c++)
      {
        g_autofree char *words = c->group != NULL ? g_strdup_printf ("%s %s", c->group, c->name)
                                                  : g_strdup (c->name);
        printf ("  %-22s %-28s %s\n", words, c->usage != NULL ? c->usage : "", _(c->summary));
      }
  printf ("\n%s\n", _("Exit codes: 0 ok, 1 refused or bad input, 2 usage, 3 environment."));
}

static const CtlCommand *
find_command (const char *first, const char *second, gboolean *out_used_second)
{
  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const CtlCommand *c = command_tables[t]; c->name != NULL; c++)
      {
        if (c->group == NULL && g_strcmp0 (c->name, first) == 0)
          {
            *out_used_second = FALSE;
            return c;
          }
        if (c->group != NULL && g_strcmp0 (c->group, first) == 0 && g_strcmp0 (c->name, second) == 0)
          {
            *out_used_second = TRUE;
            return c;
          }
      }
  return NULL;
}

static gboolean
is_group (const char *word)
{
  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const CtlCommand *c = command_tables[t]; c->name != NULL; c++)
      if (g_strcmp0 (c->group, word) == 0)
        return TRUE;
  return FALSE;
}

int
main (int argc, char **argv)
{
  CtlContext ctx = { 0 };
  g_autoptr (GPtrArray) rest = g_ptr_array_new ();
  const CtlCommand *command;
  gboolean used_second = FALSE;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options may stand anywhere; everything else is passed on. */
  g_ptr_array_add (rest, argv[0]);
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        ctx.json = TRUE;
      else if (strcmp (argv[i], "--data-dir") == 0)
        {
          if (i + 1 >= argc)
            return ctl_usage ("", "%s", _("--data-dir needs a folder"));
          g_free (ctx.data_dir);
          ctx.data_dir = g_strdup (argv[++i]);
        }
      else if (g_str_has_prefix (argv[i], "--data-dir="))
        {
          g_free (ctx.data_dir);
          ctx.data_dir = g_strdup (argv[i] + strlen ("--data-dir="));
        }
      else if (rest->len == 1 && (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0))
        {
          print_help ();
          return CTL_EXIT_OK;
        }
      else if (rest->len == 1 && strcmp (argv[i], "--version") == 0)
        {
          printf ("saphanctl %s\n", PACKAGE_VERSION);
          return CTL_EXIT_OK;
        }
      else
        g_ptr_array_add (rest, argv[i]);
    }

  if (rest->len < 2)
    {
      print_help ();
      return CTL_EXIT_USAGE;
    }
  if (ctx.data_dir == NULL)
    ctx.data_dir = saphan_paths_default_data_dir ();

  command = find_command (rest->pdata[1], rest->len > 2 ? rest->pdata[2] : NULL, &used_second);
  if (command == NULL)
    {
      if (is_group (rest->pdata[1]))
        return ctl_usage (rest->pdata[1], _("unknown or missing subcommand “%s”"),
                          rest->len > 2 ? (char *) rest->pdata[2] : "");
      return ctl_usage ("", _("unknown command “%s”"), (char *) rest->pdata[1]);
    }

  {
    int sub_argc = rest->len - (used_second ? 2 : 1);
    char **sub_argv = (char **) rest->pdata + (used_second ? 2 : 1);
    /* GOptionContext rearranges argv; give it a copy of the pointers. */
    g_autofree char **copy = g_new0 (char *, sub_argc + 1);
    memcpy (copy, sub_argv, sizeof (char *) * sub_argc);
    status = command->func (&ctx, sub_argc, copy);
  }

  g_clear_object (&ctx.store);
  g_free (ctx.data_dir);
  return status;
}
