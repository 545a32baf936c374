/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A strict reader for the TOML subset config.toml uses: [tables] and [dotted.tables],
 * key = value with strings, integers and booleans, and # comments. Anything else is an
 * error naming the file, the line and the key. */
#include <errno.h>
#include <string.h>

#include "avfs-config-file.h"
#include "avfs-error.h"

struct _AvfsConfigFile
{
  GHashTable *tables; /* table name ("" for the top) → (key → GVariant s/x/b) */
};

typedef struct
{
  const char *filename;
  guint line_number;
  const char *p;      /* the unread rest of the current line */
  char *table;        /* the current table's name */
  AvfsConfigFile *config;
} Parser;

G_GNUC_PRINTF (3, 4)
static gboolean
parse_error (Parser      *parser,
             GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT, "%s:%u: %s",
               parser->filename, parser->line_number, message);
  return FALSE;
}

static void
skip_space (Parser *parser)
{
  while (*parser->p == ' ' || *parser->p == '\t')
    parser->p++;
}

static gboolean
at_line_end (Parser *parser)
{
  skip_space (parser);
  return *parser->p == '\0' || *parser->p == '#' || *parser->p == '\r';
}

static gboolean
is_bare_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static char *
parse_basic_string (Parser  *parser,
                    GError **error);

/* A key or table-name part: bare (A-Za-z0-9_-) or a "quoted" string. */
static char *
parse_key_part (Parser  *parser,
                GError **error)
{
  const char *start;

  skip_space (parser);
  if (*parser->p == '"')
    return parse_basic_string (parser, error);

  start = parser->p;
  while (is_bare_key_char (*parser->p))
    parser->p++;
  if (parser->p == start)
    {
      parse_error (parser, error, "expected a name, found “%.10s”", start);
      return NULL;
    }
  return g_strndup (start, parser->p - start);
}

static char *
parse_dotted_name (Parser  *parser,
                   GError **error)
{
  g_autoptr(GString) name = g_string_new (NULL);

  for (;;)
    {
      g_autofree char *part = parse_key_part (parser, error);

      if (part == NULL)
        return NULL;
      g_string_append (name, part);
      skip_space (parser);
      if (*parser->p != '.')
        return g_string_free (g_steal_pointer (&name), FALSE);
      parser->p++;
      g_string_append_c (name, '.');
    }
}

static gboolean
append_escape (Parser   *parser,
               GString  *out,
               GError  **error)
{
  char c = *parser->p++;
  char hex[9] = { 0 };
  gsize digits;
  guint64 code;

  switch (c)
    {
    case '"': g_string_append_c (out, '"'); return TRUE;
    case '\\': g_string_append_c (out, '\\'); return TRUE;
    case 'n': g_string_append_c (out, '\n'); return TRUE;
    case 't': g_string_append_c (out, '\t'); return TRUE;
    case 'r': g_string_append_c (out, '\r'); return TRUE;
    case 'u': digits = 4; break;
    case 'U': digits = 8; break;
    default:
      return parse_error (parser, error, "unknown escape “\\%c” in a string", c);
    }

  for (gsize i = 0; i < digits; i++)
    {
      if (!g_ascii_isxdigit (parser->p[i]))
        return parse_error (parser, error, "“\\%c” needs %zu hex digits", c, digits);
      hex[i] = parser->p[i];
    }
  parser->p += digits;
  code = g_ascii_strtoull (hex, NULL, 16);
  if (!g_unichar_validate ((gunichar) code) || code == 0)
    return parse_error (parser, error, "“\\%c%s” is not a character", c, hex);
  g_string_append_unichar (out, (gunichar) code);
  return TRUE;
}

