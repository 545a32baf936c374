/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsPreferencesWindow: the default engine and each engine's options, read from and
 * written to config.toml (off the main thread), keeping its comments and other keys. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-config-file.h"
#include "avfs-error.h"
#include "avfs-preferences-window.h"
#include "avfs-storage-options.h"
#include "avfs-storage-registry.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

/* The rows: each an option of the engines' table (avfs-storage-options.h), which says
 * what it accepts and what the engine uses without it. */
typedef struct
{
  const char *engine;
  const char *key;
  const char *title;
  const char *description;
  guint64 unit;       /* 1, or MIB for sizes in bytes shown in MiB */
} EngineOption;

static const EngineOption engine_options[] = {
  { "sqlite", "journal_mode", N_("Journal mode"),
    N_("WAL lets readers go on while a write commits"), 1 },
  { "sqlite", "synchronous", N_("Synchronous"),
    N_("How often SQLite waits for the disk: normal is safe with WAL, full also survives "
       "a power cut"), 1 },
  { "sqlite", "cache_size", N_("Cache size"), N_("Pages of cache per connection"), 1 },
  { "sqlite", "mmap_size", N_("Memory-mapped I/O (MiB)"), N_("Per connection; 0 turns it off"),
    MIB },
  { "lmdb", "map_size", N_("Initial map size (MiB)"),
    N_("Where the map starts: it doubles whenever it fills"), MIB },
  { "lmdb", "max_readers", N_("Readers at once"),
    N_("Threads and processes that may read the vault at the same time"), 1 },
  { "lmdb", "no_sync", N_("Skip flushing at each commit"),
    N_("Faster writes, but a crash of the computer can lose the last commits"), 1 },
  { "rocksdb", "create_if_missing", N_("Create missing files"),
    N_("Make the store’s files again when they are missing at open"), 1 },
  { "rocksdb", "max_open_files", N_("Open files"), N_("Table files RocksDB keeps open"), 1 },
  { "rocksdb", "write_buffer_size", N_("Write buffer (MiB)"),
    N_("Writes kept in memory before they go to a table file"), MIB },
  { "rocksdb", "compression", N_("Compression"), N_("How RocksDB compresses its blocks"), 1 },
};

/* What the row's option accepts. */
static const AvfsEngineOption *
spec_of (const EngineOption *option)
{
  const AvfsEngineOption *spec = avfs_engine_option_find (option->engine, option->key);

  g_assert (spec != NULL);
  return spec;
}

struct _AvfsPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* Template children */
  AdwPreferencesPage *page;
  AdwPreferencesGroup *problem_group;
  GtkLabel *problem_label;
  AdwPreferencesGroup *defaults_group;
  AdwComboRow *engine_row;

  char *config_path;
  char *text;               /* config.toml as last edited; NULL until read */
  GtkStringList *engines;   /* the engines offered as the default */
  GtkWidget *rows[G_N_ELEMENTS (engine_options)];
  GtkWidget *controls[G_N_ELEMENTS (engine_options)];
  GPtrArray *groups;        /* the engines' groups, insensitive while the file is bad */
  gboolean showing;         /* controls are being set from the file: not an edit */
  gboolean loading;
  gboolean saving;
  gboolean dirty;           /* edited while a save was running */
};

G_DEFINE_FINAL_TYPE (AvfsPreferencesWindow, avfs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
show_problem (AvfsPreferencesWindow *self,
              const char            *problem)
{
  gtk_label_set_text (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_group), problem != NULL);
}

static const EngineOption *
lookup_option (const char  *engine,
               const char  *key,
               guint       *index)
{
  for (guint i = 0; i < G_N_ELEMENTS (engine_options); i++)
    if (g_str_equal (engine_options[i].engine, engine) && g_str_equal (engine_options[i].key, key))
      {
        *index = i;
        return &engine_options[i];
      }
  return NULL;
}

static gboolean
engine_is_available (const char *name)
{
  const AvfsEngineInfo *info = avfs_storage_lookup_engine (name, NULL);

  return info != NULL && info->available;
}

/* Saving: one write at a time, the newest text last */

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AvfsPreferencesWindow *self = source_object;
  GError *error = NULL;

  if (avfs_config_file_save (self->config_path, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void save (AvfsPreferencesWindow *self);

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AvfsPreferencesWindow *self = AVFS_PREFERENCES_WINDOW (source);
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (error->message));
  if (self->dirty)
    save (self);
}

