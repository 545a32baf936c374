/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unified line diffs: Myers' O(ND) algorithm in linear space, with a cost limit. */
#include <string.h>

#include "avfs-diff.h"

/* A search for the middle of the edit path gives up after this many edits (or about
 * √(N+M), when larger) and splits at the furthest point it reached instead, so very
 * different inputs cost O((N+M)·limit) rather than O((N+M)²), at the price of a diff
 * that may be a little longer than the shortest one. */
#define MIN_COST_LIMIT 256

typedef struct
{
  const guint8 *start;
  gsize len;                /* with its '\n', when it has one */
} Line;

/* The diff of two sequences of line classes (equal lines share a class). */
typedef struct
{
  const guint *a;
  const guint *b;
  guint8 *changed_a;        /* out: lines of a that are deleted */
  guint8 *changed_b;        /* out: lines of b that are inserted */
  gssize limit;
  gssize *forward;          /* per diagonal k at [k + limit + 1]: furthest x from the start */
  gssize *backward;         /* the same from the ends of both sequences */
} Myers;

/* One sub-problem: a[0..n) against b[0..m). */
typedef struct
{
  const guint *a;
  const guint *b;
  gssize n;
  gssize m;
  gssize delta;             /* n - m: the diagonal on which the backward search starts */
  gssize trim[2][2];        /* per direction: diagonals dropped at the low and high end
                             * after they ran off the grid */
} Problem;

enum { FORWARD, BACKWARD };

static guint
line_hash (gconstpointer key)
{
  const Line *line = key;
  guint hash = 5381;

  for (gsize i = 0; i < line->len; i++)
    hash = hash * 33 + line->start[i];
  return hash;
}

static gboolean
line_equal (gconstpointer a,
            gconstpointer b)
{
  const Line *x = a;
  const Line *y = b;

  return x->len == y->len && memcmp (x->start, y->start, x->len) == 0;
}

/* Lines keep their '\n', so a last line without one differs from the same text with
 * one, and "\r\n" endings are compared and shown as they are. */
static GArray *
split_lines (const guint8 *data,
             gsize         len)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  gsize offset = 0;

  while (offset < len)
    {
      const guint8 *start = data + offset;
      const guint8 *newline = memchr (start, '\n', len - offset);
      Line line = { start, newline != NULL ? (gsize) (newline - start) + 1 : len - offset };

      g_array_append_val (lines, line);
      offset += line.len;
    }
  return lines;
}

static guint *
classify (GHashTable *classes,
          GArray     *lines)
{
  guint *ids = g_new (guint, lines->len);

  for (guint i = 0; i < lines->len; i++)
    {
      Line *line = &g_array_index (lines, Line, i);
      gpointer id;

      if (!g_hash_table_lookup_extended (classes, line, NULL, &id))
        {
          id = GUINT_TO_POINTER (g_hash_table_size (classes));
          g_hash_table_insert (classes, line, id);
        }
      ids[i] = GPOINTER_TO_UINT (id);
    }
  return ids;
}

static inline gboolean
same_line (const Problem *p,
           int            direction,
           gssize         x,
           gssize         y)
{
  if (direction == BACKWARD)
    return p->a[p->n - 1 - x] == p->b[p->m - 1 - y];
  return p->a[x] == p->b[y];
}

/* Whether the forward path on diagonal @k has met the backward path on the same
 * diagonal: then the forward point lies on a shortest edit path. */
static gboolean
paths_meet (const Myers   *d,
            const Problem *p,
            gssize         k,
            gssize        *x,
            gssize        *y)
{
  gssize k_back = p->delta - k;
  gssize x_front, x_back;

  if (ABS (k) > d->limit + 1 || ABS (k_back) > d->limit + 1)
    return FALSE;
  x_front = d->forward[k + d->limit + 1];
  x_back = d->backward[k_back + d->limit + 1];
  if (x_front < 0 || x_back < 0 || x_front > p->n || x_front - k > p->m ||
      x_back > p->n || x_back - k_back > p->m || x_front < p->n - x_back)
    return FALSE;
  *x = x_front;
  *y = x_front - k;
  return TRUE;
}

/* Takes every path of one direction one edit further, then along its snake of equal
 * lines. Myers: with an odd delta the paths can first meet in the forward step, with
 * an even one in the backward step. */
