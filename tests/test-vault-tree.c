/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault's tree and content on every engine: write/read, versions, chunks, mv, cp, rm. */
#include "vault-fixture.h"

static void
test_write_read (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const guint8 binary[] = { 0, 1, 2, 0xff, 0, 'x' };
  g_autoptr(GBytes) got = NULL;

  g_assert_cmpuint (vault_write_string (f->vault, "/notes.txt", "first"), ==, 1);
  g_assert_cmpuint (vault_write_string (f->vault, "/notes.txt", "second"), ==, 2);
  g_assert_cmpuint (avfs_vault_write (f->vault, "/notes.txt", (const guint8 *) " more", 5,
                                      AVFS_WRITE_APPEND, &error), ==, 3);
  g_assert_no_error (error);
  vault_assert_content (f->vault, "/notes.txt", 0, "second more");
  vault_assert_content (f->vault, "/notes.txt", 1, "first");
  vault_assert_content (f->vault, "//notes.txt/", 2, "second");

  g_assert_cmpuint (avfs_vault_write (f->vault, "/bin", binary, sizeof binary,
                                      AVFS_WRITE_NONE, &error), ==, 1);
  got = avfs_vault_read (f->vault, "/bin", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), binary, sizeof binary);

  g_assert_cmpuint (avfs_vault_write (f->vault, "/empty", NULL, 0, AVFS_WRITE_NONE, &error), ==, 1);
  vault_assert_content (f->vault, "/empty", 0, "");

  g_assert_null (avfs_vault_read (f->vault, "/notes.txt", 9, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "version 9"));
}

static void
test_write_errors (VaultFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint32 v;

  v = avfs_vault_write (f->vault, "/missing/file", (const guint8 *) "x", 1, AVFS_WRITE_NONE, &error);
  g_assert_cmpuint (v, ==, 0);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/missing/file"));
  g_clear_error (&error);

  v = avfs_vault_write (f->vault, "/deep/er/file", (const guint8 *) "x", 1, AVFS_WRITE_PARENTS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (v, ==, 1);

  assert_fails (avfs_vault_write (f->vault, "/deep", (const guint8 *) "x", 1,
                                                 AVFS_WRITE_NONE, &error), AVFS_ERROR_IS_A_DIRECTORY);
  assert_fails (avfs_vault_write (f->vault, "/", (const guint8 *) "x", 1,
                                                 AVFS_WRITE_NONE, &error), AVFS_ERROR_IS_A_DIRECTORY);
  assert_fails (avfs_vault_write (f->vault, "/deep/er/file/sub",
                                                 (const guint8 *) "x", 1, AVFS_WRITE_PARENTS,
                                                 &error), AVFS_ERROR_NOT_A_DIRECTORY);
  assert_fails (avfs_vault_write (f->vault, "/deep/er/file", (const guint8 *) "y",
                                                 1, AVFS_WRITE_NO_CLOBBER, &error), AVFS_ERROR_EXISTS);
  assert_fails (avfs_vault_write (f->vault, "relative", (const guint8 *) "y", 1,
                                                 AVFS_WRITE_NONE, &error), AVFS_ERROR_INVALID_PATH);
  assert_fails (avfs_vault_write (f->vault, "/a/../../b", (const guint8 *) "y", 1,
                                                 AVFS_WRITE_NONE, &error), AVFS_ERROR_INVALID_PATH);
  assert_fails (avfs_vault_write (f->vault, "/bad\xff", (const guint8 *) "y", 1,
                                                 AVFS_WRITE_NONE, &error), AVFS_ERROR_INVALID_PATH);
  vault_assert_content (f->vault, "/deep/er/file", 0, "x");
}

/* The content of a large test file. */
static GBytes *
make_large (gsize size,
            guint seed)
{
  return g_bytes_new_take (vault_make_pattern (size, seed), size);
}

static void
test_large_file (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) large = make_large (3 * AVFS_VAULT_DEFAULT_CHUNK_SIZE + 12345, 7);
  g_autoptr(GBytes) tail = make_large (AVFS_VAULT_DEFAULT_CHUNK_SIZE, 9);
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_bytes (large);
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) streamed = NULL;
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(AvfsFileInfo) info = NULL;

  g_assert_cmpuint (avfs_vault_write_stream (f->vault, "/big", input, AVFS_WRITE_NONE, NULL,
                                             &error), ==, 1);
  g_assert_no_error (error);
  info = avfs_vault_stat (f->vault, "/big", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->size, ==, g_bytes_get_size (large));
  g_assert_cmpuint (info->n_chunks, ==, 4);

  g_assert_true (avfs_vault_read_to_stream (f->vault, "/big", 0, output, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (output, NULL, NULL);
  streamed = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (output));
  g_assert_true (g_bytes_equal (streamed, large));

  /* Appending rewrites only the last, partial chunk; the rest is shared with v1. */
  g_assert_cmpuint (avfs_vault_write (f->vault, "/big", g_bytes_get_data (tail, NULL),
                                      g_bytes_get_size (tail), AVFS_WRITE_APPEND, &error), ==, 2);
  g_assert_no_error (error);
  g_byte_array_append (expected, g_bytes_get_data (large, NULL), g_bytes_get_size (large));
  g_byte_array_append (expected, g_bytes_get_data (tail, NULL), g_bytes_get_size (tail));
  whole = avfs_vault_read (f->vault, "/big", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (whole, NULL), g_bytes_get_size (whole),
                   expected->data, expected->len);
  g_clear_pointer (&whole, g_bytes_unref);
  whole = avfs_vault_read (f->vault, "/big", 1, &error);
  g_assert_true (g_bytes_equal (whole, large));

  /* The head of a file, within a chunk, across chunks, and longer than the file. */
  for (gsize i = 0; i < 3; i++)
    {
      static const gsize heads[] = { 100, AVFS_VAULT_DEFAULT_CHUNK_SIZE + 5, G_MAXSIZE };
      g_autoptr(GBytes) head = avfs_vault_read_head (f->vault, "/big", 1, heads[i], &error);

      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                       g_bytes_get_data (large, NULL), MIN (heads[i], g_bytes_get_size (large)));
    }
}

