/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tags and key/value metadata of files and directories: checks, changes and listings.
 * Both are id ‖ text records of a node; a tag also has an index entry tag ‖ 0 ‖ id. */
#include <string.h>

#include "avfs-path.h"
#include "avfs-vault-private.h"
#include "avfs-vault-tags.h"

/* Longer user text is cut in messages. */
#define SHOWN_CHARS 40

G_DEFINE_BOXED_TYPE (AvfsTagCount, avfs_tag_count, avfs_tag_count_copy, avfs_tag_count_free)
G_DEFINE_BOXED_TYPE (AvfsMetaEntry, avfs_meta_entry, avfs_meta_entry_copy,
                     avfs_meta_entry_free)

/**
 * avfs_tag_count_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
AvfsTagCount *
avfs_tag_count_copy (const AvfsTagCount *self)
{
  AvfsTagCount *copy = g_memdup2 (self, sizeof *self);

  copy->tag = g_strdup (self->tag);
  return copy;
}

void
avfs_tag_count_free (AvfsTagCount *self)
{
  if (self == NULL)
    return;
  g_free (self->tag);
  g_free (self);
}

/**
 * avfs_meta_entry_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
AvfsMetaEntry *
avfs_meta_entry_copy (const AvfsMetaEntry *self)
{
  AvfsMetaEntry *copy = g_new (AvfsMetaEntry, 1);

  copy->key = g_strdup (self->key);
  copy->value = g_strdup (self->value);
  return copy;
}

void
avfs_meta_entry_free (AvfsMetaEntry *self)
{
  if (self == NULL)
    return;
  g_free (self->key);
  g_free (self->value);
  g_free (self);
}

/* User text for a message, which may be anything: made valid UTF-8, cut when long, and
 * quoted with its control characters escaped. */
static char *
quote_for_message (const char *text)
{
  g_autofree char *shown = avfs_text_for_message (text, SHOWN_CHARS);

  return avfs_json_quote (shown);
}

static const char *
tag_problem (const char *tag)
{
  gsize len = strlen (tag);

  if (len == 0)
    return "it is empty";
  if (len > AVFS_TAG_MAX_LEN)
    return "it is longer than 128 bytes";
  if (!g_utf8_validate (tag, len, NULL))
    return "it is not valid UTF-8";
  for (const char *p = tag; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/')
        return "it contains “/”";
      if (c == ',')
        return "it contains “,”";
      if (g_unichar_iscntrl (c))
        return "it contains a control character";
      if (g_unichar_isspace (c))
        return "it contains whitespace";
    }
  return NULL;
}

/**
 * avfs_vault_check_tag:
 *
 * A tag is 1–128 bytes of valid UTF-8 without whitespace (any Unicode space, line or
 * paragraph separator), control characters, `/` (kept for hierarchies) or `,` (the
 * list separator of the command line). Tags are case-sensitive and compared byte for
 * byte, without Unicode normalisation.
 *
 * Returns: %FALSE with %AVFS_ERROR_INVALID_ARGUMENT saying what is wrong
 */
gboolean
avfs_vault_check_tag (const char  *tag,
                      GError     **error)
{
  const char *problem;
  g_autofree char *quoted = NULL;

  g_return_val_if_fail (tag != NULL, FALSE);
  problem = tag_problem (tag);
  if (problem == NULL)
    return TRUE;
  quoted = quote_for_message (tag);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               "The tag %s is not valid: %s. A tag is 1 to 128 bytes of UTF-8 without "
               "whitespace, control characters, “/” or “,”", quoted, problem);
  return FALSE;
}

static const char *
meta_key_problem (const char *key)
{
  gsize len = strlen (key);

  if (len == 0)
    return "it is empty";
  if (len > AVFS_META_KEY_MAX_LEN)
    return "it is longer than 128 characters";
  if (!g_ascii_isalnum (key[0]) && key[0] != '_')
    return "it does not start with a letter, a digit or “_”";
  for (const char *p = key; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("_.:-", *p) == NULL)
        return "it holds a character other than A–Z, a–z, 0–9, “_”, “.”, “:” and “-”";
    }
  return NULL;
}

