/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search conformance suite: the same corpus and queries on fts5, xapian and memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "avfs-search-fts5.h"
#include "avfs-search-memory.h"
#include "avfs-search-tokenizer.h"
#include "avfs-search-xapian.h"

/* fts5-ref: FTS5 keeping content_refs, reading the text back as a vault's index does. */
static const char * const engines[] = { "fts5", "fts5-ref", "xapian", "memory" };

typedef struct
{
  const char *engine;
  char *dir;
  sqlite3 *db;
  AvfsSearchIndex *index;
  gboolean corpus_paths;  /* hits' paths are those of the corpus */
  GHashTable *texts;      /* doc_id → text indexed, which Xapian asks for snippets */
  GHashTable *ref_texts;  /* content_ref → text indexed with it, which fts5-ref reads */
  guint n_refs;
  GMutex texts_lock;      /* searches on other threads read @texts and @ref_texts */
} Fixture;

typedef void (*FixtureTest) (Fixture *f, gconstpointer data);

/* Fixture. */

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

static sqlite3 *
open_sqlite (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "vault.avfs", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = wal", NULL, NULL, NULL), ==, SQLITE_OK);
  return db;
}

/* Xapian keeps no text: it asks for it, as a vault gives it. */
static char *
text_cb (guint64  doc_id,
         gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&f->texts_lock);

  return g_strdup (g_hash_table_lookup (f->texts, &doc_id));
}

/* FTS5 with a text function reads the text of a content_ref back, as from a vault's
 * blobs, which stay as long as the document needs them. */
static char *
ref_text_cb (GBytes   *content_ref,
             gpointer  user_data)
{
  Fixture *f = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&f->texts_lock);

  return g_strdup (g_hash_table_lookup (f->ref_texts, content_ref));
}

static AvfsSearchIndex *
open_index (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  AvfsSearchIndex *index = NULL;

  if (g_str_equal (f->engine, "memory"))
    index = avfs_search_memory_new ();
  else if (g_str_has_prefix (f->engine, "fts5"))
    {
      f->db = open_sqlite (f->dir);
      index = avfs_search_fts5_new_for_connection (f->db, NULL, &error);
      if (index != NULL && g_str_equal (f->engine, "fts5-ref"))
        avfs_search_fts5_set_text_func (AVFS_SEARCH_FTS5 (index), ref_text_cb, f);
    }
  else
    {
      g_autofree char *path = g_build_filename (f->dir, "search", NULL);

      index = avfs_search_xapian_open (path, TRUE, &error);
      if (index != NULL)
        avfs_search_xapian_set_text_func (AVFS_SEARCH_XAPIAN (index), text_cb, f);
    }
  g_assert_no_error (error);
  g_assert_nonnull (index);
  g_assert_true (g_str_has_prefix (f->engine, avfs_search_index_get_engine_name (index)));
  return index;
}

static void
close_index (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  if (f->index == NULL)
    return;
  if (AVFS_IS_SEARCH_XAPIAN (f->index))
    {
      g_assert_true (avfs_search_xapian_close (AVFS_SEARCH_XAPIAN (f->index), &error));
      g_assert_no_error (error);
    }
  g_assert_finalize_object (f->index);
  f->index = NULL;
  if (f->db != NULL)
    {
      g_assert_cmpint (sqlite3_close (f->db), ==, SQLITE_OK);
      f->db = NULL;
    }
}

/* Closes and opens the index again, as a new process would (not for memory). */
static void
reopen (Fixture *f)
{
  close_index (f);
  f->index = open_index (f);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->engine = data;
  f->dir = g_dir_make_tmp ("avfs-search-XXXXXX", &error);
  g_assert_no_error (error);
  f->texts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  f->ref_texts = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                        (GDestroyNotify) g_bytes_unref, g_free);
  g_mutex_init (&f->texts_lock);
  f->index = open_index (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  close_index (f);
  remove_tree (f->dir);
  g_free (f->dir);
  g_hash_table_unref (f->texts);
  g_hash_table_unref (f->ref_texts);
  g_mutex_clear (&f->texts_lock);
}

/* The corpus. */

typedef struct
{
  guint64 id;
  const char *path;
  const char *content; /* NULL: binary */
  const char *tags;    /* comma-separated */
} CorpusDoc;

#define LATIN1_ID 8
#define LONG_ID 15

static const CorpusDoc corpus[] = {
  { 1, "/notes/fox.txt", "The quick brown fox jumps over the lazy dog.", "animals" },
  { 2, "/notes/dog.txt", "The lazy dog sleeps. Dog dog dog: a dog's life, every dog has its day.", "animals,Pets" },
  { 3, "/notes/cat.txt", "Cats are not dogs. A quick cat naps in the sun.", "pets" },
  { 4, "/projects/avfs/README.md", "avfs keeps a file tree inside one embedded database called a vault.", "work" },
  { 5, "/projects/avfs/search.c", "int search_index (void) { return quick_search (); }", "work,code" },
  { 6, "/projects/report-2023.txt", "Annual report for 2023: revenue grew.", "work" },
  { 7, "/projects/report-2024.txt", "Annual report for 2024: revenue shrank.", "work,Needs Review" },
  { LATIN1_ID, "/latin1/café.txt", NULL, "" },  /* Latin-1 bytes, converted below */
  { 9, "/unicode/straße.txt", "Die Straße ist lang. STRASSE in Großbuchstaben.", "" },
  { 10, "/unicode/greek.txt", "Η γρήγορη καφέ αλεπού. ΑΛΕΠΟΎ", "" },
  { 11, "/unicode/cjk.txt", "東京 は 日本 の 首都 です", "" },
  { 12, "/unicode/fullwidth.txt", "ＦＵＬＬＷＩＤＴＨ letters and ﬁne ligatures", "" },
  { 13, "/images/photo.jpg", NULL, "photos" },
  { 14, "/images/fox-photo.png", NULL, "" },
  { LONG_ID, "/long/book.txt", NULL, "" },      /* generated below */
  { 16, "/long/foxes.txt", NULL, "" },          /* generated below */
  { 17, "/misc/hyphen.txt", "state-of-the-art e-mail well-known", "" },
  { 18, "/misc/numbers.txt", "version 3.14 released on 2024-05-01 at 10:30", "" },
  { 19, "/misc/nfd.txt", "cafe\xcc\x81 decomposed", "" },
  { 20, "/misc/underscore.txt", "snake_case and camelCase identifiers", "" },
  { 21, "/misc/control.txt", "escape \x1b[31m red text with a fox", "" },
  { 22, "/misc/empty.txt", "", "" },
};

#define N_FILLERS 20
#define FIRST_FILLER 31
#define FILLER_IDS "31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50"

static char *
long_book (void)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < 30000; i++)
    g_string_append (text, "haystack filler ");
  g_string_append (text, "the needle hides here ");
  for (guint i = 0; i < 100; i++)
    g_string_append (text, "haystack filler ");
  return g_string_free (text, FALSE);
}

static char *
content_of (const CorpusDoc *doc)
{
  if (doc->id == LATIN1_ID)
    {
      static const char latin1[] = "Le caf\xe9 est tr\xe8s bon. Cr\xe8me br\xfbl\xe9" "e \xe0 la fran\xe7" "aise.";
      return avfs_search_text_from_bytes ((const guint8 *) latin1, strlen (latin1));
    }
  if (doc->id == LONG_ID)
    return long_book ();
  if (doc->id == 16)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < 50; i++)
        g_string_append (text, "fox ");
      g_string_append (text, "and one hen");
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  return g_strdup (doc->content);
}

/* Indexes document @id, its content key made of its id, its content_ref new each time
 * (as content is new each time in a vault). */
static void
index_fields (Fixture          *f,
              guint64           id,
              AvfsSearchFields *fields)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("key-%" G_GUINT64_FORMAT, id);
  g_autoptr(GBytes) content_ref = NULL;
  char *name;

  g_mutex_lock (&f->texts_lock);
  name = g_strdup_printf ("ref-%u", ++f->n_refs);
  content_ref = g_bytes_new_take (name, strlen (name));
  g_hash_table_replace (f->ref_texts, g_bytes_ref (content_ref), g_strdup (fields->content));
  g_mutex_unlock (&f->texts_lock);
  fields->content_key = key;
  fields->content_ref = content_ref;
  g_assert_true (avfs_search_index_index (f->index, id, fields, &error));
  g_assert_no_error (error);
  g_mutex_lock (&f->texts_lock);
  g_hash_table_replace (f->texts, g_memdup2 (&id, sizeof id), g_strdup (fields->content));
  g_mutex_unlock (&f->texts_lock);
}

static void
index_doc (Fixture    *f,
           guint64     id,
           const char *path,
           const char *content,
           const char *tags)
{
  g_auto(GStrv) tag_list = tags != NULL && *tags != '\0' ? g_strsplit (tags, ",", -1) : NULL;
  AvfsSearchFields fields = { path, NULL, content, (const char * const *) tag_list };

  index_fields (f, id, &fields);
}

