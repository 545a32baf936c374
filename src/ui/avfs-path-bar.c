/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsPathBar: a row of flat buttons, the vault itself first, then each folder of the
 * path; clicking one emits `navigate` with that folder's path. */
#include "avfs-config.h"

#include "avfs-path.h"
#include "avfs-path-bar.h"

struct _AvfsPathBar
{
  GtkWidget parent_instance;

  GtkWidget *box;
  char *path;
  char *root_label;
};

G_DEFINE_FINAL_TYPE (AvfsPathBar, avfs_path_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PATH,
  PROP_ROOT_LABEL,
  N_PROPS
};

enum {
  NAVIGATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
crumb_clicked_cb (GtkButton   *button,
                  AvfsPathBar *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "avfs-path");

  g_signal_emit (self, signals[NAVIGATE], 0, path);
}

static void
add_crumb (AvfsPathBar *self,
           const char  *label_text,
           const char  *icon_name,
           const char  *path,
           gboolean     current)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (label_text);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  if (icon_name != NULL)
    gtk_box_append (GTK_BOX (content), gtk_image_new_from_icon_name (icon_name));
  gtk_box_append (GTK_BOX (content), label);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, path);
  if (current)
    gtk_widget_add_css_class (button, "current-crumb");
  g_object_set_data_full (G_OBJECT (button), "avfs-path", g_strdup (path), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (crumb_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->box), button);
}

static void
rebuild (AvfsPathBar *self)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) path = g_string_new ("");
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);
  if (self->path == NULL)
    return;

  parts = avfs_path_split (self->path);
  add_crumb (self, self->root_label != NULL ? self->root_label : "/", "drive-harddisk-symbolic",
             "/", parts[0] == NULL);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      GtkWidget *separator = gtk_label_new ("/");

      gtk_widget_add_css_class (separator, "dim-label");
      gtk_box_append (GTK_BOX (self->box), separator);
      g_string_append_printf (path, "/%s", parts[i]);
      add_crumb (self, parts[i], NULL, path->str, parts[i + 1] == NULL);
    }
}

static void
avfs_path_bar_dispose (GObject *object)
{
  AvfsPathBar *self = AVFS_PATH_BAR (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (avfs_path_bar_parent_class)->dispose (object);
}

static void
avfs_path_bar_finalize (GObject *object)
{
  AvfsPathBar *self = AVFS_PATH_BAR (object);

  g_free (self->path);
  g_free (self->root_label);
  G_OBJECT_CLASS (avfs_path_bar_parent_class)->finalize (object);
}

static void
avfs_path_bar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AvfsPathBar *self = AVFS_PATH_BAR (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_ROOT_LABEL:
      g_value_set_string (value, self->root_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
avfs_path_bar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  AvfsPathBar *self = AVFS_PATH_BAR (object);

  switch (prop_id)
    {
    case PROP_PATH:
      avfs_path_bar_set_path (self, g_value_get_string (value));
      break;
    case PROP_ROOT_LABEL:
      avfs_path_bar_set_root_label (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
avfs_path_bar_class_init (AvfsPathBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = avfs_path_bar_dispose;
  object_class->finalize = avfs_path_bar_finalize;
  object_class->get_property = avfs_path_bar_get_property;
  object_class->set_property = avfs_path_bar_set_property;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_ROOT_LABEL] = g_param_spec_string ("root-label", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AvfsPathBar::navigate:
   * @path: the folder whose button was clicked
   */
  signals[NAVIGATE] = g_signal_new ("navigate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pathbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
avfs_path_bar_init (AvfsPathBar *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

GtkWidget *
avfs_path_bar_new (void)
{
  return g_object_new (AVFS_TYPE_PATH_BAR, NULL);
}

/**
 * avfs_path_bar_set_path:
 * @path: (nullable): a normalised vault path, %NULL for no buttons
 */
void
avfs_path_bar_set_path (AvfsPathBar *self,
                        const char  *path)
{
  g_return_if_fail (AVFS_IS_PATH_BAR (self));

  if (g_strcmp0 (self->path, path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

const char *
avfs_path_bar_get_path (AvfsPathBar *self)
{
  g_return_val_if_fail (AVFS_IS_PATH_BAR (self), NULL);
  return self->path;
}

/**
 * avfs_path_bar_set_root_label:
 * @label: (nullable): what the first button says (the vault's name)
 */
void
avfs_path_bar_set_root_label (AvfsPathBar *self,
                              const char  *label)
{
  g_return_if_fail (AVFS_IS_PATH_BAR (self));

  if (g_strcmp0 (self->root_label, label) == 0)
    return;
  g_free (self->root_label);
  self->root_label = g_strdup (label);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOT_LABEL]);
}
