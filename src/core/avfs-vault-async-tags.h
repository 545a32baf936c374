/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tags and metadata, asynchronously (see avfs-vault-async.h for what every `_async`
 * call promises). */
#pragma once

#include "avfs-vault-tags.h"

G_BEGIN_DECLS

void        avfs_vault_tag_add_async      (AvfsVault            *self,
                                           const char           *path,
                                           const char           *tag,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    avfs_vault_tag_add_finish     (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        avfs_vault_tag_remove_async   (AvfsVault            *self,
                                           const char           *path,
                                           const char           *tag,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    avfs_vault_tag_remove_finish  (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        avfs_vault_tags_list_async    (AvfsVault            *self,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char      **avfs_vault_tags_list_finish   (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        avfs_vault_tags_all_async     (AvfsVault            *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *avfs_vault_tags_all_finish    (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        avfs_vault_find_by_tag_async  (AvfsVault            *self,
                                           const char           *tag,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char      **avfs_vault_find_by_tag_finish (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void        avfs_vault_meta_set_async     (AvfsVault            *self,
                                           const char           *path,
                                           const char           *key,
                                           const char           *value,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    avfs_vault_meta_set_finish    (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        avfs_vault_meta_get_async     (AvfsVault            *self,
                                           const char           *path,
                                           const char           *key,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char       *avfs_vault_meta_get_finish    (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        avfs_vault_meta_delete_async  (AvfsVault            *self,
                                           const char           *path,
                                           const char           *key,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    avfs_vault_meta_delete_finish (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        avfs_vault_meta_list_async    (AvfsVault            *self,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *avfs_vault_meta_list_finish   (AvfsVault            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
