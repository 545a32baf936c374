/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeping a vault's search index in step with its files, and searching it.
 *
 * Mutations mark the files whose documents change (avfs_vault_search_mark()) inside
 * their transaction; at its end avfs_vault_search_stage() runs. SQLite vaults index at
 * once into FTS5, on the transaction's own connection, so the index commits or rolls
 * back with the files. The other engines write the marks into `search_queue` (node id →
 * a random stamp) in the same transaction; after commits the queue is applied to
 * Xapian or the memory index, flushed, and only then forgotten — entry by entry, and only
 * if its stamp did not change meanwhile — so a crash at any point leaves a queue that the
 * next apply replays. Xapian allows one writer process: the index is opened for each
 * apply or search and closed after, so that an app and a CLI share a vault. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "avfs-file-document.h"
#include "avfs-search-fts5.h"
#include "avfs-search-memory.h"
#include "avfs-search-tokenizer.h"
#include "avfs-search-xapian.h"
#include "avfs-storage-sqlite.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-private.h"
#include "avfs-vault-search.h"

/* Queued changes a process applies at once after a commit, and per batch. */
#define APPLY_THRESHOLD 1000
/* Queued changes from which applying them in bulk may pay (see apply_in_bulk()). */
#define BULK_MIN 2000
/* A settled queue is applied in bulk from this fraction of the index's documents. */
#define BULK_SETTLED_DIVISOR 8
/* The nice value of background indexing: a quarter of a busy processor's time against
 * threads at 0 (Linux weighs nice 5 at 335 against 1024). */
#define BACKGROUND_NICE 5
/* How long an apply before a search waits for another process's Xapian writer. */
#define LOCK_WAIT_US (10 * G_USEC_PER_SEC)
#define LOCK_POLL_US (20 * 1000)

/* The storage transaction this thread runs FTS5 changes in, and its connection. FTS5
 * reads its documents' text through it, which sees the chunks the transaction wrote. */
static _Thread_local AvfsTransaction *transaction_tx;
static _Thread_local sqlite3 *transaction_db;

static void
enter_transaction (AvfsTransaction *tx)
{
  transaction_tx = tx;
  transaction_db = avfs_storage_sqlite_transaction_get_db (tx);
}

static void
leave_transaction (void)
{
  transaction_tx = NULL;
  transaction_db = NULL;
}

static gboolean
is_sqlite (AvfsVault *self)
{
  return AVFS_IS_STORAGE_SQLITE (self->storage);
}

static gboolean
is_memory (AvfsVault *self)
{
  return self->path == NULL;
}

/* FTS5 connections: the running transaction's to write, a pooled reader to read. */

static sqlite3 *
fts5_acquire (gpointer   user_data,
              gboolean   write,
              GError   **error)
{
  AvfsVault *self = user_data;

  if (!write)
    return avfs_storage_sqlite_lend_reader (AVFS_STORAGE_SQLITE (self->storage), error);
  if (transaction_db == NULL)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                 "The search index of %s changes only inside a vault transaction",
                 self->path);
  return transaction_db;
}

static void
fts5_release (gpointer  user_data,
              sqlite3  *db,
              gboolean  write)
{
  AvfsVault *self = user_data;

  if (!write)
    avfs_storage_sqlite_return_reader (AVFS_STORAGE_SQLITE (self->storage), db);
}

/* FTS5 reads its documents' text back from the vault's blobs (it keeps no copy). */
static char *
load_ref_text_cb (GBytes   *content_ref,
                  gpointer  user_data)
{
  return avfs_file_document_load_ref_text (user_data, transaction_tx, content_ref);
}

/* Opens the FTS5 index, creating its tables or bringing older ones up to date. Those
 * hold content refs from then on, which avfs of vault format 1 would misread: the vault
 * becomes format 2 in the same transaction. Call inside one (enter_transaction()). */
static AvfsSearchIndex *
new_fts5 (AvfsVault  *self,
          GError    **error)
{
  g_autoptr(AvfsSearchIndex) index = NULL;
  guint64 format;

  index = avfs_search_fts5_new (fts5_acquire, fts5_release, self, NULL, NULL, error);
  if (index == NULL ||
      !avfs_meta_get_uint64 (self, transaction_tx, "format", &format, error) ||
      (format < AVFS_VAULT_FORMAT_CONTENT_REFS &&
       !avfs_meta_put_uint64 (transaction_tx, "format", AVFS_VAULT_FORMAT_CONTENT_REFS,
                              error)))
    return NULL;
  avfs_search_fts5_set_text_func (AVFS_SEARCH_FTS5 (index), load_ref_text_cb, self);
  return g_steal_pointer (&index);
}

/* Creating the FTS5 tables needs a writer: a transaction of their own. */
static gboolean
create_fts5_cb (AvfsTransaction  *tx,
                gpointer          user_data,
                GError          **error)
{
  AvfsVault *self = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->search_lock);

  enter_transaction (tx);
  if (self->search == NULL)
    self->search = new_fts5 (self, error);
  leave_transaction ();
  return self->search != NULL;
}

/* A reference to the FTS5 index, created if need be. Lock order for SQLite vaults is
 * storage transaction, then search_lock; FTS5 itself is thread-safe, so searches run
 * without the lock. */
static AvfsSearchIndex *
fts5_index (AvfsVault  *self,
            GError    **error)
{
  AvfsSearchIndex *index;

  g_mutex_lock (&self->search_lock);
  index = self->search != NULL ? g_object_ref (self->search) : NULL;
  g_mutex_unlock (&self->search_lock);
  if (index != NULL)
    return index;
  if (!avfs_storage_transaction (self->storage, create_fts5_cb, self, error))
    return NULL;
  g_mutex_lock (&self->search_lock);
  index = g_object_ref (self->search);
  g_mutex_unlock (&self->search_lock);
  return index;
}

static char *
xapian_directory (AvfsVault *self)
{
  return g_build_filename (self->path, "search", NULL);
}

static char *
load_text_cb (guint64  id,
              gpointer user_data)
{
  return avfs_file_document_load_text (user_data, id);
}

/* Opens the Xapian index (emptied when @empty is set), waiting up to LOCK_WAIT_US for
 * another process to let go of it when @wait is set. It asks the vault for the text of
 * its hits. */
