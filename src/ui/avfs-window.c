/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsWindow: opens vaults (the last one at start, else the registry's current one),
 * shows the empty, loading and error pages, keeps its size in GSettings and holds the
 * window actions (the browser adds the file operations). */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-create-vault-dialog.h"
#include "avfs-detail-pane.h"
#include "avfs-migrate-wizard.h"
#include "avfs-path-bar.h"
#include "avfs-registry-async.h"
#include "avfs-search-pane.h"
#include "avfs-snapshots-window.h"
#include "avfs-stats-window.h"
#include "avfs-toasts.h"
#include "avfs-window.h"

struct _AvfsWindow
{
  AdwApplicationWindow parent_instance;

  /* Template children */
  AdwFlap *flap;
  AvfsVaultSidebar *sidebar;
  AdwWindowTitle *sidebar_title;
  AvfsPathBar *path_bar;
  GtkStack *main_stack;
  AdwStatusPage *error_page;
  GtkStack *content_stack;
  AvfsFileBrowser *browser;
  AvfsSearchPane *search_pane;
  AvfsDetailPane *detail_pane;

  GSettings *settings;
  AvfsRegistry *registry;
  AvfsVault *vault;
  char *vault_name;             /* as shown: the registry name, or a path's base name */
  char *opening;                /* the name or path being opened, for Retry */
  GCancellable *cancellable;
  gboolean quiet_open;          /* the start-up open falls back quietly when it fails */
};

G_DEFINE_FINAL_TYPE (AvfsWindow, avfs_window, ADW_TYPE_APPLICATION_WINDOW)

/* Pages */

static void
show_page (AvfsWindow *self,
           const char *name)
{
  gtk_stack_set_visible_child_name (self->main_stack, name);
}

/* With no vault open: the vault list decides between "create one" and "pick one". */
static void
show_no_vault_page (AvfsWindow *self)
{
  if (self->vault != NULL || self->cancellable != NULL)
    return;
  if (avfs_vault_sidebar_is_loading (self->sidebar))
    show_page (self, "loading");
  else if (avfs_vault_sidebar_get_n_vaults (self->sidebar) == 0)
    show_page (self, "empty");
  else
    show_page (self, "pick");
}

static void
update_vault_actions (AvfsWindow *self)
{
  static const char *on_vault[] = { "delete-vault", "search", "show-stats", "migrate-vault",
                                    "snapshots" };

  for (guint i = 0; i < G_N_ELEMENTS (on_vault); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                              on_vault[i])),
                                 self->vault != NULL);
}

/* Search replaces the file list while it is on (Ctrl+F toggles it). */
static void
set_searching (AvfsWindow *self,
               gboolean    searching)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "search");

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (searching));
  gtk_stack_set_visible_child_name (self->content_stack, searching ? "search" : "files");
  if (searching)
    avfs_search_pane_focus (self->search_pane);
}

/* The name a vault is shown by: its registry name, or the base name of its path
 * without the engine's extension. */
static char *
display_name (const char *name_or_path)
{
  g_autofree char *base = NULL;
  char *dot;

  if (strchr (name_or_path, '/') == NULL)
    return g_strdup (name_or_path);
  base = g_path_get_basename (name_or_path);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

static void
set_vault (AvfsWindow *self,
           AvfsVault  *vault,
           const char *name)
{
  g_set_object (&self->vault, vault);
  g_free (self->vault_name);
  self->vault_name = g_strdup (name);
  gtk_window_set_title (GTK_WINDOW (self), name != NULL ? name : _("avfs"));
  avfs_path_bar_set_root_label (self->path_bar, name);
  avfs_file_browser_set_vault (self->browser, vault);
  avfs_search_pane_set_vault (self->search_pane, vault);
  avfs_detail_pane_set_file (self->detail_pane, vault, NULL);
  avfs_vault_sidebar_select (self->sidebar, name);
  set_searching (self, FALSE);
  update_vault_actions (self);
}

/* Opening a vault */

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AvfsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVault) vault = avfs_registry_open_finish (AVFS_REGISTRY (source), result, &error);
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  name = display_name (self->opening);
  if (vault != NULL)
    {
      set_vault (self, vault, name);
      g_settings_set_string (self->settings, "last-vault", self->opening);
      show_page (self, "browser");
      return;
    }
  if (self->quiet_open)
    {
      /* The vault open last time is gone: start as if there had been none. */
      g_settings_reset (self->settings, "last-vault");
      show_no_vault_page (self);
      return;
    }
  title = g_strdup_printf (_("Cannot Open “%s”"), name);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error->message);
  show_page (self, "error");
}

