/* SPDX-License-Identifier: GPL-3.0-or-later */
/* File content: writing a new version (whole, appended or streamed) and reading one. */
#include <string.h>

#include "avfs-path.h"
#include "avfs-vault-private.h"

#define STREAM_BUFFER_SIZE (256 * 1024)

/* One write: its content is chunked before the transaction, which only links it. */
typedef struct
{
  AvfsVault *vault;
  const char *path;
  AvfsWriteFlags flags;
  AvfsChunkWriter *chunks;
  gboolean touch;  /* only bump an existing file's time */
  guint32 version; /* out: the version written */
} WriteJob;

/* The id of the directory the file goes into; 0 on error. Its record is not needed. */
static guint64
find_parent (WriteJob         *job,
             AvfsTransaction  *tx,
             AvfsUsage        *usage,
             GError          **error)
{
  g_autofree char *parent_path = avfs_path_get_parent (job->path);
  g_autoptr(AvfsNode) parent = NULL;
  AvfsNodeKind kind;
  guint64 id;

  if (job->flags & AVFS_WRITE_PARENTS)
    {
      parent = avfs_vault_ensure_directories (job->vault, tx, parent_path, usage, error);
      return parent != NULL ? parent->id : 0;
    }
  if (!avfs_vault_resolve_entry (job->vault, tx, parent_path, &id, &kind, error))
    {
      g_prefix_error (error, "Cannot write %s: ", job->path);
      return 0;
    }
  if (kind != AVFS_NODE_KIND_DIRECTORY)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                   "%s: “%s” is a file, not a directory", job->path, parent_path);
      return 0;
    }
  return id;
}

/* Finds the file to write, or makes a new node for it. */
static AvfsNode *
find_or_create_file (WriteJob         *job,
                     AvfsTransaction  *tx,
                     AvfsUsage        *usage,
                     GError          **error)
{
  guint64 parent = find_parent (job, tx, usage, error);
  const char *name = avfs_path_get_name (job->path);
  GError *local_error = NULL;
  AvfsNode *node;
  guint64 id;

  if (parent == 0)
    return NULL;
  node = avfs_vault_lookup_child (job->vault, tx, parent, name, &local_error);
  if (node != NULL && node->kind == AVFS_NODE_KIND_DIRECTORY)
    g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY,
                 "%s is a directory; a file cannot be written there", job->path);
  else if (node != NULL && (job->flags & AVFS_WRITE_NO_CLOBBER))
    g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_EXISTS, "%s already exists", job->path);
  if (local_error != NULL)
    {
      g_clear_pointer (&node, avfs_node_free);
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (node != NULL)
    return node;
  if (!avfs_vault_next_id (job->vault, tx, &id, error))
    return NULL;
  usage->files++;
  return avfs_node_new (id, AVFS_NODE_KIND_FILE, parent, name);
}

static gboolean
write_cb (AvfsTransaction  *tx,
          gpointer          user_data,
          GError          **error)
{
  WriteJob *job = user_data;
  AvfsVault *self = job->vault;
  g_autoptr(AvfsNode) node = NULL;
  g_autofree char *details = NULL;
  const char *op;
  AvfsUsage usage;
  gboolean created;

  if (!avfs_usage_load (self, tx, &usage, error))
    return FALSE;
  node = find_or_create_file (job, tx, &usage, error);
  if (node == NULL)
    return FALSE;
  created = node->version == 0;
  if (job->touch && !created)
    {
      node->modified_us = g_get_real_time ();
      job->version = node->version;
      return avfs_node_save (tx, node, error) &&
             avfs_vault_audit (self, tx, "touch", job->path, NULL, error);
    }
  op = (job->flags & AVFS_WRITE_APPEND) && !created ? "append" : "write";
  if (!avfs_node_add_version (tx, node, job->chunks, op, &usage, error) ||
      !avfs_vault_check_quota (self, tx, &usage, node->size, job->path, error))
    return FALSE;
  job->version = node->version;
  avfs_vault_search_mark (self, node->id, created ? avfs_no_tags : NULL);
  details = g_strdup_printf ("{\"version\": %u, \"size\": %" G_GUINT64_FORMAT "}",
                             node->version, node->size);
  return avfs_usage_save (tx, &usage, error) &&
         avfs_vault_audit (self, tx, op, job->path, details, error);
}

/**
 * avfs_node_add_version:
 * @node: the file; with version 0 it is new, and is linked into its directory
 * @chunks: the finished content; what it has not stored yet goes into @tx
 * @op: what makes the version: write, append, import…
 * @usage: its byte count follows the change (counting a new file is the caller's)
 *
 * Makes @chunks' content the current version of @node, updating @node to match. Quota,
 * usage and audit stay with the caller, which may write many files in one transaction.
 */
