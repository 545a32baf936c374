/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quotas (checked when content grows) and the audit log: an entry in each mutation's
 * transaction, queries newest first, clearing, and rotation to a maximum of entries. */
#include <string.h>

#include "avfs-vault-admin.h"
#include "avfs-vault-private.h"

#define AUDIT_TYPE G_VARIANT_TYPE (AVFS_AUDIT_RECORD)
#define QUOTA_TYPE G_VARIANT_TYPE (AVFS_QUOTA_RECORD)
#define RECORD_FORMAT 1
#define AUDIT_KEY_LEN (AVFS_ID_KEY_LEN + 4)  /* time µs ‖ sequence, both big-endian */
#define MIB (G_GUINT64_CONSTANT (1024) * 1024)

/* Meta names */
#define QUOTA_KEY "quota"
#define AUDIT_COUNT_KEY "audit_count"
#define AUDIT_MAX_KEY "audit_max_entries"

G_DEFINE_BOXED_TYPE (AvfsAuditEntry, avfs_audit_entry, avfs_audit_entry_copy,
                     avfs_audit_entry_free)

/**
 * avfs_audit_entry_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
AvfsAuditEntry *
avfs_audit_entry_copy (const AvfsAuditEntry *self)
{
  AvfsAuditEntry *copy = g_memdup2 (self, sizeof *self);

  copy->op = g_strdup (self->op);
  copy->path = g_strdup (self->path);
  copy->details_json = g_strdup (self->details_json);
  return copy;
}

void
avfs_audit_entry_free (AvfsAuditEntry *self)
{
  if (self == NULL)
    return;
  g_free (self->op);
  g_free (self->path);
  g_free (self->details_json);
  g_free (self);
}

/**
 * avfs_json_quote:
 * @text: valid UTF-8
 *
 * For the details of audit entries, which must stay valid JSON whatever a path holds.
 *
 * Returns: (transfer full): @text as a JSON string literal, quotes included
 */
char *
avfs_json_quote (const char *text)
{
  GString *json = g_string_new ("\"");

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (json, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (json, "\\u%04x", *p);
      else
        g_string_append_c (json, *p);
    }
  g_string_append_c (json, '"');
  return g_string_free (json, FALSE);
}

/* Quotas */

typedef struct
{
  const char *name;
  gsize offset;
} QuotaField;

static const QuotaField quota_fields[] = {
  { "max_size_mb", G_STRUCT_OFFSET (AvfsQuota, max_size_mb) },
  { "max_files", G_STRUCT_OFFSET (AvfsQuota, max_files) },
  { "max_file_size_mb", G_STRUCT_OFFSET (AvfsQuota, max_file_size_mb) },
};

static const QuotaField *
find_quota_field (const char  *name,
                  GError     **error)
{
  g_autofree char *shown = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (quota_fields); i++)
    {
      if (g_str_equal (name, quota_fields[i].name))
        return &quota_fields[i];
    }
  shown = g_utf8_make_valid (name, -1);
  g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
               "There is no quota named “%s”: use max_size_mb, max_files or max_file_size_mb",
               shown);
  return NULL;
}

/* Reads meta "quota"; no record means no limits. */
static gboolean
quota_load (AvfsVault        *self,
            AvfsTransaction  *tx,
            AvfsQuota        *quota,
            GError          **error)
{
  GError *local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) record = NULL;

  *quota = (AvfsQuota) { 0 };
  bytes = avfs_vault_get_record (self, tx, AVFS_COLLECTION_META, (const guint8 *) QUOTA_KEY,
                                 strlen (QUOTA_KEY), &local_error);
  if (bytes == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, local_error);
      return FALSE;
    }
  record = avfs_record_parse (bytes, QUOTA_TYPE, "quota", error);
  if (record == NULL)
    return FALSE;
  g_variant_get (record, AVFS_QUOTA_RECORD, NULL, &quota->max_size_mb, &quota->max_files,
                 &quota->max_file_size_mb);
  return TRUE;
}

static gboolean
quota_is_none (const AvfsQuota *quota)
{
  return quota->max_size_mb == 0 && quota->max_files == 0 && quota->max_file_size_mb == 0;
}

