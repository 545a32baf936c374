/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Snapshots: the whole tree saved by reference to its chunks; list, info, restore, delete. */
#include <string.h>

#include "avfs-path.h"
#include "avfs-vault-private.h"
#include "avfs-vault-snapshots.h"

#define RECORD_FORMAT 1
#define SNAPSHOT_TYPE G_VARIANT_TYPE (AVFS_SNAPSHOT_RECORD)
#define ENTRY_TYPE G_VARIANT_TYPE (AVFS_SNAPSHOT_ENTRY)
#define VERSION_TYPE G_VARIANT_TYPE (AVFS_VERSION_RECORD)
#define UNDO_NAME_FORMAT "auto-before-restore-%Y%m%d-%H%M%S"

/* Everything that holds the tree, and so everything a restore replaces. */
static const char * const tree_collections[] = {
  AVFS_COLLECTION_NODES, AVFS_COLLECTION_DIRENTS, AVFS_COLLECTION_VERSIONS,
  AVFS_COLLECTION_TAGS, AVFS_COLLECTION_TAG_INDEX, AVFS_COLLECTION_PROPS,
};

G_DEFINE_BOXED_TYPE (AvfsSnapshotInfo, avfs_snapshot_info,
                     avfs_snapshot_info_copy, avfs_snapshot_info_free)

AvfsSnapshotInfo *
avfs_snapshot_info_copy (const AvfsSnapshotInfo *self)
{
  AvfsSnapshotInfo *copy = g_memdup2 (self, sizeof *self);

  copy->name = g_strdup (self->name);
  copy->description = g_strdup (self->description);
  return copy;
}

void
avfs_snapshot_info_free (AvfsSnapshotInfo *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->description);
  g_free (self);
}

/* User text made safe to quote in a message: valid UTF-8, no control characters. */
static char *
printable (const char *text,
           gsize       max_len)
{
  char *shown = g_utf8_make_valid (text, MIN (strlen (text), max_len));

  for (char *p = shown; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return shown;
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  gsize len = strlen (name);
  gboolean valid = len > 0 && name[0] != '.' && name[0] != '-';
  g_autofree char *shown = NULL;

  for (gsize i = 0; valid && i < len; i++)
    valid = g_ascii_isalnum (name[i]) || name[i] == '.' || name[i] == '_' || name[i] == '-';
  if (valid && len <= AVFS_SNAPSHOT_NAME_MAX)
    return TRUE;
  shown = printable (name, AVFS_SNAPSHOT_NAME_MAX);
  if (len == 0)
    g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                         "A snapshot needs a name");
  else if (valid)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                 "The snapshot name “%s…” is too long: use at most %d characters",
                 shown, AVFS_SNAPSHOT_NAME_MAX);
  else
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                 "“%s” is not a valid snapshot name: use letters, digits, “.”, “_” and “-”, "
                 "not starting with “.” or “-”", shown);
  return FALSE;
}

static gboolean
check_description (const char  *description,
                   GError     **error)
{
  gsize len = strlen (description);

  if (len > AVFS_SNAPSHOT_DESCRIPTION_MAX)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "The snapshot description is %" G_GSIZE_FORMAT " bytes long; shorten it "
                   "to at most %d", len, AVFS_SNAPSHOT_DESCRIPTION_MAX);
      return FALSE;
    }
  if (!g_utf8_validate (description, len, NULL))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                           "The snapshot description is not valid UTF-8");
      return FALSE;
    }
  for (const char *p = description; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                             "The snapshot description must be one line without control "
                             "characters");
        return FALSE;
      }
  return TRUE;
}

/**
 * avfs_vault_check_snapshot_name:
 * @name: a name as typed
 *
 * Checks @name against the rules avfs_vault_snapshot_save() applies, for callers that
 * validate as it is typed. Whether a snapshot of that name exists is not checked.
 *
 * Returns: whether @name may name a snapshot; else @error says why
 */
gboolean
avfs_vault_check_snapshot_name (const char  *name,
                                GError     **error)
{
  g_return_val_if_fail (name != NULL, FALSE);
  return check_name (name, error);
}

/**
 * avfs_vault_check_snapshot_description:
 * @description: a description as typed
 *
 * Returns: whether avfs_vault_snapshot_save() accepts @description; else @error says why
 */
gboolean
avfs_vault_check_snapshot_description (const char  *description,
                                       GError     **error)
{
  g_return_val_if_fail (description != NULL, FALSE);
  return check_description (description, error);
}

static gboolean
add_key_cb (AvfsCursor  *cursor,
            gpointer     user_data,
            GError     **error)
{
  g_ptr_array_add (user_data, avfs_cursor_dup_key (cursor));
  return TRUE;
}

