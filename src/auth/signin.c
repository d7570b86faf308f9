/* signin.c — the sign-in queue's thread (see signin.h). */
#include "auth/signin.h"

#include <pthread.h>
#include <stdlib.h>

struct api_signin {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    api_signin_job *head, *tail;
    int depth, used; /* places in all, places reserved or queued or running */
    int stopping;
    vk_ctx *ctx; /* owned: the thread's own connection */
};

static void *signin_main(void *arg)
{
    api_signin *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        /* A place reserved is a job still to come: wait for it too. */
        while (!q->head && (!q->stopping || q->used > 0))
            pthread_cond_wait(&q->wake, &q->lock);
        api_signin_job *job = q->head;
        if (!job) {
            pthread_mutex_unlock(&q->lock);
            break;
        }
        q->head = job->next;
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->lock);
        vk_errinfo_clear(&q->ctx->err);
        job->run(q->ctx, job);
        pthread_mutex_lock(&q->lock);
        q->used--; /* before done: the next sign-in may queue at once */
        pthread_mutex_unlock(&q->lock);
        job->done(job->done_arg); /* may free the job */
    }
    return NULL;
}

vk_err api_signin_start(api_signin **out, const vk_config *cfg, int depth, vk_errinfo *ei)
{
    api_signin *q = calloc(1, sizeof *q);
    if (!q)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    q->depth = depth < 1 ? 1 : depth;
    store_conn *s = NULL;
    vk_err e = store_open_worker(&s, cfg->db_path, ei);
    if (!e)
        e = vk_ctx_new(&q->ctx, cfg, s, ei);
    if (e) {
        free(q);
        return e;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    if (pthread_create(&q->thread, NULL, signin_main, q) != 0) {
        vk_ctx_free(q->ctx);
        pthread_cond_destroy(&q->wake);
        pthread_mutex_destroy(&q->lock);
        free(q);
        return vk_fail(ei, VK_ENOMEM, "", "cannot start the sign-in thread");
    }
    *out = q;
    return VK_OK;
}

void api_signin_stop(api_signin *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    int joined = q->stopping;
    q->stopping = 1;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    if (!joined)
        pthread_join(q->thread, NULL);
}

void api_signin_free(api_signin *q)
{
    if (!q)
        return;
    api_signin_stop(q);
    vk_ctx_free(q->ctx);
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

int api_signin_reserve(api_signin *q)
{
    pthread_mutex_lock(&q->lock);
    int ok = q->used < q->depth && !q->stopping;
    if (ok)
        q->used++;
    pthread_mutex_unlock(&q->lock);
    return ok;
}

void api_signin_cancel(api_signin *q)
{
    pthread_mutex_lock(&q->lock);
    q->used--;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}

void api_signin_submit(api_signin *q, api_signin_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}
