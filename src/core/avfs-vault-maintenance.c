/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeping a vault healthy: gc sweeps unreferenced chunks, prune drops old versions, stats
 * measures the vault, compact hands space back (verify is in avfs-vault-verify.c). */
#include <string.h>

#include "avfs-vault-maintenance.h"
#include "avfs-vault-private.h"

/* Deletions per transaction: enough to amortise a commit, few enough that a
 * transaction's write set stays small on every engine. */
#define BATCH_SIZE 1000

/* Entries walked between two progress reports. */
#define PROGRESS_STEP 1000

G_DEFINE_BOXED_TYPE (AvfsPruneReport, avfs_prune_report,
                     avfs_prune_report_copy, avfs_prune_report_free)
G_DEFINE_BOXED_TYPE (AvfsVaultStats, avfs_vault_stats,
                     avfs_vault_stats_copy, avfs_vault_stats_free)

static void
pruned_version_free (gpointer data)
{
  AvfsPrunedVersion *pruned = data;

  g_free (pruned->path);
  g_free (pruned);
}

static gpointer
pruned_version_copy (gconstpointer data,
                     gpointer      user_data)
{
  AvfsPrunedVersion *copy = g_memdup2 (data, sizeof (AvfsPrunedVersion));

  copy->path = g_strdup (copy->path);
  return copy;
}

static AvfsPruneReport *
avfs_prune_report_new (void)
{
  AvfsPruneReport *self = g_new0 (AvfsPruneReport, 1);

  self->versions = g_ptr_array_new_with_free_func (pruned_version_free);
  return self;
}

AvfsPruneReport *
avfs_prune_report_copy (const AvfsPruneReport *self)
{
  AvfsPruneReport *copy = g_memdup2 (self, sizeof *self);

  copy->versions = g_ptr_array_copy (self->versions, pruned_version_copy, NULL);
  return copy;
}

void
avfs_prune_report_free (AvfsPruneReport *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->versions);
  g_free (self);
}

AvfsVaultStats *
avfs_vault_stats_copy (const AvfsVaultStats *self)
{
  AvfsVaultStats *copy = g_memdup2 (self, sizeof *self);

  copy->storage = avfs_storage_stats_copy (self->storage);
  return copy;
}

void
avfs_vault_stats_free (AvfsVaultStats *self)
{
  if (self == NULL)
    return;
  avfs_storage_stats_free (self->storage);
  g_free (self);
}

/* Walks */

typedef struct
{
  AvfsScanFunc func;
  gpointer user_data;
  AvfsTicker *ticker;
} Walk;

static gboolean
walk_entry_cb (AvfsCursor  *cursor,
               gpointer     user_data,
               GError     **error)
{
  Walk *walk = user_data;
  AvfsTicker *ticker = walk->ticker;

  if (!walk->func (cursor, walk->user_data, error))
    return FALSE;
  if (ticker != NULL && ticker->func != NULL &&
      ++ticker->figures.files_done % PROGRESS_STEP == 0)
    ticker->func (&ticker->figures, ticker->user_data);
  return TRUE;
}

/**
 * avfs_vault_walk_collection:
 * @cancellable: (nullable): checked before each entry
 * @ticker: (nullable): counts the entries, and reports every thousand of them
 *
 * Calls @func on every entry of @collection in key order (see AvfsScanFunc).
 */
gboolean
avfs_vault_walk_collection (AvfsVault     *self,
                            const char    *collection,
                            GCancellable  *cancellable,
                            AvfsTicker    *ticker,
                            AvfsScanFunc   func,
                            gpointer       user_data,
                            GError       **error)
{
  Walk walk = { func, user_data, ticker };
  g_autoptr(AvfsCursor) cursor = avfs_storage_scan_prefix (self->storage, collection, NULL, 0,
                                                           error);

  return cursor != NULL &&
         avfs_vault_scan_cursor_each (cursor, cancellable, walk_entry_cb, &walk, error);
}

/* Sets of chunk hashes: the key is the hash itself, whose first bytes are already a
 * uniform hash value. */
static guint
chunk_hash_hash (gconstpointer key)
{
  guint value;

  memcpy (&value, key, sizeof value);
  return value;
}

