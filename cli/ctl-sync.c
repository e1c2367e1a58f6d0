/* ctl-sync.c: the server profile and sending queued submissions. */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "ctl.h"
#include "saphan-error.h"
#include "saphan-sync-monitor.h"
#include "saphan-sync-profile.h"
#include "saphan-sync.h"

static char *
read_password_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  char *newline;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  /* The first line is the password, so that `echo secret > file` works. */
  newline = strpbrk (text, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  if (*text == '\0')
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("The password file %s is empty."), path);
      return NULL;
    }
  return g_steal_pointer (&text);
}

static int
cmd_server_set (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSyncProfile) p = g_new0 (SaphanSyncProfile, 1);
  g_autofree char *kind = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *password_file = NULL;
  g_auto (GStrv) pins = NULL;
  SaphanStore *store;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &p->url, N_("The server's address"), "URL" },
    { "central-token", 0, 0, G_OPTION_ARG_STRING, &p->token, N_("ODK Central app-user token"), "TOKEN" },
    { "project", 0, 0, G_OPTION_ARG_STRING, &p->project, N_("ODK Central project ID"), "ID" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &p->user, N_("User for Basic or Digest authentication"), "USER" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("A file whose first line is the password"), "FILE" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, N_("central, kobo or openrosa (guessed if not given)"), "KIND" },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &auth, N_("basic, digest or any (default any; Basic only over https)"),
      "METHOD" },
    { "pin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &pins,
      N_("Pin a public key, sha256//BASE64; give the current and a backup key"), "PIN" },
    { NULL }
  };

  if (!ctl_parse ("server set", "", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc > 1)
    return ctl_usage ("server set", _("unexpected argument “%s”"), argv[1]);
  if (p->url == NULL)
    return ctl_usage ("server set", _("--url is required"));
  if ((p->token != NULL || p->project != NULL) && (p->user != NULL || password_file != NULL))
    return ctl_usage ("server set", _("use either --central-token and --project, or --user and --password-file"));
  if ((p->user != NULL) != (password_file != NULL))
    return ctl_usage ("server set", _("--user and --password-file go together"));

  if (kind != NULL)
    {
      if (!saphan_server_kind_from_string (kind, &p->kind) || p->kind == SAPHAN_SERVER_NONE)
        return ctl_usage ("server set", _("unknown server kind “%s”"), kind);
    }
  else if (p->token != NULL || p->project != NULL)
    p->kind = SAPHAN_SERVER_CENTRAL;
  else if (strstr (p->url, "kobotoolbox.org") != NULL)
    p->kind = SAPHAN_SERVER_KOBO;
  else
    p->kind = SAPHAN_SERVER_OPENROSA;

  p->auth = SAPHAN_AUTH_ANY;
  if (g_strcmp0 (auth, "basic") == 0)
    p->auth = SAPHAN_AUTH_BASIC;
  else if (g_strcmp0 (auth, "digest") == 0)
    p->auth = SAPHAN_AUTH_DIGEST;
  else if (auth != NULL && g_strcmp0 (auth, "any") != 0)
    return ctl_usage ("server set", _("unknown authentication “%s”"), auth);

  if (password_file != NULL && (p->password = read_password_file (password_file, &error)) == NULL)
    return ctl_fail (ctx, error);
  if (pins != NULL)
    p->pinned_keys = g_strjoinv (";", pins);

  store = ctl_store (ctx, &error);
  if (store == NULL || !saphan_sync_profile_save (store, p, &error))
    return ctl_fail (ctx, error);
  if (!ctx->json)
    printf (_("Server set: %s (%s).\n"), p->url, saphan_server_kind_to_string (p->kind));
  return CTL_EXIT_OK;
}

static int
cmd_server_show (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSyncProfile) p = NULL;
  g_autofree char *where = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *last = NULL;
  SaphanStore *store;

  if (!ctl_parse ("server show", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL || (p = saphan_sync_profile_load (store, &error)) == NULL)
    return ctl_fail (ctx, error);

  /* The token is a password: it is never printed. */
  where = saphan_sync_profile_describe (p);
  problem = saphan_store_get_setting (store, SAPHAN_SETTING_AUTH_PROBLEM, NULL);
  if (problem != NULL && *problem == '\0')
    g_clear_pointer (&problem, g_free);
  last = saphan_store_get_setting (store, SAPHAN_SETTING_LAST_SUCCESS, NULL);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, saphan_server_kind_to_string (p->kind));
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, p->url);
      json_builder_set_member_name (b, "submission_url");
      json_builder_add_string_value (b, where);
      json_builder_set_member_name (b, "project");
      json_builder_add_string_value (b, p->project);
      json_builder_set_member_name (b, "user");
      json_builder_add_string_value (b, p->user);
      json_builder_set_member_name (b, "pinned");
      json_builder_add_boolean_value (b, p->pinned_keys != NULL);
      json_builder_set_member_name (b, "auth_problem");
      json_builder_add_string_value (b, problem);
      json_builder_set_member_name (b, "last_success");
      json_builder_add_string_value (b, last);
      json_builder_end_object (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }
  printf (_("Server:        %s (%s)\n"), p->url, saphan_server_kind_to_string (p->kind));
  printf (_("Submissions:   %s\n"), where);
  if (p->project != NULL)
    printf (_("Project:       %s\n"), p->project);
  if (p->user != NULL)
    printf (_("User:          %s\n"), p->user);
  printf (_("Pinned keys:   %s\n"), p->pinned_keys != NULL ? _("yes") : _("no"));
  printf (_("Last success:  %s\n"), last != NULL ? last : _("never"));
  if (problem != NULL)
    printf (_("PAUSED: the server refused the credentials (%s). Set them again with “saphanctl server set”.\n"),
            problem);
  return CTL_EXIT_OK;
}

