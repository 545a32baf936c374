/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The AVFS_ERROR domain shared by every layer of the core library. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AVFS_ERROR (avfs_error_quark ())

/**
 * AvfsError:
 * @AVFS_ERROR_FAILED: anything not covered below
 * @AVFS_ERROR_NOT_FOUND: a vault, collection, path or version does not exist
 * @AVFS_ERROR_EXISTS: the thing to create is already there
 * @AVFS_ERROR_INVALID_ARGUMENT: a name, key, option or value is malformed
 * @AVFS_ERROR_INVALID_PATH: a vault path is malformed or escapes `/`
 * @AVFS_ERROR_CORRUPT: the store on disk is damaged or not what it claims to be
 * @AVFS_ERROR_BACKEND_UNAVAILABLE: the engine is not compiled in this build
 * @AVFS_ERROR_LOCKED: another process holds the vault
 * @AVFS_ERROR_IO: the operating system refused a read or write
 * @AVFS_ERROR_NO_SPACE: the disk (or the engine's map) is full
 * @AVFS_ERROR_QUOTA_EXCEEDED: a vault quota would be exceeded
 * @AVFS_ERROR_CLOSED: the store was closed
 * @AVFS_ERROR_CANCELLED: the operation was cancelled
 * @AVFS_ERROR_NOT_A_DIRECTORY: a path names a file where a directory is needed
 * @AVFS_ERROR_IS_A_DIRECTORY: a path names a directory where a file is needed
 * @AVFS_ERROR_NOT_EMPTY: a directory to remove still has entries
 */
typedef enum {
  AVFS_ERROR_FAILED,
  AVFS_ERROR_NOT_FOUND,
  AVFS_ERROR_EXISTS,
  AVFS_ERROR_INVALID_ARGUMENT,
  AVFS_ERROR_INVALID_PATH,
  AVFS_ERROR_CORRUPT,
  AVFS_ERROR_BACKEND_UNAVAILABLE,
  AVFS_ERROR_LOCKED,
  AVFS_ERROR_IO,
  AVFS_ERROR_NO_SPACE,
  AVFS_ERROR_QUOTA_EXCEEDED,
  AVFS_ERROR_CLOSED,
  AVFS_ERROR_CANCELLED,
  AVFS_ERROR_NOT_A_DIRECTORY,
  AVFS_ERROR_IS_A_DIRECTORY,
  AVFS_ERROR_NOT_EMPTY,
} AvfsError;

GQuark      avfs_error_quark   (void);
const char *avfs_error_to_kind (gint code);

G_END_DECLS
