/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsDetailPreview: a file's content as text, as an image, or as a hex dump. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The preview shows at most this many bytes of text or hex. */
#define AVFS_DETAIL_PREVIEW_TEXT_BYTES (256 * 1024)
/* A hex dump shows this many bytes of a binary file. */
#define AVFS_DETAIL_PREVIEW_HEX_BYTES 1024

/**
 * AvfsDetailPreviewKind:
 * @AVFS_DETAIL_PREVIEW_NONE: nothing shown (a message says why)
 * @AVFS_DETAIL_PREVIEW_TEXT: text in a monospace view
 * @AVFS_DETAIL_PREVIEW_IMAGE: a picture scaled to fit
 * @AVFS_DETAIL_PREVIEW_HEX: a hex dump of the first bytes
 */
typedef enum {
  AVFS_DETAIL_PREVIEW_NONE,
  AVFS_DETAIL_PREVIEW_TEXT,
  AVFS_DETAIL_PREVIEW_IMAGE,
  AVFS_DETAIL_PREVIEW_HEX,
} AvfsDetailPreviewKind;

#define AVFS_TYPE_DETAIL_PREVIEW (avfs_detail_preview_get_type ())
G_DECLARE_FINAL_TYPE (AvfsDetailPreview, avfs_detail_preview, AVFS, DETAIL_PREVIEW, GtkWidget)

GtkWidget             *avfs_detail_preview_new          (void);
void                   avfs_detail_preview_show_content (AvfsDetailPreview *self,
                                                         const char        *content_type,
                                                         GBytes            *content);
void                   avfs_detail_preview_show_message (AvfsDetailPreview *self,
                                                         const char        *message);
AvfsDetailPreviewKind  avfs_detail_preview_get_kind     (AvfsDetailPreview *self);
char                  *avfs_detail_preview_dump_hex     (const guint8      *data,
                                                         gsize              len);

G_END_DECLS
