/* SPDX-License-Identifier: GPL-3.0-or-later */
/* verify: walks the whole vault, checking that every reference resolves, every chunk
 * matches its hash and the counters agree with the tree. */
#include <string.h>

#include "avfs-vault-maintenance.h"
#include "avfs-vault-private.h"
#include "avfs-path.h"
#include "avfs-vault-search.h"

#define LOST_AND_FOUND "/lost+found" /* where repair lists the nodes no entry listed */

G_DEFINE_BOXED_TYPE (AvfsVerifyReport, avfs_verify_report,
                     avfs_verify_report_copy, avfs_verify_report_free)

static gpointer
copy_string (gconstpointer data,
             gpointer      user_data)
{
  return g_strdup (data);
}

AvfsVerifyReport *
avfs_verify_report_copy (const AvfsVerifyReport *self)
{
  AvfsVerifyReport *copy = g_memdup2 (self, sizeof *self);

  copy->problems = g_ptr_array_copy (self->problems, copy_string, NULL);
  return copy;
}

void
avfs_verify_report_free (AvfsVerifyReport *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->problems);
  g_free (self);
}

/* Each check reads one part of the vault and reports what it finds wrong. */

enum {
  WALK_UNKNOWN,
  WALK_VISITING,
  WALK_REACHES_ROOT,
  WALK_BROKEN,
};

/* What verify remembers of a node to check the others against it. */
typedef struct
{
  guint64 id;
  guint64 parent;
  const char *name;     /* in the verifier's string chunk */
  guint32 version;
  guint32 dirents;      /* directory entries pointing to it */
  guint8 kind;
  guint8 walk;
  gboolean has_current; /* its current version's record was seen */
} NodeFacts;

typedef struct
{
  AvfsVault *vault;
  GCancellable *cancellable;
  AvfsTicker ticker;
  AvfsVerifyReport *report;
  GHashTable *nodes;     /* id → NodeFacts */
  GStringChunk *names;
  AvfsUsage usage;       /* recounted from the nodes */
  char *snapshot;        /* the snapshot whose entries are being read… */
  gboolean snapshot_exists; /* …and whether its record is there */
  /* What avfs_vault_repair() can put right, gathered only when it runs verify: */
  GPtrArray *repairs;    /* RecordRepair, or NULL when verify only reports */
  gboolean usage_wrong;  /* the usage counters need writing from v->usage */
  gboolean index_stale;  /* the search index needs rebuilding */
  GArray *lost;          /* ids of nodes no entry lists, for /lost+found */
  AvfsPostingsCheck *postings; /* the search check's part started ahead, or NULL */
} Verifier;

/* One record to delete (@value %NULL) or to write. */
typedef struct
{
  const char *collection;
  GBytes *key;
  GBytes *value;
} RecordRepair;

static void
record_repair_free (RecordRepair *repair)
{
  g_bytes_unref (repair->key);
  g_clear_pointer (&repair->value, g_bytes_unref);
  g_free (repair);
}

/* Notes, when repairing, that record @key of @collection is to be deleted, or written
 * with @value (taken). */
static void
add_repair (Verifier     *v,
            const char   *collection,
            GBytes       *key,
            GBytes       *value)
{
  RecordRepair *repair;

  if (v->repairs == NULL)
    {
      g_clear_pointer (&value, g_bytes_unref);
      return;
    }
  repair = g_new (RecordRepair, 1);
  *repair = (RecordRepair) { collection, g_bytes_ref (key), value };
  g_ptr_array_add (v->repairs, repair);
}