/* Without any limit the record goes, so checking a vault without quotas costs one get. */
static gboolean
quota_save (AvfsTransaction  *tx,
            const AvfsQuota  *quota,
            GError          **error)
{
  g_autoptr(GBytes) value = NULL;

  if (quota_is_none (quota))
    return avfs_transaction_delete (tx, AVFS_COLLECTION_META, (const guint8 *) QUOTA_KEY,
                                    strlen (QUOTA_KEY), error);
  value = avfs_record_serialize (g_variant_new (AVFS_QUOTA_RECORD, RECORD_FORMAT,
                                                quota->max_size_mb, quota->max_files,
                                                quota->max_file_size_mb));
  return avfs_transaction_put (tx, AVFS_COLLECTION_META, (const guint8 *) QUOTA_KEY,
                               strlen (QUOTA_KEY), g_bytes_get_data (value, NULL),
                               g_bytes_get_size (value), error);
}

/**
 * avfs_vault_check_quota:
 * @after: the vault's usage once the change is made
 * @file_size: the size of the file the change writes, or 0
 * @path: the path being changed, for the message
 *
 * Call it before saving @after: the usage stored in @tx is the state before the change.
 * A vault-wide limit refuses only growth (more files, more bytes), so a vault already
 * over a limit set later can still shrink, and rewrite files at the same size. The
 * file-size limit applies to every file written.
 *
 * Returns: %FALSE with %AVFS_ERROR_QUOTA_EXCEEDED naming the limit and the would-be value
 */
gboolean
avfs_vault_check_quota (AvfsVault        *self,
                        AvfsTransaction  *tx,
                        const AvfsUsage  *after,
                        guint64           file_size,
                        const char       *path,
                        GError          **error)
{
  AvfsQuota quota;
  AvfsUsage before;

  if (!quota_load (self, tx, &quota, error))
    return FALSE;
  if (quota_is_none (&quota))
    return TRUE;
  if (!avfs_usage_load (self, tx, &before, error))
    return FALSE;

  if (quota.max_file_size_mb > 0 && file_size > quota.max_file_size_mb * MIB)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED,
                 "%s: the file would be %" G_GUINT64_FORMAT " bytes, over the vault's "
                 "max_file_size_mb quota of %" G_GUINT64_FORMAT " MB",
                 path, file_size, quota.max_file_size_mb);
  else if (quota.max_files > 0 && after->files > quota.max_files &&
           after->files > before.files)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED,
                 "%s: the vault would hold %" G_GUINT64_FORMAT " files, over its max_files "
                 "quota of %" G_GUINT64_FORMAT, path, after->files, quota.max_files);
  else if (quota.max_size_mb > 0 && after->bytes > quota.max_size_mb * MIB &&
           after->bytes > before.bytes)
    g_set_error (error, AVFS_ERROR, AVFS_ERROR_QUOTA_EXCEEDED,
                 "%s: the vault would hold %" G_GUINT64_FORMAT " bytes, over its max_size_mb "
                 "quota of %" G_GUINT64_FORMAT " MB", path, after->bytes, quota.max_size_mb);
  else
    return TRUE;
  return FALSE;
}

/**
 * avfs_vault_quota_get:
 * @quota: (out caller-allocates): the limits, 0 where there is none
 */
gboolean
avfs_vault_quota_get (AvfsVault  *self,
                      AvfsQuota  *quota,
                      GError    **error)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (quota != NULL, FALSE);
  return quota_load (self, NULL, quota, error);
}

typedef struct
{
  AvfsVault *vault;
  const QuotaField *field;
  guint64 value;  /* 0 clears the limit */
} QuotaJob;

static gboolean
quota_change_cb (AvfsTransaction  *tx,
                 gpointer          user_data,
                 GError          **error)
{
  QuotaJob *job = user_data;
  g_autofree char *details = NULL;
  AvfsQuota quota;
  guint64 *limit;

  if (!quota_load (job->vault, tx, &quota, error))
    return FALSE;
  limit = G_STRUCT_MEMBER_P (&quota, job->field->offset);
  if (*limit == job->value)
    return TRUE;
  *limit = job->value;
  details = g_strdup_printf ("{\"name\": \"%s\", \"value\": %" G_GUINT64_FORMAT "}",
                             job->field->name, job->value);
  return quota_save (tx, &quota, error) &&
         avfs_vault_audit (job->vault, tx, job->value > 0 ? "quota-set" : "quota-clear", "",
                           details, error);
}

