/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageMemory: sorted in-process maps with the same semantics as the disk engines. */
#include <string.h>

#include "avfs-storage-memory.h"
#include "avfs-storage-private.h"

#define ENGINE "memory"

/* Records a cursor takes per visit, so it never holds the lock between calls. */
#define CURSOR_BATCH 256

/* A record: its key and value in one block, so a put allocates once and a cursor holds
 * an entry with one reference. The trees, a transaction's changes, cursors and the
 * GBytes that get() returns share records, which never change once made. A probe is a
 * record on the stack whose @key points at the caller's bytes, for lookups. */
typedef struct
{
  gint ref_count;    /* g_atomic_int_*(), which inline, unlike g_atomic_ref_count_*() */
  gboolean deleted; /* in a transaction's changes: the key is deleted */
  const guint8 *key;
  gsize key_len;
  gsize value_len;
  guint8 data[];    /* the key, then the value */
} Record;

static Record *
record_new (const guint8 *key,
            gsize         key_len,
            const guint8 *value,
            gsize         value_len)
{
  Record *record = g_malloc (sizeof (Record) + key_len + value_len);

  record->ref_count = 1;
  record->deleted = FALSE;
  record->key = record->data;
  record->key_len = key_len;
  record->value_len = value_len;
  memcpy (record->data, key, key_len);
  if (value_len > 0)
    memcpy (record->data + key_len, value, value_len);
  return record;
}

static inline const guint8 *
record_value (const Record *record)
{
  return record->data + record->key_len;
}

static Record *
record_ref (Record *record)
{
  g_atomic_int_inc (&record->ref_count);
  return record;
}

static void
record_unref (gpointer data)
{
  Record *record = data;

  if (g_atomic_int_dec_and_test (&record->ref_count))
    g_free (record);
}

static inline Record
record_probe (const guint8 *key,
              gsize         key_len)
{
  return (Record) { .key = key, .key_len = key_len };
}

static int
record_compare (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const Record *ra = a, *rb = b;

  return avfs_storage_key_compare (ra->key, ra->key_len, rb->key, rb->key_len);
}

/* For the index of a transaction's changes to one collection. */
static guint
record_hash (gconstpointer data)
{
  const Record *record = data;
  guint hash = 5381;

  for (gsize i = 0; i < record->key_len; i++)
    hash = hash * 33 + record->key[i];
  return hash;
}

static gboolean
record_equal (gconstpointer a,
              gconstpointer b)
{
  return record_compare (a, b, NULL) == 0;
}

/* Thread safety: readers take @lock shared; every change takes @writer (one writer at a
 * time, held for a whole transaction) and then @lock exclusively only to apply it, so
 * readers see a transaction's changes all at once. */
struct _AvfsStorageMemory
{
  GObject parent_instance;

  GMutex writer;
  GRWLock lock;
  GHashTable *collections; /* name → GTree of Record (key and value alike) */
  gint closed;             /* atomic: is_closed() runs before every call */
};

static void avfs_storage_memory_iface_init (AvfsStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsStorageMemory, avfs_storage_memory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_STORAGE,
                                                      avfs_storage_memory_iface_init))

/* The tree owns one reference of each record, through its value. */
static GTree *
collection_new (void)
{
  return g_tree_new_full (record_compare, NULL, NULL, record_unref);
}

/* Call with @lock or @writer held. */
static GTree *
lookup_collection (AvfsStorageMemory  *self,
                   const char         *collection,
                   GError            **error)
{
  GTree *tree;

  if (g_atomic_int_get (&self->closed))
    {
      avfs_storage_set_closed_error (error, ENGINE, NULL);
      return NULL;
    }
  tree = g_hash_table_lookup (self->collections, collection);
  if (tree == NULL)
    avfs_storage_set_unknown_collection (error, collection, NULL);
  return tree;
}

/* Takes @record's reference. Call with @lock held exclusively. */
static void
apply_change (GTree  *tree,
              Record *record)
{
  if (record->deleted)
    {
      g_tree_remove (tree, record);
      record_unref (record);
    }
  else
    g_tree_replace (tree, record, record);
}

/* Returns the value of @probe's key in @tree as GBytes sharing the record. */
static GBytes *
read_value (AvfsStorageMemory  *self,
            const char         *collection,
            const Record       *probe,
            GError            **error)
{
  Record *record = NULL;
  GTree *tree;

  g_rw_lock_reader_lock (&self->lock);
  tree = lookup_collection (self, collection, error);
  if (tree != NULL && (record = g_tree_lookup (tree, probe)) != NULL)
    record_ref (record);
  g_rw_lock_reader_unlock (&self->lock);

  /* A miss, like an unknown collection, is NULL: the error tells them apart. */
  if (record == NULL)
    return NULL;
  return g_bytes_new_with_free_func (record_value (record), record->value_len,
                                     record_unref, record);
}

