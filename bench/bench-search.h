/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search part of avfs-bench: query latency per query shape and index throughput, and
 * the generated corpus the scale run shares. */
#pragma once

#include "avfs-vault.h"
#include "bench-vault.h"

G_BEGIN_DECLS

/* Words of the generated corpus: one found in five files, one in nearly every file, and
 * a phrase in every tenth file (bench_search_make_text()). */
#define BENCH_SEARCH_RARE "zygomorph"
#define BENCH_SEARCH_COMMON "w0"
#define BENCH_SEARCH_PHRASE "quick brown"

void     bench_search_make_text  (GString     *text,
                                  GRand       *rand,
                                  guint        index,
                                  guint        files);
double   bench_search_percentile (GArray      *times,
                                  guint        percent);
gboolean bench_search_latency    (AvfsVault   *vault,
                                  const char  *query,
                                  guint        rounds,
                                  double      *p50,
                                  double      *p95,
                                  GError     **error);
gboolean bench_search_run        (const char  *engine,
                                  const char  *dir,
                                  gboolean     quick,
                                  GArray      *rows,
                                  GError     **error);

G_END_DECLS
