/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hostile input through the core API on every engine, one table of cases: each must fail
 * with its documented error code and leave the vault verifying and byte for byte as it
 * was (every record of every collection). */
#include "avfs-vault-find.h"
#include "avfs-vault-maintenance.h"
#include "avfs-vault-search.h"
#include "avfs-vault-snapshots.h"
#include "avfs-vault-tags.h"
#include "vault-fixture.h"

typedef enum {
  OP_WRITE,
  OP_MKDIR,
  OP_TOUCH,
  OP_MOVE,
  OP_COPY,
  OP_REMOVE,
  OP_RMDIR,
  OP_TAG,
  OP_META_KEY,
  OP_META_VALUE,
  OP_SNAPSHOT_NAME,
  OP_SNAPSHOT_DESCRIPTION,
  OP_FIND_GLOB,
  OP_FIND_META,
  OP_GREP,
} Op;

/* An argument: a literal, or one of the long strings below (made when the case runs).
 * The API takes C strings, so a NUL inside one ends it: the core sees only what comes
 * before, and those cases check that this prefix is refused and nothing after it is
 * ever stored. */
typedef enum {
  ARG_LITERAL,
  ARG_NAME_256,      /* "/" and a 256-byte name */
  ARG_NAME_4096,     /* "/" and a 4096-byte name */
  ARG_PATH_4097,     /* a path of 4097 bytes, of names of 240 */
  ARG_VALUE_1_MIB,   /* a metadata value of 1 MiB */
  ARG_VALUE_64_MIB,  /* a metadata value of 64 MiB */
} ArgKind;

typedef struct
{
  const char *name;
  Op op;
  const char *arg;
  ArgKind kind;
  AvfsError code;
} HostileCase;

