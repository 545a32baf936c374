/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Snippets and marks, made the same way for every engine from a hit's text and the query. */
#include <string.h>

#include "avfs-search-private.h"

/* Bytes of context kept before the first match of a snippet. */
#define SNIPPET_CONTEXT 40
/* A snippet's matches come from at most this much of a file's text… */
#define SNIPPET_SCAN_BYTES (4u * 1024 * 1024)
/* …and at most this many matches: enough to choose a good window. */
#define SNIPPET_MAX_MATCHES 1024

/* A word or phrase of the query, looked for in the text. */
typedef struct
{
  const AvfsSearchNode *node;
  AvfsSearchField fields;
  guint id;
} Pattern;

typedef struct
{
  gsize start;
  gsize end;
  guint pattern;
} Match;

typedef struct
{
  char folded[AVFS_SEARCH_MAX_TOKEN_BYTES + 1];
  gsize start;
} Recent;

typedef struct
{
  GArray *patterns;  /* Pattern */
  guint n_wanted;    /* patterns that apply to this text */
  guint64 all_mask;  /* their ids, as bits */
  AvfsSearchField field;
  gsize name_offset; /* for a path: where the name starts */
  gboolean stop_when_complete;
  Recent *recent;    /* the last max_tokens tokens, a ring */
  guint max_tokens;
  guint n_seen;
  GArray *matches;   /* Match */
} Matcher;

/**
 * avfs_search_name_from_path:
 * @path: a vault path
 *
 * Returns: (transfer full): its last component (the whole @path if it has no `/`)
 */
char *
avfs_search_name_from_path (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    return g_strdup (path);
  if (slash[1] == '\0' && slash != path)
    {
      /* "/dir/" names "dir". */
      const char *end = slash;
      const char *start = end;

      while (start > path && start[-1] != '/')
        start--;
      return g_strndup (start, end - start);
    }
  return g_strdup (slash + 1);
}

/**
 * avfs_search_node_fields:
 * @node: a WORDS node
 * @options: resolved search options
 *
 * Returns: where @node looks: its own field, or the search's fields when it has none
 */
AvfsSearchField
avfs_search_node_fields (const AvfsSearchNode    *node,
                         const AvfsSearchOptions *options)
{
  return node->field != 0 ? node->field : options->fields;
}

static void
collect_patterns (const AvfsSearchNode    *node,
                  const AvfsSearchOptions *options,
                  GArray                  *patterns)
{
  if (node->kind == AVFS_SEARCH_NODE_WORDS)
    {
      Pattern pattern = { node, avfs_search_node_fields (node, options), patterns->len };
      g_array_append_val (patterns, pattern);
      return;
    }
  /* Excluded words never match a hit, so only children can be marked. */
  for (guint i = 0; node->children != NULL && i < node->children->len; i++)
    collect_patterns (g_ptr_array_index (node->children, i), options, patterns);
}

static gboolean
pattern_applies (const Pattern *pattern,
                 AvfsSearchField field)
{
  if (field == AVFS_SEARCH_FIELD_PATH)
    return (pattern->fields & (AVFS_SEARCH_FIELD_PATH | AVFS_SEARCH_FIELD_NAME)) != 0;
  return (pattern->fields & field) != 0;
}

static void
matcher_init (Matcher         *matcher,
              GArray          *patterns,
              AvfsSearchField  field)
{
  memset (matcher, 0, sizeof *matcher);
  matcher->patterns = patterns;
  matcher->field = field;
  matcher->max_tokens = 1;
  for (guint i = 0; i < patterns->len; i++)
    {
      const Pattern *pattern = &g_array_index (patterns, Pattern, i);

      if (!pattern_applies (pattern, field))
        continue;
      matcher->n_wanted++;
      matcher->all_mask |= G_GUINT64_CONSTANT (1) << (pattern->id % 64);
      matcher->max_tokens = MAX (matcher->max_tokens, pattern->node->n_tokens);
    }
  matcher->recent = g_new0 (Recent, matcher->max_tokens);
  matcher->matches = g_array_new (FALSE, FALSE, sizeof (Match));
}

