/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli: global flags, finding the command, per-command parsing, opening the vault. */
#include <glib/gi18n.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "avfs-cli-private.h"
#include "avfs-config.h"
#include "avfs-path.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-search.h"

static const AvfsCliCommand *command_tables[] = {
  avfs_cli_vault_commands,
  avfs_cli_file_commands,
  avfs_cli_history_commands,
  avfs_cli_tag_commands,
  avfs_cli_snapshot_commands,
  avfs_cli_transfer_commands,
  avfs_cli_maintenance_commands,
  avfs_cli_search_commands,
  avfs_cli_shell_commands,
};

/**
 * avfs_cli_get_command_tables:
 * @n_tables: (out): how many tables there are
 *
 * Returns: (transfer none): the command tables, each ended by a %NULL name
 */
const AvfsCliCommand * const *
avfs_cli_get_command_tables (guint *n_tables)
{
  *n_tables = G_N_ELEMENTS (command_tables);
  return command_tables;
}

/**
 * avfs_cli_find_command:
 * @next_word: (nullable): the word after @word, for two-word commands (`vault create`)
 * @words: (out): how many words the command's name took
 *
 * Returns: (nullable): the command @word (and @next_word) name
 */
const AvfsCliCommand *
avfs_cli_find_command (const char *word,
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
 * avfs_cli_is_command_group:
 *
 * Returns: whether @word starts two-word commands, such as `vault` or `snapshot`
 */
gboolean
avfs_cli_is_command_group (const char *word)
{
  g_autofree char *prefix = g_strconcat (word, " ", NULL);

  for (guint t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const AvfsCliCommand *c = command_tables[t]; c->name != NULL; c++)
      if (g_str_has_prefix (c->name, prefix))
        return TRUE;
  return FALSE;
}

/**
 * avfs_cli_print_commands:
 * @prefix: "" for every command, "vault " for those of a group
 * @except: (nullable): a command to leave out
 *
 * Prints the commands whose name starts with @prefix, with their summaries.
 */
void
avfs_cli_print_commands (FILE       *out,
                         const char *prefix,
                         const char *except)
{
  for (guint t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const AvfsCliCommand *c = command_tables[t]; c->name != NULL; c++)
      if (g_str_has_prefix (c->name, prefix) && g_strcmp0 (c->name, except) != 0)
        fprintf (out, "  %-16s %s\n", c->name, _(c->summary));
}

/**
 * avfs_cli_init_process:
 *
 * What both programs set up first: messages in the system's language (LANG,
 * LC_MESSAGES, LANGUAGE), and memory given back as soon as it is freed. glibc otherwise
 * raises its threshold for handing large blocks straight back to the kernel after the
 * first one is freed, and then keeps the 1 MiB chunk buffers that imports, migrations
 * and big files go through in its heaps: tens of MB of resident memory that nothing
 * uses (tests/test-memory-bounds.sh).
 */
void
avfs_cli_init_process (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  mallopt (M_MMAP_THRESHOLD, 256 * 1024);
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

  return avfs_cli_find_command (word, NULL, &words) != NULL || g_str_equal (word, "vault") ||
         g_str_equal (word, "help") || g_str_has_prefix (word, "--version") ||
         g_str_equal (word, "--vault") || g_str_equal (word, "--json") ||
         g_str_equal (word, "-V");
}

static void
print_command_list (FILE *out)
{
  fprintf (out, _("Usage: %s [--vault NAME|PATH] [--json] COMMAND [ARGS…]\n\n"
                  "Keep a whole file tree, with every version, in one vault.\n\nCommands:\n"),
           g_get_prgname ());
  avfs_cli_print_commands (out, "", NULL);
  fprintf (out, _("\nGlobal options (before or after the command):\n"
                  "  --vault NAME|PATH  the vault to use (default: the current one, see “vault use”)\n"
                  "  --json             print one JSON document on stdout\n"
                  "  --version [--backends]  print the version [and the storage engines]\n\n"
                  "“%s COMMAND --help” describes a command.\n"), g_get_prgname ());
}

/* The error, as JSON too with --json. */
static void
print_usage_error (AvfsCli    *cli,
                   const char *message)
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
  avfs_cli_print_error (message);
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
  print_usage_error (cli, message);
  if (command != NULL)
    fprintf (stderr, _("Usage: %s %s %s\nTry “%s %s --help”.\n"), g_get_prgname (),
             command->name, command->parameters, g_get_prgname (), command->name);
  else
    fprintf (stderr, _("Try “%s --help”.\n"), g_get_prgname ());
  return AVFS_CLI_USAGE;
}

