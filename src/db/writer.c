/* writer.c — the group-commit writer thread. */
#include "db/writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <jansson.h>

#include "features/items.h"
#include "feedback/moderation.h"
#include "feedback/workflow.h"
#include "core/clock.h"
#include "core/log.h"

/* How much the writer thread defers to the readers (nice, 0..19). */
#define WRITER_NICE 10

/* Remembered responses are kept at least this long (the issue asks 24 h). */
#define IDEM_KEEP_SECONDS (48 * 3600)

struct vk_writer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    vk_write_job *head, *tail; /* queue */
    int stopping;
    int max_batch;
    vk_ctx *ctx; /* owned: the writer's own connection */
    time_t last_purge;
    time_t next_maintenance;   /* the hourly tick: planner statistics, retention purge */
};

/* How often the contact-details retention purge runs. */
#define MAINTENANCE_SECONDS 3600

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

/* The stored item as the response body, read inside the transaction. A
 * staff change may concern a hidden item: it is read all the same. */
static vk_err write_response(vk_ctx *ctx, vk_write_job *job, int64_t id, int status,
                             vk_errinfo *ei)
{
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.id = id;
    it.q.include_nonpublic = job->kind == VK_JOB_CHANGE;
    vk_buf body;
    vk_buf_init(&body, 64u * 1024 * 1024);
    int found = 0;
    vk_err e = api_items_write_one(ctx, &it, &body, &found);
    if (!e && !found)
        e = vk_fail(ei, VK_EINTERNAL, "", "the stored item could not be read back");
    else if (e)
        vk_fail(ei, e, "", "%s", ctx->err.message);
    size_t n = strlen(job->location_prefix) + 24;
    job->location = malloc(n);
    if (!e && !job->location)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e) {
        snprintf(job->location, n, "%s%lld", job->location_prefix, (long long)id);
        job->body = vk_buf_take(&body, NULL);
        job->status = status;
    }
    vk_buf_fini(&body);
    return e;
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
    int64_t id = 0;
    vk_err e = store_savepoint(c, &ei);
    if (e) {
        job_fail(job, &ei);
        return;
    }
    if (job->kind == VK_JOB_CHANGE) {
        id = job->change.id;
        e = api_workflow_apply(ctx, &job->change, now, &ei);
        if (!e)
            e = write_response(ctx, job, id, 200, &ei);
    } else if (job->kind == VK_JOB_CREATE) {
        e = store_feedback_insert(c, &job->row, &id, &ei);
        if (!e)
            e = write_response(ctx, job, id, 201, &ei);
    } else {
        /* Moderation's jobs answer with their own views. */
        vk_buf body;
        vk_buf_init(&body, 64u * 1024 * 1024);
        e = api_moderation_run(ctx, job, now, &body, &ei);
        if (!e && !vk_buf_ok(&body))
            e = vk_fail(&ei, VK_ENOMEM, "", NULL);
        if (!e) {
            job->body = vk_buf_take(&body, NULL);
            job->status = 200;
        }
        vk_buf_fini(&body);
    }
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
    for (vk_write_job *j = jobs; !e && j; j = j->next)
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
        for (vk_write_job *j = jobs; j; j = j->next)
            if (j->err.code == VK_OK) {
                vk_write_job_fini(j);
                job_fail(j, &ei);
            }
    }
}

void vk_writer_run_one(vk_ctx *ctx, vk_write_job *job)
{
    job->next = NULL;
    run_batch(ctx, job, 0);
}

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

static void json_write_finish(void *state, vk_resp *resp)
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

vk_json_write *vk_json_write_new(vk_ctx *ctx, vk_job_kind kind, const char *content_type)
{
    vk_json_write *st = calloc(1, sizeof *st);
    if (!st) {
        vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        return NULL;
    }
    st->job.kind = kind;
    st->job.location_prefix = "/api/v1/feedback/";
    st->content_type = content_type;
    return st;
}

