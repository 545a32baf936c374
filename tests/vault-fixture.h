/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fresh vault per test on each engine, for the suites that test the vault core. */
#pragma once

#include <glib/gstdio.h>
#include <string.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault.h"

typedef struct
{
  const AvfsEngineInfo *engine;
  char *dir;
  char *path;
  AvfsVault *vault;
} VaultFixture;

/* Asserts that `verify` finds nothing wrong with the vault, naming the first problem. */
static inline void
vault_assert_verifies (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVerifyReport) report = avfs_vault_verify (vault, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  if (report->n_problems > 0)
    g_error ("verify: %s", (const char *) g_ptr_array_index (report->problems, 0));
}

/* Removes a host directory and everything in it, following no links. */
static inline void
vault_remove_host_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && g_file_test (child, G_FILE_TEST_IS_DIR))
        vault_remove_host_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

typedef void (*VaultTestFunc) (VaultFixture *f, gconstpointer data);

typedef struct
{
  const char *name;
  VaultTestFunc func;
} VaultTest;

/* Asserts that @expr fails with @code; uses and clears the caller's `error`. */
#define assert_fails(expr, code) G_STMT_START { \
    g_assert_false (expr);                      \
    g_assert_error (error, AVFS_ERROR, code);   \
    g_clear_error (&error);                     \
  } G_STMT_END

static inline void
vault_fixture_set_up (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->engine = data;
  f->dir = g_dir_make_tmp ("avfs-vault-XXXXXX", &error);
  g_assert_no_error (error);
  if (f->engine->extension != NULL)
    {
      g_autofree char *base = g_strconcat ("test", f->engine->extension, NULL);

      f->path = g_build_filename (f->dir, base, NULL);
    }
  f->vault = avfs_vault_create (f->engine->name, f->path, NULL, NULL, &error);
  g_assert_no_error (error);
}

static inline void
vault_fixture_tear_down (VaultFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (f->vault != NULL)
    {
      avfs_vault_close (f->vault, &error);
      g_assert_no_error (error);
      g_assert_finalize_object (f->vault);
    }
  if (f->path != NULL)
    avfs_storage_delete_store (f->path, NULL);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Closes and reopens the fixture's vault (disk engines only). */
static inline void
vault_fixture_reopen (VaultFixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (f->path);
  g_assert_true (avfs_vault_close (f->vault, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (f->vault);
  f->vault = avfs_vault_open (f->path, NULL, &error);
  g_assert_no_error (error);
}

/* A worker drops its task, and with it the task's reference to @object, just after the
 * callback ran: wait for that before the fixture checks the vault is freed. */
static inline void
vault_fixture_wait_for_workers (GObject *object)
{
  gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&object->ref_count) > 1 && g_get_monotonic_time () < give_up)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Registers /PREFIX/ENGINE/NAME for every available engine and every test. */
static inline void
vault_fixture_register (const char      *prefix,
                        const VaultTest *tests,
                        guint            n_tests)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint e = 0; e < n; e++)
    {
      if (!engines[e].available)
        continue;
      for (guint t = 0; t < n_tests; t++)
        {
          g_autofree char *path = g_strdup_printf ("/%s/%s/%s", prefix, engines[e].name,
                                                   tests[t].name);

          g_test_add_vtable (path, sizeof (VaultFixture), &engines[e],
                             (GTestFixtureFunc) vault_fixture_set_up,
                             (GTestFixtureFunc) tests[t].func,
                             (GTestFixtureFunc) vault_fixture_tear_down);
        }
    }
}

/* The number of keys in one of the vault's collections, from the engine's stats. */
static inline guint64
vault_count_keys (AvfsVault  *vault,
                  const char *collection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsStorageStats) stats = avfs_storage_stats (avfs_vault_get_storage (vault), &error);

  g_assert_no_error (error);
  for (guint i = 0; i < stats->collections->len; i++)
    {
      AvfsCollectionStats *c = g_ptr_array_index (stats->collections, i);

      if (g_str_equal (c->name, collection))
        return c->keys;
    }
  g_assert_not_reached ();
}

/* The node id of @path, asserting it exists. */
static inline guint64
vault_node_id (AvfsVault  *vault,
               const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = avfs_vault_stat (vault, path, &error);

  g_assert_no_error (error);
  return info->id;
}

/* Bytes whose value depends on the position, so a misplaced chunk shows. */
static inline guint8 *
vault_make_pattern (gsize size,
                    guint seed)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 31 + seed + i / 4096) & 0xff);
  return data;
}

/* Writes a string as a file's content, asserting success; returns the version. */
static inline guint32
vault_write_string (AvfsVault  *vault,
                    const char *path,
                    const char *content)
{
  g_autoptr(GError) error = NULL;
  guint32 version = avfs_vault_write (vault, path, (const guint8 *) content, strlen (content),
                                      AVFS_WRITE_NONE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (version, >, 0);
  return version;
}

/* Asserts a file's content (version 0: current). */
static inline void
vault_assert_content (AvfsVault  *vault,
                      const char *path,
                      guint32     version,
                      const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = avfs_vault_read (vault, path, version, &error);

  g_assert_no_error (error);
  g_assert_nonnull (content);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                   expected, strlen (expected));
}

/* One line per record ("COLLECTION HEX-KEY SHA256-OF-VALUE"), collection by collection:
 * any change shows, and a failed comparison names the record. @carried_only leaves out
 * what a migration does not carry: the engine's own collections (`_…`) and the search
 * queue. */
static inline char *
vault_records_fingerprint (AvfsVault *vault,
                           gboolean   carried_only)
{
  g_autoptr(GError) error = NULL;
  AvfsStorage *storage = avfs_vault_get_storage (vault);
  g_auto(GStrv) collections = avfs_storage_list_collections (storage, &error);
  g_autoptr(GString) records = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint c = 0; collections[c] != NULL; c++)
    {
      g_autoptr(AvfsCursor) cursor = NULL;

      if (carried_only &&
          (collections[c][0] == '_' || g_str_equal (collections[c], "search_queue")))
        continue;
      cursor = avfs_storage_scan_prefix (storage, collections[c], NULL, 0, &error);
      g_assert_no_error (error);
      while (avfs_cursor_next (cursor, &error))
        {
          gsize key_len, value_len;
          const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
          const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
          g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, value,
                                                                 value_len);

          g_string_append_printf (records, "%s ", collections[c]);
          for (gsize i = 0; i < key_len; i++)
            g_string_append_printf (records, "%02x", key[i]);
          g_string_append_printf (records, " %s\n", digest);
        }
      g_assert_no_error (error);
    }
  return g_string_free (g_steal_pointer (&records), FALSE);
}
