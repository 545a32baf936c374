/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStatsWindow: a vault's figures and the engine's, with compact, gc and prune. */
#pragma once

#include <adwaita.h>

#include "avfs-vault-maintenance.h"

G_BEGIN_DECLS

#define AVFS_TYPE_STATS_WINDOW (avfs_stats_window_get_type ())
G_DECLARE_FINAL_TYPE (AvfsStatsWindow, avfs_stats_window, AVFS, STATS_WINDOW, AdwWindow)

AvfsStatsWindow      *avfs_stats_window_new         (GtkWindow        *parent,
                                                     AvfsVault        *vault,
                                                     const char       *vault_name);
const AvfsVaultStats *avfs_stats_window_get_stats   (AvfsStatsWindow  *self);
gboolean              avfs_stats_window_is_busy     (AvfsStatsWindow  *self);
const char           *avfs_stats_window_get_outcome (AvfsStatsWindow  *self,
                                                     const char      **figures);

G_END_DECLS
