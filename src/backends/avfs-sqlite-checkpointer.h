/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSqliteCheckpointer: moves an SQLite store's WAL into its file on a thread of its own. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _AvfsSqliteCheckpointer AvfsSqliteCheckpointer;

AvfsSqliteCheckpointer *avfs_sqlite_checkpointer_new  (sqlite3                *writer,
                                                       const char             *path,
                                                       const char             *synchronous);
void                    avfs_sqlite_checkpointer_wait (AvfsSqliteCheckpointer *self);
void                    avfs_sqlite_checkpointer_free (AvfsSqliteCheckpointer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSqliteCheckpointer, avfs_sqlite_checkpointer_free)

G_END_DECLS
