/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Migration between engines: the streaming copy of every collection, the comparison of
 * both vaults record by record, verify, and the switch by renames (docs/migration.md). */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "avfs-storage-private.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-migrate.h"
#include "avfs-vault-private.h"
#include "avfs-vault-search.h"

G_DEFINE_BOXED_TYPE (AvfsMigratePlan, avfs_migrate_plan, avfs_migrate_plan_copy,
                     avfs_migrate_plan_free)
G_DEFINE_BOXED_TYPE (AvfsMigrateResult, avfs_migrate_result, avfs_migrate_result_copy,
                     avfs_migrate_result_free)

/* A target transaction holds at most this many records or bytes: commits are few enough
 * not to dominate, and memory stays bounded whatever the size of the vault. */
#define BATCH_RECORDS 1000
#define BATCH_BYTES (16 * 1024 * 1024)

/* Progress within a phase is reported at most this often. */
#define REPORT_INTERVAL_US (G_USEC_PER_SEC / 10)

/* What a migration leaves beside the vaults when it stops half-way: a partial target,
 * or an original on its way out. A vault name has no dots, so the registry never lists
 * these, and the next migration of the same vault removes them. */
#define LEFTOVER_SUFFIX ".migrating"

/* Rough figures for the plan, erring on the generous side: engines store records in
 * pages or levels with slack, and the search index adds to that. A migration reads the
 * source twice (copy, compare) and the target twice (compare, verify), and writes and
 * indexes the target, which costs about six plain reads of the source. */
#define ESTIMATE_SIZE_FACTOR 2
#define ESTIMATE_SIZE_SLACK (1024 * 1024)
#define ESTIMATE_TIME_FACTOR 6

AvfsMigratePlan *
avfs_migrate_plan_copy (const AvfsMigratePlan *self)
{
  AvfsMigratePlan *copy = g_memdup2 (self, sizeof *self);

  copy->name = g_strdup (self->name);
  copy->source = avfs_storage_stats_copy (self->source);
  copy->target_engine = g_strdup (self->target_engine);
  copy->target_path = g_strdup (self->target_path);
  copy->original_name = g_strdup (self->original_name);
  return copy;
}

void
avfs_migrate_plan_free (AvfsMigratePlan *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_clear_pointer (&self->source, avfs_storage_stats_free);
  g_free (self->target_engine);
  g_free (self->target_path);
  g_free (self->original_name);
  g_free (self);
}

AvfsMigrateResult *
avfs_migrate_result_copy (const AvfsMigrateResult *self)
{
  AvfsMigrateResult *copy = g_memdup2 (self, sizeof *self);

  copy->source_engine = g_strdup (self->source_engine);
  copy->target_engine = g_strdup (self->target_engine);
  copy->path = g_strdup (self->path);
  copy->original_name = g_strdup (self->original_name);
  copy->original_path = g_strdup (self->original_path);
  copy->compared = self->compared != NULL ? avfs_storage_stats_copy (self->compared) : NULL;
  copy->verify = self->verify != NULL ? avfs_verify_report_copy (self->verify) : NULL;
  return copy;
}

void
avfs_migrate_result_free (AvfsMigrateResult *self)
{
  if (self == NULL)
    return;
  g_free (self->source_engine);
  g_free (self->target_engine);
  g_free (self->path);
  g_free (self->original_name);
  g_free (self->original_path);
  g_clear_pointer (&self->compared, avfs_storage_stats_free);
  g_clear_pointer (&self->verify, avfs_verify_report_free);
  g_free (self);
}

/* Progress: one set of figures per operation, reported under the phase in force. */

typedef struct
{
  AvfsProgressFunc func;
  gpointer user_data;
  AvfsProgress figures;
  gint64 last_report;
} Reporter;

/* Announces a phase whose figures another operation reports (scan, index, verify). */
static void
report_start (Reporter   *reporter,
              const char *phase)
{
  AvfsProgress start = { phase, 0, 0, 0, 0 };

  if (reporter->func != NULL)
    reporter->func (&start, reporter->user_data);
}

/* Starts counting a phase of ours over the records (copy, compare). */
static void
report_phase (Reporter   *reporter,
              const char *phase)
{
  reporter->figures.phase = phase;
  reporter->figures.files_done = 0;
  reporter->figures.bytes_done = 0;
  if (reporter->func != NULL)
    reporter->func (&reporter->figures, reporter->user_data);
}

static void
report_step (Reporter *reporter,
             guint64   records,
             guint64   bytes)
{
  gint64 now = g_get_monotonic_time ();

  reporter->figures.files_done += records;
  reporter->figures.bytes_done += bytes;
  if (reporter->func == NULL || now - reporter->last_report < REPORT_INTERVAL_US)
    return;
  reporter->last_report = now;
  reporter->func (&reporter->figures, reporter->user_data);
}

/* Which collections a migration copies and compares. `_storage` records the engine
 * that made a store, and the search queue is pending work for the source's own index:
 * the target has its own of both. */
static gboolean
is_migrated_collection (const char *name)
{
  return name[0] != '_' && strcmp (name, AVFS_COLLECTION_SEARCH_QUEUE) != 0;
}

static GPtrArray *
list_migrated_collections (AvfsStorage  *storage,
                           GError      **error)
{
  g_auto(GStrv) names = avfs_storage_list_collections (storage, error);
  GPtrArray *migrated;

  if (names == NULL)
    return NULL;
  migrated = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (is_migrated_collection (names[i]))
        g_ptr_array_add (migrated, g_strdup (names[i]));
    }
  return migrated;
}

/* The engine's figures for the collections a migration copies: the source's engine,
 * path and size on disk, and records and bytes per collection. */
