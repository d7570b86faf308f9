/*
 * test_writer.c — the group-commit writer driven with jobs of its own,
 * without HTTP: a batch of jobs, one failing job undone alone, done only
 * after the commit, Idempotency-Key replay and reuse, the periodic hook,
 * stop draining the queue, and the checkpointer beside it.
 *
 * A test job leaves a mark the test can read back from another
 * connection: a remembered response under scope "test" and its key.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "db/checkpoint.h"
#include "db/ctx.h"
#include "db/store.h"
#include "db/writer.h"
#include "core/json.h"
#include "feedback/feedback.h"
#include "feedback/jobs.h"
#include "reference/reference.h"
#include "t.h"
#include "tmp.h"

#define FIXTURES VK_SOURCE_DIR "/tests/fixtures"

static vk_config cfg;

/* What the jobs saw; under lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int runs, dones, hooks;
static int blocking, blocked; /* the blocker job holds the writer while blocking */
static store_conn *reader;    /* the test's own connection */

typedef struct test_job {
    vk_write_job job; /* first */
    char key[32];
    int fail, blocker;
    int runs_at_done;     /* how many runs had happened when done came */
    int marked_at_done;   /* 1 if another connection saw the mark in done */
} test_job;

static int has_mark(const char *key)
{
    store_idem r;
    int found = 0;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_idem_get(reader, "test", key, &found, &r, &ei))
        return -1;
    if (found)
        store_idem_fini(&r);
    return found;
}

static vk_err run_mark(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                       vk_errinfo *ei)
{
    test_job *j = (test_job *)wj;
    pthread_mutex_lock(&lock);
    runs++;
    if (j->blocker) {
        blocked = 1;
        pthread_cond_broadcast(&changed);
        while (blocking)
            pthread_cond_wait(&changed, &lock);
    }
    pthread_mutex_unlock(&lock);
    char hash[] = "0", answer[] = "{}";
    store_idem r = {hash, 200, NULL, answer};
    vk_err e = store_idem_put(ctx->store, "test", j->key, &r, now, ei);
    if (!e && j->fail)
        e = vk_fail(ei, VK_EVALUE, "x", "this job fails");
    if (!e) {
        vk_buf_printf(body, "{\"key\":\"%s\"}", j->key);
        wj->status = 201;
    }
    return e;
}

