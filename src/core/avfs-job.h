/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsJob: runs a synchronous core operation on a worker thread as a GTask. */
#pragma once

#include <gio/gio.h>

#include "avfs-progress.h"

G_BEGIN_DECLS

/**
 * AvfsJobFunc:
 * @source: (nullable): the object the operation belongs to (a vault, a registry)
 * @args: the operation's arguments
 * @cancellable: (nullable): to be checked in loops
 * @progress: (nullable): reports progress; safe to call from the worker thread
 * @progress_data: data for @progress
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the result; %NULL means failure and sets @error,
 *   so operations without a value return a non-%NULL marker such as `GINT_TO_POINTER (1)`
 */
typedef gpointer (*AvfsJobFunc) (gpointer           source,
                                 gpointer           args,
                                 GCancellable      *cancellable,
                                 AvfsProgressFunc   progress,
                                 gpointer           progress_data,
                                 GError           **error);

void     avfs_job_run      (gpointer             source,
                            gpointer             source_tag,
                            AvfsJobFunc          func,
                            gpointer             args,
                            GDestroyNotify       args_free,
                            GDestroyNotify       result_free,
                            AvfsProgressFunc     progress,
                            gpointer             progress_data,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
gpointer avfs_job_finish   (GAsyncResult        *result,
                            gpointer             source_tag,
                            GError             **error);
gpointer avfs_job_get_args (GAsyncResult        *result);

#define AVFS_JOB_DONE GINT_TO_POINTER (1)

G_END_DECLS
