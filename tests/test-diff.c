/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The line diff: exact unified output for small cases (as GNU diff -u prints them),
 * correctness and minimality on random inputs, and speed on large ones. */
#include <string.h>

#include "avfs-diff.h"

typedef struct
{
  const char *name;
  const char *a;
  const char *b;
  guint context;
  const char *expected;
} Case;

/* Expected outputs are GNU diff's (diff -U N --label a --label b). */
static const Case cases[] = {
  { "identical",
    "x\ny\n",
    "x\ny\n",
    3,
    "" },
  { "empty-to-text",
    "",
    "one\ntwo\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -0,0 +1,2 @@\n"
    "+one\n"
    "+two\n" },
  { "text-to-empty",
    "one\ntwo\n",
    "",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,2 +0,0 @@\n"
    "-one\n"
    "-two\n" },
  { "insert-middle",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
    "1\n2\n3\n4\n5\nnew\n6\n7\n8\n9\n10\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -3,6 +3,7 @@\n"
    " 3\n"
    " 4\n"
    " 5\n"
    "+new\n"
    " 6\n"
    " 7\n"
    " 8\n" },
  { "delete-middle",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
    "1\n2\n3\n4\n6\n7\n8\n9\n10\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -2,7 +2,6 @@\n"
    " 2\n"
    " 3\n"
    " 4\n"
    "-5\n"
    " 6\n"
    " 7\n"
    " 8\n" },
  { "change-middle",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
    "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -2,7 +2,7 @@\n"
    " 2\n"
    " 3\n"
    " 4\n"
    "-5\n"
    "+five\n"
    " 6\n"
    " 7\n"
    " 8\n" },
  { "no-newline-change",
    "a\nb",
    "a\nc",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,2 +1,2 @@\n"
    " a\n"
    "-b\n"
    "\\ No newline at end of file\n"
    "+c\n"
    "\\ No newline at end of file\n" },
  { "no-newline-added",
    "a\nb",
    "a\nb\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,2 +1,2 @@\n"
    " a\n"
    "-b\n"
    "\\ No newline at end of file\n"
    "+b\n" },
  { "no-newline-context",
    "a\nb\nc",
    "A\nb\nc",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,3 +1,3 @@\n"
    "-a\n"
    "+A\n"
    " b\n"
    " c\n"
    "\\ No newline at end of file\n" },
  { "crlf-change",
    "a\r\nb\r\nc\r\n",
    "a\r\nB\r\nc\r\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,3 +1,3 @@\n"
    " a\r\n"
    "-b\r\n"
    "+B\r\n"
    " c\r\n" },
  { "crlf-to-lf",
    "a\r\nb\r\n",
    "a\nb\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,2 +1,2 @@\n"
    "-a\r\n"
    "-b\r\n"
    "+a\n"
    "+b\n" },
  { "two-hunks",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
    "1\n2\nc\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\nq\n18\n19\n20\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,6 +1,6 @@\n"
    " 1\n"
    " 2\n"
    "-3\n"
    "+c\n"
    " 4\n"
    " 5\n"
    " 6\n"
    "@@ -14,7 +14,7 @@\n"
    " 14\n"
    " 15\n"
    " 16\n"
    "-17\n"
    "+q\n"
    " 18\n"
    " 19\n"
    " 20\n" },
  { "gap-of-six",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
    "1\n2\n3\nd\n5\n6\n7\n8\n9\n10\nk\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,14 +1,14 @@\n"
    " 1\n"
    " 2\n"
    " 3\n"
    "-4\n"
    "+d\n"
    " 5\n"
    " 6\n"
    " 7\n"
    " 8\n"
    " 9\n"
    " 10\n"
    "-11\n"
    "+k\n"
    " 12\n"
    " 13\n"
    " 14\n" },
  { "gap-of-seven",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
    "1\n2\n3\nd\n5\n6\n7\n8\n9\n10\n11\nl\n13\n14\n15\n16\n17\n18\n19\n20\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,7 +1,7 @@\n"
    " 1\n"
    " 2\n"
    " 3\n"
    "-4\n"
    "+d\n"
    " 5\n"
    " 6\n"
    " 7\n"
    "@@ -9,7 +9,7 @@\n"
    " 9\n"
    " 10\n"
    " 11\n"
    "-12\n"
    "+l\n"
    " 13\n"
    " 14\n"
    " 15\n" },
  { "context-0",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
    "1\n2\n3\n4\nfive\n6\n7\nnew\n8\n9\n10\n",
    0,
    "--- a\n"
    "+++ b\n"
    "@@ -5 +5 @@\n"
    "-5\n"
    "+five\n"
    "@@ -7,0 +8 @@\n"
    "+new\n" },
  { "context-1",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
    "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
    1,
    "--- a\n"
    "+++ b\n"
    "@@ -4,3 +4,3 @@\n"
    " 4\n"
    "-5\n"
    "+five\n"
    " 6\n" },
  { "start-and-end",
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
    "one\n2\n3\n4\n5\n6\n7\n8\n9\nten\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,4 +1,4 @@\n"
    "-1\n"
    "+one\n"
    " 2\n"
    " 3\n"
    " 4\n"
    "@@ -7,4 +7,4 @@\n"
    " 7\n"
    " 8\n"
    " 9\n"
    "-10\n"
    "+ten\n" },
  { "insert-at-start",
    "b\nc\n",
    "a\nb\nc\n",
    3,
    "--- a\n"
    "+++ b\n"
    "@@ -1,2 +1,3 @@\n"
    "+a\n"
    " b\n"
    " c\n" },
};

