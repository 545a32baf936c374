/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A file's history, asynchronously: one job per call of avfs-vault-history.h. */
#include "avfs-vault-async-history.h"
#include "avfs-vault-async-private.h"

static gpointer
log_job (gpointer          source,
         gpointer          data,
         GCancellable     *cancellable,
         AvfsProgressFunc  progress,
         gpointer          progress_data,
         GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_log (source, args->path, args->number, error);
}

/**
 * avfs_vault_log_async:
 * @limit: at most this many versions, or 0 for all
 *
 * Runs avfs_vault_log() on a worker thread. avfs_vault_log_finish() gives the file's
 * versions, newest first.
 */
void
avfs_vault_log_async (AvfsVault            *self,
                      const char           *path,
                      guint                 limit,
                      GCancellable         *cancellable,
                      GAsyncReadyCallback   callback,
                      gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_log_async, log_job,
                  avfs_async_args_new (path, NULL, limit, FALSE),
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_log_finish:
 *
 * Returns: (transfer full) (element-type AvfsVersionInfo) (nullable): the versions,
 *   newest first
 */
GPtrArray *
avfs_vault_log_finish (AvfsVault     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return avfs_job_finish (result, avfs_vault_log_async, error);
}

static gpointer
diff_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_diff (source, args->path, args->number, args->other, args->number2,
                          error);
}

/**
 * avfs_vault_diff_async:
 * @version_a: a version of @path_a, or 0 for the current one
 * @path_b: (nullable): the new file, or %NULL for @path_a
 * @version_b: a version of @path_b, or 0 for the current one
 *
 * Runs avfs_vault_diff() on a worker thread. avfs_vault_diff_finish() gives the
 * unified diff.
 */
void
avfs_vault_diff_async (AvfsVault            *self,
                       const char           *path_a,
                       guint32               version_a,
                       const char           *path_b,
                       guint32               version_b,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (path_a, path_b, version_a, FALSE);

  args->number2 = version_b;
  avfs_async_run (self, avfs_vault_diff_async, diff_job, args, g_free, cancellable,
                  callback, user_data);
}

/**
 * avfs_vault_diff_finish:
 *
 * Returns: (transfer full) (nullable): a unified diff, "" when the contents are equal,
 *   or a one-line message when either is binary
 */
char *
avfs_vault_diff_finish (AvfsVault     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return avfs_job_finish (result, avfs_vault_diff_async, error);
}

static gpointer
checkout_job (gpointer          source,
              gpointer          data,
              GCancellable     *cancellable,
              AvfsProgressFunc  progress,
              gpointer          progress_data,
              GError          **error)
{
  AvfsAsyncArgs *args = data;

  return GUINT_TO_POINTER (avfs_vault_checkout (source, args->path, args->number, error));
}

/**
 * avfs_vault_checkout_async:
 * @version: the version whose content becomes current again
 *
 * Runs avfs_vault_checkout() on a worker thread. avfs_vault_checkout_finish() gives
 * the number of the new version holding that content.
 */
void
avfs_vault_checkout_async (AvfsVault            *self,
                           const char           *path,
                           guint32               version,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_checkout_async, checkout_job,
                  avfs_async_args_new (path, NULL, version, FALSE), NULL, cancellable,
                  callback, user_data);
}

/**
 * avfs_vault_checkout_finish:
 *
 * Returns: the new version's number, or 0 on error
 */
guint32
avfs_vault_checkout_finish (AvfsVault     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return GPOINTER_TO_UINT (avfs_job_finish (result, avfs_vault_checkout_async, error));
}

static gpointer
revert_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  return GUINT_TO_POINTER (avfs_vault_revert (source, ((AvfsAsyncArgs *) data)->path,
                                              error));
}

/**
 * avfs_vault_revert_async:
 *
 * Runs avfs_vault_revert() on a worker thread. avfs_vault_revert_finish() gives the
 * number of the new version holding the previous content.
 */
void
avfs_vault_revert_async (AvfsVault            *self,
                         const char           *path,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_revert_async, revert_job,
                  avfs_async_args_new (path, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_revert_finish:
 *
 * Returns: the new version's number, or 0 on error
 */
guint32
avfs_vault_revert_finish (AvfsVault     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return GPOINTER_TO_UINT (avfs_job_finish (result, avfs_vault_revert_async, error));
}
