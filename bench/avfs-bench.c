/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-bench: key-value throughput of each storage engine through avfs, measured next to
 * the raw library doing the same work in the same run (bench/README.md). */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "avfs-config.h"
#include "avfs-storage-registry.h"
#include "bench-common.h"
#include "bench-scale.h"
#include "bench-search.h"
#include "bench-vault.h"

#define DEFAULT_RECORDS 1000000
#define QUICK_RECORDS 100000
/* Rounds per engine, each with new stores; each figure is the best of them. */
#define REPETITIONS 3
#define VALUE_SEED 0x5eed
#define READ_SEED 42
#define RECORDS_UNSET G_MININT64

typedef enum
{
  OP_SEQ_WRITE,
  OP_RANDOM_READ,
  OP_RANGE_SCAN,
  N_OPS,
} BenchOp;

/* A vault-level figure and the engine it belongs to. */
typedef struct
{
  const char *engine;
  BenchVaultRow row;
} VaultRow;

static const char * const op_names[N_OPS] = { "seq-write", "random-read", "range-scan" };

/* Every baseline this build has, in the registry's order. */
static const BenchRawEngine * const raw_engines[] = {
  &bench_raw_sqlite,
#if AVFS_HAVE_LMDB
  &bench_raw_lmdb,
#endif
#if AVFS_HAVE_ROCKSDB
  &bench_raw_rocksdb,
#endif
  &bench_raw_memory,
};

/* The best time of each workload, through avfs and on the raw library. */
typedef struct
{
  const char *engine;
  double avfs_seconds[N_OPS];
  double raw_seconds[N_OPS];
} EngineResult;

