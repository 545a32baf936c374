/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading engine options ([backend.NAME] in config.toml) with errors that say what to fix. */
#include <string.h>

#include "avfs-storage-private.h"

gboolean
avfs_storage_options_check_keys (GHashTable         *options,
                                 const char         *engine,
                                 const char * const *known,
                                 GError            **error)
{
  GHashTableIter iter;
  const char *key;

  if (options == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      if (!g_strv_contains (known, key))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) known);
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                       "Unknown option “%s” for the %s engine (known options: %s)",
                       key, engine, list);
          return FALSE;
        }
    }
  return TRUE;
}

static const char *
lookup (GHashTable *options,
        const char *key)
{
  return options != NULL ? g_hash_table_lookup (options, key) : NULL;
}

gboolean
avfs_storage_options_get_uint64 (GHashTable  *options,
                                 const char  *engine,
                                 const char  *key,
                                 guint64      default_value,
                                 guint64      min,
                                 guint64      max,
                                 guint64     *out,
                                 GError     **error)
{
  const char *text = lookup (options, key);
  g_autoptr(GError) local_error = NULL;

  *out = default_value;
  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, &local_error))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Option %s for the %s engine must be a whole number from %" G_GUINT64_FORMAT
                   " to %" G_GUINT64_FORMAT ", not “%s”", key, engine, min, max, text);
      return FALSE;
    }
  return TRUE;
}

gboolean
avfs_storage_options_get_boolean (GHashTable  *options,
                                  const char  *engine,
                                  const char  *key,
                                  gboolean     default_value,
                                  gboolean    *out,
                                  GError     **error)
{
  const char *text = lookup (options, key);

  *out = default_value;
  if (text == NULL)
    return TRUE;

  if (g_ascii_strcasecmp (text, "true") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (text, "false") == 0)
    *out = FALSE;
  else
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Option %s for the %s engine must be true or false, not “%s”",
                   key, engine, text);
      return FALSE;
    }
  return TRUE;
}

gboolean
avfs_storage_options_get_choice (GHashTable         *options,
                                 const char         *engine,
                                 const char         *key,
                                 const char * const *choices,
                                 guint               default_index,
                                 guint              *out,
                                 GError            **error)
{
  const char *text = lookup (options, key);
  g_autofree char *list = NULL;

  *out = default_index;
  if (text == NULL)
    return TRUE;

  for (guint i = 0; choices[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (text, choices[i]) == 0)
        {
          *out = i;
          return TRUE;
        }
    }

  list = g_strjoinv (", ", (char **) choices);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               "Option %s for the %s engine must be one of %s, not “%s”",
               key, engine, list, text);
  return FALSE;
}
