/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeping a vault healthy, asynchronously: gc, prune, stats, verify and compact (see
 * avfs-vault-async.h for what every `_async` call promises). */
#pragma once

#include "avfs-vault-maintenance.h"

G_BEGIN_DECLS

void                 avfs_vault_gc_async       (AvfsVault            *self,
                                                gboolean              dry_run,
                                                AvfsProgressFunc      progress,
                                                gpointer              progress_data,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean             avfs_vault_gc_finish      (AvfsVault            *self,
                                                GAsyncResult         *result,
                                                AvfsGcReport         *report,
                                                GError              **error);
void                 avfs_vault_prune_async    (AvfsVault            *self,
                                                guint                 keep,
                                                guint                 older_than_days,
                                                gboolean              dry_run,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
AvfsPruneReport     *avfs_vault_prune_finish   (AvfsVault            *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void                 avfs_vault_stats_async    (AvfsVault            *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
AvfsVaultStats      *avfs_vault_stats_finish   (AvfsVault            *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void                 avfs_vault_verify_async   (AvfsVault            *self,
                                                AvfsProgressFunc      progress,
                                                gpointer              progress_data,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
AvfsVerifyReport    *avfs_vault_verify_finish  (AvfsVault            *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void                 avfs_vault_compact_async  (AvfsVault            *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
AvfsCompactionStats *avfs_vault_compact_finish (AvfsVault            *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