static AvfsSearchIndex *
open_xapian (AvfsVault  *self,
             gboolean    wait,
             gboolean    empty,
             GError    **error)
{
  g_autofree char *directory = xapian_directory (self);
  gint64 deadline = g_get_monotonic_time () + LOCK_WAIT_US;

  for (;;)
    {
      GError *local_error = NULL;
      AvfsSearchIndex *index = empty ? avfs_search_xapian_open_empty (directory, &local_error)
                                     : avfs_search_xapian_open (directory, TRUE, &local_error);

      if (index != NULL)
        {
          avfs_search_xapian_set_text_func (AVFS_SEARCH_XAPIAN (index), load_text_cb, self);
          return index;
        }
      if (!wait || !g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_LOCKED) ||
          g_get_monotonic_time () > deadline)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      g_error_free (local_error);
      g_usleep (LOCK_POLL_US);
    }
}

/* The vault's index, opened if need be. Call with search_lock held; for FTS5 from inside
 * a transaction (transaction_db set). */
static AvfsSearchIndex *
index_acquire (AvfsVault  *self,
               gboolean    wait,
               GError    **error)
{
  if (self->search != NULL)
    return self->search;
  if (is_sqlite (self))
    self->search = new_fts5 (self, error);
  else if (is_memory (self))
    self->search = avfs_search_memory_new ();
  else
    self->search = open_xapian (self, wait, FALSE, error);
  return self->search;
}

/* Lets go of Xapian so that other processes can write it; the others stay open. */
static gboolean
index_release (AvfsVault  *self,
               GError    **error)
{
  gboolean ok = TRUE;

  if (self->search != NULL && AVFS_IS_SEARCH_XAPIAN (self->search))
    {
      ok = avfs_search_xapian_close (AVFS_SEARCH_XAPIAN (self->search), error);
      g_clear_object (&self->search);
    }
  return ok;
}

/* Brings file @id's document up to date: indexed with its path, text and tags (@tags,
 * or those committed when %NULL), or removed when it is gone. Reads through @tx when
 * given. */
static gboolean
refresh_document (AvfsVault           *self,
                  AvfsSearchIndex     *index,
                  AvfsTransaction     *tx,
                  guint64              id,
                  const char * const  *tags,
                  GError             **error)
{
  g_autoptr(AvfsFileDocument) doc = g_new0 (AvfsFileDocument, 1);

  doc->id = id;
  return avfs_file_document_read (self, tx, tags, doc, error) &&
         avfs_file_document_index (index, doc, error);
}

/* Marks, while a mutation runs. */

const char * const avfs_no_tags[] = { NULL };

/**
 * avfs_vault_search_mark:
 * @id: a node the running mutation changed, added or removed (directories are ignored)
 * @tags: (nullable): the node's tags after the mutation when it changes them; %NULL
 *   means those committed before it
 *
 * Call inside the mutation's transaction callback, which may run again (LMDB retries):
 * avfs_vault_transaction() forgets the marks each time the callback starts.
 */
void
avfs_vault_search_mark (AvfsVault           *self,
                        guint64              id,
                        const char * const  *tags)
{
  guint64 *key = g_new (guint64, 1);

  *key = id;
  g_hash_table_replace (self->search_marks, key, g_strdupv ((char **) tags));
}

/* Marks every node of the subtree @ids (as from avfs_vault_collect_subtree()). */
void
avfs_vault_search_mark_all (AvfsVault    *self,
                            const GArray *ids)
{
  for (guint i = 0; i < ids->len; i++)
    avfs_vault_search_mark (self, g_array_index (ids, guint64, i), NULL);
}

/* Orders guint64 node ids. */
static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
index_marks (AvfsVault        *self,
             AvfsTransaction  *tx,
             GError          **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->search_lock);
  g_autoptr(GList) ids = g_list_sort (g_hash_table_get_keys (self->search_marks),
                                      compare_ids);
  AvfsSearchIndex *index;
  gboolean ok = TRUE;

  enter_transaction (tx);
  index = index_acquire (self, FALSE, error);
  /* In ascending order: FTS5 writes its pending terms out as a new segment whenever a
   * document id is lower than the one before (four times slower imports otherwise). */
  for (GList *l = ids; ok && index != NULL && l != NULL; l = l->next)
    ok = refresh_document (self, index, tx, *(guint64 *) l->data,
                           g_hash_table_lookup (self->search_marks, l->data), error);
  leave_transaction ();
  return ok && index != NULL;
}

static gboolean
queue_marks (AvfsVault        *self,
             AvfsTransaction  *tx,
             GError          **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->search_marks);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint8 id_key[AVFS_ID_KEY_LEN], stamp[AVFS_ID_KEY_LEN];

      avfs_id_key (*(guint64 *) key, id_key);
      avfs_id_key (((guint64) g_random_int () << 32) | g_random_int (), stamp);
      if (!avfs_transaction_put (tx, AVFS_COLLECTION_SEARCH_QUEUE, id_key, sizeof id_key,
                                 stamp, sizeof stamp, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * avfs_vault_search_stage:
 *
 * Ends a mutation's transaction callback: indexes the marked files in the transaction
 * (SQLite) or queues them.
 */
gboolean
avfs_vault_search_stage (AvfsVault        *self,
                         AvfsTransaction  *tx,
                         GError          **error)
{
  if (g_hash_table_size (self->search_marks) == 0)
    return TRUE;
  return is_sqlite (self) ? index_marks (self, tx, error) : queue_marks (self, tx, error);
}

/* The queue. */

typedef struct
{
  guint64 id;
  guint8 stamp[AVFS_ID_KEY_LEN];
} QueueEntry;

typedef struct
{
  GArray *entries;
  guint limit;
} QueueScan;

static gboolean
add_queue_entry_cb (AvfsCursor  *cursor,
                    gpointer     user_data,
                    GError     **error)
{
  QueueScan *scan = user_data;
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  QueueEntry entry = { 0 };

  /* A damaged entry is dropped with the batch: at worst a document is stale until a
   * rebuild, which verify reports. */
  if (key_len == AVFS_ID_KEY_LEN)
    entry.id = avfs_id_from_key (key);
  if (value_len == AVFS_ID_KEY_LEN)
    memcpy (entry.stamp, value, sizeof entry.stamp);
  g_array_append_val (scan->entries, entry);
  return scan->entries->len < scan->limit;
}

static gboolean
forget_entries_cb (AvfsTransaction  *tx,
                   gpointer          user_data,
                   GError          **error)
{
  GArray *entries = user_data;

  for (guint i = 0; i < entries->len; i++)
    {
      QueueEntry *entry = &g_array_index (entries, QueueEntry, i);
      guint8 key[AVFS_ID_KEY_LEN];
      g_autoptr(GBytes) stamp = NULL;

      avfs_id_key (entry->id, key);
      stamp = avfs_transaction_get (tx, AVFS_COLLECTION_SEARCH_QUEUE, key, sizeof key, error);
      if (stamp == NULL && error != NULL && *error != NULL)
        return FALSE;
      /* Marked again since we read it: the next apply indexes the newer state. */
      if (stamp != NULL && (g_bytes_get_size (stamp) != sizeof entry->stamp ||
                            memcmp (g_bytes_get_data (stamp, NULL), entry->stamp,
                                    sizeof entry->stamp) != 0))
        continue;
      if (!avfs_transaction_delete (tx, AVFS_COLLECTION_SEARCH_QUEUE, key, sizeof key, error))
        return FALSE;
    }
  return TRUE;
}

/* Reads up to @limit entries of the queue into @entries (emptied first). */
static gboolean
read_queue (AvfsVault  *self,
            GArray     *entries,
            guint       limit,
            GError    **error)
{
  QueueScan scan = { entries, limit };

  g_array_set_size (entries, 0);
  return avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_SEARCH_QUEUE, NULL, 0,
                                      add_queue_entry_cb, &scan, error);
}

/* Applies one batch of the queue to @index; *@more tells whether more may be left. */
static gboolean
apply_batch (AvfsVault        *self,
             AvfsSearchIndex  *index,
             gboolean         *more,
             GError          **error)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (QueueEntry));

  if (!read_queue (self, entries, APPLY_THRESHOLD, error))
    return FALSE;
  *more = entries->len == APPLY_THRESHOLD;
  for (guint i = 0; i < entries->len; i++)
    if (!refresh_document (self, index, NULL, g_array_index (entries, QueueEntry, i).id,
                           NULL, error))
      return FALSE;
  return avfs_search_index_flush (index, error) &&
         (entries->len == 0 ||
          avfs_storage_transaction (self->storage, forget_entries_cb, entries, error));
}

