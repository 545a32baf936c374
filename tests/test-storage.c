/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The storage conformance suite: every test runs against every compiled-in engine. */
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "avfs-config.h"
#include "avfs-storage-options.h"
#include "avfs-storage-registry.h"
#if AVFS_HAVE_ROCKSDB
# include "avfs-storage-rocksdb.h"
#endif

/* One run of the suite: an engine, and the layout of the collections it tests. */
typedef struct
{
  const AvfsEngineInfo *engine;
  AvfsCollectionFlags flags;
} Layout;

typedef struct
{
  const AvfsEngineInfo *engine;
  AvfsCollectionFlags flags;
  char *dir;
  char *path;
  AvfsStorage *store;
} Fixture;

typedef void (*FixtureTest) (Fixture *f, gconstpointer data);

#define KEY(s) (const guint8 *) (s), (sizeof (s) - 1)

static char *
store_path (const AvfsEngineInfo *engine,
            const char           *dir,
            const char           *name)
{
  g_autofree char *base = g_strconcat (name, engine->extension ? engine->extension : "", NULL);

  return engine->extension ? g_build_filename (dir, base, NULL) : NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const Layout *layout = data;
  g_autoptr(GError) error = NULL;

  f->engine = layout->engine;
  f->flags = layout->flags;
  f->dir = g_dir_make_tmp ("avfs-storage-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = store_path (f->engine, f->dir, "store");
  f->store = avfs_storage_create_store (f->engine->name, f->path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  g_assert_true (avfs_storage_create_collection (f->store, "alpha", f->flags, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_storage_create_collection (f->store, "beta", f->flags, &error));
  g_assert_no_error (error);
}

/* Removes a file, or a directory and everything in it. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (f->store != NULL)
    {
      g_assert_true (avfs_storage_close (f->store, &error));
      g_assert_no_error (error);
      g_assert_finalize_object (f->store);
    }
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* Reopens the fixture's store from disk, as a new process would. */
static void
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_storage_close (f->store, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (f->store);
  f->store = avfs_storage_open_store (f->path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
put (Fixture      *f,
     const char   *collection,
     const guint8 *key,
     gsize         key_len,
     const char   *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_storage_put (f->store, collection, key, key_len,
                                   (const guint8 *) value, strlen (value), &error));
  g_assert_no_error (error);
}

static void
assert_value (AvfsStorage  *store,
              const char   *collection,
              const guint8 *key,
              gsize         key_len,
              const char   *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = avfs_storage_get (store, collection, key, key_len, &error);

  g_assert_no_error (error);
  if (expected == NULL)
    {
      g_assert_null (value);
      return;
    }
  g_assert_nonnull (value);
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value),
                   expected, strlen (expected));
}

/* Basic key/value semantics. */

static void
test_put_get (Fixture       *f,
              gconstpointer  data)
{
  put (f, "alpha", KEY ("k1"), "one");
  assert_value (f->store, "alpha", KEY ("k1"), "one");
  put (f, "alpha", KEY ("k1"), "uno");
  assert_value (f->store, "alpha", KEY ("k1"), "uno");
  assert_value (f->store, "alpha", KEY ("k2"), NULL);
  /* Collections are separate namespaces. */
  assert_value (f->store, "beta", KEY ("k1"), NULL);
  put (f, "beta", KEY ("k1"), "b");
  assert_value (f->store, "alpha", KEY ("k1"), "uno");
}

static void
test_exists_delete (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean exists = TRUE;

  g_assert_true (avfs_storage_exists (f->store, "alpha", KEY ("k"), &exists, &error));
  g_assert_no_error (error);
  g_assert_false (exists);

  put (f, "alpha", KEY ("k"), "v");
  g_assert_true (avfs_storage_exists (f->store, "alpha", KEY ("k"), &exists, &error));
  g_assert_true (exists);

  g_assert_true (avfs_storage_delete (f->store, "alpha", KEY ("k"), &error));
  g_assert_no_error (error);
  g_assert_true (avfs_storage_exists (f->store, "alpha", KEY ("k"), &exists, &error));
  g_assert_false (exists);
  assert_value (f->store, "alpha", KEY ("k"), NULL);

  /* Deleting what is not there succeeds. */
  g_assert_true (avfs_storage_delete (f->store, "alpha", KEY ("never"), &error));
  g_assert_no_error (error);
}

static void
test_empty_value (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = NULL;
  gboolean exists = FALSE;

  g_assert_true (avfs_storage_put (f->store, "alpha", KEY ("empty"), NULL, 0, &error));
  g_assert_no_error (error);
  value = avfs_storage_get (f->store, "alpha", KEY ("empty"), &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_assert_cmpuint (g_bytes_get_size (value), ==, 0);
  g_assert_true (avfs_storage_exists (f->store, "alpha", KEY ("empty"), &exists, &error));
  g_assert_true (exists);
}

static GBytes *
random_bytes (gsize   size,
              guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint32 *data = g_malloc (size + 4);

  for (gsize i = 0; i < size / 4 + 1; i++)
    data[i] = g_rand_int (rand);
  return g_bytes_new_take (data, size);
}

static gboolean
put_large_cb (AvfsTransaction  *tx,
              gpointer          user_data,
              GError          **error)
{
  GBytes *value = user_data;

  return avfs_transaction_put (tx, "beta", KEY ("big-in-tx"),
                               g_bytes_get_data (value, NULL), g_bytes_get_size (value), error);
}

static void
assert_bytes_value (AvfsStorage  *store,
                    const char   *collection,
                    const guint8 *key,
                    gsize         key_len,
                    GBytes       *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = avfs_storage_get (store, collection, key, key_len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_assert_true (g_bytes_equal (value, expected));
}

static void
test_large_value (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = random_bytes (16 * 1024 * 1024, 7);
  g_autoptr(GBytes) big2 = random_bytes (16 * 1024 * 1024 + 3, 8);

  g_assert_true (avfs_storage_put (f->store, "alpha", KEY ("big"),
                                   g_bytes_get_data (big, NULL), g_bytes_get_size (big), &error));
  g_assert_no_error (error);
  g_assert_true (avfs_storage_transaction (f->store, put_large_cb, big2, &error));
  g_assert_no_error (error);

  assert_bytes_value (f->store, "alpha", KEY ("big"), big);
  assert_bytes_value (f->store, "beta", KEY ("big-in-tx"), big2);
  if (f->engine->extension != NULL)
    {
      reopen (f);
      assert_bytes_value (f->store, "alpha", KEY ("big"), big);
      assert_bytes_value (f->store, "beta", KEY ("big-in-tx"), big2);
    }
}

/* Scans: byte order at prefix and range boundaries. */

typedef struct
{
  const char *data;
  gsize len;
} Key;

#define K(s) { s, sizeof (s) - 1 }

/* Keys that are prefixes of each other, hold NUL and 0xFF bytes, and sort by length. */
static const Key boundary_keys[] = {
  K ("\x00"), K ("\x00\x00"), K ("\x01"), K ("a"), K ("a\x00"), K ("ab"), K ("ab\x00"),
  K ("abc"), K ("ab\xff"), K ("ab\xff\xff"), K ("ab\xff\xff\x00"), K ("ac"), K ("b"),
  K ("\x7f"), K ("\x80"), K ("\xfe\xff"), K ("\xff"), K ("\xff\x00"), K ("\xff\xff"),
  K ("\xff\xff\xff"),
};

static void
put_boundary_keys (Fixture *f)
{
  /* Insert in reverse so the engine, not the insertion order, sorts them. */
  for (gint i = G_N_ELEMENTS (boundary_keys) - 1; i >= 0; i--)
    {
      g_autofree char *value = g_strdup_printf ("v%d", i);
      put (f, "alpha", (const guint8 *) boundary_keys[i].data, boundary_keys[i].len, value);
    }
  /* A neighbour collection must never leak into scans of this one. */
  put (f, "beta", KEY ("ab"), "other");
}

/* Checks that @cursor yields exactly boundary_keys[first..last), in order. */
static void
assert_cursor_yields (AvfsCursor *cursor,
                      guint       first,
                      guint       last)
{
  g_autoptr(GError) error = NULL;
  guint i = first;

  g_assert_nonnull (cursor);
  while (avfs_cursor_next (cursor, &error))
    {
      gsize key_len, value_len;
      const guint8 *key = avfs_cursor_get_key (cursor, &key_len);
      const guint8 *value = avfs_cursor_get_value (cursor, &value_len);
      g_autofree char *expected_value = g_strdup_printf ("v%u", i);

      g_assert_cmpuint (i, <, last);
      g_assert_cmpmem (key, key_len, boundary_keys[i].data, boundary_keys[i].len);
      g_assert_cmpmem (value, value_len, expected_value, strlen (expected_value));
      i++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (i, ==, last);
  /* An exhausted cursor stays exhausted. */
  g_assert_false (avfs_cursor_next (cursor, &error));
  g_assert_no_error (error);
}

static gboolean
has_prefix (const Key  *key,
            const char *prefix,
            gsize       prefix_len)
{
  return key->len >= prefix_len && memcmp (key->data, prefix, prefix_len) == 0;
}

static void
test_scan_prefix (Fixture       *f,
                  gconstpointer  data)
{
  static const Key prefixes[] = {
    K (""), K ("\x00"), K ("a"), K ("ab"), K ("ab\xff"), K ("ab\xff\xff"), K ("abc"),
    K ("\xff"), K ("\xff\xff"), K ("\xff\xff\xff"), K ("\xff\xff\xff\xff"), K ("zz"), K ("\x01"),
  };

  put_boundary_keys (f);
  for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsCursor) cursor = NULL;
      guint first = 0, last;

      while (first < G_N_ELEMENTS (boundary_keys) &&
             !has_prefix (&boundary_keys[first], prefixes[p].data, prefixes[p].len))
        first++;
      last = first;
      while (last < G_N_ELEMENTS (boundary_keys) &&
             has_prefix (&boundary_keys[last], prefixes[p].data, prefixes[p].len))
        last++;

      cursor = avfs_storage_scan_prefix (f->store, "alpha", (const guint8 *) prefixes[p].data,
                                         prefixes[p].len, &error);
      g_assert_no_error (error);
      assert_cursor_yields (cursor, first, last);
    }
}

static void
test_scan_range (Fixture       *f,
                 gconstpointer  data)
{
  static const struct {
    Key start, end;
    gboolean from_first, to_last;
    guint first, last;
  } cases[] = {
    { K (""), K (""), TRUE, TRUE, 0, G_N_ELEMENTS (boundary_keys) },
    { K ("a"), K ("b"), FALSE, FALSE, 3, 12 },            /* end excluded */
    { K ("a"), K ("b\x00"), FALSE, FALSE, 3, 13 },        /* "b" < "b\0" */
    { K ("abc"), K ("ab\xff\xff"), FALSE, FALSE, 7, 9 },
    { K ("ab\x01"), K ("ab\xff\xff"), FALSE, FALSE, 7, 9 },    /* start between keys */
    { K ("ab\xff"), K ("ac"), FALSE, FALSE, 8, 11 },
    { K (""), K ("\x01"), TRUE, FALSE, 0, 2 },
    { K ("\xff"), K (""), FALSE, TRUE, 16, 20 },
    { K ("\xff\xff\xff\xff"), K (""), FALSE, TRUE, 20, 20 }, /* after the last key */
    { K ("b"), K ("b"), FALSE, FALSE, 12, 12 },           /* empty range */
    { K ("c"), K ("a"), FALSE, FALSE, 13, 13 },           /* inverted range */
  };

  put_boundary_keys (f);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsCursor) cursor = NULL;

      cursor = avfs_storage_scan_range (f->store, "alpha",
                                        cases[c].from_first ? NULL : (const guint8 *) cases[c].start.data,
                                        cases[c].from_first ? 0 : cases[c].start.len,
                                        cases[c].to_last ? NULL : (const guint8 *) cases[c].end.data,
                                        cases[c].to_last ? 0 : cases[c].end.len,
                                        &error);
      g_assert_no_error (error);
      assert_cursor_yields (cursor, cases[c].first, cases[c].last);
    }
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  GBytes *const *ka = a;
  GBytes *const *kb = b;

  return g_bytes_compare (*ka, *kb);
}

static gboolean
put_keys_cb (AvfsTransaction  *tx,
             gpointer          user_data,
             GError          **error)
{
  GPtrArray *keys = user_data;

  for (guint i = 0; i < keys->len; i++)
    {
      gsize len;
      const guint8 *key = g_bytes_get_data (g_ptr_array_index (keys, i), &len);

      if (!avfs_transaction_put (tx, "alpha", key, len, key, len, error))
        return FALSE;
    }
  return TRUE;
}

/* Thousands of random binary keys come back sorted, across cursor batch boundaries. */
static void
test_scan_order (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(AvfsCursor) cursor = NULL;
  guint i = 0;

  while (keys->len < 3000)
    {
      guint8 key[12];
      gsize len = g_rand_int_range (rand, 1, sizeof key + 1);
      GBytes *bytes;

      for (gsize j = 0; j < len; j++)
        key[j] = g_rand_int_range (rand, 0, 4) == 0 ? 0xFF : g_rand_int_range (rand, 0, 256);
      bytes = g_bytes_new (key, len);
      if (g_hash_table_contains (seen, bytes))
        {
          g_bytes_unref (bytes);
          continue;
        }
      g_hash_table_add (seen, bytes);
      g_ptr_array_add (keys, bytes);
    }
  g_assert_true (avfs_storage_transaction (f->store, put_keys_cb, keys, &error));
  g_assert_no_error (error);
  g_ptr_array_sort (keys, compare_keys);

  cursor = avfs_storage_scan_prefix (f->store, "alpha", NULL, 0, &error);
  g_assert_no_error (error);
  while (avfs_cursor_next (cursor, &error))
    {
      gsize len, expected_len;
      const guint8 *key = avfs_cursor_get_key (cursor, &len);
      const guint8 *expected = g_bytes_get_data (g_ptr_array_index (keys, i), &expected_len);

      g_assert_cmpmem (key, len, expected, expected_len);
      i++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (i, ==, keys->len);
}

/* Transactions. */

static gboolean
mixed_changes_cb (AvfsTransaction  *tx,
                  gpointer          user_data,
                  GError          **error)
{
  g_autoptr(GBytes) seen = NULL;

  if (!avfs_transaction_put (tx, "alpha", KEY ("new"), KEY ("1"), error) ||
      !avfs_transaction_put (tx, "beta", KEY ("other"), KEY ("2"), error) ||
      !avfs_transaction_delete (tx, "alpha", KEY ("old"), error))
    return FALSE;

  /* The transaction reads its own writes, deletes included. */
  seen = avfs_transaction_get (tx, "alpha", KEY ("new"), error);
  g_assert_nonnull (seen);
  g_assert_cmpmem (g_bytes_get_data (seen, NULL), g_bytes_get_size (seen), "1", 1);
  g_clear_pointer (&seen, g_bytes_unref);
  seen = avfs_transaction_get (tx, "alpha", KEY ("old"), error);
  g_assert_null (seen);
  seen = avfs_transaction_get (tx, "alpha", KEY ("kept"), error);
  g_assert_nonnull (seen);
  g_clear_pointer (&seen, g_bytes_unref);
  /* Overwriting twice keeps the last value. */
  if (!avfs_transaction_put (tx, "alpha", KEY ("new"), KEY ("3"), error))
    return FALSE;
  seen = avfs_transaction_get (tx, "alpha", KEY ("new"), error);
  g_assert_cmpmem (g_bytes_get_data (seen, NULL), g_bytes_get_size (seen), "3", 1);
  g_clear_pointer (&seen, g_bytes_unref);
  /* Still so after many more writes (RocksDB indexes its batch past a few dozen). */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("filler%03u", i);

      if (!avfs_transaction_put (tx, "beta", (const guint8 *) key, strlen (key), KEY ("f"), error))
        return FALSE;
    }
  seen = avfs_transaction_get (tx, "alpha", KEY ("new"), error);
  g_assert_cmpmem (g_bytes_get_data (seen, NULL), g_bytes_get_size (seen), "3", 1);
  g_clear_pointer (&seen, g_bytes_unref);
  seen = avfs_transaction_get (tx, "alpha", KEY ("old"), error);
  g_assert_null (seen);
  return TRUE;
}

static void
test_transaction_commit (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  put (f, "alpha", KEY ("old"), "x");
  put (f, "alpha", KEY ("kept"), "y");
  g_assert_true (avfs_storage_transaction (f->store, mixed_changes_cb, NULL, &error));
  g_assert_no_error (error);
  assert_value (f->store, "alpha", KEY ("new"), "3");
  assert_value (f->store, "beta", KEY ("other"), "2");
  assert_value (f->store, "alpha", KEY ("old"), NULL);
  assert_value (f->store, "alpha", KEY ("kept"), "y");
}

/* What many_changes_cb() leaves for key @i of alpha: NULL when deleted. */
static char *
many_changes_expected (guint i)
{
  if (i % 5 == 0)
    return NULL;
  return g_strdup_printf (i % 3 == 0 ? "second %u" : "first %u", i);
}

static void
assert_many_changes (AvfsTransaction *tx,
                     AvfsStorage     *store)
{
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autofree char *expected = many_changes_expected (i);
      g_autofree char *in_beta = g_strdup_printf ("beta %u", i);
      g_autoptr(GBytes) alpha = NULL;
      g_autoptr(GBytes) beta = NULL;
      g_autoptr(GError) error = NULL;

      if (tx != NULL)
        {
          alpha = avfs_transaction_get (tx, "alpha", (const guint8 *) key, strlen (key), &error);
          beta = avfs_transaction_get (tx, "beta", (const guint8 *) key, strlen (key), &error);
        }
      else
        {
          alpha = avfs_storage_get (store, "alpha", (const guint8 *) key, strlen (key), &error);
          beta = avfs_storage_get (store, "beta", (const guint8 *) key, strlen (key), &error);
        }
      g_assert_no_error (error);
      if (expected == NULL)
        g_assert_null (alpha);
      else
        g_assert_cmpmem (g_bytes_get_data (alpha, NULL), g_bytes_get_size (alpha),
                         expected, strlen (expected));
      g_assert_cmpmem (g_bytes_get_data (beta, NULL), g_bytes_get_size (beta),
                       in_beta, strlen (in_beta));
    }
}