gboolean
avfs_node_add_version (AvfsTransaction  *tx,
                       AvfsNode         *node,
                       AvfsChunkWriter  *chunks,
                       const char       *op,
                       AvfsUsage        *usage,
                       GError          **error)
{
  g_autoptr(GBytes) content = avfs_chunk_writer_get_content (chunks);

  return avfs_chunk_writer_store_pending (chunks, tx, error) &&
         avfs_node_append_version (tx, node, content, avfs_chunk_writer_get_size (chunks),
                                   op, usage, error);
}

/**
 * avfs_node_append_version:
 * @node: the file; with version 0 it is new, and is linked into its directory
 * @content: chunk hashes of content already stored (a write's, or an older version's)
 * @size: the content's length
 * @op: what makes the version: write, checkout, revert…
 * @usage: its byte count follows the change
 *
 * Like avfs_node_add_version() for content that needs no storing.
 */
gboolean
avfs_node_append_version (AvfsTransaction  *tx,
                          AvfsNode         *node,
                          GBytes           *content,
                          guint64           size,
                          const char       *op,
                          AvfsUsage        *usage,
                          GError          **error)
{
  gboolean created = node->version == 0;
  AvfsVersion version = { size, g_get_real_time (), (char *) op, content };

  usage->bytes = usage->bytes - node->size + size;
  node->version++;
  node->size = size;
  node->modified_us = version.time_us;
  g_clear_pointer (&node->content, g_bytes_unref);
  node->content = g_bytes_ref (content);
  return avfs_version_save (tx, node->id, node->version, &version, error) &&
         avfs_node_save (tx, node, error) &&
         (!created || avfs_vault_link (tx, node, error));
}

/* For an append: a writer that keeps the file's full chunks and re-reads its last,
 * partial one, so appending to a large file touches one chunk. */
static AvfsChunkWriter *
start_append (AvfsVault  *self,
              const char *path,
              GError    **error)
{
  GError *local_error = NULL;
  g_autoptr(AvfsNode) node = avfs_vault_resolve (self, NULL, path, &local_error);
  g_autoptr(AvfsChunkWriter) writer = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GBytes) tail = NULL;
  gsize n_chunks, tail_size;

  if (node == NULL || node->kind != AVFS_NODE_KIND_FILE || node->size == 0)
    {
      /* A missing file is created; other failures show again in the transaction. */
      g_clear_error (&local_error);
      return avfs_chunk_writer_new (self, NULL, 0);
    }
  n_chunks = g_bytes_get_size (node->content) / AVFS_HASH_LEN;
  tail_size = node->size % self->settings.chunk_size;
  if (tail_size == 0)
    return avfs_chunk_writer_new (self, node->content, node->size);

  kept = g_bytes_new_from_bytes (node->content, 0, (n_chunks - 1) * AVFS_HASH_LEN);
  writer = avfs_chunk_writer_new (self, kept, node->size - tail_size);
  tail = avfs_vault_load_chunk (self, NULL, (const guint8 *) g_bytes_get_data (node->content, NULL) +
                                      (n_chunks - 1) * AVFS_HASH_LEN, error);
  if (tail == NULL ||
      !avfs_chunk_writer_add (writer, g_bytes_get_data (tail, NULL), g_bytes_get_size (tail),
                              error))
    return NULL;
  return g_steal_pointer (&writer);
}

typedef gboolean (*FeedFunc) (AvfsChunkWriter  *writer,
                              gpointer          source,
                              GError          **error);

/* The steps every write shares: check the path, chunk the content, commit. */
static guint32
write_content (AvfsVault       *self,
               const char      *path,
               AvfsWriteFlags   flags,
               gboolean         touch,
               FeedFunc         feed,
               gpointer         source,
               GError         **error)
{
  g_autofree char *normalized = avfs_path_normalize (path, error);
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsChunkWriter) chunks = NULL;
  WriteJob job = { self, normalized, flags, NULL, touch, 0 };

  if (normalized == NULL)
    return 0;
  if (g_str_equal (normalized, "/"))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY,
                           "/ is the root directory; a file cannot be written there");
      return 0;
    }
  locker = g_mutex_locker_new (&self->write_lock);
  if (flags & AVFS_WRITE_APPEND)
    chunks = start_append (self, normalized, error);
  else
    chunks = avfs_chunk_writer_new (self, NULL, 0);
  if (chunks == NULL || !feed (chunks, source, error) ||
      !avfs_chunk_writer_finish (chunks, error))
    return 0;
  job.chunks = chunks;
  if (!avfs_vault_transaction (self, write_cb, &job, error))
    return 0;
  avfs_vault_train_chunk_dictionary_when_due (self);
  return job.version;
}

