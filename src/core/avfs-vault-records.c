/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The record layer: binary keys, GVariant records of nodes, versions and meta, and the
 * scans that read records in key order. */
#include <string.h>

#include "avfs-vault-private.h"

/* Every record starts with its format byte, so a later avfs can read older records. */
#define NODE_TYPE G_VARIANT_TYPE (AVFS_NODE_RECORD)
#define VERSION_TYPE G_VARIANT_TYPE (AVFS_VERSION_RECORD)
#define USAGE_TYPE G_VARIANT_TYPE (AVFS_USAGE_RECORD)
#define RECORD_FORMAT 1

void
avfs_id_key (guint64 id,
             guint8  key[AVFS_ID_KEY_LEN])
{
  guint64 be = GUINT64_TO_BE (id);

  memcpy (key, &be, sizeof be);
}

guint64
avfs_id_from_key (const guint8 *key)
{
  guint64 be;

  memcpy (&be, key, sizeof be);
  return GUINT64_FROM_BE (be);
}

/**
 * avfs_dirent_key:
 * @parent: the directory's node id
 * @name: an entry name (checked, without `/` or NUL)
 *
 * Returns: (transfer full): @parent ‖ @name, so a directory's entries are one prefix
 */
GBytes *
avfs_dirent_key (guint64     parent,
                 const char *name)
{
  gsize name_len = strlen (name);
  guint8 *key = g_malloc (AVFS_ID_KEY_LEN + name_len);

  avfs_id_key (parent, key);
  memcpy (key + AVFS_ID_KEY_LEN, name, name_len);
  return g_bytes_new_take (key, AVFS_ID_KEY_LEN + name_len);
}

/**
 * avfs_node_text_key:
 * @id: a node id
 * @text: a tag (collection tags) or a metadata key (collection props)
 *
 * Returns: (transfer full): @id ‖ @text, the dirent layout, so all of a node's tags, or
 *   all its metadata, are one prefix
 */
GBytes *
avfs_node_text_key (guint64     id,
                    const char *text)
{
  return avfs_dirent_key (id, text);
}

/**
 * avfs_tag_index_key:
 * @tag: a tag
 * @id: a node carrying it
 *
 * Returns: (transfer full): @tag ‖ 0 ‖ @id, so the nodes carrying a tag are one prefix
 */
GBytes *
avfs_tag_index_key (const char *tag,
                    guint64     id)
{
  gsize tag_len = strlen (tag);
  guint8 *key = g_malloc (tag_len + 1 + AVFS_ID_KEY_LEN);

  memcpy (key, tag, tag_len);
  key[tag_len] = 0;
  avfs_id_key (id, key + tag_len + 1);
  return g_bytes_new_take (key, tag_len + 1 + AVFS_ID_KEY_LEN);
}

/**
 * avfs_tag_index_key_is_valid:
 * @key: (array length=len): a key read from the tag index
 *
 * Returns: whether @key is tag ‖ 0 ‖ id with a tag of one byte or more and no NUL, so
 *   that it starts with its tag as a C string
 */
gboolean
avfs_tag_index_key_is_valid (const guint8 *key,
                             gsize         len)
{
  return len >= AVFS_ID_KEY_LEN + 2 && key[len - AVFS_ID_KEY_LEN - 1] == 0 &&
         memchr (key, 0, len - AVFS_ID_KEY_LEN - 1) == NULL;
}

GBytes *
avfs_version_key (guint64 id,
                  guint32 version)
{
  guint8 *key = g_malloc (AVFS_ID_KEY_LEN + 4);
  guint32 be = GUINT32_TO_BE (version);

  avfs_id_key (id, key);
  memcpy (key + AVFS_ID_KEY_LEN, &be, sizeof be);
  return g_bytes_new_take (key, AVFS_ID_KEY_LEN + 4);
}

/**
 * avfs_vault_get_record:
 * @tx: (nullable): read inside this transaction, or committed state when %NULL
 *
 * Returns: (transfer full) (nullable): the value, %NULL when absent (error unset)
 */
GBytes *
avfs_vault_get_record (AvfsVault        *self,
                       AvfsTransaction  *tx,
                       const char       *collection,
                       const guint8     *key,
                       gsize             key_len,
                       GError          **error)
{
  if (tx != NULL)
    return avfs_transaction_get (tx, collection, key, key_len, error);
  return avfs_storage_get (self->storage, collection, key, key_len, error);
}

