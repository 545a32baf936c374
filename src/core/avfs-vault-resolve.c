/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From vault paths to nodes and back: directory entries, id allocation, subtree walks. */
#include <string.h>

#include "avfs-path.h"
#include "avfs-vault-private.h"

/* A directory entry's value: the child's id and kind, so listing needs no node reads
 * to put directories first. */
#define DIRENT_VALUE_LEN (AVFS_ID_KEY_LEN + 1)

/* Reads the entry @name (@name_len bytes, not NUL-terminated) of directory @parent:
 * the child's id and kind. Returns FALSE with @error unset when there is no such entry.
 * The key is built on the stack: this runs for every name of every path resolved. */
static gboolean
lookup_entry (AvfsVault        *self,
              AvfsTransaction  *tx,
              guint64           parent,
              const char       *name,
              gsize             name_len,
              guint64          *id,
              AvfsNodeKind     *kind,
              GError          **error)
{
  guint8 key[AVFS_ID_KEY_LEN + AVFS_PATH_MAX_NAME];
  g_autoptr(GBytes) value = NULL;
  const guint8 *data;

  /* No entry has a longer name (avfs_path_check_name()). */
  if (name_len > AVFS_PATH_MAX_NAME)
    return FALSE;
  avfs_id_key (parent, key);
  memcpy (key + AVFS_ID_KEY_LEN, name, name_len);
  value = avfs_vault_get_record (self, tx, AVFS_COLLECTION_DIRENTS, key,
                                 AVFS_ID_KEY_LEN + name_len, error);
  if (value == NULL)
    return FALSE;
  if (g_bytes_get_size (value) != DIRENT_VALUE_LEN)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "The directory entry “%.*s” is damaged; run “avfs-cli vault verify”",
                   (int) name_len, name);
      return FALSE;
    }
  data = g_bytes_get_data (value, NULL);
  *id = avfs_id_from_key (data);
  *kind = data[AVFS_ID_KEY_LEN];
  return TRUE;
}

/* Loads the node an entry named @name points to; a missing one is damage. */
static AvfsNode *
load_entry_node (AvfsVault        *self,
                 AvfsTransaction  *tx,
                 guint64           id,
                 const char       *name,
                 GError          **error)
{
  GError *local_error = NULL;
  AvfsNode *node = avfs_node_load (self, tx, id, &local_error);

  if (node == NULL && g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "The directory entry “%s” points to a missing file; run “avfs-cli vault verify”",
                   name);
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return node;
}

/**
 * avfs_vault_lookup_child:
 *
 * Returns: (transfer full) (nullable): the entry @name of directory @parent, or %NULL
 *   with the error unset when there is none
 */
AvfsNode *
avfs_vault_lookup_child (AvfsVault        *self,
                         AvfsTransaction  *tx,
                         guint64           parent,
                         const char       *name,
                         GError          **error)
{
  guint64 id;
  AvfsNodeKind kind;

  if (!lookup_entry (self, tx, parent, name, strlen (name), &id, &kind, error))
    return NULL;
  return load_entry_node (self, tx, id, name, error);
}

/**
 * avfs_vault_resolve_entry:
 * @path: a normalised path
 * @id: (out): the node id at @path
 * @kind: (out): its kind
 *
 * Walks @path from `/` through directory entries alone (each holds its child's kind),
 * reading no node: enough where only the id is needed, such as a parent directory.
 *
 * Returns: %FALSE with %AVFS_ERROR_NOT_FOUND or %AVFS_ERROR_NOT_A_DIRECTORY naming the
 *   path
 */
gboolean
avfs_vault_resolve_entry (AvfsVault        *self,
                          AvfsTransaction  *tx,
                          const char       *path,
                          guint64          *id,
                          AvfsNodeKind     *kind,
                          GError          **error)
{
  const char *name = path + 1;
  const char *parent_name = NULL;
  gsize parent_len = 0;

  *id = AVFS_ROOT_ID;
  *kind = AVFS_NODE_KIND_DIRECTORY;
  while (*name != '\0')
    {
      const char *slash = strchr (name, '/');
      gsize len = slash != NULL ? (gsize) (slash - name) : strlen (name);
      GError *local_error = NULL;

      if (*kind != AVFS_NODE_KIND_DIRECTORY)
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                       "%s: “%.*s” is a file, not a directory", path, (int) parent_len,
                       parent_name);
          return FALSE;
        }
      if (!lookup_entry (self, tx, *id, name, len, id, kind, &local_error))
        {
          if (local_error == NULL)
            g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                         "%s: no such file or directory", path);
          g_propagate_error (error, local_error);
          return FALSE;
        }
      parent_name = name;
      parent_len = len;
      name += slash != NULL ? len + 1 : len;
    }
  return TRUE;
}

/**
 * avfs_vault_resolve:
 * @path: a normalised path
 *
 * avfs_vault_resolve_entry(), then loads the one node at the end.
 *
 * Returns: (transfer full) (nullable): the node, or %NULL with %AVFS_ERROR_NOT_FOUND or
 *   %AVFS_ERROR_NOT_A_DIRECTORY naming the path
 */