static void
open_vault (AvfsWindow *self,
            const char *name_or_path,
            gboolean    quiet)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->registry == NULL)
    return;
  if (self->opening != name_or_path)
    {
      g_free (self->opening);
      self->opening = g_strdup (name_or_path);
    }
  set_vault (self, NULL, NULL);
  self->quiet_open = quiet;
  self->cancellable = g_cancellable_new ();
  show_page (self, "loading");
  avfs_registry_open_async (self->registry, name_or_path, self->cancellable, opened_cb,
                            g_object_ref (self));
}

/**
 * avfs_window_open_vault:
 * @name_or_path: a vault name of the registry, or the path of a vault
 *
 * Opens the vault in the background; a failure shows an error page with Retry.
 */
void
avfs_window_open_vault (AvfsWindow *self,
                        const char *name_or_path)
{
  g_return_if_fail (AVFS_IS_WINDOW (self));
  g_return_if_fail (name_or_path != NULL);

  open_vault (self, name_or_path, FALSE);
}

static void
open_initial_vault (AvfsWindow *self)
{
  g_autofree char *last = g_settings_get_string (self->settings, "last-vault");
  g_autofree char *current = NULL;

  if (last[0] != '\0')
    {
      open_vault (self, last, TRUE);
      return;
    }
  current = avfs_registry_get_current (self->registry);
  if (current != NULL)
    open_vault (self, current, TRUE);
  else
    show_no_vault_page (self);
}

/* Sidebar and vault dialogs */

static void
vault_activated_cb (AvfsWindow *self,
                    const char *name)
{
  if (self->vault != NULL && g_strcmp0 (name, self->vault_name) == 0)
    return;
  avfs_window_open_vault (self, name);
}

static void
vault_created_cb (AvfsWindow *self,
                  const char *name,
                  AvfsVault  *vault)
{
  g_autofree char *message = g_strdup_printf (_("Vault “%s” created"), name);

  g_free (self->opening);
  self->opening = g_strdup (name);
  g_settings_set_string (self->settings, "last-vault", name);
  set_vault (self, vault, name);
  show_page (self, "browser");
  avfs_vault_sidebar_reload (self->sidebar);
  avfs_toast_show_text (GTK_WIDGET (self->main_stack), message);
}

static void
new_vault_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AvfsWindow *self = user_data;
  AvfsCreateVaultDialog *dialog;

  if (self->registry == NULL)
    return;
  dialog = avfs_create_vault_dialog_new (GTK_WINDOW (self), self->registry);
  g_signal_connect_object (dialog, "vault-created", G_CALLBACK (vault_created_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
vault_deleted_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AvfsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!avfs_registry_delete_finish (AVFS_REGISTRY (source), result, &error))
    avfs_toast_show_error (GTK_WIDGET (self->main_stack), error);
  avfs_vault_sidebar_reload (self->sidebar);
}

static void
delete_vault_confirmed_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           AvfsWindow       *self)
{
  g_autofree char *name = g_strdup (self->vault_name);
  g_autofree char *message = g_strdup_printf (_("Vault “%s” deleted"), name);

  /* Let go of the vault first: an engine that locks its files cannot be deleted open. */
  set_vault (self, NULL, NULL);
  g_settings_reset (self->settings, "last-vault");
  show_no_vault_page (self);
  avfs_registry_delete_async (self->registry, name, NULL, vault_deleted_cb, g_object_ref (self));
  avfs_toast_show_text (GTK_WIDGET (self->main_stack), message);
}

