/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import from and export to the host file system: batched, streamed, never following links. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avfs-import-pipeline.h"
#include "avfs-path.h"
#include "avfs-vault-private.h"
#include "avfs-vault-transfer.h"

#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)
#define READ_BUFFER_SIZE (4 * 1024 * 1024)
/* Small files are imported many to a transaction: one commit per file would make an
 * import of a source tree hundreds of times slower. */
#define BATCH_MAX_ENTRIES 1000
#define BATCH_MAX_BYTES (16 * 1024 * 1024)
/* What a worker reads of one file ahead of the writer: all of most files. */
#define READ_AHEAD_MAX (8 * 1024 * 1024)
#define TEMP_ATTEMPTS 16

/* A host file descriptor, closed when it goes out of scope. */
typedef int HostFd;

static void
host_fd_close (HostFd fd)
{
  close (fd);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HostFd, host_fd_close, -1)

/* An errno from the host as an AVFS_ERROR naming the host path. */
static void
set_host_error (GError     **error,
                int          errsv,
                const char  *what,
                const char  *host_path)
{
  g_autofree char *shown = g_filename_display_name (host_path);
  AvfsError code = AVFS_ERROR_IO;

  if (errsv == ENOENT)
    code = AVFS_ERROR_NOT_FOUND;
  else if (errsv == EEXIST)
    code = AVFS_ERROR_EXISTS;
  else if (errsv == ENOTDIR)
    code = AVFS_ERROR_NOT_A_DIRECTORY;
  else if (errsv == ENOSPC || errsv == EDQUOT)
    code = AVFS_ERROR_NO_SPACE;
  g_set_error (error, AVFS_ERROR, code, "Cannot %s %s: %s", what, shown, g_strerror (errsv));
}

typedef struct
{
  AvfsProgressFunc func;
  gpointer user_data;
  AvfsProgress state;
  gint64 last_us; /* 0 until the first report */
} Progress;

