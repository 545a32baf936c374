/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli history commands: log, diff, checkout, revert. */
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-history.h"

static int
log_cb (AvfsCli               *cli,
        const AvfsCliCommand  *command,
        char                 **argv)
{
  gint limit = 0;
  const GOptionEntry options[] = {
    { "number", 'n', 0, G_OPTION_ARG_INT, &limit, N_("Show only the N newest versions"), "N" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *path = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  if (limit < 0)
    return avfs_cli_usage_error (cli, command, _("-n needs a positive number"));
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL || (versions = avfs_vault_log (vault, path, limit, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  json_builder_begin_array (builder);
  for (guint i = 0; i < versions->len; i++)
    {
      AvfsVersionInfo *version = g_ptr_array_index (versions, i);
      g_autofree char *time = avfs_cli_format_time (version->time_us);
      g_autofree char *iso = avfs_cli_format_iso_time (version->time_us);
      g_autofree char *size = g_format_size (version->size);

      if (!cli->json)
        printf ("v%-4u %s  %10s  %-8s%s\n", version->number, time, size, version->op,
                version->is_current ? _("  (current)") : "");
      json_builder_begin_object (builder);
      avfs_cli_json_member_int (builder, "version", version->number);
      avfs_cli_json_member_int (builder, "size", version->size);
      avfs_cli_json_member_string (builder, "time", iso);
      avfs_cli_json_member_string (builder, "op", version->op);
      avfs_cli_json_member_bool (builder, "current", version->is_current);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return cli->json ? avfs_cli_print_json (cli, builder) : AVFS_CLI_OK;
}

/* Prints a unified diff, removed lines red and added green on a colour terminal. */
static void
print_diff (AvfsCli    *cli,
            const char *diff)
{
  g_auto(GStrv) lines = g_strsplit (diff, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *color = NULL;

      if (lines[i + 1] == NULL && line[0] == '\0')
        break;
      if (cli->color && (g_str_has_prefix (line, "---") || g_str_has_prefix (line, "+++")))
        color = "\033[1m";
      else if (cli->color && line[0] == '-')
        color = "\033[31m";
      else if (cli->color && line[0] == '+')
        color = "\033[32m";
      else if (cli->color && line[0] == '@')
        color = "\033[36m";
      printf ("%s%s%s\n", color ? color : "", line, color ? "\033[0m" : "");
    }
}

static int
diff_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  gint v1 = 0, v2 = 0;
  const GOptionEntry options[] = {
    { "v1", 0, 0, G_OPTION_ARG_INT, &v1, N_("The old version (default: the one before the current)"), "N" },
    { "v2", 0, 0, G_OPTION_ARG_INT, &v2, N_("The new version (default: the current one)"), "N" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  g_autofree char *path_a = NULL;
  g_autofree char *path_b = NULL;
  g_autofree char *diff = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 2, &status))
    return status;
  if (v1 < 0 || v2 < 0)
    return avfs_cli_usage_error (cli, command, _("versions are numbered from 1"));
  vault = avfs_cli_open_path (cli, argv[1], &path_a, &error);
  if (vault == NULL ||
      (path_b = avfs_cli_resolve_path (cli, argv[2] != NULL ? argv[2] : argv[1], &error)) == NULL)
    return avfs_cli_fail (cli, error);
  /* One file and no versions: what its last change did. */
  if (argv[2] == NULL && v1 == 0 && v2 == 0)
    {
      info = avfs_vault_stat (vault, path_a, &error);
      if (info == NULL)
        return avfs_cli_fail (cli, error);
      v1 = info->version > 1 ? info->version - 1 : info->version;
    }
  diff = avfs_vault_diff (vault, path_a, v1, path_b, v2, &error);
  if (diff == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "path_a", path_a);
      avfs_cli_json_member_int (builder, "version_a", v1);
      avfs_cli_json_member_string (builder, "path_b", path_b);
      avfs_cli_json_member_int (builder, "version_b", v2);
      avfs_cli_json_member_bool (builder, "identical", diff[0] == '\0');
      avfs_cli_json_member_string (builder, "diff", diff);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  print_diff (cli, diff);
  return AVFS_CLI_OK;
}

/* Reports the version a checkout or revert appended. */
static int
print_new_version (AvfsCli    *cli,
                   const char *path,
                   guint32     version,
                   const char *what)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "path", path);
      avfs_cli_json_member_int (builder, "version", version);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  /* Translators: PATH: what happened, now version N */
  printf (_("%s: %s, now version %u\n"), path, what, version);
  return AVFS_CLI_OK;
}

static int
checkout_cb (AvfsCli               *cli,
             const AvfsCliCommand  *command,
             char                 **argv)
{
  gint number = 0;
  const GOptionEntry options[] = {
    { "version", 'v', 0, G_OPTION_ARG_INT, &number, N_("The version to bring back"), "N" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  AvfsVault *vault;
  guint32 version;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  if (number <= 0)
    return avfs_cli_usage_error (cli, command, _("give the version to check out with -v N"));
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL || (version = avfs_vault_checkout (vault, path, number, &error)) == 0)
    return avfs_cli_fail (cli, error);
  what = g_strdup_printf (_("content of version %d restored"), number);
  return print_new_version (cli, path, version, what);
}

static int
revert_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  AvfsVault *vault;
  guint32 version;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 1, 1, &status))
    return status;
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL || (version = avfs_vault_revert (vault, path, &error)) == 0)
    return avfs_cli_fail (cli, error);
  return print_new_version (cli, path, version, _("previous content restored"));
}

const AvfsCliCommand avfs_cli_history_commands[] = {
  { "log", "[-n N] PATH", N_("List a file's versions, newest first"), log_cb, AVFS_CLI_READS },
  { "diff", "PATH [PATH2] [--v1 N] [--v2 N]",
    N_("Show what changed between two versions (by default the last change)"),
    diff_cb, AVFS_CLI_READS },
  { "checkout", "PATH -v N", N_("Make version N's content the current one (a new version)"),
    checkout_cb },
  { "revert", "PATH", N_("Bring back the previous version's content (a new version)"), revert_cb },
  { NULL }
};
