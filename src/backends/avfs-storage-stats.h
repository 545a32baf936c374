/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Figures an engine reports about itself: storage stats and compaction stats. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * AvfsCollectionStats:
 * @name: the collection's name
 * @keys: number of keys
 * @bytes: total bytes of its keys and values (logical, before engine overhead)
 */
typedef struct
{
  char *name;
  guint64 keys;
  guint64 bytes;
} AvfsCollectionStats;

/**
 * AvfsStorageStats:
 * @engine: the engine's name, e.g. `"sqlite"`
 * @path: where the store lives (%NULL for memory)
 * @on_disk_bytes: bytes the store occupies on disk (0 for memory)
 * @collections: (element-type AvfsCollectionStats): one entry per collection, by name
 * @engine_info: an `a{sv}` dictionary of engine-specific figures (e.g. SQLite
 *   `page_count`, LMDB `map_size`, RocksDB `estimate_num_keys`), in a stable order
 */
typedef struct
{
  char *engine;
  char *path;
  guint64 on_disk_bytes;
  GPtrArray *collections;
  GVariant *engine_info;
} AvfsStorageStats;

/**
 * AvfsCompactionStats:
 * @bytes_before: on-disk size before compaction
 * @bytes_after: on-disk size after compaction
 * @duration_us: wall-clock time it took, in microseconds
 */
typedef struct
{
  guint64 bytes_before;
  guint64 bytes_after;
  gint64 duration_us;
} AvfsCompactionStats;

#define AVFS_TYPE_STORAGE_STATS (avfs_storage_stats_get_type ())
#define AVFS_TYPE_COMPACTION_STATS (avfs_compaction_stats_get_type ())

GType                avfs_storage_stats_get_type       (void) G_GNUC_CONST;
AvfsStorageStats    *avfs_storage_stats_new            (const char          *engine,
                                                        const char          *path);
void                 avfs_storage_stats_add_collection (AvfsStorageStats    *self,
                                                        const char          *name,
                                                        guint64              keys,
                                                        guint64              bytes);
AvfsStorageStats    *avfs_storage_stats_copy           (const AvfsStorageStats *self);
void                 avfs_storage_stats_free           (AvfsStorageStats    *self);

GType                avfs_compaction_stats_get_type    (void) G_GNUC_CONST;
AvfsCompactionStats *avfs_compaction_stats_copy        (const AvfsCompactionStats *self);
void                 avfs_compaction_stats_free        (AvfsCompactionStats *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsStorageStats, avfs_storage_stats_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsCompactionStats, avfs_compaction_stats_free)

G_END_DECLS