/**
 * avfs_vault_check_meta_key:
 *
 * A metadata key is 1–128 characters of `A-Z a-z 0-9 _ . : -`, starting with a letter,
 * a digit or `_` (so it never reads as a command-line option). Keys are case-sensitive.
 *
 * Returns: %FALSE with %AVFS_ERROR_INVALID_ARGUMENT saying what is wrong
 */
gboolean
avfs_vault_check_meta_key (const char  *key,
                           GError     **error)
{
  const char *problem;
  g_autofree char *quoted = NULL;

  g_return_val_if_fail (key != NULL, FALSE);
  problem = meta_key_problem (key);
  if (problem == NULL)
    return TRUE;
  quoted = quote_for_message (key);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               "The metadata key %s is not valid: %s", quoted, problem);
  return FALSE;
}

/**
 * avfs_vault_check_meta_value:
 *
 * A metadata value is valid UTF-8 text of at most %AVFS_META_VALUE_MAX_LEN bytes; it
 * may be empty, and may hold any character but NUL (newlines included).
 *
 * Returns: %FALSE with %AVFS_ERROR_INVALID_ARGUMENT saying what is wrong
 */
gboolean
avfs_vault_check_meta_value (const char  *value,
                             GError     **error)
{
  gsize len;

  g_return_val_if_fail (value != NULL, FALSE);
  len = strlen (value);
  if (len > AVFS_META_VALUE_MAX_LEN)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                 "A metadata value holds at most %d bytes, and this one has %" G_GSIZE_FORMAT,
                 AVFS_META_VALUE_MAX_LEN, len);
  else if (!g_utf8_validate (value, len, NULL))
    g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                         "A metadata value must be text, and this one is not valid UTF-8");
  else
    return TRUE;
  return FALSE;
}

/* What differs between tags and metadata records. */
typedef struct
{
  const char *collection;
  const char *noun;   /* in messages */
  const char *field;  /* the text's name in audit details */
} RecordKind;

static const RecordKind tag_kind = { AVFS_COLLECTION_TAGS, "tag", "tag" };
static const RecordKind meta_kind = { AVFS_COLLECTION_PROPS, "metadata key", "key" };

static void
set_missing_error (GError           **error,
                   const RecordKind  *kind,
                   const char        *path,
                   const char        *text)
{
  g_autofree char *quoted = avfs_json_quote (text);

  g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND, "%s has no %s %s",
               path, kind->noun, quoted);
}

/* One change to a node's tags or metadata. */
typedef struct
{
  AvfsVault *vault;
  const RecordKind *kind;
  const char *op;     /* for the audit log */
  const char *text;   /* the tag or the key */
  const char *value;  /* what to store (`""` for a tag), or %NULL to delete */
  guint64 id;
  const char *path;   /* normalised */
  char **tags;        /* a tag change: the node's tags after it, for the search index */
} ChangeJob;

/* Stores @value under @key, or deletes @key when @value is %NULL. */
static gboolean
put_or_delete (AvfsTransaction  *tx,
               const char       *collection,
               GBytes           *key,
               const char       *value,
               GError          **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (key, &len);

  if (value == NULL)
    return avfs_transaction_delete (tx, collection, data, len, error);
  return avfs_transaction_put (tx, collection, data, len, (const guint8 *) value,
                               strlen (value), error);
}

/* Puts or deletes the record, and a tag's index entry with it. */
static gboolean
write_record (AvfsTransaction  *tx,
              const ChangeJob  *job,
              GBytes           *key,
              GError          **error)
{
  g_autoptr(GBytes) index_key = NULL;

  if (!put_or_delete (tx, job->kind->collection, key, job->value, error))
    return FALSE;
  if (job->kind != &tag_kind)
    return TRUE;
  index_key = avfs_tag_index_key (job->text, job->id);
  return put_or_delete (tx, AVFS_COLLECTION_TAG_INDEX, index_key, job->value, error);
}

