/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault's search index in step with every mutation, on every engine. */
#include <sqlite3.h>

#include "avfs-search-fts5.h"
#include "avfs-search-xapian.h"
#include "avfs-vault-async-search.h"
#include "avfs-vault-history.h"
#include "avfs-vault-snapshots.h"
#include "avfs-vault-tags.h"
#include "avfs-vault-transfer.h"
#include "vault-fixture.h"

static void
write_text (AvfsVault  *vault,
            const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  avfs_vault_write (vault, path, (const guint8 *) text, strlen (text), AVFS_WRITE_PARENTS,
                    &error);
  g_assert_no_error (error);
}

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The paths @query finds, sorted and joined with spaces. */
static char *
hits (AvfsVault  *vault,
      const char *query)
{
  g_autoptr(GError) error = NULL;
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(AvfsSearchResults) results = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  options.limit = 100;
  results = avfs_vault_search (vault, query, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->total, ==, results->hits->len);
  for (guint i = 0; i < results->hits->len; i++)
    g_ptr_array_add (paths, ((AvfsSearchHit *) g_ptr_array_index (results->hits, i))->path);
  g_ptr_array_sort (paths, compare_paths);
  g_ptr_array_add (paths, NULL);
  return g_strjoinv (" ", (char **) paths->pdata);
}

#define assert_hits(vault, query, expected) G_STMT_START { \
    g_autofree char *found_ = hits (vault, query);         \
    g_assert_cmpstr (found_, ==, expected);                \
  } G_STMT_END

/* The index agrees with the files. */
static void
assert_index_sound (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchCheck) check = avfs_vault_search_check (vault, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < check->problems->len; i++)
    g_test_message ("%s", (const char *) g_ptr_array_index (check->problems, i));
  g_assert_cmpuint (check->n_problems, ==, 0);
  g_assert_cmpuint (check->documents, ==, check->files);
}

static void
seed (AvfsVault *vault)
{
  write_text (vault, "/a.txt", "the quick brown fox jumps over the lazy dog");
  write_text (vault, "/b.txt", "a lazy afternoon with quick thinking");
  write_text (vault, "/notes/c.md", "foxes are clever animals; the fox den");
}

static void
test_query_language (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  seed (f->vault);
  assert_hits (f->vault, "quick lazy", "/a.txt /b.txt");
  assert_hits (f->vault, "\"brown fox\"", "/a.txt");
  assert_hits (f->vault, "afte*", "/b.txt");
  assert_hits (f->vault, "quick -fox", "/b.txt");
  assert_hits (f->vault, "fox path:notes", "/notes/c.md");
  assert_hits (f->vault, "name:c", "/notes/c.md");
  assert_hits (f->vault, "brown OR clever", "/a.txt /notes/c.md");
  assert_hits (f->vault, "zebra", "");
  g_assert_null (avfs_vault_search (f->vault, "\"unterminated", NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "position 1"));
  assert_index_sound (f->vault);
}

static void
test_snippets (VaultFixture  *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchResults) results = NULL;
  AvfsSearchHit *hit;
  AvfsSearchMark *mark;

  seed (f->vault);
  results = avfs_vault_search (f->vault, "brown", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->hits->len, ==, 1);
  hit = g_ptr_array_index (results->hits, 0);
  g_assert_cmpuint (hit->doc_id, ==, vault_node_id (f->vault, "/a.txt"));
  g_assert_nonnull (hit->snippet);
  g_assert_cmpuint (hit->marks->len, ==, 1);
  mark = &g_array_index (hit->marks, AvfsSearchMark, 0);
  g_assert_cmpint (strncmp (hit->snippet + mark->start, "brown", mark->end - mark->start), ==, 0);
  g_assert_cmpfloat (results->took_ms, >=, 0);
}

static void
test_rewrite_and_append (VaultFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  seed (f->vault);
  write_text (f->vault, "/a.txt", "nothing here now");
  assert_hits (f->vault, "brown", "");
  assert_hits (f->vault, "nothing", "/a.txt");
  avfs_vault_write (f->vault, "/a.txt", (const guint8 *) " zebra", 6, AVFS_WRITE_APPEND, &error);
  g_assert_no_error (error);
  assert_hits (f->vault, "nothing zebra", "/a.txt");
  assert_index_sound (f->vault);
}

