/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli's entry point. */
#include "avfs-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "avfs-cli.h"

int
main (int   argc,
      char *argv[])
{
  /* Messages follow the system language (LANG, LC_MESSAGES, LANGUAGE). */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("avfs-cli");
  return avfs_cli_main (argc, argv);
}
