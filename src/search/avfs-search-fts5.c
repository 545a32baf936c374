/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchFts5: an external-content FTS5 table over a documents table, ranked by BM25. */
#include <math.h>
#include <string.h>
#include <zstd.h>

#include "avfs-search-fts5.h"
#include "avfs-search-private.h"

/* Schema, for the default prefix "search":
 *
 *   search_docs    (doc_id INTEGER PRIMARY KEY, path, name, tags, body, tag_list,
 *                   content_ref)
 *   search_content VIEW: search_docs with each body as text (avfs_text (body, content_ref))
 *   search_fts     USING fts5 (body, path, name, tags, content='search_content',
 *                              content_rowid='doc_id', columnsize=0, tokenize='avfs')
 *   search_lengths (doc_id INTEGER PRIMARY KEY, len)
 *
 * search_fts holds only the inverted index and reads its columns through search_content
 * (external content). FTS5 needs a document's old text to delete it, and snippets need
 * text too. A vault's index keeps no copy of that text: search_docs keeps the content_ref
 * the vault indexed it with, and the index reads the text back through the vault's text
 * function (avfs_search_fts5_set_text_func()) from the vault's own blobs, which stay until
 * `gc`, after the document is gone. The copy was 44% of the index (a quarter of the
 * vault) and a tenth of an import's time. Without a text function (or a content_ref)
 * the body is kept in search_docs itself, compressed: a zstd frame (a BLOB) when that is
 * smaller. Every read of it goes through avfs_text(), which gives text back either way.
 * Indexes made before the view read search_docs directly (content='search_docs') until a
 * rebuild.
 * FTS5 reads its content only for verify's check of its word lists
 * (avfs_search_fts5_check_postings()), which skips those older indexes: it would read
 * their compressed bodies as they are stored.
 *
 * `tags` holds one token per tag (avfs_search_tag_token()), so tag: matches whole tags;
 * tag_list keeps the folded tags themselves, one per line, for reading back.
 *
 * The tokenizer is ours (`avfs`, registered on every connection the index is lent), so
 * FTS5 splits and folds words exactly as the Xapian and memory engines do.
 *
 * Ranking is our own BM25 (`avfs_bm25`, k1 = 1.2, b = 0.75, as on the other engines)
 * rather than FTS5's bm25(): that one reads each matching row's length from FTS5's
 * docsize table through an SQL statement, about 2 µs a row, 25 ms for a word in all of
 * 10 000 documents. search_lengths keeps the same lengths (tokens in all columns, counted
 * as FTS5 indexes them) in a table small enough to join: 2.5 times faster. */

#define TOKENIZER_NAME "avfs"
#define RANK_FUNCTION "avfs_bm25"
#define TEXT_FUNCTION "avfs_text"
/* zstd's fastest level: the copy is compressed in the write's transaction. */
#define BODY_LEVEL 1
#define BM25_K1 1.2
#define BM25_B 0.75
#define SAVEPOINT_NAME "avfs_search"

enum
{
  STMT_PIN,
  STMT_OLD_DOC,
  STMT_DELETE_FTS,
  STMT_UPSERT_DOC,
  STMT_INSERT_FTS,
  STMT_DELETE_DOC,
  STMT_UPSERT_LENGTH,
  STMT_DELETE_LENGTH,
  STMT_SEARCH,
  STMT_COUNT_MATCHES,
  STMT_GET_DOC,
  STMT_COUNT_DOCS,
  STMT_LIST_DOCS,
  STMT_ROWID_SPAN,
  N_STATEMENTS
};

/* %1$s is the prefix. */
static const char * const statement_sql[N_STATEMENTS] = {
  [STMT_PIN] = "SELECT 1",
  [STMT_OLD_DOC] = "SELECT path, name, tags, " TEXT_FUNCTION " (body), content_ref "
                   "FROM \"%1$s_docs\" WHERE doc_id = ?1",
  [STMT_DELETE_FTS] = "INSERT INTO \"%1$s_fts\" (\"%1$s_fts\", rowid, body, path, name, tags) "
                      "VALUES ('delete', ?1, ?2, ?3, ?4, ?5)",
  [STMT_UPSERT_DOC] = "INSERT OR REPLACE INTO \"%1$s_docs\" "
                      "(doc_id, path, name, tags, body, tag_list, content_ref) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_INSERT_FTS] = "INSERT INTO \"%1$s_fts\" (rowid, path, name, tags, body) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
  [STMT_DELETE_DOC] = "DELETE FROM \"%1$s_docs\" WHERE doc_id = ?1",
  [STMT_UPSERT_LENGTH] = "INSERT OR REPLACE INTO \"%1$s_lengths\" (doc_id, len) VALUES (?1, ?2)",
  [STMT_DELETE_LENGTH] = "DELETE FROM \"%1$s_lengths\" WHERE doc_id = ?1",
  [STMT_SEARCH] = "SELECT \"%1$s_fts\".rowid, "
                  RANK_FUNCTION " (\"%1$s_fts\", l.len, ?2, ?5) AS score FROM \"%1$s_fts\" "
                  "LEFT JOIN \"%1$s_lengths\" l ON l.doc_id = \"%1$s_fts\".rowid "
                  "WHERE \"%1$s_fts\" MATCH ?1 AND \"%1$s_fts\".rowid BETWEEN ?6 AND ?7 "
                  "ORDER BY score DESC, \"%1$s_fts\".rowid LIMIT ?3 OFFSET ?4",
  [STMT_COUNT_MATCHES] = "SELECT count(*) FROM \"%1$s_fts\" WHERE \"%1$s_fts\" MATCH ?1",
  [STMT_GET_DOC] = "SELECT path, name, " TEXT_FUNCTION " (body), tag_list, content_ref "
                   "FROM \"%1$s_docs\" WHERE doc_id = ?1",
  [STMT_COUNT_DOCS] = "SELECT count(*) FROM \"%1$s_docs\"",
  [STMT_LIST_DOCS] = "SELECT doc_id FROM \"%1$s_docs\"",
  /* Two subqueries: SQLite reads a lone min() or max() off the B-tree's end. */
  [STMT_ROWID_SPAN] = "SELECT (SELECT min (doc_id) FROM \"%1$s_lengths\"), "
                      "(SELECT max (doc_id) FROM \"%1$s_lengths\")",
};

/* FTS5 merges its segments a level at a time once `automerge` of them have gathered. With
 * its default of 4, merging was a third of what FTS5 alone spent indexing the scale tree
 * (100,000 files, a transaction a thousand: 7.5 s, 4.7 s with 16), and no query measured
 * slower (docs/search.md). Set once: an index without the setting gets it at the next
 * writer's open. */
#define AUTOMERGE "16"

/* FTS5 gathers a transaction's new terms in memory and writes them out as a segment
 * whenever they pass `hashsize` bytes, 1 MiB by default. An import's transaction of a
 * thousand small files holds 2–3 MiB of them: with the default it left three segments a
 * transaction to merge, and 10 MB of freed pages in the 100,000-file vault (304 → 294
 * MB with 4 MiB, no slower). Set once, as AUTOMERGE is. */
#define HASHSIZE "4194304"

/* The body comes first: FTS5 marks every position list outside its first column with
 * the column's number, which for the body, four columns in, made the index 40% larger.
 * Columns are only ever named, so an index made before (path, name, tags, body) works
 * as it is until a rebuild recreates it (clear_sql). columnsize=0: ranking reads the
 * lengths from search_lengths, and FTS5's own table of them was a second copy (1.4 MB
 * for 100,000 files); an index made before keeps it. */
#define CREATE_VIEW_SQL \
  "CREATE VIEW IF NOT EXISTS \"%1$s_content\" AS SELECT doc_id, path, name, tags, " \
  TEXT_FUNCTION " (body, content_ref) AS body FROM \"%1$s_docs\";"
#define CREATE_FTS_SQL(if_not_exists) \
  CREATE_VIEW_SQL \
  "CREATE VIRTUAL TABLE " if_not_exists "\"%1$s_fts\" USING fts5 (body, path, name, tags, " \
  "content='%1$s_content', content_rowid='doc_id', columnsize=0, " \
  "tokenize='" TOKENIZER_NAME "');" \
  "INSERT INTO \"%1$s_fts\" (\"%1$s_fts\", rank) SELECT 'automerge', " AUTOMERGE " " \
  "WHERE NOT EXISTS (SELECT 1 FROM \"%1$s_fts_config\" WHERE k = 'automerge');" \
  "INSERT INTO \"%1$s_fts\" (\"%1$s_fts\", rank) SELECT 'hashsize', " HASHSIZE " " \
  "WHERE NOT EXISTS (SELECT 1 FROM \"%1$s_fts_config\" WHERE k = 'hashsize');"

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS \"%1$s_docs\" (doc_id INTEGER PRIMARY KEY, path TEXT NOT NULL, "
  "name TEXT NOT NULL, tags TEXT NOT NULL, body TEXT, tag_list TEXT NOT NULL, "
  "content_ref BLOB);"
  CREATE_FTS_SQL ("IF NOT EXISTS ")
  "CREATE TABLE IF NOT EXISTS \"%1$s_lengths\" (doc_id INTEGER PRIMARY KEY, len INTEGER NOT NULL);";

