/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchXapian: the one C++ file; every Xapian exception becomes a GError at its edge. */
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <glib/gstdio.h>
#include <xapian.h>

#include "avfs-search-private.h"
#include "avfs-search-xapian.h"

/* Terms of a document (Xapian prefixes are capitals; our tokens never start with one):
 *   TOKEN      a word of its text, with positions (phrases)
 *   XP TOKEN   a word of its path, with positions
 *   XN TOKEN   a word of its name, with positions
 *   XS START   the first 1 to START_CHARS characters of a word of its text, once for
 *              each occurrence of the word, without positions; XPS and XNS likewise for
 *              the path and the name: a prefix query reads one posting list instead of
 *              merging those of every word the prefix begins (Xapian's wildcard: 17 ms
 *              for the 111 words of “w12*” at 10,000 documents, 155 ms for “w1*”)
 *   XT TAG     a folded tag, boolean (XT# and a SHA-256 for very long tags)
 *   Q ID       its doc_id in decimal, boolean: the unique id for replace and delete
 * Value slot 0 holds the doc_id as 8 big-endian bytes (ties sort by it); the document
 * data holds (path, name, content key, tags) as a GVariant "(ssmsas)", for hits and for
 * reading back. Not the text: the vault holds it already (snippets ask the text
 * function for it), and keeping it cost a tenth of the index and, compressing it,
 * a tenth of the indexing. The metadata FORMAT_KEY names this layout. An index marked
 * FORMAT_NO_STARTS has no start terms: it keeps working, prefixes by merging, until a
 * rebuild; an index without a mark, from an older avfs still, must be rebuilt.
 * Ranking is Xapian's BM25Weight with k1 = 1.2, b = 0.75; start terms lengthen every
 * document by about the same factor, which its length normalisation divides out. */

#define PREFIX_PATH "XP"
#define PREFIX_NAME "XN"
#define PREFIX_TAG "XT"
#define PREFIX_ID "Q"
#define PREFIX_START "XS"
#define SLOT_DOC_ID 0
#define DATA_TYPE "(ssmsas)"
#define DATA_FORMAT "(ssms^as)"
#define FORMAT_KEY "avfs-format"
#define FORMAT "3"
#define FORMAT_NO_STARTS "2"
/* Start terms (see above) cover prefixes of up to this many characters; a longer
 * prefix begins few words, which Xapian's wildcard merges quickly (3 ms for the 11 of
 * “w123*”). Each character more cost a quarter more indexing time: 3 keeps the
 * indexing at 1.3 times its time without start terms, the index at 1.07 times its size. */
#define START_CHARS 3
/* A prefix ending a phrase may stand for at most this many words. */
#define MAX_PHRASE_EXPANSION 1000
/* Tags longer than this are stored by hash, keeping terms under Xapian's 245 bytes. */
#define MAX_TAG_TERM 200
/* Changes are committed once this many accumulate. Xapian keeps uncommitted postings
 * and positions in ordered maps whose every insertion walks a tree as deep as the
 * number of documents changed (its own threshold is 10 000): committing every 250
 * changes made indexing 10 000 documents twice as fast. */
#define COMMIT_EVERY 250
/* How a rebuild opens the index: emptied, and unsynced until its end (see below). */
#define REBUILD_FLAGS (Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC)

/* Thread safety: @lock serialises every use of @db (a WritableDatabase is not
 * thread-safe). Changes accumulate in @db until flush() or COMMIT_EVERY commits them;
 * searches run on @db itself, which sees uncommitted changes, so they need no flush.
 * @pending counts the changes not committed yet. @unsynced is set from a clear() until
 * the next flush() or optimize(): a rebuild commits without syncing (DB_NO_SYNC), because
 * a sync at each of its commits took longer than a tenth of the indexing, and syncs
 * once at the end. */
struct _AvfsSearchXapian
{
  GObject parent_instance;

  GMutex lock;
  char *directory;
  Xapian::WritableDatabase *db; /* NULL once closed */
  gboolean start_terms;         /* whether @db is in FORMAT, with start terms */
  guint pending;
  gboolean unsynced;
  gboolean shard;   /* removed when finalized */
  AvfsSearchTextFunc text_func;
  gpointer text_data;
};

/* Thrown when a phrase's prefix stands for too many words. */
struct PhraseTooWide
{
};

/* Thrown when an index holds documents in another layout than FORMAT. */
struct OutdatedFormat
{
};

static void avfs_search_xapian_iface_init (AvfsSearchIndexInterface *iface);
static AvfsSearchIndex *open_index (const char  *directory,
                                    int          flags,
                                    GError     **error);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsSearchXapian, avfs_search_xapian, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_SEARCH_INDEX,
                                                      avfs_search_xapian_iface_init))

/* Errors. Call from a catch block: rethrows the exception being handled to name it.
 * @action completes "Cannot … the search index". */
