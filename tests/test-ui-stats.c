/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The statistics window: the figures it shows are the core's, on every engine that
 * keeps a vault on disk; compact, prune (with its dry-run preview) and garbage-collect
 * run from its buttons and the figures follow. */
#include "avfs-config.h"

#include "avfs-collection-chart.h"
#include "avfs-prune-dialog.h"
#include "avfs-stats-window.h"
#include "test-ui-util.h"

/* Two files, one written three times: five versions in all. */
static const char *vault_files[] = {
  "/docs/",
  "/docs/notes.txt=first draft of the notes",
  "/docs/notes.txt=second draft of the notes, longer",
  "/docs/notes.txt=third and final draft of the notes",
  "/photo.bin=0123456789abcdef0123456789abcdef",
  "/photo.bin=fedcba9876543210fedcba9876543210",
  NULL
};

/* The text of the first label with style class @css_class inside @widget. */
static const char *
find_label (GtkWidget  *widget,
            const char *css_class)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, css_class))
    return gtk_label_get_label (GTK_LABEL (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text = find_label (child, css_class);

      if (text != NULL)
        return text;
    }
  return NULL;
}

/* The value shown in the row titled @title, or NULL when there is no such row. */
static const char *
row_value (GtkWidget  *widget,
           const char *title)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return find_label (widget, "numeric");
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *value = row_value (child, title);

      if (value != NULL)
        return value;
    }
  return NULL;
}

static gpointer
find_child (GtkWidget *widget,
            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gpointer found = find_child (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The figures page, all of it, not only what its scrolled window shows. */
static GtkWidget *
shown_content (AvfsStatsWindow *stats_window)
{
  GtkStack *stack = find_child (GTK_WIDGET (stats_window), GTK_TYPE_STACK);

  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "stats");
  return find_child (gtk_stack_get_visible_child (stack), ADW_TYPE_CLAMP);
}

static void
assert_row (AvfsStatsWindow *stats_window,
            const char      *title,
            const char      *expected)
{
  g_assert_cmpstr (row_value (GTK_WIDGET (stats_window), title), ==, expected);
}

static void
assert_count_row (AvfsStatsWindow *stats_window,
                  const char      *title,
                  guint64          expected)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, expected);

  assert_row (stats_window, title, text);
}

static void
assert_size_row (AvfsStatsWindow *stats_window,
                 const char      *title,
                 guint64          expected)
{
  g_autofree char *text = g_format_size (expected);

  assert_row (stats_window, title, text);
}

/* Opens a vault named after @engine in @window (a new one if %NULL) and its
 * statistics, loaded. */
static AvfsStatsWindow *
open_stats (UiFixture  *f,
            AvfsWindow *window,
            const char *engine)
{
  AvfsStatsWindow *stats_window;

  ui_fixture_make_vault (f, engine, engine, vault_files);
  if (window == NULL)
    window = ui_fixture_open_window (f);
  avfs_window_open_vault (window, engine);
  ui_wait_for_page (window, "browser");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "show-stats"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-stats", NULL);
  WAIT_UNTIL ((stats_window = (AvfsStatsWindow *) ui_find_window (AVFS_TYPE_STATS_WINDOW)) != NULL,
              5000);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (stats_window));
  WAIT_UNTIL (!avfs_stats_window_is_busy (stats_window), 10000);
  g_assert_nonnull (avfs_stats_window_get_stats (stats_window));
  return stats_window;
}

static void
wait_idle (AvfsStatsWindow *stats_window)
{
  WAIT_UNTIL (!avfs_stats_window_is_busy (stats_window), 20000);
}

