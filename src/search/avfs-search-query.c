/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search query parser: text → AvfsSearchNode tree, or an error naming problem and place. */
#include <string.h>

#include "avfs-error.h"
#include "avfs-search-query.h"
#include "avfs-search-tokenizer.h"

struct _AvfsSearchQuery
{
  char *text;
  AvfsSearchNode *root;
};

/* A parsed operand: a node (NULL when it was only punctuation, which is dropped) and
 * whether it was excluded (`-x`, `NOT x`). */
typedef struct
{
  AvfsSearchNode *node;
  gboolean excluded;
  const char *start;
} Item;

typedef struct
{
  const char *text;
  const char *p;
  const char *end;
  guint depth;
  guint n_words;
  GError **error;
} Parser;

static AvfsSearchNode *parse_sequence (Parser     *parser,
                                       const char *open);

/* Nodes. */

static void
node_free (AvfsSearchNode *node)
{
  if (node == NULL)
    return;
  g_free (node->text);
  g_strfreev (node->tokens);
  g_free (node->tag);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->excluded, g_ptr_array_unref);
  g_free (node);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsSearchNode, node_free)

static AvfsSearchNode *
node_new (AvfsSearchNodeKind kind,
          guint              position)
{
  AvfsSearchNode *node = g_new0 (AvfsSearchNode, 1);

  node->kind = kind;
  node->position = position;
  if (kind == AVFS_SEARCH_NODE_AND || kind == AVFS_SEARCH_NODE_OR)
    node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  if (kind == AVFS_SEARCH_NODE_AND)
    node->excluded = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  return node;
}

/* Moves @child into @parent, merging a child of the same kind into it ((a b) c = a b c). */
static void
node_adopt (AvfsSearchNode *parent,
            AvfsSearchNode *child)
{
  if (child->kind != parent->kind)
    {
      g_ptr_array_add (parent->children, child);
      return;
    }
  g_ptr_array_extend_and_steal (parent->children, g_steal_pointer (&child->children));
  if (child->excluded != NULL)
    g_ptr_array_extend_and_steal (parent->excluded, g_steal_pointer (&child->excluded));
  node_free (child);
}

/* Errors: every message names the problem, where it is and what to do. */

static guint
char_position (Parser     *parser,
               const char *at)
{
  return g_utf8_pointer_to_offset (parser->text, at) + 1;
}

G_GNUC_PRINTF (3, 4)
static gpointer
fail (Parser     *parser,
      const char *at,
      const char *format,
      ...)
{
  g_autofree char *problem = NULL;
  va_list args;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);
  if (parser->error != NULL && *parser->error == NULL)
    g_set_error (parser->error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                 "Invalid search query at position %u: %s", char_position (parser, at), problem);
  return NULL;
}

/* Lexing. */

static gunichar
peek (Parser *parser)
{
  return parser->p < parser->end ? g_utf8_get_char (parser->p) : 0;
}

static gboolean
is_space (gunichar c)
{
  return c != 0 && g_unichar_isspace (c);
}

static void
skip_space (Parser *parser)
{
  while (is_space (peek (parser)))
    parser->p = g_utf8_next_char (parser->p);
}

/* Where a bare word stops: space, a parenthesis or a quote. */
static gboolean
ends_word (gunichar c)
{
  return c == 0 || is_space (c) || c == '(' || c == ')' || c == '"';
}

