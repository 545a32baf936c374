/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchIndex: the interface's entry points, which check arguments before engines run. */
#include <string.h>

#include "avfs-search-index.h"
#include "avfs-search-private.h"

G_DEFINE_INTERFACE (AvfsSearchIndex, avfs_search_index, G_TYPE_OBJECT)

static void
avfs_search_index_default_init (AvfsSearchIndexInterface *iface)
{
}

/**
 * avfs_search_index_get_engine_name:
 * @self: an index
 *
 * Returns: the engine's name: `"fts5"`, `"xapian"` or `"memory"`
 */
const char *
avfs_search_index_get_engine_name (AvfsSearchIndex *self)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), NULL);
  return AVFS_SEARCH_INDEX_GET_IFACE (self)->get_engine_name (self);
}

static gboolean
check_text (const char  *what,
            const char  *text,
            const char  *path,
            GError     **error)
{
  if (g_utf8_validate (text, -1, NULL))
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               "Cannot index “%s”: its %s is not valid UTF-8 text", path, what);
  return FALSE;
}

static gboolean
check_fields (const AvfsSearchFields  *fields,
              GError                 **error)
{
  if (fields->path == NULL || !g_utf8_validate (fields->path, -1, NULL) || fields->path[0] == '\0')
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Cannot index a document without a valid UTF-8 path");
      return FALSE;
    }
  if (fields->name != NULL && !check_text ("name", fields->name, fields->path, error))
    return FALSE;
  if (fields->content != NULL && !check_text ("text", fields->content, fields->path, error))
    return FALSE;
  for (guint i = 0; fields->tags != NULL && fields->tags[i] != NULL; i++)
    if (!check_text ("tag", fields->tags[i], fields->path, error))
      return FALSE;
  return TRUE;
}

/**
 * avfs_search_index_index:
 * @self: an index
 * @doc_id: the document's id (the vault uses the file's node id)
 * @fields: what to index
 * @error: return location for an error
 *
 * Adds the document, or replaces the one with the same @doc_id.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_index_index (AvfsSearchIndex         *self,
                         guint64                  doc_id,
                         const AvfsSearchFields  *fields,
                         GError                 **error)
{
  AvfsSearchFields checked;
  g_autofree char *name = NULL;

  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_fields (fields, error))
    return FALSE;
  checked = *fields;
  if (checked.name == NULL)
    checked.name = name = avfs_search_name_from_path (fields->path);
  return AVFS_SEARCH_INDEX_GET_IFACE (self)->index_document (self, doc_id, &checked, error);
}

/**
 * avfs_search_index_remove:
 * @self: an index
 * @doc_id: a document's id
 * @error: return location for an error
 *
 * Removes the document; removing one that is not there succeeds.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_index_remove (AvfsSearchIndex  *self,
                          guint64           doc_id,
                          GError          **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AVFS_SEARCH_INDEX_GET_IFACE (self)->remove_document (self, doc_id, error);
}

/**
 * avfs_search_index_search:
 * @self: an index
 * @query: a query in the language of docs/search.md
 * @options: (nullable): paging, fields and highlighting; %NULL for the defaults
 * @error: return location for an error
 *
 * Parses @query and runs it. A malformed query fails with %AVFS_ERROR_INVALID_ARGUMENT
 * naming the problem and its position, whatever the engine.
 *
 * Returns: (transfer full): the results, or %NULL on error
 */
AvfsSearchResults *
avfs_search_index_search (AvfsSearchIndex          *self,
                          const char               *query,
                          const AvfsSearchOptions  *options,
                          GError                  **error)
{
  g_autoptr(AvfsSearchQuery) parsed = NULL;
  gint64 started = g_get_monotonic_time ();
  AvfsSearchResults *results;

  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parsed = avfs_search_query_parse (query, error);
  if (parsed == NULL)
    return NULL;
  results = avfs_search_index_search_query (self, parsed, options, error);
  if (results != NULL)
    results->took_ms = (g_get_monotonic_time () - started) / 1000.0;
  return results;
}

/**
 * avfs_search_index_search_query:
 * @self: an index
 * @query: a parsed query
 * @options: (nullable): paging, fields and highlighting; %NULL for the defaults
 * @error: return location for an error
 *
 * Returns: (transfer full): the results, or %NULL on error
 */
