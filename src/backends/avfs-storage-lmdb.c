/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorageLmdb: a NAME.lmdb/ directory (data.mdb, lock.mdb), one named DBI per collection
 * (two for a LARGE_VALUES one). */
#define _GNU_SOURCE /* fallocate() */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <lmdb.h>

#include "avfs-storage-lmdb.h"
#include "avfs-storage-options.h"
#include "avfs-storage-private.h"

#define ENGINE "lmdb"
#define STORE "LMDB store" /* in messages */

#define MAX_COLLECTIONS 128

/* Reset read transactions kept for reuse: renewing one costs far less than beginning
 * a new one. Each keeps a reader slot, so the pool is small. */
#define READ_POOL_SIZE 8

/* A cursor copies entries in batches, each in a short read transaction, so that no
 * read transaction outlives a call to next(): a forgotten cursor must not hold back
 * map growth or page reuse (docs/storage.md). Batches start small for short listings
 * and grow for long scans. */
#define CURSOR_FIRST_BATCH 64
#define CURSOR_MAX_BATCH 1024
#define CURSOR_BATCH_BYTES (256 * 1024)

/* The start of an LMDB meta page (lmdb's MDB_page header and MDB_meta, format version
 * 1 of LMDB 0.9), to check a data file before mapping it. */
#define MDB_META_MAGIC 0xBEEFC0DE
#define MDB_META_VERSION 1
#define MDB_PAGE_META 0x08
#define MDB_NO_PAGE ((size_t) -1)

typedef struct
{
  size_t pgno;
  guint16 pad;
  guint16 flags;
  guint32 bounds;
} PageHeader;

typedef struct
{
  guint32 pad; /* the page size, in the free-space record */
  guint16 flags;
  guint16 depth;
  size_t branch_pages;
  size_t leaf_pages;
  size_t overflow_pages;
  size_t entries;
  size_t root;
} TreeRecord;

typedef struct
{
  PageHeader header;
  guint32 magic;
  guint32 version;
  void *address;
  size_t map_size;
  TreeRecord trees[2]; /* free space, main */
  size_t last_pgno;
  size_t txnid;
} MetaPage;

G_STATIC_ASSERT (offsetof (MetaPage, magic) == sizeof (PageHeader));

typedef struct
{
  guint64 map_size;
  guint64 max_readers;
  gboolean no_sync;
  gboolean map_size_given;
} Settings;

/* Thread safety: every LMDB transaction of this process runs with @lock held shared,
 * and @lock is taken exclusively to remap (growth), to add a collection, to swap in a
 * compacted file and to close, so those see no transaction in flight. @writer admits
 * one write transaction at a time and is always taken before @lock. Read transactions
 * come from @read_pool, taken and given back with atomic swaps. */
struct _AvfsStorageLmdb
{
  GObject parent_instance;

  char *path;
  char *data_path;
  Settings settings;
  guint page_size;

  GRWLock lock;
  GMutex writer;
  MDB_env *env;            /* NULL once closed */
  gint closed;             /* atomic copy of env == NULL, so is_closed() needs no lock */
  GHashTable *collections; /* name → Collection */
  MDB_txn *read_pool[READ_POOL_SIZE];
  guint read_pool_size;
  gint commits;            /* atomic count of finished commits, see read_begin() */
  /* The map's pages this process holds (note_map_read()): */
  GMutex map_lock;         /* guards the three below */
  guint8 *map_start;       /* the map's range, NULL until found and after a remap */
  gsize map_len;
  guint64 resident_base;   /* the process's resident file pages after the last release */
  gint64 released_us;      /* when that was, monotonic */
  gsize map_read;          /* atomic: reads through the map since the last look, weighed */
  gint bulk_jobs;          /* atomic: avfs_storage_begin_bulk() without its end */
};

static void     avfs_storage_lmdb_iface_init (AvfsStorageInterface *iface);
static gboolean open_environment             (AvfsStorageLmdb      *self,
                                              guint64               map_size,
                                              gboolean              create,
                                              GError              **error);
static void     close_environment            (AvfsStorageLmdb      *self);

/* A collection's DBIs. A LARGE_VALUES collection keeps its values in a second DBI,
 * “NAME/values” (no collection can have that name), under 8-byte big-endian numbers in
 * the order they were written, and maps each key to its value's number in the first:
 * values under random keys (content hashes) are appended and fill their pages, where
 * inserted among the others they split pages and leave them about half empty; only the
 * small entries of the keys go in at random. */
typedef struct
{
  MDB_dbi keys;
  MDB_dbi values; /* 0: the values are in @keys */
} Collection;

#define VALUES_SUFFIX "/values"
#define NUMBER_LEN 8

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsStorageLmdb, avfs_storage_lmdb, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_STORAGE,
                                                      avfs_storage_lmdb_iface_init))

/* Errors. */

/* @action completes "Cannot … the LMDB store". */
static void
set_mdb_error (GError     **error,
               const char  *path,
               const char  *action,
               int          rc)
{
  const char *detail = mdb_strerror (rc);

  switch (rc)
    {
    case MDB_CORRUPTED:
    case MDB_INVALID:
    case MDB_PAGE_NOTFOUND:
    case MDB_VERSION_MISMATCH:
      avfs_storage_set_engine_error (error, AVFS_ERROR_CORRUPT, STORE, action, path, detail);
      break;
    case ENOSPC:
    case MDB_MAP_FULL:
      avfs_storage_set_engine_error (error, AVFS_ERROR_NO_SPACE, STORE, action, path, detail);
      break;
    case EACCES:
    case EPERM:
    case EROFS:
    case EIO:
      avfs_storage_set_engine_error (error, AVFS_ERROR_IO, STORE, action, path, detail);
      break;
    case MDB_READERS_FULL:
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
                   "Cannot %s the LMDB store “%s”: too many readers are using it at once; "
                   "close other programs using the vault, or raise max_readers in the "
                   "[backend.lmdb] section of config.toml (%s)", action, path, detail);
      break;
    case EAGAIN:
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
                   "Cannot %s the LMDB store “%s”: it is locked by another process; try "
                   "again later (%s)", action, path, detail);
      break;
    case MDB_TXN_FULL:
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot %s the LMDB store “%s”: the transaction changes too much at "
                   "once; split it into smaller ones (%s)", action, path, detail);
      break;
    case MDB_DBS_FULL:
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot %s the LMDB store “%s”: it already holds the most collections "
                   "an LMDB vault can have (%d)", action, path, MAX_COLLECTIONS);
      break;
    case MDB_PANIC:
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot %s the LMDB store “%s”: an earlier write failed badly; close "
                   "the vault and open it again (%s)", action, path, detail);
      break;
    default:
      avfs_storage_set_engine_error (error, AVFS_ERROR_FAILED, STORE, action, path, detail);
      break;
    }
}

/* The map's pages in the process. LMDB (without MDB_WRITEMAP) reads through its map and
 * never writes it, and every page a read touches stays mapped into the process until the
 * map goes, with the rest of its folio: on kernels that cache files in large folios, a
 * thousand random one-page reads mapped a 200 MB data file whole. Reading a 4 GiB file
 * back left 2 GB of the vault in the process's resident set, a verify all of it. Those
 * are the kernel's page cache, clean and shared, but they count as the process's memory,
 * and mapped pages are slower for the kernel to reclaim. So every MAP_LOOK_BYTES read
 * (each bulk read weighing MAP_READ_WEIGHT more, each lookup of a small value
 * MAP_LOOKUP_WEIGHT) the store looks at the process's resident file pages, and once they
 * have grown MAP_RESIDENT_ALLOWANCE since the last release it drops its mappings of the
 * map's pages (MADV_DONTNEED). They stay in the page cache, and the next read maps them
 * again for a minor fault.
 * A cursor over a LARGE_VALUES collection also looks every MAP_LOOK_VALUES values, which
 * it reads in the order of their keys, not of their pages.
 * Bulk reads (a cursor's batches, values of MAP_LARGE_VALUE bytes or more) and every
 * read while a bulk job runs (avfs_storage_begin_bulk(): an import, a verify, an index
 * rebuild) release as soon as the allowance is reached. Other lookups of small values
 * release at most every MAP_LOOKUP_RELEASE_US: a store read at random, larger than the
 * allowance, paid those faults on almost every lookup when they released at once (five
 * times slower in avfs-bench's random-read). Thousands of lookups a second over a large
 * store can map far more within the second: 1.3 GB of a million-file vault under
 * avfs-bench's scale run's random reads, 350 MB under its import before imports said
 * they were bulk jobs. A write transaction's reads and writes count too: their pages
 * are the map's until they change.
 * Dropping is safe with @lock held shared: the map cannot move meanwhile, and a read in
 * flight in another thread faults its page in again with the same content, since LMDB
 * never changes a page a reader can see. */
#define MAP_LOOKUP_RELEASE_US (1000 * 1000)
#define MAP_LARGE_VALUE (64 * 1024)
#define MAP_LOOK_BYTES (4 * 1024 * 1024)
#define MAP_READ_WEIGHT (128 * 1024)
#define MAP_LOOKUP_WEIGHT (16 * 1024)
#define MAP_LOOK_VALUES 32
#define MAP_RESIDENT_ALLOWANCE (G_GUINT64_CONSTANT (64) * 1024 * 1024)

/* Call with @lock held exclusively, or from open/close. */
static void
forget_map (AvfsStorageLmdb *self)
{
  g_mutex_lock (&self->map_lock);
  self->map_start = NULL;
  self->map_len = 0;
  g_mutex_unlock (&self->map_lock);
}

/* Finds the map: the mapping of data.mdb (checked by its inode) that holds @inside, a
 * pointer a read transaction got from LMDB. Call with @map_lock held. */
