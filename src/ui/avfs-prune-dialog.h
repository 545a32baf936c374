/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsPruneDialog: which old versions to prune, with a preview of what would go. */
#pragma once

#include <adwaita.h>

#include "avfs-vault-maintenance.h"

G_BEGIN_DECLS

#define AVFS_PRUNE_DIALOG_PRUNE "prune"

#define AVFS_TYPE_PRUNE_DIALOG (avfs_prune_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AvfsPruneDialog, avfs_prune_dialog, AVFS, PRUNE_DIALOG, AdwMessageDialog)

AvfsPruneDialog       *avfs_prune_dialog_new                (GtkWindow       *parent,
                                                             AvfsVault       *vault);
void                   avfs_prune_dialog_set_limits         (AvfsPruneDialog *self,
                                                             guint            keep,
                                                             guint            older_than_days);
guint                  avfs_prune_dialog_get_keep           (AvfsPruneDialog *self);
guint                  avfs_prune_dialog_get_older_than     (AvfsPruneDialog *self);
const AvfsPruneReport *avfs_prune_dialog_get_preview        (AvfsPruneDialog *self);
gboolean               avfs_prune_dialog_is_previewing      (AvfsPruneDialog *self);

G_END_DECLS
