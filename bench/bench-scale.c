/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The scale run of avfs-bench (issue 9): one generated tree of N small text files, imported
 * into each engine by a child process of its own (so that its peak memory is that engine's
 * alone), next to git, sqlite3 -Ac and rg run on the same tree in the same run
 * (bench/README.md, "Scale run"). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-search.h"
#include "avfs-vault-transfer.h"
#include "bench-raw-search.h"
#include "bench-scale.h"
#include "bench-search.h"

/* The tree: one directory of LIST_ENTRIES files for the listing figure, the rest in
 * nested directories of MIN_FANOUT … MAX_FANOUT entries, about one in eight of them a
 * subdirectory (so three to six levels for 10⁴ … 10⁶ files). */
#define LIST_DIR "ten-thousand"
#define LIST_ENTRIES 10000
#define MIN_FANOUT 20
#define MAX_FANOUT 200
#define SUBDIR_SHARE 8
#define TREE_SEED 9
#define PROGRESS_STEP 100000

/* Where the child imports the tree in its vault. */
#define VAULT_ROOT "/t"

#define READS 10000
#define READ_SEED 42
#define LIST_ROUNDS 5
#define SEARCH_ROUNDS 20
/* Whole-process searches (avfs-cli and rg): the median of this many. */
#define PROCESS_ROUNDS 5

/* The targets, as the largest ratio avfs ÷ comparison that meets them. */
#define TARGET_IMPORT_VS_GIT 0.5
#define TARGET_SIZE 1.0
#define TARGET_SEARCH_VS_RG (1.0 / 20)
#define RSS_LIMIT_MIB 256.0

/* The three query shapes, as avfs-cli and rg are given them. */
static const struct
{
  const char *name;
  const char *query;
  const char *pattern;
} queries[] = {
  { "rare", BENCH_SEARCH_RARE, BENCH_SEARCH_RARE },
  { "common", BENCH_SEARCH_COMMON, BENCH_SEARCH_COMMON },
  { "phrase", "\"" BENCH_SEARCH_PHRASE "\"", BENCH_SEARCH_PHRASE },
};

#define N_QUERIES G_N_ELEMENTS (queries)

/* The spec's example table: what a vault of a million small text files takes. */
static const struct
{
  const char *engine;
  double bytes_per_million;
} spec_sizes[] = {
  { "sqlite", 2.1e9 },
  { "lmdb", 1.5e9 },
  { "rocksdb", 1.6e9 },
};

/* The search library each engine's vault indexes with, run alone on the tree: the floor
 * under that engine's import with indexing and under its index's size. */
typedef enum
{
  LIBRARY_FTS5,
  LIBRARY_XAPIAN,
  N_LIBRARIES,
  NO_LIBRARY = N_LIBRARIES
} Library;

static const struct
{
  const char *name;
  gboolean (*index_tree) (const char *tree, const char *path, GError **error);
} libraries[] = {
  [LIBRARY_FTS5] = { "FTS5", bench_raw_fts5_index_tree },
  [LIBRARY_XAPIAN] = { "Xapian", bench_raw_xapian_index_tree },
};

static Library
engine_library (const char *engine)
{
  if (g_str_equal (engine, "sqlite"))
    return LIBRARY_FTS5;
  if (g_str_equal (engine, "lmdb") || g_str_equal (engine, "rocksdb"))
    return LIBRARY_XAPIAN;
  return NO_LIBRARY;
}

static gboolean
verbose (void)
{
  return isatty (STDERR_FILENO);
}

static gboolean
set_errno_error (GError     **error,
                 const char  *what,
                 const char  *path)
{
  int saved_errno = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot %s %s: %s",
               what, path, g_strerror (saved_errno));
  return FALSE;
}

