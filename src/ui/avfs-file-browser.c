/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsFileBrowser: the view half — the column view over the directory model (hidden
 * pending deletions filtered out, directories first, then the chosen column), the
 * empty/loading/error pages, navigation, the context menu, drops from the file manager
 * and reloading when the vault changes. The operations are in avfs-file-browser-actions.c. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-file-browser-private.h"
#include "avfs-path.h"
#include "avfs-toasts.h"

G_DEFINE_FINAL_TYPE (AvfsFileBrowser, avfs_file_browser, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VAULT,
  PROP_PATH,
  PROP_SELECTED_PATH,
  N_PROPS
};

enum {
  FILE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* A burst of changes (an import, a recursive delete) becomes one reload this late. */
#define RELOAD_DELAY_MS 150

/* Cells */

/* The context menu finds the row under the pointer through this. */
static void
set_cell_child (GtkListItem *list_item,
                GtkWidget   *child)
{
  g_object_set_data (G_OBJECT (child), "avfs-list-item", list_item);
  gtk_list_item_set_child (list_item, child);
}

static void
name_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               AvfsFileBrowser          *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_inscription_new (NULL);

  gtk_box_append (GTK_BOX (box), gtk_image_new ());
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (name),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_box_append (GTK_BOX (box), name);
  set_cell_child (list_item, box);
}

static void
name_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              AvfsFileBrowser          *self)
{
  AvfsFileItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *image = gtk_widget_get_first_child (box);

  gtk_image_set_from_gicon (GTK_IMAGE (image), avfs_file_item_get_icon (item));
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_widget_get_next_sibling (image)),
                            avfs_file_item_get_name (item));
}

static void
text_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               AvfsFileBrowser          *self)
{
  GtkWidget *text = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (text),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_add_css_class (text, "dim-label");
  gtk_widget_add_css_class (text, "numeric");
  set_cell_child (list_item, text);
}

static void
set_cell_text (GtkListItem *list_item,
               const char  *text)
{
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

static void
size_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              AvfsFileBrowser          *self)
{
  AvfsFileItem *item = gtk_list_item_get_item (list_item);
  g_autofree char *text = NULL;

  if (!avfs_file_item_is_directory (item))
    text = g_format_size (avfs_file_item_get_info (item)->size);
  set_cell_text (list_item, text != NULL ? text : "—");
}

/* "14:05" today, "Yesterday", "3 Mar" this year, else "3 Mar 2021". */
static char *
format_modified (gint64 modified_us)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (modified_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (today, -1);

  if (when == NULL)
    return g_strdup ("—");
  if (g_date_time_compare (when, today) >= 0)
    return g_date_time_format (when, _("%H:%M"));
  if (g_date_time_compare (when, yesterday) >= 0)
    return g_strdup (_("Yesterday"));
  if (g_date_time_get_year (when) == g_date_time_get_year (now))
    return g_date_time_format (when, _("%e %b"));
  return g_date_time_format (when, _("%e %b %Y"));
}

static void
modified_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  AvfsFileBrowser          *self)
{
  AvfsFileItem *item = gtk_list_item_get_item (list_item);
  g_autofree char *text = format_modified (avfs_file_item_get_info (item)->modified_us);
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (avfs_file_item_get_info (item)->modified_us / G_USEC_PER_SEC);
  g_autofree char *full = when != NULL ? g_date_time_format (when, "%c") : NULL;
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  gtk_inscription_set_text (GTK_INSCRIPTION (cell), g_strstrip (text));
  gtk_widget_set_tooltip_text (cell, full);
}

static void
versions_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  AvfsFileBrowser          *self)
{
  AvfsFileItem *item = gtk_list_item_get_item (list_item);
  g_autofree char *text = NULL;

  if (!avfs_file_item_is_directory (item))
    text = g_strdup_printf ("%u", avfs_file_item_get_info (item)->version);
  set_cell_text (list_item, text != NULL ? text : "");
}

static void
tags_changed_cb (AvfsFileItem   *item,
                 GParamSpec     *pspec,
                 GtkInscription *cell)
{
  gtk_inscription_set_text (cell, avfs_file_item_get_tags (item));
}

