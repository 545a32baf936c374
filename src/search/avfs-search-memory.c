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

/* One document's occurrences of a term. Their positions follow those of the entries
 * before it in the term's positions, so a scan that only counts reads 8 bytes a
 * document. */
typedef struct
{
  guint32 slot;
  guint32 count;
} Entry;

/* A term of one field. Entries are in slot order; a re-indexed document gets a new slot
 * at the end, so appending keeps the order. Entries of removed documents stay until
 * they are half of the term (then the term is compacted), so removal is cheap. */
typedef struct
{
  guint32 hash;
  guint16 len;            /* tokens, of documents and queries alike, are short */
  guint8 field;
  guint removed : 1;      /* gone from the table, freed at the next sort of its field */
  Entry *entries;
  guint32 *positions;
  guint32 n_entries;
  guint32 entries_size;   /* allocated */
  guint32 n_positions;
  guint32 positions_size;
  guint32 last_slot;      /* of the last document with the term, logged or not; G_MAXUINT32
                           * before the first */
  guint32 n_dead;
  guint32 log_index;      /* in the terms of the log being filled, if it is there */
  char text[];            /* NUL-terminated */
} Term;

/* Indexing logs each token and inverts the log a batch of documents at a time (see
 * invert_log()). */
typedef struct
{
  guint32 slot;
  guint32 position;
} Posting;

typedef struct
{
  guint32 term; /* index in Log.terms */
  Posting posting;
} Logged;

/* A term of a log, with how many of the log's tokens and documents it has. */
typedef struct
{
  Term *term;
  guint32 n_tokens;
  guint32 n_slots;
} LogTerm;

typedef struct
{
  Logged *tokens;
  guint32 n_tokens;
  guint32 tokens_size;
  LogTerm *terms; /* those of @tokens, each once */
  guint32 n_terms;
  guint32 terms_size;
} Log;

/* The terms of one field. Indexing finds a token's term in a hash table of its own
 * (open addressing, linear probing) without copying the token. Prefixes are looked up
 * in @sorted, which is brought up to date at the first prefix query after changes
 * rather than on every new term. Each term is in @sorted or @added until it is freed. */
typedef struct
{
  Term **buckets; /* NULL where empty */
  guint mask;
  guint n_terms;
  GPtrArray *sorted; /* Term, by text; may still hold removed terms */
  GPtrArray *added;  /* Term, new since the last sort */
  guint n_removed;   /* removed terms still in @sorted or @added */
} Field;

typedef struct
{
  guint64 doc_id;
  guint32 slot;
  guint32 length; /* tokens in content, path and name: BM25's document length */
  char *path;
  char *name;
  char *content;
  char **tags;  /* folded */
  Term **terms; /* every term the document holds */
  guint n_terms;
} Doc;

/* Thread safety: @lock is taken shared by searches and reads, exclusively by changes.
 * A prefix search sorts new terms under @sort_lock, as other searches may run. While
 * @inverter runs, it alone writes the postings of the terms of its log; whatever reads or
 * removes postings waits for it first (invert_all()). */
struct _AvfsSearchMemory
{
  GObject parent_instance;

  GRWLock lock;
  GMutex sort_lock;
  GHashTable *docs;        /* doc_id → Doc */
  GPtrArray *slots;        /* slot → Doc, NULL once removed */
  Field fields[N_FIELDS];
  GHashTable *tags;        /* folded tag → GArray of guint32 slots, ascending */
  guint64 total_length;
  /* Postings not inverted yet, which every read of them inverts first: those of @log and,
   * while @inverter runs, of the other log. */
  Log logs[2];
  Log *log;
  GThread *inverter;
  Term **doc_terms;        /* indexing scratch: the document's terms so far */
  guint32 n_doc_terms;
  guint32 doc_terms_size;
};

static void avfs_search_memory_iface_init (AvfsSearchIndexInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AvfsSearchMemory, avfs_search_memory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AVFS_TYPE_SEARCH_INDEX,
                                                      avfs_search_memory_iface_init))

G_STATIC_ASSERT (AVFS_SEARCH_MAX_TOKEN_BYTES <= G_MAXUINT16);

