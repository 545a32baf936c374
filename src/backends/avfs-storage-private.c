/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Argument checks, key ordering and disk-usage helpers shared by the storage engines. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "avfs-storage-private.h"

/* Says what is wrong with a collection name that avfs_storage_check_collection() refused. */
static void
set_collection_error (const char  *collection,
                      GError     **error)
{
  gsize len;

  if (collection == NULL || collection[0] == '\0')
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "A collection name is required");
      return;
    }

  len = strlen (collection);
  if (len > AVFS_STORAGE_MAX_COLLECTION_LEN)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Collection name is %zu bytes long; at most %d are allowed",
                   len, AVFS_STORAGE_MAX_COLLECTION_LEN);
    }
  else
    {
      g_autofree char *shown = g_strescape (collection, NULL);
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Invalid collection name “%s”: use lower-case letters, digits and "
                   "“_”, starting with a letter or “_”", shown);
    }
}

/* Runs on every get, put and scan: one pass over the name, no strlen() first. */
gboolean
avfs_storage_check_collection (const char  *collection,
                               GError     **error)
{
  gsize len = 0;

  if (G_UNLIKELY (collection == NULL || collection[0] == '\0'))
    {
      set_collection_error (collection, error);
      return FALSE;
    }

  for (const char *c = collection; *c != '\0'; c++, len++)
    {
      gboolean ok = (*c >= 'a' && *c <= 'z') || *c == '_' || (len > 0 && *c >= '0' && *c <= '9');

      if (G_UNLIKELY (!ok || len == AVFS_STORAGE_MAX_COLLECTION_LEN))
        {
          set_collection_error (collection, error);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
avfs_storage_check_key (const guint8  *key,
                        gsize          key_len,
                        GError       **error)
{
  if (key == NULL || key_len == 0)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "Empty keys cannot be stored");
      return FALSE;
    }
  if (key_len > AVFS_STORAGE_MAX_KEY_LEN)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Key is %zu bytes long; keys may be at most %d bytes",
                   key_len, AVFS_STORAGE_MAX_KEY_LEN);
      return FALSE;
    }
  return TRUE;
}

gboolean
avfs_storage_check_value (const guint8  *value,
                          gsize          value_len,
                          GError       **error)
{
  if (value == NULL && value_len > 0)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "Value has a length but no data");
      return FALSE;
    }
  if (value_len > AVFS_STORAGE_MAX_VALUE_LEN)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Value is %zu bytes long; values may be at most %u bytes "
                   "(store larger data in chunks)",
                   value_len, AVFS_STORAGE_MAX_VALUE_LEN);
      return FALSE;
    }
  return TRUE;
}

void
avfs_storage_set_unknown_collection (GError     **error,
                                     const char  *collection,
                                     const char  *path)
{
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
               "No collection “%s” in the store “%s”; create it first",
               collection, path != NULL ? path : "(memory)");
}

void
avfs_storage_set_closed_error (GError     **error,
                               const char  *engine,
                               const char  *path)
{
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CLOSED,
               "The %s store “%s” is closed; open the vault again",
               engine, path != NULL ? path : "(memory)");
}

/**
 * avfs_storage_set_engine_error:
 * @error: return location for an error
 * @code: what went wrong; %AVFS_ERROR_NO_SPACE, %AVFS_ERROR_CORRUPT and %AVFS_ERROR_IO
 *   get the explanation and advice every engine gives, other codes only @detail
 * @store: what the message calls the store, e.g. `"LMDB store"`
 * @action: completes "Cannot … the @store"
 * @path: the store's file or folder
 * @detail: the library's own words
 *
 * Reports a failed library call the same way for every engine.
 */
void
avfs_storage_set_engine_error (GError     **error,
                               AvfsError    code,
                               const char  *store,
                               const char  *action,
                               const char  *path,
                               const char  *detail)
{
  switch (code)
    {
    case AVFS_ERROR_NO_SPACE:
      g_set_error (error, AVFS_ERROR, code,
                   "Cannot %s the %s “%s”: the disk is full; free some space and try again "
                   "(%s)", action, store, path, detail);
      break;
    case AVFS_ERROR_CORRUPT:
      g_set_error (error, AVFS_ERROR, code,
                   "Cannot %s the %s “%s”: it is damaged or not an avfs vault; restore the "
                   "vault from a backup (%s)", action, store, path, detail);
      break;
    case AVFS_ERROR_IO:
      g_set_error (error, AVFS_ERROR, code,
                   "Cannot %s the %s “%s”: the system refused to read or write it; check "
                   "its permissions and the disk (%s)", action, store, path, detail);
      break;
    default:
      g_set_error (error, AVFS_ERROR, code, "Cannot %s the %s “%s” (%s)",
                   action, store, path, detail);
      break;
    }
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/**
 * avfs_storage_sorted_names:
 * @collections: an engine's table of collections, keyed by name
 *
 * Returns: (transfer full): the names, sorted bytewise, for list_collections() and stats()
 */
char **
avfs_storage_sorted_names (GHashTable *collections)
{
  char **names = (char **) g_hash_table_get_keys_as_array (collections, NULL);

  for (guint i = 0; names[i] != NULL; i++)
    names[i] = g_strdup (names[i]);
  qsort (names, g_strv_length (names), sizeof (char *), compare_names);
  return names;
}

void
avfs_collection_cache_set (AvfsCollectionCache *cache,
                           const char          *collection,
                           gpointer             handle)
{
  g_strlcpy (cache->name, collection, sizeof cache->name);
  cache->handle = handle;
}

/**
 * avfs_storage_prefix_end:
 * @prefix: (array length=prefix_len) (nullable): a key prefix
 * @prefix_len: its length
 * @end_len: (out): the length of the result
 *
 * Computes the smallest key greater than every key starting with @prefix: the prefix
 * with trailing 0xFF bytes dropped and its last byte incremented.
 *
 * Returns: (transfer full) (nullable): that key, or %NULL when there is none (an empty
 *   prefix or one made only of 0xFF bytes), meaning "to the end"
 */
guint8 *
avfs_storage_prefix_end (const guint8 *prefix,
                         gsize         prefix_len,
                         gsize        *end_len)
{
  gsize len = prefix_len;
  guint8 *end;

  while (len > 0 && prefix[len - 1] == 0xFF)
    len--;

  *end_len = len;
  if (len == 0)
    return NULL;

  end = g_memdup2 (prefix, len);
  end[len - 1]++;
  return end;
}

/**
 * avfs_storage_disk_usage:
 * @path: a file or directory
 *
 * Returns: the bytes allocated on disk for @path and, for a directory, everything in it
 */
guint64
avfs_storage_disk_usage (const char *path)
{
  GStatBuf st;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint64 total;

  if (g_lstat (path, &st) != 0)
    return 0;
  total = (guint64) st.st_blocks * 512;
  if (!S_ISDIR (st.st_mode))
    return total;

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      total += avfs_storage_disk_usage (child);
    }
  return total;
}
