/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchIndex: the full-text engine interface (the spec's SearchBackend trait). */
#pragma once

#include <gio/gio.h>

#include "avfs-error.h"
#include "avfs-search-query.h"

G_BEGIN_DECLS

#define AVFS_SEARCH_DEFAULT_LIMIT 20

/* A snippet shows about this many bytes of a file's text around its best matches. */
#define AVFS_SEARCH_SNIPPET_BYTES 160

/**
 * AvfsSearchFields:
 * @path: the file's absolute vault path (UTF-8)
 * @name: (nullable): its name; %NULL means the last component of @path
 * @content: (nullable): its text, valid NUL-terminated UTF-8 (see
 *   avfs_search_text_from_bytes()); %NULL for a binary file, findable by path and name
 * @tags: (nullable) (array zero-terminated=1): its tags
 * @content_key: (nullable): names the content @content was read from (a digest): an
 *   engine that does not keep the text (Xapian) keeps this instead, so that `verify` can
 *   tell a stale document
 * @content_ref: (nullable): where the vault can read @content again, exactly as given
 *   here: an engine that reads its text back through the vault (FTS5 with a text
 *   function, see avfs_search_fts5_set_text_func()) keeps this instead of the text
 *
 * What a document is indexed with. Nothing is kept beyond the call.
 */
typedef struct
{
  const char *path;
  const char *name;
  const char *content;
  const char * const *tags;
  const char *content_key;
  GBytes *content_ref;
} AvfsSearchFields;

/**
 * AvfsSearchDocument:
 * @path: as indexed
 * @name: as indexed (never %NULL)
 * @content: (nullable): as indexed; %NULL for a binary file and from an engine that
 *   does not keep the text
 * @tags: the tags as indexed, folded (see avfs_search_fold_tag()), never %NULL
 * @content_key: (nullable): as indexed, from an engine that keeps it instead of the text
 * @content_ref: (nullable): as indexed, from an engine that keeps it instead of the text
 *
 * A document read back from an index (avfs_search_index_get_document()), so that
 * `verify` can compare the index with the vault. At most one of @content, @content_key
 * and @content_ref is set.
 */
typedef struct
{
  char *path;
  char *name;
  char *content;
  char **tags;
  char *content_key;
  GBytes *content_ref;
} AvfsSearchDocument;

/**
 * AvfsSearchMark:
 * @start: byte offset of the first byte of a matched stretch
 * @end: byte offset just past it
 *
 * Marks are byte offsets into UTF-8 text (a snippet or a path), sorted, never
 * overlapping and never splitting a character. A matched phrase is one mark.
 */
typedef struct
{
  guint start;
  guint end;
} AvfsSearchMark;

/**
 * AvfsSearchHit:
 * @doc_id: the document's id as given to avfs_search_index_index()
 * @path: its path
 * @score: its BM25 relevance; larger is better. Comparable within one result set only.
 * @snippet: (nullable): with highlighting, a short excerpt of its text around the best
 *   matches: whitespace runs and control characters become single spaces, and `…` marks
 *   text cut at either end. %NULL without highlighting and for binary files.
 * @marks: (nullable) (element-type AvfsSearchMark): where @snippet shows matched words
 * @path_marks: (nullable) (element-type AvfsSearchMark): where @path shows matched words
 *   (for words searched in paths and names)
 */
typedef struct
{
  guint64 doc_id;
  char *path;
  double score;
  char *snippet;
  GArray *marks;
  GArray *path_marks;
} AvfsSearchHit;

/**
 * AvfsSearchResults:
 * @hits: (element-type AvfsSearchHit): one page of hits, best first
 * @total: how many documents match in all (not only on this page)
 * @took_ms: how long the search took, parsing included
 */
typedef struct
{
  GPtrArray *hits;
  guint64 total;
  double took_ms;
} AvfsSearchResults;

/**
 * AvfsSearchOptions:
 * @limit: at most this many hits (0 gives only the total)
 * @offset: skip this many of the best hits first (paging)
 * @fields: where words without a field (`path:`, `name:`) look: content, path and/or
 *   name; 0 means all three
 * @highlight: whether to make snippets and marks
 *
 * Start from %AVFS_SEARCH_OPTIONS_INIT.
 */
typedef struct
{
  guint limit;
  guint offset;
  AvfsSearchField fields;
  gboolean highlight;
} AvfsSearchOptions;

#define AVFS_SEARCH_OPTIONS_INIT { AVFS_SEARCH_DEFAULT_LIMIT, 0, AVFS_SEARCH_FIELDS_TEXT, TRUE }

#define AVFS_TYPE_SEARCH_INDEX (avfs_search_index_get_type ())
G_DECLARE_INTERFACE (AvfsSearchIndex, avfs_search_index, AVFS, SEARCH_INDEX, GObject)

/**
 * AvfsSearchIndexInterface:
 *
 * What an engine implements. The public avfs_search_index_*() wrappers check their
 * arguments first: engines see valid UTF-8 fields, a parsed query and options with
 * @fields resolved. Engines are thread-safe. @index_document replaces any document with
 * the same id. @search fills @results (hits with doc_id, path and score, best first,
 * ties by ascending doc_id where the engine allows; @total) and, when
 * @options->highlight is set, calls avfs_search_hit_highlight() on each hit.
 * @flush makes what was indexed durable (engines that write at once do nothing);
 * @clear empties the index, the start of a rebuild. @check_postings (optional) checks
 * the engine's word lists against the text of its documents.
 */
struct _AvfsSearchIndexInterface
{
  GTypeInterface parent_iface;

  const char         *(*get_engine_name) (AvfsSearchIndex          *self);
  gboolean            (*index_document)  (AvfsSearchIndex          *self,
                                          guint64                   doc_id,
                                          const AvfsSearchFields   *fields,
                                          GError                  **error);
  gboolean            (*remove_document) (AvfsSearchIndex          *self,
                                          guint64                   doc_id,
                                          GError                  **error);
  gboolean            (*search)          (AvfsSearchIndex          *self,
                                          const AvfsSearchQuery    *query,
                                          const AvfsSearchOptions  *options,
                                          AvfsSearchResults        *results,
                                          GError                  **error);
  gboolean            (*count)           (AvfsSearchIndex          *self,
                                          guint64                  *count,
                                          GError                  **error);
  AvfsSearchDocument *(*get_document)    (AvfsSearchIndex          *self,
                                          guint64                   doc_id,
                                          GError                  **error);
  GArray             *(*list_documents)  (AvfsSearchIndex          *self,
                                          GError                  **error);
  gboolean            (*clear)           (AvfsSearchIndex          *self,
                                          GError                  **error);
  gboolean            (*flush)           (AvfsSearchIndex          *self,
                                          GError                  **error);
  gboolean            (*optimize)        (AvfsSearchIndex          *self,
                                          GError                  **error);
  gboolean            (*check_postings)  (AvfsSearchIndex          *self,
                                          gboolean                 *agree,
                                          GCancellable             *cancellable,
                                          GError                  **error);
};

const char         *avfs_search_index_get_engine_name (AvfsSearchIndex          *self);
gboolean            avfs_search_index_index           (AvfsSearchIndex          *self,
                                                       guint64                   doc_id,
                                                       const AvfsSearchFields   *fields,
                                                       GError                  **error);
gboolean            avfs_search_index_remove          (AvfsSearchIndex          *self,
                                                       guint64                   doc_id,
                                                       GError                  **error);
AvfsSearchResults  *avfs_search_index_search          (AvfsSearchIndex          *self,
                                                       const char               *query,
                                                       const AvfsSearchOptions  *options,
                                                       GError                  **error);
AvfsSearchResults  *avfs_search_index_search_query    (AvfsSearchIndex          *self,
                                                       const AvfsSearchQuery    *query,
                                                       const AvfsSearchOptions  *options,
                                                       GError                  **error);
gboolean            avfs_search_index_count           (AvfsSearchIndex          *self,
                                                       guint64                  *count,
                                                       GError                  **error);
AvfsSearchDocument *avfs_search_index_get_document    (AvfsSearchIndex          *self,
                                                       guint64                   doc_id,
                                                       GError                  **error);
GArray             *avfs_search_index_list_documents  (AvfsSearchIndex          *self,
                                                       GError                  **error);
gboolean            avfs_search_index_clear           (AvfsSearchIndex          *self,
                                                       GError                  **error);
gboolean            avfs_search_index_flush           (AvfsSearchIndex          *self,
                                                       GError                  **error);
gboolean            avfs_search_index_check_postings  (AvfsSearchIndex          *self,
                                                       gboolean                 *agree,
                                                       GCancellable             *cancellable,
                                                       GError                  **error);
gboolean            avfs_search_index_optimize        (AvfsSearchIndex          *self,
                                                       GError                  **error);

AvfsSearchResults  *avfs_search_results_new           (void);
void                avfs_search_results_free          (AvfsSearchResults        *results);
AvfsSearchHit      *avfs_search_hit_new               (guint64                   doc_id,
                                                       const char               *path,
                                                       double                    score);
void                avfs_search_hit_free              (AvfsSearchHit            *hit);
void                avfs_search_hit_highlight         (AvfsSearchHit            *hit,
                                                       const AvfsSearchQuery    *query,
                                                       const AvfsSearchOptions  *options,
                                                       const char               *content,
                                                       gssize                    content_len);
char               *avfs_search_mark_up               (const char               *text,
                                                       const GArray             *marks,
                                                       const char               *open,
                                                       const char               *close,
                                                       gboolean                  escape_markup);
void                avfs_search_document_free         (AvfsSearchDocument       *document);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSearchResults, avfs_search_results_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSearchHit, avfs_search_hit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSearchDocument, avfs_search_document_free)

G_END_DECLS
