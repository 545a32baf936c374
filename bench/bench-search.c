/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search workloads of avfs-bench (issue "search", Speed): query latency on 10k
 * documents for four query shapes, with ranking and snippets for the top 20, and how
 * fast the vault's index is rebuilt. */
#include <glib/gstdio.h>
#include <math.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-search.h"
#include "avfs-vault-transfer.h"
#include "bench-search.h"

#define VOCABULARY 5000

/* The query shapes, each with the op names of its figures. */
static const struct
{
  const char *query;
  const char *p50_op;
  const char *p95_op;
} shapes[] = {
  { "zygomorph", "search-p50 rare", "search-p95 rare" },
  { "w0", "search-p50 common", "search-p95 common" },
  { "\"quick brown\"", "search-p50 phrase", "search-p95 phrase" },
  /* A prefix of 111 words, and one of 1,111 words found in nearly every file. */
  { "w12*", "search-p50 prefix", "search-p95 prefix" },
  { "w1*", "search-p50 prefix-wide", "search-p95 prefix-wide" },
};

/* A word drawn from a Zipf-like distribution over w0…w4999: w0 is in nearly every file. */
static guint
zipf_word (GRand *rand)
{
  return (guint) (pow (VOCABULARY, g_rand_double (rand)) - 1);
}

/* Text files of 0.5–4 KiB: Zipf words, "quick brown" in every tenth, and the rare word
 * in five. */
static guint64
make_corpus (const char *root,
             guint       files)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GString) text = g_string_new (NULL);
  guint64 bytes = 0;

  for (guint i = 0; i < files; i++)
    {
      g_autofree char *subdir = g_strdup_printf ("%s/d%03u", root, i / 100);
      g_autofree char *path = g_strdup_printf ("%s/doc%05u.txt", subdir, i);
      guint len = g_rand_int_range (rand, 512, 4096);

      g_mkdir_with_parents (subdir, 0700);
      g_string_truncate (text, 0);
      if (i % 10 == 0)
        g_string_append (text, "the quick brown fox ");
      if (i % (files / 5) == 1)
        g_string_append (text, "zygomorph ");
      while (text->len < len)
        g_string_append_printf (text, "w%u%s", zipf_word (rand),
                                g_rand_int_range (rand, 0, 12) == 0 ? ".\n" : " ");
      g_file_set_contents (path, text->str, text->len, NULL);
      bytes += text->len;
    }
  return bytes;
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Runs @query @rounds times and adds its p50 and p95 latency. */
static gboolean
time_query (AvfsVault  *vault,
            guint       shape,
            guint       rounds,
            GArray     *rows,
            GError    **error)
{
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(GArray) times = g_array_sized_new (FALSE, FALSE, sizeof (double), rounds);

  for (guint r = 0; r < rounds; r++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(AvfsSearchResults) results = avfs_vault_search (vault, shapes[shape].query,
                                                                &options, error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      if (results == NULL)
        return FALSE;
      if (results->total == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s finds nothing",
                       shapes[shape].query);
          return FALSE;
        }
      g_array_append_val (times, ms);
    }
  g_array_sort (times, compare_doubles);
  bench_vault_add_row (rows, shapes[shape].p50_op, g_array_index (times, double, rounds / 2), "ms");
  bench_vault_add_row (rows, shapes[shape].p95_op,
                       g_array_index (times, double, rounds * 95 / 100), "ms");
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
  const AvfsEngineInfo *info = avfs_storage_lookup_engine (engine, error);
  g_autofree char *corpus = g_build_filename (dir, "search-corpus", NULL);
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  guint files = quick ? 1000 : 10000;
  guint64 bytes;
  gint64 start;
  gboolean ok = TRUE;

  if (info == NULL)
    return FALSE;
  bytes = make_corpus (corpus, files);
  base = g_strconcat ("search", info->extension != NULL ? info->extension : "", NULL);
  path = info->extension != NULL ? g_build_filename (dir, base, NULL) : NULL;
  vault = avfs_vault_create (engine, path, NULL, NULL, error);
  if (vault == NULL ||
      !avfs_vault_import (vault, corpus, "/corpus", AVFS_IMPORT_NONE, NULL, NULL, NULL, NULL,
                          error))
    return FALSE;
  start = g_get_monotonic_time ();
  if (!avfs_vault_search_rebuild (vault, NULL, NULL, NULL, error))
    return FALSE;
  bench_vault_add_row (rows, "index-throughput",
                       bytes / 1e6 / ((g_get_monotonic_time () - start) / 1e6),
                       "MB/s");
  for (guint s = 0; ok && s < G_N_ELEMENTS (shapes); s++)
    ok = time_query (vault, s, quick ? 40 : 200, rows, error);
  avfs_vault_close (vault, NULL);
  return ok;
}
