/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Raw FTS5 on the search corpus, as an application would use it with no vault around it:
 * its own tokenizer (unicode61), the text stored in the table, every document inserted
 * in one transaction, queries ranked by FTS5's bm25() with a snippet() each for the top
 * 20 and the matches counted, as avfs's search does. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "bench-raw-search.h"
#include "bench-search.h"
#include "bench-vault.h"

/* The op name of the raw library's figure beside avfs's @op. */
static const char *
raw_op (const char *op)
{
  g_autofree char *name = g_strconcat ("raw ", op, NULL);

  return g_intern_string (name);
}

/**
 * bench_raw_add_latency:
 * @times: (element-type double): @shape's latencies, in ms; sorted in place
 *
 * Adds the raw library's p50 and p95 figures of @shape to @rows.
 */
void
bench_raw_add_latency (GArray                  *rows,
                       const BenchSearchShape  *shape,
                       GArray                  *times)
{
  bench_vault_add_row (rows, raw_op (shape->p50_op), bench_search_percentile (times, 50), "ms");
  bench_vault_add_row (rows, raw_op (shape->p95_op), bench_search_percentile (times, 95), "ms");
}

/**
 * bench_raw_add_throughput:
 * @start_us: when indexing @texts began (monotonic time)
 *
 * Adds the raw library's index throughput to @rows.
 */
void
bench_raw_add_throughput (GArray    *rows,
                          GPtrArray *texts,
                          gint64     start_us)
{
  double seconds = (g_get_monotonic_time () - start_us) / 1e6;
  guint64 bytes = 0;

  for (guint i = 0; i < texts->len; i++)
    bytes += strlen (g_ptr_array_index (texts, i));
  bench_vault_add_row (rows, raw_op ("index-throughput"), bytes / 1e6 / seconds, "MB/s");
}

/**
 * bench_raw_remove_tree:
 *
 * bench_vault_remove_tree(), for the C++ side.
 */
void
bench_raw_remove_tree (const char *path)
{
  bench_vault_remove_tree (path);
}

static gboolean
check (sqlite3     *db,
       int          rc,
       int          expected,
       GError     **error)
{
  if (rc == expected)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "raw FTS5: %s", sqlite3_errmsg (db));
  return FALSE;
}

/* Opens a new SQLite database at @path and runs @schema on it; *@db is set either way. */
static gboolean
open_database (const char  *path,
               const char  *schema,
               sqlite3    **db,
               GError     **error)
{
  return check (*db, sqlite3_open (path, db), SQLITE_OK, error) &&
         check (*db, sqlite3_exec (*db, schema, NULL, NULL, NULL), SQLITE_OK, error);
}

/* Removes the SQLite database at @path with its WAL files. */
static void
remove_database (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

static gboolean
insert_texts (sqlite3    *db,
              GPtrArray  *texts,
              GError    **error)
{
  sqlite3_stmt *insert = NULL;
  gboolean ok = check (db, sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), SQLITE_OK, error) &&
                check (db, sqlite3_prepare_v2 (db, "INSERT INTO t (rowid, body) VALUES (?1, ?2)",
                                               -1, &insert, NULL), SQLITE_OK, error);

  for (guint i = 0; ok && i < texts->len; i++)
    {
      sqlite3_bind_int64 (insert, 1, i + 1);
      sqlite3_bind_text (insert, 2, g_ptr_array_index (texts, i), -1, SQLITE_STATIC);
      ok = check (db, sqlite3_step (insert), SQLITE_DONE, error);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  return ok && check (db, sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), SQLITE_OK, error);
}

