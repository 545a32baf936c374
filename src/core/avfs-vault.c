/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsVault: creating, opening and closing a vault, and its settings. */
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-private.h"

static const char * const collections[] = {
  AVFS_COLLECTION_META, AVFS_COLLECTION_NODES, AVFS_COLLECTION_DIRENTS,
  AVFS_COLLECTION_BLOBS, AVFS_COLLECTION_VERSIONS, AVFS_COLLECTION_TAGS,
  AVFS_COLLECTION_TAG_INDEX, AVFS_COLLECTION_PROPS, AVFS_COLLECTION_SNAPSHOTS,
  AVFS_COLLECTION_SNAPSHOT_ENTRIES, AVFS_COLLECTION_AUDIT, AVFS_COLLECTION_SEARCH_QUEUE,
};

/**
 * avfs_vault_collection_flags:
 * @collection: a collection of a vault
 *
 * Returns: how a store should lay @collection out: chunks, compressed and under their
 *   hashes, are large values in no useful order
 */
AvfsCollectionFlags
avfs_vault_collection_flags (const char *collection)
{
  return g_str_equal (collection, AVFS_COLLECTION_BLOBS) ? AVFS_COLLECTION_LARGE_VALUES
                                                         : AVFS_COLLECTION_DEFAULT;
}

/**
 * AvfsVault:
 *
 * A vault. Thread-safe: any number of threads may read while one mutation runs;
 * mutations queue behind each other.
 */
G_DEFINE_FINAL_TYPE (AvfsVault, avfs_vault, G_TYPE_OBJECT)

static void
avfs_vault_finalize (GObject *object)
{
  AvfsVault *self = AVFS_VAULT (object);

  /* FTS5 holds statements on the store's connections: it goes first. */
  avfs_vault_search_wait (self);
  g_clear_object (&self->search);
  g_clear_object (&self->storage);
  g_clear_pointer (&self->access_lock, avfs_vault_lock_unref);
  g_hash_table_unref (self->search_marks);
  g_ptr_array_unref (self->changes);
  g_mutex_clear (&self->search_lock);
  g_cond_clear (&self->search_cond);
  g_free (self->path);
  g_free (self->uuid);
  avfs_chunk_dictionary_free (self->dictionary);
  g_mutex_clear (&self->write_lock);
  G_OBJECT_CLASS (avfs_vault_parent_class)->finalize (object);
}

static void
avfs_vault_class_init (AvfsVaultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_vault_finalize;

  /**
   * AvfsVault::changed:
   * @op: what happened, as the audit log names it (`write`, `mv`, `rm`, `import`…)
   * @path: the path it happened to (for `mv` and `cp`, the source)
   *
   * Emitted after each committed mutation, in the thread that made it, with the vault's
   * write lock held: a handler must not change the vault itself, only schedule work
   * (the app reloads from an idle on its main context).
   */
  g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
avfs_vault_init (AvfsVault *self)
{
  g_mutex_init (&self->write_lock);
  g_mutex_init (&self->search_lock);
  g_cond_init (&self->search_cond);
  self->search_marks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                              (GDestroyNotify) g_strfreev);
  self->changes = g_ptr_array_new_with_free_func (g_free);
  self->audit_sequence = g_random_int ();
}

