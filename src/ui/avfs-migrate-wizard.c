/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsMigrateWizard: the target engine, the options, a review of the plan, the
 * migration with progress and Cancel, and its verified result or failure. The window
 * lets go of its vault for the plan and the migration (an engine may be open only once
 * per process) and opens it again, or the migrated vault, when the wizard closes. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-engine-rows.h"
#include "avfs-migrate-wizard.h"
#include "avfs-registry-async.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-async.h"
#include "avfs-vault-async-migrate.h"

struct _AvfsMigrateWizard
{
  AdwWindow parent_instance;

  /* Template children */
  AdwWindowTitle *title_widget;
  GtkButton *back_button;
  GtkButton *next_button;
  GtkStack *stack;
  AdwPreferencesGroup *engine_group;
  AdwActionRow *keep_row;
  GtkSwitch *keep_switch;
  AdwActionRow *output_row;
  GtkWidget *clear_output_button;
  GtkSwitch *dry_run_switch;
  GtkLabel *options_problem;
  GtkStack *review_stack;
  GtkSpinner *planning_spinner;
  GtkLabel *planning_label;
  AdwStatusPage *problem_page;
  GtkWidget *dry_run_group;
  GtkListBox *plan_list;
  AdwStatusPage *progress_page;
  GtkLabel *phase_label;
  GtkProgressBar *progress_bar;
  GtkLabel *counts_label;
  AdwStatusPage *result_page;
  GtkListBox *result_list;
  AdwStatusPage *failed_page;
  GtkLabel *untouched_label;

  AvfsWindow *window;
  AvfsRegistry *registry;
  char *name;
  char *source_engine;
  GHashTable *engine_rows;        /* engine name → its AdwActionRow */
  char *engine;                   /* the chosen target, or NULL */
  char *output;                   /* "save to another location", or NULL */
  GtkFileChooserNative *chooser;
  GCancellable *cancellable;      /* of the task in flight, if any */
  AvfsVault *closing_vault;       /* the window's vault, until it is closed */
  gboolean released;              /* the window let go of its vault for us */
  gboolean close_pending;         /* closing once the task in flight stops */
  AvfsMigratePlan *plan;
  AvfsMigrateResult *result;
  char *message;                  /* the review's or the failure's explanation */
  char *phase;                    /* the phase the rate is measured in */
  gint64 phase_started;
  guint64 phase_bytes;
};

G_DEFINE_FINAL_TYPE (AvfsMigrateWizard, avfs_migrate_wizard, ADW_TYPE_WINDOW)

static const struct {
  const char *phase;
  const char *label;
} phase_labels[] = {
  { "scan", N_("Measuring the vault") },
  { "copy", N_("Copying records") },
  { "compare", N_("Comparing the copy with the original") },
  { "index", N_("Building the search index") },
  { "verify", N_("Verifying") },
  { "switch", N_("Putting the migrated vault in place") },
};

static const char *
phase_label (const char *phase)
{
  for (guint i = 0; i < G_N_ELEMENTS (phase_labels); i++)
    if (g_strcmp0 (phase, phase_labels[i].phase) == 0)
      return _(phase_labels[i].label);
  return phase;
}

static gboolean
is_running (AvfsMigrateWizard *self)
{
  return self->cancellable != NULL;
}

