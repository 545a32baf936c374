/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The config.toml reader: the subset we use, and errors that give file, line and key;
 * the editor that changes one value and keeps the rest, and saving. */
#include <glib/gstdio.h>
#include <string.h>

#include "avfs-config-file.h"
#include "avfs-error.h"

static const char sample[] =
  "# avfs configuration\n"
  "\n"
  "[defaults]\n"
  "backend = \"lmdb\"   # trailing comment\n"
  "\n"
  "[backend.sqlite]\n"
  "journal_mode = 'wal'\n"
  "cache_size = 10_000\n"
  "mmap_size = 268435456\n"
  "\n"
  "[backend.lmdb]\n"
  "no_sync = false\n"
  "map_size = +1073741824\n"
  "\"quoted key\" = \"tab\\there \\u00e9 \\\"q\\\"\"\n";

static void
test_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsConfigFile) config = avfs_config_file_new_from_text (sample, "config.toml", &error);
  g_autoptr(GHashTable) sqlite = NULL;
  g_auto(GStrv) tables = NULL;
  GVariant *value;

  g_assert_no_error (error);
  value = avfs_config_file_lookup (config, "defaults", "backend");
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "lmdb");
  value = avfs_config_file_lookup (config, "backend.sqlite", "cache_size");
  g_assert_cmpint (g_variant_get_int64 (value), ==, 10000);
  value = avfs_config_file_lookup (config, "backend.lmdb", "no_sync");
  g_assert_false (g_variant_get_boolean (value));
  value = avfs_config_file_lookup (config, "backend.lmdb", "quoted key");
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "tab\there é \"q\"");
  g_assert_null (avfs_config_file_lookup (config, "backend.rocksdb", "x"));

  tables = avfs_config_file_list_tables (config);
  g_assert_cmpstrv (tables, ((const char *[]) { "backend.lmdb", "backend.sqlite", "defaults", NULL }));

  sqlite = avfs_config_file_dup_table (config, "backend.sqlite");
  g_assert_cmpstr (g_hash_table_lookup (sqlite, "journal_mode"), ==, "wal");
  g_assert_cmpstr (g_hash_table_lookup (sqlite, "cache_size"), ==, "10000");
  g_assert_cmpuint (g_hash_table_size (sqlite), ==, 3);
}

static void
test_errors (void)
{
  static const struct { const char *text; const char *expected; } cases[] = {
    { "[defaults]\nbackend = sqlite\n", "config.toml:2: key “backend”: expected a \"string\"" },
    { "[defaults\n", "config.toml:1: table “defaults”: expected “]”" },
    { "a = 1\na = 2\n", "config.toml:2: key “a” is set twice" },
    { "[t]\n[t]\n", "config.toml:2: table [t] appears twice" },
    { "a = \"open\n", "config.toml:1: a string is not closed" },
    { "a = 'open\n", "config.toml:1: a string is not closed" },
    { "a = \"\\q\"\n", "config.toml:1: unknown escape" },
    { "a = \"\\u12\"\n", "config.toml:1: “\\u” needs 4 hex digits" },
    { "a = 12abc\n", "config.toml:1: unexpected “abc”" },
    { "a = 99999999999999999999\n", "config.toml:1: key “a”: “99999999999999999999” is not a whole number" },
    { "a = [1, 2]\n", "config.toml:1: key “a”: expected" },
    { "a.b = 1\n", "config.toml:1: key “a.b”: dotted keys are not supported" },
    { "[[arr]]\n", "config.toml:1: arrays of tables" },
    { "= 1\n", "config.toml:1: expected a name" },
    { "a 1\n", "config.toml:1: key “a”: expected “=”" },
    { "a = true false\n", "config.toml:1: unexpected “false”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsConfigFile) config = avfs_config_file_new_from_text (cases[i].text,
                                                                         "config.toml", &error);
      g_assert_null (config);
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
      if (!g_str_has_prefix (error->message, cases[i].expected))
        g_error ("case %u: “%s” does not start with “%s”", i, error->message, cases[i].expected);
    }
}

static void
test_missing_file_is_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsConfigFile) config = avfs_config_file_new_from_path ("/nonexistent/config.toml",
                                                                     &error);
  g_auto(GStrv) tables = NULL;

  g_assert_no_error (error);
  tables = avfs_config_file_list_tables (config);
  g_assert_cmpuint (g_strv_length (tables), ==, 0);
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsConfigFile) config = avfs_config_file_new_from_text ("a = \"\xff\"\n",
                                                                     "config.toml", &error);
  g_assert_null (config);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

