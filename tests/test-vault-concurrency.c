/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Many threads on one vault at once, on every engine: 8 threads × 1000 mixed operations
 * (writes, appends, reads, moves, removes, tags, metadata, listings, searches,
 * snapshots). Each thread keeps a model of its own files and checks every read and
 * listing against it; all threads append numbered lines to one shared file, which must
 * end up holding every line exactly once (no lost update) and never reads torn. The run
 * ending at all shows there is no deadlock; then the vault verifies. */
#include "avfs-config.h"

#include "avfs-vault-maintenance.h"
#include "avfs-vault-search.h"
#include "avfs-vault-snapshots.h"
#include "avfs-vault-tags.h"
#include "vault-fixture.h"

#define THREADS 8
#define OPERATIONS 1000
#define FILES_PER_THREAD 6
#define SHARED_LOG "/shared/log"

typedef struct
{
  AvfsVault *vault;
  guint index;
  GHashTable *files;   /* name → expected content, the thread's own folder */
  guint appended;      /* lines this thread added to SHARED_LOG */
} Worker;

static char *
own_path (Worker     *worker,
          const char *name)
{
  return g_strdup_printf ("/t%u/%s", worker->index, name);
}

static char *
file_name (GRand *rand)
{
  return g_strdup_printf ("f%d", g_rand_int_range (rand, 0, FILES_PER_THREAD));
}

static void
write_file (Worker   *worker,
            GRand    *rand,
            guint     op,
            gboolean  append)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = file_name (rand);
  g_autofree char *path = own_path (worker, name);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *old = g_hash_table_lookup (worker->files, name);
  guint repeat = g_rand_int_range (rand, 1, 200);

  for (guint i = 0; i < repeat; i++)
    g_string_append_printf (text, "t%u-op%u ", worker->index, op);
  avfs_vault_write (worker->vault, path, (const guint8 *) text->str, text->len,
                    append ? AVFS_WRITE_APPEND : AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);
  if (append && old != NULL)
    g_string_prepend (text, old);
  g_hash_table_insert (worker->files, g_steal_pointer (&name),
                       g_string_free (g_steal_pointer (&text), FALSE));
}

static void
read_file (Worker *worker,
           GRand  *rand)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = file_name (rand);
  g_autofree char *path = own_path (worker, name);
  const char *expected = g_hash_table_lookup (worker->files, name);
  g_autoptr(GBytes) content = avfs_vault_read (worker->vault, path, 0, &error);

  if (expected == NULL)
    {
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                   expected, strlen (expected));
}

static void
move_or_remove (Worker *worker,
                GRand  *rand)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *from_name = file_name (rand);
  g_autofree char *to_name = file_name (rand);
  g_autofree char *from = own_path (worker, from_name);
  g_autofree char *to = own_path (worker, to_name);
  char *content;

  if (!g_hash_table_steal_extended (worker->files, from_name, NULL, (gpointer *) &content))
    return;
  if (g_str_equal (from_name, to_name))
    {
      g_assert_true (avfs_vault_remove (worker->vault, from, FALSE, &error));
      g_free (content);
    }
  else
    {
      /* Onto an existing file the move is refused: remove that one first. */
      if (g_hash_table_remove (worker->files, to_name))
        g_assert_true (avfs_vault_remove (worker->vault, to, FALSE, &error));
      g_assert_no_error (error);
      g_free (avfs_vault_move (worker->vault, from, to, &error));
      g_hash_table_insert (worker->files, g_strdup (to_name), content);
    }
  g_assert_no_error (error);
}

static void
tag_and_meta (Worker *worker,
              GRand  *rand,
              guint   op)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = file_name (rand);
  g_autofree char *path = own_path (worker, name);
  g_autofree char *value = g_strdup_printf ("%u", op);
  g_autofree char *read_back = NULL;
  g_auto(GStrv) tags = NULL;

  if (!g_hash_table_contains (worker->files, name))
    return;
  g_assert_true (avfs_vault_tag_add (worker->vault, path, "busy", &error));
  g_assert_true (avfs_vault_meta_set (worker->vault, path, "op", value, &error));
  g_assert_no_error (error);
  tags = avfs_vault_tags_list (worker->vault, path, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) tags, "busy"));
  read_back = avfs_vault_meta_get (worker->vault, path, "op", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read_back, ==, value);
  g_assert_true (avfs_vault_tag_remove (worker->vault, path, "busy", &error));
  g_assert_no_error (error);
}

