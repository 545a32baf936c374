/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageMemory: sorted in-process maps with the same semantics as the disk engines. */
#include <string.h>

#include "avfs-storage-memory.h"
#include "avfs-storage-private.h"

/* Entries a cursor copies per visit, so it never holds the lock between calls. */
#define CURSOR_BATCH 256

/* Thread safety: readers take @lock shared; every change takes @writer (one writer at a
 * time, held for a whole transaction) and then @lock exclusively only to apply it, so
 * readers see a transaction's changes all at once. Keys and values are GBytes. */
struct _AvfsStorageMemory
{
  GObject parent_instance;

  GMutex writer;
  GRWLock lock;
  GHashTable *collections; /* name → GTree of GBytes → GBytes */
  gboolean closed;
};

static void avfs_storage_memory_iface_init (AvfsStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsStorageMemory, avfs_storage_memory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_STORAGE,
                                                      avfs_storage_memory_iface_init))

static int
bytes_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  gsize a_len, b_len;
  const guint8 *a_data = g_bytes_get_data ((GBytes *) a, &a_len);
  const guint8 *b_data = g_bytes_get_data ((GBytes *) b, &b_len);

  return avfs_storage_key_compare (a_data, a_len, b_data, b_len);
}

static GTree *
collection_new (void)
{
  return g_tree_new_full (bytes_compare, NULL,
                          (GDestroyNotify) g_bytes_unref, (GDestroyNotify) g_bytes_unref);
}

/* Call with @lock held. */
static GTree *
lookup_collection (AvfsStorageMemory  *self,
                   const char         *collection,
                   GError            **error)
{
  GTree *tree = g_hash_table_lookup (self->collections, collection);

  if (tree == NULL)
    avfs_storage_set_unknown_collection (error, collection, NULL);
  return tree;
}

/* Call with @writer held: the collection exists, and stays so until @writer is released. */
static gboolean
check_collection (AvfsStorageMemory  *self,
                  const char         *collection,
                  GError            **error)
{
  return g_hash_table_contains (self->collections, collection) ||
         (avfs_storage_set_unknown_collection (error, collection, NULL), FALSE);
}

/* Call with @writer held; @value %NULL deletes. Takes @lock exclusively. */
static void
apply_change (AvfsStorageMemory *self,
              const char        *collection,
              GBytes            *key,
              GBytes            *value)
{
  GTree *tree;

  g_rw_lock_writer_lock (&self->lock);
  tree = g_hash_table_lookup (self->collections, collection);
  if (value != NULL)
    g_tree_replace (tree, g_bytes_ref (key), g_bytes_ref (value));
  else
    g_tree_remove (tree, key);
  g_rw_lock_writer_unlock (&self->lock);
}

static GBytes *
read_value (AvfsStorageMemory  *self,
            const char         *collection,
            GBytes             *key,
            GError            **error)
{
  GBytes *value = NULL;
  GTree *tree;

  g_rw_lock_reader_lock (&self->lock);
  tree = lookup_collection (self, collection, error);
  if (tree != NULL)
    {
      value = g_tree_lookup (tree, key);
      if (value != NULL)
        g_bytes_ref (value);
    }
  g_rw_lock_reader_unlock (&self->lock);

  if (tree == NULL)
    return NULL;
  /* A hit with no error; a miss with no error: the caller tells them apart by NULL. */
  return value;
}

/* Transactions: writes go to an overlay that get() consults first; commit applies the
 * overlay under one exclusive lock. */

typedef struct
{
  char *collection;
  GBytes *key;
  GBytes *value; /* NULL: deleted */
} PendingChange;

static void
pending_change_free (gpointer data)
{
  PendingChange *change = data;

  g_free (change->collection);
  g_bytes_unref (change->key);
  g_clear_pointer (&change->value, g_bytes_unref);
  g_free (change);
}

#define AVFS_TYPE_MEMORY_TRANSACTION (avfs_memory_transaction_get_type ())
G_DECLARE_FINAL_TYPE (AvfsMemoryTransaction, avfs_memory_transaction,
                      AVFS, MEMORY_TRANSACTION, AvfsTransaction)

struct _AvfsMemoryTransaction
{
  AvfsTransaction parent_instance;

  AvfsStorageMemory *store;
  GHashTable *pending; /* GBytes (collection NUL key) → PendingChange */
};

G_DEFINE_FINAL_TYPE (AvfsMemoryTransaction, avfs_memory_transaction, AVFS_TYPE_TRANSACTION)

