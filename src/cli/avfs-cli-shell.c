/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli shell: a REPL that runs the commands in one process on one open vault, with
 * cd/pwd, readline history and completion of commands, options, vault names and paths. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "avfs-cli-private.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-snapshots.h"

#define HISTORY_LINES 1000

/* The shell's state. Its AvfsCli comes first, so a builtin finds its shell from the
 * AvfsCli it is given. Between lines cli.vault_name is the shell's vault and cli.vault
 * that vault, kept open. */
typedef struct
{
  AvfsCli cli;
  char *vault_name;     /* `shell --vault`, else the current vault; `vault use` changes it */
  gboolean json;        /* `--json shell`: every line prints JSON */
  char *previous_cwd;   /* for `cd -` */
  char *history_file;   /* NULL when the input is not a terminal */
  GHashTable *options;  /* AvfsCliCommand → (spelling → takes a value), for completion */
  gboolean done;        /* exit, quit */
} AvfsShell;

#define SHELL_OF(cli) ((AvfsShell *) (cli))

/* ─── Builtins ────────────────────────────────────────────────────────────────────── */

static int
cd_cb (AvfsCli               *cli,
       const AvfsCliCommand  *command,
       char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  g_autofree char *path = NULL;
  const char *target;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 1, &status))
    return status;
  if (g_strcmp0 (cli->vault_name, SHELL_OF (cli)->vault_name) != 0)
    return avfs_cli_usage_error (cli, command,
                                 _("cd moves in the shell's vault; change vaults with “vault use NAME”"));
  target = argv[1] != NULL ? argv[1] : "/";
  if (g_str_equal (target, "-") && SHELL_OF (cli)->previous_cwd != NULL)
    target = SHELL_OF (cli)->previous_cwd;
  else if (g_str_equal (target, "-"))
    target = cli->cwd;
  vault = avfs_cli_open_path (cli, target, &path, &error);
  if (vault == NULL || (info = avfs_vault_stat (vault, path, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (info->kind != AVFS_NODE_KIND_DIRECTORY)
    {
      g_set_error (&error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                   /* Translators: keep the path first: --json reads it from there */
                   _("%s: not a directory"), path);
      return avfs_cli_fail (cli, error);
    }
  g_free (SHELL_OF (cli)->previous_cwd);
  SHELL_OF (cli)->previous_cwd = g_steal_pointer (&cli->cwd);
  cli->cwd = g_steal_pointer (&path);
  return avfs_cli_print_done (cli, cli->cwd, NULL);
}

static int
pwd_cb (AvfsCli               *cli,
        const AvfsCliCommand  *command,
        char                 **argv)
{
  g_autoptr(JsonBuilder) builder = NULL;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 0, &status))
    return status;
  if (!cli->json)
    {
      printf ("%s\n", cli->cwd);
      return AVFS_CLI_OK;
    }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "path", cli->cwd);
  json_builder_end_object (builder);
  return avfs_cli_print_json (cli, builder);
}

static int
exit_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 0, &status))
    return status;
  SHELL_OF (cli)->done = TRUE;
  return AVFS_CLI_OK;
}

static int help_cb (AvfsCli               *cli,
                    const AvfsCliCommand  *command,
                    char                 **argv);

static const AvfsCliCommand shell_builtins[] = {
  { "cd", "[PATH | -]", N_("Change the working directory (/ without PATH, - for the previous one)"),
    cd_cb },
  { "pwd", "", N_("Print the working directory"), pwd_cb },
  { "help", "[COMMAND]", N_("List the commands, or describe one"), help_cb },
  { "exit", "", N_("Leave the shell (so do “quit” and Ctrl-D)"), exit_cb },
  { "quit", "", N_("Leave the shell"), exit_cb },
  { NULL }
};

static const AvfsCliCommand *
find_builtin (const char *word)
{
  for (const AvfsCliCommand *b = shell_builtins; b->name != NULL; b++)
    if (g_str_equal (b->name, word))
      return b;
  return NULL;
}