static double
now_seconds (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

/* The avfs side: the same workloads through the AvfsStorage interface. */

typedef struct
{
  const BenchWork *work;
  guint64 first;
  guint64 last;
} WriteBatch;

static gboolean
write_batch_cb (AvfsTransaction  *tx,
                gpointer          user_data,
                GError          **error)
{
  const WriteBatch *batch = user_data;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 i = batch->first; i < batch->last; i++)
    {
      bench_make_key (i, key);
      if (!avfs_transaction_put (tx, BENCH_COLLECTION, key, sizeof key,
                                 bench_value (batch->work, i), BENCH_VALUE_LEN, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
avfs_write (gpointer          store,
            const BenchWork  *work,
            guint64           first,
            guint64           last,
            GError          **error)
{
  for (guint64 start = first; start < last; start += BENCH_BATCH)
    {
      WriteBatch batch = { work, start, MIN (start + BENCH_BATCH, last) };

      if (!avfs_storage_transaction (store, write_batch_cb, &batch, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
avfs_read (gpointer          store,
           const BenchWork  *work,
           guint64           from,
           guint64           to,
           GError          **error)
{
  guint8 key[BENCH_KEY_LEN];

  for (guint64 n = from; n < to; n++)
    {
      guint64 index = work->read_order[n];
      g_autoptr(GBytes) value = NULL;
      const guint8 *data;
      gsize len;

      bench_make_key (index, key);
      value = avfs_storage_get (store, BENCH_COLLECTION, key, sizeof key, error);
      if (value == NULL)
        {
          if (error == NULL || *error == NULL)
            bench_set_bad_value (error, "avfs", index);
          return FALSE;
        }
      data = g_bytes_get_data (value, &len);
      if (!bench_value_matches (work, index, data, len))
        {
          bench_set_bad_value (error, "avfs", index);
          return FALSE;
        }
    }
  return TRUE;
}

static gpointer
avfs_scan_start (gpointer   store,
                 GError   **error)
{
  return avfs_storage_scan_prefix (store, BENCH_COLLECTION, NULL, 0, error);
}

static gboolean
avfs_scan_step (gpointer    cursor,
                guint64     max,
                BenchScan  *tally,
                gboolean   *done,
                GError    **error)
{
  GError *local_error = NULL;
  guint64 n = 0;

  while (n < max && avfs_cursor_next (cursor, &local_error))
    {
      gsize key_len, value_len;
      const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
      const guint8 *value = avfs_cursor_get_value (cursor, &value_len);

      bench_scan_consume (tally, key, key_len, value, value_len);
      n++;
    }
  *done = n < max;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static void
avfs_close (gpointer store)
{
  g_autoptr(GError) error = NULL;

  if (!avfs_storage_close (store, &error))
    g_printerr ("avfs-bench: closing the %s store failed: %s\n",
                avfs_storage_get_engine_name (store), error->message);
  g_object_unref (store);
}

/* Opening is the caller's: it needs the engine's name. */
static const BenchRawEngine avfs_ops = {
  "avfs", NULL, avfs_write, avfs_read, avfs_scan_start, avfs_scan_step, g_object_unref,
  avfs_close,
};

static AvfsStorage *
avfs_open (const char  *engine,
           const char  *dir,
           GError     **error)
{
  const AvfsEngineInfo *info = avfs_storage_lookup_engine (engine, error);
  g_autofree char *path = NULL;
  AvfsStorage *store;

  if (info == NULL)
    return NULL;
  if (info->extension != NULL)
    path = g_strconcat (dir, G_DIR_SEPARATOR_S "store", info->extension, NULL);
  store = avfs_storage_create_store (engine, path, NULL, error);
  if (store != NULL &&
      !avfs_storage_create_collection (store, BENCH_COLLECTION, AVFS_COLLECTION_DEFAULT, error))
    g_clear_pointer (&store, avfs_close);
  return store;
}

/* Rounds. A machine shared with other work is slower at some moments than at others,
 * most of all at syncing to disk. So avfs and the raw library do each workload in turns
 * of CHUNK records, in the order avfs, raw, raw, avfs, avfs, raw… (each side goes first
 * as often as second): whatever slows the machine down slows both alike, and the ratio
 * holds even when the absolute figures do not. */

#define CHUNK (10 * BENCH_BATCH)

enum { SIDE_AVFS, SIDE_RAW, N_SIDES };

typedef struct
{
  const BenchRawEngine *ops;
  const char *label;
  gpointer store;
  gpointer scan;
  BenchScan tally;
  gboolean scanned; /* the scan reached the end */
  double seconds[N_OPS];
} Side;

static gboolean
scan_chunk (Side     *side,
            GError  **error)
{
  if (side->scan == NULL && (side->scan = side->ops->scan_start (side->store, error)) == NULL)
    return FALSE;
  return side->ops->scan_step (side->scan, CHUNK, &side->tally, &side->scanned, error);
}

/* Runs records (or reads) @from … @to - 1 of @op on @side, adding up the time. */
static gboolean
run_chunk (Side             *side,
           BenchOp           op,
           const BenchWork  *work,
           guint64           from,
           guint64           to,
           GError          **error)
{
  double start = now_seconds ();
  gboolean ok = FALSE;

  switch (op)
    {
    case OP_SEQ_WRITE:
      ok = side->ops->write (side->store, work, from, to, error);
      break;
    case OP_RANDOM_READ:
      ok = side->ops->read (side->store, work, from, to, error);
      break;
    case OP_RANGE_SCAN:
      ok = side->scanned || scan_chunk (side, error);
      break;
    case N_OPS:
      g_assert_not_reached ();
    }
  side->seconds[op] += now_seconds () - start;
  if (!ok)
    g_prefix_error (error, "%s: ", side->label);
  return ok;
}

static gboolean
check_scan (const Side       *side,
            const BenchWork  *work,
            GError          **error)
{
  guint64 expected_bytes = work->n_records * BENCH_RECORD_LEN;

  if (side->tally.entries == work->n_records && side->tally.bytes == expected_bytes)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "%s: the scan saw %" G_GUINT64_FORMAT " records (%" G_GUINT64_FORMAT
               " bytes), expected %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " bytes)",
               side->label, side->tally.entries, side->tally.bytes, work->n_records,
               expected_bytes);
  return FALSE;
}

/* The scan goes on until both sides have seen the end; the others cover every record. */
static gboolean
run_op (Side             *sides,
        BenchOp           op,
        const BenchWork  *work,
        GError          **error)
{
  guint64 from = 0;

  for (guint turn = 0;
       op == OP_RANGE_SCAN ? !(sides[SIDE_AVFS].scanned && sides[SIDE_RAW].scanned) :
                             from < work->n_records;
       turn++, from += CHUNK)
    {
      guint64 to = MIN (from + CHUNK, work->n_records);
      guint first = turn % 2 == 0 ? SIDE_AVFS : SIDE_RAW;

      if (!run_chunk (&sides[first], op, work, from, to, error) ||
          !run_chunk (&sides[1 - first], op, work, from, to, error))
        return FALSE;
    }
  if (op != OP_RANGE_SCAN)
    return TRUE;
  if (!check_scan (&sides[SIDE_AVFS], work, error) || !check_scan (&sides[SIDE_RAW], work, error))
    return FALSE;
  /* Both read the same bytes. */
  if (sides[SIDE_AVFS].tally.checksum == sides[SIDE_RAW].tally.checksum)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "the avfs scan and the raw scan read different bytes");
  return FALSE;
}

static void
close_side (Side *side)
{
  g_clear_pointer (&side->scan, side->ops->scan_finish);
  if (side->store != NULL)
    side->ops->close (side->store);
}

/* One round: a new store on each side in @dir, the three workloads in turn. */
static gboolean
run_round (const BenchRawEngine  *raw,
           const char            *dir,
           const BenchWork       *work,
           EngineResult          *result,
           GError               **error)
{
  Side sides[N_SIDES] = {
    { .ops = &avfs_ops, .label = "avfs" },
    { .ops = raw, .label = "raw library" },
  };
  g_autofree char *avfs_dir = g_build_filename (dir, "avfs", NULL);
  g_autofree char *raw_dir = g_build_filename (dir, "raw", NULL);
  g_autofree char *raw_path = g_build_filename (raw_dir, "store", NULL);
  gboolean ok;

  g_mkdir (avfs_dir, 0700);
  g_mkdir (raw_dir, 0700);
  ok = (sides[SIDE_AVFS].store = avfs_open (raw->engine, avfs_dir, error)) != NULL &&
       (sides[SIDE_RAW].store = raw->open (raw_path, error)) != NULL;
  for (guint op = 0; ok && op < N_OPS; op++)
    ok = run_op (sides, op, work, error);
  close_side (&sides[SIDE_AVFS]);
  close_side (&sides[SIDE_RAW]);

  for (guint op = 0; ok && op < N_OPS; op++)
    {
      result->avfs_seconds[op] = MIN (result->avfs_seconds[op], sides[SIDE_AVFS].seconds[op]);
      result->raw_seconds[op] = MIN (result->raw_seconds[op], sides[SIDE_RAW].seconds[op]);
    }
  return ok;
}

/* Each figure is the best of REPETITIONS rounds, each with new stores. */
static gboolean
bench_engine (const BenchRawEngine  *raw,
              const BenchWork       *work,
              const char            *tmp_dir,
              EngineResult          *result,
              GError               **error)
{
  gboolean verbose = isatty (STDERR_FILENO);

  result->engine = raw->engine;
  for (guint op = 0; op < N_OPS; op++)
    result->avfs_seconds[op] = result->raw_seconds[op] = INFINITY;

  for (guint round = 1; round <= REPETITIONS; round++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u", raw->engine, round);
      g_autofree char *dir = g_build_filename (tmp_dir, name, NULL);
      gboolean ok;

      if (verbose)
        g_printerr ("avfs-bench: %s, round %u of %u...\n", raw->engine, round, REPETITIONS);
      g_mkdir (dir, 0700);
      ok = run_round (raw, dir, work, result, error);
      bench_vault_remove_tree (dir);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Reporting. */

/* A timer can read 0 for a tiny run; a nanosecond keeps every figure finite. */
static double
per_second (double count,
            double seconds)
{
  return count / MAX (seconds, 1e-9);
}

typedef struct
{
  double ops_per_s;
  double raw_ops_per_s;
  double ratio;
  double mb_per_s;
} Figures;

static Figures
figures_for (const EngineResult *result,
             BenchOp             op,
             const BenchWork    *work)
{
  Figures figures;

  figures.ops_per_s = per_second (work->n_records, result->avfs_seconds[op]);
  figures.raw_ops_per_s = per_second (work->n_records, result->raw_seconds[op]);
  figures.ratio = figures.ops_per_s / figures.raw_ops_per_s;
  figures.mb_per_s = per_second ((double) work->n_records * BENCH_RECORD_LEN / 1e6,
                                 result->avfs_seconds[op]);
  return figures;
}

static void
print_table (const EngineResult *results,
             guint               n_results,
             const BenchWork    *work)
{
  g_autofree char *records = bench_vault_format_count (work->n_records);

  printf ("%s records (%d-byte keys, %d-byte values), best of %d rounds; ratio = avfs / raw\n\n",
          records, BENCH_KEY_LEN, BENCH_VALUE_LEN, REPETITIONS);
  printf ("%-8s  %-11s  %12s  %12s  %6s  %9s\n",
          "engine", "op", "avfs ops/s", "raw ops/s", "ratio", "MB/s");
  for (guint i = 0; i < n_results; i++)
    {
      for (guint op = 0; op < N_OPS; op++)
        {
          Figures figures = figures_for (&results[i], op, work);
          g_autofree char *ops = bench_vault_format_count (figures.ops_per_s);
          g_autofree char *raw_ops = bench_vault_format_count (figures.raw_ops_per_s);

          printf ("%-8s  %-11s  %12s  %12s  %6.2f  %9.1f\n", results[i].engine, op_names[op],
                  ops, raw_ops, figures.ratio, figures.mb_per_s);
        }
    }
}

/* Whole operations per second are precise enough, and print without float noise. */
static void
add_count (JsonBuilder *builder,
           const char  *name,
           double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) llround (value));
}

static void
print_json (const EngineResult *results,
            guint               n_results,
            const BenchWork    *work,
            GArray             *vault_rows)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_results; i++)
    {
      for (guint op = 0; op < N_OPS; op++)
        {
          Figures figures = figures_for (&results[i], op, work);

          bench_vault_json_row (builder, results[i].engine, op_names[op]);
          add_count (builder, "ops_per_s", figures.ops_per_s);
          add_count (builder, "raw_ops_per_s", figures.raw_ops_per_s);
          bench_vault_json_number (builder, "ratio", figures.ratio, 1000);
          bench_vault_json_number (builder, "mb_per_s", figures.mb_per_s, 100);
          json_builder_end_object (builder);
        }
    }
  for (guint i = 0; i < vault_rows->len; i++)
    {
      VaultRow *row = &g_array_index (vault_rows, VaultRow, i);

      bench_vault_json_row (builder, row->engine, row->row.op);
      bench_vault_json_number (builder, "value", row->row.value, 10);
      json_builder_set_member_name (builder, "unit");
      json_builder_add_string_value (builder, row->row.unit);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  bench_vault_json_print (builder);
}

/* The workload. */

/* Half random bytes, half a copy of them: compressible by about half, like db_bench's
 * default values, so RocksDB's compression does real work. */
static guint8 *
make_values (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (VALUE_SEED);
  guint8 *values = g_malloc (BENCH_VALUE_POOL * BENCH_VALUE_LEN);

  for (guint v = 0; v < BENCH_VALUE_POOL; v++)
    {
      guint8 *value = values + v * BENCH_VALUE_LEN;

      for (guint i = 0; i < BENCH_VALUE_LEN / 2; i++)
        value[i] = g_rand_int (rand);
      memcpy (value + BENCH_VALUE_LEN / 2, value, BENCH_VALUE_LEN / 2);
    }
  return values;
}

static guint32 *
make_read_order (guint64 n_records)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (READ_SEED);
  guint32 *order = g_new (guint32, n_records);

  for (guint64 n = 0; n < n_records; n++)
    order[n] = g_rand_int_range (rand, 0, (gint32) n_records);
  return order;
}

/* Command line. */

static gboolean quick;
static gboolean as_json;
static char **engine_names;
static gint64 records = RECORDS_UNSET;
static gint64 scale_files = RECORDS_UNSET;
static char *scale_child;
static char *scale_tree;
static char *scale_vault;

static const GOptionEntry entries[] = {
  { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Use 100,000 records instead of 1,000,000", NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print the results as one JSON document", NULL },
  { "engine", 0, 0, G_OPTION_ARG_STRING_ARRAY, &engine_names,
    "Benchmark this engine only (repeatable; default: every engine in this build)", "NAME" },
  { "records", 0, 0, G_OPTION_ARG_INT64, &records,
    "Number of records (overrides --quick)", "N" },
  { "scale", 0, 0, G_OPTION_ARG_INT64, &scale_files,
    "Run only the scale run, on a generated tree of N files (1000000 is the issue's size)",
    "N" },
  /* The scale run's child processes, one per engine (bench-scale.c). */
  { "scale-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &scale_child, NULL, NULL },
  { "scale-tree", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &scale_tree, NULL, NULL },
  { "scale-vault", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &scale_vault, NULL, NULL },
  { NULL }
};

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("avfs-bench: %s\n\n%s", message, help);
  return 2;
}

static const BenchRawEngine *
find_baseline (const char  *name,
               GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (raw_engines); i++)
    {
      if (g_ascii_strcasecmp (raw_engines[i]->engine, name) == 0)
        return raw_engines[i];
    }
  /* The registry says why: unknown, or not compiled in. */
  if (avfs_storage_lookup_engine (name, error) != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "There is no raw baseline for the engine '%s'", name);
  return NULL;
}

/* The engines to run, each once, in the order given (default: all, registry order). */
static GPtrArray *
choose_engines (GError **error)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();

  if (engine_names == NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (raw_engines); i++)
        g_ptr_array_add (chosen, (gpointer) raw_engines[i]);
      return g_steal_pointer (&chosen);
    }
  for (guint i = 0; engine_names[i] != NULL; i++)
    {
      const BenchRawEngine *raw = find_baseline (engine_names[i], error);

      if (raw == NULL)
        return NULL;
      if (!g_ptr_array_find (chosen, raw, NULL))
        g_ptr_array_add (chosen, (gpointer) raw);
    }
  return g_steal_pointer (&chosen);
}

/* The vault-level figures of one engine, in a directory of their own. */
static gboolean
bench_vault_engine (const char            *engine,
                    const char            *tmp_dir,
                    const BenchVaultTree  *tree,
                    GArray                *rows,
                    GError               **error)
{
  g_autofree char *name = g_strdup_printf ("%s-vault", engine);
  g_autofree char *dir = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GArray) figures = g_array_new (FALSE, TRUE, sizeof (BenchVaultRow));
  gboolean ok;

  if (isatty (STDERR_FILENO))
    g_printerr ("avfs-bench: %s, vault workloads...\n", engine);
  g_mkdir (dir, 0700);
  ok = bench_vault_run (engine, dir, quick || records != RECORDS_UNSET, tree, figures, error) &&
       bench_search_run (engine, dir, quick || records != RECORDS_UNSET, figures, error);
  bench_vault_remove_tree (dir);
  for (guint i = 0; i < figures->len; i++)
    {
      VaultRow row = { engine, g_array_index (figures, BenchVaultRow, i) };

      g_array_append_val (rows, row);
    }
  return ok;
}