/* Transactions: changes wait in a log in the order they were made, and commit applies
 * them in that order under one exclusive lock (keys written in order stay cheap to
 * insert). A get() inside the transaction needs the latest change of a key: the first
 * one builds an index of the log, which later changes keep up to date. */

typedef struct
{
  GTree *tree;
  Record *record; /* owned by the log */
} Change;

#define AVFS_TYPE_MEMORY_TRANSACTION (avfs_memory_transaction_get_type ())
G_DECLARE_FINAL_TYPE (AvfsMemoryTransaction, avfs_memory_transaction,
                      AVFS, MEMORY_TRANSACTION, AvfsTransaction)

struct _AvfsMemoryTransaction
{
  AvfsTransaction parent_instance;

  AvfsStorageMemory *store;
  GArray *log;        /* Change */
  GHashTable *index;  /* GTree → GHashTable set of its latest Records; NULL until a get() */
  AvfsCollectionCache last_used;
};

G_DEFINE_FINAL_TYPE (AvfsMemoryTransaction, avfs_memory_transaction, AVFS_TYPE_TRANSACTION)

/* Call with the store's @writer held: the collection stays until it is released. */
static GTree *
transaction_collection (AvfsMemoryTransaction  *self,
                        const char             *collection,
                        GError                **error)
{
  GTree *tree = avfs_collection_cache_get (&self->last_used, collection);

  if (tree == NULL && (tree = lookup_collection (self->store, collection, error)) != NULL)
    avfs_collection_cache_set (&self->last_used, collection, tree);
  return tree;
}

static void
index_change (AvfsMemoryTransaction *self,
              const Change          *change)
{
  GHashTable *records = g_hash_table_lookup (self->index, change->tree);

  if (records == NULL)
    {
      records = g_hash_table_new_full (record_hash, record_equal, record_unref, NULL);
      g_hash_table_insert (self->index, change->tree, records);
    }
  /* A later change of a key replaces the earlier one. */
  g_hash_table_add (records, record_ref (change->record));
}

static GBytes *
avfs_memory_transaction_get (AvfsTransaction  *tx,
                             const char       *collection,
                             const guint8     *key,
                             gsize             key_len,
                             GError          **error)
{
  AvfsMemoryTransaction *self = (AvfsMemoryTransaction *) tx; /* no type check per record */
  Record probe = record_probe (key, key_len);
  GTree *tree = transaction_collection (self, collection, error);
  GHashTable *records;
  Record *change;

  if (tree == NULL)
    return NULL;

  if (self->index == NULL)
    {
      self->index = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_hash_table_unref);
      for (guint i = 0; i < self->log->len; i++)
        index_change (self, &g_array_index (self->log, Change, i));
    }
  records = g_hash_table_lookup (self->index, tree);
  change = records != NULL ? g_hash_table_lookup (records, &probe) : NULL;
  if (change == NULL)
    return read_value (self->store, collection, &probe, error);
  if (change->deleted)
    return NULL;
  return g_bytes_new_with_free_func (record_value (change), change->value_len,
                                     record_unref, record_ref (change));
}

/* Takes @record's reference. */
static gboolean
record_change (AvfsMemoryTransaction  *self,
               const char             *collection,
               Record                 *record,
               GError                **error)
{
  Change change = { transaction_collection (self, collection, error), record };

  if (change.tree == NULL)
    {
      record_unref (record);
      return FALSE;
    }
  g_array_append_val (self->log, change);
  if (self->index != NULL)
    index_change (self, &change);
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
  return record_change ((AvfsMemoryTransaction *) tx, collection,
                        record_new (key, key_len, value, value_len), error);
}

static gboolean
avfs_memory_transaction_delete (AvfsTransaction  *tx,
                                const char       *collection,
                                const guint8     *key,
                                gsize             key_len,
                                GError          **error)
{
  Record *record = record_new (key, key_len, NULL, 0);

  record->deleted = TRUE;
  return record_change ((AvfsMemoryTransaction *) tx, collection, record, error);
}

/* Commit steals the records, uncommitted ones go with the log. */
static void
clear_change (gpointer data)
{
  Change *change = data;

  g_clear_pointer (&change->record, record_unref);
}

static void
avfs_memory_transaction_finalize (GObject *object)
{
  AvfsMemoryTransaction *self = AVFS_MEMORY_TRANSACTION (object);

  g_array_unref (self->log);
  g_clear_pointer (&self->index, g_hash_table_unref);
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
  self->log = g_array_new (FALSE, FALSE, sizeof (Change));
  g_array_set_clear_func (self->log, clear_change);
}

