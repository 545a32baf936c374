/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command line as a function, so `avfs COMMAND …` (the app) runs the same code. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     avfs_cli_init_process (void);
int      avfs_cli_main         (int          argc,
                                char       **argv);
gboolean avfs_cli_is_command   (const char  *word);

G_END_DECLS
