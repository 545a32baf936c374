/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsCreateVaultDialog: names a new vault and picks its storage engine. */
#pragma once

#include <adwaita.h>

#include "avfs-registry.h"

G_BEGIN_DECLS

#define AVFS_TYPE_CREATE_VAULT_DIALOG (avfs_create_vault_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AvfsCreateVaultDialog, avfs_create_vault_dialog, AVFS, CREATE_VAULT_DIALOG, AdwWindow)

AvfsCreateVaultDialog *avfs_create_vault_dialog_new         (GtkWindow              *parent,
                                                             AvfsRegistry           *registry);
GtkEditable           *avfs_create_vault_dialog_get_entry   (AvfsCreateVaultDialog  *self);
const char            *avfs_create_vault_dialog_get_problem (AvfsCreateVaultDialog  *self);
gboolean               avfs_create_vault_dialog_can_create  (AvfsCreateVaultDialog  *self);
GtkWidget             *avfs_create_vault_dialog_get_engine_row (AvfsCreateVaultDialog *self,
                                                             const char             *engine);
gboolean               avfs_create_vault_dialog_select_engine (AvfsCreateVaultDialog *self,
                                                             const char             *engine);
void                   avfs_create_vault_dialog_create      (AvfsCreateVaultDialog  *self);

G_END_DECLS
