/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Toasts from anywhere in a window: results, progress and errors of async calls. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

AdwToast *avfs_toast_new_text  (const char    *text);
void      avfs_toast_show       (GtkWidget     *widget,
                                 AdwToast      *toast);
void      avfs_toast_show_text  (GtkWidget     *widget,
                                 const char    *text);
void      avfs_toast_show_error (GtkWidget     *widget,
                                 const GError  *error);

G_END_DECLS