static gboolean
chunk_hash_equal (gconstpointer a,
                  gconstpointer b)
{
  return memcmp (a, b, AVFS_HASH_LEN) == 0;
}

/* gc: mark every referenced chunk, then sweep the rest. */

static gboolean
mark_content (GHashTable  *marks,
              GBytes      *content,
              GError     **error)
{
  gsize len;
  const guint8 *hashes = g_bytes_get_data (content, &len);

  if (len % AVFS_HASH_LEN != 0)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "A list of chunks is damaged; run “avfs-cli vault verify”");
      return FALSE;
    }
  for (gsize offset = 0; offset < len; offset += AVFS_HASH_LEN)
    {
      if (!g_hash_table_contains (marks, hashes + offset))
        g_hash_table_add (marks, g_memdup2 (hashes + offset, AVFS_HASH_LEN));
    }
  return TRUE;
}

static gboolean
mark_node_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(AvfsNode) node = NULL;

  if (key_len != AVFS_ID_KEY_LEN)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "A file record has a damaged key; run “avfs-cli vault verify”");
      return FALSE;
    }
  node = avfs_node_parse (avfs_id_from_key (key), value, error);
  return node != NULL && (node->content == NULL || mark_content (user_data, node->content,
                                                                  error));
}

static gboolean
mark_version_cb (AvfsCursor  *cursor,
                 gpointer     user_data,
                 GError     **error)
{
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(AvfsVersion) version = avfs_version_parse (value, error);

  return version != NULL && mark_content (user_data, version->content, error);
}

static gboolean
mark_snapshot_entry_cb (AvfsCursor  *cursor,
                        gpointer     user_data,
                        GError     **error)
{
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(GVariant) versions = avfs_snapshot_entry_versions (value, error);
  gsize n;

  if (versions == NULL)
    return FALSE;
  n = g_variant_n_children (versions);
  for (gsize i = 0; i < n; i++)
    {
      guint32 number;
      g_autoptr(GBytes) content = avfs_snapshot_version_content (versions, i, &number);

      if (!mark_content (user_data, content, error))
        return FALSE;
    }
  return TRUE;
}

/* Everything that may reference a chunk: files, their versions, snapshots. A record
 * that cannot be read stops gc, since what it references is unknown. */
static gboolean
mark_references (AvfsVault     *self,
                 GHashTable    *marks,
                 GCancellable  *cancellable,
                 AvfsTicker    *ticker,
                 GError       **error)
{
  return avfs_vault_walk_collection (self, AVFS_COLLECTION_NODES, cancellable, ticker,
                                     mark_node_cb, marks, error) &&
         avfs_vault_walk_collection (self, AVFS_COLLECTION_VERSIONS, cancellable, ticker,
                                     mark_version_cb, marks, error) &&
         avfs_vault_walk_collection (self, AVFS_COLLECTION_SNAPSHOT_ENTRIES, cancellable,
                                     ticker, mark_snapshot_entry_cb, marks, error);
}

typedef struct
{
  AvfsVault *vault;
  GHashTable *marks;
  gboolean dry_run;
  AvfsGcReport *report;
  GPtrArray *doomed;    /* keys of unreferenced chunks not deleted yet… */
  guint64 doomed_bytes; /* …and their stored bytes */
  gboolean last;        /* the final batch, which also writes the audit entry */
} Sweep;

static gboolean
sweep_batch_cb (AvfsTransaction  *tx,
                gpointer          user_data,
                GError          **error)
{
  Sweep *sweep = user_data;
  g_autofree char *details = NULL;

  for (guint i = 0; i < sweep->doomed->len; i++)
    {
      gsize len;
      const guint8 *key = g_bytes_get_data (g_ptr_array_index (sweep->doomed, i), &len);

      if (!avfs_transaction_delete (tx, AVFS_COLLECTION_BLOBS, key, len, error))
        return FALSE;
    }
  if (!sweep->last)
    return TRUE;
  details = g_strdup_printf ("{\"blobs\": %" G_GUINT64_FORMAT ", \"bytes\": %"
                             G_GUINT64_FORMAT "}",
                             sweep->report->blobs_removed + sweep->doomed->len,
                             sweep->report->bytes_freed + sweep->doomed_bytes);
  return avfs_vault_audit (sweep->vault, tx, "gc", "", details, error);
}

