/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailPreview: shows a file's content the way its type suggests — text in a
 * monospace view, images scaled to fit, anything else as a hex dump of its first bytes. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-detail-preview.h"
#include "avfs-diff.h"

struct _AvfsDetailPreview
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkStack *stack;
  GtkScrolledWindow *text_scroller;
  GtkTextView *text_view;
  GtkPicture *picture;
  GtkLabel *message_label;
  GtkLabel *caption_label;
  AvfsDetailPreviewKind kind;
};

G_DEFINE_FINAL_TYPE (AvfsDetailPreview, avfs_detail_preview, GTK_TYPE_WIDGET)

/**
 * avfs_detail_preview_dump_hex:
 * @data: (array length=len): bytes
 *
 * Returns: (transfer full): @data as `hexdump -C` shows it: an offset, sixteen bytes in
 *   hex and the same bytes as ASCII, one line per sixteen bytes
 */
char *
avfs_detail_preview_dump_hex (const guint8 *data,
                              gsize         len)
{
  GString *dump = g_string_sized_new (len * 5);

  for (gsize line = 0; line < len; line += 16)
    {
      g_string_append_printf (dump, "%08" G_GSIZE_MODIFIER "x ", line);
      for (gsize i = line; i < line + 16; i++)
        {
          if (i % 8 == 0)
            g_string_append_c (dump, ' ');
          if (i < len)
            g_string_append_printf (dump, "%02x ", data[i]);
          else
            g_string_append (dump, "   ");
        }
      g_string_append (dump, " |");
      for (gsize i = line; i < line + 16 && i < len; i++)
        g_string_append_c (dump, g_ascii_isprint (data[i]) ? data[i] : '.');
      g_string_append (dump, "|\n");
    }
  return g_string_free (dump, FALSE);
}

static void
set_caption (AvfsDetailPreview *self,
             const char        *caption)
{
  gtk_label_set_label (self->caption_label, caption);
  gtk_widget_set_visible (GTK_WIDGET (self->caption_label), caption != NULL);
}

static void
show_text (AvfsDetailPreview *self,
           const char        *text,
           GtkWrapMode        wrap_mode)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
  gtk_text_view_set_wrap_mode (self->text_view, wrap_mode);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->text_scroller), 0);
  gtk_stack_set_visible_child_name (self->stack, "text");
}

/* Shows @content as UTF-8 text, invalid bytes as U+FFFD. */
static void
show_content_text (AvfsDetailPreview *self,
                   const guint8      *data,
                   gsize              len)
{
  gsize shown = MIN (len, AVFS_DETAIL_PREVIEW_TEXT_BYTES);
  g_autofree char *text = g_utf8_make_valid ((const char *) data, shown);
  g_autofree char *caption = NULL;

  show_text (self, text, GTK_WRAP_WORD_CHAR);
  self->kind = AVFS_DETAIL_PREVIEW_TEXT;
  if (len == 0)
    caption = g_strdup (_("The file is empty."));
  else if (shown < len)
    {
      g_autofree char *shown_size = g_format_size (shown);
      g_autofree char *size = g_format_size (len);

      caption = g_strdup_printf (_("Showing the first %s of %s."), shown_size, size);
    }
  set_caption (self, caption);
}

/* Shows the first bytes of @content as a hex dump; @reason says why it is no preview. */
static void
show_content_hex (AvfsDetailPreview *self,
                  const guint8      *data,
                  gsize              len,
                  const char        *reason)
{
  gsize shown = MIN (len, AVFS_DETAIL_PREVIEW_HEX_BYTES);
  g_autofree char *dump = avfs_detail_preview_dump_hex (data, shown);
  g_autofree char *shown_size = g_format_size (shown);
  g_autofree char *size = g_format_size (len);
  g_autofree char *caption = NULL;

  show_text (self, dump, GTK_WRAP_NONE);
  self->kind = AVFS_DETAIL_PREVIEW_HEX;
  caption = g_strdup_printf (_("%s The first %s of %s, in hexadecimal."), reason,
                             shown_size, size);
  set_caption (self, caption);
}

