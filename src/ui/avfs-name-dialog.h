/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsNameDialog: asks for one name or path, checked as it is typed. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AVFS_NAME_DIALOG_ACCEPT "accept"

/**
 * AvfsNameCheckFunc:
 * @text: what is typed
 * @user_data: the data given with the function
 * @error: return location for why @text is not acceptable
 *
 * Returns: whether @text may be accepted
 */
typedef gboolean (*AvfsNameCheckFunc) (const char  *text,
                                       gpointer     user_data,
                                       GError     **error);

#define AVFS_TYPE_NAME_DIALOG (avfs_name_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AvfsNameDialog, avfs_name_dialog, AVFS, NAME_DIALOG, AdwMessageDialog)

AvfsNameDialog *avfs_name_dialog_new        (GtkWidget          *parent,
                                             const char         *heading,
                                             const char         *accept_label,
                                             const char         *initial);
void            avfs_name_dialog_set_check  (AvfsNameDialog     *self,
                                             AvfsNameCheckFunc   check,
                                             gpointer            user_data,
                                             GDestroyNotify      destroy);
GtkEditable    *avfs_name_dialog_get_entry  (AvfsNameDialog     *self);
const char     *avfs_name_dialog_get_text   (AvfsNameDialog     *self);
const char     *avfs_name_dialog_get_problem (AvfsNameDialog    *self);

G_END_DECLS
