/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the detail-pane and search-pane tests add to test-ui-util.h: an open vault in a
 * fresh AVFS_HOME for a pane on its own, and a window around the pane. */
#pragma once

#include "avfs-storage-registry.h"
#include "test-ui-util.h"

typedef struct
{
  char *home;
  AvfsVault *vault;
} PanesVault;

/* A SQLite vault in a fresh AVFS_HOME. */
static inline void
panes_vault_open (PanesVault *v)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  v->home = g_dir_make_tmp ("avfs-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("AVFS_HOME", v->home, TRUE);
  path = g_build_filename (v->home, "test.avfs", NULL);
  v->vault = avfs_vault_create ("sqlite", path, NULL, NULL, &error);
  g_assert_no_error (error);
}

static inline void
panes_vault_close (PanesVault *v)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (v->home, "test.avfs", NULL);

  g_assert_true (avfs_vault_close (v->vault, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (v->vault);
  avfs_storage_delete_store (path, NULL);
  g_rmdir (v->home);
  g_free (v->home);
}

static inline void
panes_write (PanesVault *v,
             const char *path,
             const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (avfs_vault_write (v->vault, path, (const guint8 *) text, strlen (text),
                                      AVFS_WRITE_PARENTS, &error), >, 0);
  g_assert_no_error (error);
}

/* A window showing @child, presented and drawn once. */
static inline GtkWindow *
panes_window_new (GtkWidget *child,
                  int        width,
                  int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static inline void
panes_window_destroy (GtkWindow *window)
{
  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}
