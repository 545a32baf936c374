/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Search tokens, text conversion, and the snippets and marks every engine shares. */
#include <string.h>

#include "avfs-search-index.h"
#include "avfs-search-tokenizer.h"

static gboolean
join_cb (const AvfsSearchToken *token,
         gpointer               user_data)
{
  GString *out = user_data;

  if (out->len > 0)
    g_string_append_c (out, '|');
  g_string_append_len (out, token->folded, token->folded_len);
  return TRUE;
}

static char *
tokens_of (const char *text)
{
  GString *out = g_string_new (NULL);

  avfs_search_tokenize (text, strlen (text), join_cb, out);
  return g_string_free (out, FALSE);
}

static void
test_tokenizer_table (void)
{
  static const struct { const char *text; const char *tokens; } cases[] = {
    { "", "" },
    { "  ,.;  ", "" },
    { "Hello, World!", "hello|world" },
    { "The QUICK brown-fox", "the|quick|brown|fox" },
    { "snake_case camelCase", "snake|case|camelcase" },
    { "don't e-mail", "don|t|e|mail" },
    { "3.14 2024-05-01 10:30", "3|14|2024|05|01|10|30" },
    { "Straße STRASSE", "strasse|strasse" },
    { "café CAFÉ", "café|café" },
    { "cafe\xcc\x81", "café" },                 /* decomposed é, marks stay in the word */
    { "ＦＵＬＬ ﬁne ²", "full|fine|2" },         /* NFKC */
    { "Η γρήγορη ΑΛΕΠΟΎ", "η|γρήγορη|αλεπού" },
    { "東京 は 日本", "東京|は|日本" },
    { "नमस्ते दुनिया", "नमस्ते|दुनिया" },          /* Devanagari with vowel signs */
    { "x\x1b[31mred", "x|31mred" },
    { "ab\xff" "cd", "ab|cd" },                 /* invalid bytes separate */
    { "\xcc\x81" "abc", "abc" },                /* a mark cannot start a word */
    { "emoji 🦊 fox", "emoji|fox" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *tokens = tokens_of (cases[i].text);
      g_autofree char *shown = g_strescape (cases[i].text, NULL); /* TAP wants UTF-8 */

      g_test_message ("text «%s»", shown);
      g_assert_cmpstr (tokens, ==, cases[i].tokens);
    }
}

typedef struct
{
  gsize start[8];
  gsize end[8];
  guint position[8];
  guint n;
} Offsets;

static gboolean
offsets_cb (const AvfsSearchToken *token,
            gpointer               user_data)
{
  Offsets *offsets = user_data;

  offsets->start[offsets->n] = token->start;
  offsets->end[offsets->n] = token->end;
  offsets->position[offsets->n] = token->position;
  offsets->n++;
  return offsets->n < 2;
}

static void
test_tokenizer_offsets (void)
{
  const char *text = "Hello, Wörld! and more";
  Offsets offsets = { 0 };

  /* Byte offsets into the original text; returning FALSE stops. */
  avfs_search_tokenize (text, strlen (text), offsets_cb, &offsets);
  g_assert_cmpuint (offsets.n, ==, 2);
  g_assert_cmpuint (offsets.start[0], ==, 0);
  g_assert_cmpuint (offsets.end[0], ==, 5);
  g_assert_cmpuint (offsets.start[1], ==, 7);
  g_assert_cmpuint (offsets.end[1], ==, 13);
  g_assert_cmpuint (offsets.position[1], ==, 1);
}

static void
test_tokenizer_long_tokens (void)
{
  g_autofree char *ascii = g_strnfill (300, 'A');
  g_autoptr(GString) accented = g_string_new (NULL);
  g_auto(GStrv) tokens = NULL;

  tokens = avfs_search_tokenize_to_strv (ascii, -1);
  g_assert_cmpuint (g_strv_length (tokens), ==, 1);
  g_assert_cmpuint (strlen (tokens[0]), ==, AVFS_SEARCH_MAX_TOKEN_BYTES);
  g_assert_true (tokens[0][0] == 'a');
  g_clear_pointer (&tokens, g_strfreev);

  /* 'é' is two bytes: a long word is cut between characters. */
  g_string_append (accented, "x");
  for (guint i = 0; i < 100; i++)
    g_string_append (accented, "é");
  tokens = avfs_search_tokenize_to_strv (accented->str, -1);
  g_assert_cmpuint (g_strv_length (tokens), ==, 1);
  g_assert_cmpuint (strlen (tokens[0]), ==, AVFS_SEARCH_MAX_TOKEN_BYTES - 1);
  g_assert_true (g_utf8_validate (tokens[0], -1, NULL));
}

static void
test_text_from_bytes (void)
{
  g_autofree char *latin1 = avfs_search_text_from_bytes ((const guint8 *) "caf\xe9 cr\xe8me", 10);
  g_autofree char *cp1252 = avfs_search_text_from_bytes ((const guint8 *) "\x93quoted\x94 \x80", 10);
  g_autofree char *mixed = avfs_search_text_from_bytes ((const guint8 *) "\xc3\xa9t\xe9", 4);
  g_autofree char *empty = avfs_search_text_from_bytes ((const guint8 *) "", 0);
  g_autofree char *binary = avfs_search_text_from_bytes ((const guint8 *) "GIF\0\1\2", 6);
  g_autofree guint8 *late_nul = g_malloc (AVFS_SEARCH_TEXT_PROBE_BYTES + 10);
  g_autofree char *late = NULL;

  g_assert_cmpstr (latin1, ==, "café crème");
  g_assert_cmpstr (cp1252, ==, "“quoted” €");
  /* Valid UTF-8 stays; only the stray byte is read as Latin-1. */
  g_assert_cmpstr (mixed, ==, "été");
  g_assert_cmpstr (empty, ==, "");
  g_assert_null (binary);

  memset (late_nul, 'a', AVFS_SEARCH_TEXT_PROBE_BYTES + 10);
  late_nul[AVFS_SEARCH_TEXT_PROBE_BYTES + 2] = '\0';
  late = avfs_search_text_from_bytes (late_nul, AVFS_SEARCH_TEXT_PROBE_BYTES + 10);
  g_assert_nonnull (late);
  g_assert_cmpuint (strlen (late), ==, AVFS_SEARCH_TEXT_PROBE_BYTES + 10);
  g_assert_cmpint (late[AVFS_SEARCH_TEXT_PROBE_BYTES + 2], ==, ' ');
}

static void
test_tags (void)
{
  g_autofree char *folded = avfs_search_fold_tag ("Needs Review");
  g_autofree char *same = avfs_search_fold_tag ("NEEDS REVIEW");
  g_autofree char *token = avfs_search_tag_token (folded);
  g_autofree char *other = avfs_search_tag_token ("needs");
  g_auto(GStrv) tokens = avfs_search_tokenize_to_strv (token, -1);

  g_assert_cmpstr (folded, ==, "needs review");
  g_assert_cmpstr (folded, ==, same);
  g_assert_true (g_str_has_prefix (token, "tag"));
  g_assert_cmpuint (strlen (token), ==, 35);
  g_assert_cmpstr (token, !=, other);
  /* A tag token is one token whatever the tag holds. */
  g_assert_cmpuint (g_strv_length (tokens), ==, 1);
  g_assert_cmpstr (tokens[0], ==, token);
}

/* Snippets and marks. */

/* The marked stretches of @text, joined by |. */
static char *
marked (const char   *text,
        const GArray *marks)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; marks != NULL && i < marks->len; i++)
    {
      const AvfsSearchMark *mark = &g_array_index (marks, AvfsSearchMark, i);

      g_assert_cmpuint (mark->start, <, mark->end);
      g_assert_cmpuint (mark->end, <=, strlen (text));
      if (i > 0)
        {
          g_assert_cmpuint (mark->start, >, g_array_index (marks, AvfsSearchMark, i - 1).end);
          g_string_append_c (out, '|');
        }
      g_string_append_len (out, text + mark->start, mark->end - mark->start);
    }
  return g_string_free (out, FALSE);
}

