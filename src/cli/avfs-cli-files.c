/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli file commands: ls, tree, stat, cat, write, touch, mkdir, rmdir, rm, cp, mv. */
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <stdio.h>
#include <unistd.h>

#include "avfs-cli-private.h"

/**
 * avfs_cli_open_path:
 * @arg: (nullable): a vault path as typed, relative to the working directory; %NULL is `.`
 * @path: (out): the absolute, normalised path
 *
 * Returns: (transfer none) (nullable): the vault, once both it and @arg are good
 */
AvfsVault *
avfs_cli_open_path (AvfsCli     *cli,
                    const char  *arg,
                    char       **path,
                    GError     **error)
{
  AvfsVault *vault = avfs_cli_get_vault (cli, error);

  if (vault == NULL)
    return NULL;
  *path = avfs_cli_resolve_path (cli, arg != NULL ? arg : ".", error);
  return *path != NULL ? vault : NULL;
}

static void
format_mode (const AvfsFileInfo *info,
             char                out[11])
{
  static const char rwx[] = "rwxrwxrwx";

  out[0] = info->kind == AVFS_NODE_KIND_DIRECTORY ? 'd' : '-';
  for (int i = 0; i < 9; i++)
    out[i + 1] = info->mode & (1 << (8 - i)) ? rwx[i] : '-';
  out[10] = '\0';
}

static void
print_long_listing (GPtrArray *entries)
{
  guint size_width = 1;

  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                               ((AvfsFileInfo *) g_ptr_array_index (entries, i))->size);
      size_width = MAX (size_width, strlen (size));
    }
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsFileInfo *info = g_ptr_array_index (entries, i);
      g_autofree char *time = avfs_cli_format_time (info->modified_us);
      g_autofree char *version = info->kind == AVFS_NODE_KIND_FILE
                                 ? g_strdup_printf ("v%u", info->version) : g_strdup ("-");
      char mode[11];

      format_mode (info, mode);
      printf ("%s %6s %*" G_GUINT64_FORMAT " %s %s%s\n", mode, version, size_width,
              info->size, time, info->name,
              info->kind == AVFS_NODE_KIND_DIRECTORY ? "/" : "");
    }
}

