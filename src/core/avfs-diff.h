/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Line diffs of two byte buffers in unified form, for comparing versions of a file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lines of unchanged text shown around each change, as diff -u does. */
#define AVFS_DIFF_CONTEXT 3

/* Content with a NUL byte among its first this-many bytes is binary (as in GNU diff). */
#define AVFS_DIFF_BINARY_PROBE 8192

gboolean  avfs_diff_is_binary      (const guint8 *data,
                                    gsize         len);
char     *avfs_diff_binary_message (const char   *label_a,
                                    const char   *label_b);
char     *avfs_diff_unified        (const guint8 *a,
                                    gsize         a_len,
                                    const guint8 *b,
                                    gsize         b_len,
                                    const char   *label_a,
                                    const char   *label_b,
                                    guint         context);

G_END_DECLS
