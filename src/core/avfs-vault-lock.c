/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which avfs processes have a vault open.
 *
 * Every process that opens a vault holds a shared lock on it while it has it open; a
 * migration, which replaces the vault and removes the original, needs the only one, so
 * that no program goes on writing into a vault that is about to vanish, and no program
 * opens one that is being replaced. The engines' own locks do not tell: SQLite and LMDB
 * let any number of processes in. A directory (LMDB, RocksDB) is locked with flock(); a
 * SQLite vault file with an open-file-description lock on its first byte, which SQLite
 * never locks. A process keeps one descriptor per vault and closes it only when none of
 * its vault objects has the vault open any more: closing any descriptor of a file drops
 * the POSIX locks the process holds on it, SQLite's own included. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* F_OFD_SETLK */
#endif
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "avfs-error.h"
#include "avfs-vault-lock.h"

struct _AvfsVaultLock
{
  guint ref_count;     /* under locks_mutex, as are the other fields */
  dev_t device;
  ino_t inode;
  char *path;
  int fd;              /* -1 where the file system has no locks */
  gboolean is_directory;
  gboolean exclusive;
};

static GMutex locks_mutex;
static GPtrArray *open_locks;  /* every AvfsVaultLock of the process */

static AvfsVaultLock *
find_lock (const GStatBuf *st)
{
  for (guint i = 0; open_locks != NULL && i < open_locks->len; i++)
    {
      AvfsVaultLock *lock = g_ptr_array_index (open_locks, i);

      if (lock->device == st->st_dev && lock->inode == st->st_ino)
        return lock;
    }
  return NULL;
}

/* Sets the lock without waiting; errno says why not. */
static gboolean
set_lock (AvfsVaultLock *lock,
          gboolean       exclusive)
{
  struct flock range = { .l_type = exclusive ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET,
                         .l_start = 0, .l_len = 1 };

  if (lock->is_directory)
    return flock (lock->fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0;
  return fcntl (lock->fd, F_OFD_SETLK, &range) == 0;
}

static void
set_system_error (GError     **error,
                  int          saved_errno,
                  const char  *what,
                  const char  *path)
{
  g_set_error (error, AVFS_ERROR,
               saved_errno == ENOENT ? AVFS_ERROR_NOT_FOUND : AVFS_ERROR_IO,
               "Could not %s %s: %s", what, path, g_strerror (saved_errno));
}

static gboolean
is_held_elsewhere (int saved_errno)
{
  return saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == EACCES;
}

/* A file system without locks (some network ones) is used without them, as before. */
static gboolean
is_unsupported (int saved_errno)
{
  return saved_errno == ENOLCK || saved_errno == EOPNOTSUPP || saved_errno == EINVAL;
}

static int
open_descriptor (const char *path,
                 gboolean    is_directory)
{
  int fd;

  if (is_directory)
    return g_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  /* A write lock needs a descriptor open for writing; a read-only vault file gets
   * shared locks only. */
  fd = g_open (path, O_RDWR | O_CLOEXEC, 0);
  return fd >= 0 || (errno != EACCES && errno != EROFS) ? fd
         : g_open (path, O_RDONLY | O_CLOEXEC, 0);
}

static AvfsVaultLock *
lock_new (const char     *path,
          const GStatBuf *st,
          GError        **error)
{
  g_autofree AvfsVaultLock *lock = g_new0 (AvfsVaultLock, 1);
  int saved_errno;

  lock->ref_count = 1;
  lock->device = st->st_dev;
  lock->inode = st->st_ino;
  lock->is_directory = S_ISDIR (st->st_mode);
  lock->fd = open_descriptor (path, lock->is_directory);
  if (lock->fd < 0)
    {
      set_system_error (error, errno, "open", path);
      return NULL;
    }
  if (!set_lock (lock, FALSE))
    {
      saved_errno = errno;
      g_close (lock->fd, NULL);
      lock->fd = -1;
      if (is_held_elsewhere (saved_errno))
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
                       "%s is being migrated by another avfs process; open it again when "
                       "that has finished", path);
          return NULL;
        }
      if (!is_unsupported (saved_errno))
        {
          set_system_error (error, saved_errno, "lock", path);
          return NULL;
        }
    }
  lock->path = g_strdup (path);
  return g_steal_pointer (&lock);
}

/**
 * avfs_vault_lock_acquire:
 * @path: a vault's file or directory
 *
 * Takes this process's shared lock on the vault at @path, or another reference to it.
 *
 * Returns: (transfer full) (nullable): the lock; %NULL with %AVFS_ERROR_LOCKED when
 *   another process migrates the vault, or an I/O error
 */
AvfsVaultLock *
avfs_vault_lock_acquire (const char  *path,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&locks_mutex);
  AvfsVaultLock *lock;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      set_system_error (error, errno, "open", path);
      return NULL;
    }
  lock = find_lock (&st);
  if (lock != NULL)
    {
      lock->ref_count++;
      return lock;
    }
  lock = lock_new (path, &st, error);
  if (lock == NULL)
    return NULL;
  if (open_locks == NULL)
    open_locks = g_ptr_array_new ();
  g_ptr_array_add (open_locks, lock);
  return lock;
}

/**
 * avfs_vault_lock_make_exclusive:
 *
 * Makes this process the only one that has the vault open, until the last reference to
 * @lock goes; other processes' opens fail meanwhile.
 *
 * Returns: %TRUE, or %FALSE with %AVFS_ERROR_LOCKED when another process has it open
 */
gboolean
avfs_vault_lock_make_exclusive (AvfsVaultLock  *lock,
                                GError        **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&locks_mutex);
  int saved_errno;

  if (lock->exclusive || lock->fd < 0 || set_lock (lock, TRUE))
    {
      lock->exclusive = TRUE;
      return TRUE;
    }
  saved_errno = errno;
  /* flock() converts a lock by dropping it first: take the shared one back. */
  if (lock->is_directory && !set_lock (lock, FALSE))
    g_debug ("Lost the shared lock on %s: %s", lock->path, g_strerror (errno));
  if (is_held_elsewhere (saved_errno))
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED,
                 "%s is open in another program (the avfs app or an avfs-cli shell, say); "
                 "close it there and try again", lock->path);
  else
    set_system_error (error, saved_errno, "lock", lock->path);
  return FALSE;
}

AvfsVaultLock *
avfs_vault_lock_ref (AvfsVaultLock *lock)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&locks_mutex);

  lock->ref_count++;
  return lock;
}

/**
 * avfs_vault_lock_unref:
 *
 * Drops a reference; the last one lets go of the lock. Call it only after the vault's
 * store is closed (see the top of this file).
 */
void
avfs_vault_lock_unref (AvfsVaultLock *lock)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&locks_mutex);

  if (--lock->ref_count > 0)
    return;
  g_ptr_array_remove_fast (open_locks, lock);
  if (lock->fd >= 0)
    g_close (lock->fd, NULL);
  g_free (lock->path);
  g_free (lock);
}
