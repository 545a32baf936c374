/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsRegistry: names to vaults under the avfs home, the current vault, config.toml. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "avfs-config-file.h"
#include "avfs-registry.h"
#include "avfs-storage-private.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-lock.h"

/**
 * AvfsRegistry:
 *
 * Finds, creates, lists and deletes vaults by name. Memory vaults have no file: the
 * registry holds them for as long as it lives (the app, the CLI shell).
 *
 * Thread-safe, so that the `_async` calls (avfs-registry-async.h) can run on worker
 * threads: one lock guards the settings and the memory vaults. The settings are read
 * from config.toml again whenever it has changed (a preferences window or an editor
 * wrote it), so they apply to every vault created or opened afterwards. Create, set-current and delete hold that lock throughout, so two threads
 * creating the same name cannot both succeed, and the current vault is never set to one
 * being deleted. Other processes sharing the home are not locked out.
 */
/* What tells one config.toml from the next: any difference means reading it again. */
typedef struct
{
  gboolean exists;
  guint64 inode;
  gint64 mtime_ns;
  goffset size;
} ConfigStamp;

struct _AvfsRegistry
{
  GObject parent_instance;

  char *home;
  char *vaults_dir;
  char *config_path;

  GMutex lock;                 /* guards the fields below */
  ConfigStamp config_stamp;    /* of the config.toml the settings come from */
  char *default_engine;
  GHashTable *backend_options; /* engine → (option → value text); replaced, never changed */
  GHashTable *memory_vaults;   /* name → AvfsVault */
};

G_DEFINE_FINAL_TYPE (AvfsRegistry, avfs_registry, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (AvfsVaultEntry, avfs_vault_entry, avfs_vault_entry_copy,
                     avfs_vault_entry_free)

AvfsVaultEntry *
avfs_vault_entry_copy (const AvfsVaultEntry *self)
{
  AvfsVaultEntry *copy = g_memdup2 (self, sizeof *self);

  copy->name = g_strdup (self->name);
  copy->engine = g_strdup (self->engine);
  copy->path = g_strdup (self->path);
  return copy;
}

void
avfs_vault_entry_free (AvfsVaultEntry *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->engine);
  g_free (self->path);
  g_free (self);
}

static void
avfs_registry_finalize (GObject *object)
{
  AvfsRegistry *self = AVFS_REGISTRY (object);

  g_free (self->home);
  g_free (self->vaults_dir);
  g_free (self->config_path);
  g_free (self->default_engine);
  g_clear_pointer (&self->backend_options, g_hash_table_unref);
  g_hash_table_unref (self->memory_vaults);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (avfs_registry_parent_class)->finalize (object);
}

static void
avfs_registry_class_init (AvfsRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_registry_finalize;
}

static void
avfs_registry_init (AvfsRegistry *self)
{
  self->memory_vaults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               g_object_unref);
  g_mutex_init (&self->lock);
}

/* Reads `[defaults]` with `backend`, and `[backend.NAME]` for known engines, into
 * @options and @engine (left as they are when config.toml does not say). */
static gboolean
apply_config (AvfsConfigFile  *config,
              const char      *filename,
              GHashTable      *options,
              char           **engine,
              GError         **error)
{
  g_auto(GStrv) tables = avfs_config_file_list_tables (config);
  GVariant *backend = avfs_config_file_lookup (config, "defaults", "backend");

  for (guint i = 0; tables[i] != NULL; i++)
    {
      const char *table = tables[i];

      if (g_str_has_prefix (table, "backend."))
        {
          const char *name = table + strlen ("backend.");
          guint n;
          const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);
          gboolean known = FALSE;

          for (guint e = 0; e < n; e++)
            known |= g_str_equal (engines[e].name, name);
          if (!known)
            {
              g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "%s: [%s] names no engine avfs knows (sqlite, lmdb, rocksdb, "
                           "memory, sled)", filename, table);
              return FALSE;
            }
          g_hash_table_insert (options, g_strdup (name),
                               avfs_config_file_dup_table (config, table));
        }
      else if (!g_str_equal (table, "defaults") && !g_str_equal (table, ""))
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                       "%s: unknown table [%s]; avfs reads [defaults] and [backend.NAME]",
                       filename, table);
          return FALSE;
        }
    }
  if (backend != NULL && !g_variant_is_of_type (backend, G_VARIANT_TYPE_STRING))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "%s: [defaults] backend must be a string such as \"sqlite\"", filename);
      return FALSE;
    }
  if (backend != NULL)
    {
      g_free (*engine);
      *engine = g_variant_dup_string (backend, NULL);
    }
  return TRUE;
}