static gboolean apply_in_bulk (AvfsVault        *self,
                               AvfsSearchIndex  *index,
                               guint             queued,
                               guint             divisor,
                               gboolean         *applied,
                               GError          **error);

/* Applies the whole queue (FTS5 has none). Call with search_lock held; the index stays
 * acquired. When @wait is not set and another process writes Xapian, the queue is left
 * for it or for later. */
static gboolean
apply_queue (AvfsVault  *self,
             gboolean    wait,
             GError    **error)
{
  g_autoptr(AvfsBulkJob) bulk = NULL;
  GError *local_error = NULL;
  AvfsSearchIndex *index;
  gboolean more = TRUE;
  guint queued = 0;

  /* A vault opened to read writes nothing: its queue waits for a normal open. */
  if (is_sqlite (self) || self->read_only)
    return TRUE;
  /* It reads the text of every file queued, at random. */
  bulk = avfs_vault_begin_bulk (self);
  index = index_acquire (self, wait, &local_error);
  if (index == NULL)
    {
      if (!wait && g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_LOCKED))
        {
          g_debug ("Search index of %s in use elsewhere: %s", self->path, local_error->message);
          g_error_free (local_error);
          return TRUE;
        }
      g_propagate_error (error, local_error);
      return FALSE;
    }
  /* The queue grows meanwhile (an import goes on): whether to apply it in bulk is
   * decided again before each batch, from what this process has queued. */
  while (more)
    {
      guint added = g_atomic_int_and (&self->search_queued, 0);
      gboolean settled = wait || (added == 0 && queued > 0);
      gboolean in_bulk = FALSE;

      queued += added;
      if (!is_memory (self) && queued >= BULK_MIN &&
          !apply_in_bulk (self, index, queued, settled ? BULK_SETTLED_DIVISOR : 1, &in_bulk,
                          error))
        return FALSE;
      if (in_bulk)
        queued = 0;
      else if (!apply_batch (self, index, &more, error))
        return FALSE;
      else
        queued -= MIN (queued, APPLY_THRESHOLD);
    }
  return TRUE;
}

/* Background indexing yields the processors to the writes that feed it: when they are
 * busy, a write or an import goes first and the index catches up after (a search
 * applies what is left itself, at its caller's priority). Linux keeps a nice value per
 * thread, and the shard threads of a bulk apply inherit it. */
static void
lower_thread_priority (void)
{
  if (setpriority (PRIO_PROCESS, syscall (SYS_gettid), BACKGROUND_NICE) != 0)
    g_debug ("Background indexing keeps its priority: %s", g_strerror (errno));
}

/* One worker applies queues in the background for every vault of the process. It holds
 * no reference: close and finalize wait until its tasks for the vault are done. */
static void
apply_in_background (gpointer data,
                     gpointer user_data)
{
  AvfsVault *self = data;
  g_autoptr(GError) error = NULL;

  lower_thread_priority ();
  g_mutex_lock (&self->search_lock);
  g_atomic_int_set (&self->search_scheduled, FALSE);
  g_atomic_int_set (&self->search_pending, 0);
  if (!apply_queue (self, FALSE, &error) || !index_release (self, &error))
    g_debug ("Search index of %s not brought up to date: %s", self->path, error->message);
  g_atomic_int_dec_and_test (&self->search_tasks);
  g_cond_broadcast (&self->search_cond);
  g_mutex_unlock (&self->search_lock);
}

/* Waits for the background tasks of the vault; call with search_lock held. */
static void
wait_for_background (AvfsVault *self)
{
  while (g_atomic_int_get (&self->search_tasks) > 0)
    g_cond_wait (&self->search_cond, &self->search_lock);
}

/**
 * avfs_vault_search_wait:
 *
 * Before the vault is freed: waits until the background worker is done with it.
 */
void
avfs_vault_search_wait (AvfsVault *self)
{
  g_mutex_lock (&self->search_lock);
  wait_for_background (self);
  g_mutex_unlock (&self->search_lock);
}

static GThreadPool *
background_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    /* Exclusive: its thread, with its lowered priority, serves no other pool. */
    g_once_init_leave (&pool, g_thread_pool_new (apply_in_background, NULL, 1, TRUE, NULL));
  return pool;
}

/**
 * avfs_vault_search_committed:
 * @n_marks: how many files the committed mutation marked
 *
 * After a mutation's commit: once enough changes wait (memory vaults: any), hands the
 * queue to a background worker, so that writes do not wait for Xapian. Searches apply
 * what is still queued first; close applies the rest.
 */
