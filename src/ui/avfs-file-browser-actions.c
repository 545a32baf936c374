/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsFileBrowser: the file operations behind the window's actions — new folder/file,
 * open, rename, move, copy and paste, delete with Undo, tag, export and import (chosen
 * files or drops). Each runs through the core's async API and reports through a toast,
 * or for export and import through the transfer dialog. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-file-browser-private.h"
#include "avfs-name-dialog.h"
#include "avfs-path.h"
#include "avfs-toasts.h"
#include "avfs-transfer-dialog.h"
#include "avfs-vault-async.h"
#include "avfs-vault-async-tags.h"

/* How long an Undo toast waits before the deletion is carried out, in seconds. */
#define UNDO_TIMEOUT 6

/* Bookkeeping of operations in flight */

typedef struct
{
  AvfsFileBrowser *self;
  char *name;               /* what the toast calls the item */
} Operation;

static Operation *
operation_new (AvfsFileBrowser *self,
               const char      *name)
{
  Operation *op = g_new0 (Operation, 1);

  op->self = g_object_ref (self);
  op->name = g_strdup (name);
  self->busy++;
  return op;
}

static void
operation_free (Operation *op)
{
  op->self->busy--;
  g_object_unref (op->self);
  g_free (op->name);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Operation, operation_free)

static AvfsFileItem *
selected_item (AvfsFileBrowser *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static AvfsVault *
vault_of (AvfsFileBrowser *self)
{
  return avfs_directory_model_get_vault (self->directory);
}

/* Reports the result of a mutation; the `changed` signal reloads the folder. */
static void
report (Operation    *op,
        gboolean      ok,
        const GError *error,
        const char   *done_message)
{
  if (!ok)
    avfs_toast_show_error (GTK_WIDGET (op->self), error);
  else if (done_message != NULL)
    avfs_toast_show_text (GTK_WIDGET (op->self), done_message);
}

/* Name checks for the dialogs */

static gboolean
check_new_name (const char  *name,
                gpointer     user_data,
                GError     **error)
{
  AvfsFileBrowser *self = user_data;

  if (!avfs_path_check_name (name, error))
    return FALSE;
  if (avfs_directory_model_lookup (self->directory, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("There is already a file or folder called “%s” here"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_folder_path (const char  *path,
                   gpointer     user_data,
                   GError     **error)
{
  g_autofree char *normal = NULL;

  if (path[0] != '/')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                           _("Type a folder path starting with “/”"));
      return FALSE;
    }
  normal = avfs_path_normalize (path, error);
  return normal != NULL;
}

static gboolean
check_tag (const char  *tag,
           gpointer     user_data,
           GError     **error)
{
  return avfs_vault_check_tag (tag, error);
}

static AvfsNameDialog *
ask (AvfsFileBrowser   *self,
     const char        *heading,
     const char        *accept_label,
     const char        *initial,
     AvfsNameCheckFunc  check,
     GCallback          accepted)
{
  AvfsNameDialog *dialog = avfs_name_dialog_new (GTK_WIDGET (self), heading, accept_label, initial);

  avfs_name_dialog_set_check (dialog, check, g_object_ref (self), g_object_unref);
  g_signal_connect_object (dialog, "response::" AVFS_NAME_DIALOG_ACCEPT, accepted, self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* New folder, new file */

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_async_result_is_tagged (result, avfs_vault_mkdir_async))
    ok = avfs_vault_mkdir_finish (AVFS_VAULT (source), result, &error);
  else
    ok = avfs_vault_touch_finish (AVFS_VAULT (source), result, &error);
  report (op, ok, error, NULL);
}

static void
new_folder_accepted_cb (AvfsNameDialog  *dialog,
                        const char      *response,
                        AvfsFileBrowser *self)
{
  const char *name = avfs_name_dialog_get_text (dialog);
  g_autofree char *path = avfs_path_join (avfs_file_browser_get_path (self), name);

  avfs_vault_mkdir_async (vault_of (self), path, FALSE, NULL, created_cb, operation_new (self, name));
}

static void
new_file_accepted_cb (AvfsNameDialog  *dialog,
                      const char      *response,
                      AvfsFileBrowser *self)
{
  const char *name = avfs_name_dialog_get_text (dialog);
  g_autofree char *path = avfs_path_join (avfs_file_browser_get_path (self), name);

  avfs_vault_touch_async (vault_of (self), path, NULL, created_cb, operation_new (self, name));
}

static void
new_folder_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  ask (user_data, _("New Folder"), _("_Create"), NULL, check_new_name,
       G_CALLBACK (new_folder_accepted_cb));
}

static void
new_file_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ask (user_data, _("New File"), _("_Create"), NULL, check_new_name,
       G_CALLBACK (new_file_accepted_cb));
}

/* Open, rename, move */

static void
open_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position != GTK_INVALID_LIST_POSITION)
    g_signal_emit_by_name (self->column_view, "activate", position);
}