AvfsSearchResults *
avfs_search_index_search_query (AvfsSearchIndex          *self,
                                const AvfsSearchQuery    *query,
                                const AvfsSearchOptions  *options,
                                GError                  **error)
{
  static const AvfsSearchOptions defaults = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(AvfsSearchResults) results = NULL;
  AvfsSearchOptions resolved;
  gint64 started = g_get_monotonic_time ();

  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  resolved = options != NULL ? *options : defaults;
  resolved.fields &= AVFS_SEARCH_FIELDS_TEXT;
  if (resolved.fields == 0)
    resolved.fields = AVFS_SEARCH_FIELDS_TEXT;
  results = avfs_search_results_new ();
  if (!AVFS_SEARCH_INDEX_GET_IFACE (self)->search (self, query, &resolved, results, error))
    return NULL;
  results->took_ms = (g_get_monotonic_time () - started) / 1000.0;
  return g_steal_pointer (&results);
}

/**
 * avfs_search_index_count:
 * @self: an index
 * @count: (out): how many documents the index holds
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_index_count (AvfsSearchIndex  *self,
                         guint64          *count,
                         GError          **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), FALSE);
  g_return_val_if_fail (count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AVFS_SEARCH_INDEX_GET_IFACE (self)->count (self, count, error);
}

/**
 * avfs_search_index_get_document:
 * @self: an index
 * @doc_id: a document's id
 * @error: return location for an error
 *
 * Reads back what a document was indexed with; a missing document fails with
 * %AVFS_ERROR_NOT_FOUND.
 *
 * Returns: (transfer full): the document, or %NULL on error
 */
AvfsSearchDocument *
avfs_search_index_get_document (AvfsSearchIndex  *self,
                                guint64           doc_id,
                                GError          **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return AVFS_SEARCH_INDEX_GET_IFACE (self)->get_document (self, doc_id, error);
}

/**
 * avfs_search_index_list_documents:
 * @self: an index
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type guint64): every document id, ascending
 */
GArray *
avfs_search_index_list_documents (AvfsSearchIndex  *self,
                                  GError          **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return AVFS_SEARCH_INDEX_GET_IFACE (self)->list_documents (self, error);
}

/**
 * avfs_search_index_clear:
 * @self: an index
 * @error: return location for an error
 *
 * Removes every document: a rebuild is clear(), index() for each document, flush().
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_index_clear (AvfsSearchIndex  *self,
                         GError          **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AVFS_SEARCH_INDEX_GET_IFACE (self)->clear (self, error);
}

/**
 * avfs_search_index_flush:
 * @self: an index
 * @error: return location for an error
 *
 * Makes every change so far durable. Searches see changes before they are flushed;
 * flushing is about surviving a crash (Xapian batches its commits; FTS5 commits with
 * the caller's transaction; memory has nothing to flush).
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_index_flush (AvfsSearchIndex  *self,
                         GError          **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AVFS_SEARCH_INDEX_GET_IFACE (self)->flush (self, error);
}

/**
 * avfs_search_index_optimize:
 * @self: an index
 * @error: return location for an error
 *
 * Merges the index's internal segments for faster searches and less space. Slow on a
 * large index; run it from maintenance (`compact`), not after every write.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_index_optimize (AvfsSearchIndex  *self,
                            GError          **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AVFS_SEARCH_INDEX_GET_IFACE (self)->optimize (self, error);
}

/**
 * avfs_search_index_check_postings:
 * @self: an index
 * @agree: (out): whether the engine's word lists agree with its documents' text
 * @cancellable: (nullable): stops the check
 * @error: return location for an error
 *
 * Checks what a comparison of documents cannot see: that the engine's word lists hold
 * exactly the words of the text it keeps, no word of an old text left behind. Only an
 * engine that keeps the text can (FTS5); the others set @agree.
 *
 * Returns: %TRUE when the check ran
 */
