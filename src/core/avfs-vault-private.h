/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the files of AvfsVault share: the instance, the record layer, the chunk store. */
#pragma once

#include <zstd.h>

#include "avfs-progress.h"
#include "avfs-search-index.h"
#include "avfs-vault-lock.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-search.h"
#include "avfs-vault.h"

G_BEGIN_DECLS

/* The collections of a vault (shared/DESIGN.md §3). Keys are binary: node ids and version
 * numbers big-endian so that byte order is numeric order. */
#define AVFS_COLLECTION_META "meta"                 /* name → value */
#define AVFS_COLLECTION_NODES "nodes"               /* id → AvfsNode record */
#define AVFS_COLLECTION_DIRENTS "dirents"           /* parent id ‖ name → child id ‖ kind */
#define AVFS_COLLECTION_BLOBS "blobs"               /* SHA-256 → codec byte ‖ chunk */
/* The first byte of a stored chunk says how the rest is encoded. */
enum {
  AVFS_CODEC_RAW = 0,
  AVFS_CODEC_ZSTD = 1,
  AVFS_CODEC_ZSTD_DICTIONARY = 2, /* with the vault's dictionary (avfs-chunk-dictionary.c) */
};
#define AVFS_COLLECTION_VERSIONS "versions"         /* id ‖ version → AvfsVersion record */
#define AVFS_COLLECTION_TAGS "tags"                 /* id ‖ tag → "" */
#define AVFS_COLLECTION_TAG_INDEX "tag_index"       /* tag ‖ 0 ‖ id → "" */
#define AVFS_COLLECTION_PROPS "props"               /* id ‖ key → value (UTF-8) */
#define AVFS_COLLECTION_SNAPSHOTS "snapshots"       /* name → SNAPSHOT_RECORD */
#define AVFS_COLLECTION_SNAPSHOT_ENTRIES "snapshot_entries" /* name ‖ 0 ‖ path → SNAPSHOT_ENTRY */
#define AVFS_COLLECTION_AUDIT "audit"               /* time µs ‖ sequence (BE) → AUDIT_RECORD */
#define AVFS_COLLECTION_SEARCH_QUEUE "search_queue" /* node id → stamp: a document to refresh */
/* The meta record of the vault's zstd dictionary (avfs-chunk-dictionary.c). */
#define AVFS_DICTIONARY_KEY "compression_dictionary"
/* The files a vault holds before it gets a dictionary (an import: in one batch of small
 * files). */
#define AVFS_DICTIONARY_MIN_FILES 500

/* Record shapes (GVariant type strings). Each starts with the format byte 1, except a
 * snapshot entry, which has none: its first member is the node's kind. Content is a
 * bytestring of chunk hashes, AVFS_HASH_LEN each. */
#define AVFS_NODE_RECORD "(yytsuxxutay)"      /* kind parent name mode created modified version size content */
#define AVFS_VERSION_RECORD "(ytxsay)"        /* size time op content */
#define AVFS_USAGE_RECORD "(yttt)"            /* meta "usage": files directories bytes */
#define AVFS_QUOTA_RECORD "(yttt)"            /* meta "quota": max_size_mb max_files max_file_size_mb (0: none) */
#define AVFS_AUDIT_RECORD "(yxsss)"           /* time op path details-json */
#define AVFS_SNAPSHOT_RECORD "(yxbsttt)"      /* created automatic description files directories bytes */
/* A snapshot entry, without a format byte: kind mode created modified, every version
 * (number size time op content), tags, metadata. Snapshots reference chunks; they never
 * copy content. */
#define AVFS_SNAPSHOT_ENTRY "(yuxxa(utxsay)asa{ss})"

/* What an avfs must understand to open a vault; it opens every format up to its own.
 * 2: a SQLite vault's search index may read its text from the vault's blobs (content
 *    refs), which avfs of format 1 would misread. Other engines' vaults of format 1 stay so.
 * 3: on SQLite the blobs are a table of the LARGE_VALUES layout, which avfs of format 2
 *    does not take for a collection.
 * 4: a vault made by this avfs. It may have a compression dictionary, with chunks
 *    compressed with it, which avfs of format 3 cannot decode; vaults of older formats
 *    get none (avfs-chunk-dictionary.c). On LMDB its blobs are two DBIs (the
 *    LARGE_VALUES layout), which avfs of format 3 would misread. */
