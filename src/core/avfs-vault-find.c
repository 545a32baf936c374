/* SPDX-License-Identifier: GPL-3.0-or-later */
/* find and grep over a subtree: one directory listing per directory, content read only
 * for grep. */
#include <string.h>

#include "avfs-path.h"
#include "avfs-vault-find.h"
#include "avfs-vault-private.h"
#include "avfs-vault-tags.h"

/* A file is text when its first 8 KiB hold no NUL (the rule search uses too). */
#define TEXT_PROBE_LEN 8192

/* Adds the id of one tag index entry (tag ‖ 0 ‖ id) to the set in @user_data. */
static gboolean
add_tagged_id_cb (AvfsCursor  *cursor,
                  gpointer     user_data,
                  GError     **error)
{
  gsize len;
  const guint8 *key = avfs_cursor_get_key (cursor, &len);
  guint64 *id;

  if (!avfs_tag_index_key_is_valid (key, len))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "The tag index is damaged; run “avfs-cli vault verify”");
      return FALSE;
    }
  id = g_new (guint64, 1);
  *id = avfs_id_from_key (key + len - AVFS_ID_KEY_LEN);
  g_hash_table_add (user_data, id);
  return TRUE;
}

/* The ids carrying @tag, from one scan of the tag index. */
static GHashTable *
ids_with_tag (AvfsVault   *self,
              const char  *tag,
              GError     **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  /* The prefix tag ‖ 0 is the tag with its terminating NUL. */
  if (!avfs_vault_check_tag (tag, error) ||
      !avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_TAG_INDEX, (const guint8 *) tag,
                                    strlen (tag) + 1, add_tagged_id_cb, ids, error))
    return NULL;
  return g_steal_pointer (&ids);
}

static gboolean
meta_matches (AvfsVault            *self,
              const AvfsNode       *node,
              const AvfsFindQuery  *query,
              gboolean             *matches,
              GError              **error)
{
  g_autoptr(GBytes) key = avfs_node_text_key (node->id, query->meta_key);
  g_autoptr(GBytes) value = NULL;
  GError *local_error = NULL;

  value = avfs_storage_get (self->storage, AVFS_COLLECTION_PROPS, g_bytes_get_data (key, NULL),
                            g_bytes_get_size (key), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *matches = value != NULL &&
             (query->meta_value == NULL ||
              (g_bytes_get_size (value) == strlen (query->meta_value) &&
               memcmp (g_bytes_get_data (value, NULL), query->meta_value,
                       g_bytes_get_size (value)) == 0));
  return TRUE;
}

typedef struct
{
  AvfsVault *vault;
  const AvfsFindQuery *query;
  GPatternSpec *pattern;
  GHashTable *tagged;   /* ids with the tag, or NULL */
} Walk;

static gboolean
node_matches (Walk            *walk,
              const AvfsNode  *node,
              gboolean        *matches,
              GError         **error)
{
  const AvfsFindQuery *query = walk->query;
  gint64 size = node->size;

  *matches = (query->kind == 0 || query->kind == node->kind) &&
             (walk->pattern == NULL || g_pattern_spec_match_string (walk->pattern, node->name)) &&
             (query->min_size < 0 || size >= query->min_size) &&
             (query->max_size < 0 || size <= query->max_size) &&
             (walk->tagged == NULL || g_hash_table_contains (walk->tagged, &node->id));
  if (*matches && query->meta_key != NULL)
    return meta_matches (walk->vault, node, query, matches, error);
  return TRUE;
}

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp ((*(AvfsFileInfo **) a)->path, (*(AvfsFileInfo **) b)->path);
}

/* Breadth-first over @top: each directory is one listing. */
static gboolean
walk_tree (Walk            *walk,
           const AvfsNode  *top,
           const char      *top_path,
           GPtrArray       *found,
           GError         **error)
{
  g_autoptr(GPtrArray) directories = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_ptr_array_add (directories, g_strdup (top_path));
  g_array_append_val (ids, top->id);
  for (guint d = 0; d < directories->len; d++)
    {
      const char *dir_path = g_ptr_array_index (directories, d);
      g_autoptr(GPtrArray) children = avfs_vault_list_children (walk->vault,
                                                                g_array_index (ids, guint64, d),
                                                                error);

      if (children == NULL)
        return FALSE;
      for (guint i = 0; i < children->len; i++)
        {
          AvfsNode *child = g_ptr_array_index (children, i);
          g_autofree char *path = avfs_path_join (dir_path, child->name);
          gboolean matches;

          if (!node_matches (walk, child, &matches, error))
            return FALSE;
          if (matches)
            g_ptr_array_add (found, avfs_node_to_info (child, path));
          if (child->kind == AVFS_NODE_KIND_DIRECTORY)
            {
              g_ptr_array_add (directories, g_steal_pointer (&path));
              g_array_append_val (ids, child->id);
            }
        }
    }
  return TRUE;
}

/* Refuses what no name, tag or metadata entry can match (the tag is checked where the
 * index is read), so a typing mistake is an error, not an empty result. */
