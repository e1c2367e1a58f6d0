/* ctl-form.c: checking, filling and installing XForms from the command line.
 *
 * "form fill" runs a form headless exactly as the kiosk does, which is what
 * the conformance tests and form authors use to see what the engine
 * computes; "forms install" puts a checked form into the store.
 */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n-lib.h>

#include "ctl.h"
#include "saphan-error.h"
#include "saphan-form.h"
#include "saphan-session.h"
#include "saphan-submit.h"

static void
add_string_or_null (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static int
cmd_form_check (CtlContext *ctx, int argc, char **argv)
{
  g_autofree char *media_dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanForm) form = NULL;
  const char *const *langs;
  GOptionEntry entries[] = {
    { "media", 0, 0, G_OPTION_ARG_FILENAME, &media_dir, N_("The form’s media folder"), "DIR" },
    { NULL },
  };

  if (!ctl_parse ("form check", "FILE.xml", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("form check", _("needs one form file"));

  form = saphan_form_new_from_file (argv[1], media_dir, &error);
  if (form == NULL)
    return ctl_fail (ctx, error);
  langs = saphan_form_get_languages (form);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string_or_null (b, "id", saphan_form_get_id (form));
      add_string_or_null (b, "version", saphan_form_get_version (form));
      add_string_or_null (b, "title", saphan_form_get_title (form));
      json_builder_set_member_name (b, "languages");
      json_builder_begin_array (b);
      for (const char *const *l = langs; *l != NULL; l++)
        json_builder_add_string_value (b, *l);
      json_builder_end_array (b);
      add_string_or_null (b, "default_language", saphan_form_get_default_language (form));
      json_builder_set_member_name (b, "questions");
      json_builder_add_int_value (b, saphan_form_get_question_count (form));
      json_builder_end_object (b);
      ctl_print_json (b);
      return CTL_EXIT_OK;
    }
  {
    g_autofree char *joined = g_strjoinv (", ", (char **) langs);
    printf ("%-10s %s\n", _("Id:"), saphan_form_get_id (form) != NULL ? saphan_form_get_id (form) : "-");
    printf ("%-10s %s\n", _("Version:"), saphan_form_get_version (form) != NULL ? saphan_form_get_version (form) : "-");
    printf ("%-10s %s\n", _("Title:"), saphan_form_get_title (form) != NULL ? saphan_form_get_title (form) : "-");
    printf ("%-10s %s\n", _("Languages:"), *joined != '\0' ? joined : "-");
    printf ("%-10s %u\n", _("Questions:"), saphan_form_get_question_count (form));
  }
  return CTL_EXIT_OK;
}

/* The answers file: a JSON list of [ref, value] pairs. */
static JsonArray *
read_answers (const char *path, JsonParser *parser, GError **error)
{
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("%s must hold a JSON list of [ref, value] pairs"), path);
      return NULL;
    }
  return json_node_get_array (root);
}

/* Applies the [ref, value] pairs of PATH in order. With KEEP_GOING an
 * answer that cannot be applied is reported and the others still go in
 * (form fill then shows every state); otherwise the first one stops.
 * Returns the exit status. */
static int
apply_answers (CtlContext *ctx, SaphanSession *session, const char *path, gboolean keep_going)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *answers = read_answers (path, parser, &error);
  int status = CTL_EXIT_OK;

  if (answers == NULL)
    return ctl_fail (ctx, error);
  for (guint i = 0; i < json_array_get_length (answers); i++)
    {
      JsonNode *pair = json_array_get_element (answers, i);
      JsonArray *a = JSON_NODE_HOLDS_ARRAY (pair) ? json_node_get_array (pair) : NULL;
      g_autoptr (GError) answer_error = NULL;
      const char *ref, *value;

      if (a == NULL || json_array_get_length (a) != 2 ||
          json_node_get_value_type (json_array_get_element (a, 0)) != G_TYPE_STRING)
        {
          g_set_error (&error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("%s: entry %u is not a [ref, value] pair"), path, i + 1);
          return ctl_fail (ctx, error);
        }
      ref = json_array_get_string_element (a, 0);
      value = JSON_NODE_HOLDS_NULL (json_array_get_element (a, 1)) ? ""
              : json_node_get_value_type (json_array_get_element (a, 1)) == G_TYPE_STRING
                  ? json_array_get_string_element (a, 1) : NULL;
      if (value == NULL)
        {
          g_set_error (&error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                       _("%s: the value of entry %u must be a string"), path, i + 1);
          return ctl_fail (ctx, error);
        }
      if (!saphan_session_answer (session, ref, value, &answer_error))
        {
          status = ctl_fail (ctx, answer_error);
          if (!keep_going)
            return status;
        }
    }
  return status;
}

