/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A file's history: the log of its versions, diffs between them, checkout and revert. */
#include <string.h>

#include "avfs-diff.h"
#include "avfs-vault-history.h"
#include "avfs-vault-private.h"

G_DEFINE_BOXED_TYPE (AvfsVersionInfo, avfs_version_info,
                     avfs_version_info_copy, avfs_version_info_free)

/**
 * avfs_version_info_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
AvfsVersionInfo *
avfs_version_info_copy (const AvfsVersionInfo *self)
{
  AvfsVersionInfo *copy = g_memdup2 (self, sizeof *self);

  copy->op = g_strdup (self->op);
  return copy;
}

void
avfs_version_info_free (AvfsVersionInfo *self)
{
  if (self == NULL)
    return;
  g_free (self->op);
  g_free (self);
}

static gboolean
add_version_number_cb (AvfsCursor  *cursor,
                       gpointer     user_data,
                       GError     **error)
{
  gsize len;
  const guint8 *key = avfs_cursor_get_key (cursor, &len);
  guint32 number;

  if (len != AVFS_ID_KEY_LEN + sizeof number)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "A version record's key is damaged; run “avfs-cli vault verify”");
      return FALSE;
    }
  memcpy (&number, key + AVFS_ID_KEY_LEN, sizeof number);
  number = GUINT32_FROM_BE (number);
  g_array_append_val (user_data, number);
  return TRUE;
}

/* The numbers of node @id's versions, oldest first. They are scanned, not counted from
 * 1, because prune leaves gaps. */
static GArray *
list_version_numbers (AvfsVault  *self,
                      guint64     id,
                      GError    **error)
{
  guint8 prefix[AVFS_ID_KEY_LEN];
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint32));

  avfs_id_key (id, prefix);
  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_VERSIONS, prefix, sizeof prefix,
                                    add_version_number_cb, numbers, error))
    return NULL;
  return g_steal_pointer (&numbers);
}

static AvfsVersionInfo *
version_info_new (guint32         number,
                  AvfsVersion    *version,
                  const AvfsNode *node)
{
  AvfsVersionInfo *info = g_new0 (AvfsVersionInfo, 1);

  info->number = number;
  info->size = version->size;
  info->time_us = version->time_us;
  info->op = g_steal_pointer (&version->op);
  info->is_current = number == node->version;
  return info;
}

/**
 * avfs_vault_log:
 * @path: a file
 * @limit: at most this many versions, or 0 for all
 *
 * Returns: (transfer full) (element-type AvfsVersionInfo): the file's versions, newest
 *   first
 */
GPtrArray *
avfs_vault_log (AvfsVault   *self,
                const char  *path,
                guint        limit,
                GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) node = NULL;
  g_autoptr(GArray) numbers = NULL;
  g_autoptr(GPtrArray) log = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  node = avfs_vault_resolve_file (self, path, &normalized, error);
  numbers = node != NULL ? list_version_numbers (self, node->id, error) : NULL;
  if (numbers == NULL)
    return NULL;
  log = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_version_info_free);
  for (guint i = numbers->len; i > 0 && (limit == 0 || log->len < limit); i--)
    {
      guint32 number = g_array_index (numbers, guint32, i - 1);
      g_autoptr(AvfsVersion) version = NULL;
      GError *local_error = NULL;

      /* Reads take no lock: leave out versions written since the node was read, so the
       * log agrees with the current version it reports, and versions pruned since the
       * scan. */
      if (number > node->version)
        continue;
      version = avfs_version_load (self, NULL, node->id, number, &local_error);
      if (version != NULL)
        g_ptr_array_add (log, version_info_new (number, version, node));
      else if (!avfs_skip_not_found (local_error, error))
        return NULL;
    }
  return g_steal_pointer (&log);
}

/* One side of a diff: a version of a file. */
typedef struct
{
  char *path;
  guint32 number;
  AvfsVersion *version;
  char *label;
} Side;

static void
side_clear (Side *side)
{
  g_free (side->path);
  avfs_version_free (side->version);
  g_free (side->label);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Side, side_clear)