/* What @path takes on disk (allocated blocks, like du), everything under it included. */
static guint64
disk_usage (const char *path)
{
  GStatBuf st;
  guint64 total;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return 0;
  total = (guint64) st.st_blocks * 512;
  if (S_ISDIR (st.st_mode) && (dir = g_dir_open (path, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        total += disk_usage (child);
      }
  return total;
}

/* The generated tree. */

typedef struct
{
  char *path;
  guint files;
  guint64 bytes;
  guint directories;
  guint max_depth;
  guint list_entries;
} ScaleTree;

typedef struct
{
  ScaleTree *tree;
  GRand *rand;
  GString *text;
  guint written;
} Generator;

static gboolean
write_files (Generator   *gen,
             const char  *dir,
             guint        n,
             GError     **error)
{
  for (guint i = 0; i < n; i++, gen->written++)
    {
      g_autofree char *path = g_strdup_printf ("%s/f%07u.txt", dir, gen->written);

      bench_search_make_text (gen->text, gen->rand, gen->written, gen->tree->files);
      if (!g_file_set_contents_full (path, gen->text->str, gen->text->len,
                                     G_FILE_SET_CONTENTS_NONE, 0644, error))
        return FALSE;
      gen->tree->bytes += gen->text->len;
      if (verbose () && (gen->written + 1) % PROGRESS_STEP == 0)
        g_printerr ("avfs-bench: scale: %u files written\n", gen->written + 1);
    }
  return TRUE;
}

static gboolean
make_directory (Generator   *gen,
                const char  *path,
                GError     **error)
{
  if (g_mkdir (path, 0755) != 0)
    return set_errno_error (error, "create", path);
  gen->tree->directories++;
  return TRUE;
}

/* Fills @path, @depth levels below the tree's root, with @files files: some here, the
 * rest shared unevenly among subdirectories. */
static gboolean
fill_directory (Generator   *gen,
                const char  *path,
                guint        depth,
                guint        files,
                GError     **error)
{
  guint entries = g_rand_int_range (gen->rand, MIN_FANOUT, MAX_FANOUT + 1);
  guint subdirs = MAX (2, entries / SUBDIR_SHARE);
  g_autofree double *weights = NULL;
  double total = 0, cumulative = 0;
  guint given = 0;

  gen->tree->max_depth = MAX (gen->tree->max_depth, depth);
  if (files <= entries)
    return write_files (gen, path, files, error);
  if (!write_files (gen, path, entries - subdirs, error))
    return FALSE;
  files -= entries - subdirs;
  weights = g_new (double, subdirs);
  for (guint i = 0; i < subdirs; i++)
    total += weights[i] = 0.2 + g_rand_double (gen->rand);
  for (guint i = 0; i < subdirs; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%03u", i);
      g_autofree char *child = g_build_filename (path, name, NULL);
      guint share;

      cumulative += weights[i];
      share = (i == subdirs - 1 ? files : (guint) llround (files * cumulative / total)) - given;
      given += share;
      if (share > 0 &&
          (!make_directory (gen, child, error) ||
           !fill_directory (gen, child, depth + 1, share, error)))
        return FALSE;
    }
  return TRUE;
}

/* Generates @files files under @dir/scale-tree (deterministic: every run makes the same). */
static gboolean
make_tree (ScaleTree   *tree,
           const char  *dir,
           guint        files,
           GError     **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (TREE_SEED);
  g_autoptr(GString) text = g_string_new (NULL);
  Generator gen = { tree, rand, text, 0 };
  g_autofree char *list_dir = NULL;

  tree->path = g_build_filename (dir, "scale-tree", NULL);
  tree->files = files;
  tree->list_entries = MIN (LIST_ENTRIES, files / 4);
  list_dir = g_build_filename (tree->path, LIST_DIR, NULL);
  if (g_mkdir (tree->path, 0755) != 0)
    return set_errno_error (error, "create", tree->path);
  return make_directory (&gen, list_dir, error) &&
         write_files (&gen, list_dir, tree->list_entries, error) &&
         fill_directory (&gen, tree->path, 0, files - tree->list_entries, error);
}

/* The child: one engine's figures, printed as one JSON object. */

typedef struct
{
  char *rel_path;
  goffset size;
} Sampled;

static void
sampled_free (gpointer data)
{
  Sampled *sampled = data;

  g_free (sampled->rel_path);
  g_free (sampled);
}

/* Picks READS files of the host tree uniformly (reservoir sampling, fixed seed), holding
 * no more than READS paths at any time: a list of every path would count in the peak
 * memory of the engine. */
static void
sample_files (const char  *host,
              const char  *rel,
              GRand       *rand,
              guint64     *seen,
              GPtrArray   *picked)
{
  g_autoptr(GDir) dir = g_dir_open (host, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (host, name, NULL);
      g_autofree char *child_rel = g_strconcat (rel, "/", name, NULL);
      Sampled *sampled;
      guint64 slot;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          sample_files (child, child_rel, rand, seen, picked);
          continue;
        }
      slot = picked->len < READS ? picked->len : (guint64) g_rand_double_range (rand, 0, *seen + 1);
      (*seen)++;
      if (slot >= READS)
        continue;
      sampled = g_new0 (Sampled, 1);
      sampled->rel_path = g_steal_pointer (&child_rel);
      if (slot == picked->len)
        g_ptr_array_add (picked, sampled);
      else
        {
          sampled_free (picked->pdata[slot]);
          picked->pdata[slot] = sampled;
        }
    }
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
step (const char *engine,
      const char *what)
{
  if (verbose ())
    g_printerr ("avfs-bench: scale: %s: %s\n", engine, what);
}

static void
import_progress (const AvfsProgress *progress,
                 gpointer            user_data)
{
  guint64 *reported = user_data;

  if (progress->files_done / PROGRESS_STEP > *reported / PROGRESS_STEP)
    g_printerr ("avfs-bench: scale: %" G_GUINT64_FORMAT " files imported\n",
                progress->files_done);
  *reported = progress->files_done;
}

/* Imports the tree, full-text index included: the index is complete once the search
 * queue is flushed (on LMDB and RocksDB it is built behind the import). */
static gboolean
child_import (AvfsVault    *vault,
              const char   *tree,
              JsonBuilder  *builder,
              GError      **error)
{
  AvfsTransferReport report = { 0 };
  guint64 reported = 0;
  gint64 start = g_get_monotonic_time ();
  gint64 imported;

  if (!avfs_vault_import (vault, tree, VAULT_ROOT, AVFS_IMPORT_NONE,
                          verbose () ? import_progress : NULL, &reported, NULL, &report, error))
    return FALSE;
  imported = g_get_monotonic_time ();
  if (!avfs_vault_search_flush (vault, error))
    return FALSE;
  add_int (builder, "files", report.files);
  add_int (builder, "bytes", report.bytes);
  add_double (builder, "import_s", (g_get_monotonic_time () - start) / 1e6);
  add_double (builder, "index_flush_s", (g_get_monotonic_time () - imported) / 1e6);
  return TRUE;
}

/* The pages of a SQLite vault's full-text tables (FTS5 and its shadow tables, named
 * search_*), from SQLite's dbstat table. */
static gboolean
fts5_bytes (const char  *path,
            guint64     *bytes,
            GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "SELECT total (pgsize) FROM dbstat "
                                 "WHERE name LIKE 'search\\_%' ESCAPE '\\'", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *bytes = (guint64) sqlite3_column_double (stmt, 0);
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "Cannot measure the search index of %s: %s", path, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rc == SQLITE_OK;
}

/* The vault's size on disk and its search index's share, measured closed (SQLite's
 * write-ahead log checkpointed); reopens it. A memory vault has no size on disk. */
static gboolean
child_size (AvfsVault   **vault,
            const char   *path,
            const char   *vault_dir,
            JsonBuilder  *builder,
            GError      **error)
{
  g_autofree char *search_engine = g_strdup (avfs_vault_search_get_engine_name (*vault));
  g_autofree char *xapian_dir = NULL;
  guint64 index_bytes = 0;

  json_builder_set_member_name (builder, "vault");
  if (path == NULL)
    {
      json_builder_add_null_value (builder);
      return TRUE;
    }
  json_builder_add_string_value (builder, path);
  if (!avfs_vault_close (*vault, error))
    return FALSE;
  g_clear_object (vault);
  add_int (builder, "disk_bytes", disk_usage (vault_dir));
  if (g_str_equal (search_engine, "fts5"))
    {
      if (!fts5_bytes (path, &index_bytes, error))
        return FALSE;
    }
  else
    {
      /* Xapian keeps its database in NAME/search (src/search/README.md). */
      xapian_dir = g_build_filename (path, "search", NULL);
      index_bytes = disk_usage (xapian_dir);
    }
  add_int (builder, "index_bytes", index_bytes);
  return (*vault = avfs_vault_open (path, NULL, error)) != NULL;
}

/* Opens the vault at @path again (a memory vault, @path %NULL, stays as it is), so that
 * the next phase starts as a new process would: without the pages the last one mapped. */
static gboolean
reopen (AvfsVault  **vault,
        const char  *path,
        GError     **error)
{
  if (path == NULL)
    return TRUE;
  if (!avfs_vault_close (*vault, error))
    return FALSE;
  g_clear_object (vault);
  return (*vault = avfs_vault_open (path, NULL, error)) != NULL;
}

static gboolean
child_reads (AvfsVault    *vault,
             const char   *tree,
             JsonBuilder  *builder,
             GError      **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (READ_SEED);
  g_autoptr(GPtrArray) picked = g_ptr_array_new_with_free_func (sampled_free);
  guint64 seen = 0;
  gint64 start;

  sample_files (tree, "", rand, &seen, picked);
  for (guint i = 0; i < picked->len; i++)
    {
      Sampled *sampled = picked->pdata[i];
      g_autofree char *host = g_strconcat (tree, sampled->rel_path, NULL);
      GStatBuf st;

      if (g_stat (host, &st) != 0)
        return set_errno_error (error, "read", host);
      sampled->size = st.st_size;
    }
  start = g_get_monotonic_time ();
  for (guint i = 0; i < picked->len; i++)
    {
      Sampled *sampled = picked->pdata[i];
      g_autofree char *path = g_strconcat (VAULT_ROOT, sampled->rel_path, NULL);
      g_autoptr(GBytes) content = avfs_vault_read (vault, path, 0, error);

      if (content == NULL)
        return FALSE;
      if (g_bytes_get_size (content) != (gsize) sampled->size)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s: the vault has %" G_GSIZE_FORMAT " bytes, the tree %" G_GOFFSET_FORMAT,
                       path, g_bytes_get_size (content), sampled->size);
          return FALSE;
        }
    }
  add_double (builder, "read_files_per_s",
              picked->len / MAX ((g_get_monotonic_time () - start) / 1e6, 1e-9));
  return TRUE;
}

