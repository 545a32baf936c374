/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Content-addressed chunks: SHA-256 keys, zstd values, written without holding a file whole. */
#include <nettle/sha2.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "avfs-vault-private.h"

/* Full chunks of a long write are committed in batches of this many bytes, ahead of the
 * transaction that links them to the file (gc cannot run meanwhile: the writer holds the
 * vault's write lock). */
#define FLUSH_BYTES (8u * 1024 * 1024)

typedef struct
{
  guint8 hash[AVFS_HASH_LEN];
  GBytes *value;    /* codec byte ‖ payload */
  gboolean checked; /* known to be missing from the store */
} PendingChunk;

struct _AvfsChunkWriter
{
  AvfsVault *vault;
  GByteArray *content;  /* chunk hashes so far */
  guint64 size;
  GByteArray *buffer;   /* the chunk being filled */
  GArray *pending;      /* PendingChunk not yet in the store */
  gsize pending_bytes;
  gboolean detached;    /* on a worker thread: touches no storage until attached */
};

/* SHA-256 of a chunk. Nettle's, not GLib's: it uses the CPU's SHA extensions where there
 * are any, and hashing is a large share of what a write costs. */
void
avfs_chunk_hash (const guint8 *data,
                 gsize         len,
                 guint8        hash[AVFS_HASH_LEN])
{
  struct sha256_ctx context;

  sha256_init (&context);
  sha256_update (&context, len, data);
  sha256_digest (&context, AVFS_HASH_LEN, hash);
}

/* zstd contexts, one pair per thread, kept for the thread's life (a few MiB at the
 * default level): ZSTD_compress() and ZSTD_decompress() make a context, with its whole
 * workspace, for every chunk. Per thread, not per writer: an import makes a writer per
 * file, and reads take no lock. */
typedef struct
{
  ZSTD_CCtx *compress;
  ZSTD_DCtx *decompress;
} ZstdContexts;

static void
zstd_contexts_free (gpointer data)
{
  ZstdContexts *contexts = data;

  ZSTD_freeCCtx (contexts->compress);
  ZSTD_freeDCtx (contexts->decompress);
  g_free (contexts);
}

static GPrivate zstd_contexts = G_PRIVATE_INIT (zstd_contexts_free);

static ZstdContexts *
get_zstd_contexts (void)
{
  ZstdContexts *contexts = g_private_get (&zstd_contexts);

  if (contexts == NULL)
    {
      contexts = g_new (ZstdContexts, 1);
      contexts->compress = ZSTD_createCCtx ();
      contexts->decompress = ZSTD_createDCtx ();
      /* Only out of memory, where g_malloc() would abort as well. */
      if (contexts->compress == NULL || contexts->decompress == NULL)
        g_error ("Out of memory for the zstd contexts");
      g_private_set (&zstd_contexts, contexts);
    }
  return contexts;
}

/* A frame with the vault's dictionary, without the dictionary's id (a vault has one);
 * 0 when zstd cannot compress with it. */