static void
set_error_from_exception (GError     **error,
                          const char  *directory,
                          const char  *action)
{
  const char *where = directory != NULL ? directory : "(none)";

  try
    {
      throw;
    }
  catch (const PhraseTooWide &)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "The prefix at the end of a phrase stands for more than %d words in this "
                   "index; type more letters before the *", MAX_PHRASE_EXPANSION);
    }
  catch (const OutdatedFormat &)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "Cannot %s the search index in “%s”: an older avfs made it; rebuild it "
                   "with “avfs-cli search --rebuild”", action, where);
    }
  catch (const Xapian::DatabaseLockError &e)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
                   "Cannot %s the search index in “%s”: another program is using it; "
                   "close it and try again", action, where);
    }
  catch (const Xapian::DatabaseNotFoundError &e)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                   "Cannot %s the search index in “%s”: there is none; rebuild it with "
                   "“avfs-cli search --rebuild”", action, where);
    }
  catch (const Xapian::DatabaseVersionError &e)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "Cannot %s the search index in “%s”: another version of Xapian made it; "
                   "rebuild it with “avfs-cli search --rebuild”", action, where);
    }
  catch (const Xapian::DatabaseCorruptError &e)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "Cannot %s the search index in “%s”: it is damaged; rebuild it with "
                   "“avfs-cli search --rebuild” (Xapian: %s)", action, where,
                   e.get_description ().c_str ());
    }
  catch (const Xapian::DatabaseError &e)
    {
      gboolean full = e.get_error_string () != NULL &&
                      strstr (e.get_error_string (), g_strerror (ENOSPC)) != NULL;

      g_set_error (error, AVFS_ERROR, full ? AVFS_ERROR_NO_SPACE : AVFS_ERROR_IO,
                   "Cannot %s the search index in “%s”: %s (Xapian: %s)", action, where,
                   full ? "the disk is full; free some space and try again"
                        : "the system refused to read or write it; check its permissions "
                          "and the disk",
                   e.get_description ().c_str ());
    }
  catch (const Xapian::Error &e)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot %s the search index in “%s” (Xapian: %s)", action, where,
                   e.get_description ().c_str ());
    }
  catch (const std::bad_alloc &e)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot %s the search index in “%s”: out of memory", action, where);
    }
  catch (const std::exception &e)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot %s the search index in “%s” (%s)", action, where, e.what ());
    }
  catch (...)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot %s the search index in “%s”: unknown error", action, where);
    }
}

static gboolean
check_open (AvfsSearchXapian  *self,
            GError           **error)
{
  if (self->db != NULL)
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CLOSED,
               "The search index in “%s” is closed; open the vault again", self->directory);
  return FALSE;
}

/* Terms and documents. */

static std::string
id_term (guint64 doc_id)
{
  char buffer[32];

  g_snprintf (buffer, sizeof buffer, PREFIX_ID "%" G_GUINT64_FORMAT, doc_id);
  return buffer;
}

static std::string
tag_term (const char *folded_tag)
{
  if (strlen (folded_tag) <= MAX_TAG_TERM)
    return std::string (PREFIX_TAG) + folded_tag;
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, folded_tag, -1);
  return std::string (PREFIX_TAG "#") + digest;
}

static std::string
encode_doc_id (guint64 doc_id)
{
  char bytes[8];

  for (int i = 7; i >= 0; i--, doc_id >>= 8)
    bytes[i] = (char) (doc_id & 0xFF);
  return std::string (bytes, sizeof bytes);
}

static guint64
decode_doc_id (const std::string &bytes)
{
  guint64 doc_id = 0;

  for (gsize i = 0; i < bytes.size () && i < 8; i++)
    doc_id = (doc_id << 8) | (guchar) bytes[i];
  return doc_id;
}

/* The tokenizer is C: exceptions from add_posting() wait here until it returns. */
typedef struct
{
  Xapian::Document *doc;
  std::string prefix;
  std::string start_prefix;  /* empty: no start terms */
  std::string term;          /* reused for each term */
  std::exception_ptr failure;
} Posting;

/* The start prefix for the terms of a field (see the top of the file). */
static std::string
start_prefix (const char *field_prefix)
{
  return *field_prefix == '\0' ? std::string (PREFIX_START) : std::string (field_prefix) + "S";
}

/* Adds the start terms of @token: its first 1, 2, … START_CHARS characters. */
static void
add_start_terms (Posting               *posting,
                 const AvfsSearchToken *token)
{
  const char *end = token->folded + token->folded_len;
  const char *p = token->folded;

  posting->term.assign (posting->start_prefix);
  for (guint chars = 0; chars < START_CHARS && p < end; chars++)
    {
      const char *next = g_utf8_next_char (p);

      posting->term.append (p, next - p);
      posting->doc->add_term (posting->term);
      p = next;
    }
}

static gboolean
add_posting_cb (const AvfsSearchToken *token,
                gpointer               user_data)
{
  Posting *posting = static_cast<Posting *> (user_data);

  try
    {
      posting->term.assign (posting->prefix).append (token->folded, token->folded_len);
      posting->doc->add_posting (posting->term, token->position + 1);
      if (!posting->start_prefix.empty ())
        add_start_terms (posting, token);
    }
  catch (...)
    {
      posting->failure = std::current_exception ();
      return FALSE;
    }
  return TRUE;
}

