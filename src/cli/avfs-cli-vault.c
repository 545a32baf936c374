/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli vault commands: create, list, use, info, delete, migrate. */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-async-migrate.h"

static int
create_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  g_autofree char *backend = NULL;
  const GOptionEntry options[] = {
    { "backend", 'b', 0, G_OPTION_ARG_STRING, &backend,
      N_("Storage engine: sqlite (default), lmdb, rocksdb or memory"), "ENGINE" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  AvfsRegistry *registry;
  const char *engine;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL ||
      (vault = avfs_registry_create (registry, argv[1], backend, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  engine = avfs_vault_get_engine_name (vault);
  if (avfs_vault_get_path (vault) == NULL && !cli->json && !cli->in_shell)
    fprintf (stderr, _("Note: a memory vault lasts only as long as the program that made it; "
                       "this one is gone when this command ends. Use “%s shell” to work in one.\n"),
             g_get_prgname ());
  if (avfs_vault_get_path (vault) != NULL)  /* the registry keeps a memory vault open */
    avfs_vault_close (vault, NULL);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "name", argv[1]);
      avfs_cli_json_member_string (builder, "backend", engine);
      avfs_cli_json_member_string (builder, "path", avfs_vault_get_path (vault));
      avfs_cli_json_member_bool (builder, "persistent", avfs_vault_get_path (vault) != NULL);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  if (avfs_vault_get_path (vault) != NULL)
    printf (_("Created vault “%s” (%s) at %s\n"), argv[1], engine, avfs_vault_get_path (vault));
  else
    printf (_("Created vault “%s” (%s)\n"), argv[1], engine);
  return AVFS_CLI_OK;
}

static void
json_entry (JsonBuilder          *builder,
            const AvfsVaultEntry *entry)
{
  avfs_cli_json_member_string (builder, "name", entry->name);
  avfs_cli_json_member_string (builder, "backend", entry->engine);
  avfs_cli_json_member_string (builder, "path", entry->path);
  avfs_cli_json_member_int (builder, "size", entry->disk_bytes);
  avfs_cli_json_member_bool (builder, "current", entry->is_current);
}

static int
list_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  AvfsRegistry *registry;
  int status;
  int width = 4;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 0, &status))
    return status;
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL || (entries = avfs_registry_list (registry, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        {
          json_builder_begin_object (builder);
          json_entry (builder, g_ptr_array_index (entries, i));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      return avfs_cli_print_json (cli, builder);
    }
  if (entries->len == 0 && cli->interactive)
    printf (_("No vaults yet. Create one with “%s vault create NAME”.\n"), g_get_prgname ());
  for (guint i = 0; i < entries->len; i++)
    width = MAX (width, (int) strlen (((AvfsVaultEntry *) g_ptr_array_index (entries, i))->name));
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsVaultEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *size = g_format_size (entry->disk_bytes);

      printf ("%s %-*s  %-7s  %9s  %s\n", entry->is_current ? "*" : " ", width, entry->name,
              entry->engine, size, entry->path != NULL ? entry->path : _("(in memory)"));
    }
  return AVFS_CLI_OK;
}

static int
use_cb (AvfsCli               *cli,
        const AvfsCliCommand  *command,
        char                 **argv)
{
  g_autoptr(GError) error = NULL;
  AvfsRegistry *registry;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 1, 1, &status))
    return status;
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL || !avfs_registry_set_current (registry, argv[1], &error))
    return avfs_cli_fail (cli, error);
  return avfs_cli_print_done (cli, NULL, _("Now using vault “%s”"), argv[1]);
}

/* The vault a vault command is about: its argument, else --vault, else the current. */
static char *
chosen_vault_name (AvfsCli      *cli,
                   AvfsRegistry *registry,
                   const char   *argument)
{
  if (argument != NULL)
    return g_strdup (argument);
  if (cli->vault_name != NULL)
    return g_strdup (cli->vault_name);
  return avfs_registry_get_current (registry);
}