static GBytes *
pending_id (const char   *collection,
            const guint8 *key,
            gsize         key_len)
{
  gsize name_len = strlen (collection) + 1;
  guint8 *id = g_malloc (name_len + key_len);

  memcpy (id, collection, name_len);
  memcpy (id + name_len, key, key_len);
  return g_bytes_new_take (id, name_len + key_len);
}

static GBytes *
avfs_memory_transaction_get (AvfsTransaction  *tx,
                             const char       *collection,
                             const guint8     *key,
                             gsize             key_len,
                             GError          **error)
{
  AvfsMemoryTransaction *self = AVFS_MEMORY_TRANSACTION (tx);
  g_autoptr(GBytes) id = pending_id (collection, key, key_len);
  g_autoptr(GBytes) key_bytes = NULL;
  PendingChange *change;

  if (!check_collection (self->store, collection, error))
    return NULL;

  change = g_hash_table_lookup (self->pending, id);
  if (change != NULL)
    return change->value != NULL ? g_bytes_ref (change->value) : NULL;

  key_bytes = g_bytes_new (key, key_len);
  return read_value (self->store, collection, key_bytes, error);
}

static gboolean
record_change (AvfsMemoryTransaction  *self,
               const char             *collection,
               const guint8           *key,
               gsize                   key_len,
               GBytes                 *value,
               GError                **error)
{
  PendingChange *change;

  if (!check_collection (self->store, collection, error))
    return FALSE;

  change = g_new0 (PendingChange, 1);
  change->collection = g_strdup (collection);
  change->key = g_bytes_new (key, key_len);
  change->value = value;
  g_hash_table_replace (self->pending, pending_id (collection, key, key_len), change);
  return TRUE;
}

static gboolean
avfs_memory_transaction_put (AvfsTransaction  *tx,
                             const char       *collection,
                             const guint8     *key,
                             gsize             key_len,
                             const guint8     *value,
                             gsize             value_len,
                             GError          **error)
{
  return record_change (AVFS_MEMORY_TRANSACTION (tx), collection, key, key_len,
                        g_bytes_new (value, value_len), error);
}

static gboolean
avfs_memory_transaction_delete (AvfsTransaction  *tx,
                                const char       *collection,
                                const guint8     *key,
                                gsize             key_len,
                                GError          **error)
{
  return record_change (AVFS_MEMORY_TRANSACTION (tx), collection, key, key_len, NULL, error);
}

static void
avfs_memory_transaction_finalize (GObject *object)
{
  AvfsMemoryTransaction *self = AVFS_MEMORY_TRANSACTION (object);

  g_hash_table_unref (self->pending);
  g_object_unref (self->store);
  G_OBJECT_CLASS (avfs_memory_transaction_parent_class)->finalize (object);
}

static void
avfs_memory_transaction_class_init (AvfsMemoryTransactionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AvfsTransactionClass *tx_class = AVFS_TRANSACTION_CLASS (klass);

  object_class->finalize = avfs_memory_transaction_finalize;
  tx_class->get = avfs_memory_transaction_get;
  tx_class->put = avfs_memory_transaction_put;
  tx_class->delete = avfs_memory_transaction_delete;
}

static void
avfs_memory_transaction_init (AvfsMemoryTransaction *self)
{
  self->pending = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                         (GDestroyNotify) g_bytes_unref, pending_change_free);
}

/* Call with @writer held. */
static void
avfs_memory_transaction_commit (AvfsMemoryTransaction *self)
{
  GHashTableIter iter;
  PendingChange *change;
  AvfsStorageMemory *store = self->store;

  g_rw_lock_writer_lock (&store->lock);
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &change))
    {
      GTree *tree = g_hash_table_lookup (store->collections, change->collection);

      if (change->value != NULL)
        g_tree_replace (tree, g_bytes_ref (change->key), g_bytes_ref (change->value));
      else
        g_tree_remove (tree, change->key);
    }
  g_rw_lock_writer_unlock (&store->lock);
}

/* Cursors copy up to CURSOR_BATCH entries per visit under the shared lock, then resume
 * after the last key they returned. */

#define AVFS_TYPE_MEMORY_CURSOR (avfs_memory_cursor_get_type ())
G_DECLARE_FINAL_TYPE (AvfsMemoryCursor, avfs_memory_cursor, AVFS, MEMORY_CURSOR, AvfsCursor)

struct _AvfsMemoryCursor
{
  AvfsCursor parent_instance;

