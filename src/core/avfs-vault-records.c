/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The record layer: binary keys, GVariant records of nodes, versions and meta, and the
 * scans that read records in key order. */
#include <string.h>

#include "avfs-vault-private.h"

/* Every record starts with its format byte, so a later avfs can read older records. */
#define RECORD_FORMAT 1
#define USAGE_RECORD_LEN 32  /* (yttt): a byte, padding, three integers */

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

static void
set_damaged (GError     **error,
             const char  *what)
{
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
               "A %s record is damaged or from a newer avfs; run “avfs-cli vault verify”", what);
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
      set_damaged (error, what);
      return NULL;
    }
  return g_steal_pointer (&record);
}

/* The records every file operation reads or writes (nodes, versions, usage, audit
 * entries) are encoded and decoded here by hand, in GVariant's serialised form: exactly
 * the bytes g_variant_new() makes, and only what g_variant_is_normal_form() accepts, so
 * the records stay readable by GVariant (snapshots, verify) and by older avfs. Through
 * GVariant, checking and unpacking one node record cost some 50,000 instructions, most
 * of a file read. The form of a tuple: its members in order, numbers in host byte
 * order, each aligned to its size with zero bytes; the end of each string but the last
 * member is a little-endian framing offset at the end of the record (the first string's
 * last), every offset of the smallest width that can address the whole record. */

/* The width of a record's framing offsets, from its total size. */
static guint
offset_size_for (gsize size)
{
  if (size > G_MAXUINT32)
    return 8;
  if (size > G_MAXUINT16)
    return 4;
  if (size > G_MAXUINT8)
    return 2;
  return 1;
}

/**
 * avfs_record_writer_init:
 *
 * Starts a record with its format byte. Add its members in order, then call
 * avfs_record_writer_finish().
 */
void
avfs_record_writer_init (AvfsRecordWriter *writer)
{
  guint8 format = RECORD_FORMAT;

  writer->data = g_byte_array_sized_new (128);
  writer->n_ends = 0;
  g_byte_array_append (writer->data, &format, 1);
}

static void
put_fixed (AvfsRecordWriter *writer,
           gconstpointer     value,
           guint             size)
{
  static const guint8 zeros[8] = { 0 };

  g_byte_array_append (writer->data, zeros, -writer->data->len & (size - 1));
  g_byte_array_append (writer->data, value, size);
}

void
avfs_record_put_byte (AvfsRecordWriter *writer,
                      guint8            value)
{
  put_fixed (writer, &value, 1);
}

void
avfs_record_put_uint32 (AvfsRecordWriter *writer,
                        guint32           value)
{
  put_fixed (writer, &value, sizeof value);
}

/* Also for the signed (`x`) members: the same bytes. */
void
avfs_record_put_uint64 (AvfsRecordWriter *writer,
                        guint64           value)
{
  put_fixed (writer, &value, sizeof value);
}

/* A string that is not the record's last member. */
void
avfs_record_put_string (AvfsRecordWriter *writer,
                        const char       *value)
{
  g_assert (writer->n_ends < G_N_ELEMENTS (writer->ends));
  g_byte_array_append (writer->data, (const guint8 *) value, strlen (value) + 1);
  writer->ends[writer->n_ends++] = writer->data->len;
}

/**
 * avfs_record_writer_finish:
 * @last: (array length=len) (nullable): the last member: a bytestring's bytes, or a
 *   string's with its NUL
 *
 * Returns: (transfer full): the record
 */
GBytes *
avfs_record_writer_finish (AvfsRecordWriter *writer,
                           const guint8     *last,
                           gsize             len)
{
  guint width = 1;

  if (len > 0)
    g_byte_array_append (writer->data, last, len);
  /* The smallest width that addresses the record with its offsets in it. */
  while (width < 8 && offset_size_for (writer->data->len + width * writer->n_ends) > width)
    width *= 2;
  for (guint i = writer->n_ends; i > 0; i--)
    {
      guint64 end = GUINT64_TO_LE (writer->ends[i - 1]);

      g_byte_array_append (writer->data, (const guint8 *) &end, width);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&writer->data));
}