static char *
parse_basic_string (Parser  *parser,
                    GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  parser->p++; /* the opening quote */
  while (*parser->p != '"')
    {
      if (*parser->p == '\0')
        {
          parse_error (parser, error, "a string is not closed with “\"”");
          return NULL;
        }
      if (*parser->p == '\\')
        {
          parser->p++;
          if (!append_escape (parser, out, error))
            return NULL;
          continue;
        }
      g_string_append_c (out, *parser->p++);
    }
  parser->p++;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
parse_literal_string (Parser  *parser,
                      GError **error)
{
  const char *start = ++parser->p;
  const char *end = strchr (start, '\'');

  if (end == NULL)
    {
      parse_error (parser, error, "a string is not closed with “'”");
      return NULL;
    }
  parser->p = end + 1;
  return g_strndup (start, end - start);
}

static GVariant *
parse_integer (Parser     *parser,
               const char *key,
               GError    **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  gint64 value;
  char *end;

  if (*parser->p == '+' || *parser->p == '-')
    g_string_append_c (digits, *parser->p++);
  while (g_ascii_isdigit (*parser->p) || *parser->p == '_')
    {
      if (*parser->p != '_')
        g_string_append_c (digits, *parser->p);
      parser->p++;
    }

  errno = 0;
  value = g_ascii_strtoll (digits->str, &end, 10);
  if (digits->len == 0 || *end != '\0' || errno != 0)
    {
      parse_error (parser, error, "key “%s”: “%s” is not a whole number", key, digits->str);
      return NULL;
    }
  return g_variant_new_int64 (value);
}

static GVariant *
parse_value (Parser     *parser,
             const char *key,
             GError    **error)
{
  char *text;

  skip_space (parser);
  if (*parser->p == '"' || *parser->p == '\'')
    {
      text = *parser->p == '"' ? parse_basic_string (parser, error) :
                                 parse_literal_string (parser, error);
      return text != NULL ? g_variant_new_take_string (text) : NULL;
    }
  for (guint b = 0; b < 2; b++)
    {
      const char *word = b ? "true" : "false";
      gsize len = strlen (word);

      if (strncmp (parser->p, word, len) == 0 && !is_bare_key_char (parser->p[len]))
        {
          parser->p += len;
          return g_variant_new_boolean (b);
        }
    }
  if (g_ascii_isdigit (*parser->p) || *parser->p == '+' || *parser->p == '-')
    return parse_integer (parser, key, error);

  parse_error (parser, error,
               "key “%s”: expected a \"string\", a whole number, true or false, found “%.12s”",
               key, parser->p);
  return NULL;
}

static GHashTable *
table_for (AvfsConfigFile *self,
           const char     *name)
{
  GHashTable *table = g_hash_table_lookup (self->tables, name);

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_variant_unref);
      g_hash_table_insert (self->tables, g_strdup (name), table);
    }
  return table;
}

static gboolean
parse_table_header (Parser  *parser,
                    GError **error)
{
  g_autofree char *name = NULL;

  parser->p++; /* [ */
  if (*parser->p == '[')
    return parse_error (parser, error, "arrays of tables ([[…]]) are not supported");
  name = parse_dotted_name (parser, error);
  if (name == NULL)
    return FALSE;
  skip_space (parser);
  if (*parser->p != ']')
    return parse_error (parser, error, "table “%s”: expected “]”", name);
  parser->p++;
  if (g_hash_table_contains (parser->config->tables, name))
    return parse_error (parser, error, "table [%s] appears twice", name);
  table_for (parser->config, name);
  g_free (parser->table);
  parser->table = g_steal_pointer (&name);
  return TRUE;
}

