/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsTransaction: the base class of every engine's transaction; validates arguments.
 *
 * get(), put() and delete() run once per record, so they check @self only for NULL:
 * AVFS_IS_TRANSACTION() on an engine's subclass takes GLib's slow type-check path. */
#include "avfs-transaction.h"
#include "avfs-storage-private.h"

G_DEFINE_ABSTRACT_TYPE (AvfsTransaction, avfs_transaction, G_TYPE_OBJECT)

static void
avfs_transaction_class_init (AvfsTransactionClass *klass)
{
}

static void
avfs_transaction_init (AvfsTransaction *self)
{
}

/**
 * avfs_transaction_get:
 * @self: an open transaction
 * @collection: the collection's name
 * @key: (array length=key_len): the key
 * @key_len: its length in bytes
 * @error: return location for an error
 *
 * Reads a value as this transaction sees it, including its own writes.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error unset when
 *   the key is absent
 */
GBytes *
avfs_transaction_get (AvfsTransaction  *self,
                      const char       *collection,
                      const guint8     *key,
                      gsize             key_len,
                      GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!avfs_storage_check_collection (collection, error) ||
      !avfs_storage_check_key (key, key_len, error))
    return NULL;

  return AVFS_TRANSACTION_GET_CLASS (self)->get (self, collection, key, key_len, error);
}

/**
 * avfs_transaction_put:
 * @self: an open transaction
 * @collection: the collection's name (it must exist)
 * @key: (array length=key_len): the key
 * @key_len: its length in bytes
 * @value: (array length=value_len) (nullable): the value
 * @value_len: its length in bytes, may be 0
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_transaction_put (AvfsTransaction  *self,
                      const char       *collection,
                      const guint8     *key,
                      gsize             key_len,
                      const guint8     *value,
                      gsize             value_len,
                      GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!avfs_storage_check_collection (collection, error) ||
      !avfs_storage_check_key (key, key_len, error) ||
      !avfs_storage_check_value (value, value_len, error))
    return FALSE;

  return AVFS_TRANSACTION_GET_CLASS (self)->put (self, collection, key, key_len,
                                                 value != NULL ? value : (const guint8 *) "",
                                                 value_len, error);
}

/**
 * avfs_transaction_delete:
 * @self: an open transaction
 * @collection: the collection's name
 * @key: (array length=key_len): the key
 * @key_len: its length in bytes
 * @error: return location for an error
 *
 * Deleting a key that is absent is not an error.
 *
 * Returns: %TRUE on success
 */
gboolean
avfs_transaction_delete (AvfsTransaction  *self,
                         const char       *collection,
                         const guint8     *key,
                         gsize             key_len,
                         GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!avfs_storage_check_collection (collection, error) ||
      !avfs_storage_check_key (key, key_len, error))
    return FALSE;

  return AVFS_TRANSACTION_GET_CLASS (self)->delete (self, collection, key, key_len, error);
}