static ConfigStamp
stamp_config (const char *path)
{
  ConfigStamp stamp = { FALSE, 0, 0, 0 };
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return stamp;
  stamp.exists = TRUE;
  stamp.inode = st.st_ino;
  stamp.mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) +
                   st.st_mtim.tv_nsec;
  stamp.size = st.st_size;
  return stamp;
}

static gboolean
stamp_equal (const ConfigStamp *a,
             const ConfigStamp *b)
{
  return a->exists == b->exists && a->inode == b->inode && a->mtime_ns == b->mtime_ns &&
         a->size == b->size;
}

static gboolean
config_changed (AvfsRegistry      *self,
                const ConfigStamp *stamp)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return self->backend_options == NULL || !stamp_equal (&self->config_stamp, stamp);
}

/**
 * avfs_registry_reload_config:
 *
 * Reads `config.toml` again if it changed since it was last read (or appeared, or went
 * away), so that what a preferences window or an editor saved applies to the vaults
 * created or opened from now on. `$VFS_BACKEND` still overrides the default engine.
 * Creating and opening vaults call this first; on error the settings stay as they were.
 *
 * Returns: %FALSE if config.toml cannot be read or is malformed (the error names its
 *   file, line and key)
 */
gboolean
avfs_registry_reload_config (AvfsRegistry  *self,
                             GError       **error)
{
  ConfigStamp stamp = stamp_config (self->config_path);
  g_autoptr(GHashTable) options = NULL;
  g_autofree char *engine = g_strdup (AVFS_STORAGE_DEFAULT_ENGINE);
  const char *override = g_getenv ("VFS_BACKEND");
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (AVFS_IS_REGISTRY (self), FALSE);

  if (!config_changed (self, &stamp))
    return TRUE;
  options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_hash_table_unref);
  if (stamp.exists)
    {
      g_autoptr(AvfsConfigFile) config = avfs_config_file_new_from_path (self->config_path,
                                                                         error);

      if (config == NULL || !apply_config (config, self->config_path, options, &engine,
                                           error))
        return FALSE;
    }
  if (override != NULL && override[0] != '\0')
    {
      g_free (engine);
      engine = g_strdup (override);
    }
  locker = g_mutex_locker_new (&self->lock);
  self->config_stamp = stamp;
  g_free (self->default_engine);
  self->default_engine = g_steal_pointer (&engine);
  g_clear_pointer (&self->backend_options, g_hash_table_unref);
  self->backend_options = g_steal_pointer (&options);
  return TRUE;
}

/**
 * avfs_registry_new:
 * @home: (nullable): the avfs home; %NULL for `$AVFS_HOME`, else `~/.avfs`
 *
 * Reads `config.toml` there if it exists. `$VFS_BACKEND` overrides its default engine.
 * Nothing is created on disk until a vault is.
 *
 * Returns: (transfer full) (nullable): the registry, or %NULL if the config is bad
 */