static void
tags_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              AvfsFileBrowser          *self)
{
  AvfsFileItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  gtk_widget_remove_css_class (cell, "numeric");
  tags_changed_cb (item, NULL, GTK_INSCRIPTION (cell));
  g_signal_connect_object (item, "notify::tags", G_CALLBACK (tags_changed_cb), cell, 0);
  avfs_file_item_load_tags (item, avfs_directory_model_get_vault (self->directory));
}

static void
tags_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                AvfsFileBrowser          *self)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (list_item), tags_changed_cb,
                                        gtk_list_item_get_child (list_item));
}

/* Sorting */

typedef enum {
  SORT_NAME,
  SORT_SIZE,
  SORT_MODIFIED,
  SORT_VERSIONS,
} SortKey;

static const char *sort_key_names[] = { "name", "size", "modified", "versions" };

typedef struct
{
  AvfsFileBrowser *self;
  GtkColumnViewColumn *column;
  SortKey key;
} ColumnSort;

static int
compare_numbers (guint64 a,
                 guint64 b)
{
  return a < b ? GTK_ORDERING_SMALLER : a > b ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

/* Natural name order ("file2" before "file10"). */
static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  int result = strcmp (avfs_file_item_get_sort_key ((AvfsFileItem *) a),
                       avfs_file_item_get_sort_key ((AvfsFileItem *) b));

  return result < 0 ? GTK_ORDERING_SMALLER : result > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static int
compare_column_cb (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  ColumnSort *sort = user_data;
  const AvfsFileInfo *ia = avfs_file_item_get_info ((AvfsFileItem *) a);
  const AvfsFileInfo *ib = avfs_file_item_get_info ((AvfsFileItem *) b);
  int result = GTK_ORDERING_EQUAL;

  sort->self->last_sorted_column = sort->column;
  switch (sort->key)
    {
    case SORT_SIZE:
      result = compare_numbers (ia->size, ib->size);
      break;
    case SORT_MODIFIED:
      result = compare_numbers (ia->modified_us, ib->modified_us);
      break;
    case SORT_VERSIONS:
      result = compare_numbers (ia->version, ib->version);
      break;
    case SORT_NAME:
      result = compare_names (a, b, NULL);
      break;
    }
  return result;
}

static int
directories_first_cb (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  gboolean da = avfs_file_item_is_directory ((AvfsFileItem *) a);
  gboolean db = avfs_file_item_is_directory ((AvfsFileItem *) b);

  return da == db ? GTK_ORDERING_EQUAL : da ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
}

static GtkColumnViewColumn *
column_for_key (AvfsFileBrowser *self,
                SortKey          key)
{
  GtkColumnViewColumn *columns[] = { self->name_column, self->size_column,
                                     self->modified_column, self->versions_column };

  return columns[key];
}

/* GTK 4.8 cannot tell which column the user sorted by (the getter came in 4.10), so
 * compare two probe items that differ in every column: only the primary column's
 * sorter runs, and the sign tells the direction. */
static SortKey
primary_sort_key (AvfsFileBrowser *self,
                  gboolean        *descending)
{
  AvfsFileInfo a = { .path = "/a", .name = "a", .kind = AVFS_NODE_KIND_FILE };
  AvfsFileInfo b = { .path = "/b", .name = "b", .kind = AVFS_NODE_KIND_FILE,
                     .size = 1, .modified_us = 1, .version = 1 };
  g_autoptr(AvfsFileItem) item_a = avfs_file_item_new (avfs_file_info_copy (&a));
  g_autoptr(AvfsFileItem) item_b = avfs_file_item_new (avfs_file_info_copy (&b));
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  GtkOrdering order;

  self->last_sorted_column = NULL;
  order = gtk_sorter_compare (sorter, item_a, item_b);
  *descending = order == GTK_ORDERING_LARGER;
  for (SortKey key = SORT_NAME; key <= SORT_VERSIONS; key++)
    if (column_for_key (self, key) == self->last_sorted_column)
      return key;
  *descending = FALSE;
  return SORT_NAME;
}

static void
column_sorter_changed_cb (GtkSorter       *sorter,
                          GtkSorterChange  change,
                          AvfsFileBrowser *self)
{
  gboolean descending;
  SortKey key = primary_sort_key (self, &descending);

  g_settings_set_string (self->settings, "sort-column", sort_key_names[key]);
  g_settings_set_boolean (self->settings, "sort-descending", descending);
}

static void
set_up_sorting (AvfsFileBrowser *self)
{
  g_autoptr(GtkMultiSorter) sorter = gtk_multi_sorter_new ();
  g_autofree char *column = NULL;

  for (SortKey key = SORT_NAME; key <= SORT_VERSIONS; key++)
    {
      ColumnSort *sort = g_new0 (ColumnSort, 1);
      GtkColumnViewColumn *view_column = column_for_key (self, key);
      g_autoptr(GtkCustomSorter) column_sorter = NULL;

      sort->self = self;
      sort->column = view_column;
      sort->key = key;
      column_sorter = gtk_custom_sorter_new (compare_column_cb, sort, g_free);
      gtk_column_view_column_set_sorter (view_column, GTK_SORTER (column_sorter));
    }
  /* Directories stay first whichever way a column sorts. */
  gtk_multi_sorter_append (sorter, GTK_SORTER (gtk_custom_sorter_new (directories_first_cb,
                                                                      NULL, NULL)));
  gtk_multi_sorter_append (sorter, g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  /* Ties in name order, also when the column sorts the other way. */
  gtk_multi_sorter_append (sorter, GTK_SORTER (gtk_custom_sorter_new (compare_names, NULL, NULL)));
  gtk_sort_list_model_set_sorter (self->sorted, GTK_SORTER (sorter));

  column = g_settings_get_string (self->settings, "sort-column");
  avfs_file_browser_sort_by (self, column, g_settings_get_boolean (self->settings,
                                                                   "sort-descending"));
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (column_sorter_changed_cb), self, 0);
}

/* Pages and selection */

static void
update_page (AvfsFileBrowser *self)
{
  const GError *error = avfs_directory_model_get_error (self->directory);
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->sorted)) == 0;

  if (error != NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else if (empty && avfs_directory_model_get_loading (self->directory))
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else if (empty)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->stack, "list");

  if (self->reveal_name != NULL && !avfs_directory_model_get_loading (self->directory))
    {
      avfs_file_browser_select_name (self, self->reveal_name);
      g_clear_pointer (&self->reveal_name, g_free);
    }
}