static void
save (AvfsPreferencesWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->saving)
    {
      self->dirty = TRUE;
      return;
    }
  self->saving = TRUE;
  self->dirty = FALSE;
  task = g_task_new (self, NULL, saved_cb, NULL);
  g_task_set_source_tag (task, save);
  g_task_set_task_data (task, g_strdup (self->text), g_free);
  g_task_run_in_thread (task, save_thread);
}

/* Sets one key in the text and saves it. */
static gboolean
edit (AvfsPreferencesWindow  *self,
      const char             *table,
      const char             *key,
      GVariant               *value,
      GError                **error)
{
  g_autofree char *edited = NULL;

  if (self->text == NULL)
    {
      g_variant_unref (g_variant_ref_sink (value));
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   _("%s cannot be changed until it is fixed"), self->config_path);
      return FALSE;
    }
  edited = avfs_config_file_edit (self->text, self->config_path, table, key, value, error);
  if (edited == NULL)
    return FALSE;
  g_free (self->text);
  self->text = g_steal_pointer (&edited);
  save (self);
  return TRUE;
}

/* Checks @text against @option's type and bounds; returns the value to write. */
static GVariant *
parse_option (const EngineOption  *option,
              const char          *text,
              GError             **error)
{
  const AvfsEngineOption *spec = spec_of (option);
  g_autofree char *list = NULL;
  guint64 value;

  if (avfs_engine_option_parse (spec, text, &value, NULL))
    switch (spec->kind)
      {
      case AVFS_OPTION_CHOICE:
        return g_variant_new_string (spec->choices[value]);
      case AVFS_OPTION_SWITCH:
        return g_variant_new_boolean (value != 0);
      case AVFS_OPTION_NUMBER:
      default:
        return g_variant_new_int64 ((gint64) value);
      }
  if (spec->kind == AVFS_OPTION_NUMBER)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   _("Option %s of the %s engine must be a whole number from %llu to %llu, not “%s”"),
                   option->key, option->engine, (unsigned long long) spec->min,
                   (unsigned long long) spec->max, text);
      return NULL;
    }
  list = spec->kind == AVFS_OPTION_SWITCH ? g_strdup ("true, false")
                                          : g_strjoinv (", ", (char **) spec->choices);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               _("Option %s of the %s engine must be one of %s, not “%s”"),
               option->key, option->engine, list, text);
  return NULL;
}

/* Showing values */

/* The option's value in config.toml as text, else the engine's default. */
static char *
option_text (const EngineOption *option,
             GHashTable         *table)
{
  const AvfsEngineOption *spec = spec_of (option);
  const char *set = table != NULL ? g_hash_table_lookup (table, option->key) : NULL;

  if (set != NULL)
    return g_strdup (set);
  switch (spec->kind)
    {
    case AVFS_OPTION_CHOICE:
      return g_strdup (spec->choices[spec->fallback]);
    case AVFS_OPTION_SWITCH:
      return g_strdup (spec->fallback ? "true" : "false");
    case AVFS_OPTION_NUMBER:
    default:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, spec->fallback);
    }
}

static void
show_option (AvfsPreferencesWindow *self,
             guint                  index,
             const char            *text)
{
  const EngineOption *option = &engine_options[index];
  const AvfsEngineOption *spec = spec_of (option);
  GtkWidget *control = self->controls[index];
  guint64 number = 0;

  if (control == NULL)
    return;
  switch (spec->kind)
    {
    case AVFS_OPTION_CHOICE:
      for (guint i = 0; spec->choices[i] != NULL; i++)
        if (g_ascii_strcasecmp (spec->choices[i], text) == 0)
          adw_combo_row_set_selected (ADW_COMBO_ROW (control), i);
      break;
    case AVFS_OPTION_SWITCH:
      gtk_switch_set_active (GTK_SWITCH (control), g_ascii_strcasecmp (text, "true") == 0);
      break;
    case AVFS_OPTION_NUMBER:
      g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &number, NULL);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (control), (double) (number / option->unit));
      break;
    }
}

