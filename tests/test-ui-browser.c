/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The file browser in a real window: rows and their order, navigation, sorting, and
 * new folder / rename / delete with undo through the window's actions. */
#include "avfs-config.h"

#include "avfs-file-browser-private.h"
#include "avfs-name-dialog.h"
#include "avfs-path-bar.h"
#include "avfs-vault-tags.h"
#include "test-ui-util.h"

static const char *demo_files[] = {
  "/docs/note1.txt=first note",
  "/docs/note2.txt=second",
  "/photos/",
  "/readme.md=# Readme, a longer file than the others",
  "/a.txt=a",
  "/zz-big.bin=0123456789012345678901234567890123456789012345678901234567890123456789",
  NULL
};

static AvfsWindow *
open_demo (UiFixture *f)
{
  return ui_fixture_open_vault (f, "demo", "sqlite", demo_files);
}

static void
activate (AvfsWindow *window,
          const char *action)
{
  g_action_group_activate_action (G_ACTION_GROUP (window), action, NULL);
}

static void
test_lists_root (UiFixture     *f,
                 gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autofree char *rows = ui_browser_rows (browser);

  /* Folders first, then files, each in name order. */
  g_assert_cmpstr (rows, ==, "docs photos a.txt readme.md zz-big.bin");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "demo");
  g_assert_cmpstr (avfs_file_browser_get_path (browser), ==, "/");
  ui_save_png (GTK_WIDGET (window), "ui-browser-root");
}

static void
test_navigates (UiFixture     *f,
                gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autofree char *rows = NULL;

  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "go-up"));
  g_assert_true (avfs_file_browser_select_name (browser, "docs"));
  activate (window, "open");
  ui_wait_for_page (window, "browser");
  g_assert_cmpstr (avfs_file_browser_get_path (browser), ==, "/docs");
  rows = ui_browser_rows (browser);
  g_assert_cmpstr (rows, ==, "note1.txt note2.txt");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "go-up"));
  ui_save_png (GTK_WIDGET (window), "ui-browser-docs");

  activate (window, "go-up");
  ui_wait_for_page (window, "browser");
  g_assert_cmpstr (avfs_file_browser_get_path (browser), ==, "/");
  g_assert_cmpstr (avfs_file_browser_get_selected_path (browser), ==, "/docs");
  g_clear_pointer (&rows, g_free);
  rows = ui_browser_rows (browser);
  g_assert_cmpstr (rows, ==, "docs photos a.txt readme.md zz-big.bin");

  /* An empty folder says so. */
  avfs_file_browser_set_path (browser, "/photos");
  ui_wait_for_page (window, "browser");
  g_assert_cmpuint (g_list_model_get_n_items (avfs_file_browser_get_shown_items (browser)), ==, 0);
  ui_save_png (GTK_WIDGET (window), "ui-browser-empty-folder");
}

static void
test_sorts_by_size (UiFixture     *f,
                    gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GSettings) settings = g_settings_new (AVFS_APPLICATION_ID);
  g_autofree char *rows = NULL;
  g_autofree char *column = NULL;

  avfs_file_browser_sort_by (browser, "size", TRUE);
  rows = ui_browser_rows (browser);
  /* Folders stay first whichever way the files go. */
  g_assert_cmpstr (rows, ==, "docs photos zz-big.bin readme.md a.txt");
  column = g_settings_get_string (settings, "sort-column");
  g_assert_cmpstr (column, ==, "size");
  g_assert_true (g_settings_get_boolean (settings, "sort-descending"));

  avfs_file_browser_sort_by (browser, "size", FALSE);
  g_clear_pointer (&rows, g_free);
  rows = ui_browser_rows (browser);
  g_assert_cmpstr (rows, ==, "docs photos a.txt readme.md zz-big.bin");
  g_assert_false (g_settings_get_boolean (settings, "sort-descending"));
  ui_save_png (GTK_WIDGET (window), "ui-browser-by-size");
}

/* Answers the name dialog an action opened with @text. */
static void
answer_dialog (const char *text)
{
  AvfsNameDialog *dialog;

  WAIT_UNTIL ((dialog = (AvfsNameDialog *) ui_find_window (AVFS_TYPE_NAME_DIALOG)) != NULL, 5000);
  gtk_editable_set_text (avfs_name_dialog_get_entry (dialog), text);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                          AVFS_NAME_DIALOG_ACCEPT));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), AVFS_NAME_DIALOG_ACCEPT);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
shows (AvfsFileBrowser *browser,
       const char      *rows)
{
  g_autofree char *shown = ui_browser_rows (browser);

  return g_str_equal (shown, rows);
}