/* Reads a record the way g_variant_is_normal_form() checks it: any misplaced byte,
 * non-zero padding, bad offset or string clears @ok. */
typedef struct
{
  const guint8 *data;
  gsize offset;       /* where the next member starts */
  gsize frames;       /* where the framing offsets not read yet end */
  guint offset_size;
  gboolean ok;
  guint8 format;      /* the record's first byte */
} RecordReader;

/* Starts reading @bytes, past the format byte. */
static void
reader_init (RecordReader *reader,
             GBytes       *bytes)
{
  gsize size;

  reader->data = g_bytes_get_data (bytes, &size);
  reader->frames = size;
  reader->offset_size = offset_size_for (size);
  reader->ok = size > 0;
  /* The format byte, first of every record. */
  reader->format = reader->ok ? reader->data[0] : 0;
  reader->offset = reader->ok ? 1 : 0;
}

static void
read_fixed (RecordReader *reader,
            gpointer      value,
            guint         size)
{
  if (!reader->ok)
    return;
  for (; reader->offset & (size - 1); reader->offset++)
    {
      if (reader->offset >= reader->frames || reader->data[reader->offset] != 0)
        {
          reader->ok = FALSE;
          return;
        }
    }
  if (reader->frames - reader->offset < size)
    {
      reader->ok = FALSE;
      return;
    }
  memcpy (value, reader->data + reader->offset, size);
  reader->offset += size;
}

static guint8
read_byte (RecordReader *reader)
{
  guint8 value = 0;

  read_fixed (reader, &value, sizeof value);
  return value;
}

static guint32
read_uint32 (RecordReader *reader)
{
  guint32 value = 0;

  read_fixed (reader, &value, sizeof value);
  return value;
}

static guint64
read_uint64 (RecordReader *reader)
{
  guint64 value = 0;

  read_fixed (reader, &value, sizeof value);
  return value;
}

/* A string that is not the last member: its end is the next framing offset. Returns
 * it in place, NUL-terminated, or NULL. */
static const char *
read_string (RecordReader *reader)
{
  const char *value = (const char *) reader->data + reader->offset;
  const char *valid_end;
  guint64 end = 0;

  if (!reader->ok || reader->frames < reader->offset_size ||
      reader->frames - reader->offset_size < reader->offset)
    {
      reader->ok = FALSE;
      return NULL;
    }
  reader->frames -= reader->offset_size;
  memcpy (&end, reader->data + reader->frames, reader->offset_size);
  end = GUINT64_FROM_LE (end);
  /* Non-empty, NUL-terminated, valid UTF-8 without another NUL. */
  if (end <= reader->offset || end > reader->frames || reader->data[end - 1] != 0 ||
      !g_utf8_validate (value, end - 1 - reader->offset, &valid_end) ||
      valid_end != (const char *) reader->data + end - 1)
    {
      reader->ok = FALSE;
      return NULL;
    }
  reader->offset = end;
  return value;
}

/* The last member, a bytestring: the rest of the record, copied, since the record may
 * be an engine's buffer that a node outliving it must not hold on to. */
static GBytes *
read_last_bytes (RecordReader *reader)
{
  gsize offset = reader->offset;

  if (!reader->ok || reader->frames < offset)
    {
      reader->ok = FALSE;
      return NULL;
    }
  reader->offset = reader->frames;
  return g_bytes_new (reader->data + offset, reader->frames - offset);
}

/* Whether the record was whole and well-formed, with the right format byte; a damaged
 * one sets %AVFS_ERROR_CORRUPT as avfs_record_parse() does. */
static gboolean
reader_finish (RecordReader  *reader,
               const char    *what,
               GError       **error)
{
  if (reader->ok && reader->offset == reader->frames && reader->format == RECORD_FORMAT)
    return TRUE;
  set_damaged (error, what);
  return FALSE;
}

