/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailHistory: the versions of a file, newest first. Selecting one compares it
 * with the current content, selecting two compares them; Restore checks a version out,
 * which appends its content as a new version. */
#include "avfs-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "avfs-detail-history.h"
#include "avfs-detail-private.h"
#include "avfs-diff-view.h"
#include "avfs-vault-async-history.h"

struct _AvfsDetailHistory
{
  GtkWidget parent_instance;

  AdwPreferencesGroup *group;
  GtkSpinner *spinner;
  GtkScrolledWindow *version_scroller;
  GtkListView *version_view;
  GtkLabel *error_label;
  GtkLabel *compare_label;
  AvfsDiffView *diff_view;

  AvfsVault *vault;
  char *path;
  GCancellable *cancellable;      /* what is loaded for the file */
  GCancellable *diff_cancellable; /* the diff of the selection; a new selection drops it */
  GPtrArray *versions;            /* AvfsVersionInfo, newest first: item i of labels */
  GtkStringList *labels;
  GtkMultiSelection *selection;
};

G_DEFINE_FINAL_TYPE (AvfsDetailHistory, avfs_detail_history, GTK_TYPE_WIDGET)

/* A list view asks only for the rows it has made so far, so the list is given room for
 * up to this many rows of about this height; more scroll. */
#define VISIBLE_ROWS 5
#define ROW_HEIGHT 50

enum {
  PROP_0,
  PROP_N_VERSIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_RESTORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (AvfsDetailHistory *self,
            const char        *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
version_setup_cb (AvfsDetailHistory *self,
                  GtkListItem       *item)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *current = gtk_label_new (_("Current"));
  GtkWidget *restore = gtk_button_new_with_mnemonic (_("_Restore"));

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), subtitle);
  gtk_box_append (GTK_BOX (row), texts);
  gtk_widget_add_css_class (current, "caption-heading");
  gtk_widget_add_css_class (current, "accent");
  gtk_widget_set_valign (current, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), current);
  gtk_widget_set_tooltip_text (restore, _("Make this content current again, as a new version"));
  gtk_widget_set_valign (restore, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), restore);
  g_object_set_data (G_OBJECT (row), "title", title);
  g_object_set_data (G_OBJECT (row), "subtitle", subtitle);
  g_object_set_data (G_OBJECT (row), "current", current);
  g_object_set_data (G_OBJECT (row), "restore", restore);
  gtk_list_item_set_child (item, row);
}

static void
version_bind_cb (AvfsDetailHistory *self,
                 GtkListItem       *item)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  AvfsVersionInfo *info = g_ptr_array_index (self->versions, gtk_list_item_get_position (item));
  g_autofree char *title = g_strdup_printf (_("Version %u"), info->number);
  g_autofree char *time = avfs_detail_format_time (info->time_us);
  g_autofree char *size = g_format_size (info->size);
  /* TRANSLATORS: a version's date, size and the operation that made it ("write"…) */
  g_autofree char *subtitle = g_strdup_printf (_("%s · %s · %s"), time, size, info->op);
  GtkWidget *restore = g_object_get_data (G_OBJECT (row), "restore");

  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "title"), title);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "subtitle"), subtitle);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "current"), info->is_current);
  gtk_widget_set_visible (restore, !info->is_current);
  /* The target first: an action name without its target warns. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (restore), "u", info->number);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (restore), "detail-history.restore");
}

static void
diff_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailHistory *self = call->owner;
  g_autoptr(GError) error = NULL;
  g_autofree char *diff = avfs_vault_diff_finish (AVFS_VAULT (source), result, &error);
  g_autofree char *added = NULL;
  g_autofree char *summary = NULL;
  guint n_added, n_removed;

  if (avfs_detail_call_is_stale (call))
    return;
  gtk_spinner_stop (self->spinner);
  if (diff == NULL)
    {
      show_error (self, error->message);
      return;
    }
  if (diff[0] == '\0')
    {
      gtk_label_set_label (self->compare_label, _("The contents are the same."));
      return;
    }
  avfs_diff_view_set_diff (self->diff_view, diff);
  gtk_widget_set_visible (GTK_WIDGET (self->diff_view), TRUE);
  n_added = avfs_diff_view_get_n_added (self->diff_view);
  n_removed = avfs_diff_view_get_n_removed (self->diff_view);
  added = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line added", "%u lines added",
                                        n_added), n_added);
  /* TRANSLATORS: the first %s is "N lines added"; the second part counts removed lines */
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u removed.", "%s, %u removed.",
                                          n_removed), added, n_removed);
  gtk_label_set_label (self->compare_label, summary);
}