static gboolean
sweep_commit (Sweep   *sweep,
              GError **error)
{
  if (!avfs_vault_transaction (sweep->vault, sweep_batch_cb, sweep, error))
    return FALSE;
  sweep->report->blobs_removed += sweep->doomed->len;
  sweep->report->bytes_freed += sweep->doomed_bytes;
  g_ptr_array_set_size (sweep->doomed, 0);
  sweep->doomed_bytes = 0;
  return TRUE;
}

static gboolean
sweep_blob_cb (AvfsCursor  *cursor,
               gpointer     user_data,
               GError     **error)
{
  Sweep *sweep = user_data;
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);

  sweep->report->blobs_checked++;
  /* Only a 32-byte key can be referenced; anything else in blobs is debris. */
  if (key_len == AVFS_HASH_LEN && g_hash_table_contains (sweep->marks, key))
    return TRUE;
  avfs_cursor_get_value (cursor, &value_len);
  if (sweep->dry_run)
    {
      sweep->report->blobs_removed++;
      sweep->report->bytes_freed += value_len;
      return TRUE;
    }
  g_ptr_array_add (sweep->doomed, avfs_cursor_dup_key (cursor));
  sweep->doomed_bytes += value_len;
  return sweep->doomed->len < BATCH_SIZE || sweep_commit (sweep, error);
}

/**
 * avfs_vault_gc:
 * @dry_run: only count what would go
 * @report: (out caller-allocates) (optional): what was checked and removed
 * @progress: (nullable): told every thousand entries walked, in phases `"mark"` (files,
 *   versions and snapshot entries) then `"sweep"` (stored chunks)
 * @user_data: data for @progress
 * @cancellable: (nullable): stops between chunks; batches already committed stay done
 *
 * Removes the stored chunks that no file, version or snapshot references, in batches
 * of a thousand per transaction. Holds the vault's write lock throughout, so chunks a
 * write stores ahead of its transaction are never swept. Memory: about 80 bytes per
 * distinct referenced chunk (a vault of 1 TiB in 1 MiB chunks needs some 80 MiB).
 *
 * Returns: %TRUE on success; on failure, @report counts what was removed before it
 */
gboolean
avfs_vault_gc (AvfsVault         *self,
               gboolean           dry_run,
               AvfsGcReport      *report,
               AvfsProgressFunc   progress,
               gpointer           user_data,
               GCancellable      *cancellable,
               GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) marks = NULL;
  g_autoptr(GPtrArray) doomed = NULL;
  AvfsGcReport local_report = { 0 };
  Sweep sweep = { self, NULL, dry_run, report != NULL ? report : &local_report };
  AvfsTicker ticker = { progress, user_data, { "mark" } };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  *sweep.report = (AvfsGcReport) { 0 };
  marks = g_hash_table_new_full (chunk_hash_hash, chunk_hash_equal, g_free, NULL);
  doomed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  sweep.marks = marks;
  sweep.doomed = doomed;

  locker = g_mutex_locker_new (&self->write_lock);
  if (!mark_references (self, marks, cancellable, &ticker, error))
    {
      g_prefix_error (error, "gc stopped before removing anything: ");
      return FALSE;
    }
  g_debug ("gc: %u chunks are referenced", g_hash_table_size (marks));
  ticker.figures = (AvfsProgress) { "sweep" };
  if (!avfs_vault_walk_collection (self, AVFS_COLLECTION_BLOBS, cancellable, &ticker,
                                   sweep_blob_cb, &sweep, error))
    return FALSE;
  sweep.last = TRUE;
  if (dry_run || (sweep.doomed->len == 0 && sweep.report->blobs_removed == 0))
    return TRUE;
  return sweep_commit (&sweep, error);
}

/* prune: drop old versions, file by file, never a file's current one. */

typedef struct
{
  guint32 number;
  guint64 size;
  gint64 time_us;
} Candidate;

/* A file's versions to remove, committed with the next batch. */
typedef struct
{
  char *path;
  guint64 id;
  GArray *versions;  /* Candidate */
} Doomed;

