/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageSqlite: a NAME.avfs SQLite file with one table per collection. */
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "avfs-sqlite-checkpointer.h"
#include "avfs-storage-sqlite.h"
#include "avfs-storage-private.h"

#define ENGINE "sqlite"
#define STORE "SQLite vault" /* in messages */

/* How long a connection waits for another process's lock before it gives up. */
#define BUSY_TIMEOUT_MS 5000

/* Reader connections open at most; more concurrent readers wait for a free one. */
#define MAX_READERS 16

/* A cursor reads this many rows per visit, or fewer once it holds this many bytes, and
 * keeps no read transaction open in between (docs/storage.md, "Cursors may read in
 * batches"). */
#define CURSOR_BATCH_ROWS 512
#define CURSOR_BATCH_BYTES (1024 * 1024)

/* Free pages a closing vault gives back to the file system, from 2 MiB (8 KiB pages). */
#define RELEASE_MIN_PAGES 256

/* A collection's table after its quoted name. A table is taken for a collection only
 * if sqlite_schema holds exactly one of these definitions, so other tables in the same
 * file (the FTS5 index and its shadow tables) never show up as collections. The rows of
 * a LARGE_VALUES table go in the order they are written, their keys into the UNIQUE
 * index; every statement reads and writes both layouts alike. */
#define TABLE_DEFINITION "(key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"
#define LARGE_VALUES_TABLE_DEFINITION "(key BLOB NOT NULL UNIQUE, value BLOB NOT NULL)"

/* Whether sqlite_schema's `sql` of the table named by `name` is a collection's. */
#define IS_COLLECTION_SQL(name) \
  "sql IN ('CREATE TABLE \"' || " name " || '\" " TABLE_DEFINITION "', " \
  "'CREATE TABLE \"' || " name " || '\" " LARGE_VALUES_TABLE_DEFINITION "')"

/* The collection the registry writes at creation; an SQLite file without it is not a
 * vault, and opening it must not change it (docs/storage.md, "Opening and damage"). */
#define STORAGE_COLLECTION "_storage"

/* The first 100 bytes of every SQLite database (https://sqlite.org/fileformat.html). */
#define HEADER_SIZE 100

/* Options; see avfs_storage_sqlite_open(). */
typedef struct
{
  const char *journal_mode; /* a word of the option table (avfs-storage-options.c) */
  const char *synchronous;
  guint64 cache_size;   /* pages, per connection */
  guint64 mmap_size;    /* bytes, per connection */
} Settings;

/* The statements a connection runs on one collection; ?1 is a key, ?2 a value or the
 * end of a range. Scans stop stepping after a batch rather than say LIMIT, which costs
 * SQLite 12% more per row. */
typedef enum
{
  OP_GET,
  OP_EXISTS,
  OP_PUT,
  OP_DELETE,
  OP_SCAN_FROM,       /* key >= ?1 */
  OP_SCAN_AFTER,      /* key > ?1 */
  OP_SCAN_FROM_TO,    /* key >= ?1 AND key < ?2 */
  OP_SCAN_AFTER_TO,   /* key > ?1 AND key < ?2 */
  N_OPS
} Op;

/* Each statement's SQL around the quoted table name. */
static const struct
{
  const char *head;
  const char *tail;
} op_sql[N_OPS] = {
  { "SELECT value FROM ", " WHERE key = ?1" },
  { "SELECT 1 FROM ", " WHERE key = ?1" },
  { "INSERT OR REPLACE INTO ", " (key, value) VALUES (?1, ?2)" },
  { "DELETE FROM ", " WHERE key = ?1" },
  { "SELECT key, value FROM ", " WHERE key >= ?1 ORDER BY key" },
  { "SELECT key, value FROM ", " WHERE key > ?1 ORDER BY key" },
  { "SELECT key, value FROM ", " WHERE key >= ?1 AND key < ?2 ORDER BY key" },
  { "SELECT key, value FROM ", " WHERE key > ?1 AND key < ?2 ORDER BY key" },
};

/* A connection's statements for one collection, each prepared on first use. */
typedef struct
{
  char name[AVFS_STORAGE_MAX_COLLECTION_LEN + 1];
  sqlite3_stmt *statements[N_OPS];
} Statements;

/* One SQLite connection, used by one thread at a time (it is opened NOMUTEX). */
typedef struct
{
  sqlite3 *db;
  GHashTable *collections; /* name → Statements, only for collections known to exist */
  sqlite3_stmt *find_collection;
} Connection;

/* Thread safety: @writer admits one writer at a time (a whole transaction, one put or
 * delete, a schema change, sync, compact) to @write_conn. Reads borrow a connection from
 * the reader pool (@pool_lock), so they run beside the writer and, each statement being
 * its own read transaction, see only committed states. close() takes @writer, then
 * waits for every borrowed reader to come back. */
struct _AvfsStorageSqlite
{
  GObject parent_instance;

  char *path;
  char *wal_path;
  Settings settings;
  char *connection_pragmas;
  char *journal_mode; /* as SQLite reports it after the change */
  gint closed;        /* atomic, so is_closed() and cursors need no lock */

  GMutex writer;
  Connection *write_conn; /* NULL once closed */
  AvfsSqliteCheckpointer *checkpointer; /* in WAL mode */
  GThread *transaction_thread; /* atomic: who runs a transaction, to refuse re-entry */
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *rollback;

  GMutex pool_lock;
  GCond pool_cond;
  GPtrArray *idle_readers; /* Connection */
  guint n_readers;         /* open reader connections, idle or lent */
  guint n_lent;
  guint n_waiting;
  GHashTable *lent_dbs;    /* sqlite3 → Connection, readers lent outside this file */
};

static void avfs_storage_sqlite_iface_init (AvfsStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsStorageSqlite, avfs_storage_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_STORAGE,
                                                      avfs_storage_sqlite_iface_init))

/* Errors. */

/* Describes SQLite's @rc for people; @action completes "Cannot … the SQLite vault". Read
 * it before the connection runs anything else, which would replace its message. */
static void
set_sqlite_error (GError     **error,
                  const char  *path,
                  const char  *action,
                  sqlite3     *db,
                  int          rc)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xFF)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
                   "Cannot %s the SQLite vault “%s”: another program kept it locked for "
                   "more than %d seconds; try again when it is done (%s)",
                   action, path, BUSY_TIMEOUT_MS / 1000, detail);
      break;
    case SQLITE_FULL:
      avfs_storage_set_engine_error (error, AVFS_ERROR_NO_SPACE, STORE, action, path, detail);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      avfs_storage_set_engine_error (error, AVFS_ERROR_CORRUPT, STORE, action, path, detail);
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      avfs_storage_set_engine_error (error, AVFS_ERROR_IO, STORE, action, path, detail);
      break;
    default:
      avfs_storage_set_engine_error (error, AVFS_ERROR_FAILED, STORE, action, path, detail);
      break;
    }
}

/* Connections and their statements. */

static void
statements_free (gpointer data)
{
  Statements *set = data;

  for (guint op = 0; op < N_OPS; op++)
    sqlite3_finalize (set->statements[op]);
  g_free (set);
}

