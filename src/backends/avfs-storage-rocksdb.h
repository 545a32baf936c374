/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageRocksdb: the rocksdb storage engine. */
#pragma once

#include "avfs-storage.h"

G_BEGIN_DECLS

#define AVFS_TYPE_STORAGE_ROCKSDB (avfs_storage_rocksdb_get_type ())
G_DECLARE_FINAL_TYPE (AvfsStorageRocksdb, avfs_storage_rocksdb, AVFS, STORAGE_ROCKSDB, GObject)

AvfsStorage *avfs_storage_rocksdb_open (const char     *path,
                                  GHashTable     *options,
                                  AvfsStoreMode   mode,
                                  GError        **error);
char        *avfs_storage_rocksdb_get_log_dir (const char *path);

G_END_DECLS