/* The keys of @collection starting with @prefix. */
static GPtrArray *
collect_keys (AvfsVault     *self,
              const char    *collection,
              const guint8  *prefix,
              gsize          prefix_len,
              GError       **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (!avfs_vault_scan_prefix_each (self, collection, prefix, prefix_len, add_key_cb, keys,
                                    error))
    return NULL;
  return g_steal_pointer (&keys);
}

/* name ‖ 0: the prefix of a snapshot's entries. */
static GBytes *
entries_prefix (const char *name)
{
  return g_bytes_new (name, strlen (name) + 1);
}

static GBytes *
entry_key (const char  *name,
           const char  *path,
           GError     **error)
{
  gsize name_len = strlen (name), path_len = strlen (path);
  guint8 *key;

  /* The key holds the whole path, so the storage key limit bounds the paths kept. */
  if (name_len + 1 + path_len > AVFS_STORAGE_MAX_KEY_LEN)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH,
                   "%s: the path is too long to be kept in the snapshot “%s” (%" G_GSIZE_FORMAT
                   " bytes, at most %" G_GSIZE_FORMAT "); shorten or move it first",
                   path, name, path_len, AVFS_STORAGE_MAX_KEY_LEN - name_len - 1);
      return NULL;
    }
  key = g_malloc (name_len + 1 + path_len);
  memcpy (key, name, name_len + 1);
  memcpy (key + name_len + 1, path, path_len);
  return g_bytes_new_take (key, name_len + 1 + path_len);
}

/* The snapshot record of @name, or %NULL with the error unset when there is none. */
static GBytes *
load_record (AvfsVault        *self,
             AvfsTransaction  *tx,
             const char       *name,
             GError          **error)
{
  return avfs_vault_get_record (self, tx, AVFS_COLLECTION_SNAPSHOTS, (const guint8 *) name,
                                strlen (name), error);
}

/* Fails with %AVFS_ERROR_EXISTS when @name is taken. */
static gboolean
check_free_name (AvfsVault        *self,
                 AvfsTransaction  *tx,
                 const char       *name,
                 GError          **error)
{
  GError *local_error = NULL;
  g_autoptr(GBytes) record = load_record (self, tx, name, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (record == NULL)
    return TRUE;
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS,
               "A snapshot named “%s” already exists; choose another name or delete it first",
               name);
  return FALSE;
}

/* The parsed record of snapshot @name, a name as the caller gave it: fails with
 * %AVFS_ERROR_INVALID_ARGUMENT when it is malformed, %AVFS_ERROR_NOT_FOUND when there is
 * no such snapshot. */
static GVariant *
require_snapshot (AvfsVault   *self,
                  const char  *name,
                  GError     **error)
{
  GError *local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!check_name (name, error))
    return NULL;
  bytes = load_record (self, NULL, name, &local_error);
  if (bytes != NULL)
    return avfs_record_parse (bytes, SNAPSHOT_TYPE, "snapshot", error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  else
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                 "There is no snapshot named “%s”; see “avfs-cli snapshot list”", name);
  return NULL;
}

static AvfsSnapshotInfo *
info_from_record (const char *name,
                  GVariant   *record)
{
  AvfsSnapshotInfo *info = g_new0 (AvfsSnapshotInfo, 1);

  info->name = g_strdup (name);
  g_variant_get (record, "(yxbsttt)", NULL, &info->created_us, &info->automatic,
                 &info->description, &info->files, &info->directories, &info->bytes);
  return info;
}

/* A tree captured for a snapshot: its entries, serialised and ready to write. */
typedef struct
{
  GPtrArray *keys;   /* GBytes: name ‖ 0 ‖ path */
  GPtrArray *values; /* GBytes: AVFS_SNAPSHOT_ENTRY */
  AvfsUsage totals;
} Capture;

static Capture *
capture_new (void)
{
  Capture *capture = g_new0 (Capture, 1);

  capture->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  capture->values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return capture;
}

static void
capture_free (Capture *capture)
{
  g_ptr_array_unref (capture->keys);
  g_ptr_array_unref (capture->values);
  g_free (capture);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Capture, capture_free)

static gboolean
set_damaged (GError     **error,
             const char  *what)
{
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
               "%s is damaged; run “avfs-cli vault verify”", what);
  return FALSE;
}

/* Adds a versions record (id ‖ number → AVFS_VERSION_RECORD) as (number size time op
 * content); the content stays a list of chunk hashes. */
