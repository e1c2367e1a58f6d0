/* saphan-printer.h: printing a PDF through CUPS and following the job.
 *
 * Uses CUPS's destination API against the server cupsServer() names (the
 * CUPS_SERVER environment variable or client.conf). Every call blocks on the
 * network; the kiosk calls them from a worker thread (see
 * saphan-receipt-print.h for the _async variants).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What went wrong, precisely enough to tell the citizen and staff. */
typedef enum
{
  SAPHAN_PRINT_OK,
  SAPHAN_PRINT_SERVER_UNAVAILABLE, /* cupsd is not running or not reachable */
  SAPHAN_PRINT_QUEUE_NOT_FOUND,
  SAPHAN_PRINT_STOPPED,            /* the queue is paused (cupsdisable) */
  SAPHAN_PRINT_NOT_ACCEPTING,      /* the queue rejects jobs (cupsreject) */
  SAPHAN_PRINT_OFFLINE,            /* CUPS cannot reach the printer */
  SAPHAN_PRINT_OUT_OF_PAPER,       /* printer-state-reasons media-empty / media-needed */
  SAPHAN_PRINT_MEDIA_UNSUPPORTED,
  SAPHAN_PRINT_CANCELED,           /* someone cancelled the job */
  SAPHAN_PRINT_ABORTED,            /* the printer or a filter gave up */
  SAPHAN_PRINT_TIMEOUT,
  SAPHAN_PRINT_FAILED,
} SaphanPrintProblem;

const char *saphan_print_problem_to_string (SaphanPrintProblem problem);

typedef struct
{
  char    *queue;
  char    *server;          /* cupsServer(), or NULL when libcups cannot be loaded */
  gboolean reachable;       /* the CUPS server answered */
  gboolean exists;          /* the queue exists */
  int      state;           /* IPP printer-state: 3 idle, 4 processing, 5 stopped */
  gboolean accepting;
  char    *state_message;
  char    *reasons;         /* printer-state-reasons, comma-separated */
  char    *make_and_model;
  guint    media_count;     /* cupsGetDestMediaCount() */
  SaphanPrintProblem problem;
  char    *problem_message; /* translated, for people */
} SaphanPrinterStatus;

void saphan_printer_status_free (SaphanPrinterStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanPrinterStatus, saphan_printer_status_free)

/* Never fails: an unreachable server or missing queue is described in the
 * returned status. */
SaphanPrinterStatus *saphan_printer_get_status (const char *queue);

/* Maps a comma-separated printer-state-reasons value to a problem
 * (SAPHAN_PRINT_OK when none of the reasons stops printing). */
SaphanPrintProblem   saphan_printer_problem_from_reasons (const char *reasons);

typedef struct
{
  int    job_id;
  gint64 accepted_usec;   /* from the call to the job being accepted by CUPS */
  gint64 completed_usec;  /* from the call to the job being completed */
} SaphanPrintJobResult;

/* Prints PDF on QUEUE with MEDIA_NAME (a PWG name such as
 * "custom_80x120mm_80x120mm" or "iso_a4_210x297mm") and waits until the job
 * is completed. On failure, OUT_PROBLEM says why and a job still in CUPS is
 * cancelled so that it cannot print unexpectedly later. */
gboolean saphan_printer_print_pdf (const char           *queue,
                                   GBytes               *pdf,
                                   const char           *media_name,
                                   const char           *title,
                                   guint                 timeout_ms,
                                   GCancellable         *cancellable,
                                   SaphanPrintJobResult *out_result,
                                   SaphanPrintProblem   *out_problem,
                                   GError              **error);

G_END_DECLS
