/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the detail pane's widgets share: telling a late core result from a current one,
 * and showing sizes and times the same way everywhere. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * AvfsDetailCall:
 * @owner: the widget that made the call (a strong reference)
 * @cancellable: the cancellable of the file the call was made for
 * @number: what the callback needs to know about the call (a version), if anything
 *
 * The user data of a core call. A core `_async` call that has started runs to the end
 * even when its cancellable fires, so the callback asks avfs_detail_call_is_stale()
 * before showing anything: a result for a file that is no longer shown is dropped.
 */
typedef struct
{
  gpointer owner;
  GCancellable *cancellable;
  guint number;
} AvfsDetailCall;

AvfsDetailCall *avfs_detail_call_new      (gpointer        owner,
                                           GCancellable   *cancellable);
gboolean        avfs_detail_call_is_stale (AvfsDetailCall *call);
void            avfs_detail_call_free     (AvfsDetailCall *call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsDetailCall, avfs_detail_call_free)

void            avfs_detail_cancel        (GCancellable  **cancellable);
char           *avfs_detail_format_time   (gint64          time_us);

G_END_DECLS