static const char *
page (AvfsMigrateWizard *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static gboolean
on_page (AvfsMigrateWizard *self,
         const char        *name)
{
  return g_strcmp0 (page (self), name) == 0;
}

static AvfsMigrateFlags
flags (AvfsMigrateWizard *self)
{
  if (self->output == NULL && gtk_switch_get_active (self->keep_switch))
    return AVFS_MIGRATE_KEEP_ORIGINAL;
  return AVFS_MIGRATE_NONE;
}

/* Engines and options */

/* Whether @info can take the vault: a disk engine of this build, and another one than
 * the vault's own unless the result goes elsewhere (then it is a compacted copy). */
static gboolean
engine_allowed (AvfsMigrateWizard    *self,
                const AvfsEngineInfo *info)
{
  if (info == NULL || !info->available || info->extension == NULL)
    return FALSE;
  return self->output != NULL || g_strcmp0 (info->name, self->source_engine) != 0;
}

static gboolean
chosen_engine_allowed (AvfsMigrateWizard *self)
{
  return self->engine != NULL &&
         engine_allowed (self, avfs_storage_lookup_engine (self->engine, NULL));
}

static char *
engine_subtitle (AvfsMigrateWizard    *self,
                 const AvfsEngineInfo *info)
{
  if (!info->available)
    return g_strdup_printf (_("Not available: %s"), info->unavailable_reason);
  if (info->extension == NULL)
    return g_strdup (_("Not a target: a memory vault lasts only as long as the app"));
  if (!engine_allowed (self, info))
    return g_strdup (_("The vault’s engine now: choose “Save to Another Location” to write a "
                       "compacted copy"));
  return g_strdup_printf (_("Best for: %s\nTrade-offs: %s"), info->best_for, info->trade_offs);
}

static void
update_buttons (AvfsMigrateWizard *self)
{
  gboolean can_next = avfs_migrate_wizard_can_go_next (self);
  gboolean first = on_page (self, "engine");
  gboolean backward = first || on_page (self, "options") || on_page (self, "review");
  const char *next_label = _("_Next");

  if (on_page (self, "review"))
    next_label = gtk_switch_get_active (self->dry_run_switch) ? _("_Done") : _("_Migrate");
  else if (on_page (self, "result") || on_page (self, "failed"))
    next_label = _("_Done");
  gtk_button_set_label (self->back_button, first ? _("_Cancel") : _("_Back"));
  gtk_button_set_label (self->next_button, next_label);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), backward);
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), !on_page (self, "progress"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next", can_next);
}

static void
update_engine_rows (AvfsMigrateWizard *self)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = g_hash_table_lookup (self->engine_rows, engines[i].name);
      g_autofree char *subtitle = engine_subtitle (self, &engines[i]);
      gboolean allowed = engine_allowed (self, &engines[i]);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_sensitive (row, allowed);
      if (!allowed && g_strcmp0 (self->engine, engines[i].name) == 0)
        gtk_check_button_set_active (avfs_engine_row_get_check (row), FALSE);
    }
}

static void
update_options (AvfsMigrateWizard *self)
{
  g_autofree char *keep_subtitle = NULL;
  g_autofree char *problem = NULL;
  gboolean memory = g_strcmp0 (self->source_engine, "memory") == 0;

  if (self->output != NULL)
    keep_subtitle = g_strdup (_("The original stays as it is when the result goes elsewhere"));
  else if (memory)
    keep_subtitle = g_strdup (_("A memory vault cannot be kept under another name"));
  else
    keep_subtitle = g_strdup_printf (_("As the vault “%s-original”; otherwise it is deleted once "
                                       "the migrated vault is in place"), self->name);
  adw_action_row_set_subtitle (self->keep_row, keep_subtitle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keep_row), self->output == NULL && !memory);
  adw_action_row_set_subtitle (self->output_row,
                               self->output != NULL ? self->output
                               : _("Write the migrated vault to a new place and leave the "
                                   "original as it is"));
  gtk_widget_set_visible (self->clear_output_button, self->output != NULL);

  if (!chosen_engine_allowed (self))
    problem = g_strdup_printf (_("Vault “%s” already uses %s: go back and choose another engine, "
                                 "or choose another location to write a compacted copy"),
                               self->name, self->source_engine);
  gtk_label_set_text (self->options_problem, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->options_problem), problem != NULL);
  update_engine_rows (self);
  update_buttons (self);
}

static void
options_changed_cb (AvfsMigrateWizard *self)
{
  update_options (self);
}

static void
engine_toggled_cb (GtkCheckButton    *check,
                   AvfsMigrateWizard *self)
{
  const char *engine = avfs_engine_rows_get_engine (check);

  if (gtk_check_button_get_active (check))
    {
      g_free (self->engine);
      self->engine = g_strdup (engine);
    }
  else if (g_strcmp0 (self->engine, engine) == 0)
    g_clear_pointer (&self->engine, g_free);
  update_buttons (self);
}

static GtkWidget *
current_badge (const char *engine)
{
  GtkWidget *badge = gtk_label_new (_("Current"));
  g_autofree char *engine_class = g_strconcat ("engine-", engine, NULL);

  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "engine-badge");
  gtk_widget_add_css_class (badge, engine_class);
  return badge;
}

