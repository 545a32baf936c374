/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The engine registry: the engines this build knows, detection, create and open. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "avfs-config.h"
#include "avfs-engine-module.h"
#include "avfs-storage-memory.h"
#include "avfs-storage-private.h"
#include "avfs-storage-registry.h"
#include "avfs-storage-sqlite.h"
#if AVFS_HAVE_LMDB
# include "avfs-storage-lmdb.h"
#endif
#if AVFS_HAVE_ROCKSDB
# include "avfs-storage-rocksdb.h"
#endif

/* Every store records the engine that made it, so a renamed or mislabelled vault is
 * caught at open instead of being misread. */
#define STORAGE_COLLECTION "_storage"
#define ENGINE_KEY "engine"

#define NOT_COMPILED "not compiled in this build"

#if AVFS_HAVE_ROCKSDB
/* RocksDB is a module (avfs-engine-module.c): loaded by the first vault that needs it. */
static AvfsStorage *
open_rocksdb (const char     *path,
              GHashTable     *options,
              AvfsStoreMode   mode,
              GError        **error)
{
  AvfsStorageOpenFunc open = avfs_engine_module_symbol ("avfs-storage-rocksdb",
                                                        "avfs_storage_rocksdb_open", error);

  return open != NULL ? open (path, options, mode, error) : NULL;
}
#endif

static const AvfsEngineInfo engines[] = {
  { "sqlite", ".avfs", FALSE, "FTS5 (built in)",
    "General use, queries; maximum compatibility", "Larger files, slower writes",
    TRUE, NULL, avfs_storage_sqlite_open },
#if AVFS_HAVE_LMDB
  { "lmdb", ".lmdb", TRUE, "Xapian", "Read-heavy (serving), memory-mapped",
    "Map size grows as needed; separate search index", TRUE, NULL, avfs_storage_lmdb_open },
#else
  { "lmdb", ".lmdb", TRUE, "Xapian", "Read-heavy (serving), memory-mapped",
    "Map size grows as needed; separate search index", FALSE, NOT_COMPILED, NULL },
#endif
#if AVFS_HAVE_ROCKSDB
  { "rocksdb", ".rocksdb", TRUE, "Xapian", "Large datasets, write-heavy imports (LSM)",
    "More dependencies; one process at a time", TRUE, NULL, open_rocksdb },
#else
  { "rocksdb", ".rocksdb", TRUE, "Xapian", "Large datasets, write-heavy imports (LSM)",
    "More dependencies; one process at a time", FALSE, NOT_COMPILED, NULL },
#endif
  { "memory", NULL, FALSE, "In-memory index", "Tests and temporary vaults",
    "Not persistent: lives as long as the process", TRUE, NULL, avfs_storage_memory_open },
  { "sled", ".sled", TRUE, "Tantivy", "High write throughput",
    "Rust-only engine", FALSE, NOT_COMPILED " (sled is a Rust-only engine)", NULL },
};

/**
 * avfs_storage_list_engines:
 * @n_engines: (out): how many there are
 *
 * Returns: (array length=n_engines) (transfer none): every engine avfs knows, available
 *   or not, the default first
 */
const AvfsEngineInfo *
avfs_storage_list_engines (guint *n_engines)
{
  *n_engines = G_N_ELEMENTS (engines);
  return engines;
}

static char *
engine_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", engines[i].name);
  return g_string_free (names, FALSE);
}

/**
 * avfs_storage_lookup_engine:
 * @name: an engine name
 * @error: return location for an error
 *
 * Returns: (transfer none) (nullable): the engine, or %NULL with
 *   %AVFS_ERROR_BACKEND_UNAVAILABLE when it is unknown or not compiled in
 */
const AvfsEngineInfo *
avfs_storage_lookup_engine (const char  *name,
                            GError     **error)
{
  g_autofree char *known = NULL;

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (engines); i++)
    {
      if (g_ascii_strcasecmp (engines[i].name, name) != 0)
        continue;
      if (!engines[i].available)
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE,
                       "Backend '%s' is not compiled in this build", engines[i].name);
          return NULL;
        }
      return &engines[i];
    }

  known = engine_names ();
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE,
               "Unknown backend '%s' (known backends: %s)", name ? name : "", known);
  return NULL;
}

/* A single file can only be SQLite. A `.avfs` file is handed to the SQLite engine
 * unread, because closing any descriptor of a file drops the POSIX locks this process
 * holds on it, and SQLite may hold them here already; the engine checks the header
 * through SQLite's own file layer. */
