/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSnapshotsWindow: the snapshots of one vault, newest first as the core lists them,
 * with their date, description, files and size. Save takes a name and a description
 * checked as they are typed; Restore asks first and names the automatic snapshot that
 * makes it undoable; Delete asks first. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-detail-private.h"
#include "avfs-snapshots-window.h"
#include "avfs-toasts.h"
#include "avfs-vault-async-snapshots.h"

struct _AvfsSnapshotsWindow
{
  AdwWindow parent_instance;

  /* Template children */
  AdwWindowTitle *window_title;
  GtkSpinner *spinner;
  AdwEntryRow *name_row;
  AdwEntryRow *description_row;
  GtkLabel *problem_label;
  GtkLabel *count_label;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkListView *list_view;

  AvfsVault *vault;
  GCancellable *cancellable;    /* the listing in flight */
  GPtrArray *snapshots;         /* AvfsSnapshotInfo: item i of names */
  GtkStringList *names;
  guint busy;                   /* listings and changes in flight */
};

G_DEFINE_FINAL_TYPE (AvfsSnapshotsWindow, avfs_snapshots_window, ADW_TYPE_WINDOW)

static void load_snapshots (AvfsSnapshotsWindow *self);
static void entry_changed_cb (AvfsSnapshotsWindow *self);

static void
set_busy (AvfsSnapshotsWindow *self,
          gboolean             busy)
{
  self->busy += busy ? 1 : -1;
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
}

static const AvfsSnapshotInfo *
lookup (AvfsSnapshotsWindow *self,
        const char          *name)
{
  for (guint i = 0; i < self->snapshots->len; i++)
    {
      const AvfsSnapshotInfo *info = g_ptr_array_index (self->snapshots, i);

      if (strcmp (info->name, name) == 0)
        return info;
    }
  return NULL;
}

/* Bookkeeping of a change in flight: the window and the snapshot it is about. */
typedef struct
{
  AvfsSnapshotsWindow *self;
  char *name;
} Change;

static Change *
change_new (AvfsSnapshotsWindow *self,
            const char          *name)
{
  Change *change = g_new0 (Change, 1);

  change->self = g_object_ref (self);
  change->name = g_strdup (name);
  set_busy (self, TRUE);
  return change;
}

static void
change_free (Change *change)
{
  g_object_unref (change->self);
  g_free (change->name);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Change, change_free)

/* The list */

static GtkWidget *
row_label (GtkWidget  *row,
           const char *key,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, css_class);
  g_object_set_data (G_OBJECT (row), key, label);
  return label;
}

static GtkWidget *
row_button (GtkWidget  *row,
            const char *key,
            const char *icon_name,
            const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (row), key, button);
  gtk_box_append (GTK_BOX (row), button);
  return button;
}

static void
snapshot_setup_cb (AvfsSnapshotsWindow *self,
                   GtkListItem         *item)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *automatic = row_label (row, "automatic", "caption-heading");

  gtk_label_set_label (GTK_LABEL (automatic), _("Automatic"));
  gtk_widget_set_tooltip_text (automatic, _("Saved by a restore, so that it can be undone"));
  gtk_widget_add_css_class (automatic, "accent");
  gtk_box_append (GTK_BOX (title), row_label (row, "name", "heading"));
  gtk_box_append (GTK_BOX (title), automatic);
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), row_label (row, "description", "body"));
  gtk_box_append (GTK_BOX (texts), row_label (row, "details", "dim-label"));
  gtk_widget_add_css_class (g_object_get_data (G_OBJECT (row), "details"), "caption");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (row), texts);
  row_button (row, "restore", "document-revert-symbolic", _("Restore…"));
  row_button (row, "delete", "user-trash-symbolic", _("Delete…"));
  gtk_widget_set_margin_start (row, 12);
  gtk_widget_set_margin_end (row, 6);
  gtk_widget_set_margin_top (row, 9);
  gtk_widget_set_margin_bottom (row, 9);
  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