static int
ls_cb (AvfsCli               *cli,
       const AvfsCliCommand  *command,
       char                 **argv)
{
  gboolean long_format = FALSE;
  const GOptionEntry options[] = {
    { "long", 'l', 0, G_OPTION_ARG_NONE, &long_format,
      N_("Show type and permissions, version, size and modification time"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *path = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 1, &status))
    return status;
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL || (entries = avfs_vault_list (vault, path, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        avfs_cli_json_file_info (builder, g_ptr_array_index (entries, i));
      json_builder_end_array (builder);
      return avfs_cli_print_json (cli, builder);
    }
  if (long_format)
    print_long_listing (entries);
  else
    for (guint i = 0; i < entries->len; i++)
      {
        AvfsFileInfo *info = g_ptr_array_index (entries, i);

        printf ("%s%s\n", info->name, info->kind == AVFS_NODE_KIND_DIRECTORY ? "/" : "");
      }
  return AVFS_CLI_OK;
}

typedef struct
{
  AvfsVault *vault;
  gint max_depth;    /* 0: no limit */
  guint files;
  guint directories;
} TreeWalk;

/* Prints the entries of @path below @prefix ("│   " and "    " for each level). */
static gboolean
print_tree_level (TreeWalk    *walk,
                  const char  *path,
                  const char  *prefix,
                  gint         depth,
                  GError     **error)
{
  g_autoptr(GPtrArray) entries = avfs_vault_list (walk->vault, path, error);

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsFileInfo *info = g_ptr_array_index (entries, i);
      gboolean last = i + 1 == entries->len;
      gboolean is_dir = info->kind == AVFS_NODE_KIND_DIRECTORY;

      printf ("%s%s %s%s\n", prefix, last ? "└──" : "├──", info->name, is_dir ? "/" : "");
      if (!is_dir)
        walk->files++;
      else
        {
          g_autofree char *inner = g_strconcat (prefix, last ? "    " : "│   ", NULL);

          walk->directories++;
          if ((walk->max_depth == 0 || depth < walk->max_depth) &&
              !print_tree_level (walk, info->path, inner, depth + 1, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Adds @path's subtree to @builder as nested {…, "children": […]} objects. */
static gboolean
build_tree_json (TreeWalk     *walk,
                 JsonBuilder  *builder,
                 const char   *path,
                 gint          depth,
                 GError      **error)
{
  g_autoptr(GPtrArray) entries = avfs_vault_list (walk->vault, path, error);

  if (entries == NULL)
    return FALSE;
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsFileInfo *info = g_ptr_array_index (entries, i);

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "name", info->name);
      avfs_cli_json_member_string (builder, "path", info->path);
      if (info->kind == AVFS_NODE_KIND_FILE)
        {
          avfs_cli_json_member_string (builder, "type", "file");
          avfs_cli_json_member_int (builder, "size", info->size);
        }
      else
        {
          avfs_cli_json_member_string (builder, "type", "directory");
          json_builder_set_member_name (builder, "children");
          if (walk->max_depth == 0 || depth < walk->max_depth)
            {
              if (!build_tree_json (walk, builder, info->path, depth + 1, error))
                return FALSE;
            }
          else
            json_builder_add_null_value (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return TRUE;
}

static int
tree_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  gint max_depth = 0;
  const GOptionEntry options[] = {
    { "level", 'L', 0, G_OPTION_ARG_INT, &max_depth, N_("Descend at most N levels"), "N" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  TreeWalk walk = { NULL };
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 0, 1, &status))
    return status;
  if (max_depth < 0)
    return avfs_cli_usage_error (cli, command, _("-L needs a positive number of levels"));
  walk.vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  walk.max_depth = max_depth;
  if (walk.vault == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "path", path);
      json_builder_set_member_name (builder, "children");
      if (!build_tree_json (&walk, builder, path, 1, &error))
        return avfs_cli_fail (cli, error);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  printf ("%s\n", path);
  if (!print_tree_level (&walk, path, "", 1, &error))
    return avfs_cli_fail (cli, error);
  printf ("\n");
  printf (ngettext ("%u directory", "%u directories", walk.directories), walk.directories);
  printf (", ");
  printf (ngettext ("%u file", "%u files", walk.files), walk.files);
  printf ("\n");
  return AVFS_CLI_OK;
}

static int
stat_cb (AvfsCli               *cli,
         const AvfsCliCommand  *command,
         char                 **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *created = NULL;
  g_autofree char *modified = NULL;
  g_autofree char *size = NULL;
  AvfsVault *vault;
  int status;
  char mode[11];

  if (!avfs_cli_parse (cli, command, NULL, argv, 1, 1, &status))
    return status;
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL || (info = avfs_vault_stat (vault, path, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      builder = json_builder_new ();
      avfs_cli_json_file_info (builder, info);
      return avfs_cli_print_json (cli, builder);
    }
  created = avfs_cli_format_time (info->created_us);
  modified = avfs_cli_format_time (info->modified_us);
  format_mode (info, mode);
  size = g_strdup_printf ("%" G_GUINT64_FORMAT, info->size);
  /* Translators: the labels of `avfs stat` end in one column, so they are padded on the
   * left to eight characters; keep them aligned with each other. */
  printf (_("    Path: %s\n"), info->path);
  printf (_("    Type: %s\n"), info->kind == AVFS_NODE_KIND_FILE ? _("file") : _("directory"));
  printf (_("    Size: %s bytes\n"), size);
  if (info->kind == AVFS_NODE_KIND_FILE)
    printf (_(" Version: %u\n"), info->version);
  printf (_("    Mode: %s\n"), mode);
  printf (_(" Created: %s\n"), created);
  printf (_("Modified: %s\n"), modified);
  return AVFS_CLI_OK;
}

static int
cat_json (AvfsCli     *cli,
          AvfsVault   *vault,
          const char  *path,
          guint32      version)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = avfs_vault_read (vault, path, version, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *encoded = NULL;
  gsize len;
  const char *data;

  if (content == NULL)
    return avfs_cli_fail (cli, error);
  data = g_bytes_get_data (content, &len);
  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "path", path);
  avfs_cli_json_member_int (builder, "size", len);
  if (g_utf8_validate_len (data, len, NULL) && memchr (data, 0, len) == NULL)
    {
      encoded = g_strndup (data, len);
      avfs_cli_json_member_string (builder, "encoding", "utf-8");
    }
  else
    {
      encoded = g_base64_encode ((const guchar *) data, len);
      avfs_cli_json_member_string (builder, "encoding", "base64");
    }
  avfs_cli_json_member_string (builder, "content", encoded);
  json_builder_end_object (builder);
  return avfs_cli_print_json (cli, builder);
}

static int
cat_cb (AvfsCli               *cli,
        const AvfsCliCommand  *command,
        char                 **argv)
{
  gint version = 0;
  const GOptionEntry options[] = {
    { "version", 'v', 0, G_OPTION_ARG_INT, &version, N_("Show version N instead of the current one"), "N" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *path = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 1, &status))
    return status;
  if (version < 0)
    return avfs_cli_usage_error (cli, command, _("-v needs a version number (1 is the first)"));
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    return cat_json (cli, vault, path, version);
  fflush (stdout);
  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  if (!avfs_vault_read_to_stream (vault, path, version, out, NULL, &error))
    return avfs_cli_fail (cli, error);
  return AVFS_CLI_OK;
}

static int
write_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  gboolean append = FALSE;
  const GOptionEntry options[] = {
    { "append", 'a', 0, G_OPTION_ARG_NONE, &append, N_("Add to the end instead of replacing"), NULL },
    { NULL }
  };
  AvfsWriteFlags flags = AVFS_WRITE_PARENTS;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  AvfsVault *vault;
  guint32 version;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, 2, &status))
    return status;
  if (append)
    flags |= AVFS_WRITE_APPEND;
  /* Wait for stdin before opening the vault: in `avfs-cli cat … | avfs-cli write …` on a
   * one-process engine, the reader must get the vault first. */
  if (argv[2] == NULL)
    {
      g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      in = g_buffered_input_stream_new (stdin_stream);
      if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (in), -1, NULL, &error) < 0)
        return avfs_cli_fail (cli, error);
    }
  vault = avfs_cli_open_path (cli, argv[1], &path, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  if (in == NULL)
    version = avfs_vault_write (vault, path, (const guint8 *) argv[2], strlen (argv[2]), flags,
                                &error);
  else
    version = avfs_vault_write_stream (vault, path, in, flags, NULL, &error);
  if (version == 0)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(AvfsFileInfo) info = avfs_vault_stat (vault, path, NULL);

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "path", path);
      avfs_cli_json_member_int (builder, "version", version);
      avfs_cli_json_member_int (builder, "size", info != NULL ? (gint64) info->size : 0);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  return AVFS_CLI_OK;
}

typedef gboolean (*PathFunc) (AvfsVault   *vault,
                              const char  *path,
                              gboolean     flag,
                              GError     **error);

/* The shape of touch, mkdir, rmdir and rm: one or more paths, one call each. @flag is
 * the command's one boolean option, read once the options are parsed. */
static int
for_each_path (AvfsCli               *cli,
               const AvfsCliCommand  *command,
               char                 **argv,
               const GOptionEntry    *options,
               PathFunc               func,
               const gboolean        *flag,
               const gboolean        *ignore_missing)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 1, -1, &status))
    return status;
  vault = avfs_cli_get_vault (cli, &error);
  if (vault == NULL)
    return avfs_cli_fail (cli, error);
  for (guint i = 1; argv[i] != NULL; i++)
    {
      g_free (path);
      path = avfs_cli_resolve_path (cli, argv[i], &error);
      if (path != NULL && func (vault, path, flag != NULL && *flag, &error))
        continue;
      if (ignore_missing != NULL && *ignore_missing &&
          g_error_matches (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
        {
          g_clear_error (&error);
          continue;
        }
      return avfs_cli_fail (cli, error);
    }
  return avfs_cli_print_done (cli, argv[2] == NULL ? path : NULL, NULL);
}

static gboolean
touch_path (AvfsVault   *vault,
            const char  *path,
            gboolean     flag,
            GError     **error)
{
  return avfs_vault_touch (vault, path, error);
}

static int
touch_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  return for_each_path (cli, command, argv, NULL, touch_path, NULL, NULL);
}

