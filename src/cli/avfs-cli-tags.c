/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli tags and metadata: tag, untag, tags, meta. */
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-tags.h"

typedef gboolean (*TagFunc) (AvfsVault   *vault,
                             const char  *path,
                             const char  *tag,
                             GError     **error);

/* tag and untag: PATH TAG… */
static int
change_tags (AvfsCli               *cli,
             const AvfsCliCommand  *command,
             char                 **argv,
             TagFunc                func)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 2, -1, &status))
    return status;
  /* Every tag is checked first, so that a bad one in the list changes nothing. */
  for (guint i = 2; argv[i] != NULL; i++)
    if (!avfs_vault_check_tag (argv[i], &error))
      return avfs_cli_fail (cli, error);
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  for (guint i = 2; argv[i] != NULL; i++)
    if (!func (vault, path, argv[i], &error))
      return avfs_cli_fail (cli, error);
  return avfs_cli_print_done (cli, path, NULL);
}

static int
tag_cb (AvfsCli               *cli,
        const AvfsCliCommand  *command,
        char                 **argv)
{
  return change_tags (cli, command, argv, avfs_vault_tag_add);
}

static int
untag_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  return change_tags (cli, command, argv, avfs_vault_tag_remove);
}

static int
print_all_tags (AvfsCli    *cli,
                AvfsVault  *vault)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) counts = avfs_vault_tags_all (vault, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (counts == NULL)
    return avfs_cli_fail (cli, error);
  json_builder_begin_array (builder);
  for (guint i = 0; i < counts->len; i++)
    {
      AvfsTagCount *count = g_ptr_array_index (counts, i);

      if (!cli->json)
        printf ("%-24s %" G_GUINT64_FORMAT "\n", count->tag, count->count);
      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "tag", count->tag);
      avfs_cli_json_member_int (builder, "count", count->count);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return cli->json ? avfs_cli_print_json (cli, builder) : AVFS_CLI_OK;
}

/* Prints a list of strings, one per line, or as a JSON array. */
static int
print_strings (AvfsCli            *cli,
               const char * const *strings)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; strings[i] != NULL; i++)
    {
      if (!cli->json)
        printf ("%s\n", strings[i]);
      json_builder_add_string_value (builder, strings[i]);
    }
  json_builder_end_array (builder);
  return cli->json ? avfs_cli_print_json (cli, builder) : AVFS_CLI_OK;
}

static int
tags_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;
  g_autofree char *path = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 1, &status))
    return status;
  if (argv[1] == NULL)
    {
      vault = avfs_cli_get_vault (cli, &error);
      return vault != NULL ? print_all_tags (cli, vault) : avfs_cli_fail (cli, error);
    }
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL || (tags = avfs_vault_tags_list (vault, path, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  return print_strings (cli, (const char * const *) tags);
}

static int
print_meta_list (AvfsCli     *cli,
                 AvfsVault   *vault,
                 const char  *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = avfs_vault_meta_list (vault, path, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (entries == NULL)
    return avfs_cli_fail (cli, error);
  json_builder_begin_object (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsMetaEntry *entry = g_ptr_array_index (entries, i);

      if (!cli->json)
        printf ("%s=%s\n", entry->key, entry->value);
      avfs_cli_json_member_string (builder, entry->key, entry->value);
    }
  json_builder_end_object (builder);
  return cli->json ? avfs_cli_print_json (cli, builder) : AVFS_CLI_OK;
}

static int
meta_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autofree char *delete_key = NULL;
  const GOptionEntry options[] = {
    { "delete", 'd', 0, G_OPTION_ARG_STRING, &delete_key, N_("Delete the key KEY"), "KEY" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *value = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 3, &status))
    return status;
  if (delete_key != NULL && argv[2] != NULL)
    return avfs_cli_usage_error (cli, command, _("-d takes the key alone"));
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  if (delete_key != NULL)
    return avfs_vault_meta_delete (vault, path, delete_key, &error)
           ? avfs_cli_print_done (cli, path, NULL) : avfs_cli_fail (cli, error);
  if (argv[2] == NULL)
    return print_meta_list (cli, vault, path);
  if (argv[3] != NULL)
    return avfs_vault_meta_set (vault, path, argv[2], argv[3], &error)
           ? avfs_cli_print_done (cli, path, NULL) : avfs_cli_fail (cli, error);
  value = avfs_vault_meta_get (vault, path, argv[2], &error);
  if (value == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "path", path);
      avfs_cli_json_member_string (builder, "key", argv[2]);
      avfs_cli_json_member_string (builder, "value", value);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  printf ("%s\n", value);
  return AVFS_CLI_OK;
}

const AvfsCliCommand avfs_cli_tag_commands[] = {
  { "tag", "PATH TAG…", N_("Tag a file or directory"), tag_cb },
  { "untag", "PATH TAG…", N_("Remove tags"), untag_cb },
  { "tags", "[PATH]", N_("List a path's tags, or every tag with its count"),
    tags_cb, AVFS_CLI_READS },
  { "meta", "PATH [KEY [VALUE]] [-d KEY]",
    N_("List, get, set (KEY VALUE) or delete (-d KEY) a path's metadata"), meta_cb },
  { NULL }
};