/* An index made before content_ref gets the column, and a view that reads it. */
static const char has_content_ref_sql[] =
  "SELECT 1 FROM pragma_table_info ('%1$s_docs') WHERE name = 'content_ref'";
static const char add_content_ref_sql[] =
  "ALTER TABLE \"%1$s_docs\" ADD COLUMN content_ref BLOB;"
  "DROP VIEW IF EXISTS \"%1$s_content\";" CREATE_VIEW_SQL;

static const char clear_sql[] =
  "DROP TABLE \"%1$s_fts\";" CREATE_FTS_SQL ("")
  "DELETE FROM \"%1$s_docs\"; DELETE FROM \"%1$s_lengths\";";

/* A connection the index has been lent, with its prepared statements. Connections are
 * remembered by address: a connection closed with sqlite3_close_v2() while it holds our
 * statements stays allocated (a zombie) until they are finalized, so an address is
 * never reused for another connection while it is in the table. One statement is
 * prepared as soon as a connection is seen, to hold it so. */
typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *statements[N_STATEMENTS];
  ZSTD_CCtx *compress; /* for the bodies it writes; made at the first */
} Connection;

/* The index's text function, shared by reference with every connection avfs_text() is
 * registered on: a connection may outlive the index, which unsets @func as it goes. */
typedef struct
{
  AvfsSearchFts5TextFunc func;
  gpointer user_data;
} TextSource;

/* Thread safety: @lock guards @connections only; a connection itself is used by one
 * thread at a time, as the acquire function promises. */
struct _AvfsSearchFts5
{
  GObject parent_instance;

  AvfsSearchFts5AcquireFunc acquire;
  AvfsSearchFts5ReleaseFunc release;
  gpointer user_data;
  GDestroyNotify destroy;
  char *prefix;
  TextSource *source;

  GMutex lock;
  GHashTable *connections; /* sqlite3 * → Connection */

  /* For avfs_search_fts5_new_for_connection(). */
  sqlite3 *single_db;
  GMutex single_lock;
};

static void avfs_search_fts5_iface_init (AvfsSearchIndexInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsSearchFts5, avfs_search_fts5, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_SEARCH_INDEX,
                                                      avfs_search_fts5_iface_init))

/* Errors: @action completes "Cannot … the search index". */

static void
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  const char  *action,
                  int          rc)
{
  const char *file = db != NULL ? sqlite3_db_filename (db, "main") : NULL;
  const char *where = file != NULL && *file != '\0' ? file : "(memory)";
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int code;
  const char *advice;

  switch (rc & 0xFF)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = AVFS_ERROR_LOCKED;
      advice = "another program keeps the vault busy; try again when it is done";
      break;
    case SQLITE_FULL:
      code = AVFS_ERROR_NO_SPACE;
      advice = "the disk is full; free some space and try again";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = AVFS_ERROR_CORRUPT;
      advice = "it is damaged; rebuild it with “avfs-cli search --rebuild”";
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = AVFS_ERROR_IO;
      advice = "the system refused to read or write the vault; check its permissions and the disk";
      break;
    default:
      code = AVFS_ERROR_FAILED;
      advice = "rebuilding it with “avfs-cli search --rebuild” may help";
      break;
    }
  g_set_error (error, AVFS_ERROR, code, "Cannot %s the search index in “%s”: %s (SQLite: %s)",
               action, where, advice, detail);
}

/* The tokenizer FTS5 calls: the same avfs_search_tokenize() the other engines use. */

typedef struct
{
  void *ctx;
  int (*emit) (void *, int, const char *, int, int, int);
  int rc;
  guint n_tokens;
} TokenizeCall;

static gboolean
fts5_token_cb (const AvfsSearchToken *token,
               gpointer               user_data)
{
  TokenizeCall *call = user_data;

  call->rc = call->emit (call->ctx, 0, token->folded, (int) token->folded_len,
                         (int) token->start, (int) token->end);
  call->n_tokens++;
  return call->rc == SQLITE_OK;
}

/* While an index() inserts a row, the tokens FTS5 indexes for it are counted here
 * (FTS5 tokenizes on the inserting thread, inside sqlite3_step()). */
static _Thread_local guint64 *indexed_tokens;

static int
fts5_tokenize (Fts5Tokenizer *tokenizer,
               void          *ctx,
               int            flags,
               const char    *text,
               int            len,
               int          (*emit) (void *, int, const char *, int, int, int))
{
  TokenizeCall call = { ctx, emit, SQLITE_OK, 0 };

  if (text != NULL && len > 0)
    avfs_search_tokenize (text, len, fts5_token_cb, &call);
  if (indexed_tokens != NULL && (flags & FTS5_TOKENIZE_DOCUMENT) != 0)
    *indexed_tokens += call.n_tokens;
  return call.rc;
}

static int
fts5_tokenizer_create (void           *user_data,
                       const char    **args,
                       int             n_args,
                       Fts5Tokenizer **tokenizer)
{
  static int instance;

  /* Stateless: any non-NULL pointer serves as the instance. */
  *tokenizer = (Fts5Tokenizer *) &instance;
  return SQLITE_OK;
}

static void
fts5_tokenizer_delete (Fts5Tokenizer *tokenizer)
{
}

