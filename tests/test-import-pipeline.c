/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The import pipeline: jobs come back in the order given, within its bounds; an import
 * through it stores files in walk order, large files whole. */
#include <glib/gstdio.h>

#include "avfs-import-pipeline.h"
#include "avfs-vault-transfer.h"
#include "vault-fixture.h"

#define MiB (1024 * 1024)
/* What the import's workers read of one file ahead of the writer (avfs-vault-transfer.c). */
#define READ_AHEAD (8 * MiB)

typedef struct
{
  guint index;
  gboolean prepared;
} Job;

static void
prepare_cb (gpointer data,
            gpointer user_data)
{
  Job *job = data;

  /* Uneven on purpose: later jobs are often ready first. */
  g_usleep (g_random_int_range (0, 300));
  job->prepared = TRUE;
}

static gint freed;

static void
free_job (gpointer data)
{
  g_atomic_int_inc (&freed);
  g_free (data);
}

static AvfsImportPipeline *
pipeline_new (void)
{
  g_autoptr(GError) error = NULL;
  AvfsImportPipeline *pipeline = avfs_import_pipeline_new (prepare_cb, NULL, free_job, &error);

  g_assert_no_error (error);
  return pipeline;
}

/* Pops the next job, asserting it is the one expected and prepared. */
static void
pop_expecting (AvfsImportPipeline *pipeline,
               guint              *next)
{
  g_autofree Job *job = avfs_import_pipeline_pop (pipeline);

  g_assert_cmpuint (job->index, ==, *next);
  g_assert_true (job->prepared);
  (*next)++;
}

static void
test_order (void)
{
  g_autoptr(AvfsImportPipeline) pipeline = pipeline_new ();
  guint next = 0;

  for (guint i = 0; i < 2000; i++)
    {
      Job *job = g_new0 (Job, 1);

      while (!avfs_import_pipeline_has_room (pipeline, 64 * 1024))
        pop_expecting (pipeline, &next);
      job->index = i;
      /* Every third job is ready as it is, as a directory is. */
      job->prepared = i % 3 == 0;
      avfs_import_pipeline_push (pipeline, job, 64 * 1024, i % 3 != 0);
    }
  while (!avfs_import_pipeline_is_empty (pipeline))
    pop_expecting (pipeline, &next);
  g_assert_cmpuint (next, ==, 2000);
}

/* How many jobs of a size fit before the pipeline is full. */
static void
test_room (void)
{
  static const struct
  {
    guint64 bytes;
    guint fit;
  } cases[] = {
    { 0, AVFS_IMPORT_PIPELINE_MAX_JOBS },
    { 1024, AVFS_IMPORT_PIPELINE_MAX_JOBS },
    { MiB, AVFS_IMPORT_PIPELINE_MAX_BYTES / MiB },
    { READ_AHEAD, AVFS_IMPORT_PIPELINE_MAX_BYTES / READ_AHEAD },
    { AVFS_IMPORT_PIPELINE_MAX_BYTES, 1 },
    /* An empty pipeline takes any job: none could ever run otherwise. */
    { 4 * (guint64) AVFS_IMPORT_PIPELINE_MAX_BYTES, 1 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(AvfsImportPipeline) pipeline = pipeline_new ();
      guint pushed = 0;

      while (avfs_import_pipeline_has_room (pipeline, cases[c].bytes))
        {
          avfs_import_pipeline_push (pipeline, g_new0 (Job, 1), cases[c].bytes, FALSE);
          pushed++;
        }
      g_assert_cmpuint (pushed, ==, cases[c].fit);
      /* Popping one makes room for one. */
      g_free (avfs_import_pipeline_pop (pipeline));
      g_assert_true (avfs_import_pipeline_has_room (pipeline, cases[c].bytes));
    }
}

/* Freeing stops the workers and frees every job not popped, prepared or not. */
static void
test_free_unpopped (void)
{
  AvfsImportPipeline *pipeline = pipeline_new ();

  g_atomic_int_set (&freed, 0);
  for (guint i = 0; i < 100; i++)
    avfs_import_pipeline_push (pipeline, g_new0 (Job, 1), 0, i % 2 == 0);
  avfs_import_pipeline_free (pipeline);
  g_assert_cmpint (g_atomic_int_get (&freed), ==, 100);
}

/* A host tree the vault tests import; removed by host_tree_free(). */
typedef struct
{
  char *dir;
  GPtrArray *paths; /* relative, in walk order (byte order of names, parents first) */
} HostTree;

static void
host_tree_add (HostTree     *tree,
               const char   *relative,
               const guint8 *data,
               gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tree->dir, relative, NULL);

  if (data == NULL)
    g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  else
    g_assert_true (g_file_set_contents (path, (const char *) data, len, &error));
  g_assert_no_error (error);
  g_ptr_array_add (tree->paths, g_strdup (relative));
}