/* For a file found damaged or foreign: closing the last connection would otherwise
 * checkpoint a pending WAL into it. */
static void
keep_file_untouched (Connection *conn)
{
  sqlite3_db_config (conn->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
}

static void
connection_close (Connection *conn)
{
  g_clear_pointer (&conn->collections, g_hash_table_destroy);
  sqlite3_finalize (conn->find_collection);
  /* The last connection to close checkpoints the WAL into the file and removes it. */
  sqlite3_close_v2 (conn->db);
  g_free (conn);
}

static gboolean
exec_sql (AvfsStorageSqlite  *self,
          sqlite3            *db,
          const char         *sql,
          const char         *action,
          GError            **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->path, action, db, rc);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare (AvfsStorageSqlite  *self,
         sqlite3            *db,
         const char         *sql,
         const char         *action,
         GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->path, action, db, rc);
      return NULL;
    }
  return stmt;
}

/* Opens a connection with the store's busy timeout and cache settings. */
static Connection *
connection_open (AvfsStorageSqlite  *self,
                 int                 flags,
                 GError            **error)
{
  Connection *conn = g_new0 (Connection, 1);
  int rc;

  rc = sqlite3_open_v2 (self->path, &conn->db,
                        flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->path, "open", conn->db, rc);
      connection_close (conn);
      return NULL;
    }

  sqlite3_busy_timeout (conn->db, BUSY_TIMEOUT_MS);
  conn->collections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, statements_free);
  /* Preparing reads the schema, which is the first read of a newly opened file. */
  if (!exec_sql (self, conn->db, self->connection_pragmas, "configure", error) ||
      (conn->find_collection = prepare (self, conn->db,
                                        "SELECT 1 FROM sqlite_schema WHERE type = 'table' "
                                        "AND name = ?1 AND " IS_COLLECTION_SQL ("?1"),
                                        "open", error)) == NULL)
    {
      keep_file_untouched (conn);
      connection_close (conn);
      return NULL;
    }
  return conn;
}

static gboolean
collection_exists (AvfsStorageSqlite  *self,
                   Connection         *conn,
                   const char         *collection,
                   gboolean           *exists,
                   GError            **error)
{
  int rc;

  sqlite3_bind_text (conn->find_collection, 1, collection, -1, SQLITE_STATIC);
  rc = sqlite3_step (conn->find_collection);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, "read the collections of", conn->db, rc);
  sqlite3_reset (conn->find_collection);
  *exists = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* Quotes a table name for SQL. Names are already limited to [a-z0-9_], but quoting
 * keeps SQL keywords (a collection named "select") working. */
static char *
quote_name (const char *name)
{
  g_auto(GStrv) parts = g_strsplit (name, "\"", -1);
  g_autofree char *doubled = g_strjoinv ("\"\"", parts);

  return g_strconcat ("\"", doubled, "\"", NULL);
}

/* Looks @collection up among the ones @conn knows, checking the schema the first time. */
static Statements *
find_statements (AvfsStorageSqlite  *self,
                 Connection         *conn,
                 const char         *collection,
                 GError            **error)
{
  Statements *set = g_hash_table_lookup (conn->collections, collection);
  gboolean exists;

  if (G_LIKELY (set != NULL))
    return set;

  if (!collection_exists (self, conn, collection, &exists, error))
    return NULL;
  if (!exists)
    {
      avfs_storage_set_unknown_collection (error, collection, self->path);
      return NULL;
    }
  set = g_new0 (Statements, 1);
  g_strlcpy (set->name, collection, sizeof set->name);
  g_hash_table_insert (conn->collections, set->name, set);
  return set;
}

/* The statement for @op on @collection, prepared on first use and reset after each. */
static sqlite3_stmt *
find_statement (AvfsStorageSqlite  *self,
                Connection         *conn,
                const char         *collection,
                Op                  op,
                GError            **error)
{
  Statements *set = find_statements (self, conn, collection, error);
  g_autofree char *quoted = NULL;
  g_autofree char *sql = NULL;

  if (set == NULL)
    return NULL;
  if (G_LIKELY (set->statements[op] != NULL))
    return set->statements[op];

  quoted = quote_name (collection);
  sql = g_strconcat (op_sql[op].head, quoted, op_sql[op].tail, NULL);
  set->statements[op] = prepare (self, conn->db, sql, "prepare a query on", error);
  return set->statements[op];
}

/* The reader pool. */

static Connection *
take_reader (AvfsStorageSqlite  *self,
             GError            **error)
{
  Connection *conn = NULL;

  g_mutex_lock (&self->pool_lock);
  while (!self->closed && self->idle_readers->len == 0 && self->n_readers >= MAX_READERS)
    {
      self->n_waiting++;
      g_cond_wait (&self->pool_cond, &self->pool_lock);
      self->n_waiting--;
    }
  if (self->closed)
    {
      g_mutex_unlock (&self->pool_lock);
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return NULL;
    }
  if (self->idle_readers->len > 0)
    conn = g_ptr_array_steal_index_fast (self->idle_readers, self->idle_readers->len - 1);
  else
    self->n_readers++; /* opened below, outside the lock */
  self->n_lent++;
  g_mutex_unlock (&self->pool_lock);

  if (conn != NULL)
    return conn;

  conn = connection_open (self, SQLITE_OPEN_READONLY, error);
  if (conn == NULL)
    {
      g_mutex_lock (&self->pool_lock);
      self->n_readers--;
      self->n_lent--;
      if (self->n_waiting > 0)
        g_cond_broadcast (&self->pool_cond);
      g_mutex_unlock (&self->pool_lock);
    }
  return conn;
}

static void
give_back_reader (AvfsStorageSqlite *self,
                  Connection        *conn)
{
  g_mutex_lock (&self->pool_lock);
  g_ptr_array_add (self->idle_readers, conn);
  self->n_lent--;
  /* Waking costs a system call, so only when someone waits (close() counts itself). */
  if (self->n_waiting > 0)
    g_cond_broadcast (&self->pool_cond);
  g_mutex_unlock (&self->pool_lock);
}

/* Reading and writing one key. */

static GBytes *
read_value (AvfsStorageSqlite  *self,
            Connection         *conn,
            const char         *collection,
            const guint8       *key,
            gsize               key_len,
            GError            **error)
{
  sqlite3_stmt *stmt = find_statement (self, conn, collection, OP_GET, error);
  GBytes *value = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_blob (stmt, 1, key, (int) key_len, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      sqlite3_value *column = sqlite3_column_value (stmt, 0);
      const void *data = sqlite3_value_blob (column);

      value = g_bytes_new (data, sqlite3_value_bytes (column));
    }
  else if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, "read from", conn->db, rc);
  sqlite3_reset (stmt);
  return value;
}

