/* SPDX-License-Identifier: GPL-3.0-or-later */
/* File history on every engine: log, diff, checkout, revert, gaps left by prune, mv. */
#include "avfs-vault-admin.h"
#include "avfs-vault-history.h"
#include "vault-fixture.h"

typedef struct
{
  guint32 number;
  const char *op;
  guint64 size;
} ExpectedVersion;

/* Asserts a file's log, newest first; the first entry is the current version. */
static void
assert_log (AvfsVault             *vault,
            const char            *path,
            guint                  limit,
            const ExpectedVersion *expected,
            guint                  n_expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = avfs_vault_log (vault, path, limit, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      AvfsVersionInfo *info = g_ptr_array_index (log, i);

      g_assert_cmpuint (info->number, ==, expected[i].number);
      g_assert_cmpstr (info->op, ==, expected[i].op);
      g_assert_cmpuint (info->size, ==, expected[i].size);
      g_assert_cmpint (info->is_current, ==, i == 0);
      g_assert_cmpint (info->time_us, >, 0);
      if (i > 0)
        g_assert_cmpint (info->time_us, <=,
                         ((AvfsVersionInfo *) g_ptr_array_index (log, i - 1))->time_us);
    }
}

/* Asserts that the last audit entry is @op on @path with @details. */
static void
assert_last_audit (AvfsVault  *vault,
                   const char *op,
                   const char *path,
                   const char *details)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = avfs_vault_audit_query (vault, 1, 0, &error);
  AvfsAuditEntry *entry;

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->op, ==, op);
  g_assert_cmpstr (entry->path, ==, path);
  g_assert_cmpstr (entry->details_json, ==, details);
}

static void
test_log (VaultFixture  *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const ExpectedVersion all[] = {
    { 3, "append", 10 }, { 2, "write", 6 }, { 1, "write", 5 },
  };
  g_autoptr(AvfsVersionInfo) copy = NULL;
  g_autoptr(GPtrArray) log = NULL;

  vault_write_string (f->vault, "/notes.txt", "first");
  vault_write_string (f->vault, "/notes.txt", "second");
  g_assert_cmpuint (avfs_vault_write (f->vault, "/notes.txt", (const guint8 *) " 3rd", 4,
                                      AVFS_WRITE_APPEND, &error), ==, 3);
  g_assert_no_error (error);

  assert_log (f->vault, "/notes.txt", 0, all, G_N_ELEMENTS (all));
  assert_log (f->vault, "//notes.txt/", 2, all, 2);
  assert_log (f->vault, "/notes.txt", 1, all, 1);
  assert_log (f->vault, "/notes.txt", 100, all, G_N_ELEMENTS (all));

  log = avfs_vault_log (f->vault, "/notes.txt", 1, &error);
  g_assert_no_error (error);
  copy = g_boxed_copy (AVFS_TYPE_VERSION_INFO, g_ptr_array_index (log, 0));
  g_assert_cmpstr (copy->op, ==, "append");
  g_assert_true (copy->op != ((AvfsVersionInfo *) g_ptr_array_index (log, 0))->op);
}

typedef struct
{
  const char *path;
  gint code;
} BadPath;

/* Every history call refuses what is not a file, naming it. */
static void
test_not_a_file (VaultFixture  *f,
                 gconstpointer  data)
{
  static const BadPath bad[] = {
    { "/missing", AVFS_ERROR_NOT_FOUND },
    { "/dir", AVFS_ERROR_IS_A_DIRECTORY },
    { "/", AVFS_ERROR_IS_A_DIRECTORY },
    { "relative", AVFS_ERROR_INVALID_PATH },
    { "/bad\xff", AVFS_ERROR_INVALID_PATH },
    { "/file/below", AVFS_ERROR_NOT_A_DIRECTORY },
  };

  g_assert_true (avfs_vault_mkdir (f->vault, "/dir", FALSE, NULL));
  vault_write_string (f->vault, "/file", "x");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) log = avfs_vault_log (f->vault, bad[i].path, 0, &error);
      g_autofree char *diff = NULL;

      g_assert_null (log);
      g_assert_error (error, AVFS_ERROR, bad[i].code);
      g_clear_error (&error);
      diff = avfs_vault_diff (f->vault, "/file", 1, bad[i].path, 0, &error);
      g_assert_null (diff);
      g_assert_error (error, AVFS_ERROR, bad[i].code);
      g_clear_error (&error);
      g_assert_cmpuint (avfs_vault_checkout (f->vault, bad[i].path, 1, &error), ==, 0);
      g_assert_error (error, AVFS_ERROR, bad[i].code);
      g_clear_error (&error);
      g_assert_cmpuint (avfs_vault_revert (f->vault, bad[i].path, &error), ==, 0);
      g_assert_error (error, AVFS_ERROR, bad[i].code);
    }
}

