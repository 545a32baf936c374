/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailTags: a file's tags as removable chips and its metadata as editable rows,
 * with entries that validate what is typed before anything reaches the vault. */
#include "avfs-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "avfs-detail-private.h"
#include "avfs-detail-tags.h"
#include "avfs-vault-async-tags.h"

struct _AvfsDetailTags
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkFlowBox *tag_box;
  GtkLabel *no_tags_label;
  GtkEntry *tag_entry;
  GtkButton *add_tag_button;
  GtkLabel *tag_error_label;
  GtkListBox *meta_list;
  GtkEntry *key_entry;
  GtkEntry *value_entry;
  GtkButton *add_meta_button;
  GtkLabel *meta_error_label;

  AvfsVault *vault;
  char *path;
  GCancellable *cancellable;
  GtkStringList *tags;
  GtkStringList *meta_keys;
  GHashTable *meta_values;
};

G_DEFINE_FINAL_TYPE (AvfsDetailTags, avfs_detail_tags, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load_tags (AvfsDetailTags *self);
static void load_meta (AvfsDetailTags *self);

/* Shows @message under an entry (and marks the entry), or hides it for %NULL. */
static void
show_entry_error (GtkLabel   *label,
                  GtkWidget  *entry,
                  const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  if (entry == NULL)
    return;
  if (message != NULL)
    gtk_widget_add_css_class (entry, "error");
  else
    gtk_widget_remove_css_class (entry, "error");
}

static GtkWidget *
create_tag_chip (gpointer item,
                 gpointer user_data)
{
  const char *tag = gtk_string_object_get_string (item);
  g_autofree char *tooltip = g_strdup_printf (_("Remove the tag “%s”"), tag);
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  GtkWidget *label = gtk_label_new (tag);
  GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_widget_add_css_class (chip, "card");
  gtk_widget_set_margin_start (label, 10);
  gtk_widget_set_margin_top (label, 4);
  gtk_widget_set_margin_bottom (label, 4);
  gtk_box_append (GTK_BOX (chip), label);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, tooltip);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", tag);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "detail-tags.remove-tag");
  gtk_box_append (GTK_BOX (chip), remove);
  return chip;
}

static void
meta_row_apply_cb (AdwEntryRow    *row,
                   AvfsDetailTags *self);

static GtkWidget *
create_meta_row (gpointer item,
                 gpointer user_data)
{
  AvfsDetailTags *self = user_data;
  const char *key = gtk_string_object_get_string (item);
  g_autofree char *tooltip = g_strdup_printf (_("Delete “%s”"), key);
  GtkWidget *row = adw_entry_row_new ();
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
  gtk_editable_set_text (GTK_EDITABLE (row), g_hash_table_lookup (self->meta_values, key));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_signal_connect_object (row, "apply", G_CALLBACK (meta_row_apply_cb), self, 0);
  gtk_widget_add_css_class (delete, "flat");
  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (delete, tooltip);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (delete), "s", key);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "detail-tags.delete-meta");
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), delete);
  return row;
}

static void
tags_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailTags *self = call->owner;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = avfs_vault_tags_list_finish (AVFS_VAULT (source), result, &error);

  if (avfs_detail_call_is_stale (call))
    return;
  if (tags == NULL)
    {
      show_entry_error (self->tag_error_label, NULL, error->message);
      return;
    }
  gtk_string_list_splice (self->tags, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->tags)),
                          (const char * const *) tags);
  gtk_widget_set_visible (GTK_WIDGET (self->no_tags_label), tags[0] == NULL);
}

static void
load_tags (AvfsDetailTags *self)
{
  avfs_vault_tags_list_async (self->vault, self->path, self->cancellable, tags_listed_cb,
                              avfs_detail_call_new (self, self->cancellable));
}

static void
meta_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailTags *self = call->owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = avfs_vault_meta_list_finish (AVFS_VAULT (source), result,
                                                              &error);
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  g_auto(GStrv) key_strv = NULL;

  if (avfs_detail_call_is_stale (call))
    return;
  if (entries == NULL)
    {
      show_entry_error (self->meta_error_label, NULL, error->message);
      return;
    }
  g_hash_table_remove_all (self->meta_values);
  for (guint i = 0; i < entries->len; i++)
    {
      AvfsMetaEntry *entry = g_ptr_array_index (entries, i);

      g_hash_table_insert (self->meta_values, g_strdup (entry->key), g_strdup (entry->value));
      g_strv_builder_add (keys, entry->key);
    }
  key_strv = g_strv_builder_end (keys);
  gtk_string_list_splice (self->meta_keys, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->meta_keys)),
                          (const char * const *) key_strv);
}

