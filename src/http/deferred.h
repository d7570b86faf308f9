/*
 * deferred.h — answering a request with a write of the group-commit
 * writer (db/writer.h): the request is suspended, its job queued, and the
 * answer built once the job has committed.
 */
#ifndef VK_DEFERRED_H
#define VK_DEFERRED_H

#include <jansson.h>
#include <stddef.h>

#include "db/ctx.h"
#include "db/writer.h"
#include "http/request.h"

/* Answer a request with a write: state is the handler's own struct, which
 * must begin with its vk_write_job (job == state). With a writer on ctx
 * the response is deferred (resp's defer_* set: the job is queued when the
 * server suspends the connection, finish builds the answer once it has
 * committed, cleanup frees state when the request ends). Without one
 * (tools, tests) the job runs at once and finish and cleanup are called
 * before this returns. */
void vk_write_job_defer(vk_ctx *ctx, vk_write_job *job, vk_resp *resp,
                        void (*finish)(void *state, vk_resp *resp),
                        void (*cleanup)(void *state));

/* The state of a staff or resident write answered with the job's JSON
 * body: the job, the parsed request body its strings borrow from, the
 * actor's name and an optional Set-Cookie. A feature's state may begin
 * with one and add its own data (see vk_json_write_new). */
typedef struct vk_json_write {
    vk_write_job job; /* first: see vk_write_job_defer() */
    json_t *doc;
    const char *content_type;
    char actor[65];
    char cookie[160]; /* "" when none */
} vk_json_write;

/* A zeroed state of size bytes (at least sizeof(vk_json_write): a
 * feature's struct beginning with one) whose job runs run; NULL and
 * ctx->err set when out of memory. Defer it with vk_json_write_defer() or
 * free it with vk_json_write_free(). */
void *vk_json_write_new(vk_ctx *ctx, size_t size, vk_write_run_fn run,
                        const char *content_type);
void vk_json_write_defer(vk_ctx *ctx, vk_json_write *st, vk_resp *resp);
void vk_json_write_free(void *state);
/* The answer of a vk_json_write (its job's error, or status and body),
 * for a feature that defers its state with a cleanup of its own. */
void vk_json_write_finish(void *state, vk_resp *resp);

#endif
