/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageRocksdb: a NAME.rocksdb/ directory with one column family per collection. */
#include <fcntl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <rocksdb/c.h>

#include "avfs-storage-rocksdb.h"
#include "avfs-storage-private.h"

#define ENGINE "rocksdb"
#define STORE "RocksDB store" /* in messages */

/* RocksDB's own column family, which every store has and which holds no collection. A
 * collection named "default" lives in DEFAULT_COLLECTION_FAMILY instead, a name no
 * collection can have. */
#define DEFAULT_COLUMN_FAMILY "default"
#define DEFAULT_COLLECTION_FAMILY "@default"

/* A reused write batch bigger than this is freed after its transaction, so one huge
 * transaction does not pin its memory for the life of the store. */
#define BATCH_KEEP_BYTES (4 * 1024 * 1024)

/* Marks a deletion in BatchOp.value_len (values are at most 256 MiB). */
#define DELETED_VALUE G_MAXUINT32

/* The compression option's words (avfs-storage-options.c) and what they stand for. */
static const struct
{
  const char *name;
  int type;
} compressions[] = {
  { "none", rocksdb_no_compression }, { "snappy", rocksdb_snappy_compression },
  { "lz4", rocksdb_lz4_compression }, { "zstd", rocksdb_zstd_compression },
};

/* One write of a transaction: where it ends in the plain batch. */
typedef struct
{
  rocksdb_column_family_handle_t *column_family;
  gsize end;
  guint32 key_len;
  guint32 value_len; /* DELETED_VALUE for a deletion */
} BatchOp;

/* A slot of the index of a transaction's writes: the newest write of a key, as its
 * place in batch_ops plus one (0: an empty slot), and the key's hash. */
typedef struct
{
  guint32 hash;
  guint32 op;
} IndexSlot;

/* Thread safety: @lock is taken shared by every operation that touches @db or
 * @collections and exclusively to add a collection or to close. @writer admits one
 * writer at a time (a whole transaction, or one put/delete), so single writes cannot
 * slip into a transaction's read-modify-write; @writer is always taken before @lock.
 * Readers see only what rocksdb_write() applied, and a batch is applied atomically. */
struct _AvfsStorageRocksdb
{
  GObject parent_instance;

  char *path;
  char *library_version;
  const char *compression;
  guint64 write_buffer_size;
  guint64 max_open_files;

  GRWLock lock;
  rocksdb_t *db; /* NULL once closed */
  gboolean read_only; /* opened with AVFS_STORE_READ: nothing may be written */
  gint closed;   /* atomic copy of db == NULL, so is_closed() needs no lock */
  rocksdb_options_t *options;
  rocksdb_readoptions_t *read_options;
  rocksdb_writeoptions_t *write_options;
  rocksdb_column_family_handle_t *default_family;
  GHashTable *collections; /* name → rocksdb_column_family_handle_t */

  /* A transaction's writes, guarded by @writer: a plain batch, where each write lies in
   * it, and once the transaction reads after many writes, a hash index of them. */
  GMutex writer;
  rocksdb_writebatch_t *batch;
  GArray *batch_ops;     /* BatchOp */
  IndexSlot *index;      /* NULL until needed; index_mask + 1 slots */
  guint32 index_mask;
  guint32 index_used;
  GHashTable *deletions;   /* rocksdb_column_family_handle_t → deletions in the batch */
  GHashTable *uncompacted; /* … → deletions committed since its last compaction */

  GMutex cursors_lock;
  GHashTable *cursors; /* live AvfsRocksdbCursor, whose iterators close() must free */
};

static void avfs_storage_rocksdb_iface_init (AvfsStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsStorageRocksdb, avfs_storage_rocksdb, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_STORAGE,
                                                      avfs_storage_rocksdb_iface_init))

/* Errors. RocksDB reports a Status as text ("Corruption: …", "IO error: …"). */

static gboolean
is_lock_failure (const char *message)
{
  return strstr (message, "lock hold by current process") != NULL ||
         strstr (message, "While lock file") != NULL ||
         strstr (message, "Resource temporarily unavailable") != NULL ||
         strstr (message, "No locks available") != NULL;
}

static AvfsError
classify_status (const char *message,
                 AvfsError   fallback)
{
  if (strstr (message, "No space left on device") != NULL)
    return AVFS_ERROR_NO_SPACE;
  if (g_str_has_prefix (message, "Corruption"))
    return AVFS_ERROR_CORRUPT;
  if (strstr (message, "Permission denied") != NULL ||
      strstr (message, "Read-only file system") != NULL)
    return AVFS_ERROR_IO;
  if (fallback == AVFS_ERROR_FAILED && g_str_has_prefix (message, "IO error"))
    return AVFS_ERROR_IO;
  return fallback;
}

/* Turns RocksDB's @message (freed here) into an error saying what failed where and what
 * to do; @action completes "Cannot … the RocksDB store". */
static void
set_status_error (GError     **error,
                  const char  *path,
                  const char  *action,
                  char        *message,
                  AvfsError    fallback)
{
  avfs_storage_set_engine_error (error, classify_status (message, fallback), STORE, action,
                                 path, message);
  rocksdb_free (message);
}

/* Collections. */

/* Call with @lock held (either way). */
static rocksdb_column_family_handle_t *
lookup_collection (AvfsStorageRocksdb  *self,
                   const char          *collection,
                   GError             **error)
{
  rocksdb_column_family_handle_t *family;

  if (self->db == NULL)
    {
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return NULL;
    }
  family = g_hash_table_lookup (self->collections, collection);
  if (family == NULL)
    avfs_storage_set_unknown_collection (error, collection, self->path);
  return family;
}

static rocksdb_column_family_handle_t *
find_collection (AvfsStorageRocksdb  *self,
                 const char          *collection,
                 GError             **error)
{
  rocksdb_column_family_handle_t *family;

  g_rw_lock_reader_lock (&self->lock);
  family = lookup_collection (self, collection, error);
  g_rw_lock_reader_unlock (&self->lock);
  return family;
}

/* Reads one value; call with @lock held shared, or @writer held. */
static GBytes *
read_value (AvfsStorageRocksdb              *self,
            rocksdb_column_family_handle_t  *family,
            const guint8                    *key,
            gsize                            key_len,
            GError                         **error)
{
  rocksdb_pinnableslice_t *slice;
  const char *data;
  char *message = NULL;
  GBytes *value;
  size_t len;

  slice = rocksdb_get_pinned_cf (self->db, self->read_options, family,
                                 (const char *) key, key_len, &message);
  if (message != NULL)
    {
      set_status_error (error, self->path, "read from", message, AVFS_ERROR_FAILED);
      return NULL;
    }
  if (slice == NULL)
    return NULL;

  data = rocksdb_pinnableslice_value (slice, &len);
  value = g_bytes_new (data, len);
  rocksdb_pinnableslice_destroy (slice);
  return value;
}

/* Transactions: the writes collect in a batch that one write applies atomically at
 * commit, so readers never see half of it. A transaction reads its own writes: the
 * batch notes where each write lies in it, and while it holds few writes a read looks
 * through them, newest first, before reading the store. The first read after more
 * writes than that builds a hash index of the writes (key → newest write), which every
 * write from then on keeps up to date. RocksDB's own WriteBatchWithIndex did this with
 * a skip list and a comparator call per step: a fifth of an import's writing thread. A
 * one-file write (about ten writes, three of its reads after them) builds no index. */

/* The most writes a read looks through one by one. */
#define SMALL_BATCH_OPS 32

#define AVFS_TYPE_ROCKSDB_TRANSACTION (avfs_rocksdb_transaction_get_type ())
G_DECLARE_FINAL_TYPE (AvfsRocksdbTransaction, avfs_rocksdb_transaction,
                      AVFS, ROCKSDB_TRANSACTION, AvfsTransaction)

