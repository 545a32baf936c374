/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Migration between engines: copying a vault collection by collection into a vault of
 * another engine, checking the copy, and putting it in the original's place. */
#pragma once

#include "avfs-progress.h"
#include "avfs-registry.h"
#include "avfs-storage-stats.h"
#include "avfs-vault-maintenance.h"

G_BEGIN_DECLS

/**
 * AvfsMigrateFlags:
 * @AVFS_MIGRATE_NONE: remove the original once the migrated vault is in its place
 * @AVFS_MIGRATE_KEEP_ORIGINAL: keep the original as the vault `NAME-original` (or
 *   `NAME-original-2`, … when that name is taken)
 */
typedef enum {
  AVFS_MIGRATE_NONE = 0,
  AVFS_MIGRATE_KEEP_ORIGINAL = 1 << 0,
} AvfsMigrateFlags;

/**
 * AvfsMigratePlan:
 * @name: the vault to migrate
 * @source: the vault now: its engine, path (%NULL for memory), size on disk, and the
 *   records that will be copied, per collection
 * @target_engine: the engine it moves to
 * @target_path: where the migrated vault will be: the vault's new file or directory,
 *   or the output path given
 * @original_name: (nullable): the name the original will keep, with
 *   %AVFS_MIGRATE_KEEP_ORIGINAL and no output path
 * @records: records to copy, all collections together
 * @record_bytes: their keys and values, in bytes
 * @estimated_bytes: about what the migrated vault will take on disk (errs high)
 * @estimated_seconds: about how long the migration will take on this machine
 * @free_bytes: free space where the migrated vault is built
 *
 * What a migration will do, for a review before it starts. The source verified when
 * the plan was made.
 */
typedef struct
{
  char *name;
  AvfsStorageStats *source;
  char *target_engine;
  char *target_path;
  char *original_name;
  guint64 records;
  guint64 record_bytes;
  guint64 estimated_bytes;
  gdouble estimated_seconds;
  guint64 free_bytes;
} AvfsMigratePlan;

/**
 * AvfsMigrateResult:
 * @source_engine: the engine the vault had
 * @target_engine: the engine it has now
 * @path: (nullable): where the migrated vault is (%NULL for a memory vault)
 * @original_name: (nullable): the name the original was kept under
 * @original_path: (nullable): where the original is now, if it was kept
 * @compared: the migrated vault's engine and path, and the records compared (equal in
 *   both vaults) per collection
 * @records: records copied and compared, all collections together
 * @bytes: their keys and values, in bytes
 * @verify: what verify found on the migrated vault (no problems, or the migration
 *   would have failed): the files, versions, chunks, tags and metadata it checked
 * @copy_us: time spent copying, in microseconds…
 * @index_us: …building the search index…
 * @compare_us: …comparing the copy with the original record by record…
 * @verify_us: …verifying the copy…
 * @switch_us: …and putting it in place
 *
 * What a migration did.
 */
typedef struct
{
  char *source_engine;
  char *target_engine;
  char *path;
  char *original_name;
  char *original_path;
  AvfsStorageStats *compared;
  guint64 records;
  guint64 bytes;
  AvfsVerifyReport *verify;
  gint64 copy_us;
  gint64 index_us;
  gint64 compare_us;
  gint64 verify_us;
  gint64 switch_us;
} AvfsMigrateResult;

#define AVFS_TYPE_MIGRATE_PLAN (avfs_migrate_plan_get_type ())
#define AVFS_TYPE_MIGRATE_RESULT (avfs_migrate_result_get_type ())

GType              avfs_migrate_plan_get_type    (void) G_GNUC_CONST;
AvfsMigratePlan   *avfs_migrate_plan_copy        (const AvfsMigratePlan   *self);
void               avfs_migrate_plan_free        (AvfsMigratePlan         *self);
GType              avfs_migrate_result_get_type  (void) G_GNUC_CONST;
AvfsMigrateResult *avfs_migrate_result_copy      (const AvfsMigrateResult *self);
void               avfs_migrate_result_free      (AvfsMigrateResult       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsMigratePlan, avfs_migrate_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsMigrateResult, avfs_migrate_result_free)

AvfsMigratePlan   *avfs_registry_plan_migration  (AvfsRegistry      *self,
                                                  const char        *name,
                                                  const char        *engine,
                                                  const char        *output,
                                                  AvfsMigrateFlags   flags,
                                                  AvfsProgressFunc   progress,
                                                  gpointer           user_data,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
AvfsMigrateResult *avfs_registry_migrate         (AvfsRegistry      *self,
                                                  const char        *name,
                                                  const char        *engine,
                                                  const char        *output,
                                                  AvfsMigrateFlags   flags,
                                                  AvfsProgressFunc   progress,
                                                  gpointer           user_data,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
AvfsVault         *avfs_vault_migrate_to         (AvfsVault         *self,
                                                  const char        *engine,
                                                  const char        *path,
                                                  GHashTable        *backend_options,
                                                  AvfsMigrateResult **result,
                                                  AvfsProgressFunc   progress,
                                                  gpointer           user_data,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
gboolean           avfs_vault_compare            (AvfsVault         *self,
                                                  AvfsVault         *other,
                                                  AvfsStorageStats **compared,
                                                  AvfsProgressFunc   progress,
                                                  gpointer           user_data,
                                                  GCancellable      *cancellable,
                                                  GError           **error);

G_END_DECLS