/* Terms. */

/* FNV-1a; the table takes the low bits, so the high ones are folded in. */
static guint32
term_hash (const char *text,
           gsize       len)
{
  guint32 hash = 2166136261u;

  for (gsize i = 0; i < len; i++)
    hash = (hash ^ (guchar) text[i]) * 16777619u;
  return hash ^ (hash >> 16);
}

static void
term_free (Term *term)
{
  g_free (term->entries);
  g_free (term->positions);
  g_free (term);
}

/* Makes room for @n more elements after the @used ones of an array of *@size, doubling
 * it as often as needed. */
static inline gpointer
reserve_array (gpointer  data,
               guint32  *size,
               guint32   used,
               guint32   n,
               gsize     element_size)
{
  if (G_LIKELY (used + n <= *size))
    return data;
  while (*size < used + n)
    *size = MAX (1, 2 * *size);
  return g_realloc_n (data, *size, element_size);
}

/* Not memcmp(): tokens are a few bytes, shorter than a call. */
static inline gboolean
term_has_text (const Term *term,
               const char *text,
               gsize       len)
{
  if (term->len != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (term->text[i] != text[i])
      return FALSE;
  return TRUE;
}

static int
term_compare (gconstpointer a,
              gconstpointer b)
{
  return strcmp ((*(Term * const *) a)->text, (*(Term * const *) b)->text);
}

/* The bucket that holds @text's term, or the empty one where it would go. */
G_ALWAYS_INLINE static inline Term **
field_bucket (Field      *field,
              const char *text,
              gsize       len,
              guint32     hash)
{
  for (guint i = hash & field->mask;; i = (i + 1) & field->mask)
    {
      Term *term = field->buckets[i];

      if (term == NULL || (term->hash == hash && term_has_text (term, text, len)))
        return &field->buckets[i];
    }
}

static Term *
field_lookup (Field      *field,
              const char *text)
{
  gsize len = strlen (text);

  return *field_bucket (field, text, len, term_hash (text, len));
}

/* Doubles the table, keeping it at most half full. */
static void
field_grow (Field *field)
{
  Term **old = field->buckets;
  guint old_size = field->mask + 1;

  field->mask = 2 * old_size - 1;
  field->buckets = g_new0 (Term *, field->mask + 1);
  for (guint i = 0; i < old_size; i++)
    if (old[i] != NULL)
      *field_bucket (field, old[i]->text, old[i]->len, old[i]->hash) = old[i];
  g_free (old);
}

static Term *
field_intern (Field      *field,
              guint       f,
              const char *text,
              gsize       len)
{
  guint32 hash = term_hash (text, len);
  Term **bucket = field_bucket (field, text, len, hash);
  Term *term = *bucket;

  if (term != NULL)
    return term;
  term = g_malloc0 (sizeof (Term) + len + 1);
  term->hash = hash;
  term->field = f;
  term->len = len;
  term->last_slot = G_MAXUINT32;
  memcpy (term->text, text, len);
  *bucket = term;
  g_ptr_array_add (field->added, term);
  if (++field->n_terms * 2 > field->mask + 1)
    field_grow (field);
  return term;
}

/* Takes @term out of the table; the terms after it in its run move back to keep every
 * term reachable from its home bucket. */
static void
field_unlink (Field *field,
              Term  *term)
{
  guint hole = field_bucket (field, term->text, term->len, term->hash) - field->buckets;

  for (guint i = (hole + 1) & field->mask; field->buckets[i] != NULL; i = (i + 1) & field->mask)
    {
      guint home = field->buckets[i]->hash & field->mask;

      if (((i - home) & field->mask) >= ((i - hole) & field->mask))
        {
          field->buckets[hole] = field->buckets[i];
          hole = i;
        }
    }
  field->buckets[hole] = NULL;
  field->n_terms--;
}

/* Frees the removed terms of @terms, keeping the order of the others. */
static void
drop_removed (GPtrArray *terms)
{
  guint kept = 0;

  for (guint i = 0; i < terms->len; i++)
    {
      Term *term = g_ptr_array_index (terms, i);

      if (term->removed)
        term_free (term);
      else
        g_ptr_array_index (terms, kept++) = term;
    }
  g_ptr_array_set_size (terms, kept);
}

/* Brings @field->sorted up to date: sorts the new terms and merges them in. */
static void
field_sort (Field *field)
{
  GPtrArray *sorted, *added = field->added;
  guint i = 0, j = 0;

  if (added->len == 0 && field->n_removed == 0)
    return;
  drop_removed (field->sorted);
  drop_removed (added);
  field->n_removed = 0;
  g_ptr_array_sort (added, term_compare);
  sorted = g_ptr_array_sized_new (field->sorted->len + added->len);
  while (i < field->sorted->len || j < added->len)
    if (j == added->len ||
        (i < field->sorted->len && term_compare (&field->sorted->pdata[i], &added->pdata[j]) < 0))
      g_ptr_array_add (sorted, g_ptr_array_index (field->sorted, i++));
    else
      g_ptr_array_add (sorted, g_ptr_array_index (added, j++));
  g_ptr_array_unref (field->sorted);
  field->sorted = sorted;
  g_ptr_array_set_size (added, 0);
}

static void
field_init (Field *field)
{
  field->mask = 63;
  field->buckets = g_new0 (Term *, field->mask + 1);
  field->n_terms = 0;
  field->sorted = g_ptr_array_new ();
  field->added = g_ptr_array_new ();
  field->n_removed = 0;
}

static void
free_terms (GPtrArray *terms)
{
  g_ptr_array_set_free_func (terms, (GDestroyNotify) term_free);
  g_ptr_array_unref (terms);
}

static void
field_clear (Field *field)
{
  g_clear_pointer (&field->sorted, free_terms);
  g_clear_pointer (&field->added, free_terms);
  g_clear_pointer (&field->buckets, g_free);
}

/* The log. Appending each token to its term's arrays as it comes touches the arrays of
 * one of thousands of terms per token, most of them out of cache: that was more than half
 * of the indexing time. Tokens are logged in order instead. A full log (LOG_TOKENS) is
 * inverted on a thread of its own while the next one fills, and what is logged is
 * inverted before anything reads or removes postings. The inverting thread writes only
 * the postings of the terms of its log, which indexing does not touch. */

#define LOG_TOKENS (1 << 18)

static inline void
log_token (AvfsSearchMemory *self,
           Term             *term,
           guint32           slot,
           guint32           position,
           gboolean          new_slot)
{
  Log *log = self->log;
  LogTerm *logged;

  /* @log_index may be left from an earlier log: the log's entry tells. */
  if (term->log_index >= log->n_terms || log->terms[term->log_index].term != term)
    {
      log->terms = reserve_array (log->terms, &log->terms_size, log->n_terms, 1, sizeof (LogTerm));
      log->terms[log->n_terms] = (LogTerm) { term, 0, 0 };
      term->log_index = log->n_terms++;
    }
  logged = &log->terms[term->log_index];
  logged->n_tokens++;
  logged->n_slots += new_slot;
  log->tokens = reserve_array (log->tokens, &log->tokens_size, log->n_tokens, 1, sizeof (Logged));
  log->tokens[log->n_tokens++] = (Logged) { term->log_index, { slot, position } };
}

/* Makes room in the arrays of @log's terms for their postings in the log. The thread
 * that indexes does it, so that the arrays come from its allocator arena as they did
 * before there were inverting threads: those threads' arenas made searches slower. */
static void
reserve_log (Log *log)
{
  for (guint32 t = 0; t < log->n_terms; t++)
    {
      const LogTerm *logged = &log->terms[t];
      Term *term = logged->term;

      term->entries = reserve_array (term->entries, &term->entries_size, term->n_entries,
                                     logged->n_slots, sizeof (Entry));
      term->positions = reserve_array (term->positions, &term->positions_size,
                                       term->n_positions, logged->n_tokens, sizeof (guint32));
    }
}

/* Appends the logged postings of a term, in slot then position order, after those it
 * has, in the room reserve_log() made. */
static void
term_append (const LogTerm *logged,
             const Posting *postings)
{
  Term *term = logged->term;
  Entry *entries = term->entries + term->n_entries;
  guint32 *positions = term->positions + term->n_positions;
  guint32 n_entries = 0;

  for (guint32 i = 0; i < logged->n_tokens; i++)
    {
      /* A document's tokens are all in one log: a run never goes on with an entry of an
       * earlier log. */
      if (i == 0 || postings[i].slot != postings[i - 1].slot)
        entries[n_entries++] = (Entry) { postings[i].slot, 0 };
      entries[n_entries - 1].count++;
      positions[i] = postings[i].position;
    }
  term->n_entries += logged->n_slots;
  term->n_positions += logged->n_tokens;
}

/* Sorts @log by term (a counting sort, whose few thousand runs stay in cache), keeping
 * the order of each term's postings, then appends each term's run: its arrays are
 * touched once for the whole log. Empties @log; call reserve_log() first. */
static void
invert_log (Log *log)
{
  g_autofree guint32 *ends = g_new (guint32, log->n_terms);
  g_autofree Posting *sorted = g_new (Posting, log->n_tokens);
  guint32 start = 0;

  for (guint32 t = 0; t < log->n_terms; t++)
    {
      ends[t] = start;
      start += log->terms[t].n_tokens;
    }
  for (guint32 i = 0; i < log->n_tokens; i++)
    sorted[ends[log->tokens[i].term]++] = log->tokens[i].posting;
  for (guint32 t = 0; t < log->n_terms; t++)
    term_append (&log->terms[t], sorted + ends[t] - log->terms[t].n_tokens);
  log->n_tokens = log->n_terms = 0;
  /* A long document can outgrow the log: it is not kept that large. */
  if (log->tokens_size > 2 * LOG_TOKENS)
    {
      g_clear_pointer (&log->tokens, g_free);
      log->tokens_size = 0;
    }
}

static gpointer
invert_thread (gpointer data)
{
  invert_log (data);
  return NULL;
}

/* The functions below want the lock held exclusively. */

static void
join_inverter (AvfsSearchMemory *self)
{
  if (self->inverter != NULL)
    g_thread_join (g_steal_pointer (&self->inverter));
}

/* Hands the full log to a thread that inverts it, and starts the other one. */
static void
switch_log (AvfsSearchMemory *self)
{
  join_inverter (self);
  reserve_log (self->log);
  self->inverter = g_thread_new ("avfs-invert", invert_thread, self->log);
  self->log = self->log == &self->logs[0] ? &self->logs[1] : &self->logs[0];
}

/* Inverts every logged posting, so that they can be read or removed. */
static void
invert_all (AvfsSearchMemory *self)
{
  join_inverter (self);
  reserve_log (self->log);
  invert_log (self->log);
}

/* Lets go of the logs' memory; call when they are empty. */
static void
free_logs (AvfsSearchMemory *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->logs); i++)
    {
      g_clear_pointer (&self->logs[i].tokens, g_free);
      g_clear_pointer (&self->logs[i].terms, g_free);
      self->logs[i].tokens_size = self->logs[i].terms_size = 0;
    }
}

