/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli snapshot commands: save, list, info, restore, delete. */
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-snapshots.h"

static void
json_snapshot (JsonBuilder            *builder,
               const AvfsSnapshotInfo *info)
{
  g_autofree char *created = avfs_cli_format_iso_time (info->created_us);

  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "name", info->name);
  avfs_cli_json_member_string (builder, "created", created);
  avfs_cli_json_member_bool (builder, "automatic", info->automatic);
  avfs_cli_json_member_string (builder, "description", info->description);
  avfs_cli_json_member_int (builder, "files", info->files);
  avfs_cli_json_member_int (builder, "directories", info->directories);
  avfs_cli_json_member_int (builder, "bytes", info->bytes);
  json_builder_end_object (builder);
}

static void
print_snapshot_line (const AvfsSnapshotInfo *info)
{
  g_autofree char *created = avfs_cli_format_time (info->created_us);
  g_autofree char *size = g_format_size (info->bytes);

  /* Translators: a snapshot's name, its time, its number of files and its size */
  printf (_("%-32s %s  %6llu files  %10s%s%s\n"), info->name, created,
          (unsigned long long) info->files, size,
          info->description != NULL && info->description[0] ? "  " : "",
          info->description != NULL ? info->description : "");
}

static int
save_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autofree char *message = NULL;
  const GOptionEntry options[] = {
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, N_("A description to keep with it"), "TEXT" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL || !avfs_vault_snapshot_save (vault, argv[1], message, &error))
    return avfs_cli_fail (cli, error);
  return avfs_cli_print_done (cli, NULL, _("Saved snapshot “%s”"), argv[1]);
}

static int
list_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 0, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL || (snapshots = avfs_vault_snapshot_list (vault, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  json_builder_begin_array (builder);
  for (guint i = 0; i < snapshots->len; i++)
    {
      if (cli->json)
        json_snapshot (builder, g_ptr_array_index (snapshots, i));
      else
        print_snapshot_line (g_ptr_array_index (snapshots, i));
    }
  json_builder_end_array (builder);
  return cli->json ? avfs_cli_print_json (cli, builder) : AVFS_CLI_OK;
}

static int
info_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSnapshotInfo) info = NULL;
  g_autofree char *created = NULL;
  g_autofree char *size = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 1, 1, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL || (info = avfs_vault_snapshot_info (vault, argv[1], &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_snapshot (builder, info);
      return avfs_cli_print_json (cli, builder);
    }
  created = avfs_cli_format_time (info->created_us);
  size = g_format_size (info->bytes);
  /* Translators: the labels of `avfs snapshot info` end in one column, so they are padded
   * on the left to eleven characters; keep them aligned with each other. */
  printf (_("       Name: %s%s\n"), info->name, info->automatic ? _(" (automatic)") : "");
  printf (_("    Created: %s\n"), created);
  printf (_("Description: %s\n"), info->description != NULL ? info->description : "");
  printf (_("      Files: %llu\n"), (unsigned long long) info->files);
  printf (_("Directories: %llu\n"), (unsigned long long) info->directories);
  printf (_("      Bytes: %s\n"), size);
  return AVFS_CLI_OK;
}

static int
restore_cb (AvfsCli               *cli,
            const AvfsCliCommand  *command,
            char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *undo = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 1, 1, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL || !avfs_vault_snapshot_restore (vault, argv[1], &undo, &error))
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "restored", argv[1]);
      avfs_cli_json_member_string (builder, "undo_snapshot", undo);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  printf (_("Restored snapshot “%s”. To undo: %s snapshot restore %s\n"), argv[1],
          g_get_prgname (), undo);
  return AVFS_CLI_OK;
}

static int
delete_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  g_autoptr(GError) error = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 1, 1, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL || !avfs_vault_snapshot_delete (vault, argv[1], &error))
    return avfs_cli_fail (cli, error);
  return avfs_cli_print_done (cli, NULL, _("Deleted snapshot “%s”"), argv[1]);
}

const AvfsCliCommand avfs_cli_snapshot_commands[] = {
  { "snapshot save", "NAME [-m TEXT]", N_("Save the whole tree as snapshot NAME"), save_cb },
  { "snapshot list", "", N_("List snapshots, oldest first"), list_cb, AVFS_CLI_READS },
  { "snapshot info", "NAME", N_("Show what a snapshot holds"), info_cb, AVFS_CLI_READS },
  { "snapshot restore", "NAME",
    N_("Make the tree what snapshot NAME holds (the current tree is saved first)"), restore_cb },
  { "snapshot delete", "NAME", N_("Delete a snapshot"), delete_cb },
  { NULL }
};