AvfsNode *
avfs_vault_resolve (AvfsVault        *self,
                    AvfsTransaction  *tx,
                    const char       *path,
                    GError          **error)
{
  AvfsNodeKind kind;
  guint64 id;

  if (!avfs_vault_resolve_entry (self, tx, path, &id, &kind, error))
    return NULL;
  if (path[1] == '\0')
    return avfs_node_load (self, tx, AVFS_ROOT_ID, error);
  return load_entry_node (self, tx, id, avfs_path_get_name (path), error);
}

/**
 * avfs_vault_resolve_user_path:
 * @path: a path as a caller gave it, which may be anything
 * @normalized: (out) (transfer full): @path normalised; %NULL when it is malformed
 *
 * Checks and normalises @path, then resolves it in the committed state.
 *
 * Returns: (transfer full) (nullable): the node
 */
AvfsNode *
avfs_vault_resolve_user_path (AvfsVault   *self,
                              const char  *path,
                              char       **normalized,
                              GError     **error)
{
  *normalized = avfs_path_normalize (path, error);
  if (*normalized == NULL)
    return NULL;
  return avfs_vault_resolve (self, NULL, *normalized, error);
}

/**
 * avfs_vault_node_path:
 *
 * Returns: (transfer full) (nullable): the path of node @id, found by walking parents
 */
char *
avfs_vault_node_path (AvfsVault        *self,
                      AvfsTransaction  *tx,
                      guint64           id,
                      GError          **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) path = g_string_new (NULL);

  while (id != AVFS_ROOT_ID)
    {
      g_autoptr(AvfsNode) node = avfs_node_load (self, tx, id, error);

      /* A parent chain longer than any legal path means a cycle: damage. */
      if (node == NULL)
        return NULL;
      if (names->len > AVFS_PATH_MAX_LEN / 2)
        {
          g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                               "A directory is its own ancestor; run “avfs-cli vault verify”");
          return NULL;
        }
      g_ptr_array_add (names, g_steal_pointer (&node->name));
      id = node->parent;
    }
  for (guint i = names->len; i > 0; i--)
    g_string_append_printf (path, "/%s", (const char *) g_ptr_array_index (names, i - 1));
  if (path->len == 0)
    g_string_append_c (path, '/');
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* Adds @node's entry to its parent directory. */
gboolean
avfs_vault_link (AvfsTransaction  *tx,
                 const AvfsNode   *node,
                 GError          **error)
{
  g_autoptr(GBytes) key = avfs_dirent_key (node->parent, node->name);
  guint8 value[DIRENT_VALUE_LEN];

  avfs_id_key (node->id, value);
  value[AVFS_ID_KEY_LEN] = node->kind;
  return avfs_transaction_put (tx, AVFS_COLLECTION_DIRENTS, g_bytes_get_data (key, NULL),
                               g_bytes_get_size (key), value, sizeof value, error);
}

gboolean
avfs_vault_unlink (AvfsTransaction  *tx,
                   const AvfsNode   *node,
                   GError          **error)
{
  g_autoptr(GBytes) key = avfs_dirent_key (node->parent, node->name);

  return avfs_transaction_delete (tx, AVFS_COLLECTION_DIRENTS, g_bytes_get_data (key, NULL),
                                  g_bytes_get_size (key), error);
}

gboolean
avfs_vault_next_id (AvfsVault        *self,
                    AvfsTransaction  *tx,
                    guint64          *id,
                    GError          **error)
{
  return avfs_meta_get_uint64 (self, tx, "next_id", id, error) &&
         avfs_meta_put_uint64 (tx, "next_id", *id + 1, error);
}

/**
 * avfs_vault_ensure_directories:
 * @usage: counts the directories it creates
 *
 * Returns: (transfer full) (nullable): the directory at @path, created as needed
 */
AvfsNode *
avfs_vault_ensure_directories (AvfsVault        *self,
                               AvfsTransaction  *tx,
                               const char       *path,
                               AvfsUsage        *usage,
                               GError          **error)
{
  g_auto(GStrv) names = avfs_path_split (path);
  g_autoptr(AvfsNode) dir = avfs_node_load (self, tx, AVFS_ROOT_ID, error);

  for (guint i = 0; dir != NULL && names[i] != NULL; i++)
    {
      GError *local_error = NULL;
      AvfsNode *child = avfs_vault_lookup_child (self, tx, dir->id, names[i], &local_error);
      guint64 id;

      if (child == NULL && local_error == NULL &&
          avfs_vault_next_id (self, tx, &id, &local_error))
        {
          child = avfs_node_new (id, AVFS_NODE_KIND_DIRECTORY, dir->id, names[i]);
          usage->directories++;
          if (!avfs_node_save (tx, child, &local_error) ||
              !avfs_vault_link (tx, child, &local_error))
            g_clear_pointer (&child, avfs_node_free);
        }
      if (child != NULL && child->kind != AVFS_NODE_KIND_DIRECTORY)
        {
          g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                       "%s: “%s” is a file, not a directory", path, child->name);
          g_clear_pointer (&child, avfs_node_free);
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      avfs_node_free (dir);
      dir = child;
    }
  return g_steal_pointer (&dir);
}