static gboolean
add_version_cb (AvfsCursor  *cursor,
                gpointer     user_data,
                GError     **error)
{
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GVariant) content = NULL;
  guint32 number;
  guint64 size;
  gint64 time_us;
  const char *op;

  if (key_len != AVFS_ID_KEY_LEN + sizeof number)
    return set_damaged (error, "A version key");
  memcpy (&number, key + AVFS_ID_KEY_LEN, sizeof number);
  bytes = avfs_cursor_dup_value (cursor);
  record = avfs_record_parse (bytes, VERSION_TYPE, "version", error);
  if (record == NULL)
    return FALSE;
  g_variant_get (record, "(ytx&s@ay)", NULL, &size, &time_us, &op, &content);
  g_variant_builder_add (user_data, "(utxs@ay)", GUINT32_FROM_BE (number), size, time_us, op,
                         content);
  return TRUE;
}

/* The text after the node id of a tags or props key, or %NULL when it is not UTF-8. */
static char *
key_text (AvfsCursor *cursor)
{
  gsize key_len;
  const char *text = (const char *) avfs_cursor_get_key (cursor, &key_len) + AVFS_ID_KEY_LEN;

  if (key_len <= AVFS_ID_KEY_LEN ||
      !g_utf8_validate_len (text, key_len - AVFS_ID_KEY_LEN, NULL))
    return NULL;
  return g_strndup (text, key_len - AVFS_ID_KEY_LEN);
}

static gboolean
add_tag_cb (AvfsCursor  *cursor,
            gpointer     user_data,
            GError     **error)
{
  g_autofree char *tag = key_text (cursor);

  if (tag == NULL)
    return set_damaged (error, "A tag");
  g_variant_builder_add (user_data, "s", tag);
  return TRUE;
}

static gboolean
add_prop_cb (AvfsCursor  *cursor,
             gpointer     user_data,
             GError     **error)
{
  gsize value_len;
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  g_autofree char *name = key_text (cursor);
  g_autofree char *text = NULL;

  if (name == NULL || !g_utf8_validate_len ((const char *) value, value_len, NULL))
    return set_damaged (error, "A metadata entry");
  text = g_strndup ((const char *) value, value_len);
  g_variant_builder_add (user_data, "{ss}", name, text);
  return TRUE;
}

/* Adds @node, at @path, to @capture: its record, every version, its tags and metadata. */
static gboolean
capture_node (AvfsVault       *self,
              Capture         *capture,
              const char      *name,
              const AvfsNode  *node,
              const char      *path,
              GError         **error)
{
  g_auto(GVariantBuilder) versions = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(utxsay)"));
  g_auto(GVariantBuilder) tags = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_STRING_ARRAY);
  g_auto(GVariantBuilder) props = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  g_autoptr(GBytes) key = entry_key (name, path, error);
  guint8 prefix[AVFS_ID_KEY_LEN];

  if (key == NULL)
    return FALSE;
  avfs_id_key (node->id, prefix);
  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_VERSIONS, prefix, sizeof prefix,
                                    add_version_cb, &versions, error) ||
      !avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_TAGS, prefix, sizeof prefix,
                                    add_tag_cb, &tags, error) ||
      !avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_PROPS, prefix, sizeof prefix,
                                    add_prop_cb, &props, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  g_ptr_array_add (capture->keys, g_steal_pointer (&key));
  g_ptr_array_add (capture->values,
                   avfs_record_serialize (g_variant_new (AVFS_SNAPSHOT_ENTRY, (guint8) node->kind,
                                                         node->mode, node->created_us,
                                                         node->modified_us, &versions, &tags,
                                                         &props)));
  if (node->kind == AVFS_NODE_KIND_FILE)
    capture->totals.files++, capture->totals.bytes += node->size;
  else if (node->id != AVFS_ROOT_ID)
    capture->totals.directories++;
  return TRUE;
}

/* The path of @node, whose parent's path is already in @paths. */
static char *
child_path (GHashTable      *paths,
            const AvfsNode  *node,
            GError         **error)
{
  const char *parent;

  if (node->id == AVFS_ROOT_ID)
    return g_strdup ("/");
  parent = g_hash_table_lookup (paths, &node->parent);
  if (parent == NULL)
    {
      set_damaged (error, "A directory entry");
      return NULL;
    }
  return avfs_path_join (parent, node->name);
}

/* Captures the whole tree for the snapshot @name. The caller holds the write lock. */
static Capture *
capture_tree (AvfsVault   *self,
              const char  *name,
              GError     **error)
{
  g_autoptr(AvfsNode) root = avfs_node_load (self, NULL, AVFS_ROOT_ID, error);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GHashTable) paths = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                       NULL, g_free);
  g_autoptr(Capture) capture = capture_new ();

  if (root == NULL || (ids = avfs_vault_collect_subtree (self, root, error)) == NULL)
    return NULL;
  for (guint i = 0; i < ids->len; i++)
    {
      guint64 *id = &g_array_index (ids, guint64, i);
      g_autoptr(AvfsNode) node = avfs_node_load (self, NULL, *id, error);
      char *path = node != NULL ? child_path (paths, node, error) : NULL;

      if (path == NULL)
        return NULL;
      g_hash_table_insert (paths, id, path);
      if (!capture_node (self, capture, name, node, path, error))
        return NULL;
    }
  return g_steal_pointer (&capture);
}