static gboolean
check_settings (const AvfsVaultSettings  *settings,
                GError                  **error)
{
  if (settings->chunk_size < 64 * 1024 || settings->chunk_size > 64 * 1024 * 1024)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Chunk size %u is out of range: use 65536 to 67108864 bytes",
                   settings->chunk_size);
      return FALSE;
    }
  if (settings->compression_level < 0 || settings->compression_level > AVFS_ZSTD_MAX_LEVEL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Compression level %d is out of range: use 0 (none) to %d",
                   settings->compression_level, AVFS_ZSTD_MAX_LEVEL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
put_meta_string (AvfsTransaction  *tx,
                 const char       *name,
                 const char       *value,
                 GError          **error)
{
  return avfs_transaction_put (tx, AVFS_COLLECTION_META, (const guint8 *) name,
                               strlen (name), (const guint8 *) value, strlen (value), error);
}

/* The first transaction of a vault: its identity, settings, usage and the root. */
static gboolean
initialize_cb (AvfsTransaction  *tx,
               gpointer          user_data,
               GError          **error)
{
  AvfsVault *self = user_data;
  g_autoptr(AvfsNode) root = avfs_node_new (AVFS_ROOT_ID, AVFS_NODE_KIND_DIRECTORY, 0, "");
  g_autofree char *created = g_strdup_printf ("%" G_GINT64_FORMAT, root->created_us);
  AvfsUsage usage = { 0 };

  return avfs_meta_put_uint64 (tx, "format", AVFS_VAULT_FORMAT, error) &&
         put_meta_string (tx, "uuid", self->uuid, error) &&
         put_meta_string (tx, "created", created, error) &&
         avfs_meta_put_uint64 (tx, "next_id", AVFS_ROOT_ID + 1, error) &&
         avfs_meta_put_uint64 (tx, "chunk_size", self->settings.chunk_size, error) &&
         avfs_meta_put_uint64 (tx, "compression_level", self->settings.compression_level,
                               error) &&
         avfs_usage_save (tx, &usage, error) &&
         avfs_node_save (tx, root, error);
}

/* Makes @path private to its owner: files 0600, directories 0700 and what they hold.
 * RocksDB and Xapian create their files with the process's umask; the vault's own
 * directory already keeps others out meanwhile, this makes every file say so too. */
static gboolean
restrict_access (const char  *path,
                 GError     **error)
{
  gboolean is_dir = g_file_test (path, G_FILE_TEST_IS_DIR);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_chmod (path, is_dir ? 0700 : 0600) != 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not restrict access to %s: %s",
                   path, g_strerror (errno));
      return FALSE;
    }
  if (!is_dir)
    return TRUE;
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      /* An engine makes no links; one put there is not followed out of the vault. */
      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && !restrict_access (child, error))
        return FALSE;
    }
  return TRUE;
}

/* After an open or a close; a vault on a file system without permissions, or
 * somebody else's that we may read, stays as it is. */
static void
try_restrict_access (const char *path)
{
  g_autoptr(GError) error = NULL;

  if (path != NULL && !restrict_access (path, &error))
    g_debug ("%s", error->message);
}

/* Removes what a failed creation left; a memory store has nothing on disk. */
static void
discard_store (AvfsStorage *storage,
               const char  *path)
{
  avfs_storage_close (storage, NULL);
  if (path != NULL)
    avfs_storage_delete_store (path, NULL);
}

/**
 * avfs_vault_create:
 * @engine: an engine name (`sqlite`, `lmdb`, `rocksdb`, `memory`)
 * @path: (nullable): where the vault goes (must not exist); %NULL for memory
 * @backend_options: (nullable): the engine's options
 * @settings: (nullable): chunk size and compression, or %NULL for the defaults
 *
 * Creates an empty vault. When anything fails, nothing is left behind.
 *
 * Returns: (transfer full) (nullable): the open vault
 */
