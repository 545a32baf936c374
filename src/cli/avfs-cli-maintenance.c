/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli upkeep: stats, verify, gc, prune, compact, quota, audit. */
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-admin.h"
#include "avfs-vault-maintenance.h"

/* `vault stats NAME`, `vault verify NAME`: the argument chooses the vault. */
static AvfsVault *
open_named_vault (AvfsCli     *cli,
                  const char  *name,
                  GError     **error)
{
  if (name != NULL)
    {
      g_free (cli->vault_name);
      cli->vault_name = g_strdup (name);
    }
  return avfs_cli_get_vault (cli, error);
}

/* An engine figure from stats' a{sv}, as text. */
static char *
format_engine_value (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  return g_variant_print (value, FALSE);
}

static void
json_add_variant (JsonBuilder *builder,
                  const char  *name,
                  GVariant    *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, json_gvariant_serialize (value));
}

static void
stats_json (JsonBuilder          *builder,
            const AvfsVaultStats *stats,
            gboolean              backend_info)
{
  AvfsStorageStats *storage = stats->storage;

  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "backend", storage->engine);
  avfs_cli_json_member_int (builder, "files", stats->files);
  avfs_cli_json_member_int (builder, "directories", stats->directories);
  avfs_cli_json_member_int (builder, "versions", stats->versions);
  avfs_cli_json_member_int (builder, "snapshots", stats->snapshots);
  avfs_cli_json_member_int (builder, "blobs", stats->blobs);
  avfs_cli_json_member_int (builder, "logical_bytes", stats->logical_bytes);
  avfs_cli_json_member_int (builder, "versions_bytes", stats->versions_bytes);
  avfs_cli_json_member_int (builder, "stored_bytes", stats->stored_bytes);
  avfs_cli_json_member_int (builder, "on_disk_bytes", stats->on_disk_bytes);
  json_builder_set_member_name (builder, "dedup_ratio");
  json_builder_add_double_value (builder, stats->dedup_ratio);
  json_builder_set_member_name (builder, "compression_ratio");
  json_builder_add_double_value (builder, stats->compression_ratio);
  if (backend_info)
    {
      avfs_cli_json_collections (builder, storage);
      json_add_variant (builder, "backend_info", storage->engine_info);
    }
  json_builder_end_object (builder);
}

static void
stats_text (const AvfsVaultStats *stats,
            gboolean              backend_info)
{
  g_autofree char *logical = g_format_size (stats->logical_bytes);
  g_autofree char *stored = g_format_size (stats->stored_bytes);
  g_autofree char *disk = g_format_size (stats->on_disk_bytes);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  /* Translators: the labels of `avfs stats` end in one column, so they are padded on the
   * left to thirteen characters; keep them aligned with each other. */
  printf (_("      Backend: %s\n"), stats->storage->engine);
  printf (_("        Files: %llu\n"), (unsigned long long) stats->files);
  printf (_("  Directories: %llu\n"), (unsigned long long) stats->directories);
  printf (_("     Versions: %llu\n"), (unsigned long long) stats->versions);
  printf (_("    Snapshots: %llu\n"), (unsigned long long) stats->snapshots);
  printf (_("        Blobs: %llu\n"), (unsigned long long) stats->blobs);
  printf (_(" Content size: %s\n"), logical);
  printf (_("  Stored size: %s (dedup ×%.2f, compression ×%.2f)\n"), stored,
          stats->dedup_ratio, stats->compression_ratio);
  printf (_("      On disk: %s\n"), disk);
  if (!backend_info)
    return;
  printf ("\n%s\n", _("Collections:"));
  for (guint i = 0; i < stats->storage->collections->len; i++)
    {
      AvfsCollectionStats *c = g_ptr_array_index (stats->storage->collections, i);
      g_autofree char *bytes = g_format_size (c->bytes);

      /* Translators: a collection's name, its number of keys and its size */
      printf (_("  %-18s %10llu keys  %10s\n"), c->name, (unsigned long long) c->keys, bytes);
    }
  printf ("\n%s:\n", stats->storage->engine);
  g_variant_iter_init (&iter, stats->storage->engine_info);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autofree char *text = format_engine_value (value);

      printf ("  %-22s %s\n", key, text);
      g_variant_unref (value);
    }
}

