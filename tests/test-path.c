/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Vault paths: a table of normal and hostile inputs and what each must become. */
#include <string.h>

#include "avfs-error.h"
#include "avfs-path.h"

typedef struct
{
  const char *input;
  const char *expected; /* NULL: must be refused */
} PathCase;

static const PathCase normalize_cases[] = {
  { "/", "/" },
  { "//", "/" },
  { "///", "/" },
  { "/.", "/" },
  { "/./", "/" },
  { "/a", "/a" },
  { "/a/", "/a" },
  { "/a//b", "/a/b" },
  { "/a/./b", "/a/b" },
  { "/a/b/..", "/a" },
  { "/a/b/../", "/a" },
  { "/a/b/../../", "/" },
  { "/a/../b/../c", "/c" },
  { "/a/b/c/../../d", "/a/d" },
  { "/...", "/..." },
  { "/a/.../b", "/a/.../b" },
  { "/.hidden", "/.hidden" },
  { "/a..b", "/a..b" },
  { "/ spaces /x", "/ spaces /x" },
  { "/with\\backslash", "/with\\backslash" },
  { "/ünïcödé/日本語.txt", "/ünïcödé/日本語.txt" },
  { "/emoji/😀", "/emoji/😀" },
  { "/tab\there", "/tab\there" },
  { "/new\nline", "/new\nline" },
  { "/a/b/c/d/e/f/g/h", "/a/b/c/d/e/f/g/h" },
  { "/-rf", "/-rf" },
  { "/*", "/*" },
  { "/..a", "/..a" },
  /* hostile: escaping the root */
  { "/..", NULL },
  { "/../", NULL },
  { "/../etc/passwd", NULL },
  { "/../../etc/evil", NULL },
  { "/a/../..", NULL },
  { "/a/b/../../../c", NULL },
  { "/./../x", NULL },
  /* hostile: not absolute, empty, malformed */
  { "", NULL },
  { "relative", NULL },
  { "./a", NULL },
  { "../a", NULL },
  { "~/a", NULL },
  { "/bad\xff" "utf8", NULL },
  { "/\xc3", NULL },
  { "/ok/\xed\xa0\x80", NULL }, /* a UTF-16 surrogate encoded in UTF-8 */
};

static void
test_normalize_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (normalize_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *result = avfs_path_normalize (normalize_cases[i].input, &error);

      if (normalize_cases[i].expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (result, ==, normalize_cases[i].expected);
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
          g_assert_true (g_str_has_prefix (error->message, "Invalid path “"));
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
        }
    }
}

static void
test_normalize_lengths (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *longest_name = g_strnfill (AVFS_PATH_MAX_NAME, 'n');
  g_autofree char *too_long_name = g_strnfill (AVFS_PATH_MAX_NAME + 1, 'n');
  g_autofree char *ok = g_strconcat ("/", longest_name, NULL);
  g_autofree char *bad = g_strconcat ("/dir/", too_long_name, "/x", NULL);
  g_autofree char *huge = g_strnfill (AVFS_PATH_MAX_LEN + 1, '/');
  g_autofree char *result = avfs_path_normalize (ok, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, ok);
  g_clear_pointer (&result, g_free);

  result = avfs_path_normalize (bad, &error);
  g_assert_null (result);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
  g_assert_nonnull (strstr (error->message, "255 bytes"));
  g_clear_error (&error);

  result = avfs_path_normalize (huge, &error);
  g_assert_null (result);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
}

static void
test_check_name (void)
{
  static const struct { const char *name; gboolean ok; } cases[] = {
    { "file.txt", TRUE }, { ".hidden", TRUE }, { "...", TRUE }, { "日本", TRUE },
    { "", FALSE }, { ".", FALSE }, { "..", FALSE }, { "a/b", FALSE }, { "/", FALSE },
    { "bad\xff", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = avfs_path_check_name (cases[i].name, &error);

      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
    }
}

static void
test_resolve (void)
{
  static const struct { const char *base, *path, *expected; } cases[] = {
    { "/", "a", "/a" }, { "/docs", "a/b", "/docs/a/b" }, { "/docs", "..", "/" },
    { "/docs", "/abs", "/abs" }, { "/docs/x", "../y", "/docs/y" }, { "/", "../..", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *result = avfs_path_resolve (cases[i].base, cases[i].path, &error);

      g_assert_cmpstr (result, ==, cases[i].expected);
      g_assert_true ((error == NULL) == (cases[i].expected != NULL));
    }
}

static void
test_parts (void)
{
  g_autofree char *parent = avfs_path_get_parent ("/a/b/c");
  g_autofree char *root_parent = avfs_path_get_parent ("/a");
  g_autofree char *joined = avfs_path_join ("/", "x");
  g_autofree char *joined2 = avfs_path_join ("/a", "x");
  g_auto(GStrv) split = avfs_path_split ("/a/b");
  g_auto(GStrv) split_root = avfs_path_split ("/");

  g_assert_cmpstr (parent, ==, "/a/b");
  g_assert_cmpstr (root_parent, ==, "/");
  g_assert_cmpstr (avfs_path_get_name ("/a/b/c"), ==, "c");
  g_assert_cmpstr (avfs_path_get_name ("/"), ==, "");
  g_assert_cmpstr (joined, ==, "/x");
  g_assert_cmpstr (joined2, ==, "/a/x");
  g_assert_cmpuint (g_strv_length (split), ==, 2);
  g_assert_cmpuint (g_strv_length (split_root), ==, 0);

  g_assert_true (avfs_path_is_inside ("/a/b", "/a"));
  g_assert_true (avfs_path_is_inside ("/a", "/a"));
  g_assert_true (avfs_path_is_inside ("/a", "/"));
  g_assert_false (avfs_path_is_inside ("/ab", "/a"));
  g_assert_false (avfs_path_is_inside ("/a", "/a/b"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/path/normalize-table", test_normalize_table);
  g_test_add_func ("/path/normalize-lengths", test_normalize_lengths);
  g_test_add_func ("/path/check-name", test_check_name);
  g_test_add_func ("/path/resolve", test_resolve);
  g_test_add_func ("/path/parts", test_parts);
  return g_test_run ();
}
