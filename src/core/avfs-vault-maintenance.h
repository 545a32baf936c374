/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeping a vault healthy: gc, prune, stats, verify and compact (verify lives in
 * avfs-vault-verify.c, the others in avfs-vault-maintenance.c). */
#pragma once

#include "avfs-progress.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

/**
 * AvfsGcReport:
 * @blobs_checked: stored chunks looked at
 * @blobs_removed: chunks nothing referenced, removed (or, in a dry run, removable)
 * @bytes_freed: their stored (compressed) bytes; the engine gives the space back to the
 *   system on avfs_vault_compact()
 */
typedef struct
{
  guint64 blobs_checked;
  guint64 blobs_removed;
  guint64 bytes_freed;
} AvfsGcReport;

/**
 * AvfsPrunedVersion:
 * @path: the file's path
 * @version: the version number
 * @size: its content bytes
 * @time_us: when it was written, microseconds since the epoch (UTC)
 */
typedef struct
{
  char *path;
  guint32 version;
  guint64 size;
  gint64 time_us;
} AvfsPrunedVersion;

/**
 * AvfsPruneReport:
 * @files_touched: files that lost versions (or would, in a dry run)
 * @versions_removed: versions removed (or that would be)
 * @versions: (element-type AvfsPrunedVersion): in a dry run, what would go, by path
 *   then version; empty otherwise
 *
 * Pruning removes version records only: run avfs_vault_gc() afterwards to free the
 * content nothing references any more.
 */
typedef struct
{
  guint64 files_touched;
  guint64 versions_removed;
  GPtrArray *versions;
} AvfsPruneReport;

/**
 * AvfsVaultStats:
 * @files: files in the tree
 * @directories: directories in the tree, `/` not counted
 * @versions: version records of every file
 * @snapshots: saved snapshots
 * @blobs: stored chunks
 * @logical_bytes: current content of every file
 * @versions_bytes: content of every version of every file
 * @raw_bytes: stored chunks once decoded (each distinct chunk counted once)
 * @stored_bytes: stored chunks as the engine holds them (compressed)
 * @dedup_ratio: @versions_bytes / @raw_bytes (1 when nothing is stored)
 * @compression_ratio: @raw_bytes / @stored_bytes (1 when nothing is stored)
 * @on_disk_bytes: what the vault takes on disk (0 for a memory vault)
 * @storage: the engine's own figures: per-collection keys and bytes, engine details
 */
typedef struct
{
  guint64 files;
  guint64 directories;
  guint64 versions;
  guint64 snapshots;
  guint64 blobs;
  guint64 logical_bytes;
  guint64 versions_bytes;
  guint64 raw_bytes;
  guint64 stored_bytes;
  gdouble dedup_ratio;
  gdouble compression_ratio;
  guint64 on_disk_bytes;
  AvfsStorageStats *storage;
} AvfsVaultStats;

/**
 * AvfsVerifyReport:
 * @problems: (element-type utf8): what is wrong, one sentence each, at most
 *   %AVFS_VERIFY_MAX_PROBLEMS of them; empty when the vault is sound
 * @n_problems: how many problems were found (may exceed the length of @problems)
 * @nodes: files and directories checked
 * @dirents: directory entries checked
 * @versions: version records checked
 * @snapshot_entries: snapshot entries checked
 * @blobs: stored chunks decoded and hashed
 * @tags: tag records checked (both directions)
 * @props: metadata records checked
 * @search_documents: documents of the search index compared with their files
 */
typedef struct
{
  GPtrArray *problems;
  guint64 n_problems;
  guint64 nodes;
  guint64 dirents;
  guint64 versions;
  guint64 snapshot_entries;
  guint64 blobs;
  guint64 tags;
  guint64 props;
  guint64 search_documents;
} AvfsVerifyReport;

#define AVFS_VERIFY_MAX_PROBLEMS 1000

#define AVFS_TYPE_PRUNE_REPORT (avfs_prune_report_get_type ())
#define AVFS_TYPE_VAULT_STATS (avfs_vault_stats_get_type ())
#define AVFS_TYPE_VERIFY_REPORT (avfs_verify_report_get_type ())

GType             avfs_prune_report_get_type  (void) G_GNUC_CONST;
AvfsPruneReport  *avfs_prune_report_copy      (const AvfsPruneReport  *self);
void              avfs_prune_report_free      (AvfsPruneReport        *self);
GType             avfs_vault_stats_get_type   (void) G_GNUC_CONST;
AvfsVaultStats   *avfs_vault_stats_copy       (const AvfsVaultStats   *self);
void              avfs_vault_stats_free       (AvfsVaultStats         *self);
GType             avfs_verify_report_get_type (void) G_GNUC_CONST;
AvfsVerifyReport *avfs_verify_report_copy     (const AvfsVerifyReport *self);
void              avfs_verify_report_free     (AvfsVerifyReport       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsPruneReport, avfs_prune_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsVaultStats, avfs_vault_stats_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsVerifyReport, avfs_verify_report_free)

gboolean             avfs_vault_gc      (AvfsVault         *self,
                                         gboolean           dry_run,
                                         AvfsGcReport      *report,
                                         AvfsProgressFunc   progress,
                                         gpointer           user_data,
                                         GCancellable      *cancellable,
                                         GError           **error);
AvfsPruneReport     *avfs_vault_prune   (AvfsVault     *self,
                                         guint          keep,
                                         guint          older_than_days,
                                         gboolean       dry_run,
                                         GError       **error);
AvfsVaultStats      *avfs_vault_stats   (AvfsVault     *self,
                                         GError       **error);
AvfsVerifyReport    *avfs_vault_verify  (AvfsVault         *self,
                                         AvfsProgressFunc   progress,
                                         gpointer           user_data,
                                         GCancellable      *cancellable,
                                         GError           **error);
AvfsVerifyReport    *avfs_vault_repair  (AvfsVault         *self,
                                         AvfsProgressFunc   progress,
                                         gpointer           user_data,
                                         GCancellable      *cancellable,
                                         guint64           *repaired,
                                         GError           **error);
AvfsCompactionStats *avfs_vault_compact (AvfsVault     *self,
                                         GError       **error);

G_END_DECLS
