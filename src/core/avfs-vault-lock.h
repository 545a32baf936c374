/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which avfs processes have a vault open: a shared lock each, an exclusive one to migrate. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AvfsVaultLock AvfsVaultLock;

AvfsVaultLock *avfs_vault_lock_acquire        (const char     *path,
                                               GError        **error);
gboolean       avfs_vault_lock_make_exclusive (AvfsVaultLock  *lock,
                                               GError        **error);
AvfsVaultLock *avfs_vault_lock_ref            (AvfsVaultLock  *lock);
void           avfs_vault_lock_unref          (AvfsVaultLock  *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsVaultLock, avfs_vault_lock_unref)

G_END_DECLS
