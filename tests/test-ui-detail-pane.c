/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The detail pane in a real window: previews, tags, metadata, history, diff, restore,
 * and quick switching between files. */
#include <string.h>

#include "avfs-detail-history.h"
#include "avfs-detail-pane.h"
#include "avfs-detail-preview.h"
#include "avfs-detail-tags.h"
#include "avfs-diff-view.h"
#include "avfs-vault-history.h"
#include "avfs-vault-tags.h"
#include "ui-panes-test.h"

typedef struct
{
  PanesVault v;
  AvfsDetailPane *pane;
  GtkWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  panes_vault_open (&f->v);
  f->pane = avfs_detail_pane_new ();
  f->window = panes_window_new (GTK_WIDGET (f->pane), 560, 900);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  avfs_detail_pane_set_file (f->pane, NULL, NULL);
  /* Calls still on their way hold the vault: let them land first. */
  WAIT_UNTIL (G_OBJECT (f->v.vault)->ref_count == 1, 5000);
  panes_window_destroy (f->window);
  panes_vault_close (&f->v);
}

static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

static gpointer
pane_child (Fixture    *f,
            const char *name)
{
  return child (f->pane, AVFS_TYPE_DETAIL_PANE, name);
}

static const char *
page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (pane_child (f, "stack"));
}

static const char *
label (gpointer widget)
{
  return gtk_label_get_label (widget);
}

static char *
text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static AvfsDetailPreviewKind
preview_kind (Fixture *f)
{
  return avfs_detail_preview_get_kind (pane_child (f, "preview"));
}

/* Shows @path and waits until its details and preview are there. */
static void
show_file (Fixture    *f,
           const char *path,
           const char *name)
{
  avfs_detail_pane_set_file (f->pane, f->v.vault, path);
  WAIT_UNTIL (g_str_equal (page (f), "details") &&
              g_str_equal (label (pane_child (f, "name_label")), name) &&
              preview_kind (f) != AVFS_DETAIL_PREVIEW_NONE, 5000);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_assert_cmpstr (page (f), ==, "empty");
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-empty");
}

static void
test_text (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *text = NULL;

  panes_write (&f->v, "/docs/notes.txt", "hello\nworld \xff\n");
  show_file (f, "/docs/notes.txt", "notes.txt");
  g_assert_cmpint (preview_kind (f), ==, AVFS_DETAIL_PREVIEW_TEXT);
  text = text_view_text (child (pane_child (f, "preview"), AVFS_TYPE_DETAIL_PREVIEW,
                                "text_view"));
  /* The invalid byte is shown as U+FFFD. */
  g_assert_cmpstr (text, ==, "hello\nworld \xef\xbf\xbd\n");
  g_assert_true (strstr (label (pane_child (f, "type_label")), "text/plain") != NULL);
  WAIT_UNTIL (strstr (label (pane_child (f, "facts_label")), "1 version") != NULL, 5000);
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-text");
}

static void
test_binary (Fixture       *f,
             gconstpointer  data)
{
  static const guint8 bytes[] = { 0x7f, 'E', 'L', 'F', 0, 1, 2, 3, 0xfe, 0xff, 'a', 'b' };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  avfs_vault_write (f->v.vault, "/prog.bin", bytes, sizeof bytes, AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);
  show_file (f, "/prog.bin", "prog.bin");
  g_assert_cmpint (preview_kind (f), ==, AVFS_DETAIL_PREVIEW_HEX);
  text = text_view_text (child (pane_child (f, "preview"), AVFS_TYPE_DETAIL_PREVIEW,
                                "text_view"));
  g_assert_cmpstr (text, ==,
                   "00000000  7f 45 4c 46 00 01 02 03  fe ff 61 62              |.ELF......ab|\n");
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-binary");
}

