/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsWindow: the main window — vault sidebar, file browser and the panes beside it. */
#pragma once

#include <adwaita.h>

#include "avfs-application.h"
#include "avfs-file-browser.h"
#include "avfs-vault-sidebar.h"

G_BEGIN_DECLS

#define AVFS_TYPE_WINDOW (avfs_window_get_type ())
G_DECLARE_FINAL_TYPE (AvfsWindow, avfs_window, AVFS, WINDOW, AdwApplicationWindow)

AvfsWindow       *avfs_window_new            (AvfsApplication  *application);
void              avfs_window_open_vault     (AvfsWindow       *self,
                                              const char       *name_or_path);
AvfsVault        *avfs_window_get_vault      (AvfsWindow       *self);
const char       *avfs_window_get_page       (AvfsWindow       *self);
AvfsFileBrowser  *avfs_window_get_browser    (AvfsWindow       *self);
AvfsVaultSidebar *avfs_window_get_sidebar    (AvfsWindow       *self);
AvfsVault        *avfs_window_release_vault  (AvfsWindow       *self);

G_END_DECLS
