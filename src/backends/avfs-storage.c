/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStorage: the interface's public entry points, which validate before engines run. */
#include "avfs-storage-private.h"

G_DEFINE_INTERFACE (AvfsStorage, avfs_storage, G_TYPE_OBJECT)

static void
avfs_storage_default_init (AvfsStorageInterface *iface)
{
}

/* The store's interface, or NULL when @self is not a store. It stands in for
 * AVFS_IS_STORAGE(), which for an interface walks the type system: the calls below run
 * once per record, and need the interface anyway. */
static inline AvfsStorageInterface *
storage_iface (AvfsStorage *self)
{
  return self != NULL ? AVFS_STORAGE_GET_IFACE (self) : NULL;
}

static gboolean
check_open (AvfsStorage           *self,
            AvfsStorageInterface  *iface,
            GError               **error)
{
  if (!iface->is_closed (self))
    return TRUE;

  avfs_storage_set_closed_error (error, iface->get_engine_name (self), iface->get_path (self));
  return FALSE;
}

static gboolean
check_access (AvfsStorage           *self,
              AvfsStorageInterface  *iface,
              const char            *collection,
              const guint8          *key,
              gsize                  key_len,
              GError               **error)
{
  return check_open (self, iface, error) &&
         avfs_storage_check_collection (collection, error) &&
         avfs_storage_check_key (key, key_len, error);
}

/**
 * avfs_storage_get_engine_name:
 * @self: a store
 *
 * Returns: the engine's name, e.g. `"lmdb"`
 */
const char *
avfs_storage_get_engine_name (AvfsStorage *self)
{
  g_return_val_if_fail (AVFS_IS_STORAGE (self), NULL);
  return AVFS_STORAGE_GET_IFACE (self)->get_engine_name (self);
}

/**
 * avfs_storage_get_path:
 * @self: a store
 *
 * Returns: (nullable): the file or directory holding the store, %NULL for memory
 */
const char *
avfs_storage_get_path (AvfsStorage *self)
{
  g_return_val_if_fail (AVFS_IS_STORAGE (self), NULL);
  return AVFS_STORAGE_GET_IFACE (self)->get_path (self);
}

/**
 * avfs_storage_create_collection:
 * @self: a store
 * @collection: a name of 1–64 characters from `a-z0-9_`, starting with a letter or `_`
 * @flags: how the engine may lay the collection out
 * @error: return location for an error
 *
 * Creates @collection if it does not exist yet (it is not an error if it does; an
 * existing collection keeps its layout).
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_storage_create_collection (AvfsStorage          *self,
                                const char           *collection,
                                AvfsCollectionFlags   flags,
                                GError              **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, FALSE);

  if (!check_open (self, iface, error) || !avfs_storage_check_collection (collection, error))
    return FALSE;
  return iface->create_collection (self, collection, flags, error);
}

/**
 * avfs_storage_list_collections:
 * @self: a store
 * @error: return location for an error
 *
 * Returns: (transfer full): the names of all collections, sorted
 */
char **
avfs_storage_list_collections (AvfsStorage  *self,
                               GError      **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, NULL);

  if (!check_open (self, iface, error))
    return NULL;
  return iface->list_collections (self, error);
}

/**
 * avfs_storage_get:
 * @self: a store
 * @collection: an existing collection
 * @key: (array length=key_len): 1 to %AVFS_STORAGE_MAX_KEY_LEN bytes
 * @key_len: the key's length
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error unset when the
 *   key is absent
 */
GBytes *
avfs_storage_get (AvfsStorage   *self,
                  const char    *collection,
                  const guint8  *key,
                  gsize          key_len,
                  GError       **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, NULL);

  if (!check_access (self, iface, collection, key, key_len, error))
    return NULL;
  return iface->get (self, collection, key, key_len, error);
}