static int
stats_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  gboolean backend_info = FALSE;
  const GOptionEntry options[] = {
    { "backend-info", 0, 0, G_OPTION_ARG_NONE, &backend_info,
      N_("Also show per-collection figures and the engine's own"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVaultStats) stats = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 1, &status))
    return status;
  vault = open_named_vault (cli, argv[1], &error);
  if (vault == NULL || (stats = avfs_vault_stats (vault, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      stats_json (builder, stats, backend_info);
      return avfs_cli_print_json (cli, builder);
    }
  stats_text (stats, backend_info);
  return AVFS_CLI_OK;
}

static int
verify_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  gboolean repair = FALSE;
  const GOptionEntry options[] = {
    { "repair", 0, 0, G_OPTION_ARG_NONE, &repair,
      N_("First put right what can be derived again (counters, indexes, orphaned records)"),
      NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVerifyReport) report = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(AvfsCliProgress) progress = NULL;
  guint64 repaired = 0;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 1, &status))
    return status;
  vault = open_named_vault (cli, argv[1], &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  progress = avfs_cli_progress_new (cli);
  report = repair ? avfs_vault_repair (vault, avfs_cli_progress_cb, progress, NULL, &repaired,
                                       &error)
                  : avfs_vault_verify (vault, avfs_cli_progress_cb, progress, NULL, &error);
  g_clear_pointer (&progress, avfs_cli_progress_free);
  if (report == NULL)
    return avfs_cli_fail (cli, error);
  if (repair && !cli->json)
    printf (ngettext ("Repaired %llu thing; verified again:\n",
                      "Repaired %llu things; verified again:\n", repaired),
            (unsigned long long) repaired);
  json_builder_begin_object (builder);
  if (repair)
    avfs_cli_json_member_int (builder, "repaired", repaired);
  avfs_cli_json_member_bool (builder, "ok", report->n_problems == 0);
  avfs_cli_json_member_int (builder, "problem_count", report->n_problems);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->problems->len; i++)
    {
      const char *problem = g_ptr_array_index (report->problems, i);

      if (!cli->json)
        printf ("%s\n", problem);
      json_builder_add_string_value (builder, problem);
    }
  json_builder_end_array (builder);
  avfs_cli_json_member_int (builder, "nodes", report->nodes);
  avfs_cli_json_member_int (builder, "versions", report->versions);
  avfs_cli_json_member_int (builder, "blobs", report->blobs);
  avfs_cli_json_member_int (builder, "search_documents", report->search_documents);
  json_builder_end_object (builder);
  if (cli->json)
    avfs_cli_print_json (cli, builder);
  else if (report->n_problems == 0)
    printf (_("Vault verified: %llu files and directories, %llu versions, %llu blobs, "
              "no problems\n"), (unsigned long long) report->nodes, (unsigned long long) report->versions,
            (unsigned long long) report->blobs);
  else
    fprintf (stderr, ngettext ("Error: %llu problem found\n", "Error: %llu problems found\n",
                               report->n_problems),
             (unsigned long long) report->n_problems);
  return report->n_problems == 0 ? AVFS_CLI_OK : AVFS_CLI_ERROR;
}

