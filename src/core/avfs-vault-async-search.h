/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Search, asynchronously (see avfs-vault-async.h for what every `_async` call promises).
 * A search cancelled while it runs still finishes on its worker, but its callback gets
 * %G_IO_ERROR_CANCELLED: search-as-you-type cancels the previous query and ignores it. */
#pragma once

#include "avfs-vault-search.h"

G_BEGIN_DECLS

void               avfs_vault_search_async          (AvfsVault                *self,
                                                     const char               *query,
                                                     const AvfsSearchOptions  *options,
                                                     GCancellable             *cancellable,
                                                     GAsyncReadyCallback       callback,
                                                     gpointer                  user_data);
AvfsSearchResults *avfs_vault_search_finish         (AvfsVault                *self,
                                                     GAsyncResult             *result,
                                                     GError                  **error);
void               avfs_vault_search_rebuild_async  (AvfsVault                *self,
                                                     AvfsProgressFunc          progress,
                                                     gpointer                  progress_data,
                                                     GCancellable             *cancellable,
                                                     GAsyncReadyCallback       callback,
                                                     gpointer                  user_data);
gboolean           avfs_vault_search_rebuild_finish (AvfsVault                *self,
                                                     GAsyncResult             *result,
                                                     GError                  **error);

G_END_DECLS
