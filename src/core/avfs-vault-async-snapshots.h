/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Snapshots, asynchronously (see avfs-vault-async.h for what every `_async` call
 * promises). */
#pragma once

#include "avfs-vault-snapshots.h"

G_BEGIN_DECLS

void              avfs_vault_snapshot_save_async     (AvfsVault            *self,
                                                      const char           *name,
                                                      const char           *description,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean          avfs_vault_snapshot_save_finish    (AvfsVault            *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void              avfs_vault_snapshot_list_async     (AvfsVault            *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GPtrArray        *avfs_vault_snapshot_list_finish    (AvfsVault            *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void              avfs_vault_snapshot_info_async     (AvfsVault            *self,
                                                      const char           *name,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
AvfsSnapshotInfo *avfs_vault_snapshot_info_finish    (AvfsVault            *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void              avfs_vault_snapshot_delete_async   (AvfsVault            *self,
                                                      const char           *name,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean          avfs_vault_snapshot_delete_finish  (AvfsVault            *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void              avfs_vault_snapshot_restore_async  (AvfsVault            *self,
                                                      const char           *name,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean          avfs_vault_snapshot_restore_finish (AvfsVault            *self,
                                                      GAsyncResult         *result,
                                                      char                **undo_name,
                                                      GError              **error);

G_END_DECLS