static void
print_shell_help (void)
{
  printf ("%s", _("Every command runs as it does from a shell prompt, on this shell's vault, with\n"
                 "paths relative to the working directory. --vault NAME|PATH and --json on a line\n"
                 "apply to that line only.\n\nCommands:\n"));
  avfs_cli_print_commands (stdout, "", "shell");
  printf ("\n%s\n", _("Shell commands:"));
  for (const AvfsCliCommand *b = shell_builtins; b->name != NULL; b++)
    printf ("  %-16s %s\n", b->name, _(b->summary));
  printf ("\n%s", _("“help COMMAND” describes a command. TAB completes commands, options, vault\n"
                   "names and paths.\n"));
}

static int
help_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  const AvfsCliCommand *builtin;
  g_autofree char *message = NULL;
  int status;
  int words;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 2, &status))
    return status;
  if (argv[1] == NULL)
    {
      print_shell_help ();
      return AVFS_CLI_OK;
    }
  if ((builtin = find_builtin (argv[1])) != NULL && argv[2] == NULL)
    {
      g_auto(GStrv) help = g_new0 (char *, 3);

      help[0] = g_strdup (argv[1]);
      help[1] = g_strdup ("--help");
      return builtin->func (cli, builtin, help);
    }
  if (avfs_cli_find_command (argv[1], argv[2], &words) != NULL &&
      (argv[2] == NULL || words == 2))
    {
      g_auto(GStrv) help = g_new0 (char *, 5);

      help[0] = g_strdup (g_get_prgname ());
      help[1] = g_strdup (argv[1]);
      help[2] = g_strdup (words == 2 ? argv[2] : "--help");
      help[3] = words == 2 ? g_strdup ("--help") : NULL;
      return avfs_cli_run (cli, help);
    }
  if (avfs_cli_is_command_group (argv[1]) && argv[2] == NULL)
    {
      g_autofree char *prefix = g_strconcat (argv[1], " ", NULL);

      avfs_cli_print_commands (stdout, prefix, "shell");
      return AVFS_CLI_OK;
    }
  message = g_strdup_printf (_("no command “%s%s%s”"), argv[1], argv[2] ? " " : "",
                             argv[2] ? argv[2] : "");
  return avfs_cli_usage_error (cli, NULL, message);
}

/* ─── Running a line ──────────────────────────────────────────────────────────────── */

/* `vault use NAME` succeeded: the shell moves to NAME, at its root. */
static void
follow_vault_use (AvfsShell  *shell,
                  char      **args)
{
  for (guint i = 3; args[i] != NULL; i++)
    if (args[i][0] != '-')
      {
        g_free (shell->vault_name);
        shell->vault_name = g_strdup (args[i]);
        g_free (shell->cli.cwd);
        shell->cli.cwd = g_strdup ("/");
        g_clear_pointer (&shell->previous_cwd, g_free);
        return;
      }
}

static gboolean
is_vault_use (char **args)
{
  return g_strcmp0 (args[1], "vault") == 0 && g_strcmp0 (args[2], "use") == 0;
}

/* `vault use NAME` on a memory vault makes it the shell's vault, but not the current
 * one: that would outlive the vault, which ends with the shell. */
static gboolean
names_memory_vault (AvfsShell  *shell,
                    char      **args)
{
  g_autoptr(AvfsVaultEntry) entry = NULL;

  if (args[3] == NULL || args[3][0] == '-' || args[4] != NULL)
    return FALSE;
  entry = avfs_registry_info (shell->cli.registry, args[3], NULL);
  return entry != NULL && entry->path == NULL;
}

/* Runs @args (the program's name, then the line's words) as from a shell prompt. A line
 * that names a vault (--vault, or a `vault …` command) runs with the shell's vault
 * closed, so no vault is open twice in the process, and closes what it opened. */
