/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The compression dictionary, on every engine: an import of many small files trains
 * one, later chunks use it and come out smaller, and the content reads back after
 * reopening, through another vault object, and after a migration. A damaged dictionary
 * is reported, not followed; a vault of an older format gets none. */
#include <zstd.h>

#include "avfs-storage.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-migrate.h"
#include "avfs-vault-transfer.h"
#include "vault-fixture.h"

#define TEXT_FILES 2000
#define DICTIONARY_KEY "compression_dictionary"
/* A file written after the import: short, but zstd shrinks it even alone. */
#define LATER_TEXT "written later; written later; written later; written later; written later"
/* The codec bytes of stored chunks (avfs-chunk-store.c). */
#define CODEC_ZSTD 1
#define CODEC_ZSTD_DICTIONARY 2
/* A chunk's key: its SHA-256. */
#define HASH_LEN 32

/* A word of a made-up language: the same for the same number. */
static void
append_word (GString *text,
             guint    number)
{
  static const char *syllables[] = { "ka", "lo", "mi", "ren", "tus", "qua", "bel", "dor",
                                     "fi", "gan", "hu", "ish", "jo", "ne", "pra", "sol" };

  do
    {
      g_string_append (text, syllables[number % G_N_ELEMENTS (syllables)]);
      number /= G_N_ELEMENTS (syllables);
    }
  while (number > 0);
}

/* A small text of common and rare words, 0.5–3 KB: the kind of file a dictionary is
 * for. */
static GString *
make_text (GRand *rand)
{
  GString *text = g_string_new ("Title: ");
  guint size = g_rand_int_range (rand, 500, 3000);

  while (text->len < size)
    {
      gdouble r = g_rand_double (rand);

      /* Skewed towards the first words, as a language is. */
      append_word (text, (guint) (4000 * r * r * r));
      g_string_append_c (text, text->len % 71 < 6 ? '\n' : ' ');
    }
  return text;
}

