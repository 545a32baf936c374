/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the detail pane's widgets share: telling a late core result from a current one,
 * and showing times the same way everywhere. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-detail-private.h"

/**
 * avfs_detail_call_new:
 * @owner: (type GObject): the widget making the call
 * @cancellable: the cancellable of what the widget shows now
 *
 * Returns: (transfer full): user data for a core `_async` call; free it in the callback
 */
AvfsDetailCall *
avfs_detail_call_new (gpointer      owner,
                      GCancellable *cancellable)
{
  AvfsDetailCall *call = g_new0 (AvfsDetailCall, 1);

  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  call->owner = g_object_ref (owner);
  call->cancellable = g_object_ref (cancellable);
  return call;
}

/**
 * avfs_detail_call_is_stale:
 *
 * Returns: whether the widget moved on (another file, or disposed) since the call
 */
gboolean
avfs_detail_call_is_stale (AvfsDetailCall *call)
{
  return g_cancellable_is_cancelled (call->cancellable);
}

void
avfs_detail_call_free (AvfsDetailCall *call)
{
  g_object_unref (call->owner);
  g_object_unref (call->cancellable);
  g_free (call);
}

/**
 * avfs_detail_cancel:
 * @cancellable: (inout) (transfer full): the cancellable of what a widget shows
 *
 * Cancels the calls made for what a widget showed and gives it a fresh cancellable for
 * what it shows next.
 */
void
avfs_detail_cancel (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

/**
 * avfs_detail_format_time:
 * @time_us: microseconds since the epoch (UTC)
 *
 * Returns: (transfer full): the time in the local zone, as a person reads it
 */
char *
avfs_detail_format_time (gint64 time_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("—");
  local = g_date_time_to_local (utc);
  /* TRANSLATORS: a date and time in strftime() form, as in "2024-03-05 14:07" */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M"));
}
