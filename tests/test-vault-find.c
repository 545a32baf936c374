/* SPDX-License-Identifier: GPL-3.0-or-later */
/* find and grep on every engine. */
#include "avfs-vault-find.h"
#include "avfs-vault-tags.h"
#include "vault-fixture.h"

static void
make_tree (VaultFixture *f)
{
  g_autoptr(GError) error = NULL;
  static const guint8 binary[] = { 'h', 'e', 'l', 'l', 'o', 0, 1, 2 };

  g_assert_true (avfs_vault_mkdir (f->vault, "/docs/notes", TRUE, &error));
  vault_write_string (f->vault, "/docs/readme.txt", "Hello, World!\nsecond line\nhello again\n");
  vault_write_string (f->vault, "/docs/notes/todo.txt", "buy milk\r\nHELLO there\r\n");
  vault_write_string (f->vault, "/docs/notes/big.md", "0123456789012345678901234567890123456789");
  vault_write_string (f->vault, "/latin1.txt", "caf\xe9 hello\n");
  g_assert_cmpuint (avfs_vault_write (f->vault, "/bin.dat", binary, sizeof binary,
                                      AVFS_WRITE_NONE, &error), ==, 1);
  g_assert_true (avfs_vault_tag_add (f->vault, "/docs/notes/todo.txt", "todo", &error));
  g_assert_true (avfs_vault_tag_add (f->vault, "/docs/notes", "todo", &error));
  g_assert_true (avfs_vault_meta_set (f->vault, "/docs/readme.txt", "author", "ada", &error));
  g_assert_no_error (error);
}

/* The found paths, joined with spaces. */
static char *
find_paths (AvfsVault           *vault,
            const char          *path,
            const AvfsFindQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = avfs_vault_find (vault, path, query, &error);
  g_autoptr(GString) joined = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (joined, "%s%s", i ? " " : "",
                            ((AvfsFileInfo *) g_ptr_array_index (found, i))->path);
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

static void
test_find (VaultFixture  *f,
           gconstpointer  data)
{
  static const struct {
    AvfsFindQuery query;
    const char *path;
    const char *expected;
  } cases[] = {
    { { "*.txt", 0, -1, -1, NULL, NULL, NULL, 0 }, "/",
      "/docs/notes/todo.txt /docs/readme.txt /latin1.txt" },
    { { NULL, AVFS_NODE_KIND_DIRECTORY, -1, -1, NULL, NULL, NULL, 0 }, "/", "/docs /docs/notes" },
    { { NULL, AVFS_NODE_KIND_FILE, 30, -1, NULL, NULL, NULL, 0 }, "/docs",
      "/docs/notes/big.md /docs/readme.txt" },
    { { NULL, AVFS_NODE_KIND_FILE, -1, 8, NULL, NULL, NULL, 0 }, "/", "/bin.dat" },
    { { NULL, 0, -1, -1, "todo", NULL, NULL, 0 }, "/", "/docs/notes /docs/notes/todo.txt" },
    { { NULL, AVFS_NODE_KIND_FILE, -1, -1, "todo", NULL, NULL, 0 }, "/", "/docs/notes/todo.txt" },
    { { NULL, 0, -1, -1, NULL, "author", NULL, 0 }, "/", "/docs/readme.txt" },
    { { NULL, 0, -1, -1, NULL, "author", "ada", 0 }, "/", "/docs/readme.txt" },
    { { NULL, 0, -1, -1, NULL, "author", "bob", 0 }, "/", "" },
    { { NULL, AVFS_NODE_KIND_FILE, -1, -1, NULL, NULL, NULL, 2 }, "/", "/bin.dat /docs/notes/big.md" },
    { { "notes", 0, -1, -1, NULL, NULL, NULL, 0 }, "/docs/notes", "/docs/notes" },
    { { NULL, 0, -1, -1, NULL, NULL, NULL, 0 }, "/docs/readme.txt", "/docs/readme.txt" },
  };

  make_tree (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *paths = find_paths (f->vault, cases[i].path, &cases[i].query);

      g_assert_cmpstr (paths, ==, cases[i].expected);
    }
}

static void
test_find_errors (VaultFixture  *f,
                  gconstpointer  data)
{
  AvfsFindQuery query = AVFS_FIND_QUERY_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_null (avfs_vault_find (f->vault, "/missing", &query, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  query.tag = "bad tag";
  g_assert_null (avfs_vault_find (f->vault, "/", &query, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
}

static gboolean
collect_cb (const char *path,
            guint       line_number,
            const char *line,
            gpointer    user_data)
{
  g_string_append_printf (user_data, "%s:%u:%s|", path, line_number, line);
  return TRUE;
}

static void
test_grep (VaultFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) hits = g_string_new (NULL);

  make_tree (f);
  g_assert_true (avfs_vault_grep (f->vault, "hello", "/", FALSE, collect_cb, hits, NULL, &error));
  g_assert_no_error (error);
  /* Binary files are skipped; Latin-1 is matched after lossy conversion. */
  g_assert_cmpstr (hits->str, ==, "/docs/readme.txt:3:hello again|/latin1.txt:1:caf\xef\xbf\xbd hello|");
  g_string_truncate (hits, 0);
  g_assert_true (avfs_vault_grep (f->vault, "^hello", "/docs", TRUE, collect_cb, hits, NULL, &error));
  g_assert_cmpstr (hits->str, ==, "/docs/notes/todo.txt:2:HELLO there|/docs/readme.txt:1:Hello, World!|/docs/readme.txt:3:hello again|");
  g_assert_false (avfs_vault_grep (f->vault, "(unclosed", "/", FALSE, collect_cb, hits, NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "(unclosed"));
}

static const VaultTest tests[] = {
  { "find", test_find },
  { "find-errors", test_find_errors },
  { "grep", test_grep },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-find", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