static void
show_config (AvfsPreferencesWindow *self,
             AvfsConfigFile        *config)
{
  GVariant *backend = avfs_config_file_lookup (config, "defaults", "backend");
  const char *engine = backend != NULL && g_variant_is_of_type (backend, G_VARIANT_TYPE_STRING)
                       ? g_variant_get_string (backend, NULL) : AVFS_STORAGE_DEFAULT_ENGINE;
  guint position = GTK_INVALID_LIST_POSITION;

  self->showing = TRUE;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->engines)); i++)
    if (g_str_equal (gtk_string_list_get_string (self->engines, i), engine))
      position = i;
  adw_combo_row_set_selected (self->engine_row, position);
  for (guint i = 0; i < G_N_ELEMENTS (engine_options); i++)
    {
      g_autofree char *table_name = g_strconcat ("backend.", engine_options[i].engine, NULL);
      g_autoptr(GHashTable) table = avfs_config_file_dup_table (config, table_name);
      g_autofree char *text = option_text (&engine_options[i], table);

      show_option (self, i, text);
    }
  self->showing = FALSE;
}

/* Edits made in the window */

static void
engine_selected_cb (AvfsPreferencesWindow *self)
{
  guint position = adw_combo_row_get_selected (self->engine_row);
  g_autoptr(GError) error = NULL;

  if (self->showing || position == GTK_INVALID_LIST_POSITION)
    return;
  if (!avfs_preferences_window_set_default_engine (self,
                                                   gtk_string_list_get_string (self->engines,
                                                                               position),
                                                   &error))
    show_problem (self, error->message);
}

static void
control_changed_cb (GtkWidget             *control,
                    GParamSpec            *pspec,
                    AvfsPreferencesWindow *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (control), "avfs-option"));
  const EngineOption *option = &engine_options[index];
  const AvfsEngineOption *spec = spec_of (option);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (self->showing)
    return;
  if (spec->kind == AVFS_OPTION_CHOICE)
    text = g_strdup (spec->choices[adw_combo_row_get_selected (ADW_COMBO_ROW (control))]);
  else if (spec->kind == AVFS_OPTION_SWITCH)
    text = g_strdup (gtk_switch_get_active (GTK_SWITCH (control)) ? "true" : "false");
  else
    text = g_strdup_printf ("%" G_GUINT64_FORMAT,
                            (guint64) gtk_spin_button_get_value (GTK_SPIN_BUTTON (control))
                            * option->unit);
  if (!avfs_preferences_window_set_option (self, option->engine, option->key, text, &error))
    show_problem (self, error->message);
}

/* Building the rows */

static GtkWidget *
make_control (const EngineOption *option,
              GtkWidget         **row)
{
  const AvfsEngineOption *spec = spec_of (option);
  GtkWidget *control;

  if (spec->kind == AVFS_OPTION_CHOICE)
    {
      *row = control = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (control),
                               G_LIST_MODEL (gtk_string_list_new (spec->choices)));
      return control;
    }
  *row = adw_action_row_new ();
  if (spec->kind == AVFS_OPTION_SWITCH)
    control = gtk_switch_new ();
  else
    {
      /* In the row's unit: the bounds rounded inwards. */
      double min = (double) ((spec->min + option->unit - 1) / option->unit);
      double max = (double) (spec->max / option->unit);

      control = gtk_spin_button_new (gtk_adjustment_new (0, min, max, 1, 10, 0), 1, 0);
      /* One width for every number, so the column of controls lines up. */
      gtk_editable_set_width_chars (GTK_EDITABLE (control), 10);
    }
  gtk_widget_set_valign (control, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (*row), control);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (*row), control);
  return control;
}

static void
add_option_row (AvfsPreferencesWindow *self,
                AdwPreferencesGroup   *group,
                guint                  index)
{
  const EngineOption *option = &engine_options[index];
  static const char *signals[] = {
    [AVFS_OPTION_CHOICE] = "notify::selected",
    [AVFS_OPTION_NUMBER] = "notify::value",
    [AVFS_OPTION_SWITCH] = "notify::active",
  };
  GtkWidget *row;
  GtkWidget *control = make_control (option, &row);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(option->title));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(option->description));
  g_object_set_data (G_OBJECT (control), "avfs-option", GUINT_TO_POINTER (index));
  g_signal_connect_object (control, signals[spec_of (option)->kind],
                           G_CALLBACK (control_changed_cb), self, 0);
  adw_preferences_group_add (group, row);
  self->rows[index] = row;
  self->controls[index] = control;
}

