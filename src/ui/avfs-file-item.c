/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsFileItem: an AvfsFileInfo with what the browser derives from it (icon, sort key)
 * and its tags, loaded only when a row shows the item. Main thread only. */
#include "avfs-config.h"

#include "avfs-file-item.h"
#include "avfs-vault-async-tags.h"

struct _AvfsFileItem
{
  GObject parent_instance;

  AvfsFileInfo *info;
  GIcon *icon;
  char *sort_key;
  char *tags;               /* "a, b", NULL until loaded */
  gboolean tags_requested;
};

G_DEFINE_FINAL_TYPE (AvfsFileItem, avfs_file_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TAGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
avfs_file_item_finalize (GObject *object)
{
  AvfsFileItem *self = AVFS_FILE_ITEM (object);

  g_clear_pointer (&self->info, avfs_file_info_free);
  g_clear_object (&self->icon);
  g_clear_pointer (&self->sort_key, g_free);
  g_clear_pointer (&self->tags, g_free);
  G_OBJECT_CLASS (avfs_file_item_parent_class)->finalize (object);
}

static void
avfs_file_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AvfsFileItem *self = AVFS_FILE_ITEM (object);

  switch (prop_id)
    {
    case PROP_TAGS:
      g_value_set_string (value, self->tags);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
avfs_file_item_class_init (AvfsFileItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = avfs_file_item_finalize;
  object_class->get_property = avfs_file_item_get_property;

  properties[PROP_TAGS] =
    g_param_spec_string ("tags", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
avfs_file_item_init (AvfsFileItem *self)
{
}

/**
 * avfs_file_item_new:
 * @info: (transfer full): what the vault reported
 *
 * Returns: (transfer full): the item
 */
AvfsFileItem *
avfs_file_item_new (AvfsFileInfo *info)
{
  AvfsFileItem *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (AVFS_TYPE_FILE_ITEM, NULL);
  self->info = info;
  /* Natural order ("file2" before "file10"), computed once instead of per comparison. */
  self->sort_key = g_utf8_collate_key_for_filename (info->name, -1);
  return self;
}

/**
 * avfs_file_item_get_info:
 *
 * Returns: (transfer none): what the vault reported
 */
const AvfsFileInfo *
avfs_file_item_get_info (AvfsFileItem *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_ITEM (self), NULL);
  return self->info;
}

const char *
avfs_file_item_get_name (AvfsFileItem *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_ITEM (self), NULL);
  return self->info->name;
}

const char *
avfs_file_item_get_path (AvfsFileItem *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_ITEM (self), NULL);
  return self->info->path;
}

gboolean
avfs_file_item_is_directory (AvfsFileItem *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_ITEM (self), FALSE);
  return self->info->kind == AVFS_NODE_KIND_DIRECTORY;
}

/**
 * avfs_file_item_get_icon:
 *
 * The folder icon for a directory, else the symbolic icon of the content type guessed
 * from the name (the content is not read).
 *
 * Returns: (transfer none): the icon
 */
GIcon *
avfs_file_item_get_icon (AvfsFileItem *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_ITEM (self), NULL);

  if (self->icon == NULL)
    {
      if (avfs_file_item_is_directory (self))
        self->icon = g_themed_icon_new ("folder-symbolic");
      else
        {
          g_autofree char *type = g_content_type_guess (self->info->name, NULL, 0, NULL);

          self->icon = g_content_type_get_symbolic_icon (type);
        }
    }
  return self->icon;
}

/**
 * avfs_file_item_get_sort_key:
 *
 * Returns: (transfer none): the name's collation key, for strcmp()
 */
const char *
avfs_file_item_get_sort_key (AvfsFileItem *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_ITEM (self), NULL);
  return self->sort_key;
}

/**
 * avfs_file_item_get_tags:
 *
 * Returns: (nullable): the tags joined by ", ", %NULL until avfs_file_item_load_tags()
 *   has finished
 */
const char *
avfs_file_item_get_tags (AvfsFileItem *self)
{
  g_return_val_if_fail (AVFS_IS_FILE_ITEM (self), NULL);
  return self->tags;
}

static void
tags_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AvfsFileItem) self = user_data;
  g_auto(GStrv) tags = avfs_vault_tags_list_finish (AVFS_VAULT (source), result, NULL);

  /* A file deleted meanwhile simply shows no tags; the listing will drop it. */
  g_free (self->tags);
  self->tags = tags != NULL ? g_strjoinv (", ", tags) : g_strdup ("");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
}

/**
 * avfs_file_item_load_tags:
 * @vault: the vault the item was listed from
 *
 * Loads the item's tags once, in the background; #AvfsFileItem:tags tells when they
 * are there. Listing a directory does not read tags, so only rows on screen ask.
 */
void
avfs_file_item_load_tags (AvfsFileItem *self,
                          AvfsVault    *vault)
{
  g_return_if_fail (AVFS_IS_FILE_ITEM (self));
  g_return_if_fail (AVFS_IS_VAULT (vault));

  if (self->tags_requested)
    return;
  self->tags_requested = TRUE;
  avfs_vault_tags_list_async (vault, self->info->path, NULL, tags_listed_cb,
                              g_object_ref (self));
}
