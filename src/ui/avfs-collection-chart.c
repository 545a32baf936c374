/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsCollectionChart: one row per collection with its name, a bar for its bytes (in the
 * accent colour) over a thinner one for its keys, and both figures. Drawn with
 * GtkSnapshot in the colours of the current style, so it reads in light and dark. */
#include "avfs-config.h"

#include <glib/gi18n.h>

#include "avfs-collection-chart.h"

#define LEGEND_HEIGHT 28
#define ROW_HEIGHT 36
#define BYTES_BAR_HEIGHT 10
#define KEYS_BAR_HEIGHT 6
#define BAR_GAP 3
#define COLUMN_GAP 12
#define SWATCH_SIZE 10

typedef struct
{
  char *name;
  guint64 keys;
  guint64 bytes;
  char *figures;            /* "1.2 MB · 340 keys" */
} Bar;

struct _AvfsCollectionChart
{
  GtkWidget parent_instance;

  GArray *bars;             /* Bar, in the engine's order (by name) */
  guint64 max_keys;
  guint64 max_bytes;
};

G_DEFINE_FINAL_TYPE (AvfsCollectionChart, avfs_collection_chart, GTK_TYPE_WIDGET)

static void
bar_clear (Bar *bar)
{
  g_free (bar->name);
  g_free (bar->figures);
}

static char *
format_figures (guint64 keys,
                guint64 bytes)
{
  g_autofree char *size = g_format_size (bytes);

  /* Translators: a collection's size and its number of keys, as in "1.2 MB · 340 keys" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %llu key", "%s · %llu keys", keys),
                          size, (unsigned long long) keys);
}

/* What the chart says, for screen readers: every bar in words. */
static void
update_description (AvfsCollectionChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);

      g_string_append_printf (text, "%s%s: %s", i > 0 ? "; " : "", bar->name, bar->figures);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text->str, -1);
}

/* Colours */

static void
get_colors (GtkWidget *widget,
            GdkRGBA   *fg,
            GdkRGBA   *accent)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  gtk_style_context_get_color (context, fg);
  /* libadwaita defines the accent for the light and the dark style alike. */
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", accent))
    gdk_rgba_parse (accent, "#3584e4");
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;
  return result;
}

/* Drawing */

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             float          x,
             float          y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_rounded (GtkSnapshot   *snapshot,
                float          x,
                float          y,
                float          width,
                float          height,
                const GdkRGBA *color)
{
  GskRoundedRect clip;
  graphene_rect_t rect = GRAPHENE_RECT_INIT (x, y, width, height);

  gsk_rounded_rect_init_from_rect (&clip, &rect, height / 2);
  gtk_snapshot_push_rounded_clip (snapshot, &clip);
  gtk_snapshot_append_color (snapshot, color, &rect);
  gtk_snapshot_pop (snapshot);
}

/* A bar of @value out of @max over its track; a value above zero always shows a little. */
static void
append_bar (GtkSnapshot   *snapshot,
            float          x,
            float          y,
            float          width,
            float          height,
            guint64        value,
            guint64        max,
            const GdkRGBA *track,
            const GdkRGBA *color)
{
  float length = max > 0 ? width * ((double) value / max) : 0;

  append_rounded (snapshot, x, y, width, height, track);
  if (value > 0)
    append_rounded (snapshot, x, y, MAX (length, height), height, color);
}

static PangoLayout *
layout_new (GtkWidget  *widget,
            const char *text,
            int        *width,
            int        *height)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);

  pango_layout_get_pixel_size (layout, width, height);
  return layout;
}

static void
append_swatch (GtkSnapshot   *snapshot,
               GtkWidget     *widget,
               float         *x,
               const char    *label,
               const GdkRGBA *swatch,
               const GdkRGBA *fg)
{
  int width, height;
  g_autoptr(PangoLayout) layout = layout_new (widget, label, &width, &height);

  append_rounded (snapshot, *x, (LEGEND_HEIGHT - SWATCH_SIZE) / 2.0 - 4, SWATCH_SIZE, SWATCH_SIZE,
                  swatch);
  append_text (snapshot, layout, *x + SWATCH_SIZE + 6, (LEGEND_HEIGHT - height) / 2.0 - 4, fg);
  *x += SWATCH_SIZE + 6 + width + 2 * COLUMN_GAP;
}

/* The widest name and the widest figures, which set the columns. */
static void
measure_columns (AvfsCollectionChart *self,
                 int                 *name_width,
                 int                 *figures_width)
{
  *name_width = 0;
  *figures_width = 0;
  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      int width;
      g_autoptr(PangoLayout) name = layout_new (GTK_WIDGET (self), bar->name, &width, NULL);
      g_autoptr(PangoLayout) figures = layout_new (GTK_WIDGET (self), bar->figures, NULL, NULL);

      *name_width = MAX (*name_width, width);
      pango_layout_get_pixel_size (figures, &width, NULL);
      *figures_width = MAX (*figures_width, width);
    }
}

