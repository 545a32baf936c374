/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The preferences window: it shows config.toml, writes what is changed (keeping the rest
 * of the file), refuses values the engines would refuse, and says when the file is bad. */
#include "avfs-config.h"

#include "avfs-preferences-window.h"
#include "avfs-storage-registry.h"
#include "test-ui-util.h"

static const char initial[] =
  "# my avfs settings\n"
  "[defaults]\n"
  "backend = \"sqlite\"\n"
  "\n"
  "[backend.sqlite]\n"
  "cache_size = 3000 # pages\n";

typedef struct
{
  char *path;
  AvfsPreferencesWindow *window;
} Prefs;

/* Writes @text as the home's config.toml and opens the preferences on it. */
static void
prefs_open (Prefs      *prefs,
            UiFixture  *f,
            const char *text)
{
  /* The app's registry is made first, from the home as it was (no config.toml). */
  AvfsWindow *parent = ui_fixture_open_window (f);

  prefs->path = g_build_filename (f->home, "config.toml", NULL);
  g_assert_true (g_file_set_contents (prefs->path, text, -1, NULL));
  prefs->window = avfs_preferences_window_new (GTK_WINDOW (parent), prefs->path);
  gtk_window_present (GTK_WINDOW (prefs->window));
  WAIT_UNTIL (!avfs_preferences_window_is_busy (prefs->window), 5000);
}

static void
prefs_close (Prefs *prefs)
{
  gtk_window_destroy (GTK_WINDOW (prefs->window));
  g_unlink (prefs->path);
  g_free (prefs->path);
}

static char *
read_config (Prefs *prefs)
{
  char *text = NULL;

  WAIT_UNTIL (!avfs_preferences_window_is_busy (prefs->window), 5000);
  g_assert_true (g_file_get_contents (prefs->path, &text, NULL, NULL));
  return text;
}

/* The control of type @type inside @widget (a row), depth first. */
static GtkWidget *
find_control (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_control (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
option_control (Prefs      *prefs,
                const char *engine,
                const char *key,
                GType       type)
{
  GtkWidget *row = avfs_preferences_window_get_option_row (prefs->window, engine, key);

  g_assert_nonnull (row);
  return find_control (row, type);
}

/* Selects @engine in the default engine's row, as a click would. */
static void
select_engine (Prefs      *prefs,
               const char *engine)
{
  AdwComboRow *row = avfs_preferences_window_get_engine_row (prefs->window);
  GListModel *engines = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (engines), i), engine))
      adw_combo_row_set_selected (row, i);
}

static void
test_shows_and_writes (UiFixture     *f,
                       gconstpointer  data)
{
  Prefs prefs;
  GtkSpinButton *cache;
  g_autofree char *text = NULL;
  g_autoptr(AvfsRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autofree char *engine = NULL;
  GHashTable *sqlite;

  prefs_open (&prefs, f, initial);
  g_assert_null (avfs_preferences_window_get_problem (prefs.window));
  cache = GTK_SPIN_BUTTON (option_control (&prefs, "sqlite", "cache_size", GTK_TYPE_SPIN_BUTTON));
  g_assert_cmpfloat (gtk_spin_button_get_value (cache), ==, 3000);
  /* Unset options show the engine's default: LMDB's map starts at 64 MiB. */
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (
                       option_control (&prefs, "lmdb", "map_size", GTK_TYPE_SPIN_BUTTON))), ==, 64);
  ui_save_png (GTK_WIDGET (prefs.window), "ui-preferences");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  ui_save_png (GTK_WIDGET (prefs.window), "ui-preferences-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Through the widgets: the default engine, a number, a switch; then by value. */
  select_engine (&prefs, "lmdb");
  gtk_spin_button_set_value (cache, 5000);
  gtk_switch_set_active (GTK_SWITCH (option_control (&prefs, "lmdb", "no_sync", GTK_TYPE_SWITCH)),
                         TRUE);
  g_assert_true (avfs_preferences_window_set_option (prefs.window, "lmdb", "map_size",
                                                     "1073741824", &error));
  g_assert_no_error (error);
  text = read_config (&prefs);
  g_assert_cmpstr (text, ==,
                   "# my avfs settings\n"
                   "[defaults]\n"
                   "backend = \"lmdb\"\n"
                   "\n"
                   "[backend.sqlite]\n"
                   "cache_size = 5000 # pages\n"
                   "\n"
                   "[backend.lmdb]\n"
                   "no_sync = true\n"
                   "map_size = 1073741824\n");
  /* Shown in MiB. */
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (
                       option_control (&prefs, "lmdb", "map_size", GTK_TYPE_SPIN_BUTTON))), ==, 1024);

  /* What the core makes of it. */
  registry = avfs_registry_new (f->home, &error);
  g_assert_no_error (error);
  engine = avfs_registry_dup_default_engine (registry);
  g_assert_cmpstr (engine, ==, "lmdb");
  options = avfs_registry_dup_backend_options (registry);
  sqlite = g_hash_table_lookup (options, "sqlite");
  g_assert_cmpstr (g_hash_table_lookup (sqlite, "cache_size"), ==, "5000");
  prefs_close (&prefs);
}

