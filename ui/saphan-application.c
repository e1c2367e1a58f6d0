/* saphan-application.c: the kiosk's GtkApplication.
 *
 * Everything here runs on the UI thread except the load task, which opens
 * the SQLite store in a worker so that a slow SD card or a long migration
 * never freezes the screen a citizen is looking at.
 */
#include "config.h"

#include "saphan-application.h"
#include "saphan-demo-forms.h"
#include "saphan-paths.h"
#include "saphan-error.h"
#include "saphan-window.h"
#include "saphan-audit.h"
#include "saphan-bundle.h"
#include "saphan-kiosk-key.h"
#include "saphan-sd-notify.h"
#include "saphan-sync.h"
#include "saphan-sync-monitor.h"
#include "saphan-sync-forms.h"
#include "saphan-form.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

/* How long the work start-up defers waits for the start screen before it
 * runs anyway. */
#define DEFERRED_WORK_DELAY_SECONDS 5

struct _SaphanApplication
{
  GtkApplication parent_instance;

  /* Owned */
  char *data_dir;
  char *language;
  GSettings *settings;
  SaphanStore *store;
  SaphanSync *sync;
  SaphanSyncMonitor *sync_monitor;
  GCancellable *background;
  guint purge_source;
  guint deferred_source;
  guint watchdog_source;
  gint64 started_at;
  guint sigterm_source;
  guint sigint_source;

  gboolean kiosk;
  char *initial_form;
  gboolean exit_after_first_frame;
  gboolean first_frame_seen;
};

typedef struct
{
  char *data_dir;
  char *forms_dir;
  SaphanStore *store; /* an already open store, or NULL */
  GWeakRef *application; /* housekeeping: whose sync to start once done */
} LoadData;

typedef struct
{
  SaphanStore *store;
  GPtrArray *forms;
} LoadResult;

G_DEFINE_FINAL_TYPE (SaphanApplication, saphan_application, GTK_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_DATA_DIR,
  PROP_KIOSK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[]
    = { { "data-dir", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
          N_ ("Keep the database and receipts in DIR"), N_ ("DIR") },
        { "kiosk", 'k', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
          N_ ("Run full screen and locked down for citizens"), NULL },
        { "form", 'f', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
          N_ ("Open the form of the service ID once ready, for a kiosk of one service"),
          N_ ("ID") },
        { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
          N_ ("Show the version and exit"), NULL },
        { NULL } };

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
load_data_free (LoadData *data)
{
  g_free (data->data_dir);
  g_free (data->forms_dir);
  g_clear_object (&data->store);
  g_clear_pointer (&data->application, weak_ref_free);
  g_free (data);
}

/* The kiosk's worker threads still running. A process that exits under a
 * worker tears OpenSSL, SQLite and GTK down beneath it, so shutdown waits
 * for them: see run_worker() and wait_for_workers(). Global, as exit is. */
static gint workers_running;

static void
counted_worker (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  GTaskThreadFunc func = g_object_get_data (G_OBJECT (task), "saphan-worker");

  func (task, source_object, task_data, cancellable);
  g_atomic_int_dec_and_test (&workers_running);
}

/* g_task_run_in_thread(), counted. */
static void
run_worker (GTask *task, GTaskThreadFunc func)
{
  g_atomic_int_inc (&workers_running);
  g_object_set_data (G_OBJECT (task), "saphan-worker", func);
  g_task_run_in_thread (task, counted_worker);
}

/* Each worker takes milliseconds (a migrating store longer); a stuck disk
 * gets ten seconds before the kiosk exits anyway. */
static void
wait_for_workers (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&workers_running) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->store);
  g_clear_pointer (&result->forms, g_ptr_array_unref);
  g_free (result);
}

static gboolean
language_is_supported (const char *language)
{
  return g_strcmp0 (language, "th") == 0 || g_strcmp0 (language, "en") == 0;
}

void
saphan_application_prepare_environment (void)
{
  /* An empty LANGUAGE is the same to gettext as none. */
  if (g_getenv ("LANGUAGE") == NULL)
    g_setenv ("LANGUAGE", "", TRUE);
}

