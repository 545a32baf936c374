/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageMemory: the memory storage engine. */
#pragma once

#include "avfs-storage.h"

G_BEGIN_DECLS

#define AVFS_TYPE_STORAGE_MEMORY (avfs_storage_memory_get_type ())
G_DECLARE_FINAL_TYPE (AvfsStorageMemory, avfs_storage_memory, AVFS, STORAGE_MEMORY, GObject)

AvfsStorage *avfs_storage_memory_open (const char     *path,
                                  GHashTable     *options,
                                  AvfsStoreMode   mode,
                                  GError        **error);

G_END_DECLS