static void
load_corpus (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      g_autofree char *content = content_of (&corpus[i]);
      index_doc (f, corpus[i].id, corpus[i].path, content, corpus[i].tags);
    }
  for (guint i = 0; i < N_FILLERS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/filler/doc-%02u.txt", FIRST_FILLER + i);
      g_autofree char *content = g_strdup_printf ("lorem ipsum dolor filler number %u sit amet",
                                                  FIRST_FILLER + i);
      index_doc (f, FIRST_FILLER + i, path, content, "filler");
    }
  g_assert_true (avfs_search_index_flush (f->index, &error));
  g_assert_no_error (error);
  f->corpus_paths = TRUE;
}

static const char *
path_of (guint64 id)
{
  static char filler[64];

  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    if (corpus[i].id == id)
      return corpus[i].path;
  g_snprintf (filler, sizeof filler, "/filler/doc-%02u.txt", (guint) id);
  return filler;
}

/* Searching. */

static AvfsSearchResults *
search_with (Fixture                 *f,
             const char              *query,
             const AvfsSearchOptions *options)
{
  g_autoptr(GError) error = NULL;
  AvfsSearchResults *results = avfs_search_index_search (f->index, query, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_cmpfloat (results->took_ms, >=, 0.0);
  return results;
}

static int
guint64_compare (gconstpointer a,
                 gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* The hits' ids, ascending, as "1 2 3". */
static char *
hit_ids (AvfsSearchResults *results)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < results->hits->len; i++)
    g_array_append_val (ids, ((AvfsSearchHit *) g_ptr_array_index (results->hits, i))->doc_id);
  g_array_sort (ids, guint64_compare);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (out, i > 0 ? " %" G_GUINT64_FORMAT : "%" G_GUINT64_FORMAT,
                            g_array_index (ids, guint64, i));
  return g_string_free (out, FALSE);
}

static void
check_hits (Fixture                 *f,
            const char              *query,
            const AvfsSearchOptions *options,
            const char              *expected)
{
  g_autoptr(AvfsSearchResults) results = search_with (f, query, options);
  g_autofree char *ids = hit_ids (results);

  if (g_strcmp0 (ids, expected) != 0)
    g_error ("%s: «%s» found [%s], expected [%s]", f->engine, query, ids, expected);
  g_assert_cmpuint (results->total, ==, results->hits->len);
  for (guint i = 0; i < results->hits->len; i++)
    {
      AvfsSearchHit *hit = g_ptr_array_index (results->hits, i);

      g_assert_nonnull (hit->path);
      if (f->corpus_paths && hit->doc_id < FIRST_FILLER + N_FILLERS)
        g_assert_cmpstr (hit->path, ==, path_of (hit->doc_id));
      if (i > 0)
        {
          AvfsSearchHit *before = g_ptr_array_index (results->hits, i - 1);

          /* Best first; ties by ascending doc_id. */
          g_assert_cmpfloat (hit->score, <=, before->score);
          if (hit->score == before->score)
            g_assert_cmpuint (hit->doc_id, >, before->doc_id);
        }
    }
}

static void
assert_hits (Fixture    *f,
             const char *query,
             const char *expected)
{
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;

  options.limit = 1000;
  check_hits (f, query, &options, expected);
}

static guint64
first_hit (Fixture    *f,
           const char *query)
{
  g_autoptr(AvfsSearchResults) results = search_with (f, query, NULL);

  g_assert_cmpuint (results->hits->len, >, 0);
  return ((AvfsSearchHit *) g_ptr_array_index (results->hits, 0))->doc_id;
}

static AvfsSearchHit *
find_hit (AvfsSearchResults *results,
          guint64            id)
{
  for (guint i = 0; i < results->hits->len; i++)
    if (((AvfsSearchHit *) g_ptr_array_index (results->hits, i))->doc_id == id)
      return g_ptr_array_index (results->hits, i);
  g_error ("document %" G_GUINT64_FORMAT " is not a hit", id);
  return NULL;
}

static char *
marked (const char   *text,
        const GArray *marks)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; marks != NULL && i < marks->len; i++)
    {
      const AvfsSearchMark *mark = &g_array_index (marks, AvfsSearchMark, i);

      g_assert_cmpuint (mark->end, <=, strlen (text));
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append_len (out, text + mark->start, mark->end - mark->start);
    }
  return g_string_free (out, FALSE);
}

/* The table: query → the documents it finds, the same on every engine. */

static const struct { const char *query; const char *ids; } expectations[] = {
  /* Words: content, path and name; AND between words. */
  { "fox", "1 14 16 21" },
  { "FOX", "1 14 16 21" },
  { "quick", "1 3 5" },
  { "quick brown", "1" },
  { "the", "1 2 3 15 17" },
  { "hen", "16" },
  { "avfs", "4 5" },
  { "jpg", "13" },
  { "zzzz", "" },
  { "lorem", FILLER_IDS },
  { "filler", "15 " FILLER_IDS },
  /* Phrases, never across fields. */
  { "\"lazy dog\"", "1 2" },
  { "\"dog lazy\"", "" },
  { "\"brown fox jumps\"", "1" },
  { "\"quick cat\"", "3" },
  { "\"notes fox\"", "1" },
  { "\"md avfs\"", "" },
  { "state-of-the-art", "17" },
  { "\"state of the art\"", "17" },
  { "e-mail", "17" },
  { "email", "" },
  { "3.14", "18" },
  { "10:30", "18" },
  { "snake_case", "20" },
  /* Prefixes, also at the end of a phrase. */
  { "dog*", "1 2 3" },
  { "rep*", "6 7" },
  { "photo*", "13 14" },
  { "\"lazy do\"*", "1 2" },
  { "\"quick ca\"*", "3" },
  { "j*", "1 13" },
  { "caf*", "8 19" },
  { "CAFÉ*", "8 19" },
  { "stra*", "9" },
  { "straß*", "9" },
  { "東*", "11" },
  /* OR, exclusion, groups. */
  { "dog OR cat", "1 2 3" },
  { "report 2023", "6" },
  { "report 2023 OR 2024", "6 7" },
  { "report -2024", "6" },
  { "report NOT 2024", "6" },
  { "(quick OR lazy) -cat", "1 2 5" },
  { "fox OR \"revenue grew\"", "1 6 14 16 21" },
  { "filler -lorem", "15" },
  { "fox -(dog OR hen)", "14 21" },
  { "2024", "7 18" },
  /* Fields. */
  { "tag:work", "4 5 6 7" },
  { "tag:WORK", "4 5 6 7" },
  { "tag:pets", "2 3" },
  { "tag:\"needs review\"", "7" },
  { "tag:needs", "" },
  { "tag:filler", FILLER_IDS },
  { "report -tag:\"needs review\"", "6" },
  { "tag:animals OR tag:code", "1 2 5" },
  { "path:projects", "4 5 6 7" },
  { "path:avfs", "4 5" },
  { "path:notes dog", "1 2" },
  { "path:\"projects avfs\"", "4 5" },
  { "name:readme", "4" },
  { "name:report*", "6 7" },
  { "name:avfs", "" },
  { "name:fox", "1 14" },
  /* Unicode and Latin-1. */
  { "café", "8 19" },
  { "CAFÉ", "8 19" },
  { "cafe", "" },
  { "crème brûlée", "8" },
  { "\"crème brûlée\"", "8" },
  { "française", "8" },
  { "straße", "9" },
  { "STRASSE", "9" },
  { "großbuchstaben", "9" },
  { "αλεπού", "10" },
  { "καφέ", "10" },
  { "東京", "11" },
  { "日本", "11" },
  { "fullwidth", "12" },
  { "ＬＥＴＴＥＲＳ", "12" },
  { "fine", "12" },
  { "camelcase", "20" },
  /* Long documents. */
  { "needle", "15" },
  { "haystack needle", "15" },
  { "\"needle hides\"", "15" },
  /* Text that is query syntax elsewhere is only text here. */
  { "fox^2", "" },
  { "{fox}", "1 14 16 21" },
  { "NEAR(fox dog)", "" },
  { "fox; DROP TABLE search_docs; --", "" },
  { "'fox'", "1 14 16 21" },
  { "fox + dog", "1" },
};

static void
test_queries (Fixture       *f,
              gconstpointer  data)
{
  load_corpus (f);
  for (guint i = 0; i < G_N_ELEMENTS (expectations); i++)
    assert_hits (f, expectations[i].query, expectations[i].ids);
}

static void
test_fields_option (Fixture       *f,
                    gconstpointer  data)
{
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;

  load_corpus (f);
  options.fields = AVFS_SEARCH_FIELD_CONTENT;
  check_hits (f, "fox", &options, "1 16 21");
  check_hits (f, "avfs", &options, "4");
  /* Fielded words keep their own field. */
  check_hits (f, "name:fox", &options, "1 14");
  options.fields = AVFS_SEARCH_FIELD_NAME;
  check_hits (f, "fox", &options, "1 14");
  options.fields = AVFS_SEARCH_FIELD_PATH;
  check_hits (f, "notes", &options, "1 2 3");
  check_hits (f, "quick", &options, "");
}

