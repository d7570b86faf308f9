/* checkpoint.c — the checkpointer thread (see checkpoint.h). */
#include "db/checkpoint.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/store_internal.h"

/* Below the writer (nice 10): copying pages is never more urgent than a
 * request, and bench/survey.sh finds the writer by its nice value. */
#define CHECKPOINT_NICE 11

/* No commit for this long: fold the WAL in and truncate it. */
#define IDLE_MS 1000

/* The cap, in thresholds: past pages × CAP_FACTOR a RESTART waits for
 * the writer rather than let the WAL grow on. */
#define CAP_FACTOR 4

/* How long a TRUNCATE or RESTART may wait for readers and the writer; a
 * reader in a long transaction (an export) makes it give up and retry
 * later instead of holding new writes back. */
#define BUSY_MS 200

/* After a TRUNCATE or RESTART gave up (a reader in a long transaction),
 * the next one waits this long: each try holds new writes back for up to
 * BUSY_MS, and the reader is likely still there. PASSIVE goes on meanwhile. */
#define BLOCKING_BACKOFF_MS 5000

/* At most this many pages left behind by the thread's last pass: the
 * writer copies them itself after its commit (a short pause, where SQLite's
 * own checkpoint copied the whole WAL), so that its next commit can wrap
 * the WAL around. Under constant writes the thread alone never finishes:
 * every pass leaves the frames committed meanwhile. */
#define TAIL_PAGES 512

struct vk_checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    store_conn *conn;   /* owned: the checkpointer's connection */
    store_conn *writer; /* borrowed: whose WAL hook this is */
    int pages, cap;
    /* under lock */
    int want;  /* a commit passed the threshold */
    int running;    /* the thread is in a checkpoint */
    int backfilled; /* frames copied as of the last pass; 0 after a wrap */
    int last_pages; /* the WAL's size at the commit before */
    int dirty; /* commits since the WAL was last truncated */
    int stop;
    int64_t last_commit_us;
    vk_checkpoint_stats st;
};

/* On the writer thread, after each commit (the write lock already
 * released): only look and maybe wake the thread. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)name;
    vk_checkpointer *cp = arg;
    int tail = 0;
    pthread_mutex_lock(&cp->lock);
    if (pages < cp->last_pages)
        cp->backfilled = 0; /* the WAL wrapped around */
    cp->last_pages = cp->st.wal_pages = pages;
    cp->dirty = 1;
    cp->last_commit_us = vk_monotonic_us();
    if (pages >= cp->pages) {
        if (!cp->running && cp->backfilled > 0 && cp->backfilled <= pages &&
            pages - cp->backfilled <= TAIL_PAGES)
            tail = 1;
        else if (!cp->want) {
            cp->want = 1;
            pthread_cond_signal(&cp->wake);
        }
    }
    pthread_mutex_unlock(&cp->lock);
    if (tail) {
        /* BUSY (the thread began a pass meanwhile) is fine: it goes on. */
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        pthread_mutex_lock(&cp->lock);
        if (rc == SQLITE_OK) {
            cp->st.tail++;
            if (done > cp->backfilled)
                cp->backfilled = done;
        }
        pthread_mutex_unlock(&cp->lock);
    }
    return SQLITE_OK;
}

/* One checkpoint of the given mode; 1 when the whole WAL was copied, 0
 * when not, -1 when it gave up waiting (BUSY). */
static int checkpoint(vk_checkpointer *cp, int mode, const char *what)
{
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(cp->conn->db, NULL, mode, &log, &done);
    int full = rc == SQLITE_OK && log >= 0 && done == log;
    pthread_mutex_lock(&cp->lock);
    if (rc == SQLITE_OK && done > cp->backfilled && mode == SQLITE_CHECKPOINT_PASSIVE)
        cp->backfilled = done;
    if ((rc & 0xff) == SQLITE_BUSY)
        cp->st.busy++;
    else if (rc == SQLITE_OK && mode == SQLITE_CHECKPOINT_PASSIVE)
        cp->st.passive++, cp->st.passive_full += full;
    else if (rc == SQLITE_OK && mode == SQLITE_CHECKPOINT_TRUNCATE)
        cp->st.truncate++;
    else if (rc == SQLITE_OK)
        cp->st.restart++;
    pthread_mutex_unlock(&cp->lock);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
        vk_log("checkpoint: %s failed: %s", what, sqlite3_errmsg(cp->conn->db));
    return (rc & 0xff) == SQLITE_BUSY ? -1 : full;
}

