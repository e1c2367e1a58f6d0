/* saphan-curl-loader.c: the libcurl functions sync calls, opening libcurl
 * at the first call (see saphan-library.h for why).
 *
 * Each function here has libcurl's own name and prototype (curl.h is
 * included, so a mismatch does not build) and forwards to libcurl's. The
 * program is not linked with libcurl at all. If libcurl cannot be loaded,
 * each returns what libcurl returns when it cannot start (NULL handles,
 * CURLE_FAILED_INIT, CURLM_INTERNAL_ERROR), and saphan_curl_load() says
 * why.
 */
#include "config.h"

/* Typechecking wraps curl_easy_setopt() in a macro, which would rename the
 * definition below; the callers keep it. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "saphan-curl-loader.h"
#include "saphan-library.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>

#define CURL_SYMBOLS(X) \
  X (curl_easy_cleanup) \
  X (curl_easy_getinfo) \
  X (curl_easy_init) \
  X (curl_easy_perform) \
  X (curl_easy_setopt) \
  X (curl_easy_strerror) \
  X (curl_global_init) \
  X (curl_global_init_mem) \
  X (curl_mime_addpart) \
  X (curl_mime_data) \
  X (curl_mime_data_cb) \
  X (curl_mime_filename) \
  X (curl_mime_free) \
  X (curl_mime_init) \
  X (curl_mime_name) \
  X (curl_mime_type) \
  X (curl_multi_add_handle) \
  X (curl_multi_assign) \
  X (curl_multi_cleanup) \
  X (curl_multi_info_read) \
  X (curl_multi_init) \
  X (curl_multi_remove_handle) \
  X (curl_multi_setopt) \
  X (curl_multi_socket_action) \
  X (curl_multi_strerror) \
  X (curl_slist_append) \
  X (curl_slist_free_all)

/* The soname of libcurl 7 and 8 alike (Debian's libcurl4). */
SAPHAN_LIBRARY_DEFINE (libcurl, "libcurl.so.4", N_("sending answers"), CURL_SYMBOLS);

#define REAL(name) SAPHAN_LIBRARY_REAL (libcurl, name)
#define FORWARD(...) SAPHAN_LIBRARY_FORWARD (libcurl, __VA_ARGS__)
#define FORWARD_VOID(...) SAPHAN_LIBRARY_FORWARD_VOID (libcurl, __VA_ARGS__)

gboolean
saphan_curl_load (GError **error)
{
  static gsize initialized;

  if (!saphan_library_load (&libcurl, error))
    return FALSE;
  /* libcurl's own start-up, once, by whichever thread opens it first. A
   * program that called curl_global_init_mem() before (the allocation
   * torture test) keeps its allocator: this only counts one more user. */
  if (g_once_init_enter (&initialized))
    {
      REAL (curl_global_init) (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&initialized, 1);
    }
  return TRUE;
}

FORWARD (CURLcode, curl_global_init, (long flags), (flags), CURLE_FAILED_INIT)
FORWARD (CURLcode, curl_global_init_mem,
         (long flags, curl_malloc_callback m, curl_free_callback f, curl_realloc_callback r,
          curl_strdup_callback s, curl_calloc_callback c),
         (flags, m, f, r, s, c), CURLE_FAILED_INIT)

FORWARD (CURL *, curl_easy_init, (void), (), NULL)
FORWARD_VOID (curl_easy_cleanup, (CURL *curl), (curl))
FORWARD (CURLcode, curl_easy_perform, (CURL *curl), (curl), CURLE_FAILED_INIT)
FORWARD (const char *, curl_easy_strerror, (CURLcode code), (code), "libcurl is not loaded")

/* libcurl reads a setopt value by the type its option number encodes
 * (CURLOPTTYPE_*), so the value is passed on read as that same type. The
 * multi handle's options are numbered the same way, so one definition
 * serves curl_easy_setopt() and curl_multi_setopt(). */
