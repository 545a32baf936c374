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
  rocksdb_writebatch_t *batch; /* cleared and reused for each transaction */
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
  rocksdb_writebatch_destroy (self->batch);
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
  self->batch = rocksdb_writebatch_create ();

  self->db = rocksdb_open (self->options, path, &message);
  if (!check_status (error, "open", message))
    {
      raw_rocksdb_close (self);
      return NULL;
    }
  return self;
}

static gboolean
raw_rocksdb_write (gpointer          store,
                   const BenchWork  *work,
                   guint64           first,
                   guint64           last,
                   GError          **error)
{
  RawRocksdb *self = store;
  guint8 key[BENCH_KEY_LEN];
  char *message = NULL;

  for (guint64 batch = first; message == NULL && batch < last; batch += BENCH_BATCH)
    {
      guint64 batch_end = MIN (batch + BENCH_BATCH, last);

      for (guint64 i = batch; i < batch_end; i++)
        {
          bench_make_key (i, key);
          rocksdb_writebatch_put (self->batch, (const char *) key, sizeof key,
                                  (const char *) bench_value (work, i), BENCH_VALUE_LEN);
        }
      rocksdb_write (self->db, self->write_options, self->batch, &message);
      rocksdb_writebatch_clear (self->batch);
    }
  return check_status (error, "write", message);
}

static gboolean
raw_rocksdb_read (gpointer          store,
                  const BenchWork  *work,
                  guint64           from,
                  guint64           to,
                  GError          **error)
{
  RawRocksdb *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 n = from; n < to; n++)
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

static gpointer
raw_rocksdb_scan_start (gpointer   store,
                        GError   **error)
{
  RawRocksdb *self = store;
  rocksdb_iterator_t *iter = rocksdb_create_iterator (self->db, self->read_options);

  rocksdb_iter_seek_to_first (iter);
  return iter;
}

static gboolean
raw_rocksdb_scan_step (gpointer    scan,
                       guint64     max,
                       BenchScan  *tally,
                       gboolean   *done,
                       GError    **error)
{
  rocksdb_iterator_t *iter = scan;
  char *message = NULL;

  for (guint64 n = 0; n < max && rocksdb_iter_valid (iter); n++)
    {
      size_t key_len, value_len;
      const char *key = rocksdb_iter_key (iter, &key_len);
      const char *value = rocksdb_iter_value (iter, &value_len);

      bench_scan_consume (tally, (const guint8 *) key, key_len, (const guint8 *) value,
                          value_len);
      rocksdb_iter_next (iter);
    }
  *done = !rocksdb_iter_valid (iter);
  if (*done)
    rocksdb_iter_get_error (iter, &message);
  return check_status (error, "scan", message);
}

const BenchRawEngine bench_raw_rocksdb = {
  "rocksdb", raw_rocksdb_open, raw_rocksdb_write, raw_rocksdb_read, raw_rocksdb_scan_start,
  raw_rocksdb_scan_step, (void (*) (gpointer)) rocksdb_iter_destroy, raw_rocksdb_close,
};
