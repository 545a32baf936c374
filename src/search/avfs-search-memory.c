/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsSearchMemory: an inverted index with positions in process memory, ranked by BM25. */
#include <math.h>
#include <string.h>

#include "avfs-search-memory.h"
#include "avfs-search-private.h"

#define BM25_K1 1.2
#define BM25_B 0.75

/* The fields with words; tags are kept apart, matched whole. */
enum { FIELD_CONTENT, FIELD_PATH, FIELD_NAME, N_FIELDS };

/* One document's occurrences of a term: its positions are
 * term->positions[offset … offset + count). */
typedef struct
{
  guint32 slot;
  guint32 count;
  guint32 offset;
} Entry;

/* A term of one field. Entries are in slot order; a re-indexed document gets a new slot
 * at the end, so appending keeps the order. Entries of removed documents stay until
 * they are half of the term (then the term is compacted), so removal is cheap. */
typedef struct
{
  char *text;
  guint field;
  GArray *entries;   /* Entry */
  GArray *positions; /* guint32 */
  guint n_dead;
} Term;

typedef struct
{
  guint64 doc_id;
  guint32 slot;
  guint32 length; /* tokens in content, path and name: BM25's document length */
  char *path;
  char *name;
  char *content;
  char **tags;      /* folded */
  GPtrArray *terms; /* Term, every term the document holds */
} Doc;

/* Thread safety: @lock is taken shared by searches and reads, exclusively by changes. */
struct _AvfsSearchMemory
{
  GObject parent_instance;

  GRWLock lock;
  GHashTable *docs;               /* doc_id → Doc */
  GPtrArray *slots;               /* slot → Doc, NULL once removed */
  GHashTable *terms[N_FIELDS];    /* text → Term */
  GTree *sorted_terms[N_FIELDS];  /* text → Term, for prefixes */
  GHashTable *tags;               /* folded tag → GArray of guint32 slots, ascending */
  guint64 total_length;
};

static void avfs_search_memory_iface_init (AvfsSearchIndexInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsSearchMemory, avfs_search_memory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_SEARCH_INDEX,
                                                      avfs_search_memory_iface_init))

/* Terms and documents. */

static void
term_free (Term *term)
{
  g_free (term->text);
  g_array_unref (term->entries);
  g_array_unref (term->positions);
  g_free (term);
}

static void
doc_free (Doc *doc)
{
  g_free (doc->path);
  g_free (doc->name);
  g_free (doc->content);
  g_strfreev (doc->tags);
  g_ptr_array_unref (doc->terms);
  g_free (doc);
}

static gboolean
slot_alive (AvfsSearchMemory *self,
            guint32           slot)
{
  return g_ptr_array_index (self->slots, slot) != NULL;
}

/* Drops the entries of removed documents from @term. */
static void
term_compact (AvfsSearchMemory *self,
              Term             *term)
{
  GArray *entries = g_array_sized_new (FALSE, FALSE, sizeof (Entry),
                                       term->entries->len - term->n_dead);
  GArray *positions = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; i < term->entries->len; i++)
    {
      Entry entry = g_array_index (term->entries, Entry, i);

      if (!slot_alive (self, entry.slot))
        continue;
      g_array_append_vals (positions, &g_array_index (term->positions, guint32, entry.offset),
                           entry.count);
      entry.offset = positions->len - entry.count;
      g_array_append_val (entries, entry);
    }
  g_array_unref (term->entries);
  g_array_unref (term->positions);
  term->entries = entries;
  term->positions = positions;
  term->n_dead = 0;
}

static void
term_release (AvfsSearchMemory *self,
              Term             *term)
{
  term->n_dead++;
  if (term->n_dead == term->entries->len)
    {
      g_tree_remove (self->sorted_terms[term->field], term->text);
      g_hash_table_remove (self->terms[term->field], term->text);
      return;
    }
  if (term->n_dead > 8 && term->n_dead * 2 > term->entries->len)
    term_compact (self, term);
}

static void
tag_release (AvfsSearchMemory *self,
             const char       *tag,
             guint32           slot)
{
  GArray *slots = g_hash_table_lookup (self->tags, tag);

  for (guint i = 0; slots != NULL && i < slots->len; i++)
    if (g_array_index (slots, guint32, i) == slot)
      {
        g_array_remove_index (slots, i);
        break;
      }
  if (slots != NULL && slots->len == 0)
    g_hash_table_remove (self->tags, tag);
}