static void
run_args (AvfsShell  *shell,
          char      **args)
{
  g_autoptr(GError) error = NULL;
  AvfsCli *cli = &shell->cli;
  const AvfsCliCommand *builtin;
  gboolean own_vault;
  int status;

  g_clear_pointer (&cli->vault_name, g_free);
  if (!avfs_cli_take_global_flags (cli, args, &error))
    {
      avfs_cli_usage_error (cli, NULL, error->message);
      return;
    }
  own_vault = cli->vault_name == NULL && g_strcmp0 (args[1], "vault") != 0;
  if (cli->vault_name == NULL)
    cli->vault_name = g_strdup (shell->vault_name);
  if (!own_vault)
    g_clear_pointer (&cli->vault, avfs_cli_release_vault);
  builtin = args[1] != NULL ? find_builtin (args[1]) : NULL;
  if (builtin != NULL)
    {
      g_auto(GStrv) builtin_args = g_strdupv (args + 1);

      status = builtin->func (cli, builtin, builtin_args);
    }
  else if (is_vault_use (args) && names_memory_vault (shell, args))
    status = avfs_cli_print_done (cli, NULL, _("Now using vault “%s” in this shell "
                                               "(a memory vault ends with it)"), args[3]);
  else
    status = avfs_cli_run (cli, args);
  if (!own_vault)
    g_clear_pointer (&cli->vault, avfs_cli_release_vault);
  if (status == AVFS_CLI_OK && is_vault_use (args))
    follow_vault_use (shell, args);
}

/* Splits @line like a POSIX shell and runs it; afterwards the per-line flags are gone. */
static void
run_line (AvfsShell  *shell,
          const char *line)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) args = NULL;
  guint n;

  if (!g_shell_parse_argv (line, NULL, &words, &error))
    {
      if (!g_error_matches (error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
        avfs_cli_usage_error (&shell->cli, NULL, error->message);
      return;
    }
  n = g_strv_length (words);
  args = g_new0 (char *, n + 2);
  args[0] = g_strdup (g_get_prgname ());
  memcpy (args + 1, words, n * sizeof (char *));
  g_free (g_steal_pointer (&words));
  shell->cli.json = shell->json;
  run_args (shell, args);
  shell->cli.json = shell->json;
  g_free (shell->cli.vault_name);
  shell->cli.vault_name = g_strdup (shell->vault_name);
  fflush (stdout);
}

/* ─── Completion ──────────────────────────────────────────────────────────────────── */

/* readline's callbacks take no user data: the shell whose line is being completed, and
 * what the match generator offers (already quoted as the line needs). */
static AvfsShell *completing_shell;
static GPtrArray *completion_candidates;

typedef enum
{
  ARG_NONE,
  ARG_COMMAND,
  ARG_VAULT_PATH,
  ARG_DIRECTORY,
  ARG_HOST_PATH,
  ARG_VAULT_NAME,
  ARG_SNAPSHOT,
  ARG_ENGINE,
} ArgKind;

static char *
candidate_generator_cb (const char *text,
                        int         state)
{
  static guint next;
  size_t len = strlen (text);

  if (state == 0)
    next = 0;
  while (completion_candidates != NULL && next < completion_candidates->len)
    {
      const char *candidate = g_ptr_array_index (completion_candidates, next++);

      if (strncmp (candidate, text, len) == 0)
        return strdup (candidate);
    }
  return NULL;
}

/* Outside quotes, a candidate needs backslashes before what would split or quote it. */
static void
add_candidate (const char *candidate)
{
  GString *quoted;

  if (rl_completion_quote_character != 0)
    {
      g_ptr_array_add (completion_candidates, g_strdup (candidate));
      return;
    }
  quoted = g_string_new (NULL);
  for (const char *p = candidate; *p != '\0'; p++)
    {
      if (strchr (" \t\n\\\"'#", *p) != NULL)
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_ptr_array_add (completion_candidates, g_string_free (quoted, FALSE));
}

/* The word being completed without its quoting (readline has left out an opening quote). */
static char *
unquote_word (const char *text)
{
  GString *plain = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0' && rl_completion_quote_character != '\'')
        p++;
      g_string_append_c (plain, *p);
    }
  return g_string_free (plain, FALSE);
}

/* Command names, or with @group the second words of `GROUP …` commands. */
static void
add_command_candidates (const char *group)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *prefix = group != NULL ? g_strconcat (group, " ", NULL) : NULL;
  guint n_tables;
  const AvfsCliCommand * const *tables = avfs_cli_get_command_tables (&n_tables);

  for (guint t = 0; t < n_tables; t++)
    for (const AvfsCliCommand *c = tables[t]; c->name != NULL; c++)
      {
        const char *word;
        char *name;

        if ((prefix != NULL && !g_str_has_prefix (c->name, prefix)) ||
            g_str_equal (c->name, "shell"))
          continue;
        word = prefix != NULL ? c->name + strlen (prefix) : c->name;
        name = g_strndup (word, strcspn (word, " "));
        if (g_hash_table_add (seen, name))
          add_candidate (name);
      }
  for (const AvfsCliCommand *b = shell_builtins; group == NULL && b->name != NULL; b++)
    add_candidate (b->name);
}