static fts5_api *
get_fts5_api (sqlite3 *db)
{
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_pointer (stmt, 1, &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return api;
}

/* avfs_bm25 (table, length, weights, tally): BM25 over the query's phrases. @length is
 * the row's token count (search_lengths), @weights one character per phrase of the MATCH
 * expression, in order: '1' for words, '0' for filters (tags) that add nothing; @tally a
 * RankTally (bound with sqlite3_bind_pointer()). */

#define RANK_TALLY_TYPE "avfs_rank_tally"

/* What a search tells avfs_bm25, and learns from it. A one-phrase query needs no count
 * of its matches beforehand: its idf is the same for every row, so the rows are ranked
 * by the rest of the formula and the caller multiplies the page's scores by the idf once
 * @seen, counted on the way, gives the phrase's document frequency. That saves FTS5 a
 * second pass over the phrase's postings, the whole cost of merging a prefix's terms. */
typedef struct
{
  sqlite3_int64 matches;    /* in: rows the query matches; 0 to count them in @seen */
  sqlite3_int64 seen;       /* out: rows ranked */
  sqlite3_int64 last_rowid; /* the row @seen counted last */
  sqlite3_int64 n_rows;     /* out: rows in the table */
} RankTally;

/* The query's arguments and figures, read on its first row: ranking a row takes well
 * under a microsecond, and reading them again on every row was a good share of it. */
typedef struct
{
  int n_phrases;
  gboolean count_by_api; /* count_instances() and the API disagreed on the first row */
  RankTally *tally;      /* the query's, or NULL */
  gboolean *scored;      /* per phrase: FALSE for a filter */
  double average_length;
  double n_rows;
  double *idf;  /* per phrase, < 0 until needed */
  int *tf;
} RankState;

static void
rank_state_free (gpointer data)
{
  RankState *state = data;

  g_free (state->idf);
  g_free (state->tf);
  g_free (state->scored);
  g_free (state);
}

static int
count_row_cb (const Fts5ExtensionApi *api,
              Fts5Context            *ctx,
              void                   *user_data)
{
  (*(sqlite3_int64 *) user_data)++;
  return SQLITE_OK;
}

/* The Okapi idf of a phrase that @n of @n_rows rows hold. */
static double
bm25_idf (double n_rows,
          double n)
{
  return log (1.0 + (n_rows - n + 0.5) / (n + 0.5));
}

/* The instances of the one phrase in the current row, through the API: about 6 ns each,
 * most of a common word's search. */
static int
count_instances_by_api (const Fts5ExtensionApi *api,
                        Fts5Context            *ctx)
{
  Fts5PhraseIter iter;
  int column, offset, n = 0;

  for (api->xPhraseFirst (ctx, 0, &iter, &column, &offset); column >= 0;
       api->xPhraseNext (ctx, &iter, &column, &offset))
    n++;
  return n;
}

/* Past the varint at @p; never past @end, whatever the bytes. */
static const unsigned char *
skip_varint (const unsigned char *p,
             const unsigned char *end)
{
  while (p < end && (*p & 0x80))
    p++;
  return p + 1;
}

/* The same count from the position list the iterator walks, in FTS5's file format
 * (varints; a 1 starts a column and is followed by its number): a byte loop, three
 * times quicker. rank_state() checks it against the API on a query's first row. */
static int
count_instances (const Fts5ExtensionApi *api,
                 Fts5Context            *ctx)
{
  Fts5PhraseIter iter;
  int column, offset, n;
  const unsigned char *p;

  api->xPhraseFirst (ctx, 0, &iter, &column, &offset);
  if (column < 0)
    return 0;
  for (n = 1, p = iter.a; p < iter.b; n++)
    p = *p == 1 ? skip_varint (skip_varint (p + 1, iter.b), iter.b) : skip_varint (p, iter.b);
  return n;
}

static RankState *
rank_state (const Fts5ExtensionApi  *api,
            Fts5Context             *ctx,
            int                      n_args,
            sqlite3_value          **args)
{
  RankState *state = api->xGetAuxdata (ctx, 0);
  RankTally *tally;
  const char *weights;
  sqlite3_int64 n_rows = 0, n_tokens = 0;

  if (state != NULL)
    return state;
  state = g_new0 (RankState, 1);
  state->tally = tally = n_args > 2 ? sqlite3_value_pointer (args[2], RANK_TALLY_TYPE) : NULL;
  weights = n_args > 1 ? (const char *) sqlite3_value_text (args[1]) : NULL;
  state->n_phrases = api->xPhraseCount (ctx);
  state->idf = g_new (double, state->n_phrases);
  state->tf = g_new0 (int, state->n_phrases);
  state->scored = g_new (gboolean, state->n_phrases);
  for (int i = 0; i < state->n_phrases; i++)
    {
      state->idf[i] = -1.0;
      state->scored[i] = weights == NULL || (int) strlen (weights) <= i || weights[i] != '0';
    }
  api->xRowCount (ctx, &n_rows);
  api->xColumnTotalSize (ctx, -1, &n_tokens);
  state->n_rows = n_rows;
  state->average_length = n_rows > 0 && n_tokens > 0 ? (double) n_tokens / n_rows : 1.0;
  if (state->n_phrases == 1 && tally != NULL)
    state->idf[0] = tally->matches > 0 ? bm25_idf (n_rows, tally->matches) : 1.0;
  state->count_by_api = count_instances (api, ctx) != count_instances_by_api (api, ctx);
  if (tally != NULL)
    tally->n_rows = n_rows;
  api->xSetAuxdata (ctx, state, rank_state_free);
  return state;
}

/* idf = ln (1 + (N - n + 0.5) / (n + 0.5)), n the rows holding the phrase. */
static double
phrase_idf (const Fts5ExtensionApi *api,
            Fts5Context            *ctx,
            RankState              *state,
            int                     phrase)
{
  sqlite3_int64 n = 0;

  if (state->idf[phrase] >= 0)
    return state->idf[phrase];
  api->xQueryPhrase (ctx, phrase, &n, count_row_cb);
  state->idf[phrase] = bm25_idf (state->n_rows, n);
  return state->idf[phrase];
}

static void
rank_function (const Fts5ExtensionApi  *api,
               Fts5Context             *ctx,
               sqlite3_context         *result,
               int                      n_args,
               sqlite3_value          **args)
{
  RankState *state = rank_state (api, ctx, n_args, args);
  RankTally *tally = state->tally;
  double length = n_args > 0 ? sqlite3_value_double (args[0]) : state->average_length;
  double norm = 1.0 - BM25_B + BM25_B * length / state->average_length;
  double score = 0.0;
  int n_instances = 0;

  if (tally != NULL)
    {
      sqlite3_int64 rowid = api->xRowid (ctx);

      if (tally->seen == 0 || rowid != tally->last_rowid)
        tally->seen++;
      tally->last_rowid = rowid;
    }
  if (state->n_phrases == 1)
    state->tf[0] = state->count_by_api ? count_instances_by_api (api, ctx)
                                       : count_instances (api, ctx);
  else
    {
      memset (state->tf, 0, sizeof (int) * state->n_phrases);
      api->xInstCount (ctx, &n_instances);
      for (int i = 0; i < n_instances; i++)
        {
          int phrase, column, offset;

          if (api->xInst (ctx, i, &phrase, &column, &offset) == SQLITE_OK)
            state->tf[phrase]++;
        }
    }
  for (int i = 0; i < state->n_phrases; i++)
    {
      double tf = state->tf[i];

      if (tf == 0 || !state->scored[i])
        continue;
      score += phrase_idf (api, ctx, state, i) * tf * (BM25_K1 + 1.0) / (tf + BM25_K1 * norm);
    }
  sqlite3_result_double (result, score);
}

/* What avfs_text() works with on one connection: SQLite calls it on the one thread
 * using the connection. */
typedef struct
{
  ZSTD_DCtx *decompress;
  TextSource *source; /* (nullable) */
} TextReader;

static void
text_reader_free (void *data)
{
  TextReader *reader = data;

  ZSTD_freeDCtx (reader->decompress);
  if (reader->source != NULL)
    g_atomic_rc_box_release (reader->source);
  g_free (reader);
}

/* The text a vault's document was indexed with, read back through @source; %NULL for a
 * binary file, or when there is no text function or it cannot read the text. */
static char *
read_referenced_text (TextSource *source,
                      GBytes     *content_ref)
{
  if (source == NULL || source->func == NULL)
    return NULL;
  return source->func (content_ref, source->user_data);
}

/* avfs_text (BODY [, CONTENT_REF]): a search_docs body as text, whether it is kept as
 * text or as a zstd frame (bind_body()), or when there is none, the text CONTENT_REF
 * names, read back through the index's text function. */
static void
text_function (sqlite3_context  *ctx,
               int               n_args,
               sqlite3_value   **args)
{
  static const char damaged[] = "A search document's stored text is damaged; rebuild the "
                                "search index";
  TextReader *reader = sqlite3_user_data (ctx);
  const void *frame;
  int len;
  unsigned long long size;
  size_t got;
  char *text = NULL;

  if (n_args == 2 && sqlite3_value_type (args[0]) == SQLITE_NULL &&
      sqlite3_value_type (args[1]) == SQLITE_BLOB)
    {
      g_autoptr(GBytes) content_ref = g_bytes_new (sqlite3_value_blob (args[1]),
                                                   sqlite3_value_bytes (args[1]));

      text = read_referenced_text (reader->source, content_ref);
      if (text != NULL)
        sqlite3_result_text (ctx, text, -1, g_free);
      else
        sqlite3_result_null (ctx);
      return;
    }
  if (n_args < 1 || sqlite3_value_type (args[0]) != SQLITE_BLOB)
    {
      if (n_args >= 1)
        sqlite3_result_value (ctx, args[0]);
      return;
    }
  frame = sqlite3_value_blob (args[0]);
  len = sqlite3_value_bytes (args[0]);
  size = ZSTD_getFrameContentSize (frame, len);
  if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != ZSTD_CONTENTSIZE_ERROR && size < G_MAXINT &&
      (text = sqlite3_malloc64 (size + 1)) == NULL)
    {
      sqlite3_result_error_nomem (ctx);
      return;
    }
  got = text != NULL ? ZSTD_decompressDCtx (reader->decompress, text, size, frame, len) : 0;
  if (text == NULL || ZSTD_isError (got) || got != size)
    {
      sqlite3_free (text);
      sqlite3_result_error (ctx, damaged, -1);
      return;
    }
  sqlite3_result_text (ctx, text, (int) size, sqlite3_free);
}

/* avfs_text() with one argument (older views and statements) or two, reading through
 * @source. */
static int
register_text_function (sqlite3    *db,
                        TextSource *source)
{
  TextReader *reader = g_new0 (TextReader, 1);

  reader->source = source != NULL ? g_atomic_rc_box_acquire (source) : NULL;
  reader->decompress = ZSTD_createDCtx ();
  if (reader->decompress == NULL)
    {
      text_reader_free (reader);
      return SQLITE_NOMEM;
    }
  /* It frees @reader itself on failure. */
  return sqlite3_create_function_v2 (db, TEXT_FUNCTION, -1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                     reader, text_function, NULL, NULL, text_reader_free);
}

/* Registers our tokenizer and functions on @db; avfs_text() reads content_refs through
 * @source (nullable). */