/* Reports at most every PROGRESS_INTERVAL_US, unless @force. */
static void
progress_report (Progress *progress,
                 gboolean  force)
{
  gint64 now;

  if (progress->func == NULL)
    return;
  now = g_get_monotonic_time ();
  if (!force && progress->last_us != 0 && now - progress->last_us < PROGRESS_INTERVAL_US)
    return;
  progress->last_us = now;
  progress->func (&progress->state, progress->user_data);
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Zeroes the caller's report, or @local when the caller wants none, and returns it. */
static AvfsTransferReport *
report_init (AvfsTransferReport *report,
             AvfsTransferReport *local)
{
  if (report == NULL)
    report = local;
  *report = (AvfsTransferReport) { 0 };
  return report;
}

/* Ends a transfer: after success, with a last progress report; after a failure, handing
 * on its error, where a cancellation becomes AVFS_ERROR_CANCELLED with
 * @cancelled_message, whichever layer (ours, GIO's) noticed it first. */
static gboolean
finish_transfer (Progress    *progress,
                 GError      *local_error,
                 const char  *cancelled_message,
                 GError     **error)
{
  if (local_error == NULL)
    {
      progress_report (progress, TRUE);
      return TRUE;
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&local_error);
      g_set_error_literal (&local_error, AVFS_ERROR, AVFS_ERROR_CANCELLED, cancelled_message);
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

/* ------------------------------------------------------------------------------------ */
/* Import */

/* A vault directory an import writes into. */
typedef struct
{
  char *vault_path;
  guint64 id;     /* its node, or 0 until the batch that creates it commits */
  guint64 new_id; /* the id the running batch transaction gave it */
} ImportDir;

static void
import_dir_clear (gpointer data)
{
  ImportDir *dir = data;

  g_free (dir->vault_path);
}

static ImportDir *
import_dir_new (const char *vault_path,
                guint64     id)
{
  ImportDir *dir = g_rc_box_new0 (ImportDir);

  dir->vault_path = g_strdup (vault_path);
  dir->id = id;
  return dir;
}

static void
import_dir_unref (ImportDir *dir)
{
  g_rc_box_release_full (dir, import_dir_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportDir, import_dir_unref)

static guint64
import_dir_get_id (const ImportDir *dir)
{
  return dir->id != 0 ? dir->id : dir->new_id;
}

/* One directory to create or file to write in a batch. */
typedef struct
{
  ImportDir *parent;
  ImportDir *dir;          /* a directory to create: itself */
  char *name;
  guint32 mode;            /* a file's */
  AvfsNode *existing;      /* a file already in the vault */
  AvfsChunkWriter *chunks; /* a file's content; NULL when only its mode changes */
} ImportEntry;

static void
import_entry_clear (gpointer data)
{
  ImportEntry *entry = data;

  g_clear_pointer (&entry->parent, import_dir_unref);
  g_clear_pointer (&entry->dir, import_dir_unref);
  g_clear_pointer (&entry->name, g_free);
  g_clear_pointer (&entry->existing, avfs_node_free);
  g_clear_pointer (&entry->chunks, avfs_chunk_writer_free);
}

/* What one transaction writes. */
typedef struct
{
  AvfsVault *vault;
  const char *target;  /* the import's vault path, for the audit */
  char *from_json;     /* the host path, for the audit */
  ImportDir *top;      /* created with its parents by the first batch when missing */
  GArray *entries;     /* ImportEntry, parents before their children */
  guint64 files;
  guint64 bytes;
  guint64 largest;     /* the largest file, for the max_file_size_mb quota */
  char *largest_path;
  guint64 directories; /* out: created by the transaction */
} ImportBatch;

/* The walk (on the caller's thread) queues files and directories in the pipeline in
 * walk order; workers read, hash and compress the files; the caller's thread takes them
 * back in the same order and writes them in batches. Workers only see @vault and
 * @cancellable. */
typedef struct
{
  AvfsVault *vault;
  AvfsImportFlags flags;
  GCancellable *cancellable;
  AvfsTransferReport *report;
  Progress progress;
  guint8 *buffer;      /* the writer's, for what workers leave of large files */
  AvfsImportPipeline *pipeline;
  ImportBatch batch;
  gboolean trained;    /* the vault's compression dictionary was seen to */
} Import;

static gboolean
import_save_entry (ImportBatch      *batch,
                   AvfsTransaction  *tx,
                   ImportEntry      *entry,
                   AvfsUsage        *usage,
                   GError          **error)
{
  g_autoptr(AvfsNode) node = NULL;
  guint64 id;

  if (entry->existing != NULL)
    node = avfs_node_copy (entry->existing);
  else if (avfs_vault_next_id (batch->vault, tx, &id, error))
    node = avfs_node_new (id,
                          entry->dir != NULL ? AVFS_NODE_KIND_DIRECTORY : AVFS_NODE_KIND_FILE,
                          import_dir_get_id (entry->parent), entry->name);
  else
    return FALSE;

  if (entry->dir != NULL)
    {
      entry->dir->new_id = node->id;
      usage->directories++;
      return avfs_node_save (tx, node, error) && avfs_vault_link (tx, node, error);
    }
  node->mode = entry->mode;
  if (entry->chunks == NULL)
    return avfs_node_save (tx, node, error);
  if (entry->existing == NULL)
    usage->files++;
  avfs_vault_search_mark (batch->vault, node->id,
                          entry->existing == NULL ? avfs_no_tags : NULL);
  return avfs_node_add_version (tx, node, entry->chunks, "import", usage, error);
}

/* One batch: a transaction that may be re-run, so it sets every output afresh. */
static gboolean
import_batch_cb (AvfsTransaction  *tx,
                 gpointer          user_data,
                 GError          **error)
{
  ImportBatch *batch = user_data;
  g_autofree char *details = NULL;
  AvfsUsage usage;
  guint64 directories_before;

  if (!avfs_usage_load (batch->vault, tx, &usage, error))
    return FALSE;
  directories_before = usage.directories;
  if (batch->top->id == 0)
    {
      g_autoptr(AvfsNode) top = avfs_vault_ensure_directories (batch->vault, tx,
                                                               batch->top->vault_path,
                                                               &usage, error);
      if (top == NULL)
        return FALSE;
      batch->top->new_id = top->id;
    }
  for (guint i = 0; i < batch->entries->len; i++)
    if (!import_save_entry (batch, tx, &g_array_index (batch->entries, ImportEntry, i),
                            &usage, error))
      return FALSE;
  batch->directories = usage.directories - directories_before;
  details = g_strdup_printf ("{\"from\": %s, \"files\": %" G_GUINT64_FORMAT
                             ", \"directories\": %" G_GUINT64_FORMAT ", \"bytes\": %"
                             G_GUINT64_FORMAT "}", batch->from_json, batch->files,
                             batch->directories, batch->bytes);
  return avfs_vault_check_quota (batch->vault, tx, &usage, batch->largest,
                                 batch->largest_path != NULL ? batch->largest_path
                                                             : batch->target, error) &&
         avfs_usage_save (tx, &usage, error) &&
         avfs_vault_audit (batch->vault, tx, "import", batch->target, details, error);
}

/* Commits the batch (also an empty one that must create the import's top directory). */
static gboolean
import_commit (Import  *import,
               GError **error)
{
  ImportBatch *batch = &import->batch;

  if (batch->entries->len == 0 && batch->top->id != 0)
    return TRUE;
  if (!avfs_vault_transaction (import->vault, import_batch_cb, batch, error))
    return FALSE;
  if (batch->top->id == 0)
    batch->top->id = batch->top->new_id;
  for (guint i = 0; i < batch->entries->len; i++)
    {
      ImportEntry *entry = &g_array_index (batch->entries, ImportEntry, i);

      if (entry->dir != NULL)
        entry->dir->id = entry->dir->new_id;
    }
  import->report->files += batch->files;
  import->report->directories += batch->directories;
  import->report->bytes += batch->bytes;
  /* The first batch of many small files (a batch of AVFS_DICTIONARY_MIN_FILES files is
   * under BATCH_MAX_BYTES) gives the vault a dictionary to compress the rest with, from
   * a sample of what it holds; smaller batches add up to one. */
  if (!import->trained && batch->files >= AVFS_DICTIONARY_MIN_FILES)
    {
      import->trained = TRUE;
      if (!avfs_vault_train_chunk_dictionary (import->vault, error))
        return FALSE;
    }
  else
    avfs_vault_train_chunk_dictionary_when_due (import->vault);
  g_array_set_size (batch->entries, 0);
  batch->files = batch->bytes = batch->largest = 0;
  g_clear_pointer (&batch->largest_path, g_free);
  return TRUE;
}

/* Adds @entry to the batch, taking what it holds (it is left empty), and commits the
 * batch once full. */
static gboolean
import_add (Import       *import,
            ImportEntry  *entry,
            const char   *vault_path,
            GError      **error)
{
  ImportBatch *batch = &import->batch;
  guint64 size = entry->chunks != NULL ? avfs_chunk_writer_get_size (entry->chunks) : 0;

  if (entry->chunks != NULL)
    {
      batch->files++;
      batch->bytes += size;
    }
  if (entry->chunks != NULL && (batch->largest_path == NULL || size > batch->largest))
    {
      batch->largest = size;
      g_free (batch->largest_path);
      batch->largest_path = g_strdup (vault_path);
    }
  g_array_append_val (batch->entries, *entry);
  *entry = (ImportEntry) { NULL };
  if (batch->entries->len >= BATCH_MAX_ENTRIES || batch->bytes >= BATCH_MAX_BYTES)
    return import_commit (import, error);
  return TRUE;
}

/* A directory to create or a file to write, on its way from the walk to the batch.
 *
 * A worker reads a file's first @read_ahead bytes (all of most files) through a
 * detached chunk writer, which hashes and compresses them. Of a larger file, the writer
 * thread streams the rest as it takes the job, flushing chunks every few MiB as a
 * single write does: simple, and memory stays flat whatever the file's size, at the cost
 * of hashing a large file's tail on one thread. */
typedef struct
{
  ImportEntry entry;
  char *vault_path;
  char *host_path;
  int fd;              /* a file's, open until the job is freed */
  guint64 read_ahead;  /* also what the job may hold in memory */
  guint64 read;        /* bytes read so far */
  gboolean at_end;     /* the whole file was read */
  GError *error;       /* the worker's */
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  import_entry_clear (&job->entry);
  g_free (job->vault_path);
  g_free (job->host_path);
  if (job->fd >= 0)
    close (job->fd);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportJob, import_job_free)

/* Reads @job's file on into its chunk writer, a buffer at a time, until its end or until
 * more than @limit bytes were read in all (one more than @limit tells the end from a
 * file that fills it exactly). Only the writer thread gives @progress. */
static gboolean
import_read (ImportJob     *job,
             guint8        *buffer,
             gsize          buffer_size,
             guint64        limit,
             GCancellable  *cancellable,
             Progress      *progress,
             GError       **error)
{
  while (!job->at_end && job->read <= limit)
    {
      guint64 left = limit - job->read;
      gssize got;

      if (!check_cancelled (cancellable, error))
        return FALSE;
      got = read (job->fd, buffer, left < buffer_size ? left + 1 : buffer_size);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          set_host_error (error, errno, "read", job->host_path);
          return FALSE;
        }
      job->at_end = got == 0;
      job->read += got;
      if (!avfs_chunk_writer_add (job->entry.chunks, buffer, got, error))
        return FALSE;
      if (progress != NULL)
        {
          progress->state.bytes_done += got;
          progress_report (progress, FALSE);
        }
    }
  return !job->at_end || avfs_chunk_writer_finish (job->entry.chunks, error);
}

/* On a worker (or the writer, when it gets there first): reads the start of a file (all
 * of a small one), hashing and compressing. */
static void
import_prepare (gpointer data,
                gpointer user_data)
{
  ImportJob *job = data;
  Import *import = user_data;
  gsize buffer_size = MIN (job->read_ahead + 1, READ_BUFFER_SIZE);
  g_autofree guint8 *buffer = g_malloc (buffer_size);

  job->entry.chunks = avfs_chunk_writer_new_detached (import->vault);
  import_read (job, buffer, buffer_size, job->read_ahead, import->cancellable, NULL,
               &job->error);
}

/* On the writer: finishes a file a worker read, and adds it to the batch unless the
 * vault holds that content there already. */
static gboolean
import_take_file (Import     *import,
                  ImportJob  *job,
                  GError    **error)
{
  ImportEntry *entry = &job->entry;
  g_autoptr(GBytes) content = NULL;

  import->progress.state.files_done++;
  import->progress.state.bytes_done += job->read;
  progress_report (&import->progress, FALSE);
  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }
  avfs_chunk_writer_attach (entry->chunks);
  if (!check_cancelled (import->cancellable, error) ||
      !import_read (job, import->buffer, READ_BUFFER_SIZE, G_MAXUINT64, import->cancellable,
                    &import->progress, error))
    return FALSE;

  content = avfs_chunk_writer_get_content (entry->chunks);
  if (entry->existing != NULL &&
      entry->existing->size == avfs_chunk_writer_get_size (entry->chunks) &&
      g_bytes_equal (entry->existing->content, content))
    {
      /* Same content: no new version; only a changed executable bit is saved. */
      import->report->unchanged++;
      if (entry->existing->mode == entry->mode)
        return TRUE;
      g_clear_pointer (&entry->chunks, avfs_chunk_writer_free);
    }
  return import_add (import, entry, job->vault_path, error);
}

/* Takes the oldest job back from the pipeline and writes it. */
static gboolean
import_take (Import  *import,
             GError **error)
{
  g_autoptr(ImportJob) job = avfs_import_pipeline_pop (import->pipeline);

  if (job->entry.dir != NULL)
    return import_add (import, &job->entry, job->vault_path, error);
  return import_take_file (import, job, error);
}

/* Queues @job after those the walk queued before, writing the oldest ones first while
 * the pipeline is full. */
static gboolean
import_submit (Import     *import,
               ImportJob  *job,
               GError    **error)
{
  g_autoptr(ImportJob) owned = job;

  while (!avfs_import_pipeline_has_room (import->pipeline, job->read_ahead))
    if (!import_take (import, error))
      return FALSE;
  avfs_import_pipeline_push (import->pipeline, g_steal_pointer (&owned), job->read_ahead,
                             job->entry.dir == NULL);
  return TRUE;
}

/* Writes everything the walk queued. */
static gboolean
import_drain (Import  *import,
              GError **error)
{
  while (!avfs_import_pipeline_is_empty (import->pipeline))
    if (!import_take (import, error))
      return FALSE;
  return TRUE;
}

/* A host file or directory an import takes, and where it goes. */
typedef struct
{
  ImportDir *parent;      /* the vault directory it goes into… */
  const char *name;       /* …under this name */
  const char *vault_path;
  const char *host_path;
} ImportItem;

/* Finds what the vault holds where @item goes, leaving @existing %NULL when there is
 * nothing; what is there must be of @kind, since an import replaces a file only with a
 * file. */
static gboolean
import_lookup (Import            *import,
               const ImportItem  *item,
               AvfsNodeKind       kind,
               AvfsNode         **existing,
               GError           **error)
{
  GError *local_error = NULL;

  /* A directory this import creates starts empty. */
  if (item->parent->id != 0)
    *existing = avfs_vault_lookup_child (import->vault, NULL, item->parent->id, item->name,
                                         &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (*existing == NULL || (*existing)->kind == kind)
    return TRUE;
  if (kind == AVFS_NODE_KIND_FILE)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY,
                 "Cannot import the file %s: %s is a directory in the vault; move it aside first",
                 item->host_path, item->vault_path);
  else
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                 "Cannot import the directory %s: %s is a file in the vault; move it aside first",
                 item->host_path, item->vault_path);
  return FALSE;
}

