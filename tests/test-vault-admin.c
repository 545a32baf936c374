/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quotas and the audit log on every engine: limits on each path that adds content, a
 * refused change leaving nothing behind, audit entries, queries, clearing and rotation. */
#include "avfs-vault-admin.h"
#include "vault-fixture.h"

#define MIB (1024 * 1024)

/* Writes @size bytes of 'x' (or appends them); returns the version or 0 with @error. */
static guint32
write_size (AvfsVault       *vault,
            const char      *path,
            gsize            size,
            AvfsWriteFlags   flags,
            GError         **error)
{
  g_autofree guint8 *data = g_malloc (MAX (size, 1));

  memset (data, 'x', size);
  return avfs_vault_write (vault, path, data, size, flags, error);
}

static void
set_quota (AvfsVault  *vault,
           const char *name,
           guint64     value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_quota_set (vault, name, value, &error));
  g_assert_no_error (error);
}

static GBytes *
get_meta (AvfsVault  *vault,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  GBytes *value = avfs_storage_get (avfs_vault_get_storage (vault), "meta",
                                    (const guint8 *) name, strlen (name), &error);

  g_assert_no_error (error);
  return value;
}

static GPtrArray *
query (AvfsVault *vault,
       guint      limit,
       gint64     since_us)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = avfs_vault_audit_query (vault, limit, since_us, &error);

  g_assert_no_error (error);
  return entries;
}

/* What a refused change must leave as it was. */
typedef struct
{
  GBytes *usage;
  guint64 nodes;
  guint64 versions;
  guint64 audit;
} VaultState;

static void
vault_state_get (AvfsVault  *vault,
                 VaultState *state)
{
  state->usage = get_meta (vault, "usage");
  state->nodes = vault_count_keys (vault, "nodes");
  state->versions = vault_count_keys (vault, "versions");
  state->audit = vault_count_keys (vault, "audit");
}

static void
vault_state_assert_same (AvfsVault  *vault,
                         VaultState *before)
{
  g_autoptr(GBytes) usage = get_meta (vault, "usage");

  g_assert_true (g_bytes_equal (usage, before->usage));
  g_assert_cmpuint (vault_count_keys (vault, "nodes"), ==, before->nodes);
  g_assert_cmpuint (vault_count_keys (vault, "versions"), ==, before->versions);
  g_assert_cmpuint (vault_count_keys (vault, "audit"), ==, before->audit);
  g_clear_pointer (&before->usage, g_bytes_unref);
}

/* Asserts a quota refusal naming @limit and the would-be value @value. */
static void
assert_quota_error (GError     **error,
                    const char  *limit,
                    const char  *value)
{
  g_assert_error (*error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED);
  g_assert_nonnull (strstr ((*error)->message, limit));
  g_assert_nonnull (strstr ((*error)->message, value));
  g_clear_error (error);
}

/* A write of @size bytes to @path that the quota refuses, leaving everything as it was. */
static void
assert_write_refused (AvfsVault      *vault,
                      const char     *path,
                      gsize           size,
                      AvfsWriteFlags  flags,
                      const char     *limit,
                      const char     *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = avfs_vault_read (vault, path, 0, NULL);
  g_autoptr(GBytes) after = NULL;
  VaultState before;

  vault_state_get (vault, &before);
  g_assert_cmpuint (write_size (vault, path, size, flags, &error), ==, 0);
  assert_quota_error (&error, limit, value);
  vault_state_assert_same (vault, &before);
  after = avfs_vault_read (vault, path, 0, NULL);
  g_assert_true (content == after || g_bytes_equal (content, after));
}

