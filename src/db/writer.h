/*
 * writer.h — the one writer: every write goes through a single thread
 * that takes all writes waiting in its queue and commits them in one
 * transaction (group commit). With synchronous=FULL each commit costs an
 * fsync; batching makes that cost shared by everyone waiting, so
 * durability does not cost throughput.
 *
 * The writer knows no feature: a job carries its own run (inside the
 * batch's transaction, in a savepoint of its own) and done (after the
 * commit) callbacks. A job whose run fails is undone alone and the rest of
 * the batch still commits. A write is acknowledged (done runs) only after
 * its transaction has committed.
 *
 * Idempotency-Key: inside the same transaction the key is looked up first;
 * the same request again gets the remembered response and runs nothing,
 * another request under the same key gets VK_EIDEM_REUSED (422).
 */
#ifndef VK_WRITER_H
#define VK_WRITER_H

#include "core/buf.h"
#include "core/queue.h"
#include "db/ctx.h"

typedef struct vk_write_job vk_write_job;

/* A job's write, on the writer thread inside its savepoint: write the
 * answer into body and set job->status (and job->location, malloc'd, if
 * the answer has one). now is the batch's time (RFC 3339). An error (detail
 * in ei) rolls back this job alone and becomes job->err. */
typedef vk_err (*vk_write_run_fn)(vk_ctx *ctx, vk_write_job *job, const char *now,
                                  vk_buf *body, vk_errinfo *ei);

/* The caller's struct begins with one (the feature's data follows). */
struct vk_write_job {
    vk_queue_item link; /* first: the writer's queue */
    /* in: borrowed until done runs */
    vk_write_run_fn run;
    const char *idem_key;  /* NULL when the request has none */
    char idem_scope[48];   /* whose key it is (see store_idem_get) */
    char request_hash[65]; /* hex SHA-256 of method, path and body */
    struct vk_writer *writer; /* where http/deferred.h queues the job */
    /* out: valid when done runs; body and location are malloc'd, the job's
     * owner frees them with vk_write_job_fini() */
    vk_errinfo err; /* code VK_OK on success */
    int status;     /* set by run, or a replay's */
    int replayed;
    char *location;
    char *body;
    /* completion: called on the writer thread after the commit */
    void (*done)(void *arg);
    void *done_arg;
};

void vk_write_job_fini(vk_write_job *job);

/* Periodic work on the writer thread, between batches (so it never races
 * a write), at start and every `seconds`: e.g. a feature's retention
 * purge, in a transaction of its own. */
typedef struct vk_writer_hook {
    unsigned seconds;
    void (*run)(vk_ctx *ctx, void *arg);
    void *arg;
} vk_writer_hook;

typedef struct vk_writer vk_writer;

/* Start the writer thread with its own connection. max_batch 1 turns group
 * commit off (one transaction per write), for comparison. hook (may be
 * NULL; copied) runs besides the hourly refresh of planner statistics.
 * Caller stops with vk_writer_stop(). */
vk_err vk_writer_start(vk_writer **out, const vk_config *cfg, int max_batch,
                       const vk_writer_hook *hook, vk_errinfo *ei);
/* Queue a job; its done callback runs on the writer thread. */
void vk_writer_submit(vk_writer *w, vk_write_job *job);
/* Finish every queued job, then stop and close. */
void vk_writer_stop(vk_writer *w);

/* Run one job at once on the caller's context (no server: tools, tests). */
void vk_writer_run_one(vk_ctx *ctx, vk_write_job *job);

#endif