static gboolean
holds_text (GBytes     *stored,
            const char *text)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (stored, &len);

  return len == strlen (text) && (len == 0 || memcmp (data, text, len) == 0);
}

static gboolean
change_cb (AvfsTransaction  *tx,
           gpointer          user_data,
           GError          **error)
{
  ChangeJob *job = user_data;
  g_autoptr(GBytes) key = avfs_node_text_key (job->id, job->text);
  g_autoptr(GBytes) current = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *details = NULL;
  GError *local_error = NULL;

  current = avfs_transaction_get (tx, job->kind->collection, g_bytes_get_data (key, NULL),
                                  g_bytes_get_size (key), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (current == NULL && job->value == NULL)
    {
      set_missing_error (error, job->kind, job->path, job->text);
      return FALSE;
    }
  /* A change that changes nothing writes nothing, and leaves no audit entry. */
  if (current != NULL && job->value != NULL && holds_text (current, job->value))
    return TRUE;
  quoted = avfs_json_quote (job->text);
  details = g_strdup_printf ("{\"%s\": %s}", job->kind->field, quoted);
  if (job->tags != NULL)
    avfs_vault_search_mark (job->vault, job->id, (const char * const *) job->tags);
  return write_record (tx, job, key, error) &&
         avfs_vault_audit (job->vault, tx, job->op, job->path, details, error);
}

/* The tags of @job's file once @job has added or removed its tag. */
static char **
tags_after_change (AvfsVault   *self,
                   ChangeJob   *job,
                   GError     **error)
{
  g_auto(GStrv) before = avfs_node_load_tags (self, job->id, error);
  g_autoptr(GStrvBuilder) after = g_strv_builder_new ();

  if (before == NULL)
    return NULL;
  for (guint i = 0; before[i] != NULL; i++)
    if (!g_str_equal (before[i], job->text))
      g_strv_builder_add (after, before[i]);
  if (job->value != NULL)
    g_strv_builder_add (after, job->text);
  return g_strv_builder_end (after);
}

/* Resolves @path and applies @job to its node in one transaction. */
static gboolean
change_node_record (AvfsVault   *self,
                    const char  *path,
                    ChangeJob   *job,
                    GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write_lock);
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) node = avfs_vault_resolve_user_path (self, path, &normalized, error);
  g_auto(GStrv) tags = NULL;

  if (node == NULL)
    return FALSE;
  job->vault = self;
  job->id = node->id;
  job->path = normalized;
  if (job->kind == &tag_kind && node->kind == AVFS_NODE_KIND_FILE)
    {
      if ((tags = tags_after_change (self, job, error)) == NULL)
        return FALSE;
      job->tags = tags;
    }
  return avfs_vault_transaction (self, change_cb, job, error);
}

/**
 * avfs_vault_tag_add:
 * @path: a file or directory
 * @tag: the tag (see avfs_vault_check_tag())
 *
 * Tags @path; a tag it already has is kept as it is.
 */
gboolean
avfs_vault_tag_add (AvfsVault   *self,
                    const char  *path,
                    const char  *tag,
                    GError     **error)
{
  ChangeJob job = { .kind = &tag_kind, .op = "tag", .text = tag, .value = "" };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  return avfs_vault_check_tag (tag, error) && change_node_record (self, path, &job, error);
}

/**
 * avfs_vault_tag_remove:
 *
 * Returns: %FALSE with %AVFS_ERROR_NOT_FOUND when @path does not have @tag
 */
gboolean
avfs_vault_tag_remove (AvfsVault   *self,
                       const char  *path,
                       const char  *tag,
                       GError     **error)
{
  ChangeJob job = { .kind = &tag_kind, .op = "untag", .text = tag, .value = NULL };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  return avfs_vault_check_tag (tag, error) && change_node_record (self, path, &job, error);
}

/**
 * avfs_vault_meta_set:
 * @key: see avfs_vault_check_meta_key()
 * @value: see avfs_vault_check_meta_value()
 *
 * Sets one metadata value of @path, replacing what @key held.
 */