/* The engines, the vault's own marked; update_engine_rows() says which can take it. */
static void
add_engine_rows (AvfsMigrateWizard *self)
{
  GtkWidget *current;

  self->engine_rows = avfs_engine_rows_add (self->engine_group, G_CALLBACK (engine_toggled_cb),
                                            self);
  current = g_hash_table_lookup (self->engine_rows, self->source_engine);
  if (current != NULL)
    adw_action_row_add_suffix (ADW_ACTION_ROW (current), current_badge (self->source_engine));
}

/* Rows of figures */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
add_figure (GtkListBox *list,
            const char *title,
            const char *subtitle,
            const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  /* Paths and messages are text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (value != NULL)
    {
      GtkWidget *label = gtk_label_new (value);

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  gtk_list_box_append (list, row);
}

static char *
format_duration (gdouble seconds)
{
  if (seconds < 1)
    return g_strdup_printf (_("%.0f ms"), seconds * 1000);
  if (seconds < 120)
    return g_strdup_printf (_("%.1f s"), seconds);
  return g_strdup_printf (_("%.0f min"), seconds / 60);
}

static char *
format_records (guint64 records,
                guint64 bytes)
{
  g_autofree char *size = g_format_size (bytes);
  g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, records);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s record, %s", "%s records, %s", records),
                          count, size);
}

static char *
original_fate (AvfsMigrateWizard *self,
               const char        *kept_name)
{
  if (self->output != NULL)
    return g_strdup (_("Left as it is"));
  if (kept_name != NULL)
    return g_strdup_printf (_("Kept as the vault “%s”"), kept_name);
  return g_strdup (_("Deleted once the migrated vault is in place"));
}

/* Review */

static void
show_plan (AvfsMigrateWizard     *self,
           const AvfsMigratePlan *plan)
{
  g_autofree char *source_size = g_format_size (plan->source->on_disk_bytes);
  g_autofree char *records = format_records (plan->records, plan->record_bytes);
  g_autofree char *estimated_size = g_format_size (plan->estimated_bytes);
  g_autofree char *estimated_time = format_duration (plan->estimated_seconds);
  g_autofree char *free_space = g_format_size (plan->free_bytes);
  g_autofree char *original = original_fate (self, plan->original_name);
  g_autofree char *from = g_strdup_printf (_("From %s"), plan->source->engine);
  g_autofree char *to = g_strdup_printf (_("To %s (estimated size)"), plan->target_engine);

  clear_list (self->plan_list);
  add_figure (self->plan_list, from, plan->source->path, source_size);
  add_figure (self->plan_list, _("Records to copy"), NULL, records);
  add_figure (self->plan_list, to, plan->target_path, estimated_size);
  add_figure (self->plan_list, _("Estimated time"), NULL, estimated_time);
  add_figure (self->plan_list, _("Free disk space"), NULL, free_space);
  add_figure (self->plan_list, _("The original"), original, NULL);
  gtk_widget_set_visible (self->dry_run_group, gtk_switch_get_active (self->dry_run_switch));
  gtk_stack_set_visible_child_name (self->review_stack, "plan");
}

static void
show_review_problem (AvfsMigrateWizard *self,
                     const GError      *error)
{
  gboolean no_space = g_error_matches (error, AVFS_ERROR, AVFS_ERROR_NO_SPACE);
  g_autofree char *description = g_markup_escape_text (error->message, -1);

  g_free (self->message);
  self->message = g_strdup (error->message);
  adw_status_page_set_title (self->problem_page,
                             no_space ? _("Not Enough Disk Space") : _("Cannot Migrate"));
  adw_status_page_set_description (self->problem_page, description);
  gtk_stack_set_visible_child_name (self->review_stack, "problem");
}

/* Ends the task in flight; TRUE when the wizard was asked to close meanwhile (it is
 * then closing and the caller stops). */
static gboolean
task_done (AvfsMigrateWizard *self)
{
  g_clear_object (&self->cancellable);
  if (self->close_pending)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return TRUE;
    }
  update_buttons (self);
  return FALSE;
}

static void
progress_cb (const AvfsProgress *progress,
             gpointer            user_data);

static void
planned_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AvfsMigrateWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsMigratePlan) plan = avfs_registry_plan_migration_finish (AVFS_REGISTRY (source),
                                                                          result, &error);

  gtk_spinner_set_spinning (self->planning_spinner, FALSE);
  if (plan != NULL)
    {
      show_plan (self, plan);
      self->plan = g_steal_pointer (&plan);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_review_problem (self, error);
  task_done (self);
}

