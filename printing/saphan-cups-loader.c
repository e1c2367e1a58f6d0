/* saphan-cups-loader.c: the libcups functions printing calls, opening
 * libcups at the first call (see saphan-library.h for why).
 *
 * Each function here has libcups's own name and prototype (the CUPS headers
 * are included, so a mismatch does not build) and forwards to libcups's.
 * The program is not linked with libcups at all. If libcups cannot be
 * loaded, each returns what CUPS returns when the server cannot be reached
 * (NULL, IPP_STATUS_ERROR_INTERNAL, no options added), and
 * saphan_cups_load() says why.
 */
#include "config.h"

#include "saphan-cups-loader.h"

#include "saphan-library.h"

#include <cups/cups.h>
#include <glib/gi18n-lib.h>

#define CUPS_SYMBOLS(X) \
  X (cupsAddDestMediaOptions) \
  X (cupsAddOption) \
  X (cupsCancelDestJob) \
  X (cupsCopyDestInfo) \
  X (cupsCreateDestJob) \
  X (cupsDoRequest) \
  X (cupsEncryption) \
  X (cupsFindDestSupported) \
  X (cupsFinishDestDocument) \
  X (cupsFreeDestInfo) \
  X (cupsFreeDests) \
  X (cupsFreeJobs) \
  X (cupsFreeOptions) \
  X (cupsGetDestMediaByName) \
  X (cupsGetDestMediaCount) \
  X (cupsGetJobs2) \
  X (cupsGetNamedDest) \
  X (cupsGetOption) \
  X (cupsLastError) \
  X (cupsLastErrorString) \
  X (cupsServer) \
  X (cupsSetServer) \
  X (cupsStartDestDocument) \
  X (cupsWriteRequestData) \
  X (httpClose) \
  X (httpConnect2) \
  X (httpGetFd) \
  X (ippAddInteger) \
  X (ippAddString) \
  X (ippAddStrings) \
  X (ippDelete) \
  X (ippFindAttribute) \
  X (ippGetBoolean) \
  X (ippGetCount) \
  X (ippGetInteger) \
  X (ippGetStatusCode) \
  X (ippGetString) \
  X (ippNewRequest) \
  X (ippPort) \
  X (pwgMediaForPWG)

/* The soname of CUPS 2 (Debian's libcups2). */
SAPHAN_LIBRARY_DEFINE (libcups, "libcups.so.2", N_("printing receipts"), CUPS_SYMBOLS);

#define FORWARD(...) SAPHAN_LIBRARY_FORWARD (libcups, __VA_ARGS__)
#define FORWARD_VOID(...) SAPHAN_LIBRARY_FORWARD_VOID (libcups, __VA_ARGS__)

gboolean
saphan_cups_load (GError **error)
{
  return saphan_library_load (&libcups, error);
}

/* The server and its connection. */
FORWARD (const char *, cupsServer, (void), (), "localhost")
FORWARD_VOID (cupsSetServer, (const char *server), (server))
FORWARD (int, ippPort, (void), (), IPP_PORT)
FORWARD (http_encryption_t, cupsEncryption, (void), (), HTTP_ENCRYPTION_IF_REQUESTED)
FORWARD (http_t *, httpConnect2,
         (const char *host, int port, http_addrlist_t *addrlist, int family,
          http_encryption_t encryption, int blocking, int msec, int *cancel),
         (host, port, addrlist, family, encryption, blocking, msec, cancel), NULL)
FORWARD_VOID (httpClose, (http_t *http), (http))
FORWARD (int, httpGetFd, (http_t *http), (http), -1)
FORWARD (ipp_status_t, cupsLastError, (void), (), IPP_STATUS_ERROR_INTERNAL)
FORWARD (const char *, cupsLastErrorString, (void), (), "libcups is not loaded")

/* Destinations, their options and media. */
FORWARD (cups_dest_t *, cupsGetNamedDest, (http_t *http, const char *name, const char *instance),
         (http, name, instance), NULL)
FORWARD_VOID (cupsFreeDests, (int num_dests, cups_dest_t *dests), (num_dests, dests))
FORWARD (cups_dinfo_t *, cupsCopyDestInfo, (http_t *http, cups_dest_t *dest), (http, dest), NULL)
FORWARD_VOID (cupsFreeDestInfo, (cups_dinfo_t *dinfo), (dinfo))
FORWARD (ipp_attribute_t *, cupsFindDestSupported,
         (http_t *http, cups_dest_t *dest, cups_dinfo_t *dinfo, const char *option),
         (http, dest, dinfo, option), NULL)
FORWARD (int, cupsGetDestMediaCount,
         (http_t *http, cups_dest_t *dest, cups_dinfo_t *dinfo, unsigned flags),
         (http, dest, dinfo, flags), 0)