static char *
diff_strings (const char *a,
              const char *b,
              guint       context)
{
  return avfs_diff_unified ((const guint8 *) a, strlen (a), (const guint8 *) b, strlen (b),
                            "a", "b", context);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *got = diff_strings (c->a, c->b, c->context);

  g_assert_cmpstr (got, ==, c->expected);
}

static void
test_binary (void)
{
  static const guint8 one[] = { 'a', 0, 'b' };
  static const guint8 two[] = { 'a', 0, 'c' };
  g_autofree guint8 *late_nul = g_malloc (AVFS_DIFF_BINARY_PROBE + 2);
  g_autofree char *differ = NULL;
  g_autofree char *same = NULL;
  g_autofree char *mixed = NULL;
  g_autofree char *text = NULL;

  g_assert_true (avfs_diff_is_binary (one, sizeof one));
  g_assert_false (avfs_diff_is_binary ((const guint8 *) "text\n", 5));
  g_assert_false (avfs_diff_is_binary (NULL, 0));

  differ = avfs_diff_unified (one, sizeof one, two, sizeof two, "a/x@v1", "b/x@v2", 3);
  g_assert_cmpstr (differ, ==, "Binary files a/x@v1 and b/x@v2 differ\n");
  same = avfs_diff_unified (one, sizeof one, one, sizeof one, "a", "b", 3);
  g_assert_cmpstr (same, ==, "");
  mixed = avfs_diff_unified ((const guint8 *) "a\n", 2, one, sizeof one, "a", "b", 3);
  g_assert_cmpstr (mixed, ==, "Binary files a and b differ\n");

  /* A NUL past the probe does not make the content binary. */
  memset (late_nul, 'x', AVFS_DIFF_BINARY_PROBE);
  late_nul[AVFS_DIFF_BINARY_PROBE] = 0;
  late_nul[AVFS_DIFF_BINARY_PROBE + 1] = '\n';
  g_assert_false (avfs_diff_is_binary (late_nul, AVFS_DIFF_BINARY_PROBE + 2));
  text = avfs_diff_unified (late_nul, AVFS_DIFF_BINARY_PROBE + 2, (const guint8 *) "x\n", 2,
                            "a", "b", 3);
  g_assert_true (g_str_has_prefix (text, "--- a\n+++ b\n@@ -1 +1 @@\n-xxx"));
}

/* Lines with their endings, the way the diff sees them. */
static GPtrArray *
split_lines (const char *text)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  while (*text != '\0')
    {
      const char *newline = strchr (text, '\n');
      gsize len = newline != NULL ? (gsize) (newline - text) + 1 : strlen (text);

      g_ptr_array_add (lines, g_strndup (text, len));
      text += len;
    }
  return lines;
}

/* Reads "S" or "S,C" of a hunk header; returns the 0-based index of the range's first
 * line (an empty range names the line before it). */
static gsize
parse_range (const char **p,
             gsize       *count)
{
  char *end;
  gsize start = g_ascii_strtoull (*p, &end, 10);

  *count = 1;
  if (*end == ',')
    *count = g_ascii_strtoull (end + 1, &end, 10);
  *p = end;
  return *count == 0 ? start : start - 1;
}

