/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GLib's locks on POSIX threads, for ThreadSanitizer builds only (-Db_sanitize=thread).
 *
 * GLib implements GMutex, GRecMutex and GCond with futexes on Linux, which
 * ThreadSanitizer cannot see: every access under a GMutex then looks like a data race.
 * Linked into a test program, these definitions take the place of GLib's for the
 * program and the avfs code linked into it (GLib's own internal locks keep GLib's), so
 * the sanitizer sees the locks avfs takes. Each lock holds a pointer to its pthread
 * object, made on first use (a zeroed lock is a valid unlocked one in GLib). */
#include <glib.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t *
mutex_impl (gpointer *slot,
            gboolean  recursive)
{
  pthread_mutex_t *mutex = g_atomic_pointer_get (slot);

  if (mutex == NULL)
    {
      pthread_mutexattr_t attr;

      mutex = g_new (pthread_mutex_t, 1);
      pthread_mutexattr_init (&attr);
      if (recursive)
        pthread_mutexattr_settype (&attr, PTHREAD_MUTEX_RECURSIVE);
      pthread_mutex_init (mutex, &attr);
      pthread_mutexattr_destroy (&attr);
      if (!g_atomic_pointer_compare_and_exchange (slot, NULL, mutex))
        {
          pthread_mutex_destroy (mutex);
          g_free (mutex);
          mutex = g_atomic_pointer_get (slot);
        }
    }
  return mutex;
}

static void
mutex_free (gpointer *slot)
{
  pthread_mutex_t *mutex = g_atomic_pointer_get (slot);

  if (mutex != NULL)
    {
      pthread_mutex_destroy (mutex);
      g_free (mutex);
      *slot = NULL;
    }
}

void g_mutex_init (GMutex *m) { m->p = NULL; }
void g_mutex_clear (GMutex *m) { mutex_free (&m->p); }
void g_mutex_lock (GMutex *m) { pthread_mutex_lock (mutex_impl (&m->p, FALSE)); }
void g_mutex_unlock (GMutex *m) { pthread_mutex_unlock (mutex_impl (&m->p, FALSE)); }
gboolean g_mutex_trylock (GMutex *m) { return pthread_mutex_trylock (mutex_impl (&m->p, FALSE)) == 0; }

void g_rec_mutex_init (GRecMutex *m) { m->p = NULL; }
void g_rec_mutex_clear (GRecMutex *m) { mutex_free (&m->p); }
void g_rec_mutex_lock (GRecMutex *m) { pthread_mutex_lock (mutex_impl (&m->p, TRUE)); }
void g_rec_mutex_unlock (GRecMutex *m) { pthread_mutex_unlock (mutex_impl (&m->p, TRUE)); }
gboolean g_rec_mutex_trylock (GRecMutex *m) { return pthread_mutex_trylock (mutex_impl (&m->p, TRUE)) == 0; }

static pthread_cond_t *
cond_impl (GCond *c)
{
  pthread_cond_t *cond = g_atomic_pointer_get (&c->p);

  if (cond == NULL)
    {
      pthread_condattr_t attr;

      cond = g_new (pthread_cond_t, 1);
      pthread_condattr_init (&attr);
      pthread_condattr_setclock (&attr, CLOCK_MONOTONIC); /* g_cond_wait_until's clock */
      pthread_cond_init (cond, &attr);
      pthread_condattr_destroy (&attr);
      if (!g_atomic_pointer_compare_and_exchange (&c->p, NULL, cond))
        {
          pthread_cond_destroy (cond);
          g_free (cond);
          cond = g_atomic_pointer_get (&c->p);
        }
    }
  return cond;
}

void g_cond_init (GCond *c) { c->p = NULL; }
void g_cond_signal (GCond *c) { pthread_cond_signal (cond_impl (c)); }
void g_cond_broadcast (GCond *c) { pthread_cond_broadcast (cond_impl (c)); }
void g_cond_wait (GCond *c, GMutex *m) { pthread_cond_wait (cond_impl (c), mutex_impl (&m->p, FALSE)); }

void
g_cond_clear (GCond *c)
{
  pthread_cond_t *cond = g_atomic_pointer_get (&c->p);

  if (cond != NULL)
    {
      pthread_cond_destroy (cond);
      g_free (cond);
      c->p = NULL;
    }
}

gboolean
g_cond_wait_until (GCond  *c,
                   GMutex *m,
                   gint64  end_time)
{
  struct timespec ts = { end_time / G_USEC_PER_SEC, (end_time % G_USEC_PER_SEC) * 1000 };

  return pthread_cond_timedwait (cond_impl (c), mutex_impl (&m->p, FALSE), &ts) == 0;
}