static void
attempt_cb (SaphanSync *sync, const char *instance_id, int outcome, const char *reason, guint batch,
            guint n_batches, gpointer user_data)
{
  CtlContext *ctx = user_data;

  if (ctx->json)
    return;
  if (n_batches > 1)
    printf ("  %-45s %-16s %s (%u/%u)\n", instance_id, saphan_sync_outcome_to_string (outcome), reason, batch,
            n_batches);
  else
    printf ("  %-45s %-16s %s\n", instance_id, saphan_sync_outcome_to_string (outcome), reason);
  fflush (stdout);
}

static gboolean
stop_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

static int
print_summary (CtlContext *ctx, const SaphanSyncSummary *s)
{
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "accepted");
      json_builder_add_int_value (b, s->accepted);
      json_builder_set_member_name (b, "needs_attention");
      json_builder_add_int_value (b, s->needs_attention);
      json_builder_set_member_name (b, "deferred");
      json_builder_add_int_value (b, s->deferred);
      json_builder_set_member_name (b, "remaining");
      json_builder_add_int_value (b, s->remaining);
      json_builder_set_member_name (b, "recovered");
      json_builder_add_int_value (b, s->recovered);
      json_builder_set_member_name (b, "requests");
      json_builder_add_int_value (b, s->requests);
      json_builder_set_member_name (b, "bytes_sent");
      json_builder_add_int_value (b, s->bytes_sent);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, s->elapsed_us / 1e6);
      json_builder_set_member_name (b, "auth_problem");
      json_builder_add_boolean_value (b, s->auth_problem);
      json_builder_set_member_name (b, "last_reason");
      json_builder_add_string_value (b, s->last_reason);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      printf (_("Sent: %u accepted, %u need attention, %u deferred; %" PRId64
                " still queued (%" PRId64 " bytes in %.1f s).\n"),
              s->accepted, s->needs_attention, s->deferred, s->remaining, s->bytes_sent, s->elapsed_us / 1e6);
      if (s->recovered > 0)
        printf (_("%" PRId64 " interrupted sends were put back in the queue first.\n"), s->recovered);
      if (s->auth_problem)
        printf (_("The server refused the credentials: sending is paused until they are set again.\n"));
      else if (s->remaining > 0 && s->last_reason != NULL)
        printf (_("Last problem: %s. The rest is sent on the next run.\n"), s->last_reason);
    }
  if (s->auth_problem)
    return CTL_EXIT_REFUSED;
  return s->remaining > 0 ? CTL_EXIT_ENVIRONMENT : CTL_EXIT_OK;
}

static void
sync_due_cb (SaphanSyncMonitor *monitor, gpointer user_data)
{
  gboolean *due = user_data;

  *due = TRUE;
}

static int
cmd_sync (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSync) sync = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  SaphanSyncSummary summary = { 0 };
  gboolean once = FALSE;
  int timeout = 300;
  guint sigint_id, sigterm_id;
  SaphanStore *store;
  int status = CTL_EXIT_OK;
  GOptionEntry entries[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("Send what is queued, then exit"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      N_("With --once, wait at most this many seconds for retries (default 300)"), "SECONDS" },
    { NULL }
  };

  if (!ctl_parse ("sync", "", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc > 1)
    return ctl_usage ("sync", _("unexpected argument “%s”"), argv[1]);
  if (timeout < 0)
    return ctl_usage ("sync", _("--timeout must not be negative"));
  store = ctl_store (ctx, &error);
  if (store == NULL)
    return ctl_fail (ctx, error);

  sync = saphan_sync_new (store);
  g_signal_connect (sync, "attempt", G_CALLBACK (attempt_cb), ctx);
  sigint_id = g_unix_signal_add (SIGINT, stop_cb, cancellable);
  sigterm_id = g_unix_signal_add (SIGTERM, stop_cb, cancellable);

  if (once)
    {
      if (!saphan_sync_run (sync, (guint) timeout, cancellable, &summary, &error))
        status = ctl_fail (ctx, error);
      else
        status = print_summary (ctx, &summary);
      saphan_sync_summary_clear (&summary);
    }
  else
    {
      /* The same loop the kiosk runs: a run whenever the monitor says the
       * server is reachable or the schedule comes round. */
      g_autoptr (SaphanSyncMonitor) monitor = saphan_sync_monitor_new (store);
      gboolean due = FALSE;

      g_signal_connect (monitor, "sync-due", G_CALLBACK (sync_due_cb), &due);
      saphan_sync_monitor_start (monitor);
      if (!ctx->json)
        printf ("%s\n", _("Waiting for the server; press Ctrl+C to stop."));
      while (!g_cancellable_is_cancelled (cancellable))
        {
          g_main_context_iteration (NULL, TRUE);
          if (!due)
            continue;
          due = FALSE;
          if (!saphan_sync_run (sync, (guint) timeout, cancellable, &summary, &error))
            {
              status = ctl_fail (ctx, error);
              g_clear_error (&error);
              if (!g_cancellable_is_cancelled (cancellable) && summary.auth_problem)
                break;
            }
          else
            status = print_summary (ctx, &summary);
          saphan_sync_summary_clear (&summary);
        }
      saphan_sync_monitor_stop (monitor);
    }
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return status;
}

const CtlCommand ctl_sync_commands[] = {
  { "server", "set", "--url URL [--central-token T --project ID | --user U --password-file F]",
    N_("Set the OpenRosa server submissions go to"), cmd_server_set },
  { "server", "show", "", N_("The server profile (no secrets) and whether sending is paused"), cmd_server_show },
  { NULL, "sync", "[--once] [--timeout S]", N_("Send queued submissions, with progress and a summary"),
    cmd_sync },
  { NULL, NULL, NULL, NULL, NULL },
};