static void
test_new_folder_validation (UiFixture     *f,
                            gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsNameDialog *dialog;
  struct {
    const char *text;
    gboolean ok;
  } cases[] = {
    { "", FALSE },
    { "a/b", FALSE },
    { "docs", FALSE },        /* taken */
    { "new folder", TRUE },
  };

  activate (window, "new-folder");
  WAIT_UNTIL ((dialog = (AvfsNameDialog *) ui_find_window (AVFS_TYPE_NAME_DIALOG)) != NULL, 5000);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gtk_editable_set_text (avfs_name_dialog_get_entry (dialog), cases[i].text);
      g_assert_cmpint (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                                AVFS_NAME_DIALOG_ACCEPT), ==,
                       cases[i].ok);
      /* A bad name says why; an empty one is just not ready. */
      g_assert_cmpint (avfs_name_dialog_get_problem (dialog) != NULL, ==,
                       !cases[i].ok && cases[i].text[0] != '\0');
      if (g_str_equal (cases[i].text, "docs"))
        ui_save_png (GTK_WIDGET (dialog), "ui-browser-new-folder-taken");
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_file_operations (UiFixture     *f,
                      gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  AvfsVault *vault = avfs_window_get_vault (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;

  activate (window, "new-folder");
  answer_dialog ("fresh");
  WAIT_UNTIL (shows (browser, "docs fresh photos a.txt readme.md zz-big.bin"), 5000);

  g_assert_true (avfs_file_browser_select_name (browser, "fresh"));
  activate (window, "rename");
  answer_dialog ("renamed");
  WAIT_UNTIL (shows (browser, "docs photos renamed a.txt readme.md zz-big.bin"), 5000);

  /* Deleting hides the row at once; Undo brings it back and nothing was deleted. */
  g_assert_true (avfs_file_browser_select_name (browser, "a.txt"));
  activate (window, "delete");
  g_assert_true (shows (browser, "docs photos renamed readme.md zz-big.bin"));
  ui_save_png (GTK_WIDGET (window), "ui-browser-deleted");
  activate (window, "undo-delete");
  g_assert_true (shows (browser, "docs photos renamed a.txt readme.md zz-big.bin"));
  info = avfs_vault_stat (vault, "/a.txt", &error);
  g_assert_no_error (error);

  /* Without Undo, the deletion happens when the toast goes (here: at once). */
  g_assert_true (avfs_file_browser_select_name (browser, "renamed"));
  activate (window, "delete");
  avfs_file_browser_commit_deletions (browser);
  WAIT_UNTIL (!avfs_file_browser_is_busy (browser), 5000);
  g_clear_pointer (&info, avfs_file_info_free);
  info = avfs_vault_stat (vault, "/renamed", &error);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  WAIT_UNTIL (shows (browser, "docs photos a.txt readme.md zz-big.bin"), 5000);
}

static void
test_copy_paste (UiFixture     *f,
                 gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);

  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "paste"));
  g_assert_true (avfs_file_browser_select_name (browser, "readme.md"));
  activate (window, "copy");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "paste"));
  activate (window, "paste");
  WAIT_UNTIL (g_list_model_get_n_items (avfs_file_browser_get_shown_items (browser)) == 6, 5000);
  g_assert_true (shows (browser, "docs photos a.txt readme.md readme (copy).md zz-big.bin"));

  avfs_file_browser_set_path (browser, "/docs");
  ui_wait_for_page (window, "browser");
  activate (window, "paste");
  WAIT_UNTIL (shows (browser, "note1.txt note2.txt readme.md"), 5000);
}

static void
test_follows_changes (UiFixture     *f,
                      gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GError) error = NULL;

  /* A change made elsewhere (another thread, as the vault's `changed` signal comes)
   * shows without a refresh. */
  avfs_vault_write (avfs_window_get_vault (window), "/b.txt", (const guint8 *) "b", 1,
                    AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (shows (browser, "docs photos a.txt b.txt readme.md zz-big.bin"), 5000);
}

static void
test_reveals (UiFixture     *f,
              gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);

  /* What opening a search result does. */
  avfs_file_browser_reveal (browser, "/docs/note2.txt");
  ui_wait_for_page (window, "browser");
  g_assert_cmpstr (avfs_file_browser_get_path (browser), ==, "/docs");
  g_assert_cmpstr (avfs_file_browser_get_selected_path (browser), ==, "/docs/note2.txt");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "rename"));
  ui_save_png (GTK_WIDGET (window), "ui-browser-revealed");
}

