/* deadline.c — the request deadline's table and sweeper (see deadline.h). */
#include "http/deadline.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/queue.h"

enum phase { HEAD, BUSY, IDLE };

typedef struct conn_rec {
    int fd;
    enum phase phase;
    int64_t since_us; /* when the phase began */
    int cut;          /* shut down already */
    struct conn_rec *prev, *next;
} conn_rec;

struct http_deadline {
    vk_queue *sweeper; /* no jobs: only its tick, every second */
    pthread_mutex_t lock;
    int64_t head_us, idle_us;
    conn_rec *head; /* every open connection */
};

static void sweep(void *arg)
{
    http_deadline *d = arg;
    int64_t now = vk_monotonic_us();
    unsigned cut = 0;
    pthread_mutex_lock(&d->lock);
    for (conn_rec *r = d->head; r; r = r->next) {
        int64_t limit = r->phase == HEAD ? d->head_us
                        : r->phase == IDLE ? d->idle_us + d->head_us
                                           : INT64_MAX;
        if (!r->cut && limit != INT64_MAX && now - r->since_us > limit) {
            /* The fd is still open: closed() takes this lock first. */
            shutdown(r->fd, SHUT_RDWR);
            r->cut = 1;
            cut++;
        }
    }
    pthread_mutex_unlock(&d->lock);
    if (cut)
        vk_log("closed %u connection%s that sent no whole request within %lld s", cut,
               cut == 1 ? "" : "s", (long long)(d->head_us / 1000000));
}

http_deadline *http_deadline_new(unsigned request_timeout, unsigned idle_timeout)
{
    if (!request_timeout)
        return NULL;
    http_deadline *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->head_us = (int64_t)request_timeout * 1000000;
    d->idle_us = (int64_t)idle_timeout * 1000000;
    pthread_mutex_init(&d->lock, NULL);
    vk_queue_def def = {.name = "deadline", .tick = sweep, .tick_seconds = 1, .arg = d};
    vk_errinfo ei;
    if (vk_queue_start(&d->sweeper, &def, &ei)) {
        pthread_mutex_destroy(&d->lock);
        free(d);
        return NULL;
    }
    return d;
}

void http_deadline_free(http_deadline *d)
{
    if (!d)
        return;
    vk_queue_free(d->sweeper);
    for (conn_rec *r = d->head, *next; r; r = next) {
        next = r->next;
        free(r);
    }
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void http_deadline_opened(http_deadline *d, int fd, void **slot)
{
    *slot = NULL;
    conn_rec *r = d ? calloc(1, sizeof *r) : NULL;
    if (!r)
        return; /* without a record the connection has only the idle timeout */
    r->fd = fd;
    r->phase = HEAD;
    r->since_us = vk_monotonic_us();
    pthread_mutex_lock(&d->lock);
    r->next = d->head;
    if (d->head)
        d->head->prev = r;
    d->head = r;
    pthread_mutex_unlock(&d->lock);
    *slot = r;
}

void http_deadline_closed(http_deadline *d, void **slot)
{
    conn_rec *r = *slot;
    if (!d || !r)
        return;
    pthread_mutex_lock(&d->lock);
    if (r->prev)
        r->prev->next = r->next;
    else
        d->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    pthread_mutex_unlock(&d->lock);
    free(r);
    *slot = NULL;
}

static void set_phase(http_deadline *d, conn_rec *r, enum phase p, int only_from_idle)
{
    if (!d || !r)
        return;
    pthread_mutex_lock(&d->lock);
    if (!only_from_idle || r->phase == IDLE) {
        r->phase = p;
        r->since_us = vk_monotonic_us();
    }
    pthread_mutex_unlock(&d->lock);
}

void http_deadline_line(http_deadline *d, void *rec) { set_phase(d, rec, HEAD, 1); }
void http_deadline_busy(http_deadline *d, void *rec) { set_phase(d, rec, BUSY, 0); }
void http_deadline_idle(http_deadline *d, void *rec) { set_phase(d, rec, IDLE, 0); }
