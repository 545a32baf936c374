/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window: which vault it opens, the vault sidebar, the create-vault dialog,
 * the empty and error pages, and its size kept in GSettings. */
#include "avfs-config.h"

#include "avfs-create-vault-dialog.h"
#include "test-ui-util.h"

static void
test_empty_state (UiFixture     *f,
                  gconstpointer  data)
{
  AvfsWindow *window = ui_fixture_open_window (f);

  ui_wait_for_page (window, "empty");
  g_assert_null (avfs_window_get_vault (window));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "delete-vault"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "new-folder"));
  ui_save_png (GTK_WIDGET (window), "ui-window-no-vaults");
}

static void
test_opens_current_vault (UiFixture     *f,
                          gconstpointer  data)
{
  static const char *files[] = { "/hello.txt=hi", NULL };
  g_autoptr(AvfsRegistry) registry = avfs_registry_new (f->home, NULL);
  AvfsWindow *window;

  ui_fixture_make_vault (f, "first", "sqlite", files);
  ui_fixture_make_vault (f, "second", "sqlite", files);
  g_assert_true (avfs_registry_set_current (registry, "second", NULL));

  window = ui_fixture_open_window (f);
  ui_wait_for_page (window, "browser");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "second");
}

static void
test_reopens_last_vault (UiFixture     *f,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (AVFS_APPLICATION_ID);
  AvfsWindow *window;

  ui_fixture_make_vault (f, "first", "sqlite", NULL);
  ui_fixture_make_vault (f, "second", "lmdb", NULL);
  g_settings_set_string (settings, "last-vault", "second");
  window = ui_fixture_open_window (f);
  ui_wait_for_page (window, "browser");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "second");
  /* An empty vault's root says so. */
  ui_save_png (GTK_WIDGET (window), "ui-window-empty-vault");

  /* Picking another vault remembers it. */
  avfs_window_open_vault (window, "first");
  ui_wait_for_page (window, "browser");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "first");
  {
    g_autofree char *last = g_settings_get_string (settings, "last-vault");

    g_assert_cmpstr (last, ==, "first");
  }
}

static void
test_sidebar_lists_vaults (UiFixture     *f,
                           gconstpointer  data)
{
  AvfsWindow *window;
  AvfsVaultSidebar *sidebar;
  static const struct {
    const char *name;
    const char *engine;
  } vaults[] = {
    { "alpha", "sqlite" },
    { "beta", "lmdb" },
    { "gamma", "rocksdb" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vaults); i++)
    ui_fixture_make_vault (f, vaults[i].name, vaults[i].engine, NULL);
  window = ui_fixture_open_window (f);
  sidebar = avfs_window_get_sidebar (window);
  ui_wait_for_page (window, "pick");
  g_assert_cmpuint (avfs_vault_sidebar_get_n_vaults (sidebar), ==, G_N_ELEMENTS (vaults));
  for (guint i = 0; i < G_N_ELEMENTS (vaults); i++)
    {
      const AvfsVaultEntry *entry = avfs_vault_sidebar_get_entry (sidebar, i);

      g_assert_cmpstr (entry->name, ==, vaults[i].name);
      g_assert_cmpstr (entry->engine, ==, vaults[i].engine);
      g_assert_cmpuint (entry->disk_bytes, >, 0);
    }
  ui_save_png (GTK_WIDGET (window), "ui-window-pick-vault");
}

static void
test_create_dialog (UiFixture     *f,
                    gconstpointer  data)
{
  AvfsWindow *window = ui_fixture_open_window (f);
  AvfsCreateVaultDialog *dialog;
  GtkWidget *sled;
  static const struct {
    const char *name;
    gboolean ok;
  } cases[] = {
    { "bad name!", FALSE },
    { "-dash", FALSE },
    { "a-name-that-is-far-too-long-for-a-vault-because-it-has-more-than-64", FALSE },
    { "notes_2024", TRUE },
  };

  ui_wait_for_page (window, "empty");
  g_action_group_activate_action (G_ACTION_GROUP (window), "new-vault", NULL);
  WAIT_UNTIL ((dialog = (AvfsCreateVaultDialog *) ui_find_window (AVFS_TYPE_CREATE_VAULT_DIALOG)) != NULL,
              5000);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  g_assert_false (avfs_create_vault_dialog_can_create (dialog));
  g_assert_null (avfs_create_vault_dialog_get_problem (dialog));

  /* Sled is listed, greyed out, saying why. */
  sled = avfs_create_vault_dialog_get_engine_row (dialog, "sled");
  g_assert_nonnull (sled);
  g_assert_false (gtk_widget_get_sensitive (sled));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (sled)),
                            "not compiled in this build"));
  g_assert_false (avfs_create_vault_dialog_select_engine (dialog, "sled"));
  g_assert_true (gtk_widget_get_sensitive (avfs_create_vault_dialog_get_engine_row (dialog, "memory")));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gtk_editable_set_text (avfs_create_vault_dialog_get_entry (dialog), cases[i].name);
      g_assert_cmpint (avfs_create_vault_dialog_can_create (dialog), ==, cases[i].ok);
      g_assert_cmpint (avfs_create_vault_dialog_get_problem (dialog) == NULL, ==, cases[i].ok);
      if (i == 0)
        ui_save_png (GTK_WIDGET (dialog), "ui-window-create-dialog-error");
    }
  g_assert_true (avfs_create_vault_dialog_select_engine (dialog, "lmdb"));
  ui_save_png (GTK_WIDGET (dialog), "ui-window-create-dialog");

  avfs_create_vault_dialog_create (dialog);
  ui_wait_for_page (window, "browser");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "notes_2024");
  g_assert_cmpstr (avfs_vault_get_engine_name (avfs_window_get_vault (window)), ==, "lmdb");
  WAIT_UNTIL (avfs_vault_sidebar_get_n_vaults (avfs_window_get_sidebar (window)) == 1, 5000);
}