static gboolean
child_list (AvfsVault    *vault,
            const char   *tree,
            JsonBuilder  *builder,
            GError      **error)
{
  g_autofree char *host = g_build_filename (tree, LIST_DIR, NULL);
  g_autoptr(GDir) dir = g_dir_open (host, 0, error);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint expected = 0;

  if (dir == NULL)
    return FALSE;
  while (g_dir_read_name (dir) != NULL)
    expected++;
  for (guint round = 0; round < LIST_ROUNDS; round++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GPtrArray) entries = avfs_vault_list (vault, VAULT_ROOT "/" LIST_DIR, error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      if (entries == NULL)
        return FALSE;
      if (entries->len != expected)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s lists %u entries, the tree has %u", VAULT_ROOT "/" LIST_DIR,
                       entries->len, expected);
          return FALSE;
        }
      g_array_append_val (times, ms);
    }
  add_int (builder, "list_entries", expected);
  add_double (builder, "list_ms", bench_search_percentile (times, 50));
  return TRUE;
}

static gboolean
child_search (AvfsVault    *vault,
              JsonBuilder  *builder,
              GError      **error)
{
  for (guint q = 0; q < N_QUERIES; q++)
    {
      g_autofree char *p50_name = g_strdup_printf ("search_%s_p50_ms", queries[q].name);
      g_autofree char *p95_name = g_strdup_printf ("search_%s_p95_ms", queries[q].name);
      double p50, p95;

      if (!bench_search_latency (vault, queries[q].query, SEARCH_ROUNDS, &p50, &p95, error))
        return FALSE;
      add_double (builder, p50_name, p50);
      add_double (builder, p95_name, p95);
    }
  return TRUE;
}

static gboolean
child_verify (AvfsVault    *vault,
              JsonBuilder  *builder,
              GError      **error)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(AvfsVerifyReport) report = avfs_vault_verify (vault, NULL, NULL, NULL, error);

  if (report == NULL)
    return FALSE;
  if (report->n_problems > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "verify found %" G_GUINT64_FORMAT " problems, the first: %s",
                   report->n_problems, (const char *) report->problems->pdata[0]);
      return FALSE;
    }
  add_double (builder, "verify_s", (g_get_monotonic_time () - start) / 1e6);
  return TRUE;
}

/* Peak private memory: the process's anonymous pages (RssAnon), sampled every
 * SAMPLE_US on a thread of its own. ru_maxrss also counts the vault's own pages that
 * SQLite and LMDB map into the process, which the kernel drops when it needs them. */
#define SAMPLE_US (20 * 1000)

typedef struct
{
  GThread *thread;
  gint stop;
  guint64 peak_kib;
} AnonSampler;

