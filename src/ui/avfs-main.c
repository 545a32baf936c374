/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `avfs` program: a CLI command runs headless, anything else starts the desktop app. */
#include "avfs-config.h"

#include "avfs-application.h"
#include "avfs-cli.h"

/* Uninstalled (run from the build tree), the GSettings schema is the one compiled in
 * the build tree: nothing has installed it yet. */
static void
use_build_tree_schema (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  const char *dirs = g_getenv ("GSETTINGS_SCHEMA_DIR");
  g_autofree char *value = NULL;

  if (dir == NULL || !g_str_equal (dir, AVFS_BUILD_DIR))
    return;
  value = dirs != NULL ? g_strjoin (G_SEARCHPATH_SEPARATOR_S, AVFS_BUILD_SCHEMA_DIR, dirs, NULL)
                       : g_strdup (AVFS_BUILD_SCHEMA_DIR);
  g_setenv ("GSETTINGS_SCHEMA_DIR", value, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AvfsApplication) app = NULL;

  /* The system's language for the commands too; GTK would set the locale only later. */
  avfs_cli_init_process ();

  /* Decided before GTK is touched, so `avfs vault list` needs no display. */
  if (argc > 1 && avfs_cli_is_command (argv[1]))
    return avfs_cli_main (argc, argv);

  use_build_tree_schema ();

  app = avfs_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
