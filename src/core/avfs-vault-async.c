/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The asynchronous vault API for a vault's lifecycle, tree and content, one small job per
 * synchronous call (see avfs-job.c), and what the other avfs-vault-async-*.c share. */
#include "avfs-vault-async.h"
#include "avfs-vault-async-private.h"

void
avfs_async_args_free (gpointer data)
{
  AvfsAsyncArgs *args = data;

  g_free (args->path);
  g_free (args->other);
  g_free (args->value);
  g_clear_pointer (&args->content, g_bytes_unref);
  g_clear_pointer (&args->options, g_hash_table_unref);
  g_free (args->settings);
  g_free (args);
}

AvfsAsyncArgs *
avfs_async_args_new (const char *path,
                     const char *other,
                     guint64     number,
                     gboolean    flag)
{
  AvfsAsyncArgs *args = g_new0 (AvfsAsyncArgs, 1);

  args->path = g_strdup (path);
  args->other = g_strdup (other);
  args->number = number;
  args->flag = flag;
  return args;
}

/* Runs @func for @source with @args, with no progress to report. */
void
avfs_async_run (gpointer             source,
                gpointer             source_tag,
                AvfsJobFunc          func,
                AvfsAsyncArgs       *args,
                GDestroyNotify       result_free,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  avfs_job_run (source, source_tag, func, args, avfs_async_args_free, result_free, NULL,
                NULL, cancellable, callback, user_data);
}

static gpointer
create_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_create (args->other, args->path, args->options, args->settings, error);
}

/**
 * avfs_vault_create_async:
 * @path: (nullable): where the vault goes; %NULL for memory
 * @backend_options: (nullable): engine name → (option → value), copied by reference
 * @settings: (nullable): copied; %NULL for the defaults
 *
 * Creates a vault on a worker thread, as avfs_vault_create() does.
 * avfs_vault_create_finish() gives the new, open vault.
 */
void
avfs_vault_create_async (const char               *engine,
                         const char               *path,
                         GHashTable               *backend_options,
                         const AvfsVaultSettings  *settings,
                         GCancellable             *cancellable,
                         GAsyncReadyCallback       callback,
                         gpointer                  user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (path, engine, 0, FALSE);

  args->options = backend_options != NULL ? g_hash_table_ref (backend_options) : NULL;
  args->settings = settings != NULL ? g_memdup2 (settings, sizeof *settings) : NULL;
  avfs_async_run (NULL, avfs_vault_create_async, create_job, args, g_object_unref,
                  cancellable, callback, user_data);
}

/**
 * avfs_vault_create_finish:
 *
 * Returns: (transfer full) (nullable): the new vault, open
 */
AvfsVault *
avfs_vault_create_finish (GAsyncResult  *result,
                          GError       **error)
{
  return avfs_job_finish (result, avfs_vault_create_async, error);
}

static gpointer
open_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_open (args->path, args->options, error);
}

/**
 * avfs_vault_open_async:
 * @backend_options: (nullable): engine name → (option → value), copied by reference
 *
 * Opens a vault on a worker thread (opening may replay a journal).
 * avfs_vault_open_finish() gives the open vault.
 */
void
avfs_vault_open_async (const char           *path,
                       GHashTable           *backend_options,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (path, NULL, 0, FALSE);

  args->options = backend_options != NULL ? g_hash_table_ref (backend_options) : NULL;
  avfs_async_run (NULL, avfs_vault_open_async, open_job, args, g_object_unref, cancellable,
                  callback, user_data);
}

/**
 * avfs_vault_open_finish:
 *
 * Returns: (transfer full) (nullable): the open vault
 */
AvfsVault *
avfs_vault_open_finish (GAsyncResult  *result,
                        GError       **error)
{
  return avfs_job_finish (result, avfs_vault_open_async, error);
}

