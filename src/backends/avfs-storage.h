/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorage: the storage engine interface (the spec's StorageBackend trait). */
#pragma once

#include <gio/gio.h>

#include "avfs-cursor.h"
#include "avfs-error.h"
#include "avfs-storage-stats.h"
#include "avfs-transaction.h"

G_BEGIN_DECLS

/**
 * AvfsStoreMode:
 * @AVFS_STORE_OPEN: open an existing store to read and write it
 * @AVFS_STORE_CREATE: create a new store; its path must not exist
 * @AVFS_STORE_READ: open an existing store that will only be read: the engine writes
 *   nothing to the store's files that it can avoid writing. RocksDB opens read-only
 *   (a plain open starts a new log and manifest and rewrites CURRENT), and refuses
 *   transactions; SQLite and LMDB write nothing until a transaction commits anyway.
 *
 * How an engine opens a store (#AvfsStorageOpenFunc).
 */
typedef enum
{
  AVFS_STORE_OPEN,
  AVFS_STORE_CREATE,
  AVFS_STORE_READ,
} AvfsStoreMode;

/**
 * AvfsCollectionFlags:
 * @AVFS_COLLECTION_DEFAULT: small records, often read and written in key order
 * @AVFS_COLLECTION_LARGE_VALUES: values of about a kilobyte or more under keys that come
 *   in no useful order, such as content hashes. SQLite keeps such a collection's rows
 *   in the order they were written, with an index of their keys: a B-tree of large
 *   values under random keys is a quarter empty, spills values of over 2 KiB onto pages
 *   of their own, and rewrites a page for every insert (docs/storage.md).
 *
 * How an engine may lay out a collection. Behaviour is the same either way; the flags
 * count only when a collection is created, and engines are free to ignore them.
 */
typedef enum
{
  AVFS_COLLECTION_DEFAULT = 0,
  AVFS_COLLECTION_LARGE_VALUES = 1 << 0,
} AvfsCollectionFlags;

/* Limits every engine honours (LMDB's default key limit is the tightest). */
#define AVFS_STORAGE_MAX_KEY_LEN 511
#define AVFS_STORAGE_MAX_VALUE_LEN (256u * 1024 * 1024)
#define AVFS_STORAGE_MAX_COLLECTION_LEN 64

#define AVFS_TYPE_STORAGE (avfs_storage_get_type ())
G_DECLARE_INTERFACE (AvfsStorage, avfs_storage, AVFS, STORAGE, GObject)

/**
 * AvfsStorageInterface:
 *
 * What an engine implements. The public avfs_storage_*() wrappers validate every
 * argument (collection names, key and value lengths, closed state) before calling
 * these, so engines only see well-formed input. Collections must be created with
 * @create_collection before use; any other operation on an unknown collection fails
 * with %AVFS_ERROR_NOT_FOUND. Implementations are thread-safe: many readers and one
 * writer may work at once, and readers never see part of a transaction.
 *
 * @scan_range covers [@start, @end) in byte order (memcmp, shorter key first on a tie);
 * @start %NULL means from the first key, @end %NULL means to the last.
 */
struct _AvfsStorageInterface
{
  GTypeInterface parent_iface;

  const char          *(*get_engine_name)   (AvfsStorage          *self);
  const char          *(*get_path)          (AvfsStorage          *self);
  gboolean             (*create_collection) (AvfsStorage          *self,
                                             const char           *collection,
                                             AvfsCollectionFlags   flags,
                                             GError              **error);
  char               **(*list_collections)  (AvfsStorage          *self,
                                             GError              **error);
  GBytes              *(*get)               (AvfsStorage          *self,
                                             const char           *collection,
                                             const guint8         *key,
                                             gsize                 key_len,
                                             GError              **error);
  gboolean             (*put)               (AvfsStorage          *self,
                                             const char           *collection,
                                             const guint8         *key,
                                             gsize                 key_len,
                                             const guint8         *value,
                                             gsize                 value_len,
                                             GError              **error);
  gboolean             (*delete)            (AvfsStorage          *self,
                                             const char           *collection,
                                             const guint8         *key,
                                             gsize                 key_len,
                                             GError              **error);
  gboolean             (*exists)            (AvfsStorage          *self,
                                             const char           *collection,
                                             const guint8         *key,
                                             gsize                 key_len,
                                             gboolean             *exists,
                                             GError              **error);
  AvfsCursor          *(*scan_range)        (AvfsStorage          *self,
                                             const char           *collection,
                                             const guint8         *start,
                                             gsize                 start_len,
                                             const guint8         *end,
                                             gsize                 end_len,
                                             GError              **error);
  gboolean             (*transaction)       (AvfsStorage          *self,
                                             AvfsTransactionFunc   func,
                                             gpointer              user_data,
                                             GError              **error);
  gboolean             (*sync)              (AvfsStorage          *self,
                                             GError              **error);
  AvfsCompactionStats *(*compact)           (AvfsStorage          *self,
                                             GError              **error);
  AvfsStorageStats    *(*stats)             (AvfsStorage          *self,
                                             GError              **error);
  gboolean             (*close)             (AvfsStorage          *self,
                                             GError              **error);
  gboolean             (*is_closed)         (AvfsStorage          *self);
  /* optional */
  void                 (*hint_bulk)         (AvfsStorage          *self,
                                             gboolean              begin);
};

const char          *avfs_storage_get_engine_name   (AvfsStorage          *self);
const char          *avfs_storage_get_path          (AvfsStorage          *self);
gboolean             avfs_storage_create_collection (AvfsStorage          *self,
                                                     const char           *collection,
                                                     AvfsCollectionFlags   flags,
                                                     GError              **error);
char               **avfs_storage_list_collections  (AvfsStorage          *self,
                                                     GError              **error);
GBytes              *avfs_storage_get               (AvfsStorage          *self,
                                                     const char           *collection,
                                                     const guint8         *key,
                                                     gsize                 key_len,
                                                     GError              **error);
gboolean             avfs_storage_put               (AvfsStorage          *self,
                                                     const char           *collection,
                                                     const guint8         *key,
                                                     gsize                 key_len,
                                                     const guint8         *value,
                                                     gsize                 value_len,
                                                     GError              **error);
gboolean             avfs_storage_delete            (AvfsStorage          *self,
                                                     const char           *collection,
                                                     const guint8         *key,
                                                     gsize                 key_len,
                                                     GError              **error);
gboolean             avfs_storage_exists            (AvfsStorage          *self,
                                                     const char           *collection,
                                                     const guint8         *key,
                                                     gsize                 key_len,
                                                     gboolean             *exists,
                                                     GError              **error);
AvfsCursor          *avfs_storage_scan_prefix       (AvfsStorage          *self,
                                                     const char           *collection,
                                                     const guint8         *prefix,
                                                     gsize                 prefix_len,
                                                     GError              **error);
AvfsCursor          *avfs_storage_scan_range        (AvfsStorage          *self,
                                                     const char           *collection,
                                                     const guint8         *start,
                                                     gsize                 start_len,
                                                     const guint8         *end,
                                                     gsize                 end_len,
                                                     GError              **error);
gboolean             avfs_storage_transaction       (AvfsStorage          *self,
                                                     AvfsTransactionFunc   func,
                                                     gpointer              user_data,
                                                     GError              **error);
gboolean             avfs_storage_sync              (AvfsStorage          *self,
                                                     GError              **error);
AvfsCompactionStats *avfs_storage_compact           (AvfsStorage          *self,
                                                     GError              **error);
AvfsStorageStats    *avfs_storage_stats             (AvfsStorage          *self,
                                                     GError              **error);
gboolean             avfs_storage_close             (AvfsStorage          *self,
                                                     GError              **error);
void                 avfs_storage_begin_bulk        (AvfsStorage          *self);
void                 avfs_storage_end_bulk          (AvfsStorage          *self);

G_END_DECLS
