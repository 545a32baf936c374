/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import and export through the browser and the transfer dialog: a host tree in and out
 * again byte for byte, the question about names that exist, Cancel, and the summary. */
#include "avfs-config.h"

#include <fcntl.h>
#include <unistd.h>

#include "avfs-file-browser-private.h"
#include "avfs-transfer-dialog.h"
#include "test-ui-util.h"

static AvfsWindow *
open_vault (UiFixture         *f,
            const char *const *files)
{
  return ui_fixture_open_vault (f, "demo", "sqlite", files);
}

static void
write_host_file (const char *folder,
                  const char *name,
                  const char *content,
                  gssize      length)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, content, length, NULL));
}

static void
assert_same_file (const char *a,
                  const char *b)
{
  g_autofree char *content_a = NULL;
  g_autofree char *content_b = NULL;
  gsize length_a, length_b;

  g_assert_true (g_file_get_contents (a, &content_a, &length_a, NULL));
  g_assert_true (g_file_get_contents (b, &content_b, &length_b, NULL));
  g_assert_cmpmem (content_a, length_a, content_b, length_b);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                                   NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFileInfo) owned = info;
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

/* The transfer dialog, once it shows its summary. */
static AvfsTransferDialog *
wait_for_summary (void)
{
  AvfsTransferDialog *dialog = NULL;

  WAIT_UNTIL ((dialog = (AvfsTransferDialog *) ui_find_window (AVFS_TYPE_TRANSFER_DIALOG)) != NULL &&
              g_str_equal (avfs_transfer_dialog_get_page (dialog), "summary"), 20000);
  return dialog;
}

/* The summary's title. */
static const char *
summary_title (AvfsTransferDialog *dialog)
{
  GtkWidget *widget = GTK_WIDGET (dialog);

  /* Depth first, to the status page. */
  while (widget != NULL && !ADW_IS_STATUS_PAGE (widget))
    {
      if (gtk_widget_get_first_child (widget) != NULL)
        {
          widget = gtk_widget_get_first_child (widget);
          continue;
        }
      while (widget != NULL && gtk_widget_get_next_sibling (widget) == NULL)
        widget = gtk_widget_get_parent (widget);
      widget = widget != NULL ? gtk_widget_get_next_sibling (widget) : NULL;
    }
  g_assert_nonnull (widget);
  return adw_status_page_get_title (ADW_STATUS_PAGE (widget));
}

static void
close_dialog (AvfsTransferDialog *dialog)
{
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_UNTIL (ui_find_window (AVFS_TYPE_TRANSFER_DIALOG) == NULL, 5000);
}

/* What a click on a response's button does. */
static void
answer (AdwMessageDialog *question,
        const char       *response)
{
  adw_message_dialog_response (question, response);
  gtk_window_close (GTK_WINDOW (question));
}

static void
import_host (AvfsFileBrowser *browser,
             const char      *host_path)
{
  g_autoptr(GFile) file = g_file_new_for_path (host_path);
  GSList files = { file, NULL };

  avfs_file_browser_import_files (browser, &files);
}

static void
test_actions_follow_vault (UiFixture     *f,
                           gconstpointer  data)
{
  static const char *actions[] = { "import-files", "import-folder", "export" };
  AvfsWindow *window = ui_fixture_open_window (f);

  ui_wait_for_page (window, "empty");
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), actions[i]));
  ui_fixture_make_vault (f, "demo", "sqlite", NULL);
  avfs_window_open_vault (window, "demo");
  ui_wait_for_page (window, "browser");
  /* Export needs no selection: it takes the folder shown then. */
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), actions[i]));
}

static void
test_round_trip (UiFixture     *f,
                 gconstpointer  data)
{
  static const char binary[] = { 0, 1, 2, (char) 0xff, (char) 0xfe, 0, 'x' };
  static const char *files[] = { "a.txt", "sub/b.bin", "sub/deeper/c.txt" };
  AvfsWindow *window = open_vault (f, NULL);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_dir_make_tmp ("avfs-transfer-XXXXXX", &error);
  g_autofree char *tree = g_build_filename (host, "tree", NULL);
  g_autofree char *link = g_build_filename (tree, "link", NULL);
  g_autofree char *out = g_build_filename (host, "out", NULL);
  const AvfsTransferReport *report;
  AvfsTransferDialog *dialog;

  g_assert_no_error (error);
  write_host_file (tree, "a.txt", "alpha\n", -1);
  write_host_file (tree, "sub/b.bin", binary, sizeof binary);
  write_host_file (tree, "sub/deeper/c.txt", "gamma", -1);
  g_assert_cmpint (symlink ("a.txt", link), ==, 0);
  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);

  import_host (browser, tree);
  dialog = wait_for_summary ();
  report = avfs_transfer_dialog_get_report (dialog);
  g_assert_cmpstr (summary_title (dialog), ==, "Import Complete");
  g_assert_cmpuint (report->files, ==, 3);
  g_assert_cmpuint (report->bytes, ==, 6 + sizeof binary + 5);
  g_assert_cmpuint (report->skipped_symlinks, ==, 1);
  ui_save_png (GTK_WIDGET (dialog), "ui-transfer-import-summary");
  close_dialog (dialog);
  WAIT_UNTIL (avfs_directory_model_lookup (avfs_file_browser_get_directory (browser), "tree") != NULL,
              5000);

  /* Out again, selected, into a host folder: the same bytes. */
  g_assert_true (avfs_file_browser_select_name (browser, "tree"));
  avfs_file_browser_export_selected (browser, out);
  dialog = wait_for_summary ();
  g_assert_cmpuint (avfs_transfer_dialog_get_report (dialog)->files, ==, 3);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  ui_save_png (GTK_WIDGET (dialog), "ui-transfer-export-summary-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  close_dialog (dialog);
  WAIT_UNTIL (!avfs_file_browser_is_busy (browser), 5000);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *original = g_build_filename (tree, files[i], NULL);
      g_autofree char *exported = g_build_filename (out, "tree", files[i], NULL);

      assert_same_file (original, exported);
    }
  remove_tree (host);
}

