/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The scale run of avfs-bench (`--scale N`): a generated tree of N small text files in
 * every engine, each in a child process, next to git, sqlite3 -Ac and rg on the same tree. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The tree sizes --scale accepts: enough files for a listing directory and the rare word,
 * and no more than a file system comfortably holds. */
#define BENCH_SCALE_MIN_FILES 100
#define BENCH_SCALE_MAX_FILES 100000000

gboolean bench_scale_run   (GPtrArray   *engines,
                            guint        files,
                            const char  *tmp_dir,
                            gboolean     as_json,
                            GError     **error);
int      bench_scale_child (const char  *engine,
                            const char  *tree,
                            const char  *vault_dir);

G_END_DECLS