static const char *
word_end (Parser     *parser,
          const char *from)
{
  const char *p = from;

  while (p < parser->end && !ends_word (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  return p;
}

/* OR, AND and NOT are operators only in capitals and standing alone. */
static gboolean
at_keyword (Parser     *parser,
            const char *keyword)
{
  gsize len = strlen (keyword);

  return (gsize) (parser->end - parser->p) >= len &&
         strncmp (parser->p, keyword, len) == 0 &&
         (parser->p + len == parser->end || ends_word (g_utf8_get_char (parser->p + len)));
}

static gboolean
at_operand_end (Parser *parser)
{
  return parser->p >= parser->end || *parser->p == ')' ||
         at_keyword (parser, "OR") || at_keyword (parser, "AND");
}

/* Leaves. */

static gboolean
count_words (Parser     *parser,
             const char *at,
             guint       n)
{
  parser->n_words += n;
  if (parser->n_words <= AVFS_SEARCH_QUERY_MAX_WORDS)
    return TRUE;
  fail (parser, at, "the query has more than %d words; search for fewer",
        AVFS_SEARCH_QUERY_MAX_WORDS);
  return FALSE;
}

/* A word or phrase as typed in [start, end). Returns NULL without an error when it holds
 * no letters or digits at all (a lone `-` or `&` is skipped, as other search tools do). */
static AvfsSearchNode *
words_node_new (Parser          *parser,
                const char      *at,
                const char      *start,
                const char      *end,
                AvfsSearchField  field,
                gboolean         prefix)
{
  g_auto(GStrv) tokens = avfs_search_tokenize_to_strv (start, end - start);
  AvfsSearchNode *node;

  if (tokens[0] == NULL)
    return NULL;
  if (!count_words (parser, at, g_strv_length (tokens)))
    return NULL;
  node = node_new (AVFS_SEARCH_NODE_WORDS, char_position (parser, at));
  node->field = field;
  node->text = g_strndup (start, end - start);
  node->n_tokens = g_strv_length (tokens);
  node->tokens = g_steal_pointer (&tokens);
  node->prefix = prefix;
  return node;
}

static const char *
field_label (AvfsSearchField field)
{
  switch (field)
    {
    case AVFS_SEARCH_FIELD_PATH:
      return "path:";
    case AVFS_SEARCH_FIELD_NAME:
      return "name:";
    case AVFS_SEARCH_FIELD_TAG:
      return "tag:";
    default:
      return "";
    }
}

/* "…" at parser->p, with an optional `*` after it. Sets @node NULL with an error on failure. */
static gboolean
parse_quoted (Parser      *parser,
              const char **inner_start,
              const char **inner_end,
              gboolean    *prefix)
{
  const char *quote = parser->p;
  const char *close = memchr (quote + 1, '"', parser->end - quote - 1);

  if (close == NULL)
    {
      fail (parser, quote, "the quote is never closed; add a closing \" or remove it");
      return FALSE;
    }
  *inner_start = quote + 1;
  *inner_end = close;
  parser->p = close + 1;
  *prefix = parser->p < parser->end && *parser->p == '*';
  while (parser->p < parser->end && *parser->p == '*')
    parser->p++;
  return TRUE;
}

static AvfsSearchNode *
parse_phrase (Parser          *parser,
              const char      *at,
              AvfsSearchField  field)
{
  const char *start, *end;
  gboolean prefix;
  AvfsSearchNode *node;

  if (!parse_quoted (parser, &start, &end, &prefix))
    return NULL;
  node = words_node_new (parser, at, start, end, field, prefix);
  if (node == NULL && (parser->error == NULL || *parser->error == NULL))
    {
      if (field != 0)
        return fail (parser, at, "%s needs a word or a \"phrase\" with letters or digits",
                     field_label (field));
      return fail (parser, at, "the phrase has no letters or digits to search for");
    }
  return node;
}

/* tag:work or tag:"needs review": a whole tag, never a prefix. */
static AvfsSearchNode *
parse_tag (Parser     *parser,
           const char *at)
{
  const char *start, *end;
  gboolean prefix = FALSE;
  g_autofree char *raw = NULL;
  g_autofree char *stripped = NULL;
  AvfsSearchNode *node;

  if (*parser->p == '"')
    {
      if (!parse_quoted (parser, &start, &end, &prefix))
        return NULL;
    }
  else
    {
      start = parser->p;
      end = parser->p = word_end (parser, start);
      prefix = end > start && end[-1] == '*';
    }
  if (prefix)
    return fail (parser, at, "tag: matches whole tags, so it takes no *; write the full tag");
  raw = g_strndup (start, end - start);
  stripped = g_strstrip (g_strdup (raw));
  if (*stripped == '\0')
    return fail (parser, at, "tag: needs a tag after it, such as tag:work");
  if (!count_words (parser, at, 1))
    return NULL;
  node = node_new (AVFS_SEARCH_NODE_TAG, char_position (parser, at));
  node->tag = avfs_search_fold_tag (stripped);
  node->text = g_steal_pointer (&stripped);
  return node;
}

/* Recognises `field:` at parser->p. Returns 0 when the word is not a field at all (no
 * colon after the letters, or nothing after the colon: "Note: …" is a word). Fails on a
 * field name we do not know. */
static gboolean
read_field (Parser          *parser,
            AvfsSearchField *field)
{
  static const struct { const char *name; AvfsSearchField field; } fields[] = {
    { "path", AVFS_SEARCH_FIELD_PATH },
    { "name", AVFS_SEARCH_FIELD_NAME },
    { "tag", AVFS_SEARCH_FIELD_TAG },
  };
  const char *p = parser->p;
  const char *colon;
  gsize len;

  *field = 0;
  while (p < parser->end && g_ascii_isalpha (*p))
    p++;
  if (p == parser->p || p >= parser->end || *p != ':')
    return TRUE;
  colon = p;
  len = colon - parser->p;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strlen (fields[i].name) == len && g_ascii_strncasecmp (parser->p, fields[i].name, len) == 0)
      *field = fields[i].field;
  if (*field != 0)
    {
      if (colon + 1 >= parser->end || is_space (g_utf8_get_char (colon + 1)) ||
          colon[1] == '(' || colon[1] == ')')
        {
          fail (parser, parser->p, "%s needs a word or a \"phrase\" right after the colon",
                field_label (*field));
          return FALSE;
        }
      parser->p = colon + 1;
      return TRUE;
    }
  if (colon + 1 < parser->end && !ends_word (g_utf8_get_char (colon + 1)))
    {
      fail (parser, parser->p,
            "“%.*s:” is not a field; use path:, name: or tag:, or put the text in quotes",
            (int) len, parser->p);
      return FALSE;
    }
  return TRUE;
}

static AvfsSearchNode *
parse_word (Parser *parser)
{
  const char *at = parser->p;
  const char *start, *end;
  AvfsSearchField field;
  gboolean prefix;
  AvfsSearchNode *node;

  if (!read_field (parser, &field))
    return NULL;
  if (field == AVFS_SEARCH_FIELD_TAG)
    return parse_tag (parser, at);
  if (*parser->p == '"')
    return parse_phrase (parser, at, field);
  start = parser->p;
  end = parser->p = word_end (parser, start);
  prefix = end > start && end[-1] == '*';
  while (end > start && end[-1] == '*')
    end--;
  node = words_node_new (parser, at, start, end, field, prefix);
  if (node == NULL && field != 0 && (parser->error == NULL || *parser->error == NULL))
    return fail (parser, at, "%s needs a word with letters or digits after it",
                 field_label (field));
  return node;
}

/* Operands and operators. */

static gboolean
failed (Parser *parser)
{
  return parser->error != NULL && *parser->error != NULL;
}

/* ( … ), "…", field:value or a word. A NULL result without an error is a dropped word. */
static AvfsSearchNode *
parse_primary (Parser *parser)
{
  const char *at = parser->p;
  AvfsSearchNode *node;

  if (*parser->p == '(')
    {
      if (parser->depth >= AVFS_SEARCH_QUERY_MAX_DEPTH)
        return fail (parser, at, "parentheses are nested more than %d deep",
                     AVFS_SEARCH_QUERY_MAX_DEPTH);
      parser->depth++;
      parser->p++;
      node = parse_sequence (parser, at);
      parser->depth--;
      return node;
    }
  if (*parser->p == '"')
    return parse_phrase (parser, at, 0);
  return parse_word (parser);
}

/* `-` excludes what follows it directly: a word, a "phrase", a field or a group. Any
 * other `-` is punctuation (a lone `-`, `--`). */
static gboolean
at_exclusion (Parser *parser)
{
  gunichar next;

  if (*parser->p != '-' || parser->p + 1 >= parser->end)
    return FALSE;
  next = g_utf8_get_char (parser->p + 1);
  return next == '"' || next == '(' || avfs_search_is_token_start (next);
}

/* [-|NOT] primary */
static gboolean
parse_unary (Parser *parser,
             Item   *item)
{
  const char *at = parser->p;

  item->start = at;
  item->excluded = FALSE;
  item->node = NULL;
  if (at_keyword (parser, "OR") || at_keyword (parser, "AND"))
    {
      fail (parser, at, "%s needs something to search for on its left",
            at_keyword (parser, "OR") ? "OR" : "AND");
      return FALSE;
    }
  if (at_keyword (parser, "NOT") || at_exclusion (parser))
    {
      item->excluded = TRUE;
      parser->p += *parser->p == '-' ? 1 : 3;
      skip_space (parser);
      if (at_operand_end (parser) || at_keyword (parser, "NOT") || at_exclusion (parser))
        {
          fail (parser, at, "%s needs a word to exclude right after it",
                *at == '-' ? "“-”" : "NOT");
          return FALSE;
        }
    }
  item->node = parse_primary (parser);
  return !failed (parser);
}

static gboolean
check_or_operand (Parser     *parser,
                  Item       *item,
                  const char *or_at)
{
  if (item->excluded)
    {
      fail (parser, item->start, "an exclusion cannot be one side of OR; "
            "write “a -b” to exclude b, or “a OR b” for either");
      return FALSE;
    }
  if (item->node == NULL)
    {
      fail (parser, or_at, "OR needs a word on each side");
      return FALSE;
    }
  return TRUE;
}

/* unary (OR unary)*. On failure nothing parsed is left in @item. */
static gboolean
parse_or (Parser *parser,
          Item   *item)
{
  g_autoptr(AvfsSearchNode) or_node = NULL;

  if (!parse_unary (parser, item))
    return FALSE;
  skip_space (parser);
  while (at_keyword (parser, "OR"))
    {
      const char *or_at = parser->p;
      Item right;

      if (or_node == NULL && !check_or_operand (parser, item, or_at))
        goto failed;
      parser->p += 2;
      skip_space (parser);
      if (at_operand_end (parser))
        {
          fail (parser, or_at, "OR needs a word on each side");
          goto failed;
        }
      if (!parse_unary (parser, &right))
        goto failed;
      if (!check_or_operand (parser, &right, or_at))
        {
          node_free (right.node);
          goto failed;
        }
      if (or_node == NULL)
        {
          or_node = node_new (AVFS_SEARCH_NODE_OR, char_position (parser, item->start));
          node_adopt (or_node, g_steal_pointer (&item->node));
        }
      node_adopt (or_node, right.node);
      skip_space (parser);
    }
  if (or_node != NULL)
    item->node = g_steal_pointer (&or_node);
  return TRUE;

failed:
  g_clear_pointer (&item->node, node_free);
  return FALSE;
}

static AvfsSearchNode *
finish_sequence (Parser         *parser,
                 const char     *open,
                 AvfsSearchNode *and_node,
                 gboolean        had_items)
{
  g_autoptr(AvfsSearchNode) node = and_node;

  if (node->children->len == 0)
    {
      if (node->excluded->len > 0)
        return fail (parser, open != NULL ? open : parser->text,
                     "%s only excludes words; add a word to search for",
                     open != NULL ? "the group" : "the query");
      if (open != NULL)
        return fail (parser, open, "the parentheses hold nothing to search for");
      if (!had_items)
        return fail (parser, parser->text, "the query is empty; type a word to search for");
      return fail (parser, parser->text, "the query has no letters or digits to search for");
    }
  if (node->children->len == 1 && node->excluded->len == 0)
    return g_ptr_array_steal_index (node->children, 0);
  return g_steal_pointer (&node);
}

/* or_expr ([AND] or_expr)* up to the end, or up to the `)` matching @open. */
static AvfsSearchNode *
parse_sequence (Parser     *parser,
                const char *open)
{
  g_autoptr(AvfsSearchNode) and_node = NULL;
  gboolean had_items = FALSE;

  and_node = node_new (AVFS_SEARCH_NODE_AND, char_position (parser, open ? open : parser->p));
  for (;;)
    {
      Item item;

      skip_space (parser);
      if (parser->p >= parser->end)
        {
          if (open != NULL)
            return fail (parser, open, "the parenthesis is never closed; add a )");
          break;
        }
      if (*parser->p == ')')
        {
          if (open == NULL)
            return fail (parser, parser->p, "this ) has no ( before it");
          parser->p++;
          break;
        }
      if (at_keyword (parser, "AND") && had_items)
        {
          const char *and_at = parser->p;

          parser->p += 3;
          skip_space (parser);
          if (at_operand_end (parser))
            return fail (parser, and_at, "AND needs a word on each side");
          continue;
        }
      if (!parse_or (parser, &item))
        return NULL;
      had_items = TRUE;
      if (item.node == NULL)
        continue;
      if (item.excluded)
        g_ptr_array_add (and_node->excluded, item.node);
      else
        node_adopt (and_node, item.node);
    }
  return finish_sequence (parser, open, g_steal_pointer (&and_node), had_items);
}

/**
 * avfs_search_query_parse:
 * @text: a query in the language of docs/search.md
 * @error: return location for an error
 *
 * Parses @text. A malformed query fails with %AVFS_ERROR_INVALID_ARGUMENT and a message
 * that names the problem and its position (in characters, counting from 1).
 *
 * Returns: (transfer full): the query, or %NULL on error
 */
AvfsSearchQuery *
avfs_search_query_parse (const char  *text,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  Parser parser = { 0 };
  AvfsSearchQuery *query;
  AvfsSearchNode *root;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);
  if (len > AVFS_SEARCH_QUERY_MAX_BYTES)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "The search query is longer than %d bytes; search for fewer words",
                   AVFS_SEARCH_QUERY_MAX_BYTES);
      return NULL;
    }
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "The search query is not valid UTF-8 text");
      return NULL;
    }
  parser.text = parser.p = text;
  parser.end = text + len;
  parser.error = &local_error;
  root = parse_sequence (&parser, NULL);
  if (root == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  query = g_new0 (AvfsSearchQuery, 1);
  query->text = g_strdup (text);
  query->root = root;
  return query;
}

