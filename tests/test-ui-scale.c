/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Large vaults in a real window: a folder of 100,000 entries arrives whole and in order
 * while the main loop keeps running, and search as you type answers on 10,000
 * documents. The figures (longest main-loop stall, time from the last keystroke to the
 * results) are measured and reported, not asserted: TESTING.md has no timing
 * assertions in tests. */
#include "avfs-config.h"

#include <fcntl.h>
#include <unistd.h>

#include <math.h>

#include "avfs-search-pane.h"
#include "avfs-vault-transfer.h"
#include "test-ui-util.h"

#define N_ENTRIES 100000
#define N_DOCUMENTS 10000
#define N_WORDS 2000

/* Measures the longest gap between two runs of a 1 ms timeout: how long the main loop
 * was kept from anything else (input, drawing). */
typedef struct
{
  gint64 last;
  gint64 longest;
} StallMeter;

static gboolean
stall_tick_cb (gpointer user_data)
{
  StallMeter *meter = user_data;
  gint64 now = g_get_monotonic_time ();

  meter->longest = MAX (meter->longest, now - meter->last);
  meter->last = now;
  return G_SOURCE_CONTINUE;
}

/* One blocking main-loop iteration, as the app's loop runs; fails past @deadline. */
static void
iterate_before (gint64 deadline)
{
  g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  g_main_context_iteration (NULL, TRUE);
}

/* Writes @n files named file-NNNNNN.txt under a new host folder, the i-th holding
 * @content (i) (nothing when %NULL), and returns the folder. */
static char *
make_host_tree (guint   n,
                char *(*content) (guint i))
{
  g_autoptr(GError) error = NULL;
  char *host = g_dir_make_tmp ("avfs-scale-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/file-%06u.txt", host, i);
      g_autofree char *text = content != NULL ? content (i) : NULL;
      int fd = open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

      g_assert_cmpint (fd, >=, 0);
      if (text != NULL)
        g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
      close (fd);
    }
  return host;
}

static void
remove_host_tree (char *host,
                  guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/file-%06u.txt", host, i);

      g_unlink (path);
    }
  g_rmdir (host);
  g_free (host);
}

/* Vault @name (SQLite, the default engine) with @n files made by @content in @folder. */
static void
make_vault (UiFixture   *f,
            const char  *name,
            const char  *folder,
            guint        n,
            char      *(*content) (guint i))
{
  g_autoptr(GError) error = NULL;
  char *host = make_host_tree (n, content);
  g_autoptr(AvfsRegistry) registry = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  AvfsTransferReport report = { 0 };

  ui_fixture_make_vault (f, name, "sqlite", NULL);
  registry = avfs_registry_new (f->home, &error);
  g_assert_no_error (error);
  vault = avfs_registry_open (registry, name, &error);
  g_assert_no_error (error);
  avfs_vault_import (vault, host, folder, AVFS_IMPORT_NONE, NULL, NULL, NULL, &report,
                     &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.files, ==, n);
  avfs_vault_close (vault, &error);
  g_assert_no_error (error);
  remove_host_tree (host, n);
}

static void
test_opens_without_stalling (UiFixture     *f,
                             gconstpointer  data)
{
  AvfsWindow *window;
  AvfsFileBrowser *browser;
  GListModel *shown;
  StallMeter meter = { 0, 0 };
  gint64 start, first_rows, all_rows;
  guint tick;
  g_autofree char *rows = NULL;

  make_vault (f, "big", "/big", N_ENTRIES, NULL);
  window = ui_fixture_open_window (f);
  avfs_window_open_vault (window, "big");
  ui_wait_for_page (window, "browser");
  browser = avfs_window_get_browser (window);
  shown = avfs_file_browser_get_shown_items (browser);

  meter.last = start = g_get_monotonic_time ();
  tick = g_timeout_add (1, stall_tick_cb, &meter);
  avfs_file_browser_set_path (browser, "/big");
  /* Blocking iterations, as in the app: the meter's timeout wakes the loop every 1 ms,
   * and drawing (a lower priority) gets its turn whenever nothing else is due. */
  while (g_list_model_get_n_items (shown) == 0)
    iterate_before (start + 10 * G_USEC_PER_SEC);
  first_rows = g_get_monotonic_time ();
  while (avfs_file_browser_is_busy (browser))
    iterate_before (start + 60 * G_USEC_PER_SEC);
  all_rows = g_get_monotonic_time ();
  /* The frames that follow the last page count too. */
  while (g_get_monotonic_time () < all_rows + 500 * G_TIME_SPAN_MILLISECOND)
    iterate_before (G_MAXINT64);
  g_source_remove (tick);

  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, N_ENTRIES);
  rows = ui_browser_rows (browser);
  g_assert_true (g_str_has_prefix (rows, "file-000000.txt file-000001.txt file-000002.txt"));
  g_assert_true (g_str_has_suffix (rows, "file-099998.txt file-099999.txt"));
  g_test_message ("%u entries: first rows after %.1f ms, all after %.1f ms; "
                  "longest main-loop stall %.1f ms",
                  N_ENTRIES, (first_rows - start) / 1000.0, (all_rows - start) / 1000.0,
                  meter.longest / 1000.0);
  ui_save_png (GTK_WIDGET (window), "ui-scale-big-folder");
}