/* One snapshot to write: its record's fields and its captured tree. */
typedef struct
{
  const char *name;
  const char *description;
  gboolean automatic;
  gint64 created_us;
  Capture *capture;
} SnapshotWrite;

static gboolean
put_bytes (AvfsTransaction  *tx,
           const char       *collection,
           GBytes           *key,
           GBytes           *value,
           GError          **error)
{
  return avfs_transaction_put (tx, collection, g_bytes_get_data (key, NULL),
                               g_bytes_get_size (key), g_bytes_get_data (value, NULL),
                               g_bytes_get_size (value), error);
}

static gboolean
write_snapshot (AvfsVault            *self,
                AvfsTransaction      *tx,
                const SnapshotWrite  *snapshot,
                GError              **error)
{
  const AvfsUsage *totals = &snapshot->capture->totals;
  g_autoptr(GBytes) key = g_bytes_new_static (snapshot->name, strlen (snapshot->name));
  g_autoptr(GBytes) record = NULL;
  g_autofree char *details = NULL;

  if (!check_free_name (self, tx, snapshot->name, error))
    return FALSE;
  for (guint i = 0; i < snapshot->capture->keys->len; i++)
    if (!put_bytes (tx, AVFS_COLLECTION_SNAPSHOT_ENTRIES,
                    g_ptr_array_index (snapshot->capture->keys, i),
                    g_ptr_array_index (snapshot->capture->values, i), error))
      return FALSE;
  record = avfs_record_serialize (g_variant_new (AVFS_SNAPSHOT_RECORD, RECORD_FORMAT,
                                                 snapshot->created_us, snapshot->automatic,
                                                 snapshot->description, totals->files,
                                                 totals->directories, totals->bytes));
  details = g_strdup_printf ("{\"snapshot\": \"%s\", \"automatic\": %s, \"files\": %"
                             G_GUINT64_FORMAT ", \"directories\": %" G_GUINT64_FORMAT "}",
                             snapshot->name, snapshot->automatic ? "true" : "false",
                             totals->files, totals->directories);
  return put_bytes (tx, AVFS_COLLECTION_SNAPSHOTS, key, record, error) &&
         avfs_vault_audit (self, tx, "snapshot-save", "", details, error);
}

typedef struct
{
  AvfsVault *vault;
  SnapshotWrite snapshot;
} SaveJob;

static gboolean
save_cb (AvfsTransaction  *tx,
         gpointer          user_data,
         GError          **error)
{
  SaveJob *job = user_data;

  return write_snapshot (job->vault, tx, &job->snapshot, error);
}

/**
 * avfs_vault_snapshot_save:
 * @name: the snapshot's name: 1–64 of `A-Za-z0-9._-`, not starting with `.` or `-`
 * @description: (nullable): one line saying what it is for
 *
 * Saves the whole tree — every file with every version, directories (empty ones too),
 * modes, times, tags and metadata — in one transaction. The snapshot refers to content
 * chunks already stored, so it copies no content.
 *
 * Returns: %FALSE with %AVFS_ERROR_EXISTS when @name is taken
 */
gboolean
avfs_vault_snapshot_save (AvfsVault   *self,
                          const char  *name,
                          const char  *description,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(Capture) capture = NULL;
  SaveJob job = { self };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  if (description == NULL)
    description = "";
  if (!check_name (name, error) || !check_description (description, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->write_lock);
  /* Refuse a taken name before walking the tree; the transaction checks again. */
  if (!check_free_name (self, NULL, name, error))
    return FALSE;
  capture = capture_tree (self, name, error);
  if (capture == NULL)
    return FALSE;
  job.snapshot = (SnapshotWrite) { name, description, FALSE, g_get_real_time (), capture };
  return avfs_vault_transaction (self, save_cb, &job, error);
}

static gint
compare_infos (gconstpointer a,
               gconstpointer b)
{
  const AvfsSnapshotInfo *x = *(AvfsSnapshotInfo **) a;
  const AvfsSnapshotInfo *y = *(AvfsSnapshotInfo **) b;

  if (x->created_us != y->created_us)
    return x->created_us < y->created_us ? -1 : 1;
  return strcmp (x->name, y->name);
}

static gboolean
add_info_cb (AvfsCursor  *cursor,
             gpointer     user_data,
             GError     **error)
{
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) bytes = avfs_cursor_dup_value (cursor);
  g_autoptr(GVariant) record = avfs_record_parse (bytes, SNAPSHOT_TYPE, "snapshot", error);
  g_autofree char *name = g_strndup ((const char *) key, key_len);

  if (record == NULL)
    return FALSE;
  g_ptr_array_add (user_data, info_from_record (name, record));
  return TRUE;
}

