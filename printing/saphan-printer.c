/* saphan-printer.c: one PDF through CUPS, followed to the end.
 *
 * Debian 12 ships CUPS 2.4.2, whose destination API has traps this file
 * works around deliberately:
 * - cupsCopyDestInfo() fails unless the connection's host name is exactly
 *   cupsServer() (CUPS issue 586), so the connection is always opened to
 *   cupsServer():ippPort() and never to "localhost" or an address.
 * - cupsAddDestMediaOptions() silently does nothing with a NULL connection,
 *   so the connection is always passed.
 * - cupsGetDestMediaByName() may consult a media database that is only
 *   filled by cupsGetDestMediaCount(), so the count is asked first, and the
 *   size it returns is checked against the size asked for.
 * - Custom roll lengths must be named like custom_80x120mm_80x120mm.
 */
#include "config.h"

#include "saphan-printer.h"
#include "saphan-cups-loader.h"
#include "saphan-error.h"

#include <string.h>
#include <cups/cups.h>
#include <glib/gi18n-lib.h>

#define POLL_INTERVAL_USEC (200 * 1000)
#define CONNECT_TIMEOUT_MSEC 5000

const char *
saphan_print_problem_to_string (SaphanPrintProblem problem)
{
  static const char *const names[] = {
    "ok", "server-unavailable", "queue-not-found", "stopped", "not-accepting", "offline",
    "out-of-paper", "media-unsupported", "canceled", "aborted", "timeout", "failed",
  };
  if ((guint) problem < G_N_ELEMENTS (names))
    return names[problem];
  return "failed";
}

/* The message a person sees for each problem; the citizen's screen shows it
 * as is, so it says what to do. */
