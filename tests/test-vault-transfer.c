/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import and export between a vault and the host, on every engine: round trips, links,
 * special files, names, overwriting, and cancellation. */
#include <sys/stat.h>
#include <unistd.h>

#include "avfs-vault-admin.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-transfer.h"
#include "vault-fixture.h"

#define BIG_SIZE (AVFS_VAULT_DEFAULT_CHUNK_SIZE * 2 + 5)

/* A temporary host directory, removed with everything in it at the end of a test. */
typedef char HostDir;

static void
host_dir_free (HostDir *dir)
{
  vault_remove_host_tree (dir);
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostDir, host_dir_free)

static HostDir *
host_dir_new (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("avfs-transfer-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Writes @len bytes at @relative under @dir, creating parent directories. */
static void
host_write (const char   *dir,
            const char   *relative,
            const void   *data,
            gssize        len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, data, len, &error));
  g_assert_no_error (error);
}

static char *
host_read (const char *dir,
           const char *relative)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  char *content = NULL;

  g_assert_true (g_file_get_contents (path, &content, NULL, &error));
  g_assert_no_error (error);
  return content;
}

static void
assert_host_content (const char *dir,
                     const char *relative,
                     const char *expected)
{
  g_autofree char *content = host_read (dir, relative);

  g_assert_cmpstr (content, ==, expected);
}

static gboolean
host_exists (const char *dir,
             const char *relative)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  struct stat st;

  return lstat (path, &st) == 0;
}

/* Asserts that `diff -r` finds the two host trees identical. */
static void
assert_same_trees (const char *a,
                   const char *b)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "diff", "-r", a, b, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("The trees differ:\n%s%s", out, err);
}

static AvfsTransferReport
import_ok (AvfsVault       *vault,
           const char      *host,
           const char      *vault_path,
           AvfsImportFlags  flags)
{
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;

  g_assert_true (avfs_vault_import (vault, host, vault_path, flags, NULL, NULL, NULL, &report,
                                    &error));
  g_assert_no_error (error);
  return report;
}

static AvfsTransferReport
export_ok (AvfsVault       *vault,
           const char      *vault_path,
           const char      *host,
           AvfsExportFlags  flags)
{
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;

  g_assert_true (avfs_vault_export (vault, vault_path, host, flags, NULL, NULL, NULL, &report,
                                    &error));
  g_assert_no_error (error);
  return report;
}

