/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDirectoryModel: the entries of one vault directory as a GListModel of
 * AvfsFileItem, listed in the background and filled in batches. */
#pragma once

#include <gio/gio.h>

#include "avfs-file-item.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

#define AVFS_DIRECTORY_MODEL_BATCH_SIZE 500
/* The first rows come in pages of this many, up to AVFS_DIRECTORY_MODEL_FIRST_ROWS:
 * a list view builds the widgets of up to 200 rows as soon as they exist (GTK 4.8),
 * and small pages spread that work over several frames. */
#define AVFS_DIRECTORY_MODEL_FIRST_PAGE_SIZE 25
#define AVFS_DIRECTORY_MODEL_FIRST_ROWS 250

#define AVFS_TYPE_DIRECTORY_MODEL (avfs_directory_model_get_type ())
G_DECLARE_FINAL_TYPE (AvfsDirectoryModel, avfs_directory_model, AVFS, DIRECTORY_MODEL, GObject)

AvfsDirectoryModel *avfs_directory_model_new         (void);
void                avfs_directory_model_load        (AvfsDirectoryModel  *self,
                                                      AvfsVault           *vault,
                                                      const char          *path);
void                avfs_directory_model_reload      (AvfsDirectoryModel  *self);
AvfsVault          *avfs_directory_model_get_vault   (AvfsDirectoryModel  *self);
const char         *avfs_directory_model_get_path    (AvfsDirectoryModel  *self);
gboolean            avfs_directory_model_get_loading (AvfsDirectoryModel  *self);
const GError       *avfs_directory_model_get_error   (AvfsDirectoryModel  *self);
AvfsFileItem       *avfs_directory_model_lookup      (AvfsDirectoryModel  *self,
                                                      const char          *name);

G_END_DECLS