gboolean
avfs_search_index_check_postings (AvfsSearchIndex  *self,
                                  gboolean         *agree,
                                  GCancellable     *cancellable,
                                  GError          **error)
{
  AvfsSearchIndexInterface *iface;

  g_return_val_if_fail (AVFS_IS_SEARCH_INDEX (self), FALSE);
  g_return_val_if_fail (agree != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = AVFS_SEARCH_INDEX_GET_IFACE (self);
  *agree = TRUE;
  return iface->check_postings == NULL ||
         iface->check_postings (self, agree, cancellable, error);
}

/* Results, hits and documents. */

/**
 * avfs_search_results_new:
 *
 * Returns: (transfer full): empty results, for engines to fill
 */
AvfsSearchResults *
avfs_search_results_new (void)
{
  AvfsSearchResults *results = g_new0 (AvfsSearchResults, 1);

  results->hits = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_search_hit_free);
  return results;
}

/**
 * avfs_search_results_free:
 * @results: (transfer full) (nullable): results
 */
void
avfs_search_results_free (AvfsSearchResults *results)
{
  if (results == NULL)
    return;
  g_ptr_array_unref (results->hits);
  g_free (results);
}

/**
 * avfs_search_hit_new:
 * @doc_id: the document's id
 * @path: its path
 * @score: its relevance
 *
 * Returns: (transfer full): a hit without snippet
 */
AvfsSearchHit *
avfs_search_hit_new (guint64     doc_id,
                     const char *path,
                     double      score)
{
  AvfsSearchHit *hit = g_new0 (AvfsSearchHit, 1);

  hit->doc_id = doc_id;
  hit->path = g_strdup (path);
  hit->score = score;
  return hit;
}

/**
 * avfs_search_hit_free:
 * @hit: (transfer full) (nullable): a hit
 */
void
avfs_search_hit_free (AvfsSearchHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->path);
  g_free (hit->snippet);
  g_clear_pointer (&hit->marks, g_array_unref);
  g_clear_pointer (&hit->path_marks, g_array_unref);
  g_free (hit);
}

/**
 * avfs_search_document_free:
 * @document: (transfer full) (nullable): a document
 */
void
avfs_search_document_free (AvfsSearchDocument *document)
{
  if (document == NULL)
    return;
  g_free (document->path);
  g_free (document->name);
  g_free (document->content);
  g_strfreev (document->tags);
  g_free (document->content_key);
  g_clear_pointer (&document->content_ref, g_bytes_unref);
  g_free (document);
}

/**
 * avfs_search_mark_up:
 * @text: a snippet or a path
 * @marks: (nullable) (element-type AvfsSearchMark): marks into @text
 * @open: what to put before each marked stretch, e.g. `"\033[1m"` or `"<b>"`
 * @close: what to put after it, e.g. `"\033[0m"` or `"</b>"`
 * @escape_markup: whether to escape the text for Pango/GMarkup
 *
 * Returns: (transfer full): @text with its marks shown
 */
char *
avfs_search_mark_up (const char   *text,
                     const GArray *marks,
                     const char   *open,
                     const char   *close,
                     gboolean      escape_markup)
{
  GString *out = g_string_new (NULL);
  gsize len = strlen (text);
  gsize done = 0;

  for (guint i = 0; marks != NULL && i <= marks->len; i++)
    {
      const AvfsSearchMark *mark =
        i < marks->len ? &g_array_index (marks, AvfsSearchMark, i) : NULL;
      gsize until = mark != NULL ? MIN (mark->start, len) : len;
      g_autofree char *before = NULL;
      g_autofree char *inside = NULL;

      if (until < done)
        continue;
      before = escape_markup ? g_markup_escape_text (text + done, until - done)
                             : g_strndup (text + done, until - done);
      g_string_append (out, before);
      done = until;
      if (mark == NULL)
        break;
      until = MIN (mark->end, len);
      inside = escape_markup ? g_markup_escape_text (text + done, until - done)
                             : g_strndup (text + done, until - done);
      g_string_append_printf (out, "%s%s%s", open, inside, close);
      done = until;
    }
  if (marks == NULL)
    {
      g_autofree char *all = escape_markup ? g_markup_escape_text (text, len) : g_strdup (text);
      g_string_append (out, all);
    }
  return g_string_free (out, FALSE);
}
