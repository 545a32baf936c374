/* SPDX-License-Identifier: GPL-3.0-or-later */
/* find and grep: walking a subtree by name, type, size, tag and metadata, or by a
 * regular expression over content. */
#pragma once

#include "avfs-vault.h"

G_BEGIN_DECLS

/**
 * AvfsFindQuery:
 * @name_glob: (nullable): a shell pattern the name must match (`*.txt`)
 * @kind: the kind to find, or 0 for both
 * @min_size: the smallest size, or -1
 * @max_size: the largest size, or -1
 * @tag: (nullable): a tag the path must carry
 * @meta_key: (nullable): a metadata key the path must have…
 * @meta_value: (nullable): …with this value (%NULL: any value)
 * @limit: the most results, or 0 for all
 */
typedef struct
{
  const char *name_glob;
  AvfsNodeKind kind;
  gint64 min_size;
  gint64 max_size;
  const char *tag;
  const char *meta_key;
  const char *meta_value;
  guint limit;
} AvfsFindQuery;

#define AVFS_FIND_QUERY_INIT { NULL, 0, -1, -1, NULL, NULL, NULL, 0 }

/**
 * AvfsGrepFunc:
 * @path: the file
 * @line_number: the matching line's number, from 1
 * @line: the line, without its end
 * @user_data: the data given to avfs_vault_grep()
 *
 * Returns: %TRUE for the next match in this file, %FALSE to go on to the next file
 */
typedef gboolean (*AvfsGrepFunc) (const char *path,
                                  guint       line_number,
                                  const char *line,
                                  gpointer    user_data);

GPtrArray *avfs_vault_find (AvfsVault            *self,
                            const char           *path,
                            const AvfsFindQuery  *query,
                            GError              **error);
gboolean   avfs_vault_grep (AvfsVault            *self,
                            const char           *pattern,
                            const char           *path,
                            gboolean              ignore_case,
                            AvfsGrepFunc          func,
                            gpointer              user_data,
                            GCancellable         *cancellable,
                            GError              **error);

G_END_DECLS
