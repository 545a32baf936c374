/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The migration wizard driven end to end in the window: engines, options, the review,
 * migrating in place and elsewhere, Cancel, dry run, and a PNG of every page. */
#include "avfs-config.h"

#include "avfs-migrate-wizard.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-maintenance.h"
#include "test-ui-util.h"

static const char *small_files[] = { "/docs/", "/docs/a.txt=alpha", "/b.txt=bravo", NULL };

static AvfsMigrateWizard *
open_wizard (AvfsWindow *window)
{
  AvfsMigrateWizard *wizard = NULL;

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "migrate-vault"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "migrate-vault", NULL);
  WAIT_UNTIL ((wizard = (AvfsMigrateWizard *) ui_find_window (AVFS_TYPE_MIGRATE_WIZARD)) != NULL,
              5000);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (wizard));
  g_assert_cmpstr (avfs_migrate_wizard_get_page (wizard), ==, "engine");
  return wizard;
}

static void
next (AvfsMigrateWizard *wizard,
      const char        *expected_page)
{
  g_assert_true (avfs_migrate_wizard_can_go_next (wizard));
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
  g_assert_cmpstr (avfs_migrate_wizard_get_page (wizard), ==, expected_page);
}

/* Done (or Open Migrated Vault): the wizard goes and the window opens a vault again. */
static void
finish (AvfsMigrateWizard *wizard,
        const char        *action,
        AvfsWindow        *window)
{
  gtk_widget_activate_action (GTK_WIDGET (wizard), action, NULL);
  WAIT_UNTIL (ui_find_window (AVFS_TYPE_MIGRATE_WIZARD) == NULL, 5000);
  ui_wait_for_page (window, "browser");
}

/* Waits for the review's plan or its problem. */
static void
wait_for_review (AvfsMigrateWizard *wizard)
{
  WAIT_UNTIL (avfs_migrate_wizard_get_plan (wizard) != NULL ||
              avfs_migrate_wizard_get_message (wizard) != NULL, 30000);
  ui_settle ();
}

static void
save_page (AvfsMigrateWizard *wizard,
           const char        *prefix,
           const char        *state)
{
  g_autofree char *name = g_strdup_printf ("ui-migrate-%s-%s", prefix, state);

  ui_save_png (GTK_WIDGET (wizard), name);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names under AVFS_HOME/vaults, sorted, joined by spaces. */
static char *
vault_dir_entries (UiFixture *f)
{
  g_autofree char *vaults = g_build_filename (f->home, "vaults", NULL);
  g_autoptr(GDir) dir = g_dir_open (vaults, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static gboolean
vault_dir_is (UiFixture  *f,
              const char *expected)
{
  g_autofree char *entries = vault_dir_entries (f);

  return g_strcmp0 (entries, expected) == 0;
}

/* Opens @name_or_path with the synchronous core: @engine, verifies, holds small_files. */
static void
assert_vault (UiFixture  *f,
              const char *name_or_path,
              const char *engine)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsRegistry) registry = avfs_registry_new (f->home, &error);
  g_autoptr(AvfsVault) vault = avfs_registry_open (registry, name_or_path, &error);
  g_autoptr(AvfsVerifyReport) report = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (avfs_vault_get_engine_name (vault), ==, engine);
  report = avfs_vault_verify (vault, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_problems, ==, 0);
  a = avfs_vault_read (vault, "/docs/a.txt", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a), "alpha", 5);
  b = avfs_vault_read (vault, "/b.txt", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "bravo", 5);
  avfs_vault_close (vault, &error);
  g_assert_no_error (error);
}

/* Migrating in place, with and without keeping the original */

typedef struct
{
  const char *from;
  const char *to;
  gboolean keep;
  const char *entries_after;      /* under vaults/ once migrated */
} InPlaceCase;

static const InPlaceCase in_place_cases[] = {
  { "sqlite", "lmdb", FALSE, "notes.lmdb" },
  { "lmdb", "rocksdb", TRUE, "notes-original.lmdb notes.rocksdb" },
};

