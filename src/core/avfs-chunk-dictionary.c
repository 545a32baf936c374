/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A vault's compression dictionary: zstd trained on the vault's own small chunks. zstd
 * alone has too little of a small file to learn from; with a dictionary the bench's
 * text files compress 8% smaller, and quicker. A vault has at most one, in meta
 * AVFS_DICTIONARY_KEY, kept for the vault's life: its chunks need it to decode. */
#include <string.h>
#include <zdict.h>
#include <zstd.h>

#include "avfs-error.h"
#include "avfs-vault-private.h"

#define DICTIONARY_SIZE (32u * 1024)
/* The samples: chunks of small files (where a dictionary helps), taken from the start
 * of the blobs, whose keys are hashes: a random sample of the vault. A thousand are as
 * good as three thousand (measured on the bench's tree) and train in about 0.1 s. */
#define SAMPLE_MAX_SIZE (16u * 1024)
#define SAMPLES_MAX 1000u
#define SAMPLES_MIN 200u
/* A vault of mostly large chunks is not read through looking for small ones. */
#define SCAN_MAX_BYTES (64u * 1024 * 1024)

struct _AvfsChunkDictionary
{
  GBytes *bytes;
  ZSTD_DDict *ddict;
  GMutex lock;                        /* guards making @cdicts */
  ZSTD_CDict *cdicts[AVFS_ZSTD_MAX_LEVEL + 1]; /* by level, made when first used; atomic */
};

/* Returns: (transfer full) (nullable): the dictionary, or %NULL when @bytes is not one */
static AvfsChunkDictionary *
chunk_dictionary_new (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  ZSTD_DDict *ddict;
  AvfsChunkDictionary *dictionary;

  /* zstd would take bytes without a dictionary's header for raw content: not ours. */
  if (ZDICT_getDictID (data, len) == 0 || (ddict = ZSTD_createDDict (data, len)) == NULL)
    return NULL;
  dictionary = g_new0 (AvfsChunkDictionary, 1);
  dictionary->bytes = g_bytes_ref (bytes);
  dictionary->ddict = ddict;
  g_mutex_init (&dictionary->lock);
  return dictionary;
}

/**
 * avfs_chunk_dictionary_is_valid:
 * @bytes: a stored dictionary
 *
 * Returns: whether zstd takes @bytes for a dictionary
 */
gboolean
avfs_chunk_dictionary_is_valid (GBytes *bytes)
{
  AvfsChunkDictionary *dictionary = chunk_dictionary_new (bytes);
  gboolean valid = dictionary != NULL;

  avfs_chunk_dictionary_free (dictionary);
  return valid;
}

void
avfs_chunk_dictionary_free (AvfsChunkDictionary *dictionary)
{
  if (dictionary == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (dictionary->cdicts); i++)
    ZSTD_freeCDict (dictionary->cdicts[i]);
  ZSTD_freeDDict (dictionary->ddict);
  g_mutex_clear (&dictionary->lock);
  g_bytes_unref (dictionary->bytes);
  g_free (dictionary);
}

/* The dictionary digested for compressing at @level (1 – AVFS_ZSTD_MAX_LEVEL), shared by
 * every thread; %NULL when zstd cannot use it to compress (damaged, or out of memory). */
const ZSTD_CDict *
avfs_chunk_dictionary_get_cdict (AvfsChunkDictionary *dictionary,
                                 gint                 level)
{
  ZSTD_CDict *cdict = g_atomic_pointer_get (&dictionary->cdicts[level]);
  gsize len;
  const guint8 *data;

  if (cdict != NULL)
    return cdict;
  g_mutex_lock (&dictionary->lock);
  if (dictionary->cdicts[level] == NULL)
    {
      data = g_bytes_get_data (dictionary->bytes, &len);
      g_atomic_pointer_set (&dictionary->cdicts[level], ZSTD_createCDict (data, len, level));
    }
  g_mutex_unlock (&dictionary->lock);
  return dictionary->cdicts[level];
}

const ZSTD_DDict *
avfs_chunk_dictionary_get_ddict (AvfsChunkDictionary *dictionary)
{
  return dictionary->ddict;
}

/* Makes @dictionary the vault's unless it has one already (the first one stays). */
static void
publish (AvfsVault           *self,
         AvfsChunkDictionary *dictionary)
{
  if (!g_atomic_pointer_compare_and_exchange (&self->dictionary, NULL, dictionary))
    avfs_chunk_dictionary_free (dictionary);
}

