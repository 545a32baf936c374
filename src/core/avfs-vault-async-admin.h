/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quotas and the audit log, asynchronously (see avfs-vault-async.h for what every
 * `_async` call promises). */
#pragma once

#include "avfs-vault-admin.h"

G_BEGIN_DECLS

void       avfs_vault_quota_get_async              (AvfsVault            *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean   avfs_vault_quota_get_finish             (AvfsVault            *self,
                                                    GAsyncResult         *result,
                                                    AvfsQuota            *quota,
                                                    GError              **error);
void       avfs_vault_quota_set_async              (AvfsVault            *self,
                                                    const char           *name,
                                                    guint64               value,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean   avfs_vault_quota_set_finish             (AvfsVault            *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void       avfs_vault_quota_clear_async            (AvfsVault            *self,
                                                    const char           *name,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean   avfs_vault_quota_clear_finish           (AvfsVault            *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

void       avfs_vault_audit_query_async            (AvfsVault            *self,
                                                    guint                 limit,
                                                    gint64                since_us,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GPtrArray *avfs_vault_audit_query_finish           (AvfsVault            *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void       avfs_vault_audit_clear_async            (AvfsVault            *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean   avfs_vault_audit_clear_finish           (AvfsVault            *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void       avfs_vault_audit_get_max_entries_async  (AvfsVault            *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean   avfs_vault_audit_get_max_entries_finish (AvfsVault            *self,
                                                    GAsyncResult         *result,
                                                    guint64              *max_entries,
                                                    GError              **error);
void       avfs_vault_audit_set_max_entries_async  (AvfsVault            *self,
                                                    guint64               max_entries,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean   avfs_vault_audit_set_max_entries_finish (AvfsVault            *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