static void
moved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *to = avfs_vault_move_finish (AVFS_VAULT (source), result, &error);
  g_autofree char *message = NULL;

  if (to != NULL)
    message = g_strdup_printf (_("“%s” moved to %s"), op->name, to);
  report (op, to != NULL, error, message);
}

static void
rename_accepted_cb (AvfsNameDialog  *dialog,
                    const char      *response,
                    AvfsFileBrowser *self)
{
  AvfsFileItem *item = selected_item (self);
  g_autofree char *to = NULL;

  if (item == NULL)
    return;
  to = avfs_path_join (avfs_file_browser_get_path (self), avfs_name_dialog_get_text (dialog));
  avfs_vault_move_async (vault_of (self), avfs_file_item_get_path (item), to, NULL, moved_cb,
                         operation_new (self, avfs_file_item_get_name (item)));
}

static void
rename_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  AvfsFileItem *item = selected_item (self);
  g_autofree char *heading = NULL;

  heading = g_strdup_printf (_("Rename “%s”"), avfs_file_item_get_name (item));
  ask (self, heading, _("_Rename"), avfs_file_item_get_name (item), check_new_name,
       G_CALLBACK (rename_accepted_cb));
}

static void
move_accepted_cb (AvfsNameDialog  *dialog,
                  const char      *response,
                  AvfsFileBrowser *self)
{
  AvfsFileItem *item = selected_item (self);

  if (item == NULL)
    return;
  /* Moving onto an existing folder moves into it. */
  avfs_vault_move_async (vault_of (self), avfs_file_item_get_path (item),
                         avfs_name_dialog_get_text (dialog), NULL, moved_cb,
                         operation_new (self, avfs_file_item_get_name (item)));
}

static void
move_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  AvfsFileItem *item = selected_item (self);
  g_autofree char *heading = NULL;
  AvfsNameDialog *dialog;

  heading = g_strdup_printf (_("Move “%s” To"), avfs_file_item_get_name (item));
  dialog = ask (self, heading, _("_Move"), avfs_file_browser_get_path (self), check_folder_path,
                G_CALLBACK (move_accepted_cb));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Type the path of a folder of this vault."));
}

/* Copy and paste, within the app */

static void
copy_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  AvfsFileItem *item = selected_item (self);
  g_autofree char *message = NULL;

  g_free (self->clipboard_path);
  self->clipboard_path = g_strdup (avfs_file_item_get_path (item));
  g_set_object (&self->clipboard_vault, vault_of (self));
  message = g_strdup_printf (_("“%s” copied; paste it into any folder of this vault"),
                             avfs_file_item_get_name (item));
  avfs_toast_show_text (GTK_WIDGET (self), message);
  avfs_file_browser_update_actions (self);
}

/* "name", else "name (copy)", "name (copy 2)"…, keeping the extension last. */
static char *
free_copy_name (AvfsFileBrowser *self,
                const char      *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = NULL;
  const char *extension;

  if (avfs_directory_model_lookup (self->directory, name) == NULL)
    return g_strdup (name);
  if (dot == NULL || dot == name)
    dot = name + strlen (name);
  stem = g_strndup (name, dot - name);
  extension = dot;
  for (guint i = 1; ; i++)
    {
      g_autofree char *candidate = i == 1
        ? g_strdup_printf (_("%s (copy)%s"), stem, extension)
        : g_strdup_printf (_("%s (copy %u)%s"), stem, i, extension);

      if (avfs_directory_model_lookup (self->directory, candidate) == NULL)
        return g_steal_pointer (&candidate);
    }
}

static void
copied_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *to = avfs_vault_copy_finish (AVFS_VAULT (source), result, &error);

  report (op, to != NULL, error, NULL);
}

