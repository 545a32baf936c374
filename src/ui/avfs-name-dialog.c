/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsNameDialog: an AdwMessageDialog with an entry; a check function runs on every
 * change, its error shows under the entry and the accept button stays off until the
 * text passes. Used for new folders and files, rename, move and tags. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-name-dialog.h"

struct _AvfsNameDialog
{
  AdwMessageDialog parent_instance;

  GtkEntry *entry;
  GtkLabel *problem;
  AvfsNameCheckFunc check;
  gpointer check_data;
  GDestroyNotify check_destroy;
};

G_DEFINE_FINAL_TYPE (AvfsNameDialog, avfs_name_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
update (AvfsNameDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = text[0] != '\0' && (self->check == NULL || self->check (text, self->check_data, &error));
  /* An empty entry is not an error worth a message, only not acceptable yet. */
  gtk_label_set_text (self->problem, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), AVFS_NAME_DIALOG_ACCEPT, ok);
}

static void
avfs_name_dialog_finalize (GObject *object)
{
  AvfsNameDialog *self = AVFS_NAME_DIALOG (object);

  if (self->check_destroy != NULL)
    self->check_destroy (self->check_data);
  G_OBJECT_CLASS (avfs_name_dialog_parent_class)->finalize (object);
}

static void
avfs_name_dialog_class_init (AvfsNameDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_name_dialog_finalize;
}

static void
avfs_name_dialog_init (AvfsNameDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  self->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_activates_default (self->entry, TRUE);
  self->problem = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->problem, TRUE);
  gtk_label_set_xalign (self->problem, 0);
  gtk_label_set_max_width_chars (self->problem, 40);
  gtk_widget_add_css_class (GTK_WIDGET (self->problem), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->problem), "caption");
  gtk_widget_set_visible (GTK_WIDGET (self->problem), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->problem));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), box);
  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (update), self);
}

/**
 * avfs_name_dialog_new:
 * @parent: a widget of the window the dialog belongs to
 * @heading: what is asked ("New Folder")
 * @accept_label: the accept button, with a mnemonic ("_Create")
 * @initial: (nullable): the text to start from; a name's stem is selected
 *
 * Returns: (transfer none): the modal dialog, not shown yet; connect to
 *   `response::accept` and call gtk_window_present()
 */
AvfsNameDialog *
avfs_name_dialog_new (GtkWidget  *parent,
                      const char *heading,
                      const char *accept_label,
                      const char *initial)
{
  AvfsNameDialog *self;
  const char *dot;

  self = g_object_new (AVFS_TYPE_NAME_DIALOG,
                       "transient-for", gtk_widget_get_root (parent),
                       "modal", TRUE,
                       "heading", heading,
                       NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    AVFS_NAME_DIALOG_ACCEPT, accept_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), AVFS_NAME_DIALOG_ACCEPT,
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), AVFS_NAME_DIALOG_ACCEPT);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");
  gtk_editable_set_text (GTK_EDITABLE (self->entry), initial != NULL ? initial : "");
  update (self);
  /* Renaming usually keeps the extension. */
  dot = initial != NULL ? strrchr (initial, '.') : NULL;
  if (dot != NULL && dot != initial)
    gtk_editable_select_region (GTK_EDITABLE (self->entry), 0,
                                g_utf8_pointer_to_offset (initial, dot));
  return self;
}

/**
 * avfs_name_dialog_set_check:
 * @check: (nullable): decides whether the text may be accepted
 * @destroy: (nullable): frees @user_data with the dialog
 */
void
avfs_name_dialog_set_check (AvfsNameDialog    *self,
                            AvfsNameCheckFunc  check,
                            gpointer           user_data,
                            GDestroyNotify     destroy)
{
  g_return_if_fail (AVFS_IS_NAME_DIALOG (self));

  if (self->check_destroy != NULL)
    self->check_destroy (self->check_data);
  self->check = check;
  self->check_data = user_data;
  self->check_destroy = destroy;
  update (self);
}

/**
 * avfs_name_dialog_get_entry:
 *
 * Returns: (transfer none): the entry
 */
GtkEditable *
avfs_name_dialog_get_entry (AvfsNameDialog *self)
{
  g_return_val_if_fail (AVFS_IS_NAME_DIALOG (self), NULL);
  return GTK_EDITABLE (self->entry);
}

const char *
avfs_name_dialog_get_text (AvfsNameDialog *self)
{
  g_return_val_if_fail (AVFS_IS_NAME_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

/**
 * avfs_name_dialog_get_problem:
 *
 * Returns: (nullable): the message under the entry, %NULL when the text is acceptable
 */
const char *
avfs_name_dialog_get_problem (AvfsNameDialog *self)
{
  g_return_val_if_fail (AVFS_IS_NAME_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->problem)))
    return NULL;
  return gtk_label_get_text (self->problem);
}