static gboolean
advance (const Myers *d,
         Problem     *p,
         int          direction,
         gssize       cost,
         gssize      *split_x,
         gssize      *split_y)
{
  gssize *v = (direction == FORWARD ? d->forward : d->backward) + d->limit + 1;
  gboolean check = (direction == FORWARD) == ((p->delta & 1) != 0);

  for (gssize k = -cost + p->trim[direction][0]; k <= cost - p->trim[direction][1]; k += 2)
    {
      gssize x, y;

      if (k == -cost || (k != cost && v[k - 1] < v[k + 1]))
        x = v[k + 1];
      else
        x = v[k - 1] + 1;
      y = x - k;
      while (x < p->n && y < p->m && same_line (p, direction, x, y))
        x++, y++;
      v[k] = x;
      if (x > p->n)
        p->trim[direction][1] += 2;
      else if (y > p->m)
        p->trim[direction][0] += 2;
      else if (check &&
               paths_meet (d, p, direction == FORWARD ? k : p->delta - k, split_x, split_y))
        return TRUE;
    }
  return FALSE;
}

/* When the search costs too much: the point either direction got furthest to. It is on
 * an edit path, if not a shortest one, and past the start of both directions. */
static void
furthest_point (const Myers   *d,
                const Problem *p,
                gssize         cost,
                gssize        *split_x,
                gssize        *split_y)
{
  gssize best = 0;

  for (int direction = FORWARD; direction <= BACKWARD; direction++)
    {
      const gssize *v = (direction == FORWARD ? d->forward : d->backward) + d->limit + 1;

      for (gssize k = -cost + p->trim[direction][0]; k <= cost - p->trim[direction][1];
           k += 2)
        {
          gssize x = v[k], y = v[k] - k;

          if (x > p->n || y > p->m || x + y <= best)
            continue;
          best = x + y;
          *split_x = direction == FORWARD ? x : p->n - x;
          *split_y = direction == FORWARD ? y : p->m - y;
        }
    }
  g_assert (best > 0);
}

/* Finds where to split a sub-problem whose first lines differ and whose last lines
 * differ: the middle of a shortest edit path, or a good point once that costs too
 * much. */
static void
find_split (const Myers *d,
            Problem     *p,
            gssize      *split_x,
            gssize      *split_y)
{
  for (gssize i = 0; i < 2 * d->limit + 3; i++)
    d->forward[i] = d->backward[i] = -1;
  d->forward[d->limit + 2] = d->backward[d->limit + 2] = 0;
  for (gssize cost = 0; ; cost++)
    {
      if (advance (d, p, FORWARD, cost, split_x, split_y) ||
          advance (d, p, BACKWARD, cost, split_x, split_y))
        return;
      if (cost >= d->limit)
        {
          furthest_point (d, p, cost, split_x, split_y);
          return;
        }
    }
}

/* Marks the lines that differ between a[a_lo..a_hi) and b[b_lo..b_hi). Recurses into
 * the smaller half of each split and loops on the larger, so the stack stays
 * O(log(N+M)) deep. */
static void
compare (Myers  *d,
         gssize  a_lo,
         gssize  a_hi,
         gssize  b_lo,
         gssize  b_hi)
{
  for (;;)
    {
      Problem p;
      gssize x, y;

      while (a_lo < a_hi && b_lo < b_hi && d->a[a_lo] == d->b[b_lo])
        a_lo++, b_lo++;
      while (a_lo < a_hi && b_lo < b_hi && d->a[a_hi - 1] == d->b[b_hi - 1])
        a_hi--, b_hi--;
      if (a_lo == a_hi || b_lo == b_hi)
        {
          memset (d->changed_a + a_lo, 1, a_hi - a_lo);
          memset (d->changed_b + b_lo, 1, b_hi - b_lo);
          return;
        }
      p = (Problem) { d->a + a_lo, d->b + b_lo, a_hi - a_lo, b_hi - b_lo,
                      (a_hi - a_lo) - (b_hi - b_lo), { { 0 } } };
      find_split (d, &p, &x, &y);
      x += a_lo;
      y += b_lo;
      if ((x - a_lo) + (y - b_lo) < (a_hi - x) + (b_hi - y))
        {
          compare (d, a_lo, x, b_lo, y);
          a_lo = x, b_lo = y;
        }
      else
        {
          compare (d, x, a_hi, y, b_hi);
          a_hi = x, b_hi = y;
        }
    }
}

/* ⌊√@total⌋, at least MIN_COST_LIMIT. */
static gssize
cost_limit (gssize total)
{
  gssize root = MIN_COST_LIMIT;

  while ((root + 1) * (root + 1) <= total)
    root++;
  return root;
}

/* A line with no equal in the other input can only be a change: marks it at once and
 * leaves it out of the search, which makes typical large diffs cheap. Moves the other
 * lines' classes to the front of @ids and records where each came from in @index.
 * Returns how many are left. */