typedef struct
{
  const guint8 *data;
  gsize len;
} Buffer;

static gboolean
feed_buffer (AvfsChunkWriter  *writer,
             gpointer          source,
             GError          **error)
{
  Buffer *buffer = source;

  return avfs_chunk_writer_add (writer, buffer->data, buffer->len, error);
}

/**
 * avfs_vault_write:
 * @path: the file's path
 * @data: (array length=len): the content (or what to append)
 * @flags: append, create parents, refuse to overwrite
 *
 * Writes @path as a new version in one transaction.
 *
 * Returns: the new version number, or 0 on error
 */
guint32
avfs_vault_write (AvfsVault       *self,
                  const char      *path,
                  const guint8    *data,
                  gsize            len,
                  AvfsWriteFlags   flags,
                  GError         **error)
{
  Buffer buffer = { data, len };

  g_return_val_if_fail (AVFS_IS_VAULT (self), 0);
  g_return_val_if_fail (data != NULL || len == 0, 0);
  return write_content (self, path, flags, FALSE, feed_buffer, &buffer, error);
}

typedef struct
{
  GInputStream *input;
  GCancellable *cancellable;
} Stream;

static gboolean
feed_stream (AvfsChunkWriter  *writer,
             gpointer          source,
             GError          **error)
{
  Stream *stream = source;
  g_autofree guint8 *buffer = g_malloc (STREAM_BUFFER_SIZE);
  gssize got;

  while ((got = g_input_stream_read (stream->input, buffer, STREAM_BUFFER_SIZE,
                                     stream->cancellable, error)) > 0)
    {
      if (!avfs_chunk_writer_add (writer, buffer, got, error))
        return FALSE;
    }
  return got == 0;
}

/**
 * avfs_vault_write_stream:
 * @input: where the content comes from, read to its end
 * @cancellable: (nullable): stops the write; nothing is committed then
 *
 * Like avfs_vault_write(), holding at most a chunk or two in memory.
 *
 * Returns: the new version number, or 0 on error
 */
guint32
avfs_vault_write_stream (AvfsVault       *self,
                         const char      *path,
                         GInputStream    *input,
                         AvfsWriteFlags   flags,
                         GCancellable    *cancellable,
                         GError         **error)
{
  Stream stream = { input, cancellable };

  g_return_val_if_fail (AVFS_IS_VAULT (self), 0);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), 0);
  return write_content (self, path, flags, FALSE, feed_stream, &stream, error);
}

/**
 * avfs_vault_touch:
 *
 * Creates an empty file at @path, or sets an existing file's modification time to now
 * (without a new version).
 */
gboolean
avfs_vault_touch (AvfsVault   *self,
                  const char  *path,
                  GError     **error)
{
  Buffer empty = { NULL, 0 };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  return write_content (self, path, AVFS_WRITE_NONE, TRUE, feed_buffer, &empty, error) != 0;
}

/**
 * avfs_vault_resolve_file:
 * @path: a path as a caller gave it
 * @normalized: (out) (transfer full): @path normalised; %NULL when it is malformed
 *
 * Returns: (transfer full) (nullable): the file at @path, or %NULL with an error
 *   naming it when it is malformed, missing or a directory
 */
AvfsNode *
avfs_vault_resolve_file (AvfsVault   *self,
                         const char  *path,
                         char       **normalized,
                         GError     **error)
{
  g_autoptr(AvfsNode) node = avfs_vault_resolve_user_path (self, path, normalized, error);

  if (node != NULL && node->kind != AVFS_NODE_KIND_FILE)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY,
                   "%s is a directory, not a file", *normalized);
      return NULL;
    }
  return g_steal_pointer (&node);
}

/**
 * avfs_vault_load_file_version:
 * @node: a file
 * @path: its path, for the message
 * @number: a version number, or 0 for the current version
 *
 * Returns: (transfer full) (nullable): the version, or %NULL with
 *   %AVFS_ERROR_NOT_FOUND naming @path when it has no such version
 */
AvfsVersion *
avfs_vault_load_file_version (AvfsVault       *self,
                              const AvfsNode  *node,
                              const char      *path,
                              guint32          number,
                              GError         **error)
{
  GError *local_error = NULL;
  AvfsVersion *version = avfs_version_load (self, NULL, node->id,
                                            number != 0 ? number : node->version,
                                            &local_error);

  if (g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                   "%s has no version %u (versions go up to %u; see “avfs-cli log %s”)",
                   path, number, node->version, path);
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return version;
}