#define AVFS_VAULT_FORMAT_CONTENT_REFS 2
#define AVFS_VAULT_FORMAT_DICTIONARY 4
#define AVFS_VAULT_FORMAT 4
#define AVFS_ZSTD_MAX_LEVEL 19
#define AVFS_ROOT_ID G_GUINT64_CONSTANT (1)
#define AVFS_HASH_LEN 32
#define AVFS_ID_KEY_LEN 8

typedef struct _AvfsChunkDictionary AvfsChunkDictionary;

/* Locking: @write_lock admits one mutation at a time for the whole of it, so what a
 * mutation gathers with scans before its transaction is still true when it commits, and
 * gc never sweeps chunks a write stored ahead of its transaction. Reads take no lock. */
struct _AvfsVault
{
  GObject parent_instance;

  AvfsStorage *storage;
  AvfsVaultLock *access_lock; /* NULL for memory vaults, and once closed */
  gboolean read_only;         /* opened by avfs_vault_open_to_read() */
  char *path;
  char *uuid;
  AvfsVaultSettings settings;
  GMutex write_lock;
  guint32 audit_sequence; /* atomic; breaks ties between audit entries of one µs */
  /* The audit log's rotation (avfs-vault-admin.c), guarded by write_lock: */
  guint64 audit_count;       /* the entry count the last mutation's transaction left */
  guint64 audit_max_entries; /* meta "audit_max_entries", cached; 0 until read */
  /* The running mutation, guarded by write_lock and reset each time its transaction
   * callback starts: */
  GHashTable *search_marks;  /* node id → its tags after the change, or NULL */
  GPtrArray *changes;        /* op, path, op, path…: the "changed" signals to emit */
  /* Search (avfs-vault-search.c): */
  GMutex search_lock;        /* guards @search and applying the queue */
  AvfsSearchIndex *search;   /* NULL until needed; Xapian only while in use */
  guint search_pending;      /* atomic: changes queued since the last background apply */
  guint search_queued;       /* atomic: changes this process queued that no apply counted */
  gint search_scheduled;     /* atomic: a background apply is waiting to run */
  guint search_tasks;        /* atomic: background applies pushed and not finished */
  GCond search_cond;         /* signalled when one finishes */
  AvfsChunkDictionary *dictionary; /* atomic; NULL until loaded or trained, then fixed */
  guint64 dictionary_due;    /* files before the next try to train one; write_lock */
};

/* A node record: a file or a directory. */
typedef struct
{
  guint64 id;
  AvfsNodeKind kind;
  guint64 parent;
  char *name;
  guint32 mode;
  gint64 created_us;
  gint64 modified_us;
  guint32 version;  /* current version; 0 for a directory */
  guint64 size;
  GBytes *content;  /* the current version's chunk hashes, AVFS_HASH_LEN each */
} AvfsNode;

/* A version record: one content of a file. */
typedef struct
{
  guint64 size;
  gint64 time_us;
  char *op;         /* what made it: write, append, copy, checkout, revert, restore */
  GBytes *content;
} AvfsVersion;

/* Vault usage, kept in meta so quotas are checked without a walk. */
typedef struct
{
  guint64 files;
  guint64 directories;
  guint64 bytes;    /* current content of every file */
} AvfsUsage;

/* avfs-vault-records.c */
void         avfs_id_key             (guint64              id,
                                      guint8               key[AVFS_ID_KEY_LEN]);
guint64      avfs_id_from_key        (const guint8        *key);
GBytes      *avfs_dirent_key         (guint64              parent,
                                      const char          *name);
GBytes      *avfs_node_text_key      (guint64              id,
                                      const char          *text);
GBytes      *avfs_tag_index_key      (const char          *tag,
                                      guint64              id);
gboolean     avfs_tag_index_key_is_valid (const guint8    *key,
                                      gsize                len);
GBytes      *avfs_version_key        (guint64              id,
                                      guint32              version);
GBytes      *avfs_vault_get_record   (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      const char          *collection,
                                      const guint8        *key,
                                      gsize                key_len,
                                      GError             **error);
GBytes      *avfs_record_serialize   (GVariant            *record);
GVariant    *avfs_record_parse       (GBytes              *bytes,
                                      const GVariantType  *type,
                                      const char          *what,
                                      GError             **error);
AvfsNode    *avfs_node_new           (guint64              id,
                                      AvfsNodeKind         kind,
                                      guint64              parent,
                                      const char          *name);
AvfsNode    *avfs_node_copy          (const AvfsNode      *node);
void         avfs_node_free          (AvfsNode            *node);
AvfsNode    *avfs_node_load          (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      guint64              id,
                                      GError             **error);
AvfsNode    *avfs_node_parse         (guint64              id,
                                      GBytes              *bytes,
                                      GError             **error);