static void
test_edit (void)
{
  static const char text[] =
    "# my settings\n"
    "[defaults]\n"
    "backend = \"lmdb\"   # the engine I like\n"
    "future_key = 7\n"
    "\n"
    "[backend.sqlite]\n"
    "cache_size = 10_000\n"
    "\n"
    "# the end\n";
  static const struct {
    const char *table;
    const char *key;
    const char *value;      /* GVariant text, NULL to remove */
    const char *expected;
  } cases[] = {
    { "defaults", "backend", "'rocksdb'",
      "# my settings\n[defaults]\nbackend = \"rocksdb\"   # the engine I like\nfuture_key = 7\n\n"
      "[backend.sqlite]\ncache_size = 10_000\n\n# the end\n" },
    { "backend.sqlite", "mmap_size", "int64 4096",
      "# my settings\n[defaults]\nbackend = \"lmdb\"   # the engine I like\nfuture_key = 7\n\n"
      "[backend.sqlite]\ncache_size = 10_000\nmmap_size = 4096\n\n# the end\n" },
    { "backend.lmdb", "no_sync", "true",
      "# my settings\n[defaults]\nbackend = \"lmdb\"   # the engine I like\nfuture_key = 7\n\n"
      "[backend.sqlite]\ncache_size = 10_000\n\n# the end\n\n[backend.lmdb]\nno_sync = true\n" },
    { "backend.sqlite", "cache_size", NULL,
      "# my settings\n[defaults]\nbackend = \"lmdb\"   # the engine I like\nfuture_key = 7\n\n"
      "[backend.sqlite]\n\n# the end\n" },
    { "", "top", "'a \"quoted\" \\\\ value\\n'",
      "top = \"a \\\"quoted\\\" \\\\ value\\n\"\n# my settings\n[defaults]\nbackend = \"lmdb\"   "
      "# the engine I like\nfuture_key = 7\n\n[backend.sqlite]\ncache_size = 10_000\n\n# the end\n" },
    { "backend.rocksdb", "missing", NULL, text },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) value = cases[i].value != NULL
                                  ? g_variant_parse (NULL, cases[i].value, NULL, NULL, &error)
                                  : NULL;
      g_autofree char *edited = NULL;
      g_autoptr(AvfsConfigFile) config = NULL;

      g_assert_no_error (error);
      edited = avfs_config_file_edit (text, "config.toml", cases[i].table, cases[i].key, value,
                                      &error);
      g_assert_no_error (error);
      g_assert_cmpstr (edited, ==, cases[i].expected);
      /* What was written reads back as the value set. */
      config = avfs_config_file_new_from_text (edited, "config.toml", &error);
      g_assert_no_error (error);
      if (value != NULL)
        g_assert_true (g_variant_equal (avfs_config_file_lookup (config, cases[i].table,
                                                                 cases[i].key), value));
      else
        g_assert_null (avfs_config_file_lookup (config, cases[i].table, cases[i].key));
    }
}

static void
test_edit_empty_and_invalid (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = avfs_config_file_edit ("", "config.toml", "defaults", "backend",
                                                   g_variant_new_string ("memory"), &error);
  g_autofree char *refused = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (edited, ==, "[defaults]\nbackend = \"memory\"\n");
  refused = avfs_config_file_edit ("a = oops\n", "config.toml", "defaults", "backend",
                                   g_variant_new_string ("memory"), &error);
  g_assert_null (refused);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "config.toml:1:"));
}

static void
test_save (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("avfs-config-XXXXXX", &error);
  g_autofree char *folder = g_build_filename (home, "new", NULL);
  g_autofree char *path = g_build_filename (folder, "config.toml", NULL);
  g_autofree char *read_back = NULL;

  g_assert_no_error (error);
  /* The folder is made when missing. */
  g_assert_true (avfs_config_file_save (path, "[defaults]\nbackend = \"lmdb\"\n", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &read_back, NULL, NULL));
  g_assert_cmpstr (read_back, ==, "[defaults]\nbackend = \"lmdb\"\n");

  /* A text that does not parse is not written. */
  g_assert_false (avfs_config_file_save (path, "backend = lmdb\n", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_clear_pointer (&read_back, g_free);
  g_assert_true (g_file_get_contents (path, &read_back, NULL, NULL));
  g_assert_cmpstr (read_back, ==, "[defaults]\nbackend = \"lmdb\"\n");

  g_unlink (path);
  g_rmdir (folder);
  g_rmdir (home);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config-file/sample", test_sample);
  g_test_add_func ("/config-file/errors", test_errors);
  g_test_add_func ("/config-file/missing-file-is-empty", test_missing_file_is_empty);
  g_test_add_func ("/config-file/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/config-file/edit", test_edit);
  g_test_add_func ("/config-file/edit-empty-and-invalid", test_edit_empty_and_invalid);
  g_test_add_func ("/config-file/save", test_save);
  return g_test_run ();
}