typedef struct
{
  const char *name;
  const char *path_a;
  guint32 version_a;
  const char *path_b;
  guint32 version_b;
  const char *expected;
} DiffCase;

static const DiffCase diff_cases[] = {
  { "versions", "/doc.txt", 1, NULL, 2,
    "--- a/doc.txt@v1\n+++ b/doc.txt@v2\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n" },
  { "current", "/doc.txt", 1, "/doc.txt", 0,
    "--- a/doc.txt@v1\n+++ b/doc.txt@v3\n@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n" },
  { "backwards", "/doc.txt", 0, NULL, 2,
    "--- a/doc.txt@v3\n+++ b/doc.txt@v2\n@@ -1,4 +1,3 @@\n one\n-two\n+TWO\n three\n"
    "-four\n" },
  { "same-version", "/doc.txt", 2, NULL, 2, "" },
  { "two-files", "/sub/other.txt", 0, "/doc.txt", 1,
    "--- a/sub/other.txt@v1\n+++ b/doc.txt@v1\n@@ -1,3 +1,3 @@\n one\n two\n-3\n"
    "\\ No newline at end of file\n+three\n" },
  { "equal-files", "/sub/same.txt", 0, "/doc.txt", 1, "" },
  { "binary", "/bin", 1, NULL, 2, "Binary files a/bin@v1 and b/bin@v2 differ\n" },
  { "binary-same", "/bin", 1, "/bin-copy", 1, "" },
  { "text-to-binary", "/doc.txt", 1, "/bin", 1,
    "Binary files a/doc.txt@v1 and b/bin@v1 differ\n" },
  { "empty-to-text", "/empty", 0, "/doc.txt", 1,
    "--- a/empty@v1\n+++ b/doc.txt@v1\n@@ -0,0 +1,3 @@\n+one\n+two\n+three\n" },
};

