/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsStatsWindow: the figures of one vault (contents, space, ratios), a chart of its
 * collections and the engine's own figures, and the upkeep that changes them: compact,
 * garbage-collect and prune, each with progress and its before/after figures. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-collection-chart.h"
#include "avfs-prune-dialog.h"
#include "avfs-stats-window.h"
#include "avfs-toasts.h"
#include "avfs-vault-async-maintenance.h"

/* How often the progress bar pulses while an operation reports no fraction, in ms. */
#define PULSE_INTERVAL 100

typedef enum
{
  UPKEEP_NONE,
  UPKEEP_COMPACT,
  UPKEEP_GC,
  UPKEEP_PRUNE,
} Upkeep;

struct _AvfsStatsWindow
{
  AdwWindow parent_instance;

  /* Template children */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkSpinner *spinner;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkLabel *files_label;
  GtkLabel *directories_label;
  GtkLabel *versions_label;
  GtkLabel *snapshots_label;
  GtkLabel *blobs_label;
  GtkLabel *logical_label;
  GtkLabel *versions_bytes_label;
  GtkLabel *stored_label;
  GtkLabel *dedup_label;
  GtkLabel *compression_label;
  GtkLabel *on_disk_label;
  AvfsCollectionChart *chart;
  AdwPreferencesGroup *engine_group;
  GtkRevealer *progress_revealer;
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;
  GtkButton *cancel_button;
  GtkWidget *result_box;
  GtkLabel *result_title;
  GtkLabel *result_figures;

  AvfsVault *vault;
  AvfsVaultStats *stats;        /* the figures shown, or %NULL before the first load */
  GCancellable *cancellable;    /* the stats load in flight */
  GPtrArray *engine_rows;       /* rows of engine_group, replaced on each load */

  Upkeep upkeep;                /* the operation running, or whose figures are awaited */
  GCancellable *upkeep_cancellable;
  AvfsVaultStats *before;       /* the figures when it started */
  char *outcome;                /* what it did, shown with before/after once reloaded */
  guint pulse_id;
};

G_DEFINE_FINAL_TYPE (AvfsStatsWindow, avfs_stats_window, ADW_TYPE_WINDOW)

static void load_stats (AvfsStatsWindow *self);

/* Figures */

static void
set_count (GtkLabel *label,
           guint64   count)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, count);

  gtk_label_set_label (label, text);
}

static void
set_size (GtkLabel *label,
          guint64   bytes)
{
  g_autofree char *text = g_format_size (bytes);
  g_autofree char *exact = g_format_size_full (bytes, G_FORMAT_SIZE_LONG_FORMAT);

  gtk_label_set_label (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), exact);
}

static void
set_ratio (GtkLabel *label,
           gdouble   ratio)
{
  /* Translators: a ratio, as in "×2.50" (stored content is 2.5 times smaller) */
  g_autofree char *text = g_strdup_printf (_("×%.2f"), ratio);

  gtk_label_set_label (label, text);
}

/* How an engine figure is shown. */
typedef enum
{
  FIGURE_PLAIN,
  FIGURE_BYTES,
  FIGURE_BYTES_OR_OFF, /* a size, where 0 turns the feature off */
} FigureKind;