static gboolean
put_text (AvfsTransaction  *tx,
          const char       *collection,
          const char       *key,
          const char       *value,
          GError          **error)
{
  return avfs_transaction_put (tx, collection, (const guint8 *) key, strlen (key),
                               (const guint8 *) value, strlen (value), error);
}

/* 3000 keys in two collections under the same names; a third of alpha's written again,
 * a fifth deleted (some after being written again), read back as the transaction goes
 * (RocksDB finds them by a hash index past a few dozen writes, which grows). */
static gboolean
many_changes_cb (AvfsTransaction  *tx,
                 gpointer          user_data,
                 GError          **error)
{
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autofree char *first = g_strdup_printf ("first %u", i);
      g_autofree char *in_beta = g_strdup_printf ("beta %u", i);
      g_autoptr(GBytes) seen = NULL;

      if (!put_text (tx, "alpha", key, first, error) || !put_text (tx, "beta", key, in_beta, error))
        return FALSE;
      seen = avfs_transaction_get (tx, "alpha", (const guint8 *) key, strlen (key), error);
      g_assert_cmpmem (g_bytes_get_data (seen, NULL), g_bytes_get_size (seen),
                       first, strlen (first));
    }
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autofree char *second = g_strdup_printf ("second %u", i);

      if ((i % 3 == 0 && !put_text (tx, "alpha", key, second, error)) ||
          (i % 5 == 0 && !avfs_transaction_delete (tx, "alpha", (const guint8 *) key,
                                                   strlen (key), error)))
        return FALSE;
    }
  assert_many_changes (tx, NULL);
  return TRUE;
}

