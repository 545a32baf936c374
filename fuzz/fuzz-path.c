/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the vault path functions on any bytes a user or agent could pass. */
#include "avfs-path.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *normal = avfs_path_normalize (text, NULL);
  g_autofree char *resolved = avfs_path_resolve ("/base/dir", text, NULL);
  g_autofree char *again = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) parts = NULL;

  avfs_path_check_name (text, NULL);
  if (resolved != NULL)
    g_assert (avfs_path_is_inside (resolved, "/"));
  if (normal == NULL)
    return 0;
  /* What normalising gives is normal already, inside /, and splits and joins back. */
  again = avfs_path_normalize (normal, NULL);
  g_assert (again != NULL && g_str_equal (again, normal));
  g_assert (avfs_path_is_inside (normal, "/"));
  parts = avfs_path_split (normal);
  parent = avfs_path_get_parent (normal);
  joined = avfs_path_join (parent, avfs_path_get_name (normal));
  g_assert (g_str_equal (joined, normal) || g_str_equal (normal, "/"));
  return 0;
}
