/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeping a vault healthy, asynchronously: one job per call of avfs-vault-maintenance.h,
 * gc and verify with progress. */
#include "avfs-vault-async-maintenance.h"
#include "avfs-vault-async-private.h"

static gpointer
gc_job (gpointer          source,
        gpointer          data,
        GCancellable     *cancellable,
        AvfsProgressFunc  progress,
        gpointer          progress_data,
        GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_gc (source, args->flag, &args->report.gc, progress, progress_data,
                        cancellable, error) ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_gc_async:
 * @dry_run: only count what would go
 * @progress: (nullable): told on the caller's main context how the phases `"mark"` and
 *   `"sweep"` go
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops between chunks; batches already committed stay done
 *
 * Runs avfs_vault_gc() on a worker thread. avfs_vault_gc_finish() says whether it
 * completed and gives its report.
 */
void
avfs_vault_gc_async (AvfsVault            *self,
                     gboolean              dry_run,
                     AvfsProgressFunc      progress,
                     gpointer              progress_data,
                     GCancellable         *cancellable,
                     GAsyncReadyCallback   callback,
                     gpointer              user_data)
{
  avfs_job_run (self, avfs_vault_gc_async, gc_job,
                avfs_async_args_new (NULL, NULL, 0, dry_run), avfs_async_args_free, NULL,
                progress, progress_data, cancellable, callback, user_data);
}

/**
 * avfs_vault_gc_finish:
 * @report: (out caller-allocates) (optional): what was checked and removed; filled on
 *   failure too, counting what was removed before it
 *
 * Returns: %TRUE when gc completed
 */
gboolean
avfs_vault_gc_finish (AvfsVault     *self,
                      GAsyncResult  *result,
                      AvfsGcReport  *report,
                      GError       **error)
{
  gboolean ok = avfs_job_finish (result, avfs_vault_gc_async, error) != NULL;
  AvfsAsyncArgs *args = avfs_job_get_args (result);

  if (report != NULL)
    *report = args->report.gc;
  return ok;
}

static gpointer
prune_job (gpointer          source,
           gpointer          data,
           GCancellable     *cancellable,
           AvfsProgressFunc  progress,
           gpointer          progress_data,
           GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_prune (source, args->number, args->number2, args->flag, error);
}

/**
 * avfs_vault_prune_async:
 * @keep: keep at most this many newest versions of each file (0: no limit)
 * @older_than_days: remove only versions written more than this many days ago (0: any
 *   age)
 * @dry_run: only report what would go
 *
 * Runs avfs_vault_prune() on a worker thread. avfs_vault_prune_finish() gives what was
 * removed, or what would be in a dry run.
 */
void
avfs_vault_prune_async (AvfsVault            *self,
                        guint                 keep,
                        guint                 older_than_days,
                        gboolean              dry_run,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (NULL, NULL, keep, dry_run);

  args->number2 = older_than_days;
  avfs_async_run (self, avfs_vault_prune_async, prune_job, args,
                  (GDestroyNotify) avfs_prune_report_free, cancellable, callback, user_data);
}

/**
 * avfs_vault_prune_finish:
 *
 * Returns: (transfer full) (nullable): what was removed, or what would be in a dry run
 */
AvfsPruneReport *
avfs_vault_prune_finish (AvfsVault     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_prune_async, error);
}

static gpointer
stats_job (gpointer          source,
           gpointer          data,
           GCancellable     *cancellable,
           AvfsProgressFunc  progress,
           gpointer          progress_data,
           GError          **error)
{
  return avfs_vault_stats (source, error);
}

/**
 * avfs_vault_stats_async:
 *
 * Runs avfs_vault_stats() on a worker thread (it reads every version record and every
 * stored chunk). avfs_vault_stats_finish() gives the figures.
 */
void
avfs_vault_stats_async (AvfsVault            *self,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_stats_async, stats_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE),
                  (GDestroyNotify) avfs_vault_stats_free, cancellable, callback, user_data);
}

/**
 * avfs_vault_stats_finish:
 *
 * Returns: (transfer full) (nullable): the vault's figures
 */
AvfsVaultStats *
avfs_vault_stats_finish (AvfsVault     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_stats_async, error);
}

static gpointer
verify_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  return avfs_vault_verify (source, progress, progress_data, cancellable, error);
}

/**
 * avfs_vault_verify_async:
 * @progress: (nullable): told on the caller's main context how phase `"verify"` goes
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops the walk
 *
 * Runs avfs_vault_verify() on a worker thread. avfs_vault_verify_finish() gives the
 * problems found.
 */
void
avfs_vault_verify_async (AvfsVault            *self,
                         AvfsProgressFunc      progress,
                         gpointer              progress_data,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  avfs_job_run (self, avfs_vault_verify_async, verify_job,
                avfs_async_args_new (NULL, NULL, 0, FALSE), avfs_async_args_free,
                (GDestroyNotify) avfs_verify_report_free, progress, progress_data,
                cancellable, callback, user_data);
}

/**
 * avfs_vault_verify_finish:
 *
 * Returns: (transfer full) (nullable): the problems found (none for a sound vault), or
 *   %NULL with @error when the vault could not be read or the walk was cancelled
 */
AvfsVerifyReport *
avfs_vault_verify_finish (AvfsVault     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return avfs_job_finish (result, avfs_vault_verify_async, error);
}

static gpointer
compact_job (gpointer          source,
             gpointer          data,
             GCancellable     *cancellable,
             AvfsProgressFunc  progress,
             gpointer          progress_data,
             GError          **error)
{
  return avfs_vault_compact (source, error);
}

/**
 * avfs_vault_compact_async:
 *
 * Runs avfs_vault_compact() on a worker thread. avfs_vault_compact_finish() gives the
 * vault's size before and after.
 */
void
avfs_vault_compact_async (AvfsVault            *self,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_compact_async, compact_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE),
                  (GDestroyNotify) avfs_compaction_stats_free, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_compact_finish:
 *
 * Returns: (transfer full) (nullable): the size before and after
 */
AvfsCompactionStats *
avfs_vault_compact_finish (AvfsVault     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return avfs_job_finish (result, avfs_vault_compact_async, error);
}