/* A job for @item, with what the walk knows. */
static ImportJob *
import_job_new (const ImportItem *item)
{
  ImportJob *job = g_new0 (ImportJob, 1);

  job->entry.parent = g_rc_box_acquire (item->parent);
  job->entry.name = g_strdup (item->name);
  job->vault_path = g_strdup (item->vault_path);
  job->host_path = g_strdup (item->host_path);
  job->fd = -1;
  return job;
}

/* Queues the host file open in @fd (which it takes). */
static gboolean
import_file (Import             *import,
             HostFd             *fd,
             const struct stat  *st,
             const ImportItem   *item,
             GError            **error)
{
  g_autoptr(AvfsNode) existing = NULL;
  ImportJob *job;

  if (!import_lookup (import, item, AVFS_NODE_KIND_FILE, &existing, error))
    return FALSE;
  if (existing != NULL && (import->flags & AVFS_IMPORT_NO_CLOBBER))
    {
      import->progress.state.files_done++;
      import->report->skipped_existing++;
      return TRUE;
    }
  job = import_job_new (item);
  /* Like git, keep whether a file is executable and no other permission bit. */
  job->entry.mode = (st->st_mode & 0111) != 0 ? 0755 : 0644;
  job->entry.existing = g_steal_pointer (&existing);
  job->fd = g_steal_fd (fd);
  job->read_ahead = MIN ((guint64) st->st_size, READ_AHEAD_MAX);
  return import_submit (import, job, error);
}

