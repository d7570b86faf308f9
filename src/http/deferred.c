/* deferred.c — requests answered by a writer job (see deferred.h). */
#include "http/deferred.h"

#include <stdlib.h>

static void job_start(void *state, void (*resume)(void *token), void *token)
{
    vk_write_job *job = state; /* the state begins with its job */
    job->done = resume;
    job->done_arg = token;
    vk_writer_submit(job->writer, job);
}

void vk_write_job_defer(vk_ctx *ctx, vk_write_job *job, vk_resp *resp,
                        void (*finish)(void *state, vk_resp *resp),
                        void (*cleanup)(void *state))
{
    if (!ctx->writer) {
        vk_writer_run_one(ctx, job);
        finish(job, resp);
        cleanup(job);
        return;
    }
    job->writer = ctx->writer;
    resp->defer_state = job;
    resp->defer_start = job_start;
    resp->defer_finish = finish;
    resp->defer_cleanup = cleanup;
}

void vk_json_write_finish(void *state, vk_resp *resp)
{
    vk_json_write *st = state;
    vk_write_job *job = &st->job;
    if (st->cookie[0])
        vk_resp_header(resp, "Set-Cookie", st->cookie);
    if (job->err.code != VK_OK) {
        vk_resp_error(resp, &job->err);
        return;
    }
    resp->status = job->status;
    resp->content_type = st->content_type;
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(&resp->body, job->body ? job->body : "");
}

void vk_json_write_free(void *state)
{
    vk_json_write *st = state;
    vk_write_job_fini(&st->job);
    json_decref(st->doc);
    free(st);
}

void *vk_json_write_new(vk_ctx *ctx, size_t size, vk_write_run_fn run,
                        const char *content_type)
{
    vk_json_write *st = calloc(1, size < sizeof *st ? sizeof *st : size);
    if (!st) {
        vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        return NULL;
    }
    st->job.run = run;
    st->content_type = content_type;
    return st;
}

void vk_json_write_defer(vk_ctx *ctx, vk_json_write *st, vk_resp *resp)
{
    vk_write_job_defer(ctx, &st->job, resp, vk_json_write_finish, vk_json_write_free);
}
