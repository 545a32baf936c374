/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchMemory: an in-process inverted index with positions, for memory vaults. */
#pragma once

#include "avfs-search-index.h"

G_BEGIN_DECLS

#define AVFS_TYPE_SEARCH_MEMORY (avfs_search_memory_get_type ())
G_DECLARE_FINAL_TYPE (AvfsSearchMemory, avfs_search_memory, AVFS, SEARCH_MEMORY, GObject)

AvfsSearchIndex *avfs_search_memory_new (void);

G_END_DECLS
