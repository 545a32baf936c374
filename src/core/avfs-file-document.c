/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a file is indexed with: its document read from the vault, one at a time or, for
 * a rebuild or a check of the whole index, ahead on a thread of its own. */
#include <string.h>

#include "avfs-file-document.h"
#include "avfs-search-tokenizer.h"
#include "avfs-vault-private.h"
#include "avfs-vault-search.h"

static gboolean
add_tag_cb (AvfsCursor  *cursor,
            gpointer     user_data,
            GError     **error)
{
  gsize len;
  const guint8 *key = avfs_cursor_get_key (cursor, &len);

  g_ptr_array_add (user_data, g_strndup ((const char *) key + AVFS_ID_KEY_LEN,
                                         len - AVFS_ID_KEY_LEN));
  return TRUE;
}

/**
 * avfs_node_load_tags:
 *
 * Returns: (transfer full): the committed tags of node @id, in key order
 */
char **
avfs_node_load_tags (AvfsVault  *self,
                     guint64     id,
                     GError    **error)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  guint8 prefix[AVFS_ID_KEY_LEN];

  avfs_id_key (id, prefix);
  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_TAGS, prefix, sizeof prefix,
                                    add_tag_cb, tags, error))
    return NULL;
  g_ptr_array_add (tags, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&tags), FALSE);
}

/* Cuts @buffer to at most @max bytes without splitting a UTF-8 character at the end. */
static void
truncate_text (GByteArray *buffer,
               gsize       max)
{
  gsize len = MIN (buffer->len, max);

  if (len < buffer->len)
    for (guint back = 0; back < 3 && len > 0 && (buffer->data[len] & 0xC0) == 0x80; back++)
      len--;
  g_byte_array_set_size (buffer, len);
}

/* The text of the content whose chunks' hashes are @content, up to
 * AVFS_VAULT_SEARCH_MAX_TEXT bytes; %NULL in @text for a binary file. FTS5 deletes a
 * document's words by reading its text again (avfs_file_document_load_ref_text()), so
 * any change to what this gives for the same chunks needs the indexes rebuilt. */
static gboolean
load_text (AvfsVault        *self,
           AvfsTransaction  *tx,
           GBytes           *content,
           char            **text,
           GError          **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  gsize hashes_len;
  const guint8 *hashes = g_bytes_get_data (content, &hashes_len);

  *text = NULL;
  for (gsize offset = 0; offset < hashes_len && buffer->len <= AVFS_VAULT_SEARCH_MAX_TEXT;
       offset += AVFS_HASH_LEN)
    {
      g_autoptr(GBytes) chunk = avfs_vault_load_chunk (self, tx, hashes + offset, error);
      gsize len;
      const guint8 *data;

      if (chunk == NULL)
        return FALSE;
      data = g_bytes_get_data (chunk, &len);
      if (offset == 0 && memchr (data, 0, MIN (len, AVFS_SEARCH_TEXT_PROBE_BYTES)) != NULL)
        return TRUE;
      g_byte_array_append (buffer, data, len);
    }
  truncate_text (buffer, AVFS_VAULT_SEARCH_MAX_TEXT);
  *text = avfs_search_text_from_bytes (buffer->data, buffer->len);
  return TRUE;
}

/* Takes @local_error: %TRUE when it is damage to the vault, which verify names (a
 * corrupt or a missing record), %FALSE with @error set otherwise. */
gboolean
avfs_search_is_damage (GError  *local_error,
                       GError **error)
{
  if (!g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_CORRUPT) &&
      !g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_debug ("Search index: %s", local_error->message);
  g_error_free (local_error);
  return TRUE;
}

void
avfs_file_document_free (AvfsFileDocument *doc)
{
  g_free (doc->path);
  g_free (doc->name);
  g_free (doc->text);
  g_strfreev (doc->tags);
  g_free (doc->content_key);
  g_clear_pointer (&doc->content_ref, g_bytes_unref);
  g_free (doc);
}

