/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the command files of avfs-cli share: the run's state, parsing, output, errors. */
#pragma once

#include "avfs-config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "avfs-cli.h"
#include "avfs-progress.h"
#include "avfs-registry.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

/* Exit statuses (shared/DESIGN.md §8). */
#define AVFS_CLI_OK 0
#define AVFS_CLI_ERROR 1
#define AVFS_CLI_USAGE 2

typedef struct _AvfsCli AvfsCli;
typedef struct _AvfsCliProgress AvfsCliProgress;
typedef struct _AvfsCliCommand AvfsCliCommand;

/* A command: parses its own arguments (@argv, a GStrv whose first element is the
 * command's name) with avfs_cli_parse() before anything else, does its work, prints,
 * and returns the exit status. */
typedef int (*AvfsCliFunc) (AvfsCli               *cli,
                            const AvfsCliCommand  *command,
                            char                 **argv);

/* What a command does with the vault. One that only reads opens it to read
 * (avfs_vault_open_to_read()): a RocksDB vault opens twice as fast, and also while
 * another process holds it. */
typedef enum
{
  AVFS_CLI_WRITES, /* or may write: the default */
  AVFS_CLI_READS,
} AvfsCliAccess;

struct _AvfsCliCommand
{
  const char *name;        /* as typed: "ls", "vault create" */
  const char *parameters;  /* after the name in usage lines: "[-l] [PATH]" */
  const char *summary;     /* one sentence for --help */
  AvfsCliFunc func;
  AvfsCliAccess access;
};

/* One run of a command (or one line of the shell). */
struct _AvfsCli
{
  char *vault_name;        /* --vault NAME|PATH, else the current vault */
  gboolean json;           /* --json */
  gboolean interactive;    /* stdout is a terminal */
  gboolean color;          /* a terminal, and NO_COLOR unset */
  AvfsRegistry *registry;
  AvfsVault *vault;        /* opened on first use */
  gboolean reads_only;     /* the command only reads: the vault is opened to read */
  char *cwd;               /* the shell's working directory, "/" otherwise */
  gboolean in_shell;       /* a line of `shell`: the registry and vault outlive it */
  GHashTable *describe_options; /* set: avfs_cli_parse() only records the options here */
};

/* The command tables, one per file. */
extern const AvfsCliCommand avfs_cli_file_commands[];
extern const AvfsCliCommand avfs_cli_vault_commands[];
extern const AvfsCliCommand avfs_cli_history_commands[];
extern const AvfsCliCommand avfs_cli_tag_commands[];
extern const AvfsCliCommand avfs_cli_snapshot_commands[];
extern const AvfsCliCommand avfs_cli_maintenance_commands[];
extern const AvfsCliCommand avfs_cli_transfer_commands[];
extern const AvfsCliCommand avfs_cli_search_commands[];
extern const AvfsCliCommand avfs_cli_shell_commands[];

/* avfs-cli.c */
const AvfsCliCommand * const *avfs_cli_get_command_tables (guint *n_tables);
const AvfsCliCommand *avfs_cli_find_command (const char     *word,
                                      const char            *next_word,
                                      int                   *words);
gboolean     avfs_cli_is_command_group (const char         *word);
void         avfs_cli_print_commands (FILE                  *out,
                                      const char            *prefix,
                                      const char            *except);
gboolean     avfs_cli_take_global_flags (AvfsCli            *cli,
                                      char                 **argv,
                                      GError               **error);
int          avfs_cli_run            (AvfsCli               *cli,
                                      char                 **args);
void         avfs_cli_release_vault  (AvfsVault             *vault);
gboolean     avfs_cli_parse          (AvfsCli               *cli,
                                      const AvfsCliCommand  *command,
                                      const GOptionEntry    *entries,
                                      char                 **argv,
                                      int                    min_args,
                                      int                    max_args,
                                      int                   *status);
int          avfs_cli_usage_error    (AvfsCli               *cli,
                                      const AvfsCliCommand  *command,
                                      const char            *message);
AvfsRegistry *avfs_cli_get_registry  (AvfsCli               *cli,
                                      GError               **error);
AvfsVault   *avfs_cli_get_vault      (AvfsCli               *cli,
                                      GError               **error);
char        *avfs_cli_resolve_path   (AvfsCli               *cli,
                                      const char            *path,
                                      GError               **error);

/* avfs-cli-files.c */
AvfsVault   *avfs_cli_open_path      (AvfsCli               *cli,
                                      const char            *arg,
                                      char                 **path,
                                      GError               **error);

/* avfs-cli-output.c */
void         avfs_cli_print_error    (const char            *message);
int          avfs_cli_fail           (AvfsCli               *cli,
                                      GError                *error);
int          avfs_cli_print_json     (AvfsCli               *cli,
                                      JsonBuilder           *builder);
void         avfs_cli_json_file_info (JsonBuilder           *builder,
                                      const AvfsFileInfo    *info);
char        *avfs_cli_format_time    (gint64                 time_us);
char        *avfs_cli_format_iso_time (gint64                time_us);
void         avfs_cli_json_member_string (JsonBuilder       *builder,
                                      const char            *name,
                                      const char            *value);
void         avfs_cli_json_member_int (JsonBuilder          *builder,
                                      const char            *name,
                                      gint64                 value);
void         avfs_cli_json_member_bool (JsonBuilder         *builder,
                                      const char            *name,
                                      gboolean               value);
void         avfs_cli_json_collections (JsonBuilder         *builder,
                                      const AvfsStorageStats *stats);
int          avfs_cli_print_done     (AvfsCli               *cli,
                                      const char            *path,
                                      const char            *text_format,
                                      ...) G_GNUC_PRINTF (3, 4);

/* avfs-cli-progress.c */
AvfsCliProgress *avfs_cli_progress_new  (AvfsCli            *cli);
void         avfs_cli_progress_cb    (const AvfsProgress    *figures,
                                      gpointer               user_data);
void         avfs_cli_progress_free  (AvfsCliProgress       *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsCliProgress, avfs_cli_progress_free)

G_END_DECLS