static void
test_ranking (Fixture       *f,
              gconstpointer  data)
{
  AvfsSearchOptions content = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(AvfsSearchResults) foxes = NULL;

  load_corpus (f);
  /* Fifty foxes beat one; many dogs beat one. */
  content.fields = AVFS_SEARCH_FIELD_CONTENT;
  foxes = search_with (f, "fox", &content);
  g_assert_cmpuint (((AvfsSearchHit *) g_ptr_array_index (foxes->hits, 0))->doc_id, ==, 16);
  g_assert_cmpuint (first_hit (f, "dog"), ==, 2);
  /* A document with both words beats documents with one. */
  g_assert_cmpuint (first_hit (f, "quick OR lazy"), ==, 1);
  /* Scores are positive for word matches. */
  {
    g_autoptr(AvfsSearchResults) results = search_with (f, "fox", NULL);

    for (guint i = 0; i < results->hits->len; i++)
      g_assert_cmpfloat (((AvfsSearchHit *) g_ptr_array_index (results->hits, i))->score, >, 0.0);
  }
  /* A tag filter adds nothing to a score, and a word's idf is the same whether the
   * engine counts its documents while ranking (one word alone) or before. */
  {
    g_autoptr(AvfsSearchResults) alone = search_with (f, "dog", NULL);
    g_autoptr(AvfsSearchResults) filtered = search_with (f, "dog tag:pets", NULL);
    AvfsSearchHit *hit = find_hit (alone, 2);
    AvfsSearchHit *same = find_hit (filtered, 2);

    g_assert_nonnull (hit);
    g_assert_nonnull (same);
    g_assert_cmpfloat_with_epsilon (hit->score, same->score, hit->score * 1e-9);
    g_assert_cmpuint (alone->total, >, filtered->total);
  }
}

/* A body of @n_tokens words: "zebra" at each of @at (ascending, -1 ends), filler elsewhere. */
static char *
zebra_body (guint      n_tokens,
            const int *at)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_tokens; i++)
    {
      gboolean zebra = *at == (int) i;

      g_string_append (text, zebra ? "zebra " : "grass ");
      at += zebra;
    }
  return g_string_free (text, FALSE);
}

static double
zebra_score (AvfsSearchResults *results,
             guint64            id)
{
  AvfsSearchHit *hit = find_hit (results, id);

  g_assert_nonnull (hit);
  return hit->score;
}

static void
test_term_frequency (Fixture       *f,
                     gconstpointer  data)
{
  /* Equal lengths; the occurrences far apart (positions past one- and two-byte varints).
   * 1 and 2 hold the word as often; 5 holds it in its path and name as well. */
  static const int three[] = { 0, 300, 20000, -1 }, three_more[] = { 7, 8, 19000, -1 },
                   two[] = { 5, 20001, -1 }, four[] = { 1, 2, 130, 17000, -1 };
  static const struct { guint64 id; const char *path; const int *at; } docs[] = {
    { 1, "/tf/a.txt", three }, { 2, "/tf/b.txt", three_more }, { 3, "/tf/c.txt", two },
    { 4, "/tf/d.txt", four }, { 5, "/tf/zebra.txt", three },
  };
  g_autoptr(AvfsSearchResults) results = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autofree char *body = zebra_body (20100, docs[i].at);

      index_doc (f, docs[i].id, docs[i].path, body, NULL);
    }
  index_doc (f, 6, "/tf/none.txt", "grass only", NULL);
  g_assert_true (avfs_search_index_flush (f->index, &error));
  g_assert_no_error (error);
  results = search_with (f, "zebra", NULL);
  g_assert_cmpuint (results->total, ==, 5);
  g_assert_cmpfloat (zebra_score (results, 5), >, zebra_score (results, 1));
  g_assert_cmpfloat (zebra_score (results, 4), >, zebra_score (results, 1));
  g_assert_cmpfloat_with_epsilon (zebra_score (results, 1), zebra_score (results, 2),
                                  zebra_score (results, 1) * 1e-9);
  g_assert_cmpfloat (zebra_score (results, 1), >, zebra_score (results, 3));
}

static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(AvfsSearchResults) all = NULL;
  g_autoptr(GPtrArray) paged = g_ptr_array_new_with_free_func (g_free);

  load_corpus (f);
  options.limit = 100;
  all = search_with (f, "lorem OR haystack", &options);
  g_assert_cmpuint (all->total, ==, N_FILLERS + 1);
  g_assert_cmpuint (all->hits->len, ==, N_FILLERS + 1);
  /* Pages of 6 give the same hits in the same order, each with the full total. */
  options.limit = 6;
  for (options.offset = 0; options.offset < 30; options.offset += 6)
    {
      g_autoptr(AvfsSearchResults) page = search_with (f, "lorem OR haystack", &options);

      g_assert_cmpuint (page->total, ==, N_FILLERS + 1);
      g_assert_cmpuint (page->hits->len, ==, MIN (6, MAX (0, (int) (N_FILLERS + 1) - (int) options.offset)));
      for (guint i = 0; i < page->hits->len; i++)
        g_ptr_array_add (paged, g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                 ((AvfsSearchHit *) g_ptr_array_index (page->hits, i))->doc_id));
    }
  g_assert_cmpuint (paged->len, ==, all->hits->len);
  for (guint i = 0; i < all->hits->len; i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                             ((AvfsSearchHit *) g_ptr_array_index (all->hits, i))->doc_id);
      g_assert_cmpstr (g_ptr_array_index (paged, i), ==, id);
    }
  /* The default limit is 20; limit 0 gives only the total. */
  {
    g_autoptr(AvfsSearchResults) first = search_with (f, "lorem OR haystack", NULL);
    g_assert_cmpuint (first->hits->len, ==, AVFS_SEARCH_DEFAULT_LIMIT);
    g_assert_cmpuint (first->total, ==, N_FILLERS + 1);
  }
  options.limit = 0;
  options.offset = 0;
  {
    g_autoptr(AvfsSearchResults) counted = search_with (f, "lorem", &options);
    g_assert_cmpuint (counted->hits->len, ==, 0);
    g_assert_cmpuint (counted->total, ==, N_FILLERS);
  }
}

static void
test_snippets (Fixture       *f,
               gconstpointer  data)
{
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;

  load_corpus (f);
  {
    g_autoptr(AvfsSearchResults) results = search_with (f, "quick brown", NULL);
    AvfsSearchHit *hit = find_hit (results, 1);
    g_autofree char *words = marked (hit->snippet, hit->marks);

    g_assert_cmpstr (hit->snippet, ==, corpus[0].content);
    g_assert_cmpstr (words, ==, "quick|brown");
  }
  {
    g_autoptr(AvfsSearchResults) results = search_with (f, "\"lazy dog\"", NULL);
    g_autofree char *one = marked (find_hit (results, 1)->snippet, find_hit (results, 1)->marks);
    g_autofree char *two = marked (find_hit (results, 2)->snippet, find_hit (results, 2)->marks);

    g_assert_cmpstr (one, ==, "lazy dog");
    g_assert_cmpstr (two, ==, "lazy dog");
  }
  {
    /* Deep in a 500 KB document. */
    g_autoptr(AvfsSearchResults) results = search_with (f, "needle", NULL);
    AvfsSearchHit *hit = find_hit (results, LONG_ID);
    g_autofree char *words = marked (hit->snippet, hit->marks);

    g_assert_cmpstr (words, ==, "needle");
    g_assert_true (g_str_has_prefix (hit->snippet, "…"));
    g_assert_nonnull (strstr (hit->snippet, "the needle hides here"));
  }
  {
    g_autoptr(AvfsSearchResults) results = search_with (f, "café", NULL);
    g_autofree char *latin1 = marked (find_hit (results, LATIN1_ID)->snippet, find_hit (results, LATIN1_ID)->marks);
    g_autofree char *nfd = marked (find_hit (results, 19)->snippet, find_hit (results, 19)->marks);
    g_autofree char *path = marked (find_hit (results, LATIN1_ID)->path, find_hit (results, LATIN1_ID)->path_marks);

    g_assert_cmpstr (latin1, ==, "café");
    g_assert_cmpstr (nfd, ==, "cafe\xcc\x81");
    g_assert_cmpstr (path, ==, "café");
  }
  {
    /* No terminal escapes in snippets. */
    g_autoptr(AvfsSearchResults) results = search_with (f, "escape red", NULL);
    AvfsSearchHit *hit = find_hit (results, 21);

    g_assert_null (strchr (hit->snippet, '\x1b'));
  }
  {
    /* Binary files: no snippet, the path marked. */
    g_autoptr(AvfsSearchResults) results = search_with (f, "photo*", NULL);
    AvfsSearchHit *hit = find_hit (results, 13);
    g_autofree char *path = marked (hit->path, hit->path_marks);

    g_assert_null (hit->snippet);
    g_assert_cmpstr (path, ==, "photo");
  }
  {
    g_autoptr(AvfsSearchResults) results = NULL;

    options.highlight = FALSE;
    results = search_with (f, "fox", &options);
    for (guint i = 0; i < results->hits->len; i++)
      {
        AvfsSearchHit *hit = g_ptr_array_index (results->hits, i);

        g_assert_null (hit->snippet);
        g_assert_null (hit->marks);
        g_assert_nonnull (hit->path);
      }
  }
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  static const char * const queries[] = {
    "", "   ", "a OR", "OR a", "\"unclosed", "-a", "NOT b", "foo:bar", "(a", "a)", "tag:",
    "a OR -b", "\"\"",
  };

  load_corpus (f);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsSearchResults) results = avfs_search_index_search (f->index, queries[i], NULL, &error);

      g_assert_null (results);
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "Invalid search query at position "));
    }
  /* The index still answers. */
  assert_hits (f, "fox", "1 14 16 21");
}