static gboolean
parse_key_value (Parser  *parser,
                 GError **error)
{
  g_autofree char *key = parse_dotted_name (parser, error);
  GHashTable *table;
  GVariant *value;

  if (key == NULL)
    return FALSE;
  if (strchr (key, '.') != NULL)
    return parse_error (parser, error, "key “%s”: dotted keys are not supported; use a "
                        "[table] instead", key);
  skip_space (parser);
  if (*parser->p != '=')
    return parse_error (parser, error, "key “%s”: expected “=”", key);
  parser->p++;

  value = parse_value (parser, key, error);
  if (value == NULL)
    return FALSE;
  g_variant_ref_sink (value);
  table = table_for (parser->config, parser->table);
  if (g_hash_table_contains (table, key))
    {
      g_variant_unref (value);
      return parse_error (parser, error, "key “%s” is set twice", key);
    }
  g_hash_table_insert (table, g_steal_pointer (&key), value);
  return TRUE;
}

static gboolean
parse_line (Parser  *parser,
            GError **error)
{
  skip_space (parser);
  if (at_line_end (parser))
    return TRUE;
  if (*parser->p == '[' ? !parse_table_header (parser, error) : !parse_key_value (parser, error))
    return FALSE;
  if (!at_line_end (parser))
    return parse_error (parser, error, "unexpected “%.12s” after the value", parser->p);
  return TRUE;
}

void
avfs_config_file_free (AvfsConfigFile *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->tables);
  g_free (self);
}

/**
 * avfs_config_file_new_from_text:
 * @text: the file's contents
 * @filename: its name, for error messages
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the parsed configuration
 */
AvfsConfigFile *
avfs_config_file_new_from_text (const char  *text,
                                const char  *filename,
                                GError     **error)
{
  g_autoptr(AvfsConfigFile) self = g_new0 (AvfsConfigFile, 1);
  g_auto(GStrv) lines = NULL;
  Parser parser = { .filename = filename, .table = g_strdup (""), .config = self };
  const char *invalid;
  gboolean ok = TRUE;

  self->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_hash_table_unref);
  if (!g_utf8_validate (text, -1, &invalid))
    {
      guint line_number = 1;

      for (const char *p = text; p < invalid; p++)
        line_number += *p == '\n';
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "%s:%u: the line is not valid UTF-8", filename, line_number);
      g_free (parser.table);
      return NULL;
    }

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; ok && lines[i] != NULL; i++)
    {
      parser.line_number = i + 1;
      parser.p = lines[i];
      ok = parse_line (&parser, error);
    }
  g_free (parser.table);
  return ok ? g_steal_pointer (&self) : NULL;
}

/**
 * avfs_config_file_new_from_path:
 * @path: the file to read; a missing file is an empty configuration
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the parsed configuration
 */
AvfsConfigFile *
avfs_config_file_new_from_path (const char  *path,
                                GError     **error)
{
  g_autoptr(GError) read_error = NULL;
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &read_error))
    {
      if (g_error_matches (read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return avfs_config_file_new_from_text ("", path, error);
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Cannot read the configuration %s: %s",
                   path, read_error->message);
      return NULL;
    }
  return avfs_config_file_new_from_text (text, path, error);
}

/**
 * avfs_config_file_lookup:
 * @self: a configuration
 * @table: a table name, `""` for keys before the first table
 * @key: a key
 *
 * Returns: (transfer none) (nullable): the value (`s`, `x` or `b`), or %NULL
 */
GVariant *
avfs_config_file_lookup (AvfsConfigFile *self,
                         const char     *table,
                         const char     *key)
{
  GHashTable *keys = g_hash_table_lookup (self->tables, table);

  return keys != NULL ? g_hash_table_lookup (keys, key) : NULL;
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/**
 * avfs_config_file_list_tables:
 * @self: a configuration
 *
 * Returns: (transfer full): the names of the tables that appear, sorted
 */
char **
avfs_config_file_list_tables (AvfsConfigFile *self)
{
  guint n;
  char **names = (char **) g_hash_table_get_keys_as_array (self->tables, &n);

  for (guint i = 0; i < n; i++)
    names[i] = g_strdup (names[i]);
  qsort (names, n, sizeof (char *), compare_names);
  return names;
}

/**
 * avfs_config_file_dup_table:
 * @self: a configuration
 * @table: a table name
 *
 * Gives a table's values as text (`"lz4"`, `"1000"`, `"true"`), the form engine options
 * take.
 *
 * Returns: (transfer full): key → value text; empty when the table is absent
 */
GHashTable *
avfs_config_file_dup_table (AvfsConfigFile *self,
                            const char     *table)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTable *keys = g_hash_table_lookup (self->tables, table);
  GHashTableIter iter;
  const char *key;
  GVariant *value;

  if (keys == NULL)
    return copy;
  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &value))
    {
      char *text;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        text = g_variant_dup_string (value, NULL);
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        text = g_strdup (g_variant_get_boolean (value) ? "true" : "false");
      else
        text = g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value));
      g_hash_table_insert (copy, g_strdup (key), text);
    }
  return copy;
}