static void
test_move_copy_remove (VaultFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *copied = NULL;

  seed (f->vault);
  write_text (f->vault, "/notes/deep/d.txt", "fox in the deep");
  avfs_vault_tag_add (f->vault, "/notes/c.md", "work", &error);
  g_assert_no_error (error);
  moved = avfs_vault_move (f->vault, "/notes", "/archive", &error);
  g_assert_no_error (error);
  assert_hits (f->vault, "fox path:archive", "/archive/c.md /archive/deep/d.txt");
  assert_hits (f->vault, "path:notes", "");
  copied = avfs_vault_copy (f->vault, "/archive", "/copy", TRUE, &error);
  g_assert_no_error (error);
  assert_hits (f->vault, "tag:work", "/archive/c.md /copy/c.md");
  g_assert_true (avfs_vault_remove (f->vault, "/archive", TRUE, &error));
  g_assert_no_error (error);
  assert_hits (f->vault, "fox", "/a.txt /copy/c.md /copy/deep/d.txt");
  assert_index_sound (f->vault);
}

static void
test_history (VaultFixture  *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  write_text (f->vault, "/h.txt", "first words");
  write_text (f->vault, "/h.txt", "second words");
  assert_hits (f->vault, "first", "");
  g_assert_cmpuint (avfs_vault_checkout (f->vault, "/h.txt", 1, &error), ==, 3);
  g_assert_no_error (error);
  assert_hits (f->vault, "first", "/h.txt");
  g_assert_cmpuint (avfs_vault_revert (f->vault, "/h.txt", &error), ==, 4);
  g_assert_no_error (error);
  assert_hits (f->vault, "second", "/h.txt");
  assert_index_sound (f->vault);
}

static void
test_tags (VaultFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  seed (f->vault);
  avfs_vault_tag_add (f->vault, "/a.txt", "Needs-Review", &error);
  g_assert_no_error (error);
  avfs_vault_tag_add (f->vault, "/b.txt", "done", &error);
  g_assert_no_error (error);
  assert_hits (f->vault, "tag:needs-review", "/a.txt");
  assert_hits (f->vault, "lazy -tag:done", "/a.txt");
  avfs_vault_tag_remove (f->vault, "/a.txt", "Needs-Review", &error);
  g_assert_no_error (error);
  assert_hits (f->vault, "tag:needs-review", "");
  assert_index_sound (f->vault);
}