/**
 * avfs_vault_snapshot_list:
 *
 * Returns: (transfer full) (element-type AvfsSnapshotInfo): every snapshot, oldest first
 */
GPtrArray *
avfs_vault_snapshot_list (AvfsVault  *self,
                          GError    **error)
{
  g_autoptr(GPtrArray) infos = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_snapshot_info_free);
  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_SNAPSHOTS, NULL, 0, add_info_cb,
                                    infos, error))
    return NULL;
  g_ptr_array_sort (infos, compare_infos);
  return g_steal_pointer (&infos);
}

/**
 * avfs_vault_snapshot_info:
 *
 * Returns: (transfer full) (nullable): snapshot @name, or %NULL with %AVFS_ERROR_NOT_FOUND
 */
AvfsSnapshotInfo *
avfs_vault_snapshot_info (AvfsVault   *self,
                          const char  *name,
                          GError     **error)
{
  g_autoptr(GVariant) record = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  record = require_snapshot (self, name, error);
  return record != NULL ? info_from_record (name, record) : NULL;
}

typedef struct
{
  AvfsVault *vault;
  const char *name;
  GPtrArray *keys; /* GBytes: the snapshot's entries */
} DeleteJob;

static gboolean
delete_bytes (AvfsTransaction  *tx,
              const char       *collection,
              GBytes           *key,
              GError          **error)
{
  return avfs_transaction_delete (tx, collection, g_bytes_get_data (key, NULL),
                                  g_bytes_get_size (key), error);
}

static gboolean
delete_cb (AvfsTransaction  *tx,
           gpointer          user_data,
           GError          **error)
{
  DeleteJob *job = user_data;
  g_autofree char *details = g_strdup_printf ("{\"snapshot\": \"%s\"}", job->name);

  for (guint i = 0; i < job->keys->len; i++)
    if (!delete_bytes (tx, AVFS_COLLECTION_SNAPSHOT_ENTRIES, g_ptr_array_index (job->keys, i),
                       error))
      return FALSE;
  return avfs_transaction_delete (tx, AVFS_COLLECTION_SNAPSHOTS, (const guint8 *) job->name,
                                  strlen (job->name), error) &&
         avfs_vault_audit (job->vault, tx, "snapshot-delete", "", details, error);
}

/**
 * avfs_vault_snapshot_delete:
 *
 * Deletes snapshot @name in one transaction. Content only it referred to stays stored
 * until `gc`.
 */
gboolean
avfs_vault_snapshot_delete (AvfsVault   *self,
                            const char  *name,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GBytes) prefix = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  DeleteJob job = { self, name };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  locker = g_mutex_locker_new (&self->write_lock);
  record = require_snapshot (self, name, error);
  if (record == NULL)
    return FALSE;
  prefix = entries_prefix (name);
  keys = collect_keys (self, AVFS_COLLECTION_SNAPSHOT_ENTRIES, g_bytes_get_data (prefix, NULL),
                       g_bytes_get_size (prefix), error);
  if (keys == NULL)
    return FALSE;
  job.keys = keys;
  return avfs_vault_transaction (self, delete_cb, &job, error);
}

/**
 * avfs_snapshot_entry_versions:
 * @entry: a stored AVFS_SNAPSHOT_ENTRY
 *
 * Returns: (transfer full) (nullable): its versions, an a(utxsay) array, or %NULL with
 *   %AVFS_ERROR_CORRUPT when @entry is not a snapshot entry
 */
GVariant *
avfs_snapshot_entry_versions (GBytes  *entry,
                              GError **error)
{
  g_autoptr(GVariant) record = g_variant_ref_sink (g_variant_new_from_bytes (ENTRY_TYPE, entry,
                                                                             FALSE));

  if (!g_variant_is_normal_form (record))
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "A snapshot entry is damaged; run “avfs-cli vault verify”");
      return NULL;
    }
  return g_variant_get_child_value (record, 4);
}

/**
 * avfs_snapshot_version_content:
 * @versions: what avfs_snapshot_entry_versions() returned
 * @index: which of them
 * @number: (out): the version's number
 *
 * Returns: (transfer full): the version's chunk hashes
 */
GBytes *
avfs_snapshot_version_content (GVariant *versions,
                               gsize     index,
                               guint32  *number)
{
  g_autoptr(GVariant) version = g_variant_get_child_value (versions, index);
  g_autoptr(GVariant) content = g_variant_get_child_value (version, 4);

  g_variant_get_child (version, 0, "u", number);
  return g_variant_get_data_as_bytes (content);
}