static void
load_meta (AvfsDetailTags *self)
{
  avfs_vault_meta_list_async (self->vault, self->path, self->cancellable, meta_listed_cb,
                              avfs_detail_call_new (self, self->cancellable));
}

typedef gboolean (*EditFinishFunc) (AvfsVault     *vault,
                                    GAsyncResult  *result,
                                    GError       **error);

/* The four edits end the same way; the source tag of a result tells which it was. */
static const struct
{
  gpointer source_tag;
  EditFinishFunc finish;
  gboolean is_tag;
} edits[] = {
  { avfs_vault_tag_add_async, avfs_vault_tag_add_finish, TRUE },
  { avfs_vault_tag_remove_async, avfs_vault_tag_remove_finish, TRUE },
  { avfs_vault_meta_set_async, avfs_vault_meta_set_finish, FALSE },
  { avfs_vault_meta_delete_async, avfs_vault_meta_delete_finish, FALSE },
};

static void
edit_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AvfsDetailCall) call = user_data;
  AvfsDetailTags *self = call->owner;
  g_autoptr(GError) error = NULL;
  guint i = 0;

  while (!g_async_result_is_tagged (result, edits[i].source_tag))
    i++;
  if (!edits[i].finish (AVFS_VAULT (source), result, &error))
    {
      if (!avfs_detail_call_is_stale (call))
        show_entry_error (edits[i].is_tag ? self->tag_error_label : self->meta_error_label,
                          NULL, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  if (avfs_detail_call_is_stale (call))
    return;
  if (edits[i].is_tag)
    load_tags (self);
  else
    load_meta (self);
}

/* An edit is never cancelled when another file is selected: it goes through, only its
 * result is no longer shown. */
static AvfsDetailCall *
edit_call (AvfsDetailTags *self)
{
  return avfs_detail_call_new (self, self->cancellable);
}

static void
tag_entry_changed_cb (AvfsDetailTags *self)
{
  const char *tag = gtk_editable_get_text (GTK_EDITABLE (self->tag_entry));
  g_autoptr(GError) error = NULL;
  gboolean valid = tag[0] == '\0' || avfs_vault_check_tag (tag, &error);

  show_entry_error (self->tag_error_label, GTK_WIDGET (self->tag_entry),
                    valid ? NULL : error->message);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_tag_button), valid && tag[0] != '\0');
}

static void
tag_entry_activate_cb (AvfsDetailTags *self)
{
  const char *tag = gtk_editable_get_text (GTK_EDITABLE (self->tag_entry));

  if (self->vault == NULL || !gtk_widget_get_sensitive (GTK_WIDGET (self->add_tag_button)))
    return;
  avfs_vault_tag_add_async (self->vault, self->path, tag, NULL, edit_done_cb,
                            edit_call (self));
  gtk_editable_set_text (GTK_EDITABLE (self->tag_entry), "");
}

static void
remove_tag_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AvfsDetailTags *self = AVFS_DETAIL_TAGS (widget);

  if (self->vault == NULL)
    return;
  avfs_vault_tag_remove_async (self->vault, self->path, g_variant_get_string (parameter, NULL),
                               NULL, edit_done_cb, edit_call (self));
}

/* Checks the new key and value; shows the first problem under the entries. */
static gboolean
check_meta_entries (AvfsDetailTags *self)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_entry));
  const char *value = gtk_editable_get_text (GTK_EDITABLE (self->value_entry));
  g_autoptr(GError) error = NULL;
  gboolean key_valid = key[0] == '\0' || avfs_vault_check_meta_key (key, &error);
  gboolean value_valid = !key_valid || avfs_vault_check_meta_value (value, &error);

  show_entry_error (self->meta_error_label, GTK_WIDGET (self->key_entry),
                    key_valid ? NULL : error->message);
  if (!value_valid)
    show_entry_error (self->meta_error_label, GTK_WIDGET (self->value_entry), error->message);
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->value_entry), "error");
  return key_valid && value_valid && key[0] != '\0';
}

static void
meta_entry_changed_cb (AvfsDetailTags *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_meta_button), check_meta_entries (self));
}

