/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsCreateVaultDialog: the name is checked as it is typed (the registry's rules, and
 * not taken), every engine is listed with the unavailable ones greyed out and saying
 * why, and the engine options from config.toml show under "Advanced". Creating runs
 * in the background and emits `vault-created`. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-create-vault-dialog.h"
#include "avfs-engine-rows.h"
#include "avfs-registry-async.h"
#include "avfs-storage-registry.h"

struct _AvfsCreateVaultDialog
{
  AdwWindow parent_instance;

  /* Template children */
  AdwEntryRow *name_row;
  GtkLabel *problem_label;
  AdwPreferencesGroup *engine_group;
  AdwExpanderRow *advanced_row;
  GtkButton *create_button;
  GtkSpinner *spinner;

  AvfsRegistry *registry;
  GHashTable *engine_rows;        /* engine name → its AdwActionRow */
  GList *option_rows;             /* the Advanced rows of the selected engine */
  char *engine;
  GCancellable *cancellable;
  gboolean name_ok;
};

G_DEFINE_FINAL_TYPE (AvfsCreateVaultDialog, avfs_create_vault_dialog, ADW_TYPE_WINDOW)

enum {
  VAULT_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_create_button (AvfsCreateVaultDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button),
                            avfs_create_vault_dialog_can_create (self));
}

static void
show_problem (AvfsCreateVaultDialog *self,
              const char            *message)
{
  gtk_label_set_text (self->problem_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
}

static void
name_changed_cb (AvfsCreateVaultDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVaultEntry) existing = NULL;

  /* Nothing typed yet is not worth a complaint. */
  if (name[0] == '\0')
    self->name_ok = FALSE;
  else if (!avfs_registry_check_name (name, &error))
    self->name_ok = FALSE;
  else
    self->name_ok = TRUE;
  show_problem (self, error != NULL ? error->message : NULL);
  update_create_button (self);
}

static void
add_option_row (AvfsCreateVaultDialog *self,
                const char            *title,
                const char            *value_text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (value_text != NULL)
    {
      GtkWidget *value = gtk_label_new (value_text);

      gtk_widget_add_css_class (value, "dim-label");
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
    }
  adw_expander_row_add_row (self->advanced_row, row);
  self->option_rows = g_list_append (self->option_rows, row);
}

static void
show_engine_options (AvfsCreateVaultDialog *self)
{
  g_autoptr(GHashTable) all = avfs_registry_dup_backend_options (self->registry);
  GHashTable *options = g_hash_table_lookup (all, self->engine);
  g_autoptr(GList) keys = options != NULL ? g_hash_table_get_keys (options) : NULL;

  for (GList *l = self->option_rows; l != NULL; l = l->next)
    adw_expander_row_remove (self->advanced_row, l->data);
  g_clear_pointer (&self->option_rows, g_list_free);

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    add_option_row (self, l->data, g_hash_table_lookup (options, l->data));
  if (keys == NULL)
    add_option_row (self, _("No options set for this engine: its defaults apply"), NULL);
}

static void
engine_toggled_cb (GtkCheckButton        *check,
                   AvfsCreateVaultDialog *self)
{
  if (!gtk_check_button_get_active (check))
    return;
  g_free (self->engine);
  self->engine = g_strdup (avfs_engine_rows_get_engine (check));
  show_engine_options (self);
  update_create_button (self);
}

/* The engines, the unavailable ones greyed out with the reason. */
static void
add_engine_rows (AvfsCreateVaultDialog *self)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  self->engine_rows = avfs_engine_rows_add (self->engine_group, G_CALLBACK (engine_toggled_cb),
                                            self);
  for (guint i = 0; i < n; i++)
    {
      const AvfsEngineInfo *info = &engines[i];
      GtkWidget *row = g_hash_table_lookup (self->engine_rows, info->name);
      g_autofree char *reason = NULL;

      if (info->available)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), info->best_for);
      else
        {
          reason = g_strdup_printf (_("Not available: %s"), info->unavailable_reason);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reason);
          gtk_widget_set_sensitive (row, FALSE);
        }
    }
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AvfsCreateVaultDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVault) vault = avfs_registry_create_finish (AVFS_REGISTRY (source), result, &error);

  g_clear_object (&self->cancellable);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), TRUE);
  if (vault == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_problem (self, error->message);
      update_create_button (self);
      return;
    }
  g_signal_emit (self, signals[VAULT_CREATED], 0,
                 gtk_editable_get_text (GTK_EDITABLE (self->name_row)), vault);
  gtk_window_destroy (GTK_WINDOW (self));
}

/**
 * avfs_create_vault_dialog_create:
 *
 * Creates the vault as the Create button does (nothing happens until the form is valid).
 */