/* Names @node's content: a digest of its chunks' hashes, which change with any byte of
 * it, 128 bits in hex. Costs no reading of the content. */
static char *
content_key (const AvfsNode *node)
{
  gsize len;
  const guint8 *hashes = g_bytes_get_data (node->content, &len);
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, hashes, len);

  return g_strndup (digest, 32);
}

/* What FTS5 keeps instead of @node's text (AvfsSearchFields.content_ref): the hashes of
 * the chunks load_text() reads at most, the text's whole source. Every chunk but the last
 * holds chunk_size bytes (avfs-chunk-store.c; an append rewrites the last), so that is
 * the first MAX_TEXT / chunk_size + 1 of them. */
static GBytes *
content_ref (AvfsVault      *self,
             const AvfsNode *node)
{
  gsize max_chunks = AVFS_VAULT_SEARCH_MAX_TEXT / self->settings.chunk_size + 1;
  gsize len = g_bytes_get_size (node->content);

  return g_bytes_new_from_bytes (node->content, 0, MIN (len, max_chunks * AVFS_HASH_LEN));
}

/* Fills @doc as the document of file @node at @path (taken): its name and, @with_text,
 * its text, read through @tx when given, with its content_ref. Damaged content gives
 * neither: the document is indexed without text, and is deleted so. */
static gboolean
fill_document (AvfsVault         *self,
               AvfsTransaction   *tx,
               AvfsNode          *node,
               char              *path,
               gboolean           with_text,
               AvfsFileDocument  *doc,
               GError           **error)
{
  GError *local_error = NULL;

  doc->path = path;
  if (with_text && load_text (self, tx, node->content, &doc->text, &local_error))
    doc->content_ref = content_ref (self, node);
  else if (with_text && !avfs_search_is_damage (local_error, error))
    return FALSE;
  doc->name = g_steal_pointer (&node->name);
  doc->indexed = TRUE;
  return TRUE;
}

/* Reads @doc's fields, with @tags or, when %NULL, the tags committed. Damage (verify
 * names it) does not fail: a file without a path has no document, damaged content leaves
 * a file findable by path and name. */
gboolean
avfs_file_document_read (AvfsVault           *self,
                         AvfsTransaction     *tx,
                         const char * const  *tags,
                         AvfsFileDocument    *doc,
                         GError             **error)
{
  g_autoptr(AvfsNode) node = NULL;
  GError *local_error = NULL;
  char *path;

  node = avfs_node_load (self, tx, doc->id, &local_error);
  if (node == NULL && !g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_clear_error (&local_error);
  if (node == NULL || node->kind != AVFS_NODE_KIND_FILE)
    return TRUE;
  if ((path = avfs_vault_node_path (self, tx, doc->id, &local_error)) == NULL)
    return avfs_search_is_damage (local_error, error);
  if (!fill_document (self, tx, node, path, TRUE, doc, error))
    return FALSE;
  doc->content_key = content_key (node);
  doc->tags = tags != NULL ? g_strdupv ((char **) tags)
                           : avfs_node_load_tags (self, doc->id, error);
  return doc->tags != NULL;
}

/* The text of file @id's current content, for a snippet: %NULL for a binary file, one
 * that is gone or one that cannot be read (a snippet is not worth an error). */
char *
avfs_file_document_load_text (AvfsVault *self,
                              guint64    id)
{
  g_autoptr(AvfsNode) node = NULL;
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  node = avfs_node_load (self, NULL, id, &error);
  if (node != NULL && node->kind == AVFS_NODE_KIND_FILE)
    load_text (self, NULL, node->content, &text, &error);
  if (error != NULL)
    g_debug ("No snippet for file %" G_GUINT64_FORMAT ": %s", id, error->message);
  return text;
}

/* The text a document was indexed with, from its content_ref (through @tx when given):
 * %NULL for a binary file, or when the vault cannot give it (damage verify names). */
char *
avfs_file_document_load_ref_text (AvfsVault        *self,
                                  AvfsTransaction  *tx,
                                  GBytes           *content_ref)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (g_bytes_get_size (content_ref) % AVFS_HASH_LEN != 0)
    g_set_error (&error, AVFS_ERROR, AVFS_ERROR_CORRUPT, "its length is no list of hashes");
  else
    load_text (self, tx, content_ref, &text, &error);
  if (error != NULL)
    g_debug ("No text for a search document: %s", error->message);
  return text;
}