/* Records each option's spellings ("--long", "-s") and whether it takes a value. */
static void
describe_options (GHashTable         *options,
                  const GOptionEntry *entries)
{
  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    {
      gpointer takes_value = GINT_TO_POINTER (e->arg != G_OPTION_ARG_NONE);

      g_hash_table_insert (options, g_strconcat ("--", e->long_name, NULL), takes_value);
      if (e->short_name != 0)
        g_hash_table_insert (options, g_strdup_printf ("-%c", e->short_name), takes_value);
    }
  g_hash_table_insert (options, g_strdup ("--help"), GINT_TO_POINTER (FALSE));
}

/* GOption leaves the `--` that ends the options in place when an argument after it
 * starts with `-`; the commands want only their arguments. */
static gboolean
separator_stays (char **argv)
{
  gboolean after = FALSE;

  for (guint i = 1; argv[i] != NULL; i++)
    {
      if (after && argv[i][0] == '-')
        return TRUE;
      after = after || g_str_equal (argv[i], "--");
    }
  return FALSE;
}

static void
drop_separator (char **argv)
{
  for (guint i = 1; argv[i] != NULL; i++)
    if (g_str_equal (argv[i], "--"))
      {
        g_free (argv[i]);
        for (guint j = i; argv[j] != NULL; j++)
          argv[j] = argv[j + 1];
        return;
      }
}

/* GOption says only “Invalid byte sequence in conversion input” for an option value
 * that is not UTF-8: name the option instead. */
static char *
describe_parse_error (char   **argv,
                      GError  *error)
{
  if (error->domain != G_CONVERT_ERROR)
    return g_strdup (error->message);
  for (guint i = 1; argv[i] != NULL; i++)
    {
      const char *equals = strchr (argv[i], '=');
      g_autofree char *option = NULL;

      if (g_utf8_validate (argv[i], -1, NULL))
        continue;
      if (argv[i][0] == '-' && equals != NULL)
        option = g_strndup (argv[i], equals - argv[i]);
      else if (i > 1 && argv[i - 1][0] == '-')
        option = g_strdup (argv[i - 1]);
      if (option != NULL && g_utf8_validate (option, -1, NULL))
        return g_strdup_printf (_("The value of %s is not valid UTF-8 text"), option);
    }
  return g_strdup (_("An option's value is not valid UTF-8 text"));
}

/**
 * avfs_cli_parse:
 * @entries: (nullable): the command's options
 * @argv: the command's arguments; on return only the positional ones are left after
 *   the name
 * @status: (out): the exit status when parsing ends the run (a usage error)
 *
 * Every command calls this before doing anything else (as `--help` needs). When
 * @cli->describe_options is set, it only records @entries there and ends the command:
 * that is how the shell learns a command's options for completion.
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
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean drop;
  int positional;

  if (cli->describe_options != NULL)
    {
      describe_options (cli->describe_options, entries);
      *status = AVFS_CLI_OK;
      return FALSE;
    }
  context = g_option_context_new (command->parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(command->summary));
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
  drop = separator_stays (argv);
  if (!g_option_context_parse_strv (context, &argv, &error))
    {
      g_autofree char *message = describe_parse_error (argv, error);

      *status = avfs_cli_usage_error (cli, command, message);
      return FALSE;
    }
  if (drop)
    drop_separator (argv);
  positional = g_strv_length (argv) - 1;
  if (positional < min_args || (max_args >= 0 && positional > max_args))
    {
      *status = avfs_cli_usage_error (cli, command, positional < min_args
                                      ? _("missing arguments") : _("too many arguments"));
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

/* Opens the vault to read and write, waiting for a RocksDB vault another process holds
 * (see LOCK_WAIT_US) when @wait is set; else in one attempt. */