static gboolean
register_functions (sqlite3     *db,
                    TextSource  *source,
                    GError     **error)
{
  static fts5_tokenizer tokenizer = {
    fts5_tokenizer_create, fts5_tokenizer_delete, fts5_tokenize,
  };
  fts5_api *api = get_fts5_api (db);
  int rc;

  if (api == NULL || api->iVersion < 2)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE,
                   "Cannot search SQLite vaults: this SQLite library was built without FTS5");
      return FALSE;
    }
  rc = api->xCreateTokenizer (api, TOKENIZER_NAME, NULL, &tokenizer, NULL);
  if (rc == SQLITE_OK)
    rc = api->xCreateFunction (api, RANK_FUNCTION, NULL, rank_function, NULL);
  if (rc == SQLITE_OK)
    rc = register_text_function (db, source);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, "set up", rc);
      return FALSE;
    }
  return TRUE;
}

/**
 * avfs_search_fts5_register_tokenizer:
 * @db: a connection
 * @error: return location for an error
 *
 * Registers the `avfs` FTS5 tokenizer, the `avfs_bm25` rank function and the `avfs_text`
 * function (a stored body as text) on @db. The index does this itself on every
 * connection it is lent; call it on another connection only to read the FTS5 table
 * directly (without it, SQLite reports "no such tokenizer: avfs"). Text the index keeps
 * as a content_ref reads as NULL there.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_search_fts5_register_tokenizer (sqlite3  *db,
                                     GError  **error)
{
  return register_functions (db, NULL, error);
}

/* Puts the table prefix in place of each %1$s of @sql. */
static char *
expand_sql (const char *sql,
            const char *prefix)
{
  GString *expanded = g_string_new (sql);

  g_string_replace (expanded, "%1$s", prefix, 0);
  return g_string_free (expanded, FALSE);
}

/* Connections. */

static void
connection_free (Connection *conn)
{
  for (guint i = 0; i < N_STATEMENTS; i++)
    sqlite3_finalize (conn->statements[i]);
  ZSTD_freeCCtx (conn->compress);
  g_free (conn);
}

static sqlite3_stmt *statement (AvfsSearchFts5  *self,
                                Connection      *conn,
                                guint            which,
                                GError         **error);

/* The state for @db, registering the tokenizer the first time @db is seen. */
static Connection *
lookup_connection (AvfsSearchFts5  *self,
                   sqlite3         *db,
                   GError         **error)
{
  Connection *conn;

  g_mutex_lock (&self->lock);
  conn = g_hash_table_lookup (self->connections, db);
  g_mutex_unlock (&self->lock);
  if (conn != NULL)
    return conn;
  if (!register_functions (db, self->source, error))
    return NULL;
  conn = g_new0 (Connection, 1);
  conn->db = db;
  if (statement (self, conn, STMT_PIN, error) == NULL)
    {
      connection_free (conn);
      return NULL;
    }
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->connections, db, conn);
  g_mutex_unlock (&self->lock);
  return conn;
}

static sqlite3_stmt *
statement (AvfsSearchFts5  *self,
           Connection      *conn,
           guint            which,
           GError         **error)
{
  g_autofree char *sql = NULL;
  int rc;

  if (conn->statements[which] != NULL)
    return conn->statements[which];
  sql = expand_sql (statement_sql[which], self->prefix);
  rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &conn->statements[which], NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, conn->db, "read", rc);
      conn->statements[which] = NULL;
    }
  return conn->statements[which];
}

static Connection *
acquire (AvfsSearchFts5  *self,
         gboolean         write,
         GError         **error)
{
  sqlite3 *db = self->acquire (self->user_data, write, error);
  Connection *conn;

  if (db == NULL)
    return NULL;
  conn = lookup_connection (self, db, error);
  if (conn == NULL)
    self->release (self->user_data, db, write);
  return conn;
}

static void
release (AvfsSearchFts5 *self,
         Connection     *conn,
         gboolean        write)
{
  self->release (self->user_data, conn->db, write);
}

static gboolean
exec (Connection  *conn,
      const char  *sql,
      const char  *action,
      GError     **error)
{
  int rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;
  set_sqlite_error (error, conn->db, action, rc);
  return FALSE;
}

static gboolean
savepoint_begin (Connection  *conn,
                 const char  *action,
                 GError     **error)
{
  return exec (conn, "SAVEPOINT " SAVEPOINT_NAME, action, error);
}

/* Releases the savepoint on success, rolls it back otherwise; returns @ok. */
static gboolean
savepoint_end (Connection  *conn,
               gboolean     ok,
               const char  *action,
               GError     **error)
{
  if (ok)
    return exec (conn, "RELEASE " SAVEPOINT_NAME, action, error);
  sqlite3_exec (conn->db, "ROLLBACK TO " SAVEPOINT_NAME "; RELEASE " SAVEPOINT_NAME,
                NULL, NULL, NULL);
  return FALSE;
}

/* A change wraps itself in a savepoint only outside a transaction: FTS5 writes out its
 * pending terms at every savepoint, which made indexing three times slower. Inside one
 * (the vault's), a failed change fails the caller, which rolls the transaction back. */
static gboolean
change_begin (Connection  *conn,
              gboolean    *own,
              GError     **error)
{
  *own = sqlite3_get_autocommit (conn->db);
  return !*own || savepoint_begin (conn, "update", error);
}

static gboolean
change_end (Connection  *conn,
            gboolean     own,
            gboolean     ok,
            GError     **error)
{
  return own ? savepoint_end (conn, ok, "update", error) : ok;
}

/* Runs a prepared statement that returns no rows to the end. */
static gboolean
step_done (Connection    *conn,
           sqlite3_stmt  *stmt,
           const char    *action,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  set_sqlite_error (error, conn->db, action, rc);
  return FALSE;
}

/* Writing. */

static char *
join_tag_tokens (char **tags)
{
  GString *tokens = g_string_new (NULL);

  for (guint i = 0; tags[i] != NULL; i++)
    {
      g_autofree char *token = avfs_search_tag_token (tags[i]);

      if (i > 0)
        g_string_append_c (tokens, ' ');
      g_string_append (tokens, token);
    }
  return g_string_free (tokens, FALSE);
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

/* Column @column of @stmt's row as bytes; %NULL unless it is a BLOB. */
static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  if (sqlite3_column_type (stmt, column) != SQLITE_BLOB)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, column), sqlite3_column_bytes (stmt, column));
}

/* A document as indexed, to delete it: FTS5 takes its words out by tokenizing the same
 * fields again. */
typedef struct
{
  char *path;
  char *name;
  char *tags;
  char *body;
} OldDocument;

static void
old_document_clear (OldDocument *old)
{
  g_free (old->path);
  g_free (old->name);
  g_free (old->tags);
  g_free (old->body);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OldDocument, old_document_clear)

/* Reads document @doc_id into @old (@found unset when the index has none). A body kept
 * as a content_ref is read once the statement is done, so that the text function may
 * read through the same connection. When it cannot (the vault's blob is damaged) the
 * document's old words stay behind, which verify reports; the change goes on. */
static gboolean
read_old_document (AvfsSearchFts5  *self,
                   Connection      *conn,
                   guint64          doc_id,
                   OldDocument     *old,
                   gboolean        *found,
                   GError         **error)
{
  sqlite3_stmt *stmt = statement (self, conn, STMT_OLD_DOC, error);
  g_autoptr(GBytes) content_ref = NULL;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) doc_id);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  if (*found)
    {
      old->path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      old->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      old->tags = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      old->body = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      content_ref = column_bytes (stmt, 4);
    }
  else if (rc != SQLITE_DONE)
    set_sqlite_error (error, conn->db, "read", rc);
  sqlite3_reset (stmt);
  if (content_ref != NULL && old->body == NULL)
    old->body = read_referenced_text (self->source, content_ref);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* Removes document @doc_id if the index has it: FTS5's 'delete' command costs as much
 * as a flush even when no row matches. */