AvfsVault *
avfs_vault_create (const char               *engine,
                   const char               *path,
                   GHashTable               *backend_options,
                   const AvfsVaultSettings  *settings,
                   GError                  **error)
{
  static const AvfsVaultSettings defaults = {
    AVFS_VAULT_DEFAULT_CHUNK_SIZE, AVFS_VAULT_DEFAULT_COMPRESSION_LEVEL,
  };
  g_autoptr(AvfsVault) self = NULL;
  g_autoptr(AvfsStorage) storage = NULL;

  if (settings == NULL)
    settings = &defaults;
  if (!check_settings (settings, error))
    return NULL;
  storage = avfs_storage_create_store (engine, path, backend_options, error);
  if (storage == NULL)
    return NULL;

  self = g_object_new (AVFS_TYPE_VAULT, NULL);
  self->storage = g_object_ref (storage);
  self->path = g_strdup (path);
  self->uuid = g_uuid_string_random ();
  self->settings = *settings;
  for (guint i = 0; i < G_N_ELEMENTS (collections); i++)
    {
      if (!avfs_storage_create_collection (storage, collections[i],
                                           avfs_vault_collection_flags (collections[i]),
                                           error))
        break;
    }
  /* Not avfs_vault_transaction(): there is no vault to audit until this commits. */
  if ((error != NULL && *error != NULL) ||
      !avfs_storage_transaction (storage, initialize_cb, self, error) ||
      (path != NULL && (!restrict_access (path, error) ||
                        (self->access_lock = avfs_vault_lock_acquire (path, error)) == NULL)))
    {
      discard_store (storage, path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

static char *
get_meta_string (AvfsStorage  *storage,
                 const char   *name,
                 GError      **error)
{
  g_autoptr(GBytes) bytes = avfs_storage_get (storage, AVFS_COLLECTION_META,
                                              (const guint8 *) name, strlen (name), error);

  if (bytes == NULL)
    return NULL;
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Reads the vault's identity and settings, refusing a store avfs's core did not make. */
static gboolean
load_identity (AvfsVault  *self,
               GError    **error)
{
  GError *local_error = NULL;
  guint64 format = 0, chunk_size = 0, level = 0;

  if (!avfs_meta_get_uint64 (self, NULL, "format", &format, &local_error) || format == 0)
    {
      g_clear_error (&local_error);
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "%s is a storage file but holds no avfs vault", self->path);
      return FALSE;
    }
  if (format > AVFS_VAULT_FORMAT)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "%s was written by a newer avfs (vault format %" G_GUINT64_FORMAT
                   "); update avfs to open it", self->path, format);
      return FALSE;
    }
  if (!avfs_meta_get_uint64 (self, NULL, "chunk_size", &chunk_size, error) ||
      !avfs_meta_get_uint64 (self, NULL, "compression_level", &level, error))
    return FALSE;
  self->settings.chunk_size = chunk_size;
  self->settings.compression_level = level;
  self->uuid = get_meta_string (self->storage, "uuid", error);
  if (self->uuid == NULL && error != NULL && *error == NULL)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT, "%s has no vault id", self->path);
  return self->uuid != NULL && check_settings (&self->settings, error) &&
         avfs_vault_load_chunk_dictionary (self, error);
}

static AvfsVault *
open_vault (const char     *path,
            GHashTable     *backend_options,
            AvfsStoreMode   mode,
            GError        **error)
{
  g_autoptr(AvfsVault) self = NULL;
  g_autoptr(AvfsVaultLock) lock = NULL;
  AvfsStorage *storage;

  /* Locked first, so that a migration under way elsewhere keeps us out; where there is
   * nothing to lock, the engine says what is wrong. */
  if (g_file_test (path, G_FILE_TEST_EXISTS) &&
      (lock = avfs_vault_lock_acquire (path, error)) == NULL)
    return NULL;
  if (mode == AVFS_STORE_READ)
    storage = avfs_storage_open_store_to_read (path, backend_options, error);
  else
    storage = avfs_storage_open_store (path, backend_options, error);
  if (storage == NULL)
    return NULL;
  self = g_object_new (AVFS_TYPE_VAULT, NULL);
  self->storage = storage;
  self->access_lock = g_steal_pointer (&lock);
  self->path = g_strdup (path);
  self->read_only = mode == AVFS_STORE_READ;
  if (!load_identity (self, error))
    {
      avfs_storage_close (self->storage, NULL);
      return NULL;
    }
  if (!self->read_only)
    try_restrict_access (path);
  return g_steal_pointer (&self);
}

/**
 * avfs_vault_open:
 * @path: the vault's file or directory; its engine is detected from what is there
 * @backend_options: (nullable): the engine's options
 *
 * Returns: (transfer full) (nullable): the open vault
 */