static void
check_engine_rows (AvfsMigrateWizard *wizard,
                   const char        *current)
{
  GtkWidget *sled = avfs_migrate_wizard_get_engine_row (wizard, "sled");

  g_assert_false (gtk_widget_get_sensitive (sled));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (sled)),
                                   "Not available: "));
  g_assert_false (avfs_migrate_wizard_select_engine (wizard, "sled"));
  g_assert_false (avfs_migrate_wizard_select_engine (wizard, "memory"));
  g_assert_false (avfs_migrate_wizard_select_engine (wizard, current));
  g_assert_false (avfs_migrate_wizard_can_go_next (wizard));
}

static void
migrate_in_place (UiFixture         *f,
                  const InPlaceCase *c)
{
  g_autofree char *prefix = g_strdup_printf ("%s-to-%s", c->from, c->to);
  g_autofree char *entries = NULL;
  const AvfsMigrateResult *result;
  AvfsMigrateWizard *wizard;
  AvfsWindow *window;

  window = ui_fixture_open_vault (f, "notes", c->from, small_files);
  wizard = open_wizard (window);
  check_engine_rows (wizard, c->from);
  g_assert_true (avfs_migrate_wizard_select_engine (wizard, c->to));
  save_page (wizard, prefix, "1-engine");

  next (wizard, "options");
  avfs_migrate_wizard_set_keep_original (wizard, c->keep);
  save_page (wizard, prefix, "2-options");

  next (wizard, "review");
  wait_for_review (wizard);
  g_assert_null (avfs_migrate_wizard_get_message (wizard));
  g_assert_cmpstr (avfs_migrate_wizard_get_plan (wizard)->target_engine, ==, c->to);
  g_assert_cmpstr (avfs_migrate_wizard_get_plan (wizard)->original_name, ==,
                   c->keep ? "notes-original" : NULL);
  /* The window let go of the vault for the plan. */
  g_assert_null (avfs_window_get_vault (window));
  save_page (wizard, prefix, "3-review");

  next (wizard, "progress");
  WAIT_UNTIL (g_strcmp0 (avfs_migrate_wizard_get_page (wizard), "progress") != 0, 60000);
  g_assert_cmpstr (avfs_migrate_wizard_get_page (wizard), ==, "result");
  result = avfs_migrate_wizard_get_result (wizard);
  g_assert_cmpstr (result->source_engine, ==, c->from);
  g_assert_cmpstr (result->target_engine, ==, c->to);
  g_assert_cmpuint (result->verify->n_problems, ==, 0);
  g_assert_cmpuint (result->verify->nodes, ==, 4);   /* the root, docs, a.txt, b.txt */
  g_assert_cmpstr (result->original_name, ==, c->keep ? "notes-original" : NULL);
  g_assert_true (avfs_migrate_wizard_can_go_next (wizard));
  save_page (wizard, prefix, "4-result");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  save_page (wizard, prefix, "4-result-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  finish (wizard, "wizard.open-migrated", window);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "notes");
  g_assert_cmpstr (avfs_vault_get_engine_name (avfs_window_get_vault (window)), ==, c->to);
  {
    g_autofree char *rows = ui_browser_rows (avfs_window_get_browser (window));

    g_assert_cmpstr (rows, ==, "docs b.txt");
  }
  entries = vault_dir_entries (f);
  g_assert_cmpstr (entries, ==, c->entries_after);
  /* Let go of the migrated vault before checking it with a second opening. */
  gtk_window_destroy (GTK_WINDOW (window));
  ui_settle ();
  assert_vault (f, "notes", c->to);
  if (c->keep)
    assert_vault (f, "notes-original", c->from);
}

static void
test_sqlite_to_lmdb (UiFixture     *f,
                     gconstpointer  data)
{
  migrate_in_place (f, &in_place_cases[0]);
}

static void
test_lmdb_to_rocksdb_keeping_original (UiFixture     *f,
                                       gconstpointer  data)
{
  migrate_in_place (f, &in_place_cases[1]);
}

/* Cancel in the middle: nothing is left behind and the source still opens */

static void
make_big_vault (UiFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsRegistry) registry = avfs_registry_new (f->home, &error);
  g_autoptr(AvfsVault) vault = avfs_registry_create (registry, "big", "sqlite", &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  g_autofree guint32 *data = g_new (guint32, 256 * 1024);

  g_assert_no_error (error);
  /* 128 MiB that do not compress: the migration takes seconds, so that the progress page
   * can be drawn and Cancel lands mid-way. */
  for (guint i = 0; i < 128; i++)
    {
      g_autofree char *path = g_strdup_printf ("/blob-%03u.bin", i);

      for (guint j = 0; j < 256 * 1024; j++)
        data[j] = g_rand_int (rand);
      avfs_vault_write (vault, path, (const guint8 *) data, 1024 * 1024, AVFS_WRITE_NONE, &error);
      g_assert_no_error (error);
    }
  avfs_vault_close (vault, &error);
  g_assert_no_error (error);
}

static void
test_cancel (UiFixture     *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsRegistry) registry = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  g_autoptr(AvfsFileInfo) info = NULL;
  g_autofree char *entries = NULL;
  AvfsMigrateWizard *wizard;
  AvfsWindow *window;

  make_big_vault (f);
  window = ui_fixture_open_window (f);
  avfs_window_open_vault (window, "big");
  ui_wait_for_page (window, "browser");
  wizard = open_wizard (window);
  g_assert_true (avfs_migrate_wizard_select_engine (wizard, "lmdb"));
  next (wizard, "options");
  next (wizard, "review");
  wait_for_review (wizard);
  next (wizard, "progress");
  save_page (wizard, "cancel", "progress");
  g_assert_cmpstr (avfs_migrate_wizard_get_page (wizard), ==, "progress");
  /* Closing the wizard mid-way cancels too, but keeps it open to say what happened. */
  gtk_window_close (GTK_WINDOW (wizard));
  WAIT_UNTIL (g_strcmp0 (avfs_migrate_wizard_get_page (wizard), "progress") != 0, 60000);
  g_assert_cmpstr (avfs_migrate_wizard_get_page (wizard), ==, "failed");
  g_assert_null (avfs_migrate_wizard_get_result (wizard));
  g_assert_nonnull (avfs_migrate_wizard_get_message (wizard));
  ui_settle ();
  save_page (wizard, "cancel", "failed");

  entries = vault_dir_entries (f);
  g_assert_cmpstr (entries, ==, "big.avfs");
  /* Done closes the wizard and the window opens the vault again, as it was. */
  g_assert_true (avfs_migrate_wizard_can_go_next (wizard));
  finish (wizard, "wizard.next", window);
  g_assert_cmpstr (avfs_vault_get_engine_name (avfs_window_get_vault (window)), ==, "sqlite");
  gtk_window_destroy (GTK_WINDOW (window));
  ui_settle ();
  registry = avfs_registry_new (f->home, &error);
  vault = avfs_registry_open (registry, "big", &error);
  g_assert_no_error (error);
  info = avfs_vault_stat (vault, "/blob-127.bin", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->size, ==, 1024 * 1024);
}

