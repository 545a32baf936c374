/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsMigrateWizard: moves the window's vault to another storage engine, step by step. */
#pragma once

#include <adwaita.h>

#include "avfs-vault-migrate.h"
#include "avfs-window.h"

G_BEGIN_DECLS

#define AVFS_TYPE_MIGRATE_WIZARD (avfs_migrate_wizard_get_type ())
G_DECLARE_FINAL_TYPE (AvfsMigrateWizard, avfs_migrate_wizard, AVFS, MIGRATE_WIZARD, AdwWindow)

AvfsMigrateWizard       *avfs_migrate_wizard_new               (AvfsWindow        *window,
                                                                AvfsRegistry      *registry,
                                                                const char        *name);
const char              *avfs_migrate_wizard_get_page          (AvfsMigrateWizard *self);
GtkWidget               *avfs_migrate_wizard_get_engine_row    (AvfsMigrateWizard *self,
                                                                const char        *engine);
gboolean                 avfs_migrate_wizard_select_engine     (AvfsMigrateWizard *self,
                                                                const char        *engine);
void                     avfs_migrate_wizard_set_keep_original (AvfsMigrateWizard *self,
                                                                gboolean           keep);
void                     avfs_migrate_wizard_set_dry_run       (AvfsMigrateWizard *self,
                                                                gboolean           dry_run);
void                     avfs_migrate_wizard_set_output        (AvfsMigrateWizard *self,
                                                                const char        *path);
gboolean                 avfs_migrate_wizard_can_go_next       (AvfsMigrateWizard *self);
const char              *avfs_migrate_wizard_get_message       (AvfsMigrateWizard *self);
const AvfsMigratePlan   *avfs_migrate_wizard_get_plan          (AvfsMigrateWizard *self);
const AvfsMigrateResult *avfs_migrate_wizard_get_result        (AvfsMigrateWizard *self);

G_END_DECLS