/**
 * avfs_vault_load_chunk_dictionary:
 *
 * Loads the vault's dictionary when it has one and none is loaded: at open, and when a
 * chunk needs one that another process (or vault object) stored since. A damaged one
 * is left alone: the chunks that need it cannot be read (verify says why), and new
 * chunks are compressed without it.
 *
 * Returns: %FALSE when reading fails
 */
gboolean
avfs_vault_load_chunk_dictionary (AvfsVault  *self,
                                  GError    **error)
{
  g_autoptr(GBytes) bytes = NULL;
  GError *local_error = NULL;
  AvfsChunkDictionary *dictionary;

  if (g_atomic_pointer_get (&self->dictionary) != NULL)
    return TRUE;
  bytes = avfs_storage_get (self->storage, AVFS_COLLECTION_META,
                            (const guint8 *) AVFS_DICTIONARY_KEY, strlen (AVFS_DICTIONARY_KEY),
                            &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  dictionary = bytes != NULL ? chunk_dictionary_new (bytes) : NULL;
  if (dictionary != NULL)
    publish (self, dictionary);
  else if (bytes != NULL)
    g_debug ("%s: the compression dictionary is damaged", self->path);
  return TRUE;
}

/**
 * avfs_vault_get_dictionary_size:
 *
 * Returns: the size of the vault's compression dictionary (docs/vault.md), 0 when it has
 *   none (yet)
 */
gsize
avfs_vault_get_dictionary_size (AvfsVault *self)
{
  AvfsChunkDictionary *dictionary;

  g_return_val_if_fail (AVFS_IS_VAULT (self), 0);
  dictionary = g_atomic_pointer_get (&self->dictionary);
  return dictionary != NULL ? g_bytes_get_size (dictionary->bytes) : 0;
}

/* The chunk at @cursor, when it is compressed (with zstd alone, if @zstd_alone), holds
 * 1 to @max_size bytes and decodes to content with its own hash; %NULL otherwise (a
 * damaged chunk is verify's to report, not a reason to fail an import or a compaction). */
static GBytes *
decode_small_chunk (AvfsVault  *vault,
                    AvfsCursor *cursor,
                    guint64     max_size,
                    gboolean    zstd_alone)
{
  gsize len, key_len;
  const guint8 *stored = avfs_cursor_get_value (cursor, &len);
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) chunk = NULL;
  guint8 hash[AVFS_HASH_LEN];
  guint64 size;

  if (key_len != AVFS_HASH_LEN || (zstd_alone && stored[0] != AVFS_CODEC_ZSTD) ||
      !avfs_chunk_get_raw_size (stored, len, &size) || size == 0 || size > max_size ||
      stored[0] == AVFS_CODEC_RAW)
    return NULL;
  value = g_bytes_new_static (stored, len);
  chunk = avfs_chunk_decode (vault, value, key, NULL);
  if (chunk == NULL)
    return NULL;
  avfs_chunk_hash (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), hash);
  return memcmp (hash, key, AVFS_HASH_LEN) == 0 ? g_steal_pointer (&chunk) : NULL;
}

typedef struct
{
  AvfsVault *vault;
  GByteArray *samples;  /* every sample, one after the other */
  GArray *sizes;        /* size_t: each sample's length */
  gsize scanned;        /* stored bytes looked at */
} Sampler;

static gboolean
take_sample_cb (AvfsCursor  *cursor,
                gpointer     user_data,
                GError     **error)
{
  Sampler *sampler = user_data;
  gsize len;
  g_autoptr(GBytes) chunk = NULL;
  size_t sample_len;

  avfs_cursor_get_value (cursor, &len);
  sampler->scanned += len;
  /* Enough, or enough looking: stop the scan without an error. */
  if (sampler->scanned > SCAN_MAX_BYTES)
    return FALSE;
  chunk = decode_small_chunk (sampler->vault, cursor, SAMPLE_MAX_SIZE, FALSE);
  if (chunk == NULL)
    return TRUE;
  sample_len = g_bytes_get_size (chunk);
  g_byte_array_append (sampler->samples, g_bytes_get_data (chunk, NULL), sample_len);
  g_array_append_val (sampler->sizes, sample_len);
  return sampler->sizes->len < SAMPLES_MAX;
}