AvfsRegistry *
avfs_registry_new (const char  *home,
                   GError     **error)
{
  g_autoptr(AvfsRegistry) self = g_object_new (AVFS_TYPE_REGISTRY, NULL);

  if (home == NULL)
    home = g_getenv ("AVFS_HOME");
  self->home = home != NULL && home[0] != '\0'
               ? g_strdup (home) : g_build_filename (g_get_home_dir (), ".avfs", NULL);
  self->vaults_dir = g_build_filename (self->home, "vaults", NULL);
  self->config_path = g_build_filename (self->home, "config.toml", NULL);
  if (!avfs_registry_reload_config (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
avfs_registry_get_home (AvfsRegistry *self)
{
  return self->home;
}

/**
 * avfs_registry_dup_default_engine:
 *
 * As of the last config.toml that could be read (see avfs_registry_reload_config()).
 *
 * Returns: (transfer full): the engine new vaults get: `$VFS_BACKEND`, else
 *   config.toml's, else sqlite
 */
char *
avfs_registry_dup_default_engine (AvfsRegistry *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  avfs_registry_reload_config (self, NULL);
  locker = g_mutex_locker_new (&self->lock);
  return g_strdup (self->default_engine);
}

/**
 * avfs_registry_dup_backend_options:
 *
 * As of the last config.toml that could be read (see avfs_registry_reload_config()).
 *
 * Returns: (transfer full): engine → (option → value text), not to be changed
 */
GHashTable *
avfs_registry_dup_backend_options (AvfsRegistry *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  avfs_registry_reload_config (self, NULL);
  locker = g_mutex_locker_new (&self->lock);
  return g_hash_table_ref (self->backend_options);
}

/**
 * avfs_registry_check_name:
 *
 * Vault names are 1–64 of `A-Z a-z 0-9 _ -`, not starting with `-`.
 */
gboolean
avfs_registry_check_name (const char  *name,
                          GError     **error)
{
  gsize len = name != NULL ? strlen (name) : 0;
  g_autofree char *shown = name != NULL ? g_utf8_make_valid (name, -1) : g_strdup ("");

  if (len == 0 || len > AVFS_VAULT_NAME_MAX || name[0] == '-')
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a vault name: use 1 to 64 letters, digits, “_” or “-”, "
                   "not starting with “-”", shown);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '-')
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a vault name: only letters, digits, “_” and “-” are "
                       "allowed", shown);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * avfs_registry_path_for:
 * @engine: an engine with a location (not memory)
 *
 * Returns: (transfer full) (nullable): where vault @name with @engine lives
 */
char *
avfs_registry_path_for (AvfsRegistry  *self,
                        const char    *name,
                        const char    *engine,
                        GError       **error)
{
  const AvfsEngineInfo *info;
  g_autofree char *base = NULL;

  if (!avfs_registry_check_name (name, error))
    return NULL;
  info = avfs_storage_lookup_engine (engine, error);
  if (info == NULL)
    return NULL;
  if (info->extension == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "A %s vault has no location on disk", engine);
      return NULL;
    }
  base = g_strconcat (name, info->extension, NULL);
  return g_build_filename (self->vaults_dir, base, NULL);
}

/* The file or directory of vault @name, whatever its engine, or NULL. */
static char *
find_by_name (AvfsRegistry *self,
              const char   *name,
              const char  **engine)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *base = NULL;
      g_autofree char *path = NULL;

      if (engines[i].extension == NULL)
        continue;
      base = g_strconcat (name, engines[i].extension, NULL);
      path = g_build_filename (self->vaults_dir, base, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          if (engine != NULL)
            *engine = engines[i].name;
          return g_steal_pointer (&path);
        }
    }
  return NULL;
}

static gboolean
is_path (const char *name_or_path)
{
  return strchr (name_or_path, '/') != NULL || g_str_equal (name_or_path, ".") ||
         g_str_equal (name_or_path, "..");
}

/**
 * avfs_registry_find:
 * @name_or_path: a vault name, or a path (anything with a `/`)
 *
 * Returns: (transfer full) (nullable): the vault's location
 */