void
avfs_vault_search_committed (AvfsVault *self,
                             guint      n_marks)
{
  guint pending;

  if (n_marks == 0 || is_sqlite (self))
    return;
  g_atomic_int_add (&self->search_queued, n_marks);
  pending = g_atomic_int_add (&self->search_pending, n_marks) + n_marks;
  if ((is_memory (self) || pending >= APPLY_THRESHOLD) &&
      g_atomic_int_compare_and_exchange (&self->search_scheduled, FALSE, TRUE))
    {
      /* Counted before it is pushed, so that close and finalize (which cannot run
       * meanwhile: the caller holds the write lock and a reference, which keeps the
       * vault alive until the task runs) wait for it. Not under search_lock: a running
       * apply holds that throughout, and the writer must not wait for it. */
      g_atomic_int_inc (&self->search_tasks);
      g_thread_pool_push (background_pool (), self, NULL);
    }
}

/**
 * avfs_vault_search_has_queue:
 * @has_queue: (out): whether changes wait to be applied to the index
 *
 * Whether a Xapian or memory index lags behind the files (after a crash, or while
 * another process's changes wait); FTS5 never does.
 *
 * Returns: %TRUE, or %FALSE with @error set when the queue could not be read
 */
gboolean
avfs_vault_search_has_queue (AvfsVault  *self,
                             gboolean   *has_queue,
                             GError    **error)
{
  g_autoptr(AvfsCursor) cursor = NULL;
  GError *local_error = NULL;

  *has_queue = FALSE;
  if (is_sqlite (self))
    return TRUE;
  cursor = avfs_storage_scan_prefix (self->storage, AVFS_COLLECTION_SEARCH_QUEUE, NULL, 0,
                                     error);
  if (cursor == NULL)
    return FALSE;
  *has_queue = avfs_cursor_next (cursor, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * avfs_vault_search_close:
 *
 * Before the store closes, with the write lock held: applies what is queued and lets go
 * of the index (FTS5 holds statements on the store's connections).
 */
void
avfs_vault_search_close (AvfsVault *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->search_lock);
  g_autoptr(GError) error = NULL;

  wait_for_background (self);
  if (!apply_queue (self, TRUE, &error))
    g_debug ("Search index of %s left with a queue: %s", self->path, error->message);
  g_clear_error (&error);
  if (!index_release (self, &error))
    g_debug ("Search index of %s not closed cleanly: %s", self->path, error->message);
  g_clear_object (&self->search);
}

/* Public API */

/* Runs @func on the vault's index, up to date with every committed change. */
typedef gboolean (*IndexFunc) (AvfsVault        *self,
                               AvfsSearchIndex  *index,
                               gpointer          user_data,
                               GError          **error);

static gboolean
with_index (AvfsVault  *self,
            IndexFunc   func,
            gpointer    user_data,
            GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  AvfsSearchIndex *index;
  gboolean ok;

  if (is_sqlite (self))
    {
      g_autoptr(AvfsSearchIndex) fts5 = fts5_index (self, error);

      return fts5 != NULL && func (self, fts5, user_data, error);
    }
  locker = g_mutex_locker_new (&self->search_lock);
  if (!apply_queue (self, TRUE, error) || (index = index_acquire (self, TRUE, error)) == NULL)
    {
      index_release (self, NULL);
      return FALSE;
    }
  ok = func (self, index, user_data, error);
  return index_release (self, ok ? error : NULL) && ok;
}

typedef struct
{
  const char *query;
  const AvfsSearchOptions *options;
  AvfsSearchResults *results;
} SearchJob;

static gboolean
search_func (AvfsVault        *self,
             AvfsSearchIndex  *index,
             gpointer          user_data,
             GError          **error)
{
  SearchJob *job = user_data;

  job->results = avfs_search_index_search (index, job->query, job->options, error);
  return job->results != NULL;
}

/**
 * avfs_vault_search:
 * @query: in the language of docs/search.md
 * @options: (nullable): paging, fields and highlighting; %NULL for
 *   %AVFS_SEARCH_OPTIONS_INIT
 *
 * Finds files by their text, path, name and tags, best first. Sees every committed
 * change. A malformed query fails with %AVFS_ERROR_INVALID_ARGUMENT naming the problem
 * and its position.
 *
 * Returns: (transfer full) (nullable): one page of hits and the total
 */
AvfsSearchResults *
avfs_vault_search (AvfsVault                *self,
                   const char               *query,
                   const AvfsSearchOptions  *options,
                   GError                  **error)
{
  static const AvfsSearchOptions defaults = AVFS_SEARCH_OPTIONS_INIT;
  SearchJob job = { query, options != NULL ? options : &defaults, NULL };

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  if (!with_index (self, search_func, &job, error))
    return NULL;
  return job.results;
}

/* Rebuilding */

typedef struct
{
  AvfsVault *vault;
  AvfsSearchIndex *index;
  AvfsTransaction *tx;
  GArray *ids;            /* the files, gathered before a rebuilding transaction */
  GCancellable *cancellable;
  AvfsTicker *ticker;
} Rebuild;

static gboolean
add_file_id_cb (AvfsCursor  *cursor,
                gpointer     user_data,
                GError     **error)
{
  GArray *ids = user_data;
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  guint64 id;

  /* The node record starts with its format byte, then its kind (AVFS_NODE_RECORD). */
  if (key_len != AVFS_ID_KEY_LEN || value_len < 2 || value[1] != AVFS_NODE_KIND_FILE)
    return TRUE;
  id = avfs_id_from_key (key);
  g_array_append_val (ids, id);
  return TRUE;
}

/* Every file id of the vault, in id order. */
static GArray *
gather_file_ids (AvfsVault  *self,
                 GError    **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));

  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_NODES, NULL, 0, add_file_id_cb,
                                    ids, error))
    return NULL;
  return g_steal_pointer (&ids);
}

static void
report_files (Rebuild *rebuild,
              guint    done)
{
  rebuild->ticker->figures.files_done = done;
  if (rebuild->ticker->func != NULL)
    rebuild->ticker->func (&rebuild->ticker->figures, rebuild->ticker->user_data);
}

/* Indexes every file again, reading the documents ahead on a second thread. */
static gboolean
reindex_files (Rebuild  *rebuild,
               GError  **error)
{
  g_autoptr(AvfsDocumentFeed) feed = NULL;

  if (!avfs_search_index_clear (rebuild->index, error))
    return FALSE;
  rebuild->ticker->figures.files_total = rebuild->ids->len;
  feed = avfs_document_feed_start (rebuild->vault, rebuild->ids, TRUE);
  for (guint i = 0; i < rebuild->ids->len; i++)
    {
      g_autoptr(AvfsFileDocument) doc = NULL;

      if (g_cancellable_set_error_if_cancelled (rebuild->cancellable, error) ||
          (doc = avfs_document_feed_next (feed, error)) == NULL ||
          !avfs_file_document_index (rebuild->index, doc, error))
        return FALSE;
      if (i % 256 == 255 || i + 1 == rebuild->ids->len)
        report_files (rebuild, i + 1);
    }
  return TRUE;
}

