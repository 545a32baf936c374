/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The asynchronous API: results and progress arrive on the caller's main context. */
#include "avfs-job.h"
#include "avfs-vault-async.h"
#include "vault-fixture.h"

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Runs the loop until the callback has stored the result. */
static GAsyncResult *
wait_for_result (Wait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
}

/* A worker drops its task, and with it the task's reference to the vault, just after
 * the callback ran; wait for that before the fixture checks the vault is freed. */
static void
wait_for_workers (GObject *object)
{
  gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&object->ref_count) > 1 && g_get_monotonic_time () < give_up)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_tree_async (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GBytes) content = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *moved = NULL;
  Wait wait = { loop, NULL };

  avfs_vault_mkdir_async (f->vault, "/docs", FALSE, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_mkdir_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_no_error (error);
  wait_clear (&wait);

  avfs_vault_write_async (f->vault, "/docs/a", content, AVFS_WRITE_NONE, NULL,
                          store_result_cb, &wait);
  g_assert_cmpuint (avfs_vault_write_finish (f->vault, wait_for_result (&wait), &error), ==, 1);
  wait_clear (&wait);

  avfs_vault_move_async (f->vault, "/docs/a", "/docs/b", NULL, store_result_cb, &wait);
  moved = avfs_vault_move_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpstr (moved, ==, "/docs/b");
  wait_clear (&wait);

  avfs_vault_read_async (f->vault, "/docs/b", 0, NULL, store_result_cb, &wait);
  got = avfs_vault_read_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_true (g_bytes_equal (got, content));
  wait_clear (&wait);

  avfs_vault_list_async (f->vault, "/docs", NULL, store_result_cb, &wait);
  entries = avfs_vault_list_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  wait_clear (&wait);

  avfs_vault_read_async (f->vault, "/missing", 0, NULL, store_result_cb, &wait);
  g_assert_null (avfs_vault_read_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  wait_clear (&wait);
  wait_for_workers (G_OBJECT (f->vault));
}

typedef struct
{
  GThread *main_thread;
  guint deliveries;
  guint64 last_done;
  gboolean finished;
} ProgressSeen;

#define STEPS 20000

/* A job that reports every step and honours cancellation. */
static gpointer
counting_job (gpointer          source,
              gpointer          args,
              GCancellable     *cancellable,
              AvfsProgressFunc  progress,
              gpointer          progress_data,
              GError          **error)
{
  for (guint64 i = 1; i <= STEPS; i++)
    {
      AvfsProgress figures = { "count", i, STEPS, 0, 0 };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      progress (&figures, progress_data);
      if (i % 1000 == 0)
        g_usleep (2000);
    }
  return AVFS_JOB_DONE;
}

static void
progress_cb (const AvfsProgress *progress,
             gpointer            user_data)
{
  ProgressSeen *seen = user_data;

  g_assert_true (g_thread_self () == seen->main_thread);
  g_assert_false (seen->finished);
  g_assert_cmpstr (progress->phase, ==, "count");
  g_assert_cmpuint (progress->files_done, >=, seen->last_done);
  seen->last_done = progress->files_done;
  seen->deliveries++;
}

static void
test_progress (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  ProgressSeen seen = { g_thread_self () };
  Wait wait = { loop, NULL };

  avfs_job_run (NULL, test_progress, counting_job, NULL, NULL, NULL, progress_cb, &seen,
                NULL, store_result_cb, &wait);
  g_assert_true (avfs_job_finish (wait_for_result (&wait), test_progress, &error) == AVFS_JOB_DONE);
  seen.finished = TRUE;
  wait_clear (&wait);
  g_assert_cmpuint (seen.deliveries, >=, 1);
  g_assert_cmpuint (seen.deliveries, <, STEPS / 10);

  /* Let any queued delivery run: it must not arrive after the result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
cancel_on_progress_cb (const AvfsProgress *progress,
                       gpointer            user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait = { loop, NULL };

  avfs_job_run (NULL, test_cancel, counting_job, NULL, NULL, NULL, cancel_on_progress_cb,
                cancellable, cancellable, store_result_cb, &wait);
  g_assert_null (avfs_job_finish (wait_for_result (&wait), test_cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  wait_clear (&wait);
}

static void
test_open_async (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Wait wait = { loop, NULL };

  avfs_vault_open_async ("/nonexistent/vault.avfs", NULL, NULL, store_result_cb, &wait);
  g_assert_null (avfs_vault_open_finish (wait_for_result (&wait), &error));
  g_assert_nonnull (error);
  wait_clear (&wait);
}

static const VaultTest tests[] = {
  { "tree", test_tree_async },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/vault-async/progress", test_progress);
  g_test_add_func ("/vault-async/cancel", test_cancel);
  g_test_add_func ("/vault-async/open-missing", test_open_async);
  vault_fixture_register ("vault-async", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