static gboolean import_directory (Import      *import,
                                  int          fd,
                                  ImportDir   *dir,
                                  const char  *host_path,
                                  GError     **error);

static gboolean
import_subdirectory (Import            *import,
                     int                fd,
                     const ImportItem  *item,
                     GError           **error)
{
  g_autoptr(AvfsNode) existing = NULL;
  g_autoptr(ImportDir) dir = NULL;

  if (!import_lookup (import, item, AVFS_NODE_KIND_DIRECTORY, &existing, error))
    return FALSE;
  dir = import_dir_new (item->vault_path, existing != NULL ? existing->id : 0);
  if (existing == NULL)
    {
      ImportJob *job = import_job_new (item);

      job->entry.dir = g_rc_box_acquire (dir);
      if (!import_submit (import, job, error))
        return FALSE;
    }
  return import_directory (import, fd, dir, item->host_path, error);
}

/* Says why @name in @dir cannot be imported, or returns %NULL when it can. */
static const char *
import_refuse_name (const char *dir_path,
                    const char *name)
{
  if (!avfs_path_check_name (name, NULL))
    return "its name is not valid UTF-8";
  if (strlen (dir_path) + 1 + strlen (name) > AVFS_PATH_MAX_LEN)
    return "its vault path would be longer than 4096 bytes";
  return NULL;
}

static void
import_skip (const char *host_path,
             const char *why)
{
  g_autofree char *shown = g_filename_display_name (host_path);

  g_debug ("Import skips %s: %s", shown, why);
}

/* Imports one entry of a host directory; links and special files are skipped, never
 * followed or read. */
static gboolean
import_child (Import       *import,
              int           dir_fd,
              ImportDir    *dir,
              const char   *name,
              const char   *dir_host_path,
              GError      **error)
{
  g_autofree char *host_path = g_build_filename (dir_host_path, name, NULL);
  g_autofree char *vault_path = NULL;
  g_auto(HostFd) fd = -1;
  const char *refusal;
  ImportItem item;
  struct stat st;

  if (!check_cancelled (import->cancellable, error))
    return FALSE;
  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      set_host_error (error, errno, "inspect", host_path);
      return FALSE;
    }
  /* Open without following, then look at what was opened: a name swapped for a link
   * meanwhile fails to open (ELOOP) instead of leading out of the tree. */
  if (S_ISLNK (st.st_mode))
    {
      import_skip (host_path, "a symbolic link");
      import->report->skipped_symlinks++;
      return TRUE;
    }
  if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if ((S_ISREG (st.st_mode) || S_ISDIR (st.st_mode)) && (fd < 0 || fstat (fd, &st) != 0))
    {
      set_host_error (error, errno, "open", host_path);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode))
    {
      import_skip (host_path, "not a regular file or directory");
      import->report->skipped_special++;
      return TRUE;
    }
  refusal = import_refuse_name (dir->vault_path, name);
  if (refusal != NULL)
    {
      import_skip (host_path, refusal);
      import->report->skipped_names++;
      return TRUE;
    }
  vault_path = avfs_path_join (dir->vault_path, name);
  item = (ImportItem) { dir, name, vault_path, host_path };
  if (S_ISDIR (st.st_mode))
    return import_subdirectory (import, fd, &item, error);
  return import_file (import, &fd, &st, &item, error);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The names in an open host directory, in byte order so imports are reproducible. */
static GPtrArray *
read_names (int          fd,
            const char  *host_path,
            GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int own = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  DIR *stream = own >= 0 ? fdopendir (own) : NULL;
  struct dirent *entry;
  int errsv;

  if (stream == NULL)
    {
      errsv = errno;
      if (own >= 0)
        close (own);
      set_host_error (error, errsv, "list", host_path);
      return NULL;
    }
  for (errno = 0; (entry = readdir (stream)) != NULL; errno = 0)
    if (!g_str_equal (entry->d_name, ".") && !g_str_equal (entry->d_name, ".."))
      g_ptr_array_add (names, g_strdup (entry->d_name));
  errsv = errno;
  closedir (stream);
  if (errsv != 0)
    {
      set_host_error (error, errsv, "list", host_path);
      return NULL;
    }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

static gboolean
import_directory (Import      *import,
                  int          fd,
                  ImportDir   *dir,
                  const char  *host_path,
                  GError     **error)
{
  g_autoptr(GPtrArray) names = read_names (fd, host_path, error);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    if (!import_child (import, fd, dir, g_ptr_array_index (names, i), host_path, error))
      return FALSE;
  return TRUE;
}

/* Opens what the caller named, which must be a regular file or a directory itself. */
static int
open_top (const char   *host_path,
          struct stat  *st,
          GError      **error)
{
  g_autofree char *shown = g_filename_display_name (host_path);
  g_auto(HostFd) fd = -1;

  if (lstat (host_path, st) != 0)
    {
      set_host_error (error, errno, "import", host_path);
      return -1;
    }
  if (S_ISLNK (st->st_mode))
    {
      g_autofree char *target = g_file_read_link (host_path, NULL);
      g_autofree char *target_shown = g_filename_display_name (target != NULL ? target : "?");

      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "%s is a symbolic link (to %s); import never follows links: "
                   "import what it points to instead", shown, target_shown);
      return -1;
    }
  if (S_ISREG (st->st_mode) || S_ISDIR (st->st_mode))
    fd = open (host_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if ((S_ISREG (st->st_mode) || S_ISDIR (st->st_mode)) && (fd < 0 || fstat (fd, st) != 0))
    {
      set_host_error (error, errno, "open", host_path);
      return -1;
    }
  if (!S_ISREG (st->st_mode) && !S_ISDIR (st->st_mode))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "%s is not a regular file or a directory (a fifo, socket or device); "
                   "there is nothing to import", shown);
      return -1;
    }
  return g_steal_fd (&fd);
}

