/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Toasts from anywhere in a window: the nearest AdwToastOverlay around the widget shows
 * them, so a widget reports without knowing the window's layout. */
#include "avfs-config.h"

#include "avfs-toasts.h"

/**
 * avfs_toast_new_text:
 * @text: plain text (the title is markup: file names are escaped here)
 *
 * Returns: (transfer full): a toast showing @text
 */
AdwToast *
avfs_toast_new_text (const char *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);

  return adw_toast_new (markup);
}

/**
 * avfs_toast_show:
 * @widget: a widget inside an #AdwToastOverlay
 * @toast: (transfer full): the toast
 */
void
avfs_toast_show (GtkWidget *widget,
                 AdwToast  *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  g_return_if_fail (overlay != NULL);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/**
 * avfs_toast_show_text:
 * @text: plain text
 */
void
avfs_toast_show_text (GtkWidget  *widget,
                      const char *text)
{
  avfs_toast_show (widget, avfs_toast_new_text (text));
}

/**
 * avfs_toast_show_error:
 * @error: what failed; a cancellation shows nothing
 *
 * Shows the error's message, which says what failed and what to do, for longer than a
 * plain toast so it can be read.
 */
void
avfs_toast_show_error (GtkWidget    *widget,
                       const GError *error)
{
  AdwToast *toast;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  toast = avfs_toast_new_text (error->message);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  avfs_toast_show (widget, toast);
}