/* Call with the lock held exclusively. */
static void
remove_doc (AvfsSearchMemory *self,
            guint64           doc_id)
{
  Doc *doc = g_hash_table_lookup (self->docs, &doc_id);

  if (doc == NULL)
    return;
  g_ptr_array_index (self->slots, doc->slot) = NULL;
  for (guint i = 0; i < doc->terms->len; i++)
    term_release (self, g_ptr_array_index (doc->terms, i));
  for (guint i = 0; doc->tags[i] != NULL; i++)
    tag_release (self, doc->tags[i], doc->slot);
  self->total_length -= doc->length;
  g_hash_table_remove (self->docs, &doc_id);
}

/* Indexing. */

typedef struct
{
  GHashTable *positions; /* folded token → GArray of guint32 */
  guint32 n_tokens;
} FieldTokens;

static gboolean
gather_token_cb (const AvfsSearchToken *token,
                 gpointer               user_data)
{
  FieldTokens *gathered = user_data;
  char text[AVFS_SEARCH_MAX_TOKEN_BYTES + 1];
  GArray *positions;
  guint32 position = token->position;

  memcpy (text, token->folded, token->folded_len);
  text[token->folded_len] = '\0';
  positions = g_hash_table_lookup (gathered->positions, text);
  if (positions == NULL)
    {
      positions = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (gathered->positions, g_strdup (text), positions);
    }
  g_array_append_val (positions, position);
  gathered->n_tokens++;
  return TRUE;
}

static Term *
lookup_or_add_term (AvfsSearchMemory *self,
                    guint             field,
                    const char       *text)
{
  Term *term = g_hash_table_lookup (self->terms[field], text);

  if (term != NULL)
    return term;
  term = g_new0 (Term, 1);
  term->text = g_strdup (text);
  term->field = field;
  term->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  term->positions = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_hash_table_insert (self->terms[field], term->text, term);
  g_tree_insert (self->sorted_terms[field], term->text, term);
  return term;
}

static void
add_field (AvfsSearchMemory *self,
           Doc              *doc,
           guint             field,
           const char       *text)
{
  FieldTokens gathered = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_array_unref), 0 };
  GHashTableIter iter;
  gpointer key, value;

  if (text != NULL)
    avfs_search_tokenize (text, strlen (text), gather_token_cb, &gathered);
  g_hash_table_iter_init (&iter, gathered.positions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Term *term = lookup_or_add_term (self, field, key);
      GArray *positions = value;
      Entry entry = { doc->slot, positions->len, term->positions->len };

      g_array_append_vals (term->positions, positions->data, positions->len);
      g_array_append_val (term->entries, entry);
      g_ptr_array_add (doc->terms, term);
    }
  doc->length += gathered.n_tokens;
  g_hash_table_unref (gathered.positions);
}

static void
add_tags (AvfsSearchMemory *self,
          Doc              *doc)
{
  for (guint i = 0; doc->tags[i] != NULL; i++)
    {
      GArray *slots = g_hash_table_lookup (self->tags, doc->tags[i]);

      if (slots == NULL)
        {
          slots = g_array_new (FALSE, FALSE, sizeof (guint32));
          g_hash_table_insert (self->tags, g_strdup (doc->tags[i]), slots);
        }
      if (slots->len == 0 || g_array_index (slots, guint32, slots->len - 1) != doc->slot)
        g_array_append_val (slots, doc->slot);
    }
}

static char **
fold_tags (const char * const *tags)
{
  GPtrArray *folded = g_ptr_array_new ();

  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    g_ptr_array_add (folded, avfs_search_fold_tag (tags[i]));
  g_ptr_array_add (folded, NULL);
  return (char **) g_ptr_array_free (folded, FALSE);
}