struct _AvfsRocksdbTransaction
{
  AvfsTransaction parent_instance;

  AvfsStorageRocksdb *store; /* NULL once the transaction is over */
  /* Handles stay valid while it runs (closing waits for @writer). */
  AvfsCollectionCache last_used;
};

G_DEFINE_FINAL_TYPE (AvfsRocksdbTransaction, avfs_rocksdb_transaction, AVFS_TYPE_TRANSACTION)

static rocksdb_column_family_handle_t *
transaction_collection (AvfsRocksdbTransaction  *self,
                        const char              *collection,
                        GError                 **error)
{
  rocksdb_column_family_handle_t *family;

  if (self->store == NULL)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                           "This transaction is over; make changes inside its callback");
      return NULL;
    }
  family = avfs_collection_cache_get (&self->last_used, collection);
  if (family == NULL && (family = find_collection (self->store, collection, error)) != NULL)
    avfs_collection_cache_set (&self->last_used, collection, family);
  return family;
}

/* Writes @value as RocksDB's varint32 (7 bits a byte, low first); returns its size. */
static gsize
encode_varint (guint32 value,
               guint8  out[5])
{
  gsize size = 0;

  while (value >= 0x80)
    {
      out[size++] = (value & 0x7F) | 0x80;
      value >>= 7;
    }
  out[size++] = value;
  return size;
}

/* Checks that the @length bytes before @field are @length's varint prefix. */
static gboolean
prefix_matches (const guint8 *data,
                const guint8 *field,
                guint32       length)
{
  guint8 encoded[5];
  gsize size = encode_varint (length, encoded);

  return (gsize) (field - data) >= size && memcmp (field - size, encoded, size) == 0;
}

/* Finds the key and value of @op inside the batch's data. A batch record ends with the
 * length-prefixed key then the length-prefixed value (RocksDB's write-ahead log format),
 * which the length prefixes confirm. */
static gboolean
locate_op (const guint8   *data,
           const BatchOp  *op,
           const guint8  **key,
           const guint8  **value)
{
  gboolean deleted = op->value_len == DELETED_VALUE;
  guint8 encoded[5];
  gsize value_len = deleted ? 0 : op->value_len;
  gsize value_prefix = deleted ? 0 : encode_varint (op->value_len, encoded);

  if (op->end < value_len + value_prefix + op->key_len)
    return FALSE;

  *value = data + op->end - value_len;
  *key = *value - value_prefix - op->key_len;
  return (deleted || prefix_matches (data, *value, op->value_len)) &&
         prefix_matches (data, *key, op->key_len);
}

static void
set_layout_error (AvfsStorageRocksdb  *self,
                  GError             **error)
{
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
               "Cannot read back a transaction's writes in the RocksDB store “%s”: this "
               "RocksDB version lays out write batches differently; nothing was changed",
               self->path);
}

/* FNV-1a of the key, with the column family mixed in. */
static guint32
hash_key (rocksdb_column_family_handle_t *family,
          const guint8                   *key,
          gsize                           key_len)
{
  guint32 hash = 2166136261u ^ (guint32) GPOINTER_TO_SIZE (family);

  for (gsize i = 0; i < key_len; i++)
    hash = (hash ^ key[i]) * 16777619u;
  return hash ^ (hash >> 15);
}

/* The slot of @key's newest write in the index, or the empty slot where it would go.
 * Sets a layout error and returns %NULL when a write cannot be found in the batch. */
static IndexSlot *
index_find (AvfsStorageRocksdb              *self,
            const guint8                    *data,
            guint32                          hash,
            rocksdb_column_family_handle_t  *family,
            const guint8                    *key,
            gsize                            key_len,
            GError                         **error)
{
  for (guint32 i = hash & self->index_mask;; i = (i + 1) & self->index_mask)
    {
      IndexSlot *slot = &self->index[i];
      const BatchOp *op;
      const guint8 *op_key, *op_value;

      if (slot->op == 0)
        return slot;
      if (slot->hash != hash)
        continue;
      op = &g_array_index (self->batch_ops, BatchOp, slot->op - 1);
      if (op->column_family != family || op->key_len != key_len)
        continue;
      if (!locate_op (data, op, &op_key, &op_value))
        {
          set_layout_error (self, error);
          return NULL;
        }
      if (memcmp (op_key, key, key_len) == 0)
        return slot;
    }
}

/* Doubles the index (its keys are distinct: no key is compared). */
static void
index_grow (AvfsStorageRocksdb *self)
{
  IndexSlot *old = self->index;
  guint32 old_size = old != NULL ? self->index_mask + 1 : 0;

  self->index_mask = MAX (1024, 2 * old_size) - 1;
  self->index = g_new0 (IndexSlot, self->index_mask + 1);
  for (guint32 i = 0; i < old_size; i++)
    {
      guint32 j = old[i].hash & self->index_mask;

      if (old[i].op == 0)
        continue;
      while (self->index[j].op != 0)
        j = (j + 1) & self->index_mask;
      self->index[j] = old[i];
    }
  g_free (old);
}

/* Notes write @n of batch_ops, whose key is @key, in the index, over an older write of
 * that key; doubles the index when half full. */
static gboolean
index_add (AvfsStorageRocksdb  *self,
           guint                n,
           const guint8        *key,
           GError             **error)
{
  const BatchOp *op = &g_array_index (self->batch_ops, BatchOp, n);
  guint32 hash = hash_key (op->column_family, key, op->key_len);
  size_t size;
  const guint8 *data = (const guint8 *) rocksdb_writebatch_data (self->batch, &size);
  IndexSlot *slot;

  if (2 * (self->index_used + 1) > self->index_mask + 1)
    index_grow (self);
  slot = index_find (self, data, hash, op->column_family, key, op->key_len, error);
  if (slot == NULL)
    return FALSE;
  if (slot->op == 0)
    self->index_used++;
  slot->hash = hash;
  slot->op = n + 1;
  return TRUE;
}

/* Indexes the writes so far, so that reads from now on find them by hash. */
static gboolean
start_index (AvfsStorageRocksdb  *self,
             GError             **error)
{
  size_t size;
  const guint8 *data = (const guint8 *) rocksdb_writebatch_data (self->batch, &size);

  self->index_used = 0;
  index_grow (self);
  for (guint i = 0; i < self->batch_ops->len; i++)
    {
      const guint8 *key, *value;

      if (!locate_op (data, &g_array_index (self->batch_ops, BatchOp, i), &key, &value))
        {
          set_layout_error (self, error);
          return FALSE;
        }
      if (!index_add (self, i, key, error))
        return FALSE;
    }
  return TRUE;
}

/* Looks for the newest write of @key in the batch, through the index once there is one,
 * else one by one, newest first: *@found says whether there is one, and *@value is its
 * value (%NULL for a deletion). */
static gboolean
find_in_batch (AvfsStorageRocksdb              *self,
               rocksdb_column_family_handle_t  *family,
               const guint8                    *key,
               gsize                            key_len,
               gboolean                        *found,
               GBytes                         **value,
               GError                         **error)
{
  size_t size;
  const guint8 *data = (const guint8 *) rocksdb_writebatch_data (self->batch, &size);
  const BatchOp *op = NULL;
  const guint8 *op_key, *op_value;

  *found = FALSE;
  if (self->index != NULL)
    {
      IndexSlot *slot = index_find (self, data, hash_key (family, key, key_len), family, key,
                                    key_len, error);

      if (slot == NULL)
        return FALSE;
      if (slot->op != 0)
        op = &g_array_index (self->batch_ops, BatchOp, slot->op - 1);
    }
  else
    {
      for (guint i = self->batch_ops->len; i > 0 && op == NULL; i--)
        {
          const BatchOp *candidate = &g_array_index (self->batch_ops, BatchOp, i - 1);

          if (candidate->column_family != family || candidate->key_len != key_len)
            continue;
          if (!locate_op (data, candidate, &op_key, &op_value))
            {
              set_layout_error (self, error);
              return FALSE;
            }
          if (memcmp (op_key, key, key_len) == 0)
            op = candidate;
        }
    }
  if (op == NULL)
    return TRUE;
  locate_op (data, op, &op_key, &op_value); /* checked when it was found */
  *found = TRUE;
  if (op->value_len != DELETED_VALUE)
    *value = g_bytes_new (op_value, op->value_len);
  return TRUE;
}

