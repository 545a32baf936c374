/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search query language: a table of queries and the tree or the error each gives. */
#include <string.h>

#include "avfs-search-query.h"
#include "avfs-error.h"

typedef struct
{
  const char *query;
  const char *tree;     /* the canonical tree, or NULL for an error */
  guint position;       /* for an error: the position it names (0: none) */
  const char *problem;  /* for an error: a piece of its message */
} Case;

static const Case cases[] = {
  /* Words, case-folded, AND between them. */
  { "fox", "fox" },
  { "Quick BROWN fox", "(and quick brown fox)" },
  { "  fox\t\tdog\n", "(and fox dog)" },
  { "a AND b", "(and a b)" },
  { "or and not", "(and or and not)" },
  { "Straße", "strasse" },
  { "ＦＵＬＬ", "full" },
  { "ﬁne", "fine" },
  { "café", "café" },
  { "cafe\xcc\x81", "café" },
  { "ΑΛΕΠΟΎ", "αλεπού" },
  { "東京", "東京" },
  /* Words split at punctuation become phrases; punctuation alone is skipped. */
  { "foo-bar", "\"foo bar\"" },
  { "snake_case", "\"snake case\"" },
  { "3.14", "\"3 14\"" },
  { "10:30", "\"10 30\"" },
  { "c++ tutorial", "(and c tutorial)" },
  { "a & b", "(and a b)" },
  { "a - b", "(and a b)" },
  { "a -", "a" },
  { "Note: this", "(and note this)" },
  { "*foo", "foo" },
  /* Phrases. */
  { "\"lazy dog\"", "\"lazy dog\"" },
  { "\"Lazy,  DOG!\"", "\"lazy dog\"" },
  { "\"dog\"", "dog" },
  { "x \"a b\" y", "(and x \"a b\" y)" },
  { "foo\"bar baz\"", "(and foo \"bar baz\")" },
  /* Prefixes. */
  { "rep*", "rep*" },
  { "rep**", "rep*" },
  { "foo-ba*", "\"foo ba\"*" },
  { "\"lazy do\"*", "\"lazy do\"*" },
  /* OR binds tighter than the implicit AND. */
  { "a OR b", "(or a b)" },
  { "a OR b OR c", "(or a b c)" },
  { "a b OR c", "(and a (or b c))" },
  { "a b OR c d", "(and a (or b c) d)" },
  { "(a OR b) OR c", "(or a b c)" },
  { "a OR (b c)", "(or a (and b c))" },
  { "(a OR b) c", "(and (or a b) c)" },
  /* Exclusion. */
  { "a -b", "(and a -b)" },
  { "-b a", "(and a -b)" },
  { "a NOT b", "(and a -b)" },
  { "a -\"b c\"", "(and a -\"b c\")" },
  { "a -(b OR c)", "(and a -(or b c))" },
  { "-(a b) c", "(and c -(and a b))" },
  { "a (b -c)", "(and a b -c)" },
  { "a -tag:x", "(and a -tag:\"x\")" },
  { "a -!!!", "a" },
  { "a -é", "(and a -é)" },
  /* Fields. */
  { "path:src", "path:src" },
  { "PATH:src", "path:src" },
  { "path:\"src/core\"", "path:\"src core\"" },
  { "name:report*", "name:report*" },
  { "name:Report-2023", "name:\"report 2023\"" },
  { "tag:Work", "tag:\"work\"" },
  { "tag:\"Needs Review\"", "tag:\"needs review\"" },
  { "tag:to-do", "tag:\"to-do\"" },
  { "(tag:a OR tag:b) x", "(and (or tag:\"a\" tag:\"b\") x)" },
  { "path:notes dog", "(and path:notes dog)" },
  /* Groups collapse. */
  { "(a)", "a" },
  { "((a b))", "(and a b)" },
  { "a (b c)", "(and a b c)" },

  /* Malformed: the problem and where it is. */
  { "", NULL, 1, "empty" },
  { "   ", NULL, 1, "empty" },
  { "!!! ???", NULL, 1, "no letters or digits" },
  { "\"unclosed", NULL, 1, "quote is never closed" },
  { "a \"b", NULL, 3, "quote is never closed" },
  { "ü \"x", NULL, 3, "quote is never closed" },
  { "\"\"", NULL, 1, "phrase has no letters" },
  { "\"!!\"", NULL, 1, "phrase has no letters" },
  { "OR a", NULL, 1, "OR needs" },
  { "a OR", NULL, 3, "OR needs a word on each side" },
  { "a OR OR b", NULL, 3, "OR needs a word on each side" },
  { "a OR )", NULL, 3, "OR needs a word on each side" },
  { "! OR b", NULL, 3, "OR needs a word on each side" },
  { "AND a", NULL, 1, "AND needs" },
  { "a AND", NULL, 3, "AND needs a word on each side" },
  { "a AND OR b", NULL, 3, "AND needs a word on each side" },
  { "a OR -b", NULL, 6, "exclusion cannot be one side of OR" },
  { "-a OR b", NULL, 1, "exclusion cannot be one side of OR" },
  { "-a", NULL, 1, "only excludes" },
  { "-a -b", NULL, 1, "only excludes" },
  { "NOT a", NULL, 1, "only excludes" },
  { "-tag:x", NULL, 1, "only excludes" },
  { "a NOT", NULL, 3, "NOT needs a word" },
  { "a --b", "(and a b)" },
  { "a -- b", "(and a b)" },
  { "a NOT -b", NULL, 3, "needs a word to exclude" },
  { "x (-a)", NULL, 3, "group only excludes" },
  { "x ()", NULL, 3, "parentheses hold nothing" },
  { "a (b", NULL, 3, "parenthesis is never closed" },
  { "a )", NULL, 3, ") has no (" },
  { "a (b))", NULL, 6, ") has no (" },
  { "foo:bar", NULL, 1, "“foo:” is not a field" },
  { "x http://example.org", NULL, 3, "“http:” is not a field" },
  { "path:", NULL, 1, "path: needs a word" },
  { "a path: b", NULL, 3, "path: needs a word" },
  { "name:(x)", NULL, 1, "name: needs a word" },
  { "name:!!!", NULL, 1, "name: needs a word with letters or digits" },
  { "path:\"\"", NULL, 1, "path: needs a word" },
  { "tag:", NULL, 1, "tag: needs a word" },
  { "tag:\"\"", NULL, 1, "tag: needs a tag" },
  { "tag:\"  \"", NULL, 1, "tag: needs a tag" },
  { "tag:wo*", NULL, 1, "tag: matches whole tags" },
  { "a tag:\"x", NULL, 7, "quote is never closed" },
  { "(((((((((((((((((a)))))))))))))))))", NULL, 17, "nested more than" },
};