static gpointer
close_job (gpointer          source,
           gpointer          data,
           GCancellable     *cancellable,
           AvfsProgressFunc  progress,
           gpointer          progress_data,
           GError          **error)
{
  return avfs_vault_close (source, error) ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_close_async:
 *
 * Closes the vault on a worker thread (a close may flush the engine).
 * avfs_vault_close_finish() says whether it closed cleanly.
 */
void
avfs_vault_close_async (AvfsVault            *self,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_close_async, close_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_close_finish:
 *
 * Returns: %TRUE when the vault closed cleanly
 */
gboolean
avfs_vault_close_finish (AvfsVault     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_close_async, error) != NULL;
}

static gpointer
set_compression_level_job (gpointer          source,
                           gpointer          data,
                           GCancellable     *cancellable,
                           AvfsProgressFunc  progress,
                           gpointer          progress_data,
                           GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_set_compression_level (source, args->signed_number, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_set_compression_level_async:
 * @level: 0 (store raw) to 19
 *
 * Runs avfs_vault_set_compression_level() on a worker thread.
 * avfs_vault_set_compression_level_finish() says whether the level was saved.
 */
void
avfs_vault_set_compression_level_async (AvfsVault            *self,
                                        gint                  level,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (NULL, NULL, 0, FALSE);

  args->signed_number = level;
  avfs_async_run (self, avfs_vault_set_compression_level_async, set_compression_level_job,
                  args, NULL, cancellable, callback, user_data);
}

/**
 * avfs_vault_set_compression_level_finish:
 *
 * Returns: %TRUE when the new level was saved
 */
gboolean
avfs_vault_set_compression_level_finish (AvfsVault     *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_set_compression_level_async, error) != NULL;
}

static gpointer
stat_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  return avfs_vault_stat (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_vault_stat_async:
 *
 * Runs avfs_vault_stat() on a worker thread. avfs_vault_stat_finish() gives what the
 * path is.
 */
void
avfs_vault_stat_async (AvfsVault            *self,
                       const char           *path,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_stat_async, stat_job,
                  avfs_async_args_new (path, NULL, 0, FALSE),
                  (GDestroyNotify) avfs_file_info_free, cancellable, callback, user_data);
}

/**
 * avfs_vault_stat_finish:
 *
 * Returns: (transfer full) (nullable): what the path is
 */
AvfsFileInfo *
avfs_vault_stat_finish (AvfsVault     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return avfs_job_finish (result, avfs_vault_stat_async, error);
}

static gpointer
list_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  return avfs_vault_list (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_vault_list_async:
 *
 * Runs avfs_vault_list() on a worker thread. avfs_vault_list_finish() gives the
 * directory's entries.
 */
void
avfs_vault_list_async (AvfsVault            *self,
                       const char           *path,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_list_async, list_job,
                  avfs_async_args_new (path, NULL, 0, FALSE),
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_list_finish:
 *
 * Returns: (transfer full) (element-type AvfsFileInfo) (nullable): the entries
 */
GPtrArray *
avfs_vault_list_finish (AvfsVault     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return avfs_job_finish (result, avfs_vault_list_async, error);
}

static gpointer
list_page_job (gpointer          source,
               gpointer          data,
               GCancellable     *cancellable,
               AvfsProgressFunc  progress,
               gpointer          progress_data,
               GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_list_page (source, args->path, args->other, args->number, error);
}

/**
 * avfs_vault_list_page_async:
 * @after: (nullable): the last name of the previous page
 *
 * Runs avfs_vault_list_page() on a worker thread: the app fills a large directory page
 * by page, each page on its own worker call.
 */
void
avfs_vault_list_page_async (AvfsVault            *self,
                            const char           *path,
                            const char           *after,
                            guint                 limit,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_list_page_async, list_page_job,
                  avfs_async_args_new (path, after, limit, FALSE),
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_list_page_finish:
 *
 * Returns: (transfer full) (element-type AvfsFileInfo) (nullable): the page's entries
 */
GPtrArray *
avfs_vault_list_page_finish (AvfsVault     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return avfs_job_finish (result, avfs_vault_list_page_async, error);
}

static gpointer
touch_job (gpointer          source,
           gpointer          data,
           GCancellable     *cancellable,
           AvfsProgressFunc  progress,
           gpointer          progress_data,
           GError          **error)
{
  return avfs_vault_touch (source, ((AvfsAsyncArgs *) data)->path, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_touch_async:
 *
 * Runs avfs_vault_touch() on a worker thread. avfs_vault_touch_finish() says whether
 * the file exists now.
 */
void
avfs_vault_touch_async (AvfsVault            *self,
                        const char           *path,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_touch_async, touch_job,
                  avfs_async_args_new (path, NULL, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_touch_finish:
 *
 * Returns: %TRUE when the file was created or its time set
 */
gboolean
avfs_vault_touch_finish (AvfsVault     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_touch_async, error) != NULL;
}

static gpointer
read_head_job (gpointer          source,
               gpointer          data,
               GCancellable     *cancellable,
               AvfsProgressFunc  progress,
               gpointer          progress_data,
               GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_read_head (source, args->path, args->number, args->number2, error);
}

/**
 * avfs_vault_read_head_async:
 *
 * Runs avfs_vault_read_head() on a worker thread: previews of files of any size.
 */
void
avfs_vault_read_head_async (AvfsVault            *self,
                            const char           *path,
                            guint32               version,
                            gsize                 max_bytes,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (path, NULL, version, FALSE);

  args->number2 = max_bytes;
  avfs_async_run (self, avfs_vault_read_head_async, read_head_job, args,
                  (GDestroyNotify) g_bytes_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_read_head_finish:
 *
 * Returns: (transfer full) (nullable): the first bytes of the file
 */
GBytes *
avfs_vault_read_head_finish (AvfsVault     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return avfs_job_finish (result, avfs_vault_read_head_async, error);
}

static gpointer
read_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_read (source, args->path, args->number, error);
}

/**
 * avfs_vault_read_async:
 * @version: a version, or 0 for the current content
 *
 * Runs avfs_vault_read() on a worker thread. avfs_vault_read_finish() gives the
 * content.
 */
void
avfs_vault_read_async (AvfsVault            *self,
                       const char           *path,
                       guint32               version,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_read_async, read_job,
                  avfs_async_args_new (path, NULL, version, FALSE),
                  (GDestroyNotify) g_bytes_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_read_finish:
 *
 * Returns: (transfer full) (nullable): the content
 */
GBytes *
avfs_vault_read_finish (AvfsVault     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return avfs_job_finish (result, avfs_vault_read_async, error);
}

static gpointer
write_job (gpointer          source,
           gpointer          data,
           GCancellable     *cancellable,
           AvfsProgressFunc  progress,
           gpointer          progress_data,
           GError          **error)
{
  AvfsAsyncArgs *args = data;
  gsize len;
  const guint8 *content = g_bytes_get_data (args->content, &len);

  return GUINT_TO_POINTER (avfs_vault_write (source, args->path, content, len,
                                             args->number, error));
}

/**
 * avfs_vault_write_async:
 * @content: kept by reference until the write ends
 *
 * Runs avfs_vault_write() on a worker thread. avfs_vault_write_finish() gives the new
 * version's number.
 */
void
avfs_vault_write_async (AvfsVault            *self,
                        const char           *path,
                        GBytes               *content,
                        AvfsWriteFlags        flags,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (path, NULL, flags, FALSE);

  args->content = g_bytes_ref (content);
  avfs_async_run (self, avfs_vault_write_async, write_job, args, NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_write_finish:
 *
 * Returns: the new version number, or 0 on error
 */
guint32
avfs_vault_write_finish (AvfsVault     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return GPOINTER_TO_UINT (avfs_job_finish (result, avfs_vault_write_async, error));
}

static gpointer
mkdir_job (gpointer          source,
           gpointer          data,
           GCancellable     *cancellable,
           AvfsProgressFunc  progress,
           gpointer          progress_data,
           GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_mkdir (source, args->path, args->flag, error) ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_mkdir_async:
 *
 * Runs avfs_vault_mkdir() on a worker thread. avfs_vault_mkdir_finish() says whether
 * the directory was made.
 */
void
avfs_vault_mkdir_async (AvfsVault            *self,
                        const char           *path,
                        gboolean              parents,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_mkdir_async, mkdir_job,
                  avfs_async_args_new (path, NULL, 0, parents), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_mkdir_finish:
 *
 * Returns: %TRUE when the directory was made
 */
gboolean
avfs_vault_mkdir_finish (AvfsVault     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_mkdir_async, error) != NULL;
}

static gpointer
remove_job (gpointer          source,
            gpointer          data,
            GCancellable     *cancellable,
            AvfsProgressFunc  progress,
            gpointer          progress_data,
            GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_remove (source, args->path, args->flag, error) ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_remove_async:
 * @recursive: whether a directory goes with everything in it (else it must be empty)
 *
 * Runs avfs_vault_remove() on a worker thread. avfs_vault_remove_finish() says whether
 * the path was removed.
 */
void
avfs_vault_remove_async (AvfsVault            *self,
                         const char           *path,
                         gboolean              recursive,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_remove_async, remove_job,
                  avfs_async_args_new (path, NULL, 0, recursive), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_remove_finish:
 *
 * Returns: %TRUE when the path was removed
 */
gboolean
avfs_vault_remove_finish (AvfsVault     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return avfs_job_finish (result, avfs_vault_remove_async, error) != NULL;
}

static gpointer
move_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_move (source, args->path, args->other, error);
}

/**
 * avfs_vault_move_async:
 *
 * Runs avfs_vault_move() on a worker thread. avfs_vault_move_finish() gives the path
 * the file or directory has now.
 */
void
avfs_vault_move_async (AvfsVault            *self,
                       const char           *from,
                       const char           *to,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_move_async, move_job,
                  avfs_async_args_new (from, to, 0, FALSE), g_free, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_move_finish:
 *
 * Returns: (transfer full) (nullable): the new path
 */
char *
avfs_vault_move_finish (AvfsVault     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return avfs_job_finish (result, avfs_vault_move_async, error);
}

static gpointer
copy_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_copy (source, args->path, args->other, args->flag, error);
}

/**
 * avfs_vault_copy_async:
 *
 * Runs avfs_vault_copy() on a worker thread. avfs_vault_copy_finish() gives the path
 * of the copy.
 */
void
avfs_vault_copy_async (AvfsVault            *self,
                       const char           *from,
                       const char           *to,
                       gboolean              recursive,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_copy_async, copy_job,
                  avfs_async_args_new (from, to, 0, recursive), g_free, cancellable,
                  callback, user_data);
}

/**
 * avfs_vault_copy_finish:
 *
 * Returns: (transfer full) (nullable): the path of the copy
 */
char *
avfs_vault_copy_finish (AvfsVault     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return avfs_job_finish (result, avfs_vault_copy_async, error);
}