static AvfsVault *
open_to_write (AvfsRegistry *registry,
               const char   *name,
               gboolean      wait,
               GError      **error)
{
  gint64 give_up = g_get_monotonic_time () + (wait ? LOCK_WAIT_US : 0);
  GError *local_error = NULL;
  AvfsVault *vault;

  while ((vault = avfs_registry_open (registry, name, &local_error)) == NULL &&
         g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_LOCKED) &&
         g_get_monotonic_time () < give_up)
    {
      g_clear_error (&local_error);
      g_usleep (LOCK_RETRY_US);
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return vault;
}

/* Opens the vault to read. Its searches would miss what a search queue left by a crash
 * holds, which only an open to write applies: then it is opened to write, if no other
 * process holds it (that one applies the queue). A memory vault (no path) is this
 * process's own, opened as it is, and never closed here. */
static AvfsVault *
open_to_read (AvfsRegistry *registry,
              const char   *name,
              GError      **error)
{
  g_autoptr(AvfsVault) vault = avfs_registry_open_to_read (registry, name, error);
  gboolean has_queue = FALSE;
  AvfsVault *writable;

  if (vault == NULL || !avfs_vault_search_has_queue (vault, &has_queue, error))
    return NULL;
  if (!has_queue || avfs_vault_get_path (vault) == NULL)
    return g_steal_pointer (&vault);
  avfs_vault_close (vault, NULL);
  writable = open_to_write (registry, name, FALSE, NULL);
  return writable != NULL ? writable : avfs_registry_open_to_read (registry, name, error);
}

/**
 * avfs_cli_get_vault:
 *
 * Opens the vault named by --vault, else the current one, on first use: to read when
 * the command only reads (and this is not a line of the shell, whose vault serves every
 * command), else to read and write.
 *
 * Returns: (transfer none) (nullable): the vault
 */
AvfsVault *
avfs_cli_get_vault (AvfsCli  *cli,
                    GError  **error)
{
  AvfsRegistry *registry;
  g_autofree char *current = NULL;
  const char *name;

  if (cli->vault != NULL)
    return cli->vault;
  registry = avfs_cli_get_registry (cli, error);
  if (registry == NULL)
    return NULL;
  if (cli->vault_name == NULL)
    current = avfs_registry_get_current (registry);
  name = cli->vault_name != NULL ? cli->vault_name : current;
  if (cli->reads_only && !cli->in_shell)
    cli->vault = open_to_read (registry, name, error);
  else
    cli->vault = open_to_write (registry, name, TRUE, error);
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

/**
 * avfs_cli_take_global_flags:
 * @argv: (inout): a GStrv: the program's name, then the arguments
 *
 * Takes --vault and --json out of @argv wherever they are before a `--`, into @cli,
 * freeing what it takes out.
 *
 * Returns: %FALSE if --vault lacks its value
 */
gboolean
avfs_cli_take_global_flags (AvfsCli  *cli,
                            char    **argv,
                            GError  **error)
{
  int argc = g_strv_length (argv);
  gboolean ok = TRUE;
  int out = 1;
  int in;

  for (in = 1; in < argc && !g_str_equal (argv[in], "--"); in++)
    {
      char *arg = argv[in];

      if (g_str_equal (arg, "--json"))
        cli->json = TRUE;
      else if (g_str_has_prefix (arg, "--vault="))
        {
          g_free (cli->vault_name);
          cli->vault_name = g_strdup (arg + strlen ("--vault="));
        }
      else if (g_str_equal (arg, "--vault") && in + 1 < argc)
        {
          g_free (cli->vault_name);
          cli->vault_name = g_steal_pointer (&argv[++in]);
        }
      else if (g_str_equal (arg, "--vault"))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "--vault needs a vault name or path");
          ok = FALSE;
        }
      else
        {
          argv[out++] = arg;
          continue;
        }
      g_free (arg);
    }
  while (in < argc)
    argv[out++] = argv[in++];
  argv[out] = NULL;
  return ok;
}