/* Engine figures: known keys get a readable label, sizes are shown as sizes. */
static const struct
{
  const char *key;
  const char *label;
  FigureKind kind;
} engine_keys[] = {
  { "sqlite_version", N_("SQLite version"), FIGURE_PLAIN },
  { "journal_mode", N_("Journal mode"), FIGURE_PLAIN },
  { "synchronous", N_("Synchronous writes"), FIGURE_PLAIN },
  { "page_size", N_("Page size"), FIGURE_BYTES },
  { "page_count", N_("Pages"), FIGURE_PLAIN },
  { "freelist_count", N_("Free pages"), FIGURE_PLAIN },
  { "cache_size_pages", N_("Cache size (pages)"), FIGURE_PLAIN },
  { "mmap_size", N_("Memory-mapped size"), FIGURE_BYTES_OR_OFF },
  { "wal_bytes", N_("Write-ahead log"), FIGURE_BYTES },
  { "map_size", N_("Map size"), FIGURE_BYTES },
  { "last_pgno", N_("Last page number"), FIGURE_PLAIN },
  { "used_bytes", N_("Used"), FIGURE_BYTES },
  { "last_txnid", N_("Last transaction"), FIGURE_PLAIN },
  { "max_readers", N_("Maximum readers"), FIGURE_PLAIN },
  { "readers_in_use", N_("Readers in use"), FIGURE_PLAIN },
  { "max_collections", N_("Maximum collections"), FIGURE_PLAIN },
  { "no_sync", N_("Sync turned off"), FIGURE_PLAIN },
  { "lmdb_version", N_("LMDB version"), FIGURE_PLAIN },
  { "estimate_num_keys", N_("Keys (estimate)"), FIGURE_PLAIN },
  { "total_sst_files_size", N_("SST files"), FIGURE_BYTES },
  { "estimate_live_data_size", N_("Live data (estimate)"), FIGURE_BYTES },
  { "memtable_bytes", N_("Memtables"), FIGURE_BYTES },
  { "column_families", N_("Column families"), FIGURE_PLAIN },
  { "compression", N_("Compression"), FIGURE_PLAIN },
  { "write_buffer_size", N_("Write buffer size"), FIGURE_BYTES },
  { "max_open_files", N_("Maximum open files"), FIGURE_PLAIN },
  { "rocksdb_version", N_("RocksDB version"), FIGURE_PLAIN },
  { "resident_bytes", N_("Held in memory"), FIGURE_BYTES },
};

/* A key no table entry knows, made readable: "foo_bar" → "Foo bar". */
static char *
engine_label (const char *key,
              FigureKind *kind)
{
  char *label;

  for (guint i = 0; i < G_N_ELEMENTS (engine_keys); i++)
    if (strcmp (key, engine_keys[i].key) == 0)
      {
        *kind = engine_keys[i].kind;
        return g_strdup (_(engine_keys[i].label));
      }
  *kind = FIGURE_PLAIN;
  label = g_strdelimit (g_strdup (key), "_", ' ');
  label[0] = g_ascii_toupper (label[0]);
  return label;
}

static char *
engine_value (GVariant   *value,
              FigureKind  kind)
{
  gboolean bytes = kind != FIGURE_PLAIN;

  if (kind == FIGURE_BYTES_OR_OFF && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64) &&
      g_variant_get_uint64 (value) == 0)
    return g_strdup (_("Off"));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? _("Yes") : _("No"));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  if (bytes && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return g_format_size (g_variant_get_uint64 (value));
  if (bytes && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_format_size (g_variant_get_uint32 (value));
  return g_variant_print (value, FALSE);
}

static void
add_engine_row (AvfsStatsWindow *self,
                const char      *key,
                GVariant        *value)
{
  FigureKind kind;
  g_autofree char *label = engine_label (key, &kind);
  g_autofree char *text = engine_value (value, kind);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *suffix = gtk_label_new (text);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* The key as `avfs vault stats --backend-info` prints it. */
  gtk_widget_set_tooltip_text (row, key);
  gtk_label_set_ellipsize (GTK_LABEL (suffix), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (suffix, "dim-label");
  gtk_widget_add_css_class (suffix, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  adw_preferences_group_add (self->engine_group, row);
  g_ptr_array_add (self->engine_rows, row);
}

static void
show_engine (AvfsStatsWindow        *self,
             const AvfsStorageStats *storage)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  for (guint i = 0; i < self->engine_rows->len; i++)
    adw_preferences_group_remove (self->engine_group, g_ptr_array_index (self->engine_rows, i));
  g_ptr_array_set_size (self->engine_rows, 0);
  adw_preferences_group_set_description (self->engine_group, storage->engine);
  g_variant_iter_init (&iter, storage->engine_info);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      add_engine_row (self, key, value);
      g_variant_unref (value);
    }
}

static void
show_stats (AvfsStatsWindow *self)
{
  const AvfsVaultStats *stats = self->stats;

  set_count (self->files_label, stats->files);
  set_count (self->directories_label, stats->directories);
  set_count (self->versions_label, stats->versions);
  set_count (self->snapshots_label, stats->snapshots);
  set_count (self->blobs_label, stats->blobs);
  set_size (self->logical_label, stats->logical_bytes);
  set_size (self->versions_bytes_label, stats->versions_bytes);
  set_size (self->stored_label, stats->stored_bytes);
  set_ratio (self->dedup_label, stats->dedup_ratio);
  set_ratio (self->compression_label, stats->compression_ratio);
  set_size (self->on_disk_label, stats->on_disk_bytes);
  avfs_collection_chart_set_collections (self->chart, stats->storage->collections);
  show_engine (self, stats->storage);
  gtk_stack_set_visible_child_name (self->stack, "stats");
}

/* Upkeep: running one operation at a time */

static void
set_upkeep_enabled (AvfsStatsWindow *self,
                    gboolean         enabled)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stats.compact", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stats.gc", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stats.prune", enabled);
}

