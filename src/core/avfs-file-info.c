/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsFileInfo as a boxed type, so it travels through GTask and list models. */
#include "avfs-file-info.h"

G_DEFINE_BOXED_TYPE (AvfsFileInfo, avfs_file_info, avfs_file_info_copy, avfs_file_info_free)

/**
 * avfs_file_info_copy:
 * @self: an info
 *
 * Returns: (transfer full): a deep copy of @self
 */
AvfsFileInfo *
avfs_file_info_copy (const AvfsFileInfo *self)
{
  AvfsFileInfo *copy = g_memdup2 (self, sizeof *self);

  copy->path = g_strdup (self->path);
  copy->name = g_strdup (self->name);
  return copy;
}

void
avfs_file_info_free (AvfsFileInfo *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->name);
  g_free (self);
}