static void
find_map (AvfsStorageLmdb *self,
          const void      *inside)
{
  g_autofree char *maps = NULL;
  GStatBuf st;
  char **lines;

  if (g_stat (self->data_path, &st) != 0 ||
      !g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return;
  lines = g_strsplit (maps, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      guintptr start, end;
      guint64 inode;

      /* start-end perms offset dev inode path */
      if (sscanf (*line, "%" G_GINTPTR_MODIFIER "x-%" G_GINTPTR_MODIFIER "x %*s %*s %*s %"
                  G_GUINT64_FORMAT, &start, &end, &inode) == 3 &&
          start <= (guintptr) inside && (guintptr) inside < end && inode == (guint64) st.st_ino)
        {
          self->map_start = (guint8 *) start;
          self->map_len = end - start;
          break;
        }
    }
  g_strfreev (lines);
}

/* The process's resident pages of shared mappings (files), in bytes; 0 if unknown. The
 * file stays open for the process's life: one read() is a third of open, read, close. */
static guint64
resident_file_bytes (void)
{
  static gsize statm; /* the descriptor + 2 (1: it cannot be opened), 0 until opened */
  char text[256];
  guint64 size, resident, shared;
  ssize_t len;

  if (g_once_init_enter (&statm))
    g_once_init_leave (&statm, open ("/proc/self/statm", O_RDONLY | O_CLOEXEC) + 2);
  len = statm > 1 ? pread ((int) statm - 2, text, sizeof text - 1, 0) : -1;
  if (len <= 0)
    return 0;
  text[len] = '\0';
  if (sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
              &size, &resident, &shared) != 3)
    return 0;
  return shared * (guint64) sysconf (_SC_PAGESIZE);
}

/* Looks at the process's resident file pages and releases the map's pages when they
 * have grown past the allowance: at once for @bulk reads, else at most every
 * MAP_LOOKUP_RELEASE_US. @inside is NULL, or a pointer a transaction got (a write
 * transaction's may be its own copy of a page, which is not the map). Call with @lock
 * held, shared or exclusive. */
static void
look_at_map (AvfsStorageLmdb *self,
             const void      *inside,
             gboolean         bulk)
{
  guint64 resident;

  g_mutex_lock (&self->map_lock);
  g_atomic_pointer_set (&self->map_read, 0);
  resident = resident_file_bytes ();
  if (self->resident_base == 0)
    self->resident_base = resident;
  else if (resident > self->resident_base + MAP_RESIDENT_ALLOWANCE &&
           (bulk || g_get_monotonic_time () - self->released_us >= MAP_LOOKUP_RELEASE_US))
    {
      /* Until a read gives a pointer into the map, the next look tries again. */
      if (self->map_start == NULL && inside != NULL)
        find_map (self, inside);
      if (self->map_start != NULL)
        {
          if (madvise (self->map_start, self->map_len, MADV_DONTNEED) != 0)
            g_debug ("%s: cannot release the map's pages: %s", self->path,
                     g_strerror (errno));
          /* What is left (other files' pages) is the new base, so a store with no
           * pages left to drop does not try again at every look. */
          self->resident_base = resident_file_bytes ();
          self->released_us = g_get_monotonic_time ();
        }
    }
  else
    self->resident_base = MIN (self->resident_base, resident);
  g_mutex_unlock (&self->map_lock);
}

/* Notes a read of @bytes through the map, at @inside (see look_at_map()), and looks at
 * the map every MAP_LOOK_BYTES of weighed reads. Call with @lock held. */
static void
note_map_read (AvfsStorageLmdb *self,
               const void      *inside,
               gsize            bytes,
               gboolean         bulk)
{
  gsize weight;

  /* In a bulk job a lookup weighs as a bulk read: random lookups map a large folio or
   * more each, and looking only every 256 of them let a verify map 260 MB. */
  bulk = bulk || g_atomic_int_get (&self->bulk_jobs) > 0;
  weight = bytes + (bulk ? MAP_READ_WEIGHT : MAP_LOOKUP_WEIGHT);
  if ((gsize) g_atomic_pointer_add (&self->map_read, weight) + weight >= MAP_LOOK_BYTES)
    look_at_map (self, inside, bulk);
}

/* The map. LMDB maps the data file at a fixed size and fails a write that does not
 * fit with MDB_MAP_FULL; the store then grows the map and retries the write, so callers
 * never see it. Remapping needs every transaction of the process to be over, hence
 * @lock held exclusively. */

/* The largest map: the map_size option's bound. */
static guint64
max_map_size (void)
{
  return avfs_engine_option_find (ENGINE, "map_size")->max;
}

/* The most the map may grow to: what the data file holds plus the free disk space. */
static guint64
map_limit (AvfsStorageLmdb *self)
{
  struct statvfs fs;
  GStatBuf st;

  if (statvfs (self->path, &fs) != 0 || g_stat (self->data_path, &st) != 0)
    return max_map_size ();
  return MIN ((guint64) st.st_size + (guint64) fs.f_bavail * fs.f_frsize, max_map_size ());
}

/* A failed remap has already dropped the old map (LMDB unmaps first), so the
 * environment is unusable: close the store rather than let a later call touch it. Call
 * with @lock held exclusively. */
static void
set_remap_error (AvfsStorageLmdb  *self,
                 GError          **error,
                 int               rc)
{
  g_set_error (error, AVFS_ERROR, rc == ENOMEM ? AVFS_ERROR_NO_SPACE : AVFS_ERROR_FAILED,
               "Cannot map more of the LMDB store “%s” into memory (%s); the vault was "
               "closed, open it again", self->path, mdb_strerror (rc));
  close_environment (self);
}

/* Doubles the map, or more when the failed write needs @needed bytes. Call with @lock
 * held exclusively. */
static gboolean
grow_map (AvfsStorageLmdb  *self,
          guint64           needed,
          GError          **error)
{
  MDB_envinfo info;
  guint64 used, target;
  int rc;

  if (self->env == NULL)
    {
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return FALSE;
    }

  mdb_env_info (self->env, &info);
  used = ((guint64) info.me_last_pgno + 1) * self->page_size;
  target = MAX ((guint64) info.me_mapsize * 2, used + MIN (needed, max_map_size ()) * 2);
  target = MIN (target, map_limit (self));
  target -= target % self->page_size;
  if (target <= info.me_mapsize)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NO_SPACE,
                   "The LMDB store “%s” is full and the disk has no room to grow it; free "
                   "some space and try again", self->path);
      return FALSE;
    }

  forget_map (self);
  rc = mdb_env_set_mapsize (self->env, target);
  if (rc != MDB_SUCCESS)
    {
      set_remap_error (self, error, rc);
      return FALSE;
    }
  g_debug ("%s: map grown from %zu to %" G_GUINT64_FORMAT " bytes", self->path,
           info.me_mapsize, target);
  return TRUE;
}

/* Another process grew the map (MDB_MAP_RESIZED): adopt its size. Call with @lock held
 * exclusively. */
static gboolean
adopt_map (AvfsStorageLmdb  *self,
           GError          **error)
{
  int rc;

  if (self->env == NULL)
    {
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return FALSE;
    }
  forget_map (self);
  rc = mdb_env_set_mapsize (self->env, 0);
  if (rc != MDB_SUCCESS)
    {
      set_remap_error (self, error, rc);
      return FALSE;
    }
  g_debug ("%s: adopted the map another process grew", self->path);
  return TRUE;
}

/* Handles a map error from a transaction that has ended: grows the map on MDB_MAP_FULL,
 * adopts another process's map on MDB_MAP_RESIZED. Call with @lock not held. */
static gboolean
remap (AvfsStorageLmdb  *self,
       int               rc,
       guint64           needed,
       GError          **error)
{
  gboolean ok;

  g_rw_lock_writer_lock (&self->lock);
  ok = rc == MDB_MAP_RESIZED ? adopt_map (self, error) : grow_map (self, needed, error);
  g_rw_lock_writer_unlock (&self->lock);
  return ok;
}

/* LMDB does not write the pages a transaction frees before committing, so the data file
 * can end short of the last page its meta page counts, which opening refuses as a
 * truncated file. Extending the file after a commit keeps that check sound; fallocate()
 * never shrinks or overwrites, so another process writing meanwhile is safe. */
static void
cover_last_page (AvfsStorageLmdb *self)
{
  MDB_envinfo info;
  struct stat st;
  off_t needed;
  int fd;

  mdb_env_info (self->env, &info);
  needed = ((off_t) info.me_last_pgno + 1) * self->page_size;
  if (mdb_env_get_fd (self->env, &fd) == MDB_SUCCESS && fstat (fd, &st) == 0 &&
      st.st_size < needed && fallocate (fd, 0, st.st_size, needed - st.st_size) != 0)
    g_debug ("%s: cannot extend data.mdb: %s", self->path, g_strerror (errno));
}

/* Read transactions: reset ones wait in @read_pool for reuse (MDB_NOTLS lets any thread
 * renew them). */
static MDB_txn *
take_pooled (AvfsStorageLmdb *self)
{
  for (guint i = 0; i < self->read_pool_size; i++)
    {
      MDB_txn *pooled = g_atomic_pointer_exchange (&self->read_pool[i], NULL);

      if (pooled != NULL)
        return pooled;
    }
  return NULL;
}

/* Starts a read transaction. LMDB 0.9 notes the last committed transaction T, then
 * copies the meta page in slot T & 1; a reader delayed there for two commits copies
 * the meta of T + 2 while it is being written, and reads a state newer than T that
 * its next read, at T + 1, does not see. The transaction is started again if one of
 * our commits finished meanwhile, so readers in this process never go back in time.
 * Call with @lock held shared. */