static void
add_text (Xapian::Document &doc,
          const char       *prefix,
          const char       *text,
          gboolean          start_terms)
{
  Posting posting;

  if (text == NULL)
    return;
  posting.doc = &doc;
  posting.prefix = prefix;
  if (start_terms)
    posting.start_prefix = start_prefix (prefix);
  avfs_search_tokenize (text, strlen (text), add_posting_cb, &posting);
  if (posting.failure)
    std::rethrow_exception (posting.failure);
}

static char **
fold_tags (const char * const *tags)
{
  GPtrArray *folded = g_ptr_array_new ();

  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    g_ptr_array_add (folded, avfs_search_fold_tag (tags[i]));
  g_ptr_array_add (folded, NULL);
  return (char **) g_ptr_array_free (folded, FALSE);
}

static std::string
encode_data (const AvfsSearchFields *fields,
             char                  **tags)
{
  g_autoptr(GVariant) data = g_variant_ref_sink (
    g_variant_new (DATA_FORMAT, fields->path, fields->name, fields->content_key, tags));

  return std::string ((const char *) g_variant_get_data (data), g_variant_get_size (data));
}

/* Returns the data as a GVariant over @bytes, which must outlive it. */
static GVariant *
decode_data (const std::string &bytes)
{
  return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (DATA_TYPE), bytes.data (),
                                                      bytes.size (), FALSE, NULL, NULL));
}

static Xapian::Document
make_document (guint64                 doc_id,
               const AvfsSearchFields *fields,
               gboolean                start_terms)
{
  g_auto(GStrv) tags = fold_tags (fields->tags);
  Xapian::Document doc;

  add_text (doc, "", fields->content, start_terms);
  add_text (doc, PREFIX_PATH, fields->path, start_terms);
  add_text (doc, PREFIX_NAME, fields->name, start_terms);
  for (guint i = 0; tags[i] != NULL; i++)
    doc.add_boolean_term (tag_term (tags[i]));
  doc.add_boolean_term (id_term (doc_id));
  doc.add_value (SLOT_DOC_ID, encode_doc_id (doc_id));
  doc.set_data (encode_data (fields, tags));
  return doc;
}

/* Counts a change; call with the lock held, inside a try block. */
static void
count_change (AvfsSearchXapian *self)
{
  if (++self->pending < COMMIT_EVERY)
    return;
  self->db->commit ();
  self->pending = 0;
}

static gboolean
avfs_search_xapian_index_document (AvfsSearchIndex         *index,
                                   guint64                  doc_id,
                                   const AvfsSearchFields  *fields,
                                   GError                 **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          self->db->replace_document (id_term (doc_id),
                                      make_document (doc_id, fields, self->start_terms));
          count_change (self);
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "update");
          g_prefix_error (error, "Cannot index “%s”: ", fields->path);
        }
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
avfs_search_xapian_remove_document (AvfsSearchIndex  *index,
                                    guint64           doc_id,
                                    GError          **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          self->db->delete_document (id_term (doc_id));
          count_change (self);
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "update");
        }
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/* Searching: the query tree becomes Xapian::Query objects; no text is ever parsed. */

/* One word of a field, or (@prefix) every word it begins: by its start term when the
 * index has one that long. */
static Xapian::Query
token_query (const AvfsSearchXapian *self,
             const char             *field_prefix,
             const char             *token,
             gboolean                prefix)
{
  std::string term = std::string (field_prefix) + token;

  if (!prefix)
    return Xapian::Query (term);
  if (self->start_terms && g_utf8_strlen (token, -1) <= START_CHARS)
    return Xapian::Query (start_prefix (field_prefix) + token);
  return Xapian::Query (Xapian::Query::OP_WILDCARD, term, 0,
                        Xapian::Query::WILDCARD_LIMIT_ERROR, Xapian::Query::OP_SYNONYM);
}

/* Xapian phrases take terms only, so a phrase ending in a prefix ("lazy do"*) becomes
 * the phrases of each word the prefix begins, ORed. */
static Xapian::Query
prefixed_phrase (const Xapian::Database &db,
                 const AvfsSearchNode   *node,
                 const char             *prefix)
{
  std::string start = std::string (prefix) + node->tokens[node->n_tokens - 1];
  std::vector<Xapian::Query> phrases;
  std::vector<std::string> terms;
  guint n_words = 0;

  for (guint i = 0; i + 1 < node->n_tokens; i++)
    terms.push_back (std::string (prefix) + node->tokens[i]);
  terms.push_back (std::string ());
  for (Xapian::TermIterator it = db.allterms_begin (start); it != db.allterms_end (start); ++it)
    {
      if (++n_words > MAX_PHRASE_EXPANSION)
        throw PhraseTooWide ();
      terms.back () = *it;
      phrases.push_back (Xapian::Query (Xapian::Query::OP_PHRASE, terms.begin (), terms.end (),
                                        terms.size ()));
    }
  return Xapian::Query (Xapian::Query::OP_OR, phrases.begin (), phrases.end ());
}