static AvfsSearchHit *
highlight (const char *query_text,
           const char *path,
           const char *content)
{
  static const AvfsSearchOptions options = AVFS_SEARCH_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(AvfsSearchQuery) query = avfs_search_query_parse (query_text, &error);
  AvfsSearchHit *hit;

  g_assert_no_error (error);
  hit = avfs_search_hit_new (1, path, 1.0);
  avfs_search_hit_highlight (hit, query, &options, content, -1);
  if (hit->snippet != NULL)
    g_assert_true (g_utf8_validate (hit->snippet, -1, NULL));
  return hit;
}

static void
test_snippet_short (void)
{
  const char *fox = "The quick brown fox jumps over the lazy dog.";
  g_autoptr(AvfsSearchHit) words = highlight ("quick dog", "/fox.txt", fox);
  g_autoptr(AvfsSearchHit) phrase = highlight ("\"lazy DOG\"", "/fox.txt", fox);
  g_autoptr(AvfsSearchHit) prefix = highlight ("jum* -dog", "/fox.txt", fox);
  g_autofree char *words_marked = marked (words->snippet, words->marks);
  g_autofree char *phrase_marked = marked (phrase->snippet, phrase->marks);
  g_autofree char *prefix_marked = marked (prefix->snippet, prefix->marks);

  g_assert_cmpstr (words->snippet, ==, fox);
  g_assert_cmpstr (words_marked, ==, "quick|dog");
  /* A phrase is one mark. */
  g_assert_cmpstr (phrase_marked, ==, "lazy dog");
  /* Excluded words are not marked. */
  g_assert_cmpstr (prefix_marked, ==, "jumps");
  g_assert_cmpuint (words->path_marks->len, ==, 0);
}