static void
test_dedup (VaultFixture  *f,
            gconstpointer  data)
{
  vault_write_string (f->vault, "/a", "same content");
  vault_write_string (f->vault, "/b", "same content");
  vault_write_string (f->vault, "/a", "other");
  vault_write_string (f->vault, "/a", "same content");
  g_assert_cmpuint (vault_count_keys (f->vault, "blobs"), ==, 2);
  g_assert_cmpuint (vault_count_keys (f->vault, "versions"), ==, 4);
}

static void
test_mkdir_list_stat (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  static const char * const expected[] = { "b-dir", "z-dir", "a-file", "c-file" };

  g_assert_true (avfs_vault_mkdir (f->vault, "/z-dir", FALSE, &error));
  g_assert_true (avfs_vault_mkdir (f->vault, "/b-dir/x/y", TRUE, &error));
  g_assert_true (avfs_vault_mkdir (f->vault, "/b-dir/x", TRUE, &error));
  g_assert_no_error (error);
  vault_write_string (f->vault, "/c-file", "c");
  vault_write_string (f->vault, "/a-file", "aaa");

  assert_fails (avfs_vault_mkdir (f->vault, "/z-dir", FALSE, &error), AVFS_ERROR_EXISTS);
  assert_fails (avfs_vault_mkdir (f->vault, "/q/r", FALSE, &error), AVFS_ERROR_NOT_FOUND);
  assert_fails (avfs_vault_mkdir (f->vault, "/a-file/d", TRUE, &error), AVFS_ERROR_NOT_A_DIRECTORY);

  entries = avfs_vault_list (f->vault, "/", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < entries->len; i++)
    g_assert_cmpstr (((AvfsFileInfo *) g_ptr_array_index (entries, i))->name, ==, expected[i]);

  info = avfs_vault_stat (f->vault, "/a-file", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->path, ==, "/a-file");
  g_assert_cmpint (info->kind, ==, AVFS_NODE_KIND_FILE);
  g_assert_cmpuint (info->size, ==, 3);
  g_assert_cmpuint (info->version, ==, 1);
  g_clear_pointer (&info, avfs_file_info_free);
  info = avfs_vault_stat (f->vault, "/b-dir/x/./y/", &error);
  g_assert_cmpstr (info->path, ==, "/b-dir/x/y");
  g_assert_cmpint (info->kind, ==, AVFS_NODE_KIND_DIRECTORY);
  g_assert_null (avfs_vault_stat (f->vault, "/nope", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

/* Pages follow each other in name order, without gaps or repeats, until a short one. */
static void
test_list_pages (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) file_page = NULL;
  g_autofree char *after = NULL;
  guint seen = 0;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *path = g_strdup_printf ("/big/e%02u", i);

      if (i % 5 == 0)
        avfs_vault_mkdir (f->vault, path, TRUE, &error);
      else
        avfs_vault_write (f->vault, path, (const guint8 *) "x", 1, AVFS_WRITE_PARENTS, &error);
      g_assert_no_error (error);
    }
  for (;;)
    {
      g_autoptr(GPtrArray) page = avfs_vault_list_page (f->vault, "/big", after, 10, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        {
          g_autofree char *want = g_strdup_printf ("e%02u", seen++);

          g_assert_cmpstr (((AvfsFileInfo *) g_ptr_array_index (page, i))->name, ==, want);
        }
      if (page->len < 10)
        break;
      g_free (after);
      after = g_strdup (((AvfsFileInfo *) g_ptr_array_index (page, page->len - 1))->name);
    }
  g_assert_cmpuint (seen, ==, 25);
  file_page = avfs_vault_list_page (f->vault, "/big/e01", NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_page->len, ==, 1);
  g_assert_null (avfs_vault_list_page (f->vault, "/missing", NULL, 10, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

static void
test_touch (VaultFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) before = NULL;
  g_autoptr(AvfsFileInfo) after = NULL;

  g_assert_true (avfs_vault_touch (f->vault, "/t", &error));
  g_assert_no_error (error);
  vault_assert_content (f->vault, "/t", 0, "");
  vault_write_string (f->vault, "/t", "text");
  before = avfs_vault_stat (f->vault, "/t", &error);
  g_usleep (2000);
  g_assert_true (avfs_vault_touch (f->vault, "/t", &error));
  after = avfs_vault_stat (f->vault, "/t", &error);
  g_assert_cmpuint (after->version, ==, before->version);
  g_assert_cmpint (after->modified_us, >, before->modified_us);
  vault_assert_content (f->vault, "/t", 0, "text");
}

static void
test_move (VaultFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *moved;

  vault_write_string (f->vault, "/doc", "one");
  vault_write_string (f->vault, "/doc", "two");
  g_assert_true (avfs_vault_mkdir (f->vault, "/dir/sub", TRUE, &error));

  moved = avfs_vault_move (f->vault, "/doc", "/dir", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (moved, ==, "/dir/doc");
  g_free (moved);
  vault_assert_content (f->vault, "/dir/doc", 1, "one");
  vault_assert_content (f->vault, "/dir/doc", 0, "two");
  g_assert_null (avfs_vault_stat (f->vault, "/doc", &error));
  g_clear_error (&error);

  moved = avfs_vault_move (f->vault, "/dir", "/renamed", &error);
  g_assert_no_error (error);
  g_free (moved);
  vault_assert_content (f->vault, "/renamed/doc", 0, "two");

  g_assert_null (avfs_vault_move (f->vault, "/renamed", "/renamed/sub/inside", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
  g_clear_error (&error);
  vault_write_string (f->vault, "/other", "x");
  g_assert_null (avfs_vault_move (f->vault, "/other", "/renamed/doc", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (avfs_vault_move (f->vault, "/", "/x", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
  g_clear_error (&error);
  g_assert_null (avfs_vault_move (f->vault, "/other", "/missing/x", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  vault_assert_content (f->vault, "/other", 0, "x");
}

static void
test_copy (VaultFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  char *copied;

  g_assert_true (avfs_vault_mkdir (f->vault, "/src/deeper", TRUE, &error));
  vault_write_string (f->vault, "/src/a", "alpha");
  vault_write_string (f->vault, "/src/a", "alpha 2");
  vault_write_string (f->vault, "/src/deeper/b", "beta");

  copied = avfs_vault_copy (f->vault, "/src/a", "/a-copy", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copied, ==, "/a-copy");
  g_free (copied);
  info = avfs_vault_stat (f->vault, "/a-copy", &error);
  g_assert_cmpuint (info->version, ==, 1);
  vault_assert_content (f->vault, "/a-copy", 0, "alpha 2");

  g_assert_null (avfs_vault_copy (f->vault, "/src", "/dst", FALSE, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY);
  g_clear_error (&error);
  copied = avfs_vault_copy (f->vault, "/src", "/dst", TRUE, &error);
  g_assert_no_error (error);
  g_free (copied);
  vault_assert_content (f->vault, "/dst/deeper/b", 0, "beta");
  vault_assert_content (f->vault, "/src/deeper/b", 0, "beta");

  /* Into an existing directory; never over an existing file; never into itself. */
  copied = avfs_vault_copy (f->vault, "/a-copy", "/dst/deeper", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copied, ==, "/dst/deeper/a-copy");
  g_free (copied);
  g_assert_null (avfs_vault_copy (f->vault, "/src/a", "/a-copy", FALSE, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (avfs_vault_copy (f->vault, "/src", "/src/deeper", TRUE, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH);
  g_clear_error (&error);
  vault_assert_content (f->vault, "/a-copy", 0, "alpha 2");
  g_assert_cmpuint (vault_count_keys (f->vault, "blobs"), ==, 3);
}

static void
test_remove (VaultFixture  *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_true (avfs_vault_mkdir (f->vault, "/d/e", TRUE, &error));
  vault_write_string (f->vault, "/d/e/f", "f");
  vault_write_string (f->vault, "/d/e/f", "f2");
  vault_write_string (f->vault, "/keep", "k");

  assert_fails (avfs_vault_rmdir (f->vault, "/d", &error), AVFS_ERROR_NOT_EMPTY);
  assert_fails (avfs_vault_remove (f->vault, "/", TRUE, &error), AVFS_ERROR_INVALID_PATH);
  assert_fails (avfs_vault_remove (f->vault, "/nothing", FALSE, &error), AVFS_ERROR_NOT_FOUND);

  g_assert_true (avfs_vault_remove (f->vault, "/d", TRUE, &error));
  g_assert_no_error (error);
  entries = avfs_vault_list (f->vault, "/", &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpuint (vault_count_keys (f->vault, "versions"), ==, 1);
  g_assert_cmpuint (vault_count_keys (f->vault, "nodes"), ==, 2);
  g_assert_cmpuint (vault_count_keys (f->vault, "dirents"), ==, 1);

  g_assert_true (avfs_vault_mkdir (f->vault, "/empty", FALSE, &error));
  g_assert_true (avfs_vault_rmdir (f->vault, "/empty", &error));
  g_assert_true (avfs_vault_remove (f->vault, "/keep", FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vault_count_keys (f->vault, "nodes"), ==, 1);
}

static void
test_persistence (VaultFixture  *f,
                  gconstpointer  data)
{
  if (f->path == NULL)
    {
      g_test_skip ("a memory vault cannot be reopened");
      return;
    }
  g_assert_true (avfs_vault_mkdir (f->vault, "/p", FALSE, NULL));
  vault_write_string (f->vault, "/p/q", "persisted");
  vault_fixture_reopen (f);
  vault_assert_content (f->vault, "/p/q", 0, "persisted");
  g_assert_cmpuint (vault_write_string (f->vault, "/p/q", "again"), ==, 2);
  g_assert_cmpuint (vault_write_string (f->vault, "/p/r", "new"), ==, 1);
}

#define WRITERS 3
#define ROUNDS 150
#define FILE_LEN 2000

typedef struct
{
  AvfsVault *vault;
  guint index;
  gint *stop;
} Worker;

/* Each write fills a file with one repeated byte, so a torn read shows as a mix. */
static gpointer
writer_thread (gpointer data)
{
  Worker *worker = data;
  g_autofree char *path = g_strdup_printf ("/w%u", worker->index);
  guint8 buffer[FILE_LEN];

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;

      memset (buffer, 'a' + (round % 26), sizeof buffer);
      avfs_vault_write (worker->vault, path, buffer, sizeof buffer - round % 7,
                        AVFS_WRITE_NONE, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

static gpointer
reader_thread (gpointer data)
{
  Worker *worker = data;
  guint reads = 0;

  while (!g_atomic_int_get (worker->stop) || reads == 0)
    {
      g_autofree char *path = g_strdup_printf ("/w%u", reads % WRITERS);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) content = avfs_vault_read (worker->vault, path, 0, &error);
      gsize len;
      const guint8 *bytes;

      reads++;
      if (content == NULL)
        {
          g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
          continue;
        }
      bytes = g_bytes_get_data (content, &len);
      g_assert_cmpuint (len, >, FILE_LEN - 7);
      for (gsize i = 1; i < len; i++)
        g_assert_cmpint (bytes[i], ==, bytes[0]);
    }
  return NULL;
}

static void
test_concurrency (VaultFixture  *f,
                  gconstpointer  data)
{
  Worker workers[WRITERS + 2];
  GThread *threads[WRITERS + 2];
  gint stop = 0;

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      workers[i] = (Worker) { f->vault, i, &stop };
      threads[i] = g_thread_new ("worker", i < WRITERS ? writer_thread : reader_thread,
                                 &workers[i]);
    }
  for (guint i = 0; i < WRITERS; i++)
    g_thread_join (threads[i]);
  g_atomic_int_set (&stop, 1);
  for (guint i = WRITERS; i < G_N_ELEMENTS (workers); i++)
    g_thread_join (threads[i]);
  for (guint i = 0; i < WRITERS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w%u", i);
      g_autoptr(AvfsFileInfo) info = avfs_vault_stat (f->vault, path, NULL);

      g_assert_cmpuint (info->version, ==, ROUNDS);
    }
}

static const VaultTest tests[] = {
  { "write-read", test_write_read },
  { "write-errors", test_write_errors },
  { "large-file", test_large_file },
  { "dedup", test_dedup },
  { "mkdir-list-stat", test_mkdir_list_stat },
  { "list-pages", test_list_pages },
  { "touch", test_touch },
  { "move", test_move },
  { "copy", test_copy },
  { "remove", test_remove },
  { "persistence", test_persistence },
  { "concurrency", test_concurrency },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-tree", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