static Xapian::Query
words_in_field (const AvfsSearchXapian *self,
                const AvfsSearchNode   *node,
                const char             *prefix)
{
  std::vector<std::string> terms;

  if (node->n_tokens == 1)
    return token_query (self, prefix, node->tokens[0], node->prefix);
  if (node->prefix)
    return prefixed_phrase (*self->db, node, prefix);
  for (guint i = 0; i < node->n_tokens; i++)
    terms.push_back (std::string (prefix) + node->tokens[i]);
  return Xapian::Query (Xapian::Query::OP_PHRASE, terms.begin (), terms.end (), terms.size ());
}

static Xapian::Query
words_query (const AvfsSearchXapian  *self,
             const AvfsSearchNode    *node,
             const AvfsSearchOptions *options)
{
  AvfsSearchField fields = avfs_search_node_fields (node, options);
  std::vector<Xapian::Query> parts;

  if (fields & AVFS_SEARCH_FIELD_CONTENT)
    parts.push_back (words_in_field (self, node, ""));
  if (fields & AVFS_SEARCH_FIELD_PATH)
    parts.push_back (words_in_field (self, node, PREFIX_PATH));
  if (fields & AVFS_SEARCH_FIELD_NAME)
    parts.push_back (words_in_field (self, node, PREFIX_NAME));
  if (parts.size () == 1)
    return parts[0];
  return Xapian::Query (Xapian::Query::OP_OR, parts.begin (), parts.end ());
}

static Xapian::Query
build_query (const AvfsSearchXapian  *self,
             const AvfsSearchNode    *node,
             const AvfsSearchOptions *options)
{
  std::vector<Xapian::Query> parts;

  switch (node->kind)
    {
    case AVFS_SEARCH_NODE_WORDS:
      return words_query (self, node, options);
    case AVFS_SEARCH_NODE_TAG:
      /* A filter: it selects, but adds nothing to the score. */
      return Xapian::Query (Xapian::Query::OP_SCALE_WEIGHT,
                            Xapian::Query (tag_term (node->tag)), 0.0);
    case AVFS_SEARCH_NODE_OR:
    case AVFS_SEARCH_NODE_AND:
      for (guint i = 0; i < node->children->len; i++)
        parts.push_back (build_query (self, (const AvfsSearchNode *) node->children->pdata[i],
                                      options));
      if (node->kind == AVFS_SEARCH_NODE_OR)
        return Xapian::Query (Xapian::Query::OP_OR, parts.begin (), parts.end ());
      {
        Xapian::Query wanted (Xapian::Query::OP_AND, parts.begin (), parts.end ());
        std::vector<Xapian::Query> excluded;

        if (node->excluded->len == 0)
          return wanted;
        for (guint i = 0; i < node->excluded->len; i++)
          excluded.push_back (build_query (self, (const AvfsSearchNode *) node->excluded->pdata[i],
                                           options));
        Xapian::Query unwanted (Xapian::Query::OP_OR, excluded.begin (), excluded.end ());

        return Xapian::Query (Xapian::Query::OP_AND_NOT, wanted, unwanted);
      }
    default:
      g_assert_not_reached ();
    }
  return Xapian::Query ();
}

/* Whether @node is one term of the index: a word, or a prefix with a start term. */
static gboolean
is_one_term (const AvfsSearchXapian *self,
             const AvfsSearchNode   *node)
{
  if (node->kind != AVFS_SEARCH_NODE_WORDS || node->n_tokens != 1)
    return FALSE;
  return !node->prefix || (self->start_terms && g_utf8_strlen (node->tokens[0], -1) <= START_CHARS);
}

/* One page of hits, with the exact total. Checking every matching document makes it
 * exact, but for a single term Xapian knows it from the term's frequency (when at most
 * one of the fields searched holds the term) while it ranks only the documents that can
 * still make the page. */
static Xapian::MSet
get_page (const AvfsSearchXapian  *self,
          Xapian::Enquire         &enquire,
          const AvfsSearchNode    *root,
          const AvfsSearchOptions *options,
          Xapian::doccount         n_docs)
{
  Xapian::doccount limit = MIN (options->limit, n_docs);

  if (is_one_term (self, root))
    {
      Xapian::MSet mset = enquire.get_mset (options->offset, limit);

      if (mset.get_matches_lower_bound () == mset.get_matches_upper_bound ())
        return mset;
    }
  return enquire.get_mset (options->offset, limit, n_docs);
}