  AvfsStorageMemory *store;
  char *collection;
  GBytes *resume;       /* next batch starts here (inclusive), or after it */
  gboolean resume_after;
  GBytes *end;          /* NULL: to the last key */
  GPtrArray *batch;     /* GBytes key, value, key, value, … */
  guint position;
  gboolean exhausted;
};

G_DEFINE_FINAL_TYPE (AvfsMemoryCursor, avfs_memory_cursor, AVFS_TYPE_CURSOR)

static gboolean
before_end (AvfsMemoryCursor *self,
            GBytes           *key)
{
  return self->end == NULL || bytes_compare (key, self->end, NULL) < 0;
}

static GTreeNode *
first_node (AvfsMemoryCursor *self,
            GTree            *tree)
{
  if (self->resume == NULL)
    return g_tree_node_first (tree);
  if (self->resume_after)
    return g_tree_upper_bound (tree, self->resume);
  return g_tree_lower_bound (tree, self->resume);
}

static gboolean
fill_batch (AvfsMemoryCursor  *self,
            GError           **error)
{
  GTreeNode *node;
  GTree *tree;

  g_ptr_array_set_size (self->batch, 0);
  self->position = 0;

  g_rw_lock_reader_lock (&self->store->lock);
  tree = lookup_collection (self->store, self->collection, error);
  node = tree != NULL ? first_node (self, tree) : NULL;
  for (; node != NULL && self->batch->len < 2 * CURSOR_BATCH; node = g_tree_node_next (node))
    {
      GBytes *key = g_tree_node_key (node);

      if (!before_end (self, key))
        break;
      g_ptr_array_add (self->batch, g_bytes_ref (key));
      g_ptr_array_add (self->batch, g_bytes_ref (g_tree_node_value (node)));
    }
  g_rw_lock_reader_unlock (&self->store->lock);

  if (tree == NULL)
    return FALSE;

  self->exhausted = self->batch->len < 2 * CURSOR_BATCH;
  if (self->batch->len > 0)
    {
      g_clear_pointer (&self->resume, g_bytes_unref);
      self->resume = g_bytes_ref (g_ptr_array_index (self->batch, self->batch->len - 2));
      self->resume_after = TRUE;
    }
  return TRUE;
}

static gboolean
avfs_memory_cursor_next (AvfsCursor  *cursor,
                         GError     **error)
{
  AvfsMemoryCursor *self = AVFS_MEMORY_CURSOR (cursor);
  gsize key_len, value_len;
  const guint8 *key, *value;

  if (self->position >= self->batch->len)
    {
      if (self->exhausted || !fill_batch (self, error) || self->batch->len == 0)
        return FALSE;
    }

  key = g_bytes_get_data (g_ptr_array_index (self->batch, self->position), &key_len);
  value = g_bytes_get_data (g_ptr_array_index (self->batch, self->position + 1), &value_len);
  self->position += 2;
  avfs_cursor_set_entry (cursor, key, key_len, value, value_len);
  return TRUE;
}

static void
avfs_memory_cursor_finalize (GObject *object)
{
  AvfsMemoryCursor *self = AVFS_MEMORY_CURSOR (object);

  g_object_unref (self->store);
  g_free (self->collection);
  g_clear_pointer (&self->resume, g_bytes_unref);
  g_clear_pointer (&self->end, g_bytes_unref);
  g_ptr_array_unref (self->batch);
  G_OBJECT_CLASS (avfs_memory_cursor_parent_class)->finalize (object);
}

static void
avfs_memory_cursor_class_init (AvfsMemoryCursorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_memory_cursor_finalize;
  AVFS_CURSOR_CLASS (klass)->next = avfs_memory_cursor_next;
}