char *
avfs_registry_find (AvfsRegistry  *self,
                    const char    *name_or_path,
                    GError       **error)
{
  char *path;

  if (name_or_path == NULL || name_or_path[0] == '\0')
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                           "No vault chosen: give --vault NAME or pick one with "
                           "“avfs-cli vault use NAME”");
      return NULL;
    }
  if (is_path (name_or_path))
    {
      if (g_file_test (name_or_path, G_FILE_TEST_EXISTS))
        return g_strdup (name_or_path);
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND, "No vault at %s", name_or_path);
      return NULL;
    }
  if (!avfs_registry_check_name (name_or_path, error))
    return NULL;
  path = find_by_name (self, name_or_path, NULL);
  if (path == NULL)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                 "No vault named “%s”; “avfs-cli vault list” shows the vaults there are",
                 name_or_path);
  return path;
}

/* avfs's folders are private to their owner (the vaults in them too: avfs_vault_create()). */
static gboolean
make_private (const char  *path,
              GError     **error)
{
  int mode = g_file_test (path, G_FILE_TEST_IS_DIR) ? 0700 : 0600;

  if (g_chmod (path, mode) == 0)
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not restrict access to %s: %s",
               path, g_strerror (errno));
  return FALSE;
}

static gboolean
ensure_vaults_dir (AvfsRegistry  *self,
                   GError       **error)
{
  if (g_mkdir_with_parents (self->vaults_dir, 0700) != 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not create %s: %s",
                   self->vaults_dir, g_strerror (errno));
      return FALSE;
    }
  return make_private (self->home, error) && make_private (self->vaults_dir, error);
}

/* Called with the lock held. */
static gboolean
check_name_free (AvfsRegistry  *self,
                 const char    *name,
                 GError       **error)
{
  g_autofree char *existing = find_by_name (self, name, NULL);

  if (existing == NULL && !g_hash_table_contains (self->memory_vaults, name))
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
               "A vault named “%s” already exists; choose another name or delete it first",
               name);
  return FALSE;
}

/* Engines check their options from config.toml when a vault opens or is created; their
 * errors (the only invalid-argument errors there) then name the file to fix. */
static void
name_config_file (AvfsRegistry  *self,
                  GHashTable    *options,
                  GError       **error)
{
  if (error != NULL && g_error_matches (*error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT) &&
      g_hash_table_size (options) > 0)
    g_prefix_error (error, "%s: ", self->config_path);
}

/**
 * avfs_registry_create:
 * @engine: (nullable): the engine, or %NULL for the default
 *
 * Creates vault @name with the configured engine options. A memory vault is held by
 * the registry and lasts as long as it.
 *
 * Returns: (transfer full) (nullable): the new vault
 */
AvfsVault *
avfs_registry_create (AvfsRegistry  *self,
                      const char    *name,
                      const char    *engine,
                      GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *path = NULL;
  g_autofree char *default_engine = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  const AvfsEngineInfo *info;

  if (!avfs_registry_reload_config (self, error))
    return NULL;
  options = avfs_registry_dup_backend_options (self);
  if (engine == NULL)
    engine = default_engine = avfs_registry_dup_default_engine (self);
  if (!avfs_registry_check_name (name, error) ||
      (info = avfs_storage_lookup_engine (engine, error)) == NULL)
    return NULL;
  locker = g_mutex_locker_new (&self->lock);
  if (!check_name_free (self, name, error))
    return NULL;
  if (info->extension == NULL)
    {
      vault = avfs_vault_create (info->name, NULL, options, NULL, error);
      if (vault == NULL)
        name_config_file (self, options, error);
      else
        g_hash_table_insert (self->memory_vaults, g_strdup (name), g_object_ref (vault));
      return g_steal_pointer (&vault);
    }
  path = avfs_registry_path_for (self, name, info->name, error);
  if (path == NULL || !ensure_vaults_dir (self, error))
    return NULL;
  vault = avfs_vault_create (info->name, path, options, NULL, error);
  if (vault == NULL)
    name_config_file (self, options, error);
  return g_steal_pointer (&vault);
}

static gboolean
has_memory_vault (AvfsRegistry *self,
                  const char   *name)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return g_hash_table_contains (self->memory_vaults, name);
}

