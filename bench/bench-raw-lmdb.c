/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The LMDB baseline: one named DBI in an environment opened like the lmdb engine's. */
#include <errno.h>
#include <glib/gstdio.h>
#include <lmdb.h>

#include "bench-common.h"

/* Big enough for any run: the baseline never grows its map (the engine's growth happens
 * only on MDB_MAP_FULL, which a large map avoids on both sides alike). */
#define RAW_MAP_SIZE (G_GUINT64_CONSTANT (64) << 30)

typedef struct
{
  MDB_env *env;
  MDB_dbi dbi;
  MDB_txn *reader; /* reset between reads, renewed for each */
} RawLmdb;

static gboolean
check_rc (GError     **error,
          const char  *action,
          int          rc)
{
  if (rc == MDB_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "raw lmdb: cannot %s: %s",
               action, mdb_strerror (rc));
  return FALSE;
}

static void
raw_lmdb_close (gpointer store)
{
  RawLmdb *self = store;

  if (self->reader != NULL)
    mdb_txn_abort (self->reader);
  if (self->env != NULL)
    mdb_env_close (self->env);
  g_free (self);
}

static gboolean
create_dbi (RawLmdb  *self,
            GError  **error)
{
  MDB_txn *txn = NULL;
  int rc = mdb_txn_begin (self->env, NULL, 0, &txn);

  if (rc == MDB_SUCCESS)
    rc = mdb_dbi_open (txn, BENCH_COLLECTION, MDB_CREATE, &self->dbi);
  if (rc == MDB_SUCCESS)
    rc = mdb_txn_commit (txn);
  else if (txn != NULL)
    mdb_txn_abort (txn);
  return check_rc (error, "create the DBI", rc);
}

/* The environment flags and limits of avfs_storage_lmdb_open() with no [backend.lmdb]
 * table (its map size aside: see RAW_MAP_SIZE). */
static gpointer
raw_lmdb_open (const char  *path,
               GError     **error)
{
  RawLmdb *self = g_new0 (RawLmdb, 1);
  int rc;

  if (g_mkdir (path, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "raw lmdb: cannot create “%s”: %s", path, g_strerror (saved_errno));
      raw_lmdb_close (self);
      return NULL;
    }

  rc = mdb_env_create (&self->env);
  if (rc == MDB_SUCCESS)
    rc = mdb_env_set_mapsize (self->env, RAW_MAP_SIZE);
  if (rc == MDB_SUCCESS)
    rc = mdb_env_set_maxdbs (self->env, 128);
  if (rc == MDB_SUCCESS)
    rc = mdb_env_set_maxreaders (self->env, 126);
  if (rc == MDB_SUCCESS)
    rc = mdb_env_open (self->env, path, MDB_NOTLS, 0600);
  if (!check_rc (error, "open the environment", rc) || !create_dbi (self, error))
    {
      raw_lmdb_close (self);
      return NULL;
    }
  return self;
}

static int
put_batch (RawLmdb          *self,
           const BenchWork  *work,
           guint64           first,
           guint64           last)
{
  guint8 key[BENCH_KEY_LEN];
  MDB_txn *txn = NULL;
  int rc = mdb_txn_begin (self->env, NULL, 0, &txn);

  for (guint64 i = first; rc == MDB_SUCCESS && i < last; i++)
    {
      MDB_val key_val = { sizeof key, key };
      MDB_val value_val = { BENCH_VALUE_LEN, (void *) bench_value (work, i) };

      bench_make_key (i, key);
      rc = mdb_put (txn, self->dbi, &key_val, &value_val, 0);
    }
  if (rc == MDB_SUCCESS)
    return mdb_txn_commit (txn);
  if (txn != NULL)
    mdb_txn_abort (txn);
  return rc;
}

static gboolean
raw_lmdb_write (gpointer          store,
                const BenchWork  *work,
                guint64           first,
                guint64           last,
                GError          **error)
{
  RawLmdb *self = store;
  int rc = MDB_SUCCESS;

  for (guint64 batch = first; rc == MDB_SUCCESS && batch < last; batch += BENCH_BATCH)
    rc = put_batch (self, work, batch, MIN (batch + BENCH_BATCH, last));
  return check_rc (error, "write", rc);
}

