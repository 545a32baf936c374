/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The RocksDB baseline: the C API with the rocksdb engine's default options. */
#include <rocksdb/c.h>

#include "bench-common.h"

typedef struct
{
  rocksdb_t *db;
  rocksdb_options_t *options;
  rocksdb_readoptions_t *read_options;
  rocksdb_writeoptions_t *write_options;
} RawRocksdb;

static gboolean
check_status (GError     **error,
              const char  *action,
              char        *message)
{
  if (message == NULL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "raw rocksdb: cannot %s: %s",
               action, message);
  rocksdb_free (message);
  return FALSE;
}

static void
raw_rocksdb_close (gpointer store)
{
  RawRocksdb *self = store;

  g_clear_pointer (&self->db, rocksdb_close);
  rocksdb_options_destroy (self->options);
  rocksdb_readoptions_destroy (self->read_options);
  rocksdb_writeoptions_destroy (self->write_options);
  g_free (self);
}

/* The options avfs_storage_rocksdb_open() sets when a vault has no [backend.rocksdb]
 * table: max_open_files 1000, a 64 MiB write buffer, LZ4, paranoid checks; default read
 * and write options (WAL on, no sync per write). The raw store uses RocksDB's default
 * column family where the engine makes one per collection: the write path is the same. */
static gpointer
raw_rocksdb_open (const char  *path,
                  GError     **error)
{
  RawRocksdb *self = g_new0 (RawRocksdb, 1);
  char *message = NULL;

  self->options = rocksdb_options_create ();
  rocksdb_options_set_create_if_missing (self->options, TRUE);
  rocksdb_options_set_error_if_exists (self->options, TRUE);
  rocksdb_options_set_paranoid_checks (self->options, TRUE);
  rocksdb_options_set_max_open_files (self->options, 1000);
  rocksdb_options_set_write_buffer_size (self->options, 64 * 1024 * 1024);
  rocksdb_options_set_compression (self->options, rocksdb_lz4_compression);
  rocksdb_options_set_keep_log_file_num (self->options, 4);
  self->read_options = rocksdb_readoptions_create ();
  self->write_options = rocksdb_writeoptions_create ();

  self->db = rocksdb_open (self->options, path, &message);
  if (!check_status (error, "open", message))
    {
      raw_rocksdb_close (self);
      return NULL;
    }
  return self;
}

static gboolean
raw_rocksdb_seq_write (gpointer          store,
                       const BenchWork  *work,
                       GError          **error)
{
  RawRocksdb *self = store;
  rocksdb_writebatch_t *batch = rocksdb_writebatch_create ();
  guint8 key[BENCH_KEY_LEN];
  char *message = NULL;

  for (guint64 first = 0; message == NULL && first < work->n_records; first += BENCH_BATCH)
    {
      guint64 last = MIN (first + BENCH_BATCH, work->n_records);

      for (guint64 i = first; i < last; i++)
        {
          bench_make_key (i, key);
          rocksdb_writebatch_put (batch, (const char *) key, sizeof key,
                                  (const char *) bench_value (work, i), BENCH_VALUE_LEN);
        }
      rocksdb_write (self->db, self->write_options, batch, &message);
      rocksdb_writebatch_clear (batch);
    }
  rocksdb_writebatch_destroy (batch);
  return check_status (error, "write", message);
}

static gboolean
raw_rocksdb_random_read (gpointer          store,
                         const BenchWork  *work,
                         GError          **error)
{
  RawRocksdb *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 n = 0; n < work->n_records; n++)
    {
      guint64 index = work->read_order[n];
      char *message = NULL;
      char *value;
      size_t value_len = 0;
      gboolean matches;

      bench_make_key (index, key);
      value = rocksdb_get (self->db, self->read_options, (const char *) key, sizeof key,
                           &value_len, &message);
      if (!check_status (error, "read", message))
        return FALSE;
      matches = value != NULL &&
                bench_value_matches (work, index, (const guint8 *) value, value_len);
      rocksdb_free (value);
      if (!matches)
        {
          bench_set_bad_value (error, "raw rocksdb", index);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
raw_rocksdb_range_scan (gpointer    store,
                        BenchScan  *scan,
                        GError    **error)
{
  RawRocksdb *self = store;
  rocksdb_iterator_t *iter = rocksdb_create_iterator (self->db, self->read_options);
  char *message = NULL;

  for (rocksdb_iter_seek_to_first (iter); rocksdb_iter_valid (iter); rocksdb_iter_next (iter))
    {
      size_t key_len, value_len;

      rocksdb_iter_key (iter, &key_len);
      rocksdb_iter_value (iter, &value_len);
      scan->entries++;
      scan->bytes += key_len + value_len;
    }
  rocksdb_iter_get_error (iter, &message);
  rocksdb_iter_destroy (iter);
  return check_status (error, "scan", message);
}

const BenchRawEngine bench_raw_rocksdb = {
  "rocksdb", raw_rocksdb_open, raw_rocksdb_seq_write, raw_rocksdb_random_read,
  raw_rocksdb_range_scan, raw_rocksdb_close,
};
