/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsApplication: one instance per session; `avfs VAULT` opens VAULT in it. Holds the
 * app-wide actions and the vault registry (memory vaults live as long as it). */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-application.h"
#include "avfs-preferences-window.h"
#include "avfs-storage-registry.h"
#include "avfs-window.h"

struct _AvfsApplication
{
  AdwApplication parent_instance;

  AvfsRegistry *registry;
  GError *registry_error;
};

G_DEFINE_FINAL_TYPE (AvfsApplication, avfs_application, ADW_TYPE_APPLICATION)

/* Accelerators of the app's and the window's actions, also listed in
 * gtk/help-overlay.ui. Backspace, Delete, Ctrl+C and Ctrl+V are not here: application
 * accelerators act before the focused widget, so they would steal those keys from text
 * entries; the file list binds them itself (avfs-file-browser.ui). */
static const struct
{
  const char *action;
  const char *accels[3];
} accelerators[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.new-folder", { "<Control><Shift>n", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.rename", { "F2", NULL } },
  { "win.go-up", { "<Alt>Up", NULL } },
  { "win.refresh", { "F5", "<Control>r", NULL } },
  { "win.toggle-details", { "F9", NULL } },
  { "win.show-stats", { "<Control>i", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static AvfsWindow *
get_window (AvfsApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (AVFS_IS_WINDOW (window))
    return AVFS_WINDOW (window);
  return avfs_window_new (self);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AvfsApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing the windows (rather than g_application_quit) lets each save its state and
   * finish the deletions its Undo toasts still hold. */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

/* The engines of this build: the available ones are acknowledged, and every engine with
 * its state goes into the debugging information (for bug reports). */
static void
add_engines (AdwAboutWindow *about)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);
  g_autoptr(GStrvBuilder) available = g_strv_builder_new ();
  g_autoptr(GString) debug = g_string_new (NULL);
  g_auto(GStrv) names = NULL;

  g_string_append_printf (debug, "avfs %s\nGTK %u.%u.%u\nlibadwaita %u.%u.%u\nGLib %u.%u.%u\n\n"
                          "Storage engines:\n", AVFS_VERSION,
                          gtk_get_major_version (), gtk_get_minor_version (),
                          gtk_get_micro_version (), adw_get_major_version (),
                          adw_get_minor_version (), adw_get_micro_version (),
                          glib_major_version, glib_minor_version, glib_micro_version);
  for (guint i = 0; i < n; i++)
    {
      if (engines[i].available)
        {
          g_autofree char *name = g_strdup_printf (_("%s (search: %s)"), engines[i].name,
                                                   engines[i].search);

          g_strv_builder_add (available, name);
          g_string_append_printf (debug, "  %s: available, search %s\n", engines[i].name,
                                  engines[i].search);
        }
      else
        g_string_append_printf (debug, "  %s: not available: %s\n", engines[i].name,
                                engines[i].unavailable_reason);
    }
  names = g_strv_builder_end (available);
  adw_about_window_add_acknowledgement_section (about, _("Storage Engines in This Build"),
                                                (const char **) names);
  adw_about_window_set_debug_info (about, debug->str);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  AvfsApplication *self = user_data;
  static const char *developers[] = { "The avfs developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", "avfs",
                        "application-icon", AVFS_APPLICATION_ID,
                        "version", AVFS_VERSION,
                        "developer-name", _("The avfs developers"),
                        "developers", developers,
                        "comments", _("Keep a whole file tree, with every version of every file, "
                                      "in one vault on the storage engine of your choice."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  add_engines (ADW_ABOUT_WINDOW (about));
  gtk_window_present (GTK_WINDOW (about));
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AvfsWindow *window = get_window (user_data);

  /* GtkApplication loads gtk/help-overlay.ui from our resources into every window. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AvfsApplication *self = user_data;
  AvfsRegistry *registry = avfs_application_get_registry (self, NULL);
  g_autofree char *path = NULL;

  /* Without a registry the window already shows why config.toml cannot be read. */
  if (registry == NULL)
    return;
  path = g_build_filename (avfs_registry_get_home (registry), "config.toml", NULL);
  gtk_window_present (GTK_WINDOW (avfs_preferences_window_new (
    gtk_application_get_active_window (GTK_APPLICATION (self)), path)));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "shortcuts", shortcuts_activated },
};

static void
avfs_application_startup (GApplication *app)
{
  AvfsApplication *self = AVFS_APPLICATION (app);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (avfs_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accelerators); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accelerators[i].action,
                                           accelerators[i].accels);
  gtk_css_provider_load_from_resource (css, "/io/github/avfs/Avfs/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
avfs_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (AVFS_APPLICATION (app))));
}

static int
avfs_application_command_line (GApplication            *app,
                               GApplicationCommandLine *command_line)
{
  AvfsApplication *self = AVFS_APPLICATION (app);
  g_auto(GStrv) argv = g_application_command_line_get_arguments (command_line, NULL);
  AvfsWindow *window = get_window (self);

  if (argv[0] != NULL && argv[1] != NULL)
    {
      /* A name opens a vault of the registry; anything with a slash is a path, taken
       * relative to the directory `avfs` was started in. */
      if (strchr (argv[1], '/') != NULL)
        {
          g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line,
                                                                                  argv[1]);
          g_autofree char *path = g_file_get_path (file);

          avfs_window_open_vault (window, path);
        }
      else
        avfs_window_open_vault (window, argv[1]);
    }
  gtk_window_present (GTK_WINDOW (window));
  return EXIT_SUCCESS;
}

static void
avfs_application_finalize (GObject *object)
{
  AvfsApplication *self = AVFS_APPLICATION (object);

  g_clear_object (&self->registry);
  g_clear_error (&self->registry_error);
  G_OBJECT_CLASS (avfs_application_parent_class)->finalize (object);
}

static void
avfs_application_class_init (AvfsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = avfs_application_finalize;
  app_class->startup = avfs_application_startup;
  app_class->activate = avfs_application_activate;
  app_class->command_line = avfs_application_command_line;
}

static void
avfs_application_init (AvfsApplication *self)
{
}

/**
 * avfs_application_new:
 *
 * Returns: (transfer full): the app, single-instance, taking a vault name or path
 */
AvfsApplication *
avfs_application_new (void)
{
  return g_object_new (AVFS_TYPE_APPLICATION,
                       "application-id", AVFS_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/avfs/Avfs",
                       NULL);
}

/**
 * avfs_application_get_registry:
 * @error: why there is no registry (a bad config.toml names its file and line)
 *
 * The registry of `$AVFS_HOME` (default `~/.avfs`), made on first use.
 *
 * Returns: (transfer none) (nullable): the registry
 */
AvfsRegistry *
avfs_application_get_registry (AvfsApplication  *self,
                               GError          **error)
{
  g_return_val_if_fail (AVFS_IS_APPLICATION (self), NULL);

  if (self->registry == NULL && self->registry_error == NULL)
    self->registry = avfs_registry_new (NULL, &self->registry_error);
  if (self->registry_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->registry_error));
      return NULL;
    }
  return self->registry;
}
