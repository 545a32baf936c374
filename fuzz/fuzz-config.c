/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the config.toml reader and editor on any text. */
#include "avfs-config-file.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(AvfsConfigFile) config = avfs_config_file_new_from_text (text, "fuzz.toml", NULL);
  g_auto(GStrv) tables = NULL;
  g_autofree char *edited = NULL;

  if (config == NULL)
    return 0;
  tables = avfs_config_file_list_tables (config);
  for (guint i = 0; tables[i] != NULL; i++)
    g_hash_table_unref (avfs_config_file_dup_table (config, tables[i]));
  avfs_config_file_lookup (config, "defaults", "backend");
  /* An edit of a readable file reads back with the new value. */
  edited = avfs_config_file_edit (text, "fuzz.toml", "backend.sqlite", "cache_size",
                                  g_variant_new_int64 (1234), NULL);
  if (edited != NULL)
    {
      g_autoptr(AvfsConfigFile) reread = avfs_config_file_new_from_text (edited, "fuzz.toml",
                                                                         NULL);
      GVariant *value;

      g_assert (reread != NULL);
      value = avfs_config_file_lookup (reread, "backend.sqlite", "cache_size");
      g_assert (value != NULL && g_variant_get_int64 (value) == 1234);
    }
  return 0;
}
