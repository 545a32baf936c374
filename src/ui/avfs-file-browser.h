/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsFileBrowser: one folder of a vault in a sortable column view, with the file
 * operations (new, rename, move, copy, delete with undo, tag, export, import by drop). */
#pragma once

#include <adwaita.h>

#include "avfs-directory-model.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

#define AVFS_TYPE_FILE_BROWSER (avfs_file_browser_get_type ())
G_DECLARE_FINAL_TYPE (AvfsFileBrowser, avfs_file_browser, AVFS, FILE_BROWSER, GtkWidget)

GtkWidget          *avfs_file_browser_new                (void);
void                avfs_file_browser_set_vault          (AvfsFileBrowser  *self,
                                                          AvfsVault        *vault);
AvfsVault          *avfs_file_browser_get_vault          (AvfsFileBrowser  *self);
void                avfs_file_browser_set_path           (AvfsFileBrowser  *self,
                                                          const char       *path);
const char         *avfs_file_browser_get_path           (AvfsFileBrowser  *self);
void                avfs_file_browser_reveal             (AvfsFileBrowser  *self,
                                                          const char       *path);
const char         *avfs_file_browser_get_selected_path  (AvfsFileBrowser  *self);
gboolean            avfs_file_browser_select_name        (AvfsFileBrowser  *self,
                                                          const char       *name);
GListModel         *avfs_file_browser_get_shown_items    (AvfsFileBrowser  *self);
AvfsDirectoryModel *avfs_file_browser_get_directory      (AvfsFileBrowser  *self);
void                avfs_file_browser_sort_by            (AvfsFileBrowser  *self,
                                                          const char       *column,
                                                          gboolean          descending);
void                avfs_file_browser_export_selected    (AvfsFileBrowser  *self,
                                                          const char       *host_folder);
void                avfs_file_browser_add_actions        (AvfsFileBrowser  *self,
                                                          GActionMap       *map);
void                avfs_file_browser_commit_deletions   (AvfsFileBrowser  *self);
gboolean            avfs_file_browser_is_busy            (AvfsFileBrowser  *self);

G_END_DECLS
