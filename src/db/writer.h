/*
 * writer.h — the one writer: every feedback write goes through a single
 * thread that takes all writes waiting in its queue and commits them in
 * one transaction (group commit). With synchronous=FULL each commit costs
 * an fsync; batching makes that cost shared by everyone waiting, so
 * durability does not cost throughput.
 *
 * A write is acknowledged (its done callback runs) only after its
 * transaction has committed. Each job runs inside a savepoint, so one
 * failing job is undone alone and the rest of the batch still commits.
 *
 * Idempotency-Key: inside the same transaction the key is looked up first;
 * the same request again gets the remembered response and writes nothing,
 * another request under the same key gets VK_EIDEM_REUSED (422).
 */
#ifndef VK_WRITER_H
#define VK_WRITER_H

#include <jansson.h>

#include "db/ctx.h"
#include "http/request.h"
#include "db/store.h"
#include "feedback/store_feedback.h" /* the feedback job (moves to feedback/jobs.c) */

/* A staff change to one item (PATCH /api/v1/staff/feedback/{id}). Strings
 * are NULL when not given; checked for form by the handler and against the
 * item's state by the writer (api/workflow.c), inside the transaction. */
typedef struct vk_feedback_change {
    int64_t id;
    const char *actor; /* staff name */
    const char *status, *unit, *public_answer, *internal_note, *resolution_reason,
        *forwarded_to;
    int64_t duplicate_of; /* 0 = not given */
    /* Moderation (api/moderation.c): hide or show, and the description
     * with personal data edited out. */
    int set_hidden, hidden;  /* set_hidden 0 = not given */
    const char *description; /* NULL = not given */
    const char *kind;        /* the event's kind; NULL = from what changed */
} vk_feedback_change;

typedef enum {
    VK_JOB_CREATE = 0, /* insert job->row; 201 */
    VK_JOB_CHANGE,     /* apply job->change and log it; 200 */
    VK_JOB_WITHDRAW,   /* the reporter withdraws the item of job->secret_hash; 200 */
    VK_JOB_ME_TOO,     /* one "me too" for change.id from voter job->secret_hash; 200 */
    VK_JOB_MERGE,      /* change.id becomes a duplicate of job->into; 200 */
} vk_job_kind;

typedef struct vk_write_job vk_write_job;
struct vk_write_job {
    /* in: borrowed until done runs */
    vk_job_kind kind;
    vk_feedback_change change; /* VK_JOB_CHANGE */
    store_feedback_new row;    /* VK_JOB_CREATE */
    char secret_hash[65];      /* VK_JOB_WITHDRAW: follow-up hash; VK_JOB_ME_TOO: voter */
    char address_hash[65];     /* VK_JOB_ME_TOO: keyed hash of the client's address and
                                * day ("" when unknown) */
    char day[11];              /* VK_JOB_ME_TOO: the day of address_hash, YYYY-MM-DD */
    int64_t into;              /* VK_JOB_MERGE: the item that stays */
    vk_role role;              /* VK_JOB_MERGE: the caller's, for the staff view answered */
    struct vk_writer *writer;  /* where vk_write_job_defer() queues the job */
    const char *idem_key;        /* NULL when the request has none */
    char idem_scope[48];         /* whose key it is (see store_idem_get) */
    char request_hash[65];       /* hex SHA-256 of method, path and body */
    const char *location_prefix; /* e.g. "/api/v1/feedback/" */
    /* out: valid when done runs; body and location are malloc'd, the job's
     * owner frees them with vk_write_job_fini() */
    vk_errinfo err;              /* code VK_OK on success */
    int status;                  /* 201 (200 for a change), or a replay's */
    int replayed;
    char *location;
    char *body;
    /* completion: called on the writer thread after the commit */
    void (*done)(void *arg);
    void *done_arg;
    vk_write_job *next; /* queue link, the writer's */
};

void vk_write_job_fini(vk_write_job *job);

typedef struct vk_writer vk_writer;

/* Start the writer thread with its own connection. max_batch 1 turns group
 * commit off (one transaction per write), for comparison. With
 * cfg->contact_retention_days > 0 the thread also deletes expired contact
 * details (api_moderation_purge) at start and every hour, between batches,
 * so the purge never races a write. Caller stops with vk_writer_stop(). */
vk_err vk_writer_start(vk_writer **out, const vk_config *cfg, int max_batch, vk_errinfo *ei);
/* Queue a job; its done callback runs on the writer thread. */
void vk_writer_submit(vk_writer *w, vk_write_job *job);
/* Finish every queued job, then stop and close. */
void vk_writer_stop(vk_writer *w);

/* Run one job at once on the caller's context (no server: tools, tests). */
void vk_writer_run_one(vk_ctx *ctx, vk_write_job *job);

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
 * actor's name and an optional Set-Cookie. */
typedef struct vk_json_write {
    vk_write_job job; /* first: see vk_write_job_defer() */
    json_t *doc;
    const char *content_type;
    char actor[65];
    char cookie[160]; /* "" when none */
} vk_json_write;

/* A zeroed state for a job of this kind (NULL and ctx->err set when out of
 * memory); defer it with vk_json_write_defer() or free it with
 * vk_json_write_free(). */
vk_json_write *vk_json_write_new(vk_ctx *ctx, vk_job_kind kind, const char *content_type);
void vk_json_write_defer(vk_ctx *ctx, vk_json_write *st, vk_resp *resp);
void vk_json_write_free(void *state);

#endif