static void
avfs_memory_cursor_init (AvfsMemoryCursor *self)
{
  self->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

/* The store. */

static const char *
avfs_storage_memory_get_engine_name (AvfsStorage *storage)
{
  return "memory";
}

static const char *
avfs_storage_memory_get_path (AvfsStorage *storage)
{
  return NULL;
}

static gboolean
avfs_storage_memory_create_collection (AvfsStorage  *storage,
                                       const char   *collection,
                                       GError      **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);

  g_mutex_lock (&self->writer);
  g_rw_lock_writer_lock (&self->lock);
  if (!g_hash_table_contains (self->collections, collection))
    g_hash_table_insert (self->collections, g_strdup (collection), collection_new ());
  g_rw_lock_writer_unlock (&self->lock);
  g_mutex_unlock (&self->writer);
  return TRUE;
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static char **
avfs_storage_memory_list_collections (AvfsStorage  *storage,
                                      GError      **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);
  char **names;

  g_rw_lock_reader_lock (&self->lock);
  names = (char **) g_hash_table_get_keys_as_array (self->collections, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    names[i] = g_strdup (names[i]);
  g_rw_lock_reader_unlock (&self->lock);

  qsort (names, g_strv_length (names), sizeof (char *), compare_names);
  return names;
}

static GBytes *
avfs_storage_memory_get (AvfsStorage   *storage,
                         const char    *collection,
                         const guint8  *key,
                         gsize          key_len,
                         GError       **error)
{
  g_autoptr(GBytes) key_bytes = g_bytes_new (key, key_len);

  return read_value (AVFS_STORAGE_MEMORY (storage), collection, key_bytes, error);
}

static gboolean
change_one (AvfsStorageMemory  *self,
            const char         *collection,
            const guint8       *key,
            gsize               key_len,
            GBytes             *value,
            GError            **error)
{
  g_autoptr(GBytes) key_bytes = NULL;
  gboolean ok;

  g_mutex_lock (&self->writer);
  ok = check_collection (self, collection, error);
  if (ok)
    {
      key_bytes = g_bytes_new (key, key_len);
      apply_change (self, collection, key_bytes, value);
    }
  g_mutex_unlock (&self->writer);
  return ok;
}

static gboolean
avfs_storage_memory_put (AvfsStorage   *storage,
                         const char    *collection,
                         const guint8  *key,
                         gsize          key_len,
                         const guint8  *value,
                         gsize          value_len,
                         GError       **error)
{
  g_autoptr(GBytes) value_bytes = g_bytes_new (value, value_len);

  return change_one (AVFS_STORAGE_MEMORY (storage), collection, key, key_len,
                     value_bytes, error);
}

static gboolean
avfs_storage_memory_delete (AvfsStorage   *storage,
                            const char    *collection,
                            const guint8  *key,
                            gsize          key_len,
                            GError       **error)
{
  return change_one (AVFS_STORAGE_MEMORY (storage), collection, key, key_len, NULL, error);
}

static gboolean
avfs_storage_memory_exists (AvfsStorage   *storage,
                            const char    *collection,
                            const guint8  *key,
                            gsize          key_len,
                            gboolean      *exists,
                            GError       **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);
  g_autoptr(GBytes) key_bytes = g_bytes_new_static (key, key_len);
  GTree *tree;

  g_rw_lock_reader_lock (&self->lock);
  tree = lookup_collection (self, collection, error);
  *exists = tree != NULL && g_tree_lookup_node (tree, key_bytes) != NULL;
  g_rw_lock_reader_unlock (&self->lock);
  return tree != NULL;
}

static AvfsCursor *
avfs_storage_memory_scan_range (AvfsStorage   *storage,
                                const char    *collection,
                                const guint8  *start,
                                gsize          start_len,
                                const guint8  *end,
                                gsize          end_len,
                                GError       **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);
  AvfsMemoryCursor *cursor;
  gboolean known;

  g_rw_lock_reader_lock (&self->lock);
  known = lookup_collection (self, collection, error) != NULL;
  g_rw_lock_reader_unlock (&self->lock);
  if (!known)
    return NULL;

  cursor = g_object_new (AVFS_TYPE_MEMORY_CURSOR, NULL);
  cursor->store = g_object_ref (self);
  cursor->collection = g_strdup (collection);
  cursor->resume = start != NULL ? g_bytes_new (start, start_len) : NULL;
  cursor->end = end != NULL ? g_bytes_new (end, end_len) : NULL;
  return AVFS_CURSOR (cursor);
}

static gboolean
avfs_storage_memory_transaction (AvfsStorage          *storage,
                                 AvfsTransactionFunc   func,
                                 gpointer              user_data,
                                 GError              **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);
  g_autoptr(AvfsMemoryTransaction) tx = g_object_new (AVFS_TYPE_MEMORY_TRANSACTION, NULL);
  gboolean ok;

  tx->store = g_object_ref (self);
  g_mutex_lock (&self->writer);
  ok = func (AVFS_TRANSACTION (tx), user_data, error);
  if (ok)
    avfs_memory_transaction_commit (tx);
  g_mutex_unlock (&self->writer);
  return ok;
}

static gboolean
avfs_storage_memory_sync (AvfsStorage  *storage,
                          GError      **error)
{
  return TRUE;
}