static void
paste_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  g_autofree char *name = NULL;
  g_autofree char *to = NULL;

  if (self->clipboard_path == NULL || self->clipboard_vault != vault_of (self))
    return;
  name = free_copy_name (self, avfs_path_get_name (self->clipboard_path));
  to = avfs_path_join (avfs_file_browser_get_path (self), name);
  avfs_vault_copy_async (vault_of (self), self->clipboard_path, to, TRUE, NULL, copied_cb,
                         operation_new (self, name));
}

/* Delete, with Undo: the entry is hidden at once and removed when its toast goes away
 * without Undo being pressed (the vault keeps no trash to restore from). */

typedef struct
{
  AvfsFileBrowser *self;
  AvfsVault *vault;
  char *path;
  AdwToast *toast;
  gulong dismissed_handler;
} PendingDeletion;

static void
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = avfs_vault_remove_finish (AVFS_VAULT (source), result, &error);

  report (op, ok, error, NULL);
  g_application_release (g_application_get_default ());
}

/* Takes @pending out of the list; removes it from the vault unless @undo. */
static void
finish_deletion (PendingDeletion *pending,
                 gboolean         undo)
{
  AvfsFileBrowser *self = pending->self;

  g_ptr_array_remove (self->pending_deletions, pending);
  g_clear_signal_handler (&pending->dismissed_handler, pending->toast);
  adw_toast_dismiss (pending->toast);
  if (!undo)
    {
      /* The app stays up until the deletion is on disk, even if this was its last window. */
      g_application_hold (g_application_get_default ());
      avfs_vault_remove_async (pending->vault, pending->path, TRUE, NULL, removed_cb,
                               operation_new (self, avfs_path_get_name (pending->path)));
    }
  avfs_file_browser_refilter (self);
  g_object_unref (pending->toast);
  g_object_unref (pending->vault);
  g_free (pending->path);
  g_free (pending);
}

static void
toast_dismissed_cb (AdwToast        *toast,
                    PendingDeletion *pending)
{
  pending->dismissed_handler = 0;
  finish_deletion (pending, FALSE);
}

static void
delete_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  AvfsFileItem *item = selected_item (self);
  PendingDeletion *pending;
  g_autofree char *title = NULL;

  pending = g_new0 (PendingDeletion, 1);
  pending->self = self;
  pending->vault = g_object_ref (vault_of (self));
  pending->path = g_strdup (avfs_file_item_get_path (item));
  title = g_strdup_printf (_("“%s” deleted"), avfs_file_item_get_name (item));
  pending->toast = g_object_ref (avfs_toast_new_text (title));
  adw_toast_set_button_label (pending->toast, _("_Undo"));
  adw_toast_set_action_name (pending->toast, "win.undo-delete");
  adw_toast_set_timeout (pending->toast, UNDO_TIMEOUT);
  pending->dismissed_handler = g_signal_connect (pending->toast, "dismissed",
                                                 G_CALLBACK (toast_dismissed_cb), pending);
  g_ptr_array_add (self->pending_deletions, pending);
  avfs_file_browser_refilter (self);
  avfs_toast_show (GTK_WIDGET (self), g_object_ref (pending->toast));
}

static void
undo_delete_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;

  if (self->pending_deletions->len > 0)
    finish_deletion (g_ptr_array_index (self->pending_deletions,
                                        self->pending_deletions->len - 1), TRUE);
}

/**
 * avfs_file_browser_commit_deletions:
 *
 * Carries out at once the deletions whose Undo toasts are still up (before the vault
 * changes or the window closes).
 */
void
avfs_file_browser_commit_deletions (AvfsFileBrowser *self)
{
  g_return_if_fail (AVFS_IS_FILE_BROWSER (self));

  while (self->pending_deletions != NULL && self->pending_deletions->len > 0)
    finish_deletion (g_ptr_array_index (self->pending_deletions, 0), FALSE);
}

gboolean
avfs_file_browser_is_hidden (AvfsFileBrowser *self,
                             const char      *path)
{
  for (guint i = 0; i < self->pending_deletions->len; i++)
    {
      PendingDeletion *pending = g_ptr_array_index (self->pending_deletions, i);

      if (g_str_equal (pending->path, path))
        return TRUE;
    }
  return FALSE;
}

/* Tag */

static void
tagged_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = avfs_vault_tag_add_finish (AVFS_VAULT (source), result, &error);

  report (op, ok, error, NULL);
}