gboolean     avfs_node_save          (AvfsTransaction     *tx,
                                      const AvfsNode      *node,
                                      GError             **error);
AvfsFileInfo *avfs_node_to_info      (const AvfsNode      *node,
                                      const char          *path);
void         avfs_version_free       (AvfsVersion         *version);
AvfsVersion *avfs_version_load       (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      guint64              id,
                                      guint32              version,
                                      GError             **error);
AvfsVersion *avfs_version_parse      (GBytes              *bytes,
                                      GError             **error);
gboolean     avfs_version_save       (AvfsTransaction     *tx,
                                      guint64              id,
                                      guint32              number,
                                      const AvfsVersion   *version,
                                      GError             **error);
gboolean     avfs_usage_load         (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      AvfsUsage           *usage,
                                      GError             **error);
gboolean     avfs_usage_save         (AvfsTransaction     *tx,
                                      const AvfsUsage     *usage,
                                      GError             **error);
gboolean     avfs_meta_get_uint64    (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      const char          *name,
                                      guint64             *value,
                                      GError             **error);
gboolean     avfs_meta_put_uint64    (AvfsTransaction     *tx,
                                      const char          *name,
                                      guint64              value,
                                      GError             **error);

/* avfs-vault-records.c: records written by hand in GVariant's serialised form, the bytes
 * g_variant_new() would make, without its cost. Start with avfs_record_writer_init()
 * (which writes the format byte), add the members in order, end with
 * avfs_record_writer_finish(). */
typedef struct
{
  GByteArray *data;
  gsize ends[4];  /* where each string before the last member ends */
  guint n_ends;
} AvfsRecordWriter;

void         avfs_record_writer_init (AvfsRecordWriter    *writer);
void         avfs_record_put_byte    (AvfsRecordWriter    *writer,
                                      guint8               value);
void         avfs_record_put_uint32  (AvfsRecordWriter    *writer,
                                      guint32              value);
void         avfs_record_put_uint64  (AvfsRecordWriter    *writer,
                                      guint64              value);
void         avfs_record_put_string  (AvfsRecordWriter    *writer,
                                      const char          *value);
GBytes      *avfs_record_writer_finish (AvfsRecordWriter  *writer,
                                      const guint8        *last,
                                      gsize                len);

/* avfs-vault-records.c: scans. @func sees each entry in key order; returning %FALSE it
 * stops the scan, which fails when @func set its error and succeeds when it did not (it
 * found what it looked for). The cursor holds no lock between entries (docs/storage.md),
 * so @func may commit transactions. */
typedef gboolean (*AvfsScanFunc) (AvfsCursor          *cursor,
                                  gpointer             user_data,
                                  GError             **error);

AvfsCollectionFlags avfs_vault_collection_flags (const char *collection);
gboolean     avfs_vault_scan_cursor_each (AvfsCursor  *cursor,
                                      GCancellable        *cancellable,
                                      AvfsScanFunc         func,
                                      gpointer             user_data,
                                      GError             **error);
gboolean     avfs_vault_scan_prefix_each (AvfsVault   *self,
                                      const char          *collection,
                                      const guint8        *prefix,
                                      gsize                prefix_len,
                                      AvfsScanFunc         func,
                                      gpointer             user_data,
                                      GError             **error);
/* Readers take no lock: what a scan listed may be gone when they read it. */
gboolean     avfs_skip_not_found     (GError              *local_error,
                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsNode, avfs_node_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsVersion, avfs_version_free)

/* avfs-vault-resolve.c: from paths to nodes and back */
gboolean     avfs_vault_resolve_entry (AvfsVault          *self,
                                      AvfsTransaction     *tx,
                                      const char          *path,
                                      guint64             *id,
                                      AvfsNodeKind        *kind,
                                      GError             **error);
AvfsNode    *avfs_vault_resolve      (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      const char          *path,
                                      GError             **error);
AvfsNode    *avfs_vault_resolve_user_path (AvfsVault      *self,
                                      const char          *path,
                                      char               **normalized,
                                      GError             **error);
AvfsNode    *avfs_vault_lookup_child (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      guint64              parent,
                                      const char          *name,
                                      GError             **error);
char        *avfs_vault_node_path    (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      guint64              id,
                                      GError             **error);
AvfsNode    *avfs_vault_ensure_directories (AvfsVault     *self,
                                      AvfsTransaction     *tx,
                                      const char          *path,
                                      AvfsUsage           *usage,
                                      GError             **error);
