/*
 * signin.h — the sign-in queue: password checks on a thread of their own.
 *
 * Checking an Argon2id password costs about 0.1 s of CPU and 64 MiB, by
 * design. Run on the request threads, a flood of sign-ins held them and
 * every other visitor waited behind it (1.26 s for /api/v1/categories with
 * 16 senders). Here sign-ins run one at a time on one thread with its own
 * worker context; the request is suspended meanwhile, so the request
 * threads go on serving everything else. At most `depth` sign-ins wait;
 * when the queue is full api_signin_reserve() fails and the caller answers
 * 503 with Retry-After, which costs nothing.
 *
 * A job is the caller's struct beginning with an api_signin_job; it is
 * borrowed by the queue from submit until its done callback has run.
 */
#ifndef VK_SIGNIN_H
#define VK_SIGNIN_H

#include "core/queue.h"
#include "db/ctx.h"

typedef struct api_signin api_signin;
typedef struct api_signin_job api_signin_job;

struct api_signin_job {
    vk_queue_item link; /* first: the queue's */
    /* on the queue's thread, with its context */
    void (*run)(vk_ctx *ctx, api_signin_job *job);
    /* then, on the same thread: the job is the caller's again */
    void (*done)(void *arg);
    void *done_arg;
};

/* Start the thread with its own connection to cfg->db_path; depth is how
 * many jobs may wait or run at once. Caller frees with api_signin_free(). */
vk_err api_signin_start(api_signin **out, const vk_config *cfg, int depth, vk_errinfo *ei);
/* Take no more jobs (reserve fails from now on), run every job submitted
 * or reserved, then end the thread. The queue stays valid until freed, so
 * late callers are refused rather than lost. NULL is a no-op. */
void api_signin_stop(api_signin *q);
/* Stop if not stopped, close the connection, free. NULL is a no-op. */
void api_signin_free(api_signin *q);
/* Hold a place for one job: 1 when there was room, 0 when the queue is
 * full. Each place is used by one api_signin_submit() or given back with
 * api_signin_cancel(). */
int api_signin_reserve(api_signin *q);
void api_signin_cancel(api_signin *q);
/* Queue a job in a place reserved before; run and done follow. */
void api_signin_submit(api_signin *q, api_signin_job *job);

#endif
