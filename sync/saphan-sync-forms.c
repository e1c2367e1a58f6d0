/* saphan-sync-forms.c: keeps the kiosk's forms current from the server. */
#include "config.h"

#include "saphan-sync-forms.h"

#include <string.h>
#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "saphan-curl-loader.h"
#include "saphan-error.h"
#include "saphan-sync-profile.h"

/* Limits for what a server may send: a form list, one form, one media
 * file. Anything larger is refused rather than filling the kiosk's disk. */
#define LIST_CAP   (1024 * 1024)
#define FORM_CAP   (10 * 1024 * 1024)
#define MEDIA_CAP  (50 * 1024 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

typedef struct
{
  char *id;
  char *name;
  char *version;
  char *hash;
  char *download_url;
  char *manifest_url;
} FormEntry;

typedef struct
{
  SaphanStore          *store;
  SaphanFormInstallFunc install;
  gpointer              install_data;
  SaphanFormsSummary    summary;
} UpdateJob;

static void
form_entry_free (FormEntry *e)
{
  g_free (e->id);
  g_free (e->name);
  g_free (e->version);
  g_free (e->hash);
  g_free (e->download_url);
  g_free (e->manifest_url);
  g_free (e);
}

static void
update_job_free (UpdateJob *job)
{
  g_clear_object (&job->store);
  g_free (job);
}

typedef struct
{
  GByteArray *data;
  gsize       cap;
  gboolean    too_large;
} Sink;

static size_t
sink_cb (char *data, size_t size, size_t n, void *user_data)
{
  Sink *sink = user_data;

  if (sink->data->len + size * n > sink->cap)
    {
      sink->too_large = TRUE;
      return 0;
    }
  g_byte_array_append (sink->data, (const guint8 *) data, size * n);
  return size * n;
}

static gboolean
same_origin (const SaphanSyncProfile *profile, const char *url)
{
  g_autoptr (GUri) a = g_uri_parse (profile->url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) b = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  /* Download links come from the server's answer: follow them only to the
   * server itself, never to wherever a tampered list points. */
  return a != NULL && b != NULL && g_strcmp0 (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

/* One blocking GET; returns the body of a 200 answer. */
static GBytes *
http_get (const SaphanSyncProfile *profile, const char *url, gsize cap, GCancellable *cancellable,
          GError **error)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  struct curl_slist *headers = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  Sink sink = { body, cap, FALSE };
  CURL *easy;
  CURLcode rc = CURLE_OK;
  long status = 0;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  headers = saphan_sync_openrosa_headers (FALSE);
  easy = curl_easy_init ();
  if (!saphan_sync_profile_apply (profile, easy, url, headers, error))
    {
      if (easy != NULL)
        curl_easy_cleanup (easy);
      curl_slist_free_all (headers);
      return NULL;
    }
  /* These only store pointers and cannot fail. */
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, sink_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, errbuf);
  rc = curl_easy_perform (easy);
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (easy);
  curl_slist_free_all (headers);

  if (sink.too_large)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The server sent a file larger than %zu bytes; it was refused."), cap);
      return NULL;
    }
  if (rc != CURLE_OK)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK, _("Could not reach the server: %s"),
                   errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
      return NULL;
    }
  if (status == 401 || status == 403)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_PERMISSION,
                   _("The server refused the kiosk’s credentials (HTTP %ld). Check them with “saphanctl server show”."),
                   status);
      return NULL;
    }
  if (status != 200)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK,
                   _("The server answered HTTP %ld instead of the file. Try again later."), status);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static xmlDoc *
parse_xml (GBytes *bytes)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size == 0 || size > G_MAXINT)
    return NULL;
  return xmlReadMemory (data, (int) size, "server.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static char *
child_text (xmlNode *parent, const char *name)
{
  for (xmlNode *n = parent->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrcmp (n->name, BAD_CAST name) == 0)
      {
        xmlChar *text = xmlNodeGetContent (n);
        char *out = g_strstrip (g_strdup ((const char *) text));
        xmlFree (text);
        return out;
      }
  return NULL;
}

static gboolean
md5_matches (GBytes *bytes, const char *hash)
{
  g_autofree char *actual = NULL;

  if (hash == NULL || !g_str_has_prefix (hash, "md5:"))
    return FALSE;
  actual = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bytes);
  return g_ascii_strcasecmp (actual, hash + 4) == 0;
}