/* Compares @old_number with @new_number (0: the current content). */
static void
start_diff (AvfsDetailHistory *self,
            guint32            old_number,
            guint32            new_number)
{
  show_error (self, NULL);
  gtk_label_set_label (self->compare_label, _("Comparing…"));
  gtk_spinner_start (self->spinner);
  avfs_vault_diff_async (self->vault, self->path, old_number, self->path, new_number,
                         self->diff_cancellable, diff_done_cb,
                         avfs_detail_call_new (self, self->diff_cancellable));
}

static void
selection_changed_cb (AvfsDetailHistory *self)
{
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  AvfsVersionInfo *newest, *oldest;

  avfs_detail_cancel (&self->diff_cancellable);
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->diff_view), FALSE);
  if (gtk_bitset_is_empty (selected))
    {
      gtk_label_set_label (self->compare_label,
                           _("Select a version to compare it with the current content, "
                             "or two versions (Ctrl+click) to compare them."));
      return;
    }
  /* Positions count from the newest version; with more than two selected, the newest
   * and the oldest of them are compared. */
  newest = g_ptr_array_index (self->versions, gtk_bitset_get_minimum (selected));
  oldest = g_ptr_array_index (self->versions, gtk_bitset_get_maximum (selected));
  if (newest != oldest)
    start_diff (self, oldest->number, newest->number);
  else if (!newest->is_current)
    start_diff (self, newest->number, 0);
  else if (gtk_bitset_get_minimum (selected) + 1 < self->versions->len)
    start_diff (self, ((AvfsVersionInfo *) g_ptr_array_index (
                         self->versions, gtk_bitset_get_minimum (selected) + 1))->number,
                newest->number);
  else
    gtk_label_set_label (self->compare_label, _("This is the only version."));
}

static void
show_versions (AvfsDetailHistory *self,
               GPtrArray         *versions)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) labels = NULL;
  g_autofree char *description = NULL;

  g_ptr_array_unref (self->versions);
  self->versions = g_ptr_array_ref (versions);
  for (guint i = 0; i < versions->len; i++)
    {
      AvfsVersionInfo *info = g_ptr_array_index (versions, i);
      char number[16];

      g_snprintf (number, sizeof number, "%u", info->number);
      g_strv_builder_add (builder, number);
    }
  labels = g_strv_builder_end (builder);
  gtk_string_list_splice (self->labels, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->labels)),
                          (const char * const *) labels);
  if (versions->len > 0)
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u version",
                                                "%u versions", versions->len),
                                   versions->len);
  adw_preferences_group_set_description (self->group, description);
  gtk_scrolled_window_set_min_content_height (self->version_scroller,
                                              MIN (versions->len, VISIBLE_ROWS) * ROW_HEIGHT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VERSIONS]);
}

static void
log_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailHistory *self = call->owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = avfs_vault_log_finish (AVFS_VAULT (source), result, &error);

  if (avfs_detail_call_is_stale (call))
    return;
  gtk_spinner_stop (self->spinner);
  if (versions == NULL)
    {
      show_error (self, error->message);
      return;
    }
  show_versions (self, versions);
  selection_changed_cb (self);
}

static void
restore_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailHistory *self = call->owner;
  g_autoptr(GError) error = NULL;
  guint32 new_version = avfs_vault_checkout_finish (AVFS_VAULT (source), result, &error);

  if (avfs_detail_call_is_stale (call))
    return;
  if (new_version == 0)
    {
      show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_RESTORED], 0, call->number, new_version);
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AvfsDetailHistory *self = AVFS_DETAIL_HISTORY (widget);
  AvfsDetailCall *call;

  if (self->vault == NULL)
    return;
  show_error (self, NULL);
  call = avfs_detail_call_new (self, self->cancellable);
  call->number = g_variant_get_uint32 (parameter);
  /* Not cancelled when another file is selected: a restore that was asked for happens. */
  avfs_vault_checkout_async (self->vault, self->path, call->number, NULL, restore_done_cb,
                             call);
}