/**
 * avfs_record_serialize:
 * @record: (transfer floating): a record built with g_variant_new()
 *
 * Returns: (transfer full): the bytes to store
 */
GBytes *
avfs_record_serialize (GVariant *record)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (record);

  return g_variant_get_data_as_bytes (owned);
}

/**
 * avfs_record_parse:
 * @type: the record's shape, one of the `AVFS_*_RECORD` strings
 * @what: what the record is, for the message
 *
 * Parses a stored record, refusing one whose shape or format byte is wrong.
 *
 * Returns: (transfer full) (nullable): the record, or %NULL with %AVFS_ERROR_CORRUPT
 */
GVariant *
avfs_record_parse (GBytes             *bytes,
                   const GVariantType *type,
                   const char         *what,
                   GError            **error)
{
  g_autoptr(GVariant) record = g_variant_new_from_bytes (type, bytes, FALSE);
  guint8 format = 0;

  if (g_variant_is_normal_form (record))
    g_variant_get_child (record, 0, "y", &format);
  if (format != RECORD_FORMAT)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "A %s record is damaged or from a newer avfs; run “avfs-cli vault verify”",
                   what);
      return NULL;
    }
  return g_steal_pointer (&record);
}

static GBytes *
content_from_variant (GVariant *array)
{
  gsize len;
  const guint8 *data = g_variant_get_fixed_array (array, &len, 1);

  return g_bytes_new (data, len);
}

static GVariant *
content_to_variant (GBytes *content)
{
  if (content == NULL)
    return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, NULL, 0, 1);
  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, content, TRUE);
}

AvfsNode *
avfs_node_new (guint64      id,
               AvfsNodeKind kind,
               guint64      parent,
               const char  *name)
{
  AvfsNode *node = g_new0 (AvfsNode, 1);
  gint64 now = g_get_real_time ();

  node->id = id;
  node->kind = kind;
  node->parent = parent;
  node->name = g_strdup (name);
  node->mode = kind == AVFS_NODE_KIND_DIRECTORY ? 0755 : 0644;
  node->created_us = now;
  node->modified_us = now;
  return node;
}

AvfsNode *
avfs_node_copy (const AvfsNode *node)
{
  AvfsNode *copy = g_memdup2 (node, sizeof *node);

  copy->name = g_strdup (node->name);
  copy->content = node->content != NULL ? g_bytes_ref (node->content) : NULL;
  return copy;
}

void
avfs_node_free (AvfsNode *node)
{
  if (node == NULL)
    return;
  g_free (node->name);
  g_clear_pointer (&node->content, g_bytes_unref);
  g_free (node);
}

/**
 * avfs_node_load:
 *
 * Returns: (transfer full) (nullable): the node, or %NULL with %AVFS_ERROR_NOT_FOUND
 */
AvfsNode *
avfs_node_load (AvfsVault        *self,
                AvfsTransaction  *tx,
                guint64           id,
                GError          **error)
{
  guint8 key[AVFS_ID_KEY_LEN];
  g_autoptr(GBytes) bytes = NULL;

  avfs_id_key (id, key);
  bytes = avfs_vault_get_record (self, tx, AVFS_COLLECTION_NODES, key, sizeof key, error);
  if (bytes == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND, "Node %" G_GUINT64_FORMAT
                     " does not exist", id);
      return NULL;
    }
  return avfs_node_parse (id, bytes, error);
}

/**
 * avfs_node_parse:
 * @id: the node's id (its key)
 * @bytes: its stored record, e.g. from a scan of the nodes
 *
 * Returns: (transfer full) (nullable): the node, or %NULL with %AVFS_ERROR_CORRUPT
 */
AvfsNode *
avfs_node_parse (guint64   id,
                 GBytes   *bytes,
                 GError  **error)
{
  g_autoptr(GVariant) record = avfs_record_parse (bytes, NODE_TYPE, "file", error);
  g_autoptr(GVariant) content = NULL;
  AvfsNode *node;
  guint8 format, kind;

  if (record == NULL)
    return NULL;
  node = g_new0 (AvfsNode, 1);
  node->id = id;
  g_variant_get (record, "(yyt&suxxut@ay)", &format, &kind, &node->parent, NULL,
                 &node->mode, &node->created_us, &node->modified_us, &node->version,
                 &node->size, &content);
  g_variant_get_child (record, 3, "s", &node->name);
  node->kind = kind;
  if (kind == AVFS_NODE_KIND_FILE)
    node->content = content_from_variant (content);
  return node;
}