static void
test_snippet_long (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(AvfsSearchHit) hit = NULL;
  g_autofree char *hit_marked = NULL;

  for (guint i = 0; i < 20000; i++)
    g_string_append (text, "hay stack ");
  g_string_append (text, "the needle is here ");
  for (guint i = 0; i < 20000; i++)
    g_string_append (text, "hay stack ");
  hit = highlight ("needle", "/long.txt", text->str);
  hit_marked = marked (hit->snippet, hit->marks);
  g_assert_cmpstr (hit_marked, ==, "needle");
  g_assert_true (g_str_has_prefix (hit->snippet, "…"));
  g_assert_true (g_str_has_suffix (hit->snippet, "…"));
  g_assert_cmpuint (strlen (hit->snippet), <=, AVFS_SEARCH_SNIPPET_BYTES + 2 * strlen ("…"));
  /* Context before the match, and no word cut at either end. */
  g_assert_nonnull (strstr (hit->snippet, "hay stack the needle is here hay"));
  g_assert_true (g_str_has_prefix (hit->snippet, "…hay ") || g_str_has_prefix (hit->snippet, "…stack "));
  g_assert_true (g_str_has_suffix (hit->snippet, " hay…") || g_str_has_suffix (hit->snippet, " stack…"));
}

/* The window showing the most different query words wins over the earliest match. */
static void
test_snippet_best_window (void)
{
  g_autoptr(GString) text = g_string_new ("alpha comes first. ");
  g_autoptr(AvfsSearchHit) hit = NULL;
  g_autofree char *hit_marked = NULL;

  for (guint i = 0; i < 100; i++)
    g_string_append (text, "filler ");
  g_string_append (text, "then alpha and beta together.");
  hit = highlight ("alpha beta", "/w.txt", text->str);
  hit_marked = marked (hit->snippet, hit->marks);
  g_assert_cmpstr (hit_marked, ==, "alpha|beta");
  g_assert_true (g_str_has_suffix (hit->snippet, "then alpha and beta together."));
}