/* SQLite: the whole rebuild is one transaction, so searches see the old index until it
 * commits. */
static gboolean
rebuild_fts5_cb (AvfsTransaction  *tx,
                 gpointer          user_data,
                 GError          **error)
{
  Rebuild *rebuild = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&rebuild->vault->search_lock);
  gboolean ok;

  enter_transaction (tx);
  rebuild->tx = tx;
  rebuild->index = index_acquire (rebuild->vault, FALSE, error);
  ok = rebuild->index != NULL && reindex_files (rebuild, error);
  leave_transaction ();
  return ok;
}

/* Xapian, rebuilt in shards: each thread indexes the files it takes, a block at a
 * time, into a shard of its own (a Xapian database has one writer); the shards are then
 * merged into the index. Indexing takes the whole processor a thread runs on, so this
 * divides a rebuild's time by the processors; the merge is the compaction that a rebuild
 * needs anyway (see rebuild_queued()). The calling thread tells the progress as blocks
 * are done. */

#define SHARD_BLOCK 64 /* files a thread takes at a time */

typedef struct
{
  Rebuild *rebuild;
  guint next;        /* atomic: index in rebuild->ids of the next block to take */
  GMutex lock;       /* for the fields below */
  GCond changed;     /* a block is done, or a thread has finished */
  guint done;        /* files indexed */
  guint running;     /* threads still filling */
  GError *error;     /* the first failure: the others stop */
} Sharding;

typedef struct
{
  Sharding *sharding;
  AvfsSearchIndex *shard;
} ShardJob;

/* Indexes the files of one block into @shard. */
static gboolean
fill_block (Rebuild          *rebuild,
            AvfsSearchIndex  *shard,
            guint             start,
            guint             end,
            GError          **error)
{
  for (guint i = start; i < end; i++)
    {
      if (g_cancellable_set_error_if_cancelled (rebuild->cancellable, error) ||
          !refresh_document (rebuild->vault, shard, NULL,
                             g_array_index (rebuild->ids, guint64, i), NULL, error))
        return FALSE;
    }
  return TRUE;
}

/* Counts a block done (@failure NULL) or the first failure; tells the caller. */
static gboolean
finish_block (Sharding *sharding,
              guint     files,
              GError   *failure)
{
  gboolean go_on;

  g_mutex_lock (&sharding->lock);
  sharding->done += files;
  if (failure != NULL && sharding->error == NULL)
    sharding->error = g_steal_pointer (&failure);
  g_clear_error (&failure);
  go_on = sharding->error == NULL;
  g_cond_signal (&sharding->changed);
  g_mutex_unlock (&sharding->lock);
  return go_on;
}

/* Takes blocks until none is left or a shard failed. */
static gpointer
fill_shard_thread (gpointer data)
{
  ShardJob *job = data;
  Sharding *sharding = job->sharding;
  Rebuild *rebuild = sharding->rebuild;
  gboolean go_on = TRUE;

  while (go_on)
    {
      guint start = g_atomic_int_add (&sharding->next, SHARD_BLOCK);
      guint end = MIN (start + SHARD_BLOCK, rebuild->ids->len);
      GError *failure = NULL;

      if (start >= rebuild->ids->len)
        break;
      fill_block (rebuild, job->shard, start, end, &failure);
      go_on = finish_block (sharding, failure == NULL ? end - start : 0, failure);
    }
  g_mutex_lock (&sharding->lock);
  sharding->running--;
  g_cond_signal (&sharding->changed);
  g_mutex_unlock (&sharding->lock);
  return NULL;
}

/* Reports the files done until every thread has finished. */
static void
wait_for_shards (Sharding *sharding)
{
  Rebuild *rebuild = sharding->rebuild;
  guint reported = 0;

  g_mutex_lock (&sharding->lock);
  while (sharding->running > 0)
    {
      if (sharding->done != reported)
        {
          reported = sharding->done;
          g_mutex_unlock (&sharding->lock);
          report_files (rebuild, reported);
          g_mutex_lock (&sharding->lock);
          continue;
        }
      g_cond_wait (&sharding->changed, &sharding->lock);
    }
  g_mutex_unlock (&sharding->lock);
  if (sharding->done != reported)
    report_files (rebuild, sharding->done);
}

/* How many shards: one per processor, none without a block of files to fill it. */
static guint
count_shards (guint n_files)
{
  guint n = CLAMP (g_get_num_processors (), 1, AVFS_SEARCH_XAPIAN_MAX_SHARDS);

  return CLAMP ((n_files + SHARD_BLOCK - 1) / SHARD_BLOCK, 1, n);
}

static gboolean
fill_shards (Rebuild           *rebuild,
             AvfsSearchIndex  **shards,
             guint              n,
             GError           **error)
{
  ShardJob jobs[AVFS_SEARCH_XAPIAN_MAX_SHARDS];
  GThread *threads[AVFS_SEARCH_XAPIAN_MAX_SHARDS];
  Sharding sharding = { rebuild };

  g_mutex_init (&sharding.lock);
  g_cond_init (&sharding.changed);
  sharding.running = n;
  for (guint i = 0; i < n; i++)
    {
      jobs[i] = (ShardJob) { &sharding, shards[i] };
      threads[i] = g_thread_new ("avfs-index", fill_shard_thread, &jobs[i]);
    }
  wait_for_shards (&sharding);
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&sharding.lock);
  g_cond_clear (&sharding.changed);
  if (sharding.error != NULL)
    {
      g_propagate_error (error, sharding.error);
      return FALSE;
    }
  /* Cancelled after the last block, the index is still as it was. */
  return !g_cancellable_set_error_if_cancelled (rebuild->cancellable, error);
}

/* Indexes the files of @rebuild into shards and merges them into the index, which
 * keeps its documents when @keep is set (then none of those files may be in it). */
