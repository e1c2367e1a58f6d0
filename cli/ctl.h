/* ctl.h: what every saphanctl command shares. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "saphan-store.h"

G_BEGIN_DECLS

/* Exit codes, the CLI's contract with scripts. */
enum
{
  CTL_EXIT_OK = 0,
  CTL_EXIT_REFUSED = 1,
  CTL_EXIT_USAGE = 2,
  CTL_EXIT_ENVIRONMENT = 3,
};

typedef struct
{
  char        *data_dir;
  gboolean     json;
  SaphanStore *store;   /* opened on first use */
} CtlContext;

/* A command receives ARGV with ARGV[0] its own name ("list" for "forms list"). */
typedef int (*CtlCommandFunc) (CtlContext *ctx, int argc, char **argv);

typedef struct
{
  const char    *group;    /* "forms", or NULL for a top-level command */
  const char    *name;
  const char    *usage;    /* arguments, for help */
  const char    *summary;  /* translatable */
  CtlCommandFunc func;
} CtlCommand;

SaphanStore *ctl_store       (CtlContext *ctx, GError **error);
/* Prints ERROR as one line on stderr and returns its exit code. */
int          ctl_fail        (CtlContext *ctx, const GError *error);
/* Prints a usage problem and returns CTL_EXIT_USAGE. */
int          ctl_usage       (const char *command, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Parses a command's own options, and with PARAMS "" refuses any other
 * argument; returns FALSE after printing the usage problem (the caller
 * returns CTL_EXIT_USAGE). */
gboolean     ctl_parse       (const char *command, const char *params, GOptionEntry *entries,
                              int *argc, char ***argv);
/* Prints what BUILDER built, pretty, on stdout. */
void         ctl_print_json  (JsonBuilder *builder);
char        *ctl_format_time (gint64 unix_seconds);

/* Command groups, each in its own file. */
extern const CtlCommand ctl_store_commands[];
extern const CtlCommand ctl_form_commands[];
extern const CtlCommand ctl_sync_commands[];
extern const CtlCommand ctl_bundle_commands[];
extern const CtlCommand ctl_usb_commands[];
extern const CtlCommand ctl_receipt_commands[];
extern const CtlCommand ctl_staff_commands[];

G_END_DECLS
