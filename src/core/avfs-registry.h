/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsRegistry: the vaults under ~/.avfs (or $AVFS_HOME), the current one, config.toml. */
#pragma once

#include "avfs-vault.h"

G_BEGIN_DECLS

#define AVFS_TYPE_REGISTRY (avfs_registry_get_type ())
G_DECLARE_FINAL_TYPE (AvfsRegistry, avfs_registry, AVFS, REGISTRY, GObject)

#define AVFS_VAULT_NAME_MAX 64

/**
 * AvfsVaultEntry:
 * @name: the vault's name
 * @engine: its engine, from what is on disk
 * @path: its file or directory (%NULL for a memory vault)
 * @disk_bytes: bytes it occupies on disk
 * @is_current: whether it is the current vault (`vault use`)
 */
typedef struct
{
  char *name;
  char *engine;
  char *path;
  guint64 disk_bytes;
  gboolean is_current;
} AvfsVaultEntry;

#define AVFS_TYPE_VAULT_ENTRY (avfs_vault_entry_get_type ())

GType           avfs_vault_entry_get_type        (void) G_GNUC_CONST;
AvfsVaultEntry *avfs_vault_entry_copy            (const AvfsVaultEntry *self);
void            avfs_vault_entry_free            (AvfsVaultEntry       *self);

AvfsRegistry   *avfs_registry_new                (const char    *home,
                                                  GError       **error);
const char     *avfs_registry_get_home           (AvfsRegistry  *self);
gboolean        avfs_registry_reload_config      (AvfsRegistry  *self,
                                                  GError       **error);
char           *avfs_registry_dup_default_engine (AvfsRegistry  *self);
GHashTable     *avfs_registry_dup_backend_options (AvfsRegistry *self);
gboolean        avfs_registry_check_name         (const char    *name,
                                                  GError       **error);
char           *avfs_registry_path_for           (AvfsRegistry  *self,
                                                  const char    *name,
                                                  const char    *engine,
                                                  GError       **error);
char           *avfs_registry_find               (AvfsRegistry  *self,
                                                  const char    *name_or_path,
                                                  GError       **error);
AvfsVault      *avfs_registry_create             (AvfsRegistry  *self,
                                                  const char    *name,
                                                  const char    *engine,
                                                  GError       **error);
AvfsVault      *avfs_registry_open               (AvfsRegistry  *self,
                                                  const char    *name_or_path,
                                                  GError       **error);
AvfsVault      *avfs_registry_open_to_read       (AvfsRegistry  *self,
                                                  const char    *name_or_path,
                                                  GError       **error);
GPtrArray      *avfs_registry_list               (AvfsRegistry  *self,
                                                  GError       **error);
AvfsVaultEntry *avfs_registry_info               (AvfsRegistry  *self,
                                                  const char    *name,
                                                  GError       **error);
char           *avfs_registry_get_current        (AvfsRegistry  *self);
gboolean        avfs_registry_set_current        (AvfsRegistry  *self,
                                                  const char    *name,
                                                  GError       **error);
gboolean        avfs_registry_delete             (AvfsRegistry  *self,
                                                  const char    *name,
                                                  GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsVaultEntry, avfs_vault_entry_free)

G_END_DECLS