static gboolean
reindex_in_shards (Rebuild   *rebuild,
                   gboolean   keep,
                   GError   **error)
{
  AvfsSearchXapian *index = AVFS_SEARCH_XAPIAN (rebuild->index);
  guint n = count_shards (rebuild->ids->len);
  AvfsSearchIndex *shards[AVFS_SEARCH_XAPIAN_MAX_SHARDS] = { NULL };
  gboolean ok = TRUE;

  rebuild->ticker->figures.files_total = rebuild->ids->len;
  for (guint i = 0; i < n && ok; i++)
    ok = (shards[i] = avfs_search_xapian_open_shard (index, i, error)) != NULL;
  ok = ok && fill_shards (rebuild, shards, n, error) &&
       avfs_search_xapian_merge_shards (index, shards, n, keep, error);
  /* Gone from disk with their objects. */
  for (guint i = 0; i < n; i++)
    g_clear_object (&shards[i]);
  return ok;
}

/* A queue of BULK_MIN changes or more (an import, say; counted as this process queues
 * them, so that deciding costs no read of the queue) is applied in bulk when it is long
 * enough next to the index: the files new to the index (node ids only grow, so those
 * above its last id) are indexed in shards on every processor and merged with the
 * index, which is compacted as it is copied; the others are applied as usual first.
 * The merge copies the whole index, hence the length condition. While a writer is
 * still adding to the queue, it must be at least as long as the index holds documents:
 * an index at most doubles at each merge, so merges cost a few copies of the final
 * index. A settled queue (nothing was added since the last batch: the import is over)
 * or one a caller waits for is all there is to apply: then an eighth of the index
 * pays. Indexing a file on one processor costs about 1.6 ms on the test machine, on
 * two 0.8 ms, and a merge 0.03–0.1 ms per document of the result: below about a
 * seventh, one processor would be faster. */

/* Applies the queue in bulk if the @queued changes this process made are at least
 * 1/@divisor of the documents the index holds, and says so in *@applied. */
static gboolean
apply_in_bulk (AvfsVault        *self,
               AvfsSearchIndex  *index,
               guint             queued,
               guint             divisor,
               gboolean         *applied,
               GError          **error)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (QueueEntry));
  g_autoptr(GArray) fresh = g_array_new (FALSE, FALSE, sizeof (guint64));
  AvfsTicker ticker = { NULL, NULL, { "index" } };
  Rebuild rebuild = { self, index, NULL, fresh, NULL, &ticker };
  guint64 documents, last_id;

  *applied = FALSE;
  if (!avfs_search_index_count (index, &documents, error))
    return FALSE;
  if ((guint64) queued * divisor < documents)
    return TRUE;
  /* Committed first, so that the last id counts every document. */
  if (!read_queue (self, entries, G_MAXUINT, error) ||
      !avfs_search_index_flush (index, error) ||
      !avfs_search_xapian_get_last_id (AVFS_SEARCH_XAPIAN (index), &last_id, error))
    return FALSE;
  *applied = TRUE;
  for (guint i = 0; i < entries->len; i++)
    {
      guint64 id = g_array_index (entries, QueueEntry, i).id;

      if (id > last_id)
        g_array_append_val (fresh, id);
      else if (!refresh_document (self, index, NULL, id, NULL, error))
        return FALSE;
    }
  if (fresh->len > 0 ? !reindex_in_shards (&rebuild, TRUE, error)
                     : !avfs_search_index_flush (index, error))
    return FALSE;
  return avfs_storage_transaction (self->storage, forget_entries_cb, entries, error);
}

/* Xapian as it is, which the rebuild replaces at its end, or emptied when it cannot be
 * opened: a rebuild also mends an index too damaged to open. */
static AvfsSearchIndex *
open_for_rebuild (AvfsVault  *self,
                  GError    **error)
{
  GError *local_error = NULL;
  AvfsSearchIndex *index = open_xapian (self, TRUE, FALSE, &local_error);

  if (index != NULL || g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_LOCKED))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return index;
    }
  g_debug ("Rebuilding a search index that does not open: %s", local_error->message);
  g_error_free (local_error);
  return open_xapian (self, TRUE, TRUE, error);
}

/* Xapian and memory: reindex, then drop the queue as it was before (what was marked
 * since is applied by the next apply). The memory index is optimized and flushed;
 * Xapian is rebuilt in shards, whose merge compacts it: Xapian commits every few hundred
 * documents, which leaves its tables half full; compacting them at the end takes about
 * a tenth of the indexing time, leaves a smaller index than one commit would, and syncs
 * it (shards commit unsynced). */
static gboolean
rebuild_queued (Rebuild  *rebuild,
                GError  **error)
{
  AvfsVault *self = rebuild->vault;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->search_lock);
  g_autoptr(GArray) queued = g_array_new (FALSE, FALSE, sizeof (QueueEntry));
  gboolean ok;

  if (!read_queue (self, queued, G_MAXUINT, error))
    return FALSE;
  if (self->search == NULL && !is_memory (self) &&
      (self->search = open_for_rebuild (self, error)) == NULL)
    return FALSE;
  if ((rebuild->index = index_acquire (self, TRUE, error)) == NULL)
    return FALSE;
  if (is_memory (self))
    ok = reindex_files (rebuild, error) && avfs_search_index_optimize (rebuild->index, error) &&
         avfs_search_index_flush (rebuild->index, error);
  else
    ok = reindex_in_shards (rebuild, FALSE, error);
  ok = ok && avfs_storage_transaction (self->storage, forget_entries_cb, queued, error);
  return index_release (self, ok ? error : NULL) && ok;
}

/**
 * avfs_vault_search_rebuild:
 * @cancellable: (nullable): stops the rebuild; the old index stays as it was (on
 *   memory vaults it is left partial until the next rebuild; verify says so)
 * @progress: (nullable): told how phase `"index"` goes, files counted
 *
 * Indexes every file again from scratch, for a damaged index or after a migration.
 */
gboolean
avfs_vault_search_rebuild (AvfsVault         *self,
                           GCancellable      *cancellable,
                           AvfsProgressFunc   progress,
                           gpointer           user_data,
                           GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsBulkJob) bulk = NULL;
  AvfsTicker ticker = { progress, user_data, { "index" } };
  Rebuild rebuild = { self, NULL, NULL, NULL, cancellable, &ticker };
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  locker = g_mutex_locker_new (&self->write_lock);
  bulk = avfs_vault_begin_bulk (self);
  if ((ids = gather_file_ids (self, error)) == NULL)
    return FALSE;
  rebuild.ids = ids;
  if (is_sqlite (self))
    return avfs_storage_transaction (self->storage, rebuild_fts5_cb, &rebuild, error);
  return rebuild_queued (&rebuild, error);
}

/**
 * avfs_vault_search_flush:
 *
 * Applies and commits every queued change now (SQLite vaults have none).
 */
