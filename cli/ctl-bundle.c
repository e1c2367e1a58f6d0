/* ctl-bundle.c: making, checking and applying signed update bundles. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ctl.h"
#include "saphan-bundle.h"
#include "saphan-error.h"
#include "saphan-paths.h"

/* Reads one line: from the terminal without echo when stdin is one, so the
 * password never shows on screen, or plainly from a pipe for scripts. */
static char *
read_password (GError **error)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char buffer[1024];
  char *line;

  if (tty)
    {
      /* Echo goes off before the prompt shows, so that nothing typed as
       * soon as it appears is echoed. */
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
        }
      else
        tty = FALSE;
      fprintf (stderr, "%s", _("Password for the secret key: "));
      fflush (stderr);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      fprintf (stderr, "\n");
    }
  if (line == NULL)
    {
      g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                           _("The secret key is protected by a password, and none was given."));
      return NULL;
    }
  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  memset (buffer, 0, sizeof buffer);
  return line;
}

static gboolean
ensure_data_dir (CtlContext *ctx, GError **error)
{
  return saphan_paths_ensure_data_dir (ctx->data_dir, error);
}

static int
cmd_create (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *secret = NULL, *compatible = NULL, *text = NULL;
  g_autofree char *password = NULL;
  g_autoptr (SaphanMinisignSecretKey) key = NULL;
  gint64 version = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("The bundle file to write"), "FILE" },
    { "secret-key", 's', 0, G_OPTION_ARG_FILENAME, &secret, N_("A secret key made by minisign -G"),
      "KEY" },
    { "version", 0, 0, G_OPTION_ARG_INT64, &version,
      N_("The bundle version (default: the current time)"), "N" },
    { "compatible", 0, 0, G_OPTION_ARG_STRING, &compatible,
      N_("The device class the bundle is for"), "S" },
    { NULL }
  };

  if (!ctl_parse ("bundle create", "SRC_DIR", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("bundle create", _("give exactly one source folder"));
  if (out == NULL || secret == NULL)
    return ctl_usage ("bundle create", _("-o FILE and -s SECRET_KEY are required"));
  if (version < 0)
    return ctl_usage ("bundle create", _("--version must be positive"));
  if (version == 0)
    version = g_get_real_time () / G_USEC_PER_SEC;

  (void) ctx;
  if (!g_file_get_contents (secret, &text, NULL, &error))
    return ctl_fail (ctx, error);
  if (saphan_minisign_secret_key_is_encrypted (text) && (password = read_password (&error)) == NULL)
    return ctl_fail (ctx, error);
  key = saphan_minisign_secret_key_load (text, password, &error);
  if (password != NULL)
    memset (password, 0, strlen (password));
  if (key == NULL ||
      !saphan_bundle_create (argv[1], out, key, version, compatible, &error))
    return ctl_fail (ctx, error);
  printf (_("Wrote %s, version %" PRId64 ".\n"), out, version);
  return CTL_EXIT_OK;
}

static void
print_info (CtlContext *ctx, const SaphanBundleInfo *info, const char *verb)
{
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, info->version);
      json_builder_set_member_name (b, "key_id");
      json_builder_add_string_value (b, info->key_id);
      json_builder_set_member_name (b, "signed_by");
      json_builder_add_string_value (b, info->signed_by_root ? "root" : "release");
      json_builder_set_member_name (b, "files");
      json_builder_add_int_value (b, info->files->len);
      json_builder_set_member_name (b, "compatible");
      json_builder_add_string_value (b, info->compatible);
      json_builder_end_object (b);
      ctl_print_json (b);
      return;
    }
  printf ("%s\n", verb);
  printf (_("version:    %" PRIu64 "\n"), info->version);
  printf (_("signed by:  %s (%s key)\n"), info->key_id, info->signed_by_root ? "root" : "release");
  printf (_("files:      %u\n"), info->files->len);
  printf (_("compatible: %s\n"), info->compatible);
}