static void
test_transaction_many (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_storage_transaction (f->store, many_changes_cb, NULL, &error));
  g_assert_no_error (error);
  assert_many_changes (NULL, f->store);
}

static gboolean
fail_halfway_cb (AvfsTransaction  *tx,
                 gpointer          user_data,
                 GError          **error)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%03u", i);
      if (!avfs_transaction_put (tx, "alpha", (const guint8 *) key, strlen (key), KEY ("v"), error))
        return FALSE;
    }
  if (!avfs_transaction_delete (tx, "alpha", KEY ("keep"), error) ||
      !avfs_transaction_put (tx, "beta", KEY ("b"), KEY ("changed"), error))
    return FALSE;

  g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED, "stop here");
  return FALSE;
}

static void
test_transaction_rollback (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  guint n = 0;

  put (f, "alpha", KEY ("keep"), "kept");
  put (f, "beta", KEY ("b"), "original");
  g_assert_false (avfs_storage_transaction (f->store, fail_halfway_cb, NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED);

  assert_value (f->store, "alpha", KEY ("keep"), "kept");
  assert_value (f->store, "beta", KEY ("b"), "original");
  cursor = avfs_storage_scan_prefix (f->store, "alpha", NULL, 0, NULL);
  while (avfs_cursor_next (cursor, NULL))
    n++;
  g_assert_cmpuint (n, ==, 1);

  /* The store takes the next transaction normally. */
  g_clear_error (&error);
  put (f, "alpha", KEY ("kept"), "y");
  g_assert_true (avfs_storage_transaction (f->store, mixed_changes_cb, NULL, &error));
  g_assert_no_error (error);
}

/* A reader on another thread, while a transaction is half done, sees the state before. */
typedef struct
{
  AvfsStorage *store;
  GMutex lock;
  GCond cond;
  int stage; /* 1: first half written, 2: reader checked */
  gboolean reader_saw_half;
} HalfDone;

static gpointer
half_done_reader_thread (gpointer data)
{
  HalfDone *h = data;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&h->lock);
  while (h->stage < 1)
    g_assert_true (g_cond_wait_until (&h->cond, &h->lock, deadline));
  g_mutex_unlock (&h->lock);

  a = avfs_storage_get (h->store, "alpha", KEY ("a"), NULL);
  b = avfs_storage_get (h->store, "alpha", KEY ("b"), NULL);
  h->reader_saw_half = (a == NULL || b == NULL || !g_bytes_equal (a, b));

  g_mutex_lock (&h->lock);
  h->stage = 2;
  g_cond_signal (&h->cond);
  g_mutex_unlock (&h->lock);
  return NULL;
}

static gboolean
half_done_cb (AvfsTransaction  *tx,
              gpointer          user_data,
              GError          **error)
{
  HalfDone *h = user_data;
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  if (!avfs_transaction_put (tx, "alpha", KEY ("a"), KEY ("new"), error))
    return FALSE;

  g_mutex_lock (&h->lock);
  h->stage = 1;
  g_cond_signal (&h->cond);
  while (h->stage < 2)
    g_assert_true (g_cond_wait_until (&h->cond, &h->lock, deadline));
  g_mutex_unlock (&h->lock);

  return avfs_transaction_put (tx, "alpha", KEY ("b"), KEY ("new"), error);
}

static void
test_transaction_isolation (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  HalfDone h = { .store = f->store };
  GThread *reader;

  put (f, "alpha", KEY ("a"), "old");
  put (f, "alpha", KEY ("b"), "old");
  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);

  reader = g_thread_new ("reader", half_done_reader_thread, &h);
  g_assert_true (avfs_storage_transaction (f->store, half_done_cb, &h, &error));
  g_assert_no_error (error);
  g_thread_join (reader);

  g_assert_false (h.reader_saw_half);
  assert_value (f->store, "alpha", KEY ("a"), "new");
  assert_value (f->store, "alpha", KEY ("b"), "new");
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.cond);
}

/* Concurrency: 4 readers and 1 writer; values are self-checking so a torn or mixed
 * value is caught, and every reader sees each key's version only grow. */

#define N_KEYS 64
#define N_ROUNDS 150
#define N_READERS 4

typedef struct
{
  AvfsStorage *store;
  guint round;
  gint done;
  gint failures;
} Race;

/* value = round (4 bytes) then the key index repeated to a size that varies per round. */
static GBytes *
race_value (guint key,
            guint round)
{
  gsize size = 4 + (round * 37 + key) % 900;
  guint8 *data = g_malloc (size);

  memcpy (data, &round, 4);
  memset (data + 4, key, size - 4);
  return g_bytes_new_take (data, size);
}

static gboolean
race_value_ok (GBytes *value,
               guint   key,
               guint  *round)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (value, &size);

  if (size < 4)
    return FALSE;
  memcpy (round, data, 4);
  if (size != 4 + (*round * 37 + key) % 900)
    return FALSE;
  for (gsize i = 4; i < size; i++)
    if (data[i] != (guint8) key)
      return FALSE;
  return TRUE;
}

static gboolean
race_write_cb (AvfsTransaction  *tx,
               gpointer          user_data,
               GError          **error)
{
  Race *race = user_data;

  for (guint key = 0; key < N_KEYS; key++)
    {
      g_autoptr(GBytes) value = race_value (key, race->round);
      guint8 k = key + 1;

      if (!avfs_transaction_put (tx, "alpha", &k, 1, g_bytes_get_data (value, NULL),
                                 g_bytes_get_size (value), error))
        return FALSE;
    }
  return TRUE;
}

static gpointer
race_reader_thread (gpointer data)
{
  Race *race = data;
  guint last_round[N_KEYS] = { 0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (GPOINTER_TO_UINT (g_thread_self ()));

  while (!g_atomic_int_get (&race->done))
    {
      g_autoptr(GError) error = NULL;
      guint key = g_rand_int_range (rand, 0, N_KEYS);
      guint8 k = key + 1;
      g_autoptr(GBytes) value = avfs_storage_get (race->store, "alpha", &k, 1, &error);
      guint round = 0;

      if (error != NULL || value == NULL || !race_value_ok (value, key, &round) ||
          round < last_round[key])
        {
          g_atomic_int_inc (&race->failures);
          continue;
        }
      last_round[key] = round;
    }
  return NULL;
}

static void
test_concurrency (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Race race = { .store = f->store };
  GThread *readers[N_READERS];

  g_assert_true (avfs_storage_transaction (f->store, race_write_cb, &race, &error));
  for (guint i = 0; i < N_READERS; i++)
    readers[i] = g_thread_new ("race-reader", race_reader_thread, &race);

  for (race.round = 1; race.round <= N_ROUNDS; race.round++)
    {
      g_assert_true (avfs_storage_transaction (f->store, race_write_cb, &race, &error));
      g_assert_no_error (error);
    }
  g_atomic_int_set (&race.done, 1);
  for (guint i = 0; i < N_READERS; i++)
    g_thread_join (readers[i]);

  g_assert_cmpint (race.failures, ==, 0);
  for (guint key = 0; key < N_KEYS; key++)
    {
      guint8 k = key + 1;
      g_autoptr(GBytes) value = avfs_storage_get (f->store, "alpha", &k, 1, &error);
      guint round = 0;

      g_assert_true (race_value_ok (value, key, &round));
      g_assert_cmpuint (round, ==, N_ROUNDS);
    }
}

/* Persistence, collections, bad input. */

#define EMPTIED_KEYS 1500

static gboolean
fill_cb (AvfsTransaction  *tx,
         gpointer          user_data,
         GError          **error)
{
  gboolean delete = GPOINTER_TO_INT (user_data);

  for (guint i = 0; i < EMPTIED_KEYS; i++)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };

      if (!(delete ? avfs_transaction_delete (tx, "alpha", key, sizeof key, error)
                   : avfs_transaction_put (tx, "alpha", key, sizeof key, key, sizeof key, error)))
        return FALSE;
    }
  return TRUE;
}

/* A collection emptied by one transaction (a queue, once applied) scans empty, and the
 * other collections keep what they hold (RocksDB compacts such a collection at once). */
static void
test_emptied_collection (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;

  put (f, "beta", KEY ("k"), "kept");
  g_assert_true (avfs_storage_transaction (f->store, fill_cb, GINT_TO_POINTER (FALSE), &error));
  g_assert_true (avfs_storage_transaction (f->store, fill_cb, GINT_TO_POINTER (TRUE), &error));
  g_assert_no_error (error);
  cursor = avfs_storage_scan_prefix (f->store, "alpha", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_false (avfs_cursor_next (cursor, &error));
  g_assert_no_error (error);
  assert_value (f->store, "beta", KEY ("k"), "kept");
  put (f, "alpha", KEY ("again"), "v");
  assert_value (f->store, "alpha", KEY ("again"), "v");
}

static void
test_persistence (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  put (f, "alpha", KEY ("k"), "survives");
  g_assert_true (avfs_storage_create_collection (f->store, "gamma", f->flags, &error));
  g_assert_true (avfs_storage_sync (f->store, &error));
  g_assert_no_error (error);

  reopen (f);
  assert_value (f->store, "alpha", KEY ("k"), "survives");
  names = avfs_storage_list_collections (f->store, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) names, "gamma"));
  g_assert_cmpstr (avfs_storage_get_engine_name (f->store), ==, f->engine->name);
}