/* A figure in KiB from /proc/self/status: @field with its colon; 0 if unknown. */
static guint64
read_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (field), NULL, 10);
}

static gpointer
sample_thread (gpointer data)
{
  AnonSampler *sampler = data;

  while (!g_atomic_int_get (&sampler->stop))
    {
      sampler->peak_kib = MAX (sampler->peak_kib, read_status_kib ("RssAnon:"));
      g_usleep (SAMPLE_US);
    }
  return NULL;
}

static void
sampler_start (AnonSampler *sampler)
{
  sampler->thread = g_thread_new ("avfs-bench-memory", sample_thread, sampler);
}

/* Stops the sampling; the peak, in KiB. */
static guint64
sampler_stop (AnonSampler *sampler)
{
  g_atomic_int_set (&sampler->stop, TRUE);
  g_thread_join (g_steal_pointer (&sampler->thread));
  return MAX (sampler->peak_kib, read_status_kib ("RssAnon:"));
}

static void
sampler_clear (AnonSampler *sampler)
{
  if (sampler->thread != NULL)
    sampler_stop (sampler);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AnonSampler, sampler_clear)

/* The child's phases, each with its own peak resident memory. */
enum { PHASE_IMPORT, PHASE_READS, PHASE_VERIFY };
static const char * const phases[] = { "import", "reads", "verify" };

/* Starts a phase: resets VmHWM to the current resident set (proc(5), clear_refs 5). */
static void
phase_peak_start (void)
{
  FILE *clear_refs = fopen ("/proc/self/clear_refs", "w");
  gboolean reset = clear_refs != NULL && fputs ("5", clear_refs) >= 0;

  if ((clear_refs != NULL && fclose (clear_refs) != 0) || !reset)
    g_printerr ("avfs-bench: scale: the peak per phase is since the start: %s\n",
                g_strerror (errno));
}

/* Ends a phase: its peak resident memory in member "peak_rss_PHASE_kib". */
static void
phase_peak_end (JsonBuilder *builder,
                const char  *phase,
                guint64     *overall_kib)
{
  g_autofree char *member = g_strdup_printf ("peak_rss_%s_kib", phase);
  /* VmHWM: the peak resident memory since the process started, or since the reset. */
  guint64 peak_kib = read_status_kib ("VmHWM:");

  add_int (builder, member, peak_kib);
  *overall_kib = MAX (*overall_kib, peak_kib);
}

static gboolean
child_run (const char   *engine,
           const char   *tree,
           const char   *vault_dir,
           JsonBuilder  *builder,
           GError      **error)
{
  g_autofree char *path = NULL;
  g_autoptr(AvfsVault) vault = bench_vault_create (engine, vault_dir, "vault", &path, error);
  g_auto(AnonSampler) sampler = { NULL };
  guint64 overall_kib = 0;
  struct rusage usage;

  if (vault == NULL)
    return FALSE;
  sampler_start (&sampler);
  step (engine, "importing (with full-text indexing)");
  phase_peak_start ();
  if (!child_import (vault, tree, builder, error) ||
      !child_size (&vault, path, vault_dir, builder, error))
    return FALSE;
  phase_peak_end (builder, phases[PHASE_IMPORT], &overall_kib);
  step (engine, "reading, listing, searching");
  phase_peak_start ();
  if (!child_reads (vault, tree, builder, error) || !child_list (vault, tree, builder, error) ||
      !child_search (vault, builder, error))
    return FALSE;
  phase_peak_end (builder, phases[PHASE_READS], &overall_kib);
  step (engine, "verifying");
  if (!reopen (&vault, path, error))
    return FALSE;
  phase_peak_start ();
  /* Closed before the parent runs avfs-cli on it: Xapian admits one process. */
  if (!child_verify (vault, builder, error) || !avfs_vault_close (vault, error))
    return FALSE;
  phase_peak_end (builder, phases[PHASE_VERIFY], &overall_kib);
  getrusage (RUSAGE_SELF, &usage);
  add_int (builder, "peak_rss_kib", MAX ((guint64) usage.ru_maxrss, overall_kib));
  add_int (builder, "peak_private_kib", sampler_stop (&sampler));
  return TRUE;
}

/**
 * bench_scale_child:
 * @engine: the engine to measure
 * @tree: the generated tree
 * @vault_dir: an empty directory for the vault
 *
 * What `avfs-bench --scale-child` does: imports @tree into a new vault and measures it,
 * then prints the figures as one JSON object on stdout.
 *
 * Returns: the exit status
 */
int
bench_scale_child (const char *engine,
                   const char *tree,
                   const char *vault_dir)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  if (!child_run (engine, tree, vault_dir, builder, &error))
    {
      g_printerr ("avfs-bench: scale: %s: %s\n", engine, error->message);
      return 1;
    }
  json_builder_end_object (builder);
  bench_vault_json_print (builder);
  return 0;
}

/* The comparisons: other programs, whole process to whole process. */

/* The run, and the comparisons' figures: NAN where the program is not installed. */
typedef struct
{
  const char *tmp_dir;
  char *self;
  char *cli; /* avfs-cli, %NULL when there is none */
  char **envp;
  ScaleTree tree;
  double git_s;
  double git_bytes;
  double sqlar_s;
  double sqlar_bytes;
  double rg_ms[N_QUERIES];
  double library_s[N_LIBRARIES];     /* NAN when no engine of the run uses it */
  double library_bytes[N_LIBRARIES];
} Scale;

/* Runs @argv to its end with stdout thrown away, adding its wall-clock time to @seconds. */
static gboolean
run_process (const char * const  *argv,
             const char          *cwd,
             char               **envp,
             double              *seconds,
             GError             **error)
{
  gint64 start = g_get_monotonic_time ();
  int status;

  if (!g_spawn_sync (cwd, (char **) argv, envp,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &status, error) ||
      !g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: ", argv[0]);
      return FALSE;
    }
  *seconds += (g_get_monotonic_time () - start) / 1e6;
  return TRUE;
}

