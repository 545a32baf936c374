/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchPane: searches the vault as the query is typed. Each query cancels the one
 * before it and its late answer is ignored; hits come a page at a time, the next page
 * when the list is scrolled to its end. */
#include "avfs-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "avfs-search-pane.h"
#include "avfs-vault-async-search.h"

struct _AvfsSearchPane
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkSearchEntry *entry;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  GtkLabel *status_label;
  GtkStack *stack;
  AdwStatusPage *start_page;
  AdwStatusPage *empty_page;
  GtkScrolledWindow *results_scroller;
  GtkListView *results_view;

  AvfsVault *vault;
  char *query;              /* the query the hits answer, or %NULL */
  GCancellable *cancellable;
  GPtrArray *pages;         /* AvfsSearchResults, one per page asked for */
  GPtrArray *hits;          /* AvfsSearchHit of those pages, in order: item i of paths */
  GtkStringList *paths;
  guint64 total;
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (AvfsSearchPane, avfs_search_pane, GTK_TYPE_WIDGET)

enum {
  SIGNAL_OPEN_PATH,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_query_error (AvfsSearchPane *self,
                  const char     *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
}

static void
set_loading (AvfsSearchPane *self,
             gboolean        loading)
{
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
}

static void
clear_hits (AvfsSearchPane *self)
{
  gtk_string_list_splice (self->paths, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->paths)), NULL);
  g_ptr_array_set_size (self->hits, 0);
  g_ptr_array_set_size (self->pages, 0);
  self->total = 0;
}

static void
hit_setup_cb (AvfsSearchPane *self,
              GtkListItem    *item)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *path = gtk_label_new (NULL);
  GtkWidget *snippet = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (path), 0);
  gtk_label_set_ellipsize (GTK_LABEL (path), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (path, "caption");
  gtk_widget_add_css_class (path, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (snippet), 0);
  gtk_label_set_wrap (GTK_LABEL (snippet), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (snippet), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (snippet), 3);
  gtk_label_set_ellipsize (GTK_LABEL (snippet), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (row), name);
  gtk_box_append (GTK_BOX (row), path);
  gtk_box_append (GTK_BOX (row), snippet);
  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "path", path);
  g_object_set_data (G_OBJECT (row), "snippet", snippet);
  gtk_list_item_set_child (item, row);
}

static void
hit_bind_cb (AvfsSearchPane *self,
             GtkListItem    *item)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  AvfsSearchHit *hit = g_ptr_array_index (self->hits, gtk_list_item_get_position (item));
  g_autofree char *name = g_path_get_basename (hit->path);
  g_autofree char *path = avfs_search_mark_up (hit->path, hit->path_marks, "<b>", "</b>",
                                               TRUE);
  g_autofree char *snippet = NULL;
  GtkWidget *snippet_label = g_object_get_data (G_OBJECT (row), "snippet");

  if (hit->snippet != NULL)
    snippet = avfs_search_mark_up (hit->snippet, hit->marks, "<b>", "</b>", TRUE);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "name"), name);
  gtk_label_set_markup (g_object_get_data (G_OBJECT (row), "path"), path);
  gtk_label_set_markup (GTK_LABEL (snippet_label), snippet != NULL ? snippet : "");
  gtk_widget_set_visible (snippet_label, snippet != NULL && snippet[0] != '\0');
}

static void
show_status (AvfsSearchPane *self,
             double          took_ms)
{
  g_autofree char *status = NULL;

  /* TRANSLATORS: how many files match and how long the search took */
  status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%llu file · %.0f ms",
                                         "%llu files · %.0f ms", self->total),
                            (unsigned long long) self->total, took_ms);
  gtk_label_set_label (self->status_label, status);
}

static void
add_page (AvfsSearchPane    *self,
          AvfsSearchResults *results)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;

  for (guint i = 0; i < results->hits->len; i++)
    {
      AvfsSearchHit *hit = g_ptr_array_index (results->hits, i);

      g_ptr_array_add (self->hits, hit);
      g_strv_builder_add (builder, hit->path);
    }
  self->total = results->total;
  g_ptr_array_add (self->pages, results);
  paths = g_strv_builder_end (builder);
  gtk_string_list_splice (self->paths, g_list_model_get_n_items (G_LIST_MODEL (self->paths)),
                          0, (const char * const *) paths);
}

