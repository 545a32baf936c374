/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Snapshots on every engine: save, list, info, delete, restore and undoing a restore. */
#include "avfs-vault-admin.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-private.h"
#include "avfs-vault-snapshots.h"
#include "avfs-vault-tags.h"
#include "vault-fixture.h"

static void
add_tag (AvfsVault  *vault,
         const char *path,
         const char *tag)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_tag_add (vault, path, tag, &error));
  g_assert_no_error (error);
}

static void
set_prop (AvfsVault  *vault,
          const char *path,
          const char *key,
          const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_meta_set (vault, path, key, value, &error));
  g_assert_no_error (error);
}

static char *
checksum (const guint8 *data,
          gsize         len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

/* Appends each key of @collection under node @id (after the id), with a checksum of
 * its value. */
static void
describe_records (GString    *out,
                  AvfsVault  *vault,
                  const char *collection,
                  guint64     id)
{
  g_autoptr(GError) error = NULL;
  guint8 prefix[AVFS_ID_KEY_LEN];
  g_autoptr(AvfsCursor) cursor = NULL;

  avfs_id_key (id, prefix);
  cursor = avfs_storage_scan_prefix (avfs_vault_get_storage (vault), collection, prefix,
                                     sizeof prefix, &error);
  g_assert_no_error (error);
  g_string_append_printf (out, "  %s:", collection);
  while (avfs_cursor_next (cursor, &error))
    {
      gsize key_len, value_len;
      const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
      const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
      g_autofree char *sum = checksum (value, value_len);

      g_string_append (out, " [");
      for (gsize i = sizeof prefix; i < key_len; i++)
        if (g_ascii_isgraph (key[i]))
          g_string_append_c (out, key[i]);
        else
          g_string_append_printf (out, "\\x%02x", key[i]);
      g_string_append_printf (out, "]=%.12s", sum);
    }
  g_assert_no_error (error);
  g_string_append_c (out, '\n');
}

/* Every tag of node @id has its tag_index entry. */
static void
assert_tag_index (AvfsVault *vault,
                  guint64    id)
{
  AvfsStorage *storage = avfs_vault_get_storage (vault);
  guint8 prefix[AVFS_ID_KEY_LEN];
  g_autoptr(AvfsCursor) cursor = NULL;

  avfs_id_key (id, prefix);
  cursor = avfs_storage_scan_prefix (storage, AVFS_COLLECTION_TAGS, prefix, sizeof prefix, NULL);
  while (avfs_cursor_next (cursor, NULL))
    {
      gsize len;
      const guint8 *key = avfs_cursor_get_key (cursor, &len);
      g_autofree char *tag = g_strndup ((const char *) key + sizeof prefix, len - sizeof prefix);
      g_autoptr(GBytes) index_key = avfs_tag_index_key (tag, id);
      gboolean exists = FALSE;

      g_assert_true (avfs_storage_exists (storage, AVFS_COLLECTION_TAG_INDEX,
                                          g_bytes_get_data (index_key, NULL),
                                          g_bytes_get_size (index_key), &exists, NULL));
      g_assert_true (exists);
    }
}

/* Everything a snapshot must bring back about @path and what is under it, node ids
 * aside: kind, mode, times, every version (record and content), tags, metadata. */
static void
describe (GString    *out,
          AvfsVault  *vault,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = avfs_vault_stat (vault, path, &error);
  g_autoptr(GPtrArray) children = NULL;

  g_assert_no_error (error);
  g_string_append_printf (out, "%s kind=%d mode=%o created=%" G_GINT64_FORMAT " modified=%"
                          G_GINT64_FORMAT " version=%u size=%" G_GUINT64_FORMAT "\n",
                          info->path, info->kind, info->mode, info->created_us,
                          info->modified_us, info->version, info->size);
  describe_records (out, vault, AVFS_COLLECTION_VERSIONS, info->id);
  describe_records (out, vault, AVFS_COLLECTION_TAGS, info->id);
  describe_records (out, vault, AVFS_COLLECTION_PROPS, info->id);
  assert_tag_index (vault, info->id);
  for (guint32 v = 1; info->kind == AVFS_NODE_KIND_FILE && v <= info->version; v++)
    {
      g_autoptr(GBytes) content = avfs_vault_read (vault, path, v, &error);
      g_autofree char *sum = NULL;

      g_assert_no_error (error);
      sum = checksum (g_bytes_get_data (content, NULL), g_bytes_get_size (content));
      g_string_append_printf (out, "  v%u %s\n", v, sum);
    }
  if (info->kind != AVFS_NODE_KIND_DIRECTORY)
    return;
  children = avfs_vault_list (vault, path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < children->len; i++)
    describe (out, vault, ((AvfsFileInfo *) g_ptr_array_index (children, i))->path);
}

static char *
describe_tree (AvfsVault *vault)
{
  GString *out = g_string_new (NULL);

  describe (out, vault, "/");
  return g_string_free (out, FALSE);
}

static const guint8 binary[] = { 0, 1, 2, 0xff, 0, 'x', 0x80, 0 };

/* Files with several versions, an empty file, a binary one, empty and nested
 * directories, tags and metadata. */
static void
build_tree (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_mkdir (vault, "/docs", FALSE, &error));
  g_assert_true (avfs_vault_mkdir (vault, "/empty-dir", FALSE, &error));
  g_assert_true (avfs_vault_mkdir (vault, "/deep/er/est", TRUE, &error));
  g_assert_no_error (error);
  vault_write_string (vault, "/docs/readme.txt", "Hello");
  vault_write_string (vault, "/docs/readme.txt", "Hello, World!");
  g_assert_cmpuint (avfs_vault_write (vault, "/docs/readme.txt", (const guint8 *) " more", 5,
                                      AVFS_WRITE_APPEND, &error), ==, 3);
  vault_write_string (vault, "/docs/in.txt", "from stdin");
  g_assert_true (avfs_vault_touch (vault, "/docs/empty", &error));
  g_assert_cmpuint (avfs_vault_write (vault, "/deep/er/bin", binary, sizeof binary,
                                      AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_no_error (error);
  add_tag (vault, "/docs/readme.txt", "work");
  add_tag (vault, "/docs/readme.txt", "urgent");
  add_tag (vault, "/docs", "folder");
  add_tag (vault, "/", "root-tag");
  set_prop (vault, "/deep/er/bin", "author", "Zoë");
  set_prop (vault, "/deep/er/bin", "kind", "binary");
  set_prop (vault, "/empty-dir", "purpose", "nothing yet");
}

/* Changes every kind of thing a snapshot keeps. */
static void
change_tree (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  static const guint8 other[] = { 0xff, 0xfe, 0 };

  vault_write_string (vault, "/docs/readme.txt", "changed");
  g_assert_true (avfs_vault_remove (vault, "/docs/in.txt", FALSE, &error));
  g_assert_true (avfs_vault_rmdir (vault, "/empty-dir", &error));
  g_assert_true (avfs_vault_mkdir (vault, "/new-dir", FALSE, &error));
  g_assert_cmpuint (avfs_vault_write (vault, "/deep/er/bin", other, sizeof other,
                                      AVFS_WRITE_NONE, &error), ==, 2);
  g_assert_no_error (error);
  vault_write_string (vault, "/docs/empty", "no longer empty");
  vault_write_string (vault, "/added", "added later");
  g_assert_true (avfs_vault_tag_remove (vault, "/docs/readme.txt", "urgent", &error));
  add_tag (vault, "/added", "fresh");
  set_prop (vault, "/deep/er/bin", "author", "someone else");
}

static void
assert_tree (AvfsVault  *vault,
             const char *expected)
{
  g_autofree char *tree = describe_tree (vault);

  g_assert_cmpstr (tree, ==, expected);
}

static char *
restore (AvfsVault  *vault,
         const char *name)
{
  g_autoptr(GError) error = NULL;
  char *undo = NULL;

  g_assert_true (avfs_vault_snapshot_restore (vault, name, &undo, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (undo, "auto-before-restore-"));
  return undo;
}

static void
test_round_trip (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *undo = NULL;
  g_autofree char *undo_undo = NULL;
  g_autoptr(AvfsSnapshotInfo) info = NULL;

  build_tree (f->vault);
  before = describe_tree (f->vault);
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s1", "before the change", &error));
  g_assert_no_error (error);
  change_tree (f->vault);
  after = describe_tree (f->vault);
  g_assert_cmpstr (before, !=, after);

  undo = restore (f->vault, "s1");
  assert_tree (f->vault, before);
  info = avfs_vault_snapshot_info (f->vault, undo, &error);
  g_assert_no_error (error);
  g_assert_true (info->automatic);
  g_assert_nonnull (strstr (info->description, "s1"));
  g_assert_cmpuint (info->files, ==, 4);
  g_assert_cmpuint (info->directories, ==, 5);

  if (f->path != NULL)
    vault_fixture_reopen (f);
  undo_undo = restore (f->vault, undo);
  g_assert_cmpstr (undo_undo, !=, undo);
  assert_tree (f->vault, after);

  /* The restored vault keeps working: ids are not reused, usage is right. */
  g_clear_pointer (&undo, g_free);
  undo = restore (f->vault, "s1");
  assert_tree (f->vault, before);
  vault_write_string (f->vault, "/docs/new", "new");
  g_assert_cmpuint (vault_write_string (f->vault, "/docs/readme.txt", "v4"), ==, 4);
  vault_assert_content (f->vault, "/docs/readme.txt", 3, "Hello, World! more");
  vault_assert_content (f->vault, "/docs/new", 0, "new");
  g_assert_cmpuint (vault_node_id (f->vault, "/"), ==, 1);
}

static void
test_empty_vault (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSnapshotInfo) info = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *empty = describe_tree (f->vault);
  g_autofree char *full = NULL;
  g_autofree char *undo = NULL;
  g_autofree char *again = NULL;

  g_assert_true (avfs_vault_snapshot_save (f->vault, "empty", NULL, &error));
  g_assert_no_error (error);
  info = avfs_vault_snapshot_info (f->vault, "empty", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->files, ==, 0);
  g_assert_cmpuint (info->directories, ==, 0);
  g_assert_cmpuint (info->bytes, ==, 0);
  g_assert_cmpstr (info->description, ==, "");
  g_assert_false (info->automatic);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_SNAPSHOT_ENTRIES), ==, 1);

  build_tree (f->vault);
  full = describe_tree (f->vault);
  undo = restore (f->vault, "empty");
  assert_tree (f->vault, empty);
  entries = avfs_vault_list (f->vault, "/", &error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_NODES), ==, 1);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_VERSIONS), ==, 0);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_TAG_INDEX), ==, 0);

  again = restore (f->vault, undo);
  assert_tree (f->vault, full);
}

