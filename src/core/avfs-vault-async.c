/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The asynchronous vault API, one small job per synchronous call (see avfs-job.c). */
#include "avfs-job.h"
#include "avfs-vault-async.h"

/* The arguments of any call; each job reads the fields its call has. */
typedef struct
{
  char *path;
  char *other;          /* the destination of move and copy */
  GBytes *content;
  GHashTable *options;
  guint32 number;       /* a version, or write flags */
  gboolean flag;        /* parents, recursive */
} Args;

static void
args_free (gpointer data)
{
  Args *args = data;

  g_free (args->path);
  g_free (args->other);
  g_clear_pointer (&args->content, g_bytes_unref);
  g_clear_pointer (&args->options, g_hash_table_unref);
  g_free (args);
}

static Args *
args_new (const char *path,
          const char *other,
          guint32     number,
          gboolean    flag)
{
  Args *args = g_new0 (Args, 1);

  args->path = g_strdup (path);
  args->other = g_strdup (other);
  args->number = number;
  args->flag = flag;
  return args;
}

/* Runs @func for @self with @args, with no progress to report. */
static void
run (gpointer             self,
     gpointer             source_tag,
     AvfsJobFunc          func,
     Args                *args,
     GDestroyNotify       result_free,
     GCancellable        *cancellable,
     GAsyncReadyCallback  callback,
     gpointer             user_data)
{
  avfs_job_run (self, source_tag, func, args, args_free, result_free, NULL, NULL,
                cancellable, callback, user_data);
}

static gpointer
open_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  Args *args = data;

  return avfs_vault_open (args->path, args->options, error);
}

/**
 * avfs_vault_open_async:
 * @backend_options: (nullable): engine name → (option → value), copied by reference
 *
 * Opens a vault on a worker thread (opening may replay a journal).
 */
void
avfs_vault_open_async (const char           *path,
                       GHashTable           *backend_options,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  Args *args = args_new (path, NULL, 0, FALSE);

  args->options = backend_options != NULL ? g_hash_table_ref (backend_options) : NULL;
  run (NULL, avfs_vault_open_async, open_job, args, g_object_unref, cancellable, callback,
       user_data);
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

void
avfs_vault_close_async (AvfsVault            *self,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  run (self, avfs_vault_close_async, close_job, args_new (NULL, NULL, 0, FALSE), NULL,
       cancellable, callback, user_data);
}

gboolean
avfs_vault_close_finish (AvfsVault     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return avfs_job_finish (result, avfs_vault_close_async, error) != NULL;
}

static gpointer
stat_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  return avfs_vault_stat (source, ((Args *) data)->path, error);
}

void
avfs_vault_stat_async (AvfsVault            *self,
                       const char           *path,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  run (self, avfs_vault_stat_async, stat_job, args_new (path, NULL, 0, FALSE),
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
  return avfs_vault_list (source, ((Args *) data)->path, error);
}

void
avfs_vault_list_async (AvfsVault            *self,
                       const char           *path,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  run (self, avfs_vault_list_async, list_job, args_new (path, NULL, 0, FALSE),
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
read_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  Args *args = data;

  return avfs_vault_read (source, args->path, args->number, error);
}

void
avfs_vault_read_async (AvfsVault            *self,
                       const char           *path,
                       guint32               version,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  run (self, avfs_vault_read_async, read_job, args_new (path, NULL, version, FALSE),
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
  Args *args = data;
  gsize len;
  const guint8 *content = g_bytes_get_data (args->content, &len);

  return GUINT_TO_POINTER (avfs_vault_write (source, args->path, content, len,
                                             args->number, error));
}

void
avfs_vault_write_async (AvfsVault            *self,
                        const char           *path,
                        GBytes               *content,
                        AvfsWriteFlags        flags,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  Args *args = args_new (path, NULL, flags, FALSE);

  args->content = g_bytes_ref (content);
  run (self, avfs_vault_write_async, write_job, args, NULL, cancellable, callback,
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
  Args *args = data;

  return avfs_vault_mkdir (source, args->path, args->flag, error) ? AVFS_JOB_DONE : NULL;
}

void
avfs_vault_mkdir_async (AvfsVault            *self,
                        const char           *path,
                        gboolean              parents,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  run (self, avfs_vault_mkdir_async, mkdir_job, args_new (path, NULL, 0, parents), NULL,
       cancellable, callback, user_data);
}

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
  Args *args = data;

  return avfs_vault_remove (source, args->path, args->flag, error) ? AVFS_JOB_DONE : NULL;
}

void
avfs_vault_remove_async (AvfsVault            *self,
                         const char           *path,
                         gboolean              recursive,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  run (self, avfs_vault_remove_async, remove_job, args_new (path, NULL, 0, recursive), NULL,
       cancellable, callback, user_data);
}

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
  Args *args = data;

  return avfs_vault_move (source, args->path, args->other, error);
}

void
avfs_vault_move_async (AvfsVault            *self,
                       const char           *from,
                       const char           *to,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  run (self, avfs_vault_move_async, move_job, args_new (from, to, 0, FALSE), g_free,
       cancellable, callback, user_data);
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
  Args *args = data;

  return avfs_vault_copy (source, args->path, args->other, args->flag, error);
}

void
avfs_vault_copy_async (AvfsVault            *self,
                       const char           *from,
                       const char           *to,
                       gboolean              recursive,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  run (self, avfs_vault_copy_async, copy_job, args_new (from, to, 0, recursive), g_free,
       cancellable, callback, user_data);
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
