/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search libraries on their own (FTS5, Xapian) on the search corpus: what the
 * vault's index throughput and query latency are compared with, in the same run. Plain
 * C types only: the Xapian side is C++, which avfs's storage headers are not. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BenchSearchShape:
 * @query: a word, a `"phrase"` or a `prefix*`: the same syntax in avfs and FTS5
 * @p50_op: the op name of its median latency
 * @p95_op: the op name of its 95th percentile
 */
typedef struct
{
  const char *query;
  const char *p50_op;
  const char *p95_op;
} BenchSearchShape;

gboolean bench_raw_fts5_run   (GPtrArray               *texts,
                               const char              *dir,
                               const BenchSearchShape  *shapes,
                               guint                    n_shapes,
                               guint                    rounds,
                               GArray                  *rows,
                               GError                 **error);
gboolean bench_raw_fts5_write (const char              *dir,
                               guint                    n,
                               GArray                  *rows,
                               GError                 **error);
gboolean bench_raw_xapian_run (GPtrArray               *texts,
                               const char              *dir,
                               const BenchSearchShape  *shapes,
                               guint                    n_shapes,
                               guint                    rounds,
                               GArray                  *rows,
                               GError                 **error);
/* Called by bench_raw_walk_tree() with each file's text; returns %FALSE to stop, with
 * @error set. */
typedef gboolean (*BenchRawTextFunc) (const char  *text,
                                      gsize        len,
                                      gpointer     user_data,
                                      GError     **error);

gboolean bench_raw_walk_tree         (const char        *tree,
                                      BenchRawTextFunc   func,
                                      gpointer           user_data,
                                      GError           **error);
gboolean bench_raw_fts5_index_tree   (const char        *tree,
                                      const char        *path,
                                      GError           **error);
gboolean bench_raw_xapian_index_tree (const char        *tree,
                                      const char        *path,
                                      GError           **error);

void     bench_raw_add_latency    (GArray                  *rows,
                                   const BenchSearchShape  *shape,
                                   GArray                  *times);
void     bench_raw_add_throughput (GArray                  *rows,
                                   GPtrArray               *texts,
                                   gint64                   start_us);
void     bench_raw_remove_tree    (const char              *path);

G_END_DECLS
