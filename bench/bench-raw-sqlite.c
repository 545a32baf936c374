/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite baseline: one WITHOUT ROWID table, prepared statements, the sqlite engine's
 * default pragmas. */
#include <sqlite3.h>

#include "bench-common.h"

typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *select;
  sqlite3_stmt *scan;
} RawSqlite;

static gboolean
fail (RawSqlite   *self,
      GError     **error,
      const char  *action)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "raw sqlite: cannot %s: %s",
               action, self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
  return FALSE;
}

static void
raw_sqlite_close (gpointer store)
{
  RawSqlite *self = store;

  sqlite3_finalize (self->insert);
  sqlite3_finalize (self->select);
  sqlite3_finalize (self->scan);
  sqlite3_close (self->db);
  g_free (self);
}

/* The pragmas avfs_storage_sqlite_open() applies when a vault has no [backend.sqlite]
 * table (cache_size counts pages, as there), and a table shaped like the engine's
 * collection tables. */
static const char setup_sql[] =
  "PRAGMA cache_size = 2000;"
  "PRAGMA mmap_size = 268435456;"
  "PRAGMA journal_mode = WAL;"
  "PRAGMA synchronous = NORMAL;"
  "CREATE TABLE " BENCH_COLLECTION " (key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL) "
  "WITHOUT ROWID;";

static gpointer
raw_sqlite_open (const char  *path,
                 GError     **error)
{
  RawSqlite *self = g_new0 (RawSqlite, 1);

  /* One thread uses the connection, so it needs no mutex; nor do the engine's. */
  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK ||
      sqlite3_exec (self->db, setup_sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO " BENCH_COLLECTION
                          " (key, value) VALUES (?1, ?2)", -1, &self->insert, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (self->db, "SELECT value FROM " BENCH_COLLECTION " WHERE key = ?1",
                          -1, &self->select, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (self->db, "SELECT key, value FROM " BENCH_COLLECTION
                          " ORDER BY key", -1, &self->scan, NULL) != SQLITE_OK)
    {
      fail (self, error, "create the database");
      raw_sqlite_close (self);
      return NULL;
    }
  return self;
}

static gboolean
insert_batch (RawSqlite        *self,
              const BenchWork  *work,
              guint64           first,
              guint64           last)
{
  guint8 key[BENCH_KEY_LEN];

  for (guint64 i = first; i < last; i++)
    {
      bench_make_key (i, key);
      sqlite3_bind_blob (self->insert, 1, key, sizeof key, SQLITE_STATIC);
      sqlite3_bind_blob (self->insert, 2, bench_value (work, i), BENCH_VALUE_LEN,
                         SQLITE_STATIC);
      if (sqlite3_step (self->insert) != SQLITE_DONE)
        {
          sqlite3_reset (self->insert);
          return FALSE;
        }
      sqlite3_reset (self->insert);
    }
  return TRUE;
}

static gboolean
raw_sqlite_seq_write (gpointer          store,
                      const BenchWork  *work,
                      GError          **error)
{
  RawSqlite *self = store;

  for (guint64 first = 0; first < work->n_records; first += BENCH_BATCH)
    {
      if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail (self, error, "begin");
      if (!insert_batch (self, work, first, MIN (first + BENCH_BATCH, work->n_records)))
        {
          fail (self, error, "insert");
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return fail (self, error, "commit");
    }
  return TRUE;
}

static gboolean
raw_sqlite_random_read (gpointer          store,
                        const BenchWork  *work,
                        GError          **error)
{
  RawSqlite *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 n = 0; n < work->n_records; n++)
    {
      guint64 index = work->read_order[n];
      gboolean matches = FALSE;
      int rc;

      bench_make_key (index, key);
      sqlite3_bind_blob (self->select, 1, key, sizeof key, SQLITE_STATIC);
      rc = sqlite3_step (self->select);
      if (rc == SQLITE_ROW)
        matches = bench_value_matches (work, index, sqlite3_column_blob (self->select, 0),
                                       sqlite3_column_bytes (self->select, 0));
      sqlite3_reset (self->select);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail (self, error, "read");
      if (!matches)
        {
          bench_set_bad_value (error, "raw sqlite", index);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
raw_sqlite_range_scan (gpointer    store,
                       BenchScan  *scan,
                       GError    **error)
{
  RawSqlite *self = store;
  int rc;

  while ((rc = sqlite3_step (self->scan)) == SQLITE_ROW)
    {
      /* Blob before bytes: that is the order in which SQLite fetches without copying. */
      sqlite3_column_blob (self->scan, 0);
      sqlite3_column_blob (self->scan, 1);
      scan->entries++;
      scan->bytes += sqlite3_column_bytes (self->scan, 0) +
                     sqlite3_column_bytes (self->scan, 1);
    }
  sqlite3_reset (self->scan);
  return rc == SQLITE_DONE || fail (self, error, "scan");
}

const BenchRawEngine bench_raw_sqlite = {
  "sqlite", raw_sqlite_open, raw_sqlite_seq_write, raw_sqlite_random_read,
  raw_sqlite_range_scan, raw_sqlite_close,
};