gboolean
avfs_file_document_index (AvfsSearchIndex         *index,
                          const AvfsFileDocument  *doc,
                          GError                 **error)
{
  AvfsSearchFields fields = { doc->path, doc->name, doc->text,
                              (const char * const *) doc->tags, doc->content_key,
                              doc->content_ref };

  if (!doc->indexed)
    return avfs_search_index_remove (index, doc->id, error);
  return avfs_search_index_index (index, doc->id, &fields, error);
}

/* A feed: a thread reads the documents of a list of files, in order, while the caller
 * indexes or checks those read before — half the work each, on two processors. At most
 * FEED_AHEAD documents wait, so memory stays bounded. Each side wakes the other only when
 * it waits, and a full queue wakes the thread once half of it is taken: waking for every
 * document switched threads thousands of times a rebuild, a tenth of the reading time.
 * The thread reads outside any transaction: callers hold the write lock, so what is
 * committed is what there is. */

#define FEED_AHEAD 64

struct _AvfsDocumentFeed
{
  AvfsVault *vault;
  GArray *ids;
  gboolean with_text;
  GThread *thread;
  GMutex lock;         /* for the fields below */
  GCond room;          /* @ready got down to half, or @stop was set */
  GCond filled;        /* @ready got longer, or @finished was set */
  GQueue ready;        /* AvfsFileDocument, in the order of @ids */
  gboolean reader_waits; /* for @room */
  gboolean caller_waits; /* for @filled */
  gboolean finished;   /* the thread has read its last */
  gboolean stop;       /* the caller wants no more */
  GError *error;       /* why reading stopped early, for the caller */
};

/* Queues @doc once there is room; FALSE (and @doc freed) when told to stop. */
static gboolean
feed_push (AvfsDocumentFeed  *feed,
           AvfsFileDocument  *doc)
{
  gboolean go;

  g_mutex_lock (&feed->lock);
  while (!feed->stop && feed->ready.length >= FEED_AHEAD)
    {
      feed->reader_waits = TRUE;
      g_cond_wait (&feed->room, &feed->lock);
    }
  feed->reader_waits = FALSE;
  go = !feed->stop;
  if (go)
    g_queue_push_tail (&feed->ready, doc);
  if (feed->caller_waits)
    g_cond_signal (&feed->filled);
  g_mutex_unlock (&feed->lock);
  if (!go)
    avfs_file_document_free (doc);
  return go;
}

static void
feed_finish (AvfsDocumentFeed *feed,
             GError           *error)
{
  g_mutex_lock (&feed->lock);
  feed->finished = TRUE;
  feed->error = error;
  g_cond_signal (&feed->filled);
  g_mutex_unlock (&feed->lock);
}

/* The feed's reading: ids come in ascending order, so two cursors walk the nodes and
 * the tags in step, and the paths of directories are remembered. That is a quarter of
 * the reads of avfs_file_document_read(), which matters on SQLite, where each read
 * outside a transaction is a transaction of its own. */

#define MAX_DIRECTORIES_KEPT 65536

typedef struct
{
  AvfsVault *vault;
  gboolean with_text;
  AvfsCursor *nodes;
  gboolean on_node;        /* @nodes is on a record */
  AvfsCursor *tags;
  gboolean on_tag;
  GHashTable *directories; /* id → path */
} DocumentReader;