set_row_action (GtkWidget  *row,
                const char *button,
                const char *action,
                const char *name)
{
  GtkActionable *actionable = g_object_get_data (G_OBJECT (row), button);

  /* The target first: an action name without its target warns. */
  gtk_actionable_set_action_target (actionable, "s", name);
  gtk_actionable_set_action_name (actionable, action);
}

static void
snapshot_bind_cb (AvfsSnapshotsWindow *self,
                  GtkListItem         *item)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  const AvfsSnapshotInfo *info = g_ptr_array_index (self->snapshots,
                                                    gtk_list_item_get_position (item));
  g_autofree char *time = avfs_detail_format_time (info->created_us);
  g_autofree char *size = g_format_size (info->bytes);
  g_autofree char *files = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%llu file",
                                                         "%llu files", info->files),
                                            (unsigned long long) info->files);
  /* Translators: a snapshot's date, its number of files and their size */
  g_autofree char *details = g_strdup_printf (_("%s · %s · %s"), time, files, size);
  GtkWidget *description = g_object_get_data (G_OBJECT (row), "description");

  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "name"), info->name);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "details"), details);
  gtk_label_set_label (GTK_LABEL (description), info->description);
  gtk_widget_set_visible (description, info->description[0] != '\0');
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "automatic"), info->automatic);
  set_row_action (row, "restore", "snapshots.restore", info->name);
  set_row_action (row, "delete", "snapshots.delete", info->name);
}

static void
show_snapshots (AvfsSnapshotsWindow *self,
                GPtrArray           *snapshots)
{
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->names));
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *count = NULL;

  g_ptr_array_unref (self->snapshots);
  self->snapshots = snapshots;
  for (guint i = 0; i < snapshots->len; i++)
    g_ptr_array_add (names, ((AvfsSnapshotInfo *) g_ptr_array_index (snapshots, i))->name);
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->names, 0, n_shown, (const char *const *) names->pdata);
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Snapshot", "%u Snapshots",
                                        snapshots->len),
                           snapshots->len);
  gtk_label_set_label (self->count_label, count);
  gtk_stack_set_visible_child_name (self->stack, snapshots->len > 0 ? "list" : "empty");
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AvfsSnapshotsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *snapshots = avfs_vault_snapshot_list_finish (AVFS_VAULT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  if (snapshots == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  show_snapshots (self, snapshots);
  /* A name typed before the list came may be taken. */
  entry_changed_cb (self);
}

static void
load_snapshots (AvfsSnapshotsWindow *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
    }
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  avfs_vault_snapshot_list_async (self->vault, self->cancellable, listed_cb, g_object_ref (self));
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  load_snapshots (AVFS_SNAPSHOTS_WINDOW (widget));
}

/* Changes: each reloads the list when done and reports in a toast */

static void
changed (AvfsSnapshotsWindow *self,
         gboolean             ok,
         const GError        *error,
         const char          *done_message)
{
  /* A change that ends after the window closed has nothing to show. */
  if (self->vault == NULL)
    return;
  set_busy (self, FALSE);
  if (ok)
    avfs_toast_show_text (GTK_WIDGET (self->stack), done_message);
  else
    avfs_toast_show_error (GTK_WIDGET (self->stack), error);
  load_snapshots (self);
}

/* Save */

/* The entry whose text cannot be saved, with @error saying why, or %NULL. */
static GtkWidget *
find_problem (AvfsSnapshotsWindow  *self,
              GError              **error)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *description = gtk_editable_get_text (GTK_EDITABLE (self->description_row));

  if (!avfs_vault_check_snapshot_description (description, error))
    return GTK_WIDGET (self->description_row);
  if (!avfs_vault_check_snapshot_name (name, error))
    return GTK_WIDGET (self->name_row);
  if (lookup (self, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("There is already a snapshot called “%s”"), name);
      return GTK_WIDGET (self->name_row);
    }
  return NULL;
}

