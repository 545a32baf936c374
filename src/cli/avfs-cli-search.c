/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli finding things: search (the full-text index), find (by name, type, size,
 * tag, metadata) and grep. */
#include <stdio.h>

#include "avfs-cli-private.h"
#include "avfs-vault-find.h"
#include "avfs-vault-search.h"

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
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Names matching a shell pattern"), "GLOB" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("f for files, d for directories"), "f|d" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, N_("Size at least (+N), at most (-N) or exactly N; k, M, G suffixes"), "[+-]N" },
    { "tag", 0, 0, G_OPTION_ARG_STRING, &tag, N_("Carrying this tag"), "TAG" },
    { "meta", 0, 0, G_OPTION_ARG_STRING, &meta, N_("With metadata KEY (=VALUE)"), "KEY[=VALUE]" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most N results (default: all)"), "N" },
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
    return avfs_cli_usage_error (cli, command, _("--type takes f (files) or d (directories)"));
  if (size != NULL && !parse_size (size, &query.min_size, &query.max_size))
    return avfs_cli_usage_error (cli, command, _("--size takes [+-]N with an optional k, M or G"));
  if (limit < 0)
    return avfs_cli_usage_error (cli, command, _("--limit takes a positive number"));
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
    { "ignore-case", 'i', 0, G_OPTION_ARG_NONE, &ignore_case, N_("Ignore case"), NULL },
    { "line-number", 'n', 0, G_OPTION_ARG_NONE, &grep.line_numbers, N_("Show line numbers"), NULL },
    { "files-with-matches", 'l', 0, G_OPTION_ARG_NONE, &grep.files_only, N_("Show only file names"), NULL },
    { "count", 'c', 0, G_OPTION_ARG_NONE, &grep.count, N_("Show how many lines match per file"), NULL },
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

/* Marks as [[start, end], …]. */
static void
add_marks (JsonBuilder  *builder,
           const char   *name,
           const GArray *marks)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; marks != NULL && i < marks->len; i++)
    {
      const AvfsSearchMark *mark = &g_array_index (marks, AvfsSearchMark, i);

      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, mark->start);
      json_builder_add_int_value (builder, mark->end);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
}

static void
add_hit (JsonBuilder         *builder,
         const AvfsSearchHit *hit)
{
  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "path", hit->path);
  json_builder_set_member_name (builder, "score");
  json_builder_add_double_value (builder, hit->score);
  avfs_cli_json_member_string (builder, "snippet", hit->snippet);
  add_marks (builder, "marks", hit->marks);
  add_marks (builder, "path_marks", hit->path_marks);
  json_builder_end_object (builder);
}