static void
selection_changed_cb (AvfsFileBrowser *self)
{
  avfs_file_browser_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_PATH]);
}

static gboolean
hide_filter_cb (gpointer item,
                gpointer user_data)
{
  return !avfs_file_browser_is_hidden (user_data, avfs_file_item_get_path (item));
}

/* Navigation */

static void
row_activated_cb (GtkColumnView   *column_view,
                  guint            position,
                  AvfsFileBrowser *self)
{
  g_autoptr(AvfsFileItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (item == NULL)
    return;
  if (avfs_file_item_is_directory (item))
    avfs_file_browser_set_path (self, avfs_file_item_get_path (item));
  else
    g_signal_emit (self, signals[FILE_ACTIVATED], 0, avfs_file_item_get_path (item));
}

static void
directory_path_changed_cb (AvfsFileBrowser *self)
{
  avfs_file_browser_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

/* The context menu */

static void
context_pressed_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    AvfsFileBrowser *self)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->column_view), x, y, GTK_PICK_DEFAULT);
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };
  double bx, by;

  /* Right-clicking a row selects it first, as in Files; the blank area deselects. */
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  for (; picked != NULL && picked != GTK_WIDGET (self->column_view);
       picked = gtk_widget_get_parent (picked))
    {
      GtkListItem *list_item = g_object_get_data (G_OBJECT (picked), "avfs-list-item");

      if (list_item != NULL)
        {
          gtk_single_selection_set_selected (self->selection, gtk_list_item_get_position (list_item));
          break;
        }
    }
  gtk_widget_translate_coordinates (GTK_WIDGET (self->column_view), GTK_WIDGET (self), x, y, &bx, &by);
  rect.x = (int) bx;
  rect.y = (int) by;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* Drops from the file manager */