static void
doomed_free (gpointer data)
{
  Doomed *doomed = data;

  g_free (doomed->path);
  g_array_unref (doomed->versions);
  g_free (doomed);
}

typedef struct
{
  AvfsVault *vault;
  guint keep;           /* 0: no limit */
  gboolean by_age;
  gint64 cutoff_us;     /* with @by_age: versions written before this may go */
  gboolean dry_run;
  AvfsPruneReport *report;
  guint64 id;           /* the file whose versions are being read */
  GArray *candidates;   /* Candidate: its versions, oldest first */
  GPtrArray *batch;     /* Doomed */
  guint batch_versions;
} Prune;

/* The policy: a version goes when every limit given lets it go; the current one never. */
static gboolean
prune_drops (Prune           *prune,
             const AvfsNode  *node,
             guint            index)
{
  const Candidate *candidate = &g_array_index (prune->candidates, Candidate, index);
  guint newer = prune->candidates->len - 1 - index;

  return candidate->number != node->version &&
         (prune->keep == 0 || newer >= prune->keep) &&
         (!prune->by_age || candidate->time_us < prune->cutoff_us);
}

static char *
prune_details (GArray *versions)
{
  GString *details = g_string_new ("{\"versions\": [");

  for (guint i = 0; i < versions->len; i++)
    g_string_append_printf (details, "%s%u", i > 0 ? ", " : "",
                            g_array_index (versions, Candidate, i).number);
  g_string_append (details, "]}");
  return g_string_free (details, FALSE);
}

