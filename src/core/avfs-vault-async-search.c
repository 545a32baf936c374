/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Search, asynchronously: one job per call of avfs-vault-search.h. */
#include "avfs-vault-async-private.h"
#include "avfs-vault-async-search.h"

typedef struct
{
  char *query;
  AvfsSearchOptions options;
} SearchArgs;

static void
search_args_free (gpointer data)
{
  SearchArgs *args = data;

  g_free (args->query);
  g_free (args);
}

static gpointer
search_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  SearchArgs *args = data;

  return avfs_vault_search (source, args->query, &args->options, error);
}

/**
 * avfs_vault_search_async:
 * @options: (nullable): as for avfs_vault_search(); copied
 * @cancellable: (nullable): a search cancelled before its result arrives ends with
 *   %G_IO_ERROR_CANCELLED
 *
 * Runs avfs_vault_search() on a worker thread.
 */
void
avfs_vault_search_async (AvfsVault                *self,
                         const char               *query,
                         const AvfsSearchOptions  *options,
                         GCancellable             *cancellable,
                         GAsyncReadyCallback       callback,
                         gpointer                  user_data)
{
  static const AvfsSearchOptions defaults = AVFS_SEARCH_OPTIONS_INIT;
  SearchArgs *args = g_new0 (SearchArgs, 1);

  args->query = g_strdup (query);
  args->options = options != NULL ? *options : defaults;
  avfs_job_run (self, avfs_vault_search_async, search_job, args, search_args_free,
                (GDestroyNotify) avfs_search_results_free, NULL, NULL, cancellable, callback,
                user_data);
}

/**
 * avfs_vault_search_finish:
 *
 * Returns: (transfer full) (nullable): the results
 */
AvfsSearchResults *
avfs_vault_search_finish (AvfsVault     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(AvfsSearchResults) results = avfs_job_finish (result, avfs_vault_search_async,
                                                          error);

  /* Jobs report what really happened; a stale search result is of no use to anyone. */
  if (results != NULL &&
      g_cancellable_set_error_if_cancelled (g_task_get_cancellable (G_TASK (result)), error))
    return NULL;
  return g_steal_pointer (&results);
}

static gpointer
rebuild_job (gpointer          source,
             gpointer          data,
             GCancellable     *cancellable,
             AvfsProgressFunc  progress,
             gpointer          progress_data,
             GError          **error)
{
  return avfs_vault_search_rebuild (source, cancellable, progress, progress_data, error)
           ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_search_rebuild_async:
 * @progress: (nullable): told on the caller's main context how phase `"index"` goes
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops the rebuild (see avfs_vault_search_rebuild())
 *
 * Runs avfs_vault_search_rebuild() on a worker thread.
 */
void
avfs_vault_search_rebuild_async (AvfsVault            *self,
                                 AvfsProgressFunc      progress,
                                 gpointer              progress_data,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  avfs_job_run (self, avfs_vault_search_rebuild_async, rebuild_job, NULL, NULL, NULL,
                progress, progress_data, cancellable, callback, user_data);
}

gboolean
avfs_vault_search_rebuild_finish (AvfsVault     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return avfs_job_finish (result, avfs_vault_search_rebuild_async, error) != NULL;
}