static gboolean
drop_cb (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         AvfsFileBrowser *self)
{
  GSList *files = g_value_get_boxed (value);

  if (avfs_file_browser_get_vault (self) == NULL || files == NULL)
    return FALSE;
  avfs_file_browser_import_files (self, files);
  return TRUE;
}

/* Changes made to the vault, by us or by anyone holding it */

typedef struct
{
  GWeakRef browser;
} ChangeRelay;

static void
change_relay_clear (gpointer data)
{
  g_weak_ref_clear (&((ChangeRelay *) data)->browser);
}

static void
change_relay_release (gpointer data,
                      GClosure *closure)
{
  g_atomic_rc_box_release_full (data, change_relay_clear);
}

typedef struct
{
  ChangeRelay *relay;
  char *op;
  char *path;
} Change;

static void
change_free (Change *change)
{
  g_atomic_rc_box_release_full (change->relay, change_relay_clear);
  g_free (change->op);
  g_free (change->path);
  g_free (change);
}

static gboolean
reload_cb (gpointer user_data)
{
  AvfsFileBrowser *self = user_data;

  self->reload_source = 0;
  avfs_directory_model_reload (self->directory);
  return G_SOURCE_REMOVE;
}

/* Whether a change to @path can alter what the folder @shown lists. A move or copy
 * names only its source, so those always count. */
static gboolean
change_concerns (const char *op,
                 const char *path,
                 const char *shown)
{
  g_autofree char *parent = NULL;

  if (path[0] == '\0' || g_str_equal (op, "mv") || g_str_equal (op, "cp"))
    return TRUE;
  if (avfs_path_is_inside (shown, path))
    return TRUE;
  parent = avfs_path_get_parent (path);
  return parent != NULL && g_str_equal (parent, shown);
}

static gboolean
change_on_main_cb (gpointer user_data)
{
  Change *change = user_data;
  g_autoptr(AvfsFileBrowser) self = g_weak_ref_get (&change->relay->browser);
  const char *shown;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  shown = avfs_directory_model_get_path (self->directory);
  if (shown != NULL && self->reload_source == 0 && change_concerns (change->op, change->path, shown))
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
  return G_SOURCE_REMOVE;
}

/* Runs in the thread that changed the vault, with its write lock held. */
static void
vault_changed_cb (AvfsVault   *vault,
                  const char  *op,
                  const char  *path,
                  ChangeRelay *relay)
{
  Change *change = g_new0 (Change, 1);

  change->relay = g_atomic_rc_box_acquire (relay);
  change->op = g_strdup (op);
  change->path = g_strdup (path);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, change_on_main_cb, change,
                              (GDestroyNotify) change_free);
}

static void
watch_vault (AvfsFileBrowser *self,
             AvfsVault       *vault)
{
  ChangeRelay *relay;

  if (self->changed_handler != 0)
    {
      g_signal_handler_disconnect (avfs_directory_model_get_vault (self->directory),
                                   self->changed_handler);
      self->changed_handler = 0;
    }
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (vault == NULL)
    return;
  /* The handler's data outlives a disconnection that races an emission in a worker:
   * the closure keeps it until the emission is over. */
  relay = g_atomic_rc_box_new0 (ChangeRelay);
  g_weak_ref_init (&relay->browser, self);
  self->changed_handler = g_signal_connect_data (vault, "changed", G_CALLBACK (vault_changed_cb),
                                                 relay, change_relay_release, 0);
}

/* GObject */

static void
avfs_file_browser_dispose (GObject *object)
{
  AvfsFileBrowser *self = AVFS_FILE_BROWSER (object);

  /* Taking the columns down changes the sort order, which is not the user's doing. */
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_func (gtk_column_view_get_sorter (self->column_view),
                                          column_sorter_changed_cb, self);
  avfs_file_browser_commit_deletions (self);
  watch_vault (self, NULL);
  if (self->directory != NULL)
    avfs_directory_model_load (self->directory, NULL, NULL);
  avfs_file_browser_clear_actions (self);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_FILE_BROWSER);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->hide_filter);
  g_clear_object (&self->directory);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->reveal_name, g_free);
  G_OBJECT_CLASS (avfs_file_browser_parent_class)->dispose (object);
}