/* The median wall-clock time of PROCESS_ROUNDS runs of @argv, in ms. */
static gboolean
median_process_ms (const char * const  *argv,
                   char               **envp,
                   double              *ms,
                   GError             **error)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint round = 0; round < PROCESS_ROUNDS; round++)
    {
      double seconds = 0;

      if (!run_process (argv, NULL, envp, &seconds, error))
        return FALSE;
      seconds *= 1000;
      g_array_append_val (times, seconds);
    }
  *ms = bench_search_percentile (times, 50);
  return TRUE;
}

static gboolean
installed (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path == NULL && verbose ())
    g_printerr ("avfs-bench: scale: %s is not installed; its comparisons are skipped\n", program);
  return path != NULL;
}

/* `git init && git add -A && git commit`, with the repository outside the tree (which
 * every engine imports after) and no user or system configuration. */
static gboolean
compare_git (Scale   *scale,
             GError **error)
{
  g_autofree char *git_dir = g_build_filename (scale->tmp_dir, "scale-git", NULL);
  g_autofree char *git_dir_arg = g_strconcat ("--git-dir=", git_dir, NULL);
  g_autofree char *work_tree_arg = g_strconcat ("--work-tree=", scale->tree.path, NULL);
  const char *init[] = { "git", "-c", "init.defaultBranch=main", git_dir_arg, work_tree_arg,
                         "init", "-q", NULL };
  const char *add[] = { "git", git_dir_arg, work_tree_arg, "add", "-A", NULL };
  const char *commit[] = { "git", "-c", "user.name=avfs-bench", "-c",
                           "user.email=avfs-bench@localhost", "-c", "gc.auto=0", git_dir_arg,
                           work_tree_arg, "commit", "-q", "-m", "x", NULL };
  gboolean ok;

  scale->git_s = scale->git_bytes = NAN;
  if (!installed ("git"))
    return TRUE;
  if (verbose ())
    g_printerr ("avfs-bench: scale: git init, add -A, commit...\n");
  scale->git_s = 0;
  ok = run_process (init, NULL, scale->envp, &scale->git_s, error) &&
       run_process (add, NULL, scale->envp, &scale->git_s, error) &&
       run_process (commit, NULL, scale->envp, &scale->git_s, error);
  scale->git_bytes = disk_usage (git_dir);
  bench_vault_remove_tree (git_dir);
  return ok;
}

/* `sqlite3 ARCHIVE -Ac .` in the tree: an SQLite archive of zlib-compressed files. */
static gboolean
compare_sqlar (Scale   *scale,
               GError **error)
{
  g_autofree char *archive = g_build_filename (scale->tmp_dir, "scale.sqlar", NULL);
  const char *create[] = { "sqlite3", archive, "-Ac", ".", NULL };
  gboolean ok;

  scale->sqlar_s = scale->sqlar_bytes = NAN;
  if (!installed ("sqlite3"))
    return TRUE;
  if (verbose ())
    g_printerr ("avfs-bench: scale: sqlite3 -Ac...\n");
  scale->sqlar_s = 0;
  ok = run_process (create, scale->tree.path, scale->envp, &scale->sqlar_s, error);
  scale->sqlar_bytes = disk_usage (archive);
  g_unlink (archive);
  return ok;
}

/* `rg -l -w -F PATTERN TREE`: the files holding the words, as a whole word like the
 * index matches them. */
static gboolean
compare_rg (Scale   *scale,
            GError **error)
{
  gboolean have_rg = installed ("rg");

  for (guint q = 0; q < N_QUERIES; q++)
    {
      const char *argv[] = { "rg", "-l", "-w", "-F", queries[q].pattern, scale->tree.path, NULL };

      scale->rg_ms[q] = NAN;
      if (have_rg && !median_process_ms (argv, scale->envp, &scale->rg_ms[q], error))
        return FALSE;
    }
  return TRUE;
}

