/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search part of avfs-bench: query latency per query shape and index throughput. */
#pragma once

#include "bench-vault.h"

G_BEGIN_DECLS

gboolean bench_search_run (const char  *engine,
                           const char  *dir,
                           gboolean     quick,
                           GArray      *rows,
                           GError     **error);

G_END_DECLS
