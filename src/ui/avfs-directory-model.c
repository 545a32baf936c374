/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDirectoryModel: lists a directory a page at a time (avfs_vault_list_page_async),
 * appending each page as it arrives, so the first rows show at once and a huge
 * directory never blocks a frame: small pages until the view has built its rows, then
 * pages of AVFS_DIRECTORY_MODEL_BATCH_SIZE entries. Main thread only. */
#include "avfs-config.h"

#include "avfs-directory-model.h"
#include "avfs-vault-async.h"

struct _AvfsDirectoryModel
{
  GObject parent_instance;

  AvfsVault *vault;
  char *path;
  GPtrArray *items;           /* of AvfsFileItem */
  GError *error;

  /* The load in flight: its cancellable, and how its first page goes in. */
  GCancellable *cancellable;
  gboolean replace_on_batch;  /* a reload keeps the old rows until the new ones come */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsDirectoryModel, avfs_directory_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_VAULT,
  PROP_PATH,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return AVFS_TYPE_FILE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return AVFS_DIRECTORY_MODEL (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  AvfsDirectoryModel *self = AVFS_DIRECTORY_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Stops the load in flight, if any; its result, should it still come, is dropped. */
static void
cancel_load (AvfsDirectoryModel *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
set_error (AvfsDirectoryModel *self,
           GError             *error)
{
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
clear_items (AvfsDirectoryModel *self)
{
  guint removed = self->items->len;

  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
}

static void
finish_load (AvfsDirectoryModel *self)
{
  g_clear_object (&self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Appends one page of entries (taking them), replacing the old rows on a reload's
 * first page. */
static void
append_page (AvfsDirectoryModel *self,
             GPtrArray          *infos)
{
  guint removed = 0;
  guint position;

  if (self->replace_on_batch)
    {
      removed = self->items->len;
      g_ptr_array_set_size (self->items, 0);
      self->replace_on_batch = FALSE;
    }
  position = self->items->len;
  g_ptr_array_set_free_func (infos, NULL);
  for (guint i = 0; i < infos->len; i++)
    g_ptr_array_add (self->items, avfs_file_item_new (g_ptr_array_index (infos, i)));
  if (removed > 0 || self->items->len > position)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed,
                                self->items->len - position);
}

typedef struct
{
  AvfsDirectoryModel *self;
  GCancellable *cancellable;
  guint page_size;            /* of the page asked for */
} Load;

static void
load_free (Load *load)
{
  g_object_unref (load->self);
  g_object_unref (load->cancellable);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Load, load_free)

static void request_page (Load       *load,
                          const char *after);

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Load) load = user_data;
  AvfsDirectoryModel *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = avfs_vault_list_page_finish (AVFS_VAULT (source), result,
                                                            &error);

  /* Listing does not stop once started: a page for a folder left meanwhile is dropped. */
  if (g_cancellable_is_cancelled (load->cancellable))
    return;
  if (infos == NULL)
    {
      clear_items (self);
      self->replace_on_batch = FALSE;
      set_error (self, g_steal_pointer (&error));
      finish_load (self);
      return;
    }
  /* An empty first page goes in too: it clears a reload's rows. */
  append_page (self, infos);
  if (infos->len < load->page_size)
    finish_load (self);
  else
    request_page (g_steal_pointer (&load),
                  ((AvfsFileInfo *) g_ptr_array_index (infos, infos->len - 1))->name);
}

/* Asks for the page after @after (the first page when %NULL); @load goes with it. */
static void
request_page (Load       *load,
              const char *after)
{
  gboolean first_rows = after == NULL ||
                        load->self->items->len < AVFS_DIRECTORY_MODEL_FIRST_ROWS;

  load->page_size = first_rows ? AVFS_DIRECTORY_MODEL_FIRST_PAGE_SIZE
                               : AVFS_DIRECTORY_MODEL_BATCH_SIZE;
  avfs_vault_list_page_async (load->self->vault, load->self->path, after, load->page_size,
                              load->cancellable, page_cb, load);
}

/**
 * avfs_directory_model_load:
 * @vault: (nullable): the vault, %NULL to empty the model
 * @path: (nullable): the directory to list (%NULL with a %NULL @vault)
 *
 * Lists @path of @vault in the background, cancelling a load in flight. A new folder
 * empties the model at once; the same folder again (a refresh) keeps the old entries
 * until the new ones arrive. #AvfsDirectoryModel:loading is %TRUE until every entry is
 * in the model; a failure sets #AvfsDirectoryModel:error.
 */
void
avfs_directory_model_load (AvfsDirectoryModel *self,
                           AvfsVault          *vault,
                           const char         *path)
{
  gboolean same;
  gboolean was_loading;
  Load *load;

  g_return_if_fail (AVFS_IS_DIRECTORY_MODEL (self));
  g_return_if_fail (vault == NULL || AVFS_IS_VAULT (vault));
  g_return_if_fail (vault == NULL || path != NULL);

  was_loading = self->cancellable != NULL;
  same = vault == self->vault && g_strcmp0 (path, self->path) == 0;
  cancel_load (self);
  /* Loading already while the old rows go, so no one takes the empty model as the
   * new folder's content. */
  if (vault != NULL)
    self->cancellable = g_cancellable_new ();
  if (!same)
    {
      g_set_object (&self->vault, vault);
      g_free (self->path);
      self->path = g_strdup (path);
      clear_items (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VAULT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
    }
  self->replace_on_batch = same;
  if (self->error != NULL)
    set_error (self, NULL);
  if (vault == NULL)
    {
      if (was_loading)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }

  load = g_new0 (Load, 1);
  load->self = g_object_ref (self);
  load->cancellable = g_object_ref (self->cancellable);
  request_page (load, NULL);
  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/**
 * avfs_directory_model_reload:
 *
 * Lists the current folder again (after a change), keeping the rows until then.
 */
void
avfs_directory_model_reload (AvfsDirectoryModel *self)
{
  g_return_if_fail (AVFS_IS_DIRECTORY_MODEL (self));

  if (self->vault != NULL)
    avfs_directory_model_load (self, self->vault, self->path);
}

/**
 * avfs_directory_model_get_vault:
 *
 * Returns: (transfer none) (nullable): the vault listed from
 */
AvfsVault *
avfs_directory_model_get_vault (AvfsDirectoryModel *self)
{
  g_return_val_if_fail (AVFS_IS_DIRECTORY_MODEL (self), NULL);
  return self->vault;
}

/**
 * avfs_directory_model_get_path:
 *
 * Returns: (nullable): the directory listed
 */
const char *
avfs_directory_model_get_path (AvfsDirectoryModel *self)
{
  g_return_val_if_fail (AVFS_IS_DIRECTORY_MODEL (self), NULL);
  return self->path;
}

gboolean
avfs_directory_model_get_loading (AvfsDirectoryModel *self)
{
  g_return_val_if_fail (AVFS_IS_DIRECTORY_MODEL (self), FALSE);
  return self->cancellable != NULL;
}

/**
 * avfs_directory_model_get_error:
 *
 * Returns: (nullable): why the last load failed
 */
const GError *
avfs_directory_model_get_error (AvfsDirectoryModel *self)
{
  g_return_val_if_fail (AVFS_IS_DIRECTORY_MODEL (self), NULL);
  return self->error;
}

/**
 * avfs_directory_model_lookup:
 * @name: an entry name
 *
 * Returns: (transfer none) (nullable): the loaded entry called @name
 */
AvfsFileItem *
avfs_directory_model_lookup (AvfsDirectoryModel *self,
                             const char         *name)
{
  g_return_val_if_fail (AVFS_IS_DIRECTORY_MODEL (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      AvfsFileItem *item = g_ptr_array_index (self->items, i);

      if (g_str_equal (avfs_file_item_get_name (item), name))
        return item;
    }
  return NULL;
}

static void
avfs_directory_model_dispose (GObject *object)
{
  AvfsDirectoryModel *self = AVFS_DIRECTORY_MODEL (object);

  cancel_load (self);
  g_clear_object (&self->vault);
  G_OBJECT_CLASS (avfs_directory_model_parent_class)->dispose (object);
}

static void
avfs_directory_model_finalize (GObject *object)
{
  AvfsDirectoryModel *self = AVFS_DIRECTORY_MODEL (object);

  g_ptr_array_unref (self->items);
  g_free (self->path);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (avfs_directory_model_parent_class)->finalize (object);
}

static void
avfs_directory_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AvfsDirectoryModel *self = AVFS_DIRECTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_VAULT:
      g_value_set_object (value, self->vault);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, avfs_directory_model_get_loading (self));
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
avfs_directory_model_class_init (AvfsDirectoryModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = avfs_directory_model_dispose;
  object_class->finalize = avfs_directory_model_finalize;
  object_class->get_property = avfs_directory_model_get_property;

  properties[PROP_VAULT] = g_param_spec_object ("vault", NULL, NULL, AVFS_TYPE_VAULT, flags);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
avfs_directory_model_init (AvfsDirectoryModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * avfs_directory_model_new:
 *
 * Returns: (transfer full): an empty model; avfs_directory_model_load() fills it
 */
AvfsDirectoryModel *
avfs_directory_model_new (void)
{
  return g_object_new (AVFS_TYPE_DIRECTORY_MODEL, NULL);
}