static gboolean
pulse_cb (gpointer user_data)
{
  AvfsStatsWindow *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
stop_pulsing (AvfsStatsWindow *self)
{
  g_clear_handle_id (&self->pulse_id, g_source_remove);
}

/* Shows @title over a pulsing bar; a Cancel button only for the calls that stop on it. */
static GCancellable *
start_upkeep (AvfsStatsWindow *self,
              Upkeep           upkeep,
              const char      *title,
              gboolean         cancellable)
{
  self->upkeep = upkeep;
  g_clear_pointer (&self->before, avfs_vault_stats_free);
  if (self->stats != NULL)
    self->before = avfs_vault_stats_copy (self->stats);
  g_clear_object (&self->upkeep_cancellable);
  self->upkeep_cancellable = g_cancellable_new ();
  set_upkeep_enabled (self, FALSE);
  gtk_widget_set_visible (self->result_box, FALSE);
  gtk_label_set_label (self->progress_label, title);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_show_text (self->progress_bar, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  self->pulse_id = g_timeout_add (PULSE_INTERVAL, pulse_cb, self);
  return self->upkeep_cancellable;
}

/* The operation is over: @outcome (or @error) is shown once the figures are reloaded.
 * An operation that cannot stop runs on after the window closes: then nothing is shown. */
static void
finish_upkeep (AvfsStatsWindow *self,
               char            *outcome,
               const GError    *error)
{
  if (self->vault == NULL)
    {
      g_free (outcome);
      return;
    }
  stop_pulsing (self);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  g_clear_object (&self->upkeep_cancellable);
  if (error != NULL)
    {
      self->upkeep = UPKEEP_NONE;
      set_upkeep_enabled (self, TRUE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        avfs_toast_show_text (GTK_WIDGET (self->stack), _("Cancelled"));
      else
        avfs_toast_show_error (GTK_WIDGET (self->stack), error);
    }
  g_free (self->outcome);
  self->outcome = outcome;
  load_stats (self);
}

/* The figures an operation changes, before and after it. */
static char *
upkeep_figures (AvfsStatsWindow *self)
{
  const AvfsVaultStats *before = self->before;
  const AvfsVaultStats *after = self->stats;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  switch (self->upkeep)
    {
    case UPKEEP_COMPACT:
      from = g_format_size (before->on_disk_bytes);
      to = g_format_size (after->on_disk_bytes);
      /* Translators: sizes before and after, as in "On disk: 1.2 MB → 800 kB" */
      return g_strdup_printf (_("On disk: %s → %s"), from, to);
    case UPKEEP_GC:
      from = g_format_size (before->stored_bytes);
      to = g_format_size (after->stored_bytes);
      return g_strdup_printf (_("Stored: %s → %s · stored chunks: %llu → %llu"), from, to,
                              (unsigned long long) before->blobs,
                              (unsigned long long) after->blobs);
    case UPKEEP_PRUNE:
      return g_strdup_printf (_("Versions: %llu → %llu · run Garbage-collect to free their "
                                "content"),
                              (unsigned long long) before->versions,
                              (unsigned long long) after->versions);
    case UPKEEP_NONE:
    default:
      g_assert_not_reached ();
    }
}

static void
show_outcome (AvfsStatsWindow *self)
{
  g_autofree char *figures = NULL;

  if (self->upkeep == UPKEEP_NONE || self->outcome == NULL)
    return;
  if (self->before != NULL)
    figures = upkeep_figures (self);
  gtk_label_set_label (self->result_title, self->outcome);
  gtk_label_set_label (self->result_figures, figures != NULL ? figures : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_figures), figures != NULL);
  gtk_widget_set_visible (self->result_box, TRUE);
  avfs_toast_show_text (GTK_WIDGET (self->stack), self->outcome);
  g_clear_pointer (&self->outcome, g_free);
  self->upkeep = UPKEEP_NONE;
  set_upkeep_enabled (self, TRUE);
}

/* Loading the figures */

static void
stats_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AvfsStatsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AvfsVaultStats *stats = avfs_vault_stats_finish (AVFS_VAULT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (stats == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      /* An operation's figures cannot be shown; let the next one start anyway. */
      g_clear_pointer (&self->outcome, g_free);
      self->upkeep = UPKEEP_NONE;
      set_upkeep_enabled (self, TRUE);
      return;
    }
  g_clear_pointer (&self->stats, avfs_vault_stats_free);
  self->stats = stats;
  show_stats (self);
  show_outcome (self);
}

static void
load_stats (AvfsStatsWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  gtk_spinner_set_spinning (self->spinner, TRUE);
  avfs_vault_stats_async (self->vault, self->cancellable, stats_loaded_cb, g_object_ref (self));
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AvfsStatsWindow *self = AVFS_STATS_WINDOW (widget);

  if (self->stats == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  load_stats (self);
}

/* Compact */

static void
compacted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AvfsStatsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsCompactionStats) compaction = avfs_vault_compact_finish (AVFS_VAULT (source),
                                                                         result, &error);
  char *outcome = NULL;

  if (compaction != NULL)
    outcome = g_strdup_printf (_("Compacted in %.1f s"),
                               compaction->duration_us / (double) G_USEC_PER_SEC);
  finish_upkeep (self, outcome, error);
}

static void
compact_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AvfsStatsWindow *self = AVFS_STATS_WINDOW (widget);
  GCancellable *cancellable = start_upkeep (self, UPKEEP_COMPACT, _("Compacting…"), FALSE);

  avfs_vault_compact_async (self->vault, cancellable, compacted_cb, g_object_ref (self));
}

