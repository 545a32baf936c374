/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsPruneDialog: asks how many versions of each file to keep and how old a version
 * must be to go, and lists what those limits would remove (a dry run of the prune, made
 * again a moment after each change). Prune stays off until the preview finds something. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-detail-private.h"
#include "avfs-prune-dialog.h"
#include "avfs-vault-async-maintenance.h"

/* How long after the last change of a limit the preview is made again, in ms. */
#define PREVIEW_DELAY 250

struct _AvfsPruneDialog
{
  AdwMessageDialog parent_instance;

  /* Template children */
  GtkSpinButton *keep_spin;
  GtkSpinButton *days_spin;
  GtkLabel *summary_label;
  GtkSpinner *spinner;
  GtkListView *preview_view;

  AvfsVault *vault;
  GCancellable *cancellable;    /* the preview in flight; a change makes it stale */
  AvfsPruneReport *preview;     /* what the limits shown would remove, or %NULL */
  GtkStringList *paths;         /* item i is preview->versions[i] */
  guint preview_id;
  gboolean previewing;
};

G_DEFINE_FINAL_TYPE (AvfsPruneDialog, avfs_prune_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
version_setup_cb (AvfsPruneDialog *self,
                  GtkListItem     *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *path = gtk_label_new (NULL);
  GtkWidget *details = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (path), 0);
  gtk_label_set_ellipsize (GTK_LABEL (path), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_widget_add_css_class (details, "caption");
  gtk_widget_add_css_class (details, "dim-label");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), path);
  gtk_box_append (GTK_BOX (box), details);
  g_object_set_data (G_OBJECT (box), "path", path);
  g_object_set_data (G_OBJECT (box), "details", details);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
version_bind_cb (AvfsPruneDialog *self,
                 GtkListItem     *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  AvfsPrunedVersion *version = g_ptr_array_index (self->preview->versions,
                                                  gtk_list_item_get_position (item));
  g_autofree char *time = avfs_detail_format_time (version->time_us);
  g_autofree char *size = g_format_size (version->size);
  /* Translators: a version's number, date and size, as in "Version 3 · 2024-03-05 14:07 · 2 kB" */
  g_autofree char *details = g_strdup_printf (_("Version %u · %s · %s"), version->version, time,
                                              size);

  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "path"), version->path);
  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "details"), details);
}

static void
set_previewing (AvfsPruneDialog *self,
                gboolean         previewing)
{
  self->previewing = previewing;
  gtk_spinner_set_spinning (self->spinner, previewing);
}

/* Shows @preview (or none) and @summary, and allows Prune only with something to prune. */
static void
show_preview (AvfsPruneDialog *self,
              AvfsPruneReport *preview,
              const char      *summary)
{
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->paths));
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  g_clear_pointer (&self->preview, avfs_prune_report_free);
  self->preview = preview;
  for (guint i = 0; preview != NULL && i < preview->versions->len; i++)
    g_ptr_array_add (paths, ((AvfsPrunedVersion *) g_ptr_array_index (preview->versions, i))->path);
  g_ptr_array_add (paths, NULL);
  gtk_string_list_splice (self->paths, 0, n_shown, (const char *const *) paths->pdata);
  gtk_label_set_label (self->summary_label, summary);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), AVFS_PRUNE_DIALOG_PRUNE,
                                           preview != NULL && preview->versions_removed > 0);
}

static void
previewed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsPruneDialog *self = call->owner;
  g_autoptr(GError) error = NULL;
  AvfsPruneReport *preview = avfs_vault_prune_finish (AVFS_VAULT (source), result, &error);
  g_autofree char *versions = NULL;
  g_autofree char *summary = NULL;

  if (avfs_detail_call_is_stale (call))
    {
      g_clear_pointer (&preview, avfs_prune_report_free);
      return;
    }
  set_previewing (self, FALSE);
  if (preview == NULL)
    {
      show_preview (self, NULL, error->message);
      return;
    }
  if (preview->versions_removed == 0)
    {
      show_preview (self, preview, _("Nothing to prune with these limits"));
      return;
    }
  versions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%llu version", "%llu versions",
                                           preview->versions_removed),
                              (unsigned long long) preview->versions_removed);
  /* Translators: "3 versions" and how many files they belong to */
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %llu file would go",
                                          "%s of %llu files would go",
                                          preview->files_touched),
                             versions, (unsigned long long) preview->files_touched);
  show_preview (self, preview, summary);
}

static gboolean
run_preview (gpointer user_data)
{
  AvfsPruneDialog *self = user_data;
  guint keep = avfs_prune_dialog_get_keep (self);
  guint older_than = avfs_prune_dialog_get_older_than (self);

  self->preview_id = 0;
  avfs_detail_cancel (&self->cancellable);
  if (keep == 0 && older_than == 0)
    {
      set_previewing (self, FALSE);
      show_preview (self, NULL, _("Set a number of versions to keep or an age"));
      return G_SOURCE_REMOVE;
    }
  set_previewing (self, TRUE);
  avfs_vault_prune_async (self->vault, keep, older_than, TRUE, self->cancellable, previewed_cb,
                          avfs_detail_call_new (self, self->cancellable));
  return G_SOURCE_REMOVE;
}

