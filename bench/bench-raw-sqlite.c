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

/* The pragmas avfs_storage_sqlite_open() applies to a new store with no [backend.sqlite]
 * table (cache_size counts pages, as there), and a table shaped like the engine's
 * collection tables. */
static const char setup_sql[] =
  "PRAGMA page_size = 8192;"
  "PRAGMA auto_vacuum = INCREMENTAL;"
  "PRAGMA cache_size = 2000;"
  "PRAGMA mmap_size = 0;"
  "PRAGMA journal_mode = WAL;"
  "PRAGMA synchronous = NORMAL;"
  "PRAGMA journal_size_limit = 67108864;"
  "CREATE TABLE " BENCH_COLLECTION " (key BLOB PRIMARY KEY, value BLOB NOT NULL) "
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
raw_sqlite_write (gpointer          store,
                  const BenchWork  *work,
                  guint64           first,
                  guint64           last,
                  GError          **error)
{
  RawSqlite *self = store;

  for (guint64 batch = first; batch < last; batch += BENCH_BATCH)
    {
      if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail (self, error, "begin");
      if (!insert_batch (self, work, batch, MIN (batch + BENCH_BATCH, last)))
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
raw_sqlite_read (gpointer          store,
                 const BenchWork  *work,
                 guint64           from,
                 guint64           to,
                 GError          **error)
{
  RawSqlite *self = store;
  guint8 key[BENCH_KEY_LEN];

  for (guint64 n = from; n < to; n++)
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

/* The scan is the prepared SELECT … ORDER BY key, stepped on. */
static gpointer
raw_sqlite_scan_start (gpointer   store,
                       GError   **error)
{
  return store;
}

static gboolean
raw_sqlite_scan_step (gpointer    store,
                      guint64     max,
                      BenchScan  *tally,
                      gboolean   *done,
                      GError    **error)
{
  RawSqlite *self = store;
  int rc = SQLITE_ROW;

  for (guint64 n = 0; n < max && (rc = sqlite3_step (self->scan)) == SQLITE_ROW; n++)
    {
      /* Blob before bytes: that is the order in which SQLite fetches without copying. */
      const guint8 *key = sqlite3_column_blob (self->scan, 0);
      const guint8 *value = sqlite3_column_blob (self->scan, 1);

      bench_scan_consume (tally, key, sqlite3_column_bytes (self->scan, 0), value,
                          sqlite3_column_bytes (self->scan, 1));
    }
  *done = rc != SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE || fail (self, error, "scan");
}

static void
raw_sqlite_scan_finish (gpointer store)
{
  RawSqlite *self = store;

  sqlite3_reset (self->scan);
}

const BenchRawEngine bench_raw_sqlite = {
  "sqlite", raw_sqlite_open, raw_sqlite_write, raw_sqlite_read, raw_sqlite_scan_start,
  raw_sqlite_scan_step, raw_sqlite_scan_finish, raw_sqlite_close,
};
