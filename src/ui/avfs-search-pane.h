/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchPane: full-text search of a vault as you type. */
#pragma once

#include <gtk/gtk.h>

#include "avfs-vault.h"

G_BEGIN_DECLS

/* Hits asked for at once; "Show more" asks for the next as many. */
#define AVFS_SEARCH_PANE_PAGE_SIZE 50

#define AVFS_TYPE_SEARCH_PANE (avfs_search_pane_get_type ())
G_DECLARE_FINAL_TYPE (AvfsSearchPane, avfs_search_pane, AVFS, SEARCH_PANE, GtkWidget)

AvfsSearchPane *avfs_search_pane_new       (void);
void            avfs_search_pane_set_vault (AvfsSearchPane *self,
                                            AvfsVault      *vault);
void            avfs_search_pane_focus     (AvfsSearchPane *self);

G_END_DECLS
