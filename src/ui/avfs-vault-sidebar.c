/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsVaultSidebar: lists the registry's vaults in the background (name, engine badge,
 * size on disk) and emits `vault-activated` when one is picked. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-registry-async.h"
#include "avfs-toasts.h"
#include "avfs-vault-sidebar.h"

struct _AvfsVaultSidebar
{
  GtkWidget parent_instance;

  GtkListBox *list;

  AvfsRegistry *registry;
  GPtrArray *entries;         /* of AvfsVaultEntry, in row order */
  char *selected;             /* the vault to keep selected across reloads */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (AvfsVaultSidebar, avfs_vault_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_VAULTS,
  PROP_LOADING,
  N_PROPS
};

enum {
  VAULT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GtkWidget *
create_row (const AvfsVaultEntry *entry)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (entry->name);
  g_autofree char *size_text = entry->path != NULL ? g_format_size (entry->disk_bytes)
                                                   : g_strdup (_("In memory, until the app quits"));
  GtkWidget *size = gtk_label_new (size_text);
  GtkWidget *badge = gtk_label_new (entry->engine);
  g_autofree char *badge_class = g_strconcat ("engine-", entry->engine, NULL);

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("drive-harddisk-symbolic"));
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (size), 0);
  gtk_label_set_ellipsize (GTK_LABEL (size), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (size, "caption");
  gtk_widget_add_css_class (size, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), size);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_widget_add_css_class (badge, "engine-badge");
  gtk_widget_add_css_class (badge, badge_class);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (badge, _("Storage engine"));
  gtk_box_append (GTK_BOX (box), badge);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, entry->path);
  return row;
}

static void
select_row (AvfsVaultSidebar *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      AvfsVaultEntry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (entry->name, self->selected) == 0)
        {
          gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, i));
          return;
        }
    }
  gtk_list_box_unselect_all (self->list);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const AvfsVaultEntry *ea = *(AvfsVaultEntry **) a;
  const AvfsVaultEntry *eb = *(AvfsVaultEntry **) b;

  return g_utf8_collate (ea->name, eb->name);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AvfsVaultSidebar) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = avfs_registry_list_finish (AVFS_REGISTRY (source), result, &error);
  GtkWidget *child;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  if (entries == NULL)
    {
      avfs_toast_show_error (GTK_WIDGET (self), error);
      return;
    }
  g_ptr_array_sort (entries, compare_entries);
  g_ptr_array_unref (self->entries);
  self->entries = g_steal_pointer (&entries);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < self->entries->len; i++)
    gtk_list_box_append (self->list, create_row (g_ptr_array_index (self->entries, i)));
  select_row (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VAULTS]);
}

static void
row_activated_cb (GtkListBox       *list,
                  GtkListBoxRow    *row,
                  AvfsVaultSidebar *self)
{
  AvfsVaultEntry *entry = g_ptr_array_index (self->entries, gtk_list_box_row_get_index (row));
  /* The entry goes away if a reload comes in while the signal runs. */
  g_autofree char *name = g_strdup (entry->name);

  g_signal_emit (self, signals[VAULT_ACTIVATED], 0, name);
}

static void
avfs_vault_sidebar_dispose (GObject *object)
{
  AvfsVaultSidebar *self = AVFS_VAULT_SIDEBAR (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_VAULT_SIDEBAR);
  /* The scrolled window is not a bound child, so the template leaves it to us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (avfs_vault_sidebar_parent_class)->dispose (object);
}

static void
avfs_vault_sidebar_finalize (GObject *object)
{
  AvfsVaultSidebar *self = AVFS_VAULT_SIDEBAR (object);

  g_ptr_array_unref (self->entries);
  g_free (self->selected);
  G_OBJECT_CLASS (avfs_vault_sidebar_parent_class)->finalize (object);
}

static void
avfs_vault_sidebar_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AvfsVaultSidebar *self = AVFS_VAULT_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_N_VAULTS:
      g_value_set_uint (value, self->entries->len);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
avfs_vault_sidebar_class_init (AvfsVaultSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = avfs_vault_sidebar_dispose;
  object_class->finalize = avfs_vault_sidebar_finalize;
  object_class->get_property = avfs_vault_sidebar_get_property;

  properties[PROP_N_VAULTS] = g_param_spec_uint ("n-vaults", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AvfsVaultSidebar::vault-activated:
   * @name: the vault picked
   */
  signals[VAULT_ACTIVATED] = g_signal_new ("vault-activated", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-vault-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsVaultSidebar, list);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_vault_sidebar_init (AvfsVaultSidebar *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_vault_entry_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * avfs_vault_sidebar_set_registry:
 * @registry: (nullable): whose vaults to list
 */
void
avfs_vault_sidebar_set_registry (AvfsVaultSidebar *self,
                                 AvfsRegistry     *registry)
{
  g_return_if_fail (AVFS_IS_VAULT_SIDEBAR (self));

  if (g_set_object (&self->registry, registry))
    avfs_vault_sidebar_reload (self);
}

/**
 * avfs_vault_sidebar_reload:
 *
 * Lists the vaults again (after one was created or deleted).
 */
void
avfs_vault_sidebar_reload (AvfsVaultSidebar *self)
{
  gboolean was_loading;

  g_return_if_fail (AVFS_IS_VAULT_SIDEBAR (self));

  was_loading = self->cancellable != NULL;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->registry == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  avfs_registry_list_async (self->registry, self->cancellable, listed_cb, g_object_ref (self));
  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/**
 * avfs_vault_sidebar_select:
 * @name: (nullable): the open vault, %NULL for none
 */
void
avfs_vault_sidebar_select (AvfsVaultSidebar *self,
                           const char       *name)
{
  g_return_if_fail (AVFS_IS_VAULT_SIDEBAR (self));

  g_free (self->selected);
  self->selected = g_strdup (name);
  select_row (self);
}

guint
avfs_vault_sidebar_get_n_vaults (AvfsVaultSidebar *self)
{
  g_return_val_if_fail (AVFS_IS_VAULT_SIDEBAR (self), 0);
  return self->entries->len;
}

/**
 * avfs_vault_sidebar_get_entry:
 * @index: a row, from the top
 *
 * Returns: (transfer none): the vault that row shows
 */
const AvfsVaultEntry *
avfs_vault_sidebar_get_entry (AvfsVaultSidebar *self,
                              guint             index)
{
  g_return_val_if_fail (AVFS_IS_VAULT_SIDEBAR (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  return g_ptr_array_index (self->entries, index);
}

gboolean
avfs_vault_sidebar_is_loading (AvfsVaultSidebar *self)
{
  g_return_val_if_fail (AVFS_IS_VAULT_SIDEBAR (self), FALSE);
  return self->cancellable != NULL;
}