/* The search library of each engine in @engines indexes the tree on its own. */
static gboolean
compare_libraries (Scale      *scale,
                   GPtrArray  *engines,
                   GError    **error)
{
  for (Library l = 0; l < N_LIBRARIES; l++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/scale-raw-%d", scale->tmp_dir, l);
      g_autofree char *path = g_build_filename (dir, "index", NULL);
      gboolean used = FALSE;
      gint64 start;
      gboolean ok;

      scale->library_s[l] = scale->library_bytes[l] = NAN;
      for (guint i = 0; i < engines->len; i++)
        used |= engine_library (g_ptr_array_index (engines, i)) == l;
      if (!used)
        continue;
      if (verbose ())
        g_printerr ("avfs-bench: scale: %s alone...\n", libraries[l].name);
      if (g_mkdir (dir, 0700) != 0)
        return set_errno_error (error, "create", dir);
      start = g_get_monotonic_time ();
      ok = libraries[l].index_tree (scale->tree.path, path, error);
      scale->library_s[l] = (g_get_monotonic_time () - start) / 1e6;
      scale->library_bytes[l] = disk_usage (dir);
      bench_vault_remove_tree (dir);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* The results. */

/**
 * ScaleRow:
 * @engine: the engine
 * @op: what was measured (bench/README.md lists them)
 * @value: the figure, NAN where it does not apply (a memory vault has no size on disk)
 * @unit: `s`, `ms`, `bytes`, `files/s`, `MiB`
 * @baseline: (nullable): what it is compared with
 * @baseline_value: the comparison's figure in @unit, NAN when its program is missing
 * @target: the largest @value / @baseline_value the issue accepts, NAN for none
 */
typedef struct
{
  const char *engine;
  char *op;
  double value;
  const char *unit;
  const char *baseline;
  double baseline_value;
  double target;
} ScaleRow;

static void
scale_row_clear (gpointer data)
{
  g_free (((ScaleRow *) data)->op);
}

static void
add_row (GArray      *rows,
         const char  *engine,
         const char  *op,
         double       value,
         const char  *unit,
         const char  *baseline,
         double       baseline_value,
         double       target)
{
  ScaleRow row = { engine, g_strdup (op), value, unit, baseline, baseline_value, target };

  g_array_append_val (rows, row);
}

static double
member_double (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && !json_node_is_null (node) ? json_node_get_double (node) : NAN;
}

/* The in-process search latencies reported. */
static const guint percentiles[] = { 50, 95 };

static double
spec_size (const char *engine,
           guint       files)
{
  for (guint i = 0; i < G_N_ELEMENTS (spec_sizes); i++)
    if (g_str_equal (spec_sizes[i].engine, engine))
      return spec_sizes[i].bytes_per_million * files / 1e6;
  return NAN;
}

/* The whole-process searches: `avfs-cli --vault VAULT search QUERY` next to rg. A memory
 * vault lives only in its process, so it has none. */
static gboolean
add_process_searches (Scale       *scale,
                      const char  *engine,
                      const char  *vault,
                      GArray      *rows,
                      GError     **error)
{
  for (guint q = 0; q < N_QUERIES; q++)
    {
      g_autofree char *op = g_strdup_printf ("scale-search-process %s", queries[q].name);
      const char *argv[] = { scale->cli, "--vault", vault, "search", queries[q].query, NULL };
      double ms = NAN;

      if (vault != NULL && scale->cli != NULL &&
          !median_process_ms (argv, scale->envp, &ms, error))
        return FALSE;
      add_row (rows, engine, op, ms, "ms", "rg -l -w", scale->rg_ms[q], TARGET_SEARCH_VS_RG);
    }
  return TRUE;
}

/* Turns the child's figures into rows, each next to its comparison. */
static gboolean
add_engine_rows (Scale       *scale,
                 const char  *engine,
                 JsonObject  *figures,
                 GArray      *rows,
                 GError     **error)
{
  double import_s = member_double (figures, "import_s");
  double disk = member_double (figures, "disk_bytes");
  double index = member_double (figures, "index_bytes");
  Library library = engine_library (engine);
  JsonNode *vault_node = json_object_get_member (figures, "vault");
  const char *vault = vault_node != NULL && JSON_NODE_HOLDS_VALUE (vault_node) ?
                      json_node_get_string (vault_node) : NULL;

  if (member_double (figures, "files") != scale->tree.files)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the import stored %.0f files of the %u in the tree",
                   member_double (figures, "files"), scale->tree.files);
      return FALSE;
    }
  add_row (rows, engine, "scale-import", import_s, "s", "git add+commit", scale->git_s,
           TARGET_IMPORT_VS_GIT);
  add_row (rows, engine, "scale-import-vs-sqlar", import_s, "s", "sqlite3 -Ac", scale->sqlar_s,
           NAN);
  add_row (rows, engine, "scale-import-rate", scale->tree.files / import_s, "files/s", NULL,
           NAN, NAN);
  if (library != NO_LIBRARY)
    add_row (rows, engine, "scale-raw-index", scale->library_s[library], "s", "git add+commit",
             scale->git_s, TARGET_IMPORT_VS_GIT);
  add_row (rows, engine, "scale-index-flush", member_double (figures, "index_flush_s"), "s",
           NULL, NAN, NAN);
  add_row (rows, engine, "scale-size", disk, "bytes", "spec table",
           spec_size (engine, scale->tree.files), TARGET_SIZE);
  add_row (rows, engine, "scale-size-vs-sqlar", disk, "bytes", "sqlite3 -Ac + index",
           scale->sqlar_bytes + index, TARGET_SIZE);
  add_row (rows, engine, "scale-index-size", index, "bytes", NULL, NAN, NAN);
  if (library != NO_LIBRARY)
    add_row (rows, engine, "scale-raw-index-size", scale->library_bytes[library], "bytes",
             "spec table", spec_size (engine, scale->tree.files), TARGET_SIZE);
  add_row (rows, engine, "scale-bytes-per-file", disk / scale->tree.files, "bytes", NULL, NAN,
           NAN);
  add_row (rows, engine, "scale-random-read", member_double (figures, "read_files_per_s"),
           "files/s", NULL, NAN, NAN);
  add_row (rows, engine, "scale-list-10k", member_double (figures, "list_ms"), "ms", NULL, NAN,
           NAN);
  for (guint q = 0; q < N_QUERIES; q++)
    for (guint p = 0; p < G_N_ELEMENTS (percentiles); p++)
      {
        g_autofree char *member = g_strdup_printf ("search_%s_p%u_ms", queries[q].name,
                                                   percentiles[p]);
        g_autofree char *op = g_strdup_printf ("scale-search-p%u %s", percentiles[p],
                                               queries[q].name);

        add_row (rows, engine, op, member_double (figures, member), "ms", NULL, NAN, NAN);
      }
  if (!add_process_searches (scale, engine, vault, rows, error))
    return FALSE;
  add_row (rows, engine, "scale-verify", member_double (figures, "verify_s"), "s", NULL, NAN,
           NAN);
  add_row (rows, engine, "scale-peak-rss", member_double (figures, "peak_rss_kib") / 1024,
           "MiB", "issue's limit", RSS_LIMIT_MIB, TARGET_SIZE);
  for (guint p = 0; p < G_N_ELEMENTS (phases); p++)
    {
      g_autofree char *member = g_strdup_printf ("peak_rss_%s_kib", phases[p]);
      g_autofree char *op = g_strdup_printf ("scale-peak-rss %s", phases[p]);

      add_row (rows, engine, op, member_double (figures, member) / 1024, "MiB",
               "issue's limit", RSS_LIMIT_MIB, TARGET_SIZE);
    }
  add_row (rows, engine, "scale-peak-private",
           member_double (figures, "peak_private_kib") / 1024, "MiB", "issue's limit",
           RSS_LIMIT_MIB, TARGET_SIZE);
  return TRUE;
}

