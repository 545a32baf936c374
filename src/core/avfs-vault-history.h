/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A file's history: its versions, diffs between versions, checkout and revert. */
#pragma once

#include "avfs-vault.h"

G_BEGIN_DECLS

/**
 * AvfsVersionInfo:
 * @number: the version number (numbers only grow; `prune` may leave gaps)
 * @size: content bytes
 * @time_us: when it was made, microseconds since the epoch (UTC)
 * @op: what made it: `write`, `append`, `copy`, `checkout`, `revert`, `restore`, …
 * @is_current: whether it is the file's current content
 */
typedef struct
{
  guint32 number;
  guint64 size;
  gint64 time_us;
  char *op;
  gboolean is_current;
} AvfsVersionInfo;

#define AVFS_TYPE_VERSION_INFO (avfs_version_info_get_type ())

GType            avfs_version_info_get_type (void) G_GNUC_CONST;
AvfsVersionInfo *avfs_version_info_copy     (const AvfsVersionInfo *self);
void             avfs_version_info_free     (AvfsVersionInfo       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsVersionInfo, avfs_version_info_free)

/* A text diff reads both versions into memory; larger ones are refused. */
#define AVFS_VAULT_DIFF_MAX_SIZE (64 * 1024 * 1024)

GPtrArray *avfs_vault_log      (AvfsVault   *self,
                                const char  *path,
                                guint        limit,
                                GError     **error);
char      *avfs_vault_diff     (AvfsVault   *self,
                                const char  *path_a,
                                guint32      version_a,
                                const char  *path_b,
                                guint32      version_b,
                                GError     **error);
guint32    avfs_vault_checkout (AvfsVault   *self,
                                const char  *path,
                                guint32      version,
                                GError     **error);
guint32    avfs_vault_revert   (AvfsVault   *self,
                                const char  *path,
                                GError     **error);

G_END_DECLS
