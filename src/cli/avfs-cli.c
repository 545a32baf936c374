/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli: global flags, finding the command, per-command parsing, opening the vault. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "avfs-cli-private.h"
#include "avfs-config.h"
#include "avfs-path.h"
#include "avfs-storage-registry.h"

static const AvfsCliCommand *command_tables[] = {
  avfs_cli_vault_commands,
  avfs_cli_file_commands,
  avfs_cli_history_commands,
  avfs_cli_tag_commands,
  avfs_cli_snapshot_commands,
  avfs_cli_transfer_commands,
  avfs_cli_maintenance_commands,
  avfs_cli_search_commands,
};

static const AvfsCliCommand *
find_command (const char *word,
              const char *next_word,
              int        *words)
{
  g_autofree char *two = next_word != NULL ? g_strdup_printf ("%s %s", word, next_word) : NULL;

  for (guint t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const AvfsCliCommand *c = command_tables[t]; c->name != NULL; c++)
      {
        if (two != NULL && g_str_equal (c->name, two))
          {
            *words = 2;
            return c;
          }
        if (g_str_equal (c->name, word))
          {
            *words = 1;
            return c;
          }
      }
  return NULL;
}

/**
 * avfs_cli_is_command:
 *
 * Returns: whether @word starts a CLI command (so `avfs WORD …` is not the app)
 */
gboolean
avfs_cli_is_command (const char *word)
{
  int words;

  return find_command (word, NULL, &words) != NULL || g_str_equal (word, "vault") ||
         g_str_equal (word, "help") || g_str_has_prefix (word, "--version") ||
         g_str_equal (word, "--vault") || g_str_equal (word, "--json") ||
         g_str_equal (word, "-V");
}

static void
print_command_list (FILE *out)
{
  fprintf (out, "Usage: %s [--vault NAME|PATH] [--json] COMMAND [ARGS…]\n\n"
           "Keep a whole file tree, with every version, in one vault.\n\nCommands:\n",
           g_get_prgname ());
  for (guint t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const AvfsCliCommand *c = command_tables[t]; c->name != NULL; c++)
      fprintf (out, "  %-16s %s\n", c->name, c->summary);
  fprintf (out, "\nGlobal options (before or after the command):\n"
           "  --vault NAME|PATH  the vault to use (default: the current one, see “vault use”)\n"
           "  --json             print one JSON document on stdout\n"
           "  --version [--backends]  print the version [and the storage engines]\n\n"
           "“%s COMMAND --help” describes a command.\n", g_get_prgname ());
}

/**
 * avfs_cli_usage_error:
 * @message: what is wrong with the arguments
 *
 * Returns: %AVFS_CLI_USAGE, after telling the user how to call @command
 */
int
avfs_cli_usage_error (AvfsCli               *cli,
                      const AvfsCliCommand  *command,
                      const char            *message)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "error", "usage");
      avfs_cli_json_member_string (builder, "message", message);
      json_builder_end_object (builder);
      avfs_cli_print_json (cli, builder);
    }
  fprintf (stderr, "Error: %s\n", message);
  if (command != NULL)
    fprintf (stderr, "Usage: %s %s %s\nTry “%s %s --help”.\n", g_get_prgname (),
             command->name, command->parameters, g_get_prgname (), command->name);
  else
    fprintf (stderr, "Try “%s --help”.\n", g_get_prgname ());
  return AVFS_CLI_USAGE;
}

/**
 * avfs_cli_parse:
 * @entries: (nullable): the command's options
 * @argv: the command's arguments; on return only the positional ones are left after
 *   the name
 * @status: (out): the exit status when parsing ends the run (a usage error)
 *
 * Returns: %TRUE to go on with the command
 */