/* Documents. */

static void
doc_free (Doc *doc)
{
  g_free (doc->path);
  g_free (doc->name);
  g_free (doc->content);
  g_strfreev (doc->tags);
  g_free (doc->terms);
  g_free (doc);
}

static gboolean
slot_alive (AvfsSearchMemory *self,
            guint32           slot)
{
  return g_ptr_array_index (self->slots, slot) != NULL;
}

/* Drops the entries of removed documents from @term. What is kept only moves towards
 * the start, so it is done in place. */
static void
term_compact (AvfsSearchMemory *self,
              Term             *term)
{
  guint32 n_entries = 0, n_positions = 0, offset = 0;

  for (guint32 i = 0; i < term->n_entries; i++)
    {
      Entry entry = term->entries[i];

      if (slot_alive (self, entry.slot))
        {
          memmove (term->positions + n_positions, term->positions + offset,
                   entry.count * sizeof (guint32));
          n_positions += entry.count;
          term->entries[n_entries++] = entry;
        }
      offset += entry.count;
    }
  term->n_entries = term->entries_size = n_entries;
  term->n_positions = term->positions_size = n_positions;
  term->entries = g_renew (Entry, term->entries, n_entries);
  term->positions = g_renew (guint32, term->positions, n_positions);
  term->n_dead = 0;
}