static void
test_snippet_cleans_text (void)
{
  g_autoptr(AvfsSearchHit) hit = highlight ("fox", "/c.txt",
                                            "a\n\n\t b \x1b[31mred\x1b[0m \xe2\x80\xae evil fox\r\n");
  g_autofree char *hit_marked = marked (hit->snippet, hit->marks);

  /* Whitespace runs, terminal escapes and bidi overrides become single spaces. */
  g_assert_cmpstr (hit->snippet, ==, "a b [31mred [0m evil fox");
  g_assert_cmpstr (hit_marked, ==, "fox");
}

static void
test_snippet_path_only (void)
{
  g_autoptr(AvfsSearchHit) named = highlight ("name:notes", "/notes/notes.txt", "Nothing here.");
  g_autoptr(AvfsSearchHit) pathed = highlight ("path:notes", "/notes/notes.txt", "Nothing here.");
  g_autoptr(AvfsSearchHit) binary = highlight ("photo", "/img/photo.jpg", NULL);
  g_autoptr(AvfsSearchHit) plain = highlight ("photo", "/img/photo.jpg", "a photo");
  g_autofree char *named_marked = marked (named->path, named->path_marks);
  g_autofree char *pathed_marked = marked (pathed->path, pathed->path_marks);
  g_autofree char *binary_marked = marked (binary->path, binary->path_marks);
  g_autofree char *plain_marked = marked (plain->snippet, plain->marks);

  /* name: words count only in the name; path: words anywhere in the path. */
  g_assert_cmpuint (named->path_marks->len, ==, 1);
  g_assert_cmpuint (g_array_index (named->path_marks, AvfsSearchMark, 0).start, ==, 7);
  g_assert_cmpstr (named_marked, ==, "notes");
  g_assert_cmpstr (pathed_marked, ==, "notes|notes");
  /* Only the path matched: the snippet is the start of the text, unmarked. */
  g_assert_cmpstr (named->snippet, ==, "Nothing here.");
  g_assert_cmpuint (named->marks->len, ==, 0);
  /* Binary files have no snippet. */
  g_assert_null (binary->snippet);
  g_assert_null (binary->marks);
  g_assert_cmpstr (binary_marked, ==, "photo");
  g_assert_cmpstr (plain_marked, ==, "photo");
}

static void
test_mark_up (void)
{
  g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (AvfsSearchMark));
  AvfsSearchMark fox = { 8, 11 };
  g_autofree char *markup = NULL;
  g_autofree char *terminal = NULL;
  g_autofree char *none = NULL;

  g_array_append_val (marks, fox);
  markup = avfs_search_mark_up ("a <b> & fox!", marks, "<b>", "</b>", TRUE);
  g_assert_cmpstr (markup, ==, "a &lt;b&gt; &amp; <b>fox</b>!");
  terminal = avfs_search_mark_up ("a <b> & fox!", marks, "\033[1m", "\033[0m", FALSE);
  g_assert_cmpstr (terminal, ==, "a <b> & \033[1mfox\033[0m!");
  none = avfs_search_mark_up ("a <b>", NULL, "[", "]", TRUE);
  g_assert_cmpstr (none, ==, "a &lt;b&gt;");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/search/tokenizer/table", test_tokenizer_table);
  g_test_add_func ("/search/tokenizer/offsets", test_tokenizer_offsets);
  g_test_add_func ("/search/tokenizer/long-tokens", test_tokenizer_long_tokens);
  g_test_add_func ("/search/tokenizer/text-from-bytes", test_text_from_bytes);
  g_test_add_func ("/search/tokenizer/tags", test_tags);
  g_test_add_func ("/search/snippet/short", test_snippet_short);
  g_test_add_func ("/search/snippet/long", test_snippet_long);
  g_test_add_func ("/search/snippet/best-window", test_snippet_best_window);
  g_test_add_func ("/search/snippet/cleans-text", test_snippet_cleans_text);
  g_test_add_func ("/search/snippet/path-only", test_snippet_path_only);
  g_test_add_func ("/search/snippet/mark-up", test_mark_up);

  return g_test_run ();
}