static gboolean
change_quota (AvfsVault         *self,
              const QuotaField  *field,
              guint64            value,
              GError           **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write_lock);
  QuotaJob job = { self, field, value };

  return avfs_vault_transaction (self, quota_change_cb, &job, error);
}

/**
 * avfs_vault_quota_set:
 * @name: `max_size_mb`, `max_files` or `max_file_size_mb`
 * @value: the limit, 1 to %AVFS_QUOTA_MAX_VALUE
 *
 * Sets one limit, leaving the others. A limit below the current usage is accepted: it
 * stops further growth, and takes nothing away.
 */
gboolean
avfs_vault_quota_set (AvfsVault   *self,
                      const char  *name,
                      guint64      value,
                      GError     **error)
{
  const QuotaField *field;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  field = find_quota_field (name, error);
  if (field == NULL)
    return FALSE;
  if (value == 0 || value > AVFS_QUOTA_MAX_VALUE)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "The %s quota must be 1 to %" G_GUINT64_FORMAT ", not %" G_GUINT64_FORMAT
                   "; to remove the limit, clear it instead", name, AVFS_QUOTA_MAX_VALUE, value);
      return FALSE;
    }
  return change_quota (self, field, value, error);
}

/**
 * avfs_vault_quota_clear:
 * @name: `max_size_mb`, `max_files` or `max_file_size_mb`
 *
 * Removes one limit; clearing a limit that is not set does nothing.
 */
gboolean
avfs_vault_quota_clear (AvfsVault   *self,
                        const char  *name,
                        GError     **error)
{
  const QuotaField *field;

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  field = find_quota_field (name, error);
  return field != NULL && change_quota (self, field, 0, error);
}

/* The audit log
 *
 * Rotation must not slow writes down, and a transaction cannot scan, so the log keeps
 * its entry count in meta "audit_count": each entry costs one extra small get and put
 * of that counter. After a mutation commits, avfs_vault_transaction() compares the count
 * with the limit, and only once it is 10% over does it scan the keys and delete the
 * oldest in one batch, down to the limit. That batch also recounts, so a counter that
 * went wrong heals at the next trim. Trimming is upkeep, not a change, and leaves no
 * entry of its own. */

/**
 * avfs_vault_audit:
 * @op: the operation, e.g. `write`
 * @path: the path it changed, or `""` for the whole vault
 * @details_json: (nullable): a JSON object with the particulars
 *
 * Records a mutation inside its own transaction, so the log and the change commit
 * together. The caller holds the write lock and runs @tx with avfs_vault_transaction().
 */
gboolean
avfs_vault_audit (AvfsVault        *self,
                  AvfsTransaction  *tx,
                  const char       *op,
                  const char       *path,
                  const char       *details_json,
                  GError          **error)
{
  gint64 now = g_get_real_time ();
  guint8 key[AUDIT_KEY_LEN];
  guint32 sequence = GUINT32_TO_BE ((guint32) g_atomic_int_add (&self->audit_sequence, 1));
  const char *details = details_json != NULL ? details_json : "{}";
  g_autoptr(GBytes) record = NULL;
  AvfsRecordWriter writer;
  guint64 count;

  avfs_id_key (now, key);
  memcpy (key + AVFS_ID_KEY_LEN, &sequence, sizeof sequence);
  /* AVFS_AUDIT_RECORD, written by hand: one goes with every mutation. */
  avfs_record_writer_init (&writer);
  avfs_record_put_uint64 (&writer, now);
  avfs_record_put_string (&writer, op);
  avfs_record_put_string (&writer, path);
  record = avfs_record_writer_finish (&writer, (const guint8 *) details, strlen (details) + 1);
  if (!avfs_meta_get_uint64 (self, tx, AUDIT_COUNT_KEY, &count, error) ||
      !avfs_meta_put_uint64 (tx, AUDIT_COUNT_KEY, count + 1, error) ||
      !avfs_transaction_put (tx, AVFS_COLLECTION_AUDIT, key, sizeof key,
                             g_bytes_get_data (record, NULL), g_bytes_get_size (record),
                             error))
    return FALSE;
  self->audit_count = count + 1;
  g_ptr_array_add (self->changes, g_strdup (op));
  g_ptr_array_add (self->changes, g_strdup (path));
  return TRUE;
}

