/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What avfs-file-browser.c (the view) and avfs-file-browser-actions.c (the file
 * operations) share. */
#pragma once

#include "avfs-file-browser.h"

G_BEGIN_DECLS

struct _AvfsFileBrowser
{
  GtkWidget parent_instance;

  /* Template children */
  GtkStack *stack;
  GtkColumnView *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *size_column;
  GtkColumnViewColumn *modified_column;
  GtkColumnViewColumn *versions_column;
  GMenuModel *context_menu;
  AdwStatusPage *error_page;

  AvfsDirectoryModel *directory;
  GtkFilter *hide_filter;         /* hides entries whose deletion can still be undone */
  GtkSortListModel *sorted;
  GtkSingleSelection *selection;
  GtkWidget *popover;
  GSettings *settings;

  /* The entry to select once the folder is listed (avfs_file_browser_reveal()) */
  char *reveal_name;

  /* Which column's sorter ran last; see primary_sort_key() */
  GtkColumnViewColumn *last_sorted_column;

  /* Mutations seen on the vault, coalesced into one reload */
  gpointer change_relay;
  gulong changed_handler;
  guint reload_source;

  /* avfs-file-browser-actions.c */
  GActionMap *actions;
  GPtrArray *pending_deletions;   /* of PendingDeletion */
  char *clipboard_path;
  AvfsVault *clipboard_vault;
  guint busy;                     /* async operations in flight */
};

void     avfs_file_browser_update_actions (AvfsFileBrowser  *self);
void     avfs_file_browser_clear_actions  (AvfsFileBrowser  *self);
void     avfs_file_browser_import_files   (AvfsFileBrowser  *self,
                                           GSList           *files);
gboolean avfs_file_browser_is_hidden      (AvfsFileBrowser  *self,
                                           const char       *path);
void     avfs_file_browser_refilter       (AvfsFileBrowser  *self);

G_END_DECLS
