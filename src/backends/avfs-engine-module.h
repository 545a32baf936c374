/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Engines built as loadable modules, loaded the first time a vault needs them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gpointer avfs_engine_module_symbol (const char  *module,
                                    const char  *symbol,
                                    GError     **error);

G_END_DECLS
