/* limits.c — expensive-request threads and the response budget (see
 * limits.h). */
#include "http/limits.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/queue.h"

/* One expensive-request thread: a queue of one place, so a job is taken
 * only by an idle slot and never waits behind another. */
typedef struct slot {
    vk_queue_item link; /* first: the job, while one runs */
    http_limits *owner;
    vk_queue *queue;
    void (*fn)(void *arg, vk_ctx *ctx);
    void (*done)(void *arg);
    void *arg;
    /* The job that ran, for slot_done: the queue frees the place before
     * done, and the next job's http_limits_run may then overwrite the
     * three above — done and arg would be the next client's, resuming its
     * connection before its work ran (a use after free under load). Only
     * this slot's thread writes these. */
    void (*ran_done)(void *arg);
    void *ran_arg;
} slot;

struct http_limits {
    int nslots;
    slot *slots;
    vk_ctx_pool *pool; /* borrowed */
    size_t budget;
    atomic_size_t held;
};

/* Nice value of the expensive-request threads: when the CPUs are short,
 * the connection threads (health checks, small reads) come first. */
#define WORKER_NICE 5

static void slot_run(void *arg, vk_queue_item *job)
{
    slot *w = arg;
    (void)job;
    vk_ctx *ctx = vk_ctx_pool_get(w->owner->pool); /* never waits: a context per slot */
    w->ran_done = w->done;
    w->ran_arg = w->arg;
    w->fn(w->ran_arg, ctx);
    vk_ctx_pool_put(w->owner->pool, ctx);
}

/* The queue has given the slot's place back: a client answered here finds
 * the slot free. */
static void slot_done(void *arg, vk_queue_item *job)
{
    slot *w = arg;
    (void)job;
    w->ran_done(w->ran_arg);
}

vk_err http_limits_new(http_limits **out, vk_ctx_pool *pool, int slots, size_t budget_bytes,
                       vk_errinfo *ei)
{
    http_limits *l = calloc(1, sizeof *l);
    if (!l || !(l->slots = calloc((size_t)slots, sizeof *l->slots))) {
        free(l);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    l->pool = pool;
    l->budget = budget_bytes;
    atomic_init(&l->held, 0);
    for (int i = 0; i < slots; i++) {
        slot *w = &l->slots[i];
        w->owner = l;
        vk_queue_def def = {.name = "expensive-request", .depth = 1, .max_batch = 1,
                            .nice = WORKER_NICE, .run = slot_run, .done = slot_done, .arg = w};
        if (vk_queue_start(&w->queue, &def, ei)) {
            http_limits_free(l);
            return vk_fail(ei, VK_ENOMEM, "", "cannot start the expensive-request threads");
        }
        l->nslots++;
    }
    *out = l;
    return VK_OK;
}

void http_limits_stop(http_limits *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->nslots; i++)
        vk_queue_stop(l->slots[i].queue);
}

void http_limits_free(http_limits *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->nslots; i++)
        vk_queue_free(l->slots[i].queue);
    free(l->slots);
    free(l);
}

int http_limits_is_expensive(const vk_req *req, int route_expensive)
{
    if (req->method != VK_GET && req->method != VK_HEAD)
        return 0;
    if (route_expensive || vk_req_param(req, "filter"))
        return 1;
    /* Any limit written with more than four digits, or over the big page. */
    const char *limit = vk_req_param(req, "limit");
    if (!limit)
        return 0;
    size_t n = strlen(limit);
    return n > 4 || atoi(limit) > HTTP_LIMITS_BIG_PAGE;
}

int http_limits_run(http_limits *l, void (*fn)(void *arg, vk_ctx *ctx), void (*done)(void *arg),
                    void *arg)
{
    /* Memory full of answers to slow clients: do not even compute one. */
    if (atomic_load(&l->held) >= l->budget)
        return -2;
    for (int i = 0; i < l->nslots; i++) {
        slot *w = &l->slots[i];
        if (vk_queue_reserve(w->queue)) { /* idle, and not stopping */
            w->fn = fn;
            w->done = done;
            w->arg = arg;
            vk_queue_submit(w->queue, &w->link);
            return 0;
        }
    }
    return -1;
}

int http_limits_take(http_limits *l, size_t len)
{
    size_t before = atomic_fetch_add(&l->held, len);
    if (len <= HTTP_LIMITS_SMALL_ANSWER || before + len <= l->budget)
        return 0;
    atomic_fetch_sub(&l->held, len);
    return -1;
}

void http_limits_release(http_limits *l, size_t len) { atomic_fetch_sub(&l->held, len); }

size_t http_limits_held(const http_limits *l) { return atomic_load(&l->held); }

void http_limits_tune_malloc(void)
{
#if defined(__GLIBC__)
    /* glibc raises its mmap threshold each time a big mmapped block is
     * freed (up to 32 MiB), after which multi-megabyte answers come from
     * the heap and stay there when freed: RSS kept its peak (1.5 GB after
     * a slow-reader load). A fixed threshold keeps big blocks mmapped (a
     * free gives them back at once; realloc uses mremap) and a fixed trim
     * threshold returns the top of the heap. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif
}

/* Written at start-up only, then read by every connection thread. */
static struct {
    const char *method, *path;
    size_t max;
} big_bodies[4];
static int nbig_bodies;

vk_err http_limits_allow_body(const char *method, const char *path, size_t max, vk_errinfo *ei)
{
    if (nbig_bodies == (int)(sizeof big_bodies / sizeof big_bodies[0]))
        return vk_fail(ei, VK_EINTERNAL, "", "too many routes with large bodies");
    for (int i = 0; i < nbig_bodies; i++)
        if (strcmp(big_bodies[i].method, method) == 0 && strcmp(big_bodies[i].path, path) == 0) {
            big_bodies[i].max = max;
            return VK_OK;
        }
    big_bodies[nbig_bodies].method = method;
    big_bodies[nbig_bodies].path = path;
    big_bodies[nbig_bodies].max = max;
    nbig_bodies++;
    return VK_OK;
}

size_t http_limits_body_max(const char *method, const char *path, size_t dflt)
{
    for (int i = 0; method && path && i < nbig_bodies; i++)
        if (strcmp(big_bodies[i].method, method) == 0 && strcmp(big_bodies[i].path, path) == 0)
            return big_bodies[i].max > dflt ? big_bodies[i].max : dflt;
    return dflt;
}
