/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault registry, asynchronously: creating, listing, opening and deleting vaults on a
 * worker thread (see avfs-vault-async.h for what every `_async` call promises). */
#pragma once

#include "avfs-registry.h"

G_BEGIN_DECLS

void            avfs_registry_create_async       (AvfsRegistry         *self,
                                                  const char           *name,
                                                  const char           *engine,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
AvfsVault      *avfs_registry_create_finish      (AvfsRegistry         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void            avfs_registry_open_async         (AvfsRegistry         *self,
                                                  const char           *name_or_path,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
AvfsVault      *avfs_registry_open_finish        (AvfsRegistry         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void            avfs_registry_list_async         (AvfsRegistry         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray      *avfs_registry_list_finish        (AvfsRegistry         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void            avfs_registry_info_async         (AvfsRegistry         *self,
                                                  const char           *name,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
AvfsVaultEntry *avfs_registry_info_finish        (AvfsRegistry         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void            avfs_registry_set_current_async  (AvfsRegistry         *self,
                                                  const char           *name,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean        avfs_registry_set_current_finish (AvfsRegistry         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void            avfs_registry_delete_async       (AvfsRegistry         *self,
                                                  const char           *name,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean        avfs_registry_delete_finish      (AvfsRegistry         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
