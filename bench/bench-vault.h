/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault-level part of avfs-bench: files written, read, listed and imported. */
#pragma once

#include <json-glib/json-glib.h>

#include "avfs-vault.h"

G_BEGIN_DECLS

/* The files of the write workload: their size, and the seed of their words. */
#define BENCH_VAULT_FILE_LEN 1024
#define BENCH_VAULT_FILE_SEED 7

/**
 * BenchVaultRow:
 * @op: `file-write-1k`, `file-read-1k`, `list-1000`, `import-10k`, `import-indexed-10k`
 *   (`-1k` when quick), `migrate-to-ENGINE`
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

void       bench_vault_add_row      (GArray                *rows,
                                     const char            *op,
                                     double                 value,
                                     const char            *unit);
void       bench_vault_remove_tree  (const char            *path);
void       bench_vault_append_words (GString               *text,
                                     GRand                 *rand,
                                     gsize                  len);
GStrv      bench_vault_make_file_texts (guint              n);
AvfsVault *bench_vault_create       (const char            *engine,
                                     const char            *dir,
                                     const char            *name,
                                     char                 **path,
                                     GError               **error);
char      *bench_vault_format_count (double                 value);
void       bench_vault_json_row     (JsonBuilder           *builder,
                                     const char            *engine,
                                     const char            *op);
void       bench_vault_json_number  (JsonBuilder           *builder,
                                     const char            *name,
                                     double                 value,
                                     double                 scale);
void       bench_vault_json_print   (JsonBuilder           *builder);
void       bench_vault_make_tree    (BenchVaultTree        *tree,
                                     const char            *dir,
                                     guint                  files);
gboolean   bench_vault_run          (const char            *engine,
                                     const char            *dir,
                                     gboolean               quick,
                                     const BenchVaultTree  *tree,
                                     GArray                *rows,
                                     GError               **error);

G_END_DECLS
