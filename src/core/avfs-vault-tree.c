/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tree: stat, list, mkdir, rmdir, remove, move and copy. */
#include <string.h>

#include "avfs-path.h"
#include "avfs-vault-private.h"

/* Collections whose keys start with a node id and go when the node goes. */
static const char * const node_collections[] = {
  AVFS_COLLECTION_VERSIONS, AVFS_COLLECTION_TAGS, AVFS_COLLECTION_PROPS,
};

static void
free_node (gpointer node)
{
  avfs_node_free (node);
}

/**
 * avfs_vault_stat:
 *
 * Returns: (transfer full) (nullable): what @path is
 */
AvfsFileInfo *
avfs_vault_stat (AvfsVault   *self,
                 const char  *path,
                 GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) node = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  node = avfs_vault_resolve_user_path (self, path, &normalized, error);
  return node != NULL ? avfs_node_to_info (node, normalized) : NULL;
}

/* Directories first, then byte order of names (the scan order, kept by a stable sort). */
static gint
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const AvfsFileInfo *x = *(AvfsFileInfo **) a;
  const AvfsFileInfo *y = *(AvfsFileInfo **) b;

  if (x->kind != y->kind)
    return x->kind == AVFS_NODE_KIND_DIRECTORY ? -1 : 1;
  return strcmp (x->name, y->name);
}

/* The entries of @path after the name @after (all when %NULL), at most @limit (0: all),
 * in name order; a file lists itself. */
static GPtrArray *
list_entries (AvfsVault   *self,
              const char  *path,
              const char  *after,
              guint        limit,
              GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) node = NULL;
  g_autoptr(GPtrArray) children = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  node = avfs_vault_resolve_user_path (self, path, &normalized, error);
  if (node == NULL)
    return NULL;
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_file_info_free);
  if (node->kind == AVFS_NODE_KIND_FILE)
    {
      if (after == NULL)
        g_ptr_array_add (entries, avfs_node_to_info (node, normalized));
      return g_steal_pointer (&entries);
    }
  children = avfs_vault_list_children_after (self, node->id, after, limit, error);
  if (children == NULL)
    return NULL;
  for (guint i = 0; i < children->len; i++)
    {
      AvfsNode *child = g_ptr_array_index (children, i);
      g_autofree char *child_path = avfs_path_join (normalized, child->name);

      g_ptr_array_add (entries, avfs_node_to_info (child, child_path));
    }
  return g_steal_pointer (&entries);
}

/**
 * avfs_vault_list:
 * @path: a directory (or a file, which lists itself)
 *
 * Returns: (transfer full) (element-type AvfsFileInfo): the entries, directories first
 */
GPtrArray *
avfs_vault_list (AvfsVault   *self,
                 const char  *path,
                 GError     **error)
{
  GPtrArray *entries;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  entries = list_entries (self, path, NULL, 0, error);
  if (entries != NULL)
    g_ptr_array_sort (entries, compare_entries);
  return entries;
}

/**
 * avfs_vault_list_page:
 * @path: a directory (or a file, which lists itself on the first page)
 * @after: (nullable): the last name of the previous page; %NULL for the first page
 * @limit: at most this many entries (0: all)
 *
 * One page of a directory, in name (byte) order, so that a directory of any size shows
 * its first entries at once: ask for the next page with the last name of this one until
 * a page comes back shorter than @limit.
 *
 * Returns: (transfer full) (element-type AvfsFileInfo): the entries
 */
GPtrArray *
avfs_vault_list_page (AvfsVault   *self,
                      const char  *path,
                      const char  *after,
                      guint        limit,
                      GError     **error)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  return list_entries (self, path, after, limit, error);
}

typedef struct
{
  AvfsVault *vault;
  const char *path;
  gboolean parents;
} MkdirJob;

