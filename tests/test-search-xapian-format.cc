/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Xapian indexes from older avfs: one without the format mark is refused with a
 * message that says to rebuild, and a rebuild starts from it; one marked "2" (no start
 * terms) keeps working until a rebuild. C++ to write them with Xapian itself. */
#include <glib/gstdio.h>
#include <xapian.h>

#include "avfs-search-xapian.h"

typedef struct
{
  char *dir;
  char *index;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("avfs-xapian-format-XXXXXX", &error);
  g_assert_no_error (error);
  f->index = g_build_filename (f->dir, "search", NULL);
}

static void
remove_flat_directory (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer)
{
  remove_flat_directory (f->index);
  g_rmdir (f->dir);
  g_free (f->index);
  g_free (f->dir);
}

/* An index as avfs wrote it before the format mark: @n_docs documents, text in their
 * data. */
static void
write_older_index (const char *directory,
                   guint       n_docs)
{
  Xapian::WritableDatabase db (directory, Xapian::DB_CREATE_OR_OVERWRITE);

  for (guint i = 0; i < n_docs; i++)
    {
      Xapian::Document doc;

      doc.add_posting ("fox", 1);
      doc.set_data ("older data with the text");
      db.add_document (doc);
    }
  db.commit ();
}

static void
close_index (AvfsSearchIndex *index)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (avfs_search_xapian_close (AVFS_SEARCH_XAPIAN (index), &error));
  g_assert_no_error (error);
  g_object_unref (index);
}

static guint64
count_documents (AvfsSearchIndex *index)
{
  g_autoptr(GError) error = NULL;
  guint64 count = 0;

  g_assert_true (avfs_search_index_count (index, &count, &error));
  g_assert_no_error (error);
  return count;
}

static char *
format_of (const char *directory)
{
  return g_strdup (Xapian::Database (directory).get_metadata ("avfs-format").c_str ());
}

static void
test_older_refused (Fixture       *f,
                    gconstpointer)
{
  g_autoptr(GError) error = NULL;
  AvfsSearchIndex *index;
  AvfsSearchFields fields = { "/a.txt", NULL, "a fox", NULL, "key-a", NULL };

  write_older_index (f->index, 2);
  g_assert_null (avfs_search_xapian_open (f->index, TRUE, &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "an older avfs made it"));
  g_assert_nonnull (strstr (error->message, "“avfs-cli search --rebuild”"));
  g_clear_error (&error);

  /* A rebuild opens it emptied, and what it writes opens again. */
  index = avfs_search_xapian_open_empty (f->index, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_documents (index), ==, 0);
  g_assert_true (avfs_search_index_index (index, 1, &fields, &error));
  g_assert_no_error (error);
  close_index (index);
  index = avfs_search_xapian_open (f->index, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_documents (index), ==, 1);
  close_index (index);
}

/* With no document there is nothing to misread: it opens and takes the mark. */
static void
test_older_empty (Fixture       *f,
                  gconstpointer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  AvfsSearchIndex *index;

  write_older_index (f->index, 0);
  index = avfs_search_xapian_open (f->index, FALSE, &error);
  g_assert_no_error (error);
  close_index (index);
  format = format_of (f->index);
  g_assert_cmpstr (format, ==, "3");
}

static void
index_text (AvfsSearchIndex *index,
            guint64          doc_id,
            const char      *path,
            const char      *text)
{
  g_autoptr(GError) error = NULL;
  AvfsSearchFields fields = { path, NULL, text, NULL, "key", NULL };

  g_assert_true (avfs_search_index_index (index, doc_id, &fields, &error));
  g_assert_no_error (error);
}

static guint64
count_hits (AvfsSearchIndex *index,
            const char      *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchResults) results = avfs_search_index_search (index, query, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (results->hits->len, ==, results->total);
  return results->total;
}

/* An index marked "2" holds documents without start terms: prefixes are found by
 * their words, what is added keeps that layout, and a rebuild brings start terms. */
static void
test_without_start_terms (Fixture       *f,
                          gconstpointer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  g_autofree char *rebuilt = NULL;
  AvfsSearchIndex *index;

  index = avfs_search_xapian_open (f->index, TRUE, &error);
  g_assert_no_error (error);
  index_text (index, 1, "/a.txt", "foxes and a fox");
  close_index (index);
  {
    Xapian::WritableDatabase db (f->index, Xapian::DB_OPEN);

    db.set_metadata ("avfs-format", "2");
    db.commit ();
  }
  index = avfs_search_xapian_open (f->index, FALSE, &error);
  g_assert_no_error (error);
  index_text (index, 2, "/b.txt", "a foxglove in the fog");
  g_assert_cmpuint (count_hits (index, "fox*"), ==, 2);
  g_assert_cmpuint (count_hits (index, "fo*"), ==, 2);
  g_assert_cmpuint (count_hits (index, "foxg*"), ==, 1);
  close_index (index);
  format = format_of (f->index);
  g_assert_cmpstr (format, ==, "2");

  index = avfs_search_xapian_open_empty (f->index, &error);
  g_assert_no_error (error);
  index_text (index, 2, "/b.txt", "a foxglove in the fog");
  g_assert_cmpuint (count_hits (index, "fo*"), ==, 1);
  close_index (index);
  rebuilt = format_of (f->index);
  g_assert_cmpstr (rebuilt, ==, "3");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/search-xapian-format/older-refused", Fixture, NULL, fixture_set_up,
              test_older_refused, fixture_tear_down);
  g_test_add ("/search-xapian-format/older-empty", Fixture, NULL, fixture_set_up,
              test_older_empty, fixture_tear_down);
  g_test_add ("/search-xapian-format/without-start-terms", Fixture, NULL, fixture_set_up,
              test_without_start_terms, fixture_tear_down);
  return g_test_run ();
}