static void
print_vault_table (GArray *rows)
{
  printf ("\nVault workloads: each file write is its own call and commit; searches rank and\n"
          "make snippets for the top 20 of 10k documents (1k with --quick)\n\n");
  printf ("%-8s  %-26s  %12s  %s\n", "engine", "op", "value", "unit");
  for (guint i = 0; i < rows->len; i++)
    {
      VaultRow *row = &g_array_index (rows, VaultRow, i);
      /* Latencies and rates below 100 need their decimals. */
      g_autofree char *value = row->row.value < 100 ? g_strdup_printf ("%.2f", row->row.value)
                                                    : bench_vault_format_count (row->row.value);

      printf ("%-8s  %-26s  %12s  %s\n", row->engine, row->row.op, value, row->row.unit);
    }
}

static gboolean
run_all (GPtrArray        *engines,
         const BenchWork  *work,
         const char       *tmp_dir)
{
  g_autofree EngineResult *results = g_new0 (EngineResult, engines->len);
  g_autoptr(GArray) vault_rows = g_array_new (FALSE, TRUE, sizeof (VaultRow));
  BenchVaultTree tree;
  guint n_results = 0;
  gboolean all_ok = TRUE;

  bench_vault_make_tree (&tree, tmp_dir, quick || records != RECORDS_UNSET ? 1000 : 10000);
  for (guint i = 0; i < engines->len; i++)
    {
      const BenchRawEngine *raw = g_ptr_array_index (engines, i);
      g_autoptr(GError) error = NULL;

      if (bench_engine (raw, work, tmp_dir, &results[n_results], &error) &&
          bench_vault_engine (raw->engine, tmp_dir, &tree, vault_rows, &error))
        n_results++;
      else
        {
          g_printerr ("avfs-bench: %s: %s\n", raw->engine, error->message);
          all_ok = FALSE;
        }
    }
  bench_vault_remove_tree (tree.path);
  g_free (tree.path);

  if (as_json)
    print_json (results, n_results, work, vault_rows);
  else
    {
      print_table (results, n_results, work);
      print_vault_table (vault_rows);
    }
  return all_ok;
}

