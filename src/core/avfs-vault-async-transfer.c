/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import and export, asynchronously: the job hands its coalescing progress function to
 * the synchronous call, and the report reaches _finish even when the transfer failed. */
#include "avfs-vault-async-private.h"
#include "avfs-vault-async-transfer.h"

static gpointer
import_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_import (source, args->path, args->other, args->number, progress,
                            progress_data, cancellable, &args->report.transfer, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_import_async:
 * @host_path: a file or directory on this computer (not a symbolic link)
 * @vault_path: where it goes (see avfs_vault_import())
 * @progress: (nullable): told on the caller's main context, in phase `"copy"`, the
 *   files and bytes read so far
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops the import between reads; committed batches stay
 *
 * Runs avfs_vault_import() on a worker thread. avfs_vault_import_finish() says whether
 * everything was imported and gives the report.
 */
void
avfs_vault_import_async (AvfsVault            *self,
                         const char           *host_path,
                         const char           *vault_path,
                         AvfsImportFlags       flags,
                         AvfsProgressFunc      progress,
                         gpointer              progress_data,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  avfs_job_run (self, avfs_vault_import_async, import_job,
                avfs_async_args_new (host_path, vault_path, flags, FALSE),
                avfs_async_args_free, NULL, progress, progress_data, cancellable, callback,
                user_data);
}

/* Hands on the report a transfer filled, whether or not it succeeded. */
static gboolean
transfer_finish (GAsyncResult        *result,
                 gpointer             source_tag,
                 AvfsTransferReport  *report,
                 GError             **error)
{
  gboolean ok = avfs_job_finish (result, source_tag, error) != NULL;
  AvfsAsyncArgs *args = avfs_job_get_args (result);

  if (report != NULL)
    *report = args->report.transfer;
  return ok;
}

/**
 * avfs_vault_import_finish:
 * @report: (out caller-allocates) (optional): what was imported; after a failure or a
 *   cancellation (%AVFS_ERROR_CANCELLED), what the committed batches hold
 *
 * Returns: %TRUE when everything that could be imported was
 */
gboolean
avfs_vault_import_finish (AvfsVault           *self,
                          GAsyncResult        *result,
                          AvfsTransferReport  *report,
                          GError             **error)
{
  return transfer_finish (result, avfs_vault_import_async, report, error);
}

static gpointer
export_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_export (source, args->path, args->other, args->number, progress,
                            progress_data, cancellable, &args->report.transfer, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_export_async:
 * @vault_path: a file or directory in the vault
 * @host_path: where it goes on this computer (see avfs_vault_export())
 * @progress: (nullable): told on the caller's main context, in phase `"scan"` once the
 *   totals are known, then `"copy"` as files are written
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops the export between files and chunks
 *
 * Runs avfs_vault_export() on a worker thread. avfs_vault_export_finish() says whether
 * everything was exported and gives the report.
 */
void
avfs_vault_export_async (AvfsVault            *self,
                         const char           *vault_path,
                         const char           *host_path,
                         AvfsExportFlags       flags,
                         AvfsProgressFunc      progress,
                         gpointer              progress_data,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  avfs_job_run (self, avfs_vault_export_async, export_job,
                avfs_async_args_new (vault_path, host_path, flags, FALSE),
                avfs_async_args_free, NULL, progress, progress_data, cancellable, callback,
                user_data);
}

/**
 * avfs_vault_export_finish:
 * @report: (out caller-allocates) (optional): what was written; after a failure or a
 *   cancellation, the files written before it
 *
 * Returns: %TRUE when everything was exported
 */
gboolean
avfs_vault_export_finish (AvfsVault           *self,
                          GAsyncResult        *result,
                          AvfsTransferReport  *report,
                          GError             **error)
{
  return transfer_finish (result, avfs_vault_export_async, report, error);
}