static void
free_nodes (gpointer data)
{
  avfs_node_free (data);
}

/* The child id and kind a directory entry holds, or %NULL with %AVFS_ERROR_CORRUPT. */
static const guint8 *
dirent_value (AvfsCursor  *cursor,
              GError     **error)
{
  gsize len;
  const guint8 *value = avfs_cursor_get_value (cursor, &len);

  if (len == DIRENT_VALUE_LEN)
    return value;
  g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                       "A directory entry is damaged; run “avfs-cli vault verify”");
  return NULL;
}

typedef struct
{
  AvfsVault *vault;
  GPtrArray *children;
  guint limit;  /* 0: all */
} ListChildren;

static gboolean
add_child_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  ListChildren *list = user_data;
  const guint8 *value = dirent_value (cursor, error);
  GError *local_error = NULL;
  AvfsNode *child;

  if (value == NULL)
    return FALSE;
  child = avfs_node_load (list->vault, NULL, avfs_id_from_key (value), &local_error);
  if (child != NULL)
    g_ptr_array_add (list->children, child);
  return avfs_skip_not_found (local_error, error) &&
         (list->limit == 0 || list->children->len < list->limit);
}

/**
 * avfs_vault_list_children:
 *
 * One prefix scan of the entries, then the nodes, in name (byte) order.
 *
 * Returns: (transfer full) (element-type AvfsNode): the entries of directory @parent
 */
GPtrArray *
avfs_vault_list_children (AvfsVault  *self,
                          guint64     parent,
                          GError    **error)
{
  return avfs_vault_list_children_after (self, parent, NULL, 0, error);
}

/**
 * avfs_vault_list_children_after:
 * @after: (nullable): list the entries whose names come after this one
 * @limit: at most this many (0: all)
 *
 * One range scan of the entries, then the nodes, in name (byte) order: a page of a
 * directory.
 *
 * Returns: (transfer full) (element-type AvfsNode): the entries of directory @parent
 */
GPtrArray *
avfs_vault_list_children_after (AvfsVault   *self,
                                guint64      parent,
                                const char  *after,
                                guint        limit,
                                GError     **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (free_nodes);
  ListChildren list = { self, children, limit };
  g_autoptr(GByteArray) start = g_byte_array_sized_new (AVFS_ID_KEY_LEN + 256);
  guint8 key[AVFS_ID_KEY_LEN], end[AVFS_ID_KEY_LEN];
  g_autoptr(AvfsCursor) cursor = NULL;

  avfs_id_key (parent, key);
  g_byte_array_append (start, key, sizeof key);
  /* Names hold no NUL, so name ‖ 0 is the first key past @after. */
  if (after != NULL)
    g_byte_array_append (start, (const guint8 *) after, strlen (after) + 1);
  avfs_id_key (parent + 1, end);
  cursor = avfs_storage_scan_range (self->storage, AVFS_COLLECTION_DIRENTS, start->data,
                                    start->len, end, sizeof end, error);
  if (cursor == NULL ||
      !avfs_vault_scan_cursor_each (cursor, NULL, add_child_cb, &list, error))
    return NULL;
  return g_steal_pointer (&children);
}

typedef struct
{
  GArray *ids;
  GArray *directories;
} Subtree;

static gboolean
add_subtree_entry_cb (AvfsCursor  *cursor,
                      gpointer     user_data,
                      GError     **error)
{
  Subtree *subtree = user_data;
  const guint8 *value = dirent_value (cursor, error);
  guint64 child;

  if (value == NULL)
    return FALSE;
  child = avfs_id_from_key (value);
  g_array_append_val (subtree->ids, child);
  if (value[AVFS_ID_KEY_LEN] == AVFS_NODE_KIND_DIRECTORY)
    g_array_append_val (subtree->directories, child);
  return TRUE;
}

/**
 * avfs_vault_collect_subtree:
 * @top: a file or directory
 *
 * Returns: (transfer full) (element-type guint64): the ids of @top and everything under
 *   it, parents before their children
 */
GArray *
avfs_vault_collect_subtree (AvfsVault       *self,
                            const AvfsNode  *top,
                            GError         **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) directories = g_array_new (FALSE, FALSE, sizeof (guint64));
  Subtree subtree = { ids, directories };

  g_array_append_val (ids, top->id);
  if (top->kind == AVFS_NODE_KIND_DIRECTORY)
    g_array_append_val (directories, top->id);
  for (guint d = 0; d < directories->len; d++)
    {
      guint8 prefix[AVFS_ID_KEY_LEN];

      avfs_id_key (g_array_index (directories, guint64, d), prefix);
      if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_DIRENTS, prefix, sizeof prefix,
                                        add_subtree_entry_cb, &subtree, error))
        return NULL;
    }
  return g_steal_pointer (&ids);
}