static gboolean
mkdir_cb (AvfsTransaction  *tx,
          gpointer          user_data,
          GError          **error)
{
  MkdirJob *job = user_data;
  g_autofree char *parent_path = avfs_path_get_parent (job->path);
  const char *name = avfs_path_get_name (job->path);
  g_autoptr(AvfsNode) parent = NULL;
  g_autoptr(AvfsNode) existing = NULL;
  g_autoptr(AvfsNode) dir = NULL;
  GError *local_error = NULL;
  AvfsUsage usage;
  guint64 id;

  if (!avfs_usage_load (job->vault, tx, &usage, error))
    return FALSE;
  if (job->parents)
    {
      dir = avfs_vault_ensure_directories (job->vault, tx, job->path, &usage, error);
      return dir != NULL && avfs_usage_save (tx, &usage, error) &&
             avfs_vault_audit (job->vault, tx, "mkdir", job->path, NULL, error);
    }
  parent = avfs_vault_resolve (job->vault, tx, parent_path, error);
  if (parent == NULL)
    return FALSE;
  if (parent->kind != AVFS_NODE_KIND_DIRECTORY)
    g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                 "%s: “%s” is a file, not a directory", job->path, parent_path);
  else if ((existing = avfs_vault_lookup_child (job->vault, tx, parent->id, name,
                                                &local_error)) != NULL)
    g_set_error (&local_error, AVFS_ERROR, AVFS_ERROR_EXISTS, "%s already exists", job->path);
  if (local_error != NULL || !avfs_vault_next_id (job->vault, tx, &id, &local_error))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  dir = avfs_node_new (id, AVFS_NODE_KIND_DIRECTORY, parent->id, name);
  usage.directories++;
  return avfs_node_save (tx, dir, error) && avfs_vault_link (tx, dir, error) &&
         avfs_usage_save (tx, &usage, error) &&
         avfs_vault_audit (job->vault, tx, "mkdir", job->path, NULL, error);
}

/**
 * avfs_vault_mkdir:
 * @parents: create missing parents too, and accept an existing directory (`mkdir -p`)
 */
gboolean
avfs_vault_mkdir (AvfsVault   *self,
                  const char  *path,
                  gboolean     parents,
                  GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  MkdirJob job = { self, NULL, parents };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  normalized = avfs_path_normalize (path, error);
  if (normalized == NULL)
    return FALSE;
  if (g_str_equal (normalized, "/") && !parents)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_EXISTS, "/ already exists");
      return FALSE;
    }
  job.path = normalized;
  locker = g_mutex_locker_new (&self->write_lock);
  return avfs_vault_transaction (self, mkdir_cb, &job, error);
}

/* A key to delete or to write, gathered before the transaction. */
typedef struct
{
  const char *collection;
  GBytes *key;
  GBytes *value;
} Record;

static void
clear_record (gpointer data)
{
  Record *record = data;

  g_clear_pointer (&record->key, g_bytes_unref);
  g_clear_pointer (&record->value, g_bytes_unref);
}

static GArray *
record_array_new (void)
{
  GArray *records = g_array_new (FALSE, TRUE, sizeof (Record));

  g_array_set_clear_func (records, clear_record);
  return records;
}

static void
add_record (GArray      *records,
            const char  *collection,
            GBytes      *key,
            GBytes      *value)
{
  Record record = { collection, key, value };

  g_array_append_val (records, record);
}

/* The tag index key tag ‖ 0 ‖ id for a tags key id ‖ tag. */
static GBytes *
tag_index_key (GBytes *tags_key)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (tags_key, &len);
  g_autofree char *tag = g_strndup ((const char *) data + AVFS_ID_KEY_LEN,
                                    len - AVFS_ID_KEY_LEN);

  return avfs_tag_index_key (tag, avfs_id_from_key (data));
}

typedef struct
{
  const char *collection;
  GArray *records;
} GatherRecords;

static gboolean
add_record_cb (AvfsCursor  *cursor,
               gpointer     user_data,
               GError     **error)
{
  GatherRecords *gather = user_data;

  add_record (gather->records, gather->collection, avfs_cursor_dup_key (cursor),
              avfs_cursor_dup_value (cursor));
  return TRUE;
}