static int
gc_cb (AvfsCli               *cli,
       const AvfsCliCommand  *command,
       char                 **argv)
{
  gboolean dry_run = FALSE;
  const GOptionEntry options[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("Only count what would be removed"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *freed = NULL;
  g_autoptr(AvfsCliProgress) progress = NULL;
  AvfsGcReport report = { 0 };
  AvfsVault *vault;
  gboolean ok;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 0, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  progress = avfs_cli_progress_new (cli);
  ok = avfs_vault_gc (vault, dry_run, &report, avfs_cli_progress_cb, progress, NULL, &error);
  g_clear_pointer (&progress, avfs_cli_progress_free);
  if (!ok)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_bool (builder, "dry_run", dry_run);
      avfs_cli_json_member_int (builder, "blobs_checked", report.blobs_checked);
      avfs_cli_json_member_int (builder, "blobs_removed", report.blobs_removed);
      avfs_cli_json_member_int (builder, "bytes_freed", report.bytes_freed);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  freed = g_format_size (report.bytes_freed);
  printf (dry_run ? _("Would remove %llu of %llu blobs (%s)\n")
                  : _("Removed %llu of %llu blobs (%s)\n"),
          (unsigned long long) report.blobs_removed, (unsigned long long) report.blobs_checked,
          freed);
  return AVFS_CLI_OK;
}

static int
prune_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  gint keep = 0, older_than = 0;
  gboolean dry_run = FALSE;
  const GOptionEntry options[] = {
    { "keep", 'k', 0, G_OPTION_ARG_INT, &keep, N_("Keep the N newest versions of each file"), "N" },
    { "older-than", 0, 0, G_OPTION_ARG_INT, &older_than, N_("Drop versions older than DAYS"), "DAYS" },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("Only list what would go"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsPruneReport) report = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 0, &status))
    return status;
  if (keep < 0 || older_than < 0 || (keep == 0 && older_than == 0))
    return avfs_cli_usage_error (cli, command, _("give --keep N and/or --older-than DAYS"));
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL ||
      (report = avfs_vault_prune (vault, keep, older_than, dry_run, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  json_builder_begin_object (builder);
  avfs_cli_json_member_bool (builder, "dry_run", dry_run);
  avfs_cli_json_member_int (builder, "files", report->files_touched);
  avfs_cli_json_member_int (builder, "versions_removed", report->versions_removed);
  json_builder_set_member_name (builder, "versions");
  json_builder_begin_array (builder);
  for (guint i = 0; report->versions != NULL && i < report->versions->len; i++)
    {
      AvfsPrunedVersion *pruned = g_ptr_array_index (report->versions, i);

      if (!cli->json)
        printf ("%s v%u\n", pruned->path, pruned->version);
      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "path", pruned->path);
      avfs_cli_json_member_int (builder, "version", pruned->version);
      avfs_cli_json_member_int (builder, "size", pruned->size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (cli->json)
    return avfs_cli_print_json (cli, builder);
  printf (dry_run ? _("Would remove %llu versions of %llu files\n")
                  : _("Removed %llu versions of %llu files; run “gc” to free their content\n"),
          (unsigned long long) report->versions_removed,
          (unsigned long long) report->files_touched);
  return AVFS_CLI_OK;
}

typedef struct
{
  AvfsVault *vault;
  AvfsCompactionStats *stats;
  GError *error;
  gint done;
} Compaction;

static gpointer
compact_thread (gpointer data)
{
  Compaction *compaction = data;

  compaction->stats = avfs_vault_compact (compaction->vault, &compaction->error);
  g_atomic_int_set (&compaction->done, TRUE);
  return NULL;
}

/* Engines compact in one call that says nothing of its progress: on a terminal, the
 * time it has taken so far shows instead. */
static AvfsCompactionStats *
compact_with_progress (AvfsCli    *cli,
                       AvfsVault  *vault,
                       GError    **error)
{
  g_autoptr(AvfsCliProgress) progress = avfs_cli_progress_new (cli);
  Compaction compaction = { vault };
  const AvfsProgress figures = { "compact" };
  GThread *thread;

  if (progress == NULL)
    return avfs_vault_compact (vault, error);
  thread = g_thread_new ("avfs-compact", compact_thread, &compaction);
  while (!g_atomic_int_get (&compaction.done))
    {
      avfs_cli_progress_cb (&figures, progress);
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_thread_join (thread);
  if (compaction.stats == NULL)
    g_propagate_error (error, compaction.error);
  return compaction.stats;
}

static int
compact_cb (AvfsCli               *cli,
            const AvfsCliCommand  *command,
            char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCompactionStats) stats = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 0, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL || (stats = compact_with_progress (cli, vault, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_int (builder, "bytes_before", stats->bytes_before);
      avfs_cli_json_member_int (builder, "bytes_after", stats->bytes_after);
      avfs_cli_json_member_int (builder, "duration_ms", stats->duration_us / 1000);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  before = g_format_size (stats->bytes_before);
  after = g_format_size (stats->bytes_after);
  printf (_("Compacted: %s → %s in %.1f s\n"), before, after, stats->duration_us / 1e6);
  return AVFS_CLI_OK;
}

static int
print_quota (AvfsCli   *cli,
             AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  AvfsQuota quota;

  if (!avfs_vault_quota_get (vault, &quota, &error))
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_int (builder, "max_size_mb", quota.max_size_mb);
      avfs_cli_json_member_int (builder, "max_files", quota.max_files);
      avfs_cli_json_member_int (builder, "max_file_size_mb", quota.max_file_size_mb);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  printf ("max_size_mb       %" G_GUINT64_FORMAT "\nmax_files         %" G_GUINT64_FORMAT
          "\nmax_file_size_mb  %" G_GUINT64_FORMAT "\n", quota.max_size_mb,
          quota.max_files, quota.max_file_size_mb);
  printf ("%s\n", _("(0: no limit)"));
  return AVFS_CLI_OK;
}

static int
quota_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  g_autoptr(GError) error = NULL;
  AvfsVault *vault;
  guint64 value;
  guint n;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 3, &status))
    return status;
  n = g_strv_length (argv) - 1;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  if (n == 0)
    return print_quota (cli, vault);
  if (g_str_equal (argv[1], "set") && n == 3)
    {
      if (!g_ascii_string_to_unsigned (argv[3], 10, 1, AVFS_QUOTA_MAX_VALUE, &value, &error))
        return avfs_cli_usage_error (cli, command, error->message);
      if (!avfs_vault_quota_set (vault, argv[2], value, &error))
        return avfs_cli_fail (cli, error);
      return avfs_cli_print_done (cli, NULL, "%s = %s", argv[2], argv[3]);
    }
  if (g_str_equal (argv[1], "clear") && n == 2)
    return avfs_vault_quota_clear (vault, argv[2], &error)
           ? avfs_cli_print_done (cli, NULL, _("%s cleared"), argv[2]) : avfs_cli_fail (cli, error);
  return avfs_cli_usage_error (cli, command, _("use “quota”, “quota set KEY VALUE” or “quota clear KEY”"));
}

/* --since accepts an ISO 8601 date or time (local time unless it says otherwise). */
static gboolean
parse_since (const char  *text,
             gint64      *since_us)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (text, local);
  g_autofree char *midnight = NULL;

  if (time == NULL)
    {
      midnight = g_strconcat (text, "T00:00:00", NULL);
      time = g_date_time_new_from_iso8601 (midnight, local);
    }
  if (time == NULL)
    return FALSE;
  *since_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

static int
audit_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  gint limit = 50;
  g_autofree char *since = NULL;
  gboolean clear = FALSE;
  const GOptionEntry options[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("Show at most N entries (0: all; default 50)"), "N" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("Only entries from this date or time on"), "ISO-8601" },
    { "clear", 0, 0, G_OPTION_ARG_NONE, &clear, N_("Empty the log"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 since_us = 0;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 0, &status))
    return status;
  if (limit < 0 || (since != NULL && !parse_since (since, &since_us)))
    return avfs_cli_usage_error (cli, command, _("--limit takes a number, --since a date such as 2026-11-25 or 2026-11-25T14:00"));
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  if (clear)
    return avfs_vault_audit_clear (vault, &error)
           ? avfs_cli_print_done (cli, NULL, _("Audit log cleared")) : avfs_cli_fail (cli, error);
  entries = avfs_vault_audit_query (vault, limit, since_us, &error);
  if (entries == NULL)
    return avfs_cli_fail (cli, error);
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsAuditEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *time = avfs_cli_format_iso_time (entry->time_us);
      g_autoptr(JsonNode) details = json_from_string (entry->details_json, NULL);

      if (!cli->json)
        printf ("%s  %-16s %s  %s\n", time, entry->op, entry->path, entry->details_json);
      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "time", time);
      avfs_cli_json_member_string (builder, "op", entry->op);
      avfs_cli_json_member_string (builder, "path", entry->path);
      json_builder_set_member_name (builder, "details");
      json_builder_add_value (builder, details != NULL ? json_node_copy (details)
                                                       : json_node_new (JSON_NODE_NULL));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return cli->json ? avfs_cli_print_json (cli, builder) : AVFS_CLI_OK;
}

const AvfsCliCommand avfs_cli_maintenance_commands[] = {
  { "vault stats", "[NAME] [--backend-info]", N_("Show a vault's figures (and the engine's)"),
    stats_cb, AVFS_CLI_READS },
  { "vault verify", "[NAME] [--repair]", N_("Check every reference and every blob; exit 1 on problems"), verify_cb },
  { "stats", "[--backend-info]", N_("Show the vault's figures"), stats_cb, AVFS_CLI_READS },
  { "gc", "[--dry-run]", N_("Remove content nothing refers to any more"), gc_cb },
  { "prune", "[--keep N] [--older-than DAYS] [--dry-run]", N_("Drop old versions (never the current)"), prune_cb },
  { "compact", "", N_("Let the engine reclaim free space"), compact_cb },
  { "quota", "[set KEY VALUE | clear KEY]", N_("Show or change the vault's quotas"), quota_cb },
  { "audit", "[--limit N] [--since DATE] [--clear]", N_("Show the log of changes, newest first"), audit_cb },
  { NULL }
};