static void
test_read_back (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchDocument) dog = NULL;
  g_autoptr(AvfsSearchDocument) photo = NULL;
  g_autoptr(AvfsSearchDocument) missing = NULL;
  g_autoptr(GArray) ids = NULL;
  guint64 count = 0;

  load_corpus (f);
  g_assert_true (avfs_search_index_count (f->index, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, G_N_ELEMENTS (corpus) + N_FILLERS);
  ids = avfs_search_index_list_documents (f->index, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, count);
  g_assert_cmpuint (g_array_index (ids, guint64, 0), ==, 1);
  g_assert_cmpuint (g_array_index (ids, guint64, ids->len - 1), ==, FIRST_FILLER + N_FILLERS - 1);

  dog = avfs_search_index_get_document (f->index, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dog->path, ==, "/notes/dog.txt");
  g_assert_cmpstr (dog->name, ==, "dog.txt");
  if (AVFS_IS_SEARCH_XAPIAN (f->index))
    {
      /* It keeps the content's key instead of the text. */
      g_assert_null (dog->content);
      g_assert_cmpstr (dog->content_key, ==, "key-2");
    }
  else if (g_str_equal (f->engine, "fts5-ref"))
    {
      /* It keeps the content_ref instead of the text. */
      g_autofree char *text = ref_text_cb (dog->content_ref, f);

      g_assert_null (dog->content);
      g_assert_cmpstr (text, ==, corpus[1].content);
    }
  else
    g_assert_cmpstr (dog->content, ==, corpus[1].content);
  g_assert_cmpuint (g_strv_length (dog->tags), ==, 2);
  g_assert_cmpstr (dog->tags[0], ==, "animals");
  g_assert_cmpstr (dog->tags[1], ==, "pets");

  photo = avfs_search_index_get_document (f->index, 13, &error);
  g_assert_no_error (error);
  g_assert_null (photo->content);
  g_assert_cmpstr (photo->name, ==, "photo.jpg");

  missing = avfs_search_index_get_document (f->index, 999, &error);
  g_assert_null (missing);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint64 count = 0;

  load_corpus (f);
  g_assert_true (avfs_search_index_remove (f->index, 1, &error));
  g_assert_no_error (error);
  /* Removing what is not there succeeds. */
  g_assert_true (avfs_search_index_remove (f->index, 1, &error));
  g_assert_true (avfs_search_index_remove (f->index, 999, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_search_index_flush (f->index, &error));
  assert_hits (f, "fox", "14 16 21");
  assert_hits (f, "quick brown", "");
  assert_hits (f, "\"lazy dog\"", "2");
  assert_hits (f, "tag:animals", "2");
  g_assert_true (avfs_search_index_count (f->index, &count, &error));
  g_assert_cmpuint (count, ==, G_N_ELEMENTS (corpus) + N_FILLERS - 1);
  /* Removing every filler leaves no trace of their words. */
  for (guint i = 0; i < N_FILLERS; i++)
    g_assert_true (avfs_search_index_remove (f->index, FIRST_FILLER + i, &error));
  assert_hits (f, "lorem", "");
  assert_hits (f, "filler", "15");
  assert_hits (f, "tag:filler", "");
}

static void
test_update (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint64 count = 0;

  load_corpus (f);
  /* New content and tags, same path. */
  index_doc (f, 6, "/projects/report-2023.txt", "Annual summary", "archive");
  assert_hits (f, "revenue grew", "");
  assert_hits (f, "report 2023", "6");
  assert_hits (f, "summary", "6");
  assert_hits (f, "name:report*", "6 7");
  assert_hits (f, "tag:work", "4 5 7");
  assert_hits (f, "tag:archive", "6");
  /* A move: new path, same content. */
  index_doc (f, 14, "/images/hen.png", NULL, NULL);
  f->corpus_paths = FALSE;
  assert_hits (f, "fox", "1 16 21");
  assert_hits (f, "hen", "14 16");
  /* The same document indexed many times is one document. */
  for (guint i = 0; i < 30; i++)
    index_doc (f, 3, "/notes/cat.txt", i % 2 ? "a quick cat" : "a slow cat", "pets");
  assert_hits (f, "cat", "3");
  assert_hits (f, "quick", "1 3 5");
  assert_hits (f, "slow", "");
  g_assert_true (avfs_search_index_count (f->index, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, G_N_ELEMENTS (corpus) + N_FILLERS);
}

static void
test_clear_and_optimize (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint64 count = 1;

  load_corpus (f);
  for (guint i = 0; i < 10; i++)
    g_assert_true (avfs_search_index_remove (f->index, FIRST_FILLER + i, &error));
  g_assert_true (avfs_search_index_optimize (f->index, &error));
  g_assert_no_error (error);
  assert_hits (f, "fox", "1 14 16 21");
  assert_hits (f, "lorem", "41 42 43 44 45 46 47 48 49 50");
  assert_hits (f, "\"lazy dog\"", "1 2");

  /* A rebuild: clear, index again, flush. */
  g_assert_true (avfs_search_index_clear (f->index, &error));
  g_assert_no_error (error);
  g_assert_true (avfs_search_index_count (f->index, &count, &error));
  g_assert_cmpuint (count, ==, 0);
  assert_hits (f, "fox", "");
  load_corpus (f);
  assert_hits (f, "fox", "1 14 16 21");
  assert_hits (f, "lorem", FILLER_IDS);
}

#define MANY_DOCS 300
#define MANY_WORDS 2000

/* Document @i of test_many_documents(): "alpha beta" ends every fifth, "beta gamma alpha"
 * the next ones. */
static void
index_many (Fixture *f,
            guint    i)
{
  g_autoptr(GString) text = g_string_new ("every");
  g_autofree char *path = g_strdup_printf ("/many/doc-%u.txt", i);

  for (guint j = 0; j < MANY_WORDS; j++)
    g_string_append_printf (text, " w%u", (i * 7 + j) % 400);
  g_string_append (text, i % 5 == 0 ? " alpha beta" : i % 5 == 1 ? " beta gamma alpha" : "");
  index_doc (f, 1000 + i, path, text->str, NULL);
}

/* Enough words (600 000) for the memory index to invert its postings in several batches
 * while it goes on indexing: searches, removals and updates in between see them all, and
 * positions stay in order across batches. */
static void
test_many_documents (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) every = g_string_new (NULL);
  g_autoptr(GString) phrase = g_string_new (NULL);
  g_autoptr(GString) both = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < MANY_DOCS / 2; i++)
    {
      index_many (f, i);
      g_string_append_printf (every, i > 0 ? " %u" : "%u", 1000 + i);
    }
  assert_hits (f, "every", every->str);
  g_string_truncate (every, 0);
  for (guint i = MANY_DOCS / 2; i < MANY_DOCS; i++)
    index_many (f, i);
  for (guint i = 3; i < MANY_DOCS; i += 10)
    g_assert_true (avfs_search_index_remove (f->index, 1000 + i, &error));
  index_doc (f, 1000, "/many/doc-0.txt", "changed alpha", NULL);
  g_assert_true (avfs_search_index_flush (f->index, &error));
  g_assert_no_error (error);
  for (guint i = 1; i < MANY_DOCS; i++)
    {
      if (i % 10 == 3)
        continue;
      g_string_append_printf (every, every->len ? " %u" : "%u", 1000 + i);
      if (i % 5 == 0)
        g_string_append_printf (phrase, phrase->len ? " %u" : "%u", 1000 + i);
      if (i % 5 <= 1)
        g_string_append_printf (both, both->len ? " %u" : "%u", 1000 + i);
    }
  assert_hits (f, "every", every->str);
  assert_hits (f, "\"alpha beta\"", phrase->str);
  assert_hits (f, "alpha beta", both->str);
  assert_hits (f, "\"beta alpha\"", "");
  assert_hits (f, "changed", "1000");
}

/* Searches from several threads while documents change. */
typedef struct
{
  Fixture *f;
  gint stop;
} Race;