static void
test_quota_settings (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) record = NULL;
  AvfsQuota quota;

  g_assert_true (avfs_vault_quota_get (f->vault, &quota, &error));
  g_assert_cmpuint (quota.max_size_mb + quota.max_files + quota.max_file_size_mb, ==, 0);

  set_quota (f->vault, "max_size_mb", 5);
  set_quota (f->vault, "max_files", 10);
  set_quota (f->vault, "max_file_size_mb", AVFS_QUOTA_MAX_VALUE);
  g_assert_true (avfs_vault_quota_get (f->vault, &quota, &error));
  g_assert_cmpuint (quota.max_size_mb, ==, 5);
  g_assert_cmpuint (quota.max_files, ==, 10);
  g_assert_cmpuint (quota.max_file_size_mb, ==, AVFS_QUOTA_MAX_VALUE);

  g_assert_false (avfs_vault_quota_set (f->vault, "max_dirs", 1, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "max_dirs"));
  g_assert_nonnull (strstr (error->message, "max_size_mb, max_files or max_file_size_mb"));
  g_clear_error (&error);
  assert_fails (avfs_vault_quota_set (f->vault, "max_files", 0, &error),
                AVFS_ERROR_INVALID_ARGUMENT);
  assert_fails (avfs_vault_quota_set (f->vault, "max_size_mb", AVFS_QUOTA_MAX_VALUE + 1,
                                      &error), AVFS_ERROR_INVALID_ARGUMENT);
  assert_fails (avfs_vault_quota_clear (f->vault, "MAX_FILES", &error),
                AVFS_ERROR_INVALID_ARGUMENT);

  g_assert_true (avfs_vault_quota_clear (f->vault, "max_files", &error));
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_files", &error));
  g_assert_true (avfs_vault_quota_get (f->vault, &quota, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (quota.max_size_mb, ==, 5);
  g_assert_cmpuint (quota.max_files, ==, 0);
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_size_mb", &error));
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_file_size_mb", &error));
  g_assert_no_error (error);
  record = get_meta (f->vault, "quota");
  g_assert_null (record);
}

static void
test_quota_audited_and_kept (VaultFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  AvfsAuditEntry *entry;
  AvfsQuota quota;

  set_quota (f->vault, "max_files", 7);
  set_quota (f->vault, "max_files", 7);
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_files", NULL));
  set_quota (f->vault, "max_file_size_mb", 3);
  entries = query (f->vault, 0, 0);
  g_assert_cmpuint (entries->len, ==, 3);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->op, ==, "quota-set");
  g_assert_cmpstr (entry->path, ==, "");
  g_assert_cmpstr (entry->details_json, ==, "{\"name\": \"max_file_size_mb\", \"value\": 3}");
  entry = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (entry->op, ==, "quota-clear");
  g_assert_cmpstr (entry->details_json, ==, "{\"name\": \"max_files\", \"value\": 0}");

  if (f->path == NULL)
    return;
  vault_fixture_reopen (f);
  g_assert_true (avfs_vault_quota_get (f->vault, &quota, NULL));
  g_assert_cmpuint (quota.max_file_size_mb, ==, 3);
  g_assert_cmpuint (quota.max_files, ==, 0);
}