/* Returns: (transfer full) (nullable): a dictionary trained on @sampler's samples, or
 * %NULL when zstd could not make one of them (too few, or all alike) */
static GBytes *
train (Sampler *sampler)
{
  guint8 *dictionary = g_malloc (DICTIONARY_SIZE);
  size_t len;

  if (sampler->sizes->len < SAMPLES_MIN)
    len = 0;
  else
    len = ZDICT_trainFromBuffer (dictionary, DICTIONARY_SIZE, sampler->samples->data,
                                 (const size_t *) sampler->sizes->data,
                                 sampler->sizes->len);
  if (len == 0 || ZDICT_isError (len))
    {
      g_debug ("No compression dictionary from %u samples: %s", sampler->sizes->len,
               len == 0 ? "too few" : ZDICT_getErrorName (len));
      g_free (dictionary);
      return NULL;
    }
  return g_bytes_new_take (g_realloc (dictionary, len), len);
}

typedef struct
{
  GBytes *trained;
  GBytes *stored;   /* out: what the vault keeps, ours or one stored first elsewhere */
} StoreDictionary;

/* Stores the trained dictionary unless the vault has one already. */
static gboolean
store_dictionary_cb (AvfsTransaction  *tx,
                     gpointer          user_data,
                     GError          **error)
{
  StoreDictionary *store = user_data;
  const guint8 *key = (const guint8 *) AVFS_DICTIONARY_KEY;
  gsize key_len = strlen (AVFS_DICTIONARY_KEY);
  GError *local_error = NULL;

  g_clear_pointer (&store->stored, g_bytes_unref);
  store->stored = avfs_transaction_get (tx, AVFS_COLLECTION_META, key, key_len, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (store->stored != NULL)
    return TRUE;
  store->stored = g_bytes_ref (store->trained);
  return avfs_transaction_put (tx, AVFS_COLLECTION_META, key, key_len,
                               g_bytes_get_data (store->trained, NULL),
                               g_bytes_get_size (store->trained), error);
}

/**
 * avfs_vault_train_chunk_dictionary:
 *
 * Gives the vault a compression dictionary, trained on a sample of its small chunks,
 * unless it has one, holds too few of them or is of a format older than
 * %AVFS_VAULT_FORMAT_DICTIONARY (the avfs it belongs to could not decode what the
 * dictionary compresses). Chunks compressed from now on use it; the ones already stored
 * stay as they are. Call with the write lock held, between transactions (an import
 * calls it after its first large batch of small files).
 *
 * Returns: %FALSE when reading or writing the vault fails
 */
gboolean
avfs_vault_train_chunk_dictionary (AvfsVault  *self,
                                   GError    **error)
{
  Sampler sampler = { self, g_byte_array_new (), g_array_new (FALSE, FALSE, sizeof (size_t)) };
  StoreDictionary store = { NULL };
  AvfsChunkDictionary *dictionary;
  guint64 format = 0;
  gboolean ok;

  ok = avfs_vault_load_chunk_dictionary (self, error) &&
       avfs_meta_get_uint64 (self, NULL, "format", &format, error);
  if (ok && g_atomic_pointer_get (&self->dictionary) == NULL &&
      format >= AVFS_VAULT_FORMAT_DICTIONARY)
    {
      ok = avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_BLOBS, NULL, 0, take_sample_cb,
                                        &sampler, error);
      if (ok)
        store.trained = train (&sampler);
    }
  g_byte_array_unref (sampler.samples);
  g_array_unref (sampler.sizes);
  if (store.trained == NULL)
    return ok;
  ok = avfs_storage_transaction (self->storage, store_dictionary_cb, &store, error);
  /* One stored before is damaged only if the vault is: verify says so. */
  if (ok && store.stored != NULL && (dictionary = chunk_dictionary_new (store.stored)) != NULL)
    publish (self, dictionary);
  g_bytes_unref (store.trained);
  g_clear_pointer (&store.stored, g_bytes_unref);
  return ok;
}

/**
 * avfs_vault_train_chunk_dictionary_when_due:
 *
 * Trains the vault's dictionary (avfs_vault_train_chunk_dictionary()) once a vault that
 * has none holds %AVFS_DICTIONARY_MIN_FILES files, and again each time that count
 * doubles while it still has none (its files may have been too large to learn from):
 * vaults filled a file at a time, or by small imports, get one too. A failure is only
 * logged: the write it follows has committed. Call with the write lock held, after a
 * write's transaction.
 */