static void
test_list_info (VaultFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(AvfsSnapshotInfo) info = NULL;
  gint64 start = g_get_real_time ();
  AvfsSnapshotInfo *first, *second;

  vault_write_string (f->vault, "/a", "12345");
  g_assert_true (avfs_vault_snapshot_save (f->vault, "b-first", "one", &error));
  g_usleep (1000);
  g_assert_true (avfs_vault_mkdir (f->vault, "/d/e", TRUE, &error));
  vault_write_string (f->vault, "/d/b", "678");
  g_assert_true (avfs_vault_snapshot_save (f->vault, "a-second", NULL, &error));
  g_assert_no_error (error);

  list = avfs_vault_snapshot_list (f->vault, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  first = g_ptr_array_index (list, 0);
  second = g_ptr_array_index (list, 1);
  g_assert_cmpstr (first->name, ==, "b-first");
  g_assert_cmpstr (first->description, ==, "one");
  g_assert_cmpuint (first->files, ==, 1);
  g_assert_cmpuint (first->directories, ==, 0);
  g_assert_cmpuint (first->bytes, ==, 5);
  g_assert_cmpint (first->created_us, >=, start);
  g_assert_cmpstr (second->name, ==, "a-second");
  g_assert_cmpuint (second->files, ==, 2);
  g_assert_cmpuint (second->directories, ==, 2);
  g_assert_cmpuint (second->bytes, ==, 8);
  g_assert_cmpint (second->created_us, >, first->created_us);
  g_assert_false (second->automatic);

  info = avfs_vault_snapshot_info (f->vault, "a-second", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->name, ==, "a-second");
  g_assert_cmpint (info->created_us, ==, second->created_us);
  g_assert_cmpuint (info->bytes, ==, 8);
  g_assert_cmpstr (info->description, ==, "");
}

static void
test_names (VaultFixture  *f,
            gconstpointer  data)
{
  static const char * const bad[] = {
    "", ".hidden", "-dash", "a/b", "a b", "tab\t", "new\nline", "ü", "a:b", "*",
    "12345678901234567890123456789012345678901234567890123456789012345",
  };
  static const char * const good[] = {
    "a", "1", "v1.0", "snap_shot-2024.01", "_x",
    "1234567890123456789012345678901234567890123456789012345678901234",
  };
  static const char * const bad_descriptions[] = { "two\nlines", "bad \xff utf-8", "bell\a" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *long_description = g_strnfill (AVFS_SNAPSHOT_DESCRIPTION_MAX + 1, 'd');

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      assert_fails (avfs_vault_snapshot_save (f->vault, bad[i], NULL, &error),
                    AVFS_ERROR_INVALID_ARGUMENT);
      assert_fails (avfs_vault_snapshot_info (f->vault, bad[i], &error) != NULL,
                    AVFS_ERROR_INVALID_ARGUMENT);
      assert_fails (avfs_vault_snapshot_delete (f->vault, bad[i], &error),
                    AVFS_ERROR_INVALID_ARGUMENT);
      assert_fails (avfs_vault_snapshot_restore (f->vault, bad[i], NULL, &error),
                    AVFS_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_descriptions); i++)
    assert_fails (avfs_vault_snapshot_save (f->vault, "ok", bad_descriptions[i], &error),
                  AVFS_ERROR_INVALID_ARGUMENT);
  assert_fails (avfs_vault_snapshot_save (f->vault, "ok", long_description, &error),
                AVFS_ERROR_INVALID_ARGUMENT);
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (avfs_vault_snapshot_save (f->vault, good[i], "Ünïcode is fine", &error));
      g_assert_no_error (error);
    }
  assert_fails (avfs_vault_snapshot_save (f->vault, "v1.0", NULL, &error), AVFS_ERROR_EXISTS);
  list = avfs_vault_snapshot_list (f->vault, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (good));
}