/* A dry run checks and writes nothing */

static void
test_dry_run (UiFixture     *f,
              gconstpointer  data)
{
  g_autofree char *before = NULL;
  AvfsMigrateWizard *wizard;
  AvfsWindow *window;

  ui_fixture_make_vault (f, "notes", "sqlite", small_files);
  before = vault_dir_entries (f);
  window = ui_fixture_open_window (f);
  avfs_window_open_vault (window, "notes");
  ui_wait_for_page (window, "browser");
  wizard = open_wizard (window);
  g_assert_true (avfs_migrate_wizard_select_engine (wizard, "rocksdb"));
  next (wizard, "options");
  avfs_migrate_wizard_set_dry_run (wizard, TRUE);
  next (wizard, "review");
  wait_for_review (wizard);
  g_assert_cmpstr (avfs_migrate_wizard_get_plan (wizard)->target_engine, ==, "rocksdb");
  save_page (wizard, "dry-run", "review");
  WAIT_UNTIL (vault_dir_is (f, before), 5000);

  /* Done closes the wizard; the window opens the vault again. */
  g_assert_true (avfs_migrate_wizard_can_go_next (wizard));
  finish (wizard, "wizard.next", window);
  g_assert_cmpstr (avfs_vault_get_engine_name (avfs_window_get_vault (window)), ==, "sqlite");
  /* Closed again, the vault is all there is (an open SQLite vault has its -wal file). */
  gtk_window_destroy (GTK_WINDOW (window));
  ui_settle ();
  WAIT_UNTIL (vault_dir_is (f, before), 5000);
}