AvfsVault *
avfs_vault_open (const char  *path,
                 GHashTable  *backend_options,
                 GError     **error)
{
  return open_vault (path, backend_options, AVFS_STORE_OPEN, error);
}

/**
 * avfs_vault_open_to_read:
 *
 * Opens a vault that will only be read, writing nothing to its files that can be
 * avoided (%AVFS_STORE_READ): a migration's source, avfs-cli's reading commands. A
 * RocksDB vault opens twice as fast this way (no new manifest and settings file), and
 * beside a process that holds it, whose commits up to the open it sees. Its search queue
 * is left as it is, so searches do not see what a queue left by a crash holds: open the
 * vault normally first when avfs_vault_search_has_queue() says there is one. Nothing
 * may be changed through it (RocksDB refuses; the other engines rely on the caller).
 *
 * Returns: (transfer full) (nullable): the open vault
 */
AvfsVault *
avfs_vault_open_to_read (const char  *path,
                         GHashTable  *backend_options,
                         GError     **error)
{
  return open_vault (path, backend_options, AVFS_STORE_READ, error);
}

/**
 * avfs_vault_close:
 *
 * Closes the store; later calls fail with %AVFS_ERROR_CLOSED. Waits for a running
 * mutation to finish.
 */
gboolean
avfs_vault_close (AvfsVault  *self,
                  GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gboolean closed;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  locker = g_mutex_locker_new (&self->write_lock);
  avfs_vault_search_close (self);
  closed = avfs_storage_close (self->storage, error);
  if (!self->read_only)
    try_restrict_access (self->path);
  g_clear_pointer (&self->access_lock, avfs_vault_lock_unref);
  return closed;
}

const char *
avfs_vault_get_path (AvfsVault *self)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  return self->path;
}

const char *
avfs_vault_get_engine_name (AvfsVault *self)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  return avfs_storage_get_engine_name (self->storage);
}

const char *
avfs_vault_get_uuid (AvfsVault *self)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  return self->uuid;
}

/**
 * avfs_vault_get_storage:
 *
 * Returns: (transfer none): the engine under the vault (for stats and migration)
 */
AvfsStorage *
avfs_vault_get_storage (AvfsVault *self)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  return self->storage;
}

/* The job holds the store: an AvfsStorage in disguise. */
AvfsBulkJob *
avfs_vault_begin_bulk (AvfsVault *self)
{
  avfs_storage_begin_bulk (self->storage);
  return (AvfsBulkJob *) g_object_ref (self->storage);
}

void
avfs_bulk_job_end (AvfsBulkJob *job)
{
  AvfsStorage *storage = (AvfsStorage *) job;

  avfs_storage_end_bulk (storage);
  g_object_unref (storage);
}

void
avfs_vault_get_settings (AvfsVault         *self,
                         AvfsVaultSettings *settings)
{
  g_return_if_fail (AVFS_IS_VAULT (self));
  settings->chunk_size = self->settings.chunk_size;
  settings->compression_level = g_atomic_int_get (&self->settings.compression_level);
}

static gboolean
save_level_cb (AvfsTransaction  *tx,
               gpointer          user_data,
               GError          **error)
{
  return avfs_meta_put_uint64 (tx, "compression_level", GPOINTER_TO_INT (user_data), error);
}

/**
 * avfs_vault_set_compression_level:
 * @level: 0 (store raw) to 19
 *
 * Applies to chunks written from now on; stored chunks keep their encoding.
 */
gboolean
avfs_vault_set_compression_level (AvfsVault  *self,
                                  gint        level,
                                  GError    **error)
{
  AvfsVaultSettings settings = { self->settings.chunk_size, level };
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  if (!check_settings (&settings, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->write_lock);
  if (!avfs_vault_transaction (self, save_level_cb, GINT_TO_POINTER (level), error))
    return FALSE;
  g_atomic_int_set (&self->settings.compression_level, level);
  return TRUE;
}