/* The entries of the directory the word names so far, as the word would continue. */
static void
add_path_candidates (AvfsShell  *shell,
                     const char *text,
                     gboolean    directories_only)
{
  g_autofree char *word = unquote_word (text);
  const char *slash = strrchr (word, '/');
  g_autofree char *typed_dir = slash != NULL ? g_strndup (word, slash - word + 1) : g_strdup ("");
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  AvfsVault *vault = avfs_cli_get_vault (&shell->cli, NULL);

  if (vault == NULL ||
      (dir = avfs_cli_resolve_path (&shell->cli, typed_dir[0] ? typed_dir : ".", NULL)) == NULL ||
      (entries = avfs_vault_list (vault, dir, NULL)) == NULL)
    return;
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsFileInfo *info = g_ptr_array_index (entries, i);
      gboolean is_dir = info->kind == AVFS_NODE_KIND_DIRECTORY;
      g_autofree char *candidate = NULL;

      if (directories_only && !is_dir)
        continue;
      candidate = g_strconcat (typed_dir, info->name, is_dir ? "/" : "", NULL);
      add_candidate (candidate);
    }
}

static void
add_name_candidates (AvfsShell *shell,
                     ArgKind    kind)
{
  g_autoptr(GPtrArray) list = NULL;
  AvfsVault *vault;
  guint n;

  if (kind == ARG_ENGINE)
    {
      const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

      for (guint i = 0; i < n; i++)
        if (engines[i].available)
          add_candidate (engines[i].name);
    }
  else if (kind == ARG_VAULT_NAME &&
           (list = avfs_registry_list (shell->cli.registry, NULL)) != NULL)
    {
      for (guint i = 0; i < list->len; i++)
        add_candidate (((AvfsVaultEntry *) g_ptr_array_index (list, i))->name);
    }
  else if (kind == ARG_SNAPSHOT && (vault = avfs_cli_get_vault (&shell->cli, NULL)) != NULL &&
           (list = avfs_vault_snapshot_list (vault, NULL)) != NULL)
    {
      for (guint i = 0; i < list->len; i++)
        add_candidate (((AvfsSnapshotInfo *) g_ptr_array_index (list, i))->name);
    }
}

/* A command's options (spelling → whether it takes a value), learnt by running it with
 * describe_options set: avfs_cli_parse() records them and ends it before any work. */
static GHashTable *
command_options (AvfsShell            *shell,
                 const AvfsCliCommand *command)
{
  GHashTable *options = g_hash_table_lookup (shell->options, command);
  g_auto(GStrv) argv = NULL;
  AvfsCli probe = { 0 };

  if (options != NULL)
    return options;
  options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  argv = g_new0 (char *, 2);
  argv[0] = g_strdup (command->name);
  probe.describe_options = options;
  command->func (&probe, command, argv);
  g_clear_pointer (&probe.vault, avfs_cli_release_vault);
  g_clear_object (&probe.registry);
  g_free (probe.vault_name);
  g_free (probe.cwd);
  g_hash_table_insert (shell->options, (gpointer) command, options);
  return options;
}

/* What an option's value is, by the option's name. */
static ArgKind
option_value_kind (const char *option)
{
  if (g_str_equal (option, "--vault"))
    return ARG_VAULT_NAME;
  if (g_str_equal (option, "--backend") || g_str_equal (option, "-b") ||
      g_str_equal (option, "--to"))
    return ARG_ENGINE;
  if (g_str_equal (option, "--output"))
    return ARG_HOST_PATH;
  return ARG_NONE;
}