/* Whether the versions of an entry are numbered upwards, each content whole hashes. */
static gboolean
versions_are_sound (GVariant *entry)
{
  g_autoptr(GVariant) versions = g_variant_get_child_value (entry, 4);
  gsize n = g_variant_n_children (versions);
  guint32 previous = 0;

  for (gsize i = 0; i < n; i++)
    {
      guint32 number;
      g_autoptr(GBytes) content = avfs_snapshot_version_content (versions, i, &number);

      if (number <= previous || g_bytes_get_size (content) % AVFS_HASH_LEN != 0)
        return FALSE;
      previous = number;
    }
  return TRUE;
}

/* A snapshot's tree as it is read back: @entries[i] goes at @paths[i]. */
typedef struct
{
  gsize prefix_len;    /* of the entries' keys: name ‖ 0 */
  GPtrArray *paths;    /* char * */
  GPtrArray *entries;  /* GVariant: AVFS_SNAPSHOT_ENTRY */
} LoadEntries;

/* Checks an entry read from a snapshot, so the restore only writes sound records. */
static gboolean
add_entry_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  LoadEntries *load = user_data;
  gsize key_len;
  const char *path = (const char *) avfs_cursor_get_key (cursor, &key_len) + load->prefix_len;
  gsize path_len = key_len - load->prefix_len;
  g_autofree char *copy = g_strndup (path, path_len);
  g_autofree char *normalized = avfs_path_normalize (copy, NULL);
  g_autoptr(GBytes) bytes = avfs_cursor_dup_value (cursor);
  g_autoptr(GVariant) entry = g_variant_ref_sink (g_variant_new_from_bytes (ENTRY_TYPE, bytes,
                                                                            FALSE));
  guint8 kind = 0;

  if (g_variant_is_normal_form (entry))
    g_variant_get_child (entry, 0, "y", &kind);
  if (normalized == NULL || strlen (normalized) != path_len ||
      memcmp (normalized, path, path_len) != 0 ||
      (kind != AVFS_NODE_KIND_FILE && kind != AVFS_NODE_KIND_DIRECTORY) ||
      !versions_are_sound (entry))
    {
      g_autofree char *shown = printable (copy, AVFS_PATH_MAX_LEN);

      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "The entry for %s is damaged; run “avfs-cli vault verify”", shown);
      return FALSE;
    }
  g_ptr_array_add (load->paths, g_steal_pointer (&copy));
  g_ptr_array_add (load->entries, g_steal_pointer (&entry));
  return TRUE;
}

/* Reads the entries of snapshot @name into @paths and @entries in key order, which puts
 * every directory before what it holds (a path sorts before the paths it is a prefix
 * of). */
static gboolean
load_entries (AvfsVault   *self,
              const char  *name,
              GPtrArray   *paths,
              GPtrArray   *entries,
              GError     **error)
{
  g_autoptr(GBytes) prefix = entries_prefix (name);
  LoadEntries load = { g_bytes_get_size (prefix), paths, entries };
  guint8 kind = 0;

  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_SNAPSHOT_ENTRIES,
                                    g_bytes_get_data (prefix, NULL), g_bytes_get_size (prefix),
                                    add_entry_cb, &load, error))
    {
      g_prefix_error (error, "Snapshot “%s”: ", name);
      return FALSE;
    }
  if (entries->len > 0)
    g_variant_get_child (g_ptr_array_index (entries, 0), 0, "y", &kind);
  if (entries->len == 0 || !g_str_equal (g_ptr_array_index (paths, 0), "/") ||
      kind != AVFS_NODE_KIND_DIRECTORY)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "Snapshot “%s” has no root directory; it is damaged", name);
      return FALSE;
    }
  return TRUE;
}

/* The keys of the whole tree, one array per collection of tree_collections. */
static GPtrArray *
collect_tree_keys (AvfsVault  *self,
                   GError    **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint c = 0; c < G_N_ELEMENTS (tree_collections); c++)
    {
      GPtrArray *collection_keys = collect_keys (self, tree_collections[c], NULL, 0, error);

      if (collection_keys == NULL)
        return NULL;
      g_ptr_array_add (keys, collection_keys);
    }
  return g_steal_pointer (&keys);
}

/* A name for the snapshot of the tree a restore replaces: UTC, so names sort by time
 * wherever they were made; a number is added when the second is taken. */
static char *
pick_undo_name (AvfsVault  *self,
                GError    **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *base = g_date_time_format (now, UNDO_NAME_FORMAT);

  for (guint n = 1;; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, n);
      GError *local_error = NULL;
      g_autoptr(GBytes) record = load_record (self, NULL, name, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (record == NULL)
        return g_steal_pointer (&name);
    }
}

typedef struct
{
  AvfsVault *vault;
  const char *name;
  GPtrArray *paths;        /* char *: where each entry goes… */
  GPtrArray *entries;      /* …GVariant: the snapshot's tree, parents first */
  SnapshotWrite undo;      /* the current tree, saved before it is replaced */
  GPtrArray *wipe;         /* per tree collection, GBytes: the current tree's keys */
  GHashTable *directories; /* path → new id (guint64 *), filled inside the transaction */
} RestoreJob;

