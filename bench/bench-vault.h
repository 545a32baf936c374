/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault-level part of avfs-bench: files written, read, listed and imported. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BenchVaultRow:
 * @op: `file-write-1k`, `file-read-1k`, `list-1000`, `import-10k` (`import-1k` when quick)
 * @value: the figure
 * @unit: what it counts: `files/s`, `lists/s`, `MB/s`
 */
typedef struct
{
  const char *op;
  double value;
  const char *unit;
} BenchVaultRow;

/**
 * BenchVaultTree:
 * @path: a host directory of generated text files
 * @files: how many
 * @bytes: their total size
 */
typedef struct
{
  char *path;
  guint files;
  guint64 bytes;
} BenchVaultTree;

void     bench_vault_add_row   (GArray                *rows,
                                const char            *op,
                                double                 value,
                                const char            *unit);
void     bench_vault_make_tree (BenchVaultTree        *tree,
                                const char            *dir,
                                guint                  files);
gboolean bench_vault_run       (const char            *engine,
                                const char            *dir,
                                gboolean               quick,
                                const BenchVaultTree  *tree,
                                GArray                *rows,
                                GError               **error);

G_END_DECLS