/* The engines this build has: offered as the default, each with a group of options. */
static void
build_engines (AvfsPreferencesWindow *self)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  self->engines = gtk_string_list_new (NULL);
  for (guint e = 0; e < n; e++)
    {
      AdwPreferencesGroup *group = NULL;

      if (!engines[e].available)
        continue;
      gtk_string_list_append (self->engines, engines[e].name);
      for (guint i = 0; i < G_N_ELEMENTS (engine_options); i++)
        {
          if (!g_str_equal (engine_options[i].engine, engines[e].name))
            continue;
          if (group == NULL)
            {
              group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
              adw_preferences_group_set_title (group, engines[e].name);
              adw_preferences_group_set_description (group, engines[e].best_for);
              adw_preferences_page_add (self->page, group);
              g_ptr_array_add (self->groups, group);
            }
          add_option_row (self, group, i);
        }
    }
  adw_combo_row_set_model (self->engine_row, G_LIST_MODEL (self->engines));
}

/* Loading */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(AvfsConfigFile) config = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_task_return_new_error (task, AVFS_ERROR, AVFS_ERROR_IO,
                                   _("Cannot read the configuration %s: %s"), path, error->message);
          return;
        }
      text = g_strdup ("");
    }
  config = avfs_config_file_new_from_text (text, path, &error);
  if (config == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&text), g_free);
}

static void
set_editable (AvfsPreferencesWindow *self,
              gboolean               editable)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->defaults_group), editable);
  for (guint i = 0; i < self->groups->len; i++)
    gtk_widget_set_sensitive (g_ptr_array_index (self->groups, i), editable);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AvfsPreferencesWindow *self = AVFS_PREFERENCES_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsConfigFile) config = NULL;
  g_autofree char *message = NULL;

  self->loading = FALSE;
  self->text = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->text == NULL)
    {
      message = g_strdup_printf (_("%s Fix the file in a text editor, then open Preferences "
                                   "again."), error->message);
      show_problem (self, message);
      return;
    }
  config = avfs_config_file_new_from_text (self->text, self->config_path, NULL);
  show_config (self, config);
  set_editable (self, TRUE);
}

static void
load (AvfsPreferencesWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, loaded_cb, NULL);

  self->loading = TRUE;
  set_editable (self, FALSE);
  g_task_set_source_tag (task, load);
  g_task_set_task_data (task, g_strdup (self->config_path), g_free);
  g_task_run_in_thread (task, load_thread);
}

static void
avfs_preferences_window_dispose (GObject *object)
{
  AvfsPreferencesWindow *self = AVFS_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->engines);
  G_OBJECT_CLASS (avfs_preferences_window_parent_class)->dispose (object);
}

static void
avfs_preferences_window_finalize (GObject *object)
{
  AvfsPreferencesWindow *self = AVFS_PREFERENCES_WINDOW (object);

  g_free (self->config_path);
  g_free (self->text);
  g_ptr_array_unref (self->groups);
  G_OBJECT_CLASS (avfs_preferences_window_parent_class)->finalize (object);
}

static void
avfs_preferences_window_class_init (AvfsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_preferences_window_dispose;
  object_class->finalize = avfs_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsPreferencesWindow, page);
  gtk_widget_class_bind_template_child (widget_class, AvfsPreferencesWindow, problem_group);
  gtk_widget_class_bind_template_child (widget_class, AvfsPreferencesWindow, problem_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsPreferencesWindow, defaults_group);
  gtk_widget_class_bind_template_child (widget_class, AvfsPreferencesWindow, engine_row);
  gtk_widget_class_bind_template_callback (widget_class, engine_selected_cb);
}

static void
avfs_preferences_window_init (AvfsPreferencesWindow *self)
{
  self->groups = g_ptr_array_new ();
  /* The model is set after the template so that filling it is not taken for an edit. */
  self->showing = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  build_engines (self);
  self->showing = FALSE;
}

/**
 * avfs_preferences_window_new:
 * @parent: the window it belongs to
 * @config_path: the config.toml to edit (it need not exist yet)
 *
 * Returns: (transfer none): a new preferences window, reading @config_path
 */