static void
test_unknown (VaultFixture  *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *tree = NULL;
  char *undo = NULL;

  build_tree (f->vault);
  tree = describe_tree (f->vault);
  g_assert_false (avfs_vault_snapshot_restore (f->vault, "nope", &undo, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);
  g_assert_null (undo);
  assert_fails (avfs_vault_snapshot_info (f->vault, "nope", &error) != NULL,
                AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_snapshot_delete (f->vault, "nope", &error), AVFS_ERROR_NOT_FOUND);
  assert_tree (f->vault, tree);
  list = avfs_vault_snapshot_list (f->vault, &error);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_delete (VaultFixture  *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *undo = NULL;
  guint64 blobs;

  build_tree (f->vault);
  tree = describe_tree (f->vault);
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s1", NULL, &error));
  /* A name that is a prefix of another must not take the other's entries along. */
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s1.1", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_SNAPSHOT_ENTRIES), ==, 2 * 10);
  blobs = vault_count_keys (f->vault, AVFS_COLLECTION_BLOBS);

  g_assert_true (avfs_vault_snapshot_delete (f->vault, "s1", &error));
  g_assert_no_error (error);
  assert_fails (avfs_vault_snapshot_info (f->vault, "s1", &error) != NULL, AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_snapshot_delete (f->vault, "s1", &error), AVFS_ERROR_NOT_FOUND);
  list = avfs_vault_snapshot_list (f->vault, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((AvfsSnapshotInfo *) g_ptr_array_index (list, 0))->name, ==, "s1.1");
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_SNAPSHOT_ENTRIES), ==, 10);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_BLOBS), ==, blobs);
  assert_tree (f->vault, tree);

  change_tree (f->vault);
  undo = restore (f->vault, "s1.1");
  assert_tree (f->vault, tree);
}

