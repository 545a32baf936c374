/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search query language (docs/search.md) parsed into a tree every engine translates. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Limits that keep a pasted or hostile query cheap to parse and to run. */
#define AVFS_SEARCH_QUERY_MAX_BYTES 4096
#define AVFS_SEARCH_QUERY_MAX_WORDS 64
#define AVFS_SEARCH_QUERY_MAX_DEPTH 16

/**
 * AvfsSearchField:
 * @AVFS_SEARCH_FIELD_CONTENT: the text of a file
 * @AVFS_SEARCH_FIELD_PATH: its full path (which includes its name)
 * @AVFS_SEARCH_FIELD_NAME: its name, the last component of the path
 * @AVFS_SEARCH_FIELD_TAG: its tags, each matched whole
 *
 * Where words are looked for. Words without a field look in content, path and name
 * (or in the fields #AvfsSearchOptions names).
 */
typedef enum
{
  AVFS_SEARCH_FIELD_CONTENT = 1 << 0,
  AVFS_SEARCH_FIELD_PATH    = 1 << 1,
  AVFS_SEARCH_FIELD_NAME    = 1 << 2,
  AVFS_SEARCH_FIELD_TAG     = 1 << 3,
} AvfsSearchField;

#define AVFS_SEARCH_FIELDS_TEXT \
  (AVFS_SEARCH_FIELD_CONTENT | AVFS_SEARCH_FIELD_PATH | AVFS_SEARCH_FIELD_NAME)

/**
 * AvfsSearchNodeKind:
 * @AVFS_SEARCH_NODE_WORDS: one word, or a phrase of several in a row
 * @AVFS_SEARCH_NODE_TAG: a whole tag (`tag:`)
 * @AVFS_SEARCH_NODE_AND: all of @children, none of @excluded
 * @AVFS_SEARCH_NODE_OR: any of @children
 */
typedef enum
{
  AVFS_SEARCH_NODE_WORDS,
  AVFS_SEARCH_NODE_TAG,
  AVFS_SEARCH_NODE_AND,
  AVFS_SEARCH_NODE_OR,
} AvfsSearchNodeKind;

typedef struct _AvfsSearchNode AvfsSearchNode;

/**
 * AvfsSearchNode:
 * @kind: what the node matches
 * @position: where it starts in the query, in characters counting from 1
 * @field: for WORDS, the one field it is limited to (`path:`, `name:`), or 0 when
 *   the word had no field
 * @text: for WORDS, the word or phrase exactly as typed (without quotes and `*`): an
 *   engine that tokenizes queries itself (FTS5) gets this, quoted, and finds @tokens
 * @tokens: for WORDS, the folded tokens (at least one; several make a phrase)
 * @n_tokens: their number
 * @prefix: for WORDS, whether the last token is a prefix (`word*`)
 * @tag: for TAG, the folded tag
 * @children: for AND and OR, the nodes that must (AND) or may (OR) match; never empty
 * @excluded: for AND, nodes that must not match (possibly empty)
 *
 * Invariants the parser guarantees: an AND has at least one child besides its
 * exclusions, OR children are never exclusions, AND/OR nodes have at least two
 * members (single ones are collapsed) and WORDS nodes hold at least one token.
 */
struct _AvfsSearchNode
{
  AvfsSearchNodeKind kind;
  guint position;
  AvfsSearchField field;
  char *text;
  char **tokens;
  guint n_tokens;
  gboolean prefix;
  char *tag;
  GPtrArray *children;
  GPtrArray *excluded;
};

typedef struct _AvfsSearchQuery AvfsSearchQuery;

AvfsSearchQuery      *avfs_search_query_parse     (const char            *text,
                                                   GError               **error);
const AvfsSearchNode *avfs_search_query_get_root  (const AvfsSearchQuery *self);
const char           *avfs_search_query_get_text  (const AvfsSearchQuery *self);
char                 *avfs_search_query_to_string (const AvfsSearchQuery *self);
void                  avfs_search_query_free      (AvfsSearchQuery       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSearchQuery, avfs_search_query_free)

G_END_DECLS
