/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsTransferDialog: an import into a vault folder or an export to a host folder. Names
 * that exist where the items go are asked about first (skip or replace); then progress
 * with the rate and Cancel; then what was done, with what was skipped and why. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-path.h"
#include "avfs-transfer-dialog.h"
#include "avfs-vault-async.h"
#include "avfs-vault-async-transfer.h"

/* The rate is shown once there is enough time behind it to mean something. */
#define RATE_AFTER_US (G_USEC_PER_SEC / 2)

typedef struct
{
  char *source;   /* a host path (import) or a vault path (export) */
  char *target;   /* where it goes: a vault path or a host path */
  char *name;     /* its name where it goes, to ask about and to show */
} Job;

struct _AvfsTransferDialog
{
  AdwWindow parent_instance;

  /* Template children */
  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkLabel *heading_label;
  GtkLabel *item_label;
  GtkProgressBar *progress_bar;
  GtkLabel *figures_label;
  AdwStatusPage *summary_page;
  GtkListBox *summary_list;

  AvfsVault *vault;
  gboolean exporting;
  char *destination;          /* the vault folder or host folder the items go into */
  GPtrArray *jobs;            /* of Job, run one after the other */
  guint next_job;
  guint flags;                /* AvfsImportFlags or AvfsExportFlags */
  GCancellable *cancellable;
  GTask *task;                /* returns when the transfer ends */
  AvfsTransferReport report;  /* of the jobs finished */
  gint64 started_us;
  gboolean running;
  gboolean disposed;          /* the window went (with its parent): no more UI */
};

G_DEFINE_FINAL_TYPE (AvfsTransferDialog, avfs_transfer_dialog, ADW_TYPE_WINDOW)

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->source);
  g_free (job->target);
  g_free (job->name);
  g_free (job);
}

static void
add_job (AvfsTransferDialog *self,
         const char         *source,
         char               *target,
         char               *name)
{
  Job *job = g_new0 (Job, 1);

  job->source = g_strdup (source);
  job->target = target;
  job->name = name;
  g_ptr_array_add (self->jobs, job);
}

static Job *
job_at (AvfsTransferDialog *self,
        guint               index)
{
  return g_ptr_array_index (self->jobs, index);
}

/* Summary */

static void
add_report (AvfsTransferReport       *sum,
            const AvfsTransferReport *done)
{
  sum->files += done->files;
  sum->directories += done->directories;
  sum->bytes += done->bytes;
  sum->unchanged += done->unchanged;
  sum->skipped_existing += done->skipped_existing;
  sum->skipped_symlinks += done->skipped_symlinks;
  sum->skipped_special += done->skipped_special;
  sum->skipped_names += done->skipped_names;
}

static void
add_summary_row (AvfsTransferDialog *self,
                 const char         *title,
                 const char         *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (self->summary_list, row);
}

/* One row per figure; those that only explain what was left out show when not 0. */
static void
fill_summary (AvfsTransferDialog *self)
{
  const AvfsTransferReport *r = &self->report;
  const struct
  {
    const char *title;
    guint64 value;
    gboolean always;
  } rows[] = {
    { N_("Files written"), r->files, TRUE },
    { N_("Folders created"), r->directories, FALSE },
    { N_("Unchanged files (no new version)"), r->unchanged, FALSE },
    { N_("Existing files left alone"), r->skipped_existing, FALSE },
    { N_("Symbolic links skipped"), r->skipped_symlinks, FALSE },
    { N_("Special files skipped (devices, pipes, sockets)"), r->skipped_special, FALSE },
    { N_("Names a vault cannot hold, skipped"), r->skipped_names, FALSE },
  };
  g_autofree char *size = g_format_size (r->bytes);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *value = NULL;

      if (!rows[i].always && rows[i].value == 0)
        continue;
      value = g_strdup_printf ("%" G_GUINT64_FORMAT, rows[i].value);
      add_summary_row (self, _(rows[i].title), value);
    }
  add_summary_row (self, _("Size"), size);
}