static gboolean
key_exists (AvfsStorageSqlite  *self,
            Connection         *conn,
            const char         *collection,
            const guint8       *key,
            gsize               key_len,
            gboolean           *exists,
            GError            **error)
{
  sqlite3_stmt *stmt = find_statement (self, conn, collection, OP_EXISTS, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, key, (int) key_len, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, "read from", conn->db, rc);
  sqlite3_reset (stmt);
  *exists = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* A put (@value non-NULL) or a delete on the writer connection; call with @writer held.
 * The bound key and value are the caller's memory (SQLITE_STATIC): they are read only
 * during the step, and every use binds afresh. */
static gboolean
write_value (AvfsStorageSqlite  *self,
             const char         *collection,
             const guint8       *key,
             gsize               key_len,
             const guint8       *value,
             gsize               value_len,
             GError            **error)
{
  Connection *conn = self->write_conn;
  sqlite3_stmt *stmt = find_statement (self, conn, collection,
                                       value != NULL ? OP_PUT : OP_DELETE, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, key, (int) key_len, SQLITE_STATIC);
  if (value != NULL)
    sqlite3_bind_blob (stmt, 2, value, (int) value_len, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, "write to", conn->db, rc);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* Takes @writer for a write, failing rather than deadlocking when called from inside
 * this store's own transaction on the same thread. */
static gboolean
lock_writer (AvfsStorageSqlite  *self,
             GError            **error)
{
  if (G_UNLIKELY (g_atomic_pointer_get (&self->transaction_thread) == (gpointer) g_thread_self ()))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot change the SQLite vault “%s” from inside its own transaction; "
                   "use the transaction's put and delete instead", self->path);
      return FALSE;
    }
  g_mutex_lock (&self->writer);
  if (G_UNLIKELY (self->write_conn == NULL))
    {
      g_mutex_unlock (&self->writer);
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return FALSE;
    }
  return TRUE;
}

/* Transactions run on the writer connection between BEGIN IMMEDIATE and COMMIT, so they
 * read their own writes; readers on other connections see the state before until the
 * commit. */

#define AVFS_TYPE_SQLITE_TRANSACTION (avfs_sqlite_transaction_get_type ())
G_DECLARE_FINAL_TYPE (AvfsSqliteTransaction, avfs_sqlite_transaction,
                      AVFS, SQLITE_TRANSACTION, AvfsTransaction)

struct _AvfsSqliteTransaction
{
  AvfsTransaction parent_instance;

  AvfsStorageSqlite *store; /* NULL once the transaction is over */
};

G_DEFINE_FINAL_TYPE (AvfsSqliteTransaction, avfs_sqlite_transaction, AVFS_TYPE_TRANSACTION)

static AvfsStorageSqlite *
transaction_store (AvfsTransaction  *tx,
                   GError          **error)
{
  AvfsStorageSqlite *store = ((AvfsSqliteTransaction *) tx)->store;

  if (store == NULL)
    g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                         "This transaction is over; make changes inside its callback");
  return store;
}

static GBytes *
avfs_sqlite_transaction_get (AvfsTransaction  *tx,
                             const char       *collection,
                             const guint8     *key,
                             gsize             key_len,
                             GError          **error)
{
  AvfsStorageSqlite *store = transaction_store (tx, error);

  if (store == NULL)
    return NULL;
  return read_value (store, store->write_conn, collection, key, key_len, error);
}

static gboolean
avfs_sqlite_transaction_put (AvfsTransaction  *tx,
                             const char       *collection,
                             const guint8     *key,
                             gsize             key_len,
                             const guint8     *value,
                             gsize             value_len,
                             GError          **error)
{
  AvfsStorageSqlite *store = transaction_store (tx, error);

  return store != NULL &&
         write_value (store, collection, key, key_len, value, value_len, error);
}

static gboolean
avfs_sqlite_transaction_delete (AvfsTransaction  *tx,
                                const char       *collection,
                                const guint8     *key,
                                gsize             key_len,
                                GError          **error)
{
  AvfsStorageSqlite *store = transaction_store (tx, error);

  return store != NULL && write_value (store, collection, key, key_len, NULL, 0, error);
}

static void
avfs_sqlite_transaction_class_init (AvfsSqliteTransactionClass *klass)
{
  AvfsTransactionClass *tx_class = AVFS_TRANSACTION_CLASS (klass);

  tx_class->get = avfs_sqlite_transaction_get;
  tx_class->put = avfs_sqlite_transaction_put;
  tx_class->delete = avfs_sqlite_transaction_delete;
}

static void
avfs_sqlite_transaction_init (AvfsSqliteTransaction *self)
{
}

/* Runs BEGIN, COMMIT or ROLLBACK; call with @writer held. */
static gboolean
run_control (AvfsStorageSqlite  *self,
             sqlite3_stmt       *stmt,
             const char         *action,
             GError            **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, action, self->write_conn->db, rc);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* Cursors copy a batch of rows at a time from a pooled reader, then hand the reader
 * back: no read transaction stays open between calls, so a forgotten cursor never holds
 * back WAL checkpoints. Each batch resumes after the last key returned. */

#define AVFS_TYPE_SQLITE_CURSOR (avfs_sqlite_cursor_get_type ())
G_DECLARE_FINAL_TYPE (AvfsSqliteCursor, avfs_sqlite_cursor, AVFS, SQLITE_CURSOR, AvfsCursor)

/* Where one entry of the batch lies in the cursor's @data: its key, then its value. */
typedef struct
{
  gsize offset;
  gsize key_len;
  gsize value_len;
} Row;

struct _AvfsSqliteCursor
{
  AvfsCursor parent_instance;

  AvfsStorageSqlite *store;
  char collection[AVFS_STORAGE_MAX_COLLECTION_LEN + 1];
  GByteArray *from;  /* the next batch starts here: the start key, then the last key read */
  gboolean after;    /* @from was already returned, so the next batch excludes it */
  GByteArray *end;   /* NULL: to the last key */
  /* The batch: keys and values back to back in @data. A plain buffer, since GArray
   * divides on every append, which a full scan would feel. */
  guint8 *data;
  gsize data_len;
  gsize data_size;
  Row rows[CURSOR_BATCH_ROWS];
  guint n_rows;
  guint next_row;
  gboolean last_batch;
};

G_DEFINE_FINAL_TYPE (AvfsSqliteCursor, avfs_sqlite_cursor, AVFS_TYPE_CURSOR)

static void
cursor_append (AvfsSqliteCursor *self,
               const void       *bytes,
               gsize             len)
{
  if (len == 0)
    return;
  if (self->data_len + len > self->data_size)
    {
      self->data_size = MAX (self->data_size * 2, self->data_len + len);
      self->data = g_realloc (self->data, self->data_size);
    }
  memcpy (self->data + self->data_len, bytes, len);
  self->data_len += len;
}

static void
cursor_add_row (AvfsSqliteCursor *self,
                sqlite3_stmt     *stmt)
{
  Row *row = &self->rows[self->n_rows++];
  /* One API call per column instead of two (blob, then bytes): a full scan feels it. */
  sqlite3_value *key = sqlite3_column_value (stmt, 0);
  sqlite3_value *value = sqlite3_column_value (stmt, 1);
  const void *key_data = sqlite3_value_blob (key);
  const void *value_data = sqlite3_value_blob (value);

  row->offset = self->data_len;
  row->key_len = sqlite3_value_bytes (key);
  row->value_len = sqlite3_value_bytes (value);
  cursor_append (self, key_data, row->key_len);
  cursor_append (self, value_data, row->value_len);
}