static int
read_begin (AvfsStorageLmdb  *self,
            MDB_txn         **txn)
{
  MDB_txn *reader = take_pooled (self);

  for (;;)
    {
      gint commits = g_atomic_int_get (&self->commits);
      int rc = reader != NULL ? mdb_txn_renew (reader) :
                                mdb_txn_begin (self->env, NULL, MDB_RDONLY, &reader);

      if (rc != MDB_SUCCESS)
        {
          g_clear_pointer (&reader, mdb_txn_abort);
          return rc;
        }
      if (g_atomic_int_get (&self->commits) == commits)
        {
          *txn = reader;
          return MDB_SUCCESS;
        }
      mdb_txn_reset (reader);
    }
}

static void
read_end (AvfsStorageLmdb *self,
          MDB_txn         *txn)
{
  mdb_txn_reset (txn);
  for (guint i = 0; i < self->read_pool_size; i++)
    {
      if (g_atomic_pointer_compare_and_exchange (&self->read_pool[i], NULL, txn))
        return;
    }
  mdb_txn_abort (txn);
}

/* Call with @lock held exclusively, before the environment closes. */
static void
drain_read_pool (AvfsStorageLmdb *self)
{
  for (guint i = 0; i < self->read_pool_size; i++)
    g_clear_pointer (&self->read_pool[i], mdb_txn_abort);
}

/* Collections. */

/* Call with @lock held. */
static const Collection *
lookup_collection (AvfsStorageLmdb  *self,
                   const char       *name,
                   GError          **error)
{
  const Collection *collection;

  if (self->env == NULL)
    {
      avfs_storage_set_closed_error (error, ENGINE, self->path);
      return NULL;
    }
  collection = g_hash_table_lookup (self->collections, name);
  if (collection == NULL)
    avfs_storage_set_unknown_collection (error, name, self->path);
  return collection;
}

/* Reads @key's value in @txn (pointing into the map). */
static int
collection_get (MDB_txn          *txn,
                const Collection *collection,
                MDB_val          *key,
                MDB_val          *value)
{
  MDB_val number;
  int rc;

  if (collection->values == 0)
    return mdb_get (txn, collection->keys, key, value);
  rc = mdb_get (txn, collection->keys, key, &number);
  if (rc != MDB_SUCCESS)
    return rc;
  if (number.mv_size != NUMBER_LEN)
    return MDB_CORRUPTED;
  return mdb_get (txn, collection->values, &number, value);
}

/* The number of the next value appended to @collection: one more than the last's. */
static int
next_number (MDB_txn          *txn,
             const Collection *collection,
             guint8            number[NUMBER_LEN])
{
  MDB_cursor *mc;
  MDB_val key, value;
  guint64 last = 0, next;
  int rc = mdb_cursor_open (txn, collection->values, &mc);

  if (rc != MDB_SUCCESS)
    return rc;
  rc = mdb_cursor_get (mc, &key, &value, MDB_LAST);
  if (rc == MDB_SUCCESS && key.mv_size == NUMBER_LEN)
    memcpy (&last, key.mv_data, NUMBER_LEN);
  mdb_cursor_close (mc);
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
    return rc;
  next = GUINT64_FROM_BE (last) + 1;
  next = GUINT64_TO_BE (next);
  memcpy (number, &next, NUMBER_LEN);
  return MDB_SUCCESS;
}

/* Puts @value under @key: in place of the old value when there is one. */
static int
collection_put (MDB_txn          *txn,
                const Collection *collection,
                MDB_val          *key,
                MDB_val          *value)
{
  guint8 bytes[NUMBER_LEN];
  MDB_val number = { NUMBER_LEN, bytes }, old;
  int rc;

  if (collection->values == 0)
    return mdb_put (txn, collection->keys, key, value, 0);
  rc = mdb_get (txn, collection->keys, key, &old);
  if (rc == MDB_SUCCESS && old.mv_size == NUMBER_LEN)
    {
      memcpy (bytes, old.mv_data, NUMBER_LEN);
      return mdb_put (txn, collection->values, &number, value, 0);
    }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
    return rc;
  if ((rc = next_number (txn, collection, bytes)) != MDB_SUCCESS ||
      (rc = mdb_put (txn, collection->values, &number, value, MDB_APPEND)) != MDB_SUCCESS)
    return rc;
  return mdb_put (txn, collection->keys, key, &number, 0);
}

/* Deletes @key and its value; MDB_NOTFOUND when there is no @key. */
static int
collection_delete (MDB_txn          *txn,
                   const Collection *collection,
                   MDB_val          *key)
{
  guint8 bytes[NUMBER_LEN];
  MDB_val number = { NUMBER_LEN, bytes }, old;
  int rc;

  if (collection->values != 0)
    {
      rc = mdb_get (txn, collection->keys, key, &old);
      if (rc == MDB_SUCCESS && old.mv_size == NUMBER_LEN)
        {
          memcpy (bytes, old.mv_data, NUMBER_LEN);
          rc = mdb_del (txn, collection->values, &number, NULL);
        }
      if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        return rc;
    }
  return mdb_del (txn, collection->keys, key, NULL);
}

/* Writes. A write runs a body in a write transaction and commits it; when the map fills
 * (in the body or at commit) it aborts, grows the map and runs the body again. */

typedef enum
{
  WRITE_COMMIT,
  WRITE_ABORT,    /* the body set an error */
  WRITE_MAP_FULL, /* retry after growing the map */
} WriteOutcome;

/* @needed: set on WRITE_MAP_FULL to the bytes the body tried to write, a hint for how
 * much to grow. */
typedef WriteOutcome (*WriteBody) (AvfsStorageLmdb  *self,
                                   MDB_txn          *txn,
                                   gpointer          data,
                                   guint64          *needed,
                                   GError          **error);

/* One attempt; returns an LMDB code, or MDB_SUCCESS with *@outcome saying how the
 * body ended. Call with @writer held and @lock held (shared, or exclusively to change
 * the collections). */
static int
write_once (AvfsStorageLmdb  *self,
            WriteBody         body,
            gpointer          data,
            WriteOutcome     *outcome,
            guint64          *needed,
            GError          **error)
{
  MDB_txn *txn;
  int rc = mdb_txn_begin (self->env, NULL, 0, &txn);

  if (rc != MDB_SUCCESS)
    return rc;

  *outcome = body (self, txn, data, needed, error);
  if (*outcome != WRITE_COMMIT)
    {
      mdb_txn_abort (txn);
      return MDB_SUCCESS;
    }
  rc = mdb_txn_commit (txn);
  g_atomic_int_inc (&self->commits);
  if (rc == MDB_SUCCESS)
    cover_last_page (self);
  return rc;
}

/* Call with @writer held. */
static gboolean
run_write (AvfsStorageLmdb  *self,
           gboolean          exclusive,
           WriteBody         body,
           gpointer          data,
           GError          **error)
{
  for (;;)
    {
      WriteOutcome outcome = WRITE_ABORT;
      guint64 needed = 0;
      int rc = MDB_SUCCESS;

      if (exclusive)
        g_rw_lock_writer_lock (&self->lock);
      else
        g_rw_lock_reader_lock (&self->lock);
      if (self->env != NULL)
        rc = write_once (self, body, data, &outcome, &needed, error);
      else
        avfs_storage_set_closed_error (error, ENGINE, self->path);
      if (exclusive)
        g_rw_lock_writer_unlock (&self->lock);
      else
        g_rw_lock_reader_unlock (&self->lock);

      if (rc == MDB_SUCCESS && outcome != WRITE_MAP_FULL)
        return outcome == WRITE_COMMIT;
      if (rc == MDB_SUCCESS || rc == MDB_MAP_FULL || rc == MDB_MAP_RESIZED)
        {
          if (!remap (self, rc == MDB_SUCCESS ? MDB_MAP_FULL : rc, needed, error))
            return FALSE;
          continue;
        }
      set_mdb_error (error, self->path, "write to", rc);
      return FALSE;
    }
}

typedef struct
{
  const char *collection;
  MDB_val key;
  MDB_val value;
  gboolean delete;
} SingleWrite;

static WriteOutcome
single_write_body (AvfsStorageLmdb  *self,
                   MDB_txn          *txn,
                   gpointer          data,
                   guint64          *needed,
                   GError          **error)
{
  SingleWrite *write = data;
  const Collection *collection = lookup_collection (self, write->collection, error);
  int rc;

  if (collection == NULL)
    return WRITE_ABORT;

  if (write->delete)
    rc = collection_delete (txn, collection, &write->key);
  else
    rc = collection_put (txn, collection, &write->key, &write->value);

  if (rc == MDB_SUCCESS || (write->delete && rc == MDB_NOTFOUND))
    return WRITE_COMMIT;
  if (rc == MDB_MAP_FULL)
    {
      *needed = write->key.mv_size + write->value.mv_size;
      return WRITE_MAP_FULL;
    }
  set_mdb_error (error, self->path, "write to", rc);
  return WRITE_ABORT;
}

/* Transactions: the object works on the write MDB_txn, which reads its own writes. */

#define AVFS_TYPE_LMDB_TRANSACTION (avfs_lmdb_transaction_get_type ())
G_DECLARE_FINAL_TYPE (AvfsLmdbTransaction, avfs_lmdb_transaction,
                      AVFS, LMDB_TRANSACTION, AvfsTransaction)

struct _AvfsLmdbTransaction
{
  AvfsTransaction parent_instance;

  AvfsStorageLmdb *store; /* NULL outside its callback */
  MDB_txn *txn;
  gboolean map_full;      /* a write hit MDB_MAP_FULL: the attempt is void */
  guint64 bytes_written;
  AvfsCollectionCache last_used; /* handle: the Collection */
};

G_DEFINE_FINAL_TYPE (AvfsLmdbTransaction, avfs_lmdb_transaction, AVFS_TYPE_TRANSACTION)

/* After MDB_MAP_FULL, LMDB refuses every further operation in the transaction; the
 * whole attempt is void and runs again once the map has grown. */
static void
set_retrying_error (AvfsLmdbTransaction  *self,
                    GError              **error)
{
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_NO_SPACE,
               "The LMDB store “%s” is being enlarged; the transaction will be retried",
               self->store->path);
}