static void
avfs_file_browser_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AvfsFileBrowser *self = AVFS_FILE_BROWSER (object);

  switch (prop_id)
    {
    case PROP_VAULT:
      g_value_set_object (value, avfs_file_browser_get_vault (self));
      break;
    case PROP_PATH:
      g_value_set_string (value, avfs_file_browser_get_path (self));
      break;
    case PROP_SELECTED_PATH:
      g_value_set_string (value, avfs_file_browser_get_selected_path (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
avfs_file_browser_class_init (AvfsFileBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = avfs_file_browser_dispose;
  object_class->get_property = avfs_file_browser_get_property;

  properties[PROP_VAULT] = g_param_spec_object ("vault", NULL, NULL, AVFS_TYPE_VAULT, flags);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_SELECTED_PATH] = g_param_spec_string ("selected-path", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AvfsFileBrowser::file-activated:
   * @path: the file activated (Enter or a double click)
   */
  signals[FILE_ACTIVATED] = g_signal_new ("file-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-file-browser.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, column_view);
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, name_column);
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, size_column);
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, modified_column);
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, versions_column);
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, context_menu);
  gtk_widget_class_bind_template_child (widget_class, AvfsFileBrowser, error_page);
  gtk_widget_class_bind_template_callback (widget_class, name_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, size_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, modified_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, versions_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, tags_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, tags_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, context_pressed_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_file_browser_init (AvfsFileBrowser *self)
{
  GtkDropTarget *drop;
  GtkFilterListModel *filtered;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new ("io.github.avfs.Avfs");
  self->pending_deletions = g_ptr_array_new ();

  self->directory = avfs_directory_model_new ();
  self->hide_filter = GTK_FILTER (gtk_custom_filter_new (hide_filter_cb, self, NULL));
  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->directory)),
                                        g_object_ref (self->hide_filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered), NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  set_up_sorting (self);

  g_signal_connect_swapped (self->sorted, "items-changed", G_CALLBACK (update_page), self);
  g_signal_connect_swapped (self->directory, "notify::loading", G_CALLBACK (update_page), self);
  g_signal_connect_swapped (self->directory, "notify::error", G_CALLBACK (update_page), self);
  g_signal_connect_swapped (self->directory, "notify::path", G_CALLBACK (directory_path_changed_cb), self);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb), self);

  self->popover = gtk_popover_menu_new_from_model (self->context_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  update_page (self);
}

/* Public API */

GtkWidget *
avfs_file_browser_new (void)
{
  return g_object_new (AVFS_TYPE_FILE_BROWSER, NULL);
}

/**
 * avfs_file_browser_set_vault:
 * @vault: (nullable): the vault to browse from its root, %NULL for none
 *
 * Deletions still waiting for their Undo toast are carried out first.
 */
void
avfs_file_browser_set_vault (AvfsFileBrowser *self,
                             AvfsVault       *vault)
{
  g_return_if_fail (AVFS_IS_FILE_BROWSER (self));
  g_return_if_fail (vault == NULL || AVFS_IS_VAULT (vault));

  if (vault == avfs_file_browser_get_vault (self))
    return;
  avfs_file_browser_commit_deletions (self);
  watch_vault (self, vault);
  avfs_directory_model_load (self->directory, vault, vault != NULL ? "/" : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VAULT]);
}

/**
 * avfs_file_browser_get_vault:
 *
 * Returns: (transfer none) (nullable): the vault browsed
 */
AvfsVault *
avfs_file_browser_get_vault (AvfsFileBrowser *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_BROWSER (self), NULL);
  return avfs_directory_model_get_vault (self->directory);
}

/**
 * avfs_file_browser_set_path:
 * @path: a folder of the vault; it is normalised, and a bad one shows as an error page
 */