static void
test_refuses_bad_values (UiFixture     *f,
                         gconstpointer  data)
{
  static const struct
  {
    const char *engine;
    const char *key;
    const char *value;
  } cases[] = {
    { "sqlite", "cache_size", "-1" },
    { "sqlite", "cache_size", "lots" },
    { "sqlite", "cache_size", "4294967296" },
    { "lmdb", "max_readers", "3" },
    { "rocksdb", "max_open_files", "" },
    { "sqlite", "journal_mode", "fast" },
    { "rocksdb", "compression", "LZ5" },
    { "lmdb", "no_sync", "yes" },
    { "sqlite", "page_size", "4096" },
    { "sled", "cache_size", "1" },
  };
  Prefs prefs;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  prefs_open (&prefs, f, initial);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_false (avfs_preferences_window_set_option (prefs.window, cases[i].engine,
                                                          cases[i].key, cases[i].value, &error));
      g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, cases[i].engine));
      g_clear_error (&error);
    }
  g_assert_false (avfs_preferences_window_set_default_engine (prefs.window, "sled", &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE);
  text = read_config (&prefs);
  g_assert_cmpstr (text, ==, initial);
  prefs_close (&prefs);
}

/* Unavailable engines are not offered as the default; an empty file shows sqlite. */
static void
test_offers_available_engines (UiFixture     *f,
                               gconstpointer  data)
{
  Prefs prefs;
  AdwComboRow *row;
  GListModel *engines;
  guint n;
  const AvfsEngineInfo *all = avfs_storage_list_engines (&n);
  guint n_available = 0;

  prefs_open (&prefs, f, "");
  row = avfs_preferences_window_get_engine_row (prefs.window);
  engines = adw_combo_row_get_model (row);
  for (guint i = 0; i < n; i++)
    {
      gboolean offered = FALSE;

      for (guint j = 0; j < g_list_model_get_n_items (engines); j++)
        offered |= g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (engines), j),
                                all[i].name);
      g_assert_true (offered == all[i].available);
      n_available += all[i].available;
    }
  g_assert_cmpuint (g_list_model_get_n_items (engines), ==, n_available);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (engines),
                                               adw_combo_row_get_selected (row)), ==, "sqlite");
  prefs_close (&prefs);
}

static void
test_bad_file (UiFixture     *f,
               gconstpointer  data)
{
  static const char bad[] = "[defaults]\nbackend = sqlite\n";
  Prefs prefs;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *problem;

  prefs_open (&prefs, f, bad);
  problem = avfs_preferences_window_get_problem (prefs.window);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "config.toml:2:"));
  g_assert_false (gtk_widget_is_sensitive (avfs_preferences_window_get_option_row (prefs.window,
                                                                                   "sqlite",
                                                                                   "cache_size")));
  g_assert_false (avfs_preferences_window_set_option (prefs.window, "sqlite", "cache_size", "10",
                                                      &error));
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  ui_save_png (GTK_WIDGET (prefs.window), "ui-preferences-bad-file");
  text = read_config (&prefs);
  g_assert_cmpstr (text, ==, bad);
  prefs_close (&prefs);
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/preferences/shows-and-writes", test_shows_and_writes },
    { "/ui/preferences/refuses-bad-values", test_refuses_bad_values },
    { "/ui/preferences/offers-available-engines", test_offers_available_engines },
    { "/ui/preferences/bad-file", test_bad_file },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
