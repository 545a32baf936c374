/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The asynchronous API: results and progress arrive on the caller's main context, on
 * every engine; results are owned as documented and cancellation leaves a sound vault. */
#include "avfs-job.h"
#include "avfs-registry-async.h"
#include "avfs-vault-async-admin.h"
#include "avfs-vault-async-history.h"
#include "avfs-vault-async-maintenance.h"
#include "avfs-vault-async-snapshots.h"
#include "avfs-vault-async-tags.h"
#include "avfs-vault-async-transfer.h"
#include "avfs-vault-async.h"
#include "vault-fixture.h"

/* Host files an import test makes: more than an import batch (1000 files), enough for
 * the import to run a good while after its first progress report, and for every phase
 * of gc and verify to report progress (every 1000 records). */
#define HOST_FILES 1200

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

#define WAIT_INIT { g_main_loop_new (NULL, FALSE), NULL }

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Wait, wait_clear)

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Wait *wait = user_data;

  g_assert_null (wait->result);
  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Runs the loop until the callback has stored the result of the call just started; the
 * result of the previous one is dropped. */
static GAsyncResult *
wait_for_result (Wait *wait)
{
  g_clear_object (&wait->result);
  g_main_loop_run (wait->loop);
  return wait->result;
}

/* Drops the last result, then waits for the workers to let go of @object. */
static void
wait_for_workers (Wait    *wait,
                  GObject *object)
{
  g_clear_object (&wait->result);
  vault_fixture_wait_for_workers (object);
}

typedef struct
{
  GThread *main_thread;
  const char * const *phases; /* the phases that may come, in their order */
  guint phase;                /* the index of the last one seen */
  guint deliveries;
  guint64 last_done;
  gboolean finished;
  GCancellable *cancel;       /* cancelled on the first delivery, when set */
} ProgressSeen;

static ProgressSeen
progress_seen_init (const char * const *phases)
{
  return (ProgressSeen) { g_thread_self (), phases };
}

/* Checks that figures come on the main thread, before the result, phase by phase, and
 * never go back. */
static void
progress_cb (const AvfsProgress *progress,
             gpointer            user_data)
{
  ProgressSeen *seen = user_data;
  guint phase = 0;

  g_assert_true (g_thread_self () == seen->main_thread);
  g_assert_false (seen->finished);
  while (seen->phases[phase] != NULL && g_strcmp0 (seen->phases[phase], progress->phase) != 0)
    phase++;
  g_assert_nonnull (seen->phases[phase]);
  g_assert_cmpuint (phase, >=, seen->phase);
  if (phase > seen->phase)
    seen->last_done = 0;
  g_assert_cmpuint (progress->files_done, >=, seen->last_done);
  seen->phase = phase;
  seen->last_done = progress->files_done;
  seen->deliveries++;
  if (seen->cancel != NULL)
    g_cancellable_cancel (seen->cancel);
}

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

static const char * const count_phases[] = { "count", NULL };

static void
test_progress (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  ProgressSeen seen = progress_seen_init (count_phases);

  avfs_job_run (NULL, test_progress, counting_job, NULL, NULL, NULL, progress_cb, &seen,
                NULL, store_result_cb, &wait);
  g_assert_true (avfs_job_finish (wait_for_result (&wait), test_progress, &error) == AVFS_JOB_DONE);
  seen.finished = TRUE;
  g_assert_cmpuint (seen.deliveries, >=, 1);
  g_assert_cmpuint (seen.deliveries, <, STEPS / 10);

  /* Let any queued delivery run: it must not arrive after the result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  ProgressSeen seen = progress_seen_init (count_phases);

  seen.cancel = cancellable;
  avfs_job_run (NULL, test_cancel, counting_job, NULL, NULL, NULL, progress_cb, &seen,
                cancellable, store_result_cb, &wait);
  g_assert_null (avfs_job_finish (wait_for_result (&wait), test_cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (seen.deliveries, >=, 1);
}

static void
test_open_async (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;

  avfs_vault_open_async ("/nonexistent/vault.avfs", NULL, NULL, store_result_cb, &wait);
  g_assert_null (avfs_vault_open_finish (wait_for_result (&wait), &error));
  g_assert_nonnull (error);
}

/* A flat host directory: HOST_FILES small files, each with its own content, or none. */
typedef char HostDir;

static HostDir *
host_dir_new (guint n_files)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("avfs-async-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/file-%04u", dir, i);
      g_autofree char *content = g_strdup_printf ("content of file %u\n", i);

      /* No fsync: thousands of them would make the test crawl. */
      g_assert_true (g_file_set_contents_full (path, content, -1, G_FILE_SET_CONTENTS_NONE,
                                               0644, &error));
    }
  return dir;
}