/* Every figure shown is the synchronous core's, and so are the chart and engine rows. */
static void
check_figures (UiFixture  *f,
               AvfsWindow *window,
               const char *engine)
{
  static const struct {
    const char *engine;
    const char *key;
    const char *title;
  } engine_rows[] = {
    { "sqlite", "page_size", "Page size" },
    { "sqlite", "wal_bytes", "Write-ahead log" },
    { "lmdb", "map_size", "Map size" },
    { "lmdb", "used_bytes", "Used" },
    { "rocksdb", "write_buffer_size", "Write buffer size" },
    { "rocksdb", "total_sst_files_size", "SST files" },
  };
  AvfsStatsWindow *stats_window = open_stats (f, window, engine);
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVaultStats) core = avfs_vault_stats (avfs_window_get_vault (window), &error);
  AvfsCollectionChart *chart = find_child (GTK_WIDGET (stats_window), AVFS_TYPE_COLLECTION_CHART);
  g_autofree char *dedup = g_strdup_printf ("×%.2f", core->dedup_ratio);
  g_autofree char *compression = g_strdup_printf ("×%.2f", core->compression_ratio);
  g_autofree char *png = g_strdup_printf ("ui-stats-%s", engine);

  g_assert_no_error (error);
  g_assert_cmpuint (core->files, ==, 2);
  g_assert_cmpuint (core->versions, ==, 5);
  assert_count_row (stats_window, "Files", core->files);
  assert_count_row (stats_window, "Folders", core->directories);
  assert_count_row (stats_window, "Versions", core->versions);
  assert_count_row (stats_window, "Snapshots", core->snapshots);
  assert_count_row (stats_window, "Stored chunks", core->blobs);
  assert_size_row (stats_window, "Current content", core->logical_bytes);
  assert_size_row (stats_window, "All versions", core->versions_bytes);
  assert_size_row (stats_window, "Stored", core->stored_bytes);
  assert_row (stats_window, "Deduplication", dedup);
  assert_row (stats_window, "Compression", compression);
  assert_size_row (stats_window, "On disk", core->on_disk_bytes);

  g_assert_cmpuint (avfs_collection_chart_get_n_bars (chart), ==, core->storage->collections->len);
  g_assert_cmpuint (avfs_collection_chart_get_n_bars (chart), >, 0);
  /* Engine figures have rows with readable labels; sizes show as sizes. */
  g_assert_cmpuint (g_variant_n_children (core->storage->engine_info), >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (engine_rows); i++)
    if (g_str_equal (engine, engine_rows[i].engine))
      {
        guint64 bytes;

        g_assert_true (g_variant_lookup (core->storage->engine_info, engine_rows[i].key, "t",
                                         &bytes));
        assert_size_row (stats_window, engine_rows[i].title, bytes);
      }
  if (g_str_equal (engine, "sqlite"))
    {
      assert_row (stats_window, "Journal mode", "wal");
      /* mmap_size 0, the default: no map. */
      assert_row (stats_window, "Memory-mapped size", "Off");
    }
  if (g_str_equal (engine, "lmdb"))
    assert_row (stats_window, "Sync turned off", "No");
  /* The whole scrolled content, chart and engine figures included. */
  ui_save_png (shown_content (stats_window), png);
  gtk_window_destroy (GTK_WINDOW (stats_window));
}

static void
test_figures (UiFixture     *f,
              gconstpointer  data)
{
  static const char *engines[] = { "sqlite", "lmdb", "rocksdb" };
  AvfsWindow *window = ui_fixture_open_window (f);

  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    check_figures (f, window, engines[i]);
}

static void
test_dark (UiFixture     *f,
           gconstpointer  data)
{
  AvfsStatsWindow *stats_window = open_stats (f, NULL, "sqlite");
  AdwStyleManager *style = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  ui_save_png (GTK_WIDGET (stats_window), "ui-stats-dark");
  /* The chart, scrolled into view: drawn alone, a page has no background. */
  {
    GtkWidget *chart = find_child (GTK_WIDGET (stats_window), AVFS_TYPE_COLLECTION_CHART);
    GtkWidget *content = shown_content (stats_window);
    GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (content,
                                                                                GTK_TYPE_SCROLLED_WINDOW));
    graphene_point_t top;

    g_assert_true (gtk_widget_compute_point (chart, content,
                                             &GRAPHENE_POINT_INIT (0, 0), &top));
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scroller), top.y - 80);
    ui_save_png (GTK_WIDGET (stats_window), "ui-stats-dark-chart");
  }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_compact (UiFixture     *f,
              gconstpointer  data)
{
  AvfsStatsWindow *stats_window = open_stats (f, NULL, "sqlite");
  const AvfsVaultStats *before = avfs_stats_window_get_stats (stats_window);
  g_autofree char *on_disk = g_format_size (before->on_disk_bytes);
  g_autofree char *prefix = g_strdup_printf ("On disk: %s → ", on_disk);
  const char *figures;

  gtk_widget_activate_action (GTK_WIDGET (stats_window), "stats.compact", NULL);
  g_assert_true (avfs_stats_window_is_busy (stats_window));
  wait_idle (stats_window);
  /* The figures were loaded again and the outcome names the size before and after. */
  g_assert_true (avfs_stats_window_get_stats (stats_window) != before);
  g_assert_true (g_str_has_prefix (avfs_stats_window_get_outcome (stats_window, &figures),
                                   "Compacted in "));
  g_assert_true (g_str_has_prefix (figures, prefix));
  assert_size_row (stats_window, "On disk", avfs_stats_window_get_stats (stats_window)->on_disk_bytes);
}

/* The prune dialog of @stats_window, its first preview made. */
static AvfsPruneDialog *
open_prune_dialog (AvfsStatsWindow *stats_window)
{
  AvfsPruneDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (stats_window), "stats.prune", NULL);
  WAIT_UNTIL ((dialog = (AvfsPruneDialog *) ui_find_window (AVFS_TYPE_PRUNE_DIALOG)) != NULL, 5000);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  WAIT_UNTIL (!avfs_prune_dialog_is_previewing (dialog), 10000);
  return dialog;
}

static void
preview (AvfsPruneDialog *dialog,
         guint            keep,
         guint            older_than)
{
  avfs_prune_dialog_set_limits (dialog, keep, older_than);
  g_assert_true (avfs_prune_dialog_is_previewing (dialog));
  WAIT_UNTIL (!avfs_prune_dialog_is_previewing (dialog), 10000);
}

