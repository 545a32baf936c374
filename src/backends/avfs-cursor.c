/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsCursor: the base class every engine's scan cursor derives from.
 *
 * next(), get_key() and get_value() run once per entry of a scan, so they check only
 * for NULL: AVFS_IS_CURSOR() on an engine's subclass takes GLib's slow type-check path
 * (a type-system lookup), which cost a fifth of the instructions of an LMDB scan. */
#include "avfs-cursor.h"
#include "avfs-error.h"

typedef struct
{
  const guint8 *key;
  gsize key_len;
  const guint8 *value;
  gsize value_len;
  gboolean done;
} AvfsCursorPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (AvfsCursor, avfs_cursor, G_TYPE_OBJECT)

static void
avfs_cursor_class_init (AvfsCursorClass *klass)
{
}

static void
avfs_cursor_init (AvfsCursor *self)
{
}

/**
 * avfs_cursor_next:
 * @self: a cursor
 * @error: return location for an error
 *
 * Moves to the next entry. Loop with `while (avfs_cursor_next (c, &error))` and check
 * @error afterwards.
 *
 * Returns: %TRUE when the cursor stands on an entry, %FALSE at the end or on error.
 */
gboolean
avfs_cursor_next (AvfsCursor  *self,
                  GError     **error)
{
  AvfsCursorPrivate *priv;

  g_return_val_if_fail (self != NULL, FALSE);

  priv = avfs_cursor_get_instance_private (self);
  if (priv->done)
    return FALSE;

  if (!AVFS_CURSOR_GET_CLASS (self)->next (self, error))
    {
      priv->done = TRUE;
      priv->key = priv->value = NULL;
      priv->key_len = priv->value_len = 0;
      return FALSE;
    }
  return TRUE;
}

/**
 * avfs_cursor_get_key:
 * @self: a cursor standing on an entry
 * @len: (out): the key's length
 *
 * Returns: (transfer none): the key, valid until the next avfs_cursor_next()
 */
const guint8 *
avfs_cursor_get_key (AvfsCursor *self,
                     gsize      *len)
{
  AvfsCursorPrivate *priv;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  priv = avfs_cursor_get_instance_private (self);
  *len = priv->key_len;
  return priv->key;
}

/**
 * avfs_cursor_get_value:
 * @self: a cursor standing on an entry
 * @len: (out): the value's length
 *
 * Returns: (transfer none): the value, valid until the next avfs_cursor_next()
 */
const guint8 *
avfs_cursor_get_value (AvfsCursor *self,
                       gsize      *len)
{
  AvfsCursorPrivate *priv;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  priv = avfs_cursor_get_instance_private (self);
  *len = priv->value_len;
  return priv->value;
}

/**
 * avfs_cursor_dup_key:
 * @self: a cursor standing on an entry
 *
 * Returns: (transfer full): a copy of the current key
 */
GBytes *
avfs_cursor_dup_key (AvfsCursor *self)
{
  gsize len;
  const guint8 *key;

  g_return_val_if_fail (AVFS_IS_CURSOR (self), NULL);

  key = avfs_cursor_get_key (self, &len);
  return g_bytes_new (key, len);
}

/**
 * avfs_cursor_dup_value:
 * @self: a cursor standing on an entry
 *
 * Returns: (transfer full): a copy of the current value
 */
GBytes *
avfs_cursor_dup_value (AvfsCursor *self)
{
  gsize len;
  const guint8 *value;

  g_return_val_if_fail (AVFS_IS_CURSOR (self), NULL);

  value = avfs_cursor_get_value (self, &len);
  return g_bytes_new (value, len);
}

void
avfs_cursor_set_entry (AvfsCursor   *self,
                       const guint8 *key,
                       gsize         key_len,
                       const guint8 *value,
                       gsize         value_len)
{
  AvfsCursorPrivate *priv = avfs_cursor_get_instance_private (self);

  /* Empty values may come as NULL from an engine; callers always get a pointer. */
  priv->key = key;
  priv->key_len = key_len;
  priv->value = value != NULL ? value : (const guint8 *) "";
  priv->value_len = value_len;
}
