/* signin.c — the sign-in queue's thread (see signin.h): a bounded
 * core/queue.h whose thread has a worker context of its own. */
#include "auth/signin.h"

#include <stdlib.h>

struct api_signin {
    vk_queue *queue;
    vk_ctx *ctx; /* owned: the thread's own connection */
};

/* One sign-in at a time (max_batch 1). */
static void signin_run(void *arg, vk_queue_item *batch)
{
    api_signin *q = arg;
    api_signin_job *job = (api_signin_job *)batch;
    vk_errinfo_clear(&q->ctx->err);
    job->run(q->ctx, job);
}

static void signin_done(void *arg, vk_queue_item *batch)
{
    (void)arg;
    api_signin_job *job = (api_signin_job *)batch;
    job->done(job->done_arg); /* may free the job */
}

vk_err api_signin_start(api_signin **out, const vk_config *cfg, int depth, vk_errinfo *ei)
{
    api_signin *q = calloc(1, sizeof *q);
    if (!q)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_queue_def def = {.name = "sign-in", .depth = depth < 1 ? 1 : depth, .max_batch = 1,
                        .run = signin_run, .done = signin_done, .arg = q};
    vk_err e = vk_ctx_queue_start(&q->queue, &q->ctx, cfg, &def, ei);
    if (e) {
        free(q);
        return e;
    }
    *out = q;
    return VK_OK;
}

void api_signin_stop(api_signin *q)
{
    if (q)
        vk_queue_stop(q->queue);
}

void api_signin_free(api_signin *q)
{
    if (!q)
        return;
    vk_ctx_queue_free(q->queue, q->ctx);
    free(q);
}

int api_signin_reserve(api_signin *q) { return vk_queue_reserve(q->queue); }

void api_signin_cancel(api_signin *q) { vk_queue_cancel(q->queue); }

void api_signin_submit(api_signin *q, api_signin_job *job)
{
    vk_queue_submit(q->queue, &job->link);
}
