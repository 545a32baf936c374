/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsTransaction: get/put/delete inside one all-or-nothing storage transaction. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AVFS_TYPE_TRANSACTION (avfs_transaction_get_type ())
G_DECLARE_DERIVABLE_TYPE (AvfsTransaction, avfs_transaction, AVFS, TRANSACTION, GObject)

/**
 * AvfsTransactionClass:
 * @get: like avfs_storage_get(), seeing this transaction's own writes
 * @put: like avfs_storage_put()
 * @delete: like avfs_storage_delete()
 *
 * Engines subclass this; arguments reach them already validated.
 */
struct _AvfsTransactionClass
{
  GObjectClass parent_class;

  GBytes  *(*get)    (AvfsTransaction  *self,
                      const char       *collection,
                      const guint8     *key,
                      gsize             key_len,
                      GError          **error);
  gboolean (*put)    (AvfsTransaction  *self,
                      const char       *collection,
                      const guint8     *key,
                      gsize             key_len,
                      const guint8     *value,
                      gsize             value_len,
                      GError          **error);
  gboolean (*delete) (AvfsTransaction  *self,
                      const char       *collection,
                      const guint8     *key,
                      gsize             key_len,
                      GError          **error);
};

/**
 * AvfsTransactionFunc:
 * @tx: the open transaction
 * @user_data: data given to avfs_storage_transaction()
 * @error: set it and return %FALSE to roll everything back
 *
 * The body of a transaction. It may run more than once (an engine retries after
 * growing its storage), so it must not change anything outside @tx.
 *
 * Returns: %TRUE to commit
 */
typedef gboolean (*AvfsTransactionFunc) (AvfsTransaction  *tx,
                                         gpointer          user_data,
                                         GError          **error);

GBytes  *avfs_transaction_get    (AvfsTransaction  *self,
                                  const char       *collection,
                                  const guint8     *key,
                                  gsize             key_len,
                                  GError          **error);
gboolean avfs_transaction_put    (AvfsTransaction  *self,
                                  const char       *collection,
                                  const guint8     *key,
                                  gsize             key_len,
                                  const guint8     *value,
                                  gsize             value_len,
                                  GError          **error);
gboolean avfs_transaction_delete (AvfsTransaction  *self,
                                  const char       *collection,
                                  const guint8     *key,
                                  gsize             key_len,
                                  GError          **error);

G_END_DECLS