static gsize
drop_unmatched (guint        *ids,
                gsize         n,
                const guint8 *in_other,
                guint8       *changed,
                gsize        *index)
{
  gsize kept = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (!in_other[ids[i]])
        {
          changed[i] = 1;
          continue;
        }
      ids[kept] = ids[i];
      index[kept++] = i;
    }
  return kept;
}

/* Sets @changed_a and @changed_b (one byte per line) for the lines that differ. */
static void
diff_lines (GArray *a_lines,
            GArray *b_lines,
            guint8 *changed_a,
            guint8 *changed_b)
{
  g_autoptr(GHashTable) classes = g_hash_table_new (line_hash, line_equal);
  g_autofree guint *a = classify (classes, a_lines);
  g_autofree guint *b = classify (classes, b_lines);
  guint n_classes = g_hash_table_size (classes);
  g_autofree guint8 *in_a = g_malloc0 (n_classes + 1);
  g_autofree guint8 *in_b = g_malloc0 (n_classes + 1);
  g_autofree gsize *a_index = g_new (gsize, a_lines->len + 1);
  g_autofree gsize *b_index = g_new (gsize, b_lines->len + 1);
  g_autofree guint8 *a_changed = NULL;
  g_autofree guint8 *b_changed = NULL;
  g_autofree gssize *forward = NULL;
  g_autofree gssize *backward = NULL;
  gsize n, m;
  Myers d;

  for (guint i = 0; i < a_lines->len; i++)
    in_a[a[i]] = 1;
  for (guint j = 0; j < b_lines->len; j++)
    in_b[b[j]] = 1;
  n = drop_unmatched (a, a_lines->len, in_b, changed_a, a_index);
  m = drop_unmatched (b, b_lines->len, in_a, changed_b, b_index);

  a_changed = g_malloc0 (n + 1);
  b_changed = g_malloc0 (m + 1);
  d = (Myers) { a, b, a_changed, b_changed, cost_limit (n + m) };
  d.forward = forward = g_new (gssize, 2 * d.limit + 3);
  d.backward = backward = g_new (gssize, 2 * d.limit + 3);
  compare (&d, 0, n, 0, m);
  for (gsize i = 0; i < n; i++)
    changed_a[a_index[i]] = a_changed[i];
  for (gsize j = 0; j < m; j++)
    changed_b[b_index[j]] = b_changed[j];
}

/* A run of deleted lines of a and inserted lines of b, between unchanged lines. */
typedef struct
{
  gsize a;
  gsize b;
  gsize deleted;
  gsize inserted;
} Change;

static GArray *
collect_changes (const guint8 *changed_a,
                 gsize         n,
                 const guint8 *changed_b,
                 gsize         m)
{
  GArray *changes = g_array_new (FALSE, FALSE, sizeof (Change));
  gsize i = 0, j = 0;

  while (i < n || j < m)
    {
      Change change = { i, j, 0, 0 };

      if (i < n && j < m && !changed_a[i] && !changed_b[j])
        {
          i++, j++;
          continue;
        }
      for (; i < n && changed_a[i]; i++)
        change.deleted++;
      for (; j < m && changed_b[j]; j++)
        change.inserted++;
      /* Unchanged lines pair up one to one, so each change takes at least a line. */
      g_assert (change.deleted + change.inserted > 0);
      g_array_append_val (changes, change);
    }
  return changes;
}

static void
append_line (GString    *out,
             char        prefix,
             const Line *line)
{
  g_string_append_c (out, prefix);
  g_string_append_len (out, (const char *) line->start, line->len);
  if (line->start[line->len - 1] != '\n')
    g_string_append (out, "\n\\ No newline at end of file\n");
}

/* A range in a hunk header: 1-based first line and count; an empty range names the
 * line before it, and a count of 1 is left out (as in GNU diff). */