/* The chunk list and size of @path's current or given version. */
static GBytes *
find_content (AvfsVault   *self,
              const char  *path,
              guint32      number,
              guint64     *size,
              GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) node = avfs_vault_resolve_file (self, path, &normalized, error);
  g_autoptr(AvfsVersion) version = NULL;

  if (node == NULL)
    return NULL;
  if (number == 0 || number == node->version)
    {
      *size = node->size;
      return g_bytes_ref (node->content);
    }
  version = avfs_vault_load_file_version (self, node, normalized, number, error);
  if (version == NULL)
    return NULL;
  *size = version->size;
  return g_bytes_ref (version->content);
}

typedef gboolean (*ChunkFunc) (GBytes        *chunk,
                               gpointer       user_data,
                               GError       **error);

/* Loads @content's chunks one at a time, checking they add up to @size. */
static gboolean
for_each_chunk (AvfsVault     *self,
                GBytes        *content,
                guint64        size,
                GCancellable  *cancellable,
                ChunkFunc      func,
                gpointer       user_data,
                GError       **error)
{
  gsize len;
  const guint8 *hashes = g_bytes_get_data (content, &len);
  guint64 total = 0;

  for (gsize offset = 0; offset < len; offset += AVFS_HASH_LEN)
    {
      g_autoptr(GBytes) chunk = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      chunk = avfs_vault_load_chunk (self, NULL, hashes + offset, error);
      if (chunk == NULL)
        return FALSE;
      total += g_bytes_get_size (chunk);
      if (!func (chunk, user_data, error))
        return FALSE;
    }
  if (total != size)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "Stored content is %" G_GUINT64_FORMAT " bytes where %" G_GUINT64_FORMAT
                   " were written; run “avfs-cli vault verify”", total, size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
append_chunk_cb (GBytes   *chunk,
                 gpointer  user_data,
                 GError  **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  g_byte_array_append (user_data, data, len);
  return TRUE;
}

/**
 * avfs_vault_read:
 * @version: a version number, or 0 for the current content
 *
 * Reads a whole file into memory; use avfs_vault_read_to_stream() for large ones.
 *
 * Returns: (transfer full) (nullable): the content
 */
GBytes *
avfs_vault_read (AvfsVault   *self,
                 const char  *path,
                 guint32      version,
                 GError     **error)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GByteArray) data = NULL;
  guint64 size = 0;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  content = find_content (self, path, version, &size, error);
  if (content == NULL)
    return NULL;
  if (size > G_MAXSIZE / 2)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "%s is too large to read into memory; export it instead", path);
      return NULL;
    }
  data = g_byte_array_sized_new (size);
  if (!for_each_chunk (self, content, size, NULL, append_chunk_cb, data, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/**
 * avfs_vault_read_head:
 * @version: a version number, or 0 for the current content
 * @max_bytes: read at most this many bytes
 *
 * The start of a file, loading only the chunks it needs: a preview of a file of any size.
 *
 * Returns: (transfer full) (nullable): the first @max_bytes bytes (fewer for a shorter file)
 */
GBytes *
avfs_vault_read_head (AvfsVault   *self,
                      const char  *path,
                      guint32      version,
                      gsize        max_bytes,
                      GError     **error)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GByteArray) data = NULL;
  const guint8 *hashes;
  guint64 size = 0;
  gsize len;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  content = find_content (self, path, version, &size, error);
  if (content == NULL)
    return NULL;
  hashes = g_bytes_get_data (content, &len);
  data = g_byte_array_sized_new (MIN (size, max_bytes));
  for (gsize offset = 0; offset < len && data->len < max_bytes; offset += AVFS_HASH_LEN)
    {
      g_autoptr(GBytes) chunk = avfs_vault_load_chunk (self, NULL, hashes + offset, error);

      if (chunk == NULL)
        return NULL;
      append_chunk_cb (chunk, data, NULL);
    }
  if (data->len > max_bytes)
    g_byte_array_set_size (data, max_bytes);
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

typedef struct
{
  GOutputStream *output;
  GCancellable *cancellable;
} Output;

static gboolean
write_chunk_cb (GBytes   *chunk,
                gpointer  user_data,
                GError  **error)
{
  Output *output = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  return g_output_stream_write_all (output->output, data, len, NULL, output->cancellable,
                                    error);
}

/**
 * avfs_vault_read_to_stream:
 * @version: a version number, or 0 for the current content
 * @output: where the content goes, one chunk at a time
 * @cancellable: (nullable): stops the read between chunks
 */
gboolean
avfs_vault_read_to_stream (AvfsVault      *self,
                           const char     *path,
                           guint32         version,
                           GOutputStream  *output,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(GBytes) content = NULL;
  Output out = { output, cancellable };
  guint64 size = 0;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);
  content = find_content (self, path, version, &size, error);
  return content != NULL &&
         for_each_chunk (self, content, size, cancellable, write_chunk_cb, &out, error);
}