void
avfs_file_browser_set_path (AvfsFileBrowser *self,
                            const char      *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = NULL;
  AvfsVault *vault;

  g_return_if_fail (AVFS_IS_FILE_BROWSER (self));
  g_return_if_fail (path != NULL);

  vault = avfs_file_browser_get_vault (self);
  if (vault == NULL)
    return;
  normal = avfs_path_normalize (path, &error);
  if (normal == NULL)
    {
      avfs_toast_show_error (GTK_WIDGET (self), error);
      return;
    }
  avfs_directory_model_load (self->directory, vault, normal);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

/**
 * avfs_file_browser_reveal:
 * @path: a file or folder of the vault
 *
 * Shows the folder holding @path and selects @path once it is listed.
 */
void
avfs_file_browser_reveal (AvfsFileBrowser *self,
                          const char      *path)
{
  g_autofree char *parent = NULL;

  g_return_if_fail (AVFS_IS_FILE_BROWSER (self));
  g_return_if_fail (path != NULL);

  parent = avfs_path_get_parent (path);
  if (parent == NULL)
    return;
  g_free (self->reveal_name);
  self->reveal_name = g_strdup (avfs_path_get_name (path));
  avfs_file_browser_set_path (self, parent);
  update_page (self);
}

/**
 * avfs_file_browser_get_path:
 *
 * Returns: (nullable): the folder shown
 */
const char *
avfs_file_browser_get_path (AvfsFileBrowser *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_BROWSER (self), NULL);
  return avfs_directory_model_get_path (self->directory);
}

/**
 * avfs_file_browser_get_selected_path:
 *
 * Returns: (nullable): the vault path of the selected row
 */
const char *
avfs_file_browser_get_selected_path (AvfsFileBrowser *self)
{
  AvfsFileItem *item;

  g_return_val_if_fail (AVFS_IS_FILE_BROWSER (self), NULL);

  item = gtk_single_selection_get_selected_item (self->selection);
  return item != NULL ? avfs_file_item_get_path (item) : NULL;
}

/**
 * avfs_file_browser_select_name:
 * @name: an entry of the folder shown
 *
 * Returns: whether a row called @name was there to select
 */
gboolean
avfs_file_browser_select_name (AvfsFileBrowser *self,
                               const char      *name)
{
  guint n;

  g_return_val_if_fail (AVFS_IS_FILE_BROWSER (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AvfsFileItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if (g_str_equal (avfs_file_item_get_name (item), name))
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * avfs_file_browser_get_shown_items:
 *
 * Returns: (transfer none): the rows in the order shown (#AvfsFileItem)
 */
GListModel *
avfs_file_browser_get_shown_items (AvfsFileBrowser *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_BROWSER (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

/**
 * avfs_file_browser_get_directory:
 *
 * Returns: (transfer none): the model of the folder shown, unsorted
 */
AvfsDirectoryModel *
avfs_file_browser_get_directory (AvfsFileBrowser *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_BROWSER (self), NULL);
  return self->directory;
}

/**
 * avfs_file_browser_sort_by:
 * @column: `name`, `size`, `modified` or `versions` (anything else sorts by name)
 * @descending: largest first
 *
 * Sorts as a click on that column's header does (and is remembered the same way).
 */
void
avfs_file_browser_sort_by (AvfsFileBrowser *self,
                           const char      *column,
                           gboolean         descending)
{
  SortKey key = SORT_NAME;

  g_return_if_fail (AVFS_IS_FILE_BROWSER (self));

  for (SortKey k = SORT_NAME; k <= SORT_VERSIONS; k++)
    if (g_strcmp0 (column, sort_key_names[k]) == 0)
      key = k;
  gtk_column_view_sort_by_column (self->column_view, column_for_key (self, key),
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

/**
 * avfs_file_browser_refilter:
 *
 * Applies a change of the set of hidden (deleted, undoable) entries.
 */
void
avfs_file_browser_refilter (AvfsFileBrowser *self)
{
  gtk_filter_changed (self->hide_filter, GTK_FILTER_CHANGE_DIFFERENT);
}