static int
info_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVaultEntry) entry = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  g_autofree char *name = NULL;
  g_autofree char *size = NULL;
  g_autofree char *dictionary = NULL;
  AvfsVaultSettings settings;
  AvfsRegistry *registry;
  gsize dictionary_size;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 1, &status))
    return status;
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL)
    return avfs_cli_fail (cli, error);
  name = chosen_vault_name (cli, registry, argv[1]);
  if (name == NULL)
    return avfs_cli_usage_error (cli, command, _("no vault given and none is current; "
                                   "name one, or pick one with “vault use NAME”"));
  if ((entry = avfs_registry_info (registry, name, &error)) == NULL ||
      (vault = avfs_registry_open (registry, name, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  avfs_vault_get_settings (vault, &settings);
  dictionary_size = avfs_vault_get_dictionary_size (vault);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_entry (builder, entry);
      avfs_cli_json_member_string (builder, "uuid", avfs_vault_get_uuid (vault));
      avfs_cli_json_member_int (builder, "chunk_size", settings.chunk_size);
      avfs_cli_json_member_int (builder, "compression_level", settings.compression_level);
      avfs_cli_json_member_int (builder, "compression_dictionary_bytes", dictionary_size);
      json_builder_end_object (builder);
      avfs_cli_release_vault (g_steal_pointer (&vault));
      return avfs_cli_print_json (cli, builder);
    }
  size = g_format_size (entry->disk_bytes);
  /* Translators: the labels of `vault info` end in one column; keep them aligned */
  printf (_("       Name: %s%s\n    Backend: %s\n       Path: %s\n    On disk: %s\n"
            "       UUID: %s\n Chunk size: %u bytes\nCompression: zstd level %d\n"),
          entry->name, entry->is_current ? _(" (current)") : "", entry->engine,
          entry->path != NULL ? entry->path : _("(in memory)"), size,
          avfs_vault_get_uuid (vault), settings.chunk_size, settings.compression_level);
  if (dictionary_size > 0)
    {
      g_autofree char *shown = g_format_size (dictionary_size);

      /* Translators: %s is a size such as “32.8 kB” */
      dictionary = g_strdup_printf (_("%s, trained on this vault's small files"), shown);
    }
  /* Translators: aligned with the labels of `vault info` above */
  printf (_(" Dictionary: %s\n"), dictionary != NULL ? dictionary : _("none"));
  avfs_cli_release_vault (g_steal_pointer (&vault));
  return AVFS_CLI_OK;
}

static int
delete_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  gboolean yes = FALSE;
  const GOptionEntry options[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Really delete: the vault cannot be recovered"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  AvfsRegistry *registry;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  if (!yes)
    return avfs_cli_usage_error (cli, command,
                                 _("deleting a vault cannot be undone; add -y to confirm"));
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL || !avfs_registry_delete (registry, argv[1], &error))
    return avfs_cli_fail (cli, error);
  return avfs_cli_print_done (cli, NULL, _("Deleted vault “%s”"), argv[1]);
}

/* vault migrate runs on a worker thread, so that Ctrl-C cancels it cleanly (the partial
 * target is removed, the vault left as it was) rather than killing it half-way. */

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Waiter;

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
  g_main_loop_quit (waiter->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @waiter's job has called back; Ctrl-C cancels the job. */
static void
wait_for_job (Waiter       *waiter,
              GCancellable *cancellable)
{
  guint sigint = g_unix_signal_add (SIGINT, interrupted_cb, cancellable);

  g_main_loop_run (waiter->loop);
  g_source_remove (sigint);
}

static void
json_store (JsonBuilder *builder,
            const char  *member,
            const char  *engine,
            const char  *path)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "backend", engine);
  avfs_cli_json_member_string (builder, "path", path);
  json_builder_end_object (builder);
}

static int
print_plan_json (AvfsCli               *cli,
                 const AvfsMigratePlan *plan)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  avfs_cli_json_member_bool (builder, "dry_run", TRUE);
  avfs_cli_json_member_string (builder, "name", plan->name);
  json_store (builder, "source", plan->source->engine, plan->source->path);
  json_store (builder, "target", plan->target_engine, plan->target_path);
  avfs_cli_json_member_string (builder, "original", plan->original_name);
  avfs_cli_json_member_int (builder, "source_size", plan->source->on_disk_bytes);
  avfs_cli_json_member_int (builder, "records", plan->records);
  avfs_cli_json_member_int (builder, "bytes", plan->record_bytes);
  avfs_cli_json_collections (builder, plan->source);
  avfs_cli_json_member_int (builder, "estimated_size", plan->estimated_bytes);
  json_builder_set_member_name (builder, "estimated_seconds");
  json_builder_add_double_value (builder, plan->estimated_seconds);
  avfs_cli_json_member_int (builder, "free_space", plan->free_bytes);
  json_builder_end_object (builder);
  return avfs_cli_print_json (cli, builder);
}

