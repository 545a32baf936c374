/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Migration between engines: every ordered pair of engines keeps every record; by name
 * the original is removed, kept or left alone; plans, refusals, cancellation and failed
 * checks leave everything as it was; the comparison names the first difference. */
#include "avfs-registry.h"
#include "avfs-vault-admin.h"
#include "avfs-vault-async-migrate.h"
#include "avfs-vault-search.h"
#include "avfs-vault-snapshots.h"
#include "avfs-vault-tags.h"
#include "vault-fixture.h"

/* A file of several chunks (the default chunk size is 1 MiB). */
#define BIG_SIZE (2 * 1024 * 1024 + 12345)

/* Fills @vault with every kind of record: versions, a multi-chunk file, an empty
 * directory, tags, metadata, a snapshot, a quota, settings and (by the way) audit. */
static void
seed (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = vault_make_pattern (BIG_SIZE, 7);

  g_assert_true (avfs_vault_mkdir (vault, "/docs", FALSE, &error));
  vault_write_string (vault, "/docs/a.txt", "alpha first");
  vault_write_string (vault, "/docs/a.txt", "alpha second zebra");
  vault_write_string (vault, "/docs/b.txt", "beta");
  g_assert_cmpuint (avfs_vault_write (vault, "/bin/big.bin", big, BIG_SIZE, AVFS_WRITE_PARENTS,
                                      &error), ==, 1);
  g_assert_true (avfs_vault_mkdir (vault, "/empty", FALSE, &error));
  g_assert_true (avfs_vault_tag_add (vault, "/docs/a.txt", "keep", &error));
  g_assert_true (avfs_vault_tag_add (vault, "/bin/big.bin", "large", &error));
  g_assert_true (avfs_vault_meta_set (vault, "/docs/a.txt", "owner", "ada", &error));
  g_assert_true (avfs_vault_quota_set (vault, "max_files", 1000, &error));
  g_assert_true (avfs_vault_snapshot_save (vault, "before", "first state", &error));
  vault_write_string (vault, "/late.txt", "late");
  g_assert_true (avfs_vault_set_compression_level (vault, 5, &error));
  g_assert_no_error (error);
}

/* A digest of every record a migration carries: equal digests, equal vaults. Made here
 * independently of the migration's own comparison. */
static char *
vault_digest (AvfsVault *vault)
{
  g_autofree char *records = vault_records_fingerprint (vault, TRUE);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, records, -1);
}

/* Every version of every file under @path reads the same in both vaults. */
static void
assert_same_tree (AvfsVault  *a,
                  AvfsVault  *b,
                  const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) a_list = avfs_vault_list (a, path, &error);
  g_autoptr(GPtrArray) b_list = avfs_vault_list (b, path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (a_list->len, ==, b_list->len);
  for (guint i = 0; i < a_list->len; i++)
    {
      AvfsFileInfo *x = g_ptr_array_index (a_list, i);
      AvfsFileInfo *y = g_ptr_array_index (b_list, i);

      g_assert_cmpstr (x->path, ==, y->path);
      g_assert_cmpint (x->kind, ==, y->kind);
      g_assert_cmpint (x->modified_us, ==, y->modified_us);
      g_assert_cmpuint (x->version, ==, y->version);
      if (x->kind == AVFS_NODE_KIND_DIRECTORY)
        assert_same_tree (a, b, x->path);
      for (guint32 v = 1; v <= x->version; v++)
        {
          g_autoptr(GBytes) x_data = avfs_vault_read (a, x->path, v, &error);
          g_autoptr(GBytes) y_data = avfs_vault_read (b, y->path, v, &error);

          g_assert_no_error (error);
          g_assert_true (g_bytes_equal (x_data, y_data));
        }
    }
}

/* What a person sees of the seeded vault, through the vault API. */
static void
assert_same_vaults (AvfsVault *a,
                    AvfsVault *b)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;
  g_autofree char *owner = NULL;
  g_autoptr(GPtrArray) a_snapshots = NULL;
  g_autoptr(GPtrArray) b_snapshots = NULL;
  g_autoptr(GPtrArray) a_audit = NULL;
  g_autoptr(GPtrArray) b_audit = NULL;
  AvfsQuota quota;
  AvfsVaultSettings a_settings, b_settings;

  assert_same_tree (a, b, "/");
  tags = avfs_vault_tags_list (b, "/docs/a.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (tags, ((const char *[]) { "keep", NULL }));
  owner = avfs_vault_meta_get (b, "/docs/a.txt", "owner", &error);
  g_assert_cmpstr (owner, ==, "ada");
  a_snapshots = avfs_vault_snapshot_list (a, &error);
  b_snapshots = avfs_vault_snapshot_list (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b_snapshots->len, ==, a_snapshots->len);
  g_assert_cmpstr (((AvfsSnapshotInfo *) g_ptr_array_index (b_snapshots, 0))->name, ==, "before");
  a_audit = avfs_vault_audit_query (a, 0, 0, &error);
  b_audit = avfs_vault_audit_query (b, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b_audit->len, ==, a_audit->len);
  g_assert_true (avfs_vault_quota_get (b, &quota, &error));
  g_assert_cmpuint (quota.max_files, ==, 1000);
  avfs_vault_get_settings (a, &a_settings);
  avfs_vault_get_settings (b, &b_settings);
  g_assert_cmpuint (b_settings.chunk_size, ==, a_settings.chunk_size);
  g_assert_cmpint (b_settings.compression_level, ==, 5);
  g_assert_cmpstr (avfs_vault_get_uuid (b), ==, avfs_vault_get_uuid (a));
}

