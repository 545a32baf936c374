/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A file's history, asynchronously: log, diff, checkout and revert on a worker thread
 * (see avfs-vault-async.h for what every `_async` call promises). */
#pragma once

#include "avfs-vault-history.h"

G_BEGIN_DECLS

void       avfs_vault_log_async       (AvfsVault            *self,
                                       const char           *path,
                                       guint                 limit,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
GPtrArray *avfs_vault_log_finish      (AvfsVault            *self,
                                       GAsyncResult         *result,
                                       GError              **error);
void       avfs_vault_diff_async      (AvfsVault            *self,
                                       const char           *path_a,
                                       guint32               version_a,
                                       const char           *path_b,
                                       guint32               version_b,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
char      *avfs_vault_diff_finish     (AvfsVault            *self,
                                       GAsyncResult         *result,
                                       GError              **error);
void       avfs_vault_checkout_async  (AvfsVault            *self,
                                       const char           *path,
                                       guint32               version,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
guint32    avfs_vault_checkout_finish (AvfsVault            *self,
                                       GAsyncResult         *result,
                                       GError              **error);
void       avfs_vault_revert_async    (AvfsVault            *self,
                                       const char           *path,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
guint32    avfs_vault_revert_finish   (AvfsVault            *self,
                                       GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