static AvfsStorageStats *
measure_source (AvfsVault  *self,
                guint64    *records,
                guint64    *bytes,
                GError    **error)
{
  g_autoptr(AvfsStorageStats) all = avfs_storage_stats (self->storage, error);
  AvfsStorageStats *migrated;

  if (all == NULL)
    return NULL;
  migrated = avfs_storage_stats_new (all->engine, all->path);
  migrated->on_disk_bytes = all->on_disk_bytes;
  *records = *bytes = 0;
  for (guint i = 0; i < all->collections->len; i++)
    {
      const AvfsCollectionStats *c = g_ptr_array_index (all->collections, i);

      if (!is_migrated_collection (c->name))
        continue;
      avfs_storage_stats_add_collection (migrated, c->name, c->keys, c->bytes);
      *records += c->keys;
      *bytes += c->bytes;
    }
  return migrated;
}

/* Copy */

typedef struct
{
  AvfsStorage *target;
  const char *collection;
  GPtrArray *keys;      /* GBytes, with @values: the records not written yet */
  GPtrArray *values;
  gsize bytes;
  Reporter *reporter;
} Copier;

static gboolean
put_batch_cb (AvfsTransaction  *tx,
              gpointer          user_data,
              GError          **error)
{
  Copier *copier = user_data;

  for (guint i = 0; i < copier->keys->len; i++)
    {
      gsize key_len, value_len;
      const guint8 *key = g_bytes_get_data (g_ptr_array_index (copier->keys, i), &key_len);
      const guint8 *value = g_bytes_get_data (g_ptr_array_index (copier->values, i),
                                              &value_len);

      if (!avfs_transaction_put (tx, copier->collection, key, key_len, value, value_len,
                                 error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
flush_batch (Copier  *copier,
             GError **error)
{
  guint records = copier->keys->len;
  gsize bytes = copier->bytes;

  if (records == 0)
    return TRUE;
  if (!avfs_storage_transaction (copier->target, put_batch_cb, copier, error))
    return FALSE;
  g_ptr_array_set_size (copier->keys, 0);
  g_ptr_array_set_size (copier->values, 0);
  copier->bytes = 0;
  report_step (copier->reporter, records, bytes);
  return TRUE;
}

static gboolean
copy_record_cb (AvfsCursor  *cursor,
                gpointer     user_data,
                GError     **error)
{
  Copier *copier = user_data;
  GBytes *key = avfs_cursor_dup_key (cursor);
  GBytes *value = avfs_cursor_dup_value (cursor);

  copier->bytes += g_bytes_get_size (key) + g_bytes_get_size (value);
  g_ptr_array_add (copier->keys, key);
  g_ptr_array_add (copier->values, value);
  if (copier->keys->len < BATCH_RECORDS && copier->bytes < BATCH_BYTES)
    return TRUE;
  return flush_batch (copier, error);
}

static gboolean
delete_batch_cb (AvfsTransaction  *tx,
                 gpointer          user_data,
                 GError          **error)
{
  Copier *copier = user_data;

  for (guint i = 0; i < copier->keys->len; i++)
    {
      gsize len;
      const guint8 *key = g_bytes_get_data (g_ptr_array_index (copier->keys, i), &len);

      if (!avfs_transaction_delete (tx, copier->collection, key, len, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
gather_key_cb (AvfsCursor  *cursor,
               gpointer     user_data,
               GError     **error)
{
  Copier *copier = user_data;

  g_ptr_array_add (copier->keys, avfs_cursor_dup_key (cursor));
  return TRUE;
}

/* Empties one of the new target's collections: the records its creation wrote (a root,
 * an identity) give way to the source's, so the copy holds exactly what the source does.
 * A new vault has only a handful of them. */
static gboolean
clear_target_collection (Copier  *copier,
                         GError **error)
{
  g_autoptr(AvfsCursor) cursor = NULL;
  gboolean ok;

  if (!avfs_storage_create_collection (copier->target, copier->collection,
                                       avfs_vault_collection_flags (copier->collection),
                                       error))
    return FALSE;
  cursor = avfs_storage_scan_prefix (copier->target, copier->collection, NULL, 0, error);
  if (cursor == NULL ||
      !avfs_vault_scan_cursor_each (cursor, NULL, gather_key_cb, copier, error))
    return FALSE;
  ok = copier->keys->len == 0 ||
       avfs_storage_transaction (copier->target, delete_batch_cb, copier, error);
  g_ptr_array_set_size (copier->keys, 0);
  return ok;
}

static gboolean
copy_collections (AvfsVault     *self,
                  AvfsStorage   *target,
                  Reporter      *reporter,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) collections = list_migrated_collections (self->storage, error);
  Copier copier = { target, NULL, keys, values, 0, reporter };

  if (collections == NULL)
    return FALSE;
  report_phase (reporter, "copy");
  for (guint i = 0; i < collections->len; i++)
    {
      g_autoptr(AvfsCursor) cursor = NULL;

      copier.collection = g_ptr_array_index (collections, i);
      if (!clear_target_collection (&copier, error))
        return FALSE;
      cursor = avfs_storage_scan_prefix (self->storage, copier.collection, NULL, 0, error);
      if (cursor == NULL ||
          !avfs_vault_scan_cursor_each (cursor, cancellable, copy_record_cb, &copier, error) ||
          !flush_batch (&copier, error))
        return FALSE;
    }
  return TRUE;
}

/* Compare */

/* A key for a message: its text when it is printable, else its first bytes in hex. */
static char *
describe_key (const guint8 *key,
              gsize         len)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean printable = TRUE;

  for (gsize i = 0; i < len && printable; i++)
    printable = g_ascii_isprint (key[i]);
  if (printable)
    return g_strdup_printf ("“%.*s”", (int) len, (const char *) key);
  for (gsize i = 0; i < MIN (len, 32); i++)
    g_string_append_printf (text, "%02x", key[i]);
  if (len > 32)
    g_string_append (text, "…");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const char *
describe_vault (AvfsVault *vault)
{
  return vault->path != NULL ? vault->path : "the memory vault";
}

typedef struct
{
  AvfsVault *self;
  AvfsVault *other;
  AvfsStorageStats *compared;
  Reporter *reporter;
  GCancellable *cancellable;
} Comparison;

static gboolean
set_difference (Comparison    *cmp,
                const char    *collection,
                AvfsCursor    *at,
                const char    *how,
                GError       **error)
{
  gsize len;
  const guint8 *key = avfs_cursor_get_key (at, &len);
  g_autofree char *shown = describe_key (key, len);

  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
               "%s and %s differ: the “%s” record %s %s", describe_vault (cmp->self),
               describe_vault (cmp->other), collection, shown, how);
  return FALSE;
}

static gboolean
values_equal (AvfsCursor *a,
              AvfsCursor *b,
              gsize      *len)
{
  gsize b_len;
  const guint8 *a_value = avfs_cursor_get_value (a, len);
  const guint8 *b_value = avfs_cursor_get_value (b, &b_len);

  return *len == b_len && (*len == 0 || memcmp (a_value, b_value, *len) == 0);
}

/* Moves @cursor on: *@has says whether it stands on an entry; %FALSE when reading
 * failed. */
static gboolean
advance (AvfsCursor  *cursor,
         gboolean    *has,
         GError     **error)
{
  GError *local_error = NULL;

  *has = avfs_cursor_next (cursor, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/* Steps two cursors over one collection in key order together; the first key one of
 * them lacks, or whose values differ, fails the comparison. */
static gboolean
compare_cursors (Comparison  *cmp,
                 const char  *collection,
                 AvfsCursor  *a,
                 AvfsCursor  *b,
                 GError     **error)
{
  g_autofree char *only_a = g_strdup_printf ("is only in %s", describe_vault (cmp->self));
  g_autofree char *only_b = g_strdup_printf ("is only in %s", describe_vault (cmp->other));
  guint64 records = 0, bytes = 0;
  gboolean has_a, has_b;

  if (!advance (a, &has_a, error) || !advance (b, &has_b, error))
    return FALSE;
  while (has_a || has_b)
    {
      gsize a_len = 0, b_len = 0, value_len;
      const guint8 *a_key = has_a ? avfs_cursor_get_key (a, &a_len) : NULL;
      const guint8 *b_key = has_b ? avfs_cursor_get_key (b, &b_len) : NULL;
      int order = !has_b ? -1 : !has_a ? 1 : avfs_storage_key_compare (a_key, a_len,
                                                                        b_key, b_len);

      if (g_cancellable_set_error_if_cancelled (cmp->cancellable, error))
        return FALSE;
      if (order != 0)
        return set_difference (cmp, collection, order < 0 ? a : b, order < 0 ? only_a : only_b,
                               error);
      if (!values_equal (a, b, &value_len))
        return set_difference (cmp, collection, a, "has different values", error);
      records++;
      bytes += a_len + value_len;
      report_step (cmp->reporter, 1, a_len + value_len);
      if (!advance (a, &has_a, error) || !advance (b, &has_b, error))
        return FALSE;
    }
  avfs_storage_stats_add_collection (cmp->compared, collection, records, bytes);
  return TRUE;
}

static gboolean
same_collections (Comparison  *cmp,
                  GPtrArray   *a,
                  GPtrArray   *b,
                  GError     **error)
{
  for (guint i = 0; i < MAX (a->len, b->len); i++)
    {
      const char *a_name = i < a->len ? g_ptr_array_index (a, i) : NULL;
      const char *b_name = i < b->len ? g_ptr_array_index (b, i) : NULL;
      const char *missing;

      if (g_strcmp0 (a_name, b_name) == 0)
        continue;
      /* Both lists are sorted: the smaller name is the one the other vault lacks. */
      missing = b_name == NULL || (a_name != NULL && strcmp (a_name, b_name) < 0) ? a_name
                                                                                  : b_name;
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "%s and %s differ: the collection “%s” is only in %s",
                   describe_vault (cmp->self), describe_vault (cmp->other), missing,
                   describe_vault (missing == a_name ? cmp->self : cmp->other));
      return FALSE;
    }
  return TRUE;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static gboolean
compare_vaults (Comparison  *cmp,
                GError     **error)
{
  g_autoptr(GPtrArray) a = list_migrated_collections (cmp->self->storage, error);
  g_autoptr(GPtrArray) b = a != NULL ? list_migrated_collections (cmp->other->storage, error)
                                     : NULL;

  if (b == NULL)
    return FALSE;
  g_ptr_array_sort (a, compare_names);
  g_ptr_array_sort (b, compare_names);
  if (!same_collections (cmp, a, b, error))
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const char *collection = g_ptr_array_index (a, i);
      g_autoptr(AvfsCursor) a_cursor = avfs_storage_scan_prefix (cmp->self->storage, collection,
                                                                 NULL, 0, error);
      g_autoptr(AvfsCursor) b_cursor = a_cursor != NULL ?
        avfs_storage_scan_prefix (cmp->other->storage, collection, NULL, 0, error) : NULL;

      if (b_cursor == NULL || !compare_cursors (cmp, collection, a_cursor, b_cursor, error))
        return FALSE;
    }
  return TRUE;
}

static AvfsStorageStats *
compare_with_reporter (AvfsVault     *self,
                       AvfsVault     *other,
                       Reporter      *reporter,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(AvfsStorageStats) stats = avfs_storage_stats_new (avfs_vault_get_engine_name (other),
                                                              other->path);
  Comparison cmp = { self, other, stats, reporter, cancellable };

  report_phase (reporter, "compare");
  if (!compare_vaults (&cmp, error))
    return NULL;
  return g_steal_pointer (&stats);
}

/**
 * avfs_vault_compare:
 * @other: another vault, of any engine
 * @compared: (out) (optional) (transfer full): @other's engine and path, and the records
 *   compared per collection
 * @progress: (nullable): told how phase `"compare"` goes
 * @cancellable: (nullable): checked before each record
 *
 * Compares two vaults record by record, collection by collection in key order, without
 * holding either whole in memory. Everything a vault holds counts (files, directories,
 * every version, chunks, tags, metadata, snapshots, the audit log, quotas and settings),
 * except what belongs to the engine: its engine record and its search queue. Writes
 * that commit while it runs may show as differences.
 *
 * Returns: %TRUE when both hold the same; else %FALSE with %AVFS_ERROR_CORRUPT naming
 *   the first collection and key that differ
 */
gboolean
avfs_vault_compare (AvfsVault         *self,
                    AvfsVault         *other,
                    AvfsStorageStats **compared,
                    AvfsProgressFunc   progress,
                    gpointer           user_data,
                    GCancellable      *cancellable,
                    GError           **error)
{
  Reporter reporter = { progress, user_data, { NULL } };
  AvfsStorageStats *stats;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (AVFS_IS_VAULT (other), FALSE);

  stats = compare_with_reporter (self, other, &reporter, cancellable, error);
  if (stats == NULL)
    return FALSE;
  if (compared != NULL)
    *compared = stats;
  else
    avfs_storage_stats_free (stats);
  return TRUE;
}

/* Migration into a new vault */

/* Microseconds since *@since, which moves on to now. */
static gint64
lap (gint64 *since)
{
  gint64 now = g_get_monotonic_time ();
  gint64 elapsed = now - *since;

  *since = now;
  return elapsed;
}

static guint64
compared_keys (const AvfsStorageStats *compared,
               const char             *collection)
{
  for (guint i = 0; i < compared->collections->len; i++)
    {
      const AvfsCollectionStats *stats = g_ptr_array_index (compared->collections, i);

      if (g_str_equal (stats->name, collection))
        return stats->keys;
    }
  return 0;
}

/* Fails when verify found anything wrong with the copy, or counted other numbers of
 * files, versions or chunks than were copied. */
static gboolean
check_verify_report (const AvfsVerifyReport  *report,
                     const AvfsStorageStats  *compared,
                     GError                 **error)
{
  static const struct { const char *collection; gsize offset; } counts[] = {
    { AVFS_COLLECTION_NODES, G_STRUCT_OFFSET (AvfsVerifyReport, nodes) },
    { AVFS_COLLECTION_VERSIONS, G_STRUCT_OFFSET (AvfsVerifyReport, versions) },
    { AVFS_COLLECTION_BLOBS, G_STRUCT_OFFSET (AvfsVerifyReport, blobs) },
  };

  if (report->n_problems > 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "the migrated vault does not verify (%" G_GUINT64_FORMAT " problems; the "
                   "first: %s)", report->n_problems,
                   (const char *) g_ptr_array_index (report->problems, 0));
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      guint64 verified = G_STRUCT_MEMBER (guint64, report, counts[i].offset);
      guint64 copied = compared_keys (compared, counts[i].collection);

      if (verified != copied)
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                       "verify checked %" G_GUINT64_FORMAT " “%s” records of the migrated "
                       "vault, but %" G_GUINT64_FORMAT " were copied", verified,
                       counts[i].collection, copied);
          return FALSE;
        }
    }
  return TRUE;
}

/* Copies @self into @target and compares them. Writes through @self wait meanwhile, so
 * the copy is of one state of the vault. */
static gboolean
copy_and_compare (AvfsVault          *self,
                  AvfsVault          *target,
                  Reporter           *reporter,
                  AvfsMigrateResult  *result,
                  gboolean           *index_copied,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write_lock);
  gint64 started = g_get_monotonic_time ();

  if (!copy_collections (self, target->storage, reporter, cancellable, error))
    return FALSE;
  result->copy_us = lap (&started);
  result->records = reporter->figures.files_done;
  result->bytes = reporter->figures.bytes_done;
  result->compared = compare_with_reporter (self, target, reporter, cancellable, error);
  result->compare_us = lap (&started);
  /* Still under the lock: an index copied now matches the records copied. */
  return result->compared != NULL &&
         avfs_vault_search_copy_index (self, target, index_copied, cancellable, error);
}

/* The target's search index, built on a thread of its own while the main thread checks
 * the records the index is built from (neither changes them). The check waits until
 * every file is indexed: what follows (Xapian merging its shards, FTS5 committing) keeps
 * one processor busy, filling the index kept them all. */
typedef struct
{
  AvfsVault *target;
  Reporter *reporter;
  GCancellable *cancellable;
  gint64 took_us;
  GError *error;
  GMutex lock;
  GCond filled_cond;
  gboolean filled;
} IndexJob;

static void
set_filled (IndexJob *job)
{
  g_mutex_lock (&job->lock);
  job->filled = TRUE;
  g_cond_signal (&job->filled_cond);
  g_mutex_unlock (&job->lock);
}

static void
wait_until_filled (IndexJob *job)
{
  g_mutex_lock (&job->lock);
  while (!job->filled)
    g_cond_wait (&job->filled_cond, &job->lock);
  g_mutex_unlock (&job->lock);
}

static void
index_progress_cb (const AvfsProgress *progress,
                   gpointer            user_data)
{
  IndexJob *job = user_data;

  if (job->reporter->func != NULL)
    job->reporter->func (progress, job->reporter->user_data);
  if (progress->files_total > 0 && progress->files_done == progress->files_total)
    set_filled (job);
}

static gpointer
build_index_thread (gpointer data)
{
  IndexJob *job = data;
  gint64 started = g_get_monotonic_time ();

  avfs_vault_search_rebuild (job->target, job->cancellable, index_progress_cb, job,
                             &job->error);
  job->took_us = lap (&started);
  set_filled (job);
  return NULL;
}

/* Builds the index (unless it was copied) and verifies @target: the records while the
 * index is finished (see IndexJob), then the index. Progress is told of the index alone
 * meanwhile: the function is called on one thread at a time. */
static gboolean
index_and_verify (AvfsVault          *target,
                  gboolean            index_copied,
                  Reporter           *reporter,
                  AvfsMigrateResult  *result,
                  GCancellable       *cancellable,
                  GError            **error)
{
  IndexJob job = { target, reporter, cancellable };
  g_autoptr(GMutexLocker) locker = NULL;
  GThread *thread = NULL;
  gint64 started = g_get_monotonic_time ();

  report_start (reporter, "index");
  g_mutex_init (&job.lock);
  g_cond_init (&job.filled_cond);
  if (!index_copied)
    {
      thread = g_thread_new ("avfs-migrate-index", build_index_thread, &job);
      wait_until_filled (&job);
    }
  else
    {
      locker = g_mutex_locker_new (&target->write_lock);
      report_start (reporter, "verify");
    }
  result->verify = avfs_vault_verify_records (target, index_copied ? reporter->func : NULL,
                                              reporter->user_data, cancellable, error);
  if (thread != NULL)
    {
      g_thread_join (thread);
      result->index_us = job.took_us;
      locker = g_mutex_locker_new (&target->write_lock);
    }
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.filled_cond);
  if (job.error != NULL)
    {
      g_clear_error (error);
      g_propagate_error (error, job.error);
      return FALSE;
    }
  if (!index_copied)
    report_start (reporter, "verify");
  if (result->verify == NULL ||
      !avfs_vault_verify_search (target, result->verify, cancellable, error))
    return FALSE;
  result->verify_us = lap (&started) - result->index_us;
  return TRUE;
}

static gboolean
put_format_cb (AvfsTransaction  *tx,
               gpointer          user_data,
               GError          **error)
{
  return avfs_meta_put_uint64 (tx, "format", AVFS_VAULT_FORMAT, error);
}

/* Fills the new @target: copy, compare, search index, verify. The copy brings the
 * source's format with its other settings; the target, made by this avfs, is of its own
 * (on SQLite, its blobs table is of the newest layout). */
static gboolean
fill_target (AvfsVault          *self,
             AvfsVault          *target,
             Reporter           *reporter,
             AvfsMigrateResult  *result,
             GCancellable       *cancellable,
             GError            **error)
{
  gboolean index_copied;

  if (!copy_and_compare (self, target, reporter, result, &index_copied, cancellable, error) ||
      !avfs_storage_transaction (target->storage, put_format_cb, NULL, error))
    return FALSE;
  /* The copy carries the vault's identity (meta "uuid"); the new object still holds the
   * one its creation made up. */
  g_free (target->uuid);
  target->uuid = g_strdup (self->uuid);
  return index_and_verify (target, index_copied, reporter, result, cancellable, error) &&
         check_verify_report (result->verify, result->compared, error);
}

/* Creates the target with @self's settings and fills it; on failure or cancellation,
 * nothing of it is left. */
static AvfsVault *
build_target (AvfsVault          *self,
              const char         *engine,
              const char         *path,
              GHashTable         *backend_options,
              Reporter           *reporter,
              AvfsMigrateResult  *result,
              GCancellable       *cancellable,
              GError            **error)
{
  g_autoptr(AvfsVault) target = NULL;
  g_autoptr(AvfsBulkJob) reading = avfs_vault_begin_bulk (self);
  g_autoptr(AvfsBulkJob) writing = NULL;
  AvfsVaultSettings settings;
  GError *local_error = NULL;

  avfs_vault_get_settings (self, &settings);
  target = avfs_vault_create (engine, path, backend_options, &settings, error);
  if (target == NULL)
    return NULL;
  writing = avfs_vault_begin_bulk (target);
  if (!fill_target (self, target, reporter, result, cancellable, &local_error))
    {
      avfs_vault_close (target, NULL);
      if (path != NULL)
        avfs_storage_delete_store (path, NULL);
      if (local_error->domain == AVFS_ERROR && local_error->code == AVFS_ERROR_CORRUPT)
        g_prefix_error (&local_error, "Migration failed: integrity check failed: ");
      else
        g_prefix_error (&local_error, "Migration of %s to %s stopped: ",
                        describe_vault (self), engine);
      g_propagate_error (error, local_error);
      return NULL;
    }
  result->source_engine = g_strdup (avfs_vault_get_engine_name (self));
  result->target_engine = g_strdup (engine);
  result->path = g_strdup (path);
  return g_steal_pointer (&target);
}

/**
 * avfs_vault_migrate_to:
 * @engine: the target's engine (`sqlite`, `lmdb`, `rocksdb`, `memory`)
 * @path: (nullable): where the target goes (must not exist); %NULL for memory
 * @backend_options: (nullable): engine name → (option → value) tables, as in
 *   config.toml
 * @result: (out) (optional) (transfer full): what was copied, compared and verified
 * @progress: (nullable): told how the phases `"scan"`, `"copy"`, `"compare"`,
 *   `"index"` and `"verify"` go, records (files) and bytes counted
 * @cancellable: (nullable): stops the migration at the next record
 *
 * Copies the whole vault into a new vault of @engine, in batched transactions and
 * without holding the vault in memory, then builds the copy's search index, compares
 * the two record by record and verifies the copy. Writes to @self through this object
 * wait while it is copied and compared. @self is only read. On failure or cancellation
 * the partial copy is removed; a difference found fails with %AVFS_ERROR_CORRUPT and
 * “Migration failed: integrity check failed: …”. Memory vaults can be migrated both
 * ways here; avfs_registry_migrate() migrates a vault by name.
 *
 * Returns: (transfer full) (nullable): the migrated vault, open
 */
AvfsVault *
avfs_vault_migrate_to (AvfsVault           *self,
                       const char          *engine,
                       const char          *path,
                       GHashTable          *backend_options,
                       AvfsMigrateResult  **result,
                       AvfsProgressFunc     progress,
                       gpointer             user_data,
                       GCancellable        *cancellable,
                       GError             **error)
{
  Reporter reporter = { progress, user_data, { NULL } };
  g_autoptr(AvfsMigrateResult) outcome = g_new0 (AvfsMigrateResult, 1);
  g_autoptr(AvfsStorageStats) source = NULL;
  const AvfsEngineInfo *info;
  AvfsVault *target;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);

  if ((info = avfs_storage_lookup_engine (engine, error)) == NULL)
    return NULL;
  report_start (&reporter, "scan");
  source = measure_source (self, &reporter.figures.files_total,
                           &reporter.figures.bytes_total, error);
  if (source == NULL)
    return NULL;
  target = build_target (self, info->name, path, backend_options, &reporter, outcome,
                         cancellable, error);
  if (target != NULL && result != NULL)
    *result = g_steal_pointer (&outcome);
  return target;
}

/* Migration of a vault by name */

/* A migration under way: its plan, the source it holds open (and, until the original
 * is gone, the only lock on it), where the target is built. */
typedef struct
{
  AvfsRegistry *registry;
  AvfsMigratePlan *plan;
  AvfsVault *source;
  AvfsVaultLock *source_lock;
  char *temp_path;
  gboolean to_output;
  Reporter reporter;
} Migration;

static void
migration_clear (Migration *m)
{
  g_clear_pointer (&m->plan, avfs_migrate_plan_free);
  /* A memory vault is the registry's to close. */
  if (m->source != NULL && m->source->path != NULL)
    avfs_vault_close (m->source, NULL);
  g_clear_object (&m->source);
  g_clear_pointer (&m->source_lock, avfs_vault_lock_unref);
  g_clear_pointer (&m->temp_path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Migration, migration_clear)

/* Where a migration builds a vault that will end up at @path: beside it, hidden. */
static char *
leftover_path (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *hidden = g_strconcat (".", base, LEFTOVER_SUFFIX, NULL);

  return g_build_filename (dir, hidden, NULL);
}

static gboolean
check_output (const char  *output,
              GError     **error)
{
  g_autofree char *dir = NULL;

  if (output[0] == '\0' || g_str_has_suffix (output, "/"))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an output path: give the file or directory the migrated "
                   "vault should be, such as /backups/notes.lmdb", output);
      return FALSE;
    }
  /* A link counts even when it leads nowhere: the store would be created through it. */
  if (g_file_test (output, G_FILE_TEST_EXISTS) || g_file_test (output, G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                   "%s already exists; choose another output path or move it away first",
                   output);
      return FALSE;
    }
  dir = g_path_get_dirname (output);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                   "The folder %s for the output %s does not exist; create it first", dir,
                   output);
      return FALSE;
    }
  return TRUE;
}