static gboolean
default_install (SaphanStore *store, const char *form_id, const char *version, const char *title, GBytes *xml,
                 GHashTable *media, gpointer user_data, GError **error)
{
  g_autoptr (xmlDoc) doc = parse_xml (xml);

  if (doc == NULL)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("The form %s from the server is not well-formed XML; the installed version stays."), form_id);
      return FALSE;
    }
  return saphan_store_install_form (store, form_id, version, title, xml, media, error);
}

/* The media files a form's manifest lists, each checked against its hash. */
static GHashTable *
fetch_media (const SaphanSyncProfile *profile, const char *manifest_url, GCancellable *cancellable,
             GError **error)
{
  g_autoptr (GHashTable) media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_bytes_unref);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode *root;

  if (!same_origin (profile, manifest_url))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("A manifest points outside the server; refused."));
      return NULL;
    }
  body = http_get (profile, manifest_url, LIST_CAP, cancellable, error);
  if (body == NULL)
    return NULL;
  doc = parse_xml (body);
  if (doc == NULL || (root = xmlDocGetRootElement (doc)) == NULL || xmlStrcmp (root->name, BAD_CAST "manifest") != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("The server’s form manifest is not valid."));
      return NULL;
    }
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      g_autofree char *filename = NULL;
      g_autofree char *hash = NULL;
      g_autofree char *url = NULL;
      g_autoptr (GBytes) data = NULL;

      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "mediaFile") != 0)
        continue;
      filename = child_text (n, "filename");
      hash = child_text (n, "hash");
      url = child_text (n, "downloadUrl");
      /* A media name becomes a file name at the kiosk: no paths. */
      if (filename == NULL || *filename == '\0' || *filename == '.' || strchr (filename, '/') != NULL ||
          strchr (filename, '\\') != NULL || !same_origin (profile, url))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("The manifest lists an unsafe media file."));
          return NULL;
        }
      data = http_get (profile, url, MEDIA_CAP, cancellable, error);
      if (data == NULL)
        return NULL;
      if (!md5_matches (data, hash))
        {
          g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                       _("A media file does not match its hash; the download was damaged."));
          return NULL;
        }
      g_hash_table_insert (media, g_steal_pointer (&filename), g_steal_pointer (&data));
    }
  return g_steal_pointer (&media);
}

static GPtrArray *
parse_form_list (GBytes *body, GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) form_entry_free);
  g_autoptr (xmlDoc) doc = parse_xml (body);
  xmlNode *root;

  if (doc == NULL || (root = xmlDocGetRootElement (doc)) == NULL || xmlStrcmp (root->name, BAD_CAST "xforms") != 0)
    {
      /* A captive portal's page must not make every form disappear. */
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_NETWORK,
                   _("The server’s answer is not an OpenRosa form list; nothing was changed."));
      return NULL;
    }
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      FormEntry *e;

      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "xform") != 0)
        continue;
      e = g_new0 (FormEntry, 1);
      e->id = child_text (n, "formID");
      e->name = child_text (n, "name");
      e->version = child_text (n, "version");
      e->hash = child_text (n, "hash");
      e->download_url = child_text (n, "downloadUrl");
      e->manifest_url = child_text (n, "manifestUrl");
      if (e->id == NULL || *e->id == '\0')
        {
          form_entry_free (e);
          continue;
        }
      g_ptr_array_add (list, e);
    }
  return g_steal_pointer (&list);
}

static gboolean
update_one (UpdateJob *job, const SaphanSyncProfile *profile, FormEntry *e, GCancellable *cancellable,
            GError **error)
{
  g_autoptr (GBytes) xml = NULL;
  g_autoptr (GHashTable) media = NULL;

  if (!same_origin (profile, e->download_url))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, _("A form’s download link points outside the server."));
      return FALSE;
    }
  xml = http_get (profile, e->download_url, FORM_CAP, cancellable, error);
  if (xml == NULL)
    return FALSE;
  if (!md5_matches (xml, e->hash))
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_SIGNATURE,
                   _("The form %s does not match its hash; the download was damaged."), e->id);
      return FALSE;
    }
  if (e->manifest_url != NULL && *e->manifest_url != '\0' &&
      (media = fetch_media (profile, e->manifest_url, cancellable, error)) == NULL)
    return FALSE;
  return job->install (job->store, e->id, e->version != NULL ? e->version : "", e->name != NULL ? e->name : e->id,
                       xml, media, job->install_data, error);
}

