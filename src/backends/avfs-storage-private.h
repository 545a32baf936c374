/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the storage engines: argument checks, key order, options, disk use. */
#pragma once

#include <string.h>

#include "avfs-storage.h"

G_BEGIN_DECLS

/* The last collection a transaction used and the engine's handle for it (a DBI, a
 * column family, a tree): a transaction mostly writes to one collection, and comparing
 * its name costs less than a locked lookup. Zero-initialised means empty. */
typedef struct
{
  char name[AVFS_STORAGE_MAX_COLLECTION_LEN + 1];
  gpointer handle;
} AvfsCollectionCache;

/* Returns the cached handle if @collection is the cached one, else %NULL. */
static inline gpointer
avfs_collection_cache_get (const AvfsCollectionCache *cache,
                           const char                *collection)
{
  if (cache->handle != NULL && strcmp (cache->name, collection) == 0)
    return cache->handle;
  return NULL;
}

void     avfs_collection_cache_set          (AvfsCollectionCache *cache,
                                             const char          *collection,
                                             gpointer             handle);

gboolean avfs_storage_check_collection      (const char    *collection,
                                             GError       **error);
gboolean avfs_storage_check_key             (const guint8  *key,
                                             gsize          key_len,
                                             GError       **error);
gboolean avfs_storage_check_value           (const guint8  *value,
                                             gsize          value_len,
                                             GError       **error);
void     avfs_storage_set_unknown_collection (GError      **error,
                                             const char    *collection,
                                             const char    *path);
void     avfs_storage_set_closed_error      (GError      **error,
                                             const char    *engine,
                                             const char    *path);
void     avfs_storage_set_engine_error      (GError      **error,
                                             AvfsError      code,
                                             const char    *store,
                                             const char    *action,
                                             const char    *path,
                                             const char    *detail);
char   **avfs_storage_sorted_names          (GHashTable    *collections);

/* Byte order: memcmp over the common length, then the shorter key first. This is the
 * order of SQLite BLOBs, LMDB's default comparator and RocksDB's bytewise comparator.
 * Inline: the memory engine's trees call it a score of times per lookup. */
static inline int
avfs_storage_key_compare (const guint8 *a,
                          gsize         a_len,
                          const guint8 *b,
                          gsize         b_len)
{
  int cmp = memcmp (a, b, MIN (a_len, b_len));

  if (cmp != 0)
    return cmp;
  return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

guint8  *avfs_storage_prefix_end            (const guint8  *prefix,
                                             gsize          prefix_len,
                                             gsize         *end_len);
guint64  avfs_storage_disk_usage            (const char    *path);

/* Engine options (the [backend.NAME] tables of config.toml), as string → string, read
 * by the table of avfs-storage-options.c: each gives the option's fallback when unset,
 * and an error naming the engine, option and accepted values when invalid. */
gboolean avfs_storage_options_check_keys    (GHashTable    *options,
                                             const char    *engine,
                                             GError       **error);
gboolean avfs_storage_options_get_uint64    (GHashTable    *options,
                                             const char    *engine,
                                             const char    *name,
                                             guint64       *out,
                                             GError       **error);
gboolean avfs_storage_options_get_boolean   (GHashTable    *options,
                                             const char    *engine,
                                             const char    *name,
                                             gboolean      *out,
                                             GError       **error);
gboolean avfs_storage_options_get_choice    (GHashTable    *options,
                                             const char    *engine,
                                             const char    *name,
                                             const char   **out,
                                             GError       **error);

G_END_DECLS
