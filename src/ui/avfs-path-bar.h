/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsPathBar: the breadcrumbs of the folder shown, one button per path component. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AVFS_TYPE_PATH_BAR (avfs_path_bar_get_type ())
G_DECLARE_FINAL_TYPE (AvfsPathBar, avfs_path_bar, AVFS, PATH_BAR, GtkWidget)

GtkWidget  *avfs_path_bar_new            (void);
void        avfs_path_bar_set_path       (AvfsPathBar  *self,
                                          const char   *path);
const char *avfs_path_bar_get_path       (AvfsPathBar  *self);
void        avfs_path_bar_set_root_label (AvfsPathBar  *self,
                                          const char   *label);

G_END_DECLS