/* A term none of whose documents is left is taken out of its table at once, and freed
 * once its field is sorted; removed terms are not left to pile up without prefix
 * queries. */
static void
term_release (AvfsSearchMemory *self,
              Term             *term)
{
  Field *field = &self->fields[term->field];

  term->n_dead++;
  if (term->n_dead == term->n_entries)
    {
      field_unlink (field, term);
      term->removed = TRUE;
      g_clear_pointer (&term->entries, g_free);
      g_clear_pointer (&term->positions, g_free);
      if (++field->n_removed > 64 && field->n_removed > field->n_terms)
        field_sort (field);
      return;
    }
  if (term->n_dead > 8 && term->n_dead * 2 > term->n_entries)
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
  invert_all (self);
  g_ptr_array_index (self->slots, doc->slot) = NULL;
  for (guint i = 0; i < doc->n_terms; i++)
    term_release (self, doc->terms[i]);
  for (guint i = 0; doc->tags[i] != NULL; i++)
    tag_release (self, doc->tags[i], doc->slot);
  self->total_length -= doc->length;
  g_hash_table_remove (self->docs, &doc_id);
}

/* Indexing. */

typedef struct
{
  AvfsSearchMemory *self;
  Doc *doc;
  guint field;
} Gathering;

static gboolean
gather_token_cb (const AvfsSearchToken *token,
                 gpointer               user_data)
{
  Gathering *gathering = user_data;
  AvfsSearchMemory *self = gathering->self;
  Term *term = field_intern (&self->fields[gathering->field], gathering->field,
                             token->folded, token->folded_len);
  guint32 slot = gathering->doc->slot;
  gboolean new_slot = term->last_slot != slot;

  if (new_slot)
    {
      term->last_slot = slot;
      self->doc_terms = reserve_array (self->doc_terms, &self->doc_terms_size,
                                       self->n_doc_terms, 1, sizeof (Term *));
      self->doc_terms[self->n_doc_terms++] = term;
    }
  log_token (self, term, slot, token->position, new_slot);
  gathering->doc->length++;
  return TRUE;
}