/* The preview lists what the limits would remove, and only then may Prune be pressed. */
static void
test_prune_preview (UiFixture     *f,
                    gconstpointer  data)
{
  static const struct {
    const char *path;
    guint32 version;
  } expected[] = {
    { "/docs/notes.txt", 1 },
    { "/docs/notes.txt", 2 },
    { "/photo.bin", 1 },
  };
  AvfsStatsWindow *stats_window = open_stats (f, NULL, "lmdb");
  AvfsPruneDialog *dialog = open_prune_dialog (stats_window);
  AdwMessageDialog *message = ADW_MESSAGE_DIALOG (dialog);
  GtkListView *list = find_child (GTK_WIDGET (dialog), GTK_TYPE_LIST_VIEW);
  const AvfsPruneReport *report;

  /* The default keeps ten versions: nothing to prune here. */
  g_assert_cmpuint (avfs_prune_dialog_get_preview (dialog)->versions_removed, ==, 0);
  g_assert_false (adw_message_dialog_get_response_enabled (message, AVFS_PRUNE_DIALOG_PRUNE));

  preview (dialog, 0, 0);
  g_assert_null (avfs_prune_dialog_get_preview (dialog));
  g_assert_false (adw_message_dialog_get_response_enabled (message, AVFS_PRUNE_DIALOG_PRUNE));

  /* Every version was written today. */
  preview (dialog, 0, 1);
  g_assert_cmpuint (avfs_prune_dialog_get_preview (dialog)->versions_removed, ==, 0);
  g_assert_false (adw_message_dialog_get_response_enabled (message, AVFS_PRUNE_DIALOG_PRUNE));

  preview (dialog, 1, 0);
  report = avfs_prune_dialog_get_preview (dialog);
  g_assert_cmpuint (report->versions_removed, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (report->files_touched, ==, 2);
  g_assert_cmpuint (report->versions->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list))), ==,
                    G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      AvfsPrunedVersion *version = g_ptr_array_index (report->versions, i);

      g_assert_cmpstr (version->path, ==, expected[i].path);
      g_assert_cmpuint (version->version, ==, expected[i].version);
    }
  g_assert_true (adw_message_dialog_get_response_enabled (message, AVFS_PRUNE_DIALOG_PRUNE));
  g_assert_cmpstr (find_label (GTK_WIDGET (dialog), "heading"), ==, "3 versions of 2 files would go");
  ui_save_png (GTK_WIDGET (dialog), "ui-stats-prune-dialog");

  /* A dry run removed nothing. */
  g_assert_cmpuint (avfs_stats_window_get_stats (stats_window)->versions, ==, 5);
  adw_message_dialog_response (message, "cancel");
}

/* Prune then garbage-collect from the window: versions, then stored chunks, go down. */
static void
test_prune_and_gc (UiFixture     *f,
                   gconstpointer  data)
{
  AvfsStatsWindow *stats_window = open_stats (f, NULL, "rocksdb");
  AvfsPruneDialog *dialog = open_prune_dialog (stats_window);
  guint64 blobs_before = avfs_stats_window_get_stats (stats_window)->blobs;
  const AvfsVaultStats *after;
  const char *figures;

  preview (dialog, 1, 0);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), AVFS_PRUNE_DIALOG_PRUNE);
  g_assert_true (avfs_stats_window_is_busy (stats_window));
  wait_idle (stats_window);
  after = avfs_stats_window_get_stats (stats_window);
  g_assert_cmpuint (after->versions, ==, 2);
  assert_count_row (stats_window, "Versions", 2);
  g_assert_cmpstr (avfs_stats_window_get_outcome (stats_window, &figures), ==,
                   "3 versions removed from 2 files");
  g_assert_cmpstr (figures, ==, "Versions: 5 → 2 · run Garbage-collect to free their content");
  /* Pruning frees no content by itself. */
  g_assert_cmpuint (after->blobs, ==, blobs_before);

  gtk_widget_activate_action (GTK_WIDGET (stats_window), "stats.gc", NULL);
  g_assert_true (avfs_stats_window_is_busy (stats_window));
  wait_idle (stats_window);
  after = avfs_stats_window_get_stats (stats_window);
  g_assert_cmpuint (after->blobs, <, blobs_before);
  assert_count_row (stats_window, "Stored chunks", after->blobs);
  g_assert_true (g_str_has_suffix (avfs_stats_window_get_outcome (stats_window, &figures),
                                   " freed"));
  g_assert_true (g_str_has_prefix (figures, "Stored: "));
  ui_save_png (GTK_WIDGET (stats_window), "ui-stats-after-gc");
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/stats/figures", test_figures },
    { "/ui/stats/dark", test_dark },
    { "/ui/stats/compact", test_compact },
    { "/ui/stats/prune-preview", test_prune_preview },
    { "/ui/stats/prune-and-gc", test_prune_and_gc },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