/* Adds to @records every key of node @id in @collection, with its value. */
static gboolean
gather_node_records (AvfsVault   *self,
                     const char  *collection,
                     guint64      id,
                     GArray      *records,
                     GError     **error)
{
  guint8 prefix[AVFS_ID_KEY_LEN];
  GatherRecords gather = { collection, records };

  avfs_id_key (id, prefix);
  return avfs_vault_scan_prefix_each (self, collection, prefix, sizeof prefix, add_record_cb,
                                      &gather, error);
}

/* Loads the nodes of @top's subtree, parents first. */
static GPtrArray *
load_subtree (AvfsVault       *self,
              const AvfsNode  *top,
              GError         **error)
{
  g_autoptr(GArray) ids = avfs_vault_collect_subtree (self, top, error);
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (free_node);

  if (ids == NULL)
    return NULL;
  for (guint i = 0; i < ids->len; i++)
    {
      AvfsNode *node = avfs_node_load (self, NULL, g_array_index (ids, guint64, i), error);

      if (node == NULL)
        return NULL;
      g_ptr_array_add (nodes, node);
    }
  return g_steal_pointer (&nodes);
}

typedef struct
{
  AvfsVault *vault;
  const char *path;
  const char *op;
  GPtrArray *nodes;  /* the subtree, parents first */
  GArray *records;   /* Record: what else goes with them */
} RemoveJob;

static gboolean
remove_cb (AvfsTransaction  *tx,
           gpointer          user_data,
           GError          **error)
{
  RemoveJob *job = user_data;
  g_autofree char *details = NULL;
  guint64 files = 0, directories = 0;
  AvfsUsage usage;

  if (!avfs_usage_load (job->vault, tx, &usage, error))
    return FALSE;
  for (guint i = 0; i < job->records->len; i++)
    {
      Record *record = &g_array_index (job->records, Record, i);
      gsize len;
      const guint8 *key = g_bytes_get_data (record->key, &len);

      if (!avfs_transaction_delete (tx, record->collection, key, len, error))
        return FALSE;
    }
  for (guint i = 0; i < job->nodes->len; i++)
    {
      AvfsNode *node = g_ptr_array_index (job->nodes, i);
      guint8 key[AVFS_ID_KEY_LEN];

      avfs_id_key (node->id, key);
      avfs_vault_search_mark (job->vault, node->id, NULL);
      if (!avfs_vault_unlink (tx, node, error) ||
          !avfs_transaction_delete (tx, AVFS_COLLECTION_NODES, key, sizeof key, error))
        return FALSE;
      if (node->kind == AVFS_NODE_KIND_FILE)
        files++, usage.bytes -= node->size;
      else
        directories++;
    }
  usage.files -= files;
  usage.directories -= directories;
  details = g_strdup_printf ("{\"files\": %" G_GUINT64_FORMAT ", \"directories\": %"
                             G_GUINT64_FORMAT "}", files, directories);
  return avfs_usage_save (tx, &usage, error) &&
         avfs_vault_audit (job->vault, tx, job->op, job->path, details, error);
}

/* Gathers @top's subtree and every record hanging off it, then deletes it all in one
 * transaction. The caller holds the write lock. */
static gboolean
remove_subtree (AvfsVault        *self,
                const AvfsNode   *top,
                const char       *path,
                const char       *op,
                GError          **error)
{
  g_autoptr(GPtrArray) nodes = load_subtree (self, top, error);
  g_autoptr(GArray) records = record_array_new ();
  RemoveJob job = { self, path, op, nodes, records };

  if (nodes == NULL)
    return FALSE;
  for (guint i = 0; i < nodes->len; i++)
    {
      AvfsNode *node = g_ptr_array_index (nodes, i);
      guint first_tag;

      for (guint c = 0; c < G_N_ELEMENTS (node_collections); c++)
        {
          first_tag = records->len;
          if (!gather_node_records (self, node_collections[c], node->id, records, error))
            return FALSE;
          if (g_str_equal (node_collections[c], AVFS_COLLECTION_TAGS))
            for (guint t = first_tag, end = records->len; t < end; t++)
              add_record (records, AVFS_COLLECTION_TAG_INDEX,
                          tag_index_key (g_array_index (records, Record, t).key), NULL);
        }
    }
  return avfs_vault_transaction (self, remove_cb, &job, error);
}

