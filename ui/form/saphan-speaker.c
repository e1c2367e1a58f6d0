/* saphan-speaker.c: plays a question's recorded prompt or speaks its text.
 *
 * Sound runs in a child process: GTK 4.8's media support needs a GStreamer
 * stack the kiosk image does not carry, and a player that hangs or crashes
 * on a broken sound card must never take the screen with it. Recorded
 * prompts (WAV) go to the first of pw-play, paplay or aplay found; text goes
 * to espeak-ng, which has a Thai voice. Both read from a pipe, so nothing
 * is written to the disk, and the answers a citizen typed are never spoken
 * or passed on a command line.
 */
#include "config.h"

#include "saphan-speaker.h"

struct _SaphanSpeaker
{
  GObject parent_instance;

  /* Owned */
  GSubprocess  *process;
  GCancellable *cancellable;
  char         *key;
  const char   *program;
};

G_DEFINE_FINAL_TYPE (SaphanSpeaker, saphan_speaker, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PLAYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
find_player (void)
{
  static const char *const players[] = { "pw-play", "paplay", "aplay" };

  for (guint i = 0; i < G_N_ELEMENTS (players); i++)
    {
      g_autofree char *path = g_find_program_in_path (players[i]);

      if (path != NULL)
        return players[i];
    }
  return NULL;
}

static void
finished (SaphanSpeaker *self)
{
  gboolean was_playing = self->process != NULL;

  g_clear_object (&self->process);
  g_clear_pointer (&self->key, g_free);
  if (was_playing)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaphanSpeaker) self = user_data;
  g_autoptr (GError) error = NULL;

  /* Only the process still current may clear the state: a stopped one
   * finishes after its successor has started. */
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    return;
  if (self->process == G_SUBPROCESS (source))
    finished (self);
}

static void
write_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* A player that exits early closes the pipe; that is no error to show. */
  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_output_stream_close (G_OUTPUT_STREAM (source), NULL, NULL);
  else
    g_debug ("Speaker pipe closed early: %s", error->message);
  g_bytes_unref (user_data);
}

static gboolean
start (SaphanSpeaker *self, const char *const *argv, GBytes *input)
{
  g_autoptr (GError) error = NULL;
  GOutputStream *stdin_pipe;
  gsize size;
  const guint8 *data;

  self->process = g_subprocess_newv (argv,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE
                                       | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                       | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                     &error);
  if (self->process == NULL)
    {
      g_debug ("Cannot start %s: %s", argv[0], error->message);
      return FALSE;
    }
  self->program = argv[0];
  g_subprocess_wait_async (self->process, self->cancellable, wait_cb, g_object_ref (self));

  stdin_pipe = g_subprocess_get_stdin_pipe (self->process);
  data = g_bytes_get_data (input, &size);
  g_output_stream_write_all_async (stdin_pipe, data, size, G_PRIORITY_DEFAULT, self->cancellable,
                                   write_cb, g_bytes_ref (input));
  return TRUE;
}

static void
saphan_speaker_dispose (GObject *object)
{
  SaphanSpeaker *self = SAPHAN_SPEAKER (object);

  saphan_speaker_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (saphan_speaker_parent_class)->dispose (object);
}

static void
saphan_speaker_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SaphanSpeaker *self = SAPHAN_SPEAKER (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      g_value_set_boolean (value, self->process != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
saphan_speaker_class_init (SaphanSpeakerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = saphan_speaker_dispose;
  object_class->get_property = saphan_speaker_get_property;

  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                     | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
saphan_speaker_init (SaphanSpeaker *self)
{
  self->cancellable = g_cancellable_new ();
}

SaphanSpeaker *
saphan_speaker_new (void)
{
  return g_object_new (SAPHAN_TYPE_SPEAKER, NULL);
}

void
saphan_speaker_toggle (SaphanSpeaker *self, const char *key, GBytes *wav, const char *text,
                       const char *language)
{
  const char *player = wav != NULL ? find_player () : NULL;
  gboolean same;

  g_return_if_fail (SAPHAN_IS_SPEAKER (self));
  g_return_if_fail (key != NULL);

  same = g_strcmp0 (self->key, key) == 0;
  saphan_speaker_stop (self);
  if (same)
    return;

  if (player != NULL)
    {
      /* Every player reads a WAV stream from standard input. */
      const char *argv[] = { player, "-", NULL };

      if (g_strcmp0 (player, "paplay") == 0)
        argv[1] = NULL;
      if (!start (self, argv, wav))
        player = NULL;
    }
  if (player == NULL && text != NULL && *text != '\0')
    {
      const char *voice = g_strcmp0 (language, "th") == 0 ? "th" : "en";
      const char *argv[] = { "espeak-ng", "-v", voice, "-s", "140", "--stdin", NULL };
      g_autoptr (GBytes) input = g_bytes_new (text, strlen (text));

      if (!start (self, argv, input))
        return;
    }
  if (self->process == NULL)
    return;
  self->key = g_strdup (key);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

void
saphan_speaker_stop (SaphanSpeaker *self)
{
  g_return_if_fail (SAPHAN_IS_SPEAKER (self));

  if (self->process != NULL)
    g_subprocess_force_exit (self->process);
  finished (self);
}

gboolean
saphan_speaker_get_playing (SaphanSpeaker *self)
{
  g_return_val_if_fail (SAPHAN_IS_SPEAKER (self), FALSE);
  return self->process != NULL;
}

const char *
saphan_speaker_get_key (SaphanSpeaker *self)
{
  g_return_val_if_fail (SAPHAN_IS_SPEAKER (self), NULL);
  return self->key;
}

const char *
saphan_speaker_get_program (SaphanSpeaker *self)
{
  g_return_val_if_fail (SAPHAN_IS_SPEAKER (self), NULL);
  return self->program;
}
