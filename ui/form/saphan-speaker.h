/* saphan-speaker.h: reads a question aloud without blocking the screen. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SAPHAN_TYPE_SPEAKER (saphan_speaker_get_type ())
G_DECLARE_FINAL_TYPE (SaphanSpeaker, saphan_speaker, SAPHAN, SPEAKER, GObject)

SaphanSpeaker *saphan_speaker_new        (void);
/* Starts playing for KEY: the WAV bytes when there are some and a player
 * is installed, else TEXT spoken in LANGUAGE ("th", "en"). Playing the same
 * KEY again stops it, as a second tap does. */
void           saphan_speaker_toggle     (SaphanSpeaker *self,
                                          const char    *key,
                                          GBytes        *wav,
                                          const char    *text,
                                          const char    *language);
void           saphan_speaker_stop       (SaphanSpeaker *self);
gboolean       saphan_speaker_get_playing (SaphanSpeaker *self);
/* The key being played, or NULL. */
const char    *saphan_speaker_get_key    (SaphanSpeaker *self);
/* The program last started ("espeak-ng", "pw-play", …), for tests. */
const char    *saphan_speaker_get_program (SaphanSpeaker *self);

G_END_DECLS