static void
list_own (Worker *worker)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_strdup_printf ("/t%u", worker->index);
  g_autoptr(GPtrArray) entries = avfs_vault_list (worker->vault, dir, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, g_hash_table_size (worker->files));
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsFileInfo *entry = g_ptr_array_index (entries, i);

      g_assert_true (g_hash_table_contains (worker->files, entry->name));
    }
}

/* Each line of the shared log is "T<thread> <n>", and each thread's n count up from 0. */
static guint
check_log (const char *text,
           gsize       len,
           guint       counts[THREADS])
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *copy = g_strndup (text != NULL ? text : "", len); /* empty: NULL data */
  guint n = 0;

  memset (counts, 0, THREADS * sizeof (guint));
  g_assert_true (len == 0 || text[len - 1] == '\n');
  lines = g_strsplit (copy, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++, n++)
    {
      guint thread, number;

      g_assert_cmpint (sscanf (lines[i], "T%u %u", &thread, &number), ==, 2);
      g_assert_cmpuint (thread, <, THREADS);
      g_assert_cmpuint (number, ==, counts[thread]);
      counts[thread]++;
    }
  return n;
}

static void
append_log (Worker *worker)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strdup_printf ("T%u %u\n", worker->index, worker->appended);

  avfs_vault_write (worker->vault, SHARED_LOG, (const guint8 *) line, strlen (line),
                    AVFS_WRITE_APPEND, &error);
  g_assert_no_error (error);
  worker->appended++;
}

static void
read_log (Worker *worker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = avfs_vault_read (worker->vault, SHARED_LOG, 0, &error);
  guint counts[THREADS];

  g_assert_no_error (error);
  check_log (g_bytes_get_data (content, NULL), g_bytes_get_size (content), counts);
  /* Whatever else is there, this thread's own lines all are. */
  g_assert_cmpuint (counts[worker->index], ==, worker->appended);
}

static void
search_and_snapshot (Worker *worker,
                     guint   op)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *query = g_strdup_printf ("t%u", worker->index);
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(AvfsSearchResults) results = avfs_vault_search (worker->vault, query, &options,
                                                            &error);

  g_assert_no_error (error);
  if (worker->index == 0 && op % 250 == 0)
    {
      g_autofree char *name = g_strdup_printf ("at-%u", op);

      g_assert_true (avfs_vault_snapshot_save (worker->vault, name, NULL, &error));
      g_assert_no_error (error);
    }
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1000 + worker->index);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_strdup_printf ("/t%u", worker->index);

  g_assert_true (avfs_vault_mkdir (worker->vault, dir, FALSE, &error));
  g_assert_no_error (error);
  for (guint op = 0; op < OPERATIONS; op++)
    {
      switch (g_rand_int_range (rand, 0, 12))
        {
        case 0: case 1: case 2: write_file (worker, rand, op, FALSE); break;
        case 3: write_file (worker, rand, op, TRUE); break;
        case 4: case 5: read_file (worker, rand); break;
        case 6: case 7: append_log (worker); break;
        case 8: read_log (worker); break;
        case 9: move_or_remove (worker, rand); break;
        case 10: tag_and_meta (worker, rand, op); break;
        default:
          list_own (worker);
          if (op % 20 == 0)
            search_and_snapshot (worker, op);
        }
    }
  return NULL;
}

static void
test_mixed_threads (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) log = NULL;
  g_autoptr(AvfsVerifyReport) report = NULL;
  Worker workers[THREADS];
  GThread *threads[THREADS];
  guint counts[THREADS];
  guint appended = 0;

  avfs_vault_write (f->vault, SHARED_LOG, NULL, 0, AVFS_WRITE_PARENTS, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < THREADS; i++)
    {
      GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

      workers[i] = (Worker) { f->vault, i, files, 0 };
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }
  for (guint i = 0; i < THREADS; i++)
    g_thread_join (threads[i]);

  /* Every appended line is there, once, in each thread's order. */
  log = avfs_vault_read (f->vault, SHARED_LOG, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < THREADS; i++)
    appended += workers[i].appended;
  g_assert_cmpuint (check_log (g_bytes_get_data (log, NULL), g_bytes_get_size (log), counts),
                    ==, appended);
  for (guint i = 0; i < THREADS; i++)
    {
      g_assert_cmpuint (counts[i], ==, workers[i].appended);
      list_own (&workers[i]);
      g_hash_table_unref (workers[i].files);
    }
  report = avfs_vault_verify (f->vault, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  if (report->n_problems > 0)
    g_error ("%s", (char *) g_ptr_array_index (report->problems, 0));
}

int
main (int   argc,
      char *argv[])
{
  static const VaultTest tests[] = {
    { "mixed-threads", test_mixed_threads },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault/concurrency", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
