/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the storage engines: argument checks, key order, options, disk use. */
#pragma once

#include "avfs-storage.h"

G_BEGIN_DECLS

gboolean avfs_storage_check_collection      (const char    *collection,
                                             GError       **error);
gboolean avfs_storage_check_key             (const guint8  *key,
                                             gsize          key_len,
                                             GError       **error);
gboolean avfs_storage_check_value           (const guint8  *value,
                                             gsize          value_len,
                                             GError       **error);
void     avfs_storage_set_unknown_collection (GError      **error,
                                             const char    *collection,
                                             const char    *path);
int      avfs_storage_key_compare           (const guint8  *a,
                                             gsize          a_len,
                                             const guint8  *b,
                                             gsize          b_len);
guint8  *avfs_storage_prefix_end            (const guint8  *prefix,
                                             gsize          prefix_len,
                                             gsize         *end_len);
guint64  avfs_storage_disk_usage            (const char    *path);

/* Engine options (the [backend.NAME] tables of config.toml), as string → string. Each
 * reader names the engine, option and accepted values in its error. */
gboolean avfs_storage_options_check_keys    (GHashTable         *options,
                                             const char         *engine,
                                             const char * const *known,
                                             GError            **error);
gboolean avfs_storage_options_get_uint64    (GHashTable    *options,
                                             const char    *engine,
                                             const char    *key,
                                             guint64        default_value,
                                             guint64        min,
                                             guint64        max,
                                             guint64       *out,
                                             GError       **error);
gboolean avfs_storage_options_get_boolean   (GHashTable    *options,
                                             const char    *engine,
                                             const char    *key,
                                             gboolean       default_value,
                                             gboolean      *out,
                                             GError       **error);
gboolean avfs_storage_options_get_choice    (GHashTable         *options,
                                             const char         *engine,
                                             const char         *key,
                                             const char * const *choices,
                                             guint               default_index,
                                             guint              *out,
                                             GError            **error);

G_END_DECLS