static gpointer
search_thread (gpointer data)
{
  Race *race = data;
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  guint rounds = 0;

  options.limit = 100;
  while (!g_atomic_int_get (&race->stop) || rounds < 5)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsSearchResults) results = avfs_search_index_search (race->f->index, "fox OR lorem", &options, &error);
      g_autofree char *ids = NULL;

      g_assert_no_error (error);
      /* Fillers come and go; the foxes stay. */
      ids = hit_ids (results);
      g_assert_true (g_str_has_prefix (ids, "1 14 16 21"));
      rounds++;
    }
  return GUINT_TO_POINTER (rounds);
}

static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  Race race = { f, 0 };
  GThread *threads[3];

  load_corpus (f);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("search", search_thread, &race);
  for (guint round = 0; round < 20; round++)
    for (guint i = 0; i < N_FILLERS; i++)
      {
        g_autoptr(GError) error = NULL;

        if (round % 2)
          index_doc (f, FIRST_FILLER + i, "/filler/x.txt", "lorem again", NULL);
        else
          g_assert_true (avfs_search_index_remove (f->index, FIRST_FILLER + i, &error));
        g_assert_no_error (error);
      }
  g_atomic_int_set (&race.stop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), >=, 5);
}

/* Documents whose ids spread far apart (FTS5 ranks a one-word search of such an index in
 * two halves, SPLIT_MIN_SPAN) rank, page and count as the same word with a filter every
 * document passes, which every engine ranks in one piece. */
static void
test_spread_ids (Fixture       *f,
                 gconstpointer  data)
{
  static const guint offsets[] = { 0, 20, 140, 150, 280, 295 };

  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *path = g_strdup_printf ("/spread/%u.txt", i);

      for (guint j = 0; j < i % 7 + 1; j++)
        g_string_append (text, "common ");
      for (guint j = 0; j < i % 13; j++)
        g_string_append (text, "filler ");
      if (i == 3 || i == 297)
        g_string_append (text, "rare");
      index_doc (f, 1 + (guint64) i * 400, path, text->str, "all");
    }
  assert_hits (f, "rare", "1201 118801");
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++)
    {
      AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
      g_autoptr(AvfsSearchResults) alone = NULL;
      g_autoptr(AvfsSearchResults) filtered = NULL;

      options.offset = offsets[o];
      alone = search_with (f, "common", &options);
      filtered = search_with (f, "common tag:all", &options);
      g_assert_cmpuint (alone->total, ==, 300);
      g_assert_cmpuint (filtered->total, ==, 300);
      g_assert_cmpuint (alone->hits->len, ==, MIN (20, 300 - offsets[o]));
      g_assert_cmpuint (filtered->hits->len, ==, alone->hits->len);
      for (guint i = 0; i < alone->hits->len; i++)
        {
          AvfsSearchHit *hit = g_ptr_array_index (alone->hits, i);
          AvfsSearchHit *same = g_ptr_array_index (filtered->hits, i);

          g_assert_cmpuint (hit->doc_id, ==, same->doc_id);
          g_assert_cmpfloat_with_epsilon (hit->score, same->score, hit->score * 1e-9);
          g_assert_nonnull (hit->snippet);
        }
    }
}

/* Disk engines keep everything across a reopen. */
static void
test_persistence (Fixture       *f,
                  gconstpointer  data)
{
  load_corpus (f);
  index_doc (f, 100, "/late.txt", "written last, flushed by close", NULL);
  reopen (f);
  assert_hits (f, "fox", "1 14 16 21");
  assert_hits (f, "tag:\"needs review\"", "7");
  assert_hits (f, "flushed", "100");
}

/* Xapian. */

static void
test_xapian_batching (Fixture       *f,
                      gconstpointer  data)
{
  AvfsSearchXapian *xapian = AVFS_SEARCH_XAPIAN (f->index);
  g_autoptr(GError) error = NULL;

  index_doc (f, 1, "/a.txt", "unflushed words", NULL);
  index_doc (f, 2, "/b.txt", "more unflushed words", NULL);
  g_assert_true (avfs_search_index_remove (f->index, 2, &error));
  g_assert_cmpuint (avfs_search_xapian_get_pending (xapian), ==, 3);
  /* Searches see changes before they are flushed. */
  assert_hits (f, "unflushed", "1");
  g_assert_true (avfs_search_index_flush (f->index, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (avfs_search_xapian_get_pending (xapian), ==, 0);
  assert_hits (f, "unflushed", "1");

  /* Compaction swaps in a new directory, which a reopen finds. */
  load_corpus (f);
  g_assert_true (avfs_search_index_optimize (f->index, &error));
  g_assert_no_error (error);
  assert_hits (f, "fox", "1 14 16 21");
  reopen (f);
  assert_hits (f, "fox", "1 14 16 21");
  assert_hits (f, "\"lazy dog\"", "1 2");

  /* Every few hundred changes are committed without waiting for a flush. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *path = g_strdup_printf ("/bulk/%u.txt", i);
      index_doc (f, 1000 + i, path, "bulk words", NULL);
    }
  g_assert_cmpuint (avfs_search_xapian_get_pending (AVFS_SEARCH_XAPIAN (f->index)), <, 1000);

  /* A rebuild commits unsynced until its flush syncs it; the index goes on as before. */
  g_assert_true (avfs_search_index_clear (f->index, &error));
  load_corpus (f);
  g_assert_true (avfs_search_index_flush (f->index, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (avfs_search_xapian_get_pending (AVFS_SEARCH_XAPIAN (f->index)), ==, 0);
  index_doc (f, 100, "/late.txt", "indexed after the rebuild", NULL);
  reopen (f);
  assert_hits (f, "fox", "1 14 16 21");
  assert_hits (f, "bulk", "");
  assert_hits (f, "rebuild", "100");
}

/* Without a text function a hit has no snippet, but its path is marked. */
static void
test_xapian_no_text (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(AvfsSearchResults) results = NULL;
  AvfsSearchHit *hit;
  g_autofree char *path = NULL;

  load_corpus (f);
  avfs_search_xapian_set_text_func (AVFS_SEARCH_XAPIAN (f->index), NULL, NULL);
  results = search_with (f, "dog", NULL);
  hit = find_hit (results, 2);
  path = marked (hit->path, hit->path_marks);
  g_assert_null (hit->snippet);
  g_assert_null (hit->marks);
  g_assert_cmpstr (path, ==, "dog");
}

static void
test_xapian_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "search", NULL);
  g_autofree char *absent = g_build_filename (f->dir, "absent", NULL);
  AvfsSearchIndex *second;
  AvfsSearchResults *results;

  /* One writer at a time. */
  second = avfs_search_xapian_open (path, TRUE, &error);
  g_assert_null (second);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  second = avfs_search_xapian_open (absent, FALSE, &error);
  g_assert_null (second);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (avfs_search_xapian_close (AVFS_SEARCH_XAPIAN (f->index), &error));
  g_assert_true (avfs_search_xapian_close (AVFS_SEARCH_XAPIAN (f->index), &error));
  g_assert_no_error (error);
  results = avfs_search_index_search (f->index, "fox", NULL, &error);
  g_assert_null (results);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CLOSED);
}

/* FTS5. */

static gboolean
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_test_message ("%s: %s", sql, message);
  sqlite3_free (message);
  return rc == SQLITE_OK;
}

/* Indexing runs inside the caller's transaction: it commits or rolls back with it. */
static void
test_fts5_transaction (Fixture       *f,
                       gconstpointer  data)
{
  g_assert_true (exec_ok (f->db, "BEGIN"));
  index_doc (f, 1, "/a.txt", "rolled back", NULL);
  assert_hits (f, "rolled", "1");
  g_assert_true (exec_ok (f->db, "ROLLBACK"));
  assert_hits (f, "rolled", "");

  g_assert_true (exec_ok (f->db, "BEGIN"));
  index_doc (f, 2, "/b.txt", "committed", NULL);
  g_assert_true (exec_ok (f->db, "COMMIT"));
  assert_hits (f, "committed", "2");

  /* Inside the caller's own savepoint too. */
  g_assert_true (exec_ok (f->db, "SAVEPOINT outer"));
  index_doc (f, 3, "/c.txt", "nested", NULL);
  g_assert_true (exec_ok (f->db, "ROLLBACK TO outer"));
  g_assert_true (exec_ok (f->db, "RELEASE outer"));
  assert_hits (f, "nested", "");
}

/* A writer connection and a pool of readers, as the SQLite vault has. */
typedef struct
{
  sqlite3 *writer;
  sqlite3 *readers[2];
  guint next_reader;
  guint n_acquired;
} Pool;

static sqlite3 *
pool_acquire (gpointer   user_data,
              gboolean   write,
              GError   **error)
{
  Pool *pool = user_data;

  pool->n_acquired++;
  if (write)
    return pool->writer;
  return pool->readers[pool->next_reader++ % G_N_ELEMENTS (pool->readers)];
}

static void
pool_release (gpointer  user_data,
              sqlite3  *db,
              gboolean  write)
{
}