/* Limits change in bursts (a held spin button): preview the last of them. */
static void
limits_changed_cb (AvfsPruneDialog *self)
{
  g_clear_handle_id (&self->preview_id, g_source_remove);
  /* What is listed no longer matches the limits: Prune waits for the new preview. */
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), AVFS_PRUNE_DIALOG_PRUNE,
                                           FALSE);
  set_previewing (self, TRUE);
  self->preview_id = g_timeout_add (PREVIEW_DELAY, run_preview, self);
}

static void
avfs_prune_dialog_dispose (GObject *object)
{
  AvfsPruneDialog *self = AVFS_PRUNE_DIALOG (object);

  g_clear_handle_id (&self->preview_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_PRUNE_DIALOG);
  g_clear_object (&self->vault);
  g_clear_object (&self->paths);
  G_OBJECT_CLASS (avfs_prune_dialog_parent_class)->dispose (object);
}

static void
avfs_prune_dialog_finalize (GObject *object)
{
  AvfsPruneDialog *self = AVFS_PRUNE_DIALOG (object);

  g_clear_pointer (&self->preview, avfs_prune_report_free);
  G_OBJECT_CLASS (avfs_prune_dialog_parent_class)->finalize (object);
}

static void
avfs_prune_dialog_class_init (AvfsPruneDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_prune_dialog_dispose;
  object_class->finalize = avfs_prune_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-prune-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsPruneDialog, keep_spin);
  gtk_widget_class_bind_template_child (widget_class, AvfsPruneDialog, days_spin);
  gtk_widget_class_bind_template_child (widget_class, AvfsPruneDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsPruneDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AvfsPruneDialog, preview_view);
  gtk_widget_class_bind_template_callback (widget_class, version_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, version_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, limits_changed_cb);
}

static void
avfs_prune_dialog_init (AvfsPruneDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->paths = gtk_string_list_new (NULL);
  gtk_list_view_set_model (self->preview_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->paths)))));
}

/**
 * avfs_prune_dialog_new:
 * @parent: the window the dialog belongs to
 * @vault: the vault to prune
 *
 * Returns: (transfer none): the modal dialog, not shown yet, previewing its default
 *   limits; connect to `response::prune` and read the limits there
 */
AvfsPruneDialog *
avfs_prune_dialog_new (GtkWindow *parent,
                       AvfsVault *vault)
{
  AvfsPruneDialog *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (AVFS_IS_VAULT (vault), NULL);

  self = g_object_new (AVFS_TYPE_PRUNE_DIALOG, "transient-for", parent, NULL);
  self->vault = g_object_ref (vault);
  run_preview (self);
  return self;
}

/**
 * avfs_prune_dialog_set_limits:
 * @keep: versions of each file to keep (0: any number)
 * @older_than_days: how old a version must be to go (0: any age)
 *
 * Sets both limits as if typed; the preview follows a moment later.
 */
void
avfs_prune_dialog_set_limits (AvfsPruneDialog *self,
                              guint            keep,
                              guint            older_than_days)
{
  g_return_if_fail (AVFS_IS_PRUNE_DIALOG (self));

  gtk_spin_button_set_value (self->keep_spin, keep);
  gtk_spin_button_set_value (self->days_spin, older_than_days);
}

guint
avfs_prune_dialog_get_keep (AvfsPruneDialog *self)
{
  g_return_val_if_fail (AVFS_IS_PRUNE_DIALOG (self), 0);
  return gtk_spin_button_get_value_as_int (self->keep_spin);
}

guint
avfs_prune_dialog_get_older_than (AvfsPruneDialog *self)
{
  g_return_val_if_fail (AVFS_IS_PRUNE_DIALOG (self), 0);
  return gtk_spin_button_get_value_as_int (self->days_spin);
}

/**
 * avfs_prune_dialog_get_preview:
 *
 * Returns: (transfer none) (nullable): what the limits shown would remove, as listed
 */
const AvfsPruneReport *
avfs_prune_dialog_get_preview (AvfsPruneDialog *self)
{
  g_return_val_if_fail (AVFS_IS_PRUNE_DIALOG (self), NULL);
  return self->preview;
}

/**
 * avfs_prune_dialog_is_previewing:
 *
 * Returns: whether the preview is waiting for the limits to settle or for the vault
 */
gboolean
avfs_prune_dialog_is_previewing (AvfsPruneDialog *self)
{
  g_return_val_if_fail (AVFS_IS_PRUNE_DIALOG (self), FALSE);
  return self->previewing;
}