static gboolean
prune_batch_cb (AvfsTransaction  *tx,
                gpointer          user_data,
                GError          **error)
{
  Prune *prune = user_data;

  for (guint i = 0; i < prune->batch->len; i++)
    {
      Doomed *doomed = g_ptr_array_index (prune->batch, i);
      g_autofree char *details = prune_details (doomed->versions);

      for (guint v = 0; v < doomed->versions->len; v++)
        {
          guint32 number = g_array_index (doomed->versions, Candidate, v).number;
          g_autoptr(GBytes) key = avfs_version_key (doomed->id, number);

          if (!avfs_transaction_delete (tx, AVFS_COLLECTION_VERSIONS,
                                        g_bytes_get_data (key, NULL), g_bytes_get_size (key),
                                        error))
            return FALSE;
        }
      if (!avfs_vault_audit (prune->vault, tx, "prune", doomed->path, details, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
prune_commit (Prune   *prune,
              GError **error)
{
  if (prune->batch->len == 0)
    return TRUE;
  if (!avfs_vault_transaction (prune->vault, prune_batch_cb, prune, error))
    return FALSE;
  g_ptr_array_set_size (prune->batch, 0);
  prune->batch_versions = 0;
  return TRUE;
}

static void
report_pruned (Prune       *prune,
               const char  *path,
               GArray      *versions)
{
  for (guint i = 0; i < versions->len; i++)
    {
      const Candidate *candidate = &g_array_index (versions, Candidate, i);
      AvfsPrunedVersion *pruned = g_new0 (AvfsPrunedVersion, 1);

      pruned->path = g_strdup (path);
      pruned->version = candidate->number;
      pruned->size = candidate->size;
      pruned->time_us = candidate->time_us;
      g_ptr_array_add (prune->report->versions, pruned);
    }
}

/* What goes of file @id's versions: into the report for a dry run, else into the batch.
 * A file's versions all go in one transaction, with one audit entry. */
static gboolean
prune_record (Prune    *prune,
              guint64   id,
              GArray   *versions,
              GError  **error)
{
  g_autofree char *path = avfs_vault_node_path (prune->vault, NULL, id, error);
  Doomed *doomed;

  if (path == NULL)
    return FALSE;
  prune->report->files_touched++;
  prune->report->versions_removed += versions->len;
  if (prune->dry_run)
    {
      report_pruned (prune, path, versions);
      return TRUE;
    }
  doomed = g_new0 (Doomed, 1);
  doomed->path = g_steal_pointer (&path);
  doomed->id = id;
  doomed->versions = g_array_ref (versions);
  g_ptr_array_add (prune->batch, doomed);
  prune->batch_versions += versions->len;
  return prune->batch_versions < BATCH_SIZE || prune_commit (prune, error);
}

/* Decides the fate of the versions read for file @prune->id. Versions without a file
 * are left for verify to report. */
static gboolean
prune_file (Prune   *prune,
            GError **error)
{
  GError *local_error = NULL;
  g_autoptr(AvfsNode) node = NULL;
  g_autoptr(GArray) doomed = g_array_new (FALSE, FALSE, sizeof (Candidate));

  if (prune->candidates->len == 0)
    return TRUE;
  node = avfs_node_load (prune->vault, NULL, prune->id, &local_error);
  if (node == NULL && !avfs_skip_not_found (local_error, error))
    return FALSE;
  for (guint i = 0; node != NULL && node->kind == AVFS_NODE_KIND_FILE &&
                    i < prune->candidates->len; i++)
    {
      if (prune_drops (prune, node, i))
        g_array_append_val (doomed, g_array_index (prune->candidates, Candidate, i));
    }
  g_array_set_size (prune->candidates, 0);
  return doomed->len == 0 || prune_record (prune, node->id, doomed, error);
}

static gboolean
prune_version_cb (AvfsCursor  *cursor,
                  gpointer     user_data,
                  GError     **error)
{
  Prune *prune = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) value = NULL;
  g_autoptr(AvfsVersion) version = NULL;
  Candidate candidate;
  guint32 number;

  /* Versions keys are id ‖ number, so a file's versions come together, oldest first. */
  if (key_len != AVFS_ID_KEY_LEN + sizeof number)
    return TRUE;
  if (avfs_id_from_key (key) != prune->id)
    {
      if (!prune_file (prune, error))
        return FALSE;
      prune->id = avfs_id_from_key (key);
    }
  memcpy (&number, key + AVFS_ID_KEY_LEN, sizeof number);
  value = avfs_cursor_dup_value (cursor);
  version = avfs_version_parse (value, error);
  if (version == NULL)
    return FALSE;
  candidate = (Candidate) { GUINT32_FROM_BE (number), version->size, version->time_us };
  g_array_append_val (prune->candidates, candidate);
  return TRUE;
}

static gint
compare_pruned (gconstpointer a,
                gconstpointer b)
{
  const AvfsPrunedVersion *x = *(AvfsPrunedVersion **) a;
  const AvfsPrunedVersion *y = *(AvfsPrunedVersion **) b;
  int by_path = strcmp (x->path, y->path);

  if (by_path != 0)
    return by_path;
  return x->version < y->version ? -1 : x->version > y->version;
}

/**
 * avfs_vault_prune:
 * @keep: keep at most this many newest versions of each file (0: no limit)
 * @older_than_days: remove only versions written more than this many days ago (0: any
 *   age)
 * @dry_run: only report what would go
 *
 * Removes old versions of every file. With both limits, a version goes only when both
 * let it go. A file's current version always stays. Work is committed in batches of
 * about a thousand versions, a file's versions together with an audit entry naming them.
 * Content stays stored until avfs_vault_gc().
 *
 * Returns: (transfer full) (nullable): what was removed, or what would be in a dry run
 */
AvfsPruneReport *
avfs_vault_prune (AvfsVault  *self,
                  guint       keep,
                  guint       older_than_days,
                  gboolean    dry_run,
                  GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsPruneReport) report = NULL;
  g_autoptr(GArray) candidates = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  gint64 now = g_get_real_time ();
  Prune prune = { self, keep, older_than_days > 0 };

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  if (keep == 0 && older_than_days == 0)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "Say which versions to prune: keep a number of versions per file, "
                           "or remove those older than a number of days, or both");
      return NULL;
    }
  /* Limited to the epoch, so no number of days can overflow. */
  prune.cutoff_us = now - MIN ((gint64) older_than_days, now / G_TIME_SPAN_DAY) * G_TIME_SPAN_DAY;
  prune.dry_run = dry_run;
  prune.report = report = avfs_prune_report_new ();
  prune.candidates = candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  prune.batch = batch = g_ptr_array_new_with_free_func (doomed_free);

  locker = g_mutex_locker_new (&self->write_lock);
  if (!avfs_vault_walk_collection (self, AVFS_COLLECTION_VERSIONS, NULL, NULL, prune_version_cb,
                                   &prune, error) ||
      !prune_file (&prune, error) || !prune_commit (&prune, error))
    return NULL;
  g_ptr_array_sort (report->versions, compare_pruned);
  return g_steal_pointer (&report);
}