static gboolean
delete_document (AvfsSearchFts5  *self,
                 Connection      *conn,
                 guint64          doc_id,
                 GError         **error)
{
  g_auto(OldDocument) old = { NULL };
  gboolean found;
  sqlite3_stmt *delete_fts;
  sqlite3_stmt *delete_doc;
  sqlite3_stmt *delete_length;

  if (!read_old_document (self, conn, doc_id, &old, &found, error))
    return FALSE;
  if (!found)
    return TRUE;
  delete_fts = statement (self, conn, STMT_DELETE_FTS, error);
  delete_doc = delete_fts ? statement (self, conn, STMT_DELETE_DOC, error) : NULL;
  delete_length = delete_doc ? statement (self, conn, STMT_DELETE_LENGTH, error) : NULL;
  if (delete_length == NULL)
    return FALSE;
  sqlite3_bind_int64 (delete_fts, 1, (sqlite3_int64) doc_id);
  sqlite3_bind_text (delete_fts, 2, old.body, -1, SQLITE_STATIC);
  sqlite3_bind_text (delete_fts, 3, old.path, -1, SQLITE_STATIC);
  sqlite3_bind_text (delete_fts, 4, old.name, -1, SQLITE_STATIC);
  sqlite3_bind_text (delete_fts, 5, old.tags, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (delete_doc, 1, (sqlite3_int64) doc_id);
  sqlite3_bind_int64 (delete_length, 1, (sqlite3_int64) doc_id);
  return step_done (conn, delete_fts, "update", error) &&
         step_done (conn, delete_doc, "update", error) &&
         step_done (conn, delete_length, "update", error);
}

/* Binds @text as parameter @index of @stmt as search_docs keeps it: a zstd frame when
 * that is smaller, else the text itself. */
static void
bind_body (Connection   *conn,
           sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  size_t len = text != NULL ? strlen (text) : 0;
  size_t bound = ZSTD_compressBound (len);
  g_autofree guint8 *frame = NULL;
  size_t size;

  if (len == 0 || (conn->compress == NULL && (conn->compress = ZSTD_createCCtx ()) == NULL))
    {
      sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
      return;
    }
  frame = g_malloc (bound);
  size = ZSTD_compressCCtx (conn->compress, frame, bound, text, len, BODY_LEVEL);
  if (ZSTD_isError (size) || size >= len)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_blob (stmt, index, g_steal_pointer (&frame), size, g_free);
}

/* An empty @bytes too is bound as a BLOB: SQLite binds a NULL pointer as NULL. */
static void
bind_bytes (sqlite3_stmt *stmt,
            int           index,
            GBytes       *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    sqlite3_bind_zeroblob (stmt, index, 0);
  else
    sqlite3_bind_blob (stmt, index, data, (int) len, SQLITE_STATIC);
}

static gboolean
insert_document (AvfsSearchFts5          *self,
                 Connection              *conn,
                 guint64                  doc_id,
                 const AvfsSearchFields  *fields,
                 GError                 **error)
{
  g_auto(GStrv) tags = fold_tags (fields->tags);
  g_autofree char *tag_tokens = join_tag_tokens (tags);
  g_autofree char *tag_list = g_strjoinv ("\n", tags);
  sqlite3_stmt *upsert = statement (self, conn, STMT_UPSERT_DOC, error);
  sqlite3_stmt *insert = upsert ? statement (self, conn, STMT_INSERT_FTS, error) : NULL;
  sqlite3_stmt *length = insert ? statement (self, conn, STMT_UPSERT_LENGTH, error) : NULL;
  guint64 n_tokens = 0;
  gboolean inserted;

  if (length == NULL)
    return FALSE;
  sqlite3_bind_int64 (upsert, 1, (sqlite3_int64) doc_id);
  sqlite3_bind_text (upsert, 2, fields->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert, 3, fields->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert, 4, tag_tokens, -1, SQLITE_STATIC);
  if (fields->content_ref != NULL && self->source->func != NULL)
    bind_bytes (upsert, 7, fields->content_ref);
  else
    bind_body (conn, upsert, 5, fields->content);
  sqlite3_bind_text (upsert, 6, tag_list, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 1, (sqlite3_int64) doc_id);
  sqlite3_bind_text (insert, 2, fields->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, fields->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, tag_tokens, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, fields->content, -1, SQLITE_STATIC);
  if (!step_done (conn, upsert, "update", error))
    return FALSE;
  indexed_tokens = &n_tokens;
  inserted = step_done (conn, insert, "update", error);
  indexed_tokens = NULL;
  if (!inserted)
    return FALSE;
  sqlite3_bind_int64 (length, 1, (sqlite3_int64) doc_id);
  sqlite3_bind_int64 (length, 2, (sqlite3_int64) n_tokens);
  return step_done (conn, length, "update", error);
}

static gboolean
avfs_search_fts5_index_document (AvfsSearchIndex         *index,
                                 guint64                  doc_id,
                                 const AvfsSearchFields  *fields,
                                 GError                 **error)
{
  AvfsSearchFts5 *self = AVFS_SEARCH_FTS5 (index);
  Connection *conn = acquire (self, TRUE, error);
  gboolean ok, own;

  if (conn == NULL)
    return FALSE;
  ok = change_begin (conn, &own, error) &&
       change_end (conn, own,
                   delete_document (self, conn, doc_id, error) &&
                   insert_document (self, conn, doc_id, fields, error), error);
  release (self, conn, TRUE);
  if (!ok)
    g_prefix_error (error, "Cannot index “%s”: ", fields->path);
  return ok;
}

static gboolean
avfs_search_fts5_remove_document (AvfsSearchIndex  *index,
                                  guint64           doc_id,
                                  GError          **error)
{
  AvfsSearchFts5 *self = AVFS_SEARCH_FTS5 (index);
  Connection *conn = acquire (self, TRUE, error);
  gboolean ok, own;

  if (conn == NULL)
    return FALSE;
  ok = change_begin (conn, &own, error) &&
       change_end (conn, own, delete_document (self, conn, doc_id, error), error);
  release (self, conn, TRUE);
  return ok;
}

/* Searching: the query tree becomes an FTS5 expression in which every word or phrase is
 * a quoted string (so no user text is ever read as FTS5 syntax) with a column filter. */

static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_columns (GString         *out,
                AvfsSearchField  fields)
{
  g_string_append_c (out, '{');
  if (fields & AVFS_SEARCH_FIELD_CONTENT)
    g_string_append (out, "body ");
  if (fields & AVFS_SEARCH_FIELD_PATH)
    g_string_append (out, "path ");
  if (fields & AVFS_SEARCH_FIELD_NAME)
    g_string_append (out, "name ");
  g_string_truncate (out, out->len - 1);
  g_string_append (out, "} : ");
}

/* Appends @node to the MATCH expression @out, and to @weights a '1' (words) or a '0'
 * (filters) for each phrase, in the order FTS5 numbers them: as they appear. */
static void
append_expression (GString                 *out,
                   GString                 *weights,
                   const AvfsSearchNode    *node,
                   const AvfsSearchOptions *options)
{
  switch (node->kind)
    {
    case AVFS_SEARCH_NODE_WORDS:
      g_string_append_c (weights, '1');
      append_columns (out, avfs_search_node_fields (node, options));
      append_quoted (out, node->text);
      if (node->prefix)
        g_string_append (out, " *");
      break;
    case AVFS_SEARCH_NODE_TAG:
      {
        g_autofree char *token = avfs_search_tag_token (node->tag);

        g_string_append_c (weights, '0');
        g_string_append (out, "{tags} : ");
        append_quoted (out, token);
        break;
      }
    case AVFS_SEARCH_NODE_OR:
    case AVFS_SEARCH_NODE_AND:
      {
        gsize start = out->len;

        g_string_append_c (out, '(');
        for (guint i = 0; i < node->children->len; i++)
          {
            if (i > 0)
              g_string_append (out, node->kind == AVFS_SEARCH_NODE_OR ? " OR " : " AND ");
            append_expression (out, weights, g_ptr_array_index (node->children, i), options);
          }
        g_string_append_c (out, ')');
        /* FTS5's NOT is binary and binds tightest: ((a AND b) NOT (c)) NOT (d). */
        for (guint i = 0; node->excluded != NULL && i < node->excluded->len; i++)
          {
            g_string_insert_c (out, start, '(');
            g_string_append (out, " NOT (");
            append_expression (out, weights, g_ptr_array_index (node->excluded, i), options);
            g_string_append (out, "))");
          }
        break;
      }
    default:
      g_assert_not_reached ();
    }
}

static gboolean
count_matches (AvfsSearchFts5  *self,
               Connection      *conn,
               const char      *match,
               guint64         *total,
               GError         **error)
{
  sqlite3_stmt *stmt = statement (self, conn, STMT_COUNT_MATCHES, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *total = sqlite3_column_int64 (stmt, 0);
  else
    set_sqlite_error (error, conn->db, "search", rc);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rc == SQLITE_ROW;
}

/* Makes a hit from search_docs: its path and, with highlighting, its snippet, or in
 * @content_ref what to make it from once the connection is given back (see
 * highlight_referenced()). */
static AvfsSearchHit *
read_hit (AvfsSearchFts5           *self,
          Connection               *conn,
          guint64                   doc_id,
          double                    score,
          const AvfsSearchQuery    *query,
          const AvfsSearchOptions  *options,
          GBytes                  **content_ref,
          GError                  **error)
{
  sqlite3_stmt *stmt = statement (self, conn, STMT_GET_DOC, error);
  AvfsSearchHit *hit = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) doc_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      hit = avfs_search_hit_new (doc_id, (const char *) sqlite3_column_text (stmt, 0), score);
      if (options->highlight && sqlite3_column_type (stmt, 2) == SQLITE_NULL)
        *content_ref = column_bytes (stmt, 4);
      if (options->highlight && *content_ref == NULL)
        avfs_search_hit_highlight (hit, query, options,
                                   (const char *) sqlite3_column_text (stmt, 2),
                                   sqlite3_column_bytes (stmt, 2));
    }
  else
    set_sqlite_error (error, conn->db, "search", rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
  sqlite3_reset (stmt);
  return hit;
}

/* Ranks the matches of @match with rowids in [@first, @last] and keeps the page
 * @options asks for in @hits, each with the content_ref to make its snippet from (or
 * %NULL) in @content_refs. Scores leave out a one-phrase query's idf, the same for every
 * row: with @tally->matches at 0 that query is counted into @tally as it is ranked, and
 * its idf is known once every part is done (see merge_parts()). */
static gboolean
search_page (AvfsSearchFts5           *self,
             Connection               *conn,
             const char               *match,
             const char               *weights,
             const AvfsSearchQuery    *query,
             const AvfsSearchOptions  *options,
             sqlite3_int64             first,
             sqlite3_int64             last,
             RankTally                *tally,
             GPtrArray                *hits,
             GPtrArray                *content_refs,
             GError                  **error)
{
  sqlite3_stmt *stmt = statement (self, conn, STMT_SEARCH, error);
  g_autoptr(GArray) ranked = g_array_new (FALSE, FALSE, sizeof (AvfsSearchHit));
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, weights, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, options->limit);
  sqlite3_bind_int64 (stmt, 4, options->offset);
  sqlite3_bind_pointer (stmt, 5, tally, RANK_TALLY_TYPE, NULL);
  sqlite3_bind_int64 (stmt, 6, first);
  sqlite3_bind_int64 (stmt, 7, last);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AvfsSearchHit bare = { sqlite3_column_int64 (stmt, 0), NULL,
                             sqlite3_column_double (stmt, 1) };
      g_array_append_val (ranked, bare);
    }
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, conn->db, "search", rc);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;
  /* Paths and snippets once the ranking statement is done. */
  for (guint i = 0; i < ranked->len; i++)
    {
      AvfsSearchHit *bare = &g_array_index (ranked, AvfsSearchHit, i);
      GBytes *content_ref = NULL;
      AvfsSearchHit *hit = read_hit (self, conn, bare->doc_id, bare->score, query, options,
                                     &content_ref, error);

      if (hit == NULL)
        return FALSE;
      g_ptr_array_add (hits, hit);
      g_ptr_array_add (content_refs, content_ref);
    }
  return TRUE;
}

