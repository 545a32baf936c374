/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The memory baseline: the memory engine's data structure, a GTree of GBytes → GBytes
 * ordered like memcmp under a GRWLock, used directly. */
#include "bench-common.h"

typedef struct
{
  GRWLock lock;
  GTree *tree;
} RawMemory;

static int
bytes_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  gsize a_len, b_len;
  const guint8 *a_data = g_bytes_get_data ((GBytes *) a, &a_len);
  const guint8 *b_data = g_bytes_get_data ((GBytes *) b, &b_len);
  int order = memcmp (a_data, b_data, MIN (a_len, b_len));

  if (order != 0)
    return order;
  return a_len < b_len ? -1 : a_len > b_len;
}

static gpointer
raw_memory_open (const char  *path,
                 GError     **error)
{
  RawMemory *self = g_new0 (RawMemory, 1);

  g_rw_lock_init (&self->lock);
  self->tree = g_tree_new_full (bytes_compare, NULL,
                                (GDestroyNotify) g_bytes_unref, (GDestroyNotify) g_bytes_unref);
  return self;
}

/* One exclusive lock per batch, as a writer applying a transaction would take it. */
static gboolean
raw_memory_seq_write (gpointer          store,
                      const BenchWork  *work,
                      GError          **error)
{
  RawMemory *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 first = 0; first < work->n_records; first += BENCH_BATCH)
    {
      guint64 last = MIN (first + BENCH_BATCH, work->n_records);

      g_rw_lock_writer_lock (&self->lock);
      for (guint64 i = first; i < last; i++)
        {
          bench_make_key (i, key);
          g_tree_replace (self->tree, g_bytes_new (key, sizeof key),
                          g_bytes_new (bench_value (work, i), BENCH_VALUE_LEN));
        }
      g_rw_lock_writer_unlock (&self->lock);
    }
  return TRUE;
}

static gboolean
raw_memory_random_read (gpointer          store,
                        const BenchWork  *work,
                        GError          **error)
{
  RawMemory *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 n = 0; n < work->n_records; n++)
    {
      guint64 index = work->read_order[n];
      g_autoptr(GBytes) key_bytes = NULL;
      g_autoptr(GBytes) value = NULL;
      gsize value_len = 0;
      const guint8 *data = NULL;

      bench_make_key (index, key);
      key_bytes = g_bytes_new_static (key, sizeof key);
      g_rw_lock_reader_lock (&self->lock);
      value = g_tree_lookup (self->tree, key_bytes);
      if (value != NULL)
        g_bytes_ref (value);
      g_rw_lock_reader_unlock (&self->lock);

      if (value != NULL)
        data = g_bytes_get_data (value, &value_len);
      if (data == NULL || !bench_value_matches (work, index, data, value_len))
        {
          bench_set_bad_value (error, "raw memory", index);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
raw_memory_range_scan (gpointer    store,
                       BenchScan  *scan,
                       GError    **error)
{
  RawMemory *self = store;

  g_rw_lock_reader_lock (&self->lock);
  for (GTreeNode *node = g_tree_node_first (self->tree); node != NULL;
       node = g_tree_node_next (node))
    {
      scan->entries++;
      scan->bytes += g_bytes_get_size (g_tree_node_key (node)) +
                     g_bytes_get_size (g_tree_node_value (node));
    }
  g_rw_lock_reader_unlock (&self->lock);
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
  "memory", raw_memory_open, raw_memory_seq_write, raw_memory_random_read,
  raw_memory_range_scan, raw_memory_close,
};
