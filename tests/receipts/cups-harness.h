/* cups-harness.h: a private CUPS server and two IPP Everywhere printers.
 *
 * Starts, in a temporary folder and on free loopback ports:
 * - ippeveprinter as an 80 mm, 203 dpi roll printer and as an A4 printer,
 *   each keeping the documents it receives (-k) in its own spool folder;
 * - cupsd with its own cupsd.conf and cups-files.conf (-c, -s), with the
 *   queues saphan-roll80 and saphan-a4 pointing at those printers.
 * CUPS_SERVER is set so that the kiosk's code, lpadmin and saphanctl all
 * talk to this cupsd. ippeveprinter announces itself over DNS-SD, so the
 * system D-Bus and avahi-daemon are started when they are not running.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  HARNESS_ROLL80,
  HARNESS_A4,
  HARNESS_N_PRINTERS
} HarnessPrinter;

typedef struct
{
  char        *dir;
  int          cupsd_port;
  GSubprocess *cupsd;
  int          printer_port[HARNESS_N_PRINTERS];
  GSubprocess *printer[HARNESS_N_PRINTERS];
  char        *spool[HARNESS_N_PRINTERS];
} CupsHarness;

#define HARNESS_QUEUE_ROLL80 "saphan-roll80"
#define HARNESS_QUEUE_A4 "saphan-a4"

/* NULL with *OUT_SKIP_REASON set when the CUPS tools are not installed. */
CupsHarness *cups_harness_start          (char **out_skip_reason);
void         cups_harness_stop           (CupsHarness *h);

void         cups_harness_start_cupsd    (CupsHarness *h);
void         cups_harness_stop_cupsd     (CupsHarness *h);
void         cups_harness_start_printer  (CupsHarness *h, HarnessPrinter which);
void         cups_harness_stop_printer   (CupsHarness *h, HarnessPrinter which);

/* Runs a CUPS command line tool (lpadmin, cupsdisable, cancel, ...)
 * against the harness's cupsd and asserts that it succeeds. */
void         cups_harness_run            (CupsHarness *h, const char *const *argv);

/* How many documents printer WHICH has received so far. */
guint        cups_harness_count_documents (CupsHarness *h, HarnessPrinter which);
/* Waits for document number INDEX (0-based, in arrival order) and returns
 * its bytes. */
GBytes      *cups_harness_take_document  (CupsHarness *h, HarnessPrinter which, guint index);

/* The number of jobs cupsd still has in the queue (not completed). */
guint        cups_harness_active_jobs    (CupsHarness *h, const char *queue);

G_END_DECLS
