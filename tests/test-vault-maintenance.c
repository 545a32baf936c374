/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Vault maintenance on every engine: gc, prune, stats, verify (with planted damage), compact. */
#include "vault-fixture.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-private.h"
#include "avfs-vault-snapshots.h"

#define DAY G_TIME_SPAN_DAY

/* The blob key of a one-chunk content: its SHA-256. */
static void
chunk_key (const char *content,
           guint8      hash[AVFS_HASH_LEN])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = AVFS_HASH_LEN;

  g_checksum_update (checksum, (const guint8 *) content, strlen (content));
  g_checksum_get_digest (checksum, hash, &len);
}

static gboolean
blob_stored (AvfsVault  *vault,
             const char *content)
{
  g_autoptr(GError) error = NULL;
  guint8 hash[AVFS_HASH_LEN];
  gboolean exists = FALSE;

  chunk_key (content, hash);
  g_assert_true (avfs_storage_exists (avfs_vault_get_storage (vault), AVFS_COLLECTION_BLOBS,
                                      hash, sizeof hash, &exists, &error));
  g_assert_no_error (error);
  return exists;
}

static AvfsGcReport
run_gc (AvfsVault *vault,
        gboolean   dry_run)
{
  g_autoptr(GError) error = NULL;
  AvfsGcReport report;

  g_assert_true (avfs_vault_gc (vault, dry_run, &report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return report;
}

static AvfsPruneReport *
run_prune (AvfsVault *vault,
           guint      keep,
           guint      older_than_days,
           gboolean   dry_run)
{
  g_autoptr(GError) error = NULL;
  AvfsPruneReport *report = avfs_vault_prune (vault, keep, older_than_days, dry_run, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static AvfsVerifyReport *
run_verify (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  AvfsVerifyReport *report = avfs_vault_verify (vault, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static void
assert_sound (AvfsVault *vault)
{
  g_autoptr(AvfsVerifyReport) report = run_verify (vault);

  for (guint i = 0; i < report->problems->len; i++)
    g_test_message ("unexpected problem: %s", (char *) g_ptr_array_index (report->problems, i));
  g_assert_cmpuint (report->n_problems, ==, 0);
  g_assert_cmpuint (report->problems->len, ==, 0);
}

static void
assert_has_version (AvfsVault  *vault,
                    const char *path,
                    guint32     version,
                    gboolean    expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = avfs_vault_read (vault, path, version, &error);

  if (expected)
    g_assert_no_error (error);
  else
    g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

static gboolean
audited (AvfsVault  *vault,
         const char *op,
         const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = avfs_storage_scan_prefix (avfs_vault_get_storage (vault),
                                                           AVFS_COLLECTION_AUDIT, NULL, 0,
                                                           &error);

  g_assert_no_error (error);
  while (avfs_cursor_next (cursor, &error))
    {
      g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
      g_autoptr(GVariant) record = g_variant_ref_sink (
        g_variant_new_from_bytes (G_VARIANT_TYPE (AVFS_AUDIT_RECORD), value, FALSE));
      const char *entry_op, *entry_path;

      g_variant_get (record, "(yx&s&s&s)", NULL, NULL, &entry_op, &entry_path, NULL);
      if (g_str_equal (entry_op, op) && g_str_equal (entry_path, path))
        return TRUE;
    }
  g_assert_no_error (error);
  return FALSE;
}

/* gc */

static void
test_gc_after_prune (VaultFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(AvfsPruneReport) pruned = NULL;
  AvfsGcReport report;

  vault_write_string (f->vault, "/a", "alpha one");
  vault_write_string (f->vault, "/a", "alpha two");
  report = run_gc (f->vault, FALSE);
  g_assert_cmpuint (report.blobs_checked, ==, 2);
  g_assert_cmpuint (report.blobs_removed, ==, 0);
  g_assert_true (blob_stored (f->vault, "alpha one"));

  pruned = run_prune (f->vault, 1, 0, FALSE);
  g_assert_cmpuint (pruned->versions_removed, ==, 1);
  g_assert_true (blob_stored (f->vault, "alpha one"));

  report = run_gc (f->vault, TRUE);
  g_assert_cmpuint (report.blobs_removed, ==, 1);
  g_assert_cmpuint (report.bytes_freed, >, 0);
  g_assert_true (blob_stored (f->vault, "alpha one"));

  report = run_gc (f->vault, FALSE);
  g_assert_cmpuint (report.blobs_checked, ==, 2);
  g_assert_cmpuint (report.blobs_removed, ==, 1);
  g_assert_false (blob_stored (f->vault, "alpha one"));
  g_assert_true (blob_stored (f->vault, "alpha two"));
  vault_assert_content (f->vault, "/a", 0, "alpha two");
  g_assert_cmpuint (run_gc (f->vault, FALSE).blobs_removed, ==, 0);
  g_assert_true (audited (f->vault, "gc", ""));
  assert_sound (f->vault);
}

static void
test_gc_after_remove (VaultFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AvfsGcReport report;

  g_assert_true (avfs_vault_mkdir (f->vault, "/d", FALSE, &error));
  vault_write_string (f->vault, "/d/x", "only in x");
  vault_write_string (f->vault, "/d/y", "shared content");
  vault_write_string (f->vault, "/z", "shared content");
  g_assert_true (avfs_vault_remove (f->vault, "/d", TRUE, &error));
  g_assert_no_error (error);

  report = run_gc (f->vault, FALSE);
  g_assert_cmpuint (report.blobs_removed, ==, 1);
  g_assert_false (blob_stored (f->vault, "only in x"));
  g_assert_true (blob_stored (f->vault, "shared content"));
  vault_assert_content (f->vault, "/z", 0, "shared content");
  assert_sound (f->vault);
}

static void
test_gc_keeps_snapshots (VaultFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  vault_write_string (f->vault, "/s", "first, in the snapshot");
  vault_write_string (f->vault, "/s", "second, in the snapshot");
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s1", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_vault_remove (f->vault, "/s", FALSE, &error));

  g_assert_cmpuint (run_gc (f->vault, FALSE).blobs_removed, ==, 0);
  g_assert_true (blob_stored (f->vault, "first, in the snapshot"));
  g_assert_true (blob_stored (f->vault, "second, in the snapshot"));
  assert_sound (f->vault);

  g_assert_true (avfs_vault_snapshot_delete (f->vault, "s1", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (run_gc (f->vault, FALSE).blobs_removed, ==, 2);
  g_assert_false (blob_stored (f->vault, "first, in the snapshot"));
  assert_sound (f->vault);
}

/* A large file appended to shares its full chunks with the old version: once the old
 * version is pruned, only its old last chunk goes. */
static void
test_gc_shared_chunks (VaultFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gsize size = 2 * AVFS_VAULT_DEFAULT_CHUNK_SIZE + 4321;
  g_autofree guint8 *large = g_malloc (size);
  g_autoptr(AvfsPruneReport) pruned = NULL;

  for (gsize i = 0; i < size; i++)
    large[i] = (guint8) g_test_rand_int ();
  g_assert_cmpuint (avfs_vault_write (f->vault, "/big", large, size, AVFS_WRITE_NONE,
                                      &error), ==, 1);
  g_assert_cmpuint (avfs_vault_write (f->vault, "/big", (const guint8 *) "tail", 4,
                                      AVFS_WRITE_APPEND, &error), ==, 2);
  g_assert_no_error (error);
  pruned = run_prune (f->vault, 1, 0, FALSE);
  g_assert_cmpuint (pruned->versions_removed, ==, 1);
  g_assert_cmpuint (run_gc (f->vault, FALSE).blobs_removed, ==, 1);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_BLOBS), ==, 3);
  assert_sound (f->vault);
}

static void
test_gc_cancelled (VaultFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(AvfsPruneReport) pruned = NULL;
  AvfsGcReport report;

  vault_write_string (f->vault, "/a", "old");
  vault_write_string (f->vault, "/a", "new");
  pruned = run_prune (f->vault, 1, 0, FALSE);
  g_cancellable_cancel (cancellable);
  g_assert_false (avfs_vault_gc (f->vault, FALSE, &report, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (report.blobs_removed, ==, 0);
  g_assert_true (blob_stored (f->vault, "old"));
}

/* prune */

/* Sets when version @number of @path was written. */
typedef struct
{
  AvfsVault *vault;
  guint64 id;
  guint32 number;
  gint64 time_us;
} Backdate;

static gboolean
backdate_cb (AvfsTransaction  *tx,
             gpointer          user_data,
             GError          **error)
{
  Backdate *job = user_data;
  g_autoptr(AvfsVersion) version = avfs_version_load (job->vault, tx, job->id, job->number,
                                                      error);

  if (version == NULL)
    return FALSE;
  version->time_us = job->time_us;
  return avfs_version_save (tx, job->id, job->number, version, error);
}

static void
backdate (AvfsVault  *vault,
          const char *path,
          guint32     number,
          guint       days)
{
  g_autoptr(GError) error = NULL;
  Backdate job = { vault, vault_node_id (vault, path), number,
                   g_get_real_time () - days * DAY };

  g_assert_true (avfs_storage_transaction (avfs_vault_get_storage (vault), backdate_cb, &job,
                                           &error));
  g_assert_no_error (error);
}

typedef struct
{
  guint keep;
  guint older_than_days;
  gboolean dry_run;
  const char *remaining;  /* versions of /p left, as digits */
} PruneCase;

/* /p has versions 1–5 written 100, 50, 20 and 5 days ago and now; /q has one version,
 * 100 days old, which is current and so always stays. */
static void
make_history (AvfsVault *vault)
{
  static const guint ages[] = { 100, 50, 20, 5 };
  g_autoptr(GError) error = NULL;

  for (guint v = 1; v <= 5; v++)
    {
      g_autofree char *content = g_strdup_printf ("p%u", v);

      vault_write_string (vault, "/p", content);
    }
  for (guint v = 1; v <= G_N_ELEMENTS (ages); v++)
    backdate (vault, "/p", v, ages[v - 1]);
  vault_write_string (vault, "/q", "only");
  backdate (vault, "/q", 1, 100);
  g_assert_true (avfs_vault_mkdir (vault, "/dir", FALSE, &error));
}

static void
check_prune_case (const AvfsEngineInfo *engine,
                  const PruneCase      *c)
{
  VaultFixture sub = { 0 };
  g_autoptr(AvfsPruneReport) report = NULL;
  guint removed = 5 - strlen (c->remaining);

  vault_fixture_set_up (&sub, engine);
  make_history (sub.vault);
  report = run_prune (sub.vault, c->keep, c->older_than_days, c->dry_run);
  g_assert_cmpuint (report->versions_removed, ==, removed);
  g_assert_cmpuint (report->files_touched, ==, removed > 0 ? 1 : 0);
  g_assert_cmpuint (report->versions->len, ==, c->dry_run ? removed : 0);
  for (guint v = 1; v <= 5; v++)
    {
      gboolean kept = strchr (c->remaining, '0' + v) != NULL;

      assert_has_version (sub.vault, "/p", v, c->dry_run || kept);
      if (c->dry_run && !kept)
        {
          AvfsPrunedVersion *pruned = g_ptr_array_index (report->versions, v - 1);

          g_assert_cmpstr (pruned->path, ==, "/p");
          g_assert_cmpuint (pruned->version, ==, v);
          g_assert_cmpuint (pruned->size, ==, 2);
        }
    }
  vault_assert_content (sub.vault, "/p", 0, "p5");
  vault_assert_content (sub.vault, "/q", 0, "only");
  assert_sound (sub.vault);
  vault_fixture_tear_down (&sub, engine);
}

static void
test_prune (VaultFixture  *f,
            gconstpointer  data)
{
  static const PruneCase cases[] = {
    { 2, 0, FALSE, "45" },
    { 9, 0, FALSE, "12345" },
    { 0, 30, FALSE, "345" },
    { 0, 1, FALSE, "5" },
    { 1, 30, FALSE, "345" },  /* a version goes only when both limits let it */
    { 4, 10, FALSE, "2345" },
    { 1, 0, TRUE, "5" },      /* a dry run lists what would go, and removes nothing */
    { 0, 30, TRUE, "345" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: keep %u, older than %u days%s", i, cases[i].keep,
                      cases[i].older_than_days, cases[i].dry_run ? ", dry run" : "");
      check_prune_case (f->engine, &cases[i]);
    }
}

static void
test_prune_never_current (VaultFixture  *f,
                          gconstpointer  data)
{
  g_autoptr(AvfsPruneReport) by_age = NULL;
  g_autoptr(AvfsPruneReport) by_count = NULL;

  for (guint v = 1; v <= 3; v++)
    {
      g_autofree char *content = g_strdup_printf ("v%u", v);

      vault_write_string (f->vault, "/old", content);
      backdate (f->vault, "/old", v, 400);
    }
  by_age = run_prune (f->vault, 0, 1, FALSE);
  g_assert_cmpuint (by_age->files_touched, ==, 1);
  g_assert_cmpuint (by_age->versions_removed, ==, 2);
  assert_has_version (f->vault, "/old", 3, TRUE);
  vault_assert_content (f->vault, "/old", 0, "v3");
  g_assert_true (audited (f->vault, "prune", "/old"));

  by_count = run_prune (f->vault, 1, 1, FALSE);
  g_assert_cmpuint (by_count->files_touched, ==, 0);
  g_assert_cmpuint (by_count->versions_removed, ==, 0);
  vault_assert_content (f->vault, "/old", 3, "v3");
  assert_sound (f->vault);
}

static void
test_prune_invalid (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  vault_write_string (f->vault, "/a", "1");
  g_assert_null (avfs_vault_prune (f->vault, 0, 0, FALSE, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  vault_assert_content (f->vault, "/a", 1, "1");
}

/* Gives @path versions 2 to @n, all with version 1's content, in one transaction: a
 * long history without a thousand commits. */
typedef struct
{
  AvfsVault *vault;
  const char *path;
  guint32 n;
} Lengthen;

static gboolean
lengthen_cb (AvfsTransaction  *tx,
             gpointer          user_data,
             GError          **error)
{
  Lengthen *job = user_data;
  g_autoptr(AvfsNode) node = avfs_vault_resolve (job->vault, tx, job->path, error);
  g_autoptr(AvfsVersion) first = NULL;

  if (node == NULL || (first = avfs_version_load (job->vault, tx, node->id, 1, error)) == NULL)
    return FALSE;
  for (guint32 v = 2; v <= job->n; v++)
    {
      if (!avfs_version_save (tx, node->id, v, first, error))
        return FALSE;
    }
  node->version = job->n;
  return avfs_node_save (tx, node, error);
}

/* More versions than one batch holds, and more in one file than a batch. */
static void
test_prune_batches (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsPruneReport) report = NULL;
  static const char * const paths[] = { "/a", "/b", "/c" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      Lengthen job = { f->vault, paths[i], 700 };

      vault_write_string (f->vault, paths[i], paths[i]);
      g_assert_true (avfs_storage_transaction (avfs_vault_get_storage (f->vault), lengthen_cb,
                                               &job, &error));
      g_assert_no_error (error);
    }
  report = run_prune (f->vault, 1, 0, FALSE);
  g_assert_cmpuint (report->files_touched, ==, 3);
  g_assert_cmpuint (report->versions_removed, ==, 3 * 699);
  g_assert_cmpuint (vault_count_keys (f->vault, AVFS_COLLECTION_VERSIONS), ==, 3);
  assert_has_version (f->vault, "/b", 699, FALSE);
  vault_assert_content (f->vault, "/b", 700, "/b");
  g_assert_cmpuint (run_gc (f->vault, FALSE).blobs_removed, ==, 0);
  assert_sound (f->vault);
}

/* stats */

static char *
repeat (char  c,
        gsize n)
{
  char *s = g_malloc (n + 1);

  memset (s, c, n);
  s[n] = '\0';
  return s;
}

static void
test_stats (VaultFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *x = repeat ('x', 4000);
  g_autofree char *y = repeat ('y', 3000);
  g_autofree char *z = repeat ('z', 2000);
  g_autoptr(AvfsVaultStats) stats = NULL;
  g_autoptr(AvfsVaultStats) copy = NULL;

  g_assert_true (avfs_vault_mkdir (f->vault, "/d", FALSE, &error));
  vault_write_string (f->vault, "/d/one", x);
  vault_write_string (f->vault, "/d/two", x);
  vault_write_string (f->vault, "/three", y);
  vault_write_string (f->vault, "/three", z);
  g_assert_true (avfs_vault_snapshot_save (f->vault, "snap", NULL, &error));
  g_assert_no_error (error);

  stats = avfs_vault_stats (f->vault, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->files, ==, 3);
  g_assert_cmpuint (stats->directories, ==, 1);
  g_assert_cmpuint (stats->versions, ==, 4);
  g_assert_cmpuint (stats->snapshots, ==, 1);
  g_assert_cmpuint (stats->blobs, ==, 3);
  g_assert_cmpuint (stats->logical_bytes, ==, 4000 + 4000 + 2000);
  g_assert_cmpuint (stats->versions_bytes, ==, 4000 + 4000 + 3000 + 2000);
  g_assert_cmpuint (stats->raw_bytes, ==, 4000 + 3000 + 2000);
  g_assert_cmpfloat_with_epsilon (stats->dedup_ratio, 13000.0 / 9000.0, 1e-9);
  g_assert_cmpuint (stats->stored_bytes, <, stats->raw_bytes);
  g_assert_cmpfloat_with_epsilon (stats->compression_ratio,
                                  (gdouble) stats->raw_bytes / stats->stored_bytes, 1e-9);
  g_assert_cmpfloat (stats->compression_ratio, >, 1.0);
  g_assert_cmpstr (stats->storage->engine, ==, f->engine->name);
  g_assert_cmpuint (stats->storage->collections->len, >, 0);
  if (f->path != NULL)
    g_assert_cmpuint (stats->on_disk_bytes, >, 0);
  else
    g_assert_cmpuint (stats->on_disk_bytes, ==, 0);

  copy = avfs_vault_stats_copy (stats);
  g_assert_cmpuint (copy->blobs, ==, 3);
  g_assert_cmpstr (copy->storage->engine, ==, f->engine->name);
}

static void
test_stats_empty (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVaultStats) stats = avfs_vault_stats (f->vault, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (stats->files + stats->directories + stats->versions + stats->blobs, ==, 0);
  g_assert_cmpfloat (stats->dedup_ratio, ==, 1.0);
  g_assert_cmpfloat (stats->compression_ratio, ==, 1.0);
}

/* verify */

static void
test_verify_fresh (VaultFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(AvfsVerifyReport) report = run_verify (f->vault);

  g_assert_cmpuint (report->n_problems, ==, 0);
  g_assert_cmpuint (report->nodes, ==, 1);
  g_assert_cmpuint (report->dirents + report->versions + report->blobs, ==, 0);
}

static void
test_verify_busy (VaultFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVerifyReport) report = NULL;
  g_autoptr(AvfsPruneReport) pruned = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *copied = NULL;
  gsize size = AVFS_VAULT_DEFAULT_CHUNK_SIZE + 99;
  g_autofree guint8 *large = g_malloc0 (size);

  g_assert_true (avfs_vault_mkdir (f->vault, "/a/b/c", TRUE, &error));
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *path = g_strdup_printf ("/a/b/f%u", i % 7);
      g_autofree char *content = g_strdup_printf ("content %u", i);

      vault_write_string (f->vault, path, content);
    }
  g_assert_cmpuint (avfs_vault_write (f->vault, "/a/big", large, size, AVFS_WRITE_NONE,
                                      &error), ==, 1);
  g_assert_cmpuint (avfs_vault_write (f->vault, "/a/b/f1", (const guint8 *) "+", 1,
                                      AVFS_WRITE_APPEND, &error), >, 1);
  g_assert_true (avfs_vault_snapshot_save (f->vault, "before", NULL, &error));
  copied = avfs_vault_copy (f->vault, "/a/b", "/copy", TRUE, &error);
  g_assert_no_error (error);
  moved = avfs_vault_move (f->vault, "/a/b/c", "/c", &error);
  g_assert_no_error (error);
  g_assert_true (avfs_vault_remove (f->vault, "/a/b/f3", FALSE, &error));
  g_assert_true (avfs_vault_touch (f->vault, "/c/empty", &error));
  pruned = run_prune (f->vault, 2, 0, FALSE);
  run_gc (f->vault, FALSE);
  g_assert_no_error (error);

  report = run_verify (f->vault);
  for (guint i = 0; i < report->problems->len; i++)
    g_test_message ("unexpected problem: %s", (char *) g_ptr_array_index (report->problems, i));
  g_assert_cmpuint (report->n_problems, ==, 0);
  g_assert_cmpuint (report->nodes, >, 10);
  g_assert_cmpuint (report->dirents, ==, report->nodes - 1);
  g_assert_cmpuint (report->versions, >, 10);
  g_assert_cmpuint (report->snapshot_entries, >, 10);
  g_assert_cmpuint (report->blobs, >, 10);
}

/* Damage planted under the vault, and what verify must say about it. */
typedef void (*PlantFunc) (AvfsVault *vault);

static void
put_raw (AvfsVault    *vault,
         const char   *collection,
         GBytes       *key,
         const guint8 *value,
         gsize         value_len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_storage_put (avfs_vault_get_storage (vault), collection,
                                   g_bytes_get_data (key, NULL), g_bytes_get_size (key),
                                   value, value_len, &error));
  g_assert_no_error (error);
}

static void
delete_raw (AvfsVault  *vault,
            const char *collection,
            GBytes     *key)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_storage_delete (avfs_vault_get_storage (vault), collection,
                                      g_bytes_get_data (key, NULL), g_bytes_get_size (key),
                                      &error));
  g_assert_no_error (error);
}

static void
plant_flipped_byte (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  guint8 hash[AVFS_HASH_LEN];
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autofree guint8 *damaged = NULL;
  gsize len;

  chunk_key ("victim content", hash);
  key = g_bytes_new (hash, sizeof hash);
  value = avfs_storage_get (avfs_vault_get_storage (vault), AVFS_COLLECTION_BLOBS, hash,
                            sizeof hash, &error);
  g_assert_no_error (error);
  damaged = g_memdup2 (g_bytes_get_data (value, &len), g_bytes_get_size (value));
  damaged[len - 1] ^= 0x20;
  put_raw (vault, AVFS_COLLECTION_BLOBS, key, damaged, len);
}

static void
plant_missing_blob (AvfsVault *vault)
{
  guint8 hash[AVFS_HASH_LEN];
  g_autoptr(GBytes) key = NULL;

  chunk_key ("victim content", hash);
  key = g_bytes_new (hash, sizeof hash);
  delete_raw (vault, AVFS_COLLECTION_BLOBS, key);
}

/* /d/victim, its directory entry gone: only its node is left. */
static void
plant_unlisted_node (AvfsVault *vault)
{
  g_autoptr(AvfsFileInfo) info = avfs_vault_stat (vault, "/d", NULL);
  g_autoptr(GBytes) key = avfs_dirent_key (info->id, "victim");

  delete_raw (vault, AVFS_COLLECTION_DIRENTS, key);
}

static void
plant_dangling_dirent (AvfsVault *vault)
{
  g_autoptr(GBytes) key = avfs_dirent_key (AVFS_ROOT_ID, "ghost");
  guint8 value[AVFS_ID_KEY_LEN + 1];

  avfs_id_key (9999, value);
  value[AVFS_ID_KEY_LEN] = AVFS_NODE_KIND_FILE;
  put_raw (vault, AVFS_COLLECTION_DIRENTS, key, value, sizeof value);
}

static void
plant_missing_version (AvfsVault *vault)
{
  g_autoptr(GBytes) key = avfs_version_key (vault_node_id (vault, "/d/victim"), 2);

  delete_raw (vault, AVFS_COLLECTION_VERSIONS, key);
}

static gboolean
inflate_usage_cb (AvfsTransaction  *tx,
                  gpointer          user_data,
                  GError          **error)
{
  AvfsUsage usage;

  if (!avfs_usage_load (user_data, tx, &usage, error))
    return FALSE;
  usage.files += 5;
  return avfs_usage_save (tx, &usage, error);
}

static void
plant_wrong_usage (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_storage_transaction (avfs_vault_get_storage (vault), inflate_usage_cb,
                                           vault, &error));
  g_assert_no_error (error);
}

static void
plant_unindexed_tag (AvfsVault *vault)
{
  g_autoptr(GBytes) key = avfs_node_text_key (vault_node_id (vault, "/d/victim"), "red");

  put_raw (vault, AVFS_COLLECTION_TAGS, key, NULL, 0);
}

static void
plant_orphan_prop (AvfsVault *vault)
{
  g_autoptr(GBytes) key = avfs_node_text_key (4242, "author");

  put_raw (vault, AVFS_COLLECTION_PROPS, key, (const guint8 *) "ada", 3);
}

static gboolean
make_cycle_cb (AvfsTransaction  *tx,
               gpointer          user_data,
               GError          **error)
{
  AvfsVault *vault = user_data;
  g_autoptr(AvfsNode) d = avfs_vault_resolve (vault, tx, "/d", error);
  g_autoptr(AvfsNode) e = avfs_vault_resolve (vault, tx, "/d/e", error);

  if (d == NULL || e == NULL)
    return FALSE;
  d->parent = e->id;
  return avfs_node_save (tx, d, error);
}

static void
plant_cycle (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_mkdir (vault, "/d/e", FALSE, &error));
  g_assert_true (avfs_storage_transaction (avfs_vault_get_storage (vault), make_cycle_cb,
                                           vault, &error));
  g_assert_no_error (error);
}

typedef struct
{
  const char *name;
  PlantFunc plant;
  const char *expected[4];  /* what one problem must mention, NULL-terminated */
  gboolean repairable;      /* avfs_vault_repair() derives it again from the rest */
} DamageCase;

static gboolean
problem_mentions (const char        *problem,
                  const char *const *expected)
{
  for (guint i = 0; expected[i] != NULL; i++)
    {
      if (strstr (problem, expected[i]) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Repair puts right what it can; the rest stays reported; the files are untouched. */
static void
check_repair (AvfsVault        *vault,
              const DamageCase *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVerifyReport) left = NULL;
  g_autoptr(GBytes) bystander = NULL;
  guint64 repaired = 0;

  left = avfs_vault_repair (vault, NULL, NULL, NULL, &repaired, &error);
  g_assert_no_error (error);
  if (c->repairable)
    {
      g_assert_cmpuint (left->n_problems, ==, 0);
      g_assert_cmpuint (repaired, >, 0);
    }
  else
    g_assert_cmpuint (left->n_problems, >, 0);
  /* A file no entry listed is found again in /lost+found, as "ID-NAME". */
  if (c->plant == plant_unlisted_node)
    {
      g_autoptr(GPtrArray) found = avfs_vault_list (vault, "/lost+found", &error);
      g_autofree char *path = NULL;
      g_autoptr(GBytes) victim = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (found->len, ==, 1);
      g_assert_true (g_str_has_suffix (((AvfsFileInfo *) g_ptr_array_index (found, 0))->name,
                                       "-victim"));
      path = g_strconcat ("/lost+found/", ((AvfsFileInfo *) g_ptr_array_index (found, 0))->name,
                          NULL);
      victim = avfs_vault_read (vault, path, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (victim, NULL), g_bytes_get_size (victim),
                       "victim content", 14);
    }
  bystander = avfs_vault_read (vault, "/bystander", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bystander, NULL), g_bytes_get_size (bystander),
                   "innocent", 8);
}

static void
check_damage_case (const AvfsEngineInfo *engine,
                   const DamageCase     *c)
{
  g_autoptr(GError) error = NULL;
  VaultFixture sub = { 0 };
  g_autoptr(AvfsVerifyReport) report = NULL;
  gboolean found = FALSE;

  vault_fixture_set_up (&sub, engine);
  g_assert_true (avfs_vault_mkdir (sub.vault, "/d", FALSE, &error));
  vault_write_string (sub.vault, "/d/victim", "first content");
  vault_write_string (sub.vault, "/d/victim", "victim content");
  vault_write_string (sub.vault, "/bystander", "innocent");
  c->plant (sub.vault);

  report = run_verify (sub.vault);
  for (guint i = 0; i < report->problems->len; i++)
    {
      const char *problem = g_ptr_array_index (report->problems, i);

      g_test_message ("%s: %s", c->name, problem);
      found |= problem_mentions (problem, c->expected);
    }
  g_assert_cmpuint (report->n_problems, ==, report->problems->len);
  g_assert_true (found);
  check_repair (sub.vault, c);
  vault_fixture_tear_down (&sub, engine);
}

static void
test_verify_damage (VaultFixture  *f,
                    gconstpointer  data)
{
  guint8 hash[AVFS_HASH_LEN];
  g_autofree char *chunk = NULL;

  chunk_key ("victim content", hash);
  chunk = g_strdup_printf ("%02x%02x%02x%02x…", hash[0], hash[1], hash[2], hash[3]);
  {
    const DamageCase cases[] = {
      { "flipped-byte", plant_flipped_byte, { chunk, "is damaged", NULL } },
      { "missing-blob", plant_missing_blob, { "/d/victim, version 2", chunk, "missing" } },
      { "dangling-dirent", plant_dangling_dirent, { "“ghost”", "9999", "does not exist" },
        TRUE },
      { "unlisted-node", plant_unlisted_node, { "victim", "no directory listing", NULL }, TRUE },
      { "missing-version", plant_missing_version,
        { "/d/victim", "current version 2 has no version record", NULL } },
      { "wrong-usage", plant_wrong_usage,
        { "usage counters", "say files 7,", "holds files 2,", NULL }, TRUE },
      { "unindexed-tag", plant_unindexed_tag, { "/d/victim", "tagged “red”", NULL }, TRUE },
      { "orphan-prop", plant_orphan_prop, { "Metadata “author”", "4242", "does not exist" },
        TRUE },
      { "cycle", plant_cycle, { "cycle", NULL } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      check_damage_case (f->engine, &cases[i]);
  }
}

static void
test_verify_cancelled (VaultFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  vault_write_string (f->vault, "/a", "x");
  g_cancellable_cancel (cancellable);
  g_assert_null (avfs_vault_verify (f->vault, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* compact */

static void
test_compact (VaultFixture  *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCompactionStats) stats = NULL;
  g_autoptr(AvfsPruneReport) pruned = NULL;
  g_autofree char *big = repeat ('c', 100000);

  for (guint v = 0; v < 10; v++)
    {
      big[v] = 'd';
      vault_write_string (f->vault, "/c", big);
    }
  pruned = run_prune (f->vault, 1, 0, FALSE);
  g_assert_cmpuint (run_gc (f->vault, FALSE).blobs_removed, ==, 9);
  stats = avfs_vault_compact (f->vault, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stats);
  g_assert_cmpint (stats->duration_us, >=, 0);
  vault_assert_content (f->vault, "/c", 0, big);
  assert_sound (f->vault);
}

static const VaultTest tests[] = {
  { "gc-after-prune", test_gc_after_prune },
  { "gc-after-remove", test_gc_after_remove },
  { "gc-keeps-snapshots", test_gc_keeps_snapshots },
  { "gc-shared-chunks", test_gc_shared_chunks },
  { "gc-cancelled", test_gc_cancelled },
  { "prune", test_prune },
  { "prune-never-current", test_prune_never_current },
  { "prune-invalid", test_prune_invalid },
  { "prune-batches", test_prune_batches },
  { "stats", test_stats },
  { "stats-empty", test_stats_empty },
  { "verify-fresh", test_verify_fresh },
  { "verify-busy", test_verify_busy },
  { "verify-damage", test_verify_damage },
  { "verify-cancelled", test_verify_cancelled },
  { "compact", test_compact },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-maintenance", tests, G_N_ELEMENTS (tests));
  return g_test_run ();
}