static const char *
original_fate (const AvfsMigratePlan *plan,
               gboolean               to_output)
{
  if (to_output)
    return _("left as it is");
  return plan->original_name != NULL ? _("kept as vault") : _("removed");
}

static int
print_plan (AvfsCli               *cli,
            const AvfsMigratePlan *plan,
            gboolean               to_output)
{
  g_autofree char *source_size = g_format_size (plan->source->on_disk_bytes);
  g_autofree char *bytes = g_format_size (plan->record_bytes);
  g_autofree char *estimate = g_format_size (plan->estimated_bytes);
  g_autofree char *free_space = g_format_size (plan->free_bytes);

  if (cli->json)
    return print_plan_json (cli, plan);
  printf (_("Plan: migrate vault “%s” from %s to %s\n"), plan->name, plan->source->engine,
          plan->target_engine);
  printf (_("  From:      %s (%s on disk)\n"),
          plan->source->path != NULL ? plan->source->path : _("(in memory)"), source_size);
  printf (_("  To:        %s\n"), plan->target_path);
  printf (_("  Original:  %s%s%s%s\n"), original_fate (plan, to_output),
          plan->original_name != NULL ? " “" : "",
          plan->original_name != NULL ? plan->original_name : "",
          plan->original_name != NULL ? "”" : "");
  printf (_("  Copy:      %llu records, %s\n"), (unsigned long long) plan->records, bytes);
  for (guint i = 0; i < plan->source->collections->len; i++)
    {
      const AvfsCollectionStats *c = g_ptr_array_index (plan->source->collections, i);
      g_autofree char *size = g_format_size (c->bytes);

      printf ("             %-17s %9" G_GUINT64_FORMAT "  %s\n", c->name, c->keys, size);
    }
  printf (_("  Estimate:  about %s, about %.0f s\n"), estimate,
          MAX (1.0, plan->estimated_seconds));
  printf (_("  Free:      %s\n"), free_space);
  printf (_("The vault verifies. Nothing was written (dry run).\n"));
  return AVFS_CLI_OK;
}

static void
json_durations (JsonBuilder             *builder,
                const AvfsMigrateResult *result)
{
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_begin_object (builder);
  avfs_cli_json_member_int (builder, "copy", result->copy_us / 1000);
  avfs_cli_json_member_int (builder, "compare", result->compare_us / 1000);
  avfs_cli_json_member_int (builder, "index", result->index_us / 1000);
  avfs_cli_json_member_int (builder, "verify", result->verify_us / 1000);
  avfs_cli_json_member_int (builder, "switch", result->switch_us / 1000);
  json_builder_end_object (builder);
}

static void
json_verified (JsonBuilder            *builder,
               const AvfsVerifyReport *report)
{
  json_builder_set_member_name (builder, "verified");
  json_builder_begin_object (builder);
  avfs_cli_json_member_int (builder, "nodes", report->nodes);
  avfs_cli_json_member_int (builder, "versions", report->versions);
  avfs_cli_json_member_int (builder, "blobs", report->blobs);
  avfs_cli_json_member_int (builder, "tags", report->tags);
  avfs_cli_json_member_int (builder, "props", report->props);
  avfs_cli_json_member_int (builder, "snapshot_entries", report->snapshot_entries);
  json_builder_end_object (builder);
}

static int
print_result_json (AvfsCli                 *cli,
                   const char              *name,
                   const AvfsMigrateResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "name", name);
  avfs_cli_json_member_string (builder, "source_backend", result->source_engine);
  json_store (builder, "target", result->target_engine, result->path);
  if (result->original_name != NULL)
    json_store (builder, "original", result->source_engine, result->original_path);
  avfs_cli_json_member_string (builder, "original_name", result->original_name);
  avfs_cli_json_member_int (builder, "records", result->records);
  avfs_cli_json_member_int (builder, "bytes", result->bytes);
  avfs_cli_json_collections (builder, result->compared);
  json_verified (builder, result->verify);
  json_durations (builder, result);
  json_builder_end_object (builder);
  return avfs_cli_print_json (cli, builder);
}

