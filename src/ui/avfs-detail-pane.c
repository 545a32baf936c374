/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailPane: the details of the file or directory selected in the browser. It
 * stats the item, then loads its preview, tags, metadata and history side by side;
 * selecting another item drops whatever is still loading for the previous one. */
#include "avfs-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "avfs-detail-history.h"
#include "avfs-detail-pane.h"
#include "avfs-detail-preview.h"
#include "avfs-detail-private.h"
#include "avfs-detail-tags.h"
#include "avfs-vault-async.h"

/* Content types are guessed from the name and this many bytes, as GIO reads them. */
#define CONTENT_TYPE_PROBE 4096

struct _AvfsDetailPane
{
  GtkWidget parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  GtkSpinner *spinner;
  AdwStatusPage *error_page;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkLabel *facts_label;
  GtkLabel *type_label;
  GtkWidget *preview_group;
  AvfsDetailPreview *preview;
  AvfsDetailTags *tags;
  AvfsDetailHistory *history;

  AvfsVault *vault;
  char *path;
  GCancellable *cancellable;
  AvfsFileInfo *info;   /* of the item shown, once stat answered */
  gint64 n_items;       /* of a directory, or -1 until the listing answers */
};

G_DEFINE_FINAL_TYPE (AvfsDetailPane, avfs_detail_pane, GTK_TYPE_WIDGET)

enum {
  SIGNAL_FILE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load (AvfsDetailPane *self);

static void
show_page (AvfsDetailPane *self,
           const char     *name)
{
  gtk_spinner_set_spinning (self->spinner, g_str_equal (name, "loading"));
  gtk_stack_set_visible_child_name (self->stack, name);
}

/* The line under the name: size or item count, modified time, version count. */
static void
show_facts (AvfsDetailPane *self)
{
  g_autofree char *time = NULL;
  g_autoptr(GString) facts = g_string_new (NULL);
  guint n_versions = avfs_detail_history_get_n_versions (self->history);

  if (self->info == NULL)
    return;
  time = avfs_detail_format_time (self->info->modified_us);
  if (self->info->kind == AVFS_NODE_KIND_FILE)
    {
      g_autofree char *size = g_format_size (self->info->size);

      g_string_append (facts, size);
    }
  else if (self->n_items >= 0)
    g_string_append_printf (facts, g_dngettext (GETTEXT_PACKAGE, "%lld item", "%lld items",
                                                self->n_items),
                            (long long) self->n_items);
  if (facts->len > 0)
    g_string_append (facts, " · ");
  g_string_append_printf (facts, _("modified %s"), time);
  if (self->info->kind == AVFS_NODE_KIND_FILE && n_versions > 0)
    {
      g_string_append (facts, " · ");
      g_string_append_printf (facts, g_dngettext (GETTEXT_PACKAGE, "%u version",
                                                  "%u versions", n_versions),
                              n_versions);
    }
  gtk_label_set_label (self->facts_label, facts->str);
}

static void
show_content_type (AvfsDetailPane *self,
                   const char     *content_type)
{
  g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (content_type);
  g_autofree char *description = g_content_type_get_description (content_type);
  g_autofree char *mime = g_content_type_get_mime_type (content_type);
  g_autofree char *type = NULL;

  gtk_image_set_from_gicon (self->icon, icon);
  /* TRANSLATORS: a content type's description and MIME type: "Plain text (text/plain)" */
  type = mime != NULL ? g_strdup_printf (_("%s (%s)"), description, mime)
                      : g_strdup (description);
  gtk_label_set_label (self->type_label, type);
}

static char *
guess_content_type (AvfsDetailPane *self,
                    GBytes         *content)
{
  gsize len = 0;
  const guint8 *data = content != NULL ? g_bytes_get_data (content, &len) : NULL;

  return g_content_type_guess (self->info->name, data, MIN (len, CONTENT_TYPE_PROBE), NULL);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailPane *self = call->owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = avfs_vault_read_head_finish (AVFS_VAULT (source), result,
                                                          &error);
  g_autofree char *content_type = NULL;

  if (avfs_detail_call_is_stale (call))
    return;
  if (content == NULL)
    {
      avfs_detail_preview_show_message (self->preview, error->message);
      return;
    }
  content_type = guess_content_type (self, content);
  show_content_type (self, content_type);
  avfs_detail_preview_show_content (self->preview, content_type, content);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailPane *self = call->owner;
  g_autoptr(GPtrArray) children = avfs_vault_list_finish (AVFS_VAULT (source), result, NULL);

  /* Without a listing the count is left out; the rest of the pane still holds. */
  if (avfs_detail_call_is_stale (call) || children == NULL)
    return;
  self->n_items = children->len;
  show_facts (self);
}

/* Starts what a file shows below its header: the preview and the history. */
static void
load_file (AvfsDetailPane *self)
{
  g_autofree char *content_type = guess_content_type (self, NULL);

  gboolean image = g_content_type_is_mime_type (content_type, "image/*");

  show_content_type (self, content_type);
  avfs_detail_history_set_file (self->history, self->vault, self->path);
  /* A picture is decoded whole; any other file shows its start, however large. */
  if (image && self->info->size > AVFS_DETAIL_PANE_PREVIEW_MAX_SIZE)
    {
      g_autofree char *limit = g_format_size (AVFS_DETAIL_PANE_PREVIEW_MAX_SIZE);
      g_autofree char *message =
        g_strdup_printf (_("No preview: pictures larger than %s are not read for a preview."),
                         limit);

      avfs_detail_preview_show_message (self->preview, message);
      return;
    }
  avfs_detail_preview_show_message (self->preview, _("Loading the preview…"));
  avfs_vault_read_head_async (self->vault, self->path, 0,
                              image ? AVFS_DETAIL_PANE_PREVIEW_MAX_SIZE
                                    : AVFS_DETAIL_PREVIEW_TEXT_BYTES,
                              self->cancellable, read_done_cb,
                              avfs_detail_call_new (self, self->cancellable));
}

static void
load_directory (AvfsDetailPane *self)
{
  show_content_type (self, "inode/directory");
  avfs_detail_history_set_file (self->history, NULL, NULL);
  avfs_vault_list_async (self->vault, self->path, self->cancellable, list_done_cb,
                         avfs_detail_call_new (self, self->cancellable));
}

static void
stat_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailPane *self = call->owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = avfs_vault_stat_finish (AVFS_VAULT (source), result, &error);
  gboolean is_file;