static void
test_query_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(AvfsSearchQuery) query = avfs_search_query_parse (c->query, &error);

      g_test_message ("query «%s»", c->query);
      if (c->tree != NULL)
        {
          g_autofree char *tree = NULL;

          g_assert_no_error (error);
          g_assert_nonnull (query);
          tree = avfs_search_query_to_string (query);
          g_assert_cmpstr (tree, ==, c->tree);
          g_assert_cmpstr (avfs_search_query_get_text (query), ==, c->query);
        }
      else
        {
          g_autofree char *where = g_strdup_printf ("at position %u:", c->position);

          g_assert_null (query);
          g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
          if (strstr (error->message, c->problem) == NULL ||
              (c->position > 0 && strstr (error->message, where) == NULL))
            g_error ("query «%s»: expected “%s” %s in “%s”", c->query, c->problem, where,
                     error->message);
        }
    }
}

/* Every error speaks our language: no engine syntax, a position, a way out. */
static void
test_query_error_wording (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchQuery) query = avfs_search_query_parse ("report OR", &error);

  g_assert_null (query);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "Invalid search query at position 8: OR needs a word on each side");
}

static void
test_query_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) words = g_string_new (NULL);
  g_autoptr(GString) longest = g_string_new (NULL);
  g_autoptr(AvfsSearchQuery) query = NULL;
  g_autofree char *tree = NULL;

  /* As many words as allowed, then one more. */
  for (guint i = 0; i < AVFS_SEARCH_QUERY_MAX_WORDS; i++)
    g_string_append_printf (words, "w%u ", i);
  query = avfs_search_query_parse (words->str, &error);
  g_assert_no_error (error);
  g_clear_pointer (&query, avfs_search_query_free);
  g_string_append (words, "one-more");
  query = avfs_search_query_parse (words->str, &error);
  g_assert_null (query);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "more than 64 words"));
  g_clear_error (&error);

  /* Sixteen levels of parentheses parse. */
  query = avfs_search_query_parse ("((((((((((((((((a))))))))))))))))", &error);
  g_assert_no_error (error);
  tree = avfs_search_query_to_string (query);
  g_assert_cmpstr (tree, ==, "a");
  g_clear_pointer (&query, avfs_search_query_free);

  /* Too long, and not UTF-8. */
  for (guint i = 0; longest->len <= AVFS_SEARCH_QUERY_MAX_BYTES; i++)
    g_string_append (longest, "a ");
  query = avfs_search_query_parse (longest->str, &error);
  g_assert_null (query);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "longer than"));
  g_clear_error (&error);
  query = avfs_search_query_parse ("caf\xe9", &error);
  g_assert_null (query);
  g_assert_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