/* gettext picks the catalogue from LANGUAGE on every call, so switching
 * the variable and invalidating glibc's lookup cache is enough; the windows
 * rebuild their pages afterwards. English is the source language and needs
 * no catalogue. The variable is only changed from the UI thread, before or
 * between citizen sessions, and only ever replaced: see
 * saphan_application_prepare_environment(). */
static void
apply_language (const char *language)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  g_warn_if_fail (g_getenv ("LANGUAGE") != NULL);

  /* LANGUAGE is ignored under the plain C locale; C.UTF-8 honours it and
   * is present on every Debian system. */
  if (messages != NULL && (g_str_equal (messages, "C") || g_str_equal (messages, "POSIX")))
    setlocale (LC_MESSAGES, "C.UTF-8");

  g_setenv ("LANGUAGE", language, TRUE);
#ifdef __GLIBC__
  {
    extern int _nl_msg_cat_cntr;
    ++_nl_msg_cat_cntr;
  }
#endif
}

/* The application is held weakly: a kiosk's outlives its workers, but one
 * torn down meanwhile (in the tests) has nothing left to start. */
static gboolean
start_sync_cb (gpointer user_data)
{
  g_autoptr (SaphanApplication) self = g_weak_ref_get (user_data);

  /* sync_monitor is NULL once the kiosk is shutting down. */
  if (self != NULL && self->sync_monitor != NULL)
    saphan_sync_monitor_start (self->sync_monitor);
  return G_SOURCE_REMOVE;
}

/* Start-up work that must not delay or break the kiosk: each problem is
 * logged (never with personal data) and the kiosk carries on. It is not
 * needed to show the services (the key and the checkpoint's signed write
 * take some 5-10 ms), so it runs in a worker once they are on the display:
 * see run_deferred_work(). */
static void
housekeeping_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr (SaphanKioskKey) key = NULL;
  g_autoptr (GError) error = NULL;

  /* The kiosk key signs receipts and the audit log's checkpoints; one at
   * every start keeps the signed head of the log close to its end. */
  key = saphan_kiosk_key_load_or_create (data->data_dir, &error);
  if (key != NULL)
    {
      saphan_audit_attach_key (data->store, key);
      if (!saphan_audit_checkpoint (data->store, NULL, &error))
        {
          g_message ("Cannot sign an audit checkpoint: %s", error->message);
          g_clear_error (&error);
        }
    }
  else
    {
      g_message ("Cannot load the kiosk key: %s", error->message);
      g_clear_error (&error);
    }

  /* Sync starts once this is done: its first probe then finds libcurl
   * open and does not stall the UI thread opening it. */
  saphan_sync_monitor_prepare (data->store);
  g_idle_add_full (G_PRIORITY_DEFAULT, start_sync_cb, g_steal_pointer (&data->application),
                   (GDestroyNotify) weak_ref_free);
  g_task_return_boolean (task, TRUE);
}

