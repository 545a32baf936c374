/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The engine registry: which engines exist, creating and opening stores, detection. */
#pragma once

#include "avfs-storage.h"

G_BEGIN_DECLS

/**
 * AvfsStorageOpenFunc:
 * @path: (nullable): where the store lives (ignored by memory)
 * @options: (nullable): this engine's options, option name → value text
 * @mode: create a store at @path, or open the one there (to read only, or not)
 * @error: return location for an error
 *
 * Returns: (transfer full): the opened store
 */
typedef AvfsStorage *(*AvfsStorageOpenFunc) (const char     *path,
                                             GHashTable     *options,
                                             AvfsStoreMode   mode,
                                             GError        **error);

/**
 * AvfsEngineInfo:
 * @name: the engine's name as users type it (`sqlite`, `lmdb`, …)
 * @extension: the vault's file or directory extension (`.avfs`, …), %NULL for memory
 * @is_directory: whether the store on disk is a directory
 * @search: the full-text engine paired with it
 * @best_for: the workload it suits (from the spec's table)
 * @trade_offs: what it costs (from the spec's table)
 * @available: whether this build can use it
 * @unavailable_reason: (nullable): why not, in the spec's words
 * @open: the engine's constructor, %NULL when unavailable
 */
typedef struct
{
  const char *name;
  const char *extension;
  gboolean is_directory;
  const char *search;
  const char *best_for;
  const char *trade_offs;
  gboolean available;
  const char *unavailable_reason;
  AvfsStorageOpenFunc open;
} AvfsEngineInfo;

#define AVFS_STORAGE_DEFAULT_ENGINE "sqlite"

const AvfsEngineInfo *avfs_storage_list_engines  (guint        *n_engines);
const AvfsEngineInfo *avfs_storage_lookup_engine (const char   *name,
                                                  GError      **error);
char                 *avfs_storage_detect_engine (const char   *path,
                                                  GError      **error);
AvfsStorage          *avfs_storage_create_store  (const char   *engine,
                                                  const char   *path,
                                                  GHashTable   *backend_options,
                                                  GError      **error);
AvfsStorage          *avfs_storage_open_store    (const char   *path,
                                                  GHashTable   *backend_options,
                                                  GError      **error);
AvfsStorage          *avfs_storage_open_store_to_read (const char   *path,
                                                       GHashTable   *backend_options,
                                                       GError      **error);
gboolean              avfs_storage_delete_store  (const char   *path,
                                                  GError      **error);

G_END_DECLS