/* The first column of the first row @sql gives, as text. */
static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

/* The FTS5 table's columns, as sqlite_schema holds its statement. */
static char *
fts5_columns (sqlite3 *db)
{
  return query_text (db, "SELECT sql FROM sqlite_schema WHERE name = 'search_fts'");
}

/* FTS5's `automerge` and `hashsize`, as the index sets them (avfs-search-fts5.c). */
static void
assert_automerge (sqlite3 *db)
{
  g_autofree char *automerge = query_text (db, "SELECT v FROM search_fts_config "
                                               "WHERE k = 'automerge'");
  g_autofree char *hashsize = query_text (db, "SELECT v FROM search_fts_config "
                                              "WHERE k = 'hashsize'");

  g_assert_cmpstr (automerge, ==, "16");
  g_assert_cmpstr (hashsize, ==, "4194304");
}

/* search_docs keeps a long body as a zstd frame and a short one as text, both read back
 * as the text indexed, and deletes stay exact: an update must take every word of the
 * old text out of the index. (The words are varied so that the frame holds none of them
 * as plain bytes: a delete handed the frame instead of the text would miss them.) */
static void
test_fts5_compressed_bodies (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("zebra");
  g_autofree char *long_type = NULL;
  g_autofree char *short_type = NULL;
  g_autofree char *stored = NULL;
  guint32 word = 1;

  for (guint i = 0; i < 400; i++)
    {
      word = word * 1103515245 + 12345;
      g_string_append_printf (text, " k%u", (word >> 16) % 5000);
    }
  index_doc (f, 1, "/long.txt", text->str, NULL);
  index_doc (f, 2, "/short.txt", "zebra crossing", NULL);
  long_type = query_text (f->db, "SELECT typeof (body) FROM search_docs WHERE doc_id = 1");
  short_type = query_text (f->db, "SELECT typeof (body) FROM search_docs WHERE doc_id = 2");
  g_assert_cmpstr (long_type, ==, "blob");
  g_assert_cmpstr (short_type, ==, "text");
  stored = query_text (f->db, "SELECT body FROM search_content WHERE doc_id = 1");
  g_assert_cmpstr (stored, ==, text->str);
  assert_hits (f, "zebra", "1 2");

  index_doc (f, 1, "/long.txt", "short now", NULL);
  assert_hits (f, "zebra", "2");
  assert_hits (f, "k1 OR k2 OR k3 OR k4 OR k5 OR k6 OR k7 OR k8 OR k9", "");
  assert_hits (f, "now", "1");
}

/* What avfs_search_index_check_postings() says of the index. */
static gboolean
postings_agree (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gboolean agree = FALSE;

  g_assert_true (avfs_search_index_check_postings (f->index, &agree, NULL, &error));
  g_assert_no_error (error);
  return agree;
}

/* The content_ref search_docs keeps for document @doc_id. */
static GBytes *
stored_ref (Fixture *f,
            guint64  doc_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT content_ref FROM search_docs "
                                          "WHERE doc_id = %" G_GUINT64_FORMAT, doc_id);
  sqlite3_stmt *stmt = NULL;
  GBytes *bytes;

  g_assert_cmpint (sqlite3_prepare_v2 (f->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_type (stmt, 0), ==, SQLITE_BLOB);
  bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  return bytes;
}

/* Given a text function, FTS5 keeps no copy of the text: each document's content_ref
 * reads it back, to delete the document's words and for the check of the word lists. */
static void
test_fts5_ref_no_copy (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) fox_ref = NULL;
  g_autofree char *bodies = NULL;
  g_autofree char *refs = NULL;

  load_corpus (f);
  bodies = query_text (f->db, "SELECT count (body) FROM search_docs");
  refs = query_text (f->db, "SELECT count (content_ref) FROM search_docs");
  g_assert_cmpstr (bodies, ==, "0");
  g_assert_cmpint (atoi (refs), ==, G_N_ELEMENTS (corpus) + N_FILLERS);
  g_assert_true (postings_agree (f));

  index_doc (f, 2, "/notes/dog.txt", "a new text", "animals");
  g_assert_true (avfs_search_index_remove (f->index, 3, &error));
  g_assert_no_error (error);
  assert_hits (f, "sleeps", "");
  assert_hits (f, "cats", "");
  assert_hits (f, "new", "2");
  g_assert_true (postings_agree (f));

  /* Text the vault cannot give back (a damaged blob) leaves the old words behind, which
   * the check finds; the change itself goes through, and a rebuild mends the index. */
  fox_ref = stored_ref (f, 1);
  g_mutex_lock (&f->texts_lock);
  g_hash_table_remove (f->ref_texts, fox_ref);
  g_mutex_unlock (&f->texts_lock);
  index_doc (f, 1, "/notes/fox.txt", "gone", NULL);
  assert_hits (f, "gone", "1");
  assert_hits (f, "brown", "1");
  g_assert_false (postings_agree (f));
  g_assert_true (avfs_search_index_clear (f->index, &error));
  load_corpus (f);
  assert_hits (f, "brown", "1");
  assert_hits (f, "gone", "");
  g_assert_true (postings_agree (f));
}

/* The check of the word lists stops when its cancellable is cancelled (verify's Cancel):
 * SQLite looks at it while FTS5 reads the texts. */
