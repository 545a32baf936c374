/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Migration between engines, asynchronously: one job per call of avfs-vault-migrate.h,
 * each with progress. */
#include "avfs-job.h"
#include "avfs-vault-async-migrate.h"

/* The arguments of every migration call, and what a migration of an open vault
 * reports besides the vault it returns. */
typedef struct
{
  char *name;               /* the vault's name, or the target's path */
  char *engine;
  char *output;
  AvfsMigrateFlags flags;
  GHashTable *backend_options;
  AvfsMigrateResult *result;
} MigrateArgs;

static MigrateArgs *
migrate_args_new (const char       *name,
                  const char       *engine,
                  const char       *output,
                  AvfsMigrateFlags  flags)
{
  MigrateArgs *args = g_new0 (MigrateArgs, 1);

  args->name = g_strdup (name);
  args->engine = g_strdup (engine);
  args->output = g_strdup (output);
  args->flags = flags;
  return args;
}

static void
migrate_args_free (gpointer data)
{
  MigrateArgs *args = data;

  g_free (args->name);
  g_free (args->engine);
  g_free (args->output);
  g_clear_pointer (&args->backend_options, g_hash_table_unref);
  g_clear_pointer (&args->result, avfs_migrate_result_free);
  g_free (args);
}

static gpointer
plan_job (gpointer          source,
          gpointer          data,
          GCancellable     *cancellable,
          AvfsProgressFunc  progress,
          gpointer          progress_data,
          GError          **error)
{
  MigrateArgs *args = data;

  return avfs_registry_plan_migration (source, args->name, args->engine, args->output,
                                       args->flags, progress, progress_data, cancellable,
                                       error);
}

/**
 * avfs_registry_plan_migration_async:
 * @output: (nullable): the output path, or %NULL to migrate in place
 * @progress: (nullable): told on the caller's main context how the phases `"scan"` and
 *   `"verify"` go
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops the source's verification
 *
 * Runs avfs_registry_plan_migration() on a worker thread: the wizard's review page.
 * avfs_registry_plan_migration_finish() gives the plan.
 */
void
avfs_registry_plan_migration_async (AvfsRegistry         *self,
                                    const char           *name,
                                    const char           *engine,
                                    const char           *output,
                                    AvfsMigrateFlags      flags,
                                    AvfsProgressFunc      progress,
                                    gpointer              progress_data,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  avfs_job_run (self, avfs_registry_plan_migration_async, plan_job,
                migrate_args_new (name, engine, output, flags), migrate_args_free,
                (GDestroyNotify) avfs_migrate_plan_free, progress, progress_data, cancellable,
                callback, user_data);
}

/**
 * avfs_registry_plan_migration_finish:
 *
 * Returns: (transfer full) (nullable): what the migration would do, or %NULL with the
 *   reason it cannot be done
 */
AvfsMigratePlan *
avfs_registry_plan_migration_finish (AvfsRegistry  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return avfs_job_finish (result, avfs_registry_plan_migration_async, error);
}

static gpointer
migrate_job (gpointer          source,
             gpointer          data,
             GCancellable     *cancellable,
             AvfsProgressFunc  progress,
             gpointer          progress_data,
             GError          **error)
{
  MigrateArgs *args = data;

  return avfs_registry_migrate (source, args->name, args->engine, args->output, args->flags,
                                progress, progress_data, cancellable, error);
}

/**
 * avfs_registry_migrate_async:
 * @output: (nullable): the output path, or %NULL to migrate in place
 * @progress: (nullable): told on the caller's main context how the phases `"scan"`,
 *   `"copy"`, `"compare"`, `"index"`, `"verify"` and `"switch"` go
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops the migration before the switch; the partial target
 *   is removed and the vault stays as it was
 *
 * Runs avfs_registry_migrate() on a worker thread. avfs_registry_migrate_finish() gives
 * what was done.
 */
void
avfs_registry_migrate_async (AvfsRegistry         *self,
                             const char           *name,
                             const char           *engine,
                             const char           *output,
                             AvfsMigrateFlags      flags,
                             AvfsProgressFunc      progress,
                             gpointer              progress_data,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  avfs_job_run (self, avfs_registry_migrate_async, migrate_job,
                migrate_args_new (name, engine, output, flags), migrate_args_free,
                (GDestroyNotify) avfs_migrate_result_free, progress, progress_data,
                cancellable, callback, user_data);
}

/**
 * avfs_registry_migrate_finish:
 *
 * Returns: (transfer full) (nullable): the verification summary, the time each phase
 *   took and where the vaults are now
 */
AvfsMigrateResult *
avfs_registry_migrate_finish (AvfsRegistry  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return avfs_job_finish (result, avfs_registry_migrate_async, error);
}

static gpointer
migrate_to_job (gpointer          source,
                gpointer          data,
                GCancellable     *cancellable,
                AvfsProgressFunc  progress,
                gpointer          progress_data,
                GError          **error)
{
  MigrateArgs *args = data;

  return avfs_vault_migrate_to (source, args->engine, args->name, args->backend_options,
                                &args->result, progress, progress_data, cancellable, error);
}

/**
 * avfs_vault_migrate_to_async:
 * @path: (nullable): where the target goes; %NULL for memory
 * @backend_options: (nullable): engine name → (option → value), copied by reference
 * @progress: (nullable): told on the caller's main context how the phases go
 * @progress_data: data for @progress, which must stay valid until @callback runs
 * @cancellable: (nullable): stops the migration; the partial target is removed
 *
 * Runs avfs_vault_migrate_to() on a worker thread. avfs_vault_migrate_to_finish() gives
 * the migrated vault.
 */
void
avfs_vault_migrate_to_async (AvfsVault            *self,
                             const char           *engine,
                             const char           *path,
                             GHashTable           *backend_options,
                             AvfsProgressFunc      progress,
                             gpointer              progress_data,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  MigrateArgs *args = migrate_args_new (path, engine, NULL, AVFS_MIGRATE_NONE);

  args->backend_options = backend_options != NULL ? g_hash_table_ref (backend_options) : NULL;
  avfs_job_run (self, avfs_vault_migrate_to_async, migrate_to_job, args, migrate_args_free,
                g_object_unref, progress, progress_data, cancellable, callback, user_data);
}

/**
 * avfs_vault_migrate_to_finish:
 * @migrate_result: (out) (optional) (transfer full): what was copied, compared and
 *   verified, when the migration succeeded
 *
 * Returns: (transfer full) (nullable): the migrated vault, open
 */
AvfsVault *
avfs_vault_migrate_to_finish (AvfsVault           *self,
                              GAsyncResult        *result,
                              AvfsMigrateResult  **migrate_result,
                              GError             **error)
{
  AvfsVault *vault = avfs_job_finish (result, avfs_vault_migrate_to_async, error);
  MigrateArgs *args = avfs_job_get_args (result);

  if (vault != NULL && migrate_result != NULL)
    *migrate_result = g_steal_pointer (&args->result);
  return vault;
}