static void
start_plan (AvfsMigrateWizard *self)
{
  gtk_label_set_text (self->planning_label, "");
  gtk_spinner_set_spinning (self->planning_spinner, TRUE);
  gtk_stack_set_visible_child_name (self->review_stack, "planning");
  avfs_registry_plan_migration_async (self->registry, self->name, self->engine, self->output,
                                      flags (self), progress_cb, self, self->cancellable,
                                      planned_cb, g_object_ref (self));
}

static void
vault_closed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AvfsMigrateWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A vault that did not close cleanly still let go of its files: the plan's own
   * opening of it says whether it is usable. */
  if (!avfs_vault_close_finish (AVFS_VAULT (source), result, &error))
    g_debug ("Closing vault “%s” for its migration: %s", self->name, error->message);
  if (g_cancellable_is_cancelled (self->cancellable))
    task_done (self);
  else
    start_plan (self);
}

/* Deletions the browser still has to carry out go to the vault before it closes. */
static gboolean
close_vault_when_idle_cb (gpointer user_data)
{
  AvfsMigrateWizard *self = user_data;
  g_autoptr(AvfsVault) vault = NULL;

  if (self->window == NULL)
    return G_SOURCE_REMOVE;
  if (avfs_file_browser_is_busy (avfs_window_get_browser (self->window)))
    return G_SOURCE_CONTINUE;
  vault = g_steal_pointer (&self->closing_vault);
  avfs_vault_close_async (vault, NULL, vault_closed_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* The plan and the migration open the vault themselves: the window lets go of it
 * first. A memory vault is the registry's own object, which the migration uses, so it
 * is left open. */
static void
release_vault_and_plan (AvfsMigrateWizard *self)
{
  g_autoptr(AvfsVault) vault = NULL;

  self->cancellable = g_cancellable_new ();
  if (self->released)
    {
      start_plan (self);
      return;
    }
  vault = avfs_window_release_vault (self->window);
  self->released = TRUE;
  if (vault == NULL || g_strcmp0 (avfs_vault_get_engine_name (vault), "memory") == 0)
    {
      start_plan (self);
      return;
    }
  gtk_spinner_set_spinning (self->planning_spinner, TRUE);
  gtk_stack_set_visible_child_name (self->review_stack, "planning");
  self->closing_vault = g_steal_pointer (&vault);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 50, close_vault_when_idle_cb, g_object_ref (self),
                      g_object_unref);
}

/* Progress */

static void
show_counts (AvfsMigrateWizard  *self,
             const AvfsProgress *progress)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *done_count = g_strdup_printf ("%" G_GUINT64_FORMAT, progress->files_done);
  g_autofree char *total_count = g_strdup_printf ("%" G_GUINT64_FORMAT, progress->files_total);
  gdouble elapsed = (g_get_monotonic_time () - self->phase_started) / (gdouble) G_USEC_PER_SEC;

  if (progress->files_total > 0)
    g_string_append_printf (text, _("%s of %s"), done_count, total_count);
  else
    g_string_append (text, done_count);
  if (progress->bytes_done > 0)
    {
      g_autofree char *done = g_format_size (progress->bytes_done);
      g_autofree char *total = g_format_size (progress->bytes_total);

      g_string_append (text, " · ");
      if (progress->bytes_total > 0)
        g_string_append_printf (text, _("%s of %s"), done, total);
      else
        g_string_append (text, done);
    }
  if (elapsed > 0.5 && progress->bytes_done > self->phase_bytes)
    {
      g_autofree char *rate = g_format_size ((progress->bytes_done - self->phase_bytes) / elapsed);

      g_string_append (text, " · ");
      g_string_append_printf (text, _("%s/s"), rate);
    }
  gtk_label_set_text (self->counts_label, text->str);
}

static void
progress_cb (const AvfsProgress *progress,
             gpointer            user_data)
{
  AvfsMigrateWizard *self = user_data;

  if (g_strcmp0 (progress->phase, self->phase) != 0)
    {
      g_free (self->phase);
      self->phase = g_strdup (progress->phase);
      self->phase_started = g_get_monotonic_time ();
      self->phase_bytes = progress->bytes_done;
    }
  gtk_label_set_text (self->planning_label, phase_label (progress->phase));
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_label_set_text (self->phase_label, phase_label (progress->phase));
  if (progress->bytes_total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   (gdouble) progress->bytes_done / progress->bytes_total);
  else if (progress->files_total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   (gdouble) progress->files_done / progress->files_total);
  else
    gtk_progress_bar_pulse (self->progress_bar);
  show_counts (self, progress);
}