/* Runs the child for @engine, with a directory of its own for the vault, then the
 * whole-process searches on the vault it leaves; deletes the vault. */
static gboolean
run_engine (Scale       *scale,
            const char  *engine,
            GArray      *rows,
            GError     **error)
{
  g_autofree char *name = g_strdup_printf ("scale-%s", engine);
  g_autofree char *vault_dir = g_build_filename (scale->tmp_dir, name, NULL);
  const char *argv[] = { scale->self, "--scale-child", engine, "--scale-tree", scale->tree.path,
                         "--scale-vault", vault_dir, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *output = NULL;
  JsonNode *root;
  guint first_row = rows->len;
  int status;
  gboolean ok;

  if (g_mkdir (vault_dir, 0700) != 0)
    return set_errno_error (error, "create", vault_dir);
  if (!g_spawn_sync (NULL, (char **) argv, scale->envp, G_SPAWN_DEFAULT, NULL, NULL, &output,
                     NULL, &status, error))
    ok = FALSE;
  else if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the child process measuring %s failed (its message is above)", engine);
      ok = FALSE;
    }
  else if (!json_parser_load_from_data (parser, output, -1, NULL) ||
           !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the child process measuring %s printed no JSON object of figures", engine);
      ok = FALSE;
    }
  else
    ok = add_engine_rows (scale, engine, json_node_get_object (root), rows, error);
  bench_vault_remove_tree (vault_dir);
  /* No half set of figures for a failed engine. */
  if (!ok)
    g_array_remove_range (rows, first_row, rows->len - first_row);
  return ok;
}

/* avfs-cli from the same build (bench/avfs-bench next to src/cli/avfs-cli), else the one
 * in PATH. */
static char *
find_cli (const char *self)
{
  g_autofree char *bench_dir = g_path_get_dirname (self);
  g_autofree char *built = g_build_filename (bench_dir, "..", "src", "cli", "avfs-cli", NULL);

  if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&built);
  return g_find_program_in_path ("avfs-cli");
}

static char *
format_value (double      value,
              const char *unit)
{
  g_autofree char *count = NULL;

  if (isnan (value))
    return g_strdup ("-");
  if (g_str_equal (unit, "bytes"))
    return value >= 1e9 ? g_strdup_printf ("%.2f GB", value / 1e9) :
           value >= 1e6 ? g_strdup_printf ("%.1f MB", value / 1e6) :
           value >= 1e3 ? g_strdup_printf ("%.1f kB", value / 1e3) :
                          g_strdup_printf ("%.0f B", value);
  if (g_str_equal (unit, "files/s"))
    {
      count = bench_vault_format_count (value);
      return g_strdup_printf ("%s files/s", count);
    }
  return g_strdup_printf ("%.*f %s", value < 100 ? 2 : 0, value, unit);
}

static void
print_header (const Scale *scale)
{
  g_autofree char *files = bench_vault_format_count (scale->tree.files);
  g_autofree char *git_s = format_value (scale->git_s, "s");
  g_autofree char *git_bytes = format_value (scale->git_bytes, "bytes");
  g_autofree char *sqlar_s = format_value (scale->sqlar_s, "s");
  g_autofree char *sqlar_bytes = format_value (scale->sqlar_bytes, "bytes");

  printf ("Scale run: %s text files of 0.5-4 KiB, %.1f MB, in %u directories "
          "(nested up to %u deep); the listed directory has %u entries\n",
          files, scale->tree.bytes / 1e6, scale->tree.directories, scale->tree.max_depth,
          scale->tree.list_entries);
  printf ("Comparisons on the same tree (- where not installed): git init+add+commit %s "
          "(.git %s), sqlite3 -Ac %s (%s)\n", git_s, git_bytes, sqlar_s, sqlar_bytes);
  for (Library l = 0; l < N_LIBRARIES; l++)
    if (!isnan (scale->library_s[l]))
      {
        g_autofree char *library_s = format_value (scale->library_s[l], "s");
        g_autofree char *library_bytes = format_value (scale->library_bytes[l], "bytes");

        printf ("%s alone (raw-index rows: no vault, one thread) indexed it in %s (%s)\n",
                libraries[l].name, library_s, library_bytes);
      }
  printf ("ratio = avfs / comparison; target = the largest ratio that meets issue 9's target\n");
}

static void
print_table (const Scale *scale,
             GArray      *rows)
{
  const char *engine = NULL;

  print_header (scale);
  for (guint i = 0; i < rows->len; i++)
    {
      ScaleRow *row = &g_array_index (rows, ScaleRow, i);
      g_autofree char *value = format_value (row->value, row->unit);
      g_autofree char *baseline = NULL;
      double ratio = row->value / row->baseline_value;

      if (engine == NULL || !g_str_equal (engine, row->engine))
        {
          engine = row->engine;
          printf ("\n%s\n%-28s  %16s  %-20s  %16s  %6s  %s\n", engine, "figure", "avfs",
                  "compared with", "", "ratio", "target");
        }
      printf ("%-28s  %16s", row->op + strlen ("scale-"), value);
      if (row->baseline != NULL)
        {
          baseline = isnan (row->baseline_value) && !isnan (row->value) ?
                     g_strdup ("not installed") : format_value (row->baseline_value, row->unit);
          printf ("  %-20s  %16s", row->baseline, baseline);
          if (isnan (ratio))
            printf ("  %6s", "-");
          else
            printf ("  %6.2f", ratio);
          if (!isnan (row->target))
            printf ("  <= %.2f %s", row->target,
                    isnan (ratio) ? "" : ratio <= row->target ? "met" : "missed");
        }
      printf ("\n");
    }
}