static void
load_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr (SaphanStore) store = NULL;
  g_autoptr (GPtrArray) forms = NULL;
  g_autoptr (GError) error = NULL;
  LoadResult *result;
  guint n_installed = 0;

  if (data->store != NULL)
    {
      store = g_object_ref (data->store);
    }
  else
    {
      if (!saphan_paths_ensure_data_dir (data->data_dir, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      store = saphan_store_open (data->data_dir, &error);
      if (store == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (!saphan_demo_forms_install_first_start (store, data->forms_dir, &n_installed, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (n_installed > 0)
        g_message ("Installed %u services on first start", n_installed);
      /* A power cut between a bundle's switch and its store update leaves
       * the store behind the installed content: bring it in line before
       * the services are listed. */
      if (!saphan_bundle_reconcile (data->data_dir, store, &error))
        {
          g_message ("Installed content and store disagree: %s", error->message);
          g_clear_error (&error);
        }
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  forms = saphan_store_list_forms (store, &error);
  if (forms == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (LoadResult, 1);
  result->store = g_steal_pointer (&store);
  result->forms = g_steal_pointer (&forms);
  g_task_return_pointer (task, result, (GDestroyNotify)load_result_free);
}

static void
language_change_state_cb (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  SaphanApplication *self = user_data;
  const char *language = g_variant_get_string (value, NULL);

  if (!language_is_supported (language))
    {
      g_warning ("Refusing unsupported language “%s”", language);
      return;
    }
  if (g_strcmp0 (self->language, language) == 0)
    return;

  g_free (self->language);
  self->language = g_strdup (language);
  apply_language (language);
  g_simple_action_set_state (action, value);
}

static void
quit_activated_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static gboolean
unix_signal_cb (gpointer user_data)
{
  SaphanApplication *self = user_data;

  /* A service manager stops the kiosk with SIGTERM: leave through the main
   * loop so that the store is closed and its WAL checkpointed. */
  g_message ("Stopping on a signal");
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_CONTINUE;
}

static void
load_css (void)
{
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/org/saphan/Kiosk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("The %s settings schema is not installed; using defaults", APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static gint
saphan_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  SaphanApplication *self = SAPHAN_APPLICATION (application);
  g_autofree char *data_dir = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("saphan-kiosk %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "data-dir", "^ay", &data_dir))
    saphan_application_set_data_dir (self, data_dir);
  if (g_variant_dict_contains (options, "kiosk"))
    saphan_application_set_kiosk (self, TRUE);
  {
    g_autofree char *form = NULL;

    if (g_variant_dict_lookup (options, "form", "s", &form))
      saphan_application_set_initial_form (self, form);
  }

  /* GTK reads GTK_DEBUG when it initializes, which happens after this
   * handler during startup: GTK_DEBUG=interactive would otherwise open the
   * inspector on a citizen's screen. No other thread is running yet, so
   * changing the environment here is safe. */
  if (self->kiosk && g_getenv ("GTK_DEBUG") != NULL)
    {
      g_message ("Ignoring GTK_DEBUG in kiosk mode");
      g_unsetenv ("GTK_DEBUG");
    }

  return G_APPLICATION_CLASS (saphan_application_parent_class)
      ->handle_local_options (application, options);
}

/* GTK reads the icon theme (Adwaita's and hicolor's indexes, and the
 * folders of every resource path) on the first lookup after the theme's
 * search path changes, which GtkApplication's startup has just done. The
 * start page's first lookup would then pay for it on the main thread, in
 * the middle of its first frame (some 8 ms). Looked up here in a worker
 * while the main thread builds the window, the theme is ready in time;
 * GtkIconTheme allows lookups from other threads once set up. */
static void
preload_icon_theme_thread (GTask *task, gpointer source_object, gpointer task_data,
                           GCancellable *cancellable)
{
  gtk_icon_theme_has_icon (GTK_ICON_THEME (task_data), "saphan-service-symbolic");
  g_task_return_boolean (task, TRUE);
}

static void
preload_icon_theme (void)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_task_set_source_tag (task, preload_icon_theme);
  g_task_set_task_data (task, g_object_ref (theme), g_object_unref);
  run_worker (task, preload_icon_theme_thread);
}

static void
saphan_application_startup (GApplication *application)
{
  SaphanApplication *self = SAPHAN_APPLICATION (application);
  g_autoptr (GSimpleAction) language_action = NULL;
  g_autoptr (GSimpleAction) quit_action = NULL;
  g_autofree char *language = NULL;

  G_APPLICATION_CLASS (saphan_application_parent_class)->startup (application);

  preload_icon_theme ();
  load_css ();

  self->settings = settings_new_if_installed ();
  if (self->settings != NULL)
    language = g_settings_get_string (self->settings, "language");
  if (!language_is_supported (language))
    {
      g_free (language);
      language = g_strdup ("th");
    }

  /* Thai is the default whatever the system locale says: the kiosk serves
   * citizens first, and staff switch with the same button they do. */
  g_free (self->language);
  self->language = g_strdup (language);
  apply_language (self->language);

  language_action = g_simple_action_new_stateful ("language", G_VARIANT_TYPE_STRING,
                                                  g_variant_new_string (self->language));
  g_signal_connect (language_action, "change-state", G_CALLBACK (language_change_state_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (language_action));

  quit_action = g_simple_action_new ("quit", NULL);
  g_signal_connect (quit_action, "activate", G_CALLBACK (quit_activated_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (quit_action));
  g_simple_action_set_enabled (quit_action, !self->kiosk);
  if (!self->kiosk)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                           (const char *[]){ "<Control>q", NULL });

  self->sigterm_source = g_unix_signal_add (SIGTERM, unix_signal_cb, self);
  self->sigint_source = g_unix_signal_add (SIGINT, unix_signal_cb, self);
}

static void
saphan_application_shutdown (GApplication *application)
{
  SaphanApplication *self = SAPHAN_APPLICATION (application);

  g_clear_handle_id (&self->sigterm_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->purge_source, g_source_remove);
  g_clear_handle_id (&self->deferred_source, g_source_remove);
  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  saphan_sd_notify ("STOPPING=1");
  if (self->background != NULL)
    g_cancellable_cancel (self->background);
  wait_for_workers ();
  if (self->sync_monitor != NULL)
    saphan_sync_monitor_stop (self->sync_monitor);
  g_clear_object (&self->sync_monitor);
  g_clear_object (&self->sync);
  g_clear_object (&self->background);

  G_APPLICATION_CLASS (saphan_application_parent_class)->shutdown (application);

  g_clear_object (&self->store);
}

static void
saphan_application_activate (GApplication *application)
{
  SaphanApplication *self = SAPHAN_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (saphan_window_new (self));
  gtk_window_present (window);
}

static void
saphan_application_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanApplication *self = SAPHAN_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_KIOSK:
      g_value_set_boolean (value, self->kiosk);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_application_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  SaphanApplication *self = SAPHAN_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      saphan_application_set_data_dir (self, g_value_get_string (value));
      break;
    case PROP_KIOSK:
      saphan_application_set_kiosk (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_application_finalize (GObject *object)
{
  SaphanApplication *self = SAPHAN_APPLICATION (object);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_free (self->data_dir);
  g_free (self->language);
  g_free (self->initial_form);

  G_OBJECT_CLASS (saphan_application_parent_class)->finalize (object);
}

static void
saphan_application_class_init (SaphanApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = saphan_application_get_property;
  object_class->set_property = saphan_application_set_property;
  object_class->finalize = saphan_application_finalize;

  app_class->handle_local_options = saphan_application_handle_local_options;
  app_class->startup = saphan_application_startup;
  app_class->shutdown = saphan_application_shutdown;
  app_class->activate = saphan_application_activate;

  properties[PROP_DATA_DIR]
      = g_param_spec_string ("data-dir", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIOSK]
      = g_param_spec_boolean ("kiosk", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
saphan_application_init (SaphanApplication *self)
{
  self->started_at = g_get_monotonic_time ();
  self->data_dir = saphan_paths_default_data_dir ();
  self->language = g_strdup ("th");
  self->exit_after_first_frame
      = g_strcmp0 (g_getenv ("SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME"), "1") == 0;

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("The Saphan citizen service kiosk."));
}

SaphanApplication *
saphan_application_new (void)
{
  return g_object_new (SAPHAN_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, NULL);
}

const char *
saphan_application_get_data_dir (SaphanApplication *self)
{
  g_return_val_if_fail (SAPHAN_IS_APPLICATION (self), NULL);

  return self->data_dir;
}

void
saphan_application_set_data_dir (SaphanApplication *self, const char *data_dir)
{
  g_return_if_fail (SAPHAN_IS_APPLICATION (self));
  g_return_if_fail (data_dir != NULL);

  if (g_strcmp0 (self->data_dir, data_dir) == 0)
    return;
  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_DIR]);
}

void
saphan_application_set_initial_form (SaphanApplication *self, const char *form_id)
{
  g_return_if_fail (SAPHAN_IS_APPLICATION (self));

  g_free (self->initial_form);
  self->initial_form = g_strdup (form_id);
}

char *
saphan_application_take_initial_form (SaphanApplication *self)
{
  g_return_val_if_fail (SAPHAN_IS_APPLICATION (self), NULL);

  return g_steal_pointer (&self->initial_form);
}

gboolean
saphan_application_get_kiosk (SaphanApplication *self)
{
  g_return_val_if_fail (SAPHAN_IS_APPLICATION (self), FALSE);

  return self->kiosk;
}

void
saphan_application_set_kiosk (SaphanApplication *self, gboolean kiosk)
{
  g_return_if_fail (SAPHAN_IS_APPLICATION (self));

  kiosk = !!kiosk;
  if (self->kiosk == kiosk)
    return;
  self->kiosk = kiosk;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIOSK]);
}

const char *
saphan_application_get_language (SaphanApplication *self)
{
  g_return_val_if_fail (SAPHAN_IS_APPLICATION (self), NULL);

  return self->language;
}

GSettings *
saphan_application_get_settings (SaphanApplication *self)
{
  g_return_val_if_fail (SAPHAN_IS_APPLICATION (self), NULL);

  return self->settings;
}

SaphanStore *
saphan_application_get_store (SaphanApplication *self)
{
  g_return_val_if_fail (SAPHAN_IS_APPLICATION (self), NULL);

  return self->store;
}

void
saphan_application_load_async (SaphanApplication *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (SAPHAN_IS_APPLICATION (self));

  data = g_new0 (LoadData, 1);
  data->data_dir = g_strdup (self->data_dir);
  data->forms_dir = g_build_filename (saphan_paths_assets_dir (), "forms", NULL);
  data->store = self->store != NULL ? g_object_ref (self->store) : NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, saphan_application_load_async);
  g_task_set_task_data (task, data, (GDestroyNotify)load_data_free);
  run_worker (task, load_thread);
}

static void
sync_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SaphanSyncSummary summary = { 0 };

  /* No server yet, another sender, a paused queue: all ordinary states of
   * an offline kiosk, which staff see on the dashboard. */
  if (!saphan_sync_run_finish (SAPHAN_SYNC (source), result, &summary, &error))
    g_debug ("Sync did not run: %s", error->message);
  saphan_sync_summary_clear (&summary);
}

/* A form from the server goes through the engine's full check, as a form
 * from a USB bundle does; one whose id is not the one listed is refused. */
static gboolean
install_downloaded_form (SaphanStore *store, const char *form_id, const char *version,
                         const char *title, GBytes *xml, GHashTable *media, gpointer user_data,
                         GError **error)
{
  g_autoptr (SaphanFormInfo) info = NULL;
  g_autoptr (SaphanForm) form = saphan_form_new_from_bytes (xml, form_id, media, error);

  if (form == NULL)
    return FALSE;
  if (g_strcmp0 (saphan_form_get_id (form), form_id) != 0)
    {
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_FORM_INVALID,
                   _("The server listed form %s but sent form %s."), form_id,
                   saphan_form_get_id (form));
      return FALSE;
    }
  return saphan_form_install (store, xml, media, &info, error);
}

static void
forms_updated_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SaphanFormsSummary summary = { 0 };

  if (!saphan_sync_forms_update_finish (result, &summary, &error))
    g_debug ("Forms were not updated: %s", error->message);
  else if (summary.installed > 0 || summary.deactivated > 0 || summary.failed > 0)
    g_message ("Forms from the server: %u installed, %u withdrawn, %u refused",
               summary.installed, summary.deactivated, summary.failed);
}

static void
sync_due_cb (SaphanSyncMonitor *monitor, gpointer user_data)
{
  SaphanApplication *self = user_data;

  if (self->sync != NULL && !saphan_sync_get_running (self->sync))
    {
      saphan_sync_run_async (self->sync, 0, self->background, sync_done_cb, self);
      /* The server's forms, too, whenever it can be reached. */
      saphan_sync_forms_update_async (self->store, install_downloaded_form, NULL, self->background,
                                      forms_updated_cb, self);
    }
}

static void
purge_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  gssize purged = g_task_propagate_int (G_TASK (result), &error);

  if (purged < 0)
    g_message ("Cannot remove expired answers: %s", error->message);
  else if (purged > 0)
    g_message ("Removed the answers of %zd submissions past retention", purged);
}

static void
purge_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  gint64 purged = 0;

  if (saphan_store_purge_expired (SAPHAN_STORE (task_data), g_get_real_time () / G_USEC_PER_SEC,
                                  &purged, &error))
    g_task_return_int (task, (gssize) purged);
  else
    g_task_return_error (task, error);
}