/* Ends a record whose last member is a node's or version's chunk hashes. */
static GBytes *
finish_with_content (AvfsRecordWriter *writer,
                     GBytes           *content)
{
  gsize len = 0;
  const guint8 *data = content != NULL ? g_bytes_get_data (content, &len) : NULL;

  return avfs_record_writer_finish (writer, data, len);
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
  g_autoptr(GBytes) content = NULL;
  RecordReader reader;
  AvfsNode node = { id };
  const char *name;

  reader_init (&reader, bytes);
  node.kind = read_byte (&reader);
  node.parent = read_uint64 (&reader);
  name = read_string (&reader);
  node.mode = read_uint32 (&reader);
  node.created_us = read_uint64 (&reader);
  node.modified_us = read_uint64 (&reader);
  node.version = read_uint32 (&reader);
  node.size = read_uint64 (&reader);
  content = read_last_bytes (&reader);
  if (!reader_finish (&reader, "file", error))
    return NULL;
  node.name = g_strdup (name);
  if (node.kind == AVFS_NODE_KIND_FILE)
    node.content = g_steal_pointer (&content);
  return g_memdup2 (&node, sizeof node);
}

gboolean
avfs_node_save (AvfsTransaction  *tx,
                const AvfsNode   *node,
                GError          **error)
{
  guint8 key[AVFS_ID_KEY_LEN];
  g_autoptr(GBytes) value = NULL;
  AvfsRecordWriter writer;

  avfs_id_key (node->id, key);
  avfs_record_writer_init (&writer);
  avfs_record_put_byte (&writer, node->kind);
  avfs_record_put_uint64 (&writer, node->parent);
  avfs_record_put_string (&writer, node->name);
  avfs_record_put_uint32 (&writer, node->mode);
  avfs_record_put_uint64 (&writer, node->created_us);
  avfs_record_put_uint64 (&writer, node->modified_us);
  avfs_record_put_uint32 (&writer, node->version);
  avfs_record_put_uint64 (&writer, node->size);
  value = finish_with_content (&writer, node->content);
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
  g_autoptr(GBytes) content = NULL;
  RecordReader reader;
  AvfsVersion version = { 0 };
  const char *op;

  reader_init (&reader, bytes);
  version.size = read_uint64 (&reader);
  version.time_us = read_uint64 (&reader);
  op = read_string (&reader);
  content = read_last_bytes (&reader);
  if (!reader_finish (&reader, "version", error))
    return NULL;
  version.op = g_strdup (op);
  version.content = g_steal_pointer (&content);
  return g_memdup2 (&version, sizeof version);
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
  AvfsRecordWriter writer;

  avfs_record_writer_init (&writer);
  avfs_record_put_uint64 (&writer, version->size);
  avfs_record_put_uint64 (&writer, version->time_us);
  avfs_record_put_string (&writer, version->op);
  value = finish_with_content (&writer, version->content);
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
  RecordReader reader;

  bytes = avfs_vault_get_record (self, tx, AVFS_COLLECTION_META,
                                 (const guint8 *) "usage", 5, error);
  if (bytes == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                             "The vault has no usage record; run “avfs-cli vault verify”");
      return FALSE;
    }
  /* A fixed-size record: GVariant reads one of another size as all zeros. */
  reader_init (&reader, bytes);
  reader.ok = g_bytes_get_size (bytes) == USAGE_RECORD_LEN;
  usage->files = read_uint64 (&reader);
  usage->directories = read_uint64 (&reader);
  usage->bytes = read_uint64 (&reader);
  return reader_finish (&reader, "usage", error);
}

gboolean
avfs_usage_save (AvfsTransaction  *tx,
                 const AvfsUsage  *usage,
                 GError          **error)
{
  g_autoptr(GBytes) value = NULL;
  AvfsRecordWriter writer;

  avfs_record_writer_init (&writer);
  avfs_record_put_uint64 (&writer, usage->files);
  avfs_record_put_uint64 (&writer, usage->directories);
  avfs_record_put_uint64 (&writer, usage->bytes);
  value = avfs_record_writer_finish (&writer, NULL, 0);
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