gboolean     avfs_vault_link         (AvfsTransaction     *tx,
                                      const AvfsNode      *node,
                                      GError             **error);
gboolean     avfs_vault_unlink       (AvfsTransaction     *tx,
                                      const AvfsNode      *node,
                                      GError             **error);
gboolean     avfs_vault_next_id      (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      guint64             *id,
                                      GError             **error);
GPtrArray   *avfs_vault_list_children (AvfsVault          *self,
                                      guint64              parent,
                                      GError             **error);
GPtrArray   *avfs_vault_list_children_after (AvfsVault    *self,
                                      guint64              parent,
                                      const char          *after,
                                      guint                limit,
                                      GError             **error);
GArray      *avfs_vault_collect_subtree (AvfsVault        *self,
                                      const AvfsNode      *top,
                                      GError             **error);

/* avfs-chunk-store.c: content-addressed, compressed chunks */
typedef struct _AvfsChunkWriter AvfsChunkWriter;

AvfsChunkWriter *avfs_chunk_writer_new     (AvfsVault        *self,
                                            GBytes           *kept,
                                            guint64           kept_size);
AvfsChunkWriter *avfs_chunk_writer_new_detached (AvfsVault   *self);
void         avfs_chunk_writer_attach      (AvfsChunkWriter  *writer);
gboolean     avfs_chunk_writer_add         (AvfsChunkWriter  *writer,
                                            const guint8     *data,
                                            gsize             len,
                                            GError          **error);
gboolean     avfs_chunk_writer_finish      (AvfsChunkWriter  *writer,
                                            GError          **error);
gboolean     avfs_chunk_writer_store_pending (AvfsChunkWriter *writer,
                                            AvfsTransaction  *tx,
                                            GError          **error);
GBytes      *avfs_chunk_writer_get_content (AvfsChunkWriter  *writer);
guint64      avfs_chunk_writer_get_size    (AvfsChunkWriter  *writer);
void         avfs_chunk_writer_free        (AvfsChunkWriter  *writer);
GBytes      *avfs_vault_load_chunk         (AvfsVault        *self,
                                            AvfsTransaction  *tx,
                                            const guint8     *hash,
                                            GError          **error);
gboolean     avfs_chunk_get_raw_size       (const guint8     *stored,
                                            gsize             len,
                                            guint64          *size);
GBytes      *avfs_chunk_encode             (AvfsVault        *self,
                                            const guint8     *data,
                                            gsize             len);
GBytes      *avfs_chunk_decode             (AvfsVault        *self,
                                            GBytes           *stored,
                                            const guint8     *hash,
                                            GError          **error);
void         avfs_chunk_hash               (const guint8     *data,
                                            gsize             len,
                                            guint8            hash[AVFS_HASH_LEN]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsChunkWriter, avfs_chunk_writer_free)

/* avfs-chunk-dictionary.c: the vault's zstd dictionary for small chunks. */
void         avfs_chunk_dictionary_free    (AvfsChunkDictionary *dictionary);
gboolean     avfs_chunk_dictionary_is_valid (GBytes          *bytes);
const ZSTD_CDict *avfs_chunk_dictionary_get_cdict (AvfsChunkDictionary *dictionary,
                                            gint              level);
const ZSTD_DDict *avfs_chunk_dictionary_get_ddict (AvfsChunkDictionary *dictionary);
gboolean     avfs_vault_load_chunk_dictionary (AvfsVault     *self,
                                            GError          **error);
gboolean     avfs_vault_train_chunk_dictionary (AvfsVault    *self,
                                            GError          **error);
void         avfs_vault_train_chunk_dictionary_when_due (AvfsVault *self);
gboolean     avfs_vault_recompress_chunks  (AvfsVault        *self,
                                            GError          **error);

/* avfs-vault-admin.c: the audit log and quotas. Every mutation runs its transaction with
 * avfs_vault_transaction() and calls avfs_vault_audit() inside it; every path that adds
 * content calls avfs_vault_check_quota() before saving the new usage. */
gboolean     avfs_vault_transaction  (AvfsVault           *self,
                                      AvfsTransactionFunc  func,
                                      gpointer             user_data,
                                      GError             **error);
gboolean     avfs_vault_audit        (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      const char          *op,
                                      const char          *path,
                                      const char          *details_json,
                                      GError             **error);
gboolean     avfs_vault_check_quota  (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      const AvfsUsage     *after,
                                      guint64              file_size,
                                      const char          *path,
                                      GError             **error);
char        *avfs_json_quote         (const char          *text);