static GBytes *
avfs_rocksdb_transaction_get (AvfsTransaction  *tx,
                              const char       *collection,
                              const guint8     *key,
                              gsize             key_len,
                              GError          **error)
{
  AvfsRocksdbTransaction *self = (AvfsRocksdbTransaction *) tx; /* no type check per record */
  rocksdb_column_family_handle_t *family = transaction_collection (self, collection, error);
  AvfsStorageRocksdb *store = self->store;
  GBytes *value = NULL;
  gboolean found;

  if (family == NULL)
    return NULL;
  if (store->index == NULL && store->batch_ops->len > SMALL_BATCH_OPS &&
      !start_index (store, error))
    return NULL;
  if (!find_in_batch (store, family, key, key_len, &found, &value, error))
    return NULL;
  return found ? value : read_value (store, family, key, key_len, error);
}

/* Notes where the write just added to the batch lies, and indexes it once there is an
 * index. */
static gboolean
record_op (AvfsStorageRocksdb              *self,
           rocksdb_column_family_handle_t  *family,
           const guint8                    *key,
           gsize                            key_len,
           guint32                          value_len,
           GError                         **error)
{
  BatchOp op = { family, 0, key_len, value_len };
  size_t size;

  rocksdb_writebatch_data (self->batch, &size);
  op.end = size;
  g_array_append_val (self->batch_ops, op);
  return self->index == NULL || index_add (self, self->batch_ops->len - 1, key, error);
}

static gboolean
avfs_rocksdb_transaction_put (AvfsTransaction  *tx,
                              const char       *collection,
                              const guint8     *key,
                              gsize             key_len,
                              const guint8     *value,
                              gsize             value_len,
                              GError          **error)
{
  AvfsRocksdbTransaction *self = (AvfsRocksdbTransaction *) tx; /* no type check per record */
  rocksdb_column_family_handle_t *family = transaction_collection (self, collection, error);
  AvfsStorageRocksdb *store = self->store;

  if (family == NULL)
    return FALSE;
  rocksdb_writebatch_put_cf (store->batch, family, (const char *) key, key_len,
                             (const char *) value, value_len);
  return record_op (store, family, key, key_len, value_len, error);
}

static void
count_deletion (AvfsStorageRocksdb              *self,
                rocksdb_column_family_handle_t  *family)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->deletions, family));

  g_hash_table_insert (self->deletions, family, GUINT_TO_POINTER (count + 1));
}

static gboolean
avfs_rocksdb_transaction_delete (AvfsTransaction  *tx,
                                 const char       *collection,
                                 const guint8     *key,
                                 gsize             key_len,
                                 GError          **error)
{
  AvfsRocksdbTransaction *self = (AvfsRocksdbTransaction *) tx; /* no type check per record */
  rocksdb_column_family_handle_t *family = transaction_collection (self, collection, error);
  AvfsStorageRocksdb *store = self->store;

  if (family == NULL)
    return FALSE;
  count_deletion (store, family);
  rocksdb_writebatch_delete_cf (store->batch, family, (const char *) key, key_len);
  return record_op (store, family, key, key_len, DELETED_VALUE, error);
}

static void
avfs_rocksdb_transaction_class_init (AvfsRocksdbTransactionClass *klass)
{
  AvfsTransactionClass *tx_class = AVFS_TRANSACTION_CLASS (klass);

  tx_class->get = avfs_rocksdb_transaction_get;
  tx_class->put = avfs_rocksdb_transaction_put;
  tx_class->delete = avfs_rocksdb_transaction_delete;
}

static void
avfs_rocksdb_transaction_init (AvfsRocksdbTransaction *self)
{
}

/* Column families that deletions have all but emptied are compacted at once: a scan
 * walks every deletion left in a memtable or a table until compaction drops it, and a
 * queue (the search queue after an import: tens of thousands of entries applied and
 * deleted) would make each scan of an empty collection cost milliseconds. Deletions
 * add up over the transactions since the collection was last compacted, so a queue
 * applied a few hundred entries at a time is compacted too. Call with @writer held,
 * after a commit. */
#define COMPACT_AFTER_DELETIONS 1000

/* rocksdb::BottommostLevelCompaction::kForceOptimized, which c.h does not name. */
#define BOTTOMMOST_FORCE_OPTIMIZED 3

/* Compacts the whole of @family, its last level included. RocksDB's default leaves the
 * last level alone, and with it every deletion already there: after a 10,000-file
 * import, the search queue's deletions survived the compaction meant to drop them, and
 * each search walked them (3.4 ms for a rare word; 0.4 ms once they are gone). */
static void
compact_family (AvfsStorageRocksdb              *self,
                rocksdb_column_family_handle_t  *family)
{
  rocksdb_compactoptions_t *options = rocksdb_compactoptions_create ();

  rocksdb_compactoptions_set_bottommost_level_compaction (options, BOTTOMMOST_FORCE_OPTIMIZED);
  rocksdb_compact_range_cf_opt (self->db, family, options, NULL, 0, NULL, 0);
  rocksdb_compactoptions_destroy (options);
}

static void
compact_emptied (AvfsStorageRocksdb *self)
{
  GHashTableIter iter;
  gpointer family, count;

  g_hash_table_iter_init (&iter, self->deletions);
  while (g_hash_table_iter_next (&iter, &family, &count))
    {
      guint total = GPOINTER_TO_UINT (count) +
                    GPOINTER_TO_UINT (g_hash_table_lookup (self->uncompacted, family));
      uint64_t keys;

      g_hash_table_insert (self->uncompacted, family, GUINT_TO_POINTER (total));
      if (total < COMPACT_AFTER_DELETIONS ||
          rocksdb_property_int_cf (self->db, family, "rocksdb.estimate-num-keys", &keys) != 0 ||
          keys > total)
        continue;
      compact_family (self, family);
      g_hash_table_remove (self->uncompacted, family);
    }
}

/* Call with @writer held. */
static gboolean
commit_batch (AvfsStorageRocksdb  *self,
              GError             **error)
{
  char *message = NULL;

  if (self->batch_ops->len > 0)
    rocksdb_write (self->db, self->write_options, self->batch, &message);

  if (message != NULL)
    {
      set_status_error (error, self->path, "write to", message, AVFS_ERROR_FAILED);
      return FALSE;
    }
  return TRUE;
}

/* Empties the batches for the next transaction, freeing them if they grew large. Call
 * with @writer held. */
static void
reset_batches (AvfsStorageRocksdb *self)
{
  size_t size;

  rocksdb_writebatch_data (self->batch, &size);
  if (size > BATCH_KEEP_BYTES)
    {
      rocksdb_writebatch_destroy (self->batch);
      self->batch = rocksdb_writebatch_create ();
    }
  else
    rocksdb_writebatch_clear (self->batch);

  g_clear_pointer (&self->index, g_free);
  if (self->batch_ops->len > 4096)
    {
      g_array_unref (self->batch_ops);
      self->batch_ops = g_array_new (FALSE, FALSE, sizeof (BatchOp));
    }
  else
    g_array_set_size (self->batch_ops, 0);
}

/* Cursors hold one RocksDB iterator: it reads a consistent snapshot without blocking
 * writers, and its key and value stay valid until it moves, so entries are not copied.
 * close() frees the iterators of cursors still alive, since they must go before the
 * database. */