gboolean
avfs_vault_search_flush (AvfsVault  *self,
                         GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  locker = g_mutex_locker_new (&self->search_lock);
  if (!apply_queue (self, TRUE, error))
    {
      index_release (self, NULL);
      return FALSE;
    }
  return index_release (self, error);
}

/* Copies every file of directory @from into @to (made if missing), replacing what is
 * there: a Xapian database is a flat directory. */
static gboolean
copy_directory (const char    *from,
                const char    *to,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  if (g_mkdir_with_parents (to, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Cannot create %s: %s", to,
                   g_strerror (saved_errno));
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source_path = g_build_filename (from, name, NULL);
      g_autofree char *target_path = g_build_filename (to, name, NULL);
      g_autoptr(GFile) source = g_file_new_for_path (source_path);
      g_autoptr(GFile) target = g_file_new_for_path (target_path);

      if (!g_file_copy (source, target, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * avfs_vault_search_copy_index:
 * @target: a vault just filled with a copy of @self's records (a migration), whose index
 *   is not open
 * @copied: (out): whether the index was copied; when %FALSE, rebuild @target's
 *
 * Gives @target a copy of @self's Xapian index when both keep one (LMDB and RocksDB
 * vaults): documents are keyed by node ids, which the copy keeps, so copying the index
 * is the same as building it again, and much faster. Applies @self's queue first. Call
 * with @self's write lock held, so that the index matches the records copied.
 */
gboolean
avfs_vault_search_copy_index (AvfsVault     *self,
                              AvfsVault     *target,
                              gboolean      *copied,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  *copied = FALSE;
  if (is_sqlite (self) || is_memory (self) || is_sqlite (target) || is_memory (target))
    return TRUE;
  locker = g_mutex_locker_new (&self->search_lock);
  wait_for_background (self);
  if (!apply_queue (self, TRUE, error) || !index_release (self, error))
    return FALSE;
  from = xapian_directory (self);
  to = xapian_directory (target);
  if (!g_file_test (from, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (!copy_directory (from, to, cancellable, error))
    return FALSE;
  *copied = TRUE;
  return TRUE;
}

/**
 * avfs_vault_search_get_engine_name:
 *
 * Returns: `fts5`, `xapian` or `memory`
 */
const char *
avfs_vault_search_get_engine_name (AvfsVault *self)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  if (is_sqlite (self))
    return "fts5";
  return is_memory (self) ? "memory" : "xapian";
}

/* Checking the index against the files */

static void
add_problem (AvfsSearchCheck *check,
             char            *problem)
{
  check->n_problems++;
  if (check->problems->len < AVFS_VERIFY_MAX_PROBLEMS)
    g_ptr_array_add (check->problems, problem);
  else
    g_free (problem);
}

/* Sorted, folded tags, as an index gives them back. */
static char *
tags_signature (const char * const *tags)
{
  g_autoptr(GPtrArray) folded = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    g_ptr_array_add (folded, avfs_search_fold_tag (tags[i]));
  g_ptr_array_sort (folded, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (folded, NULL);
  return g_strjoinv ("\n", (char **) folded->pdata);
}

/* Whether @document was indexed from @file's current content, by what its engine keeps
 * of it: a content_ref (FTS5), a content key (Xapian) or the text itself, which only
 * then is read. */
static gboolean
holds_current_text (AvfsVault                *self,
                    const AvfsSearchDocument *document,
                    const AvfsFileDocument   *file)
{
  g_autofree char *text = NULL;

  if (document->content_ref != NULL)
    return file->content_ref != NULL && g_bytes_equal (document->content_ref, file->content_ref);
  if (document->content_key != NULL)
    return g_strcmp0 (document->content_key, file->content_key) == 0;
  text = avfs_file_document_load_text (self, file->id);
  return g_strcmp0 (document->content, text) == 0;
}

/* Compares file @file with its document in @index. */
static gboolean
check_document (AvfsVault               *self,
                AvfsSearchIndex         *index,
                const AvfsFileDocument  *file,
                AvfsSearchCheck         *check,
                GError                 **error)
{
  g_autoptr(AvfsSearchDocument) document = NULL;
  g_autofree char *want_tags = NULL;
  g_autofree char *have_tags = NULL;
  GError *local_error = NULL;

  /* Damage (a file without a path, a document that cannot be read) is the vault's own
   * checks' to name. */
  if (!file->indexed)
    return TRUE;
  if ((document = avfs_search_index_get_document (index, file->id, &local_error)) == NULL)
    return avfs_search_is_damage (local_error, error);
  want_tags = tags_signature ((const char * const *) file->tags);
  have_tags = tags_signature ((const char * const *) document->tags);
  if (g_strcmp0 (document->path, file->path) != 0)
    add_problem (check, g_strdup_printf ("The search index has %s under its old path %s; "
                                         "run “avfs-cli search --rebuild”", file->path,
                                         document->path));
  else if (!holds_current_text (self, document, file))
    add_problem (check, g_strdup_printf ("The search index holds old text for %s; "
                                         "run “avfs-cli search --rebuild”", file->path));
  else if (!g_str_equal (want_tags, have_tags))
    add_problem (check, g_strdup_printf ("The search index holds old tags for %s; "
                                         "run “avfs-cli search --rebuild”", file->path));
  return TRUE;
}

typedef struct
{
  AvfsSearchCheck *check;
  GCancellable *cancellable;
  AvfsPostingsCheck *postings; /* started ahead, or NULL */
} CheckJob;

/* FTS5's check of its word lists (avfs_search_index_check_postings()). FTS5 checks
 * through the writer connection, so on SQLite the check runs in a transaction, which
 * changes nothing. It reads and tokenizes every text, most of a verify's time: verify
 * starts it on a thread of its own (avfs_vault_search_start_postings_check()), beside
 * the record checks, which read on other connections. */
struct _AvfsPostingsCheck
{
  AvfsVault *vault;
  AvfsSearchIndex *index;
  GCancellable *cancellable;
  GThread *thread;    /* NULL once joined */
  gboolean ok;
  gboolean agree;
  GError *error;
};

static gboolean
check_postings_cb (AvfsTransaction  *tx,
                   gpointer          user_data,
                   GError          **error)
{
  AvfsPostingsCheck *postings = user_data;
  gboolean ok;

  enter_transaction (tx);
  ok = avfs_search_index_check_postings (postings->index, &postings->agree,
                                         postings->cancellable, error);
  leave_transaction ();
  return ok;
}

static void
run_postings_check (AvfsPostingsCheck *postings)
{
  AvfsVault *self = postings->vault;

  postings->ok = is_sqlite (self)
                 ? avfs_storage_transaction (self->storage, check_postings_cb, postings,
                                             &postings->error)
                 : avfs_search_index_check_postings (postings->index, &postings->agree,
                                                     postings->cancellable, &postings->error);
}

static gpointer
postings_thread (gpointer data)
{
  run_postings_check (data);
  return NULL;
}

static AvfsPostingsCheck *
postings_check_new (AvfsVault        *self,
                    AvfsSearchIndex  *index,
                    GCancellable     *cancellable)
{
  AvfsPostingsCheck *postings = g_new0 (AvfsPostingsCheck, 1);

  postings->vault = self;
  postings->index = g_object_ref (index);
  postings->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  postings->agree = TRUE;
  return postings;
}

/**
 * avfs_vault_search_start_postings_check:
 * @cancellable: (nullable): stops the check
 *
 * Starts the check of a SQLite vault's word lists on a thread, for
 * avfs_vault_search_check_with() to collect. Call with the write lock held until it is
 * collected (the check reads on the writer connection).
 *
 * Returns: (nullable): the running check; %NULL for other engines, which check nothing
 *   there, or when the index cannot be opened (the check will say why)
 */
AvfsPostingsCheck *
avfs_vault_search_start_postings_check (AvfsVault    *self,
                                        GCancellable *cancellable)
{
  g_autoptr(AvfsSearchIndex) fts5 = NULL;
  AvfsPostingsCheck *postings;

  if (!is_sqlite (self) || (fts5 = fts5_index (self, NULL)) == NULL)
    return NULL;
  postings = postings_check_new (self, fts5, cancellable);
  postings->thread = g_thread_new ("avfs-check-postings", postings_thread, postings);
  return postings;
}

/* Waits for @postings (if it still runs) and frees it. */
void
avfs_postings_check_free (AvfsPostingsCheck *postings)
{
  if (postings == NULL)
    return;
  if (postings->thread != NULL)
    g_thread_join (postings->thread);
  g_object_unref (postings->index);
  g_clear_object (&postings->cancellable);
  g_clear_error (&postings->error);
  g_free (postings);
}

/* Runs @postings here unless it was started on its thread, then waits for it. */
static gboolean
postings_check_finish (AvfsPostingsCheck  *postings,
                       gboolean           *agree,
                       GError            **error)
{
  if (postings->thread != NULL)
    g_thread_join (g_steal_pointer (&postings->thread));
  else
    run_postings_check (postings);
  *agree = postings->agree;
  if (!postings->ok)
    g_propagate_error (error, g_steal_pointer (&postings->error));
  return postings->ok;
}

/* Compares the files (read ahead by a feed) and the documents, both sorted by id: a
 * merge finds the missing and the stale. */
static gboolean
check_func (AvfsVault        *self,
            AvfsSearchIndex  *index,
            gpointer          user_data,
            GError          **error)
{
  CheckJob *job = user_data;
  AvfsSearchCheck *check = job->check;
  g_autoptr(AvfsPostingsCheck) own_postings = NULL;
  AvfsPostingsCheck *postings = job->postings;
  g_autoptr(GArray) files = gather_file_ids (self, error);
  g_autoptr(GArray) documents = NULL;
  g_autoptr(AvfsDocumentFeed) feed = NULL;
  guint f = 0, d = 0;
  gboolean agree;

  if (files == NULL || (documents = avfs_search_index_list_documents (index, error)) == NULL)
    return FALSE;
  g_array_sort (documents, compare_ids);
  check->files = files->len;
  check->documents = documents->len;
  /* Xapian keeps a key of the content, FTS5 in a vault a ref: no text to read, but for
   * an engine that keeps the text (check_document() reads it then). The blobs check has
   * read every chunk. */
  feed = avfs_document_feed_start (self, files, FALSE);
  while (f < files->len || d < documents->len)
    {
      guint64 id = f < files->len ? g_array_index (files, guint64, f) : G_MAXUINT64;
      guint64 doc = d < documents->len ? g_array_index (documents, guint64, d) : G_MAXUINT64;
      g_autoptr(AvfsFileDocument) file = NULL;

      if (g_cancellable_set_error_if_cancelled (job->cancellable, error) ||
          (id <= doc && (file = avfs_document_feed_next (feed, error)) == NULL))
        return FALSE;
      f += id <= doc;
      d += doc <= id;
      if (file == NULL)
        add_problem (check, g_strdup_printf ("The search index lists a file that is gone "
                                             "(id %" G_GUINT64_FORMAT "); run "
                                             "“avfs-cli search --rebuild”", doc));
      else if (id < doc)
        add_problem (check, g_strdup_printf ("%s is missing from the search index; run "
                                             "“avfs-cli search --rebuild”",
                                             file->path != NULL ? file->path : "A file"));
      else if (!check_document (self, index, file, check, error))
        return FALSE;
    }
  if (postings == NULL)
    postings = own_postings = postings_check_new (self, index, job->cancellable);
  if (!postings_check_finish (postings, &agree, error))
    return FALSE;
  if (!agree)
    add_problem (check, g_strdup ("The search index finds files by words they no longer "
                                  "hold; run “avfs-cli search --rebuild”"));
  return TRUE;
}

/**
 * avfs_vault_search_check:
 * @cancellable: (nullable): stops the check
 *
 * Compares the search index with the files (after applying what is queued): every file
 * has a document with its path, text and tags, no document is left of a file that is
 * gone, and where the engine can tell (FTS5), its word lists hold the documents' words
 * and no others. Part of `vault verify`.
 *
 * Returns: (transfer full) (nullable): what was found, or %NULL when the check could not
 *   run
 */
AvfsSearchCheck *
avfs_vault_search_check (AvfsVault     *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return avfs_vault_search_check_with (self, NULL, cancellable, error);
}

/* avfs_vault_search_check(), collecting the check of the word lists that
 * avfs_vault_search_start_postings_check() started (@postings, or %NULL to run it). */
AvfsSearchCheck *
avfs_vault_search_check_with (AvfsVault          *self,
                              AvfsPostingsCheck  *postings,
                              GCancellable       *cancellable,
                              GError            **error)
{
  g_autoptr(AvfsSearchCheck) check = g_new0 (AvfsSearchCheck, 1);
  CheckJob job = { check, cancellable, postings };

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  check->problems = g_ptr_array_new_with_free_func (g_free);
  if (!with_index (self, check_func, &job, error))
    return NULL;
  return g_steal_pointer (&check);
}

void
avfs_search_check_free (AvfsSearchCheck *check)
{
  if (check == NULL)
    return;
  g_ptr_array_unref (check->problems);
  g_free (check);
}