static char *
detect_file_engine (const char  *path,
                    GError     **error)
{
  static const char sqlite_magic[16] = "SQLite format 3";
  char header[16] = { 0 };
  FILE *file;
  gsize n;

  if (g_str_has_suffix (path, ".avfs"))
    return g_strdup ("sqlite");
  file = fopen (path, "rb");
  if (file == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Cannot read “%s”: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }
  n = fread (header, 1, sizeof header, file);
  fclose (file);

  if (n == sizeof header && memcmp (header, sqlite_magic, sizeof header) == 0)
    return g_strdup ("sqlite");

  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
               n == 0 ? "“%s” is empty, not a vault" :
                        "“%s” is not a vault: it is neither an SQLite, LMDB nor RocksDB store",
               path);
  return NULL;
}

/**
 * avfs_storage_detect_engine:
 * @path: a store's file or directory
 * @error: return location for an error
 *
 * Tells the engine from what is on disk: an SQLite header, an LMDB `data.mdb`, a
 * RocksDB `CURRENT`. Detection does not depend on whether the engine is compiled in.
 *
 * Returns: (transfer full) (nullable): the engine's name
 */
char *
avfs_storage_detect_engine (const char  *path,
                            GError     **error)
{
  g_autofree char *mdb = NULL;
  g_autofree char *current = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND, "No vault at “%s”", path);
      return NULL;
    }
  /* Reading a fifo would wait for a writer forever; a device is no store either. */
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” is not a vault: it is a fifo, socket or device, not a file or folder",
                   path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return detect_file_engine (path, error);

  mdb = g_build_filename (path, "data.mdb", NULL);
  if (g_file_test (mdb, G_FILE_TEST_IS_REGULAR))
    return g_strdup ("lmdb");
  current = g_build_filename (path, "CURRENT", NULL);
  if (g_file_test (current, G_FILE_TEST_IS_REGULAR))
    return g_strdup ("rocksdb");

  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
               "The folder “%s” is not a vault: it holds neither an LMDB data.mdb nor a "
               "RocksDB CURRENT file", path);
  return NULL;
}

static GHashTable *
options_for (GHashTable *backend_options,
             const char *engine)
{
  return backend_options != NULL ? g_hash_table_lookup (backend_options, engine) : NULL;
}

static gboolean
record_engine (AvfsStorage  *store,
               const char   *engine,
               GError      **error)
{
  return avfs_storage_create_collection (store, STORAGE_COLLECTION, AVFS_COLLECTION_DEFAULT,
                                         error) &&
         avfs_storage_put (store, STORAGE_COLLECTION,
                           (const guint8 *) ENGINE_KEY, strlen (ENGINE_KEY),
                           (const guint8 *) engine, strlen (engine), error);
}

static gboolean
check_recorded_engine (AvfsStorage  *store,
                       const char   *detected,
                       GError      **error)
{
  g_autoptr(GBytes) recorded = NULL;
  g_autofree char *name = NULL;
  GError *local_error = NULL;

  recorded = avfs_storage_get (store, STORAGE_COLLECTION,
                               (const guint8 *) ENGINE_KEY, strlen (ENGINE_KEY), &local_error);
  if (recorded == NULL)
    {
      g_clear_error (&local_error);
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” is a %s database but not an avfs vault (it has no engine record)",
                   avfs_storage_get_path (store), detected);
      return FALSE;
    }

  name = g_strndup (g_bytes_get_data (recorded, NULL), g_bytes_get_size (recorded));
  if (g_strcmp0 (name, detected) != 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "“%s” looks like a %s store but records the engine “%s”; it may be "
                   "damaged or was assembled by hand", avfs_storage_get_path (store),
                   detected, name);
      return FALSE;
    }
  return TRUE;
}