/* Steps @stmt, bound to @query, to its end. */
static gboolean
run_query (sqlite3       *db,
           sqlite3_stmt  *stmt,
           const char    *query,
           GError       **error)
{
  int rc;

  sqlite3_bind_text (stmt, 1, query, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  return check (db, rc, SQLITE_DONE, error);
}

static gboolean
time_shape (sqlite3                 *db,
            const BenchSearchShape  *shape,
            guint                    rounds,
            GArray                  *rows,
            GError                 **error)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3_stmt *page = NULL, *count = NULL;
  gboolean ok =
    check (db, sqlite3_prepare_v2 (db, "SELECT rowid, snippet (t, 0, '[', ']', '…', 16) "
                                       "FROM t WHERE t MATCH ?1 ORDER BY rank LIMIT 20",
                                   -1, &page, NULL), SQLITE_OK, error) &&
    check (db, sqlite3_prepare_v2 (db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &count,
                                   NULL), SQLITE_OK, error);

  for (guint r = 0; ok && r < rounds; r++)
    {
      gint64 start = g_get_monotonic_time ();
      double ms;

      ok = run_query (db, page, shape->query, error) && run_query (db, count, shape->query, error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
    }
  sqlite3_finalize (page);
  sqlite3_finalize (count);
  if (ok)
    bench_raw_add_latency (rows, shape, times);
  return ok;
}

/**
 * bench_raw_fts5_run:
 * @texts: (element-type utf8): the corpus
 * @dir: a scratch directory
 * @rounds: how many times each query runs
 * @rows: (element-type BenchVaultRow): where the figures go, as `raw OP`
 *
 * Indexes @texts with FTS5 alone and times @shapes on it.
 */
gboolean
bench_raw_fts5_run (GPtrArray               *texts,
                    const char              *dir,
                    const BenchSearchShape  *shapes,
                    guint                    n_shapes,
                    guint                    rounds,
                    GArray                  *rows,
                    GError                 **error)
{
  g_autofree char *path = g_build_filename (dir, "raw-fts5.db", NULL);
  sqlite3 *db = NULL;
  gint64 start;
  gboolean ok;

  ok = open_database (path, "PRAGMA journal_mode = wal; "
                            "CREATE VIRTUAL TABLE t USING fts5 (body)", &db, error);
  start = g_get_monotonic_time ();
  ok = ok && insert_texts (db, texts, error);
  if (ok)
    bench_raw_add_throughput (rows, texts, start);
  for (guint s = 0; ok && s < n_shapes; s++)
    ok = time_shape (db, &shapes[s], rounds, rows, error);
  sqlite3_close (db);
  remove_database (path);
  return ok;
}

/* Steps @stmt once, with @id and @text for its parameters if it has them. */
static gboolean
step_once (sqlite3       *db,
           sqlite3_stmt  *stmt,
           gint64         id,
           const char    *text,
           GError       **error)
{
  gboolean ok;

  if (sqlite3_bind_parameter_count (stmt) == 2)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
    }
  ok = check (db, sqlite3_step (stmt), SQLITE_DONE, error);
  sqlite3_reset (stmt);
  return ok;
}

/* Writes the files of @texts as the write workload does, each in a transaction of its
 * own. */
static gboolean
commit_files (sqlite3            *db,
              const char * const *texts,
              GError            **error)
{
  static const char * const sql[] = {
    "BEGIN", "INSERT INTO files (rowid, body) VALUES (?1, ?2)",
    "INSERT INTO t (rowid, body) VALUES (?1, ?2)", "COMMIT"
  };
  sqlite3_stmt *statements[G_N_ELEMENTS (sql)] = { NULL };
  gboolean ok = TRUE;

  for (guint s = 0; ok && s < G_N_ELEMENTS (sql); s++)
    ok = check (db, sqlite3_prepare_v2 (db, sql[s], -1, &statements[s], NULL), SQLITE_OK,
                error);
  for (guint i = 0; ok && texts[i] != NULL; i++)
    {
      for (guint s = 0; ok && s < G_N_ELEMENTS (sql); s++)
        ok = step_once (db, statements[s], i + 1, texts[i], error);
    }
  for (guint s = 0; s < G_N_ELEMENTS (sql); s++)
    sqlite3_finalize (statements[s]);
  return ok;
}

/**
 * bench_raw_fts5_write:
 * @dir: a scratch directory
 * @n: how many files
 * @rows: (element-type BenchVaultRow): where the figure goes, as `raw file-write-1k`
 *
 * The floor under a one-file write of an SQLite vault, which indexes the file in its
 * own transaction: SQLite alone, with the vault's durability (WAL, synchronous=normal),
 * writes the workload's texts into a table and an FTS5 index of it (external content,
 * unicode61), one transaction each.
 */