  if (avfs_detail_call_is_stale (call))
    return;
  if (info == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      show_page (self, "error");
      return;
    }
  g_clear_pointer (&self->info, avfs_file_info_free);
  self->info = g_steal_pointer (&info);
  self->n_items = -1;
  is_file = self->info->kind == AVFS_NODE_KIND_FILE;
  /* The root's name is "": show it as the path it is. */
  gtk_label_set_label (self->name_label, self->info->name[0] != '\0' ? self->info->name
                                                                      : self->info->path);
  gtk_widget_set_visible (self->preview_group, is_file);
  gtk_widget_set_visible (GTK_WIDGET (self->history), is_file);
  avfs_detail_tags_set_file (self->tags, self->vault, self->path);
  if (is_file)
    load_file (self);
  else
    load_directory (self);
  show_facts (self);
  show_page (self, "details");
}

/* Loads everything again for the same item, keeping what is shown until stat answers. */
static void
load (AvfsDetailPane *self)
{
  avfs_detail_cancel (&self->cancellable);
  avfs_vault_stat_async (self->vault, self->path, self->cancellable, stat_done_cb,
                         avfs_detail_call_new (self, self->cancellable));
}

static void
tags_changed_cb (AvfsDetailPane *self)
{
  g_signal_emit (self, signals[SIGNAL_FILE_CHANGED], 0, self->path);
}

static void
history_restored_cb (AvfsDetailPane *self,
                     guint           version,
                     guint           new_version)
{
  g_autofree char *title = g_strdup_printf (_("Version %u restored as version %u"), version,
                                            new_version);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
  g_signal_emit (self, signals[SIGNAL_FILE_CHANGED], 0, self->path);
  load (self);
}

/**
 * avfs_detail_pane_set_file:
 * @vault: (nullable): the vault of @path
 * @path: (nullable): a file or directory of @vault, or %NULL to show none
 *
 * Shows the details of @path. What is still loading for the item shown before is
 * dropped, so a slow answer about it never replaces the new item. Setting the item
 * shown again reloads it in place.
 */
void
avfs_detail_pane_set_file (AvfsDetailPane *self,
                           AvfsVault      *vault,
                           const char     *path)
{
  gboolean same;

  g_return_if_fail (AVFS_IS_DETAIL_PANE (self));
  g_return_if_fail (vault == NULL || AVFS_IS_VAULT (vault));

  if (vault == NULL || path == NULL)
    {
      avfs_detail_cancel (&self->cancellable);
      g_clear_object (&self->vault);
      g_clear_pointer (&self->path, g_free);
      g_clear_pointer (&self->info, avfs_file_info_free);
      avfs_detail_tags_set_file (self->tags, NULL, NULL);
      avfs_detail_history_set_file (self->history, NULL, NULL);
      show_page (self, "empty");
      return;
    }
  same = self->vault == vault && g_strcmp0 (self->path, path) == 0;
  g_set_object (&self->vault, vault);
  g_free (self->path);
  self->path = g_strdup (path);
  if (!same)
    {
      avfs_detail_tags_set_file (self->tags, NULL, NULL);
      avfs_detail_history_set_file (self->history, NULL, NULL);
      show_page (self, "loading");
    }
  load (self);
}

static void
avfs_detail_pane_dispose (GObject *object)
{
  AvfsDetailPane *self = AVFS_DETAIL_PANE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_DETAIL_PANE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->info, avfs_file_info_free);
  G_OBJECT_CLASS (avfs_detail_pane_parent_class)->dispose (object);
}

static void
avfs_detail_pane_class_init (AvfsDetailPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_detail_pane_dispose;

  /**
   * AvfsDetailPane::file-changed:
   * @path: the item shown
   *
   * The pane changed the item: a tag or metadata edit, or a restored version. Views
   * that show the item (a browser's tag or version column) can refresh it.
   */
  signals[SIGNAL_FILE_CHANGED] = g_signal_new ("file-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (AVFS_TYPE_DETAIL_PREVIEW);
  g_type_ensure (AVFS_TYPE_DETAIL_TAGS);
  g_type_ensure (AVFS_TYPE_DETAIL_HISTORY);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-detail-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, spinner);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, error_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, icon);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, name_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, facts_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, type_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, preview_group);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, preview);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, tags);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPane, history);
  gtk_widget_class_bind_template_callback (widget_class, show_facts);
  gtk_widget_class_bind_template_callback (widget_class, tags_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_restored_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_detail_pane_init (AvfsDetailPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->n_items = -1;
  show_page (self, "empty");
}

/**
 * avfs_detail_pane_new:
 *
 * Returns: (transfer floating): a pane showing no file
 */
AvfsDetailPane *
avfs_detail_pane_new (void)
{
  return g_object_new (AVFS_TYPE_DETAIL_PANE, NULL);
}