static void
test_fts5_check_cancelled (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean agree = FALSE;

  load_corpus (f);
  /* Enough texts for SQLite to look at the cancellable while reading them. */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("/more/note%03u.txt", i);

      index_doc (f, 1000 + i, path, "another note about nothing in particular", NULL);
    }
  g_cancellable_cancel (cancellable);
  g_assert_false (avfs_search_index_check_postings (f->index, &agree, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The index is as it was. */
  g_assert_true (postings_agree (f));
  assert_hits (f, "fox", "1 14 16 21");
}

/* An index made before content_ref (bodies in search_docs, a view that reads only them)
 * gets the column and the view when it is opened again, keeps answering from its old
 * rows, and deletes them exactly beside the new ones. */
static void
test_fts5_ref_upgrade (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *view = NULL;

  close_index (f);
  f->engine = "fts5";
  f->index = open_index (f);
  load_corpus (f);
  g_assert_true (exec_ok (f->db, "DROP VIEW search_content; "
                                 "ALTER TABLE search_docs DROP COLUMN content_ref; "
                                 "CREATE VIEW search_content AS SELECT doc_id, path, name, "
                                 "tags, avfs_text (body) AS body FROM search_docs"));
  f->engine = "fts5-ref";
  reopen (f);
  view = query_text (f->db, "SELECT sql FROM sqlite_schema WHERE name = 'search_content'");
  g_assert_nonnull (strstr (view, "avfs_text (body, content_ref)"));
  assert_hits (f, "fox", "1 14 16 21");
  g_assert_true (postings_agree (f));

  index_doc (f, 1, "/notes/fox.txt", "a fresh text", NULL);
  g_assert_true (avfs_search_index_remove (f->index, 2, &error));
  g_assert_no_error (error);
  assert_hits (f, "brown", "");
  assert_hits (f, "sleeps", "");
  assert_hits (f, "fresh", "1");
  g_assert_true (postings_agree (f));
}

/* An FTS5 index made before the body became its first column answers every query as
 * one made now, and a rebuild (clear, index again) gives it the new order. */
static void
test_fts5_old_column_order (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  close_index (f);
  f->db = open_sqlite (f->dir);
  g_assert_true (avfs_search_fts5_register_tokenizer (f->db, &error));
  g_assert_true (exec_ok (f->db, "DROP TABLE search_fts; "
                                 "CREATE VIRTUAL TABLE search_fts USING fts5 (path, name, tags, "
                                 "body, content='search_docs', content_rowid='doc_id', "
                                 "tokenize='avfs')"));
  f->index = avfs_search_fts5_new_for_connection (f->db, NULL, &error);
  g_assert_no_error (error);
  before = fts5_columns (f->db);
  g_assert_nonnull (strstr (before, "fts5 (path, name, tags, body"));
  /* An index made before `automerge` and `hashsize` were set gets them when it is opened
   * to write. */
  assert_automerge (f->db);
  test_queries (f, data);

  g_assert_true (avfs_search_index_clear (f->index, &error));
  g_assert_no_error (error);
  after = fts5_columns (f->db);
  g_assert_nonnull (strstr (after, "fts5 (body, path, name, tags"));
  g_assert_nonnull (strstr (after, "columnsize=0"));
  assert_automerge (f->db);
  test_queries (f, data);
}

static void
test_fts5_connections (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Pool pool = { 0 };
  AvfsSearchIndex *index;
  AvfsSearchResults *results;

  pool.writer = open_sqlite (f->dir);
  pool.readers[0] = open_sqlite (f->dir);
  pool.readers[1] = open_sqlite (f->dir);
  index = avfs_search_fts5_new (pool_acquire, pool_release, &pool, NULL, "other", &error);
  g_assert_no_error (error);

  /* Readers see only what the writer committed. */
  g_assert_true (exec_ok (pool.writer, "BEGIN"));
  {
    AvfsSearchFields fields = { "/pending.txt", NULL, "pending words", NULL };
    g_assert_true (avfs_search_index_index (index, 7, &fields, &error));
  }
  for (guint i = 0; i < 2; i++)
    {
      results = avfs_search_index_search (index, "pending", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (results->total, ==, 0);
      avfs_search_results_free (results);
    }
  g_assert_true (exec_ok (pool.writer, "COMMIT"));
  for (guint i = 0; i < 2; i++)
    {
      results = avfs_search_index_search (index, "pending", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (results->total, ==, 1);
      avfs_search_results_free (results);
    }
  g_assert_cmpuint (pool.n_acquired, >=, 6);

  /* Two indexes with different prefixes share a file without meeting. */
  load_corpus (f);
  assert_hits (f, "pending", "");
  results = avfs_search_index_search (index, "fox", NULL, &error);
  g_assert_cmpuint (results->total, ==, 0);
  avfs_search_results_free (results);

  /* A connection about to close is forgotten; the index then unrefs cleanly. */
  avfs_search_fts5_forget_connection (AVFS_SEARCH_FTS5 (index), pool.readers[1]);
  g_assert_cmpint (sqlite3_close (pool.readers[1]), ==, SQLITE_OK);
  pool.readers[1] = pool.readers[0];
  g_assert_finalize_object (index);
  g_assert_cmpint (sqlite3_close (pool.writer), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (pool.readers[0]), ==, SQLITE_OK);
}

/* A connection that never registered our tokenizer (the storage's own) can still
 * vacuum and check the file. */
static void
test_fts5_foreign_connection (Fixture       *f,
                              gconstpointer  data)
{
  sqlite3 *plain = open_sqlite (f->dir);
  sqlite3_stmt *stmt = NULL;

  load_corpus (f);
  g_assert_true (exec_ok (plain, "VACUUM"));
  g_assert_cmpint (sqlite3_prepare_v2 (plain, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  /* Reading the FTS table needs the tokenizer… */
  g_assert_false (exec_ok (plain, "SELECT * FROM search_fts WHERE search_fts MATCH 'fox'"));
  /* …which anyone may register. */
  g_assert_true (avfs_search_fts5_register_tokenizer (plain, NULL));
  g_assert_true (exec_ok (plain, "INSERT INTO search_fts (search_fts) VALUES ('integrity-check')"));
  g_assert_cmpint (sqlite3_close (plain), ==, SQLITE_OK);
  assert_hits (f, "fox", "1 14 16 21");
}

/* Agreement and recall: random documents and queries, every engine against a plain
 * scan of the tokens. */

static const char * const vocabulary[] = {
  "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
  "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon",
  "phi", "chi", "psi", "omega", "Äpfel", "Straße", "naïve", "CAFÉ", "東京", "alphabet",
};
static const char * const tag_names[] = { "red", "Green", "blue team", "x" };
static const char * const dirs[] = { "/a", "/a/b", "/docs", "/alpha/beta" };

typedef struct
{
  guint64 id;
  char *path;
  char *name;
  char *content;
  char **tags;
  char **tokens[3]; /* content, path, name */
  char **folded_tags;
} Generated;

static void
generated_free (Generated *doc)
{
  g_free (doc->path);
  g_free (doc->name);
  g_free (doc->content);
  g_strfreev (doc->tags);
  for (guint i = 0; i < 3; i++)
    g_strfreev (doc->tokens[i]);
  g_strfreev (doc->folded_tags);
  g_free (doc);
}

static const char *
random_word (GRand *rand)
{
  /* Skewed: low indexes are common, high ones rare. */
  double u = g_rand_double (rand);
  return vocabulary[(guint) (u * u * G_N_ELEMENTS (vocabulary))];
}

static Generated *
generate_doc (GRand   *rand,
              guint64  id)
{
  Generated *doc = g_new0 (Generated, 1);
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  guint n_words = g_rand_int_range (rand, 0, 40);

  doc->id = id;
  doc->name = g_strdup_printf ("%s-%u.txt", random_word (rand), (guint) id);
  doc->path = g_strdup_printf ("%s/%s", dirs[g_rand_int_range (rand, 0, G_N_ELEMENTS (dirs))], doc->name);
  for (guint i = 0; i < n_words; i++)
    g_string_append_printf (content, "%s%s", random_word (rand), g_rand_boolean (rand) ? " " : ", ");
  doc->content = g_rand_int_range (rand, 0, 20) == 0 ? NULL : g_strdup (content->str);
  for (guint i = 0; i < G_N_ELEMENTS (tag_names); i++)
    if (g_rand_int_range (rand, 0, 3) == 0)
      g_ptr_array_add (tags, (gpointer) tag_names[i]);
  g_ptr_array_add (tags, NULL);
  doc->tags = g_strdupv ((char **) tags->pdata);
  doc->tokens[0] = avfs_search_tokenize_to_strv (doc->content ? doc->content : "", -1);
  doc->tokens[1] = avfs_search_tokenize_to_strv (doc->path, -1);
  doc->tokens[2] = avfs_search_tokenize_to_strv (doc->name, -1);
  doc->folded_tags = g_new0 (char *, g_strv_length (doc->tags) + 1);
  for (guint i = 0; doc->tags[i] != NULL; i++)
    doc->folded_tags[i] = avfs_search_fold_tag (doc->tags[i]);
  return doc;
}

/* Whether @tokens hold the words of @node in a row (the last may be a prefix). */
static gboolean
scan_has (char                 **tokens,
          const AvfsSearchNode  *node)
{
  guint n = g_strv_length (tokens);

  for (guint start = 0; start + node->n_tokens <= n; start++)
    {
      guint k;

      for (k = 0; k < node->n_tokens; k++)
        {
          const char *token = tokens[start + k];
          gboolean last_prefix = node->prefix && k == node->n_tokens - 1;

          if (last_prefix ? !g_str_has_prefix (token, node->tokens[k])
                          : strcmp (token, node->tokens[k]) != 0)
            break;
        }
      if (k == node->n_tokens)
        return TRUE;
    }
  return FALSE;
}

static gboolean
scan_matches (const Generated      *doc,
              const AvfsSearchNode *node)
{
  switch (node->kind)
    {
    case AVFS_SEARCH_NODE_WORDS:
      {
        AvfsSearchField fields = node->field ? node->field : AVFS_SEARCH_FIELDS_TEXT;

        return ((fields & AVFS_SEARCH_FIELD_CONTENT) && scan_has (doc->tokens[0], node)) ||
               ((fields & AVFS_SEARCH_FIELD_PATH) && scan_has (doc->tokens[1], node)) ||
               ((fields & AVFS_SEARCH_FIELD_NAME) && scan_has (doc->tokens[2], node));
      }
    case AVFS_SEARCH_NODE_TAG:
      return g_strv_contains ((const char * const *) doc->folded_tags, node->tag);
    case AVFS_SEARCH_NODE_OR:
      for (guint i = 0; i < node->children->len; i++)
        if (scan_matches (doc, g_ptr_array_index (node->children, i)))
          return TRUE;
      return FALSE;
    case AVFS_SEARCH_NODE_AND:
      for (guint i = 0; i < node->children->len; i++)
        if (!scan_matches (doc, g_ptr_array_index (node->children, i)))
          return FALSE;
      for (guint i = 0; i < node->excluded->len; i++)
        if (scan_matches (doc, g_ptr_array_index (node->excluded, i)))
          return FALSE;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static char *
random_term (GRand *rand)
{
  const char *word = random_word (rand);
  g_autofree char *lower = g_utf8_strdown (word, -1);

  switch (g_rand_int_range (rand, 0, 10))
    {
    case 0:
      return g_strdup_printf ("\"%s %s\"", word, random_word (rand));
    case 1:
      {
        g_autofree char *half = g_utf8_substring (lower, 0, MAX (1, g_utf8_strlen (lower, -1) / 2));
        return g_strdup_printf ("%s*", half);
      }
    case 2:
      return g_strdup_printf ("path:%s", lower);
    case 3:
      return g_strdup_printf ("name:%s", word);
    case 4:
      return g_strdup_printf ("tag:\"%s\"", tag_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (tag_names))]);
    case 5:
      {
        g_autofree char *next = g_utf8_strdown (random_word (rand), -1);
        g_autofree char *half = g_utf8_substring (next, 0, MAX (1, g_utf8_strlen (next, -1) / 2));
        return g_strdup_printf ("\"%s %s\"*", word, half);
      }
    default:
      return g_strdup (word);
    }
}

static char *
random_query (GRand *rand)
{
  g_autofree char *first = random_term (rand);
  g_autofree char *second = random_term (rand);
  g_autofree char *third = random_term (rand);

  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      return g_steal_pointer (&first);
    case 1:
      return g_strdup_printf ("%s %s", first, second);
    case 2:
      return g_strdup_printf ("%s OR %s", first, second);
    case 3:
      return g_strdup_printf ("%s -%s", first, second);
    case 4:
      return g_strdup_printf ("(%s OR %s) %s", first, second, third);
    default:
      return g_strdup_printf ("%s %s -(%s)", first, second, third);
    }
}

static void
test_agreement (void)
{
  /* AVFS_SEARCH_SEED picks another corpus and other queries. */
  const char *seed = g_getenv ("AVFS_SEARCH_SEED");
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed != NULL ? atoi (seed) : 20240501);
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) generated_free);
  Fixture fixtures[G_N_ELEMENTS (engines)] = { { 0 } };
  guint n_queries = g_test_slow () ? 2000 : 400;
  guint n_nonempty = 0;

  for (guint e = 0; e < G_N_ELEMENTS (engines); e++)
    fixture_set_up (&fixtures[e], engines[e]);
  for (guint i = 0; i < 400; i++)
    g_ptr_array_add (docs, generate_doc (rand, 1000 + i));
  for (guint e = 0; e < G_N_ELEMENTS (engines); e++)
    for (guint i = 0; i < docs->len; i++)
      {
        Generated *doc = g_ptr_array_index (docs, i);
        AvfsSearchFields fields = { doc->path, NULL, doc->content, (const char * const *) doc->tags };

        index_fields (&fixtures[e], doc->id, &fields);
      }
  for (guint q = 0; q < n_queries; q++)
    {
      g_autofree char *text = random_query (rand);
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsSearchQuery) query = avfs_search_query_parse (text, &error);
      g_autoptr(GString) expected = g_string_new (NULL);

      if (query == NULL)
        {
          /* Only an exclusion of everything can be refused here. */
          g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
          continue;
        }
      for (guint i = 0; i < docs->len; i++)
        {
          Generated *doc = g_ptr_array_index (docs, i);

          if (scan_matches (doc, avfs_search_query_get_root (query)))
            g_string_append_printf (expected, expected->len ? " %" G_GUINT64_FORMAT : "%" G_GUINT64_FORMAT,
                                    doc->id);
        }
      n_nonempty += expected->len > 0;
      for (guint e = 0; e < G_N_ELEMENTS (engines); e++)
        {
          AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;

          options.limit = 1000;
          options.highlight = (q % 7) == 0;
          check_hits (&fixtures[e], text, &options, expected->str);
        }
    }
  /* The queries were not all trivially empty. */
  g_assert_cmpuint (n_nonempty, >, n_queries / 2);
  for (guint e = 0; e < G_N_ELEMENTS (engines); e++)
    fixture_tear_down (&fixtures[e], engines[e]);
}