static int
renew_reader (RawLmdb *self)
{
  return self->reader == NULL ? mdb_txn_begin (self->env, NULL, MDB_RDONLY, &self->reader) :
                                mdb_txn_renew (self->reader);
}

/* Each read in a read transaction of its own, recycled with reset and renew. */
static int
read_one (RawLmdb          *self,
          const BenchWork  *work,
          guint64           index,
          gboolean         *matches)
{
  guint8 key[BENCH_KEY_LEN];
  MDB_val key_val = { sizeof key, key };
  MDB_val value_val;
  int rc;

  bench_make_key (index, key);
  rc = renew_reader (self);
  if (rc != MDB_SUCCESS)
    return rc;
  rc = mdb_get (self->reader, self->dbi, &key_val, &value_val);
  *matches = rc == MDB_SUCCESS &&
             bench_value_matches (work, index, value_val.mv_data, value_val.mv_size);
  mdb_txn_reset (self->reader);
  return rc == MDB_NOTFOUND ? MDB_SUCCESS : rc;
}

static gboolean
raw_lmdb_read (gpointer          store,
               const BenchWork  *work,
               guint64           from,
               guint64           to,
               GError          **error)
{
  RawLmdb *self = store;

  for (guint64 n = from; n < to; n++)
    {
      guint64 index = work->read_order[n];
      gboolean matches = FALSE;

      if (!check_rc (error, "read", read_one (self, work, index, &matches)))
        return FALSE;
      if (!matches)
        {
          bench_set_bad_value (error, "raw lmdb", index);
          return FALSE;
        }
    }
  return TRUE;
}

/* A scan is one cursor in one read transaction, from start to end. */
typedef struct
{
  RawLmdb *store;
  MDB_cursor *cursor;
  MDB_cursor_op op;
} RawLmdbScan;

static void
raw_lmdb_scan_finish (gpointer data)
{
  RawLmdbScan *scan = data;

  if (scan->cursor != NULL)
    mdb_cursor_close (scan->cursor);
  mdb_txn_reset (scan->store->reader);
  g_free (scan);
}

static gpointer
raw_lmdb_scan_start (gpointer   store,
                     GError   **error)
{
  RawLmdbScan *scan = g_new0 (RawLmdbScan, 1);
  int rc;

  scan->store = store;
  scan->op = MDB_FIRST;
  rc = renew_reader (scan->store);
  if (rc != MDB_SUCCESS)
    {
      g_free (scan);
      check_rc (error, "start a scan", rc);
      return NULL;
    }
  rc = mdb_cursor_open (scan->store->reader, scan->store->dbi, &scan->cursor);
  if (!check_rc (error, "start a scan", rc))
    {
      raw_lmdb_scan_finish (scan);
      return NULL;
    }
  return scan;
}

static gboolean
raw_lmdb_scan_step (gpointer    data,
                    guint64     max,
                    BenchScan  *tally,
                    gboolean   *done,
                    GError    **error)
{
  RawLmdbScan *scan = data;
  MDB_val key, value;
  int rc = MDB_SUCCESS;

  for (guint64 n = 0;
       n < max && (rc = mdb_cursor_get (scan->cursor, &key, &value, scan->op)) == MDB_SUCCESS;
       n++)
    {
      scan->op = MDB_NEXT;
      bench_scan_consume (tally, key.mv_data, key.mv_size, value.mv_data, value.mv_size);
    }
  *done = rc != MDB_SUCCESS;
  return check_rc (error, "scan", rc == MDB_NOTFOUND ? MDB_SUCCESS : rc);
}

const BenchRawEngine bench_raw_lmdb = {
  "lmdb", raw_lmdb_open, raw_lmdb_write, raw_lmdb_read, raw_lmdb_scan_start,
  raw_lmdb_scan_step, raw_lmdb_scan_finish, raw_lmdb_close,
};