static gboolean
avfs_search_memory_index_document (AvfsSearchIndex         *index,
                                   guint64                  doc_id,
                                   const AvfsSearchFields  *fields,
                                   GError                 **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);
  Doc *doc = g_new0 (Doc, 1);

  doc->doc_id = doc_id;
  doc->path = g_strdup (fields->path);
  doc->name = g_strdup (fields->name);
  doc->content = g_strdup (fields->content);
  doc->tags = fold_tags (fields->tags);
  doc->terms = g_ptr_array_new ();

  g_rw_lock_writer_lock (&self->lock);
  remove_doc (self, doc_id);
  doc->slot = self->slots->len;
  g_ptr_array_add (self->slots, doc);
  add_field (self, doc, FIELD_CONTENT, doc->content);
  add_field (self, doc, FIELD_PATH, doc->path);
  add_field (self, doc, FIELD_NAME, doc->name);
  add_tags (self, doc);
  self->total_length += doc->length;
  g_hash_table_insert (self->docs, &doc->doc_id, doc);
  g_rw_lock_writer_unlock (&self->lock);
  return TRUE;
}

static gboolean
avfs_search_memory_remove_document (AvfsSearchIndex  *index,
                                    guint64           doc_id,
                                    GError          **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);

  g_rw_lock_writer_lock (&self->lock);
  remove_doc (self, doc_id);
  g_rw_lock_writer_unlock (&self->lock);
  return TRUE;
}

/* Searching. A result set is an array of Scored in ascending slot order. */

typedef struct
{
  guint32 slot;
  double score;
} Scored;

/* One document's occurrences of a query token (several entries per slot for a prefix). */
typedef struct
{
  guint32 slot;
  guint32 count;
  const guint32 *positions;
} Occurrence;

static int
occurrence_compare (gconstpointer a,
                    gconstpointer b)
{
  const Occurrence *x = a, *y = b;

  return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static void
add_term_occurrences (AvfsSearchMemory *self,
                      Term             *term,
                      GArray           *out)
{
  for (guint i = 0; i < term->entries->len; i++)
    {
      const Entry *entry = &g_array_index (term->entries, Entry, i);
      Occurrence occurrence = { entry->slot, entry->count,
                                &g_array_index (term->positions, guint32, entry->offset) };

      if (slot_alive (self, entry->slot))
        g_array_append_val (out, occurrence);
    }
}

typedef struct
{
  AvfsSearchMemory *self;
  const char *prefix;
  GArray *out;
} PrefixScan;

static gboolean
prefix_term_cb (gpointer key,
                gpointer value,
                gpointer user_data)
{
  PrefixScan *scan = user_data;

  if (!g_str_has_prefix (key, scan->prefix))
    return TRUE;
  add_term_occurrences (scan->self, value, scan->out);
  return FALSE;
}

/* Every live occurrence of @token (or of every term it begins) in @field, by slot. */
static GArray *
token_occurrences (AvfsSearchMemory *self,
                   guint             field,
                   const char       *token,
                   gboolean          prefix)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Occurrence));

  if (!prefix)
    {
      Term *term = g_hash_table_lookup (self->terms[field], token);

      if (term != NULL)
        add_term_occurrences (self, term, out);
      return out;
    }
  {
    PrefixScan scan = { self, token, out };
    GTreeNode *node = g_tree_lower_bound (self->sorted_terms[field], token);

    for (; node != NULL; node = g_tree_node_next (node))
      if (prefix_term_cb (g_tree_node_key (node), g_tree_node_value (node), &scan))
        break;
  }
  g_array_sort (out, occurrence_compare);
  return out;
}

/* The range [*first, *last) of @list's occurrences for @slot, searching from *first. */
static gboolean
find_slot (GArray  *list,
           guint32  slot,
           guint   *first,
           guint   *last)
{
  guint lo = *first, hi = list->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (list, Occurrence, mid).slot < slot)
        lo = mid + 1;
      else
        hi = mid;
    }
  *first = lo;
  for (hi = lo; hi < list->len && g_array_index (list, Occurrence, hi).slot == slot; hi++)
    ;
  *last = hi;
  return hi > lo;
}

static gboolean
has_position (GArray  *list,
              guint    first,
              guint    last,
              guint32  position)
{
  for (guint i = first; i < last; i++)
    {
      const Occurrence *occurrence = &g_array_index (list, Occurrence, i);
      guint lo = 0, hi = occurrence->count;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (occurrence->positions[mid] < position)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo < occurrence->count && occurrence->positions[lo] == position)
        return TRUE;
    }
  return FALSE;
}

/* How often the phrase occurs in @slot, whose first token's occurrences are
 * lists[0][start0, end0). */
