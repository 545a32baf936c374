/* SPDX-License-Identifier: GPL-3.0-or-later */
/* avfs-cli: entry point; for now the program's identity and the engines it was built with. */
#include <stdio.h>
#include <stdlib.h>

#include <json-glib/json-glib.h>

#include "avfs-config.h"
#include "avfs-storage-registry.h"

static gboolean show_version;
static gboolean show_backends;
static gboolean as_json;

static const GOptionEntry entries[] = {
  { "version", 'V', 0, G_OPTION_ARG_NONE, &show_version, "Print the version and exit", NULL },
  { "backends", 0, 0, G_OPTION_ARG_NONE, &show_backends,
    "With --version: list the storage engines and whether this build has them", NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print one JSON document on stdout", NULL },
  { NULL }
};

static void
print_engines_text (void)
{
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  for (guint i = 0; i < n; i++)
    {
      if (engines[i].available)
        printf ("%-8s available   %s\n", engines[i].name, engines[i].best_for);
      else
        printf ("%-8s unavailable %s\n", engines[i].name, engines[i].unavailable_reason);
    }
}

static void
print_version_json (gboolean with_backends)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, AVFS_VERSION);
  if (with_backends)
    {
      json_builder_set_member_name (builder, "backends");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, engines[i].name);
          json_builder_set_member_name (builder, "available");
          json_builder_add_boolean_value (builder, engines[i].available);
          json_builder_set_member_name (builder, "reason");
          if (engines[i].available)
            json_builder_add_null_value (builder);
          else
            json_builder_add_string_value (builder, engines[i].unavailable_reason);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  printf ("%s\n", text);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("COMMAND [ARGS…]");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Keep a whole file tree, with every version, in one vault.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "Error: %s\nTry “%s --help”.\n", error->message, g_get_prgname ());
      return 2;
    }

  if (show_version)
    {
      if (as_json)
        print_version_json (show_backends);
      else
        {
          printf ("avfs %s\n", AVFS_VERSION);
          if (show_backends)
            print_engines_text ();
        }
      return EXIT_SUCCESS;
    }

  if (argc < 2)
    {
      fprintf (stderr, "Error: no command given\nTry “%s --help”.\n", g_get_prgname ());
      return 2;
    }
  fprintf (stderr, "Error: unknown command “%s”\nTry “%s --help”.\n", argv[1], g_get_prgname ());
  return 2;
}
