/* ctl-usb.c: carrying queued submissions out on a stick and in again. */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n-lib.h>

#include "ctl.h"
#include "saphan-error.h"
#include "saphan-usb.h"

static int
cmd_export (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaphanUsbExportResult) result = NULL;
  SaphanStore *store;

  if (!ctl_parse ("usb export", "DIR", NULL, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("usb export", _("give exactly one folder"));
  if ((store = ctl_store (ctx, &error)) == NULL ||
      (result = saphan_usb_export (store, argv[1], &error)) == NULL)
    return ctl_fail (ctx, error);
  if (result->n_submissions == 0)
    printf ("%s\n", _("Nothing to export: no queued submissions."));
  else
    printf (_("Exported %u submissions (%u files) to %s.\n"), result->n_submissions,
            result->n_files, result->folder);
  return CTL_EXIT_OK;
}

static int
cmd_import (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *trust_key = NULL, *private_key = NULL;
  g_autofree char *trust_text = NULL, *private_text = NULL;
  SaphanUsbImportResult result = { 0 };
  SaphanStore *store;
  GOptionEntry entries[] = {
    { "trust-key", 0, 0, G_OPTION_ARG_FILENAME, &trust_key,
      N_("The exporting kiosk's public key file, if it is not trusted here"), "FILE" },
    { "private-key", 0, 0, G_OPTION_ARG_FILENAME, &private_key,
      N_("The central RSA private key (PEM) for encrypted exports"), "FILE" },
    { NULL }
  };

  if (!ctl_parse ("usb import", "DIR", entries, &argc, &argv))
    return CTL_EXIT_USAGE;
  if (argc != 2)
    return ctl_usage ("usb import", _("give exactly one folder"));
  if ((trust_key != NULL && !g_file_get_contents (trust_key, &trust_text, NULL, &error)) ||
      (private_key != NULL && !g_file_get_contents (private_key, &private_text, NULL, &error)) ||
      (store = ctl_store (ctx, &error)) == NULL ||
      !saphan_usb_import (store, argv[1], trust_text, private_text, &result, &error))
    return ctl_fail (ctx, error);
  printf (_("Queued %u submissions from %u exports; %u were already here.\n"), result.n_queued,
          result.n_exports, result.n_skipped);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_usb_commands[] = {
  { "usb", "export", "DIR", N_("Write queued submissions to a stick, signed"), cmd_export },
  { "usb", "import", "DIR [--trust-key FILE] [--private-key FILE]",
    N_("Queue submissions exported by another kiosk"), cmd_import },
  { NULL, NULL, NULL, NULL, NULL },
};
