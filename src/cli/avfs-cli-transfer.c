/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli import and export between the host and the vault. */
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-transfer.h"

static int
print_report (AvfsCli                  *cli,
              gboolean                  imported,
              const char               *from,
              const char               *to,
              const AvfsTransferReport *report)
{
  g_autofree char *bytes = g_format_size (report->bytes);
  g_autofree char *files = NULL;
  g_autofree char *directories = NULL;
  guint64 skipped = report->skipped_symlinks + report->skipped_special + report->skipped_names;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "from", from);
      avfs_cli_json_member_string (builder, "to", to);
      avfs_cli_json_member_int (builder, "files", report->files);
      avfs_cli_json_member_int (builder, "directories", report->directories);
      avfs_cli_json_member_int (builder, "bytes", report->bytes);
      avfs_cli_json_member_int (builder, "unchanged", report->unchanged);
      avfs_cli_json_member_int (builder, "skipped_existing", report->skipped_existing);
      avfs_cli_json_member_int (builder, "skipped_symlinks", report->skipped_symlinks);
      avfs_cli_json_member_int (builder, "skipped_special", report->skipped_special);
      avfs_cli_json_member_int (builder, "skipped_names", report->skipped_names);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  files = g_strdup_printf (ngettext ("%llu file", "%llu files", report->files),
                           (unsigned long long) report->files);
  directories = g_strdup_printf (ngettext ("%llu directory", "%llu directories",
                                           report->directories),
                                 (unsigned long long) report->directories);
  /* Translators: "Imported 3 files (1.2 kB) and 1 directory from FROM to TO" */
  printf (imported ? _("Imported %s (%s) and %s from %s to %s")
                   : _("Exported %s (%s) and %s from %s to %s"),
          files, bytes, directories, from, to);
  if (report->unchanged > 0)
    printf (_("; %llu unchanged"), (unsigned long long) report->unchanged);
  if (report->skipped_existing > 0)
    printf (_("; %llu existing left alone"), (unsigned long long) report->skipped_existing);
  if (skipped > 0)
    printf (_("; skipped %llu symlinks, %llu special files, %llu bad names"),
            (unsigned long long) report->skipped_symlinks,
            (unsigned long long) report->skipped_special,
            (unsigned long long) report->skipped_names);
  printf ("\n");
  return AVFS_CLI_OK;
}

static int
import_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  gboolean recursive = FALSE, no_clobber = FALSE;
  const GOptionEntry options[] = {
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive,
      N_("Accepted for the spec's spelling; directories always import recursively"), NULL },
    { "no-clobber", 'n', 0, G_OPTION_ARG_NONE, &no_clobber,
      N_("Leave files that already exist in the vault as they are"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCliProgress) progress = NULL;
  g_autofree char *path = NULL;
  AvfsTransferReport report = { 0 };
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 2, 2, &status))
    return status;
  vault = avfs_cli_open_path (cli, argv[2], &path, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  progress = avfs_cli_progress_new (cli);
  if (!avfs_vault_import (vault, argv[1], path,
                          no_clobber ? AVFS_IMPORT_NO_CLOBBER : AVFS_IMPORT_NONE,
                          avfs_cli_progress_cb, progress, NULL, &report, &error))
    {
      g_clear_pointer (&progress, avfs_cli_progress_free);
      return avfs_cli_fail (cli, error);
    }
  g_clear_pointer (&progress, avfs_cli_progress_free);
  return print_report (cli, TRUE, argv[1], path, &report);
}

static int
export_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  gboolean recursive = FALSE, overwrite = FALSE;
  const GOptionEntry options[] = {
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive,
      N_("Accepted for the spec's spelling; directories always export recursively"), NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, N_("Replace files that exist on the host"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCliProgress) progress = NULL;
  g_autofree char *path = NULL;
  AvfsTransferReport report = { 0 };
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 2, 2, &status))
    return status;
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  progress = avfs_cli_progress_new (cli);
  if (!avfs_vault_export (vault, path, argv[2],
                          overwrite ? AVFS_EXPORT_OVERWRITE : AVFS_EXPORT_NONE,
                          avfs_cli_progress_cb, progress, NULL, &report, &error))
    {
      g_clear_pointer (&progress, avfs_cli_progress_free);
      return avfs_cli_fail (cli, error);
    }
  g_clear_pointer (&progress, avfs_cli_progress_free);
  return print_report (cli, FALSE, path, argv[2], &report);
}

const AvfsCliCommand avfs_cli_transfer_commands[] = {
  { "import", "HOSTPATH VPATH [--no-clobber]",
    N_("Copy a host file, or a directory's contents, into the vault at VPATH"), import_cb },
  { "export", "VPATH HOSTPATH [--overwrite]",
    N_("Copy a vault file, or a directory's contents, to the host at HOSTPATH"),
    export_cb, AVFS_CLI_READS },
  { NULL }
};
