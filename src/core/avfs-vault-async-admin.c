/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quotas and the audit log, asynchronously: one job per call of avfs-vault-admin.h. */
#include "avfs-vault-async-admin.h"
#include "avfs-vault-async-private.h"

static gpointer
quota_get_job (gpointer          source,
               gpointer          data,
               GCancellable     *cancellable,
               AvfsProgressFunc  progress,
               gpointer          progress_data,
               GError          **error)
{
  AvfsQuota quota;

  if (!avfs_vault_quota_get (source, &quota, error))
    return NULL;
  return g_memdup2 (&quota, sizeof quota);
}

/**
 * avfs_vault_quota_get_async:
 *
 * Runs avfs_vault_quota_get() on a worker thread. avfs_vault_quota_get_finish() gives
 * the vault's limits.
 */
void
avfs_vault_quota_get_async (AvfsVault            *self,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_quota_get_async, quota_get_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE), g_free, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_quota_get_finish:
 * @quota: (out caller-allocates): the limits, 0 where there is none; left alone on
 *   failure
 *
 * Returns: %TRUE when @quota was filled
 */
gboolean
avfs_vault_quota_get_finish (AvfsVault     *self,
                             GAsyncResult  *result,
                             AvfsQuota     *quota,
                             GError       **error)
{
  g_autofree AvfsQuota *got = avfs_job_finish (result, avfs_vault_quota_get_async, error);

  if (got == NULL)
    return FALSE;
  *quota = *got;
  return TRUE;
}