/* What the request itself rules out, before any vault is opened. */
static gboolean
check_request (const AvfsVaultEntry  *entry,
               const AvfsEngineInfo  *target,
               const char            *output,
               AvfsMigrateFlags       flags,
               GError               **error)
{
  if (target->extension == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Vault “%s” cannot be migrated to memory: a memory vault lasts only as "
                   "long as the program holding it; create one and import the files instead",
                   entry->name);
      return FALSE;
    }
  if (output != NULL)
    return check_output (output, error);
  if (g_str_equal (entry->engine, target->name))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Vault “%s” already uses %s; choose another engine, or give an output "
                   "path to write a compacted copy", entry->name, target->name);
      return FALSE;
    }
  if (entry->path == NULL && (flags & AVFS_MIGRATE_KEEP_ORIGINAL))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Vault “%s” is a memory vault, which cannot be kept under another name; "
                   "migrate it without keeping the original, or give an output path",
                   entry->name);
      return FALSE;
    }
  return TRUE;
}

/* NAME-original, else NAME-original-2, -3…: the first name no vault has. */
static char *
find_original_name (AvfsRegistry  *registry,
                    const char    *name,
                    GError       **error)
{
  for (guint n = 1; ; n++)
    {
      g_autofree char *candidate = n == 1 ? g_strconcat (name, "-original", NULL)
                                          : g_strdup_printf ("%s-original-%u", name, n);
      g_autoptr(AvfsVaultEntry) taken = NULL;

      if (!avfs_registry_check_name (candidate, NULL))
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                       "The original of vault “%s” cannot be kept as “%s”: vault names have "
                       "at most %d characters; give an output path instead", name, candidate,
                       AVFS_VAULT_NAME_MAX);
          return NULL;
        }
      taken = avfs_registry_info (registry, candidate, NULL);
      if (taken == NULL)
        return g_steal_pointer (&candidate);
    }
}

