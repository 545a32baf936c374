/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import and export, asynchronously and with progress (see avfs-vault-async.h for what
 * every `_async` call promises). */
#pragma once

#include "avfs-vault-transfer.h"

G_BEGIN_DECLS

void     avfs_vault_import_async  (AvfsVault            *self,
                                   const char           *host_path,
                                   const char           *vault_path,
                                   AvfsImportFlags       flags,
                                   AvfsProgressFunc      progress,
                                   gpointer              progress_data,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean avfs_vault_import_finish (AvfsVault            *self,
                                   GAsyncResult         *result,
                                   AvfsTransferReport   *report,
                                   GError              **error);
void     avfs_vault_export_async  (AvfsVault            *self,
                                   const char           *vault_path,
                                   const char           *host_path,
                                   AvfsExportFlags       flags,
                                   AvfsProgressFunc      progress,
                                   gpointer              progress_data,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean avfs_vault_export_finish (AvfsVault            *self,
                                   GAsyncResult         *result,
                                   AvfsTransferReport   *report,
                                   GError              **error);

G_END_DECLS