/* Replaces the batch with the next rows of the range, read on @conn. */
static gboolean
cursor_read_batch (AvfsSqliteCursor  *self,
                   Connection        *conn,
                   GError           **error)
{
  Op op = self->after ? (self->end ? OP_SCAN_AFTER_TO : OP_SCAN_AFTER) :
                        (self->end ? OP_SCAN_FROM_TO : OP_SCAN_FROM);
  sqlite3_stmt *stmt = find_statement (self->store, conn, self->collection, op, error);
  int rc = SQLITE_ROW;

  if (stmt == NULL)
    return FALSE;

  self->data_len = 0;
  self->n_rows = 0;
  self->next_row = 0;
  /* From the empty key when there is no start: it sorts before every key. */
  sqlite3_bind_blob (stmt, 1, self->from->len > 0 ? (const void *) self->from->data : "",
                     self->from->len, SQLITE_STATIC);
  if (self->end != NULL)
    sqlite3_bind_blob (stmt, 2, self->end->data, self->end->len, SQLITE_STATIC);

  while (self->n_rows < CURSOR_BATCH_ROWS && self->data_len < CURSOR_BATCH_BYTES &&
         (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    cursor_add_row (self, stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_sqlite_error (error, self->store->path, "read from", conn->db, rc);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return FALSE;

  self->last_batch = rc == SQLITE_DONE;
  if (self->n_rows > 0)
    {
      const Row *last = &self->rows[self->n_rows - 1];

      g_byte_array_set_size (self->from, 0);
      g_byte_array_append (self->from, self->data + last->offset, last->key_len);
      self->after = TRUE;
    }
  return TRUE;
}

static gboolean
cursor_fetch (AvfsSqliteCursor  *self,
              GError           **error)
{
  Connection *conn = take_reader (self->store, error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  ok = cursor_read_batch (self, conn, error);
  give_back_reader (self->store, conn);
  return ok;
}

static gboolean
avfs_sqlite_cursor_next (AvfsCursor  *cursor,
                         GError     **error)
{
  AvfsSqliteCursor *self = (AvfsSqliteCursor *) cursor; /* no type check per entry */
  const Row *row;

  if (G_UNLIKELY (g_atomic_int_get (&self->store->closed)))
    {
      avfs_storage_set_closed_error (error, ENGINE, self->store->path);
      return FALSE;
    }
  if (self->next_row == self->n_rows)
    {
      if (self->last_batch || !cursor_fetch (self, error) || self->n_rows == 0)
        return FALSE;
    }

  row = &self->rows[self->next_row++];
  avfs_cursor_set_entry (cursor, self->data + row->offset, row->key_len,
                         self->data + row->offset + row->key_len, row->value_len);
  return TRUE;
}

static void
avfs_sqlite_cursor_finalize (GObject *object)
{
  AvfsSqliteCursor *self = AVFS_SQLITE_CURSOR (object);

  g_byte_array_unref (self->from);
  g_clear_pointer (&self->end, g_byte_array_unref);
  g_free (self->data);
  g_object_unref (self->store);
  G_OBJECT_CLASS (avfs_sqlite_cursor_parent_class)->finalize (object);
}

static void
avfs_sqlite_cursor_class_init (AvfsSqliteCursorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_sqlite_cursor_finalize;
  AVFS_CURSOR_CLASS (klass)->next = avfs_sqlite_cursor_next;
}

static void
avfs_sqlite_cursor_init (AvfsSqliteCursor *self)
{
  self->from = g_byte_array_new ();
}

/* The store. */

static const char *
avfs_storage_sqlite_get_engine_name (AvfsStorage *storage)
{
  return ENGINE;
}

static const char *
avfs_storage_sqlite_get_path (AvfsStorage *storage)
{
  return AVFS_STORAGE_SQLITE (storage)->path;
}

static gboolean
avfs_storage_sqlite_create_collection (AvfsStorage          *storage,
                                       const char           *collection,
                                       AvfsCollectionFlags   flags,
                                       GError              **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);
  g_autofree char *quoted = NULL;
  g_autofree char *sql = NULL;
  gboolean ok;

  if (g_str_has_prefix (collection, "sqlite_"))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Cannot create the collection “%s”: SQLite reserves names starting with "
                   "“sqlite_”; choose another name", collection);
      return FALSE;
    }
  if (!lock_writer (self, error))
    return FALSE;
  if (g_hash_table_contains (self->write_conn->collections, collection))
    {
      g_mutex_unlock (&self->writer);
      return TRUE;
    }

  quoted = quote_name (collection);
  sql = g_strconcat ("CREATE TABLE IF NOT EXISTS ", quoted, " ",
                     (flags & AVFS_COLLECTION_LARGE_VALUES) ? LARGE_VALUES_TABLE_DEFINITION
                                                            : TABLE_DEFINITION, NULL);
  ok = exec_sql (self, self->write_conn->db, sql, "create a collection in", error);
  if (ok && find_statements (self, self->write_conn, collection, NULL) == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                   "Cannot create the collection “%s” in the SQLite vault “%s”: a table of "
                   "that name that avfs did not make is in the way", collection, self->path);
      ok = FALSE;
    }
  g_mutex_unlock (&self->writer);
  if (ok)
    g_debug ("%s: collection %s ready", self->path, collection);
  return ok;
}

/* Names of every collection, sorted bytewise. */
static char **
read_collection_names (AvfsStorageSqlite  *self,
                       Connection         *conn,
                       GError            **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self, conn->db,
                  "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                  IS_COLLECTION_SQL ("name") " ORDER BY name", "read the collections of",
                  error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, "read the collections of", conn->db, rc);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return NULL;

  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static char **
avfs_storage_sqlite_list_collections (AvfsStorage  *storage,
                                      GError      **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);
  Connection *conn = take_reader (self, error);
  char **names;

  if (conn == NULL)
    return NULL;
  names = read_collection_names (self, conn, error);
  give_back_reader (self, conn);
  return names;
}

static GBytes *
avfs_storage_sqlite_get (AvfsStorage   *storage,
                         const char    *collection,
                         const guint8  *key,
                         gsize          key_len,
                         GError       **error)
{
  AvfsStorageSqlite *self = (AvfsStorageSqlite *) storage; /* no type check per record */
  Connection *conn = take_reader (self, error);
  GBytes *value;

  if (conn == NULL)
    return NULL;
  value = read_value (self, conn, collection, key, key_len, error);
  give_back_reader (self, conn);
  return value;
}