static gboolean
add_audit_key_cb (AvfsCursor  *cursor,
                  gpointer     user_data,
                  GError     **error)
{
  gsize len;
  const guint8 *key = avfs_cursor_get_key (cursor, &len);

  if (len != AUDIT_KEY_LEN)
    {
      g_set_error_literal (error, AVFS_ERROR, AVFS_ERROR_CORRUPT,
                           "An audit log entry is damaged; run “avfs-cli vault verify”");
      return FALSE;
    }
  g_array_append_vals (user_data, key, 1);
  return TRUE;
}

/* The keys of every entry, oldest first, AUDIT_KEY_LEN bytes each. */
static GArray *
gather_audit_keys (AvfsVault  *self,
                   GError    **error)
{
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, AUDIT_KEY_LEN);

  if (!avfs_vault_scan_prefix_each (self, AVFS_COLLECTION_AUDIT, NULL, 0, add_audit_key_cb,
                                    keys, error))
    return NULL;
  return g_steal_pointer (&keys);
}

typedef struct
{
  AvfsVault *vault;
  GArray *keys;     /* every entry, oldest first */
  guint n_delete;   /* how many of the oldest go */
} DeleteJob;

/* Deletes the oldest entries and sets the counter to what remains. */
static gboolean
delete_entries_cb (AvfsTransaction  *tx,
                   gpointer          user_data,
                   GError          **error)
{
  DeleteJob *job = user_data;

  for (guint i = 0; i < job->n_delete; i++)
    {
      if (!avfs_transaction_delete (tx, AVFS_COLLECTION_AUDIT,
                                    (const guint8 *) job->keys->data + i * AUDIT_KEY_LEN,
                                    AUDIT_KEY_LEN, error))
        return FALSE;
    }
  return avfs_meta_put_uint64 (tx, AUDIT_COUNT_KEY, job->keys->len - job->n_delete, error);
}

/* Trims the log to its @max_entries newest entries. The caller holds the write lock. */
static gboolean
trim_audit (AvfsVault  *self,
            guint64     max_entries,
            GError    **error)
{
  g_autoptr(GArray) keys = gather_audit_keys (self, error);
  DeleteJob job = { self, keys, 0 };

  if (keys == NULL)
    return FALSE;
  if (keys->len > max_entries)
    job.n_delete = keys->len - max_entries;
  g_debug ("Trimming the audit log of %s: %u of %u entries go", avfs_vault_get_uuid (self),
           job.n_delete, keys->len);
  /* Upkeep after a mutation, so a plain transaction: avfs_vault_transaction() would
   * check for trimming all over again. */
  return avfs_storage_transaction (self->storage, delete_entries_cb, &job, error);
}

static gboolean
load_max_entries (AvfsVault        *self,
                  AvfsTransaction  *tx,
                  guint64          *max_entries,
                  GError          **error)
{
  if (!avfs_meta_get_uint64 (self, tx, AUDIT_MAX_KEY, max_entries, error))
    return FALSE;
  if (*max_entries == 0)
    *max_entries = AVFS_AUDIT_DEFAULT_MAX_ENTRIES;
  return TRUE;
}

/* Trims the log once the last mutation took it 10% past its limit. */
static gboolean
trim_audit_if_due (AvfsVault  *self,
                   GError    **error)
{
  guint64 max_entries = self->audit_max_entries;

  if (max_entries == 0)
    {
      if (!load_max_entries (self, NULL, &max_entries, error))
        return FALSE;
      self->audit_max_entries = max_entries;
    }
  if (self->audit_count <= max_entries + max_entries / 10)
    return TRUE;
  return trim_audit (self, max_entries, error);
}

/* A mutation's callback, wrapped: it forgets what an earlier run of it (LMDB retries)
 * marked, and ends by staging the search index changes. */
typedef struct
{
  AvfsVault *vault;
  AvfsTransactionFunc func;
  gpointer user_data;
} Mutation;

static gboolean
mutation_cb (AvfsTransaction  *tx,
             gpointer          user_data,
             GError          **error)
{
  Mutation *mutation = user_data;

  g_hash_table_remove_all (mutation->vault->search_marks);
  g_ptr_array_set_size (mutation->vault->changes, 0);
  return mutation->func (tx, mutation->user_data, error) &&
         avfs_vault_search_stage (mutation->vault, tx, error);
}

