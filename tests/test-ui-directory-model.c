/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDirectoryModel: batches of a huge directory, cancelling a load, errors. */
#include "avfs-config.h"

#include <gtk/gtk.h>

#include "avfs-directory-model.h"
#include "test-ui-util.h"

typedef struct
{
  guint signals;
  gint64 first_us;  /* when the first rows came */
  guint first_added;
  gboolean loading_at_first;
  AvfsDirectoryModel *model;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  if (changes->signals++ == 0)
    {
      changes->first_us = g_get_monotonic_time ();
      changes->first_added = added;
      changes->loading_at_first = avfs_directory_model_get_loading (changes->model);
    }
}

static AvfsVault *
memory_vault_with (guint n_files)
{
  g_autoptr(GError) error = NULL;
  AvfsVault *vault = avfs_vault_create ("memory", NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  avfs_vault_mkdir (vault, "/big", FALSE, &error);
  g_assert_no_error (error);
  avfs_vault_mkdir (vault, "/small", FALSE, &error);
  g_assert_no_error (error);
  avfs_vault_touch (vault, "/small/only.txt", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("/big/file-%05u.txt", i);

      avfs_vault_touch (vault, path, &error);
      g_assert_no_error (error);
    }
  return vault;
}

static void
test_batches (void)
{
  g_autoptr(AvfsVault) vault = memory_vault_with (20000);
  g_autoptr(AvfsDirectoryModel) model = avfs_directory_model_new ();
  Changes changes = { .model = model };
  gint64 start;

  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  start = g_get_monotonic_time ();
  avfs_directory_model_load (model, vault, "/big");
  g_assert_true (avfs_directory_model_get_loading (model));
  WAIT_UNTIL (!avfs_directory_model_get_loading (model), 30000);
  /* Reported, not asserted: the machines are shared and noisy. */
  g_test_message ("20000 entries: first rows after %.1f ms, all after %.1f ms",
                  (changes.first_us - start) / 1000.0, (g_get_monotonic_time () - start) / 1000.0);

  /* The first rows came while the rest were still loading: in small pages until the
   * view has its rows, then in full batches. */
  g_assert_cmpuint (changes.first_added, ==, AVFS_DIRECTORY_MODEL_FIRST_PAGE_SIZE);
  g_assert_true (changes.loading_at_first);
  g_assert_cmpuint (changes.signals, ==,
                    AVFS_DIRECTORY_MODEL_FIRST_ROWS / AVFS_DIRECTORY_MODEL_FIRST_PAGE_SIZE +
                    (20000 - AVFS_DIRECTORY_MODEL_FIRST_ROWS + AVFS_DIRECTORY_MODEL_BATCH_SIZE - 1) /
                    AVFS_DIRECTORY_MODEL_BATCH_SIZE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 20000);
  g_assert_null (avfs_directory_model_get_error (model));
  g_assert_nonnull (avfs_directory_model_lookup (model, "file-19999.txt"));
  g_signal_handlers_disconnect_by_data (model, &changes);
}

static void
test_cancels (void)
{
  g_autoptr(AvfsVault) vault = memory_vault_with (5000);
  g_autoptr(AvfsDirectoryModel) model = avfs_directory_model_new ();
  g_autoptr(AvfsFileItem) item = NULL;

  /* Leaving a folder before its listing arrives: only the new folder shows. */
  avfs_directory_model_load (model, vault, "/big");
  avfs_directory_model_load (model, vault, "/small");
  WAIT_UNTIL (!avfs_directory_model_get_loading (model), 30000);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpstr (avfs_directory_model_get_path (model), ==, "/small");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (avfs_file_item_get_path (item), ==, "/small/only.txt");
}

static void
test_reload_keeps_rows (void)
{
  g_autoptr(AvfsVault) vault = memory_vault_with (0);
  g_autoptr(AvfsDirectoryModel) model = avfs_directory_model_new ();
  g_autoptr(GError) error = NULL;

  avfs_directory_model_load (model, vault, "/small");
  WAIT_UNTIL (!avfs_directory_model_get_loading (model), 5000);
  avfs_vault_touch (vault, "/small/second.txt", &error);
  g_assert_no_error (error);
  avfs_directory_model_reload (model);
  /* Until the new listing arrives, the old rows stay. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  WAIT_UNTIL (!avfs_directory_model_get_loading (model), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
}

static void
test_error (void)
{
  g_autoptr(AvfsVault) vault = memory_vault_with (0);
  g_autoptr(AvfsDirectoryModel) model = avfs_directory_model_new ();
  const GError *error;

  avfs_directory_model_load (model, vault, "/nowhere");
  WAIT_UNTIL (!avfs_directory_model_get_loading (model), 5000);
  error = avfs_directory_model_get_error (model);
  g_assert_error ((GError *) error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nowhere"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  /* Emptying the model. */
  avfs_directory_model_load (model, NULL, NULL);
  g_assert_null (avfs_directory_model_get_error (model));
  g_assert_null (avfs_directory_model_get_vault (model));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ui/directory-model/batches", test_batches);
  g_test_add_func ("/ui/directory-model/cancels", test_cancels);
  g_test_add_func ("/ui/directory-model/reload-keeps-rows", test_reload_keeps_rows);
  g_test_add_func ("/ui/directory-model/error", test_error);
  return g_test_run ();
}