/* Deletes one file, or a directory's files and then the directory (stores are flat). */
static gboolean
delete_path (GFile   *file,
             GError **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GError *local_error = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         (info = g_file_enumerator_next_file (children, NULL, &local_error)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      g_object_unref (info);
      if (!delete_path (child, error))
        return FALSE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (!g_file_delete (file, NULL, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not delete %s: %s",
                   g_file_peek_path (file), local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  g_clear_error (&local_error);
  return TRUE;
}

/**
 * avfs_storage_rocksdb_get_log_dir:
 * @path: a store's directory
 *
 * Where RocksDB writes the LOG files of the store at @path: a directory of the user's
 * cache of its own (the store's name and a hash of its absolute path). RocksDB lists
 * that directory at every open, to drop LOG files past the four it keeps: one directory
 * shared by every vault ever opened had gathered 6,000 files on a test machine, which
 * doubled the time to open a vault. Here, not in the module: deleting a store needs it
 * without loading RocksDB.
 *
 * Returns: (transfer full): the directory
 */
char *
avfs_storage_rocksdb_get_log_dir (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *base = g_path_get_basename (absolute);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, absolute, -1);
  g_autofree char *name = g_strdup_printf ("%.64s-%.16s", base, hash);

  return g_build_filename (g_get_user_cache_dir (), "avfs", "rocksdb-logs", name, NULL);
}

/**
 * avfs_storage_delete_store:
 * @path: a closed store's file or directory
 * @error: return location for an error
 *
 * Deletes the store and the files an engine keeps beside it (SQLite's `-wal`, `-shm`)
 * or elsewhere (RocksDB's LOG files).
 */
gboolean
avfs_storage_delete_store (const char  *path,
                           GError     **error)
{
  static const char * const sidecars[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (sidecars); i++)
    {
      g_autofree char *name = g_strconcat (path, sidecars[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (name);

      if (!delete_path (file, error))
        return FALSE;
    }
#if AVFS_HAVE_ROCKSDB
  {
    g_autofree char *log_dir = avfs_storage_rocksdb_get_log_dir (path);
    g_autoptr(GFile) logs = g_file_new_for_path (log_dir);

    /* Diagnostics only: a failure to remove them leaves the deletion done. */
    delete_path (logs, NULL);
  }
#endif
  return TRUE;
}

/**
 * avfs_storage_create_store:
 * @engine: the engine's name
 * @path: (nullable): the file or directory to create; it must not exist (ignored for
 *   memory)
 * @backend_options: (nullable): engine name → (option → value) tables, as in the
 *   `[backend.NAME]` sections of config.toml; only @engine's table is read
 * @error: return location for an error
 *
 * Creates a new, empty store and records its engine in it. On failure nothing is left
 * behind at @path.
 *
 * Returns: (transfer full) (nullable): the store
 */
AvfsStorage *
avfs_storage_create_store (const char  *engine,
                           const char  *path,
                           GHashTable  *backend_options,
                           GError     **error)
{
  const AvfsEngineInfo *info = avfs_storage_lookup_engine (engine, error);
  g_autoptr(AvfsStorage) store = NULL;

  if (info == NULL)
    return NULL;

  if (info->extension != NULL && (path == NULL || g_file_test (path, G_FILE_TEST_EXISTS)))
    {
      g_set_error (error, AVFS_ERROR, path ? AVFS_ERROR_EXISTS : AVFS_ERROR_INVALID_ARGUMENT,
                   path ? "“%s” already exists; choose another name or delete it first" :
                          "A %s store needs a location", path ? path : info->name);
      return NULL;
    }

  store = info->open (path, options_for (backend_options, info->name), AVFS_STORE_CREATE,
                      error);
  if (store != NULL && !record_engine (store, info->name, error))
    {
      avfs_storage_close (store, NULL);
      g_clear_object (&store);
    }
  if (store == NULL && info->extension != NULL)
    avfs_storage_delete_store (path, NULL);
  return g_steal_pointer (&store);
}

static AvfsStorage *
open_store (const char     *path,
            GHashTable     *backend_options,
            AvfsStoreMode   mode,
            GError        **error)
{
  g_autofree char *detected = avfs_storage_detect_engine (path, error);
  const AvfsEngineInfo *info;
  g_autoptr(AvfsStorage) store = NULL;

  if (detected == NULL || (info = avfs_storage_lookup_engine (detected, error)) == NULL)
    return NULL;

  store = info->open (path, options_for (backend_options, info->name), mode, error);
  if (store != NULL && !check_recorded_engine (store, info->name, error))
    {
      avfs_storage_close (store, NULL);
      return NULL;
    }
  return g_steal_pointer (&store);
}

/**
 * avfs_storage_open_store:
 * @path: an existing store's file or directory
 * @backend_options: (nullable): engine name → (option → value) tables
 * @error: return location for an error
 *
 * Detects the engine from what is on disk, opens the store with that engine's options
 * and checks it against the engine recorded inside. A damaged store is reported, not
 * written to.
 *
 * Returns: (transfer full) (nullable): the store
 */
AvfsStorage *
avfs_storage_open_store (const char  *path,
                         GHashTable  *backend_options,
                         GError     **error)
{
  return open_store (path, backend_options, AVFS_STORE_OPEN, error);
}

/**
 * avfs_storage_open_store_to_read:
 *
 * Like avfs_storage_open_store(), for a store that will only be read: the engine
 * writes nothing to its files that it can avoid (%AVFS_STORE_READ).
 *
 * Returns: (transfer full) (nullable): the store
 */
AvfsStorage *
avfs_storage_open_store_to_read (const char  *path,
                                 GHashTable  *backend_options,
                                 GError     **error)
{
  return open_store (path, backend_options, AVFS_STORE_READ, error);
}
