/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search pane in a real window: hits as the query is typed, errors under the entry,
 * no-match state, paging, a newer query winning, and opening a hit. */
#include <string.h>

#include "avfs-search-pane.h"
#include "ui-panes-test.h"

typedef struct
{
  PanesVault v;
  AvfsSearchPane *pane;
  GtkWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  panes_vault_open (&f->v);
  panes_write (&f->v, "/fruit/apple.txt", "An apple a day keeps the doctor away.");
  panes_write (&f->v, "/fruit/basket.txt", "A basket with an apple, a pear and a plum.");
  panes_write (&f->v, "/notes/todo.md", "Buy pears. Call the plumber.");
  f->pane = avfs_search_pane_new ();
  f->window = panes_window_new (GTK_WIDGET (f->pane), 640, 600);
  avfs_search_pane_set_vault (f->pane, f->v.vault);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  avfs_search_pane_set_vault (f->pane, NULL);
  /* A cancelled search still ends on its worker, holding the vault until then. */
  WAIT_UNTIL (G_OBJECT (f->v.vault)->ref_count == 1, 5000);
  panes_window_destroy (f->window);
  panes_vault_close (&f->v);
}

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->pane),
                                                   AVFS_TYPE_SEARCH_PANE, name);

  g_assert_nonnull (object);
  return object;
}

static const char *
page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (child (f, "stack"));
}

static GListModel *
hits (Fixture *f)
{
  return G_LIST_MODEL (gtk_list_view_get_model (child (f, "results_view")));
}

static gboolean
hit_paths_are (Fixture            *f,
               const char * const *paths)
{
  GListModel *model = hits (f);

  if (g_list_model_get_n_items (model) != g_strv_length ((char **) paths))
    return FALSE;
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (!g_strv_contains (paths, gtk_string_object_get_string (item)))
        return FALSE;
    }
  return TRUE;
}

static void
type (Fixture    *f,
      const char *query)
{
  gtk_editable_set_text (GTK_EDITABLE (child (f, "entry")), query);
}

static void
test_start (Fixture       *f,
            gconstpointer  data)
{
  avfs_search_pane_focus (f->pane);
  g_assert_true (gtk_widget_has_focus (child (f, "entry")) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)),
                                         child (f, "entry")));
  g_assert_cmpstr (page (f), ==, "start");
  ui_save_png (GTK_WIDGET (f->pane), "search-pane-start");
}

static void
test_results (Fixture       *f,
              gconstpointer  data)
{
  static const char * const apples[] = { "/fruit/apple.txt", "/fruit/basket.txt", NULL };

  type (f, "apple");
  WAIT_UNTIL (g_str_equal (page (f), "results") && hit_paths_are (f, apples), 5000);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (child (f, "status_label")),
                                   "2 files · "));
  g_assert_false (gtk_widget_get_visible (child (f, "error_label")));
  ui_save_png (GTK_WIDGET (f->pane), "search-pane-results");

  /* Emptying the entry goes back to the start. */
  type (f, "");
  WAIT_UNTIL (g_str_equal (page (f), "start"), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (hits (f)), ==, 0);
}

static void
test_bad_query (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *error_label = child (f, "error_label");

  type (f, "apple OR");
  WAIT_UNTIL (gtk_widget_get_visible (error_label), 5000);
  g_assert_true (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "position") != NULL);
  g_assert_true (gtk_widget_has_css_class (child (f, "entry"), "error"));
  g_assert_cmpuint (g_list_model_get_n_items (hits (f)), ==, 0);
  ui_save_png (GTK_WIDGET (f->pane), "search-pane-error");

  type (f, "apple OR pear");
  WAIT_UNTIL (!gtk_widget_get_visible (error_label) && g_str_equal (page (f), "results"), 5000);
  g_assert_false (gtk_widget_has_css_class (child (f, "entry"), "error"));
}

static void
test_no_match (Fixture       *f,
               gconstpointer  data)
{
  type (f, "zebra");
  WAIT_UNTIL (g_str_equal (page (f), "empty"), 5000);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (child (f, "status_label")),
                                   "0 files · "));
  ui_save_png (GTK_WIDGET (f->pane), "search-pane-empty");
}

static void
test_newer_query_wins (Fixture       *f,
                       gconstpointer  data)
{
  static const char * const todo[] = { "/notes/todo.md", NULL };

  for (int round = 0; round < 5; round++)
    {
      type (f, "apple");
      g_main_context_iteration (NULL, FALSE);
      type (f, "plumber");
    }
  WAIT_UNTIL (g_str_equal (page (f), "results") && hit_paths_are (f, todo), 5000);
  /* Answers to the older queries have had their time; the last one stays. */
  for (int i = 0; i < 60; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  g_assert_true (hit_paths_are (f, todo));
}

static void
open_path_cb (AvfsSearchPane  *pane,
              const char      *path,
              char           **opened)
{
  g_free (*opened);
  *opened = g_strdup (path);
}

static void
test_activate (Fixture       *f,
               gconstpointer  data)
{
  static const char * const todo[] = { "/notes/todo.md", NULL };
  g_autofree char *opened = NULL;

  g_signal_connect (f->pane, "open-path", G_CALLBACK (open_path_cb), &opened);
  type (f, "name:todo");
  WAIT_UNTIL (hit_paths_are (f, todo), 5000);
  g_signal_emit_by_name (child (f, "results_view"), "activate", 0);
  g_assert_cmpstr (opened, ==, "/notes/todo.md");

  /* Enter in the entry opens the best hit. */
  g_clear_pointer (&opened, g_free);
  g_signal_emit_by_name (child (f, "entry"), "activate");
  g_assert_cmpstr (opened, ==, "/notes/todo.md");
}

static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  guint n = AVFS_SEARCH_PANE_PAGE_SIZE + 10;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/many/file-%03u.txt", i);

      panes_write (&f->v, path, "common words everywhere");
    }
  type (f, "common");
  WAIT_UNTIL (g_list_model_get_n_items (hits (f)) == AVFS_SEARCH_PANE_PAGE_SIZE, 5000);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (child (f, "status_label")),
                                   "60 files · "));
  ui_save_png (GTK_WIDGET (f->pane), "search-pane-paging");
  g_signal_emit_by_name (child (f, "results_scroller"), "edge-reached", GTK_POS_BOTTOM);
  WAIT_UNTIL (g_list_model_get_n_items (hits (f)) == n, 5000);
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
    { "/ui/search-pane/start", test_start },
    { "/ui/search-pane/results", test_results },
    { "/ui/search-pane/bad-query", test_bad_query },
    { "/ui/search-pane/no-match", test_no_match },
    { "/ui/search-pane/newer-query-wins", test_newer_query_wins },
    { "/ui/search-pane/activate", test_activate },
    { "/ui/search-pane/paging", test_paging },
  };

  if (!ui_test_init (&argc, &argv))
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add (tests[i].path, Fixture, NULL, fixture_set_up, tests[i].func,
                fixture_tear_down);
  return g_test_run ();
}
