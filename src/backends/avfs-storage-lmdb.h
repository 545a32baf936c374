/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageLmdb: the lmdb storage engine. */
#pragma once

#include "avfs-storage.h"

G_BEGIN_DECLS

#define AVFS_TYPE_STORAGE_LMDB (avfs_storage_lmdb_get_type ())
G_DECLARE_FINAL_TYPE (AvfsStorageLmdb, avfs_storage_lmdb, AVFS, STORAGE_LMDB, GObject)

AvfsStorage *avfs_storage_lmdb_open (const char     *path,
                                  GHashTable     *options,
                                  AvfsStoreMode   mode,
                                  GError        **error);

G_END_DECLS