/* TEXT_FILES small texts in twelve directories. */
static char *
make_text_tree (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("avfs-dictionary-XXXXXX", &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  g_assert_no_error (error);
  for (guint i = 0; i < TEXT_FILES; i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s/part%02u", dir, i % 12);
      g_autofree char *path = g_strdup_printf ("%s/note%04u.txt", sub, i);
      g_autoptr(GString) text = make_text (rand);

      g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
      g_assert_true (g_file_set_contents (path, text->str, text->len, &error));
      g_assert_no_error (error);
    }
  return dir;
}

static void
import_tree (AvfsVault  *vault,
             const char *host)
{
  g_autoptr(GError) error = NULL;
  AvfsTransferReport report;

  g_assert_true (avfs_vault_import (vault, host, "/text", AVFS_IMPORT_NONE, NULL, NULL, NULL,
                                    &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.files, ==, TEXT_FILES);
}

/* Files of the tree's first @parts directories, read back from the vault. */
static void
assert_parts_read_back (AvfsVault  *vault,
                        const char *host,
                        guint       parts)
{
  for (guint i = 0; i < TEXT_FILES; i += 7)
    {
      if (i % 12 >= parts)
        continue;
      g_autofree char *relative = g_strdup_printf ("part%02u/note%04u.txt", i % 12, i);
      g_autofree char *host_path = g_build_filename (host, relative, NULL);
      g_autofree char *vault_path = g_build_filename ("/text", relative, NULL);
      g_autofree char *expected = NULL;

      g_assert_true (g_file_get_contents (host_path, &expected, NULL, NULL));
      vault_assert_content (vault, vault_path, 0, expected);
    }
}

/* Files of every directory of the tree, read back from the vault. */
static void
assert_reads_back (AvfsVault  *vault,
                   const char *host)
{
  assert_parts_read_back (vault, host, 12);
}

static GBytes *
get_dictionary (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  GBytes *value = avfs_storage_get (avfs_vault_get_storage (vault), "meta",
                                    (const guint8 *) DICTIONARY_KEY, strlen (DICTIONARY_KEY),
                                    &error);

  g_assert_no_error (error);
  return value;
}

typedef struct
{
  guint chunks[3];          /* by codec */
} Codecs;

/* Counts the stored chunks by codec. */
static Codecs
count_codecs (AvfsVault *vault)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = avfs_storage_scan_prefix (avfs_vault_get_storage (vault),
                                                           "blobs", NULL, 0, &error);
  Codecs codecs = { { 0 } };

  g_assert_no_error (error);
  while (avfs_cursor_next (cursor, &error))
    {
      gsize len;
      const guint8 *value = avfs_cursor_get_value (cursor, &len);
      guint8 out[4096];

      g_assert_cmpuint (value[0], <, G_N_ELEMENTS (codecs.chunks));
      codecs.chunks[value[0]]++;
      /* zstd alone cannot decode it: the frame needs the dictionary. */
      if (value[0] == CODEC_ZSTD_DICTIONARY)
        g_assert_true (ZSTD_isError (ZSTD_decompress (out, sizeof out, value + 1, len - 1)));
    }
  g_assert_no_error (error);
  return codecs;
}

/* The first batch is stored as it came; the rest with the dictionary trained on it. */
static void
assert_trained (AvfsVault *vault)
{
  g_autoptr(GBytes) dictionary = get_dictionary (vault);
  Codecs codecs = count_codecs (vault);

  g_assert_nonnull (dictionary);
  g_assert_cmpuint (g_bytes_get_size (dictionary), >, 1024);
  g_assert_cmpuint (g_bytes_get_size (dictionary), <=, 32 * 1024);
  g_assert_cmpuint (codecs.chunks[CODEC_ZSTD], >=, 500);
  g_assert_cmpuint (codecs.chunks[CODEC_ZSTD_DICTIONARY], >=, 100);
  g_assert_cmpuint (codecs.chunks[CODEC_ZSTD] + codecs.chunks[CODEC_ZSTD_DICTIONARY], ==,
                    TEXT_FILES);
}

/* The same text compressed with the vault's dictionary and with zstd alone: whatever
 * the dictionary chunks decode to, the vault's own chunks of the first batch (zstd
 * alone) show what each byte cost without it. */
static gdouble
bytes_per_text_byte (AvfsVault *vault,
                     guint8     codec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = avfs_storage_scan_prefix (avfs_vault_get_storage (vault),
                                                           "blobs", NULL, 0, &error);
  gsize stored = 0;
  guint64 text = 0;

  while (avfs_cursor_next (cursor, &error))
    {
      gsize len;
      const guint8 *value = avfs_cursor_get_value (cursor, &len);

      if (value[0] != codec)
        continue;
      stored += len;
      text += ZSTD_getFrameContentSize (value + 1, len - 1);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (text, >, 0);
  return (gdouble) stored / text;
}

static void
test_trained (VaultFixture  *f,
              gconstpointer  data)
{
  g_autofree char *host = make_text_tree ();
  gdouble with, without;

  import_tree (f->vault, host);
  assert_trained (f->vault);
  with = bytes_per_text_byte (f->vault, CODEC_ZSTD_DICTIONARY);
  without = bytes_per_text_byte (f->vault, CODEC_ZSTD);
  g_test_message ("stored bytes per byte of text: %.3f with the dictionary, %.3f without",
                  with, without);
  g_assert_cmpfloat (with, <, without * 0.95);
  assert_reads_back (f->vault, host);
  vault_assert_verifies (f->vault);
  if (f->path != NULL)
    {
      vault_fixture_reopen (f);
      assert_reads_back (f->vault, host);
      vault_assert_verifies (f->vault);
    }
  vault_remove_host_tree (host);
}

/* A second import keeps the dictionary of the first; its chunks all use it. */
static void
test_kept (VaultFixture  *f,
           gconstpointer  data)
{
  g_autofree char *host = make_text_tree ();
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GError) error = NULL;
  Codecs before, after;

  import_tree (f->vault, host);
  first = get_dictionary (f->vault);
  before = count_codecs (f->vault);
  vault_write_string (f->vault, "/later.txt", LATER_TEXT);
  g_assert_true (avfs_vault_import (f->vault, host, "/again", AVFS_IMPORT_NONE, NULL, NULL,
                                    NULL, NULL, &error));
  g_assert_no_error (error);
  second = get_dictionary (f->vault);
  after = count_codecs (f->vault);
  g_assert_true (g_bytes_equal (first, second));
  /* The same files again store nothing; the one written alone used the dictionary. */
  g_assert_cmpuint (after.chunks[CODEC_ZSTD], ==, before.chunks[CODEC_ZSTD]);
  g_assert_cmpuint (after.chunks[CODEC_ZSTD_DICTIONARY], ==,
                    before.chunks[CODEC_ZSTD_DICTIONARY] + 1);
  vault_assert_content (f->vault, "/later.txt", 0, LATER_TEXT);
  vault_remove_host_tree (host);
}

/* A vault of format 3 stays readable by the avfs that made it: no dictionary. */
static void
test_older_format (VaultFixture  *f,
                   gconstpointer  data)
{
  static const guint8 format_3[8] = { 0, 0, 0, 0, 0, 0, 0, 3 };
  g_autofree char *host = make_text_tree ();
  g_autoptr(GBytes) dictionary = NULL;
  g_autoptr(GError) error = NULL;
  Codecs codecs;

  g_assert_true (avfs_storage_put (avfs_vault_get_storage (f->vault), "meta",
                                   (const guint8 *) "format", 6, format_3, sizeof format_3,
                                   &error));
  g_assert_no_error (error);
  import_tree (f->vault, host);
  dictionary = get_dictionary (f->vault);
  codecs = count_codecs (f->vault);
  g_assert_null (dictionary);
  g_assert_cmpuint (codecs.chunks[CODEC_ZSTD], ==, TEXT_FILES);
  assert_reads_back (f->vault, host);
  vault_remove_host_tree (host);
}

/* A vault filled one file at a time gets its dictionary once it holds 500 files; what
 * is written after uses it. */
static void
test_written_one_by_one (VaultFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(GBytes) dictionary = NULL;
  Codecs codecs;

  for (guint i = 0; i < 520; i++)
    {
      g_autofree char *path = g_strdup_printf ("/note%03u.txt", i);
      g_autoptr(GString) text = make_text (rand);

      vault_write_string (f->vault, path, text->str);
      if (i == 498)
        g_assert_null (get_dictionary (f->vault));
    }
  dictionary = get_dictionary (f->vault);
  codecs = count_codecs (f->vault);
  g_assert_nonnull (dictionary);
  g_assert_cmpuint (codecs.chunks[CODEC_ZSTD], ==, 500);
  g_assert_cmpuint (codecs.chunks[CODEC_ZSTD_DICTIONARY], ==, 20);
  vault_assert_verifies (f->vault);
}

static gboolean
reports_damaged_dictionary (AvfsVerifyReport *report)
{
  return g_ptr_array_find_with_equal_func (report->problems,
                                           "The vault's compression dictionary is damaged: "
                                           "the chunks compressed with it cannot be read",
                                           g_str_equal, NULL);
}

/* A damaged dictionary: the vault still opens, verify names the dictionary and the
 * chunks it cannot read, and what is written next does not use it. A memory vault
 * keeps the dictionary it loaded, so only verify sees the damage. */
static void
test_damaged (VaultFixture  *f,
              gconstpointer  data)
{
  g_autofree char *host = make_text_tree ();
  g_autoptr(AvfsVerifyReport) report = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;
  Codecs before, after;

  import_tree (f->vault, host);
  before = count_codecs (f->vault);
  g_assert_true (avfs_storage_put (avfs_vault_get_storage (f->vault), "meta",
                                   (const guint8 *) DICTIONARY_KEY, strlen (DICTIONARY_KEY),
                                   (const guint8 *) "not a dictionary", 16, &error));
  g_assert_no_error (error);
  vault_remove_host_tree (host);
  if (f->path == NULL)
    {
      report = avfs_vault_verify (f->vault, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (report->n_problems, ==, 1);
      g_assert_true (reports_damaged_dictionary (report));
      return;
    }
  vault_fixture_reopen (f);

  report = avfs_vault_verify (f->vault, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* Each chunk of the dictionary, and on SQLite the index's text of its file, too. */
  g_assert_cmpuint (report->n_problems, >=, 1 + before.chunks[CODEC_ZSTD_DICTIONARY]);
  g_assert_true (reports_damaged_dictionary (report));
  content = avfs_vault_read (f->vault, "/text/part07/note1999.txt", 0, &error);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_null (content);
  vault_write_string (f->vault, "/new.txt", LATER_TEXT);
  after = count_codecs (f->vault);
  g_assert_cmpuint (after.chunks[CODEC_ZSTD], ==, before.chunks[CODEC_ZSTD] + 1);
  vault_assert_content (f->vault, "/new.txt", 0, LATER_TEXT);
}

/* A damaged chunk among the samples is left out (verify reports it), not a reason for
 * the import to fail. */
static void
test_damaged_chunk (VaultFixture  *f,
                    gconstpointer  data)
{
  g_autofree char *host = make_text_tree ();
  AvfsStorage *storage = avfs_vault_get_storage (f->vault);
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCursor) cursor = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) dictionary = NULL;
  g_autoptr(AvfsVerifyReport) report = NULL;
  const guint8 *value;
  gsize key_len, len;

  vault_write_string (f->vault, "/damaged.txt", LATER_TEXT);
  cursor = avfs_storage_scan_prefix (storage, "blobs", NULL, 0, &error);
  g_assert_true (avfs_cursor_next (cursor, &error));
  key = g_bytes_new (avfs_cursor_get_key (cursor, &key_len), HASH_LEN);
  value = avfs_cursor_get_value (cursor, &len);
  g_assert_cmpuint (key_len, ==, HASH_LEN);
  g_assert_cmpuint (value[0], ==, CODEC_ZSTD);
  /* Cut short: its header still says how long it is, but it cannot be decoded. */
  g_assert_true (avfs_storage_put (storage, "blobs", g_bytes_get_data (key, NULL),
                                   HASH_LEN, value, len - 3, &error));
  g_assert_no_error (error);

  import_tree (f->vault, host);
  dictionary = get_dictionary (f->vault);
  g_assert_nonnull (dictionary);
  report = avfs_vault_verify (f->vault, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_problems, >=, 1);
  vault_remove_host_tree (host);
}

/* A vault of fewer than 500 files has no dictionary: compact trains one and compresses
 * its small chunks again with it. */
static void
test_compact (VaultFixture  *f,
              gconstpointer  data)
{
  g_autofree char *host = make_text_tree ();
  g_autoptr(AvfsCompactionStats) stats = NULL;
  g_autoptr(GBytes) dictionary = NULL;
  g_autoptr(GError) error = NULL;
  Codecs before, after;

  /* Two imports of about 170 files: fewer than 500 files, no dictionary yet. */
  for (guint part = 0; part < 2; part++)
    {
      g_autofree char *from = g_strdup_printf ("%s/part%02u", host, part);
      g_autofree char *to = g_strdup_printf ("/text/part%02u", part);

      g_assert_true (avfs_vault_import (f->vault, from, to, AVFS_IMPORT_NONE, NULL, NULL,
                                        NULL, NULL, &error));
      g_assert_no_error (error);
    }
  before = count_codecs (f->vault);
  g_assert_null (get_dictionary (f->vault));
  g_assert_cmpuint (before.chunks[CODEC_ZSTD], >=, 300);

  stats = avfs_vault_compact (f->vault, &error);
  g_assert_no_error (error);
  dictionary = get_dictionary (f->vault);
  after = count_codecs (f->vault);
  g_assert_nonnull (dictionary);
  g_assert_cmpuint (after.chunks[CODEC_ZSTD_DICTIONARY], >=,
                    before.chunks[CODEC_ZSTD] * 95 / 100);
  g_assert_cmpuint (after.chunks[CODEC_ZSTD] + after.chunks[CODEC_ZSTD_DICTIONARY], ==,
                    before.chunks[CODEC_ZSTD]);
  assert_parts_read_back (f->vault, host, 2);
  vault_assert_verifies (f->vault);
  vault_remove_host_tree (host);
}

/* A migration carries the dictionary with the chunks, to the next engine in the list. */
static void
test_migrated (VaultFixture  *f,
               gconstpointer  data)
{
  g_autofree char *host = make_text_tree ();
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);
  const AvfsEngineInfo *target_engine;
  guint next;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) dictionary = NULL;
  g_autoptr(GBytes) copied = NULL;
  g_autoptr(AvfsMigrateResult) result = NULL;
  g_autofree char *target_path = NULL;
  AvfsVault *target;

  /* SQLite and memory are always there. */
  next = f->engine - engines;
  do
    next = (next + 1) % n;
  while (!engines[next].available);
  target_engine = &engines[next];
  if (target_engine->extension != NULL)
    target_path = g_strdup_printf ("%s/migrated%s", f->dir, target_engine->extension);
  import_tree (f->vault, host);
  dictionary = get_dictionary (f->vault);
  target = avfs_vault_migrate_to (f->vault, target_engine->name, target_path, NULL, &result,
                                  NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->verify->n_problems, ==, 0);
  copied = get_dictionary (target);
  g_assert_true (g_bytes_equal (dictionary, copied));
  assert_reads_back (target, host);
  g_assert_true (avfs_vault_close (target, &error));
  g_assert_no_error (error);
  g_object_unref (target);
  if (target_path != NULL)
    avfs_storage_delete_store (target_path, NULL);
  vault_remove_host_tree (host);
}

