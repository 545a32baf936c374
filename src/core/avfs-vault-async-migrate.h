/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Migration between engines, asynchronously: the plan for a review page, the migration
 * of a vault by name, and of an open vault (see avfs-vault-async.h for what every
 * `_async` call promises; these stop at the next record when cancelled). */
#pragma once

#include "avfs-vault-migrate.h"

G_BEGIN_DECLS

void               avfs_registry_plan_migration_async  (AvfsRegistry         *self,
                                                        const char           *name,
                                                        const char           *engine,
                                                        const char           *output,
                                                        AvfsMigrateFlags      flags,
                                                        AvfsProgressFunc      progress,
                                                        gpointer              progress_data,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
AvfsMigratePlan   *avfs_registry_plan_migration_finish (AvfsRegistry         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void               avfs_registry_migrate_async         (AvfsRegistry         *self,
                                                        const char           *name,
                                                        const char           *engine,
                                                        const char           *output,
                                                        AvfsMigrateFlags      flags,
                                                        AvfsProgressFunc      progress,
                                                        gpointer              progress_data,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
AvfsMigrateResult *avfs_registry_migrate_finish        (AvfsRegistry         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void               avfs_vault_migrate_to_async         (AvfsVault            *self,
                                                        const char           *engine,
                                                        const char           *path,
                                                        GHashTable           *backend_options,
                                                        AvfsProgressFunc      progress,
                                                        gpointer              progress_data,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
AvfsVault         *avfs_vault_migrate_to_finish        (AvfsVault            *self,
                                                        GAsyncResult         *result,
                                                        AvfsMigrateResult   **migrate_result,
                                                        GError              **error);

G_END_DECLS
