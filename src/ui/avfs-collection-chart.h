/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsCollectionChart: a horizontal bar chart of the keys and bytes of each collection. */
#pragma once

#include <gtk/gtk.h>

#include "avfs-storage-stats.h"

G_BEGIN_DECLS

#define AVFS_TYPE_COLLECTION_CHART (avfs_collection_chart_get_type ())
G_DECLARE_FINAL_TYPE (AvfsCollectionChart, avfs_collection_chart, AVFS, COLLECTION_CHART, GtkWidget)

GtkWidget *avfs_collection_chart_new             (void);
void       avfs_collection_chart_set_collections (AvfsCollectionChart *self,
                                                  GPtrArray           *collections);
guint      avfs_collection_chart_get_n_bars      (AvfsCollectionChart *self);

G_END_DECLS