#define AVFS_TYPE_ROCKSDB_CURSOR (avfs_rocksdb_cursor_get_type ())
G_DECLARE_FINAL_TYPE (AvfsRocksdbCursor, avfs_rocksdb_cursor, AVFS, ROCKSDB_CURSOR, AvfsCursor)

struct _AvfsRocksdbCursor
{
  AvfsCursor parent_instance;

  AvfsStorageRocksdb *store;
  gint state; /* CursorState */
  rocksdb_readoptions_t *read_options; /* the iterator's, holding @end as upper bound */
  rocksdb_iterator_t *iter; /* NULL once exhausted or closed */
  guint8 *end;
  gboolean positioned; /* the iterator already stands on the next entry to return */
  gboolean exhausted;
};

G_DEFINE_FINAL_TYPE (AvfsRocksdbCursor, avfs_rocksdb_cursor, AVFS_TYPE_CURSOR)

/* next() moves an idle cursor to busy and back; close() waits for it to be idle and
 * revokes it for good, then frees its iterator. An atomic state rather than a mutex
 * keeps the scan's per-entry cost to one compare-and-swap. */
typedef enum
{
  CURSOR_IDLE,
  CURSOR_BUSY,
  CURSOR_REVOKED,
} CursorState;

static void
cursor_release_iterator (AvfsRocksdbCursor *self)
{
  g_clear_pointer (&self->iter, rocksdb_iter_destroy);
  g_clear_pointer (&self->read_options, rocksdb_readoptions_destroy);
}

static gboolean
cursor_finish (AvfsRocksdbCursor  *self,
               GError            **error)
{
  char *message = NULL;

  rocksdb_iter_get_error (self->iter, &message);
  cursor_release_iterator (self);
  self->exhausted = TRUE;
  if (message != NULL)
    set_status_error (error, self->store->path, "read from", message, AVFS_ERROR_FAILED);
  return FALSE;
}

/* Moves to the next entry; call with the cursor busy. */
static gboolean
cursor_step (AvfsRocksdbCursor  *self,
             GError            **error)
{
  size_t key_len, value_len;
  const char *key, *value;

  if (self->iter == NULL)
    return FALSE;

  if (!self->positioned)
    rocksdb_iter_next (self->iter);
  self->positioned = FALSE;
  if (!rocksdb_iter_valid (self->iter))
    return cursor_finish (self, error);

  key = rocksdb_iter_key (self->iter, &key_len);
  value = rocksdb_iter_value (self->iter, &value_len);
  avfs_cursor_set_entry ((AvfsCursor *) self, (const guint8 *) key, key_len,
                         (const guint8 *) value, value_len);
  return TRUE;
}

static gboolean
avfs_rocksdb_cursor_next (AvfsCursor  *cursor,
                          GError     **error)
{
  AvfsRocksdbCursor *self = (AvfsRocksdbCursor *) cursor; /* no type check per entry */
  gboolean found;

  if (!g_atomic_int_compare_and_exchange (&self->state, CURSOR_IDLE, CURSOR_BUSY))
    {
      /* Revoked: the store was closed, and the iterator is gone. */
      if (!self->exhausted)
        avfs_storage_set_closed_error (error, ENGINE, self->store->path);
      return FALSE;
    }
  found = cursor_step (self, error);
  /* Release order is enough to hand the iterator back to close(). */
  __atomic_store_n (&self->state, CURSOR_IDLE, __ATOMIC_RELEASE);
  return found;
}

static void
avfs_rocksdb_cursor_finalize (GObject *object)
{
  AvfsRocksdbCursor *self = AVFS_ROCKSDB_CURSOR (object);
  AvfsStorageRocksdb *store = self->store;

  /* Under the store's cursor lock, so that close() cannot free the database between
   * our leaving its list and freeing the iterator. */
  g_mutex_lock (&store->cursors_lock);
  g_hash_table_remove (store->cursors, self);
  cursor_release_iterator (self);
  g_mutex_unlock (&store->cursors_lock);

  g_free (self->end);
  g_object_unref (store);
  G_OBJECT_CLASS (avfs_rocksdb_cursor_parent_class)->finalize (object);
}

static void
avfs_rocksdb_cursor_class_init (AvfsRocksdbCursorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_rocksdb_cursor_finalize;
  AVFS_CURSOR_CLASS (klass)->next = avfs_rocksdb_cursor_next;
}

static void
avfs_rocksdb_cursor_init (AvfsRocksdbCursor *self)
{
}

/* Call with @lock held exclusively: no cursor can be created meanwhile. */
static void
release_cursors (AvfsStorageRocksdb *self)
{
  GHashTableIter iter;
  AvfsRocksdbCursor *cursor;

  g_mutex_lock (&self->cursors_lock);
  g_hash_table_iter_init (&iter, self->cursors);
  while (g_hash_table_iter_next (&iter, (gpointer *) &cursor, NULL))
    {
      /* A cursor is busy only for the length of one step. */
      while (!g_atomic_int_compare_and_exchange (&cursor->state, CURSOR_IDLE, CURSOR_REVOKED))
        g_thread_yield ();
      cursor_release_iterator (cursor);
    }
  g_hash_table_remove_all (self->cursors);
  g_mutex_unlock (&self->cursors_lock);
}

/* The store. */

static const char *
avfs_storage_rocksdb_get_engine_name (AvfsStorage *storage)
{
  return ENGINE;
}

static const char *
avfs_storage_rocksdb_get_path (AvfsStorage *storage)
{
  return AVFS_STORAGE_ROCKSDB (storage)->path;
}

/* Call with @lock held exclusively. */
/* A store opened to read refuses writes in our words, before RocksDB does in its own. */
static gboolean
check_writable (AvfsStorageRocksdb  *self,
                GError             **error)
{
  if (!self->read_only)
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               "The RocksDB store “%s” was opened only to read it; nothing can be written",
               self->path);
  return FALSE;
}

static gboolean
add_collection (AvfsStorageRocksdb  *self,
                const char          *collection,
                GError             **error)
{
  rocksdb_column_family_handle_t *family;
  char *message = NULL;

  if (lookup_collection (self, collection, NULL) != NULL)
    return TRUE;
  if (!check_writable (self, error))
    return FALSE;
  if (self->db == NULL)
    {
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return FALSE;
    }

  family = rocksdb_create_column_family (self->db, self->options,
                                         strcmp (collection, DEFAULT_COLUMN_FAMILY) == 0 ?
                                         DEFAULT_COLLECTION_FAMILY : collection,
                                         &message);
  if (message != NULL)
    {
      g_autofree char *action = g_strdup_printf ("create the collection “%s” in", collection);
      set_status_error (error, self->path, action, message, AVFS_ERROR_FAILED);
      return FALSE;
    }
  g_hash_table_insert (self->collections, g_strdup (collection), family);
  g_debug ("%s: created column family %s", self->path, collection);
  return TRUE;
}

static gboolean
avfs_storage_rocksdb_create_collection (AvfsStorage          *storage,
                                        const char           *collection,
                                        AvfsCollectionFlags   flags,
                                        GError              **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  gboolean ok;

  /* Most calls find the collection there already: check without blocking readers. */
  if (find_collection (self, collection, NULL) != NULL)
    return TRUE;

  g_rw_lock_writer_lock (&self->lock);
  ok = add_collection (self, collection, error);
  g_rw_lock_writer_unlock (&self->lock);
  return ok;
}

static char **
avfs_storage_rocksdb_list_collections (AvfsStorage  *storage,
                                       GError      **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  char **names = NULL;

  g_rw_lock_reader_lock (&self->lock);
  if (self->db != NULL)
    names = avfs_storage_sorted_names (self->collections);
  else
    avfs_storage_set_closed_error (error, ENGINE, self->path);
  g_rw_lock_reader_unlock (&self->lock);
  return names;
}