void
avfs_create_vault_dialog_create (AvfsCreateVaultDialog *self)
{
  g_return_if_fail (AVFS_IS_CREATE_VAULT_DIALOG (self));

  if (!avfs_create_vault_dialog_can_create (self))
    return;
  self->cancellable = g_cancellable_new ();
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
  update_create_button (self);
  avfs_registry_create_async (self->registry, gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                              self->engine, self->cancellable, created_cb, g_object_ref (self));
}

static void
avfs_create_vault_dialog_dispose (GObject *object)
{
  AvfsCreateVaultDialog *self = AVFS_CREATE_VAULT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->option_rows, g_list_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_CREATE_VAULT_DIALOG);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (avfs_create_vault_dialog_parent_class)->dispose (object);
}

static void
avfs_create_vault_dialog_finalize (GObject *object)
{
  AvfsCreateVaultDialog *self = AVFS_CREATE_VAULT_DIALOG (object);

  g_clear_pointer (&self->engine_rows, g_hash_table_unref);
  g_free (self->engine);
  G_OBJECT_CLASS (avfs_create_vault_dialog_parent_class)->finalize (object);
}

static void
avfs_create_vault_dialog_class_init (AvfsCreateVaultDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_create_vault_dialog_dispose;
  object_class->finalize = avfs_create_vault_dialog_finalize;

  /**
   * AvfsCreateVaultDialog::vault-created:
   * @name: the new vault's name
   * @vault: the new vault, open
   */
  signals[VAULT_CREATED] = g_signal_new ("vault-created", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 2, G_TYPE_STRING, AVFS_TYPE_VAULT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-create-vault-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsCreateVaultDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, AvfsCreateVaultDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsCreateVaultDialog, engine_group);
  gtk_widget_class_bind_template_child (widget_class, AvfsCreateVaultDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, AvfsCreateVaultDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, AvfsCreateVaultDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, avfs_create_vault_dialog_create);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
avfs_create_vault_dialog_init (AvfsCreateVaultDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_engine_rows (self);
}

/**
 * avfs_create_vault_dialog_new:
 * @parent: the window it belongs to
 * @registry: where the vault is created
 *
 * Returns: (transfer none): the modal dialog, not shown yet
 */
AvfsCreateVaultDialog *
avfs_create_vault_dialog_new (GtkWindow    *parent,
                              AvfsRegistry *registry)
{
  AvfsCreateVaultDialog *self;
  g_autofree char *engine = NULL;

  g_return_val_if_fail (AVFS_IS_REGISTRY (registry), NULL);

  self = g_object_new (AVFS_TYPE_CREATE_VAULT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->registry = g_object_ref (registry);
  engine = avfs_registry_dup_default_engine (registry);
  avfs_create_vault_dialog_select_engine (self, engine);
  return self;
}

/**
 * avfs_create_vault_dialog_get_entry:
 *
 * Returns: (transfer none): the name entry
 */
GtkEditable *
avfs_create_vault_dialog_get_entry (AvfsCreateVaultDialog *self)
{
  g_return_val_if_fail (AVFS_IS_CREATE_VAULT_DIALOG (self), NULL);
  return GTK_EDITABLE (self->name_row);
}

/**
 * avfs_create_vault_dialog_get_problem:
 *
 * Returns: (nullable): the message under the name, %NULL when there is none
 */
const char *
avfs_create_vault_dialog_get_problem (AvfsCreateVaultDialog *self)
{
  g_return_val_if_fail (AVFS_IS_CREATE_VAULT_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->problem_label)))
    return NULL;
  return gtk_label_get_text (self->problem_label);
}

gboolean
avfs_create_vault_dialog_can_create (AvfsCreateVaultDialog *self)
{
  g_return_val_if_fail (AVFS_IS_CREATE_VAULT_DIALOG (self), FALSE);
  return self->name_ok && self->engine != NULL && self->cancellable == NULL;
}

/**
 * avfs_create_vault_dialog_get_engine_row:
 *
 * Returns: (transfer none) (nullable): the #AdwActionRow of @engine
 */
GtkWidget *
avfs_create_vault_dialog_get_engine_row (AvfsCreateVaultDialog *self,
                                         const char            *engine)
{
  g_return_val_if_fail (AVFS_IS_CREATE_VAULT_DIALOG (self), NULL);
  return g_hash_table_lookup (self->engine_rows, engine);
}

/**
 * avfs_create_vault_dialog_select_engine:
 *
 * Returns: whether @engine is available and now chosen
 */
gboolean
avfs_create_vault_dialog_select_engine (AvfsCreateVaultDialog *self,
                                        const char            *engine)
{
  g_return_val_if_fail (AVFS_IS_CREATE_VAULT_DIALOG (self), FALSE);
  return avfs_engine_rows_select (self->engine_rows, engine);
}