gboolean
avfs_node_save (AvfsTransaction  *tx,
                const AvfsNode   *node,
                GError          **error)
{
  guint8 key[AVFS_ID_KEY_LEN];
  g_autoptr(GBytes) value = NULL;

  avfs_id_key (node->id, key);
  value = avfs_record_serialize (g_variant_new ("(yytsuxxut@ay)", RECORD_FORMAT,
                                                (guint8) node->kind, node->parent,
                                                node->name, node->mode, node->created_us,
                                                node->modified_us, node->version, node->size,
                                                content_to_variant (node->content)));
  return avfs_transaction_put (tx, AVFS_COLLECTION_NODES, key, sizeof key,
                               g_bytes_get_data (value, NULL), g_bytes_get_size (value),
                               error);
}

/**
 * avfs_node_to_info:
 * @path: the node's path
 *
 * Returns: (transfer full): what stat and list report about @node
 */
AvfsFileInfo *
avfs_node_to_info (const AvfsNode *node,
                   const char     *path)
{
  AvfsFileInfo *info = g_new0 (AvfsFileInfo, 1);

  info->path = g_strdup (path);
  info->name = g_strdup (node->name);
  info->kind = node->kind;
  info->id = node->id;
  info->size = node->size;
  info->mode = node->mode;
  info->created_us = node->created_us;
  info->modified_us = node->modified_us;
  info->version = node->version;
  if (node->content != NULL)
    info->n_chunks = g_bytes_get_size (node->content) / AVFS_HASH_LEN;
  return info;
}

void
avfs_version_free (AvfsVersion *version)
{
  if (version == NULL)
    return;
  g_free (version->op);
  g_clear_pointer (&version->content, g_bytes_unref);
  g_free (version);
}

/**
 * avfs_version_load:
 *
 * Returns: (transfer full) (nullable): the version, or %NULL with %AVFS_ERROR_NOT_FOUND
 */
AvfsVersion *
avfs_version_load (AvfsVault        *self,
                   AvfsTransaction  *tx,
                   guint64           id,
                   guint32           number,
                   GError          **error)
{
  g_autoptr(GBytes) key = avfs_version_key (id, number);
  g_autoptr(GBytes) bytes = NULL;

  bytes = avfs_vault_get_record (self, tx, AVFS_COLLECTION_VERSIONS,
                                 g_bytes_get_data (key, NULL), g_bytes_get_size (key), error);
  if (bytes == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                     "Version %u does not exist", number);
      return NULL;
    }
  return avfs_version_parse (bytes, error);
}

/**
 * avfs_version_parse:
 * @bytes: a stored version record, e.g. from a scan of the versions
 *
 * Returns: (transfer full) (nullable): the version, or %NULL with %AVFS_ERROR_CORRUPT
 */
AvfsVersion *
avfs_version_parse (GBytes   *bytes,
                    GError  **error)
{
  g_autoptr(GVariant) record = avfs_record_parse (bytes, VERSION_TYPE, "version", error);
  g_autoptr(GVariant) content = NULL;
  AvfsVersion *version;

  if (record == NULL)
    return NULL;
  version = g_new0 (AvfsVersion, 1);
  g_variant_get (record, "(ytxs@ay)", NULL, &version->size, &version->time_us,
                 &version->op, &content);
  version->content = content_from_variant (content);
  return version;
}

gboolean
avfs_version_save (AvfsTransaction    *tx,
                   guint64             id,
                   guint32             number,
                   const AvfsVersion  *version,
                   GError            **error)
{
  g_autoptr(GBytes) key = avfs_version_key (id, number);
  g_autoptr(GBytes) value = NULL;

  value = avfs_record_serialize (g_variant_new ("(ytxs@ay)", RECORD_FORMAT, version->size,
                                                version->time_us, version->op,
                                                content_to_variant (version->content)));
  return avfs_transaction_put (tx, AVFS_COLLECTION_VERSIONS,
                               g_bytes_get_data (key, NULL), g_bytes_get_size (key),
                               g_bytes_get_data (value, NULL), g_bytes_get_size (value),
                               error);
}