static void
test_memory_not_reopenable (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsStorage) again = f->engine->open (NULL, NULL, AVFS_STORE_OPEN, &error);

  g_assert_null (again);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

static void
test_collections (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  /* Creating an existing collection is harmless and keeps its contents, whatever the
   * layout asked for. */
  put (f, "alpha", KEY ("k"), "v");
  g_assert_true (avfs_storage_create_collection (f->store, "alpha", f->flags, &error));
  g_assert_true (avfs_storage_create_collection (f->store, "alpha",
                                                 f->flags ^ AVFS_COLLECTION_LARGE_VALUES,
                                                 &error));
  g_assert_no_error (error);
  assert_value (f->store, "alpha", KEY ("k"), "v");

  names = avfs_storage_list_collections (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (names[0], ==, "_storage");
  g_assert_cmpstr (names[1], ==, "alpha");
  g_assert_cmpstr (names[2], ==, "beta");
  g_assert_null (names[3]);
}

static gboolean
use_unknown_cb (AvfsTransaction  *tx,
                gpointer          user_data,
                GError          **error)
{
  return avfs_transaction_put (tx, "nope", KEY ("k"), KEY ("v"), error);
}

static void
test_unknown_collection (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  gboolean exists;

  value = avfs_storage_get (f->store, "nope", KEY ("k"), &error);
  g_assert_null (value);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);

  g_assert_false (avfs_storage_put (f->store, "nope", KEY ("k"), KEY ("v"), &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (avfs_storage_delete (f->store, "nope", KEY ("k"), &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (avfs_storage_exists (f->store, "nope", KEY ("k"), &exists, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  cursor = avfs_storage_scan_prefix (f->store, "nope", NULL, 0, &error);
  g_assert_null (cursor);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (avfs_storage_transaction (f->store, use_unknown_cb, NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

/* Runs @call, which must fail with INVALID_ARGUMENT and a real message, through `error`. */
#define ASSERT_INVALID_ARGUMENT(call) \
  G_STMT_START { \
    g_assert_false (call); \
    g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT); \
    g_assert_cmpuint (strlen (error->message), >, 10); \
    g_clear_error (&error); \
  } G_STMT_END

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  static const char *const bad_names[] = {
    "", "Alpha", "a b", "a/b", "9lives", "semi;colon", "\"quote",
    "a_name_that_is_much_longer_than_sixty_four_bytes_which_is_the_limit_x",
  };
  guint8 small[4] = { 1, 2, 3, 4 };
  guint8 long_key[AVFS_STORAGE_MAX_KEY_LEN + 1] = { 0 };
  GError *error = NULL;

  ASSERT_INVALID_ARGUMENT (avfs_storage_put (f->store, NULL, KEY ("k"), KEY ("v"), &error));
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      ASSERT_INVALID_ARGUMENT (avfs_storage_create_collection (f->store, bad_names[i], f->flags, &error));
      ASSERT_INVALID_ARGUMENT (avfs_storage_put (f->store, bad_names[i], KEY ("k"), KEY ("v"),
                                                 &error));
    }

  ASSERT_INVALID_ARGUMENT (avfs_storage_put (f->store, "alpha", NULL, 0, KEY ("v"), &error));
  ASSERT_INVALID_ARGUMENT (avfs_storage_put (f->store, "alpha", small, 0, KEY ("v"), &error));
  ASSERT_INVALID_ARGUMENT (avfs_storage_put (f->store, "alpha", long_key, sizeof long_key,
                                             KEY ("v"), &error));
  /* The length is checked before the data is read, so a small buffer is safe here. */
  ASSERT_INVALID_ARGUMENT (avfs_storage_put (f->store, "alpha", KEY ("k"), small,
                                             AVFS_STORAGE_MAX_VALUE_LEN + 1u, &error));
  ASSERT_INVALID_ARGUMENT (avfs_storage_get (f->store, "alpha", long_key, sizeof long_key,
                                             &error) != NULL);

  /* The longest key allowed works. */
  memset (long_key, 0xAB, sizeof long_key);
  g_assert_true (avfs_storage_put (f->store, "alpha", long_key, AVFS_STORAGE_MAX_KEY_LEN,
                                   KEY ("v"), &error));
  g_assert_no_error (error);
  assert_value (f->store, "alpha", long_key, AVFS_STORAGE_MAX_KEY_LEN, "v");
}

static void
test_closed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = NULL;

  put (f, "alpha", KEY ("k"), "v");
  g_assert_true (avfs_storage_close (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_storage_close (f->store, &error));

  value = avfs_storage_get (f->store, "alpha", KEY ("k"), &error);
  g_assert_null (value);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (avfs_storage_put (f->store, "alpha", KEY ("k"), KEY ("v"), &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CLOSED);
}

/* Stats and compaction. */

static gboolean
populate_cb (AvfsTransaction  *tx,
             gpointer          user_data,
             GError          **error)
{
  guint n = GPOINTER_TO_UINT (user_data);
  guint8 value[100];

  memset (value, 'x', sizeof value);
  for (guint i = 0; i < n; i++)
    {
      char key[16];
      g_snprintf (key, sizeof key, "key%06u", i);
      if (!avfs_transaction_put (tx, "alpha", (const guint8 *) key, 9, value, sizeof value, error))
        return FALSE;
    }
  return TRUE;
}

static const AvfsCollectionStats *
find_collection_stats (AvfsStorageStats *stats,
                       const char       *name)
{
  for (guint i = 0; i < stats->collections->len; i++)
    {
      const AvfsCollectionStats *c = g_ptr_array_index (stats->collections, i);
      if (g_str_equal (c->name, name))
        return c;
    }
  return NULL;
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsStorageStats) stats = NULL;
  const AvfsCollectionStats *alpha, *beta;

  g_assert_true (avfs_storage_transaction (f->store, populate_cb, GUINT_TO_POINTER (2000), &error));
  g_assert_no_error (error);
  stats = avfs_storage_stats (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stats);

  g_assert_cmpstr (stats->engine, ==, f->engine->name);
  g_assert_cmpstr (stats->path, ==, f->path);
  alpha = find_collection_stats (stats, "alpha");
  beta = find_collection_stats (stats, "beta");
  g_assert_nonnull (alpha);
  g_assert_nonnull (beta);
  g_assert_cmpuint (alpha->keys, ==, 2000);
  g_assert_cmpuint (alpha->bytes, ==, 2000 * (9 + 100));
  g_assert_cmpuint (beta->keys, ==, 0);
  g_assert_nonnull (stats->engine_info);
  g_assert_true (g_variant_is_of_type (stats->engine_info, G_VARIANT_TYPE_VARDICT));
  g_assert_cmpuint (g_variant_n_children (stats->engine_info), >, 0);
  if (f->engine->extension != NULL)
    g_assert_cmpuint (stats->on_disk_bytes, >, 2000 * 100 / 4);
}

static void
test_compact (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCompactionStats) compaction = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  guint n = 0;

  g_assert_true (avfs_storage_transaction (f->store, populate_cb, GUINT_TO_POINTER (5000), &error));
  for (guint i = 0; i < 5000; i += 2)
    {
      char key[16];
      g_snprintf (key, sizeof key, "key%06u", i);
      g_assert_true (avfs_storage_delete (f->store, "alpha", (const guint8 *) key, 9, &error));
    }

  compaction = avfs_storage_compact (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (compaction);
  g_assert_cmpint (compaction->duration_us, >=, 0);
  if (f->engine->extension != NULL)
    g_assert_cmpuint (compaction->bytes_after, >, 0);

  /* Compaction loses nothing: exactly the odd keys remain. */
  cursor = avfs_storage_scan_prefix (f->store, "alpha", KEY ("key"), &error);
  while (avfs_cursor_next (cursor, &error))
    {
      gsize len;
      const guint8 *key = avfs_cursor_get_key (cursor, &len);
      char expected[16];

      g_snprintf (expected, sizeof expected, "key%06u", 2 * n + 1);
      g_assert_cmpmem (key, len, expected, 9);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2500);
}

/* Damaged stores: a clear error, no crash, and no write to what is there. */

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  return g_bytes_new_take (data, len);
}

/* The files that hold an engine's data; logs and locks are the engine's own business. */
static GPtrArray *
data_files (Fixture *f)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!f->engine->is_directory)
    {
      g_ptr_array_add (files, g_strdup (f->path));
      return files;
    }
  dir = g_dir_open (f->path, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_equal (name, "LOCK") || g_str_equal (name, "lock.mdb") ||
          g_str_has_prefix (name, "LOG"))
        continue;
      g_ptr_array_add (files, g_build_filename (f->path, name, NULL));
    }
  return files;
}

static void
close_fixture_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_storage_sync (f->store, &error));
  g_assert_true (avfs_storage_close (f->store, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (f->store);
  f->store = NULL;
}

static void
test_corrupt_garbage (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(AvfsStorage) store = NULL;

  put (f, "alpha", KEY ("k"), "v");
  close_fixture_store (f);
  files = data_files (f);
  for (guint i = 0; i < files->len; i++)
    {
      GStatBuf st;
      g_autoptr(GBytes) garbage = NULL;

      g_assert_cmpint (g_stat (files->pdata[i], &st), ==, 0);
      garbage = random_bytes (MAX (4096, st.st_size), i);
      g_assert_true (g_file_set_contents (files->pdata[i], g_bytes_get_data (garbage, NULL),
                                          g_bytes_get_size (garbage), &error));
      g_ptr_array_add (before, g_steal_pointer (&garbage));
    }

  store = avfs_storage_open_store (f->path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, f->path));

  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GBytes) after = read_file (files->pdata[i]);
      g_assert_true (g_bytes_equal (after, before->pdata[i]));
    }
}

static gboolean
fail_if_run_cb (AvfsTransaction  *tx,
                gpointer          user_data,
                GError          **error)
{
  g_assert_not_reached ();
}