static int
mkdir_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  gboolean parents = FALSE;
  const GOptionEntry options[] = {
    { "parents", 'p', 0, G_OPTION_ARG_NONE, &parents,
      N_("Create missing parents; an existing directory is fine"), NULL },
    { NULL }
  };

  return for_each_path (cli, command, argv, options, avfs_vault_mkdir, &parents, NULL);
}

static gboolean
rmdir_path (AvfsVault   *vault,
            const char  *path,
            gboolean     flag,
            GError     **error)
{
  return avfs_vault_rmdir (vault, path, error);
}

static int
rmdir_cb (AvfsCli               *cli,
          const AvfsCliCommand  *command,
          char                 **argv)
{
  return for_each_path (cli, command, argv, NULL, rmdir_path, NULL, NULL);
}

static int
rm_cb (AvfsCli               *cli,
       const AvfsCliCommand  *command,
       char                 **argv)
{
  gboolean recursive = FALSE, force = FALSE;
  const GOptionEntry options[] = {
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive,
      N_("Remove directories and everything in them"), NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Ignore paths that do not exist"), NULL },
    { NULL }
  };

  return for_each_path (cli, command, argv, options, avfs_vault_remove, &recursive, &force);
}

typedef char *(*TransferFunc) (AvfsVault   *vault,
                               const char  *from,
                               const char  *to,
                               gboolean     recursive,
                               GError     **error);