static void
test_image (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GByteArray) pixels = g_byte_array_new ();
  g_autoptr(GBytes) pixel_bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  GdkPaintable *shown;

  /* A 48 × 32 gradient. */
  for (int y = 0; y < 32; y++)
    for (int x = 0; x < 48; x++)
      {
        guint8 pixel[4] = { x * 5, y * 8, 160, 255 };

        g_byte_array_append (pixels, pixel, 4);
      }
  pixel_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&pixels));
  texture = gdk_memory_texture_new (48, 32, GDK_MEMORY_R8G8B8A8, pixel_bytes, 48 * 4);
  png = gdk_texture_save_to_png_bytes (texture);
  avfs_vault_write (f->v.vault, "/picture.png", g_bytes_get_data (png, NULL),
                    g_bytes_get_size (png), AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);
  show_file (f, "/picture.png", "picture.png");
  g_assert_cmpint (preview_kind (f), ==, AVFS_DETAIL_PREVIEW_IMAGE);
  shown = gtk_picture_get_paintable (child (pane_child (f, "preview"),
                                            AVFS_TYPE_DETAIL_PREVIEW, "picture"));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (shown), ==, 48);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (shown), ==, 32);
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-image");
}

static void
test_large_file (Fixture       *f,
                 gconstpointer  data)
{
  gsize size = AVFS_DETAIL_PANE_PREVIEW_MAX_SIZE + 1;
  g_autofree guint8 *content = g_malloc (size);
  g_autofree char *shown_size = g_format_size (size);
  g_autoptr(GError) error = NULL;

  memset (content, 'x', size);
  avfs_vault_write (f->v.vault, "/big.log", content, size, AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);
  avfs_vault_write (f->v.vault, "/big.png", content, size, AVFS_WRITE_NONE, &error);
  g_assert_no_error (error);

  /* Text shows its start, read without reading the rest. */
  avfs_detail_pane_set_file (f->pane, f->v.vault, "/big.log");
  WAIT_UNTIL (g_str_equal (page (f), "details") && preview_kind (f) == AVFS_DETAIL_PREVIEW_TEXT,
              5000);

  /* A picture is decoded whole, so a huge one is described, never read. */
  avfs_detail_pane_set_file (f->pane, f->v.vault, "/big.png");
  WAIT_UNTIL (g_str_equal (page (f), "details") && preview_kind (f) == AVFS_DETAIL_PREVIEW_NONE,
              5000);
  g_assert_true (g_str_has_prefix (label (child (pane_child (f, "preview"),
                                                 AVFS_TYPE_DETAIL_PREVIEW, "message_label")),
                                   "No preview"));
  g_assert_true (g_str_has_prefix (label (pane_child (f, "facts_label")), shown_size));
}

static void
test_directory (Fixture       *f,
                gconstpointer  data)
{
  panes_write (&f->v, "/projects/a.txt", "a");
  panes_write (&f->v, "/projects/b.txt", "b");
  avfs_detail_pane_set_file (f->pane, f->v.vault, "/projects");
  WAIT_UNTIL (g_str_equal (page (f), "details") &&
              strstr (label (pane_child (f, "facts_label")), "2 items") != NULL, 5000);
  g_assert_cmpstr (label (pane_child (f, "name_label")), ==, "projects");
  g_assert_false (gtk_widget_get_visible (pane_child (f, "preview_group")));
  g_assert_false (gtk_widget_get_visible (pane_child (f, "history")));
  g_assert_true (gtk_widget_get_visible (pane_child (f, "tags")));
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-directory");
}

static void
test_missing (Fixture       *f,
              gconstpointer  data)
{
  avfs_detail_pane_set_file (f->pane, f->v.vault, "/nowhere.txt");
  WAIT_UNTIL (g_str_equal (page (f), "error"), 5000);
  g_assert_true (strstr (adw_status_page_get_description (pane_child (f, "error_page")),
                         "/nowhere.txt") != NULL);
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-error");
}

static gboolean
has_tag (Fixture    *f,
         const char *path,
         const char *tag)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = avfs_vault_tags_list (f->v.vault, path, &error);

  g_assert_no_error (error);
  return g_strv_contains ((const char * const *) tags, tag);
}

