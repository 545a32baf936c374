/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchXapian: a Xapian index in a directory, for LMDB and RocksDB vaults (C interface). */
#pragma once

#include "avfs-search-index.h"

G_BEGIN_DECLS

#define AVFS_TYPE_SEARCH_XAPIAN (avfs_search_xapian_get_type ())
G_DECLARE_FINAL_TYPE (AvfsSearchXapian, avfs_search_xapian, AVFS, SEARCH_XAPIAN, GObject)

/* The text document @doc_id was indexed with, for its snippet: %NULL for a binary file
 * or one that is gone. Called from the searching thread. */
typedef char *(*AvfsSearchTextFunc) (guint64  doc_id,
                                     gpointer user_data);

/* A rebuild writes at most this many shards at once (one per thread). */
#define AVFS_SEARCH_XAPIAN_MAX_SHARDS 8

AvfsSearchIndex *avfs_search_xapian_open        (const char        *directory,
                                                 gboolean           create,
                                                 GError           **error);
AvfsSearchIndex *avfs_search_xapian_open_empty  (const char        *directory,
                                                 GError           **error);
AvfsSearchIndex *avfs_search_xapian_open_shard  (AvfsSearchXapian  *self,
                                                 guint              shard,
                                                 GError           **error);
gboolean         avfs_search_xapian_merge_shards (AvfsSearchXapian        *self,
                                                  AvfsSearchIndex * const *shards,
                                                  guint                    n_shards,
                                                  gboolean                 keep,
                                                  GError                 **error);
gboolean         avfs_search_xapian_get_last_id (AvfsSearchXapian  *self,
                                                 guint64           *last_id,
                                                 GError           **error);
guint            avfs_search_xapian_get_pending (AvfsSearchXapian  *self);
void             avfs_search_xapian_set_text_func (AvfsSearchXapian   *self,
                                                   AvfsSearchTextFunc  func,
                                                   gpointer            user_data);
gboolean         avfs_search_xapian_close       (AvfsSearchXapian  *self,
                                                 GError           **error);

G_END_DECLS