/* For arrays that hold NULL too. */
static void
bytes_free (gpointer bytes)
{
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

/* Snippets from text read back through the text function, once the search has given its
 * connection back: the function may need one of the same pool. */
static void
highlight_referenced (AvfsSearchFts5           *self,
                      const AvfsSearchQuery    *query,
                      const AvfsSearchOptions  *options,
                      AvfsSearchResults        *results,
                      GPtrArray                *content_refs)
{
  for (guint i = 0; i < content_refs->len && i < results->hits->len; i++)
    {
      GBytes *content_ref = g_ptr_array_index (content_refs, i);
      g_autofree char *text = NULL;

      if (content_ref == NULL)
        continue;
      text = read_referenced_text (self->source, content_ref);
      avfs_search_hit_highlight (g_ptr_array_index (results->hits, i), query, options, text,
                                 -1);
    }
}

/* A one-phrase search of an index whose documents' rowids span this many is ranked in
 * two halves, on two connections and two processors: ranking a word in all of 100,000
 * files took 20.7 ms whole and 12.9 ms a half (FTS5 decodes the whole position list for
 * either half). A rarer word pays the second connection (about half a millisecond in a
 * new process) where a search takes a few. A prefix is ranked whole: FTS5 merges all its
 * words' lists for either half, which took all of the time (`w1*` of 100,000 files: 1.24
 * s in two halves on 2.32 s of processor, 1.23 s whole on 1.16 s). */
#define SPLIT_MIN_SPAN 50000

/* One part of a search: the matches whose rowids lie in [first, last], ranked on a
 * connection of its own. Each part reads its hits' paths on its own connection, so that
 * they agree with what it ranked even if a write commits between the two. */
typedef struct
{
  AvfsSearchFts5 *self;
  const char *match;
  const char *weights;
  const AvfsSearchQuery *query;
  AvfsSearchOptions options;
  sqlite3_int64 first;
  sqlite3_int64 last;
  RankTally tally;
  guint64 total;           /* counted first (queries of several phrases) */
  GPtrArray *hits;         /* AvfsSearchHit, ranked */
  GPtrArray *content_refs; /* per hit */
  gboolean ok;
  GError *error;
} SearchPart;

static void
search_part_init (SearchPart               *part,
                  AvfsSearchFts5           *self,
                  const char               *match,
                  const char               *weights,
                  const AvfsSearchQuery    *query,
                  const AvfsSearchOptions  *options)
{
  *part = (SearchPart) { .self = self, .match = match, .weights = weights, .query = query,
                         .options = *options, .first = G_MININT64, .last = G_MAXINT64 };
  part->hits = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_search_hit_free);
  part->content_refs = g_ptr_array_new_with_free_func (bytes_free);
}

static void
search_part_clear (SearchPart *part)
{
  g_ptr_array_unref (part->hits);
  g_ptr_array_unref (part->content_refs);
  g_clear_error (&part->error);
}

/* In one read transaction, so that a part's total and page agree. A one-phrase query is
 * counted while it is ranked (RankTally). Sets @part->ok. */
static void
search_part_run (SearchPart *part)
{
  AvfsSearchFts5 *self = part->self;
  gboolean one_phrase = strlen (part->weights) == 1;
  Connection *conn = acquire (self, FALSE, &part->error);
  gboolean ok;

  if (conn == NULL)
    return;
  if (!savepoint_begin (conn, "search", &part->error))
    {
      release (self, conn, FALSE);
      return;
    }
  ok = TRUE;
  if (part->options.limit == 0 || !one_phrase)
    ok = count_matches (self, conn, part->match, &part->total, &part->error);
  part->tally.matches = (sqlite3_int64) part->total;
  if (ok && part->options.limit > 0 && (one_phrase || part->total > 0))
    ok = search_page (self, conn, part->match, part->weights, part->query, &part->options,
                      part->first, part->last, &part->tally, part->hits, part->content_refs,
                      &part->error);
  part->ok = savepoint_end (conn, ok, "search", &part->error);
  release (self, conn, FALSE);
}

static gpointer
search_part_thread (gpointer data)
{
  search_part_run (data);
  return NULL;
}

/* Where to split a one-phrase search in two: the middle rowid, when the index is large
 * enough for that to pay. */
static gboolean
split_point (AvfsSearchFts5  *self,
             sqlite3_int64   *middle)
{
  g_autoptr(GError) error = NULL;
  Connection *conn = acquire (self, FALSE, &error);
  sqlite3_stmt *stmt;
  gboolean split = FALSE;

  /* Any error here comes again from the search itself, which reports it. */
  if (conn == NULL)
    return FALSE;
  stmt = statement (self, conn, STMT_ROWID_SPAN, &error);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW &&
      sqlite3_column_type (stmt, 0) == SQLITE_INTEGER)
    {
      sqlite3_int64 first = sqlite3_column_int64 (stmt, 0);
      sqlite3_int64 last = sqlite3_column_int64 (stmt, 1);

      split = last - first >= SPLIT_MIN_SPAN;
      *middle = first + (last - first) / 2;
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  release (self, conn, FALSE);
  return split;
}

typedef struct
{
  AvfsSearchHit *hit;
  GBytes *content_ref;
} PageEntry;

/* Best first, ties by rowid, as the ranking statement orders them. */
static gint
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const AvfsSearchHit *x = ((const PageEntry *) a)->hit, *y = ((const PageEntry *) b)->hit;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->doc_id < y->doc_id ? -1 : x->doc_id > y->doc_id;
}

/* Puts the page of @parts (each ranked its own offset + limit best) into @results and
 * @content_refs, with the total and a one-phrase query's idf. */