/* A store opened to read: every data file stays as it was, no new one appears, and
 * RocksDB (which would otherwise start a new log and manifest) refuses writes. */
static void
test_open_to_read (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) files_after = NULL;
  g_autoptr(AvfsStorage) store = NULL;

  put (f, "alpha", KEY ("k"), "v");
  close_fixture_store (f);
  files = data_files (f);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (before, read_file (files->pdata[i]));

  store = avfs_storage_open_store_to_read (f->path, NULL, &error);
  g_assert_no_error (error);
  assert_value (store, "alpha", KEY ("k"), "v");
  if (g_str_equal (f->engine->name, "rocksdb"))
    {
      g_assert_false (avfs_storage_transaction (store, fail_if_run_cb, NULL, &error));
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "only to read"));
    }
  g_assert_true (avfs_storage_close (store, NULL));

  files_after = data_files (f);
  g_assert_cmpuint (files_after->len, ==, files->len);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GBytes) after = read_file (files->pdata[i]);

      g_assert_true (g_bytes_equal (after, before->pdata[i]));
    }
}

static const char *
largest_file (GPtrArray *files)
{
  const char *largest = NULL;
  goffset largest_size = -1;

  for (guint i = 0; i < files->len; i++)
    {
      GStatBuf st;
      if (g_stat (files->pdata[i], &st) == 0 && st.st_size > largest_size)
        {
          largest = files->pdata[i];
          largest_size = st.st_size;
        }
    }
  return largest;
}

static void
test_corrupt_truncated (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(AvfsStorage) store = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  const char *victim;
  GStatBuf st;

  g_assert_true (avfs_storage_transaction (f->store, populate_cb, GUINT_TO_POINTER (20000), &error));
  g_assert_no_error (error);
  close_fixture_store (f);

  files = data_files (f);
  victim = largest_file (files);
  g_assert_cmpint (g_stat (victim, &st), ==, 0);
  g_assert_cmpint (truncate (victim, st.st_size / 2), ==, 0);

  store = avfs_storage_open_store (f->path, NULL, &error);
  if (store == NULL)
    {
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
      return;
    }

  /* An engine that opens anyway must report the damage when the data is read, and
   * every entry it does return must be intact. */
  cursor = avfs_storage_scan_prefix (store, "alpha", NULL, 0, &error);
  while (cursor != NULL && avfs_cursor_next (cursor, &error))
    {
      gsize len;
      const guint8 *value = avfs_cursor_get_value (cursor, &len);
      g_assert_cmpuint (len, ==, 100);
      g_assert_cmpint (value[0], ==, 'x');
      g_assert_cmpint (value[99], ==, 'x');
    }
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_clear_object (&cursor);
  avfs_storage_close (store, NULL);
}

/* Two processes on one store: SQLite and LMDB share it, RocksDB refuses the second.
 * The test re-runs itself as the child process, which opens the parent's store. */

static void
second_process_child (const AvfsEngineInfo *engine)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsStorage) store = avfs_storage_open_store (g_getenv ("AVFS_TEST_STORE"),
                                                          NULL, &error);

  if (g_str_equal (engine->name, "rocksdb"))
    {
      g_assert_null (store);
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED);
      g_assert_nonnull (strstr (error->message, "in use by another process"));
      return;
    }

  g_assert_no_error (error);
  assert_value (store, "alpha", KEY ("k"), "from parent");
  g_assert_true (avfs_storage_put (store, "alpha", KEY ("child"), KEY ("from child"), &error));
  g_assert_no_error (error);
  g_assert_true (avfs_storage_close (store, &error));
}

static void
test_second_process (Fixture       *f,
                     gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      second_process_child (f->engine);
      return;
    }

  put (f, "alpha", KEY ("k"), "from parent");
  g_setenv ("AVFS_TEST_STORE", f->path, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  if (g_str_equal (f->engine->name, "rocksdb"))
    assert_value (f->store, "alpha", KEY ("child"), NULL);
  else
    assert_value (f->store, "alpha", KEY ("child"), "from child");
}

/* Options. */

typedef struct
{
  const char *engine;
  const char *key;
  const char *value;
  gboolean valid;
} OptionCase;

static const OptionCase option_cases[] = {
  { "sqlite", "journal_mode", "delete", TRUE },
  { "sqlite", "journal_mode", "truncate", TRUE },
  { "sqlite", "synchronous", "full", TRUE },
  { "sqlite", "cache_size", "2000", TRUE },
  { "sqlite", "mmap_size", "0", TRUE },
  { "sqlite", "journal_mode", "bogus", FALSE },
  { "sqlite", "cache_size", "lots", FALSE },
  { "lmdb", "map_size", "1048576", TRUE },
  { "lmdb", "max_readers", "16", TRUE },
  { "lmdb", "no_sync", "true", TRUE },
  { "lmdb", "map_size", "ten", FALSE },
  { "lmdb", "no_sync", "maybe", FALSE },
  { "rocksdb", "compression", "zstd", TRUE },
  { "rocksdb", "compression", "none", TRUE },
  { "rocksdb", "compression", "snappy", TRUE },
  { "rocksdb", "max_open_files", "64", TRUE },
  { "rocksdb", "write_buffer_size", "1048576", TRUE },
  { "rocksdb", "compression", "brotli", FALSE },
  { "rocksdb", "max_open_files", "-5", FALSE },
};

static GHashTable *
backend_options (const char *engine,
                 const char *key,
                 const char *value)
{
  GHashTable *all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_hash_table_unref);
  GHashTable *one = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (one, g_strdup (key), g_strdup (value));
  g_hash_table_insert (all, g_strdup (engine), one);
  return all;
}

static void
create_with_option (Fixture    *f,
                    const char *key,
                    const char *value,
                    gboolean    valid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) options = backend_options (f->engine->name, key, value);
  g_autofree char *path = store_path (f->engine, f->dir, "optioned");
  g_autoptr(AvfsStorage) store = avfs_storage_create_store (f->engine->name, path, options, &error);

  if (!valid)
    {
      g_assert_null (store);
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, key));
      g_assert_true (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS));
      return;
    }

  g_assert_no_error (error);
  g_assert_true (avfs_storage_create_collection (store, "alpha", AVFS_COLLECTION_DEFAULT,
                                                 &error));
  g_assert_true (avfs_storage_put (store, "alpha", KEY ("k"), KEY ("v"), &error));
  assert_value (store, "alpha", KEY ("k"), "v");
  g_assert_true (avfs_storage_close (store, &error));
  g_assert_no_error (error);
  if (path != NULL)
    remove_tree (path);
}

/* The text config.toml would give for @option's fallback. */
static char *
fallback_text (const AvfsEngineOption *option)
{
  if (option->kind == AVFS_OPTION_CHOICE)
    return g_strdup (option->choices[option->fallback]);
  if (option->kind == AVFS_OPTION_SWITCH)
    return g_strdup (option->fallback ? "true" : "false");
  return g_strdup_printf ("%" G_GUINT64_FORMAT, option->fallback);
}

static void
test_options (Fixture       *f,
              gconstpointer  data)
{
  guint n;
  const AvfsEngineOption *table = avfs_engine_option_list (&n);

  create_with_option (f, "no_such_option", "1", FALSE);
  /* The table's fallbacks, which the preferences window shows, are what the engine
   * accepts. */
  for (guint i = 0; i < n; i++)
    if (g_str_equal (table[i].engine, f->engine->name))
      {
        g_autofree char *text = fallback_text (&table[i]);

        create_with_option (f, table[i].name, text, TRUE);
      }
  for (guint i = 0; i < G_N_ELEMENTS (option_cases); i++)
    {
      if (g_str_equal (option_cases[i].engine, f->engine->name))
        create_with_option (f, option_cases[i].key, option_cases[i].value, option_cases[i].valid);
    }
}

/* LMDB: a tiny map grows by itself, during transactions and single puts alike. */
static void
test_lmdb_map_growth (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) options = backend_options ("lmdb", "map_size", "65536");
  g_autofree char *path = store_path (f->engine, f->dir, "tiny");
  g_autoptr(AvfsStorage) store = avfs_storage_create_store ("lmdb", path, options, &error);
  g_autoptr(GBytes) big = random_bytes (16 * 1024 * 1024, 3);
  g_autoptr(AvfsStorageStats) stats = NULL;
  AvfsStorage *reopened;
  const AvfsCollectionStats *alpha;

  g_assert_no_error (error);
  g_assert_true (avfs_storage_create_collection (store, "alpha", AVFS_COLLECTION_DEFAULT,
                                                 &error));
  g_assert_true (avfs_storage_transaction (store, populate_cb, GUINT_TO_POINTER (20000), &error));
  g_assert_no_error (error);
  g_assert_true (avfs_storage_put (store, "alpha", KEY ("big"), g_bytes_get_data (big, NULL),
                                   g_bytes_get_size (big), &error));
  g_assert_no_error (error);
  assert_bytes_value (store, "alpha", KEY ("big"), big);
  g_assert_true (avfs_storage_close (store, &error));
  g_assert_finalize_object (g_steal_pointer (&store));

  reopened = avfs_storage_open_store (path, options, &error);
  g_assert_no_error (error);
  assert_bytes_value (reopened, "alpha", KEY ("big"), big);
  stats = avfs_storage_stats (reopened, &error);
  g_assert_no_error (error);
  alpha = find_collection_stats (stats, "alpha");
  g_assert_nonnull (alpha);
  g_assert_cmpuint (alpha != NULL ? alpha->keys : 0, ==, 20001);
  g_assert_true (avfs_storage_close (reopened, &error));
  g_assert_finalize_object (reopened);
}