gboolean
avfs_cli_parse (AvfsCli               *cli,
                const AvfsCliCommand  *command,
                const GOptionEntry    *entries,
                char                 **argv,
                int                    min_args,
                int                    max_args,
                int                   *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (command->parameters);
  g_autoptr(GError) error = NULL;
  int positional;

  g_option_context_set_summary (context, command->summary);
  /* GOption's own --help exits the process, which would end the shell too. */
  g_option_context_set_help_enabled (context, FALSE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  for (guint i = 1; argv[i] != NULL && !g_str_equal (argv[i], "--"); i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
          g_autofree char *name = g_strdup_printf ("%s %s", g_get_prgname (), command->name);
          g_autofree char *fixed = NULL;
          g_auto(GStrv) parts = g_strsplit (help, g_get_prgname (), 2);

          /* The help names the program; name the command, as users type it. */
          fixed = g_strjoinv (name, parts);
          fputs (fixed, stdout);
          *status = AVFS_CLI_OK;
          return FALSE;
        }
    }
  if (!g_option_context_parse_strv (context, &argv, &error))
    {
      *status = avfs_cli_usage_error (cli, command, error->message);
      return FALSE;
    }
  positional = g_strv_length (argv) - 1;
  if (positional < min_args || (max_args >= 0 && positional > max_args))
    {
      *status = avfs_cli_usage_error (cli, command, positional < min_args
                                      ? "missing arguments" : "too many arguments");
      return FALSE;
    }
  return TRUE;
}

/**
 * avfs_cli_get_registry:
 *
 * Returns: (transfer none) (nullable): the registry of `$AVFS_HOME` (read once)
 */
AvfsRegistry *
avfs_cli_get_registry (AvfsCli  *cli,
                       GError  **error)
{
  if (cli->registry == NULL)
    cli->registry = avfs_registry_new (NULL, error);
  return cli->registry;
}

/* How long a command waits for a vault another process holds (RocksDB admits one
 * process), so `avfs-cli cat /a | avfs-cli write /b` works when the first finishes. */
#define LOCK_WAIT_US (10 * G_USEC_PER_SEC)
#define LOCK_RETRY_US (20 * 1000)

/**
 * avfs_cli_get_vault:
 *
 * Returns: (transfer none) (nullable): the vault named by --vault, else the current one
 */
AvfsVault *
avfs_cli_get_vault (AvfsCli  *cli,
                    GError  **error)
{
  AvfsRegistry *registry;
  g_autofree char *current = NULL;
  gint64 give_up = g_get_monotonic_time () + LOCK_WAIT_US;
  GError *local_error = NULL;

  if (cli->vault != NULL)
    return cli->vault;
  registry = avfs_cli_get_registry (cli, error);
  if (registry == NULL)
    return NULL;
  if (cli->vault_name == NULL)
    current = avfs_registry_get_current (registry);
  while ((cli->vault = avfs_registry_open (registry, cli->vault_name ? cli->vault_name : current,
                                           &local_error)) == NULL &&
         g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_LOCKED) &&
         g_get_monotonic_time () < give_up)
    {
      g_clear_error (&local_error);
      g_usleep (LOCK_RETRY_US);
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return cli->vault;
}

/**
 * avfs_cli_resolve_path:
 *
 * Returns: (transfer full) (nullable): @path made absolute against the working
 *   directory (the shell's `cd`) and normalised
 */
char *
avfs_cli_resolve_path (AvfsCli     *cli,
                       const char  *path,
                       GError     **error)
{
  return avfs_path_resolve (cli->cwd, path, error);
}

/* Takes --vault and --json out of @argv wherever they are, before a `--`. */
static gboolean
take_global_flags (AvfsCli  *cli,
                   int      *argc,
                   char    **argv,
                   GError  **error)
{
  int out = 1;

  for (int in = 1; in < *argc; in++)
    {
      const char *arg = argv[in];

      if (g_str_equal (arg, "--"))
        {
          while (in < *argc)
            argv[out++] = argv[in++];
          break;
        }
      if (g_str_equal (arg, "--json"))
        cli->json = TRUE;
      else if (g_str_has_prefix (arg, "--vault="))
        cli->vault_name = g_strdup (arg + strlen ("--vault="));
      else if (g_str_equal (arg, "--vault"))
        {
          if (++in == *argc)
            {
              g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                   "--vault needs a vault name or path");
              return FALSE;
            }
          g_free (cli->vault_name);
          cli->vault_name = g_strdup (argv[in]);
        }
      else
        argv[out++] = argv[in];
    }
  *argc = out;
  argv[out] = NULL;
  return TRUE;
}

