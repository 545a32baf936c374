/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tags and metadata, asynchronously: one job per call of avfs-vault-tags.h. */
#include "avfs-vault-async-private.h"
#include "avfs-vault-async-tags.h"

static gpointer
tag_add_job (gpointer          source,
             gpointer          data,
             GCancellable     *cancellable,
             AvfsProgressFunc  progress,
             gpointer          progress_data,
             GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_tag_add (source, args->path, args->other, error) ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_tag_add_async:
 *
 * Runs avfs_vault_tag_add() on a worker thread. avfs_vault_tag_add_finish() says
 * whether @path carries @tag now.
 */
void
avfs_vault_tag_add_async (AvfsVault            *self,
                          const char           *path,
                          const char           *tag,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_tag_add_async, tag_add_job,
                  avfs_async_args_new (path, tag, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_tag_add_finish:
 *
 * Returns: %TRUE when the path carries the tag (it may have had it already)
 */
gboolean
avfs_vault_tag_add_finish (AvfsVault     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return avfs_job_finish (result, avfs_vault_tag_add_async, error) != NULL;
}

static gpointer
tag_remove_job (gpointer          source,
                gpointer          data,
                GCancellable     *cancellable,
                AvfsProgressFunc  progress,
                gpointer          progress_data,
                GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_tag_remove (source, args->path, args->other, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_tag_remove_async:
 *
 * Runs avfs_vault_tag_remove() on a worker thread. avfs_vault_tag_remove_finish() says
 * whether the tag was removed.
 */
void
avfs_vault_tag_remove_async (AvfsVault            *self,
                             const char           *path,
                             const char           *tag,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_tag_remove_async, tag_remove_job,
                  avfs_async_args_new (path, tag, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_tag_remove_finish:
 *
 * Returns: %TRUE when the tag was removed; %FALSE with %AVFS_ERROR_NOT_FOUND when the
 *   path did not have it
 */
gboolean
avfs_vault_tag_remove_finish (AvfsVault     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return avfs_job_finish (result, avfs_vault_tag_remove_async, error) != NULL;
}

static gpointer
tags_list_job (gpointer          source,
               gpointer          data,
               GCancellable     *cancellable,
               AvfsProgressFunc  progress,
               gpointer          progress_data,
               GError          **error)
{
  return avfs_vault_tags_list (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_vault_tags_list_async:
 *
 * Runs avfs_vault_tags_list() on a worker thread. avfs_vault_tags_list_finish() gives
 * the tags of @path.
 */
void
avfs_vault_tags_list_async (AvfsVault            *self,
                            const char           *path,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_tags_list_async, tags_list_job,
                  avfs_async_args_new (path, NULL, 0, FALSE), (GDestroyNotify) g_strfreev,
                  cancellable, callback, user_data);
}

/**
 * avfs_vault_tags_list_finish:
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the path's tags, in
 *   byte order (an empty array when it has none)
 */
char **
avfs_vault_tags_list_finish (AvfsVault     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return avfs_job_finish (result, avfs_vault_tags_list_async, error);
}

static gpointer
tags_all_job (gpointer          source,
              gpointer          data,
              GCancellable     *cancellable,
              AvfsProgressFunc  progress,
              gpointer          progress_data,
              GError          **error)
{
  return avfs_vault_tags_all (source, error);
}

/**
 * avfs_vault_tags_all_async:
 *
 * Runs avfs_vault_tags_all() on a worker thread. avfs_vault_tags_all_finish() gives
 * every tag in use with its count.
 */
void
avfs_vault_tags_all_async (AvfsVault            *self,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_tags_all_async, tags_all_job,
                  avfs_async_args_new (NULL, NULL, 0, FALSE),
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_tags_all_finish:
 *
 * Returns: (transfer full) (element-type AvfsTagCount) (nullable): every tag in use
 *   with the number of files and directories carrying it, in byte order of the tags
 */
GPtrArray *
avfs_vault_tags_all_finish (AvfsVault     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return avfs_job_finish (result, avfs_vault_tags_all_async, error);
}

static gpointer
find_by_tag_job (gpointer          source,
                 gpointer          data,
                 GCancellable     *cancellable,
                 AvfsProgressFunc  progress,
                 gpointer          progress_data,
                 GError          **error)
{
  return avfs_vault_find_by_tag (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_vault_find_by_tag_async:
 *
 * Runs avfs_vault_find_by_tag() on a worker thread. avfs_vault_find_by_tag_finish()
 * gives the paths carrying @tag.
 */
void
avfs_vault_find_by_tag_async (AvfsVault            *self,
                              const char           *tag,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_find_by_tag_async, find_by_tag_job,
                  avfs_async_args_new (tag, NULL, 0, FALSE), (GDestroyNotify) g_strfreev,
                  cancellable, callback, user_data);
}

/**
 * avfs_vault_find_by_tag_finish:
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the paths of the
 *   files and directories carrying the tag, in byte order (empty for an unknown tag)
 */
char **
avfs_vault_find_by_tag_finish (AvfsVault     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return avfs_job_finish (result, avfs_vault_find_by_tag_async, error);
}

static gpointer
meta_set_job (gpointer          source,
              gpointer          data,
              GCancellable     *cancellable,
              AvfsProgressFunc  progress,
              gpointer          progress_data,
              GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_meta_set (source, args->path, args->other, args->value, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_meta_set_async:
 *
 * Runs avfs_vault_meta_set() on a worker thread. avfs_vault_meta_set_finish() says
 * whether the value was set.
 */
void
avfs_vault_meta_set_async (AvfsVault            *self,
                           const char           *path,
                           const char           *key,
                           const char           *value,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  AvfsAsyncArgs *args = avfs_async_args_new (path, key, 0, FALSE);

  args->value = g_strdup (value);
  avfs_async_run (self, avfs_vault_meta_set_async, meta_set_job, args, NULL, cancellable,
                  callback, user_data);
}

/**
 * avfs_vault_meta_set_finish:
 *
 * Returns: %TRUE when the value was set
 */
gboolean
avfs_vault_meta_set_finish (AvfsVault     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return avfs_job_finish (result, avfs_vault_meta_set_async, error) != NULL;
}

static gpointer
meta_get_job (gpointer          source,
              gpointer          data,
              GCancellable     *cancellable,
              AvfsProgressFunc  progress,
              gpointer          progress_data,
              GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_meta_get (source, args->path, args->other, error);
}

/**
 * avfs_vault_meta_get_async:
 *
 * Runs avfs_vault_meta_get() on a worker thread. avfs_vault_meta_get_finish() gives
 * the value.
 */
void
avfs_vault_meta_get_async (AvfsVault            *self,
                           const char           *path,
                           const char           *key,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_meta_get_async, meta_get_job,
                  avfs_async_args_new (path, key, 0, FALSE), g_free, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_meta_get_finish:
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with %AVFS_ERROR_NOT_FOUND
 *   when the path has no such key
 */
char *
avfs_vault_meta_get_finish (AvfsVault     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return avfs_job_finish (result, avfs_vault_meta_get_async, error);
}

static gpointer
meta_delete_job (gpointer          source,
                 gpointer          data,
                 GCancellable     *cancellable,
                 AvfsProgressFunc  progress,
                 gpointer          progress_data,
                 GError          **error)
{
  AvfsAsyncArgs *args = data;

  return avfs_vault_meta_delete (source, args->path, args->other, error)
         ? AVFS_JOB_DONE : NULL;
}

/**
 * avfs_vault_meta_delete_async:
 *
 * Runs avfs_vault_meta_delete() on a worker thread. avfs_vault_meta_delete_finish()
 * says whether the key was deleted.
 */
void
avfs_vault_meta_delete_async (AvfsVault            *self,
                              const char           *path,
                              const char           *key,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_meta_delete_async, meta_delete_job,
                  avfs_async_args_new (path, key, 0, FALSE), NULL, cancellable, callback,
                  user_data);
}

/**
 * avfs_vault_meta_delete_finish:
 *
 * Returns: %TRUE when the key was deleted; %FALSE with %AVFS_ERROR_NOT_FOUND when the
 *   path had no such key
 */
gboolean
avfs_vault_meta_delete_finish (AvfsVault     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return avfs_job_finish (result, avfs_vault_meta_delete_async, error) != NULL;
}

static gpointer
meta_list_job (gpointer          source,
               gpointer          data,
               GCancellable     *cancellable,
               AvfsProgressFunc  progress,
               gpointer          progress_data,
               GError          **error)
{
  return avfs_vault_meta_list (source, ((AvfsAsyncArgs *) data)->path, error);
}

/**
 * avfs_vault_meta_list_async:
 *
 * Runs avfs_vault_meta_list() on a worker thread. avfs_vault_meta_list_finish() gives
 * the metadata of @path.
 */
void
avfs_vault_meta_list_async (AvfsVault            *self,
                            const char           *path,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  avfs_async_run (self, avfs_vault_meta_list_async, meta_list_job,
                  avfs_async_args_new (path, NULL, 0, FALSE),
                  (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * avfs_vault_meta_list_finish:
 *
 * Returns: (transfer full) (element-type AvfsMetaEntry) (nullable): the path's
 *   metadata, in byte order of the keys
 */
GPtrArray *
avfs_vault_meta_list_finish (AvfsVault     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return avfs_job_finish (result, avfs_vault_meta_list_async, error);
}