/* Result */

static void
add_duration (AvfsMigrateWizard *self,
              const char        *title,
              gint64             us)
{
  g_autofree char *text = format_duration ((gdouble) us / G_USEC_PER_SEC);

  add_figure (self->result_list, title, NULL, text);
}

static void
add_count (AvfsMigrateWizard *self,
           const char        *title,
           guint64            count)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, count);

  add_figure (self->result_list, title, NULL, text);
}

static void
show_result (AvfsMigrateWizard       *self,
             const AvfsMigrateResult *result)
{
  g_autofree char *description = NULL;
  g_autofree char *markup = NULL;
  g_autofree char *records = format_records (result->records, result->bytes);
  g_autofree char *original = original_fate (self, result->original_name);

  if (self->output != NULL)
    description = g_strdup_printf (_("A verified %s copy of vault “%s” is at %s"),
                                   result->target_engine, self->name, result->path);
  else
    description = g_strdup_printf (_("Vault “%s” now uses %s and verifies"), self->name,
                                   result->target_engine);
  markup = g_markup_escape_text (description, -1);
  adw_status_page_set_description (self->result_page, markup);
  clear_list (self->result_list);
  add_figure (self->result_list, _("Records compared, all equal"), NULL, records);
  add_count (self, _("Files and folders verified"), result->verify->nodes);
  add_count (self, _("Versions verified"), result->verify->versions);
  add_count (self, _("Chunks decoded and hashed"), result->verify->blobs);
  add_count (self, _("Tags and metadata verified"), result->verify->tags + result->verify->props);
  add_count (self, _("Files in the search index"), result->verify->search_documents);
  add_duration (self, _("Copy"), result->copy_us);
  add_duration (self, _("Comparison"), result->compare_us);
  add_duration (self, _("Search index"), result->index_us);
  add_duration (self, _("Verification"), result->verify_us);
  add_duration (self, _("Switch"), result->switch_us);
  if (result->original_path != NULL)
    {
      g_autofree char *where = g_strdup_printf ("%s\n%s", original, result->original_path);

      add_figure (self->result_list, _("The original"), where, NULL);
    }
  else
    add_figure (self->result_list, _("The original"), original, NULL);
  gtk_stack_set_visible_child_name (self->stack, "result");
}

/* Failure: the core promises the source is untouched and the partial target gone; the
 * page says so only once it has looked. */

static void
looked_at_leftovers_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(AvfsMigrateWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean left = g_task_propagate_boolean (G_TASK (result), &error);

  if (left)
    text = g_strdup_printf (_("Vault “%s” is as it was, but a partial copy is still at %s or "
                              "beside it: the next migration removes it"),
                            self->name, self->plan->target_path);
  else
    text = g_strdup_printf (_("Vault “%s” is untouched: it is still a %s vault, and nothing "
                              "was left behind."), self->name, self->source_engine);
  gtk_label_set_text (self->untouched_label, text);
}

/* The target's path and the hidden name it was built under (docs/migration.md). */
static void
look_for_leftovers_thread (GTask        *task,
                           gpointer      source,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  const char *target = task_data;
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autofree char *hidden_base = g_strconcat (".", base, ".migrating", NULL);
  g_autofree char *hidden = g_build_filename (dir, hidden_base, NULL);

  g_task_return_boolean (task, g_file_test (target, G_FILE_TEST_EXISTS) ||
                               g_file_test (hidden, G_FILE_TEST_EXISTS));
}

static void
source_checked_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AvfsMigrateWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsVaultEntry) entry = avfs_registry_info_finish (AVFS_REGISTRY (source), result,
                                                               &error);
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;

  if (entry == NULL || g_strcmp0 (entry->engine, self->source_engine) != 0)
    {
      text = entry == NULL
             ? g_strdup_printf (_("Vault “%s” cannot be found any more: %s"), self->name, error->message)
             : g_strdup_printf (_("Vault “%s” now opens a %s vault at %s"), self->name,
                                entry->engine, entry->path);
      gtk_label_set_text (self->untouched_label, text);
      return;
    }
  task = g_task_new (NULL, NULL, looked_at_leftovers_cb, g_object_ref (self));
  g_task_set_task_data (task, g_strdup (self->plan->target_path), g_free);
  g_task_run_in_thread (task, look_for_leftovers_thread);
}

