/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSqliteCheckpointer: checkpoints a WAL-mode store on a thread of its own.
 *
 * SQLite checkpoints on the committing thread: the commit that takes the WAL past 1,000
 * pages copies them into the file and syncs both, which costs that commit 10–20 ms, once
 * in about 60 one-file writes. Here that commit only wakes a thread with a connection of
 * its own, which runs the checkpoint beside the writer (PASSIVE: it takes no lock a
 * writer or a reader waits for). What is committed meanwhile is appended to the WAL,
 * which starts over only after a checkpoint that caught up with it; so a writer that
 * never pauses finds the WAL at LIMIT_PAGES one day and checkpoints itself, as SQLite
 * would, with little left to copy. Durability is unchanged: with synchronous=normal the
 * WAL is synced by checkpoints, and they still come every START_PAGES. */
#include "avfs-sqlite-checkpointer.h"

#define START_PAGES 1000 /* SQLite's wal_autocheckpoint */
#define LIMIT_PAGES 8000
#define BUSY_TIMEOUT_MS 5000

struct _AvfsSqliteCheckpointer
{
  sqlite3 *writer;
  char *path;
  char *synchronous_sql; /* for the thread's connection */

  GMutex lock;           /* guards the fields below */
  GCond cond;
  GThread *thread;       /* started by the first checkpoint wanted */
  int checkpointed;      /* WAL frames the last checkpoint left copied */
  gboolean wanted;
  gboolean running;
  gboolean stopping;
};

/* Runs a PASSIVE checkpoint on @db and notes how far it got. A failure is left to the
 * next one, and to avfs_storage_sync(), which reports it: the commit that asked is done. */
static void
checkpoint (AvfsSqliteCheckpointer *self,
            sqlite3                *db)
{
  int log_frames = 0, copied = 0;
  int rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                      &copied);

  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    g_debug ("%s: checkpoint failed: %s", self->path, sqlite3_errmsg (db));
  g_mutex_lock (&self->lock);
  self->checkpointed = MAX (copied, 0);
  g_mutex_unlock (&self->lock);
}

static sqlite3 *
open_connection (AvfsSqliteCheckpointer *self)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK ||
      sqlite3_exec (db, self->synchronous_sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      /* The writer's own checkpoints at LIMIT_PAGES go on. */
      g_debug ("%s: no connection to checkpoint with: %s", self->path,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  return db;
}

static gpointer
checkpoint_thread (gpointer data)
{
  AvfsSqliteCheckpointer *self = data;
  sqlite3 *db = open_connection (self);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (!self->wanted && !self->stopping)
        g_cond_wait (&self->cond, &self->lock);
      if (self->stopping)
        break;
      self->wanted = FALSE;
      self->running = TRUE;
      g_mutex_unlock (&self->lock);
      if (db != NULL)
        checkpoint (self, db);
      g_mutex_lock (&self->lock);
      self->running = FALSE;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  sqlite3_close_v2 (db);
  return NULL;
}

/* Called by SQLite after each commit of the writer, with the WAL's length in pages. */
static int
wal_hook_cb (void       *data,
             sqlite3    *db,
             const char *name,
             int         n_pages)
{
  AvfsSqliteCheckpointer *self = data;

  g_mutex_lock (&self->lock);
  if (n_pages < self->checkpointed) /* the WAL started over */
    self->checkpointed = 0;
  if (n_pages >= LIMIT_PAGES)
    {
      while (self->running)
        g_cond_wait (&self->cond, &self->lock);
      self->wanted = FALSE;
      g_mutex_unlock (&self->lock);
      checkpoint (self, db);
      return SQLITE_OK;
    }
  if (n_pages - self->checkpointed >= START_PAGES && !self->running && !self->wanted)
    {
      if (self->thread == NULL)
        self->thread = g_thread_new ("avfs-checkpoint", checkpoint_thread, self);
      self->wanted = TRUE;
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  return SQLITE_OK;
}

/**
 * avfs_sqlite_checkpointer_new:
 * @writer: the store's writing connection, in WAL mode
 * @path: the store's file, for the checkpointing connection
 * @synchronous: the store's synchronous setting (`normal`…), which the checkpoints follow
 *
 * Takes the WAL checkpoints off @writer's commits (it replaces SQLite's automatic
 * checkpoints). Free it before closing @writer.
 *
 * Returns: (transfer full): the checkpointer
 */
AvfsSqliteCheckpointer *
avfs_sqlite_checkpointer_new (sqlite3    *writer,
                              const char *path,
                              const char *synchronous)
{
  AvfsSqliteCheckpointer *self = g_new0 (AvfsSqliteCheckpointer, 1);

  self->writer = writer;
  self->path = g_strdup (path);
  self->synchronous_sql = g_strconcat ("PRAGMA synchronous = ", synchronous, NULL);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  sqlite3_wal_hook (writer, wal_hook_cb, self);
  return self;
}

/**
 * avfs_sqlite_checkpointer_wait:
 *
 * Returns once no background checkpoint runs, so that the writer can run one of its own
 * (a TRUNCATE checkpoint finds the checkpoint lock taken otherwise). Call it where
 * nothing commits on the writer, or another may start.
 */
void
avfs_sqlite_checkpointer_wait (AvfsSqliteCheckpointer *self)
{
  g_mutex_lock (&self->lock);
  while (self->running || self->wanted)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/**
 * avfs_sqlite_checkpointer_free:
 *
 * Waits for a running checkpoint and gives the writer SQLite's own checkpoints back.
 * Call it where nothing commits on the writer.
 */
void
avfs_sqlite_checkpointer_free (AvfsSqliteCheckpointer *self)
{
  if (self == NULL)
    return;
  sqlite3_wal_autocheckpoint (self->writer, START_PAGES);
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->thread, g_thread_join);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self->synchronous_sql);
  g_free (self);
}
