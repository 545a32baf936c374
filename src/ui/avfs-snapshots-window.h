/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSnapshotsWindow: a vault's snapshots, to save, restore and delete. */
#pragma once

#include <adwaita.h>

#include "avfs-vault.h"

G_BEGIN_DECLS

#define AVFS_TYPE_SNAPSHOTS_WINDOW (avfs_snapshots_window_get_type ())
G_DECLARE_FINAL_TYPE (AvfsSnapshotsWindow, avfs_snapshots_window, AVFS, SNAPSHOTS_WINDOW, AdwWindow)

AvfsSnapshotsWindow *avfs_snapshots_window_new         (GtkWindow           *parent,
                                                        AvfsVault           *vault,
                                                        const char          *vault_name);
GListModel          *avfs_snapshots_window_get_names   (AvfsSnapshotsWindow *self);
const char          *avfs_snapshots_window_get_problem (AvfsSnapshotsWindow *self);
gboolean             avfs_snapshots_window_is_busy     (AvfsSnapshotsWindow *self);

G_END_DECLS
