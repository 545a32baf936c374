/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsJob: a core operation on a GTask worker, its progress coalesced onto the caller's
 * main context so a fast worker never floods the UI. */
#include "avfs-job.h"

typedef struct
{
  AvfsJobFunc func;
  gpointer args;
  GDestroyNotify args_free;
  GDestroyNotify result_free;
  AvfsProgressFunc progress;
  gpointer progress_data;
  GMainContext *context;

  GMutex lock;        /* guards the fields below */
  AvfsProgress latest;
  char *latest_phase;
  gboolean scheduled; /* a delivery is queued on @context */
  gint64 last_delivery;
} Job;

/* Progress updates closer together than this are merged into the next one. */
#define MIN_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->args_free != NULL)
    job->args_free (job->args);
  g_main_context_unref (job->context);
  g_free (job->latest_phase);
  g_mutex_clear (&job->lock);
  g_free (job);
}

/* Runs on the caller's context: hands the newest figures to the caller. */
static gboolean
deliver_progress_cb (gpointer data)
{
  GTask *task = data;
  Job *job = g_task_get_task_data (task);
  AvfsProgress progress;
  g_autofree char *phase = NULL;

  /* Figures that arrive after the result would move a finished progress bar. */
  if (g_task_get_completed (task))
    return G_SOURCE_REMOVE;
  g_mutex_lock (&job->lock);
  progress = job->latest;
  phase = g_strdup (job->latest_phase);
  job->scheduled = FALSE;
  g_mutex_unlock (&job->lock);
  progress.phase = phase;
  job->progress (&progress, job->progress_data);
  return G_SOURCE_REMOVE;
}

/* Runs on the worker: keeps the newest figures and queues one delivery at a time, no
 * sooner than MIN_PROGRESS_INTERVAL_US after the previous one, so the last figures
 * always arrive. */
static void
queue_progress (const AvfsProgress *progress,
                gpointer            user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);
  gint64 wait_us = 0;
  gboolean schedule;

  g_mutex_lock (&job->lock);
  job->latest = *progress;
  if (g_strcmp0 (job->latest_phase, progress->phase) != 0)
    {
      g_free (job->latest_phase);
      job->latest_phase = g_strdup (progress->phase);
    }
  schedule = !job->scheduled;
  if (schedule)
    {
      gint64 now = g_get_monotonic_time ();

      wait_us = CLAMP (job->last_delivery + MIN_PROGRESS_INTERVAL_US - now, 0,
                       MIN_PROGRESS_INTERVAL_US);
      job->scheduled = TRUE;
      job->last_delivery = now + wait_us;
    }
  g_mutex_unlock (&job->lock);
  if (schedule)
    {
      g_autoptr(GSource) source = g_timeout_source_new (wait_us / 1000);

      g_source_set_callback (source, deliver_progress_cb, g_object_ref (task), g_object_unref);
      g_source_attach (source, job->context);
    }
}

static void
run_in_thread_cb (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  gpointer result;

  /* Cancelled before it started: nothing was done, and the result can say so. */
  if (g_task_return_error_if_cancelled (task))
    return;
  result = job->func (source, job->args, cancellable,
                      job->progress != NULL ? queue_progress : NULL, task, &error);
  if (result == NULL)
    g_task_return_error (task, error != NULL ? error :
                         g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "Failed"));
  else
    g_task_return_pointer (task, result, job->result_free);
}

/**
 * avfs_job_run:
 * @source: (nullable): the object the operation belongs to; kept alive until it ends
 * @source_tag: the public `_async` function, checked by avfs_job_finish()
 * @args: (transfer full): the operation's arguments, freed with @args_free
 * @progress: (nullable): called on the caller's thread-default main context
 *
 * Starts @func on a worker thread. @callback runs on the caller's main context.
 */
void
avfs_job_run (gpointer             source,
              gpointer             source_tag,
              AvfsJobFunc          func,
              gpointer             args,
              GDestroyNotify       args_free,
              GDestroyNotify       result_free,
              AvfsProgressFunc     progress,
              gpointer             progress_data,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->args = args;
  job->args_free = args_free;
  job->result_free = result_free;
  job->progress = progress;
  job->progress_data = progress_data;
  job->context = g_main_context_ref_thread_default ();
  g_mutex_init (&job->lock);
  g_task_set_source_tag (task, source_tag);
  /* Once started, the operation alone says whether it was cancelled: a write or a gc
   * batch that committed must not be reported as cancelled because the cancellable
   * fired just afterwards. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, run_in_thread_cb);
}

/**
 * avfs_job_finish:
 *
 * Returns: (transfer full) (nullable): the operation's result
 */
gpointer
avfs_job_finish (GAsyncResult  *result,
                 gpointer       source_tag,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL) ||
                        g_task_is_valid (result, g_task_get_source_object (G_TASK (result))),
                        NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * avfs_job_get_args:
 * @result: the result of a job that has completed
 *
 * The operation is done with its arguments once it completes, so a `_finish` function
 * may read what it left there, such as a report it fills even when it fails.
 *
 * Returns: (transfer none): the arguments given to avfs_job_run()
 */
gpointer
avfs_job_get_args (GAsyncResult *result)
{
  Job *job;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  job = g_task_get_task_data (G_TASK (result));
  return job->args;
}