static const char *
problem_message (SaphanPrintProblem problem)
{
  switch (problem)
    {
    case SAPHAN_PRINT_OK:
      return _("The printer is ready.");
    case SAPHAN_PRINT_SERVER_UNAVAILABLE:
      return _("The printing service is not running. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_QUEUE_NOT_FOUND:
      return _("The receipt printer is not set up. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_STOPPED:
      return _("The receipt printer is paused. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_NOT_ACCEPTING:
      return _("The receipt printer does not accept jobs. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_OFFLINE:
      return _("The receipt printer is switched off or disconnected. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_OUT_OF_PAPER:
      return _("The receipt printer is out of paper. Your submission is saved; ask staff to load paper and print the receipt.");
    case SAPHAN_PRINT_MEDIA_UNSUPPORTED:
      return _("The receipt printer does not take this paper size. Your submission is saved; ask staff to check the printer settings.");
    case SAPHAN_PRINT_CANCELED:
      return _("The receipt was cancelled before it printed. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_ABORTED:
      return _("The receipt printer could not print the receipt. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_TIMEOUT:
      return _("The receipt printer did not finish in time. Your submission is saved; ask staff to print the receipt.");
    case SAPHAN_PRINT_FAILED:
    default:
      return _("The receipt could not be printed. Your submission is saved; ask staff to print the receipt.");
    }
}

static int
problem_error_code (SaphanPrintProblem problem)
{
  switch (problem)
    {
    case SAPHAN_PRINT_QUEUE_NOT_FOUND:
      return SAPHAN_ERROR_NOT_FOUND;
    case SAPHAN_PRINT_STOPPED:
    case SAPHAN_PRINT_NOT_ACCEPTING:
    case SAPHAN_PRINT_CANCELED:
      return SAPHAN_ERROR_STATE;
    case SAPHAN_PRINT_MEDIA_UNSUPPORTED:
      return SAPHAN_ERROR_INVALID;
    case SAPHAN_PRINT_SERVER_UNAVAILABLE:
    case SAPHAN_PRINT_OFFLINE:
      return SAPHAN_ERROR_NETWORK;
    case SAPHAN_PRINT_FAILED:
      return SAPHAN_ERROR_FAILED;
    default:
      return SAPHAN_ERROR_IO;
    }
}

static gboolean
set_problem (SaphanPrintProblem *out_problem, GError **error, SaphanPrintProblem problem,
             const char *detail)
{
  *out_problem = problem;
  if (detail != NULL && *detail != '\0')
    g_set_error (error, SAPHAN_ERROR, problem_error_code (problem), "%s (%s)",
                 problem_message (problem), detail);
  else
    g_set_error_literal (error, SAPHAN_ERROR, problem_error_code (problem),
                         problem_message (problem));
  return FALSE;
}

SaphanPrintProblem
saphan_printer_problem_from_reasons (const char *reasons)
{
  g_auto (GStrv) words = NULL;
  SaphanPrintProblem found = SAPHAN_PRINT_OK;

  if (reasons == NULL)
    return SAPHAN_PRINT_OK;
  words = g_strsplit (reasons, ",", -1);
  for (int i = 0; words[i] != NULL; i++)
    {
      char *word = g_strstrip (words[i]);
      SaphanPrintProblem p = SAPHAN_PRINT_OK;

      /* Warnings and reports do not stop printing (media-low-warning). */
      if (g_str_has_suffix (word, "-warning"))
        continue;
      if (g_str_has_suffix (word, "-error"))
        word[strlen (word) - strlen ("-error")] = '\0';
      else if (g_str_has_suffix (word, "-report"))
        word[strlen (word) - strlen ("-report")] = '\0';

      if (g_str_equal (word, "media-empty") || g_str_equal (word, "media-needed"))
        p = SAPHAN_PRINT_OUT_OF_PAPER;
      else if (g_str_equal (word, "offline") || g_str_equal (word, "shutdown") ||
               g_str_equal (word, "timed-out"))
        p = SAPHAN_PRINT_OFFLINE;
      else if (g_str_equal (word, "paused") || g_str_equal (word, "moving-to-paused"))
        p = SAPHAN_PRINT_STOPPED;
      else if (g_str_equal (word, "media-jam") || g_str_equal (word, "cover-open") ||
               g_str_equal (word, "door-open") || g_str_equal (word, "marker-supply-empty") ||
               g_str_equal (word, "toner-empty"))
        p = SAPHAN_PRINT_ABORTED;
      /* Paper comes first: it is what staff can fix at once. */
      if (p == SAPHAN_PRINT_OUT_OF_PAPER || found == SAPHAN_PRINT_OK)
        found = p != SAPHAN_PRINT_OK ? p : found;
    }
  return found;
}

void
saphan_printer_status_free (SaphanPrinterStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->queue);
  g_free (status->server);
  g_free (status->state_message);
  g_free (status->reasons);
  g_free (status->make_and_model);
  g_free (status->problem_message);
  g_free (status);
}

/* Opens the connection exactly as cupsCopyDestInfo() needs it. */
static http_t *
connect_server (void)
{
  /* Each thread caches the server name; re-reading it picks up a changed
   * CUPS_SERVER or client.conf without restarting the kiosk. */
  cupsSetServer (NULL);
  return httpConnect2 (cupsServer (), ippPort (), NULL, AF_UNSPEC, cupsEncryption (), 1,
                       CONNECT_TIMEOUT_MSEC, NULL);
}

static cups_dest_t *
find_dest (http_t *http, const char *queue, SaphanPrintProblem *out_problem)
{
  cups_dest_t *dest = cupsGetNamedDest (http, queue, NULL);

  if (dest != NULL)
    *out_problem = SAPHAN_PRINT_OK;
  else if (cupsLastError () == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE ||
           httpGetFd (http) < 0)
    *out_problem = SAPHAN_PRINT_SERVER_UNAVAILABLE;
  else
    *out_problem = SAPHAN_PRINT_QUEUE_NOT_FOUND;
  return dest;
}

/* Asks the server for the queue's live state; CUPS_DEST options are a
 * snapshot from when the destination was looked up. */
static gboolean
query_printer (http_t *http, cups_dest_t *dest, int *out_state, gboolean *out_accepting,
               char **out_reasons, char **out_message)
{
  static const char *const attrs[] = {
    "printer-state", "printer-state-reasons", "printer-is-accepting-jobs", "printer-state-message",
  };
  const char *uri = cupsGetOption ("printer-uri-supported", dest->num_options, dest->options);
  ipp_t *request, *response;
  ipp_attribute_t *attr;
  GString *reasons = g_string_new (NULL);

  if (uri == NULL)
    {
      g_string_free (reasons, TRUE);
      return FALSE;
    }
  request = ippNewRequest (IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 G_N_ELEMENTS (attrs), NULL, attrs);
  response = cupsDoRequest (http, request, "/");
  if (response == NULL || ippGetStatusCode (response) > IPP_STATUS_OK_EVENTS_COMPLETE)
    {
      ippDelete (response);
      g_string_free (reasons, TRUE);
      return FALSE;
    }
  *out_state = (attr = ippFindAttribute (response, "printer-state", IPP_TAG_ENUM)) != NULL
                   ? ippGetInteger (attr, 0) : IPP_PSTATE_IDLE;
  *out_accepting = (attr = ippFindAttribute (response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN)) == NULL ||
                   ippGetBoolean (attr, 0);
  if ((attr = ippFindAttribute (response, "printer-state-reasons", IPP_TAG_KEYWORD)) != NULL)
    for (int i = 0; i < ippGetCount (attr); i++)
      g_string_append_printf (reasons, "%s%s", i > 0 ? "," : "", ippGetString (attr, i, NULL));
  *out_reasons = g_string_free (reasons, FALSE);
  if (out_message != NULL)
    *out_message = (attr = ippFindAttribute (response, "printer-state-message", IPP_TAG_TEXT)) != NULL
                       ? g_strdup (ippGetString (attr, 0, NULL)) : NULL;
  ippDelete (response);
  return TRUE;
}

/* The problem that keeps the queue from printing right now, if any. */
static SaphanPrintProblem
queue_problem (int state, gboolean accepting, const char *reasons)
{
  SaphanPrintProblem from_reasons = saphan_printer_problem_from_reasons (reasons);

  if (from_reasons == SAPHAN_PRINT_OUT_OF_PAPER || from_reasons == SAPHAN_PRINT_OFFLINE)
    return from_reasons;
  if (state == IPP_PSTATE_STOPPED)
    return from_reasons != SAPHAN_PRINT_OK ? from_reasons : SAPHAN_PRINT_STOPPED;
  if (!accepting)
    return SAPHAN_PRINT_NOT_ACCEPTING;
  return from_reasons == SAPHAN_PRINT_STOPPED ? SAPHAN_PRINT_OK : from_reasons;
}

SaphanPrinterStatus *
saphan_printer_get_status (const char *queue)
{
  SaphanPrinterStatus *status = g_new0 (SaphanPrinterStatus, 1);
  g_autoptr (GError) error = NULL;
  http_t *http;
  cups_dest_t *dest;

  g_return_val_if_fail (queue != NULL, NULL);

  status->queue = g_strdup (queue);
  if (!saphan_cups_load (&error))
    {
      status->problem = SAPHAN_PRINT_FAILED;
      status->problem_message = g_strdup (error->message);
      return status;
    }
  http = connect_server ();
  status->server = g_strdup_printf ("%s:%d", cupsServer (), ippPort ());
  if (http == NULL)
    {
      status->problem = SAPHAN_PRINT_SERVER_UNAVAILABLE;
      status->problem_message = g_strdup (problem_message (status->problem));
      return status;
    }
  status->reachable = TRUE;
  dest = find_dest (http, queue, &status->problem);
  if (dest != NULL)
    {
      cups_dinfo_t *info = cupsCopyDestInfo (http, dest);
      const char *mm = cupsGetOption ("printer-make-and-model", dest->num_options, dest->options);

      status->exists = TRUE;
      status->make_and_model = g_strdup (mm);
      if (info != NULL)
        {
          status->media_count = (guint) MAX (0, cupsGetDestMediaCount (http, dest, info,
                                                                        CUPS_MEDIA_FLAGS_DEFAULT));
          cupsFreeDestInfo (info);
        }
      if (query_printer (http, dest, &status->state, &status->accepting, &status->reasons,
                         &status->state_message))
        status->problem = queue_problem (status->state, status->accepting, status->reasons);
      else
        status->problem = SAPHAN_PRINT_SERVER_UNAVAILABLE;
      cupsFreeDests (1, dest);
    }
  else
    status->reachable = status->problem != SAPHAN_PRINT_SERVER_UNAVAILABLE;
  status->problem_message = g_strdup (problem_message (status->problem));
  httpClose (http);
  return status;
}

/* Whether the queue's custom_min_/custom_max_ range covers WANT. */
static gboolean
custom_size_supported (http_t *http, cups_dest_t *dest, cups_dinfo_t *info, const pwg_media_t *want)
{
  ipp_attribute_t *supported = cupsFindDestSupported (http, dest, info, "media");
  int min_w = -1, min_l = -1, max_w = -1, max_l = -1;

  for (int i = 0; supported != NULL && i < ippGetCount (supported); i++)
    {
      const char *name = ippGetString (supported, i, NULL);
      pwg_media_t *size;

      if (name == NULL || (size = pwgMediaForPWG (name)) == NULL)
        continue;
      if (g_str_has_prefix (name, "custom_min_"))
        {
          min_w = size->width;
          min_l = size->length;
        }
      else if (g_str_has_prefix (name, "custom_max_"))
        {
          max_w = size->width;
          max_l = size->length;
        }
    }
  return min_w > 0 && max_w > 0 && want->width >= min_w && want->width <= max_w &&
         want->length >= min_l && want->length <= max_l;
}

/* Adds the media options for MEDIA_NAME; FALSE when the printer cannot
 * take it. */
static gboolean
add_media (http_t *http, cups_dest_t *dest, cups_dinfo_t *info, const char *media_name,
           int *num_options, cups_option_t **options)
{
  cups_size_t size = { 0 };
  int count = cupsGetDestMediaCount (http, dest, info, CUPS_MEDIA_FLAGS_DEFAULT);
  pwg_media_t *want = pwgMediaForPWG (media_name);

  if (count < 0 || want == NULL)
    return FALSE;
  /* The lookup may return the nearest size instead of the one asked for; a
   * receipt on the wrong paper is worse than none. Half a millimetre covers
   * the rounding of sizes stored in points. */
  if (cupsGetDestMediaByName (http, dest, info, media_name, CUPS_MEDIA_FLAGS_DEFAULT, &size) &&
      ABS (size.width - want->width) <= 50 && ABS (size.length - want->length) <= 50)
    {
      *num_options = cupsAddDestMediaOptions (http, dest, info, CUPS_MEDIA_FLAGS_DEFAULT, &size,
                                              *num_options, options);
      return TRUE;
    }
  /* For a PPD-based queue, CUPS 2.4 lists only the PPD's fixed sizes in
   * media-col-database, so cupsGetDestMediaByName() never finds a custom
   * roll length even when the queue accepts custom sizes. The self-describing
   * name custom_WxHmm_WxHmm is then passed as the media option, after
   * checking it against the queue's custom_min_/custom_max_ range. */
  if (g_str_has_prefix (media_name, "custom_") && custom_size_supported (http, dest, info, want))
    {
      *num_options = cupsAddOption ("media", media_name, *num_options, options);
      return TRUE;
    }
  return FALSE;
}

static gboolean
job_state (http_t *http, cups_dest_t *dest, int job_id, int *out_state, char **out_reasons)
{
  static const char *const attrs[] = { "job-state", "job-state-reasons" };
  const char *uri = cupsGetOption ("printer-uri-supported", dest->num_options, dest->options);
  ipp_t *request, *response;
  ipp_attribute_t *attr;
  GString *reasons;

  if (uri == NULL)
    return FALSE;
  request = ippNewRequest (IPP_OP_GET_JOB_ATTRIBUTES);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddInteger (request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 G_N_ELEMENTS (attrs), NULL, attrs);
  response = cupsDoRequest (http, request, "/");
  if (response == NULL || ippGetStatusCode (response) > IPP_STATUS_OK_EVENTS_COMPLETE ||
      (attr = ippFindAttribute (response, "job-state", IPP_TAG_ENUM)) == NULL)
    {
      ippDelete (response);
      return FALSE;
    }
  *out_state = ippGetInteger (attr, 0);
  reasons = g_string_new (NULL);
  if ((attr = ippFindAttribute (response, "job-state-reasons", IPP_TAG_KEYWORD)) != NULL)
    for (int i = 0; i < ippGetCount (attr); i++)
      g_string_append_printf (reasons, "%s%s", i > 0 ? "," : "", ippGetString (attr, i, NULL));
  *out_reasons = g_string_free (reasons, FALSE);
  ippDelete (response);
  return TRUE;
}

/* Polls the job until it is completed, cancelled or aborted, watching the
 * printer too: a job waiting on a paused or paperless printer would wait
 * forever, and the citizen is still standing at the kiosk. */
static gboolean
follow_job (http_t *http, cups_dest_t *dest, int job_id, gint64 deadline,
            GCancellable *cancellable, SaphanPrintProblem *out_problem, GError **error)
{
  SaphanPrintProblem last_printer_problem = SAPHAN_PRINT_OK;
  g_autofree char *last_reasons = NULL;
  g_autofree char *last_message = NULL;
  int last_state = 0;

  for (;;)
    {
      g_autofree char *job_reasons = NULL;
      g_autofree char *printer_reasons = NULL;
      g_autofree char *printer_message = NULL;
      int state = 0, pstate = IPP_PSTATE_IDLE;
      gboolean accepting = TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          *out_problem = SAPHAN_PRINT_CANCELED;
          return FALSE;
        }
      if (!job_state (http, dest, job_id, &state, &job_reasons))
        return set_problem (out_problem, error,
                            httpGetFd (http) < 0 || cupsLastError () == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE
                                ? SAPHAN_PRINT_SERVER_UNAVAILABLE : SAPHAN_PRINT_FAILED,
                            cupsLastErrorString ());
      last_state = state;
      if (state == IPP_JSTATE_COMPLETED)
        return TRUE;
      if (state == IPP_JSTATE_CANCELED)
        return set_problem (out_problem, error, SAPHAN_PRINT_CANCELED, NULL);
      if (state == IPP_JSTATE_ABORTED)
        {
          SaphanPrintProblem p = saphan_printer_problem_from_reasons (last_reasons);
          return set_problem (out_problem, error,
                              p == SAPHAN_PRINT_OUT_OF_PAPER || p == SAPHAN_PRINT_OFFLINE ? p
                                                                                          : SAPHAN_PRINT_ABORTED,
                              job_reasons);
        }

      if (query_printer (http, dest, &pstate, &accepting, &printer_reasons, &printer_message))
        {
          SaphanPrintProblem p = queue_problem (pstate, TRUE, printer_reasons);

          g_free (last_reasons);
          last_reasons = g_strdup (printer_reasons);
          g_free (last_message);
          last_message = g_strdup (printer_message);
          last_printer_problem = p;
          if (p == SAPHAN_PRINT_STOPPED || p == SAPHAN_PRINT_OUT_OF_PAPER ||
              p == SAPHAN_PRINT_OFFLINE || p == SAPHAN_PRINT_ABORTED)
            return set_problem (out_problem, error, p, NULL);
        }

      if (g_get_monotonic_time () > deadline)
        {
          /* A printer CUPS keeps trying to reach is the usual cause. CUPS
           * 2.4's ipp backend then leaves printer-state-reasons at "none"
           * and only says so in printer-state-message, so a job stuck in
           * "processing" with a message from the backend counts as offline
           * too; the message is passed on for staff. */
          if ((last_reasons != NULL && strstr (last_reasons, "connecting-to-device") != NULL) ||
              (last_state == IPP_JSTATE_PROCESSING && last_message != NULL && *last_message != '\0'))
            last_printer_problem = SAPHAN_PRINT_OFFLINE;
          return set_problem (out_problem, error,
                              last_printer_problem != SAPHAN_PRINT_OK ? last_printer_problem
                                                                      : SAPHAN_PRINT_TIMEOUT,
                              last_message);
        }
      g_usleep (POLL_INTERVAL_USEC);
    }
}

gboolean
saphan_printer_print_pdf (const char *queue, GBytes *pdf, const char *media_name, const char *title,
                          guint timeout_ms, GCancellable *cancellable,
                          SaphanPrintJobResult *out_result, SaphanPrintProblem *out_problem,
                          GError **error)
{
  gint64 start = g_get_monotonic_time ();
  SaphanPrintProblem problem_storage = SAPHAN_PRINT_OK;
  SaphanPrintProblem *problem = out_problem != NULL ? out_problem : &problem_storage;
  http_t *http = NULL;
  cups_dest_t *dest = NULL;
  cups_dinfo_t *info = NULL;
  cups_option_t *options = NULL;
  int num_options = 0;
  int job_id = 0;
  int state = 0;
  gboolean accepting = TRUE;
  g_autofree char *reasons = NULL;
  gboolean ok = FALSE;
  gsize len;
  const char *data;

  g_return_val_if_fail (queue != NULL && pdf != NULL && media_name != NULL, FALSE);

  *problem = SAPHAN_PRINT_OK;
  if (out_result != NULL)
    memset (out_result, 0, sizeof *out_result);

  if (!saphan_cups_load (error))
    {
      *problem = SAPHAN_PRINT_FAILED;
      return FALSE;
    }
  http = connect_server ();
  if (http == NULL)
    return set_problem (problem, error, SAPHAN_PRINT_SERVER_UNAVAILABLE, cupsLastErrorString ());
  dest = find_dest (http, queue, problem);
  if (dest == NULL)
    {
      set_problem (problem, error, *problem, *problem == SAPHAN_PRINT_QUEUE_NOT_FOUND ? queue : NULL);
      goto out;
    }
  info = cupsCopyDestInfo (http, dest);
  if (info == NULL)
    {
      set_problem (problem, error, SAPHAN_PRINT_FAILED, cupsLastErrorString ());
      goto out;
    }

  /* Refuse early: a job queued on a paused printer would print hours later,
   * long after the citizen has left with the wrong idea. */
  if (query_printer (http, dest, &state, &accepting, &reasons, NULL))
    {
      SaphanPrintProblem p = queue_problem (state, accepting, reasons);
      if (p != SAPHAN_PRINT_OK)
        {
          set_problem (problem, error, p, NULL);
          goto out;
        }
    }

  if (!add_media (http, dest, info, media_name, &num_options, &options))
    {
      set_problem (problem, error, SAPHAN_PRINT_MEDIA_UNSUPPORTED, media_name);
      goto out;
    }

  if (cupsCreateDestJob (http, dest, info, &job_id, title != NULL ? title : "receipt",
                         num_options, options) > IPP_STATUS_OK_EVENTS_COMPLETE || job_id <= 0)
    {
      set_problem (problem, error,
                   cupsLastError () == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS ? SAPHAN_PRINT_NOT_ACCEPTING
                                                                           : SAPHAN_PRINT_FAILED,
                   cupsLastErrorString ());
      goto out;
    }
  data = g_bytes_get_data (pdf, &len);
  if (cupsStartDestDocument (http, dest, info, job_id, "receipt.pdf", CUPS_FORMAT_PDF,
                             0, NULL, 1) != HTTP_STATUS_CONTINUE ||
      cupsWriteRequestData (http, data, len) != HTTP_STATUS_CONTINUE ||
      cupsFinishDestDocument (http, dest, info) > IPP_STATUS_OK_EVENTS_COMPLETE)
    {
      set_problem (problem, error, SAPHAN_PRINT_FAILED, cupsLastErrorString ());
      goto out;
    }
  if (out_result != NULL)
    {
      out_result->job_id = job_id;
      out_result->accepted_usec = g_get_monotonic_time () - start;
    }
  g_debug ("Job %d accepted by queue %s", job_id, queue);

  ok = follow_job (http, dest, job_id, start + (gint64) timeout_ms * 1000, cancellable, problem, error);
  if (ok && out_result != NULL)
    out_result->completed_usec = g_get_monotonic_time () - start;

out:
  /* A job left behind would print later, unexpectedly, and the reprint would
   * make two receipts. */
  if (!ok && job_id > 0 && *problem != SAPHAN_PRINT_CANCELED &&
      *problem != SAPHAN_PRINT_SERVER_UNAVAILABLE)
    cupsCancelDestJob (http, dest, job_id);
  else if (!ok && job_id > 0 && g_cancellable_is_cancelled (cancellable))
    cupsCancelDestJob (http, dest, job_id);
  cupsFreeOptions (num_options, options);
  if (info != NULL)
    cupsFreeDestInfo (info);
  if (dest != NULL)
    cupsFreeDests (1, dest);
  httpClose (http);
  return ok;
}