static gboolean
side_load (AvfsVault   *self,
           const char  *path,
           guint32      number,
           const char  *prefix,
           Side        *side,
           GError     **error)
{
  g_autoptr(AvfsNode) node = avfs_vault_resolve_file (self, path, &side->path, error);

  if (node == NULL)
    return FALSE;
  side->number = number != 0 ? number : node->version;
  side->version = avfs_vault_load_file_version (self, node, side->path, number, error);
  if (side->version == NULL)
    return FALSE;
  side->label = g_strdup_printf ("%s%s@v%u", prefix, side->path, side->number);
  return TRUE;
}

/* Judges a side from its first chunk alone (a chunk holds more than the probe), so a
 * large binary file is never read whole. */
static gboolean
side_is_binary (AvfsVault   *self,
                const Side  *side,
                gboolean    *binary,
                GError     **error)
{
  g_autoptr(GBytes) chunk = NULL;
  gsize len;
  const guint8 *data;

  *binary = FALSE;
  if (side->version->size == 0)
    return TRUE;
  chunk = avfs_vault_load_chunk (self, NULL, g_bytes_get_data (side->version->content, NULL),
                                 error);
  if (chunk == NULL)
    return FALSE;
  data = g_bytes_get_data (chunk, &len);
  *binary = avfs_diff_is_binary (data, len);
  return TRUE;
}

static gboolean
side_check_size (const Side  *side,
                 GError     **error)
{
  if (side->version->size <= AVFS_VAULT_DIFF_MAX_SIZE)
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               "%s version %u is %" G_GUINT64_FORMAT " bytes, too large to compare in memory "
               "(the limit is %u MiB); read both versions out and compare them with diff(1)",
               side->path, side->number, side->version->size,
               AVFS_VAULT_DIFF_MAX_SIZE / (1024 * 1024));
  return FALSE;
}

/**
 * avfs_vault_diff:
 * @path_a: the old file
 * @version_a: its version, or 0 for the current one
 * @path_b: (nullable): the new file, or %NULL for @path_a
 * @version_b: its version, or 0 for the current one
 *
 * Compares two versions of a file, or versions of two files, line by line. The labels
 * read `a/PATH@vN` and `b/PATH@vM` with the actual version numbers.
 *
 * Returns: (transfer full) (nullable): a unified diff with 3 lines of context, "" when
 *   the contents are equal, or a one-line message when either is binary
 */
char *
avfs_vault_diff (AvfsVault   *self,
                 const char  *path_a,
                 guint32      version_a,
                 const char  *path_b,
                 guint32      version_b,
                 GError     **error)
{
  g_auto(Side) a = { 0 };
  g_auto(Side) b = { 0 };
  g_autoptr(GBytes) a_data = NULL;
  g_autoptr(GBytes) b_data = NULL;
  gboolean a_binary, b_binary;
  const guint8 *a_text, *b_text;
  gsize a_len, b_len;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  if (!side_load (self, path_a, version_a, "a", &a, error) ||
      !side_load (self, path_b != NULL ? path_b : path_a, version_b, "b", &b, error))
    return NULL;
  /* Chunks are cut at fixed offsets and named by their hash: equal lists, equal content. */
  if (g_bytes_equal (a.version->content, b.version->content))
    return g_strdup ("");
  if (!side_is_binary (self, &a, &a_binary, error) ||
      !side_is_binary (self, &b, &b_binary, error))
    return NULL;
  if (a_binary || b_binary)
    return avfs_diff_binary_message (a.label, b.label);
  if (!side_check_size (&a, error) || !side_check_size (&b, error))
    return NULL;
  a_data = avfs_vault_read (self, a.path, a.number, error);
  b_data = a_data != NULL ? avfs_vault_read (self, b.path, b.number, error) : NULL;
  if (b_data == NULL)
    return NULL;
  a_text = g_bytes_get_data (a_data, &a_len);
  b_text = g_bytes_get_data (b_data, &b_len);
  return avfs_diff_unified (a_text, a_len, b_text, b_len, a.label, b.label,
                            AVFS_DIFF_CONTEXT);
}

/* Checkout and revert: an older version's content becomes the newest version. */
typedef struct
{
  AvfsVault *vault;
  const char *path;
  const AvfsNode *node;    /* the file, read under the write lock */
  guint32 source;          /* the version whose content comes back */
  const AvfsVersion *old;  /* its record */
  const char *op;          /* checkout or revert */
  guint32 version;         /* out: the version made */
} CheckoutJob;