static void
print_engines_text (void)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint i = 0; i < n; i++)
    {
      if (engines[i].available)
        /* Translators: keep "available" and "unavailable" padded to the same width */
        printf (_("%-8s available   %s\n"), engines[i].name, engines[i].best_for);
      else
        printf (_("%-8s unavailable %s\n"), engines[i].name, engines[i].unavailable_reason);
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
          g_autofree char *message = g_strdup_printf (_("unknown option %s"), argv[i]);

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

/**
 * avfs_cli_release_vault:
 * @vault: (transfer full) (nullable): a vault the CLI opened
 *
 * Closes @vault, unless the registry holds it (a memory vault: closing would end it
 * while the process, the shell, still has a use for it), and drops the reference.
 */
void
avfs_cli_release_vault (AvfsVault *vault)
{
  if (vault == NULL)
    return;
  if (avfs_vault_get_path (vault) != NULL)
    avfs_vault_close (vault, NULL);
  g_object_unref (vault);
}

static void
avfs_cli_clear (AvfsCli *cli)
{
  g_clear_pointer (&cli->vault, avfs_cli_release_vault);
  g_clear_object (&cli->registry);
  g_clear_pointer (&cli->vault_name, g_free);
  g_clear_pointer (&cli->cwd, g_free);
}

/* `vault` or `snapshot` without one of its commands: the group's commands, on stdout
 * for --help, else on stderr after the error. */
static int
run_command_group (AvfsCli    *cli,
                   const char *group,
                   const char *next)
{
  g_autofree char *prefix = g_strconcat (group, " ", NULL);
  gboolean help = g_strcmp0 (next, "--help") == 0 || g_strcmp0 (next, "-h") == 0;
  FILE *out = help ? stdout : stderr;

  if (!help)
    {
      g_autofree char *message = next == NULL
                                 ? g_strdup_printf (_("“%s” needs a command"), group)
                                 : g_strdup_printf (_("no command “%s %s”"), group, next);
      print_usage_error (cli, message);
    }
  fprintf (out, _("Usage: %s %s COMMAND [ARGS…]\n\nCommands:\n"), g_get_prgname (), group);
  avfs_cli_print_commands (out, prefix, NULL);
  return help ? AVFS_CLI_OK : AVFS_CLI_USAGE;
}

/**
 * avfs_cli_run:
 * @args: the program's name, then `COMMAND [ARGS…]` (or the program's own flags),
 *   with the global flags already taken out (avfs_cli_take_global_flags())
 *
 * Runs one command line on @cli, which keeps what it opened (the registry, the vault).
 *
 * Returns: the exit status: 0 done, 1 failed, 2 bad usage
 */
int
avfs_cli_run (AvfsCli  *cli,
              char    **args)
{
  g_auto(GStrv) command_args = NULL;
  const AvfsCliCommand *command;
  int argc = g_strv_length (args);
  int status = AVFS_CLI_OK;
  int words = 0;

  /* `help COMMAND…` is `COMMAND… --help`. */
  if (argc > 2 && g_str_equal (args[1], "help"))
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) help_args = NULL;

      g_strv_builder_add (builder, args[0]);
      g_strv_builder_addv (builder, (const char **) args + 2);
      g_strv_builder_add (builder, "--help");
      help_args = g_strv_builder_end (builder);
      return avfs_cli_run (cli, help_args);
    }
  if (run_program_flags (cli, argc, args, &status))
    return status;
  command = avfs_cli_find_command (args[1], argc > 2 ? args[2] : NULL, &words);
  if (command == NULL && avfs_cli_is_command_group (args[1]))
    return run_command_group (cli, args[1], args[2]);
  if (command == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("unknown command “%s”"), args[1]);

      return avfs_cli_usage_error (cli, NULL, message);
    }
  command_args = g_strdupv (args + words);
  cli->reads_only = command->access == AVFS_CLI_READS;
  return command->func (cli, command, command_args);
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
  int status;

  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  cli.interactive = isatty (STDOUT_FILENO);
  cli.color = cli.interactive && g_getenv ("NO_COLOR") == NULL;
  cli.cwd = g_strdup ("/");
  if (avfs_cli_take_global_flags (&cli, args, &error))
    status = avfs_cli_run (&cli, args);
  else
    status = avfs_cli_usage_error (&cli, NULL, error->message);
  avfs_cli_clear (&cli);
  return status;
}