static void
mark_entry (GtkWidget *entry,
            gboolean   wrong)
{
  if (wrong)
    gtk_widget_add_css_class (entry, "error");
  else
    gtk_widget_remove_css_class (entry, "error");
}

static void
entry_changed_cb (AvfsSnapshotsWindow *self)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *culprit = find_problem (self, &error);
  gboolean empty = gtk_editable_get_text (GTK_EDITABLE (self->name_row))[0] == '\0';
  /* An empty name is not worth a message, only not savable yet. */
  gboolean show = culprit != NULL && !(empty && culprit == GTK_WIDGET (self->name_row));

  gtk_label_set_label (self->problem_label, show ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), show);
  mark_entry (GTK_WIDGET (self->name_row), show && culprit == GTK_WIDGET (self->name_row));
  mark_entry (GTK_WIDGET (self->description_row),
              show && culprit == GTK_WIDGET (self->description_row));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "snapshots.save", culprit == NULL);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Change) change = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = avfs_vault_snapshot_save_finish (AVFS_VAULT (source), result, &error);
  g_autofree char *message = g_strdup_printf (_("Snapshot “%s” saved"), change->name);

  changed (change->self, ok, error, message);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AvfsSnapshotsWindow *self = AVFS_SNAPSHOTS_WINDOW (widget);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *description = gtk_editable_get_text (GTK_EDITABLE (self->description_row));

  if (find_problem (self, NULL) != NULL)
    return;
  avfs_vault_snapshot_save_async (self->vault, name, description, NULL, saved_cb,
                                  change_new (self, name));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->description_row), "");
}

static void
entry_activated_cb (AvfsSnapshotsWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "snapshots.save", NULL);
}

/* Restore */

static void
restored_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Change) change = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *undo_name = NULL;
  gboolean ok = avfs_vault_snapshot_restore_finish (AVFS_VAULT (source), result, &undo_name,
                                                    &error);
  g_autofree char *message = NULL;

  if (ok)
    message = g_strdup_printf (_("Snapshot “%s” restored; the state before was saved as “%s”"),
                               change->name, undo_name);
  changed (change->self, ok, error, message);
}

static void
restore_confirmed_cb (AdwMessageDialog    *dialog,
                      const char          *response,
                      AvfsSnapshotsWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "snapshot-name");

  avfs_vault_snapshot_restore_async (self->vault, name, NULL, restored_cb,
                                     change_new (self, name));
}

/* Asks about snapshot @name with @heading and @body; @response_id runs @confirmed. */
static void
confirm (AvfsSnapshotsWindow *self,
         const char          *name,
         const char          *heading,
         const char          *body,
         const char          *response_id,
         const char          *response_label,
         AdwResponseAppearance appearance,
         GCallback            confirmed)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                         heading, body));
  g_autofree char *signal = g_strconcat ("response::", response_id, NULL);

  g_object_set_data_full (G_OBJECT (dialog), "snapshot-name", g_strdup (name), g_free);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), response_id, response_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, response_id, appearance);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, signal, confirmed, self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
restore_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AvfsSnapshotsWindow *self = AVFS_SNAPSHOTS_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  const AvfsSnapshotInfo *info = lookup (self, name);
  g_autofree char *heading = g_strdup_printf (_("Restore “%s”?"), name);
  g_autofree char *time = NULL;
  g_autofree char *body = NULL;

  if (info == NULL)
    return;
  time = avfs_detail_format_time (info->created_us);
  body = g_strdup_printf (_("Every file, folder, version, tag and value of the vault is put "
                            "back as it was on %s. The current state is saved first as an "
                            "automatic snapshot, so this restore can be undone by restoring "
                            "that one."), time);
  confirm (self, name, heading, body, "restore", _("_Restore"), ADW_RESPONSE_SUGGESTED,
           G_CALLBACK (restore_confirmed_cb));
}

/* Delete */

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Change) change = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = avfs_vault_snapshot_delete_finish (AVFS_VAULT (source), result, &error);
  g_autofree char *message = g_strdup_printf (_("Snapshot “%s” deleted"), change->name);

  changed (change->self, ok, error, message);
}