AvfsPreferencesWindow *
avfs_preferences_window_new (GtkWindow  *parent,
                             const char *config_path)
{
  AvfsPreferencesWindow *self;
  g_autofree char *note = NULL;

  g_return_val_if_fail (config_path != NULL, NULL);

  self = g_object_new (AVFS_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->config_path = g_strdup (config_path);
  note = g_strdup_printf (_("Saved at once in %s. The command line uses the new settings "
                            "from its next command, the app for the vaults it creates or "
                            "opens from now on; a vault open now keeps its settings until it "
                            "is opened again."), config_path);
  adw_preferences_group_set_description (self->defaults_group, note);
  load (self);
  return self;
}

/**
 * avfs_preferences_window_is_busy:
 *
 * Returns: whether config.toml is being read or written
 */
gboolean
avfs_preferences_window_is_busy (AvfsPreferencesWindow *self)
{
  g_return_val_if_fail (AVFS_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->loading || self->saving || self->dirty;
}

/**
 * avfs_preferences_window_get_problem:
 *
 * Returns: (nullable): what the window shows is wrong (a bad config.toml, a refused
 *   value), or %NULL
 */
const char *
avfs_preferences_window_get_problem (AvfsPreferencesWindow *self)
{
  g_return_val_if_fail (AVFS_IS_PREFERENCES_WINDOW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->problem_group)))
    return NULL;
  return gtk_label_get_text (self->problem_label);
}

/**
 * avfs_preferences_window_set_default_engine:
 * @engine: an engine this build has
 *
 * Sets `[defaults] backend` and saves config.toml in the background.
 *
 * Returns: %FALSE if @engine is not available, or config.toml cannot be edited
 */
gboolean
avfs_preferences_window_set_default_engine (AvfsPreferencesWindow  *self,
                                            const char             *engine,
                                            GError                **error)
{
  g_return_val_if_fail (AVFS_IS_PREFERENCES_WINDOW (self), FALSE);
  g_return_val_if_fail (engine != NULL, FALSE);

  if (!engine_is_available (engine))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_BACKEND_UNAVAILABLE,
                   _("The %s engine is not available in this build"), engine);
      return FALSE;
    }
  if (!edit (self, "defaults", "backend", g_variant_new_string (engine), error))
    return FALSE;
  show_problem (self, NULL);
  return TRUE;
}

/**
 * avfs_preferences_window_set_option:
 * @engine: an engine
 * @key: one of its options
 * @value: the value as config.toml has it (`"wal"`, `"1000"`, `"true"`; sizes in bytes)
 *
 * Checks @value against the option's choices or bounds, shows it and saves config.toml
 * in the background.
 *
 * Returns: %FALSE (and nothing changes) when @value is refused
 */
gboolean
avfs_preferences_window_set_option (AvfsPreferencesWindow  *self,
                                    const char             *engine,
                                    const char             *key,
                                    const char             *value,
                                    GError                **error)
{
  g_autofree char *table = NULL;
  const EngineOption *option;
  GVariant *parsed;
  guint index;

  g_return_val_if_fail (AVFS_IS_PREFERENCES_WINDOW (self), FALSE);
  g_return_val_if_fail (engine != NULL && key != NULL && value != NULL, FALSE);

  option = lookup_option (engine, key, &index);
  if (option == NULL)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   _("The %s engine has no option “%s”"), engine, key);
      return FALSE;
    }
  parsed = parse_option (option, value, error);
  table = g_strconcat ("backend.", engine, NULL);
  if (parsed == NULL || !edit (self, table, key, parsed, error))
    return FALSE;
  self->showing = TRUE;
  show_option (self, index, value);
  self->showing = FALSE;
  show_problem (self, NULL);
  return TRUE;
}

/**
 * avfs_preferences_window_get_engine_row:
 *
 * Returns: (transfer none): the default engine's row, listing the engines offered
 */
AdwComboRow *
avfs_preferences_window_get_engine_row (AvfsPreferencesWindow *self)
{
  g_return_val_if_fail (AVFS_IS_PREFERENCES_WINDOW (self), NULL);
  return self->engine_row;
}

/**
 * avfs_preferences_window_get_option_row:
 *
 * Returns: (transfer none) (nullable): the row of @engine's option @key, if shown
 */
GtkWidget *
avfs_preferences_window_get_option_row (AvfsPreferencesWindow *self,
                                        const char            *engine,
                                        const char            *key)
{
  guint index;

  g_return_val_if_fail (AVFS_IS_PREFERENCES_WINDOW (self), NULL);
  return lookup_option (engine, key, &index) != NULL ? self->rows[index] : NULL;
}