static guint
phrase_count (GArray  **lists,
              guint    *cursors,
              guint     n,
              guint32   slot,
              guint     start0,
              guint     end0)
{
  guint first[AVFS_SEARCH_QUERY_MAX_WORDS], last[AVFS_SEARCH_QUERY_MAX_WORDS];
  guint count = 0;

  for (guint t = 1; t < n; t++)
    {
      first[t] = cursors[t];
      if (!find_slot (lists[t], slot, &first[t], &last[t]))
        return 0;
      cursors[t] = first[t];
    }
  for (guint i = start0; i < end0; i++)
    {
      const Occurrence *occurrence = &g_array_index (lists[0], Occurrence, i);

      for (guint k = 0; k < occurrence->count; k++)
        {
          guint32 position = occurrence->positions[k];
          guint t;

          for (t = 1; t < n && has_position (lists[t], first[t], last[t], position + t); t++)
            ;
          count += t == n;
        }
    }
  return count;
}

/* Adds each live entry's count of @term to @tf, indexed by slot. */
static void
add_term_frequencies (AvfsSearchMemory *self,
                      const Term       *term,
                      guint32          *tf)
{
  for (guint i = 0; i < term->entries->len; i++)
    {
      const Entry *entry = &g_array_index (term->entries, Entry, i);

      if (slot_alive (self, entry->slot))
        tf[entry->slot] += entry->count;
    }
}

/* Term frequencies of a one-word prefix in one field, by slot. The frequencies of every
 * term it begins are summed in an array over the slots, not sorted into one list of
 * occurrences: a short prefix stands for hundreds of terms and most documents. */
static GArray *
prefix_frequencies (AvfsSearchMemory *self,
                    guint             field,
                    const char       *prefix)
{
  g_autofree guint32 *tf = g_new0 (guint32, self->slots->len);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Scored));
  GTreeNode *node = g_tree_lower_bound (self->sorted_terms[field], prefix);

  for (; node != NULL && g_str_has_prefix (g_tree_node_key (node), prefix);
       node = g_tree_node_next (node))
    add_term_frequencies (self, g_tree_node_value (node), tf);
  for (guint32 slot = 0; slot < self->slots->len; slot++)
    {
      Scored scored = { slot, tf[slot] };

      if (tf[slot] > 0)
        g_array_append_val (out, scored);
    }
  return out;
}

/* Term frequencies of a WORDS node in one field: Scored with score = tf, by slot. */
static GArray *
words_frequencies (AvfsSearchMemory     *self,
                   const AvfsSearchNode *node,
                   guint                 field)
{
  GArray *lists[AVFS_SEARCH_QUERY_MAX_WORDS] = { NULL };
  guint cursors[AVFS_SEARCH_QUERY_MAX_WORDS] = { 0 };
  GArray *out;
  guint n = node->n_tokens;
  guint i = 0;

  if (n == 1 && node->prefix)
    return prefix_frequencies (self, field, node->tokens[0]);
  out = g_array_new (FALSE, FALSE, sizeof (Scored));
  for (guint t = 0; t < n; t++)
    lists[t] = token_occurrences (self, field, node->tokens[t], node->prefix && t == n - 1);
  while (i < lists[0]->len)
    {
      guint32 slot = g_array_index (lists[0], Occurrence, i).slot;
      guint end = i;
      guint tf = 0;

      while (end < lists[0]->len && g_array_index (lists[0], Occurrence, end).slot == slot)
        {
          tf += g_array_index (lists[0], Occurrence, end).count;
          end++;
        }
      if (n > 1)
        tf = phrase_count (lists, cursors, n, slot, i, end);
      if (tf > 0)
        {
          Scored scored = { slot, tf };
          g_array_append_val (out, scored);
        }
      i = end;
    }
  for (guint t = 0; t < n; t++)
    g_array_unref (lists[t]);
  return out;
}

/* Turns term frequencies into BM25 scores (k1 = 1.2, b = 0.75). */
static void
score_bm25 (AvfsSearchMemory *self,
            GArray           *frequencies)
{
  double n_docs = g_hash_table_size (self->docs);
  double df = frequencies->len;
  double idf = log (1.0 + (n_docs - df + 0.5) / (df + 0.5));
  double average = n_docs > 0 ? (double) self->total_length / n_docs : 1.0;

  if (average <= 0)
    average = 1.0;
  for (guint i = 0; i < frequencies->len; i++)
    {
      Scored *scored = &g_array_index (frequencies, Scored, i);
      const Doc *doc = g_ptr_array_index (self->slots, scored->slot);
      double tf = scored->score;
      double norm = 1.0 - BM25_B + BM25_B * doc->length / average;

      scored->score = idf * tf * (BM25_K1 + 1.0) / (tf + BM25_K1 * norm);
    }
}

