/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDiffView: a unified diff in a read-only text view, one colour per kind of line,
 * with a palette for the light style and one for the dark style. */
#include <adwaita.h>

#include "avfs-diff-view.h"

struct _AvfsDiffView
{
  GtkWidget parent_instance;

  GtkScrolledWindow *scroller;
  GtkTextView *text_view;
  GtkTextTag *added;
  GtkTextTag *removed;
  GtkTextTag *hunk;
  GtkTextTag *file;
  guint n_added;
  guint n_removed;
};

G_DEFINE_FINAL_TYPE (AvfsDiffView, avfs_diff_view, GTK_TYPE_WIDGET)

/* Colours of one style: the text and the line background of added and removed lines,
 * and the text of hunk headers. Adwaita's success/error colours, which are readable on
 * that style's view background. */
typedef struct
{
  const char *added_fg;
  const char *added_bg;
  const char *removed_fg;
  const char *removed_bg;
  const char *dim_fg;
} DiffPalette;

static const DiffPalette light_palette = {
  "#1b8553", "rgba(46,194,126,0.14)", "#c01c28", "rgba(224,27,36,0.10)", "rgba(0,0,0,0.55)",
};

static const DiffPalette dark_palette = {
  "#8ff0a4", "rgba(38,162,105,0.22)", "#ff7b63", "rgba(192,28,40,0.25)",
  "rgba(255,255,255,0.55)",
};

static void
apply_palette (AvfsDiffView *self)
{
  const DiffPalette *palette =
    adw_style_manager_get_dark (adw_style_manager_get_default ()) ? &dark_palette
                                                                   : &light_palette;

  g_object_set (self->added,
                "foreground", palette->added_fg,
                "paragraph-background", palette->added_bg,
                NULL);
  g_object_set (self->removed,
                "foreground", palette->removed_fg,
                "paragraph-background", palette->removed_bg,
                NULL);
  g_object_set (self->hunk, "foreground", palette->dim_fg, NULL);
  g_object_set (self->file, "foreground", palette->dim_fg, NULL);
}

static void
style_dark_changed_cb (AvfsDiffView *self)
{
  apply_palette (self);
}

/* The tag of one line of a unified diff, or %NULL for context. */
static GtkTextTag *
tag_for_line (AvfsDiffView *self,
              const char   *line)
{
  if (g_str_has_prefix (line, "+++ ") || g_str_has_prefix (line, "--- "))
    return self->file;
  if (line[0] == '+')
    return self->added;
  if (line[0] == '-')
    return self->removed;
  if (g_str_has_prefix (line, "@@"))
    return self->hunk;
  return NULL;
}

/**
 * avfs_diff_view_set_diff:
 * @diff: a unified diff as avfs_vault_diff_finish() gives it
 *
 * Shows @diff, colouring added, removed, hunk-header and file-header lines.
 */
void
avfs_diff_view_set_diff (AvfsDiffView *self,
                         const char   *diff)
{
  GtkTextBuffer *buffer;
  g_auto(GStrv) lines = NULL;
  GtkTextIter end;

  g_return_if_fail (AVFS_IS_DIFF_VIEW (self));
  g_return_if_fail (diff != NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, "", 0);
  self->n_added = self->n_removed = 0;
  lines = g_strsplit (diff, "\n", -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      GtkTextTag *tag = tag_for_line (self, lines[i]);

      /* The split leaves an empty last piece after the final newline. */
      if (lines[i + 1] == NULL && lines[i][0] == '\0')
        break;
      self->n_added += tag == self->added;
      self->n_removed += tag == self->removed;
      gtk_text_buffer_insert_with_tags (buffer, &end, lines[i], -1, tag, NULL);
      if (lines[i + 1] != NULL)
        gtk_text_buffer_insert (buffer, &end, "\n", 1);
    }
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

/**
 * avfs_diff_view_get_n_added:
 *
 * Returns: how many lines the shown diff adds
 */
guint
avfs_diff_view_get_n_added (AvfsDiffView *self)
{
  g_return_val_if_fail (AVFS_IS_DIFF_VIEW (self), 0);
  return self->n_added;
}

/**
 * avfs_diff_view_get_n_removed:
 *
 * Returns: how many lines the shown diff removes
 */
guint
avfs_diff_view_get_n_removed (AvfsDiffView *self)
{
  g_return_val_if_fail (AVFS_IS_DIFF_VIEW (self), 0);
  return self->n_removed;
}

static void
avfs_diff_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), AVFS_TYPE_DIFF_VIEW);
  G_OBJECT_CLASS (avfs_diff_view_parent_class)->dispose (object);
}

static void
avfs_diff_view_class_init (AvfsDiffViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_diff_view_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-diff-view.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsDiffView, scroller);
  gtk_widget_class_bind_template_child (widget_class, AvfsDiffView, text_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_diff_view_init (AvfsDiffView *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  buffer = gtk_text_view_get_buffer (self->text_view);
  self->added = gtk_text_buffer_create_tag (buffer, "added", NULL);
  self->removed = gtk_text_buffer_create_tag (buffer, "removed", NULL);
  self->hunk = gtk_text_buffer_create_tag (buffer, "hunk", NULL);
  self->file = gtk_text_buffer_create_tag (buffer, "file", "weight", PANGO_WEIGHT_BOLD, NULL);
  apply_palette (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (style_dark_changed_cb), self, G_CONNECT_SWAPPED);
}

/**
 * avfs_diff_view_new:
 *
 * Returns: (transfer floating): an empty diff view
 */
GtkWidget *
avfs_diff_view_new (void)
{
  return g_object_new (AVFS_TYPE_DIFF_VIEW, NULL);
}