/* The tree engines see: kinds, positions, raw text for FTS5, tokens, prefix flags. */
static void
test_query_tree_shape (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchQuery) query = avfs_search_query_parse ("Ünï foo-Ba* -tag:X name:\"a b\"", &error);
  const AvfsSearchNode *root, *node;

  g_assert_no_error (error);
  root = avfs_search_query_get_root (query);
  g_assert_cmpint (root->kind, ==, AVFS_SEARCH_NODE_AND);
  g_assert_cmpuint (root->children->len, ==, 3);
  g_assert_cmpuint (root->excluded->len, ==, 1);

  node = g_ptr_array_index (root->children, 0);
  g_assert_cmpint (node->kind, ==, AVFS_SEARCH_NODE_WORDS);
  g_assert_cmpuint (node->position, ==, 1);
  g_assert_cmpstr (node->text, ==, "Ünï");
  g_assert_cmpuint (node->n_tokens, ==, 1);
  g_assert_cmpstr (node->tokens[0], ==, "ünï");
  g_assert_cmpint (node->field, ==, 0);

  node = g_ptr_array_index (root->children, 1);
  g_assert_cmpuint (node->position, ==, 5);
  g_assert_cmpstr (node->text, ==, "foo-Ba");
  g_assert_cmpuint (node->n_tokens, ==, 2);
  g_assert_cmpstr (node->tokens[1], ==, "ba");
  g_assert_true (node->prefix);

  node = g_ptr_array_index (root->children, 2);
  g_assert_cmpint (node->field, ==, AVFS_SEARCH_FIELD_NAME);
  g_assert_cmpstr (node->text, ==, "a b");
  g_assert_false (node->prefix);

  node = g_ptr_array_index (root->excluded, 0);
  g_assert_cmpint (node->kind, ==, AVFS_SEARCH_NODE_TAG);
  g_assert_cmpuint (node->position, ==, 14);
  g_assert_cmpstr (node->tag, ==, "x");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/search/query/table", test_query_table);
  g_test_add_func ("/search/query/error-wording", test_query_error_wording);
  g_test_add_func ("/search/query/limits", test_query_limits);
  g_test_add_func ("/search/query/tree-shape", test_query_tree_shape);

  return g_test_run ();
}
