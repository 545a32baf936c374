/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault-level workloads of avfs-bench (issue "vault core", Speed): each file write is
 * its own call and commit, as a script or an agent writes. Also the small helpers every
 * part of the bench shares (host trees, counts). */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-migrate.h"
#include "avfs-vault-search.h"
#include "avfs-vault-transfer.h"
#include "avfs-vault.h"
#include "bench-raw-search.h"
#include "bench-vault.h"

#define LIST_LEN 1000
#define VOCABULARY 5000

/* A word drawn from a Zipf-like distribution over w0…w4999: w0 is in nearly every text. */
static guint
zipf_word (GRand *rand)
{
  return (guint) (pow (VOCABULARY, g_rand_double (rand)) - 1);
}

/**
 * bench_vault_append_words:
 * @text: where the words go
 * @rand: the generator
 * @len: the length @text reaches (or passes by part of a word)
 *
 * Appends Zipf-distributed words (w0…w4999) in sentences of about 12 words, the text
 * of every generated file in the bench.
 */
void
bench_vault_append_words (GString *text,
                          GRand   *rand,
                          gsize    len)
{
  while (text->len < len)
    g_string_append_printf (text, "w%u%s", zipf_word (rand),
                            g_rand_int_range (rand, 0, 12) == 0 ? ".\n" : " ");
}

/**
 * bench_vault_make_file_texts:
 * @n: how many files
 *
 * Makes the texts of the write workload's @n files: %BENCH_VAULT_FILE_LEN bytes of
 * words each, unique to the file so that no write is saved by deduplication. They are
 * made before the clock starts: making one (printf and pow() per word) costs as much
 * as a write into some engines.
 *
 * Returns: (transfer full): @n NUL-terminated texts, %NULL-terminated
 */
GStrv
bench_vault_make_file_texts (guint n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (BENCH_VAULT_FILE_SEED);
  GStrv texts = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      GString *text = g_string_sized_new (BENCH_VAULT_FILE_LEN + 32);

      g_string_printf (text, "file %u ", i);
      bench_vault_append_words (text, rand, BENCH_VAULT_FILE_LEN);
      g_string_truncate (text, BENCH_VAULT_FILE_LEN - 1);
      g_string_append_c (text, '\n');
      texts[i] = g_string_free (text, FALSE);
    }
  return texts;
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

/**
 * bench_vault_remove_tree:
 * @path: a host file or directory
 *
 * Deletes @path and everything under it, never following a symbolic link.
 */
void
bench_vault_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        bench_vault_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/**
 * bench_vault_create:
 * @dir: the directory it goes in
 * @name: its file name, without the engine's extension
 * @path: (out) (optional) (transfer full) (nullable): where it is (%NULL for a memory vault)
 *
 * Creates a vault of @engine with the engine's default settings, for a workload.
 *
 * Returns: (transfer full) (nullable): the vault
 */
AvfsVault *
bench_vault_create (const char  *engine,
                    const char  *dir,
                    const char  *name,
                    char       **path,
                    GError     **error)
{
  const AvfsEngineInfo *info = avfs_storage_lookup_engine (engine, error);
  g_autofree char *base = NULL;
  g_autofree char *vault_path = NULL;
  AvfsVault *vault;

  if (info == NULL)
    return NULL;
  if (info->extension != NULL)
    {
      base = g_strconcat (name, info->extension, NULL);
      vault_path = g_build_filename (dir, base, NULL);
    }
  vault = avfs_vault_create (engine, vault_path, NULL, NULL, error);
  if (vault != NULL && path != NULL)
    *path = g_steal_pointer (&vault_path);
  return vault;
}

/**
 * bench_vault_json_row:
 * @builder: inside the results array
 *
 * Begins a row of the results, `{"backend": @engine, "op": @op`: the caller adds its
 * figures and ends the object.
 */
void
bench_vault_json_row (JsonBuilder *builder,
                      const char  *engine,
                      const char  *op)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "backend");
  json_builder_add_string_value (builder, engine);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, op);
}

/**
 * bench_vault_json_number:
 * @scale: 10 keeps one decimal, 1000 three: figures print without float noise
 *
 * Adds member @name, @value rounded, or `null` for a NAN (a figure that does not apply).
 */
void
bench_vault_json_number (JsonBuilder *builder,
                         const char  *name,
                         double       value,
                         double       scale)
{
  json_builder_set_member_name (builder, name);
  if (isnan (value))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, round (value * scale) / scale);
}

/**
 * bench_vault_json_print:
 *
 * Prints the document @builder holds on stdout, on one line.
 */
void
bench_vault_json_print (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  printf ("%s\n", text);
}