static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AvfsSearchPane) self = user_data;
  g_autoptr(GError) error = NULL;
  AvfsSearchResults *results = avfs_vault_search_finish (AVFS_VAULT (source), result, &error);

  /* A newer query cancelled this one: its answer is not wanted. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_loading (self, FALSE);
  if (results == NULL)
    {
      clear_hits (self);
      show_query_error (self, error->message);
      gtk_label_set_label (self->status_label, "");
      gtk_stack_set_visible_child_name (self->stack, "start");
      return;
    }
  show_query_error (self, NULL);
  add_page (self, results);
  show_status (self, results->took_ms);
  gtk_stack_set_visible_child_name (self->stack, self->hits->len > 0 ? "results" : "empty");
}

/* Asks for the page of hits after those shown. */
static void
search_page (AvfsSearchPane *self)
{
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;

  options.limit = AVFS_SEARCH_PANE_PAGE_SIZE;
  options.offset = self->hits->len;
  options.highlight = TRUE;
  set_loading (self, TRUE);
  avfs_vault_search_async (self->vault, self->query, &options, self->cancellable,
                           search_done_cb, g_object_ref (self));
}

/* Drops the query running and the hits shown, then searches the entry's text. */
static void
search (AvfsSearchPane *self)
{
  g_autofree char *query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, FALSE);
  clear_hits (self);
  g_clear_pointer (&self->query, g_free);
  if (self->vault == NULL || query[0] == '\0')
    {
      show_query_error (self, NULL);
      gtk_label_set_label (self->status_label, "");
      gtk_stack_set_visible_child_name (self->stack, "start");
      return;
    }
  self->query = g_steal_pointer (&query);
  search_page (self);
}

static void
search_changed_cb (AvfsSearchPane *self)
{
  search (self);
}

static void
edge_reached_cb (AvfsSearchPane  *self,
                 GtkPositionType  position)
{
  if (position == GTK_POS_BOTTOM && !self->loading && self->query != NULL &&
      self->hits->len < self->total)
    search_page (self);
}

static void
result_activate_cb (AvfsSearchPane *self,
                    guint           position)
{
  AvfsSearchHit *hit = g_ptr_array_index (self->hits, position);

  g_signal_emit (self, signals[SIGNAL_OPEN_PATH], 0, hit->path);
}

/* Enter in the entry opens the best hit. */
static void
entry_activate_cb (AvfsSearchPane *self)
{
  if (self->hits->len > 0)
    result_activate_cb (self, 0);
}

/**
 * avfs_search_pane_set_vault:
 * @vault: (nullable): the vault to search
 *
 * Searches @vault from now on, for the query typed so far too.
 */
void
avfs_search_pane_set_vault (AvfsSearchPane *self,
                            AvfsVault      *vault)
{
  g_return_if_fail (AVFS_IS_SEARCH_PANE (self));
  g_return_if_fail (vault == NULL || AVFS_IS_VAULT (vault));

  if (!g_set_object (&self->vault, vault))
    return;
  search (self);
}

/**
 * avfs_search_pane_focus:
 *
 * Puts the keyboard focus in the search entry, its text selected.
 */
void
avfs_search_pane_focus (AvfsSearchPane *self)
{
  g_return_if_fail (AVFS_IS_SEARCH_PANE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
avfs_search_pane_dispose (GObject *object)
{
  AvfsSearchPane *self = AVFS_SEARCH_PANE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_SEARCH_PANE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->vault);
  g_clear_object (&self->paths);
  g_clear_pointer (&self->hits, g_ptr_array_unref);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_pointer (&self->query, g_free);
  G_OBJECT_CLASS (avfs_search_pane_parent_class)->dispose (object);
}

static void
avfs_search_pane_class_init (AvfsSearchPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_search_pane_dispose;

  /**
   * AvfsSearchPane::open-path:
   * @path: the vault path of the hit
   *
   * A hit was activated: the window shows that file.
   */
  signals[SIGNAL_OPEN_PATH] = g_signal_new ("open-path", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-search-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, box);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, entry);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, error_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, spinner);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, status_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, start_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, empty_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, results_scroller);
  gtk_widget_class_bind_template_child (widget_class, AvfsSearchPane, results_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, edge_reached_cb);
  gtk_widget_class_bind_template_callback (widget_class, hit_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, hit_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_activate_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_search_pane_init (AvfsSearchPane *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  /* The query language in a sentence, for the start page and when nothing matches. */
  const char *hint = _("Type words to find files that contain them all. Use \"a phrase\" "
                       "in quotes, prefix* for words that start so, -word to leave files "
                       "out, OR for either word, and path:, name: or tag: to look in one "
                       "place only.");

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) avfs_search_results_free);
  self->hits = g_ptr_array_new ();
  self->paths = gtk_string_list_new (NULL);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->paths)));
  gtk_list_view_set_model (self->results_view, GTK_SELECTION_MODEL (selection));
  adw_status_page_set_description (self->start_page, hint);
  adw_status_page_set_description (self->empty_page, hint);
}

/**
 * avfs_search_pane_new:
 *
 * Returns: (transfer floating): a search pane without a vault
 */
AvfsSearchPane *
avfs_search_pane_new (void)
{
  return g_object_new (AVFS_TYPE_SEARCH_PANE, NULL);
}