static GBytes *
avfs_storage_rocksdb_get (AvfsStorage   *storage,
                          const char    *collection,
                          const guint8  *key,
                          gsize          key_len,
                          GError       **error)
{
  AvfsStorageRocksdb *self = (AvfsStorageRocksdb *) storage; /* no type check per record */
  rocksdb_column_family_handle_t *family;
  GBytes *value = NULL;

  g_rw_lock_reader_lock (&self->lock);
  family = lookup_collection (self, collection, error);
  if (family != NULL)
    value = read_value (self, family, key, key_len, error);
  g_rw_lock_reader_unlock (&self->lock);
  return value;
}

/* One put (@value non-NULL) or delete, straight to the database. */
static gboolean
write_one (AvfsStorageRocksdb  *self,
           const char          *collection,
           const guint8        *key,
           gsize                key_len,
           const guint8        *value,
           gsize                value_len,
           GError             **error)
{
  rocksdb_column_family_handle_t *family;
  char *message = NULL;

  if (!check_writable (self, error))
    return FALSE;
  g_mutex_lock (&self->writer);
  family = find_collection (self, collection, error);
  if (family != NULL && value != NULL)
    rocksdb_put_cf (self->db, self->write_options, family, (const char *) key, key_len,
                    (const char *) value, value_len, &message);
  else if (family != NULL)
    rocksdb_delete_cf (self->db, self->write_options, family, (const char *) key, key_len,
                       &message);
  g_mutex_unlock (&self->writer);

  if (message != NULL)
    set_status_error (error, self->path, "write to", message, AVFS_ERROR_FAILED);
  return family != NULL && message == NULL;
}

static gboolean
avfs_storage_rocksdb_put (AvfsStorage   *storage,
                          const char    *collection,
                          const guint8  *key,
                          gsize          key_len,
                          const guint8  *value,
                          gsize          value_len,
                          GError       **error)
{
  /* No type check per record: the AvfsStorage wrapper checked it. */
  return write_one ((AvfsStorageRocksdb *) storage, collection, key, key_len,
                    value, value_len, error);
}

static gboolean
avfs_storage_rocksdb_delete (AvfsStorage   *storage,
                             const char    *collection,
                             const guint8  *key,
                             gsize          key_len,
                             GError       **error)
{
  /* No type check per record: the AvfsStorage wrapper checked it. */
  return write_one ((AvfsStorageRocksdb *) storage, collection, key, key_len,
                    NULL, 0, error);
}

static gboolean
avfs_storage_rocksdb_exists (AvfsStorage   *storage,
                             const char    *collection,
                             const guint8  *key,
                             gsize          key_len,
                             gboolean      *exists,
                             GError       **error)
{
  AvfsStorageRocksdb *self = (AvfsStorageRocksdb *) storage; /* no type check per record */
  rocksdb_column_family_handle_t *family;
  rocksdb_pinnableslice_t *slice = NULL;
  char *message = NULL;

  g_rw_lock_reader_lock (&self->lock);
  family = lookup_collection (self, collection, error);
  if (family != NULL)
    slice = rocksdb_get_pinned_cf (self->db, self->read_options, family,
                                   (const char *) key, key_len, &message);
  g_rw_lock_reader_unlock (&self->lock);

  *exists = slice != NULL;
  g_clear_pointer (&slice, rocksdb_pinnableslice_destroy);
  if (message != NULL)
    set_status_error (error, self->path, "read from", message, AVFS_ERROR_FAILED);
  return family != NULL && message == NULL;
}

/* Call with @lock held shared. */
static AvfsRocksdbCursor *
cursor_new (AvfsStorageRocksdb              *self,
            rocksdb_column_family_handle_t  *family,
            const guint8                    *start,
            gsize                            start_len,
            const guint8                    *end,
            gsize                            end_len)
{
  AvfsRocksdbCursor *cursor = g_object_new (AVFS_TYPE_ROCKSDB_CURSOR, NULL);

  cursor->store = g_object_ref (self);
  cursor->read_options = rocksdb_readoptions_create ();
  if (end != NULL)
    {
      /* The read options keep a pointer to the bound: it lives as long as the cursor. */
      cursor->end = g_memdup2 (end, end_len);
      rocksdb_readoptions_set_iterate_upper_bound (cursor->read_options,
                                                   (const char *) cursor->end, end_len);
    }
  cursor->iter = rocksdb_create_iterator_cf (self->db, cursor->read_options, family);
  if (start != NULL)
    rocksdb_iter_seek (cursor->iter, (const char *) start, start_len);
  else
    rocksdb_iter_seek_to_first (cursor->iter);
  cursor->positioned = TRUE;

  g_mutex_lock (&self->cursors_lock);
  g_hash_table_add (self->cursors, cursor);
  g_mutex_unlock (&self->cursors_lock);
  return cursor;
}

static AvfsCursor *
avfs_storage_rocksdb_scan_range (AvfsStorage   *storage,
                                 const char    *collection,
                                 const guint8  *start,
                                 gsize          start_len,
                                 const guint8  *end,
                                 gsize          end_len,
                                 GError       **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  rocksdb_column_family_handle_t *family;
  AvfsRocksdbCursor *cursor = NULL;

  g_rw_lock_reader_lock (&self->lock);
  family = lookup_collection (self, collection, error);
  if (family != NULL)
    cursor = cursor_new (self, family, start, start_len, end, end_len);
  g_rw_lock_reader_unlock (&self->lock);
  return (AvfsCursor *) cursor;
}

static gboolean
avfs_storage_rocksdb_transaction (AvfsStorage          *storage,
                                  AvfsTransactionFunc   func,
                                  gpointer              user_data,
                                  GError              **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  AvfsRocksdbTransaction *tx;
  gboolean ok;

  if (!check_writable (self, error))
    return FALSE;
  g_mutex_lock (&self->writer);
  if (self->db == NULL)
    {
      g_mutex_unlock (&self->writer);
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return FALSE;
    }

  tx = g_object_new (AVFS_TYPE_ROCKSDB_TRANSACTION, NULL);
  tx->store = self;
  ok = func (AVFS_TRANSACTION (tx), user_data, error) && commit_batch (self, error);
  if (ok)
    compact_emptied (self);
  /* A transaction object kept past its callback must not reach the store. */
  tx->store = NULL;
  reset_batches (self);
  g_hash_table_remove_all (self->deletions);
  g_mutex_unlock (&self->writer);

  g_object_unref (tx);
  return ok;
}

/* Call with @lock held. */
static gboolean
flush_all (AvfsStorageRocksdb  *self,
           GError             **error)
{
  rocksdb_flushoptions_t *flush_options = rocksdb_flushoptions_create ();
  GHashTableIter iter;
  rocksdb_column_family_handle_t *family;
  char *message = NULL;

  if (self->read_only)
    {
      rocksdb_flushoptions_destroy (flush_options);
      return TRUE;
    }
  rocksdb_flushoptions_set_wait (flush_options, TRUE);
  rocksdb_flush_wal (self->db, TRUE, &message);
  g_hash_table_iter_init (&iter, self->collections);
  while (message == NULL && g_hash_table_iter_next (&iter, NULL, (gpointer *) &family))
    rocksdb_flush_cf (self->db, flush_options, family, &message);
  rocksdb_flushoptions_destroy (flush_options);

  if (message != NULL)
    {
      set_status_error (error, self->path, "flush", message, AVFS_ERROR_FAILED);
      return FALSE;
    }
  return TRUE;
}

/* Writes the write-ahead log to disk and the memtables to table files, so that the
 * files alone hold every committed write. */
static gboolean
avfs_storage_rocksdb_sync (AvfsStorage  *storage,
                           GError      **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  gboolean ok = FALSE;

  g_rw_lock_reader_lock (&self->lock);
  if (self->db != NULL)
    ok = flush_all (self, error);
  else
    avfs_storage_set_closed_error (error, ENGINE, self->path);
  g_rw_lock_reader_unlock (&self->lock);
  return ok;
}