static void
merge_parts (SearchPart               *parts,
             guint                     n_parts,
             const AvfsSearchOptions  *options,
             AvfsSearchResults        *results,
             GPtrArray                *content_refs)
{
  g_autoptr(GArray) page = g_array_new (FALSE, FALSE, sizeof (PageEntry));
  gboolean counted_while_ranked = parts[0].tally.matches == 0;
  sqlite3_int64 seen = 0, n_rows = 0;
  guint skip = n_parts > 1 ? options->offset : 0;
  double idf;

  for (guint p = 0; p < n_parts; p++)
    {
      seen += parts[p].tally.seen;
      n_rows = MAX (n_rows, parts[p].tally.n_rows);
      for (guint i = 0; i < parts[p].hits->len; i++)
        {
          PageEntry entry = { g_ptr_array_index (parts[p].hits, i),
                              g_ptr_array_index (parts[p].content_refs, i) };

          g_array_append_val (page, entry);
        }
      /* The page owns them now. */
      g_ptr_array_set_free_func (parts[p].hits, NULL);
      g_ptr_array_set_free_func (parts[p].content_refs, NULL);
    }
  if (n_parts > 1)
    g_array_sort (page, compare_entries);
  results->total = counted_while_ranked ? (guint64) seen : parts[0].total;
  idf = counted_while_ranked ? bm25_idf (n_rows, seen) : 1.0;
  for (guint i = 0; i < page->len; i++)
    {
      PageEntry *entry = &g_array_index (page, PageEntry, i);

      if (i < skip || i - skip >= options->limit)
        {
          avfs_search_hit_free (entry->hit);
          bytes_free (entry->content_ref);
          continue;
        }
      entry->hit->score *= idf;
      g_ptr_array_add (results->hits, entry->hit);
      g_ptr_array_add (content_refs, entry->content_ref);
    }
}

static gboolean
avfs_search_fts5_search (AvfsSearchIndex          *index,
                         const AvfsSearchQuery    *query,
                         const AvfsSearchOptions  *options,
                         AvfsSearchResults        *results,
                         GError                  **error)
{
  AvfsSearchFts5 *self = AVFS_SEARCH_FTS5 (index);
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GString) weights = g_string_new (NULL);
  g_autoptr(GPtrArray) content_refs = g_ptr_array_new_with_free_func (bytes_free);
  SearchPart parts[2];
  guint n_parts = 1;
  sqlite3_int64 middle;
  GThread *thread = NULL;
  gboolean ok;

  append_expression (match, weights, avfs_search_query_get_root (query), options);
  g_debug ("fts5 MATCH %s", match->str);
  search_part_init (&parts[0], self, match->str, weights->str, query, options);
  /* One phrase (a filter would add a weight) is the root itself. */
  if (weights->len == 1 && !avfs_search_query_get_root (query)->prefix && options->limit > 0 &&
      options->offset <= G_MAXUINT - options->limit && split_point (self, &middle))
    {
      n_parts = 2;
      parts[0].options.limit = options->offset + options->limit;
      parts[0].options.offset = 0;
      search_part_init (&parts[1], self, match->str, weights->str, query, &parts[0].options);
      parts[0].last = middle;
      parts[1].first = middle + 1;
      g_debug ("fts5: ranking in two halves, split after rowid %" G_GINT64_FORMAT,
               (gint64) middle);
      /* Without a thread, the second half runs after the first. */
      thread = g_thread_try_new ("avfs-search", search_part_thread, &parts[1], NULL);
    }
  search_part_run (&parts[0]);
  if (thread != NULL)
    g_thread_join (thread);
  else if (n_parts > 1)
    search_part_run (&parts[1]);
  ok = parts[0].ok && (n_parts == 1 || parts[1].ok);
  if (ok)
    {
      merge_parts (parts, n_parts, options, results, content_refs);
      highlight_referenced (self, query, options, results, content_refs);
    }
  else
    {
      SearchPart *failed = parts[0].ok ? &parts[1] : &parts[0];

      g_propagate_error (error, g_steal_pointer (&failed->error));
    }
  for (guint p = 0; p < n_parts; p++)
    search_part_clear (&parts[p]);
  return ok;
}

/* Reading back and maintenance. */

static gboolean
single_int64 (AvfsSearchFts5  *self,
              guint            which,
              guint64         *value,
              GError         **error)
{
  Connection *conn = acquire (self, FALSE, error);
  sqlite3_stmt *stmt;
  int rc = SQLITE_ERROR;

  if (conn == NULL)
    return FALSE;
  stmt = statement (self, conn, which, error);
  if (stmt != NULL)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64 (stmt, 0);
      else
        set_sqlite_error (error, conn->db, "read", rc);
      sqlite3_reset (stmt);
    }
  release (self, conn, FALSE);
  return rc == SQLITE_ROW;
}

static gboolean
avfs_search_fts5_count (AvfsSearchIndex  *index,
                        guint64          *count,
                        GError          **error)
{
  return single_int64 (AVFS_SEARCH_FTS5 (index), STMT_COUNT_DOCS, count, error);
}

static AvfsSearchDocument *
avfs_search_fts5_get_document (AvfsSearchIndex  *index,
                               guint64           doc_id,
                               GError          **error)
{
  AvfsSearchFts5 *self = AVFS_SEARCH_FTS5 (index);
  Connection *conn = acquire (self, FALSE, error);
  AvfsSearchDocument *document = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (conn == NULL)
    return NULL;
  stmt = statement (self, conn, STMT_GET_DOC, error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) doc_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *tag_list = (const char *) sqlite3_column_text (stmt, 3);

          document = g_new0 (AvfsSearchDocument, 1);
          document->path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          document->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          document->content = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          document->content_ref = column_bytes (stmt, 4);
          document->tags = tag_list[0] != '\0' ? g_strsplit (tag_list, "\n", -1)
                                                : g_new0 (char *, 1);
        }
      else if (rc == SQLITE_DONE)
        g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                     "Document %" G_GUINT64_FORMAT " is not in the search index", doc_id);
      else
        set_sqlite_error (error, conn->db, "read", rc);
      sqlite3_reset (stmt);
    }
  release (self, conn, FALSE);
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
avfs_search_fts5_list_documents (AvfsSearchIndex  *index,
                                 GError          **error)
{
  AvfsSearchFts5 *self = AVFS_SEARCH_FTS5 (index);
  Connection *conn = acquire (self, FALSE, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  sqlite3_stmt *stmt;
  int rc = SQLITE_ERROR;

  if (conn == NULL)
    return NULL;
  stmt = statement (self, conn, STMT_LIST_DOCS, error);
  if (stmt != NULL)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          guint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      if (rc != SQLITE_DONE)
        set_sqlite_error (error, conn->db, "read", rc);
      sqlite3_reset (stmt);
    }
  release (self, conn, FALSE);
  if (rc != SQLITE_DONE)
    return NULL;
  g_array_sort (ids, guint64_compare);
  return g_steal_pointer (&ids);
}

