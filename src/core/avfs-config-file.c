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
  gboolean ok = TRUE;

  self->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_hash_table_unref);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "%s: the file is not valid UTF-8", filename);
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