/* Editing: one value changes, every other line (comments, unknown keys, spacing) stays. */

static gboolean
is_bare_name (const char *name)
{
  if (name[0] == '\0' || name[0] == '.')
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!is_bare_key_char (*c) && !(*c == '.' && c[1] != '.' && c[1] != '\0'))
      return FALSE;
  return TRUE;
}

/* @value as TOML: a basic string with escapes, a whole number, true or false. */
static char *
format_value (GVariant *value)
{
  GString *out;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? "true" : "false");
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value));

  out = g_string_new ("\"");
  for (const char *c = g_variant_get_string (value, NULL); *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (out, "\\%c", *c);
      else if (*c == '\n')
        g_string_append (out, "\\n");
      else if (*c == '\t')
        g_string_append (out, "\\t");
      else if ((guchar) *c < 0x20 || *c == 0x7f)
        g_string_append_printf (out, "\\u%04X", (guint) (guchar) *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* Where a table and one of its keys are among the lines of a (valid) text. */
typedef struct
{
  int header;    /* the line of [table], -1 when absent */
  int last;      /* the table's last header or key line, -1 when it has none */
  int key_line;  /* the line of the key, -1 when absent */
} Spot;

static Spot
find_spot (GPtrArray  *lines,
           const char *table,
           const char *key)
{
  Spot spot = { -1, -1, -1 };
  g_autofree char *current = g_strdup ("");

  for (guint i = 0; i < lines->len; i++)
    {
      Parser parser = { .p = g_ptr_array_index (lines, i) };
      g_autofree char *name = NULL;

      if (at_line_end (&parser))
        continue;
      if (*parser.p == '[')
        {
          parser.p++;
          g_free (current);
          current = parse_dotted_name (&parser, NULL);
          if (g_str_equal (current, table))
            spot.header = spot.last = i;
          continue;
        }
      if (!g_str_equal (current, table))
        continue;
      spot.last = i;
      name = parse_dotted_name (&parser, NULL);
      if (g_strcmp0 (name, key) == 0)
        spot.key_line = i;
    }
  return spot;
}

/* @line with its value replaced by @formatted, keeping what surrounds it. */
static char *
replace_value (const char *line,
               const char *formatted)
{
  Parser parser = { .p = line };
  g_autofree char *key = parse_dotted_name (&parser, NULL);
  g_autoptr(GVariant) old = NULL;
  const char *start;

  skip_space (&parser);
  parser.p++; /* = */
  skip_space (&parser);
  start = parser.p;
  old = g_variant_ref_sink (parse_value (&parser, key, NULL));
  return g_strdup_printf ("%.*s%s%s", (int) (start - line), line, formatted, parser.p);
}

/* Adds `[table]` with one key at the end, after a blank line, ending with a newline. */
static void
append_table (GPtrArray  *lines,
              const char *table,
              char       *key_line)
{
  guint end = lines->len;

  if (end > 0 && ((char *) g_ptr_array_index (lines, end - 1))[0] == '\0')
    g_ptr_array_remove_index (lines, --end);
  if (end > 0 && ((char *) g_ptr_array_index (lines, end - 1))[0] != '\0')
    g_ptr_array_add (lines, g_strdup (""));
  g_ptr_array_add (lines, g_strdup_printf ("[%s]", table));
  g_ptr_array_add (lines, key_line);
  g_ptr_array_add (lines, g_strdup (""));
}

/**
 * avfs_config_file_edit:
 * @text: the configuration's text, which must be valid
 * @filename: its name, for error messages
 * @table: a table name such as `backend.sqlite` (bare names only), `""` for the top
 * @key: a bare key
 * @value: (nullable): the new value (`s`, `x` or `b`; a floating one is consumed), or
 *   %NULL to remove the key
 * @error: return location for an error: @text is not valid
 *
 * Sets or removes one key. Everything else in @text — comments, blank lines, other
 * tables and keys, even ones avfs does not know — stays as it was, and a comment after
 * the old value stays after the new one. A missing key is added after the table's last
 * key; a missing table is added at the end.
 *
 * Returns: (transfer full) (nullable): the new text
 */
char *
avfs_config_file_edit (const char  *text,
                       const char  *filename,
                       const char  *table,
                       const char  *key,
                       GVariant    *value,
                       GError     **error)
{
  /* A floating @value is taken, as g_settings_set_value() does. */
  g_autoptr(GVariant) owned = value != NULL ? g_variant_ref_sink (value) : NULL;
  g_autoptr(AvfsConfigFile) check = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) split = NULL;
  g_autofree char *formatted = NULL;
  Spot spot;

  g_return_val_if_fail (table[0] == '\0' || is_bare_name (table), NULL);
  g_return_val_if_fail (is_bare_name (key) && strchr (key, '.') == NULL, NULL);
  g_return_val_if_fail (value == NULL || g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
                        g_variant_is_of_type (value, G_VARIANT_TYPE_INT64) ||
                        g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN), NULL);

  check = avfs_config_file_new_from_text (text, filename, error);
  if (check == NULL)
    return NULL;
  split = g_strsplit (text, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    g_ptr_array_add (lines, g_steal_pointer (&split[i]));
  spot = find_spot (lines, table, key);
  formatted = value != NULL ? format_value (value) : NULL;

  if (spot.key_line >= 0 && value == NULL)
    g_ptr_array_remove_index (lines, spot.key_line);
  else if (spot.key_line >= 0)
    {
      char *line = replace_value (g_ptr_array_index (lines, spot.key_line), formatted);

      g_free (g_ptr_array_index (lines, spot.key_line));
      g_ptr_array_index (lines, spot.key_line) = line;
    }
  else if (value != NULL && (spot.last >= 0 || table[0] == '\0'))
    g_ptr_array_insert (lines, spot.last + 1, g_strdup_printf ("%s = %s", key, formatted));
  else if (value != NULL)
    append_table (lines, table, g_strdup_printf ("%s = %s", key, formatted));
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

/**
 * avfs_config_file_save:
 * @path: where the configuration goes; its folder is created when missing
 * @text: the whole configuration, checked before anything is written
 * @error: return location for an error naming @path
 *
 * Replaces @path with @text atomically: a reader sees the old file or the new one.
 *
 * Returns: %TRUE when the file was written
 */
gboolean
avfs_config_file_save (const char  *path,
                       const char  *text,
                       GError     **error)
{
  g_autoptr(AvfsConfigFile) check = avfs_config_file_new_from_text (text, path, error);
  g_autoptr(GError) write_error = NULL;
  g_autofree char *folder = g_path_get_dirname (path);

  if (check == NULL)
    return FALSE;
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Cannot create the folder %s for the "
                   "configuration: %s", folder, g_strerror (errsv));
      return FALSE;
    }
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &write_error))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IO, "Cannot write the configuration %s: %s",
                   path, write_error->message);
      return FALSE;
    }
  return TRUE;
}