static void
host_tree_free (HostTree *tree)
{
  for (guint i = tree->paths->len; i > 0; i--)
    {
      g_autofree char *path = g_build_filename (tree->dir, g_ptr_array_index (tree->paths, i - 1),
                                                NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (tree->dir), ==, 0);
  g_ptr_array_unref (tree->paths);
  g_free (tree->dir);
  g_free (tree);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostTree, host_tree_free)

/* Files around the read-ahead size (read ahead whole, or finished by the writer), then
 * more small files than the pipeline holds at once. */
static HostTree *
host_tree_new (void)
{
  g_autoptr(GError) error = NULL;
  HostTree *tree = g_new0 (HostTree, 1);
  static const gsize big_sizes[] = { READ_AHEAD - 1, READ_AHEAD, READ_AHEAD + 1, 3 * READ_AHEAD };

  tree->dir = g_dir_make_tmp ("avfs-pipeline-XXXXXX", &error);
  g_assert_no_error (error);
  tree->paths = g_ptr_array_new_with_free_func (g_free);
  host_tree_add (tree, "big", NULL, 0);
  for (guint i = 0; i < G_N_ELEMENTS (big_sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("big/%u.bin", i);
      g_autofree guint8 *data = vault_make_pattern (big_sizes[i], i);

      host_tree_add (tree, name, data, big_sizes[i]);
    }
  host_tree_add (tree, "many", NULL, 0);
  for (guint i = 0; i < AVFS_IMPORT_PIPELINE_MAX_JOBS + 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("many/%04u", i);

      host_tree_add (tree, name, (const guint8 *) name, strlen (name));
    }
  return tree;
}

static void
assert_same_content (AvfsVault  *vault,
                     const char *vault_path,
                     const char *host_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = avfs_vault_read (vault, vault_path, 0, &error);
  g_autofree char *expected = NULL;
  gsize len;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (host_path, &expected, &len, &error));
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), expected, len);
}

/* Node ids follow the walk, so an import is reproducible whatever order the workers
 * finish in; every file arrives whole. */
static void
test_walk_order (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(HostTree) tree = host_tree_new ();
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;
  guint64 last_id = vault_node_id (f->vault, "/");

  g_assert_true (avfs_vault_import (f->vault, tree->dir, "/in", AVFS_IMPORT_NONE, NULL, NULL,
                                    NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.directories, ==, 3);
  g_assert_cmpuint (report.files, ==, tree->paths->len - 2);
  for (guint i = 0; i < tree->paths->len; i++)
    {
      const char *relative = g_ptr_array_index (tree->paths, i);
      g_autofree char *vault_path = g_build_path ("/", "/in", relative, NULL);
      g_autofree char *host_path = g_build_filename (tree->dir, relative, NULL);
      guint64 id = vault_node_id (f->vault, vault_path);

      g_assert_cmpuint (id, >, last_id);
      last_id = id;
      if (g_str_has_prefix (relative, "big/") || i == tree->paths->len - 1)
        assert_same_content (f->vault, vault_path, host_path);
    }
}

static const VaultTest vault_tests[] = {
  { "walk-order", test_walk_order },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/import-pipeline/order", test_order);
  g_test_add_func ("/import-pipeline/room", test_room);
  g_test_add_func ("/import-pipeline/free-unpopped", test_free_unpopped);
  vault_fixture_register ("import-pipeline", vault_tests, G_N_ELEMENTS (vault_tests));
  return g_test_run ();
}
