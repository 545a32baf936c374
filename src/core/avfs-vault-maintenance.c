/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeping a vault healthy: gc sweeps unreferenced chunks, prune drops old versions, stats
 * measures the vault, verify checks every reference, compact hands space back. */
#include <string.h>

#include "avfs-vault-maintenance.h"
#include "avfs-vault-private.h"

/* Deletions per transaction: enough to amortise a commit, few enough that a
 * transaction's write set stays small on every engine. */
#define BATCH_SIZE 1000

#define SNAPSHOT_ENTRY_TYPE G_VARIANT_TYPE (AVFS_SNAPSHOT_ENTRY)

G_DEFINE_BOXED_TYPE (AvfsPruneReport, avfs_prune_report,
                     avfs_prune_report_copy, avfs_prune_report_free)
G_DEFINE_BOXED_TYPE (AvfsVaultStats, avfs_vault_stats,
                     avfs_vault_stats_copy, avfs_vault_stats_free)
G_DEFINE_BOXED_TYPE (AvfsVerifyReport, avfs_verify_report,
                     avfs_verify_report_copy, avfs_verify_report_free)

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

static gpointer
copy_string (gconstpointer data,
             gpointer      user_data)
{
  return g_strdup (data);
}

AvfsVerifyReport *
avfs_verify_report_copy (const AvfsVerifyReport *self)
{
  AvfsVerifyReport *copy = g_memdup2 (self, sizeof *self);

  copy->problems = g_ptr_array_copy (self->problems, copy_string, NULL);
  return copy;
}

void
avfs_verify_report_free (AvfsVerifyReport *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->problems);
  g_free (self);
}

/* Scanning */

typedef gboolean (*EntryFunc) (AvfsCursor  *cursor,
                               gpointer     user_data,
                               GError     **error);

/* Calls @func on every entry of @collection in key order. The cursor holds no lock
 * between entries (docs/storage.md), so @func may commit transactions. */
static gboolean
for_each_entry (AvfsVault     *self,
                const char    *collection,
                GCancellable  *cancellable,
                EntryFunc      func,
                gpointer       user_data,
                GError       **error)
{
  g_autoptr(AvfsCursor) cursor = NULL;
  GError *local_error = NULL;

  cursor = avfs_storage_scan_range (self->storage, collection, NULL, 0, NULL, 0, error);
  if (cursor == NULL)
    return FALSE;
  while (avfs_cursor_next (cursor, &local_error))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !func (cursor, user_data, error))
        return FALSE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* The versions a snapshot entry holds, as its a(utxsay) array; only that part of the
 * entry is read, so the check holds whatever its first fields mean. */
static GVariant *
snapshot_entry_versions (GBytes  *value,
                         GError **error)
{
  g_autoptr(GVariant) entry = g_variant_ref_sink (g_variant_new_from_bytes (SNAPSHOT_ENTRY_TYPE,
                                                                            value, FALSE));

  if (!g_variant_is_normal_form (entry))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "A snapshot entry is damaged; run “avfs-cli vault verify”");
      return NULL;
    }
  return g_variant_get_child_value (entry, 4);
}

