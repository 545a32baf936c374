/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Raw Xapian on the search corpus, as an application would use it with no vault around
 * it: its own TermGenerator (positions, no stemming), a commit every 250 documents (its
 * fastest pace on this corpus; see BENCHMARKS.md) and no document data; queries ranked
 * by BM25 with avfs's parameters, the top 20 read and the matches counted exactly. No
 * snippets: Xapian would need the text, which the raw index does not keep. */
#include <gio/gio.h>
#include <xapian.h>

#include <string>
#include <vector>

#include "bench-raw-search.h"

#define COMMIT_EVERY 250

/* A word, a "phrase" or a prefix* (the shapes' syntax) as a Xapian query. */
static Xapian::Query
shape_query (const char *text)
{
  std::string query (text);

  if (!query.empty () && query.front () == '"')
    {
      g_auto(GStrv) words = g_strsplit (query.substr (1, query.size () - 2).c_str (), " ", -1);
      std::vector<std::string> terms (words, words + g_strv_length (words));

      return Xapian::Query (Xapian::Query::OP_PHRASE, terms.begin (), terms.end (), terms.size ());
    }
  if (!query.empty () && query.back () == '*')
    return Xapian::Query (Xapian::Query::OP_WILDCARD, query.substr (0, query.size () - 1), 0,
                          Xapian::Query::WILDCARD_LIMIT_ERROR, Xapian::Query::OP_SYNONYM);
  return Xapian::Query (query);
}

static void
index_texts (const std::string &path,
             GPtrArray         *texts)
{
  Xapian::WritableDatabase db (path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC);
  Xapian::TermGenerator generator;

  generator.set_stemming_strategy (Xapian::TermGenerator::STEM_NONE);
  for (guint i = 0; i < texts->len; i++)
    {
      Xapian::Document document;

      generator.set_document (document);
      generator.index_text ((const char *) g_ptr_array_index (texts, i));
      db.replace_document (i + 1, document);
      if ((i + 1) % COMMIT_EVERY == 0)
        db.commit ();
    }
  db.commit ();
}

static void
time_shape (const Xapian::Database &db,
            const BenchSearchShape *shape,
            guint                   rounds,
            GArray                 *rows)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint r = 0; r < rounds; r++)
    {
      gint64 start = g_get_monotonic_time ();
      Xapian::Enquire enquire (db);
      double ms;

      enquire.set_query (shape_query (shape->query));
      enquire.set_weighting_scheme (Xapian::BM25Weight (1.2, 0, 1, 0.75, 0.5));
      Xapian::MSet mset = enquire.get_mset (0, 20, db.get_doccount ());
      for (Xapian::MSetIterator it = mset.begin (); it != mset.end (); ++it)
        (void) it.get_document ().get_docid ();
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
    }
  bench_raw_add_latency (rows, shape, times);
}

/**
 * bench_raw_xapian_run:
 * @texts: (element-type utf8): the corpus
 * @dir: a scratch directory
 * @rounds: how many times each query runs
 * @rows: (element-type BenchVaultRow): where the figures go, as `raw OP`
 *
 * Indexes @texts with Xapian alone and times @shapes on it.
 */
extern "C" gboolean
bench_raw_xapian_run (GPtrArray               *texts,
                      const char              *dir,
                      const BenchSearchShape  *shapes,
                      guint                    n_shapes,
                      guint                    rounds,
                      GArray                  *rows,
                      GError                 **error)
{
  g_autofree char *path = g_build_filename (dir, "raw-xapian", NULL);
  gboolean ok = TRUE;

  try
    {
      gint64 start = g_get_monotonic_time ();

      index_texts (path, texts);
      bench_raw_add_throughput (rows, texts, start);
      Xapian::Database db (path);
      for (guint s = 0; s < n_shapes; s++)
        time_shape (db, &shapes[s], rounds, rows);
    }
  catch (const Xapian::Error &e)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "raw Xapian: %s",
                   e.get_description ().c_str ());
      ok = FALSE;
    }
  bench_raw_remove_tree (path);
  return ok;
}

typedef struct
{
  Xapian::WritableDatabase *db;
  Xapian::TermGenerator *generator;
  guint n;
} TreeIndexing;

static gboolean
index_tree_text (const char  *text,
                 gsize        len,
                 gpointer     user_data,
                 GError     **error G_GNUC_UNUSED)
{
  TreeIndexing *indexing = (TreeIndexing *) user_data;
  Xapian::Document document;

  indexing->generator->set_document (document);
  indexing->generator->index_text (std::string (text, len));
  indexing->db->add_document (document);
  if (++indexing->n % COMMIT_EVERY == 0)
    indexing->db->commit ();
  return TRUE;
}

/**
 * bench_raw_xapian_index_tree:
 * @tree: a host directory of text files
 * @path: where the database goes; the caller measures and removes it
 *
 * The floor under an LMDB or RocksDB vault's import with indexing: Xapian alone, as
 * bench_raw_xapian_run() uses it, indexes every file of @tree, read from disk, on one
 * thread (avfs shards its bulk indexing over every processor).
 */
extern "C" gboolean
bench_raw_xapian_index_tree (const char  *tree,
                             const char  *path,
                             GError     **error)
{
  try
    {
      Xapian::WritableDatabase db (path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC);
      Xapian::TermGenerator generator;
      TreeIndexing indexing = { &db, &generator, 0 };

      generator.set_stemming_strategy (Xapian::TermGenerator::STEM_NONE);
      if (!bench_raw_walk_tree (tree, index_tree_text, &indexing, error))
        return FALSE;
      db.commit ();
    }
  catch (const Xapian::Error &e)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "raw Xapian: %s",
                   e.get_description ().c_str ());
      return FALSE;
    }
  return TRUE;
}