static void
test_snapshot_restore (VaultFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *undo = NULL;

  seed (f->vault);
  avfs_vault_tag_add (f->vault, "/a.txt", "old", &error);
  g_assert_no_error (error);
  avfs_vault_snapshot_save (f->vault, "before", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (avfs_vault_remove (f->vault, "/a.txt", FALSE, &error));
  write_text (f->vault, "/late.txt", "late fox");
  write_text (f->vault, "/b.txt", "rewritten");
  assert_hits (f->vault, "fox", "/late.txt /notes/c.md");
  g_assert_true (avfs_vault_snapshot_restore (f->vault, "before", &undo, &error));
  g_assert_no_error (error);
  assert_hits (f->vault, "fox", "/a.txt /notes/c.md");
  assert_hits (f->vault, "tag:old", "/a.txt");
  assert_hits (f->vault, "afternoon", "/b.txt");
  assert_index_sound (f->vault);
}

static void
test_import_and_text_rules (VaultFixture  *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-search-import-XXXXXX", &error);
  g_autofree char *text = g_build_filename (dir, "latin1.txt", NULL);
  g_autofree char *binary = g_build_filename (dir, "image.bin", NULL);
  static const char latin1[] = "un caf\xe9 noir";
  static const guint8 bytes[] = { 'f', 'o', 'x', 0, 1, 2, 3 };
  g_autoptr(GString) big = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (text, latin1, -1, NULL));
  g_assert_true (g_file_set_contents (binary, (const char *) bytes, sizeof bytes, NULL));
  avfs_vault_import (f->vault, dir, "/in", AVFS_IMPORT_NONE, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_hits (f->vault, "café", "/in/latin1.txt");
  assert_hits (f->vault, "fox", "");
  assert_hits (f->vault, "image", "/in/image.bin");

  /* Text across several chunks is indexed whole (up to AVFS_VAULT_SEARCH_MAX_TEXT). */
  while (big->len < 1536 * 1024)
    g_string_append (big, "filler words repeated again and again\n");
  g_string_append (big, "needle at the end");
  write_text (f->vault, "/big.txt", big->str);
  assert_hits (f->vault, "needle", "/big.txt");
  assert_index_sound (f->vault);
  g_unlink (text);
  g_unlink (binary);
  g_rmdir (dir);
}

static void
test_reopen_and_rebuild (VaultFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  seed (f->vault);
  if (f->path != NULL)
    {
      vault_fixture_reopen (f);
      assert_hits (f->vault, "fox", "/a.txt /notes/c.md");
    }
  g_assert_true (avfs_vault_search_rebuild (f->vault, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_hits (f->vault, "fox", "/a.txt /notes/c.md");
  assert_index_sound (f->vault);
}

/* A Xapian index too damaged to open fails searches clearly, and a rebuild mends it. */
static void
test_rebuild_damaged (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autoptr(AvfsSearchResults) results = NULL;

  if (!g_str_equal (avfs_vault_search_get_engine_name (f->vault), "xapian"))
    {
      g_test_skip ("only a Xapian index lives apart from the vault's records");
      return;
    }
  seed (f->vault);
  vault_fixture_reopen (f);
  version = g_build_filename (f->path, "search", "iamglass", NULL);
  g_assert_true (g_file_set_contents (version, "damaged", -1, &error));
  results = avfs_vault_search (f->vault, "fox", NULL, &error);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_null (results);
  g_clear_error (&error);
  g_assert_true (avfs_vault_search_rebuild (f->vault, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_hits (f->vault, "fox", "/a.txt /notes/c.md");
  assert_index_sound (f->vault);
}

/* Copies the files of the flat directory @from into @to, made if need be. */
static void
copy_flat_directory (const char *from,
                     const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (from, name, NULL);
      g_autofree char *target = g_build_filename (to, name, NULL);
      g_autofree char *bytes = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (source, &bytes, &len, NULL));
      g_assert_true (g_file_set_contents (target, bytes, len, NULL));
    }
}

/* An index put back from before a rewrite (Xapian keeps a key of each file's content,
 * not its text): verify's check names the file, the hits' snippets show today's text. */
static void
test_stale_index (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchCheck) check = NULL;
  g_autoptr(AvfsSearchResults) results = NULL;
  g_autofree char *index = NULL;
  g_autofree char *saved = NULL;

  if (!g_str_equal (avfs_vault_search_get_engine_name (f->vault), "xapian"))
    {
      g_test_skip ("only a Xapian index lives apart from the vault's records");
      return;
    }
  seed (f->vault);
  vault_fixture_reopen (f);
  index = g_build_filename (f->path, "search", NULL);
  saved = g_build_filename (f->path, "search-saved", NULL);
  copy_flat_directory (index, saved);
  write_text (f->vault, "/a.txt", "the brown bear sleeps");
  assert_hits (f->vault, "bear", "/a.txt");
  vault_fixture_reopen (f);
  copy_flat_directory (saved, index);

  check = avfs_vault_search_check (f->vault, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (check->n_problems, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (check->problems, 0), ==,
                   "The search index holds old text for /a.txt; run “avfs-cli search --rebuild”");
  results = avfs_vault_search (f->vault, "quick", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->hits->len, ==, 2);
  for (guint i = 0; i < results->hits->len; i++)
    {
      AvfsSearchHit *hit = g_ptr_array_index (results->hits, i);

      if (g_str_equal (hit->path, "/a.txt"))
        g_assert_cmpstr (hit->snippet, ==, "the brown bear sleeps");
    }
  g_assert_true (avfs_vault_search_rebuild (f->vault, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_index_sound (f->vault);
}

#define MANY_FILES 400

/* MANY_FILES files in nested folders (some moved into a folder made after them, so that
 * a parent's id is above its file's), every tenth tagged "tenth". */
static void
seed_many (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < MANY_FILES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/m/d%u/e%u/f%u.txt", i % 5, i % 3, i);
      g_autofree char *text = g_strdup_printf ("common words and number%u here", i);

      write_text (vault, path, text);
      if (i % 10 == 0)
        g_assert_true (avfs_vault_tag_add (vault, path, "tenth", &error));
      g_assert_no_error (error);
    }
  g_assert_true (avfs_vault_mkdir (vault, "/late", FALSE, &error));
  g_assert_no_error (error);
  g_free (avfs_vault_move (vault, "/m/d0/e0/f0.txt", "/late/moved.txt", &error));
  g_assert_no_error (error);
  g_free (avfs_vault_move (vault, "/m/d1", "/late/d1", &error));
  g_assert_no_error (error);
}

static guint64
count_hits (AvfsVault  *vault,
            const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchResults) results = avfs_vault_search (vault, query, NULL, &error);

  g_assert_no_error (error);
  return results->total;
}

/* What a Xapian rebuild builds beside the index is gone once it is over. */
static void
assert_no_leftovers (VaultFixture *f)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (f->path == NULL || !g_file_test (f->path, G_FILE_TEST_IS_DIR))
    return;
  dir = g_dir_open (f->path, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "search."));
}

/* What a rebuild killed half-way left beside a Xapian index goes at its next use. */
static void
test_rebuild_leftovers (VaultFixture  *f,
                        gconstpointer  data)
{
  static const char * const leftovers[] = { "search.shard-0", "search.shard-7",
                                            "search.compacting" };

  if (!g_str_equal (avfs_vault_search_get_engine_name (f->vault), "xapian"))
    {
      g_test_skip ("only a Xapian index lives apart from the vault's records");
      return;
    }
  seed (f->vault);
  vault_fixture_reopen (f);
  for (guint i = 0; i < G_N_ELEMENTS (leftovers); i++)
    {
      g_autofree char *dir = g_build_filename (f->path, leftovers[i], NULL);
      g_autofree char *file = g_build_filename (dir, "postlist.glass", NULL);

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (file, "half", -1, NULL));
    }
  assert_hits (f->vault, "fox", "/a.txt /notes/c.md");
  assert_no_leftovers (f);
}