static void
meta_entry_activate_cb (AvfsDetailTags *self)
{
  if (self->vault == NULL || !check_meta_entries (self))
    return;
  avfs_vault_meta_set_async (self->vault, self->path,
                             gtk_editable_get_text (GTK_EDITABLE (self->key_entry)),
                             gtk_editable_get_text (GTK_EDITABLE (self->value_entry)),
                             NULL, edit_done_cb, edit_call (self));
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->key_entry));
}

static void
meta_row_apply_cb (AdwEntryRow    *row,
                   AvfsDetailTags *self)
{
  const char *key = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  const char *value = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(GError) error = NULL;

  if (!avfs_vault_check_meta_value (value, &error))
    {
      show_entry_error (self->meta_error_label, GTK_WIDGET (row), error->message);
      return;
    }
  show_entry_error (self->meta_error_label, GTK_WIDGET (row), NULL);
  avfs_vault_meta_set_async (self->vault, self->path, key, value, NULL, edit_done_cb,
                             edit_call (self));
}

static void
delete_meta_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AvfsDetailTags *self = AVFS_DETAIL_TAGS (widget);

  if (self->vault == NULL)
    return;
  avfs_vault_meta_delete_async (self->vault, self->path, g_variant_get_string (parameter, NULL),
                                NULL, edit_done_cb, edit_call (self));
}

/**
 * avfs_detail_tags_set_file:
 * @vault: (nullable): the vault of @path
 * @path: (nullable): a file or directory, or %NULL to show nothing
 *
 * Loads the tags and metadata of @path, dropping what is still loading for the file
 * shown before. Edits already made go through.
 */
void
avfs_detail_tags_set_file (AvfsDetailTags *self,
                           AvfsVault      *vault,
                           const char     *path)
{
  g_return_if_fail (AVFS_IS_DETAIL_TAGS (self));
  g_return_if_fail (vault == NULL || AVFS_IS_VAULT (vault));

  avfs_detail_cancel (&self->cancellable);
  /* Without a path there is no file: self->vault == NULL says so everywhere. */
  g_set_object (&self->vault, (path != NULL ? vault : NULL));
  g_free (self->path);
  self->path = g_strdup (path);
  gtk_string_list_splice (self->tags, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->tags)), NULL);
  gtk_string_list_splice (self->meta_keys, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->meta_keys)), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->no_tags_label), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->tag_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), "");
  show_entry_error (self->tag_error_label, NULL, NULL);
  show_entry_error (self->meta_error_label, NULL, NULL);
  if (self->vault == NULL)
    return;
  load_tags (self);
  load_meta (self);
}

static void
avfs_detail_tags_dispose (GObject *object)
{
  AvfsDetailTags *self = AVFS_DETAIL_TAGS (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_DETAIL_TAGS);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->vault);
  g_clear_object (&self->tags);
  g_clear_object (&self->meta_keys);
  g_clear_pointer (&self->meta_values, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  G_OBJECT_CLASS (avfs_detail_tags_parent_class)->dispose (object);
}

static void
avfs_detail_tags_class_init (AvfsDetailTagsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_detail_tags_dispose;

  /**
   * AvfsDetailTags::changed:
   *
   * A tag or a metadata entry of the file was added, changed or removed.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-detail-tags.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, box);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, tag_box);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, no_tags_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, tag_entry);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, add_tag_button);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, tag_error_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, meta_list);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, key_entry);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, value_entry);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, add_meta_button);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailTags, meta_error_label);
  gtk_widget_class_bind_template_callback (widget_class, tag_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tag_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, meta_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, meta_entry_activate_cb);
  gtk_widget_class_install_action (widget_class, "detail-tags.remove-tag", "s",
                                   remove_tag_action);
  gtk_widget_class_install_action (widget_class, "detail-tags.delete-meta", "s",
                                   delete_meta_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_detail_tags_init (AvfsDetailTags *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->tags = gtk_string_list_new (NULL);
  self->meta_keys = gtk_string_list_new (NULL);
  self->meta_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gtk_flow_box_bind_model (self->tag_box, G_LIST_MODEL (self->tags), create_tag_chip,
                           self, NULL);
  gtk_list_box_bind_model (self->meta_list, G_LIST_MODEL (self->meta_keys), create_meta_row,
                           self, NULL);
  placeholder = gtk_label_new (_("No metadata yet."));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->meta_list, placeholder);
}

/**
 * avfs_detail_tags_new:
 *
 * Returns: (transfer floating): an editor showing no file
 */
GtkWidget *
avfs_detail_tags_new (void)
{
  return g_object_new (AVFS_TYPE_DETAIL_TAGS, NULL);
}