static void
show_failure (AvfsMigrateWizard *self,
              const GError      *error)
{
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_autofree char *description = g_markup_escape_text (error->message, -1);

  g_free (self->message);
  self->message = g_strdup (error->message);
  adw_status_page_set_icon_name (self->failed_page,
                                 cancelled ? "process-stop-symbolic" : "dialog-error-symbolic");
  adw_status_page_set_title (self->failed_page,
                             cancelled ? _("Migration Cancelled") : _("Migration Failed"));
  adw_status_page_set_description (self->failed_page, cancelled ? NULL : description);
  gtk_label_set_text (self->untouched_label, _("Checking the original…"));
  gtk_stack_set_visible_child_name (self->stack, "failed");
  avfs_registry_info_async (self->registry, self->name, NULL, source_checked_cb,
                            g_object_ref (self));
}

static void
migrated_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AvfsMigrateWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsMigrateResult) migrated = avfs_registry_migrate_finish (AVFS_REGISTRY (source),
                                                                        result, &error);

  if (migrated != NULL)
    {
      show_result (self, migrated);
      self->result = g_steal_pointer (&migrated);
      avfs_vault_sidebar_reload (avfs_window_get_sidebar (self->window));
    }
  else
    show_failure (self, error);
  task_done (self);
}

static void
start_migration (AvfsMigrateWizard *self)
{
  g_autofree char *title = g_strdup_printf (_("Migrating to %s"), self->engine);

  adw_status_page_set_title (self->progress_page, title);
  gtk_label_set_text (self->phase_label, "");
  gtk_label_set_text (self->counts_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  self->cancellable = g_cancellable_new ();
  avfs_registry_migrate_async (self->registry, self->name, self->engine, self->output,
                               flags (self), progress_cb, self, self->cancellable, migrated_cb,
                               g_object_ref (self));
  update_buttons (self);
}

/* Navigation */

static void
go_to (AvfsMigrateWizard *self,
       const char        *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  update_options (self);
}

static void
next_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (widget);

  if (!avfs_migrate_wizard_can_go_next (self))
    return;
  if (on_page (self, "engine"))
    go_to (self, "options");
  else if (on_page (self, "options"))
    {
      g_clear_pointer (&self->plan, avfs_migrate_plan_free);
      g_clear_pointer (&self->message, g_free);
      go_to (self, "review");
      release_vault_and_plan (self);
    }
  else if (on_page (self, "review") && !gtk_switch_get_active (self->dry_run_switch))
    start_migration (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (widget);

  if (on_page (self, "engine"))
    gtk_window_close (GTK_WINDOW (self));
  else if (on_page (self, "options"))
    go_to (self, "engine");
  else if (on_page (self, "review"))
    {
      /* The plan still in flight stops; Next waits for it to let go of the vault. */
      g_cancellable_cancel (self->cancellable);
      go_to (self, "options");
    }
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (widget);

  if (!is_running (self))
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_label_set_text (self->phase_label, _("Cancelling…"));
}

static void
open_migrated_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (widget);

  if (self->result == NULL)
    return;
  /* In place, the name opens the migrated vault; a copy elsewhere opens by its path. */
  avfs_window_open_vault (self->window, self->output != NULL ? self->result->path : self->name);
  self->released = FALSE;
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
chooser_response_cb (GtkNativeDialog   *chooser,
                     int                response,
                     AvfsMigrateWizard *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file != NULL ? g_file_get_path (file) : NULL;
    }
  g_clear_object (&self->chooser);
  if (path != NULL)
    avfs_migrate_wizard_set_output (self, path);
}

static void
choose_output_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (widget);
  const AvfsEngineInfo *info = self->engine != NULL
                               ? avfs_storage_lookup_engine (self->engine, NULL) : NULL;
  g_autofree char *suggested = g_strconcat (self->name, info != NULL ? info->extension : "", NULL);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Save Migrated Vault"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), suggested);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
clear_output_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  avfs_migrate_wizard_set_output (AVFS_MIGRATE_WIZARD (widget), NULL);
}

/* Page titles */

