/* saphan-tar.c: strict ustar reading and writing. */
#include "config.h"

#include "saphan-tar.h"
#include "saphan-error.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#define BLOCK 512

struct _SaphanTarReader
{
  GInputStream *stream;
  guint64       total;       /* bytes read so far */
  guint64       limit;
  guint64       remaining;   /* data bytes of the current entry not yet read */
  guint64       padding;     /* padding after the current entry's data */
};

static gboolean
tar_error (GError **error, const char *message)
{
  g_set_error_literal (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID, message);
  return FALSE;
}

SaphanTarReader *
saphan_tar_reader_new (GInputStream *stream, guint64 max_total_bytes)
{
  SaphanTarReader *reader = g_new0 (SaphanTarReader, 1);

  reader->stream = g_object_ref (stream);
  reader->limit = max_total_bytes;
  return reader;
}

void
saphan_tar_reader_free (SaphanTarReader *reader)
{
  if (reader == NULL)
    return;
  g_object_unref (reader->stream);
  g_free (reader);
}

void
saphan_tar_reader_set_limit (SaphanTarReader *reader, guint64 max_total_bytes)
{
  reader->limit = max_total_bytes;
}

guint64
saphan_tar_reader_get_offset (SaphanTarReader *reader)
{
  /* Where the next header starts: the current entry's unread data and
   * padding are as good as read. */
  return reader->total + reader->remaining + reader->padding;
}

/* Reads exactly LEN bytes; a short read is a truncated archive. */
static gboolean
read_exact (SaphanTarReader *reader, guint8 *buffer, gsize len, GError **error)
{
  gsize got = 0;
  g_autoptr (GError) local = NULL;

  if (reader->total + len > reader->limit)
    return tar_error (error, _("The bundle unpacks to more data than its manifest declares "
                               "(a decompression bomb or a corrupt bundle)."));
  if (!g_input_stream_read_all (reader->stream, buffer, len, &got, NULL, &local))
    {
      /* zlib's own verdicts, turned into reasons a maintainer can act on. */
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        return tar_error (error, _("The bundle is truncated: it ends in the middle of a file."));
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        return tar_error (error, _("The bundle is not a gzip-compressed archive, or its "
                                   "compressed data is damaged."));
      g_set_error (error, SAPHAN_ERROR, SAPHAN_ERROR_INVALID,
                   _("The bundle cannot be read: %s"), local->message);
      return FALSE;
    }
  reader->total += got;
  if (got != len)
    return tar_error (error, _("The bundle is truncated: it ends in the middle of a file."));
  return TRUE;
}

static gboolean
parse_octal (const char *field, gsize len, guint64 *out)
{
  guint64 value = 0;
  gsize i = 0;

  while (i < len && field[i] == ' ')
    i++;
  if (i == len || field[i] < '0' || field[i] > '7')
    return FALSE;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; i++)
    {
      if (value > (G_MAXUINT64 >> 3))
        return FALSE;
      value = (value << 3) | (guint64) (field[i] - '0');
    }
  for (; i < len; i++)
    if (field[i] != ' ' && field[i] != '\0')
      return FALSE;
  *out = value;
  return TRUE;
}

static gboolean
is_zero_block (const guint8 *block)
{
  for (int i = 0; i < BLOCK; i++)
    if (block[i] != 0)
      return FALSE;
  return TRUE;
}

static gboolean
skip_rest (SaphanTarReader *reader, GError **error)
{
  guint8 buffer[BLOCK * 8];

  while (reader->remaining + reader->padding > 0)
    {
      gsize chunk = MIN (sizeof buffer, reader->remaining + reader->padding);
      if (!read_exact (reader, buffer, chunk, error))
        return FALSE;
      if (reader->remaining >= chunk)
        reader->remaining -= chunk;
      else
        {
          reader->padding -= chunk - reader->remaining;
          reader->remaining = 0;
        }
    }
  return TRUE;
}