static const Collection *
transaction_collection (AvfsLmdbTransaction  *self,
                        const char           *name,
                        GError              **error)
{
  const Collection *collection;

  if (self->store == NULL)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                           "This transaction is over; make changes inside its callback");
      return NULL;
    }
  if (self->map_full)
    {
      set_retrying_error (self, error);
      return NULL;
    }
  collection = avfs_collection_cache_get (&self->last_used, name);
  if (collection != NULL)
    return collection;
  collection = lookup_collection (self->store, name, error);
  if (collection != NULL)
    avfs_collection_cache_set (&self->last_used, name, (gpointer) collection);
  return collection;
}

/* Notes a failed write; MDB_MAP_FULL voids the attempt rather than failing it. */
static gboolean
transaction_failed (AvfsLmdbTransaction  *self,
                    int                   rc,
                    GError              **error)
{
  if (rc == MDB_MAP_FULL)
    {
      self->map_full = TRUE;
      set_retrying_error (self, error);
    }
  else
    set_mdb_error (error, self->store->path, "write to", rc);
  return FALSE;
}

static GBytes *
avfs_lmdb_transaction_get (AvfsTransaction  *tx,
                           const char       *collection,
                           const guint8     *key,
                           gsize             key_len,
                           GError          **error)
{
  AvfsLmdbTransaction *self = (AvfsLmdbTransaction *) tx; /* no type check per record */
  MDB_val k = { key_len, (void *) key }, v;
  const Collection *c = transaction_collection (self, collection, error);
  int rc;

  if (c == NULL)
    return NULL;
  rc = collection_get (self->txn, c, &k, &v);
  if (rc == MDB_SUCCESS)
    {
      note_map_read (self->store, v.mv_data, v.mv_size, v.mv_size >= MAP_LARGE_VALUE);
      return g_bytes_new (v.mv_data, v.mv_size);
    }
  if (rc != MDB_NOTFOUND)
    set_mdb_error (error, self->store->path, "read from", rc);
  return NULL;
}

static gboolean
avfs_lmdb_transaction_put (AvfsTransaction  *tx,
                           const char       *collection,
                           const guint8     *key,
                           gsize             key_len,
                           const guint8     *value,
                           gsize             value_len,
                           GError          **error)
{
  AvfsLmdbTransaction *self = (AvfsLmdbTransaction *) tx; /* no type check per record */
  MDB_val k = { key_len, (void *) key }, v = { value_len, (void *) value };
  const Collection *c = transaction_collection (self, collection, error);
  int rc;

  if (c == NULL)
    return FALSE;
  self->bytes_written += key_len + value_len;
  rc = collection_put (self->txn, c, &k, &v);
  note_map_read (self->store, NULL, 0, FALSE);
  return rc == MDB_SUCCESS || transaction_failed (self, rc, error);
}

static gboolean
avfs_lmdb_transaction_delete (AvfsTransaction  *tx,
                              const char       *collection,
                              const guint8     *key,
                              gsize             key_len,
                              GError          **error)
{
  AvfsLmdbTransaction *self = (AvfsLmdbTransaction *) tx; /* no type check per record */
  MDB_val k = { key_len, (void *) key };
  const Collection *c = transaction_collection (self, collection, error);
  int rc;

  if (c == NULL)
    return FALSE;
  rc = collection_delete (self->txn, c, &k);
  return rc == MDB_SUCCESS || rc == MDB_NOTFOUND || transaction_failed (self, rc, error);
}

static void
avfs_lmdb_transaction_class_init (AvfsLmdbTransactionClass *klass)
{
  AvfsTransactionClass *tx_class = AVFS_TRANSACTION_CLASS (klass);

  tx_class->get = avfs_lmdb_transaction_get;
  tx_class->put = avfs_lmdb_transaction_put;
  tx_class->delete = avfs_lmdb_transaction_delete;
}

static void
avfs_lmdb_transaction_init (AvfsLmdbTransaction *self)
{
}

typedef struct
{
  AvfsLmdbTransaction *tx;
  AvfsTransactionFunc func;
  gpointer user_data;
} TransactionJob;

/* Runs the caller's function; an attempt voided by a full map is not its failure. */
static WriteOutcome
transaction_body (AvfsStorageLmdb  *self,
                  MDB_txn          *txn,
                  gpointer          data,
                  guint64          *needed,
                  GError          **error)
{
  TransactionJob *job = data;
  AvfsLmdbTransaction *tx = job->tx;
  GError *local_error = NULL;
  gboolean ok;

  tx->store = self;
  tx->txn = txn;
  tx->map_full = FALSE;
  tx->bytes_written = 0;
  tx->last_used.handle = NULL;
  ok = job->func (AVFS_TRANSACTION (tx), job->user_data, &local_error);
  tx->store = NULL;
  tx->txn = NULL;

  if (tx->map_full)
    {
      g_clear_error (&local_error);
      *needed = tx->bytes_written;
      return WRITE_MAP_FULL;
    }
  if (ok)
    {
      g_clear_error (&local_error);
      return WRITE_COMMIT;
    }
  if (local_error == NULL)
    g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_FAILED,
                 "A transaction on the LMDB store “%s” failed without saying why", self->path);
  g_propagate_error (error, local_error);
  return WRITE_ABORT;
}

/* Cursors: entries are copied in batches, each batch read in a short read transaction,
 * and the cursor resumes after the last key it copied. Handing out pointers into the map
 * instead would save the copy, but the caller keeps its entry until its next call, and
 * growing the map, compacting or closing unmaps the old map first: revoking a cursor's
 * transaction cannot reach the pointers its caller already holds. */

#define AVFS_TYPE_LMDB_CURSOR (avfs_lmdb_cursor_get_type ())
G_DECLARE_FINAL_TYPE (AvfsLmdbCursor, avfs_lmdb_cursor, AVFS, LMDB_CURSOR, AvfsCursor)

/* An entry copied into the batch: its key, then its value right after. */
typedef struct
{
  gsize offset;
  guint32 key_len;
  guint32 value_len;
} CursorEntry;

struct _AvfsLmdbCursor
{
  AvfsCursor parent_instance;

  AvfsStorageLmdb *store;
  char *collection; /* looked up per batch: compaction reopens the DBIs */
  guint8 *end;      /* NULL: to the last key */
  gsize end_len;
  /* Where the next batch starts: the start bound (included) until the first batch,
   * then the last key copied (excluded). @from holds any key, so it is never resized. */
  guint8 *from;
  gsize from_len;
  gboolean has_from;
  gboolean from_included;

  /* The batch. Plain buffers rather than GArrays: their per-append overflow check
   * costs a division, which showed in full scans. */
  guint8 *data;
  gsize data_len;
  gsize data_size;
  CursorEntry *entries;
  guint n_entries;
  guint position;
  guint batch_size; /* also the room in @entries */
  gboolean exhausted; /* no entries left to read after @entries */
};

G_DEFINE_FINAL_TYPE (AvfsLmdbCursor, avfs_lmdb_cursor, AVFS_TYPE_CURSOR)

/* Positions @mc on the first entry of the next batch. */
static int
cursor_seek (AvfsLmdbCursor *self,
             MDB_cursor     *mc,
             MDB_val        *key,
             MDB_val        *value)
{
  int rc;

  if (!self->has_from)
    return mdb_cursor_get (mc, key, value, MDB_FIRST);

  /* No key is longer than AVFS_STORAGE_MAX_KEY_LEN: seeking to a longer bound's
   * prefix and skipping what sorts before the bound lands in the same place. */
  key->mv_data = self->from;
  key->mv_size = MIN (self->from_len, AVFS_STORAGE_MAX_KEY_LEN);
  rc = mdb_cursor_get (mc, key, value, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS)
    {
      int cmp = avfs_storage_key_compare (key->mv_data, key->mv_size, self->from, self->from_len);

      if (cmp > 0 || (cmp == 0 && self->from_included))
        break;
      rc = mdb_cursor_get (mc, key, value, MDB_NEXT);
    }
  return rc;
}

static void
cursor_append (AvfsLmdbCursor *self,
               const MDB_val  *key,
               const MDB_val  *value)
{
  CursorEntry *entry = &self->entries[self->n_entries++];
  gsize size = key->mv_size + value->mv_size;

  if (self->data_len + size > self->data_size)
    {
      self->data_size = MAX (self->data_size * 2, self->data_len + size);
      self->data = g_realloc (self->data, self->data_size);
    }
  entry->offset = self->data_len;
  entry->key_len = key->mv_size;
  entry->value_len = value->mv_size;
  /* An LMDB node holds its value right after its key (unless the value is on overflow
   * pages): one copy then does for both. */
  if ((const guint8 *) key->mv_data + key->mv_size == value->mv_data)
    memcpy (self->data + self->data_len, key->mv_data, size);
  else
    {
      memcpy (self->data + self->data_len, key->mv_data, key->mv_size);
      memcpy (self->data + self->data_len + key->mv_size, value->mv_data, value->mv_size);
    }
  self->data_len += size;
}

/* Copies the next batch; call with the store's @lock held shared and @txn open. Sets
 * @inside to a pointer into the map, if it read any entry. */