static void on_done(void *arg)
{
    test_job *j = arg;
    pthread_mutex_lock(&lock);
    j->runs_at_done = runs;
    j->marked_at_done = has_mark(j->key); /* the writer has committed */
    dones++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static test_job *new_job(const char *key)
{
    test_job *j = calloc(1, sizeof *j);
    snprintf(j->key, sizeof j->key, "%s", key);
    j->job.run = run_mark;
    j->job.done = on_done;
    j->job.done_arg = j;
    return j;
}

static void free_job(test_job *j)
{
    vk_write_job_fini(&j->job);
    free(j);
}

static void wait_dones(int n)
{
    pthread_mutex_lock(&lock);
    while (dones < n)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
}

static void count_hook(vk_ctx *ctx, void *arg)
{
    pthread_mutex_lock(&lock);
    hooks += ctx && ctx->store && arg == &hooks;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void reset(void)
{
    pthread_mutex_lock(&lock);
    runs = dones = 0;
    pthread_mutex_unlock(&lock);
}

/* Three jobs queued while the writer is held by a blocker make one batch;
 * the middle one fails and is undone alone. */
static void test_batch(vk_writer *w)
{
    reset();
    test_job *b = new_job("blocker");
    b->blocker = 1;
    pthread_mutex_lock(&lock);
    blocking = 1;
    blocked = 0;
    pthread_mutex_unlock(&lock);
    vk_writer_submit(w, &b->job);
    pthread_mutex_lock(&lock);
    while (!blocked)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    test_job *j[3] = {new_job("a"), new_job("b"), new_job("c")};
    j[1]->fail = 1;
    for (int i = 0; i < 3; i++)
        vk_writer_submit(w, &j[i]->job);
    pthread_mutex_lock(&lock);
    blocking = 0;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    wait_dones(4);
    T_EQ_INT(b->job.err.code, VK_OK, "the blocker's batch committed");
    T_EQ_INT(j[0]->runs_at_done, 4, "the three jobs ran in one batch before any done");
    T_EQ_INT(j[2]->runs_at_done, 4, "and the last done too");
    T_EQ_INT(j[0]->job.err.code, VK_OK, "a job of the batch succeeds");
    T_EQ_INT(j[0]->job.status, 201, "with the status its run set");
    T_EQ_STR(j[0]->job.body, "{\"key\":\"a\"}", "and the body its run wrote");
    T_EQ_INT(j[1]->job.err.code, VK_EVALUE, "the failing job gets its run's error");
    T_EQ_STR(j[1]->job.err.message, "this job fails", "with its message");
    T_OK(j[1]->job.body == NULL, "and no body");
    T_EQ_INT(j[2]->job.err.code, VK_OK, "the job after the failing one succeeds");
    T_EQ_INT(j[0]->marked_at_done, 1, "done runs after the commit: another connection sees the write");
    T_EQ_INT(j[2]->marked_at_done, 1, "also for the last job of the batch");
    T_EQ_INT(has_mark("b"), 0, "the failing job's write was rolled back");
    T_EQ_INT(has_mark("a") + has_mark("c"), 2, "the rest of the batch committed");
    free_job(b);
    for (int i = 0; i < 3; i++)
        free_job(j[i]);
}

static test_job *idem_job(const char *mark, const char *key, const char *hash)
{
    test_job *j = new_job(mark);
    j->job.idem_key = key;
    snprintf(j->job.idem_scope, sizeof j->job.idem_scope, "a:client");
    snprintf(j->job.request_hash, sizeof j->job.request_hash, "%s", hash);
    return j;
}

static void test_idempotency(vk_writer *w)
{
    reset();
    test_job *first = idem_job("idem-1", "K1", "aaaa");
    vk_writer_submit(w, &first->job);
    wait_dones(1);
    test_job *again = idem_job("idem-2", "K1", "aaaa");
    vk_writer_submit(w, &again->job);
    wait_dones(2);
    test_job *other = idem_job("idem-3", "K1", "bbbb");
    vk_writer_submit(w, &other->job);
    wait_dones(3);
    T_EQ_INT(first->job.err.code, VK_OK, "a write with an Idempotency-Key");
    T_EQ_INT(first->job.replayed, 0, "is not a replay");
    T_EQ_INT(again->job.err.code, VK_OK, "the same request again");
    T_EQ_INT(again->job.replayed, 1, "is answered from the remembered response");
    T_EQ_INT(again->job.status, 201, "with its status");
    T_EQ_STR(again->job.body, "{\"key\":\"idem-1\"}", "and its body");
    T_EQ_INT(has_mark("idem-2"), 0, "and runs nothing");
    T_EQ_INT(runs, 1, "(one run in all)");
    T_EQ_INT(other->job.err.code, VK_EIDEM_REUSED, "another request under the same key");
    T_EQ_INT(vk_err_status(other->job.err.code), 422, "is 422");
    T_EQ_STR(other->job.err.field, "Idempotency-Key", "naming the header");
    T_EQ_INT(has_mark("idem-3"), 0, "and writes nothing");
    /* Another client's same key is another key. */
    test_job *elsewhere = idem_job("idem-4", "K1", "bbbb");
    snprintf(elsewhere->job.idem_scope, sizeof elsewhere->job.idem_scope, "t:7");
    vk_writer_submit(w, &elsewhere->job);
    wait_dones(4);
    T_OK(elsewhere->job.err.code == VK_OK && !elsewhere->job.replayed,
         "the same key of another client is its own");
    free_job(first);
    free_job(again);
    free_job(other);
    free_job(elsewhere);
}

/* Jobs queued and not yet run when stop is called still run and commit. */
static void test_stop_drains(vk_writer *w)
{
    reset();
    enum { N = 20 };
    test_job *j[N];
    for (int i = 0; i < N; i++) {
        char key[32];
        snprintf(key, sizeof key, "drain-%d", i);
        j[i] = new_job(key);
        vk_writer_submit(w, &j[i]->job);
    }
    vk_writer_stop(w);
    T_EQ_INT(dones, N, "stop finishes every queued job first");
    int ok = 0, marked = 0;
    for (int i = 0; i < N; i++) {
        ok += j[i]->job.err.code == VK_OK;
        marked += has_mark(j[i]->key) == 1;
        free_job(j[i]);
    }
    T_EQ_INT(ok, N, "each succeeded");
    T_EQ_INT(marked, N, "and each write is on disk");
}

/* Tools and tests run a job at once on their own context. */
static void test_run_one(void)
{
    reset();
    vk_ctx *ctx = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (vk_ctx_open(&ctx, &cfg, &ei)) {
        T_OK(0, "a context of its own: %s", ei.message);
        return;
    }
    test_job *j = new_job("at-once");
    vk_writer_run_one(ctx, &j->job);
    T_OK(j->job.err.code == VK_OK && j->job.status == 201, "vk_writer_run_one runs the job");
    T_EQ_INT(has_mark("at-once"), 1, "and commits it");
    T_EQ_INT(dones, 0, "done is the caller's to call");
    test_job *f = new_job("at-once-fails");
    f->fail = 1;
    vk_writer_run_one(ctx, &f->job);
    T_EQ_INT(f->job.err.code, VK_EVALUE, "a failing job alone");
    T_EQ_INT(has_mark("at-once-fails"), 0, "writes nothing");
    free_job(j);
    free_job(f);
    vk_ctx_free(ctx);
}

/* The queue under the writer, bounded as the sign-in queue uses it. */
static void nothing(void *arg, vk_queue_item *batch)
{
    (void)arg;
    (void)batch;
}

static void test_bounded_queue(void)
{
    vk_queue *q = NULL;
    vk_errinfo ei;
    vk_queue_def def = {.name = "test", .depth = 2, .run = nothing, .done = nothing};
    if (vk_queue_start(&q, &def, &ei)) {
        T_OK(0, "a bounded queue: %s", ei.message);
        return;
    }
    T_OK(vk_queue_reserve(q) && vk_queue_reserve(q), "two places of two");
    T_EQ_INT(vk_queue_reserve(q), 0, "a third is refused");
    vk_queue_cancel(q);
    T_EQ_INT(vk_queue_reserve(q), 1, "a place given back can be taken again");
    vk_queue_cancel(q);
    vk_queue_cancel(q);
    vk_queue_stop(q);
    T_EQ_INT(vk_queue_reserve(q), 0, "a stopped queue refuses");
    vk_queue_stop(q); /* twice is fine */
    vk_queue_free(q);
}

/* The hook again after its seconds. */
static void test_hook_repeats(void)
{
    pthread_mutex_lock(&lock);
    hooks = 0;
    pthread_mutex_unlock(&lock);
    vk_writer *w = NULL;
    vk_writer_hook hook = {1, count_hook, &hooks};
    vk_errinfo ei;
    if (vk_writer_start(&w, &cfg, 1024, &hook, &ei)) {
        T_OK(0, "a second writer: %s", ei.message);
        return;
    }
    pthread_mutex_lock(&lock);
    while (hooks < 2)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    vk_writer_stop(w);
    T_OK(hooks >= 2, "a hook of one second runs again");
}

/* The feedback feature's jobs (feedback/jobs.h), run as tools run them. */
static void test_feedback_jobs(void)
{
    vk_ctx *ctx = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (vk_ctx_open(&ctx, &cfg, &ei) ||
        api_seed_reference(ctx, FIXTURES "/geo", FIXTURES "/seeds", &ei)) {
        T_OK(0, "a seeded database: %s", ei.message);
        vk_ctx_free(ctx);
        return;
    }
    static const char feature[] =
        "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
        "[28.25,61.25]},\"properties\":{\"category\":\"lighting\",\"description\":"
        "\"Valo ei pala\"}}";
    json_t *doc = NULL;
    api_feedback_input in;
    memset(&in, 0, sizeof in);
    T_EQ_INT(api_json_parse(feature, strlen(feature), &doc, &ei), VK_OK, "a Feature");
    T_EQ_INT(api_feedback_read(ctx, doc, API_INPUT_PUBLIC, &in, &ei), VK_OK, "read as POST does");
    api_create_job create = {.job.run = api_job_create, .row = in.row,
                             .location_prefix = "/api/v1/feedback/"};
    vk_writer_run_one(ctx, &create.job);
    T_EQ_INT(create.job.err.code, VK_OK, "the create job");
    T_EQ_INT(create.job.status, 201, "answers 201");
    const char *slash = create.job.location ? strrchr(create.job.location, '/') : NULL;
    int64_t id = slash ? atoll(slash + 1) : 0;
    T_OK(id > 0 && strncmp(create.job.location, "/api/v1/feedback/", 17) == 0,
         "with the Location of the new item");
    T_OK(create.job.body && strstr(create.job.body, "\"Valo ei pala\""),
         "and the stored Feature as the body");
    vk_write_job_fini(&create.job);
    api_feedback_input_fini(&in);
    json_decref(doc);

    api_feedback_job *change = calloc(1, sizeof *change);
    change->w.job.run = api_job_change;
    change->change.id = id;
    change->change.actor = "tester";
    change->change.status = "in_progress";
    vk_writer_run_one(ctx, &change->w.job);
    T_EQ_INT(change->w.job.err.code, VK_OK, "a staff change job");
    T_EQ_INT(change->w.job.status, 200, "answers 200");
    T_OK(change->w.job.body && strstr(change->w.job.body, "\"in_progress\""),
         "with the changed item");
    vk_write_job_fini(&change->w.job);
    change->change.status = "received";
    vk_writer_run_one(ctx, &change->w.job);
    T_EQ_INT(change->w.job.err.code, VK_ETRANSITION, "a transition the workflow refuses fails");
    vk_write_job_fini(&change->w.job);
    free(change);

    api_feedback_job *me = calloc(1, sizeof *me);
    me->w.job.run = api_job_me_too;
    me->change.id = id;
    memset(me->secret_hash, 'a', 64);
    snprintf(me->day, sizeof me->day, "2026-01-01");
    vk_writer_run_one(ctx, &me->w.job);
    char want[96];
    snprintf(want, sizeof want, "{\"id\":%lld,\"me_too\":1,\"counted\":true}", (long long)id);
    T_EQ_STR(me->w.job.body, want, "a me-too job counts the voter");
    vk_write_job_fini(&me->w.job);
    free(me);

    api_feedback_job *merge = calloc(1, sizeof *merge);
    merge->w.job.run = api_job_merge;
    merge->change.id = id;
    merge->change.actor = "tester";
    merge->into = id;
    vk_writer_run_one(ctx, &merge->w.job);
    T_EQ_STR(merge->w.job.err.message, "an item cannot be merged into itself",
             "a merge job checks inside the transaction");
    vk_write_job_fini(&merge->w.job);
    free(merge);
    vk_ctx_free(ctx);
}

static long wal_bytes(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s-wal", cfg.db_path);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Commits on a connection of the test's own, with a checkpointer on it
 * at a threshold of 4 pages: the thread checkpoints while the commits go
 * on, and once they stop it folds the WAL in and truncates it. */
static void test_checkpointer(void)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *c = NULL;
    vk_checkpointer *cp = NULL;
    T_OK(store_open_worker(&c, cfg.db_path, &ei) == VK_OK, "checkpointer: writer opens");
    T_OK(vk_checkpointer_start(&cp, cfg.db_path, c, 4, &ei) == VK_OK, "checkpointer starts");
    if (!c || !cp)
        return;
    char hash[] = "0", answer[2000];
    memset(answer, 'x', sizeof answer - 1);
    answer[sizeof answer - 1] = 0;
    store_idem r = {hash, 200, NULL, answer};
    vk_checkpoint_stats st = {0};
    int failed = 0;
    struct timespec pause = {0, 2000000};
    for (int i = 0; i < 400 && !failed; i++) {
        char key[32];
        snprintf(key, sizeof key, "ckpt-%d", i);
        failed = store_begin(c, &ei) || store_idem_put(c, "test", key, &r, "2026-01-01T00:00:00Z", &ei) ||
                 store_commit(c, &ei);
        nanosleep(&pause, NULL);
    }
    T_OK(!failed, "400 commits beside the checkpointer: %s", ei.message);
    vk_checkpointer_stats(cp, &st);
    T_OK(st.passive > 0, "PASSIVE checkpoints ran during the commits (%ld)", st.passive);
    T_OK(st.wal_pages < 400, "the WAL wrapped around instead of growing (%d pages)", st.wal_pages);
    for (int i = 0; i < 80 && (st.truncate == 0 || wal_bytes() != 0); i++) {
        struct timespec tenth = {0, 100000000};
        nanosleep(&tenth, NULL);
        vk_checkpointer_stats(cp, &st);
    }
    T_OK(st.truncate > 0, "idle: the WAL was truncated (%ld)", st.truncate);
    T_EQ_INT((int)wal_bytes(), 0, "the WAL file is empty when idle");
    vk_checkpointer_stop(cp);
    int found = 0;
    store_idem back;
    T_OK(store_idem_get(reader, "test", "ckpt-399", &found, &back, &ei) == VK_OK && found,
         "the last commit reads back from another connection");
    if (found)
        store_idem_fini(&back);
    store_close(c);
}

/* A reader in a long transaction pins its snapshot: nothing past it can
 * be copied, the WAL passes the cap (4 × 4 pages), and a RESTART can only
 * give up after waiting. It is tried once, then not again for 5 s (each
 * try holds the writer's commits back); when the reader ends, the
 * WAL is folded in and truncated. */
static void test_checkpointer_reader(void)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *c = NULL;
    vk_checkpointer *cp = NULL;
    T_OK(store_open_worker(&c, cfg.db_path, &ei) == VK_OK, "reader case: writer opens");
    T_OK(vk_checkpointer_start(&cp, cfg.db_path, c, 4, &ei) == VK_OK, "checkpointer starts");
    if (!c || !cp)
        return;
    T_OK(store_read_begin(reader, &ei) == VK_OK && has_mark("ckpt-0") >= 0,
         "a reader holds a snapshot");
    char hash[] = "0", answer[2000];
    memset(answer, 'y', sizeof answer - 1);
    answer[sizeof answer - 1] = 0;
    store_idem r = {hash, 200, NULL, answer};
    int failed = 0;
    int64_t start = vk_monotonic_us();
    for (int i = 0; i < 200 && !failed; i++) {
        char key[32];
        snprintf(key, sizeof key, "pinned-%d", i);
        failed = store_begin(c, &ei) ||
                 store_idem_put(c, "test", key, &r, "2026-01-01T00:00:00Z", &ei) ||
                 store_commit(c, &ei);
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
    }
    vk_checkpoint_stats st;
    vk_checkpointer_stats(cp, &st);
    /* Without the back-off every commit past the cap would try (and wait). */
    long tries_allowed = 1 + (long)((vk_monotonic_us() - start) / 5000000);
    T_OK(!failed, "200 commits while the reader stays: %s", ei.message);
    T_OK(st.wal_pages > 16, "the WAL grew past the cap meanwhile (%d pages)", st.wal_pages);
    T_OK(st.busy >= 1 && st.busy <= tries_allowed,
         "a RESTART gave up waiting for the reader, then waited 5 s to try again "
         "(%ld tries, at most %ld)", st.busy, tries_allowed);
    store_read_end(reader);
    for (int i = 0; i < 80 && wal_bytes() != 0; i++) {
        struct timespec tenth = {0, 100000000};
        nanosleep(&tenth, NULL);
    }
    T_EQ_INT((int)wal_bytes(), 0, "the reader gone and no commits: the WAL is truncated");
    vk_checkpointer_stop(cp);
    store_close(c);
}

int main(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = t_path("writer.sqlite");
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_open(&reader, cfg.db_path, &ei)) {
        printf("Bail out! cannot create the database: %s\n", ei.message);
        return 1;
    }
    vk_writer *w = NULL;
    vk_writer_hook hook = {3600, count_hook, &hooks};
    if (vk_writer_start(&w, &cfg, 1024, &hook, &ei)) {
        printf("Bail out! cannot start the writer: %s\n", ei.message);
        return 1;
    }
    pthread_mutex_lock(&lock);
    while (hooks < 1)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    T_EQ_INT(hooks, 1, "the hook runs at start, on the writer's context");
    test_batch(w);
    test_idempotency(w);
    T_EQ_INT(hooks, 1, "and not again before its time");
    test_stop_drains(w);
    test_run_one();
    test_bounded_queue();
    test_hook_repeats();
    test_feedback_jobs();
    test_checkpointer();
    test_checkpointer_reader();
    store_close(reader);
    t_cleanup();
    return t_done();
}
