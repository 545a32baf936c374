/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A vault's quotas and its audit log (every mutation: operation, path, details, time). */
#pragma once

#include "avfs-vault.h"

G_BEGIN_DECLS

/**
 * AvfsQuota:
 * @max_size_mb: the current content of all files, in MiB
 * @max_files: the number of files (directories are not counted)
 * @max_file_size_mb: the size of any one file, in MiB
 *
 * A vault's limits; 0 means no limit. Each has a name of the same spelling for
 * avfs_vault_quota_set() and avfs_vault_quota_clear().
 */
typedef struct
{
  guint64 max_size_mb;
  guint64 max_files;
  guint64 max_file_size_mb;
} AvfsQuota;

/* The largest quota value: a limit in MiB must still be countable in bytes. */
#define AVFS_QUOTA_MAX_VALUE (G_MAXUINT64 >> 20)

/**
 * AvfsAuditEntry:
 * @time_us: when, microseconds since the epoch (UTC)
 * @op: the operation: `write`, `append`, `touch`, `mkdir`, `rm`, `rmdir`, `mv`, `cp`,
 *   `tag`, `untag`, `meta-set`, `meta-delete`, `quota-set`, `quota-clear`,
 *   `audit-clear`, `audit-max-entries`, …
 * @path: the path it changed; `""` for what concerns the whole vault
 * @details_json: a JSON object with the particulars (`{}` when there are none)
 */
typedef struct
{
  gint64 time_us;
  char *op;
  char *path;
  char *details_json;
} AvfsAuditEntry;

#define AVFS_TYPE_AUDIT_ENTRY (avfs_audit_entry_get_type ())

GType           avfs_audit_entry_get_type (void) G_GNUC_CONST;
AvfsAuditEntry *avfs_audit_entry_copy     (const AvfsAuditEntry *self);
void            avfs_audit_entry_free     (AvfsAuditEntry       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsAuditEntry, avfs_audit_entry_free)

/* The audit log keeps this many entries unless told otherwise, and at most the limit. */
#define AVFS_AUDIT_DEFAULT_MAX_ENTRIES 100000
#define AVFS_AUDIT_MAX_MAX_ENTRIES 100000000

gboolean   avfs_vault_quota_get             (AvfsVault   *self,
                                             AvfsQuota   *quota,
                                             GError     **error);
gboolean   avfs_vault_quota_set             (AvfsVault   *self,
                                             const char  *name,
                                             guint64      value,
                                             GError     **error);
gboolean   avfs_vault_quota_clear           (AvfsVault   *self,
                                             const char  *name,
                                             GError     **error);

GPtrArray *avfs_vault_audit_query           (AvfsVault   *self,
                                             guint        limit,
                                             gint64       since_us,
                                             GError     **error);
gboolean   avfs_vault_audit_clear           (AvfsVault   *self,
                                             GError     **error);
gboolean   avfs_vault_audit_get_max_entries (AvfsVault   *self,
                                             guint64     *max_entries,
                                             GError     **error);
gboolean   avfs_vault_audit_set_max_entries (AvfsVault   *self,
                                             guint64      max_entries,
                                             GError     **error);

G_END_DECLS