static gboolean
avfs_storage_sqlite_exists (AvfsStorage   *storage,
                            const char    *collection,
                            const guint8  *key,
                            gsize          key_len,
                            gboolean      *exists,
                            GError       **error)
{
  AvfsStorageSqlite *self = (AvfsStorageSqlite *) storage; /* no type check per record */
  Connection *conn = take_reader (self, error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  ok = key_exists (self, conn, collection, key, key_len, exists, error);
  give_back_reader (self, conn);
  return ok;
}

/* One put (@value non-NULL) or delete, in a transaction of its own (autocommit). */
static gboolean
write_one (AvfsStorageSqlite  *self,
           const char         *collection,
           const guint8       *key,
           gsize               key_len,
           const guint8       *value,
           gsize               value_len,
           GError            **error)
{
  gboolean ok;

  if (!lock_writer (self, error))
    return FALSE;
  ok = write_value (self, collection, key, key_len, value, value_len, error);
  g_mutex_unlock (&self->writer);
  return ok;
}

static gboolean
avfs_storage_sqlite_put (AvfsStorage   *storage,
                         const char    *collection,
                         const guint8  *key,
                         gsize          key_len,
                         const guint8  *value,
                         gsize          value_len,
                         GError       **error)
{
  /* No type check per record: the AvfsStorage wrapper checked it. */
  return write_one ((AvfsStorageSqlite *) storage, collection, key, key_len,
                    value, value_len, error);
}

static gboolean
avfs_storage_sqlite_delete (AvfsStorage   *storage,
                            const char    *collection,
                            const guint8  *key,
                            gsize          key_len,
                            GError       **error)
{
  /* No type check per record: the AvfsStorage wrapper checked it. */
  return write_one ((AvfsStorageSqlite *) storage, collection, key, key_len, NULL, 0, error);
}

static AvfsCursor *
avfs_storage_sqlite_scan_range (AvfsStorage   *storage,
                                const char    *collection,
                                const guint8  *start,
                                gsize          start_len,
                                const guint8  *end,
                                gsize          end_len,
                                GError       **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);
  g_autoptr(AvfsSqliteCursor) cursor = g_object_new (AVFS_TYPE_SQLITE_CURSOR, NULL);

  cursor->store = g_object_ref (self);
  g_strlcpy (cursor->collection, collection, sizeof cursor->collection);
  if (start != NULL)
    g_byte_array_append (cursor->from, start, start_len);
  if (end != NULL)
    cursor->end = g_byte_array_append (g_byte_array_sized_new (end_len), end, end_len);

  /* The first batch now: it checks the collection, and a short scan needs no other. */
  if (!cursor_fetch (cursor, error))
    return NULL;
  return AVFS_CURSOR (g_steal_pointer (&cursor));
}

static gboolean
avfs_storage_sqlite_transaction (AvfsStorage          *storage,
                                 AvfsTransactionFunc   func,
                                 gpointer              user_data,
                                 GError              **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);
  AvfsSqliteTransaction *tx;
  gboolean ok;

  if (!lock_writer (self, error))
    return FALSE;
  /* IMMEDIATE takes the write lock now, so another process makes us wait here rather
   * than fail halfway through. */
  if (!run_control (self, self->begin, "start a transaction in", error))
    {
      g_mutex_unlock (&self->writer);
      return FALSE;
    }

  tx = g_object_new (AVFS_TYPE_SQLITE_TRANSACTION, NULL);
  tx->store = self;
  g_atomic_pointer_set (&self->transaction_thread, g_thread_self ());
  ok = func (AVFS_TRANSACTION (tx), user_data, error) &&
       run_control (self, self->commit, "commit a transaction to", error);
  g_atomic_pointer_set (&self->transaction_thread, NULL);
  /* A transaction object kept past its callback must not reach the store. */
  tx->store = NULL;

  /* SQLite may have rolled back already (a full disk does); otherwise do it now. */
  if (!ok && !sqlite3_get_autocommit (self->write_conn->db))
    run_control (self, self->rollback, "roll back a transaction in", NULL);
  g_mutex_unlock (&self->writer);

  g_object_unref (tx);
  return ok;
}

/* Bytes the store takes on disk: the file and its write-ahead log. */
static guint64
disk_usage (AvfsStorageSqlite *self)
{
  return avfs_storage_disk_usage (self->path) + avfs_storage_disk_usage (self->wal_path);
}

/* Flushes one of the connection's files through SQLite's own handle: closing a file
 * descriptor of ours would drop the POSIX locks SQLite holds on the same file. */
static gboolean
sync_file (AvfsStorageSqlite  *self,
           int                 op,
           GError            **error)
{
  sqlite3_file *file = NULL;
  int rc = sqlite3_file_control (self->write_conn->db, "main", op, &file);

  if (rc == SQLITE_OK && file != NULL && file->pMethods != NULL)
    rc = file->pMethods->xSync (file, SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->path, "write to disk", NULL, rc);
      return FALSE;
    }
  return TRUE;
}

/* Moves the WAL into the file and empties it. A reader in another process may hold
 * part of it back past the busy timeout; the WAL then stays, which sync_files() makes
 * durable all the same. Call with @writer held. */
static gboolean
checkpoint (AvfsStorageSqlite  *self,
            GError            **error)
{
  int rc;

  if (g_strcmp0 (self->journal_mode, "wal") != 0)
    return TRUE;
  avfs_sqlite_checkpointer_wait (self->checkpointer);
  rc = sqlite3_wal_checkpoint_v2 (self->write_conn->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                  NULL, NULL);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    {
      set_sqlite_error (error, self->path, "checkpoint", self->write_conn->db, rc);
      return FALSE;
    }
  return TRUE;
}

/* Whatever the synchronous setting, the file and its journal or WAL reach the disk. */
static gboolean
sync_files (AvfsStorageSqlite  *self,
            GError            **error)
{
  return sync_file (self, SQLITE_FCNTL_FILE_POINTER, error) &&
         sync_file (self, SQLITE_FCNTL_JOURNAL_POINTER, error);
}

static gboolean
avfs_storage_sqlite_sync (AvfsStorage  *storage,
                          GError      **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);
  gboolean ok;

  if (!lock_writer (self, error))
    return FALSE;
  ok = checkpoint (self, error) && sync_files (self, error);
  g_mutex_unlock (&self->writer);
  return ok;
}

static AvfsCompactionStats *
avfs_storage_sqlite_compact (AvfsStorage  *storage,
                             GError      **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);
  g_autoptr(AvfsCompactionStats) stats = g_new0 (AvfsCompactionStats, 1);
  gint64 started = g_get_monotonic_time ();
  gboolean ok;

  if (!lock_writer (self, error))
    return NULL;
  stats->bytes_before = disk_usage (self);
  /* VACUUM rewrites the file without free pages; in WAL mode the new pages land in the
   * WAL, and the checkpoint moves them into the file and shrinks it. */
  ok = exec_sql (self, self->write_conn->db, "VACUUM", "compact", error) &&
       checkpoint (self, error);
  stats->bytes_after = disk_usage (self);
  g_mutex_unlock (&self->writer);
  if (!ok)
    return NULL;

  stats->duration_us = g_get_monotonic_time () - started;
  g_debug ("%s: compacted %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT " bytes in %"
           G_GINT64_FORMAT " µs", self->path, stats->bytes_before, stats->bytes_after,
           stats->duration_us);
  return g_steal_pointer (&stats);
}