/* Makes the node for the entry at @path: `/` keeps its id, everything else gets a new
 * one. */
static AvfsNode *
new_node (RestoreJob       *job,
          AvfsTransaction  *tx,
          const char       *path,
          AvfsNodeKind      kind,
          GError          **error)
{
  g_autofree char *parent_path = NULL;
  const guint64 *parent;
  guint64 id;

  if (g_str_equal (path, "/"))
    return avfs_node_new (AVFS_ROOT_ID, AVFS_NODE_KIND_DIRECTORY, 0, "");
  parent_path = avfs_path_get_parent (path);
  parent = g_hash_table_lookup (job->directories, parent_path);
  if (parent == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                   "%s has no parent directory in the snapshot, which is damaged", path);
      return NULL;
    }
  if (!avfs_vault_next_id (job->vault, tx, &id, error))
    return NULL;
  return avfs_node_new (id, kind, *parent, avfs_path_get_name (path));
}

/* Writes every version of a file back; the newest is its current content. */
static gboolean
restore_versions (AvfsTransaction  *tx,
                  AvfsNode         *node,
                  GVariantIter     *versions,
                  GError          **error)
{
  GVariant *child;

  while ((child = g_variant_iter_next_value (versions)) != NULL)
    {
      g_autoptr(GVariant) owned = child;
      g_autoptr(GVariant) content = NULL;
      g_autoptr(GBytes) hashes = NULL;
      AvfsVersion version = { 0 };
      guint32 number;

      g_variant_get (owned, "(utx&s@ay)", &number, &version.size, &version.time_us,
                     &version.op, &content);
      hashes = g_variant_get_data_as_bytes (content);
      version.content = hashes;
      if (!avfs_version_save (tx, node->id, number, &version, error))
        return FALSE;
      g_clear_pointer (&node->content, g_bytes_unref);
      node->content = g_steal_pointer (&hashes);
      node->version = number;
      node->size = version.size;
    }
  return TRUE;
}

static gboolean
put_empty (AvfsTransaction  *tx,
           const char       *collection,
           GBytes           *key,
           GError          **error)
{
  return avfs_transaction_put (tx, collection, g_bytes_get_data (key, NULL),
                               g_bytes_get_size (key), NULL, 0, error);
}

/* Writes tags and metadata back in the layouts of avfs-vault-private.h. */
static gboolean
restore_labels (AvfsTransaction  *tx,
                guint64           id,
                GVariantIter     *tags,
                GVariantIter     *props,
                GError          **error)
{
  const char *tag, *name, *value;

  while (g_variant_iter_next (tags, "&s", &tag))
    {
      g_autoptr(GBytes) key = avfs_node_text_key (id, tag);
      g_autoptr(GBytes) index_key = avfs_tag_index_key (tag, id);

      if (!put_empty (tx, AVFS_COLLECTION_TAGS, key, error) ||
          !put_empty (tx, AVFS_COLLECTION_TAG_INDEX, index_key, error))
        return FALSE;
    }
  while (g_variant_iter_next (props, "{&s&s}", &name, &value))
    {
      g_autoptr(GBytes) key = avfs_node_text_key (id, name);

      if (!avfs_transaction_put (tx, AVFS_COLLECTION_PROPS, g_bytes_get_data (key, NULL),
                                 g_bytes_get_size (key), (const guint8 *) value,
                                 strlen (value), error))
        return FALSE;
    }
  return TRUE;
}

/* Rebuilds entry @i of the snapshot, counting it in @usage and checking quotas. */
static gboolean
restore_entry (RestoreJob       *job,
               AvfsTransaction  *tx,
               guint             i,
               AvfsUsage        *usage,
               GError          **error)
{
  g_autoptr(GVariantIter) versions = NULL;
  g_autoptr(GVariantIter) tags = NULL;
  g_autoptr(GVariantIter) props = NULL;
  g_autoptr(AvfsNode) node = NULL;
  const char *path = g_ptr_array_index (job->paths, i);
  guint8 kind;
  guint32 mode;
  gint64 created_us, modified_us;

  g_variant_get (g_ptr_array_index (job->entries, i), AVFS_SNAPSHOT_ENTRY, &kind, &mode,
                 &created_us, &modified_us, &versions, &tags, &props);
  node = new_node (job, tx, path, kind, error);
  if (node == NULL)
    return FALSE;
  node->mode = mode;
  node->created_us = created_us;
  node->modified_us = modified_us;
  if (kind == AVFS_NODE_KIND_DIRECTORY)
    {
      g_hash_table_insert (job->directories, g_strdup (path),
                           g_memdup2 (&node->id, sizeof node->id));
      if (node->id != AVFS_ROOT_ID)
        usage->directories++;
    }
  else
    {
      g_autofree const char **tag_names = NULL;

      if (!restore_versions (tx, node, versions, error))
        return FALSE;
      /* The search index gets the snapshot's tags, not those committed before. */
      g_variant_get_child (g_ptr_array_index (job->entries, i), 5, "^a&s", &tag_names);
      avfs_vault_search_mark (job->vault, node->id, tag_names);
      usage->files++;
      usage->bytes += node->size;
      if (!avfs_vault_check_quota (job->vault, tx, usage, node->size, path, error))
        return FALSE;
    }
  return avfs_node_save (tx, node, error) &&
         (node->id == AVFS_ROOT_ID || avfs_vault_link (tx, node, error)) &&
         restore_labels (tx, node->id, tags, props, error);
}