/* Returns whether @content decoded as an image; shows it if so. */
static gboolean
show_content_image (AvfsDetailPreview  *self,
                    GBytes             *content,
                    GError            **error)
{
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_bytes (content, error);
  g_autofree char *caption = NULL;

  if (texture == NULL)
    return FALSE;
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->stack, "image");
  self->kind = AVFS_DETAIL_PREVIEW_IMAGE;
  caption = g_strdup_printf (_("%d × %d pixels"), gdk_texture_get_width (texture),
                             gdk_texture_get_height (texture));
  set_caption (self, caption);
  return TRUE;
}

static gboolean
content_type_is_image (const char *content_type)
{
  g_autofree char *mime = g_content_type_get_mime_type (content_type);

  return mime != NULL && g_str_has_prefix (mime, "image/");
}

/**
 * avfs_detail_preview_show_content:
 * @content_type: what g_content_type_guess() makes of the file
 * @content: the file's content (or its first bytes)
 *
 * Shows an image for an image type that decodes, text for content without a NUL byte
 * in its first 8 KiB (the core's rule for text), and a hex dump for anything else.
 */
void
avfs_detail_preview_show_content (AvfsDetailPreview *self,
                                  const char        *content_type,
                                  GBytes            *content)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (content, &len);

  g_return_if_fail (AVFS_IS_DETAIL_PREVIEW (self));
  g_return_if_fail (content_type != NULL);

  gtk_picture_set_paintable (self->picture, NULL);
  if (content_type_is_image (content_type) && len > 0)
    {
      g_autofree char *reason = NULL;

      if (show_content_image (self, content, &error))
        return;
      reason = g_strdup_printf (_("This image could not be decoded (%s)."), error->message);
      show_content_hex (self, data, len, reason);
    }
  else if (!avfs_diff_is_binary (data, len))
    show_content_text (self, data, len);
  else
    show_content_hex (self, data, len, _("Binary file."));
}

/**
 * avfs_detail_preview_show_message:
 * @message: why there is no preview
 *
 * Shows no content, only @message.
 */
void
avfs_detail_preview_show_message (AvfsDetailPreview *self,
                                  const char        *message)
{
  g_return_if_fail (AVFS_IS_DETAIL_PREVIEW (self));

  gtk_picture_set_paintable (self->picture, NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  gtk_label_set_label (self->message_label, message);
  gtk_stack_set_visible_child_name (self->stack, "message");
  set_caption (self, NULL);
  self->kind = AVFS_DETAIL_PREVIEW_NONE;
}

/**
 * avfs_detail_preview_get_kind:
 *
 * Returns: what the preview shows
 */
AvfsDetailPreviewKind
avfs_detail_preview_get_kind (AvfsDetailPreview *self)
{
  g_return_val_if_fail (AVFS_IS_DETAIL_PREVIEW (self), AVFS_DETAIL_PREVIEW_NONE);
  return self->kind;
}

static void
avfs_detail_preview_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), AVFS_TYPE_DETAIL_PREVIEW);
  G_OBJECT_CLASS (avfs_detail_preview_parent_class)->dispose (object);
}

static void
avfs_detail_preview_class_init (AvfsDetailPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = avfs_detail_preview_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/avfs/Avfs/avfs-detail-preview.ui");
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPreview, box);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPreview, stack);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPreview, text_scroller);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPreview, text_view);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPreview, picture);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPreview, message_label);
  gtk_widget_class_bind_template_child (widget_class, AvfsDetailPreview, caption_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
avfs_detail_preview_init (AvfsDetailPreview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * avfs_detail_preview_new:
 *
 * Returns: (transfer floating): a preview showing nothing
 */
GtkWidget *
avfs_detail_preview_new (void)
{
  return g_object_new (AVFS_TYPE_DETAIL_PREVIEW, NULL);
}