static void
update_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  UpdateJob *job = task_data;
  g_autoptr (SaphanSyncProfile) profile = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) installed = NULL;
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GBytes) body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *detail = NULL;
  GError *error = NULL;

  /* Opened here, in the worker: a staff member's tap never waits for
   * libcurl and its TLS library to load. */
  if (!saphan_curl_load (&error) ||
      (profile = saphan_sync_profile_load (job->store, &error)) == NULL ||
      (url = saphan_sync_profile_form_list_url (profile)) == NULL ||
      (body = http_get (profile, url, LIST_CAP, cancellable, &error)) == NULL ||
      (list = parse_form_list (body, &error)) == NULL ||
      (installed = saphan_store_list_forms (job->store, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  job->summary.listed = list->len;
  for (guint i = 0; i < list->len; i++)
    {
      FormEntry *e = list->pdata[i];
      g_autoptr (SaphanFormInfo) current = saphan_store_get_form (job->store, e->id, NULL);
      g_autoptr (GError) one = NULL;

      g_hash_table_add (listed, e->id);
      if (current != NULL && current->active && g_strcmp0 (current->hash, e->hash) == 0)
        {
          job->summary.unchanged++;
          continue;
        }
      if (update_one (job, profile, e, cancellable, &one))
        {
          if (current != NULL && !current->active)
            saphan_store_set_form_active (job->store, e->id, TRUE, NULL);
          job->summary.installed++;
        }
      else
        {
          /* One bad form does not stop the others; its old version stays. */
          g_debug ("Form %s not updated: %s", e->id, one->message);
          job->summary.failed++;
        }
    }

  /* Forms removed or closed on the server stop being offered. */
  for (guint i = 0; i < installed->len; i++)
    {
      SaphanFormInfo *f = installed->pdata[i];
      if (f->active && !g_hash_table_contains (listed, f->form_id) &&
          saphan_store_set_form_active (job->store, f->form_id, FALSE, NULL))
        job->summary.deactivated++;
    }

  detail = g_strdup_printf ("listed=%u installed=%u unchanged=%u deactivated=%u failed=%u", job->summary.listed,
                            job->summary.installed, job->summary.unchanged, job->summary.deactivated,
                            job->summary.failed);
  if (!saphan_store_audit_append (job->store, "forms-update", detail, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
saphan_sync_forms_update_async (SaphanStore          *store,
                                SaphanFormInstallFunc install,
                                gpointer              install_data,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_autoptr (GTask) task = NULL;
  UpdateJob *job;

  g_return_if_fail (SAPHAN_IS_STORE (store));

  job = g_new0 (UpdateJob, 1);
  job->store = g_object_ref (store);
  job->install = install != NULL ? install : default_install;
  job->install_data = install_data;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, saphan_sync_forms_update_async);
  g_task_set_task_data (task, job, (GDestroyNotify) update_job_free);
  g_task_run_in_thread (task, update_thread);
}

gboolean
saphan_sync_forms_update_finish (GAsyncResult *result, SaphanFormsSummary *out_summary, GError **error)
{
  UpdateJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  job = g_task_get_task_data (G_TASK (result));
  if (out_summary != NULL)
    *out_summary = job->summary;
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
saphan_sync_forms_update (SaphanStore          *store,
                          SaphanFormInstallFunc install,
                          gpointer              install_data,
                          GCancellable         *cancellable,
                          SaphanFormsSummary   *out_summary,
                          GError              **error)
{
  g_autoptr (GTask) task = NULL;
  UpdateJob *job;

  g_return_val_if_fail (SAPHAN_IS_STORE (store), FALSE);

  /* The same worker, run on this thread: nothing here touches a main loop. */
  job = g_new0 (UpdateJob, 1);
  job->store = g_object_ref (store);
  job->install = install != NULL ? install : default_install;
  job->install_data = install_data;
  task = g_task_new (NULL, cancellable, NULL, NULL);
  g_task_set_source_tag (task, saphan_sync_forms_update);
  g_task_set_task_data (task, job, (GDestroyNotify) update_job_free);
  g_task_run_in_thread_sync (task, update_thread);
  return saphan_sync_forms_update_finish (G_ASYNC_RESULT (task), out_summary, error);
}