/* A new reference to memory vault @name, taken under the lock so that a delete cannot
 * drop the last one first; NULL when there is none. */
static AvfsVault *
dup_memory_vault (AvfsRegistry *self,
                  const char   *name)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  AvfsVault *vault = g_hash_table_lookup (self->memory_vaults, name);

  return vault != NULL ? g_object_ref (vault) : NULL;
}

typedef AvfsVault *(*OpenFunc) (const char  *path,
                                GHashTable  *backend_options,
                                GError     **error);

static AvfsVault *
open_with (AvfsRegistry  *self,
           const char    *name_or_path,
           OpenFunc       open_func,
           GError       **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) options = NULL;
  AvfsVault *memory = name_or_path != NULL ? dup_memory_vault (self, name_or_path) : NULL;
  AvfsVault *vault;

  if (memory != NULL)
    return memory;
  path = avfs_registry_find (self, name_or_path, error);
  if (path == NULL || !avfs_registry_reload_config (self, error))
    return NULL;
  options = avfs_registry_dup_backend_options (self);
  vault = open_func (path, options, error);
  if (vault == NULL)
    name_config_file (self, options, error);
  return vault;
}

/**
 * avfs_registry_open:
 * @name_or_path: a vault name or a path
 *
 * Returns: (transfer full) (nullable): the open vault
 */
AvfsVault *
avfs_registry_open (AvfsRegistry  *self,
                    const char    *name_or_path,
                    GError       **error)
{
  return open_with (self, name_or_path, avfs_vault_open, error);
}

/**
 * avfs_registry_open_to_read:
 * @name_or_path: a vault name or a path
 *
 * Opens a vault that will only be read (avfs_vault_open_to_read()); a memory vault is
 * the one open in this process.
 *
 * Returns: (transfer full) (nullable): the open vault
 */
AvfsVault *
avfs_registry_open_to_read (AvfsRegistry  *self,
                            const char    *name_or_path,
                            GError       **error)
{
  return open_with (self, name_or_path, avfs_vault_open_to_read, error);
}

static AvfsVaultEntry *
make_entry (AvfsRegistry *self,
            const char   *name,
            const char   *engine,
            const char   *path,
            const char   *current)
{
  AvfsVaultEntry *entry = g_new0 (AvfsVaultEntry, 1);

  entry->name = g_strdup (name);
  entry->engine = g_strdup (engine);
  entry->path = g_strdup (path);
  entry->disk_bytes = path != NULL ? avfs_storage_disk_usage (path) : 0;
  entry->is_current = g_strcmp0 (name, current) == 0;
  return entry;
}

/* The engine whose extension ends @base, and the name before it; NULL if none does. */
static const char *
split_vault_file (const char  *base,
                  char       **name)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint i = 0; i < n; i++)
    {
      if (engines[i].extension != NULL && g_str_has_suffix (base, engines[i].extension))
        {
          *name = g_strndup (base, strlen (base) - strlen (engines[i].extension));
          if (avfs_registry_check_name (*name, NULL))
            return engines[i].name;
          g_clear_pointer (name, g_free);
        }
    }
  return NULL;
}

static void
add_memory_entries (AvfsRegistry *self,
                    GPtrArray    *entries,
                    const char   *current)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  GHashTableIter iter;
  const char *name;

  g_hash_table_iter_init (&iter, self->memory_vaults);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    g_ptr_array_add (entries, make_entry (self, name, "memory", NULL, current));
}

static gint
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return strcmp ((*(AvfsVaultEntry **) a)->name, (*(AvfsVaultEntry **) b)->name);
}

/**
 * avfs_registry_list:
 *
 * Returns: (transfer full) (element-type AvfsVaultEntry): every vault, by name
 */