static const VaultTest tests[] = {
  { "trained", test_trained },
  { "kept", test_kept },
  { "older-format", test_older_format },
  { "written-one-by-one", test_written_one_by_one },
  { "damaged", test_damaged },
  { "damaged-chunk", test_damaged_chunk },
  { "compact", test_compact },
  { "migrated", test_migrated },
};

/* Another vault object on the same SQLite file (as another process would be) trains
 * the dictionary; this one loads it when it first meets a chunk that needs it. */
static void
test_other_writer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("avfs-dictionary-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "shared.avfs", NULL);
  g_autofree char *host = make_text_tree ();
  AvfsVault *reader = avfs_vault_create ("sqlite", path, NULL, NULL, &error);
  AvfsVault *writer;
  guint before;

  g_assert_no_error (error);
  writer = avfs_vault_open (path, NULL, &error);
  g_assert_no_error (error);
  import_tree (writer, host);
  assert_trained (writer);
  assert_reads_back (reader, host);
  before = count_codecs (reader).chunks[CODEC_ZSTD_DICTIONARY];
  vault_write_string (reader, "/later.txt", LATER_TEXT);
  g_assert_cmpuint (count_codecs (reader).chunks[CODEC_ZSTD_DICTIONARY], ==, before + 1);
  vault_assert_content (writer, "/later.txt", 0, LATER_TEXT);
  for (AvfsVault **vault = (AvfsVault *[]) { writer, reader, NULL }; *vault != NULL; vault++)
    {
      g_assert_true (avfs_vault_close (*vault, &error));
      g_assert_no_error (error);
      g_object_unref (*vault);
    }
  avfs_storage_delete_store (path, NULL);
  g_rmdir (dir);
  vault_remove_host_tree (host);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vault_fixture_register ("vault-dictionary", tests, G_N_ELEMENTS (tests));
  g_test_add_func ("/vault-dictionary/sqlite/other-writer", test_other_writer);
  return g_test_run ();
}