/* An import into a folder that has the name asks; each answer does what it says. */
static void
test_import_conflict (UiFixture     *f,
                      gconstpointer  data)
{
  static const char *vault_files[] = { "/docs/note.txt=old", NULL };
  static const struct
  {
    const char *response;
    const char *content;     /* in the vault afterwards */
    guint64 skipped_existing;
  } answers[] = {
    { "skip", "old", 1 },
    { "cancel", "old", 0 },
    { "replace", "new", 0 },
  };
  AvfsWindow *window = open_vault (f, vault_files);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_dir_make_tmp ("avfs-transfer-XXXXXX", &error);
  g_autofree char *note = g_build_filename (host, "note.txt", NULL);

  g_assert_no_error (error);
  write_host_file (host, "note.txt", "new", -1);
  avfs_file_browser_set_path (browser, "/docs");
  ui_wait_for_page (window, "browser");

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      AdwMessageDialog *question = NULL;
      g_autoptr(GBytes) content = NULL;

      import_host (browser, note);
      WAIT_UNTIL ((question = (AdwMessageDialog *) ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL,
                  5000);
      g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "“note.txt” Already Exists");
      g_assert_true (adw_message_dialog_has_response (question, "skip"));
      if (i == 0)
        ui_save_png (GTK_WIDGET (question), "ui-transfer-import-question");
      answer (question, answers[i].response);
      if (g_str_equal (answers[i].response, "cancel"))
        {
          WAIT_UNTIL (!avfs_file_browser_is_busy (browser), 5000);
          g_assert_null (ui_find_window (AVFS_TYPE_TRANSFER_DIALOG));
        }
      else
        {
          AvfsTransferDialog *dialog = wait_for_summary ();

          g_assert_cmpuint (avfs_transfer_dialog_get_report (dialog)->skipped_existing, ==,
                            answers[i].skipped_existing);
          close_dialog (dialog);
        }
      content = avfs_vault_read (avfs_window_get_vault (window), "/docs/note.txt", 0, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                       answers[i].content, strlen (answers[i].content));
    }
  remove_tree (host);
}

/* An export onto a host file asks too: Replace overwrites it; there is no Skip. */
static void
test_export_conflict (UiFixture     *f,
                      gconstpointer  data)
{
  static const char *vault_files[] = { "/note.txt=from the vault", NULL };
  AvfsWindow *window = open_vault (f, vault_files);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_dir_make_tmp ("avfs-transfer-XXXXXX", &error);
  g_autofree char *note = g_build_filename (host, "note.txt", NULL);
  g_autofree char *content = NULL;
  AdwMessageDialog *question = NULL;

  g_assert_no_error (error);
  write_host_file (host, "note.txt", "on the host", -1);
  g_assert_true (avfs_file_browser_select_name (browser, "note.txt"));
  avfs_file_browser_export_selected (browser, host);
  WAIT_UNTIL ((question = (AdwMessageDialog *) ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL,
              5000);
  g_assert_false (adw_message_dialog_has_response (question, "skip"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (question, "replace"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  answer (question, "replace");
  close_dialog (wait_for_summary ());
  g_assert_true (g_file_get_contents (note, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "from the vault");
  remove_tree (host);
}

/* Cancel stops a long import; what is committed stays, and the summary says so. */
static void
test_cancel (UiFixture     *f,
             gconstpointer  data)
{
  AvfsWindow *window = open_vault (f, NULL);
  AvfsFileBrowser *browser = avfs_window_get_browser (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_dir_make_tmp ("avfs-transfer-XXXXXX", &error);
  g_autofree char *big = g_build_filename (host, "big.bin", NULL);
  AvfsTransferDialog *dialog = NULL;
  int fd;

  g_assert_no_error (error);
  /* Sparse: large to read, nothing to write. */
  fd = open (big, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, G_GINT64_CONSTANT (4) << 30), ==, 0);
  close (fd);

  import_host (browser, big);
  WAIT_UNTIL ((dialog = (AvfsTransferDialog *) ui_find_window (AVFS_TYPE_TRANSFER_DIALOG)) != NULL,
              5000);
  g_assert_cmpstr (avfs_transfer_dialog_get_page (dialog), ==, "progress");
  ui_save_png (GTK_WIDGET (dialog), "ui-transfer-progress");
  avfs_transfer_dialog_cancel (dialog);
  dialog = wait_for_summary ();
  g_assert_cmpstr (summary_title (dialog), ==, "Import Cancelled");
  ui_save_png (GTK_WIDGET (dialog), "ui-transfer-cancelled");
  close_dialog (dialog);
  remove_tree (host);
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/transfer/actions-follow-vault", test_actions_follow_vault },
    { "/ui/transfer/round-trip", test_round_trip },
    { "/ui/transfer/import-conflict", test_import_conflict },
    { "/ui/transfer/export-conflict", test_export_conflict },
    { "/ui/transfer/cancel", test_cancel },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
