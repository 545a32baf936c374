/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What avfs-bench shares with its raw-library baselines: the records and the workloads. */
#pragma once

#include <string.h>
#include <gio/gio.h>

#define BENCH_KEY_LEN 16
#define BENCH_VALUE_LEN 256
#define BENCH_RECORD_LEN (BENCH_KEY_LEN + BENCH_VALUE_LEN)
/* Records per write transaction (per BEGIN/COMMIT, write txn, write batch). */
#define BENCH_BATCH 1000
/* Distinct values, cycled through: far enough apart that no compressor finds one
 * record's value in the block of another. */
#define BENCH_VALUE_POOL 1024

/* The collection every workload uses: the table, DBI or column family of the raw side. */
#define BENCH_COLLECTION "bench"

/**
 * BenchWork:
 * @n_records: how many records seq-write stores and range-scan reads
 * @read_order: (array length=n_records): the record numbers random-read looks up, from a
 *   fixed-seed generator, so avfs and the raw library read the same keys in the same order
 * @values: %BENCH_VALUE_POOL values of %BENCH_VALUE_LEN bytes each
 */
typedef struct
{
  guint64 n_records;
  const guint32 *read_order;
  const guint8 *values;
} BenchWork;

/* Record @index's key: a 16-byte big-endian counter (8 zero bytes, then the index), so
 * seq-write inserts in key order. */
static inline void
bench_make_key (guint64 index,
                guint8  key[BENCH_KEY_LEN])
{
  guint64 big_endian = GUINT64_TO_BE (index);

  memset (key, 0, BENCH_KEY_LEN - sizeof big_endian);
  memcpy (key + BENCH_KEY_LEN - sizeof big_endian, &big_endian, sizeof big_endian);
}

static inline const guint8 *
bench_value (const BenchWork *work,
             guint64          index)
{
  return work->values + (index % BENCH_VALUE_POOL) * BENCH_VALUE_LEN;
}

/* Checks that a read found record @index's value, reading every byte of it as a program
 * using the value would, so neither side can skip the read or the bytes. */
static inline gboolean
bench_value_matches (const BenchWork *work,
                     guint64          index,
                     const guint8    *value,
                     gsize            value_len)
{
  return value_len == BENCH_VALUE_LEN &&
         memcmp (value, bench_value (work, index), BENCH_VALUE_LEN) == 0;
}

/* What a scan has seen so far. */
typedef struct
{
  guint64 entries;
  guint64 bytes;    /* keys and values */
  guint64 checksum; /* a sum over every byte read, the same on every side */
} BenchScan;

/* Uses one scanned entry the way a program would: every byte of it is read. Both sides
 * of every comparison call this, so a scan that only counted sizes (cheaper than any API
 * that hands out the bytes) is never compared with one that reads them. */
static inline void
bench_scan_consume (BenchScan    *tally,
                    const guint8 *key,
                    gsize         key_len,
                    const guint8 *value,
                    gsize         value_len)
{
  guint64 sum = 0;

  for (gsize i = 0; i < key_len; i++)
    sum += key[i];
  for (gsize i = 0; i < value_len; i++)
    sum += value[i];
  tally->entries++;
  tally->bytes += key_len + value_len;
  tally->checksum += sum;
}

/**
 * BenchRawEngine:
 * @engine: the avfs engine this baseline stands next to
 * @open: creates a new store at @path (which does not exist yet; ignored by memory)
 *   with the avfs engine's default settings, and the %BENCH_COLLECTION in it
 * @write: stores records @first … @last - 1 in transactions of %BENCH_BATCH records
 *   (@first is a multiple of %BENCH_BATCH)
 * @read: reads the records `read_order[from … to - 1]`, checking each value
 * @scan_start: starts a full scan in key order (%NULL and @error on failure)
 * @scan_step: reads up to @max more entries of the scan into @tally; sets @done at the end
 * @scan_finish: ends a scan, finished or not
 * @close: closes and frees the store
 *
 * One baseline: the workloads written straight on the library, with no abstraction in
 * between. The benchmark calls each in chunks, alternating with avfs (see README.md).
 */
typedef struct
{
  const char *engine;
  gpointer (*open)        (const char       *path,
                           GError          **error);
  gboolean (*write)       (gpointer          store,
                           const BenchWork  *work,
                           guint64           first,
                           guint64           last,
                           GError          **error);
  gboolean (*read)        (gpointer          store,
                           const BenchWork  *work,
                           guint64           from,
                           guint64           to,
                           GError          **error);
  gpointer (*scan_start)  (gpointer          store,
                           GError          **error);
  gboolean (*scan_step)   (gpointer          scan,
                           guint64           max,
                           BenchScan        *tally,
                           gboolean         *done,
                           GError          **error);
  void     (*scan_finish) (gpointer          scan);
  void     (*close)       (gpointer          store);
} BenchRawEngine;

extern const BenchRawEngine bench_raw_sqlite;
extern const BenchRawEngine bench_raw_lmdb;
extern const BenchRawEngine bench_raw_rocksdb;
extern const BenchRawEngine bench_raw_memory;

/* Reports a failed read the same way on every side. */
static inline void
bench_set_bad_value (GError     **error,
                     const char  *engine,
                     guint64      index)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "%s: record %" G_GUINT64_FORMAT " is missing or has the wrong value",
               engine, index);
}
