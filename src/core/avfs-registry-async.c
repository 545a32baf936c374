/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The vault registry, asynchronously: one job per call of avfs-registry.h that touches
 * the disk (the registry is thread-safe, see avfs-registry.c). */
#include "avfs-registry-async.h"
#include "avfs-vault-async-private.h"

static gpointer
create_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_registry_create (source, args->path, args->other, error);
}

/**
 * avfs_registry_create_async:
 * @engine: (nullable): the engine, or %NULL for the default
 *
 * Runs avfs_registry_create() on a worker thread. avfs_registry_create_finish() gives
 * the new vault, open.
 */
void
avfs_registry_create_async (AvfsRegistry         *self,
                            const char           *name,
                            const char           *engine,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  avfs_async_run (self, avfs_registry_create_async, create_job,
                  avfs_async_args_new (name, engine, 0, FALSE), g_object_unref, cancellable,
                  callback, user_data);
}

/**
 * avfs_registry_create_finish:
 *
 * Returns: (transfer full) (nullable): the new vault, open; %NULL with
 *   %AVFS_ERROR_EXISTS when the name is taken
 */
AvfsVault *
avfs_registry_create_finish (AvfsRegistry  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return avfs_job_finish (result, avfs_registry_create_async, error);
}

static gpointer
open_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  return avfs_registry_open (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_registry_open_async:
 * @name_or_path: a vault name or a path
 *
 * Runs avfs_registry_open() on a worker thread. avfs_registry_open_finish() gives the
 * open vault.
 */
void
avfs_registry_open_async (AvfsRegistry         *self,
                          const char           *name_or_path,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  avfs_async_run (self, avfs_registry_open_async, open_job,
                  avfs_async_args_new (name_or_path, NULL, 0, FALSE), g_object_unref,
                  cancellable, callback, user_data);
}

/**
 * avfs_registry_open_finish:
 *
 * Returns: (transfer full) (nullable): the open vault (for a memory vault, another
 *   reference to the one the registry holds)
 */
AvfsVault *
avfs_registry_open_finish (AvfsRegistry  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return avfs_job_finish (result, avfs_registry_open_async, error);
}

static gpointer
list_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  return avfs_registry_list (source, error);
}

/**
 * avfs_registry_list_async:
 *
 * Runs avfs_registry_list() on a worker thread (it measures every vault on disk).
 * avfs_registry_list_finish() gives every vault.
 */
void
avfs_registry_list_async (AvfsRegistry         *self,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  avfs_async_run (self, avfs_registry_list_async, list_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE),
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_registry_list_finish:
 *
 * Returns: (transfer full) (element-type AvfsVaultEntry) (nullable): every vault, by
 *   name
 */
GPtrArray *
avfs_registry_list_finish (AvfsRegistry  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return avfs_job_finish (result, avfs_registry_list_async, error);
}

static gpointer
info_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  return avfs_registry_info (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_registry_info_async:
 *
 * Runs avfs_registry_info() on a worker thread. avfs_registry_info_finish() gives vault
 * @name's entry.
 */
void
avfs_registry_info_async (AvfsRegistry         *self,
                          const char           *name,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  avfs_async_run (self, avfs_registry_info_async, info_job,
                  avfs_async_args_new (name, NULL, 0, FALSE),
                  (GDestroyNotify) avfs_vault_entry_free, cancellable, callback, user_data);
}

/**
 * avfs_registry_info_finish:
 *
 * Returns: (transfer full) (nullable): the vault's entry, or %NULL with
 *   %AVFS_ERROR_NOT_FOUND
 */
AvfsVaultEntry *
avfs_registry_info_finish (AvfsRegistry  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return avfs_job_finish (result, avfs_registry_info_async, error);
}

static gpointer
set_current_job (gpointer          source,
                 gpointer          data,
                 GCancellable     *cancellable,
                 AvfsProgressFunc  progress,
                 gpointer          progress_data,
                 GError          **error)
{
  return avfs_registry_set_current (source, ((AvfsAsyncArgs *) data)->path, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_registry_set_current_async:
 * @name: an existing vault's name
 *
 * Runs avfs_registry_set_current() on a worker thread.
 * avfs_registry_set_current_finish() says whether @name is current now.
 */
void
avfs_registry_set_current_async (AvfsRegistry         *self,
                                 const char           *name,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  avfs_async_run (self, avfs_registry_set_current_async, set_current_job,
                  avfs_async_args_new (name, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_registry_set_current_finish:
 *
 * Returns: %TRUE when the vault is current now
 */
gboolean
avfs_registry_set_current_finish (AvfsRegistry  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return avfs_job_finish (result, avfs_registry_set_current_async, error) != NULL;
}

static gpointer
delete_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  return avfs_registry_delete (source, ((AvfsAsyncArgs *) data)->path, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_registry_delete_async:
 * @name: a vault's name; the vault must not be open elsewhere in this process
 *
 * Runs avfs_registry_delete() on a worker thread. avfs_registry_delete_finish() says
 * whether the vault is gone.
 */
void
avfs_registry_delete_async (AvfsRegistry         *self,
                            const char           *name,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  avfs_async_run (self, avfs_registry_delete_async, delete_job,
                  avfs_async_args_new (name, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_registry_delete_finish:
 *
 * Returns: %TRUE when the vault is gone for good
 */
gboolean
avfs_registry_delete_finish (AvfsRegistry  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return avfs_job_finish (result, avfs_registry_delete_async, error) != NULL;
}
