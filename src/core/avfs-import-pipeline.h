/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsImportPipeline: jobs prepared on a worker pool, handed back in the order given. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Jobs in flight, pushed and not popped yet. A job waiting for a worker holds an open
 * host file, so this also bounds the descriptors an import keeps open. */
#define AVFS_IMPORT_PIPELINE_MAX_JOBS 256
/* The bytes those jobs declared (a file's read-ahead): what they may hold in memory.
 * Two workers keep busy with far less; more only adds to the storage engine's own
 * memory (RocksDB's memtables take most of the 256 MB an import may use). */
#define AVFS_IMPORT_PIPELINE_MAX_BYTES (16 * 1024 * 1024)

/**
 * AvfsImportPrepareFunc:
 * @job: the job to prepare, on a worker thread (or the caller's, when it gets there
 *   first)
 * @user_data: the pipeline's user data
 *
 * Prepares @job; a failure is kept in the job for whoever takes it.
 */
typedef void (*AvfsImportPrepareFunc) (gpointer job,
                                       gpointer user_data);

/* Not thread-safe: one thread pushes and pops; only preparing runs on the workers. */
typedef struct _AvfsImportPipeline AvfsImportPipeline;

AvfsImportPipeline *avfs_import_pipeline_new      (AvfsImportPrepareFunc   prepare,
                                                   gpointer                user_data,
                                                   GDestroyNotify          free_job,
                                                   GError                **error);
gboolean            avfs_import_pipeline_has_room (AvfsImportPipeline     *self,
                                                   guint64                 bytes);
void                avfs_import_pipeline_push     (AvfsImportPipeline     *self,
                                                   gpointer                job,
                                                   guint64                 bytes,
                                                   gboolean                prepare);
gboolean            avfs_import_pipeline_is_empty (AvfsImportPipeline     *self);
gpointer            avfs_import_pipeline_pop      (AvfsImportPipeline     *self);
void                avfs_import_pipeline_free     (AvfsImportPipeline     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsImportPipeline, avfs_import_pipeline_free)

G_END_DECLS