/* Marks the nodes of the tree a restore replaces (@keys: its node keys), so that the
 * search index drops the files the snapshot does not have. */
static void
mark_wiped_nodes (AvfsVault *self,
                  GPtrArray *keys)
{
  for (guint i = 0; i < keys->len; i++)
    {
      gsize len;
      const guint8 *key = g_bytes_get_data (g_ptr_array_index (keys, i), &len);

      if (len == AVFS_ID_KEY_LEN)
        avfs_vault_search_mark (self, avfs_id_from_key (key), NULL);
    }
}

static gboolean
restore_cb (AvfsTransaction  *tx,
            gpointer          user_data,
            GError          **error)
{
  RestoreJob *job = user_data;
  g_autofree char *details = NULL;
  AvfsUsage usage = { 0 };

  g_hash_table_remove_all (job->directories);
  if (!write_snapshot (job->vault, tx, &job->undo, error))
    return FALSE;
  for (guint c = 0; c < job->wipe->len; c++)
    {
      GPtrArray *keys = g_ptr_array_index (job->wipe, c);

      for (guint i = 0; i < keys->len; i++)
        if (!delete_bytes (tx, tree_collections[c], g_ptr_array_index (keys, i), error))
          return FALSE;
    }
  mark_wiped_nodes (job->vault, g_ptr_array_index (job->wipe, 0));
  for (guint i = 0; i < job->entries->len; i++)
    if (!restore_entry (job, tx, i, &usage, error))
      {
        g_prefix_error (error, "Cannot restore snapshot “%s”: ", job->name);
        return FALSE;
      }
  details = g_strdup_printf ("{\"snapshot\": \"%s\", \"undo\": \"%s\"}", job->name,
                             job->undo.name);
  return avfs_usage_save (tx, &usage, error) &&
         avfs_vault_audit (job->vault, tx, "snapshot-restore", "", details, error);
}

/**
 * avfs_vault_snapshot_restore:
 * @name: the snapshot to go back to
 * @undo_name: (out) (optional) (transfer full): the name of the automatic snapshot of
 *   the tree as it was before, which restoring undoes this restore
 *
 * Replaces the whole tree — files, every version, directories, tags, metadata — with
 * snapshot @name. One transaction saves the current tree as an automatic snapshot
 * (`auto-before-restore-YYYYMMDD-HHMMSS[-N]`, UTC) and rebuilds the tree, so a failure,
 * a quota the result would exceed included, changes nothing. Restored files and
 * directories get new node ids; `/` keeps its id.
 */
gboolean
avfs_vault_snapshot_restore (AvfsVault   *self,
                             const char  *name,
                             char       **undo_name,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *undo = NULL;
  g_autofree char *description = NULL;
  g_autoptr(Capture) capture = NULL;
  g_autoptr(GPtrArray) wipe = NULL;
  g_autoptr(GHashTable) directories = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                             g_free, g_free);
  RestoreJob job = { self, name };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  locker = g_mutex_locker_new (&self->write_lock);
  record = require_snapshot (self, name, error);
  if (record == NULL || !load_entries (self, name, paths, entries, error))
    return FALSE;
  undo = pick_undo_name (self, error);
  capture = undo != NULL ? capture_tree (self, undo, error) : NULL;
  wipe = capture != NULL ? collect_tree_keys (self, error) : NULL;
  if (wipe == NULL)
    return FALSE;
  job.paths = paths;
  job.entries = entries;
  description = g_strdup_printf ("Before restoring “%s”", name);
  job.undo = (SnapshotWrite) { undo, description, TRUE, g_get_real_time (), capture };
  job.wipe = wipe;
  job.directories = directories;
  if (!avfs_vault_transaction (self, restore_cb, &job, error))
    return FALSE;
  if (undo_name != NULL)
    *undo_name = g_steal_pointer (&undo);
  return TRUE;
}