static const char *
violation_name (SaphanViolationKind kind)
{
  return kind == SAPHAN_VIOLATION_REQUIRED ? "required" : kind == SAPHAN_VIOLATION_CONSTRAINT ? "constraint" : NULL;
}

static void
print_states (SaphanSession *session, const char *form_name)
{
  g_autoptr (GPtrArray) states = saphan_session_list_states (session);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "form");
  json_builder_add_string_value (b, form_name);
  json_builder_set_member_name (b, "engine");
  json_builder_add_string_value (b, "saphan " PACKAGE_VERSION);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < states->len; i++)
    {
      SaphanNodeState *s = states->pdata[i];

      json_builder_begin_object (b);
      add_string_or_null (b, "ref", s->ref);
      add_string_or_null (b, "type", s->kind);
      json_builder_set_member_name (b, "relevant");
      json_builder_add_boolean_value (b, s->relevant);
      json_builder_set_member_name (b, "required");
      json_builder_add_boolean_value (b, s->required);
      json_builder_set_member_name (b, "readonly");
      json_builder_add_boolean_value (b, s->readonly);
      add_string_or_null (b, "value", s->value);
      add_string_or_null (b, "violation", violation_name (s->violation));
      json_builder_set_member_name (b, "volatile");
      json_builder_add_boolean_value (b, s->volatile_value);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  ctl_print_json (b);
}