/* About 150 words "wN", N < N_WORDS, the small ones far more frequent (as in text). */
static char *
document_text (guint i)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (i);
  GString *text = g_string_new (NULL);

  for (guint w = 0; w < 150; w++)
    g_string_append_printf (text, "w%u%c", (guint) (N_WORDS * pow (g_rand_double (rand), 3)),
                            w % 12 == 11 ? '\n' : ' ');
  return g_string_free (text, FALSE);
}

static gpointer
pane_child (AvfsWindow *window,
            const char *name)
{
  GObject *pane = gtk_widget_get_template_child (GTK_WIDGET (window), AVFS_TYPE_WINDOW,
                                                 "search_pane");

  return gtk_widget_get_template_child (GTK_WIDGET (pane), AVFS_TYPE_SEARCH_PANE, name);
}

/* Types @query a character at a time, 25 ms apart (faster than the pane's debounce);
 * returns the milliseconds from the last keystroke until its results show. */
static double
type_and_wait (AvfsWindow *window,
               const char *query)
{
  GtkEditable *entry = pane_child (window, "entry");
  GtkStack *stack = pane_child (window, "stack");
  gint64 typed;

  gtk_editable_set_text (entry, "");
  WAIT_UNTIL (g_str_equal (gtk_stack_get_visible_child_name (stack), "start"), 5000);
  for (gsize len = 1; len <= strlen (query); len++)
    {
      g_autofree char *prefix = g_strndup (query, len);
      gint64 next = g_get_monotonic_time () + 25 * G_TIME_SPAN_MILLISECOND;

      gtk_editable_set_text (entry, prefix);
      while (g_get_monotonic_time () < next && len < strlen (query))
        iterate_before (G_MAXINT64);
    }
  typed = g_get_monotonic_time ();
  while (!g_str_equal (gtk_stack_get_visible_child_name (stack), "results"))
    iterate_before (typed + 10 * G_USEC_PER_SEC);
  return (g_get_monotonic_time () - typed) / 1000.0;
}

static void
test_searches_as_typed (UiFixture     *f,
                        gconstpointer  data)
{
  static const struct { const char *shape, *query; } queries[] = {
    { "common word", "w3" },
    { "rare word", "w1990" },
    { "phrase", "\"w0 w1\"" },
    { "prefix", "w19*" },
  };
  AvfsWindow *window;
  guint tick;
  StallMeter meter = { 0, 0 };

  make_vault (f, "docs", "/docs", N_DOCUMENTS, document_text);
  window = ui_fixture_open_window (f);
  avfs_window_open_vault (window, "docs");
  ui_wait_for_page (window, "browser");
  g_action_group_activate_action (G_ACTION_GROUP (window), "search", NULL);
  /* Also keeps the loop waking up while typing pauses, as input events would. */
  meter.last = g_get_monotonic_time ();
  tick = g_timeout_add (1, stall_tick_cb, &meter);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    g_test_message ("%u documents, %s %s: results %.1f ms after the last keystroke",
                    N_DOCUMENTS, queries[i].shape, queries[i].query,
                    type_and_wait (window, queries[i].query));
  g_source_remove (tick);
  g_test_message ("longest main-loop stall while searching %.1f ms", meter.longest / 1000.0);
  ui_save_png (GTK_WIDGET (window), "ui-scale-search");
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/scale/big-folder", test_opens_without_stalling },
    { "/ui/scale/search-as-typed", test_searches_as_typed },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