static void
run_search (AvfsSearchXapian        *self,
            const AvfsSearchQuery   *query,
            const AvfsSearchOptions *options,
            AvfsSearchResults       *results)
{
  Xapian::Enquire enquire (*self->db);
  Xapian::doccount n_docs = self->db->get_doccount ();

  enquire.set_query (build_query (self, avfs_search_query_get_root (query), options));
  /* k1 = 1.2 and b = 0.75 as on the other engines (Xapian's defaults are 1 and 0.5). */
  enquire.set_weighting_scheme (Xapian::BM25Weight (1.2, 0, 1, 0.75, 0.5));
  enquire.set_sort_by_relevance_then_value (SLOT_DOC_ID, false);
  Xapian::MSet mset = get_page (self, enquire, avfs_search_query_get_root (query), options,
                                n_docs);
  results->total = mset.get_matches_estimated ();
  for (Xapian::MSetIterator it = mset.begin (); it != mset.end (); ++it)
    {
      Xapian::Document doc = it.get_document ();
      std::string bytes = doc.get_data ();
      g_autoptr(GVariant) data = decode_data (bytes);
      const char *path = NULL;

      g_variant_get (data, "(&s&sm&s@as)", &path, NULL, NULL, NULL);
      g_ptr_array_add (results->hits,
                       avfs_search_hit_new (decode_doc_id (doc.get_value (SLOT_DOC_ID)), path,
                                            it.get_weight ()));
    }
}

/* Outside the lock: the text function reads the vault, which may be slow. */
static void
highlight_hits (AvfsSearchXapian        *self,
                const AvfsSearchQuery   *query,
                const AvfsSearchOptions *options,
                AvfsSearchResults       *results)
{
  for (guint i = 0; i < results->hits->len; i++)
    {
      AvfsSearchHit *hit = (AvfsSearchHit *) g_ptr_array_index (results->hits, i);
      g_autofree char *text = NULL;

      if (self->text_func != NULL)
        text = self->text_func (hit->doc_id, self->text_data);
      avfs_search_hit_highlight (hit, query, options, text, -1);
    }
}

static gboolean
avfs_search_xapian_search (AvfsSearchIndex          *index,
                           const AvfsSearchQuery    *query,
                           const AvfsSearchOptions  *options,
                           AvfsSearchResults        *results,
                           GError                  **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          run_search (self, query, options, results);
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "search");
        }
    }
  g_mutex_unlock (&self->lock);
  if (ok && options->highlight)
    highlight_hits (self, query, options, results);
  return ok;
}

/* Reading back. */

/* Runs @read on the open index with the lock held; %FALSE with @error when it throws. */
template <typename Read>
static gboolean
read_locked (AvfsSearchXapian  *self,
             GError           **error,
             Read               read)
{
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          read ();
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "read");
        }
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
avfs_search_xapian_count (AvfsSearchIndex  *index,
                          guint64          *count,
                          GError          **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);

  return read_locked (self, error, [&] { *count = self->db->get_doccount (); });
}

static AvfsSearchDocument *
read_document (AvfsSearchXapian *self,
               guint64           doc_id)
{
  std::string term = id_term (doc_id);
  Xapian::PostingIterator it = self->db->postlist_begin (term);
  AvfsSearchDocument *document;

  if (it == self->db->postlist_end (term))
    return NULL;
  std::string bytes = self->db->get_document (*it).get_data ();
  g_autoptr(GVariant) data = decode_data (bytes);
  document = g_new0 (AvfsSearchDocument, 1);
  g_variant_get (data, DATA_FORMAT, &document->path, &document->name,
                 &document->content_key, &document->tags);
  return document;
}

static AvfsSearchDocument *
avfs_search_xapian_get_document (AvfsSearchIndex  *index,
                                 guint64           doc_id,
                                 GError          **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  AvfsSearchDocument *document = NULL;
  gboolean failed = FALSE;

  g_mutex_lock (&self->lock);
  if (!check_open (self, error))
    failed = TRUE;
  else
    {
      try
        {
          document = read_document (self, doc_id);
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "read");
          failed = TRUE;
        }
    }
  g_mutex_unlock (&self->lock);
  if (document == NULL && !failed)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                 "Document %" G_GUINT64_FORMAT " is not in the search index", doc_id);
  return document;
}

static int
guint64_compare (gconstpointer a,
                 gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static GArray *
avfs_search_xapian_list_documents (AvfsSearchIndex  *index,
                                   GError          **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          for (Xapian::ValueIterator it = self->db->valuestream_begin (SLOT_DOC_ID);
               it != self->db->valuestream_end (SLOT_DOC_ID); ++it)
            {
              guint64 id = decode_doc_id (*it);
              g_array_append_val (ids, id);
            }
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "read");
        }
    }
  g_mutex_unlock (&self->lock);
  if (!ok)
    return NULL;
  g_array_sort (ids, guint64_compare);
  return (GArray *) g_steal_pointer (&ids);
}

/* Maintenance. */

/* Opens @self's index into @self->db, marking an empty one with FORMAT; throws
 * OutdatedFormat for documents in a layout without a mark. */
static void
open_db (AvfsSearchXapian *self,
         int               flags)
{
  Xapian::WritableDatabase *db = new Xapian::WritableDatabase (self->directory, flags);

  try
    {
      std::string format = db->get_metadata (FORMAT_KEY);

      if (format != FORMAT && db->get_doccount () > 0)
        {
          if (format != FORMAT_NO_STARTS)
            throw OutdatedFormat ();
        }
      else if (format != FORMAT)
        {
          db->set_metadata (FORMAT_KEY, FORMAT);
          format = FORMAT;
        }
      self->start_terms = format == FORMAT;
    }
  catch (...)
    {
      delete db;
      throw;
    }
  self->db = db;
}

