/* limits.c — expensive-request threads and the response budget (see
 * limits.h). */
#include "http/limits.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

typedef struct worker {
    http_limits *owner;
    pthread_t thread;
    int started;
    void (*fn)(void *arg, vk_ctx *ctx); /* the job, NULL when idle */
    void (*done)(void *arg);
    void *arg;
} worker;

struct http_limits {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job was handed out, or stop */
    int stopping;
    int nworkers;
    worker *workers;
    vk_ctx_pool *pool; /* borrowed */
    size_t budget;
    atomic_size_t held;
};

/* Nice value of the expensive-request threads: when the CPUs are short,
 * the connection threads (health checks, small reads) come first. */
#define WORKER_NICE 5

static void *worker_main(void *p)
{
    worker *w = p;
    http_limits *l = w->owner;
#if defined(__linux__)
    /* Linux keeps a nice value per thread; best effort. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
#endif
    pthread_mutex_lock(&l->lock);
    for (;;) {
        while (!w->fn && !l->stopping)
            pthread_cond_wait(&l->work, &l->lock);
        if (!w->fn)
            break; /* stopping, nothing left to run */
        void (*fn)(void *, vk_ctx *) = w->fn;
        void (*done)(void *) = w->done;
        void *arg = w->arg;
        pthread_mutex_unlock(&l->lock);
        vk_ctx *ctx = vk_ctx_pool_get(l->pool); /* never waits: a context per slot */
        fn(arg, ctx);
        vk_ctx_pool_put(l->pool, ctx);
        pthread_mutex_lock(&l->lock);
        w->fn = NULL; /* the slot is free again */
        pthread_mutex_unlock(&l->lock);
        done(arg);
        pthread_mutex_lock(&l->lock);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

vk_err http_limits_new(http_limits **out, vk_ctx_pool *pool, int slots, size_t budget_bytes,
                       vk_errinfo *ei)
{
    http_limits *l = calloc(1, sizeof *l);
    if (!l || !(l->workers = calloc((size_t)slots, sizeof *l->workers))) {
        free(l);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->work, NULL);
    l->pool = pool;
    l->budget = budget_bytes;
    atomic_init(&l->held, 0);
    for (int i = 0; i < slots; i++) {
        worker *w = &l->workers[i];
        w->owner = l;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            http_limits_free(l);
            return vk_fail(ei, VK_ENOMEM, "", "cannot start the expensive-request threads");
        }
        w->started = 1;
        l->nworkers++;
    }
    *out = l;
    return VK_OK;
}

void http_limits_stop(http_limits *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = 1;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->lock);
    for (int i = 0; i < l->nworkers; i++)
        if (l->workers[i].started)
            pthread_join(l->workers[i].thread, NULL);
    l->nworkers = 0;
}

void http_limits_free(http_limits *l)
{
    if (!l)
        return;
    http_limits_stop(l);
    pthread_cond_destroy(&l->work);
    pthread_mutex_destroy(&l->lock);
    free(l->workers);
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
    int taken = -1;
    /* Memory full of answers to slow clients: do not even compute one. */
    if (atomic_load(&l->held) >= l->budget)
        return -2;
    pthread_mutex_lock(&l->lock);
    for (int i = 0; i < l->nworkers && taken < 0; i++) {
        if (!l->workers[i].fn && !l->stopping) {
            l->workers[i].fn = fn;
            l->workers[i].done = done;
            l->workers[i].arg = arg;
            taken = i;
        }
    }
    if (taken >= 0)
        pthread_cond_broadcast(&l->work); /* one cond for all: the idle ones look */
    pthread_mutex_unlock(&l->lock);
    return taken >= 0 ? 0 : -1;
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