/* The vault directory at @path, or one with id 0 that the first batch will create. */
static ImportDir *
import_find_directory (Import      *import,
                       const char  *path,
                       const char  *host_path,
                       GError     **error)
{
  GError *local_error = NULL;
  g_autoptr(AvfsNode) node = avfs_vault_resolve (import->vault, NULL, path, &local_error);

  if (node == NULL && g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      return import_dir_new (path, 0);
    }
  if (node == NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (node->kind != AVFS_NODE_KIND_DIRECTORY)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                   "Cannot import %s into %s: it is a file in the vault", host_path, path);
      return NULL;
    }
  return import_dir_new (path, node->id);
}

/* A single host file goes to @target, or into it when it is a vault directory. */
static gboolean
import_top_file (Import             *import,
                 HostFd             *fd,
                 const struct stat  *st,
                 const char         *host_path,
                 const char         *target,
                 GError            **error)
{
  g_autoptr(AvfsFileInfo) info = avfs_vault_stat (import->vault, target, NULL);
  g_autofree char *name = NULL;
  g_autofree char *parent_path = NULL;
  g_autofree char *vault_path = NULL;
  ImportItem item;

  if (info != NULL && info->kind == AVFS_NODE_KIND_DIRECTORY)
    {
      name = g_path_get_basename (host_path);
      parent_path = g_strdup (target);
      if (import_refuse_name (parent_path, name) != NULL)
        {
          g_autofree char *shown = g_filename_display_name (host_path);

          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH,
                       "The name of %s is not a valid vault name (UTF-8, at most 255 bytes); "
                       "give the vault path of the file instead of a directory", shown);
          return FALSE;
        }
    }
  else
    {
      name = g_strdup (avfs_path_get_name (target));
      parent_path = avfs_path_get_parent (target);
    }
  import->batch.top = import_find_directory (import, parent_path, host_path, error);
  if (import->batch.top == NULL)
    return FALSE;
  vault_path = avfs_path_join (parent_path, name);
  item = (ImportItem) { import->batch.top, name, vault_path, host_path };
  return import_file (import, fd, st, &item, error);
}

static void
import_init (Import             *import,
             AvfsVault          *self,
             const char         *host_path,
             const char         *target,
             AvfsImportFlags     flags,
             AvfsProgressFunc    progress,
             gpointer            user_data,
             GCancellable       *cancellable,
             AvfsTransferReport *report)
{
  g_autofree char *shown = g_filename_display_name (host_path);

  *import = (Import) { self, flags, cancellable, report };
  import->progress = (Progress) { progress, user_data, { "copy" } };
  import->buffer = g_malloc (READ_BUFFER_SIZE);
  import->batch.vault = self;
  import->batch.target = target;
  import->batch.from_json = avfs_json_quote (shown);
  import->batch.entries = g_array_new (FALSE, TRUE, sizeof (ImportEntry));
  g_array_set_clear_func (import->batch.entries, import_entry_clear);
}

static void
import_clear (Import *import)
{
  /* First: it waits for the workers, which use @import. */
  g_clear_pointer (&import->pipeline, avfs_import_pipeline_free);
  g_free (import->buffer);
  g_array_unref (import->batch.entries);
  g_clear_pointer (&import->batch.top, import_dir_unref);
  g_free (import->batch.largest_path);
  g_free (import->batch.from_json);
}

static gboolean
import_run (Import       *import,
            const char   *host_path,
            const char   *target,
            GError      **error)
{
  g_auto(HostFd) fd = -1;
  struct stat st;

  import->pipeline = avfs_import_pipeline_new (import_prepare, import,
                                               (GDestroyNotify) import_job_free, error);
  if (import->pipeline == NULL)
    return FALSE;
  fd = open_top (host_path, &st, error);
  if (fd < 0)
    return FALSE;
  if (S_ISDIR (st.st_mode) && (import->flags & AVFS_IMPORT_NO_RECURSE))
    {
      g_autofree char *shown = g_filename_display_name (host_path);

      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY,
                   "%s is a directory; import it recursively", shown);
      return FALSE;
    }
  if (S_ISREG (st.st_mode))
    return import_top_file (import, &fd, &st, host_path, target, error) &&
           import_drain (import, error) && import_commit (import, error);
  import->batch.top = import_find_directory (import, target, host_path, error);
  return import->batch.top != NULL &&
         import_directory (import, fd, import->batch.top, host_path, error) &&
         import_drain (import, error) && import_commit (import, error);
}

/**
 * avfs_vault_import:
 * @host_path: a file or directory on this computer (not a symbolic link)
 * @vault_path: where it goes; a directory's contents go into this directory (created
 *   with its parents when missing, like `cp -r dir/. vault_path`); a file goes to this
 *   path, or into it when it is a directory
 * @flags: refuse directories, or leave existing files alone
 * @progress: (nullable) (scope call): called with phase `"copy"` and the files and bytes
 *   read so far (the totals stay 0: an import does not count ahead)
 * @cancellable: (nullable): stops the import between reads
 * @report: (out caller-allocates) (optional): what was imported
 *
 * Files are read, hashed and compressed on a worker per processor (a bounded number of
 * files and bytes ahead), and written in the order of the walk, which lists each
 * directory in byte order of names. Imports in batches of up to 1000 files or 16 MiB,
 * each one transaction (and one audit entry). A failed or cancelled import keeps the batches it committed; importing again
 * completes it, storing no content twice. Symbolic links and special files inside a
 * directory are skipped and counted, never followed; so are names a vault cannot hold.
 * Other writers wait until the import ends, so @progress must not change the vault.
 *
 * Returns: %TRUE when everything that could be imported was
 */
