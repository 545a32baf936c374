/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The snapshots window: names checked as typed, save, list, restore (files come back and
 * an automatic snapshot makes it undoable) and delete, each confirmed where it asks. */
#include "avfs-config.h"

#include "avfs-snapshots-window.h"
#include "test-ui-util.h"

static AvfsSnapshotsWindow *
open_snapshots (AvfsWindow *window)
{
  AvfsSnapshotsWindow *snapshots;

  g_action_group_activate_action (G_ACTION_GROUP (window), "snapshots", NULL);
  WAIT_UNTIL ((snapshots = (AvfsSnapshotsWindow *) ui_find_window (AVFS_TYPE_SNAPSHOTS_WINDOW)) != NULL,
              5000);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (snapshots));
  WAIT_UNTIL (!avfs_snapshots_window_is_busy (snapshots), 10000);
  return snapshots;
}

static gpointer
find_entry_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gpointer found = find_entry_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static char *
listed_names (AvfsSnapshotsWindow *snapshots)
{
  GListModel *names = avfs_snapshots_window_get_names (snapshots);
  g_autoptr(GString) text = g_string_new ("");

  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            gtk_string_list_get_string (GTK_STRING_LIST (names), i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
answer (const char *response)
{
  AdwMessageDialog *dialog;

  WAIT_UNTIL ((dialog = (AdwMessageDialog *) ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 5000);
  adw_message_dialog_response (dialog, response);
  /* As a click on a response button does after emitting it. */
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
test_save_restore_delete (UiFixture     *f,
                          gconstpointer  data)
{
  static const char *files[] = { "/a.txt=alpha", "/dir/", NULL };
  AvfsWindow *window;
  AvfsSnapshotsWindow *snapshots;
  GtkEditable *name, *description;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *names = NULL;

  window = ui_fixture_open_vault (f, "snaps", "sqlite", files);
  snapshots = open_snapshots (window);
  g_assert_cmpuint (g_list_model_get_n_items (avfs_snapshots_window_get_names (snapshots)), ==, 0);
  ui_save_png (GTK_WIDGET (snapshots), "ui-snapshots-empty");

  /* Names are checked as they are typed. */
  name = find_entry_row (GTK_WIDGET (snapshots), "Name");
  description = find_entry_row (GTK_WIDGET (snapshots), "Description (optional)");
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (snapshots), "snapshots.save", NULL) &&
                  avfs_snapshots_window_is_busy (snapshots));
  gtk_editable_set_text (name, "-bad");
  g_assert_nonnull (avfs_snapshots_window_get_problem (snapshots));
  gtk_editable_set_text (name, "before-edit");
  gtk_editable_set_text (description, "The first state");
  g_assert_null (avfs_snapshots_window_get_problem (snapshots));
  gtk_widget_activate_action (GTK_WIDGET (snapshots), "snapshots.save", NULL);
  WAIT_UNTIL (!avfs_snapshots_window_is_busy (snapshots), 10000);
  names = listed_names (snapshots);
  g_assert_cmpstr (names, ==, "before-edit");
  gtk_editable_set_text (name, "before-edit");
  g_assert_nonnull (strstr (avfs_snapshots_window_get_problem (snapshots), "already"));
  gtk_editable_set_text (name, "");

  /* Change the vault, then restore: the file is back as it was. */
  avfs_vault_write (avfs_window_get_vault (window), "/a.txt", (const guint8 *) "changed", 7,
                    AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (snapshots), "snapshots.restore", "s", "before-edit");
  ui_save_png (GTK_WIDGET (ui_find_window (ADW_TYPE_MESSAGE_DIALOG)), "ui-snapshots-restore");
  answer ("restore");
  WAIT_UNTIL (!avfs_snapshots_window_is_busy (snapshots), 10000);
  content = avfs_vault_read (avfs_window_get_vault (window), "/a.txt", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), "alpha", 5);
  /* The automatic snapshot of the state before is listed beside it. */
  g_assert_cmpuint (g_list_model_get_n_items (avfs_snapshots_window_get_names (snapshots)), ==, 2);
  ui_save_png (GTK_WIDGET (snapshots), "ui-snapshots");

  gtk_widget_activate_action (GTK_WIDGET (snapshots), "snapshots.delete", "s", "before-edit");
  answer ("delete");
  WAIT_UNTIL (!avfs_snapshots_window_is_busy (snapshots), 10000);
  g_clear_pointer (&names, g_free);
  names = listed_names (snapshots);
  /* Only the automatic snapshot of the restore is left. */
  g_assert_cmpuint (g_list_model_get_n_items (avfs_snapshots_window_get_names (snapshots)), ==, 1);
  g_assert_cmpstr (names, !=, "before-edit");
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/snapshots/save-restore-delete", test_save_restore_delete },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