static GBytes *
snapshot_version_content (GVariant *versions,
                          gsize     index,
                          guint32  *number)
{
  g_autoptr(GVariant) version = g_variant_get_child_value (versions, index);
  g_autoptr(GVariant) content = g_variant_get_child_value (version, 4);

  g_variant_get_child (version, 0, "u", number);
  return g_variant_get_data_as_bytes (content);
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
  g_autoptr(GVariant) versions = snapshot_entry_versions (value, error);
  gsize n;

  if (versions == NULL)
    return FALSE;
  n = g_variant_n_children (versions);
  for (gsize i = 0; i < n; i++)
    {
      guint32 number;
      g_autoptr(GBytes) content = snapshot_version_content (versions, i, &number);

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
                 GError       **error)
{
  return for_each_entry (self, AVFS_COLLECTION_NODES, cancellable, mark_node_cb, marks,
                         error) &&
         for_each_entry (self, AVFS_COLLECTION_VERSIONS, cancellable, mark_version_cb, marks,
                         error) &&
         for_each_entry (self, AVFS_COLLECTION_SNAPSHOT_ENTRIES, cancellable,
                         mark_snapshot_entry_cb, marks, error);
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
avfs_vault_gc (AvfsVault     *self,
               gboolean       dry_run,
               AvfsGcReport  *report,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) marks = NULL;
  g_autoptr(GPtrArray) doomed = NULL;
  AvfsGcReport local_report = { 0 };
  Sweep sweep = { self, NULL, dry_run, report != NULL ? report : &local_report };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  *sweep.report = (AvfsGcReport) { 0 };
  marks = g_hash_table_new_full (chunk_hash_hash, chunk_hash_equal, g_free, NULL);
  doomed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  sweep.marks = marks;
  sweep.doomed = doomed;

  locker = g_mutex_locker_new (&self->write_lock);
  if (!mark_references (self, marks, cancellable, error))
    {
      g_prefix_error (error, "gc stopped before removing anything: ");
      return FALSE;
    }
  g_debug ("gc: %u chunks are referenced", g_hash_table_size (marks));
  if (!for_each_entry (self, AVFS_COLLECTION_BLOBS, cancellable, sweep_blob_cb, &sweep,
                       error))
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
  if (node == NULL && !g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_clear_error (&local_error);
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
  if (!for_each_entry (self, AVFS_COLLECTION_VERSIONS, NULL, prune_version_cb, &prune, error) ||
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
      !for_each_entry (self, AVFS_COLLECTION_VERSIONS, NULL, measure_version_cb, stats,
                       error) ||
      !for_each_entry (self, AVFS_COLLECTION_BLOBS, NULL, measure_blob_cb, stats, error))
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

/* verify: each check reads one part of the vault and reports what it finds wrong. */

enum {
  WALK_UNKNOWN,
  WALK_VISITING,
  WALK_REACHES_ROOT,
  WALK_BROKEN,
};

/* What verify remembers of a node to check the others against it. */
typedef struct
{
  guint64 id;
  guint64 parent;
  const char *name;     /* in the verifier's string chunk */
  guint32 version;
  guint32 dirents;      /* directory entries pointing to it */
  guint8 kind;
  guint8 walk;
  gboolean has_current; /* its current version's record was seen */
} NodeFacts;

typedef struct
{
  AvfsVault *vault;
  GCancellable *cancellable;
  AvfsVerifyReport *report;
  GHashTable *nodes;     /* id → NodeFacts */
  GStringChunk *names;
  AvfsUsage usage;       /* recounted from the nodes */
  char *snapshot;        /* the snapshot whose entries are being read… */
  gboolean snapshot_exists; /* …and whether its record is there */
} Verifier;

static void
verifier_clear (Verifier *v)
{
  g_clear_pointer (&v->report, avfs_verify_report_free);
  g_clear_pointer (&v->nodes, g_hash_table_unref);
  g_clear_pointer (&v->names, g_string_chunk_free);
  g_clear_pointer (&v->snapshot, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Verifier, verifier_clear)

static void G_GNUC_PRINTF (2, 3)
add_problem (Verifier   *v,
             const char *format,
             ...)
{
  va_list args;

  v->report->n_problems++;
  if (v->report->problems->len >= AVFS_VERIFY_MAX_PROBLEMS)
    return;
  va_start (args, format);
  g_ptr_array_add (v->report->problems, g_strdup_vprintf (format, args));
  va_end (args);
}

static NodeFacts *
lookup_node (Verifier *v,
             guint64   id)
{
  return g_hash_table_lookup (v->nodes, &id);
}

/* A node for a message: its path when its parents lead to `/`, else its id and name. */
static char *
describe_node (Verifier *v,
               guint64   id)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) path = g_string_new (NULL);
  NodeFacts *facts = lookup_node (v, id);
  NodeFacts *at = facts;

  while (at != NULL && at->id != AVFS_ROOT_ID && names->len < g_hash_table_size (v->nodes))
    {
      g_ptr_array_add (names, (gpointer) at->name);
      at = lookup_node (v, at->parent);
    }
  if (facts == NULL)
    return g_strdup_printf ("node %" G_GUINT64_FORMAT, id);
  if (at == NULL || at->id != AVFS_ROOT_ID)
    return g_strdup_printf ("node %" G_GUINT64_FORMAT " “%s”", id, facts->name);
  for (guint i = names->len; i > 0; i--)
    g_string_append_printf (path, "/%s", (const char *) g_ptr_array_index (names, i - 1));
  return path->len > 0 ? g_string_free (g_steal_pointer (&path), FALSE) : g_strdup ("/");
}

/* The first bytes of a chunk hash, as messages show it. */
static char *
describe_chunk (const guint8 *hash)
{
  return g_strdup_printf ("%02x%02x%02x%02x…", hash[0], hash[1], hash[2], hash[3]);
}

/* A name from a key, printable whatever bytes it holds. */
static char *
key_text (const guint8 *data,
          gsize         len)
{
  return g_utf8_make_valid ((const char *) data, len);
}

static gboolean
read_node_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(GError) damage = NULL;
  g_autoptr(AvfsNode) node = NULL;
  NodeFacts *facts;

  v->report->nodes++;
  if (key_len != AVFS_ID_KEY_LEN ||
      (node = avfs_node_parse (avfs_id_from_key (key), value, &damage)) == NULL)
    {
      add_problem (v, "A file record is damaged and cannot be read (%s)",
                   damage != NULL ? damage->message : "its key is malformed");
      return TRUE;
    }
  facts = g_new0 (NodeFacts, 1);
  facts->id = node->id;
  facts->parent = node->parent;
  facts->name = g_string_chunk_insert (v->names, node->name);
  facts->version = node->version;
  facts->kind = node->kind;
  g_hash_table_insert (v->nodes, &facts->id, facts);
  if (node->kind == AVFS_NODE_KIND_FILE)
    {
      v->usage.files++;
      v->usage.bytes += node->size;
    }
  else if (node->id != AVFS_ROOT_ID)
    v->usage.directories++;
  return TRUE;
}

/* Reads every node; the later checks look nodes up in what this gathers. */
static gboolean
check_nodes (Verifier  *v,
             GError   **error)
{
  NodeFacts *root;

  if (!for_each_entry (v->vault, AVFS_COLLECTION_NODES, v->cancellable, read_node_cb, v,
                       error))
    return FALSE;
  root = lookup_node (v, AVFS_ROOT_ID);
  if (root == NULL || root->kind != AVFS_NODE_KIND_DIRECTORY)
    add_problem (v, "The root directory / is missing");
  if (root != NULL)
    root->walk = WALK_REACHES_ROOT;
  return TRUE;
}

static void
check_node_kinds (Verifier *v)
{
  GHashTableIter iter;
  NodeFacts *facts;

  g_hash_table_iter_init (&iter, v->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &facts))
    {
      if (facts->kind != AVFS_NODE_KIND_FILE && facts->kind != AVFS_NODE_KIND_DIRECTORY)
        {
          g_autofree char *what = describe_node (v, facts->id);

          add_problem (v, "%s is neither a file nor a directory (kind %u)", what,
                       facts->kind);
        }
    }
}