/* Runs a query returning one integer, such as a PRAGMA. */
static gboolean
query_int (AvfsStorageSqlite  *self,
           Connection         *conn,
           const char         *sql,
           gint64             *value,
           GError            **error)
{
  sqlite3_stmt *stmt = prepare (self, conn->db, sql, "read the statistics of", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *value = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (rc != SQLITE_ROW)
    set_sqlite_error (error, self->path, "read the statistics of", conn->db, rc);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

/* Counts a collection's keys and bytes; length() reads a value's size from the record
 * header without loading the value. */
static gboolean
measure_collection (AvfsStorageSqlite  *self,
                    Connection         *conn,
                    const char         *collection,
                    guint64            *keys,
                    guint64            *bytes,
                    GError            **error)
{
  g_autofree char *quoted = quote_name (collection);
  g_autofree char *sql = g_strconcat ("SELECT count(*), "
                                      "coalesce(sum(length(key) + length(value)), 0) "
                                      "FROM ", quoted, NULL);
  sqlite3_stmt *stmt = prepare (self, conn->db, sql, "read the statistics of", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *keys = sqlite3_column_int64 (stmt, 0);
      *bytes = sqlite3_column_int64 (stmt, 1);
    }
  else
    set_sqlite_error (error, self->path, "read the statistics of", conn->db, rc);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

static void
add_uint64 (GVariantBuilder *builder,
            const char      *name,
            guint64          value)
{
  g_variant_builder_add (builder, "{sv}", name, g_variant_new_uint64 (value));
}

/* Engine figures in a fixed order (a builder, unlike a GVariantDict, keeps it). */
static GVariant *
engine_info (AvfsStorageSqlite  *self,
             Connection         *conn,
             GError            **error)
{
  GVariantBuilder builder;
  gint64 page_size, page_count, freelist_count;

  if (!query_int (self, conn, "PRAGMA page_size", &page_size, error) ||
      !query_int (self, conn, "PRAGMA page_count", &page_count, error) ||
      !query_int (self, conn, "PRAGMA freelist_count", &freelist_count, error))
    return NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "sqlite_version",
                         g_variant_new_string (sqlite3_libversion ()));
  g_variant_builder_add (&builder, "{sv}", "journal_mode",
                         g_variant_new_string (self->journal_mode));
  g_variant_builder_add (&builder, "{sv}", "synchronous",
                         g_variant_new_string (self->settings.synchronous));
  add_uint64 (&builder, "page_size", page_size);
  add_uint64 (&builder, "page_count", page_count);
  add_uint64 (&builder, "freelist_count", freelist_count);
  add_uint64 (&builder, "cache_size_pages", self->settings.cache_size);
  add_uint64 (&builder, "mmap_size", self->settings.mmap_size);
  add_uint64 (&builder, "wal_bytes", avfs_storage_disk_usage (self->wal_path));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Call inside a read transaction on @conn, so every figure comes from one state. */
static AvfsStorageStats *
collect_stats (AvfsStorageSqlite  *self,
               Connection         *conn,
               GError            **error)
{
  g_autoptr(AvfsStorageStats) stats = avfs_storage_stats_new (ENGINE, self->path);
  g_auto(GStrv) names = read_collection_names (self, conn, error);

  if (names == NULL)
    return NULL;
  for (guint i = 0; names[i] != NULL; i++)
    {
      guint64 keys, bytes;

      if (!measure_collection (self, conn, names[i], &keys, &bytes, error))
        return NULL;
      avfs_storage_stats_add_collection (stats, names[i], keys, bytes);
    }
  stats->engine_info = engine_info (self, conn, error);
  if (stats->engine_info == NULL)
    return NULL;
  stats->on_disk_bytes = disk_usage (self);
  return g_steal_pointer (&stats);
}

static AvfsStorageStats *
avfs_storage_sqlite_stats (AvfsStorage  *storage,
                           GError      **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);
  Connection *conn = take_reader (self, error);
  AvfsStorageStats *stats = NULL;

  if (conn == NULL)
    return NULL;
  if (exec_sql (self, conn->db, "BEGIN", "read the statistics of", error))
    {
      stats = collect_stats (self, conn, error);
      exec_sql (self, conn->db, "COMMIT", "read the statistics of", NULL);
    }
  give_back_reader (self, conn);
  return stats;
}

/* Closes every connection; the writer goes last, so that it checkpoints the WAL into
 * the file and removes it. Call with @writer held, or from finalize. */
static void
release_connections (AvfsStorageSqlite *self)
{
  g_mutex_lock (&self->pool_lock);
  g_atomic_int_set (&self->closed, TRUE);
  /* Readers waiting for a connection give up; borrowed ones come back after one
   * statement or one cursor batch. */
  g_cond_broadcast (&self->pool_cond);
  while (self->n_lent > 0)
    {
      self->n_waiting++;
      g_cond_wait (&self->pool_cond, &self->pool_lock);
      self->n_waiting--;
    }
  g_ptr_array_set_size (self->idle_readers, 0);
  self->n_readers = 0;
  g_mutex_unlock (&self->pool_lock);

  g_clear_pointer (&self->checkpointer, avfs_sqlite_checkpointer_free);
  g_clear_pointer (&self->begin, sqlite3_finalize);
  g_clear_pointer (&self->commit, sqlite3_finalize);
  g_clear_pointer (&self->rollback, sqlite3_finalize);
  g_clear_pointer (&self->write_conn, connection_close);
}

/* Gives the file system back the pages that merges and deletes left free, if this store
 * wrote and at least RELEASE_MIN_PAGES are free. Later writes would reuse them, but a
 * closed vault need not keep them: the last merges of FTS5 in a million-file import left
 * 285 MB (9% of the file). A vault made before auto_vacuum was set ignores the pragma;
 * a failure leaves the pages free, as before. */
static void
release_free_pages (AvfsStorageSqlite *self)
{
  gint64 free_pages = 0;

  if (sqlite3_total_changes64 (self->write_conn->db) > 0 &&
      query_int (self, self->write_conn, "PRAGMA freelist_count", &free_pages, NULL) &&
      free_pages >= RELEASE_MIN_PAGES &&
      exec_sql (self, self->write_conn->db, "PRAGMA incremental_vacuum", "release", NULL))
    g_debug ("%s: gave back %" G_GINT64_FORMAT " free pages", self->path, free_pages);
}

static gboolean
avfs_storage_sqlite_close (AvfsStorage  *storage,
                           GError      **error)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (storage);

  /* Waits for the running transaction. */
  g_mutex_lock (&self->writer);
  if (self->write_conn != NULL)
    {
      release_free_pages (self);
      release_connections (self);
      g_debug ("%s: closed", self->path);
    }
  g_mutex_unlock (&self->writer);
  return TRUE;
}

static gboolean
avfs_storage_sqlite_is_closed (AvfsStorage *storage)
{
  /* No type check: is_closed() runs before every call. */
  return g_atomic_int_get (&((AvfsStorageSqlite *) storage)->closed);
}

static void
avfs_storage_sqlite_iface_init (AvfsStorageInterface *iface)
{
  iface->get_engine_name = avfs_storage_sqlite_get_engine_name;
  iface->get_path = avfs_storage_sqlite_get_path;
  iface->create_collection = avfs_storage_sqlite_create_collection;
  iface->list_collections = avfs_storage_sqlite_list_collections;
  iface->get = avfs_storage_sqlite_get;
  iface->put = avfs_storage_sqlite_put;
  iface->delete = avfs_storage_sqlite_delete;
  iface->exists = avfs_storage_sqlite_exists;
  iface->scan_range = avfs_storage_sqlite_scan_range;
  iface->transaction = avfs_storage_sqlite_transaction;
  iface->sync = avfs_storage_sqlite_sync;
  iface->compact = avfs_storage_sqlite_compact;
  iface->stats = avfs_storage_sqlite_stats;
  iface->close = avfs_storage_sqlite_close;
  iface->is_closed = avfs_storage_sqlite_is_closed;
}

static void
avfs_storage_sqlite_finalize (GObject *object)
{
  AvfsStorageSqlite *self = AVFS_STORAGE_SQLITE (object);

  release_connections (self);
  g_ptr_array_unref (self->idle_readers);
  g_hash_table_unref (self->lent_dbs);
  g_free (self->path);
  g_free (self->wal_path);
  g_free (self->connection_pragmas);
  g_free (self->journal_mode);
  g_mutex_clear (&self->writer);
  g_mutex_clear (&self->pool_lock);
  g_cond_clear (&self->pool_cond);
  G_OBJECT_CLASS (avfs_storage_sqlite_parent_class)->finalize (object);
}

static void
avfs_storage_sqlite_class_init (AvfsStorageSqliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_storage_sqlite_finalize;
}

static void
avfs_storage_sqlite_init (AvfsStorageSqlite *self)
{
  g_mutex_init (&self->writer);
  g_mutex_init (&self->pool_lock);
  g_cond_init (&self->pool_cond);
  self->idle_readers = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_close);
  self->lent_dbs = g_hash_table_new (NULL, NULL);
}

