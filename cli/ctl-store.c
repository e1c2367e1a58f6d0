/* ctl-store.c: status, forms and submissions listings, and staff's
 * resolution of submissions that need attention. */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n-lib.h>

#include "ctl.h"
#include "saphan-error.h"
#include "saphan-paths.h"

static int
cmd_status (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  gint64 counts[SAPHAN_SUBMISSION_N_STATES] = { 0 };
  g_autofree char *last_sync = NULL;
  g_autofree char *printer = NULL;
  g_autofree char *receipts_dir = saphan_paths_receipts_dir (ctx->data_dir);
  g_autoptr (GPtrArray) forms = NULL;
  SaphanStore *store;

  if (!ctl_parse ("status", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;

  store = ctl_store (ctx, &error);
  if (store == NULL || !saphan_store_count_by_state (store, counts, &error))
    return ctl_fail (ctx, error);
  forms = saphan_store_list_forms (store, &error);
  if (forms == NULL)
    return ctl_fail (ctx, error);
  last_sync = saphan_store_get_setting (store, "sync.last-success", NULL);
  printer = saphan_store_get_setting (store, "printer.queue", NULL);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, PACKAGE_VERSION);
      json_builder_set_member_name (b, "data_dir");
      json_builder_add_string_value (b, ctx->data_dir);
      json_builder_set_member_name (b, "schema_version");
      json_builder_add_int_value (b, saphan_store_schema_version (store));
      json_builder_set_member_name (b, "forms");
      json_builder_add_int_value (b, forms->len);
      json_builder_set_member_name (b, "submissions");
      json_builder_begin_object (b);
      for (int s = 0; s < SAPHAN_SUBMISSION_N_STATES; s++)
        {
          json_builder_set_member_name (b, saphan_submission_state_to_string (s));
          json_builder_add_int_value (b, counts[s]);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "last_sync");
      if (last_sync != NULL)
        json_builder_add_string_value (b, last_sync);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "printer");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "queue");
      if (printer != NULL)
        json_builder_add_string_value (b, printer);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "pdf_folder");
      json_builder_add_string_value (b, receipts_dir);
      json_builder_end_object (b);
      json_builder_end_object (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }

  printf (_("Saphan %s\n"), PACKAGE_VERSION);
  printf (_("Data folder:   %s\n"), ctx->data_dir);
  printf (_("Forms:         %u installed\n"), forms->len);
  printf (_("Submissions:\n"));
  for (int s = 0; s < SAPHAN_SUBMISSION_N_STATES; s++)
    printf ("  %-16s %" G_GINT64_FORMAT "\n", saphan_submission_state_to_string (s), counts[s]);
  printf (_("Last sync:     %s\n"), last_sync != NULL ? last_sync : _("never"));
  if (printer != NULL)
    printf (_("Printer:       %s\n"), printer);
  else
    printf (_("Printer:       none; receipts are saved as PDF in %s\n"), receipts_dir);
  return CTL_EXIT_OK;
}

static int
cmd_forms_list (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) forms = NULL;
  SaphanStore *store;

  if (!ctl_parse ("forms list", "", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  store = ctl_store (ctx, &error);
  if (store == NULL || (forms = saphan_store_list_forms (store, &error)) == NULL)
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < forms->len; i++)
        {
          SaphanFormInfo *f = forms->pdata[i];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, f->form_id);
          json_builder_set_member_name (b, "version");
          json_builder_add_string_value (b, f->version);
          json_builder_set_member_name (b, "title");
          json_builder_add_string_value (b, f->title);
          json_builder_set_member_name (b, "hash");
          json_builder_add_string_value (b, f->hash);
          json_builder_set_member_name (b, "installed_at");
          json_builder_add_int_value (b, f->installed_at);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }

  if (forms->len == 0)
    printf ("%s\n", _("No forms installed."));
  for (guint i = 0; i < forms->len; i++)
    {
      SaphanFormInfo *f = forms->pdata[i];
      printf ("%-32s %-14s %s\n", f->form_id, f->version, f->title);
    }
  return CTL_EXIT_OK;
}

static void
add_submission_json (JsonBuilder *b, const SaphanSubmissionInfo *s)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "instance_id");
  json_builder_add_string_value (b, s->instance_id);
  json_builder_set_member_name (b, "form_id");
  json_builder_add_string_value (b, s->form_id);
  json_builder_set_member_name (b, "form_version");
  json_builder_add_string_value (b, s->form_version);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, saphan_submission_state_to_string (s->state));
  json_builder_set_member_name (b, "created_at");
  json_builder_add_int_value (b, s->created_at);
  json_builder_set_member_name (b, "updated_at");
  json_builder_add_int_value (b, s->updated_at);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, s->attempts);
  json_builder_set_member_name (b, "next_attempt_at");
  json_builder_add_int_value (b, s->next_attempt_at);
  json_builder_set_member_name (b, "last_error");
  if (s->last_error != NULL)
    json_builder_add_string_value (b, s->last_error);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "server_message");
  if (s->server_message != NULL)
    json_builder_add_string_value (b, s->server_message);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "assisted_by");
  if (s->assisted_by != NULL)
    json_builder_add_string_value (b, s->assisted_by);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "receipt_number");
  if (s->receipt_number != NULL)
    json_builder_add_string_value (b, s->receipt_number);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "payload_size");
  json_builder_add_int_value (b, s->payload_size);
  json_builder_set_member_name (b, "attachments");
  json_builder_add_int_value (b, s->n_attachments);
  json_builder_set_member_name (b, "resolved_at");
  if (s->resolved_at != 0)
    json_builder_add_int_value (b, s->resolved_at);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "resolved_by");
  if (s->resolved_by != NULL)
    json_builder_add_string_value (b, s->resolved_by);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static int
