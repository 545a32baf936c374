/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli vault commands: create, list, use, info, delete. */
#include <stdio.h>

#include "avfs-cli-private.h"

static int
create_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  g_autofree char *backend = NULL;
  const GOptionEntry options[] = {
    { "backend", 'b', 0, G_OPTION_ARG_STRING, &backend,
      "Storage engine: sqlite (default), lmdb, rocksdb or memory", "ENGINE" },
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
    fprintf (stderr, "Note: a memory vault lasts only as long as the program that made it; "
             "this one is gone when this command ends. Use “%s shell” to work in one.\n",
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
  printf ("Created vault “%s” (%s)%s%s\n", argv[1], engine,
          avfs_vault_get_path (vault) != NULL ? " at " : "",
          avfs_vault_get_path (vault) != NULL ? avfs_vault_get_path (vault) : "");
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
    printf ("No vaults yet. Create one with “%s vault create NAME”.\n", g_get_prgname ());
  for (guint i = 0; i < entries->len; i++)
    width = MAX (width, (int) strlen (((AvfsVaultEntry *) g_ptr_array_index (entries, i))->name));
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsVaultEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *size = g_format_size (entry->disk_bytes);

      printf ("%s %-*s  %-7s  %9s  %s\n", entry->is_current ? "*" : " ", width, entry->name,
              entry->engine, size, entry->path != NULL ? entry->path : "(in memory)");
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
  return avfs_cli_print_done (cli, NULL, "Now using vault “%s”", argv[1]);
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
  AvfsVaultSettings settings;
  AvfsRegistry *registry;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 1, &status))
    return status;
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL)
    return avfs_cli_fail (cli, error);
  name = chosen_vault_name (cli, registry, argv[1]);
  if (name == NULL)
    return avfs_cli_usage_error (cli, command, "no vault given and none is current; "
                                 "name one, or pick one with “vault use NAME”");
  if ((entry = avfs_registry_info (registry, name, &error)) == NULL ||
      (vault = avfs_registry_open (registry, name, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  avfs_vault_get_settings (vault, &settings);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_entry (builder, entry);
      avfs_cli_json_member_string (builder, "uuid", avfs_vault_get_uuid (vault));
      avfs_cli_json_member_int (builder, "chunk_size", settings.chunk_size);
      avfs_cli_json_member_int (builder, "compression_level", settings.compression_level);
      json_builder_end_object (builder);
      avfs_cli_release_vault (g_steal_pointer (&vault));
      return avfs_cli_print_json (cli, builder);
    }
  size = g_format_size (entry->disk_bytes);
  printf ("       Name: %s%s\n    Backend: %s\n       Path: %s\n    On disk: %s\n"
          "       UUID: %s\n Chunk size: %u bytes\nCompression: zstd level %d\n",
          entry->name, entry->is_current ? " (current)" : "", entry->engine,
          entry->path != NULL ? entry->path : "(in memory)", size,
          avfs_vault_get_uuid (vault), settings.chunk_size, settings.compression_level);
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
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, "Really delete: the vault cannot be recovered", NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  AvfsRegistry *registry;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  if (!yes)
    return avfs_cli_usage_error (cli, command,
                                 "deleting a vault cannot be undone; add -y to confirm");
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL || !avfs_registry_delete (registry, argv[1], &error))
    return avfs_cli_fail (cli, error);
  return avfs_cli_print_done (cli, NULL, "Deleted vault “%s”", argv[1]);
}

const AvfsCliCommand avfs_cli_vault_commands[] = {
  { "vault create", "NAME [--backend ENGINE]", "Create a vault", create_cb },
  { "vault list", "", "List the vaults; * marks the current one", list_cb },
  { "vault use", "NAME", "Make NAME the current vault", use_cb },
  { "vault info", "[NAME]", "Show a vault's engine, location and settings", info_cb },
  { "vault delete", "NAME -y", "Delete a vault for good", delete_cb },
  { NULL }
};