/* Retention runs at start (deferred) and then daily, in a worker thread.
 * No source object: the work holds only what it uses, not the kiosk. */
static gboolean
purge_cb (gpointer user_data)
{
  SaphanApplication *self = user_data;
  g_autoptr (GTask) task = g_task_new (NULL, self->background, purge_done_cb, NULL);

  g_task_set_source_tag (task, purge_cb);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  run_worker (task, purge_thread);
  return G_SOURCE_CONTINUE;
}

/* What start-up leaves until the services are on the display: the
 * housekeeping above, the first retention purge, and sync, which starts
 * once the housekeeping has opened libcurl for it. */
static void
run_deferred_work (SaphanApplication *self)
{
  g_autoptr (GTask) task = g_task_new (NULL, self->background, NULL, NULL);
  LoadData *data = g_new0 (LoadData, 1);

  g_clear_handle_id (&self->deferred_source, g_source_remove);
  data->data_dir = g_strdup (self->data_dir);
  data->store = g_object_ref (self->store);
  data->application = g_new0 (GWeakRef, 1);
  g_weak_ref_init (data->application, self);
  g_task_set_source_tag (task, run_deferred_work);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  run_worker (task, housekeeping_thread);
  purge_cb (self);
}

static gboolean
run_deferred_work_cb (gpointer user_data)
{
  SaphanApplication *self = user_data;

  self->deferred_source = 0;
  run_deferred_work (self);
  return G_SOURCE_REMOVE;
}