/* Free bytes on the file system @path is (or will be) on. */
static guint64
free_space_at (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;

  while (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      char *parent = g_path_get_dirname (dir);

      g_free (dir);
      dir = parent;
    }
  file = g_file_new_for_path (dir);
  info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  if (info == NULL)
    return G_MAXUINT64;  /* unknown: the copy itself will say when the disk is full */
  return g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
}

static gboolean
check_free_space (const AvfsMigratePlan  *plan,
                  GError                **error)
{
  g_autofree char *needed = NULL;
  g_autofree char *available = NULL;
  g_autofree char *dir = NULL;

  if (plan->free_bytes >= plan->estimated_bytes)
    return TRUE;
  needed = g_format_size (plan->estimated_bytes);
  available = g_format_size (plan->free_bytes);
  dir = g_path_get_dirname (plan->target_path);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_NO_SPACE,
               "Not enough free space in %s to migrate vault “%s”: it needs about %s and %s "
               "are free", dir, plan->name, needed, available);
  return FALSE;
}

/* Sizes the copy and checks that it fits. */
static gboolean
estimate (Migration  *m,
          GError    **error)
{
  AvfsMigratePlan *plan = m->plan;
  gint64 started = g_get_monotonic_time ();

  report_start (&m->reporter, "scan");
  plan->source = measure_source (m->source, &plan->records, &plan->record_bytes, error);
  if (plan->source == NULL)
    return FALSE;
  plan->estimated_seconds = ESTIMATE_TIME_FACTOR * (gdouble) lap (&started) / G_USEC_PER_SEC;
  plan->estimated_bytes = ESTIMATE_SIZE_FACTOR * plan->record_bytes + ESTIMATE_SIZE_SLACK;
  plan->free_bytes = free_space_at (plan->target_path);
  m->reporter.figures.files_total = plan->records;
  m->reporter.figures.bytes_total = plan->record_bytes;
  return check_free_space (plan, error);
}