static void
show_summary (AvfsTransferDialog *self,
              const GError       *error)
{
  gboolean cancelled = g_error_matches (error, AVFS_ERROR, AVFS_ERROR_CANCELLED);
  const char *title;
  const char *description = NULL;

  if (error == NULL)
    title = self->exporting ? _("Export Complete") : _("Import Complete");
  else if (cancelled)
    {
      title = self->exporting ? _("Export Cancelled") : _("Import Cancelled");
      description = self->exporting ? _("The files written before Cancel was pressed stay "
                                        "where they are.")
                                    : _("The files imported before Cancel was pressed stay "
                                        "in the vault; importing again completes the rest.");
    }
  else
    {
      title = self->exporting ? _("Export Failed") : _("Import Failed");
      description = error->message;
    }
  adw_status_page_set_title (self->summary_page, title);
  adw_status_page_set_description (self->summary_page, description);
  adw_status_page_set_icon_name (self->summary_page,
                                 error == NULL ? "emblem-ok-symbolic"
                                 : cancelled ? "process-stop-symbolic"
                                 : "dialog-warning-symbolic");
  fill_summary (self);
  gtk_stack_set_visible_child_name (self->stack, "summary");
}

/* Ends the transfer: the summary shows and the caller hears of it. */
static void
finish (AvfsTransferDialog *self,
        const GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  self->running = FALSE;
  if (!self->disposed)
    show_summary (self, error);
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Progress */

static char *
format_count (guint64 n)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

static void
progress_cb (const AvfsProgress *progress,
             gpointer            user_data)
{
  AvfsTransferDialog *self = user_data;
  guint64 files = self->report.files + self->report.unchanged + progress->files_done;
  guint64 bytes = self->report.bytes + progress->bytes_done;
  gint64 elapsed = g_get_monotonic_time () - self->started_us;
  g_autofree char *count = format_count (files);
  g_autofree char *size = g_format_size (bytes);
  g_autofree char *text = NULL;

  if (self->disposed || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (progress->files_total > 0 && self->jobs->len == 1)
    {
      /* Only an export knows its totals, and it has one job. */
      g_autofree char *total = format_count (progress->files_total);
      g_autofree char *total_size = g_format_size (progress->bytes_total);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s file · %s of %s",
                                           "%s of %s files · %s of %s", progress->files_total),
                              count, total, size, total_size);
      gtk_progress_bar_set_fraction (self->progress_bar,
                                     progress->bytes_total > 0
                                     ? (double) progress->bytes_done / progress->bytes_total
                                     : (double) progress->files_done / progress->files_total);
    }
  else
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s file · %s", "%s files · %s",
                                           files), count, size);
      gtk_progress_bar_pulse (self->progress_bar);
    }
  if (elapsed >= RATE_AFTER_US)
    {
      g_autofree char *rate = g_format_size (bytes * G_USEC_PER_SEC / elapsed);
      g_autofree char *with_rate = g_strdup_printf (_("%s · %s/s"), text, rate);

      g_free (text);
      text = g_steal_pointer (&with_rate);
    }
  gtk_label_set_text (self->figures_label, text);
}

/* Running the jobs */

static void run_next (AvfsTransferDialog *self);

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AvfsTransferDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  AvfsTransferReport done = { 0 };
  gboolean ok;

  if (self->exporting)
    ok = avfs_vault_export_finish (AVFS_VAULT (source), result, &done, &error);
  else
    ok = avfs_vault_import_finish (AVFS_VAULT (source), result, &done, &error);
  add_report (&self->report, &done);
  if (!ok)
    {
      finish (self, error);
      return;
    }
  self->next_job++;
  run_next (self);
}