/* The shape of cp and mv: SOURCE DESTINATION, printing where the source went. */
static int
source_to_destination (AvfsCli               *cli,
                       const AvfsCliCommand  *command,
                       char                 **argv,
                       const GOptionEntry    *options,
                       TransferFunc           func,
                       const gboolean        *recursive)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *result = NULL;
  AvfsVault *vault;
  int status;

  if (!avfs_cli_parse (cli, command, options, argv, 2, 2, &status))
    return status;
  vault = avfs_cli_open_path (cli, argv[1], &from, &error);
  if (vault == NULL || (to = avfs_cli_resolve_path (cli, argv[2], &error)) == NULL ||
      (result = func (vault, from, to, recursive != NULL && *recursive, &error)) == NULL)
    return avfs_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "from", from);
      avfs_cli_json_member_string (builder, "to", result);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  return AVFS_CLI_OK;
}

static int
cp_cb (AvfsCli               *cli,
       const AvfsCliCommand  *command,
       char                 **argv)
{
  gboolean recursive = FALSE;
  const GOptionEntry options[] = {
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive, N_("Copy directories too"), NULL },
    { NULL }
  };

  return source_to_destination (cli, command, argv, options, avfs_vault_copy, &recursive);
}

static char *
move_path (AvfsVault   *vault,
           const char  *from,
           const char  *to,
           gboolean     recursive,
           GError     **error)
{
  return avfs_vault_move (vault, from, to, error);
}

static int
mv_cb (AvfsCli               *cli,
       const AvfsCliCommand  *command,
       char                 **argv)
{
  return source_to_destination (cli, command, argv, NULL, move_path, NULL);
}

const AvfsCliCommand avfs_cli_file_commands[] = {
  { "ls", "[-l] [PATH]", N_("List a directory, directories first"), ls_cb, AVFS_CLI_READS },
  { "tree", "[-L N] [PATH]", N_("Show a directory and everything below it"),
    tree_cb, AVFS_CLI_READS },
  { "stat", "PATH", N_("Show what a path is: type, size, version, times"),
    stat_cb, AVFS_CLI_READS },
  { "cat", "[-v N] PATH", N_("Write a file's content (or version N) to stdout"),
    cat_cb, AVFS_CLI_READS },
  { "write", "[-a] PATH [CONTENT]",
    N_("Write CONTENT (or stdin) as a new version of PATH, creating parents"), write_cb },
  { "touch", "PATH…", N_("Create empty files, or update their time"), touch_cb },
  { "mkdir", "[-p] PATH…", N_("Create directories"), mkdir_cb },
  { "rmdir", "PATH…", N_("Remove empty directories"), rmdir_cb },
  { "rm", "[-r] [-f] PATH…", N_("Remove files (and with -r directories) with their history"), rm_cb },
  { "cp", "[-r] SOURCE DESTINATION", N_("Copy a file or (with -r) a directory"), cp_cb },
  { "mv", "SOURCE DESTINATION", N_("Move or rename; history goes along"), mv_cb },
  { NULL }
};
