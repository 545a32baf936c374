/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Full-text search of a vault: the query language of docs/search.md on the vault's own
 * index (FTS5 in SQLite vaults, Xapian beside LMDB and RocksDB vaults, memory). */
#pragma once

#include <gio/gio.h>

#include "avfs-progress.h"
#include "avfs-search-index.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

/* A file's text is indexed up to this many bytes (docs/search.md). */
#define AVFS_VAULT_SEARCH_MAX_TEXT (4 * 1024 * 1024)

/**
 * AvfsSearchCheck:
 * @documents: documents the index holds
 * @files: files the vault holds
 * @problems: (element-type utf8): disagreements, one sentence each, at most
 *   %AVFS_VERIFY_MAX_PROBLEMS of them
 * @n_problems: how many disagreements were found
 *
 * What avfs_vault_search_check() found.
 */
typedef struct
{
  guint64 documents;
  guint64 files;
  GPtrArray *problems;
  guint64 n_problems;
} AvfsSearchCheck;

AvfsSearchResults *avfs_vault_search          (AvfsVault                *self,
                                               const char               *query,
                                               const AvfsSearchOptions  *options,
                                               GError                  **error);
gboolean           avfs_vault_search_rebuild  (AvfsVault                *self,
                                               GCancellable             *cancellable,
                                               AvfsProgressFunc          progress,
                                               gpointer                  user_data,
                                               GError                  **error);
AvfsSearchCheck   *avfs_vault_search_check    (AvfsVault                *self,
                                               GCancellable             *cancellable,
                                               GError                  **error);
gboolean           avfs_vault_search_has_queue (AvfsVault               *self,
                                                gboolean                *has_queue,
                                                GError                 **error);
gboolean           avfs_vault_search_flush    (AvfsVault                *self,
                                               GError                  **error);
gboolean           avfs_vault_search_copy_index (AvfsVault              *self,
                                               AvfsVault                *target,
                                               gboolean                 *copied,
                                               GCancellable             *cancellable,
                                               GError                  **error);
const char        *avfs_vault_search_get_engine_name (AvfsVault         *self);
void               avfs_search_check_free     (AvfsSearchCheck          *check);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSearchCheck, avfs_search_check_free)

G_END_DECLS