/* Union of two result sets, adding the scores of documents in both. */
static GArray *
union_sets (GArray *a,
            GArray *b)
{
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (Scored), a->len + b->len);
  guint i = 0, j = 0;

  while (i < a->len || j < b->len)
    {
      const Scored *x = i < a->len ? &g_array_index (a, Scored, i) : NULL;
      const Scored *y = j < b->len ? &g_array_index (b, Scored, j) : NULL;
      Scored merged;

      if (y == NULL || (x != NULL && x->slot < y->slot))
        merged = *x, i++;
      else if (x == NULL || y->slot < x->slot)
        merged = *y, j++;
      else
        {
          merged.slot = x->slot;
          merged.score = x->score + y->score;
          i++, j++;
        }
      g_array_append_val (out, merged);
    }
  g_array_unref (a);
  g_array_unref (b);
  return out;
}

/* Documents in both (scores added), or in @a but not @b when @exclude is set. */
static GArray *
intersect_sets (GArray   *a,
                GArray   *b,
                gboolean  exclude)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Scored));
  guint j = 0;

  for (guint i = 0; i < a->len; i++)
    {
      Scored scored = g_array_index (a, Scored, i);
      gboolean in_b;

      while (j < b->len && g_array_index (b, Scored, j).slot < scored.slot)
        j++;
      in_b = j < b->len && g_array_index (b, Scored, j).slot == scored.slot;
      if (in_b == exclude)
        continue;
      if (in_b)
        scored.score += g_array_index (b, Scored, j).score;
      g_array_append_val (out, scored);
    }
  g_array_unref (a);
  g_array_unref (b);
  return out;
}

static GArray *
evaluate (AvfsSearchMemory        *self,
          const AvfsSearchNode    *node,
          const AvfsSearchOptions *options);

static GArray *
evaluate_words (AvfsSearchMemory        *self,
                const AvfsSearchNode    *node,
                const AvfsSearchOptions *options)
{
  static const AvfsSearchField fields[N_FIELDS] = {
    AVFS_SEARCH_FIELD_CONTENT, AVFS_SEARCH_FIELD_PATH, AVFS_SEARCH_FIELD_NAME,
  };
  AvfsSearchField wanted = avfs_search_node_fields (node, options);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Scored));

  for (guint f = 0; f < N_FIELDS; f++)
    {
      GArray *frequencies;

      if ((wanted & fields[f]) == 0)
        continue;
      frequencies = words_frequencies (self, node, f);
      score_bm25 (self, frequencies);
      out = union_sets (out, frequencies);
    }
  return out;
}

/* Tags filter: they match or not, adding nothing to the score. */
static GArray *
evaluate_tag (AvfsSearchMemory     *self,
              const AvfsSearchNode *node)
{
  GArray *slots = g_hash_table_lookup (self->tags, node->tag);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Scored));

  for (guint i = 0; slots != NULL && i < slots->len; i++)
    {
      Scored scored = { g_array_index (slots, guint32, i), 0.0 };
      g_array_append_val (out, scored);
    }
  return out;
}

static GArray *
evaluate (AvfsSearchMemory        *self,
          const AvfsSearchNode    *node,
          const AvfsSearchOptions *options)
{
  GArray *out;

  switch (node->kind)
    {
    case AVFS_SEARCH_NODE_WORDS:
      return evaluate_words (self, node, options);
    case AVFS_SEARCH_NODE_TAG:
      return evaluate_tag (self, node);
    case AVFS_SEARCH_NODE_OR:
      out = evaluate (self, g_ptr_array_index (node->children, 0), options);
      for (guint i = 1; i < node->children->len; i++)
        out = union_sets (out, evaluate (self, g_ptr_array_index (node->children, i), options));
      return out;
    case AVFS_SEARCH_NODE_AND:
      out = evaluate (self, g_ptr_array_index (node->children, 0), options);
      for (guint i = 1; i < node->children->len && out->len > 0; i++)
        out = intersect_sets (out, evaluate (self, g_ptr_array_index (node->children, i), options),
                              FALSE);
      for (guint i = 0; i < node->excluded->len && out->len > 0; i++)
        out = intersect_sets (out, evaluate (self, g_ptr_array_index (node->excluded, i), options),
                              TRUE);
      return out;
    default:
      g_assert_not_reached ();
    }
}