/* Opens the source so that nothing is written to its files (RocksDB would otherwise
 * start a new log and manifest). A search queue left by a crash is applied first, by a
 * normal open: the copy's index must agree with its files. */
static AvfsVault *
open_source (Migration             *m,
             const AvfsVaultEntry  *entry,
             GError               **error)
{
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  gboolean has_queue;

  if (entry->path == NULL)
    return avfs_registry_open (m->registry, entry->name, error);
  options = avfs_registry_dup_backend_options (m->registry);
  vault = avfs_vault_open_to_read (entry->path, options, error);
  if (vault == NULL || !avfs_vault_search_has_queue (vault, &has_queue, error))
    return NULL;
  if (!has_queue)
    return g_steal_pointer (&vault);
  avfs_vault_close (vault, NULL);
  g_clear_object (&vault);
  vault = avfs_vault_open (entry->path, options, error);
  if (vault == NULL || !avfs_vault_search_flush (vault, error) ||
      !avfs_vault_close (vault, error))
    return NULL;
  g_clear_object (&vault);
  return avfs_vault_open_to_read (entry->path, options, error);
}

/* Makes the migration the only program that has the source open, until the original
 * has been moved away: nobody writes into a vault that is about to vanish, or opens it
 * between its close and the switch. */
static gboolean
lock_source (Migration  *m,
             GError    **error)
{
  if (m->source->access_lock == NULL)
    return TRUE;
  if (!avfs_vault_lock_make_exclusive (m->source->access_lock, error))
    {
      g_prefix_error (error, "Vault “%s” cannot be migrated now: ", m->plan->name);
      return FALSE;
    }
  m->source_lock = avfs_vault_lock_ref (m->source->access_lock);
  return TRUE;
}

