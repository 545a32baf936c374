/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Snapshots: named captures of the whole tree that can be listed, restored and deleted. */
#pragma once

#include "avfs-vault.h"

G_BEGIN_DECLS

/* Snapshot names: 1–64 of A-Za-z0-9 . _ -, not starting with `.` or `-`. */
#define AVFS_SNAPSHOT_NAME_MAX 64
/* Descriptions: one line of UTF-8, at most this many bytes. */
#define AVFS_SNAPSHOT_DESCRIPTION_MAX 1024

/**
 * AvfsSnapshotInfo:
 * @name: the snapshot's name
 * @created_us: when it was saved, microseconds since the epoch (UTC)
 * @automatic: saved by a restore (so that the restore can be undone), not by a person
 * @description: what it is for (`""` when none was given)
 * @files: files in the captured tree
 * @directories: directories in the captured tree, `/` not counted
 * @bytes: current content of every captured file
 */
typedef struct
{
  char *name;
  gint64 created_us;
  gboolean automatic;
  char *description;
  guint64 files;
  guint64 directories;
  guint64 bytes;
} AvfsSnapshotInfo;

#define AVFS_TYPE_SNAPSHOT_INFO (avfs_snapshot_info_get_type ())

GType             avfs_snapshot_info_get_type (void) G_GNUC_CONST;
AvfsSnapshotInfo *avfs_snapshot_info_copy     (const AvfsSnapshotInfo *self);
void              avfs_snapshot_info_free     (AvfsSnapshotInfo       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSnapshotInfo, avfs_snapshot_info_free)

/* Checks, for callers that validate input as it is typed */
gboolean          avfs_vault_check_snapshot_name        (const char  *name,
                                                         GError     **error);
gboolean          avfs_vault_check_snapshot_description (const char  *description,
                                                         GError     **error);

gboolean          avfs_vault_snapshot_save    (AvfsVault              *self,
                                               const char             *name,
                                               const char             *description,
                                               GError                **error);
GPtrArray        *avfs_vault_snapshot_list    (AvfsVault              *self,
                                               GError                **error);
AvfsSnapshotInfo *avfs_vault_snapshot_info    (AvfsVault              *self,
                                               const char             *name,
                                               GError                **error);
gboolean          avfs_vault_snapshot_delete  (AvfsVault              *self,
                                               const char             *name,
                                               GError                **error);
gboolean          avfs_vault_snapshot_restore (AvfsVault              *self,
                                               const char             *name,
                                               char                  **undo_name,
                                               GError                **error);

G_END_DECLS
