/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsPreferencesWindow: edits config.toml — the default engine and each engine's options. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AVFS_TYPE_PREFERENCES_WINDOW (avfs_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (AvfsPreferencesWindow, avfs_preferences_window, AVFS, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

AvfsPreferencesWindow *avfs_preferences_window_new                (GtkWindow              *parent,
                                                                   const char             *config_path);
gboolean               avfs_preferences_window_is_busy            (AvfsPreferencesWindow  *self);
const char            *avfs_preferences_window_get_problem        (AvfsPreferencesWindow  *self);
gboolean               avfs_preferences_window_set_default_engine (AvfsPreferencesWindow  *self,
                                                                   const char             *engine,
                                                                   GError                **error);
gboolean               avfs_preferences_window_set_option         (AvfsPreferencesWindow  *self,
                                                                   const char             *engine,
                                                                   const char             *key,
                                                                   const char             *value,
                                                                   GError                **error);
AdwComboRow           *avfs_preferences_window_get_engine_row     (AvfsPreferencesWindow  *self);
GtkWidget             *avfs_preferences_window_get_option_row     (AvfsPreferencesWindow  *self,
                                                                   const char             *engine,
                                                                   const char             *key);

G_END_DECLS