/* Moves the log into the trees. Call with @writer held. */
static void
avfs_memory_transaction_commit (AvfsMemoryTransaction *self)
{
  AvfsStorageMemory *store = self->store;

  g_rw_lock_writer_lock (&store->lock);
  for (guint i = 0; i < self->log->len; i++)
    {
      Change *change = &g_array_index (self->log, Change, i);

      apply_change (change->tree, g_steal_pointer (&change->record));
    }
  g_rw_lock_writer_unlock (&store->lock);
  g_array_set_size (self->log, 0);
}

/* Cursors take up to CURSOR_BATCH records per visit under the shared lock, then resume
 * after the last key they returned. */

#define AVFS_TYPE_MEMORY_CURSOR (avfs_memory_cursor_get_type ())
G_DECLARE_FINAL_TYPE (AvfsMemoryCursor, avfs_memory_cursor, AVFS, MEMORY_CURSOR, AvfsCursor)

struct _AvfsMemoryCursor
{
  AvfsCursor parent_instance;

  AvfsStorageMemory *store;
  char *collection;
  Record *resume;       /* the next batch starts at its key (inclusive), or after it */
  gboolean resume_after;
  Record *end;          /* NULL: to the last key */
  Record *batch[CURSOR_BATCH];
  guint n_batch;
  guint position;
  gboolean exhausted;
};

G_DEFINE_FINAL_TYPE (AvfsMemoryCursor, avfs_memory_cursor, AVFS_TYPE_CURSOR)

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

static void
clear_batch (AvfsMemoryCursor *self)
{
  for (guint i = 0; i < self->n_batch; i++)
    record_unref (self->batch[i]);
  self->n_batch = 0;
  self->position = 0;
}

static gboolean
fill_batch (AvfsMemoryCursor  *self,
            GError           **error)
{
  GTreeNode *node;
  GTree *tree;

  clear_batch (self);
  g_rw_lock_reader_lock (&self->store->lock);
  tree = lookup_collection (self->store, self->collection, error);
  node = tree != NULL ? first_node (self, tree) : NULL;
  for (; node != NULL && self->n_batch < CURSOR_BATCH; node = g_tree_node_next (node))
    {
      Record *record = g_tree_node_value (node);

      if (self->end != NULL && record_compare (record, self->end, NULL) >= 0)
        break;
      self->batch[self->n_batch++] = record_ref (record);
    }
  g_rw_lock_reader_unlock (&self->store->lock);

  if (tree == NULL)
    return FALSE;

  self->exhausted = self->n_batch < CURSOR_BATCH;
  if (self->n_batch > 0)
    {
      g_clear_pointer (&self->resume, record_unref);
      self->resume = record_ref (self->batch[self->n_batch - 1]);
      self->resume_after = TRUE;
    }
  return TRUE;
}

static gboolean
avfs_memory_cursor_next (AvfsCursor  *cursor,
                         GError     **error)
{
  AvfsMemoryCursor *self = (AvfsMemoryCursor *) cursor; /* no type check per entry */
  const Record *record;

  if (self->position >= self->n_batch)
    {
      if (self->exhausted || !fill_batch (self, error) || self->n_batch == 0)
        return FALSE;
    }

  record = self->batch[self->position++];
  avfs_cursor_set_entry (cursor, record->key, record->key_len, record_value (record),
                         record->value_len);
  return TRUE;
}

static void
avfs_memory_cursor_finalize (GObject *object)
{
  AvfsMemoryCursor *self = AVFS_MEMORY_CURSOR (object);

  clear_batch (self);
  g_object_unref (self->store);
  g_free (self->collection);
  g_clear_pointer (&self->resume, record_unref);
  g_clear_pointer (&self->end, record_unref);
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
}

/* The store. */

static const char *
avfs_storage_memory_get_engine_name (AvfsStorage *storage)
{
  return ENGINE;
}

static const char *
avfs_storage_memory_get_path (AvfsStorage *storage)
{
  return NULL;
}

static gboolean
avfs_storage_memory_create_collection (AvfsStorage          *storage,
                                       const char           *collection,
                                       AvfsCollectionFlags   flags,
                                       GError              **error)
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

static char **
avfs_storage_memory_list_collections (AvfsStorage  *storage,
                                      GError      **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);
  char **names;

  g_rw_lock_reader_lock (&self->lock);
  names = avfs_storage_sorted_names (self->collections);
  g_rw_lock_reader_unlock (&self->lock);
  return names;
}