static void
tag_accepted_cb (AvfsNameDialog  *dialog,
                 const char      *response,
                 AvfsFileBrowser *self)
{
  AvfsFileItem *item = selected_item (self);

  if (item != NULL)
    avfs_vault_tag_add_async (vault_of (self), avfs_file_item_get_path (item),
                              avfs_name_dialog_get_text (dialog), NULL, tagged_cb,
                              operation_new (self, avfs_file_item_get_name (item)));
}

static void
tag_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  AvfsFileItem *item = selected_item (self);
  g_autofree char *heading = NULL;

  heading = g_strdup_printf (_("Add a Tag to “%s”"), avfs_file_item_get_name (item));
  ask (self, heading, _("_Add"), NULL, check_tag, G_CALLBACK (tag_accepted_cb));
}

/* Export and import, through the transfer dialog (questions, progress, summary) */

static GtkWindow *
window_of (AvfsFileBrowser *self)
{
  return GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
}

static void
transfer_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;

  /* The dialog has shown the outcome; the folder reloads on the vault's changes. */
  avfs_transfer_dialog_finish (AVFS_TRANSFER_DIALOG (source), result, NULL);
}

/**
 * avfs_file_browser_export_selected:
 * @host_folder: a folder of the host
 *
 * Exports the selected item into @host_folder — a file as a file, a folder as a folder
 * of the same name — or, with nothing selected, the folder shown (the top one under the
 * vault's name). The transfer dialog asks before files there are replaced.
 */
void
avfs_file_browser_export_selected (AvfsFileBrowser *self,
                                   const char      *host_folder)
{
  AvfsFileItem *item = selected_item (self);
  const char *path;
  const char *name;
  g_autofree char *target = NULL;

  g_return_if_fail (AVFS_IS_FILE_BROWSER (self));
  g_return_if_fail (host_folder != NULL);

  if (vault_of (self) == NULL)
    return;
  path = item != NULL ? avfs_file_item_get_path (item) : avfs_file_browser_get_path (self);
  /* The window's title is the vault's name. */
  name = g_str_equal (path, "/") ? gtk_window_get_title (window_of (self))
                                 : avfs_path_get_name (path);
  target = g_build_filename (host_folder, name, NULL);
  avfs_transfer_dialog_export (window_of (self), vault_of (self), path, target,
                               transfer_done_cb, operation_new (self, name));
}

/**
 * avfs_file_browser_import_files:
 * @files: (element-type GFile): host files and folders, imported into the folder shown
 *   one after the other (a folder with everything in it)
 */
void
avfs_file_browser_import_files (AvfsFileBrowser *self,
                                GSList          *files)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;

  if (vault_of (self) == NULL)
    return;
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);

      if (path != NULL)
        g_strv_builder_add (builder, path);
      else
        {
          g_autofree char *uri = g_file_get_uri (l->data);
          g_autofree char *message = g_strdup_printf (_("Cannot import %s: only local files can be imported"), uri);

          avfs_toast_show_text (GTK_WIDGET (self), message);
        }
    }
  paths = g_strv_builder_end (builder);
  if (paths[0] == NULL)
    return;
  avfs_transfer_dialog_import (window_of (self), vault_of (self), paths,
                               avfs_file_browser_get_path (self), transfer_done_cb,
                               operation_new (self, paths[0]));
}

static void
export_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  AvfsFileBrowser *self)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_autofree char *host = folder != NULL ? g_file_get_path (folder) : NULL;

  gtk_native_dialog_destroy (chooser);
  if (response == GTK_RESPONSE_ACCEPT && host != NULL)
    avfs_file_browser_export_selected (self, host);
}

static void
import_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  AvfsFileBrowser *self)
{
  g_autoptr(GListModel) chosen = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
  GSList *files = NULL;

  for (guint i = g_list_model_get_n_items (chosen); i > 0; i--)
    files = g_slist_prepend (files, g_list_model_get_item (chosen, i - 1));
  gtk_native_dialog_destroy (chooser);
  if (response == GTK_RESPONSE_ACCEPT)
    avfs_file_browser_import_files (self, files);
  g_slist_free_full (files, g_object_unref);
}

/* The system's file chooser, modal on the window; @chosen gets its response. */
static void
choose (AvfsFileBrowser      *self,
        const char           *title,
        GtkFileChooserAction  action,
        const char           *accept_label,
        GCallback             chosen)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, window_of (self), action,
                                                               accept_label, _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser),
                                        action == GTK_FILE_CHOOSER_ACTION_OPEN);
  g_signal_connect_object (chooser, "response", chosen, self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  choose (user_data, _("Export To"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Export Here"),
          G_CALLBACK (export_chosen_cb));
}

static void
import_files_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  choose (user_data, _("Import Files"), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"),
          G_CALLBACK (import_chosen_cb));
}