/* Garbage-collect */

static void
gc_progress_cb (const AvfsProgress *progress,
                gpointer            user_data)
{
  AvfsStatsWindow *self = user_data;
  g_autofree char *text = NULL;

  if (progress->files_total == 0 || self->vault == NULL)
    return;
  stop_pulsing (self);
  /* Translators: stored chunks checked so far, as in "120 of 4000 chunks" */
  text = g_strdup_printf (_("%llu of %llu chunks"), (unsigned long long) progress->files_done,
                          (unsigned long long) progress->files_total);
  gtk_progress_bar_set_show_text (self->progress_bar, TRUE);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 (double) progress->files_done / progress->files_total);
}

static void
gc_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AvfsStatsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AvfsGcReport report = { 0 };
  g_autofree char *freed = NULL;
  char *outcome = NULL;

  if (avfs_vault_gc_finish (AVFS_VAULT (source), result, &report, &error))
    {
      freed = g_format_size (report.bytes_freed);
      outcome = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%llu unused chunk removed, %s freed",
                                              "%llu unused chunks removed, %s freed",
                                              report.blobs_removed),
                                 (unsigned long long) report.blobs_removed, freed);
    }
  finish_upkeep (self, outcome, error);
}

static void
gc_activated (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  AvfsStatsWindow *self = AVFS_STATS_WINDOW (widget);
  GCancellable *cancellable = start_upkeep (self, UPKEEP_GC, _("Collecting unused content…"),
                                            TRUE);

  /* The progress data needs no reference: the callback comes after the last report and
   * holds one. */
  avfs_vault_gc_async (self->vault, FALSE, gc_progress_cb, self, cancellable, gc_done_cb,
                       g_object_ref (self));
}

static void
cancel_clicked_cb (AvfsStatsWindow *self)
{
  g_cancellable_cancel (self->upkeep_cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
}

/* Prune */

static void
pruned_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AvfsStatsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsPruneReport) report = avfs_vault_prune_finish (AVFS_VAULT (source), result,
                                                               &error);
  g_autofree char *versions = NULL;
  char *outcome = NULL;

  if (report != NULL)
    {
      versions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%llu version removed",
                                               "%llu versions removed",
                                               report->versions_removed),
                                  (unsigned long long) report->versions_removed);
      /* Translators: "3 versions removed" and how many files they belonged to */
      outcome = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s from %llu file",
                                              "%s from %llu files", report->files_touched),
                                 versions, (unsigned long long) report->files_touched);
    }
  finish_upkeep (self, outcome, error);
}

static void
prune_confirmed_cb (AvfsPruneDialog *dialog,
                    const char      *response,
                    AvfsStatsWindow *self)
{
  GCancellable *cancellable;

  if (self->upkeep != UPKEEP_NONE)
    return;
  cancellable = start_upkeep (self, UPKEEP_PRUNE, _("Pruning old versions…"), FALSE);
  avfs_vault_prune_async (self->vault, avfs_prune_dialog_get_keep (dialog),
                          avfs_prune_dialog_get_older_than (dialog), FALSE, cancellable,
                          pruned_cb, g_object_ref (self));
}