static void
print_engines_text (void)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint i = 0; i < n; i++)
    {
      if (engines[i].available)
        printf ("%-8s available   %s\n", engines[i].name, engines[i].best_for);
      else
        printf ("%-8s unavailable %s\n", engines[i].name, engines[i].unavailable_reason);
    }
}

static int
print_version (AvfsCli  *cli,
               gboolean  with_backends)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  if (!cli->json)
    {
      printf ("avfs %s\n", AVFS_VERSION);
      if (with_backends)
        print_engines_text ();
      return AVFS_CLI_OK;
    }
  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "version", AVFS_VERSION);
  if (with_backends)
    {
      json_builder_set_member_name (builder, "backends");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          json_builder_begin_object (builder);
          avfs_cli_json_member_string (builder, "name", engines[i].name);
          avfs_cli_json_member_bool (builder, "available", engines[i].available);
          avfs_cli_json_member_string (builder, "reason", engines[i].unavailable_reason);
          avfs_cli_json_member_string (builder, "search", engines[i].search);
          avfs_cli_json_member_string (builder, "best_for", engines[i].best_for);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return avfs_cli_print_json (cli, builder);
}

/* `--version [--backends]`, `--help`, `help [COMMAND]`: everything before a command. */
static gboolean
run_program_flags (AvfsCli  *cli,
                   int       argc,
                   char    **argv,
                   int      *status)
{
  gboolean version = FALSE, backends = FALSE, help = FALSE;

  for (int i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      version |= g_str_equal (argv[i], "--version") || g_str_equal (argv[i], "-V");
      backends |= g_str_equal (argv[i], "--backends");
      help |= g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h");
      if (!g_str_equal (argv[i], "--version") && !g_str_equal (argv[i], "-V") &&
          !g_str_equal (argv[i], "--backends") && !g_str_equal (argv[i], "--help") &&
          !g_str_equal (argv[i], "-h"))
        {
          g_autofree char *message = g_strdup_printf ("unknown option %s", argv[i]);

          *status = avfs_cli_usage_error (cli, NULL, message);
          return TRUE;
        }
    }
  if (version)
    *status = print_version (cli, backends);
  else if (help || argc < 2 || g_str_equal (argv[1], "help"))
    {
      print_command_list (argc < 2 ? stderr : stdout);
      *status = argc < 2 ? AVFS_CLI_USAGE : AVFS_CLI_OK;
    }
  else
    return FALSE;
  return TRUE;
}

static void
avfs_cli_clear (AvfsCli *cli)
{
  if (cli->vault != NULL)
    avfs_vault_close (cli->vault, NULL);
  g_clear_object (&cli->vault);
  g_clear_object (&cli->registry);
  g_clear_pointer (&cli->vault_name, g_free);
  g_clear_pointer (&cli->cwd, g_free);
}

/**
 * avfs_cli_main:
 *
 * Runs one command line: `[--vault V] [--json] COMMAND [ARGS…]`.
 *
 * Returns: the exit status: 0 done, 1 failed, 2 bad usage
 */
int
avfs_cli_main (int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = g_new0 (char *, argc + 1);
  AvfsCli cli = { 0 };
  const AvfsCliCommand *command;
  int status = AVFS_CLI_OK;
  int words = 0;

  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  cli.interactive = isatty (STDOUT_FILENO);
  cli.color = cli.interactive && g_getenv ("NO_COLOR") == NULL;
  cli.cwd = g_strdup ("/");
  if (!take_global_flags (&cli, &argc, args, &error))
    status = avfs_cli_usage_error (&cli, NULL, error->message);
  else if (!run_program_flags (&cli, argc, args, &status))
    {
      command = find_command (args[1], argc > 2 ? args[2] : NULL, &words);
      if (command == NULL)
        {
          g_autofree char *message = g_strdup_printf ("unknown command “%s”", args[1]);

          status = avfs_cli_usage_error (&cli, NULL, message);
        }
      else
        {
          g_auto(GStrv) command_args = g_strdupv (args + words);

          status = command->func (&cli, command, command_args);
        }
    }
  avfs_cli_clear (&cli);
  return status;
}
