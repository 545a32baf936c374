/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailPane: everything about one file or directory — preview, tags, metadata and
 * version history. */
#pragma once

#include <gtk/gtk.h>

#include "avfs-vault.h"

G_BEGIN_DECLS

/* Files up to this size are read for a preview; larger ones are described, not read. */
#define AVFS_DETAIL_PANE_PREVIEW_MAX_SIZE (16 * 1024 * 1024)

#define AVFS_TYPE_DETAIL_PANE (avfs_detail_pane_get_type ())
G_DECLARE_FINAL_TYPE (AvfsDetailPane, avfs_detail_pane, AVFS, DETAIL_PANE, GtkWidget)

AvfsDetailPane *avfs_detail_pane_new      (void);
void            avfs_detail_pane_set_file (AvfsDetailPane *self,
                                           AvfsVault      *vault,
                                           const char     *path);

G_END_DECLS
