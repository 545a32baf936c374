/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailHistory: a file's versions, the differences between them, and restore. */
#pragma once

#include <gtk/gtk.h>

#include "avfs-vault.h"

G_BEGIN_DECLS

#define AVFS_TYPE_DETAIL_HISTORY (avfs_detail_history_get_type ())
G_DECLARE_FINAL_TYPE (AvfsDetailHistory, avfs_detail_history, AVFS, DETAIL_HISTORY, GtkWidget)

GtkWidget *avfs_detail_history_new            (void);
void       avfs_detail_history_set_file       (AvfsDetailHistory *self,
                                               AvfsVault         *vault,
                                               const char        *path);
guint      avfs_detail_history_get_n_versions (AvfsDetailHistory *self);

G_END_DECLS