static void
document_reader_clear (DocumentReader *reader)
{
  g_clear_object (&reader->nodes);
  g_clear_object (&reader->tags);
  g_clear_pointer (&reader->directories, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DocumentReader, document_reader_clear)

static gboolean
document_reader_init (DocumentReader  *reader,
                      AvfsVault       *self,
                      GError         **error)
{
  GError *local_error = NULL;

  reader->vault = self;
  reader->directories = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  reader->nodes = avfs_storage_scan_prefix (self->storage, AVFS_COLLECTION_NODES, NULL, 0,
                                            error);
  reader->tags = reader->nodes == NULL ? NULL
                 : avfs_storage_scan_prefix (self->storage, AVFS_COLLECTION_TAGS, NULL, 0,
                                             error);
  if (reader->tags == NULL)
    return FALSE;
  reader->on_node = avfs_cursor_next (reader->nodes, &local_error);
  if (local_error == NULL)
    reader->on_tag = avfs_cursor_next (reader->tags, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/* Moves @cursor (on a record when *@on) to the first record whose key's first
 * AVFS_ID_KEY_LEN bytes are not below @key; tells whether they equal it. */
static gboolean
skip_to (AvfsCursor     *cursor,
         gboolean       *on,
         const guint8   *key,
         gboolean       *found,
         GError        **error)
{
  GError *local_error = NULL;

  *found = FALSE;
  while (*on)
    {
      gsize len;
      const guint8 *at = avfs_cursor_get_key (cursor, &len);
      int order = memcmp (at, key, MIN (len, AVFS_ID_KEY_LEN));

      if (order > 0 || (order == 0 && len >= AVFS_ID_KEY_LEN))
        {
          *found = order == 0;
          return TRUE;
        }
      *on = avfs_cursor_next (cursor, &local_error);
    }
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/* Node @key, or %NULL (no error) when there is none. */
static AvfsNode *
read_node (DocumentReader  *reader,
           guint64          id,
           const guint8    *key,
           GError         **error)
{
  g_autoptr(GBytes) value = NULL;
  gboolean found;
  gsize len;

  if (!skip_to (reader->nodes, &reader->on_node, key, &found, error) || !found)
    return NULL;
  avfs_cursor_get_key (reader->nodes, &len);
  if (len != AVFS_ID_KEY_LEN)
    return NULL;
  value = avfs_cursor_dup_value (reader->nodes);
  return avfs_node_parse (id, value, error);
}

static char **
read_tags (DocumentReader  *reader,
           const guint8    *key,
           GError         **error)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  GError *local_error = NULL;
  gboolean found;

  if (!skip_to (reader->tags, &reader->on_tag, key, &found, error))
    return NULL;
  while (found && reader->on_tag)
    {
      gsize len;
      const guint8 *at = avfs_cursor_get_key (reader->tags, &len);

      if (len < AVFS_ID_KEY_LEN || memcmp (at, key, AVFS_ID_KEY_LEN) != 0)
        break;
      g_ptr_array_add (tags, g_strndup ((const char *) at + AVFS_ID_KEY_LEN,
                                        len - AVFS_ID_KEY_LEN));
      reader->on_tag = avfs_cursor_next (reader->tags, &local_error);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  g_ptr_array_add (tags, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&tags), FALSE);
}

/* The path of @node, through the remembered path of its directory. */
static char *
read_path (DocumentReader  *reader,
           const AvfsNode  *node,
           GError         **error)
{
  const char *directory = g_hash_table_lookup (reader->directories, &node->parent);

  if (directory == NULL)
    {
      char *path = avfs_vault_node_path (reader->vault, NULL, node->parent, error);

      if (path == NULL)
        return NULL;
      if (g_hash_table_size (reader->directories) >= MAX_DIRECTORIES_KEPT)
        g_hash_table_remove_all (reader->directories);
      g_hash_table_insert (reader->directories, g_memdup2 (&node->parent, sizeof node->parent),
                           path);
      directory = path;
    }
  return g_strconcat (directory, g_str_equal (directory, "/") ? "" : "/", node->name, NULL);
}

/* As avfs_file_document_read(), for ids in ascending order. */
static gboolean
document_reader_read (DocumentReader    *reader,
                      AvfsFileDocument  *doc,
                      GError           **error)
{
  g_autoptr(AvfsNode) node = NULL;
  GError *local_error = NULL;
  guint8 key[AVFS_ID_KEY_LEN];
  char *path;

  avfs_id_key (doc->id, key);
  node = read_node (reader, doc->id, key, &local_error);
  if (node == NULL && local_error != NULL)
    return avfs_search_is_damage (local_error, error);
  if (node == NULL || node->kind != AVFS_NODE_KIND_FILE)
    return TRUE;
  if ((path = read_path (reader, node, &local_error)) == NULL)
    return avfs_search_is_damage (local_error, error);
  if (!fill_document (reader->vault, NULL, node, path, reader->with_text, doc, error))
    return FALSE;
  /* Engines given the text keep it rather than a key, whose digest was a twelfth of the
   * reading: only the check of an index wants the key and the ref, in place of reading
   * the text. */
  if (!reader->with_text)
    {
      doc->content_key = content_key (node);
      doc->content_ref = content_ref (reader->vault, node);
    }
  return (doc->tags = read_tags (reader, key, error)) != NULL;
}

static gpointer
feed_thread (gpointer data)
{
  AvfsDocumentFeed *feed = data;
  g_auto(DocumentReader) reader = { NULL };
  GError *error = NULL;

  reader.with_text = feed->with_text;
  if (document_reader_init (&reader, feed->vault, &error))
    for (guint i = 0; i < feed->ids->len; i++)
      {
        AvfsFileDocument *doc = g_new0 (AvfsFileDocument, 1);

        doc->id = g_array_index (feed->ids, guint64, i);
        if (!document_reader_read (&reader, doc, &error))
          {
            avfs_file_document_free (doc);
            break;
          }
        if (!feed_push (feed, doc))
          break;
      }
  feed_finish (feed, error);
  return NULL;
}

/* Starts reading the documents of files @ids, which must be in ascending order: with
 * their text when @with_text is set, else with their content key and content_ref. */
AvfsDocumentFeed *
avfs_document_feed_start (AvfsVault *self,
                          GArray    *ids,
                          gboolean   with_text)
{
  AvfsDocumentFeed *feed = g_new0 (AvfsDocumentFeed, 1);

  feed->vault = self;
  feed->ids = g_array_ref (ids);
  feed->with_text = with_text;
  g_mutex_init (&feed->lock);
  g_cond_init (&feed->room);
  g_cond_init (&feed->filled);
  feed->thread = g_thread_new ("avfs-read-documents", feed_thread, feed);
  return feed;
}

/* The next document, in the order of the ids; %NULL with @error when reading failed
 * (or when asked for more documents than there were ids). */
AvfsFileDocument *
avfs_document_feed_next (AvfsDocumentFeed  *feed,
                         GError           **error)
{
  AvfsFileDocument *doc;

  g_mutex_lock (&feed->lock);
  while (feed->ready.length == 0 && !feed->finished)
    {
      feed->caller_waits = TRUE;
      g_cond_wait (&feed->filled, &feed->lock);
    }
  feed->caller_waits = FALSE;
  doc = g_queue_pop_head (&feed->ready);
  if (doc == NULL && feed->error != NULL)
    g_propagate_error (error, g_error_copy (feed->error));
  else if (doc == NULL)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED, "No more documents to read");
  else if (feed->reader_waits && feed->ready.length <= FEED_AHEAD / 2)
    g_cond_signal (&feed->room);
  g_mutex_unlock (&feed->lock);
  return doc;
}

void
avfs_document_feed_free (AvfsDocumentFeed *feed)
{
  g_mutex_lock (&feed->lock);
  feed->stop = TRUE;
  g_cond_signal (&feed->room);
  g_mutex_unlock (&feed->lock);
  g_thread_join (feed->thread);
  g_queue_clear_full (&feed->ready, (GDestroyNotify) avfs_file_document_free);
  g_array_unref (feed->ids);
  g_clear_error (&feed->error);
  g_mutex_clear (&feed->lock);
  g_cond_clear (&feed->room);
  g_cond_clear (&feed->filled);
  g_free (feed);
}