/* Tells listeners what the committed mutation changed (see AvfsVault::changed). */
static void
emit_changes (AvfsVault *self)
{
  for (guint i = 0; i + 1 < self->changes->len; i += 2)
    g_signal_emit_by_name (self, "changed", g_ptr_array_index (self->changes, i),
                           g_ptr_array_index (self->changes, i + 1));
  g_ptr_array_set_size (self->changes, 0);
}

/**
 * avfs_vault_transaction:
 *
 * Runs a mutation's transaction (avfs_storage_transaction()), keeping the search index
 * in step with what @func marked (avfs_vault_search_mark()), then trims the audit log if
 * the mutation took it past its limit (trimming needs a scan, which a transaction cannot
 * do) and emits AvfsVault::changed. The caller holds the write lock. A failed trim does
 * not fail the mutation, which is committed: the next mutation tries again.
 */
gboolean
avfs_vault_transaction (AvfsVault            *self,
                        AvfsTransactionFunc   func,
                        gpointer              user_data,
                        GError              **error)
{
  g_autoptr(GError) trim_error = NULL;
  Mutation mutation = { self, func, user_data };

  self->audit_count = 0;
  if (!avfs_storage_transaction (self->storage, mutation_cb, &mutation, error))
    {
      g_hash_table_remove_all (self->search_marks);
      g_ptr_array_set_size (self->changes, 0);
      return FALSE;
    }
  avfs_vault_search_committed (self, g_hash_table_size (self->search_marks));
  g_hash_table_remove_all (self->search_marks);
  if (!trim_audit_if_due (self, &trim_error))
    g_debug ("The audit log of %s was not trimmed: %s", avfs_vault_get_uuid (self),
             trim_error->message);
  emit_changes (self);
  return TRUE;
}

/* The newest @limit (0: all) entries seen so far, oldest first. */
typedef struct
{
  guint limit;
  GQueue window;
} AuditWindow;

static gboolean
slide_window_cb (AvfsCursor  *cursor,
                 gpointer     user_data,
                 GError     **error)
{
  AuditWindow *window = user_data;

  g_queue_push_tail (&window->window, avfs_cursor_dup_value (cursor));
  if (window->limit > 0 && window->window.length > window->limit)
    g_bytes_unref (g_queue_pop_head (&window->window));
  return TRUE;
}

/* Newest first, at most @limit (0: all) of the stored entries since @since_us. */
static GPtrArray *
read_audit_records (AvfsVault  *self,
                    guint       limit,
                    gint64      since_us,
                    GError    **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(AvfsCursor) cursor = NULL;
  AuditWindow window = { limit, G_QUEUE_INIT };
  guint8 start[AVFS_ID_KEY_LEN];
  gboolean ok;

  /* Keys start with the time, so the entries since @since_us are one range. */
  avfs_id_key (since_us, start);
  cursor = avfs_storage_scan_range (self->storage, AVFS_COLLECTION_AUDIT, start, sizeof start,
                                    NULL, 0, error);
  if (cursor == NULL)
    return NULL;
  ok = avfs_vault_scan_cursor_each (cursor, NULL, slide_window_cb, &window, error);
  while (!g_queue_is_empty (&window.window))
    g_ptr_array_add (records, g_queue_pop_tail (&window.window));
  return ok ? g_steal_pointer (&records) : NULL;
}

static AvfsAuditEntry *
parse_audit_entry (GBytes  *bytes,
                   GError **error)
{
  g_autoptr(GVariant) record = avfs_record_parse (bytes, AUDIT_TYPE, "audit log", error);
  AvfsAuditEntry *entry;

  if (record == NULL)
    return NULL;
  entry = g_new0 (AvfsAuditEntry, 1);
  g_variant_get (record, AVFS_AUDIT_RECORD, NULL, &entry->time_us, &entry->op, &entry->path,
                 &entry->details_json);
  return entry;
}

/**
 * avfs_vault_audit_query:
 * @limit: at most this many entries, the newest; 0 for all
 * @since_us: only entries at this time or later (microseconds since the epoch); 0 for all
 *
 * Reads the entries since @since_us.
 *
 * Returns: (transfer full) (element-type AvfsAuditEntry): the entries, newest first
 */
