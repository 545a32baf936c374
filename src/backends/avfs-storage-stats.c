/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Boxed types for the figures engines report: storage stats and compaction stats. */
#include "avfs-storage-stats.h"

G_DEFINE_BOXED_TYPE (AvfsStorageStats, avfs_storage_stats,
                     avfs_storage_stats_copy, avfs_storage_stats_free)
G_DEFINE_BOXED_TYPE (AvfsCompactionStats, avfs_compaction_stats,
                     avfs_compaction_stats_copy, avfs_compaction_stats_free)

static void
collection_stats_free (gpointer data)
{
  AvfsCollectionStats *stats = data;

  g_free (stats->name);
  g_free (stats);
}

/**
 * avfs_storage_stats_new:
 * @engine: the engine's name
 * @path: (nullable): the store's location
 *
 * Returns: (transfer full): empty stats for an engine to fill in
 */
AvfsStorageStats *
avfs_storage_stats_new (const char *engine,
                        const char *path)
{
  AvfsStorageStats *self = g_new0 (AvfsStorageStats, 1);

  self->engine = g_strdup (engine);
  self->path = g_strdup (path);
  self->collections = g_ptr_array_new_with_free_func (collection_stats_free);
  return self;
}

void
avfs_storage_stats_add_collection (AvfsStorageStats *self,
                                   const char       *name,
                                   guint64           keys,
                                   guint64           bytes)
{
  AvfsCollectionStats *stats = g_new0 (AvfsCollectionStats, 1);

  stats->name = g_strdup (name);
  stats->keys = keys;
  stats->bytes = bytes;
  g_ptr_array_add (self->collections, stats);
}

AvfsStorageStats *
avfs_storage_stats_copy (const AvfsStorageStats *self)
{
  AvfsStorageStats *copy = avfs_storage_stats_new (self->engine, self->path);

  copy->on_disk_bytes = self->on_disk_bytes;
  for (guint i = 0; i < self->collections->len; i++)
    {
      const AvfsCollectionStats *c = g_ptr_array_index (self->collections, i);
      avfs_storage_stats_add_collection (copy, c->name, c->keys, c->bytes);
    }
  if (self->engine_info != NULL)
    copy->engine_info = g_variant_ref (self->engine_info);
  return copy;
}

void
avfs_storage_stats_free (AvfsStorageStats *self)
{
  if (self == NULL)
    return;
  g_free (self->engine);
  g_free (self->path);
  g_ptr_array_unref (self->collections);
  g_clear_pointer (&self->engine_info, g_variant_unref);
  g_free (self);
}

AvfsCompactionStats *
avfs_compaction_stats_copy (const AvfsCompactionStats *self)
{
  return g_memdup2 (self, sizeof *self);
}

void
avfs_compaction_stats_free (AvfsCompactionStats *self)
{
  g_free (self);
}