static void
assert_search_finds (AvfsVault  *vault,
                     const char *word,
                     const char *path)
{
  g_autoptr(GError) error = NULL;
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(AvfsSearchResults) results = avfs_vault_search (vault, word, &options, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (results->total, ==, 1);
  g_assert_cmpstr (((AvfsSearchHit *) g_ptr_array_index (results->hits, 0))->path, ==, path);
}

static void
close_vault (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_vault_close (vault, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (vault);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The names in a directory, sorted, "/" between them: what is there on disk. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("/", (char **) names->pdata);
}

/* Progress: the phases seen, in order, and an optional phase at which to cancel. */
typedef struct
{
  GString *phases;
  const char *cancel_at;
  GCancellable *cancellable;
} Watch;

static void
watch_cb (const AvfsProgress *progress,
          gpointer            user_data)
{
  Watch *watch = user_data;

  if (!g_str_has_suffix (watch->phases->str, progress->phase))
    g_string_append_printf (watch->phases, " %s", progress->phase);
  if (g_strcmp0 (progress->phase, watch->cancel_at) == 0)
    g_cancellable_cancel (watch->cancellable);
}

/* Pairs: the open-vault migration, every ordered pair of engines (memory included). */

typedef struct
{
  const AvfsEngineInfo *source;
  const AvfsEngineInfo *target;
} EnginePair;

static char *
store_path (const char           *dir,
            const char           *base,
            const AvfsEngineInfo *engine)
{
  g_autofree char *file = NULL;

  if (engine->extension == NULL)
    return NULL;
  file = g_strconcat (base, engine->extension, NULL);
  return g_build_filename (dir, file, NULL);
}

static void
test_pair (gconstpointer data)
{
  const EnginePair *pair = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-migrate-XXXXXX", &error);
  g_autofree char *source_path = store_path (dir, "source", pair->source);
  g_autofree char *target_path = store_path (dir, "target", pair->target);
  g_autoptr(AvfsMigrateResult) result = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *target_digest = NULL;
  g_autofree char *source_digest = NULL;
  Watch watch = { g_string_new (NULL), NULL, NULL };
  AvfsVault *source;
  AvfsVault *target;

  source = avfs_vault_create (pair->source->name, source_path, NULL, NULL, &error);
  g_assert_no_error (error);
  seed (source);
  digest = vault_digest (source);
  target = avfs_vault_migrate_to (source, pair->target->name, target_path, NULL, &result,
                                  watch_cb, &watch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (watch.phases->str, ==, " scan copy compare index verify");
  g_assert_cmpstr (avfs_vault_get_engine_name (target), ==, pair->target->name);
  g_assert_cmpstr (result->source_engine, ==, pair->source->name);
  g_assert_cmpstr (result->target_engine, ==, pair->target->name);
  g_assert_cmpstr (result->path, ==, target_path);
  g_assert_cmpuint (result->verify->n_problems, ==, 0);
  g_assert_cmpuint (result->verify->versions, ==, 5);
  g_assert_cmpuint (result->records, >, 0);
  g_assert_cmpuint (result->compared->collections->len, ==, 11);
  assert_same_vaults (source, target);
  assert_search_finds (target, "zebra", "/docs/a.txt");
  if (target_path != NULL)
    {
      /* What was written is what a reopened vault holds. */
      close_vault (target);
      target = avfs_vault_open (target_path, NULL, &error);
      g_assert_no_error (error);
      assert_search_finds (target, "zebra", "/docs/a.txt");
    }
  target_digest = vault_digest (target);
  source_digest = vault_digest (source);
  g_assert_cmpstr (target_digest, ==, digest);
  g_assert_cmpstr (source_digest, ==, digest);
  close_vault (target);
  close_vault (source);
  g_string_free (watch.phases, TRUE);
  vault_remove_host_tree (dir);
}

/* The vault format, as its meta record holds it: 8 bytes, big-endian. */
static guint64
stored_format (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = avfs_storage_get (avfs_vault_get_storage (vault), "meta",
                                              (const guint8 *) "format", 6, &error);
  const guint8 *bytes;
  guint64 format = 0;

  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_assert_cmpuint (g_bytes_get_size (value), ==, 8);
  bytes = g_bytes_get_data (value, NULL);
  for (guint i = 0; i < 8; i++)
    format = format << 8 | bytes[i];
  return format;
}

/* A vault of an older format moves to a store this avfs made, with the newest layout
 * (on SQLite, its blobs table): the copy is of this avfs's format, so an older avfs
 * refuses it rather than misreads it. The source is a memory vault, or for a memory
 * target a SQLite one. */
static void
test_older_format (gconstpointer data)
{
  const AvfsEngineInfo *engine = data;
  static const guint8 format_2[8] = { 0, 0, 0, 0, 0, 0, 0, 2 };
  gboolean to_memory = engine->extension == NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-migrate-XXXXXX", &error);
  g_autofree char *source_path = to_memory ? g_build_filename (dir, "source.avfs", NULL)
                                           : NULL;
  g_autofree char *target_path = store_path (dir, "target", engine);
  g_autoptr(AvfsMigrateResult) result = NULL;
  AvfsVault *source = avfs_vault_create (to_memory ? "sqlite" : "memory", source_path, NULL,
                                         NULL, &error);
  AvfsVault *target;

  g_assert_no_error (error);
  seed (source);
  g_assert_cmpuint (stored_format (source), ==, 4);
  g_assert_true (avfs_storage_put (avfs_vault_get_storage (source), "meta",
                                   (const guint8 *) "format", 6, format_2, sizeof format_2,
                                   &error));
  target = avfs_vault_migrate_to (source, engine->name, target_path, NULL, &result, NULL,
                                  NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->verify->n_problems, ==, 0);
  g_assert_cmpuint (stored_format (source), ==, 2);
  g_assert_cmpuint (stored_format (target), ==, 4);
  if (target_path != NULL)
    {
      close_vault (target);
      target = avfs_vault_open (target_path, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (stored_format (target), ==, 4);
    }
  assert_search_finds (target, "zebra", "/docs/a.txt");
  close_vault (target);
  close_vault (source);
  vault_remove_host_tree (dir);
}

/* By name: the registry's vaults, each test in its own AVFS_HOME. */

typedef struct
{
  char *home;
  char *vaults;
  AvfsRegistry *registry;
} Home;

static void
home_set_up (Home          *h,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  h->home = g_dir_make_tmp ("avfs-migrate-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("AVFS_HOME", h->home, TRUE);
  h->vaults = g_build_filename (h->home, "vaults", NULL);
  h->registry = avfs_registry_new (h->home, &error);
  g_assert_no_error (error);
}

static void
home_tear_down (Home          *h,
                gconstpointer  data)
{
  g_assert_finalize_object (h->registry);
  vault_remove_host_tree (h->home);
  g_free (h->vaults);
  g_free (h->home);
}

/* Creates vault @name with @engine, seeded, closed; returns its digest. */
static char *
make_vault (Home       *h,
            const char *name,
            const char *engine)
{
  g_autoptr(GError) error = NULL;
  AvfsVault *vault = avfs_registry_create (h->registry, name, engine, &error);
  char *digest;

  g_assert_no_error (error);
  seed (vault);
  digest = vault_digest (vault);
  close_vault (vault);
  return digest;
}

/* Opens vault @name and returns its engine and digest. */
static char *
open_digest (Home       *h,
             const char *name,
             char      **engine)
{
  g_autoptr(GError) error = NULL;
  AvfsVault *vault = avfs_registry_open (h->registry, name, &error);
  char *digest;

  g_assert_no_error (error);
  *engine = g_strdup (avfs_vault_get_engine_name (vault));
  digest = vault_digest (vault);
  close_vault (vault);
  return digest;
}

static void
test_by_name (Home          *h,
              gconstpointer  data)
{
  const EnginePair *pair = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = make_vault (h, "notes", pair->source->name);
  g_autofree char *expected_path = store_path (h->vaults, "notes", pair->target);
  g_autofree char *listing = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *after = NULL;
  g_autofree char *current = NULL;
  g_autoptr(AvfsMigrateResult) result = NULL;

  g_assert_true (avfs_registry_set_current (h->registry, "notes", &error));
  result = avfs_registry_migrate (h->registry, "notes", pair->target->name, NULL,
                                  AVFS_MIGRATE_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->path, ==, expected_path);
  g_assert_null (result->original_name);
  listing = list_dir (h->vaults);
  g_assert_cmpstr (listing, ==, strrchr (expected_path, '/') + 1);
  after = open_digest (h, "notes", &engine);
  g_assert_cmpstr (engine, ==, pair->target->name);
  g_assert_cmpstr (after, ==, digest);
  current = avfs_registry_get_current (h->registry);
  g_assert_cmpstr (current, ==, "notes");
}

static void
test_keep_original (Home          *h,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = make_vault (h, "notes", "sqlite");
  g_autofree char *taken = make_vault (h, "notes-original", "lmdb");
  g_autoptr(AvfsMigrateResult) result = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *original = NULL;
  g_autofree char *migrated = NULL;
  g_autofree char *listing = NULL;

  result = avfs_registry_migrate (h->registry, "notes", "rocksdb", NULL,
                                  AVFS_MIGRATE_KEEP_ORIGINAL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->original_name, ==, "notes-original-2");
  g_assert_true (g_str_has_suffix (result->original_path, "/vaults/notes-original-2.avfs"));
  listing = list_dir (h->vaults);
  g_assert_cmpstr (listing, ==, "notes-original-2.avfs/notes-original.lmdb/notes.rocksdb");
  original = open_digest (h, "notes-original-2", &engine);
  g_assert_cmpstr (engine, ==, "sqlite");
  g_assert_cmpstr (original, ==, digest);
  g_clear_pointer (&engine, g_free);
  migrated = open_digest (h, "notes", &engine);
  g_assert_cmpstr (engine, ==, "rocksdb");
  g_assert_cmpstr (migrated, ==, digest);
}

/* --output: any engine, the vault's own too, any name; the original stays as it is. */
static void
test_output (Home          *h,
             gconstpointer  data)
{
  static const struct { const char *engine; const char *file; } cases[] = {
    { "lmdb", "copy.lmdb" },
    { "sqlite", "compacted.avfs" },
    { "rocksdb", "backup.vault" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = make_vault (h, "notes", "sqlite");
  g_autofree char *listing = list_dir (h->vaults);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *output = g_build_filename (h->home, cases[i].file, NULL);
      g_autoptr(AvfsMigrateResult) result = NULL;
      g_autofree char *after = NULL;
      g_autofree char *now = NULL;
      AvfsVault *copy;

      result = avfs_registry_migrate (h->registry, "notes", cases[i].engine, output,
                                      AVFS_MIGRATE_KEEP_ORIGINAL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (result->path, ==, output);
      g_assert_null (result->original_name);
      copy = avfs_vault_open (output, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (avfs_vault_get_engine_name (copy), ==, cases[i].engine);
      after = vault_digest (copy);
      g_assert_cmpstr (after, ==, digest);
      close_vault (copy);
      now = list_dir (h->vaults);
      g_assert_cmpstr (now, ==, listing);
    }
}

static void
test_plan (Home          *h,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = make_vault (h, "notes", "lmdb");
  g_autofree char *before = list_dir (h->vaults);
  g_autofree char *after = NULL;
  g_autoptr(AvfsMigratePlan) plan = NULL;
  Watch watch = { g_string_new (NULL), NULL, NULL };
  guint64 records = 0, bytes = 0;

  plan = avfs_registry_plan_migration (h->registry, "notes", "sqlite", NULL,
                                       AVFS_MIGRATE_KEEP_ORIGINAL, watch_cb, &watch, NULL,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpstr (watch.phases->str, ==, " scan verify");
  g_assert_cmpstr (plan->name, ==, "notes");
  g_assert_cmpstr (plan->source->engine, ==, "lmdb");
  g_assert_cmpuint (plan->source->on_disk_bytes, >, 0);
  g_assert_cmpstr (plan->target_engine, ==, "sqlite");
  g_assert_true (g_str_has_suffix (plan->target_path, "/vaults/notes.avfs"));
  g_assert_cmpstr (plan->original_name, ==, "notes-original");
  for (guint i = 0; i < plan->source->collections->len; i++)
    {
      AvfsCollectionStats *c = g_ptr_array_index (plan->source->collections, i);

      g_assert_cmpstr (c->name, !=, "search_queue");
      records += c->keys;
      bytes += c->bytes;
    }
  g_assert_cmpuint (plan->records, ==, records);
  g_assert_cmpuint (plan->record_bytes, ==, bytes);
  g_assert_cmpuint (plan->estimated_bytes, >=, plan->record_bytes);
  g_assert_cmpuint (plan->free_bytes, >, 0);
  g_assert_cmpfloat (plan->estimated_seconds, >=, 0);
  after = list_dir (h->vaults);
  g_assert_cmpstr (after, ==, before);
  g_string_free (watch.phases, TRUE);
}

/* What is refused is refused before anything is written. */
static void
test_refusals (Home          *h,
               gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *engine;
    const char *output;        /* relative to the home; "-" for an existing one */
    AvfsMigrateFlags flags;
    gint code;
    const char *message;
  } cases[] = {
    { "notes", "sled", NULL, 0, AVFS_ERROR_BACKEND_UNAVAILABLE,
      "Backend 'sled' is not compiled in this build" },
    { "notes", "nosuch", NULL, 0, AVFS_ERROR_BACKEND_UNAVAILABLE, "Unknown backend" },
    { "notes", "sqlite", NULL, 0, AVFS_ERROR_INVALID_ARGUMENT, "already uses sqlite" },
    { "notes", "memory", NULL, 0, AVFS_ERROR_INVALID_ARGUMENT, "cannot be migrated to memory" },
    { "notes", "memory", "mem", 0, AVFS_ERROR_INVALID_ARGUMENT, "cannot be migrated to memory" },
    { "notes", "lmdb", "-", 0, AVFS_ERROR_EXISTS, "already exists" },
    { "notes", "lmdb", "missing/copy.lmdb", 0, AVFS_ERROR_NOT_FOUND, "does not exist" },
    { "nobody", "lmdb", NULL, 0, AVFS_ERROR_NOT_FOUND, "No vault named" },
    { "../notes", "lmdb", NULL, 0, AVFS_ERROR_INVALID_ARGUMENT, "not a vault name" },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "lmdb", NULL,
      AVFS_MIGRATE_KEEP_ORIGINAL, AVFS_ERROR_INVALID_ARGUMENT, "at most 64 characters" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = make_vault (h, "notes", "sqlite");
  g_autofree char *long_digest = make_vault (h, cases[G_N_ELEMENTS (cases) - 1].name, "sqlite");
  g_autofree char *before = list_dir (h->vaults);
  g_autofree char *home_before = list_dir (h->home);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *output = cases[i].output == NULL ? NULL :
        g_build_filename (h->home, g_str_equal (cases[i].output, "-") ? "vaults"
                                                                       : cases[i].output, NULL);
      g_autoptr(AvfsMigratePlan) plan = NULL;
      g_autoptr(AvfsMigrateResult) result = NULL;
      g_autofree char *after = NULL;
      g_autofree char *home_after = NULL;
      g_autofree char *engine = NULL;
      g_autofree char *now = NULL;

      plan = avfs_registry_plan_migration (h->registry, cases[i].name, cases[i].engine, output,
                                           cases[i].flags, NULL, NULL, NULL, &error);
      g_assert_error (error, AVFS_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_clear_error (&error);
      result = avfs_registry_migrate (h->registry, cases[i].name, cases[i].engine, output,
                                      cases[i].flags, NULL, NULL, NULL, &error);
      g_assert_error (error, AVFS_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_clear_error (&error);
      after = list_dir (h->vaults);
      g_assert_cmpstr (after, ==, before);
      home_after = list_dir (h->home);
      g_assert_cmpstr (home_after, ==, home_before);
      now = open_digest (h, "notes", &engine);
      g_assert_cmpstr (now, ==, digest);
    }
}

/* A cancelled migration removes its partial target and leaves the source byte for
 * byte; at the switch it is too late to cancel, and the migration completes. */
static void
test_cancel (Home          *h,
             gconstpointer  data)
{
  static const char * const phases[] = { "scan", "copy", "compare", "index", "verify" };
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = make_vault (h, "notes", "sqlite");
  g_autofree char *file = g_build_filename (h->vaults, "notes.avfs", NULL);
  g_autofree char *listing = list_dir (h->vaults);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (file, &contents, &length, &error));
  for (guint i = 0; i <= G_N_ELEMENTS (phases); i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      Watch watch = { g_string_new (NULL), i < G_N_ELEMENTS (phases) ? phases[i] : "switch",
                      cancellable };
      g_autoptr(AvfsMigrateResult) result = NULL;
      g_autofree char *after = NULL;
      g_autofree char *now = NULL;
      g_autofree char *engine = NULL;
      g_autofree char *bytes = NULL;
      gsize bytes_length;

      result = avfs_registry_migrate (h->registry, "notes", "lmdb", NULL, AVFS_MIGRATE_NONE,
                                      watch_cb, &watch, cancellable, &error);
      g_string_free (watch.phases, TRUE);
      if (i == G_N_ELEMENTS (phases))
        {
          g_assert_no_error (error);
          g_assert_cmpstr (result->target_engine, ==, "lmdb");
          break;
        }
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      after = list_dir (h->vaults);
      g_assert_cmpstr (after, ==, listing);
      g_assert_true (g_file_get_contents (file, &bytes, &bytes_length, &error));
      g_assert_cmpmem (bytes, bytes_length, contents, length);
      now = open_digest (h, "notes", &engine);
      g_assert_cmpstr (engine, ==, "sqlite");
      g_assert_cmpstr (now, ==, digest);
    }
}

typedef struct
{
  GCancellable *cancellable;
  gboolean cancelled;
} HalfWay;

static void
cancel_half_way_cb (const AvfsProgress *progress,
                    gpointer            user_data)
{
  HalfWay *half = user_data;

  if (g_str_equal (progress->phase, "index") && progress->files_total > 0 &&
      progress->files_done * 2 >= progress->files_total && !half->cancelled)
    {
      g_cancellable_cancel (half->cancellable);
      half->cancelled = TRUE;
    }
}

/* Cancelled half-way through building the target's index (Xapian in shards, FTS5 from
 * documents read ahead), while the target's records are being verified beside it, a
 * migration leaves no target and the source as it was. */
static void
test_cancel_half_way (Home          *h,
                      gconstpointer  data)
{
  static const char * const pairs[][2] = {
    { "sqlite", "lmdb" }, { "sqlite", "rocksdb" }, { "lmdb", "sqlite" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autofree char *name = g_strdup_printf ("many%u", i);
      AvfsVault *vault = avfs_registry_create (h->registry, name, pairs[i][0], &error);
      HalfWay half = { cancellable, FALSE };
      g_autoptr(AvfsMigrateResult) result = NULL;
      g_autofree char *digest = NULL;
      g_autofree char *listing = NULL;
      g_autofree char *after = NULL;
      g_autofree char *now = NULL;
      g_autofree char *engine = NULL;

      g_assert_no_error (error);
      for (guint f = 0; f < 700; f++)
        {
          g_autofree char *path = g_strdup_printf ("/d%u/f%u.txt", f % 7, f);
          g_autofree char *text = g_strdup_printf ("file number %u of many", f);

          g_assert_cmpuint (avfs_vault_write (vault, path, (const guint8 *) text, strlen (text),
                                              AVFS_WRITE_PARENTS, &error), ==, 1);
        }
      digest = vault_digest (vault);
      close_vault (vault);
      listing = list_dir (h->vaults);
      result = avfs_registry_migrate (h->registry, name, pairs[i][1], NULL, AVFS_MIGRATE_NONE,
                                      cancel_half_way_cb, &half, cancellable, &error);
      g_assert_true (half.cancelled);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (result);
      after = list_dir (h->vaults);
      g_assert_cmpstr (after, ==, listing);
      now = open_digest (h, name, &engine);
      g_assert_cmpstr (engine, ==, pairs[i][0]);
      g_assert_cmpstr (now, ==, digest);
    }
}

/* What a crash left (a partial target, an original on its way out) is not a vault the
 * registry lists, and the next migration of that vault removes it. */
static void
test_leftovers (Home          *h,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = make_vault (h, "notes", "sqlite");
  g_autofree char *partial = g_build_filename (h->vaults, ".notes.lmdb.migrating", NULL);
  g_autofree char *retired = g_build_filename (h->vaults, ".notes.rocksdb.migrating", NULL);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(AvfsMigrateResult) result = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *after = NULL;
  g_autofree char *engine = NULL;
  AvfsVault *vault;

  vault = avfs_vault_create ("lmdb", partial, NULL, NULL, &error);
  g_assert_no_error (error);
  vault_write_string (vault, "/half.txt", "half-way");
  close_vault (vault);
  vault = avfs_vault_create ("rocksdb", retired, NULL, NULL, &error);
  g_assert_no_error (error);
  close_vault (vault);
  entries = avfs_registry_list (h->registry, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);

  result = avfs_registry_migrate (h->registry, "notes", "lmdb", NULL, AVFS_MIGRATE_NONE,
                                  NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  listing = list_dir (h->vaults);
  g_assert_cmpstr (listing, ==, "notes.lmdb");
  after = open_digest (h, "notes", &engine);
  g_assert_cmpstr (after, ==, digest);
}

/* A memory vault the registry holds moves to disk; the name then opens the file. */
static void
test_memory_source (Home          *h,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsMigrateResult) result = NULL;
  g_autoptr(AvfsVaultEntry) entry = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *after = NULL;
  g_autofree char *engine = NULL;
  AvfsVault *vault = avfs_registry_create (h->registry, "scratch", "memory", &error);

  g_assert_no_error (error);
  seed (vault);
  digest = vault_digest (vault);
  g_object_unref (vault);
  result = avfs_registry_migrate (h->registry, "scratch", "sqlite", NULL,
                                  AVFS_MIGRATE_KEEP_ORIGINAL, NULL, NULL, NULL, &error);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (avfs_registry_set_current (h->registry, "scratch", &error));
  result = avfs_registry_migrate (h->registry, "scratch", "sqlite", NULL, AVFS_MIGRATE_NONE,
                                  NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  entry = avfs_registry_info (h->registry, "scratch", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->engine, ==, "sqlite");
  g_assert_cmpstr (entry->path, ==, result->path);
  g_assert_true (entry->is_current);
  after = open_digest (h, "scratch", &engine);
  g_assert_cmpstr (after, ==, digest);
}

/* A source that does not verify is refused by the plan, and fails the migration after
 * the copy: the copy is removed, the source left as it was. */
static void
test_damaged_source (Home          *h,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *after = NULL;
  g_autoptr(AvfsMigratePlan) plan = NULL;
  g_autoptr(AvfsMigrateResult) result = NULL;
  AvfsVault *vault = avfs_registry_create (h->registry, "notes", "sqlite", &error);
  AvfsStorage *storage = avfs_vault_get_storage (vault);
  g_autoptr(AvfsCursor) cursor = NULL;
  g_autoptr(GBytes) key = NULL;

  g_assert_no_error (error);
  seed (vault);
  /* A chunk whose content no longer matches its hash. */
  cursor = avfs_storage_scan_prefix (storage, "blobs", NULL, 0, &error);
  g_assert_true (avfs_cursor_next (cursor, &error));
  key = avfs_cursor_dup_key (cursor);
  g_clear_object (&cursor);
  g_assert_true (avfs_storage_put (storage, "blobs", g_bytes_get_data (key, NULL),
                                   g_bytes_get_size (key), (const guint8 *) "\0garbage", 8,
                                   &error));
  close_vault (vault);
  listing = list_dir (h->vaults);

  plan = avfs_registry_plan_migration (h->registry, "notes", "lmdb", NULL, AVFS_MIGRATE_NONE,
                                       NULL, NULL, NULL, &error);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "Vault “notes” does not verify"));
  g_clear_error (&error);
  result = avfs_registry_migrate (h->registry, "notes", "lmdb", NULL, AVFS_MIGRATE_NONE,
                                  NULL, NULL, NULL, &error);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "Migration failed: integrity check failed"));
  g_clear_error (&error);
  after = list_dir (h->vaults);
  g_assert_cmpstr (after, ==, listing);
}

/* The comparison: two vaults that differ in one record. */

typedef enum {
  CHANGE_VALUE,
  ADD_RECORD,
  REMOVE_RECORD,
  ADD_COLLECTION,
} Change;

static void
apply_change (AvfsStorage *storage,
              Change       change,
              const char  *collection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  g_autoptr(GBytes) key = NULL;

  if (change == ADD_COLLECTION)
    {
      g_assert_true (avfs_storage_create_collection (storage, collection, AVFS_COLLECTION_DEFAULT,
                                                     &error));
      return;
    }
  cursor = avfs_storage_scan_prefix (storage, collection, NULL, 0, &error);
  g_assert_true (avfs_cursor_next (cursor, &error));
  key = avfs_cursor_dup_key (cursor);
  switch (change)
    {
    case CHANGE_VALUE:
      g_assert_true (avfs_storage_put (storage, collection, g_bytes_get_data (key, NULL),
                                       g_bytes_get_size (key), (const guint8 *) "x", 1, &error));
      break;
    case ADD_RECORD:
      g_assert_true (avfs_storage_put (storage, collection, (const guint8 *) "\xff\xffzz", 4,
                                       NULL, 0, &error));
      break;
    case REMOVE_RECORD:
      g_assert_true (avfs_storage_delete (storage, collection, g_bytes_get_data (key, NULL),
                                          g_bytes_get_size (key), &error));
      break;
    case ADD_COLLECTION:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
}

/* A seeded memory vault and its copy in @engine, which @change makes differ from it. */
static void
test_compare (gconstpointer data)
{
  static const struct {
    Change change;
    const char *collection;
    const char *message;
  } cases[] = {
    { CHANGE_VALUE, "props", "the “props” record" },
    { CHANGE_VALUE, "blobs", "has different values" },
    { ADD_RECORD, "tags", "the “tags” record ffff7a7a is only in" },
    { REMOVE_RECORD, "audit", "the “audit” record" },
    { REMOVE_RECORD, "snapshot_entries", "is only in the memory vault" },
    { ADD_COLLECTION, "extra", "the collection “extra” is only in" },
  };
  const AvfsEngineInfo *engine = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-migrate-XXXXXX", &error);
  g_autofree char *path = store_path (dir, "copy", engine);
  AvfsVault *source = avfs_vault_create ("memory", NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  seed (source);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AvfsStorageStats) compared = NULL;
      AvfsVault *copy = avfs_vault_migrate_to (source, engine->name, path, NULL, NULL, NULL,
                                               NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (avfs_vault_compare (source, copy, &compared, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (compared->collections->len, ==, 11);
      for (guint c = 0; c < compared->collections->len; c++)
        {
          AvfsCollectionStats *x = g_ptr_array_index (compared->collections, c);

          g_assert_cmpuint (x->keys, ==, vault_count_keys (copy, x->name));
        }
      apply_change (avfs_vault_get_storage (copy), cases[i].change, cases[i].collection);
      g_assert_false (avfs_vault_compare (source, copy, NULL, NULL, NULL, NULL, &error));
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[i].message);
      g_clear_error (&error);
      close_vault (copy);
      if (path != NULL)
        avfs_storage_delete_store (path, NULL);
    }
  close_vault (source);
  vault_remove_host_tree (dir);
}

/* The asynchronous calls the wizard drives: plan, migrate by name, migrate a vault. */

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}

static void
test_async (Home          *h,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *digest = make_vault (h, "notes", "lmdb");
  g_autoptr(AvfsMigratePlan) plan = NULL;
  g_autoptr(AvfsMigrateResult) result = NULL;
  g_autoptr(AvfsMigrateResult) copied = NULL;
  g_autofree char *after = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *copy_digest = NULL;
  Wait wait = { loop, NULL };
  AvfsVault *vault;
  AvfsVault *memory;

  avfs_registry_plan_migration_async (h->registry, "notes", "rocksdb", NULL,
                                      AVFS_MIGRATE_NONE, NULL, NULL, NULL, store_result_cb, &wait);
  plan = avfs_registry_plan_migration_finish (h->registry, wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plan->target_engine, ==, "rocksdb");
  g_clear_object (&wait.result);

  avfs_registry_migrate_async (h->registry, "notes", "rocksdb", NULL, AVFS_MIGRATE_NONE,
                               NULL, NULL, NULL, store_result_cb, &wait);
  result = avfs_registry_migrate_finish (h->registry, wait_for (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpstr (result->target_engine, ==, "rocksdb");
  after = open_digest (h, "notes", &engine);
  g_assert_cmpstr (engine, ==, "rocksdb");
  g_assert_cmpstr (after, ==, digest);

  vault = avfs_registry_open (h->registry, "notes", &error);
  g_assert_no_error (error);
  avfs_vault_migrate_to_async (vault, "memory", NULL, NULL, NULL, NULL, NULL, store_result_cb,
                               &wait);
  memory = avfs_vault_migrate_to_finish (vault, wait_for (&wait), &copied, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpstr (copied->target_engine, ==, "memory");
  copy_digest = vault_digest (memory);
  g_assert_cmpstr (copy_digest, ==, digest);
  close_vault (memory);
  close_vault (vault);
}

static void
add_home_test (const char     *path,
               gconstpointer   data,
               void          (*func) (Home *, gconstpointer))
{
  g_test_add (path, Home, data, home_set_up, func, home_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *name; void (*func) (Home *, gconstpointer); } by_name[] = {
    { "keep-original", test_keep_original },
    { "output", test_output },
    { "plan", test_plan },
    { "refusals", test_refusals },
    { "cancel", test_cancel },
    { "cancel-half-way", test_cancel_half_way },
    { "leftovers", test_leftovers },
    { "memory-source", test_memory_source },
    { "damaged-source", test_damaged_source },
    { "async", test_async },
  };
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  const AvfsEngineInfo *engines;
  guint n;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  engines = avfs_storage_list_engines (&n);
  for (guint s = 0; s < n; s++)
    for (guint t = 0; t < n; t++)
      {
        EnginePair *pair;
        g_autofree char *path = NULL;

        if (s == t || !engines[s].available || !engines[t].available)
          continue;
        pair = g_new0 (EnginePair, 1);
        pair->source = &engines[s];
        pair->target = &engines[t];
        g_ptr_array_add (pairs, pair);
        path = g_strdup_printf ("/migrate/pair/%s-%s", engines[s].name, engines[t].name);
        g_test_add_data_func (path, pair, test_pair);
        if (engines[s].extension == NULL || engines[t].extension == NULL)
          continue;
        g_clear_pointer (&path, g_free);
        path = g_strdup_printf ("/migrate/by-name/%s-%s", engines[s].name, engines[t].name);
        add_home_test (path, pair, test_by_name);
      }
  for (guint e = 0; e < n; e++)
    {
      g_autofree char *path = g_strdup_printf ("/migrate/compare/%s", engines[e].name);
      g_autofree char *older = g_strdup_printf ("/migrate/older-format/%s", engines[e].name);

      if (!engines[e].available)
        continue;
      g_test_add_data_func (path, &engines[e], test_compare);
      g_test_add_data_func (older, &engines[e], test_older_format);
    }
  for (guint i = 0; i < G_N_ELEMENTS (by_name); i++)
    {
      g_autofree char *path = g_strdup_printf ("/migrate/registry/%s", by_name[i].name);

      add_home_test (path, NULL, by_name[i].func);
    }
  return g_test_run ();
}
