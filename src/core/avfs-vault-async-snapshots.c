/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Snapshots, asynchronously: one job per call of avfs-vault-snapshots.h. */
#include "avfs-vault-async-private.h"
#include "avfs-vault-async-snapshots.h"

static gpointer
snapshot_save_job (gpointer          source,
                   gpointer          data,
                   GCancellable     *cancellable,
                   AvfsProgressFunc  progress,
                   gpointer          progress_data,
                   GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_snapshot_save (source, args->path, args->value, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_snapshot_save_async:
 * @description: (nullable): one line saying what it is for
 *
 * Runs avfs_vault_snapshot_save() on a worker thread. avfs_vault_snapshot_save_finish()
 * says whether the snapshot was saved.
 */
void
avfs_vault_snapshot_save_async (AvfsVault            *self,
                                const char           *name,
                                const char           *description,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (name, NULL, 0, FALSE);

  args->value = g_strdup (description);
  avfs_async_run (self, avfs_vault_snapshot_save_async, snapshot_save_job, args, NULL,
                  cancellable, callback, user_data);
}

/**
 * avfs_vault_snapshot_save_finish:
 *
 * Returns: %TRUE when the snapshot was saved; %FALSE with %AVFS_ERROR_EXISTS when its
 *   name is taken
 */
gboolean
avfs_vault_snapshot_save_finish (AvfsVault     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return avfs_job_finish (result, avfs_vault_snapshot_save_async, error) != NULL;
}

static gpointer
snapshot_list_job (gpointer          source,
                   gpointer          data,
                   GCancellable     *cancellable,
                   AvfsProgressFunc  progress,
                   gpointer          progress_data,
                   GError          **error)
{
  return avfs_vault_snapshot_list (source, error);
}

/**
 * avfs_vault_snapshot_list_async:
 *
 * Runs avfs_vault_snapshot_list() on a worker thread. avfs_vault_snapshot_list_finish()
 * gives every snapshot.
 */
void
avfs_vault_snapshot_list_async (AvfsVault            *self,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_snapshot_list_async, snapshot_list_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE),
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_snapshot_list_finish:
 *
 * Returns: (transfer full) (element-type AvfsSnapshotInfo) (nullable): every snapshot,
 *   oldest first
 */
GPtrArray *
avfs_vault_snapshot_list_finish (AvfsVault     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return avfs_job_finish (result, avfs_vault_snapshot_list_async, error);
}

static gpointer
snapshot_info_job (gpointer          source,
                   gpointer          data,
                   GCancellable     *cancellable,
                   AvfsProgressFunc  progress,
                   gpointer          progress_data,
                   GError          **error)
{
  return avfs_vault_snapshot_info (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_vault_snapshot_info_async:
 *
 * Runs avfs_vault_snapshot_info() on a worker thread. avfs_vault_snapshot_info_finish()
 * gives what snapshot @name holds.
 */
void
avfs_vault_snapshot_info_async (AvfsVault            *self,
                                const char           *name,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_snapshot_info_async, snapshot_info_job,
                  avfs_async_args_new (name, NULL, 0, FALSE),
                  (GDestroyNotify) avfs_snapshot_info_free, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_snapshot_info_finish:
 *
 * Returns: (transfer full) (nullable): the snapshot, or %NULL with
 *   %AVFS_ERROR_NOT_FOUND
 */
AvfsSnapshotInfo *
avfs_vault_snapshot_info_finish (AvfsVault     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return avfs_job_finish (result, avfs_vault_snapshot_info_async, error);
}

static gpointer
snapshot_delete_job (gpointer          source,
                     gpointer          data,
                     GCancellable     *cancellable,
                     AvfsProgressFunc  progress,
                     gpointer          progress_data,
                     GError          **error)
{
  return avfs_vault_snapshot_delete (source, ((AvfsAsyncArgs *) data)->path, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_snapshot_delete_async:
 *
 * Runs avfs_vault_snapshot_delete() on a worker thread.
 * avfs_vault_snapshot_delete_finish() says whether the snapshot was deleted.
 */
void
avfs_vault_snapshot_delete_async (AvfsVault            *self,
                                  const char           *name,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_snapshot_delete_async, snapshot_delete_job,
                  avfs_async_args_new (name, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_snapshot_delete_finish:
 *
 * Returns: %TRUE when the snapshot was deleted
 */
gboolean
avfs_vault_snapshot_delete_finish (AvfsVault     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return avfs_job_finish (result, avfs_vault_snapshot_delete_async, error) != NULL;
}

static gpointer
snapshot_restore_job (gpointer          source,
                      gpointer          data,
                      GCancellable     *cancellable,
                      AvfsProgressFunc  progress,
                      gpointer          progress_data,
                      GError          **error)
{
  char *undo_name = NULL;

  if (!avfs_vault_snapshot_restore (source, ((AvfsAsyncArgs *) data)->path, &undo_name,
                                    error))
    return NULL;
  return undo_name;
}

/**
 * avfs_vault_snapshot_restore_async:
 *
 * Runs avfs_vault_snapshot_restore() on a worker thread.
 * avfs_vault_snapshot_restore_finish() says whether the tree was restored, and gives
 * the name of the automatic snapshot that undoes it.
 */
void
avfs_vault_snapshot_restore_async (AvfsVault            *self,
                                   const char           *name,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_snapshot_restore_async, snapshot_restore_job,
                  avfs_async_args_new (name, NULL, 0, FALSE), g_free, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_snapshot_restore_finish:
 * @undo_name: (out) (optional) (transfer full): the name of the automatic snapshot of
 *   the tree as it was before, which restoring undoes this restore; left alone on
 *   failure
 *
 * Returns: %TRUE when the tree was restored
 */
gboolean
avfs_vault_snapshot_restore_finish (AvfsVault     *self,
                                    GAsyncResult  *result,
                                    char         **undo_name,
                                    GError       **error)
{
  g_autofree char *name = avfs_job_finish (result, avfs_vault_snapshot_restore_async, error);

  if (name == NULL)
    return FALSE;
  if (undo_name != NULL)
    *undo_name = g_steal_pointer (&name);
  return TRUE;
}
