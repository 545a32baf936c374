/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading engine options ([backend.NAME] in config.toml) with errors that say what to fix. */
#include <string.h>

#include "avfs-storage-options.h"
#include "avfs-storage-private.h"

static const char * const journal_modes[] = {
  "wal", "delete", "truncate", "persist", "memory", "off", NULL
};
static const char * const synchronous_modes[] = { "off", "normal", "full", "extra", NULL };
static const char * const compressions[] = { "none", "snappy", "lz4", "zstd", NULL };

/* Every engine's options (docs/storage.md). SQLite's cache_size counts pages, as in the
 * spec's config.toml (SQLite's own default is about 500); its mmap_size is off: each
 * connection maps the file on its own, so a process with four of them showed up to four
 * times the map as resident memory, for no speed measured at 100,000 files, and SQLite
 * clips it to what it was built for (2 GiB). LMDB's map starts small and doubles
 * whenever it fills, so small vaults stay small. RocksDB's bounds are the ones RocksDB
 * itself clips its options to. */
static const AvfsEngineOption options_table[] = {
  { "sqlite", "journal_mode", AVFS_OPTION_CHOICE, journal_modes, 0 },
  { "sqlite", "synchronous", AVFS_OPTION_CHOICE, synchronous_modes, 1 },
  { "sqlite", "cache_size", AVFS_OPTION_NUMBER, NULL, 2000, 0, G_MAXINT32 },
  { "sqlite", "mmap_size", AVFS_OPTION_NUMBER, NULL, 0, 0, G_GUINT64_CONSTANT (1) << 40 },
  { "lmdb", "map_size", AVFS_OPTION_NUMBER, NULL, 64 << 20, 64 << 10,
    G_GUINT64_CONSTANT (1) << 44 },
  { "lmdb", "max_readers", AVFS_OPTION_NUMBER, NULL, 126, 4, 65536 },
  { "lmdb", "no_sync", AVFS_OPTION_SWITCH, NULL, FALSE },
  { "rocksdb", "create_if_missing", AVFS_OPTION_SWITCH, NULL, TRUE },
  { "rocksdb", "max_open_files", AVFS_OPTION_NUMBER, NULL, 1000, 20, 0x400000 },
  { "rocksdb", "write_buffer_size", AVFS_OPTION_NUMBER, NULL, 64 << 20, 64 << 10,
    G_GUINT64_CONSTANT (64) << 30 },
  { "rocksdb", "compression", AVFS_OPTION_CHOICE, compressions, 2 },
};

/**
 * avfs_engine_option_list:
 * @n_options: (out): how many there are
 *
 * Returns: (array length=n_options) (transfer none): every engine's options
 */
const AvfsEngineOption *
avfs_engine_option_list (guint *n_options)
{
  *n_options = G_N_ELEMENTS (options_table);
  return options_table;
}

/**
 * avfs_engine_option_find:
 * @engine: an engine's name
 * @name: an option's name
 *
 * Returns: (nullable) (transfer none): the option, %NULL if @engine has none of @name
 */
const AvfsEngineOption *
avfs_engine_option_find (const char *engine,
                         const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (options_table); i++)
    if (g_str_equal (options_table[i].engine, engine) && g_str_equal (options_table[i].name, name))
      return &options_table[i];
  return NULL;
}

/**
 * avfs_engine_option_parse:
 * @option: an option
 * @text: its value as config.toml gives it
 * @value: (out): the value: a choice's index, the number, or 0/1
 * @error: return location for an error that names the option and what it accepts
 *
 * Returns: whether @text is a value of @option
 */
gboolean
avfs_engine_option_parse (const AvfsEngineOption  *option,
                          const char              *text,
                          guint64                 *value,
                          GError                 **error)
{
  g_autofree char *list = NULL;

  switch (option->kind)
    {
    case AVFS_OPTION_NUMBER:
      if (g_ascii_string_to_unsigned (text, 10, option->min, option->max, value, NULL))
        return TRUE;
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Option %s for the %s engine must be a whole number from %" G_GUINT64_FORMAT
                   " to %" G_GUINT64_FORMAT ", not “%s”", option->name, option->engine,
                   option->min, option->max, text);
      return FALSE;
    case AVFS_OPTION_SWITCH:
      for (*value = 0; *value < 2; (*value)++)
        if (g_ascii_strcasecmp (text, *value ? "true" : "false") == 0)
          return TRUE;
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Option %s for the %s engine must be true or false, not “%s”",
                   option->name, option->engine, text);
      return FALSE;
    case AVFS_OPTION_CHOICE:
    default:
      for (*value = 0; option->choices[*value] != NULL; (*value)++)
        if (g_ascii_strcasecmp (text, option->choices[*value]) == 0)
          return TRUE;
      list = g_strjoinv (", ", (char **) option->choices);
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Option %s for the %s engine must be one of %s, not “%s”",
                   option->name, option->engine, list, text);
      return FALSE;
    }
}

gboolean
avfs_storage_options_check_keys (GHashTable  *options,
                                 const char  *engine,
                                 GError     **error)
{
  GHashTableIter iter;
  const char *key;

  if (options == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      g_autoptr(GPtrArray) known = NULL;
      g_autofree char *list = NULL;

      if (avfs_engine_option_find (engine, key) != NULL)
        continue;
      known = g_ptr_array_new ();
      for (guint i = 0; i < G_N_ELEMENTS (options_table); i++)
        if (g_str_equal (options_table[i].engine, engine))
          g_ptr_array_add (known, (gpointer) options_table[i].name);
      if (known->len == 0)
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                       "Unknown option “%s” for the %s engine, which takes none", key, engine);
          return FALSE;
        }
      g_ptr_array_add (known, NULL);
      list = g_strjoinv (", ", (char **) known->pdata);
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Unknown option “%s” for the %s engine (known options: %s)",
                   key, engine, list);
      return FALSE;
    }
  return TRUE;
}

/* The value of @engine's option @name in @options, or its fallback. */
static gboolean
get_value (GHashTable      *options,
           const char      *engine,
           const char      *name,
           AvfsOptionKind   kind,
           guint64         *value,
           GError         **error)
{
  const AvfsEngineOption *option = avfs_engine_option_find (engine, name);
  const char *text = options != NULL ? g_hash_table_lookup (options, name) : NULL;

  g_assert (option != NULL && option->kind == kind);
  *value = option->fallback;
  return text == NULL || avfs_engine_option_parse (option, text, value, error);
}

gboolean
avfs_storage_options_get_uint64 (GHashTable  *options,
                                 const char  *engine,
                                 const char  *name,
                                 guint64     *out,
                                 GError     **error)
{
  return get_value (options, engine, name, AVFS_OPTION_NUMBER, out, error);
}

gboolean
avfs_storage_options_get_boolean (GHashTable  *options,
                                  const char  *engine,
                                  const char  *name,
                                  gboolean    *out,
                                  GError     **error)
{
  guint64 value;

  if (!get_value (options, engine, name, AVFS_OPTION_SWITCH, &value, error))
    return FALSE;
  *out = value != 0;
  return TRUE;
}

/* Gives the choice's word, from the table: it lives as long as the program. */
gboolean
avfs_storage_options_get_choice (GHashTable   *options,
                                 const char   *engine,
                                 const char   *name,
                                 const char  **out,
                                 GError      **error)
{
  guint64 value;

  if (!get_value (options, engine, name, AVFS_OPTION_CHOICE, &value, error))
    return FALSE;
  *out = avfs_engine_option_find (engine, name)->choices[value];
  return TRUE;
}