gboolean
bench_raw_fts5_write (const char  *dir,
                      guint        n,
                      GArray      *rows,
                      GError     **error)
{
  g_autofree char *path = g_build_filename (dir, "raw-write.db", NULL);
  g_auto(GStrv) texts = bench_vault_make_file_texts (n);
  sqlite3 *db = NULL;
  gint64 start;
  gboolean ok;

  ok = open_database (path, "PRAGMA journal_mode = wal; PRAGMA synchronous = normal; "
                            "CREATE TABLE files (body TEXT); "
                            "CREATE VIRTUAL TABLE t USING fts5 (body, content='files')",
                      &db, error);
  start = g_get_monotonic_time ();
  ok = ok && commit_files (db, (const char * const *) texts, error);
  if (ok)
    bench_vault_add_row (rows, raw_op ("file-write-1k"),
                         n / ((g_get_monotonic_time () - start) / 1e6), "files/s");
  sqlite3_close (db);
  remove_database (path);
  return ok;
}

/**
 * bench_raw_walk_tree:
 * @tree: a host directory
 *
 * Reads every regular file under @tree, depth first, and hands its text to @func.
 */
gboolean
bench_raw_walk_tree (const char        *tree,
                     BenchRawTextFunc   func,
                     gpointer           user_data,
                     GError           **error)
{
  g_autoptr(GDir) dir = g_dir_open (tree, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tree, name, NULL);
      g_autofree char *text = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (!bench_raw_walk_tree (path, func, user_data, error))
            return FALSE;
        }
      else if (!g_file_get_contents (path, &text, &len, error) ||
               !func (text, len, user_data, error))
        return FALSE;
    }
  return TRUE;
}

/* The files of a tree, inserted into a contentless FTS5 table a transaction at a time. */
#define TREE_BATCH 1000

typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *insert;
  guint64 n;
} TreeIndexing;

static gboolean
insert_tree_text (const char  *text,
                  gsize        len,
                  gpointer     user_data,
                  GError     **error)
{
  TreeIndexing *indexing = user_data;
  sqlite3 *db = indexing->db;
  gboolean ok;

  if (indexing->n % TREE_BATCH == 0 &&
      !check (db, sqlite3_exec (db, indexing->n > 0 ? "COMMIT; BEGIN" : "BEGIN", NULL, NULL,
                                NULL), SQLITE_OK, error))
    return FALSE;
  sqlite3_bind_int64 (indexing->insert, 1, ++indexing->n);
  sqlite3_bind_text (indexing->insert, 2, text, len, SQLITE_STATIC);
  ok = check (db, sqlite3_step (indexing->insert), SQLITE_DONE, error);
  sqlite3_reset (indexing->insert);
  return ok;
}

/**
 * bench_raw_fts5_index_tree:
 * @tree: a host directory of text files
 * @path: where the database goes; the caller measures and removes it
 *
 * The floor under an SQLite vault's import with indexing: FTS5 alone (contentless, so
 * only the index, with positions; unicode61) indexes every file of @tree, read from
 * disk, a thousand files a transaction, with the vault's durability and FTS5 settings
 * (`automerge` 16: docs/search.md).
 */
gboolean
bench_raw_fts5_index_tree (const char  *tree,
                           const char  *path,
                           GError     **error)
{
  TreeIndexing indexing = { NULL, NULL, 0 };
  gboolean ok;

  ok = open_database (path, "PRAGMA journal_mode = wal; PRAGMA synchronous = normal; "
                            "CREATE VIRTUAL TABLE t USING fts5 (body, content=''); "
                            "INSERT INTO t (t, rank) VALUES ('automerge', 16)",
                      &indexing.db, error) &&
       check (indexing.db, sqlite3_prepare_v2 (indexing.db,
                                               "INSERT INTO t (rowid, body) VALUES (?1, ?2)",
                                               -1, &indexing.insert, NULL), SQLITE_OK, error) &&
       bench_raw_walk_tree (tree, insert_tree_text, &indexing, error) &&
       check (indexing.db, sqlite3_exec (indexing.db, "COMMIT", NULL, NULL, NULL), SQLITE_OK,
              error);
  sqlite3_finalize (indexing.insert);
  sqlite3_close (indexing.db);
  return ok;
}
