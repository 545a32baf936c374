/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault-level workloads of avfs-bench (issue "vault core", Speed): each file write is
 * its own call and commit, as a script or an agent writes. */
#include <glib/gstdio.h>
#include <stdio.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-migrate.h"
#include "avfs-vault-transfer.h"
#include "avfs-vault.h"
#include "bench-vault.h"

#define FILE_LEN 1024
#define LIST_LEN 1000

/* 1 KiB of text unique to @index, so no write is saved by deduplication. */
static void
make_text (guint64 index,
           char    text[FILE_LEN])
{
  for (gsize i = 0; i < FILE_LEN; i++)
    text[i] = 'a' + (i * 7 + index) % 26;
  g_snprintf (text, 24, "file %" G_GUINT64_FORMAT " ", index);
  text[FILE_LEN - 1] = '\n';
}

/* Adds one figure to @rows (element-type BenchVaultRow). */
void
bench_vault_add_row (GArray     *rows,
                     const char *op,
                     double      value,
                     const char *unit)
{
  BenchVaultRow row = { op, value, unit };

  g_array_append_val (rows, row);
}

static gboolean
write_files (AvfsVault  *vault,
             guint       n,
             GArray     *rows,
             GError    **error)
{
  char text[FILE_LEN];
  gint64 start;

  if (!avfs_vault_mkdir (vault, "/w", FALSE, error))
    return FALSE;
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w/f%06u", i);

      make_text (i, text);
      if (avfs_vault_write (vault, path, (const guint8 *) text, FILE_LEN, AVFS_WRITE_NONE,
                            error) == 0)
        return FALSE;
    }
  bench_vault_add_row (rows, "file-write-1k", n / ((g_get_monotonic_time () - start) / 1e6),
                       "files/s");
  return TRUE;
}

/* Reads @n random files of the @n_files write_files() wrote. */
static gboolean
read_files (AvfsVault  *vault,
            guint       n_files,
            guint       n,
            GArray     *rows,
            GError    **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w/f%06u", g_rand_int_range (rand, 0, n_files));
      g_autoptr(GBytes) content = avfs_vault_read (vault, path, 0, error);

      if (content == NULL || g_bytes_get_size (content) != FILE_LEN)
        return FALSE;
    }
  bench_vault_add_row (rows, "file-read-1k", n / ((g_get_monotonic_time () - start) / 1e6),
                       "files/s");
  return TRUE;
}

/* Lists /w (LIST_LEN entries, the first files written) again and again. */
static gboolean
list_directory (AvfsVault  *vault,
                guint       repeats,
                GArray     *rows,
                GError    **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  gint64 start;

  if (!avfs_vault_mkdir (vault, "/l", FALSE, error))
    return FALSE;
  for (guint i = 0; i < LIST_LEN; i++)
    {
      g_autofree char *path = g_strdup_printf ("/l/f%04u", i);

      if (avfs_vault_write (vault, path, (const guint8 *) "x", 1, AVFS_WRITE_NONE, error) == 0)
        return FALSE;
    }
  start = g_get_monotonic_time ();
  for (guint i = 0; i < repeats; i++)
    {
      g_clear_pointer (&entries, g_ptr_array_unref);
      entries = avfs_vault_list (vault, "/l", error);
      if (entries == NULL || entries->len != LIST_LEN)
        return FALSE;
    }
  bench_vault_add_row (rows, "list-1000",
                       repeats / ((g_get_monotonic_time () - start) / 1e6), "lists/s");
  return TRUE;
}

/**
 * bench_vault_make_tree:
 * @dir: where to put it
 * @files: how many text files of 0.5–4 KiB, in directories of 100
 *
 * Generates the host tree the import workload reads (once per run: every engine imports
 * the same files).
 */
void
bench_vault_make_tree (BenchVaultTree *tree,
                       const char     *dir,
                       guint           files)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *root;
  guint n = files;

  tree->path = g_build_filename (dir, "import-tree", NULL);
  tree->files = files;
  tree->bytes = 0;
  root = tree->path;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *subdir = g_strdup_printf ("%s/d%03u", root, i / 100);
      g_autofree char *path = g_strdup_printf ("%s/f%05u.txt", subdir, i);
      guint len = g_rand_int_range (rand, 512, 4096);

      g_mkdir_with_parents (subdir, 0700);
      g_string_truncate (text, 0);
      while (text->len < len)
        g_string_append_printf (text, "line %u of file %u: lorem ipsum dolor sit amet\n",
                                (guint) text->len, i);
      g_file_set_contents (path, text->str, text->len, NULL);
      tree->bytes += text->len;
    }
}