/* A rebuild of many files (Xapian: in shards, one per processor) finds what the index
 * found before: words, paths of moved files, tags. */
static void
test_rebuild_many (VaultFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  seed_many (f->vault);
  g_assert_true (avfs_vault_search_rebuild (f->vault, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_hits (f->vault, "common"), ==, MANY_FILES);
  g_assert_cmpuint (count_hits (f->vault, "tag:tenth"), ==, MANY_FILES / 10);
  g_assert_cmpuint (count_hits (f->vault, "path:late"), ==, 1 + MANY_FILES / 5);
  assert_hits (f->vault, "number0", "/late/moved.txt");
  assert_hits (f->vault, "number396", "/late/d1/e0/f396.txt");
  assert_index_sound (f->vault);
  assert_no_leftovers (f);
}

/* A queue longer than the index (Xapian: applied in bulk, the new files in shards
 * merged with the index) after rewrites and removals of indexed files. The test holds
 * the Xapian index meanwhile, as another process would, so that the queue waits. */
static void
test_long_queue (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-search-queue-XXXXXX", &error);
  g_autoptr(AvfsSearchIndex) held = NULL;
  gboolean xapian = g_str_equal (avfs_vault_search_get_engine_name (f->vault), "xapian");

  g_assert_no_error (error);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("/old/f%u.txt", i);
      g_autofree char *text = g_strdup_printf ("ancient words number%u", i);

      write_text (f->vault, path, text);
    }
  g_assert_cmpuint (count_hits (f->vault, "ancient"), ==, 300);
  if (xapian)
    {
      g_autofree char *index = g_build_filename (f->path, "search", NULL);

      held = avfs_search_xapian_open (index, FALSE, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *path = g_strdup_printf ("/old/f%u.txt", i);

      if (i < 30)
        write_text (f->vault, path, "rewritten words");
      else
        g_assert_true (avfs_vault_remove (f->vault, path, FALSE, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2500; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/i%u.txt", dir, i);
      g_autofree char *text = g_strdup_printf ("imported words item%u", i);

      g_assert_true (g_file_set_contents (path, text, -1, NULL));
    }
  avfs_vault_import (f->vault, dir, "/imp", AVFS_IMPORT_NONE, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&held);
  g_assert_cmpuint (count_hits (f->vault, "ancient"), ==, 250);
  g_assert_cmpuint (count_hits (f->vault, "rewritten"), ==, 30);
  g_assert_cmpuint (count_hits (f->vault, "imported"), ==, 2500);
  assert_hits (f->vault, "item2499", "/imp/i2499.txt");
  assert_hits (f->vault, "number40", "");
  assert_index_sound (f->vault);
  assert_no_leftovers (f);

  /* A queue shorter than the index, which a search waits for (Xapian: in bulk again). */
  if (xapian)
    {
      g_autofree char *index = g_build_filename (f->path, "search", NULL);

      held = avfs_search_xapian_open (index, FALSE, &error);
      g_assert_no_error (error);
    }
  avfs_vault_import (f->vault, dir, "/again", AVFS_IMPORT_NONE, NULL, NULL, NULL, NULL,
                     &error);
  g_assert_no_error (error);
  g_clear_object (&held);
  g_assert_cmpuint (count_hits (f->vault, "imported"), ==, 5000);
  assert_hits (f->vault, "item7", "/again/i7.txt /imp/i7.txt");
  assert_index_sound (f->vault);
  assert_no_leftovers (f);
  for (guint i = 0; i < 2500; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/i%u.txt", dir, i);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
cancel_half_way (const AvfsProgress *progress,
                 gpointer            user_data)
{
  if (g_str_equal (progress->phase, "index") && progress->files_total > 0 &&
      progress->files_done >= progress->files_total / 2)
    g_cancellable_cancel (user_data);
}

/* A rebuild cancelled half-way leaves the index as it was (not the memory index, which
 * is rebuilt in place: verify says so, and the next rebuild mends it). */
static void
test_rebuild_cancelled (VaultFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  seed_many (f->vault);
  g_assert_false (avfs_vault_search_rebuild (f->vault, cancellable, cancel_half_way,
                                             cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  assert_no_leftovers (f);
  if (f->path != NULL)
    {
      g_assert_cmpuint (count_hits (f->vault, "common"), ==, MANY_FILES);
      assert_index_sound (f->vault);
    }
  g_assert_true (avfs_vault_search_rebuild (f->vault, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_index_sound (f->vault);
}

/* Whether @text holds @word as a whole word (ASCII letters and digits; any case). */
static gboolean
has_word (const char *text,
          const char *word)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  gsize len = strlen (word);

  for (const char *p = strstr (lower, word); p != NULL; p = strstr (p + 1, word))
    if ((p == lower || !g_ascii_isalnum (p[-1])) && !g_ascii_isalnum (p[len]))
      return TRUE;
  return FALSE;
}

/* Recall: every file a plain scan for a word finds is a hit, and nothing else is. */
static void
test_recall (VaultFixture  *f,
             gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  static const char * const separators[] = { " ", ", ", ". ", "\n", "-", "_", "/", "(" };

  for (guint i = 0; i < 150; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *path = g_strdup_printf ("/r/d%u/f%u.txt", i % 7, i);
      guint words = g_rand_int_range (rand, 5, 60);

      for (guint w = 0; w < words; w++)
        g_string_append_printf (text, "%s%s%u%s", g_rand_boolean (rand) ? "Word" : "word",
                                g_rand_int_range (rand, 0, 4) == 0 ? "X" : "",
                                g_rand_int_range (rand, 0, 120),
                                separators[g_rand_int_range (rand, 0, G_N_ELEMENTS (separators))]);
      write_text (f->vault, path, text->str);
      g_ptr_array_add (texts, g_string_free (g_steal_pointer (&text), FALSE));
    }
  for (guint q = 0; q < 25; q++)
    {
      g_autofree char *word = g_strdup_printf ("word%s%u", q % 3 == 0 ? "x" : "", q * 5);
      g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *want = NULL;

      for (guint i = 0; i < texts->len; i++)
        if (has_word (g_ptr_array_index (texts, i), word))
          g_ptr_array_add (expected, g_strdup_printf ("/r/d%u/f%u.txt", i % 7, i));
      g_ptr_array_sort (expected, compare_paths);
      g_ptr_array_add (expected, NULL);
      want = g_strjoinv (" ", (char **) expected->pdata);
      assert_hits (f->vault, word, want);
    }
}

static void
count_change (AvfsVault  *vault,
              const char *op,
              const char *path,
              GString    *log)
{
  g_string_append_printf (log, "%s %s;", op, path);
}

static void
test_changed_signal (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *moved = NULL;

  g_signal_connect (f->vault, "changed", G_CALLBACK (count_change), log);
  write_text (f->vault, "/x.txt", "x");
  moved = avfs_vault_move (f->vault, "/x.txt", "/y.txt", &error);
  g_assert_no_error (error);
  /* A failed mutation changes nothing and says nothing. */
  g_assert_null (avfs_vault_move (f->vault, "/missing", "/z", &error));
  g_clear_error (&error);
  g_assert_cmpstr (log->str, ==, "write /x.txt;mv /x.txt;");
  g_signal_handlers_disconnect_by_data (f->vault, log);
}

static void
search_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error = user_data;
  AvfsSearchResults *results = avfs_vault_search_finish (AVFS_VAULT (source), result, error);

  g_clear_pointer (&results, avfs_search_results_free);
  if (*error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static void
test_async (VaultFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  seed (f->vault);
  avfs_vault_search_async (f->vault, "fox", NULL, NULL, search_done, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  avfs_vault_search_async (f->vault, "fox", NULL, cancellable, search_done, &error);
  g_cancellable_cancel (cancellable);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  vault_fixture_wait_for_workers (G_OBJECT (f->vault));
}

/* Word lists that hold a word the file's text does not (what a delete given the wrong
 * text would leave): the documents all agree, FTS5's own check does not, and verify
 * says so; a rebuild mends it. */
static void
test_stale_postings (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchCheck) check = NULL;
  sqlite3 *db = NULL;

  if (!g_str_equal (avfs_vault_search_get_engine_name (f->vault), "fts5"))
    {
      g_test_skip ("only FTS5 keeps the text to check its word lists against");
      return;
    }
  seed (f->vault);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_true (avfs_search_fts5_register_tokenizer (db, &error));
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO search_fts (rowid, body, path, name, tags) "
                                     "SELECT doc_id, 'ghostword', '', '', '' "
                                     "FROM search_docs LIMIT 1", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  g_assert_cmpuint (count_hits (f->vault, "ghostword"), ==, 1);

  check = avfs_vault_search_check (f->vault, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (check->n_problems, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (check->problems, 0), ==,
                   "The search index finds files by words they no longer hold; run "
                   "“avfs-cli search --rebuild”");
  g_assert_true (avfs_vault_search_rebuild (f->vault, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_index_sound (f->vault);
  g_assert_cmpuint (count_hits (f->vault, "ghostword"), ==, 0);
}

/* Runs @sql on the closed vault's SQLite file, with our functions registered. */
static void
edit_closed_vault (VaultFixture *f,
                   const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_true (avfs_vault_close (f->vault, &error));
  g_assert_no_error (error);
  g_clear_object (&f->vault);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_true (avfs_search_fts5_register_tokenizer (db, &error));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* The vault's format, as stored. */
static guint64
stored_format (VaultFixture *f)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint64 format = 0;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = "
                                           "CAST ('format' AS BLOB)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_bytes (stmt, 0), ==, 8);
  for (guint i = 0; i < 8; i++)
    format = format << 8 | ((const guint8 *) sqlite3_column_blob (stmt, 0))[i];
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return format;
}

/* A vault of format 1 keeps a copy of each text in its FTS5 index, and its blobs in a
 * WITHOUT ROWID table. Opened now, the index gets content refs and the vault format 2,
 * in one transaction; the old copies keep answering, and are deleted exactly when their
 * files change; the blobs keep their layout. avfs of format 1 could not read the refs,
 * so it is told the vault is newer. */
static void
test_format_upgrade (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (avfs_vault_search_get_engine_name (f->vault), "fts5"))
    {
      g_test_skip ("only FTS5 kept a copy of each text in vaults of format 1");
      return;
    }
  seed (f->vault);
  g_assert_cmpuint (stored_format (f), ==, 4);
  edit_closed_vault (f, "CREATE TABLE old_blobs (key BLOB PRIMARY KEY, value BLOB NOT NULL) "
                        "WITHOUT ROWID;"
                        "INSERT INTO old_blobs SELECT key, value FROM blobs;"
                        "DROP TABLE blobs;"
                        "ALTER TABLE old_blobs RENAME TO blobs;"
                        "UPDATE meta SET value = X'0000000000000001' "
                        "WHERE key = CAST ('format' AS BLOB);"
                        "DROP VIEW search_content;"
                        "UPDATE search_docs SET body = CASE path "
                        "WHEN '/a.txt' THEN 'the quick brown fox jumps over the lazy dog' "
                        "WHEN '/b.txt' THEN 'a lazy afternoon with quick thinking' "
                        "ELSE 'foxes are clever animals; the fox den' END;"
                        "ALTER TABLE search_docs DROP COLUMN content_ref;"
                        "CREATE VIEW search_content AS SELECT doc_id, path, name, tags, "
                        "avfs_text (body) AS body FROM search_docs;");
  g_assert_cmpuint (stored_format (f), ==, 1);
  f->vault = avfs_vault_open (f->path, NULL, &error);
  g_assert_no_error (error);
  assert_hits (f->vault, "lazy", "/a.txt /b.txt");
  g_assert_cmpuint (stored_format (f), ==, 2);

  write_text (f->vault, "/a.txt", "a new text");
  assert_hits (f->vault, "lazy", "/b.txt");
  assert_hits (f->vault, "new", "/a.txt");
  assert_index_sound (f->vault);
  vault_assert_content (f->vault, "/a.txt", 0, "a new text");
  vault_assert_content (f->vault, "/b.txt", 0, "a lazy afternoon with quick thinking");

  edit_closed_vault (f, "UPDATE meta SET value = X'0000000000000005' "
                        "WHERE key = CAST ('format' AS BLOB)");
  g_assert_null (avfs_vault_open (f->path, NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "was written by a newer avfs (vault format 5); "
                                            "update avfs to open it"));
}

int
main (int   argc,
      char *argv[])
{
  static const VaultTest tests[] = {
    { "query-language", test_query_language },
    { "snippets", test_snippets },
    { "rewrite-and-append", test_rewrite_and_append },
    { "move-copy-remove", test_move_copy_remove },
    { "history", test_history },
    { "tags", test_tags },
    { "snapshot-restore", test_snapshot_restore },
    { "import-and-text-rules", test_import_and_text_rules },
    { "reopen-and-rebuild", test_reopen_and_rebuild },
    { "rebuild-damaged", test_rebuild_damaged },
    { "rebuild-leftovers", test_rebuild_leftovers },
    { "stale-index", test_stale_index },
    { "stale-postings", test_stale_postings },
    { "format-upgrade", test_format_upgrade },
    { "rebuild-many", test_rebuild_many },
    { "rebuild-cancelled", test_rebuild_cancelled },
    { "long-queue", test_long_queue },
    { "recall", test_recall },
    { "changed-signal", test_changed_signal },
    { "async", test_async },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-search", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
