/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The asynchronous vault API: each call runs the synchronous one on a worker thread and
 * calls back on the caller's main context. The desktop app uses only these. This header
 * has a vault's lifecycle, tree and content; avfs-vault-async-TOPIC.h the other topics,
 * avfs-registry-async.h the registry.
 *
 * Every `_async` call keeps its object alive and copies its arguments. Its callback runs
 * on the thread-default main context of the caller, where progress (for the calls that
 * take an #AvfsProgressFunc) arrives too, never after the callback. A cancellable
 * cancelled before the worker starts stops the call with %G_IO_ERROR_CANCELLED and
 * nothing done; once started, only the operations that take a cancellable in their
 * synchronous form stop, and a result always says what really happened. */
#pragma once

#include "avfs-progress.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

void          avfs_vault_create_async                 (const char               *engine,
                                                       const char               *path,
                                                       GHashTable               *backend_options,
                                                       const AvfsVaultSettings  *settings,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
AvfsVault    *avfs_vault_create_finish                (GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_open_async                   (const char               *path,
                                                       GHashTable               *backend_options,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
AvfsVault    *avfs_vault_open_finish                  (GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_close_async                  (AvfsVault                *self,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean      avfs_vault_close_finish                 (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_set_compression_level_async  (AvfsVault                *self,
                                                       gint                      level,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean      avfs_vault_set_compression_level_finish (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);

void          avfs_vault_stat_async                   (AvfsVault                *self,
                                                       const char               *path,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
AvfsFileInfo *avfs_vault_stat_finish                  (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_list_async                   (AvfsVault                *self,
                                                       const char               *path,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
GPtrArray    *avfs_vault_list_finish                  (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_list_page_async              (AvfsVault                *self,
                                                       const char               *path,
                                                       const char               *after,
                                                       guint                     limit,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
GPtrArray    *avfs_vault_list_page_finish             (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_mkdir_async                  (AvfsVault                *self,
                                                       const char               *path,
                                                       gboolean                  parents,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean      avfs_vault_mkdir_finish                 (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_remove_async                 (AvfsVault                *self,
                                                       const char               *path,
                                                       gboolean                  recursive,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean      avfs_vault_remove_finish                (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_move_async                   (AvfsVault                *self,
                                                       const char               *from,
                                                       const char               *to,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
char         *avfs_vault_move_finish                  (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_copy_async                   (AvfsVault                *self,
                                                       const char               *from,
                                                       const char               *to,
                                                       gboolean                  recursive,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
char         *avfs_vault_copy_finish                  (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);

void          avfs_vault_touch_async                  (AvfsVault                *self,
                                                       const char               *path,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean      avfs_vault_touch_finish                 (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_read_async                   (AvfsVault                *self,
                                                       const char               *path,
                                                       guint32                   version,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
GBytes       *avfs_vault_read_finish                  (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_read_head_async              (AvfsVault                *self,
                                                       const char               *path,
                                                       guint32                   version,
                                                       gsize                     max_bytes,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
GBytes       *avfs_vault_read_head_finish             (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void          avfs_vault_write_async                  (AvfsVault                *self,
                                                       const char               *path,
                                                       GBytes                   *content,
                                                       AvfsWriteFlags            flags,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
guint32       avfs_vault_write_finish                 (AvfsVault                *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);

G_END_DECLS
