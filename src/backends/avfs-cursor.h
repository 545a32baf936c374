/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsCursor: iterates key/value pairs of one collection in byte order. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AVFS_TYPE_CURSOR (avfs_cursor_get_type ())
G_DECLARE_DERIVABLE_TYPE (AvfsCursor, avfs_cursor, AVFS, CURSOR, GObject)

/**
 * AvfsCursorClass:
 * @next: advance to the next entry; on success call avfs_cursor_set_entry() and
 *   return %TRUE, at the end return %FALSE with @error unset.
 *
 * Engines subclass this. A cursor is used by one thread at a time.
 */
struct _AvfsCursorClass
{
  GObjectClass parent_class;

  gboolean (*next) (AvfsCursor  *self,
                    GError     **error);
};

gboolean      avfs_cursor_next      (AvfsCursor  *self,
                                     GError     **error);
const guint8 *avfs_cursor_get_key   (AvfsCursor  *self,
                                     gsize       *len);
const guint8 *avfs_cursor_get_value (AvfsCursor  *self,
                                     gsize       *len);
GBytes       *avfs_cursor_dup_key   (AvfsCursor  *self);
GBytes       *avfs_cursor_dup_value (AvfsCursor  *self);

/* For engines: the entry the cursor stands on; the memory must stay valid until the
 * next call to next() or until the cursor is finalized. */
void          avfs_cursor_set_entry (AvfsCursor   *self,
                                     const guint8 *key,
                                     gsize         key_len,
                                     const guint8 *value,
                                     gsize         value_len);

G_END_DECLS
