/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli's entry point. */
#include "avfs-cli.h"

int
main (int   argc,
      char *argv[])
{
  avfs_cli_init_process ();
  g_set_prgname ("avfs-cli");
  return avfs_cli_main (argc, argv);
}
