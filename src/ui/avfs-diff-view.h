/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDiffView: a unified diff, coloured for the light and the dark style. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AVFS_TYPE_DIFF_VIEW (avfs_diff_view_get_type ())
G_DECLARE_FINAL_TYPE (AvfsDiffView, avfs_diff_view, AVFS, DIFF_VIEW, GtkWidget)

GtkWidget *avfs_diff_view_new           (void);
void       avfs_diff_view_set_diff      (AvfsDiffView *self,
                                         const char   *diff);
guint      avfs_diff_view_get_n_added   (AvfsDiffView *self);
guint      avfs_diff_view_get_n_removed (AvfsDiffView *self);

G_END_DECLS
