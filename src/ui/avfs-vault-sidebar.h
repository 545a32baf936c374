/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsVaultSidebar: the vaults of the registry, with their engine and size. */
#pragma once

#include <adwaita.h>

#include "avfs-registry.h"

G_BEGIN_DECLS

#define AVFS_TYPE_VAULT_SIDEBAR (avfs_vault_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (AvfsVaultSidebar, avfs_vault_sidebar, AVFS, VAULT_SIDEBAR, GtkWidget)

void                  avfs_vault_sidebar_set_registry (AvfsVaultSidebar  *self,
                                                       AvfsRegistry      *registry);
void                  avfs_vault_sidebar_reload       (AvfsVaultSidebar  *self);
void                  avfs_vault_sidebar_select       (AvfsVaultSidebar  *self,
                                                       const char        *name);
guint                 avfs_vault_sidebar_get_n_vaults (AvfsVaultSidebar  *self);
const AvfsVaultEntry *avfs_vault_sidebar_get_entry    (AvfsVaultSidebar  *self,
                                                       guint              index);
gboolean              avfs_vault_sidebar_is_loading   (AvfsVaultSidebar  *self);

G_END_DECLS
