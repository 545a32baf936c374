/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The AVFS_ERROR domain and the short names used for it in JSON output. */
#include "avfs-error.h"

G_DEFINE_QUARK (avfs-error-quark, avfs_error)

/**
 * avfs_error_to_kind:
 * @code: an #AvfsError
 *
 * Returns: a stable, machine-readable name for @code, e.g. `"not_found"`.
 */
const char *
avfs_error_to_kind (gint code)
{
  static const char *const kinds[] = {
    [AVFS_ERROR_FAILED] = "failed",
    [AVFS_ERROR_NOT_FOUND] = "not_found",
    [AVFS_ERROR_EXISTS] = "exists",
    [AVFS_ERROR_INVALID_ARGUMENT] = "invalid_argument",
    [AVFS_ERROR_INVALID_PATH] = "invalid_path",
    [AVFS_ERROR_CORRUPT] = "corrupt",
    [AVFS_ERROR_BACKEND_UNAVAILABLE] = "backend_unavailable",
    [AVFS_ERROR_LOCKED] = "locked",
    [AVFS_ERROR_IO] = "io",
    [AVFS_ERROR_NO_SPACE] = "no_space",
    [AVFS_ERROR_QUOTA_EXCEEDED] = "quota_exceeded",
    [AVFS_ERROR_CLOSED] = "closed",
    [AVFS_ERROR_CANCELLED] = "cancelled",
    [AVFS_ERROR_NOT_A_DIRECTORY] = "not_a_directory",
    [AVFS_ERROR_IS_A_DIRECTORY] = "is_a_directory",
    [AVFS_ERROR_NOT_EMPTY] = "not_empty",
  };

  if (code < 0 || code >= (gint) G_N_ELEMENTS (kinds))
    return "failed";
  return kinds[code];
}
