/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One radio row per storage engine in a preferences group: how the create-vault dialog
 * and the migration wizard let a person choose an engine. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

GHashTable     *avfs_engine_rows_add        (AdwPreferencesGroup *group,
                                             GCallback            toggled,
                                             gpointer             user_data);
GtkCheckButton *avfs_engine_row_get_check   (GtkWidget           *row);
const char     *avfs_engine_rows_get_engine (GtkCheckButton      *check);
gboolean        avfs_engine_rows_select     (GHashTable          *rows,
                                             const char          *engine);

G_END_DECLS
