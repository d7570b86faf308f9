/* queue.c — a FIFO of jobs and its thread (see queue.h). */
#include "core/queue.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"

struct vk_queue {
    vk_queue_def def;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    vk_queue_item *head, *tail;
    int used; /* bounded: places reserved, queued or running */
    int stopping, joined;
    time_t next_tick;
};

static void tick_if_due(vk_queue *q)
{
    time_t now = time(NULL);
    if (!q->def.tick || now < q->next_tick)
        return;
    q->next_tick = now + (time_t)q->def.tick_seconds;
    q->def.tick(q->def.arg);
}

static void *queue_main(void *arg)
{
    vk_queue *q = arg;
    if (q->def.nice && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), q->def.nice) != 0)
        vk_log("%s: could not lower the thread's priority", q->def.name);
    for (;;) {
        pthread_mutex_lock(&q->lock);
        /* A place reserved is an item still to come: wait for it too. */
        while (!q->head && (!q->stopping || q->used > 0)) {
            if (q->def.tick && time(NULL) >= q->next_tick) {
                pthread_mutex_unlock(&q->lock);
                tick_if_due(q);
                pthread_mutex_lock(&q->lock);
                continue;
            }
            if (q->def.tick) {
                struct timespec until = {q->next_tick, 0};
                pthread_cond_timedwait(&q->wake, &q->lock, &until);
            } else {
                pthread_cond_wait(&q->wake, &q->lock);
            }
        }
        if (!q->head) {
            pthread_mutex_unlock(&q->lock);
            break;
        }
        /* Everything that queued while the last batch ran, up to max_batch. */
        vk_queue_item *batch = q->head, *last = q->head;
        int n = 1;
        for (; n < q->def.max_batch && last->next; n++)
            last = last->next;
        q->head = last->next;
        if (!q->head)
            q->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&q->lock);

        q->def.run(q->def.arg, batch);
        if (q->def.depth > 0) {
            pthread_mutex_lock(&q->lock);
            q->used -= n; /* before done: the next caller may queue at once */
            pthread_mutex_unlock(&q->lock);
        }
        q->def.done(q->def.arg, batch);
        tick_if_due(q); /* also when items never stop coming */
    }
    return NULL;
}

vk_err vk_queue_start(vk_queue **out, const vk_queue_def *def, vk_errinfo *ei)
{
    vk_queue *q = calloc(1, sizeof *q);
    if (!q)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    q->def = *def;
    if (q->def.max_batch < 1)
        q->def.max_batch = 1;
    q->next_tick = time(NULL); /* at start, then every tick_seconds */
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    if (pthread_create(&q->thread, NULL, queue_main, q) != 0) {
        pthread_cond_destroy(&q->wake);
        pthread_mutex_destroy(&q->lock);
        free(q);
        return vk_fail(ei, VK_ENOMEM, "", "cannot start the %s thread", def->name);
    }
    *out = q;
    return VK_OK;
}

void vk_queue_stop(vk_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    int joined = q->joined;
    q->stopping = q->joined = 1;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    if (!joined)
        pthread_join(q->thread, NULL);
}

void vk_queue_free(vk_queue *q)
{
    if (!q)
        return;
    vk_queue_stop(q);
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

int vk_queue_reserve(vk_queue *q)
{
    pthread_mutex_lock(&q->lock);
    int ok = q->used < q->def.depth && !q->stopping;
    if (ok)
        q->used++;
    pthread_mutex_unlock(&q->lock);
    return ok;
}

void vk_queue_cancel(vk_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->used--;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}

void vk_queue_submit(vk_queue *q, vk_queue_item *item)
{
    item->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = item;
    else
        q->head = item;
    q->tail = item;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}