/* Resolves a path to remove, move or copy, refusing `/` with @root_refusal. */
static AvfsNode *
resolve_removable (AvfsVault   *self,
                   const char  *path,
                   const char  *root_refusal,
                   char       **normalized,
                   GError     **error)
{
  AvfsNode *node = avfs_vault_resolve_user_path (self, path, normalized, error);

  if (node != NULL && node->id == AVFS_ROOT_ID)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH, root_refusal);
      g_clear_pointer (&node, avfs_node_free);
    }
  return node;
}

/* Stops a scan at its first entry, noting that there was one. */
static gboolean
found_cb (AvfsCursor  *cursor,
          gpointer     user_data,
          GError     **error)
{
  *(gboolean *) user_data = TRUE;
  return FALSE;
}

static gboolean
has_children (AvfsVault       *self,
              const AvfsNode  *dir,
              gboolean        *result,
              GError         **error)
{
  guint8 prefix[AVFS_ID_KEY_LEN];

  avfs_id_key (dir->id, prefix);
  *result = FALSE;
  return avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_DIRENTS, prefix, sizeof prefix,
                                      found_cb, result, error);
}

/* Removes @path; @only_directory refuses a file (rmdir). */
static gboolean
remove_path (AvfsVault   *self,
             const char  *path,
             gboolean     recursive,
             gboolean     only_directory,
             GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsNode) node = NULL;
  gboolean not_empty = FALSE;

  locker = g_mutex_locker_new (&self->write_lock);
  node = resolve_removable (self, path, "/ cannot be removed; remove what is inside it instead",
                            &normalized, error);
  if (node == NULL)
    return FALSE;
  if (only_directory && node->kind != AVFS_NODE_KIND_DIRECTORY)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                   "%s is a file, not a directory; remove files with rm", normalized);
      return FALSE;
    }
  if (node->kind == AVFS_NODE_KIND_DIRECTORY && !recursive)
    {
      if (!has_children (self, node, &not_empty, error))
        return FALSE;
      if (not_empty)
        {
          g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_EMPTY,
                       "%s is not empty; remove it recursively to delete what it holds",
                       normalized);
          return FALSE;
        }
    }
  return remove_subtree (self, node, normalized,
                         node->kind == AVFS_NODE_KIND_DIRECTORY ? "rmdir" : "rm", error);
}

/**
 * avfs_vault_rmdir:
 *
 * Removes an empty directory; a file is refused with %AVFS_ERROR_NOT_A_DIRECTORY.
 */
gboolean
avfs_vault_rmdir (AvfsVault   *self,
                  const char  *path,
                  GError     **error)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  return remove_path (self, path, FALSE, TRUE, error);
}

/**
 * avfs_vault_remove:
 * @recursive: also remove a directory that is not empty, with everything in it
 *
 * Removes a file (with its history, tags and metadata) or a directory, in one
 * transaction. Content stays in snapshots that hold it until `gc`.
 */
gboolean
avfs_vault_remove (AvfsVault   *self,
                   const char  *path,
                   gboolean     recursive,
                   GError     **error)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  return remove_path (self, path, recursive, FALSE, error);
}

/* Where a move or copy of @source to @to lands: inside @to when it is a directory,
 * else at @to itself, which must not exist. */