cmd_submissions_list (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *state_text = NULL;
  int limit = 0;
  SaphanSubmissionState state;
  int filter = -1;
  SaphanStore *store;
  GOptionEntry entries[] = {
    { "state", 0, 0, G_OPTION_ARG_STRING, &state_text,
      N_("Only submissions in STATE (queued, sending, accepted, needs-attention, exported)"),
      "STATE" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most N submissions"), "N" },
    { NULL }
  };

  if (!ctl_parse ("submissions list", "", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (state_text != NULL)
    {
      if (!saphan_submission_state_from_string (state_text, &state))
        return ctl_usage ("submissions list", _("unknown state “%s”"), state_text);
      filter = state;
    }
  if (limit < 0)
    return ctl_usage ("submissions list", _("--limit must not be negative"));

  store = ctl_store (ctx, &error);
  if (store == NULL || (list = saphan_store_list_submissions (store, filter, limit, &error)) == NULL)
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        add_submission_json (b, list->pdata[i]);
      json_builder_end_array (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }

  if (list->len == 0)
    printf ("%s\n", _("No submissions."));
  for (guint i = 0; i < list->len; i++)
    {
      SaphanSubmissionInfo *s = list->pdata[i];
      g_autofree char *when = ctl_format_time (s->created_at);
      printf ("%-45s %-16s %-24s %s %s\n", s->instance_id,
              saphan_submission_state_to_string (s->state), s->form_id, when,
              s->receipt_number != NULL ? s->receipt_number : "");
    }
  return CTL_EXIT_OK;
}

static int
cmd_submissions_show (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanSubmissionInfo) s = NULL;
  SaphanStore *store;

  if (!ctl_parse ("submissions show", "INSTANCE_ID", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("submissions show", _("needs one instance ID"));

  store = ctl_store (ctx, &error);
  if (store == NULL || (s = saphan_store_get_submission (store, argv[1], &error)) == NULL)
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      add_submission_json (b, s);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }

  {
    g_autofree char *created = ctl_format_time (s->created_at);
    g_autofree char *updated = ctl_format_time (s->updated_at);
    g_autofree char *next = ctl_format_time (s->next_attempt_at);

    /* Only metadata: the payload holds personal data and is never printed here. */
    printf (_("Instance ID:   %s\n"), s->instance_id);
    printf (_("Form:          %s (version %s)\n"), s->form_id, s->form_version);
    printf (_("State:         %s\n"), saphan_submission_state_to_string (s->state));
    printf (_("Finalized:     %s\n"), created);
    printf (_("Updated:       %s\n"), updated);
    printf (_("Attempts:      %d (next: %s)\n"), s->attempts, next);
    printf (_("Receipt:       %s\n"), s->receipt_number != NULL ? s->receipt_number : "-");
    printf (_("Assisted by:   %s\n"), s->assisted_by != NULL ? s->assisted_by : "-");
    printf (_("Payload:       %zu bytes, %u attachments\n"), s->payload_size,
            s->n_attachments);
    if (s->last_error != NULL)
      printf (_("Last error:    %s\n"), s->last_error);
    if (s->server_message != NULL)
      printf (_("Server said:   %s\n"), s->server_message);
    if (s->resolved_at != 0)
      {
        g_autofree char *resolved = ctl_format_time (s->resolved_at);

        printf (_("Resolved:      %s by %s\n"), resolved,
                s->resolved_by != NULL ? s->resolved_by : "-");
        printf (_("Note:          %s\n"), s->resolution_note);
      }
  }
  return CTL_EXIT_OK;
}

static int
cmd_submissions_resolve (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *staff = NULL;
  GOptionEntry entries[] = {
    { "note", 0, 0, G_OPTION_ARG_STRING, &note,
      N_("What was done about the submission (required)"), N_("TEXT") },
    { "staff", 0, 0, G_OPTION_ARG_STRING, &staff, N_("The staff member resolving it"), N_("ID") },
    { NULL }
  };
  SaphanStore *store;

  if (!ctl_parse ("submissions resolve", "INSTANCE_ID", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("submissions resolve", _("needs one instance ID"));
  if (note == NULL)
    return ctl_usage ("submissions resolve", _("needs --note saying what was done"));

  store = ctl_store (ctx, &error);
  if (store == NULL || !saphan_store_mark_resolved (store, argv[1], staff, note, &error))
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (SaphanSubmissionInfo) s = saphan_store_get_submission (store, argv[1], &error);

      if (s == NULL)
        return ctl_fail (ctx, error);
      add_submission_json (b, s);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }
  printf (_("Resolved %s; it no longer needs attention.\n"), argv[1]);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_store_commands[] = {
  { NULL, "status", "", N_("Counts by state, last sync, version, data folder, printer"), cmd_status },
  { "forms", "list", "", N_("Installed forms"), cmd_forms_list },
  { "submissions", "list", "[--state S] [--limit N]", N_("Finalized submissions, newest first"),
    cmd_submissions_list },
  { "submissions", "show", "INSTANCE_ID", N_("One submission's details (no answers)"),
    cmd_submissions_show },
  { "submissions", "resolve", "INSTANCE_ID --note TEXT [--staff ID]",
    N_("Close a submission that needs attention, with a note"), cmd_submissions_resolve },
  { NULL, NULL, NULL, NULL, NULL },
};