void
avfs_vault_train_chunk_dictionary_when_due (AvfsVault *self)
{
  g_autoptr(GError) error = NULL;
  AvfsUsage usage;

  if (g_atomic_pointer_get (&self->dictionary) != NULL || self->read_only ||
      !avfs_usage_load (self, NULL, &usage, &error) ||
      usage.files < MAX (self->dictionary_due, AVFS_DICTIONARY_MIN_FILES))
    return;
  self->dictionary_due = usage.files * 2;
  if (!avfs_vault_train_chunk_dictionary (self, &error))
    g_debug ("No compression dictionary trained: %s", error->message);
}

/* Small chunks stored without the dictionary, compressed again with it, a transaction
 * per RECOMPRESS_BATCH. */
#define RECOMPRESS_MAX_SIZE (64u * 1024)
#define RECOMPRESS_BATCH 1000u

typedef struct
{
  AvfsVault *vault;
  GPtrArray *keys;    /* GBytes */
  GPtrArray *values;  /* GBytes: the new values */
} Recompression;

static gboolean
put_recompressed_cb (AvfsTransaction  *tx,
                     gpointer          user_data,
                     GError          **error)
{
  Recompression *recompression = user_data;

  for (guint i = 0; i < recompression->keys->len; i++)
    {
      GBytes *key = g_ptr_array_index (recompression->keys, i);
      GBytes *value = g_ptr_array_index (recompression->values, i);

      if (!avfs_transaction_put (tx, AVFS_COLLECTION_BLOBS, g_bytes_get_data (key, NULL),
                                 g_bytes_get_size (key), g_bytes_get_data (value, NULL),
                                 g_bytes_get_size (value), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
flush_recompressed (Recompression  *recompression,
                    GError        **error)
{
  gboolean ok = recompression->keys->len == 0 ||
                avfs_storage_transaction (recompression->vault->storage, put_recompressed_cb,
                                          recompression, error);

  g_ptr_array_set_size (recompression->keys, 0);
  g_ptr_array_set_size (recompression->values, 0);
  return ok;
}

/* A small chunk of zstd alone compressed again; stored when that made it smaller. */
static gboolean
recompress_cb (AvfsCursor  *cursor,
               gpointer     user_data,
               GError     **error)
{
  Recompression *recompression = user_data;
  gsize len, key_len;
  const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
  g_autoptr(GBytes) chunk = decode_small_chunk (recompression->vault, cursor,
                                                RECOMPRESS_MAX_SIZE, TRUE);
  g_autoptr(GBytes) again = NULL;

  if (chunk == NULL)
    return TRUE;
  avfs_cursor_get_value (cursor, &len);
  again = avfs_chunk_encode (recompression->vault, g_bytes_get_data (chunk, NULL),
                             g_bytes_get_size (chunk));
  if (g_bytes_get_size (again) >= len)
    return TRUE;
  g_ptr_array_add (recompression->keys, g_bytes_new (key, key_len));
  g_ptr_array_add (recompression->values, g_steal_pointer (&again));
  return recompression->keys->len < RECOMPRESS_BATCH || flush_recompressed (recompression, error);
}

/**
 * avfs_vault_recompress_chunks:
 *
 * Gives the vault a dictionary if it can (avfs_vault_train_chunk_dictionary()), then
 * compresses its small chunks stored without one again with it, where that makes them
 * smaller: the chunks of a vault filled one file at a time, or written before its first
 * large import. Each batch is a transaction; the content stays the same, so readers see
 * either encoding. Call with the write lock held.
 *
 * Returns: %FALSE when reading or writing the vault fails
 */
gboolean
avfs_vault_recompress_chunks (AvfsVault  *self,
                              GError    **error)
{
  Recompression recompression = {
    self, g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
  };
  gboolean ok = avfs_vault_train_chunk_dictionary (self, error);

  if (ok && g_atomic_pointer_get (&self->dictionary) != NULL &&
      g_atomic_int_get (&self->settings.compression_level) > 0)
    ok = avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_BLOBS, NULL, 0, recompress_cb,
                                      &recompression, error) &&
         flush_recompressed (&recompression, error);
  g_ptr_array_unref (recompression.keys);
  g_ptr_array_unref (recompression.values);
  return ok;
}