static int
cmd_verify (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanStagedBundle) staged = NULL;

  if (!ctl_parse ("bundle verify", "FILE", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("bundle verify", _("give exactly one bundle file"));
  /* Verifying stages a private copy, exactly as applying does, and throws
   * it away: what is reported is what an apply would see. */
  if (!ensure_data_dir (ctx, &error) ||
      (staged = saphan_bundle_stage (ctx->data_dir, argv[1], &error)) == NULL)
    return ctl_fail (ctx, error);
  print_info (ctx, saphan_staged_bundle_get_info (staged), _("The bundle verifies."));
  return CTL_EXIT_OK;
}

static int
cmd_apply (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanBundleInfo) info = NULL;
  SaphanStore *store;

  if (!ctl_parse ("bundle apply", "FILE", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("bundle apply", _("give exactly one bundle file"));
  if ((store = ctl_store (ctx, &error)) == NULL ||
      !saphan_bundle_apply (ctx->data_dir, store, argv[1], &info, &error))
    return ctl_fail (ctx, error);
  print_info (ctx, info, _("The bundle was applied."));
  return CTL_EXIT_OK;
}

static int
cmd_rollback (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  SaphanStore *store;

  if (!ctl_parse ("bundle rollback", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if ((store = ctl_store (ctx, &error)) == NULL ||
      !saphan_bundle_rollback (ctx->data_dir, store, &error))
    return ctl_fail (ctx, error);
  printf (_("Back to content version %" PRIu64 ".\n"),
          saphan_bundle_installed_version (ctx->data_dir));
  return CTL_EXIT_OK;
}

static int
cmd_trust (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean root = FALSE;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_NONE, &root,
      N_("Trust the key as the root key, which may rotate release keys and downgrade"), NULL },
    { NULL }
  };

  if (!ctl_parse ("bundle trust", "PUBLIC_KEY_FILE", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("bundle trust", _("give exactly one public key file"));
  if (!ensure_data_dir (ctx, &error) || !g_file_get_contents (argv[1], &text, NULL, &error) ||
      !saphan_bundle_trust (ctx->data_dir, text, root, &error))
    return ctl_fail (ctx, error);
  printf (root ? _("The root key is now trusted.\n") : _("The release key is now trusted.\n"));
  return CTL_EXIT_OK;
}

static int
cmd_status (CtlContext *ctx, int argc, char **argv)
{
  guint64 installed, previous;

  if (!ctl_parse ("bundle status", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;

  installed = saphan_bundle_installed_version (ctx->data_dir);
  previous = saphan_bundle_previous_version (ctx->data_dir);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "installed");
      json_builder_add_int_value (b, installed);
      json_builder_set_member_name (b, "previous");
      json_builder_add_int_value (b, previous);
      json_builder_end_object (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }
  if (installed == 0)
    printf ("%s\n", _("installed: none"));
  else
    printf (_("installed: %" PRIu64 "\n"), installed);
  if (previous == 0)
    printf ("%s\n", _("previous:  none"));
  else
    printf (_("previous:  %" PRIu64 "\n"), previous);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_bundle_commands[] = {
  { "bundle", "create", "SRC_DIR -o FILE -s SECRET_KEY [--version N] [--compatible S]",
    N_("Build and sign an update bundle"), cmd_create },
  { "bundle", "verify", "FILE", N_("Check a bundle completely without installing it"), cmd_verify },
  { "bundle", "apply", "FILE", N_("Verify and install a bundle"), cmd_apply },
  { "bundle", "rollback", "", N_("Go back to the previous content"), cmd_rollback },
  { "bundle", "trust", "PUBLIC_KEY_FILE [--root]", N_("Trust a bundle key (first setup only)"),
    cmd_trust },
  { "bundle", "status", "", N_("The installed and previous content versions"), cmd_status },
  { NULL, NULL, NULL, NULL, NULL },
};