static void
delete_vault_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  AvfsWindow *self = user_data;
  AdwMessageDialog *dialog;

  if (self->vault == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Delete Vault “%s”?"), self->vault_name);
  adw_message_dialog_set_body (dialog, _("Every file in it, with all its versions, tags and "
                                         "snapshots, is lost. This cannot be undone."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response::delete", G_CALLBACK (delete_vault_confirmed_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
retry_open_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  AvfsWindow *self = user_data;

  if (self->opening != NULL)
    avfs_window_open_vault (self, self->opening);
}

static void
toggle_details_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  AvfsWindow *self = user_data;

  g_settings_set_boolean (self->settings, "show-details",
                          !g_settings_get_boolean (self->settings, "show-details"));
}

static void
show_details_changed_cb (AvfsWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "toggle-details");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (g_settings_get_boolean (self->settings,
                                                                            "show-details")));
}

static void
search_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AvfsWindow *self = user_data;
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));

  set_searching (self, !g_variant_get_boolean (state));
}

static void
show_stats_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  AvfsWindow *self = user_data;

  if (self->vault != NULL)
    gtk_window_present (GTK_WINDOW (avfs_stats_window_new (GTK_WINDOW (self), self->vault,
                                                           self->vault_name)));
}

static void
migrate_vault_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  AvfsWindow *self = user_data;

  if (self->vault != NULL)
    gtk_window_present (GTK_WINDOW (avfs_migrate_wizard_new (self, self->registry, self->opening)));
}

static void
snapshots_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AvfsWindow *self = user_data;

  if (self->vault != NULL)
    gtk_window_present (GTK_WINDOW (avfs_snapshots_window_new (GTK_WINDOW (self), self->vault,
                                                               self->vault_name)));
}

static const GActionEntry window_actions[] = {
  { "new-vault", new_vault_activated },
  { "delete-vault", delete_vault_activated },
  { "retry-open", retry_open_activated },
  { "toggle-details", toggle_details_activated, NULL, "true" },
  { "search", search_activated, NULL, "false" },
  { "show-stats", show_stats_activated },
  { "snapshots", snapshots_activated },
  { "migrate-vault", migrate_vault_activated },
};

/* Browser and path bar */

static void
navigate_cb (AvfsWindow *self,
             const char *path)
{
  avfs_file_browser_set_path (self->browser, path);
}

static void
browser_path_changed_cb (AvfsWindow *self)
{
  avfs_path_bar_set_path (self->path_bar, avfs_file_browser_get_path (self->browser));
}

static void
selection_changed_cb (AvfsWindow *self)
{
  avfs_detail_pane_set_file (self->detail_pane, self->vault,
                             avfs_file_browser_get_selected_path (self->browser));
}

/* Activating a file is asking to see it: the details come up if they were hidden. */
static void
file_activated_cb (AvfsWindow *self,
                   const char *path)
{
  g_settings_set_boolean (self->settings, "show-details", TRUE);
}

static void
open_path_cb (AvfsWindow *self,
              const char *path)
{
  set_searching (self, FALSE);
  avfs_file_browser_reveal (self->browser, path);
  g_settings_set_boolean (self->settings, "show-details", TRUE);
}

static void
sidebar_changed_cb (AvfsWindow *self)
{
  g_autofree char *subtitle = NULL;
  guint n = avfs_vault_sidebar_get_n_vaults (self->sidebar);

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u vault", "%u vaults", n), n);
  adw_window_title_set_subtitle (self->sidebar_title, subtitle);
  show_no_vault_page (self);
}

/* Window state */

static gboolean
avfs_window_close_request (GtkWindow *window)
{
  AvfsWindow *self = AVFS_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  avfs_file_browser_commit_deletions (self->browser);
  return GTK_WINDOW_CLASS (avfs_window_parent_class)->close_request (window);
}

static void
restore_size (AvfsWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/* Lists the vaults and opens the first one; needs the application, which a window
 * gets only after construction. */
static void
start (AvfsWindow      *self,
       AvfsApplication *app)
{
  g_autoptr(GError) error = NULL;

  self->registry = avfs_application_get_registry (app, &error);
  if (self->registry == NULL)
    {
      adw_status_page_set_title (self->error_page, _("Cannot Read the avfs Settings"));
      adw_status_page_set_description (self->error_page, error->message);
      show_page (self, "error");
      return;
    }
  g_object_ref (self->registry);
  avfs_vault_sidebar_set_registry (self->sidebar, self->registry);
  open_initial_vault (self);
}

static void
avfs_window_dispose (GObject *object)
{
  AvfsWindow *self = AVFS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_WINDOW);
  g_clear_object (&self->vault);
  g_clear_object (&self->registry);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (avfs_window_parent_class)->dispose (object);
}

