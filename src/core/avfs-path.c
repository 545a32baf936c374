/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Vault paths: absolute, `/`-separated, normalised; names are valid UTF-8 without `/`. */
#include <string.h>

#include "avfs-error.h"
#include "avfs-path.h"

#define SHOWN_CHARS 64  /* of a path in a message */

/**
 * avfs_text_for_message:
 * @text: user text (a path, a name, a tag): any bytes
 * @max_chars: how many characters to show at most
 *
 * Returns: (transfer full): @text as valid UTF-8, cut after @max_chars characters with
 *   "…", so that a hostile 4 KiB name does not make a 4 KiB message
 */
char *
avfs_text_for_message (const char *text,
                       guint       max_chars)
{
  g_autofree char *shown = g_utf8_make_valid (text, -1);
  g_autofree char *cut = NULL;

  if (g_utf8_strlen (shown, -1) <= max_chars)
    return g_steal_pointer (&shown);
  cut = g_utf8_substring (shown, 0, max_chars);
  return g_strconcat (cut, "…", NULL);
}

static void
set_invalid (GError     **error,
             const char  *path,
             const char  *why)
{
  g_autofree char *shown = avfs_text_for_message (path, SHOWN_CHARS);

  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_PATH, "Invalid path “%s”: %s", shown, why);
}

/**
 * avfs_path_check_name:
 * @name: one path component
 * @error: return location for an error
 *
 * A name is 1–255 bytes of valid UTF-8 without `/`, and is neither `.` nor `..`.
 *
 * Returns: %TRUE if @name may name a file or directory
 */
gboolean
avfs_path_check_name (const char  *name,
                      GError     **error)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0)
    set_invalid (error, "", "a name cannot be empty");
  else if (strchr (name, '/') != NULL)
    set_invalid (error, name, "a name cannot contain “/”");
  else if (g_str_equal (name, ".") || g_str_equal (name, ".."))
    set_invalid (error, name, "“.” and “..” are not names");
  else if (len > AVFS_PATH_MAX_NAME)
    set_invalid (error, name, "a name may be at most 255 bytes long");
  else if (!g_utf8_validate (name, len, NULL))
    set_invalid (error, name, "names must be valid UTF-8");
  else
    return TRUE;
  return FALSE;
}

static gboolean
push_component (GPtrArray   *parts,
                const char  *component,
                const char  *path,
                GError     **error)
{
  if (component[0] == '\0' || g_str_equal (component, "."))
    return TRUE;

  if (g_str_equal (component, ".."))
    {
      if (parts->len == 0)
        {
          set_invalid (error, path, "it leads above the vault's root “/”");
          return FALSE;
        }
      g_ptr_array_remove_index (parts, parts->len - 1);
      return TRUE;
    }

  if (strlen (component) > AVFS_PATH_MAX_NAME)
    {
      set_invalid (error, path, "a name in it is longer than 255 bytes");
      return FALSE;
    }
  g_ptr_array_add (parts, (gpointer) component);
  return TRUE;
}

/* Whether @path, absolute and valid UTF-8, is already normal: no empty, `.` or `..`
 * name, none over 255 bytes, no trailing `/`. Most paths callers pass are, and need no
 * splitting and joining. */
static gboolean
is_normal (const char *path)
{
  const char *name = path + 1;

  if (*name == '\0')
    return TRUE;
  for (;;)
    {
      const char *slash = strchr (name, '/');
      gsize len = slash != NULL ? (gsize) (slash - name) : strlen (name);
      gboolean dots = len <= 2 && name[0] == '.' && (len == 1 || name[1] == '.');

      if (len == 0 || len > AVFS_PATH_MAX_NAME || dots)
        return FALSE;
      if (slash == NULL)
        return TRUE;
      name = slash + 1;
    }
}

/**
 * avfs_path_normalize:
 * @path: an absolute vault path
 * @error: return location for an error
 *
 * Resolves `.`, `..`, repeated and trailing `/`. Refuses a relative path, invalid
 * UTF-8, a name over 255 bytes, and any `..` that would lead above `/`.
 *
 * Returns: (transfer full) (nullable): the normalised path, e.g. `/a/b`, or `/`
 */
char *
avfs_path_normalize (const char  *path,
                     GError     **error)
{
  g_auto(GStrv) components = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GString) result = NULL;

  if (path == NULL || path[0] == '\0')
    {
      set_invalid (error, "", "a path is required");
      return NULL;
    }
  if (path[0] != '/')
    {
      set_invalid (error, path, "vault paths start with “/”");
      return NULL;
    }
  if (strlen (path) > AVFS_PATH_MAX_LEN)
    {
      set_invalid (error, path, "it is longer than 4096 bytes");
      return NULL;
    }
  if (!g_utf8_validate (path, -1, NULL))
    {
      set_invalid (error, path, "paths must be valid UTF-8");
      return NULL;
    }

  if (is_normal (path))
    return g_strdup (path);

  components = g_strsplit (path, "/", -1);
  parts = g_ptr_array_new ();
  for (guint i = 0; components[i] != NULL; i++)
    {
      if (!push_component (parts, components[i], path, error))
        return NULL;
    }

  result = g_string_new (NULL);
  for (guint i = 0; i < parts->len; i++)
    g_string_append_printf (result, "/%s", (const char *) g_ptr_array_index (parts, i));
  if (result->len == 0)
    g_string_append_c (result, '/');
  return g_string_free (g_steal_pointer (&result), FALSE);
}

/**
 * avfs_path_resolve:
 * @base: an absolute, normalised directory (the shell's working directory)
 * @path: an absolute path, or one relative to @base
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the normalised absolute path
 */
char *
avfs_path_resolve (const char  *base,
                   const char  *path,
                   GError     **error)
{
  g_autofree char *joined = NULL;

  if (path != NULL && path[0] != '/' && path[0] != '\0')
    path = joined = g_strconcat (base, g_str_has_suffix (base, "/") ? "" : "/", path, NULL);
  return avfs_path_normalize (path, error);
}

/**
 * avfs_path_get_parent:
 * @path: a normalised path
 *
 * Returns: (transfer full): the parent directory; `/` is its own parent
 */
char *
avfs_path_get_parent (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL || slash == path)
    return g_strdup ("/");
  return g_strndup (path, slash - path);
}

/**
 * avfs_path_get_name:
 * @path: a normalised path
 *
 * Returns: (transfer none): the last component, or `""` for `/`
 */
const char *
avfs_path_get_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

/**
 * avfs_path_join:
 * @dir: a normalised directory path
 * @name: a checked name
 *
 * Returns: (transfer full): @dir/@name
 */
char *
avfs_path_join (const char *dir,
                const char *name)
{
  return g_strconcat (dir, g_str_equal (dir, "/") ? "" : "/", name, NULL);
}

/**
 * avfs_path_is_inside:
 * @path: a normalised path
 * @ancestor: a normalised path
 *
 * Returns: %TRUE if @path is @ancestor or lies beneath it
 */
gboolean
avfs_path_is_inside (const char *path,
                     const char *ancestor)
{
  gsize len = strlen (ancestor);

  if (g_str_equal (ancestor, "/"))
    return TRUE;
  return strncmp (path, ancestor, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/**
 * avfs_path_split:
 * @path: a normalised path
 *
 * Returns: (transfer full): its names from the root down; empty for `/`
 */
char **
avfs_path_split (const char *path)
{
  if (g_str_equal (path, "/"))
    return g_new0 (char *, 1);
  return g_strsplit (path + 1, "/", -1);
}