/* Checks the request, opens the source and plans: everything that needs no writing. */
static gboolean
migration_prepare (Migration         *m,
                   const char        *name,
                   const char        *engine,
                   const char        *output,
                   AvfsMigrateFlags   flags,
                   GError           **error)
{
  g_autoptr(AvfsVaultEntry) entry = NULL;
  const AvfsEngineInfo *target;
  AvfsMigratePlan *plan;

  if (!avfs_registry_check_name (name, error) ||
      (target = avfs_storage_lookup_engine (engine, error)) == NULL ||
      (entry = avfs_registry_info (m->registry, name, error)) == NULL ||
      !check_request (entry, target, output, flags, error))
    return FALSE;
  plan = m->plan = g_new0 (AvfsMigratePlan, 1);
  plan->name = g_strdup (name);
  plan->target_engine = g_strdup (target->name);
  plan->target_path = output != NULL ? g_strdup (output)
                      : avfs_registry_path_for (m->registry, name, target->name, error);
  if (plan->target_path == NULL)
    return FALSE;
  if (output == NULL && g_file_test (plan->target_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                   "Vault “%s” cannot move to %s: %s is in the way; move it elsewhere first",
                   name, target->name, plan->target_path);
      return FALSE;
    }
  if (output == NULL && (flags & AVFS_MIGRATE_KEEP_ORIGINAL) &&
      (plan->original_name = find_original_name (m->registry, name, error)) == NULL)
    return FALSE;
  m->source = open_source (m, entry, error);
  return m->source != NULL && lock_source (m, error) && estimate (m, error);
}