/* What a placeholder of a command's usage line (PATH, HOSTPATH, NAME…) stands for. */
static ArgKind
placeholder_kind (const AvfsCliCommand *command,
                  const char           *placeholder)
{
  g_autofree char *name = g_strndup (placeholder, strcspn (placeholder, "…"));
  const char * const vault_paths[] = { "PATH", "PATH2", "VPATH", "SOURCE", "DESTINATION", NULL };

  if (g_str_equal (command->name, "cd"))
    return ARG_DIRECTORY;
  if (g_strv_contains (vault_paths, name))
    return ARG_VAULT_PATH;
  if (g_str_equal (name, "HOSTPATH"))
    return ARG_HOST_PATH;
  if (g_str_equal (name, "NAME") && g_str_has_prefix (command->name, "vault "))
    return ARG_VAULT_NAME;
  if (g_str_equal (name, "NAME") && g_str_has_prefix (command->name, "snapshot "))
    return ARG_SNAPSHOT;
  return ARG_NONE;
}

/* What the @index-th positional argument of @command is, from its usage line. */
static ArgKind
positional_kind (const AvfsCliCommand *command,
                 GHashTable           *options,
                 guint                 index)
{
  g_auto(GStrv) tokens = g_strsplit_set (command->parameters, " []", -1);
  g_autoptr(GPtrArray) placeholders = g_ptr_array_new ();
  gboolean skip_value = FALSE;
  const char *last;

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      if (tokens[i][0] == '\0' || g_str_equal (tokens[i], "|"))
        continue;
      if (skip_value)
        skip_value = FALSE;
      else if (tokens[i][0] == '-')
        skip_value = GPOINTER_TO_INT (g_hash_table_lookup (options, tokens[i]));
      else
        g_ptr_array_add (placeholders, tokens[i]);
    }
  if (index < placeholders->len)
    return placeholder_kind (command, g_ptr_array_index (placeholders, index));
  last = placeholders->len > 0 ? g_ptr_array_index (placeholders, placeholders->len - 1) : NULL;
  return last != NULL && g_str_has_suffix (last, "…") ? placeholder_kind (command, last)
                                                       : ARG_NONE;
}

/* The kind of the argument after @args (a command's arguments so far). */
static ArgKind
argument_kind (const AvfsCliCommand  *command,
               GHashTable            *options,
               char                 **args)
{
  guint positional = 0;
  gboolean after_dashes = FALSE;

  for (guint i = 0; args[i] != NULL; i++)
    {
      gboolean takes_value = GPOINTER_TO_INT (g_hash_table_lookup (options, args[i]));

      if (after_dashes || args[i][0] != '-' || g_str_equal (args[i], "-"))
        positional++;
      else if (g_str_equal (args[i], "--"))
        after_dashes = TRUE;
      else if (takes_value && args[i + 1] == NULL)
        return option_value_kind (args[i]);
      else if (takes_value)
        i++;
    }
  return positional_kind (command, options, positional);
}

/* The words before the one being completed, without the global flags. With --vault as
 * the last of them, *@vault_value is set: its value is being completed. */
static GPtrArray *
words_before (int       start,
              gboolean *vault_value)
{
  g_autofree char *before = NULL;
  g_auto(GStrv) parsed = NULL;
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);

  /* Inside quotes, the word starts after its opening quote. */
  if (rl_completion_quote_character != 0 && start > 0 &&
      rl_line_buffer[start - 1] == rl_completion_quote_character)
    start--;
  before = g_strndup (rl_line_buffer, start);
  *vault_value = FALSE;
  if (!g_shell_parse_argv (before, NULL, &parsed, NULL))
    {
      g_strfreev (parsed);
      parsed = g_strsplit_set (before, " \t", -1);
    }
  for (guint i = 0; parsed[i] != NULL; i++)
    {
      if (parsed[i][0] == '\0' || g_str_equal (parsed[i], "--json") ||
          g_str_has_prefix (parsed[i], "--vault="))
        continue;
      if (g_str_equal (parsed[i], "--vault"))
        {
          *vault_value = parsed[i + 1] == NULL;
          i += parsed[i + 1] != NULL;
          continue;
        }
      g_ptr_array_add (words, g_strdup (parsed[i]));
    }
  g_ptr_array_add (words, NULL);
  return words;
}

/* Fills the candidates for the word after @words (ended by NULL), or returns the kind
 * of argument it is for the caller to fill. */