static void
run_next (AvfsTransferDialog *self)
{
  Job *job;

  if (self->next_job == self->jobs->len)
    {
      finish (self, NULL);
      return;
    }
  job = job_at (self, self->next_job);
  if (!self->disposed)
    gtk_label_set_text (self->item_label, job->name);
  if (self->exporting)
    avfs_vault_export_async (self->vault, job->source, job->target, self->flags, progress_cb,
                             self, self->cancellable, job_done_cb, g_object_ref (self));
  else
    avfs_vault_import_async (self->vault, job->source, job->target, self->flags, progress_cb,
                             self, self->cancellable, job_done_cb, g_object_ref (self));
}

static void
start (AvfsTransferDialog *self)
{
  g_autofree char *heading = NULL;
  const char *first = job_at (self, 0)->name;
  guint n = self->jobs->len;

  if (self->exporting)
    heading = g_strdup_printf (_("Exporting “%s” to %s"), first, self->destination);
  else if (n == 1)
    heading = g_strdup_printf (_("Importing “%s” into %s"), first, self->destination);
  else
    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Importing %u item into %s",
                                            "Importing %u items into %s", n),
                               n, self->destination);
  gtk_label_set_text (self->heading_label, heading);
  gtk_label_set_text (self->figures_label, _("Starting…"));
  self->running = TRUE;
  self->started_us = g_get_monotonic_time ();
  gtk_window_present (GTK_WINDOW (self));
  run_next (self);
}

/* Asking about names that exist */

/* Leaves without having done anything: the dialog never showed. */
static void
decline (AvfsTransferDialog *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_task_return_new_error (task, AVFS_ERROR, AVFS_ERROR_CANCELLED, "%s",
                           self->exporting ? _("Nothing was exported") : _("Nothing was imported"));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
conflict_response_cb (AdwMessageDialog   *question,
                      const char         *response,
                      AvfsTransferDialog *self)
{
  /* Only the first answer counts: closing the question afterwards answers "cancel". */
  g_signal_handlers_disconnect_by_func (question, conflict_response_cb, self);
  if (g_str_equal (response, "skip"))
    self->flags = AVFS_IMPORT_NO_CLOBBER;
  else if (g_str_equal (response, "replace"))
    self->flags = self->exporting ? AVFS_EXPORT_OVERWRITE : AVFS_IMPORT_NONE;
  else
    {
      decline (self);
      return;
    }
  start (self);
}

static void
ask (AvfsTransferDialog *self,
     GPtrArray          *existing)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  AdwMessageDialog *question = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, NULL, NULL));
  const char *first = g_ptr_array_index (existing, 0);

  if (existing->len == 1)
    adw_message_dialog_format_heading (question, _("“%s” Already Exists"), first);
  else
    adw_message_dialog_format_heading (question, _("%u Items Already Exist"), existing->len);
  if (self->exporting)
    adw_message_dialog_format_body (question, _("%s already holds “%s”. Replace overwrites "
                                                "the files that have the same names; folders "
                                                "are merged."), self->destination, first);
  else
    adw_message_dialog_format_body (question, _("%s already holds “%s”%s. Replace stores the "
                                                "new content as a new version of each file "
                                                "(the old versions stay in its history); Skip "
                                                "Existing leaves those files as they are."),
                                    self->destination, first,
                                    existing->len > 1 ? _(" and more") : "");
  adw_message_dialog_add_response (question, "cancel", _("_Cancel"));
  if (!self->exporting)
    adw_message_dialog_add_response (question, "skip", _("_Skip Existing"));
  adw_message_dialog_add_response (question, "replace", _("_Replace"));
  adw_message_dialog_set_response_appearance (question, "replace",
                                              self->exporting ? ADW_RESPONSE_DESTRUCTIVE
                                                              : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (question, "cancel");
  adw_message_dialog_set_close_response (question, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (question), TRUE);
  g_signal_connect_object (question, "response", G_CALLBACK (conflict_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (question));
}

static void
decide (AvfsTransferDialog *self,
        GPtrArray          *existing)
{
  g_autoptr(GError) error = NULL;

  if (self->disposed)
    {
      g_set_error_literal (&error, AVFS_ERROR, AVFS_ERROR_CANCELLED, _("The window was closed"));
      finish (self, error);
    }
  else if (existing->len == 0)
    start (self);
  else
    ask (self, existing);
}

/* An import: which of the names are in the vault folder already (one listing). */
static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AvfsTransferDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = avfs_vault_list_finish (AVFS_VAULT (source), result, &error);
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GPtrArray) existing = g_ptr_array_new ();

  if (entries == NULL)
    {
      gtk_window_present (GTK_WINDOW (self));
      finish (self, error);
      return;
    }
  names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < entries->len; i++)
    g_hash_table_add (names, ((AvfsFileInfo *) g_ptr_array_index (entries, i))->name);
  for (guint i = 0; i < self->jobs->len; i++)
    if (g_hash_table_contains (names, job_at (self, i)->name))
      g_ptr_array_add (existing, job_at (self, i)->name);
  decide (self, existing);
}

