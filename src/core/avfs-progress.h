/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsProgress: how far a long operation (import, export, verify, gc, migrate…) has got. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * AvfsProgress:
 * @phase: what is happening now, a short lowercase word (`"scan"`, `"copy"`, `"verify"`)
 * @files_done: items finished so far
 * @files_total: items in all, or 0 when not known yet
 * @bytes_done: bytes finished so far
 * @bytes_total: bytes in all, or 0 when not known yet
 */
typedef struct
{
  const char *phase;
  guint64 files_done;
  guint64 files_total;
  guint64 bytes_done;
  guint64 bytes_total;
} AvfsProgress;

/**
 * AvfsProgressFunc:
 * @progress: the figures; valid only during the call
 * @user_data: the data given with the function
 *
 * Called by synchronous operations in the calling thread, and by `_async` ones on the
 * main context of the thread that started them, at most a few times a second.
 */
typedef void (*AvfsProgressFunc) (const AvfsProgress *progress,
                                  gpointer            user_data);

G_END_DECLS