/* avfs-vault-content.c: one new version inside a caller's transaction (write, import) */
gboolean     avfs_node_add_version   (AvfsTransaction     *tx,
                                      AvfsNode            *node,
                                      AvfsChunkWriter     *chunks,
                                      const char          *op,
                                      AvfsUsage           *usage,
                                      GError             **error);

/* avfs-vault-content.c, shared with avfs-vault-history.c: a file and its versions by
 * path, and a new version made of content already stored (checkout, revert) */
AvfsNode    *avfs_vault_resolve_file (AvfsVault           *self,
                                      const char          *path,
                                      char               **normalized,
                                      GError             **error);
AvfsVersion *avfs_vault_load_file_version (AvfsVault      *self,
                                      const AvfsNode      *node,
                                      const char          *path,
                                      guint32              number,
                                      GError             **error);
gboolean     avfs_node_append_version (AvfsTransaction    *tx,
                                      AvfsNode            *node,
                                      GBytes              *content,
                                      guint64              size,
                                      const char          *op,
                                      AvfsUsage           *usage,
                                      GError             **error);

/* avfs-vault-search.c, for verify: the check of the word lists started ahead, beside
 * the record checks */
typedef struct _AvfsPostingsCheck AvfsPostingsCheck;

AvfsPostingsCheck *avfs_vault_search_start_postings_check (AvfsVault       *self,
                                                           GCancellable    *cancellable);
void         avfs_postings_check_free (AvfsPostingsCheck  *postings);
AvfsSearchCheck *avfs_vault_search_check_with (AvfsVault       *self,
                                           AvfsPostingsCheck   *postings,
                                           GCancellable        *cancellable,
                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsPostingsCheck, avfs_postings_check_free)

/* A bulk job on a vault's store (avfs_storage_begin_bulk()) until freed:
 * `g_autoptr(AvfsBulkJob) bulk = avfs_vault_begin_bulk (self);` */
typedef struct _AvfsBulkJob AvfsBulkJob;

AvfsBulkJob *avfs_vault_begin_bulk (AvfsVault   *self);
void         avfs_bulk_job_end     (AvfsBulkJob *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsBulkJob, avfs_bulk_job_end)

/* avfs-vault-snapshots.c, for gc and verify: the versions a snapshot entry holds (its
 * a(utxsay) member), read whatever its other members hold */
GVariant    *avfs_snapshot_entry_versions (GBytes          *entry,
                                      GError             **error);
GBytes      *avfs_snapshot_version_content (GVariant       *versions,
                                      gsize                index,
                                      guint32             *number);

/* avfs-vault-verify.c, for migration: verify in two parts, without the write lock */
AvfsVerifyReport *avfs_vault_verify_records (AvfsVault         *self,
                                             AvfsProgressFunc   progress,
                                             gpointer           user_data,
                                             GCancellable      *cancellable,
                                             GError           **error);
gboolean     avfs_vault_verify_search   (AvfsVault          *self,
                                         AvfsVerifyReport   *report,
                                         GCancellable       *cancellable,
                                         GError            **error);

/* avfs-vault-maintenance.c, shared with avfs-vault-verify.c: walks over a whole
 * collection, reporting progress as they go */
typedef struct
{
  AvfsProgressFunc func;
  gpointer user_data;
  AvfsProgress figures;  /* files_done counts the entries walked */
} AvfsTicker;

gboolean     avfs_vault_walk_collection (AvfsVault    *self,
                                      const char          *collection,
                                      GCancellable        *cancellable,
                                      AvfsTicker          *ticker,
                                      AvfsScanFunc         func,
                                      gpointer             user_data,
                                      GError             **error);

/* avfs-vault-search.c: keeping the search index in step. Mutations mark the nodes they
 * change inside their transaction; avfs_vault_transaction() does the rest. A node the
 * mutation created is marked with avfs_no_tags: it has no tags to look up. */
extern const char * const avfs_no_tags[];
void         avfs_vault_search_mark  (AvfsVault           *self,
                                      guint64              id,
                                      const char * const  *tags);
void         avfs_vault_search_mark_all (AvfsVault        *self,
                                      const GArray        *ids);
gboolean     avfs_vault_search_stage (AvfsVault           *self,
                                      AvfsTransaction     *tx,
                                      GError             **error);
void         avfs_vault_search_committed (AvfsVault       *self,
                                      guint                n_marks);
void         avfs_vault_search_close (AvfsVault           *self);
void         avfs_vault_search_wait  (AvfsVault           *self);
char       **avfs_node_load_tags     (AvfsVault           *self,
                                      guint64              id,
                                      GError             **error);

G_END_DECLS