static gsize
compress_with_dictionary (ZSTD_CCtx           *context,
                          AvfsChunkDictionary *dictionary,
                          guint8              *out,
                          gsize                bound,
                          const guint8        *data,
                          gsize                len,
                          gint                 level)
{
  const ZSTD_CDict *cdict = avfs_chunk_dictionary_get_cdict (dictionary, level);
  gsize written;

  if (cdict == NULL)
    return 0;
  ZSTD_CCtx_reset (context, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter (context, ZSTD_c_dictIDFlag, 0);
  ZSTD_CCtx_refCDict (context, cdict);
  written = ZSTD_compress2 (context, out, bound, data, len);
  return ZSTD_isError (written) ? 0 : written;
}

/**
 * avfs_chunk_encode:
 *
 * Compresses a chunk with zstd at the vault's level, and the vault's dictionary when it
 * has one, unless that does not make it smaller.
 *
 * Returns: (transfer full): what to store: codec byte ‖ payload
 */
GBytes *
avfs_chunk_encode (AvfsVault    *self,
                   const guint8 *data,
                   gsize         len)
{
  gint level = g_atomic_int_get (&self->settings.compression_level);
  AvfsChunkDictionary *dictionary = g_atomic_pointer_get (&self->dictionary);
  ZSTD_CCtx *context = get_zstd_contexts ()->compress;
  gsize bound = ZSTD_compressBound (len);
  guint8 *out = g_malloc (1 + MAX (bound, len));
  guint8 codec = AVFS_CODEC_ZSTD_DICTIONARY;
  gsize written = 0;

  if (level > 0 && len > 0 && dictionary != NULL)
    written = compress_with_dictionary (context, dictionary, out + 1, bound, data, len, level);
  /* ZSTD_compressCCtx() resets the context's parameters: the frame is what
   * ZSTD_compress() would make. */
  if (level > 0 && len > 0 && written == 0)
    {
      codec = AVFS_CODEC_ZSTD;
      written = ZSTD_compressCCtx (context, out + 1, bound, data, len, level);
    }
  if (level > 0 && len > 0 && !ZSTD_isError (written) && written < len)
    {
      out[0] = codec;
      return g_bytes_new_take (g_realloc (out, 1 + written), 1 + written);
    }
  out[0] = AVFS_CODEC_RAW;
  memcpy (out + 1, data, len);
  return g_bytes_new_take (g_realloc (out, 1 + len), 1 + len);
}

/**
 * avfs_chunk_get_raw_size:
 * @stored: (array length=len): a stored chunk: codec byte ‖ payload
 * @size: (out): the chunk's length once decoded
 *
 * Reads the length from the codec's header, without decoding.
 *
 * Returns: %FALSE when @stored is not a chunk avfs can decode
 */
gboolean
avfs_chunk_get_raw_size (const guint8 *stored,
                         gsize         len,
                         guint64      *size)
{
  unsigned long long frame_size;

  if (len >= 1 && stored[0] == AVFS_CODEC_RAW)
    {
      *size = len - 1;
      return TRUE;
    }
  if (len < 1 || (stored[0] != AVFS_CODEC_ZSTD && stored[0] != AVFS_CODEC_ZSTD_DICTIONARY))
    return FALSE;
  frame_size = ZSTD_getFrameContentSize (stored + 1, len - 1);
  if (frame_size > AVFS_STORAGE_MAX_VALUE_LEN)
    return FALSE;
  *size = frame_size;
  return TRUE;
}

/* The vault's dictionary, loaded when another process (or vault object) has stored
 * it since this one looked; %NULL when the vault has none. */
static AvfsChunkDictionary *
get_dictionary (AvfsVault *self)
{
  g_autoptr(GError) error = NULL;

  if (g_atomic_pointer_get (&self->dictionary) == NULL &&
      !avfs_vault_load_chunk_dictionary (self, &error))
    g_debug ("%s", error->message);
  return g_atomic_pointer_get (&self->dictionary);
}

static gsize
decompress (AvfsVault    *self,
            guint8       *out,
            gsize         size,
            const guint8 *stored,
            gsize         len)
{
  ZSTD_DCtx *context = get_zstd_contexts ()->decompress;
  AvfsChunkDictionary *dictionary;

  if (stored[0] == AVFS_CODEC_ZSTD)
    return ZSTD_decompressDCtx (context, out, size, stored + 1, len - 1);
  dictionary = get_dictionary (self);
  if (dictionary == NULL)
    return (gsize) -ZSTD_error_dictionary_wrong;
  return ZSTD_decompress_usingDDict (context, out, size, stored + 1, len - 1,
                                     avfs_chunk_dictionary_get_ddict (dictionary));
}

/**
 * avfs_chunk_decode:
 * @self: the vault, whose dictionary the chunk may need
 * @stored: a stored chunk: codec byte ‖ payload
 * @hash: its key, for the message
 *
 * Returns: (transfer full) (nullable): the chunk's bytes, or %NULL with
 *   %AVFS_ERROR_CORRUPT
 */
GBytes *
avfs_chunk_decode (AvfsVault     *self,
                   GBytes        *stored,
                   const guint8  *hash,
                   GError       **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (stored, &len);
  guint64 size;
  guint8 *out;
  gsize got;

  if (len >= 1 && data[0] == AVFS_CODEC_RAW)
    return g_bytes_new_from_bytes (stored, 1, len - 1);
  if (avfs_chunk_get_raw_size (data, len, &size))
    {
      out = g_malloc (MAX (size, 1));
      got = decompress (self, out, size, data, len);
      if (!ZSTD_isError (got) && got == size)
        return g_bytes_new_take (out, size);
      g_free (out);
    }
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
               "Stored content %02x%02x%02x%02x… cannot be decoded; run “avfs-cli vault verify”",
               hash[0], hash[1], hash[2], hash[3]);
  return NULL;
}

/**
 * avfs_vault_load_chunk:
 * @hash: the chunk's SHA-256
 *
 * Returns: (transfer full) (nullable): the chunk's bytes
 */