static void
append_row (AvfsCollectionChart *self,
            GtkSnapshot         *snapshot,
            const Bar           *bar,
            float                y,
            int                  name_width,
            int                  figures_width,
            const GdkRGBA       *fg,
            const GdkRGBA       *accent)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA track = with_alpha (fg, 0.08f);
  GdkRGBA keys_color = with_alpha (fg, 0.45f);
  GdkRGBA dim = with_alpha (fg, 0.7f);
  float bar_x = name_width + COLUMN_GAP;
  float bar_width = MAX (gtk_widget_get_width (widget) - bar_x - COLUMN_GAP - figures_width, 8);
  float bars_top = y + (ROW_HEIGHT - BYTES_BAR_HEIGHT - BAR_GAP - KEYS_BAR_HEIGHT) / 2.0;
  int width, height;
  g_autoptr(PangoLayout) name = layout_new (widget, bar->name, &width, &height);
  g_autoptr(PangoLayout) figures = NULL;

  append_text (snapshot, name, name_width - width, y + (ROW_HEIGHT - height) / 2.0, fg);
  append_bar (snapshot, bar_x, bars_top, bar_width, BYTES_BAR_HEIGHT, bar->bytes,
              self->max_bytes, &track, accent);
  append_bar (snapshot, bar_x, bars_top + BYTES_BAR_HEIGHT + BAR_GAP, bar_width, KEYS_BAR_HEIGHT,
              bar->keys, self->max_keys, &track, &keys_color);
  figures = layout_new (widget, bar->figures, &width, &height);
  append_text (snapshot, figures, bar_x + bar_width + COLUMN_GAP, y + (ROW_HEIGHT - height) / 2.0,
               &dim);
}

static void
avfs_collection_chart_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  AvfsCollectionChart *self = AVFS_COLLECTION_CHART (widget);
  GdkRGBA fg, accent, keys_color;
  int name_width, figures_width;
  float x;

  if (self->bars->len == 0)
    return;
  get_colors (widget, &fg, &accent);
  keys_color = with_alpha (&fg, 0.45f);
  measure_columns (self, &name_width, &figures_width);

  x = name_width + COLUMN_GAP;
  append_swatch (snapshot, widget, &x, _("Bytes"), &accent, &fg);
  append_swatch (snapshot, widget, &x, _("Keys"), &keys_color, &fg);
  for (guint i = 0; i < self->bars->len; i++)
    append_row (self, snapshot, &g_array_index (self->bars, Bar, i),
                LEGEND_HEIGHT + i * ROW_HEIGHT, name_width, figures_width, &fg, &accent);
}

static void
avfs_collection_chart_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  AvfsCollectionChart *self = AVFS_COLLECTION_CHART (widget);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = self->bars->len > 0 ? LEGEND_HEIGHT + self->bars->len * ROW_HEIGHT : 0;
      return;
    }
  *minimum = 240;
  *natural = 480;
}

static void
avfs_collection_chart_finalize (GObject *object)
{
  AvfsCollectionChart *self = AVFS_COLLECTION_CHART (object);

  g_array_unref (self->bars);
  G_OBJECT_CLASS (avfs_collection_chart_parent_class)->finalize (object);
}

static void
avfs_collection_chart_class_init (AvfsCollectionChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = avfs_collection_chart_finalize;
  widget_class->snapshot = avfs_collection_chart_snapshot;
  widget_class->measure = avfs_collection_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "collectionchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
avfs_collection_chart_init (AvfsCollectionChart *self)
{
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, (GDestroyNotify) bar_clear);
}

/**
 * avfs_collection_chart_new:
 *
 * Returns: (transfer floating): an empty chart
 */
GtkWidget *
avfs_collection_chart_new (void)
{
  return g_object_new (AVFS_TYPE_COLLECTION_CHART, NULL);
}

/**
 * avfs_collection_chart_set_collections:
 * @collections: (element-type AvfsCollectionStats): the figures to chart, copied
 *
 * Shows one bar pair per collection, scaled to the largest keys and bytes.
 */
void
avfs_collection_chart_set_collections (AvfsCollectionChart *self,
                                       GPtrArray           *collections)
{
  g_return_if_fail (AVFS_IS_COLLECTION_CHART (self));
  g_return_if_fail (collections != NULL);

  g_array_set_size (self->bars, 0);
  self->max_keys = self->max_bytes = 0;
  for (guint i = 0; i < collections->len; i++)
    {
      const AvfsCollectionStats *stats = g_ptr_array_index (collections, i);
      Bar bar = { g_strdup (stats->name), stats->keys, stats->bytes,
                  format_figures (stats->keys, stats->bytes) };

      g_array_append_val (self->bars, bar);
      self->max_keys = MAX (self->max_keys, stats->keys);
      self->max_bytes = MAX (self->max_bytes, stats->bytes);
    }
  update_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * avfs_collection_chart_get_n_bars:
 *
 * Returns: how many collections the chart shows
 */
guint
avfs_collection_chart_get_n_bars (AvfsCollectionChart *self)
{
  g_return_val_if_fail (AVFS_IS_COLLECTION_CHART (self), 0);
  return self->bars->len;
}