static void
verifier_clear (Verifier *v)
{
  g_clear_pointer (&v->report, avfs_verify_report_free);
  g_clear_pointer (&v->nodes, g_hash_table_unref);
  g_clear_pointer (&v->names, g_string_chunk_free);
  g_clear_pointer (&v->snapshot, g_free);
  g_clear_pointer (&v->repairs, g_ptr_array_unref);
  g_clear_pointer (&v->lost, g_array_unref);
  g_clear_pointer (&v->postings, avfs_postings_check_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Verifier, verifier_clear)

static void G_GNUC_PRINTF (2, 3)
add_problem (Verifier   *v,
             const char *format,
             ...)
{
  va_list args;

  v->report->n_problems++;
  if (v->report->problems->len >= AVFS_VERIFY_MAX_PROBLEMS)
    return;
  va_start (args, format);
  g_ptr_array_add (v->report->problems, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Calls @func with @v on every entry of @collection. */
static gboolean
verify_walk (Verifier      *v,
             const char    *collection,
             AvfsScanFunc   func,
             GError       **error)
{
  return avfs_vault_walk_collection (v->vault, collection, v->cancellable, &v->ticker, func,
                                     v, error);
}

static NodeFacts *
lookup_node (Verifier *v,
             guint64   id)
{
  return g_hash_table_lookup (v->nodes, &id);
}

/* A node for a message: its path when its parents lead to `/`, else its id and name. */
static char *
describe_node (Verifier *v,
               guint64   id)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) path = g_string_new (NULL);
  NodeFacts *facts = lookup_node (v, id);
  NodeFacts *at = facts;

  while (at != NULL && at->id != AVFS_ROOT_ID && names->len < g_hash_table_size (v->nodes))
    {
      g_ptr_array_add (names, (gpointer) at->name);
      at = lookup_node (v, at->parent);
    }
  if (facts == NULL)
    return g_strdup_printf ("node %" G_GUINT64_FORMAT, id);
  if (at == NULL || at->id != AVFS_ROOT_ID)
    return g_strdup_printf ("node %" G_GUINT64_FORMAT " “%s”", id, facts->name);
  for (guint i = names->len; i > 0; i--)
    g_string_append_printf (path, "/%s", (const char *) g_ptr_array_index (names, i - 1));
  return path->len > 0 ? g_string_free (g_steal_pointer (&path), FALSE) : g_strdup ("/");
}

/* The first bytes of a chunk hash, as messages show it. */
static char *
describe_chunk (const guint8 *hash)
{
  return g_strdup_printf ("%02x%02x%02x%02x…", hash[0], hash[1], hash[2], hash[3]);
}

/* A name from a key, printable whatever bytes it holds. */
static char *
key_text (const guint8 *data,
          gsize         len)
{
  return g_utf8_make_valid ((const char *) data, len);
}

static gboolean
read_node_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(GError) damage = NULL;
  g_autoptr(AvfsNode) node = NULL;
  NodeFacts *facts;

  v->report->nodes++;
  if (key_len != AVFS_ID_KEY_LEN ||
      (node = avfs_node_parse (avfs_id_from_key (key), value, &damage)) == NULL)
    {
      add_problem (v, "A file record is damaged and cannot be read (%s)",
                   damage != NULL ? damage->message : "its key is malformed");
      return TRUE;
    }
  facts = g_new0 (NodeFacts, 1);
  facts->id = node->id;
  facts->parent = node->parent;
  facts->name = g_string_chunk_insert (v->names, node->name);
  facts->version = node->version;
  facts->kind = node->kind;
  g_hash_table_insert (v->nodes, &facts->id, facts);
  if (node->kind == AVFS_NODE_KIND_FILE)
    {
      v->usage.files++;
      v->usage.bytes += node->size;
    }
  else if (node->id != AVFS_ROOT_ID)
    v->usage.directories++;
  return TRUE;
}

/* Reads every node; the later checks look nodes up in what this gathers. */
static gboolean
check_nodes (Verifier  *v,
             GError   **error)
{
  NodeFacts *root;

  if (!verify_walk (v, AVFS_COLLECTION_NODES, read_node_cb, error))
    return FALSE;
  root = lookup_node (v, AVFS_ROOT_ID);
  if (root == NULL || root->kind != AVFS_NODE_KIND_DIRECTORY)
    add_problem (v, "The root directory / is missing");
  if (root != NULL)
    root->walk = WALK_REACHES_ROOT;
  return TRUE;
}

typedef void (*FactsFunc) (Verifier   *v,
                           NodeFacts  *facts);

/* Calls @func on every node check_nodes() read, in no particular order. */
static void
for_each_node (Verifier  *v,
               FactsFunc  func)
{
  GHashTableIter iter;
  NodeFacts *facts;

  g_hash_table_iter_init (&iter, v->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &facts))
    func (v, facts);
}

static void
check_kind (Verifier  *v,
            NodeFacts *facts)
{
  g_autofree char *what = NULL;

  if (facts->kind == AVFS_NODE_KIND_FILE || facts->kind == AVFS_NODE_KIND_DIRECTORY)
    return;
  what = describe_node (v, facts->id);
  add_problem (v, "%s is neither a file nor a directory (kind %u)", what, facts->kind);
}

/* The entry (@parent, @name) → @value, against the nodes it names. */
/* Returns %FALSE for an entry that points to no node: nothing is lost by removing it. */
static gboolean
check_dirent (Verifier      *v,
              guint64        parent,
              const char    *name,
              const guint8  *value,
              gsize          value_len)
{
  g_autofree char *directory = describe_node (v, parent);
  NodeFacts *dir = lookup_node (v, parent);
  NodeFacts *child;

  if (value_len != AVFS_ID_KEY_LEN + 1)
    {
      add_problem (v, "The entry “%s” in %s is damaged", name, directory);
      return TRUE;
    }
  child = lookup_node (v, avfs_id_from_key (value));
  if (dir == NULL || dir->kind != AVFS_NODE_KIND_DIRECTORY)
    add_problem (v, "The entry “%s” is in %s, which is not a directory", name, directory);
  if (child == NULL)
    {
      add_problem (v, "The entry “%s” in %s points to node %" G_GUINT64_FORMAT
                   ", which does not exist", name, directory, avfs_id_from_key (value));
      return FALSE;
    }
  child->dirents++;
  if (child->parent != parent || strcmp (child->name, name) != 0)
    {
      g_autofree char *actual = describe_node (v, child->id);

      add_problem (v, "The entry “%s” in %s points to %s, which is elsewhere", name,
                   directory, actual);
    }
  else if (value[AVFS_ID_KEY_LEN] != child->kind)
    add_problem (v, "The entry “%s” in %s has the wrong kind for what it points to", name,
                 directory);
  return TRUE;
}

