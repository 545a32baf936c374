/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One radio row per storage engine in a preferences group: how the create-vault dialog
 * and the migration wizard let a person choose an engine. */
#include "avfs-config.h"

#include "avfs-engine-rows.h"
#include "avfs-storage-registry.h"

#define ENGINE_KEY "avfs-engine"

/**
 * avfs_engine_rows_add:
 * @group: where the rows go, one per engine avfs knows, available or not
 * @toggled: the check buttons' `toggled` handler,
 *   `void (*) (GtkCheckButton *check, gpointer user_data)`
 *
 * The rows have the engine's name as title and nothing else: the caller adds subtitles,
 * badges and sensitivity, which differ between its uses.
 *
 * Returns: (transfer full): engine name → its #AdwActionRow
 */
GHashTable *
avfs_engine_rows_add (AdwPreferencesGroup *group,
                      GCallback            toggled,
                      gpointer             user_data)
{
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);
  GtkCheckButton *first = NULL;

  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), engines[i].name);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (check), ENGINE_KEY, g_strdup (engines[i].name), g_free);
      if (first != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), first);
      else
        first = GTK_CHECK_BUTTON (check);
      g_signal_connect (check, "toggled", toggled, user_data);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (group, row);
      g_hash_table_insert (rows, g_strdup (engines[i].name), row);
    }
  return rows;
}

/**
 * avfs_engine_row_get_check:
 *
 * Returns: (transfer none): the radio button of an engine's @row
 */
GtkCheckButton *
avfs_engine_row_get_check (GtkWidget *row)
{
  return GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
}

/**
 * avfs_engine_rows_get_engine:
 *
 * Returns: the engine whose radio button @check is
 */
const char *
avfs_engine_rows_get_engine (GtkCheckButton *check)
{
  return g_object_get_data (G_OBJECT (check), ENGINE_KEY);
}

/**
 * avfs_engine_rows_select:
 *
 * Chooses @engine as clicking its row does.
 *
 * Returns: whether @engine has a row that can be chosen, now chosen
 */
gboolean
avfs_engine_rows_select (GHashTable *rows,
                         const char *engine)
{
  GtkWidget *row = g_hash_table_lookup (rows, engine);

  if (row == NULL || !gtk_widget_get_sensitive (row))
    return FALSE;
  gtk_check_button_set_active (avfs_engine_row_get_check (row), TRUE);
  return TRUE;
}