/* The entry (@parent, @name) → @value, against the nodes it names. */
static void
check_dirent (Verifier      *v,
              guint64        parent,
              const char    *name,
              const guint8  *value,
              gsize          value_len)
{
  g_autofree char *directory = describe_node (v, parent);
  NodeFacts *dir = lookup_node (v, parent);
  NodeFacts *child;

  if (value_len != AVFS_ID_KEY_LEN + 1)
    {
      add_problem (v, "The entry “%s” in %s is damaged", name, directory);
      return;
    }
  child = lookup_node (v, avfs_id_from_key (value));
  if (dir == NULL || dir->kind != AVFS_NODE_KIND_DIRECTORY)
    add_problem (v, "The entry “%s” is in %s, which is not a directory", name, directory);
  if (child == NULL)
    {
      add_problem (v, "The entry “%s” in %s points to node %" G_GUINT64_FORMAT
                   ", which does not exist", name, directory, avfs_id_from_key (value));
      return;
    }
  child->dirents++;
  if (child->parent != parent || strcmp (child->name, name) != 0)
    {
      g_autofree char *actual = describe_node (v, child->id);

      add_problem (v, "The entry “%s” in %s points to %s, which is elsewhere", name,
                   directory, actual);
    }
  else if (value[AVFS_ID_KEY_LEN] != child->kind)
    add_problem (v, "The entry “%s” in %s has the wrong kind for what it points to", name,
                 directory);
}

