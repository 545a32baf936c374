/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsTransferDialog: imports host files into a vault folder, or exports a vault item to
 * a host folder, asking first about names that exist, with progress, Cancel and a summary. */
#pragma once

#include <adwaita.h>

#include "avfs-vault-transfer.h"

G_BEGIN_DECLS

#define AVFS_TYPE_TRANSFER_DIALOG (avfs_transfer_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AvfsTransferDialog, avfs_transfer_dialog, AVFS, TRANSFER_DIALOG, AdwWindow)

void                      avfs_transfer_dialog_import     (GtkWindow           *parent,
                                                           AvfsVault           *vault,
                                                           GStrv                host_paths,
                                                           const char          *vault_folder,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
void                      avfs_transfer_dialog_export     (GtkWindow           *parent,
                                                           AvfsVault           *vault,
                                                           const char          *vault_path,
                                                           const char          *host_path,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean                  avfs_transfer_dialog_finish     (AvfsTransferDialog  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
const char               *avfs_transfer_dialog_get_page   (AvfsTransferDialog  *self);
const AvfsTransferReport *avfs_transfer_dialog_get_report (AvfsTransferDialog  *self);
void                      avfs_transfer_dialog_cancel     (AvfsTransferDialog  *self);

G_END_DECLS
