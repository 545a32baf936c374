/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli finding things: find (by name, type, size, tag, metadata) and grep. */
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-find.h"

/* --size [+|-]N[k|M|G]: at least (+), at most (-) or exactly N bytes. */
static gboolean
parse_size (const char *text,
            gint64     *min_size,
            gint64     *max_size)
{
  char sign = text[0] == '+' || text[0] == '-' ? text[0] : '=';
  const char *digits = sign == '=' ? text : text + 1;
  char *end = NULL;
  guint64 value = g_ascii_strtoull (digits, &end, 10);
  guint64 unit = 1;

  if (end == digits)
    return FALSE;
  if (*end == 'k' || *end == 'K')
    unit = 1024;
  else if (*end == 'M')
    unit = 1024 * 1024;
  else if (*end == 'G')
    unit = 1024 * 1024 * 1024;
  if (unit > 1)
    end++;
  if (*end != '\0' || value > G_MAXINT64 / unit)
    return FALSE;
  value *= unit;
  if (sign != '-')
    *min_size = value;
  if (sign != '+')
    *max_size = value;
  return TRUE;
}

static int
find_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autofree char *name = NULL, *type = NULL, *size = NULL, *tag = NULL, *meta = NULL;
  gint limit = 0;
  const GOptionEntry options[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Names matching a shell pattern", "GLOB" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, "f for files, d for directories", "f|d" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Size at least (+N), at most (-N) or exactly N; k, M, G suffixes", "[+-]N" },
    { "tag", 0, 0, G_OPTION_ARG_STRING, &tag, "Carrying this tag", "TAG" },
    { "meta", 0, 0, G_OPTION_ARG_STRING, &meta, "With metadata KEY (=VALUE)", "KEY[=VALUE]" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N results (default: all)", "N" },
    { NULL }
  };
  AvfsFindQuery query = AVFS_FIND_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *path = NULL;
  g_autofree char *meta_key = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 1, &status))
    return status;
  if (type != NULL && !g_str_equal (type, "f") && !g_str_equal (type, "d"))
    return avfs_cli_usage_error (cli, command, "--type takes f (files) or d (directories)");
  if (size != NULL && !parse_size (size, &query.min_size, &query.max_size))
    return avfs_cli_usage_error (cli, command, "--size takes [+-]N with an optional k, M or G");
  if (limit < 0)
    return avfs_cli_usage_error (cli, command, "--limit takes a positive number");
  query.name_glob = name;
  query.kind = type == NULL ? 0 : type[0] == 'f' ? AVFS_NODE_KIND_FILE : AVFS_NODE_KIND_DIRECTORY;
  query.tag = tag;
  query.limit = limit;
  if (meta != NULL)
    {
      char *equals = strchr (meta, '=');

      meta_key = equals != NULL ? g_strndup (meta, equals - meta) : g_strdup (meta);
      query.meta_key = meta_key;
      query.meta_value = equals != NULL ? equals + 1 : NULL;
    }
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL || (found = avfs_vault_find (vault, path, &query, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  json_builder_begin_array (builder);
  for (guint i = 0; i < found->len; i++)
    {
      AvfsFileInfo *info = g_ptr_array_index (found, i);

      if (cli->json)
        avfs_cli_json_file_info (builder, info);
      else
        printf ("%s%s\n", info->path, info->kind == AVFS_NODE_KIND_DIRECTORY ? "/" : "");
    }
  json_builder_end_array (builder);
  return cli->json ? avfs_cli_print_json (cli, builder) : AVFS_CLI_OK;
}

typedef struct
{
  AvfsCli *cli;
  gboolean line_numbers;
  gboolean files_only;
  gboolean count;
  JsonBuilder *builder;
  char *count_path;    /* -c: the file being counted */
  guint count_value;
  guint matches;
} Grep;

static void
flush_count (Grep *grep)
{
  if (grep->count_path == NULL)
    return;
  if (grep->cli->json)
    {
      json_builder_begin_object (grep->builder);
      avfs_cli_json_member_string (grep->builder, "path", grep->count_path);
      avfs_cli_json_member_int (grep->builder, "count", grep->count_value);
      json_builder_end_object (grep->builder);
    }
  else
    printf ("%s:%u\n", grep->count_path, grep->count_value);
  g_clear_pointer (&grep->count_path, g_free);
  grep->count_value = 0;
}

static gboolean
grep_match_cb (const char *path,
               guint       line_number,
               const char *line,
               gpointer    user_data)
{
  Grep *grep = user_data;
  const char *color = grep->cli->color ? "\033[35m" : "";
  const char *reset = grep->cli->color ? "\033[0m" : "";

  grep->matches++;
  if (grep->count)
    {
      if (g_strcmp0 (grep->count_path, path) != 0)
        {
          flush_count (grep);
          grep->count_path = g_strdup (path);
        }
      grep->count_value++;
      return TRUE;
    }
  if (grep->cli->json)
    {
      if (grep->files_only)
        json_builder_add_string_value (grep->builder, path);
      else
        {
          json_builder_begin_object (grep->builder);
          avfs_cli_json_member_string (grep->builder, "path", path);
          avfs_cli_json_member_int (grep->builder, "line", line_number);
          avfs_cli_json_member_string (grep->builder, "text", line);
          json_builder_end_object (grep->builder);
        }
    }
  else if (grep->files_only)
    printf ("%s%s%s\n", color, path, reset);
  else if (grep->line_numbers)
    printf ("%s%s%s:%u:%s\n", color, path, reset, line_number, line);
  else
    printf ("%s%s%s:%s\n", color, path, reset, line);
  return !grep->files_only;
}

static int
grep_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  Grep grep = { cli };
  gboolean ignore_case = FALSE;
  const GOptionEntry options[] = {
    { "ignore-case", 'i', 0, G_OPTION_ARG_NONE, &ignore_case, "Ignore case", NULL },
    { "line-number", 'n', 0, G_OPTION_ARG_NONE, &grep.line_numbers, "Show line numbers", NULL },
    { "files-with-matches", 'l', 0, G_OPTION_ARG_NONE, &grep.files_only, "Show only file names", NULL },
    { "count", 'c', 0, G_OPTION_ARG_NONE, &grep.count, "Show how many lines match per file", NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *path = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 2, &status))
    return status;
  vault = avfs_cli_open_path (cli, argv[2], &path, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  grep.builder = builder;
  json_builder_begin_array (builder);
  if (!avfs_vault_grep (vault, argv[1], path, ignore_case, grep_match_cb, &grep, NULL, &error))
    {
      g_free (grep.count_path);
      return avfs_cli_fail (cli, error);
    }
  flush_count (&grep);
  json_builder_end_array (builder);
  if (cli->json)
    avfs_cli_print_json (cli, builder);
  /* Like grep(1): nothing found is exit status 1. */
  return grep.matches > 0 ? AVFS_CLI_OK : AVFS_CLI_ERROR;
}

const AvfsCliCommand avfs_cli_search_commands[] = {
  { "find", "[PATH] [--name GLOB] [--type f|d] [--size [+-]N] [--tag TAG] [--meta K[=V]] [--limit N]",
    "List paths below PATH that match every condition given", find_cb },
  { "grep", "[-i] [-n] [-l] [-c] PATTERN [PATH]",
    "Print lines of text files matching a regular expression", grep_cb },
  { NULL }
};