static gboolean
read_dirent_cb (AvfsCursor  *cursor,
                gpointer     user_data,
                GError     **error)
{
  Verifier *v = user_data;
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  g_autofree char *name = NULL;

  v->report->dirents++;
  if (key_len <= AVFS_ID_KEY_LEN)
    {
      add_problem (v, "A directory entry has a malformed key");
      return TRUE;
    }
  name = key_text (key + AVFS_ID_KEY_LEN, key_len - AVFS_ID_KEY_LEN);
  check_dirent (v, avfs_id_from_key (key), name, value, value_len);
  return TRUE;
}

static gboolean
check_dirents (Verifier  *v,
               GError   **error)
{
  check_node_kinds (v);
  return for_each_entry (v->vault, AVFS_COLLECTION_DIRENTS, v->cancellable, read_dirent_cb,
                         v, error);
}

/* Follows @facts' parents up to `/`, reporting a missing parent or a cycle once, where
 * the chain breaks; every node on the way shares the outcome. */
static void
walk_to_root (Verifier  *v,
              NodeFacts *facts)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  NodeFacts *at = facts;
  guint8 outcome;

  while (at != NULL && at->walk == WALK_UNKNOWN)
    {
      NodeFacts *parent = lookup_node (v, at->parent);

      at->walk = WALK_VISITING;
      g_ptr_array_add (chain, at);
      if (parent == NULL || parent->kind != AVFS_NODE_KIND_DIRECTORY)
        {
          g_autofree char *what = describe_node (v, at->id);

          if (parent == NULL)
            add_problem (v, "%s is in directory node %" G_GUINT64_FORMAT ", which does not "
                         "exist", what, at->parent);
          else
            add_problem (v, "%s is inside a file, not a directory", what);
        }
      at = parent != NULL && parent->kind == AVFS_NODE_KIND_DIRECTORY ? parent : NULL;
    }
  if (at == NULL)
    outcome = WALK_BROKEN;
  else if (at->walk == WALK_VISITING)
    {
      g_autofree char *what = describe_node (v, at->id);

      add_problem (v, "%s is its own ancestor: its directories form a cycle", what);
      outcome = WALK_BROKEN;
    }
  else
    outcome = at->walk;
  for (guint i = 0; i < chain->len; i++)
    ((NodeFacts *) g_ptr_array_index (chain, i))->walk = outcome;
}

/* Every node but `/` is listed by exactly one entry, and its parents lead to `/`. */
static gboolean
check_tree (Verifier  *v,
            GError   **error)
{
  GHashTableIter iter;
  NodeFacts *facts;

  g_hash_table_iter_init (&iter, v->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &facts))
    {
      g_autofree char *what = NULL;

      if (facts->walk == WALK_UNKNOWN)
        walk_to_root (v, facts);
      if (facts->id == AVFS_ROOT_ID ? facts->dirents == 0 : facts->dirents == 1)
        continue;
      what = describe_node (v, facts->id);
      if (facts->dirents == 0)
        add_problem (v, "%s is in no directory listing, so it cannot be reached", what);
      else
        add_problem (v, "%s is listed by %u directory entries", what, facts->dirents);
    }
  return TRUE;
}

