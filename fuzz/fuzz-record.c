/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the hand-written record decoders (avfs-vault-records.c) against
 * GVariant's own reading of the same bytes. They must agree on every input: what
 * GVariant takes as a normal-form record with the right format byte, the decoder takes,
 * with the same values; anything else it refuses (CORRUPT), and nothing crashes. */
#include "avfs-vault-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* GVariant's reading: the record if it is in normal form with format byte 1. */
static GVariant *
reference_parse (GBytes     *bytes,
                 const char *type)
{
  return avfs_record_parse (bytes, G_VARIANT_TYPE (type), "fuzzed", NULL);
}

static void
check_node (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  AvfsNode *node = avfs_node_parse (7, bytes, &error);
  g_autoptr(GVariant) reference = reference_parse (bytes, AVFS_NODE_RECORD);
  guint8 format, kind;
  guint64 parent, size;
  const char *name;
  guint32 mode, version;
  gint64 created, modified;
  g_autoptr(GVariant) content = NULL;

  g_assert ((node != NULL) == (reference != NULL));
  if (node == NULL)
    {
      g_assert (error->domain == AVFS_ERROR && error->code == AVFS_ERROR_CORRUPT);
      return;
    }
  g_variant_get (reference, "(yyt&suxxut@ay)", &format, &kind, &parent, &name, &mode,
                 &created, &modified, &version, &size, &content);
  g_assert (node->id == 7 && node->kind == kind && node->parent == parent);
  g_assert (g_str_equal (node->name, name) && node->mode == mode);
  g_assert (node->created_us == created && node->modified_us == modified);
  g_assert (node->version == version && node->size == size);
  /* Only a file keeps its chunk list. */
  if (node->content != NULL)
    g_assert (g_bytes_get_size (node->content) == g_variant_get_size (content));
  else
    g_assert (node->kind != AVFS_NODE_KIND_FILE);
  avfs_node_free (node);
}

static void
check_version (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  AvfsVersion *version = avfs_version_parse (bytes, &error);
  g_autoptr(GVariant) reference = reference_parse (bytes, AVFS_VERSION_RECORD);
  guint8 format;
  guint64 size;
  gint64 time;
  const char *op;
  g_autoptr(GVariant) content = NULL;

  g_assert ((version != NULL) == (reference != NULL));
  if (version == NULL)
    return;
  g_variant_get (reference, "(ytx&s@ay)", &format, &size, &time, &op, &content);
  g_assert (version->size == size && version->time_us == time && g_str_equal (version->op, op));
  g_assert (g_bytes_get_size (version->content) == g_variant_get_size (content));
  avfs_version_free (version);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);

  check_node (bytes);
  check_version (bytes);
  return 0;
}