static void
write_diff_files (AvfsVault *vault)
{
  static const guint8 bin1[] = { 0x7f, 'E', 'L', 'F', 0, 1 };
  static const guint8 bin2[] = { 0x7f, 'E', 'L', 'F', 0, 2 };
  g_autoptr(GError) error = NULL;

  vault_write_string (vault, "/doc.txt", "one\ntwo\nthree\n");
  vault_write_string (vault, "/doc.txt", "one\nTWO\nthree\n");
  vault_write_string (vault, "/doc.txt", "one\ntwo\nthree\nfour\n");
  g_assert_true (avfs_vault_mkdir (vault, "/sub", FALSE, NULL));
  vault_write_string (vault, "/sub/other.txt", "one\ntwo\n3");
  vault_write_string (vault, "/sub/same.txt", "one\ntwo\nthree\n");
  avfs_vault_write (vault, "/bin", bin1, sizeof bin1, AVFS_WRITE_NONE, &error);
  avfs_vault_write (vault, "/bin", bin2, sizeof bin2, AVFS_WRITE_NONE, &error);
  avfs_vault_write (vault, "/bin-copy", bin1, sizeof bin1, AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (avfs_vault_touch (vault, "/empty", NULL));
}

static void
test_diff (VaultFixture  *f,
           gconstpointer  data)
{
  write_diff_files (f->vault);
  for (guint i = 0; i < G_N_ELEMENTS (diff_cases); i++)
    {
      const DiffCase *c = &diff_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *diff = avfs_vault_diff (f->vault, c->path_a, c->version_a, c->path_b,
                                               c->version_b, &error);

      g_test_message ("diff case %s", c->name);
      g_assert_no_error (error);
      g_assert_cmpstr (diff, ==, c->expected);
    }
}

static void
test_diff_missing (VaultFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *diff = NULL;

  vault_write_string (f->vault, "/doc.txt", "one\n");
  diff = avfs_vault_diff (f->vault, "/doc.txt", 7, NULL, 0, &error);
  g_assert_null (diff);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/doc.txt has no version 7"));
}

/* Past the in-memory limit a text diff is refused before anything is read. The check
 * is the same on every engine, so only the memory engine pays for the large file. */
static void
test_diff_too_large (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gsize size = AVFS_VAULT_DIFF_MAX_SIZE + AVFS_VAULT_DEFAULT_CHUNK_SIZE;
  g_autofree guint8 *text = g_malloc (size);
  g_autofree char *diff = NULL;

  if (f->path != NULL)
    {
      g_test_skip ("the same on every engine; runs on memory");
      return;
    }
  /* 64-byte lines, so every chunk is the same one and is stored once. */
  for (gsize i = 0; i < size; i += 64)
    {
      memset (text + i, 'x', 63);
      text[i + 63] = '\n';
    }
  vault_write_string (f->vault, "/doc.txt", "one\n");
  g_assert_cmpuint (avfs_vault_write (f->vault, "/doc.txt", text, size, AVFS_WRITE_NONE,
                                      &error), ==, 2);
  g_assert_no_error (error);
  diff = avfs_vault_diff (f->vault, "/doc.txt", 1, NULL, 2, &error);
  g_assert_null (diff);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/doc.txt version 2"));
}

/* The number of stored chunks, which checkout and revert must not change. */
static guint64
count_blobs (VaultFixture *f)
{
  return vault_count_keys (f->vault, "blobs");
}

static void
test_checkout (VaultFixture  *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const ExpectedVersion expected[] = {
    { 4, "checkout", 4 }, { 3, "write", 6 }, { 2, "write", 4 }, { 1, "write", 4 },
  };
  g_autoptr(AvfsFileInfo) info = NULL;
  guint64 blobs;

  vault_write_string (f->vault, "/f", "one\n");
  vault_write_string (f->vault, "/f", "two\n");
  vault_write_string (f->vault, "/f", "three\n");
  blobs = count_blobs (f);

  g_assert_cmpuint (avfs_vault_checkout (f->vault, "/f", 1, &error), ==, 4);
  g_assert_no_error (error);
  vault_assert_content (f->vault, "/f", 0, "one\n");
  vault_assert_content (f->vault, "/f", 4, "one\n");
  assert_log (f->vault, "/f", 0, expected, G_N_ELEMENTS (expected));
  assert_last_audit (f->vault, "checkout", "/f", "{\"version\": 4, \"from\": 1, \"size\": 4}");
  g_assert_cmpuint (count_blobs (f), ==, blobs);
  info = avfs_vault_stat (f->vault, "/f", &error);
  g_assert_cmpuint (info->version, ==, 4);
  g_assert_cmpuint (info->size, ==, 4);

  /* Checking out the current version appends it again: history only grows. */
  g_assert_cmpuint (avfs_vault_checkout (f->vault, "//f", 4, &error), ==, 5);
  vault_assert_content (f->vault, "/f", 0, "one\n");

  g_assert_cmpuint (avfs_vault_checkout (f->vault, "/f", 9, &error), ==, 0);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/f has no version 9"));
  g_clear_error (&error);
  g_assert_cmpuint (avfs_vault_checkout (f->vault, "/f", 0, &error), ==, 0);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  vault_assert_content (f->vault, "/f", 0, "one\n");
}

static void
test_revert (VaultFixture  *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const ExpectedVersion expected[] = {
    { 4, "revert", 1 }, { 3, "revert", 1 }, { 2, "write", 1 }, { 1, "write", 1 },
  };
  guint64 blobs;

  vault_write_string (f->vault, "/f", "a");
  g_assert_cmpuint (avfs_vault_revert (f->vault, "/f", &error), ==, 0);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/f has no version before"));
  g_clear_error (&error);

  vault_write_string (f->vault, "/f", "b");
  blobs = count_blobs (f);
  g_assert_cmpuint (avfs_vault_revert (f->vault, "/f", &error), ==, 3);
  g_assert_no_error (error);
  vault_assert_content (f->vault, "/f", 0, "a");
  assert_last_audit (f->vault, "revert", "/f", "{\"version\": 3, \"from\": 1, \"size\": 1}");

  /* Reverting the revert brings the change back. */
  g_assert_cmpuint (avfs_vault_revert (f->vault, "/f", &error), ==, 4);
  vault_assert_content (f->vault, "/f", 0, "b");
  assert_log (f->vault, "/f", 0, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (count_blobs (f), ==, blobs);
}

/* Removes a version record the way prune does, leaving a gap in the numbers. */
static void
drop_version (AvfsVault  *vault,
              const char *path,
              guint32     number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = avfs_vault_stat (vault, path, &error);
  guint64 id = GUINT64_TO_BE (info->id);
  guint32 be = GUINT32_TO_BE (number);
  guint8 key[sizeof id + sizeof be];

  memcpy (key, &id, sizeof id);
  memcpy (key + sizeof id, &be, sizeof be);
  g_assert_true (avfs_storage_delete (avfs_vault_get_storage (vault), "versions", key,
                                      sizeof key, &error));
  g_assert_no_error (error);
}

static void
test_gaps (VaultFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const ExpectedVersion expected[] = {
    { 4, "revert", 3 }, { 3, "write", 5 }, { 1, "write", 3 },
  };
  g_autofree char *diff = NULL;

  vault_write_string (f->vault, "/f", "v1\n");
  vault_write_string (f->vault, "/f", "v2\n");
  vault_write_string (f->vault, "/f", "v3\nx\n");
  drop_version (f->vault, "/f", 2);

  /* The version before the current one is 1 now. */
  g_assert_cmpuint (avfs_vault_revert (f->vault, "/f", &error), ==, 4);
  g_assert_no_error (error);
  vault_assert_content (f->vault, "/f", 0, "v1\n");
  assert_log (f->vault, "/f", 0, expected, G_N_ELEMENTS (expected));

  diff = avfs_vault_diff (f->vault, "/f", 3, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (diff, ==, "--- a/f@v3\n+++ b/f@v4\n@@ -1,2 +1 @@\n-v3\n-x\n+v1\n");
  g_assert_cmpuint (avfs_vault_checkout (f->vault, "/f", 2, &error), ==, 0);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

/* History is keyed by the node, so it follows a file that moves. */
static void
test_move (VaultFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const ExpectedVersion expected[] = {
    { 3, "checkout", 4 }, { 2, "write", 4 }, { 1, "write", 4 },
  };
  g_autofree char *moved = NULL;
  g_autofree char *diff = NULL;
  g_autoptr(GPtrArray) old_log = NULL;

  vault_write_string (f->vault, "/a.txt", "old\n");
  vault_write_string (f->vault, "/a.txt", "new\n");
  g_assert_true (avfs_vault_mkdir (f->vault, "/dir", FALSE, NULL));
  moved = avfs_vault_move (f->vault, "/a.txt", "/dir/b.txt", &error);
  g_assert_no_error (error);

  diff = avfs_vault_diff (f->vault, "/dir/b.txt", 1, NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (diff, ==, "--- a/dir/b.txt@v1\n+++ b/dir/b.txt@v2\n@@ -1 +1 @@\n-old\n+new\n");
  g_assert_cmpuint (avfs_vault_checkout (f->vault, moved, 1, &error), ==, 3);
  assert_log (f->vault, "/dir/b.txt", 0, expected, G_N_ELEMENTS (expected));
  assert_last_audit (f->vault, "checkout", "/dir/b.txt",
                     "{\"version\": 3, \"from\": 1, \"size\": 4}");

  old_log = avfs_vault_log (f->vault, "/a.txt", 0, &error);
  g_assert_null (old_log);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

/* Content brought back is content added: the quotas apply, and nothing changes when
 * they refuse. */
static void
test_quota (VaultFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = g_malloc0 (1024 * 1024 + 1);
  g_autoptr(AvfsFileInfo) info = NULL;

  g_assert_cmpuint (avfs_vault_write (f->vault, "/f", big, 1024 * 1024 + 1, AVFS_WRITE_NONE,
                                      &error), ==, 1);
  vault_write_string (f->vault, "/f", "small");
  g_assert_true (avfs_vault_quota_set (f->vault, "max_file_size_mb", 1, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (avfs_vault_checkout (f->vault, "/f", 1, &error), ==, 0);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED);
  g_clear_error (&error);
  g_assert_cmpuint (avfs_vault_revert (f->vault, "/f", &error), ==, 0);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED);
  g_clear_error (&error);
  info = avfs_vault_stat (f->vault, "/f", &error);
  g_assert_cmpuint (info->version, ==, 2);
  vault_assert_content (f->vault, "/f", 0, "small");

  g_assert_true (avfs_vault_quota_clear (f->vault, "max_file_size_mb", &error));
  g_assert_cmpuint (avfs_vault_revert (f->vault, "/f", &error), ==, 3);
  g_assert_no_error (error);
}

static void
test_persistence (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const ExpectedVersion expected[] = {
    { 3, "checkout", 2 }, { 2, "write", 2 }, { 1, "write", 2 },
  };

  if (f->path == NULL)
    {
      g_test_skip ("a memory vault does not persist");
      return;
    }
  vault_write_string (f->vault, "/f", "1\n");
  vault_write_string (f->vault, "/f", "2\n");
  g_assert_cmpuint (avfs_vault_checkout (f->vault, "/f", 1, &error), ==, 3);
  vault_fixture_reopen (f);
  assert_log (f->vault, "/f", 0, expected, G_N_ELEMENTS (expected));
  vault_assert_content (f->vault, "/f", 0, "1\n");
}

static const VaultTest tests[] = {
  { "log", test_log },
  { "not-a-file", test_not_a_file },
  { "diff", test_diff },
  { "diff-missing", test_diff_missing },
  { "diff-too-large", test_diff_too_large },
  { "checkout", test_checkout },
  { "revert", test_revert },
  { "gaps", test_gaps },
  { "move", test_move },
  { "quota", test_quota },
  { "persistence", test_persistence },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-history", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