static gboolean
check_usage (Verifier  *v,
             GError   **error)
{
  g_autoptr(GError) damage = NULL;
  AvfsUsage usage;

  if (!avfs_usage_load (v->vault, NULL, &usage, &damage))
    {
      if (!g_error_matches (damage, AVFS_ERROR, AVFS_ERROR_CORRUPT))
        {
          g_propagate_error (error, g_steal_pointer (&damage));
          return FALSE;
        }
      add_problem (v, "The usage counters cannot be read (%s)", damage->message);
      return TRUE;
    }
  if (usage.files != v->usage.files || usage.directories != v->usage.directories ||
      usage.bytes != v->usage.bytes)
    add_problem (v, "The usage counters (which quotas rely on) are wrong: they say files %"
                 G_GUINT64_FORMAT ", directories %" G_GUINT64_FORMAT ", bytes %"
                 G_GUINT64_FORMAT "; the tree holds files %" G_GUINT64_FORMAT ", directories %"
                 G_GUINT64_FORMAT ", bytes %" G_GUINT64_FORMAT, usage.files,
                 usage.directories, usage.bytes, v->usage.files, v->usage.directories,
                 v->usage.bytes);
  return TRUE;
}

/* Reports each chunk of @content that is not stored; @owner says whose content it is. */
static gboolean
check_chunks (Verifier    *v,
              GBytes      *content,
              const char  *owner,
              GError     **error)
{
  gsize len;
  const guint8 *hashes = g_bytes_get_data (content, &len);

  if (len % AVFS_HASH_LEN != 0)
    {
      add_problem (v, "%s: its list of chunks is damaged", owner);
      return TRUE;
    }
  for (gsize offset = 0; offset < len; offset += AVFS_HASH_LEN)
    {
      gboolean exists = FALSE;

      if (!avfs_storage_exists (v->vault->storage, AVFS_COLLECTION_BLOBS, hashes + offset,
                                AVFS_HASH_LEN, &exists, error))
        return FALSE;
      if (!exists)
        {
          g_autofree char *chunk = describe_chunk (hashes + offset);

          add_problem (v, "%s: chunk %s is missing", owner, chunk);
        }
    }
  return TRUE;
}

/* The file's record against its current version's. */
static gboolean
check_current_version (Verifier           *v,
                       NodeFacts          *facts,
                       const AvfsVersion  *version,
                       const char         *owner,
                       GError            **error)
{
  g_autoptr(GError) damage = NULL;
  g_autoptr(AvfsNode) node = avfs_node_load (v->vault, NULL, facts->id, &damage);

  facts->has_current = TRUE;
  if (node == NULL && !g_error_matches (damage, AVFS_ERROR, AVFS_ERROR_CORRUPT) &&
      !g_error_matches (damage, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&damage));
      return FALSE;
    }
  /* A node that cannot be read was reported by check_nodes. */
  if (node == NULL)
    return TRUE;
  if (node->size != version->size)
    add_problem (v, "%s: the file is %" G_GUINT64_FORMAT " bytes but its current version "
                 "records %" G_GUINT64_FORMAT, owner, node->size, version->size);
  else if (!g_bytes_equal (node->content, version->content))
    add_problem (v, "%s: the file's content differs from its current version's", owner);
  return TRUE;
}