/* The page size in the header of the SQLite file at @path. */
static guint
sqlite_page_size (const char *path)
{
  FILE *file = g_fopen (path, "rb");
  guint8 header[100];
  guint size;

  g_assert_nonnull (file);
  g_assert_cmpuint (fread (header, 1, sizeof header, file), ==, sizeof header);
  fclose (file);
  size = header[16] << 8 | header[17];
  return size == 1 ? 65536 : size;
}

typedef struct
{
  GRand *rand;
  gsize size;
} HashedValues;

/* Puts 100 values of random letters into collection "c" under random 32-byte keys, as
 * content hashes come. */
static gboolean
put_hashed_cb (AvfsTransaction  *tx,
               gpointer          user_data,
               GError          **error)
{
  HashedValues *values = user_data;
  g_autofree guint8 *value = g_malloc (values->size);
  guint32 key[8];

  for (guint i = 0; i < 100; i++)
    {
      for (guint j = 0; j < G_N_ELEMENTS (key); j++)
        key[j] = g_rand_int (values->rand);
      for (guint j = 0; j < values->size; j++)
        value[j] = g_rand_int_range (values->rand, 'a', 'z' + 1);
      if (!avfs_transaction_put (tx, "c", (const guint8 *) key, sizeof key, value,
                                 values->size, error))
        return FALSE;
    }
  return TRUE;
}

/* Fills collection "c" of a new store of the fixture's engine at @name, laid out as
 * @flags say, with 2,000 values of @size bytes under random keys, 100 to a transaction;
 * returns the store's path. */
static char *
make_hashed_store (Fixture             *f,
                   const char          *name,
                   AvfsCollectionFlags  flags,
                   gsize                size)
{
  g_autoptr(GError) error = NULL;
  char *path = store_path (f->engine, f->dir, name);
  g_autoptr(AvfsStorage) store = avfs_storage_create_store (f->engine->name, path, NULL,
                                                            &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  HashedValues values = { rand, size };

  g_assert_true (avfs_storage_create_collection (store, "c", flags, &error));
  for (guint i = 0; i < 20; i++)
    g_assert_true (avfs_storage_transaction (store, put_hashed_cb, &values, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_storage_close (store, &error));
  return path;
}

/* Runs @sql on the closed store's file; returns the rows it changed. */
static gint64
sqlite_exec_count (const char *path,
                   const char *sql)
{
  sqlite3 *db = NULL;
  gint64 changes;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  changes = sqlite3_changes64 (db);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return changes;
}

static gint64
sqlite_query_int (const char *path,
                  const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* A new SQLite store's collection "c" of values of 2,500 bytes, laid out as @flags say:
 * its file's pages. */
static gint64
hashed_store_pages (Fixture             *f,
                    const char          *name,
                    AvfsCollectionFlags  flags)
{
  g_autofree char *path = make_hashed_store (f, name, flags, 2500);

  g_assert_cmpint (sqlite_query_int (path, "SELECT count(*) FROM c"), ==, 2000);
  g_assert_cmpint (sqlite_query_int (path, "SELECT count(*) FROM sqlite_schema WHERE "
                                           "name = 'c' AND sql LIKE '%WITHOUT ROWID'"),
                   ==, flags & AVFS_COLLECTION_LARGE_VALUES ? 0 : 1);
  return sqlite_query_int (path, "PRAGMA page_count");
}

/* SQLite: values of over 2 KiB under random keys take a third less room as rows in the
 * order they came than in a B-tree of their keys, which leaves a page of its own for the
 * tail of each value and splits pages half full (docs/storage.md). */
static void
test_sqlite_large_values_layout (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 by_key = hashed_store_pages (f, "by-key", AVFS_COLLECTION_DEFAULT);
  gint64 in_order = hashed_store_pages (f, "in-order", AVFS_COLLECTION_LARGE_VALUES);

  g_test_message ("2,000 values: %" G_GINT64_FORMAT " pages by key, %" G_GINT64_FORMAT
                  " in order", by_key, in_order);
  g_assert_cmpint (in_order * 3, <=, by_key * 2);
}

/* The pages an LMDB store's collection "c" takes, its two DBIs together, and that it
 * holds the 2,000 values. */
static guint64
lmdb_store_pages (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsStorage) store = avfs_storage_open_store (path, NULL, &error);
  g_autoptr(AvfsStorageStats) stats = avfs_storage_stats (store, &error);
  g_autofree char *data = g_build_filename (path, "data.mdb", NULL);
  GStatBuf st;

  g_assert_no_error (error);
  for (guint i = 0; i < stats->collections->len; i++)
    {
      AvfsCollectionStats *c = g_ptr_array_index (stats->collections, i);

      if (g_str_equal (c->name, "c"))
        g_assert_cmpuint (c->keys, ==, 2000);
    }
  g_assert_true (avfs_storage_close (store, &error));
  /* What LMDB has handed out: the file up to its last page. */
  g_assert_cmpint (g_stat (data, &st), ==, 0);
  return st.st_size / 4096;
}

/* LMDB: values of about a kilobyte under random keys take a third less room appended
 * in the order they came, with a DBI of their keys, than in one DBI by key, whose pages
 * split half full (docs/storage.md). */
static void
test_lmdb_large_values_layout (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *by_key = make_hashed_store (f, "by-key", AVFS_COLLECTION_DEFAULT, 1000);
  g_autofree char *in_order = make_hashed_store (f, "in-order", AVFS_COLLECTION_LARGE_VALUES,
                                                 1000);
  guint64 by_key_pages = lmdb_store_pages (by_key);
  guint64 in_order_pages = lmdb_store_pages (in_order);

  g_test_message ("2,000 values: %" G_GUINT64_FORMAT " pages by key, %" G_GUINT64_FORMAT
                  " in order", by_key_pages, in_order_pages);
  g_assert_cmpuint (in_order_pages * 3, <=, by_key_pages * 2);
}

/* A figure of /proc/self/status in KiB: @field with its colon. */
static guint64
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (field), NULL, 10);
}

/* The process's resident pages of mapped files, in KiB. */
static guint64
resident_file_kib (void)
{
  return status_kib ("RssFile:");
}

#define MIB_VALUES 192

static gboolean
put_mib_values_cb (AvfsTransaction  *tx,
                   gpointer          user_data,
                   GError          **error)
{
  const guint *first = user_data; /* a retried transaction starts again from there */
  g_autofree guint8 *value = g_malloc (1024 * 1024);

  for (guint i = *first; i < *first + 16; i++)
    {
      guint8 key[1] = { i };

      memset (value, i, 1024 * 1024);
      if (!avfs_transaction_put (tx, "alpha", key, sizeof key, value, 1024 * 1024, error))
        return FALSE;
    }
  return TRUE;
}

/* LMDB: reading 192 MiB through a cursor, then value by value, does not leave them all
 * mapped into the process: the store drops its map's pages as they pile up
 * (docs/storage.md, "Memory"). */
static void
test_lmdb_map_pages_released (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  guint64 base, peak;
  guint next = 0;

  for (next = 0; next < MIB_VALUES; next += 16)
    g_assert_true (avfs_storage_transaction (f->store, put_mib_values_cb, &next, &error));
  base = peak = resident_file_kib ();

  cursor = avfs_storage_scan_range (f->store, "alpha", NULL, 0, NULL, 0, &error);
  g_assert_no_error (error);
  for (next = 0; avfs_cursor_next (cursor, &error); next++)
    {
      gsize len;
      const guint8 *value = avfs_cursor_get_value (cursor, &len);

      g_assert_cmpuint (len, ==, 1024 * 1024);
      g_assert_cmpuint (value[len - 1], ==, next);
      peak = MAX (peak, resident_file_kib ());
    }
  g_assert_no_error (error);
  g_assert_cmpuint (next, ==, MIB_VALUES);
  for (guint i = 0; i < MIB_VALUES; i++)
    {
      guint8 key[1] = { i };
      g_autoptr(GBytes) value = avfs_storage_get (f->store, "alpha", key, 1, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (value, NULL))[1000], ==, i);
      peak = MAX (peak, resident_file_kib ());
    }
  g_test_message ("mapped file pages: %" G_GUINT64_FORMAT " KiB before, at most %"
                  G_GUINT64_FORMAT " KiB while reading", base, peak);
  g_assert_cmpuint (peak - base, <, 128 * 1024);
}

#define SMALL_VALUE (16 * 1024)
#define SMALL_VALUES (MIB_VALUES * 1024 * 1024 / SMALL_VALUE)

static gboolean
put_small_values_cb (AvfsTransaction  *tx,
                     gpointer          user_data,
                     GError          **error)
{
  const guint *first = user_data;
  g_autofree guint8 *value = g_malloc (SMALL_VALUE);

  for (guint i = *first; i < *first + 1024; i++)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };

      memset (value, i, SMALL_VALUE);
      if (!avfs_transaction_put (tx, "alpha", key, sizeof key, value, SMALL_VALUE, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  guint64 peak;
  guint first;
} SmallReads;

/* Reads every other small value, from @first, inside the transaction. */
static gboolean
get_small_values_cb (AvfsTransaction  *tx,
                     gpointer          user_data,
                     GError          **error)
{
  SmallReads *reads = user_data;

  for (guint i = reads->first; i < SMALL_VALUES; i += 2)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };
      g_autoptr(GBytes) value = avfs_transaction_get (tx, "alpha", key, sizeof key, error);

      if (value == NULL)
        return FALSE;
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (value, NULL))[100], ==, i & 0xff);
      reads->peak = MAX (reads->peak, resident_file_kib ());
    }
  return TRUE;
}

/* LMDB: during a bulk job, lookups of small values, by the store and inside a
 * transaction, drop the map's pages as soon as they pile up; without the job they would
 * wait a second, by which time these reads have mapped all 192 MiB. */