static void
test_tags (Fixture       *f,
           gconstpointer  data)
{
  AvfsDetailTags *tags;
  GtkWidget *entry, *add, *error_label;
  GtkFlowBox *chips;

  panes_write (&f->v, "/report.txt", "quarterly");
  show_file (f, "/report.txt", "report.txt");
  tags = pane_child (f, "tags");
  entry = child (tags, AVFS_TYPE_DETAIL_TAGS, "tag_entry");
  add = child (tags, AVFS_TYPE_DETAIL_TAGS, "add_tag_button");
  error_label = child (tags, AVFS_TYPE_DETAIL_TAGS, "tag_error_label");

  /* Checked as it is typed: a space is refused, under the entry. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "two words");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (label (error_label), !=, "");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_false (gtk_widget_get_sensitive (add));
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-tag-error");

  gtk_editable_set_text (GTK_EDITABLE (entry), "work");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_get_sensitive (add));
  g_signal_emit_by_name (add, "clicked");
  WAIT_UNTIL (has_tag (f, "/report.txt", "work"), 5000);
  gtk_editable_set_text (GTK_EDITABLE (entry), "urgent");
  g_signal_emit_by_name (entry, "activate");
  WAIT_UNTIL (has_tag (f, "/report.txt", "urgent"), 5000);
  chips = child (tags, AVFS_TYPE_DETAIL_TAGS, "tag_box");
  WAIT_UNTIL (gtk_flow_box_get_child_at_index (chips, 1) != NULL, 5000);
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-tags");

  gtk_widget_activate_action (GTK_WIDGET (tags), "detail-tags.remove-tag", "s", "work");
  WAIT_UNTIL (!has_tag (f, "/report.txt", "work"), 5000);
  g_assert_true (has_tag (f, "/report.txt", "urgent"));
  WAIT_UNTIL (gtk_flow_box_get_child_at_index (chips, 1) == NULL, 5000);
}

static char *
meta (Fixture    *f,
      const char *key)
{
  g_autoptr(GError) error = NULL;
  char *value = avfs_vault_meta_get (f->v.vault, "/report.txt", key, &error);

  if (value == NULL)
    g_assert_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND);
  return value;
}

static void
test_metadata (Fixture       *f,
               gconstpointer  data)
{
  AvfsDetailTags *tags;
  GtkWidget *key, *value, *add, *error_label, *list;
  g_autofree char *stored = NULL;

  panes_write (&f->v, "/report.txt", "quarterly");
  show_file (f, "/report.txt", "report.txt");
  tags = pane_child (f, "tags");
  key = child (tags, AVFS_TYPE_DETAIL_TAGS, "key_entry");
  value = child (tags, AVFS_TYPE_DETAIL_TAGS, "value_entry");
  add = child (tags, AVFS_TYPE_DETAIL_TAGS, "add_meta_button");
  error_label = child (tags, AVFS_TYPE_DETAIL_TAGS, "meta_error_label");
  list = child (tags, AVFS_TYPE_DETAIL_TAGS, "meta_list");

  gtk_editable_set_text (GTK_EDITABLE (key), "bad key!");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_get_sensitive (add));

  gtk_editable_set_text (GTK_EDITABLE (key), "author");
  gtk_editable_set_text (GTK_EDITABLE (value), "Ada Lovelace");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_signal_emit_by_name (add, "clicked");
  WAIT_UNTIL ((stored = meta (f, "author")) != NULL, 5000);
  g_assert_cmpstr (stored, ==, "Ada Lovelace");
  WAIT_UNTIL (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0) != NULL, 5000);
  g_assert_cmpstr (adw_preferences_row_get_title (
                     ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0))),
                   ==, "author");
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-metadata");

  gtk_widget_activate_action (GTK_WIDGET (tags), "detail-tags.delete-meta", "s", "author");
  WAIT_UNTIL (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0) == NULL, 5000);
  g_assert_null (meta (f, "author"));
}

static GPtrArray *
vault_log (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *log = avfs_vault_log (f->v.vault, "/poem.txt", 0, &error);

  g_assert_no_error (error);
  return log;
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  AvfsDetailHistory *history;
  AvfsDiffView *diff_view;
  GtkSelectionModel *versions;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *diff = NULL;

  panes_write (&f->v, "/poem.txt", "roses\nare\nred\n");
  panes_write (&f->v, "/poem.txt", "roses\nare\nblue\n");
  panes_write (&f->v, "/poem.txt", "roses\nare\nblue\nand green\n");
  show_file (f, "/poem.txt", "poem.txt");
  history = pane_child (f, "history");
  WAIT_UNTIL (avfs_detail_history_get_n_versions (history) == 3, 5000);
  versions = gtk_list_view_get_model (child (history, AVFS_TYPE_DETAIL_HISTORY, "version_view"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (versions)), ==, 3);
  g_assert_true (strstr (label (pane_child (f, "facts_label")), "3 versions") != NULL);
  diff_view = child (history, AVFS_TYPE_DETAIL_HISTORY, "diff_view");

  /* One version: against the current content. */
  gtk_selection_model_select_item (versions, 2, TRUE);
  WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (diff_view)), 5000);
  g_assert_cmpuint (avfs_diff_view_get_n_added (diff_view), ==, 2);
  g_assert_cmpuint (avfs_diff_view_get_n_removed (diff_view), ==, 1);
  diff = text_view_text (child (diff_view, AVFS_TYPE_DIFF_VIEW, "text_view"));
  g_assert_true (strstr (diff, "\n-red\n") != NULL);
  g_assert_true (strstr (diff, "\n+and green") != NULL);
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-diff");

  /* Two versions: the older against the newer. */
  gtk_selection_model_select_item (versions, 1, FALSE);
  WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (diff_view)) &&
              avfs_diff_view_get_n_added (diff_view) == 1, 5000);
  g_assert_cmpuint (avfs_diff_view_get_n_removed (diff_view), ==, 1);

  /* Restore appends version 1's content as version 4. */
  gtk_widget_activate_action (GTK_WIDGET (history), "detail-history.restore", "u", 1);
  WAIT_UNTIL (avfs_detail_history_get_n_versions (history) == 4, 5000);
  log = vault_log (f);
  g_assert_cmpuint (log->len, ==, 4);
  content = avfs_vault_read (f->v.vault, "/poem.txt", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                   "roses\nare\nred\n", 14);
  WAIT_UNTIL (preview_kind (f) == AVFS_DETAIL_PREVIEW_TEXT, 5000);
  ui_save_png (GTK_WIDGET (f->pane), "detail-pane-restored");
}

