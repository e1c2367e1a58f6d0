/* saphan-tar.h: a strict reader and a small writer for POSIX ustar archives.
 *
 * Bundles come from USB sticks anyone may have handled, so the reader
 * accepts only what a bundle needs: regular files with plain relative
 * names. Everything else (links, devices, directories with content tricks,
 * GNU or pax extensions, a missing end marker) is reported to the caller,
 * which refuses the bundle with the reason.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  SAPHAN_TAR_REGULAR,
  SAPHAN_TAR_DIRECTORY,
  SAPHAN_TAR_SYMLINK,
  SAPHAN_TAR_HARDLINK,
  SAPHAN_TAR_DEVICE,     /* character, block or FIFO */
  SAPHAN_TAR_OTHER,      /* extensions (pax, GNU long names) and anything else */
} SaphanTarType;

typedef struct
{
  char          name[256];  /* prefix + "/" + name, NUL-terminated */
  SaphanTarType type;
  guint64       size;
} SaphanTarEntry;

typedef struct _SaphanTarReader SaphanTarReader;

SaphanTarReader *saphan_tar_reader_new  (GInputStream *stream, guint64 max_total_bytes);
void             saphan_tar_reader_free (SaphanTarReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaphanTarReader, saphan_tar_reader_free)
/* Sets the limit on bytes read in all, counted from the archive's start
 * (decompression bombs). */
void             saphan_tar_reader_set_limit (SaphanTarReader *reader, guint64 max_total_bytes);
/* Where the next header starts in the uncompressed archive. */
guint64          saphan_tar_reader_get_offset (SaphanTarReader *reader);
/* Reads the next header. Returns FALSE with *OUT_END set at the archive's
 * proper end, FALSE with an error otherwise. The previous entry's data must
 * have been read or skipped. */
gboolean         saphan_tar_reader_next (SaphanTarReader *reader, SaphanTarEntry *entry,
                                         gboolean *out_end, GError **error);
/* Reads the current entry's data, at most MAX bytes (refused if larger). */
GBytes          *saphan_tar_reader_read_data (SaphanTarReader *reader, gsize max, GError **error);
/* Streams the current entry's data to OUT, computing its SHA-256 (hex) on the way. */
gboolean         saphan_tar_reader_copy_data (SaphanTarReader *reader, GOutputStream *out,
                                              char **out_sha256, GError **error);

/* Appends a regular file entry. */
gboolean saphan_tar_write_file (GOutputStream *out, const char *name, const guint8 *data,
                                gsize len, GError **error);
/* Appends the end marker (two zero blocks). */
gboolean saphan_tar_write_end  (GOutputStream *out, GError **error);

G_END_DECLS