/**
 * avfs_search_query_get_root:
 * @self: a query
 *
 * Returns: (transfer none): the tree engines translate
 */
const AvfsSearchNode *
avfs_search_query_get_root (const AvfsSearchQuery *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->root;
}

/**
 * avfs_search_query_get_text:
 * @self: a query
 *
 * Returns: the text the query was parsed from
 */
const char *
avfs_search_query_get_text (const AvfsSearchQuery *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->text;
}

static void
append_node (GString              *out,
             const AvfsSearchNode *node)
{
  switch (node->kind)
    {
    case AVFS_SEARCH_NODE_WORDS:
      {
        g_autofree char *joined = g_strjoinv (" ", node->tokens);

        g_string_append (out, field_label (node->field));
        if (node->n_tokens > 1)
          g_string_append_printf (out, "\"%s\"", joined);
        else
          g_string_append (out, joined);
        if (node->prefix)
          g_string_append_c (out, '*');
        break;
      }
    case AVFS_SEARCH_NODE_TAG:
      g_string_append_printf (out, "tag:\"%s\"", node->tag);
      break;
    case AVFS_SEARCH_NODE_AND:
    case AVFS_SEARCH_NODE_OR:
      g_string_append (out, node->kind == AVFS_SEARCH_NODE_AND ? "(and" : "(or");
      for (guint i = 0; i < node->children->len; i++)
        {
          g_string_append_c (out, ' ');
          append_node (out, g_ptr_array_index (node->children, i));
        }
      for (guint i = 0; node->excluded != NULL && i < node->excluded->len; i++)
        {
          g_string_append (out, " -");
          append_node (out, g_ptr_array_index (node->excluded, i));
        }
      g_string_append_c (out, ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * avfs_search_query_to_string:
 * @self: a query
 *
 * A canonical form for tests and debug output: `(and a "b c" path:d* -e)`,
 * `(or a b)`, `tag:"x"`, with tokens folded.
 *
 * Returns: (transfer full): the tree as text
 */
char *
avfs_search_query_to_string (const AvfsSearchQuery *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);
  append_node (out, self->root);
  return g_string_free (out, FALSE);
}

/**
 * avfs_search_query_free:
 * @self: (transfer full): a query
 */
void
avfs_search_query_free (AvfsSearchQuery *self)
{
  if (self == NULL)
    return;
  node_free (self->root);
  g_free (self->text);
  g_free (self);
}