static int
print_result (AvfsCli                 *cli,
              const char              *name,
              const AvfsMigrateResult *result,
              gboolean                 to_output)
{
  const AvfsVerifyReport *report = result->verify;

  if (cli->json)
    return print_result_json (cli, name, result);
  if (to_output)
    printf (_("Wrote vault “%s” as a %s vault to %s; the original is unchanged\n"), name,
            result->target_engine, result->path);
  else
    printf (_("Migrated vault “%s” from %s to %s, now at %s\n"), name, result->source_engine,
            result->target_engine, result->path);
  printf (_("  Compared:  %llu records, all equal\n"), (unsigned long long) result->records);
  printf (_("  Verified:  %llu files and directories, %llu versions, %llu chunks, %llu tags, "
            "%llu metadata entries\n"),
          (unsigned long long) report->nodes, (unsigned long long) report->versions,
          (unsigned long long) report->blobs, (unsigned long long) report->tags,
          (unsigned long long) report->props);
  if (result->original_name != NULL)
    printf (_("  Original:  kept as vault “%s” at %s\n"), result->original_name,
            result->original_path);
  else if (!to_output)
    printf (_("  Original:  removed\n"));
  printf (_("  Took:      copy %.1f s, compare %.1f s, index %.1f s, verify %.1f s\n"),
          result->copy_us / 1e6, result->compare_us / 1e6, result->index_us / 1e6,
          result->verify_us / 1e6);
  return AVFS_CLI_OK;
}

static int
finish_plan (AvfsCli      *cli,
             AvfsRegistry *registry,
             GAsyncResult *result,
             gboolean      to_output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsMigratePlan) plan = avfs_registry_plan_migration_finish (registry, result,
                                                                         &error);

  if (plan == NULL)
    return avfs_cli_fail (cli, error);
  return print_plan (cli, plan, to_output);
}

static int
finish_migration (AvfsCli      *cli,
                  AvfsRegistry *registry,
                  const char   *name,
                  GAsyncResult *result,
                  gboolean      to_output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsMigrateResult) migrated = avfs_registry_migrate_finish (registry, result,
                                                                        &error);

  if (migrated == NULL)
    return avfs_cli_fail (cli, error);
  return print_result (cli, name, migrated, to_output);
}

static int
migrate_cb (AvfsCli               *cli,
            const AvfsCliCommand  *command,
            char                 **argv)
{
  g_autofree char *engine = NULL;
  g_autofree char *output = NULL;
  gboolean keep = FALSE;
  gboolean dry_run = FALSE;
  const GOptionEntry options[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &engine,
      N_("The engine to move the vault to: sqlite, lmdb or rocksdb"), "ENGINE" },
    { "keep-original", 0, 0, G_OPTION_ARG_NONE, &keep,
      N_("Keep the original as the vault NAME-original"), NULL },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the migrated vault to PATH and leave the original as it is"), "PATH" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Check everything and show the plan; write nothing"), NULL },
    { NULL }
  };
  AvfsMigrateFlags flags;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(AvfsCliProgress) progress = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Waiter waiter = { loop, NULL };
  AvfsRegistry *registry;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  if (engine == NULL)
    return avfs_cli_usage_error (cli, command, _("give the engine to migrate to with --to ENGINE"));
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL)
    return avfs_cli_fail (cli, error);
  flags = keep ? AVFS_MIGRATE_KEEP_ORIGINAL : AVFS_MIGRATE_NONE;
  progress = avfs_cli_progress_new (cli);
  if (dry_run)
    avfs_registry_plan_migration_async (registry, argv[1], engine, output, flags,
                                        avfs_cli_progress_cb, progress, cancellable,
                                        job_done_cb, &waiter);
  else
    avfs_registry_migrate_async (registry, argv[1], engine, output, flags,
                                 avfs_cli_progress_cb, progress, cancellable, job_done_cb,
                                 &waiter);
  wait_for_job (&waiter, cancellable);
  g_clear_pointer (&progress, avfs_cli_progress_free);
  result = waiter.result;
  return dry_run ? finish_plan (cli, registry, result, output != NULL)
                 : finish_migration (cli, registry, argv[1], result, output != NULL);
}

const AvfsCliCommand avfs_cli_vault_commands[] = {
  { "vault create", "NAME [--backend ENGINE]", N_("Create a vault"), create_cb },
  { "vault list", "", N_("List the vaults; * marks the current one"), list_cb },
  { "vault use", "NAME", N_("Make NAME the current vault"), use_cb },
  { "vault info", "[NAME]", N_("Show a vault's engine, location and settings"), info_cb },
  { "vault delete", "NAME -y", N_("Delete a vault for good"), delete_cb },
  { "vault migrate", "NAME --to ENGINE [--keep-original] [--output PATH] [--dry-run]",
    N_("Move a vault to another engine, checking the copy before it replaces the original"),
    migrate_cb },
  { NULL }
};