static gboolean
read_version_cb (AvfsCursor  *cursor,
                 gpointer     user_data,
                 GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(GError) damage = NULL;
  g_autoptr(AvfsVersion) version = NULL;
  g_autofree char *path = NULL;
  g_autofree char *owner = NULL;
  NodeFacts *facts;
  guint32 number;

  v->report->versions++;
  if (key_len != AVFS_ID_KEY_LEN + sizeof number)
    {
      add_problem (v, "A version record has a malformed key");
      return TRUE;
    }
  memcpy (&number, key + AVFS_ID_KEY_LEN, sizeof number);
  number = GUINT32_FROM_BE (number);
  facts = lookup_node (v, avfs_id_from_key (key));
  path = describe_node (v, avfs_id_from_key (key));
  owner = g_strdup_printf ("%s, version %u", path, number);
  if (facts == NULL)
    add_problem (v, "%s: there is no such file", owner);
  else if (facts->kind != AVFS_NODE_KIND_FILE)
    add_problem (v, "%s: a directory has no versions", owner);
  else if (number > facts->version)
    add_problem (v, "%s: newer than the file's current version %u", owner, facts->version);
  version = avfs_version_parse (value, &damage);
  if (version == NULL)
    {
      add_problem (v, "%s: the record is damaged (%s)", owner, damage->message);
      return TRUE;
    }
  if (facts != NULL && facts->kind == AVFS_NODE_KIND_FILE && number == facts->version &&
      !check_current_version (v, facts, version, owner, error))
    return FALSE;
  return check_chunks (v, version->content, owner, error);
}

/* Every version's chunks are stored, and every file's current version is recorded. */
static gboolean
check_versions (Verifier  *v,
                GError   **error)
{
  GHashTableIter iter;
  NodeFacts *facts;

  if (!for_each_entry (v->vault, AVFS_COLLECTION_VERSIONS, v->cancellable, read_version_cb,
                       v, error))
    return FALSE;
  g_hash_table_iter_init (&iter, v->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &facts))
    {
      if (facts->kind == AVFS_NODE_KIND_FILE && !facts->has_current)
        {
          g_autofree char *what = describe_node (v, facts->id);

          add_problem (v, "%s: its current version %u has no version record", what,
                       facts->version);
        }
    }
  return TRUE;
}

/* Whether the snapshot @name is recorded; entries of a snapshot are read together, so
 * one look-up serves them all. */
static gboolean
snapshot_exists (Verifier    *v,
                 const char  *name,
                 gboolean    *exists,
                 GError     **error)
{
  if (v->snapshot == NULL || !g_str_equal (v->snapshot, name))
    {
      g_free (v->snapshot);
      v->snapshot = g_strdup (name);
      if (!avfs_storage_exists (v->vault->storage, AVFS_COLLECTION_SNAPSHOTS,
                                (const guint8 *) name, strlen (name), &v->snapshot_exists,
                                error))
        return FALSE;
    }
  *exists = v->snapshot_exists;
  return TRUE;
}