/* A hit being ranked: best first, then by ascending doc_id. */
typedef struct
{
  double score;
  guint64 doc_id;
  const Doc *doc;
} Ranked;

static gboolean
ranks_before (const Ranked *x,
              const Ranked *y)
{
  if (x->score != y->score)
    return x->score > y->score;
  return x->doc_id < y->doc_id;
}

static int
rank_compare (gconstpointer a,
              gconstpointer b)
{
  return ranks_before (a, b) ? -1 : ranks_before (b, a) ? 1 : 0;
}

/* Keeps the @k best of what is offered in a heap whose root is the worst kept. */
static void
heap_offer (GArray       *heap,
            guint         k,
            const Ranked *ranked)
{
  Ranked *items = (Ranked *) heap->data;
  guint i;

  if (heap->len < k)
    {
      g_array_append_val (heap, *ranked);
      items = (Ranked *) heap->data;
      for (i = heap->len - 1; i > 0; i = (i - 1) / 2)
        {
          Ranked swap = items[i];

          if (!ranks_before (&items[(i - 1) / 2], &items[i]))
            break;
          items[i] = items[(i - 1) / 2];
          items[(i - 1) / 2] = swap;
        }
      return;
    }
  if (k == 0 || !ranks_before (ranked, &items[0]))
    return;
  items[0] = *ranked;
  for (i = 0;;)
    {
      guint worst = i, left = 2 * i + 1, right = 2 * i + 2;
      Ranked swap;

      if (left < heap->len && ranks_before (&items[worst], &items[left]))
        worst = left;
      if (right < heap->len && ranks_before (&items[worst], &items[right]))
        worst = right;
      if (worst == i)
        break;
      swap = items[i];
      items[i] = items[worst];
      items[worst] = swap;
      i = worst;
    }
}

static gboolean
avfs_search_memory_search (AvfsSearchIndex          *index,
                           const AvfsSearchQuery    *query,
                           const AvfsSearchOptions  *options,
                           AvfsSearchResults        *results,
                           GError                  **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);
  g_autoptr(GArray) matched = NULL;
  g_autoptr(GArray) best = g_array_new (FALSE, FALSE, sizeof (Ranked));
  guint k = options->limit > G_MAXUINT - options->offset ? G_MAXUINT
                                                          : options->offset + options->limit;

  g_rw_lock_reader_lock (&self->lock);
  matched = evaluate (self, avfs_search_query_get_root (query), options);
  results->total = matched->len;
  for (guint i = 0; i < matched->len; i++)
    {
      const Scored *scored = &g_array_index (matched, Scored, i);
      const Doc *doc = g_ptr_array_index (self->slots, scored->slot);
      Ranked ranked = { scored->score, doc->doc_id, doc };

      heap_offer (best, k, &ranked);
    }
  g_array_sort (best, rank_compare);
  for (guint i = options->offset; i < best->len; i++)
    {
      const Ranked *ranked = &g_array_index (best, Ranked, i);
      const Doc *doc = ranked->doc;
      AvfsSearchHit *hit = avfs_search_hit_new (doc->doc_id, doc->path, ranked->score);

      if (options->highlight)
        avfs_search_hit_highlight (hit, query, options, doc->content, -1);
      g_ptr_array_add (results->hits, hit);
    }
  g_rw_lock_reader_unlock (&self->lock);
  return TRUE;
}

/* Reading back and maintenance. */

static gboolean
avfs_search_memory_count (AvfsSearchIndex  *index,
                          guint64          *count,
                          GError          **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);

  g_rw_lock_reader_lock (&self->lock);
  *count = g_hash_table_size (self->docs);
  g_rw_lock_reader_unlock (&self->lock);
  return TRUE;
}

static AvfsSearchDocument *
avfs_search_memory_get_document (AvfsSearchIndex  *index,
                                 guint64           doc_id,
                                 GError          **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);
  AvfsSearchDocument *document = NULL;
  Doc *doc;

  g_rw_lock_reader_lock (&self->lock);
  doc = g_hash_table_lookup (self->docs, &doc_id);
  if (doc != NULL)
    {
      document = g_new0 (AvfsSearchDocument, 1);
      document->path = g_strdup (doc->path);
      document->name = g_strdup (doc->name);
      document->content = g_strdup (doc->content);
      document->tags = g_strdupv (doc->tags);
    }
  g_rw_lock_reader_unlock (&self->lock);
  if (document == NULL)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_NOT_FOUND,
                 "Document %" G_GUINT64_FORMAT " is not in the search index", doc_id);
  return document;
}