static AvfsCompactionStats *
avfs_storage_rocksdb_compact (AvfsStorage  *storage,
                              GError      **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  AvfsCompactionStats *stats = g_new0 (AvfsCompactionStats, 1);
  gint64 started = g_get_monotonic_time ();
  GHashTableIter iter;
  rocksdb_column_family_handle_t *family;

  if (!check_writable (self, error))
    {
      g_free (stats);
      return NULL;
    }
  g_rw_lock_reader_lock (&self->lock);
  if (self->db == NULL)
    {
      g_rw_lock_reader_unlock (&self->lock);
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      g_free (stats);
      return NULL;
    }

  stats->bytes_before = avfs_storage_disk_usage (self->path);
  /* Compacting the whole key range flushes the memtable first and drops deleted and
   * overwritten entries, rewriting each collection into the fewest files. */
  g_hash_table_iter_init (&iter, self->collections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &family))
    compact_family (self, family);
  compact_family (self, self->default_family);
  stats->bytes_after = avfs_storage_disk_usage (self->path);
  g_rw_lock_reader_unlock (&self->lock);

  stats->duration_us = g_get_monotonic_time () - started;
  g_debug ("%s: compacted %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT " bytes in %"
           G_GINT64_FORMAT " µs", self->path, stats->bytes_before, stats->bytes_after,
           stats->duration_us);
  return stats;
}

/* Counts a collection's keys and bytes exactly, by reading it through. Call with @lock
 * held. */
static gboolean
measure_collection (AvfsStorageRocksdb              *self,
                    rocksdb_column_family_handle_t  *family,
                    rocksdb_readoptions_t           *read_options,
                    guint64                         *keys,
                    guint64                         *bytes,
                    GError                         **error)
{
  rocksdb_iterator_t *iter = rocksdb_create_iterator_cf (self->db, read_options, family);
  char *message = NULL;

  *keys = *bytes = 0;
  for (rocksdb_iter_seek_to_first (iter); rocksdb_iter_valid (iter); rocksdb_iter_next (iter))
    {
      size_t key_len, value_len;

      rocksdb_iter_key (iter, &key_len);
      rocksdb_iter_value (iter, &value_len);
      *keys += 1;
      *bytes += key_len + value_len;
    }
  rocksdb_iter_get_error (iter, &message);
  rocksdb_iter_destroy (iter);

  if (message != NULL)
    {
      set_status_error (error, self->path, "read from", message, AVFS_ERROR_FAILED);
      return FALSE;
    }
  return TRUE;
}

/* Sums an integer property over every column family. Call with @lock held. */
static guint64
sum_property (AvfsStorageRocksdb *self,
              const char         *property)
{
  GHashTableIter iter;
  rocksdb_column_family_handle_t *family;
  uint64_t value = 0;
  guint64 total = 0;

  if (rocksdb_property_int_cf (self->db, self->default_family, property, &value) == 0)
    total += value;
  g_hash_table_iter_init (&iter, self->collections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &family))
    {
      if (rocksdb_property_int_cf (self->db, family, property, &value) == 0)
        total += value;
    }
  return total;
}

static void
add_sum (GVariantBuilder    *builder,
         AvfsStorageRocksdb *self,
         const char         *name,
         const char         *property)
{
  g_variant_builder_add (builder, "{sv}", name,
                         g_variant_new_uint64 (sum_property (self, property)));
}

/* Engine figures in a fixed order (a builder, unlike a GVariantDict, keeps it). Call
 * with @lock held. */
static GVariant *
engine_info (AvfsStorageRocksdb *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  add_sum (&builder, self, "estimate_num_keys", "rocksdb.estimate-num-keys");
  add_sum (&builder, self, "total_sst_files_size", "rocksdb.total-sst-files-size");
  add_sum (&builder, self, "estimate_live_data_size", "rocksdb.estimate-live-data-size");
  add_sum (&builder, self, "memtable_bytes", "rocksdb.cur-size-all-mem-tables");
  g_variant_builder_add (&builder, "{sv}", "column_families",
                         g_variant_new_uint32 (g_hash_table_size (self->collections) + 1));
  g_variant_builder_add (&builder, "{sv}", "compression", g_variant_new_string (self->compression));
  g_variant_builder_add (&builder, "{sv}", "write_buffer_size",
                         g_variant_new_uint64 (self->write_buffer_size));
  g_variant_builder_add (&builder, "{sv}", "max_open_files",
                         g_variant_new_uint64 (self->max_open_files));
  if (self->library_version != NULL)
    g_variant_builder_add (&builder, "{sv}", "rocksdb_version",
                           g_variant_new_string (self->library_version));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Call with @lock held. */
static AvfsStorageStats *
collect_stats (AvfsStorageRocksdb  *self,
               GError             **error)
{
  g_autoptr(AvfsStorageStats) stats = avfs_storage_stats_new (ENGINE, self->path);
  g_auto(GStrv) names = avfs_storage_sorted_names (self->collections);
  rocksdb_readoptions_t *read_options = rocksdb_readoptions_create ();
  gboolean ok = TRUE;

  /* A full read should not push the working set out of the block cache. */
  rocksdb_readoptions_set_fill_cache (read_options, FALSE);
  for (guint i = 0; ok && names[i] != NULL; i++)
    {
      guint64 keys, bytes;

      ok = measure_collection (self, g_hash_table_lookup (self->collections, names[i]),
                               read_options, &keys, &bytes, error);
      if (ok)
        avfs_storage_stats_add_collection (stats, names[i], keys, bytes);
    }
  rocksdb_readoptions_destroy (read_options);
  if (!ok)
    return NULL;

  stats->on_disk_bytes = avfs_storage_disk_usage (self->path);
  stats->engine_info = engine_info (self);
  return g_steal_pointer (&stats);
}

static AvfsStorageStats *
avfs_storage_rocksdb_stats (AvfsStorage  *storage,
                            GError      **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  AvfsStorageStats *stats = NULL;

  g_rw_lock_reader_lock (&self->lock);
  if (self->db != NULL)
    stats = collect_stats (self, error);
  else
    avfs_storage_set_closed_error (error, ENGINE, self->path);
  g_rw_lock_reader_unlock (&self->lock);
  return stats;
}

/* Frees the database and everything made for it; column families go before the
 * database. Call with @writer and @lock held exclusively, or from open/finalize. */
static void
release_database (AvfsStorageRocksdb *self)
{
  g_hash_table_remove_all (self->collections);
  g_clear_pointer (&self->default_family, rocksdb_column_family_handle_destroy);
  g_clear_pointer (&self->db, rocksdb_close);
  g_clear_pointer (&self->options, rocksdb_options_destroy);
  g_clear_pointer (&self->read_options, rocksdb_readoptions_destroy);
  g_clear_pointer (&self->write_options, rocksdb_writeoptions_destroy);
  g_clear_pointer (&self->batch, rocksdb_writebatch_destroy);
  g_clear_pointer (&self->index, g_free);
}

static gboolean
avfs_storage_rocksdb_close (AvfsStorage  *storage,
                            GError      **error)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (storage);
  gboolean ok = TRUE;

  /* Waits for the running transaction, then for every reader. */
  g_mutex_lock (&self->writer);
  g_rw_lock_writer_lock (&self->lock);
  if (self->db != NULL)
    {
      release_cursors (self);
      /* Reopening then needs no log replay; the log already holds every write, so a
       * failed flush loses nothing and the store still closes. */
      ok = flush_all (self, error);
      release_database (self);
      g_atomic_int_set (&self->closed, TRUE);
      g_debug ("%s: closed", self->path);
    }
  g_rw_lock_writer_unlock (&self->lock);
  g_mutex_unlock (&self->writer);
  return ok;
}