static AvfsCompactionStats *
avfs_storage_memory_compact (AvfsStorage  *storage,
                             GError      **error)
{
  return g_new0 (AvfsCompactionStats, 1);
}

static gboolean
add_bytes_cb (gpointer key,
              gpointer value,
              gpointer user_data)
{
  guint64 *bytes = user_data;

  *bytes += g_bytes_get_size (key) + g_bytes_get_size (value);
  return FALSE;
}

static AvfsStorageStats *
avfs_storage_memory_stats (AvfsStorage  *storage,
                           GError      **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);
  AvfsStorageStats *stats = avfs_storage_stats_new ("memory", NULL);
  g_auto(GStrv) names = avfs_storage_memory_list_collections (storage, error);
  GVariantDict info;
  guint64 total = 0;

  g_rw_lock_reader_lock (&self->lock);
  for (guint i = 0; names[i] != NULL; i++)
    {
      GTree *tree = g_hash_table_lookup (self->collections, names[i]);
      guint64 bytes = 0;

      g_tree_foreach (tree, add_bytes_cb, &bytes);
      avfs_storage_stats_add_collection (stats, names[i], g_tree_nnodes (tree), bytes);
      total += bytes;
    }
  g_rw_lock_reader_unlock (&self->lock);

  g_variant_dict_init (&info, NULL);
  g_variant_dict_insert (&info, "resident_bytes", "t", total);
  stats->engine_info = g_variant_ref_sink (g_variant_dict_end (&info));
  return stats;
}

static gboolean
avfs_storage_memory_close (AvfsStorage  *storage,
                           GError      **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);

  g_mutex_lock (&self->writer);
  g_rw_lock_writer_lock (&self->lock);
  g_hash_table_remove_all (self->collections);
  self->closed = TRUE;
  g_rw_lock_writer_unlock (&self->lock);
  g_mutex_unlock (&self->writer);
  return TRUE;
}

static gboolean
avfs_storage_memory_is_closed (AvfsStorage *storage)
{
  return AVFS_STORAGE_MEMORY (storage)->closed;
}

static void
avfs_storage_memory_iface_init (AvfsStorageInterface *iface)
{
  iface->get_engine_name = avfs_storage_memory_get_engine_name;
  iface->get_path = avfs_storage_memory_get_path;
  iface->create_collection = avfs_storage_memory_create_collection;
  iface->list_collections = avfs_storage_memory_list_collections;
  iface->get = avfs_storage_memory_get;
  iface->put = avfs_storage_memory_put;
  iface->delete = avfs_storage_memory_delete;
  iface->exists = avfs_storage_memory_exists;
  iface->scan_range = avfs_storage_memory_scan_range;
  iface->transaction = avfs_storage_memory_transaction;
  iface->sync = avfs_storage_memory_sync;
  iface->compact = avfs_storage_memory_compact;
  iface->stats = avfs_storage_memory_stats;
  iface->close = avfs_storage_memory_close;
  iface->is_closed = avfs_storage_memory_is_closed;
}

static void
avfs_storage_memory_finalize (GObject *object)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (object);

  g_hash_table_unref (self->collections);
  g_rw_lock_clear (&self->lock);
  g_mutex_clear (&self->writer);
  G_OBJECT_CLASS (avfs_storage_memory_parent_class)->finalize (object);
}

static void
avfs_storage_memory_class_init (AvfsStorageMemoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_storage_memory_finalize;
}

static void
avfs_storage_memory_init (AvfsStorageMemory *self)
{
  g_mutex_init (&self->writer);
  g_rw_lock_init (&self->lock);
  self->collections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_tree_unref);
}

/**
 * avfs_storage_memory_open:
 * @path: (nullable): ignored; a memory store has no location
 * @options: (nullable): must be empty: the memory engine has no options
 * @create: must be %TRUE: a memory store cannot be reopened
 * @error: return location for an error
 *
 * Returns: (transfer full): a new, empty memory store
 */
AvfsStorage *
avfs_storage_memory_open (const char  *path,
                          GHashTable  *options,
                          gboolean     create,
                          GError     **error)
{
  static const char * const known[] = { NULL };

  if (!create)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                           "A memory vault lives only in the process that created it and "
                           "cannot be opened again");
      return NULL;
    }
  if (!avfs_storage_options_check_keys (options, "memory", known, error))
    return NULL;
  return g_object_new (AVFS_TYPE_STORAGE_MEMORY, NULL);
}