/**
 * avfs_registry_plan_migration:
 * @name: the vault's name
 * @engine: the engine to move it to
 * @output: (nullable): write the migrated vault here instead, leaving the original as
 *   it is; any engine, the vault's own too (a compacted copy)
 * @flags: whether the original will be kept
 * @progress: (nullable): told how the phases `"scan"` and `"verify"` go
 * @cancellable: (nullable): stops the source's verification
 *
 * Checks everything a migration needs without writing anything: the target engine is
 * available and is not the vault's own (unless @output is given), the place for the
 * result is free, the disk has room for it, and the source verifies. The vault must not
 * be open elsewhere in this process.
 *
 * Returns: (transfer full) (nullable): what the migration would do; %NULL with
 *   %AVFS_ERROR_BACKEND_UNAVAILABLE, %AVFS_ERROR_INVALID_ARGUMENT, %AVFS_ERROR_EXISTS,
 *   %AVFS_ERROR_NO_SPACE or %AVFS_ERROR_CORRUPT (the source does not verify) when it
 *   cannot be done
 */
AvfsMigratePlan *
avfs_registry_plan_migration (AvfsRegistry      *self,
                              const char        *name,
                              const char        *engine,
                              const char        *output,
                              AvfsMigrateFlags   flags,
                              AvfsProgressFunc   progress,
                              gpointer           user_data,
                              GCancellable      *cancellable,
                              GError           **error)
{
  g_auto(Migration) m = { .registry = self, .reporter = { progress, user_data, { NULL } } };
  g_autoptr(AvfsVerifyReport) report = NULL;

  g_return_val_if_fail (AVFS_IS_REGISTRY (self), NULL);

  if (!migration_prepare (&m, name, engine, output, flags, error))
    return NULL;
  report_start (&m.reporter, "verify");
  report = avfs_vault_verify (m.source, progress, user_data, cancellable, error);
  if (report == NULL)
    return NULL;
  if (report->n_problems > 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "Vault “%s” does not verify (%" G_GUINT64_FORMAT " problems; the first: "
                   "%s); see “avfs-cli vault verify %s” and repair it before migrating", name,
                   report->n_problems, (const char *) g_ptr_array_index (report->problems, 0),
                   name);
      return NULL;
    }
  return g_steal_pointer (&m.plan);
}