static void
test_lmdb_map_pages_released_in_bulk (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SmallReads reads = { 0, 1 };
  guint64 base;

  for (guint next = 0; next < SMALL_VALUES; next += 1024)
    g_assert_true (avfs_storage_transaction (f->store, put_small_values_cb, &next, &error));
  base = reads.peak = resident_file_kib ();
  avfs_storage_begin_bulk (f->store);
  for (guint i = 0; i < SMALL_VALUES; i += 2)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };
      g_autoptr(GBytes) value = avfs_storage_get (f->store, "alpha", key, sizeof key, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (value, NULL))[100], ==, i & 0xff);
      reads.peak = MAX (reads.peak, resident_file_kib ());
    }
  g_assert_true (avfs_storage_transaction (f->store, get_small_values_cb, &reads, &error));
  avfs_storage_end_bulk (f->store);
  g_test_message ("mapped file pages: %" G_GUINT64_FORMAT " KiB before, at most %"
                  G_GUINT64_FORMAT " KiB while reading", base, reads.peak);
  g_assert_cmpuint (reads.peak - base, <, 128 * 1024);
}

#define LEAF_VALUE 1024
#define LEAF_VALUES (MIB_VALUES * 1024 * 1024 / LEAF_VALUE)

/* Values small enough to live in the leaf pages, 8192 from *@first. */
static gboolean
put_leaf_values_cb (AvfsTransaction  *tx,
                    gpointer          user_data,
                    GError          **error)
{
  const guint *first = user_data;
  guint8 value[LEAF_VALUE];

  for (guint i = *first; i < *first + 8192; i++)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };

      memset (value, i, sizeof value);
      if (!avfs_transaction_put (tx, "alpha", key, sizeof key, value, sizeof value, error))
        return FALSE;
    }
  return TRUE;
}

/* Fills "alpha" with MIB_VALUES MiB of leaf values. */
static void
put_leaf_values (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  for (guint next = 0; next < LEAF_VALUES; next += 8192)
    g_assert_true (avfs_storage_transaction (f->store, put_leaf_values_cb, &next, &error));
}

/* LMDB: measuring a store reads every leaf page through the map, and drops the pages
 * as it goes (the statistics window, a migration's first step). */
static void
test_lmdb_map_pages_released_by_stats (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsStorageStats) stats = NULL;
  guint64 base, after;

  put_leaf_values (f);
  base = resident_file_kib ();
  stats = avfs_storage_stats (f->store, &error);
  g_assert_no_error (error);
  after = resident_file_kib ();
  g_test_message ("mapped file pages: %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT
                  " KiB after", base, after);
  g_assert_cmpuint (after - MIN (after, base), <, 128 * 1024);
}

/* LMDB: compaction copies every live page, read through the map inside LMDB; the store
 * drops them while it copies. The peak is the process's (VmHWM, reset first). */
static void
test_lmdb_map_pages_released_by_compact (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCompactionStats) stats = NULL;
  guint64 base, peak;

  put_leaf_values (f);
  g_assert_true (g_file_set_contents_full ("/proc/self/clear_refs", "5", 1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  base = status_kib ("VmRSS:");
  stats = avfs_storage_compact (f->store, &error);
  g_assert_no_error (error);
  peak = status_kib ("VmHWM:");
  g_test_message ("resident: %" G_GUINT64_FORMAT " KiB before, at most %" G_GUINT64_FORMAT
                  " KiB while compacting", base, peak);
  /* 395 MiB more without the store's releases; about 120 with them. */
  g_assert_cmpuint (peak - MIN (peak, base), <, 192 * 1024);
}

static gboolean
put_many_cb (AvfsTransaction  *tx,
             gpointer          user_data,
             GError          **error)
{
  GBytes *value = user_data;

  for (guint i = 0; i < 1000; i++)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };

      if (!avfs_transaction_put (tx, "alpha", key, sizeof key, g_bytes_get_data (value, NULL),
                                 g_bytes_get_size (value), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
delete_many_cb (AvfsTransaction  *tx,
                gpointer          user_data,
                GError          **error)
{
  for (guint i = 0; i < 1000; i++)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };

      if (!avfs_transaction_delete (tx, "alpha", key, sizeof key, error))
        return FALSE;
    }
  return TRUE;
}

/* SQLite: a store that wrote gives its free pages back to the file system when it
 * closes (auto_vacuum=incremental, set when the file is made); one that only read
 * writes nothing, free pages or not. */
static void
test_sqlite_release_free_pages (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = random_bytes (3000, 9);
  gint64 pages;

  g_assert_cmpint (sqlite_query_int (f->path, "PRAGMA auto_vacuum"), ==, 2);
  g_assert_true (avfs_storage_transaction (f->store, put_many_cb, value, &error));
  g_assert_true (avfs_storage_transaction (f->store, delete_many_cb, NULL, &error));
  g_assert_no_error (error);
  reopen (f);
  g_assert_cmpint (sqlite_query_int (f->path, "PRAGMA freelist_count"), ==, 0);
  pages = sqlite_query_int (f->path, "PRAGMA page_count");
  g_assert_cmpint (pages, <, 50);

  /* 3 MB of rows deleted behind avfs's back: a store that only reads keeps them free. */
  g_assert_true (avfs_storage_transaction (f->store, put_many_cb, value, &error));
  g_assert_no_error (error);
  reopen (f);
  assert_bytes_value (f->store, "alpha", (const guint8 *) "\0\0\0\7", 4, value);
  g_assert_true (avfs_storage_close (f->store, &error));
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite_exec_count (f->path, "DELETE FROM alpha"), ==, 1000);
  pages = sqlite_query_int (f->path, "PRAGMA freelist_count");
  g_assert_cmpint (pages, >=, 256);
  f->store = avfs_storage_open_store (f->path, NULL, &error);
  g_assert_no_error (error);
  assert_value (f->store, "alpha", KEY ("k"), NULL);
  reopen (f);
  g_assert_cmpint (sqlite_query_int (f->path, "PRAGMA freelist_count"), ==, pages);
}

/* SQLite: checkpoints run beside the writer (avfs-sqlite-checkpointer.c), yet the WAL of
 * a writer that never pauses stays bounded, and every commit is there after reopening. */
static void
test_sqlite_wal_bounded (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = random_bytes (3000, 5);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  goffset largest = 0;
  const guint n = 12000;
  guint page_size;

  for (guint i = 0; i < n; i++)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };
      GStatBuf st;

      g_assert_true (avfs_storage_put (f->store, "alpha", key, sizeof key,
                                       g_bytes_get_data (value, NULL), g_bytes_get_size (value),
                                       &error));
      g_assert_no_error (error);
      if (g_stat (wal, &st) == 0)
        largest = MAX (largest, st.st_size);
    }
  /* Each commit adds a page or two: 12,000 commits would make a WAL of 13,000 pages or
   * more; it starts over after a checkpoint, once it reaches 8,000 pages at most. */
  page_size = sqlite_page_size (f->path);
  g_assert_cmpint (largest, >, 0);
  g_assert_cmpint (largest, <=, (goffset) 8200 * (page_size + 24));

  g_assert_true (avfs_storage_close (f->store, &error));
  g_clear_object (&f->store);
  f->store = avfs_storage_open_store (f->path, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i += 599)
    {
      guint8 key[4] = { i >> 24, i >> 16, i >> 8, i };

      assert_bytes_value (f->store, "alpha", key, sizeof key, value);
    }
}

#if AVFS_HAVE_ROCKSDB
/* RocksDB: each store's LOG files are in a directory of the user's cache of its own, and
 * go with the store. */
static void
test_rocksdb_logs (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *logs = avfs_storage_rocksdb_get_log_dir (f->path);
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "avfs", NULL);
  g_autofree char *other_path = store_path (f->engine, f->dir, "other");
  g_autofree char *other_logs = avfs_storage_rocksdb_get_log_dir (other_path);
  g_autofree char *shared = g_path_get_dirname (logs);
  g_autofree char *old_log = g_build_filename (shared, "tmp_old_vault.rocksdb_LOG", NULL);
  g_autofree char *old_rotated = g_strconcat (old_log, ".old.1764000000000000", NULL);
  g_autoptr(AvfsStorage) other = NULL;
  g_autoptr(GDir) dir = NULL;

  g_assert_true (g_str_has_prefix (logs, cache));
  g_assert_cmpstr (logs, !=, other_logs);
  /* Another store's open removes the LOG files that older avfs left in the shared
   * directory, and no store's own directory. */
  g_assert_true (g_file_set_contents (old_log, "old", -1, NULL));
  g_assert_true (g_file_set_contents (old_rotated, "old", -1, NULL));
  other = avfs_storage_create_store (f->engine->name, other_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (old_log, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (old_rotated, G_FILE_TEST_EXISTS));
  g_assert_true (avfs_storage_close (other, &error));
  dir = g_dir_open (logs, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_dir_read_name (dir)); /* the LOG of the open store */
  g_clear_pointer (&dir, g_dir_close);

  g_assert_true (avfs_storage_close (f->store, &error));
  g_clear_object (&f->store);
  g_assert_true (avfs_storage_delete_store (f->path, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (logs, G_FILE_TEST_EXISTS));
}
/* The bytes of RocksDB's table files, all collections together, once the memtables are
 * written out. */
static guint64
sst_bytes (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsStorageStats) stats = NULL;
  guint64 bytes = 0;

  g_assert_true (avfs_storage_sync (f->store, &error));
  stats = avfs_storage_stats (f->store, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (stats->engine_info, "total_sst_files_size", "t", &bytes));
  return bytes;
}

/* A collection emptied once its records sit in table files (a search queue after a big
 * import) is compacted away, deletions and all, which every scan of it would walk.
 * (That the compaction also takes in the last level, which RocksDB skips by default, is
 * not seen here: this small store drops its deletions either way.) */