/**
 * avfs_storage_put:
 * @self: a store
 * @collection: an existing collection
 * @key: (array length=key_len): 1 to %AVFS_STORAGE_MAX_KEY_LEN bytes
 * @key_len: the key's length
 * @value: (array length=value_len) (nullable): up to %AVFS_STORAGE_MAX_VALUE_LEN bytes
 * @value_len: the value's length, may be 0
 * @error: return location for an error
 *
 * Stores @value under @key, replacing any previous value, in a transaction of its own.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_storage_put (AvfsStorage   *self,
                  const char    *collection,
                  const guint8  *key,
                  gsize          key_len,
                  const guint8  *value,
                  gsize          value_len,
                  GError       **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, FALSE);

  if (!check_access (self, iface, collection, key, key_len, error) ||
      !avfs_storage_check_value (value, value_len, error))
    return FALSE;
  return iface->put (self, collection, key, key_len,
                     value != NULL ? value : (const guint8 *) "", value_len, error);
}

/**
 * avfs_storage_delete:
 * @self: a store
 * @collection: an existing collection
 * @key: (array length=key_len): the key
 * @key_len: the key's length
 * @error: return location for an error
 *
 * Removes @key; deleting an absent key is not an error.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_storage_delete (AvfsStorage   *self,
                     const char    *collection,
                     const guint8  *key,
                     gsize          key_len,
                     GError       **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, FALSE);

  if (!check_access (self, iface, collection, key, key_len, error))
    return FALSE;
  return iface->delete (self, collection, key, key_len, error);
}

/**
 * avfs_storage_exists:
 * @self: a store
 * @collection: an existing collection
 * @key: (array length=key_len): the key
 * @key_len: the key's length
 * @exists: (out): whether @key is present
 * @error: return location for an error
 *
 * Returns: %TRUE if the lookup succeeded (whatever its answer)
 */
gboolean
avfs_storage_exists (AvfsStorage   *self,
                     const char    *collection,
                     const guint8  *key,
                     gsize          key_len,
                     gboolean      *exists,
                     GError       **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, FALSE);
  g_return_val_if_fail (exists != NULL, FALSE);

  *exists = FALSE;
  if (!check_access (self, iface, collection, key, key_len, error))
    return FALSE;
  return iface->exists (self, collection, key, key_len, exists, error);
}

/**
 * avfs_storage_scan_prefix:
 * @self: a store
 * @collection: an existing collection
 * @prefix: (array length=prefix_len) (nullable): the prefix; empty scans everything
 * @prefix_len: its length
 * @error: return location for an error
 *
 * Returns: (transfer full): a cursor over the keys starting with @prefix, in byte order
 */
AvfsCursor *
avfs_storage_scan_prefix (AvfsStorage   *self,
                          const char    *collection,
                          const guint8  *prefix,
                          gsize          prefix_len,
                          GError       **error)
{
  AvfsStorageInterface *iface = storage_iface (self);
  g_autofree guint8 *end = NULL;
  gsize end_len = 0;

  g_return_val_if_fail (iface != NULL, NULL);
  g_return_val_if_fail (prefix != NULL || prefix_len == 0, NULL);

  if (!check_open (self, iface, error) || !avfs_storage_check_collection (collection, error))
    return NULL;

  end = avfs_storage_prefix_end (prefix, prefix_len, &end_len);
  return iface->scan_range (self, collection, prefix_len > 0 ? prefix : NULL, prefix_len,
                            end, end_len, error);
}

/**
 * avfs_storage_scan_range:
 * @self: a store
 * @collection: an existing collection
 * @start: (array length=start_len) (nullable): first key included; %NULL: from the start
 * @start_len: its length
 * @end: (array length=end_len) (nullable): first key excluded; %NULL: to the end
 * @end_len: its length
 * @error: return location for an error
 *
 * Returns: (transfer full): a cursor over the keys in [@start, @end), in byte order
 */