static gpointer
quota_set_job (gpointer          source,
               gpointer          data,
               GCancellable     *cancellable,
               AvfsProgressFunc  progress,
               gpointer          progress_data,
               GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_quota_set (source, args->path, args->number, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_quota_set_async:
 * @name: `max_size_mb`, `max_files` or `max_file_size_mb`
 * @value: the limit, 1 to %AVFS_QUOTA_MAX_VALUE
 *
 * Runs avfs_vault_quota_set() on a worker thread. avfs_vault_quota_set_finish() says
 * whether the limit was set.
 */
void
avfs_vault_quota_set_async (AvfsVault            *self,
                            const char           *name,
                            guint64               value,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_quota_set_async, quota_set_job,
                  avfs_async_args_new (name, NULL, value, FALSE), NULL, cancellable,
                  callback, user_data);
}

/**
 * avfs_vault_quota_set_finish:
 *
 * Returns: %TRUE when the limit was set
 */
gboolean
avfs_vault_quota_set_finish (AvfsVault     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return avfs_job_finish (result, avfs_vault_quota_set_async, error) != NULL;
}

static gpointer
quota_clear_job (gpointer          source,
                 gpointer          data,
                 GCancellable     *cancellable,
                 AvfsProgressFunc  progress,
                 gpointer          progress_data,
                 GError          **error)
{
  return avfs_vault_quota_clear (source, ((AvfsAsyncArgs *) data)->path, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_quota_clear_async:
 * @name: `max_size_mb`, `max_files` or `max_file_size_mb`
 *
 * Runs avfs_vault_quota_clear() on a worker thread. avfs_vault_quota_clear_finish()
 * says whether the limit is gone.
 */
void
avfs_vault_quota_clear_async (AvfsVault            *self,
                              const char           *name,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_quota_clear_async, quota_clear_job,
                  avfs_async_args_new (name, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_quota_clear_finish:
 *
 * Returns: %TRUE when the limit is gone (or was not set)
 */
gboolean
avfs_vault_quota_clear_finish (AvfsVault     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return avfs_job_finish (result, avfs_vault_quota_clear_async, error) != NULL;
}

static gpointer
audit_query_job (gpointer          source,
                 gpointer          data,
                 GCancellable     *cancellable,
                 AvfsProgressFunc  progress,
                 gpointer          progress_data,
                 GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_audit_query (source, args->number, args->signed_number, error);
}

/**
 * avfs_vault_audit_query_async:
 * @limit: at most this many entries, the newest; 0 for all
 * @since_us: only entries at this time or later (microseconds since the epoch); 0 for all
 *
 * Runs avfs_vault_audit_query() on a worker thread. avfs_vault_audit_query_finish()
 * gives the entries.
 */
void
avfs_vault_audit_query_async (AvfsVault            *self,
                              guint                 limit,
                              gint64                since_us,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (NULL, NULL, limit, FALSE);

  args->signed_number = since_us;
  avfs_async_run (self, avfs_vault_audit_query_async, audit_query_job, args,
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_audit_query_finish:
 *
 * Returns: (transfer full) (element-type AvfsAuditEntry) (nullable): the entries,
 *   newest first
 */
GPtrArray *
avfs_vault_audit_query_finish (AvfsVault     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return avfs_job_finish (result, avfs_vault_audit_query_async, error);
}

static gpointer
audit_clear_job (gpointer          source,
                 gpointer          data,
                 GCancellable     *cancellable,
                 AvfsProgressFunc  progress,
                 gpointer          progress_data,
                 GError          **error)
{
  return avfs_vault_audit_clear (source, error) ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_audit_clear_async:
 *
 * Runs avfs_vault_audit_clear() on a worker thread. avfs_vault_audit_clear_finish()
 * says whether the log was emptied.
 */
void
avfs_vault_audit_clear_async (AvfsVault            *self,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_audit_clear_async, audit_clear_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_audit_clear_finish:
 *
 * Returns: %TRUE when the log was emptied (but for the entry saying so)
 */
gboolean
avfs_vault_audit_clear_finish (AvfsVault     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return avfs_job_finish (result, avfs_vault_audit_clear_async, error) != NULL;
}

static gpointer
audit_get_max_entries_job (gpointer          source,
                           gpointer          data,
                           GCancellable     *cancellable,
                           AvfsProgressFunc  progress,
                           gpointer          progress_data,
                           GError          **error)
{
  guint64 max_entries;

  if (!avfs_vault_audit_get_max_entries (source, &max_entries, error))
    return NULL;
  return g_memdup2 (&max_entries, sizeof max_entries);
}

/**
 * avfs_vault_audit_get_max_entries_async:
 *
 * Runs avfs_vault_audit_get_max_entries() on a worker thread.
 * avfs_vault_audit_get_max_entries_finish() gives how many entries the log keeps.
 */
void
avfs_vault_audit_get_max_entries_async (AvfsVault            *self,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_audit_get_max_entries_async, audit_get_max_entries_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE), g_free, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_audit_get_max_entries_finish:
 * @max_entries: (out): how many entries the log keeps; left alone on failure
 *
 * Returns: %TRUE when @max_entries was set
 */
gboolean
avfs_vault_audit_get_max_entries_finish (AvfsVault     *self,
                                         GAsyncResult  *result,
                                         guint64       *max_entries,
                                         GError       **error)
{
  g_autofree guint64 *got = avfs_job_finish (result, avfs_vault_audit_get_max_entries_async,
                                             error);

  if (got == NULL)
    return FALSE;
  *max_entries = *got;
  return TRUE;
}

static gpointer
audit_set_max_entries_job (gpointer          source,
                           gpointer          data,
                           GCancellable     *cancellable,
                           AvfsProgressFunc  progress,
                           gpointer          progress_data,
                           GError          **error)
{
  return avfs_vault_audit_set_max_entries (source, ((AvfsAsyncArgs *) data)->number, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_audit_set_max_entries_async:
 * @max_entries: 1 to %AVFS_AUDIT_MAX_MAX_ENTRIES
 *
 * Runs avfs_vault_audit_set_max_entries() on a worker thread (it trims the log at
 * once). avfs_vault_audit_set_max_entries_finish() says whether the limit was set.
 */
void
avfs_vault_audit_set_max_entries_async (AvfsVault            *self,
                                        guint64               max_entries,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_audit_set_max_entries_async, audit_set_max_entries_job,
                  avfs_async_args_new (NULL, NULL, max_entries, FALSE), NULL, cancellable,
                  callback, user_data);
}

/**
 * avfs_vault_audit_set_max_entries_finish:
 *
 * Returns: %TRUE when the limit was set and the log trimmed to it
 */
gboolean
avfs_vault_audit_set_max_entries_finish (AvfsVault     *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_audit_set_max_entries_async, error) != NULL;
}