/**
 * avfs_detail_history_set_file:
 * @vault: (nullable): the vault of @path
 * @path: (nullable): a file, or %NULL to show nothing
 *
 * Loads the versions of @path, dropping what is still loading for the file shown
 * before. A restore already asked for goes through.
 */
void
avfs_detail_history_set_file (AvfsDetailHistory *self,
                              AvfsVault         *vault,
                              const char        *path)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  g_return_if_fail (AVFS_IS_DETAIL_HISTORY (self));
  g_return_if_fail (vault == NULL || AVFS_IS_VAULT (vault));

  avfs_detail_cancel (&self->cancellable);
  avfs_detail_cancel (&self->diff_cancellable);
  /* Without a path there is no file: self->vault == NULL says so everywhere. */
  g_set_object (&self->vault, (path != NULL ? vault : NULL));
  g_free (self->path);
  self->path = g_strdup (path);
  show_error (self, NULL);
  show_versions (self, none);
  gtk_label_set_label (self->compare_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->diff_view), FALSE);
  if (self->vault == NULL)
    {
      gtk_spinner_stop (self->spinner);
      return;
    }
  gtk_spinner_start (self->spinner);
  avfs_vault_log_async (self->vault, self->path, 0, self->cancellable, log_done_cb,
                        avfs_detail_call_new (self, self->cancellable));
}

/**
 * avfs_detail_history_get_n_versions:
 *
 * Returns: how many versions are listed (0 while they load)
 */
guint
avfs_detail_history_get_n_versions (AvfsDetailHistory *self)
{
  g_return_val_if_fail (AVFS_IS_DETAIL_HISTORY (self), 0);
  return self->versions->len;
}

static void
avfs_detail_history_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AvfsDetailHistory *self = AVFS_DETAIL_HISTORY (object);

  switch (prop_id)
    {
    case PROP_N_VERSIONS:
      g_value_set_uint (value, avfs_detail_history_get_n_versions (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
avfs_detail_history_dispose (GObject *object)
{
  AvfsDetailHistory *self = AVFS_DETAIL_HISTORY (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->diff_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_DETAIL_HISTORY);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->diff_cancellable);
  g_clear_object (&self->vault);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->versions, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);
  G_OBJECT_CLASS (avfs_detail_history_parent_class)->dispose (object);
}

static void
avfs_detail_history_class_init (AvfsDetailHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_detail_history_dispose;
  object_class->get_property = avfs_detail_history_get_property;

  properties[PROP_N_VERSIONS] =
    g_param_spec_uint ("n-versions", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AvfsDetailHistory::restored:
   * @version: the version whose content was restored
   * @new_version: the version that now holds it
   */
  signals[SIGNAL_RESTORED] = g_signal_new ("restored", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  g_type_ensure (AVFS_TYPE_DIFF_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-detail-history.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailHistory, group);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailHistory, spinner);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailHistory, version_scroller);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailHistory, version_view);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailHistory, error_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailHistory, compare_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailHistory, diff_view);
  gtk_widget_class_bind_template_callback (widget_class, version_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, version_bind_cb);
  gtk_widget_class_install_action (widget_class, "detail-history.restore", "u",
                                   restore_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_detail_history_init (AvfsDetailHistory *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->diff_cancellable = g_cancellable_new ();
  self->versions = g_ptr_array_new ();
  self->labels = gtk_string_list_new (NULL);
  /* The selection owns the list of labels. */
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (self->labels));
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->version_view, GTK_SELECTION_MODEL (self->selection));
}

/**
 * avfs_detail_history_new:
 *
 * Returns: (transfer floating): a history showing no file
 */
GtkWidget *
avfs_detail_history_new (void)
{
  return g_object_new (AVFS_TYPE_DETAIL_HISTORY, NULL);
}