gboolean
avfs_vault_import (AvfsVault           *self,
                   const char          *host_path,
                   const char          *vault_path,
                   AvfsImportFlags      flags,
                   AvfsProgressFunc     progress,
                   gpointer             user_data,
                   GCancellable        *cancellable,
                   AvfsTransferReport  *report,
                   GError             **error)
{
  g_autofree char *target = NULL;
  g_autofree char *cancelled = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsBulkJob) bulk = NULL;
  AvfsTransferReport local_report;
  GError *local_error = NULL;
  Import import;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (host_path != NULL, FALSE);
  report = report_init (report, &local_report);
  target = avfs_path_normalize (vault_path, error);
  if (target == NULL)
    return FALSE;

  locker = g_mutex_locker_new (&self->write_lock);
  bulk = avfs_vault_begin_bulk (self);
  import_init (&import, self, host_path, target, flags, progress, user_data, cancellable,
               report);
  import_run (&import, host_path, target, &local_error);
  import_clear (&import);
  cancelled = g_strdup_printf ("The import into %s was cancelled after %" G_GUINT64_FORMAT
                               " files; they stay in the vault, and importing again finishes "
                               "the job", target, report->files);
  return finish_transfer (&import.progress, local_error, cancelled, error);
}

/* ------------------------------------------------------------------------------------ */
/* Export */

/* One file or directory to write on the host. */
typedef struct
{
  char *name;          /* on the host */
  char *vault_path;
  char *host_path;     /* for messages */
  AvfsNodeKind kind;
  guint32 mode;
  gint64 modified_us;
  guint64 size;
  guint depth;         /* 0: directly in the export's host directory */
  gboolean exists;     /* already on the host: a directory to merge into, a file to replace */
} ExportEntry;

static void
export_entry_free (gpointer data)
{
  ExportEntry *entry = data;

  g_free (entry->name);
  g_free (entry->vault_path);
  g_free (entry->host_path);
  g_free (entry);
}

typedef struct
{
  AvfsVault *vault;
  AvfsExportFlags flags;
  GCancellable *cancellable;
  AvfsTransferReport *report;
  Progress progress;
  GPtrArray *entries;  /* ExportEntry, parents before their children */
  ExportEntry *root;   /* the host directory the entries go into */
} Export;

static ExportEntry *
export_entry_new (const AvfsNode *node,
                  const char     *name,
                  const char     *vault_path,
                  const char     *host_path,
                  guint           depth)
{
  ExportEntry *entry = g_new0 (ExportEntry, 1);

  entry->name = g_strdup (name);
  entry->vault_path = g_strdup (vault_path);
  entry->host_path = g_strdup (host_path);
  entry->kind = node->kind;
  entry->mode = node->mode & 0777;
  entry->modified_us = node->modified_us;
  entry->size = node->size;
  entry->depth = depth;
  return entry;
}

/* Looks at what is on the host where @entry goes: merging into a directory is fine,
 * replacing a file needs the overwrite flag, anything else is refused. */
static gboolean
export_check_host (Export       *export,
                   ExportEntry  *entry,
                   GError      **error)
{
  g_autofree char *shown = g_filename_display_name (entry->host_path);
  struct stat st;

  if (lstat (entry->host_path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      set_host_error (error, errno, "inspect", entry->host_path);
      return FALSE;
    }
  entry->exists = TRUE;
  if (entry->kind == AVFS_NODE_KIND_DIRECTORY && !S_ISDIR (st.st_mode))
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                 "%s exists and is not a directory, but %s is a directory in the vault; "
                 "move it aside first (nothing was exported)", shown, entry->vault_path);
  else if (entry->kind == AVFS_NODE_KIND_FILE && S_ISDIR (st.st_mode))
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY,
                 "%s is a directory, but %s is a file in the vault; "
                 "move it aside first (nothing was exported)", shown, entry->vault_path);
  else if (entry->kind == AVFS_NODE_KIND_FILE && !(export->flags & AVFS_EXPORT_OVERWRITE))
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                 "%s already exists; nothing was exported (export with overwrite to replace "
                 "existing files)", shown);
  /* Overwriting replaces files and links, never a fifo, socket or device node: renaming
   * over one would remove it (as root, even /dev/null). */
  else if (entry->kind == AVFS_NODE_KIND_FILE && !S_ISREG (st.st_mode) && !S_ISLNK (st.st_mode))
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                 "%s is a fifo, socket or device, not a file; export never replaces one "
                 "(nothing was exported)", shown);
  else
    return TRUE;
  return FALSE;
}

/* The export's own host directory may be a link to a directory: the caller chose it. */
static gboolean
export_check_root (ExportEntry  *root,
                   GError      **error)
{
  g_autofree char *shown = NULL;

  root->exists = g_file_test (root->host_path, G_FILE_TEST_IS_DIR);
  if (root->exists || !g_file_test (root->host_path, G_FILE_TEST_EXISTS))
    return TRUE;
  shown = g_filename_display_name (root->host_path);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
               "%s exists and is not a directory; choose another destination (nothing was "
               "exported)", shown);
  return FALSE;
}

/* Adds @entry to the plan after checking the host, and counts it for progress. */
static gboolean
export_add (Export       *export,
            ExportEntry  *entry,
            gboolean      parent_exists,
            GError      **error)
{
  g_ptr_array_add (export->entries, entry);
  if (parent_exists && !export_check_host (export, entry, error))
    return FALSE;
  if (entry->kind == AVFS_NODE_KIND_FILE)
    {
      export->progress.state.files_total++;
      export->progress.state.bytes_total += entry->size;
    }
  return TRUE;
}