static void
test_rocksdb_emptied_compacted (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCompactionStats) first = avfs_storage_compact (f->store, &error);
  g_autoptr(AvfsCompactionStats) second = NULL;
  guint64 before = sst_bytes (f);

  g_assert_true (avfs_storage_transaction (f->store, fill_cb, GINT_TO_POINTER (FALSE), &error));
  second = avfs_storage_compact (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sst_bytes (f), >, before);
  g_assert_true (avfs_storage_transaction (f->store, fill_cb, GINT_TO_POINTER (TRUE), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sst_bytes (f), ==, before);
}
#endif

/* The registry: engines, detection, the engine record. */

static void
test_registry_engines (void)
{
  g_autoptr(GError) error = NULL;
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);
  const AvfsEngineInfo *sled = NULL;

  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpstr (engines[0].name, ==, AVFS_STORAGE_DEFAULT_ENGINE);
  for (guint i = 0; i < n; i++)
    {
      if (g_str_equal (engines[i].name, "sled"))
        sled = &engines[i];
      g_assert_true (engines[i].available == (engines[i].open != NULL));
      g_assert_true (engines[i].available == (engines[i].unavailable_reason == NULL));
    }
  g_assert_nonnull (sled);
  g_assert_false (sled->available);
  g_assert_nonnull (strstr (sled->unavailable_reason, "not compiled in this build"));

  g_assert_null (avfs_storage_lookup_engine ("sled", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, "Backend 'sled' is not compiled in this build");
  g_clear_error (&error);

  g_assert_null (avfs_storage_lookup_engine ("berkeleydb", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "sqlite, lmdb, rocksdb, memory"));
  g_clear_error (&error);
  g_assert_null (avfs_storage_lookup_engine (NULL, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE);
}

static void
test_registry_refuses_sled (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-registry-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "v.sled", NULL);
  g_autoptr(AvfsStorage) store = avfs_storage_create_store ("sled", path, NULL, &error);

  g_assert_null (store);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  remove_tree (dir);
}

static void
test_registry_detect (void)
{
  g_autofree char *dir = g_dir_make_tmp ("avfs-registry-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.avfs", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.avfs", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.avfs", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder.lmdb", NULL);
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      g_autofree char *detected = NULL;
      g_autoptr(AvfsStorage) store = NULL;

      if (!engines[i].available || engines[i].extension == NULL)
        continue;
      path = store_path (&engines[i], dir, "detect");
      store = avfs_storage_create_store (engines[i].name, path, NULL, &error);
      g_assert_no_error (error);
      avfs_storage_close (store, NULL);
      detected = avfs_storage_detect_engine (path, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (detected, ==, engines[i].name);
    }

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (text, "just some text, long enough", -1, NULL));
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  {
    const struct { const char *path; gint code; } cases[] = {
      { missing, AVFS_ERROR_NOT_FOUND }, { empty, AVFS_ERROR_CORRUPT },
      { text, AVFS_ERROR_CORRUPT }, { folder, AVFS_ERROR_CORRUPT },
    };
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(AvfsStorage) store = avfs_storage_open_store (cases[c].path, NULL, &error);

        g_assert_null (store);
        g_assert_error (error, AVFS_ERROR, cases[c].code);
        g_assert_nonnull (strstr (error->message, cases[c].path));
      }
  }
  remove_tree (dir);
}

static void
test_registry_create_existing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-registry-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "taken.avfs", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(AvfsStorage) store = NULL;

  g_assert_true (g_file_set_contents (path, "precious", -1, NULL));
  store = avfs_storage_create_store ("sqlite", path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_EXISTS);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
  remove_tree (dir);
}

/* An SQLite database that avfs did not make is not mistaken for a vault. */
static void
test_registry_foreign_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-registry-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "foreign.avfs", NULL);
  g_autoptr(AvfsStorage) store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = avfs_storage_open_store (path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not an avfs vault"));
  remove_tree (dir);
}

/* Bulk jobs (avfs_storage_begin_bulk()) may change how an engine holds memory, never
 * what it reads or writes: nested jobs around writes, reads, a scan and the statistics,
 * and the store as before once they end. */
static void
test_bulk_jobs (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = g_bytes_new_static ("v", 1);
  g_autoptr(AvfsStorageStats) stats = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  const guint8 last[4] = { 0, 0, 999 >> 8, 999 & 0xff };
  guint n = 0;

  avfs_storage_begin_bulk (f->store);
  avfs_storage_begin_bulk (f->store);
  g_assert_true (avfs_storage_transaction (f->store, put_many_cb, value, &error));
  g_assert_no_error (error);
  avfs_storage_end_bulk (f->store);
  assert_value (f->store, "alpha", last, sizeof last, "v");
  cursor = avfs_storage_scan_prefix (f->store, "alpha", NULL, 0, &error);
  g_assert_no_error (error);
  while (avfs_cursor_next (cursor, &error))
    n++;
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1000);
  stats = avfs_storage_stats (f->store, &error);
  g_assert_no_error (error);
  avfs_storage_end_bulk (f->store);
  g_assert_true (avfs_storage_put (f->store, "alpha", KEY ("after"), KEY ("w"), &error));
  assert_value (f->store, "alpha", KEY ("after"), "w");
}

/* Registration: every engine test for every available engine. */

typedef struct
{
  const char *name;
  FixtureTest func;
  gboolean disk_only;
  const char *only_engine;
} EngineTest;

static const EngineTest engine_tests[] = {
  { "put-get", test_put_get },
  { "exists-delete", test_exists_delete },
  { "emptied-collection", test_emptied_collection },
  { "empty-value", test_empty_value },
  { "large-value", test_large_value },
  { "scan-prefix", test_scan_prefix },
  { "scan-range", test_scan_range },
  { "scan-order", test_scan_order },
  { "collections", test_collections },
  { "unknown-collection", test_unknown_collection },
  { "bad-input", test_bad_input },
  { "transaction-commit", test_transaction_commit },
  { "transaction-many", test_transaction_many },
  { "transaction-rollback", test_transaction_rollback },
  { "transaction-isolation", test_transaction_isolation },
  { "concurrency", test_concurrency },
  { "stats", test_stats },
  { "compact", test_compact },
  { "options", test_options },
  { "bulk-jobs", test_bulk_jobs },
  { "closed", test_closed },
  { "persistence", test_persistence, TRUE },
  { "open-to-read", test_open_to_read, TRUE },
  { "corrupt-garbage", test_corrupt_garbage, TRUE },
  { "corrupt-truncated", test_corrupt_truncated, TRUE },
  { "second-process", test_second_process, TRUE },
  { "not-reopenable", test_memory_not_reopenable, FALSE, "memory" },
  { "map-growth", test_lmdb_map_growth, FALSE, "lmdb" },
  { "wal-bounded", test_sqlite_wal_bounded, FALSE, "sqlite" },
  { "large-values-layout", test_sqlite_large_values_layout, FALSE, "sqlite" },
  { "large-values-layout", test_lmdb_large_values_layout, FALSE, "lmdb" },
  { "map-pages-released", test_lmdb_map_pages_released, FALSE, "lmdb" },
  { "map-pages-released-in-bulk", test_lmdb_map_pages_released_in_bulk, FALSE, "lmdb" },
  { "map-pages-released-by-stats", test_lmdb_map_pages_released_by_stats, FALSE, "lmdb" },
  { "map-pages-released-by-compact", test_lmdb_map_pages_released_by_compact, FALSE, "lmdb" },
  { "release-free-pages", test_sqlite_release_free_pages, FALSE, "sqlite" },
#if AVFS_HAVE_ROCKSDB
  { "logs", test_rocksdb_logs, FALSE, "rocksdb" },
  { "emptied-compacted", test_rocksdb_emptied_compacted, FALSE, "rocksdb" },
#endif
};

/* Every test on @layout's engine; in the LARGE_VALUES layout, only what every engine
 * does, under /storage/ENGINE/large-values/. */
static void
register_engine_tests (const Layout *layout)
{
  const AvfsEngineInfo *engine = layout->engine;
  gboolean large = layout->flags & AVFS_COLLECTION_LARGE_VALUES;

  for (guint t = 0; t < G_N_ELEMENTS (engine_tests); t++)
    {
      const EngineTest *test = &engine_tests[t];
      g_autofree char *path = NULL;

      if ((test->disk_only && engine->extension == NULL) ||
          (test->only_engine != NULL &&
           (large || !g_str_equal (test->only_engine, engine->name))))
        continue;
      path = g_strdup_printf ("/storage/%s/%s%s", engine->name, large ? "large-values/" : "",
                              test->name);
      g_test_add_vtable (path, sizeof (Fixture), layout, (GTestFixtureFunc) fixture_set_up,
                         (GTestFixtureFunc) test->func, (GTestFixtureFunc) fixture_tear_down);
    }
}

int
main (int   argc,
      char *argv[])
{
  guint n;
  const AvfsEngineInfo *engines;
  g_autoptr(GArray) layouts = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/registry/engines", test_registry_engines);
  g_test_add_func ("/registry/refuses-sled", test_registry_refuses_sled);
  g_test_add_func ("/registry/detect", test_registry_detect);
  g_test_add_func ("/registry/create-existing", test_registry_create_existing);
  g_test_add_func ("/registry/foreign-database", test_registry_foreign_database);

  engines = avfs_storage_list_engines (&n);
  layouts = g_array_sized_new (FALSE, FALSE, sizeof (Layout), 2 * n);
  for (guint i = 0; i < n; i++)
    {
      const Layout both[] = {
        { &engines[i], AVFS_COLLECTION_DEFAULT },
        { &engines[i], AVFS_COLLECTION_LARGE_VALUES },
      };

      if (engines[i].available)
        g_array_append_vals (layouts, both, G_N_ELEMENTS (both));
    }
  for (guint i = 0; i < layouts->len; i++)
    register_engine_tests (&g_array_index (layouts, Layout, i));
  return g_test_run ();
}