static int
guint64_compare (gconstpointer a,
                 gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static GArray *
avfs_search_memory_list_documents (AvfsSearchIndex  *index,
                                   GError          **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  GHashTableIter iter;
  gpointer key;

  g_rw_lock_reader_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->docs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(guint64 *) key);
  g_rw_lock_reader_unlock (&self->lock);
  g_array_sort (ids, guint64_compare);
  return ids;
}

/* Call with the lock held exclusively. */
static void
reset (AvfsSearchMemory *self)
{
  g_clear_pointer (&self->docs, g_hash_table_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->tags, g_hash_table_unref);
  for (guint f = 0; f < N_FIELDS; f++)
    {
      g_clear_pointer (&self->sorted_terms[f], g_tree_unref);
      g_clear_pointer (&self->terms[f], g_hash_table_unref);
    }
  self->docs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) doc_free);
  self->slots = g_ptr_array_new ();
  self->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_array_unref);
  for (guint f = 0; f < N_FIELDS; f++)
    {
      self->terms[f] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) term_free);
      self->sorted_terms[f] = g_tree_new ((GCompareFunc) strcmp);
    }
  self->total_length = 0;
}

static gboolean
avfs_search_memory_clear (AvfsSearchIndex  *index,
                          GError          **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);

  g_rw_lock_writer_lock (&self->lock);
  reset (self);
  g_rw_lock_writer_unlock (&self->lock);
  return TRUE;
}

static gboolean
avfs_search_memory_flush (AvfsSearchIndex  *index,
                          GError          **error)
{
  return TRUE;
}

/* Compacts every term, so removed documents no longer take memory or time. */
static gboolean
avfs_search_memory_optimize (AvfsSearchIndex  *index,
                             GError          **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);

  g_rw_lock_writer_lock (&self->lock);
  for (guint f = 0; f < N_FIELDS; f++)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->terms[f]);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (((Term *) value)->n_dead > 0)
          term_compact (self, value);
    }
  g_rw_lock_writer_unlock (&self->lock);
  return TRUE;
}

static const char *
avfs_search_memory_get_engine_name (AvfsSearchIndex *index)
{
  return "memory";
}

static void
avfs_search_memory_finalize (GObject *object)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (object);

  g_clear_pointer (&self->docs, g_hash_table_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->tags, g_hash_table_unref);
  for (guint f = 0; f < N_FIELDS; f++)
    {
      g_clear_pointer (&self->sorted_terms[f], g_tree_unref);
      g_clear_pointer (&self->terms[f], g_hash_table_unref);
    }
  g_rw_lock_clear (&self->lock);

  G_OBJECT_CLASS (avfs_search_memory_parent_class)->finalize (object);
}

static void
avfs_search_memory_class_init (AvfsSearchMemoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = avfs_search_memory_finalize;
}

static void
avfs_search_memory_init (AvfsSearchMemory *self)
{
  g_rw_lock_init (&self->lock);
  reset (self);
}

static void
avfs_search_memory_iface_init (AvfsSearchIndexInterface *iface)
{
  iface->get_engine_name = avfs_search_memory_get_engine_name;
  iface->index_document = avfs_search_memory_index_document;
  iface->remove_document = avfs_search_memory_remove_document;
  iface->search = avfs_search_memory_search;
  iface->count = avfs_search_memory_count;
  iface->get_document = avfs_search_memory_get_document;
  iface->list_documents = avfs_search_memory_list_documents;
  iface->clear = avfs_search_memory_clear;
  iface->flush = avfs_search_memory_flush;
  iface->optimize = avfs_search_memory_optimize;
}

/**
 * avfs_search_memory_new:
 *
 * A search index that lives as long as the object, for memory vaults. Thread-safe.
 *
 * Returns: (transfer full): a new, empty index
 */
AvfsSearchIndex *
avfs_search_memory_new (void)
{
  return g_object_new (AVFS_TYPE_SEARCH_MEMORY, NULL);
}