typedef struct
{
  gsize deleted;
  gsize inserted;
  gsize hunks;
} Applied;

/* Applies @diff to @a, asserting every context and deleted line, every hunk header
 * count, and the "\ No newline" markers; returns the result. */
static char *
apply_diff (const char *a,
            const char *diff,
            Applied    *applied)
{
  g_autoptr(GPtrArray) a_lines = split_lines (a);
  g_autoptr(GPtrArray) d = split_lines (diff);
  g_autoptr(GString) out = g_string_new (NULL);
  gsize pos = 0, i = 2;

  *applied = (Applied) { 0 };
  g_assert_cmpuint (d->len, >=, 3);
  g_assert_cmpstr (g_ptr_array_index (d, 0), ==, "--- a\n");
  g_assert_cmpstr (g_ptr_array_index (d, 1), ==, "+++ b\n");
  while (i < d->len)
    {
      const char *header = g_ptr_array_index (d, i++);
      const char *p = header + 4;
      gsize a_count, b_count, first;

      g_assert_true (g_str_has_prefix (header, "@@ -"));
      first = parse_range (&p, &a_count);
      g_assert_true (g_str_has_prefix (p, " +"));
      p += 2;
      parse_range (&p, &b_count);
      g_assert_cmpstr (p, ==, " @@\n");
      g_assert_cmpuint (first, >=, pos);
      for (; pos < first; pos++)
        g_string_append (out, g_ptr_array_index (a_lines, pos));
      applied->hunks++;
      for (; i < d->len && !g_str_has_prefix (g_ptr_array_index (d, i), "@@"); i++)
        {
          const char *line = g_ptr_array_index (d, i);
          g_autofree char *text = g_strdup (line + 1);
          gboolean no_newline = i + 1 < d->len &&
                                g_str_equal (g_ptr_array_index (d, i + 1),
                                             "\\ No newline at end of file\n");

          if (no_newline)
            text[strlen (text) - 1] = '\0';
          if (line[0] == ' ' || line[0] == '-')
            {
              g_assert_cmpuint (pos, <, a_lines->len);
              g_assert_cmpstr (text, ==, g_ptr_array_index (a_lines, pos));
              pos++;
              g_assert_cmpuint (a_count--, >, 0);
            }
          if (line[0] == ' ' || line[0] == '+')
            {
              g_string_append (out, text);
              g_assert_cmpuint (b_count--, >, 0);
            }
          applied->deleted += line[0] == '-';
          applied->inserted += line[0] == '+';
          g_assert_true (strchr (" -+\\", line[0]) != NULL);
        }
      g_assert_cmpuint (a_count, ==, 0);
      g_assert_cmpuint (b_count, ==, 0);
    }
  for (; pos < a_lines->len; pos++)
    g_string_append (out, g_ptr_array_index (a_lines, pos));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Asserts that the diff of @a and @b turns @a into @b. */
static void
assert_diff_applies (const char *a,
                     const char *b,
                     Applied    *applied)
{
  g_autofree char *diff = diff_strings (a, b, AVFS_DIFF_CONTEXT);
  g_autofree char *result = NULL;

  if (g_str_equal (a, b))
    {
      g_assert_cmpstr (diff, ==, "");
      *applied = (Applied) { 0 };
      return;
    }
  result = apply_diff (a, diff, applied);
  g_assert_cmpstr (result, ==, b);
}

/* The longest common subsequence of two line lists, by dynamic programming. */
static gsize
lcs_length (GPtrArray *a,
            GPtrArray *b)
{
  g_autofree gsize *row = g_new0 (gsize, b->len + 1);

  for (guint i = 0; i < a->len; i++)
    {
      gsize diagonal = 0;

      for (guint j = 0; j < b->len; j++)
        {
          gsize above = row[j + 1];

          if (g_str_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, j)))
            row[j + 1] = diagonal + 1;
          else
            row[j + 1] = MAX (row[j], row[j + 1]);
          diagonal = above;
        }
    }
  return row[b->len];
}