static int
cursor_copy_batch (AvfsLmdbCursor   *self,
                   MDB_txn          *txn,
                   const Collection *collection,
                   const void      **inside)
{
  MDB_cursor *mc;
  MDB_val key, value, number;
  int rc = mdb_cursor_open (txn, collection->keys, &mc);

  if (rc != MDB_SUCCESS)
    return rc;

  for (rc = cursor_seek (self, mc, &key, &value); rc == MDB_SUCCESS;
       rc = mdb_cursor_get (mc, &key, &value, MDB_NEXT))
    {
      if (self->end != NULL &&
          avfs_storage_key_compare (key.mv_data, key.mv_size, self->end, self->end_len) >= 0)
        {
          rc = MDB_NOTFOUND;
          break;
        }
      /* In the LARGE_VALUES layout, @value is the number of the value. */
      number = value;
      if (collection->values != 0 &&
          (rc = mdb_get (txn, collection->values, &number, &value)) != MDB_SUCCESS)
        {
          /* Not the end of the scan: a key whose value is gone. */
          if (rc == MDB_NOTFOUND)
            rc = MDB_CORRUPTED;
          break;
        }
      cursor_append (self, &key, &value);
      *inside = key.mv_data;
      if (self->n_entries >= self->batch_size || self->data_len >= CURSOR_BATCH_BYTES)
        break;
      /* The values of a LARGE_VALUES collection are read in key order, which is not
       * theirs: each may map a folio of its own (a batch of them mapped 250 MB). */
      if (collection->values != 0 && self->n_entries % MAP_LOOK_VALUES == 0)
        look_at_map (self->store, key.mv_data, TRUE);
    }
  mdb_cursor_close (mc);

  if (rc == MDB_NOTFOUND)
    {
      self->exhausted = TRUE;
      rc = MDB_SUCCESS;
    }
  return rc;
}

/* Remembers the last key copied, where the next batch resumes. */
static void
cursor_note_resume (AvfsLmdbCursor *self)
{
  const CursorEntry *last;

  if (self->n_entries == 0)
    return;
  last = &self->entries[self->n_entries - 1];
  memcpy (self->from, self->data + last->offset, last->key_len);
  self->from_len = last->key_len;
  self->has_from = TRUE;
  self->from_included = FALSE;
}

static gboolean
cursor_fill (AvfsLmdbCursor  *self,
             GError         **error)
{
  AvfsStorageLmdb *store = self->store;
  int rc;

  self->data_len = 0;
  self->n_entries = 0;
  self->position = 0;
  self->entries = g_renew (CursorEntry, self->entries, self->batch_size);

  for (;;)
    {
      const Collection *collection;
      const void *inside = NULL;
      MDB_txn *txn;

      g_rw_lock_reader_lock (&store->lock);
      collection = lookup_collection (store, self->collection, error);
      if (collection == NULL)
        {
          g_rw_lock_reader_unlock (&store->lock);
          return FALSE;
        }
      rc = read_begin (store, &txn);
      if (rc == MDB_SUCCESS)
        {
          rc = cursor_copy_batch (self, txn, collection, &inside);
          read_end (store, txn);
          note_map_read (store, inside, self->data_len, TRUE);
        }
      g_rw_lock_reader_unlock (&store->lock);

      if (rc != MDB_MAP_RESIZED)
        break;
      if (!remap (store, rc, 0, error))
        return FALSE;
    }

  if (rc != MDB_SUCCESS)
    {
      set_mdb_error (error, store->path, "read from", rc);
      return FALSE;
    }
  cursor_note_resume (self);
  self->batch_size = MIN (self->batch_size * 2, CURSOR_MAX_BATCH);
  return TRUE;
}

static gboolean
avfs_lmdb_cursor_next (AvfsCursor  *cursor,
                       GError     **error)
{
  AvfsLmdbCursor *self = (AvfsLmdbCursor *) cursor; /* no type check per entry */
  const CursorEntry *entry;

  if (g_atomic_int_get (&self->store->closed))
    {
      avfs_storage_set_closed_error (error, ENGINE, self->store->path);
      return FALSE;
    }
  if (self->position >= self->n_entries)
    {
      if (self->exhausted || !cursor_fill (self, error) || self->n_entries == 0)
        return FALSE;
    }

  entry = &self->entries[self->position++];
  avfs_cursor_set_entry (cursor, self->data + entry->offset, entry->key_len,
                         self->data + entry->offset + entry->key_len, entry->value_len);
  return TRUE;
}

static void
avfs_lmdb_cursor_finalize (GObject *object)
{
  AvfsLmdbCursor *self = AVFS_LMDB_CURSOR (object);

  g_free (self->data);
  g_free (self->entries);
  g_free (self->collection);
  g_free (self->from);
  g_free (self->end);
  g_object_unref (self->store);
  G_OBJECT_CLASS (avfs_lmdb_cursor_parent_class)->finalize (object);
}

static void
avfs_lmdb_cursor_class_init (AvfsLmdbCursorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_lmdb_cursor_finalize;
  AVFS_CURSOR_CLASS (klass)->next = avfs_lmdb_cursor_next;
}

static void
avfs_lmdb_cursor_init (AvfsLmdbCursor *self)
{
  self->batch_size = CURSOR_FIRST_BATCH;
}

/* The store. */

static const char *
avfs_storage_lmdb_get_engine_name (AvfsStorage *storage)
{
  return ENGINE;
}

static const char *
avfs_storage_lmdb_get_path (AvfsStorage *storage)
{
  return AVFS_STORAGE_LMDB (storage)->path;
}

typedef struct
{
  const char *name;
  AvfsCollectionFlags flags;
  Collection dbis;
} NewCollection;

static WriteOutcome
create_collection_body (AvfsStorageLmdb  *self,
                        MDB_txn          *txn,
                        gpointer          data,
                        guint64          *needed,
                        GError          **error)
{
  NewCollection *collection = data;
  g_autofree char *values = g_strconcat (collection->name, VALUES_SUFFIX, NULL);
  int rc = mdb_dbi_open (txn, collection->name, MDB_CREATE, &collection->dbis.keys);

  if (rc == MDB_SUCCESS && (collection->flags & AVFS_COLLECTION_LARGE_VALUES))
    rc = mdb_dbi_open (txn, values, MDB_CREATE, &collection->dbis.values);
  if (rc == MDB_SUCCESS)
    return WRITE_COMMIT;
  if (rc == MDB_MAP_FULL)
    return WRITE_MAP_FULL;
  set_mdb_error (error, self->path, "add a collection to", rc);
  return WRITE_ABORT;
}

static gboolean
has_collection (AvfsStorageLmdb *self,
                const char      *collection)
{
  gboolean found;

  g_rw_lock_reader_lock (&self->lock);
  found = lookup_collection (self, collection, NULL) != NULL;
  g_rw_lock_reader_unlock (&self->lock);
  return found;
}

/* LMDB wants no other transaction of the process running while a new DBI handle is
 * made, so the write runs with @lock held exclusively; adding a collection is rare. */
static gboolean
avfs_storage_lmdb_create_collection (AvfsStorage          *storage,
                                     const char           *collection,
                                     AvfsCollectionFlags   flags,
                                     GError              **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  NewCollection created = { collection, flags, { 0, 0 } };
  gboolean ok;

  if (has_collection (self, collection))
    return TRUE;

  g_mutex_lock (&self->writer);
  ok = has_collection (self, collection) ||
       run_write (self, TRUE, create_collection_body, &created, error);
  /* Named DBIs are never 0 (LMDB keeps 0 and 1 for itself). */
  if (ok && created.dbis.keys != 0)
    {
      g_rw_lock_writer_lock (&self->lock);
      g_hash_table_insert (self->collections, g_strdup (collection),
                           g_memdup2 (&created.dbis, sizeof created.dbis));
      g_rw_lock_writer_unlock (&self->lock);
      g_debug ("%s: created collection %s", self->path, collection);
    }
  g_mutex_unlock (&self->writer);
  return ok;
}

static char **
avfs_storage_lmdb_list_collections (AvfsStorage  *storage,
                                    GError      **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  char **names = NULL;

  g_rw_lock_reader_lock (&self->lock);
  if (self->env != NULL)
    names = avfs_storage_sorted_names (self->collections);
  else
    avfs_storage_set_closed_error (error, ENGINE, self->path);
  g_rw_lock_reader_unlock (&self->lock);
  return names;
}

