/* writer.c — the group-commit writer thread. */
#include "db/writer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/checkpoint.h"

/* How much the writer thread defers to the readers (nice, 0..19). */
#define WRITER_NICE 10

/* Remembered responses are kept at least this long (the issue asks 24 h). */
#define IDEM_KEEP_SECONDS (48 * 3600)

/* How often the planner statistics are looked at. */
#define MAINTENANCE_SECONDS 3600

/* WAL pages that start a checkpoint (64 MiB at 4 KiB pages): the same as
 * the automatic checkpoint (db/sql.h), now on the checkpointer's thread. */
#define CHECKPOINT_PAGES 16384

struct vk_writer {
    vk_queue *queue;
    vk_ctx *ctx; /* owned: the writer's own connection */
    vk_checkpointer *checkpointer; /* owned: checkpoints its WAL */
    time_t last_purge; /* of remembered responses */
    time_t next_analyze, next_hook;
    vk_writer_hook hook; /* run NULL when none */
};

void vk_write_job_fini(vk_write_job *job)
{
    free(job->location);
    free(job->body);
    job->location = job->body = NULL;
}

static void job_fail(vk_write_job *job, const vk_errinfo *ei)
{
    job->err = *ei;
    if (job->err.code == VK_OK)
        job->err.code = VK_EINTERNAL;
}

/* One job inside the open transaction. */
static void run_job(vk_ctx *ctx, vk_write_job *job, const char *now)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    vk_errinfo_clear(&job->err);
    store_conn *c = ctx->store;
    if (job->idem_key) {
        int found = 0;
        store_idem prev;
        if (store_idem_get(c, job->idem_scope, job->idem_key, &found, &prev, &ei)) {
            job_fail(job, &ei);
            return;
        }
        if (found) {
            if (strcmp(prev.request_hash, job->request_hash) != 0) {
                store_idem_fini(&prev);
                vk_fail(&ei, VK_EIDEM_REUSED, "Idempotency-Key",
                        "this Idempotency-Key was already used for a different request");
                job_fail(job, &ei);
                return;
            }
            job->replayed = 1;
            job->status = prev.status;
            job->location = prev.location; /* the copies change hands */
            job->body = prev.body;
            free(prev.request_hash);
            return;
        }
    }
    vk_err e = store_savepoint(c, &ei);
    if (e) {
        job_fail(job, &ei);
        return;
    }
    vk_buf body;
    vk_buf_init(&body, 64u * 1024 * 1024);
    job->status = 200;
    e = job->run(ctx, job, now, &body, &ei);
    if (!e && !vk_buf_ok(&body))
        e = vk_fail(&ei, VK_ENOMEM, "", NULL);
    if (!e)
        job->body = vk_buf_take(&body, NULL);
    vk_buf_fini(&body);
    if (!e && job->idem_key) {
        store_idem r = {job->request_hash, job->status, job->location, job->body};
        /* store_idem_put only reads r. */
        e = store_idem_put(c, job->idem_scope, job->idem_key, &r, now, &ei);
    }
    if (!e)
        e = store_release(c, &ei);
    if (e) {
        store_rollback_to(c);
        vk_write_job_fini(job);
        job_fail(job, &ei);
    }
}

/* Commit a batch; on a failed commit nothing in it is acknowledged. */
static void run_batch(vk_ctx *ctx, vk_write_job *jobs, int purge)
{
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    vk_err e = store_begin(ctx->store, &ei);
    for (vk_write_job *j = jobs; !e && j; j = (vk_write_job *)j->link.next)
        run_job(ctx, j, now);
    if (!e && purge) {
        char before[VK_RFC3339_LEN];
        time_t t = time(NULL) - IDEM_KEEP_SECONDS;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(before, sizeof before, "%Y-%m-%dT%H:%M:%SZ", &tm);
        vk_errinfo pe;
        store_idem_purge(ctx->store, before, &pe); /* best effort */
    }
    if (!e)
        e = store_commit(ctx->store, &ei);
    if (e) {
        store_rollback(ctx->store);
        vk_log("writer: a batch failed and was rolled back: %s", ei.message);
        for (vk_write_job *j = jobs; j; j = (vk_write_job *)j->link.next)
            if (j->err.code == VK_OK) {
                vk_write_job_fini(j);
                job_fail(j, &ei);
            }
    }
}