static void
append_range (GString *out,
              gsize    start,
              gsize    count)
{
  if (count == 0)
    g_string_append_printf (out, "%" G_GSIZE_FORMAT ",0", start);
  else if (count == 1)
    g_string_append_printf (out, "%" G_GSIZE_FORMAT, start + 1);
  else
    g_string_append_printf (out, "%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT, start + 1, count);
}

/* One hunk: the changes @first to @last, close enough to share their context. */
static void
append_hunk (GString      *out,
             GArray       *a_lines,
             GArray       *b_lines,
             const Change *first,
             const Change *last,
             gsize         context)
{
  gsize lead = MIN (context, first->a);
  gsize a_end = last->a + last->deleted;
  gsize b_end = last->b + last->inserted;
  gsize trail = MIN (context, a_lines->len - a_end);
  gsize pos = first->a - lead;

  g_string_append (out, "@@ -");
  append_range (out, pos, a_end + trail - pos);
  g_string_append (out, " +");
  append_range (out, first->b - lead, b_end + trail - (first->b - lead));
  g_string_append (out, " @@\n");
  for (const Change *change = first; change <= last; change++)
    {
      for (; pos < change->a; pos++)
        append_line (out, ' ', &g_array_index (a_lines, Line, pos));
      for (gsize i = 0; i < change->deleted; i++)
        append_line (out, '-', &g_array_index (a_lines, Line, change->a + i));
      for (gsize i = 0; i < change->inserted; i++)
        append_line (out, '+', &g_array_index (b_lines, Line, change->b + i));
      pos = change->a + change->deleted;
    }
  for (; pos < a_end + trail; pos++)
    append_line (out, ' ', &g_array_index (a_lines, Line, pos));
}

static void
append_hunks (GString *out,
              GArray  *a_lines,
              GArray  *b_lines,
              GArray  *changes,
              gsize    context)
{
  const Change *all = (const Change *) changes->data;

  for (guint first = 0, last; first < changes->len; first = last + 1)
    {
      /* Changes whose contexts would touch or overlap share a hunk. */
      for (last = first; last + 1 < changes->len; last++)
        if (all[last + 1].a - (all[last].a + all[last].deleted) > 2 * context)
          break;
      append_hunk (out, a_lines, b_lines, &all[first], &all[last], context);
    }
}

/**
 * avfs_diff_is_binary:
 * @data: (array length=len): content, or its first %AVFS_DIFF_BINARY_PROBE bytes
 *
 * Returns: whether @data has a NUL byte among its first %AVFS_DIFF_BINARY_PROBE bytes
 */
gboolean
avfs_diff_is_binary (const guint8 *data,
                     gsize         len)
{
  return len > 0 && memchr (data, 0, MIN (len, AVFS_DIFF_BINARY_PROBE)) != NULL;
}

/**
 * avfs_diff_binary_message:
 *
 * Returns: (transfer full): what a diff of two different binary contents says
 */
char *
avfs_diff_binary_message (const char *label_a,
                          const char *label_b)
{
  return g_strdup_printf ("Binary files %s and %s differ\n", label_a, label_b);
}

/**
 * avfs_diff_unified:
 * @a: (array length=a_len): the old content
 * @b: (array length=b_len): the new content
 * @label_a: names @a in the `---` header
 * @label_b: names @b in the `+++` header
 * @context: unchanged lines shown around each change (%AVFS_DIFF_CONTEXT as in diff -u)
 *
 * Compares @a and @b line by line. Memory stays linear in the number of lines; inputs
 * with very many differences get a valid diff that may not be the shortest.
 *
 * Returns: (transfer full): "" when the contents are equal, the binary message when
 *   either is binary (see avfs_diff_is_binary()), else a unified diff
 */
char *
avfs_diff_unified (const guint8 *a,
                   gsize         a_len,
                   const guint8 *b,
                   gsize         b_len,
                   const char   *label_a,
                   const char   *label_b,
                   guint         context)
{
  g_autoptr(GArray) a_lines = NULL;
  g_autoptr(GArray) b_lines = NULL;
  g_autoptr(GArray) changes = NULL;
  g_autofree guint8 *changed_a = NULL;
  g_autofree guint8 *changed_b = NULL;
  GString *out;

  g_return_val_if_fail (a != NULL || a_len == 0, NULL);
  g_return_val_if_fail (b != NULL || b_len == 0, NULL);
  g_return_val_if_fail (label_a != NULL && label_b != NULL, NULL);

  if (a_len == b_len && (a_len == 0 || memcmp (a, b, a_len) == 0))
    return g_strdup ("");
  if (avfs_diff_is_binary (a, a_len) || avfs_diff_is_binary (b, b_len))
    return avfs_diff_binary_message (label_a, label_b);

  a_lines = split_lines (a, a_len);
  b_lines = split_lines (b, b_len);
  changed_a = g_malloc0 (a_lines->len + 1);
  changed_b = g_malloc0 (b_lines->len + 1);
  diff_lines (a_lines, b_lines, changed_a, changed_b);
  changes = collect_changes (changed_a, a_lines->len, changed_b, b_lines->len);

  out = g_string_new (NULL);
  g_string_append_printf (out, "--- %s\n+++ %s\n", label_a, label_b);
  append_hunks (out, a_lines, b_lines, changes, context);
  return g_string_free (out, FALSE);
}