gboolean
avfs_vault_meta_set (AvfsVault   *self,
                     const char  *path,
                     const char  *key,
                     const char  *value,
                     GError     **error)
{
  ChangeJob job = { .kind = &meta_kind, .op = "meta-set", .text = key, .value = value };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  if (!avfs_vault_check_meta_key (key, error))
    return FALSE;
  if (!avfs_vault_check_meta_value (value, error))
    {
      g_prefix_error (error, "Cannot set metadata key “%s”: ", key);
      return FALSE;
    }
  return change_node_record (self, path, &job, error);
}

/**
 * avfs_vault_meta_delete:
 *
 * Returns: %FALSE with %AVFS_ERROR_NOT_FOUND when @path has no @key
 */
gboolean
avfs_vault_meta_delete (AvfsVault   *self,
                        const char  *path,
                        const char  *key,
                        GError     **error)
{
  ChangeJob job = { .kind = &meta_kind, .op = "meta-delete", .text = key, .value = NULL };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  return avfs_vault_check_meta_key (key, error) &&
         change_node_record (self, path, &job, error);
}

/* A stored text as a string; an empty value may come back without any data. */
static char *
bytes_to_string (const guint8 *data,
                 gsize         len)
{
  char *text = g_malloc (len + 1);

  if (len > 0)
    memcpy (text, data, len);
  text[len] = '\0';
  return text;
}

static gboolean
add_entry_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  AvfsMetaEntry *entry = g_new (AvfsMetaEntry, 1);

  entry->key = bytes_to_string (key + AVFS_ID_KEY_LEN, key_len - AVFS_ID_KEY_LEN);
  entry->value = bytes_to_string (value, value_len);
  g_ptr_array_add (user_data, entry);
  return TRUE;
}

/* The records of @path's node in @collection, in byte order of their text, as pairs
 * of text and value. */
static GPtrArray *
list_node_records (AvfsVault   *self,
                   const char  *path,
                   const char  *collection,
                   GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) node = avfs_vault_resolve_user_path (self, path, &normalized, error);
  g_autoptr(GPtrArray) entries = NULL;
  guint8 prefix[AVFS_ID_KEY_LEN];

  if (node == NULL)
    return NULL;
  avfs_id_key (node->id, prefix);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_meta_entry_free);
  if (!avfs_vault_scan_prefix_each (self, collection, prefix, sizeof prefix, add_entry_cb,
                                    entries, error))
    return NULL;
  return g_steal_pointer (&entries);
}

/**
 * avfs_vault_tags_list:
 *
 * Returns: (transfer full) (array zero-terminated=1): the tags of @path, in byte order
 */
char **
avfs_vault_tags_list (AvfsVault   *self,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GStrvBuilder) tags = g_strv_builder_new ();

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  records = list_node_records (self, path, AVFS_COLLECTION_TAGS, error);
  if (records == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    g_strv_builder_add (tags, ((AvfsMetaEntry *) g_ptr_array_index (records, i))->key);
  return g_strv_builder_end (tags);
}

/**
 * avfs_vault_meta_list:
 *
 * Returns: (transfer full) (element-type AvfsMetaEntry): the metadata of @path, in byte
 *   order of the keys
 */
GPtrArray *
avfs_vault_meta_list (AvfsVault   *self,
                      const char  *path,
                      GError     **error)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  return list_node_records (self, path, AVFS_COLLECTION_PROPS, error);
}

/**
 * avfs_vault_meta_get:
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with %AVFS_ERROR_NOT_FOUND
 *   when @path has no @key
 */