static void
test_quota_file_size (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;

  set_quota (f->vault, "max_file_size_mb", 1);
  g_assert_cmpuint (write_size (f->vault, "/exact", MIB, AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_no_error (error);
  assert_write_refused (f->vault, "/over", MIB + 1, AVFS_WRITE_NONE, "max_file_size_mb",
                        "1048577 bytes");
  assert_write_refused (f->vault, "/exact", MIB + 1, AVFS_WRITE_NONE, "max_file_size_mb",
                        "1048577 bytes");
  info = avfs_vault_stat (f->vault, "/exact", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->version, ==, 1);
  g_assert_null (avfs_vault_stat (f->vault, "/over", NULL));

  /* An append is checked on the size it makes. */
  g_assert_cmpuint (write_size (f->vault, "/grow", MIB - 2, AVFS_WRITE_NONE, &error), ==, 1);
  assert_write_refused (f->vault, "/grow", 3, AVFS_WRITE_APPEND, "max_file_size_mb",
                        "1048577 bytes");
  g_assert_cmpuint (write_size (f->vault, "/grow", 2, AVFS_WRITE_APPEND, &error), ==, 2);
  g_assert_no_error (error);
}

static void
test_quota_files_and_size (VaultFixture  *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  set_quota (f->vault, "max_files", 2);
  vault_write_string (f->vault, "/one", "1");
  vault_write_string (f->vault, "/two", "2");
  assert_write_refused (f->vault, "/three", 1, AVFS_WRITE_NONE, "max_files", "3 files");
  assert_write_refused (f->vault, "/three", 1, AVFS_WRITE_APPEND, "max_files", "3 files");
  g_assert_cmpuint (vault_write_string (f->vault, "/one", "rewritten"), ==, 2);
  g_assert_true (avfs_vault_mkdir (f->vault, "/dirs/are/free", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_files", &error));

  set_quota (f->vault, "max_size_mb", 1);
  g_assert_cmpuint (write_size (f->vault, "/a", 600 * 1024, AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_no_error (error);
  /* 600 KiB + 600 KiB + the 10 bytes of /one and /two */
  assert_write_refused (f->vault, "/b", 600 * 1024, AVFS_WRITE_NONE, "max_size_mb",
                        "1228810 bytes");
  assert_write_refused (f->vault, "/a", 500 * 1024, AVFS_WRITE_APPEND, "max_size_mb",
                        "1126410 bytes");
}

static void
assert_copy_refused (AvfsVault  *vault,
                     const char *from,
                     const char *to,
                     const char *limit,
                     const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  VaultState before;

  vault_state_get (vault, &before);
  g_assert_null (avfs_vault_copy (vault, from, to, TRUE, &error));
  assert_quota_error (&error, limit, value);
  vault_state_assert_same (vault, &before);
  info = avfs_vault_stat (vault, to, &error);
  g_assert_null (info);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

static void
test_quota_copy (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_mkdir (f->vault, "/d", FALSE, &error));
  g_assert_cmpuint (write_size (f->vault, "/d/x", 400 * 1024, AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_cmpuint (write_size (f->vault, "/d/y", 400 * 1024, AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_cmpuint (write_size (f->vault, "/big", 2 * MIB, AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_no_error (error);

  set_quota (f->vault, "max_files", 3);
  assert_copy_refused (f->vault, "/d/x", "/x2", "max_files", "4 files");
  /* A recursive copy stops at the first file over the limit. */
  assert_copy_refused (f->vault, "/d", "/e", "max_files", "4 files");
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_files", NULL));

  set_quota (f->vault, "max_size_mb", 3);
  assert_copy_refused (f->vault, "/d", "/e", "max_size_mb", "3325952 bytes");
  assert_copy_refused (f->vault, "/big", "/big2", "max_size_mb", "5013504 bytes");
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_size_mb", NULL));

  /* A file from before the limit can be neither copied nor rewritten at its size. */
  set_quota (f->vault, "max_file_size_mb", 1);
  assert_copy_refused (f->vault, "/big", "/big2", "max_file_size_mb", "2097152 bytes");
  assert_write_refused (f->vault, "/big", 2 * MIB, AVFS_WRITE_NONE, "max_file_size_mb",
                        "2097152 bytes");
  g_free (avfs_vault_copy (f->vault, "/d", "/e", TRUE, &error));
  g_assert_no_error (error);
}

/* A limit below the current usage only stops growth. */
static void
test_quota_below_usage (VaultFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  vault_write_string (f->vault, "/a", "a");
  vault_write_string (f->vault, "/b", "b");
  vault_write_string (f->vault, "/c", "c");
  set_quota (f->vault, "max_files", 2);
  g_assert_cmpuint (vault_write_string (f->vault, "/a", "again"), ==, 2);
  assert_write_refused (f->vault, "/new", 1, AVFS_WRITE_NONE, "max_files", "4 files");
  g_assert_true (avfs_vault_remove (f->vault, "/a", FALSE, &error));
  assert_write_refused (f->vault, "/new", 1, AVFS_WRITE_NONE, "max_files", "3 files");
  g_assert_true (avfs_vault_remove (f->vault, "/b", FALSE, &error));
  g_assert_no_error (error);
  vault_write_string (f->vault, "/new", "n");
  g_assert_true (avfs_vault_quota_clear (f->vault, "max_files", NULL));

  g_assert_cmpuint (write_size (f->vault, "/big", MIB + MIB / 2, AVFS_WRITE_NONE, &error), ==, 1);
  set_quota (f->vault, "max_size_mb", 1);
  g_assert_cmpuint (write_size (f->vault, "/big", MIB + MIB / 4, AVFS_WRITE_NONE, &error), ==, 2);
  g_assert_no_error (error);
  assert_write_refused (f->vault, "/big", 1, AVFS_WRITE_APPEND, "max_size_mb", "1310723 bytes");
  assert_write_refused (f->vault, "/small", 1, AVFS_WRITE_NONE, "max_size_mb", "1310723 bytes");
}

typedef struct
{
  const char *op;
  const char *path;
  const char *details;  /* NULL: not checked */
} ExpectedEntry;

static void
assert_entries (GPtrArray           *entries,
                const ExpectedEntry *expected,
                guint                n_expected)
{
  g_assert_cmpuint (entries->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      AvfsAuditEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpstr (entry->op, ==, expected[i].op);
      g_assert_cmpstr (entry->path, ==, expected[i].path);
      if (expected[i].details != NULL)
        g_assert_cmpstr (entry->details_json, ==, expected[i].details);
      if (i > 0)
        g_assert_cmpint (entry->time_us, <=,
                         ((AvfsAuditEntry *) g_ptr_array_index (entries, i - 1))->time_us);
    }
}

static void
test_audit_mutations (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  static const ExpectedEntry expected[] = {
    { "rmdir", "/d", "{\"files\": 2, \"directories\": 1}" },
    { "rmdir", "/e", "{\"files\": 0, \"directories\": 1}" },
    { "mkdir", "/e", NULL },
    { "rm", "/d/h", "{\"files\": 1, \"directories\": 0}" },
    { "mv", "/d/g", "{\"to\": \"/d/h\"}" },
    { "mv", "/d/q", "{\"to\": \"/d/q\\\"é\\\\\\u0009\"}" },
    { "cp", "/d/f", "{\"to\": \"/d/q\", \"entries\": 1}" },
    { "cp", "/d/f", "{\"to\": \"/d/g\", \"entries\": 1}" },
    { "touch", "/d/f", NULL },
    { "append", "/d/f", "{\"version\": 2, \"size\": 2}" },
    { "write", "/d/f", "{\"version\": 1, \"size\": 1}" },
    { "mkdir", "/d", NULL },
  };

  entries = query (f->vault, 0, 0);
  g_assert_cmpuint (entries->len, ==, 0);
  g_clear_pointer (&entries, g_ptr_array_unref);

  g_assert_true (avfs_vault_mkdir (f->vault, "/d", FALSE, &error));
  vault_write_string (f->vault, "/d/f", "a");
  g_assert_cmpuint (avfs_vault_write (f->vault, "/d/f", (const guint8 *) "b", 1,
                                      AVFS_WRITE_APPEND, &error), ==, 2);
  g_assert_true (avfs_vault_touch (f->vault, "/d/f", &error));
  g_free (avfs_vault_copy (f->vault, "/d/f", "/d/g", FALSE, &error));
  g_free (avfs_vault_copy (f->vault, "/d/f", "/d/q", FALSE, &error));
  g_free (avfs_vault_move (f->vault, "/d/q", "/d/q\"é\\\t", &error));
  g_free (avfs_vault_move (f->vault, "/d/g", "/d/h", &error));
  g_assert_true (avfs_vault_remove (f->vault, "/d/h", FALSE, &error));
  g_assert_true (avfs_vault_mkdir (f->vault, "/e", FALSE, &error));
  g_assert_true (avfs_vault_rmdir (f->vault, "/e", &error));
  g_assert_true (avfs_vault_remove (f->vault, "/d", TRUE, &error));
  g_assert_no_error (error);
  /* Failures leave no entry. */
  assert_fails (avfs_vault_remove (f->vault, "/d", TRUE, &error), AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_mkdir (f->vault, "/x/y", FALSE, &error), AVFS_ERROR_NOT_FOUND);

  entries = query (f->vault, 0, 0);
  assert_entries (entries, expected, G_N_ELEMENTS (expected));
}

static void
test_audit_limit_since (VaultFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) newest = NULL;
  g_autoptr(GPtrArray) since = NULL;
  g_autoptr(GPtrArray) one = NULL;
  g_autoptr(GPtrArray) future = NULL;
  gint64 since_us;
  guint n_since = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/f%u", i);

      vault_write_string (f->vault, path, "x");
    }
  all = query (f->vault, 0, 0);
  g_assert_cmpuint (all->len, ==, 5);
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (all, 0))->path, ==, "/f4");
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (all, 4))->path, ==, "/f0");

  newest = query (f->vault, 2, 0);
  g_assert_cmpuint (newest->len, ==, 2);
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (newest, 0))->path, ==, "/f4");
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (newest, 1))->path, ==, "/f3");

  /* Since is inclusive: every entry at or after the time of /f2's. */
  since_us = ((AvfsAuditEntry *) g_ptr_array_index (all, 2))->time_us;
  for (guint i = 0; i < all->len; i++)
    n_since += ((AvfsAuditEntry *) g_ptr_array_index (all, i))->time_us >= since_us;
  since = query (f->vault, 0, since_us);
  g_assert_cmpuint (since->len, ==, n_since);
  g_assert_cmpuint (since->len, >=, 3);
  for (guint i = 0; i < since->len; i++)
    g_assert_cmpint (((AvfsAuditEntry *) g_ptr_array_index (since, i))->time_us, >=, since_us);
  one = query (f->vault, 1, since_us);
  g_assert_cmpuint (one->len, ==, 1);
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (one, 0))->path, ==, "/f4");
  future = query (f->vault, 0, G_MAXINT64);
  g_assert_cmpuint (future->len, ==, 0);

  g_assert_null (avfs_vault_audit_query (f->vault, 0, -1, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
}

static guint64
meta_uint64 (AvfsVault  *vault,
             const char *name)
{
  g_autoptr(GBytes) value = get_meta (vault, name);
  guint64 be;

  g_assert_nonnull (value);
  g_assert_cmpuint (g_bytes_get_size (value), ==, sizeof be);
  memcpy (&be, g_bytes_get_data (value, NULL), sizeof be);
  return GUINT64_FROM_BE (be);
}

static void
test_audit_clear (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  static const ExpectedEntry cleared[] = {
    { "audit-clear", "", "{\"removed\": 3}" },
  };
  static const ExpectedEntry cleared_again[] = {
    { "audit-clear", "", "{\"removed\": 1}" },
  };

  vault_write_string (f->vault, "/a", "a");
  vault_write_string (f->vault, "/b", "b");
  vault_write_string (f->vault, "/a", "a2");
  g_assert_true (avfs_vault_audit_clear (f->vault, &error));
  g_assert_no_error (error);
  entries = query (f->vault, 0, 0);
  assert_entries (entries, cleared, G_N_ELEMENTS (cleared));
  g_assert_cmpuint (meta_uint64 (f->vault, "audit_count"), ==, 1);
  g_clear_pointer (&entries, g_ptr_array_unref);

  g_assert_true (avfs_vault_audit_clear (f->vault, &error));
  g_assert_no_error (error);
  entries = query (f->vault, 0, 0);
  assert_entries (entries, cleared_again, G_N_ELEMENTS (cleared_again));
  vault_assert_content (f->vault, "/a", 0, "a2");
}

/* Writes /f @n times, asserting after each that the log stays within 10% of @max. */
static void
write_many (AvfsVault *vault,
            guint      n,
            guint64    max)
{
  for (guint i = 0; i < n; i++)
    {
      vault_write_string (vault, "/f", "x");
      g_assert_cmpuint (vault_count_keys (vault, "audit"), <=, max + max / 10);
      g_assert_cmpuint (meta_uint64 (vault, "audit_count"), ==,
                        vault_count_keys (vault, "audit"));
    }
}

static void
test_audit_rotation (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint64 max = 0;

  g_assert_true (avfs_vault_audit_get_max_entries (f->vault, &max, &error));
  g_assert_cmpuint (max, ==, AVFS_AUDIT_DEFAULT_MAX_ENTRIES);
  assert_fails (avfs_vault_audit_set_max_entries (f->vault, 0, &error),
                AVFS_ERROR_INVALID_ARGUMENT);
  assert_fails (avfs_vault_audit_set_max_entries (f->vault, AVFS_AUDIT_MAX_MAX_ENTRIES + 1,
                                                  &error), AVFS_ERROR_INVALID_ARGUMENT);

  g_assert_true (avfs_vault_audit_set_max_entries (f->vault, 20, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_vault_audit_get_max_entries (f->vault, &max, &error));
  g_assert_cmpuint (max, ==, 20);
  write_many (f->vault, 50, 20);
  g_assert_cmpuint (vault_count_keys (f->vault, "audit"), >=, 20);

  /* What is kept is the newest: versions 50, 49, … of /f. */
  entries = query (f->vault, 0, 0);
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsAuditEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *details = g_strdup_printf ("{\"version\": %u, \"size\": 1}", 50 - i);

      g_assert_cmpstr (entry->details_json, ==, details);
    }

  /* A lower limit trims at once. */
  g_assert_true (avfs_vault_audit_set_max_entries (f->vault, 3, &error));
  g_assert_no_error (error);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = query (f->vault, 0, 0);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (entries, 0))->op, ==,
                   "audit-max-entries");
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (entries, 0))->details_json, ==,
                   "{\"max_entries\": 3}");

  if (f->path == NULL)
    return;
  vault_fixture_reopen (f);
  write_many (f->vault, 5, 3);
  g_assert_cmpuint (vault_count_keys (f->vault, "audit"), ==, 3);
}

static const VaultTest tests[] = {
  { "quota-settings", test_quota_settings },
  { "quota-audited-kept", test_quota_audited_and_kept },
  { "quota-file-size", test_quota_file_size },
  { "quota-files-size", test_quota_files_and_size },
  { "quota-copy", test_quota_copy },
  { "quota-below-usage", test_quota_below_usage },
  { "audit-mutations", test_audit_mutations },
  { "audit-limit-since", test_audit_limit_since },
  { "audit-clear", test_audit_clear },
  { "audit-rotation", test_audit_rotation },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-admin", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
