/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tags and metadata on every engine: rules, listings, the index, and how rm/cp/mv treat them. */
#include "avfs-vault-admin.h"
#include "avfs-vault-tags.h"
#include "vault-fixture.h"

static void
tag (AvfsVault  *vault,
     const char *path,
     const char *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_tag_add (vault, path, name, &error));
  g_assert_no_error (error);
}

static void
assert_tags (AvfsVault          *vault,
             const char         *path,
             const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = avfs_vault_tags_list (vault, path, &error);

  g_assert_no_error (error);
  g_assert_cmpstrv (tags, expected);
}

static void
assert_found (AvfsVault          *vault,
              const char         *name,
              const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = avfs_vault_find_by_tag (vault, name, &error);

  g_assert_no_error (error);
  g_assert_cmpstrv (paths, expected);
}

/* The index holds exactly one entry per tag of a node. */
static void
assert_index_in_step (AvfsVault *vault)
{
  g_assert_cmpuint (vault_count_keys (vault, "tags"), ==, vault_count_keys (vault, "tag_index"));
}

static void
test_tag_add_list (VaultFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const char * const file_tags[] = { "Beta", "alpha", "café", "zeta", NULL };
  static const char * const dir_tags[] = { "alpha", NULL };
  static const char * const none[] = { NULL };

  vault_write_string (f->vault, "/a.txt", "a");
  g_assert_true (avfs_vault_mkdir (f->vault, "/dir", FALSE, &error));
  tag (f->vault, "/a.txt", "zeta");
  tag (f->vault, "/a.txt", "alpha");
  tag (f->vault, "/a.txt", "Beta");
  tag (f->vault, "//a.txt/", "café");
  tag (f->vault, "/a.txt", "alpha");
  tag (f->vault, "/dir", "alpha");

  assert_tags (f->vault, "/a.txt", file_tags);
  assert_tags (f->vault, "/dir/../a.txt", file_tags);
  assert_tags (f->vault, "/dir", dir_tags);
  assert_tags (f->vault, "/", none);
  g_assert_cmpuint (vault_count_keys (f->vault, "tags"), ==, 5);
  assert_index_in_step (f->vault);

  g_assert_null (avfs_vault_tags_list (f->vault, "/missing", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_fails (avfs_vault_tag_add (f->vault, "/missing", "x", &error), AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_tag_add (f->vault, "relative", "x", &error),
                AVFS_ERROR_INVALID_PATH);
  assert_fails (avfs_vault_tag_add (f->vault, "/a.txt/sub", "x", &error),
                AVFS_ERROR_NOT_A_DIRECTORY);
  g_assert_cmpuint (vault_count_keys (f->vault, "tags"), ==, 5);
}

static void
test_tag_remove (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const char * const left[] = { "y", NULL };
  static const char * const none[] = { NULL };

  vault_write_string (f->vault, "/a.txt", "a");
  tag (f->vault, "/a.txt", "x");
  tag (f->vault, "/a.txt", "y");
  g_assert_true (avfs_vault_tag_remove (f->vault, "/a.txt", "x", &error));
  g_assert_no_error (error);
  assert_tags (f->vault, "/a.txt", left);
  assert_found (f->vault, "x", none);

  g_assert_false (avfs_vault_tag_remove (f->vault, "/a.txt", "x", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/a.txt"));
  g_assert_nonnull (strstr (error->message, "\"x\""));
  g_clear_error (&error);
  assert_fails (avfs_vault_tag_remove (f->vault, "/a.txt", "bad tag", &error),
                AVFS_ERROR_INVALID_ARGUMENT);

  g_assert_true (avfs_vault_tag_remove (f->vault, "/a.txt", "y", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vault_count_keys (f->vault, "tags"), ==, 0);
  g_assert_cmpuint (vault_count_keys (f->vault, "tag_index"), ==, 0);
}

typedef struct
{
  const char *tag;
  gboolean valid;
} TagCase;

static const TagCase tag_cases[] = {
  { "x", TRUE },
  { "work-in-progress", TRUE },
  { "C++", TRUE },
  { "a:b", TRUE },
  { "#urgent", TRUE },
  { "-starts-with-dash", TRUE },
  { "café", TRUE },
  { "日本語", TRUE },
  { "\xf0\x9f\x91\x8d", TRUE },                   /* 👍 */
  { "", FALSE },
  { "a b", FALSE },
  { "a\tb", FALSE },
  { "a\nb", FALSE },
  { "a/b", FALSE },
  { "a,b", FALSE },
  { "a\x01" "b", FALSE },
  { "a\x7f", FALSE },
  { "a\xc2\x85", FALSE },                         /* U+0085, a C1 control */
  { "a\xc2\xa0" "b", FALSE },                     /* no-break space */
  { "a\xe2\x80\xa8" "b", FALSE },                 /* line separator */
  { "a\xe3\x80\x80" "b", FALSE },                 /* ideographic space */
  { "\xff", FALSE },
  { "a\xc3", FALSE },                             /* truncated UTF-8 */
};

/* Sizes are counted in bytes: 64 two-byte characters fit, 65 do not. */
static char *
repeat (const char *unit,
        guint       n)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (text, unit);
  return g_string_free (text, FALSE);
}

static void
check_tag_case (AvfsVault  *vault,
                const char *name,
                gboolean    valid,
                guint      *n_valid)
{
  g_autoptr(GError) error = NULL;
  gboolean checked = avfs_vault_check_tag (name, &error);

  g_assert_cmpint (checked, ==, valid);
  if (!valid)
    {
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  g_assert_cmpint (avfs_vault_tag_add (vault, "/f", name, &error), ==, valid);
  if (valid)
    (*n_valid)++;
  else
    g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
}

static void
test_tag_rules (VaultFixture  *f,
                gconstpointer  data)
{
  g_autofree char *max = repeat ("a", 128);
  g_autofree char *over = repeat ("a", 129);
  g_autofree char *max_utf8 = repeat ("é", 64);
  g_autofree char *over_utf8 = repeat ("é", 65);
  g_auto(GStrv) tags = NULL;
  guint n_valid = 0;

  vault_write_string (f->vault, "/f", "f");
  for (guint i = 0; i < G_N_ELEMENTS (tag_cases); i++)
    check_tag_case (f->vault, tag_cases[i].tag, tag_cases[i].valid, &n_valid);
  check_tag_case (f->vault, max, TRUE, &n_valid);
  check_tag_case (f->vault, over, FALSE, &n_valid);
  check_tag_case (f->vault, max_utf8, TRUE, &n_valid);
  check_tag_case (f->vault, over_utf8, FALSE, &n_valid);

  tags = avfs_vault_tags_list (f->vault, "/f", NULL);
  g_assert_cmpuint (g_strv_length (tags), ==, n_valid);
  assert_index_in_step (f->vault);
}

static void
test_tags_all (VaultFixture  *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) counts = avfs_vault_tags_all (f->vault, &error);
  static const struct { const char *tag; guint64 count; } expected[] = {
    { "blue", 1 }, { "green", 1 }, { "red", 3 }, { "red-ish", 1 },
  };

  g_assert_no_error (error);
  g_assert_cmpuint (counts->len, ==, 0);
  g_clear_pointer (&counts, g_ptr_array_unref);

  vault_write_string (f->vault, "/a", "a");
  vault_write_string (f->vault, "/b", "b");
  vault_write_string (f->vault, "/c", "c");
  g_assert_true (avfs_vault_mkdir (f->vault, "/d", FALSE, &error));
  tag (f->vault, "/a", "red");
  tag (f->vault, "/a", "blue");
  tag (f->vault, "/b", "red");
  tag (f->vault, "/b", "red-ish");
  tag (f->vault, "/c", "green");
  tag (f->vault, "/d", "red");

  counts = avfs_vault_tags_all (f->vault, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < counts->len; i++)
    {
      AvfsTagCount *count = g_ptr_array_index (counts, i);

      g_assert_cmpstr (count->tag, ==, expected[i].tag);
      g_assert_cmpuint (count->count, ==, expected[i].count);
    }
}

static void
test_find_by_tag (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;
  static const char * const found[] = {
    "/b.txt", "/docs/a.txt", "/docs/sub", "/docs/sub/z.txt", NULL,
  };
  static const char * const found_moved[] = {
    "/archive/a.txt", "/archive/sub", "/archive/sub/z.txt", "/b.txt", NULL,
  };
  static const char * const none[] = { NULL };

  g_assert_true (avfs_vault_mkdir (f->vault, "/docs/sub", TRUE, &error));
  vault_write_string (f->vault, "/docs/sub/z.txt", "z");
  vault_write_string (f->vault, "/docs/a.txt", "a");
  vault_write_string (f->vault, "/b.txt", "b");
  vault_write_string (f->vault, "/untagged", "u");
  tag (f->vault, "/docs/sub/z.txt", "todo");
  tag (f->vault, "/b.txt", "todo");
  tag (f->vault, "/docs/a.txt", "todo");
  tag (f->vault, "/docs/sub", "todo");
  tag (f->vault, "/docs/a.txt", "todo-later");
  assert_found (f->vault, "todo", found);
  assert_found (f->vault, "tod", none);
  assert_found (f->vault, "unknown", none);
  g_assert_null (avfs_vault_find_by_tag (f->vault, "two words", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  moved = avfs_vault_move (f->vault, "/docs", "/archive", &error);
  g_assert_no_error (error);
  assert_found (f->vault, "todo", found_moved);
}

/* rm drops a node's tags and metadata; cp gives the copy its own. */
static void
test_tree_keeps_step (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *tree_copy = NULL;
  g_autofree char *author = NULL;
  static const char * const copied[] = { "/a.txt", "/copy.txt", NULL };
  static const char * const copied_tree[] = { "/a.txt", "/copy.txt", "/d/x", "/e/x", NULL };
  static const char * const after_rm[] = { "/copy.txt", "/e/x", NULL };
  static const char * const kept[] = { "/e", NULL };
  static const char * const todo[] = { "todo", NULL };

  vault_write_string (f->vault, "/a.txt", "a");
  tag (f->vault, "/a.txt", "todo");
  g_assert_true (avfs_vault_meta_set (f->vault, "/a.txt", "author", "ada", &error));
  copy = avfs_vault_copy (f->vault, "/a.txt", "/copy.txt", FALSE, &error);
  g_assert_no_error (error);
  assert_tags (f->vault, copy, todo);
  author = avfs_vault_meta_get (f->vault, copy, "author", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (author, ==, "ada");
  assert_found (f->vault, "todo", copied);

  g_assert_true (avfs_vault_mkdir (f->vault, "/d", FALSE, &error));
  vault_write_string (f->vault, "/d/x", "x");
  tag (f->vault, "/d/x", "todo");
  tag (f->vault, "/d", "keep");
  tree_copy = avfs_vault_copy (f->vault, "/d", "/e", TRUE, &error);
  g_assert_no_error (error);
  assert_found (f->vault, "todo", copied_tree);
  assert_index_in_step (f->vault);

  g_assert_true (avfs_vault_remove (f->vault, "/a.txt", FALSE, &error));
  g_assert_true (avfs_vault_remove (f->vault, "/d", TRUE, &error));
  g_assert_no_error (error);
  assert_found (f->vault, "todo", after_rm);
  assert_found (f->vault, "keep", kept);
  assert_index_in_step (f->vault);
  g_assert_cmpuint (vault_count_keys (f->vault, "tags"), ==, 3);
  g_assert_cmpuint (vault_count_keys (f->vault, "props"), ==, 1);
}

static void
assert_meta (AvfsVault  *vault,
             const char *path,
             const char *key,
             const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = avfs_vault_meta_get (vault, path, key, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, expected);
}

static void
test_meta (VaultFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  static const AvfsMetaEntry expected[] = {
    { "author", "grace" }, { "empty", "" }, { "title", "A title\non two lines ✓" },
  };

  vault_write_string (f->vault, "/a.txt", "a");
  g_assert_true (avfs_vault_mkdir (f->vault, "/d", FALSE, &error));
  for (guint i = G_N_ELEMENTS (expected); i > 0; i--)
    g_assert_true (avfs_vault_meta_set (f->vault, "/a.txt", expected[i - 1].key, "first",
                                        &error));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (avfs_vault_meta_set (f->vault, "/a.txt", expected[i].key,
                                        expected[i].value, &error));
  g_assert_true (avfs_vault_meta_set (f->vault, "/d", "owner", "ops", &error));
  g_assert_no_error (error);

  assert_meta (f->vault, "/a.txt", "author", "grace");
  assert_meta (f->vault, "/a.txt", "empty", "");
  assert_meta (f->vault, "/d", "owner", "ops");
  entries = avfs_vault_meta_list (f->vault, "/a.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsMetaEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpstr (entry->key, ==, expected[i].key);
      g_assert_cmpstr (entry->value, ==, expected[i].value);
    }

  g_assert_true (avfs_vault_meta_delete (f->vault, "/a.txt", "title", &error));
  g_assert_no_error (error);
  g_assert_null (avfs_vault_meta_get (f->vault, "/a.txt", "title", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/a.txt"));
  g_assert_nonnull (strstr (error->message, "title"));
  g_clear_error (&error);
  assert_fails (avfs_vault_meta_delete (f->vault, "/a.txt", "title", &error),
                AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_meta_set (f->vault, "/nope", "k", "v", &error),
                AVFS_ERROR_NOT_FOUND);
  g_assert_null (avfs_vault_meta_list (f->vault, "/nope", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (vault_count_keys (f->vault, "props"), ==, 3);
}

typedef struct
{
  const char *key;
  gboolean valid;
} KeyCase;

static const KeyCase key_cases[] = {
  { "a", TRUE },
  { "author", TRUE },
  { "dc:title", TRUE },
  { "x.y-z_1", TRUE },
  { "_private", TRUE },
  { "9lives", TRUE },
  { "", FALSE },
  { "-x", FALSE },
  { ".x", FALSE },
  { ":x", FALSE },
  { "a b", FALSE },
  { "a/b", FALSE },
  { "a=b", FALSE },
  { "a\n", FALSE },
  { "é", FALSE },
  { "\xff", FALSE },
};

static void
test_meta_rules (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *max_key = repeat ("k", 128);
  g_autofree char *over_key = repeat ("k", 129);
  g_autofree char *max_value = repeat ("v", 64 * 1024);
  g_autofree char *over_value = repeat ("v", 64 * 1024 + 1);

  vault_write_string (f->vault, "/f", "f");
  for (guint i = 0; i < G_N_ELEMENTS (key_cases); i++)
    {
      g_assert_cmpint (avfs_vault_check_meta_key (key_cases[i].key, NULL), ==,
                       key_cases[i].valid);
      g_assert_cmpint (avfs_vault_meta_set (f->vault, "/f", key_cases[i].key, "v", &error),
                       ==, key_cases[i].valid);
      if (!key_cases[i].valid)
        {
          g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          g_clear_error (&error);
        }
    }
  g_assert_true (avfs_vault_meta_set (f->vault, "/f", max_key, "v", &error));
  assert_fails (avfs_vault_meta_set (f->vault, "/f", over_key, "v", &error),
                AVFS_ERROR_INVALID_ARGUMENT);
  assert_fails (avfs_vault_meta_get (f->vault, "/f", "a b", &error) != NULL,
                AVFS_ERROR_INVALID_ARGUMENT);

  g_assert_true (avfs_vault_meta_set (f->vault, "/f", "big", max_value, &error));
  g_assert_true (avfs_vault_meta_set (f->vault, "/f", "tabs", "a\tb\r\nc", &error));
  g_assert_no_error (error);
  assert_meta (f->vault, "/f", "big", max_value);
  assert_fails (avfs_vault_meta_set (f->vault, "/f", "big", over_value, &error),
                AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_false (avfs_vault_meta_set (f->vault, "/f", "bin", "\xff\xfe", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "bin"));
  g_clear_error (&error);
  assert_meta (f->vault, "/f", "big", max_value);
}

/* Each change leaves one audit entry; one that changes nothing, or fails, leaves none. */
static void
test_audited (VaultFixture  *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  static const struct { const char *op; const char *details; } expected[] = {
    { "meta-delete", "{\"key\": \"k\"}" },
    { "untag", "{\"tag\": \"todo\"}" },
    { "meta-set", "{\"key\": \"k\"}" },
    { "meta-set", "{\"key\": \"k\"}" },
    { "tag", "{\"tag\": \"todo\"}" },
    { "write", NULL },
  };

  vault_write_string (f->vault, "/a.txt", "a");
  tag (f->vault, "/a.txt", "todo");
  tag (f->vault, "/a.txt", "todo");
  g_assert_true (avfs_vault_meta_set (f->vault, "/a.txt", "k", "v", &error));
  g_assert_true (avfs_vault_meta_set (f->vault, "/a.txt", "k", "v", &error));
  g_assert_true (avfs_vault_meta_set (f->vault, "/a.txt", "k", "w", &error));
  g_assert_true (avfs_vault_tag_remove (f->vault, "/a.txt", "todo", &error));
  g_assert_true (avfs_vault_meta_delete (f->vault, "/a.txt", "k", &error));
  g_assert_no_error (error);
  assert_fails (avfs_vault_tag_remove (f->vault, "/a.txt", "todo", &error),
                AVFS_ERROR_NOT_FOUND);

  entries = avfs_vault_audit_query (f->vault, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsAuditEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpstr (entry->op, ==, expected[i].op);
      g_assert_cmpstr (entry->path, ==, "/a.txt");
      if (expected[i].details != NULL)
        g_assert_cmpstr (entry->details_json, ==, expected[i].details);
    }
}

static void
test_persistence (VaultFixture  *f,
                  gconstpointer  data)
{
  static const char * const tags[] = { "kept", NULL };
  static const char * const found[] = { "/p", NULL };

  if (f->path == NULL)
    {
      g_test_skip ("a memory vault cannot be reopened");
      return;
    }
  vault_write_string (f->vault, "/p", "p");
  tag (f->vault, "/p", "kept");
  g_assert_true (avfs_vault_meta_set (f->vault, "/p", "k", "v", NULL));
  vault_fixture_reopen (f);
  assert_tags (f->vault, "/p", tags);
  assert_found (f->vault, "kept", found);
  assert_meta (f->vault, "/p", "k", "v");
}

static const VaultTest tests[] = {
  { "tag-add-list", test_tag_add_list },
  { "tag-remove", test_tag_remove },
  { "tag-rules", test_tag_rules },
  { "tags-all", test_tags_all },
  { "find-by-tag", test_find_by_tag },
  { "rm-cp", test_tree_keeps_step },
  { "meta", test_meta },
  { "meta-rules", test_meta_rules },
  { "audited", test_audited },
  { "persistence", test_persistence },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-tags", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