/* Plans the export of @dir's contents into @parent, depth first. */
static gboolean
export_plan_directory (Export             *export,
                       const AvfsNode     *dir,
                       const ExportEntry  *parent,
                       guint               depth,
                       GError            **error)
{
  g_autoptr(GPtrArray) children = avfs_vault_list_children (export->vault, dir->id, error);

  if (children == NULL)
    return FALSE;
  for (guint i = 0; i < children->len; i++)
    {
      AvfsNode *child = g_ptr_array_index (children, i);
      g_autofree char *vault_path = NULL;
      g_autofree char *host_path = NULL;
      ExportEntry *entry;

      /* Vault names never hold “/” nor are “.” or “..”, so nothing can land outside
       * the export's directory; a name that does is damage, not something to write. */
      if (!avfs_path_check_name (child->name, NULL))
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                       "%s holds an entry with an invalid name; run “avfs-cli vault verify”",
                       parent->vault_path);
          return FALSE;
        }
      vault_path = avfs_path_join (parent->vault_path, child->name);
      host_path = g_build_filename (parent->host_path, child->name, NULL);
      entry = export_entry_new (child, child->name, vault_path, host_path, depth);
      if (!export_add (export, entry, parent->exists, error) ||
          (child->kind == AVFS_NODE_KIND_DIRECTORY &&
           !export_plan_directory (export, child, entry, depth + 1, error)))
        return FALSE;
    }
  return TRUE;
}

/* Plans the export of @node: a directory's contents go into @host_path; a file goes to
 * @host_path, or into it when it is a directory. */
static gboolean
export_plan (Export          *export,
             const AvfsNode  *node,
             const char      *vault_path,
             const char      *host_path,
             GError         **error)
{
  g_autofree char *host_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *file_host_path = NULL;
  ExportEntry *entry;

  if (node->kind == AVFS_NODE_KIND_DIRECTORY)
    {
      export->root = export_entry_new (node, "", vault_path, host_path, 0);
      return export_check_root (export->root, error) &&
             export_plan_directory (export, node, export->root, 0, error);
    }
  if (g_file_test (host_path, G_FILE_TEST_IS_DIR))
    {
      host_dir = g_strdup (host_path);
      name = g_strdup (node->name);
    }
  else
    {
      host_dir = g_path_get_dirname (host_path);
      name = g_path_get_basename (host_path);
    }
  /* A directory made to hold one file is a plain new directory. */
  export->root = export_entry_new (node, "", "/", host_dir, 0);
  export->root->kind = AVFS_NODE_KIND_DIRECTORY;
  export->root->mode = 0755;
  export->root->modified_us = g_get_real_time ();
  if (!export_check_root (export->root, error))
    return FALSE;
  file_host_path = g_build_filename (host_dir, name, NULL);
  entry = export_entry_new (node, name, vault_path, file_host_path, 0);
  return export_add (export, entry, export->root->exists, error);
}

/* Gives a file or directory the vault's permissions and modification time. */
static gboolean
export_set_attributes (int                 fd,
                       const ExportEntry  *entry,
                       GError            **error)
{
  struct timespec times[2] = {
    { 0, UTIME_OMIT },
    { entry->modified_us / G_USEC_PER_SEC, (entry->modified_us % G_USEC_PER_SEC) * 1000 },
  };

  if (times[1].tv_nsec < 0)
    {
      times[1].tv_sec--;
      times[1].tv_nsec += 1000000000;
    }
  if (fchmod (fd, entry->mode) == 0 && futimens (fd, times) == 0)
    return TRUE;
  set_host_error (error, errno, "set the permissions and time of", entry->host_path);
  return FALSE;
}

/* Creates a temporary file next to where @entry goes. */
static int
export_open_temp (int                 dir_fd,
                  const ExportEntry  *entry,
                  char              **temp_name,
                  GError            **error)
{
  for (guint attempt = 0; attempt < TEMP_ATTEMPTS; attempt++)
    {
      g_autofree char *name = g_strdup_printf (".avfs-export-%08x", g_random_int ());
      int fd = openat (dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       0600);

      if (fd >= 0)
        {
          *temp_name = g_steal_pointer (&name);
          return fd;
        }
      if (errno != EEXIST)
        break;
    }
  set_host_error (error, errno, "create a temporary file for", entry->host_path);
  return -1;
}

/* Puts the finished temporary file in place: atomically, so nobody sees half a file. */
static gboolean
export_rename (Export             *export,
               int                 dir_fd,
               const char         *temp_name,
               const ExportEntry  *entry,
               GError            **error)
{
  int result;

  if (export->flags & AVFS_EXPORT_OVERWRITE)
    result = renameat (dir_fd, temp_name, dir_fd, entry->name);
  else
    {
      result = renameat2 (dir_fd, temp_name, dir_fd, entry->name, RENAME_NOREPLACE);
      /* A file system without RENAME_NOREPLACE: the check before writing already
       * refused existing files. */
      if (result != 0 && errno == EINVAL)
        result = renameat (dir_fd, temp_name, dir_fd, entry->name);
    }
  if (result == 0)
    return TRUE;
  set_host_error (error, errno, "write", entry->host_path);
  return FALSE;
}