static gboolean
read_dirent_cb (AvfsCursor  *cursor,
                gpointer     user_data,
                GError     **error)
{
  Verifier *v = user_data;
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  g_autofree char *name = NULL;

  v->report->dirents++;
  if (key_len <= AVFS_ID_KEY_LEN)
    {
      add_problem (v, "A directory entry has a malformed key");
      return TRUE;
    }
  name = key_text (key + AVFS_ID_KEY_LEN, key_len - AVFS_ID_KEY_LEN);
  if (!check_dirent (v, avfs_id_from_key (key), name, value, value_len))
    {
      g_autoptr(GBytes) record_key = g_bytes_new (key, key_len);

      add_repair (v, AVFS_COLLECTION_DIRENTS, record_key, NULL);
    }
  return TRUE;
}

static gboolean
check_dirents (Verifier  *v,
               GError   **error)
{
  for_each_node (v, check_kind);
  return verify_walk (v, AVFS_COLLECTION_DIRENTS, read_dirent_cb, error);
}

/* Follows @facts' parents up to `/`, reporting a missing parent or a cycle once, where
 * the chain breaks; every node on the way shares the outcome. */
static void
walk_to_root (Verifier  *v,
              NodeFacts *facts)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  NodeFacts *at = facts;
  guint8 outcome;

  while (at != NULL && at->walk == WALK_UNKNOWN)
    {
      NodeFacts *parent = lookup_node (v, at->parent);

      at->walk = WALK_VISITING;
      g_ptr_array_add (chain, at);
      if (parent == NULL || parent->kind != AVFS_NODE_KIND_DIRECTORY)
        {
          g_autofree char *what = describe_node (v, at->id);

          if (parent == NULL)
            add_problem (v, "%s is in directory node %" G_GUINT64_FORMAT ", which does not "
                         "exist", what, at->parent);
          else
            add_problem (v, "%s is inside a file, not a directory", what);
        }
      at = parent != NULL && parent->kind == AVFS_NODE_KIND_DIRECTORY ? parent : NULL;
    }
  if (at == NULL)
    outcome = WALK_BROKEN;
  else if (at->walk == WALK_VISITING)
    {
      g_autofree char *what = describe_node (v, at->id);

      add_problem (v, "%s is its own ancestor: its directories form a cycle", what);
      outcome = WALK_BROKEN;
    }
  else
    outcome = at->walk;
  for (guint i = 0; i < chain->len; i++)
    ((NodeFacts *) g_ptr_array_index (chain, i))->walk = outcome;
}

static void
check_reachable (Verifier  *v,
                 NodeFacts *facts)
{
  g_autofree char *what = NULL;

  if (facts->walk == WALK_UNKNOWN)
    walk_to_root (v, facts);
  if (facts->id == AVFS_ROOT_ID ? facts->dirents == 0 : facts->dirents == 1)
    return;
  what = describe_node (v, facts->id);
  if (facts->dirents == 0)
    {
      add_problem (v, "%s is in no directory listing, so it cannot be reached", what);
      if (v->repairs != NULL)
        g_array_append_val (v->lost, facts->id);
    }
  else
    add_problem (v, "%s is listed by %u directory entries", what, facts->dirents);
}

/* Every node but `/` is listed by exactly one entry, and its parents lead to `/`. */
static gboolean
check_tree (Verifier  *v,
            GError   **error)
{
  for_each_node (v, check_reachable);
  return TRUE;
}

static gboolean
check_usage (Verifier  *v,
             GError   **error)
{
  g_autoptr(GError) damage = NULL;
  AvfsUsage usage;

  if (!avfs_usage_load (v->vault, NULL, &usage, &damage))
    {
      if (!g_error_matches (damage, AVFS_ERROR, AVFS_ERROR_CORRUPT))
        {
          g_propagate_error (error, g_steal_pointer (&damage));
          return FALSE;
        }
      add_problem (v, "The usage counters cannot be read (%s)", damage->message);
      v->usage_wrong = TRUE;
      return TRUE;
    }
  v->usage_wrong = usage.files != v->usage.files ||
                   usage.directories != v->usage.directories || usage.bytes != v->usage.bytes;
  if (v->usage_wrong)
    add_problem (v, "The usage counters (which quotas rely on) are wrong: they say files %"
                 G_GUINT64_FORMAT ", directories %" G_GUINT64_FORMAT ", bytes %"
                 G_GUINT64_FORMAT "; the tree holds files %" G_GUINT64_FORMAT ", directories %"
                 G_GUINT64_FORMAT ", bytes %" G_GUINT64_FORMAT, usage.files,
                 usage.directories, usage.bytes, v->usage.files, v->usage.directories,
                 v->usage.bytes);
  return TRUE;
}