static void
prune_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AvfsStatsWindow *self = AVFS_STATS_WINDOW (widget);
  AvfsPruneDialog *dialog = avfs_prune_dialog_new (GTK_WINDOW (self), self->vault);

  g_signal_connect_object (dialog, "response::" AVFS_PRUNE_DIALOG_PRUNE,
                           G_CALLBACK (prune_confirmed_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Life cycle */

static void
avfs_stats_window_dispose (GObject *object)
{
  AvfsStatsWindow *self = AVFS_STATS_WINDOW (object);

  stop_pulsing (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->upkeep_cancellable);
  g_clear_object (&self->upkeep_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_STATS_WINDOW);
  g_clear_object (&self->vault);
  G_OBJECT_CLASS (avfs_stats_window_parent_class)->dispose (object);
}

static void
avfs_stats_window_finalize (GObject *object)
{
  AvfsStatsWindow *self = AVFS_STATS_WINDOW (object);

  g_clear_pointer (&self->stats, avfs_vault_stats_free);
  g_clear_pointer (&self->before, avfs_vault_stats_free);
  g_ptr_array_unref (self->engine_rows);
  g_free (self->outcome);
  G_OBJECT_CLASS (avfs_stats_window_parent_class)->finalize (object);
}

static void
avfs_stats_window_class_init (AvfsStatsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_stats_window_dispose;
  object_class->finalize = avfs_stats_window_finalize;

  g_type_ensure (AVFS_TYPE_COLLECTION_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-stats-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, files_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, directories_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, versions_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, snapshots_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, blobs_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, logical_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, versions_bytes_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, stored_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, dedup_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, compression_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, on_disk_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, chart);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, engine_group);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, result_box);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, result_title);
  gtk_widget_class_bind_template_child (widget_class, AvfsStatsWindow, result_figures);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_install_action (widget_class, "stats.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "stats.compact", NULL, compact_activated);
  gtk_widget_class_install_action (widget_class, "stats.gc", NULL, gc_activated);
  gtk_widget_class_install_action (widget_class, "stats.prune", NULL, prune_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "stats.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
avfs_stats_window_init (AvfsStatsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->engine_rows = g_ptr_array_new ();
}

/**
 * avfs_stats_window_new:
 * @parent: the window it belongs to
 * @vault: the vault to show
 * @vault_name: the name the vault is shown by
 *
 * Returns: (transfer none): a new window, loading the figures of @vault
 */
AvfsStatsWindow *
avfs_stats_window_new (GtkWindow  *parent,
                       AvfsVault  *vault,
                       const char *vault_name)
{
  AvfsStatsWindow *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (AVFS_IS_VAULT (vault), NULL);

  self = g_object_new (AVFS_TYPE_STATS_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->vault = g_object_ref (vault);
  adw_window_title_set_subtitle (self->window_title, vault_name);
  load_stats (self);
  return self;
}

/**
 * avfs_stats_window_get_stats:
 *
 * Returns: (transfer none) (nullable): the figures shown, %NULL until they are loaded
 */
const AvfsVaultStats *
avfs_stats_window_get_stats (AvfsStatsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_STATS_WINDOW (self), NULL);
  return self->stats;
}

/**
 * avfs_stats_window_is_busy:
 *
 * Returns: whether figures are loading or an operation is running
 */
gboolean
avfs_stats_window_is_busy (AvfsStatsWindow *self)
{
  g_return_val_if_fail (AVFS_IS_STATS_WINDOW (self), FALSE);
  return self->cancellable != NULL || self->upkeep != UPKEEP_NONE;
}

/**
 * avfs_stats_window_get_outcome:
 * @figures: (out) (optional): the figures before and after it
 *
 * Returns: (nullable): what the last operation did, as shown, or %NULL before one ends
 */
const char *
avfs_stats_window_get_outcome (AvfsStatsWindow  *self,
                               const char      **figures)
{
  g_return_val_if_fail (AVFS_IS_STATS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->result_box))
    return NULL;
  if (figures != NULL)
    *figures = gtk_label_get_label (self->result_figures);
  return gtk_label_get_label (self->result_title);
}