/* stats */

static gboolean
measure_version_cb (AvfsCursor  *cursor,
                    gpointer     user_data,
                    GError     **error)
{
  AvfsVaultStats *stats = user_data;
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(AvfsVersion) version = avfs_version_parse (value, NULL);

  /* Figures are measured, not checked: a damaged record is verify's to report. */
  stats->versions++;
  if (version != NULL)
    stats->versions_bytes += version->size;
  return TRUE;
}

static gboolean
measure_blob_cb (AvfsCursor  *cursor,
                 gpointer     user_data,
                 GError     **error)
{
  AvfsVaultStats *stats = user_data;
  gsize len;
  const guint8 *value = avfs_cursor_get_value (cursor, &len);
  guint64 raw = 0;

  stats->blobs++;
  stats->stored_bytes += len;
  if (avfs_chunk_get_raw_size (value, len, &raw))
    stats->raw_bytes += raw;
  return TRUE;
}

static guint64
collection_keys (const AvfsStorageStats *storage,
                 const char             *name)
{
  for (guint i = 0; i < storage->collections->len; i++)
    {
      const AvfsCollectionStats *collection = g_ptr_array_index (storage->collections, i);

      if (g_str_equal (collection->name, name))
        return collection->keys;
    }
  return 0;
}

static gdouble
ratio (guint64 numerator,
       guint64 denominator)
{
  return denominator > 0 ? (gdouble) numerator / denominator : 1.0;
}

/**
 * avfs_vault_stats:
 *
 * Measures the vault: counts, sizes, how well content deduplicates and compresses, and
 * the engine's own figures. Reads every version record and every stored chunk, so it
 * takes about as long as reading the vault once. Takes no lock: under concurrent writes
 * the figures are close, not exact.
 *
 * Returns: (transfer full) (nullable): the figures
 */
AvfsVaultStats *
avfs_vault_stats (AvfsVault  *self,
                  GError    **error)
{
  g_autoptr(AvfsVaultStats) stats = g_new0 (AvfsVaultStats, 1);
  AvfsUsage usage;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  stats->storage = avfs_storage_stats (self->storage, error);
  if (stats->storage == NULL || !avfs_usage_load (self, NULL, &usage, error) ||
      !avfs_vault_walk_collection (self, AVFS_COLLECTION_VERSIONS, NULL, NULL,
                                   measure_version_cb, stats, error) ||
      !avfs_vault_walk_collection (self, AVFS_COLLECTION_BLOBS, NULL, NULL, measure_blob_cb,
                                   stats, error))
    return NULL;
  stats->files = usage.files;
  stats->directories = usage.directories;
  stats->logical_bytes = usage.bytes;
  stats->snapshots = collection_keys (stats->storage, AVFS_COLLECTION_SNAPSHOTS);
  stats->dedup_ratio = ratio (stats->versions_bytes, stats->raw_bytes);
  stats->compression_ratio = ratio (stats->raw_bytes, stats->stored_bytes);
  stats->on_disk_bytes = stats->storage->on_disk_bytes;
  return g_steal_pointer (&stats);
}

/**
 * avfs_vault_compact:
 *
 * Compresses small chunks again with the vault's dictionary, training one when the
 * vault has none (avfs_vault_recompress_chunks()), then asks the engine to give unused
 * space back to the system (after gc or prune). Writes wait while it runs.
 *
 * Returns: (transfer full) (nullable): the size before and after
 */
AvfsCompactionStats *
avfs_vault_compact (AvfsVault  *self,
                    GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  locker = g_mutex_locker_new (&self->write_lock);
  if (!avfs_vault_recompress_chunks (self, error))
    return NULL;
  return avfs_storage_compact (self->storage, error);
}
