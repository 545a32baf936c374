/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one tokenizer every search engine uses, for documents and for queries alike. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A token longer than this (after folding) is cut at a character boundary. */
#define AVFS_SEARCH_MAX_TOKEN_BYTES 128

/* Only the first bytes of a file decide whether it is text (no NUL in them). */
#define AVFS_SEARCH_TEXT_PROBE_BYTES 8192

/**
 * AvfsSearchToken:
 * @folded: the token as indexed: NFKC-normalised and case-folded (not NUL-terminated)
 * @folded_len: its length in bytes
 * @start: byte offset of the token's first byte in the text
 * @end: byte offset just past its last byte
 * @position: the token's index in the text, counting from 0
 *
 * Valid only during the callback that receives it.
 */
typedef struct
{
  const char *folded;
  gsize folded_len;
  gsize start;
  gsize end;
  guint position;
} AvfsSearchToken;

/* Returns %FALSE to stop tokenizing. */
typedef gboolean (*AvfsSearchTokenFunc) (const AvfsSearchToken *token,
                                         gpointer               user_data);

void     avfs_search_tokenize            (const char           *text,
                                          gsize                 len,
                                          AvfsSearchTokenFunc   func,
                                          gpointer              user_data);
char   **avfs_search_tokenize_to_strv    (const char           *text,
                                          gssize                len);
gboolean avfs_search_is_token_start      (gunichar              c);
char    *avfs_search_fold_tag            (const char           *tag);
char    *avfs_search_tag_token           (const char           *folded_tag);
char    *avfs_search_text_from_bytes     (const guint8         *data,
                                          gsize                 len);

G_END_DECLS