static ArgKind
find_candidates (AvfsShell   *shell,
                 char       **words,
                 const char  *text)
{
  gboolean help = words[0] != NULL && g_str_equal (words[0], "help");
  char **name = help ? words + 1 : words;
  const AvfsCliCommand *command = NULL;
  GHashTable *options;
  int used = 1;

  if (name[0] == NULL || (name[1] == NULL && avfs_cli_is_command_group (name[0])))
    {
      add_command_candidates (name[0]);
      return ARG_COMMAND;
    }
  if (help ||
      ((command = find_builtin (name[0])) == NULL &&
       (command = avfs_cli_find_command (name[0], name[1], &used)) == NULL))
    return ARG_NONE;
  options = command_options (shell, command);
  if (text[0] == '-')
    {
      GHashTableIter iter;
      const char *option;

      g_hash_table_iter_init (&iter, options);
      while (g_hash_table_iter_next (&iter, (gpointer *) &option, NULL))
        add_candidate (option);
      add_candidate ("--json");
      add_candidate ("--vault");
      return ARG_NONE;
    }
  return argument_kind (command, options, name + used);
}

static char **
complete_cb (const char *text,
             int         start,
             int         end)
{
  AvfsShell *shell = completing_shell;
  g_autoptr(GPtrArray) words = NULL;
  gboolean vault_value;
  ArgKind kind;
  char **matches;

  rl_attempted_completion_over = 1;
  completion_candidates = g_ptr_array_new_with_free_func (g_free);
  words = words_before (start, &vault_value);
  kind = vault_value ? ARG_VAULT_NAME : find_candidates (shell, (char **) words->pdata, text);
  if (kind == ARG_VAULT_PATH || kind == ARG_DIRECTORY)
    add_path_candidates (shell, text, kind == ARG_DIRECTORY);
  else if (kind == ARG_VAULT_NAME || kind == ARG_SNAPSHOT || kind == ARG_ENGINE)
    add_name_candidates (shell, kind);
  /* Host paths: readline's own file name completion. */
  rl_attempted_completion_over = kind != ARG_HOST_PATH;
  matches = kind == ARG_HOST_PATH ? NULL : rl_completion_matches (text, candidate_generator_cb);
  /* A directory goes on being typed: no space (or closing quote) after it. */
  if (matches != NULL && matches[1] == NULL && g_str_has_suffix (matches[0], "/"))
    rl_completion_suppress_append = rl_completion_suppress_quote = 1;
  g_clear_pointer (&completion_candidates, g_ptr_array_unref);
  return matches;
}

/* A backslash-escaped character does not end a word. */
static int
char_is_quoted_cb (char *line,
                   int   index)
{
  int backslashes = 0;

  while (index - backslashes > 0 && line[index - backslashes - 1] == '\\')
    backslashes++;
  return backslashes % 2 == 1;
}

/* ─── Reading lines ───────────────────────────────────────────────────────────────── */

/* Ctrl-C at the prompt drops the line being typed, as in bash. (During a command it
 * ends the program: the command runs in this process.) */
static void
sigint_at_prompt_cb (int signum)
{
  rl_crlf ();
  rl_on_new_line ();
  rl_replace_line ("", 0);
  rl_redisplay ();
}

static char *
read_interactive_line (AvfsShell *shell)
{
  g_autofree char *prompt = g_strdup_printf ("avfs %s:%s> ", shell->vault_name != NULL
                                             ? shell->vault_name : _("(no vault)"),
                                             shell->cli.cwd);
  struct sigaction action = { .sa_handler = sigint_at_prompt_cb, .sa_flags = SA_RESTART };
  struct sigaction previous;
  char *line;

  fflush (stdout);
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, &previous);
  completing_shell = shell;
  line = readline (prompt);
  completing_shell = NULL;
  sigaction (SIGINT, &previous, NULL);
  return line;
}

/* A line of a script on stdin, read a byte at a time so that a command reading stdin
 * (`write PATH` without CONTENT) gets what follows its line, as in sh. */
static char *
read_script_line (void)
{
  GString *line = g_string_new (NULL);
  ssize_t n;
  char c;

  while ((n = read (STDIN_FILENO, &c, 1)) == 1 || (n < 0 && errno == EINTR))
    {
      if (n == 1 && c == '\n')
        return g_string_free (line, FALSE);
      if (n == 1)
        g_string_append_c (line, c);
    }
  if (line->len > 0)
    return g_string_free (line, FALSE);
  g_string_free (line, TRUE);
  return NULL;
}

