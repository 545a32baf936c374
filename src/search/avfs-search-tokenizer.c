/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Words for search: Unicode letter/digit runs, NFKC-normalised and case-folded. */
#include <string.h>

#include "avfs-search-tokenizer.h"

/* A token starts at a letter or digit (Unicode L* or N*) and runs on over letters, digits
 * and combining marks (M*), so scripts written with marks (Devanagari, decomposed Latin)
 * stay whole. Everything else separates tokens, including `_`, `'` and `-`. */
static const guint8 ascii_alnum[128] = {
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
  ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
  ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
  ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
  ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
  ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
  ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
  ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
  ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
  ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/**
 * avfs_search_is_token_start:
 * @c: a character
 *
 * Returns: whether a token can start at @c (a letter or a digit)
 */
gboolean
avfs_search_is_token_start (gunichar c)
{
  if (c < 128)
    return ascii_alnum[c];
  return g_unichar_isalnum (c);
}

static gboolean
is_token_part (gunichar c)
{
  if (c < 128)
    return ascii_alnum[c];
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* Reads the character at @p (before @end); an invalid byte reads as one separator. */
static gunichar
read_char (const char  *p,
           const char  *end,
           const char **next)
{
  gunichar c;

  if ((guchar) *p < 0x80)
    {
      *next = p + 1;
      return (guchar) *p;
    }
  c = g_utf8_get_char_validated (p, end - p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      *next = p + 1;
      return ' ';
    }
  *next = g_utf8_next_char (p);
  return c;
}

/* Cuts @text to at most @max bytes without splitting a character. */
static gsize
cut_at_char (const char *text,
             gsize       len,
             gsize       max)
{
  if (len <= max)
    return len;
  while (max > 0 && ((guchar) text[max] & 0xC0) == 0x80)
    max--;
  return max;
}

/* NFKC first (compatibility forms such as ﬁ or full-width letters become plain ones),
 * then full case folding (ß → ss), then NFKC again because folding may decompose. */
static char *
fold_unicode (const char *text,
              gssize      len)
{
  g_autofree char *compat = g_utf8_normalize (text, len, G_NORMALIZE_NFKC);
  g_autofree char *folded = NULL;

  if (compat == NULL)
    return g_strndup (text, len < 0 ? strlen (text) : (gsize) len);
  folded = g_utf8_casefold (compat, -1);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFKC);
}

static gboolean
emit_token (const char          *text,
            gsize                start,
            gsize                end,
            gboolean             ascii,
            guint                position,
            AvfsSearchTokenFunc  func,
            gpointer             user_data)
{
  char buffer[AVFS_SEARCH_MAX_TOKEN_BYTES];
  g_autofree char *folded = NULL;
  AvfsSearchToken token = { buffer, 0, start, end, position };

  if (ascii)
    {
      token.folded_len = MIN (end - start, sizeof buffer);
      for (gsize i = 0; i < token.folded_len; i++)
        {
          char c = text[start + i];
          buffer[i] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
        }
      return func (&token, user_data);
    }
  folded = fold_unicode (text + start, end - start);
  token.folded = folded;
  token.folded_len = cut_at_char (folded, strlen (folded), AVFS_SEARCH_MAX_TOKEN_BYTES);
  return func (&token, user_data);
}

/**
 * avfs_search_tokenize:
 * @text: UTF-8 text (invalid bytes separate tokens)
 * @len: its length in bytes
 * @func: called for each token, in order
 * @user_data: for @func
 *
 * Splits @text into the tokens every engine indexes and searches.
 */
void
avfs_search_tokenize (const char          *text,
                      gsize                len,
                      AvfsSearchTokenFunc  func,
                      gpointer             user_data)
{
  const char *p = text;
  const char *end = text + len;
  guint position = 0;

  while (p < end)
    {
      const char *next;
      const char *start;
      gboolean ascii = TRUE;
      gunichar c;

      /* Skip ASCII separators quickly, then find a token start. */
      if ((guchar) *p < 0x80 && !ascii_alnum[(guchar) *p])
        {
          p++;
          continue;
        }
      start = p;
      c = read_char (p, end, &next);
      if (!avfs_search_is_token_start (c))
        {
          p = next;
          continue;
        }
      ascii = c < 0x80;
      p = next;
      while (p < end)
        {
          if ((guchar) *p < 0x80)
            {
              if (!ascii_alnum[(guchar) *p])
                break;
              p++;
              continue;
            }
          c = read_char (p, end, &next);
          if (!is_token_part (c))
            break;
          ascii = FALSE;
          p = next;
        }
      if (!emit_token (text, start - text, p - text, ascii, position++, func, user_data))
        return;
    }
}

static gboolean
collect_token_cb (const AvfsSearchToken *token,
                  gpointer               user_data)
{
  g_ptr_array_add (user_data, g_strndup (token->folded, token->folded_len));
  return TRUE;
}

/**
 * avfs_search_tokenize_to_strv:
 * @text: UTF-8 text
 * @len: its length, or -1 if it is NUL-terminated
 *
 * Returns: (transfer full): the folded tokens of @text, possibly none
 */
char **
avfs_search_tokenize_to_strv (const char *text,
                              gssize      len)
{
  GPtrArray *tokens = g_ptr_array_new ();

  avfs_search_tokenize (text, len < 0 ? strlen (text) : (gsize) len, collect_token_cb, tokens);
  g_ptr_array_add (tokens, NULL);
  return (char **) g_ptr_array_free (tokens, FALSE);
}

/**
 * avfs_search_fold_tag:
 * @tag: a tag as the user wrote it (UTF-8)
 *
 * Tags match whole and case-insensitively: `Work` and `WORK` are the same tag.
 *
 * Returns: (transfer full): @tag normalised and case-folded
 */
char *
avfs_search_fold_tag (const char *tag)
{
  g_return_val_if_fail (tag != NULL, NULL);
  return fold_unicode (tag, -1);
}

/**
 * avfs_search_tag_token:
 * @folded_tag: a tag from avfs_search_fold_tag()
 *
 * A tag as one token of letters and digits, for engines that can only hold tokens
 * (FTS5): `tag` and 32 hex digits of the tag's SHA-256, whatever the tag's length.
 *
 * Returns: (transfer full): the token
 */
char *
avfs_search_tag_token (const char *folded_tag)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, folded_tag, -1);

  return g_strdup_printf ("tag%.32s", digest);
}

