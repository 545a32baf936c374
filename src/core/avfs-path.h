/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Vault paths: normalisation and checks, so no path can escape `/` or hold a bad name. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AVFS_PATH_MAX_NAME 255
#define AVFS_PATH_MAX_LEN 4096

gboolean  avfs_path_check_name   (const char  *name,
                                  GError     **error);
char     *avfs_path_normalize    (const char  *path,
                                  GError     **error);
char     *avfs_path_resolve      (const char  *base,
                                  const char  *path,
                                  GError     **error);
char     *avfs_path_get_parent   (const char  *path);
const char *avfs_path_get_name   (const char  *path);
char     *avfs_path_join         (const char  *dir,
                                  const char  *name);
gboolean  avfs_path_is_inside    (const char  *path,
                                  const char  *ancestor);
char    **avfs_path_split        (const char  *path);
char     *avfs_text_for_message  (const char  *text,
                                  guint        max_chars);

G_END_DECLS