/* ─── History ─────────────────────────────────────────────────────────────────────── */

static void
load_history (AvfsShell *shell)
{
  shell->history_file = g_build_filename (avfs_registry_get_home (shell->cli.registry),
                                          "history", NULL);
  using_history ();
  stifle_history (HISTORY_LINES);
  read_history (shell->history_file);
}

/* Adds @line to the history, and to its file at once (a crash keeps it). Lines that
 * start with a space stay out, as with bash's ignorespace. */
static void
remember_line (AvfsShell  *shell,
               const char *line)
{
  HIST_ENTRY *last = history_length > 0 ? history_get (history_base + history_length - 1) : NULL;
  g_autofree char *home = g_path_get_dirname (shell->history_file);

  if (line[0] == '\0' || g_ascii_isspace (line[0]) ||
      (last != NULL && g_str_equal (last->line, line)))
    return;
  add_history (line);
  if (g_mkdir_with_parents (home, 0700) != 0)
    return;
  if (g_file_test (shell->history_file, G_FILE_TEST_EXISTS))
    append_history (1, shell->history_file);
  else
    write_history (shell->history_file);
}

/* ─── The shell ───────────────────────────────────────────────────────────────────── */

static void
setup_readline (void)
{
  rl_readline_name = "avfs";
  rl_outstream = stderr;
  rl_catch_signals = 0;
  rl_attempted_completion_function = complete_cb;
  rl_basic_word_break_characters = " \t\n";
  rl_completer_quote_characters = "\"'";
  rl_char_is_quoted_p = char_is_quoted_cb;
}

static void
run_interactive (AvfsShell *shell)
{
  setup_readline ();
  load_history (shell);
  while (!shell->done)
    {
      char *line = read_interactive_line (shell);

      if (line == NULL)
        {
          fputc ('\n', rl_outstream);
          break;
        }
      remember_line (shell, line);
      run_line (shell, line);
      free (line);
    }
  history_truncate_file (shell->history_file, HISTORY_LINES);
}

static void
run_script (AvfsShell *shell)
{
  while (!shell->done)
    {
      g_autofree char *line = read_script_line ();

      if (line == NULL)
        break;
      run_line (shell, line);
    }
}

static void
shell_clear (AvfsShell *shell)
{
  g_clear_pointer (&shell->cli.vault, avfs_cli_release_vault);
  g_clear_object (&shell->cli.registry);
  g_clear_pointer (&shell->cli.vault_name, g_free);
  g_clear_pointer (&shell->cli.cwd, g_free);
  g_clear_pointer (&shell->vault_name, g_free);
  g_clear_pointer (&shell->previous_cwd, g_free);
  g_clear_pointer (&shell->history_file, g_free);
  g_clear_pointer (&shell->options, g_hash_table_unref);
}

static int
shell_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  g_autoptr(GError) error = NULL;
  AvfsShell shell = { { 0 } };
  AvfsRegistry *registry;
  int status;

  if (!avfs_cli_parse (cli, command, NULL, argv, 0, 0, &status))
    return status;
  if (cli->in_shell)
    return avfs_cli_usage_error (cli, command, _("this is the shell already"));
  registry = avfs_cli_get_registry (cli, &error);
  if (registry == NULL)
    return avfs_cli_fail (cli, error);
  shell.cli.interactive = cli->interactive;
  shell.cli.color = cli->color;
  shell.cli.registry = g_object_ref (registry);
  shell.cli.in_shell = TRUE;
  shell.cli.cwd = g_strdup ("/");
  shell.json = cli->json;
  shell.vault_name = cli->vault_name != NULL ? g_strdup (cli->vault_name)
                                             : avfs_registry_get_current (registry);
  shell.cli.vault_name = g_strdup (shell.vault_name);
  shell.options = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_hash_table_unref);
  if (isatty (STDIN_FILENO))
    run_interactive (&shell);
  else
    run_script (&shell);
  shell_clear (&shell);
  return AVFS_CLI_OK;
}

const AvfsCliCommand avfs_cli_shell_commands[] = {
  { "shell", "", N_("Work in a vault interactively: cd, pwd, relative paths, history, completion"),
    shell_cb },
  { NULL }
};