static char *
random_text (GRand *rand)
{
  static const char * const words[] = { "a", "b", "c", "d", "a\r" };
  GString *text = g_string_new (NULL);
  gint n = g_rand_int_range (rand, 0, 25);

  for (gint i = 0; i < n; i++)
    {
      g_string_append (text, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
      if (i + 1 < n || g_rand_boolean (rand))
        g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* On inputs small enough for the exact search, the diff applies and is a shortest one. */
static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint round = 0; round < 500; round++)
    {
      g_autofree char *a = random_text (rand);
      g_autofree char *b = random_text (rand);
      g_autoptr(GPtrArray) a_lines = split_lines (a);
      g_autoptr(GPtrArray) b_lines = split_lines (b);
      gsize common = lcs_length (a_lines, b_lines);
      Applied applied;

      assert_diff_applies (a, b, &applied);
      g_assert_cmpuint (applied.deleted, ==, a_lines->len - common);
      g_assert_cmpuint (applied.inserted, ==, b_lines->len - common);
    }
}

/* @n lines "x I", or "x I mod @period"; every @every-th from the first reads
 * "changed I" instead. */
static char *
numbered_lines (guint n,
                guint period,
                guint every)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (every != 0 && i % every == 0)
        g_string_append_printf (text, "changed %u\n", i);
      else
        g_string_append_printf (text, "x %u\n", period != 0 ? i % period : i);
    }
  return g_string_free (text, FALSE);
}

/* Replaces line @at (0-based) of @text: with @with, or removes it when %NULL; with
 * @insert, adds @with before it instead. */
static char *
edit_line (const char *text,
           guint       at,
           const char *with,
           gboolean    insert)
{
  g_autoptr(GPtrArray) lines = split_lines (text);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      if (i == at && with != NULL)
        g_string_append (out, with);
      if (i != at || insert)
        g_string_append (out, g_ptr_array_index (lines, i));
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *name;
  guint lines;
  guint a_period;         /* see numbered_lines() */
  guint b_period;
  guint b_every;
  gint changed;           /* lines deleted and inserted by a shortest diff, or -1 when
                           * the diff may be longer */
} LargeCase;

static const LargeCase large_cases[] = {
  { "all-different", 20000, 0, 0, 1, 20000 },
  { "every-third-line", 30000, 0, 0, 3, 10000 },
  /* Lines repeat in both, thousands of edits apart: far past the cost limit, so the
   * search settles for heuristic splits. */
  { "repeated-lines", 30000, 97, 89, 0, -1 },
};

/* 20000 lines with three edits far apart: three small hunks, found at once. */
static void
test_large_few_changes (void)
{
  g_autofree char *a = numbered_lines (20000, 0, 0);
  g_autofree char *b1 = edit_line (a, 1000, "changed\n", FALSE);
  g_autofree char *b2 = edit_line (b1, 9000, "inserted\n", TRUE);
  g_autofree char *b = edit_line (b2, 15000, NULL, FALSE);
  Applied applied;

  g_test_timer_start ();
  assert_diff_applies (a, b, &applied);
  g_assert_cmpfloat (g_test_timer_elapsed (), <, 2.0);
  g_assert_cmpuint (applied.hunks, ==, 3);
  g_assert_cmpuint (applied.deleted, ==, 2);
  g_assert_cmpuint (applied.inserted, ==, 2);
}

/* Inputs with very many differences still give a diff that applies, quickly. */
static void
test_large (gconstpointer data)
{
  const LargeCase *c = data;
  g_autofree char *a = numbered_lines (c->lines, c->a_period, 0);
  g_autofree char *b = numbered_lines (c->lines, c->b_period, c->b_every);
  Applied applied;

  g_test_timer_start ();
  assert_diff_applies (a, b, &applied);
  g_assert_cmpfloat (g_test_timer_elapsed (), <, 5.0);
  g_assert_cmpuint (applied.deleted, ==, applied.inserted);
  if (c->changed >= 0)
    g_assert_cmpuint (applied.deleted, ==, c->changed);
  else
    g_assert_cmpuint (applied.deleted, <, c->lines);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/diff/unified/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/diff/binary", test_binary);
  g_test_add_func ("/diff/random", test_random);
  g_test_add_func ("/diff/large/few-changes", test_large_few_changes);
  for (guint i = 0; i < G_N_ELEMENTS (large_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/diff/large/%s", large_cases[i].name);

      g_test_add_data_func (path, &large_cases[i], test_large);
    }
  return g_test_run ();
}