FORWARD (int, cupsGetDestMediaByName,
         (http_t *http, cups_dest_t *dest, cups_dinfo_t *dinfo, const char *media, unsigned flags,
          cups_size_t *size),
         (http, dest, dinfo, media, flags, size), 0)
FORWARD (int, cupsAddDestMediaOptions,
         (http_t *http, cups_dest_t *dest, cups_dinfo_t *dinfo, unsigned flags, cups_size_t *size,
          int num_options, cups_option_t **options),
         (http, dest, dinfo, flags, size, num_options, options), num_options)
FORWARD (int, cupsAddOption,
         (const char *name, const char *value, int num_options, cups_option_t **options),
         (name, value, num_options, options), num_options)
FORWARD (const char *, cupsGetOption,
         (const char *name, int num_options, cups_option_t *options),
         (name, num_options, options), NULL)
FORWARD_VOID (cupsFreeOptions, (int num_options, cups_option_t *options), (num_options, options))
FORWARD (pwg_media_t *, pwgMediaForPWG, (const char *pwg), (pwg), NULL)

/* Jobs. */
FORWARD (ipp_status_t, cupsCreateDestJob,
         (http_t *http, cups_dest_t *dest, cups_dinfo_t *info, int *job_id, const char *title,
          int num_options, cups_option_t *options),
         (http, dest, info, job_id, title, num_options, options), IPP_STATUS_ERROR_INTERNAL)
FORWARD (http_status_t, cupsStartDestDocument,
         (http_t *http, cups_dest_t *dest, cups_dinfo_t *info, int job_id, const char *docname,
          const char *format, int num_options, cups_option_t *options, int last_document),
         (http, dest, info, job_id, docname, format, num_options, options, last_document),
         HTTP_STATUS_ERROR)
FORWARD (http_status_t, cupsWriteRequestData, (http_t *http, const char *buffer, size_t length),
         (http, buffer, length), HTTP_STATUS_ERROR)
FORWARD (ipp_status_t, cupsFinishDestDocument, (http_t *http, cups_dest_t *dest, cups_dinfo_t *info),
         (http, dest, info), IPP_STATUS_ERROR_INTERNAL)
FORWARD (ipp_status_t, cupsCancelDestJob, (http_t *http, cups_dest_t *dest, int job_id),
         (http, dest, job_id), IPP_STATUS_ERROR_INTERNAL)
/* The tests' CUPS harness counts a queue's jobs with these two. */
FORWARD (int, cupsGetJobs2,
         (http_t *http, cups_job_t **jobs, const char *name, int myjobs, int whichjobs),
         (http, jobs, name, myjobs, whichjobs), -1)
FORWARD_VOID (cupsFreeJobs, (int num_jobs, cups_job_t *jobs), (num_jobs, jobs))

/* IPP requests. */
FORWARD (ipp_t *, ippNewRequest, (ipp_op_t op), (op), NULL)
FORWARD (ipp_t *, cupsDoRequest, (http_t *http, ipp_t *request, const char *resource),
         (http, request, resource), NULL)
FORWARD_VOID (ippDelete, (ipp_t *ipp), (ipp))
FORWARD (ipp_attribute_t *, ippAddInteger,
         (ipp_t *ipp, ipp_tag_t group, ipp_tag_t value_tag, const char *name, int value),
         (ipp, group, value_tag, name, value), NULL)
FORWARD (ipp_attribute_t *, ippAddString,
         (ipp_t *ipp, ipp_tag_t group, ipp_tag_t value_tag, const char *name, const char *language,
          const char *value),
         (ipp, group, value_tag, name, language, value), NULL)
FORWARD (ipp_attribute_t *, ippAddStrings,
         (ipp_t *ipp, ipp_tag_t group, ipp_tag_t value_tag, const char *name, int num_values,
          const char *language, const char *const *values),
         (ipp, group, value_tag, name, num_values, language, values), NULL)
FORWARD (ipp_attribute_t *, ippFindAttribute, (ipp_t *ipp, const char *name, ipp_tag_t value_tag),
         (ipp, name, value_tag), NULL)
FORWARD (ipp_status_t, ippGetStatusCode, (ipp_t *ipp), (ipp), IPP_STATUS_ERROR_INTERNAL)
FORWARD (int, ippGetCount, (ipp_attribute_t *attr), (attr), 0)
FORWARD (int, ippGetInteger, (ipp_attribute_t *attr, int element), (attr, element), 0)
FORWARD (int, ippGetBoolean, (ipp_attribute_t *attr, int element), (attr, element), 0)
FORWARD (const char *, ippGetString, (ipp_attribute_t *attr, int element, const char **language),
         (attr, element, language), NULL)