static void
host_dir_remove (HostDir *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostDir, host_dir_remove)

static const char * const copy_phases[] = { "copy", NULL };
static const char * const export_phases[] = { "scan", "copy", NULL };
static const char * const gc_phases[] = { "mark", "sweep", NULL };
static const char * const verify_phases[] = { "verify", NULL };

/* Verifies the vault through the async API, with progress when @seen is given. */
static void
assert_verifies (VaultFixture *f,
                 ProgressSeen *seen)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(AvfsVerifyReport) report = NULL;

  avfs_vault_verify_async (f->vault, seen != NULL ? progress_cb : NULL, seen, NULL,
                           store_result_cb, &wait);
  report = avfs_vault_verify_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  if (seen != NULL)
    seen->finished = TRUE;
  g_assert_cmpuint (report->n_problems, ==, 0);
  g_assert_cmpuint (report->problems->len, ==, 0);
}

static AvfsVaultStats *
get_stats (VaultFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  AvfsVaultStats *stats;

  avfs_vault_stats_async (f->vault, NULL, store_result_cb, &wait);
  stats = avfs_vault_stats_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  return stats;
}

static guint64
count_files (VaultFixture *f)
{
  g_autoptr(AvfsVaultStats) stats = get_stats (f);

  return stats->files;
}