static gboolean
read_snapshot_entry_cb (AvfsCursor  *cursor,
                        gpointer     user_data,
                        GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *separator = memchr (key, 0, key_len);
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(GVariant) versions = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  gboolean exists;
  gsize n;

  v->report->snapshot_entries++;
  if (separator == NULL)
    {
      add_problem (v, "A snapshot entry has a malformed key");
      return TRUE;
    }
  name = key_text (key, separator - key);
  path = key_text (separator + 1, key_len - (separator + 1 - key));
  if (!snapshot_exists (v, name, &exists, error))
    return FALSE;
  if (!exists)
    add_problem (v, "Snapshot “%s” holds %s but the snapshot itself is not recorded", name,
                 path);
  versions = snapshot_entry_versions (value, NULL);
  if (versions == NULL)
    {
      add_problem (v, "Snapshot “%s”, %s: the entry is damaged", name, path);
      return TRUE;
    }
  n = g_variant_n_children (versions);
  for (gsize i = 0; i < n; i++)
    {
      guint32 number;
      g_autoptr(GBytes) content = snapshot_version_content (versions, i, &number);
      g_autofree char *owner = g_strdup_printf ("Snapshot “%s”, %s, version %u", name, path,
                                                number);

      if (!check_chunks (v, content, owner, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_snapshots (Verifier  *v,
                 GError   **error)
{
  return for_each_entry (v->vault, AVFS_COLLECTION_SNAPSHOT_ENTRIES, v->cancellable,
                         read_snapshot_entry_cb, v, error);
}

static gboolean
read_blob_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GBytes) chunk = NULL;
  g_autofree char *what = NULL;
  guint8 hash[AVFS_HASH_LEN];

  v->report->blobs++;
  if (key_len != AVFS_HASH_LEN)
    {
      add_problem (v, "A stored chunk has a malformed key (%" G_GSIZE_FORMAT " bytes)",
                   key_len);
      return TRUE;
    }
  what = describe_chunk (key);
  stored = avfs_cursor_dup_value (cursor);
  chunk = avfs_chunk_decode (stored, key, NULL);
  if (chunk == NULL)
    {
      add_problem (v, "Chunk %s is damaged: it cannot be decoded", what);
      return TRUE;
    }
  avfs_chunk_hash (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), hash);
  if (memcmp (hash, key, AVFS_HASH_LEN) != 0)
    add_problem (v, "Chunk %s is damaged: its content does not match its hash", what);
  return TRUE;
}

/* Every stored chunk decodes to content with its own hash. */
static gboolean
check_blobs (Verifier  *v,
             GError   **error)
{
  return for_each_entry (v->vault, AVFS_COLLECTION_BLOBS, v->cancellable, read_blob_cb, v,
                         error);
}

static gboolean
key_exists (Verifier    *v,
            const char  *collection,
            GBytes      *key,
            gboolean    *exists,
            GError     **error)
{
  return avfs_storage_exists (v->vault->storage, collection, g_bytes_get_data (key, NULL),
                              g_bytes_get_size (key), exists, error);
}

/* A tag or metadata key (id ‖ text): the text, or %NULL (a problem) when malformed. */
static char *
node_text (Verifier     *v,
           const char   *what,
           const guint8 *key,
           gsize         key_len)
{
  if (key_len <= AVFS_ID_KEY_LEN || memchr (key + AVFS_ID_KEY_LEN, 0, key_len - AVFS_ID_KEY_LEN))
    {
      add_problem (v, "A %s record has a malformed key", what);
      return NULL;
    }
  return key_text (key + AVFS_ID_KEY_LEN, key_len - AVFS_ID_KEY_LEN);
}

static gboolean
read_tag_cb (AvfsCursor  *cursor,
             gpointer     user_data,
             GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autofree char *tag = node_text (v, "tag", key, key_len);
  g_autofree char *what = NULL;
  g_autoptr(GBytes) index_key = NULL;
  gboolean indexed = FALSE;
  guint64 id;

  v->report->tags++;
  if (tag == NULL)
    return TRUE;
  id = avfs_id_from_key (key);
  what = describe_node (v, id);
  if (lookup_node (v, id) == NULL)
    add_problem (v, "Tag “%s” belongs to %s, which does not exist", tag, what);
  index_key = avfs_tag_index_key (tag, id);
  if (!key_exists (v, AVFS_COLLECTION_TAG_INDEX, index_key, &indexed, error))
    return FALSE;
  if (!indexed)
    add_problem (v, "%s is tagged “%s” but the tag index does not list it", what, tag);
  return TRUE;
}

static gboolean
read_tag_index_cb (AvfsCursor  *cursor,
                   gpointer     user_data,
                   GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autofree char *tag = NULL;
  g_autofree char *what = NULL;
  g_autoptr(GBytes) tags_key = NULL;
  gboolean tagged = FALSE;
  guint64 id;

  v->report->tags++;
  /* tag ‖ 0 ‖ id, the tag without NUL */
  if (key_len < AVFS_ID_KEY_LEN + 2 || key[key_len - AVFS_ID_KEY_LEN - 1] != 0 ||
      memchr (key, 0, key_len - AVFS_ID_KEY_LEN - 1) != NULL)
    {
      add_problem (v, "A tag index record has a malformed key");
      return TRUE;
    }
  tag = key_text (key, key_len - AVFS_ID_KEY_LEN - 1);
  id = avfs_id_from_key (key + key_len - AVFS_ID_KEY_LEN);
  what = describe_node (v, id);
  tags_key = avfs_node_text_key (id, tag);
  if (!key_exists (v, AVFS_COLLECTION_TAGS, tags_key, &tagged, error))
    return FALSE;
  if (!tagged)
    add_problem (v, "The tag index lists %s under “%s”, but it does not carry that tag", what,
                 tag);
  return TRUE;
}

/* tags and tag_index say the same, both ways. */
static gboolean
check_tags (Verifier  *v,
            GError   **error)
{
  return for_each_entry (v->vault, AVFS_COLLECTION_TAGS, v->cancellable, read_tag_cb, v,
                         error) &&
         for_each_entry (v->vault, AVFS_COLLECTION_TAG_INDEX, v->cancellable,
                         read_tag_index_cb, v, error);
}

static gboolean
read_prop_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  Verifier *v = user_data;
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  g_autofree char *name = node_text (v, "metadata", key, key_len);
  g_autofree char *what = NULL;
  guint64 id;

  v->report->props++;
  if (name == NULL)
    return TRUE;
  id = avfs_id_from_key (key);
  what = describe_node (v, id);
  if (lookup_node (v, id) == NULL)
    add_problem (v, "Metadata “%s” belongs to %s, which does not exist", name, what);
  if (!g_utf8_validate ((const char *) value, value_len, NULL))
    add_problem (v, "%s: the value of metadata “%s” is not valid UTF-8", what, name);
  return TRUE;
}