static void
test_delete_vault (UiFixture     *f,
                   gconstpointer  data)
{
  AvfsWindow *window;
  AdwMessageDialog *dialog;

  ui_fixture_make_vault (f, "doomed", "sqlite", NULL);
  window = ui_fixture_open_window (f);
  avfs_window_open_vault (window, "doomed");
  ui_wait_for_page (window, "browser");
  g_action_group_activate_action (G_ACTION_GROUP (window), "delete-vault", NULL);
  WAIT_UNTIL ((dialog = (AdwMessageDialog *) ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 5000);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "doomed"));
  ui_save_png (GTK_WIDGET (dialog), "ui-window-delete-vault");
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (avfs_vault_sidebar_get_n_vaults (avfs_window_get_sidebar (window)) == 0 &&
              g_strcmp0 (avfs_window_get_page (window), "empty") == 0, 5000);
}

static void
test_open_error (UiFixture     *f,
                 gconstpointer  data)
{
  AvfsWindow *window = ui_fixture_open_window (f);

  ui_wait_for_page (window, "empty");
  avfs_window_open_vault (window, "missing");
  ui_wait_for_page (window, "error");
  g_assert_null (avfs_window_get_vault (window));
  ui_save_png (GTK_WIDGET (window), "ui-window-open-error");

  /* Retry once it exists. */
  ui_fixture_make_vault (f, "missing", "sqlite", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (window), "retry-open", NULL);
  ui_wait_for_page (window, "browser");
}

static void
test_search_toggles (UiFixture     *f,
                     gconstpointer  data)
{
  GActionGroup *window;
  g_autoptr(GVariant) state = NULL;

  ui_fixture_make_vault (f, "searched", "sqlite", NULL);
  window = G_ACTION_GROUP (ui_fixture_open_window (f));
  avfs_window_open_vault (AVFS_WINDOW (window), "searched");
  ui_wait_for_page (AVFS_WINDOW (window), "browser");

  g_action_group_activate_action (window, "search", NULL);
  state = g_action_group_get_action_state (window, "search");
  g_assert_true (g_variant_get_boolean (state));
  ui_save_png (GTK_WIDGET (window), "ui-window-search");
  g_action_group_activate_action (window, "search", NULL);
  g_clear_pointer (&state, g_variant_unref);
  state = g_action_group_get_action_state (window, "search");
  g_assert_false (g_variant_get_boolean (state));

  /* F9 hides and shows the details, remembered in GSettings. */
  g_action_group_activate_action (window, "toggle-details", NULL);
  g_clear_pointer (&state, g_variant_unref);
  state = g_action_group_get_action_state (window, "toggle-details");
  g_assert_false (g_variant_get_boolean (state));
  g_action_group_activate_action (window, "toggle-details", NULL);
  g_clear_pointer (&state, g_variant_unref);
  state = g_action_group_get_action_state (window, "toggle-details");
  g_assert_true (g_variant_get_boolean (state));
}

static void
test_about_and_shortcuts (UiFixture     *f,
                          gconstpointer  data)
{
  AvfsWindow *window = ui_fixture_open_window (f);
  GtkWindow *about;
  GtkWindow *shortcuts;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  WAIT_UNTIL ((about = ui_find_window (ADW_TYPE_ABOUT_WINDOW)) != NULL, 5000);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "avfs");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, AVFS_VERSION);
  gtk_window_destroy (about);

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "shortcuts", NULL);
  WAIT_UNTIL ((shortcuts = ui_find_window (GTK_TYPE_SHORTCUTS_WINDOW)) != NULL, 5000);
  g_assert_true (gtk_window_get_transient_for (shortcuts) == GTK_WINDOW (window));
  ui_save_png (GTK_WIDGET (shortcuts), "ui-window-shortcuts");
  gtk_window_destroy (shortcuts);
}

static void
test_keeps_size (UiFixture     *f,
                 gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (AVFS_APPLICATION_ID);
  AvfsWindow *window = ui_fixture_open_window (f);
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 600);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 650);
  window = ui_fixture_open_window (f);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1000);
  g_assert_cmpint (height, ==, 650);
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/window/empty-state", test_empty_state },
    { "/ui/window/opens-current-vault", test_opens_current_vault },
    { "/ui/window/reopens-last-vault", test_reopens_last_vault },
    { "/ui/window/sidebar-lists-vaults", test_sidebar_lists_vaults },
    { "/ui/window/create-dialog", test_create_dialog },
    { "/ui/window/delete-vault", test_delete_vault },
    { "/ui/window/open-error", test_open_error },
    { "/ui/window/search-toggles", test_search_toggles },
    { "/ui/window/about-and-shortcuts", test_about_and_shortcuts },
    { "/ui/window/keeps-size", test_keeps_size },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
