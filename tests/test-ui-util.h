/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers of the UI tests (TESTING.md §2): a fresh AVFS_HOME and app per test, waiting
 * on the main loop, vaults prepared with the synchronous core, PNGs of widgets. */
#pragma once

#include <glib/gstdio.h>
#include <string.h>

#include "avfs-application.h"
#include "avfs-registry.h"
#include "avfs-window.h"

/* Spins the main loop until @cond holds; fails the test after @ms milliseconds. */
#define WAIT_UNTIL(cond, ms) G_STMT_START {                                     \
    gint64 wait_end_ = g_get_monotonic_time () + (ms) * G_TIME_SPAN_MILLISECOND; \
    while (!(cond))                                                             \
      {                                                                         \
        g_assert_cmpint (g_get_monotonic_time (), <, wait_end_);                \
        g_main_context_iteration (NULL, FALSE);                                 \
        g_usleep (1000);                                                        \
      }                                                                         \
  } G_STMT_END

typedef struct
{
  const char *home;
  AvfsApplication *app;
} UiFixture;

/* One app and one AVFS_HOME per test program: a registered GtkApplication is exported
 * on the session bus and never finalized, so the tests share it and each test starts
 * with no vault and reset settings instead. */
static AvfsApplication *ui_test_app;
static char *ui_test_home;

/* Sets GTK and the app up, or says the whole program is skipped without a display. */
static inline gboolean
ui_test_init (int    *argc,
              char ***argv)
{
  g_autoptr(GError) error = NULL;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return FALSE;
    }
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  /* Screenshots show where a transition ends, not a frame of it. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_unsetenv ("VFS_BACKEND");
  ui_test_home = g_dir_make_tmp ("avfs-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("AVFS_HOME", ui_test_home, TRUE);
  ui_test_app = avfs_application_new ();
  g_application_set_flags (G_APPLICATION (ui_test_app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (ui_test_app), NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}


static inline void
ui_fixture_set_up (UiFixture     *f,
                   gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (AVFS_APPLICATION_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  f->home = ui_test_home;
  f->app = ui_test_app;
}

/* Spins the main loop a little, for work in flight to finish. */
static inline void
ui_settle (void)
{
  for (int i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

static inline void
ui_fixture_tear_down (UiFixture     *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *current = g_build_filename (f->home, "current", NULL);
  AvfsRegistry *registry;
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (f->app))) != NULL)
    gtk_window_destroy (windows->data);
  ui_settle ();

  registry = avfs_application_get_registry (f->app, &error);
  g_assert_no_error (error);
  entries = avfs_registry_list (registry, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsVaultEntry *entry = g_ptr_array_index (entries, i);

      avfs_registry_delete (registry, entry->name, &error);
      g_assert_no_error (error);
    }
  g_unlink (current);
}

typedef struct
{
  const char *path;
  void (*func) (UiFixture *f, gconstpointer data);
} UiTest;

/* The main() of a UI test program: runs @tests, then removes the home they shared. */
static inline int
ui_test_main (int            argc,
              char          *argv[],
              const UiTest  *tests,
              guint          n_tests)
{
  g_autofree char *vaults = NULL;
  int status;

  if (!ui_test_init (&argc, &argv))
    return 0;
  for (guint i = 0; i < n_tests; i++)
    g_test_add (tests[i].path, UiFixture, NULL, ui_fixture_set_up, tests[i].func,
                ui_fixture_tear_down);
  status = g_test_run ();
  vaults = g_build_filename (ui_test_home, "vaults", NULL);
  g_rmdir (vaults);
  g_rmdir (ui_test_home);
  g_free (ui_test_home);
  return status;
}

/* Creates vault @name on @engine in the fixture's home and writes @files into it: each
 * "PATH" or "PATH=CONTENT"; a PATH ending in "/" is a directory. */
static inline void
ui_fixture_make_vault (UiFixture         *f,
                       const char        *name,
                       const char        *engine,
                       const char *const *files)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsRegistry) registry = avfs_registry_new (f->home, &error);
  g_autoptr(AvfsVault) vault = NULL;

  g_assert_no_error (error);
  vault = avfs_registry_create (registry, name, engine, &error);
  g_assert_no_error (error);
  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    {
      const char *eq = strchr (files[i], '=');
      g_autofree char *path = eq != NULL ? g_strndup (files[i], eq - files[i]) : g_strdup (files[i]);
      const char *content = eq != NULL ? eq + 1 : "";

      if (g_str_has_suffix (path, "/"))
        {
          path[strlen (path) - 1] = '\0';
          avfs_vault_mkdir (vault, path, TRUE, &error);
        }
      else
        avfs_vault_write (vault, path, (const guint8 *) content, strlen (content),
                          AVFS_WRITE_PARENTS, &error);
      g_assert_no_error (error);
    }
  avfs_vault_close (vault, &error);
  g_assert_no_error (error);
}

static inline AvfsWindow *
ui_fixture_open_window (UiFixture *f)
{
  AvfsWindow *window = avfs_window_new (f->app);

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

/* Waits until @window shows @page and nothing is loading in it. */
static inline void
ui_wait_for_page (AvfsWindow *window,
                  const char *page)
{
  AvfsFileBrowser *browser = avfs_window_get_browser (window);

  WAIT_UNTIL (g_strcmp0 (avfs_window_get_page (window), page) == 0 &&
              !avfs_file_browser_is_busy (browser) &&
              !avfs_vault_sidebar_is_loading (avfs_window_get_sidebar (window)), 10000);
}

/* Makes vault @name of @engine holding @files (as ui_fixture_make_vault()) and opens it
 * in a new window, waiting until its root is listed. */
static inline AvfsWindow *
ui_fixture_open_vault (UiFixture         *f,
                       const char        *name,
                       const char        *engine,
                       const char *const *files)
{
  AvfsWindow *window;

  ui_fixture_make_vault (f, name, engine, files);
  window = ui_fixture_open_window (f);
  avfs_window_open_vault (window, name);
  ui_wait_for_page (window, "browser");
  return window;
}

/* The names of the rows @browser shows, in order, joined by spaces. */
static inline char *
ui_browser_rows (AvfsFileBrowser *browser)
{
  GListModel *items = avfs_file_browser_get_shown_items (browser);
  g_autoptr(GString) names = g_string_new ("");

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(AvfsFileItem) item = g_list_model_get_item (items, i);

      g_string_append_printf (names, "%s%s", i > 0 ? " " : "", avfs_file_item_get_name (item));
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The one open dialog of type @type, or NULL. */
static inline GtkWindow *
ui_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

/* Draws @widget (in a presented window) into BUILDDIR/NAME.png for a person to look at. */
static inline void
ui_save_png (GtkWidget  *widget,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *base = g_strconcat (name, ".png", NULL);
  g_autofree char *filename = g_test_build_filename (G_TEST_BUILT, base, NULL);
  int width, height;

  /* Let pending layout and drawing happen first. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (gtk_widget_get_root (widget)));
  WAIT_UNTIL (gtk_widget_get_width (widget) > 0, 5000);
  for (int i = 0; i < 20; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  gsk_renderer_realize (renderer, NULL, &error);
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  g_assert_true (gdk_texture_save_to_png (texture, filename));
  g_test_message ("wrote %s", filename);
}