static void
add_field (AvfsSearchMemory *self,
           Doc              *doc,
           guint             field,
           const char       *text)
{
  Gathering gathering = { self, doc, field };

  if (text != NULL)
    avfs_search_tokenize (text, strlen (text), gather_token_cb, &gathering);
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

  g_rw_lock_writer_lock (&self->lock);
  remove_doc (self, doc_id);
  doc->slot = self->slots->len;
  g_ptr_array_add (self->slots, doc);
  add_field (self, doc, FIELD_CONTENT, doc->content);
  add_field (self, doc, FIELD_PATH, doc->path);
  add_field (self, doc, FIELD_NAME, doc->name);
  doc->n_terms = self->n_doc_terms;
  doc->terms = g_memdup2 (self->doc_terms, doc->n_terms * sizeof (Term *));
  self->n_doc_terms = 0;
  add_tags (self, doc);
  self->total_length += doc->length;
  g_hash_table_insert (self->docs, &doc->doc_id, doc);
  if (self->log->n_tokens >= LOG_TOKENS)
    switch_log (self);
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
  const guint32 *positions = term->positions;

  for (guint32 i = 0; i < term->n_entries; i++)
    {
      Occurrence occurrence = { term->entries[i].slot, term->entries[i].count, positions };

      if (slot_alive (self, occurrence.slot))
        g_array_append_val (out, occurrence);
      positions += occurrence.count;
    }
}

/* The terms of @field that begin with @prefix, from *first on; sorts the field first if
 * it changed since its last prefix query. */