static char *
find_destination (AvfsVault       *self,
                  const AvfsNode  *source,
                  const char      *source_path,
                  const char      *to,
                  AvfsNode       **parent,
                  GError         **error)
{
  g_autofree char *destination = avfs_path_normalize (to, error);
  g_autofree char *parent_path = NULL;
  g_autoptr(AvfsNode) target = NULL;
  GError *local_error = NULL;

  if (destination == NULL)
    return NULL;
  target = avfs_vault_resolve (self, NULL, destination, &local_error);
  if (target != NULL && target->kind == AVFS_NODE_KIND_DIRECTORY)
    {
      char *inside = avfs_path_join (destination, source->name);

      g_free (destination);
      destination = inside;
      g_clear_pointer (&target, avfs_node_free);
      target = avfs_vault_resolve (self, NULL, destination, NULL);
    }
  g_clear_error (&local_error);
  if (target != NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
                   "%s already exists; remove it first or choose another name", destination);
      return NULL;
    }
  if (g_str_equal (destination, source_path) || avfs_path_is_inside (destination, source_path))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH,
                   "%s cannot go inside itself (%s)", source_path, destination);
      return NULL;
    }
  parent_path = avfs_path_get_parent (destination);
  *parent = avfs_vault_resolve (self, NULL, parent_path, error);
  if (*parent != NULL && (*parent)->kind != AVFS_NODE_KIND_DIRECTORY)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_A_DIRECTORY,
                   "%s: “%s” is a file, not a directory", destination, parent_path);
      g_clear_pointer (parent, avfs_node_free);
    }
  return *parent != NULL ? g_steal_pointer (&destination) : NULL;
}

/* What a move or copy takes and where it lands, found under the write lock. */
typedef struct
{
  char *from;       /* the source's normalised path */
  AvfsNode *node;   /* the source */
  char *to;         /* where it lands */
  AvfsNode *parent; /* the directory it lands in */
} Placement;

static void
placement_clear (Placement *place)
{
  g_free (place->from);
  g_clear_pointer (&place->node, avfs_node_free);
  g_free (place->to);
  g_clear_pointer (&place->parent, avfs_node_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Placement, placement_clear)

/* Fills @place for taking @from to @to (refusing `/` with @root_refusal). A directory
 * is refused unless @directories (a copy that is not recursive refuses one). */
static gboolean
place_source (AvfsVault   *self,
              const char  *from,
              const char  *to,
              gboolean     directories,
              const char  *root_refusal,
              Placement   *place,
              GError     **error)
{
  place->node = resolve_removable (self, from, root_refusal, &place->from, error);
  if (place->node == NULL)
    return FALSE;
  if (place->node->kind == AVFS_NODE_KIND_DIRECTORY && !directories)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_IS_A_DIRECTORY,
                   "%s is a directory; copy it recursively", place->from);
      return FALSE;
    }
  place->to = find_destination (self, place->node, place->from, to, &place->parent, error);
  return place->to != NULL;
}

typedef struct
{
  AvfsVault *vault;
  const Placement *place;
  GArray *subtree;  /* ids of what moves: their paths change */
} MoveJob;

static gboolean
move_cb (AvfsTransaction  *tx,
         gpointer          user_data,
         GError          **error)
{
  MoveJob *job = user_data;
  const Placement *place = job->place;
  g_autoptr(AvfsNode) moved = avfs_node_copy (place->node);
  g_autofree char *details = NULL;
  g_autofree char *quoted = avfs_json_quote (place->to);

  g_free (moved->name);
  moved->name = g_strdup (avfs_path_get_name (place->to));
  moved->parent = place->parent->id;
  moved->modified_us = g_get_real_time ();
  details = g_strdup_printf ("{\"to\": %s}", quoted);
  avfs_vault_search_mark_all (job->vault, job->subtree);
  return avfs_vault_unlink (tx, place->node, error) &&
         avfs_node_save (tx, moved, error) &&
         avfs_vault_link (tx, moved, error) &&
         avfs_vault_audit (job->vault, tx, "mv", place->from, details, error);
}