static void
test_tree_async (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(GBytes) content = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *copied = NULL;

  avfs_vault_mkdir_async (f->vault, "/docs", FALSE, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_mkdir_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_no_error (error);

  avfs_vault_write_async (f->vault, "/docs/a", content, AVFS_WRITE_NONE, NULL,
                          store_result_cb, &wait);
  g_assert_cmpuint (avfs_vault_write_finish (f->vault, wait_for_result (&wait), &error), ==, 1);

  avfs_vault_move_async (f->vault, "/docs/a", "/docs/b", NULL, store_result_cb, &wait);
  moved = avfs_vault_move_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpstr (moved, ==, "/docs/b");

  avfs_vault_copy_async (f->vault, "/docs", "/copy", TRUE, NULL, store_result_cb, &wait);
  copied = avfs_vault_copy_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpstr (copied, ==, "/copy");

  avfs_vault_touch_async (f->vault, "/docs/empty", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_touch_finish (f->vault, wait_for_result (&wait), &error));

  avfs_vault_stat_async (f->vault, "/docs/empty", NULL, store_result_cb, &wait);
  info = avfs_vault_stat_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->size, ==, 0);

  avfs_vault_read_async (f->vault, "/copy/b", 0, NULL, store_result_cb, &wait);
  got = avfs_vault_read_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_true (g_bytes_equal (got, content));

  avfs_vault_remove_async (f->vault, "/copy", TRUE, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_remove_finish (f->vault, wait_for_result (&wait), &error));

  avfs_vault_list_async (f->vault, "/docs", NULL, store_result_cb, &wait);
  entries = avfs_vault_list_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);

  avfs_vault_read_async (f->vault, "/copy/b", 0, NULL, store_result_cb, &wait);
  g_assert_null (avfs_vault_read_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

/* Import and export with progress on the main thread; gc and verify walk the result
 * with progress too. */
static void
test_transfer_async (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(HostDir) tree = host_dir_new (HOST_FILES);
  g_autoptr(HostDir) out = host_dir_new (0);
  g_autofree char *exported = g_build_filename (out, "file-0042", NULL);
  g_autofree char *text = NULL;
  ProgressSeen copying = progress_seen_init (copy_phases);
  ProgressSeen exporting = progress_seen_init (export_phases);
  ProgressSeen collecting = progress_seen_init (gc_phases);
  ProgressSeen verifying = progress_seen_init (verify_phases);
  AvfsTransferReport report;
  AvfsGcReport gc;

  avfs_vault_import_async (f->vault, tree, "/in", AVFS_IMPORT_NONE, progress_cb, &copying,
                           NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_import_finish (f->vault, wait_for_result (&wait), &report,
                                           &error));
  g_assert_no_error (error);
  copying.finished = TRUE;
  g_assert_cmpuint (report.files, ==, HOST_FILES);
  g_assert_cmpuint (copying.deliveries, >=, 1);
  g_assert_cmpuint (count_files (f), ==, HOST_FILES);

  avfs_vault_export_async (f->vault, "/in", out, AVFS_EXPORT_NONE, progress_cb, &exporting,
                           NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_export_finish (f->vault, wait_for_result (&wait), &report,
                                           &error));
  g_assert_no_error (error);
  exporting.finished = TRUE;
  g_assert_cmpuint (report.files, ==, HOST_FILES);
  g_assert_cmpuint (exporting.deliveries, >=, 1);
  g_assert_true (g_file_get_contents (exported, &text, NULL, &error));
  g_assert_cmpstr (text, ==, "content of file 42\n");

  avfs_vault_gc_async (f->vault, FALSE, progress_cb, &collecting, NULL, store_result_cb,
                       &wait);
  g_assert_true (avfs_vault_gc_finish (f->vault, wait_for_result (&wait), &gc, &error));
  collecting.finished = TRUE;
  g_assert_cmpuint (gc.blobs_checked, ==, HOST_FILES);
  g_assert_cmpuint (gc.blobs_removed, ==, 0);
  g_assert_cmpuint (collecting.deliveries, >=, 1);

  assert_verifies (f, &verifying);
  g_assert_cmpuint (verifying.deliveries, >=, 1);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

/* Cancelling an import keeps the batches it committed, leaves a sound vault, and
 * importing again finishes the job. */
static void
test_import_cancel (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HostDir) tree = host_dir_new (HOST_FILES);
  ProgressSeen seen = progress_seen_init (copy_phases);
  AvfsTransferReport report, again;

  seen.cancel = cancellable;
  avfs_vault_import_async (f->vault, tree, "/in", AVFS_IMPORT_NONE, progress_cb, &seen,
                           cancellable, store_result_cb, &wait);
  g_assert_false (avfs_vault_import_finish (f->vault, wait_for_result (&wait), &report,
                                            &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CANCELLED);
  g_clear_error (&error);
  seen.finished = TRUE;
  g_assert_cmpuint (seen.deliveries, >=, 1);
  g_assert_cmpuint (report.files, <, HOST_FILES);
  g_assert_cmpuint (count_files (f), ==, report.files);
  assert_verifies (f, NULL);

  avfs_vault_import_async (f->vault, tree, "/in", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                           store_result_cb, &wait);
  g_assert_true (avfs_vault_import_finish (f->vault, wait_for_result (&wait), &again,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpuint (again.files, ==, HOST_FILES - report.files);
  g_assert_cmpuint (again.unchanged, ==, report.files);
  g_assert_cmpuint (count_files (f), ==, HOST_FILES);
  assert_verifies (f, NULL);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

static AvfsSnapshotInfo *
snapshot_info (VaultFixture  *f,
               const char    *name,
               GError       **error)
{
  g_auto(Wait) wait = WAIT_INIT;

  avfs_vault_snapshot_info_async (f->vault, name, NULL, store_result_cb, &wait);
  return avfs_vault_snapshot_info_finish (f->vault, wait_for_result (&wait), error);
}

static void
test_snapshots_async (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(AvfsSnapshotInfo) info = NULL;
  g_autofree char *undo = NULL;
  AvfsSnapshotInfo *oldest;

  vault_write_string (f->vault, "/a", "one");
  avfs_vault_snapshot_save_async (f->vault, "first", "before the change", NULL,
                                  store_result_cb, &wait);
  g_assert_true (avfs_vault_snapshot_save_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_no_error (error);
  avfs_vault_snapshot_save_async (f->vault, "first", NULL, NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_snapshot_save_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_EXISTS);

  vault_write_string (f->vault, "/a", "two");
  vault_write_string (f->vault, "/b", "new");
  avfs_vault_snapshot_restore_async (f->vault, "first", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_snapshot_restore_finish (f->vault, wait_for_result (&wait),
                                                     &undo, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (undo, "auto-before-restore-"));
  vault_assert_content (f->vault, "/a", 0, "one");
  avfs_vault_stat_async (f->vault, "/b", NULL, store_result_cb, &wait);
  g_assert_null (avfs_vault_stat_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  avfs_vault_snapshot_list_async (f->vault, NULL, store_result_cb, &wait);
  snapshots = avfs_vault_snapshot_list_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snapshots->len, ==, 2);
  oldest = g_ptr_array_index (snapshots, 0);
  g_assert_cmpstr (oldest->name, ==, "first");
  g_assert_cmpstr (oldest->description, ==, "before the change");
  g_assert_false (oldest->automatic);
  info = snapshot_info (f, undo, &error);
  g_assert_no_error (error);
  g_assert_true (info->automatic);
  g_assert_cmpuint (info->files, ==, 2);

  /* Restoring the automatic snapshot undoes the restore. */
  avfs_vault_snapshot_restore_async (f->vault, undo, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_snapshot_restore_finish (f->vault, wait_for_result (&wait), NULL,
                                                     &error));
  vault_assert_content (f->vault, "/a", 0, "two");
  vault_assert_content (f->vault, "/b", 0, "new");

  avfs_vault_snapshot_delete_async (f->vault, "first", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_snapshot_delete_finish (f->vault, wait_for_result (&wait),
                                                    &error));
  g_assert_null (snapshot_info (f, "first", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_verifies (f, NULL);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

static gboolean
run_gc (VaultFixture *f,
        gboolean      dry_run,
        AvfsGcReport *report)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  gboolean ok;

  avfs_vault_gc_async (f->vault, dry_run, NULL, NULL, NULL, store_result_cb, &wait);
  ok = avfs_vault_gc_finish (f->vault, wait_for_result (&wait), report, &error);
  g_assert_no_error (error);
  return ok;
}

static void
test_maintenance_async (VaultFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(AvfsPruneReport) pruned = NULL;
  g_autoptr(AvfsVaultStats) stats = NULL;
  g_autoptr(AvfsCompactionStats) compaction = NULL;
  AvfsGcReport gc;

  vault_write_string (f->vault, "/a", "first");
  vault_write_string (f->vault, "/a", "second");
  vault_write_string (f->vault, "/a", "third");
  vault_write_string (f->vault, "/b", "other");

  avfs_vault_prune_async (f->vault, 1, 0, FALSE, NULL, store_result_cb, &wait);
  pruned = avfs_vault_prune_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pruned->files_touched, ==, 1);
  g_assert_cmpuint (pruned->versions_removed, ==, 2);

  g_assert_true (run_gc (f, TRUE, &gc));
  g_assert_cmpuint (gc.blobs_checked, ==, 4);
  g_assert_cmpuint (gc.blobs_removed, ==, 2);
  g_assert_true (run_gc (f, FALSE, &gc));
  g_assert_cmpuint (gc.blobs_removed, ==, 2);
  g_assert_cmpuint (gc.bytes_freed, >, 0);
  g_assert_true (run_gc (f, FALSE, NULL));

  stats = get_stats (f);
  g_assert_cmpuint (stats->files, ==, 2);
  g_assert_cmpuint (stats->versions, ==, 2);
  g_assert_cmpuint (stats->blobs, ==, 2);

  avfs_vault_compact_async (f->vault, NULL, store_result_cb, &wait);
  compaction = avfs_vault_compact_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_nonnull (compaction);
  vault_assert_content (f->vault, "/a", 0, "third");
  assert_verifies (f, NULL);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

static void
test_history_async (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *diff = NULL;
  AvfsVersionInfo *newest;

  vault_write_string (f->vault, "/doc", "line one\n");
  vault_write_string (f->vault, "/doc", "line two\n");

  avfs_vault_log_async (f->vault, "/doc", 0, NULL, store_result_cb, &wait);
  versions = avfs_vault_log_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  newest = g_ptr_array_index (versions, 0);
  g_assert_cmpuint (newest->number, ==, 2);
  g_assert_true (newest->is_current);

  avfs_vault_diff_async (f->vault, "/doc", 1, NULL, 2, NULL, store_result_cb, &wait);
  diff = avfs_vault_diff_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (diff, "-line one\n"));
  g_assert_nonnull (strstr (diff, "+line two\n"));

  avfs_vault_checkout_async (f->vault, "/doc", 1, NULL, store_result_cb, &wait);
  g_assert_cmpuint (avfs_vault_checkout_finish (f->vault, wait_for_result (&wait), &error),
                    ==, 3);
  vault_assert_content (f->vault, "/doc", 0, "line one\n");
  avfs_vault_revert_async (f->vault, "/doc", NULL, store_result_cb, &wait);
  g_assert_cmpuint (avfs_vault_revert_finish (f->vault, wait_for_result (&wait), &error),
                    ==, 4);
  vault_assert_content (f->vault, "/doc", 0, "line two\n");

  avfs_vault_checkout_async (f->vault, "/doc", 9, NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_checkout_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_NOT_FOUND);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

static void
test_tags_async (VaultFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_auto(GStrv) tags = NULL;
  g_auto(GStrv) found = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *value = NULL;
  const char * const expected_tags[] = { "work", NULL };
  const char * const expected_paths[] = { "/doc", NULL };

  vault_write_string (f->vault, "/doc", "text");
  avfs_vault_tag_add_async (f->vault, "/doc", "work", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_tag_add_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_no_error (error);
  avfs_vault_tags_list_async (f->vault, "/doc", NULL, store_result_cb, &wait);
  tags = avfs_vault_tags_list_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpstrv (tags, expected_tags);
  avfs_vault_find_by_tag_async (f->vault, "work", NULL, store_result_cb, &wait);
  found = avfs_vault_find_by_tag_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpstrv (found, expected_paths);
  avfs_vault_tags_all_async (f->vault, NULL, store_result_cb, &wait);
  counts = avfs_vault_tags_all_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpuint (counts->len, ==, 1);
  g_assert_cmpuint (((AvfsTagCount *) g_ptr_array_index (counts, 0))->count, ==, 1);
  avfs_vault_tag_remove_async (f->vault, "/doc", "work", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_tag_remove_finish (f->vault, wait_for_result (&wait), &error));
  avfs_vault_tag_remove_async (f->vault, "/doc", "work", NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_tag_remove_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_NOT_FOUND);

  avfs_vault_meta_set_async (f->vault, "/doc", "author", "Ann", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_meta_set_finish (f->vault, wait_for_result (&wait), &error));
  avfs_vault_meta_get_async (f->vault, "/doc", "author", NULL, store_result_cb, &wait);
  value = avfs_vault_meta_get_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpstr (value, ==, "Ann");
  avfs_vault_meta_list_async (f->vault, "/doc", NULL, store_result_cb, &wait);
  entries = avfs_vault_meta_list_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((AvfsMetaEntry *) g_ptr_array_index (entries, 0))->value, ==, "Ann");
  avfs_vault_meta_delete_async (f->vault, "/doc", "author", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_meta_delete_finish (f->vault, wait_for_result (&wait), &error));
  avfs_vault_meta_get_async (f->vault, "/doc", "author", NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_meta_get_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_NOT_FOUND);
  avfs_vault_meta_set_async (f->vault, "/doc", "bad key", "x", NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_meta_set_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_INVALID_ARGUMENT);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

static AvfsQuota
get_quota (VaultFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  AvfsQuota quota = { 1, 1, 1 };

  avfs_vault_quota_get_async (f->vault, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_quota_get_finish (f->vault, wait_for_result (&wait), &quota,
                                              &error));
  g_assert_no_error (error);
  return quota;
}

static GPtrArray *
query_audit (VaultFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  GPtrArray *entries;

  avfs_vault_audit_query_async (f->vault, 0, 0, NULL, store_result_cb, &wait);
  entries = avfs_vault_audit_query_finish (f->vault, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  return entries;
}

static void
test_admin_async (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(GBytes) content = g_bytes_new_static ("x", 1);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  AvfsVaultSettings settings;
  guint64 max_entries = 0;

  avfs_vault_quota_set_async (f->vault, "max_files", 1, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_quota_set_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (get_quota (f).max_files, ==, 1);
  vault_write_string (f->vault, "/a", "one");
  avfs_vault_write_async (f->vault, "/b", content, AVFS_WRITE_NONE, NULL, store_result_cb,
                          &wait);
  assert_fails (avfs_vault_write_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_QUOTA_EXCEEDED);
  avfs_vault_quota_clear_async (f->vault, "max_files", NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_quota_clear_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_cmpuint (get_quota (f).max_files, ==, 0);
  avfs_vault_quota_set_async (f->vault, "max_nothing", 1, NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_quota_set_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_INVALID_ARGUMENT);

  before = query_audit (f);
  g_assert_cmpuint (before->len, ==, 3);
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (before, 0))->op, ==, "quota-clear");
  avfs_vault_audit_clear_async (f->vault, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_audit_clear_finish (f->vault, wait_for_result (&wait), &error));
  after = query_audit (f);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (((AvfsAuditEntry *) g_ptr_array_index (after, 0))->op, ==, "audit-clear");

  avfs_vault_audit_set_max_entries_async (f->vault, 500, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_audit_set_max_entries_finish (f->vault, wait_for_result (&wait),
                                                          &error));
  avfs_vault_audit_get_max_entries_async (f->vault, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_audit_get_max_entries_finish (f->vault, wait_for_result (&wait),
                                                          &max_entries, &error));
  g_assert_cmpuint (max_entries, ==, 500);

  avfs_vault_set_compression_level_async (f->vault, 7, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_set_compression_level_finish (f->vault, wait_for_result (&wait),
                                                          &error));
  avfs_vault_get_settings (f->vault, &settings);
  g_assert_cmpint (settings.compression_level, ==, 7);
  avfs_vault_set_compression_level_async (f->vault, 20, NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_set_compression_level_finish (f->vault, wait_for_result (&wait),
                                                         &error),
                AVFS_ERROR_INVALID_ARGUMENT);
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

/* Collects the results of several calls running at once. */
typedef struct
{
  GMainLoop *loop;
  GPtrArray *results;
  guint expected;
} Collect;

static void
collect_result_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Collect *collect = user_data;

  g_ptr_array_add (collect->results, g_object_ref (result));
  if (collect->results->len == collect->expected)
    g_main_loop_quit (collect->loop);
}

/* A temporary avfs home, removed (it must be left empty but for vaults/) at the end. */
typedef char Home;

static void
home_remove (Home *home)
{
  g_autofree char *vaults = g_build_filename (home, "vaults", NULL);

  g_rmdir (vaults);
  g_assert_cmpint (g_rmdir (home), ==, 0);
  g_free (home);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Home, home_remove)

static Home *
home_new (void)
{
  g_autoptr(GError) error = NULL;
  char *home = g_dir_make_tmp ("avfs-home-XXXXXX", &error);

  g_assert_no_error (error);
  return home;
}

/* Lets go of a vault the registry handed out: a vault on disk is closed and must be
 * freed; a memory vault stays with the registry. */
static void
release_vault (VaultFixture *f,
               AvfsVault    *vault)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;

  if (f->engine->extension == NULL)
    {
      g_object_unref (vault);
      return;
    }
  avfs_vault_close_async (vault, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_close_finish (vault, wait_for_result (&wait), &error));
  g_assert_no_error (error);
  wait_for_workers (&wait, G_OBJECT (vault));
  g_assert_finalize_object (vault);
}

static GPtrArray *
list_vaults (AvfsRegistry *registry)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  GPtrArray *entries;

  avfs_registry_list_async (registry, NULL, store_result_cb, &wait);
  entries = avfs_registry_list_finish (registry, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  return entries;
}

static gboolean
delete_vault (AvfsRegistry  *registry,
              const char    *name,
              GError       **error)
{
  g_auto(Wait) wait = WAIT_INIT;

  avfs_registry_delete_async (registry, name, NULL, store_result_cb, &wait);
  return avfs_registry_delete_finish (registry, wait_for_result (&wait), error);
}

/* Two creates of one name at once: exactly one may succeed. */
static void
create_twice_at_once (VaultFixture *f,
                      AvfsRegistry *registry,
                      const char   *name)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  Collect collect = { loop, results, 2 };
  guint created = 0;

  for (guint i = 0; i < collect.expected; i++)
    avfs_registry_create_async (registry, name, f->engine->name, NULL, collect_result_cb,
                                &collect);
  g_main_loop_run (loop);
  for (guint i = 0; i < results->len; i++)
    {
      g_autoptr(GError) error = NULL;
      AvfsVault *vault = avfs_registry_create_finish (registry,
                                                      g_ptr_array_index (results, i),
                                                      &error);

      if (vault == NULL)
        {
          g_assert_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS);
          continue;
        }
      created++;
      release_vault (f, vault);
    }
  g_assert_cmpuint (created, ==, 1);
}

static void
test_registry_async (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(Home) home = home_new ();
  AvfsRegistry *registry = avfs_registry_new (home, &error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) remaining = NULL;
  g_autoptr(AvfsVaultEntry) entry = NULL;
  g_autofree char *uuid = NULL;
  AvfsVault *vault;

  g_assert_no_error (error);
  avfs_registry_create_async (registry, "alpha", f->engine->name, NULL, store_result_cb,
                              &wait);
  vault = avfs_registry_create_finish (registry, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (avfs_vault_get_engine_name (vault), ==, f->engine->name);
  uuid = g_strdup (avfs_vault_get_uuid (vault));
  release_vault (f, vault);
  create_twice_at_once (f, registry, "beta");

  entries = list_vaults (registry);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((AvfsVaultEntry *) g_ptr_array_index (entries, 0))->name, ==, "alpha");
  g_assert_cmpstr (((AvfsVaultEntry *) g_ptr_array_index (entries, 1))->name, ==, "beta");
  g_assert_cmpstr (((AvfsVaultEntry *) g_ptr_array_index (entries, 1))->engine, ==,
                   f->engine->name);

  avfs_registry_set_current_async (registry, "alpha", NULL, store_result_cb, &wait);
  g_assert_true (avfs_registry_set_current_finish (registry, wait_for_result (&wait), &error));
  avfs_registry_info_async (registry, "alpha", NULL, store_result_cb, &wait);
  entry = avfs_registry_info_finish (registry, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_true (entry->is_current);

  avfs_registry_open_async (registry, "alpha", NULL, store_result_cb, &wait);
  vault = avfs_registry_open_finish (registry, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (avfs_vault_get_uuid (vault), ==, uuid);
  release_vault (f, vault);

  g_assert_true (delete_vault (registry, "alpha", &error));
  g_assert_no_error (error);
  assert_fails (delete_vault (registry, "alpha", &error), AVFS_ERROR_NOT_FOUND);
  g_assert_true (delete_vault (registry, "beta", &error));
  remaining = list_vaults (registry);
  g_assert_cmpuint (remaining->len, ==, 0);
  wait_for_workers (&wait, G_OBJECT (registry));
  g_assert_finalize_object (registry);
}

/* Ownership: a call cancelled before its worker starts does nothing, and the vault
 * create_async gives belongs to the caller alone. */
static void
test_ownership (VaultFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autofree char *path = NULL;
  const AvfsVaultSettings settings = { 64 * 1024, 0 };
  AvfsVaultSettings got;
  AvfsVault *vault;

  g_cancellable_cancel (cancelled);
  avfs_vault_mkdir_async (f->vault, "/never", FALSE, cancelled, store_result_cb, &wait);
  g_assert_false (avfs_vault_mkdir_finish (f->vault, wait_for_result (&wait), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  avfs_vault_stat_async (f->vault, "/never", NULL, store_result_cb, &wait);
  assert_fails (avfs_vault_stat_finish (f->vault, wait_for_result (&wait), &error),
                AVFS_ERROR_NOT_FOUND);

  if (f->engine->extension != NULL)
    path = g_strconcat (f->path, "-other", f->engine->extension, NULL);
  avfs_vault_create_async (f->engine->name, path, NULL, &settings, NULL, store_result_cb,
                           &wait);
  vault = avfs_vault_create_finish (wait_for_result (&wait), &error);
  g_assert_no_error (error);
  avfs_vault_get_settings (vault, &got);
  g_assert_cmpuint (got.chunk_size, ==, settings.chunk_size);
  g_assert_cmpint (got.compression_level, ==, 0);
  avfs_vault_close_async (vault, NULL, store_result_cb, &wait);
  g_assert_true (avfs_vault_close_finish (vault, wait_for_result (&wait), &error));
  wait_for_workers (&wait, G_OBJECT (vault));
  g_assert_finalize_object (vault);
  if (path != NULL)
    g_assert_true (avfs_storage_delete_store (path, NULL));
  wait_for_workers (&wait, G_OBJECT (f->vault));
}

/* A result nobody finishes goes with its task: the memory vault a registry holds is
 * freed once the registry lets go, even though an unfinished open held a reference. */
static void
test_unfinished_result (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  g_autoptr(Home) home = home_new ();
  AvfsRegistry *registry = avfs_registry_new (home, &error);
  AvfsVault *vault;

  g_assert_no_error (error);
  avfs_registry_create_async (registry, "scratch", "memory", NULL, store_result_cb, &wait);
  vault = avfs_registry_create_finish (registry, wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_object_add_weak_pointer (G_OBJECT (vault), (gpointer *) &vault);

  avfs_registry_open_async (registry, "scratch", NULL, store_result_cb, &wait);
  g_assert_nonnull (wait_for_result (&wait));
  wait_for_workers (&wait, G_OBJECT (registry));
  g_object_unref (vault);
  g_assert_nonnull (vault);

  g_assert_true (delete_vault (registry, "scratch", &error));
  g_assert_null (vault);
  wait_for_workers (&wait, G_OBJECT (registry));
  g_assert_finalize_object (registry);
}

static const VaultTest tests[] = {
  { "tree", test_tree_async },
  { "transfer", test_transfer_async },
  { "import-cancel", test_import_cancel },
  { "snapshots", test_snapshots_async },
  { "maintenance", test_maintenance_async },
  { "history", test_history_async },
  { "tags", test_tags_async },
  { "admin", test_admin_async },
  { "registry", test_registry_async },
  { "ownership", test_ownership },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/vault-async/progress", test_progress);
  g_test_add_func ("/vault-async/cancel", test_cancel);
  g_test_add_func ("/vault-async/open-missing", test_open_async);
  g_test_add_func ("/vault-async/unfinished-result", test_unfinished_result);
  vault_fixture_register ("vault-async", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
