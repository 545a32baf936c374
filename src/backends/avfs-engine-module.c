/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Engines built as loadable modules. RocksDB's library takes about 4 ms to load and
 * initialise, most of what an avfs-cli command cost when it was linked in, so every
 * command paid it whether or not it opened a RocksDB vault (docs/storage.md). */
#include <gmodule.h>
#include <stdlib.h>
#include <string.h>

#include "avfs-config.h"
#include "avfs-engine-module.h"
#include "avfs-error.h"

G_LOCK_DEFINE_STATIC (modules);
static GHashTable *modules; /* name → GModule, resident */

/* A program run from the build tree loads the modules built beside it, an installed one
 * those installed with it; AVFS_ENGINE_DIR overrides both (tests, relocated installs). */
static char *
module_directory (void)
{
  const char *override = g_getenv ("AVFS_ENGINE_DIR");
  g_autofree char *exe = NULL;
  g_autofree char *build_root = NULL;

  if (override != NULL && *override != '\0')
    return g_strdup (override);
  exe = g_file_read_link ("/proc/self/exe", NULL);
  build_root = realpath (AVFS_BUILD_ROOT, NULL);
  if (exe != NULL && build_root != NULL && g_str_has_prefix (exe, build_root) &&
      exe[strlen (build_root)] == G_DIR_SEPARATOR)
    return g_strdup (AVFS_BUILD_ENGINE_DIR);
  return g_strdup (AVFS_ENGINE_DIR);
}

static GModule *
load_module (const char  *name,
             GError     **error)
{
  g_autofree char *directory = module_directory ();
  g_autofree char *file = g_strconcat (name, ".", G_MODULE_SUFFIX, NULL);
  g_autofree char *path = g_build_filename (directory, file, NULL);
  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);

  if (module == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE,
                   "An engine module cannot be loaded (%s); reinstall avfs",
                   g_module_error ());
      return NULL;
    }
  g_module_make_resident (module);
  return module;
}

/**
 * avfs_engine_module_symbol:
 * @module: the module's name, without directory or suffix (`avfs-storage-rocksdb`)
 * @symbol: a function it exports
 * @error: return location for an error
 *
 * Loads @module once per process (it stays loaded) and looks up @symbol in it.
 *
 * Returns: (nullable): the symbol, or %NULL with %AVFS_ERROR_BACKEND_UNAVAILABLE
 */
gpointer
avfs_engine_module_symbol (const char  *module,
                           const char  *symbol,
                           GError     **error)
{
  GModule *loaded;
  gpointer address = NULL;

  G_LOCK (modules);
  if (modules == NULL)
    modules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  loaded = g_hash_table_lookup (modules, module);
  if (loaded == NULL && (loaded = load_module (module, error)) != NULL)
    g_hash_table_insert (modules, g_strdup (module), loaded);
  G_UNLOCK (modules);
  if (loaded != NULL && !g_module_symbol (loaded, symbol, &address))
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE,
                 "The engine module %s has no %s (%s); reinstall avfs", module, symbol,
                 g_module_error ());
  return address;
}