static GBytes *
avfs_storage_memory_get (AvfsStorage   *storage,
                         const char    *collection,
                         const guint8  *key,
                         gsize          key_len,
                         GError       **error)
{
  Record probe = record_probe (key, key_len);

  /* No type check per record: the AvfsStorage wrapper checked it. */
  return read_value ((AvfsStorageMemory *) storage, collection, &probe, error);
}

/* Applies one change as a transaction of its own; takes @record's reference. */
static gboolean
change_one (AvfsStorageMemory  *self,
            const char         *collection,
            Record             *record,
            GError            **error)
{
  GTree *tree;

  g_mutex_lock (&self->writer);
  tree = lookup_collection (self, collection, error);
  if (tree != NULL)
    {
      g_rw_lock_writer_lock (&self->lock);
      apply_change (tree, record);
      g_rw_lock_writer_unlock (&self->lock);
    }
  else
    record_unref (record);
  g_mutex_unlock (&self->writer);
  return tree != NULL;
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
  /* No type check per record: the AvfsStorage wrapper checked it. */
  return change_one ((AvfsStorageMemory *) storage, collection,
                     record_new (key, key_len, value, value_len), error);
}

static gboolean
avfs_storage_memory_delete (AvfsStorage   *storage,
                            const char    *collection,
                            const guint8  *key,
                            gsize          key_len,
                            GError       **error)
{
  Record *record = record_new (key, key_len, NULL, 0);

  record->deleted = TRUE;
  /* No type check per record: the AvfsStorage wrapper checked it. */
  return change_one ((AvfsStorageMemory *) storage, collection, record, error);
}

static gboolean
avfs_storage_memory_exists (AvfsStorage   *storage,
                            const char    *collection,
                            const guint8  *key,
                            gsize          key_len,
                            gboolean      *exists,
                            GError       **error)
{
  AvfsStorageMemory *self = (AvfsStorageMemory *) storage; /* no type check per record */
  Record probe = record_probe (key, key_len);
  GTree *tree;

  g_rw_lock_reader_lock (&self->lock);
  tree = lookup_collection (self, collection, error);
  *exists = tree != NULL && g_tree_lookup_node (tree, &probe) != NULL;
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
  cursor->resume = start != NULL ? record_new (start, start_len, NULL, 0) : NULL;
  cursor->end = end != NULL ? record_new (end, end_len, NULL, 0) : NULL;
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
  const Record *record = value;
  guint64 *bytes = user_data;

  *bytes += record->key_len + record->value_len;
  return FALSE;
}

/* Call with @lock held shared. */
static guint64
add_collection_stats (AvfsStorageMemory *self,
                      AvfsStorageStats  *stats)
{
  g_auto(GStrv) names = avfs_storage_sorted_names (self->collections);
  guint64 total = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      GTree *tree = g_hash_table_lookup (self->collections, names[i]);
      guint64 bytes = 0;

      g_tree_foreach (tree, add_bytes_cb, &bytes);
      avfs_storage_stats_add_collection (stats, names[i], g_tree_nnodes (tree), bytes);
      total += bytes;
    }
  return total;
}

static AvfsStorageStats *
avfs_storage_memory_stats (AvfsStorage  *storage,
                           GError      **error)
{
  AvfsStorageMemory *self = AVFS_STORAGE_MEMORY (storage);
  AvfsStorageStats *stats = avfs_storage_stats_new (ENGINE, NULL);
  GVariantDict info;
  guint64 total;

  g_rw_lock_reader_lock (&self->lock);
  total = add_collection_stats (self, stats);
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
  g_atomic_int_set (&self->closed, TRUE);
  g_rw_lock_writer_unlock (&self->lock);
  g_mutex_unlock (&self->writer);
  return TRUE;
}

static gboolean
avfs_storage_memory_is_closed (AvfsStorage *storage)
{
  /* No type check: is_closed() runs before every call. */
  return g_atomic_int_get (&((AvfsStorageMemory *) storage)->closed);
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
 * @mode: must be %AVFS_STORE_CREATE: a memory store cannot be reopened
 * @error: return location for an error
 *
 * Returns: (transfer full): a new, empty memory store
 */
AvfsStorage *
avfs_storage_memory_open (const char     *path,
                          GHashTable     *options,
                          AvfsStoreMode   mode,
                          GError        **error)
{
  gboolean create = mode == AVFS_STORE_CREATE;

  if (!create)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                           "A memory vault lives only in the process that created it and "
                           "cannot be opened again");
      return NULL;
    }
  if (!avfs_storage_options_check_keys (options, ENGINE, error))
    return NULL;
  return g_object_new (AVFS_TYPE_STORAGE_MEMORY, NULL);
}
