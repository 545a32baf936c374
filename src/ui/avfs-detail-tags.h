/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailTags: the tags and the key/value metadata of one file or directory. */
#pragma once

#include <gtk/gtk.h>

#include "avfs-vault.h"

G_BEGIN_DECLS

#define AVFS_TYPE_DETAIL_TAGS (avfs_detail_tags_get_type ())
G_DECLARE_FINAL_TYPE (AvfsDetailTags, avfs_detail_tags, AVFS, DETAIL_TAGS, GtkWidget)

GtkWidget *avfs_detail_tags_new      (void);
void       avfs_detail_tags_set_file (AvfsDetailTags *self,
                                      AvfsVault      *vault,
                                      const char     *path);

G_END_DECLS