static const HostileCase cases[] = {
  /* Embedded NUL: the name ends at it. */
  { "nul-write-empty", OP_WRITE, "\0/docs/x", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "nul-write-dir", OP_WRITE, "/docs\0/new.txt", ARG_LITERAL, AVFS_ERROR_IS_A_DIRECTORY },
  { "nul-mkdir", OP_MKDIR, "/docs\0/new", ARG_LITERAL, AVFS_ERROR_EXISTS },
  { "nul-touch", OP_TOUCH, "\0/x", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "nul-move", OP_MOVE, "\0/x", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "nul-copy", OP_COPY, "\0/x", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "nul-remove", OP_REMOVE, "/\0docs", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "nul-tag", OP_TAG, "\0red", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "nul-meta-key", OP_META_KEY, "\0k", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "nul-snapshot-name", OP_SNAPSHOT_NAME, "\0s2", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "nul-snapshot-taken", OP_SNAPSHOT_NAME, "s1\0-other", ARG_LITERAL, AVFS_ERROR_EXISTS },
  { "nul-find-meta", OP_FIND_META, "\0k", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  /* Bytes that are not UTF-8. */
  { "utf8-write", OP_WRITE, "/docs/bad\xff", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-write-truncated", OP_WRITE, "/docs/\xc3", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-write-surrogate", OP_WRITE, "/docs/\xed\xa0\x80", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-write-overlong", OP_WRITE, "/docs/\xc0\xaf", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-mkdir", OP_MKDIR, "/new/\xfe", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-touch", OP_TOUCH, "/\x80", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-move", OP_MOVE, "/docs/\xff", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-copy", OP_COPY, "/docs/\xff", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "utf8-tag", OP_TAG, "t\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "utf8-meta-key", OP_META_KEY, "k\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "utf8-meta-value", OP_META_VALUE, "v\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "utf8-snapshot-name", OP_SNAPSHOT_NAME, "s\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "utf8-snapshot-description", OP_SNAPSHOT_DESCRIPTION, "d\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "utf8-find-glob", OP_FIND_GLOB, "*\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "utf8-find-meta", OP_FIND_META, "k\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "utf8-grep", OP_GREP, "hel\xff", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  /* Control characters where names forbid them. */
  { "control-tag", OP_TAG, "red\x1b[2J", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "control-meta-key", OP_META_KEY, "k\x07", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "control-snapshot-name", OP_SNAPSHOT_NAME, "s\x01", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "control-snapshot-description", OP_SNAPSHOT_DESCRIPTION, "two\nlines", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "control-find-meta", OP_FIND_META, "k\x01", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  /* Lengths. */
  { "name-256-write", OP_WRITE, NULL, ARG_NAME_256, AVFS_ERROR_INVALID_PATH },
  { "name-256-mkdir", OP_MKDIR, NULL, ARG_NAME_256, AVFS_ERROR_INVALID_PATH },
  /* The message quotes the start of such a path only (avfs_text_for_message()). */
  { "name-4096-write", OP_WRITE, NULL, ARG_NAME_4096, AVFS_ERROR_INVALID_PATH },
  { "name-4096-move", OP_MOVE, NULL, ARG_NAME_4096, AVFS_ERROR_INVALID_PATH },
  { "name-4096-copy", OP_COPY, NULL, ARG_NAME_4096, AVFS_ERROR_INVALID_PATH },
  { "path-4097-touch", OP_TOUCH, NULL, ARG_PATH_4097, AVFS_ERROR_INVALID_PATH },
  { "meta-value-1-mib", OP_META_VALUE, NULL, ARG_VALUE_1_MIB, AVFS_ERROR_INVALID_ARGUMENT },
  { "meta-value-64-mib", OP_META_VALUE, NULL, ARG_VALUE_64_MIB, AVFS_ERROR_INVALID_ARGUMENT },
  { "tag-129-bytes", OP_TAG, "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  /* `.`, `..` and the root. */
  { "escape-write", OP_WRITE, "/../etc/evil", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "escape-mkdir", OP_MKDIR, "/docs/../../x", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "escape-move", OP_MOVE, "/docs/sub/../../../a.txt", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "escape-copy", OP_COPY, "/..", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "dotdot-write-directory", OP_WRITE, "/docs/sub/..", ARG_LITERAL, AVFS_ERROR_IS_A_DIRECTORY },
  { "dot-mkdir-root", OP_MKDIR, "/.", ARG_LITERAL, AVFS_ERROR_EXISTS },
  { "relative-write", OP_WRITE, "docs/x", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "remove-root", OP_REMOVE, "/", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "remove-root-dotdot", OP_REMOVE, "/docs/..", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  { "file-as-directory", OP_WRITE, "/docs/a.txt/x", ARG_LITERAL, AVFS_ERROR_NOT_A_DIRECTORY },
  { "rmdir-file", OP_RMDIR, "/docs/a.txt", ARG_LITERAL, AVFS_ERROR_NOT_A_DIRECTORY },
  { "rmdir-not-empty", OP_RMDIR, "/docs", ARG_LITERAL, AVFS_ERROR_NOT_EMPTY },
  { "rmdir-root", OP_RMDIR, "/", ARG_LITERAL, AVFS_ERROR_INVALID_PATH },
  /* Malformed names and patterns. */
  { "tag-whitespace", OP_TAG, "a b", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "tag-empty", OP_TAG, "", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "meta-key-space", OP_META_KEY, "bad key", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "snapshot-name-slash", OP_SNAPSHOT_NAME, "../x", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "snapshot-name-65", OP_SNAPSHOT_NAME, "sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "find-glob-empty", OP_FIND_GLOB, "", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "grep-unbalanced", OP_GREP, "(", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
  { "grep-class", OP_GREP, "[", ARG_LITERAL, AVFS_ERROR_INVALID_ARGUMENT },
};

typedef struct
{
  const AvfsEngineInfo *engine;
  const HostileCase *hostile;
} CaseData;

/* Longer messages quote too much of the input to be read. */
#define MAX_MESSAGE_LEN 1024

/* The argument of @hostile, made when it is a long one. */
static char *
make_arg (const HostileCase *hostile)
{
  g_autofree char *name_256 = g_strnfill (256, 'n');
  g_autofree char *name_4096 = g_strnfill (4096, 'n');
  g_autofree char *name_240 = g_strnfill (240, 'p');
  g_autoptr(GString) path_4097 = g_string_new (NULL);

  switch (hostile->kind)
    {
    case ARG_LITERAL:
      return g_strdup (hostile->arg);
    case ARG_NAME_256:
      return g_strconcat ("/", name_256, NULL);
    case ARG_NAME_4096:
      return g_strconcat ("/", name_4096, NULL);
    case ARG_PATH_4097:
      for (guint i = 0; i < 17; i++)
        g_string_append_printf (path_4097, "/%s", name_240);
      return g_strdup (path_4097->str);
    case ARG_VALUE_1_MIB:
      return g_strnfill (1024 * 1024, 'v');
    case ARG_VALUE_64_MIB:
      return g_strnfill (64 * 1024 * 1024, 'v');
    }
  g_assert_not_reached ();
}

/* Matches are not what these cases are about: take them all. */
static gboolean
grep_cb (const char *path,
         guint       line_number,
         const char *line,
         gpointer    user_data)
{
  return TRUE;
}

static gboolean
run_find (AvfsVault           *vault,
          const AvfsFindQuery *query,
          GError             **error)
{
  g_autoptr(GPtrArray) found = avfs_vault_find (vault, "/", query, error);

  return found != NULL;
}

/* Runs one operation with @arg where the case puts its hostile input. */
static gboolean
run_op (AvfsVault   *vault,
        Op           op,
        const char  *arg,
        GError     **error)
{
  AvfsFindQuery query = AVFS_FIND_QUERY_INIT;
  g_autofree char *moved = NULL;

  switch (op)
    {
    case OP_WRITE:
      return avfs_vault_write (vault, arg, (const guint8 *) "x", 1, AVFS_WRITE_NONE, error) > 0;
    case OP_MKDIR:
      return avfs_vault_mkdir (vault, arg, FALSE, error);
    case OP_TOUCH:
      return avfs_vault_touch (vault, arg, error);
    case OP_MOVE:
      return (moved = avfs_vault_move (vault, "/docs/a.txt", arg, error)) != NULL;
    case OP_COPY:
      return (moved = avfs_vault_copy (vault, "/docs/a.txt", arg, FALSE, error)) != NULL;
    case OP_REMOVE:
      return avfs_vault_remove (vault, arg, TRUE, error);
    case OP_RMDIR:
      return avfs_vault_rmdir (vault, arg, error);
    case OP_TAG:
      return avfs_vault_tag_add (vault, "/docs/a.txt", arg, error);
    case OP_META_KEY:
      return avfs_vault_meta_set (vault, "/docs/a.txt", arg, "v", error);
    case OP_META_VALUE:
      return avfs_vault_meta_set (vault, "/docs/a.txt", "author", arg, error);
    case OP_SNAPSHOT_NAME:
      return avfs_vault_snapshot_save (vault, arg, NULL, error);
    case OP_SNAPSHOT_DESCRIPTION:
      return avfs_vault_snapshot_save (vault, "s2", arg, error);
    case OP_FIND_GLOB:
      query.name_glob = arg;
      return run_find (vault, &query, error);
    case OP_FIND_META:
      query.meta_key = arg;
      return run_find (vault, &query, error);
    case OP_GREP:
      return avfs_vault_grep (vault, arg, "/", FALSE, grep_cb, NULL, NULL, error);
    }
  g_assert_not_reached ();
}

/* A few directories, a file with two versions, a tag, metadata and a snapshot. */
static void
set_up (VaultFixture  *f,
        gconstpointer  data)
{
  const CaseData *case_data = data;
  g_autoptr(GError) error = NULL;

  vault_fixture_set_up (f, case_data->engine);
  g_assert_true (avfs_vault_mkdir (f->vault, "/docs/sub", TRUE, &error));
  vault_write_string (f->vault, "/docs/a.txt", "hello");
  vault_write_string (f->vault, "/docs/a.txt", "hello world");
  g_assert_true (avfs_vault_tag_add (f->vault, "/docs/a.txt", "red", &error));
  g_assert_true (avfs_vault_meta_set (f->vault, "/docs/a.txt", "author", "ada", &error));
  g_assert_true (avfs_vault_snapshot_save (f->vault, "s1", NULL, &error));
  /* The indexer drains the search queue in the background: empty it now, so that the
   * fingerprints only differ by what a case changes. */
  g_assert_true (avfs_vault_search_flush (f->vault, &error));
  g_assert_no_error (error);
}

static void
test_case (VaultFixture  *f,
           gconstpointer  data)
{
  const HostileCase *hostile = ((const CaseData *) data)->hostile;
  g_autofree char *before = vault_records_fingerprint (f->vault, FALSE);
  g_autofree char *after = NULL;
  g_autofree char *arg = make_arg (hostile);
  g_autoptr(GError) error = NULL;

  g_assert_false (run_op (f->vault, hostile->op, arg, &error));
  g_assert_error (error, AVFS_ERROR, (gint) hostile->code);
  /* A message is for people: readable, and short enough to read. */
  if (error != NULL)
    {
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpuint (strlen (error->message), <, MAX_MESSAGE_LEN);
    }
  after = vault_records_fingerprint (f->vault, FALSE);
  g_assert_cmpstr (after, ==, before);
  vault_assert_verifies (f->vault);
  vault_assert_content (f->vault, "/docs/a.txt", 0, "hello world");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) data = g_ptr_array_new_with_free_func (g_free);
  guint n;
  const AvfsEngineInfo *engines = avfs_storage_list_engines (&n);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* One failing case is reported and the table goes on. */
  g_test_set_nonfatal_assertions ();
  for (guint e = 0; e < n; e++)
    {
      if (!engines[e].available)
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          g_autofree char *path = g_strdup_printf ("/hostile-core/%s/%s", engines[e].name,
                                                   cases[c].name);
          CaseData *case_data = g_new (CaseData, 1);

          *case_data = (CaseData) { &engines[e], &cases[c] };
          g_ptr_array_add (data, case_data);
          g_test_add_vtable (path, sizeof (VaultFixture), case_data,
                             (GTestFixtureFunc) set_up, (GTestFixtureFunc) test_case,
                             (GTestFixtureFunc) vault_fixture_tear_down);
        }
    }
  return g_test_run ();
}