/**
 * bench_vault_format_count:
 * @value: a count, rounded to a whole number
 *
 * Returns: (transfer full): @value with thousands separated by commas (`1,000,000`)
 */
char *
bench_vault_format_count (double value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", value);
  GString *text = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, digits[i]);
    }
  return g_string_free (text, FALSE);
}

static gboolean
write_files (AvfsVault  *vault,
             guint       n,
             GArray     *rows,
             GError    **error)
{
  g_auto(GStrv) texts = bench_vault_make_file_texts (n);
  gint64 start;

  if (!avfs_vault_mkdir (vault, "/w", FALSE, error))
    return FALSE;
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w/f%06u", i);

      if (avfs_vault_write (vault, path, (const guint8 *) texts[i], strlen (texts[i]),
                            AVFS_WRITE_NONE, error) == 0)
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

      if (content == NULL || g_bytes_get_size (content) != BENCH_VAULT_FILE_LEN)
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

/* Imports the tree, timed twice: until the import returns (LMDB and RocksDB vaults then
 * index on a background worker), and until the search index holds every file, which is
 * when the vault is in the state a migration leaves it in. */
static gboolean
import_tree (AvfsVault             *vault,
             const BenchVaultTree  *tree,
             GArray                *rows,
             GError               **error)
{
  AvfsTransferReport report = { 0 };
  gboolean big = tree->files >= 10000;
  gint64 start = g_get_monotonic_time ();

  if (!avfs_vault_import (vault, tree->path, "/imported", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                          &report, error))
    return FALSE;
  bench_vault_add_row (rows, big ? "import-10k" : "import-1k",
                       tree->bytes / 1e6 / ((g_get_monotonic_time () - start) / 1e6), "MB/s");
  if (!avfs_vault_search_flush (vault, error))
    return FALSE;
  bench_vault_add_row (rows, big ? "import-indexed-10k" : "import-indexed-1k",
                       tree->bytes / 1e6 / ((g_get_monotonic_time () - start) / 1e6), "MB/s");
  return TRUE;
}

/* Migrates the vault of the imported tree to every other engine on disk in turn, copy,
 * compare, index and verify included, in MB/s of content: to be read next to the
 * target engine's import-indexed figure. */
static gboolean
migrate_vault (AvfsVault   *vault,
               const char  *dir,
               guint64      content_bytes,
               GArray      *rows,
               GError     **error)
{
  const char *engine = avfs_vault_get_engine_name (vault);
  guint n_engines;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n_engines);

  for (guint i = 0; i < n_engines; i++)
    {
      g_autoptr(AvfsVault) target = NULL;
      g_autofree char *path = NULL;
      g_autofree char *op = NULL;
      gint64 start;

      if (!engines[i].available || engines[i].extension == NULL ||
          g_str_equal (engines[i].name, engine))
        continue;
      path = g_strconcat (dir, "/migrated", engines[i].extension, NULL);
      start = g_get_monotonic_time ();
      target = avfs_vault_migrate_to (vault, engines[i].name, path, NULL, NULL, NULL, NULL,
                                      NULL, error);
      if (target == NULL)
        return FALSE;
      op = g_strconcat ("migrate-to-", engines[i].name, NULL);
      bench_vault_add_row (rows, g_intern_string (op),
                           content_bytes / 1e6 / ((g_get_monotonic_time () - start) / 1e6),
                           "MB/s");
      avfs_vault_close (target, NULL);
      if (!avfs_storage_delete_store (path, error))
        return FALSE;
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
  g_autoptr(AvfsVault) vault = bench_vault_create (engine, dir, "vault", NULL, error);
  g_autoptr(AvfsVault) imported = NULL;
  guint n_files = quick ? 2000 : 20000;
  gboolean ok;

  if (vault == NULL)
    return FALSE;
  ok = write_files (vault, n_files, rows, error) &&
       (!g_str_equal (engine, "sqlite") || bench_raw_fts5_write (dir, n_files, rows, error)) &&
       read_files (vault, n_files, n_files * 5, rows, error) &&
       list_directory (vault, quick ? 50 : 500, rows, error);
  avfs_vault_close (vault, NULL);
  if (!ok)
    return FALSE;
  /* The migrations start from a vault that holds the imported tree alone, so that they
   * move the very content the import brought in. */
  imported = bench_vault_create (engine, dir, "imported", NULL, error);
  ok = imported != NULL && import_tree (imported, tree, rows, error) &&
       migrate_vault (imported, dir, tree->bytes, rows, error);
  if (imported != NULL)
    avfs_vault_close (imported, NULL);
  return ok;
}