void vk_writer_run_one(vk_ctx *ctx, vk_write_job *job)
{
    job->link.next = NULL;
    run_batch(ctx, job, 0);
}

/* Between batches (writer thread): hourly, fresh planner statistics when
 * the table has grown or shrunk a lot since the last ones (the inbox and
 * filtered lists need them to pick the right index); then the hook, on its
 * own schedule. */
static void writer_tick(void *arg)
{
    vk_writer *w = arg;
    time_t now = time(NULL);
    if (now >= w->next_analyze) {
        w->next_analyze = now + MAINTENANCE_SECONDS;
        vk_errinfo ei;
        vk_errinfo_clear(&ei);
        int analyzed = 0;
        int64_t t0 = vk_monotonic_us();
        if (store_analyze_if_stale(w->ctx->store, &analyzed, &ei))
            vk_log("writer: refreshing the planner statistics failed: %s", ei.message);
        else if (analyzed)
            vk_log("writer: planner statistics refreshed (%.2f s)",
                   (double)(vk_monotonic_us() - t0) / 1e6);
    }
    if (w->hook.run && now >= w->next_hook) {
        w->next_hook = now + (time_t)w->hook.seconds;
        w->hook.run(w->ctx, w->hook.arg);
    }
}

static void writer_run(void *arg, vk_queue_item *batch)
{
    vk_writer *w = arg;
    time_t now = time(NULL);
    int purge = now - w->last_purge >= 60;
    if (purge)
        w->last_purge = now;
    run_batch(w->ctx, (vk_write_job *)batch, purge);
}

static void writer_done(void *arg, vk_queue_item *batch)
{
    (void)arg;
    for (vk_queue_item *j = batch, *next; j; j = next) {
        next = j->next; /* done may free the job */
        vk_write_job *job = (vk_write_job *)j;
        job->done(job->done_arg);
    }
}

vk_err vk_writer_start(vk_writer **out, const vk_config *cfg, int max_batch,
                       const vk_writer_hook *hook, vk_errinfo *ei)
{
    vk_writer *w = calloc(1, sizeof *w);
    if (!w)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    if (hook && hook->run)
        w->hook = *hook;
    unsigned tick = MAINTENANCE_SECONDS;
    if (w->hook.run && w->hook.seconds < tick)
        tick = w->hook.seconds ? w->hook.seconds : 1;
    /* Readers first: on a busy machine the writer takes what is left, and
     * the writes waiting meanwhile only make its next batch larger. */
    vk_queue_def def = {.name = "writer", .max_batch = max_batch, .nice = WRITER_NICE,
                        .run = writer_run, .done = writer_done, .tick = writer_tick,
                        .tick_seconds = tick, .arg = w};
    /* The checkpointer takes the connection's WAL hook before the thread
     * that uses the connection starts (it is opened without a mutex). */
    vk_err e = vk_ctx_open(&w->ctx, cfg, ei);
    if (!e && (e = vk_checkpointer_start(&w->checkpointer, cfg->db_path, w->ctx->store,
                                         CHECKPOINT_PAGES, ei)))
        vk_ctx_free(w->ctx);
    if (!e && (e = vk_queue_start(&w->queue, &def, ei))) {
        vk_checkpointer_stop(w->checkpointer);
        vk_ctx_free(w->ctx);
    }
    if (e) {
        free(w);
        return e;
    }
    *out = w;
    return VK_OK;
}

void vk_writer_submit(vk_writer *w, vk_write_job *job)
{
    vk_queue_submit(w->queue, &job->link);
}

void vk_writer_stop(vk_writer *w)
{
    if (!w)
        return;
    vk_queue_free(w->queue); /* runs what was queued, ends the thread */
    vk_checkpoint_stats st;
    vk_checkpointer_stats(w->checkpointer, &st);
    if (st.passive + st.truncate + st.restart + st.busy)
        vk_log("writer: checkpoints: %ld passive (%ld copied the whole WAL), %ld tails by the "
               "writer, %ld truncate, %ld restart, %ld busy",
               st.passive, st.passive_full, st.tail, st.truncate, st.restart, st.busy);
    vk_checkpointer_stop(w->checkpointer);
    vk_ctx_free(w->ctx);
    free(w);
}