/* An export: whether its one target is on the host already. */
static void
host_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AvfsTransferDialog) self = user_data;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);
  g_autoptr(GPtrArray) existing = g_ptr_array_new ();

  /* A target that cannot be looked at is left to the export, which says why. */
  if (info != NULL)
    g_ptr_array_add (existing, job_at (self, 0)->name);
  decide (self, existing);
}

static AvfsTransferDialog *
transfer_dialog_new (GtkWindow           *parent,
                     AvfsVault           *vault,
                     gboolean             exporting,
                     const char          *destination,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  AvfsTransferDialog *self = g_object_new (AVFS_TYPE_TRANSFER_DIALOG,
                                           "transient-for", parent,
                                           "title", exporting ? _("Export") : _("Import"),
                                           NULL);

  self->vault = g_object_ref (vault);
  self->exporting = exporting;
  self->destination = g_strdup (destination);
  adw_window_title_set_title (self->window_title, gtk_window_get_title (GTK_WINDOW (self)));
  self->task = g_task_new (self, NULL, callback, user_data);
  return self;
}

/**
 * avfs_transfer_dialog_import:
 * @parent: the window the dialogs belong to
 * @host_paths: files and folders of the host
 * @vault_folder: the vault folder they go into, each under its own name (a folder with
 *   everything in it)
 * @callback: (nullable): called when the import has ended (the summary may still show)
 *
 * Imports @host_paths one after the other. When names exist in @vault_folder already, a
 * question comes first: skip existing files, replace them (a new version each), or cancel.
 */
void
avfs_transfer_dialog_import (GtkWindow           *parent,
                             AvfsVault           *vault,
                             GStrv                host_paths,
                             const char          *vault_folder,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  AvfsTransferDialog *self;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (AVFS_IS_VAULT (vault));
  g_return_if_fail (host_paths != NULL && host_paths[0] != NULL);
  g_return_if_fail (vault_folder != NULL);

  self = transfer_dialog_new (parent, vault, FALSE, vault_folder, callback, user_data);
  g_task_set_source_tag (self->task, avfs_transfer_dialog_import);
  for (guint i = 0; host_paths[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (host_paths[i]);
      char *name = g_filename_display_name (base);

      add_job (self, host_paths[i], avfs_path_join (vault_folder, name), name);
    }
  avfs_vault_list_async (vault, vault_folder, self->cancellable, listed_cb, g_object_ref (self));
}

/**
 * avfs_transfer_dialog_export:
 * @parent: the window the dialogs belong to
 * @vault_path: a file or folder of @vault
 * @host_path: where it goes: the file, or the folder its contents go into
 * @callback: (nullable): called when the export has ended (the summary may still show)
 *
 * Exports @vault_path. When @host_path exists, a question comes first: replace the files
 * of the same names (folders are merged), or cancel.
 */
void
avfs_transfer_dialog_export (GtkWindow           *parent,
                             AvfsVault           *vault,
                             const char          *vault_path,
                             const char          *host_path,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  AvfsTransferDialog *self;
  g_autofree char *folder = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GFile) target = NULL;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (AVFS_IS_VAULT (vault));
  g_return_if_fail (vault_path != NULL);
  g_return_if_fail (host_path != NULL);

  folder = g_path_get_dirname (host_path);
  shown = g_filename_display_name (folder);
  base = g_path_get_basename (host_path);
  self = transfer_dialog_new (parent, vault, TRUE, shown, callback, user_data);
  g_task_set_source_tag (self->task, avfs_transfer_dialog_export);
  add_job (self, vault_path, g_strdup (host_path), g_filename_display_name (base));
  target = g_file_new_for_path (host_path);
  g_file_query_info_async (target, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT,
                           self->cancellable, host_checked_cb, g_object_ref (self));
}

