/* ctl-staff.c: staff accounts, the audit log and the retention purge.
 *
 * PINs never appear on the command line, where other users could read them
 * from the process list and shells keep them in history: they are read
 * from the terminal with echo off (twice, to catch a typo), or from one
 * line of standard input when that is not a terminal (scripts, tests).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "saphan-audit.h"
#include "saphan-error.h"
#include "saphan-kiosk-key.h"
#include "saphan-staff.h"

/* ---- Reading a PIN --------------------------------------------------------- */

static char *
read_line (FILE *in)
{
  char buffer[128];
  gsize len;

  if (fgets (buffer, sizeof buffer, in) == NULL)
    return NULL;
  len = strcspn (buffer, "\r\n");
  buffer[len] = '\0';
  {
    char *line = g_strdup (buffer);

    OPENSSL_cleanse (buffer, sizeof buffer);
    return line;
  }
}

static char *
prompt_hidden (const char *prompt)
{
  struct termios saved, quiet;
  char *line;

  fputs (prompt, stderr);
  fflush (stderr);
  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    return read_line (stdin);
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  line = read_line (stdin);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  fputc ('\n', stderr);
  return line;
}

static void
free_pin (char *pin)
{
  if (pin != NULL)
    OPENSSL_cleanse (pin, strlen (pin));
  g_free (pin);
}

/* Returns the new PIN, or NULL after printing why not. */
static char *
read_new_pin (const char *command)
{
  char *first, *second;

  if (!isatty (STDIN_FILENO))
    {
      first = read_line (stdin);
      if (first == NULL)
        ctl_usage (command, _("expected the PIN on standard input"));
      return first;
    }

  first = prompt_hidden (_("New PIN: "));
  second = prompt_hidden (_("Repeat the PIN: "));
  if (first == NULL || second == NULL || strcmp (first, second) != 0)
    {
      ctl_usage (command, _("the two PINs differ; nothing was changed"));
      free_pin (first);
      free_pin (second);
      return NULL;
    }
  free_pin (second);
  return first;
}

/* ---- staff ------------------------------------------------------------------ */