/* Looks @key up in a pooled read transaction, copying the value when @value is given. */
static gboolean
read_key (AvfsStorageLmdb  *self,
          const char       *collection,
          const guint8     *key,
          gsize             key_len,
          gboolean         *found,
          GBytes          **value,
          GError          **error)
{
  int rc;

  for (;;)
    {
      MDB_val k = { key_len, (void *) key }, v;
      const Collection *c;
      MDB_txn *txn;

      g_rw_lock_reader_lock (&self->lock);
      c = lookup_collection (self, collection, error);
      if (c == NULL)
        {
          g_rw_lock_reader_unlock (&self->lock);
          return FALSE;
        }
      rc = read_begin (self, &txn);
      if (rc == MDB_SUCCESS)
        {
          /* Whether it exists, the keys alone say. */
          rc = value != NULL ? collection_get (txn, c, &k, &v) : mdb_get (txn, c->keys, &k, &v);
          *found = rc == MDB_SUCCESS;
          if (*found && value != NULL)
            *value = g_bytes_new (v.mv_data, v.mv_size);
          read_end (self, txn);
          if (*found)
            note_map_read (self, v.mv_data, value != NULL ? v.mv_size : 0,
                           v.mv_size >= MAP_LARGE_VALUE);
        }
      g_rw_lock_reader_unlock (&self->lock);

      if (rc != MDB_MAP_RESIZED)
        break;
      if (!remap (self, rc, 0, error))
        return FALSE;
    }

  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
    {
      set_mdb_error (error, self->path, "read from", rc);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
avfs_storage_lmdb_get (AvfsStorage   *storage,
                       const char    *collection,
                       const guint8  *key,
                       gsize          key_len,
                       GError       **error)
{
  GBytes *value = NULL;
  gboolean found;

  /* No type check per record: the AvfsStorage wrapper checked it. */
  read_key ((AvfsStorageLmdb *) storage, collection, key, key_len, &found, &value, error);
  return value;
}

static gboolean
avfs_storage_lmdb_exists (AvfsStorage   *storage,
                          const char    *collection,
                          const guint8  *key,
                          gsize          key_len,
                          gboolean      *exists,
                          GError       **error)
{
  /* No type check per record: the AvfsStorage wrapper checked it. */
  return read_key ((AvfsStorageLmdb *) storage, collection, key, key_len, exists, NULL, error);
}

static gboolean
write_single (AvfsStorageLmdb  *self,
              SingleWrite      *write,
              GError          **error)
{
  gboolean ok;

  g_mutex_lock (&self->writer);
  ok = run_write (self, FALSE, single_write_body, write, error);
  g_mutex_unlock (&self->writer);
  return ok;
}

static gboolean
avfs_storage_lmdb_put (AvfsStorage   *storage,
                       const char    *collection,
                       const guint8  *key,
                       gsize          key_len,
                       const guint8  *value,
                       gsize          value_len,
                       GError       **error)
{
  SingleWrite write = {
    collection, { key_len, (void *) key }, { value_len, (void *) value }, FALSE
  };

  /* No type check per record: the AvfsStorage wrapper checked it. */
  return write_single ((AvfsStorageLmdb *) storage, &write, error);
}

static gboolean
avfs_storage_lmdb_delete (AvfsStorage   *storage,
                          const char    *collection,
                          const guint8  *key,
                          gsize          key_len,
                          GError       **error)
{
  SingleWrite write = { collection, { key_len, (void *) key }, { 0, NULL }, TRUE };

  /* No type check per record: the AvfsStorage wrapper checked it. */
  return write_single ((AvfsStorageLmdb *) storage, &write, error);
}

static AvfsCursor *
avfs_storage_lmdb_scan_range (AvfsStorage   *storage,
                              const char    *collection,
                              const guint8  *start,
                              gsize          start_len,
                              const guint8  *end,
                              gsize          end_len,
                              GError       **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  AvfsLmdbCursor *cursor;
  gboolean found;

  g_rw_lock_reader_lock (&self->lock);
  found = lookup_collection (self, collection, error) != NULL;
  g_rw_lock_reader_unlock (&self->lock);
  if (!found)
    return NULL;

  cursor = g_object_new (AVFS_TYPE_LMDB_CURSOR, NULL);
  cursor->store = g_object_ref (self);
  cursor->collection = g_strdup (collection);
  cursor->from = g_malloc (MAX (start_len, AVFS_STORAGE_MAX_KEY_LEN));
  if (start != NULL && start_len > 0)
    {
      memcpy (cursor->from, start, start_len);
      cursor->from_len = start_len;
      cursor->has_from = TRUE;
      cursor->from_included = TRUE;
    }
  if (end != NULL)
    {
      /* g_malloc (0) would be NULL, which means "no end"; an empty end ends at once. */
      cursor->end = g_malloc (MAX (end_len, 1));
      memcpy (cursor->end, end, end_len);
      cursor->end_len = end_len;
    }
  return AVFS_CURSOR (cursor);
}

static gboolean
avfs_storage_lmdb_transaction (AvfsStorage          *storage,
                               AvfsTransactionFunc   func,
                               gpointer              user_data,
                               GError              **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  TransactionJob job = { g_object_new (AVFS_TYPE_LMDB_TRANSACTION, NULL), func, user_data };
  gboolean ok;

  g_mutex_lock (&self->writer);
  ok = run_write (self, FALSE, transaction_body, &job, error);
  g_mutex_unlock (&self->writer);

  g_object_unref (job.tx);
  return ok;
}

static gboolean
avfs_storage_lmdb_sync (AvfsStorage  *storage,
                        GError      **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  gboolean ok = FALSE;
  int rc;

  g_rw_lock_reader_lock (&self->lock);
  if (self->env == NULL)
    avfs_storage_set_closed_error (error, ENGINE, self->path);
  else if ((rc = mdb_env_sync (self->env, 1)) != MDB_SUCCESS)
    set_mdb_error (error, self->path, "sync", rc);
  else
    ok = TRUE;
  g_rw_lock_reader_unlock (&self->lock);
  return ok;
}

/* Compaction: LMDB copies the live pages into a fresh file, which replaces data.mdb. */

/* The copy reads every live page through the map, inside LMDB: a thread of ours looks
 * at what it has mapped every MAP_WATCH_US and drops it as a bulk read would (a
 * million-file vault's compaction held 1.4 GB of it resident). */
#define MAP_WATCH_US (20 * 1000)

typedef struct
{
  AvfsStorageLmdb *store;
  const void *inside; /* a pointer into the map, for find_map() */
  gint stop;
} MapWatch;

static gpointer
map_watch_thread (gpointer data)
{
  MapWatch *watch = data;

  while (!g_atomic_int_get (&watch->stop))
    {
      look_at_map (watch->store, watch->inside, TRUE);
      g_usleep (MAP_WATCH_US);
    }
  return NULL;
}

/* A pointer into the map: the first key of a collection that has one, or NULL. Call
 * with @lock held. */
static const void *
find_map_pointer (AvfsStorageLmdb *self)
{
  const void *inside = NULL;
  GHashTableIter iter;
  const Collection *collection;
  MDB_txn *txn;

  if (read_begin (self, &txn) != MDB_SUCCESS)
    return NULL;
  g_hash_table_iter_init (&iter, self->collections);
  while (inside == NULL && g_hash_table_iter_next (&iter, NULL, (gpointer *) &collection))
    {
      MDB_cursor *mc;
      MDB_val key, value;

      if (mdb_cursor_open (txn, collection->keys, &mc) != MDB_SUCCESS)
        continue;
      if (mdb_cursor_get (mc, &key, &value, MDB_FIRST) == MDB_SUCCESS)
        inside = key.mv_data;
      mdb_cursor_close (mc);
    }
  read_end (self, txn);
  return inside;
}

/* Writes a compacted copy of the store next to data.mdb; returns its path. Call with
 * @writer held, so the copy is the latest state, and @lock held shared. */
static char *
write_compacted_copy (AvfsStorageLmdb  *self,
                      GError          **error)
{
  g_autofree char *copy_path = g_build_filename (self->path, "data.mdb.compact-XXXXXX", NULL);
  int fd = g_mkstemp_full (copy_path, O_RDWR | O_CLOEXEC, 0600);
  MapWatch watch = { self, NULL, FALSE };
  GThread *watcher;
  int rc;

  if (fd < 0)
    {
      set_mdb_error (error, self->path, "compact", errno);
      return NULL;
    }
  watch.inside = find_map_pointer (self);
  watcher = g_thread_new ("avfs-lmdb-map", map_watch_thread, &watch);
  rc = mdb_env_copyfd2 (self->env, fd, MDB_CP_COMPACT);
  g_atomic_int_set (&watch.stop, TRUE);
  g_thread_join (watcher);
  if (rc == MDB_SUCCESS && fsync (fd) != 0)
    rc = errno;
  close (fd);
  if (rc != MDB_SUCCESS)
    {
      g_unlink (copy_path);
      set_mdb_error (error, self->path, "compact", rc);
      return NULL;
    }
  return g_steal_pointer (&copy_path);
}

/* Takes LMDB's own "only user" lock on lock.mdb (a write lock on its first byte), which
 * fails while another process has the store open. Returns the file, or -1. */
static int
lock_sole_user (AvfsStorageLmdb *self)
{
  g_autofree char *lock_path = g_build_filename (self->path, "lock.mdb", NULL);
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
  int fd = g_open (lock_path, O_RDWR | O_CLOEXEC, 0);

  if (fd >= 0 && fcntl (fd, F_SETLK, &lock) != 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

/* Closes the environment, puts @copy_path in place of data.mdb unless another process
 * has the store open, and opens it again. Call with @writer and @lock held exclusively. */
static gboolean
swap_in_copy (AvfsStorageLmdb  *self,
              const char       *copy_path,
              GError          **error)
{
  MDB_envinfo info;
  gboolean swapped = FALSE;
  int saved_errno = 0;
  int lock_fd;

  mdb_env_info (self->env, &info);
  close_environment (self);

  lock_fd = lock_sole_user (self);
  if (lock_fd >= 0)
    {
      swapped = g_rename (copy_path, self->data_path) == 0;
      saved_errno = errno;
      /* Closing drops the lock, and opening takes LMDB's own. */
      close (lock_fd);
    }
  if (!swapped)
    g_unlink (copy_path);

  if (!open_environment (self, info.me_mapsize, FALSE, error))
    return FALSE;
  if (lock_fd < 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
                   "Cannot compact the LMDB store “%s” while another process has it open; "
                   "close the other avfs program and try again", self->path);
      return FALSE;
    }
  if (!swapped)
    {
      set_mdb_error (error, self->path, "compact", saved_errno);
      return FALSE;
    }
  return TRUE;
}

static AvfsCompactionStats *
avfs_storage_lmdb_compact (AvfsStorage  *storage,
                           GError      **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  g_autoptr(AvfsCompactionStats) stats = g_new0 (AvfsCompactionStats, 1);
  g_autofree char *copy_path = NULL;
  gint64 started = g_get_monotonic_time ();
  gboolean ok = FALSE;

  g_mutex_lock (&self->writer);
  g_rw_lock_reader_lock (&self->lock);
  stats->bytes_before = avfs_storage_disk_usage (self->path);
  if (self->env != NULL)
    copy_path = write_compacted_copy (self, error);
  else
    avfs_storage_set_closed_error (error, ENGINE, self->path);
  g_rw_lock_reader_unlock (&self->lock);

  if (copy_path != NULL)
    {
      g_rw_lock_writer_lock (&self->lock);
      if (self->env != NULL)
        ok = swap_in_copy (self, copy_path, error);
      else
        avfs_storage_set_closed_error (error, ENGINE, self->path);
      g_rw_lock_writer_unlock (&self->lock);
    }
  g_mutex_unlock (&self->writer);
  if (!ok)
    return NULL;

  stats->bytes_after = avfs_storage_disk_usage (self->path);
  stats->duration_us = g_get_monotonic_time () - started;
  g_debug ("%s: compacted %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT " bytes in %"
           G_GINT64_FORMAT " µs", self->path, stats->bytes_before, stats->bytes_after,
           stats->duration_us);
  return g_steal_pointer (&stats);
}

/* Statistics. */

/* Sums the sizes of a DBI's keys (@keys) and values (@values). The walk reads every
 * leaf page through the map, noted as the bulk read it is, in batches of a cursor's
 * size. */
static int
sum_sizes (AvfsStorageLmdb *self,
           MDB_txn         *txn,
           MDB_dbi          dbi,
           gboolean         keys,
           gboolean         values,
           guint64         *bytes)
{
  MDB_cursor *mc;
  MDB_val key, value;
  guint64 walked = 0;
  guint entries = 0;
  int rc = mdb_cursor_open (txn, dbi, &mc);

  if (rc != MDB_SUCCESS)
    return rc;
  for (rc = mdb_cursor_get (mc, &key, &value, MDB_FIRST); rc == MDB_SUCCESS;
       rc = mdb_cursor_get (mc, &key, &value, MDB_NEXT))
    {
      *bytes += (keys ? key.mv_size : 0) + (values ? value.mv_size : 0);
      walked += key.mv_size + (value.mv_size < MAP_LARGE_VALUE ? value.mv_size : 0);
      if (++entries % CURSOR_MAX_BATCH == 0)
        {
          note_map_read (self, key.mv_data, walked, TRUE);
          walked = 0;
        }
    }
  mdb_cursor_close (mc);
  return rc == MDB_NOTFOUND ? MDB_SUCCESS : rc;
}

/* Counts a collection's keys and sums its key and value bytes by reading it through.
 * Call with @lock held shared and @txn open. */
static int
measure_collection (AvfsStorageLmdb  *self,
                    MDB_txn          *txn,
                    const Collection *collection,
                    guint64          *keys,
                    guint64          *bytes)
{
  gboolean split = collection->values != 0;
  MDB_stat st;
  int rc = mdb_stat (txn, collection->keys, &st);

  *keys = st.ms_entries;
  *bytes = 0;
  if (rc == MDB_SUCCESS)
    rc = sum_sizes (self, txn, collection->keys, TRUE, !split, bytes);
  if (rc == MDB_SUCCESS && split)
    rc = sum_sizes (self, txn, collection->values, FALSE, TRUE, bytes);
  return rc;
}

static int
count_reader_cb (const char *message,
                 void       *data)
{
  guint *lines = data;

  *lines += 1;
  return 0;
}

/* Reader slots taken, by any process: mdb_reader_list() prints a header line and then
 * one line per slot. */
static guint
readers_in_use (MDB_env *env)
{
  guint lines = 0;

  mdb_reader_list (env, count_reader_cb, &lines);
  return lines > 1 ? lines - 1 : 0;
}

static void
add_info (GVariantBuilder *builder,
          const char      *name,
          GVariant        *value)
{
  g_variant_builder_add (builder, "{sv}", name, value);
}

/* Engine figures in a fixed order (a builder, unlike a GVariantDict, keeps it). Call
 * with @lock held. */
static GVariant *
engine_info (AvfsStorageLmdb *self)
{
  GVariantBuilder builder;
  MDB_envinfo info;
  guint64 used;

  mdb_env_info (self->env, &info);
  used = ((guint64) info.me_last_pgno + 1) * self->page_size;
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  add_info (&builder, "map_size", g_variant_new_uint64 (info.me_mapsize));
  add_info (&builder, "page_size", g_variant_new_uint32 (self->page_size));
  add_info (&builder, "last_pgno", g_variant_new_uint64 (info.me_last_pgno));
  add_info (&builder, "used_bytes", g_variant_new_uint64 (used));
  add_info (&builder, "last_txnid", g_variant_new_uint64 (info.me_last_txnid));
  add_info (&builder, "max_readers", g_variant_new_uint32 (info.me_maxreaders));
  add_info (&builder, "readers_in_use", g_variant_new_uint32 (readers_in_use (self->env)));
  add_info (&builder, "max_collections", g_variant_new_uint32 (MAX_COLLECTIONS));
  add_info (&builder, "no_sync", g_variant_new_boolean (self->settings.no_sync));
  add_info (&builder, "lmdb_version", g_variant_new_string (mdb_version (NULL, NULL, NULL)));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Call with @lock held shared. */
static AvfsStorageStats *
collect_stats (AvfsStorageLmdb  *self,
               GError          **error)
{
  g_autoptr(AvfsStorageStats) stats = avfs_storage_stats_new (ENGINE, self->path);
  g_auto(GStrv) names = avfs_storage_sorted_names (self->collections);
  MDB_txn *txn;
  int rc = read_begin (self, &txn);

  if (rc == MDB_SUCCESS)
    {
      for (guint i = 0; rc == MDB_SUCCESS && names[i] != NULL; i++)
        {
          const Collection *collection = g_hash_table_lookup (self->collections, names[i]);
          guint64 keys, bytes;

          rc = measure_collection (self, txn, collection, &keys, &bytes);
          if (rc == MDB_SUCCESS)
            avfs_storage_stats_add_collection (stats, names[i], keys, bytes);
        }
      read_end (self, txn);
    }
  if (rc != MDB_SUCCESS)
    {
      set_mdb_error (error, self->path, "measure", rc);
      return NULL;
    }

  stats->on_disk_bytes = avfs_storage_disk_usage (self->path);
  stats->engine_info = engine_info (self);
  return g_steal_pointer (&stats);
}

static AvfsStorageStats *
avfs_storage_lmdb_stats (AvfsStorage  *storage,
                         GError      **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  AvfsStorageStats *stats = NULL;

  g_rw_lock_reader_lock (&self->lock);
  if (self->env != NULL)
    stats = collect_stats (self, error);
  else
    avfs_storage_set_closed_error (error, ENGINE, self->path);
  g_rw_lock_reader_unlock (&self->lock);
  return stats;
}

/* Closing. */

/* Call with @lock held exclusively (no transaction running), or from open/finalize. */
static void
close_environment (AvfsStorageLmdb *self)
{
  drain_read_pool (self);
  forget_map (self);
  g_hash_table_remove_all (self->collections);
  g_clear_pointer (&self->env, mdb_env_close);
  g_atomic_int_set (&self->closed, TRUE);
}

static gboolean
avfs_storage_lmdb_close (AvfsStorage  *storage,
                         GError      **error)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);
  gboolean ok = TRUE;
  int rc;

  /* Waits for the running transaction, then for every reader. Cursors hold no LMDB
   * state between calls, so there is nothing of theirs to revoke. */
  g_mutex_lock (&self->writer);
  g_rw_lock_writer_lock (&self->lock);
  if (self->env != NULL)
    {
      /* With no_sync, the last commits may still be only in the page cache. */
      rc = mdb_env_sync (self->env, 1);
      if (rc != MDB_SUCCESS)
        {
          set_mdb_error (error, self->path, "close", rc);
          ok = FALSE;
        }
      close_environment (self);
      g_debug ("%s: closed", self->path);
    }
  g_rw_lock_writer_unlock (&self->lock);
  g_mutex_unlock (&self->writer);
  return ok;
}

static gboolean
avfs_storage_lmdb_is_closed (AvfsStorage *storage)
{
  /* No type check: is_closed() runs before every call. */
  return g_atomic_int_get (&((AvfsStorageLmdb *) storage)->closed);
}

static void
avfs_storage_lmdb_hint_bulk (AvfsStorage *storage,
                             gboolean     begin)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (storage);

  g_atomic_int_add (&self->bulk_jobs, begin ? 1 : -1);
}

static void
avfs_storage_lmdb_iface_init (AvfsStorageInterface *iface)
{
  iface->get_engine_name = avfs_storage_lmdb_get_engine_name;
  iface->get_path = avfs_storage_lmdb_get_path;
  iface->create_collection = avfs_storage_lmdb_create_collection;
  iface->list_collections = avfs_storage_lmdb_list_collections;
  iface->get = avfs_storage_lmdb_get;
  iface->put = avfs_storage_lmdb_put;
  iface->delete = avfs_storage_lmdb_delete;
  iface->exists = avfs_storage_lmdb_exists;
  iface->scan_range = avfs_storage_lmdb_scan_range;
  iface->transaction = avfs_storage_lmdb_transaction;
  iface->sync = avfs_storage_lmdb_sync;
  iface->compact = avfs_storage_lmdb_compact;
  iface->stats = avfs_storage_lmdb_stats;
  iface->close = avfs_storage_lmdb_close;
  iface->is_closed = avfs_storage_lmdb_is_closed;
  iface->hint_bulk = avfs_storage_lmdb_hint_bulk;
}

static void
avfs_storage_lmdb_finalize (GObject *object)
{
  AvfsStorageLmdb *self = AVFS_STORAGE_LMDB (object);

  if (self->env != NULL)
    avfs_storage_lmdb_close (AVFS_STORAGE (self), NULL);

  g_hash_table_unref (self->collections);
  g_free (self->path);
  g_free (self->data_path);
  g_rw_lock_clear (&self->lock);
  g_mutex_clear (&self->writer);
  g_mutex_clear (&self->map_lock);
  G_OBJECT_CLASS (avfs_storage_lmdb_parent_class)->finalize (object);
}

static void
avfs_storage_lmdb_class_init (AvfsStorageLmdbClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_storage_lmdb_finalize;
}

static void
avfs_storage_lmdb_init (AvfsStorageLmdb *self)
{
  g_rw_lock_init (&self->lock);
  g_mutex_init (&self->writer);
  g_mutex_init (&self->map_lock);
  self->collections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->closed = TRUE;
}

/* Opening. */

static gboolean
read_settings (GHashTable  *options,
               Settings    *settings,
               GError     **error)
{
  settings->map_size_given = options != NULL && g_hash_table_contains (options, "map_size");
  return avfs_storage_options_check_keys (options, ENGINE, error) &&
         avfs_storage_options_get_uint64 (options, ENGINE, "map_size", &settings->map_size,
                                          error) &&
         avfs_storage_options_get_uint64 (options, ENGINE, "max_readers",
                                          &settings->max_readers, error) &&
         avfs_storage_options_get_boolean (options, ENGINE, "no_sync", &settings->no_sync,
                                           error);
}

static void
set_damaged_error (GError     **error,
                   const char  *path,
                   const char  *problem)
{
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
               "The LMDB store “%s” is damaged: %s; restore the vault from a backup",
               path, problem);
}

