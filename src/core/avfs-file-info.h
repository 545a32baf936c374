/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsFileInfo: what stat and list report about one file or directory. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  AVFS_NODE_KIND_FILE = 1,
  AVFS_NODE_KIND_DIRECTORY = 2,
} AvfsNodeKind;

/**
 * AvfsFileInfo:
 * @path: the normalised vault path
 * @name: the last component (`""` for `/`)
 * @kind: file or directory
 * @id: the node id, stable across renames
 * @size: content bytes of the current version (0 for a directory)
 * @mode: permission bits (0644 for files, 0755 for directories unless set)
 * @created_us: creation time, microseconds since the epoch (UTC)
 * @modified_us: last change of content or name, microseconds since the epoch (UTC)
 * @version: the current version number (0 for a directory)
 * @n_chunks: content chunks of the current version
 */
typedef struct
{
  char *path;
  char *name;
  AvfsNodeKind kind;
  guint64 id;
  guint64 size;
  guint32 mode;
  gint64 created_us;
  gint64 modified_us;
  guint32 version;
  guint32 n_chunks;
} AvfsFileInfo;

#define AVFS_TYPE_FILE_INFO (avfs_file_info_get_type ())

GType         avfs_file_info_get_type (void) G_GNUC_CONST;
AvfsFileInfo *avfs_file_info_copy     (const AvfsFileInfo *self);
void          avfs_file_info_free     (AvfsFileInfo       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsFileInfo, avfs_file_info_free)

G_END_DECLS
