/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a file is indexed with, read from the vault (private to the core). */
#pragma once

#include "avfs-search-index.h"
#include "avfs-vault.h"
#include "avfs-transaction.h"

G_BEGIN_DECLS

/* What file @id is indexed with, read from the vault (through @tx when given). */
typedef struct
{
  guint64 id;
  gboolean indexed;  /* FALSE: no document (the file is gone, not a file, or has no path) */
  char *path;
  char *name;
  char *text;        /* NULL for binary or unreadable content (or not read) */
  char **tags;
  char *content_key; /* names the content (see AvfsSearchFields) */
  GBytes *content_ref; /* where the text was read from (see AvfsSearchFields) */
} AvfsFileDocument;

typedef struct _AvfsDocumentFeed AvfsDocumentFeed;

gboolean          avfs_search_is_damage     (GError                  *local_error,
                                             GError                 **error);
void              avfs_file_document_free   (AvfsFileDocument        *doc);
gboolean          avfs_file_document_read   (AvfsVault               *self,
                                             AvfsTransaction         *tx,
                                             const char * const      *tags,
                                             AvfsFileDocument        *doc,
                                             GError                 **error);
gboolean          avfs_file_document_index  (AvfsSearchIndex         *index,
                                             const AvfsFileDocument  *doc,
                                             GError                 **error);
char             *avfs_file_document_load_text (AvfsVault          *self,
                                                guint64             id);
char             *avfs_file_document_load_ref_text (AvfsVault       *self,
                                                    AvfsTransaction *tx,
                                                    GBytes          *content_ref);
AvfsDocumentFeed *avfs_document_feed_start  (AvfsVault               *self,
                                             GArray                  *ids,
                                             gboolean                 with_text);
AvfsFileDocument *avfs_document_feed_next   (AvfsDocumentFeed        *feed,
                                             GError                 **error);
void              avfs_document_feed_free   (AvfsDocumentFeed        *feed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsFileDocument, avfs_file_document_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsDocumentFeed, avfs_document_feed_free)

G_END_DECLS