static gboolean
checkout_cb (AvfsTransaction  *tx,
             gpointer          user_data,
             GError          **error)
{
  CheckoutJob *job = user_data;
  g_autoptr(AvfsNode) node = avfs_node_copy (job->node);
  g_autofree char *details = NULL;
  AvfsUsage usage;

  /* The chunks are the old version's: nothing is stored, but quota still applies. */
  if (!avfs_usage_load (job->vault, tx, &usage, error) ||
      !avfs_node_append_version (tx, node, job->old->content, job->old->size, job->op,
                                 &usage, error) ||
      !avfs_vault_check_quota (job->vault, tx, &usage, node->size, job->path, error))
    return FALSE;
  job->version = node->version;
  avfs_vault_search_mark (job->vault, node->id, NULL);
  details = g_strdup_printf ("{\"version\": %u, \"from\": %u, \"size\": %" G_GUINT64_FORMAT "}",
                             node->version, job->source, node->size);
  return avfs_usage_save (tx, &usage, error) &&
         avfs_vault_audit (job->vault, tx, job->op, job->path, details, error);
}

/* Appends version @source of @node as its newest. The caller holds the write lock. */
static guint32
append_old_version (AvfsVault          *self,
                    const AvfsNode     *node,
                    const char         *path,
                    guint32             source,
                    const AvfsVersion  *old,
                    const char         *op,
                    GError            **error)
{
  CheckoutJob job = { self, path, node, source, old, op, 0 };

  if (!avfs_vault_transaction (self, checkout_cb, &job, error))
    return 0;
  return job.version;
}

/**
 * avfs_vault_checkout:
 * @path: a file
 * @version: the version to bring back (1 or more)
 *
 * Makes an old version's content current again by appending it as a new version
 * (history is never rewritten). The content is shared, not copied.
 *
 * Returns: the new version number, or 0 on error
 */
guint32
avfs_vault_checkout (AvfsVault   *self,
                     const char  *path,
                     guint32      version,
                     GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsNode) node = NULL;
  g_autoptr(AvfsVersion) old = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), 0);
  locker = g_mutex_locker_new (&self->write_lock);
  node = avfs_vault_resolve_file (self, path, &normalized, error);
  if (node == NULL)
    return 0;
  if (version == 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Which version of %s? Version numbers start at 1 (see “avfs-cli log %s”)",
                   normalized, normalized);
      return 0;
    }
  old = avfs_vault_load_file_version (self, node, normalized, version, error);
  if (old == NULL)
    return 0;
  return append_old_version (self, node, normalized, version, old, "checkout", error);
}

/**
 * avfs_vault_revert:
 * @path: a file
 *
 * Undoes the last change: appends the content of the newest version before the current
 * one that still exists. Reverting twice brings the reverted change back.
 *
 * Returns: the new version number, or 0 on error (%AVFS_ERROR_NOT_FOUND when there is
 *   no earlier version)
 */
guint32
avfs_vault_revert (AvfsVault   *self,
                   const char  *path,
                   GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsNode) node = NULL;
  g_autoptr(GArray) numbers = NULL;
  g_autoptr(AvfsVersion) old = NULL;
  guint32 previous = 0;

  g_return_val_if_fail (AVFS_IS_VAULT (self), 0);
  locker = g_mutex_locker_new (&self->write_lock);
  node = avfs_vault_resolve_file (self, path, &normalized, error);
  numbers = node != NULL ? list_version_numbers (self, node->id, error) : NULL;
  if (numbers == NULL)
    return 0;
  for (guint i = 0; i < numbers->len; i++)
    if (g_array_index (numbers, guint32, i) < node->version)
      previous = g_array_index (numbers, guint32, i);
  if (previous == 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                   "%s has no version before its current one (%u) to revert to",
                   normalized, node->version);
      return 0;
    }
  old = avfs_vault_load_file_version (self, node, normalized, previous, error);
  if (old == NULL)
    return 0;
  return append_old_version (self, node, normalized, previous, old, "revert", error);
}