gboolean
saphan_tar_reader_next (SaphanTarReader *reader, SaphanTarEntry *entry, gboolean *out_end,
                        GError **error)
{
  guint8 block[BLOCK];
  guint64 checksum, sum = 0;
  const char *h = (const char *) block;
  gsize name_len, prefix_len;

  *out_end = FALSE;
  if (!skip_rest (reader, error) || !read_exact (reader, block, BLOCK, error))
    return FALSE;

  if (is_zero_block (block))
    {
      /* The end marker is two zero blocks; one alone is a truncated archive. */
      if (!read_exact (reader, block, BLOCK, error))
        return FALSE;
      if (!is_zero_block (block))
        return tar_error (error, _("The bundle's archive is damaged (data after an end marker)."));
      *out_end = TRUE;
      return FALSE;
    }

  if (!parse_octal (h + 148, 8, &checksum))
    return tar_error (error, _("The bundle's archive is damaged (a header has no checksum)."));
  for (int i = 0; i < BLOCK; i++)
    sum += (i >= 148 && i < 156) ? ' ' : block[i];
  if (sum != checksum)
    return tar_error (error, _("The bundle's archive is damaged (a header checksum is wrong)."));
  if (memcmp (h + 257, "ustar", 5) != 0)
    return tar_error (error, _("The bundle's archive is not in the POSIX ustar format."));

  memset (entry, 0, sizeof *entry);
  name_len = strnlen (h, 100);
  prefix_len = strnlen (h + 345, 155);
  if (prefix_len > 0)
    {
      memcpy (entry->name, h + 345, prefix_len);
      entry->name[prefix_len] = '/';
      memcpy (entry->name + prefix_len + 1, h, name_len);
    }
  else
    memcpy (entry->name, h, name_len);
  if (strlen (entry->name) != (prefix_len > 0 ? prefix_len + 1 : 0) + name_len || name_len == 0)
    return tar_error (error, _("The bundle's archive has an entry without a name."));

  switch (h[156])
    {
    case '0':
    case '\0':
      entry->type = SAPHAN_TAR_REGULAR;
      break;
    case '5':
      entry->type = SAPHAN_TAR_DIRECTORY;
      break;
    case '2':
      entry->type = SAPHAN_TAR_SYMLINK;
      break;
    case '1':
      entry->type = SAPHAN_TAR_HARDLINK;
      break;
    case '3':
    case '4':
    case '6':
      entry->type = SAPHAN_TAR_DEVICE;
      break;
    default:
      entry->type = SAPHAN_TAR_OTHER;
      break;
    }

  if (!parse_octal (h + 124, 12, &entry->size))
    return tar_error (error, _("The bundle's archive is damaged (a file size is unreadable)."));
  /* Links and devices carry no data whatever their size field says. */
  if (entry->type != SAPHAN_TAR_REGULAR && entry->type != SAPHAN_TAR_OTHER)
    entry->size = 0;
  reader->remaining = entry->size;
  reader->padding = (BLOCK - entry->size % BLOCK) % BLOCK;
  return TRUE;
}

GBytes *
saphan_tar_reader_read_data (SaphanTarReader *reader, gsize max, GError **error)
{
  g_autofree guint8 *data = NULL;
  gsize len = reader->remaining;

  if (len > max)
    {
      tar_error (error, _("A file in the bundle is larger than allowed."));
      return NULL;
    }
  data = g_malloc (len + 1);
  if (!read_exact (reader, data, len, error))
    return NULL;
  reader->remaining = 0;
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

gboolean
saphan_tar_reader_copy_data (SaphanTarReader *reader, GOutputStream *out, char **out_sha256,
                             GError **error)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 buffer[64 * 1024];

  while (reader->remaining > 0)
    {
      gsize chunk = MIN (sizeof buffer, reader->remaining);
      if (!read_exact (reader, buffer, chunk, error))
        return FALSE;
      reader->remaining -= chunk;
      g_checksum_update (checksum, buffer, chunk);
      if (out != NULL && !g_output_stream_write_all (out, buffer, chunk, NULL, NULL, error))
        return FALSE;
    }
  if (out_sha256 != NULL)
    *out_sha256 = g_strdup (g_checksum_get_string (checksum));
  return TRUE;
}

gboolean
saphan_tar_write_file (GOutputStream *out, const char *name, const guint8 *data, gsize len,
                       GError **error)
{
  guint8 block[BLOCK] = { 0 };
  char *h = (char *) block;
  gsize name_len = strlen (name);
  guint64 sum = 0;
  static const guint8 zeros[BLOCK] = { 0 };

  if (name_len == 0 || name_len > 100 + 155)
    return tar_error (error, _("A file name is too long for the bundle."));
  if (name_len <= 100)
    memcpy (h, name, name_len);
  else
    {
      /* Split at a slash so that prefix/name rebuilds the path. */
      const char *slash = name + name_len - 101;
      while (*slash != '\0' && *slash != '/')
        slash++;
      if (*slash != '/' || slash - name > 155 || strlen (slash + 1) == 0)
        return tar_error (error, _("A file name is too long for the bundle."));
      memcpy (h + 345, name, slash - name);
      memcpy (h, slash + 1, strlen (slash + 1));
    }
  g_snprintf (h + 100, 8, "%07o", 0644);
  g_snprintf (h + 108, 8, "%07o", 0);
  g_snprintf (h + 116, 8, "%07o", 0);
  g_snprintf (h + 124, 12, "%011" G_GINT64_MODIFIER "o", (guint64) len);
  /* A fixed time keeps bundles byte-stable for the same content. */
  g_snprintf (h + 136, 12, "%011o", 0);
  h[156] = '0';
  memcpy (h + 257, "ustar", 6);
  memcpy (h + 263, "00", 2);
  memset (h + 148, ' ', 8);
  for (int i = 0; i < BLOCK; i++)
    sum += block[i];
  g_snprintf (h + 148, 8, "%06" G_GINT64_MODIFIER "o", sum);
  h[155] = ' ';

  return g_output_stream_write_all (out, block, BLOCK, NULL, NULL, error) &&
         g_output_stream_write_all (out, data, len, NULL, NULL, error) &&
         g_output_stream_write_all (out, zeros, (BLOCK - len % BLOCK) % BLOCK, NULL, NULL, error);
}

gboolean
saphan_tar_write_end (GOutputStream *out, GError **error)
{
  static const guint8 zeros[2 * BLOCK] = { 0 };
  return g_output_stream_write_all (out, zeros, sizeof zeros, NULL, NULL, error);
}