static gboolean
check_query (const AvfsFindQuery  *query,
             GError              **error)
{
  if (query->name_glob != NULL && (query->name_glob[0] == '\0' ||
                                   !g_utf8_validate (query->name_glob, -1, NULL)))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "The name pattern must be non-empty UTF-8 text, as names are");
      return FALSE;
    }
  if (query->meta_key != NULL && !avfs_vault_check_meta_key (query->meta_key, error))
    return FALSE;
  return query->meta_value == NULL || avfs_vault_check_meta_value (query->meta_value, error);
}

/**
 * avfs_vault_find:
 * @path: where to look; it is itself a candidate when it is not `/`
 * @query: what to look for; a malformed name pattern, tag or metadata key or value is
 *   an %AVFS_ERROR_INVALID_ARGUMENT error
 *
 * Returns: (transfer full) (element-type AvfsFileInfo) (nullable): the matches, by path
 */
GPtrArray *
avfs_vault_find (AvfsVault            *self,
                 const char           *path,
                 const AvfsFindQuery  *query,
                 GError              **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) top = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_file_info_free);
  g_autoptr(GHashTable) tagged = NULL;
  g_autoptr(GPatternSpec) pattern = NULL;
  Walk walk = { self, query, NULL, NULL };
  gboolean matches;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  if (!check_query (query, error))
    return NULL;
  top = avfs_vault_resolve_user_path (self, path, &normalized, error);
  if (top == NULL)
    return NULL;
  if (query->tag != NULL && (tagged = ids_with_tag (self, query->tag, error)) == NULL)
    return NULL;
  if (query->name_glob != NULL)
    pattern = g_pattern_spec_new (query->name_glob);
  walk.pattern = pattern;
  walk.tagged = tagged;
  if (top->id != AVFS_ROOT_ID)
    {
      if (!node_matches (&walk, top, &matches, error))
        return NULL;
      if (matches)
        g_ptr_array_add (found, avfs_node_to_info (top, normalized));
    }
  if (top->kind == AVFS_NODE_KIND_DIRECTORY && !walk_tree (&walk, top, normalized, found, error))
    return NULL;
  g_ptr_array_sort (found, compare_paths);
  if (query->limit > 0 && found->len > query->limit)
    g_ptr_array_set_size (found, query->limit);
  return g_steal_pointer (&found);
}

/* Runs @regex over each line of @content, calling @func for each match. */
static void
grep_content (GRegex        *regex,
              const char    *path,
              GBytes        *content,
              AvfsGrepFunc   func,
              gpointer       user_data)
{
  gsize len;
  const char *data = g_bytes_get_data (content, &len);
  const char *end = data + len;
  guint line_number = 0;

  for (const char *line = data; line < end; )
    {
      const char *newline = memchr (line, '\n', end - line);
      gsize line_len = (newline != NULL ? newline : end) - line;
      g_autofree char *text = NULL;

      line_number++;
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
      text = g_utf8_make_valid (line, line_len);
      if (g_regex_match (regex, text, 0, NULL) && !func (path, line_number, text, user_data))
        return;
      line = newline != NULL ? newline + 1 : end;
    }
}

static gboolean
is_text (GBytes *content)
{
  gsize len;
  const char *data = g_bytes_get_data (content, &len);

  /* An empty file's bytes may have no address, which memchr() does not allow. */
  return len == 0 || memchr (data, '\0', MIN (len, TEXT_PROBE_LEN)) == NULL;
}

/**
 * avfs_vault_grep:
 * @pattern: a Perl-compatible regular expression, in UTF-8
 * @path: a file, or a directory to search below
 * @func: called for each matching line, files in path order
 *
 * Searches the current content of text files (binary files are skipped). Each file is
 * read whole, one at a time.
 */
gboolean
avfs_vault_grep (AvfsVault     *self,
                 const char    *pattern,
                 const char    *path,
                 gboolean       ignore_case,
                 AvfsGrepFunc   func,
                 gpointer       user_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  AvfsFindQuery query = AVFS_FIND_QUERY_INIT;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GPtrArray) files = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  /* GRegex would take bytes that are not UTF-8 and then never match the (valid) text. */
  if (!g_utf8_validate (pattern, -1, NULL))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "The regular expression is not valid UTF-8 text");
      return FALSE;
    }
  regex = g_regex_new (pattern, G_REGEX_OPTIMIZE | (ignore_case ? G_REGEX_CASELESS : 0), 0,
                       &local_error);
  if (regex == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a valid regular expression: %s", pattern, local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  query.kind = AVFS_NODE_KIND_FILE;
  files = avfs_vault_find (self, path, &query, error);
  if (files == NULL)
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      AvfsFileInfo *info = g_ptr_array_index (files, i);
      g_autoptr(GBytes) content = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      content = avfs_vault_read (self, info->path, 0, &local_error);
      if (content == NULL && g_error_matches (local_error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
        {
          /* Removed since the walk. */
          g_clear_error (&local_error);
          continue;
        }
      if (content == NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (is_text (content))
        grep_content (regex, info->path, content, func, user_data);
    }
  return TRUE;
}