static void
test_imports_drop (UiFixture     *f,
                   gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_dir_make_tmp ("avfs-drop-XXXXXX", &error);
  g_autofree char *folder = g_build_filename (host, "dropped", NULL);
  g_autofree char *inner = g_build_filename (folder, "inner.txt", NULL);
  g_autofree char *single = g_build_filename (host, "single.txt", NULL);
  g_autoptr(GFile) folder_file = g_file_new_for_path (folder);
  g_autoptr(GFile) single_file = g_file_new_for_path (single);
  g_autoptr(GBytes) content = NULL;
  GSList *files;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (inner, "inside", -1, NULL));
  g_assert_true (g_file_set_contents (single, "alone", -1, NULL));

  /* What a drop of two items from the file manager does. */
  avfs_file_browser_set_path (browser, "/photos");
  ui_wait_for_page (window, "browser");
  files = g_slist_append (g_slist_append (NULL, folder_file), single_file);
  avfs_file_browser_import_files (browser, files);
  g_slist_free (files);
  WAIT_UNTIL (shows (browser, "dropped single.txt"), 10000);
  WAIT_UNTIL (!avfs_file_browser_is_busy (browser), 10000);
  content = avfs_vault_read (avfs_window_get_vault (window), "/photos/dropped/inner.txt", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), "inside", 6);

  g_unlink (inner);
  g_unlink (single);
  g_rmdir (folder);
  g_rmdir (host);
}

static void
test_tags_and_exports (UiFixture     *f,
                       gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_dir_make_tmp ("avfs-export-XXXXXX", &error);
  g_autofree char *exported = g_build_filename (host, "docs", "note1.txt", NULL);
  g_autofree char *exported_dir = g_build_filename (host, "docs", NULL);
  g_autofree char *exported_2 = g_build_filename (host, "docs", "note2.txt", NULL);
  g_autofree char *content = NULL;
  g_auto(GStrv) tags = NULL;
  AvfsFileItem *item;

  g_assert_no_error (error);
  g_assert_true (avfs_file_browser_select_name (browser, "readme.md"));
  activate (window, "tag");
  answer_dialog ("important");
  WAIT_UNTIL (!avfs_file_browser_is_busy (browser), 5000);
  tags = avfs_vault_tags_list (avfs_window_get_vault (window), "/readme.md", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (tags, ((const char *[]) { "important", NULL }));
  /* The tags column follows (the folder reloads on the change, then loads the tags). */
  WAIT_UNTIL ((item = avfs_directory_model_lookup (avfs_file_browser_get_directory (browser),
                                                   "readme.md")) != NULL &&
              g_strcmp0 (avfs_file_item_get_tags (item), "important") == 0, 5000);

  /* Export: a folder becomes a host folder of the same name. */
  g_assert_true (avfs_file_browser_select_name (browser, "docs"));
  avfs_file_browser_export_selected (browser, host);
  WAIT_UNTIL (!avfs_file_browser_is_busy (browser), 5000);
  g_assert_true (g_file_get_contents (exported, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "first note");
  ui_save_png (GTK_WIDGET (window), "ui-browser-tagged");

  g_unlink (exported);
  g_unlink (exported_2);
  g_rmdir (exported_dir);
  g_rmdir (host);
}

static void
test_context_menu (UiFixture     *f,
                   gconstpointer  data)
{
  AvfsWindow *window = open_demo (f);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);

  g_assert_true (avfs_file_browser_select_name (browser, "a.txt"));
  gtk_popover_set_pointing_to (GTK_POPOVER (browser->popover), &(GdkRectangle) { 120, 160, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (browser->popover));
  WAIT_UNTIL (gtk_widget_get_mapped (browser->popover), 5000);
  /* A popover is a surface of its own: drawn on its own. */
  ui_save_png (browser->popover, "ui-browser-context-menu");
  gtk_popover_popdown (GTK_POPOVER (browser->popover));
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/browser/lists-root", test_lists_root },
    { "/ui/browser/navigates", test_navigates },
    { "/ui/browser/sorts-by-size", test_sorts_by_size },
    { "/ui/browser/new-folder-validation", test_new_folder_validation },
    { "/ui/browser/file-operations", test_file_operations },
    { "/ui/browser/copy-paste", test_copy_paste },
    { "/ui/browser/follows-changes", test_follows_changes },
    { "/ui/browser/reveals", test_reveals },
    { "/ui/browser/imports-drop", test_imports_drop },
    { "/ui/browser/tags-and-exports", test_tags_and_exports },
    { "/ui/browser/context-menu", test_context_menu },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