/* Save to another location: the vault's own engine becomes a choice (a compacted copy),
 * a place that is taken stops the review, and the original stays as it was */

static void
test_elsewhere (UiFixture     *f,
                gconstpointer  data)
{
  g_autofree char *taken = g_build_filename (f->home, "taken.avfs", NULL);
  g_autofree char *copy = g_build_filename (f->home, "copy.avfs", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *entries = NULL;
  const AvfsMigrateResult *result;
  AvfsMigrateWizard *wizard;
  AvfsWindow *window;

  g_file_set_contents (taken, "", 0, &error);
  g_assert_no_error (error);
  window = ui_fixture_open_vault (f, "notes", "sqlite", small_files);
  wizard = open_wizard (window);
  g_assert_false (avfs_migrate_wizard_select_engine (wizard, "sqlite"));
  avfs_migrate_wizard_set_output (wizard, taken);
  g_assert_true (avfs_migrate_wizard_select_engine (wizard, "sqlite"));
  next (wizard, "options");
  save_page (wizard, "elsewhere", "options");

  next (wizard, "review");
  wait_for_review (wizard);
  g_assert_null (avfs_migrate_wizard_get_plan (wizard));
  g_assert_nonnull (strstr (avfs_migrate_wizard_get_message (wizard), taken));
  g_assert_false (avfs_migrate_wizard_can_go_next (wizard));
  save_page (wizard, "elsewhere", "review-problem");

  /* Migrating in place to the vault's own engine is not a choice. */
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  g_assert_cmpstr (avfs_migrate_wizard_get_page (wizard), ==, "options");
  WAIT_UNTIL (avfs_migrate_wizard_can_go_next (wizard), 5000);
  avfs_migrate_wizard_set_output (wizard, NULL);
  g_assert_false (avfs_migrate_wizard_can_go_next (wizard));
  save_page (wizard, "elsewhere", "options-problem");
  avfs_migrate_wizard_set_output (wizard, copy);
  gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.back", NULL);
  g_assert_true (avfs_migrate_wizard_select_engine (wizard, "sqlite"));
  next (wizard, "options");
  next (wizard, "review");
  wait_for_review (wizard);
  g_assert_cmpstr (avfs_migrate_wizard_get_plan (wizard)->target_path, ==, copy);
  next (wizard, "progress");
  WAIT_UNTIL (g_strcmp0 (avfs_migrate_wizard_get_page (wizard), "progress") != 0, 60000);
  g_assert_cmpstr (avfs_migrate_wizard_get_page (wizard), ==, "result");
  result = avfs_migrate_wizard_get_result (wizard);
  g_assert_cmpstr (result->path, ==, copy);
  save_page (wizard, "elsewhere", "result");

  finish (wizard, "wizard.open-migrated", window);
  g_assert_cmpstr (avfs_vault_get_path (avfs_window_get_vault (window)), ==, copy);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_settle ();
  entries = vault_dir_entries (f);
  g_assert_cmpstr (entries, ==, "notes.avfs");
  assert_vault (f, "notes", "sqlite");
  assert_vault (f, copy, "sqlite");
  avfs_storage_delete_store (copy, &error);
  g_assert_no_error (error);
  g_unlink (taken);
}

int
main (int   argc,
      char *argv[])
{
  static const UiTest tests[] = {
    { "/ui/migrate-wizard/sqlite-to-lmdb", test_sqlite_to_lmdb },
    { "/ui/migrate-wizard/lmdb-to-rocksdb-keeping-original", test_lmdb_to_rocksdb_keeping_original },
    { "/ui/migrate-wizard/cancel", test_cancel },
    { "/ui/migrate-wizard/dry-run", test_dry_run },
    { "/ui/migrate-wizard/elsewhere", test_elsewhere },
  };

  return ui_test_main (argc, argv, tests, G_N_ELEMENTS (tests));
}