void vk_json_write_defer(vk_ctx *ctx, vk_json_write *st, vk_resp *resp)
{
    vk_write_job_defer(ctx, &st->job, resp, json_write_finish, vk_json_write_free);
}

/* Hourly, between batches (writer thread): fresh planner statistics when
 * the table has grown or shrunk a lot since the last ones (the inbox and
 * filtered lists need them to pick the right index), and the retention
 * purge of contact details in a transaction of its own. */
static void maintain(vk_writer *w)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int analyzed = 0;
    int64_t t0 = vk_monotonic_us();
    if (store_analyze_if_stale(w->ctx->store, &analyzed, &ei))
        vk_log("writer: refreshing the planner statistics failed: %s", ei.message);
    else if (analyzed)
        vk_log("writer: planner statistics refreshed (%.2f s)",
               (double)(vk_monotonic_us() - t0) / 1e6);
    if (w->ctx->cfg->contact_retention_days <= 0)
        return;
    vk_errinfo_clear(&ei);
    int64_t removed = 0;
    if (api_moderation_purge_days(w->ctx->store, w->ctx->cfg->contact_retention_days, &removed, &ei))
        vk_log("writer: the contact-details purge failed: %s", ei.message);
    else if (removed)
        vk_log("writer: removed the contact details of %lld closed or withdrawn items",
               (long long)removed);
}

static void *writer_main(void *arg)
{
    vk_writer *w = arg;
    /* Readers first: on a busy machine the writer takes what is left, and
     * the writes waiting meanwhile only make its next batch larger. */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WRITER_NICE) != 0)
        vk_log("writer: could not lower the writer thread's priority");
    for (;;) {
        pthread_mutex_lock(&w->lock);
        while (!w->head && !w->stopping) {
            if (time(NULL) >= w->next_maintenance) {
                w->next_maintenance = time(NULL) + MAINTENANCE_SECONDS;
                pthread_mutex_unlock(&w->lock);
                maintain(w);
                pthread_mutex_lock(&w->lock);
                continue;
            }
            struct timespec until = {w->next_maintenance, 0};
            pthread_cond_timedwait(&w->wake, &w->lock, &until);
        }
        if (!w->head) {
            pthread_mutex_unlock(&w->lock);
            break;
        }
        /* Take up to max_batch jobs: everything that queued while the last
         * commit was on disk goes into this one. */
        vk_write_job *batch = w->head, *last = w->head;
        for (int n = 1; n < w->max_batch && last->next; n++)
            last = last->next;
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&w->lock);

        time_t now = time(NULL);
        int purge = now - w->last_purge >= 60;
        if (purge)
            w->last_purge = now;
        run_batch(w->ctx, batch, purge);
        for (vk_write_job *j = batch, *next; j; j = next) {
            next = j->next; /* done may free the job */
            j->done(j->done_arg);
        }
        /* Also when writes never stop coming. */
        if (now >= w->next_maintenance) {
            w->next_maintenance = now + MAINTENANCE_SECONDS;
            maintain(w);
        }
    }
    return NULL;
}

vk_err vk_writer_start(vk_writer **out, const vk_config *cfg, int max_batch, vk_errinfo *ei)
{
    vk_writer *w = calloc(1, sizeof *w);
    if (!w)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    w->max_batch = max_batch < 1 ? 1 : max_batch;
    /* At start, then hourly. */
    w->next_maintenance = time(NULL);
    store_conn *s = NULL;
    vk_err e = store_open_worker(&s, cfg->db_path, ei);
    if (!e)
        e = vk_ctx_new(&w->ctx, cfg, s, ei);
    if (e) {
        free(w);
        return e;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        vk_ctx_free(w->ctx);
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return vk_fail(ei, VK_ENOMEM, "", "cannot start the writer thread");
    }
    *out = w;
    return VK_OK;
}

void vk_writer_submit(vk_writer *w, vk_write_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void vk_writer_stop(vk_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    vk_ctx_free(w->ctx);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