/* Reports each chunk of @content that is not stored; @owner says whose content it is. */
static gboolean
check_chunks (Verifier    *v,
              GBytes      *content,
              const char  *owner,
              GError     **error)
{
  gsize len;
  const guint8 *hashes = g_bytes_get_data (content, &len);

  if (len % AVFS_HASH_LEN != 0)
    {
      add_problem (v, "%s: its list of chunks is damaged", owner);
      return TRUE;
    }
  for (gsize offset = 0; offset < len; offset += AVFS_HASH_LEN)
    {
      gboolean exists = FALSE;

      if (!avfs_storage_exists (v->vault->storage, AVFS_COLLECTION_BLOBS, hashes + offset,
                                AVFS_HASH_LEN, &exists, error))
        return FALSE;
      if (!exists)
        {
          g_autofree char *chunk = describe_chunk (hashes + offset);

          add_problem (v, "%s: chunk %s is missing", owner, chunk);
        }
    }
  return TRUE;
}

/* The file's record against its current version's. */
static gboolean
check_current_version (Verifier           *v,
                       NodeFacts          *facts,
                       const AvfsVersion  *version,
                       const char         *owner,
                       GError            **error)
{
  g_autoptr(GError) damage = NULL;
  g_autoptr(AvfsNode) node = avfs_node_load (v->vault, NULL, facts->id, &damage);

  facts->has_current = TRUE;
  if (node == NULL && !g_error_matches (damage, AVFS_ERROR, AVFS_ERROR_CORRUPT) &&
      !g_error_matches (damage, AVFS_ERROR, AVFS_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&damage));
      return FALSE;
    }
  /* A node that cannot be read was reported by check_nodes. */
  if (node == NULL)
    return TRUE;
  if (node->size != version->size)
    add_problem (v, "%s: the file is %" G_GUINT64_FORMAT " bytes but its current version "
                 "records %" G_GUINT64_FORMAT, owner, node->size, version->size);
  else if (!g_bytes_equal (node->content, version->content))
    add_problem (v, "%s: the file's content differs from its current version's", owner);
  return TRUE;
}

static gboolean
read_version_cb (AvfsCursor  *cursor,
                 gpointer     user_data,
                 GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(GError) damage = NULL;
  g_autoptr(AvfsVersion) version = NULL;
  g_autofree char *path = NULL;
  g_autofree char *owner = NULL;
  NodeFacts *facts;
  guint32 number;

  v->report->versions++;
  if (key_len != AVFS_ID_KEY_LEN + sizeof number)
    {
      add_problem (v, "A version record has a malformed key");
      return TRUE;
    }
  memcpy (&number, key + AVFS_ID_KEY_LEN, sizeof number);
  number = GUINT32_FROM_BE (number);
  facts = lookup_node (v, avfs_id_from_key (key));
  path = describe_node (v, avfs_id_from_key (key));
  owner = g_strdup_printf ("%s, version %u", path, number);
  if (facts == NULL || facts->kind != AVFS_NODE_KIND_FILE)
    {
      g_autoptr(GBytes) record_key = g_bytes_new (key, key_len);

      add_problem (v, facts == NULL ? "%s: there is no such file"
                                    : "%s: a directory has no versions", owner);
      add_repair (v, AVFS_COLLECTION_VERSIONS, record_key, NULL);
      return TRUE;
    }
  if (number > facts->version)
    add_problem (v, "%s: newer than the file's current version %u", owner, facts->version);
  version = avfs_version_parse (value, &damage);
  if (version == NULL)
    {
      add_problem (v, "%s: the record is damaged (%s)", owner, damage->message);
      return TRUE;
    }
  if (number == facts->version &&
      !check_current_version (v, facts, version, owner, error))
    return FALSE;
  return check_chunks (v, version->content, owner, error);
}

static void
check_has_current (Verifier  *v,
                   NodeFacts *facts)
{
  g_autofree char *what = NULL;

  if (facts->kind != AVFS_NODE_KIND_FILE || facts->has_current)
    return;
  what = describe_node (v, facts->id);
  add_problem (v, "%s: its current version %u has no version record", what, facts->version);
}

/* Every version's chunks are stored, and every file's current version is recorded. */
static gboolean
check_versions (Verifier  *v,
                GError   **error)
{
  if (!verify_walk (v, AVFS_COLLECTION_VERSIONS, read_version_cb, error))
    return FALSE;
  for_each_node (v, check_has_current);
  return TRUE;
}