gboolean
avfs_usage_load (AvfsVault        *self,
                 AvfsTransaction  *tx,
                 AvfsUsage        *usage,
                 GError          **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) record = NULL;

  bytes = avfs_vault_get_record (self, tx, AVFS_COLLECTION_META,
                                 (const guint8 *) "usage", 5, error);
  if (bytes == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                             "The vault has no usage record; run “avfs-cli vault verify”");
      return FALSE;
    }
  record = avfs_record_parse (bytes, USAGE_TYPE, "usage", error);
  if (record == NULL)
    return FALSE;
  g_variant_get (record, "(yttt)", NULL, &usage->files, &usage->directories, &usage->bytes);
  return TRUE;
}

gboolean
avfs_usage_save (AvfsTransaction  *tx,
                 const AvfsUsage  *usage,
                 GError          **error)
{
  g_autoptr(GBytes) value = NULL;

  value = avfs_record_serialize (g_variant_new ("(yttt)", RECORD_FORMAT, usage->files,
                                                usage->directories, usage->bytes));
  return avfs_transaction_put (tx, AVFS_COLLECTION_META, (const guint8 *) "usage", 5,
                               g_bytes_get_data (value, NULL), g_bytes_get_size (value),
                               error);
}

/* Meta integers are stored big-endian, 8 bytes; an absent one reads as 0. */
gboolean
avfs_meta_get_uint64 (AvfsVault        *self,
                      AvfsTransaction  *tx,
                      const char       *name,
                      guint64          *value,
                      GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = avfs_vault_get_record (self, tx, AVFS_COLLECTION_META,
                                                   (const guint8 *) name, strlen (name),
                                                   &local_error);

  *value = 0;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (bytes == NULL)
    return TRUE;
  if (g_bytes_get_size (bytes) != AVFS_ID_KEY_LEN)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "The vault setting “%s” is damaged; run “avfs-cli vault verify”", name);
      return FALSE;
    }
  *value = avfs_id_from_key (g_bytes_get_data (bytes, NULL));
  return TRUE;
}

gboolean
avfs_meta_put_uint64 (AvfsTransaction  *tx,
                      const char       *name,
                      guint64           value,
                      GError          **error)
{
  guint8 bytes[AVFS_ID_KEY_LEN];

  avfs_id_key (value, bytes);
  return avfs_transaction_put (tx, AVFS_COLLECTION_META, (const guint8 *) name,
                               strlen (name), bytes, sizeof bytes, error);
}

/**
 * avfs_vault_scan_cursor_each:
 * @cursor: a cursor from avfs_storage_scan_prefix() or avfs_storage_scan_range()
 * @cancellable: (nullable): checked before each entry
 * @func: called with @cursor on each entry; returns %FALSE to stop, setting its error
 *   when that is a failure
 *
 * Returns: %FALSE when @func fails, reading fails or @cancellable is cancelled
 */
gboolean
avfs_vault_scan_cursor_each (AvfsCursor    *cursor,
                             GCancellable  *cancellable,
                             AvfsScanFunc   func,
                             gpointer       user_data,
                             GError       **error)
{
  GError *local_error = NULL;

  while (avfs_cursor_next (cursor, &local_error))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error) ||
          !func (cursor, user_data, &local_error))
        break;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/**
 * avfs_vault_scan_prefix_each:
 * @prefix: (array length=prefix_len) (nullable): the keys to visit; empty for all of
 *   @collection
 *
 * Calls @func on the entries of @collection whose keys start with @prefix.
 */
gboolean
avfs_vault_scan_prefix_each (AvfsVault     *self,
                             const char    *collection,
                             const guint8  *prefix,
                             gsize          prefix_len,
                             AvfsScanFunc   func,
                             gpointer       user_data,
                             GError       **error)
{
  g_autoptr(AvfsCursor) cursor = avfs_storage_scan_prefix (self->storage, collection, prefix,
                                                           prefix_len, error);

  return cursor != NULL && avfs_vault_scan_cursor_each (cursor, NULL, func, user_data, error);
}

/**
 * avfs_skip_not_found:
 * @local_error: (transfer full) (nullable): what a read of a node or version set
 *
 * Readers take no lock, so a node or version removed since a scan listed it is skipped,
 * not reported: this drops @local_error when it is %AVFS_ERROR_NOT_FOUND and hands any
 * other error on.
 *
 * Returns: %FALSE when @local_error was another error, now in @error
 */
gboolean
avfs_skip_not_found (GError  *local_error,
                     GError **error)
{
  if (local_error == NULL)
    return TRUE;
  if (g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_error_free (local_error);
      return TRUE;
    }
  g_propagate_error (error, local_error);
  return FALSE;
}
