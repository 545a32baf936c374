/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: any query text, parsed and then run on a small vault of every
 * engine, so each translation (FTS5, Xapian, memory) meets it. A malformed query must
 * be a clean error; nothing may crash. */
#include "avfs-search-query.h"
#include "avfs-storage-registry.h"
#include "avfs-vault-search.h"
#include "avfs-vault-tags.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GPtrArray *vaults;

static AvfsVault *
make_vault (const AvfsEngineInfo *engine,
            const char           *dir)
{
  g_autofree char *path = engine->extension != NULL
                          ? g_strconcat (dir, "/fuzz", engine->extension, NULL) : NULL;
  AvfsVault *vault = avfs_vault_create (engine->name, path, NULL, NULL, NULL);
  static const char *files[][2] = {
    { "/docs/apple.txt", "An apple a day keeps the doctor away. Ünïcödé wörds." },
    { "/docs/pear.md", "pears and plums, \"quoted\" text, prefix prefixes prefixed" },
    { "/notes/todo", "call the plumber -- OR not; path:name: tag:x" },
  };

  g_assert (vault != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    avfs_vault_write (vault, files[i][0], (const guint8 *) files[i][1], strlen (files[i][1]),
                      AVFS_WRITE_PARENTS, NULL);
  avfs_vault_tag_add (vault, "/docs/apple.txt", "fruit", NULL);
  return vault;
}

static void
set_up (void)
{
  g_autofree char *dir = g_dir_make_tmp ("avfs-fuzz-XXXXXX", NULL);
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  vaults = g_ptr_array_new ();
  for (guint e = 0; e < n; e++)
    if (engines[e].available)
      g_ptr_array_add (vaults, make_vault (&engines[e], dir));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(AvfsSearchQuery) query = NULL;
  g_autofree char *shown = NULL;
  AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;

  if (vaults == NULL)
    set_up ();
  query = avfs_search_query_parse (text, NULL);
  if (query != NULL)
    shown = avfs_search_query_to_string (query);
  for (guint i = 0; i < vaults->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsSearchResults) results = avfs_vault_search (g_ptr_array_index (vaults, i),
                                                                text, &options, &error);

      /* The engines take exactly the queries the parser takes. */
      g_assert ((results != NULL) == (query != NULL));
      g_assert (results != NULL || error->domain == AVFS_ERROR);
    }
  return 0;
}
