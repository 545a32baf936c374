/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import from and export to the host file system: whole trees, streamed, with progress. */
#pragma once

#include "avfs-progress.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

/**
 * AvfsImportFlags:
 * @AVFS_IMPORT_NONE: import directories recursively; a file that exists in the vault
 *   gets the host content as a new version (unless it is unchanged)
 * @AVFS_IMPORT_NO_RECURSE: refuse a directory (%AVFS_ERROR_IS_A_DIRECTORY)
 * @AVFS_IMPORT_NO_CLOBBER: leave files that exist in the vault as they are and count
 *   them in @skipped_existing
 */
typedef enum {
  AVFS_IMPORT_NONE = 0,
  AVFS_IMPORT_NO_RECURSE = 1 << 0,
  AVFS_IMPORT_NO_CLOBBER = 1 << 1,
} AvfsImportFlags;

/**
 * AvfsExportFlags:
 * @AVFS_EXPORT_NONE: refuse to replace an existing host file; nothing is written then
 * @AVFS_EXPORT_OVERWRITE: replace existing host files (never a directory)
 */
typedef enum {
  AVFS_EXPORT_NONE = 0,
  AVFS_EXPORT_OVERWRITE = 1 << 0,
} AvfsExportFlags;

/**
 * AvfsTransferReport:
 * @files: files written (an import counts new versions only)
 * @directories: directories created
 * @bytes: content bytes of the files written
 * @unchanged: files already in the vault with the same content (no new version)
 * @skipped_existing: files left alone because of %AVFS_IMPORT_NO_CLOBBER
 * @skipped_symlinks: symbolic links found inside a tree (never followed)
 * @skipped_special: fifos, sockets and devices
 * @skipped_names: host names a vault cannot hold (not UTF-8, or a path over 4096 bytes)
 *
 * What a transfer did. After an error or a cancellation, @files, @directories and @bytes
 * count what was committed (an import) or written (an export); the other fields count
 * what was seen.
 */
typedef struct
{
  guint64 files;
  guint64 directories;
  guint64 bytes;
  guint64 unchanged;
  guint64 skipped_existing;
  guint64 skipped_symlinks;
  guint64 skipped_special;
  guint64 skipped_names;
} AvfsTransferReport;

gboolean     avfs_vault_import            (AvfsVault                *self,
                                           const char               *host_path,
                                           const char               *vault_path,
                                           AvfsImportFlags           flags,
                                           AvfsProgressFunc          progress,
                                           gpointer                  user_data,
                                           GCancellable             *cancellable,
                                           AvfsTransferReport       *report,
                                           GError                  **error);
gboolean     avfs_vault_export            (AvfsVault                *self,
                                           const char               *vault_path,
                                           const char               *host_path,
                                           AvfsExportFlags           flags,
                                           AvfsProgressFunc          progress,
                                           gpointer                  user_data,
                                           GCancellable             *cancellable,
                                           AvfsTransferReport       *report,
                                           GError                  **error);

G_END_DECLS
