/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault registry: names, the current vault, config.toml and VFS_BACKEND. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "avfs-config.h"
#include "avfs-registry.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-search.h"

typedef struct
{
  char *home;
  AvfsRegistry *registry;
} Fixture;

static void
write_config (Fixture    *f,
              const char *text)
{
  g_autofree char *filename = g_build_filename (f->home, "config.toml", NULL);

  g_assert_true (g_file_set_contents (filename, text, -1, NULL));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_unsetenv ("VFS_BACKEND");
  f->home = g_dir_make_tmp ("avfs-home-XXXXXX", &error);
  g_assert_no_error (error);
  if (data != NULL)
    write_config (f, data);
  f->registry = avfs_registry_new (f->home, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = avfs_registry_list (f->registry, NULL);
  g_autofree char *config = g_build_filename (f->home, "config.toml", NULL);
  g_autofree char *current = g_build_filename (f->home, "current", NULL);
  g_autofree char *vaults = g_build_filename (f->home, "vaults", NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    avfs_registry_delete (f->registry, ((AvfsVaultEntry *) g_ptr_array_index (entries, i))->name, NULL);
  g_assert_finalize_object (f->registry);
  g_unlink (config);
  g_unlink (current);
  g_rmdir (vaults);
  g_assert_cmpint (g_rmdir (f->home), ==, 0);
  g_free (f->home);
}

static void
create_and_close (Fixture    *f,
                  const char *name,
                  const char *engine)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVault) vault = avfs_registry_create (f->registry, name, engine, &error);

  g_assert_no_error (error);
  g_assert_true (avfs_vault_close (vault, &error));
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  static const struct { const char *name; gboolean valid; } cases[] = {
    { "a", TRUE }, { "my-project_2", TRUE }, { "A-Z", TRUE }, { "x-", TRUE },
    { "", FALSE }, { "-x", FALSE }, { "a b", FALSE }, { "a/b", FALSE }, { "..", FALSE },
    { ".hidden", FALSE }, { "é", FALSE }, { "a.avfs", FALSE },
    { "0123456789012345678901234567890123456789012345678901234567890123", TRUE },
    { "01234567890123456789012345678901234567890123456789012345678901234", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (avfs_registry_check_name (cases[i].name, &error), ==, cases[i].valid);
      if (!cases[i].valid)
        g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_create_list_current (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  g_autofree char *current = NULL;
  g_autofree char *path = NULL;
  AvfsVaultEntry *entry;
  GStatBuf st;

  create_and_close (f, "beta", NULL);
  create_and_close (f, "alpha", "sqlite");
  g_assert_null (avfs_registry_create (f->registry, "alpha", "sqlite", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_null (avfs_registry_get_current (f->registry));
  g_assert_true (avfs_registry_set_current (f->registry, "beta", &error));
  g_assert_no_error (error);
  current = avfs_registry_get_current (f->registry);
  g_assert_cmpstr (current, ==, "beta");
  g_assert_false (avfs_registry_set_current (f->registry, "gamma", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  entries = avfs_registry_list (f->registry, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->name, ==, "alpha");
  g_assert_cmpstr (entry->engine, ==, "sqlite");
  g_assert_false (entry->is_current);
  g_assert_cmpuint (entry->disk_bytes, >, 0);
  g_assert_true (((AvfsVaultEntry *) g_ptr_array_index (entries, 1))->is_current);

  /* Vault files are the owner's alone. */
  g_assert_cmpint (g_stat (entry->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  path = g_build_filename (f->home, "vaults", NULL);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  vault = avfs_registry_open (f->registry, "alpha", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (avfs_vault_get_engine_name (vault), ==, "sqlite");
  g_assert_true (avfs_vault_close (vault, NULL));
  g_clear_object (&vault);
  vault = avfs_registry_open (f->registry, entry->path, &error);
  g_assert_no_error (error);
  g_assert_true (avfs_vault_close (vault, NULL));

  g_assert_true (avfs_registry_delete (f->registry, "beta", &error));
  g_assert_null (avfs_registry_get_current (f->registry));
  g_assert_null (avfs_registry_open (f->registry, "beta", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "vault list"));
}

static void
test_engines (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVault) memory = NULL;
  g_autoptr(AvfsVaultEntry) info = NULL;

  g_assert_null (avfs_registry_create (f->registry, "old", "sled", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, "Backend 'sled' is not compiled in this build");
  g_clear_error (&error);

  if (AVFS_HAVE_ROCKSDB)
    {
      create_and_close (f, "rock", "rocksdb");
      info = avfs_registry_info (f->registry, "rock", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->engine, ==, "rocksdb");
      g_assert_true (g_str_has_suffix (info->path, "rock.rocksdb"));
      g_assert_null (avfs_registry_create (f->registry, "rock", "sqlite", &error));
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS);
      g_clear_error (&error);
    }

  memory = avfs_registry_create (f->registry, "scratch", "memory", &error);
  g_assert_no_error (error);
  g_clear_pointer (&info, avfs_vault_entry_free);
  info = avfs_registry_info (f->registry, "scratch", &error);
  g_assert_cmpstr (info->engine, ==, "memory");
  g_assert_null (info->path);
}

/* Every file under @path is 0600 and every directory 0700. */
static void
assert_private (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  if (!S_ISDIR (st.st_mode))
    {
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      return;
    }
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      assert_private (child);
    }
}

/* RocksDB and Xapian make their files with the umask; the vault's are the owner's alone. */
static void
test_private_files (Fixture       *f,
                    gconstpointer  data)
{
  guint n_engines;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n_engines);
  mode_t saved = umask (022);

  for (guint i = 0; i < n_engines; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsVault) vault = NULL;
      g_autoptr(AvfsSearchResults) results = NULL;
      g_autofree char *path = NULL;

      if (!engines[i].available || engines[i].extension == NULL)
        continue;
      vault = avfs_registry_create (f->registry, engines[i].name, engines[i].name, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (avfs_vault_write (vault, "/a.txt", (const guint8 *) "private", 7,
                                          AVFS_WRITE_NONE, &error), >, 0);
      results = avfs_vault_search (vault, "private", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (results->total, ==, 1);
      path = g_strdup (avfs_vault_get_path (vault));
      g_assert_true (avfs_vault_close (vault, &error));
      assert_private (path);
    }
  umask (saved);
}

static void
test_vfs_backend (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsRegistry) registry = NULL;
  g_autofree char *engine = NULL;
  g_autoptr(AvfsVault) vault = NULL;

  g_setenv ("VFS_BACKEND", "memory", TRUE);
  registry = avfs_registry_new (f->home, &error);
  g_unsetenv ("VFS_BACKEND");
  g_assert_no_error (error);
  engine = avfs_registry_dup_default_engine (registry);
  g_assert_cmpstr (engine, ==, "memory");
  vault = avfs_registry_create (registry, "tmp", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (avfs_vault_get_engine_name (vault), ==, "memory");
}

static void
test_config_defaults (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  g_autofree char *engine = avfs_registry_dup_default_engine (f->registry);

  g_assert_cmpstr (engine, ==, "memory");
  vault = avfs_registry_create (f->registry, "cfg", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (avfs_vault_get_engine_name (vault), ==, "memory");
  g_clear_object (&vault);

  /* The engine reads its own table and names the bad option. */
  vault = avfs_registry_create (f->registry, "bad", "sqlite", &error);
  g_assert_null (vault);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "journal_mode"));
  g_assert_null (avfs_registry_info (f->registry, "bad", NULL));
}

/* What is saved in config.toml while the registry lives (the app's preferences) applies
 * to the vaults created or opened afterwards; a bad edit is refused and changes nothing. */
static void
test_config_reload (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *config = g_build_filename (f->home, "config.toml", NULL);

  write_config (f, "[defaults]\nbackend = \"memory\"\n[backend.sqlite]\ncache_size = 4321\n");
  vault = avfs_registry_create (f->registry, "later", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (avfs_vault_get_engine_name (vault), ==, "memory");
  options = avfs_registry_dup_backend_options (f->registry);
  g_assert_cmpstr (g_hash_table_lookup (g_hash_table_lookup (options, "sqlite"), "cache_size"),
                   ==, "4321");
  g_clear_object (&vault);

  write_config (f, "[defaults]\nbackend = \"memory\"\n[nonsense\n");
  g_assert_false (avfs_registry_reload_config (f->registry, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "config.toml:3"));
  g_clear_error (&error);
  g_assert_null (avfs_registry_create (f->registry, "refused", NULL, &error));
  g_assert_nonnull (strstr (error->message, "config.toml:3"));
  g_clear_error (&error);
  engine = avfs_registry_dup_default_engine (f->registry);
  g_assert_cmpstr (engine, ==, "memory");

  /* Without the file, the built-in defaults are back. */
  g_unlink (config);
  g_assert_true (avfs_registry_reload_config (f->registry, &error));
  g_clear_pointer (&engine, g_free);
  engine = avfs_registry_dup_default_engine (f->registry);
  g_assert_cmpstr (engine, ==, AVFS_STORAGE_DEFAULT_ENGINE);
}

static void
test_config_errors (void)
{
  static const struct { const char *text; const char *expected; } cases[] = {
    { "[defaults]\nbackend = sqlite\n", "config.toml:2" },
    { "[unknown]\nx = 1\n", "[unknown]" },
    { "[backend.postgres]\nx = 1\n", "backend.postgres" },
    { "[defaults]\nbackend = 3\n", "backend must be a string" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *home = g_dir_make_tmp ("avfs-home-XXXXXX", NULL);
      g_autofree char *filename = g_build_filename (home, "config.toml", NULL);

      g_assert_true (g_file_set_contents (filename, cases[i].text, -1, NULL));
      g_assert_null (avfs_registry_new (home, &error));
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, cases[i].expected));
      g_unlink (filename);
      g_rmdir (home);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/registry/names", Fixture, NULL, fixture_set_up, test_names, fixture_tear_down);
  g_test_add ("/registry/create-list-current", Fixture, NULL, fixture_set_up,
              test_create_list_current, fixture_tear_down);
  g_test_add ("/registry/engines", Fixture, NULL, fixture_set_up, test_engines,
              fixture_tear_down);
  g_test_add ("/registry/private-files", Fixture, NULL, fixture_set_up, test_private_files,
              fixture_tear_down);
  g_test_add ("/registry/vfs-backend", Fixture, NULL, fixture_set_up, test_vfs_backend,
              fixture_tear_down);
  g_test_add ("/registry/config-defaults", Fixture,
              "# test\n[defaults]\nbackend = \"memory\"\n\n[backend.sqlite]\njournal_mode = \"bogus\"\n",
              fixture_set_up, test_config_defaults, fixture_tear_down);
  g_test_add ("/registry/config-reload", Fixture, NULL, fixture_set_up, test_config_reload,
              fixture_tear_down);
  g_test_add_func ("/registry/config-errors", test_config_errors);
  return g_test_run ();
}