static gboolean
avfs_storage_rocksdb_is_closed (AvfsStorage *storage)
{
  /* No type check: is_closed() runs before every call. */
  return g_atomic_int_get (&((AvfsStorageRocksdb *) storage)->closed);
}

static void
avfs_storage_rocksdb_iface_init (AvfsStorageInterface *iface)
{
  iface->get_engine_name = avfs_storage_rocksdb_get_engine_name;
  iface->get_path = avfs_storage_rocksdb_get_path;
  iface->create_collection = avfs_storage_rocksdb_create_collection;
  iface->list_collections = avfs_storage_rocksdb_list_collections;
  iface->get = avfs_storage_rocksdb_get;
  iface->put = avfs_storage_rocksdb_put;
  iface->delete = avfs_storage_rocksdb_delete;
  iface->exists = avfs_storage_rocksdb_exists;
  iface->scan_range = avfs_storage_rocksdb_scan_range;
  iface->transaction = avfs_storage_rocksdb_transaction;
  iface->sync = avfs_storage_rocksdb_sync;
  iface->compact = avfs_storage_rocksdb_compact;
  iface->stats = avfs_storage_rocksdb_stats;
  iface->close = avfs_storage_rocksdb_close;
  iface->is_closed = avfs_storage_rocksdb_is_closed;
}

static void
avfs_storage_rocksdb_finalize (GObject *object)
{
  AvfsStorageRocksdb *self = AVFS_STORAGE_ROCKSDB (object);

  if (self->db != NULL)
    avfs_storage_rocksdb_close (AVFS_STORAGE (self), NULL);
  release_database (self);

  g_hash_table_unref (self->collections);
  g_hash_table_unref (self->cursors);
  g_array_unref (self->batch_ops);
  g_hash_table_unref (self->deletions);
  g_hash_table_unref (self->uncompacted);
  g_free (self->path);
  g_free (self->library_version);
  g_rw_lock_clear (&self->lock);
  g_mutex_clear (&self->writer);
  g_mutex_clear (&self->cursors_lock);
  G_OBJECT_CLASS (avfs_storage_rocksdb_parent_class)->finalize (object);
}

static void
avfs_storage_rocksdb_class_init (AvfsStorageRocksdbClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_storage_rocksdb_finalize;
}

static void
avfs_storage_rocksdb_init (AvfsStorageRocksdb *self)
{
  g_rw_lock_init (&self->lock);
  g_mutex_init (&self->writer);
  g_mutex_init (&self->cursors_lock);
  self->collections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) rocksdb_column_family_handle_destroy);
  self->cursors = g_hash_table_new (NULL, NULL);
  self->batch_ops = g_array_new (FALSE, FALSE, sizeof (BatchOp));
  self->deletions = g_hash_table_new (NULL, NULL);
  self->uncompacted = g_hash_table_new (NULL, NULL);
}

/* Opening. */

typedef struct
{
  gboolean create_if_missing;
  guint64 max_open_files;
  guint64 write_buffer_size;
  const char *compression; /* a word of the option table (avfs-storage-options.c) */
} Settings;

static gboolean
read_settings (GHashTable  *options,
               Settings    *settings,
               GError     **error)
{
  return avfs_storage_options_check_keys (options, ENGINE, error) &&
         avfs_storage_options_get_boolean (options, ENGINE, "create_if_missing",
                                           &settings->create_if_missing, error) &&
         avfs_storage_options_get_uint64 (options, ENGINE, "max_open_files",
                                          &settings->max_open_files, error) &&
         avfs_storage_options_get_uint64 (options, ENGINE, "write_buffer_size",
                                          &settings->write_buffer_size, error) &&
         avfs_storage_options_get_choice (options, ENGINE, "compression",
                                          &settings->compression, error);
}

/* Removes the LOG files that avfs before 2026-11-26 wrote side by side into the shared
 * directory above the vaults' own (`PATH_LOG`, `PATH_LOG.old.TIME`): nothing reads them,
 * and they had grown to 720 MB on a test machine. Only files are removed; each vault's
 * directory stays. */
static void
remove_shared_logs (const char *path)
{
  g_autofree char *log_dir = avfs_storage_rocksdb_get_log_dir (path);
  g_autofree char *shared = g_path_get_dirname (log_dir);
  g_autoptr(GDir) dir = g_dir_open (shared, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (shared, name, NULL);

      if (strstr (name, "_LOG") != NULL && g_file_test (file, G_FILE_TEST_IS_REGULAR))
        g_unlink (file);
    }
}

/* rocksdb::InfoLogLevel::WARN_LEVEL, which c.h does not name. */
#define LOG_LEVEL_WARN 2

/* Whether another process has the store open to write: RocksDB holds a write lock
 * (fcntl) on its LOCK file while it is open. */
static gboolean
is_locked_elsewhere (const char *path)
{
  g_autofree char *lock_path = g_build_filename (path, "LOCK", NULL);
  struct flock query = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  int fd = g_open (lock_path, O_RDONLY | O_CLOEXEC, 0);
  gboolean locked;

  if (fd < 0)
    return FALSE;
  locked = fcntl (fd, F_GETLK, &query) == 0 && query.l_type != F_UNLCK;
  g_close (fd, NULL);
  return locked;
}

/* A store opened to read beside a process that writes it opens all its table files at
 * once (max_open_files -1): that process's compactions delete table files, and one this
 * store had not opened yet would be gone when a read needed it. */
static int
max_open_files_for (const char     *path,
                    const Settings *settings,
                    AvfsStoreMode   mode)
{
  if (mode == AVFS_STORE_READ && is_locked_elsewhere (path))
    return -1;
  return (int) settings->max_open_files;
}

/* Bloom filters, 10 bits a key (1% false positives): most of a write's lookups are for
 * what is not there yet (the new name in its directory, the new content, the quota), and
 * without a filter each of them searched a table file's index and read a block at every
 * level. */
static void
set_table_options (rocksdb_options_t *options)
{
  rocksdb_block_based_table_options_t *table = rocksdb_block_based_options_create ();

  rocksdb_block_based_options_set_filter_policy (table, rocksdb_filterpolicy_create_bloom_full (10));
  rocksdb_options_set_block_based_table_factory (options, table);
  rocksdb_block_based_options_destroy (table);
}

static rocksdb_options_t *
make_options (const char     *path,
              const Settings *settings,
              AvfsStoreMode   mode)
{
  rocksdb_options_t *options = rocksdb_options_create ();
  g_autofree char *log_dir = avfs_storage_rocksdb_get_log_dir (path);
  gboolean create = mode == AVFS_STORE_CREATE;

  rocksdb_options_set_create_if_missing (options, create);
  rocksdb_options_set_error_if_exists (options, create);
  rocksdb_options_set_paranoid_checks (options, TRUE);
  rocksdb_options_set_max_open_files (options, max_open_files_for (path, settings, mode));
  rocksdb_options_set_write_buffer_size (options, settings->write_buffer_size);
  /* One budget for the memtables of every collection together, not one each: a big
   * write then flushes at write_buffer_size instead of holding twice that in memory. */
  rocksdb_options_set_db_write_buffer_size (options, settings->write_buffer_size);
  for (guint i = 0; i < G_N_ELEMENTS (compressions); i++)
    if (g_str_equal (compressions[i].name, settings->compression))
      rocksdb_options_set_compression (options, compressions[i].type);
  /* A write reads keys that are not there yet (its name in the directory, its blob, a
   * quota): a Bloom filter of whole keys tells the memtable so without a walk down its
   * skip list. 8–10% of a one-file write's CPU time, for about 2 MB of memory (0.2% of
   * write_buffer_size for each collection's memtable). */
  rocksdb_options_set_memtable_whole_key_filtering (options, TRUE);
  rocksdb_options_set_memtable_prefix_bloom_size_ratio (options, 0.002);
  set_table_options (options);
  /* RocksDB's own LOG files: a few, of warnings and errors only (at its default level
   * every open wrote 100–200 KB of settings and statistics). They go to the user's
   * cache, not into the vault, so that a vault is never written to when it cannot be
   * opened (RocksDB starts its LOG first) and a copied vault holds only its data. */
  rocksdb_options_set_keep_log_file_num (options, 4);
  rocksdb_options_set_info_log_level (options, LOG_LEVEL_WARN);
  /* RocksDB opens the table files of each collection on threads of their own, 16 by
   * default, started at every open: half the time of opening a 10,000-file vault. */
  rocksdb_options_set_max_file_opening_threads (options, 1);
  if (g_mkdir_with_parents (log_dir, 0700) == 0)
    rocksdb_options_set_db_log_dir (options, log_dir);
  return options;
}

