/*
 * test_limits.c — the expensive-request threads (http/limits.c): every job
 * runs once and its own done follows its run, however fast new jobs take
 * the places the finished ones give back. (The queue frees a place before
 * it calls done; done once read the slot's latest job, so under load a
 * connection was resumed before its work ran and the work then used a
 * freed request.)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/ctx.h"
#include "db/store.h"
#include "http/limits.h"
#include "t.h"
#include "tmp.h"

enum { SLOTS = 2, SUBMITTERS = 3, JOBS_EACH = 60000 };

typedef struct job {
    atomic_int ran, done;
} job;

static atomic_int done_before_run, done_twice;

static void job_run(void *arg, vk_ctx *ctx)
{
    (void)ctx;
    atomic_store(&((job *)arg)->ran, 1);
}

static void job_done(void *arg)
{
    job *j = arg;
    if (!atomic_load(&j->ran))
        atomic_fetch_add(&done_before_run, 1);
    if (atomic_fetch_add(&j->done, 1) != 0)
        atomic_fetch_add(&done_twice, 1);
}

typedef struct submitter {
    http_limits *limits;
    job *jobs;
    long busy; /* answers "no place free", retried */
} submitter;

static void *submit_all(void *arg)
{
    submitter *s = arg;
    for (int i = 0; i < JOBS_EACH; i++)
        while (http_limits_run(s->limits, job_run, job_done, &s->jobs[i]) != 0)
            s->busy++;
    return NULL;
}

int main(void)
{
    vk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = t_path("limits.sqlite");
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *c = NULL;
    vk_ctx_pool *pool = NULL;
    http_limits *limits = NULL;
    if (store_open(&c, cfg.db_path, &ei) || vk_ctx_pool_new(&pool, &cfg, SLOTS, &ei) ||
        http_limits_new(&limits, pool, SLOTS, (size_t)1 << 30, &ei)) {
        printf("Bail out! %s\n", ei.message);
        return 1;
    }
    job *jobs = calloc((size_t)SUBMITTERS * JOBS_EACH, sizeof *jobs);
    submitter s[SUBMITTERS];
    pthread_t th[SUBMITTERS];
    for (int i = 0; i < SUBMITTERS; i++) {
        s[i] = (submitter){limits, jobs + (size_t)i * JOBS_EACH, 0};
        pthread_create(&th[i], NULL, submit_all, &s[i]);
    }
    long busy = 0;
    for (int i = 0; i < SUBMITTERS; i++) {
        pthread_join(th[i], NULL);
        busy += s[i].busy;
    }
    /* The last jobs finish on the slot threads: wait for them, bounded. */
    const int total = SUBMITTERS * JOBS_EACH;
    int all_done = 0, missing = 0;
    for (int tries = 0; tries < 1000 && !all_done; tries++) {
        missing = 0;
        for (int i = 0; i < total; i++)
            missing += atomic_load(&jobs[i].done) == 0;
        all_done = missing == 0;
        if (!all_done)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    int not_run = 0;
    for (int i = 0; i < total; i++)
        not_run += atomic_load(&jobs[i].ran) == 0;
    printf("# %d jobs through %d slots from %d threads; %ld times no place was free\n", total,
           SLOTS, SUBMITTERS, busy);
    T_OK(busy > 0, "the slots were full at times (the places were contended)");
    T_EQ_INT(not_run, 0, "every job ran");
    T_EQ_INT(missing, 0, "every job's done came");
    T_EQ_INT(atomic_load(&done_before_run), 0, "no job's done came before it ran");
    T_EQ_INT(atomic_load(&done_twice), 0, "no job's done came twice");
    http_limits_stop(limits);
    http_limits_free(limits);
    vk_ctx_pool_free(pool);
    store_close(c);
    free(jobs);
    t_cleanup();
    return t_done();
}
