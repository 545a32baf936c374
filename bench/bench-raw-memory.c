/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The memory baseline: the memory engine's data structure, a GTree of records (key and
 * value in one block) ordered like memcmp under a GRWLock, used directly. */
#include "bench-common.h"

/* The engine's record without what sharing needs (a reference count): @key points into
 * @data, or at the caller's bytes in a lookup's probe. */
typedef struct
{
  const guint8 *key;
  gsize key_len;
  gsize value_len;
  guint8 data[]; /* the key, then the value */
} RawRecord;

typedef struct
{
  GRWLock lock;
  GTree *tree; /* RawRecord, key and value alike */
} RawMemory;

static int
record_compare (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const RawRecord *ra = a, *rb = b;
  int order = memcmp (ra->key, rb->key, MIN (ra->key_len, rb->key_len));

  if (order != 0)
    return order;
  return ra->key_len < rb->key_len ? -1 : ra->key_len > rb->key_len;
}

static RawRecord *
record_new (const guint8 *key,
            const guint8 *value)
{
  RawRecord *record = g_malloc (sizeof (RawRecord) + BENCH_KEY_LEN + BENCH_VALUE_LEN);

  record->key = record->data;
  record->key_len = BENCH_KEY_LEN;
  record->value_len = BENCH_VALUE_LEN;
  memcpy (record->data, key, BENCH_KEY_LEN);
  memcpy (record->data + BENCH_KEY_LEN, value, BENCH_VALUE_LEN);
  return record;
}

static gpointer
raw_memory_open (const char  *path,
                 GError     **error)
{
  RawMemory *self = g_new0 (RawMemory, 1);

  g_rw_lock_init (&self->lock);
  self->tree = g_tree_new_full (record_compare, NULL, g_free, NULL);
  return self;
}

/* One exclusive lock per batch, as a writer applying a transaction would take it. */
static gboolean
raw_memory_write (gpointer          store,
                  const BenchWork  *work,
                  guint64           first,
                  guint64           last,
                  GError          **error)
{
  RawMemory *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 batch = first; batch < last; batch += BENCH_BATCH)
    {
      guint64 batch_end = MIN (batch + BENCH_BATCH, last);

      g_rw_lock_writer_lock (&self->lock);
      for (guint64 i = batch; i < batch_end; i++)
        {
          RawRecord *record;

          bench_make_key (i, key);
          record = record_new (key, bench_value (work, i));
          g_tree_replace (self->tree, record, record);
        }
      g_rw_lock_writer_unlock (&self->lock);
    }
  return TRUE;
}

/* A read checks the value in place, under the shared lock. */
static gboolean
raw_memory_read (gpointer          store,
                 const BenchWork  *work,
                 guint64           from,
                 guint64           to,
                 GError          **error)
{
  RawMemory *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 n = from; n < to; n++)
    {
      guint64 index = work->read_order[n];
      RawRecord probe = { .key = key, .key_len = sizeof key };
      const RawRecord *record;
      gboolean matches;

      bench_make_key (index, key);
      g_rw_lock_reader_lock (&self->lock);
      record = g_tree_lookup (self->tree, &probe);
      matches = record != NULL && bench_value_matches (work, index, record->data + record->key_len,
                                                       record->value_len);
      g_rw_lock_reader_unlock (&self->lock);
      if (!matches)
        {
          bench_set_bad_value (error, "raw memory", index);
          return FALSE;
        }
    }
  return TRUE;
}

/* A scan holds its place as a tree node: nothing writes while the benchmark scans. */
typedef struct
{
  RawMemory *store;
  GTreeNode *next;
  gboolean started;
} RawMemoryScan;

static gpointer
raw_memory_scan_start (gpointer   store,
                       GError   **error)
{
  RawMemoryScan *scan = g_new0 (RawMemoryScan, 1);

  scan->store = store;
  return scan;
}

static gboolean
raw_memory_scan_step (gpointer    data,
                      guint64     max,
                      BenchScan  *tally,
                      gboolean   *done,
                      GError    **error)
{
  RawMemoryScan *scan = data;
  GTreeNode *node;
  guint64 n = 0;

  g_rw_lock_reader_lock (&scan->store->lock);
  node = scan->started ? scan->next : g_tree_node_first (scan->store->tree);
  for (; node != NULL && n < max; node = g_tree_node_next (node), n++)
    {
      const RawRecord *record = g_tree_node_key (node);

      bench_scan_consume (tally, record->key, record->key_len,
                          record->data + record->key_len, record->value_len);
    }
  g_rw_lock_reader_unlock (&scan->store->lock);

  scan->started = TRUE;
  scan->next = node;
  *done = node == NULL;
  return TRUE;
}

static void
raw_memory_close (gpointer store)
{
  RawMemory *self = store;

  g_tree_unref (self->tree);
  g_rw_lock_clear (&self->lock);
  g_free (self);
}

const BenchRawEngine bench_raw_memory = {
  "memory", raw_memory_open, raw_memory_write, raw_memory_read, raw_memory_scan_start,
  raw_memory_scan_step, g_free, raw_memory_close,
};
