/*
 * queue.h — a FIFO of jobs with the one thread that runs them.
 *
 * The writer (db/writer.h) and the sign-in queue (auth/signin.h) both need
 * the same thing: callers on the request threads hand over work, one
 * thread of its own takes it in order, and stopping finishes everything
 * handed over first. Items are the caller's structs holding a
 * vk_queue_item; they are borrowed from submit until done has run.
 *
 * A queue may be bounded (depth > 0): a place is reserved first and each
 * reservation is used by one submit or given back with cancel, so a full
 * queue is refused up front and costs the caller nothing.
 */
#ifndef VK_QUEUE_H
#define VK_QUEUE_H

#include "core/err.h"

typedef struct vk_queue_item vk_queue_item;
struct vk_queue_item {
    vk_queue_item *next; /* the queue's */
};

typedef struct vk_queue_def {
    const char *name; /* what the thread is, for its error messages */
    int depth;        /* places in all (reserve/cancel); 0 = unbounded */
    int max_batch;    /* items taken at once (a list linked by next); < 1 = 1 */
    int nice;         /* the thread's nice value on Linux; 0 = unchanged */
    /* On the thread: run a batch, then (its places given back, so a next
     * submit can queue at once) done, which may free the items. */
    void (*run)(void *arg, vk_queue_item *batch);
    void (*done)(void *arg, vk_queue_item *batch);
    /* Optional: between batches, at start and every tick_seconds, also
     * when items never stop coming. */
    void (*tick)(void *arg);
    unsigned tick_seconds;
    void *arg;
} vk_queue_def;

typedef struct vk_queue vk_queue;

/* Start the thread; def is copied. Caller frees with vk_queue_free(). */
vk_err vk_queue_start(vk_queue **out, const vk_queue_def *def, vk_errinfo *ei);
/* Take no more reservations, run every item submitted or reserved, then
 * end the thread. The queue stays valid until freed, so late callers are
 * refused rather than lost. NULL is a no-op; a second call too. */
void vk_queue_stop(vk_queue *q);
/* Stop if not stopped, then free. NULL is a no-op. */
void vk_queue_free(vk_queue *q);
/* Bounded queues: hold a place for one item; 1 when there was room, 0
 * when the queue is full or stopping. */
int vk_queue_reserve(vk_queue *q);
void vk_queue_cancel(vk_queue *q);
/* Queue an item (in a place reserved before, when bounded). */
void vk_queue_submit(vk_queue *q, vk_queue_item *item);

#endif