static void
import_folder_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  choose (user_data, _("Import a Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Import"),
          G_CALLBACK (import_chosen_cb));
}

/* Navigation */

static void
go_up_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;
  g_autofree char *left = g_strdup (avfs_file_browser_get_path (self));

  /* The folder just left is selected in its parent, as in Files. */
  avfs_file_browser_reveal (self, left);
}

static void
go_root_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  avfs_file_browser_set_path (user_data, "/");
}

static void
refresh_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  AvfsFileBrowser *self = user_data;

  avfs_directory_model_reload (self->directory);
}

static const GActionEntry browser_actions[] = {
  { "open", open_activated },
  { "new-folder", new_folder_activated },
  { "new-file", new_file_activated },
  { "rename", rename_activated },
  { "move", move_activated },
  { "copy", copy_activated },
  { "paste", paste_activated },
  { "delete", delete_activated },
  { "undo-delete", undo_delete_activated },
  { "tag", tag_activated },
  { "export", export_activated },
  { "import-files", import_files_activated },
  { "import-folder", import_folder_activated },
  { "go-up", go_up_activated },
  { "go-root", go_root_activated },
  { "refresh", refresh_activated },
};

static void
set_enabled (AvfsFileBrowser *self,
             const char      *name,
             gboolean         enabled)
{
  GAction *action = g_action_map_lookup_action (self->actions, name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/**
 * avfs_file_browser_update_actions:
 *
 * Enables the actions that make sense for the folder shown and the selection.
 */
void
avfs_file_browser_update_actions (AvfsFileBrowser *self)
{
  /* Their handlers count on a selection: a disabled action is never activated. */
  static const char *on_selection[] = { "open", "rename", "move", "copy", "delete", "tag" };
  gboolean has_vault = vault_of (self) != NULL;
  gboolean has_item = has_vault && selected_item (self) != NULL;
  const char *path = avfs_file_browser_get_path (self);

  if (self->actions == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (on_selection); i++)
    set_enabled (self, on_selection[i], has_item);
  set_enabled (self, "new-folder", has_vault);
  set_enabled (self, "new-file", has_vault);
  set_enabled (self, "refresh", has_vault);
  set_enabled (self, "export", has_vault);
  set_enabled (self, "import-files", has_vault);
  set_enabled (self, "import-folder", has_vault);
  set_enabled (self, "go-root", has_vault);
  set_enabled (self, "go-up", has_vault && path != NULL && !g_str_equal (path, "/"));
  set_enabled (self, "paste", has_vault && self->clipboard_path != NULL &&
                              self->clipboard_vault == vault_of (self));
}

/**
 * avfs_file_browser_add_actions:
 * @map: where the actions go (the window, so they are `win.new-folder`…)
 *
 * Adds the browser's actions: open, new-folder, new-file, rename, move, copy, paste,
 * delete, undo-delete, tag, export, import-files, import-folder, go-up, go-root, refresh.
 */
void
avfs_file_browser_add_actions (AvfsFileBrowser *self,
                               GActionMap      *map)
{
  g_return_if_fail (AVFS_IS_FILE_BROWSER (self));
  g_return_if_fail (G_IS_ACTION_MAP (map));

  g_action_map_add_action_entries (map, browser_actions, G_N_ELEMENTS (browser_actions), self);
  /* Not a reference: the map is the window, which outlives the browser inside it. */
  self->actions = map;
  avfs_file_browser_update_actions (self);
}

/**
 * avfs_file_browser_is_busy:
 *
 * Returns: whether an operation started here has not finished yet
 */
gboolean
avfs_file_browser_is_busy (AvfsFileBrowser *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_BROWSER (self), FALSE);
  return self->busy > 0 || avfs_directory_model_get_loading (self->directory);
}

void
avfs_file_browser_clear_actions (AvfsFileBrowser *self)
{
  self->actions = NULL;
  g_clear_pointer (&self->clipboard_path, g_free);
  g_clear_object (&self->clipboard_vault);
  g_clear_pointer (&self->pending_deletions, g_ptr_array_unref);
}