/* Renames a closed store and whatever an engine keeps beside it (SQLite's `-wal`). */
static gboolean
move_store (const char  *from,
            const char  *to,
            GError     **error)
{
  static const char * const sidecars[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (sidecars); i++)
    {
      g_autofree char *source = g_strconcat (from, sidecars[i], NULL);
      g_autofree char *dest = g_strconcat (to, sidecars[i], NULL);

      if (i > 0 && !g_file_test (source, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (source, dest) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not rename %s to %s: %s",
                       source, dest, g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* Removes what interrupted migrations of this vault left: partial targets and
 * originals on their way out, for every engine, or beside the output path. */
static gboolean
remove_leftovers (Migration  *m,
                  GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (m->plan->target_path);
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  if (m->to_output)
    return avfs_storage_delete_store (m->temp_path, error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *base = NULL;
      g_autofree char *leftover = NULL;

      if (engines[i].extension == NULL)
        continue;
      base = g_strconcat (".", m->plan->name, engines[i].extension, LEFTOVER_SUFFIX, NULL);
      leftover = g_build_filename (dir, base, NULL);
      if (!avfs_storage_delete_store (leftover, error))
        return FALSE;
    }
  return TRUE;
}

/* A memory original leaves the registry; the name then opens the migrated file, and
 * stays current if it was. */
static gboolean
forget_memory_source (Migration  *m,
                      GError    **error)
{
  g_autofree char *current = avfs_registry_get_current (m->registry);

  return avfs_registry_delete (m->registry, m->plan->name, error) &&
         (g_strcmp0 (current, m->plan->name) != 0 ||
          avfs_registry_set_current (m->registry, current, error));
}

/* Moves the original out of the way: under its kept name, or out and deleted. */
static gboolean
retire_source (Migration          *m,
               const char         *source_path,
               AvfsMigrateResult  *result,
               GError            **error)
{
  g_autofree char *leftover = NULL;

  if (source_path == NULL)
    return forget_memory_source (m, error);
  if (m->plan->original_name != NULL)
    {
      result->original_name = g_strdup (m->plan->original_name);
      result->original_path = avfs_registry_path_for (m->registry, m->plan->original_name,
                                                      m->plan->source->engine, error);
      return result->original_path != NULL &&
             move_store (source_path, result->original_path, error);
    }
  leftover = leftover_path (source_path);
  return move_store (source_path, leftover, error) &&
         avfs_storage_delete_store (leftover, error);
}

/* Puts the closed target in place. The migrated vault arrives before the original
 * leaves, so at every moment the name opens one of the two, which hold the same. */
static gboolean
switch_vaults (Migration          *m,
               AvfsMigrateResult  *result,
               GError            **error)
{
  g_autofree char *source_path = g_strdup (m->plan->source->path);
  GError *local_error = NULL;

  report_start (&m->reporter, "switch");
  if (!move_store (m->temp_path, m->plan->target_path, error))
    {
      avfs_storage_delete_store (m->temp_path, NULL);
      return FALSE;
    }
  g_free (result->path);
  result->path = g_strdup (m->plan->target_path);
  if (m->to_output || retire_source (m, source_path, result, &local_error))
    return TRUE;
  g_set_error (error, AVFS_ERROR, local_error->code,
               "Vault “%s” now opens the migrated %s vault at %s, but its original could not "
               "be moved away: %s", m->plan->name, m->plan->target_engine,
               m->plan->target_path, local_error->message);
  g_error_free (local_error);
  return FALSE;
}

/* Closes both vaults and switches; a cancellation is honoured up to the switch, which
 * then completes. */
static gboolean
put_in_place (Migration          *m,
              AvfsVault          *target,
              AvfsMigrateResult  *result,
              GCancellable       *cancellable,
              GError            **error)
{
  gint64 started = g_get_monotonic_time ();

  if (!avfs_vault_close (target, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error) ||
      (m->source->path != NULL && !avfs_vault_close (m->source, error)))
    {
      avfs_storage_delete_store (m->temp_path, NULL);
      return FALSE;
    }
  if (m->source->path != NULL)
    g_clear_object (&m->source);
  if (!switch_vaults (m, result, error))
    return FALSE;
  result->switch_us = lap (&started);
  return TRUE;
}

static gboolean
ensure_directory (const char  *path,
                  GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Could not create %s: %s", dir,
               g_strerror (errno));
  return FALSE;
}

/**
 * avfs_registry_migrate:
 * @name: the vault's name
 * @engine: the engine to move it to
 * @output: (nullable): write the migrated vault here instead (any engine, the vault's
 *   own too: a compacted copy), leaving the original as it is
 * @flags: whether to keep the original, as `NAME-original`
 * @progress: (nullable): told how the phases `"scan"`, `"copy"`, `"compare"`, `"index"`,
 *   `"verify"` and `"switch"` go
 * @cancellable: (nullable): stops the migration at any point before the switch
 *
 * Migrates vault @name to @engine with the engine's options from config.toml (see
 * avfs_vault_migrate_to() for the copy and its checks), then puts the result in place:
 * @name opens the migrated vault and the original is removed or, with
 * %AVFS_MIGRATE_KEEP_ORIGINAL, becomes the vault avfs_migrate_result's @original_name.
 * The checks of avfs_registry_plan_migration() but verify come first; what a migration
 * interrupted by a crash left of this vault is removed. A failed or cancelled migration
 * removes its partial target and leaves the original as it was. The vault must not be
 * open elsewhere in this process.
 *
 * Returns: (transfer full) (nullable): what was done
 */
AvfsMigrateResult *
avfs_registry_migrate (AvfsRegistry      *self,
                       const char        *name,
                       const char        *engine,
                       const char        *output,
                       AvfsMigrateFlags   flags,
                       AvfsProgressFunc   progress,
                       gpointer           user_data,
                       GCancellable      *cancellable,
                       GError           **error)
{
  g_auto(Migration) m = { .registry = self, .to_output = output != NULL,
                          .reporter = { progress, user_data, { NULL } } };
  g_autoptr(AvfsMigrateResult) result = g_new0 (AvfsMigrateResult, 1);
  g_autoptr(AvfsVault) target = NULL;
  g_autoptr(GHashTable) options = NULL;

  g_return_val_if_fail (AVFS_IS_REGISTRY (self), NULL);

  if (!avfs_registry_reload_config (self, error) ||
      !migration_prepare (&m, name, engine, output, flags, error))
    return NULL;
  options = avfs_registry_dup_backend_options (self);
  m.temp_path = leftover_path (m.plan->target_path);
  if (!remove_leftovers (&m, error) || !ensure_directory (m.temp_path, error))
    return NULL;
  target = build_target (m.source, m.plan->target_engine, m.temp_path,
                         options, &m.reporter, result,
                         cancellable, error);
  if (target == NULL || !put_in_place (&m, target, result, cancellable, error))
    return NULL;
  return g_steal_pointer (&result);
}