static gboolean
check_props (Verifier  *v,
             GError   **error)
{
  return for_each_entry (v->vault, AVFS_COLLECTION_PROPS, v->cancellable, read_prop_cb, v,
                         error);
}

typedef gboolean (*VerifyCheck) (Verifier  *v,
                                 GError   **error);

/* The checks, in order: check_nodes comes first, the others look nodes up in what it
 * gathered. A check adds problems to the report and fails only when it cannot read the
 * vault or is cancelled; a new kind of check is one more function here. */
static const VerifyCheck verify_checks[] = {
  check_nodes,
  check_dirents,
  check_tree,
  check_usage,
  check_versions,
  check_snapshots,
  check_blobs,
  check_tags,
  check_props,
};

/**
 * avfs_vault_verify:
 * @cancellable: (nullable): stops the walk
 *
 * Walks the whole vault: directory entries and nodes agree, every node but `/` is
 * reachable by exactly one entry and its parents lead to `/`, every file's current
 * version is recorded and matches it, every version's and snapshot entry's chunks are
 * stored, every chunk decodes to content with its own hash, the usage counters match
 * the tree, tags agree with the tag index both ways, and tags, metadata and versions
 * belong to existing nodes. Holds the write lock so that it sees one consistent state;
 * writes wait until it finishes.
 *
 * Returns: (transfer full) (nullable): the problems found (none for a sound vault), or
 *   %NULL with @error when the vault could not be read
 */
AvfsVerifyReport *
avfs_vault_verify (AvfsVault     *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Verifier) v = { self, cancellable };

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  v.report = g_new0 (AvfsVerifyReport, 1);
  v.report->problems = g_ptr_array_new_with_free_func (g_free);
  v.nodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  v.names = g_string_chunk_new (4096);

  locker = g_mutex_locker_new (&self->write_lock);
  for (guint i = 0; i < G_N_ELEMENTS (verify_checks); i++)
    {
      if (!verify_checks[i] (&v, error))
        return NULL;
    }
  return g_steal_pointer (&v.report);
}

/**
 * avfs_vault_compact:
 *
 * Asks the engine to give unused space back to the system (after gc or prune). Writes
 * wait while it runs.
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
  return avfs_storage_compact (self->storage, error);
}