static void
delete_confirmed_cb (AdwMessageDialog    *dialog,
                     const char          *response,
                     AvfsSnapshotsWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "snapshot-name");

  avfs_vault_snapshot_delete_async (self->vault, name, NULL, deleted_cb, change_new (self, name));
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AvfsSnapshotsWindow *self = AVFS_SNAPSHOTS_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = g_strdup_printf (_("Delete “%s”?"), name);

  confirm (self, name, heading,
           _("The snapshot cannot be brought back. Content that only it holds is freed by "
             "Garbage-collect in Statistics."),
           "delete", _("_Delete"), ADW_RESPONSE_DESTRUCTIVE, G_CALLBACK (delete_confirmed_cb));
}

/* Life cycle */

static void
avfs_snapshots_window_dispose (GObject *object)
{
  AvfsSnapshotsWindow *self = AVFS_SNAPSHOTS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_SNAPSHOTS_WINDOW);
  g_clear_object (&self->vault);
  g_clear_object (&self->names);
  G_OBJECT_CLASS (avfs_snapshots_window_parent_class)->dispose (object);
}

static void
avfs_snapshots_window_finalize (GObject *object)
{
  AvfsSnapshotsWindow *self = AVFS_SNAPSHOTS_WINDOW (object);

  g_ptr_array_unref (self->snapshots);
  G_OBJECT_CLASS (avfs_snapshots_window_parent_class)->finalize (object);
}

static void
avfs_snapshots_window_class_init (AvfsSnapshotsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_snapshots_window_dispose;
  object_class->finalize = avfs_snapshots_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-snapshots-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, description_row);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, problem_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, count_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsSnapshotsWindow, list_view);
  gtk_widget_class_bind_template_callback (widget_class, snapshot_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, snapshot_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_install_action (widget_class, "snapshots.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "snapshots.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "snapshots.restore", "s", restore_activated);
  gtk_widget_class_install_action (widget_class, "snapshots.delete", "s", delete_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
avfs_snapshots_window_init (AvfsSnapshotsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->snapshots = g_ptr_array_new ();
  self->names = gtk_string_list_new (NULL);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->names)))));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "snapshots.save", FALSE);
}

/**
 * avfs_snapshots_window_new:
 * @parent: the window it belongs to
 * @vault: the vault whose snapshots to show
 * @vault_name: the name the vault is shown by
 *
 * Returns: (transfer none): a new window, listing the snapshots of @vault
 */
AvfsSnapshotsWindow *
avfs_snapshots_window_new (GtkWindow  *parent,
                           AvfsVault  *vault,
                           const char *vault_name)
{
  AvfsSnapshotsWindow *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (AVFS_IS_VAULT (vault), NULL);

  self = g_object_new (AVFS_TYPE_SNAPSHOTS_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->vault = g_object_ref (vault);
  adw_window_title_set_subtitle (self->window_title, vault_name);
  load_snapshots (self);
  return self;
}

/**
 * avfs_snapshots_window_get_names:
 *
 * Returns: (transfer none): the names of the snapshots listed, in order (a list of
 *   #GtkStringObject)
 */
GListModel *
avfs_snapshots_window_get_names (AvfsSnapshotsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_SNAPSHOTS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->names);
}

/**
 * avfs_snapshots_window_get_problem:
 *
 * Returns: (nullable): what is wrong with the name or description typed, as shown
 */
const char *
avfs_snapshots_window_get_problem (AvfsSnapshotsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_SNAPSHOTS_WINDOW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->problem_label)))
    return NULL;
  return gtk_label_get_label (self->problem_label);
}

/**
 * avfs_snapshots_window_is_busy:
 *
 * Returns: whether the list is loading or a change is in flight
 */
gboolean
avfs_snapshots_window_is_busy (AvfsSnapshotsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_SNAPSHOTS_WINDOW (self), FALSE);
  return self->busy > 0;
}