static int
print_results_json (AvfsCli                  *cli,
                    AvfsVault                *vault,
                    const char               *query,
                    const AvfsSearchResults  *results)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "query", query);
  avfs_cli_json_member_string (builder, "engine", avfs_vault_search_get_engine_name (vault));
  avfs_cli_json_member_int (builder, "total", results->total);
  json_builder_set_member_name (builder, "took_ms");
  json_builder_add_double_value (builder, results->took_ms);
  json_builder_set_member_name (builder, "hits");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->hits->len; i++)
    add_hit (builder, g_ptr_array_index (results->hits, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return avfs_cli_print_json (cli, builder);
}

/* Each hit: its path, then its snippet indented; matched words bold on a terminal. */
static void
print_results_text (AvfsCli                  *cli,
                    const AvfsSearchResults  *results,
                    guint                     offset)
{
  const char *bold = cli->color ? "\033[1m" : "";
  const char *plain = cli->color ? "\033[0m" : "";

  for (guint i = 0; i < results->hits->len; i++)
    {
      AvfsSearchHit *hit = g_ptr_array_index (results->hits, i);
      g_autofree char *path = avfs_search_mark_up (hit->path, hit->path_marks, bold, plain,
                                                   FALSE);

      printf ("%s\n", path);
      if (hit->snippet != NULL && hit->snippet[0] != '\0')
        {
          g_autofree char *snippet = avfs_search_mark_up (hit->snippet, hit->marks, bold,
                                                          plain, FALSE);

          printf ("    %s\n", snippet);
        }
    }
  /* The tally is for people; piped output stays one path (and snippet) per hit. */
  if (cli->interactive)
    printf (_("%u–%u of %llu files · %.1f ms\n"),
            results->hits->len > 0 ? offset + 1 : 0, offset + results->hits->len,
            (unsigned long long) results->total, results->took_ms);
}

static gboolean
parse_fields (const char       *text,
              AvfsSearchField  *fields,
              GError          **error)
{
  g_auto(GStrv) names = g_strsplit (text, ",", -1);

  *fields = 0;
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], "content"))
        *fields |= AVFS_SEARCH_FIELD_CONTENT;
      else if (g_str_equal (names[i], "path"))
        *fields |= AVFS_SEARCH_FIELD_PATH;
      else if (g_str_equal (names[i], "name"))
        *fields |= AVFS_SEARCH_FIELD_NAME;
      else
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                       _("Unknown search field “%s”; use content, path and/or name, "
                         "separated by commas"), names[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static int
search_cb (AvfsCli               *cli,
           const AvfsCliCommand  *command,
           char                 **argv)
{
  gboolean rebuild = FALSE;
  gint limit = AVFS_SEARCH_DEFAULT_LIMIT, offset = 0;
  g_autofree char *fields = NULL;
  const GOptionEntry options[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N hits (default 20)"), "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Skip the N best hits first"), "N" },
    { "fields", 0, 0, G_OPTION_ARG_STRING, &fields, N_("Where plain words look (default: content,path,name)"), "LIST" },
    { "rebuild", 0, 0, G_OPTION_ARG_NONE, &rebuild, N_("Rebuild the index from every file first"), NULL },
    { NULL }
  };
  AvfsSearchOptions search_options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(AvfsSearchResults) results = NULL;
  g_autoptr(GError) error = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 1, &status))
    return status;
  if (argv[1] == NULL && !rebuild)
    return avfs_cli_usage_error (cli, command, _("Give a query, or --rebuild"));
  if (limit < 0 || offset < 0)
    return avfs_cli_usage_error (cli, command, _("--limit and --offset take numbers ≥ 0"));
  search_options.limit = limit;
  search_options.offset = offset;
  /* An unknown field is a bad option value, like a bad --limit: a usage error. */
  if (fields != NULL && !parse_fields (fields, &search_options.fields, &error))
    return avfs_cli_usage_error (cli, command, error->message);
  cli->reads_only = !rebuild;
  if ((vault = avfs_cli_get_vault (cli, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (rebuild)
    {
      g_autoptr(AvfsCliProgress) progress = avfs_cli_progress_new (cli);

      if (!avfs_vault_search_rebuild (vault, NULL, avfs_cli_progress_cb, progress, &error))
        return avfs_cli_fail (cli, error);
    }
  if (argv[1] == NULL)
    return avfs_cli_print_done (cli, "/", _("Search index rebuilt"));
  results = avfs_vault_search (vault, argv[1], &search_options, &error);
  if (results == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    return print_results_json (cli, vault, argv[1], results);
  print_results_text (cli, results, offset);
  return AVFS_CLI_OK;
}

const AvfsCliCommand avfs_cli_search_commands[] = {
  { "search", "[--limit N] [--offset N] [--fields LIST] [--rebuild] QUERY",
    N_("Find files by the words in their text, path, name and tags, best first"),
    search_cb, AVFS_CLI_READS },
  { "find", "[PATH] [--name GLOB] [--type f|d] [--size [+-]N] [--tag TAG] [--meta K[=V]] [--limit N]",
    N_("List paths below PATH that match every condition given"), find_cb, AVFS_CLI_READS },
  { "grep", "[-i] [-n] [-l] [-c] PATTERN [PATH]",
    N_("Print lines of text files matching a regular expression"), grep_cb, AVFS_CLI_READS },
  { NULL }
};