/* Opening. */

static gboolean
read_settings (GHashTable  *options,
               Settings    *settings,
               GError     **error)
{
  return avfs_storage_options_check_keys (options, ENGINE, error) &&
         avfs_storage_options_get_choice (options, ENGINE, "journal_mode",
                                          &settings->journal_mode, error) &&
         avfs_storage_options_get_choice (options, ENGINE, "synchronous",
                                          &settings->synchronous, error) &&
         avfs_storage_options_get_uint64 (options, ENGINE, "cache_size", &settings->cache_size,
                                          error) &&
         avfs_storage_options_get_uint64 (options, ENGINE, "mmap_size", &settings->mmap_size,
                                          error);
}

/* Reads the header and the size through SQLite's file layer, which, unlike a plain
 * open() and close(), leaves the POSIX locks of other connections to the file alone. */
static int
read_header (const char    *path,
             guint8         header[HEADER_SIZE],
             sqlite3_int64 *size)
{
  sqlite3_vfs *vfs = sqlite3_vfs_find (NULL);
  sqlite3_file *file = g_malloc0 (vfs->szOsFile);
  /* The VFS expects a name made by xFullPathname, which stays valid until xClose. */
  g_autofree char *full_path = g_malloc0 (vfs->mxPathname + 2);
  int flags = 0;
  int rc;

  *size = 0;
  rc = vfs->xFullPathname (vfs, path, vfs->mxPathname + 1, full_path);
  /* A path through a symbolic link is fine: the full path is the link's target. */
  if (rc == SQLITE_OK_SYMLINK)
    rc = SQLITE_OK;
  if (rc == SQLITE_OK)
    rc = vfs->xOpen (vfs, full_path, file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags);
  if (rc == SQLITE_OK)
    rc = file->pMethods->xFileSize (file, size);
  if (rc == SQLITE_OK && *size >= HEADER_SIZE)
    rc = file->pMethods->xRead (file, header, HEADER_SIZE, 0);
  if (file->pMethods != NULL)
    file->pMethods->xClose (file);
  g_free (file);
  return rc;
}

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Checks the size against the header: a whole number of pages, as many as the header
 * counts. While a WAL is pending the file may lag behind it (a checkpoint was cut
 * short), so then SQLite's own checks must do. */
static gboolean
check_size (const char    *path,
            const guint8   header[HEADER_SIZE],
            sqlite3_int64  size,
            gboolean       wal_pending,
            GError       **error)
{
  guint page_size = header[16] << 8 | header[17];
  guint32 header_pages = read_be32 (header + 28);
  /* The page count is valid only if written by the same change as the counter. */
  gboolean count_valid = header_pages != 0 && read_be32 (header + 24) == read_be32 (header + 92);

  if (page_size == 1)
    page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "The SQLite vault “%s” is damaged: its header gives an impossible page "
                   "size (%u); restore the vault from a backup", path, page_size);
      return FALSE;
    }
  if (wal_pending)
    return TRUE;
  if (size % page_size != 0 || (count_valid && (guint64) size / page_size != header_pages))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "The SQLite vault “%s” is damaged: it holds %" G_GINT64_FORMAT " bytes, "
                   "but its header says %u pages of %u bytes; it was probably cut short. "
                   "Restore the vault from a backup", path, (gint64) size,
                   count_valid ? header_pages : 0, page_size);
      return FALSE;
    }
  return TRUE;
}

/* Refuses what is plainly not an intact SQLite database before SQLite reads it. */
static gboolean
check_database_file (const char  *path,
                     const char  *wal_path,
                     GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  guint8 header[HEADER_SIZE];
  sqlite3_int64 size;
  GStatBuf st;
  int rc;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                   "No SQLite vault at “%s”; check the path or create the vault first", path);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” is not an SQLite vault: it is not a regular file", path);
      return FALSE;
    }
  rc = read_header (path, header, &size);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, path, "read", NULL, rc);
      return FALSE;
    }
  if (size < HEADER_SIZE || memcmp (header, magic, sizeof magic) != 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” is not an SQLite vault: it does not start with an SQLite header; "
                   "it may be damaged, restore it from a backup", path);
      return FALSE;
    }
  return check_size (path, header, size,
                     g_stat (wal_path, &st) == 0 && st.st_size > 0, error);
}

/* An SQLite file without the engine record is someone else's database, which opening
 * must leave as it is: checked before anything (the journal mode) is written. */
static gboolean
check_is_vault (AvfsStorageSqlite  *self,
                GError            **error)
{
  gboolean exists;

  if (!collection_exists (self, self->write_conn, STORAGE_COLLECTION, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” is an SQLite database but not an avfs vault (it has no %s table); "
                   "it was left unchanged", self->path, STORAGE_COLLECTION);
      return FALSE;
    }
  return TRUE;
}

/* Sets the journal mode and notes the one SQLite reports: it keeps the old mode when
 * the new one cannot work (WAL on a file system without shared memory). */