GPtrArray *
avfs_vault_audit_query (AvfsVault  *self,
                        guint       limit,
                        gint64      since_us,
                        GError    **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (AVFS_IS_VAULT (self), NULL);
  if (since_us < 0)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "The audit log starts at the epoch: %" G_GINT64_FORMAT " µs is before it",
                   since_us);
      return NULL;
    }
  records = read_audit_records (self, limit, since_us, error);
  if (records == NULL)
    return NULL;
  entries = g_ptr_array_new_full (records->len, (GDestroyNotify) avfs_audit_entry_free);
  for (guint i = 0; i < records->len; i++)
    {
      AvfsAuditEntry *entry = parse_audit_entry (g_ptr_array_index (records, i), error);

      if (entry == NULL)
        return NULL;
      g_ptr_array_add (entries, entry);
    }
  return g_steal_pointer (&entries);
}

/* Deletes every entry, then records the clearing: the log is never silently empty. */
static gboolean
clear_cb (AvfsTransaction  *tx,
          gpointer          user_data,
          GError          **error)
{
  DeleteJob *job = user_data;
  g_autofree char *details = g_strdup_printf ("{\"removed\": %u}", job->keys->len);

  return delete_entries_cb (tx, job, error) &&
         avfs_vault_audit (job->vault, tx, "audit-clear", "", details, error);
}

/**
 * avfs_vault_audit_clear:
 *
 * Empties the audit log in one transaction, leaving one `audit-clear` entry that says how
 * many entries went.
 */
gboolean
avfs_vault_audit_clear (AvfsVault  *self,
                        GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) keys = NULL;
  DeleteJob job = { self };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  locker = g_mutex_locker_new (&self->write_lock);
  keys = gather_audit_keys (self, error);
  if (keys == NULL)
    return FALSE;
  job = (DeleteJob) { self, keys, keys->len };
  return avfs_vault_transaction (self, clear_cb, &job, error);
}

/**
 * avfs_vault_audit_get_max_entries:
 * @max_entries: (out): how many entries the log keeps
 */
gboolean
avfs_vault_audit_get_max_entries (AvfsVault  *self,
                                  guint64    *max_entries,
                                  GError    **error)
{
  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  g_return_val_if_fail (max_entries != NULL, FALSE);
  return load_max_entries (self, NULL, max_entries, error);
}

typedef struct
{
  AvfsVault *vault;
  guint64 max_entries;
} MaxEntriesJob;

static gboolean
set_max_entries_cb (AvfsTransaction  *tx,
                    gpointer          user_data,
                    GError          **error)
{
  MaxEntriesJob *job = user_data;
  g_autofree char *details = g_strdup_printf ("{\"max_entries\": %" G_GUINT64_FORMAT "}",
                                              job->max_entries);

  return avfs_meta_put_uint64 (tx, AUDIT_MAX_KEY, job->max_entries, error) &&
         avfs_vault_audit (job->vault, tx, "audit-max-entries", "", details, error);
}

/**
 * avfs_vault_audit_set_max_entries:
 * @max_entries: 1 to %AVFS_AUDIT_MAX_MAX_ENTRIES
 *
 * Sets how many entries the log keeps (%AVFS_AUDIT_DEFAULT_MAX_ENTRIES until set). The
 * log is trimmed to the new limit at once; later it may grow 10% past it before the
 * oldest entries go in one batch.
 */
gboolean
avfs_vault_audit_set_max_entries (AvfsVault  *self,
                                  guint64     max_entries,
                                  GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  MaxEntriesJob job = { self, max_entries };

  g_return_val_if_fail (AVFS_IS_VAULT (self), FALSE);
  if (max_entries == 0 || max_entries > AVFS_AUDIT_MAX_MAX_ENTRIES)
    {
      g_set_error (error, AVFS_ERROR, AVFS_ERROR_INVALID_ARGUMENT,
                   "The audit log must keep 1 to %d entries, not %" G_GUINT64_FORMAT,
                   AVFS_AUDIT_MAX_MAX_ENTRIES, max_entries);
      return FALSE;
    }
  locker = g_mutex_locker_new (&self->write_lock);
  /* Not avfs_vault_transaction(): it would check the count against the old limit. */
  self->audit_count = 0;
  if (!avfs_storage_transaction (self->storage, set_max_entries_cb, &job, error))
    return FALSE;
  self->audit_max_entries = max_entries;
  if (self->audit_count > max_entries && !trim_audit (self, max_entries, error))
    {
      g_prefix_error (error, "The audit log now keeps %" G_GUINT64_FORMAT " entries, but "
                      "trimming it failed: ", max_entries);
      return FALSE;
    }
  return TRUE;
}