/* Throws a Xapian::DatabaseError (so errors are named as Xapian's are) for errno. */
static void
sync_path (const char *path)
{
  int fd = g_open (path, O_RDONLY, 0);
  int saved_errno;

  if (fd < 0)
    throw Xapian::DatabaseError (std::string ("Cannot open ") + path, errno);
  if (g_fsync (fd) == 0)
    {
      g_close (fd, NULL);
      return;
    }
  saved_errno = errno;
  g_close (fd, NULL);
  throw Xapian::DatabaseError (std::string ("Cannot sync ") + path, saved_errno);
}

/* What DB_NO_SYNC left to the system: every file of the (flat) index, then its
 * directory. */
static void
sync_directory (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);
      sync_path (path);
    }
  sync_path (directory);
}

/* After a commit: syncs what was committed unsynced since a clear() and opens the index
 * again without DB_NO_SYNC. */
static void
sync_rebuild (AvfsSearchXapian *self)
{
  if (!self->unsynced)
    return;
  self->db->close ();
  delete self->db;
  self->db = NULL;
  sync_directory (self->directory);
  open_db (self, Xapian::DB_OPEN);
  self->unsynced = FALSE;
}

static gboolean
avfs_search_xapian_flush (AvfsSearchIndex  *index,
                          GError          **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          self->db->commit ();
          self->pending = 0;
          sync_rebuild (self);
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "save");
        }
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/* Starts an empty index in place of the old one (which goes when this commits): the
 * start of a rebuild, so unsynced until the next flush() or optimize(). */
static gboolean
avfs_search_xapian_clear (AvfsSearchIndex  *index,
                          GError          **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          self->db->close ();
          delete self->db;
          self->db = NULL;
          open_db (self, REBUILD_FLAGS);
          self->pending = 0;
          self->unsynced = TRUE;
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "clear");
        }
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/* Removes a directory and everything in it. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_rmdir (path);
}

static char *
sibling (const char *directory,
         const char *suffix)
{
  g_autofree char *trimmed = g_strdup (directory);
  gsize len = strlen (trimmed);

  while (len > 1 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  return g_strconcat (trimmed, suffix, NULL);
}

static char *
shard_directory (const char *directory,
                 guint       shard)
{
  g_autofree char *suffix = g_strdup_printf (".shard-%u", shard);

  return sibling (directory, suffix);
}

/* After a crash in the middle of a swap: put the old index back where it belongs. */
static void
recover_swap (const char *directory)
{
  g_autofree char *old = sibling (directory, ".old");

  if (!g_file_test (directory, G_FILE_TEST_EXISTS) && g_file_test (old, G_FILE_TEST_IS_DIR))
    g_rename (old, directory);
  if (g_file_test (old, G_FILE_TEST_IS_DIR))
    remove_tree (old);
}

/* Removes what a compaction or a rebuild in shards left when it stopped half-way. Only
 * the holder of the index's write lock may: they are its work. */
static void
remove_leftovers (const char *directory)
{
  g_autofree char *compacting = sibling (directory, ".compacting");

  if (g_file_test (compacting, G_FILE_TEST_IS_DIR))
    remove_tree (compacting);
  for (guint i = 0; i < AVFS_SEARCH_XAPIAN_MAX_SHARDS; i++)
    {
      g_autofree char *shard = shard_directory (directory, i);

      if (g_file_test (shard, G_FILE_TEST_IS_DIR))
        remove_tree (shard);
    }
}

/* Compacts @source into DIR.compacting, then swaps that in for @self's index through
 * DIR.old. */
static void
swap_in (AvfsSearchXapian  *self,
         Xapian::Database  &source)
{
  g_autofree char *compacting = sibling (self->directory, ".compacting");
  g_autofree char *old = sibling (self->directory, ".old");

  remove_tree (compacting);
  source.compact (compacting);
  self->db->close ();
  delete self->db;
  self->db = NULL;
  if (g_rename (self->directory, old) == 0)
    {
      if (g_rename (compacting, self->directory) != 0)
        g_rename (old, self->directory);
    }
  recover_swap (self->directory);
  open_db (self, Xapian::DB_OPEN);
  remove_leftovers (self->directory);
  /* Xapian syncs what it compacts. */
  self->unsynced = FALSE;
}

static void
compact (AvfsSearchXapian *self)
{
  self->db->commit ();
  self->pending = 0;
  swap_in (self, *self->db);
}

/* After a failed swap_in(): the index back in place and open again, if it can be. */
static void
reopen_after_failure (AvfsSearchXapian *self)
{
  recover_swap (self->directory);
  if (self->db != NULL)
    return;
  try
    {
      open_db (self, Xapian::DB_OPEN);
      remove_leftovers (self->directory);
    }
  catch (...)
    {
      /* Left closed: the next call says so. */
    }
}