char *
avfs_vault_meta_get (AvfsVault   *self,
                     const char  *path,
                     const char  *key,
                     GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(AvfsNode) node = NULL;
  g_autoptr(GBytes) record_key = NULL;
  g_autoptr(GBytes) value = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  if (!avfs_vault_check_meta_key (key, error))
    return NULL;
  node = avfs_vault_resolve_user_path (self, path, &normalized, error);
  if (node == NULL)
    return NULL;
  record_key = avfs_node_text_key (node->id, key);
  value = avfs_vault_get_record (self, NULL, AVFS_COLLECTION_PROPS,
                                 g_bytes_get_data (record_key, NULL),
                                 g_bytes_get_size (record_key), &local_error);
  if (value == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        set_missing_error (error, &meta_kind, normalized, key);
      return NULL;
    }
  return bytes_to_string (g_bytes_get_data (value, NULL), g_bytes_get_size (value));
}

/* Checks a tag index key tag ‖ 0 ‖ id, which then starts with its tag as a C string. */
static gboolean
check_index_key (const guint8  *key,
                 gsize          len,
                 GError       **error)
{
  if (!avfs_tag_index_key_is_valid (key, len))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "The tag index is damaged; run “avfs-cli vault verify”");
      return FALSE;
    }
  return TRUE;
}

/* Counts an index entry; the index is in tag order, so the entries of one tag come
 * together. */
static gboolean
count_tag_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  GPtrArray *counts = user_data;
  AvfsTagCount *last = counts->len > 0 ? g_ptr_array_index (counts, counts->len - 1) : NULL;
  gsize len;
  const guint8 *key = avfs_cursor_get_key (cursor, &len);

  if (!check_index_key (key, len, error))
    return FALSE;
  if (last == NULL || !g_str_equal (last->tag, (const char *) key))
    {
      last = g_new0 (AvfsTagCount, 1);
      last->tag = g_strdup ((const char *) key);
      g_ptr_array_add (counts, last);
    }
  last->count++;
  return TRUE;
}

/**
 * avfs_vault_tags_all:
 *
 * Returns: (transfer full) (element-type AvfsTagCount): every tag in use with the number
 *   of files and directories carrying it, in byte order of the tags
 */
GPtrArray *
avfs_vault_tags_all (AvfsVault  *self,
                     GError    **error)
{
  g_autoptr(GPtrArray) counts = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  counts = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_tag_count_free);
  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_TAG_INDEX, NULL, 0, count_tag_cb,
                                    counts, error))
    return NULL;
  return g_steal_pointer (&counts);
}

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

typedef struct
{
  AvfsVault *vault;
  gsize prefix_len;  /* tag ‖ 0 */
  GPtrArray *paths;
} FindByTag;

/* Adds the path of the node an index entry names. */
static gboolean
add_node_path_cb (AvfsCursor  *cursor,
                  gpointer     user_data,
                  GError     **error)
{
  FindByTag *find = user_data;
  gsize len;
  const guint8 *key = avfs_cursor_get_key (cursor, &len);
  GError *local_error = NULL;
  char *path;

  if (!check_index_key (key, len, error))
    return FALSE;
  path = avfs_vault_node_path (find->vault, NULL, avfs_id_from_key (key + find->prefix_len),
                               &local_error);
  if (path != NULL)
    g_ptr_array_add (find->paths, path);
  return avfs_skip_not_found (local_error, error);
}

/**
 * avfs_vault_find_by_tag:
 *
 * An unknown tag finds nothing; that is not an error.
 *
 * Returns: (transfer full) (array zero-terminated=1): the paths of the files and
 *   directories carrying @tag, in byte order
 */
char **
avfs_vault_find_by_tag (AvfsVault   *self,
                        const char  *tag,
                        GError     **error)
{
  g_autoptr(GPtrArray) paths = NULL;
  FindByTag find;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  if (!avfs_vault_check_tag (tag, error))
    return NULL;
  paths = g_ptr_array_new_with_free_func (g_free);
  /* The prefix tag ‖ 0 is the tag with its terminating NUL. */
  find = (FindByTag) { self, strlen (tag) + 1, paths };
  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_TAG_INDEX, (const guint8 *) tag,
                                    find.prefix_len, add_node_path_cb, &find, error))
    return NULL;
  g_ptr_array_sort (paths, compare_paths);
  g_ptr_array_add (paths, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}
