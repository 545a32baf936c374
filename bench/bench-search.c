/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search workloads of avfs-bench (issue "search", Speed): query latency on 10k
 * documents for four query shapes, with ranking and snippets for the top 20, and how
 * fast the vault's index is rebuilt. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-search.h"
#include "avfs-vault-transfer.h"
#include "bench-raw-search.h"
#include "bench-search.h"

/* The query shapes, each with the op names of its figures. */
static const BenchSearchShape shapes[] = {
  { BENCH_SEARCH_RARE, "search-p50 rare", "search-p95 rare" },
  { BENCH_SEARCH_COMMON, "search-p50 common", "search-p95 common" },
  { "\"" BENCH_SEARCH_PHRASE "\"", "search-p50 phrase", "search-p95 phrase" },
  /* A prefix of 111 words, and one of 1,111 words found in nearly every file. */
  { "w12*", "search-p50 prefix", "search-p95 prefix" },
  { "w1*", "search-p50 prefix-wide", "search-p95 prefix-wide" },
};

/**
 * bench_search_make_text:
 * @text: where the text goes (replacing what it held)
 * @rand: the corpus's generator
 * @index: the file's number, 0 … @files - 1
 * @files: how many files the corpus has
 *
 * Makes the text of one corpus file: 0.5–4 KiB of Zipf words, with
 * %BENCH_SEARCH_PHRASE in every tenth file and %BENCH_SEARCH_RARE in five.
 */
void
bench_search_make_text (GString *text,
                        GRand   *rand,
                        guint    index,
                        guint    files)
{
  guint len = g_rand_int_range (rand, 512, 4096);

  g_string_truncate (text, 0);
  if (index % 10 == 0)
    g_string_append (text, "the " BENCH_SEARCH_PHRASE " fox ");
  if (files >= 10 && index % (files / 5) == 1)
    g_string_append (text, BENCH_SEARCH_RARE " ");
  bench_vault_append_words (text, rand, len);
}

/* The corpus's texts, in file order. */
static GPtrArray *
make_texts (guint files)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GString) text = g_string_new (NULL);
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < files; i++)
    {
      bench_search_make_text (text, rand, i, files);
      g_ptr_array_add (texts, g_strndup (text->str, text->len));
    }
  return texts;
}

/* Writes @texts as files under @root; returns their bytes. */
static guint64
write_corpus (const char *root,
              GPtrArray  *texts)
{
  guint64 bytes = 0;

  for (guint i = 0; i < texts->len; i++)
    {
      g_autofree char *subdir = g_strdup_printf ("%s/d%03u", root, i / 100);
      g_autofree char *path = g_strdup_printf ("%s/doc%05u.txt", subdir, i);
      const char *text = g_ptr_array_index (texts, i);

      g_mkdir_with_parents (subdir, 0700);
      g_file_set_contents (path, text, -1, NULL);
      bytes += strlen (text);
    }
  return bytes;
}

/* The library under @engine's index alone, on the same texts and queries. */
static gboolean
run_raw_library (const char  *engine,
                 GPtrArray   *texts,
                 const char  *dir,
                 guint        rounds,
                 GArray      *rows,
                 GError     **error)
{
  if (g_str_equal (engine, "sqlite"))
    return bench_raw_fts5_run (texts, dir, shapes, G_N_ELEMENTS (shapes), rounds, rows, error);
  if (g_str_equal (engine, "lmdb") || g_str_equal (engine, "rocksdb"))
    return bench_raw_xapian_run (texts, dir, shapes, G_N_ELEMENTS (shapes), rounds, rows, error);
  return TRUE; /* the memory index is avfs's own */
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/**
 * bench_search_percentile:
 * @times: (element-type double): measurements; sorted in place
 * @percent: 50 for the median, 95…
 *
 * Returns: the @percent-th percentile of @times (nearest rank below)
 */
double
bench_search_percentile (GArray *times,
                         guint   percent)
{
  g_return_val_if_fail (times->len > 0, NAN);
  g_array_sort (times, compare_doubles);
  return g_array_index (times, double, times->len * MIN (percent, 99) / 100);
}

/**
 * bench_search_latency:
 * @query: a query that must find something
 * @rounds: how many times to run it
 * @p50: (out): its median latency, in ms
 * @p95: (out): its 95th percentile latency, in ms
 *
 * Runs @query @rounds times with the default options (ranking and snippets for the top
 * 20), as the search box and `avfs-cli search` do.
 */
gboolean
bench_search_latency (AvfsVault   *vault,
                      const char  *query,
                      guint        rounds,
                      double      *p50,
                      double      *p95,
                      GError     **error)
{
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(GArray) times = g_array_sized_new (FALSE, FALSE, sizeof (double), rounds);

  for (guint r = 0; r < rounds; r++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(AvfsSearchResults) results = avfs_vault_search (vault, query, &options, error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      if (results == NULL)
        return FALSE;
      if (results->total == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s finds nothing", query);
          return FALSE;
        }
      g_array_append_val (times, ms);
    }
  *p50 = bench_search_percentile (times, 50);
  *p95 = bench_search_percentile (times, 95);
  return TRUE;
}

/* Runs shape @shape @rounds times and adds its p50 and p95 latency. */
static gboolean
time_query (AvfsVault  *vault,
            guint       shape,
            guint       rounds,
            GArray     *rows,
            GError    **error)
{
  double p50, p95;

  if (!bench_search_latency (vault, shapes[shape].query, rounds, &p50, &p95, error))
    return FALSE;
  bench_vault_add_row (rows, shapes[shape].p50_op, p50, "ms");
  bench_vault_add_row (rows, shapes[shape].p95_op, p95, "ms");
  return TRUE;
}

/**
 * bench_search_run:
 * @dir: a scratch directory for the vault and the corpus
 * @quick: 1000 documents instead of 10000, fewer rounds
 * @rows: (element-type BenchVaultRow): where the figures go
 */
gboolean
bench_search_run (const char  *engine,
                  const char  *dir,
                  gboolean     quick,
                  GArray      *rows,
                  GError     **error)
{
  g_autofree char *corpus = g_build_filename (dir, "search-corpus", NULL);
  g_autoptr(GPtrArray) texts = make_texts (quick ? 1000 : 10000);
  g_autoptr(AvfsVault) vault = NULL;
  guint rounds = quick ? 40 : 200;
  guint64 bytes;
  gint64 start;
  gboolean ok = TRUE;

  bytes = write_corpus (corpus, texts);
  vault = bench_vault_create (engine, dir, "search", NULL, error);
  if (vault == NULL ||
      !avfs_vault_import (vault, corpus, "/corpus", AVFS_IMPORT_NONE, NULL, NULL, NULL, NULL,
                          error) ||
      /* The import's own indexing goes on in the background: it is not the rebuild's. */
      !avfs_vault_search_flush (vault, error))
    return FALSE;
  start = g_get_monotonic_time ();
  if (!avfs_vault_search_rebuild (vault, NULL, NULL, NULL, error))
    return FALSE;
  bench_vault_add_row (rows, "index-throughput",
                       bytes / 1e6 / ((g_get_monotonic_time () - start) / 1e6),
                       "MB/s");
  for (guint s = 0; ok && s < G_N_ELEMENTS (shapes); s++)
    ok = time_query (vault, s, rounds, rows, error);
  avfs_vault_close (vault, NULL);
  return ok && run_raw_library (engine, texts, dir, rounds, rows, error);
}