/* The tree of the round trip: every case that could go wrong on the way. */
static void
make_tree (const char *dir)
{
  static const guint8 binary[] = { 0, 1, 2, 0, 0xff, 0xfe, 0, 'x', 0 };
  g_autofree guint8 *big = vault_make_pattern (BIG_SIZE, 3);
  g_autofree char *deep = g_build_filename ("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8",
                                            "deep.txt", NULL);
  g_autofree char *script = g_build_filename (dir, "run.sh", NULL);
  g_autofree char *empty_dir = g_build_filename (dir, "empty-dir", NULL);
  g_autofree char *nested_empty = g_build_filename (dir, "d1", "d2", "nothing-here", NULL);

  host_write (dir, deep, "eight levels down\n", -1);
  host_write (dir, "café.txt", "accent\n", -1);
  host_write (dir, "日本/語.md", "# 日本語\n", -1);
  host_write (dir, "🎉 party.txt", "emoji\n", -1);
  host_write (dir, "empty", "", 0);
  host_write (dir, "d1/also-empty", "", 0);
  host_write (dir, "binary.bin", binary, sizeof binary);
  host_write (dir, "big.bin", big, BIG_SIZE);
  host_write (dir, "run.sh", "#!/bin/sh\necho hi\n", -1);
  g_assert_cmpint (chmod (script, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (nested_empty, 0755), ==, 0);
}

/* Files and directories in make_tree(), and their bytes. */
#define TREE_FILES 9
#define TREE_DIRECTORIES 11
#define TREE_BYTES (18 + 7 + 12 + 6 + 0 + 0 + 9 + BIG_SIZE + 18)

static void
test_round_trip (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(HostDir) source = host_dir_new ();
  g_autoptr(HostDir) target = host_dir_new ();
  g_autofree char *out = g_build_filename (target, "out", NULL);
  g_autofree char *exported_script = g_build_filename (out, "run.sh", NULL);
  g_autofree char *exported_empty = g_build_filename (out, "empty", NULL);
  g_autoptr(AvfsFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;
  struct stat st;

  make_tree (source);
  report = import_ok (f->vault, source, "/imported/here", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.files, ==, TREE_FILES);
  g_assert_cmpuint (report.directories, ==, TREE_DIRECTORIES + 2);
  g_assert_cmpuint (report.bytes, ==, TREE_BYTES);
  g_assert_cmpuint (report.skipped_symlinks + report.skipped_special + report.skipped_names, ==, 0);

  info = avfs_vault_stat (f->vault, "/imported/here/big.bin", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->size, ==, BIG_SIZE);
  g_assert_cmpuint (info->n_chunks, ==, 3);
  g_assert_cmpuint (info->version, ==, 1);
  g_assert_cmpuint (info->mode, ==, 0644);
  g_clear_pointer (&info, avfs_file_info_free);
  info = avfs_vault_stat (f->vault, "/imported/here/run.sh", &error);
  g_assert_cmpuint (info->mode, ==, 0755);
  vault_assert_content (f->vault, "/imported/here/d1/d2/d3/d4/d5/d6/d7/d8/deep.txt", 0,
                        "eight levels down\n");
  vault_assert_content (f->vault, "/imported/here/日本/語.md", 0, "# 日本語\n");
  vault_assert_verifies (f->vault);

  report = export_ok (f->vault, "/imported/here", out, AVFS_EXPORT_NONE);
  g_assert_cmpuint (report.files, ==, TREE_FILES);
  g_assert_cmpuint (report.directories, ==, TREE_DIRECTORIES + 1);
  g_assert_cmpuint (report.bytes, ==, TREE_BYTES);
  assert_same_trees (source, out);

  /* Permissions and times come from the vault. */
  g_assert_cmpint (stat (exported_script, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0755);
  g_assert_cmpint (stat (exported_empty, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0644);
  g_clear_pointer (&info, avfs_file_info_free);
  info = avfs_vault_stat (f->vault, "/imported/here/empty", &error);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, info->modified_us / G_USEC_PER_SEC);
  g_assert_cmpint (st.st_mtim.tv_nsec / 1000, ==, info->modified_us % G_USEC_PER_SEC);
}

static void
test_reimport (VaultFixture  *f,
               gconstpointer  data)
{
  g_autoptr(HostDir) source = host_dir_new ();
  g_autoptr(AvfsFileInfo) info = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  AvfsAuditEntry *entry;
  AvfsTransferReport report;

  make_tree (source);
  import_ok (f->vault, source, "/", AVFS_IMPORT_NONE);
  audit = avfs_vault_audit_query (f->vault, 1, 0, &error);
  g_assert_no_error (error);
  entry = g_ptr_array_index (audit, 0);
  g_assert_cmpstr (entry->op, ==, "import");
  g_assert_cmpstr (entry->path, ==, "/");
  g_assert_nonnull (strstr (entry->details_json, "\"files\": 9,"));

  /* Importing again stores nothing new: no version for unchanged content. */
  report = import_ok (f->vault, source, "/", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.files, ==, 0);
  g_assert_cmpuint (report.directories, ==, 0);
  g_assert_cmpuint (report.unchanged, ==, TREE_FILES);

  /* A changed file gets a new version; the old one stays in its history. */
  host_write (source, "café.txt", "changed\n", -1);
  report = import_ok (f->vault, source, "/", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.files, ==, 1);
  g_assert_cmpuint (report.bytes, ==, 8);
  g_assert_cmpuint (report.unchanged, ==, TREE_FILES - 1);
  info = avfs_vault_stat (f->vault, "/café.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->version, ==, 2);
  vault_assert_content (f->vault, "/café.txt", 0, "changed\n");
  vault_assert_content (f->vault, "/café.txt", 1, "accent\n");

  /* No clobber leaves existing files as they are. */
  host_write (source, "café.txt", "changed again\n", -1);
  host_write (source, "new.txt", "new\n", -1);
  report = import_ok (f->vault, source, "/", AVFS_IMPORT_NO_CLOBBER);
  g_assert_cmpuint (report.files, ==, 1);
  g_assert_cmpuint (report.skipped_existing, ==, TREE_FILES);
  vault_assert_content (f->vault, "/café.txt", 0, "changed\n");
  vault_assert_content (f->vault, "/new.txt", 0, "new\n");
}

static void
test_single_file (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autofree char *file = g_build_filename (host, "note.txt", NULL);
  g_autofree char *out_dir = g_build_filename (host, "out", NULL);
  g_autofree char *renamed = g_build_filename (host, "made", "for", "renamed.txt", NULL);
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;

  host_write (host, "note.txt", "a note\n", -1);
  report = import_ok (f->vault, file, "/docs/a/copy.txt", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.files, ==, 1);
  g_assert_cmpuint (report.directories, ==, 2);
  vault_assert_content (f->vault, "/docs/a/copy.txt", 0, "a note\n");

  /* Into an existing directory, under its own name. */
  report = import_ok (f->vault, file, "/docs", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.directories, ==, 0);
  vault_assert_content (f->vault, "/docs/note.txt", 0, "a note\n");

  /* Out again: into an existing directory, then to a new name with new parents. */
  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  report = export_ok (f->vault, "/docs/a/copy.txt", out_dir, AVFS_EXPORT_NONE);
  g_assert_cmpuint (report.files, ==, 1);
  g_assert_cmpuint (report.directories, ==, 0);
  assert_host_content (host, "out/copy.txt", "a note\n");
  export_ok (f->vault, "/docs/note.txt", renamed, AVFS_EXPORT_NONE);
  assert_host_content (host, "made/for/renamed.txt", "a note\n");

  assert_fails (avfs_vault_import (f->vault, host, "/x", AVFS_IMPORT_NO_RECURSE, NULL, NULL,
                                   NULL, NULL, &error), AVFS_ERROR_IS_A_DIRECTORY);
  assert_fails (avfs_vault_import (f->vault, file, "/docs/a/copy.txt/x", AVFS_IMPORT_NONE,
                                   NULL, NULL, NULL, NULL, &error), AVFS_ERROR_NOT_A_DIRECTORY);
  assert_fails (avfs_vault_import (f->vault, file, "relative", AVFS_IMPORT_NONE, NULL, NULL,
                                   NULL, NULL, &error), AVFS_ERROR_INVALID_PATH);
  assert_fails (avfs_vault_export (f->vault, "/missing", out_dir, AVFS_EXPORT_NONE, NULL, NULL,
                                   NULL, NULL, &error), AVFS_ERROR_NOT_FOUND);
}

static void
test_links_and_special_files (VaultFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autoptr(HostDir) outside = host_dir_new ();
  g_autofree char *tree = g_build_filename (host, "tree", NULL);
  g_autofree char *sub = g_build_filename (tree, "sub", NULL);
  g_autofree char *fifo = g_build_filename (sub, "pipe", NULL);
  g_autofree char *outside_link = g_build_filename (tree, "outside", NULL);
  g_autofree char *link_top = g_build_filename (host, "link-to-tree", NULL);
  g_autoptr(GError) error = NULL;
  static const struct { const char *name; const char *target; } links[] = {
    { "tree/to-file", "real.txt" },
    { "tree/sub/to-dir", ".." },
    { "tree/dangling", "nowhere" },
  };
  AvfsTransferReport report;

  host_write (host, "tree/real.txt", "real\n", -1);
  host_write (outside, "secret", "not to be imported\n", -1);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *path = g_build_filename (host, links[i].name, NULL);

      g_assert_cmpint (symlink (links[i].target, path), ==, 0);
    }
  g_assert_cmpint (symlink (outside, outside_link), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_cmpint (symlink (tree, link_top), ==, 0);

  report = import_ok (f->vault, tree, "/t", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.files, ==, 1);
  g_assert_cmpuint (report.directories, ==, 2);
  g_assert_cmpuint (report.skipped_symlinks, ==, G_N_ELEMENTS (links) + 1);
  g_assert_cmpuint (report.skipped_special, ==, 1);
  assert_fails (avfs_vault_stat (f->vault, "/t/outside", &error) != NULL, AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_stat (f->vault, "/t/sub/pipe", &error) != NULL, AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_stat (f->vault, "/t/to-file", &error) != NULL, AVFS_ERROR_NOT_FOUND);

  /* Named directly, a link or a fifo is refused, and nothing is written. */
  g_assert_false (avfs_vault_import (f->vault, link_top, "/l", AVFS_IMPORT_NONE, NULL, NULL,
                                     NULL, NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);
  assert_fails (avfs_vault_import (f->vault, fifo, "/l", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                                   NULL, &error), AVFS_ERROR_INVALID_ARGUMENT);
  assert_fails (avfs_vault_stat (f->vault, "/l", &error) != NULL, AVFS_ERROR_NOT_FOUND);
}

static void
test_host_names (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autofree char *tree = g_build_filename (host, "tree", NULL);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;

  host_write (host, "tree/good.txt", "good\n", -1);
  host_write (host, "tree/latin1-\xe9t\xe9.txt", "not UTF-8\n", -1);
  host_write (host, "tree/bad-\xff-dir/inside.txt", "never reached\n", -1);

  report = import_ok (f->vault, tree, "/n", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.files, ==, 1);
  g_assert_cmpuint (report.skipped_names, ==, 2);
  entries = avfs_vault_list (f->vault, "/n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
}

static void
test_conflicts (VaultFixture  *f,
                gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autofree char *tree = g_build_filename (host, "tree", NULL);
  g_autoptr(GError) error = NULL;

  host_write (host, "tree/a/file.txt", "x", -1);
  host_write (host, "tree/b", "a file", -1);
  g_assert_true (avfs_vault_mkdir (f->vault, "/v", FALSE, &error));
  vault_write_string (f->vault, "/v/a", "a file where the host has a directory");
  assert_fails (avfs_vault_import (f->vault, tree, "/v", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                                   NULL, &error), AVFS_ERROR_NOT_A_DIRECTORY);
  g_assert_true (avfs_vault_remove (f->vault, "/v/a", FALSE, &error));
  g_assert_true (avfs_vault_mkdir (f->vault, "/v/b", TRUE, &error));
  g_assert_no_error (error);
  assert_fails (avfs_vault_import (f->vault, tree, "/v", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                                   NULL, &error), AVFS_ERROR_IS_A_DIRECTORY);
  vault_write_string (f->vault, "/v/c", "a file where the tree would go");
  assert_fails (avfs_vault_import (f->vault, tree, "/v/c", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                                   NULL, &error), AVFS_ERROR_NOT_A_DIRECTORY);
}

static void
test_export_overwrite (VaultFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autofree char *out = g_build_filename (host, "out", NULL);
  g_autofree char *out_file = g_build_filename (out, "z.txt", NULL);
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;

  vault_write_string (f->vault, "/a.txt", "from the vault a\n");
  vault_write_string (f->vault, "/z.txt", "from the vault z\n");
  g_assert_true (avfs_vault_mkdir (f->vault, "/sub", FALSE, &error));
  vault_write_string (f->vault, "/sub/b.txt", "from the vault b\n");
  host_write (host, "out/sub/b.txt", "mine\n", -1);

  /* Refused before anything is written: a.txt comes first but is not there. */
  assert_fails (avfs_vault_export (f->vault, "/", out, AVFS_EXPORT_NONE, NULL, NULL, NULL,
                                   &report, &error), AVFS_ERROR_EXISTS);
  g_assert_cmpuint (report.files, ==, 0);
  g_assert_false (host_exists (out, "a.txt"));
  g_assert_false (host_exists (out, "z.txt"));
  assert_host_content (out, "sub/b.txt", "mine\n");

  report = export_ok (f->vault, "/", out, AVFS_EXPORT_OVERWRITE);
  g_assert_cmpuint (report.files, ==, 3);
  g_assert_cmpuint (report.directories, ==, 0);
  assert_host_content (out, "sub/b.txt", "from the vault b\n");

  /* A directory where a file goes is never replaced, nor a file where a directory goes. */
  g_assert_true (avfs_vault_remove (f->vault, "/a.txt", FALSE, &error));
  g_assert_true (avfs_vault_mkdir (f->vault, "/a.txt", FALSE, &error));
  g_assert_no_error (error);
  assert_fails (avfs_vault_export (f->vault, "/", out, AVFS_EXPORT_OVERWRITE, NULL, NULL, NULL,
                                   NULL, &error), AVFS_ERROR_NOT_A_DIRECTORY);
  assert_fails (avfs_vault_export (f->vault, "/sub", out_file, AVFS_EXPORT_OVERWRITE, NULL,
                                   NULL, NULL, NULL, &error), AVFS_ERROR_NOT_A_DIRECTORY);
}

static void
test_quota (VaultFixture  *f,
            gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autofree guint8 *big = vault_make_pattern (BIG_SIZE, 5);
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;

  host_write (host, "a.txt", "a", -1);
  host_write (host, "b.txt", "b", -1);
  host_write (host, "c.txt", "c", -1);

  /* The quota is checked per batch: a refused batch leaves nothing behind. */
  g_assert_true (avfs_vault_quota_set (f->vault, "max_files", 2, &error));
  g_assert_no_error (error);
  assert_fails (avfs_vault_import (f->vault, host, "/q", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                                   &report, &error), AVFS_ERROR_QUOTA_EXCEEDED);
  g_assert_cmpuint (report.files, ==, 0);
  assert_fails (avfs_vault_stat (f->vault, "/q", &error) != NULL, AVFS_ERROR_NOT_FOUND);

  g_assert_true (avfs_vault_quota_clear (f->vault, "max_files", &error));
  g_assert_true (avfs_vault_quota_set (f->vault, "max_file_size_mb", 1, &error));
  g_assert_no_error (error);
  host_write (host, "big.bin", big, BIG_SIZE);
  g_assert_false (avfs_vault_import (f->vault, host, "/q", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                                     &report, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED);
  g_assert_nonnull (strstr (error->message, "/q/big.bin"));
  g_clear_error (&error);
  vault_assert_verifies (f->vault);
}

/* Cancels the transfer once @files_done files are reached. Each call waits past the
 * progress interval, so that the next step reports again: the test does not depend on
 * how fast the machine is. */
typedef struct
{
  GCancellable *cancellable;
  guint64 cancel_at;
  guint calls;
} Canceller;

static void
cancel_cb (const AvfsProgress *progress,
           gpointer            user_data)
{
  Canceller *canceller = user_data;

  canceller->calls++;
  g_assert_nonnull (progress->phase);
  if (progress->files_done >= canceller->cancel_at && g_str_equal (progress->phase, "copy"))
    g_cancellable_cancel (canceller->cancellable);
  g_usleep (G_USEC_PER_SEC / 10 + 10000);
}

static void
test_cancel_import (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gsize size = 9 * 1024 * 1024; /* two make one batch of over 16 MiB */
  g_autofree guint8 *a = vault_make_pattern (size, 1);
  g_autofree guint8 *b = vault_make_pattern (size, 2);
  g_autoptr(GBytes) got = NULL;
  Canceller canceller = { cancellable, 3, 0 };
  AvfsTransferReport report;

  host_write (host, "a.bin", a, size);
  host_write (host, "b.bin", b, size);
  host_write (host, "c.txt", "third\n", -1);
  host_write (host, "d.txt", "fourth\n", -1);

  g_assert_false (avfs_vault_import (f->vault, host, "/in", AVFS_IMPORT_NONE, cancel_cb,
                                     &canceller, cancellable, &report, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The first batch stays, whole; the one being gathered is gone. */
  vault_assert_verifies (f->vault);
  g_assert_cmpuint (report.files, ==, 2);
  entries = avfs_vault_list (f->vault, "/in", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  got = avfs_vault_read (f->vault, "/in/b.bin", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), b, size);

  /* Importing again finishes the job and adds no version to what was there. */
  report = import_ok (f->vault, host, "/in", AVFS_IMPORT_NONE);
  g_assert_cmpuint (report.files, ==, 2);
  g_assert_cmpuint (report.unchanged, ==, 2);
  vault_assert_content (f->vault, "/in/d.txt", 0, "fourth\n");
  vault_assert_verifies (f->vault);
}

static void
test_cancel_export (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(HostDir) host = host_dir_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  Canceller canceller = { cancellable, 1, 0 };
  AvfsTransferReport report;
  const char *name;
  guint n = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/f%u", i);

      vault_write_string (f->vault, path, path);
    }
  g_assert_false (avfs_vault_export (f->vault, "/", host, AVFS_EXPORT_NONE, cancel_cb,
                                     &canceller, cancellable, &report, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (report.files, ==, 1);

  /* Only the one whole file: no temporary file is left behind. */
  dir = g_dir_open (host, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_cmpstr (name, ==, "f0");
      n++;
    }
  g_assert_cmpuint (n, ==, 1);
}

static void
record_cb (const AvfsProgress *progress,
           gpointer            user_data)
{
  g_array_append_val (user_data, *progress);
}

static void
test_progress (VaultFixture  *f,
               gconstpointer  data)
{
  g_autoptr(HostDir) source = host_dir_new ();
  g_autoptr(HostDir) target = host_dir_new ();
  g_autoptr(GArray) calls = g_array_new (FALSE, FALSE, sizeof (AvfsProgress));
  g_autoptr(GError) error = NULL;
  AvfsProgress *last;

  make_tree (source);
  g_assert_true (avfs_vault_import (f->vault, source, "/p", AVFS_IMPORT_NONE, record_cb, calls,
                                    NULL, NULL, &error));
  g_assert_no_error (error);
  last = &g_array_index (calls, AvfsProgress, calls->len - 1);
  g_assert_cmpstr (last->phase, ==, "copy");
  g_assert_cmpuint (last->files_done, ==, TREE_FILES);
  g_assert_cmpuint (last->bytes_done, ==, TREE_BYTES);

  g_array_set_size (calls, 0);
  g_assert_true (avfs_vault_export (f->vault, "/p", target, AVFS_EXPORT_OVERWRITE, record_cb,
                                    calls, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (calls->len, >=, 2);
  g_assert_cmpstr (g_array_index (calls, AvfsProgress, 0).phase, ==, "scan");
  g_assert_cmpuint (g_array_index (calls, AvfsProgress, 0).files_total, ==, TREE_FILES);
  last = &g_array_index (calls, AvfsProgress, calls->len - 1);
  g_assert_cmpstr (last->phase, ==, "copy");
  g_assert_cmpuint (last->files_done, ==, TREE_FILES);
  g_assert_cmpuint (last->bytes_done, ==, TREE_BYTES);
  g_assert_cmpuint (last->bytes_total, ==, TREE_BYTES);
}

static const VaultTest tests[] = {
  { "round-trip", test_round_trip },
  { "reimport", test_reimport },
  { "single-file", test_single_file },
  { "links-and-special-files", test_links_and_special_files },
  { "host-names", test_host_names },
  { "conflicts", test_conflicts },
  { "export-overwrite", test_export_overwrite },
  { "quota", test_quota },
  { "cancel-import", test_cancel_import },
  { "cancel-export", test_cancel_export },
  { "progress", test_progress },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-transfer", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
