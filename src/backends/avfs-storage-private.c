/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Argument checks, key ordering and disk-usage helpers shared by the storage engines. */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "avfs-storage-private.h"

gboolean
avfs_storage_check_collection (const char  *collection,
                               GError     **error)
{
  gsize len;

  if (collection == NULL || collection[0] == '\0')
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "A collection name is required");
      return FALSE;
    }

  len = strlen (collection);
  if (len > AVFS_STORAGE_MAX_COLLECTION_LEN)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "Collection name is %zu bytes long; at most %d are allowed",
                   len, AVFS_STORAGE_MAX_COLLECTION_LEN);
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      char c = collection[i];
      gboolean ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');

      if (!ok)
        {
          g_autofree char *shown = g_strescape (collection, NULL);
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                       "Invalid collection name “%s”: use lower-case letters, digits and "
                       "“_”, starting with a letter or “_”", shown);
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

/* Byte order: memcmp over the common length, then the shorter key first. This is the
 * order of SQLite BLOBs, LMDB's default comparator and RocksDB's bytewise comparator. */
int
avfs_storage_key_compare (const guint8 *a,
                          gsize         a_len,
                          const guint8 *b,
                          gsize         b_len)
{
  int cmp = memcmp (a, b, MIN (a_len, b_len));

  if (cmp != 0)
    return cmp;
  return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
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