AvfsCursor *
avfs_storage_scan_range (AvfsStorage   *self,
                         const char    *collection,
                         const guint8  *start,
                         gsize          start_len,
                         const guint8  *end,
                         gsize          end_len,
                         GError       **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, NULL);
  g_return_val_if_fail (start != NULL || start_len == 0, NULL);
  g_return_val_if_fail (end != NULL || end_len == 0, NULL);

  if (!check_open (self, iface, error) || !avfs_storage_check_collection (collection, error))
    return NULL;
  return iface->scan_range (self, collection, start, start_len, end, end_len, error);
}

/**
 * avfs_storage_transaction:
 * @self: a store
 * @func: the transaction's body
 * @user_data: data for @func
 * @error: return location for an error
 *
 * Runs @func in a write transaction: everything it puts and deletes commits at once,
 * or — when it fails or the commit fails — not at all. Other threads' readers see the
 * state before or after, never between. Transactions on one store run one at a time.
 *
 * Returns: %TRUE if @func succeeded and the transaction committed
 */
gboolean
avfs_storage_transaction (AvfsStorage          *self,
                          AvfsTransactionFunc   func,
                          gpointer              user_data,
                          GError              **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!check_open (self, iface, error))
    return FALSE;
  return iface->transaction (self, func, user_data, error);
}

/**
 * avfs_storage_sync:
 * @self: a store
 * @error: return location for an error
 *
 * Makes every committed write durable on disk.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_storage_sync (AvfsStorage  *self,
                   GError      **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, FALSE);

  if (!check_open (self, iface, error))
    return FALSE;
  return iface->sync (self, error);
}

static void
hint_bulk (AvfsStorage *self,
           gboolean     begin)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_if_fail (iface != NULL);

  if (iface->hint_bulk != NULL)
    iface->hint_bulk (self, begin);
}

/**
 * avfs_storage_begin_bulk:
 * @self: a store
 *
 * Says that a job reading or writing much of the store (an import, an export, a
 * verify, a migration, an index rebuild) runs until the matching
 * avfs_storage_end_bulk(), from any thread. Meanwhile the engine may trade the speed
 * of its lookups for a bounded resident memory: LMDB then drops its map's pages from
 * the process as soon as they pass its allowance (docs/storage.md, "Memory"). Jobs may
 * overlap; each begin needs its end.
 */
void
avfs_storage_begin_bulk (AvfsStorage *self)
{
  hint_bulk (self, TRUE);
}

/**
 * avfs_storage_end_bulk:
 * @self: a store
 *
 * Ends what avfs_storage_begin_bulk() began.
 */
void
avfs_storage_end_bulk (AvfsStorage *self)
{
  hint_bulk (self, FALSE);
}

/**
 * avfs_storage_compact:
 * @self: a store
 * @error: return location for an error
 *
 * Asks the engine to reclaim space (VACUUM, compaction, copy-compaction).
 *
 * Returns: (transfer full): the sizes before and after
 */
AvfsCompactionStats *
avfs_storage_compact (AvfsStorage  *self,
                      GError      **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, NULL);

  if (!check_open (self, iface, error))
    return NULL;
  return iface->compact (self, error);
}

/**
 * avfs_storage_stats:
 * @self: a store
 * @error: return location for an error
 *
 * Counts keys and bytes per collection (a full scan) and reads the engine's figures.
 *
 * Returns: (transfer full): the store's statistics
 */
AvfsStorageStats *
avfs_storage_stats (AvfsStorage  *self,
                    GError      **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, NULL);

  if (!check_open (self, iface, error))
    return NULL;
  return iface->stats (self, error);
}

/**
 * avfs_storage_close:
 * @self: a store
 * @error: return location for an error
 *
 * Flushes and releases the store; later calls fail with %AVFS_ERROR_CLOSED. Closing
 * twice is harmless. No other call may be running on @self meanwhile.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_storage_close (AvfsStorage  *self,
                    GError      **error)
{
  AvfsStorageInterface *iface = storage_iface (self);

  g_return_val_if_fail (iface != NULL, FALSE);

  if (iface->is_closed (self))
    return TRUE;
  return iface->close (self, error);
}
