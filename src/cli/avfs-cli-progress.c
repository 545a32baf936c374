/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A progress bar on stderr for long commands, with rate and ETA; silent when stderr is
 * not a terminal or the output is JSON. */
#include <stdio.h>
#include <unistd.h>

#include "avfs-cli-private.h"

#define BAR_WIDTH 24

struct _AvfsCliProgress
{
  gint64 started;
  gboolean shown;
};

/**
 * avfs_cli_progress_new:
 *
 * Returns: (transfer full) (nullable): a progress bar, or %NULL when none should show
 */
AvfsCliProgress *
avfs_cli_progress_new (AvfsCli *cli)
{
  AvfsCliProgress *progress;

  if (cli->json || !isatty (STDERR_FILENO))
    return NULL;
  progress = g_new0 (AvfsCliProgress, 1);
  progress->started = g_get_monotonic_time ();
  return progress;
}

static char *
format_duration (gdouble seconds)
{
  guint total = (guint) (seconds + 0.5);

  if (total >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", total / 3600, total / 60 % 60, total % 60);
  return g_strdup_printf ("%u:%02u", total / 60, total % 60);
}

/* The bar when the total is known, else a count. */
static char *
format_bar (const AvfsProgress *figures,
            gdouble             elapsed)
{
  guint64 done = figures->bytes_total > 0 ? figures->bytes_done : figures->files_done;
  guint64 total = figures->bytes_total > 0 ? figures->bytes_total : figures->files_total;
  g_autofree char *eta = NULL;
  char bar[BAR_WIDTH + 1];
  gdouble fraction;
  guint filled;

  if (total == 0 && figures->files_done == 0)
    {
      g_autofree char *duration = format_duration (elapsed);

      /* Translators: how long a step whose size nobody knows has run so far */
      return g_strdup_printf (_("%s elapsed"), duration);
    }
  if (total == 0)
    return g_strdup_printf (_("%llu files"), (unsigned long long) figures->files_done);
  fraction = MIN (1.0, (gdouble) done / total);
  filled = (guint) (fraction * BAR_WIDTH);
  memset (bar, '#', filled);
  memset (bar + filled, '-', BAR_WIDTH - filled);
  bar[BAR_WIDTH] = '\0';
  eta = fraction > 0.01 ? format_duration (elapsed / fraction - elapsed) : g_strdup ("?");
  /* Translators: the progress bar, the percentage done, files done/total, time left */
  return g_strdup_printf (_("[%s] %3.0f%%  %llu/%llu files  ETA %s"), bar, fraction * 100,
                          (unsigned long long) figures->files_done,
                          (unsigned long long) figures->files_total, eta);
}

/**
 * avfs_cli_progress_cb:
 * @user_data: an #AvfsCliProgress, or %NULL (then nothing is shown)
 *
 * An #AvfsProgressFunc that redraws one line on stderr.
 */
void
avfs_cli_progress_cb (const AvfsProgress *figures,
                      gpointer            user_data)
{
  AvfsCliProgress *progress = user_data;
  gdouble elapsed;
  g_autofree char *bar = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *rate = NULL;

  if (progress == NULL)
    return;
  elapsed = MAX (0.001, (g_get_monotonic_time () - progress->started) / (gdouble) G_USEC_PER_SEC);
  bar = format_bar (figures, elapsed);
  fprintf (stderr, "\r\033[K%-7s %s", figures->phase != NULL ? figures->phase : "", bar);
  /* A step that counts no bytes (compaction) shows no rate. */
  if (figures->bytes_done > 0 || figures->bytes_total > 0)
    {
      bytes = g_format_size (figures->bytes_done);
      rate = g_format_size ((guint64) (figures->bytes_done / elapsed));
      fprintf (stderr, "  %s  %s/s", bytes, rate);
    }
  progress->shown = TRUE;
}

/* Clears the bar's line so the command's own output starts clean. */
void
avfs_cli_progress_free (AvfsCliProgress *progress)
{
  if (progress == NULL)
    return;
  if (progress->shown)
    fputs ("\r\033[K", stderr);
  g_free (progress);
}