static gboolean
avfs_search_xapian_optimize (AvfsSearchIndex  *index,
                             GError          **error)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (index);
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          compact (self);
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "optimize");
          reopen_after_failure (self);
        }
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * avfs_search_xapian_get_last_id:
 * @self: an index
 * @last_id: (out): no document has a larger doc_id (0 for an empty index)
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_xapian_get_last_id (AvfsSearchXapian  *self,
                                guint64           *last_id,
                                GError           **error)
{
  g_return_val_if_fail (AVFS_IS_SEARCH_XAPIAN (self), FALSE);

  /* An upper bound: removals may leave it above the largest id left. */
  return read_locked (self, error, [&] {
    *last_id = decode_doc_id (self->db->get_value_upper_bound (SLOT_DOC_ID));
  });
}

/**
 * avfs_search_xapian_open_shard:
 * @self: the index a rebuild in shards replaces
 * @shard: which shard, below %AVFS_SEARCH_XAPIAN_MAX_SHARDS
 * @error: return location for an error
 *
 * Opens an empty index beside @self's, for one thread of a rebuild to fill; hand every
 * shard to avfs_search_xapian_merge_shards() at the end. A shard is removed from disk
 * when it is finalized, merged or not; those of a process that died are removed when
 * the index is next opened.
 *
 * Returns: (transfer full): the shard, or %NULL on error
 */
AvfsSearchIndex *
avfs_search_xapian_open_shard (AvfsSearchXapian  *self,
                               guint              shard,
                               GError           **error)
{
  g_autofree char *directory = NULL;
  AvfsSearchIndex *index;

  g_return_val_if_fail (AVFS_IS_SEARCH_XAPIAN (self), NULL);
  g_return_val_if_fail (shard < AVFS_SEARCH_XAPIAN_MAX_SHARDS, NULL);

  directory = shard_directory (self->directory, shard);
  if ((index = open_index (directory, REBUILD_FLAGS, error)) != NULL)
    AVFS_SEARCH_XAPIAN (index)->shard = TRUE;
  return index;
}

/* Commits and closes @shard, unsynced: it is read once more, to be merged. Its filling
 * is over, so nothing else uses it. */
static void
close_shard (AvfsSearchXapian *shard)
{
  Xapian::WritableDatabase *db = shard->db;

  shard->db = NULL;
  shard->unsynced = FALSE;
  if (db == NULL)
    return;
  try
    {
      db->commit ();
      db->close ();
    }
  catch (...)
    {
      delete db;
      throw;
    }
  delete db;
}

static void
merge (AvfsSearchXapian        *self,
       AvfsSearchIndex * const *shards,
       guint                    n_shards,
       gboolean                 keep)
{
  Xapian::Database merged;

  self->db->commit ();
  self->pending = 0;
  if (keep)
    merged.add_database (*self->db);
  for (guint i = 0; i < n_shards; i++)
    {
      AvfsSearchXapian *shard = AVFS_SEARCH_XAPIAN (shards[i]);

      close_shard (shard);
      merged.add_database (Xapian::Database (shard->directory));
    }
  swap_in (self, merged);
}

/**
 * avfs_search_xapian_merge_shards:
 * @self: the index to replace
 * @shards: (array length=n_shards): the shards of a rebuild, from
 *   avfs_search_xapian_open_shard()
 * @n_shards: how many
 * @keep: whether @self keeps its documents (then the shards must hold none of them)
 * @error: return location for an error
 *
 * Replaces what @self holds with the documents of every shard, and of @self itself when
 * @keep is set, compacted into one index and synced (as optimize() leaves it). The
 * shards are closed; they are removed when they are finalized.
 *
 * Returns: %TRUE on success; on failure @self still holds what it held
 */