static gboolean
set_journal_mode (AvfsStorageSqlite  *self,
                  GError            **error)
{
  const char *wanted = self->settings.journal_mode;
  g_autofree char *sql = g_strconcat ("PRAGMA journal_mode = ", wanted, NULL);
  sqlite3_stmt *stmt = prepare (self, self->write_conn->db, sql, "configure", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    self->journal_mode = g_ascii_strdown ((const char *) sqlite3_column_text (stmt, 0), -1);
  else
    set_sqlite_error (error, self->path, "configure", self->write_conn->db, rc);
  sqlite3_finalize (stmt);

  if (self->journal_mode != NULL && strcmp (self->journal_mode, wanted) != 0)
    g_debug ("%s: journal mode %s instead of %s", self->path, self->journal_mode, wanted);
  return rc == SQLITE_ROW;
}

/* The page of a new store. SQLite's default, 4 KiB, keeps at most about 1 KB of a
 * `WITHOUT ROWID` row on its page and puts the rest on an overflow page of its own:
 * most compressed file contents of 1–4 KiB took a whole extra page, and the blobs
 * table was half empty. 8 KiB pages keep rows up to about 2 KB whole: the vault of
 * 20,000 small text files took 18% less space, for one-file writes about 5% slower (more
 * WAL bytes a commit). Set before the first table (and before WAL mode), it is the
 * file's for good. */
#define PAGE_SIZE "8192"

/* auto_vacuum=incremental lets a vault give free pages back (release_free_pages());
 * like the page size, it can only be chosen before the first table. */
#define CREATE_PRAGMAS "PRAGMA page_size = " PAGE_SIZE "; PRAGMA auto_vacuum = INCREMENTAL;"

/* A WAL or kept journal that one large transaction grew shrinks back to this when it
 * is next reset, rather than keeping its peak size on disk until the store closes. */
#define JOURNAL_SIZE_LIMIT "67108864"

static gboolean
configure_writer (AvfsStorageSqlite  *self,
                  GError            **error)
{
  g_autofree char *synchronous = g_strconcat ("PRAGMA synchronous = ",
                                              self->settings.synchronous,
                                              NULL);
  sqlite3 *db = self->write_conn->db;

  if (!set_journal_mode (self, error))
    return FALSE;
  if (strcmp (self->journal_mode, "wal") == 0)
    self->checkpointer = avfs_sqlite_checkpointer_new (
      db, self->path, self->settings.synchronous);
  return exec_sql (self, db, synchronous, "configure", error) &&
         exec_sql (self, db, "PRAGMA journal_size_limit = " JOURNAL_SIZE_LIMIT, "configure",
                   error) &&
         (self->begin = prepare (self, db, "BEGIN IMMEDIATE", "open", error)) != NULL &&
         (self->commit = prepare (self, db, "COMMIT", "open", error)) != NULL &&
         (self->rollback = prepare (self, db, "ROLLBACK", "open", error)) != NULL;
}

/**
 * avfs_storage_sqlite_open:
 * @path: the store's file (`NAME.avfs`)
 * @options: (nullable): `journal_mode` (wal, delete, truncate, persist, memory, off;
 *   default wal), `synchronous` (off, normal, full, extra; default normal),
 *   `cache_size` (pages per connection; default 2000), `mmap_size` (bytes per
 *   connection; default 0, off)
 * @mode: create a store where nothing exists yet, or open the one there
 * @error: return location for an error
 *
 * Opens an SQLite store, one `WITHOUT ROWID` table per collection. The store is
 * thread-safe: one writer connection runs transactions one at a time while reads use a
 * pool of reader connections. Other processes may open the same file; each side waits
 * up to 5 seconds for the other's locks. An existing file is checked before SQLite
 * reads it, and a damaged one is reported as %AVFS_ERROR_CORRUPT, never written to.
 *
 * Returns: (transfer full) (nullable): the store
 */
AvfsStorage *
avfs_storage_sqlite_open (const char     *path,
                          GHashTable     *options,
                          AvfsStoreMode   mode,
                          GError        **error)
{
  gboolean create = mode == AVFS_STORE_CREATE;
  g_autoptr(AvfsStorageSqlite) self = NULL;
  g_autofree char *wal_path = NULL;
  Settings settings;

  g_return_val_if_fail (path != NULL, NULL);

  if (!read_settings (options, &settings, error))
    return NULL;
  if (!sqlite3_threadsafe ())
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE,
                           "This SQLite library was built without thread support, which the "
                           "sqlite engine needs");
      return NULL;
    }
  wal_path = g_strconcat (path, "-wal", NULL);
  if (create && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                   "“%s” already exists; choose another name or delete it first", path);
      return NULL;
    }
  if (!create && !check_database_file (path, wal_path, error))
    return NULL;

  self = g_object_new (AVFS_TYPE_STORAGE_SQLITE, NULL);
  self->path = g_strdup (path);
  self->wal_path = g_steal_pointer (&wal_path);
  self->settings = settings;
  self->connection_pragmas = g_strdup_printf ("PRAGMA cache_size = %" G_GUINT64_FORMAT "; "
                                              "PRAGMA mmap_size = %" G_GUINT64_FORMAT ";",
                                              settings.cache_size, settings.mmap_size);
  self->write_conn = connection_open (self, SQLITE_OPEN_READWRITE |
                                            (create ? SQLITE_OPEN_CREATE : 0), error);
  if (self->write_conn == NULL)
    return NULL;
  if (!create && !check_is_vault (self, error))
    {
      keep_file_untouched (self->write_conn);
      return NULL;
    }
  if ((create && !exec_sql (self, self->write_conn->db, CREATE_PRAGMAS, "create", error)) ||
      !configure_writer (self, error))
    return NULL;

  g_debug ("%s: opened (SQLite %s, journal mode %s)", path, sqlite3_libversion (),
           self->journal_mode);
  return AVFS_STORAGE (g_steal_pointer (&self));
}

/* Connections lent to the vault's FTS5 index (src/search/avfs-search-fts5.h), which lives
 * in the same file and must change with the vault's own transactions. */

/**
 * avfs_storage_sqlite_transaction_get_db:
 * @tx: a transaction running in its callback
 *
 * Returns: (transfer none) (nullable): the connection @tx runs on, for statements that
 *   belong to it; %NULL when @tx is not an SQLite transaction or is over
 */
sqlite3 *
avfs_storage_sqlite_transaction_get_db (AvfsTransaction *tx)
{
  AvfsStorageSqlite *store;

  if (!G_TYPE_CHECK_INSTANCE_TYPE (tx, AVFS_TYPE_SQLITE_TRANSACTION))
    return NULL;
  store = ((AvfsSqliteTransaction *) tx)->store;
  return store != NULL ? store->write_conn->db : NULL;
}

/**
 * avfs_storage_sqlite_lend_reader:
 *
 * Lends a read-only connection from the pool, which sees committed states only. Give it
 * back with avfs_storage_sqlite_return_reader() from the same thread; close() waits for it.
 *
 * Returns: (transfer none) (nullable): the connection
 */
sqlite3 *
avfs_storage_sqlite_lend_reader (AvfsStorageSqlite  *self,
                                 GError            **error)
{
  Connection *conn;

  g_return_val_if_fail (AVFS_IS_STORAGE_SQLITE (self), NULL);
  conn = take_reader (self, error);
  if (conn == NULL)
    return NULL;
  g_mutex_lock (&self->pool_lock);
  g_hash_table_insert (self->lent_dbs, conn->db, conn);
  g_mutex_unlock (&self->pool_lock);
  return conn->db;
}

void
avfs_storage_sqlite_return_reader (AvfsStorageSqlite *self,
                                   sqlite3           *db)
{
  Connection *conn;

  g_return_if_fail (AVFS_IS_STORAGE_SQLITE (self));
  g_mutex_lock (&self->pool_lock);
  conn = g_hash_table_lookup (self->lent_dbs, db);
  g_hash_table_remove (self->lent_dbs, db);
  g_mutex_unlock (&self->pool_lock);
  g_return_if_fail (conn != NULL);
  give_back_reader (self, conn);
}