static gboolean
export_file (Export             *export,
             int                 dir_fd,
             const ExportEntry  *entry,
             GError            **error)
{
  g_autofree char *temp_name = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_auto(HostFd) fd = export_open_temp (dir_fd, entry, &temp_name, error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  output = g_unix_output_stream_new (fd, FALSE);
  ok = avfs_vault_read_to_stream (export->vault, entry->vault_path, 0, output,
                                  export->cancellable, error) &&
       export_set_attributes (fd, entry, error);
  if (ok && close (g_steal_fd (&fd)) != 0)
    {
      set_host_error (error, errno, "write", entry->host_path);
      ok = FALSE;
    }
  ok = ok && export_rename (export, dir_fd, temp_name, entry, error);
  if (!ok)
    {
      unlinkat (dir_fd, temp_name, 0);
      return FALSE;
    }
  export->report->files++;
  export->report->bytes += entry->size;
  export->progress.state.files_done++;
  export->progress.state.bytes_done += entry->size;
  progress_report (&export->progress, FALSE);
  return TRUE;
}

/* Opens the directory @entry, creating it unless it was there. */
static int
export_directory (Export             *export,
                  int                 parent_fd,
                  const ExportEntry  *entry,
                  GError            **error)
{
  int fd;

  if (!entry->exists && mkdirat (parent_fd, entry->name, 0700) != 0)
    {
      set_host_error (error, errno, "create", entry->host_path);
      return -1;
    }
  fd = openat (parent_fd, entry->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      set_host_error (error, errno, "open", entry->host_path);
      return -1;
    }
  if (!entry->exists)
    export->report->directories++;
  return fd;
}

/* An open directory of the export, finished once everything inside it is written. */
typedef struct
{
  int fd;
  const ExportEntry *entry;
} OpenDirectory;

/* Closes the innermost open directory; one the export created gets the vault's
 * permissions and time now, since writing inside it changed its time. */
static gboolean
export_close_directory (GArray   *open,
                        GError  **error)
{
  OpenDirectory *dir = &g_array_index (open, OpenDirectory, open->len - 1);
  gboolean ok = dir->entry->exists || export_set_attributes (dir->fd, dir->entry, error);

  close (dir->fd);
  g_array_set_size (open, open->len - 1);
  return ok;
}

static gboolean
export_write (Export  *export,
              int      root_fd,
              GError **error)
{
  g_autoptr(GArray) open = g_array_new (FALSE, FALSE, sizeof (OpenDirectory));
  OpenDirectory top = { root_fd, export->root };
  gboolean ok = TRUE;

  g_array_append_val (open, top);
  for (guint i = 0; ok && i < export->entries->len; i++)
    {
      const ExportEntry *entry = g_ptr_array_index (export->entries, i);
      int parent_fd;

      while (ok && open->len > entry->depth + 1)
        ok = export_close_directory (open, error);
      parent_fd = g_array_index (open, OpenDirectory, open->len - 1).fd;
      ok = ok && check_cancelled (export->cancellable, error);
      if (ok && entry->kind == AVFS_NODE_KIND_FILE)
        ok = export_file (export, parent_fd, entry, error);
      else if (ok)
        {
          OpenDirectory dir = { export_directory (export, parent_fd, entry, error), entry };

          ok = dir.fd >= 0;
          if (ok)
            g_array_append_val (open, dir);
        }
    }
  /* Directories are finished even after a failure: what was written stays usable. */
  while (open->len > 0)
    {
      if (!export_close_directory (open, ok ? error : NULL))
        ok = FALSE;
    }
  return ok;
}

/* Creates the export's host directory when missing, and opens it. */
static int
export_open_root (Export  *export,
                  GError **error)
{
  const char *path = export->root->host_path;
  g_autofree char *parent = g_path_get_dirname (path);
  int fd;

  if (!export->root->exists &&
      (g_mkdir_with_parents (parent, 0755) != 0 || mkdir (path, 0700) != 0))
    {
      set_host_error (error, errno, "create", path);
      return -1;
    }
  if (!export->root->exists)
    export->report->directories++;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    set_host_error (error, errno, "open", path);
  return fd;
}

static gboolean
export_run (Export      *export,
            const char  *vault_path,
            const char  *host_path,
            GError     **error)
{
  g_autofree char *normalized = avfs_path_normalize (vault_path, error);
  g_autoptr(AvfsNode) node = NULL;
  int root_fd;

  if (normalized == NULL)
    return FALSE;
  node = avfs_vault_resolve (export->vault, NULL, normalized, error);
  if (node == NULL || !export_plan (export, node, normalized, host_path, error))
    return FALSE;
  progress_report (&export->progress, TRUE);
  export->progress.state.phase = "copy";
  root_fd = export_open_root (export, error);
  /* export_write closes the root too, giving a created one the vault's attributes. */
  return root_fd >= 0 && export_write (export, root_fd, error);
}

/**
 * avfs_vault_export:
 * @vault_path: a file or directory in the vault
 * @host_path: where it goes on this computer; a directory's contents go into this
 *   directory (created with its parents when missing); a file goes to this path, or
 *   into it when it is a directory
 * @flags: whether existing host files may be replaced
 * @progress: (nullable) (scope call): called with phase `"scan"` once the totals are
 *   known, then `"copy"` as files are written
 * @cancellable: (nullable): stops the export between files and chunks
 * @report: (out caller-allocates) (optional): what was written
 *
 * Writes current content. Before writing anything, checks every destination: an
 * existing host file is an error unless @flags has %AVFS_EXPORT_OVERWRITE, and a file
 * where a directory goes (or the reverse), or a fifo, socket or device where a file
 * goes, always is. An existing symbolic link is replaced, never written through. Each
 * file is written to a temporary file and renamed into place, so no half file is ever
 * seen; it gets the vault's permissions and modification time, as do the directories
 * the export creates. Directories that were already there are merged into and left as
 * they were.
 *
 * Returns: %TRUE when everything was exported
 */
gboolean
avfs_vault_export (AvfsVault           *self,
                   const char          *vault_path,
                   const char          *host_path,
                   AvfsExportFlags      flags,
                   AvfsProgressFunc     progress,
                   gpointer             user_data,
                   GCancellable        *cancellable,
                   AvfsTransferReport  *report,
                   GError             **error)
{
  g_autofree char *cancelled = NULL;
  g_autoptr(AvfsBulkJob) bulk = NULL;
  AvfsTransferReport local_report;
  GError *local_error = NULL;
  Export export;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (host_path != NULL, FALSE);
  bulk = avfs_vault_begin_bulk (self);
  report = report_init (report, &local_report);
  export = (Export) { self, flags, cancellable, report };
  export.progress = (Progress) { progress, user_data, { "scan" } };
  export.entries = g_ptr_array_new_with_free_func (export_entry_free);

  export_run (&export, vault_path, host_path, &local_error);
  g_ptr_array_unref (export.entries);
  g_clear_pointer (&export.root, export_entry_free);
  cancelled = g_strdup_printf ("The export of %s was cancelled after %" G_GUINT64_FORMAT
                               " files; they stay on disk, and no file was left half written",
                               vault_path, report->files);
  return finish_transfer (&export.progress, local_error, cancelled, error);
}