/**
 * avfs_vault_move:
 * @from: what to move
 * @to: the new path, or an existing directory to move into
 *
 * Renames or moves a file or directory; history, tags and metadata go with it. An
 * existing target is not overwritten.
 *
 * Returns: (transfer full) (nullable): the new path
 */
char *
avfs_vault_move (AvfsVault   *self,
                 const char  *from,
                 const char  *to,
                 GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Placement) place = { NULL };
  g_autoptr(GArray) subtree = NULL;
  MoveJob job = { self, &place };

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  locker = g_mutex_locker_new (&self->write_lock);
  if (!place_source (self, from, to, TRUE, "/ cannot be moved or renamed", &place, error) ||
      (subtree = avfs_vault_collect_subtree (self, place.node, error)) == NULL)
    return NULL;
  job.subtree = subtree;
  if (!avfs_vault_transaction (self, move_cb, &job, error))
    return NULL;
  return g_steal_pointer (&place.to);
}

typedef struct
{
  AvfsVault *vault;
  const Placement *place;
  GPtrArray *nodes;  /* the source subtree, parents first */
  GArray *records;   /* Record: the tags and metadata of each source node */
  GHashTable *ids;   /* source id → copy id, filled inside the transaction */
} CopyJob;

static guint64
copy_id (CopyJob  *job,
         guint64   source)
{
  return GPOINTER_TO_SIZE (g_hash_table_lookup (job->ids, &source));
}

/* Makes the copy of one node: a new node whose version 1 is the source's content. */
static gboolean
copy_node (CopyJob          *job,
           AvfsTransaction  *tx,
           const AvfsNode   *source,
           AvfsUsage        *usage,
           GError          **error)
{
  g_autoptr(AvfsNode) copy = avfs_node_copy (source);
  AvfsVersion version = { source->size, g_get_real_time (), (char *) "copy", source->content };
  guint64 *key = g_new (guint64, 1);

  *key = source->id;
  if (!avfs_vault_next_id (job->vault, tx, &copy->id, error))
    {
      g_free (key);
      return FALSE;
    }
  g_hash_table_insert (job->ids, key, GSIZE_TO_POINTER (copy->id));
  if (source == g_ptr_array_index (job->nodes, 0))
    {
      g_free (copy->name);
      copy->name = g_strdup (avfs_path_get_name (job->place->to));
      copy->parent = job->place->parent->id;
    }
  else
    copy->parent = copy_id (job, source->parent);
  copy->created_us = copy->modified_us = version.time_us;
  if (copy->kind == AVFS_NODE_KIND_DIRECTORY)
    usage->directories++;
  else
    {
      copy->version = 1;
      usage->files++;
      usage->bytes += copy->size;
      if (!avfs_vault_check_quota (job->vault, tx, usage, copy->size, job->place->to, error) ||
          !avfs_version_save (tx, copy->id, 1, &version, error))
        return FALSE;
    }
  return avfs_node_save (tx, copy, error) && avfs_vault_link (tx, copy, error);
}

/* Writes a tags or props record of a source node under its copy's id. */
static gboolean
copy_record (CopyJob          *job,
             AvfsTransaction  *tx,
             const Record     *record,
             GError          **error)
{
  gsize len;
  const guint8 *key = g_bytes_get_data (record->key, &len);
  g_autofree guint8 *copy_key = g_memdup2 (key, len);
  g_autoptr(GBytes) copy_bytes = NULL;
  g_autoptr(GBytes) index_key = NULL;

  avfs_id_key (copy_id (job, avfs_id_from_key (key)), copy_key);
  if (!avfs_transaction_put (tx, record->collection, copy_key, len,
                             g_bytes_get_data (record->value, NULL),
                             g_bytes_get_size (record->value), error))
    return FALSE;
  if (!g_str_equal (record->collection, AVFS_COLLECTION_TAGS))
    return TRUE;
  copy_bytes = g_bytes_new (copy_key, len);
  index_key = tag_index_key (copy_bytes);
  return avfs_transaction_put (tx, AVFS_COLLECTION_TAG_INDEX,
                               g_bytes_get_data (index_key, NULL),
                               g_bytes_get_size (index_key), NULL, 0, error);
}