/* Sync follows connectivity and its schedule; nothing here blocks. The
 * deferred work waits for the start screen to be on the display, or a few
 * seconds should there be no display to show it. */
static void
start_background_services (SaphanApplication *self)
{
  self->background = g_cancellable_new ();
  self->sync = saphan_sync_new (self->store);
  self->sync_monitor = saphan_sync_monitor_new (self->store);
  g_signal_connect_object (self->sync_monitor, "sync-due", G_CALLBACK (sync_due_cb), self, 0);
  self->deferred_source = g_timeout_add_seconds (DEFERRED_WORK_DELAY_SECONDS, run_deferred_work_cb, self);
  self->purge_source = g_timeout_add_seconds (24 * 60 * 60, purge_cb, self);
}

GPtrArray *
saphan_application_load_finish (SaphanApplication *self, GAsyncResult *result, GError **error)
{
  LoadResult *load;
  GPtrArray *forms;

  g_return_val_if_fail (SAPHAN_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == saphan_application_load_async,
                        NULL);

  load = g_task_propagate_pointer (G_TASK (result), error);
  if (load == NULL)
    return NULL;

  if (self->store == NULL)
    {
      self->store = g_object_ref (load->store);
      start_background_services (self);
    }
  forms = g_steal_pointer (&load->forms);
  load_result_free (load);
  return forms;
}

void
saphan_application_start_page_presented (SaphanApplication *self)
{
  double elapsed_ms;

  g_return_if_fail (SAPHAN_IS_APPLICATION (self));

  if (self->first_frame_seen)
    return;
  self->first_frame_seen = TRUE;

  elapsed_ms = (g_get_monotonic_time () - self->started_at) / 1000.0;
  g_debug ("Start page presented %.1f ms after start", elapsed_ms);

  /* Under systemd: ready once a citizen can see the services, and the
   * watchdog pinged from this main loop from now on. */
  saphan_sd_notify ("READY=1");
  self->watchdog_source = saphan_sd_watchdog_start ();

  if (self->exit_after_first_frame)
    {
      fprintf (stderr, "saphan-kiosk: first frame presented after %.1f ms\n", elapsed_ms);
      g_application_quit (G_APPLICATION (self));
      return;
    }
  if (self->deferred_source != 0)
    run_deferred_work (self);
}
