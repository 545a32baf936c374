/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsVault: a file tree with full history inside one storage engine. */
#pragma once

#include <gio/gio.h>

#include "avfs-error.h"
#include "avfs-file-info.h"
#include "avfs-storage.h"

G_BEGIN_DECLS

#define AVFS_TYPE_VAULT (avfs_vault_get_type ())
G_DECLARE_FINAL_TYPE (AvfsVault, avfs_vault, AVFS, VAULT, GObject)

/**
 * AvfsWriteFlags:
 * @AVFS_WRITE_NONE: create the file or replace its content
 * @AVFS_WRITE_APPEND: add to the end of the current content
 * @AVFS_WRITE_PARENTS: create missing parent directories
 * @AVFS_WRITE_NO_CLOBBER: fail with %AVFS_ERROR_EXISTS when the file exists
 */
typedef enum {
  AVFS_WRITE_NONE = 0,
  AVFS_WRITE_APPEND = 1 << 0,
  AVFS_WRITE_PARENTS = 1 << 1,
  AVFS_WRITE_NO_CLOBBER = 1 << 2,
} AvfsWriteFlags;

/**
 * AvfsVaultSettings:
 * @chunk_size: files are stored in chunks of this many bytes (64 KiB – 64 MiB)
 * @compression_level: zstd level for new chunks (0 stores them raw, 1 – 19)
 *
 * Fixed when the vault is created, except @compression_level.
 */
typedef struct
{
  guint32 chunk_size;
  gint compression_level;
} AvfsVaultSettings;

#define AVFS_VAULT_DEFAULT_CHUNK_SIZE (1024 * 1024)
#define AVFS_VAULT_DEFAULT_COMPRESSION_LEVEL 3

/* Lifecycle (avfs-vault.c) */
AvfsVault   *avfs_vault_create            (const char               *engine,
                                           const char               *path,
                                           GHashTable               *backend_options,
                                           const AvfsVaultSettings  *settings,
                                           GError                  **error);
AvfsVault   *avfs_vault_open              (const char               *path,
                                           GHashTable               *backend_options,
                                           GError                  **error);
AvfsVault   *avfs_vault_open_to_read      (const char               *path,
                                           GHashTable               *backend_options,
                                           GError                  **error);
gboolean     avfs_vault_close             (AvfsVault                *self,
                                           GError                  **error);
const char  *avfs_vault_get_path          (AvfsVault                *self);
const char  *avfs_vault_get_engine_name   (AvfsVault                *self);
const char  *avfs_vault_get_uuid          (AvfsVault                *self);
AvfsStorage *avfs_vault_get_storage       (AvfsVault                *self);
void         avfs_vault_get_settings      (AvfsVault                *self,
                                           AvfsVaultSettings        *settings);
gboolean     avfs_vault_set_compression_level (AvfsVault            *self,
                                           gint                      level,
                                           GError                  **error);
gsize        avfs_vault_get_dictionary_size (AvfsVault              *self);

/* The tree (avfs-vault-tree.c) */
AvfsFileInfo *avfs_vault_stat             (AvfsVault                *self,
                                           const char               *path,
                                           GError                  **error);
GPtrArray   *avfs_vault_list              (AvfsVault                *self,
                                           const char               *path,
                                           GError                  **error);
GPtrArray   *avfs_vault_list_page         (AvfsVault                *self,
                                           const char               *path,
                                           const char               *after,
                                           guint                     limit,
                                           GError                  **error);
gboolean     avfs_vault_mkdir             (AvfsVault                *self,
                                           const char               *path,
                                           gboolean                  parents,
                                           GError                  **error);
gboolean     avfs_vault_rmdir             (AvfsVault                *self,
                                           const char               *path,
                                           GError                  **error);
gboolean     avfs_vault_remove            (AvfsVault                *self,
                                           const char               *path,
                                           gboolean                  recursive,
                                           GError                  **error);
char        *avfs_vault_move              (AvfsVault                *self,
                                           const char               *from,
                                           const char               *to,
                                           GError                  **error);
char        *avfs_vault_copy              (AvfsVault                *self,
                                           const char               *from,
                                           const char               *to,
                                           gboolean                  recursive,
                                           GError                  **error);

/* Content (avfs-vault-content.c) */
gboolean     avfs_vault_touch             (AvfsVault                *self,
                                           const char               *path,
                                           GError                  **error);
guint32      avfs_vault_write             (AvfsVault                *self,
                                           const char               *path,
                                           const guint8             *data,
                                           gsize                     len,
                                           AvfsWriteFlags            flags,
                                           GError                  **error);
guint32      avfs_vault_write_stream      (AvfsVault                *self,
                                           const char               *path,
                                           GInputStream             *input,
                                           AvfsWriteFlags            flags,
                                           GCancellable             *cancellable,
                                           GError                  **error);
GBytes      *avfs_vault_read              (AvfsVault                *self,
                                           const char               *path,
                                           guint32                   version,
                                           GError                  **error);
GBytes      *avfs_vault_read_head         (AvfsVault                *self,
                                           const char               *path,
                                           guint32                   version,
                                           gsize                     max_bytes,
                                           GError                  **error);
gboolean     avfs_vault_read_to_stream    (AvfsVault                *self,
                                           const char               *path,
                                           guint32                   version,
                                           GOutputStream            *output,
                                           GCancellable             *cancellable,
                                           GError                  **error);

G_END_DECLS