static int
cmd_staff_add (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean maintainer = FALSE;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Name shown on the dashboard"), "NAME" },
    { "maintainer", 0, 0, G_OPTION_ARG_NONE, &maintainer, N_("May change settings and exit the kiosk"), NULL },
    { NULL },
  };
  SaphanStore *store;
  char *pin;
  gboolean ok;

  if (!ctl_parse ("staff add", "ID", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("staff add", _("needs one staff ID"));
  if (name == NULL || *name == '\0')
    return ctl_usage ("staff add", _("needs --name"));

  store = ctl_store (ctx, &error);
  if (store == NULL)
    return ctl_fail (ctx, error);
  pin = read_new_pin ("staff add");
  if (pin == NULL)
    return CTL_EXIT_USAGE;
  ok = saphan_staff_add (store, argv[1], name, maintainer ? SAPHAN_ROLE_MAINTAINER : SAPHAN_ROLE_STAFF,
                         pin, &error);
  free_pin (pin);
  if (!ok)
    return ctl_fail (ctx, error);
  if (!ctx->json)
    printf (_("Added %s %s.\n"), maintainer ? _("maintainer") : _("staff member"), argv[1]);
  return CTL_EXIT_OK;
}

static int
cmd_staff_remove (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  SaphanStore *store;

  if (!ctl_parse ("staff remove", "ID", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("staff remove", _("needs one staff ID"));
  store = ctl_store (ctx, &error);
  if (store == NULL || !saphan_staff_remove (store, argv[1], &error))
    return ctl_fail (ctx, error);
  if (!ctx->json)
    printf (_("Removed %s.\n"), argv[1]);
  return CTL_EXIT_OK;
}

static int
cmd_staff_passwd (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  SaphanStore *store;
  char *pin;
  gboolean ok;

  if (!ctl_parse ("staff passwd", "ID", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("staff passwd", _("needs one staff ID"));
  store = ctl_store (ctx, &error);
  if (store == NULL)
    return ctl_fail (ctx, error);
  pin = read_new_pin ("staff passwd");
  if (pin == NULL)
    return CTL_EXIT_USAGE;
  ok = saphan_staff_set_pin (store, argv[1], pin, &error);
  free_pin (pin);
  if (!ok)
    return ctl_fail (ctx, error);
  if (!ctx->json)
    printf (_("Changed the PIN of %s.\n"), argv[1]);
  return CTL_EXIT_OK;
}

static int
cmd_staff_list (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  SaphanStore *store;

  if (!ctl_parse ("staff list", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL || (list = saphan_staff_list (store, &error)) == NULL)
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        {
          SaphanStaffInfo *s = list->pdata[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, s->staff_id);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, s->name);
          json_builder_set_member_name (b, "role");
          json_builder_add_string_value (b, s->role == SAPHAN_ROLE_MAINTAINER ? "maintainer" : "staff");
          json_builder_set_member_name (b, "created_at");
          json_builder_add_int_value (b, s->created_at);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }

  if (list->len == 0)
    printf ("%s\n", _("No staff accounts."));
  for (guint i = 0; i < list->len; i++)
    {
      SaphanStaffInfo *s = list->pdata[i];

      printf ("%-20s %-11s %s\n", s->staff_id,
              s->role == SAPHAN_ROLE_MAINTAINER ? "maintainer" : "staff", s->name);
    }
  return CTL_EXIT_OK;
}

/* ---- audit ------------------------------------------------------------------- */

static int
cmd_audit_verify (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanKioskKey) key = NULL;
  SaphanAuditReport report = { 0 };
  gint64 checkpoint = 0;
  SaphanStore *store;
  gboolean ok;

  if (!ctl_parse ("audit verify", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL || (key = saphan_kiosk_key_load_or_create (ctx->data_dir, &error)) == NULL)
    return ctl_fail (ctx, error);

  ok = saphan_audit_verify (store, key, &report, &error);
  /* Only a sound log is sealed: a checkpoint after tampering would vouch
   * for the forgery. */
  if (ok)
    {
      saphan_audit_attach_key (store, key);
      if (!saphan_audit_checkpoint (store, &checkpoint, &error))
        return ctl_fail (ctx, error);
    }

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, ok);
      json_builder_set_member_name (b, "entries");
      json_builder_add_int_value (b, report.n_entries);
      json_builder_set_member_name (b, "checkpoints");
      json_builder_add_int_value (b, report.n_checkpoints);
      json_builder_set_member_name (b, "problem");
      json_builder_add_string_value (b, saphan_audit_problem_to_string (report.problem));
      json_builder_set_member_name (b, "bad_seq");
      json_builder_add_int_value (b, report.bad_seq);
      json_builder_set_member_name (b, "message");
      if (error != NULL)
        json_builder_add_string_value (b, error->message);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      ctl_print_json (b);
      return ok ? CTL_EXIT_OK : saphan_error_exit_code (error);
    }
  if (!ok)
    return ctl_fail (ctx, error);
  printf (_("The audit log is intact: %lld entries, %lld signed checkpoints; sealed now by checkpoint %lld.\n"),
          (long long) report.n_entries, (long long) report.n_checkpoints, (long long) checkpoint);
  return CTL_EXIT_OK;
}

static int
cmd_audit_show (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gint64 head = 0;
  int limit = 20;
  GOptionEntry options[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show the last N entries (0: all)"), "N" },
    { NULL },
  };
  SaphanStore *store;

  if (!ctl_parse ("audit show", "", options, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (limit < 0)
    return ctl_usage ("audit show", _("--limit must not be negative"));
  store = ctl_store (ctx, &error);
  if (store == NULL || !saphan_store_audit_head (store, &head, NULL, &error) ||
      (entries = saphan_store_audit_list (store, limit > 0 ? MAX (1, head - limit + 1) : 1,
                                          (guint) limit, &error)) == NULL)
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < entries->len; i++)
        {
          SaphanAuditEntry *e = entries->pdata[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "seq");
          json_builder_add_int_value (b, e->seq);
          json_builder_set_member_name (b, "at");
          json_builder_add_int_value (b, e->at);
          json_builder_set_member_name (b, "event");
          json_builder_add_string_value (b, e->event);
          json_builder_set_member_name (b, "detail");
          json_builder_add_string_value (b, e->detail);
          json_builder_set_member_name (b, "hash");
          json_builder_add_string_value (b, e->hash);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      SaphanAuditEntry *e = entries->pdata[i];
      g_autofree char *at = ctl_format_time (e->at);

      printf ("%6lld  %s  %-20s %s\n", (long long) e->seq, at, e->event, e->detail);
    }
  return CTL_EXIT_OK;
}

/* ---- purge --------------------------------------------------------------------- */

static int
cmd_purge (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  gint64 n = 0;
  SaphanStore *store;

  if (!ctl_parse ("purge", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL ||
      !saphan_store_purge_expired (store, g_get_real_time () / G_USEC_PER_SEC, &n, &error))
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "purged");
      json_builder_add_int_value (b, n);
      json_builder_end_object (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }
  printf (g_dngettext (GETTEXT_PACKAGE, "Deleted the answers of %lld accepted submission past the retention period.\n",
                       "Deleted the answers of %lld accepted submissions past the retention period.\n",
                       (gulong) n),
          (long long) n);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_staff_commands[] = {
  { "staff", "add", "ID --name NAME [--maintainer]", N_("Add a staff account; the PIN is asked for"),
    cmd_staff_add },
  { "staff", "remove", "ID", N_("Remove a staff account"), cmd_staff_remove },
  { "staff", "passwd", "ID", N_("Change a staff account's PIN"), cmd_staff_passwd },
  { "staff", "list", "", N_("Staff accounts (never PINs)"), cmd_staff_list },
  { "audit", "verify", "", N_("Check the audit log's chain and signatures, then sign its head"),
    cmd_audit_verify },
  { "audit", "show", "[--limit N]", N_("The newest audit log entries"), cmd_audit_show },
  { NULL, "purge", "", N_("Delete answers of accepted submissions past retention.days now"), cmd_purge },
  { NULL, NULL, NULL, NULL, NULL },
};