/**
 * avfs_transfer_dialog_finish:
 * @error: why nothing or not everything was transferred; %AVFS_ERROR_CANCELLED when
 *   the question or the transfer was cancelled
 *
 * Returns: whether everything was transferred
 */
gboolean
avfs_transfer_dialog_finish (AvfsTransferDialog  *self,
                             GAsyncResult        *result,
                             GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * avfs_transfer_dialog_get_page:
 *
 * Returns: `progress` while the transfer runs, `summary` once it has ended
 */
const char *
avfs_transfer_dialog_get_page (AvfsTransferDialog *self)
{
  g_return_val_if_fail (AVFS_IS_TRANSFER_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * avfs_transfer_dialog_get_report:
 *
 * Returns: (transfer none): what was transferred so far (by the items that ended)
 */
const AvfsTransferReport *
avfs_transfer_dialog_get_report (AvfsTransferDialog *self)
{
  g_return_val_if_fail (AVFS_IS_TRANSFER_DIALOG (self), NULL);
  return &self->report;
}

/**
 * avfs_transfer_dialog_cancel:
 *
 * Stops the transfer at the next read; what was done stays done.
 */
void
avfs_transfer_dialog_cancel (AvfsTransferDialog *self)
{
  g_return_if_fail (AVFS_IS_TRANSFER_DIALOG (self));

  if (!self->running)
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_label_set_text (self->figures_label, _("Cancelling…"));
}

/* Closing while it runs is Cancel; the summary shows when the transfer has stopped. */
static gboolean
avfs_transfer_dialog_close_request (GtkWindow *window)
{
  AvfsTransferDialog *self = AVFS_TRANSFER_DIALOG (window);

  if (!self->running)
    return GTK_WINDOW_CLASS (avfs_transfer_dialog_parent_class)->close_request (window);
  avfs_transfer_dialog_cancel (self);
  return TRUE;
}

static void
avfs_transfer_dialog_dispose (GObject *object)
{
  AvfsTransferDialog *self = AVFS_TRANSFER_DIALOG (object);

  /* Gone with its window (the app quits): the transfer stops at the next read. */
  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_TRANSFER_DIALOG);
  G_OBJECT_CLASS (avfs_transfer_dialog_parent_class)->dispose (object);
}

static void
avfs_transfer_dialog_finalize (GObject *object)
{
  AvfsTransferDialog *self = AVFS_TRANSFER_DIALOG (object);

  g_clear_object (&self->vault);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->task);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_free (self->destination);
  G_OBJECT_CLASS (avfs_transfer_dialog_parent_class)->finalize (object);
}

static void
avfs_transfer_dialog_class_init (AvfsTransferDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = avfs_transfer_dialog_dispose;
  object_class->finalize = avfs_transfer_dialog_finalize;
  window_class->close_request = avfs_transfer_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-transfer-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, item_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, figures_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, summary_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsTransferDialog, summary_list);
  gtk_widget_class_bind_template_callback (widget_class, avfs_transfer_dialog_cancel);
}

static void
avfs_transfer_dialog_init (AvfsTransferDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->jobs = g_ptr_array_new_with_free_func (job_free);
  self->cancellable = g_cancellable_new ();
}
