/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tags and key/value metadata on the files and directories of a vault. */
#pragma once

#include "avfs-vault.h"

G_BEGIN_DECLS

/* Tags: 1–128 bytes of UTF-8 without whitespace, control characters, `/` or `,`. */
#define AVFS_TAG_MAX_LEN 128
/* Metadata keys: 1–128 of A-Za-z0-9 _ . : -, starting with a letter, digit or `_`. */
#define AVFS_META_KEY_MAX_LEN 128
/* Metadata values: UTF-8 text, at most this many bytes (may be empty). */
#define AVFS_META_VALUE_MAX_LEN (64 * 1024)

/**
 * AvfsTagCount:
 * @tag: a tag
 * @count: how many files and directories carry it
 */
typedef struct
{
  char *tag;
  guint64 count;
} AvfsTagCount;

#define AVFS_TYPE_TAG_COUNT (avfs_tag_count_get_type ())

GType          avfs_tag_count_get_type  (void) G_GNUC_CONST;
AvfsTagCount  *avfs_tag_count_copy      (const AvfsTagCount  *self);
void           avfs_tag_count_free      (AvfsTagCount        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsTagCount, avfs_tag_count_free)

/**
 * AvfsMetaEntry:
 * @key: a metadata key
 * @value: its value
 */
typedef struct
{
  char *key;
  char *value;
} AvfsMetaEntry;

#define AVFS_TYPE_META_ENTRY (avfs_meta_entry_get_type ())

GType          avfs_meta_entry_get_type (void) G_GNUC_CONST;
AvfsMetaEntry *avfs_meta_entry_copy     (const AvfsMetaEntry *self);
void           avfs_meta_entry_free     (AvfsMetaEntry       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AvfsMetaEntry, avfs_meta_entry_free)

/* Checks, for callers that validate input as it is typed */
gboolean    avfs_vault_check_tag        (const char   *tag,
                                         GError      **error);
gboolean    avfs_vault_check_meta_key   (const char   *key,
                                         GError      **error);
gboolean    avfs_vault_check_meta_value (const char   *value,
                                         GError      **error);

/* Tags */
gboolean    avfs_vault_tag_add          (AvfsVault    *self,
                                         const char   *path,
                                         const char   *tag,
                                         GError      **error);
gboolean    avfs_vault_tag_remove       (AvfsVault    *self,
                                         const char   *path,
                                         const char   *tag,
                                         GError      **error);
char      **avfs_vault_tags_list        (AvfsVault    *self,
                                         const char   *path,
                                         GError      **error);
GPtrArray  *avfs_vault_tags_all         (AvfsVault    *self,
                                         GError      **error);
char      **avfs_vault_find_by_tag      (AvfsVault    *self,
                                         const char   *tag,
                                         GError      **error);

/* Metadata */
gboolean    avfs_vault_meta_set         (AvfsVault    *self,
                                         const char   *path,
                                         const char   *key,
                                         const char   *value,
                                         GError      **error);
char       *avfs_vault_meta_get         (AvfsVault    *self,
                                         const char   *path,
                                         const char   *key,
                                         GError      **error);
gboolean    avfs_vault_meta_delete      (AvfsVault    *self,
                                         const char   *path,
                                         const char   *key,
                                         GError      **error);
GPtrArray  *avfs_vault_meta_list        (AvfsVault    *self,
                                         const char   *path,
                                         GError      **error);

G_END_DECLS
