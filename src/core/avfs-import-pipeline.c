/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsImportPipeline: jobs prepared on a worker pool, handed back in the order given,
 * with the files and bytes in flight bounded so memory stays flat whatever the tree.
 *
 * Jobs are prepared in the order given: each push hands the pool a token, and a worker
 * with a token claims the oldest job nobody prepares yet. Popping a job nobody claimed,
 * the caller prepares it itself rather than wait for a worker (on a busy machine the
 * workers may not run for a while), so the pipeline is never slower than working alone. */
#include "avfs-error.h"
#include "avfs-import-pipeline.h"

typedef struct
{
  gpointer job;
  guint64 bytes;
  gboolean ready; /* prepared, or needing no preparation */
} Slot;

struct _AvfsImportPipeline
{
  AvfsImportPrepareFunc prepare;
  gpointer user_data;
  GDestroyNotify free_job;
  GThreadPool *pool;
  guint64 bytes;      /* the sum of the slots'; only the caller's thread uses it */
  GMutex lock;        /* guards the fields below, changes to @slots and the slots' @ready */
  GCond ready;        /* signalled when a slot becomes ready */
  GQueue slots;       /* Slot, oldest first; only the caller's thread pushes and pops */
  GList *unclaimed;   /* the oldest slot to prepare that nobody prepares yet, or NULL */
};

/* Takes the oldest unclaimed slot, or returns %NULL; the lock is held. Slots are
 * claimed in order, so every slot after it that is not ready is unclaimed too. */
static Slot *
claim_next (AvfsImportPipeline *self)
{
  GList *link = self->unclaimed;

  if (link == NULL)
    return NULL;
  do
    self->unclaimed = self->unclaimed->next;
  while (self->unclaimed != NULL && ((Slot *) self->unclaimed->data)->ready);
  return link->data;
}

static void
prepare_slot (AvfsImportPipeline *self,
              Slot               *slot)
{
  self->prepare (slot->job, self->user_data);
  g_mutex_lock (&self->lock);
  slot->ready = TRUE;
  g_cond_signal (&self->ready);
  g_mutex_unlock (&self->lock);
}

/* A worker with a token: there may be no slot left to claim, when the caller prepared
 * one itself. */
static void
prepare_cb (gpointer data,
            gpointer user_data)
{
  AvfsImportPipeline *self = user_data;
  Slot *slot;

  g_mutex_lock (&self->lock);
  slot = claim_next (self);
  g_mutex_unlock (&self->lock);
  if (slot != NULL)
    prepare_slot (self, slot);
}

/**
 * avfs_import_pipeline_new:
 * @prepare: (scope notified): prepares a job, on a worker thread or the caller's
 * @user_data: for @prepare, which may use it from several threads at once
 * @free_job: frees a job the pipeline still holds when it is freed
 *
 * Starts one worker per processor, and at least two.
 *
 * Returns: (transfer full) (nullable): the pipeline, or %NULL when its threads could
 *   not start
 */
AvfsImportPipeline *
avfs_import_pipeline_new (AvfsImportPrepareFunc   prepare,
                          gpointer                user_data,
                          GDestroyNotify          free_job,
                          GError                **error)
{
  g_autofree AvfsImportPipeline *self = g_new0 (AvfsImportPipeline, 1);
  g_autoptr(GError) local_error = NULL;

  self->prepare = prepare;
  self->user_data = user_data;
  self->free_job = free_job;
  g_queue_init (&self->slots);
  /* Exclusive: the threads start now, so a failure shows here and not as a job that
   * never runs. */
  self->pool = g_thread_pool_new (prepare_cb, self, MAX (2, g_get_num_processors ()), TRUE,
                                  &local_error);
  if (self->pool == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_FAILED,
                   "Cannot start the import's worker threads: %s", local_error->message);
      return NULL;
    }
  g_mutex_init (&self->lock);
  g_cond_init (&self->ready);
  return g_steal_pointer (&self);
}

/**
 * avfs_import_pipeline_has_room:
 * @bytes: what the next job would hold
 *
 * An empty pipeline always has room, so that no job waits forever.
 *
 * Returns: whether a job of @bytes fits now; if not, pop first
 */
gboolean
avfs_import_pipeline_has_room (AvfsImportPipeline *self,
                               guint64             bytes)
{
  return avfs_import_pipeline_is_empty (self) ||
         (self->slots.length < AVFS_IMPORT_PIPELINE_MAX_JOBS &&
          self->bytes + bytes <= AVFS_IMPORT_PIPELINE_MAX_BYTES);
}

/**
 * avfs_import_pipeline_push:
 * @job: (transfer full): the next job
 * @bytes: what it may hold in memory until it is popped
 * @prepare: whether a worker prepares it; %FALSE for a job that is ready as it is
 */
void
avfs_import_pipeline_push (AvfsImportPipeline *self,
                           gpointer            job,
                           guint64             bytes,
                           gboolean            prepare)
{
  Slot *slot = g_new (Slot, 1);

  *slot = (Slot) { job, bytes, !prepare };
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->slots, slot);
  if (prepare && self->unclaimed == NULL)
    self->unclaimed = self->slots.tail;
  g_mutex_unlock (&self->lock);
  self->bytes += bytes;
  /* An exclusive pool's threads are all running: pushing cannot fail. */
  if (prepare)
    g_thread_pool_push (self->pool, self, NULL);
}

gboolean
avfs_import_pipeline_is_empty (AvfsImportPipeline *self)
{
  return self->slots.length == 0;
}

/**
 * avfs_import_pipeline_pop:
 *
 * Waits until the oldest job is prepared, preparing it here when no worker has started
 * on it. The pipeline must not be empty.
 *
 * Returns: (transfer full): the oldest job
 */
gpointer
avfs_import_pipeline_pop (AvfsImportPipeline *self)
{
  Slot *slot = g_queue_peek_head (&self->slots);
  gpointer job;

  g_return_val_if_fail (slot != NULL, NULL);
  g_mutex_lock (&self->lock);
  if (self->unclaimed != NULL && self->unclaimed->data == slot)
    {
      claim_next (self);
      g_mutex_unlock (&self->lock);
      prepare_slot (self, slot);
      g_mutex_lock (&self->lock);
    }
  while (!slot->ready)
    g_cond_wait (&self->ready, &self->lock);
  g_queue_pop_head (&self->slots);
  g_mutex_unlock (&self->lock);
  self->bytes -= slot->bytes;
  job = slot->job;
  g_free (slot);
  return job;
}

static void
free_slot (gpointer data,
           gpointer user_data)
{
  AvfsImportPipeline *self = user_data;
  Slot *slot = data;

  self->free_job (slot->job);
  g_free (slot);
}

/**
 * avfs_import_pipeline_free:
 *
 * Lets running jobs finish, starts no other, and frees every job not popped.
 */
void
avfs_import_pipeline_free (AvfsImportPipeline *self)
{
  g_thread_pool_free (self->pool, TRUE, TRUE);
  g_queue_foreach (&self->slots, free_slot, self);
  g_queue_clear (&self->slots);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->ready);
  g_free (self);
}