static void *run(void *arg)
{
    vk_checkpointer *cp = arg;
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), CHECKPOINT_NICE);
    int64_t blocking_after_us = 0; /* no TRUNCATE or RESTART before */
    pthread_mutex_lock(&cp->lock);
    while (!cp->stop) {
        if (!cp->want) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += IDLE_MS / 1000;
            until.tv_nsec += (long)(IDLE_MS % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L)
                until.tv_sec++, until.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&cp->wake, &cp->lock, &until);
            if (cp->stop)
                break;
        }
        if (cp->want) {
            cp->want = 0;
            cp->running = 1;
            int over_cap = cp->st.wal_pages >= cp->cap && vk_monotonic_us() >= blocking_after_us;
            pthread_mutex_unlock(&cp->lock);
            if (over_cap && checkpoint(cp, SQLITE_CHECKPOINT_RESTART, "a RESTART") < 0)
                blocking_after_us = vk_monotonic_us() + BLOCKING_BACKOFF_MS * 1000LL;
            else if (!over_cap)
                checkpoint(cp, SQLITE_CHECKPOINT_PASSIVE, "a PASSIVE");
            pthread_mutex_lock(&cp->lock);
            cp->running = 0;
            continue;
        }
        int64_t now = vk_monotonic_us();
        if (cp->dirty && now - cp->last_commit_us >= IDLE_MS * 1000LL && now >= blocking_after_us) {
            cp->running = 1;
            pthread_mutex_unlock(&cp->lock);
            int full = checkpoint(cp, SQLITE_CHECKPOINT_TRUNCATE, "a TRUNCATE");
            if (full < 0)
                blocking_after_us = vk_monotonic_us() + BLOCKING_BACKOFF_MS * 1000LL;
            pthread_mutex_lock(&cp->lock);
            cp->running = 0;
            /* A commit meanwhile makes it dirty again (last_commit moved). */
            if (full > 0 && vk_monotonic_us() - cp->last_commit_us >= IDLE_MS * 1000LL)
                cp->dirty = 0;
        }
    }
    pthread_mutex_unlock(&cp->lock);
    return NULL;
}

vk_err vk_checkpointer_start(vk_checkpointer **out, const char *path, store_conn *writer,
                             int pages, vk_errinfo *ei)
{
    vk_checkpointer *cp = calloc(1, sizeof *cp);
    if (!cp)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_err e = store_open_existing(&cp->conn, path, ei);
    if (e) {
        free(cp);
        return e;
    }
    sqlite3_busy_timeout(cp->conn->db, BUSY_MS);
    cp->writer = writer;
    cp->pages = pages > 0 ? pages : 1;
    cp->cap = cp->pages * CAP_FACTOR;
    cp->last_commit_us = vk_monotonic_us();
    pthread_mutex_init(&cp->lock, NULL);
    pthread_cond_init(&cp->wake, NULL);
    if (pthread_create(&cp->thread, NULL, run, cp) != 0) {
        pthread_cond_destroy(&cp->wake);
        pthread_mutex_destroy(&cp->lock);
        store_close(cp->conn);
        free(cp);
        return vk_fail(ei, VK_EINTERNAL, "", "cannot start the checkpoint thread");
    }
    /* Replaces SQLite's automatic checkpoint on this connection. */
    sqlite3_wal_hook(writer->db, on_commit, cp);
    *out = cp;
    return VK_OK;
}

void vk_checkpointer_stop(vk_checkpointer *cp)
{
    if (!cp)
        return;
    /* The writer thread has ended: its connection is ours to touch. */
    sqlite3_wal_autocheckpoint(cp->writer->db, cp->pages);
    pthread_mutex_lock(&cp->lock);
    cp->stop = 1;
    pthread_cond_signal(&cp->wake);
    pthread_mutex_unlock(&cp->lock);
    pthread_join(cp->thread, NULL);
    pthread_cond_destroy(&cp->wake);
    pthread_mutex_destroy(&cp->lock);
    store_close(cp->conn);
    free(cp);
}

void vk_checkpointer_stats(vk_checkpointer *cp, vk_checkpoint_stats *out)
{
    pthread_mutex_lock(&cp->lock);
    *out = cp->st;
    pthread_mutex_unlock(&cp->lock);
}