/* Marks each copied file for the search index with the tags copied to it. */
static void
mark_copies (CopyJob *job)
{
  for (guint i = 0; i < job->nodes->len; i++)
    {
      AvfsNode *source = g_ptr_array_index (job->nodes, i);
      g_autoptr(GStrvBuilder) tags = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;

      if (source->kind != AVFS_NODE_KIND_FILE)
        continue;
      for (guint r = 0; r < job->records->len; r++)
        {
          Record *record = &g_array_index (job->records, Record, r);
          gsize len;
          const guint8 *key = g_bytes_get_data (record->key, &len);

          if (g_str_equal (record->collection, AVFS_COLLECTION_TAGS) &&
              avfs_id_from_key (key) == source->id)
            {
              g_autofree char *tag = g_strndup ((const char *) key + AVFS_ID_KEY_LEN,
                                                len - AVFS_ID_KEY_LEN);

              g_strv_builder_add (tags, tag);
            }
        }
      strv = g_strv_builder_end (tags);
      avfs_vault_search_mark (job->vault, copy_id (job, source->id),
                              (const char * const *) strv);
    }
}

static gboolean
copy_cb (AvfsTransaction  *tx,
         gpointer          user_data,
         GError          **error)
{
  CopyJob *job = user_data;
  g_autofree char *details = NULL;
  g_autofree char *quoted = avfs_json_quote (job->place->to);
  AvfsUsage usage;

  g_hash_table_remove_all (job->ids);
  if (!avfs_usage_load (job->vault, tx, &usage, error))
    return FALSE;
  for (guint i = 0; i < job->nodes->len; i++)
    if (!copy_node (job, tx, g_ptr_array_index (job->nodes, i), &usage, error))
      return FALSE;
  for (guint i = 0; i < job->records->len; i++)
    if (!copy_record (job, tx, &g_array_index (job->records, Record, i), error))
      return FALSE;
  mark_copies (job);
  details = g_strdup_printf ("{\"to\": %s, \"entries\": %u}", quoted, job->nodes->len);
  return avfs_usage_save (tx, &usage, error) &&
         avfs_vault_audit (job->vault, tx, "cp", job->place->from, details, error);
}

/**
 * avfs_vault_copy:
 * @from: what to copy
 * @to: the new path, or an existing directory to copy into
 * @recursive: required to copy a directory
 *
 * Copies current content (stored once: copies share it), tags and metadata. Each copied
 * file starts its own history at version 1. An existing target is not overwritten.
 *
 * Returns: (transfer full) (nullable): the path of the copy
 */
char *
avfs_vault_copy (AvfsVault   *self,
                 const char  *from,
                 const char  *to,
                 gboolean     recursive,
                 GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Placement) place = { NULL };
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GArray) records = record_array_new ();
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  CopyJob job = { self };

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  locker = g_mutex_locker_new (&self->write_lock);
  if (!place_source (self, from, to, recursive,
                     "/ cannot be copied; copy what is inside it instead", &place, error) ||
      (nodes = load_subtree (self, place.node, error)) == NULL)
    return NULL;
  for (guint i = 0; i < nodes->len; i++)
    {
      AvfsNode *source = g_ptr_array_index (nodes, i);

      if (!gather_node_records (self, AVFS_COLLECTION_TAGS, source->id, records, error) ||
          !gather_node_records (self, AVFS_COLLECTION_PROPS, source->id, records, error))
        return NULL;
    }
  job = (CopyJob) { self, &place, nodes, records, ids };
  if (!avfs_vault_transaction (self, copy_cb, &job, error))
    return NULL;
  return g_steal_pointer (&place.to);
}