gboolean
avfs_search_xapian_merge_shards (AvfsSearchXapian        *self,
                                 AvfsSearchIndex * const *shards,
                                 guint                    n_shards,
                                 gboolean                 keep,
                                 GError                 **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (AVFS_IS_SEARCH_XAPIAN (self), FALSE);

  g_mutex_lock (&self->lock);
  if (check_open (self, error))
    {
      try
        {
          merge (self, shards, n_shards, keep);
          ok = TRUE;
        }
      catch (...)
        {
          set_error_from_exception (error, self->directory, "rebuild");
          reopen_after_failure (self);
        }
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static const char *
avfs_search_xapian_get_engine_name (AvfsSearchIndex *index)
{
  return "xapian";
}

/* Call with the lock held. */
static gboolean
close_db (AvfsSearchXapian  *self,
          GError           **error)
{
  gboolean ok = TRUE;

  if (self->db == NULL)
    return TRUE;
  try
    {
      self->db->commit ();
      self->db->close ();
      if (self->unsynced)
        sync_directory (self->directory);
      self->unsynced = FALSE;
    }
  catch (...)
    {
      set_error_from_exception (error, self->directory, "close");
      ok = FALSE;
    }
  delete self->db;
  self->db = NULL;
  return ok;
}

/**
 * avfs_search_xapian_close:
 * @self: an index
 * @error: return location for an error
 *
 * Commits what is pending and closes the index (releasing its lock). Later calls fail
 * with %AVFS_ERROR_CLOSED. Closing twice is not an error.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_xapian_close (AvfsSearchXapian  *self,
                          GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (AVFS_IS_SEARCH_XAPIAN (self), FALSE);

  g_mutex_lock (&self->lock);
  ok = close_db (self, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * avfs_search_xapian_get_pending:
 * @self: an index
 *
 * Returns: how many changes are not committed yet (flush() commits them, and so does
 *   the index itself every few hundred changes)
 */
guint
avfs_search_xapian_get_pending (AvfsSearchXapian *self)
{
  guint pending;

  g_return_val_if_fail (AVFS_IS_SEARCH_XAPIAN (self), 0);

  g_mutex_lock (&self->lock);
  pending = self->pending;
  g_mutex_unlock (&self->lock);
  return pending;
}

/**
 * avfs_search_xapian_set_text_func:
 * @self: an index
 * @func: (nullable): gives a document's text
 * @user_data: for @func, which must stay valid while @self is used
 *
 * The index keeps no text: a hit's snippet is made from the text @func gives. Without
 * one, hits have no snippet (their path is marked still). Call before searching.
 */
void
avfs_search_xapian_set_text_func (AvfsSearchXapian   *self,
                                  AvfsSearchTextFunc  func,
                                  gpointer            user_data)
{
  g_return_if_fail (AVFS_IS_SEARCH_XAPIAN (self));

  self->text_func = func;
  self->text_data = user_data;
}

static void
avfs_search_xapian_finalize (GObject *object)
{
  AvfsSearchXapian *self = AVFS_SEARCH_XAPIAN (object);
  g_autoptr(GError) error = NULL;

  if (self->shard)
    self->unsynced = FALSE;
  if (!close_db (self, &error))
    g_debug ("%s", error->message);
  if (self->shard)
    remove_tree (self->directory);
  g_free (self->directory);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (avfs_search_xapian_parent_class)->finalize (object);
}

static void
avfs_search_xapian_class_init (AvfsSearchXapianClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_search_xapian_finalize;
}

static void
avfs_search_xapian_init (AvfsSearchXapian *self)
{
  g_mutex_init (&self->lock);
}

static void
avfs_search_xapian_iface_init (AvfsSearchIndexInterface *iface)
{
  iface->get_engine_name = avfs_search_xapian_get_engine_name;
  iface->index_document = avfs_search_xapian_index_document;
  iface->remove_document = avfs_search_xapian_remove_document;
  iface->search = avfs_search_xapian_search;
  iface->count = avfs_search_xapian_count;
  iface->get_document = avfs_search_xapian_get_document;
  iface->list_documents = avfs_search_xapian_list_documents;
  iface->clear = avfs_search_xapian_clear;
  iface->flush = avfs_search_xapian_flush;
  iface->optimize = avfs_search_xapian_optimize;
}

static AvfsSearchIndex *
open_index (const char  *directory,
            int          flags,
            GError     **error)
{
  AvfsSearchXapian *self;

  recover_swap (directory);
  self = AVFS_SEARCH_XAPIAN (g_object_new (AVFS_TYPE_SEARCH_XAPIAN, NULL));
  self->directory = g_strdup (directory);
  self->unsynced = (flags & Xapian::DB_NO_SYNC) != 0;
  try
    {
      open_db (self, flags);
      remove_leftovers (directory);
    }
  catch (...)
    {
      set_error_from_exception (error, directory, "open");
      g_object_unref (self);
      return NULL;
    }
  return AVFS_SEARCH_INDEX (self);
}

/**
 * avfs_search_xapian_open:
 * @directory: the index's directory (the vault uses `NAME.lmdb/search/`)
 * @create: whether to create the index if it is missing
 * @error: return location for an error
 *
 * Opens a Xapian index for writing; one process at a time may hold it (another gets
 * %AVFS_ERROR_LOCKED). index() and remove() accumulate in memory and are committed every
 * few hundred changes; flush() commits the rest, and close or unref commits what is
 * left. Searches see uncommitted changes. Thread-safe.
 *
 * Returns: (transfer full): the index, or %NULL on error
 */
AvfsSearchIndex *
avfs_search_xapian_open (const char  *directory,
                         gboolean     create,
                         GError     **error)
{
  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_index (directory, create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN, error);
}

/**
 * avfs_search_xapian_open_empty:
 * @directory: as for avfs_search_xapian_open()
 * @error: return location for an error
 *
 * Opens the index in @directory emptied, whatever it held, even an index too damaged to
 * open: the start of a rebuild, as avfs_search_index_clear() is on an open index. Until
 * the next flush() or optimize() it commits without syncing to disk.
 *
 * Returns: (transfer full): the index, or %NULL on error
 */
AvfsSearchIndex *
avfs_search_xapian_open_empty (const char  *directory,
                               GError     **error)
{
  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_index (directory, REBUILD_FLAGS, error);
}