static int
cmd_form_fill (CtlContext *ctx, int argc, char **argv)
{
  g_autofree char *media_dir = NULL;
  g_autofree char *answers_path = NULL;
  g_autofree char *lang = NULL;
  g_autofree char *base = NULL;
  gboolean state_json = FALSE, submission = FALSE;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanForm) form = NULL;
  g_autoptr (SaphanSession) session = NULL;
  int status = CTL_EXIT_OK;
  GOptionEntry entries[] = {
    { "media", 0, 0, G_OPTION_ARG_FILENAME, &media_dir, N_("The form’s media folder"), "DIR" },
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers_path, N_("A JSON list of [ref, value] pairs"), "FILE" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, N_("The language to fill in"), "CODE" },
    { "state-json", 0, 0, G_OPTION_ARG_NONE, &state_json, N_("Print every node’s state as JSON"), NULL },
    { "submission", 0, 0, G_OPTION_ARG_NONE, &submission, N_("Print the submission XML"), NULL },
    { NULL },
  };

  if (!ctl_parse ("form fill", "FILE.xml", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("form fill", _("needs one form file"));
  if (state_json == submission)
    return ctl_usage ("form fill", _("needs exactly one of --state-json and --submission"));

  form = saphan_form_new_from_file (argv[1], media_dir, &error);
  if (form == NULL)
    return ctl_fail (ctx, error);
  /* Headless fills have no device identity: property('deviceid') is empty. */
  session = saphan_session_new (form, NULL, &error);
  if (session == NULL)
    return ctl_fail (ctx, error);
  if (lang != NULL && !saphan_session_set_language (session, lang, &error))
    return ctl_fail (ctx, error);

  if (answers_path != NULL)
    status = apply_answers (ctx, session, answers_path, TRUE);
  if (status == CTL_EXIT_USAGE || status == CTL_EXIT_ENVIRONMENT)
    return status;

  base = g_path_get_basename (argv[1]);
  if (state_json)
    {
      print_states (session, base);
      return status;
    }
  {
    g_autoptr (GBytes) bytes = saphan_session_finalize_bytes (session, NULL, NULL, &error);
    gsize len = 0;
    const char *data;

    if (bytes == NULL)
      return ctl_fail (ctx, error);
    data = g_bytes_get_data (bytes, &len);
    fwrite (data, 1, len, stdout);
  }
  return status;
}

static int
cmd_forms_install (CtlContext *ctx, int argc, char **argv)
{
  g_autofree char *media_dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanFormInfo) info = NULL;
  SaphanStore *store;
  GOptionEntry entries[] = {
    { "media", 0, 0, G_OPTION_ARG_FILENAME, &media_dir, N_("The form’s media folder"), "DIR" },
    { NULL },
  };

  if (!ctl_parse ("forms install", "FILE.xml", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("forms install", _("needs one form file"));

  store = ctl_store (ctx, &error);
  if (store == NULL || !saphan_form_install_file (store, argv[1], media_dir, &info, &error))
    return ctl_fail (ctx, error);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string_or_null (b, "form_id", info->form_id);
      add_string_or_null (b, "version", info->version);
      add_string_or_null (b, "title", info->title);
      add_string_or_null (b, "hash", info->hash);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    printf (_("Installed %s version %s (%s)\n"), info->form_id, info->version, info->title);
  return CTL_EXIT_OK;
}

/* saphanctl submit: fills an installed form and finalizes it into the
 * store exactly as the kiosk does, for staff transcribing paper forms. */
static int
cmd_submit (CtlContext *ctx, int argc, char **argv)
{
  g_autofree char *answers_path = NULL, *lang = NULL, *assisted_by = NULL;
  g_autofree char *instance_id = NULL, *number = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) xml = NULL, payload = NULL;
  g_autoptr (GHashTable) media = NULL;
  g_autoptr (GPtrArray) attachments = NULL;
  g_autoptr (SaphanForm) form = NULL;
  g_autoptr (SaphanSession) session = NULL;
  SaphanSubmitRequest request = { 0 };
  SaphanStore *store;
  int status;
  GOptionEntry entries[] = {
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers_path, N_("A JSON list of [ref, value] pairs"), "FILE" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, N_("The language to fill in"), "CODE" },
    { "assisted-by", 0, 0, G_OPTION_ARG_STRING, &assisted_by, N_("The staff id who filled it with or for the citizen"), "STAFF_ID" },
    { NULL },
  };

  if (!ctl_parse ("submit", "FORM_ID", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("submit", _("needs one form id"));
  if (answers_path == NULL)
    return ctl_usage ("submit", _("needs --answers FILE"));

  store = ctl_store (ctx, &error);
  if (store == NULL || (xml = saphan_store_get_form_xml (store, argv[1], &error)) == NULL ||
      (media = saphan_store_get_form_media (store, argv[1], &error)) == NULL)
    return ctl_fail (ctx, error);
  form = saphan_form_new_from_bytes (xml, argv[1], media, &error);
  if (form == NULL || (session = saphan_session_new (form, NULL, &error)) == NULL)
    return ctl_fail (ctx, error);
  if (lang != NULL && !saphan_session_set_language (session, lang, &error))
    return ctl_fail (ctx, error);
  status = apply_answers (ctx, session, answers_path, FALSE);
  if (status != CTL_EXIT_OK)
    return status;

  /* A form with a violation is refused with all of them listed. */
  payload = saphan_session_finalize_bytes (session, &instance_id, &attachments, &error);
  if (payload == NULL)
    return ctl_fail (ctx, error);
  request.form_id = saphan_form_get_id (form);
  request.form_version = saphan_form_get_version (form);
  request.instance_id = instance_id;
  request.payload = payload;
  request.attachments = attachments;
  request.assisted_by = assisted_by;
  request.encrypt_for = saphan_form_get_public_key (form);
  if (!saphan_submit (store, &request, &number, &error))
    return ctl_fail (ctx, error);
  saphan_session_wipe (session);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string_or_null (b, "instance_id", instance_id);
      add_string_or_null (b, "receipt_number", number);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    printf ("%s %s\n", instance_id, number);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_form_commands[] = {
  { "form", "check", "FILE.xml [--media DIR]", N_("Check an XForm and print its summary"), cmd_form_check },
  { "form", "fill", "FILE.xml [--answers F] [--lang L] (--state-json|--submission)",
    N_("Fill a form headless and print node states or the submission"), cmd_form_fill },
  { "forms", "install", "FILE.xml [--media DIR]", N_("Check a form and install it"), cmd_forms_install },
  { NULL, "submit", "FORM_ID --answers A.json [--lang CODE] [--assisted-by STAFF_ID]",
    N_("Fill an installed form and finalize it as the kiosk does; prints instanceID and receipt"),
    cmd_submit },
  { NULL, NULL, NULL, NULL, NULL },
};
