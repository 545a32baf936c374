/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli output: errors as text or JSON, JSON documents, sizes and times for people. */
#include <stdio.h>
#include <string.h>

#include "avfs-cli-private.h"

void
avfs_cli_json_member_string (JsonBuilder *builder,
                             const char  *name,
                             const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
avfs_cli_json_member_int (JsonBuilder *builder,
                          const char  *name,
                          gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
avfs_cli_json_member_bool (JsonBuilder *builder,
                           const char  *name,
                           gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* Appends @number in the fewest significant digits that read back as the same double,
 * keeping a decimal point so that it still reads as a fraction. */
static void
append_shortest (GString *out,
                 double   number)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 1; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, number);
      if (g_ascii_strtod (buffer, NULL) == number)
        break;
    }
  g_string_append (out, buffer);
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (out, ".0");
}

/* json-glib 1.6 prints every fraction in 17 significant digits, 0.7 as
 * 0.69999999999999996; this rewrites the fractions of the JSON text @json (outside its
 * strings) in the fewest digits that mean the same double. */
static char *
shorten_numbers (const char *json)
{
  GString *out = g_string_sized_new (strlen (json));
  const char *p = json;

  while (*p != '\0')
    {
      gsize len = 1;

      if (*p == '"')
        {
          while (p[len] != '"')
            len += p[len] == '\\' ? 2 : 1;
          len++;
        }
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          len = strspn (p, "-+.eE0123456789");
          if (strcspn (p, ".eE") < len)
            {
              append_shortest (out, g_ascii_strtod (p, NULL));
              p += len;
              continue;
            }
        }
      g_string_append_len (out, p, len);
      p += len;
    }
  return g_string_free (out, FALSE);
}

/**
 * avfs_cli_print_json:
 * @builder: a finished document
 *
 * Prints the one JSON document of this run on stdout.
 *
 * Returns: %AVFS_CLI_OK
 */
int
avfs_cli_print_json (AvfsCli     *cli,
                     JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, cli->interactive);
  g_autofree char *shortened = shorten_numbers (text);

  printf ("%s\n", shortened);
  fflush (stdout);
  return AVFS_CLI_OK;
}

/* The vault path an error is about, when its message starts with one. */
static char *
error_path (const GError *error)
{
  const char *end;

  if (error->domain != AVFS_ERROR || error->message[0] != '/')
    return NULL;
  end = strpbrk (error->message, ": ");
  return end != NULL ? g_strndup (error->message, end - error->message) : NULL;
}

/**
 * avfs_cli_print_error:
 * @message: what went wrong
 *
 * Prints `Error: MESSAGE` on stderr. Control characters (a name can hold them) are
 * shown as `\u001b` and the like, so that a message can never drive the terminal.
 */
void
avfs_cli_print_error (const char *message)
{
  g_autofree char *valid = g_utf8_make_valid (message, -1);
  g_autoptr(GString) shown = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_printf (shown, "\\u%04x", c);
      else
        g_string_append_len (shown, p, g_utf8_next_char (p) - p);
    }
  fprintf (stderr, _("Error: %s\n"), shown->str);
}

/**
 * avfs_cli_fail:
 * @error: (transfer none): what went wrong
 *
 * Reports @error: `Error: …` on stderr, or `{"error": KIND, "message": …, "path": …}` on
 * stdout with --json.
 *
 * Returns: %AVFS_CLI_ERROR
 */
int
avfs_cli_fail (AvfsCli *cli,
               GError  *error)
{
  const char *kind = error->domain == AVFS_ERROR ? avfs_error_to_kind (error->code)
                     : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled"
                     : "io";

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *path = error_path (error);

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "error", kind);
      avfs_cli_json_member_string (builder, "message", error->message);
      avfs_cli_json_member_string (builder, "path", path);
      json_builder_end_object (builder);
      avfs_cli_print_json (cli, builder);
    }
  else
    avfs_cli_print_error (error->message);
  return AVFS_CLI_ERROR;
}

/**
 * avfs_cli_print_done:
 * @path: (nullable): the path the command changed
 * @text_format: (nullable): what to say on a terminal; nothing when %NULL
 *
 * Reports a command that has nothing to show but success: `{"ok": true, "path": …}`
 * with --json, a line for people otherwise.
 *
 * Returns: %AVFS_CLI_OK
 */
int
avfs_cli_print_done (AvfsCli    *cli,
                     const char *path,
                     const char *text_format,
                     ...)
{
  va_list args;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      avfs_cli_json_member_bool (builder, "ok", TRUE);
      if (path != NULL)
        avfs_cli_json_member_string (builder, "path", path);
      json_builder_end_object (builder);
      return avfs_cli_print_json (cli, builder);
    }
  if (text_format == NULL)
    return AVFS_CLI_OK;
  va_start (args, text_format);
  vprintf (text_format, args);
  va_end (args);
  putchar ('\n');
  return AVFS_CLI_OK;
}

/**
 * avfs_cli_format_time:
 *
 * Returns: (transfer full): @time_us as local `YYYY-MM-DD HH:MM`
 */
char *
avfs_cli_format_time (gint64 time_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/**
 * avfs_cli_format_iso_time:
 *
 * Returns: (transfer full): ISO 8601 in UTC with microseconds, the form JSON output
 *   uses for times
 */
char *
avfs_cli_format_iso_time (gint64 time_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) exact = utc != NULL
                               ? g_date_time_add (utc, time_us % G_USEC_PER_SEC) : NULL;

  return exact != NULL ? g_date_time_format_iso8601 (exact) : g_strdup ("");
}

/* The JSON object for a file or directory, shared by ls, stat and tree. */
void
avfs_cli_json_file_info (JsonBuilder        *builder,
                         const AvfsFileInfo *info)
{
  g_autofree char *created = avfs_cli_format_iso_time (info->created_us);
  g_autofree char *modified = avfs_cli_format_iso_time (info->modified_us);
  gboolean is_file = info->kind == AVFS_NODE_KIND_FILE;

  json_builder_begin_object (builder);
  avfs_cli_json_member_string (builder, "name", info->name);
  avfs_cli_json_member_string (builder, "path", info->path);
  avfs_cli_json_member_string (builder, "type", is_file ? "file" : "directory");
  avfs_cli_json_member_int (builder, "size", info->size);
  avfs_cli_json_member_int (builder, "version", info->version);
  avfs_cli_json_member_int (builder, "mode", info->mode);
  avfs_cli_json_member_string (builder, "created", created);
  avfs_cli_json_member_string (builder, "modified", modified);
  json_builder_end_object (builder);
}

/**
 * avfs_cli_json_collections:
 *
 * Adds member `collections`: `[{"name", "keys", "bytes"}]`, one per collection of @stats.
 */
void
avfs_cli_json_collections (JsonBuilder            *builder,
                           const AvfsStorageStats *stats)
{
  json_builder_set_member_name (builder, "collections");
  json_builder_begin_array (builder);
  for (guint i = 0; i < stats->collections->len; i++)
    {
      const AvfsCollectionStats *c = g_ptr_array_index (stats->collections, i);

      json_builder_begin_object (builder);
      avfs_cli_json_member_string (builder, "name", c->name);
      avfs_cli_json_member_int (builder, "keys", c->keys);
      avfs_cli_json_member_int (builder, "bytes", c->bytes);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}