static Term **
prefix_terms (AvfsSearchMemory *self,
              guint             field,
              const char       *prefix,
              guint            *n_terms)
{
  GPtrArray *sorted;
  gsize len = strlen (prefix);
  guint lo = 0, hi, end;

  g_mutex_lock (&self->sort_lock);
  field_sort (&self->fields[field]);
  g_mutex_unlock (&self->sort_lock);
  sorted = self->fields[field].sorted;
  hi = sorted->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (strcmp (((Term *) g_ptr_array_index (sorted, mid))->text, prefix) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (end = lo;
       end < sorted->len && strncmp (((Term *) g_ptr_array_index (sorted, end))->text, prefix, len) == 0;
       end++)
    ;
  *n_terms = end - lo;
  return (Term **) sorted->pdata + lo;
}

/* Every live occurrence of @token (or of every term it begins) in @field, by slot. */
static GArray *
token_occurrences (AvfsSearchMemory *self,
                   guint             field,
                   const char       *token,
                   gboolean          prefix)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Occurrence));
  Term **terms;
  guint n_terms;

  if (!prefix)
    {
      Term *term = field_lookup (&self->fields[field], token);

      if (term != NULL)
        add_term_occurrences (self, term, out);
      return out;
    }
  terms = prefix_terms (self, field, token, &n_terms);
  for (guint i = 0; i < n_terms; i++)
    add_term_occurrences (self, terms[i], out);
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
  for (guint32 i = 0; i < term->n_entries; i++)
    if (slot_alive (self, term->entries[i].slot))
      tf[term->entries[i].slot] += term->entries[i].count;
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
  guint n_terms;
  Term **terms = prefix_terms (self, field, prefix, &n_terms);

  for (guint i = 0; i < n_terms; i++)
    add_term_frequencies (self, terms[i], tf);
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

/* Takes the lock to read the postings: shared, or exclusively when some wait in the log,
 * to invert them first. Returns whether it is held exclusively. */
static gboolean
lock_inverted (AvfsSearchMemory *self)
{
  g_rw_lock_reader_lock (&self->lock);
  if (self->inverter == NULL && self->log->n_tokens == 0)
    return FALSE;
  g_rw_lock_reader_unlock (&self->lock);
  g_rw_lock_writer_lock (&self->lock);
  invert_all (self);
  return TRUE;
}

static void
unlock_inverted (AvfsSearchMemory *self,
                 gboolean          exclusive)
{
  if (exclusive)
    g_rw_lock_writer_unlock (&self->lock);
  else
    g_rw_lock_reader_unlock (&self->lock);
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
  gboolean exclusive = lock_inverted (self);

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
  unlock_inverted (self, exclusive);
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

static void
free_index (AvfsSearchMemory *self)
{
  join_inverter (self);
  self->log->n_tokens = self->log->n_terms = 0;
  g_clear_pointer (&self->docs, g_hash_table_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->tags, g_hash_table_unref);
  for (guint f = 0; f < N_FIELDS; f++)
    field_clear (&self->fields[f]);
}

/* Call with the lock held exclusively. */
static void
reset (AvfsSearchMemory *self)
{
  free_index (self);
  self->docs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) doc_free);
  self->slots = g_ptr_array_new ();
  self->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_array_unref);
  for (guint f = 0; f < N_FIELDS; f++)
    field_init (&self->fields[f]);
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

/* Compacts every term, so removed documents no longer take memory or time, and lets go
 * of the log's memory until the next indexing. */
static gboolean
avfs_search_memory_optimize (AvfsSearchIndex  *index,
                             GError          **error)
{
  AvfsSearchMemory *self = AVFS_SEARCH_MEMORY (index);

  g_rw_lock_writer_lock (&self->lock);
  invert_all (self);
  free_logs (self);
  for (guint f = 0; f < N_FIELDS; f++)
    {
      Field *field = &self->fields[f];

      for (guint i = 0; i <= field->mask; i++)
        if (field->buckets[i] != NULL && field->buckets[i]->n_dead > 0)
          term_compact (self, field->buckets[i]);
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

  free_index (self);
  free_logs (self);
  g_free (self->doc_terms);
  g_mutex_clear (&self->sort_lock);
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
  g_mutex_init (&self->sort_lock);
  self->log = &self->logs[0];
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