static gboolean
meta_page_valid (const MetaPage *meta,
                 size_t          pgno)
{
  return meta->header.pgno == pgno && (meta->header.flags & MDB_PAGE_META) != 0 &&
         meta->magic == MDB_META_MAGIC && meta->version == MDB_META_VERSION;
}

static gboolean
tree_root_valid (const TreeRecord *tree,
                 size_t            last_pgno)
{
  return tree->root == MDB_NO_PAGE || (tree->root >= 2 && tree->root <= last_pgno);
}

/* Checks data.mdb's two meta pages and that the file holds every page the newer one
 * counts: LMDB maps the file, and reading a page past its end would kill the process
 * with SIGBUS. Fills @newest with the newer meta page. */
static gboolean
check_data_file (const char  *path,
                 const char  *data_path,
                 int          fd,
                 MetaPage    *newest,
                 GError     **error)
{
  MetaPage metas[2];
  struct stat st;
  size_t page_size;
  const MetaPage *meta;

  if (fstat (fd, &st) != 0 || pread (fd, &metas[0], sizeof metas[0], 0) != sizeof metas[0])
    {
      set_damaged_error (error, path, "data.mdb is empty or cannot be read");
      return FALSE;
    }
  page_size = metas[0].trees[0].pad;
  if (!meta_page_valid (&metas[0], 0) || page_size < 512 || page_size > 65536 ||
      (page_size & (page_size - 1)) != 0)
    {
      set_damaged_error (error, path, "data.mdb does not start with an LMDB meta page");
      return FALSE;
    }
  if ((guint64) st.st_size < 2 * (guint64) page_size ||
      pread (fd, &metas[1], sizeof metas[1], page_size) != sizeof metas[1] ||
      !meta_page_valid (&metas[1], 1))
    {
      set_damaged_error (error, path, "the second meta page of data.mdb is missing or invalid");
      return FALSE;
    }

  meta = &metas[metas[0].txnid < metas[1].txnid ? 1 : 0];
  if (meta->last_pgno < 1 || meta->last_pgno >= G_MAXUINT64 / page_size ||
      !tree_root_valid (&meta->trees[0], meta->last_pgno) ||
      !tree_root_valid (&meta->trees[1], meta->last_pgno))
    {
      set_damaged_error (error, path, "the meta pages of data.mdb point outside the file");
      return FALSE;
    }
  if ((guint64) st.st_size < ((guint64) meta->last_pgno + 1) * page_size)
    {
      g_autofree char *problem =
        g_strdup_printf ("%s is truncated (%" G_GUINT64_FORMAT " bytes, but its pages "
                         "need %" G_GUINT64_FORMAT ")", data_path, (guint64) st.st_size,
                         ((guint64) meta->last_pgno + 1) * page_size);
      set_damaged_error (error, path, problem);
      return FALSE;
    }
  *newest = *meta;
  return TRUE;
}