GPtrArray *
avfs_registry_list (AvfsRegistry  *self,
                    GError       **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_vault_entry_free);
  g_autofree char *current = avfs_registry_get_current (self);
  g_autoptr(GDir) dir = NULL;
  GError *local_error = NULL;
  const char *base;

  dir = g_dir_open (self->vaults_dir, 0, &local_error);
  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not list %s: %s",
                   self->vaults_dir, local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  g_clear_error (&local_error);
  while (dir != NULL && (base = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = NULL;
      g_autofree char *path = g_build_filename (self->vaults_dir, base, NULL);
      const char *engine = split_vault_file (base, &name);

      if (engine != NULL)
        g_ptr_array_add (entries, make_entry (self, name, engine, path, current));
    }
  add_memory_entries (self, entries, current);
  g_ptr_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}

/**
 * avfs_registry_info:
 *
 * Returns: (transfer full) (nullable): vault @name's entry
 */
AvfsVaultEntry *
avfs_registry_info (AvfsRegistry  *self,
                    const char    *name,
                    GError       **error)
{
  g_autofree char *current = avfs_registry_get_current (self);
  g_autofree char *path = NULL;
  const char *engine = NULL;

  if (!avfs_registry_check_name (name, error))
    return NULL;
  if (has_memory_vault (self, name))
    return make_entry (self, name, "memory", NULL, current);
  path = find_by_name (self, name, &engine);
  if (path == NULL)
    return (avfs_registry_find (self, name, error), NULL);
  return make_entry (self, name, engine, path, current);
}

/**
 * avfs_registry_get_current:
 *
 * Returns: (transfer full) (nullable): the current vault's name, if one is set
 */
char *
avfs_registry_get_current (AvfsRegistry *self)
{
  g_autofree char *filename = g_build_filename (self->home, "current", NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (filename, &contents, NULL, NULL))
    return NULL;
  g_strstrip (contents);
  return avfs_registry_check_name (contents, NULL) ? g_steal_pointer (&contents) : NULL;
}

/**
 * avfs_registry_set_current:
 * @name: an existing vault's name
 */
gboolean
avfs_registry_set_current (AvfsRegistry  *self,
                           const char    *name,
                           GError       **error)
{
  g_autofree char *filename = g_build_filename (self->home, "current", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!g_hash_table_contains (self->memory_vaults, name) &&
      (path = avfs_registry_find (self, name, error)) == NULL)
    return FALSE;
  if (is_path (name))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Only a vault name can be current, not a path (%s)", name);
      return FALSE;
    }
  contents = g_strconcat (name, "\n", NULL);
  if (g_mkdir_with_parents (self->home, 0700) != 0 ||
      !g_file_set_contents_full (filename, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, NULL))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not write %s", filename);
      return FALSE;
    }
  return TRUE;
}

/* Deletes the store of vault @name unless another program has it open. */
static gboolean
delete_store (const char  *name,
              const char  *path,
              GError     **error)
{
  g_autoptr(AvfsVaultLock) lock = avfs_vault_lock_acquire (path, error);

  if (lock == NULL || !avfs_vault_lock_make_exclusive (lock, error))
    {
      g_prefix_error (error, "Vault “%s” cannot be deleted now: ", name);
      return FALSE;
    }
  return avfs_storage_delete_store (path, error);
}

/**
 * avfs_registry_delete:
 * @name: a vault's name; the vault must not be open elsewhere in this process
 *
 * Deletes the vault for good. If it was current, no vault is current afterwards.
 */
gboolean
avfs_registry_delete (AvfsRegistry  *self,
                      const char    *name,
                      GError       **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *current = avfs_registry_get_current (self);
  g_autofree char *path = NULL;

  if (!g_hash_table_remove (self->memory_vaults, name))
    {
      path = avfs_registry_find (self, name, error);
      if (path == NULL || is_path (name))
        {
          if (path != NULL)
            g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                         "Give the name of the vault to delete, not a path (%s)", name);
          return FALSE;
        }
      if (!delete_store (name, path, error))
        return FALSE;
    }
  if (g_strcmp0 (current, name) == 0)
    {
      g_autofree char *filename = g_build_filename (self->home, "current", NULL);

      g_unlink (filename);
    }
  return TRUE;
}