static void
page_changed_cb (AvfsMigrateWizard *self)
{
  static const struct {
    const char *page;
    const char *title;
  } titles[] = {
    { "engine", N_("Choose an Engine") },
    { "options", N_("Options") },
    { "review", N_("Review") },
    { "progress", N_("Migrating") },
    { "result", N_("Migrated") },
    { "failed", N_("Not Migrated") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (on_page (self, titles[i].page))
      adw_window_title_set_title (self->title_widget, _(titles[i].title));
}

/* Closing */

static gboolean
avfs_migrate_wizard_close_request (GtkWindow *window)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (window);

  if (!is_running (self))
    return GTK_WINDOW_CLASS (avfs_migrate_wizard_parent_class)->close_request (window);
  /* The vault is not ready to reopen until the work in flight lets go of it; a
   * migration stops and shows what became of the vault, the rest closes once stopped. */
  g_cancellable_cancel (self->cancellable);
  self->close_pending = !on_page (self, "progress");
  return TRUE;
}

static void
avfs_migrate_wizard_dispose (GObject *object)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->released && !gtk_widget_in_destruction (GTK_WIDGET (self->window)))
    avfs_window_open_vault (self->window, self->name);
  self->released = FALSE;
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), AVFS_TYPE_MIGRATE_WIZARD);
  g_clear_object (&self->closing_vault);
  g_clear_object (&self->window);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (avfs_migrate_wizard_parent_class)->dispose (object);
}

static void
avfs_migrate_wizard_finalize (GObject *object)
{
  AvfsMigrateWizard *self = AVFS_MIGRATE_WIZARD (object);

  g_clear_pointer (&self->engine_rows, g_hash_table_unref);
  g_clear_pointer (&self->plan, avfs_migrate_plan_free);
  g_clear_pointer (&self->result, avfs_migrate_result_free);
  g_free (self->name);
  g_free (self->source_engine);
  g_free (self->engine);
  g_free (self->output);
  g_free (self->message);
  g_free (self->phase);
  G_OBJECT_CLASS (avfs_migrate_wizard_parent_class)->finalize (object);
}

