/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageSqlite: the sqlite storage engine. */
#pragma once

#include "avfs-storage.h"

G_BEGIN_DECLS

#define AVFS_TYPE_STORAGE_SQLITE (avfs_storage_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (AvfsStorageSqlite, avfs_storage_sqlite, AVFS, STORAGE_SQLITE, GObject)

AvfsStorage *avfs_storage_sqlite_open (const char  *path,
                                  GHashTable  *options,
                                  gboolean     create,
                                  GError     **error);

G_END_DECLS
