/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchFts5: SQLite FTS5 tables beside the vault's own, in the same file. */
#pragma once

#include <sqlite3.h>

#include "avfs-search-index.h"

G_BEGIN_DECLS

#define AVFS_TYPE_SEARCH_FTS5 (avfs_search_fts5_get_type ())
G_DECLARE_FINAL_TYPE (AvfsSearchFts5, avfs_search_fts5, AVFS, SEARCH_FTS5, GObject)

/**
 * AvfsSearchFts5AcquireFunc:
 * @user_data: as given to avfs_search_fts5_new()
 * @write: %TRUE to change the index (index, remove, clear, optimize), %FALSE to read it
 * @error: return location for an error
 *
 * Lends the index a connection to the SQLite file. A writer must be the connection
 * whose transaction the change belongs to: when the vault indexes inside its storage
 * transaction, it returns that transaction's connection (without taking its writer lock
 * again). The index wraps each call in a SAVEPOINT, so it works inside the caller's
 * transaction or, outside one, in a transaction of its own. The connection is used by
 * the calling thread only, until the matching release.
 *
 * Returns: (transfer none): a connection, or %NULL on error
 */
typedef sqlite3 *(*AvfsSearchFts5AcquireFunc) (gpointer   user_data,
                                               gboolean   write,
                                               GError   **error);
typedef void     (*AvfsSearchFts5ReleaseFunc) (gpointer   user_data,
                                               sqlite3   *db,
                                               gboolean   write);

/**
 * AvfsSearchFts5TextFunc:
 * @content_ref: a document's #AvfsSearchFields.content_ref, as indexed
 * @user_data: as given to avfs_search_fts5_set_text_func()
 *
 * Reads a document's text back. It must give exactly the text indexed with
 * @content_ref for as long as the index holds the document: FTS5 removes a document's
 * words by tokenizing its old text again. The index calls it on the thread it runs on:
 * while it deletes a document, with the writer lent but no statement running on it; in
 * check_postings, from inside a statement on the writer (where it may only read); for
 * snippets, with no connection lent.
 *
 * Returns: (transfer full) (nullable): the text; %NULL for a binary file or when the
 *   text cannot be read
 */
typedef char *(*AvfsSearchFts5TextFunc) (GBytes   *content_ref,
                                         gpointer  user_data);

AvfsSearchIndex *avfs_search_fts5_new                (AvfsSearchFts5AcquireFunc   acquire_func,
                                                      AvfsSearchFts5ReleaseFunc   release_func,
                                                      gpointer                    user_data,
                                                      GDestroyNotify              destroy,
                                                      const char                 *prefix,
                                                      GError                    **error);
AvfsSearchIndex *avfs_search_fts5_new_for_connection (sqlite3                    *db,
                                                      const char                 *prefix,
                                                      GError                    **error);
void             avfs_search_fts5_forget_connection  (AvfsSearchFts5             *self,
                                                      sqlite3                    *db);
void             avfs_search_fts5_set_text_func      (AvfsSearchFts5             *self,
                                                      AvfsSearchFts5TextFunc      func,
                                                      gpointer                    user_data);
gboolean         avfs_search_fts5_register_tokenizer (sqlite3                    *db,
                                                      GError                    **error);

G_END_DECLS