static void
avfs_migrate_wizard_class_init (AvfsMigrateWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = avfs_migrate_wizard_dispose;
  object_class->finalize = avfs_migrate_wizard_finalize;
  window_class->close_request = avfs_migrate_wizard_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-migrate-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, title_widget);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, next_button);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, engine_group);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, keep_row);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, keep_switch);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, output_row);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, clear_output_button);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, dry_run_switch);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, options_problem);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, review_stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, planning_spinner);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, planning_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, problem_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, dry_run_group);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, plan_list);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, progress_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, phase_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, counts_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, result_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, result_list);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, failed_page);
  gtk_widget_class_bind_template_child (widget_class, AvfsMigrateWizard, untouched_label);
  gtk_widget_class_bind_template_callback (widget_class, options_changed_cb);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_activated);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "wizard.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "wizard.open-migrated", NULL,
                                   open_migrated_activated);
  gtk_widget_class_install_action (widget_class, "wizard.choose-output", NULL,
                                   choose_output_activated);
  gtk_widget_class_install_action (widget_class, "wizard.clear-output", NULL,
                                   clear_output_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
avfs_migrate_wizard_init (AvfsMigrateWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (page_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

/**
 * avfs_migrate_wizard_new:
 * @window: the window that has vault @name open; it lets go of the vault while the
 *   wizard plans and migrates, and opens it (or the migrated vault) again afterwards
 * @registry: the registry @name belongs to
 * @name: the vault's registry name
 *
 * Returns: (transfer none): the modal wizard, not shown yet
 */
AvfsMigrateWizard *
avfs_migrate_wizard_new (AvfsWindow   *window,
                         AvfsRegistry *registry,
                         const char   *name)
{
  AvfsMigrateWizard *self;
  AvfsVault *vault;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (AVFS_IS_WINDOW (window), NULL);
  g_return_val_if_fail (AVFS_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  vault = avfs_window_get_vault (window);
  g_return_val_if_fail (vault != NULL, NULL);

  self = g_object_new (AVFS_TYPE_MIGRATE_WIZARD,
                       "transient-for", window,
                       "modal", TRUE,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->window = g_object_ref (window);
  self->registry = g_object_ref (registry);
  self->name = g_strdup (name);
  self->source_engine = g_strdup (avfs_vault_get_engine_name (vault));
  subtitle = g_strdup_printf (_("Vault “%s” (%s)"), name, self->source_engine);
  adw_window_title_set_subtitle (self->title_widget, subtitle);
  add_engine_rows (self);
  page_changed_cb (self);
  update_options (self);
  return self;
}

/**
 * avfs_migrate_wizard_get_page:
 *
 * Returns: the page shown: `engine`, `options`, `review`, `progress`, `result` or `failed`
 */
const char *
avfs_migrate_wizard_get_page (AvfsMigrateWizard *self)
{
  g_return_val_if_fail (AVFS_IS_MIGRATE_WIZARD (self), NULL);
  return page (self);
}

/**
 * avfs_migrate_wizard_get_engine_row:
 *
 * Returns: (transfer none) (nullable): the #AdwActionRow of @engine
 */
GtkWidget *
avfs_migrate_wizard_get_engine_row (AvfsMigrateWizard *self,
                                    const char        *engine)
{
  g_return_val_if_fail (AVFS_IS_MIGRATE_WIZARD (self), NULL);
  return g_hash_table_lookup (self->engine_rows, engine);
}

/**
 * avfs_migrate_wizard_select_engine:
 *
 * Chooses @engine as clicking its row does.
 *
 * Returns: whether @engine can take the vault and is now chosen
 */
gboolean
avfs_migrate_wizard_select_engine (AvfsMigrateWizard *self,
                                   const char        *engine)
{
  g_return_val_if_fail (AVFS_IS_MIGRATE_WIZARD (self), FALSE);
  return avfs_engine_rows_select (self->engine_rows, engine);
}

void
avfs_migrate_wizard_set_keep_original (AvfsMigrateWizard *self,
                                       gboolean           keep)
{
  g_return_if_fail (AVFS_IS_MIGRATE_WIZARD (self));
  gtk_switch_set_active (self->keep_switch, keep);
}

void
avfs_migrate_wizard_set_dry_run (AvfsMigrateWizard *self,
                                 gboolean           dry_run)
{
  g_return_if_fail (AVFS_IS_MIGRATE_WIZARD (self));
  gtk_switch_set_active (self->dry_run_switch, dry_run);
}

/**
 * avfs_migrate_wizard_set_output:
 * @path: (nullable): where to write the migrated vault instead (the file chooser's
 *   choice), or %NULL to migrate in place
 */
void
avfs_migrate_wizard_set_output (AvfsMigrateWizard *self,
                                const char        *path)
{
  g_return_if_fail (AVFS_IS_MIGRATE_WIZARD (self));

  g_free (self->output);
  self->output = g_strdup (path);
  update_options (self);
}

/**
 * avfs_migrate_wizard_can_go_next:
 *
 * Returns: whether the header bar's Next (Migrate, Done) button is enabled
 */
gboolean
avfs_migrate_wizard_can_go_next (AvfsMigrateWizard *self)
{
  g_return_val_if_fail (AVFS_IS_MIGRATE_WIZARD (self), FALSE);

  if (on_page (self, "engine"))
    return chosen_engine_allowed (self);
  if (on_page (self, "options"))
    return chosen_engine_allowed (self) && !is_running (self);
  if (on_page (self, "review"))
    return self->plan != NULL && !is_running (self);
  return !on_page (self, "progress");
}

/**
 * avfs_migrate_wizard_get_message:
 *
 * Returns: (nullable): why the review cannot go on, or why the migration failed
 */
const char *
avfs_migrate_wizard_get_message (AvfsMigrateWizard *self)
{
  g_return_val_if_fail (AVFS_IS_MIGRATE_WIZARD (self), NULL);
  return self->message;
}

/**
 * avfs_migrate_wizard_get_plan:
 *
 * Returns: (transfer none) (nullable): the plan the review page shows
 */
const AvfsMigratePlan *
avfs_migrate_wizard_get_plan (AvfsMigrateWizard *self)
{
  g_return_val_if_fail (AVFS_IS_MIGRATE_WIZARD (self), NULL);
  return self->plan;
}

/**
 * avfs_migrate_wizard_get_result:
 *
 * Returns: (transfer none) (nullable): what the migration did, once it succeeded
 */
const AvfsMigrateResult *
avfs_migrate_wizard_get_result (AvfsMigrateWizard *self)
{
  g_return_val_if_fail (AVFS_IS_MIGRATE_WIZARD (self), NULL);
  return self->result;
}