/* Windows-1252 for 0x80–0x9F (what "Latin-1" text usually really is); the five bytes it
 * leaves undefined keep their Latin-1 (C1 control) meaning. 0xA0–0xFF are Latin-1. */
static const gunichar cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/**
 * avfs_search_text_from_bytes:
 * @data: a file's content
 * @len: its length
 *
 * What search indexes of a file. A file is text when its first 8 KiB hold no NUL byte.
 * Valid UTF-8 is kept as it is; each byte that is not part of valid UTF-8 is read as
 * Windows-1252/Latin-1, so Latin-1 files are searchable with their accents (a UTF-8
 * file with a stray byte keeps its other characters); a NUL past the first 8 KiB
 * becomes a space.
 *
 * Returns: (transfer full) (nullable): the text to index, %NULL for a binary file
 */
char *
avfs_search_text_from_bytes (const guint8 *data,
                             gsize         len)
{
  GString *text;
  const char *p = (const char *) data;
  const char *end = p + len;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  /* memchr() wants a pointer even for no bytes; an empty file has none. */
  if (len > 0 && memchr (data, 0, MIN (len, AVFS_SEARCH_TEXT_PROBE_BYTES)) != NULL)
    return NULL;
  text = g_string_sized_new (len + 1);
  while (p < end)
    {
      const char *valid_end;
      guchar byte;

      g_utf8_validate_len (p, end - p, &valid_end);
      g_string_append_len (text, p, valid_end - p);
      if (valid_end >= end)
        break;
      byte = (guchar) *valid_end;
      if (byte == 0)
        g_string_append_c (text, ' ');
      else if (byte >= 0x80 && byte < 0xA0)
        g_string_append_unichar (text, cp1252_high[byte - 0x80]);
      else
        g_string_append_unichar (text, byte);
      p = valid_end + 1;
    }
  return g_string_free (text, FALSE);
}
