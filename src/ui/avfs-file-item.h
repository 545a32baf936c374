/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsFileItem: one file or directory of a listing, as a GObject for list models. */
#pragma once

#include <gio/gio.h>

#include "avfs-vault.h"

G_BEGIN_DECLS

#define AVFS_TYPE_FILE_ITEM (avfs_file_item_get_type ())
G_DECLARE_FINAL_TYPE (AvfsFileItem, avfs_file_item, AVFS, FILE_ITEM, GObject)

AvfsFileItem       *avfs_file_item_new             (AvfsFileInfo  *info);
const AvfsFileInfo *avfs_file_item_get_info        (AvfsFileItem  *self);
const char         *avfs_file_item_get_name        (AvfsFileItem  *self);
const char         *avfs_file_item_get_path        (AvfsFileItem  *self);
gboolean            avfs_file_item_is_directory    (AvfsFileItem  *self);
GIcon              *avfs_file_item_get_icon        (AvfsFileItem  *self);
const char         *avfs_file_item_get_sort_key    (AvfsFileItem  *self);
const char         *avfs_file_item_get_tags        (AvfsFileItem  *self);
void                avfs_file_item_load_tags       (AvfsFileItem  *self,
                                                    AvfsVault     *vault);

G_END_DECLS
