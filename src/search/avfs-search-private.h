/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the search engines inside src/search only. */
#pragma once

#include "avfs-search-index.h"
#include "avfs-search-tokenizer.h"

G_BEGIN_DECLS

char            *avfs_search_name_from_path (const char              *path);
AvfsSearchField  avfs_search_node_fields    (const AvfsSearchNode    *node,
                                             const AvfsSearchOptions *options);

G_END_DECLS