/* Refuses what is not a healthy LMDB store before LMDB maps it. */
static gboolean
check_existing (const char  *path,
                const char  *data_path,
                MetaPage    *newest,
                GError     **error)
{
  gboolean ok;
  int fd;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                   "No LMDB vault at “%s”; check the path or create the vault first", path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || !g_file_test (data_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” is not an LMDB store: it is not a folder with a data.mdb file", path);
      return FALSE;
    }

  fd = g_open (data_path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_mdb_error (error, path, "open", errno);
      return FALSE;
    }
  ok = check_data_file (path, data_path, fd, newest, error);
  close (fd);
  return ok;
}

/* Opens the DBI of every collection; the main DBI's keys name them. */
static gboolean
load_collections (AvfsStorageLmdb  *self,
                  GError          **error)
{
  MDB_txn *txn = NULL;
  MDB_cursor *mc;
  MDB_val key, value;
  MDB_dbi main_dbi;
  int rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn);

  if (rc == MDB_SUCCESS && (rc = mdb_dbi_open (txn, NULL, 0, &main_dbi)) == MDB_SUCCESS &&
      (rc = mdb_cursor_open (txn, main_dbi, &mc)) == MDB_SUCCESS)
    {
      for (rc = mdb_cursor_get (mc, &key, &value, MDB_FIRST); rc == MDB_SUCCESS;
           rc = mdb_cursor_get (mc, &key, &value, MDB_NEXT))
        {
          g_autofree char *name = g_strndup (key.mv_data, key.mv_size);
          g_autofree char *values = NULL;
          Collection collection = { 0, 0 };

          /* Only names avfs could have made are collections; NAME/values is part of one. */
          if (strlen (name) != key.mv_size || !avfs_storage_check_collection (name, NULL))
            continue;
          values = g_strconcat (name, VALUES_SUFFIX, NULL);
          rc = mdb_dbi_open (txn, name, 0, &collection.keys);
          if (rc != MDB_SUCCESS)
            break;
          rc = mdb_dbi_open (txn, values, 0, &collection.values);
          if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
            break;
          g_hash_table_insert (self->collections, g_steal_pointer (&name),
                               g_memdup2 (&collection, sizeof collection));
        }
      mdb_cursor_close (mc);
    }
  /* Committing, even a read transaction, keeps the DBI handles it opened. */
  if (rc == MDB_NOTFOUND)
    rc = mdb_txn_commit (txn);
  else if (txn != NULL)
    mdb_txn_abort (txn);

  if (rc != MDB_SUCCESS)
    {
      set_mdb_error (error, self->path, "open", rc == MDB_INCOMPATIBLE ? MDB_INVALID : rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_environment (AvfsStorageLmdb  *self,
                  guint64           map_size,
                  gboolean          create,
                  GError          **error)
{
  unsigned int flags = MDB_NOTLS | (self->settings.no_sync ? MDB_NOSYNC : 0);
  MDB_stat st;
  int dead;
  int rc = mdb_env_create (&self->env);

  if (rc == MDB_SUCCESS)
    rc = mdb_env_set_maxdbs (self->env, MAX_COLLECTIONS);
  if (rc == MDB_SUCCESS)
    rc = mdb_env_set_maxreaders (self->env, self->settings.max_readers);
  if (rc == MDB_SUCCESS && map_size > 0)
    rc = mdb_env_set_mapsize (self->env, map_size);
  if (rc == MDB_SUCCESS)
    rc = mdb_env_open (self->env, self->path, flags, 0600);
  if (rc != MDB_SUCCESS)
    {
      set_mdb_error (error, self->path, create ? "create" : "open", rc);
      g_clear_pointer (&self->env, mdb_env_close);
      return FALSE;
    }

  g_atomic_int_set (&self->closed, FALSE);
  mdb_env_stat (self->env, &st);
  self->page_size = st.ms_psize;
  /* Frees the reader slots of processes that died holding them. */
  mdb_reader_check (self->env, &dead);
  if (!load_collections (self, error))
    {
      close_environment (self);
      return FALSE;
    }
  return TRUE;
}

/**
 * avfs_storage_lmdb_open:
 * @path: the store's directory (`NAME.lmdb`)
 * @options: (nullable): `map_size` (bytes, the first map; it grows as needed),
 *   `max_readers`, `no_sync` (true to skip fsync at commit)
 * @mode: create a store where nothing exists yet, or open the one there
 * @error: return location for an error
 *
 * Opens an LMDB store, one named DBI per collection. The store is thread-safe, and
 * several processes may have it open at once.
 *
 * Returns: (transfer full) (nullable): the store
 */
AvfsStorage *
avfs_storage_lmdb_open (const char     *path,
                        GHashTable     *options,
                        AvfsStoreMode   mode,
                        GError        **error)
{
  gboolean create = mode == AVFS_STORE_CREATE;
  g_autoptr(AvfsStorageLmdb) self = NULL;
  g_autofree char *data_path = NULL;
  Settings settings;
  MetaPage newest;
  guint64 map_size;

  g_return_val_if_fail (path != NULL, NULL);

  if (!read_settings (options, &settings, error))
    return NULL;

  data_path = g_build_filename (path, "data.mdb", NULL);
  if (create)
    {
      if (g_mkdir (path, 0700) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, AVFS_ERROR,
                       saved_errno == EEXIST ? AVFS_ERROR_EXISTS : AVFS_ERROR_IO,
                       "Cannot create the LMDB store “%s”: %s", path, g_strerror (saved_errno));
          return NULL;
        }
      map_size = settings.map_size;
    }
  else
    {
      if (!check_existing (path, data_path, &newest, error))
        return NULL;
      /* Keep a map the store has grown to; a configured larger one wins. */
      map_size = settings.map_size_given ? MAX (settings.map_size, newest.map_size) : 0;
    }

  self = g_object_new (AVFS_TYPE_STORAGE_LMDB, NULL);
  self->path = g_strdup (path);
  self->data_path = g_steal_pointer (&data_path);
  self->settings = settings;
  self->read_pool_size = MIN (READ_POOL_SIZE, settings.max_readers / 2);
  if (!open_environment (self, map_size, create, error))
    return NULL;

  g_debug ("%s: opened with %u collections", path, g_hash_table_size (self->collections));
  return AVFS_STORAGE (g_steal_pointer (&self));
}