static gboolean
import_tree (AvfsVault             *vault,
             const BenchVaultTree  *tree,
             GArray                *rows,
             GError               **error)
{
  AvfsTransferReport report = { 0 };
  gint64 start = g_get_monotonic_time ();

  if (!avfs_vault_import (vault, tree->path, "/imported", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                          &report, error))
    return FALSE;
  bench_vault_add_row (rows, tree->files >= 10000 ? "import-10k" : "import-1k",
                       tree->bytes / 1e6 / ((g_get_monotonic_time () - start) / 1e6), "MB/s");
  return TRUE;
}

/* Where each engine's vault migrates to, and the op that measures it. */
static const struct
{
  const char *from;
  const char *to;
  const char *op;
} migrations[] = {
  { "sqlite", "lmdb", "migrate-to-lmdb" },
  { "lmdb", "rocksdb", "migrate-to-rocksdb" },
  { "rocksdb", "sqlite", "migrate-to-sqlite" },
  { "memory", "sqlite", "migrate-to-sqlite" },
};

/* Migrates the whole vault (written files and imported tree) to another engine, copy,
 * index, compare and verify included, in MB/s of content: comparable with import. */
static gboolean
migrate_vault (AvfsVault   *vault,
               const char  *dir,
               guint64      content_bytes,
               GArray      *rows,
               GError     **error)
{
  const char *engine = avfs_vault_get_engine_name (vault);
  g_autoptr(AvfsMigrateResult) result = NULL;
  g_autoptr(AvfsVault) target = NULL;
  g_autofree char *path = NULL;
  const AvfsEngineInfo *info;
  gint64 start;

  for (guint i = 0; i < G_N_ELEMENTS (migrations); i++)
    {
      if (!g_str_equal (migrations[i].from, engine) ||
          (info = avfs_storage_lookup_engine (migrations[i].to, NULL)) == NULL ||
          !info->available)
        continue;
      path = g_strconcat (dir, "/migrated", info->extension, NULL);
      start = g_get_monotonic_time ();
      target = avfs_vault_migrate_to (vault, migrations[i].to, path, NULL, &result, NULL, NULL,
                                      NULL, error);
      if (target == NULL)
        return FALSE;
      bench_vault_add_row (rows, migrations[i].op,
                           content_bytes / 1e6 / ((g_get_monotonic_time () - start) / 1e6),
                           "MB/s");
      avfs_vault_close (target, NULL);
      return avfs_storage_delete_store (path, error);
    }
  return TRUE;
}

/**
 * bench_vault_run:
 * @dir: a scratch directory for the vault
 * @quick: smaller counts, for CI
 * @tree: the host tree to import
 * @rows: (element-type BenchVaultRow): where the figures go
 */
gboolean
bench_vault_run (const char            *engine,
                 const char            *dir,
                 gboolean               quick,
                 const BenchVaultTree  *tree,
                 GArray                *rows,
                 GError               **error)
{
  const AvfsEngineInfo *info = avfs_storage_lookup_engine (engine, error);
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  guint n_files = quick ? 2000 : 20000;
  gboolean ok;

  if (info == NULL)
    return FALSE;
  base = g_strconcat ("vault", info->extension != NULL ? info->extension : "", NULL);
  path = info->extension != NULL ? g_build_filename (dir, base, NULL) : NULL;
  vault = avfs_vault_create (engine, path, NULL, NULL, error);
  if (vault == NULL)
    return FALSE;
  ok = write_files (vault, n_files, rows, error) &&
       read_files (vault, n_files, n_files * 5, rows, error) &&
       list_directory (vault, quick ? 50 : 500, rows, error) &&
       import_tree (vault, tree, rows, error) &&
       migrate_vault (vault, dir, (guint64) n_files * FILE_LEN + tree->bytes, rows, error);
  avfs_vault_close (vault, NULL);
  return ok;
}
