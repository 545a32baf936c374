/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: an SQLite vault file with any bytes in it, opened, listed, read and
 * verified. A damaged vault must be an error, never a crash.
 *
 * Not LMDB: LMDB trusts the pages of data.mdb (no checksums), so a page number damaged
 * deep inside a tree makes liblmdb read outside the map and die (SIGBUS), whatever
 * avfs checks at open (the meta pages, their roots and the file's length); a fuzzer
 * finds that within seconds and nothing else. RocksDB checksums every block. */
#include <glib/gstdio.h>

#include "avfs-storage-registry.h"
#include "avfs-vault-maintenance.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static char *dir;

static void
walk (AvfsVault  *vault,
      const char *path,
      guint       depth)
{
  g_autoptr(GPtrArray) entries = avfs_vault_list (vault, path, NULL);

  for (guint i = 0; entries != NULL && depth < 8 && i < entries->len; i++)
    {
      AvfsFileInfo *info = g_ptr_array_index (entries, i);
      g_autofree char *child = g_build_path ("/", path, info->name, NULL);
      g_autoptr(GBytes) content = NULL;

      if (info->kind == AVFS_NODE_KIND_DIRECTORY)
        walk (vault, child, depth + 1);
      else
        content = avfs_vault_read (vault, child, 0, NULL);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *path = NULL;
  g_autoptr(AvfsVault) vault = NULL;
  g_autoptr(AvfsVerifyReport) report = NULL;

  if (dir == NULL)
    dir = g_dir_make_tmp ("avfs-fuzz-open-XXXXXX", NULL);
  path = g_build_filename (dir, "v.avfs", NULL);
  avfs_storage_delete_store (path, NULL);
  g_assert (g_file_set_contents (path, (const char *) data, size, NULL));

  vault = avfs_vault_open (path, NULL, NULL);
  if (vault == NULL)
    return 0;
  walk (vault, "/", 0);
  report = avfs_vault_verify (vault, NULL, NULL, NULL, NULL);
  avfs_vault_close (vault, NULL);
  return 0;
}