static void
test_cheap (VaultFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *undo = NULL;
  guint64 blobs, versions;

  build_tree (f->vault);
  blobs = vault_count_keys (f->vault, AVFS_COLLECTION_BLOBS);
  versions = vault_count_keys (f->vault, AVFS_COLLECTION_VERSIONS);
  g_assert_cmpuint (blobs, >, 0);
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s1", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_BLOBS), ==, blobs);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_VERSIONS), ==, versions);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_SNAPSHOT_ENTRIES), ==,
                    vault_count_keys (f->vault, AVFS_COLLECTION_NODES));

  undo = restore (f->vault, "s1");
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_BLOBS), ==, blobs);
}

static void
test_quota (VaultFixture  *f,
            gconstpointer  data)
{
  static const char * const quotas[] = { "max_files", "max_file_size_mb", "max_size_mb" };
  static const guint64 limits[] = { 2, 1, 1 };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *large = g_malloc0 (1024 * 1024 + 1);
  g_autofree char *tree = NULL;
  g_autofree char *undo = NULL;
  g_autoptr(GPtrArray) list = NULL;

  vault_write_string (f->vault, "/a", "a");
  vault_write_string (f->vault, "/b", "b");
  g_assert_cmpuint (avfs_vault_write (f->vault, "/large", large, 1024 * 1024 + 1,
                                      AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_true (avfs_vault_snapshot_save (f->vault, "three", NULL, &error));
  g_assert_true (avfs_vault_remove (f->vault, "/large", FALSE, &error));
  g_assert_true (avfs_vault_remove (f->vault, "/b", FALSE, &error));
  g_assert_no_error (error);
  tree = describe_tree (f->vault);

  /* Each limit alone stops the restore, which then changes nothing. */
  for (guint i = 0; i < G_N_ELEMENTS (quotas); i++)
    {
      g_test_message ("quota %s", quotas[i]);
      g_assert_true (avfs_vault_quota_set (f->vault, quotas[i], limits[i], &error));
      g_assert_false (avfs_vault_snapshot_restore (f->vault, "three", &undo, &error));
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED);
      g_assert_nonnull (strstr (error->message, quotas[i]));
      g_assert_nonnull (strstr (error->message, "three"));
      g_clear_error (&error);
      g_assert_null (undo);
      assert_tree (f->vault, tree);
      list = avfs_vault_snapshot_list (f->vault, &error);
      g_assert_cmpuint (list->len, ==, 1);
      g_clear_pointer (&list, g_ptr_array_unref);
      g_assert_true (avfs_vault_quota_clear (f->vault, quotas[i], &error));
      g_assert_no_error (error);
    }
  undo = restore (f->vault, "three");
  vault_assert_content (f->vault, "/b", 0, "b");
}

static void
test_long_path (VaultFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strnfill (200, 'n');
  g_autofree char *path = g_strdup_printf ("/%s/%s/%s", name, name, name);
  g_autoptr(GPtrArray) list = NULL;

  vault_write_string (f->vault, "/short", "fits");
  g_assert_cmpuint (avfs_vault_write (f->vault, path, (const guint8 *) "x", 1,
                                      AVFS_WRITE_PARENTS, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (avfs_vault_snapshot_save (f->vault, "s", NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  list = avfs_vault_snapshot_list (f->vault, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_SNAPSHOT_ENTRIES), ==, 0);
}

static void
test_audit (VaultFixture  *f,
            gconstpointer  data)
{
  static const char * const expected[] = {
    "snapshot-delete", "snapshot-restore", "snapshot-save", "snapshot-save", "write",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *undo = NULL;
  AvfsAuditEntry *entry;

  vault_write_string (f->vault, "/a", "a");
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s", NULL, &error));
  undo = restore (f->vault, "s");
  g_assert_true (avfs_vault_snapshot_delete (f->vault, "s", &error));
  g_assert_no_error (error);
  entries = avfs_vault_audit_query (f->vault, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < entries->len; i++)
    {
      entry = g_ptr_array_index (entries, i);
      g_assert_cmpstr (entry->op, ==, expected[i]);
      g_assert_cmpstr (entry->path, ==, i < 4 ? "" : "/a");
    }
  entry = g_ptr_array_index (entries, 1);
  g_assert_nonnull (strstr (entry->details_json, undo));
}

static void
put_entry (AvfsVault    *vault,
           const char   *path,
           const guint8 *value,
           gsize         len)
{
  g_autoptr(GError) error = NULL;
  gsize path_len = strlen (path);
  g_autofree guint8 *key = g_malloc (2 + path_len);

  /* An entry of snapshot "s": s ‖ 0 ‖ path. */
  key[0] = 's';
  key[1] = 0;
  memcpy (key + 2, path, path_len);
  avfs_storage_put (avfs_vault_get_storage (vault), AVFS_COLLECTION_SNAPSHOT_ENTRIES, key,
                    2 + path_len, value, len, &error);
  g_assert_no_error (error);
}

/* A damaged snapshot is refused, whether that shows before the transaction (a bad
 * record) or inside it (an entry without its parent), and nothing changes. */
static void
test_damaged (VaultFixture  *f,
              gconstpointer  data)
{
  static const guint8 garbage[] = { 0xde, 0xad, 0xbe, 0xef };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file_entry = NULL;
  g_autofree char *tree = NULL;
  g_autoptr(GPtrArray) list = NULL;
  char *undo = NULL;

  vault_write_string (f->vault, "/a", "a");
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s", NULL, &error));
  g_assert_no_error (error);
  file_entry = avfs_storage_get (avfs_vault_get_storage (f->vault),
                                 AVFS_COLLECTION_SNAPSHOT_ENTRIES, (const guint8 *) "s\0/a", 4,
                                 &error);
  g_assert_no_error (error);
  vault_write_string (f->vault, "/b", "b");
  tree = describe_tree (f->vault);

  put_entry (f->vault, "/nowhere/a", g_bytes_get_data (file_entry, NULL),
             g_bytes_get_size (file_entry));
  g_assert_false (avfs_vault_snapshot_restore (f->vault, "s", &undo, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "/nowhere/a"));
  g_clear_error (&error);

  put_entry (f->vault, "/a", garbage, sizeof garbage);
  g_assert_false (avfs_vault_snapshot_restore (f->vault, "s", &undo, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "/a"));
  g_clear_error (&error);

  g_assert_null (undo);
  assert_tree (f->vault, tree);
  list = avfs_vault_snapshot_list (f->vault, &error);
  g_assert_cmpuint (list->len, ==, 1);
}

/* gc keeps what snapshots refer to, and a restore leaves a vault that verifies. */
static void
test_gc_verify (VaultFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVerifyReport) report = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *undo = NULL;
  g_autofree char *again = NULL;
  AvfsGcReport gc = { 0 };

  build_tree (f->vault);
  before = describe_tree (f->vault);
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s1", NULL, &error));
  g_assert_true (avfs_vault_remove (f->vault, "/docs", TRUE, &error));
  g_assert_true (avfs_vault_remove (f->vault, "/deep", TRUE, &error));
  vault_write_string (f->vault, "/other", "other content");
  after = describe_tree (f->vault);
  g_assert_true (avfs_vault_gc (f->vault, FALSE, &gc, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gc.blobs_removed, ==, 0);

  undo = restore (f->vault, "s1");
  assert_tree (f->vault, before);
  g_assert_true (avfs_vault_gc (f->vault, FALSE, &gc, NULL, NULL, NULL, &error));
  g_assert_cmpuint (gc.blobs_removed, ==, 0);
  again = restore (f->vault, undo);
  assert_tree (f->vault, after);

  /* Once no snapshot holds the removed files, their content can go. */
  g_assert_true (avfs_vault_snapshot_delete (f->vault, "s1", &error));
  g_assert_true (avfs_vault_snapshot_delete (f->vault, undo, &error));
  g_assert_true (avfs_vault_snapshot_delete (f->vault, again, &error));
  g_assert_true (avfs_vault_gc (f->vault, FALSE, &gc, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gc.blobs_removed, >, 0);
  assert_tree (f->vault, after);

  report = avfs_vault_verify (f->vault, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < report->problems->len; i++)
    g_test_message ("%s", (const char *) g_ptr_array_index (report->problems, i));
  g_assert_cmpuint (report->n_problems, ==, 0);
  g_assert_cmpuint (report->snapshot_entries, ==,
                    vault_count_keys (f->vault, AVFS_COLLECTION_SNAPSHOT_ENTRIES));
}

static const VaultTest tests[] = {
  { "round-trip", test_round_trip },
  { "empty-vault", test_empty_vault },
  { "list-info", test_list_info },
  { "names", test_names },
  { "unknown", test_unknown },
  { "delete", test_delete },
  { "cheap", test_cheap },
  { "quota", test_quota },
  { "long-path", test_long_path },
  { "audit", test_audit },
  { "damaged", test_damaged },
  { "gc-verify", test_gc_verify },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-snapshots", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