static void
test_switch_quickly (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *text = NULL;

  panes_write (&f->v, "/a.txt", "first");
  panes_write (&f->v, "/b.txt", "second");
  panes_write (&f->v, "/c.txt", "third");
  for (int round = 0; round < 5; round++)
    {
      avfs_detail_pane_set_file (f->pane, f->v.vault, "/a.txt");
      avfs_detail_pane_set_file (f->pane, f->v.vault, "/b.txt");
      g_main_context_iteration (NULL, FALSE);
      avfs_detail_pane_set_file (f->pane, f->v.vault, "/c.txt");
    }
  show_file (f, "/c.txt", "c.txt");
  /* Late answers about a and b have had their time; c stays. */
  for (int i = 0; i < 100; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  text = text_view_text (child (pane_child (f, "preview"), AVFS_TYPE_DETAIL_PREVIEW,
                                "text_view"));
  g_assert_cmpstr (text, ==, "third");
  g_assert_cmpstr (label (pane_child (f, "name_label")), ==, "c.txt");
}

int
main (int    argc,
      char **argv)
{
  static const struct
  {
    const char *path;
    void (*func) (Fixture *f, gconstpointer data);
  } tests[] = {
    { "/ui/detail-pane/empty", test_empty },
    { "/ui/detail-pane/text", test_text },
    { "/ui/detail-pane/binary", test_binary },
    { "/ui/detail-pane/image", test_image },
    { "/ui/detail-pane/large-file", test_large_file },
    { "/ui/detail-pane/directory", test_directory },
    { "/ui/detail-pane/missing", test_missing },
    { "/ui/detail-pane/tags", test_tags },
    { "/ui/detail-pane/metadata", test_metadata },
    { "/ui/detail-pane/history", test_history },
    { "/ui/detail-pane/switch-quickly", test_switch_quickly },
  };

  if (!ui_test_init (&argc, &argv))
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add (tests[i].path, Fixture, NULL, fixture_set_up, tests[i].func,
                fixture_tear_down);
  return g_test_run ();
}