/* The version RocksDB recorded in the OPTIONS file it just wrote: c.h has no call for
 * it, and version.h is C++. */
static char *
read_library_version (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autofree char *newest = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *file = NULL;
  const char *name, *line;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "OPTIONS-") && !g_str_has_suffix (name, ".dbtmp") &&
          (newest == NULL || strcmp (name, newest) > 0))
        {
          g_free (newest);
          newest = g_strdup (name);
        }
    }
  if (newest == NULL)
    return NULL;

  file = g_build_filename (path, newest, NULL);
  if (!g_file_get_contents (file, &contents, NULL, NULL) ||
      (line = strstr (contents, "rocksdb_version=")) == NULL)
    return NULL;
  line += strlen ("rocksdb_version=");
  return g_strndup (line, strcspn (line, "\r\n"));
}

/* Refuses what is plainly not a RocksDB store before RocksDB reads (or writes) it. */
static gboolean
check_existing (const char  *path,
                GError     **error)
{
  g_autofree char *current = g_build_filename (path, "CURRENT", NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                   "No RocksDB vault at “%s”; check the path or create the vault first", path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || !g_file_test (current, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” is not a RocksDB store: it is not a folder with a CURRENT file", path);
      return FALSE;
    }
  return TRUE;
}

/* An existing store that RocksDB cannot open is taken as damaged, unless another
 * process holds it: only opening takes RocksDB's LOCK file, so only here can its lock
 * (or this process's own, on a second open) stand in the way. */
static void
set_open_error (GError     **error,
                const char  *path,
                gboolean     create,
                char        *message)
{
  if (!is_lock_failure (message))
    {
      set_status_error (error, path, create ? "create" : "open", message,
                        create ? AVFS_ERROR_IO : AVFS_ERROR_CORRUPT);
      return;
    }
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
               "Vault “%s” is in use by another process; close the other avfs program and "
               "try again", path);
  rocksdb_free (message);
}

/* Files the open column families' handles by collection name. */
static void
adopt_families (AvfsStorageRocksdb              *self,
                const char * const              *names,
                gsize                            n_names,
                rocksdb_column_family_handle_t **handles)
{
  for (gsize i = 0; i < n_names; i++)
    {
      if (strcmp (names[i], DEFAULT_COLUMN_FAMILY) == 0)
        self->default_family = handles[i];
      else if (strcmp (names[i], DEFAULT_COLLECTION_FAMILY) == 0)
        g_hash_table_insert (self->collections, g_strdup (DEFAULT_COLUMN_FAMILY), handles[i]);
      else
        g_hash_table_insert (self->collections, g_strdup (names[i]), handles[i]);
    }
}

/* Opens every column family the store has (only "default" when creating). */
static gboolean
open_database (AvfsStorageRocksdb  *self,
               gboolean             create,
               GError             **error)
{
  static const char * const new_store[] = { DEFAULT_COLUMN_FAMILY };
  char **names = NULL;
  const char * const *family_names = new_store;
  size_t n_names = G_N_ELEMENTS (new_store);
  g_autofree const rocksdb_options_t **family_options = NULL;
  g_autofree rocksdb_column_family_handle_t **handles = NULL;
  char *message = NULL;

  if (!create)
    {
      names = rocksdb_list_column_families (self->options, self->path, &n_names, &message);
      if (message != NULL)
        {
          /* Even a failed listing returns an (empty) array to free. */
          rocksdb_list_column_families_destroy (names, n_names);
          set_open_error (error, self->path, FALSE, message);
          return FALSE;
        }
      family_names = (const char * const *) names;
    }

  family_options = g_new (const rocksdb_options_t *, n_names);
  handles = g_new0 (rocksdb_column_family_handle_t *, n_names);
  for (gsize i = 0; i < n_names; i++)
    family_options[i] = self->options;

  /* Read-only, RocksDB replays a log left by a crash into memory and writes nothing. */
  if (self->read_only)
    self->db = rocksdb_open_for_read_only_column_families (self->options, self->path,
                                                           (int) n_names, family_names,
                                                           family_options, handles, FALSE,
                                                           &message);
  else
    self->db = rocksdb_open_column_families (self->options, self->path, n_names,
                                             family_names, family_options, handles, &message);
  if (self->db != NULL)
    adopt_families (self, family_names, n_names, handles);
  if (names != NULL)
    rocksdb_list_column_families_destroy (names, n_names);

  if (message != NULL)
    {
      set_open_error (error, self->path, create, message);
      return FALSE;
    }
  return TRUE;
}

/**
 * avfs_storage_rocksdb_open:
 * @path: the store's directory (`NAME.rocksdb`)
 * @options: (nullable): `create_if_missing`, `max_open_files`, `write_buffer_size`,
 *   `compression` (none, snappy, lz4, zstd)
 * @mode: create a store where nothing exists yet, or open the one there; to read
 *   only, it is opened read-only (no log, manifest or OPTIONS file is written)
 * @error: return location for an error
 *
 * Opens a RocksDB store, one column family per collection. The store is thread-safe;
 * RocksDB admits one process at a time, so a second opener gets %AVFS_ERROR_LOCKED.
 * Opened to read, the store takes no lock: it reads what was committed when it opened,
 * beside a process that may be writing.
 *
 * Returns: (transfer full) (nullable): the store
 */
AvfsStorage *
avfs_storage_rocksdb_open (const char     *path,
                           GHashTable     *options,
                           AvfsStoreMode   mode,
                           GError        **error)
{
  gboolean create = mode == AVFS_STORE_CREATE;
  g_autoptr(AvfsStorageRocksdb) self = NULL;
  Settings settings;

  g_return_val_if_fail (path != NULL, NULL);

  if (!read_settings (options, &settings, error))
    return NULL;
  if (create && !settings.create_if_missing)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Cannot create the RocksDB store “%s”: the rocksdb option "
                   "create_if_missing is false; set it to true to create vaults", path);
      return NULL;
    }
  if (create && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                   "“%s” already exists; choose another name or delete it first", path);
      return NULL;
    }
  if (!create && !check_existing (path, error))
    return NULL;

  self = g_object_new (AVFS_TYPE_STORAGE_ROCKSDB, NULL);
  self->path = g_strdup (path);
  self->read_only = mode == AVFS_STORE_READ;
  self->compression = settings.compression;
  self->write_buffer_size = settings.write_buffer_size;
  self->max_open_files = settings.max_open_files;
  self->options = make_options (path, &settings, mode);
  remove_shared_logs (path);
  if (!open_database (self, create, error))
    return NULL;

  self->read_options = rocksdb_readoptions_create ();
  self->write_options = rocksdb_writeoptions_create ();
  self->batch = rocksdb_writebatch_create ();
  self->library_version = read_library_version (path);
  g_debug ("%s: opened with %u collections (RocksDB %s)", path,
           g_hash_table_size (self->collections),
           self->library_version ? self->library_version : "unknown");
  return AVFS_STORAGE (g_steal_pointer (&self));
}