/* The scale run, on the chosen engines (bench-scale.c). */
static gboolean
run_scale (GPtrArray  *engines,
           const char *tmp_dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < engines->len; i++)
    g_ptr_array_add (names, (gpointer) ((const BenchRawEngine *) engines->pdata[i])->engine);
  if (bench_scale_run (names, scale_files, tmp_dir, as_json, &error))
    return TRUE;
  g_printerr ("avfs-bench: scale run: %s\n", error->message);
  return FALSE;
}

static gboolean
check_scale_options (GError **error)
{
  if (scale_child != NULL && (scale_tree == NULL || scale_vault == NULL))
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                         "--scale-child needs --scale-tree and --scale-vault");
  else if (scale_files != RECORDS_UNSET && (quick || records != RECORDS_UNSET))
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                         "--scale cannot be combined with --quick or --records");
  else if (scale_files != RECORDS_UNSET &&
           (scale_files < BENCH_SCALE_MIN_FILES || scale_files > BENCH_SCALE_MAX_FILES))
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--scale must be between %d and %d", BENCH_SCALE_MIN_FILES,
                 BENCH_SCALE_MAX_FILES);
  else
    return TRUE;
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) engines = NULL;
  g_autofree guint8 *values = NULL;
  g_autofree guint32 *read_order = NULL;
  g_autofree char *tmp_dir = NULL;
  BenchWork work;
  gboolean ok;

  /* The character set only, for GLib's messages: figures keep a '.' decimal point. */
  setlocale (LC_CTYPE, "");
  g_option_context_set_summary (context,
                                "Measures avfs's storage engines against the raw libraries "
                                "(seq-write, random-read, range-scan), the vault-level workloads, "
                                "or (--scale) a large tree next to git, sqlite3 -Ac and rg.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc > 1)
    return usage_error (context, "unexpected arguments");
  if (!check_scale_options (&error))
    return usage_error (context, error->message);
  if (scale_child != NULL)
    return bench_scale_child (scale_child, scale_tree, scale_vault);
  if (records != RECORDS_UNSET && (records < 1 || records > G_MAXINT32))
    return usage_error (context, "--records must be between 1 and 2147483647");
  if ((engines = choose_engines (&error)) == NULL)
    return usage_error (context, error->message);

  tmp_dir = g_dir_make_tmp ("avfs-bench-XXXXXX", &error);
  if (tmp_dir == NULL)
    {
      g_printerr ("avfs-bench: cannot make a temporary folder: %s\n", error->message);
      return 1;
    }
  if (scale_files != RECORDS_UNSET)
    {
      ok = run_scale (engines, tmp_dir);
      bench_vault_remove_tree (tmp_dir);
      g_strfreev (engine_names);
      return ok ? 0 : 1;
    }

  if (records != RECORDS_UNSET)
    work.n_records = records;
  else
    work.n_records = quick ? QUICK_RECORDS : DEFAULT_RECORDS;
  values = make_values ();
  read_order = make_read_order (work.n_records);
  work.values = values;
  work.read_order = read_order;
  ok = run_all (engines, &work, tmp_dir);
  bench_vault_remove_tree (tmp_dir);
  g_strfreev (engine_names);
  return ok ? 0 : 1;
}
