/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsConfigFile: a strict reader for the TOML subset of ~/.avfs/config.toml, and an
 * editor that changes one value and keeps the rest of the text as it was. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AvfsConfigFile AvfsConfigFile;

AvfsConfigFile *avfs_config_file_new_from_path (const char      *path,
                                                GError         **error);
AvfsConfigFile *avfs_config_file_new_from_text (const char      *text,
                                                const char      *filename,
                                                GError         **error);
GVariant       *avfs_config_file_lookup        (AvfsConfigFile  *self,
                                                const char      *table,
                                                const char      *key);
char          **avfs_config_file_list_tables   (AvfsConfigFile  *self);
GHashTable     *avfs_config_file_dup_table     (AvfsConfigFile  *self,
                                                const char      *table);
void            avfs_config_file_free          (AvfsConfigFile  *self);

char           *avfs_config_file_edit          (const char      *text,
                                                const char      *filename,
                                                const char      *table,
                                                const char      *key,
                                                GVariant        *value,
                                                GError         **error);
gboolean        avfs_config_file_save          (const char      *path,
                                                const char      *text,
                                                GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsConfigFile, avfs_config_file_free)

G_END_DECLS