#define FORWARD_SETOPT(code_t, name, handle_t, option_t, failed) \
  code_t name (handle_t *handle, option_t option, ...) \
  { \
    code_t rc; \
    va_list ap; \
 \
    if (!saphan_library_load (&libcurl, NULL)) \
      return failed; \
    va_start (ap, option); \
    if (option < CURLOPTTYPE_OBJECTPOINT) \
      rc = REAL (name) (handle, option, va_arg (ap, long)); \
    else if (option < CURLOPTTYPE_FUNCTIONPOINT) \
      rc = REAL (name) (handle, option, va_arg (ap, void *)); \
    else if (option < CURLOPTTYPE_OFF_T) \
      rc = REAL (name) (handle, option, va_arg (ap, void (*) (void))); \
    else if (option < CURLOPTTYPE_BLOB) \
      rc = REAL (name) (handle, option, va_arg (ap, curl_off_t)); \
    else \
      rc = REAL (name) (handle, option, va_arg (ap, void *)); \
    va_end (ap); \
    return rc; \
  }

FORWARD_SETOPT (CURLcode, curl_easy_setopt, CURL, CURLoption, CURLE_FAILED_INIT)
FORWARD_SETOPT (CURLMcode, curl_multi_setopt, CURLM, CURLMoption, CURLM_INTERNAL_ERROR)

/* Every CURLINFO_* value is returned through a pointer. */
CURLcode
curl_easy_getinfo (CURL *curl, CURLINFO info, ...)
{
  CURLcode rc;
  va_list ap;

  if (!saphan_library_load (&libcurl, NULL))
    return CURLE_FAILED_INIT;
  va_start (ap, info);
  rc = REAL (curl_easy_getinfo) (curl, info, va_arg (ap, void *));
  va_end (ap);
  return rc;
}

FORWARD (curl_mime *, curl_mime_init, (CURL *easy), (easy), NULL)
FORWARD_VOID (curl_mime_free, (curl_mime *mime), (mime))
FORWARD (curl_mimepart *, curl_mime_addpart, (curl_mime *mime), (mime), NULL)
FORWARD (CURLcode, curl_mime_name, (curl_mimepart *part, const char *name), (part, name),
         CURLE_FAILED_INIT)
FORWARD (CURLcode, curl_mime_filename, (curl_mimepart *part, const char *filename),
         (part, filename), CURLE_FAILED_INIT)
FORWARD (CURLcode, curl_mime_type, (curl_mimepart *part, const char *mimetype),
         (part, mimetype), CURLE_FAILED_INIT)
FORWARD (CURLcode, curl_mime_data, (curl_mimepart *part, const char *data, size_t datasize),
         (part, data, datasize), CURLE_FAILED_INIT)
FORWARD (CURLcode, curl_mime_data_cb,
         (curl_mimepart *part, curl_off_t datasize, curl_read_callback readfunc,
          curl_seek_callback seekfunc, curl_free_callback freefunc, void *arg),
         (part, datasize, readfunc, seekfunc, freefunc, arg), CURLE_FAILED_INIT)

FORWARD (CURLM *, curl_multi_init, (void), (), NULL)
FORWARD (CURLMcode, curl_multi_cleanup, (CURLM *multi), (multi), CURLM_INTERNAL_ERROR)
FORWARD (CURLMcode, curl_multi_add_handle, (CURLM *multi, CURL *easy), (multi, easy),
         CURLM_INTERNAL_ERROR)
FORWARD (CURLMcode, curl_multi_remove_handle, (CURLM *multi, CURL *easy), (multi, easy),
         CURLM_INTERNAL_ERROR)
FORWARD (CURLMcode, curl_multi_assign, (CURLM *multi, curl_socket_t fd, void *data),
         (multi, fd, data), CURLM_INTERNAL_ERROR)
FORWARD (CURLMsg *, curl_multi_info_read, (CURLM *multi, int *msgs_in_queue),
         (multi, msgs_in_queue), NULL)
FORWARD (CURLMcode, curl_multi_socket_action,
         (CURLM *multi, curl_socket_t fd, int ev_bitmask, int *running_handles),
         (multi, fd, ev_bitmask, running_handles), CURLM_INTERNAL_ERROR)
FORWARD (const char *, curl_multi_strerror, (CURLMcode code), (code), "libcurl is not loaded")

FORWARD (struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *data),
         (list, data), NULL)
FORWARD_VOID (curl_slist_free_all, (struct curl_slist *list), (list))
