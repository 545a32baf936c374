/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageSqlite: the sqlite storage engine. */
#pragma once

#include <sqlite3.h>

#include "avfs-storage.h"
#include "avfs-transaction.h"

G_BEGIN_DECLS

#define AVFS_TYPE_STORAGE_SQLITE (avfs_storage_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (AvfsStorageSqlite, avfs_storage_sqlite, AVFS, STORAGE_SQLITE, GObject)

AvfsStorage *avfs_storage_sqlite_open (const char     *path,
                                  GHashTable     *options,
                                  AvfsStoreMode   mode,
                                  GError        **error);

sqlite3     *avfs_storage_sqlite_transaction_get_db (AvfsTransaction    *tx);
sqlite3     *avfs_storage_sqlite_lend_reader        (AvfsStorageSqlite  *self,
                                                     GError            **error);
void         avfs_storage_sqlite_return_reader      (AvfsStorageSqlite  *self,
                                                     sqlite3            *db);

G_END_DECLS