GBytes *
avfs_vault_load_chunk (AvfsVault        *self,
                       AvfsTransaction  *tx,
                       const guint8     *hash,
                       GError          **error)
{
  g_autoptr(GBytes) stored = NULL;
  GError *local_error = NULL;

  stored = avfs_vault_get_record (self, tx, AVFS_COLLECTION_BLOBS, hash, AVFS_HASH_LEN,
                                  &local_error);
  if (stored == NULL)
    {
      if (local_error == NULL)
        g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                     "Content %02x%02x%02x%02x… is missing from the vault; run “avfs-cli vault verify”",
                     hash[0], hash[1], hash[2], hash[3]);
      g_propagate_error (error, local_error);
      return NULL;
    }
  return avfs_chunk_decode (self, stored, hash, error);
}

static void
clear_pending (gpointer data)
{
  PendingChunk *chunk = data;

  g_clear_pointer (&chunk->value, g_bytes_unref);
}

/**
 * avfs_chunk_writer_new:
 * @kept: (nullable): hashes of full chunks that start the content (an append keeps
 *   them), or %NULL
 * @kept_size: the bytes those chunks hold
 *
 * Returns: (transfer full): a writer that cuts what it is given into chunks
 */
AvfsChunkWriter *
avfs_chunk_writer_new (AvfsVault *self,
                       GBytes    *kept,
                       guint64    kept_size)
{
  AvfsChunkWriter *writer = g_new0 (AvfsChunkWriter, 1);

  writer->vault = g_object_ref (self);
  writer->content = g_byte_array_new ();
  if (kept != NULL)
    g_byte_array_append (writer->content, g_bytes_get_data (kept, NULL),
                         g_bytes_get_size (kept));
  writer->size = kept_size;
  writer->buffer = g_byte_array_new ();
  writer->pending = g_array_new (FALSE, TRUE, sizeof (PendingChunk));
  g_array_set_clear_func (writer->pending, clear_pending);
  return writer;
}

void
avfs_chunk_writer_free (AvfsChunkWriter *writer)
{
  if (writer == NULL)
    return;
  g_object_unref (writer->vault);
  g_byte_array_unref (writer->content);
  g_byte_array_unref (writer->buffer);
  g_array_unref (writer->pending);
  g_free (writer);
}

static gboolean
chunk_is_stored (AvfsChunkWriter  *writer,
                 const guint8     *hash,
                 gboolean         *stored,
                 GError          **error)
{
  return avfs_storage_exists (writer->vault->storage, AVFS_COLLECTION_BLOBS, hash,
                              AVFS_HASH_LEN, stored, error);
}

/* Hashes and encodes one chunk. With @check, a chunk the vault already has is only
 * referenced; without, the transaction that stores it looks (a detached writer never
 * checks: it touches no storage). */
static gboolean
seal_chunk (AvfsChunkWriter  *writer,
            const guint8     *data,
            gsize             len,
            gboolean          check,
            GError          **error)
{
  AvfsVault *self = writer->vault;
  PendingChunk chunk = { 0 };
  gboolean exists = FALSE;

  avfs_chunk_hash (data, len, chunk.hash);
  g_byte_array_append (writer->content, chunk.hash, AVFS_HASH_LEN);
  writer->size += len;
  chunk.checked = check && !writer->detached;
  if (chunk.checked && !chunk_is_stored (writer, chunk.hash, &exists, error))
    return FALSE;
  if (exists)
    return TRUE;
  chunk.value = avfs_chunk_encode (self, data, len);
  writer->pending_bytes += g_bytes_get_size (chunk.value);
  g_array_append_val (writer->pending, chunk);
  return TRUE;
}

static gboolean
store_pending_cb (AvfsTransaction  *tx,
                  gpointer          user_data,
                  GError          **error)
{
  return avfs_chunk_writer_store_pending (user_data, tx, error);
}

/* Commits the sealed chunks in a transaction of their own: a plain storage transaction,
 * not avfs_vault_transaction(), since stored chunks change nothing a user sees until the
 * write's own transaction links them (and audits the write). */
static gboolean
flush_pending (AvfsChunkWriter  *writer,
               GError          **error)
{
  if (!avfs_storage_transaction (writer->vault->storage, store_pending_cb, writer, error))
    return FALSE;
  g_array_set_size (writer->pending, 0);
  writer->pending_bytes = 0;
  return TRUE;
}

/**
 * avfs_chunk_writer_add:
 *
 * Takes the next bytes of the content. Full chunks are sealed as they fill and
 * committed every few MiB, so memory stays bounded whatever the file size.
 */
