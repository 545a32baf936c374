/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli's entry point. */
#include <locale.h>

#include "avfs-cli.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_set_prgname ("avfs-cli");
  return avfs_cli_main (argc, argv);
}