static void
matcher_clear (Matcher *matcher)
{
  g_free (matcher->recent);
  g_array_unref (matcher->matches);
}

static const Recent *
recent_at (Matcher *matcher,
           guint    back)
{
  return &matcher->recent[(matcher->n_seen - 1 - back) % matcher->max_tokens];
}

/* Whether @pattern ends at the token just pushed. */
static gboolean
pattern_ends_here (Matcher       *matcher,
                   const Pattern *pattern)
{
  const AvfsSearchNode *node = pattern->node;

  if (node->n_tokens > matcher->n_seen)
    return FALSE;
  for (guint k = 0; k < node->n_tokens; k++)
    {
      const char *want = node->tokens[node->n_tokens - 1 - k];
      const char *have = recent_at (matcher, k)->folded;

      if (k == 0 && node->prefix ? !g_str_has_prefix (have, want) : strcmp (have, want) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Whether the matches ending with the newest one show every pattern within a snippet. */
static gboolean
window_complete (Matcher *matcher)
{
  const Match *last = &g_array_index (matcher->matches, Match, matcher->matches->len - 1);
  guint64 mask = 0;

  for (guint i = matcher->matches->len; i > 0; i--)
    {
      const Match *match = &g_array_index (matcher->matches, Match, i - 1);

      if (last->end - match->start > AVFS_SEARCH_SNIPPET_BYTES)
        break;
      mask |= G_GUINT64_CONSTANT (1) << (match->pattern % 64);
    }
  return mask == matcher->all_mask;
}

static gboolean
match_token_cb (const AvfsSearchToken *token,
                gpointer               user_data)
{
  Matcher *matcher = user_data;
  Recent *slot = &matcher->recent[matcher->n_seen % matcher->max_tokens];
  gboolean found = FALSE;

  memcpy (slot->folded, token->folded, token->folded_len);
  slot->folded[token->folded_len] = '\0';
  slot->start = token->start;
  matcher->n_seen++;
  for (guint i = 0; i < matcher->patterns->len; i++)
    {
      const Pattern *pattern = &g_array_index (matcher->patterns, Pattern, i);
      Match match;

      if (!pattern_applies (pattern, matcher->field) || !pattern_ends_here (matcher, pattern))
        continue;
      match.start = recent_at (matcher, pattern->node->n_tokens - 1)->start;
      match.end = token->end;
      match.pattern = pattern->id;
      /* In a path, name: words count only inside the name. */
      if (matcher->field == AVFS_SEARCH_FIELD_PATH &&
          (pattern->fields & AVFS_SEARCH_FIELD_PATH) == 0 && match.start < matcher->name_offset)
        continue;
      g_array_append_val (matcher->matches, match);
      found = TRUE;
    }
  if (!matcher->stop_when_complete)
    return TRUE;
  if (matcher->matches->len >= SNIPPET_MAX_MATCHES || token->end >= SNIPPET_SCAN_BYTES)
    return FALSE;
  return !(found && window_complete (matcher));
}

static guint
count_bits (guint64 mask)
{
  guint n = 0;

  for (; mask != 0; mask &= mask - 1)
    n++;
  return n;
}

/* Best window: the most distinct patterns, then the most matches, then the earliest. */
static guint
best_window (GArray *matches)
{
  guint best = 0;
  guint best_score = 0;

  for (guint i = 0; i < matches->len; i++)
    {
      const Match *first = &g_array_index (matches, Match, i);
      guint64 mask = 0;
      guint count = 0;
      guint score;

      for (guint j = i; j < matches->len; j++)
        {
          const Match *match = &g_array_index (matches, Match, j);

          if (match->end - first->start > AVFS_SEARCH_SNIPPET_BYTES)
            break;
          mask |= G_GUINT64_CONSTANT (1) << (match->pattern % 64);
          count++;
        }
      score = count_bits (mask) * 4096 + MIN (count, 4095);
      if (score > best_score)
        {
          best = i;
          best_score = score;
        }
    }
  return best;
}

static gboolean
is_blank (gunichar c)
{
  /* Control characters (terminal escapes) and bidirectional overrides must not reach a
   * terminal or a label; they read as spaces. */
  return g_unichar_isspace (c) || g_unichar_iscntrl (c) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0x2028 || c == 0x2029;
}

typedef struct
{
  GString *out;
  gsize floor;    /* output before this (the leading …) never takes a space after it */
  gboolean space; /* a blank is pending */
} Writer;

static void
writer_append (Writer     *writer,
               const char *text,
               gsize       from,
               gsize       to)
{
  const char *p = text + from;
  const char *end = text + to;

  while (p < end)
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if (is_blank (c))
        writer->space = TRUE;
      else
        {
          if (writer->space && writer->out->len > writer->floor)
            g_string_append_c (writer->out, ' ');
          writer->space = FALSE;
          g_string_append_len (writer->out, p, next - p);
        }
      p = next;
    }
}

/* Moves @offset back to the start of the character it is in. */
static gsize
char_start (const char *text,
            gsize       offset)
{
  while (offset > 0 && ((guchar) text[offset] & 0xC0) == 0x80)
    offset--;
  return offset;
}

/* Where the snippet starts: up to SNIPPET_CONTEXT bytes before @first, after a blank. */
static gsize
window_start (const char *text,
              gsize       first)
{
  gsize start = first > SNIPPET_CONTEXT ? first - SNIPPET_CONTEXT : 0;

  if (start == 0)
    return 0;
  for (gsize p = start; p < first; p++)
    if (g_ascii_isspace (text[p]))
      return p + 1;
  return char_start (text, start);
}

/* Where it ends: AVFS_SEARCH_SNIPPET_BYTES on, back to a blank if a word would be cut. */
static gsize
window_end (const char *text,
            gsize       len,
            gsize       start,
            gsize       last_match_end)
{
  gsize end = MAX (start + AVFS_SEARCH_SNIPPET_BYTES, last_match_end);

  if (end >= len)
    return len;
  end = MAX (char_start (text, end), last_match_end);
  for (gsize p = end; p > last_match_end; p--)
    if (g_ascii_isspace (text[p - 1]))
      return p - 1;
  return end;
}

static void
merge_mark (GArray *marks,
            guint   start,
            guint   end)
{
  AvfsSearchMark mark = { start, end };

  if (marks->len > 0)
    {
      AvfsSearchMark *last = &g_array_index (marks, AvfsSearchMark, marks->len - 1);

      if (start <= last->end)
        {
          last->end = MAX (last->end, end);
          return;
        }
    }
  g_array_append_val (marks, mark);
}

static int
match_compare (gconstpointer a,
               gconstpointer b)
{
  const Match *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->end < y->end ? 1 : x->end > y->end ? -1 : 0;
}

/* The stretch [*start, *end) of @text the snippet shows: the best window of @matches
 * with some context before it, or the start of the text when nothing matched. */
static void
choose_window (const char *text,
               gsize       len,
               GArray     *matches,
               gsize      *start,
               gsize      *end)
{
  gsize last_end = 0;

  *start = 0;
  if (matches->len > 0)
    {
      guint first = best_window (matches);
      gsize first_start = g_array_index (matches, Match, first).start;

      for (guint j = first; j < matches->len; j++)
        {
          const Match *match = &g_array_index (matches, Match, j);

          if (match->end - first_start > AVFS_SEARCH_SNIPPET_BYTES)
            break;
          last_end = MAX (last_end, match->end);
        }
      *start = window_start (text, first_start);
    }
  *end = window_end (text, len, *start, last_end);
}

static void
make_snippet (AvfsSearchHit *hit,
              const char    *text,
              gsize          len,
              GArray        *matches)
{
  Writer writer = { g_string_new (NULL), 0, FALSE };
  gsize start, end, done;

  hit->marks = g_array_new (FALSE, FALSE, sizeof (AvfsSearchMark));
  choose_window (text, len, matches, &start, &end);
  if (start > 0)
    g_string_append (writer.out, "…");
  writer.floor = writer.out->len;
  done = start;
  g_array_sort (matches, match_compare);
  for (guint j = 0; j < matches->len; j++)
    {
      const Match *match = &g_array_index (matches, Match, j);
      guint mark_start;

      if (match->start < MAX (start, done) || match->end > end)
        {
          /* Inside an earlier mark (a word within a marked phrase): widen that mark. */
          if (match->start >= start && match->start < done &&
              match->end <= end && match->end > done)
            {
              writer_append (&writer, text, done, match->end);
              g_array_index (hit->marks, AvfsSearchMark, hit->marks->len - 1).end = writer.out->len;
              done = match->end;
            }
          continue;
        }
      writer_append (&writer, text, done, match->start);
      if (writer.space && writer.out->len > writer.floor)
        g_string_append_c (writer.out, ' ');
      writer.space = FALSE;
      mark_start = writer.out->len;
      writer_append (&writer, text, match->start, match->end);
      merge_mark (hit->marks, mark_start, writer.out->len);
      done = match->end;
    }
  writer_append (&writer, text, done, end);
  if (end < len)
    g_string_append (writer.out, "…");
  hit->snippet = g_string_free (writer.out, FALSE);
}

static void
mark_path (AvfsSearchHit *hit,
           GArray        *patterns)
{
  g_autofree char *name = avfs_search_name_from_path (hit->path);
  const char *name_at = g_strrstr (hit->path, name);
  Matcher matcher;

  matcher_init (&matcher, patterns, AVFS_SEARCH_FIELD_PATH);
  matcher.name_offset = name_at != NULL ? (gsize) (name_at - hit->path) : 0;
  if (matcher.n_wanted > 0)
    avfs_search_tokenize (hit->path, strlen (hit->path), match_token_cb, &matcher);
  hit->path_marks = g_array_new (FALSE, FALSE, sizeof (AvfsSearchMark));
  g_array_sort (matcher.matches, match_compare);
  for (guint i = 0; i < matcher.matches->len; i++)
    {
      const Match *match = &g_array_index (matcher.matches, Match, i);
      merge_mark (hit->path_marks, match->start, match->end);
    }
  matcher_clear (&matcher);
}

/**
 * avfs_search_hit_highlight:
 * @hit: a hit without snippet
 * @query: the query it matched
 * @options: the search's resolved options
 * @content: (nullable): the hit's text as indexed; %NULL for a binary file
 * @content_len: its length, or -1 if it is NUL-terminated
 *
 * Sets @hit's snippet, marks and path marks. The snippet is the stretch of
 * %AVFS_SEARCH_SNIPPET_BYTES that shows the most different query words (then the most
 * matches, then the earliest), or the start of the text when only the path matched.
 * Every engine calls this, so the same text and query give the same snippet everywhere.
 */
void
avfs_search_hit_highlight (AvfsSearchHit           *hit,
                           const AvfsSearchQuery   *query,
                           const AvfsSearchOptions *options,
                           const char              *content,
                           gssize                   content_len)
{
  g_autoptr(GArray) patterns = g_array_new (FALSE, FALSE, sizeof (Pattern));
  Matcher matcher;
  gsize len;

  collect_patterns (avfs_search_query_get_root (query), options, patterns);
  mark_path (hit, patterns);
  if (content == NULL)
    return;
  len = content_len < 0 ? strlen (content) : (gsize) content_len;
  matcher_init (&matcher, patterns, AVFS_SEARCH_FIELD_CONTENT);
  matcher.stop_when_complete = TRUE;
  if (matcher.n_wanted > 0)
    avfs_search_tokenize (content, len, match_token_cb, &matcher);
  make_snippet (hit, content, len, matcher.matches);
  matcher_clear (&matcher);
}