static void
avfs_window_finalize (GObject *object)
{
  AvfsWindow *self = AVFS_WINDOW (object);

  g_free (self->vault_name);
  g_free (self->opening);
  G_OBJECT_CLASS (avfs_window_parent_class)->finalize (object);
}

static void
avfs_window_class_init (AvfsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = avfs_window_dispose;
  object_class->finalize = avfs_window_finalize;
  window_class->close_request = avfs_window_close_request;

  g_type_ensure (AVFS_TYPE_DETAIL_PANE);
  g_type_ensure (AVFS_TYPE_FILE_BROWSER);
  g_type_ensure (AVFS_TYPE_SEARCH_PANE);
  g_type_ensure (AVFS_TYPE_PATH_BAR);
  g_type_ensure (AVFS_TYPE_VAULT_SIDEBAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/avfs/Avfs/avfs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, path_bar);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, browser);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, search_pane);
  gtk_widget_class_bind_template_child (widget_class, AvfsWindow, detail_pane);
  gtk_widget_class_bind_template_callback (widget_class, vault_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, navigate_cb);
  gtk_widget_class_bind_template_callback (widget_class, browser_path_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, file_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_path_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_changed_cb);
}

static void
avfs_window_init (AvfsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (AVFS_APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions,
                                   G_N_ELEMENTS (window_actions), self);
  avfs_file_browser_add_actions (self->browser, G_ACTION_MAP (self));
  g_signal_connect_object (self->settings, "changed::show-details",
                           G_CALLBACK (show_details_changed_cb), self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "show-details", self->detail_pane, "visible",
                   G_SETTINGS_BIND_GET);
  show_details_changed_cb (self);
  update_vault_actions (self);
  restore_size (self);
}

/**
 * avfs_window_new:
 *
 * Returns: (transfer none): a new window of @application, opening the last vault
 */
AvfsWindow *
avfs_window_new (AvfsApplication *application)
{
  AvfsWindow *self;

  g_return_val_if_fail (AVFS_IS_APPLICATION (application), NULL);

  self = g_object_new (AVFS_TYPE_WINDOW, "application", application, NULL);
  start (self, application);
  return self;
}

/**
 * avfs_window_get_vault:
 *
 * Returns: (transfer none) (nullable): the open vault
 */
AvfsVault *
avfs_window_get_vault (AvfsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_WINDOW (self), NULL);
  return self->vault;
}

/**
 * avfs_window_get_page:
 *
 * Returns: what the window shows: `browser`, `empty` (no vaults), `pick` (no vault
 *   open), `loading` or `error`
 */
const char *
avfs_window_get_page (AvfsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}

/**
 * avfs_window_get_browser:
 *
 * Returns: (transfer none): the file browser
 */
AvfsFileBrowser *
avfs_window_get_browser (AvfsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_WINDOW (self), NULL);
  return self->browser;
}

/**
 * avfs_window_get_sidebar:
 *
 * Returns: (transfer none): the vault sidebar
 */
AvfsVaultSidebar *
avfs_window_get_sidebar (AvfsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_WINDOW (self), NULL);
  return self->sidebar;
}

/**
 * avfs_window_release_vault:
 *
 * Lets go of the open vault, for a caller that must close it (a migration: an engine
 * may be open only once per process). The window shows its loading page until
 * avfs_window_open_vault() opens a vault again.
 *
 * Returns: (transfer full) (nullable): the vault that was open
 */
AvfsVault *
avfs_window_release_vault (AvfsWindow *self)
{
  g_autoptr(AvfsVault) vault = NULL;

  g_return_val_if_fail (AVFS_IS_WINDOW (self), NULL);

  g_set_object (&vault, self->vault);
  set_vault (self, NULL, NULL);
  show_page (self, "loading");
  return g_steal_pointer (&vault);
}
