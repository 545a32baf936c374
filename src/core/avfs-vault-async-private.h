/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the files of the asynchronous API share: one block of arguments for every call,
 * and how a call starts its job. */
#pragma once

#include "avfs-job.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-transfer.h"

G_BEGIN_DECLS

/* The arguments of any call; each job reads the fields its call has. */
typedef struct
{
  char *path;                  /* a path, or what the call names: a tag, a snapshot… */
  char *other;                 /* a second one: a destination, a tag, a key, an engine */
  char *value;                 /* a third: a metadata value, a snapshot description */
  GBytes *content;
  GHashTable *options;
  AvfsVaultSettings *settings;
  guint64 number;              /* a version, flags, a limit, a quota */
  guint64 number2;             /* a second version, an age in days */
  gint64 signed_number;        /* a time, a compression level */
  gboolean flag;               /* parents, recursive, dry run */
  union                        /* filled by the operation even when it fails, so that */
  {                            /* its _finish can hand it on either way */
    AvfsGcReport gc;
    AvfsTransferReport transfer;
  } report;
} AvfsAsyncArgs;

AvfsAsyncArgs *avfs_async_args_new  (const char          *path,
                                     const char          *other,
                                     guint64              number,
                                     gboolean             flag);
void           avfs_async_args_free (gpointer             data);
void           avfs_async_run       (gpointer             source,
                                     gpointer             source_tag,
                                     AvfsJobFunc          func,
                                     AvfsAsyncArgs       *args,
                                     GDestroyNotify       result_free,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);

G_END_DECLS