/* Three decimals: a millisecond of seconds, a microsecond of milliseconds. */
static void
add_json_number (JsonBuilder *builder,
                 const char  *name,
                 double       value)
{
  bench_vault_json_number (builder, name, value, 1000);
}

static void
print_json (const Scale *scale,
            GArray      *rows)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "scale");
  json_builder_begin_object (builder);
  add_json_number (builder, "files", scale->tree.files);
  add_json_number (builder, "bytes", scale->tree.bytes);
  add_json_number (builder, "directories", scale->tree.directories);
  add_json_number (builder, "max_depth", scale->tree.max_depth);
  add_json_number (builder, "list_entries", scale->tree.list_entries);
  add_json_number (builder, "git_s", scale->git_s);
  add_json_number (builder, "git_bytes", scale->git_bytes);
  add_json_number (builder, "sqlar_s", scale->sqlar_s);
  add_json_number (builder, "sqlar_bytes", scale->sqlar_bytes);
  add_json_number (builder, "raw_fts5_s", scale->library_s[LIBRARY_FTS5]);
  add_json_number (builder, "raw_fts5_bytes", scale->library_bytes[LIBRARY_FTS5]);
  add_json_number (builder, "raw_xapian_s", scale->library_s[LIBRARY_XAPIAN]);
  add_json_number (builder, "raw_xapian_bytes", scale->library_bytes[LIBRARY_XAPIAN]);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    {
      ScaleRow *row = &g_array_index (rows, ScaleRow, i);
      double ratio = row->value / row->baseline_value;

      bench_vault_json_row (builder, row->engine, row->op);
      add_json_number (builder, "value", row->value);
      json_builder_set_member_name (builder, "unit");
      json_builder_add_string_value (builder, row->unit);
      if (row->baseline != NULL)
        {
          json_builder_set_member_name (builder, "baseline");
          json_builder_add_string_value (builder, row->baseline);
          add_json_number (builder, "baseline_value", row->baseline_value);
          add_json_number (builder, "ratio", ratio);
        }
      if (!isnan (row->target))
        {
          add_json_number (builder, "target_ratio", row->target);
          json_builder_set_member_name (builder, "met");
          if (isnan (ratio))
            json_builder_add_null_value (builder);
          else
            json_builder_add_boolean_value (builder, ratio <= row->target);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  bench_vault_json_print (builder);
}

static void
scale_clear (Scale *scale)
{
  if (scale->tree.path != NULL)
    bench_vault_remove_tree (scale->tree.path);
  g_free (scale->tree.path);
  g_free (scale->self);
  g_free (scale->cli);
  g_strfreev (scale->envp);
}

/* The programs run with a home of their own: no user's vault registry or git
 * configuration changes what they do. */
static char **
make_environment (const char *tmp_dir)
{
  g_autofree char *home = g_build_filename (tmp_dir, "scale-home", NULL);
  char **envp = g_get_environ ();

  g_mkdir (home, 0700);
  envp = g_environ_setenv (envp, "AVFS_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "GIT_CONFIG_NOSYSTEM", "1", TRUE);
  return g_environ_setenv (envp, "GIT_CONFIG_GLOBAL", "/dev/null", TRUE);
}

/**
 * bench_scale_run:
 * @engines: (element-type utf8): the engines to measure, in order
 * @files: how many files the tree has
 * @tmp_dir: the bench's scratch directory (the tree, the vaults and the comparisons' output
 *   go there, each deleted once measured)
 * @as_json: print one JSON document instead of the tables
 *
 * The scale run: generates the tree, runs the comparisons on it, then measures each engine
 * in a child process, and prints the figures. An engine that fails is reported on stderr
 * and the others still run.
 *
 * Returns: %FALSE if the tree or a comparison could not be made, or an engine failed
 */
gboolean
bench_scale_run (GPtrArray   *engines,
                 guint        files,
                 const char  *tmp_dir,
                 gboolean     as_json,
                 GError     **error)
{
  Scale scale = { 0 };
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (ScaleRow));
  gboolean all_ok = TRUE;

  g_array_set_clear_func (rows, scale_row_clear);
  scale.tmp_dir = (char *) tmp_dir;
  scale.envp = make_environment (tmp_dir);
  if ((scale.self = g_file_read_link ("/proc/self/exe", error)) == NULL)
    {
      scale_clear (&scale);
      return FALSE;
    }
  scale.cli = find_cli (scale.self);
  if (verbose ())
    g_printerr ("avfs-bench: scale: generating %u files...\n", files);
  if (!make_tree (&scale.tree, tmp_dir, files, error) || !compare_git (&scale, error) ||
      !compare_sqlar (&scale, error) || !compare_rg (&scale, error) ||
      !compare_libraries (&scale, engines, error))
    {
      scale_clear (&scale);
      return FALSE;
    }
  for (guint i = 0; i < engines->len; i++)
    {
      const char *engine = g_ptr_array_index (engines, i);
      g_autoptr(GError) local_error = NULL;

      if (!run_engine (&scale, engine, rows, &local_error))
        {
          g_printerr ("avfs-bench: scale: %s: %s\n", engine, local_error->message);
          all_ok = FALSE;
        }
    }
  if (as_json)
    print_json (&scale, rows);
  else
    print_table (&scale, rows);
  scale_clear (&scale);
  if (!all_ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "some engines failed (their messages are above)");
  return all_ok;
}