gboolean
avfs_chunk_writer_add (AvfsChunkWriter  *writer,
                       const guint8     *data,
                       gsize             len,
                       GError          **error)
{
  gsize chunk_size = writer->vault->settings.chunk_size;

  while (len > 0)
    {
      gsize take = MIN (len, chunk_size - writer->buffer->len);

      /* A whole chunk straight from the caller needs no copy. */
      if (writer->buffer->len == 0 && take == chunk_size)
        {
          if (!seal_chunk (writer, data, take, TRUE, error))
            return FALSE;
        }
      else
        {
          g_byte_array_append (writer->buffer, data, take);
          if (writer->buffer->len == chunk_size)
            {
              if (!seal_chunk (writer, writer->buffer->data, chunk_size, TRUE, error))
                return FALSE;
              g_byte_array_set_size (writer->buffer, 0);
            }
        }
      data += take;
      len -= take;
      if (!writer->detached && writer->pending_bytes >= FLUSH_BYTES &&
          !flush_pending (writer, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * avfs_chunk_writer_new_detached:
 *
 * A writer for a thread that is not the one writing to the vault (an import's
 * workers): it only hashes and encodes, and never reads or writes storage, so what it
 * is given stays in memory (encoded) until avfs_chunk_writer_attach(); give it no more
 * than the caller can hold.
 *
 * Returns: (transfer full): a writer of new content
 */
AvfsChunkWriter *
avfs_chunk_writer_new_detached (AvfsVault *self)
{
  AvfsChunkWriter *writer = avfs_chunk_writer_new (self, NULL, 0);

  writer->detached = TRUE;
  return writer;
}

/**
 * avfs_chunk_writer_attach:
 *
 * On the thread that writes to the vault, makes a detached writer an ordinary one: from
 * now on it checks and flushes as it goes. The chunks it sealed detached are checked by
 * the transaction that stores them, as a last chunk is.
 */
void
avfs_chunk_writer_attach (AvfsChunkWriter *writer)
{
  writer->detached = FALSE;
}

/**
 * avfs_chunk_writer_finish:
 *
 * Seals the last, partial chunk. What is still pending goes into the caller's own
 * transaction with avfs_chunk_writer_store_pending(), so a small file is written by
 * exactly one transaction; whether the vault has the last chunk already is looked up
 * there too, not by a read of its own (on SQLite a read outside the write transaction
 * takes a second connection, whose memory map every commit invalidates).
 */
gboolean
avfs_chunk_writer_finish (AvfsChunkWriter  *writer,
                          GError          **error)
{
  if (writer->buffer->len > 0 &&
      !seal_chunk (writer, writer->buffer->data, writer->buffer->len, FALSE, error))
    return FALSE;
  g_byte_array_set_size (writer->buffer, 0);
  return TRUE;
}

/* Whether @tx sees @chunk in the store already. */
static gboolean
chunk_is_in (AvfsTransaction     *tx,
             const PendingChunk  *chunk,
             gboolean            *stored,
             GError             **error)
{
  GError *local_error = NULL;
  g_autoptr(GBytes) value = avfs_transaction_get (tx, AVFS_COLLECTION_BLOBS, chunk->hash,
                                                  AVFS_HASH_LEN, &local_error);

  *stored = value != NULL;
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

gboolean
avfs_chunk_writer_store_pending (AvfsChunkWriter  *writer,
                                 AvfsTransaction  *tx,
                                 GError          **error)
{
  for (guint i = 0; i < writer->pending->len; i++)
    {
      PendingChunk *chunk = &g_array_index (writer->pending, PendingChunk, i);
      gboolean stored = FALSE;

      if (!chunk->checked && !chunk_is_in (tx, chunk, &stored, error))
        return FALSE;
      if (!stored &&
          !avfs_transaction_put (tx, AVFS_COLLECTION_BLOBS, chunk->hash, AVFS_HASH_LEN,
                                 g_bytes_get_data (chunk->value, NULL),
                                 g_bytes_get_size (chunk->value), error))
        return FALSE;
    }
  return TRUE;
}

/**
 * avfs_chunk_writer_get_content:
 *
 * Returns: (transfer full): the chunk hashes of everything written, in order
 */
GBytes *
avfs_chunk_writer_get_content (AvfsChunkWriter *writer)
{
  return g_bytes_new (writer->content->data, writer->content->len);
}

guint64
avfs_chunk_writer_get_size (AvfsChunkWriter *writer)
{
  return writer->size;
}