/* Speed (-m perf): 10 000 documents, query latency by shape, indexing throughput. */

static int
double_compare (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Word number @rank of the benchmark's vocabulary: four of twenty syllables. */
static char *
perf_word (guint rank)
{
  static const char * const syllables[] = {
    "ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "ze", "pa",
    "bu", "de", "fi", "go", "ha", "ju", "ke", "li", "mo", "nu",
  };

  return g_strdup_printf ("%s%s%s%s", syllables[rank % 20], syllables[(rank / 20) % 20],
                          syllables[(rank / 400) % 20], syllables[(rank / 8000) % 20]);
}

/* Zipf-like text: word rank r is used with a frequency near 1/r, over 50 000 words. */
static char *
perf_text (GRand *rand,
           guint  n_words)
{
  GString *text = g_string_new (NULL);

  for (guint w = 0; w < n_words; w++)
    {
      guint rank = (guint) exp (g_rand_double (rand) * log (50000.0)) - 1;
      g_autofree char *word = perf_word (rank);

      g_string_append (text, word);
      g_string_append (text, w % 12 == 11 ? ".\n" : " ");
    }
  return g_string_free (text, FALSE);
}

static void
test_perf (Fixture       *f,
           gconstpointer  data)
{
  static const char * const shapes[] = { "rare word", "common word", "phrase", "prefix" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint n_docs = 10000;
  gsize bytes = 0;
  gint64 started;
  double seconds;

  for (guint i = 0; i < n_docs; i++)
    {
      char *text = perf_text (rand, 150 + g_rand_int_range (rand, 0, 300));

      bytes += strlen (text);
      g_ptr_array_add (texts, text);
    }
  started = g_get_monotonic_time ();
  if (f->db != NULL)
    g_assert_true (exec_ok (f->db, "BEGIN"));
  for (guint i = 0; i < n_docs; i++)
    {
      g_autofree char *path = g_strdup_printf ("/perf/dir-%u/file-%u.txt", i % 100, i);

      index_doc (f, i + 1, path, g_ptr_array_index (texts, i), i % 10 == 0 ? "tenth" : NULL);
    }
  if (f->db != NULL)
    g_assert_true (exec_ok (f->db, "COMMIT"));
  g_assert_true (avfs_search_index_flush (f->index, &error));
  seconds = (g_get_monotonic_time () - started) / 1e6;
  g_test_message ("%s: indexed %u documents, %.1f MB in %.2f s: %.1f MB/s", f->engine, n_docs,
                  bytes / 1e6, seconds, bytes / 1e6 / seconds);
  g_test_minimized_result (seconds, "%s index-throughput %.1f MB/s", f->engine, bytes / 1e6 / seconds);

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      guint64 total = 0;

      for (guint q = 0; q < 200; q++)
        {
          guint rank = s == 0 ? 5000 + q * 37 : s == 1 ? q % 10 : s == 2 ? q % 20 : q;
          g_autofree char *word = perf_word (rank);
          g_autofree char *next = perf_word (rank + 1);
          g_autofree char *query = NULL;
          g_autoptr(AvfsSearchResults) results = NULL;
          double ms;

          if (s == 2)
            query = g_strdup_printf ("\"%s %s\"", word, next);
          else if (s == 3)
            query = g_strdup_printf ("%.4s*", word);
          else
            query = g_strdup (word);
          started = g_get_monotonic_time ();
          results = avfs_search_index_search (f->index, query, NULL, &error);
          ms = (g_get_monotonic_time () - started) / 1000.0;
          g_assert_no_error (error);
          total += results->total;
          g_array_append_val (times, ms);
        }
      g_array_sort (times, double_compare);
      g_test_message ("%s: %-11s p50 %.2f ms, p95 %.2f ms (%.0f hits on average)", f->engine,
                      shapes[s], g_array_index (times, double, 100),
                      g_array_index (times, double, 190), total / 200.0);
      g_test_minimized_result (g_array_index (times, double, 100), "%s search-p50 %s", f->engine,
                               shapes[s]);
    }
}

static void
add_engine_test (const char  *engine,
                 const char  *name,
                 FixtureTest  test)
{
  g_autofree char *path = g_strdup_printf ("/search/%s/%s", engine, name);

  g_test_add_vtable (path, sizeof (Fixture), engine, (GTestFixtureFunc) fixture_set_up,
                     (GTestFixtureFunc) test, (GTestFixtureFunc) fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      const char *engine = engines[i];

      add_engine_test (engine, "queries", test_queries);
      add_engine_test (engine, "fields-option", test_fields_option);
      add_engine_test (engine, "ranking", test_ranking);
      add_engine_test (engine, "term-frequency", test_term_frequency);
      add_engine_test (engine, "paging", test_paging);
      add_engine_test (engine, "snippets", test_snippets);
      add_engine_test (engine, "malformed", test_malformed);
      add_engine_test (engine, "read-back", test_read_back);
      add_engine_test (engine, "remove", test_remove);
      add_engine_test (engine, "update", test_update);
      add_engine_test (engine, "clear-and-optimize", test_clear_and_optimize);
      add_engine_test (engine, "many-documents", test_many_documents);
      add_engine_test (engine, "threads", test_threads);
      add_engine_test (engine, "spread-ids", test_spread_ids);
      if (!g_str_equal (engine, "memory"))
        add_engine_test (engine, "persistence", test_persistence);
      if (g_test_perf ())
        add_engine_test (engine, "perf-10k", test_perf);
    }
  add_engine_test ("xapian", "batching", test_xapian_batching);
  add_engine_test ("xapian", "errors", test_xapian_errors);
  add_engine_test ("xapian", "no-text", test_xapian_no_text);
  add_engine_test ("fts5", "transaction", test_fts5_transaction);
  add_engine_test ("fts5", "connections", test_fts5_connections);
  add_engine_test ("fts5", "old-column-order", test_fts5_old_column_order);
  add_engine_test ("fts5", "compressed-bodies", test_fts5_compressed_bodies);
  add_engine_test ("fts5", "foreign-connection", test_fts5_foreign_connection);
  add_engine_test ("fts5-ref", "no-copy", test_fts5_ref_no_copy);
  add_engine_test ("fts5-ref", "upgrade", test_fts5_ref_upgrade);
  add_engine_test ("fts5-ref", "check-cancelled", test_fts5_check_cancelled);
  g_test_add_func ("/search/agreement", test_agreement);

  return g_test_run ();
}