/* Whether the snapshot @name is recorded; entries of a snapshot are read together, so
 * one look-up serves them all. */
static gboolean
snapshot_exists (Verifier    *v,
                 const char  *name,
                 gboolean    *exists,
                 GError     **error)
{
  if (v->snapshot == NULL || !g_str_equal (v->snapshot, name))
    {
      g_free (v->snapshot);
      v->snapshot = g_strdup (name);
      if (!avfs_storage_exists (v->vault->storage, AVFS_COLLECTION_SNAPSHOTS,
                                (const guint8 *) name, strlen (name), &v->snapshot_exists,
                                error))
        return FALSE;
    }
  *exists = v->snapshot_exists;
  return TRUE;
}

static gboolean
read_snapshot_entry_cb (AvfsCursor  *cursor,
                        gpointer     user_data,
                        GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *separator = memchr (key, 0, key_len);
  g_autoptr(GBytes) value = avfs_cursor_dup_value (cursor);
  g_autoptr(GVariant) versions = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  gboolean exists;
  gsize n;

  v->report->snapshot_entries++;
  if (separator == NULL)
    {
      add_problem (v, "A snapshot entry has a malformed key");
      return TRUE;
    }
  name = key_text (key, separator - key);
  path = key_text (separator + 1, key_len - (separator + 1 - key));
  if (!snapshot_exists (v, name, &exists, error))
    return FALSE;
  if (!exists)
    add_problem (v, "Snapshot “%s” holds %s but the snapshot itself is not recorded", name,
                 path);
  versions = avfs_snapshot_entry_versions (value, NULL);
  if (versions == NULL)
    {
      add_problem (v, "Snapshot “%s”, %s: the entry is damaged", name, path);
      return TRUE;
    }
  n = g_variant_n_children (versions);
  for (gsize i = 0; i < n; i++)
    {
      guint32 number;
      g_autoptr(GBytes) content = avfs_snapshot_version_content (versions, i, &number);
      g_autofree char *owner = g_strdup_printf ("Snapshot “%s”, %s, version %u", name, path,
                                                number);

      if (!check_chunks (v, content, owner, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_snapshots (Verifier  *v,
                 GError   **error)
{
  return verify_walk (v, AVFS_COLLECTION_SNAPSHOT_ENTRIES, read_snapshot_entry_cb, error);
}

static gboolean
read_blob_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GBytes) chunk = NULL;
  g_autofree char *what = NULL;
  guint8 hash[AVFS_HASH_LEN];

  v->report->blobs++;
  if (key_len != AVFS_HASH_LEN)
    {
      add_problem (v, "A stored chunk has a malformed key (%" G_GSIZE_FORMAT " bytes)",
                   key_len);
      return TRUE;
    }
  what = describe_chunk (key);
  stored = avfs_cursor_dup_value (cursor);
  chunk = avfs_chunk_decode (v->vault, stored, key, NULL);
  if (chunk == NULL)
    {
      add_problem (v, "Chunk %s is damaged: it cannot be decoded", what);
      return TRUE;
    }
  avfs_chunk_hash (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), hash);
  if (memcmp (hash, key, AVFS_HASH_LEN) != 0)
    add_problem (v, "Chunk %s is damaged: its content does not match its hash", what);
  return TRUE;
}

/* A stored dictionary is one zstd takes. */
static gboolean
check_dictionary (Verifier  *v,
                  GError   **error)
{
  GError *local_error = NULL;
  g_autoptr(GBytes) dictionary = avfs_vault_get_record (v->vault, NULL, AVFS_COLLECTION_META,
                                                        (const guint8 *) AVFS_DICTIONARY_KEY,
                                                        strlen (AVFS_DICTIONARY_KEY),
                                                        &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (dictionary != NULL && !avfs_chunk_dictionary_is_valid (dictionary))
    add_problem (v, "The vault's compression dictionary is damaged: the chunks compressed "
                 "with it cannot be read");
  return TRUE;
}

/* Every stored chunk decodes to content with its own hash. */
static gboolean
check_blobs (Verifier  *v,
             GError   **error)
{
  return verify_walk (v, AVFS_COLLECTION_BLOBS, read_blob_cb, error);
}

static gboolean
key_exists (Verifier    *v,
            const char  *collection,
            GBytes      *key,
            gboolean    *exists,
            GError     **error)
{
  return avfs_storage_exists (v->vault->storage, collection, g_bytes_get_data (key, NULL),
                              g_bytes_get_size (key), exists, error);
}

/* A tag or metadata key (id ‖ text): the text, or %NULL (a problem) when malformed. */
static char *
node_text (Verifier     *v,
           const char   *what,
           const guint8 *key,
           gsize         key_len)
{
  if (key_len <= AVFS_ID_KEY_LEN || memchr (key + AVFS_ID_KEY_LEN, 0, key_len - AVFS_ID_KEY_LEN))
    {
      add_problem (v, "A %s record has a malformed key", what);
      return NULL;
    }
  return key_text (key + AVFS_ID_KEY_LEN, key_len - AVFS_ID_KEY_LEN);
}

static gboolean
read_tag_cb (AvfsCursor  *cursor,
             gpointer     user_data,
             GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autofree char *tag = node_text (v, "tag", key, key_len);
  g_autofree char *what = NULL;
  g_autoptr(GBytes) index_key = NULL;
  gboolean indexed = FALSE;
  guint64 id;

  v->report->tags++;
  if (tag == NULL)
    return TRUE;
  id = avfs_id_from_key (key);
  what = describe_node (v, id);
  index_key = avfs_tag_index_key (tag, id);
  if (!key_exists (v, AVFS_COLLECTION_TAG_INDEX, index_key, &indexed, error))
    return FALSE;
  if (lookup_node (v, id) == NULL)
    {
      g_autoptr(GBytes) record_key = g_bytes_new (key, key_len);

      add_problem (v, "Tag “%s” belongs to %s, which does not exist", tag, what);
      add_repair (v, AVFS_COLLECTION_TAGS, record_key, NULL);
      if (indexed)
        add_repair (v, AVFS_COLLECTION_TAG_INDEX, index_key, NULL);
    }
  else if (!indexed)
    {
      add_problem (v, "%s is tagged “%s” but the tag index does not list it", what, tag);
      add_repair (v, AVFS_COLLECTION_TAG_INDEX, index_key, g_bytes_new (NULL, 0));
    }
  return TRUE;
}

static gboolean
read_tag_index_cb (AvfsCursor  *cursor,
                   gpointer     user_data,
                   GError     **error)
{
  Verifier *v = user_data;
  gsize key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autofree char *tag = NULL;
  g_autofree char *what = NULL;
  g_autoptr(GBytes) tags_key = NULL;
  gboolean tagged = FALSE;
  guint64 id;

  v->report->tags++;
  if (!avfs_tag_index_key_is_valid (key, key_len))
    {
      add_problem (v, "A tag index record has a malformed key");
      return TRUE;
    }
  tag = key_text (key, key_len - AVFS_ID_KEY_LEN - 1);
  id = avfs_id_from_key (key + key_len - AVFS_ID_KEY_LEN);
  what = describe_node (v, id);
  tags_key = avfs_node_text_key (id, tag);
  if (!key_exists (v, AVFS_COLLECTION_TAGS, tags_key, &tagged, error))
    return FALSE;
  if (!tagged)
    {
      g_autoptr(GBytes) record_key = g_bytes_new (key, key_len);

      add_problem (v, "The tag index lists %s under “%s”, but it does not carry that tag",
                   what, tag);
      add_repair (v, AVFS_COLLECTION_TAG_INDEX, record_key, NULL);
    }
  return TRUE;
}

/* tags and tag_index say the same, both ways. */
static gboolean
check_tags (Verifier  *v,
            GError   **error)
{
  return verify_walk (v, AVFS_COLLECTION_TAGS, read_tag_cb, error) &&
         verify_walk (v, AVFS_COLLECTION_TAG_INDEX, read_tag_index_cb, error);
}

static gboolean
read_prop_cb (AvfsCursor  *cursor,
              gpointer     user_data,
              GError     **error)
{
  Verifier *v = user_data;
  gsize key_len, value_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
  g_autofree char *name = node_text (v, "metadata", key, key_len);
  g_autofree char *what = NULL;
  guint64 id;

  v->report->props++;
  if (name == NULL)
    return TRUE;
  id = avfs_id_from_key (key);
  what = describe_node (v, id);
  if (lookup_node (v, id) == NULL)
    {
      g_autoptr(GBytes) record_key = g_bytes_new (key, key_len);

      add_problem (v, "Metadata “%s” belongs to %s, which does not exist", name, what);
      add_repair (v, AVFS_COLLECTION_PROPS, record_key, NULL);
    }
  if (!g_utf8_validate ((const char *) value, value_len, NULL))
    add_problem (v, "%s: the value of metadata “%s” is not valid UTF-8", what, name);
  return TRUE;
}

static gboolean
check_props (Verifier  *v,
             GError   **error)
{
  return verify_walk (v, AVFS_COLLECTION_PROPS, read_prop_cb, error);
}

/* The search index agrees with the files (avfs-vault-search.c compares them). */
static gboolean
check_search (Verifier  *v,
              GError   **error)
{
  g_autoptr(AvfsPostingsCheck) postings = g_steal_pointer (&v->postings);
  g_autoptr(AvfsSearchCheck) check = avfs_vault_search_check_with (v->vault, postings,
                                                                   v->cancellable, error);

  if (check == NULL)
    return FALSE;
  v->report->search_documents = check->documents;
  v->index_stale = check->n_problems > 0;
  for (guint i = 0; i < check->problems->len; i++)
    add_problem (v, "%s", (const char *) g_ptr_array_index (check->problems, i));
  v->report->n_problems += check->n_problems - check->problems->len;
  return TRUE;
}

typedef gboolean (*VerifyCheck) (Verifier  *v,
                                 GError   **error);

/* The checks, in order: check_nodes comes first, the others look nodes up in what it
 * gathered. A check adds problems to the report and fails only when it cannot read the
 * vault or is cancelled; a new kind of check is one more function here. */
static const VerifyCheck verify_checks[] = {
  check_nodes,
  check_dirents,
  check_tree,
  check_usage,
  check_versions,
  check_snapshots,
  check_dictionary,
  check_blobs,
  check_tags,
  check_props,
  check_search,
};

/* The search check comes last; the others check the records. */
#define N_RECORD_CHECKS (G_N_ELEMENTS (verify_checks) - 1)

/* Runs checks @first to @end (exclusive) on @v, adding to its report, made if it has
 * none (and to its repairs when it gathers them). */
static gboolean
run_checks (Verifier  *v,
            guint      first,
            guint      end,
            GError   **error)
{
  if (v->report == NULL)
    {
      v->report = g_new0 (AvfsVerifyReport, 1);
      v->report->problems = g_ptr_array_new_with_free_func (g_free);
    }
  v->nodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  v->names = g_string_chunk_new (4096);
  for (guint i = first; i < end; i++)
    {
      if (!verify_checks[i] (v, error))
        {
          /* Not left running once the caller lets writers in. */
          g_clear_pointer (&v->postings, avfs_postings_check_free);
          return FALSE;
        }
    }
  return TRUE;
}

/* The first part of verify, every check but the search index's, for a migration to run
 * while it builds the index. Takes no lock: the caller keeps writers out. Returns the
 * problems found, or %NULL with @error. */
AvfsVerifyReport *
avfs_vault_verify_records (AvfsVault         *self,
                           AvfsProgressFunc   progress,
                           gpointer           user_data,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_auto(Verifier) v = { self, cancellable, { progress, user_data, { "verify" } } };

  return run_checks (&v, 0, N_RECORD_CHECKS, error) ? g_steal_pointer (&v.report) : NULL;
}

/* The second part of verify, the search index against the files, adding to @report
 * what avfs_vault_verify_records() found. Takes no lock. */
gboolean
avfs_vault_verify_search (AvfsVault         *self,
                          AvfsVerifyReport  *report,
                          GCancellable      *cancellable,
                          GError           **error)
{
  g_auto(Verifier) v = { self, cancellable, { NULL } };
  gboolean ok;

  v.report = report;
  ok = run_checks (&v, N_RECORD_CHECKS, G_N_ELEMENTS (verify_checks), error);
  v.report = NULL;
  return ok;
}

/**
 * avfs_vault_verify:
 * @progress: (nullable): told every thousand records walked, in phase `"verify"`
 * @user_data: data for @progress
 * @cancellable: (nullable): stops the walk
 *
 * Walks the whole vault: directory entries and nodes agree, every node but `/` is
 * reachable by exactly one entry and its parents lead to `/`, every file's current
 * version is recorded and matches it, every version's and snapshot entry's chunks are
 * stored, every chunk decodes to content with its own hash, the usage counters match
 * the tree, tags agree with the tag index both ways, and tags, metadata and versions
 * belong to existing nodes, and the search index agrees with the files. Holds the write
 * lock so that it sees one consistent state; writes wait until it finishes.
 *
 * Returns: (transfer full) (nullable): the problems found (none for a sound vault), or
 *   %NULL with @error when the vault could not be read
 */
AvfsVerifyReport *
avfs_vault_verify (AvfsVault         *self,
                   AvfsProgressFunc   progress,
                   gpointer           user_data,
                   GCancellable      *cancellable,
                   GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AvfsBulkJob) bulk = NULL;
  g_auto(Verifier) v = { self, cancellable, { progress, user_data, { "verify" } } };

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  locker = g_mutex_locker_new (&self->write_lock);
  bulk = avfs_vault_begin_bulk (self);
  v.postings = avfs_vault_search_start_postings_check (self, cancellable);
  return run_checks (&v, 0, G_N_ELEMENTS (verify_checks), error) ? g_steal_pointer (&v.report)
                                                                : NULL;
}

/* @name (valid UTF-8) cut to a name's 255 bytes at a character boundary. */
static char *
cut_name (const char *name)
{
  gsize len = strlen (name);

  while (len > AVFS_PATH_MAX_NAME)
    len = g_utf8_find_prev_char (name, name + len) - name;
  return g_strndup (name, len);
}

/* Lists every node no entry listed in LOST_AND_FOUND, named "ID-NAME" so that names
 * cannot clash (cut to a name's 255 bytes); the folder is made if need be. */
static gboolean
find_lost (Verifier         *v,
           AvfsTransaction  *tx,
           AvfsUsage        *usage,
           GError          **error)
{
  g_autoptr(AvfsNode) folder = NULL;

  if (v->lost->len == 0)
    return TRUE;
  folder = avfs_vault_ensure_directories (v->vault, tx, LOST_AND_FOUND, usage, error);
  if (folder == NULL)
    return FALSE;
  for (guint i = 0; i < v->lost->len; i++)
    {
      g_autoptr(AvfsNode) node = avfs_node_load (v->vault, tx, g_array_index (v->lost, guint64, i),
                                                 error);
      g_autofree char *name = NULL;

      if (node == NULL)
        return FALSE;
      name = g_strdup_printf ("%" G_GUINT64_FORMAT "-%s", node->id, node->name);
      g_free (node->name);
      node->name = cut_name (name);
      node->parent = folder->id;
      if (!avfs_node_save (tx, node, error) || !avfs_vault_link (tx, node, error))
        return FALSE;
    }
  return TRUE;
}

/* Writes what verify gathered, and the audit entry, in one transaction. */
static gboolean
repair_records_cb (AvfsTransaction  *tx,
                   gpointer          user_data,
                   GError          **error)
{
  Verifier *v = user_data;
  g_autofree char *details = g_strdup_printf ("{\"records\": %u, \"lost\": %u, "
                                              "\"usage\": %s}", v->repairs->len,
                                              v->lost->len, v->usage_wrong ? "true" : "false");
  /* A copy: LMDB may run this again. The folder made is one more directory. */
  AvfsUsage usage = v->usage;

  for (guint i = 0; i < v->repairs->len; i++)
    {
      RecordRepair *repair = g_ptr_array_index (v->repairs, i);
      gsize key_len;
      const guint8 *key = g_bytes_get_data (repair->key, &key_len);
      gboolean ok = repair->value == NULL
                    ? avfs_transaction_delete (tx, repair->collection, key, key_len, error)
                    : avfs_transaction_put (tx, repair->collection, key, key_len,
                                            g_bytes_get_data (repair->value, NULL),
                                            g_bytes_get_size (repair->value), error);

      if (!ok)
        return FALSE;
    }
  if (!find_lost (v, tx, &usage, error))
    return FALSE;
  return ((!v->usage_wrong && v->lost->len == 0) || avfs_usage_save (tx, &usage, error)) &&
         avfs_vault_audit (v->vault, tx, "repair", "/", details, error);
}

/**
 * avfs_vault_repair:
 * @repaired: (out) (optional): how many things were put right: records, the usage
 *   counters, the search index, unreferenced chunks
 *
 * Runs verify, then puts right what can be derived again from the rest: the usage
 * counters (recounted from the tree), the tag index (from the tags), tags, metadata and
 * versions of files that do not exist (removed), chunks nothing references (removed, as
 * gc does) and the search index (rebuilt). The records change in one transaction.
 * Damaged or missing content and broken directory entries cannot be derived: they stay,
 * and the returned report of a second verify names them.
 *
 * Returns: (transfer full) (nullable): what is still wrong (nothing for a sound vault),
 *   or %NULL with @error when the vault could not be read or written
 */
AvfsVerifyReport *
avfs_vault_repair (AvfsVault         *self,
                   AvfsProgressFunc   progress,
                   gpointer           user_data,
                   GCancellable      *cancellable,
                   guint64           *repaired,
                   GError           **error)
{
  g_auto(Verifier) v = { self, cancellable, { progress, user_data, { "verify" } } };
  g_autoptr(AvfsBulkJob) bulk = NULL;
  AvfsGcReport gc = { 0 };
  guint64 count = 0;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  bulk = avfs_vault_begin_bulk (self);
  v.repairs = g_ptr_array_new_with_free_func ((GDestroyNotify) record_repair_free);
  v.lost = g_array_new (FALSE, FALSE, sizeof (guint64));
  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write_lock);

    v.postings = avfs_vault_search_start_postings_check (self, cancellable);
    if (!run_checks (&v, 0, G_N_ELEMENTS (verify_checks), error))
      return NULL;
    if ((v.repairs->len > 0 || v.usage_wrong || v.lost->len > 0) &&
        !avfs_storage_transaction (self->storage, repair_records_cb, &v, error))
      return NULL;
  }
  count = v.repairs->len + v.lost->len + (v.usage_wrong ? 1 : 0);
  /* Records changed, or the index was wrong: the index follows the records again. */
  if ((v.index_stale || count > 0) &&
      !avfs_vault_search_rebuild (self, cancellable, progress, user_data, error))
    return NULL;
  count += v.index_stale ? 1 : 0;
  if (!avfs_vault_gc (self, FALSE, &gc, progress, user_data, cancellable, error))
    return NULL;
  if (repaired != NULL)
    *repaired = count + gc.blobs_removed;
  return avfs_vault_verify (self, progress, user_data, cancellable, error);
}