static gboolean
run_write (AvfsSearchFts5  *self,
           const char      *sql_format,
           const char      *action,
           GError         **error)
{
  g_autofree char *sql = expand_sql (sql_format, self->prefix);
  Connection *conn = acquire (self, TRUE, error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  ok = savepoint_begin (conn, action, error) &&
       savepoint_end (conn, exec (conn, sql, action, error), action, error);
  release (self, conn, TRUE);
  return ok;
}

static gboolean
avfs_search_fts5_clear (AvfsSearchIndex  *index,
                        GError          **error)
{
  return run_write (AVFS_SEARCH_FTS5 (index), clear_sql, "clear", error);
}

static gboolean
avfs_search_fts5_flush (AvfsSearchIndex  *index,
                        GError          **error)
{
  /* Changes commit with the caller's transaction. */
  return TRUE;
}

static gboolean
avfs_search_fts5_optimize (AvfsSearchIndex  *index,
                           GError          **error)
{
  return run_write (AVFS_SEARCH_FTS5 (index),
                    "INSERT INTO \"%1$s_fts\" (\"%1$s_fts\") VALUES ('optimize');",
                    "optimize", error);
}

/* Whether @sql_format (for the table prefix @prefix) gives a row. */
static gboolean
has_row (Connection *conn,
         const char *sql_format,
         const char *prefix)
{
  g_autofree char *sql = expand_sql (sql_format, prefix);
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  found = sqlite3_prepare_v2 (conn->db, sql, -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

/* Whether the FTS5 table reads its content through search_content, which gives every
 * body as text. */
static gboolean
reads_content_view (Connection *conn,
                    const char *prefix)
{
  return has_row (conn, "SELECT 1 FROM sqlite_schema WHERE name = '%1$s_fts' "
                        "AND instr (sql, 'content=''%1$s_content''') > 0", prefix);
}

/* Stops a statement once @data, a GCancellable, is cancelled (sqlite3_progress_handler). */
static int
cancelled_cb (void *data)
{
  return g_cancellable_is_cancelled (data);
}

/* How many virtual machine steps SQLite takes between looks at the cancellable. */
#define CANCEL_POLL_STEPS 1000

/* FTS5's integrity check with a rank of 1 also reads each document's content and
 * tokenizes it again: it fails with SQLITE_CORRUPT_VTAB when a word list holds a word
 * the text does not, such as one a delete missed. An index made before search_content
 * would read compressed bodies as they are stored, so it is not checked until a rebuild
 * gives it the view. The check reads the text through statements of its own, where
 * SQLite looks at @cancellable. */
static gboolean
avfs_search_fts5_check_postings (AvfsSearchIndex  *index,
                                 gboolean         *agree,
                                 GCancellable     *cancellable,
                                 GError          **error)
{
  AvfsSearchFts5 *self = AVFS_SEARCH_FTS5 (index);
  g_autofree char *sql = expand_sql ("INSERT INTO \"%1$s_fts\" (\"%1$s_fts\", rank) "
                                     "VALUES ('integrity-check', 1)", self->prefix);
  Connection *conn = acquire (self, TRUE, error);
  gboolean ok = TRUE;

  if (conn == NULL)
    return FALSE;
  if (reads_content_view (conn, self->prefix) && (ok = savepoint_begin (conn, "check", error)))
    {
      int rc;
      gboolean ran;

      if (cancellable != NULL)
        sqlite3_progress_handler (conn->db, CANCEL_POLL_STEPS, cancelled_cb, cancellable);
      rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);
      sqlite3_progress_handler (conn->db, 0, NULL, NULL);
      ran = rc == SQLITE_OK || (rc & 0xFF) == SQLITE_CORRUPT;
      *agree = rc == SQLITE_OK;
      if (!ran && !g_cancellable_set_error_if_cancelled (cancellable, error))
        set_sqlite_error (error, conn->db, "check", rc);
      ok = savepoint_end (conn, ran, "check", error);
    }
  release (self, conn, TRUE);
  return ok;
}

static const char *
avfs_search_fts5_get_engine_name (AvfsSearchIndex *index)
{
  return "fts5";
}

static void
avfs_search_fts5_finalize (GObject *object)
{
  AvfsSearchFts5 *self = AVFS_SEARCH_FTS5 (object);

  g_clear_pointer (&self->connections, g_hash_table_unref);
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_free (self->prefix);
  /* Connections that outlive the index read no more through it. */
  self->source->func = NULL;
  g_atomic_rc_box_release (self->source);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->single_lock);

  G_OBJECT_CLASS (avfs_search_fts5_parent_class)->finalize (object);
}

static void
avfs_search_fts5_class_init (AvfsSearchFts5Class *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_search_fts5_finalize;
}

static void
avfs_search_fts5_init (AvfsSearchFts5 *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->single_lock);
  self->source = g_atomic_rc_box_new0 (TextSource);
  self->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                             (GDestroyNotify) connection_free);
}

static void
avfs_search_fts5_iface_init (AvfsSearchIndexInterface *iface)
{
  iface->get_engine_name = avfs_search_fts5_get_engine_name;
  iface->index_document = avfs_search_fts5_index_document;
  iface->remove_document = avfs_search_fts5_remove_document;
  iface->search = avfs_search_fts5_search;
  iface->count = avfs_search_fts5_count;
  iface->get_document = avfs_search_fts5_get_document;
  iface->list_documents = avfs_search_fts5_list_documents;
  iface->clear = avfs_search_fts5_clear;
  iface->flush = avfs_search_fts5_flush;
  iface->optimize = avfs_search_fts5_optimize;
  iface->check_postings = avfs_search_fts5_check_postings;
}

static gboolean
prefix_is_valid (const char *prefix)
{
  if (prefix[0] == '\0' || strlen (prefix) > 32 ||
      !(g_ascii_islower (prefix[0]) || prefix[0] == '_'))
    return FALSE;
  for (const char *p = prefix; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
create_schema (AvfsSearchFts5  *self,
               GError         **error)
{
  g_autofree char *sql = expand_sql (schema_sql, self->prefix);
  g_autofree char *upgrade = expand_sql (add_content_ref_sql, self->prefix);
  Connection *conn = acquire (self, TRUE, error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  ok = savepoint_begin (conn, "create", error) &&
       savepoint_end (conn, exec (conn, sql, "create", error) &&
                            (has_row (conn, has_content_ref_sql, self->prefix) ||
                             exec (conn, upgrade, "upgrade", error)),
                      "create", error);
  release (self, conn, TRUE);
  return ok;
}

/**
 * avfs_search_fts5_new:
 * @acquire_func: lends the index a connection (see #AvfsSearchFts5AcquireFunc)
 * @release_func: takes it back
 * @user_data: for @acquire_func and @release_func
 * @destroy: (nullable): frees @user_data with the index
 * @prefix: (nullable): names the tables `PREFIX_docs` and `PREFIX_fts` (`a-z0-9_`,
 *   starting with a letter or `_`); %NULL for `search`
 * @error: return location for an error
 *
 * Opens the FTS5 index in an SQLite database, creating its tables if they are missing
 * (with a writer connection, in a savepoint). The index keeps prepared statements on
 * every connection it is lent: unref it before closing them, or call
 * avfs_search_fts5_forget_connection() for a connection about to close. Thread-safe as
 * far as the connections lent are: one thread per connection at a time.
 *
 * Returns: (transfer full): the index, or %NULL on error
 */
AvfsSearchIndex *
avfs_search_fts5_new (AvfsSearchFts5AcquireFunc   acquire_func,
                      AvfsSearchFts5ReleaseFunc   release_func,
                      gpointer                    user_data,
                      GDestroyNotify              destroy,
                      const char                 *prefix,
                      GError                    **error)
{
  g_autoptr(AvfsSearchFts5) self = NULL;

  g_return_val_if_fail (acquire_func != NULL && release_func != NULL, NULL);
  g_return_val_if_fail (prefix == NULL || prefix_is_valid (prefix), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AVFS_TYPE_SEARCH_FTS5, NULL);
  self->acquire = acquire_func;
  self->release = release_func;
  self->user_data = user_data;
  self->destroy = destroy;
  self->prefix = g_strdup (prefix != NULL ? prefix : "search");
  if (!create_schema (self, error))
    return NULL;
  return AVFS_SEARCH_INDEX (g_steal_pointer (&self));
}

static sqlite3 *
single_acquire (gpointer   user_data,
                gboolean   write,
                GError   **error)
{
  AvfsSearchFts5 *self = user_data;

  g_mutex_lock (&self->single_lock);
  return self->single_db;
}

static void
single_release (gpointer  user_data,
                sqlite3  *db,
                gboolean  write)
{
  AvfsSearchFts5 *self = user_data;

  g_mutex_unlock (&self->single_lock);
}

/**
 * avfs_search_fts5_new_for_connection:
 * @db: a connection the caller keeps open longer than the index
 * @prefix: (nullable): as for avfs_search_fts5_new()
 * @error: return location for an error
 *
 * An index that uses @db for everything, one call at a time (so it is thread-safe).
 *
 * Returns: (transfer full): the index, or %NULL on error
 */
AvfsSearchIndex *
avfs_search_fts5_new_for_connection (sqlite3     *db,
                                     const char  *prefix,
                                     GError     **error)
{
  g_autoptr(AvfsSearchFts5) self = NULL;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (prefix == NULL || prefix_is_valid (prefix), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AVFS_TYPE_SEARCH_FTS5, NULL);
  self->single_db = db;
  self->acquire = single_acquire;
  self->release = single_release;
  self->user_data = self; /* not owned: no destroy */
  self->prefix = g_strdup (prefix != NULL ? prefix : "search");
  if (!create_schema (self, error))
    return NULL;
  return AVFS_SEARCH_INDEX (g_steal_pointer (&self));
}

/**
 * avfs_search_fts5_set_text_func:
 * @self: an index
 * @func: reads a document's text back from its content_ref
 * @user_data: for @func
 *
 * Makes the index keep each document's #AvfsSearchFields.content_ref instead of a copy
 * of its text, and read the text back through @func when it needs it: to delete a
 * document's words, for snippets, and for verify's check of its word lists. Documents
 * indexed without a content_ref keep their text as before. Call before the index is
 * used, and keep @user_data alive as long as the index.
 */
void
avfs_search_fts5_set_text_func (AvfsSearchFts5          *self,
                                AvfsSearchFts5TextFunc   func,
                                gpointer                 user_data)
{
  g_return_if_fail (AVFS_IS_SEARCH_FTS5 (self));

  self->source->func = func;
  self->source->user_data = user_data;
}

/**
 * avfs_search_fts5_forget_connection:
 * @self: an index
 * @db: a connection about to be closed
 *
 * Finalizes the statements the index prepared on @db, so that closing it frees it.
 */
void
avfs_search_fts5_forget_connection (AvfsSearchFts5 *self,
                                    sqlite3        *db)
{
  g_return_if_fail (AVFS_IS_SEARCH_FTS5 (self));

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->connections, db);
  g_mutex_unlock (&self->lock);
}
